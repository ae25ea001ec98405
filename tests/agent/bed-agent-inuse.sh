#!/bin/bash
# In the PCI test bed with an IOMMU (OA_BED_PCI=1 OA_BED_IOMMU=1: qemu's
# NVMe PF with 2 real PCI VFs, each in its own IOMMU group): a VF bound to
# vfio-pci whose group /dev/vfio/N a background process holds open (the
# "VM"). A spec lowering the VF count 2 -> 1 (through 0: the NVMe PF
# refuses 2 -> 1):
#  - default "disruptive" (forbid): `agentctl plan` (text and --json) and
#    `status --json` name the VF, its PCI address and its holder; `apply`
#    exits 1 and the host is unchanged (2 VFs, the VF still on vfio-pci,
#    its holder alive);
#  - the holder gone, still forbid: apply lowers the count (a vfio-pci VF
#    nobody holds is not in use);
#  - held again, "disruptive": "allow": plan's set-numvfs says whom it
#    disrupts and apply lowers the count.
# Judged with sysfs and /proc, never with the agent's code. Times in ms.
#
# usage: bed-agent-inuse.sh AGENTCTL
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL}")
work=$(mktemp -d /tmp/e2e-inuse.XXXXXX)
spec=$work/host.json
E2E_SPEC=$spec
agentctl() { e2e_agentctl "$@"; }

numvfs() { cat "$sys/sriov_numvfs"; }
drv() { bed_pci_driver "$1" 2>/dev/null || echo -; }

# write_spec NUM_VFS [DISRUPTIVE]: the NVMe PF by its PCI address (it has
# no netdev), legacy (no devlink, no eswitch), binding left alone.
write_spec() {
    local extra=''
    [ -z "${2:-}" ] || extra=$(printf ', "disruptive": "%s"' "$2")
    cat >"$spec" <<EOF
{"version": 1, "ovs": {"hw_offload": true},
 "pfs": [{"pci": "$pf", "eswitch": "legacy", "num_vfs": $1$extra}]}
EOF
}

# two_vfs_one_held: 2 VFs (autoprobe off: unbound), VF 1 bound to
# vfio-pci, its group open by a background `sleep` (pid in $holder).
two_vfs_one_held() {
    echo 0 >"$sys/sriov_numvfs" && echo 2 >"$sys/sriov_numvfs" || return
    vf1=$(basename "$(readlink "$sys/virtfn1")") &&
        bed_pci_bind "$vf1" vfio-pci || return
    group=$(basename "$(readlink "/sys/bus/pci/devices/$vf1/iommu_group")")
    [ -c "/dev/vfio/$group" ] || { bed_log "no /dev/vfio/$group"; return 1; }
    sleep 100000 3<>"/dev/vfio/$group" &
    holder=$!
    bed_wait_for 10 test -e "/proc/$holder/fd/3"
}

# apply_timed: agentctl apply; its exit code in $rc, output in $out,
# duration in $ms.
apply_timed() {
    local t0
    t0=$(e2e_ms)
    out=$(agentctl apply 2>&1)
    rc=$?
    ms=$(($(e2e_ms) - t0))
    printf '%s\n' "$out" | sed 's/^/    apply: /'
}

echo "== PCI bed: NVMe PF, vfio-pci, OVS"
modprobe nvme
pf=$(bed_pci_sriov_pfs | head -1)
[ -n "$pf" ] || { bed_fail "an SR-IOV PCI PF (OA_BED_PCI=1)"; bed_summary; exit; }
sys=/sys/bus/pci/devices/$pf
bed_check "modprobe vfio-pci" modprobe vfio-pci || { bed_summary; exit; }
bed_check "the PF has an IOMMU group (OA_BED_IOMMU=1)" \
    test -e "$sys/iommu_group" || { bed_summary; exit; }
bed_check "OVS started" bed_ovs_start || { bed_summary; exit; }
echo 0 >"$sys/sriov_drivers_autoprobe"
bed_check "2 VFs, VF 1 on vfio-pci, its group held open" two_vfs_one_held ||
    { bed_summary; exit; }
echo "VF 1 $vf1, /dev/vfio/$group held by sleep (pid $holder)"
want_holder="vfio-pci, /dev/vfio/$group open by sleep (pid $holder)"
want_blocker="$pf vf 1 ($vf1) is in use: $want_holder; set-numvfs 2 -> 0 would remove it; set \"disruptive\": \"allow\" on the PF to proceed"

echo "== forbid (the default): blocked, host unchanged"
write_spec 1
txt=$(agentctl plan 2>&1)
printf '%s\n' "$txt" | sed 's/^/    plan: /'
bed_check "plan (text) shows the blocker naming the VF and its holder" \
    grep -qF "$want_blocker" <<<"$txt"
json=$(agentctl plan --json 2>/dev/null)
bed_check_eq "plan --json: no kernel step (only OVS's), the blocker" \
    "0|$want_blocker" \
    "$(jq -r '"\([.steps[] | select(.action | test("numvfs|bind|wait"))] | length)|\(.blockers | map(.message) | join(";"))"' <<<"$json")"
bed_check_eq "plan --json: the blocker's object" "$pf vf 1" \
    "$(jq -r '.blockers[0].object' <<<"$json")"
apply_timed
bed_check_eq "apply exits 1 (not converged: blocked)" 1 "$rc"
echo "TIMING apply blocked by a VF in use: $ms ms"
bed_check "apply's status names the blocker" grep -qF "$want_blocker" <<<"$out"
bed_check_eq "host unchanged: 2 VFs, VF 1 on vfio-pci, holder alive" \
    "2 vfio-pci yes" \
    "$(numvfs) $(drv "$vf1") $(test -e "/proc/$holder" && echo yes || echo no)"
st=$(agentctl status --json 2>/dev/null)
bed_check_eq "status --json: vfs[1].in_use is the holder, vfs[0] null" \
    "$want_holder|null" \
    "$(jq -r '"\(.pfs[0].vfs[1].in_use)|\(.pfs[0].vfs[0].in_use)"' <<<"$st")"
# shellcheck disable=SC2016 # jq's $m, not the shell's
bed_check "status --json: the blocker is a problem" \
    jq -e --arg m "$want_blocker" \
    '[.problems[] | select(.message == $m and .severity == "error")] | length == 1' \
    <<<"$st"

# With CAP_NET_ADMIN as its only capability (the unit's bounding set),
# the kernel hides the fds of processes with more (ptrace access check):
# the agent cannot see who holds the group and takes the VF as in use.
st=$(setpriv --bounding-set=-all,+net_admin --inh-caps=-all \
    "$AGENTCTL" --spec "$spec" status --json 2>/dev/null)
bed_check_eq "CAP_NET_ADMIN only: holders unknown, still in use" \
    "vfio-pci, /dev/vfio/$group: holders unknown" \
    "$(jq -r '.pfs[0].vfs[1].in_use' <<<"$st" | sed 's/ (the fds of .*//')"

echo "== the holder gone, forbid: the count changes"
kill "$holder"
wait "$holder" 2>/dev/null
st=$(agentctl status --json 2>/dev/null)
bed_check_eq "status: VF 1 still on vfio-pci, not in use" "vfio-pci null" \
    "$(jq -r '"\(.pfs[0].vfs[1].driver) \(.pfs[0].vfs[1].in_use)"' <<<"$st")"
apply_timed
bed_check_eq "apply converges (exit 0)" 0 "$rc"
echo "TIMING apply 2 -> 1 VFs, vfio-pci VF not held: $ms ms"
bed_check_eq "sriov_numvfs 1" 1 "$(numvfs)"

echo "== held again, \"disruptive\": \"allow\": the count changes"
bed_check "2 VFs, VF 1 on vfio-pci, its group held open" two_vfs_one_held ||
    { bed_summary; exit; }
want_holder="vfio-pci, /dev/vfio/$group open by sleep (pid $holder)"
write_spec 1 allow
json=$(agentctl plan --json 2>/dev/null)
bed_check_eq "plan --json: no blocker; set-numvfs 2 -> 0 names whom it disrupts" \
    "0|2 -> 0, disrupts vf 1: $want_holder" \
    "$(jq -r '"\(.blockers | length)|\([.steps[] | select(.action == "set-numvfs")][0].detail)"' <<<"$json")"
apply_timed
bed_check_eq "apply converges (exit 0)" 0 "$rc"
echo "TIMING apply 2 -> 1 VFs over a held VF, disruptive allow: $ms ms"
bed_check_eq "sriov_numvfs 1, VF 1 gone" "1 gone" \
    "$(numvfs) $(test -e "/sys/bus/pci/devices/$vf1" && echo there || echo gone)"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

echo 0 >"$sys/sriov_numvfs"
echo 1 >"$sys/sriov_drivers_autoprobe"
bed_ovs_stop
bed_summary
