#!/bin/bash
# The Debian package in the kernel test bed, booted with systemd as PID 1
# (OA_BED_SYSTEMD=1): installed with dpkg -i into the guest's root (the
# host's / under a tmpfs overlay: the host is untouched), the bed spec
# written to /etc/offload-agent/host.json as an operator would, Debian's
# OVS units enabled, netdevsim1 made by a unit ordered before the agent
# (the guest has no udev). Nothing of the build tree runs: the binaries,
# unit, man pages and completion are the package's.
#   bed-package.sh setup DEB_DIR     OA_BED_SYSTEMD_SETUP: before systemd
#   bed-package.sh check DEB_DIR     the test command, after multi-user
# Checks: the package is installed at debian/changelog's version and
# its programs print it; postinst enabled the unit (systemctl preset),
# systemd-analyze verify finds nothing in it; the host converged at boot
# (StatusText=, agentctl status exit 0 with both representors in
# ovs-sriov); man agentctl renders the installed page; bash completes
# "agentctl st" to "status" through bash-completion's loader; an upgrade
# (dpkg -i again) restarts a running daemon and leaves a stopped one
# stopped; then
# dpkg --purge stops the daemon and removes every file of the package
# and the state directory, the enable link and the control socket's
# directory, keeps /etc/offload-agent/host.json, and leaves the NIC
# (eswitch mode, VFs, representors) and OVS (bridges, ports,
# other_config) as they were.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
spec=$top/packaging/examples/bed-netdevsim.json
units=/etc/systemd/system

setup() {
    local debs deb u
    debs=("$1"/offload-agent_*.deb)
    [ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || {
        echo "no single offload-agent_*.deb in $1 (the package-deb test builds it)" >&2
        return 1
    }
    deb=${debs[0]}
    # man-db's dpkg trigger would rebuild the whole man index (a minute
    # under TCG); man finds the page without it.
    rm -f /var/lib/man-db/auto-update
    # The container image the bed's root comes from has a policy-rc.d
    # that denies every service action (exit 101), which the maintainer
    # scripts obey (deb-systemd-invoke): a host has none.
    rm -f /usr/sbin/policy-rc.d
    dpkg -i "$deb" || return
    install -D -m 0644 "$spec" /etc/offload-agent/host.json || return
    cat >"$units/oa-bed-netdevsim.service" <<'EOF2' || return
[Unit]
Description=oa-bed: netdevsim1 with 1 port (the NIC of the bed spec)
DefaultDependencies=no
Before=offload-agent.service

[Service]
Type=oneshot
RemainAfterExit=yes
ExecStart=/sbin/modprobe openvswitch
ExecStart=/sbin/modprobe netdevsim mlx5_legacy_vf_ndos=1 mlx5_port_fn_hw_addr=1 mlx5_vf_reset=1 mlx5_esw_busy=1 mlx5_steering_param=1
ExecStart=/bin/sh -c 'echo "1 1" >/sys/bus/netdevsim/new_device'
EOF2
    mkdir -p "$units/oa-bed-test.service.d" "$units/multi-user.target.wants" || return
    printf '[Unit]\nAfter=ovsdb-server.service offload-agent.service ovs-vswitchd.service\n' \
        >"$units/oa-bed-test.service.d/order.conf" || return
    # The agent's unit is enabled by the package, not here.
    for u in oa-bed-netdevsim.service ovsdb-server.service ovs-vswitchd.service; do
        ln -sfn "../$u" "$units/multi-user.target.wants/$u" || return
    done
}

# ------------------------------------------------------------------ check --

[ "${1:-}" = setup ] || . "${OA_BED_LIB:-$here/../bed/lib.sh}"

statustext_converged() {
    [[ $(systemctl show -P StatusText offload-agent.service) == converged:* ]]
}
attached() {
    local json reps rep
    json=$(agentctl status --json) || return
    reps=$(jq -r '.pfs[0].vfs[] | .representor // empty | if type == "object" then .netdev // .name else . end' <<<"$json")
    [ "$(wc -w <<<"$reps")" = 2 ] || return
    for rep in $reps; do
        [ "$(ovs-vsctl port-to-br "$rep")" = ovs-sriov ] || return
    done
}
# The host's NIC and OVS state, as text to compare.
snapshot() {
    local dl=netdevsim/netdevsim1
    devlink dev eswitch show "$dl"
    cat /sys/bus/netdevsim/devices/netdevsim1/sriov_numvfs
    devlink port show | sed -n "s|^$dl/[0-9]*: .*netdev \([^ ]*\) flavour \([a-z]*\).*|\2 \1|p" | sort
    ovs-vsctl list-br
    for br in $(ovs-vsctl list-br); do
        echo "$br: $(ovs-vsctl list-ports "$br" | sort | tr '\n' ' ')"
    done
    ovs-vsctl get Open_vSwitch . other_config
}

check() {
    local debs=("$1"/offload-agent_*.deb) deb want pkgfiles f left rc out pid newpid
    deb=${debs[0]}
    want=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)

    bed_check_eq "boot finished, no unit failed" running \
        "$(timeout 120 systemctl is-system-running --wait)" ||
        systemctl list-units --failed --no-legend --plain | sed 's/^/    /'
    bed_check_eq "package installed at the changelog's version" "$want" \
        "$(dpkg-query -W -f='${Version}' offload-agent)"
    bed_check_eq "/usr/sbin/offload-agent --version" "offload-agent $want" "$(/usr/sbin/offload-agent --version)"
    bed_check_eq "/usr/sbin/agentctl --version" "agentctl $want" "$(/usr/sbin/agentctl --version)"
    bed_check_eq "agentctl on PATH is the package's" /usr/sbin/agentctl "$(command -v agentctl)"
    bed_check_eq "unit enabled by the package" enabled "$(systemctl is-enabled offload-agent.service)"
    bed_check_eq "unit file from the package" /lib/systemd/system/offload-agent.service \
        "$(systemctl show -P FragmentPath offload-agent.service)"
    out=$(systemd-analyze verify offload-agent.service 2>&1)
    bed_check_eq "systemd-analyze verify offload-agent.service: nothing to say" "" "$out"

    bed_check_eq "offload-agent.service active" active "$(systemctl is-active offload-agent.service)"
    bed_check "StatusText= says converged" bed_wait_for 60 statustext_converged
    echo "    StatusText=$(systemctl show -P StatusText offload-agent.service)"
    rc=0
    agentctl status >"${TMPDIR:-/tmp}/pkg.status" 2>&1 || rc=$?
    bed_check_eq "agentctl status exit" 0 "$rc"
    sed 's/^/    /' "${TMPDIR:-/tmp}/pkg.status"
    bed_check "agentctl status: both representors in ovs-sriov" bed_wait_for 30 attached
    bed_check_eq "hw-offload in the database" '"true"' \
        "$(ovs-vsctl get Open_vSwitch . other_config:hw-offload)"

    bed_check_eq "man -w agentctl: the package's page" /usr/share/man/man8/agentctl.8.gz "$(man -w agentctl)"
    bed_check "man agentctl renders" \
        bash -c 'MANWIDTH=80 man agentctl 2>/dev/null | grep -q "agentctl - validate, plan, apply"'
    bed_check "man 5 offload-agent.json renders" \
        bash -c 'MANWIDTH=80 man 5 offload-agent.json 2>/dev/null | grep -q "num_vfs (integer, required)"'
    # The installed completion, loaded on demand by bash-completion as an
    # interactive shell loads it (the full table is packaging-completion).
    bed_check_eq "completion: agentctl st<TAB>" status "$("$here/complete.sh" 'agentctl st')"
    bed_check_eq "completion: agentctl --spec /etc/offload-agent/<TAB>" \
        /etc/offload-agent/host.json "$("$here/complete.sh" 'agentctl --spec /etc/offload-agent/')"

    # Upgrade (the same .deb again: postinst configure OLD_VERSION): a
    # running daemon is restarted, a stopped one stays stopped.
    pid=$(systemctl show -P MainPID offload-agent.service)
    bed_check "upgrade while running: dpkg -i" dpkg -i "$deb"
    bed_check_eq "upgrade while running: active" active "$(systemctl is-active offload-agent.service)"
    newpid=$(systemctl show -P MainPID offload-agent.service)
    bed_check "upgrade while running: restarted (main PID $pid -> $newpid)" \
        test "$newpid" != "$pid" -a "$newpid" != 0
    systemctl stop offload-agent.service
    bed_check "upgrade while stopped: dpkg -i" dpkg -i "$deb"
    bed_check_eq "upgrade while stopped: not started" inactive "$(systemctl is-active offload-agent.service)"
    bed_check_eq "upgrade: still enabled" enabled "$(systemctl is-enabled offload-agent.service)"
    bed_check "started again for the purge" systemctl start offload-agent.service
    bed_check "converged again" bed_wait_for 60 statustext_converged

    # Purge: the package goes, the host stays as the agent left it.
    snapshot >"${TMPDIR:-/tmp}/pkg.before" 2>&1
    pkgfiles=$(dpkg -L offload-agent | while read -r f; do [ -d "$f" ] || echo "$f"; done)
    bed_check "package has files to remove" test -n "$pkgfiles"
    bed_check "dpkg --purge offload-agent" dpkg --purge offload-agent
    bed_check_eq "dpkg: not installed" "" "$(dpkg-query -W -f='${db:Status-Status}' offload-agent 2>/dev/null)"
    bed_check "daemon stopped" bash -c '! pgrep -x offload-agent'
    bed_check_eq "unit gone" not-found "$(systemctl show -P LoadState offload-agent.service)"
    left=
    for f in $pkgfiles; do
        [ -e "$f" ] || [ -L "$f" ] && left="$left $f"
    done
    bed_check_eq "every file of the package removed" "" "$left"
    bed_check "state directory removed" test ! -e /var/lib/offload-agent
    bed_check "control socket directory removed" test ! -e /run/offload-agent
    bed_check "enable link removed" test ! -L "$units/multi-user.target.wants/offload-agent.service"
    bed_check "user's spec kept" cmp -s "$spec" /etc/offload-agent/host.json
    snapshot >"${TMPDIR:-/tmp}/pkg.after" 2>&1
    bed_check "NIC and OVS state unchanged by the purge" \
        diff -u "${TMPDIR:-/tmp}/pkg.before" "${TMPDIR:-/tmp}/pkg.after"
    bed_check "state before the purge was the spec's (2 VFs, switchdev)" \
        bash -c "grep -q 'mode switchdev' '${TMPDIR:-/tmp}/pkg.before' && grep -qx 2 '${TMPDIR:-/tmp}/pkg.before'"
    sed 's/^/    host: /' "${TMPDIR:-/tmp}/pkg.after"
    bed_summary
}

case "${1:-}" in
    setup) setup "$2" ;;
    check) check "$2" ;;
    *)
        echo "usage: $0 setup DEB_DIR | check DEB_DIR" >&2
        exit 2
        ;;
esac
