#!/bin/bash
# In the 6.12 bed (OA_BED_KERNEL=6.12), one boot for the whole vDPA suite:
# `agentctl apply` creates vDPA devices from the spec on vdpa_sim_net
# (vfs[].vdpa with mgmtdev vdpasim_net: netdevsim's VFs are no PCI
# functions) and binds them: vhost_vdpa (the char device exists) and
# virtio_vdpa (the netdev exists, has the VF's MAC and passes frames
# through the simulator's loopback). Then: a second run (a new agent
# process reading the state directory) re-creates nothing; a driver change
# re-binds without re-creating; a device deleted by hand comes back; an
# mtu change re-creates the device; a removed VF entry deletes only the
# agent's device, while one made by hand with `vdpa dev add` stays
# throughout. Judged with iproute2's vdpa, sysfs and the record file.
#
# Last, offload-agent: restarted, it adopts the devices without a vDPA
# step; a device deleted or unbound by hand is repaired on the vdpa bus's
# uevent, without a request and long before the periodic resync (the
# repair latency is printed).
#
# usage: bed-agent-vdpa.sh AGENTCTL OFFLOAD_AGENT
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../bed/lib.sh
. "${OA_BED_LIB:-$here/../bed/lib.sh}"
# shellcheck source-path=SCRIPTDIR source=bed-agent-lib.sh
. "$here/bed-agent-lib.sh"

AGENTCTL=$(readlink -f "${1:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
DAEMON=$(readlink -f "${2:?usage: $0 AGENTCTL OFFLOAD_AGENT}")
work=$(mktemp -d /tmp/e2e-vdpa.XXXXXX)
E2E_SPEC=$work/host.json
E2E_STATE_DIR=$work/state
record=$E2E_STATE_DIR/vdpa-devices.json
log=$work/apply.log
dl=$(bed_nsim_devlink 1)
m0=02:00:00:00:07:00
m1=02:00:00:00:07:01
d0=oa-netdevsim_netdevsim1-vf0 # the default name of VF 0
bus=/sys/bus/vdpa/devices

# spec DRIVER0 [DRIVER1 [MTU1 [MAX_VQP1]]]: VF 0's device (default name)
# with DRIVER0, VF 1's ("vm1") with DRIVER1 when given. DISRUPT=allow in
# the environment: "disruptive": "allow" on the PF.
spec() {
    local vf1='' pf=''
    if [ -n "${2:-}" ]; then
        vf1=$(printf ',\n        { "index": 1, "mac": "%s", "vdpa": { "driver": "%s", "name": "vm1", "mgmtdev": "vdpasim_net"%s%s } }' \
            "$m1" "$2" "${3:+, \"mtu\": $3}" "${4:+, \"max_vqp\": $4}")
    fi
    [ -z "${DISRUPT:-}" ] || pf="\"disruptive\": \"$DISRUPT\","
    cat >"$E2E_SPEC" <<EOF
{
  "version": 1,
  "pfs": [
    {
      "devlink": "$dl", $pf
      "eswitch": "switchdev",
      "num_vfs": 2,
      "vfs": [
        { "index": 0, "mac": "$m0", "vdpa": { "driver": "$1", "mgmtdev": "vdpasim_net", "max_vqp": 1 } }$vf1
      ]
    }
  ]
}
EOF
}

apply() {
    e2e_agentctl apply >"$log" 2>&1 || { cat "$log"; return 1; }
}

driver_of() { basename "$(readlink "$bus/$1/driver" 2>/dev/null)"; }
dev_exists() { vdpa dev show "$1" >/dev/null 2>&1; }
# The agent's record lists NAME / does not (the file must be there).
recorded() { jq -e --arg n "$1" '.devices | index($n) != null' "$record" >/dev/null; }
not_recorded() { jq -e --arg n "$1" '.devices | index($n) == null' "$record" >/dev/null; }
both_recorded() { recorded "$d0" && recorded vm1; }
netdev_of() {
    local n
    for n in "$bus/$1"/virtio*/net/*; do
        [ -e "$n" ] && printf '%s\n' "${n##*/}"
    done
}
chardev_of() {
    local n
    for n in "$bus/$1"/vhost-vdpa-*; do
        [ -e "$n" ] && printf '%s\n' "${n##*/}"
    done
}

# The host's own setup, as a boot would do it: modules, one netdevsim
# device, OVS, and a vDPA device someone made by hand.
modprobe -a vdpa_sim_net vhost_vdpa virtio_vdpa virtio_net
bed_nsim_new 1 1 8
bed_ovs_start hw-offload=true
vdpa dev add name hand0 mgmtdev vdpasim_net
bed_check "hand-made hand0 exists" dev_exists hand0

# 1. Create and bind.
spec vhost_vdpa virtio_vdpa
bed_check "apply creates and binds" apply
bed_check "$d0 exists" dev_exists "$d0"
bed_check_eq "$d0 driver" vhost_vdpa "$(driver_of "$d0")"
cdev=$(chardev_of "$d0")
bed_check "/dev/$cdev is a char device" test -n "$cdev" -a -c "/dev/$cdev"
bed_check_eq "vm1 driver" virtio_vdpa "$(driver_of vm1)"
nd=$(netdev_of vm1)
bed_check "vm1 has a virtio netdev" test -n "$nd"
bed_check_eq "its MAC is the VF's" "$m1" "$(cat "/sys/class/net/$nd/address" 2>/dev/null)"
ip link set "$nd" up
ip addr add 10.98.0.1/24 dev "$nd"
ip neigh replace 10.98.0.2 lladdr "$m1" dev "$nd" nud permanent
rx0=$(cat "/sys/class/net/$nd/statistics/rx_packets")
ping -c 3 -i 0.2 -W 1 10.98.0.2 >/dev/null 2>&1
rx1=$(cat "/sys/class/net/$nd/statistics/rx_packets")
bed_check "frames through the simulator's loopback (rx $rx0 -> $rx1)" \
    test "$((rx1 - rx0))" -ge 3
bed_check "both recorded as the agent's" both_recorded
bed_check "hand0 not recorded" not_recorded hand0
bed_check "hand0 untouched" dev_exists hand0
# status: per VF its device, with modern/legacy spelled out.
e2e_agentctl status --json >"$work/status.json" 2>/dev/null
vf_vdpa() { jq -c ".pfs[0].vfs[$1].vdpa | $2" "$work/status.json"; }
bed_check_eq "status VF 0: name, driver, char device" \
    "[\"$d0\",\"vdpasim_net\",\"vhost_vdpa\",\"/dev/$cdev\",null]" \
    "$(vf_vdpa 0 '[.name, .mgmtdev, .driver, .chardev, .netdev]')"
bed_check_eq "status VF 1: driver, netdev, mode" \
    "[\"virtio_vdpa\",null,\"$nd\",\"modern\"]" \
    "$(vf_vdpa 1 '[.driver, .chardev, .netdev, .mode]')"
neg=$(vf_vdpa 1 .negotiated_features | tr -d '"')
bed_check_eq "negotiated features: as many as the vdpa tool's" \
    "$(vdpa -j dev config show vm1 | jq '.config.vm1.negotiated_features | length')" \
    "$(f=$((neg)) n=0; while [ "$f" != 0 ]; do n=$((n + (f & 1))); f=$((f >> 1)); done; echo $n)"
# doctor reads the same through the vdpa family: vm1 negotiated modern,
# hand0 and the vhost device no driver negotiated yet: no finding.
rc=0
"$AGENTCTL" --spec /nonexistent doctor --interval 0 --json vdpa-features \
    >"$work/doctor.json" 2>&1 || rc=$?
bed_check_eq "doctor vdpa-features: exit 0, nothing skipped" "0 0" \
    "$rc $(jq '.skipped | length' "$work/doctor.json" 2>/dev/null)"
[ "$rc" = 0 ] || cat "$work/doctor.json"

# 2. A new agent process: nothing to do, nothing re-created.
bed_check "second apply" apply
bed_check "no vDPA step" sh -c "! grep -Eq 'vdpa-(new|bind|del)' '$log' || { cat '$log'; false; }"
bed_check_eq "$d0 keeps its char device" "$cdev" "$(chardev_of "$d0")"
bed_check_eq "vm1 keeps its netdev" "$nd" "$(netdev_of vm1)"

# 3. Driver change: refused while a process holds the char device (as a
# VM's QEMU would), then re-bound, not re-created.
spec virtio_vdpa virtio_vdpa
exec 7<"/dev/$cdev"
e2e_agentctl apply >"$log" 2>&1
bed_check "apply refuses to re-bind a device in use" \
    grep -q "in use: /dev/$cdev open by .*(pid $$)" "$log"
bed_check_eq "$d0 still on" vhost_vdpa "$(driver_of "$d0")"
exec 7<&-
bed_check "apply after a driver change" apply
bed_check "a vdpa-bind step, no vdpa-new" \
    sh -c "grep -q 'vdpa-bind' '$log' && ! grep -q 'vdpa-new' '$log'"
bed_check_eq "$d0 driver" virtio_vdpa "$(driver_of "$d0")"
bed_check "its char device is gone" test ! -e "/dev/$cdev"
bed_check "it has a netdev" test -n "$(netdev_of "$d0")"

# 4. Drift: vm1 deleted by hand comes back.
vdpa dev del vm1
bed_check "apply repairs a deleted device" apply
bed_check "vm1 exists again" dev_exists vm1
bed_check_eq "vm1 driver" virtio_vdpa "$(driver_of vm1)"

# 5. An mtu change: the kernel cannot change it, the device is re-created;
# not while its netdev is up with an address (in use, as a container's
# would be), unless the PF allows disruption. With it max_vqp 2, which the
# simulator refuses (EOPNOTSUPP, vdpa-sim-max-vqp.patch): created without,
# said so, and not re-created for it on the next round.
nd=$(netdev_of vm1)
ip link set "$nd" up
ip addr add 10.98.0.1/24 dev "$nd"
spec virtio_vdpa virtio_vdpa 1400 2
e2e_agentctl apply >"$log" 2>&1
bed_check "apply refuses to re-create a device whose netdev is in use" \
    grep -q "vm1 is in use: netdev $nd up with 10.98.0.1/24" "$log"
bed_check_eq "vm1 mtu unchanged" 1500 \
    "$(vdpa -j dev config show vm1 | jq -r '.config.vm1.mtu')"
DISRUPT=allow spec virtio_vdpa virtio_vdpa 1400 2
bed_check "apply after an mtu change, disruption allowed" apply
bed_check "vdpa-del then vdpa-new" \
    sh -c "grep -q 'vdpa-del.*vm1' '$log' && grep -q 'vdpa-new.*vm1' '$log'"
bed_check_eq "vm1 mtu" 1400 \
    "$(vdpa -j dev config show vm1 | jq -r '.config.vm1.mtu')"
bed_check "the step says max_vqp 2 was not applied" \
    grep -q "vm1 created on vdpasim_net; max_vqp 2 not applied" "$log"
bed_check "apply again: no re-create for the refused max_vqp" apply
bed_check "no vDPA step" sh -c "! grep -Eq 'vdpa-(new|bind|del)' '$log' || { cat '$log'; false; }"
e2e_agentctl status --json >"$work/status.json" 2>/dev/null
bed_check_eq "status: max_vqp_refused" 2 "$(vf_vdpa 1 .max_vqp_refused)"

# 6. VF 1's entry removed: only the agent's vm1 goes; not while its
# netdev is enslaved (to a bridge here).
nd=$(netdev_of vm1)
ip link add oabr0 type bridge
ip link set "$nd" master oabr0
spec virtio_vdpa
e2e_agentctl apply >"$log" 2>&1
bed_check "apply refuses to delete a device whose netdev is enslaved" \
    grep -q "vm1 is in use: netdev $nd enslaved to oabr0" "$log"
bed_check "vm1 kept" dev_exists vm1
ip link del oabr0
bed_check "apply after removing VF 1's entry" apply
bed_check "vm1 deleted" sh -c "! vdpa dev show vm1 2>/dev/null"
bed_check "vm1 no longer recorded" not_recorded vm1
bed_check "$d0 still recorded" recorded "$d0"
bed_check "$d0 stays" dev_exists "$d0"
bed_check "hand0 stays" dev_exists hand0

# 7. The daemon, started twice on the converged host.
sock=$work/agent.sock
daemon_pid=
daemon_start() {
    "$DAEMON" --spec "$E2E_SPEC" --socket "$sock" \
        --state-dir "$E2E_STATE_DIR" 2>"$1" &
    daemon_pid=$!
}
daemon_stop() { kill "$daemon_pid" && wait "$daemon_pid"; }
converged() {
    "$AGENTCTL" --socket "$sock" --spec "$E2E_SPEC" \
        --state-dir "$E2E_STATE_DIR" status >/dev/null 2>&1
}
nd0=$(netdev_of "$d0")
daemon_start "$work/d1.log"
bed_check "daemon converged" bed_wait_for 60 converged
daemon_stop
daemon_start "$work/d2.log"
bed_check "restarted daemon converged" bed_wait_for 60 converged
bed_check "no vDPA step by either daemon" \
    sh -c "! grep -Eq 'vdpa-(new|bind|del)' '$work/d1.log' '$work/d2.log'"
bed_check_eq "$d0 keeps its netdev" "$nd0" "$(netdev_of "$d0")"
# Drift without asking and well before the periodic resync (300 s after
# the daemon's start, AGENTD_RESYNC_MS): the vdpa bus's uevents.
ms() { echo $(($(date +%s%N) / 1000000)); }
bound_virtio() { [ "$(driver_of "$d0")" = virtio_vdpa ]; }
t0=$(ms)
vdpa dev del "$d0"
bed_check "the daemon re-creates a device deleted by hand" \
    bed_wait_for 60 bound_virtio
lat=$(($(ms) - t0))
echo "repair latency after vdpa dev del: $lat ms"
bed_check "repaired well before the periodic resync ($lat ms < 30 s)" \
    test "$lat" -lt 30000
bed_check "its log names the vdpa-new step" \
    bed_wait_for 10 grep -q "vdpa-new.*$d0" "$work/d2.log"
bed_check "found by the vdpa uevent" \
    grep -q "drift (.*vdpa uevent.*vdpa-new" "$work/d2.log"
# An unbind by hand: re-bound on the unbind uevent.
t0=$(ms)
echo "$d0" >"$bus/$d0/driver/unbind"
bed_check "the daemon re-binds a device unbound by hand" \
    bed_wait_for 60 bound_virtio
lat=$(($(ms) - t0))
echo "re-bind latency after an unbind: $lat ms"
bed_check "re-bound well before the periodic resync ($lat ms < 30 s)" \
    test "$lat" -lt 30000
daemon_stop

bed_summary
