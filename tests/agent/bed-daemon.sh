#!/bin/bash
# Bed test of offload-agent (runs inside the guest: tests/bed/run): a blank
# netdevsim device, a real OVS, the bed example spec (2 VFs with MACs,
# bridge ovs-sriov). Checks, against devlink, sysfs and ovs-vsctl:
#   READY=1 once converged (time printed), status --json converged;
#   drift repaired without being asked (times printed): a representor's
#   port deleted with ovs-vsctl, the VFs removed behind the daemon's back
#   (which drops netdevsim's eswitch to legacy);
#   an invalid spec changes nothing on the host; status exit 2;
#   a spec change 2 -> 4 VFs converges (time printed);
#   SIGTERM: exit 0.
# The daemon runs with CAP_NET_ADMIN as its only capability, as the unit
# has it. Prints its RSS and idle CPU.
#   tests/agent/bed-daemon.sh OFFLOAD_AGENT AGENTCTL NOTIFY_LISTEN
set -u
agent=$1
agentctl=$2
notify_listen=$3
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"

id=1
dl=$(bed_nsim_devlink "$id")
sys=$(bed_nsim_sysfs "$id")
bridge=ovs-sriov
t=${TMPDIR:-/tmp}/bed-daemon
spec=$t/etc/host.json
log=$t/agent.log
rm -rf "$t"
mkdir -p "$t/etc"
agent_pid=

die() {
    bed_fail "$*"
    echo "--- daemon log"
    cat "$log"
    [ -z "$agent_pid" ] || kill "$agent_pid" 2>/dev/null
    bed_summary
    exit 1
}
now_ms() {
    echo $(($(date +%s%N) / 1000000))
}
# put_spec NUM_VFS [EXTRA]: the bed example with NUM_VFS VFs, written
# to a temporary file and renamed over the spec.
put_spec() {
    jq --argjson n "$1" '.pfs[0].num_vfs = $n' \
        "$here/../../packaging/examples/bed-netdevsim.json" >"$t/etc/.tmp" &&
        if [ -n "${2:-}" ]; then
            jq "$2" "$t/etc/.tmp" >"$t/etc/.tmp2" && mv "$t/etc/.tmp2" "$t/etc/.tmp"
        fi &&
        mv "$t/etc/.tmp" "$spec"
}
numvfs() {
    cat "$sys/sriov_numvfs"
}
# attached N: N representors, all ports of the bridge with an ofport.
attached() {
    local vf rep of
    for ((vf = 0; vf < $1; vf++)); do
        rep=$(bed_rep_netdev "$dl" "$vf" 2>/dev/null) || return 1
        [ "$(ovs-vsctl port-to-br "$rep" 2>/dev/null)" = "$bridge" ] || return 1
        of=$(ovs-vsctl get Interface "$rep" ofport 2>/dev/null) || return 1
        [ "$of" -gt 0 ] 2>/dev/null || return 1
    done
}
converged() { # N: the host matches a spec with N VFs, says agentctl too
    [ "$(numvfs)" = "$1" ] && [ "$(bed_eswitch "$dl")" = switchdev ] &&
        attached "$1" && "$agentctl" status >/dev/null 2>&1
}
# wait_converged_log SECONDS N: until more than N reconciles logged
# "converged" (one grep per poll: cheap, so the time measured is the
# daemon's, not the checker's).
wait_converged_log() {
    local deadline=$((SECONDS + $1))
    while [ "$(grep -c '^<6>reconcile (.*): converged' "$log")" -le "$2" ]; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.05
    done
}
n_converged() {
    grep -c '^<6>reconcile (.*): converged' "$log"
}
# Each drift or change below is timed from the disturbance to the daemon's
# "converged" log line; the host is then checked against devlink, sysfs
# and ovs-vsctl (vswitchd assigning ofports takes a moment more).
snapshot() {
    echo "eswitch=$(bed_eswitch "$dl") numvfs=$(numvfs)"
    ovs-vsctl list-ports "$bridge"
    ip -j link show "$(bed_pf_netdev "$dl")" | jq -c '[.[0].vfinfo_list[]?.address]'
}

bed_check "the mlx5 personality on (docs/testbed.md)" bed_nsim_mlx5_on || die "no mlx5 personality"
bed_check "netdevsim$id created" bed_nsim_new "$id" 1 8 || die "no netdevsim"
bed_check "OVS started" bed_ovs_start || die "no OVS"
put_spec 2

"$notify_listen" "$t/notify.sock" >"$t/notify.log" &
bed_wait_for 10 test -S "$t/notify.sock" || die "notify-listen did not start"
start=$(now_ms)
# As the unit runs it: root with CAP_NET_ADMIN as its only capability
# (packaging/offload-agent.service): devlink, rtnetlink, ethtool and the
# root-owned sysfs files must all work with that.
NOTIFY_SOCKET=$t/notify.sock setpriv --bounding-set=-all,+net_admin \
    --inh-caps=-all "$agent" --spec "$spec" 2>"$log" &
agent_pid=$!
bed_wait_for 120 grep -q '^READY=1' "$t/notify.log" || die "no READY=1"
bed_pass "READY=1 after $(($(now_ms) - start)) ms (blank netdevsim to converged, 2 VFs)"
bed_check "converged at READY (eswitch, VFs, representors attached)" converged 2
bed_check "STATUS= says converged" grep -q '^STATUS=converged' "$t/notify.log"
bed_check_eq "status --json converged" true \
    "$("$agentctl" status --json | jq -r .converged)"

before_macs=$(snapshot | tail -1)

# --- drift: a representor's port removed --------------------------------
rep1=$(bed_rep_netdev "$dl" 1)
n=$(n_converged)
ovs-vsctl del-port "$bridge" "$rep1"
gone=$(now_ms)
if wait_converged_log 60 "$n"; then
    bed_pass "drift: reconciled $(($(now_ms) - gone)) ms after ovs-vsctl del-port $rep1"
else
    bed_fail "drift: no reconcile after ovs-vsctl del-port $rep1"
fi
bed_wait_for 60 attached 2
bed_check "drift: $rep1 attached again" attached 2

# --- drift: VFs removed behind the daemon's back (eswitch drops to legacy)
n=$(n_converged)
echo 0 >"$sys/sriov_numvfs"
gone=$(now_ms)
if wait_converged_log 120 "$n"; then
    bed_pass "drift: reconciled $(($(now_ms) - gone)) ms after sriov_numvfs=0"
else
    bed_fail "drift: no reconcile after sriov_numvfs=0"
fi
bed_wait_for 60 converged 2
bed_check "drift: VFs, MACs, switchdev and ports restored" converged 2
bed_check_eq "drift: VF MACs restored" "$before_macs" \
    "$(snapshot | tail -1)"

# --- invalid spec: nothing on the host changes ---------------------------
before=$(snapshot)
put_spec 4 '.typo = 1'
bed_wait_for 30 grep -q 'is invalid' "$log" || bed_fail "invalid spec not logged"
sleep 3
bed_check_eq "invalid spec: host unchanged" "$before" "$(snapshot)"
rc=0
"$agentctl" status >"$t/status.txt" 2>&1 || rc=$?
bed_check_eq "invalid spec: agentctl status exit" 2 "$rc"
bed_check "invalid spec: status shows the error" grep -q 'typo' "$t/status.txt"
kill -0 "$agent_pid" || die "daemon died on an invalid spec"

# --- spec change: 2 -> 4 VFs ----------------------------------------------
n=$(n_converged)
put_spec 4
changed=$(now_ms)
if wait_converged_log 120 "$n"; then
    bed_pass "spec 2 -> 4 VFs: reconciled $(($(now_ms) - changed)) ms after the rename"
else
    bed_fail "spec 2 -> 4 VFs: no converged reconcile"
fi
bed_wait_for 60 converged 4
bed_check "spec 2 -> 4 VFs: host converged" converged 4

# --- numbers: memory once settled, CPU while idle --------------------------
sleep 2
ticks() { awk '{ print $14 + $15 }' "/proc/$agent_pid/stat"; }
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$agent_pid/status")
n=$(grep -c '^<6>reconcile (' "$log")
t0=$(ticks)
sleep 10
t1=$(ticks)
bed_pass "idle: RSS ${rss} kB, CPU $(((t1 - t0) * 1000 / $(getconf CLK_TCK))) ms in 10 s, $(($(grep -c '^<6>reconcile (' "$log") - n)) reconcile log lines"

# --- SIGTERM ----------------------------------------------------------------
kill -TERM "$agent_pid"
rc=0
wait "$agent_pid" || rc=$?
agent_pid=
bed_check_eq "SIGTERM: exit status" 0 "$rc"
bed_check "SIGTERM: socket removed" test ! -e /run/offload-agent/agentctl.sock
grep -E '^<[0-9]>(reconcile|drift|step .* failed)' "$log" | sed 's/^/    log: /' | tail -40
bed_summary
