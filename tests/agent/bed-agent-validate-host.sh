#!/bin/bash
# In the kernel test bed: `agentctl validate --host` checks a spec against
# this host without changing it. netdevsim1 (the mlx5 personality, with
# mlx5's flow_steering_mode param) converged by `agentctl apply`,
# netdevsim2 without that param, a foreign OVS bridge and a netdev that
# is no OVS bridge. The applicable spec exits 0; settings the host cannot
# take (inline_mode and encap_mode, which netdevsim's eswitch does not
# have; steering_mode without the param; a missing PF; a bridge name
# taken by a plain netdev) exit 2 with FILE:LINE:COL of the value; a
# foreign bridge and an unreachable OVSDB are warnings (exit 0). The host
# is compared before and after with devlink, sysfs, ip and ovs-vsctl.
#
# usage: bed-agent-validate-host.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
dl1=$(bed_nsim_devlink 1)
dl2=$(bed_nsim_devlink 2)
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-validate-host.XXXXXX)
base=$work/host.json

# pos_of FILE TEXT: LINE:COL of the first TEXT in FILE (ASCII specs: the
# column in characters is the byte's).
pos_of() {
    awk -v t="$2" 'i = index($0, t) { print NR ":" i; exit }' "$1"
}

# value_pos FILE KEY: LINE:COL of the value of the first "KEY" in FILE.
value_pos() {
    awk -v t="\"$2\": " 'i = index($0, t) { print NR ":" (i + length(t)); exit }' "$1"
}

# variant NAME JQ: the base spec changed by the jq program JQ, as
# $work/NAME.json (its path printed).
variant() {
    jq "$2" "$base" >"$work/$1.json" && printf '%s\n' "$work/$1.json"
}

# vh ARGS...: agentctl validate --host ARGS; stdout in VH_OUT, stderr in
# VH_ERR, the exit code in VH_RC, the wall time in VH_MS (shown).
vh() {
    local t0
    t0=$(e2e_ms)
    VH_RC=0
    VH_OUT=$("$AGENTCTL" validate --host "$@" 2>"$work/stderr") || VH_RC=$?
    VH_MS=$(($(e2e_ms) - t0))
    VH_ERR=$(<"$work/stderr")
    printf '%s\n' "$VH_OUT" "$VH_ERR" | sed '/^$/d; s/^/    | /'
    echo "    validate --host: exit $VH_RC, $VH_MS ms"
}

# has_line TEXT: stderr of the last vh has a line starting with TEXT.
has_line() {
    local l
    while IFS= read -r l; do
        case $l in "$1"*) return 0 ;; esac
    done <<<"$VH_ERR"
    bed_log "no line starting with: $1"
    return 1
}

# snapshot: what validate --host must leave as it found it.
snapshot() {
    devlink dev eswitch show
    devlink dev param show "$dl1" name flow_steering_mode
    devlink port show
    cat "$(bed_nsim_sysfs 1)/sriov_numvfs" "$(bed_nsim_sysfs 2)/sriov_numvfs"
    ip -d link show
    ovs-vsctl show
    ovs-vsctl get Open_vSwitch . next_cfg other_config external_ids
    ovs-vsctl --columns=name,external_ids list Bridge
}

echo "== setup: netdevsim1 converged by apply, netdevsim2 blank"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on || { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim1 (1 port, max_vfs 8, flow_steering_mode)" \
    bed_nsim_new 1 1 8 || { bed_summary; exit; }
bed_nsim_param mlx5_steering_param 0
bed_check "netdevsim2 (1 port, max_vfs 8, no flow_steering_mode)" \
    bed_nsim_new 2 1 8 || { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
e2e_write_spec "$base" "$dl1" "$bridge" 2 "0=02:00:00:00:01:00" \
    "1=02:00:00:00:01:01"
E2E_SPEC=$base bed_check "apply converges netdevsim1" e2e_agentctl apply
bed_check "host matches the spec" e2e_host_ok "$base"
bed_check "a foreign OVS bridge br-foreign" ovs-vsctl add-br br-foreign
bed_check "a plain netdev br-plain" ip link add br-plain type dummy
snapshot >"$work/before" 2>&1

echo "== the spec of this host"
vh "$base"
bed_check_eq "applicable: exit 0" 0 "$VH_RC"
bed_check_eq "says valid on this host" 1 \
    "$(grep -c "^$base: valid on this host" <<<"$VH_OUT")"
bed_check_eq "no finding on stderr" "" "$VH_ERR"
echo "validate-host-ms applicable spec: $VH_MS ms"
f=$(variant steering-dmfs '.pfs[0].steering_mode = "dmfs"')
vh --spec "$f"
bed_check_eq "steering_mode dmfs where the param is (--spec FILE): exit 0" \
    0 "$VH_RC"

echo "== settings this host refuses"
f=$(variant inline '.pfs[0].inline_mode = "transport"')
vh "$f"
bed_check_eq "inline_mode on netdevsim: exit 2" 2 "$VH_RC"
bed_check "inline_mode: FILE:LINE:COL of the value, path, why" has_line \
    "$f:$(value_pos "$f" inline_mode): \$.pfs[0].inline_mode: inline_mode transport asked, but $dl1's eswitch reports no inline mode"
echo "validate-host-ms refused setting: $VH_MS ms"
vh --json "$f"
bed_check_eq "--json: exit 2" 2 "$VH_RC"
bed_check_eq "--json: valid false, the finding and where" \
    "false inline-mode error $(value_pos "$f" inline_mode)" \
    "$(jq -r '"\(.valid) \(.findings[0].check) \(.findings[0].severity) \(.findings[0].line):\(.findings[0].col)"' <<<"$VH_OUT")"

f=$(variant encap '.pfs[0].encap_mode = "basic"')
vh "$f"
bed_check_eq "encap_mode on netdevsim: exit 2" 2 "$VH_RC"
bed_check "encap_mode: FILE:LINE:COL, path, why" has_line \
    "$f:$(value_pos "$f" encap_mode): \$.pfs[0].encap_mode: encap_mode basic asked, but $dl1's eswitch reports no encap mode"

f=$(variant steering '.pfs[0].devlink = "'"$dl2"'" | .pfs[0].steering_mode = "smfs"')
vh "$f"
bed_check_eq "steering_mode without the devlink param: exit 2" 2 "$VH_RC"
bed_check "steering_mode: FILE:LINE:COL, path, why" has_line \
    "$f:$(value_pos "$f" steering_mode): \$.pfs[0].steering_mode: steering_mode smfs asked, but the device has no devlink param flow_steering_mode"

f=$(variant missing 'del(.pfs[0].devlink) | .pfs[0].netdev = "nope0"')
vh "$f"
bed_check_eq "a PF that is not there: exit 2" 2 "$VH_RC"
bed_check "missing PF: FILE:LINE:COL of its key's value, why" has_line \
    "$f:$(value_pos "$f" netdev): \$.pfs[0].netdev: PF nope0 cannot be configured on this host: no netdev nope0"

echo "== bridge names"
e2e_write_spec "$work/plain.json" "$dl1" br-plain 2
vh "$work/plain.json"
bed_check_eq "bridge named like a plain netdev: exit 2" 2 "$VH_RC"
bed_check "bridge: FILE:LINE:COL of its entry, why" has_line \
    "$work/plain.json:$(pos_of "$work/plain.json" '{ "name"'): \$.bridges[0]: a netdev named br-plain exists and is not an OVS bridge"
e2e_write_spec "$work/foreign.json" "$dl1" br-foreign 2
vh "$work/foreign.json"
bed_check_eq "someone else's OVS bridge: a warning, exit 0" 0 "$VH_RC"
bed_check "bridge: the warning, located" has_line \
    "$work/foreign.json:$(pos_of "$work/foreign.json" '{ "name"'): \$.bridges[0]: warning: OVS bridge br-foreign exists and was not created by the agent"

echo "== OVSDB unreachable"
f=$(variant nodb '.ovs.db = "unix:'"$work"'/no-db.sock"')
vh "$f"
bed_check_eq "OVSDB that does not answer: a warning, exit 0" 0 "$VH_RC"
bed_check "ovsdb: the warning, located" has_line \
    "$f:$(value_pos "$f" ovs): \$.ovs: warning: OVSDB unix:$work/no-db.sock did not answer"
echo "validate-host-ms OVSDB unreachable: $VH_MS ms"

echo "== the host is as it was"
snapshot >"$work/after" 2>&1
bed_check "devlink, sriov_numvfs, ip -d link, ovs-vsctl unchanged" \
    diff -u "$work/before" "$work/after"

ovs-vsctl del-br br-foreign
ip link del br-plain
bed_nsim_mlx5_off
bed_summary
