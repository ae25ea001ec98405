#!/bin/bash
# deploy/kubernetes/ against the programs it runs. Kubernetes cannot run
# here, so what can be proved client-side is:
# - kubectl parses every manifest into a DaemonSet and a ConfigMap
#   (`kubectl annotate --local --dry-run=client`: `apply --dry-run=client
#   --validate=false` still asks an API server for its resource list);
# - the DaemonSet: host network, RollingUpdate with maxUnavailable, not
#   privileged, capabilities NET_ADMIN and SYS_PTRACE only, NODE_NAME from
#   the downward API and passed as --node, every option of its args one
#   offload-agent accepts (--help), the readiness probe agentctl status
#   on the socket the daemon listens on, the metrics file inside the
#   hostPath mount, every mount a defined volume, /sys writable;
# - every spec of the ConfigMap passes agentctl validate.
#   kubernetes.sh OFFLOAD_AGENT AGENTCTL
set -euo pipefail
agent=$1
agentctl=$2
top=$(cd "$(dirname "$0")/../.." && pwd)
dir=$top/deploy/kubernetes
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
command -v kubectl >/dev/null || fail "kubectl not found (apt-get install kubernetes-client)"

names=$(kubectl annotate --local --dry-run=client -f "$dir" \
    offload-agent.io/checked=1 -o name) || fail "kubectl cannot parse $dir"
[ "$(sort <<<"$names" | tr '\n' ' ')" = "configmap/offload-agent-specs daemonset.apps/offload-agent " ] ||
    fail "objects: $names"
kubectl annotate --local --dry-run=client -f "$dir/daemonset.yaml" \
    offload-agent.io/checked=1 -o json >"$tmp/ds.json"
kubectl annotate --local --dry-run=client -f "$dir/configmap.yaml" \
    offload-agent.io/checked=1 -o json >"$tmp/cm.json"

q() { jq -r "$1" "$tmp/ds.json"; }
pod='.spec.template.spec'
c="$pod.containers[0]"
[ "$(q "$pod.hostNetwork")" = true ] || fail "not hostNetwork"
[ "$(q '.spec.updateStrategy.type')" = RollingUpdate ] || fail "not RollingUpdate"
[ "$(q '.spec.updateStrategy.rollingUpdate.maxUnavailable')" != null ] || fail "no maxUnavailable"
[ "$(q "$c.securityContext.privileged")" = false ] || fail "privileged"
[ "$(q "$c.securityContext.capabilities.drop | join(\",\")")" = ALL ] || fail "capabilities not dropped"
[ "$(q "$c.securityContext.capabilities.add | sort | join(\",\")")" = NET_ADMIN,SYS_PTRACE ] ||
    fail "capabilities: $(q "$c.securityContext.capabilities.add")"
[ "$(q "$c.env[] | select(.name == \"NODE_NAME\") | .valueFrom.fieldRef.fieldPath")" = spec.nodeName ] ||
    fail "NODE_NAME not from the downward API"

mapfile -t args < <(q "$c.args[]")
help=$("$agent" --help)
node= socket= metrics= spec_dir=
for ((i = 0; i < ${#args[@]}; i++)); do
    a=${args[$i]}
    case "$a" in
        --*)
            grep -q -- "$a " <<<"$help" || fail "offload-agent has no option $a"
            case "$a" in
                --node) node=${args[$((i + 1))]} ;;
                --socket) socket=${args[$((i + 1))]} ;;
                --metrics-file) metrics=${args[$((i + 1))]} ;;
                --spec-dir) spec_dir=${args[$((i + 1))]} ;;
            esac
            ;;
    esac
done
[ "$node" = '$(NODE_NAME)' ] || fail "--node is '$node', not \$(NODE_NAME)"
probe=$(q "$c.readinessProbe.exec.command | join(\" \")")
[ "$probe" = "/usr/sbin/agentctl --socket $socket status" ] ||
    fail "readiness probe '$probe' is not agentctl status on $socket"

# Every path the daemon uses is inside a mount, and each mount a volume.
mounted() {
    local path=$1 m
    for m in $(q "$c.volumeMounts[].mountPath"); do
        [[ "$path" == "$m"/* || "$path" == "$m" ]] && return 0
    done
    return 1
}
for p in "$socket" "$metrics" "$spec_dir" /sys /run/openvswitch/db.sock \
    /var/lib/offload-agent; do
    mounted "$p" || fail "$p is not in a mounted volume"
done
for v in $(q "$c.volumeMounts[].name"); do
    [ "$(q "$pod.volumes[] | select(.name == \"$v\") | .name")" = "$v" ] ||
        fail "mount $v has no volume"
done
[ "$(q "$c.volumeMounts[] | select(.mountPath == \"/sys\") | .readOnly // false")" = false ] ||
    fail "/sys mounted read-only"
[ "$(q "$pod.volumes[] | select(.name == \"metrics\") | .hostPath.path")" != null ] ||
    fail "the metrics directory is not a hostPath"

# The ConfigMap's specs are valid, default.json among them.
jq -e '.data["default.json"]' "$tmp/cm.json" >/dev/null || fail "no default.json in the ConfigMap"
n=0
for key in $(jq -r '.data | keys[]' "$tmp/cm.json"); do
    jq -r --arg k "$key" '.data[$k]' "$tmp/cm.json" >"$tmp/$key"
    out=$("$agentctl" validate "$tmp/$key" 2>&1) || fail "ConfigMap key $key: $out"
    n=$((n + 1))
done
echo "deploy/kubernetes: DaemonSet and ConfigMap parse, $n specs valid, args, probe and mounts consistent"
