#!/bin/bash
# Boot-time test of packaging/offload-agent.service: the kernel test bed
# booted with systemd as PID 1 (OA_BED_SYSTEMD=1, tests/bed/guest-systemd),
# the project's unit and tmpfiles snippet installed as shipped (the build's
# offload-agent as /usr/sbin/offload-agent and the bed spec as
# /etc/offload-agent/host.json, in the guest's overlay), enabled with
# ovsdb-server and ovs-vswitchd (Debian's units), netdevsim1 created by a
# unit ordered before the agent (the guest has no udev).
#   bed-systemd.sh setup OFFLOAD_AGENT   OA_BED_SYSTEMD_SETUP: before systemd
#   bed-systemd.sh check AGENTCTL        the test command, after multi-user
# Checks, after the boot: the agent is active, and became active only after
# READY=1 (Type=notify: later than its first reconcile); StatusText= is the
# one-line "converged" summary; boot order held (agent started after
# ovsdb-server was active, ovs-vswitchd started after the agent was
# active); agentctl status exits 0 with the representors attached;
# ovs-vswitchd enabled the flow API at its first and only start (hw-offload
# was in the database before it started: no restart); the hardening broke
# nothing (only CAP_NET_ADMIN and CAP_SYS_PTRACE, no EPERM/denied in the journal);
# the journal's message IDs and fields (journal_checks); systemctl
# reload (SIGHUP) reconciles and the daemon stays; systemctl stop removes
# the control socket. Prints the boot-to-converged time.
#
# ovs-vswitchd starts here in the first 10 s of uptime or close to it: OVS
# 3.1 then runs with 0 upcall handlers (tests/bed/lib.sh, bed_wait_uptime)
# and loses every upcall. That only matters for traffic, which this test
# does not send; the unit's ordering, not the datapath, is under test.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
spec=$top/packaging/examples/bed-netdevsim.json
socket=/run/offload-agent/agentctl.sock
units=/etc/systemd/system

setup() {
    local agent=$1 u
    # Installed where the unit expects them, in the guest's own overlay
    # (the host is untouched): the shipped unit runs unchanged. The build
    # tree may be under /tmp or /home, which the unit's PrivateTmp= and
    # ProtectHome= hide from the daemon, as they would on a host.
    install -D -m 0755 "$agent" /usr/sbin/offload-agent || return
    install -D -m 0644 "$spec" /etc/offload-agent/host.json || return
    cp "$top/packaging/offload-agent.service" "$units/" || return
    cp "$top/packaging/offload-agent.tmpfiles" /etc/tmpfiles.d/offload-agent.conf || return
    install -D -m 0644 "$top/packaging/offload-agent.catalog" \
        /usr/lib/systemd/catalog/offload-agent.catalog || return
    journalctl --update-catalog || return
    # No udev in the guest: the NIC comes from a unit, early, as a NIC
    # driver's probe would make it.
    cat >"$units/oa-bed-netdevsim.service" <<'EOF' || return
[Unit]
Description=oa-bed: netdevsim1 with 1 port (the NIC of the bed spec)
DefaultDependencies=no
Before=offload-agent.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/sbin/modprobe openvswitch
# The mlx5 personality (docs/testbed.md), as bed_nsim_mlx5_on sets it.
ExecStart=/sbin/modprobe netdevsim mlx5_legacy_vf_ndos=1 mlx5_port_fn_hw_addr=1 mlx5_vf_reset=1 mlx5_esw_busy=1 mlx5_steering_param=1 mlx5_vf_delay_ms=200
ExecStart=/bin/sh -c 'echo "1 1" >/sys/bus/netdevsim/new_device'
EOF
    # multi-user.target is not ordered after units with
    # DefaultDependencies=no (the OVS units, the agent): the test waits
    # for them itself.
    mkdir -p "$units/oa-bed-test.service.d" || return
    printf '[Unit]\nAfter=ovsdb-server.service offload-agent.service ovs-vswitchd.service\n' \
        >"$units/oa-bed-test.service.d/order.conf" || return
    mkdir -p "$units/multi-user.target.wants" || return
    for u in oa-bed-netdevsim.service offload-agent.service \
        ovsdb-server.service ovs-vswitchd.service; do
        ln -sfn "../$u" "$units/multi-user.target.wants/$u" || return
    done
}

# ------------------------------------------------------------------ check --

# shellcheck source=tests/bed/lib.sh
[ "${1:-}" = setup ] || . "${OA_BED_LIB:-$here/../bed/lib.sh}"

# show UNIT PROP...: loads the properties into the associative array P
# as P[UNIT.PROP] (one systemctl per unit: every exec is slow under TCG).
declare -A P
show() {
    local unit=$1 line props
    shift
    props=$(
        IFS=,
        echo "$*"
    )
    while IFS= read -r line; do
        P[$unit.${line%%=*}]=${line#*=}
    done < <(systemctl show -p "$props" "$unit")
}
# Monotonic microseconds as seconds with 3 decimals.
secs() {
    printf '%d.%03d' $(($1 / 1000000)) $(($1 / 1000 % 1000))
}
# after DESC EARLIER LATER: PASS when the timestamp LATER >= EARLIER > 0.
after() {
    if [ "${2:-0}" -gt 0 ] && [ "${3:-0}" -ge "$2" ]; then
        bed_pass "$1 ($(secs "$2") s <= $(secs "$3") s)"
    else
        bed_fail "$1 (${2:-?} / ${3:-?} us)"
    fi
}
journal() {
    journalctl -b -u offload-agent -o short-monotonic --no-pager -q
}
statustext_converged() {
    show offload-agent.service StatusText
    [[ ${P[offload-agent.service.StatusText]} == converged:* ]]
}
# attached: every VF of the spec has a representor on bridge ovs-sriov,
# says agentctl status --json, and ovs-vsctl agrees.
attached() {
    local json n reps rep
    json=$("$agentctl" status --json) || return
    n=$(jq '.pfs[0].vfs | length' <<<"$json")
    [ "$n" = 2 ] || { echo "agentctl: $n VFs"; return 1; }
    reps=$(jq -r '.pfs[0].vfs[] | .representor // empty | if type == "object" then .netdev // .name else . end' <<<"$json")
    [ "$(wc -w <<<"$reps")" = 2 ] || { echo "agentctl: representors '$reps'"; return 1; }
    for rep in $reps; do
        [ "$(ovs-vsctl port-to-br "$rep")" = ovs-sriov ] || {
            echo "$rep is not a port of ovs-sriov"
            return 1
        }
    done
    for vf in 0 1; do
        rep=$(bed_rep_netdev netdevsim/netdevsim1 "$vf") || return
        grep -qx "$rep" <<<"$reps" || { echo "VF $vf's representor $rep not in agentctl's list"; return 1; }
    done
}

# mid NAME: the message ID AGENTD_MID_NAME of agent/agentd.h.
mid() {
    sed -nE "s/^#define AGENTD_MID_$1 +\"([0-9a-f]{32})\"\$/\1/p" "$top/agent/agentd.h"
}
# logged MATCH...: the agent's journal this boot has an entry matching.
logged() {
    [ -n "$(journalctl -b -u offload-agent -q -o cat "$@")" ]
}
# logged_more N MATCH...: more than N such entries.
n_logged() { journalctl -b -u offload-agent -q -o cat "$@" | grep -c .; }
logged_more() {
    local n=$1
    shift
    [ "$(n_logged "$@")" -gt "$n" ]
}
# The journal's structured side (agent/agentd.h): message IDs found by
# journalctl MESSAGE_ID=, explained by the catalog (journalctl -x), step
# lines carrying OFFLOAD_AGENT_PF/_VF/_STEP; a drift and an invalid spec
# make theirs, so do tc rules not in hardware (journal_not_in_hw_checks)
# and a reconcile that fails (journal_failed_checks).
# Ends with the bed spec back
# and converged.
journal_checks() {
    local spec_file=/etc/offload-agent/host.json rep
    bed_check "journal: MESSAGE_ID converged" logged "MESSAGE_ID=$(mid CONVERGED)"
    bed_check "journal -x: the catalog explains it" bash -c \
        "journalctl -b -x -q -u offload-agent MESSAGE_ID=$(mid CONVERGED) | grep -q 'offload-agent converged the host'"
    bed_check "journal: set-vf of VF 1 with OFFLOAD_AGENT_PF, _VF, _STEP" \
        logged OFFLOAD_AGENT_STEP=set-vf OFFLOAD_AGENT_VF=1 \
        OFFLOAD_AGENT_PF=netdevsim/netdevsim1
    rep=$(bed_rep_netdev netdevsim/netdevsim1 1)
    bed_check "ip link set $rep down (drift)" ip link set "$rep" down
    bed_check "journal: MESSAGE_ID drift repaired" \
        bed_wait_for 60 logged "MESSAGE_ID=$(mid DRIFT_REPAIRED)"
    cp "$spec_file" "$spec_file.good"
    printf '{"version": 1, "pfs": 3}\n' >"$spec_file.tmp"
    mv "$spec_file.tmp" "$spec_file"
    bed_check "journal: MESSAGE_ID spec rejected" \
        bed_wait_for 30 logged "MESSAGE_ID=$(mid SPEC_REJECTED)"
    mv "$spec_file.good" "$spec_file"
    bed_check "valid spec again: converged" bed_wait_for 60 statustext_converged
    journal_not_in_hw_checks "$spec_file"
    journal_failed_checks "$spec_file"
}

# spec_write FILE JQ: the bed spec through the jq filter JQ, installed as
# FILE by rename (as an editor or a config manager writes it).
spec_write() {
    jq "$2" "$spec" >"$1.tmp" && mv "$1.tmp" "$1"
}
# "Offload not in hardware", made for real: VF 1's representor leaves
# OVS (attach false), then carries two tc rules of someone else's: one
# in hardware, one skip_hw (not in hardware: the entry comes from the
# next look). Then the rules removed and the bed spec back, converged.
journal_not_in_hw_checks() {
    local spec_file=$1 rep1 n_hw
    rep1=$(bed_rep_netdev netdevsim/netdevsim1 1)
    spec_write "$spec_file" '.pfs[0].vfs[1].attach = false'
    bed_check "VF 1 not attached: $rep1 out of OVS" \
        bed_wait_for 60 bash -c "! ovs-vsctl port-to-br '$rep1'"
    bed_check "converged" bed_wait_for 60 statustext_converged
    # OVS leaves the ingress qdisc of a port it let go (tc refuses a
    # second: "Exclusivity flag on").
    bed_check "tc rules on $rep1: one in hardware, one skip_hw" bash -c "
        { tc qdisc show dev '$rep1' ingress | grep -q ingress ||
          tc qdisc add dev '$rep1' ingress; } &&
        tc filter add dev '$rep1' ingress pref 1 protocol ip flower skip_sw dst_ip 192.0.2.1 action drop &&
        tc filter add dev '$rep1' ingress pref 2 protocol ip flower skip_hw dst_ip 192.0.2.2 action drop"
    n_hw=$(n_logged "MESSAGE_ID=$(mid NOT_IN_HW)" OFFLOAD_AGENT_VF=1)
    # tc rules change without an event: a reconcile looks afresh (a status
    # refreshes only an observation older than AGENTD_SERVE_REFRESH_MS, so
    # right after the converge it did not: CI failed on that).
    "$agentctl" reconcile >/dev/null 2>&1
    bed_check "journal: MESSAGE_ID offload not in hardware, VF 1" \
        bed_wait_for 30 logged_more "$n_hw" "MESSAGE_ID=$(mid NOT_IN_HW)" OFFLOAD_AGENT_VF=1
    bed_check "journal -x: the catalog explains it" bash -c \
        "journalctl -b -x -q -u offload-agent MESSAGE_ID=$(mid NOT_IN_HW) | grep -q 'are not in hardware'"
    bed_check "their rules removed" tc qdisc del dev "$rep1" ingress
    spec_write "$spec_file" .
    bed_check "bed spec back: $rep1 in ovs-sriov again" \
        bed_wait_for 60 bash -c "[ \"\$(ovs-vsctl port-to-br '$rep1')\" = ovs-sriov ]"
    bed_check "bed spec back: converged" bed_wait_for 60 statustext_converged
}

# "Reconcile failed", made for real: ovs-vswitchd stopped (SIGSTOP) while
# a spec change needs it (VF 1's port removed): the agent's OVS step gives
# up waiting for vswitchd to apply it. Then vswitchd goes on and the bed
# spec comes back, converged.
journal_failed_checks() {
    local spec_file=$1 vs_pid n
    vs_pid=$(systemctl show -p MainPID --value ovs-vswitchd.service)
    n=$(n_logged "MESSAGE_ID=$(mid FAILED)")
    kill -STOP "$vs_pid"
    spec_write "$spec_file" '.pfs[0].vfs[1].attach = false'
    bed_check "journal: MESSAGE_ID reconcile failed (ovs-vswitchd stopped)" \
        bed_wait_for 90 logged_more "$n" "MESSAGE_ID=$(mid FAILED)"
    kill -CONT "$vs_pid"
    bed_check "journal -x: the catalog explains it" bash -c \
        "journalctl -b -x -q -u offload-agent MESSAGE_ID=$(mid FAILED) | grep -q 'The daemon retries after'"
    spec_write "$spec_file" .
    bed_check "ovs-vswitchd going again, bed spec back: converged" \
        bed_wait_for 90 statustext_converged
}

check() {
    agentctl=$1
    local a=offload-agent.service db=ovsdb-server.service vs=ovs-vswitchd.service
    local log=${TMPDIR:-/tmp}/bed-systemd.journal first_ms conv_us ready_us line pid n rc

    # The boot's jobs all done (this unit is active as soon as it runs).
    bed_check_eq "boot finished, no unit failed" running \
        "$(timeout 120 systemctl is-system-running --wait)" ||
        systemctl list-units --failed --no-legend --plain | sed 's/^/    /'
    show "$a" ActiveState Type ActiveEnterTimestampMonotonic \
        ExecMainStartTimestampMonotonic InactiveExitTimestampMonotonic MainPID NRestarts
    show "$db" ActiveState ActiveEnterTimestampMonotonic InactiveExitTimestampMonotonic
    show "$vs" ActiveState InactiveExitTimestampMonotonic NRestarts MainPID
    show multi-user.target ActiveEnterTimestampMonotonic
    bed_check_eq "offload-agent.service active after boot" active "${P[$a.ActiveState]}"
    bed_check_eq "offload-agent.service Type" notify "${P[$a.Type]}"
    bed_check_eq "ovsdb-server.service active" active "${P[$db.ActiveState]}"
    bed_check_eq "ovs-vswitchd.service active" active "${P[$vs.ActiveState]}"
    journal >"$log"

    # Type=notify: active only once READY=1 came, which the daemon sends
    # after its first reconcile. With Type=simple ActiveEnter would equal
    # ExecMainStart; here it is at least the first reconcile's own
    # duration later (the daemon logs it).
    first_ms=$(sed -nE 's/.*reconcile \([^)]*\): (converged|blocked) (in|after) ([0-9]+) ms.*/\3/p' "$log" | head -1)
    if [ -n "$first_ms" ] &&
        [ $((P[$a.ActiveEnterTimestampMonotonic] - P[$a.ExecMainStartTimestampMonotonic])) -ge $((first_ms * 1000)) ]; then
        bed_pass "active $(($((P[$a.ActiveEnterTimestampMonotonic] - P[$a.ExecMainStartTimestampMonotonic])) / 1000)) ms after exec, after the first reconcile (${first_ms} ms)"
    else
        bed_fail "active too early or no first reconcile: exec ${P[$a.ExecMainStartTimestampMonotonic]} active ${P[$a.ActiveEnterTimestampMonotonic]} us, first reconcile '${first_ms}' ms"
    fi
    bed_check "READY=1 logged (\"ready: ...\")" grep -q ': ready: ' "$log"

    bed_check "StatusText= says converged" bed_wait_for 60 statustext_converged
    line=${P[$a.StatusText]}
    bed_check_eq "StatusText= is one line" 1 "$(printf '%s\n' "$line" | wc -l)"
    echo "    StatusText=$line"

    after "boot order: ovsdb-server active before offload-agent starts" \
        "${P[$db.ActiveEnterTimestampMonotonic]}" "${P[$a.InactiveExitTimestampMonotonic]}"
    after "boot order: offload-agent active before ovs-vswitchd starts" \
        "${P[$a.ActiveEnterTimestampMonotonic]}" "${P[$vs.InactiveExitTimestampMonotonic]}"

    rc=0
    "$agentctl" status >"${TMPDIR:-/tmp}/bed-systemd.status" 2>&1 || rc=$?
    bed_check_eq "agentctl status exit" 0 "$rc"
    [ "$rc" = 0 ] || sed 's/^/    /' "${TMPDIR:-/tmp}/bed-systemd.status"
    bed_check "agentctl status: both representors attached to ovs-sriov" bed_wait_for 30 attached ||
        attached

    # vswitchd reads hw-offload once, at start: the agent wrote it before
    # that start, so the flow API is on without any restart.
    bed_check_eq "hw-offload in the database" '"true"' \
        "$(ovs-vsctl get Open_vSwitch . other_config:hw-offload)"
    bed_check "ovs-vswitchd.log: Flow API Enabled" \
        grep -q 'Flow API Enabled' /var/log/openvswitch/ovs-vswitchd.log
    bed_check_eq "ovs-vswitchd started once (log)" 1 \
        "$(grep -c 'ovs-vswitchd (Open vSwitch)' /var/log/openvswitch/ovs-vswitchd.log)"
    bed_check_eq "ovs-vswitchd NRestarts" 0 "${P[$vs.NRestarts]}"
    # What the agent recorded vswitchd latched (read from vswitchd's own
    # start): offload on, from the first and only start.
    bed_check_eq "agent: vswitchd latched hw-offload" '"hw-offload=true,tc-policy=none"' \
        "$(ovs-vsctl get Open_vSwitch . external_ids:offload-agent-latched)"
    bed_check "no vswitchd restart requested by the agent" \
        bash -c "! grep -E 'restart-vswitchd|vswitchd restarted|restart of' '$log'"

    # Hardening: the bounding set is CAP_NET_ADMIN (bit 12) and
    # CAP_SYS_PTRACE (bit 19, reading vfio holders in /proc) alone, and
    # nothing the daemon does was refused.
    pid=${P[$a.MainPID]}
    bed_check_eq "capability bounding set (CAP_NET_ADMIN, CAP_SYS_PTRACE)" 0000000000081000 \
        "$(awk '/^CapBnd:/ { print $2 }' "/proc/$pid/status")"

    # Reload: SIGHUP, a reconcile, the same process still active.
    n=$(grep -c 'reconcile (SIGHUP' "$log")
    bed_check "systemctl reload offload-agent" systemctl reload offload-agent
    bed_check "reload: a SIGHUP reconcile logged" \
        bed_wait_for 30 bash -c "[ \$(journalctl -b -u offload-agent -o cat -q | grep -c 'reconcile (SIGHUP.*): converged') -gt $n ]"
    show "$a" ActiveState MainPID
    bed_check_eq "reload: still active" active "${P[$a.ActiveState]}"
    bed_check_eq "reload: same main PID" "$pid" "${P[$a.MainPID]}"
    bed_check "control socket present" test -S "$socket"

    journal_checks
    journal >"$log"
    bed_check "journal: no EPERM/EACCES/denied lines" \
        bash -c "! grep -iE 'EPERM|EACCES|denied|not permitted' '$log'"

    bed_check "systemctl stop offload-agent" systemctl stop offload-agent
    show "$a" ActiveState Result ExecMainCode ExecMainStatus
    bed_check_eq "stopped: inactive" inactive "${P[$a.ActiveState]}"
    bed_check_eq "stopped: result" success "${P[$a.Result]}"
    bed_check_eq "stopped: exit status" 0 "${P[$a.ExecMainStatus]}"
    bed_check "stopped: control socket removed" test ! -e "$socket"
    # RuntimeDirectoryPreserve=yes: the directory tmpfiles made at boot
    # outlives a stop (agentctl then finds no socket, not no directory).
    bed_check "stopped: ${socket%/*} kept" test -d "${socket%/*}"

    # Boot to converged: kernel start (monotonic 0) to the journal line of
    # the first converged reconcile.
    conv_us=$(journalctl -b -u offload-agent -o json --no-pager -q |
        jq -r 'select(.MESSAGE | test("^reconcile .*: converged")) | .__MONOTONIC_TIMESTAMP' | head -1)
    ready_us=${P[$a.ActiveEnterTimestampMonotonic]}
    if [ -n "$conv_us" ]; then
        bed_pass "boot to converged: $(secs "$conv_us") s (kernel start to the first converged reconcile; agent active at $(secs "$ready_us") s, exec at $(secs "${P[$a.ExecMainStartTimestampMonotonic]}") s, multi-user.target at $(secs "${P[multi-user.target.ActiveEnterTimestampMonotonic]}") s; ovsdb-server (ovs-ctl) from $(secs "${P[$db.InactiveExitTimestampMonotonic]}") s to $(secs "${P[$db.ActiveEnterTimestampMonotonic]}") s)"
    else
        bed_fail "no converged reconcile in the journal"
    fi
    sed 's/^/    journal: /' "$log" | tail -30
    bed_summary
}

case "${1:-}" in
    setup) setup "$2" ;;
    check) check "$2" ;;
    *)
        echo "usage: $0 setup OFFLOAD_AGENT | check AGENTCTL" >&2
        exit 2
        ;;
esac
