#!/bin/bash
# Bed smoke test of netdevsim's mlx5 personality (runs inside the guest:
# tests/bed/run): for each knob of netdevsim-mlx5-personality.patch, first
# off (stock netdevsim behaviour), then on (the mlx5 behaviour): the
# refusal with its message, the hw_addr round trip, the VF creation delay
# measured, the reset at 0 VFs, the busy mode change with an offloaded
# flower rule, the steering param, both switchdev refusals, the PF netdev
# registered anew on mode changes and renamed by udev. Plain
# iproute2/devlink/tc/sysfs on purpose: it checks the bed, not the
# project's code. One boot. PASS/FAIL per check; exits 1 on any failure.

# Multi-step checks are `bed_check DESC eval '...'`: single quotes on purpose.
# shellcheck disable=SC2016
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/lib.sh}"

id=5
dl=$(bed_nsim_devlink "$id")
numvfs_file=$(bed_nsim_sysfs "$id")/sriov_numvfs
pf='' rep0='' t0=0 t1=0 t2=0

section() {
    printf '== %s\n' "$*"
}

# new_dev: netdevsim device $id from scratch (1 port, 8 VFs max), legacy,
# 0 VFs; sets pf.
new_dev() {
    [ ! -e "$(bed_nsim_sysfs "$id")" ] || bed_nsim_del "$id"
    bed_nsim_new "$id" 1 8 && pf=$(bed_pf_netdev "$dl")
}

# vf_port VF: the devlink port handle of VF number VF's representor.
vf_port() {
    devlink -j port show | jq -r --arg h "$dl/" --argjson n "$1" '
        .port | to_entries[]
        | select((.key | startswith($h)) and .value.flavour == "pcivf"
                 and .value.vfnum == $n) | .key'
}

port_hw_addr() {
    devlink -j port show "$1" | jq -r '.port[].function.hw_addr // "none"'
}

steering() {
    devlink -j dev param show "$dl" name flow_steering_mode |
        jq -r '.param[][0].values[0].value'
}

numvfs() {
    local n
    read -r n <"$numvfs_file"
    printf '%s\n' "$n"
}

bed_check "netdevsim loaded, every mlx5 knob off" bed_nsim_mlx5_off
dmesg -C

# ---------------------------------------------------------------------
section "mlx5_legacy_vf_ndos: legacy VF ndos in switchdev"
bed_check "device, switchdev, 2 VFs" \
    eval 'new_dev && bed_eswitch "$dl" switchdev && bed_nsim_numvfs "$id" 2'
bed_check "off: VF vlan 10 accepted in switchdev (stock)" ip link set "$pf" vf 0 vlan 10
bed_check "off: VF spoofchk accepted in switchdev" ip link set "$pf" vf 0 spoofchk on
bed_check "off: VF trust accepted in switchdev" ip link set "$pf" vf 0 trust on
bed_check "off: VF link-state accepted in switchdev" ip link set "$pf" vf 0 state disable
bed_check_refused "off: VF rate refused in switchdev (stock netdevsim: devlink rate only)" \
    'Operation not supported' ip link set "$pf" vf 0 max_tx_rate 100
bed_nsim_param mlx5_legacy_vf_ndos 1
bed_check_refused "on: VF vlan 20 refused" 'Operation not supported' \
    ip link set "$pf" vf 1 vlan 20
bed_check_refused "on: VF spoofchk refused" 'Operation not supported' \
    ip link set "$pf" vf 1 spoofchk on
bed_check_refused "on: VF trust refused" 'Operation not supported' \
    ip link set "$pf" vf 1 trust on
bed_check_refused "on: VF link-state refused" 'Operation not supported' \
    ip link set "$pf" vf 1 state enable
why=$(dmesg | grep -c 'VF 1: .* is not supported in switchdev mode')
bed_check_eq "on: the kernel log says why, once per refusal" 4 "$why"
dmesg | grep -m1 'VF 1: vlan is not supported' | sed 's/^/    /'
bed_check "on: VF vlan 0 accepted (mlx5: compatibility with libvirt)" \
    ip link set "$pf" vf 1 vlan 0
bed_check "on: VF MAC accepted" ip link set "$pf" vf 1 mac 02:11:00:00:00:01
bed_check "on: VF rate accepted (mlx5 serves it in switchdev)" \
    ip link set "$pf" vf 1 max_tx_rate 100
bed_check_eq "on: VF 1 as ip link shows it (mac, vlan, spoofchk, trust, state, max_tx)" \
    "02:11:00:00:00:01 null false false auto 100" \
    "$(bed_vf_info "$pf" 1 '"\(.address) \(.vlan_list[0].vlan) \(.spoofchk) \(.trust) \(.link_state) \(.rate.max_tx)"')"
bed_check "on: back to legacy" bed_eswitch "$dl" legacy
bed_check "on, legacy: VF vlan, spoofchk, trust, link-state accepted" \
    ip link set "$pf" vf 1 vlan 20 spoofchk on trust on state enable
bed_nsim_param mlx5_legacy_vf_ndos 0

# ---------------------------------------------------------------------
section "mlx5_port_fn_hw_addr: devlink port function hw_addr"
bed_check "device, switchdev, 2 VFs" \
    eval 'new_dev && bed_eswitch "$dl" switchdev && bed_nsim_numvfs "$id" 2'
port0=$(vf_port 0)
bed_check "VF 0's devlink port found ($port0)" test -n "$port0"
bed_check_refused "off: hw_addr set refused (stock)" \
    "Port doesn't support function attributes" \
    devlink port function set "$port0" hw_addr 02:22:00:00:00:01
bed_check_eq "off: no function hw_addr in devlink port show" none "$(port_hw_addr "$port0")"
bed_nsim_param mlx5_port_fn_hw_addr 1
bed_check_eq "on: hw_addr shown before any set (the VF's MAC)" 00:00:00:00:00:00 \
    "$(port_hw_addr "$port0")"
bed_check "on: devlink port function set $port0 hw_addr 02:22:00:00:00:01" \
    devlink port function set "$port0" hw_addr 02:22:00:00:00:01
bed_check_eq "on: devlink port show has it" 02:22:00:00:00:01 "$(port_hw_addr "$port0")"
bed_check_eq "on: ip link show $pf has it as VF 0's MAC" 02:22:00:00:00:01 \
    "$(bed_vf_info "$pf" 0 .address)"
bed_check "on: ip link set $pf vf 0 mac 02:22:00:00:00:02" \
    ip link set "$pf" vf 0 mac 02:22:00:00:00:02
bed_check_eq "on: devlink port show follows ip link" 02:22:00:00:00:02 "$(port_hw_addr "$port0")"
bed_check_refused "on: hw_addr refused on the uplink port" "Port doesn't support set hw_addr" \
    devlink port function set "$dl/0" hw_addr 02:22:00:00:00:03
bed_check_refused "on: multicast hw_addr refused (devlink core)" "Non-unicast" \
    devlink port function set "$port0" hw_addr 03:22:00:00:00:03
bed_nsim_param mlx5_port_fn_hw_addr 0

# ---------------------------------------------------------------------
section "mlx5_vf_delay_ms: VFs appear after the sriov_numvfs write"
bed_check "device, switchdev" eval 'new_dev && bed_eswitch "$dl" switchdev'
bed_now_ms t0
bed_nsim_numvfs "$id" 2
bed_now_ms t1
reps_now=$(bed_nsim_vf_ports "$id")
echo "   off: sriov_numvfs write took $((t1 - t0)) ms"
bed_check_eq "off: representors there when the write returns (stock)" 2 "$reps_now"
bed_check_eq "off: ip link lists 2 VFs" 2 "$(bed_vf_count "$pf")"
bed_check "off: 0 VFs (netdevsim drops to legacy), switchdev again" \
    eval 'bed_nsim_numvfs "$id" 0 && bed_eswitch "$dl" switchdev'
delay=1000
bed_nsim_param mlx5_vf_delay_ms "$delay"
bed_now_ms t0
bed_nsim_numvfs "$id" 2
bed_now_ms t1
numvfs_now=$(numvfs) reps_now=$(bed_nsim_vf_ports "$id")
bed_poll_ms 10000 bed_nsim_vf_ports "$id" 2
bed_now_ms t2
echo "   on ($delay ms): write returned after $((t1 - t0)) ms, representors after $((t2 - t0)) ms"
bed_check "on: the write returns before the delay" test $((t1 - t0)) -lt "$delay"
bed_check_eq "on: sriov_numvfs reads the new count during the delay" 2 "$numvfs_now"
bed_check_eq "on: no representors right after the write" 0 "$reps_now"
bed_check "on: representors after the delay, within 5 s ($((t2 - t0)) ms)" \
    test $((t2 - t0)) -ge "$delay" -a $((t2 - t0)) -lt $((delay + 5000))
bed_check_eq "on: ip link lists 2 VFs" 2 "$(bed_vf_count "$pf")"
bed_check "on: 0 VFs, switchdev again" \
    eval 'bed_nsim_numvfs "$id" 0 && bed_eswitch "$dl" switchdev'
bed_nsim_numvfs "$id" 2
bed_check "on: during the delay, the same count again is a no-op" bed_nsim_numvfs "$id" 2
bed_check_refused "on: during the delay, another count is busy" 'busy' bed_nsim_numvfs "$id" 3
bed_check_eq "on: ip link lists no VF yet" 0 "$(bed_vf_count "$pf")"
bed_check "on: during the delay, 0 cancels" bed_nsim_numvfs "$id" 0
bed_poll_ms $((delay + 500)) false
bed_check_eq "on: cancelled: sriov_numvfs, representors, VFs after the delay" "0 0 0" \
    "$(numvfs) $(bed_nsim_vf_ports "$id") $(bed_vf_count "$pf")"
bed_check "on, legacy: 0 -> 2 VFs" eval 'bed_eswitch "$dl" legacy && bed_nsim_numvfs "$id" 2'
bed_check_eq "on, legacy: ip link lists no VF right after the write" 0 "$(bed_vf_count "$pf")"
bed_poll_ms $((delay + 500)) false
bed_check_eq "on, legacy: 2 VFs after the delay" 2 "$(bed_vf_count "$pf")"
bed_check "on: device removed with VFs pending" \
    eval 'bed_nsim_numvfs "$id" 0 && bed_nsim_numvfs "$id" 2 && bed_nsim_del "$id"'
bed_nsim_param mlx5_vf_delay_ms 0

# ---------------------------------------------------------------------
section "mlx5_vf_reset: VF configuration cleared at 0 VFs"
vf0_cfg() {
    bed_vf_info "$pf" 0 '"\(.address) \(.vlan_list[0].vlan) \(.spoofchk) \(.trust) \(.link_state)"'
}
set_vf0() {
    ip link set "$pf" vf 0 mac 02:33:00:00:00:01 vlan 10 spoofchk on trust on state disable
}
bed_check "device (legacy), 2 VFs, VF 0 configured" \
    eval 'new_dev && bed_nsim_numvfs "$id" 2 && set_vf0'
bed_check "off: 2 -> 0 -> 2 VFs" eval 'bed_nsim_numvfs "$id" 0 && bed_nsim_numvfs "$id" 2'
bed_check_eq "off: VF 0 keeps its configuration (stock)" \
    "02:33:00:00:00:01 10 true true disable" "$(vf0_cfg)"
bed_nsim_param mlx5_vf_reset 1
bed_check "on: 2 -> 0 -> 2 VFs" eval 'bed_nsim_numvfs "$id" 0 && bed_nsim_numvfs "$id" 2'
bed_check_eq "on: VF 0's configuration cleared" "00:00:00:00:00:00 null false false auto" \
    "$(vf0_cfg)"
bed_nsim_param mlx5_vf_reset 0

# ---------------------------------------------------------------------
section "mlx5_esw_busy: eswitch mode change with offloaded flower rules"
# add_rule: a skip_sw flower rule on VF 0's representor; sets rep0.
add_rule() {
    rep0=$(bed_rep_netdev "$dl" 0) &&
        bed_hw_tc_offload "$rep0" on &&
        tc qdisc add dev "$rep0" ingress &&
        tc filter add dev "$rep0" ingress protocol ip flower skip_sw \
            dst_ip 10.0.0.1 action drop
}
bed_check "device, switchdev, 2 VFs, a skip_sw flower rule on VF 0's representor" \
    eval 'new_dev && bed_eswitch "$dl" switchdev && bed_nsim_numvfs "$id" 2 && add_rule'
bed_check_eq "the rule is in_hw" 1 "$(bed_tc_count "$rep0" in_hw)"
bed_check_eq "the device counts 1 offloaded flower rule" 1 "$(bed_nsim_flower_rules "$id")"
bed_check "off: eswitch set switchdev (the current mode) accepted (stock)" bed_eswitch "$dl" switchdev
bed_check "off: eswitch set legacy accepted (stock)" bed_eswitch "$dl" legacy
bed_check_eq "off: the representors' rules went with them" 0 "$(bed_nsim_flower_rules "$id")"
bed_check "switchdev again, the rule again" eval 'bed_eswitch "$dl" switchdev && add_rule'
bed_nsim_param mlx5_esw_busy 1
bed_check_refused "on: eswitch set legacy refused" 'E-Switch is busy' \
    bed_eswitch "$dl" legacy
bed_check_refused "on: eswitch set switchdev (the current mode) refused too, as mlx5" \
    'E-Switch is busy' bed_eswitch "$dl" switchdev
bed_check_eq "on: still switchdev, the rule still in_hw" "switchdev 1" \
    "$(bed_eswitch "$dl") $(bed_tc_count "$rep0" in_hw)"
bed_check "on: rule deleted" tc filter del dev "$rep0" ingress
bed_check_eq "on: the device counts 0 offloaded flower rules" 0 "$(bed_nsim_flower_rules "$id")"
bed_check "on: eswitch set legacy accepted once no rule is offloaded" bed_eswitch "$dl" legacy
bed_nsim_param mlx5_esw_busy 0

# ---------------------------------------------------------------------
section "mlx5_steering_param: devlink param flow_steering_mode"
bed_check "device" new_dev
bed_check_refused "off: no flow_steering_mode param (stock)" '.' \
    devlink dev param show "$dl" name flow_steering_mode
bed_nsim_param mlx5_steering_param 1
bed_check "on: device created anew (the param is registered at creation)" new_dev
bed_check_eq "on: flow_steering_mode defaults to dmfs" dmfs "$(steering)"
bed_check "on, legacy: set smfs" \
    devlink dev param set "$dl" name flow_steering_mode value smfs cmode runtime
bed_check_eq "on, legacy: reads smfs" smfs "$(steering)"
bed_check "on, legacy: set dmfs" \
    devlink dev param set "$dl" name flow_steering_mode value dmfs cmode runtime
bed_check "on: switchdev" bed_eswitch "$dl" switchdev
bed_check_refused "on, switchdev: set smfs refused" \
    'Software managed steering is not supported when eswitch offloads enabled' \
    devlink dev param set "$dl" name flow_steering_mode value smfs cmode runtime
bed_check_eq "on, switchdev: still dmfs" dmfs "$(steering)"
bed_check "on, switchdev: set dmfs accepted (as mlx5's validation)" \
    devlink dev param set "$dl" name flow_steering_mode value dmfs cmode runtime
bed_check_refused "on: another value refused" 'supported values are \["dmfs", "smfs"\]' \
    devlink dev param set "$dl" name flow_steering_mode value hmfs cmode runtime
bed_nsim_param mlx5_steering_param 0

# ---------------------------------------------------------------------
section "mlx5_no_switchdev_with_vfs / mlx5_no_switchdev_without_vfs"
bed_check "device" new_dev
bed_check "off: switchdev with 0 VFs accepted, then 2 VFs (stock)" \
    eval 'bed_eswitch "$dl" switchdev && bed_nsim_numvfs "$id" 2 && bed_nsim_vf_ports "$id" 2'
bed_check "off: 0 VFs (legacy), 2 VFs, then switchdev accepted (stock)" \
    eval 'bed_nsim_numvfs "$id" 0 && bed_nsim_numvfs "$id" 2 && bed_eswitch "$dl" switchdev && bed_nsim_vf_ports "$id" 2'
bed_check "off: back to 0 VFs and legacy" \
    eval 'bed_nsim_numvfs "$id" 0 && test "$(bed_eswitch "$dl")" = legacy'
bed_nsim_param mlx5_no_switchdev_with_vfs 1
bed_check "with_vfs on: 2 VFs" bed_nsim_numvfs "$id" 2
bed_check_refused "with_vfs on: switchdev refused while VFs exist" \
    'while VFs exist' bed_eswitch "$dl" switchdev
bed_check "with_vfs on: the other order works: 0 VFs, switchdev, 2 VFs" \
    eval 'bed_nsim_numvfs "$id" 0 && bed_eswitch "$dl" switchdev && bed_nsim_numvfs "$id" 2 && bed_nsim_vf_ports "$id" 2'
bed_check "with_vfs on: back to 0 VFs and legacy" bed_nsim_numvfs "$id" 0
bed_nsim_param mlx5_no_switchdev_with_vfs 0
bed_nsim_param mlx5_no_switchdev_without_vfs 1
bed_check_refused "without_vfs on: switchdev refused with 0 VFs" \
    'SRIOV legacy not enabled' bed_eswitch "$dl" switchdev
bed_check "without_vfs on: the other order works: 2 VFs, switchdev" \
    eval 'bed_nsim_numvfs "$id" 2 && bed_eswitch "$dl" switchdev && bed_nsim_vf_ports "$id" 2'
bed_nsim_param mlx5_no_switchdev_without_vfs 0

# ---------------------------------------------------------------------
section "mlx5_uplink_reregister: a new PF netdev on each eswitch mode change"
# The PF's name and ifindex, from its devlink physical port.
pf_is() { # NAME_REGEX
    pf=$(bed_pf_netdev "$dl") && [[ $pf =~ $1 ]] && bed_udev_initialised "$pf"
}
ifindex() { cat "/sys/class/net/$pf/ifindex"; }
bed_check "systemd-udevd runs (systemd's naming)" bed_udev_start
bed_check "off: device; udev names the PF by its phys_port_name, eni${id}np1" \
    eval 'new_dev && bed_wait_for 10 pf_is "^eni${id}np1$"'
ifi_off=$(ifindex)
bed_check "off: phys_port_name p1 in legacy" \
    eval 'test "$(cat /sys/class/net/$pf/phys_port_name)" = p1'
bed_check "off: switchdev keeps the netdev (name, ifindex)" \
    eval 'bed_eswitch "$dl" switchdev && sleep 0.5 && pf_is "^eni${id}np1$" && test "$(ifindex)" = "$ifi_off"'
bed_check "off: device removed" bed_nsim_del "$id"
bed_nsim_param mlx5_uplink_reregister 1
bed_check "on: device; the legacy PF keeps its kernel name ethN (udev done)" \
    eval 'new_dev && bed_wait_for 10 pf_is "^eth[0-9]+$"'
bed_check_refused "on: no phys_port_name in legacy" 'Operation not supported' \
    cat "/sys/class/net/$pf/phys_port_name"
ifi_a=$(ifindex) name_a=$pf
bed_check "on: switchdev: a new netdev that udev names eni${id}np1" \
    eval 'bed_eswitch "$dl" switchdev && bed_wait_for 10 pf_is "^eni${id}np1$" && test "$(ifindex)" != "$ifi_a"'
bed_check "on: phys_port_name p1 in switchdev" \
    eval 'test "$(cat /sys/class/net/$pf/phys_port_name)" = p1'
bed_check "on: the legacy netdev is gone" eval '! test -e "/sys/class/net/$name_a"'
ifi_b=$(ifindex)
bed_check "on: legacy: a new netdev with a kernel name again" \
    eval 'bed_eswitch "$dl" legacy && bed_wait_for 10 pf_is "^eth[0-9]+$" && test "$(ifindex)" != "$ifi_b"'
ifi_c=$(ifindex)
bed_check "on: switchdev, 2 VFs; 0 VFs drops it to legacy: a new netdev, ethN" \
    eval 'bed_eswitch "$dl" switchdev && bed_nsim_numvfs "$id" 2 && bed_nsim_vf_ports "$id" 2 &&
          bed_nsim_numvfs "$id" 0 && test "$(bed_eswitch "$dl")" = legacy &&
          bed_wait_for 10 pf_is "^eth[0-9]+$" && test "$(ifindex)" != "$ifi_c"'
printf '    ifindex %s (%s) -> %s (switchdev) -> %s -> %s (legacy)\n' \
    "$ifi_a" "$name_a" "$ifi_b" "$ifi_c" "$(ifindex)"
bed_nsim_param mlx5_uplink_reregister 0
bed_udev_stop

bed_check "device removed" bed_nsim_del "$id"
bed_check "every mlx5 knob back to off" bed_nsim_mlx5_off
bed_summary
