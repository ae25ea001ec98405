#!/bin/bash
# agentctl doctor on a real kernel, in the PCI test bed (q35: PCIe root
# ports, an SR-IOV NVMe, virtio functions; netdevsim; the real OVS):
#  1. qemu's PCIe ports and devices give no finding (its root ports report
#     a lower current speed while idle; the NVMe has sriov_totalvfs 2);
#  2. the ethtool counters read through the ioctl are what `ethtool -S`
#     says (veth), and counters that do not grow give no finding;
#  3. ovs-offload against the real ovs-vswitchd: with hw-offload on and
#     netdevsim offloading, no finding; with netdevsim's tc offload off,
#     "no datapath flow is offloaded" (exit 2), from OVS's own unixctl;
#     hw-tc-offload off on a representor (an OVS port) named with the fix;
#  4. devlink-health: netdevsim's reporters healthy, a recovered error
#     (no finding), a reporter stuck in error (named, with the fix);
#  5. tc-rules: rules in hardware (no finding); rules in software on a
#     veth (cannot offload), with hw-tc-offload off, refused by netdevsim,
#     skip_hw, each with its cause;
#  6. irq-numa: a NIC on NUMA node 1 whose interrupts run on node 1 (no
#     finding) and then on node 0 (a warning); a vhost-net worker (what a
#     VM's virtio-net queue runs on) allowed on node 1 (no finding), then
#     only on node 0 (a warning naming it).
#
# usage: bed-doctor.sh AGENTCTL DOCTOR_ETHTOOL_DUMP
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL DUMP}")
DUMP=$(readlink -f "${2:?usage: $0 AGENTCTL DUMP}")
work=$(mktemp -d /tmp/bed-doctor.XXXXXX)

# ---- 1. qemu's PCI devices ------------------------------------------------
modprobe nvme
idle=0
for p in /sys/bus/pci/devices/*; do
    [ -r "$p/current_link_speed" ] || continue
    cur=$(cat "$p/current_link_speed") max=$(cat "$p/max_link_speed")
    if [ "$cur" != "$max" ] && [ "$(cat "$p/class")" = 0x060400 ]; then
        idle=$((idle + 1))
    fi
done
echo "   PCIe ports reporting a current speed below their maximum: $idle"
for p in /sys/bus/pci/devices/*; do
    echo "   ${p##*/} $(cat "$p/vendor"):$(cat "$p/device") class $(cat "$p/class")"
done
rc=0
"$AGENTCTL" doctor --interval 0 --json pcie-link pci-bar sriov \
    >"$work/pci.json" 2>"$work/pci.err" || rc=$?
bed_check_eq "doctor pcie-link pci-bar sriov on q35: exit 0" 0 "$rc"
bed_check_eq "no finding for qemu's ports and devices" 0 \
    "$(jq '.findings | length' "$work/pci.json")"
[ "$rc" = 0 ] || cat "$work/pci.json" "$work/pci.err"
virtio_fns=$(grep -l 0x1af4 /sys/bus/pci/devices/*/vendor | wc -l)
bed_check "virtio functions were there to judge ($virtio_fns)" \
    test "$virtio_fns" -gt 0

# ---- 2. counters through the ioctl -------------------------------------------
ip link add dva type veth peer name dvb
ip link set dva up; ip link set dvb up
ping -c 3 -i 0.2 -I dva ff02::1%dva >/dev/null 2>&1 || true
"$DUMP" dva >"$work/ioctl" 2>&1
ethtool -S dva | tail -n +2 >"$work/ethtool"
if bed_check "the ioctl reads what ethtool -S prints (veth dva)" \
    diff "$work/ethtool" "$work/ioctl"; then :; else cat "$work/ioctl"; fi
bed_check "veth has statistics to compare" test -s "$work/ioctl"
rc=0
out=$("$AGENTCTL" doctor --interval 1 nic-drops 2>&1) || rc=$?
bed_check_eq "doctor nic-drops, 1 s apart: counters that do not grow, exit 0" \
    0 "$rc"
[ "$rc" = 0 ] || echo "$out"
ip link del dva

# ---- 3. OVS ------------------------------------------------------------------
nsim=5 bridge=br-doc
modprobe netdevsim
echo 1 >/sys/module/netdevsim/parameters/tc_offload
bed_nsim_new "$nsim" 1 8
dl=$(bed_nsim_devlink "$nsim")
bed_eswitch "$dl" switchdev
bed_nsim_numvfs "$nsim" 2
bed_wait_for 10 bed_rep_netdev "$dl" 1
pf=$(bed_pf_netdev "$dl") rep0=$(bed_rep_netdev "$dl" 0) rep1=$(bed_rep_netdev "$dl" 1)
for dev in "$pf" "$rep0" "$rep1"; do
    ip link set "$dev" up
    ethtool -K "$dev" hw-tc-offload on
done
rc=0
out=$("$AGENTCTL" doctor --interval 0 ovs-offload 2>&1) || rc=$?
bed_check_eq "doctor ovs-offload without ovs-vswitchd: exit 0" 0 "$rc"
bed_check "it says why it did not check" grep -q "no ovs-vswitchd runs" <<<"$out"

bed_check "OVS started with hw-offload=true" \
    bed_ovs_start hw-offload=true max-idle=60000
ovs-vsctl add-br "$bridge"
for dev in "$pf" "$rep0" "$rep1"; do bed_ovs_add_port "$bridge" "$dev" >/dev/null; done
bed_vf_attach vf0 "$rep0" 10.9.0.1/24
bed_vf_attach vf1 "$rep1" 10.9.0.2/24
ip link set "$bridge" up

# ping_flows: traffic both ways, so that OVS puts datapath flows.
ping_flows() {
    ip netns exec vf0 ping -c 4 -i 0.3 -w 20 10.9.0.2 >/dev/null &&
        ip netns exec vf1 ping -c 2 -i 0.3 -w 20 10.9.0.1 >/dev/null
}
bed_check "ping across $bridge" ping_flows
offloaded=$(ovs-appctl dpctl/dump-flows type=offloaded | grep -c actions: || true)
bed_check "OVS offloaded some flows ($offloaded)" test "$offloaded" -gt 0
rc=0
"$AGENTCTL" doctor --interval 0 --json ovs-offload >"$work/ovs1.json" 2>&1 || rc=$?
bed_check_eq "doctor ovs-offload, flows offloaded: exit 0" 0 "$rc"
bed_check_eq "... and the check ran (nothing skipped)" 0 \
    "$(jq '.skipped | length' "$work/ovs1.json")"
[ "$rc" = 0 ] || cat "$work/ovs1.json"

# netdevsim's tc offload off: new flows stay in tc software, none in_hw.
echo 0 >/sys/module/netdevsim/parameters/tc_offload
ovs-appctl dpctl/del-flows >/dev/null
ovs-appctl revalidator/purge >/dev/null
bed_check "ping across $bridge again" ping_flows
all=$(ovs-appctl dpctl/dump-flows | grep -c actions: || true)
offloaded=$(ovs-appctl dpctl/dump-flows type=offloaded | grep -c actions: || true)
echo "   datapath flows: $all, offloaded: $offloaded"
rc=0
"$AGENTCTL" doctor --interval 0 --json ovs-offload >"$work/ovs2.json" 2>&1 || rc=$?
bed_check_eq "doctor ovs-offload, nothing offloaded: exit 2" 2 "$rc"
bed_check_eq "the finding" "error ovs-offload ovs-vswitchd" \
    "$(jq -r '.findings[0] | "\(.severity) \(.check) \(.object)"' "$work/ovs2.json")"
bed_check "its evidence counts the flows OVS listed, none offloaded" \
    grep -Eq "ovs-vswitchd\.[0-9]+\.ctl dpctl/dump-flows: [1-9][0-9]* flows, type=offloaded: 0" \
    "$work/ovs2.json"
[ "$rc" = 2 ] && [ "$bed_failures" = 0 ] || cat "$work/ovs2.json"

# hw-tc-offload off on one representor, an OVS port.
ethtool -K "$rep0" hw-tc-offload off
rc=0
"$AGENTCTL" doctor --interval 0 --json ovs-offload >"$work/ovs3.json" 2>&1 || rc=$?
bed_check_eq "hw-tc-offload off on $rep0: exit 2" 2 "$rc"
bed_check_eq "a finding names $rep0 with the fix" \
    "ethtool -K $rep0 hw-tc-offload on" \
    "$(jq -r --arg o "$rep0" '.findings[] | select(.object == $o) | .fix' "$work/ovs3.json")"
bed_check_eq "no such finding for $rep1, $pf (on) nor $bridge (internal)" 1 \
    "$(jq '[.findings[] | select(.object != "ovs-vswitchd")] | length' "$work/ovs3.json")"

bed_vf_detach vf0
bed_vf_detach vf1
bed_ovs_stop

# ---- 4. devlink health: netdevsim's "dummy" reporter -------------------------
# break_health reports an error; the reporter recovers by itself unless
# fail_recover is set, and then stays in error.
health=/sys/kernel/debug/netdevsim/netdevsim$nsim/health
doctor_health() { # N: runs devlink-health into $work/healthN.json; sets rc
    rc=0
    "$AGENTCTL" doctor --interval 0 --json devlink-health \
        >"$work/health$1.json" 2>&1 || rc=$?
}
doctor_health 1
bed_check_eq "devlink-health, netdevsim's reporters healthy: exit 0" 0 "$rc"
bed_check_eq "... it read them (nothing skipped)" 0 \
    "$(jq '.skipped | length' "$work/health1.json")"
echo "a recovered fault" >"$health/break_health"
bed_check "the kernel counts the recovered error" \
    bash -c "devlink health show $dl reporter dummy | grep -q 'error 1 recover 1'"
doctor_health 2
bed_check_eq "an error the reporter recovered from is history: exit 0" 0 "$rc"
echo 1 >"$health/fail_recover"
echo "a stuck fault" >"$health/break_health" 2>/dev/null || true
devlink health show "$dl" reporter dummy
doctor_health 3
bed_check_eq "dummy stuck in error: exit 2" 2 "$rc"
bed_check_eq "the finding names the devlink instance" \
    "error devlink-health $dl" \
    "$(jq -r '.findings[] | "\(.severity) \(.check) \(.object)"' "$work/health3.json")"
bed_check "... the reporter and the kernel's counts" \
    grep -q "reporter 'dummy' is in error: 2 errors, 1 recovered" "$work/health3.json"
bed_check "... and the fix names the recover command" \
    grep -q "devlink health recover $dl reporter dummy" "$work/health3.json"
[ "$rc" = 2 ] || cat "$work/health3.json"
echo 0 >"$health/fail_recover"
devlink health recover "$dl" reporter dummy
doctor_health 4
bed_check_eq "recovered by hand: exit 0 again" 0 "$rc"

# ---- 5. tc-rules: the cause of rules not in hardware ------------------------
# No OVS here: the rules are added with tc, the way OVS adds its own.
for dev in "$rep0" "$rep1"; do tc qdisc del dev "$dev" ingress 2>/dev/null; done
flower() { # DEV [FLAGS]: one flower rule that drops IPv4 to 10.9.9.9
    tc qdisc add dev "$1" ingress 2>/dev/null
    tc filter add dev "$1" ingress protocol ip pref 7 flower ${2:+"$2"} \
        dst_ip 10.9.9.9 action drop
}
doctor_tc() { # N: runs tc-rules into $work/tcN.json; sets rc
    rc=0
    "$AGENTCTL" doctor --interval 0 --json tc-rules \
        >"$work/tc$1.json" 2>&1 || rc=$?
}
finding_of() { # N OBJECT: "severity what" of the tc-rules finding on OBJECT
    jq -r --arg o "$2" \
        '.findings[] | select(.object == $o) | "\(.severity) \(.what)"' \
        "$work/tc$1.json"
}
echo 1 >/sys/module/netdevsim/parameters/tc_offload
ethtool -K "$rep1" hw-tc-offload on
flower "$rep1"
bed_check "netdevsim took $rep1's rule into hardware" \
    bash -c "tc filter show dev $rep1 ingress | grep -q 'in_hw_count 1'"
doctor_tc 1
bed_check_eq "tc-rules, every rule in hardware: exit 0" 0 "$rc"
[ "$rc" = 0 ] || cat "$work/tc1.json"

ip link add dtc0 type veth peer name dtc1
flower dtc0
ethtool -K "$rep0" hw-tc-offload off # still off from step 3; said again
flower "$rep0"
echo 0 >/sys/module/netdevsim/parameters/tc_offload
tc filter add dev "$rep1" ingress protocol ip pref 8 flower \
    dst_ip 10.9.9.8 action drop
tc filter add dev "$rep1" ingress protocol ip pref 9 flower skip_hw \
    dst_ip 10.9.9.7 action drop
doctor_tc 2
bed_check_eq "tc-rules, rules in software: exit 2" 2 "$rc"
bed_check_eq "veth: the driver cannot offload at all" \
    "error 1 of 1 tc rule is not in hardware: its driver cannot offload tc rules at all" \
    "$(finding_of 2 dtc0)"
bed_check_eq "$rep0: hw-tc-offload off, named with the fix" \
    "ethtool -K $rep0 hw-tc-offload on, then \`ovs-appctl dpctl/del-flows\` so that OVS adds its rules again (rules already in software stay there)" \
    "$(jq -r --arg o "$rep0" '.findings[] | select(.object == $o) | .fix' "$work/tc2.json")"
bed_check_eq "$rep1: one rule in hardware, one refused, one skip_hw" \
    "warning 2 of 3 tc rules are not in hardware: the driver refused them" \
    "$(finding_of 2 "$rep1")"
bed_check "... with the kernel's counts as evidence" \
    grep -q "tc filter dev $rep1 ingress: 3 rules, 1 in_hw, 2 not_in_hw (1 of them skip_hw)" \
    "$work/tc2.json"
bed_check_eq "no finding for the PF, which has no rule" "" \
    "$(finding_of 2 "$pf")"
[ "$rc" = 2 ] || cat "$work/tc2.json"
# With a spec naming the netdevsim PF: the PF found, the findings about
# its representors labelled with its VF.
cat >"$work/spec.json" <<EOF
{ "version": 1,
  "pfs": [ { "devlink": "$dl", "eswitch": "switchdev", "num_vfs": 2 } ] }
EOF
"$AGENTCTL" --spec "$work/spec.json" doctor --interval 0 --json tc-rules \
    >"$work/tc3.json" 2>&1 || true
bed_check_eq "with the spec: its PF found, netdev and VFs" "$pf 2" \
    "$(jq -r '.spec.pfs[0] | "\(.netdev) \(.vfs_present)"' "$work/tc3.json")"
bed_check_eq "... $rep1's finding labelled with the spec's PF and VF" \
    "pfs[0] $dl VF 1" \
    "$(jq -r --arg o "$rep1" '.findings[] | select(.object == $o) | .spec' "$work/tc3.json")"
bed_check_eq "... the veth's finding with no label" "null" \
    "$(jq -r '.findings[] | select(.object == "dtc0") | .spec' "$work/tc3.json")"
ip link del dtc0
for dev in "$rep0" "$rep1"; do tc qdisc del dev "$dev" ingress; done

bed_nsim_del "$nsim"

# ---- 6. irq-numa: a NIC on NUMA node 1 ---------------------------------------
# The test's qemu has two nodes (one vCPU each) and a virtio-net behind a
# pxb-pcie host bridge on node 1 (tests/agent/CMakeLists.txt).
numa_dev=
for p in /sys/bus/pci/devices/*; do
    if [ "$(cat "$p/numa_node")" = 1 ] && [ "$(cat "$p/class")" = 0x020000 ]; then
        numa_dev=${p##*/}
    fi
done
bed_check "qemu put a NIC on NUMA node 1 (${numa_dev:-none})" test -n "$numa_dev"
modprobe virtio_pci
modprobe virtio_net
bed_wait_for 10 bash -c "ls /sys/bus/pci/devices/$numa_dev/virtio*/net >/dev/null 2>&1"
nic=$(ls "/sys/bus/pci/devices/$numa_dev"/virtio*/net)
ip addr add 10.0.2.15/24 dev "$nic"
ip link set "$nic" up
pin_irqs() { # CPU: asks for it, then lets traffic move them (x86 moves an
    # interrupt when it next fires; effective_affinity_list says so)
    local i
    for i in "/sys/bus/pci/devices/$numa_dev/msi_irqs"/*; do
        echo "$1" >"/proc/irq/${i##*/}/smp_affinity_list"
    done
    ping -c 3 -i 0.2 -W 2 10.0.2.2 >/dev/null
}
pin_irqs 1
rc=0
out=$("$AGENTCTL" doctor --interval 0 irq-numa 2>&1) || rc=$?
bed_check_eq "$nic's interrupts on its own node's CPU: exit 0" 0 "$rc"
[ "$rc" = 0 ] || echo "$out"
pin_irqs 0
for i in "/sys/bus/pci/devices/$numa_dev/msi_irqs"/*; do
    echo "   irq ${i##*/} on CPU $(cat "/proc/irq/${i##*/}/effective_affinity_list")"
done
rc=0
"$AGENTCTL" doctor --interval 0 --json irq-numa >"$work/numa.json" 2>&1 || rc=$?
bed_check_eq "pinned to node 0's CPU: exit 1 (a warning)" 1 "$rc"
bed_check_eq "the finding names the NIC" "warning irq-numa $numa_dev" \
    "$(jq -r '.findings[] | "\(.severity) \(.check) \(.object)"' "$work/numa.json")"
bed_check "... and node 1's CPUs in the fix" \
    grep -q "pin the NIC's interrupts to node 1's CPUs (1)" "$work/numa.json"
[ "$rc" = 1 ] || cat "$work/numa.json"

# A vhost-net worker, as a VM's qemu makes one: VHOST_SET_OWNER on
# /dev/vhost-net starts the kernel thread "vhost-<owner pid>", which lives
# as long as the owner holds the fd.
pin_irqs 1
modprobe vhost_net
python3 -c '
import fcntl, os, time
fd = os.open("/dev/vhost-net", os.O_RDWR)
fcntl.ioctl(fd, 0xAF01)  # VHOST_SET_OWNER, _IO(0xAF, 0x01)
open("'"$work/owner"'", "w").write(str(os.getpid()))
time.sleep(600)
' &
owner_job=$!
bed_wait_for 10 test -s "$work/owner"
owner_pid=$(cat "$work/owner")
vhost=$(pgrep -x "vhost-$owner_pid")
bed_check "VHOST_SET_OWNER started vhost-$owner_pid (${vhost:-none})" test -n "$vhost"
taskset -pc 1 "$vhost" >/dev/null
rc=0
out=$("$AGENTCTL" doctor --interval 0 irq-numa 2>&1) || rc=$?
bed_check_eq "vhost worker allowed on the NIC's node: exit 0" 0 "$rc"
[ "$rc" = 0 ] || echo "$out"
taskset -pc 0 "$vhost" >/dev/null
rc=0
"$AGENTCTL" doctor --interval 0 --json irq-numa >"$work/vhost.json" 2>&1 || rc=$?
bed_check_eq "vhost worker only on node 0's CPU: exit 1 (a warning)" 1 "$rc"
bed_check_eq "the finding names the worker" "warning irq-numa vhost-$owner_pid" \
    "$(jq -r '.findings[] | "\(.severity) \(.check) \(.object)"' "$work/vhost.json")"
bed_check "... with its allowed CPUs as evidence" \
    grep -q "Cpus_allowed_list: 0" "$work/vhost.json"
[ "$rc" = 1 ] || cat "$work/vhost.json"
kill "$owner_job"
wait "$owner_job" 2>/dev/null
rm -rf "$work"
bed_summary
