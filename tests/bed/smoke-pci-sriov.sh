#!/bin/bash
# Bed smoke test for the PCI variant (OA_BED_PCI=1; runs inside the guest):
# qemu's emulated NVMe controller with SR-IOV gives the generic PCI VF path
# of a real host: sriov_totalvfs/numvfs, virtfn links to PCI addresses,
# N -> M refused, VF unbind/bind through sysfs with driver_override, back
# to 0 VFs. Plain sysfs on purpose. PASS/FAIL per check; exit 1 on failure.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/lib.sh}"

nvme_ctrl_live() {
    local state
    for state in "/sys/bus/pci/devices/$1"/nvme/nvme*/state; do
        [ "$(cat "$state" 2>/dev/null)" = live ] && return 0
    done
    return 1
}

pci_addr_re='^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$'

bed_check "modprobe nvme" modprobe nvme
pf=$(bed_pci_sriov_pfs | head -1)
if [ -z "$pf" ]; then
    bed_fail "an SR-IOV capable PCI function exists (is OA_BED_PCI=1 set?)"
    bed_summary
    exit
fi
sys=/sys/bus/pci/devices/$pf
bed_pass "SR-IOV PF $pf found"
bed_check "PF bound to nvme with a controller" \
    bed_wait_for 20 test -d "$sys/nvme"
bed_check_eq "sriov_totalvfs" 2 "$(cat "$sys/sriov_totalvfs")"
bed_check_eq "sriov_numvfs at boot" 0 "$(cat "$sys/sriov_numvfs")"

# Autoprobe off, as the agent does: VFs come up unbound, bound later.
bed_check "sriov_drivers_autoprobe set to 0" \
    sh -c "echo 0 >$sys/sriov_drivers_autoprobe"
bed_check "sriov_numvfs 0 -> 2" sh -c "echo 2 >$sys/sriov_numvfs"
bed_check_eq "sriov_numvfs" 2 "$(cat "$sys/sriov_numvfs")"
if sh -c "echo 1 >$sys/sriov_numvfs" 2>/dev/null; then
    bed_fail "sriov_numvfs 2 -> 1 refused (must go through 0)"
else
    bed_pass "sriov_numvfs 2 -> 1 refused (must go through 0)"
fi

vfs=()
for i in 0 1; do
    link=$(readlink "$sys/virtfn$i") || { bed_fail "virtfn$i link present"; continue; }
    vf=${link##*/}
    vfs+=("$vf")
    if [[ $vf =~ $pci_addr_re ]] && [ -d "/sys/bus/pci/devices/$vf" ]; then
        bed_pass "virtfn$i -> PCI function $vf"
    else
        bed_fail "virtfn$i -> a PCI function (got '$link')"
    fi
    bed_check_eq "$vf physfn is the PF" "$pf" \
        "$(basename "$(readlink "/sys/bus/pci/devices/$vf/physfn")")"
    if drv=$(bed_pci_driver "$vf"); then
        bed_fail "$vf unbound with autoprobe off (bound to $drv)"
    else
        bed_pass "$vf unbound with autoprobe off"
    fi
done

if [ ${#vfs[@]} = 2 ]; then
    vf=${vfs[0]}
    bed_check "NVMe secondary controllers set online (nvme virt-mgmt)" \
        bed_nvme_vfs_online "$pf"
    bed_check "bind $vf to nvme (driver_override + bind)" bed_pci_bind "$vf" nvme
    bed_check_eq "$vf driver after bind" nvme "$(bed_pci_driver "$vf")"
    # The nvme driver finishes probing asynchronously and unbinds itself if
    # the controller does not come up: wait for "live", then look again.
    bed_check "$vf probed: its nvme controller is live" \
        bed_wait_for 30 nvme_ctrl_live "$vf"
    bed_check_eq "$vf still bound once live" nvme "$(bed_pci_driver "$vf")"
    bed_check "unbind $vf" sh -c "echo $vf >/sys/bus/pci/drivers/nvme/unbind"
    if drv=$(bed_pci_driver "$vf"); then
        bed_fail "$vf has no driver after unbind (still $drv)"
    else
        bed_pass "$vf has no driver after unbind"
    fi
    bed_check "rebind $vf" sh -c "echo $vf >/sys/bus/pci/drivers/nvme/bind"
    bed_check_eq "$vf driver after rebind" nvme "$(bed_pci_driver "$vf")"
    bed_check "$vf controller live again after rebind" \
        bed_wait_for 30 nvme_ctrl_live "$vf"
    bed_check "driver_override cleared" \
        sh -c "echo >/sys/bus/pci/devices/$vf/driver_override"
fi

bed_check "sriov_numvfs 2 -> 0" sh -c "echo 0 >$sys/sriov_numvfs"
bed_check_eq "virtfn links after 0 VFs" 0 "$(find "$sys" -maxdepth 1 -name 'virtfn*' | wc -l)"
bed_check "VF functions gone" test ! -e "/sys/bus/pci/devices/${vfs[0]:-none}"
bed_summary
