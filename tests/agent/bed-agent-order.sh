#!/bin/bash
# In the kernel test bed: the eswitch order per device, its fallback in
# both directions and the order learned on disk, through `agentctl apply`
# on netdevsim's mlx5 personality (bed_nsim_mlx5_on: legacy VF ndos, VF
# port function hw_addr, VF reset, busy eswitch, VFs 200 ms late; plus one
# of the two switchdev refusals at a time). Each part starts from a
# blank device (deleted and made again: the same devlink handle) and is
# judged with devlink, ip, ethtool and ovs-vsctl (e2e_host_ok).
#  (a) switchdev refused without VFs: apply falls back to vfs-first, says
#      the kernel's words, converges and records vfs-first in the state
#      file; applied again from blank it takes vfs-first first: fewer
#      refused steps (counted from apply --json's stats).
#  (b) switchdev refused with VFs, the state file saying vfs-first (a
#      stale entry the test writes): the refusal sends the agent to
#      switchdev-first through 0 VFs; converged, the entry replaced.
#  (c) the same refusal, VFs already there in legacy, no entry:
#      switchdev-first goes through 0 VFs, nothing refused.
#  (d) both refused: apply exits 1 with a blocker, the refused steps
#      bounded (no ping-pong).
#  (e) a corrupt state file: apply converges, one warning names the file.
#
# usage: bed-agent-order.sh AGENTCTL
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
work=$(mktemp -d /tmp/e2e-order.XXXXXX)
spec=$work/host.json
state=$work/state
file=$state/eswitch-order.json
E2E_SPEC=$spec
# An agent without --state-dir (the one before this feature) still runs
# the script: its checks of the state file then fail on their own.
state_opt=()
if "$AGENTCTL" --help 2>&1 | grep -q -- --state-dir; then
    state_opt=(--state-dir "$state")
fi
agentctl() { e2e_agentctl "${state_opt[@]}" "$@"; }

cleanup() {
    bed_nsim_mlx5_off
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

# blank: netdevsim1 deleted and made again (legacy, 0 VFs, max_vfs 8),
# the bridge gone.
blank() {
    ovs-vsctl --if-exists del-br "$bridge" || return
    if [ -e "$(bed_nsim_sysfs "$nsim_id")" ]; then
        bed_nsim_del "$nsim_id" || return
    fi
    bed_nsim_new "$nsim_id" 1 8
}

# knobs WITH WITHOUT: mlx5_no_switchdev_with_vfs and _without_vfs.
knobs() {
    bed_nsim_param mlx5_no_switchdev_with_vfs "$1" &&
        bed_nsim_param mlx5_no_switchdev_without_vfs "$2"
}

# apply_json NAME: agentctl apply --json; its report in $work/NAME.json,
# its progress (stderr) in $work/NAME.err, its exit code in APPLY_RC.
apply_json() {
    APPLY_RC=0
    agentctl apply --json >"$work/$1.json" 2>"$work/$1.err" || APPLY_RC=$?
    sed 's/^/    apply: /' "$work/$1.err"
}

# refused NAME: steps apply counted as failed (its stats).
refused() {
    jq '[.stats.steps[]?.failed] | add // 0' "$work/$1.json" 2>/dev/null ||
        echo "?"
}

# pf_field NAME KEY: .pfs[0].KEY of apply NAME's report.
pf_field() {
    jq -r --arg k "$2" '.pfs[0][$k] // "-"' "$work/$1.json" 2>/dev/null
}

# learned: the order the state file holds for netdevsim1 ("-": none).
learned() {
    jq -r --arg dl "$dl" \
        'first((.entries[] | select(.devlink == $dl) | .order), "-")' \
        "$file" 2>/dev/null || echo "-"
}

# The device's firmware as devlink info says it (the key's third part).
firmware() {
    devlink -j dev info "$dl" | jq -r '.info[].versions.running // {}
        | if has("fw.version") then .["fw.version"] elif has("fw") then .fw
          else ([to_entries[].value][0] // "") end'
}

# first_eswitch_order: the order of the first set-eswitch of plan --json.
first_eswitch_order() {
    agentctl plan --json 2>/dev/null |
        jq -r 'first((.steps[] | select(.action == "set-eswitch") | .order), "-")'
}

echo "== netdevsim with the mlx5 personality, OVS without a bridge"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_check "mlx5 personality on" bed_nsim_mlx5_on || { bed_summary; exit; }
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 "0=02:00:00:00:01:00" \
    "1=02:00:00:00:01:01"

echo "== (a) switchdev refused without VFs: fallback to vfs-first, learned"
knobs 0 1
bed_check "blank netdevsim$nsim_id" blank || { bed_summary; exit; }
echo "   devlink dev info $dl: driver $(devlink -j dev info "$dl" |
    jq -r '.info[].driver'), running $(devlink -j dev info "$dl" |
    jq -c '.info[].versions.running'), firmware '$(firmware)'"
t0=$(e2e_ms)
apply_json a1
echo "   apply with the fallback: $(($(e2e_ms) - t0)) ms"
bed_check_eq "agentctl apply exits 0" 0 "$APPLY_RC"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check "apply names the refusal with the kernel's words" \
    grep -q "set-eswitch $dl.*failed.*kernel: .*SRIOV legacy not enabled" \
    "$work/a1.err"
bed_check "apply says it fell back to vfs-first" \
    grep -q "$dl: eswitch order vfs-first, the other was refused" \
    "$work/a1.err"
bed_check_eq "status: eswitch_order" vfs-first "$(pf_field a1 eswitch_order)"
bed_check_eq "status: eswitch_order_source" fallback \
    "$(pf_field a1 eswitch_order_source)"
bed_check "status: eswitch_order_refused has the kernel's text" \
    grep -q "SRIOV legacy not enabled" <<<"$(pf_field a1 eswitch_order_refused)"
bed_check_eq "state file: vfs-first for $dl" vfs-first "$(learned)"
bed_check_eq "state file: the driver devlink info names" netdevsim \
    "$(jq -r --arg dl "$dl" '.entries[] | select(.devlink == $dl) | .driver' \
        "$file" 2>/dev/null)"
bed_check_eq "state file: the firmware devlink info names" "$(firmware)" \
    "$(jq -r --arg dl "$dl" '.entries[] | select(.devlink == $dl) | .firmware' \
        "$file" 2>/dev/null)"
x=$(refused a1)

echo "== (a) again from blank: vfs-first taken first"
bed_check "blank netdevsim$nsim_id (same handle)" blank
bed_check_eq "plan: set-eswitch in vfs-first order" vfs-first \
    "$(first_eswitch_order)"
bed_check_eq "status (no daemon): the learned order" "vfs-first learned" \
    "$(agentctl status --json 2>/dev/null |
        jq -r '.pfs[0] | "\(.eswitch_order) \(.eswitch_order_source)"')"
t0=$(e2e_ms)
apply_json a2
echo "   apply with the learned order: $(($(e2e_ms) - t0)) ms"
bed_check_eq "agentctl apply exits 0" 0 "$APPLY_RC"
bed_check "host matches the spec" e2e_host_ok "$spec"
y=$(refused a2)
echo "refused-steps first run: $x, second run: $y"
bed_check "the second run refused fewer steps ($y < $x)" \
    test "${y/\?/99}" -lt "${x/\?/0}"

echo "== (b) switchdev refused with VFs, a stale vfs-first entry"
knobs 1 0
bed_check "blank netdevsim$nsim_id" blank
mkdir -p "$state"
jq -n --arg dl "$dl" --arg fw "$(firmware)" '{version: 1, entries: [
    {devlink: $dl, driver: "netdevsim", firmware: $fw, order: "vfs-first"}]}' \
    >"$file"
apply_json b
bed_check_eq "agentctl apply exits 0" 0 "$APPLY_RC"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check "vfs-first tried first and refused with the kernel's words" \
    grep -q "set-eswitch $dl.*failed.*kernel: .*while VFs exist" "$work/b.err"
bed_check "then switchdev-first, through 0 VFs" \
    grep -q "set-numvfs $dl: 2 -> 0 \.\.\. ok" "$work/b.err"
bed_check_eq "status: eswitch_order" "switchdev-first fallback" \
    "$(pf_field b eswitch_order) $(pf_field b eswitch_order_source)"
bed_check_eq "state file: switchdev-first for $dl now" switchdev-first \
    "$(learned)"
echo "   refused steps: $(refused b)"

echo "== (c) switchdev refused with VFs, VFs already there in legacy"
bed_check "blank netdevsim$nsim_id" blank
rm -f "$file"
bed_check "2 VFs created by hand (legacy)" bed_nsim_numvfs "$nsim_id" 2
apply_json c
bed_check_eq "agentctl apply exits 0" 0 "$APPLY_RC"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check_eq "nothing refused: the mode changed with 0 VFs" 0 "$(refused c)"
bed_check "the VFs went to 0 before set-eswitch" \
    grep -q "set-numvfs $dl: 2 -> 0 \.\.\. ok" "$work/c.err"

echo "== (d) both orders refused: a blocker, no ping-pong"
knobs 1 1
bed_check "blank netdevsim$nsim_id" blank
rm -f "$file"
apply_json d
bed_check_eq "agentctl apply exits 1" 1 "$APPLY_RC"
n=$(refused d)
bed_check "refused steps bounded: each order once, and once more from the VFs it made ($n <= 3)" \
    test "${n/\?/99}" -le 3
bed_check "the report lists the refusal as a problem" test -n \
    "$(jq -r --arg dl "$dl" '.problems[] | select(.object == $dl)
        | select(.message | test("set-eswitch .* refused: .*while VFs exist"))
        | .message' "$work/d.json" 2>/dev/null)"
bed_check_eq "nothing learned" - "$(learned)"

echo "== (e) a corrupt state file: ignored with one warning"
knobs 0 0
bed_check "blank netdevsim$nsim_id" blank
mkdir -p "$state"
printf '{"version": 1, "entries": [ {"devlink": \n' >"$file"
apply_json e
bed_check_eq "agentctl apply exits 0" 0 "$APPLY_RC"
bed_check "host matches the spec" e2e_host_ok "$spec"
bed_check_eq "one warning, naming the file" 1 \
    "$(grep -c "warning: .*$file" "$work/e.err")"
bed_check_eq "the file is whole again: switchdev-first learned" \
    switchdev-first "$(learned)"

bed_summary
