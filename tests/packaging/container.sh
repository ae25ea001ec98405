#!/bin/bash
# The agent inside a container, as deploy/kubernetes/daemonset.yaml runs
# it, converging the kernel test bed's host. Kubernetes cannot run here;
# crun (Debian's, OCI) runs the container a node's runtime would run:
#   container.sh prepare DEB_DIR OUT   on the host (fixture oa-ctr)
#   container.sh check OUT             in the bed guest
# prepare: the image's root file system from the project's .deb (dpkg -x,
# plus the shared libraries its programs load, from the host: Debian 12's,
# what the Containerfile's apt-get would install) and the DaemonSet as
# kubectl parses it (OUT/daemonset.json; kubectl is too slow to start
# under TCG). Together 1 to 6 s (kubectl's start): no cache.
# check: the bed's NIC (netdevsim1 in legacy mode, no VFs) and OVS (with
# hw-offload already on: a pod cannot restart ovs-vswitchd,
# docs/kubernetes.md); a ConfigMap directory laid out by kubelet's atomic
# writer with the ConfigMap example's default.json and NODE.json, the bed
# spec; oci-from-daemonset.jq makes config.json from the DaemonSet alone
# (mounts, capabilities, user, no_new_privs, read-only root, host network
# and PID, NODE_NAME from the downward API, memory limit). Checks:
#   the agent runs with exactly the DaemonSet's capabilities, no_new_privs,
#   a read-only root, the host's network and PID namespaces;
#   the readiness probe (its command from the DaemonSet, run as kubelet
#   runs it: an exec with the container's process settings) answers 0,
#   and the host is the spec's (switchdev, 2 VFs, both representors in
#   ovs-sriov, hw-offload), read on the host; the metrics file and the
#   control socket appear on the host through their hostPaths;
#   a ConfigMap update (new bridge) is followed without a restart, the
#   pickup latency printed; with NODE.json removed the node falls back to
#   default.json (a NIC this host lacks) and the probe fails;
#   SIGTERM stops the agent within terminationGracePeriodSeconds.
set -u
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)

prepare() {
    local debdir=$1 out=$2 debs f lib root
    debs=("$debdir"/offload-agent_*.deb)
    [ "${#debs[@]}" = 1 ] && [ -f "${debs[0]}" ] || {
        echo "no single offload-agent_*.deb in $debdir (the package-deb test builds it)" >&2
        return 1
    }
    root=$out/rootfs
    rm -rf "$out" && mkdir -p "$root" || return
    dpkg -x "${debs[0]}" "$root" || return
    # The libraries (and loader) at the paths the programs look them up.
    for f in "$root"/usr/sbin/*; do
        ldd "$f" | awk '/=> \// { print $3 } /^\t\/[^ ]* \(/ { print $1 }'
    done | sort -u | while read -r lib; do
        mkdir -p "$root${lib%/*}" && cp -L "$lib" "$root$lib" || exit 1
    done || return
    # Mount points: the root is read-only in the container.
    mkdir -p "$root"/{proc,dev,sys,run,tmp,etc} || return
    command -v kubectl >/dev/null || {
        echo "kubectl not found (apt-get install kubernetes-client)" >&2
        return 1
    }
    for f in daemonset configmap; do
        kubectl annotate --local --dry-run=client -o json \
            -f "$top/deploy/kubernetes/$f.yaml" offload-agent.io/bed=1 \
            >"$out/$f.json" || return
    done
    echo "container root: $(du -sh "$root" | cut -f1) from $(basename "${debs[0]}")"
}

# ------------------------------------------------------------------ check --

# shellcheck source=tests/bed/lib.sh
[ "${1:-}" = prepare ] || . "${OA_BED_LIB:-$here/../bed/lib.sh}"

node=bed-node-7
ctr=offload-agent
run=/run/oa-ctr
cm=$run/configmap
ds_q() { jq -r "$1" "$out/daemonset.json"; }

# cm_publish KEY=FILE...: the ConfigMap's new contents, written as
# kubelet's atomic writer does: a new ..TIMESTAMP directory, ..data
# swapped by rename(2), KEY symlinks into ..data made for new keys and
# removed for gone ones, the old directory removed last.
generation=0
cm_publish() {
    local new old kv f
    generation=$((generation + 1))
    new=..2026_12_03_04_00_00.$generation
    old=$(readlink "$cm/..data" 2>/dev/null)
    mkdir -p "$cm/$new" || return
    for kv in "$@"; do
        cp "${kv#*=}" "$cm/$new/${kv%%=*}" || return
    done
    ln -s "$new" "$cm/..data_tmp" && mv -T "$cm/..data_tmp" "$cm/..data" || return
    for kv in "$@"; do
        [ -L "$cm/${kv%%=*}" ] || ln -s "..data/${kv%%=*}" "$cm/${kv%%=*}" || return
    done
    for f in "$cm"/*; do
        [ -e "$f" ] || rm -f "$f"
    done
    [ -z "$old" ] || rm -rf "${cm:?}/$old"
}

# The readiness probe: its command from the DaemonSet, run in the
# container with the container's own process settings (user,
# capabilities, no_new_privs), as kubelet's exec probe is. Not its
# timeoutSeconds: under TCG on a loaded machine one crun exec takes 2 to
# 6 s (measured; probe.log has each), which a node does in milliseconds.
probe() {
    local t=$SECONDS rc=0
    timeout 60 crun exec --process "$run/probe.json" "$ctr" 2>"$run/probe.err" || rc=$?
    echo "probe $t..$SECONDS s: exit $rc $(head -c 300 "$run/probe.err")" >>"$run/probe.log"
    cat "$run/probe.err" >&2
    return "$rc"
}
probe_ok() { probe >/dev/null 2>&1; }
# The agent's stdout and stderr (its log: no journal in the container).
start_container() {
    crun run --detach --bundle "$1" --pid-file "$run/pid" "$ctr" \
        </dev/null >"$run/agent.log" 2>&1
}
probe_fails() { ! probe >/dev/null 2>&1; }

# The capability mask of the DaemonSet's list, from the kernel's header.
cap_mask() {
    local name n mask=0
    for name in $(ds_q '.spec.template.spec.containers[0].securityContext.capabilities.add[]'); do
        n=$(awk -v c="CAP_$name" '$1 == "#define" && $2 == c { print $3 }' \
            /usr/include/linux/capability.h)
        [ -n "$n" ] || return
        mask=$((mask | (1 << n)))
    done
    printf '%016x\n' "$mask"
}
status_field() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$pid/status"; }

# Every representor of the spec's two VFs in bridge $1 (read on the host).
reps_in() {
    local vf rep
    for vf in 0 1; do
        rep=$(bed_rep_netdev netdevsim/netdevsim1 "$vf") || return
        [ "$(ovs-vsctl port-to-br "$rep")" = "$1" ] || return
    done
}

check() {
    out=$(cd "$1" && pwd)
    local t0=$SECONDS c='.spec.template.spec.containers[0]' bundle=$run/bundle
    local rc t_swap grace v path type
    pid=

    # The node: its NIC and OVS, as a host has them before the agent.
    modprobe netdevsim mlx5_legacy_vf_ndos=1 mlx5_port_fn_hw_addr=1 \
        mlx5_vf_reset=1 mlx5_esw_busy=1 mlx5_steering_param=1 || return
    bed_check "netdevsim1 (legacy, no VFs)" bed_nsim_new 1 1 || return
    bed_check "OVS started, hw-offload on" bed_ovs_start hw-offload=true || return
    # kubelet makes a DirectoryOrCreate hostPath and refuses a missing
    # Directory; a fresh node has no agent state.
    rm -rf /var/lib/offload-agent
    for v in $(ds_q '.spec.template.spec.volumes[] | select(.hostPath) | .name'); do
        path=$(ds_q ".spec.template.spec.volumes[] | select(.name == \"$v\") | .hostPath.path")
        type=$(ds_q ".spec.template.spec.volumes[] | select(.name == \"$v\") | .hostPath.type // \"\"")
        case $type in
            DirectoryOrCreate) mkdir -p "$path" ;;
            Directory) bed_check "hostPath $path exists" test -d "$path" ;;
            *) bed_fail "volume $v: hostPath type '$type' not handled" ;;
        esac
    done

    # The ConfigMap: the example's default.json, and this node's spec.
    mkdir -p "$cm" "$bundle" || return
    jq -r '.data["default.json"]' "$out/configmap.json" >"$run/default.json" || return
    cm_publish default.json="$run/default.json" \
        "$node.json=$top/packaging/examples/bed-netdevsim.json" || return
    jq --arg node "$node" --arg configmap "$cm" --arg rootfs "$out/rootfs" \
        -f "$here/oci-from-daemonset.jq" "$out/daemonset.json" >"$bundle/config.json" || return
    jq --argjson cmd "$(ds_q "$c.readinessProbe.exec.command")" \
        '.process | .args = $cmd' "$bundle/config.json" >"$run/probe.json" || return
    echo "    container: $(jq -c .process.args "$bundle/config.json")"

    bed_check "crun run (detached)" start_container "$bundle" || {
        sed 's/^/    agent: /' "$run/agent.log"
        return 1
    }
    pid=$(cat "$run/pid")
    echo "    container started $((SECONDS - t0)) s after the test started"
    bed_check "readiness probe answers 0 (converged)" bed_wait_for 120 probe_ok || {
        probe 2>&1 | sed 's/^/    probe: /'
        tail -30 "$run/agent.log" | sed 's/^/    agent: /'
    }
    echo "    converged $((SECONDS - t0)) s after the test started"
    probe 2>&1 | sed 's/^/    probe: /'

    # The container is the DaemonSet's, as the kernel sees the process.
    bed_check_eq "agent's capabilities (effective) are the DaemonSet's" \
        "$(cap_mask)" "$(status_field CapEff)"
    bed_check_eq "bounding set the same" "$(cap_mask)" "$(status_field CapBnd)"
    bed_check_eq "no_new_privs (allowPrivilegeEscalation: false)" 1 "$(status_field NoNewPrivs)"
    bed_check_eq "host network namespace (hostNetwork)" \
        "$(readlink /proc/self/ns/net)" "$(readlink "/proc/$pid/ns/net")"
    bed_check_eq "host PID namespace (hostPID)" \
        "$(readlink /proc/self/ns/pid)" "$(readlink "/proc/$pid/ns/pid")"
    bed_check "own mount namespace" \
        test "$(readlink /proc/self/ns/mnt)" != "$(readlink "/proc/$pid/ns/mnt")"
    bed_check_eq "root file system read-only" ro \
        "$(awk '$5 == "/" { split($6, o, ","); print o[1] }' "/proc/$pid/mountinfo")"
    bed_check "runs the package's program" cmp -s "/proc/$pid/exe" "$out/rootfs/usr/sbin/offload-agent"

    # The host converged, seen from the host.
    bed_check_eq "eswitch switchdev" switchdev "$(bed_eswitch netdevsim/netdevsim1)"
    bed_check_eq "2 VFs" 2 "$(cat "$(bed_nsim_sysfs 1)/sriov_numvfs")"
    bed_check "both representors in ovs-sriov" bed_wait_for 30 reps_in ovs-sriov
    bed_check_eq "hw-offload in the database" '"true"' \
        "$(ovs-vsctl get Open_vSwitch . other_config:hw-offload)"
    path=$(jq -r '.process.args as $a | $a[($a | index("--metrics-file")) + 1]' "$bundle/config.json")
    bed_check "metrics file on the host ($path): converged 1" \
        grep -qx 'offload_agent_converged 1' "$path"
    path=$(jq -r '.process.args as $a | $a[($a | index("--socket")) + 1]' "$bundle/config.json")
    rc=0
    "$out/rootfs/usr/sbin/agentctl" --socket "$path" status >/dev/null 2>&1 || rc=$?
    bed_check_eq "agentctl on the host, through the hostPath socket: status" 0 "$rc"

    # A ConfigMap update: the node's spec names another bridge.
    jq '.bridges[0].name = "ovs-ctr2" | .pfs[0].bridge = "ovs-ctr2"' \
        "$top/packaging/examples/bed-netdevsim.json" >"$run/moved.json" || return
    t_swap=$SECONDS
    cm_publish default.json="$run/default.json" "$node.json=$run/moved.json" || return
    bed_check "ConfigMap update followed: representors in ovs-ctr2" bed_wait_for 60 reps_in ovs-ctr2
    echo "    ConfigMap update to representors moved: $((SECONDS - t_swap)) s (1 s resolution)"
    bed_check "readiness probe answers 0 again" bed_wait_for 60 probe_ok
    # NODE.json removed: the node falls back to default.json, whose PF
    # this host lacks: not ready.
    cm_publish default.json="$run/default.json" || return
    bed_check "NODE.json removed: default.json, not ready (probe fails)" bed_wait_for 60 probe_fails
    rc=0
    probe >/dev/null 2>&1 || rc=$?
    echo "    probe exit $rc: $(probe 2>&1 | head -3 | tr '\n' ' ')"

    # Pod deletion: SIGTERM, then SIGKILL after the grace period.
    grace=$(ds_q '.spec.template.spec.terminationGracePeriodSeconds // 30')
    crun kill "$ctr" TERM
    bed_check "SIGTERM: the agent exits within ${grace} s" bed_wait_for "$grace" test ! -e "/proc/$pid"
    crun delete --force "$ctr" >/dev/null 2>&1
    echo "    agent log: $(grep -c . "$run/agent.log") lines; last:"
    tail -5 "$run/agent.log" | sed 's/^/    agent: /'
    echo "container test: $((SECONDS - t0)) s in the guest"
    tail -20 "$run/probe.log"
    bed_summary
}

case "${1:-}" in
    prepare) prepare "$2" "$3" ;;
    check) check "$2" ;;
    *)
        echo "usage: $0 prepare DEB_DIR OUT | check OUT" >&2
        exit 2
        ;;
esac
