#!/bin/bash
# offload-agent while its OVSDB misbehaves (run by tests/ovsdb/with-ovsdb-server,
# which exports OA_TEST_OVSDB and OA_TEST_OVSDB_DIR), with a spec of bridges
# only ("pfs": []): no kernel needed. What an operator relies on:
#   a spec with 10000 invalid VF entries logs the first errors and a
#   count, not 10000 lines;
#   ovsdb-server frozen (SIGSTOP) under a reconcile that waits for its
#   answer: 50 concurrent `agentctl status` all answer within 1 s and say
#   that a reconcile is in progress; a new spec ends the wait at once
#   (the reconcile of the old spec is given up, not failed); SIGTERM ends
#   the daemon at once (time to exit printed);
#   ovsdb-server down (killed) for OA_OUTAGE_S seconds (default 60) while
#   the spec asks for a new bridge: status answers at once throughout, and
#   the daemon converges within 5 s of the server's return (printed).
#
#   daemon-outage.sh OFFLOAD_AGENT AGENTCTL CTL_BURST
set -euo pipefail

agent=$1
agentctl=$2
ctl_burst=$3
: "${OA_TEST_OVSDB:?run under tests/ovsdb/with-ovsdb-server}"
: "${OA_TEST_OVSDB_DIR:?run under tests/ovsdb/with-ovsdb-server}"
outage=${OA_OUTAGE_S:-60}
db=$OA_TEST_OVSDB_DIR

t=$(mktemp -d "${TMPDIR:-/tmp}/oa-outage.XXXXXX")
spec=$t/etc/host.json
sock=$t/run/agentctl.sock
log=$t/agent.log
mkdir -p "$t/etc"
agent_pid=

server_pid() {
    cat "$db/ovsdb-server.pid" 2>/dev/null || true
}
cleanup() {
    local rc=$?
    set +e
    local pid
    pid=$(server_pid)
    [ -n "$pid" ] && kill -CONT "$pid" 2>/dev/null
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid"
    if [ "$rc" -ne 0 ]; then
        echo "--- daemon log" >&2
        tail -n 80 "$log" >&2 || true
    fi
    rm -rf "$t"
}
trap cleanup EXIT
# shellcheck source-path=SCRIPTDIR source=daemon-ovsdb-lib.sh
. "$(dirname "$0")/daemon-ovsdb-lib.sh"

start_agent() {
    "$agent" --spec "$spec" --socket "$sock" --state-dir "$t/state" \
        2>>"$log" &
    agent_pid=$!
    wait_for 20 "$agentctl" status --socket "$sock" >/dev/null 2>&1 ||
        fail "the daemon did not converge after start"
}
stop_agent_timed() { # sets stop_ms: from SIGTERM to exit
    local t0 rc=0
    t0=$(now_ms)
    kill -TERM "$agent_pid"
    wait "$agent_pid" || rc=$?
    agent_pid=
    [ "$rc" -eq 0 ] || fail "exit $rc after SIGTERM, want 0"
    stop_ms=$(($(now_ms) - t0))
}
# status_burst N: N concurrent `status --json` calls (ctl-burst: agentctl's
# client code in N threads, so the time is the daemon's, not that of
# starting N processes); each payload in $t/burst/burst.I.
status_burst() {
    rm -rf "$t/burst"
    mkdir -p "$t/burst"
    "$ctl_burst" "$sock" "$1" "$t/burst" status --json >"$t/burst.out" ||
        fail "ctl-burst: some status calls got no answer: $(cat "$t/burst.out")"
}
burst_max_ms() {
    sed -n 's/^max //p' "$t/burst.out"
}
burst_reconciling() {
    cat "$t/burst"/burst.* | jq -s '[.[] | select(.reconciling)] | length'
}

# --- a spec with 10000 invalid VF entries ----------------------------------
put_spec "$(spec_with '{"name": "br-a"}')"
start_agent
python3 -c '
import json, sys
vfs = [{"index": i, "mac": "not-a-mac"} for i in range(10000)]
print(json.dumps({"version": 1, "ovs": {"db": sys.argv[1]}, "bridges": [],
                  "pfs": [{"netdev": "eth9", "num_vfs": 4, "vfs": vfs}]}))' \
    "$OA_TEST_OVSDB" >"$t/etc/.host.json.tmp"
n_before=$(wc -l <"$log")
mv -f "$t/etc/.host.json.tmp" "$spec"
wait_for 20 grep -q 'more errors not logged' "$log" ||
    fail "no count of the errors not logged"
sleep 0.5
n_lines=$(($(wc -l <"$log") - n_before))
n_errors=$(tail -n +"$((n_before + 1))" "$log" | grep -c '^<3>[^ ]*:[0-9]*:[0-9]*: \$\.pfs' || true)
echo "10000 invalid VFs: $n_lines log lines, $n_errors error lines"
[ "$n_errors" -le 20 ] || fail "$n_errors spec error lines logged, want at most 20"
total=$(sed -n 's/.*is invalid (\([0-9]*\) errors).*/\1/p' "$log" | tail -n 1)
[ "${total:-0}" -ge 10000 ] || fail "the log does not give the number of errors"
grep -q ": $((total - n_errors)) more errors not logged" "$log" ||
    fail "the count of the rest is not $((total - n_errors)): $(grep 'more errors' "$log")"
put_spec "$(spec_with '{"name": "br-a"}')"
wait_for 10 "$agentctl" status --socket "$sock" >/dev/null 2>&1 ||
    fail "status not clean after the spec was fixed"

# --- ovsdb-server frozen under a reconcile ---------------------------------
srv=$(server_pid)
kill -STOP "$srv"
n=$(log_count 'reconcile (spec changed)$')
put_spec "$(spec_with '{"name": "br-a"}, {"name": "br-b"}')"
wait_for 10 log_grew 'reconcile (spec changed)$' "$n" ||
    fail "the new spec did not start a reconcile"
sleep 1
status_burst 50
max=$(burst_max_ms)
n_rec=$(burst_reconciling)
echo "ovsdb-server frozen, reconcile waiting: 50 concurrent status, slowest ${max} ms, $n_rec say reconciling"
[ "$max" -lt 1000 ] || fail "a status took ${max} ms during the wait"
[ "$n_rec" -eq 50 ] || fail "only $n_rec of 50 status said a reconcile is in progress"

# A spec that asks for something else ends the wait.
n=$(log_count 'given up')
t0=$(now_ms)
put_spec "$(spec_with '{"name": "br-a"}, {"name": "br-c"}')"
wait_for 10 log_grew 'given up' "$n" || fail "a new spec did not end the wait"
echo "new spec during the wait: old reconcile given up after $(($(now_ms) - t0)) ms"
grep -q 'given up after [0-9]* ms: the spec changed' "$log" ||
    fail "the log does not say why the reconcile was given up"
! grep -q 'reconcile (spec changed) failed' "$log" ||
    fail "the given-up reconcile counted as failed"

# SIGTERM while the new spec's reconcile waits on the frozen server.
sleep 0.5
stop_agent_timed
echo "SIGTERM while waiting on a frozen ovsdb-server: exit after ${stop_ms} ms"
[ "$stop_ms" -lt 2000 ] || fail "SIGTERM took ${stop_ms} ms to end the daemon"
kill -CONT "$srv"

# --- ovsdb-server down for $outage s ---------------------------------------
start_agent
vsctl br-exists br-c || fail "br-c not applied after the restart"
kill -TERM "$srv"
wait_for 10 sh -c "! kill -0 $srv 2>/dev/null" || kill -KILL "$srv"
rm -f "$db/db.sock" "$db/ovsdb-server.pid"
put_spec "$(spec_with '{"name": "br-a"}, {"name": "br-c"}, {"name": "br-d"}')"
down=$(now_ms)
slowest=0
while [ $(($(now_ms) - down)) -lt $((outage * 1000)) ]; do
    s=$(now_ms)
    "$agentctl" status --socket "$sock" >/dev/null 2>&1 || true
    e=$(($(now_ms) - s))
    [ "$e" -le "$slowest" ] || slowest=$e
    sleep 1
done
status_burst 50
max=$(burst_max_ms)
echo "ovsdb-server down ${outage} s: slowest single status ${slowest} ms, 50 concurrent at the end: slowest ${max} ms"
# A process started per call: its start-up is in the time (the burst
# below measures the daemon's answer alone).
[ "$slowest" -lt 2000 ] || fail "a status took ${slowest} ms during the outage"
[ "$max" -lt 1000 ] || fail "a concurrent status took ${max} ms during the outage"
up=$(now_ms)
ovsdb-server "$db/conf.db" --remote="punix:$db/db.sock" \
    --pidfile="$db/ovsdb-server.pid" --detach --no-chdir -vconsole:off \
    --log-file="$db/ovsdb-server.log" --unixctl="$db/ovsdb-server.ctl"
wait_for 30 vsctl br-exists br-d || fail "br-d not created after the server came back"
created=$(($(now_ms) - up))
wait_for 30 "$agentctl" status --socket "$sock" >/dev/null 2>&1 ||
    fail "status not converged after the server came back"
echo "ovsdb-server back after ${outage} s: br-d created after ${created} ms, status converged after $(($(now_ms) - up)) ms"
[ "$created" -le 5000 ] || fail "converged ${created} ms after the server's return, want <= 5000"
stop_agent_timed
echo "PASS"
