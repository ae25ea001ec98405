#!/bin/bash
# The demo's guest half (scripts/demo boots the bed and runs this in it):
# a netdevsim NIC (netdevsim1, as the example spec names it), a real Open
# vSwitch, offload-agent configuring both from
# packaging/examples/bed-netdevsim.json, traffic through two emulated VFs,
# and `agentctl status` showing every representor attached with its rules
# in hardware. Exits non-zero when that is not what status shows.
#
# usage: demo-guest.sh BUILD_DIR [SPEC]
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$top/tests/bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

build=$(cd "${1:?usage: $0 BUILD_DIR [SPEC]}" && pwd)
spec=$(readlink -f "${2:-$top/packaging/examples/bed-netdevsim.json}")
AGENTCTL=$build/agent/agentctl
E2E_SPEC=$spec
E2E_SOCKET=/run/offload-agent/agentctl.sock
log=/tmp/offload-agent.log
daemon_pid='' ping_pids=()

say() { printf 'demo: %s\n' "$*"; }
die() {
    say "FAILED: $*"
    [ ! -s "$log" ] || { say "offload-agent log:"; tail -30 "$log"; }
    exit 1
}
cleanup() {
    local pid
    for pid in "${ping_pids[@]}" $daemon_pid; do
        kill "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
}
trap cleanup EXIT

dl=$(jq -r '.pfs[0].devlink // empty' "$spec")
case "$dl" in
    netdevsim/netdevsim[0-9]*) id=${dl#netdevsim/netdevsim} ;;
    *) die "$spec: pfs[0].devlink must name a netdevsim device (netdevsim/netdevsimN)" ;;
esac
bridge=$(jq -r '.pfs[0].bridge' "$spec")
num_vfs=$(jq -r '.pfs[0].num_vfs' "$spec")
[ "$num_vfs" -ge 2 ] || die "$spec: the demo needs 2 VFs or more"

say "netdevsim$id: a NIC with 1 port, eswitch legacy, no VFs (the agent does the rest)"
modprobe netdevsim || die "modprobe netdevsim"
bed_nsim_mlx5_on || die "mlx5 personality"
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_nsim_new "$id" 1 "$num_vfs" || die "netdevsim$id not created"
say "Open vSwitch: ovsdb-server + ovs-vswitchd, no bridge, hw-offload not set"
bed_ovs_start || die "OVS did not start"

say "offload-agent --spec $spec"
"$build/agent/offload-agent" --spec "$spec" --socket "$E2E_SOCKET" 2>"$log" &
daemon_pid=$!
t0=$(e2e_ms)
bed_wait_for 120 e2e_agentctl status || die "not converged after 120 s"
say "converged in $(($(e2e_ms) - t0)) ms; the agent's log:"
sed -n 's/^<[0-9]>\(reconcile.*converged in.*\)/    \1/p' "$log"

reps=()
for ((i = 0; i < num_vfs; i++)); do
    reps+=("$(bed_rep_netdev "$dl" "$i")") || die "no representor for VF $i"
done
say "emulated VFs 0 and 1 (network namespaces behind ${reps[0]} and ${reps[1]})"
for i in 0 1; do
    e2e_qos_noop "${reps[$i]}" >/dev/null || die "qos on ${reps[$i]}"
    mac=$(jq -r ".pfs[0].vfs[] | select(.index == $i) | .mac // empty" "$spec")
    bed_vf_attach "vf$i" "${reps[$i]}" "10.9.0.$((i + 1))/24" ${mac:+"$mac"} ||
        die "emulated VF $i"
done
say "ping vf0 -> vf1 across $bridge"
e2e_ping vf0 10.9.0.2 >/dev/null || die "no ping replies across $bridge"
# Keep traffic flowing both ways, so the datapath flows (and the tc rules
# OVS put on the representors) stay while status reads them.
ip netns exec vf0 ping -q -i 0.5 10.9.0.2 >/dev/null 2>&1 &
ping_pids+=($!)
ip netns exec vf1 ping -q -i 0.5 10.9.0.1 >/dev/null 2>&1 &
ping_pids+=($!)

all_in_hw() {
    e2e_status
    [ "$E2E_STATUS_RC" = 0 ] &&
        printf '%s\n' "$E2E_ST" | jq -e --argjson n 2 '
            [.pfs[0].vfs[] | select(.index < $n) | .tc
             | select(.rules > 0 and .in_hw == .rules)] | length == $n' >/dev/null
}
bed_wait_for 30 all_in_hw
ok=$?
say "agentctl status"
e2e_agentctl status
rc=$?
if [ "$ok" != 0 ] || [ "$rc" != 0 ]; then
    die "status exit $rc; the representors' rules are not all in hardware"
fi
say "OK: every representor attached to $bridge, its tc rules in_hw"
