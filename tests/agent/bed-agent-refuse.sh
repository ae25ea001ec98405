#!/bin/bash
# End to end, in the kernel test bed (tests/bed/run): one PF whose step the
# kernel refuses does not hold back the others. Two blank netdevsim
# devices in one spec: netdevsim1 (2 VFs) can be converged; netdevsim2 asks
# for 9 VFs where the device allows 8, so its sriov_numvfs write is
# refused (a refusal `agentctl validate` cannot foresee). `agentctl apply`
# exits 1 naming the refused step and the kernel's answer, while
# netdevsim1 is fully converged and attached to OVS (judged with devlink,
# ip, ethtool, ovs-vsctl). Then offload-agent on the same spec: the
# refused step is attempted once and not again (attempts counted in its
# log over 10 s), the reconcile ends blocked, not failed, and status
# --json lists the refusal as a problem. A new spec (4 VFs on netdevsim2)
# is tried at once and converges.
#
# usage: bed-agent-refuse.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
dl1=$(bed_nsim_devlink 1)
dl2=$(bed_nsim_devlink 2)
bridge=ovs-sriov
mac0=02:00:00:00:01:00
mac1=02:00:00:00:01:01
work=$(mktemp -d /tmp/e2e-refuse.XXXXXX)
spec=$work/host.json
spec1=$work/pf1.json # netdevsim1 alone: what e2e_host_ok judges
log=$work/offload-agent.log
E2E_SPEC=$spec
daemon_pid=
agentctl() { e2e_agentctl "$@"; }

cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

# write_spec FILE VFS2: netdevsim1 with 2 VFs (MACs), netdevsim2 with VFS2.
write_spec() {
    cat >"$1.tmp" <<EOF || return
{
  "version": 1,
  "ovs": { "hw_offload": true, "tc_policy": "none", "max_idle_ms": 60000 },
  "bridges": [ { "name": "$bridge" } ],
  "pfs": [
    {
      "devlink": "$dl1",
      "eswitch": "switchdev",
      "num_vfs": 2,
      "bridge": "$bridge",
      "vfs": [
        { "index": 0, "mac": "$mac0", "attach": true },
        { "index": 1, "mac": "$mac1", "attach": true }
      ]
    },
    {
      "devlink": "$dl2",
      "eswitch": "switchdev",
      "num_vfs": $2,
      "bridge": "$bridge"
    }
  ]
}
EOF
    mv -f "$1.tmp" "$1"
}

# attempts: how many times the daemon's log says the refused step failed.
attempts() {
    grep -c "step set-numvfs failed.*$dl2: .* -> 9 VFs refused" "$log"
}

echo "== two blank netdevsim devices (max_vfs 8), OVS without a bridge"
bed_check "modprobe netdevsim" modprobe netdevsim || exit 1
bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on || exit 1
bed_check "netdevsim1 created (1 port, max_vfs 8)" bed_nsim_new 1 1 8 || exit 1
bed_check "netdevsim2 created (1 port, max_vfs 8)" bed_nsim_new 2 1 8 || exit 1
bed_check "OVS started" bed_ovs_start || exit 1
write_spec "$spec" 9
e2e_write_spec "$spec1" "$dl1" "$bridge" 2 "0=$mac0" "1=$mac1"
bed_check "the spec validates (the refusal is the kernel's)" \
    agentctl validate "$spec"

echo "== agentctl apply: netdevsim2 refused, netdevsim1 converges"
out=$(agentctl apply 2>&1)
bed_check_eq "agentctl apply exits 1" 1 "$?"
printf '%s\n' "$out" | sed 's/^/    apply: /'
bed_check "it names the refused step and the kernel's answer" \
    grep -Eq "set-numvfs $dl2: 0 -> 9 VFs refused: [A-Z]" <<<"$out"
# Once, and once more after the PF's own progress (legacy -> switchdev
# went through): from there it could go another way. Not again after.
n=$(grep -c "set-numvfs $dl2: .*failed" <<<"$out")
bed_check "the refused step was tried at most twice ($n)" test "$n" -le 2
bed_check "the report lists the refusal as a problem" \
    grep -Eq "error +$dl2: set-numvfs $dl2 refused: 0 -> 9 VFs refused" <<<"$out"
pf2=$(bed_pf_netdev "$dl2")
bed_check "netdevsim1 converged and attached (the bridge also has $pf2)" \
    e2e_host_ok "$spec1" "$pf2"
bed_check_eq "netdevsim2 has no VFs" 0 \
    "$(cat "$(bed_nsim_sysfs 2)/sriov_numvfs")"
agentctl status >/dev/null 2>&1
bed_check_eq "agentctl status (no daemon) exits 1" 1 "$?"

echo "== offload-agent on the same spec: the refused step is tried once"
E2E_SOCKET=$work/agentctl.sock
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" 2>"$log" &
daemon_pid=$!
bed_wait_for 60 grep -q "reconcile (.*): blocked" "$log"
bed_check "the first reconcile ends blocked, not failed" \
    grep -q "reconcile (.*): blocked after .* ms: .*set-numvfs $dl2" "$log"
sleep 10
n=$(attempts)
echo "   attempts of the refused step in 10 s after the first reconcile: $n"
bed_check_eq "the refused step was attempted once in the daemon" 1 "$n"
bed_check_eq "no reconcile failed (no backoff retries)" 0 \
    "$(grep -c "reconcile (.*) failed" "$log")"
kill -0 "$daemon_pid" 2>/dev/null || bed_fail "the daemon exited"
e2e_status
st=$E2E_ST
bed_check_eq "status exits 1" 1 "$E2E_STATUS_RC"
bed_check "status --json lists the refusal as a problem" test -n \
    "$(jq -r --arg dl "$dl2" '.problems[] | select(.object == $dl)
        | select(.message | test("set-numvfs .* refused: 0 -> 9 VFs refused"))
        | .message' <<<"$st")"
bed_check_eq "stats: no failed reconcile" 0 \
    "$(jq '.stats.reconciles.failed // 0' <<<"$st")"
bed_check "netdevsim1 still converged" e2e_host_ok "$spec1" "$pf2"
[ "$bed_failures" = 0 ] || {
    printf '%s\n' "$st" | sed 's/^/    status: /'
    sed 's/^/    log: /' "$log"
}

echo "== a new spec (4 VFs on netdevsim2) is tried at once"
write_spec "$spec" 4
bed_check "netdevsim2 gets 4 VFs" \
    bed_wait_for 60 grep -qx 4 "$(bed_nsim_sysfs 2)/sriov_numvfs"
bed_check "the daemon converges the new spec" \
    bed_wait_for 60 e2e_agentctl status
[ "$bed_failures" = 0 ] || sed 's/^/    log: /' "$log"
bed_summary
