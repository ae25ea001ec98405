#!/bin/bash
# End to end, in the kernel test bed (tests/bed/run): offload-agent running
# in the background (no systemd here) against a blank netdevsim device and
# an OVS without a bridge. It converges the seed topology; then, while it
# runs, the spec is replaced (write to a temporary file + rename): VF count
# 2 -> 4, a MAC change, a VF detached, 4 -> 1, the bridge renamed; each
# converges, the ports the agent owned and no longer wants are removed, a
# port added by hand stays. Drift: a representor removed with ovs-vsctl
# del-port, the eswitch set back to legacy with devlink, a representor
# set down with ip link and the VF count set to 0 by hand are repaired
# without being asked, on the events (times printed). An invalid spec leaves the daemon
# running on the last good one, with the error in status and in its log
# (FILE:LINE:COL) and nothing changed on the host. Last: the daemon's RSS
# and idle CPU from /proc.
#
# usage: bed-agent-daemon.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
work=$(mktemp -d /tmp/e2e-daemon.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
E2E_SOCKET=/run/offload-agent/agentctl.sock
E2E_SPEC=$spec
daemon_pid=

cleanup() {
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

daemon_alive() { kill -0 "$daemon_pid" 2>/dev/null; }

# change DESC SECONDS SPEC-ARGS... -- [FOREIGN...]: replaces the spec with
# e2e_write_spec SPEC-ARGS and waits for the daemon to converge it.
change() {
    local desc=$1 secs=$2 args=()
    shift 2
    while [ $# -gt 0 ] && [ "$1" != -- ]; do
        args+=("$1")
        shift
    done
    shift
    E2E_T0=$(e2e_ms)
    e2e_write_spec "$spec" "${args[@]}"
    e2e_converge_wait "$desc" "$secs" "$spec" "$@" &&
        echo "converge-time daemon, $desc: $E2E_TOOK ms"
}

echo "== blank netdevsim device, OVS without hw-offload, daemon started"
bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" bed_nsim_new "$nsim_id" 1 8 ||
    exit 1
bed_check "OVS started" bed_ovs_start || exit 1
e2e_write_spec "$spec" "$dl" "$bridge" 2 0=02:00:00:00:01:00 1=02:00:00:00:01:01
E2E_T0=$(e2e_ms)
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" 2>"$log" &
daemon_pid=$!
e2e_converge_wait "daemon converges 1 PF x 2 VFs from blank" 120 "$spec" &&
    echo "converge-time daemon start, 1 PF x 2 VFs from blank: $E2E_TOOK ms"
daemon_alive || { bed_fail "the daemon exited"; cat "$log"; exit 1; }
sock_mode=$(stat -c %a "$E2E_SOCKET")
bed_check_eq "control socket mode" 660 "$sock_mode"

foreign=foreign0
bed_check "foreign port $foreign added by hand (internal)" \
    ovs-vsctl add-port "$bridge" "$foreign" -- set interface "$foreign" type=internal

echo "== spec changes while the daemon runs"
macs4=("0=02:00:00:00:01:00" "1=02:00:00:00:01:01" "2=02:00:00:00:01:02" "3=02:00:00:00:01:03")
change "VF count 2 -> 4" 120 "$dl" "$bridge" 4 "${macs4[@]}" -- "$foreign"
macs4[1]=1=02:00:00:00:0a:01
change "MAC of VF 1 changed" 60 "$dl" "$bridge" 4 "${macs4[@]}" -- "$foreign"
macs4[3]=3=02:00:00:00:01:03/detached
change "VF 3 detached (attach false)" 60 "$dl" "$bridge" 4 "${macs4[@]}" -- "$foreign"
change "VF count 4 -> 1" 120 "$dl" "$bridge" 1 0=02:00:00:00:01:00 -- "$foreign"
bed_check_eq "no OVS interface with an error (stale representors gone)" "" \
    "$(ovs-vsctl --bare --columns=name,error find interface 'error!=[]')"
bed_check "foreign port $foreign remains" ovs-vsctl port-to-br "$foreign"

echo "== drift repaired without being asked"
rep0=$(bed_rep_netdev "$dl" 0)
from=$(($(wc -l <"$log") + 1))
t0=$(e2e_ms)
bed_check "ovs-vsctl del-port $rep0" ovs-vsctl del-port "$rep0"
if bed_wait_for 60 e2e_iface_ok "$rep0"; then
    took=$(($(e2e_ms) - t0))
    bed_pass "$rep0 back in OVS with an ofport ($took ms)"
    echo "drift-repair-time representor deleted from OVS: $took ms"
else
    bed_fail "$rep0 not back in OVS after 60 s"
fi
E2E_T0=$t0
e2e_converge_wait "converged after the port drift" 60 "$spec" "$foreign"
# Looks at the host per repair (the daemon counts them in its log line):
# the check that found the drift and one after the add-port. The
# reconcile starts from the check's look; it used to look again twice
# (its guard's dry run, its first round) before applying anything.
repaired=$(tail -n +"$from" "$log" | grep -m1 'drift repaired (')
looks=$(sed -n 's/.*planned, \([0-9]*\) looks\{0,1\}$/\1/p' <<<"$repaired")
echo "drift-repair-looks representor deleted from OVS: ${looks:-?} (${repaired#*>})"
bed_check "the port repair looked at the host twice: the check, after the add-port" \
    test "${looks:-0}" -eq 2

rep_attached() {
    local rep
    [ "$(bed_eswitch "$dl")" = switchdev ] && rep=$(bed_rep_netdev "$dl" 0) &&
        e2e_iface_ok "$rep"
}
t0=$(e2e_ms)
bed_check "devlink eswitch set legacy" bed_eswitch "$dl" legacy
if bed_wait_for 60 rep_attached; then
    took=$(($(e2e_ms) - t0))
    bed_pass "switchdev again, representor of VF 0 back in OVS ($took ms)"
    echo "drift-repair-time eswitch set to legacy: $took ms"
else
    bed_fail "not back to switchdev with VF 0's representor in OVS after 60 s"
fi
E2E_T0=$t0
e2e_converge_wait "converged after the eswitch drift" 60 "$spec" "$foreign"

rep0=$(bed_rep_netdev "$dl" 0)
t0=$(e2e_ms)
bed_check "ip link set $rep0 down" ip link set "$rep0" down
if bed_wait_for 60 e2e_link_up "$rep0"; then
    took=$(($(e2e_ms) - t0))
    bed_pass "$rep0 up again ($took ms)"
    echo "drift-repair-time representor set down: $took ms"
else
    bed_fail "$rep0 still down after 60 s"
fi
E2E_T0=$t0
e2e_converge_wait "converged after the link drift" 60 "$spec" "$foreign"

# The VF count set to 0 by hand: the representors vanish (link events),
# the eswitch falls back to legacy. The repair must start on those events
# (the periodic resync is 5 min away) and its detach transaction must
# take the vanished representors' ports out too: left in, ovs-vswitchd
# reopened each missing netdev in its reconfiguration (seconds each under
# TCG) and the detach's wait for it timed out (docs/performance.md).
from=$(($(wc -l <"$log") + 1))
t0=$(e2e_ms)
bed_check "sriov_numvfs set to 0 by hand" \
    sh -c "echo 0 >$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs"
if bed_wait_for 60 rep_attached; then
    took=$(($(e2e_ms) - t0))
    bed_pass "VFs and VF 0's representor back in OVS ($took ms)"
    echo "drift-repair-time VF count set to 0: $took ms"
else
    bed_fail "VF 0's representor not back in OVS after 60 s"
fi
E2E_T0=$t0
e2e_converge_wait "converged after the VF count drift" 60 "$spec" "$foreign"
repair_log=$(tail -n +"$from" "$log")
bed_check "the VF count repair started on a netlink event" \
    grep -q '^.*drift (netlink event[^)]*): ' <<<"$repair_log"
bed_check "the vanished representors' ports left with the detach transaction" \
    grep -q 'step del-port .*with the detach transaction' <<<"$repair_log"
# A disruptive repair is guarded: health must be back after it. The
# reconcile's own last look, taken after its last step, is read for
# that first; a look of its own for health came on top of every
# disruptive repair before. Looks: the check's, then one after each round.
read -r looks rounds < <(awk '
    /reconcile \(.*\): converged in / { r = $0; sub(/.* in /, "", r); sub(/ rounds?$/, "", r) }
    /drift repaired \(/ { l = $0; sub(/.*, /, "", l); sub(/ looks?$/, "", l); print l, r; exit }
' <<<"$repair_log")
echo "drift-repair-looks VF count set to 0: ${looks:-?} looks, ${rounds:-?} rounds"
bed_check "the VF count repair looked once per round and once before (no health look)" \
    test -n "${rounds:-}" -a "${looks:-0}" -eq "$((${rounds:-0} + 1))"

echo "== bridge renamed"
change "bridge renamed $bridge -> ovs-sriov2" 60 "$dl" ovs-sriov2 1 0=02:00:00:00:01:00 --
old_ports=$(ovs-vsctl list-ports "$bridge" 2>/dev/null | sort | tr '\n' ' ')
bed_check_eq "the old bridge keeps only the foreign port" "$foreign " "$old_ports"
bridge=ovs-sriov2

echo "== invalid spec given to the running daemon"
snapshot() {
    devlink dev eswitch show "$dl"
    devlink port show
    cat "$(bed_nsim_sysfs "$nsim_id")/sriov_numvfs"
    ip -d link show
    ovs-vsctl show
    ovs-vsctl get Open_vSwitch . other_config
}
snapshot >"$work/before" 2>&1
good=$(cat "$spec")
# num_vfs becomes a string: valid JSON, an invalid spec.
sed 's/"num_vfs": 1,/"num_vfs": "four",/' "$spec" >"$spec.tmp" && mv -f "$spec.tmp" "$spec"
bad_line=$(grep -n '"num_vfs": "four"' "$spec" | cut -d: -f1)
# Exit 2: the contract's code for an invalid spec (docs/cli.md).
spec_error() {
    e2e_status
    [ "$E2E_STATUS_RC" = 2 ] &&
        printf '%s\n' "$E2E_ST" | jq -e '[.problems[] | .message + " " + (.hint // "")
            | select(test("spec"))] | length > 0' >/dev/null
}
if bed_wait_for 30 spec_error; then
    bed_pass "status exits 2 with a problem about the spec"
else
    bed_fail "status does not show the invalid spec (exit $E2E_STATUS_RC)"
    printf '%s\n' "$E2E_ST" | sed 's/^/    status: /'
fi
bed_check "daemon still running" daemon_alive
bed_check "daemon log has $spec:$bad_line:COL" grep -E "^.*${spec//./\\.}:$bad_line:[0-9]+:" "$log"
sleep 2
snapshot >"$work/after" 2>&1
bed_check "nothing on the host changed (devlink, ip, ovs-vsctl)" diff -u "$work/before" "$work/after"
# Still working on the last good spec: a drift is repaired.
rep0=$(bed_rep_netdev "$dl" 0)
ovs-vsctl del-port "$rep0"
bed_check "on the last good spec, $rep0 deleted from OVS is put back" \
    bed_wait_for 60 e2e_iface_ok "$rep0"
printf '%s\n' "$good" >"$spec.tmp" && mv -f "$spec.tmp" "$spec"
E2E_T0=$(e2e_ms)
e2e_converge_wait "valid spec again: status exit 0" 60 "$spec"

echo "== the daemon's own account (its log)"
grep -E 'drift|: converged in|invalid' "$log" | sed 's/^<[0-9]>/   daemon: /'

echo "== resources"
pid_cpu_ticks() {
    local stat
    stat=$(<"/proc/$daemon_pid/stat")
    stat=${stat##*) }
    # Fields after "(comm) ": state is the 1st, utime the 12th, stime the 13th.
    # shellcheck disable=SC2086 # split into fields on purpose
    set -- $stat
    echo $((${12} + ${13}))
}
hz=$(getconf CLK_TCK)
c0=$(pid_cpu_ticks)
sleep 10
c1=$(pid_cpu_ticks)
rss=$(sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$daemon_pid/status")
echo "daemon-rss: $rss"
echo "daemon-idle-cpu: $((c1 - c0)) ticks of 1/$hz s in 10 s ($(((c1 - c0) * 1000 / hz / 10)) permille)"
bed_check "daemon still running" daemon_alive
kill -TERM "$daemon_pid"
rc=0
wait "$daemon_pid" || rc=$?
daemon_pid=
bed_check_eq "daemon exit status on SIGTERM" 0 "$rc"
if [ "$bed_failures" != 0 ] || [ "${VERBOSE:-0}" != 0 ]; then
    echo "--- offload-agent log (last 80 lines)"
    tail -80 "$log"
fi
bed_summary
