#!/bin/bash
# Bed test of ovsdb/ (runs inside the guest: tests/bed/run): netdevsim in
# switchdev with VFs, a real ovsdb-server + ovs-vswitchd started without
# hw-offload; bed-vsdb attaches the uplink and representors through vsdb
# with hw-offload=true (taken live) and checks they get an ofport and no
# error; then the tc-policy change needing a restart, the restart, and
# the record.
#   tests/ovsdb/bed-vsdb.sh PATH/TO/bed-vsdb
set -uo pipefail
prog=$1
nsim_id=3
nvfs=4 # netdevsim's default maximum
bridge=br-vsdb
dir=/run/openvswitch
dl=netdevsim/netdevsim$nsim_id
die() { echo "FAIL: $*"; exit 1; }

# The netdev of devlink port flavour $1 (and vfnum $2): by identity.
port_netdev() {
    devlink port show | awk -v dl="$dl/" -v fl="$1" -v vf="${2:-}" '
        index($1, dl) == 1 {
            netdev = ""; flavour = ""; vfnum = ""
            for (i = 2; i < NF; i++) {
                if ($i == "netdev") netdev = $(i + 1)
                if ($i == "flavour") flavour = $(i + 1)
                if ($i == "vfnum") vfnum = $(i + 1)
            }
            if (flavour == fl && (vf == "" || vfnum == vf)) print netdev
        }'
}

modprobe netdevsim || die "modprobe netdevsim"
echo "$nsim_id 1" >/sys/bus/netdevsim/new_device || die "netdevsim device"
for _ in $(seq 50); do
    devlink dev show "$dl" >/dev/null 2>&1 && break
    sleep 0.1
done
devlink dev eswitch set "$dl" mode switchdev || die "switchdev"
echo "$nvfs" >"/sys/bus/netdevsim/devices/netdevsim$nsim_id/sriov_numvfs" ||
    die "sriov_numvfs"
for _ in $(seq 100); do
    [ -n "$(port_netdev pcivf $((nvfs - 1)))" ] && break
    sleep 0.1
done
ports=("$(port_netdev physical)")
for ((i = 0; i < nvfs; i++)); do
    ports+=("$(port_netdev pcivf "$i")")
done
for p in "${ports[@]}"; do
    [ -n "$p" ] || die "uplink/representors not found: $(devlink port show)"
    ip link set "$p" up
done
echo "uplink + representors: ${ports[*]}"

# OVS with hw-offload set before ovs-vswitchd starts (read once).
start_vswitchd() {
    ovs-vswitchd "unix:$dir/db.sock" --pidfile="$dir/ovs-vswitchd.pid" \
        --log-file="$dir/ovs-vswitchd.log" --detach -vconsole:off
}
mkdir -p "$dir"
export OVS_RUNDIR=$dir OVS_DBDIR=$dir OVS_LOGDIR=$dir
modprobe openvswitch || die "modprobe openvswitch"
ovsdb-tool create "$dir/conf.db" /usr/share/openvswitch/vswitch.ovsschema ||
    die "ovsdb-tool create"
ovsdb-server "$dir/conf.db" --remote="punix:$dir/db.sock" \
    --pidfile="$dir/ovsdb-server.pid" --log-file="$dir/ovsdb-server.log" -vconsole:off \
    --detach || die "ovsdb-server"
ovs-vsctl --no-wait init
# Started without hw-offload: the agent turns it on live.
start_vswitchd || die "ovs-vswitchd"
export OA_TEST_OVSDB=unix:$dir/db.sock

rc=0
"$prog" attach "$bridge" "${ports[@]}" || rc=1
n=$(grep -c "Flow API Enabled" "$dir/ovs-vswitchd.log")
if [ "$n" = 1 ]; then
    echo "PASS: hw-offload turned on live (Flow API Enabled logged)"
else
    echo "FAIL: Flow API Enabled logged $n times after attach"
    rc=1
fi
"$prog" retune "$bridge" "${ports[@]}" || rc=1

# What the agent would ask systemd for; there is no systemd in the bed.
ovs-appctl -t ovs-vswitchd exit
for _ in $(seq 50); do
    [ -e "$dir/ovs-vswitchd.pid" ] || break
    sleep 0.1
done
start_vswitchd || { echo "FAIL: ovs-vswitchd restart"; rc=1; }
"$prog" restarted "$bridge" "${ports[@]}" || rc=1

if [ "$rc" != 0 ]; then
    echo "--- ovs-vsctl show"
    ovs-vsctl show
    echo "--- ovs-vswitchd.log (tail)"
    tail -30 "$dir/ovs-vswitchd.log"
fi
echo "\"Flow API Enabled\" logged $(grep -c "Flow API Enabled" "$dir/ovs-vswitchd.log") time(s) (once per process)"
ovs-appctl -t ovs-vswitchd exit --cleanup 2>/dev/null
ovs-appctl -t ovsdb-server exit 2>/dev/null
exit "$rc"
