#!/bin/bash
# netlink/vdpa.c and vdpa-bus.c against the 6.12 bed's real kernel
# (OA_BED_KERNEL=6.12): management devices, create with each attribute,
# get, config, the simulator's refusal with its extack text, bind and
# re-bind, delete; compared with iproute2's vdpa and sysfs.
#   bed-vdpa.sh PATH/TO/vdpa-bed
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/../bed/lib.sh}"
vb=$1
mac=02:00:00:00:00:21

bed_check "no vdpa family before the module: ENOENT" \
    sh -c "$vb mgmt | grep -q 'err=-2 '"
modprobe -a vdpa_sim_net vhost_vdpa virtio_vdpa virtio_net
out=$($vb mgmt)
bed_check "mgmtdev vdpasim_net, class net, 3 vqs" \
    grep -q '^mgmtdev=vdpasim_net classes=0x2 max_vqs=3 ' <<<"$out"
# As many feature bits as the vdpa tool names.
bits() {
    local f=$(($1)) n=0
    while [ "$f" != 0 ]; do n=$((n + (f & 1))); f=$((f >> 1)); done
    echo "$n"
}
feat=$(vdpa -j mgmtdev show | jq -r '.mgmtdev.vdpasim_net.dev_features | length')
bed_check_eq "supported features: bits set" "$feat" \
    "$(bits "$(sed -n 's/.*features=\(0x[0-9a-f]*\).*/\1/p' <<<"$out")")"
out=$($vb new sim9 vdpasim_net - 2 0)
bed_check "max_vqp 2 refused: EOPNOTSUPP" grep -q '^err=-95 ' <<<"$out"
$vb autoprobe 0
bed_check "new sim0 with mac, max_vqp 1, mtu 1400" \
    "$vb" new sim0 vdpasim_net "$mac" 1 1400
bed_check "vdpa tool sees it on vdpasim_net" \
    sh -c 'vdpa -j dev show sim0 | jq -e ".dev.sim0.mgmtdev == \"vdpasim_net\""'
bed_check "new again: EEXIST" sh -c "$vb new sim0 vdpasim_net - 0 0 | grep -q 'err=-17 '"
out=$($vb get sim0)
bed_check_eq "get" "name=sim0 mgmtdev=vdpasim_net device_id=1 max_vqs=3 max_vq_size=256" "$out"
bed_check "get of an unknown name: ENODEV" sh -c "$vb get nope | grep -q 'err=-19 '"
out=$($vb config sim0)
bed_check "config: mac, mtu, no negotiation while unbound" \
    grep -q "^name=sim0 mac=$mac mtu=1400 .*dev_features=0x[0-9a-f]*$" <<<"$out"
out=$($vb bind sim0 vhost_vdpa)
bed_check "bound to vhost_vdpa with its char device" \
    grep -q '^driver=vhost_vdpa chardev=vhost-vdpa-[0-9]* netdev=$' <<<"$out"
cdev=$(sed -n 's/.*chardev=\([^ ]*\).*/\1/p' <<<"$out")
bed_check "/dev/$cdev is a char device" test -c "/dev/$cdev"
out=$($vb bind sim0 virtio_vdpa)
bed_check "re-bound to virtio_vdpa with a netdev" \
    grep -q '^driver=virtio_vdpa chardev= netdev=eth[0-9]*$' <<<"$out"
bed_check_eq "sysfs driver" virtio_vdpa \
    "$(basename "$(readlink /sys/bus/vdpa/devices/sim0/driver)")"
out=$($vb config sim0)
neg=$(sed -n 's/.*negotiated=\(0x[0-9a-f]*\).*/\1/p' <<<"$out")
bed_check_eq "config: negotiated features as many as the vdpa tool's" \
    "$(vdpa -j dev config show sim0 | jq '.config.sim0.negotiated_features | length')" \
    "$(bits "$neg")"
bed_check "the vdpa tool has VERSION_1 among them" \
    sh -c "vdpa -j dev config show sim0 | jq -e '.config.sim0.negotiated_features | index(\"VERSION_1\")'"
bed_check "spelled modern" grep -q 'mode=modern$' <<<"$out"
bed_check "list has sim0" sh -c "$vb list | grep -q '^name=sim0 '"
bed_check "del while bound" "$vb" del sim0
bed_check "gone from the vdpa tool" sh -c '! vdpa dev show sim0 2>/dev/null'
bed_check "del again: ENODEV" sh -c "$vb del sim0 | grep -q 'err=-19 '"
bed_summary
