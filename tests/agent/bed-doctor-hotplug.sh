#!/bin/bash
# The issue's field case 1, reproduced in qemu (PCI bed, q35; the ports and
# devices come from OA_BED_QEMU_ARGS / OA_BED_HOTADD, set by CMake): two
# transitional virtio-net functions with page-per-vq (an 8 MiB BAR 4, where
# the modern virtio capabilities live) hot-added into two root ports, one
# whose firmware-reserved 64-bit window (2 MiB) is too small, one with room
# (32 MiB). The first loses BAR 4 and virtio_pci binds it legacy; agentctl
# doctor must say so with the BAR number and the fix, and say nothing about
# the second, which kept its BAR.
#
# usage: bed-doctor-hotplug.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
work=$(mktemp -d /tmp/bed-doctor-hp.XXXXXX)
small=0000:00:10.0 roomy=0000:00:11.0 # the ports' addresses (CMake)

# The function below root port $1, once it has a driver.
function_below() {
    local f
    for f in /sys/bus/pci/devices/$1/*; do
        [[ ${f##*/} =~ ^[0-9a-f]{4}:[0-9a-f]{2}:[0-9a-f]{2}\.[0-7]$ ]] &&
            [ -e "$f/driver" ] && basename "$f" && return 0
    done
    return 1
}

modprobe virtio_net # no udev in the bed: nothing would load it
bed_check "the hot-add was done by qemu" bed_hotadd
bed_wait_for 90 function_below "$small"
bed_wait_for 90 function_below "$roomy"
lost=$(function_below "$small") kept=$(function_below "$roomy")
bed_check "both functions enumerated and bound ($lost, $kept)" \
    test -n "$lost" -a -n "$kept"
bar4() { sed -n 5p "/sys/bus/pci/devices/$1/resource"; }
link() { # the PCIe link attributes pcie-link reads
    local p=/sys/bus/pci/devices/$1
    echo "$(cat "$p/current_link_speed") x$(cat "$p/current_link_width") of $(cat "$p/max_link_speed") x$(cat "$p/max_link_width")"
}
for f in "$lost" "$kept" "$small" "$roomy"; do echo "   $f link: $(link "$f")"; done
echo "   $lost BAR 4: $(bar4 "$lost"); $kept BAR 4: $(bar4 "$kept")"
start=$(bar4 "$kept" | cut -d' ' -f1)
bed_check "$kept kept its BAR 4 (an address: $start)" \
    test -n "$start" -a "$start" != 0x0000000000000000
bed_check "the kernel could not assign $lost's BAR 4" \
    grep -q "$lost: BAR 4 .*failed to assign" <(dmesg)
bed_check "virtio_pci bound $lost legacy (features bit 32 is 0)" \
    test "$(cut -c33 /sys/bus/pci/devices/"$lost"/virtio*/features)" = 0

rc=0
"$AGENTCTL" doctor --interval 0 --json >"$work/out.json" 2>&1 || rc=$?
bed_check_eq "doctor: exit 2" 2 "$rc"
bed_check_eq "exactly one finding, about $lost" "error pci-bar $lost" \
    "$(jq -r '.findings[] | "\(.severity) \(.check) \(.object)"' "$work/out.json")"
bed_check "it names BAR 4 and its size" \
    jq -e '.findings[0].what | test("legacy: BAR 4 \\(8 MiB")' "$work/out.json"
bed_check "it gives the fix" \
    jq -e '.findings[0].fix | test("pci=realloc")' "$work/out.json"
bed_check "its evidence has the kernel's message" \
    jq -e '.findings[0].evidence | any(test("BAR 4 .*failed to assign"))' \
    "$work/out.json"
[ "$bed_failures" = 0 ] || { cat "$work/out.json"; dmesg | grep -E "BAR|virtio" | tail -20; }
rm -rf "$work"
bed_summary
