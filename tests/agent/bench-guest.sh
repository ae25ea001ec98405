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
    : >"$work/agent.log"
    "$AGENT" --spec "$E2E_SPEC" --socket "$E2E_SOCKET" \
        --state-dir "$E2E_STATE_DIR" --log-level "${OA_BENCH_LOG_LEVEL:-info}" \
        2> >(while IFS= read -r l; do
            printf '%s %s\n' "$EPOCHREALTIME" "$l"
        done >>"$work/agent.log") &
    agent_pid=$!
    follow_open log "$work/agent.log"
    log_wait 600000 'reconcile (startup)'
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
# dstats: the stats of the daemon's status --json (an agentctl and a jq
# under TCG, and a status of an old snapshot asks the daemon for a look:
# not for polling).
dstats() { e2e_agentctl status --json 2>/dev/null | jq -c '.stats'; }

# Following a file that another process appends lines to, with bash
# builtins only (no process start per look, so waiting costs the guest
# next to nothing): follow_open NAME FILE, then follow_line NAME reads
# the next whole line into F_LINE (false at the end for now; a partial
# line is kept for the next call).
declare -A f_fd f_part
exec {sleep_fd}<> <(:) # never readable: read -t on it just waits
follow_open() {
    local fd
    exec {fd}<"$2"
    f_fd[$1]=$fd f_part[$1]=
}
follow_line() {
    local l
    if IFS= read -r l <&"${f_fd[$1]}"; then
        F_LINE=${f_part[$1]}$l f_part[$1]=
        return 0
    fi
    f_part[$1]+=$l
    return 1
}
follow_nap() { read -rt 0.01 -u "$sleep_fd" _ || true; }
# log_wait TIMEOUT_MS GLOB: until a new line of the daemon's log has GLOB;
# LOG_T: its time stamp (ms, the same clock as bed_now_ms), taken when the
# line was written. False after TIMEOUT_MS.
log_wait() {
    local limit now t
    bed_now_ms now
    limit=$((now + $1))
    while :; do
        if follow_line log; then
            # shellcheck disable=SC2053 # $2 is a glob
            [[ $F_LINE == *$2* ]] || continue
            t=${F_LINE%% *}
            LOG_T=$((${t/./} / 1000))
            return 0
        fi
        bed_now_ms now
        ((now < limit)) || return 1
        follow_nap
    done
}
# wait_converged: until the daemon logs its next converged reconcile.
wait_converged() { log_wait 300000 '): converged in'; }

daemon_reconcile() {
    local topo=$1 before after t0 t1
    before=$(dstats)
    bed_now_ms t0
    e2e_agentctl reconcile >/dev/null 2>&1
    bed_now_ms t1
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
# with one OVSDB write, awaited on the daemon's log ("reconcile (spec
# changed): converged"), so the wait costs no process start. RSS is
# sampled after 100, 500 and every 1000th flip, to see whether it levels
# off.
daemon_flips() {
    local topo=$1 npf=$2 nvf=$3 rss0 rss1 i t0 t1 at=''
    rss0=$(proc_kb VmRSS)
    bed_now_ms t0
    for ((i = 1; i <= flips; i++)); do
        follow_drain log
        write_spec "$npf" "$nvf" $((60000 + i % 2))
        # The reasons may be more than one: (spec changed, OVSDB change).
        log_wait 300000 'reconcile (spec changed*): converged in' ||
            { log "flip $i: no reconcile"; break; }
        if ((i == 100 || i == 500 || i % 1000 == 0)); then
            at+="${at:+, }\"$i\": $(proc_kb VmRSS)"
        fi
    done
    bed_now_ms t1
    rss1=$(proc_kb VmRSS)
    emit "{\"topo\": \"$topo\", \"what\": \"daemon-flips\", \"flips\": $((i - 1)), \"ms\": $((t1 - t0)), \"rss0_kb\": $rss0, \"rss1_kb\": $rss1, \"rss_at_kb\": {$at}, \"hwm_kb\": $(proc_kb VmHWM), \"fds\": $(ls /proc/"$agent_pid"/fd | wc -l)}"
}

# rep_of PF VF: the representor netdev of VF on netdevsim PF.
rep_of() { bed_rep_netdev "$(bed_nsim_devlink "$1")" "$2"; }
link_up() { (($(<"/sys/class/net/$1/flags") & 1)); }

# follow_drain NAME: skips what has been written so far.
follow_drain() { while follow_line "$1"; do :; done; }

# An ovsdb-client monitor of the Interface table, started before the
# deletions: it stamps each update (ms) as it receives it, so a deleted
# port's return is timed by a process already running, not by a tool
# that starts after the deletion (ovs-vsctl wait-until under TCG).
mon_pid=
mon_start() {
    : >"$work/mon.csv"
    ovsdb-client monitor --timestamp --format=csv Open_vSwitch Interface \
        name,ofport >>"$work/mon.csv" 2>"$work/mon.err" &
    mon_pid=$!
    follow_open mon "$work/mon.csv"
    bed_poll_ms 60000 grep -q '^row,' "$work/mon.csv"
}
mon_stop() { [ -n "$mon_pid" ] && kill "$mon_pid" && wait "$mon_pid" 2>/dev/null; mon_pid=; }
# mon_ms "YYYY-MM-DD HH:MM:SS.mmm": milliseconds of the day.
mon_ms() {
    local t=${1#* } h m s
    IFS=: read -r h m s <<<"$t"
    printf '%d\n' $((10#$h * 3600000 + 10#$m * 60000 + 10#${s%.*} * 1000 + 10#${s#*.}))
}
# mon_repair REP TIMEOUT_MS: from the monitor, the time (ms) from REP's
# Interface row deleted to a row named REP with an ofport again, into
# MON_MS.
mon_repair() {
    local rep=$1 limit now ts='' t0='' t1 cols
    bed_now_ms now
    limit=$((now + $2))
    while :; do
        if ! follow_line mon; then
            bed_now_ms now
            ((now < limit)) || return 1
            follow_nap
            continue
        fi
        case $F_LINE in
            [0-9][0-9][0-9][0-9]-*) ts=$(mon_ms "$F_LINE") ;;
            *,delete,"$rep",*) t0=$ts ;;
            *,insert,"$rep",* | *,new,"$rep",*)
                IFS=, read -ra cols <<<"$F_LINE"
                if [ -n "$t0" ] && [[ ${cols[3]} =~ ^[0-9]+$ ]] && ((cols[3] > 0)); then
                    t1=$ts
                    ((t1 >= t0)) || t1=$((t1 + 86400000))
                    MON_MS=$((t1 - t0))
                    return 0
                fi
                ;;
        esac
    done
}
# looks_now: the daemon's observations so far, from its metrics (served
# from the last look: asking does not cause one, as a status would).
looks_now() {
    e2e_agentctl metrics 2>/dev/null |
        awk '$1 == "offload_agent_observations_total" { print $2 }'
}

# Each kind drift_reps times on representors of PF 1, one at a time. The
# time of a repair: del-port, from the monitor (above); link-down, from
# the deletion to the representor's flags up, polled every 10 ms by
# this shell; numvfs, from the write to the daemon's log line of the
# reconcile that converged after it. Each kind also reports the daemon's
# looks (observations) over its repetitions, the trailing check after
# each repair included.
drift() {
    local topo=$1 nvf=$2 kind k rep t0 t1 ms=() l0 l1
    mon_start || { log "ovsdb-client monitor did not start"; return 1; }
    for kind in del-port link-down numvfs; do
        ms=()
        sleep 2
        l0=$(looks_now)
        for ((k = 0; k < drift_reps; k++)); do
            rep=$(rep_of 1 $((k % nvf)))
            follow_drain log
            follow_drain mon
            log "drift $kind $k at $EPOCHREALTIME"
            case $kind in
                del-port)
                    ovs-vsctl del-port br1 "$rep"
                    mon_repair "$rep" 60000 && ms+=("$MON_MS")
                    ;;
                link-down)
                    ip link set "$rep" down
                    bed_now_ms t0
                    bed_poll_ms 60000 link_up "$rep" && bed_now_ms t1 &&
                        ms+=($((t1 - t0)))
                    ;;
                numvfs)
                    echo 0 >"$(bed_nsim_sysfs 1)/sriov_numvfs"
                    bed_now_ms t0
                    ;;
            esac
            # The daemon's reconcile for this change, before the next.
            wait_converged || log "drift $kind $k: no converged reconcile"
            [ "$kind" = numvfs ] && ms+=($((LOG_T - t0)))
            # Its trailing check (its own OVSDB change), and a pause.
            sleep 1
        done
        l1=$(looks_now)
        emit "{\"topo\": \"$topo\", \"what\": \"drift\", \"kind\": \"$kind\", \"ms\": [$(IFS=,; echo "${ms[*]}")], \"looks\": $((l1 - l0))}"
    done
    mon_stop
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
