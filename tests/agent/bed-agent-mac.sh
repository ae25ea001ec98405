#!/bin/bash
# In the kernel test bed: VF MACs through the VF's devlink port function
# (hw_addr), the documented way on mlx5 in switchdev, and through the PF
# (IFLA_VF_MAC) where the driver has no such function. netdevsim's mlx5
# personality (mlx5_port_fn_hw_addr=1, with mlx5_legacy_vf_ndos=1 and
# mlx5_vf_reset=1) gives the VF ports hw_addr get/set.
#
# With it: `agentctl apply` takes a blank device to switchdev with 2 VFs
# and their MACs; `devlink port show` lists each VF port's function
# hw_addr equal to the spec's MAC; `status --json` says mac_via
# "port-function"; a MAC changed by hand through the port function is
# repaired by the next apply, and a MAC changed in the spec is applied,
# each time through the port function: `devlink monitor port` sees the
# agent's write as a port notification carrying the new hw_addr (the PF's
# IFLA_VF_MAC raises none). A VF count change goes through 0, which
# clears the VFs' MACs (mlx5_vf_reset): they are set again. Then the same
# spec on a device without the knob (stock netdevsim: no hw_addr)
# converges through the PF, with mac_via "pf-vf-ndo".
#
# usage: bed-agent-mac.sh AGENTCTL
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
work=$(mktemp -d /tmp/e2e-mac.XXXXXX)
spec=$work/host.json
log=$work/apply.log
mon=$work/devlink-mon.txt
mon_pid=
m0=02:00:00:00:05:00
m1=02:00:00:00:05:01
m1b=02:00:00:00:05:b1
m2=02:00:00:00:05:02
drift=02:00:00:00:09:99
E2E_SPEC=$spec
agentctl() { e2e_agentctl "$@"; }

# vf_port VF: the devlink port (DEV/INDEX) of VF number VF, by flavour.
vf_port() {
    devlink -j port show | jq -r --arg h "$dl/" --argjson vf "$1" '
        first(.port | to_entries[]
              | select((.key | startswith($h)) and .value.flavour == "pcivf"
                       and .value.vfnum == $vf) | .key) // empty'
}

# fn_hw_addr VF: the hw_addr `devlink port show PORT` prints under
# "function:" for VF number VF ("" when it prints none).
fn_hw_addr() {
    local port
    port=$(vf_port "$1") && [ -n "$port" ] || return 1
    devlink port show "$port" | sed -n 's/^ *hw_addr \([0-9a-f:]*\).*/\1/p'
}

# fn_macs N: the port functions' hw_addr of VFs 0..N-1, space-separated.
fn_macs() {
    local i out=''
    for ((i = 0; i < $1; i++)); do
        out+="${out:+ }$(fn_hw_addr "$i")"
    done
    printf '%s\n' "$out"
}

# vf_list_macs: the VFs' MACs as the PF lists them (ip link), in VF order.
vf_list_macs() {
    ip -j link show "$(bed_pf_netdev "$dl")" |
        jq -r '[.[0].vfinfo_list | sort_by(.vf)[] | .address] | join(" ")'
}

# status_vias: the last status --json's (e2e_status) mac_via of every VF,
# space-separated.
status_vias() {
    printf '%s\n' "$E2E_ST" | jq -r '[.pfs[0].vfs[].mac_via] | join(" ")'
}

# plan_set_vfs: the set-vf steps of plan --json, "VF:MAC:MAC_VIA" each.
plan_set_vfs() {
    agentctl plan --json 2>/dev/null | jq -r '[.steps[]
        | select(.action == "set-vf")
        | "\(.vf):\(.mac):\(.mac_via)"] | join(" ")'
}

plan_actions() {
    agentctl plan --json 2>/dev/null | jq -r '[.steps[].action] | join(",")'
}

# apply_logged: agentctl apply, its step lines kept in $log.
apply_logged() {
    agentctl apply 2>"$log" >/dev/null
    local rc=$?
    sed 's/^/    apply: /' "$log"
    return "$rc"
}

# set_vf_lines WAY: how many set-vf lines of the last apply wrote a MAC
# WAY ("via port function", "via PF (IFLA_VF_MAC)").
set_vf_lines() {
    grep -c "^  set-vf .*ok (VF [0-9]*: mac [0-9a-f:]* $1" "$log"
}

# mon_mark: the monitor's line count now (events after it are new).
mon_mark() { wc -l <"$mon"; }

# mon_wrote MARK PORT MAC: after line MARK, `devlink monitor port` shows a
# [port,new] notification of PORT whose function hw_addr is MAC: a port
# function set (rtnetlink's IFLA_VF_MAC raises none).
mon_wrote() {
    local mark=$1 port=$2 mac=$3
    bed_wait_for 5 sh -c "tail -n +$((mark + 1)) '$mon' | awk -v p='[port,new] $port:' \
        -v m='hw_addr $mac' 'index(\$0, p) == 1 { on = 1; next }
            /^\\[/ { on = 0 } on && index(\$0, m) { found = 1 }
            END { exit !found }'"
}

# mon_start: `devlink monitor port` in the background, in $mon; returns
# once it is seen to listen (a port function set of VF 0 to the MAC it
# has, which the kernel notifies like any set).
mon_start() {
    local port mac deadline=$((SECONDS + 10))
    port=$(vf_port 0) && mac=$(fn_hw_addr 0) || return 1
    devlink monitor port >"$mon" 2>&1 &
    mon_pid=$!
    while ! grep -q "^\[port,new\] $port:" "$mon"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        devlink port function set "$port" hw_addr "$mac" || return 1
        sleep 0.2
    done
}

mon_stop() {
    [ -z "$mon_pid" ] || kill "$mon_pid" 2>/dev/null
    wait "$mon_pid" 2>/dev/null
    mon_pid=
}

echo "== mlx5 personality: VF ports with a function hw_addr"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_nsim_mlx5_off
bed_nsim_param mlx5_port_fn_hw_addr 1
bed_nsim_param mlx5_legacy_vf_ndos 1
bed_nsim_param mlx5_vf_reset 1
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" \
    bed_nsim_new "$nsim_id" 1 8 || { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=$m0" "1=$m1"

echo "== apply from blank: switchdev, 2 VFs, MACs"
bed_check_eq "plan: set-vf, way not known before the VFs exist" \
    "0:$m0:null 1:$m1:null" "$(plan_set_vfs)"
t0=$(e2e_ms)
bed_check "agentctl apply exits 0" apply_logged
echo "converge-time apply 1 PF x 2 VFs from blank, MACs by port function: $(($(e2e_ms) - t0)) ms"
bed_check_eq "apply: both MACs set via port function" 2 \
    "$(set_vf_lines "via port function")"
bed_check "host matches the spec (devlink, ip, ethtool, ovs-vsctl)" \
    e2e_host_ok "$spec"
bed_check_eq "devlink port show: each VF port's function hw_addr" \
    "$m0 $m1" "$(fn_macs 2)"
e2e_status
bed_check_eq "status --json: mac_via" "port-function port-function" \
    "$(status_vias)"
bed_check_eq "status --json: exit 0" 0 "$E2E_STATUS_RC"
bed_check "status text: the MAC VIA column" \
    sh -c "'$AGENTCTL' --spec '$spec' status | grep -q '^0  *$m0  *port-function '"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

bed_check "devlink monitor port listens" mon_start || { bed_summary; exit; }
port1=$(vf_port 1)

echo "== drift: VF 1's MAC changed by hand through its port function"
bed_check "devlink port function set $port1 hw_addr $drift" \
    devlink port function set "$port1" hw_addr "$drift"
bed_check_eq "ip link: the VF's MAC follows" "$drift" \
    "$(bed_vf_info "$(bed_pf_netdev "$dl")" 1 .address)"
bed_check_eq "plan: set-vf of VF 1, via port function" \
    "1:$m1:port-function" "$(plan_set_vfs)"
mark=$(mon_mark)
bed_check "agentctl apply exits 0" apply_logged
bed_check_eq "apply: the MAC set via port function" 1 \
    "$(set_vf_lines "via port function")"
bed_check "devlink monitor: the agent wrote $m1 to $port1's function" \
    mon_wrote "$mark" "$port1" "$m1"
bed_check_eq "devlink port show: hw_addr repaired" "$m0 $m1" "$(fn_macs 2)"
bed_check_eq "ip link: the VFs' MACs" "$m0 $m1" "$(vf_list_macs)"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== spec change: VF 1's MAC"
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=$m0" "1=$m1b"
bed_check_eq "plan: set-vf of VF 1, via port function" \
    "1:$m1b:port-function" "$(plan_set_vfs)"
mark=$(mon_mark)
bed_check "agentctl apply exits 0" apply_logged
bed_check "devlink monitor: the agent wrote $m1b to $port1's function" \
    mon_wrote "$mark" "$port1" "$m1b"
bed_check_eq "devlink port show: the new hw_addr" "$m0 $m1b" "$(fn_macs 2)"
bed_check_eq "ip link: the VFs' MACs" "$m0 $m1b" "$(vf_list_macs)"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"
mon_stop

echo "== VF count 2 -> 3: through 0, which clears the VFs' MACs"
e2e_write_spec "$spec" "$dl" "$bridge" 3 "0=$m0" "1=$m1b" "2=$m2"
bed_check "agentctl apply exits 0" apply_logged
bed_check_eq "apply: the three MACs set again via port function" 3 \
    "$(set_vf_lines "via port function")"
bed_check_eq "devlink port show: every VF port's hw_addr" "$m0 $m1b $m2" \
    "$(fn_macs 3)"
bed_check "host matches the spec" e2e_host_ok "$spec"
e2e_status
bed_check_eq "status --json: mac_via" \
    "port-function port-function port-function" "$(status_vias)"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

echo "== stock netdevsim (mlx5_port_fn_hw_addr=0): the same spec, via the PF"
bed_nsim_del "$nsim_id"
bed_nsim_param mlx5_port_fn_hw_addr 0
bed_check "netdevsim$nsim_id created again, blank" \
    bed_nsim_new "$nsim_id" 1 8 || { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=$m0" "1=$m1"
bed_check "agentctl apply exits 0" apply_logged
bed_check_eq "apply: both MACs set via the PF" 2 \
    "$(set_vf_lines "via PF (IFLA_VF_MAC)")"
bed_check_eq "apply: none via port function" 0 \
    "$(set_vf_lines "via port function")"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check_eq "devlink port show: no function hw_addr" "" \
    "$(fn_macs 2 | tr -d ' ')"
e2e_status
bed_check_eq "status --json: mac_via" "pf-vf-ndo pf-vf-ndo" "$(status_vias)"
bed_check_eq "status --json: exit 0" 0 "$E2E_STATUS_RC"
bed_check_eq "plan: nothing left to do" "" "$(plan_actions)"

bed_nsim_mlx5_off
bed_summary
