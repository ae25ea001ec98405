#!/bin/bash
# In the kernel test bed: the steering mode of a converged switchdev host
# changed by `agentctl apply`. netdevsim's mlx5 personality
# (mlx5_steering_param=1) gives the device mlx5's runtime devlink param
# flow_steering_mode, "smfs" refused in switchdev; the agent must take the
# PF to 0 VFs and legacy, set it, and come back to switchdev with the VFs,
# judged with devlink, ip, ethtool and ovs-vsctl. `plan --json` shows the
# order first, and nothing to do after. Then back to dmfs.
#
# usage: bed-agent-steering.sh AGENTCTL
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
work=$(mktemp -d /tmp/e2e-steering.XXXXXX)
spec=$work/host.json
E2E_SPEC=$spec
agentctl() { e2e_agentctl "$@"; }

steering() {
    devlink -j dev param show "$dl" name flow_steering_mode |
        jq -r '.param[][0].values[0].value'
}

# with_steering MODE: the spec, with pfs[0].steering_mode MODE.
with_steering() {
    jq --arg m "$1" '.pfs[0].steering_mode = $m' "$spec" >"$spec.tmp" &&
        mv -f "$spec.tmp" "$spec"
}

# plan_actions: the actions of `agentctl plan --json`, comma-separated.
plan_actions() {
    agentctl plan --json 2>/dev/null | jq -r '[.steps[].action] | join(",")'
}

# has_order ACTIONS: the kernel part of a steering change, in order.
has_order() {
    case $1 in
    *set-numvfs,set-eswitch,set-steering-mode,set-eswitch,set-numvfs,wait-vfs*)
        return 0 ;;
    esac
    bed_log "actions: $1"
    return 1
}

echo "== converged switchdev host, flow_steering_mode dmfs"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_nsim_mlx5_off
bed_nsim_param mlx5_steering_param 1
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" \
    bed_nsim_new "$nsim_id" 1 8 || { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=02:00:00:00:01:00" \
    "1=02:00:00:00:01:01"
bed_check "apply from blank" agentctl apply
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check_eq "steering starts dmfs" dmfs "$(steering)"

echo "== steering_mode smfs"
with_steering smfs
bed_check "the spec validates" agentctl validate "$spec"
actions=$(plan_actions)
bed_check "plan: 0 VFs, legacy, steering, switchdev, VFs" has_order "$actions"
bed_check_eq "plan: the step's steering_mode" smfs \
    "$(agentctl plan --json 2>/dev/null |
        jq -r '.steps[] | select(.action == "set-steering-mode") | .steering_mode')"
t0=$(e2e_ms)
bed_check "agentctl apply exits 0" agentctl apply
echo "converge-time steering dmfs -> smfs, 1 PF x 2 VFs in switchdev: $(($(e2e_ms) - t0)) ms"
bed_check_eq "devlink: flow_steering_mode smfs" smfs "$(steering)"
bed_check "host matches the spec again (switchdev, VFs, MACs, ports)" \
    e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
e2e_status
bed_check_eq "status: converged" true \
    "$(printf '%s\n' "$E2E_ST" | jq -r '.converged')"
bed_check_eq "status: pfs[0].steering_mode" smfs \
    "$(printf '%s\n' "$E2E_ST" | jq -r '.pfs[0].steering_mode')"

echo "== back to dmfs"
with_steering dmfs
bed_check "agentctl apply exits 0" agentctl apply
bed_check_eq "devlink: flow_steering_mode dmfs" dmfs "$(steering)"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

bed_nsim_param mlx5_steering_param 0
bed_summary
