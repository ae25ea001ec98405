#!/bin/bash
# In the PCI test bed with an IOMMU (qemu's NVMe PF, 2 real PCI VFs,
# vfio-pci) plus netdevsim, one boot: the agent killed (SIGKILL, the test
# hook OA_TEST_KILL_AT of test builds, agent/testhook.h) at each step that
# leaves a temporary state, then started again; the start must leave the
# host consistent (docs/architecture.md, "The crash journal"):
#   autoprobe-off  agentctl apply killed with the PF's autoprobe off: the
#                  next apply sets it back on (a plain reconcile would
#                  keep it off: it reads "off already");
#   vf-unbound     agentctl apply killed with VF 0 unbound between
#                  vfio-pci and pci-stub, the spec then reverted to no
#                  vf_driver: the next apply binds it to vfio-pci again;
#   detached       agentctl apply killed with the uplink and the
#                  representors out of OVS before switchdev -> legacy:
#                  the next apply re-attaches them and goes on;
#   eswitch        the daemon killed right after legacy -> switchdev (0
#                  VFs, ports out): the daemon started again converges.
# Each time: the kill really happened at the step (exit 137, the host in
# the temporary state, pending.json naming it), then after the start the
# state is gone, the journal is empty and the recovery was said.
# Judged with sysfs, devlink and ovs-vsctl.
#
# usage: bed-agent-crashj.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
work=$(mktemp -d /tmp/e2e-crashj.XXXXXX)
spec=$work/host.json
journal=$work/state/pending.json
log=$work/offload-agent.log
E2E_SPEC=$spec
E2E_STATE_DIR=$work/state
E2E_SOCKET=$work/agentctl.sock
agentctl() { e2e_agentctl "$@"; }
drv() { bed_pci_driver "$1" 2>/dev/null || echo -; }

# killed_apply STEP: agentctl apply with the hook at STEP; its exit code
# in $rc, its output in $out.
killed_apply() {
    out=$(OA_TEST_KILL_AT=$1 agentctl apply 2>&1)
    rc=$?
}

# journal_has KIND OBJECT: the crash journal holds that entry.
journal_has() {
    jq -e --arg k "$1" --arg o "$2" \
        'any(.entries[]; .kind == $k and .object == $o)' "$journal" >/dev/null
}

pci_spec() {
    local drv=${1:+, \"vf_driver\": \"$1\"}
    cat >"$spec" <<EOF
{"version": 1, "ovs": {"hw_offload": true},
 "pfs": [{"pci": "$pf", "eswitch": "legacy", "num_vfs": 2$drv}]}
EOF
}

echo "== PCI bed: NVMe PF, vfio-pci, pci-stub, OVS"
modprobe nvme
pf=$(bed_pci_sriov_pfs | head -1)
[ -n "$pf" ] || { bed_fail "an SR-IOV PCI PF (OA_BED_PCI=1)"; bed_summary; exit; }
sys=/sys/bus/pci/devices/$pf
bed_check "modprobe vfio-pci, pci-stub" modprobe -a vfio-pci pci-stub ||
    { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
bed_check_eq "autoprobe on, 0 VFs, as on a fresh host" "1 0" \
    "$(cat "$sys/sriov_drivers_autoprobe") $(cat "$sys/sriov_numvfs")"

echo "== autoprobe-off: apply killed with the PF's autoprobe off"
pci_spec vfio-pci
killed_apply autoprobe-off
bed_check_eq "apply killed (SIGKILL: 137)" 137 "$rc" ||
    printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check_eq "left: autoprobe off, 0 VFs" "0 0" \
    "$(cat "$sys/sriov_drivers_autoprobe") $(cat "$sys/sriov_numvfs")"
bed_check "the journal names it" journal_has autoprobe-off "pci/$pf"
out=$(agentctl apply 2>&1)
rc=$?
bed_check_eq "the next apply exits 0" 0 "$rc" ||
    printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check "it says what it undid" grep -q \
    "left autoprobe-off pci/$pf: sriov_drivers_autoprobe set back on" <<<"$out"
bed_check_eq "autoprobe on again" 1 "$(cat "$sys/sriov_drivers_autoprobe")"
vf0=$(basename "$(readlink "$sys/virtfn0")")
vf1=$(basename "$(readlink "$sys/virtfn1")")
bed_check_eq "2 VFs on vfio-pci" "2 vfio-pci vfio-pci" \
    "$(cat "$sys/sriov_numvfs") $(drv "$vf0") $(drv "$vf1")"
bed_check "the journal is empty (no file)" test ! -e "$journal"

echo "== vf-unbound: apply killed with VF 0 between two drivers"
pci_spec pci-stub
killed_apply vf-unbound
bed_check_eq "apply killed (SIGKILL: 137)" 137 "$rc" ||
    printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check_eq "left: VF 0 unbound, VF 1 on vfio-pci" "- vfio-pci" \
    "$(drv "$vf0") $(drv "$vf1")"
bed_check "the journal names it, with its driver" jq -e --arg o "$vf0" \
    'any(.entries[]; .kind == "vf-unbound" and .object == $o
         and .detail == "vfio-pci")' "$journal"
# The operator gives up on the change: no vf_driver. Without the
# journal, nothing would bind VF 0 again.
pci_spec
out=$(agentctl apply 2>&1)
rc=$?
bed_check_eq "the next apply (spec reverted) exits 0" 0 "$rc" ||
    printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check "it says what it undid" grep -q \
    "left vf-unbound $vf0 vfio-pci: bound again to the driver it had" <<<"$out"
bed_check_eq "VF 0 and VF 1 on vfio-pci" "vfio-pci vfio-pci" \
    "$(drv "$vf0") $(drv "$vf1")"
bed_check "the journal is empty (no file)" test ! -e "$journal"

echo "== netdevsim (mlx5 personality), OVS: a switchdev host with 2 VFs"
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_nsim_mlx5_off
bed_nsim_param mlx5_esw_busy 1
bed_check "netdevsim$nsim_id (1 port, max 8 VFs)" bed_nsim_new "$nsim_id" 1 8 ||
    { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:01:01
bed_check "apply converges" agentctl apply
bed_check "host matches the spec" e2e_host_ok "$spec"
uplink=$(bed_pf_netdev "$dl")

echo "== detached: apply killed with the ports out of OVS (switchdev -> legacy)"
jq '.pfs[0].eswitch = "legacy"' "$spec" >"$spec.tmp" && mv "$spec.tmp" "$spec"
killed_apply detached
bed_check_eq "apply killed (SIGKILL: 137)" 137 "$rc" ||
    printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check_eq "left: no port in $bridge, the eswitch still switchdev" \
    " switchdev" "$(e2e_ovs_ports "$bridge" | tr '\n' ' ' | sed 's/ $//') $(bed_eswitch "$dl")"
bed_check "the journal names the uplink" journal_has detached "$uplink"
out=$(agentctl apply 2>&1)
rc=$?
bed_check_eq "the next apply exits 0" 0 "$rc" ||
    printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check "it says it finishes it" grep -q \
    "left detached $uplink $bridge: left to this reconcile" <<<"$out"
bed_check_eq "legacy, the uplink the only port of $bridge again" \
    "legacy $uplink" "$(bed_eswitch "$dl") $(e2e_ovs_ports "$bridge" | tr '\n' ' ' | sed 's/ $//')"
bed_check "the uplink's interface has an ofport, no error" e2e_iface_ok "$uplink"
bed_check "the journal is empty (no file)" test ! -e "$journal"

echo "== eswitch: the daemon killed right after legacy -> switchdev"
jq '.pfs[0].eswitch = "switchdev"' "$spec" >"$spec.tmp" && mv "$spec.tmp" "$spec"
OA_TEST_KILL_AT=eswitch "$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" \
    --state-dir "$E2E_STATE_DIR" 2>"$log"
rc=$?
bed_check_eq "the daemon killed (SIGKILL: 137)" 137 "$rc" || tail -20 "$log"
bed_check_eq "left: switchdev, 0 VFs, no port in $bridge" "switchdev 0 " \
    "$(bed_eswitch "$dl") $(cat "$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs") $(e2e_ovs_ports "$bridge" | tr '\n' ' ')"
bed_check "the journal names the eswitch change" journal_has eswitch "$dl"
E2E_T0=$(e2e_ms)
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" --state-dir "$E2E_STATE_DIR" \
    2>"$log" &
daemon=$!
e2e_converge_wait "the daemon started again converges" 120 "$spec"
bed_check "it said what a run left" grep -q \
    "left eswitch $dl legacy -> switchdev: left to this reconcile" "$log"
bed_check "the journal is empty (no file)" test ! -e "$journal"
kill "$daemon"
wait "$daemon"
bed_check_eq "the daemon ends on SIGTERM" 0 "$?"
[ "$bed_failures" = 0 ] || tail -40 "$log" | sed 's/^/    log: /'

bed_ovs_stop
bed_nsim_mlx5_off
bed_summary
