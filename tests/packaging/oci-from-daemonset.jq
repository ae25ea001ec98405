# deploy/kubernetes/daemonset.yaml (as kubectl prints it in JSON) to the
# OCI runtime config (config.json) a Kubernetes node's container runtime
# would give its container, for crun. Everything the pod may do comes
# from the DaemonSet: command and args ($(VAR) expanded from env as
# kubelet does), env (spec.nodeName from the downward API is $node),
# user, capabilities, no_new_privs, read-only root, host namespaces,
# volume mounts (hostPath: the same host path; configMap: $configmap, a
# directory laid out as kubelet's atomic writer lays it out) and the
# memory limit. A setting this translation does not know fails it, so
# the DaemonSet cannot grow a privilege the test does not give.
#   jq --arg node NAME --arg configmap DIR --arg rootfs DIR -f THIS ds.json

def fail(msg): error("daemonset.yaml: " + msg);

# "128Mi" -> bytes.
def quantity:
  capture("^(?<n>[0-9]+)(?<u>Ki|Mi|Gi)?$") //
    fail("memory quantity \(.) not understood")
  | (.n | tonumber) * ({"": 1, "Ki": 1024, "Mi": 1048576,
                        "Gi": 1073741824}[.u // ""]);

.spec.template.spec as $pod
| ($pod.containers | if length == 1 then .[0]
                     else fail("one container expected") end) as $c
| ($c.securityContext // {}) as $sc
| ($c.env // []
   | map({key: .name,
          value: (if .value != null then .value
                  elif .valueFrom.fieldRef.fieldPath == "spec.nodeName"
                  then $node
                  else fail("env \(.name): only a value or spec.nodeName")
                  end)})
   | from_entries) as $env
| def expand: reduce ($env | to_entries[]) as $e
      (.; gsub("\\$\\(" + $e.key + "\\)"; $e.value));
  if $sc.privileged == true then fail("privileged") else . end
| if ($sc.capabilities.drop // []) != ["ALL"]
  then fail("capabilities: drop ALL expected") else . end
| ($sc.capabilities.add // [] | map("CAP_" + .)) as $caps
| ($c.volumeMounts // []) as $vm
| [$vm[] | .mountPath] as $mounted
# The runtime's own mounts (containerd's defaults for a pod that is not
# privileged), less those a volume replaces (/sys: the host's, writable).
| [ {destination: "/proc", type: "proc", source: "proc",
     options: ["nosuid", "noexec", "nodev"]},
    {destination: "/dev", type: "tmpfs", source: "tmpfs",
     options: ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {destination: "/dev/pts", type: "devpts", source: "devpts",
     options: ["nosuid", "noexec", "newinstance", "ptmxmode=0666",
               "mode=0620", "gid=5"]},
    {destination: "/dev/shm", type: "tmpfs", source: "shm",
     options: ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]},
    {destination: "/dev/mqueue", type: "mqueue", source: "mqueue",
     options: ["nosuid", "noexec", "nodev"]},
    {destination: "/sys", type: "sysfs", source: "sysfs",
     options: ["nosuid", "noexec", "nodev", "ro"]},
    {destination: "/sys/fs/cgroup", type: "cgroup", source: "cgroup",
     options: ["nosuid", "noexec", "nodev", "relatime", "ro"]} ]
  | map(select(.destination as $d
               | $mounted | all(. as $m | $d != $m and
                                 ($d | startswith($m + "/")) == false)))
  as $defaults
| {
    ociVersion: "1.0.2",
    process: {
      terminal: false,
      user: {uid: ($sc.runAsUser // 0), gid: ($sc.runAsGroup // 0)},
      args: (($c.command // fail("no command")) + ($c.args // [])
             | map(expand)),
      env: (["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]
            + ($env | to_entries | map("\(.key)=\(.value)"))),
      cwd: "/",
      capabilities: {bounding: $caps, effective: $caps, permitted: $caps},
      noNewPrivileges: ($sc.allowPrivilegeEscalation == false)
    },
    root: {path: $rootfs, readonly: ($sc.readOnlyRootFilesystem == true)},
    mounts: ($defaults + [
      $vm[] | . as $m
      | ([$pod.volumes[] | select(.name == $m.name)]
         | if length == 1 then .[0]
           else fail("mount \($m.name): no volume") end) as $v
      | {destination: $m.mountPath, type: "bind",
         source: (if $v.hostPath then $v.hostPath.path
                  elif $v.configMap then $configmap
                  else fail("volume \($v.name): hostPath or configMap only")
                  end),
         options: (["rbind", "rprivate"]
                   + (if $m.readOnly then ["ro"] else [] end))}
    ]),
    linux: {
      namespaces: ([{type: "mount"}, {type: "ipc"}, {type: "cgroup"}]
                   + (if $pod.hostNetwork then []
                      else [{type: "network"}, {type: "uts"}] end)
                   + (if $pod.hostPID then [] else [{type: "pid"}] end)),
      resources: (if $c.resources.limits.memory
                  then {memory: {limit: ($c.resources.limits.memory
                                         | quantity)}}
                  else {} end),
      # containerd's defaults for a pod that is not privileged.
      maskedPaths: ["/proc/acpi", "/proc/kcore", "/proc/keys",
                    "/proc/latency_stats", "/proc/timer_list",
                    "/proc/timer_stats", "/proc/sched_debug",
                    "/proc/scsi", "/sys/firmware"],
      readonlyPaths: ["/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq",
                      "/proc/sys", "/proc/sysrq-trigger"]
    }
  }
