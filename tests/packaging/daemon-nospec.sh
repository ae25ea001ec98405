#!/bin/bash
# A fresh install has no spec (the package ships none): the daemon starts,
# manages nothing and says so, and picks the spec up once it is written.
# Checks: offload-agent runs with its spec file missing; agentctl status
# (text and --json) says "no spec: FILE does not exist, managing
# nothing", with a hint naming the examples directory, exit 2 as for any
# spec it cannot use; the log has it as a notice, no error line; the
# state directory is not created (nothing learned, nothing written);
# writing the spec later is picked up without a restart (inotify); SIGTERM
# ends it with 0. The spec written names an OVSDB socket that does not
# exist, so nothing on this host can be touched.
#   daemon-nospec.sh OFFLOAD_AGENT AGENTCTL
set -u
agent=$1
agentctl=$2
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT
failures=0 checks=0
check() {
    local what=$1
    shift
    checks=$((checks + 1))
    if "$@"; then
        echo "ok: $what"
    else
        echo "FAIL: $what" >&2
        failures=$((failures + 1))
    fi
}
mkdir -p "$tmp/etc" "$tmp/run"
spec=$tmp/etc/host.json sock=$tmp/run/agentctl.sock state=$tmp/state
ctl() { "$agentctl" --spec "$spec" --socket "$sock" --state-dir "$state" "$@"; }

env -u NOTIFY_SOCKET "$agent" --spec "$spec" --socket "$sock" \
    --state-dir "$state" >"$tmp/log" 2>&1 &
pid=$!
for _ in $(seq 200); do
    [ -S "$sock" ] && break
    sleep 0.05
done
check "daemon listens without a spec" test -S "$sock"

rc=0
ctl status >"$tmp/out" 2>&1 || rc=$?
check "status exit 2 (got $rc)" test "$rc" = 2
check "status says there is no spec" \
    grep -qF "no spec: $spec does not exist, managing nothing" "$tmp/out"
check "status hints at the examples" \
    grep -qF "hint: write it (examples in /usr/share/doc/offload-agent/examples)" "$tmp/out"
ctl status --json >"$tmp/json" 2>&1
check "status --json: the problem" \
    grep -qF "\"message\": \"no spec: $spec does not exist, managing nothing\"" "$tmp/json"
check "status --json: no PF" grep -q '"pfs": \[\]' "$tmp/json"
check "log: a notice (<5>no spec ...)" grep -q "^<5>no spec $spec: managing nothing" "$tmp/log"
check "log: no error line" bash -c "! grep -q '^<[0-3]>' '$tmp/log'"
check "state directory not created" test ! -e "$state"
check "daemon still running" kill -0 "$pid"

# The operator writes a spec: picked up, "no spec" is gone.
printf '{"version": 1, "ovs": {"db": "unix:%s/none.sock"}, "pfs": []}\n' "$tmp" >"$spec.new"
mv "$spec.new" "$spec"
loaded() { grep -q "loaded spec $spec" "$tmp/log"; }
for _ in $(seq 100); do
    loaded && break
    sleep 0.1
done
check "spec written later: loaded without a restart" loaded
# The first reconcile on it waits for the (absent) OVSDB for a while; the
# status is the last one published until then.
no_spec_gone() {
    ctl status >"$tmp/out" 2>&1
    ! grep -q 'no spec' "$tmp/out"
}
for _ in $(seq 150); do
    no_spec_gone && break
    sleep 0.1
done
check "status no longer says no spec" no_spec_gone

kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
pid=
check "SIGTERM: exit 0 (got $rc)" test "$rc" = 0
[ "$failures" = 0 ] || sed 's/^/  log: /' "$tmp/log" >&2
echo "$checks checks, $failures failed"
exit $((failures > 0))
