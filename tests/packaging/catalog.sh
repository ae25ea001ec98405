#!/bin/bash
# packaging/offload-agent.catalog against the daemon's message IDs
# (agent/agentd.h, AGENTD_MID_*): journalctl builds a catalog database
# from it in a private root, and lists an entry with a Subject for each
# ID the daemon logs, and none the daemon does not know.
#   catalog.sh
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

mkdir -p "$root/usr/lib/systemd/catalog"
cp "$top/packaging/offload-agent.catalog" "$root/usr/lib/systemd/catalog/"
journalctl --root="$root" --update-catalog ||
    fail "journalctl --update-catalog refused the catalog"
listed=$(journalctl --root="$root" --list-catalog)
ids=$(sed -nE 's/^#define AGENTD_MID_[A-Z_]+ +"([0-9a-f]{32})"$/\1/p' \
    "$top/agent/agentd.h")
[ "$(wc -w <<<"$ids")" -eq 5 ] || fail "read $(wc -w <<<"$ids") IDs from agentd.h, want 5"
for id in $ids; do
    grep -q "^$id offload-agent" <<<"$listed" ||
        fail "message ID $id has no catalog entry with a Subject: $listed"
done
[ "$(wc -l <<<"$listed")" -eq 5 ] || fail "catalog entries beyond the daemon's IDs: $listed"
echo "catalog: 5 entries, one per message ID"
