#!/bin/bash
# Bed test of agent/obs.c and agent/apply.c (runs inside the guest:
# tests/bed/run): a blank netdevsim device and a real OVS. bed-obs-apply
# observes and applies hand-built plans; every result is compared with
# what devlink, ip, ethtool, tc and ovs-vsctl say.
#   tests/agent/bed-obs-apply.sh PATH/TO/bed-obs-apply
set -u
prog=$1
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/../bed/lib.sh}"

id=5
dl=$(bed_nsim_devlink "$id")
sys=$(bed_nsim_sysfs "$id")
bridge=ovs-sriov
work=${TMPDIR:-/tmp}/bed-obs-apply
mkdir -p "$work"
die() {
    bed_fail "$*"
    bed_summary
    exit 1
}

# field KEY LINE: KEY=VALUE of a line (VALUE without spaces).
field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}
# rest KEY LINE: everything after "KEY=" (messages with spaces).
rest() {
    printf '%s\n' "$2" | sed -n "s/.* $1=//p" | head -1
}
line() { # PATTERN TEXT: the first line of TEXT starting with PATTERN
    printf '%s\n' "$2" | grep -m1 "^$1"
}
# spec FILE PF_KEY PF_ID NUM_VFS: a host spec for one PF on the bridge.
spec() {
    cat >"$1" <<EOF
{
  "version": 1,
  "ovs": {"db": "unix:/run/openvswitch/db.sock", "hw_offload": true},
  "bridges": [{"name": "$bridge"}],
  "pfs": [{"$2": "$3", "num_vfs": $4, "bridge": "$bridge",
           "vfs": [{"index": 0, "mac": "02:aa:00:00:00:10"},
                   {"index": 1, "mac": "02:aa:00:00:00:11"}]}]
}
EOF
}
ethtool_hwtc() {
    ethtool -k "$1" | sed -n 's/^hw-tc-offload: \([a-z]*\).*/\1/p'
}
vf_mac() { # PF VF: the MAC ip link shows
    ip -j link show "$1" | jq -r --argjson v "$2" \
        '.[0].vfinfo_list[] | select(.vf == $v) | .address'
}
ofport() {
    ovs-vsctl get Interface "$1" ofport 2>/dev/null
}
# all_unchanged OUTPUT: every step line says "unchanged" (but waits,
# which never write).
all_unchanged() {
    local bad
    bad=$(printf '%s\n' "$1" | grep '^step=' | grep -v ' msg=unchanged' |
        grep -v ' action=wait-vfs ')
    [ -z "$bad" ] || {
        printf 'changed: %s\n' "$bad"
        return 1
    }
}
# snapshot: what a repeated apply must leave exactly as it was.
snapshot() {
    devlink -j dev eswitch show "$dl"
    cat "$sys/sriov_numvfs"
    ip -j link show "$pf" | jq -c '.[0].vfinfo_list'
    devlink -j port show | jq -c '.port | to_entries | map(select(.key | startswith("'"$dl"'/"))) | map(.value.netdev)'
    for dev in $(devlink -j port show | jq -r '.port[] | .netdev // empty'); do
        printf '%s %s\n' "$dev" "$(ethtool_hwtc "$dev")"
    done
    ovs-vsctl get Open_vSwitch . next_cfg other_config
    ovs-vsctl list-ports "$bridge" 2>/dev/null
}

bed_nsim_new "$id" 1 || die "netdevsim device"
pf=$(bed_pf_netdev "$dl") || die "no uplink"
# shellcheck disable=SC2119 # no other_config before vswitchd starts
bed_ovs_start || die "ovsdb-server + ovs-vswitchd"
echo "PF $pf ($dl), kernel $(uname -r)"

spec "$work/dl.json" devlink "$dl" 2
spec "$work/nd.json" netdev "$pf" 2
spec "$work/missing-dl.json" devlink netdevsim/netdevsim99 2
spec "$work/missing-nd.json" netdev nosuch0 2
spec "$work/dl4.json" devlink "$dl" 4

# ---------------------------------------------------------- observe --
out=$("$prog" obs "$work/dl.json") || die "obs failed: $out"
printf '%s\n' "$out"
p=$(line "pf=0 " "$out")
bed_check_eq "found by devlink handle" 1 "$(field found "$p")"
bed_check_eq "uplink = devlink CLI's physical port netdev" "$pf" \
    "$(field netdev "$p")"
bed_check_eq "devlink instance" "$dl" "$(field devlink "$p")"
bed_check_eq "ifindex" "$(cat "/sys/class/net/$pf/ifindex")" \
    "$(field ifindex "$p")"
bed_check_eq "eswitch = devlink CLI's" "$(bed_eswitch "$dl")" \
    "$(field eswitch "$p")"
bed_check_eq "blank device: legacy" legacy "$(field eswitch "$p")"
bed_check_eq "num_vfs = sysfs" "$(cat "$sys/sriov_numvfs")" \
    "$(field num_vfs "$p")"
bed_check_eq "blank device: 0 VFs" 0 "$(field num_vfs "$p")"
bed_check_eq "netdevsim: no sriov_totalvfs" - "$(field total_vfs "$p")"
bed_check_eq "netdevsim: VFs are not devices" 0 "$(field vfs_are_devices "$p")"
bed_check_eq "uplink hw-tc-offload = ethtool" "$(ethtool_hwtc "$pf")" \
    "$(field hwtc "$p")"
bed_check_eq "uplink tc: no rules" 0/0/0/0 "$(field tc "$p")"
o=$(line "ovs " "$out")
bed_check_eq "OVSDB connected" 1 "$(field connected "$o")"
bed_check_eq "ovs-vswitchd identity found" yes "$(field vswitchd "$o")"
r=$(field release "$(line kernel "$out")")
bed_check_eq "kernel release = uname -r" "$(uname -r)" "$r"
# devlink info: the driver and the running firmware ("fw.version", else
# "fw", else the first running version), the key of the learned order.
info=$(devlink -j dev info "$dl")
bed_check_eq "driver = devlink dev info's" \
    "$(printf '%s\n' "$info" | jq -r '.info[].driver')" "$(field driver "$p")"
bed_check_eq "firmware = devlink dev info's running version" \
    "$(printf '%s\n' "$info" | jq -r '.info[].versions.running // {}
        | if has("fw.version") then .["fw.version"] elif has("fw") then .fw
          else ([to_entries[].value][0] // "-") end')" \
    "$(field firmware "$p")"
bed_check_eq "order: switchdev-first on every kernel" switchdev-first \
    "$(field order "$p")"

out2=$("$prog" obs "$work/nd.json") || die "obs by netdev failed"
p2=$(line "pf=0 " "$out2")
bed_check_eq "by netdev: same uplink, devlink, ifindex" \
    "$(field netdev "$p") $(field devlink "$p") $(field ifindex "$p")" \
    "$(field netdev "$p2") $(field devlink "$p2") $(field ifindex "$p2")"
bed_check_eq "by netdev: sysfs device" "netdevsim netdevsim$id" \
    "$(field bus "$p2") $(field dev "$p2")"

for m in missing-dl missing-nd; do
    out=$("$prog" obs "$work/$m.json")
    bed_check_eq "$m: obs_collect succeeds" 0 "$?"
    p=$(line "pf=0 " "$out")
    bed_check_eq "$m: found=0" 0 "$(field found "$p")"
    printf '%s: %s\n' "$m" "$(rest error "$p")"
done
bed_check_eq "missing device: error names it" \
    "no device netdevsim/netdevsim99" \
    "$(rest error "$(line "pf=0 " "$("$prog" obs "$work/missing-dl.json")")")"
bed_check_eq "missing netdev: error names it" "no netdev nosuch0" \
    "$(rest error "$(line "pf=0 " "$("$prog" obs "$work/missing-nd.json")")")"

# ------------------------------------------------------------ apply --
# shellcheck disable=SC2054 # commas separate a step's fields
steps=(eswitch=switchdev numvfs=2 wait=2
    vf=0,mac=02:aa:00:00:00:10
    vf=1,mac=02:aa:00:00:00:11,vlan=7,trust=on,spoofchk=off
    hwtc=on ovs)
out=$("$prog" apply "$work/dl.json" "${steps[@]}")
rc=$?
printf '%s\n' "$out"
res=$(line result "$out")
bed_check_eq "round 1 applies" "0 -1" "$rc $(field failed_step "$res")"
w=$(line "step=2 " "$out")
echo "TIMING wait-vfs 2 (switchdev then numvfs 0 -> 2): $(field ms "$w") ms"
bed_check_eq "wait-vfs: 2 of 2" "2 of 2" \
    "$(rest msg "$w" | cut -d' ' -f1-3)"
bed_check_eq "devlink: switchdev" switchdev "$(bed_eswitch "$dl")"
bed_check_eq "sysfs: 2 VFs" 2 "$(cat "$sys/sriov_numvfs")"
bed_check_eq "ip link: VF 0 MAC" 02:aa:00:00:00:10 "$(vf_mac "$pf" 0)"
bed_check_eq "ip link: VF 1 MAC" 02:aa:00:00:00:11 "$(vf_mac "$pf" 1)"
v1=$(ip -j link show "$pf" | jq -c '.[0].vfinfo_list[] | select(.vf == 1)
    | [.vlan_list[0].vlan, .trust, .spoofchk]')
bed_check_eq "ip link: VF 1 vlan/trust/spoofchk" '[7,true,false]' "$v1"
bed_check "round 1: representors not observed yet, their hw-tc and add-port steps skipped" \
    test "$(printf '%s\n' "$out" | grep -c 'msg=skipped')" = 4
bed_check_eq "uplink hw-tc-offload on (ethtool)" on "$(ethtool_hwtc "$pf")"
bed_check_eq "uplink is a port" "$pf" "$(ovs-vsctl list-ports "$bridge")"
bed_check_eq "hw-offload in OVSDB" '"true"' \
    "$(ovs-vsctl get Open_vSwitch . other_config:hw-offload)"

# Round 2: the representors are observed now (as the engine's next round).
out=$("$prog" apply "$work/dl.json" "${steps[@]}")
rc=$?
printf '%s\n' "$out"
bed_check_eq "round 2 applies" 0 "$rc"
rep0=$(bed_rep_netdev "$dl" 0)
rep1=$(bed_rep_netdev "$dl" 1)
for rep in "$rep0" "$rep1"; do
    bed_check_eq "$rep hw-tc-offload on (ethtool)" on "$(ethtool_hwtc "$rep")"
    port=$(ofport "$rep")
    bed_check "$rep attached with an ofport ($port)" test "${port:--1}" -gt 0
    bed_check_eq "$rep: no interface error" '[]' \
        "$(ovs-vsctl get Interface "$rep" error)"
done
bed_check_eq "bridge ports: uplink + representors" \
    "$(printf '%s\n' "$pf" "$rep0" "$rep1" | sort)" \
    "$(ovs-vsctl list-ports "$bridge" | sort)"

out=$("$prog" obs "$work/dl.json")
printf '%s\n' "$out"
p=$(line "pf=0 " "$out")
bed_check_eq "obs: switchdev, 2 VFs, 2 representors" "switchdev 2 2" \
    "$(field eswitch "$p") $(field num_vfs "$p") $(field n_reps "$p")"
for v in 0 1; do
    l=$(line "vf=$v " "$out")
    bed_check_eq "obs VF $v: representor = devlink CLI's" \
        "$(bed_rep_netdev "$dl" $v)" "$(field rep "$l")"
    bed_check_eq "obs VF $v: MAC = ip link" "$(vf_mac "$pf" $v)" \
        "$(field mac "$l")"
    bed_check_eq "obs VF $v: rep hw-tc-offload" on "$(field rep_hwtc "$l")"
done
l=$(line "vf=1 " "$out")
bed_check_eq "obs VF 1: vlan trust spoofchk" "7 on off" \
    "$(field vlan "$l") $(field trust "$l") $(field spoofchk "$l")"
bed_check_eq "obs: hw_offload" true "$(field hw_offload "$(line "ovs " "$out")")"
bed_check_eq "obs: representor port has its ofport" "$(ofport "$rep0")" \
    "$(field ofport "$(line "port bridge=$bridge port=$rep0 " "$out")")"

# tc counts, against tc's own view.
tc qdisc add dev "$rep0" clsact
tc filter add dev "$rep0" ingress protocol ip prio 1 flower dst_ip 10.0.0.1 \
    action drop
tc filter add dev "$rep0" ingress protocol ip prio 2 flower skip_hw \
    dst_ip 10.0.0.2 action drop
tcv=$(field rep_tc "$(line "vf=0 " "$("$prog" obs "$work/dl.json")")")
bed_check_eq "obs tc rules/in_hw/not_in_hw of $rep0 = tc" \
    "$(bed_tc_count "$rep0" all)/$(bed_tc_count "$rep0" in_hw)/$(bed_tc_count "$rep0" not_in_hw)" \
    "${tcv%/*}"
bed_check_eq "obs tc: 2 rules, 1 in_hw, 1 skip_hw" 2/1/1 \
    "$(echo "$tcv" | cut -d/ -f1,2,4)"
tc qdisc del dev "$rep0" clsact

# Round 3: converged, so nothing changes.
before=$(snapshot)
out=$("$prog" apply "$work/dl.json" "${steps[@]}")
rc=$?
printf '%s\n' "$out"
bed_check_eq "round 3 (same plan again) succeeds" 0 "$rc"
bed_check "round 3: every step reports unchanged" all_unchanged "$out"
bed_check_eq "round 3: host unchanged (devlink, sysfs, ip, ethtool, OVSDB next_cfg)" \
    "$before" "$(snapshot)"

# ---------------------------------------------------------- refusals --
out=$("$prog" apply "$work/dl.json" vf=0,mac=02:aa:00:00:00:20 \
    eswitch=-,inline=link vf=1,mac=02:aa:00:00:00:21)
rc=$?
printf '%s\n' "$out"
res=$(line result "$out")
msg=$(rest message "$res")
bed_check_eq "inline-mode refused: failed step 1, EOPNOTSUPP" "1 1 -95" \
    "$rc $(field failed_step "$res") $(field error "$res")"
bed_check_eq "message: action object: strerror" \
    "set-eswitch $dl: Operation not supported" "${msg%% (kernel:*}"
bed_check_eq "the step before the refusal stays done" 02:aa:00:00:00:20 \
    "$(vf_mac "$pf" 0)"
bed_check_eq "the step after the refusal did not run" 02:aa:00:00:00:11 \
    "$(vf_mac "$pf" 1)"
out=$("$prog" apply "$work/dl.json" eswitch=raw:7)
res=$(line result "$out")
msg=$(rest message "$res")
echo "refused: $msg"
kernel=$(printf '%s\n' "$msg" | sed -n 's/.*(kernel: \(.*\))$/\1/p')
bed_check "mode out of range: the kernel's own text in the message" \
    test -n "$kernel"
bed_check_eq "mode out of range: ERANGE" -34 "$(field error "$res")"
bed_check_eq "still switchdev after the refusals" switchdev \
    "$(bed_eswitch "$dl")"
out=$("$prog" apply "$work/dl.json" restart)
res=$(line result "$out")
msg=$(rest message "$res")
echo "restart without systemd: $msg"
bed_check_eq "restart-vswitchd without systemd: fails, says which step" \
    "0 restart-vswitchd ovs-vswitchd.service" \
    "$(field failed_step "$res") ${msg%%:*}"

# ------------------------------------------------ VF count 2 -> 0 -> 4 --
out=$("$prog" apply "$work/dl4.json" detach numvfs=0 eswitch=switchdev \
    numvfs=4 wait=4)
rc=$?
printf '%s\n' "$out"
bed_check_eq "2 -> 0 -> 4 with detach applies" 0 "$rc"
w=$(line "step=[0-9]* action=wait-vfs" "$out")
echo "TIMING wait-vfs 4 (numvfs 0 -> 4 in switchdev): $(field ms "$w") ms"
bed_check_eq "detach: only the uplink stays a port" "$pf" \
    "$(ovs-vsctl list-ports "$bridge")"
bed_check_eq "4 VFs" 4 "$(cat "$sys/sriov_numvfs")"
bed_check_eq "switchdev re-asserted after 0" switchdev "$(bed_eswitch "$dl")"
bed_check "4 representors (devlink CLI)" bed_rep_netdev "$dl" 3
out=$("$prog" apply "$work/dl4.json" hwtc=on ovs)
bed_check_eq "next round attaches the 4 representors" 0 "$?"
bed_check_eq "5 ports" 5 "$(ovs-vsctl list-ports "$bridge" | wc -l)"
for v in 0 1 2 3; do
    rep=$(bed_rep_netdev "$dl" $v)
    bed_check_eq "VF $v representor $rep: hw-tc-offload on" on \
        "$(ethtool_hwtc "$rep")"
    port=$(ofport "$rep")
    bed_check "VF $v representor $rep: ofport $port" test "${port:--1}" -gt 0
done

# The wait wakes on netlink events: VFs created 2 s after the program
# starts (it observes first), while the wait's timeout is 8 s.
bed_check "2 -> 0 VFs" "$prog" apply "$work/dl4.json" detach numvfs=0 \
    eswitch=switchdev
(sleep 2 && echo 2 >"$sys/sriov_numvfs") &
out=$("$prog" --wait-timeout 8000 apply "$work/dl4.json" wait=2)
rc=$?
wait
printf '%s\n' "$out"
w=$(line "step=0 " "$out")
ms=$(field ms "$w")
echo "TIMING wait-vfs 2, VFs created while it waits: $ms ms"
bed_check_eq "wait for representors created later succeeds" 0 "$rc"
bed_check "...it waited ($ms ms), woken by events well before 8 s" \
    test "${ms:-0}" -ge 100 -a "${ms:-99999}" -lt 6000

# A wait that cannot succeed: numvfs 0 drops switchdev, no representor.
out=$("$prog" --wait-timeout 1000 apply "$work/dl.json" detach numvfs=0 wait=2)
res=$(line result "$out")
echo "timeout: $(rest message "$res")"
bed_check_eq "wait-vfs timeout message" \
    "wait-vfs $dl: 0 of 2 representors of $pf after 1 s" \
    "$(rest message "$res")"
bed_check_eq "timeout: ETIMEDOUT" -110 "$(field error "$res")"

# ------------------------------------- with the real planner (engine) --
# A fresh device; device $id goes (its stale owned ports are removed by
# the engine's transaction, as nothing wants them).
bed_nsim_del "$id"
id=6
dl=$(bed_nsim_devlink "$id")
sys=$(bed_nsim_sysfs "$id")
bed_nsim_new "$id" 1 || die "netdevsim $id"
pf=$(bed_pf_netdev "$dl") || die "no uplink of $dl"
spec "$work/e2.json" devlink "$dl" 2
spec "$work/e4.json" devlink "$dl" 4

# switchdev with 0 VFs is taken, the inline-mode asked with it is not:
# the refusal must not be taken for one of switchdev (no other order
# would do better).
out=$("$prog" apply "$work/e2.json" eswitch=switchdev,inline=link)
res=$(line result "$out")
printf '%s\n' "$out"
bed_check_eq "switchdev + inline-mode: EOPNOTSUPP, not a switchdev refusal" \
    "0 -95 0" "$(field failed_step "$res") $(field error "$res") $(field refused_switchdev "$res")"
bed_check_eq "...the mode part was applied" switchdev "$(bed_eswitch "$dl")"
bed_check "back to legacy" "$prog" apply "$work/e2.json" eswitch=legacy
engine() { # SPEC
    local out
    out=$("$prog" engine "$1")
    printf '%s\n' "$out" >&2
    line engine "$out"
}
e=$(engine "$work/e2.json")
echo "TIMING engine blank -> 2 VFs converged: $(field elapsed_ms "$e") ms, $(field rounds "$e") rounds, $(field steps_done "$e") steps"
bed_check_eq "engine: blank -> 2 VFs converges" "0 1" \
    "$(field r "$e") $(field converged "$e")"
bed_check_eq "engine: switchdev, 2 VFs" "switchdev 2" \
    "$(bed_eswitch "$dl") $(cat "$sys/sriov_numvfs")"
bed_check_eq "engine: MACs" "02:aa:00:00:00:10 02:aa:00:00:00:11" \
    "$(vf_mac "$pf" 0) $(vf_mac "$pf" 1)"
ports=$(printf '%s\n' "$pf" "$(bed_rep_netdev "$dl" 0)" \
    "$(bed_rep_netdev "$dl" 1)" | sort)
bed_check_eq "engine: uplink + 2 representors are the bridge's ports" \
    "$ports" "$(ovs-vsctl list-ports "$bridge" | sort)"
for p in $ports; do
    bed_check "engine: $p ofport $(ofport "$p"), hw-tc-offload $(ethtool_hwtc "$p")" \
        test "$(ofport "$p")" -gt 0 -a "$(ethtool_hwtc "$p")" = on
done
e=$(engine "$work/e2.json")
bed_check_eq "engine again: converged, nothing done" "0 1 0 0" \
    "$(field r "$e") $(field converged "$e") $(field rounds "$e") $(field steps_done "$e")"
e=$(engine "$work/e4.json")
echo "TIMING engine 2 -> 4 VFs converged: $(field elapsed_ms "$e") ms, $(field rounds "$e") rounds, $(field steps_done "$e") steps"
bed_check_eq "engine: 2 -> 4 VFs converges" "0 1 switchdev 4" \
    "$(field r "$e") $(field converged "$e") $(bed_eswitch "$dl") $(cat "$sys/sriov_numvfs")"
bed_check_eq "engine: 5 ports, each with an ofport" 5 \
    "$(for p in $(ovs-vsctl list-ports "$bridge"); do ofport "$p"; done | grep -c '^[1-9]')"

bed_ovs_stop
bed_summary
