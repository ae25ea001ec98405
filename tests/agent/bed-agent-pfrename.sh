#!/bin/bash
# In the kernel test bed: a PF the spec names by its netdev name, whose
# uplink the driver registers anew on every eswitch mode change and udev
# renames (netdevsim's mlx5 personality with mlx5_uplink_reregister, and
# systemd-udevd with Debian's rules: eth0 in legacy, eni10np1 in
# switchdev, as enp8s0f0 -> enp8s0f0np0 on a ConnectX host). The agent
# must follow the device (its pin, in --state-dir), not the name:
#  - `agentctl apply` from blank to switchdev exits 0, converged, the
#    uplink attached under its new name and no OVS row under the old one;
#    status shows both names; a new process (`plan`) has nothing to do;
#  - legacy and switchdev again (each a rename), converged each time;
#  - offload-agent started with the spec and restarted finds the renamed
#    PF and converges a mode change (another rename) by itself.
# Judged with devlink, ip, ethtool and ovs-vsctl. Representors keep their
# kernel names here (a rule of this test): their renames are another
# test's. Prints the time of each apply.
#
# usage: bed-agent-pfrename.sh AGENTCTL [OFFLOAD_AGENT]
# (without OFFLOAD_AGENT the daemon part is skipped)
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL [OFFLOAD_AGENT]}")
DAEMON=${2:+$(readlink -f "$2")}
nsim_id=10
dl=$(bed_nsim_devlink "$nsim_id")
new_name=eni${nsim_id}np1 # systemd's name for the switchdev uplink
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-pfrename.XXXXXX)
spec=$work/host.json   # the agent's: the PF by netdev name
judge=$work/judge.json # the same by devlink handle, for e2e_host_ok
state=$work/state
log=$work/offload-agent.log
E2E_SPEC=$spec
E2E_STATE_DIR=$state
daemon_pid=

cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_ovs_stop
    bed_udev_stop
    rm -rf "$work"
}
trap cleanup EXIT

agentctl() { e2e_agentctl "$@"; }

# pf_named REGEX: the device's uplink (devlink's physical port) has a
# name matching REGEX and udev is done with it; sets pf.
pf_named() {
    pf=$(bed_pf_netdev "$dl") && [[ $pf =~ $1 ]] && bed_udev_initialised "$pf"
}

# write_specs ESWITCH: $spec names the PF by $legacy_name, $judge by
# devlink; 2 VFs with MACs, the uplink in $bridge.
write_specs() {
    e2e_write_spec "$judge" "$dl" "$bridge" 2 0=02:00:00:00:0a:00 \
        1=02:00:00:00:0a:01 &&
        jq --arg e "$1" '.pfs[0].eswitch = $e' "$judge" >"$judge.tmp" &&
        mv -f "$judge.tmp" "$judge" &&
        jq --arg n "$legacy_name" '.pfs[0] |= ({netdev: $n} + del(.devlink))' \
            "$judge" >"$spec.tmp" && mv -f "$spec.tmp" "$spec"
}

# not_uplink NAME: nothing called NAME is the uplink any more: no netdev
# NAME, or a representor's (the kernel gives a new representor the
# lowest free ethN, the PF's old name); and OVS has no port and no
# interface NAME unless it is that representor's (e2e_host_ok checks the
# bridge's ports are exactly the uplink and the representors).
not_uplink() {
    local p i ppn
    if [ -e "/sys/class/net/$1" ]; then
        ppn=$(cat "/sys/class/net/$1/phys_port_name" 2>/dev/null)
        [[ $ppn == pf*vf* ]] || { bed_log "$1 exists, phys_port_name '$ppn'"; return 1; }
        echo "    $1 is now a representor ($ppn)"
        return 0
    fi
    p=$(ovs-vsctl --bare --columns=name find port name="$1") &&
        i=$(ovs-vsctl --bare --columns=name find interface name="$1") || return
    [ -z "$p$i" ] || { bed_log "OVS still has port '$p' interface '$i'"; return 1; }
}

# legacy_ok: eswitch legacy, 2 VFs with their MACs, the uplink ($pf) up,
# hw-tc-offload on and the only port of $bridge, with an ofport.
legacy_ok() {
    local got
    got=$(bed_eswitch "$dl") && [ "$got" = legacy ] || { bed_log "eswitch $got"; return 1; }
    got=$(cat "$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs")
    [ "$got" = 2 ] || { bed_log "sriov_numvfs $got"; return 1; }
    got=$(ip -j link show dev "$pf" | jq -r '[.[0].vfinfo_list[].address] | join(",")')
    [ "$got" = 02:00:00:00:0a:00,02:00:00:00:0a:01 ] || { bed_log "VF MACs $got"; return 1; }
    got=$(e2e_ovs_ports "$bridge")
    [ "$got" = "$pf" ] || { bed_log "ports of $bridge: $got"; return 1; }
    e2e_iface_ok "$pf" && e2e_link_up "$pf" && [ "$(e2e_hw_tc "$pf")" = on ]
}

# timed_apply DESC: agentctl apply (output in $work/apply.log), PASS when
# it exits 0; prints its time.
timed_apply() {
    local t0 rc=0
    t0=$(e2e_ms)
    agentctl apply >"$work/apply.log" 2>&1 || rc=$?
    took=$(($(e2e_ms) - t0))
    bed_check_eq "$1: agentctl apply exits 0 ($took ms)" 0 "$rc" ||
        sed 's/^/    /' "$work/apply.log"
    echo "apply-time $1: $took ms"
    grep -E 'planning again' "$work/apply.log" | sed 's/^/    apply: /'
}

# plan_steps: the actions of `agentctl plan --json`, comma-separated, and
# each blocker as "blocked: OBJECT: MESSAGE" ("": converged); what it
# printed when that is not JSON.
plan_steps() {
    local out
    out=$(agentctl plan --json 2>&1)
    printf '%s\n' "$out" | jq -r '[(.steps[].action),
        (.blockers[] | "blocked: \(.object): \(.message)")] | join(",")' \
        2>/dev/null || printf '%s\n' "$out"
}

echo "== a PF created in legacy under udev, named by its legacy name"
bed_check "systemd-udevd runs; representors keep kernel names (test rule)" \
    eval 'printf "%s\n" "SUBSYSTEM==\"net\", ACTION==\"add\", ATTR{phys_port_name}==\"pf*vf*\", NAME:=\"\$kernel\"" >"$work/75-oa-keep-rep-names.rules" &&
          bed_udev_start "$work/75-oa-keep-rep-names.rules"' || { bed_summary; exit; }
bed_check "the mlx5 personality on, and mlx5_uplink_reregister" \
    eval 'bed_nsim_mlx5_on && bed_nsim_param mlx5_uplink_reregister 1' || { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim$nsim_id created; udev leaves its legacy PF a kernel name" \
    eval 'bed_nsim_new "$nsim_id" 1 8 && bed_wait_for 10 pf_named "^eth[0-9]+$"' ||
    { bed_summary; exit; }
legacy_name=$pf
echo "    legacy PF: $legacy_name"
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
write_specs switchdev

echo "== apply: legacy -> switchdev (the uplink is registered anew and renamed)"
timed_apply "blank -> switchdev"
sed 's/^/    apply: /' "$work/apply.log"
grep -E '\|(WARN|ERR)\|' "${OVS_LOGDIR:-/run/openvswitch}/ovs-vswitchd.log" |
    head -20 | sed 's/^/    ovs-vswitchd: /'
bed_check "the PF is now $new_name (udev)" pf_named "^$new_name$"
bed_check "host matches the spec (switchdev, VFs, MACs, uplink $new_name and representors attached)" \
    e2e_host_ok "$judge"
bed_check "$legacy_name is not the uplink, in the kernel or in OVS" not_uplink "$legacy_name"
e2e_status
bed_check_eq "status --json exits 0" 0 "$E2E_STATUS_RC"
bed_check_eq "status --json: converged, netdev, spec_netdev, pinned" \
    "true $new_name $legacy_name true $new_name" \
    "$(printf '%s\n' "$E2E_ST" | jq -r '"\(.converged) \(.pfs[0].netdev) \(.pfs[0].spec_netdev) \(.pfs[0].pinned) \(.pfs[0].uplink.netdev)"')"
bed_check "status (text) names both" \
    eval 'agentctl status | grep -F "PF $new_name (spec: $legacy_name) ($dl)"'
bed_check "the pin is in the state directory" \
    eval 'jq -e --arg n "$legacy_name" ".version == 1 and (.pins[] | select(.netdev == \$n) | .bus == \"netdevsim\" and .device == \"netdevsim$nsim_id\" and .devlink == \"$dl\")" "$state/pf-pins.json"'
bed_check_eq "a new process: plan --json has nothing to do" "" "$(plan_steps)"

echo "== legacy again (a new uplink, a kernel name), then switchdev (renamed again)"
write_specs legacy
timed_apply "switchdev -> legacy"
bed_check "legacy, 2 VFs with MACs, the new uplink attached" \
    eval 'bed_wait_for 10 pf_named "^eth[0-9]+$" && legacy_ok'
bed_check "$new_name is gone, from the kernel and OVS" not_uplink "$new_name"
bed_check_eq "plan --json has nothing to do" "" "$(plan_steps)"
write_specs switchdev
timed_apply "legacy -> switchdev"
bed_check "switchdev, the PF $new_name, host matches the spec" \
    eval 'pf_named "^$new_name$" && e2e_host_ok "$judge"'
bed_check_eq "plan --json has nothing to do" "" "$(plan_steps)"

if [ -n "$DAEMON" ]; then
    echo "== offload-agent with the spec: started, a mode change, restarted"
    E2E_SOCKET=/run/offload-agent/agentctl.sock
    start_daemon() {
        "$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" --state-dir "$state" \
            2>>"$log" &
        daemon_pid=$!
    }
    status_is() { # NETDEV: the daemon's status is converged with it
        e2e_status && [ "$E2E_STATUS_RC" = 0 ] &&
            printf '%s\n' "$E2E_ST" | jq -e --arg n "$1" \
                '.converged and .pfs[0].netdev == $n and .pfs[0].found' >/dev/null
    }
    start_daemon
    bed_check "daemon started: converged, the PF $new_name" bed_wait_for 60 status_is "$new_name"
    write_specs legacy
    t0=$(e2e_ms)
    bed_check "daemon converges switchdev -> legacy (renamed)" \
        eval 'bed_wait_for 120 pf_named "^eth[0-9]+$" && bed_wait_for 120 status_is "$pf" && legacy_ok'
    echo "converge-time daemon switchdev -> legacy: $(($(e2e_ms) - t0)) ms"
    kill "$daemon_pid" && wait "$daemon_pid"
    daemon_pid=
    write_specs switchdev
    t0=$(e2e_ms)
    start_daemon
    bed_check "daemon restarted with the spec back at switchdev: converged, the PF $new_name" \
        eval 'bed_wait_for 120 status_is "$new_name" && e2e_host_ok "$judge"'
    echo "converge-time daemon restart, legacy -> switchdev: $(($(e2e_ms) - t0)) ms"
    kill "$daemon_pid" && wait "$daemon_pid"
    daemon_pid=
    bed_check "daemon log: no PF lost" \
        eval '! grep -E "no netdev (eth|eni)[0-9]|no device behind" "$log"'
    grep -E 'pin|converged in|planning again' "$log" | sed 's/^<[0-9]>/    daemon: /'
fi

bed_check "netdevsim$nsim_id removed, knobs off" \
    eval 'bed_nsim_del "$nsim_id" && bed_nsim_mlx5_off'
bed_summary
