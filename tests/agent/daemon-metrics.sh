#!/bin/bash
# offload-agent's metrics against a real ovsdb-server (run by
# tests/ovsdb/with-ovsdb-server), with a spec of bridges only: no kernel.
# Checks what an operator scraping them relies on:
#   --metrics-file is written after the first reconcile (its directory
#   made), and `agentctl metrics` serves the same series;
#   both pass `promtool check metrics` (Prometheus's own linter);
#   a bridge deleted behind the daemon's back shows as a drift repair and
#   a second add-bridge step in the file, unasked;
#   an invalid spec turns spec_valid to 0 in the file, a fixed one to 1;
#   the file is never seen half written while the daemon rewrites it.
#
#   daemon-metrics.sh OFFLOAD_AGENT AGENTCTL
set -euo pipefail

agent=$1
agentctl=$2
: "${OA_TEST_OVSDB:?run under tests/ovsdb/with-ovsdb-server}"
command -v promtool >/dev/null ||
    { echo "FAIL: promtool not found (apt-get install prometheus)" >&2; exit 1; }

t=$(mktemp -d "${TMPDIR:-/tmp}/oa-metrics.XXXXXX")
spec=$t/etc/host.json
sock=$t/run/agentctl.sock
log=$t/agent.log
prom=$t/textfile/offload-agent.prom
mkdir -p "$t/etc"
agent_pid=

cleanup() {
    local rc=$?
    set +e
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid"
    if [ "$rc" -ne 0 ]; then
        echo "--- daemon log" >&2
        cat "$log" >&2
        echo "--- metrics file" >&2
        cat "$prom" >&2
    fi
    rm -rf "$t"
}
trap cleanup EXIT
# shellcheck source-path=SCRIPTDIR source=daemon-ovsdb-lib.sh
. "$(dirname "$0")/daemon-ovsdb-lib.sh"

# value SERIES: the value of the series named exactly (with its labels)
# in the metrics file, empty when absent.
value() {
    awk -v s="$1" '$1 == s { print $2 }' "$prom" 2>/dev/null
}
value_is() {
    [ "$(value "$1")" = "$2" ]
}

put_spec "$(spec_with '{"name": "br-m"}')"
start=$(now_ms)
"$agent" --spec "$spec" --socket "$sock" --metrics-file "$prom" 2>"$log" &
agent_pid=$!
wait_for 20 value_is offload_agent_converged 1 ||
    fail "no metrics file saying converged"
echo "metrics file converged after $(($(now_ms) - start)) ms"

# --- the file and agentctl metrics, linted by promtool --------------------
out=$(promtool check metrics <"$prom" 2>&1) ||
    fail "promtool check metrics on the file: $out"
served=$("$agentctl" metrics --socket "$sock") || fail "agentctl metrics failed"
out=$(promtool check metrics <<<"$served" 2>&1) ||
    fail "promtool check metrics on agentctl metrics: $out"
# The same series both ways (values may have moved on in between).
diff <(grep -v '^#' "$prom" | awk '{print $1}' | sort) \
    <(grep -v '^#' <<<"$served" | awk '{print $1}' | sort) ||
    fail "agentctl metrics and the file have different series"
for s in 'offload_agent_spec_valid' 'offload_agent_ovs_connected' \
    'offload_agent_reconciles_total{result="converged"}' \
    'offload_agent_steps_total{action="add-bridge",result="done"}'; do
    [ "$(value "$s")" = 1 ] || fail "$s is '$(value "$s")', want 1"
done
grep -q '^offload_agent_build_info{version="[^"]\+"} 1$' "$prom" ||
    fail "no build_info with a version"
grep -q '^offload_agent_reconcile_duration_seconds_count [1-9]' "$prom" ||
    fail "no reconcile in the duration histogram"
last=$(value offload_agent_last_success_timestamp_seconds)
now=$(date +%s)
awk -v l="$last" -v n="$now" 'BEGIN { exit !(l > n - 60 && l <= n + 1) }' ||
    fail "last success $last is not within the last minute of $now"
echo "file and agentctl metrics: promtool clean, $(grep -vc '^#' "$prom") samples"

# --- drift: the bridge deleted behind the daemon's back -------------------
vsctl del-br br-m
wait_for 15 value_is 'offload_agent_drift_repairs_total{kind="add-bridge"}' 1 ||
    fail "no drift repair counted after del-br"
wait_for 15 value_is 'offload_agent_steps_total{action="add-bridge",result="done"}' 2 ||
    fail "the repair's add-bridge not counted"
wait_for 15 value_is offload_agent_converged 1 || fail "not converged again"
echo "drift: repair counted in the file"

# --- an invalid spec, then fixed: spec_valid follows without SIGHUP -------
put_spec '{"version": 1, "pfs": 3}'
wait_for 10 value_is offload_agent_spec_valid 0 ||
    fail "spec_valid not 0 after an invalid spec"
put_spec "$(spec_with '{"name": "br-m"}')"
wait_for 10 value_is offload_agent_spec_valid 1 ||
    fail "spec_valid not 1 after the fix"
echo "spec_valid: 0 for an invalid spec, 1 again after the fix"

# --- rewritten whole: readers never see a partial file --------------------
asks=()
for _ in 1 2 3; do
    "$agentctl" reconcile --socket "$sock" >/dev/null &
    asks+=($!)
done
reads=0
end=$(($(now_ms) + 2000))
while [ "$(now_ms)" -lt "$end" ]; do
    body=$(cat "$prom")
    grep -q '^offload_agent_build_info' <<<"$body" &&
        grep -q '^offload_agent_reconcile_duration_seconds_count' <<<"$body" ||
        fail "a partial metrics file was read"
    reads=$((reads + 1))
done
wait "${asks[@]}"
echo "file read whole $reads times while the daemon rewrote it"
