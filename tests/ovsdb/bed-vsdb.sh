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
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/../bed/lib.sh}"
nsim_id=3
nvfs=4 # netdevsim's default maximum
bridge=br-vsdb
dl=$(bed_nsim_devlink "$nsim_id")
die() { bed_fail "$*"; exit 1; }

bed_nsim_new "$nsim_id" 1 || die "netdevsim device"
bed_eswitch "$dl" switchdev || die "switchdev"
bed_nsim_numvfs "$nsim_id" "$nvfs" || die "sriov_numvfs"
bed_wait_for 10 bed_rep_netdev "$dl" $((nvfs - 1))
ports=("$(bed_pf_netdev "$dl")")
for ((i = 0; i < nvfs; i++)); do
    ports+=("$(bed_rep_netdev "$dl" "$i")")
done
for p in "${ports[@]}"; do
    [ -n "$p" ] || die "uplink/representors not found: $(devlink port show)"
    ip link set "$p" up
done
echo "uplink + representors: ${ports[*]}"

# Started without hw-offload: the agent turns it on live.
# shellcheck disable=SC2119 # no other_config before vswitchd starts
bed_ovs_start || die "ovsdb-server + ovs-vswitchd"
dir=$OVS_RUNDIR
export OA_TEST_OVSDB=unix:$dir/db.sock

rc=0
"$prog" attach "$bridge" "${ports[@]}" || rc=1
n=$(grep -c "Flow API Enabled" "$dir/ovs-vswitchd.log")
if [ "$n" = 1 ]; then
    bed_pass "hw-offload turned on live (Flow API Enabled logged)"
else
    bed_fail "Flow API Enabled logged $n times after attach"
    rc=1
fi
"$prog" retune "$bridge" "${ports[@]}" || rc=1

# What the agent would ask systemd for; there is no systemd in the bed.
bed_ovs_vswitchd_stop || { bed_fail "ovs-vswitchd stop"; rc=1; }
bed_ovs_vswitchd_start || { bed_fail "ovs-vswitchd restart"; rc=1; }
"$prog" restarted "$bridge" "${ports[@]}" || rc=1

if [ "$rc" != 0 ]; then
    echo "--- ovs-vsctl show"
    ovs-vsctl show
    echo "--- ovs-vswitchd.log (tail)"
    tail -30 "$dir/ovs-vswitchd.log"
fi
echo "\"Flow API Enabled\" logged $(grep -c "Flow API Enabled" "$dir/ovs-vswitchd.log") time(s) (once per process)"
bed_ovs_stop
exit "$rc"
