#!/bin/bash
# packaging/offload-agent-vf-switchdev (the VF branch of
# 86-offload-agent-nm-unmanaged.rules) on fake sysfs trees: a VF netdev
# whose PF's PCI device holds representors is a switchdev VF (exit 0);
# a VF of a PF in legacy mode, a netdev that is no VF and a PF whose
# netdevs have no phys_port_name are not (exit 1). The bed has no VF
# netdevs (netdevsim's VFs are no PCI functions), so this is where the
# branch is exercised; the rule's representor branch runs under a real
# udevd in agent-bed-repudev.
set -u
helper=${1:?usage: $0 HELPER}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
pass=0 fail=0

# vf NAME PF_PORT_NAMES...: a VF netdev NAME whose PF has netdevs with
# those phys_port_names ("-": a netdev without one).
vf() {
    local name=$1 pf=$root/$1-pf i=0 pn
    shift
    mkdir -p "$root/$name/device" "$pf/net"
    ln -s "$pf" "$root/$name/device/physfn"
    for pn in "$@"; do
        mkdir -p "$pf/net/n$i"
        [ "$pn" = - ] || echo "$pn" >"$pf/net/n$i/phys_port_name"
        i=$((i + 1))
    done
}

check() {
    local want=$1 desc=$2 got=0
    shift 2
    "$helper" "$@" || got=$?
    if [ "$got" = "$want" ]; then
        echo "PASS: $desc"
        pass=$((pass + 1))
    else
        echo "FAIL: $desc (exit $got, want $want)"
        fail=$((fail + 1))
    fi
}

vf sw p0 pf0vf0 pf0vf1
check 0 "VF of a PF with VF representors (switchdev)" "$root/sw"
vf sf p0 pf0sf3
check 0 "VF of a PF with an SF representor" "$root/sf"
vf mh p0 c1pf0vf2
check 0 "VF of a multi-host PF with representors (c1pf0vf2)" "$root/mh"
vf legacy p0
check 1 "VF of a PF in legacy mode (uplink only)" "$root/legacy"
vf none - -
check 1 "VF of a PF whose netdevs have no phys_port_name" "$root/none"
vf nonet
rmdir "$root/nonet-pf/net"
check 1 "VF of a PF without netdevs" "$root/nonet"
mkdir -p "$root/plain/device"
check 1 "a netdev that is no VF (no device/physfn)" "$root/plain"
check 1 "no such netdev" "$root/missing"
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
