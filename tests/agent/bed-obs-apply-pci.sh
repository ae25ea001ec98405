#!/bin/bash
# Bed test of agent/obs.c and agent/apply.c on a real PCI SR-IOV device
# (qemu's NVMe controller: tests/bed/run with OA_BED_PCI=1): a PF found
# by PCI address but without a netdev is found as a device alone (its VF
# count and binding are managed);
# bind-vf / unbind-vf steps on real PCI VFs, read before write; set-numvfs
# with autoprobe off (what the planner asks when the spec names a
# vf_driver): the VFs come up unbound although nvme would take them (no
# bind uevent before the agent's own bind-vf), wait-vfs sees their PCI
# functions, autoprobe reads as it did before. No OVS runs: obs reports
# it not connected.
#   tests/agent/bed-obs-apply-pci.sh PATH/TO/bed-obs-apply
set -u
prog=$1
# shellcheck source=tests/bed/lib.sh
. "${OA_BED_LIB:-$(dirname "$0")/../bed/lib.sh}"
work=${TMPDIR:-/tmp}/bed-obs-apply-pci
mkdir -p "$work"

field() {
    printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p" | head -1
}
rest() {
    printf '%s\n' "$2" | sed -n "s/.* $1=//p" | head -1
}
line() {
    printf '%s\n' "$2" | grep -m1 "^$1"
}
drv() {
    local l
    l=$(readlink "/sys/bus/pci/devices/$1/driver") || {
        echo -
        return
    }
    echo "${l##*/}"
}

modprobe nvme || exit 1
modprobe pci-stub 2>/dev/null
pf=$(bed_pci_sriov_pfs | head -1)
[ -n "$pf" ] || { echo "no SR-IOV PCI device in the guest"; exit 1; }
sys=/sys/bus/pci/devices/$pf
cat >"$work/pci.json" <<EOF
{"version": 1, "ovs": {"db": "unix:$work/no-db.sock"},
 "pfs": [{"pci": "$pf", "num_vfs": 2, "vf_driver": "pci-stub"}]}
EOF

out=$("$prog" --ovs-timeout 0 obs "$work/pci.json")
bed_check_eq "obs_collect succeeds" 0 "$?"
printf '%s\n' "$out"
p=$(line "pf=0 " "$out")
bed_check_eq "NVMe PF without a netdev: found as a device alone" \
    "found=1 netdev= ifindex=0 dev=$pf num_vfs=0 total_vfs=2" \
    "$(printf 'found=%s netdev=%s ifindex=%s dev=%s num_vfs=%s total_vfs=%s' \
        "$(field found "$p")" "$(field netdev "$p")" "$(field ifindex "$p")" \
        "$(field dev "$p")" "$(field num_vfs "$p")" "$(field total_vfs "$p")")"
bed_check_eq "no ovsdb-server: not connected" 1 \
    "$(line "ovs " "$out" | grep -c 'connected=0')"

echo 0 >"$sys/sriov_drivers_autoprobe"
echo 2 >"$sys/sriov_numvfs"
vf0=$(basename "$(readlink "$sys/virtfn0")")
vf1=$(basename "$(readlink "$sys/virtfn1")")
echo "VFs $vf0 $vf1, drivers $(drv "$vf0") $(drv "$vf1")"

a() { "$prog" --ovs-timeout 0 apply "$work/pci.json" "$@"; }
out=$(a "bind=pci:$vf0,pci-stub" "bind=pci:$vf1,pci-stub")
rc=$?
printf '%s\n' "$out"
bed_check_eq "bind-vf both VFs" 0 "$rc"
bed_check_eq "sysfs: both bound to pci-stub" "pci-stub pci-stub" \
    "$(drv "$vf0") $(drv "$vf1")"
bed_check_eq "driver_override set" pci-stub \
    "$(cat "/sys/bus/pci/devices/$vf0/driver_override")"
out=$(a "bind=pci:$vf0,pci-stub")
printf '%s\n' "$out"
bed_check_eq "bind again: unchanged" "unchanged: $vf0 bound to pci-stub" \
    "$(rest msg "$(line step=0 "$out")")"
out=$(a "unbind=pci:$vf0" "unbind=pci:$vf0")
printf '%s\n' "$out"
bed_check_eq "unbind-vf, then again: unchanged" \
    "0 $vf0 unbound from pci-stub|unchanged: $vf0 not bound" \
    "$?$(printf ' %s|%s' "$(rest msg "$(line step=0 "$out")")" \
        "$(rest msg "$(line step=1 "$out")")")"
bed_check_eq "sysfs: VF 0 unbound" - "$(drv "$vf0")"
out=$(a "bind=pci:$vf0,no-such-driver")
res=$(line result "$out")
printf '%s\n' "$out"
bed_check_eq "bind to a driver not loaded: refused with the step named" \
    "0 -2 bind-vf $vf0: No such file or directory" \
    "$(printf '%s %s %s' "$(field failed_step "$res")" \
        "$(field error "$res")" "$(rest message "$res")")"

echo 0 >"$sys/sriov_numvfs"
echo 1 >"$sys/sriov_drivers_autoprobe"

# ------------------------------------------ set-numvfs, autoprobe off --
# uevents PID_VAR FILE: the kernel's uevents ("ACTION@DEVPATH DRIVER=x"),
# one a line, into FILE from a background listener (no udev in the guest)
# whose pid goes into PID_VAR; returns once it listens.
uevents() {
    perl -e '
        use Socket;
        socket(my $s, 16, SOCK_DGRAM, 15) or die "socket: $!";
        bind($s, pack("S S L L", 16, 0, 0, 1)) or die "bind: $!";
        $| = 1;
        print "listening\n";
        while (defined(recv($s, my $buf, 65536, 0))) {
            my @f = split /\0/, $buf;
            my ($drv) = grep { /^DRIVER=/ } @f;
            print $f[0], ($drv ? " $drv" : ""), "\n";
        }' >"$2" 2>&1 &
    printf -v "$1" '%s' $!
    bed_wait_for 10 grep -q listening "$2"
}
# vf_binds FILE: the bind uevents of this PF's VFs in FILE ("ADDR DRIVER").
vf_binds() {
    sed -n "s|^bind@.*/\([0-9a-f:.]*\) DRIVER=\(.*\)|\1 \2|p" "$1" |
        grep -v "^$pf "
}

bed_check_eq "autoprobe on, as on a fresh host" 1 \
    "$(cat "$sys/sriov_drivers_autoprobe")"
watcher=
uevents watcher "$work/uevents" || bed_fail "uevent listener"
out=$(a numvfs=2,noprobe wait=2,pci)
rc=$?
printf '%s\n' "$out"
bed_check_eq "set-numvfs 0 -> 2 with autoprobe off, then wait-vfs" 0 "$rc"
bed_check_eq "set-numvfs says what it did" \
    "0 -> 2 VFs, autoprobe off during the write, on again" \
    "$(rest msg "$(line "step=0 " "$out")")"
w=$(rest msg "$(line "step=1 " "$out")")
echo "TIMING wait-vfs 2 PCI functions: $(field ms "$(line "step=1 " "$out")") ms"
bed_check_eq "wait-vfs: both PCI functions there" \
    "2 of 2 VF PCI functions of $pf" "${w% after *}"
bed_check_eq "autoprobe reads 1 again" 1 "$(cat "$sys/sriov_drivers_autoprobe")"
vf0=$(basename "$(readlink "$sys/virtfn0")")
vf1=$(basename "$(readlink "$sys/virtfn1")")
bed_check_eq "the new VFs are unbound" "- -" "$(drv "$vf0") $(drv "$vf1")"
out=$(a "bind=pci:$vf0,pci-stub" "bind=pci:$vf1,pci-stub")
bed_check_eq "bind-vf binds them (the agent's next round)" 0 "$?"
bed_check_eq "sysfs: both bound to pci-stub" "pci-stub pci-stub" \
    "$(drv "$vf0") $(drv "$vf1")"
kill "$watcher"
wait "$watcher" 2>/dev/null
binds=$(vf_binds "$work/uevents" | tr '\n' ' ')
bed_check_eq "uevents: the VFs were bound once, by bind-vf, never by autoprobe" \
    "$vf0 pci-stub $vf1 pci-stub " "$binds"

echo 0 >"$sys/sriov_numvfs"
echo 0 >"$sys/sriov_drivers_autoprobe"
out=$(a numvfs=2,noprobe)
bed_check_eq "autoprobe off already: left off" \
    "0 -> 2 VFs, autoprobe off already|0" \
    "$(rest msg "$(line "step=0 " "$out")")|$(cat "$sys/sriov_drivers_autoprobe")"

echo 0 >"$sys/sriov_numvfs"
echo 1 >"$sys/sriov_drivers_autoprobe"
bed_summary
