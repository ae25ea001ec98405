# Check bookkeeping for the netlink bed scripts (sourced).  Each check
# prints PASS/FAIL with what was compared; the script ends with nl_summary.
# shellcheck shell=bash
nl_checks=0
nl_failures=0

nl_pass() {
    nl_checks=$((nl_checks + 1))
    printf 'PASS: %s\n' "$*"
}

nl_fail() {
    nl_checks=$((nl_checks + 1))
    nl_failures=$((nl_failures + 1))
    printf 'FAIL: %s\n' "$*"
}

# nl_eq DESC EXPECTED ACTUAL
nl_eq() {
    if [ "$2" = "$3" ]; then
        nl_pass "$1 ($3)"
    else
        nl_fail "$1 (expected '$2', got '$3')"
    fi
}

# nl_ok DESC CMD...: CMD must succeed; its output is shown on failure.
nl_ok() {
    local desc=$1 out
    shift
    if out=$("$@" 2>&1); then
        nl_pass "$desc"
    else
        nl_fail "$desc"
        printf '%s\n' "$out" | sed 's/^/    /'
    fi
}

# nl_field KEY LINE: the value of KEY=VALUE in a line of nl-bed output.
nl_field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}

# nl_wait SECONDS CMD...: polls CMD until it succeeds (asynchronous kernel
# work such as representors appearing for the shell's tools).
nl_wait() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

nl_summary() {
    printf '%d checks, %d failed\n' "$nl_checks" "$nl_failures"
    [ "$nl_failures" = 0 ] && [ "$nl_checks" -gt 0 ]
}
