#!/bin/bash
# Bed test: offload-agent and the restarts and outages of its peers. The
# daemon converges a blank netdevsim device + OVS (hw-offload on); then:
#   ovs-vswitchd restarted under it: the daemon notices at once (its
#   pidfile, not the 5-minute resync), `agentctl status` stays converged
#   (a record naming the old process is not an unapplied step), and the
#   record (Open_vSwitch external_ids:offload-agent-vswitchd) names the
#   new process within 5 s;
#   ovs-vswitchd down for OA_BED_OUTAGE_S seconds (default 60), a
#   representor port deleted meanwhile: status answers during the outage;
#   converged within 5 s of vswitchd's return (time printed);
#   ovsdb-server down for OA_BED_OUTAGE_S seconds, the spec changed
#   meanwhile (VF 1's MAC): converged within 5 s of the server's return
#   (time printed);
#   SIGTERM: exit 0.
# Judged with devlink, ip, ovs-vsctl and jq (bed-agent-lib.sh).
#
# usage: bed-daemon-peers.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
outage=${OA_BED_OUTAGE_S:-60}
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-peers.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
E2E_SOCKET=/run/offload-agent/agentctl.sock
E2E_SPEC=$spec
daemon_pid=''

cleanup() {
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
# status_fast SECONDS: one `agentctl status` at least every second for
# SECONDS; prints the slowest in ms (agentctl's process start included).
status_fast() {
    local end=$((SECONDS + $1)) slowest=0 t0 took
    while [ "$SECONDS" -lt "$end" ]; do
        t0=$(e2e_ms)
        e2e_agentctl status >/dev/null 2>&1
        took=$(($(e2e_ms) - t0))
        [ "$took" -le "$slowest" ] || slowest=$took
        sleep 1
    done
    echo "$slowest"
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
bed_check "status answered within 2 s throughout the outage (process start included)" \
    test "$slowest" -lt 2000
E2E_T0=$(e2e_ms)
bed_check "ovs-vswitchd started again" bed_ovs_vswitchd_start || die "cannot start"
e2e_converge_wait "converged after ovs-vswitchd's return" 60 "$spec"
echo "converge-after-vswitchd-outage of ${outage} s: ${E2E_TOOK:-?} ms"
bed_check "converged within 5 s of ovs-vswitchd's return" \
    test "${E2E_TOOK:-99999}" -le 5000
bed_check "$rep0 back in $bridge" bash -c "[ \"\$(ovs-vsctl port-to-br '$rep0')\" = '$bridge' ]"

echo "== ovsdb-server down ${outage} s, the spec changed meanwhile"
dir=${OVS_RUNDIR:-/run/openvswitch}
db_pid=$(cat "$dir/ovsdb-server.pid") || die "no ovsdb-server pid"
kill "$db_pid"
bed_wait_for 10 bash -c "! kill -0 $db_pid 2>/dev/null" || kill -KILL "$db_pid"
rm -f "$dir/db.sock"
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:0b:01
slowest=$(status_fast "$outage")
echo "status-during-ovsdb-outage: slowest ${slowest} ms"
bed_check "status answered within 2 s throughout the outage (process start included)" \
    test "$slowest" -lt 2000
E2E_T0=$(e2e_ms)
bed_check "ovsdb-server started again" ovsdb_server_start || die "cannot start"
e2e_converge_wait "converged after ovsdb-server's return (VF 1's new MAC)" 60 "$spec"
echo "converge-after-ovsdb-outage of ${outage} s: ${E2E_TOOK:-?} ms"
bed_check "converged within 5 s of ovsdb-server's return" \
    test "${E2E_TOOK:-99999}" -le 5000

kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=''
bed_check_eq "daemon exit status on SIGTERM" 0 "$rc"
grep -E '^<[0-9]>(reconcile|drift|ovs-vswitchd|OVSDB|.*appeared|.*step .* failed)' "$log" |
    sed 's/^/    log: /' | tail -30
bed_summary
