#!/bin/bash
# In the kernel test bed, under netdevsim's mlx5 personality (which
# refuses the VF ndo VLAN in switchdev, as mlx5 does): a VF's vlan on a
# switchdev PF becomes the tag of its representor's OVS port, judged with
# ovs-vsctl and ip. `agentctl apply` sets it (VF 1, no vlan, gets none;
# the VF's ndo VLAN stays 0); status shows vlan 100 via ovs-tag and
# converged. Drift: the tag changed, cleared (and a tag put on VF 1's
# port) by hand shows as set-port-tag in `plan` and `status` is not
# converged, `apply` repairs it; then offload-agent running in the
# background repairs both by itself. Last, a legacy PF with vlan 100 gets
# the VF ndo VLAN (ip link show PF: vf 0 vlan 100), no tag anywhere.
# Times of the apply and of each repair are printed in ms.
#
# usage: bed-agent-vlan.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-vlan.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
E2E_SPEC=$spec
daemon_pid=
agentctl() { e2e_agentctl "$@"; }

cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

# tag PORT: Port.tag as ovs-vsctl shows it ("[]": none).
tag() { ovs-vsctl get port "$1" tag 2>&1; }

# tag_is PORT VALUE: for polling.
tag_is() { [ "$(tag "$1")" = "$2" ]; }

# plan_json: `agentctl plan --json`, or a line saying it failed (so that
# an empty plan is never a failure in disguise).
plan_json() {
    local out rc=0
    out=$(agentctl plan --json 2>&1) || rc=$?
    if [ "$rc" = 0 ]; then
        printf '%s\n' "$out"
    else
        printf '{"steps": [{"action": "agentctl plan exit %s"}]}\n' "$rc"
    fi
}

# plan_tag_step PORT: "DETAIL TAG" of the set-port-tag step on PORT in
# `agentctl plan --json` ("" when there is none).
plan_tag_step() {
    plan_json | jq -r --arg p "$1" \
        '.steps[] | select(.action == "set-port-tag" and .object == $p)
         | "\(.detail) \(.tag)"'
}

# plan_actions: the actions of `agentctl plan --json`, comma-separated.
plan_actions() {
    plan_json | jq -r '[.steps[].action] | join(",")'
}

# status_vf INDEX JQ: a field of VF INDEX in the last e2e_status.
status_vf() {
    printf '%s\n' "$E2E_ST" | jq -r --argjson i "$1" \
        ".pfs[0].vfs[] | select(.index == \$i) | $2"
}

# timed_apply DESC: agentctl apply, checked, its time printed.
timed_apply() {
    local t0
    t0=$(e2e_ms)
    bed_check "$1: agentctl apply exits 0" agentctl apply
    echo "vlan-time $1: $(($(e2e_ms) - t0)) ms"
}

# drift DESC PORT WANT DETAIL OVS-VSCTL-ARGS...: changes PORT's tag with
# ovs-vsctl; plan shows the set-port-tag back to WANT ("DETAIL TAG"),
# status is not converged, apply repairs it.
drift() {
    local desc=$1 port=$2 want=$3 detail=$4
    shift 4
    echo "== drift: $desc"
    bed_check "ovs-vsctl $*" ovs-vsctl "$@"
    bed_check_eq "plan: set-port-tag $port" "$detail" "$(plan_tag_step "$port")"
    e2e_status
    bed_check_eq "status: not converged (exit 1)" "false 1" \
        "$(printf '%s\n' "$E2E_ST" | jq -r .converged) $E2E_STATUS_RC"
    timed_apply "repair of $desc"
    bed_check_eq "ovs-vsctl: $port tag" "$want" "$(tag "$port")"
    bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
}

# daemon_repair DESC PORT WANT OVS-VSCTL-ARGS...: with the daemon
# running, changes PORT's tag and waits (30 s at most) until it is WANT
# again.
daemon_repair() {
    local desc=$1 port=$2 want=$3 t0 took
    shift 3
    t0=$(e2e_ms)
    bed_check "ovs-vsctl $*" ovs-vsctl "$@"
    if bed_wait_for 30 tag_is "$port" "$want"; then
        took=$(($(e2e_ms) - t0))
        bed_pass "daemon: $desc repaired, $port tag $want ($took ms)"
        echo "vlan-time daemon repair of $desc: $took ms"
    else
        bed_fail "daemon: $desc not repaired after 30 s ($port tag $(tag "$port"))"
        tail -n 20 "$log" | sed 's/^/    daemon: /'
    fi
}

echo "== switchdev PF, 2 VFs, vlan 100 on VF 0, bridge $bridge"
bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on ||
    { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" \
    bed_nsim_new "$nsim_id" 1 8 || { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=02:00:00:00:01:00" \
    "1=02:00:00:00:01:01"
jq '.pfs[0].vfs[0].vlan = 100' "$spec" >"$spec.tmp" && mv -f "$spec.tmp" "$spec"
bed_check "the spec validates" agentctl validate "$spec"
timed_apply "apply from blank"
bed_check "host matches the spec (eswitch, VFs, MACs, ports)" e2e_host_ok "$spec"
pf=$(bed_pf_netdev "$dl")
rep0=$(bed_rep_netdev "$dl" 0)
rep1=$(bed_rep_netdev "$dl" 1)
bed_check_eq "ovs-vsctl: VF 0's port $rep0 tag" 100 "$(tag "$rep0")"
bed_check_eq "ovs-vsctl: VF 1's port $rep1 has no tag" "[]" "$(tag "$rep1")"
bed_check_eq "ip link: VF 0's ndo VLAN untouched" 0 \
    "$(bed_vf_info "$pf" 0 '.vlan_list[0].vlan // 0')"
e2e_status
bed_check_eq "status: VF 0 vlan 100 via ovs-tag" "100 ovs-tag" \
    "$(status_vf 0 '"\(.vlan) \(.vlan_via)"')"
bed_check_eq "status: VF 1 no vlan" "null ovs-tag" \
    "$(status_vf 1 '"\(.vlan) \(.vlan_via)"')"
bed_check_eq "status: converged (exit 0)" "true 0" \
    "$(printf '%s\n' "$E2E_ST" | jq -r .converged) $E2E_STATUS_RC"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

drift "$rep0 tag changed to 200" "$rep0" 100 "tag 200 -> 100 100" \
    set port "$rep0" tag=200
drift "$rep0 tag cleared" "$rep0" 100 "tag none -> 100 100" \
    clear port "$rep0" tag
drift "a tag on $rep1 (no vlan in the spec)" "$rep1" "[]" \
    "tag 300 -> none null" set port "$rep1" tag=300

echo "== the daemon repairs the tag by itself"
E2E_SOCKET=$work/agentctl.sock
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" 2>"$log" &
daemon_pid=$!
if bed_wait_for 60 e2e_status_matches "$spec"; then
    bed_pass "daemon running, converged"
else
    bed_fail "daemon not converged after 60 s"
    tail -n 20 "$log" | sed 's/^/    daemon: /'
fi
daemon_repair "$rep0 tag changed to 200" "$rep0" 100 set port "$rep0" tag=200
daemon_repair "$rep0 tag cleared" "$rep0" 100 clear port "$rep0" tag
e2e_status
bed_check_eq "status from the daemon: VF 0 vlan 100 via ovs-tag" \
    "100 ovs-tag" "$(status_vf 0 '"\(.vlan) \(.vlan_via)"')"
kill "$daemon_pid" 2>/dev/null
wait "$daemon_pid" 2>/dev/null
daemon_pid=
E2E_SOCKET=

echo "== legacy PF: vlan 100 is the VF's ndo VLAN"
legacy_id=2
legacy_dl=$(bed_nsim_devlink "$legacy_id")
bed_check "netdevsim$legacy_id created (1 port, max_vfs 8)" \
    bed_nsim_new "$legacy_id" 1 8 || { bed_summary; exit; }
E2E_SPEC=$work/legacy.json
cat >"$E2E_SPEC" <<EOF
{
  "version": 1,
  "pfs": [
    {
      "devlink": "$legacy_dl",
      "eswitch": "legacy",
      "num_vfs": 2,
      "vfs": [ { "index": 0, "vlan": 100 } ]
    }
  ]
}
EOF
timed_apply "legacy apply from blank"
legacy_pf=$(bed_pf_netdev "$legacy_dl")
bed_check_eq "ip link: $legacy_pf vf 0 vlan" 100 \
    "$(bed_vf_info "$legacy_pf" 0 '.vlan_list[0].vlan // 0')"
bed_check_eq "ip link: $legacy_pf vf 1 no vlan" 0 \
    "$(bed_vf_info "$legacy_pf" 1 '.vlan_list[0].vlan // 0')"
e2e_status
bed_check_eq "status: VF 0 vlan 100 via pf-vf-ndo" "100 pf-vf-ndo" \
    "$(status_vf 0 '"\(.vlan) \(.vlan_via)"')"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
bed_check_eq "OVS: no port with a tag" "" \
    "$(ovs-vsctl --bare --columns=tag list port | tr -d '\n')"

bed_nsim_mlx5_off
bed_summary
