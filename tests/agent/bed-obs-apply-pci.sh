#!/bin/bash
# Bed test of agent/obs.c and agent/apply.c on a real PCI SR-IOV device
# (qemu's NVMe controller: tests/bed/run with OA_BED_PCI=1): a PF found
# by PCI address but without a netdev is reported not found, with why;
# bind-vf / unbind-vf steps on real PCI VFs, read before write. No OVS
# runs: obs reports it not connected.
#   tests/agent/bed-obs-apply-pci.sh PATH/TO/bed-obs-apply
set -u
prog=$1
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/../bed/lib.sh}"
work=${TMPDIR:-/tmp}/bed-obs-apply-pci
mkdir -p "$work"

field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}
rest() {
    printf '%s\n' "$2" | sed -n "s/.* $1=//p" | head -1
}
line() {
    printf '%s\n' "$2" | grep -m1 "^$1"
}
drv() {
    local l
    l=$(readlink "/sys/bus/pci/devices/$1/driver") || {
        echo -
        return
    }
    echo "${l##*/}"
}

modprobe nvme || exit 1
modprobe pci-stub 2>/dev/null
pf=$(bed_pci_sriov_pfs | head -1)
[ -n "$pf" ] || { echo "no SR-IOV PCI device in the guest"; exit 1; }
sys=/sys/bus/pci/devices/$pf
cat >"$work/pci.json" <<EOF
{"version": 1, "ovs": {"db": "unix:$work/no-db.sock"},
 "pfs": [{"pci": "$pf", "num_vfs": 2, "vf_driver": "pci-stub"}]}
EOF

out=$("$prog" --ovs-timeout 0 obs "$work/pci.json")
bed_check_eq "obs_collect succeeds" 0 "$?"
printf '%s\n' "$out"
p=$(line "pf=0 " "$out")
bed_check_eq "NVMe PF without a netdev: not found, and why" \
    "0 no netdev on device $pf" "$(field found "$p") $(rest error "$p")"
bed_check_eq "no ovsdb-server: not connected" 1 \
    "$(line "ovs " "$out" | grep -c 'connected=0')"

echo 0 >"$sys/sriov_drivers_autoprobe"
echo 2 >"$sys/sriov_numvfs"
vf0=$(basename "$(readlink "$sys/virtfn0")")
vf1=$(basename "$(readlink "$sys/virtfn1")")
echo "VFs $vf0 $vf1, drivers $(drv "$vf0") $(drv "$vf1")"

a() { "$prog" --ovs-timeout 0 apply "$work/pci.json" "$@"; }
out=$(a "bind=pci:$vf0,pci-stub" "bind=pci:$vf1,pci-stub")
rc=$?
printf '%s\n' "$out"
bed_check_eq "bind-vf both VFs" 0 "$rc"
bed_check_eq "sysfs: both bound to pci-stub" "pci-stub pci-stub" \
    "$(drv "$vf0") $(drv "$vf1")"
bed_check_eq "driver_override set" pci-stub \
    "$(cat "/sys/bus/pci/devices/$vf0/driver_override")"
out=$(a "bind=pci:$vf0,pci-stub")
printf '%s\n' "$out"
bed_check_eq "bind again: unchanged" "unchanged: $vf0 bound to pci-stub" \
    "$(rest msg "$(line step=0 "$out")")"
out=$(a "unbind=pci:$vf0" "unbind=pci:$vf0")
printf '%s\n' "$out"
bed_check_eq "unbind-vf, then again: unchanged" \
    "0 $vf0 unbound from pci-stub|unchanged: $vf0 not bound" \
    "$?$(printf ' %s|%s' "$(rest msg "$(line step=0 "$out")")" \
        "$(rest msg "$(line step=1 "$out")")")"
bed_check_eq "sysfs: VF 0 unbound" - "$(drv "$vf0")"
out=$(a "bind=pci:$vf0,no-such-driver")
res=$(line result "$out")
printf '%s\n' "$out"
bed_check_eq "bind to a driver not loaded: refused with the step named" \
    "0 -2 bind-vf $vf0: No such file or directory" \
    "$(printf '%s %s %s' "$(field failed_step "$res")" \
        "$(field error "$res")" "$(rest message "$res")")"

echo 0 >"$sys/sriov_numvfs"
echo 1 >"$sys/sriov_drivers_autoprobe"
bed_summary
