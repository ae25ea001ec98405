#!/bin/bash
# What an apply asks the kernel, counted (stats.io of apply --json, not
# timed): the representors are resolved once per PF for a run of
# set-hw-tc-offload / set-link-up steps, not once per step. Each resolve
# is a devlink port dump and a link dump of the whole host, so per step
# it made a converge quadratic in VFs (2 x 128 VFs: 72 % of the converge
# in those two steps, docs/performance.md). Repairing 1 representor and
# repairing all 16 must cost the same dumps; the observations are the
# same in both, only the steps differ. Also checks the repair is done,
# and that a converged plan's netlink requests (not dumps: tc filters are
# dumped per representor) are the same at 4 and 16 VFs: hw-tc-offload is
# read for every netdev in one ethtool dump, not asked per representor.
# And the looks of an apply: a disruptive one makes no health look of its
# own, a converged one looks once.
#   tests/bed/run "tests/agent/bed-agent-apply-cost.sh AGENTCTL"
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
n=16
dl=$(bed_nsim_devlink 1)
work=$(mktemp -d /tmp/e2e-cost.XXXXXX)
E2E_SPEC=$work/host.json
E2E_STATE_DIR=$work/state
mkdir -p "$E2E_STATE_DIR"

bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_check "netdevsim1 created (1 port, max_vfs $n)" bed_nsim_new 1 1 "$n" ||
    { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start hw-offload=true || { bed_summary; exit; }
vfs=()
for ((i = 0; i < n; i++)); do
    vfs+=("$(printf '%d=02:00:00:00:07:%02x' "$i" "$i")")
done
# plan_requests: the netlink requests (not dumps) of a converged plan.
plan_requests() {
    e2e_agentctl plan --json >"$work/plan.json" 2>"$work/plan.log" &&
        jq -e '.steps | length == 0' "$work/plan.json" >/dev/null &&
        jq '.stats.io.netlink_requests' "$work/plan.json"
}
small=4
e2e_write_spec "$E2E_SPEC" "$dl" br1 "$small" "${vfs[@]:0:small}"
# apply_json NAME: apply --json into $work/NAME.json (its log NAME.log).
apply_json() {
    e2e_agentctl apply --json >"$work/$1.json" 2>"$work/$1.log"
}
bed_check "apply from blank converges ($small VFs)" apply_json blank ||
    { bed_summary; exit; }
# The VF count changes: the guard records the last-known-good state from
# a dry run and checks health after. Health is read from the apply's own
# last look (a look more per disruptive apply: a full one, at 2x128 about
# 0.6 s, before), and the apply plans its first round from the dry run's.
bed_check_eq "apply from blank: one dry run (the guard's), no health look" 1 \
    "$(jq '.stats.checks' "$work/blank.json")"
req_small=$(plan_requests)
bed_check "apply on the converged host" apply_json again
bed_check_eq "apply on the converged host: one look (the guard's dry run's)" \
    "1 0" "$(jq -r '"\(.stats.observations) \(.stats.steps | length)"' \
        "$work/again.json")"
e2e_write_spec "$E2E_SPEC" "$dl" br1 "$n" "${vfs[@]}"
bed_check "apply converges ($small -> $n VFs)" e2e_agentctl apply ||
    { bed_summary; exit; }
req_big=$(plan_requests)
echo "   converged plan, netlink requests: $small VFs $req_small, $n VFs $req_big"
# One look reads hw-tc-offload of every netdev in one ethtool dump; a
# request per representor would add $((n - small)) here.
bed_check "a converged plan's requests do not grow with representors (+2)" \
    test -n "$req_small" -a -n "$req_big" -a "$((req_big - req_small))" -le 2

# undo K: representors 0..K-1 set down with hw-tc-offload off, by hand.
undo() {
    local i rep
    for ((i = 0; i < $1; i++)); do
        rep=$(bed_rep_netdev "$dl" "$i") || return
        ethtool -K "$rep" hw-tc-offload off && ip link set "$rep" down || return
    done
}
# repair K: prints the dumps of the apply that repairs undo K.
repair() {
    undo "$1" || return
    apply_json apply || return
    jq '.stats.io.netlink_dumps' "$work/apply.json"
}

one=$(repair 1)
all=$(repair "$n")
echo "   netlink dumps: repairing 1 representor $one, all $n: $all"
bed_check "the repair of all $n converged, the host as the spec says" \
    e2e_host_ok "$E2E_SPEC"
bed_check "set-link-up ran for each of the $n" \
    test "$(jq '.stats.steps["set-link-up"].done' "$work/apply.json")" = "$n"
# A resolve per step costs 2 dumps: 30 more for 15 more representors.
bed_check "repairing $n representors costs no more dumps than 1 (+2)" \
    test -n "$one" -a -n "$all" -a "$((all - one))" -le 2

# The VFs' MACs, repaired by set-vf: the PF's VF list and the devlink port
# dump are read once for the run of set-vf steps, not once per step (each
# is O(VFs) to read: per step a converge was quadratic in VFs). Only the
# writes, one request per VF, may grow.
pf=$(bed_pf_netdev "$dl")
# mac_repair K: changes the MACs of VFs 0..K-1 by hand, then prints the
# netlink requests and dumps of the apply that repairs them.
mac_repair() {
    local i
    for ((i = 0; i < $1; i++)); do
        ip link set "$pf" vf "$i" mac "$(printf '02:00:00:00:09:%02x' "$i")" ||
            return
    done
    apply_json apply || return
    jq -r '.stats | "\(.io.netlink_requests) \(.io.netlink_dumps) \(.steps["set-vf"].done)"' \
        "$work/apply.json"
}
read -r req1 dump1 done1 < <(mac_repair 1)
read -r reqn dumpn donen < <(mac_repair "$n")
echo "   MAC repair of 1 VF: $req1 requests, $dump1 dumps; of $n: $reqn, $dumpn"
bed_check "the MAC repair of all $n converged, the host as the spec says" \
    e2e_host_ok "$E2E_SPEC"
bed_check "set-vf ran for 1, then for each of the $n" \
    test "${done1:-}" = 1 -a "${donen:-}" = "$n"
bed_check "repairing $n MACs costs no more dumps than 1 (+2)" \
    test -n "${dump1:-}" -a -n "${dumpn:-}" -a "$((dumpn - dump1))" -le 2
# A read per step would add $((n - 1)) requests more than the writes.
bed_check "repairing $n MACs costs one request per VF more than 1 (+2)" \
    test -n "${req1:-}" -a -n "${reqn:-}" -a "$((reqn - req1))" -le $((n - 1 + 2))
bed_summary
