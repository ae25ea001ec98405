#!/bin/bash
# In the kernel test bed, two netdevsim PFs under the mlx5 personality
# and a spec bonding their uplinks (VF-LAG, issue 16): from blank,
# `agentctl apply` takes both PFs to switchdev with 4 VFs each, creates
# the bond (marked as the agent's), enslaves both uplinks, sets it up
# and makes the bond, not the uplinks, the bridge's port, in one apply
# (its time printed: the converge time of 2 PFs x 4 VFs with a bond).
# The order is judged from the kernel's own events (devlink monitor and
# ip monitor link, captured during the apply): both eswitches switchdev
# (their VF ports announced) before the bond exists, each member enslaved
# after that, the bond up after both are in, the bond an OVS port after it
# is up. Then traffic (emulated VFs on each PF, a wire behind both
# members) while the active member's carrier is dropped
# (netdevsim-carrier.patch) and back: the bond fails over by itself,
# status names the member, the agent plans and makes no step. Then drift,
# each repaired by apply: a member released by hand, the bond deleted, the
# bond's OVS port removed. Then changes: the spec's mode changed (the bond
# out of OVS, members released, the mode set, all back) and the bond
# dropped from the spec (deleted, each uplink its PF's port again). Option
# changes the least disruptive way the kernel allows: miimon set live
# while a VF pings the wire through the bond (one set-bond-options, the
# bond never down, members never out, no ping lost), in 802.3ad lacp_rate
# (the bond set down and up, members kept) and xmit_hash_policy (live).
# A bond of the agent's whose members were released by hand, then dropped
# from the spec, is deleted (found by its mark); a hand-made bond of
# another name stays. Last, a bond of that name made by hand is a
# blocker, not taken over.
#
# Not here: netdevsim's VFs are not PCI functions (nothing to bind, so
# "VFs bound after the bond is up" is a planner unit test).
#
# usage: bed-agent-vflag.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
bridge="ovs-sriov"
bond=oabond0
work=$(mktemp -d /tmp/e2e-vflag.XXXXXX)
spec=$work/host.json
E2E_SPEC=$spec
E2E_STATE_DIR=$work/state
mon_pids=()
agentctl() { e2e_agentctl "$@"; }

cleanup() {
    mon_stop
    for ns in vf0 vf1; do bed_vf_detach "$ns"; done
    ip netns del wire 2>/dev/null
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

plan_actions() {
    agentctl plan --json 2>/dev/null | jq -r '[.steps[].action] | join(",")'
}
master_of() { ip -j link show "$1" | jq -r '.[0].master // "none"'; }
port_of() { ovs-vsctl port-to-br "$1" 2>/dev/null || echo none; }

timed_apply() {
    local t0
    t0=$(e2e_ms)
    bed_check "$1: agentctl apply exits 0" agentctl apply
    echo "vflag-time $1: $(($(e2e_ms) - t0)) ms"
}

# bonded_ok [MODE]: the host as the spec wants it (the bond in MODE,
# active-backup by default), judged with ip, devlink and ovs-vsctl.
bonded_ok() {
    local dl m mode=${1:-active-backup}
    for dl in netdevsim/netdevsim1 netdevsim/netdevsim2; do
        bed_check_eq "$dl: switchdev" switchdev "$(bed_eswitch "$dl")"
        m=$(bed_pf_netdev "$dl")
        bed_check_eq "$dl: uplink $m enslaved to $bond" "$bond" "$(master_of "$m")"
        bed_check_eq "$dl: uplink $m not an OVS port" none "$(port_of "$m")"
        bed_check_eq "$dl: VF 3's representor in $bridge" "$bridge" \
            "$(port_of "$(bed_rep_netdev "$dl" 3)")"
    done
    bed_check_eq "$bond: $mode, miimon 100" "$mode 100" \
        "$(ip -d -j link show "$bond" |
            jq -r '.[0].linkinfo.info_data | "\(.mode) \(.miimon)"')"
    bed_check_eq "$bond: marked as the agent's" offload-agent \
        "$(ip -j link show "$bond" | jq -r '.[0].ifalias')"
    bed_check "$bond: up" sh -c "ip -j link show $bond | jq -e '.[0].flags | index(\"UP\")'"
    bed_check_eq "$bond: the port of $bridge" "$bridge" "$(port_of "$bond")"
    bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
}

# shellcheck source-path=SCRIPTDIR source=bed-agent-vflag-lib.sh
. "$here/bed-agent-vflag-lib.sh"

bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on ||
    { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
for id in 1 2; do
    bed_check "netdevsim$id created (1 port, max_vfs 8)" bed_nsim_new "$id" 1 8 ||
        { bed_summary; exit; }
done
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
cat >"$spec" <<EOF
{
  "version": 1,
  "ovs": { "max_idle_ms": 60000 },
  "bridges": [ { "name": "$bridge" } ],
  "pfs": [
    { "devlink": "netdevsim/netdevsim1", "num_vfs": 4, "bridge": "$bridge" },
    { "devlink": "netdevsim/netdevsim2", "num_vfs": 4, "bridge": "$bridge" }
  ],
  "bonds": [
    { "name": "$bond", "mode": "active-backup",
      "pfs": [ { "devlink": "netdevsim/netdevsim1" },
               { "devlink": "netdevsim/netdevsim2" } ],
      "bridge": "$bridge" }
  ]
}
EOF
bed_check "the spec validates" agentctl validate "$spec"

echo "== blank -> bonded, switchdev, 2 PFs x 4 VFs, in one apply"
mon_start link ip -o monitor link
mon_start devlink devlink monitor port
sleep 0.5
timed_apply "2 PFs x 4 VFs with a bond, from blank"
sleep 0.5
mon_stop
bonded_ok

e2e_status
bed_check_eq "status: converged (exit 0)" "true 0" \
    "$(printf '%s\n' "$E2E_ST" | jq -r .converged) $E2E_STATUS_RC"
bed_check_eq "status: the bond, its mode, both members in, LAG state, bridge" \
    "$bond active-backup true true not exposed $bridge" \
    "$(printf '%s\n' "$E2E_ST" | jq -r '.bonds[0] |
        "\(.name) \(.mode) \(.members[0].enslaved) \(.members[1].enslaved) \(.lag_state) \(.bridge)"')"
bed_check_eq "status: the active slave is the one ip names" \
    "$(ip -d -j link show "$bond" | jq -r '.[0].linkinfo.info_data.active_slave')" \
    "$(printf '%s\n' "$E2E_ST" | jq -r '.bonds[0].active_slave')"

events_order
carrier_loss

echo "== drift: a member released by hand"
m2=$(bed_pf_netdev netdevsim/netdevsim2)
bed_check "ip link set $m2 nomaster" ip link set "$m2" nomaster
bed_check_eq "plan: enslave" enslave "$(plan_actions)"
timed_apply "member re-enslaved"
bonded_ok

echo "== drift: the bond deleted"
bed_check "ip link del $bond" ip link del "$bond"
timed_apply "bond recreated"
bonded_ok

echo "== drift: the bond's OVS port removed"
bed_check "ovs-vsctl del-port $bond" ovs-vsctl del-port "$bridge" "$bond"
bed_check_eq "plan: add-port" add-port "$(plan_actions)"
timed_apply "bond port re-added"
bonded_ok

cp "$spec" "$work/bonded.json"
options_live

echo "== the spec changes the bond's mode"
jq '.bonds[0].mode = "balance-xor"' "$work/bonded.json" >"$spec"
bed_check_eq "plan: out of OVS, members released, then the mode" \
    "detach-port,release,release,set-bond" "$(plan_actions)"
timed_apply "mode changed"
bonded_ok balance-xor
options_8023ad

echo "== the bond dropped from the spec (the PFs keep their bridge)"
jq 'del(.bonds)' "$work/bonded.json" >"$spec"
bed_check_eq "plan: out of OVS, members released, the bond deleted" \
    "detach-port,release,release,delete-bond" \
    "$(plan_actions | cut -d, -f1-4)"
timed_apply "bond dropped"
bed_check "$bond deleted" sh -c "! ip link show $bond 2>/dev/null"
for dl in netdevsim/netdevsim1 netdevsim/netdevsim2; do
    m=$(bed_pf_netdev "$dl")
    bed_check_eq "$dl: uplink $m released (master ovs-system: an OVS port), up, its own port of $bridge" \
        "ovs-system true $bridge" \
        "$(master_of "$m") $(ip -j link show "$m" | jq '.[0].flags | index("UP") != null') $(port_of "$m")"
done
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
cp "$work/bonded.json" "$spec"
memberless_dropped

echo "== a bond of that name made by hand"
ip link del "$bond" 2>/dev/null
bed_check "ip link add $bond type bond (not the agent's)" \
    ip link add "$bond" type bond
e2e_status
bed_check "status: not converged (exit $E2E_STATUS_RC)" test "$E2E_STATUS_RC" != 0
bed_check_eq "status: the blocker names the foreign bond" true \
    "$(printf '%s\n' "$E2E_ST" |
        jq '[.. | strings | select(test("was not created by the agent"))] | length > 0')"
agentctl apply >/dev/null 2>&1
bed_check_eq "apply leaves it alone: no alias, no member" "none none" \
    "$(ip -j link show "$bond" | jq -r '.[0].ifalias // "none"') $(master_of "$m2")"
bed_summary
