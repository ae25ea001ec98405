#!/bin/bash
# agentctl doctor as operators run it, on the fixture trees (--root):
# exit codes 0/1/2, text and --json, usage errors on stderr with exit 1,
# --interval and --root refused for other commands.
#
# usage: agentctl-doctor-cli.sh AGENTCTL TREES
set -uo pipefail
AGENTCTL=${1:?usage: $0 AGENTCTL TREES}
TREES=${2:?usage: $0 AGENTCTL TREES}
fail=0 n=0
# No daemon is asked when --root is given; this socket would not answer.
sock=/nonexistent/agentctl.sock

check() { # DESC EXPECTED ACTUAL
    n=$((n + 1))
    if [ "$2" = "$3" ]; then echo "PASS: $1"; else
        echo "FAIL: $1 (expected '$2', got '$3')"; fail=$((fail + 1)); fi
}

run() { # ARGS...: sets out, err, rc
    rc=0
    out=$("$AGENTCTL" --socket "$sock" --spec "${SPEC:-/nonexistent/host.json}" \
        "$@" 2>/tmp/doctor-cli-err.$$) || rc=$?
    err=$(cat /tmp/doctor-cli-err.$$)
}

run doctor --root "$TREES/healthy"
check "healthy tree: exit 0" 0 "$rc"
check "healthy tree: the summary" \
    "doctor: 0 errors, 0 warnings (10 checks: pcie-link pci-bar sriov prereq irq-numa nic-drops ovs-offload tc-rules vdpa-features devlink-health)" \
    "$out"
SPEC=$TREES/spec-context/spec.json run doctor --root "$TREES/spec-context" \
    --interval 0
check "with --spec: its PFs as found, first" \
    "spec pfs[0] netdev enp8s0f0np0: pci/0000:08:00.0, netdev enp8s0f0np0, 2 of 2 VFs
spec pfs[1] pci 0000:09:00.0: not found on this host" "$(head -2 <<<"$out")"
check "with --spec: a representor's finding says its spec PF and VF" 1 \
    "$(grep -c '^warning tc-rules pf0vf1 (spec pfs\[0\] enp8s0f0np0 VF 1): ' <<<"$out")"
run doctor --root "$TREES/cx6dx-x4-drops" --interval 5
check "trained-down link and drops: exit 1 (warnings)" 1 "$rc"
check "two warning lines" 2 "$(grep -c '^warning ' <<<"$out")"
run doctor --root "$TREES/virtio-bar-legacy" --json pci-bar
check "BAR lost, bound legacy: exit 2" 2 "$rc"
check "--json: the finding's object" 0000:08:00.0 \
    "$(jq -r '.findings[0].object' <<<"$out")"
check "--json: one check ran" '["pci-bar"]' "$(jq -c '.checks' <<<"$out")"
run doctor --root "$TREES/cx6dx-x4-drops" --interval 0
check "--interval 0: no rates, only the link: exit 1" 1 "$rc"
check "--interval 0: nic-drops noted as not checked" 1 \
    "$(grep -c '^note nic-drops: not checked' <<<"$out")"
run doctor --root "$TREES/healthy" nosuch
check "unknown check: exit 1" 1 "$rc"
check "unknown check: said on stderr" 'agentctl: doctor: unknown check "nosuch"' \
    "$(head -1 <<<"$err")"
run doctor --root "$TREES/healthy" --interval soon
check "bad --interval: exit 1" 1 "$rc"
check "bad --interval: said on stderr" 1 "$(grep -c -- '--interval soon: not a number' <<<"$err")"
run status --interval 1
check "--interval on status: exit 1" 1 "$rc"
check "--interval on status: refused" 1 "$(grep -c 'options of doctor only' <<<"$err")"
rm -f /tmp/doctor-cli-err.$$
echo "$n checks, $fail failed"
[ "$fail" = 0 ]
