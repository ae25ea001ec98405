#!/bin/bash
# Bed smoke test for the 6.12 variant (OA_BED_KERNEL=6.12; runs inside the
# guest): what the agent's vDPA code relies on, checked with the standard
# tools (vdpa, ip, sysfs), not the project's code. vdpa_sim_net's
# management device, max_vqp 1 accepted and 2 refused (our simulator
# patch), vhost_vdpa's char device, a switch to virtio_vdpa through
# driver_override, its netdev passing frames through the simulator's
# loopback, and netdevsim (tc offload patch) loaded next to it.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/lib.sh}"

bus=/sys/bus/vdpa
mac=02:00:00:00:00:10

bed_check_eq "kernel series" 6.12 "$(uname -r | cut -d. -f1,2)"
bed_check "modprobe vdpa_sim_net vhost_vdpa virtio_vdpa virtio_net netdevsim" \
    modprobe -a vdpa_sim_net vhost_vdpa virtio_vdpa virtio_net netdevsim
bed_check "management device vdpasim_net listed" \
    sh -c 'vdpa -j mgmtdev show | jq -e ".mgmtdev.vdpasim_net"'
bed_check "max_vqp 2 refused" \
    sh -c '! vdpa dev add name vdpa9 mgmtdev vdpasim_net max_vqp 2'
# The first registered driver would win a new device: choose it ourselves.
echo 0 >$bus/drivers_autoprobe
bed_check "dev add with mac, mtu, max_vqp 1" \
    vdpa dev add name vdpa0 mgmtdev vdpasim_net mac "$mac" mtu 1500 max_vqp 1
bed_check "no driver while autoprobe is off" test ! -e $bus/devices/vdpa0/driver
echo vhost_vdpa >$bus/devices/vdpa0/driver_override
echo vdpa0 >$bus/drivers_probe
bed_check_eq "bound to" vhost_vdpa \
    "$(basename "$(readlink $bus/devices/vdpa0/driver)")"
bed_check "char device /dev/vhost-vdpa-0" bed_wait_for 5 test -c /dev/vhost-vdpa-0

echo vdpa0 >$bus/drivers/vhost_vdpa/unbind
echo virtio_vdpa >$bus/devices/vdpa0/driver_override
echo vdpa0 >$bus/drivers_probe
bed_check_eq "re-bound to" virtio_vdpa \
    "$(basename "$(readlink $bus/devices/vdpa0/driver)")"
bed_check "char device gone" test ! -e /dev/vhost-vdpa-0
netdev=
bed_check "virtio_net netdev under the device" \
    bed_wait_for 5 sh -c "ls $bus/devices/vdpa0/virtio*/net/* >/dev/null"
for n in "$bus"/devices/vdpa0/virtio*/net/*; do
    [ -e "$n" ] && netdev=${n##*/}
done
bed_check_eq "its MAC" "$mac" "$(cat "/sys/class/net/$netdev/address" 2>/dev/null)"
bed_check "negotiated VERSION_1 (modern)" \
    sh -c 'vdpa -j dev config show vdpa0 | jq -e ".config.vdpa0.negotiated_features | index(\"VERSION_1\")"'
# Frames to the device's own MAC come back: ping a neighbour that has it.
ip link set "$netdev" up
ip addr add 10.99.0.1/24 dev "$netdev"
ip neigh replace 10.99.0.2 lladdr "$mac" dev "$netdev" nud permanent
rx0=$(cat "/sys/class/net/$netdev/statistics/rx_packets")
ping -c 3 -i 0.2 -W 1 10.99.0.2 >/dev/null 2>&1
rx1=$(cat "/sys/class/net/$netdev/statistics/rx_packets")
bed_check "frames looped back (rx $rx0 -> $rx1)" test "$((rx1 - rx0))" -ge 3
bed_check "dev del while bound" vdpa dev del vdpa0
bed_check "device gone" test ! -e $bus/devices/vdpa0
bed_summary
