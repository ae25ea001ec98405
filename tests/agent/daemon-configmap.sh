#!/bin/bash
# offload-agent reading its spec from a directory laid out as Kubernetes
# mounts a ConfigMap (real ovsdb-server, specs of bridges only, no
# kernel), changed the way kubelet's atomic writer changes it: a new
# `..TIMESTAMP` directory, a `..data_tmp` symlink to it renamed over
# `..data`, the user-visible symlinks (`NAME.json -> ..data/NAME.json`)
# made for new keys, the old directory removed. Never a SIGHUP. Checks:
#   --spec-dir DIR --node NAME reads DIR/default.json while the ConfigMap
#   has no NAME.json;
#   a swap changing default.json is applied; the pickup latency (swap to
#   the spec's bridge in OVSDB) is printed, and bounded by the debounce
#   plus a reconcile;
#   a swap adding NAME.json moves the node to it; one removing it moves
#   the node back to default.json;
#   --spec FILE where FILE is such a symlink follows the swap too.
#
#   daemon-configmap.sh OFFLOAD_AGENT AGENTCTL
set -euo pipefail

agent=$1
agentctl=$2
: "${OA_TEST_OVSDB:?run under tests/ovsdb/with-ovsdb-server}"

t=$(mktemp -d "${TMPDIR:-/tmp}/oa-configmap.XXXXXX")
cm=$t/configmap
sock=$t/agentctl.sock
log=$t/agent.log
mkdir -p "$cm"
agent_pid=

cleanup() {
    local rc=$?
    set +e
    [ -n "$agent_pid" ] && kill "$agent_pid" 2>/dev/null && wait "$agent_pid"
    if [ "$rc" -ne 0 ]; then
        echo "--- daemon log" >&2
        cat "$log" >&2
        ls -la "$cm" >&2
    fi
    rm -rf "$t"
}
trap cleanup EXIT
# shellcheck source-path=SCRIPTDIR source=daemon-ovsdb-lib.sh
. "$(dirname "$0")/daemon-ovsdb-lib.sh"

spec_br() {
    spec_with "{\"name\": \"$1\"}"
}
# publish KEY=BRIDGE...: the ConfigMap's new contents, written as the
# atomic writer does (pkg/volume/util/atomic_writer.go): files in a new
# timestamped directory, ..data swapped by rename(2), symlinks of new
# keys made after the swap, those of removed keys and the old directory
# removed last.
generation=0
publish() {
    local new old kv key
    generation=$((generation + 1))
    new=..2026_12_02_21_00_00.$generation
    old=$(readlink "$cm/..data" 2>/dev/null || true)
    mkdir "$cm/$new"
    for kv in "$@"; do
        key=${kv%%=*}
        spec_br "${kv#*=}" >"$cm/$new/$key.json"
    done
    ln -s "$new" "$cm/..data_tmp"
    mv -T "$cm/..data_tmp" "$cm/..data"
    for kv in "$@"; do
        key=${kv%%=*}
        [ -L "$cm/$key.json" ] || ln -s "..data/$key.json" "$cm/$key.json"
    done
    for f in "$cm"/*.json; do
        [ -e "$f" ] || rm -f "$f" # its key is gone: a dangling symlink
    done
    [ -z "$old" ] || rm -rf "${cm:?}/$old"
}
has_br() {
    vsctl br-exists "$1"
}
# swap_to DESC BRIDGE KEY=BRIDGE...: publishes, waits for BRIDGE, prints
# the latency.
swap_to() {
    local desc=$1 want=$2 start
    shift 2
    start=$(now_ms)
    publish "$@"
    wait_for 10 has_br "$want" || fail "$desc: bridge $want not made"
    echo "pickup $desc: $(($(now_ms) - start)) ms"
}

publish default=br-default
"$agent" --spec-dir "$cm" --node node-a --socket "$sock" 2>"$log" &
agent_pid=$!
wait_for 20 has_br br-default || fail "default.json not applied"
grep -q "spec $cm/default.json" "$log" || fail "default.json not named in the log"
echo "--spec-dir: node-a reads default.json"

swap_to "default.json changed" br-default2 default=br-default2
swap_to "node-a.json added" br-node-a default=br-default2 node-a=br-node-a
grep -q "spec for node node-a: now $cm/node-a.json" "$log" ||
    fail "the switch to node-a.json not logged"
swap_to "node-a.json changed" br-node-a2 default=br-default2 node-a=br-node-a2
swap_to "node-a.json removed" br-default3 default=br-default3
! grep -q SIGHUP "$log" || fail "a SIGHUP in the log: the test sends none"
kill "$agent_pid"
wait "$agent_pid" || fail "the daemon did not exit 0"
agent_pid=

# --spec on the symlink itself, as a ConfigMap mounted at /etc/offload-agent.
"$agent" --spec "$cm/default.json" --socket "$sock" 2>>"$log" &
agent_pid=$!
wait_for 20 has_br br-default3 || fail "--spec on the symlink not applied"
swap_to "--spec symlink, ..data swapped" br-default4 default=br-default4
"$agentctl" status --socket "$sock" >/dev/null || fail "status not converged"
echo "--spec on a ConfigMap symlink follows the swap"
