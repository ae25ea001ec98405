#!/bin/bash
# The guest half of scripts/bench: one bed boot, one topology group.
#   bench-guest.sh AGENTCTL OFFLOAD_AGENT TOPO... [--daemon]
# TOPO is PFSxVFS (2x32). For each: REPEAT times (OA_BENCH_REPEAT, 3) a
# converge from blank by the hand-run procedure and by `agentctl apply`,
# then a converged `agentctl plan --json`. With --daemon, on the last
# topology: the daemon's converged reconcile, idle cost, RSS growth over
# spec flips and drift repair. Prints one JSON object per measurement on
# stdout, one a line (the bed discards the guest's file writes;
# scripts/bench makes the table), progress on stderr. Numbers only, no
# pass/fail.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "$1")
AGENT=$(readlink -f "$2")
shift 2
repeat=${OA_BENCH_REPEAT:-3}
flips=${OA_BENCH_FLIPS:-1000}
drift_reps=${OA_BENCH_DRIFT:-20}
idle_s=${OA_BENCH_IDLE_S:-60}
# The hand-run is skipped above this many VFs (under TCG each
# ovs-vsctl add-port waits for a vswitchd reconfiguration of every port:
# quadratic, over 15 min at 2 x 128).
hand_max=${OA_BENCH_HAND_MAX_VFS:-1000000}
work=$(mktemp -d /tmp/bench.XXXXXX)
E2E_SPEC=$work/host.json
E2E_STATE_DIR=$work/state
E2E_SOCKET=$work/agent.sock
mkdir -p "$E2E_STATE_DIR"
hz=$(getconf CLK_TCK)

emit() { printf '%s\n' "$1" >&3; }
log() { printf 'bench: %s\n' "$*" >&2; }

# ticks PID: utime + stime of PID (all its threads), in clock ticks.
ticks() {
    local s
    s=$(<"/proc/$1/stat") || return
    s=${s##*) }
    # shellcheck disable=SC2086 # split the fields
    set -- $s
    printf '%s\n' $((${12} + ${13}))
}
pidof_file() { local p; p=$(<"$1") && printf '%s\n' "$p"; }

# write_spec NPF NVF [MAX_IDLE]: one bridge per PF, every VF with a MAC.
write_spec() {
    local npf=$1 nvf=$2 idle=${3:-} p i pfs='' vfs sep=''
    for ((p = 1; p <= npf; p++)); do
        vfs='' sep2=''
        for ((i = 0; i < nvf; i++)); do
            vfs+=$(printf '%s{"index": %d, "mac": "02:00:00:%02x:%02x:%02x"}' \
                "$sep2" "$i" "$p" $((i / 256)) $((i % 256)))
            sep2=', '
        done
        pfs+=$(printf '%s\n    {"devlink": "netdevsim/netdevsim%d", "eswitch": "switchdev", "num_vfs": %d, "bridge": "br%d", "vfs": [%s]}' \
            "$sep" "$p" "$nvf" "$p" "$vfs")
        sep=,
    done
    local brs='' b
    for ((p = 1; p <= npf; p++)); do
        b=$(printf '{"name": "br%d"}' "$p")
        brs+=${brs:+, }$b
    done
    printf '{"version": 1, "ovs": {"hw_offload": true%s},\n  "bridges": [%s],\n  "pfs": [%s\n  ]\n}\n' \
        "${idle:+, \"max_idle_ms\": $idle}" "$brs" "$pfs" >"$E2E_SPEC.tmp" &&
        mv -f "$E2E_SPEC.tmp" "$E2E_SPEC"
}

# blank NPF MAXVF: no bridge, fresh netdevsim devices (legacy, 0 VFs).
blank() {
    local npf=$1 max=$2 p
    for p in 1 2; do
        ovs-vsctl --if-exists del-br "br$p"
        bed_nsim_del "$p" 2>/dev/null
    done
    rm -f "$E2E_STATE_DIR"/*.json
    for ((p = 1; p <= npf; p++)); do
        bed_nsim_new "$p" 1 "$max" || return
    done
}

# hand NPF NVF: the seed's procedure as operators script it: switchdev,
# the VF count, a MAC per VF (ip link set PF vf), a bridge, then per
# representor (and the uplink) ethtool -K hw-tc-offload, one ip link set
# up and one ovs-vsctl add-port.
hand() {
    local npf=$1 nvf=$2 p i dl pf rep
    for ((p = 1; p <= npf; p++)); do
        dl=$(bed_nsim_devlink "$p")
        devlink dev eswitch set "$dl" mode switchdev || return
        echo "$nvf" >"$(bed_nsim_sysfs "$p")/sriov_numvfs" || return
        bed_poll_ms 60000 bed_nsim_vf_ports "$p" "$nvf" || return
        pf=$(bed_pf_netdev "$dl") || return
        for ((i = 0; i < nvf; i++)); do
            ip link set "$pf" vf "$i" mac "$(printf '02:00:00:%02x:%02x:%02x' "$p" $((i / 256)) $((i % 256)))" || return
        done
        ovs-vsctl add-br "br$p" || return
        for rep in "$pf" $(ls "$(bed_nsim_sysfs "$p")/net" | grep -vx "$pf"); do
            ethtool -K "$rep" hw-tc-offload on || return
            ip link set "$rep" up || return
            ovs-vsctl add-port "br$p" "$rep" || return
        done
    done
}

# timed CMD...: runs CMD, records wall/user/sys (ms) of CMD and its
# children and ovs-vswitchd's / ovsdb-server's CPU meanwhile into the
# globals T_WALL T_USER T_SYS T_VSWITCHD T_OVSDB; returns CMD's status.
timed() {
    local vs db v0 d0 t0 t1 rc u0 s0
    vs=$(pidof_file "$OVS_RUNDIR/ovs-vswitchd.pid")
    db=$(pidof_file "$OVS_RUNDIR/ovsdb-server.pid")
    v0=$(ticks "$vs") d0=$(ticks "$db")
    child_ms
    u0=$C_USER s0=$C_SYS
    bed_now_ms t0
    "$@"
    rc=$?
    bed_now_ms t1
    child_ms
    T_WALL=$((t1 - t0)) T_USER=$((C_USER - u0)) T_SYS=$((C_SYS - s0))
    T_VSWITCHD=$((($(ticks "$vs") - v0) * 1000 / hz))
    T_OVSDB=$((($(ticks "$db") - d0) * 1000 / hz))
    return "$rc"
}
# secs_ms 1m2.345s: milliseconds, in bash.
secs_ms() {
    local m=${1%%m*} s=${1#*m}
    s=${s%s}
    printf '%d\n' $((10#$m * 60000 + 10#${s%.*} * 1000 + 10#${s#*.}))
}
# child_ms: the user and system CPU (ms) of this shell's waited-for
# children so far (the second line of bash's `times`, in this shell: a
# subshell would see its own) into C_USER and C_SYS.
child_ms() {
    local f=$work/times u s
    times >"$f"
    { read -r _ _ && read -r u s; } <"$f"
    C_USER=$(secs_ms "$u") C_SYS=$(secs_ms "$s")
}

converge_hand() {
    local npf=$1 nvf=$2 r=$3
    blank "$npf" "$nvf" || return
    if timed hand "$npf" "$nvf" >"$work/hand.log" 2>&1; then
        emit "{\"topo\": \"${npf}x${nvf}\", \"run\": $r, \"what\": \"hand\", \"wall_ms\": $T_WALL, \"user_ms\": $T_USER, \"sys_ms\": $T_SYS, \"vswitchd_ms\": $T_VSWITCHD, \"ovsdb_ms\": $T_OVSDB}"
    else
        log "hand ${npf}x${nvf} failed:" "$(tail -3 "$work/hand.log")"
    fi
}

converge_agent() {
    local npf=$1 nvf=$2 r=$3 stats
    blank "$npf" "$nvf" || return
    write_spec "$npf" "$nvf" || return
    if timed e2e_agentctl apply --json >"$work/apply.json" 2>"$work/apply.log"; then
        stats=$(jq -c '.stats' "$work/apply.json")
        emit "{\"topo\": \"${npf}x${nvf}\", \"run\": $r, \"what\": \"agent\", \"wall_ms\": $T_WALL, \"user_ms\": $T_USER, \"sys_ms\": $T_SYS, \"vswitchd_ms\": $T_VSWITCHD, \"ovsdb_ms\": $T_OVSDB, \"stats\": $stats}"
    else
        log "apply ${npf}x${nvf} failed:" "$(tail -5 "$work/apply.log")"
        return 1
    fi
}

converged_plan() {
    local npf=$1 nvf=$2 r=$3 stats steps
    if timed e2e_agentctl plan --json >"$work/plan.json" 2>"$work/plan.log"; then
        stats=$(jq -c '.stats' "$work/plan.json")
        steps=$(jq '.steps | length' "$work/plan.json")
        emit "{\"topo\": \"${npf}x${nvf}\", \"run\": $r, \"what\": \"plan\", \"steps\": $steps, \"wall_ms\": $T_WALL, \"user_ms\": $T_USER, \"sys_ms\": $T_SYS, \"stats\": $stats}"
    else
        log "plan ${npf}x${nvf} failed:" "$(tail -3 "$work/plan.log")"
    fi
}

# ------------------------------------------------------------- daemon --

agent_pid=
daemon_start() {
    "$AGENT" --spec "$E2E_SPEC" --socket "$E2E_SOCKET" \
        --state-dir "$E2E_STATE_DIR" --log-level "${OA_BENCH_LOG_LEVEL:-info}" \
        2> >(while IFS= read -r l; do
            printf '%s %s\n' "$EPOCHREALTIME" "$l"
        done >"$work/agent.log") &
    agent_pid=$!
    bed_poll_ms 600000 grep -q 'reconcile (startup)' "$work/agent.log"
}
daemon_stop() {
    [ -n "$agent_pid" ] && kill "$agent_pid" && wait "$agent_pid"
    agent_pid=
    # The daemon's log on stderr, to read what a repair waited for.
    if [ -n "${OA_BENCH_AGENT_LOG:-}" ]; then
        sed 's/^/agent: /' "$work/agent.log" >&2
        sed 's/^/vswitchd: /' "$OVS_LOGDIR/ovs-vswitchd.log" >&2
    fi
}
# dstat JQ: a value from the daemon's status --json.
dstats() { e2e_agentctl status --json 2>/dev/null | jq -c '.stats'; }
converged_count() { jq '.reconciles.converged' <<<"$1"; }

# wait_converged N: until the daemon has converged more than N times.
wait_converged() {
    local n=$1 s
    for _ in $(seq 6000); do
        s=$(dstats) && [ "$(converged_count "$s")" -gt "$n" ] && return 0
        read -rt 0.05 <> <(:) || true
    done
    return 1
}

daemon_reconcile() {
    local topo=$1 before after t0 t1
    before=$(dstats)
    bed_now_ms t0
    e2e_agentctl reconcile >/dev/null 2>&1
    bed_now_ms t1
    wait_converged "$(converged_count "$before")"
    after=$(dstats)
    emit "{\"topo\": \"$topo\", \"what\": \"daemon-reconcile\", \"call_ms\": $((t1 - t0)), \"before\": $before, \"after\": $after}"
}

proc_kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$agent_pid/status"; }
# wakeups: context switches of all the daemon's threads.
wakeups() {
    cat /proc/"$agent_pid"/task/*/status |
        awk '/^(non)?voluntary_ctxt_switches/ { n += $2 } END { print n }'
}

daemon_idle() {
    local topo=$1 w0 w1 c0 c1 fds
    sleep 2
    w0=$(wakeups) c0=$(ticks "$agent_pid")
    sleep "$idle_s"
    w1=$(wakeups) c1=$(ticks "$agent_pid")
    fds=$(ls /proc/"$agent_pid"/fd | wc -l)
    emit "{\"topo\": \"$topo\", \"what\": \"daemon-idle\", \"seconds\": $idle_s, \"wakeups\": $((w1 - w0)), \"cpu_ms\": $(((c1 - c0) * 1000 / hz)), \"rss_kb\": $(proc_kb VmRSS), \"hwm_kb\": $(proc_kb VmHWM), \"fds\": $fds, \"threads\": $(ls /proc/"$agent_pid"/task | wc -l)}"
}

# The spec flips between two max_idle_ms values: each flip is a reconcile
# with one OVSDB write.
daemon_flips() {
    local topo=$1 npf=$2 nvf=$3 rss0 rss1 n s i t0 t1
    rss0=$(proc_kb VmRSS)
    s=$(dstats)
    n=$(converged_count "$s")
    bed_now_ms t0
    for ((i = 1; i <= flips; i++)); do
        write_spec "$npf" "$nvf" $((60000 + i % 2))
        wait_converged $((n + i - 1)) || { log "flip $i: no reconcile"; break; }
    done
    bed_now_ms t1
    rss1=$(proc_kb VmRSS)
    emit "{\"topo\": \"$topo\", \"what\": \"daemon-flips\", \"flips\": $((i - 1)), \"ms\": $((t1 - t0)), \"rss0_kb\": $rss0, \"rss1_kb\": $rss1, \"hwm_kb\": $(proc_kb VmHWM), \"fds\": $(ls /proc/"$agent_pid"/fd | wc -l)}"
}

# rep_of PF VF: the representor netdev of VF on netdevsim PF.
rep_of() { bed_rep_netdev "$(bed_nsim_devlink "$1")" "$2"; }
link_up() { (($(<"/sys/class/net/$1/flags") & 1)); }

drift() {
    local topo=$1 nvf=$2 kind k rep t0 t1 s n ms=()
    for kind in del-port link-down numvfs; do
        ms=()
        for ((k = 0; k < drift_reps; k++)); do
            rep=$(rep_of 1 $((k % nvf)))
            s=$(dstats)
            n=$(converged_count "$s")
            log "drift $kind $k at $EPOCHREALTIME"
            case $kind in
                del-port)
                    ovs-vsctl del-port br1 "$rep"
                    bed_now_ms t0
                    ovs-vsctl --timeout=60 wait-until Interface "$rep" 'ofport>0' >/dev/null
                    ;;
                link-down)
                    ip link set "$rep" down
                    bed_now_ms t0
                    bed_poll_ms 60000 link_up "$rep"
                    ;;
                numvfs)
                    echo 0 >"$(bed_nsim_sysfs 1)/sriov_numvfs"
                    bed_now_ms t0
                    wait_converged "$n"
                    ;;
            esac
            bed_now_ms t1
            ms+=($((t1 - t0)))
            # Let the daemon finish its reconcile before the next change.
            wait_converged "$n"
        done
        emit "{\"topo\": \"$topo\", \"what\": \"drift\", \"kind\": \"$kind\", \"ms\": [$(IFS=,; echo "${ms[*]}")]}"
    done
}

daemon_all() {
    local npf=$1 nvf=$2 topo="$1x$2"
    blank "$npf" "$nvf" || return
    write_spec "$npf" "$nvf" 60000 || return
    daemon_start || { log "daemon did not start"; return 1; }
    wait_converged 0 || { log "daemon did not converge"; return 1; }
    for ((r = 1; r <= repeat; r++)); do
        daemon_reconcile "$topo"
    done
    daemon_idle "$topo"
    daemon_flips "$topo" "$npf" "$nvf"
    daemon_idle "$topo"
    drift "$topo" "$nvf"
    daemon_stop
}

# Measurements on fd 3 (stdout), everything else on stderr.
exec 3>&1 1>&2
modprobe netdevsim || exit 1
bed_ovs_start hw-offload=true || exit 1
emit "{\"what\": \"guest\", \"cpus\": $(nproc), \"kernel\": \"$(uname -r)\", \"mem_kb\": $(awk '/MemTotal/ { print $2 }' /proc/meminfo)}"
daemon=0
topos=()
for a in "$@"; do
    case $a in
        --daemon) daemon=1 ;;
        *) topos+=("$a") ;;
    esac
done
for topo in "${topos[@]}"; do
    npf=${topo%x*} nvf=${topo#*x}
    for ((r = 1; r <= repeat; r++)); do
        if ((npf * nvf <= hand_max)); then
            log "$topo run $r: hand"
            converge_hand "$npf" "$nvf" "$r"
        fi
        log "$topo run $r: agent"
        converge_agent "$npf" "$nvf" "$r" && converged_plan "$npf" "$nvf" "$r"
    done
done
if [ "$daemon" = 1 ]; then
    topo=${topos[-1]}
    log "$topo: daemon"
    daemon_all "${topo%x*}" "${topo#*x}"
fi
exit 0
