#!/bin/bash
# Bed test of oa_netlink against netdevsim (run inside the guest by
# tests/bed/run).  Every operation goes through nl-bed (the library); the
# results are compared with what iproute2, ethtool and sysfs report.
# usage: bed-netdevsim.sh PATH/TO/nl-bed
set -u
nl=$1
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source=tests/netlink/bed-lib.sh
. "$here/bed-lib.sh"

id=7
h=netdevsim/netdevsim$id
sys=/sys/bus/netdevsim/devices/netdevsim$id
bed_nsim_new "$id" 1 || exit 1
pf=$(find "$sys/net" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
echo "PF netdev: $pf"

# ------------------------------------------------------------- devlink --
bed_check "devlink device list has $h" sh -c "$nl devlink-devs | grep -qx $h"
bed_check_eq "devlink instance of $pf (by its port)" "$h" "$($nl devlink-of "$pf")"
bed_check_eq "netdev without a devlink port: ENODEV" -19 \
    "$(nl_field err "$($nl devlink-of lo)")"
bed_check_eq "eswitch starts legacy" legacy \
    "$(nl_field mode "$($nl eswitch-get $h)")"
bed_check "eswitch -> switchdev with 0 VFs" "$nl" eswitch-set $h switchdev
bed_check_eq "devlink tool sees switchdev" switchdev \
    "$(devlink -j dev eswitch show $h | jq -r '.dev[].mode')"
out=$($nl eswitch-set $h - inline link)
bed_check_eq "inline-mode unsupported: EOPNOTSUPP" -95 "$(nl_field err "$out")"
out=$($nl eswitch-set $h raw:7)
bed_check_eq "eswitch mode out of range refused: ERANGE" -34 "$(nl_field err "$out")"
msg=${out#*msg=}
if [ -n "$msg" ]; then
    bed_pass "devlink: kernel extack text returned: '$msg'"
else
    bed_fail "devlink: no extack text with the refusal ($out)"
fi
out=$($nl eswitch-set $h - encap basic)
bed_check_eq "encap-mode unsupported: EOPNOTSUPP" -95 "$(nl_field err "$out")"
bed_check "eswitch -> legacy" "$nl" eswitch-set $h legacy
bed_check_eq "eswitch legacy again" legacy "$(nl_field mode "$($nl eswitch-get $h)")"
out=$($nl eswitch-get netdevsim/netdevsim99)
bed_check_eq "eswitch of a missing device: ENODEV" -19 "$(nl_field err "$out")"

# ------------------------------------------------- devlink driver param --
# mlx5's flow_steering_mode (netdevsim's mlx5 personality, read when a
# device is created): a runtime string param, "smfs" refused in switchdev.
out=$($nl param-get $h flow_steering_mode)
bed_check_eq "stock device: no flow_steering_mode param: EINVAL" -22 \
    "$(nl_field err "$out")"
sid=8
sh_=netdevsim/netdevsim$sid
bed_nsim_param mlx5_steering_param 1
bed_nsim_new "$sid" 1 || bed_fail "could not create netdevsim$sid"
bed_nsim_param mlx5_steering_param 0
out=$($nl param-get $sh_ flow_steering_mode)
bed_check_eq "param get: flow_steering_mode reads dmfs" dmfs \
    "$(nl_field value "$out")"
# NLA_STRING (5), not NLA_NUL_STRING: what a set must send back.
bed_check_eq "param get: a string (NLA_STRING)" 5 "$(nl_field type "$out")"
bed_check "param set smfs in legacy" "$nl" param-set $sh_ flow_steering_mode smfs
bed_check_eq "param get: smfs" smfs \
    "$(nl_field value "$($nl param-get $sh_ flow_steering_mode)")"
bed_check_eq "devlink tool agrees: smfs" smfs \
    "$(devlink -j dev param show $sh_ name flow_steering_mode |
        jq -r '.param[][0].values[0].value')"
bed_check "param set dmfs in legacy" "$nl" param-set $sh_ flow_steering_mode dmfs
bed_check "eswitch -> switchdev" "$nl" eswitch-set $sh_ switchdev
out=$($nl param-set $sh_ flow_steering_mode smfs)
bed_check_eq "param set smfs in switchdev refused: EOPNOTSUPP" -95 \
    "$(nl_field err "$out")"
msg=${out#*msg=}
case $msg in
*"not supported when eswitch offloads enabled"*)
    bed_pass "param set refusal carries the driver's extack: '$msg'" ;;
*) bed_fail "param set refusal without the driver's extack ($out)" ;;
esac
bed_check_eq "param still dmfs after the refusal" dmfs \
    "$(nl_field value "$($nl param-get $sh_ flow_steering_mode)")"
out=$($nl param-set $sh_ flow_steering_mode xyz)
bed_check_eq "param set of a bad value refused: EINVAL" -22 \
    "$(nl_field err "$out")"

# ------------------------------------------ driverinit param + reload --
# What vdpa-disable-eth does to mlx5's enable_eth (a bool in cmode
# driverinit, applied by a reload), on netdevsim's test1: same kind, and
# the value the driver took is its debugfs test1 (Y/N) after a reload.
dbg=/sys/kernel/debug/netdevsim/netdevsim$sid
out=$($nl param-get $sh_ test1 driverinit)
bed_check_eq "param get driverinit: test1 a bool, true" "6 true" \
    "$(nl_field type "$out") $(nl_field value "$out")"
bed_check_eq "driver took test1 Y at probe" Y "$(cat "$dbg/test1")"
bed_check "param set test1 false in driverinit" \
    "$nl" param-set-bool $sh_ test1 false driverinit
bed_check_eq "driverinit reads false before the reload" false \
    "$(nl_field value "$($nl param-get $sh_ test1 driverinit)")"
bed_check_eq "devlink tool agrees: driverinit false" false \
    "$(devlink -j dev param show $sh_ name test1 |
        jq -r '.param[][0].values[] | select(.cmode == "driverinit") | .value')"
bed_check_eq "not taken before the reload: test1 still Y" Y "$(cat "$dbg/test1")"
echo 1 >"$dbg/dont_allow_reload"
out=$($nl reload $sh_)
bed_check_eq "reload the driver forbids: EOPNOTSUPP" -95 "$(nl_field err "$out")"
case ${out#*msg=} in
*"forbid the reload"*) bed_pass "reload refusal carries the driver's extack: '${out#*msg=}'" ;;
*) bed_fail "reload refusal without the driver's extack ($out)" ;;
esac
bed_check_eq "refused: test1 still Y" Y "$(cat "$dbg/test1")"
echo 0 >"$dbg/dont_allow_reload"
out=$($nl reload $sh_)
# 1 << DEVLINK_RELOAD_ACTION_DRIVER_REINIT, nothing else.
bed_check_eq "reload: driver_reinit performed" 0x2 "$(nl_field performed "$out")"
bed_check_eq "taken by the reload: test1 N" N "$(cat "$dbg/test1")"
bed_check_eq "driverinit still false after it" false \
    "$(nl_field value "$($nl param-get $sh_ test1 driverinit)")"
bed_check "the port's netdev is back after the reload" \
    bed_wait_for 10 sh -c "ls /sys/bus/netdevsim/devices/netdevsim$sid/net | grep -q ."
bed_check_eq "reload of a missing device: ENODEV" -19 \
    "$(nl_field err "$($nl reload netdevsim/netdevsim99)")"
bed_nsim_del "$sid"

# ------------------------------------------------------- link identity --
out=$($nl link "$pf")
bed_check_eq "link ifindex" "$(cat "/sys/class/net/$pf/ifindex")" \
    "$(nl_field ifindex "$out")"
bed_check_eq "phys_port_name" "$(cat "/sys/class/net/$pf/phys_port_name")" \
    "$(nl_field port_name "$out")"
bed_check_eq "phys_switch_id" "$(cat "/sys/class/net/$pf/phys_switch_id")" \
    "$(nl_field switch_id "$out")"
bed_check_eq "parent device bus" netdevsim "$(nl_field parent_bus "$out")"
bed_check_eq "parent device" "netdevsim$id" "$(nl_field parent_dev "$out")"

# ------------------------------------------------------------- numvfs --
out=$($nl sriov "netdev:$pf")
bed_check_eq "sysfs PF by netdev" "netdevsim$id" "$(nl_field name "$out")"
bed_check_eq "netdevsim: no sriov_totalvfs (not applicable)" \
    "No such file or directory" \
    "$(printf '%s\n' "$out" | sed -n 's/.*totalvfs=\(.*\) vfs_are.*/\1/p')"
bed_check_eq "netdevsim: VFs are not devices" 0 "$(nl_field vfs_are_devices "$out")"
bed_check "numvfs 0 -> 4" "$nl" numvfs "devlink:$h" 4
bed_check_eq "sysfs numvfs" 4 "$(cat "$sys/sriov_numvfs")"
out=$($nl numvfs "devlink:$h" 2 raw)
bed_check_eq "raw numvfs 4 -> 2 refused: EBUSY" -16 "$(nl_field err "$out")"
out=$($nl numvfs "devlink:$h" 0)
bed_check_eq "numvfs 4 -> 0" 0 "$(cat "$sys/sriov_numvfs")"
out=$($nl numvfs "devlink:$h" 2)
bed_check_eq "numvfs 0 -> 2" 2 "$(cat "$sys/sriov_numvfs")"
out=$($nl numvfs "devlink:$h" 4)
bed_check_eq "safe numvfs 2 -> 4 went through 0" 1 "$(nl_field via_zero "$out")"
bed_check_eq "numvfs now 4" 4 "$(cat "$sys/sriov_numvfs")"
out=$($nl sriov "netdev:$pf")
bed_check "netdevsim VF has no virtfn link: reported, not an error" \
    sh -c "printf '%s\n' '$out' | grep -q '^vf=0 pci=No such file'"

# ---------------------------------------------------------- VF config --
bed_check "VF 0: mac, vlan, trust, spoofchk" "$nl" vf-set "$pf" 0 \
    mac 02:11:22:33:44:00 vlan 10 trust on spoofchk off
bed_check "VF 3: mac" "$nl" vf-set "$pf" 3 mac 02:11:22:33:44:03
out=$($nl link "$pf")
vf0=$(printf '%s\n' "$out" | grep '^vf=0 ')
vf3=$(printf '%s\n' "$out" | grep '^vf=3 ')
bed_check_eq "num_vf" 4 "$(nl_field num_vf "$(printf '%s\n' "$out" | head -1)")"
bed_check_eq "VF 0 mac read back" 02:11:22:33:44:00 "$(nl_field mac "$vf0")"
bed_check_eq "VF 0 vlan read back" 10 "$(nl_field vlan "$vf0")"
bed_check_eq "VF 0 trust read back" on "$(nl_field trust "$vf0")"
bed_check_eq "VF 0 spoofchk read back" off "$(nl_field spoofchk "$vf0")"
bed_check_eq "VF 3 mac read back" 02:11:22:33:44:03 "$(nl_field mac "$vf3")"
ipj=$(ip -j link show "$pf")
bed_check_eq "ip link agrees: VF 0 mac" 02:11:22:33:44:00 \
    "$(printf '%s' "$ipj" | jq -r '.[0].vfinfo_list[] | select(.vf==0) | .address')"
bed_check_eq "ip link agrees: VF 0 vlan" 10 \
    "$(printf '%s' "$ipj" | jq -r '.[0].vfinfo_list[] | select(.vf==0) | .vlan_list[0].vlan')"
bed_check "VF 0 trust off again" "$nl" vf-set "$pf" 0 trust off
bed_check_eq "VF 0 trust read back off" off \
    "$(nl_field trust "$($nl link "$pf" | grep '^vf=0 ')")"
out=$($nl vf-set "$pf" 9 mac 02:11:22:33:44:09)
bed_check_eq "VF beyond numvfs refused: EINVAL" -22 "$(nl_field err "$out")"

# ------------------------------------------- switchdev + representors --
bed_check "eswitch -> switchdev with 4 VFs" "$nl" eswitch-set $h switchdev
bed_wait_for 10 sh -c "devlink port show | grep -c 'flavour pcivf' | grep -qx 4" ||
    bed_fail "devlink tool: 4 pcivf ports did not appear"
reprs=$($nl reprs $h "$pf")
printf '%s\n' "$reprs"
bed_check_eq "4 representors via devlink" 4 \
    "$(printf '%s\n' "$reprs" | grep -c 'source=devlink')"
sw=$(cat "/sys/class/net/$pf/phys_switch_id")
for vf in 0 1 2 3; do
    rep=$(nl_field netdev "$(printf '%s\n' "$reprs" | grep "^vf=$vf ")")
    bed_check_eq "VF $vf representor $rep has phys_port_name pf0vf$vf" "pf0vf$vf" \
        "$(cat "/sys/class/net/$rep/phys_port_name" 2>/dev/null)"
    bed_check_eq "VF $vf representor on the PF's switch" "$sw" \
        "$(cat "/sys/class/net/$rep/phys_switch_id" 2>/dev/null)"
    tool=$(devlink -j port show | jq -r --arg h "$h/" --arg v "$vf" '.port | to_entries[]
        | select((.key | startswith($h)) and .value.flavour == "pcivf"
                 and (.value.vfnum | tostring) == $v) | .value.netdev')
    bed_check_eq "devlink tool agrees on VF $vf" "$tool" "$rep"
done
fallback=$($nl reprs - "$pf")
bed_check_eq "switch-id fallback finds the same netdevs" \
    "$(printf '%s\n' "$reprs" | sed 's/ source=.*//')" \
    "$(printf '%s\n' "$fallback" | sed 's/ source=.*//')"
bed_check_eq "fallback says how it found them" 4 \
    "$(printf '%s\n' "$fallback" | grep -c 'source=phys_port_name')"
out=$($nl ports $h)
bed_check_eq "port dump: 4 pcivf ports with pfnum 0" 4 \
    "$(printf '%s\n' "$out" | grep 'flavour=pcivf' | grep -c 'pfnum=0')"
rep0=$(nl_field netdev "$(printf '%s\n' "$reprs" | grep '^vf=0 ')")
rep1=$(nl_field netdev "$(printf '%s\n' "$reprs" | grep '^vf=1 ')")

bed_check "link up $rep0" "$nl" link-set "$rep0" up
bed_check_eq "ip link sees $rep0 UP" true \
    "$(ip -j link show "$rep0" | jq '.[0].flags | index("UP") != null')"
bed_check "link down $rep0" "$nl" link-set "$rep0" down
bed_check_eq "ip link sees $rep0 down" false \
    "$(ip -j link show "$rep0" | jq '.[0].flags | index("UP") != null')"
bed_check "link up $rep0 again" "$nl" link-set "$rep0" up

# ------------------------------------------------------ hw-tc-offload --
out=$($nl feature-get "$rep0" hw-tc-offload)
bed_check_eq "hw-tc-offload read over netlink" netlink "$(nl_field backend "$out")"
bed_check_eq "hw-tc-offload off by default" off "$(nl_field active "$out")"
bed_check_eq "hw-tc-offload changeable" yes "$(nl_field changeable "$out")"
bed_check "hw-tc-offload on (netlink)" "$nl" feature-set "$rep0" hw-tc-offload on
bed_check_eq "ethtool agrees: on" "hw-tc-offload: on" \
    "$(ethtool -k "$rep0" | grep '^hw-tc-offload:' | sed 's/ \[.*//')"
out=$($nl feature-get "$rep0" hw-tc-offload ioctl)
bed_check_eq "ioctl backend reads on" "ioctl on" \
    "$(nl_field backend "$out") $(nl_field active "$out")"
bed_check "hw-tc-offload off (ioctl)" "$nl" feature-set "$rep0" hw-tc-offload \
    off ioctl
bed_check_eq "ethtool agrees: off" "hw-tc-offload: off" \
    "$(ethtool -k "$rep0" | grep '^hw-tc-offload:' | sed 's/ \[.*//')"
bed_check "hw-tc-offload on again (netlink)" "$nl" feature-set "$rep0" \
    hw-tc-offload on
# The dump (one request for every netdev, compact bitsets read at the
# feature's bit from the kernel's string set) says what the ioctl (by
# name, another path) says of each netdev: $rep0 on and changeable, lo
# off and fixed.
feature_fields() { # the state fields of a feature-get/-dump line
    printf '%s %s %s\n' "$(nl_field active "$1")" "$(nl_field wanted "$1")" \
        "$(nl_field changeable "$1")"
}
dump=$($nl feature-dump hw-tc-offload)
bed_check "feature dump: compact bitsets, at the bit the kernel named" \
    grep -qx 'bit=[0-9]*' <<<"$dump"
for dev in "$rep0" lo; do
    bed_check_eq "feature dump: $dev as the ioctl reads it" \
        "$(feature_fields "$($nl feature-get "$dev" hw-tc-offload ioctl)")" \
        "$(feature_fields "$(grep "^netdev=$dev " <<<"$dump")")"
done
bed_check_eq "feature dump: $rep0 on and changeable, lo off and fixed" \
    "on on yes / off off no" \
    "$(feature_fields "$(grep "^netdev=$rep0 " <<<"$dump")") / $(feature_fields "$(grep "^netdev=lo " <<<"$dump")")"
out=$($nl feature-get nosuchdev0 hw-tc-offload)
bed_check_eq "ethtool netlink: missing netdev is ENODEV" -19 "$(nl_field err "$out")"
msg=${out#*msg=}
if [ -n "$msg" ]; then
    bed_pass "ethtool: kernel extack text returned: '$msg'"
else
    bed_fail "ethtool: no extack text with the refusal ($out)"
fi
out=$($nl feature-get "$rep0" no-such-feature ioctl)
bed_check_eq "ioctl: unknown feature name is ENOENT" -2 "$(nl_field err "$out")"

# --------------------------------------------------------- tc flower --
tc_count() { # DEV in_hw|not_in_hw|all: tc's own JSON view
    tc -j filter show dev "$1" ingress | jq --arg w "$2" \
        '[.[] | select(.options != null) | .options
          | select($w == "all" or .[$w] == true)] | length'
}
offload=/sys/module/netdevsim/parameters/tc_offload
bed_check_eq "patched driver offloads (tc_offload)" Y "$(cat $offload)"
tc qdisc add dev "$rep0" clsact
tc filter add dev "$rep0" ingress protocol ip prio 1 flower skip_sw \
    dst_ip 10.0.0.1 action drop
tc filter add dev "$rep0" ingress protocol ip prio 2 chain 3 flower \
    dst_ip 10.0.0.2 action drop
out=$($nl tc "$rep0")
printf '%s\n' "$out"
sum=$(printf '%s\n' "$out" | tail -1)
bed_check_eq "$rep0: 2 rules over chains 0 and 3, both in_hw" \
    "rules=2 in_hw=2 not_in_hw=0" "$sum"
bed_check_eq "tc agrees (in_hw)" "$(tc_count "$rep0" in_hw)" "$(nl_field in_hw "$sum")"
r1=$(printf '%s\n' "$out" | grep 'prio=1 ')
bed_check_eq "skip_sw rule flags" "1 0 1" \
    "$(nl_field skip_sw "$r1") $(nl_field skip_hw "$r1") $(nl_field in_hw "$r1")"
bed_check_eq "in_hw_count of the skip_sw rule" 1 "$(nl_field in_hw_count "$r1")"
bed_check_eq "chain of the second rule" 3 \
    "$(nl_field chain "$(printf '%s\n' "$out" | grep 'prio=2 ')")"

# hw-tc-offload off on rep1: accepted in software only.
tc qdisc add dev "$rep1" clsact
tc filter add dev "$rep1" ingress protocol ip prio 1 flower dst_ip 10.0.1.1 \
    action drop
if tc filter add dev "$rep1" ingress protocol ip prio 2 flower skip_sw \
    dst_ip 10.0.1.2 action drop 2>/dev/null; then
    bed_fail "skip_sw accepted with hw-tc-offload off"
fi
sum=$($nl tc "$rep1" | tail -1)
bed_check_eq "$rep1 (hw-tc-offload off): not_in_hw" "rules=1 in_hw=0 not_in_hw=1" \
    "$sum"
bed_check_eq "tc agrees (not_in_hw)" "$(tc_count "$rep1" not_in_hw)" \
    "$(nl_field not_in_hw "$sum")"

# Stock behaviour (module parameter off): new flower rules stay in software.
echo 0 >$offload
tc filter add dev "$rep0" ingress protocol ip prio 4 flower dst_ip 10.0.0.4 \
    action drop
if tc filter add dev "$rep0" ingress protocol ip prio 5 flower skip_sw \
    dst_ip 10.0.0.5 action drop 2>/dev/null; then
    bed_fail "stock driver accepted skip_sw flower"
else
    bed_pass "stock driver refuses skip_sw flower"
fi
out=$($nl tc "$rep0")
bed_check_eq "stock driver: new rule not_in_hw" "in_hw=0 not_in_hw=1" \
    "$(r=$(printf '%s\n' "$out" | grep 'prio=4 '); echo "in_hw=$(nl_field in_hw "$r") not_in_hw=$(nl_field not_in_hw "$r")")"
bed_check_eq "$rep0 summary: 3 rules, 2 in_hw, 1 not_in_hw" \
    "rules=3 in_hw=2 not_in_hw=1" "$(printf '%s\n' "$out" | tail -1)"
bed_check_eq "tc agrees (all)" "$(tc_count "$rep0" all)" \
    "$(nl_field rules "$(printf '%s\n' "$out" | tail -1)")"
echo 1 >$offload
out=$($nl tc "$pf")
bed_check_eq "device without clsact: no rules" "rules=0 in_hw=0 not_in_hw=0" \
    "$(printf '%s\n' "$out" | tail -1)"

# ------------------------------------------------------------- events --
bed_check "eswitch -> legacy (representors go)" "$nl" eswitch-set $h legacy
bed_check_eq "no representors in legacy" "" "$($nl reprs $h "$pf")"
bed_check "numvfs -> 0" "$nl" numvfs "devlink:$h" 0
out=$($nl watch-reprs $h "$pf" 3)
printf '%s\n' "$out"
bed_check_eq "events: 3 representors resolved after notifications" 3 \
    "$(nl_field reprs "$out")"
bed_check "devlink notifications: >= 3 new ports" \
    test "$(nl_field port_new "$out")" -ge 3
bed_check "link notifications: >= 3 new links" \
    test "$(nl_field link_new "$out")" -ge 3
out=$($nl numvfs "devlink:$h" 2)
bed_check_eq "safe numvfs 3 -> 2 in switchdev went through 0" 1 \
    "$(nl_field via_zero "$out")"
bed_check_eq "...which dropped the eswitch to legacy (re-check needed)" legacy \
    "$(nl_field mode "$($nl eswitch-get $h)")"
out=$($nl overflow-resync "$pf")
bed_check_eq "overflowed event socket reports resync" 1 "$(nl_field resync "$out")"

# ------------------------------------------------------- big messages --
# 256 VFs: one RTM_NEWLINK far larger than the first receive buffer.
bed_check "numvfs -> 0" "$nl" numvfs "devlink:$h" 0
echo 256 >/sys/kernel/debug/netdevsim/netdevsim$id/max_vfs
bed_check "numvfs 0 -> 256" "$nl" numvfs "devlink:$h" 256
bed_check "VF 255: mac" "$nl" vf-set "$pf" 255 mac 02:11:22:33:44:ff
out=$($nl link "$pf")
bed_check_eq "256 VF entries decoded" 256 "$(printf '%s\n' "$out" | grep -c '^vf=')"
bed_check_eq "VF 255 mac read back" 02:11:22:33:44:ff \
    "$(nl_field mac "$(printf '%s\n' "$out" | grep '^vf=255 ')")"
bed_check "numvfs -> 0" "$nl" numvfs "devlink:$h" 0
# A dump spread over many datagrams.
for i in $(seq 1 300); do
    echo "link add nldummy$i type dummy"
done | ip -batch - || bed_fail "could not create dummy links"
bed_check_eq "link dump over many datagrams" "$(ip -o link show | wc -l)" \
    "$(nl_field links "$($nl links)")"

# --------------------------------------------------------------- bonds --
# Two netdevsim PFs in switchdev, their uplinks bonded through bond_ (the
# kernel loads bonding for kind "bond" itself); iproute2 as the witness.
bed_nsim_new 11 1 && bed_nsim_new 12 1 || bed_fail "could not create netdevsim11/12"
m1=$(find "$(bed_nsim_sysfs 11)/net" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
m2=$(find "$(bed_nsim_sysfs 12)/net" -mindepth 1 -maxdepth 1 -printf '%f\n' | head -1)
bed_eswitch netdevsim/netdevsim11 switchdev
bed_eswitch netdevsim/netdevsim12 switchdev
ip link set "$m1" up
bed_check "bond create (active-backup, miimon 100)" "$nl" bond-create oabond0 1 100
out=$($nl bond-get oabond0)
bed_check_eq "bond read back: a bond" 1 "$(nl_field is_bond "$out")"
bed_check_eq "bond read back: mode" active-backup "$(nl_field mode "$out")"
bed_check_eq "bond read back: miimon" 100 "$(nl_field miimon "$out")"
bed_check_eq "bond read back: ours (alias)" 1 "$(nl_field owned "$out")"
bed_check_eq "bond created down" 0 "$(nl_field up "$out")"
bed_check_eq "ip agrees: mode" active-backup \
    "$(ip -d -j link show oabond0 | jq -r '.[0].linkinfo.info_data.mode')"
bed_check_eq "ip agrees: alias is the mark" offload-agent \
    "$(ip -j link show oabond0 | jq -r '.[0].ifalias')"
out=$($nl bond-create oabond0 1 100)
bed_check_eq "create again: EEXIST" -17 "$(nl_field err "$out")"
bed_check "enslave $m1 (was up: taken down first)" "$nl" bond-enslave oabond0 "$m1"
bed_check "enslave $m2" "$nl" bond-enslave oabond0 "$m2"
bed_check_eq "ip agrees: $m1's master" oabond0 \
    "$(ip -j link show "$m1" | jq -r '.[0].master')"
bed_check_eq "ip agrees: $m2's master" oabond0 \
    "$(ip -j link show "$m2" | jq -r '.[0].master')"
bed_check "bond up" "$nl" bond-up oabond0 up
bed_wait_for 10 sh -c "$nl bond-get oabond0 | grep -q 'active_slave=[1-9]'" ||
    bed_fail "no active slave within 10 s"
out=$($nl bond-get oabond0)
active=$(nl_field active_slave "$out")
bed_check_eq "active slave: the one ip names" \
    "$(ip -d -j link show oabond0 | jq -r '.[0].linkinfo.info_data.active_slave')" \
    "$(ip -j link show | jq -r ".[] | select(.ifindex == $active) | .ifname")"
bed_check_eq "bond has carrier" 1 "$(nl_field carrier "$out")"
out=$($nl bond-get "$m1")
bed_check_eq "member: a slave of the bond" 1 "$(nl_field is_slave "$out")"
bed_check_eq "member: its master" "$(nl_field ifindex "$($nl bond-get oabond0)")" \
    "$(nl_field master "$out")"
bed_check_eq "member: set up by the bond" 1 "$(nl_field up "$out")"
bed_check_eq "member: mii up (BOND_LINK_UP)" 0 "$(nl_field slave_mii "$out")"
out=$($nl bond-opts oabond0 4 100)
bed_check "mode change with members, up: refused" test "$(nl_field err "$out")" -lt 0
bed_check "release $m2" "$nl" bond-release "$m2"
bed_check_eq "ip agrees: $m2 has no master" null \
    "$(ip -j link show "$m2" | jq -r '.[0].master')"
bed_check "delete the bond" "$nl" bond-del oabond0
bed_check "ip agrees: bond gone" sh -c "! ip link show oabond0"
bed_check "802.3ad, layer3+4, lacp fast" "$nl" bond-create oabond1 4 250 1 1
info=$(ip -d -j link show oabond1 | jq -c '.[0].linkinfo.info_data')
bed_check_eq "ip agrees: 802.3ad options" '802.3ad layer3+4 fast 250' \
    "$(jq -r '"\(.mode) \(.xmit_hash_policy) \(.ad_lacp_rate) \(.miimon)"' <<<"$info")"
bed_check "delete oabond1" "$nl" bond-del oabond1
ip link add oaforeign type bond
bed_check_eq "a bond made by hand: not ours" 0 \
    "$(nl_field owned "$($nl bond-get oaforeign)")"
ip link del oaforeign
bed_nsim_del 11
bed_nsim_del 12

echo "$id" >/sys/bus/netdevsim/del_device
bed_summary
