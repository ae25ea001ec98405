#!/bin/bash
# The man pages and the shipped examples against the code they document:
# - offload-agent.json(5) names every key of the spec validator's key
#   table (config/spec-validate.c), and each JSON example in it is a
#   valid spec (agentctl validate), as is the annotated example once its
#   comment lines are stripped (as its header says to);
# - agentctl(8) names every command "agentctl --help" lists and every
#   long option of agentctl.c; offload-agent(8) every long option of
#   offload-agent.c;
# - the built pages render with man (no groff warning).
#   docs-check.sh AGENTCTL MAN_BUILD_DIR
set -u
agentctl=$1
mandir=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
man=$top/packaging/man
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# The validator's table of keys: {"key", "$.parent"} lines.
keys=$(sed -nE 's/^ *\{"([a-z_]+)", "\$[^"]*"\},?$/\1/p' "$top/config/spec-validate.c")
[ "$(wc -w <<<"$keys")" -ge 25 ] || fail "read $(wc -w <<<"$keys") keys from spec-validate.c: parse broken?"
for k in $keys; do
    checks=$((checks + 1))
    grep -q "^\*$k\* (" "$man/offload-agent.json.5.scd" ||
        fail "offload-agent.json(5): key $k not documented (\"*$k* (TYPE, default: ...)\")"
done

# Each ``` block in the EXAMPLES section that starts with "{" is a spec.
awk -v dir="$tmp" '
    /^# EXAMPLES/ { ex = 1 } /^# FILES/ { ex = 0 }
    ex && /^```/ { if (in_b) { in_b = 0; close(f) } else { in_b = 1; n++; f = dir "/example" n ".json" } ; next }
    in_b { print > f }' "$man/offload-agent.json.5.scd"
n=0
for f in "$tmp"/example*.json; do
    [ -e "$f" ] || continue
    n=$((n + 1))
    checks=$((checks + 1))
    "$agentctl" validate "$f" >/dev/null 2>"$tmp/err" ||
        fail "offload-agent.json(5) example $n is not valid: $(cat "$tmp/err")"
done
[ "$n" -ge 4 ] || fail "offload-agent.json(5): $n examples, want at least 4"
checks=$((checks + 1))
grep -v '^ *#' "$top/packaging/examples/host.json.annotated" >"$tmp/annotated.json"
"$agentctl" validate "$tmp/annotated.json" >/dev/null 2>"$tmp/err" ||
    fail "host.json.annotated without its comments is not valid: $(cat "$tmp/err")"

# Commands and options.
cmds=$("$agentctl" --help | sed -n '/^commands:/,/^$/s/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)
[ -n "$cmds" ] || fail "no command in agentctl --help"
for c in $cmds; do
    checks=$((checks + 1))
    grep -q "^\*$c\*" "$man/agentctl.8.scd" || fail "agentctl(8): command $c not documented"
done
opts() { sed -nE 's/^ *\{"([a-z-]+)", (no|required)_argument.*/\1/p' "$1"; }
for o in $(opts "$top/agent/agentctl.c"); do
    checks=$((checks + 1))
    grep -q "\*--$o\*" "$man/agentctl.8.scd" || fail "agentctl(8): option --$o not documented"
done
for o in $(opts "$top/agent/offload-agent.c"); do
    checks=$((checks + 1))
    grep -q "\*--$o\*" "$man/offload-agent.8.scd" || fail "offload-agent(8): option --$o not documented"
done

for page in agentctl.8 offload-agent.8 offload-agent.json.5; do
    checks=$((checks + 1))
    out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$mandir/$page" 2>&1 >/dev/null)
    [ -z "$out" ] || fail "$page: man warnings: $out"
    LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$mandir/$page" 2>/dev/null | grep -q '^NAME' ||
        fail "$page: does not render a NAME section"
done

echo "$checks checks, $failures failed"
exit $((failures > 0))
