#!/bin/bash
# agentctl plan/apply/status/reconcile and validate --host as users run
# them, where no host access is needed: the spec is refused before
# anything is observed (exit 2, every error as FILE:LINE:COL: PATH:
# message), --host is validate's alone, and status and
# reconcile talk to a daemon over the control socket (a stand-in that
# uses the real ctl code) and pass on its payload and exit code.
#   agentctl-cli.sh AGENTCTL FAKE_CTL_DAEMON
set -u
agentctl=$1
fake=$2
# shellcheck source=../agentctl-lib.sh
. "$(dirname "$0")/../agentctl-lib.sh"

# start_fake EXIT PAYLOAD: a daemon for one request on $sock.
sock=$tmp/run/agentctl.sock
start_fake() {
    "$fake" "$sock" "$1" "$2" &
    fake_pid=$!
    for _ in $(seq 100); do
        [ -S "$sock" ] && return 0
        sleep 0.05
    done
    fail "fake daemon did not start"
}

# An invalid spec: two errors, on lines 1 and 3.
cat >"$tmp/bad.json" <<'JSON'
{"version": 2,
 "pfs": [
   {"netdev": "eth0", "num_vfs": -1}
 ]}
JSON
for cmd in plan apply status; do
    run 2 --socket "$tmp/none.sock" --spec "$tmp/bad.json" "$cmd"
    grep -q "^$tmp/bad.json:1:[0-9]*: \$.version: " "$tmp/err" ||
        fail "$cmd: no error for \$.version in: $(cat "$tmp/err")"
    grep -q "^$tmp/bad.json:3:[0-9]*: \$.pfs\[0\].num_vfs: " "$tmp/err" ||
        fail "$cmd: no error for num_vfs in: $(cat "$tmp/err")"
    [ -s "$tmp/out" ] && fail "$cmd: output on stdout for an invalid spec"
done
# validate --host checks the file first: an invalid spec is refused
# before the host is looked at, the same way (FILE positional or --spec).
run 2 validate --host "$tmp/bad.json"
grep -q "^$tmp/bad.json:3:[0-9]*: \$.pfs\[0\].num_vfs: " "$tmp/err" ||
    fail "validate --host: no error for num_vfs in: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "validate --host: output on stdout for an invalid spec"
run 2 --spec "$tmp/bad.json" validate --host
grep -q "^$tmp/bad.json:1:[0-9]*: \$.version: " "$tmp/err" ||
    fail "validate --host --spec: no error for \$.version in: $(cat "$tmp/err")"
# --host belongs to validate alone.
run 1 --spec "$tmp/bad.json" plan --host
grep -q "^agentctl: --host is an option of validate only" "$tmp/err" ||
    fail "plan --host: $(cat "$tmp/err")"
run 0 --help
grep -q "validate --host \[FILE\] \[--json\]" "$tmp/out" ||
    fail "usage does not name validate --host: $(cat "$tmp/out")"

# A spec that is missing is invalid too, and says so.
run 2 --socket "$tmp/none.sock" --spec "$tmp/missing.json" plan
grep -q "$tmp/missing.json" "$tmp/err" || fail "missing spec not named"

# Positional arguments are refused.
run 1 plan extra
grep -q "takes no argument" "$tmp/err" || fail "plan extra: no message"

# reconcile without a daemon.
run 1 --socket "$tmp/none.sock" reconcile
grep -qx "agentctl: no daemon is listening on $tmp/none.sock" "$tmp/err" ||
    fail "reconcile without daemon: $(cat "$tmp/err")"

# status from the daemon: its payload and its exit code, --json passed on
# (options after the command word too). The spec is not read: the
# daemon has its own.
start_fake 1 "the daemon's report"
run 1 --spec "$tmp/bad.json" status --socket "$sock" --json
wait "$fake_pid" || fail "fake daemon failed (status)"
printf "request: status json=1 root=%d\nthe daemon's report\n" \
    "$([ "$(id -u)" = 0 ] && echo 1 || echo 0)" >"$tmp/want"
cmp -s "$tmp/out" "$tmp/want" ||
    fail "status payload: $(cat "$tmp/out")"

start_fake 0 "converged"
run 0 --socket "$sock" reconcile
wait "$fake_pid" || fail "fake daemon failed (reconcile)"
grep -q "^request: reconcile json=0 " "$tmp/out" ||
    fail "reconcile request: $(cat "$tmp/out")"
grep -qx "converged" "$tmp/out" || fail "reconcile payload: $(cat "$tmp/out")"

start_fake 1 "apply failed: set-eswitch refused"
run 1 --socket "$sock" reconcile
wait "$fake_pid" || fail "fake daemon failed (reconcile 1)"

# apply refuses while a daemon owns the host, before touching anything.
start_fake 0 "unused"
run 1 --socket "$sock" --spec "$tmp/bad.json" apply
grep -q "offload-agent is running" "$tmp/err" ||
    fail "apply next to a daemon: $(cat "$tmp/err")"
kill "$fake_pid" 2>/dev/null
wait "$fake_pid" 2>/dev/null

if [ "$failures" != 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "agentctl-cli: all passed"
