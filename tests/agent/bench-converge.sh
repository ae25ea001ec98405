#!/bin/bash
# Prints how long `agentctl apply` takes to converge a blank netdevsim
# device under the bed's mlx5 personality, per topology, REPEAT times each
# (numbers only, no pass/fail: timing targets do not belong in tests):
#   seed       1 PF x 2 VFs with MACs, switchdev, bridge, hw-offload
#   8vf-delay  1 PF x 8 VFs with MACs, VFs appearing 1 s after the write
# Runs inside the kernel test bed; from the host:
#   tests/bed/run "tests/agent/bench-converge.sh build/agent/agentctl [REPEAT]"
# Any agentctl binary works (an older build gives the "before" numbers);
# a run that does not converge prints "failed" with apply's exit status.
# OA_BENCH_VERBOSE=1 prints apply's output of every run as well.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL [REPEAT]}")
repeat=${2:-3}
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/bench-converge.XXXXXX)
E2E_SPEC=$work/host.json

# one NAME N_VFS DELAY_MS: one apply from blank, prints its time.
one() {
    local name=$1 n=$2 delay=$3 vfs=() i t0 rc
    for ((i = 0; i < n; i++)); do
        vfs+=("$i=02:00:00:00:05:0$i")
    done
    ovs-vsctl --if-exists del-br "$bridge"
    bed_nsim_del "$nsim_id" 2>/dev/null
    rm -f /var/lib/offload-agent/eswitch-order.json
    bed_nsim_mlx5_on "$delay" || return
    bed_nsim_new "$nsim_id" 1 8 || return
    e2e_write_spec "$E2E_SPEC" "$dl" "$bridge" "$n" "${vfs[@]}" || return
    t0=$(e2e_ms)
    e2e_agentctl apply >"$work/apply.log" 2>&1
    rc=$?
    if [ "$rc" = 0 ] && e2e_host_ok "$E2E_SPEC" >/dev/null 2>&1; then
        echo "converge-time $name: $(($(e2e_ms) - t0)) ms"
        [ -z "${OA_BENCH_VERBOSE:-}" ] || sed 's/^/    /' "$work/apply.log"
    else
        echo "converge-time $name: failed (apply exit $rc after $(($(e2e_ms) - t0)) ms)"
        tail -n 3 "$work/apply.log" | sed 's/^/    /'
    fi
}

modprobe netdevsim || exit 1
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_ovs_start || exit 1
for ((r = 0; r < repeat; r++)); do
    one "seed (1 PF x 2 VFs)" 2 0
    one "1 PF x 8 VFs, 1 s VF delay" 8 1000
done
