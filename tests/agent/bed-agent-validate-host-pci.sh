#!/bin/bash
# In the PCI test bed (tests/bed/run with OA_BED_PCI=1: qemu's NVMe
# controller, a real SR-IOV PF with sriov_totalvfs 2): `agentctl validate
# --host` reports num_vfs 3 against the device's limit, located at the
# value, exit 2, and leaves the device as it was. netdevsim has no
# sriov_totalvfs, so this needs a PCI device. The NVMe PF has no netdev,
# so the agent cannot configure it either: that is reported too, and is
# the only finding with num_vfs 2.
#
# usage: bed-agent-validate-host-pci.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
work=$(mktemp -d /tmp/e2e-validate-host-pci.XXXXXX)

modprobe nvme
pf=$(bed_pci_sriov_pfs | head -1)
[ -n "$pf" ] || { bed_fail "an SR-IOV PCI device in the guest"; bed_summary; exit; }
sys=/sys/bus/pci/devices/$pf
bed_check_eq "the NVMe PF's sriov_totalvfs" 2 "$(cat "$sys/sriov_totalvfs")"

# spec FILE NUM_VFS: the PF by PCI address, legacy, NUM_VFS; no bridge
# (no OVS runs in this bed).
spec() {
    cat >"$1" <<EOF
{
  "version": 1,
  "pfs": [
    { "pci": "$pf", "eswitch": "legacy", "num_vfs": $2 }
  ]
}
EOF
}

# value_pos FILE KEY: LINE:COL of the value of the first "KEY" in FILE.
value_pos() {
    awk -v t="\"$2\": " 'i = index($0, t) { print NR ":" (i + length(t)); exit }' "$1"
}

snapshot() {
    local f
    for f in sriov_numvfs sriov_totalvfs sriov_drivers_autoprobe; do
        printf '%s %s\n' "$f" "$(cat "$sys/$f")"
    done
    ls /sys/bus/pci/devices
    ls -l "$sys/driver"
    ip -d link show
}
snapshot >"$work/before" 2>&1

spec "$work/three.json" 3
t0=$(e2e_ms)
rc=0
"$AGENTCTL" validate --host "$work/three.json" >"$work/out" 2>"$work/err" || rc=$?
took=$(($(e2e_ms) - t0))
sed 's/^/    | /' "$work/out" "$work/err"
echo "validate-host-ms num_vfs over sriov_totalvfs: $took ms"
bed_check_eq "num_vfs 3 on a device of 2: exit 2" 2 "$rc"
bed_check_eq "num_vfs: FILE:LINE:COL of the value, the limit" 1 \
    "$(grep -c -F "$work/three.json:$(value_pos "$work/three.json" num_vfs): \$.pfs[0].num_vfs: num_vfs 3 is more than the device supports: sriov_totalvfs of $pf is 2" "$work/err")"
bed_check_eq "the PF itself: no netdev (NVMe)" 1 \
    "$(grep -c -F "$work/three.json:$(value_pos "$work/three.json" pci): \$.pfs[0].pci: PF $pf cannot be configured on this host: no netdev on device $pf" "$work/err")"

spec "$work/two.json" 2
rc=0
"$AGENTCTL" validate --host "$work/two.json" >"$work/out" 2>"$work/err" || rc=$?
sed 's/^/    | /' "$work/out" "$work/err"
bed_check_eq "num_vfs 2: exit 2, for the missing netdev only" \
    "2 0 1" "$rc $(grep -c num_vfs "$work/err") $(grep -c 'no netdev' "$work/err")"

snapshot >"$work/after" 2>&1
bed_check "sriov_numvfs, autoprobe, driver, ip -d link unchanged" \
    diff -u "$work/before" "$work/after"
bed_summary
