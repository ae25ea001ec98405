#!/bin/bash
# offload-agent against a real ovsdb-server (run by tests/ovsdb/with-ovsdb-server,
# which exports OA_TEST_OVSDB), with a spec that manages bridges only
# ("pfs": []): no kernel needed. systemd's notification socket is stood in
# for by notify-listen. Checks what an operator relies on:
#   READY=1 only once the spec's bridge exists, and a STATUS= line;
#   a spec replaced by write-to-temp-then-rename is applied;
#   an invalid spec keeps the daemon on the last good spec (bridges stay,
#   the error is in the log, in STATUS= and in agentctl status), and
#   fixing the file clears the error;
#   SIGHUP reloads and reconciles;
#   an owned bridge deleted behind the daemon's back comes back unasked;
#   agentctl status --json carries observed_age_ms, reconciling, stats;
#   agentctl reconcile works for root and is refused for other users;
#   SIGTERM: exit 0 and the socket removed;
#   started without a spec: READY=1 anyway, an error status, and the spec
#   is applied once it is written.
#
#   daemon-ovsdb.sh OFFLOAD_AGENT AGENTCTL NOTIFY_LISTEN
# OA_DAEMON_WRAPPER (e.g. valgrind ...) runs the daemon under a wrapper;
# OA_DAEMON_SLOW multiplies the waits (valgrind is ~20x slower).
set -euo pipefail

agent=$1
agentctl=$2
notify_listen=$3
: "${OA_TEST_OVSDB:?run under tests/ovsdb/with-ovsdb-server}"
slow=${OA_DAEMON_SLOW:-1}
read -r -a wrapper <<<"${OA_DAEMON_WRAPPER:-}"

t=$(mktemp -d "${TMPDIR:-/tmp}/oa-daemon.XXXXXX")
# Other users must reach the control socket for the refusal test.
chmod 0755 "$t"
spec=$t/etc/host.json
sock=$t/run/agentctl.sock
log=$t/agent.log
notify=$t/notify.log
mkdir -p "$t/etc"
agent_pid=
listen_pid=

cleanup() {
    local rc=$?
    set +e
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid"
    [ -n "$listen_pid" ] && kill "$listen_pid" 2>/dev/null && wait "$listen_pid"
    if [ "$rc" -ne 0 ]; then
        echo "--- daemon log" >&2
        cat "$log" >&2 || true
        echo "--- notifications" >&2
        cat "$notify" >&2 || true
    fi
    rm -rf "$t"
}
trap cleanup EXIT
# shellcheck source-path=SCRIPTDIR source=daemon-ovsdb-lib.sh
. "$(dirname "$0")/daemon-ovsdb-lib.sh"

log_has() {
    grep -q -- "$1" "$log"
}
alive() {
    kill -0 "$agent_pid" 2>/dev/null
}

# --- start ----------------------------------------------------------------
put_spec "$(spec_with '{"name": "br-a"}')"
"$notify_listen" "$t/notify.sock" >"$notify" &
listen_pid=$!
wait_for 5 test -S "$t/notify.sock" || fail "notify-listen did not start"

start=$(now_ms)
NOTIFY_SOCKET=$t/notify.sock "${wrapper[@]}" "$agent" --spec "$spec" \
    --socket "$sock" 2>"$log" &
agent_pid=$!
wait_for 20 grep -q '^READY=1' "$notify" || fail "no READY=1"
echo "READY=1 after $(($(now_ms) - start)) ms"
# READY comes after the first reconcile: the bridge is there already.
vsctl br-exists br-a || fail "READY=1 before bridge br-a exists"
grep -q '^STATUS=' "$notify" || fail "no STATUS= line"
grep -q '^STATUS=converged' "$notify" ||
    fail "STATUS= does not say converged: $(grep '^STATUS=' "$notify")"
test -S "$sock" || fail "no control socket at $sock"
[ "$(stat -c %a "$sock")" = 660 ] || fail "socket mode $(stat -c %a "$sock"), not 660"

# --- a new spec, renamed into place ----------------------------------------
put_spec "$(spec_with '{"name": "br-a"}, {"name": "br-b"}')"
wait_for 10 vsctl br-exists br-b || fail "br-b of the renamed spec not created"
echo "renamed spec applied: br-b exists"

# --- status from the daemon: how old its observation is, counters ---------
json=$("$agentctl" status --json --socket "$sock" 2>&1) ||
    fail "agentctl status --json from the daemon: $json"
jq -e '(.observed_age_ms | type) == "number" and .reconciling == false
       and .stats.reconciles.converged >= 1 and (.stats.steps | length) >= 1
       and (.stats.ovsdb.commits | type) == "number"' <<<"$json" >/dev/null ||
    fail "status --json lacks observed_age_ms, reconciling or stats: $json"
"$agentctl" status --socket "$sock" | grep -q '^observed [0-9]*\.[0-9] s ago$' ||
    fail "status text does not say how old the observation is"
echo "status: observed_age_ms, reconciling false, stats"

# --- an invalid spec: the daemon keeps the last good one -------------------
bridges_before=$(vsctl list-br)
n_invalid=$(log_count 'is invalid')
put_spec '{"version": 1, "bridges": [{"name": "br-c"}], "pfs": [], "typo": 1}'
wait_for 10 log_grew 'is invalid' "$n_invalid" ||
    fail "invalid spec not reported in the log"
alive || fail "daemon died on an invalid spec"
# Every error line, FILE:LINE:COL: PATH: message.
grep -q "$spec:1:[0-9]*: \$\.typo: " "$log" ||
    fail "the error line (FILE:LINE:COL: PATH: message) is not in the log"
wait_for 10 grep -q '^STATUS=.*invalid' "$notify" ||
    fail "STATUS= does not mention the invalid spec"
sleep $((1 * slow))
[ "$(vsctl list-br)" = "$bridges_before" ] ||
    fail "bridges changed because of an invalid spec: $(vsctl list-br)"
rc=0
out=$("$agentctl" status --socket "$sock" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "agentctl status exit $rc with an invalid spec, want 2: $out"
grep -q 'invalid' <<<"$out" || fail "agentctl status does not show the error: $out"
grep -q 'agentctl validate' <<<"$out" || fail "agentctl status gives no hint: $out"
echo "invalid spec: kept running, bridges unchanged, status exit 2"

# --- fixing the spec clears the error --------------------------------------
put_spec "$(spec_with '{"name": "br-a"}, {"name": "br-b"}')"
wait_for 10 log_has 'valid again' || fail "the fixed spec was not noticed"
rc=0
wait_for 10 "$agentctl" status --socket "$sock" >/dev/null 2>&1 ||
    fail "agentctl status still fails after the fix: $("$agentctl" status --socket "$sock" 2>&1)"
echo "fixed spec: status exit 0"

# --- SIGHUP: reload and reconcile ------------------------------------------
n_hup=$(log_count 'reconcile (SIGHUP.*converged')
kill -HUP "$agent_pid"
wait_for 10 log_grew 'reconcile (SIGHUP.*converged' "$n_hup" ||
    fail "SIGHUP did not reconcile"
alive || fail "daemon died on SIGHUP"
grep -q '^RELOADING=1' "$notify" || fail "no RELOADING=1 on SIGHUP"
echo "SIGHUP: reloaded and reconciled"

# --- drift: an owned bridge removed behind the daemon's back ---------------
vsctl del-br br-a
gone=$(now_ms)
wait_for 15 vsctl br-exists br-a || fail "br-a not restored after del-br"
echo "drift: br-a restored $(($(now_ms) - gone)) ms after ovs-vsctl del-br"

# --- agentctl reconcile: root yes, others no -------------------------------
out=$("$agentctl" reconcile --socket "$sock" 2>&1) ||
    fail "agentctl reconcile as root failed: $out"
# The socket is root:root 0660; open it up so the daemon's own peer
# credential check is what refuses.
chmod 0666 "$sock"
chmod 0755 "$t/run"
rc=0
out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$agentctl" reconcile --socket "$sock" 2>&1) || rc=$?
[ "$rc" -eq 1 ] || fail "agentctl reconcile as nobody: exit $rc, want 1: $out"
grep -q 'permission denied' <<<"$out" || fail "refusal does not say why: $out"
echo "agentctl reconcile: root 0, nobody refused (exit 1)"

# --- SIGTERM ---------------------------------------------------------------
kill -TERM "$agent_pid"
rc=0
wait "$agent_pid" || rc=$?
agent_pid=
[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM, want 0"
[ ! -e "$sock" ] || fail "control socket left behind"
echo "SIGTERM: exit 0, socket removed"

# --- start without a spec: up, READY=1, error status; the spec arrives ----
rm -f "$spec"
: >"$notify"
: >"$log"
NOTIFY_SOCKET=$t/notify.sock "${wrapper[@]}" "$agent" --spec "$spec" \
    --socket "$sock" 2>"$log" &
agent_pid=$!
wait_for 20 grep -q '^READY=1' "$notify" || fail "no READY=1 without a spec"
wait_for 5 grep -q '^STATUS=no spec: .* does not exist, managing nothing' "$notify" ||
    fail "STATUS= does not say the spec is missing: $(grep '^STATUS=' "$notify")"
rc=0
out=$("$agentctl" status --socket "$sock" 2>&1) || rc=$?
[ "$rc" -eq 2 ] || fail "agentctl status without a spec: exit $rc, want 2: $out"
vsctl del-br br-b
put_spec "$(spec_with '{"name": "br-b"}')"
wait_for 10 vsctl br-exists br-b || fail "the spec written after start was not applied"
wait_for 10 "$agentctl" status --socket "$sock" >/dev/null 2>&1 ||
    fail "status not clean once the spec arrived"
echo "no spec at start: READY=1, status exit 2; applied once written"
kill -TERM "$agent_pid"
rc=0
wait "$agent_pid" || rc=$?
agent_pid=
[ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM, want 0"
echo "PASS"
