#!/bin/bash
# agentctl validate as users run it: exit codes, stdout, and the exact
# format of the errors on stderr (docs/cli.md).
#   agentctl-validate.sh AGENTCTL EXAMPLES_DIR
set -u
agentctl=$1
examples=$2
# shellcheck source=../agentctl-lib.sh
. "$(dirname "$0")/../agentctl-lib.sh"

# Every example: exit 0, a summary line, nothing on stderr.
for f in "$examples"/*.json; do
    run 0 validate "$f"
    grep -qx "$f: valid: [0-9]* PFs\?, [0-9]* VFs\? configured, [0-9]* bridges\?" \
        "$tmp/out" || fail "$f: summary: $(cat "$tmp/out")"
    [ -s "$tmp/err" ] && fail "$f: stderr not empty"
done

run 0 validate "$examples/seed-cx6dx.json"
[ "$(cat "$tmp/out")" = \
  "$examples/seed-cx6dx.json: valid: 1 PF, 2 VFs configured, 1 bridge" ] ||
    fail "seed summary: $(cat "$tmp/out")"

# --json prints the normalised spec, which validates and is a fixed point;
# options go before or after the command word.
run 0 validate --json "$examples/bed-netdevsim.json"
cp "$tmp/out" "$tmp/norm.json"
grep -q '"vf_driver": null' "$tmp/norm.json" || fail "--json: no vf_driver"
grep -q '"hw_tc_offload": true' "$tmp/norm.json" ||
    fail "--json: defaults not filled in"
run 0 validate "$tmp/norm.json" --json
cmp -s "$tmp/out" "$tmp/norm.json" || fail "--json is not a fixed point"

# --spec names the file; a positional FILE wins over it.
run 0 --spec "$examples/seed-cx6dx.json" validate
grep -q "^$examples/seed-cx6dx.json: valid:" "$tmp/out" || fail "--spec ignored"
run 0 validate --spec /nonexistent/host.json "$examples/seed-cx6dx.json"
run 0 validate --spec "$examples/seed-cx6dx.json"
grep -q "^$examples/seed-cx6dx.json: valid:" "$tmp/out" ||
    fail "--spec after the command word ignored"
# --socket is accepted before or after the command word (validate does not
# use it, but the same command line must work for every command).
run 0 --socket /nonexistent/agentctl.sock validate "$examples/seed-cx6dx.json"
run 0 validate "$examples/seed-cx6dx.json" --socket /nonexistent/agentctl.sock

# An invalid spec: exit 2, nothing on stdout, one error a line on stderr
# in the format FILE:LINE:COL: PATH: message, sorted by position.
cat >"$tmp/bad.json" <<'JSON'
{
  "version": 1,
  "bridges": [{"name": "ovs-sriov"}],
  "pfs": [{
    "netdev": "enp67s0f0", "num_vfs": 2, "bridge": "ovs-sriov",
    "vfs": [{"index": 0, "mac": "e4:11:22:33:55:60"},
            {"index": 1, "mac": "01:00:5e:00:00:01", "vlan": 5000}],
    "attach_uplnk": true
  }]
}
JSON
run 2 validate "$tmp/bad.json"
[ -s "$tmp/out" ] && fail "invalid spec: stdout not empty"
cat >"$tmp/want" <<EOF2
$tmp/bad.json:7:33: \$.pfs[0].vfs[1].mac: not a unicast MAC address "01:00:5e:00:00:01"
$tmp/bad.json:7:62: \$.pfs[0].vfs[1].vlan: 5000 is out of range 0..4094
$tmp/bad.json:8:5: \$.pfs[0].attach_uplnk: unknown key "attach_uplnk" (did you mean "attach_uplink"?)
EOF2
diff -u "$tmp/want" "$tmp/err" >&2 || fail "invalid spec: stderr differs"

# A switchdev VF's vlan is its representor port's OVS tag: without a
# bridge on the PF there is no port to tag.
cat >"$tmp/vlan.json" <<'JSON'
{
  "version": 1,
  "pfs": [{"netdev": "enp67s0f0", "num_vfs": 1,
           "vfs": [{"index": 0, "vlan": 100}]}]
}
JSON
run 2 validate "$tmp/vlan.json"
cat >"$tmp/want" <<EOF2
$tmp/vlan.json:4:41: \$.pfs[0].vfs[0].vlan: "vlan" on a switchdev PF is the OVS tag of the VF's representor port: it needs "bridge" on this PF (the representor must be a port of a bridge)
EOF2
diff -u "$tmp/want" "$tmp/err" >&2 || fail "switchdev vlan: stderr differs"

# Not JSON at all, and JSON that is not UTF-8.
printf '{"version": 1,\n "pfs": [}\n' >"$tmp/syntax.json"
run 2 validate "$tmp/syntax.json"
grep -Eq "^$tmp/syntax.json:2:10: \\\$\\.pfs\\[0\\]: invalid JSON: " "$tmp/err" ||
    fail "syntax error: $(cat "$tmp/err")"
printf '{"version": 1, "pfs": [{"netdev": "caf\xe9", "num_vfs": 0}]}' \
    >"$tmp/latin1.json"
run 2 validate "$tmp/latin1.json"
[ "$(wc -l <"$tmp/err")" = 1 ] || fail "latin1: $(cat "$tmp/err")"

# Unreadable: exit 2 and a clear message naming the file.
run 2 validate /nonexistent/host.json
[ "$(cat "$tmp/err")" = \
  "/nonexistent/host.json: cannot read the spec: No such file or directory" ] ||
    fail "missing file: $(cat "$tmp/err")"
run 2 validate "$tmp"
grep -q "Is a directory" "$tmp/err" || fail "directory: $(cat "$tmp/err")"
head -c $((2 * 1024 * 1024)) /dev/zero >"$tmp/big.json"
run 2 validate "$tmp/big.json"
grep -q "too large" "$tmp/err" || fail "big file: $(cat "$tmp/err")"

# Without FILE or --spec: the default path.
if [ ! -e /etc/offload-agent/host.json ]; then
    run 2 validate
    grep -q "^/etc/offload-agent/host.json: " "$tmp/err" ||
        fail "default spec path: $(cat "$tmp/err")"
fi

# Misuse is not "invalid spec".
run 1 validate a.json b.json

if [ "$failures" != 0 ]; then
    echo "$failures failure(s)" >&2
    exit 1
fi
echo "agentctl validate: all checks passed"
