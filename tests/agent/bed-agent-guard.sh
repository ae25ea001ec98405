#!/bin/bash
# In the kernel test bed: guarded disruptive changes (agentctl apply,
# agent/guard.h), netdevsim's mlx5 personality and OVS, one boot:
#   (a) legacy -> switchdev whose health does not come back: the VFs
#       (and so the representors) are held back by the device
#       (mlx5_vf_delay_ms 60000 for that one write, as a firmware that
#       never brings them up): apply reverts by itself to legacy with 2
#       VFs and the uplink in its bridge, exits 1 saying why; the same
#       spec is refused until it changes, then applies;
#   (b) apply --confirm 4 of switchdev -> legacy, no confirm: reverted
#       to switchdev after 4 s, exit 1;
#   (c) apply --confirm 60 with `agentctl confirm` from another process
#       while it waits: kept (legacy), exit 0; a second confirm finds
#       nothing waiting;
#   (d) the daemon, the same change as (a): reverted by itself, status
#       exit 1 naming the reverted generation, no retry (one revert in
#       its log 15 s later, also after the same file is written again);
#       restarted, it still does not apply that generation (it reads
#       failed-generation.json and keeps the last-known-good state) and
#       says so in status and its log; a changed spec applied.
# Judged with devlink, sysfs and ovs-vsctl.
#
# usage: bed-agent-guard.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-guard.XXXXXX)
spec=$work/host.json
switchdev_spec=$work/switchdev.json
E2E_SPEC=$spec
E2E_STATE_DIR=$work/state
agentctl() { e2e_agentctl "$@"; }
numvfs() { cat "$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs"; }

# set_mode MODE [jq flags]: the spec's eswitch mode; the flags change
# only the bytes (-c: compact), so the spec is another generation.
set_mode() {
    jq ${2:-} ".pfs[0].eswitch = \"$1\"" "$spec" >"$spec.tmp" &&
        mv -f "$spec.tmp" "$spec"
}

# legacy_ok: eswitch legacy, 2 VFs, the uplink the bridge's only port.
legacy_ok() {
    local got pf
    pf=$(bed_pf_netdev "$dl") || return
    got="$(bed_eswitch "$dl") $(numvfs) $(e2e_ovs_ports "$bridge" | tr '\n' ' ')"
    [ "$got" = "legacy 2 $pf " ] || { bed_log "host: $got"; return 1; }
    e2e_iface_ok "$pf"
}

# switching: the agent's numvfs write into switchdev has happened.
switching() {
    [ "$(bed_eswitch "$dl")" = switchdev ] && [ "$(numvfs)" = 2 ]
}

echo "== netdevsim (mlx5 personality), OVS: a legacy host with 2 VFs"
bed_check "modprobe netdevsim" modprobe netdevsim || { bed_summary; exit; }
bed_nsim_mlx5_on
bed_check "netdevsim$nsim_id (1 port, max 8 VFs)" bed_nsim_new "$nsim_id" 1 8 ||
    { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:01:01
cp "$spec" "$switchdev_spec"
set_mode legacy
bed_check "apply converges legacy" agentctl apply
bed_check "legacy, 2 VFs, the uplink in $bridge" legacy_ok

echo "== (a) legacy -> switchdev, the representors never come: reverted"
set_mode switchdev
bed_nsim_param mlx5_vf_delay_ms 60000
t0=$(e2e_ms)
agentctl apply >"$work/a.out" 2>"$work/a.err" &
apply=$!
bed_check "the agent switched and wrote 2 VFs" bed_wait_for 60 switching
# Only that write is held back: the revert's own writes are not.
bed_nsim_param mlx5_vf_delay_ms 200
wait "$apply"
rc=$?
echo "   apply took $(($(e2e_ms) - t0)) ms"
bed_check_eq "apply exits 1" 1 "$rc" || sed 's/^/    apply: /' "$work/a.err"
bed_check "it says health did not come back, and why" grep -q \
    "health did not come back within 10000 ms: $dl: 0 of 2 representors" "$work/a.err"
bed_check "it says it reverts" grep -q "reverting to the last-known-good state" "$work/a.err"
bed_check "the status problem says reverted" grep -q \
    "reverted to the last-known-good state" "$work/a.out"
bed_check "legacy, 2 VFs, the uplink in $bridge again" legacy_ok
bed_check "the generation is kept as failed" test -s "$E2E_STATE_DIR/failed-generation.json"
bed_check_refused "the same spec again: refused, host untouched" \
    "applied before and reverted: $dl: 0 of 2 representors" agentctl apply
bed_check "still legacy" legacy_ok
set_mode switchdev -c
bed_check "the spec changed: apply converges switchdev" agentctl apply
bed_check "host matches the switchdev spec" e2e_host_ok "$switchdev_spec"

echo "== (b) --confirm 4, switchdev -> legacy, no confirm: reverted"
set_mode legacy
t0=$(e2e_ms)
out=$(agentctl apply --confirm 4 2>&1 >/dev/null)
rc=$?
echo "   apply --confirm 4 took $(($(e2e_ms) - t0)) ms"
bed_check_eq "apply exits 1" 1 "$rc" || printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check "it asked for a confirmation" grep -q "run \`agentctl confirm\` within 4 s" <<<"$out"
bed_check "reverted: not confirmed" grep -q "not confirmed within 4 s" <<<"$out"
bed_check "host matches the switchdev spec again" e2e_host_ok "$switchdev_spec"

echo "== (c) --confirm 60, confirmed: kept"
set_mode legacy -c
agentctl apply --confirm 60 >/dev/null 2>"$work/c.err" &
apply=$!
bed_check "apply waits for a confirmation" bed_wait_for 60 test -e "$E2E_STATE_DIR/confirm"
bed_check "meanwhile the host is legacy" legacy_ok
bed_check "agentctl confirm" agentctl confirm
wait "$apply"
rc=$?
bed_check_eq "apply exits 0" 0 "$rc" || sed 's/^/    apply: /' "$work/c.err"
bed_check "legacy kept" legacy_ok
bed_check_refused "a second confirm: nothing waits" "no apply --confirm waits" \
    agentctl confirm

echo "== (d) the daemon: legacy -> switchdev, the representors never come"
log=$work/offload-agent.log
E2E_SOCKET=$work/agentctl.sock
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" --state-dir "$E2E_STATE_DIR" \
    2>"$log" &
daemon=$!
bed_check "the daemon converges legacy" bed_wait_for 60 agentctl status
bed_nsim_param mlx5_vf_delay_ms 60000
set_mode switchdev --tab
bed_check "the daemon switched and wrote 2 VFs" bed_wait_for 60 switching
bed_nsim_param mlx5_vf_delay_ms 200
bed_check "the daemon logs the revert" bed_wait_for 60 grep -q \
    "health did not come back within 10 s after a disruptive change: $dl: 0 of 2 representors; reverting" "$log"
reverted() {
    local out
    out=$(agentctl status 2>&1) && return 1
    grep -q "reverted to the last-known-good state: $dl: 0 of 2 representors" <<<"$out"
}
bed_check "status exits 1 and names the reverted generation" bed_wait_for 60 reverted
bed_check "legacy, 2 VFs, the uplink in $bridge again" bed_wait_for 30 legacy_ok
cp "$spec" "$spec.same" && mv -f "$spec.same" "$spec"
sleep 15
bed_check_eq "no retry: one revert in the log 15 s later" 1 \
    "$(grep -c "reverting to the last-known-good state" "$log")"
bed_check "the same file written again: not applied" grep -q \
    "unchanged since it was reverted" "$log"
bed_check "still legacy" legacy_ok
kill "$daemon"
wait "$daemon"
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" --state-dir "$E2E_STATE_DIR" \
    2>"$log" &
daemon=$!
bed_check "restarted: the daemon says it was reverted before" bed_wait_for 60 \
    grep -q "was reverted to the last-known-good state before: $dl: 0 of 2 representors; not applied again until it changes (keeping the last-known-good state)" "$log"
bed_check "restarted: status exits 1 naming the reverted generation" \
    bed_wait_for 60 reverted
sleep 10
bed_check "restarted: not applied again, still legacy" legacy_ok
bed_check_eq "restarted: no switch, no revert in its log" 0 \
    "$(grep -c "reverting to the last-known-good state\|reconcile.*failed" "$log")"
set_mode switchdev -c
E2E_T0=$(e2e_ms)
e2e_converge_wait "the spec changed: the daemon converges switchdev" 120 "$switchdev_spec"
kill "$daemon"
wait "$daemon"
bed_check_eq "the daemon ends on SIGTERM" 0 "$?"
[ "$bed_failures" = 0 ] || tail -30 "$log" | sed 's/^/    log: /'

bed_ovs_stop
bed_nsim_mlx5_off
bed_summary
