#!/bin/bash
# Bed test of oa_netlink's sysfs SR-IOV path against a real PCI SR-IOV
# device: qemu's NVMe controller (tests/bed/run with OA_BED_PCI=1).
# usage: bed-pci.sh PATH/TO/nl-bed
set -u
nl=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source=tests/netlink/bed-lib.sh
. "$here/bed-lib.sh"

modprobe nvme || exit 1
pf=''
for d in /sys/bus/pci/devices/*; do
    if [ -e "$d/sriov_totalvfs" ]; then
        pf=${d##*/}
        break
    fi
done
[ -n "$pf" ] || { echo "no SR-IOV PCI device in the guest"; exit 1; }
echo "SR-IOV PF: $pf ($(cat "/sys/bus/pci/devices/$pf/vendor"):$(cat "/sys/bus/pci/devices/$pf/device"))"
sys=/sys/bus/pci/devices/$pf

out=$($nl sriov "pci:$pf")
printf '%s\n' "$out"
bed_check_eq "totalvfs read" "$(cat "$sys/sriov_totalvfs")" \
    "$(printf '%s\n' "$out" | sed -n 's/.*totalvfs=\([0-9]*\) .*/\1/p')"
bed_check_eq "VFs are PCI devices" 1 "$(nl_field vfs_are_devices "$out")"
bed_check "autoprobe off" "$nl" autoprobe "pci:$pf" off
bed_check_eq "sysfs autoprobe" 0 "$(cat "$sys/sriov_drivers_autoprobe")"
bed_check "numvfs 0 -> 2" "$nl" numvfs "pci:$pf" 2
bed_check_eq "sysfs numvfs" 2 "$(cat "$sys/sriov_numvfs")"
out=$($nl sriov "pci:$pf")
printf '%s\n' "$out"
vf0=$(nl_field pci "$(printf '%s\n' "$out" | grep '^vf=0 ')")
vf1=$(nl_field pci "$(printf '%s\n' "$out" | grep '^vf=1 ')")
bed_check_eq "virtfn0 resolved" "$(basename "$(readlink "$sys/virtfn0")")" "$vf0"
bed_check_eq "virtfn1 resolved" "$(basename "$(readlink "$sys/virtfn1")")" "$vf1"
bed_check_eq "autoprobe off: VF 0 unbound" "driver=" "$($nl driver "$vf0" | head -1)"
out=$($nl numvfs "pci:$pf" 1 raw)
bed_check_eq "raw numvfs 2 -> 1 refused: EBUSY" -16 "$(nl_field err "$out")"

# Bind to pci-stub through driver_override: any PCI device binds to it and
# it touches no hardware (nvme itself would try to bring the VF up).
modprobe pci-stub 2>/dev/null
bed_check "driver_override pci-stub" "$nl" override "$vf0" pci-stub
bed_check_eq "sysfs driver_override" pci-stub "$(cat "/sys/bus/pci/devices/$vf0/driver_override")"
bed_check "bind VF 0 to pci-stub" "$nl" bind "$vf0" pci-stub
bed_check_eq "VF 0 driver" pci-stub \
    "$(basename "$(readlink "/sys/bus/pci/devices/$vf0/driver")")"
bed_check "bind again: already bound is success" "$nl" bind "$vf0" pci-stub
out=$($nl bind "$vf0" nvme)
bed_check_eq "bind to another driver while bound: EBUSY" -16 "$(nl_field err "$out")"
bed_check "unbind VF 0" "$nl" unbind "$vf0"
bed_check_eq "VF 0 unbound" no \
    "$([ -e "/sys/bus/pci/devices/$vf0/driver" ] && echo yes || echo no)"
bed_check "unbind an unbound VF is success" "$nl" unbind "$vf0"
bed_check "clear driver_override" "$nl" override "$vf0" -
bed_check_eq "override cleared" "override=" "$($nl driver "$vf0" | tail -1)"
out=$($nl bind "$vf1" no-such-driver)
bed_check_eq "bind to a driver that is not loaded: ENOENT" -2 "$(nl_field err "$out")"

bed_check "safe numvfs 2 -> 1 goes through 0" sh -c \
    "$nl numvfs pci:$pf 1 | grep -qx via_zero=1"
bed_check_eq "sysfs numvfs" 1 "$(cat "$sys/sriov_numvfs")"
bed_check "numvfs -> 0" "$nl" numvfs "pci:$pf" 0
bed_check_eq "virtfn links gone" no "$([ -e "$sys/virtfn0" ] && echo yes || echo no)"
bed_check "autoprobe on" "$nl" autoprobe "pci:$pf" on
bed_summary
