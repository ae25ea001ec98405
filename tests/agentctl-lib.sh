# Shell helpers for tests that run agentctl as users do (sourced after
# setting $agentctl). Bash. Sets $tmp (removed on exit) and $failures.
# shellcheck shell=bash
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run EXPECTED_EXIT ARGS...: runs agentctl, output in $tmp/out, $tmp/err;
# a different exit status is a failure, shown with both outputs.
run() {
    local want=$1
    shift
    "$agentctl" "$@" >"$tmp/out" 2>"$tmp/err"
    local got=$?
    if [ "$got" != "$want" ]; then
        fail "agentctl $*: exit $got, want $want"
        sed 's/^/  stdout: /' "$tmp/out" >&2
        sed 's/^/  stderr: /' "$tmp/err" >&2
    fi
}
