# Helpers shared by the agent's end-to-end bed tests and the demo
# (sourced after tests/bed/lib.sh, inside the guest). Bash.
#
# The checks here look at the host with the standard tools (devlink, ip,
# ethtool, ovs-vsctl, jq) and never with the agent's code: they are the
# independent judge of what `agentctl apply` and `offload-agent` did.
# Specs are the agent's input, written here from a compact description.
# shellcheck shell=bash

# e2e_agentctl ARGS...: $AGENTCTL with --spec $E2E_SPEC, --socket
# $E2E_SOCKET and --state-dir $E2E_STATE_DIR when those are set.
e2e_agentctl() {
    "$AGENTCTL" ${E2E_SPEC:+--spec "$E2E_SPEC"} \
        ${E2E_SOCKET:+--socket "$E2E_SOCKET"} \
        ${E2E_STATE_DIR:+--state-dir "$E2E_STATE_DIR"} "$@"
}

# e2e_ms: milliseconds on a monotonic-enough clock, without an exec
# (every process start costs 50-100 ms under TCG).
e2e_ms() {
    local t=${EPOCHREALTIME/./}
    printf '%s\n' $((t / 1000))
}

# e2e_write_spec FILE DEVLINK BRIDGE NUM_VFS [VF...]: writes a host spec
# for one PF. VF is INDEX=MAC or INDEX=MAC/detached (attach false) or
# INDEX=/detached (no MAC). The file is written to FILE.tmp and renamed
# over FILE, the way editors and config management replace files (the
# daemon must follow the rename). max_idle_ms 60000 keeps the datapath
# flows (and their tc rules) while the checks read them.
e2e_write_spec() {
    local file=$1 devlink=$2 bridge=$3 num_vfs=$4 vf index rest mac attach
    local vfs='' sep=''
    shift 4
    for vf in "$@"; do
        index=${vf%%=*} rest=${vf#*=} attach=true
        case "$rest" in
            */detached) attach=false rest=${rest%/detached} ;;
        esac
        mac=''
        [ -z "$rest" ] || mac=$(printf ', "mac": "%s"' "$rest")
        vfs+=$(printf '%s\n        { "index": %s%s, "attach": %s }' \
            "$sep" "$index" "$mac" "$attach")
        sep=,
    done
    cat >"$file.tmp" <<EOF || return
{
  "version": 1,
  "ovs": { "hw_offload": true, "tc_policy": "none", "max_idle_ms": 60000 },
  "bridges": [ { "name": "$bridge" } ],
  "pfs": [
    {
      "devlink": "$devlink",
      "eswitch": "switchdev",
      "num_vfs": $num_vfs,
      "bridge": "$bridge",
      "vfs": [$vfs
      ]
    }
  ]
}
EOF
    mv -f "$file.tmp" "$file"
}

# e2e_ovs_ports BRIDGE: the bridge's ports, one a line, sorted.
e2e_ovs_ports() {
    ovs-vsctl list-ports "$1" | sort
}

# e2e_iface_ok NAME: the OVS interface NAME has an ofport > 0 and no error.
e2e_iface_ok() {
    local ofport err
    ofport=$(ovs-vsctl get interface "$1" ofport) || return
    err=$(ovs-vsctl get interface "$1" error) || return
    if [ "${ofport:-0}" -le 0 ] || [ "$err" != '[]' ]; then
        bed_log "interface $1: ofport $ofport, error $err"
        return 1
    fi
}

# e2e_hw_tc NETDEV: prints on/off (hw-tc-offload as ethtool shows it).
e2e_hw_tc() {
    ethtool -k "$1" | sed -n 's/^hw-tc-offload: \([a-z]*\).*/\1/p'
}

# e2e_link_up NETDEV: NETDEV is admin up (IFF_UP in ip -j link's flags).
e2e_link_up() {
    [ "$(ip -j link show dev "$1" | jq -r '.[0].flags | index("UP") != null')" = true ]
}

# e2e_host_ok SPEC [FOREIGN_PORT...]: the host matches SPEC (one PF, its
# devlink handle netdevsim/netdevsimN), judged with the standard tools:
# eswitch, VF count, MACs, representors found by identity, the bridge's
# ports exactly the uplink + attached representors (+ the FOREIGN_PORTs
# the test added itself), every one with an ofport and no error,
# hw-tc-offload on, the uplink and every representor up (the agent sets
# them up: nothing else does), detached representors in no bridge, hw-offload and
# max-idle in OVSDB. Says on stderr what differs; returns 1 if anything.
e2e_host_ok() {
    local spec=$1 dl bridge num_vfs id pf want got bad=0 i rep mac attach
    shift
    dl=$(jq -r '.pfs[0].devlink' "$spec") &&
        bridge=$(jq -r '.pfs[0].bridge' "$spec") &&
        num_vfs=$(jq -r '.pfs[0].num_vfs' "$spec") || return
    id=${dl#netdevsim/netdevsim}

    got=$(bed_eswitch "$dl")
    [ "$got" = switchdev ] || { bed_log "eswitch $got, not switchdev"; bad=1; }
    got=$(cat "$(bed_nsim_sysfs "$id")/sriov_numvfs")
    [ "$got" = "$num_vfs" ] || { bed_log "sriov_numvfs $got, not $num_vfs"; bad=1; }
    pf=$(bed_pf_netdev "$dl") || return 1

    local vfinfo ports=("$pf") detached=()
    vfinfo=$(ip -j link show dev "$pf") || return
    for ((i = 0; i < num_vfs; i++)); do
        rep=$(bed_rep_netdev "$dl" "$i") || { bad=1; continue; }
        mac=$(jq -r --argjson i "$i" \
            '.pfs[0].vfs[] | select(.index == $i) | .mac // empty' "$spec")
        attach=$(jq -r --argjson i "$i" \
            'first((.pfs[0].vfs[] | select(.index == $i) | .attach
                   | select(. != null)), true)' "$spec")
        if [ -n "$mac" ]; then
            got=$(printf '%s\n' "$vfinfo" | jq -r --argjson i "$i" \
                '.[0].vfinfo_list[] | select(.vf == $i) | .address')
            [ "$got" = "$mac" ] || { bed_log "vf $i mac '$got', not $mac"; bad=1; }
        fi
        got=$(e2e_hw_tc "$rep")
        [ "$got" = on ] || { bed_log "hw-tc-offload $got on $rep (vf $i)"; bad=1; }
        e2e_link_up "$rep" || { bed_log "representor $rep (vf $i) is down"; bad=1; }
        if [ "$attach" = true ]; then
            ports+=("$rep")
        else
            detached+=("$rep")
        fi
    done
    got=$(e2e_hw_tc "$pf")
    [ "$got" = on ] || { bed_log "hw-tc-offload $got on uplink $pf"; bad=1; }
    e2e_link_up "$pf" || { bed_log "uplink $pf is down"; bad=1; }

    want=$(printf '%s\n' "${ports[@]}" "$@" | sort)
    got=$(e2e_ovs_ports "$bridge" 2>&1)
    if [ "$got" != "$want" ]; then
        bed_log "ports of $bridge:" "$got" "expected:" "$want"
        bad=1
    fi
    for rep in "${ports[@]}"; do
        e2e_iface_ok "$rep" || bad=1
    done
    for rep in "${detached[@]}"; do
        if got=$(ovs-vsctl port-to-br "$rep" 2>/dev/null); then
            bed_log "detached representor $rep is a port of $got"
            bad=1
        fi
    done
    got=$(ovs-vsctl get Open_vSwitch . other_config:hw-offload 2>&1)
    [ "$got" = '"true"' ] || { bed_log "other_config:hw-offload $got"; bad=1; }
    got=$(ovs-vsctl get Open_vSwitch . other_config:max-idle 2>&1)
    [ "$got" = '"60000"' ] || { bed_log "other_config:max-idle $got"; bad=1; }
    return "$bad"
}

# e2e_status_matches SPEC: `agentctl status --json` exits 0 and says
# what SPEC asks for (VF count, MACs, which representors are in the
# bridge): one exec, cheap enough to time convergence by. The agent's
# own word: e2e_host_ok is the independent check.
e2e_status_matches() {
    e2e_status
    [ "$E2E_STATUS_RC" = 0 ] || return 1
    printf '%s\n' "$E2E_ST" | jq -e --slurpfile s "$1" '
        $s[0].pfs[0] as $p
        | .converged == true and (.pfs | length) == 1
          and .pfs[0].num_vfs == $p.num_vfs
          and ((.pfs[0].vfs // []) | length) == $p.num_vfs
          and .pfs[0].uplink.bridge == $p.bridge
          and all(.pfs[0].vfs[]; . as $o
                | first(($p.vfs[] | select(.index == $o.index)), {}) as $v
                | ($v.mac == null or $v.mac == $o.mac)
                  and (if $v.attach == false then $o.bridge != $p.bridge
                       else $o.bridge == $p.bridge end))' >/dev/null
}

# e2e_converge_wait DESC SECONDS SPEC [FOREIGN_PORT...]: polls until
# `agentctl status` says SPEC is converged (e2e_status_matches) and sets
# E2E_TOOK to the time since E2E_T0 (ms, set by the caller when it made
# the change), then checks the host independently (e2e_host_ok, polled
# until the same deadline). PASSes DESC with E2E_TOOK; at the deadline
# FAILs with what differs and the status output.
e2e_converge_wait() {
    local desc=$1 deadline=$((SECONDS + $2)) spec=$3
    shift 3
    E2E_TOOK=
    while :; do
        if [ -z "$E2E_TOOK" ] && e2e_status_matches "$spec"; then
            E2E_TOOK=$(($(e2e_ms) - E2E_T0))
        fi
        if [ -n "$E2E_TOOK" ] && e2e_host_ok "$spec" "$@" 2>/dev/null; then
            bed_pass "$desc (status converged after ${E2E_TOOK} ms, host checked)"
            return 0
        fi
        [ "$SECONDS" -lt "$deadline" ] || break
        sleep 0.1
    done
    bed_fail "$desc (${E2E_TOOK:+status converged after $E2E_TOOK ms but }host not as specified after $(($(e2e_ms) - E2E_T0)) ms)"
    e2e_host_ok "$spec" "$@" 2>&1 | sed 's/^/    host: /'
    e2e_agentctl status 2>&1 | sed 's/^/    status: /'
    return 1
}

# e2e_status: runs `agentctl status --json`; its output in E2E_ST, its
# exit code in E2E_STATUS_RC (no subshell: both stay in the caller).
e2e_status() {
    E2E_STATUS_RC=0
    E2E_ST=$(e2e_agentctl status --json 2>"${TMPDIR:-/tmp}/e2e-status.err") ||
        E2E_STATUS_RC=$?
}

# e2e_qos_noop PORT: keeps OVS's hands off PORT's root qdisc (the emulated
# VF's glue, bed_vf_attach, puts a prio qdisc there).
e2e_qos_noop() {
    ovs-vsctl -- set port "$1" qos=@q -- --id=@q create qos type=linux-noop
}

# e2e_ping NS ADDR: a few pings from namespace NS, waiting up to 20 s for
# the replies (the first packets wait for upcalls and ARP under TCG).
e2e_ping() {
    ip netns exec "$1" ping -q -c 3 -i 0.3 -w 20 "$2"
}

# e2e_tc_settle NETDEV...: waits (at most 10 s) until the tc rule counts
# on NETDEVs stay the same for 1 s. OVS installs datapath flows after the
# packets that miss them, so a count taken right after a ping races it,
# and status and tc, read a moment apart, could disagree.
e2e_tc_settle() {
    local prev='' cur dev deadline=$((SECONDS + 10))
    while [ "$SECONDS" -lt "$deadline" ]; do
        cur=''
        for dev in "$@"; do
            cur+="$(bed_tc_count "$dev" all) "
        done
        [ "$cur" = "$prev" ] && return 0
        prev=$cur
        sleep 1
    done
    return 1
}

# e2e_status_still NETDEV...: e2e_status, taken while tc's rule counts on
# NETDEVs did not change (read before and after; retried up to 10 times):
# the datapath adds and expires flows on its own, and a status compared
# with tc read a moment later could differ for that reason alone. The
# counts are left in E2E_TC_ALL[NETDEV] and E2E_TC_NOT[NETDEV].
declare -A E2E_TC_ALL E2E_TC_NOT
e2e_status_still() {
    local try dev before after
    for try in 1 2 3 4 5 6 7 8 9 10; do
        before='' after=''
        for dev in "$@"; do
            before+="$(bed_tc_count "$dev" all)/$(bed_tc_count "$dev" not_in_hw) "
        done
        e2e_status
        for dev in "$@"; do
            E2E_TC_ALL[$dev]=$(bed_tc_count "$dev" all)
            E2E_TC_NOT[$dev]=$(bed_tc_count "$dev" not_in_hw)
            after+="${E2E_TC_ALL[$dev]}/${E2E_TC_NOT[$dev]} "
        done
        [ "$before" = "$after" ] && return 0
        sleep 1
    done
    return 1
}
