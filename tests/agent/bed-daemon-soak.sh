#!/bin/bash
# Bed soak: offload-agent (the daemon) on netdevsim (mlx5 personality) and
# OVS for OA_SOAK_SECONDS (default 120) with OA_SOAK_CHANGES spec changes
# (default 100) and drift injected at random, seeded (OA_SOAK_SEED,
# printed: the same seed replays the same changes and faults). Rounds of:
# a burst of spec changes (VF MACs, attach/detach, now and then the VF
# count; written by rename, 0-300 ms apart), waited for until the host
# matches the last one; then one fault of a random kind:
#   port      an OVS port of the spec deleted (ovs-vsctl del-port)
#   repdown   a representor set down (ip link)
#   vfcount   the VF count changed by hand (sriov_numvfs)
#   legacy    the eswitch set legacy (devlink)
#   ovsdb     ovsdb-server restarted
# each waited for (OA_SOAK_REPAIR_S, default 60 s) until it is repaired
# (the kind's own check, timed), then until the whole host matches the
# spec again (e2e_host_ok) and `agentctl status` says converged, with no
# duplicate or orphan OVS port. At the end: RSS and fd count of the daemon
# (sampled after the first convergence, after the first round, at the end:
# no growth after the first round), its log clean of errors the faults do
# not explain, exit 0 on SIGTERM; one summary table. OA_SOAK_VALGRIND=1:
# the daemon runs under valgrind memcheck (definite leaks are errors),
# zero errors required. scripts/soak runs the long versions.
#
# usage: bed-daemon-soak.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
duration=${OA_SOAK_SECONDS:-120}
changes=${OA_SOAK_CHANGES:-100}
seed=${OA_SOAK_SEED:-$((${EPOCHREALTIME/./} % 1000000))}
repair_s=${OA_SOAK_REPAIR_S:-60}
valgrind=${OA_SOAK_VALGRIND:-}
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
sysfs=$(bed_nsim_sysfs "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-soak.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
E2E_SOCKET=$work/agentctl.sock
E2E_SPEC=$spec
daemon_pid=''
kinds=(port repdown vfcount legacy ovsdb)
declare -A injected repaired
for k in "${kinds[@]}"; do injected[$k]=0 repaired[$k]=0; done
repair_ms=()
n_changes=0 n_rounds=0 n_spec_late=0 n_unsettled=0
RANDOM=$seed
echo "soak: seed $seed, ${duration} s, $changes spec changes${valgrind:+, under valgrind}"

cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_ovs_stop
    bed_nsim_mlx5_off
}
trap cleanup EXIT

die() {
    bed_fail "$*"
    sed 's/^/    log: /' "$log" | tail -40
    bed_summary
    exit 1
}

ovsdb_server_start() {
    local dir=${OVS_RUNDIR:-/run/openvswitch}
    ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        -vconsole:off --detach
}

# The daemon's RSS (kB) and open fds, without an exec.
rss_kb() {
    local k v _
    while read -r k v _; do
        [ "$k" = VmRSS: ] && { echo "$v"; return; }
    done <"/proc/$daemon_pid/status"
}
fds() {
    local f=("/proc/$daemon_pid/fd/"*)
    echo "${#f[@]}"
}

# The spec the last burst wrote: VF count and per VF "MAC attach".
cur_vfs=3
declare -a cur_mac cur_attach
rand_mac() { printf '02:00:00:%02x:%02x:%02x' $((RANDOM % 256)) $((RANDOM % 256)) $((RANDOM % 256)); }
write_spec() {
    local i entries=()
    for ((i = 0; i < cur_vfs; i++)); do
        if [ "${cur_attach[$i]}" = 1 ]; then
            entries+=("$i=${cur_mac[$i]}")
        else
            entries+=("$i=${cur_mac[$i]}/detached")
        fi
    done
    e2e_write_spec "$spec" "$dl" "$bridge" "$cur_vfs" "${entries[@]}"
}
# One random change: a VF count (1 in 8), else a VF's MAC or attachment.
change_spec() {
    local i
    if [ $((RANDOM % 8)) = 0 ]; then
        cur_vfs=$((2 + RANDOM % 3))
    fi
    for ((i = 0; i < 4; i++)); do
        [ -n "${cur_mac[$i]:-}" ] || { cur_mac[i]=$(rand_mac); cur_attach[i]=1; }
    done
    i=$((RANDOM % cur_vfs))
    if [ $((RANDOM % 3)) = 0 ]; then
        cur_attach[i]=$((RANDOM % 4 != 0))
    else
        cur_mac[i]=$(rand_mac)
    fi
    write_spec
    n_changes=$((n_changes + 1))
}

# No duplicate and no orphan OVS port: every Port and Interface name once,
# each interface a netdev that exists (the bridge's own too). Few execs:
# under TCG each costs 50-100 ms, more on a loaded machine.
ovs_ports_sane() {
    local names n
    declare -A seen=()
    names=$(ovs-vsctl --timeout=5 --bare -- --columns=name list Interface -- \
        --columns=name list Port) || return
    for n in $names; do
        seen[$n]=$((${seen[$n]:-0} + 1))
    done
    for n in "${!seen[@]}"; do
        [ "${seen[$n]}" = 2 ] || { bed_log "port/interface $n: ${seen[$n]} rows"; return 1; }
        [ -e "/sys/class/net/$n" ] || { bed_log "orphan interface $n"; return 1; }
    done
}

# wait_settled SECONDS: `agentctl status` says the spec is converged,
# then the host matches it (e2e_host_ok), with no stray port. The
# seconds it took in 'settle_s'.
wait_settled() {
    local t0=$SECONDS deadline=$((SECONDS + $1))
    until e2e_status_matches "$spec"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
    until e2e_host_ok "$spec" 2>/dev/null && ovs_ports_sane; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.2
    done
    settle_s=$((SECONDS - t0))
}

attached_reps() {
    local i
    for ((i = 0; i < cur_vfs; i++)); do
        [ "${cur_attach[$i]}" = 1 ] && bed_rep_netdev "$dl" "$i"
    done
}

# inject KIND: the fault; sets 'target' and 'want' for repaired_yet.
inject() {
    local reps
    case $1 in
    port)
        mapfile -t reps < <(attached_reps; bed_pf_netdev "$dl")
        target=${reps[RANDOM % ${#reps[@]}]}
        ovs-vsctl --timeout=5 del-port "$bridge" "$target"
        ;;
    repdown)
        target=$(bed_rep_netdev "$dl" $((RANDOM % cur_vfs))) &&
            ip link set "$target" down
        ;;
    vfcount)
        want=$cur_vfs
        target=$(((cur_vfs + 1 + RANDOM % 3) % 5))
        echo 0 >"$sysfs/sriov_numvfs" &&
            { [ "$target" = 0 ] || echo "$target" >"$sysfs/sriov_numvfs"; }
        ;;
    legacy)
        bed_eswitch "$dl" legacy
        ;;
    ovsdb)
        local dir=${OVS_RUNDIR:-/run/openvswitch} pid
        pid=$(cat "$dir/ovsdb-server.pid") || return
        kill "$pid"
        bed_wait_for 10 bash -c "! kill -0 $pid 2>/dev/null" || kill -KILL "$pid"
        rm -f "$dir/db.sock"
        ovsdb_server_start
        ;;
    esac
}

# repaired_yet KIND: the fault undone (its own check, cheap).
repaired_yet() {
    local flags
    case $1 in
    port) [ "$(ovs-vsctl --timeout=2 port-to-br "$target" 2>/dev/null)" = "$bridge" ] ;;
    repdown)
        read -r flags <"/sys/class/net/$target/flags" 2>/dev/null &&
            [ $((flags & 1)) = 1 ]
        ;;
    vfcount)
        read -r flags <"$sysfs/sriov_numvfs" && [ "$flags" = "$want" ] &&
            bed_nsim_vf_ports "$nsim_id" "$want"
        ;;
    legacy) [ "$(bed_eswitch "$dl")" = switchdev ] ;;
    ovsdb) ovs-vsctl --timeout=2 list-ports "$bridge" >/dev/null 2>&1 &&
        e2e_host_ok "$spec" 2>/dev/null ;;
    esac
}

fault_round() {
    local kind=${kinds[RANDOM % ${#kinds[@]}]} t0 deadline ms
    target='' want=''
    injected[$kind]=$((injected[$kind] + 1))
    t0=$(e2e_ms)
    inject "$kind" >>"$work/inject.log" 2>&1 || bed_log "inject $kind: failed"
    echo "$(date +%T) injected $kind ${target}" >>"$work/inject.log"
    deadline=$((SECONDS + repair_s))
    until repaired_yet "$kind"; do
        if [ "$SECONDS" -ge "$deadline" ]; then
            bed_fail "round $n_rounds: $kind ($target) not repaired within ${repair_s} s"
            return
        fi
        sleep 0.1
    done
    ms=$(($(e2e_ms) - t0))
    repaired[$kind]=$((repaired[$kind] + 1))
    repair_ms+=("$ms")
    if ! wait_settled "$repair_s"; then
        n_unsettled=$((n_unsettled + 1))
        bed_fail "round $n_rounds: after $kind, host not as specified within ${repair_s} s"
        e2e_host_ok "$spec" 2>&1 | sed 's/^/    host: /'
        return
    fi
    echo "   $kind ${target:+($target) }repaired in $ms ms, host checked after ${settle_s} s"
}

echo "== netdevsim (mlx5 personality), OVS; the daemon converges them"
bed_check "the mlx5 personality on" bed_nsim_mlx5_on || exit 1
bed_check "netdevsim$nsim_id (1 port, max 8 VFs)" bed_nsim_new "$nsim_id" 1 8 ||
    exit 1
bed_check "OVS started" bed_ovs_start || exit 1
change_spec
run=("$DAEMON")
if [ -n "$valgrind" ]; then
    run=(valgrind --error-exitcode=99 --leak-check=full
        --show-leak-kinds=definite --errors-for-leak-kinds=definite
        --log-file="$work/valgrind.log" "$DAEMON")
fi
"${run[@]}" --spec "$spec" --socket "$E2E_SOCKET" --state-dir "$work/state" \
    2>"$log" &
daemon_pid=$!
E2E_T0=$(e2e_ms)
e2e_converge_wait "converged from blank" 300 "$spec" || die "not converged"
rss0=$(rss_kb) fd0=$(fds)
# The journal is judged from here: the soak's own changes and faults.
log_from=$(($(wc -l <"$log") + 1))

t_start=$SECONDS
end=$((SECONDS + duration))
while [ "$SECONDS" -lt "$end" ]; do
    kill -0 "$daemon_pid" 2>/dev/null || die "the daemon died"
    n_rounds=$((n_rounds + 1))
    # Spread what is left of the changes over the rounds left, at the
    # pace of the rounds so far.
    elapsed=$((SECONDS - t_start))
    per=$((n_rounds > 1 ? (elapsed + n_rounds - 2) / (n_rounds - 1) : 10))
    left=$(((end - SECONDS) / (per > 0 ? per : 1)))
    burst=$(((changes - n_changes + left) / (left > 0 ? left + 1 : 1)))
    for ((c = 0; c < burst; c++)); do
        change_spec
        sleep "0.$((RANDOM % 3))"
    done
    if wait_settled "$repair_s"; then
        echo "round $n_rounds at $((SECONDS - t_start)) s: $burst spec change(s), $cur_vfs VFs, converged and checked after ${settle_s} s"
    else
        n_spec_late=$((n_spec_late + 1))
        bed_fail "round $n_rounds: spec (change $n_changes) not converged within ${repair_s} s"
        e2e_host_ok "$spec" 2>&1 | sed 's/^/    host: /'
    fi
    fault_round
    if [ "$n_rounds" = 1 ]; then
        rss1=$(rss_kb) fd1=$(fds)
    fi
done
# Rounds slower than planned (a loaded machine): the changes left, in
# one last burst, converged like the others.
if [ "$n_changes" -lt "$changes" ]; then
    burst=$((changes - n_changes))
    for ((c = 0; c < burst; c++)); do
        change_spec
        sleep "0.$((RANDOM % 3))"
    done
    if wait_settled "$repair_s"; then
        echo "last burst: $burst spec change(s), $cur_vfs VFs, converged and checked after ${settle_s} s"
    else
        n_spec_late=$((n_spec_late + 1))
        bed_fail "last burst: spec (change $n_changes) not converged within ${repair_s} s"
    fi
fi
soak_s=$((SECONDS - t_start))
rss2=$(rss_kb) fd2=$(fds)

kill "$daemon_pid"
wait "$daemon_pid"
rc=$?
daemon_pid=''
bed_check_eq "the daemon ends on SIGTERM" 0 "$rc"

# Errors in the log the injected faults do not explain: an OVSDB
# connection lost while ovsdb-server restarts, a step that met the
# drift injected under it.
tail -n "+$log_from" "$log" | grep '^<[0-3]>' >"$work/errors.log"
grep -v -E 'OVSDB|ovsdb|db\.sock|connection (lost|refused|closed)' \
    "$work/errors.log" >"$work/unexplained.log"
n_errors=$(wc -l <"$work/errors.log")
n_unexplained=$(wc -l <"$work/unexplained.log")

mapfile -t sorted < <(printf '%s\n' "${repair_ms[@]}" | sort -n)
n=${#sorted[@]}
p50=${sorted[n / 2]:-0} max=${sorted[n - 1]:-0}

echo
echo "soak summary (seed $seed)"
printf '  %-10s %9s %9s\n' fault injected repaired
for k in "${kinds[@]}"; do
    printf '  %-10s %9s %9s\n' "$k" "${injected[$k]}" "${repaired[$k]}"
done
printf '  %-28s %s\n' "duration" "${soak_s} s, $n_rounds rounds" \
    "spec changes" "$n_changes (not converged in time: $n_spec_late)" \
    "repair p50 / max" "${p50} / ${max} ms" \
    "host not settled after fault" "$n_unsettled" \
    "RSS kB (start/round 1/end)" "$rss0 / $rss1 / $rss2" \
    "fds (start/round 1/end)" "$fd0 / $fd1 / $fd2" \
    "log errors (unexplained)" "$n_errors ($n_unexplained)"
echo

total_i=0 total_r=0
for k in "${kinds[@]}"; do
    total_i=$((total_i + injected[$k])) total_r=$((total_r + repaired[$k]))
done
bed_check_eq "every injected fault repaired" "$total_i" "$total_r"
bed_check "at least $changes spec changes written" test "$n_changes" -ge "$changes"
bed_check "no fd growth after round 1 ($fd1 -> $fd2)" test "$fd2" -le "$fd1"
if [ -z "$valgrind" ]; then
    # The allocator's arenas settle in round 1; a leak grows with rounds.
    bed_check "no RSS growth after round 1 ($rss1 -> $rss2 kB, 1 MiB slack)" \
        test "$rss2" -le $((rss1 + 1024))
fi
bed_check_eq "no error in the log the faults do not explain" 0 "$n_unexplained" ||
    sed 's/^/    log: /' "$work/unexplained.log" | head -20
if [ -n "$valgrind" ]; then
    grep 'ERROR SUMMARY' "$work/valgrind.log" | tail -1 | sed 's/^==[0-9]*== /valgrind: /'
    bed_check "valgrind memcheck: no error" \
        grep -q 'ERROR SUMMARY: 0 errors' "$work/valgrind.log" ||
        grep -B2 -A20 -m3 -E '^==[0-9]+== (Invalid|Conditional|Syscall|Mismatched|[0-9,]+ bytes in .* definitely)' \
            "$work/valgrind.log" | head -80
fi
[ "$bed_failures" = 0 ] || tail -40 "$log" | sed 's/^/    log: /'
bed_summary
