#!/bin/bash
# In the kernel test bed, under netdevsim's mlx5 personality with VFs that
# appear 1 s after the sriov_numvfs write (bed_nsim_mlx5_on 1000:
# mlx5_vf_delay_ms=1000, mlx5_vf_reset=1, mlx5_legacy_vf_ndos=1, ...), as
# VFs appear over time on a ConnectX host: `agentctl apply` must wait for
# the VFs and their representors before it configures them, in one run.
#   (a) switchdev, 1 PF x 8 VFs with MACs, from blank: one apply exits 0,
#       the host judged with devlink, ip, ethtool and ovs-vsctl
#       (e2e_host_ok), nothing left to plan; prints the converge time;
#   (b) a legacy PF with MACs and a VLAN on one VF (legal in legacy):
#       one apply exits 0, MACs and VLAN as the spec says (ip link);
#   (c) the switchdev PF from 8 to 4 VFs: one apply exits 0, the MACs set
#       again (mlx5_vf_reset clears them at 0 VFs, as mlx5 does).
#   (d) the 4 VFs recreated by hand (another tool; firmware at boot) in
#       switchdev and still coming (6 s delay): sriov_numvfs says 4, the
#       kernel lists none. `plan` waits for them, no blocker; one apply
#       exits 0 and sets them up (a round cut short after set-numvfs, by
#       an uplink renamed, meets the same state).
#
# usage: bed-agent-vfcreate.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
dl=$(bed_nsim_devlink 1)
dl_legacy=$(bed_nsim_devlink 2)
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-vfcreate.XXXXXX)
spec=$work/host.json
spec_legacy=$work/legacy.json
E2E_SPEC=$spec
agentctl() { e2e_agentctl "$@"; }

# vf_macs N: "I=MAC" for VFs 0..N-1.
vf_macs() {
    local i
    for ((i = 0; i < $1; i++)); do
        printf '%s=02:00:00:00:0a:%02x\n' "$i" "$i"
    done
}

# apply_logged NAME: agentctl apply, its output in $work/NAME.log; shows
# the wait-vfs lines, all of it when apply fails. Returns its status.
apply_logged() {
    local rc=0
    agentctl apply >"$work/$1.log" 2>&1 || rc=$?
    if [ "$rc" = 0 ]; then
        grep -E 'wait-vfs' "$work/$1.log" | sed 's/^ */    /'
    else
        sed 's/^/    apply: /' "$work/$1.log"
    fi
    return "$rc"
}

# plan_actions: the actions of `agentctl plan --json`, comma-separated.
plan_actions() {
    agentctl plan --json 2>/dev/null | jq -r '[.steps[].action] | join(",")'
}

# legacy_ok: the legacy PF as $spec_legacy says: legacy, its VF count,
# every MAC and VLAN of the spec in `ip link`'s VF list.
legacy_ok() {
    local pf n i mac vlan got bad=0
    pf=$(bed_pf_netdev "$dl_legacy") || return 1
    n=$(jq -r '.pfs[0].num_vfs' "$spec_legacy")
    got=$(bed_eswitch "$dl_legacy")
    [ "$got" = legacy ] || { bed_log "eswitch $got"; bad=1; }
    got=$(bed_vf_count "$pf")
    [ "$got" = "$n" ] || { bed_log "$got VFs listed, not $n"; bad=1; }
    for ((i = 0; i < n; i++)); do
        mac=$(jq -r --argjson i "$i" \
            '.pfs[0].vfs[] | select(.index == $i) | .mac' "$spec_legacy")
        vlan=$(jq -r --argjson i "$i" \
            '.pfs[0].vfs[] | select(.index == $i) | .vlan // 0' "$spec_legacy")
        got=$(bed_vf_info "$pf" "$i" .address)
        [ "$got" = "$mac" ] || { bed_log "vf $i mac '$got', not $mac"; bad=1; }
        got=$(bed_vf_info "$pf" "$i" '.vlan_list[0].vlan // 0')
        [ "$got" = "$vlan" ] || { bed_log "vf $i vlan '$got', not $vlan"; bad=1; }
    done
    return "$bad"
}

echo "== mlx5 personality, VFs appear 1 s after the sriov_numvfs write"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_check "mlx5 personality on, mlx5_vf_delay_ms 1000" bed_nsim_mlx5_on 1000 ||
    { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim1 created (1 port, max_vfs 8)" bed_nsim_new 1 1 8 ||
    { bed_summary; exit; }
bed_check "netdevsim2 created (1 port, max_vfs 8)" bed_nsim_new 2 1 8 ||
    { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
echo "== (a) switchdev, 1 PF x 8 VFs with MACs, from blank"
mapfile -t macs8 < <(vf_macs 8)
e2e_write_spec "$spec" "$dl" "$bridge" 8 "${macs8[@]}"
bed_check_eq "plan: wait-vfs for 8 VFs listed and their representors" \
    "8 true true false" \
    "$(agentctl plan --json 2>/dev/null | jq -r '.steps[]
        | select(.action == "wait-vfs")
        | "\(.num) \(.listed) \(.representors) \(.pci)"')"
t0=$(e2e_ms)
apply_logged a
bed_check_eq "one agentctl apply exits 0" 0 "$?"
echo "converge-time apply 1 PF x 8 VFs, 1 s VF delay: $(($(e2e_ms) - t0)) ms"
bed_check "host matches the spec (devlink, ip, ethtool, ovs-vsctl)" \
    e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== (b) legacy PF, MACs and a VLAN on VF 1, from blank"
cat >"$spec_legacy" <<EOF
{
  "version": 1,
  "ovs": { "hw_offload": true, "tc_policy": "none", "max_idle_ms": 60000 },
  "pfs": [
    {
      "devlink": "$dl_legacy",
      "eswitch": "legacy",
      "num_vfs": 4,
      "vfs": [
        { "index": 0, "mac": "02:00:00:00:0b:00" },
        { "index": 1, "mac": "02:00:00:00:0b:01", "vlan": 10 },
        { "index": 2, "mac": "02:00:00:00:0b:02" },
        { "index": 3, "mac": "02:00:00:00:0b:03" }
      ]
    }
  ]
}
EOF
E2E_SPEC=$spec_legacy
bed_check "the legacy spec validates" agentctl validate "$spec_legacy"
t0=$(e2e_ms)
apply_logged b
bed_check_eq "one agentctl apply exits 0" 0 "$?"
echo "converge-time apply legacy 1 PF x 4 VFs, 1 s VF delay: $(($(e2e_ms) - t0)) ms"
bed_check "ip link: legacy, 4 VFs, every MAC, VF 1 VLAN 10" legacy_ok
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
E2E_SPEC=$spec

echo "== (c) the switchdev PF from 8 to 4 VFs"
e2e_write_spec "$spec" "$dl" "$bridge" 4 "${macs8[@]:0:4}"
t0=$(e2e_ms)
apply_logged c
bed_check_eq "one agentctl apply exits 0" 0 "$?"
echo "converge-time apply 8 -> 4 VFs, 1 s VF delay: $(($(e2e_ms) - t0)) ms"
bed_check "host matches the spec: 4 VFs, MACs set again after the reset" \
    e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== (d) VFs written by hand, still coming when the agent looks"
# plan_arriving: blockers and the wait-vfs steps of `agentctl plan --json`.
plan_arriving() {
    agentctl plan --json 2>/dev/null | jq -r '"blockers \(.blockers | length)",
        (.steps[] | select(.action == "wait-vfs")
         | "wait-vfs \(.num) \(.listed) \(.representors): \(.detail)")'
}
# recreate_by_hand: as an operator's script does it: 0 VFs (the eswitch
# drops to legacy), switchdev again, then 4 VFs. True when sriov_numvfs
# says 4 and the kernel lists none yet.
recreate_by_hand() {
    local sysfs
    sysfs=$(bed_nsim_sysfs 1)
    echo 0 >"$sysfs/sriov_numvfs" &&
        devlink dev eswitch set "$dl" mode switchdev &&
        echo 4 >"$sysfs/sriov_numvfs" &&
        [ "$(cat "$sysfs/sriov_numvfs")" = 4 ] &&
        [ "$(bed_vf_count "$(bed_pf_netdev "$dl")")" = 0 ]
}
bed_check "mlx5_vf_delay_ms 6000" bed_nsim_param mlx5_vf_delay_ms 6000
bed_check "by hand: 0 VFs, switchdev, 4 VFs: sysfs says 4, the kernel lists none" \
    recreate_by_hand
bed_check_eq "plan: no blocker, a wait for the 4 VFs and their representors" \
    "blockers 0
wait-vfs 4 true true: 4 VFs: listed, representors (the kernel is still creating them)" \
    "$(plan_arriving)"
t0=$(e2e_ms)
apply_logged d
bed_check_eq "one agentctl apply exits 0" 0 "$?"
echo "converge-time apply, 4 VFs arriving: $(($(e2e_ms) - t0)) ms"
bed_check "host matches the spec: 4 VFs, MACs set, representors attached" \
    e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

bed_nsim_mlx5_off
bed_summary
