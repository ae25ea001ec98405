#!/bin/bash
# bash completion of agentctl (packaging/bash-completion/agentctl), driven
# as an interactive shell drives it on TAB (complete.sh): commands,
# options (per command), file names after --spec, --root and validate,
# doctor's check names.
#   completion.sh AGENTCTL [COMPLETION_FILE]
# Without COMPLETION_FILE the installed one is used (bash-completion's
# loader), as in the package's bed test; the agentctl on PATH is then the
# one the completion asks for its commands.
set -u
here=$(cd "$(dirname "$0")" && pwd)
agentctl=$1
file=${2:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0 checks=0
export PATH="$(dirname "$agentctl"):$PATH"

# expect 'LINE' 'WANT...': the candidates, sorted, one per line.
expect() {
    local line=$1 got want
    shift
    checks=$((checks + 1))
    got=$(cd "$tmp" && "$here/complete.sh" ${file:+--file "$file"} "$line" | sort | tr '\n' ' ')
    want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
    if [ "$got" != "$want" ]; then
        echo "FAIL: '$line<TAB>': got '$got', want '$want'" >&2
        failures=$((failures + 1))
    fi
}

mkdir "$tmp/specs"
touch "$tmp/host.json" "$tmp/notes.txt" "$tmp/specs/x.json"

expect "agentctl st" status
expect "agentctl re" reconcile
# Every command agentctl --help lists (doctor too, once it exists).
mapfile -t cmds < <("$agentctl" --help | awk '/^commands:/ { c = 1; next }
    /^$/ { c = 0 } c && /^  [a-z]/ { print $1 }' | sort -u)
[ "${#cmds[@]}" -ge 5 ] || { echo "FAIL: ${#cmds[@]} commands in agentctl --help" >&2; exit 1; }
expect "agentctl " "${cmds[@]}"
expect "agentctl --spec host.json st" status
expect "agentctl --st" --state-dir
expect "agentctl --s" --spec --socket --state-dir
expect "agentctl validate --h" --help --host
expect "agentctl status --j" --json
expect "agentctl reconcile --j"
expect "agentctl --spec " host.json specs
expect "agentctl --spec specs/" specs/x.json
expect "agentctl validate " host.json specs
expect "agentctl --state-dir " specs
expect "agentctl doctor --" --json --interval --root --spec --socket --state-dir --help --version
expect "agentctl doctor pci" pci-bar pcie-link
expect "agentctl doctor --json nic" nic-drops
expect "agentctl doctor --interval 5 ovs" ovs-offload
expect "agentctl doctor --root " specs

echo "$checks checks, $failures failed"
exit $((failures > 0))
