#!/bin/bash
# In the kernel test bed: eswitch mode changes of a host whose uplink and
# representors carry offloaded tc rules. netdevsim's mlx5 personality
# (mlx5_esw_busy=1) refuses every eswitch mode set with EBUSY "Can't change
# mode, E-Switch is busy" while any flower rule is offloaded on the
# device's ports, as mlx5 does; OVS removes a port's rules with the port
# (its revalidators, a few hundred ms after it reported the port gone).
# The agent must take the uplink's and the representors' OVS ports out
# before the change, wait for their rules to go, and put them back after,
# in the same apply. Each scenario starts from a blank device the agent
# converged, whatever the one before left:
#   (a) switchdev -> legacy, with rules on the uplink and representors;
#   (b) legacy -> switchdev, with rules on the uplink in legacy;
#   (c) the steering mode dmfs -> smfs (through legacy), with rules;
#   (d) a rule that is not OVS's (skip_sw, by hand, on a representor that
#       is no OVS port): the kernel refuses anyway; apply exits 1 with the
#       kernel's text, the uplink is a port of the bridge again, and once
#       the rule is gone the next apply converges.
# Traffic: emulated VFs behind the representors and an emulated host on
# the wire behind the uplink (namespaces + mirred, tests/bed/lib.sh).
# Judged with devlink, ip, tc and ovs-vsctl; converge times printed.
#
# usage: bed-agent-modechange.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-modechange.XXXXXX)
spec=$work/host.json
mac0=02:00:00:00:01:00
mac1=02:00:00:00:01:01
E2E_SPEC=$spec
agentctl() { e2e_agentctl "$@"; }

flower() { bed_nsim_flower_rules "$nsim_id"; }

# spec_edit JQ: the spec, changed by jq filter JQ.
spec_edit() {
    jq "$1" "$spec" >"$spec.tmp" && mv -f "$spec.tmp" "$spec"
}

steering() {
    devlink -j dev param show "$dl" name flow_steering_mode |
        jq -r '.param[][0].values[0].value'
}

plan_actions() {
    agentctl plan --json 2>/dev/null | jq -r '[.steps[].action] | join(",")'
}

# uplink_around_kernel PLAN_JSON PF: the plan detaches PF's port before
# its first kernel step and adds it back after its last one.
uplink_around_kernel() {
    printf '%s\n' "$1" | jq -e --arg pf "$2" '
        [.steps[] | .action] as $a
        | ([.steps | to_entries[]
            | select(.value.action == "detach-port" and .value.port == $pf)
            | .key] | first) as $detach
        | ([.steps | to_entries[]
            | select(.value.action == "add-port" and .value.port == $pf)
            | .key] | first) as $add
        | ([$a | to_entries[]
            | select(.value | test("^(set-numvfs|set-eswitch|set-steering-mode)$"))
            | .key]) as $kernel
        | $detach != null and $add != null and ($kernel | length) > 0
          and $detach < ($kernel | min) and $add > ($kernel | max)' >/dev/null || {
        bed_log "plan: $(printf '%s\n' "$1" | jq -c '[.steps[] | [.action, .port // .object]]')"
        return 1
    }
}

# uplink_attached PF: PF is a port of the bridge, with an ofport.
uplink_attached() {
    local got
    got=$(ovs-vsctl port-to-br "$1" 2>&1) || { bed_log "$1: $got"; return 1; }
    [ "$got" = "$bridge" ] || { bed_log "$1 in $got"; return 1; }
    e2e_iface_ok "$1"
}

# legacy_ok: the host as the legacy spec says, with the standard tools:
# eswitch legacy, 2 VFs with their MACs, no representor, the uplink (up)
# the bridge's only port.
legacy_ok() {
    local bad=0 got pf
    got=$(bed_eswitch "$dl")
    [ "$got" = legacy ] || { bed_log "eswitch $got"; bad=1; }
    got=$(cat "$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs")
    [ "$got" = 2 ] || { bed_log "sriov_numvfs $got"; bad=1; }
    bed_nsim_vf_ports "$nsim_id" 0 || { bed_log "representors left"; bad=1; }
    pf=$(bed_pf_netdev "$dl") || return 1
    got=$(bed_vf_info "$pf" 0 .address)
    [ "$got" = "$mac0" ] || { bed_log "vf 0 mac $got"; bad=1; }
    got=$(bed_vf_info "$pf" 1 .address)
    [ "$got" = "$mac1" ] || { bed_log "vf 1 mac $got"; bad=1; }
    got=$(e2e_ovs_ports "$bridge")
    [ "$got" = "$pf" ] || { bed_log "ports of $bridge: $got"; bad=1; }
    uplink_attached "$pf" || bad=1
    e2e_link_up "$pf" || { bed_log "uplink $pf down"; bad=1; }
    return "$bad"
}

# traffic: emulated VFs vf0, vf1 behind the representors and a host on
# the wire behind the uplink; pings across the bridge, until the tc rule
# counts settle. Sets pf, rep0, rep1.
traffic() {
    local ns
    pf=$(bed_pf_netdev "$dl") && rep0=$(bed_rep_netdev "$dl" 0) &&
        rep1=$(bed_rep_netdev "$dl" 1) || return
    for ns in vf0 vf1 wire; do
        bed_vf_detach "$ns"
    done
    for ns in "$pf" "$rep0" "$rep1"; do
        e2e_qos_noop "$ns" >/dev/null || return
    done
    bed_vf_attach vf0 "$rep0" 10.9.0.1/24 "$mac0" &&
        bed_vf_attach vf1 "$rep1" 10.9.0.2/24 "$mac1" &&
        bed_vf_attach wire "$pf" 10.9.0.3/24 02:00:00:00:09:09 || return
    ip link set "$bridge" up
    e2e_ping vf0 10.9.0.2 >/dev/null || { bed_log "ping vf0 -> vf1 failed"; return 1; }
    e2e_ping wire 10.9.0.1 >/dev/null || { bed_log "ping wire -> vf0 failed"; return 1; }
    e2e_ping vf1 10.9.0.3 >/dev/null || { bed_log "ping vf1 -> wire failed"; return 1; }
    e2e_tc_settle "$pf" "$rep0" "$rep1" || bed_log "tc rule counts still moving after 10 s"
}

# rules_offloaded WHERE: OVS's rules are in hardware on the uplink (and
# counted by the device, what mlx5_esw_busy refuses for).
rules_offloaded() {
    local up n
    up=$(bed_tc_count "$pf" in_hw)
    n=$(flower)
    echo "   $1: $up rules in_hw on the uplink $pf, $n flower rules offloaded on the device"
    bed_check "$1: rules in_hw on the uplink ($up)" test "${up:-0}" -gt 0
    bed_check "$1: the device counts offloaded flower rules ($n)" \
        test "${n:-0}" -gt 0
}

# timed_apply DESC: agentctl apply, its exit code in APPLY_RC and its
# output in APPLY_OUT; prints the time it took ("converge-time DESC").
timed_apply() {
    local t0
    t0=$(e2e_ms)
    APPLY_RC=0
    APPLY_OUT=$(agentctl apply 2>&1) || APPLY_RC=$?
    echo "converge-time $1: $(($(e2e_ms) - t0)) ms (exit $APPLY_RC)"
    # How long OVS took to remove the detached ports' rules (apply says).
    printf '%s\n' "$APPLY_OUT" | grep -o '[^;]* in hardware on the detached ports after [0-9]* ms' |
        uniq | sed 's/^ */   detach: /'
}

# apply_ok DESC: timed_apply, which must exit 0.
apply_ok() {
    timed_apply "$1"
    bed_check_eq "$1: agentctl apply exit code" 0 "$APPLY_RC" ||
        printf '%s\n' "$APPLY_OUT" | tail -15 | sed 's/^/    apply: /'
}

# fresh_host ESWITCH [VF...]: a blank netdevsim device and no bridge, then
# `agentctl apply` of a 2-VF spec (VFs as e2e_write_spec takes them) in
# ESWITCH mode: each scenario starts from there, whatever the one before
# left (with an agent that fails one, the next still shows its own).
fresh_host() {
    local mode=$1 ns
    shift
    for ns in vf0 vf1 wire; do
        bed_vf_detach "$ns"
    done
    ovs-vsctl --if-exists del-br "$bridge"
    bed_nsim_del "$nsim_id" 2>/dev/null
    bed_nsim_new "$nsim_id" 1 8 &&
        e2e_write_spec "$spec" "$dl" "$bridge" 2 "$@" &&
        spec_edit ".pfs[0].eswitch = \"$mode\"" || return
    agentctl apply >/dev/null 2>&1 || { bed_log "apply from blank failed"; return 1; }
    pf=$(bed_pf_netdev "$dl")
}

# wire_traffic: only the host on the wire behind the uplink (legacy: no
# representors), pinging nobody: its ARP floods to the bridge's local
# port, a rule on the uplink.
wire_traffic() {
    pf=$(bed_pf_netdev "$dl") || return
    bed_vf_detach wire
    e2e_qos_noop "$pf" >/dev/null &&
        bed_vf_attach wire "$pf" 10.9.0.3/24 02:00:00:00:09:09 || return
    ip link set "$bridge" up
    ip netns exec wire ping -q -c 3 -i 0.3 -W 1 10.9.0.9 >/dev/null 2>&1
    e2e_tc_settle "$pf" || bed_log "tc rule counts still moving after 10 s"
}

echo "== the bed: netdevsim's mlx5 personality, OVS"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_nsim_mlx5_off
for p in mlx5_esw_busy mlx5_legacy_vf_ndos mlx5_vf_reset mlx5_steering_param; do
    bed_nsim_param "$p" 1
done
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }

echo "== (a) switchdev -> legacy, rules offloaded on the uplink and representors"
bed_check "converged switchdev host" fresh_host switchdev "0=$mac0" "1=$mac1"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check "traffic: VFs and the wire host across $bridge" traffic
rules_offloaded "switchdev"
bed_check_refused "the bed refuses a mode set now (devlink, by hand)" \
    'E-Switch is busy' devlink dev eswitch set "$dl" mode switchdev
spec_edit '.pfs[0].eswitch = "legacy"'
plan=$(agentctl plan --json)
bed_check "plan --json: the uplink detached before the kernel steps, added back after" \
    uplink_around_kernel "$plan" "$pf"
bed_check_eq "plan --json: the representors detached too" "$rep0,$rep1" \
    "$(printf '%s\n' "$plan" | jq -r '[.steps[] | select(.action == "detach-port")
        | .port] - ["'"$pf"'"] | sort | join(",")')"
apply_ok "switchdev -> legacy, 1 PF x 2 VFs, rules offloaded"
bed_check "host is legacy as specified, the uplink a port of $bridge again" legacy_ok
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== (b) legacy -> switchdev, rules offloaded on the uplink in legacy"
bed_check "converged legacy host" fresh_host legacy "0=$mac0" "1=$mac1"
bed_check "host is legacy as specified" legacy_ok
bed_check "traffic: the wire host into $bridge" wire_traffic
rules_offloaded "legacy"
spec_edit '.pfs[0].eswitch = "switchdev"'
bed_check "plan --json: the uplink detached before the kernel steps, added back after" \
    uplink_around_kernel "$(agentctl plan --json)" "$pf"
apply_ok "legacy -> switchdev, 1 PF x 2 VFs, rules on the uplink"
bed_check "host matches the spec (switchdev, VFs, MACs, ports)" e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== (c) steering mode dmfs -> smfs from switchdev, rules offloaded"
bed_check "converged switchdev host" fresh_host switchdev "0=$mac0" "1=$mac1"
bed_check "traffic: VFs and the wire host across $bridge" traffic
rules_offloaded "switchdev"
bed_check_eq "steering starts dmfs" dmfs "$(steering)"
spec_edit '.pfs[0].steering_mode = "smfs"'
bed_check "plan --json: the uplink detached before the kernel steps, added back after" \
    uplink_around_kernel "$(agentctl plan --json)" "$pf"
apply_ok "steering dmfs -> smfs, 1 PF x 2 VFs, rules offloaded"
bed_check_eq "devlink: flow_steering_mode smfs" smfs "$(steering)"
bed_check "host matches the spec (switchdev, VFs, MACs, ports)" e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== (d) a rule that is not OVS's: refused, then converged once it is gone"
# In the switchdev-first order this change goes through 0 VFs, which takes
# the representor and its rule away (and netdevsim to legacy by itself):
# the VFs-first order changes the mode with the VFs there, so the agent is
# given it as learned for this device (docs/cli.md, eswitch-order.json).
bed_check "converged switchdev host, VF 1 not in OVS" \
    fresh_host switchdev "0=$mac0" "1=$mac1/detached"
mkdir -p /var/lib/offload-agent
devlink -j dev info "$dl" | jq --arg dl "$dl" '.info[] | {version: 1,
    entries: [{devlink: $dl, driver: .driver, order: "vfs-first",
        firmware: (.versions.running // {} | if has("fw.version")
            then .["fw.version"] elif has("fw") then .fw
            else ([to_entries[].value][0] // "") end)}]}' \
    >/var/lib/offload-agent/eswitch-order.json
bed_check_eq "plan: vfs-first, learned" "vfs-first learned" \
    "$(agentctl status --json 2>/dev/null |
        jq -r '.pfs[0] | "\(.eswitch_order) \(.eswitch_order_source)"')"
rep1=$(bed_rep_netdev "$dl" 1)
tc qdisc add dev "$rep1" ingress 2>/dev/null
bed_check "a skip_sw flower rule by hand on $rep1 (no OVS port)" \
    tc filter add dev "$rep1" ingress prio 7 protocol ip flower skip_sw \
    dst_ip 192.0.2.1 action drop
bed_check_eq "it is in hardware" 1 "$(bed_tc_count "$rep1" in_hw)"
spec_edit '.pfs[0].eswitch = "legacy"'
timed_apply "switchdev -> legacy with a foreign rule"
bed_check_eq "agentctl apply exits 1" 1 "$APPLY_RC"
bed_check "the refusal names set-eswitch and the kernel's text" \
    grep -q "set-eswitch $dl.*E-Switch is busy" <<<"$APPLY_OUT"
[ "$bed_failures" = 0 ] || printf '%s\n' "$APPLY_OUT" | sed 's/^/    apply: /'
bed_check_eq "the eswitch stayed switchdev" switchdev "$(bed_eswitch "$dl")"
bed_check "the uplink is a port of $bridge again (same apply)" uplink_attached "$pf"
bed_check "the uplink is up" e2e_link_up "$pf"
bed_check "the foreign rule goes (tc, by hand)" tc qdisc del dev "$rep1" ingress
apply_ok "switchdev -> legacy once the foreign rule is gone"
bed_check "host is legacy as specified, the uplink a port of $bridge" legacy_ok
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

for ns in vf0 vf1 wire; do
    bed_vf_detach "$ns"
done
bed_ovs_stop
bed_nsim_mlx5_off
rm -rf "$work"
bed_summary
