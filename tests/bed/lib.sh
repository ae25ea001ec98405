# Shell helpers for tests that run inside the kernel test bed (sourced:
# `. "$OA_BED_LIB"`, which tests/bed/run sets in the guest). Bash.
#
# netdevsim devices, representors found by identity (devlink port flavour
# and vfnum, phys_switch_id + phys_port_name; never by name: the guest has
# no udev and netdevs keep kernel names), Open vSwitch with a kernel datapath,
# emulated VFs (a namespace per VF behind veth + mirred, so traffic crosses
# the representors and the OVS bridge), tc in_hw/not_in_hw counts, and
# PASS/FAIL bookkeeping. Functions return non-zero on failure and print
# what went wrong on stderr; they never exit the caller.
# shellcheck shell=bash

# ---------------------------------------------------------------- checks --

bed_failures=0
bed_checks=0

bed_log() {
    printf '%s\n' "$*" >&2
}

# bed_pass MSG / bed_fail MSG: record one check's outcome.
bed_pass() {
    bed_checks=$((bed_checks + 1))
    printf 'PASS: %s\n' "$*"
}

bed_fail() {
    bed_checks=$((bed_checks + 1))
    bed_failures=$((bed_failures + 1))
    printf 'FAIL: %s\n' "$*"
}

# bed_check DESC CMD...: PASS when CMD succeeds; on failure its output is
# shown under the FAIL line. CMD runs in the current shell (its variable
# assignments and exports stay). Returns CMD's status.
bed_check() {
    # Every exec costs ~50-100 ms under TCG: no mktemp/rm per check.
    local desc=$1 out=${TMPDIR:-/tmp}/bed-check.$$ status=0 line
    shift
    "$@" >"$out" 2>&1 || status=$?
    if [ "$status" = 0 ]; then
        bed_pass "$desc"
    else
        bed_fail "$desc"
        while IFS= read -r line; do
            printf '    %s\n' "$line"
        done <"$out"
    fi
    return "$status"
}

# bed_check_eq DESC EXPECTED ACTUAL: returns 0 when equal.
bed_check_eq() {
    if [ "$2" = "$3" ]; then
        bed_pass "$1 ($3)"
    else
        bed_fail "$1 (expected '$2', got '$3')"
        return 1
    fi
}

# bed_summary: prints the totals; returns 1 when any check failed or none
# ran (use it as the test script's last command).
bed_summary() {
    printf '%d checks, %d failed\n' "$bed_checks" "$bed_failures"
    [ "$bed_failures" = 0 ] && [ "$bed_checks" -gt 0 ]
}

# bed_wait_for SECONDS CMD...: polls CMD (every 0.1 s) until it succeeds.
# For things the kernel does asynchronously (representors appearing).
bed_wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    until "$@" >/dev/null 2>&1; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# ------------------------------------------------------------- netdevsim --

bed_nsim_sysfs() { printf '/sys/bus/netdevsim/devices/netdevsim%s\n' "$1"; }
bed_nsim_devlink() { printf 'netdevsim/netdevsim%s\n' "$1"; }

# bed_nsim_new ID [PORTS] [MAX_VFS]: creates netdevsim device ID with PORTS
# physical ports (default 1); MAX_VFS raises the VF limit (default 4) through
# debugfs. The eswitch starts in legacy mode with 0 VFs.
bed_nsim_new() {
    local id=$1 ports=${2:-1} max_vfs=${3:-}
    modprobe netdevsim || return
    echo "$id $ports" >/sys/bus/netdevsim/new_device || return
    bed_wait_for 10 test -d "$(bed_nsim_sysfs "$id")/net" || {
        bed_log "netdevsim$id did not appear"
        return 1
    }
    if [ -n "$max_vfs" ]; then
        echo "$max_vfs" >"/sys/kernel/debug/netdevsim/netdevsim$id/max_vfs" || return
    fi
}

# bed_nsim_del ID: removes netdevsim device ID (its representors go too).
bed_nsim_del() {
    echo "$1" >/sys/bus/netdevsim/del_device
}

# bed_nsim_numvfs ID N: sets the VF count. N -> M (both non-zero) is refused
# by the kernel (EBUSY): go through 0, which also drops switchdev.
bed_nsim_numvfs() {
    echo "$2" >"$(bed_nsim_sysfs "$1")/sriov_numvfs"
}

# bed_eswitch HANDLE [MODE]: sets the eswitch mode (legacy|switchdev) of a
# devlink instance, or prints it without MODE.
bed_eswitch() {
    if [ $# -ge 2 ]; then
        devlink dev eswitch set "$1" mode "$2"
    else
        devlink -j dev eswitch show "$1" | jq -r '.dev[].mode'
    fi
}

# bed_port_netdev HANDLE FLAVOUR [NUMBER]: prints the netdev of the devlink
# port of instance HANDLE with that flavour: for "physical" NUMBER is the
# port number (default: the first), for "pcivf" the vfnum, for "pcipf" the
# pfnum.
bed_port_netdev() {
    local handle=$1 flavour=$2 number=${3:-} name
    name=$(devlink -j port show | jq -r --arg h "$handle/" --arg f "$flavour" \
        --arg n "$number" '
        first(.port | to_entries[]
              | select((.key | startswith($h)) and .value.flavour == $f)
              | select($n == ""
                       or ($f == "physical" and (.value.port | tostring) == $n)
                       or ($f == "pcivf" and (.value.vfnum | tostring) == $n)
                       or ($f == "pcipf" and (.value.pfnum | tostring) == $n))
              | .value.netdev // empty)')
    [ -n "$name" ] || {
        bed_log "no $flavour${number:+ $number} port with a netdev on $handle"
        return 1
    }
    printf '%s\n' "$name"
}

# bed_pf_netdev HANDLE: the uplink (first physical port) of a devlink instance.
bed_pf_netdev() { bed_port_netdev "$1" physical; }

# bed_rep_netdev HANDLE VF: the representor of VF number VF.
bed_rep_netdev() { bed_port_netdev "$1" pcivf "$2"; }

# bed_switch_id NETDEV: its phys_switch_id (empty-handed failure if none).
bed_switch_id() {
    cat "/sys/class/net/$1/phys_switch_id" 2>/dev/null
}

# bed_netdev_by_port_name SWITCH_ID PORT_NAME: the netdev on switch
# SWITCH_ID whose phys_port_name is PORT_NAME (e.g. pf0vf1, p0).
bed_netdev_by_port_name() {
    local dev
    for dev in /sys/class/net/*; do
        [ "$(cat "$dev/phys_switch_id" 2>/dev/null)" = "$1" ] || continue
        [ "$(cat "$dev/phys_port_name" 2>/dev/null)" = "$2" ] || continue
        printf '%s\n' "${dev##*/}"
        return 0
    done
    bed_log "no netdev named $2 on switch $1"
    return 1
}

# bed_hw_tc_offload NETDEV on|off
bed_hw_tc_offload() {
    ethtool -K "$1" hw-tc-offload "$2"
}

# ------------------------------------------------ mlx5 personality ---
# netdevsim-mlx5-personality.patch: module parameters (all off by default)
# that make netdevsim behave like mlx5_core; tests/bed/README.md lists them.

# bed_nsim_param NAME [VALUE]: sets netdevsim module parameter NAME (e.g.
# mlx5_vf_delay_ms, tc_offload), or prints it without VALUE. Loads the
# module first. Writable at runtime; mlx5_steering_param takes effect for
# devices created afterwards.
bed_nsim_param() {
    local f=/sys/module/netdevsim/parameters/$1
    [ -e "$f" ] || modprobe netdevsim || return
    if [ $# -ge 2 ]; then
        echo "$2" >"$f"
    else
        cat "$f"
    fi
}

# bed_nsim_mlx5_off: every mlx5 personality knob back to off (stock).
bed_nsim_mlx5_off() {
    local p
    for p in mlx5_legacy_vf_ndos mlx5_port_fn_hw_addr mlx5_vf_delay_ms \
        mlx5_vf_reset mlx5_esw_busy mlx5_steering_param \
        mlx5_no_switchdev_with_vfs mlx5_no_switchdev_without_vfs \
        mlx5_uplink_reregister; do
        bed_nsim_param "$p" 0 || return
    done
}

# bed_nsim_mlx5_on [DELAY_MS]: the mlx5 personality the agent's bed suites
# run under (docs/testbed.md): legacy VF ndos refused in switchdev, VF port
# function hw_addr, VF configuration reset through 0 VFs, eswitch mode set
# refused while flower rules are offloaded, the flow_steering_mode param,
# and VFs appearing DELAY_MS (default 200) after the sriov_numvfs write.
# The two switchdev refusals stay off (the order suite turns them on).
bed_nsim_mlx5_on() {
    local p
    bed_nsim_mlx5_off || return
    for p in mlx5_legacy_vf_ndos mlx5_port_fn_hw_addr mlx5_vf_reset \
        mlx5_esw_busy mlx5_steering_param; do
        bed_nsim_param "$p" 1 || return
    done
    bed_nsim_param mlx5_vf_delay_ms "${1:-200}"
}

# bed_nsim_vf_ports ID [N]: prints how many VF devlink ports (representors)
# netdevsim device ID has, from its debugfs port directories (index >= 128),
# without a fork or exec: cheap enough to poll. With N, prints nothing and
# succeeds when there are N.
bed_nsim_vf_ports() {
    local d n=0
    for d in "/sys/kernel/debug/netdevsim/netdevsim$1/ports/"*; do
        [ -d "$d" ] && [ "${d##*/}" -ge 128 ] 2>/dev/null && n=$((n + 1))
    done
    if [ $# -ge 2 ]; then
        [ "$n" = "$2" ]
    else
        printf '%s\n' "$n"
    fi
}

# bed_nsim_flower_rules ID: the flower rules netdevsim device ID holds as
# offloaded (what mlx5_esw_busy counts).
bed_nsim_flower_rules() {
    cat "/sys/kernel/debug/netdevsim/netdevsim$1/offloaded_flower_rules"
}

# bed_vf_info PF VF JQ: a field of VF number VF as `ip -j link show PF`
# lists it, through jq filter JQ (.address, .vlan_list[0].vlan, .spoofchk,
# .trust, .link_state, .rate.max_tx). bed_vf_count PF: how many VFs it lists.
bed_vf_info() {
    ip -j link show "$1" | jq -r --argjson vf "$2" \
        ".[0].vfinfo_list[] | select(.vf == \$vf) | $3"
}
bed_vf_count() {
    ip -j link show "$1" | jq '.[0].vfinfo_list | length'
}

# bed_check_refused DESC PATTERN CMD...: PASS when CMD fails and its output
# (stdout and stderr: extack "Error: ..." lines, "RTNETLINK answers: ...")
# matches the extended regex PATTERN; the output is shown indented either
# way.
bed_check_refused() {
    local desc=$1 pattern=$2 out status=0 line
    shift 2
    out=$("$@" 2>&1) || status=$?
    if [ "$status" != 0 ] && [[ $out =~ $pattern ]]; then
        bed_pass "$desc (exit $status)"
    else
        bed_fail "$desc (exit $status, expected a failure matching '$pattern')"
    fi
    while IFS= read -r line; do
        [ -n "$line" ] && printf '    %s\n' "$line"
    done <<<"$out"
    [ "$status" != 0 ] && [[ $out =~ $pattern ]]
}

# bed_now_ms VAR: the wall clock in milliseconds into VAR, without a fork
# (every exec costs 50-100 ms under TCG).
bed_now_ms() {
    local t=${EPOCHREALTIME/./}
    printf -v "$1" '%s' $((t / 1000))
}

# bed_poll_ms TIMEOUT_MS CMD...: polls CMD every ~10 ms until it succeeds;
# fails after TIMEOUT_MS. For measuring: CMD should be a builtin or a
# function without execs (bed_nsim_vf_ports), or the poll is as slow as it.
bed_poll_ms() {
    local now limit fd status=1
    bed_now_ms now
    limit=$((now + $1))
    shift
    exec {fd}<> <(:)        # never readable: read -t on it just waits
    while :; do
        if "$@" >/dev/null 2>&1; then
            status=0
            break
        fi
        bed_now_ms now
        [ "$now" -lt "$limit" ] || break
        read -rt 0.01 -u "$fd" _ || true
    done
    exec {fd}>&-
    return "$status"
}

# ------------------------------------------------------------------ udev --

# bed_udev_start [--vendor-rep-names] [RULES_FILE...]: runs systemd-udevd in
# the guest as on a Debian host: the host's rules (systemd's naming gives
# netdevsim netdevs created from now on names like eni10np1, eni10npf0vf0)
# plus RULES_FILEs. --vendor-rep-names adds a vendor-style rule that names
# each representor <uplink>_<vf> (as NVIDIA's and os-net-config's rules do).
# Netdevs that exist before the call keep their names and are not
# initialised by udev (no /run/udev/data/n<ifindex>), as on a host where
# udevd started late. With OA_BED_UDEV_LOG=FILE, udevd's log goes to FILE.
# Stop with bed_udev_stop.
bed_udev_start() {
    local f dir=/etc/udev/rules.d
    mkdir -p "$dir" || return
    if [ "${1:-}" = --vendor-rep-names ]; then
        shift
        printf '%s
' \
            '# bed: vendor-style representor names, <uplink>_<vf>' \
            'SUBSYSTEM=="net", ACTION=="add", ATTR{phys_port_name}=="pf*vf*", IMPORT{program}="'"${OA_BED_LIB%/*}"'/udev-rep-name $attr{phys_switch_id} $attr{phys_port_name}", NAME="$env{OA_BED_REP_NAME}"' \
            >"$dir/82-oa-bed-rep-names.rules" || return
    fi
    for f in "$@"; do
        cp "$f" "$dir/" || return
    done
    if [ -n "${OA_BED_UDEV_LOG:-}" ]; then
        # Its log (failed renames are errors) in that file: in the
        # foreground, as --daemon sends it to /dev/null.
        SYSTEMD_LOG_TARGET=console /lib/systemd/systemd-udevd \
            >"$OA_BED_UDEV_LOG" 2>&1 &
    else
        /lib/systemd/systemd-udevd --daemon >/dev/null 2>&1 || return
    fi
    bed_wait_for 10 test -S /run/udev/control || {
        bed_log "systemd-udevd did not start"
        return 1
    }
}

bed_udev_stop() {
    udevadm control --exit 2>/dev/null || true
}

# bed_udev_initialised IFNAME: udev has processed the netdev's add event
# (what the agent waits for before attaching a representor).
bed_udev_initialised() {
    local ifindex
    ifindex=$(cat "/sys/class/net/$1/ifindex" 2>/dev/null) || return
    [ -e "/run/udev/data/n$ifindex" ]
}

# ------------------------------------------------------------------- tc --

# bed_tc_count DEV in_hw|not_in_hw|all [BLOCK]: counts the tc filter rules
# (all chains) on DEV's BLOCK (default ingress) by their hardware flag.
bed_tc_count() {
    local dev=$1 what=$2 block=${3:-ingress} json
    json=$(tc -s -j filter show dev "$dev" "$block") || return
    [ -n "$json" ] || json='[]'
    printf '%s\n' "$json" | jq --arg w "$what" '
        [.[] | select(.options != null) | .options
         | select($w == "all" or .[$w] == true)] | length'
}

# ------------------------------------------------------------------ PCI --
# For the PCI variant of the bed (OA_BED_PCI=1: q35 + an emulated NVMe
# controller with SR-IOV, 2 VFs).

# bed_pci_sriov_pfs: the PCI addresses of SR-IOV capable functions.
bed_pci_sriov_pfs() {
    local dev
    for dev in /sys/bus/pci/devices/*; do
        [ -e "$dev/sriov_totalvfs" ] && printf '%s\n' "${dev##*/}"
    done
    return 0
}

# bed_pci_driver ADDR: the driver bound to PCI function ADDR (fails if none).
bed_pci_driver() {
    local link
    link=$(readlink "/sys/bus/pci/devices/$1/driver") || return 1
    printf '%s\n' "${link##*/}"
}

# bed_pci_bind ADDR DRIVER: binds ADDR to DRIVER through driver_override,
# as an operator would for a VF with autoprobe off.
bed_pci_bind() {
    echo "$2" >"/sys/bus/pci/devices/$1/driver_override" &&
        echo "$1" >"/sys/bus/pci/drivers/$2/bind"
}

# bed_pci_unbind ADDR: unbinds ADDR from its driver (no-op when unbound).
bed_pci_unbind() {
    local drv
    drv=$(bed_pci_driver "$1") || return 0
    echo "$1" >"/sys/bus/pci/drivers/$drv/unbind"
}

# bed_nvme_vfs_online PF_ADDR: gives every secondary controller (VF) of
# qemu's NVMe PF the minimum flexible resources and sets it online; qemu's
# VFs are offline until then and the nvme driver's probe of them fails.
# Needs the VFs unbound (sriov_drivers_autoprobe 0 before sriov_numvfs).
bed_nvme_vfs_online() {
    local ctrl n scid
    ctrl=$(find "/sys/bus/pci/devices/$1/nvme/" -mindepth 1 -maxdepth 1 \
        -name 'nvme*' -printf '%f\n' 2>/dev/null | head -1)
    [ -n "$ctrl" ] || { bed_log "no nvme controller on $1"; return 1; }
    n=$(cat "/sys/bus/pci/devices/$1/sriov_numvfs")
    for scid in $(seq 1 "$n"); do
        nvme virt-mgmt "/dev/$ctrl" -c "$scid" -r 0 -a 8 -n 2 >/dev/null &&
            nvme virt-mgmt "/dev/$ctrl" -c "$scid" -r 1 -a 8 -n 1 >/dev/null &&
            nvme virt-mgmt "/dev/$ctrl" -c "$scid" -a 9 >/dev/null || return
    done
}

# ------------------------------------------------------------------ OVS --

# bed_wait_uptime SECONDS: waits until the guest has been up SECONDS
# (CLOCK_MONOTONIC; no suspend in the guest, so /proc/uptime is the same).
# OVS 3.1's count_cpu_cores() refreshes its cached value only once 10 s of
# CLOCK_MONOTONIC have passed since 0, so it returns 0 during the first 10 s
# after boot: an ovs-vswitchd started then sets up the kernel datapath's
# per-CPU upcall dispatch with 0 handlers ("Overriding n-handler-threads to
# 0" in its log) and every upcall is lost (dpctl/show: lost == missed), even
# after it later switches to 2 handlers. Only the first OVS start of a
# boot can be that early; the wait costs nothing later.
bed_wait_uptime() {
    local up
    while read -r up _ </proc/uptime && [ "${up%.*}" -lt "$1" ]; do
        sleep 0.1
    done
}

# bed_ovs_start [KEY=VALUE...]: starts ovsdb-server and ovs-vswitchd (kernel
# datapath) with their run, db and log files in $BED_OVS_DIR (default
# /run/openvswitch, which is private to this guest: /run is a fresh tmpfs),
# exports OVS_RUNDIR/OVS_DBDIR/OVS_LOGDIR so that ovs-vsctl and ovs-appctl
# find them, and sets Open_vSwitch other_config:KEY=VALUE (e.g.
# hw-offload=true, tc-policy=skip_sw) before ovs-vswitchd starts, since
# vswitchd reads hw-offload once. vswitchd starts only once the guest has
# been up 11 s (bed_wait_uptime says why). The daemons log to files only
# (keeping the caller's stderr free): bed_ovs_log shows vswitchd's.
bed_ovs_start() {
    local dir=${BED_OVS_DIR:-/run/openvswitch} kv
    mkdir -p "$dir" || return
    export OVS_RUNDIR=$dir OVS_DBDIR=$dir OVS_LOGDIR=$dir OVS_SYSCONFDIR=$dir
    modprobe openvswitch || return
    rm -f "$dir/conf.db"
    ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema || return
    ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" \
        --remote=db:Open_vSwitch,Open_vSwitch,manager_options \
        --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" \
        -vconsole:off --detach 2>"$dir/ovsdb-server.stderr" || {
        cat "$dir/ovsdb-server.stderr" >&2
        return 1
    }
    ovs-vsctl --no-wait init || return
    for kv in "$@"; do
        ovs-vsctl --no-wait set Open_vSwitch . "other_config:$kv" || return
    done
    bed_ovs_vswitchd_start
}

# bed_ovs_vswitchd_start: (re)starts ovs-vswitchd alone against the
# ovsdb-server of bed_ovs_start, e.g. after bed_ovs_vswitchd_stop to apply
# settings that vswitchd reads once. Waits for 11 s of guest uptime first
# (bed_wait_uptime says why).
bed_ovs_vswitchd_start() {
    local dir=${OVS_RUNDIR:-/run/openvswitch}
    bed_wait_uptime 11 || return
    ovs-vswitchd "unix:$dir/db.sock" --pidfile="$dir/ovs-vswitchd.pid" \
        --log-file="$dir/ovs-vswitchd.log" -vconsole:off --detach \
        2>"$dir/ovs-vswitchd.stderr" || {
        cat "$dir/ovs-vswitchd.stderr" >&2
        tail -20 "$dir/ovs-vswitchd.log" >&2
        return 1
    }
}

# bed_ovs_vswitchd_stop: stops ovs-vswitchd alone, leaving its datapath and
# ports in the kernel (as a service restart does), and waits until it is
# gone.
bed_ovs_vswitchd_stop() {
    local dir=${OVS_RUNDIR:-/run/openvswitch} pid
    pid=$(cat "$dir/ovs-vswitchd.pid" 2>/dev/null) || return 0
    ovs-appctl -t ovs-vswitchd exit >/dev/null 2>&1
    bed_wait_for 30 test ! -e "/proc/$pid" || {
        bed_log "ovs-vswitchd ($pid) did not exit"
        return 1
    }
}

# bed_ovs_stop: stops both daemons (vswitchd removes its datapath ports)
# and waits until they are gone, so that OVS can start again at once.
bed_ovs_stop() {
    local dir=${OVS_RUNDIR:-/run/openvswitch} daemon pid
    for daemon in ovs-vswitchd ovsdb-server; do
        pid=$(cat "$dir/$daemon.pid" 2>/dev/null) || continue
        if [ "$daemon" = ovs-vswitchd ]; then
            ovs-appctl -t "$daemon" exit --cleanup >/dev/null 2>&1
        else
            ovs-appctl -t "$daemon" exit >/dev/null 2>&1
        fi
        bed_wait_for 30 test ! -e "/proc/$pid" || {
            bed_log "$daemon ($pid) did not exit: killing it"
            kill -9 "$pid" 2>/dev/null
        }
    done
    return 0
}

# bed_ovs_log: the ovs-vswitchd log (for diagnostics).
bed_ovs_log() {
    cat "${OVS_LOGDIR:-/run/openvswitch}/ovs-vswitchd.log"
}

# bed_ovs_upcall_handlers_ok: fails when ovs-vswitchd ever ran its upcall
# handlers with 0 threads (its datapath then loses every upcall; see
# bed_wait_uptime). Meaningful once a bridge exists.
bed_ovs_upcall_handlers_ok() {
    if grep 'Overriding n-handler-threads to 0' \
        "${OVS_LOGDIR:-/run/openvswitch}/ovs-vswitchd.log" >&2; then
        return 1
    fi
    return 0
}

# bed_ovs_add_port BRIDGE NETDEV: adds NETDEV with qos type=linux-noop so
# that OVS leaves the root qdisc on it alone (bed_vf_attach puts one there).
bed_ovs_add_port() {
    ovs-vsctl -- --may-exist add-port "$1" "$2" \
        -- set port "$2" qos=@q -- --id=@q create qos type=linux-noop
}

# bed_ovs_offloaded_flows: prints the datapath flows OVS put in tc and the
# driver accepted, one a line, verbose ("offloaded:yes, dp:tc").
bed_ovs_offloaded_flows() {
    ovs-appctl dpctl/dump-flows -m type=offloaded
}

# ---------------------------------------------------------- emulated VF --

# bed_vf_attach NAME REP ADDR/PREFIX [MAC]: emulates a VF whose representor
# is REP. Creates network namespace NAME holding interface NAME (ADDR, MAC)
# whose veth peer NAMEw stays outside. netdevsim passes no traffic, so mirred
# stands in for the eswitch: what the VF sends enters REP's ingress (as if
# received from the VF), what REP transmits comes out of NAME. REP gets a
# root prio qdisc: add it to OVS with bed_ovs_add_port (qos linux-noop) so
# that OVS keeps it. REP's admin state is left alone: a representor that is
# down passes nothing, and setting it up is the agent's job (or, without
# the agent, the caller's), as on a real host.
bed_vf_attach() {
    local name=$1 rep=$2 addr=$3 mac=${4:-}
    ip netns add "$name" || return
    ip link add "${name}w" type veth peer name "$name" netns "$name" || return
    [ -z "$mac" ] || ip -n "$name" link set "$name" address "$mac" || return
    ip -n "$name" addr add "$addr" dev "$name" || return
    # ARP gives up after 3 unanswered probes (~3 s): too soon for the first
    # broadcast through OVS's slow path under TCG on a busy host.
    ip netns exec "$name" sysctl -qw "net.ipv4.neigh.$name.mcast_solicit=20" || return
    ip -n "$name" link set lo up || return
    ip -n "$name" link set "$name" up || return
    ip link set "${name}w" up || return
    tc qdisc add dev "${name}w" clsact || return
    tc filter add dev "${name}w" ingress matchall \
        action mirred ingress redirect dev "$rep" || return
    tc qdisc replace dev "$rep" root handle 1: prio || return
    tc filter add dev "$rep" parent 1: matchall \
        action mirred egress redirect dev "${name}w"
}

# bed_vf_detach NAME: undoes bed_vf_attach (the representor's qdisc stays).
bed_vf_detach() {
    ip netns del "$1" 2>/dev/null
    ip link del "${1}w" 2>/dev/null
    return 0
}

# ---------------------------------------------------------------- hot-add --

# bed_hotadd: asks tests/bed/run to device_add the devices of OA_BED_HOTADD
# now (over QMP) and waits, at most 60 s, for its answers, which it prints.
# The guest's pciehp then enumerates them: wait for them yourself.
bed_hotadd() {
    [ -n "${OA_BED_HOTADD:-}" ] || { bed_log "bed_hotadd: OA_BED_HOTADD is empty"; return 1; }
    : >"$OA_BED_XCHG/hotadd" || return
    local i
    for i in $(seq 120); do
        if [ -e "$OA_BED_XCHG/hotadd.done" ]; then
            cat "$OA_BED_XCHG/hotadd.done"
            ! grep -q "'class'" "$OA_BED_XCHG/hotadd.done"
            return
        fi
        sleep 0.5
    done
    bed_log "bed_hotadd: no answer from tests/bed/run after 60 s"
    return 1
}
