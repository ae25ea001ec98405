#!/bin/bash
# Bed smoke test (runs inside the guest: tests/bed/run): netdevsim in
# switchdev with 2 VFs, representors found by identity, an OVS bridge with
# hw-offload over the uplink and the representors, pings between two
# emulated VFs across the bridge, then what the kernel and OVS say about
# offload. Scenarios (one or more, run in order in the same boot):
#   offload           patched driver, hw-tc-offload on: flows offloaded,
#                     representor flower rules in_hw
#   no-hw-tc-offload  patched driver, hw-tc-offload off: rules not_in_hw,
#                     nothing offloaded
#   stock-driver      netdevsim.tc_offload=0 (stock behaviour), hw-tc-offload
#                     on: rules not_in_hw, nothing offloaded
# Uses devlink, tc, ethtool and ovs-vsctl on purpose: it checks the bed, not
# the project's code. Prints PASS/FAIL per check; exits 1 on any failure.
set -uo pipefail
# shellcheck source-path=SCRIPTDIR source=lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/lib.sh}"

[ $# -gt 0 ] || set -- offload

nsim_id=7
bridge=br-oa

# Counts the flow lines of an offloaded-flows dump.
count_lines() {
    grep -c . || true
}

scenario() {
    local mode=$1 tc_offload=1 hw_tc=on expect_hw=1
    case "$mode" in
        offload) ;;
        no-hw-tc-offload) hw_tc=off expect_hw=0 ;;
        stock-driver) tc_offload=0 expect_hw=0 ;;
        *) bed_fail "unknown scenario $mode"; return ;;
    esac
    echo "== scenario $mode (netdevsim tc_offload=$tc_offload, hw-tc-offload $hw_tc)"

    modprobe netdevsim || { bed_fail "modprobe netdevsim"; return; }
    echo "$tc_offload" >/sys/module/netdevsim/parameters/tc_offload
    bed_check "netdevsim device $nsim_id created (max_vfs 8)" bed_nsim_new "$nsim_id" 1 8 || return
    local dl
    dl=$(bed_nsim_devlink "$nsim_id")
    bed_check "eswitch set to switchdev" bed_eswitch "$dl" switchdev
    bed_check "2 VFs created" bed_nsim_numvfs "$nsim_id" 2
    bed_check_eq "eswitch mode after VFs" switchdev "$(bed_eswitch "$dl")"

    local pf rep0 rep1 sw
    bed_wait_for 10 bed_rep_netdev "$dl" 1
    pf=$(bed_pf_netdev "$dl") && rep0=$(bed_rep_netdev "$dl" 0) &&
        rep1=$(bed_rep_netdev "$dl" 1)
    if [ -z "$pf" ] || [ -z "$rep0" ] || [ -z "$rep1" ]; then
        bed_fail "uplink and representors found by devlink port flavour"
        devlink port show
        return
    fi
    bed_pass "uplink $pf, representors $rep0 (vf 0), $rep1 (vf 1) found by devlink port flavour"
    sw=$(bed_switch_id "$pf")
    bed_check_eq "vf 0 representor by phys_port_name pf0vf0" "$rep0" \
        "$(bed_netdev_by_port_name "$sw" pf0vf0)"
    bed_check_eq "vf 1 representor by phys_port_name pf0vf1" "$rep1" \
        "$(bed_netdev_by_port_name "$sw" pf0vf1)"

    local dev
    for dev in "$pf" "$rep0" "$rep1"; do
        ip link set "$dev" up
        bed_check "hw-tc-offload $hw_tc on $dev" bed_hw_tc_offload "$dev" "$hw_tc"
    done

    bed_check "OVS started with hw-offload=true" \
        bed_ovs_start hw-offload=true max-idle=60000 || return
    bed_check "bridge $bridge created" ovs-vsctl add-br "$bridge"
    for dev in "$pf" "$rep0" "$rep1"; do
        bed_check "port $dev added (qos linux-noop)" bed_ovs_add_port "$bridge" "$dev"
    done
    bed_check "ovs-vswitchd runs upcall handler threads" bed_ovs_upcall_handlers_ok
    bed_check "emulated VF 0 behind $rep0" bed_vf_attach vf0 "$rep0" 10.9.0.1/24
    bed_check "emulated VF 1 behind $rep1" bed_vf_attach vf1 "$rep1" 10.9.0.2/24
    ip link set "$bridge" up

    # -w: keep trying for up to 20 s until the count of replies arrived
    # (the first packets wait for upcalls and ARP; TCG on a busy host is slow).
    bed_check "ping VF 0 -> VF 1 across $bridge" \
        ip netns exec vf0 ping -c 4 -i 0.3 -w 20 10.9.0.2
    bed_check "ping VF 1 -> VF 0 across $bridge" \
        ip netns exec vf1 ping -c 2 -i 0.3 -w 20 10.9.0.1

    local flows in_hw not_in_hw rep
    flows=$(bed_ovs_offloaded_flows 2>&1)
    for rep in "$rep0" "$rep1"; do
        in_hw=$(bed_tc_count "$rep" in_hw)
        not_in_hw=$(bed_tc_count "$rep" not_in_hw)
        echo "   $rep ingress: $in_hw in_hw, $not_in_hw not_in_hw"
        if [ "$expect_hw" = 1 ]; then
            bed_check "$rep has in_hw flower rules" test "${in_hw:-0}" -gt 0
            bed_check_eq "$rep has no not_in_hw rules" 0 "$not_in_hw"
        else
            bed_check "$rep has not_in_hw flower rules (OVS used tc)" \
                test "${not_in_hw:-0}" -gt 0
            bed_check_eq "$rep has no in_hw rules" 0 "$in_hw"
        fi
    done
    if [ "$expect_hw" = 1 ]; then
        # The unicast IPv4 flows of the pings, both ways.
        bed_check_eq "dpctl/dump-flows type=offloaded: IPv4 flows in tc, from each VF" 2 \
            "$(printf '%s\n' "$flows" |
                grep -E "in_port\(($rep0|$rep1)\).*eth_type\(0x0800\).*offloaded:yes, dp:tc" |
                count_lines)"
    else
        bed_check_eq "dpctl/dump-flows type=offloaded lists nothing" 0 \
            "$(printf '%s' "$flows" | count_lines)"
    fi
    if [ "${VERBOSE:-0}" != 0 ] || [ "$bed_failures" != 0 ]; then
        echo "--- dpctl/dump-flows -m (all)"
        ovs-appctl dpctl/dump-flows -m
        echo "--- tc filter show dev $rep0 ingress"
        tc filter show dev "$rep0" ingress
        echo "--- links, VF namespaces, bridge"
        ip -br link
        ip -n vf0 -br addr; ip -n vf0 neigh
        ip -n vf1 -br addr; ip -n vf1 neigh
        ovs-vsctl show
        ovs-ofctl dump-flows "$bridge"
        ovs-appctl dpctl/show -s
        echo "--- mirred glue: VF 0 -> $rep0, $rep0 -> VF 0; $rep0 counters"
        tc -s filter show dev vf0w ingress
        tc -s filter show dev "$rep0"
        ip -s link show "$rep0"
        echo "--- ovs-vswitchd.log (last 60 lines)"
        bed_ovs_log | tail -60
    fi

    # Teardown, so that the next scenario starts from scratch.
    bed_vf_detach vf0
    bed_vf_detach vf1
    bed_ovs_stop
    bed_check "netdevsim device $nsim_id removed" bed_nsim_del "$nsim_id"
}

for mode in "$@"; do
    scenario "$mode"
done
bed_summary
