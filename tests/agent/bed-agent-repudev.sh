#!/bin/bash
# End to end, in the kernel test bed (tests/bed/run), with systemd-udevd
# running as on a host (tests/bed/lib.sh bed_udev_start): a vendor-style
# rule names each representor <uplink>_<vf>, and the project's
# NetworkManager rule (packaging/86-offload-agent-nm-unmanaged.rules) is
# installed; each representor's rules take 1 s longer (a busy udev). The
# mlx5 personality is on: VFs and representors appear
# 200 ms after the sriov_numvfs write, the moment an agent that does not
# wait for udev sets them up (6.1 refuses to rename a netdev that is up:
# udev's rename fails) and attaches them under their kernel names.
#
# (a) attach after udev: agentctl apply 0 -> 4 VFs in switchdev; every
#     representor is attached under its udev name, none under ethN, and
#     udevd logged no failed rename.
# (b) renamed while attached, with traffic: offload-agent runs, two
#     emulated VFs ping each other through OVS (ping -i 0.1); one
#     attached representor is renamed (down, rename, up in one ip -batch,
#     as an operator or a late udev rule does it). Its OVS port is
#     re-pointed by its key in one transaction (the Port row for the new
#     name carries the key and the qos set on the old one; no row is left
#     under the old name), within a bound; the kernel datapath port that
#     ovs-vswitchd can neither find nor delete after the rename is
#     deleted once that transaction is committed, ovs-vswitchd adds the
#     netdev under its new name (no Interface error), and VF 1 answers
#     again within 3 s of the re-pointing, no ping lost later than 5 s
#     after it.
#     The ping loss, split by cause, and the times are measured and
#     printed.
# (d) the uplink renamed while attached, the eswitch left alone: the same
#     checks as (b), VF 0 pinging a netns on the wire behind the uplink;
#     its port (key <PF>/uplink) is re-pointed and its datapath port
#     released the same way, and status is converged after.
# (c) the NetworkManager rule: NM_UNMANAGED=1 on the representors (udev's
#     database), not on the PF, a dummy or a veth netdev.
#
# usage: bed-agent-repudev.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
nsim_id=1
dl=$(bed_nsim_devlink "$nsim_id")
bridge=ovs-sriov
nvfs=4
work=$(mktemp -d /tmp/e2e-repudev.XXXXXX)
spec=$work/host.json
log=$work/offload-agent.log
export OA_BED_UDEV_LOG=$work/udevd.log
E2E_SPEC=$spec
E2E_SOCKET=/run/offload-agent/agentctl.sock
daemon_pid=
ping_pid=

cleanup() {
    [ -z "$ping_pid" ] || kill "$ping_pid" 2>/dev/null
    if [ -n "$daemon_pid" ]; then
        kill "$daemon_pid" 2>/dev/null
        wait "$daemon_pid" 2>/dev/null
    fi
    bed_vf_detach vf0
    bed_vf_detach vf1
    bed_vf_detach wire
    bed_udev_stop
    bed_ovs_stop
    rm -rf "$work"
}
trap cleanup EXIT

# udev_prop NETDEV KEY: KEY's value in udev's database for NETDEV.
udev_prop() {
    udevadm info -q property "/sys/class/net/$1" 2>/dev/null |
        sed -n "s/^$2=//p"
}

# dp_port_of NETDEV: NETDEV's port number in the kernel datapath.
dp_port_of() { ovs-appctl dpctl/show | sed -n "s/^ *port \([0-9]*\): $1\( .*\)\?\$/\1/p"; }

# ovsdb_txns OLD NEW: per OVSDB log record that touches them, "D" when it
# deletes the Port OLD, "I" when it inserts the Port NEW ("table Port row
# NAME ... diff:" then "delete row"); space-separated.
ovsdb_txns() {
    ovsdb-tool show-log -m "${OVS_DBDIR:-/run/openvswitch}/conf.db" >"$work/dblog" 2>&1
    awk -v old="$1" -v new="$2" '
        function flush() { if (d || i) print (d ? "D" : "") (i ? "I" : ""); d = i = 0 }
        /^record / { flush(); p = "" }
        /^  table / { p = "" }
        $0 ~ "^  table Port insert row \"" new "\"" { i = 1 }
        $0 ~ "^  table Port row \"" old "\"" { p = "old" }
        /^    delete row/ && p == "old" { d = 1 }
        END { flush() }' "$work/dblog" | tr '\n' ' '
}

# ping_split FILE T0 T1 T2: prints the losses of FILE (ping -D -O) by
# cause: while the netdev was down for its rename (T0 to T1; 6.1 renames
# only a netdev that is down: the operator's own outage), and after it
# was up again (what OVS and the agent add); T2 is the re-pointing. "no
# answer yet" lines carry the time of the next send, so a loss is counted
# in the window of the send that found it missing. Sets resumed_ms: the
# first reply at or after T2, in ms after T2 (-1: none), and late_lost:
# the pings lost more than 5 s after T2 (traffic that came back and
# stopped again: the old vport forwarding a moment before it is gone).
ping_split() {
    awk -v t0="$2" -v t1="$3" -v t2="$4" -v out="$1.resumed" '
    { ts = $1; gsub(/[\[\]]/, "", ts); ms = int(ts * 1000) }
    /no answer yet/ { if (ms < t0) before++; else if (ms <= t1 + 100) down++; else after++
        lost = lost " " (ms - t0); if (ms > t2 + 5000) late++ }
    /bytes from/ { if (ms < t0) last = ms; else if (!first) first = ms
        if (ms >= t2 && !resumed) resumed = ms }
    END { printf "ping-loss-split: %d before the rename, %d while it was down (%d ms), %d after it was up again\n",
              before, down, t1 - t0, after
          printf "ping-lost-at (ms after the rename began):%s\n", lost
          printf "ping-gap: last reply %d ms before the rename; first reply after the re-pointing: %s\n",
              t0 - last, resumed ? (resumed - t2) " ms later" : "none"
          print (resumed ? resumed - t2 : -1), late + 0 > out }' "$1"
    read -r resumed_ms late_lost <"$1.resumed" || resumed_ms=-1 late_lost=-1
}

echo "== setup: netdevsim (mlx5 personality), OVS, udevd with the rules"
bed_check "the mlx5 personality on (VFs 200 ms after the write)" bed_nsim_mlx5_on
# Created before udevd starts: the PF keeps its kernel name (following a
# renamed PF is another test's subject).
bed_check "netdevsim$nsim_id created (1 port, max_vfs 8)" bed_nsim_new "$nsim_id" 1 8 ||
    exit 1
pf=$(bed_pf_netdev "$dl") || exit 1
bed_check "OVS started" bed_ovs_start || exit 1
# udev runs PROGRAM without a path from /usr/lib/udev (CMake installs the
# helper there); the bed's / has a writable overlay.
bed_check "the rule's helper in /usr/lib/udev" \
    install -m 755 "$src/packaging/offload-agent-vf-switchdev" /usr/lib/udev/
# A udev that takes its time, as at boot when its queue is long or when a
# vendor rule runs a slow program: each representor's rules take 1 s
# more before the rename. Deterministic where the bed's udev alone races
# the agent's next round.
printf '%s\n' 'SUBSYSTEM=="net", ACTION=="add", ATTR{phys_port_name}=="pf*vf*", PROGRAM="/bin/sleep 1"' \
    >"$work/81-oa-bed-slow-reps.rules"
bed_check "udevd started (vendor representor names, NM rule, 1 s per representor)" \
    bed_udev_start --vendor-rep-names "$work/81-oa-bed-slow-reps.rules" \
    "$src/packaging/86-offload-agent-nm-unmanaged.rules" || exit 1
# A netdev of no NIC, created with udevd running: udev's first event pays
# for its start (rules, hwdb); the agent meets a udevd that is warm.
bed_check "dummy netdev oa-dummy0 created" ip link add oa-dummy0 type dummy
bed_check "udev initialised oa-dummy0" bed_wait_for 60 bed_udev_initialised oa-dummy0

echo "== (a) agentctl apply 0 -> $nvfs VFs in switchdev: attached after udev"
# First switchdev with 0 VFs, the bridge and the uplink: then the VF
# count change has no OVS commit to wait for before the round that sets
# the new representors up and attaches them.
e2e_write_spec "$spec" "$dl" "$bridge" 0
bed_check "agentctl apply: switchdev, 0 VFs, bridge and uplink" e2e_agentctl apply
macs=()
for ((i = 0; i < nvfs; i++)); do
    macs+=("$i=02:00:00:00:01:0$i")
done
e2e_write_spec "$spec" "$dl" "$bridge" "$nvfs" "${macs[@]}"
t0=$(e2e_ms)
rc=0
e2e_agentctl apply >"$work/apply.out" 2>&1 || rc=$?
took=$(($(e2e_ms) - t0))
bed_check_eq "agentctl apply exit status" 0 "$rc"
echo "converge-time apply with udev, 0 -> $nvfs VFs: $took ms"
# udev done with every event (a rename it could not do is logged by then).
bed_check "udev settled" udevadm settle --timeout=60
grep -E 'wait-vfs' "$work/apply.out" | sed 's/^/    /'
udev_names_ok=1
for ((i = 0; i < nvfs; i++)); do
    rep=$(bed_rep_netdev "$dl" "$i") || { udev_names_ok=0; continue; }
    if [ "$rep" != "${pf}_$i" ]; then
        bed_log "VF $i: representor $rep, not ${pf}_$i"
        udev_names_ok=0
    fi
done
bed_check_eq "every representor has its udev name ${pf}_N" 1 "$udev_names_ok"
bed_check "host as specified: the bridge holds the uplink and the representors under their udev names" \
    e2e_host_ok "$spec"
kernel_named=$(ovs-vsctl list-ports "$bridge" | grep -E '^eth[0-9]+$' | grep -vx "$pf" | tr '\n' ' ')
bed_check_eq "no port under a kernel name (ethN)" "" "$kernel_named"
failed=$(grep -iE 'failed to rename|cannot rename' "$OA_BED_UDEV_LOG")
bed_check_eq "udevd logged no failed rename" "" "$failed"
e2e_status
bed_check_eq "status exit 0 (converged)" 0 "$E2E_STATUS_RC"
if [ "$bed_failures" != 0 ]; then
    sed 's/^/    apply: /' "$work/apply.out"
    grep -iE 'rename|error' "$OA_BED_UDEV_LOG" | tail -20 | sed 's/^/    udevd: /'
fi

echo "== (c) NetworkManager rule: NM_UNMANAGED in udev's database"
for ((i = 0; i < nvfs; i++)); do
    rep=$(bed_rep_netdev "$dl" "$i") || continue
    bed_check_eq "NM_UNMANAGED on representor $rep" 1 "$(udev_prop "$rep" NM_UNMANAGED)"
done
# The PF predates udevd: a change event has udev run the rules for it.
bed_check "udev re-ran the rules for the PF $pf (change event)" \
    udevadm trigger --action=change --settle "/sys/class/net/$pf"
bed_check "udev has the PF $pf in its database" bed_udev_initialised "$pf"
bed_check_eq "no NM_UNMANAGED on the PF $pf" "" "$(udev_prop "$pf" NM_UNMANAGED)"
bed_check_eq "no NM_UNMANAGED on the dummy oa-dummy0" "" "$(udev_prop oa-dummy0 NM_UNMANAGED)"
bed_check "veth pair oa-veth0/oa-veth1 created" ip link add oa-veth0 type veth peer name oa-veth1
bed_check "udev initialised oa-veth0" bed_wait_for 60 bed_udev_initialised oa-veth0
bed_check_eq "no NM_UNMANAGED on the veth oa-veth0" "" "$(udev_prop oa-veth0 NM_UNMANAGED)"
# udevadm test runs the rules in a dry run and says what they set.
rep0=$(bed_rep_netdev "$dl" 0)
udevadm test --action=change "/sys/class/net/$rep0" >"$work/test-rep" 2>&1
udevadm test --action=change "/sys/class/net/$pf" >"$work/test-pf" 2>&1
bed_check "udevadm test on $rep0 sets NM_UNMANAGED=1" grep -q 'NM_UNMANAGED=1' "$work/test-rep"
bed_check "udevadm test on the PF $pf does not" bash -c "! grep -q NM_UNMANAGED '$work/test-pf'"
bed_check_eq "udev reported no error in the NM rule file" "" \
    "$(grep -i '86-offload-agent' "$OA_BED_UDEV_LOG")"

echo "== (b) a representor renamed while attached, with traffic"
E2E_T0=$(e2e_ms)
"$DAEMON" --spec "$spec" --socket "$E2E_SOCKET" 2>"$log" &
daemon_pid=$!
e2e_converge_wait "daemon started on the converged host" 120 "$spec" || exit 1
rep0=$(bed_rep_netdev "$dl" 0) rep1=$(bed_rep_netdev "$dl" 1)
for rep in "$rep0" "$rep1"; do
    bed_check "qos linux-noop on $rep (the VF glue's qdisc stays)" e2e_qos_noop "$rep"
done
bed_check "emulated VF 0 behind $rep0" bed_vf_attach vf0 "$rep0" 10.9.0.1/24 02:00:00:00:01:00
bed_check "emulated VF 1 behind $rep1" bed_vf_attach vf1 "$rep1" 10.9.0.2/24 02:00:00:00:01:01
bed_check "VF 0 pings VF 1 through OVS before the rename" e2e_ping vf0 10.9.0.2 ||
    exit 1

# renamed_with_traffic WHAT OLD NEW KEY DST SECS: OLD, an attached netdev
# whose port carries KEY, is renamed NEW (down, rename, up in one ip
# -batch, as an operator or a late udev rule does it) while VF 0 pings DST
# every 100 ms for SECS s from 3 s before. Checks that the agent
# re-points the port by its key in one OVSDB transaction (qos carried, no
# row left under OLD), that ovs-vswitchd takes the new Interface as a
# datapath port, and that the ping comes back within 3 s of the
# re-pointing; prints the times and the loss by cause.
renamed_with_traffic() {
    local what=$1 old=$2 new=$3 key=$4 dst=$5 secs=$6 out=$work/ping-$3.out
    local qos dp_before t_renamed took='' rc sent got err ofport
    bed_check_eq "the port of $old carries its key" "$key" \
        "$(ovs-vsctl --if-exists get Port "$old" external_ids:offload-agent-port | tr -d '"')"
    qos=$(ovs-vsctl get Port "$old" qos)
    dp_before=$(dp_port_of "$old")
    bed_check "$old is a datapath port (${dp_before:-none})" test -n "$dp_before"
    ip netns exec vf0 ping -D -O -n -i 0.1 -w "$secs" "$dst" >"$out" 2>&1 &
    ping_pid=$!
    sleep 3
    t_rename=$(e2e_ms)
    printf 'link set %s down\nlink set %s name %s\nlink set %s up\n' \
        "$old" "$old" "$new" "$new" | ip -batch -
    rc=$?
    t_renamed=$(e2e_ms)
    bed_check_eq "ip -batch down/rename/up of $old -> $new" 0 "$rc"
    echo "rename-window: $old down to $new up in $((t_renamed - t_rename)) ms"
    # Re-pointed: the port of the new name carries the key (an ofport is
    # ovs-vswitchd's part, below).
    repointed() {
        [ "$(ovs-vsctl --if-exists get Port "$new" external_ids:offload-agent-port 2>/dev/null)" = "\"$key\"" ]
    }
    if bed_wait_for 30 repointed; then
        took=$(($(e2e_ms) - t_rename))
        bed_pass "port re-pointed to $new by its key ($took ms after the rename)"
        echo "repoint-time $what renamed while attached: $took ms"
        # 2–3 s when the host is quiet; the bound leaves room for a loaded
        # CI machine running two TCG guests.
        bed_check "re-pointed within 15 s of the renamed netdev coming up" \
            test "$((took - (t_renamed - t_rename)))" -le 15000
    else
        bed_fail "no port $new with key $key 30 s after the rename"
    fi
    bed_check_eq "no port left under the old name $old" "" \
        "$(ovs-vsctl --bare --columns=name find Port name="$old")"
    bed_check_eq "the qos set on the old port is carried over" "$qos" \
        "$(ovs-vsctl --if-exists get Port "$new" qos)"
    bed_check_eq "exactly one port carries the key $key" "$new" \
        "$(ovs-vsctl --bare --columns=name find Port "external_ids:offload-agent-port=\"$key\"")"
    # The OVSDB log: the rename is one transaction, deleting the old Port
    # and inserting the new one (no transaction in which it has no port).
    bed_check_eq "one OVSDB transaction deletes $old's Port and inserts $new's, no other touches them" \
        "DI " "$(ovsdb_txns "$old" "$new")"
    wait "$ping_pid"
    ping_pid=
    sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$out")
    got=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' "$out")
    bed_check "ping ran ($sent sent)" test "${sent:-0}" -gt $((secs * 5))
    echo "ping-loss across the $what rename: $((${sent:-0} - ${got:-0})) of ${sent:-?} (every 100 ms)"
    ping_split "$out" "$t_rename" "$t_renamed" "$((t_rename + ${took:-0}))"
    bed_check "VF 0 hears $dst again within 3 s of the re-pointing (${resumed_ms} ms)" \
        test "$resumed_ms" -ge 0 -a "$resumed_ms" -le 3000
    # 3.7 s at most with the bed's host at load 17.
    bed_check_eq "no ping to $dst lost later than 5 s after the re-pointing" 0 "${late_lost:--1}"
    # ovs-vswitchd 3.1 cannot take a netdev renamed while it is a port by
    # itself: the kernel datapath keeps the vport filed under the old
    # name, and the new Interface would be refused (EEXIST). The agent
    # deletes that vport (ovs_vport generic netlink) right after the
    # re-pointing transaction, and ovs-vswitchd adds the netdev anew.
    err=$(ovs-vsctl --if-exists get Interface "$new" error | tr -d '"')
    bed_check_eq "ovs-vswitchd took the Interface $new (no error)" "[]" "${err:-[]}"
    ofport=$(ovs-vsctl --if-exists get Interface "$new" ofport)
    bed_check "ovs-vswitchd gave $new an OpenFlow port ($ofport)" test "${ofport:--1}" -gt 0
    bed_check "the datapath has $new as a port (${dp_before} before, $(dp_port_of "$new") now)" \
        test -n "$(dp_port_of "$new")"
    bed_check "VF 0 pings $dst through OVS after the rename" e2e_ping vf0 "$dst"
    bed_check "the agent's plan is empty after the rename (nothing repeats)" \
        bed_wait_for 30 plan_empty
}

# Nothing left to do for the agent: no step repeats (its plan is empty).
plan_empty() {
    [ "$(e2e_agentctl plan --json 2>/dev/null | jq '.steps | length')" = 0 ]
}

# released: how many times the daemon's re-pointing released an orphaned
# datapath port.
released() {
    grep -c 'rename-port.*1 datapath port of a renamed netdev released for ovs-vswitchd to add under its new name' "$log"
}

renamed_with_traffic representor "$rep1" vfrep1 "$dl/vf1" 10.9.0.2 25
bed_check "daemon still running" kill -0 "$daemon_pid"
bed_check_eq "the re-pointing step released the orphaned datapath port" 1 "$(released)"

echo "== (d) the uplink renamed while attached (no eswitch change), with traffic"
# The same rename on the uplink (an operator, a udev rule run late), the
# eswitch left alone: its port, key <PF>/uplink, is re-pointed the same
# way. The far end: a netns behind the uplink, glued to it as the VFs are
# to their representors.
bed_check "qos linux-noop on the uplink $pf (the wire glue's qdisc stays)" e2e_qos_noop "$pf"
bed_check "a host on the wire behind the uplink $pf" \
    bed_vf_attach wire "$pf" 10.9.0.9/24 02:00:00:00:02:00
bed_check "VF 0 pings the wire through the uplink before the rename" e2e_ping vf0 10.9.0.9
renamed_with_traffic uplink "$pf" oa-uplink0 "$dl/uplink" 10.9.0.9 18
bed_check "daemon still running" kill -0 "$daemon_pid"
bed_check_eq "the uplink's re-pointing released its orphaned datapath port too" 2 "$(released)"
e2e_status
bed_check_eq "status exit 0 (converged)" 0 "$E2E_STATUS_RC"

grep -E 'rename-port' "$log" | sed 's/^<[0-9]>/   daemon: /'
if [ "$bed_failures" != 0 ] || [ "${VERBOSE:-0}" != 0 ]; then
    echo "--- offload-agent log (last 60 lines)"
    tail -60 "$log"
    for out in "$work"/ping-*.out; do
        echo "--- $out"
        grep -v 'bytes from' "$out" | tail -20
    done
    echo "--- ovs-vswitchd log (last 40 lines; the last rename began at $(date -u -d "@$((t_rename / 1000))" +%T).$((t_rename % 1000)))"
    bed_ovs_log | tail -40
    echo "--- OVSDB log (last 60 lines)"
    tail -60 "$work/dblog"
fi
bed_summary
