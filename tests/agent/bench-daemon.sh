#!/bin/bash
# Prints offload-agent's resident memory once settled and its CPU use
# while idle, against a real ovsdb-server (run it under
# tests/ovsdb/with-ovsdb-server). Numbers only, no pass/fail: timing and
# size targets do not belong in tests.
#   tests/ovsdb/with-ovsdb-server tests/agent/bench-daemon.sh OFFLOAD_AGENT [IDLE_SECONDS]
set -euo pipefail
agent=$1
idle=${2:-10}
: "${OA_TEST_OVSDB:?run under tests/ovsdb/with-ovsdb-server}"

t=$(mktemp -d "${TMPDIR:-/tmp}/oa-bench.XXXXXX")
pid=
cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" || true
    rm -rf "$t"
}
trap cleanup EXIT

printf '{"version": 1, "ovs": {"db": "%s"}, "bridges": [{"name": "br-bench"}], "pfs": []}\n' \
    "$OA_TEST_OVSDB" >"$t/host.json"
"$agent" --spec "$t/host.json" --socket "$t/agentctl.sock" 2>"$t/log" &
pid=$!
for _ in $(seq 200); do
    grep -q 'reconcile (startup)' "$t/log" && test -S "$t/agentctl.sock" && break
    sleep 0.05
done
sleep 2 # settle

ticks() { # utime + stime, in clock ticks (fields 14 and 15 of stat)
    awk '{ print $14 + $15 }' "/proc/$pid/stat"
}
hz=$(getconf CLK_TCK)
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")
hwm=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status")
t0=$(ticks)
sleep "$idle"
t1=$(ticks)
echo "offload-agent RSS after settle: ${rss} kB (peak ${hwm} kB)"
awk -v d=$((t1 - t0)) -v hz="$hz" -v s="$idle" 'BEGIN {
    printf "offload-agent idle CPU over %d s: %d ticks = %.1f ms (%.3f%%)\n",
        s, d, d * 1000 / hz, d * 100 / hz / s }'
