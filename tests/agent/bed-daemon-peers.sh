#!/bin/bash
# Bed test: offload-agent and the restarts and outages of its peers. The
# daemon converges a blank netdevsim device + OVS (hw-offload on); then:
#   ovs-vswitchd restarted under it: the daemon notices at once (its
#   pidfile, not the 5-minute resync), `agentctl status` stays converged
#   (a record naming the old process is not an unapplied step), and the
#   record (Open_vSwitch external_ids:offload-agent-vswitchd) names the
#   new process within 5 s;
#   ovs-vswitchd down for OA_BED_OUTAGE_S seconds (default 60), a
#   representor port deleted meanwhile: status answers during the outage
#   (5 concurrent calls every second through ctl-burst, agentctl's client
#   code: the daemon's answer, not process start-up under TCG); the
#   daemon's reconcile after vswitchd's return converges within 5 s of it
#   (from its log; time printed), and the host is as specified;
#   ovsdb-server down for OA_BED_OUTAGE_S seconds, the spec changed
#   meanwhile (VF 1 detached: an OVSDB change): the same;
#   ovs-vswitchd frozen (SIGSTOP) while a reconcile waits for it to apply
#   a commit: SIGTERM ends the daemon at once (exit 0, time printed).
# Judged with devlink, ip, ovs-vsctl and jq (bed-agent-lib.sh).
#
# usage: bed-daemon-peers.sh AGENTCTL OFFLOAD_AGENT CTL_BURST
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT CTL_BURST}")
BURST=$(readlink -f "${3:?usage: $0 AGENTCTL OFFLOAD_AGENT CTL_BURST}")
outage=${OA_BED_OUTAGE_S:-60}
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-peers.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
E2E_SOCKET=/run/offload-agent/agentctl.sock
E2E_SPEC=$spec
daemon_pid='' vs_pid=''

cleanup() {
    [ -z "$vs_pid" ] || kill -CONT "$vs_pid" 2>/dev/null
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

die() {
    bed_fail "$*"
    sed 's/^/    log: /' "$log" | tail -40
    bed_summary
    exit 1
}

# The record the agent keeps of the running ovs-vswitchd: "BOOT:PID:START".
record_pid() {
    ovs-vsctl --timeout=5 get Open_vSwitch . \
        external_ids:offload-agent-vswitchd 2>/dev/null |
        tr -d '"' | cut -d: -f2
}
vswitchd_pid() {
    cat "${OVS_RUNDIR:-/run/openvswitch}/ovs-vswitchd.pid" 2>/dev/null
}
record_is_new() {
    [ -n "$(vswitchd_pid)" ] && [ "$(record_pid)" = "$(vswitchd_pid)" ]
}
status_rc() {
    local rc=0
    e2e_agentctl status >/dev/null 2>&1 || rc=$?
    echo "$rc"
}
# status_fast SECONDS: 5 concurrent status calls every second for
# SECONDS (ctl-burst); prints the slowest answer in ms.
status_fast() {
    local end=$((SECONDS + $1)) slowest=0 max
    while [ "$SECONDS" -lt "$end" ]; do
        "$BURST" "$E2E_SOCKET" 5 "$work" status >"$work/burst.txt" ||
            max=99999
        max=$(sed -n 's/^max //p' "$work/burst.txt")
        [ "${max:-99999}" -le "$slowest" ] || slowest=${max:-99999}
        sleep 1
    done
    echo "$slowest"
}
# converged_after PATTERN N M: waits (60 s) for more than M "reconciling
# now" log lines (the daemon saw the peer back: started_ms from E2E_T0),
# then for more than N log lines of a reconcile matching PATTERN that
# converged (took_ms).
converged_after() {
    local pat="^<6>reconcile ($1.*): converged"
    started_ms=99999 took_ms=99999
    bed_wait_for 60 bash -c "[ \$(grep -c 'reconciling now' '$log') -gt $3 ]" ||
        return 1
    started_ms=$(($(e2e_ms) - E2E_T0))
    bed_wait_for 60 bash -c "[ \$(grep -c '$pat' '$log') -gt $2 ]" || return 1
    took_ms=$(($(e2e_ms) - E2E_T0))
}
n_conv() {
    grep -c "^<6>reconcile ($1.*): converged" "$log"
}
ovsdb_server_start() {
    local dir=${OVS_RUNDIR:-/run/openvswitch}
    ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        -vconsole:off --detach
}

echo "== blank netdevsim device and OVS; the daemon converges them"
bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on || exit 1
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" \
    bed_nsim_new "$nsim_id" 1 8 || exit 1
bed_check "OVS started" bed_ovs_start || exit 1
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:01:01
E2E_T0=$(e2e_ms)
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" --state-dir "$work/state" \
    2>"$log" &
daemon_pid=$!
e2e_converge_wait "converged 1 PF x 2 VFs from blank" 120 "$spec" ||
    die "not converged"
bed_wait_for 10 record_is_new || die "no record of the running ovs-vswitchd"

echo "== ovs-vswitchd restarted under the daemon"
old=$(vswitchd_pid)
bed_check "ovs-vswitchd stopped" bed_ovs_vswitchd_stop || die "cannot stop"
bed_check "ovs-vswitchd started again" bed_ovs_vswitchd_start || die "cannot start"
t0=$(e2e_ms)
bed_wait_for 10 record_is_new
took=$(($(e2e_ms) - t0))
echo "vswitchd-restart-noticed: record names pid $(vswitchd_pid) (was $old) after $took ms"
bed_check "the record names the new ovs-vswitchd within 5 s" \
    test "$took" -le 5000 -a "$(record_pid)" = "$(vswitchd_pid)"
bed_check "the log says ovs-vswitchd restarted" \
    grep -Eq 'ovs-vswitchd (re)?started: reconciling now' "$log"
E2E_T0=$(e2e_ms)
e2e_converge_wait "converged after the restart" 30 "$spec"

echo "== ovs-vswitchd down ${outage} s, a port deleted meanwhile"
rep0=$(bed_rep_netdev "$dl" 0) || die "no representor for VF 0"
bed_check "ovs-vswitchd stopped" bed_ovs_vswitchd_stop || die "cannot stop"
bed_check "ovs-vsctl del-port $rep0 (no vswitchd)" \
    ovs-vsctl --no-wait del-port "$rep0"
slowest=$(status_fast "$outage")
echo "status-during-vswitchd-outage: slowest ${slowest} ms"
bed_check "status answered within 1 s throughout the outage" \
    test "$slowest" -lt 1000
n=$(n_conv '.*peer back')
m=$(grep -c 'reconciling now' "$log")
bed_check "ovs-vswitchd started again" bed_ovs_vswitchd_start || die "cannot start"
E2E_T0=$(e2e_ms)
converged_after '.*peer back' "$n" "$m"
echo "converge-after-vswitchd-outage of ${outage} s: reconcile started after ${started_ms} ms, converged after ${took_ms} ms"
bed_check "the daemon converged within 5 s of ovs-vswitchd's return" \
    test "$took_ms" -le 5000
e2e_converge_wait "converged after ovs-vswitchd's return" 60 "$spec"
bed_check "$rep0 back in $bridge" bash -c "[ \"\$(ovs-vsctl port-to-br '$rep0')\" = '$bridge' ]"

echo "== ovsdb-server down ${outage} s, the spec changed meanwhile"
dir=${OVS_RUNDIR:-/run/openvswitch}
db_pid=$(cat "$dir/ovsdb-server.pid") || die "no ovsdb-server pid"
kill "$db_pid"
bed_wait_for 10 bash -c "! kill -0 $db_pid 2>/dev/null" || kill -KILL "$db_pid"
rm -f "$dir/db.sock"
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 \
    1=02:00:00:00:01:01/detached
slowest=$(status_fast "$outage")
echo "status-during-ovsdb-outage: slowest ${slowest} ms"
bed_check "status answered within 1 s throughout the outage" \
    test "$slowest" -lt 1000
n=$(n_conv '.*peer back')
m=$(grep -c 'reconciling now' "$log")
bed_check "ovsdb-server started again" ovsdb_server_start || die "cannot start"
E2E_T0=$(e2e_ms)
converged_after '.*peer back' "$n" "$m"
echo "converge-after-ovsdb-outage of ${outage} s: reconcile started after ${started_ms} ms, converged after ${took_ms} ms"
# The reconcile's commit is applied once ovs-vswitchd, which stayed up,
# has reconnected to the new server: its own backoff (OVS's reconnect, up
# to 8 s after a long outage) is in took_ms, and no client of the server
# can shorten it. What is the daemon's: it starts within 5 s.
bed_check "the daemon reconciled within 5 s of ovsdb-server's return" \
    test "$started_ms" -le 5000
e2e_converge_wait "converged after ovsdb-server's return (VF 1 detached)" \
    60 "$spec"

echo "== ovs-vswitchd frozen under a reconcile: SIGTERM"
vs_pid=$(vswitchd_pid)
kill -STOP "$vs_pid"
n=$(grep -c '^<6>reconcile (spec changed' "$log")
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:01:01
bed_wait_for 20 bash -c "[ \$(grep -c '^<6>reconcile (spec changed' '$log') -gt $n ]" ||
    die "no reconcile of the new spec"
sleep 2 # into the wait for ovs-vswitchd to apply the commit
t0=$(e2e_ms)
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
took=$(($(e2e_ms) - t0))
daemon_pid=''
kill -CONT "$vs_pid"
vs_pid=''
echo "sigterm-exit while waiting on a frozen ovs-vswitchd: ${took} ms"
bed_check_eq "daemon exit status on SIGTERM" 0 "$rc"
bed_check "SIGTERM ended the daemon within 2 s" test "$took" -le 2000
bed_check "the log says the reconcile was given up" \
    grep -q 'given up after [0-9]* ms: shutting down' "$log"
grep -E '^<[0-9]>(reconcile|drift|ovs-vswitchd|OVSDB|.*appeared|.*step .* failed)' "$log" |
    sed 's/^/    log: /' | tail -30
bed_summary
