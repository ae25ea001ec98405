#!/bin/bash
# shellcheck disable=SC2154 # bond, bridge, spec, work, mon_pids, E2E_ST: the sourcing test's
# Helpers of bed-agent-vflag.sh (sourced): the kernel's events captured
# during an apply and the order judged from them, a member's carrier
# dropped and restored under traffic, the bond's options changed (live
# where the kernel allows it) and the agent's memberless bond dropped.
# Use the caller's bond, bridge, spec, work, mon_pids, agentctl, master_of,
# plan_actions, port_of, timed_apply.

# mon_start NAME CMD...: runs CMD (a monitor) in the background, each line
# it prints stamped with the wall clock in microseconds as it is read
# (bash's EPOCHREALTIME, no exec), into $work/mon-NAME. Two monitors'
# stamps are comparable to within the readers' scheduling delay.
mon_start() {
    local name=$1
    shift
    stdbuf -oL "$@" > >(while IFS= read -r l; do
        printf '%s %s\n' "${EPOCHREALTIME/./}" "$l"
    done >"$work/mon-$name") 2>&1 &
    mon_pids+=($!)
}

# mon_stop: ends the monitors mon_start started (their stampers see EOF).
mon_stop() {
    local p
    for p in "${mon_pids[@]}"; do
        kill "$p" 2>/dev/null
        wait "$p" 2>/dev/null
    done
    mon_pids=()
    sleep 0.2
}

# ev_first NAME ERE / ev_last NAME ERE: the stamp of the first / last line
# of monitor NAME matching ERE (after the stamp); empty when none.
ev_first() { sed -E 's/^[0-9]+ //' "$work/mon-$1" | grep -n -m1 -E "$2" | cut -d: -f1 | ev_stamp "$1"; }
ev_last() { sed -E 's/^[0-9]+ //' "$work/mon-$1" | grep -n -E "$2" | tail -1 | cut -d: -f1 | ev_stamp "$1"; }
ev_stamp() {
    local n
    read -r n || return 0
    sed -n "${n}p" "$work/mon-$1" | cut -d' ' -f1
}

# ev_before DESC A B: a check that stamp A is before stamp B (both found).
ev_before() {
    echo "   $1: ${2:-none} < ${3:-none}${2:+${3:+ (+$((($3 - $2) / 1000)) ms)}}"
    bed_check "$1" test -n "$2" -a -n "$3" -a "${2:-0}" -lt "${3:-0}"
}

# events_order: from the events of the first apply, devlink's and the
# kernel link table's: both eswitches in switchdev (their VF ports, which
# netdevsim registers only in switchdev, announced) before the bond
# exists; each member enslaved after that; the bond set up after both
# are in; the bond made an OVS port (its master becomes ovs-system) after
# it is up.
events_order() {
    local dl sw t last_sw=0 bond_new m1 m2 e1 e2 up ovs reps=0
    echo "== the order of operations, from the kernel's events"
    for dl in netdevsim/netdevsim1 netdevsim/netdevsim2; do
        sw=$(ev_last devlink "\[port,new\] $dl/[0-9]+: .*flavour pcivf")
        bed_check "devlink: $dl's VF ports announced (switchdev)" test -n "$sw"
        [ -n "$sw" ] && [ "$sw" -gt "$last_sw" ] && last_sw=$sw
    done
    # The representors' netdevs, in the link events (the same stream as
    # the bond's, so no clock in between).
    for dl in netdevsim/netdevsim1 netdevsim/netdevsim2; do
        for vf in 0 1 2 3; do
            t=$(ev_first link "^[0-9]+: $(bed_rep_netdev "$dl" "$vf"):")
            [ -n "$t" ] && [ "$t" -gt "$reps" ] && reps=$t
        done
    done
    bond_new=$(ev_first link "^[0-9]+: $bond:")
    m1=$(bed_pf_netdev netdevsim/netdevsim1)
    m2=$(bed_pf_netdev netdevsim/netdevsim2)
    e1=$(ev_first link "^[0-9]+: $m1: .* master $bond ")
    e2=$(ev_first link "^[0-9]+: $m2: .* master $bond ")
    up=$(ev_first link "^[0-9]+: $bond: <([A-Z_-]+,)*UP[,>]")
    ovs=$(ev_first link "^[0-9]+: $bond: .* master ovs-system ")
    ev_before "devlink: both eswitches switchdev before the bond exists" "$last_sw" "$bond_new"
    ev_before "links: the last representor before the bond exists" "$reps" "$bond_new"
    ev_before "links: $m1 enslaved after the bond exists" "$bond_new" "$e1"
    ev_before "links: $m2 enslaved after the bond exists" "$bond_new" "$e2"
    ev_before "links: the bond up after $m1 is in" "$e1" "$up"
    ev_before "links: the bond up after $m2 is in" "$e2" "$up"
    ev_before "links: the bond an OVS port after it is up" "$up" "$ovs"
}

# wire_attach: the network behind the bond: namespace "wire", a Linux
# bridge holding 10.9.0.3 and two legs, each glued to one member uplink
# as bed_vf_attach glues a VF (what the uplink sends comes out of the leg,
# what the leg sends enters the uplink), as two switch ports would be.
wire_attach() {
    local i pf
    ip netns add wire || return
    ip -n wire link add wbr type bridge || return
    ip netns exec wire sysctl -qw net.ipv4.neigh.wbr.mcast_solicit=20
    for i in 1 2; do
        pf=$(bed_pf_netdev "netdevsim/netdevsim$i") || return
        ip link add "wire$i" type veth peer name "leg$i" netns wire &&
            ip -n wire link set "leg$i" master wbr up &&
            ip link set "wire$i" up &&
            tc qdisc add dev "wire$i" clsact &&
            tc filter add dev "wire$i" ingress matchall \
                action mirred ingress redirect dev "$pf" &&
            tc qdisc replace dev "$pf" root handle 1: prio &&
            tc filter add dev "$pf" parent 1: matchall \
                action mirred egress redirect dev "wire$i" || return
    done
    ip -n wire addr add 10.9.0.3/24 dev wbr && ip -n wire link set wbr up
}

# wire_detach: wire_attach undone (the namespace, the veths, the
# uplinks' redirect).
wire_detach() {
    local k
    ip netns del wire
    for k in 1 2; do
        ip link del "wire$k" 2>/dev/null
        tc qdisc del dev "$(bed_pf_netdev "netdevsim/netdevsim$k")" root 2>/dev/null
    done
    return 0
}

# leg_rx N: packets the wire received on leg N (from member N).
leg_rx() { ip -n wire -j -s link show "leg$1" | jq -r '.[0].stats64.rx.packets'; }

active_slave() {
    ip -d -j link show "$bond" | jq -r '.[0].linkinfo.info_data.active_slave // "none"'
}

# pings_ok WHEN: VF to VF across the PFs, each VF to the wire.
pings_ok() {
    bed_check "$1: vf0 (PF 1) -> vf1 (PF 2)" e2e_ping vf0 10.9.0.2
    bed_check "$1: vf0 -> the wire, through the bond" e2e_ping vf0 10.9.0.3
    bed_check "$1: vf1 -> the wire, through the bond" e2e_ping vf1 10.9.0.3
}

# carrier_loss: traffic through the bond while the active member's
# carrier is dropped (netdevsim-carrier.patch) and back: the bond fails
# over by itself; status names the member, the plan is empty and apply
# makes no step; the member stays enslaved.
carrier_loss() {
    local dl rep a k o t0 t1 rx0 rx1 cf st_before steps
    echo "== a member's carrier dropped and back, under traffic"
    for dl in netdevsim/netdevsim1 netdevsim/netdevsim2; do
        rep=$(bed_rep_netdev "$dl" 0)
        e2e_qos_noop "$rep" >/dev/null
    done
    bed_check "emulated VF 0 of PF 1" \
        bed_vf_attach vf0 "$(bed_rep_netdev netdevsim/netdevsim1 0)" 10.9.0.1/24 02:00:00:00:16:01
    bed_check "emulated VF 0 of PF 2" \
        bed_vf_attach vf1 "$(bed_rep_netdev netdevsim/netdevsim2 0)" 10.9.0.2/24 02:00:00:00:16:02
    bed_check "the wire behind both members" wire_attach
    pings_ok "both members up"

    a=$(active_slave)
    k=0
    for o in 1 2; do
        [ "$(bed_pf_netdev "netdevsim/netdevsim$o")" = "$a" ] && k=$o
    done
    bed_check "the active slave ($a) is a member" test "$k" != 0 || return
    o=$((3 - k))
    cf=/sys/kernel/debug/netdevsim/netdevsim$k/ports/0/carrier
    st_before=$(agentctl apply --json 2>/dev/null | jq -r '.stats.steps | [.[].done] | add // 0')
    bed_check_eq "converged before: apply makes no step" 0 "$st_before"

    t0=$(e2e_ms)
    bed_check "$a's carrier dropped ($cf)" sh -c "echo 0 >$cf"
    while [ "$(active_slave)" = "$a" ] && [ $(($(e2e_ms) - t0)) -lt 5000 ]; do
        sleep 0.05
    done
    t1=$(e2e_ms)
    bed_check_eq "the bond failed over by itself to the other member" \
        "$(bed_pf_netdev "netdevsim/netdevsim$o")" "$(active_slave)"
    echo "   failover: $((t1 - t0)) ms after the carrier drop (miimon 100 ms)"
    bed_check_eq "$a: operstate DOWN, still enslaved" "DOWN $bond" \
        "$(ip -j link show "$a" | jq -r '.[0] | "\(.operstate) \(.master)"')"
    rx0=$(leg_rx "$o")
    pings_ok "$a without carrier"
    rx1=$(leg_rx "$o")
    bed_check "the wire received through the other member ($rx0 -> $rx1 packets)" \
        test "${rx1:-0}" -gt "${rx0:-0}"

    e2e_status
    bed_check_eq "status: $a enslaved, no carrier" "true false" \
        "$(printf '%s\n' "$E2E_ST" | jq -r --arg m "$a" \
            '.bonds[0].members[] | select(.netdev == $m) | "\(.enslaved) \(.carrier)"')"
    bed_check "status: a problem names $a without carrier" sh -c \
        "printf '%s\n' \"\$1\" | jq -e --arg m '$a' \
            '[.problems[] | select(.object == \$m and (.message | test(\"no carrier\")))] | length == 1'" \
        _ "$E2E_ST"
    bed_check_eq "plan: nothing to repair" "" "$(plan_actions)"
    steps=$(agentctl apply --json 2>/dev/null | jq -r '.stats.steps | [.[].done] | add // 0')
    bed_check_eq "apply makes no step" 0 "$steps"
    bed_check_eq "$a: still without carrier and enslaved after apply" "0 $bond" \
        "$(cat "$cf") $(master_of "$a")"

    bed_check "$a's carrier restored" sh -c "echo 1 >$cf"
    t0=$(e2e_ms)
    while ! ip -j link show "$a" | jq -e '.[0].operstate == "UP"' >/dev/null &&
        [ $(($(e2e_ms) - t0)) -lt 5000 ]; do
        sleep 0.05
    done
    sleep 0.3 # the bond's next miimon tick
    e2e_status
    bed_check_eq "status: both members with carrier, no carrier problem" "true true 0" \
        "$(printf '%s\n' "$E2E_ST" | jq -r '[.bonds[0].members[].carrier | tostring] + [[.problems[] | select(.message | test("no carrier"))] | length | tostring] | join(" ")')"
    bed_check_eq "the bond's members both up in the kernel" "up up" \
        "$(ip -d -j link show "$a" | jq -r '.[0].linkinfo.info_slave_data.mii_status | ascii_downcase') $(ip -d -j link show "$(bed_pf_netdev "netdevsim/netdevsim$o")" | jq -r '.[0].linkinfo.info_slave_data.mii_status | ascii_downcase')"
    pings_ok "$a back"
    bed_check_eq "plan: nothing to do" "" "$(plan_actions)"
    for dl in vf0 vf1; do bed_vf_detach "$dl"; done
    wire_detach
}

# applied_steps JSON: the steps an `agentctl apply --json` made, as
# "action=N,..." (only those done).
applied_steps() {
    printf '%s\n' "$1" | jq -r '.stats.steps | to_entries | sort_by(.key)
        | map(select(.value.done > 0) | "\(.key)=\(.value.done)") | join(",")'
}

# bond_opt NAME: the bond's option NAME as ip -d reports it.
bond_opt() {
    ip -d -j link show "$bond" | jq -r --arg o "$1" '.[0].linkinfo.info_data[$o]'
}

# bond_opts: "MODE LACP_RATE XMIT_HASH_POLICY UP" as ip -d reports them.
bond_opts() {
    ip -d -j link show "$bond" | jq -r '.[0] | .linkinfo.info_data as $d |
        "\($d.mode) \($d.ad_lacp_rate) \($d.xmit_hash_policy) \(.flags | index("UP") != null)"'
}

# members_kept WHEN: from the link events captured during an apply (mon
# "link"), no member shown out of the bond: every event of a member's
# link names the bond as its master.
members_kept() {
    local m n out
    for m in $(bed_pf_netdev netdevsim/netdevsim1) $(bed_pf_netdev netdevsim/netdevsim2); do
        read -r n out < <(awk -v m="$m" -v b="$bond" '
            $2 ~ "^[0-9]+:$" && ($3 == m ":" || index($3, m "@") == 1) {
                n++; if (index($0, " master " b " ") == 0) out++ }
            END { print n + 0, out + 0 }' "$work/mon-link")
        bed_check_eq "$1: $m never out of $bond ($n events of its link, all with master $bond)" 0 "$out"
    done
}

# bond_downs: how many of the link events captured during an apply (mon
# "link") show the bond without IFF_UP.
bond_downs() {
    sed -E 's/^[0-9]+ //' "$work/mon-link" | grep -E "^[0-9]+: $bond: " |
        grep -vcE "<([A-Z_-]+,)*UP[,>]" || true
}

# options_live: a miimon change while the bond carries traffic (VF 0 of
# PF 1 pinging the wire through it every 100 ms): one set-bond-options,
# live, in plan and apply; the bond never down, its members never
# released (the kernel's link events), no ping lost; the same bond
# (ifindex) and OVS port (uuid) after it, with the new miimon.
options_live() {
    local plan ifi uuid pid json stats
    echo "== the spec changes miimon: set live, under traffic"
    # carrier_loss's glue left a filter to its (deleted) veth there.
    tc qdisc del dev "$(bed_rep_netdev netdevsim/netdevsim1 0)" root 2>/dev/null
    e2e_qos_noop "$(bed_rep_netdev netdevsim/netdevsim1 0)" >/dev/null
    bed_check "emulated VF 0 of PF 1" \
        bed_vf_attach vf0 "$(bed_rep_netdev netdevsim/netdevsim1 0)" 10.9.0.1/24 02:00:00:00:16:01
    bed_check "the wire behind both members" wire_attach
    bed_check "vf0 -> the wire, through the bond" e2e_ping vf0 10.9.0.3
    jq '.bonds[0].miimon = 250' "$work/bonded.json" >"$spec"
    plan=$(agentctl plan --json 2>/dev/null)
    bed_check_eq "plan: one step, set-bond-options, live, miimon 250" \
        "1 set-bond-options true 250" \
        "$(printf '%s\n' "$plan" | jq -r '"\(.steps | length) \(.steps[0].action) \(.steps[0].live) \(.steps[0].miimon_ms)"')"
    ifi=$(ip -j link show "$bond" | jq -r '.[0].ifindex')
    uuid=$(ovs-vsctl get Port "$bond" _uuid)
    ip netns exec vf0 ping -i 0.1 10.9.0.3 >"$work/ping-live" 2>&1 &
    pid=$!
    mon_start link ip -o monitor link
    sleep 0.5
    json=$(agentctl apply --json 2>/dev/null)
    bed_check_eq "apply: exit 0, converged" "0 true" "$? $(printf '%s\n' "$json" | jq -r '.converged')"
    sleep 0.5
    mon_stop
    kill -INT "$pid"
    wait "$pid"
    bed_check_eq "apply: one step, set-bond-options" set-bond-options=1 "$(applied_steps "$json")"
    bed_check_eq "$bond: miimon 250, the same link (ifindex $ifi), the same OVS port" \
        "250 $ifi $uuid" \
        "$(bond_opt miimon) $(ip -j link show "$bond" | jq -r '.[0].ifindex') $(ovs-vsctl get Port "$bond" _uuid)"
    bed_check_eq "links: $bond never down during the apply" 0 "$(bond_downs)"
    members_kept "links"
    stats=$(grep -E 'packets transmitted' "$work/ping-live")
    echo "   ping during the apply: $stats"
    bed_check "pings through the bond during the apply: sent, none lost but the one in flight" \
        sh -c "printf '%s\n' '$stats' | awk '{ exit !(\$1 >= 10 && \$4 >= \$1 - 1) }'"
    e2e_status
    bed_check_eq "status: miimon_ms 250" 250 \
        "$(printf '%s\n' "$E2E_ST" | jq -r '.bonds[0].miimon_ms')"
    bed_vf_detach vf0
    wire_detach
}

# apply_watched WHAT: agentctl apply --json with the kernel's link events
# captured (mon "link"); its JSON in APPLIED.
apply_watched() {
    local rc
    mon_start link ip -o monitor link
    sleep 0.5
    APPLIED=$(agentctl apply --json 2>/dev/null)
    rc=$?
    sleep 0.3
    mon_stop
    bed_check_eq "$1: apply exits 0, converged" "0 true" \
        "$rc $(printf '%s\n' "$APPLIED" | jq -r '.converged')"
}

# options_8023ad: the bond made 802.3ad (the safe sequence), then its
# lacp_rate changed: the kernel takes it only on a bond that is down, so
# the bond is set down and up again, its members enslaved throughout;
# then its xmit_hash_policy: live.
options_8023ad() {
    local plan downs
    echo "== 802.3ad: lacp_rate (the bond down and up), xmit_hash_policy (live)"
    jq '.bonds[0].mode = "802.3ad"' "$work/bonded.json" >"$spec"
    bed_check "mode 802.3ad: agentctl apply exits 0" agentctl apply
    bed_check_eq "$bond: 802.3ad, lacp_rate slow, layer2, up" \
        "802.3ad slow layer2 true" "$(bond_opts)"

    jq '.bonds[0].mode = "802.3ad" | .bonds[0].lacp_rate = "fast"' \
        "$work/bonded.json" >"$spec"
    plan=$(agentctl plan --json 2>/dev/null)
    bed_check_eq "plan: set-bond-options (not live, lacp_rate fast), set-link-up $bond" \
        "set-bond-options,set-link-up false fast $bond" \
        "$(printf '%s\n' "$plan" | jq -r '"\([.steps[].action] | join(",")) \(.steps[0].live) \(.steps[0].lacp_rate) \(.steps[1].netdev)"')"
    apply_watched "lacp_rate fast"
    bed_check_eq "apply: set-bond-options and set-link-up, nothing else" \
        "set-bond-options=1,set-link-up=1" "$(applied_steps "$APPLIED")"
    bed_check_eq "$bond: lacp_rate fast, layer2, up" "802.3ad fast layer2 true" \
        "$(bond_opts)"
    downs=$(bond_downs)
    bed_check "links: $bond was set down for it ($downs events)" test "$downs" -gt 0
    members_kept "links (lacp_rate)"

    jq '.bonds[0].mode = "802.3ad" | .bonds[0].lacp_rate = "fast" |
        .bonds[0].xmit_hash_policy = "layer3+4"' "$work/bonded.json" >"$spec"
    plan=$(agentctl plan --json 2>/dev/null)
    bed_check_eq "plan: one set-bond-options, live, layer3+4" \
        "set-bond-options true layer3+4" \
        "$(printf '%s\n' "$plan" | jq -r '"\([.steps[].action] | join(",")) \(.steps[0].live) \(.steps[0].xmit_hash_policy)"')"
    apply_watched "xmit_hash_policy layer3+4"
    bed_check_eq "apply: set-bond-options only" set-bond-options=1 \
        "$(applied_steps "$APPLIED")"
    bed_check_eq "$bond: layer3+4, lacp_rate still fast, up" \
        "802.3ad fast layer3+4 true" "$(bond_opts)"
    bed_check_eq "links: $bond never down (hash)" 0 "$(bond_downs)"
    members_kept "links (hash)"
    e2e_status
    bed_check_eq "status: 802.3ad, layer3+4, fast" "802.3ad layer3+4 fast" \
        "$(printf '%s\n' "$E2E_ST" | jq -r '.bonds[0] | "\(.mode) \(.xmit_hash_policy) \(.lacp_rate)"')"
}

# memberless_dropped: the bond of the agent's, its members released by
# hand, then dropped from the spec: no uplink names it any more, its mark
# does: out of OVS and deleted, no release; a bond made by hand under
# another name stays. Each uplink is its PF's own port again.
memberless_dropped() {
    local m acts
    echo "== a bond of the agent's left without members, then dropped"
    cp "$work/bonded.json" "$spec"
    timed_apply "the bond formed again"
    bed_check_eq "$bond: formed" "$bond $bond" \
        "$(master_of "$(bed_pf_netdev netdevsim/netdevsim1)") $(master_of "$(bed_pf_netdev netdevsim/netdevsim2)")"
    bed_check "ip link add oahand0 type bond (by hand)" ip link add oahand0 type bond
    for m in $(bed_pf_netdev netdevsim/netdevsim1) $(bed_pf_netdev netdevsim/netdevsim2); do
        bed_check "ip link set $m nomaster" ip link set "$m" nomaster
    done
    jq 'del(.bonds)' "$work/bonded.json" >"$spec"
    acts=$(plan_actions)
    echo "   plan: $acts"
    bed_check_eq "plan: $bond out of OVS, then deleted; no release" \
        "detach-port,delete-bond 0" \
        "$(grep -o 'detach-port,delete-bond' <<<"$acts") $(grep -c release <<<"$acts")"
    timed_apply "memberless bond dropped"
    bed_check "$bond deleted" sh -c "! ip link show $bond 2>/dev/null"
    bed_check_eq "oahand0 (not the agent's) left alone" "oahand0 none" \
        "$(ip -j link show oahand0 | jq -r '.[0] | "\(.ifname) \(.ifalias // "none")"')"
    for m in $(bed_pf_netdev netdevsim/netdevsim1) $(bed_pf_netdev netdevsim/netdevsim2); do
        bed_check_eq "uplink $m: its own port of $bridge" "$bridge" "$(port_of "$m")"
    done
    bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
    ip link del oahand0
    cp "$work/bonded.json" "$spec"
}
