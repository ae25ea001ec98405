#!/bin/bash
# End to end, in the kernel test bed (tests/bed/run): `agentctl apply` takes
# a blank netdevsim device (legacy, 0 VFs) and an OVS without a bridge to the
# bed topology (switchdev, 2 VFs with MACs, bridge ovs-sriov over the uplink
# and the representors, hw-offload), judged independently with devlink, ip,
# ethtool and ovs-vsctl; `status --json` agrees with the host; a second
# apply and `plan --json` have nothing to do. The uplink and representors
# are up after apply (the emulated VFs do not set them up); one set down is
# a set-link-up in the plan, a problem in status, and apply repairs it.
# Then traffic through emulated
# VFs and the offload verification: every representor's rules in_hw; with
# hw-tc-offload forced off on one representor exactly that one is reported
# with a hint; with the driver's offload off (netdevsim tc_offload=0) every
# rule not_in_hw is reported. Last, the converge time of apply from blank
# for 1 PF x 2 VFs and 1 PF x 4 VFs ("converge-time ..." lines).
#
# usage: bed-agent-apply.sh AGENTCTL
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
work=$(mktemp -d /tmp/e2e-apply.XXXXXX)
spec=$work/host.json
mac0=02:00:00:00:01:00
mac1=02:00:00:00:01:01
E2E_SPEC=$spec
agentctl() { e2e_agentctl "$@"; }

echo "== blank netdevsim device, OVS without hw-offload"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on || { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" bed_nsim_new "$nsim_id" 1 8 ||
    { bed_summary; exit; }
bed_check_eq "eswitch starts legacy" legacy "$(bed_eswitch "$dl")"
bed_check "OVS started (hw-offload left for the agent)" bed_ovs_start ||
    { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=$mac0" "1=$mac1"
bed_check "the spec validates" agentctl validate "$spec"

echo "== apply from blank"
t0=$(e2e_ms)
bed_check "agentctl apply exits 0 from blank" agentctl apply
seed_ms=$(($(e2e_ms) - t0))
echo "converge-time apply 1 PF x 2 VFs from blank (OVS hw-offload off before): $seed_ms ms"
bed_check "host matches the spec (devlink, ip, ethtool, ovs-vsctl)" e2e_host_ok "$spec"
bed_check "ovs-vswitchd runs upcall handler threads" bed_ovs_upcall_handlers_ok

pf=$(bed_pf_netdev "$dl")
rep0=$(bed_rep_netdev "$dl" 0)
rep1=$(bed_rep_netdev "$dl" 1)
echo "   uplink $pf, representors $rep0 (vf 0), $rep1 (vf 1)"

echo "== status --json agrees with the host"
e2e_status; st=$E2E_ST
bed_check_eq "status exit code" 0 "$E2E_STATUS_RC"
jqs() { printf '%s\n' "$st" | jq -r "$@" 2>&1; }
bed_check_eq "converged" true "$(jqs '.converged')"
bed_check_eq "ovs.connected" true "$(jqs '.ovs.connected')"
bed_check_eq "ovs.hw_offload" true "$(jqs '.ovs.hw_offload')"
bed_check_eq "one PF" 1 "$(jqs '.pfs | length')"
bed_check_eq "pfs[0].netdev is the uplink" "$pf" "$(jqs '.pfs[0].netdev')"
bed_check_eq "pfs[0].devlink" "$dl" "$(jqs '.pfs[0].devlink')"
bed_check_eq "pfs[0].eswitch" "$(bed_eswitch "$dl")" "$(jqs '.pfs[0].eswitch')"
bed_check_eq "pfs[0].num_vfs" "$(cat "$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs")" \
    "$(jqs '.pfs[0].num_vfs')"
bed_check_eq "pfs[0].uplink.bridge" "$(ovs-vsctl port-to-br "$pf")" \
    "$(jqs '.pfs[0].uplink.bridge')"
vfinfo=$(ip -j link show dev "$pf")
for i in 0 1; do
    rep=$(bed_rep_netdev "$dl" "$i")
    bed_check_eq "vfs[$i].mac" \
        "$(printf '%s\n' "$vfinfo" | jq -r ".[0].vfinfo_list[] | select(.vf == $i) | .address")" \
        "$(jqs ".pfs[0].vfs[] | select(.index == $i) | .mac")"
    bed_check_eq "vfs[$i].representor (by devlink identity)" "$rep" \
        "$(jqs ".pfs[0].vfs[] | select(.index == $i) | .representor")"
    bed_check_eq "vfs[$i].bridge" "$(ovs-vsctl port-to-br "$rep")" \
        "$(jqs ".pfs[0].vfs[] | select(.index == $i) | .bridge")"
done
bed_check_eq "no error-severity problem" 0 \
    "$(jqs '[.problems[]? | select(.severity == "error")] | length')"

echo "== the agent sets the uplink and every representor up (ovs-vswitchd does not)"
for dev in "$pf" "$rep0" "$rep1"; do
    bed_check "$dev is up (ip -j link)" e2e_link_up "$dev"
done
bed_check_eq "status: uplink.up" true "$(jqs '.pfs[0].uplink.up')"
bed_check_eq "status: every representor_up" true \
    "$(jqs '[.pfs[0].vfs[].representor_up] | all')"
bed_check "ip link set $rep1 down" ip link set "$rep1" down
plan=$(agentctl plan --json)
bed_check_eq "plan --json: exactly set-link-up $rep1" \
    "[{\"action\":\"set-link-up\",\"netdev\":\"$rep1\"}]" \
    "$(printf '%s\n' "$plan" | jq -c '[.steps[] | {action, netdev}]')"
e2e_status; st=$E2E_ST
bed_check_eq "status exit code while $rep1 is down" 1 "$E2E_STATUS_RC"
bed_check_eq "status: not converged" false "$(jqs '.converged')"
bed_check_eq "status: representor_up of $rep1" false \
    "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep1\") | .representor_up")"
bed_check_eq "status: the problem on $rep1" "link is down: no packet crosses it" \
    "$(jqs -r ".problems[] | select(.object == \"$rep1\") | .message")"
bed_check "ip link set $pf down" ip link set "$pf" down
bed_check_eq "plan --json: set-link-up $pf and $rep1" "$pf $rep1" \
    "$(agentctl plan --json | jq -r '[.steps[] | select(.action == "set-link-up") | .netdev] | join(" ")')"
bed_check "agentctl apply repairs it" agentctl apply
for dev in "$pf" "$rep1"; do
    bed_check "$dev is up again" e2e_link_up "$dev"
done

echo "== idempotence"
bed_check "second agentctl apply exits 0" agentctl apply
bed_check_eq "plan --json has zero steps" 0 "$(agentctl plan --json | jq '.steps | length')"
bed_check "host still matches the spec" e2e_host_ok "$spec"

echo "== traffic through emulated VFs: every representor's rules in_hw"
for rep in "$rep0" "$rep1"; do
    bed_check "qos linux-noop on $rep (the VF glue's qdisc stays)" e2e_qos_noop "$rep"
done
bed_check "emulated VF 0 behind $rep0" bed_vf_attach vf0 "$rep0" 10.9.0.1/24 "$mac0"
bed_check "emulated VF 1 behind $rep1" bed_vf_attach vf1 "$rep1" 10.9.0.2/24 "$mac1"
ip link set "$bridge" up
bed_check "ping VF 0 -> VF 1 across $bridge" e2e_ping vf0 10.9.0.2
bed_check "ping VF 1 -> VF 0 across $bridge" e2e_ping vf1 10.9.0.1
bed_check "tc rule counts settle" e2e_tc_settle "$rep0" "$rep1"
bed_check "status read while tc's counts held still" \
    e2e_status_still "$rep0" "$rep1"
st=$E2E_ST
bed_check_eq "status exit code with traffic" 0 "$E2E_STATUS_RC"
for rep in "$rep0" "$rep1"; do
    rules=$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep\") | .tc.rules")
    bed_check "status: $rep has rules ($rules)" test "${rules:-0}" -gt 0 2>/dev/null
    bed_check_eq "status: $rep in_hw == rules" "$rules" \
        "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep\") | .tc.in_hw")"
    bed_check_eq "status: $rep rules == tc's count" "${E2E_TC_ALL[$rep]}" "$rules"
done
bed_check_eq "status: no problem" 0 "$(jqs '.problems | length')"

echo "== hw-tc-offload forced off on $rep1"
bed_check "hw-tc-offload off on $rep1" bed_hw_tc_offload "$rep1" off
# Drop the datapath flows (and their tc rules) and OVS's own record of
# them, so that the next packets install new rules, now refused by $rep1
# (dpctl/del-flows would leave OVS's ukeys: no new flows for a while).
ovs-appctl revalidator/purge >/dev/null
bed_check "ping VF 0 -> VF 1" e2e_ping vf0 10.9.0.2
bed_check "ping VF 1 -> VF 0" e2e_ping vf1 10.9.0.1
bed_check "tc rule counts settle" e2e_tc_settle "$rep0" "$rep1"
echo "   tc: $rep0 $(bed_tc_count "$rep0" in_hw) in_hw; $rep1 $(bed_tc_count "$rep1" not_in_hw) not_in_hw"
e2e_status; st=$E2E_ST
bed_check_eq "status exit code" 1 "$E2E_STATUS_RC"
# Besides per-object problems, the agent may report the pending step
# (object "plan"); of the PF's netdevs, exactly $rep1 must be named.
bed_check_eq "of the PF's netdevs, the problems name exactly $rep1" "[\"$rep1\"]" \
    "$(jqs -c --arg pf "$pf" --arg r0 "$rep0" --arg r1 "$rep1" '[.problems[].object
        | select(. == $pf or . == $r0 or . == $r1)] | unique')"
bed_check_eq "the hint on $rep1 says hw-tc-offload is off there" \
    "hw-tc-offload is off on $rep1" \
    "$(jqs -r ".problems[] | select(.object == \"$rep1\") | .hint // empty")"
bed_check "status: $rep1 has rules not_in_hw" test \
    "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep1\") | .tc.not_in_hw")" -gt 0
bed_check_eq "status: $rep0 still all in_hw" \
    "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep0\") | .tc.rules")" \
    "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep0\") | .tc.in_hw")"
[ "$bed_failures" = 0 ] || printf '%s\n' "$st" | sed 's/^/    status: /'
# apply turns it back on; a rule put while it was off stays not_in_hw
# (the kernel does not offload it again), so apply may still say 1 until
# OVS re-adds its rules: purge AFTER hw-tc-offload is on (before it, a
# stray packet could put a rule in software again meanwhile).
agentctl apply >/dev/null 2>&1
bed_check_eq "agentctl apply turned hw-tc-offload on $rep1 again" on \
    "$(e2e_hw_tc "$rep1")"
ovs-appctl revalidator/purge >/dev/null
bed_check "agentctl apply then exits 0" agentctl apply

echo "== the driver's offload off (netdevsim tc_offload=0)"
echo 0 >/sys/module/netdevsim/parameters/tc_offload
ovs-appctl revalidator/purge >/dev/null
bed_check "ping VF 0 -> VF 1" e2e_ping vf0 10.9.0.2
bed_check "ping VF 1 -> VF 0" e2e_ping vf1 10.9.0.1
bed_check "tc rule counts settle" e2e_tc_settle "$rep0" "$rep1"
bed_check "status read while tc's counts held still" \
    e2e_status_still "$rep0" "$rep1"
st=$E2E_ST
bed_check_eq "status exit code" 1 "$E2E_STATUS_RC"
for rep in "$rep0" "$rep1"; do
    rules=$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep\") | .tc.rules")
    bed_check "status: $rep has rules ($rules)" test "${rules:-0}" -gt 0 2>/dev/null
    bed_check_eq "status: $rep not_in_hw == rules" "$rules" \
        "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep\") | .tc.not_in_hw")"
    bed_check_eq "status: $rep not_in_hw == tc's count" \
        "${E2E_TC_NOT[$rep]}" \
        "$(jqs ".pfs[0].vfs[] | select(.representor == \"$rep\") | .tc.not_in_hw")"
    bed_check "status: a problem names $rep" \
        test -n "$(jqs ".problems[] | select(.object == \"$rep\") | .message")"
done
[ "$bed_failures" = 0 ] || printf '%s\n' "$st" | sed 's/^/    status: /'
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_vf_detach vf0
bed_vf_detach vf1

# From blank again: a new device, the bridge gone; OVS keeps hw-offload
# (vswitchd reads it once), as on a host where the agent ran before.
converge_from_blank() {
    local n=$1 vfs=() i t0 ms
    for ((i = 0; i < n; i++)); do
        vfs+=("$i=02:00:00:00:02:0$i")
    done
    ovs-vsctl --if-exists del-br "$bridge"
    bed_nsim_del "$nsim_id"
    bed_check "blank netdevsim$nsim_id again" bed_nsim_new "$nsim_id" 1 8 || return
    e2e_write_spec "$spec" "$dl" "$bridge" "$n" "${vfs[@]}"
    t0=$(e2e_ms)
    bed_check "agentctl apply 1 PF x $n VFs from blank exits 0" agentctl apply
    ms=$(($(e2e_ms) - t0))
    echo "converge-time apply 1 PF x $n VFs from blank: $ms ms"
    bed_check "host matches the $n-VF spec" e2e_host_ok "$spec"
    bed_check_eq "plan --json has zero steps" 0 "$(agentctl plan --json | jq '.steps | length')"
}
echo "== converge time from blank"
converge_from_blank 2
converge_from_blank 4

# A refused step: netdevsim refuses more VFs than its max_vfs (8). apply
# fails with the kernel's refusal named; what it did before stays, and
# the next run converges from there.
echo "== a refused step, then the next run converges"
e2e_write_spec "$spec" "$dl" "$bridge" 9
refused=$(agentctl apply 2>&1)
bed_check_eq "apply of 9 VFs (max_vfs 8) exits 1" 1 "$?"
bed_check "the failure names the refused set-numvfs" \
    grep -q "set-numvfs $dl: 0 -> 9 VFs refused" <<<"$refused"
[ "$bed_failures" = 0 ] || printf '%s\n' "$refused" | sed 's/^/    apply: /'
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=$mac0" "1=$mac1"
bed_check "the next apply converges from the refused state" agentctl apply
bed_check "host matches the 2-VF spec" e2e_host_ok "$spec"

bed_ovs_stop
rm -rf "$work"
bed_summary
