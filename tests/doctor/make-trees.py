#!/usr/bin/env python3
"""Writes the doctor's fixture trees (tests/doctor/TREE/) in the shape
sysfs, procfs, the kernel log, `ethtool -S`/`-g` and `ovs-appctl` give
them. They are written by hand after the field reports (docs/doctor.md),
not recorded from the hardware: we have no ConnectX here. Run it after
changing a tree's description below; the trees are committed so the
tests need nothing but the files.

    tests/doctor/make-trees.py            # rewrites every tree
"""
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))


def put(root, rel, text):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


def link(root, rel, target):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    os.symlink(target, path)


def resource(bars):
    """bars: {n: (start, size, flags)} -> the 13 lines of 'resource'."""
    lines = []
    for i in range(13):
        if i in bars:
            start, size, flags = bars[i]
            end = start + size - 1 if start or size else 0
            lines.append("0x%016x 0x%016x 0x%016x" % (start, end, flags))
        else:
            lines.append("0x%016x 0x%016x 0x%016x" % (0, 0, 0))
    return "\n".join(lines) + "\n"


MEM64 = 0x14220C


def pci(root, path, cls, vendor, device, link_=None, bars=None, driver=None,
        extra=None):
    """path: 'pci0000:00/0000:00:03.0/0000:08:00.0' under sys/devices."""
    addr = path.split("/")[-1]
    d = "sys/devices/" + path
    put(root, d + "/class", "0x%06x\n" % cls)
    put(root, d + "/vendor", "0x%04x\n" % vendor)
    put(root, d + "/device", "0x%04x\n" % device)
    if link_:
        cs, cw, ms, mw = link_
        put(root, d + "/current_link_speed", cs + "\n")
        put(root, d + "/current_link_width", "%d\n" % cw)
        put(root, d + "/max_link_speed", ms + "\n")
        put(root, d + "/max_link_width", "%d\n" % mw)
    put(root, d + "/resource", resource(bars or {0: (0xfe000000, 0x1000,
                                                   0x40200)}))
    link(root, "sys/bus/pci/devices/" + addr,
         "../../../devices/" + path)
    if driver:
        link(root, d + "/driver", "../../../../bus/pci/drivers/" + driver)
        os.makedirs(os.path.join(root, "sys/bus/pci/drivers", driver),
                    exist_ok=True)
    for rel, text in (extra or {}).items():
        put(root, d + "/" + rel, text)
    return d


def netdev(root, devdir, name, depth):
    put(root, devdir + "/net/" + name + "/operstate", "up\n")
    link(root, devdir + "/net/" + name + "/device", "../" * depth +
         devdir.split("/")[-1])
    link(root, "sys/class/net/" + name,
         "../../" + devdir[len("sys/"):] + "/net/" + name)


def port(root, path, link_):
    pci(root, path, 0x060400, 0x8086, 0x2030, link_=link_)


def pcie_config(mps, mps_cap, mrrs):
    """256 bytes of config space with a PCI Express capability at 0x60."""
    enc = {128: 0, 256: 1, 512: 2, 1024: 3, 2048: 4, 4096: 5}
    cfg = bytearray(256)
    cfg[0x06] = 0x10  # status: capability list
    cfg[0x34] = 0x60
    cfg[0x60:0x62] = bytes([0x10, 0x00])  # PCI Express, last
    devcap = enc[mps_cap]
    devctl = enc[mps] << 5 | enc[mrrs] << 12
    cfg[0x64:0x68] = devcap.to_bytes(4, "little")
    cfg[0x68:0x6a] = devctl.to_bytes(2, "little")
    return bytes(cfg)


def put_bytes(root, rel, data):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def cx6dx(root, name, cur_width, slot_width, totalvfs="8", speed="8.0 GT/s PCIe"):
    port(root, "pci0000:00/0000:00:03.0", (speed, slot_width, speed,
                                           slot_width))
    extra = {"sriov_totalvfs": totalvfs + "\n", "sriov_numvfs": "0\n"}
    d = pci(root, "pci0000:00/0000:00:03.0/0000:08:00.0", 0x020000, 0x15B3,
            0x101D, link_=(speed, cur_width, speed, 8),
            bars={0: (0xe0000000, 0x2000000, MEM64)}, driver="mlx5_core",
            extra=extra)
    put_bytes(root, d + "/config", pcie_config(256, 512, 512))
    netdev(root, d, name, 2)


def counters(root, ifname, before, after, ring=(1024, 8192)):
    for i, vals in enumerate((before, after)):
        text = "NIC statistics:\n" + "".join(
            "     %s: %d\n" % kv for kv in vals.items())
        put(root, "ethtool/%s/stats.%d" % (ifname, i), text)
    put(root, "ethtool/%s/rings" % ifname, "rx %d %d\n" % ring)
    put(root, "ethtool/interval_ms", "5000\n")


def features(version_1):
    bits = ["0"] * 64
    bits[0] = bits[5] = bits[16] = "1"
    bits[32] = "1" if version_1 else "0"
    return "".join(bits) + "\n"


def virtio_net(root, slot, addr, device, version_1, bars, vnum, ifname,
               bound=True):
    rp = "pci0000:00/0000:00:%s" % slot
    # qemu's root port: the current speed it reports is lower while idle.
    port(root, rp, ("2.5 GT/s PCIe", 1, "16.0 GT/s PCIe", 32))
    d = pci(root, rp + "/" + addr, 0x020000, 0x1AF4, device,
            link_=("Unknown", 0, "Unknown", 0), bars=bars,
            driver="virtio-pci",
            extra={"virtio%d/features" % vnum:
                   features(version_1) if bound else "0" * 64 + "\n",
                   "virtio%d/device" % vnum: "0x0001\n"})
    if bound:
        link(root, d + "/virtio%d/driver" % vnum,
             "../../../../../bus/virtio/drivers/virtio_net")
        netdev(root, d + "/virtio%d" % vnum, ifname, 3)


def governor(root, gov):
    put(root, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
        gov + "\n")


def kmsg(root, lines):
    put(root, "dev/kmsg", "".join("6,%d,%d,-;%s\n" % (i + 1, 1000 * i, l)
                                  for i, l in enumerate(lines)))


def ovs(root, hw_offload, latched, flows, offloaded, tc_policy=None, ct=0,
        ct_offloaded=0):
    put(root, "ovs/other_config", "hw-offload=%s\n" % hw_offload +
        ("tc-policy=%s\n" % tc_policy if tc_policy else ""))
    if latched:
        put(root, "ovs/latched", latched + "\n")
    flow = ("ufid:%d recirc_id(0),in_port(2),eth(src=02:00:00:00:00:01),"
            "eth_type(0x0800), packets:10, bytes:980, used:0.5s, "
            "actions:3\n")
    ct_flow = ("ufid:c%d recirc_id(0),in_port(2),eth_type(0x0800),"
               "ipv4(proto=6,frag=no), packets:3, bytes:222, used:0.1s, "
               "actions:ct(zone=1),recirc(0x1)\n")
    put(root, "ovs/dpctl-dump-flows",
        "".join(flow % i for i in range(flows)) +
        "".join(ct_flow % i for i in range(ct)))
    put(root, "ovs/dpctl-dump-flows-offloaded",
        "".join(flow % i for i in range(offloaded)) +
        "".join(ct_flow % i for i in range(ct_offloaded)))


def devlink_health(root, reporters):
    """reporters: [(handle, name, state, errors, recovered, auto)] as
    `devlink health show` prints them (auto None: cannot recover)."""
    out, last = [], None
    for handle, name, state, errors, recovered, auto in reporters:
        if handle != last:
            out.append(handle + ":")
            last = handle
        out.append("  reporter " + name)
        line = "    state %s error %d recover %d" % (state, errors, recovered)
        if auto is not None:
            line += " grace_period 500 auto_recover %s" % (
                "true" if auto else "false")
        out.append(line + " auto_dump true")
    put(root, "devlink/health", "\n".join(out) + "\n")


MLX5 = "pci/0000:08:00.0"


def tc_rules(root, ifname, rules):
    """rules: [(flags, hw)]: flags "" or "skip_hw"; hw True (in_hw) or
    False (not_in_hw); as `tc -s filter show dev IFNAME ingress` prints
    OVS's flower rules."""
    out = []
    for i, (flags, hw) in enumerate(rules):
        pref = 2 + i
        out.append("filter protocol ip pref %d flower chain 0 " % pref)
        out.append("filter protocol ip pref %d flower chain 0 handle 0x1 "
                   % pref)
        out.append("  dst_mac 52:54:00:00:00:%02x" % i)
        out.append("  eth_type ipv4")
        if flags:
            out.append("  " + flags)
        out.append("  in_hw in_hw_count 1" if hw else "  not_in_hw")
        out.append("\taction order 1: mirred (Egress Redirect to device "
                   "pf0vf1) stolen")
        out.append("\tindex 1 ref 1 bind 1 installed 12 sec used 0 sec")
        out.append("\tAction statistics:")
        out.append("\tSent 840 bytes 10 pkt (dropped 0, overlimits 0 "
                   "requeues 0) ")
        out.append("")
    put(root, "tc/" + ifname, "\n".join(out) + "\n")


def numa(root, nodes, addr, node, irqs):
    """nodes: [cpulist per node]; the device's numa_node and its MSI-X
    interrupts: {irq: effective affinity cpulist}."""
    for i, cpus in enumerate(nodes):
        put(root, "sys/devices/system/node/node%d/cpulist" % i, cpus + "\n")
    put(root, "sys/devices/system/node/online",
        "0-%d\n" % (len(nodes) - 1))
    d = os.path.realpath(os.path.join(root, "sys/bus/pci/devices", addr))
    put(root, os.path.relpath(d, root) + "/numa_node", "%d\n" % node)
    for irq, cpus in irqs.items():
        put(root, os.path.relpath(d, root) + "/msi_irqs/%d" % irq, "msix\n")
        put(root, "proc/irq/%d/smp_affinity_list" % irq, "0-31\n")
        put(root, "proc/irq/%d/effective_affinity_list" % irq, cpus + "\n")


def thread(root, pid, comm, allowed, tid=None):
    """/proc/PID/comm and status; with tid, a thread of PID."""
    base = "proc/%d" % pid + ("/task/%d" % tid if tid else "")
    put(root, base + "/comm", comm + "\n")
    put(root, base + "/status", "Name:\t%s\nCpus_allowed_list:\t%s\n"
        % (comm, allowed))


def expect(root, lines):
    put(root, "expect", "".join(l + "\n" for l in lines))


STEADY = {"rx_packets_phy": 1000, "rx_discards_phy": 17,
          "rx_out_of_buffer": 0, "rx_prio0_discards": 17}


def healthy(root):
    cx6dx(root, "enp8s0f0np0", 8, 8)
    counters(root, "enp8s0f0np0", STEADY, STEADY)
    governor(root, "performance")
    # two NUMA nodes; the NIC's interrupts mostly on its own node, one on
    # the other (drivers spread them over every CPU): no finding
    numa(root, ["0-15", "16-31"], "0000:08:00.0", 1,
         {60: "16", 61: "17", 62: "3", 63: "16-31"})
    # a VM's vhost worker free to run anywhere, a PMD thread on node 1
    thread(root, 4321, "vhost-4300", "0-31")
    thread(root, 900, "ovs-vswitchd", "0-31")
    thread(root, 900, "pmd-c17/id:5", "17", tid=905)
    thread(root, 900, "handler1", "0-3", tid=906)
    # modern virtio-net that kept its BARs, behind an idle qemu root port
    virtio_net(root, "02.0", "0000:01:00.0", 0x1041, True,
               {1: (0xfe800000, 0x1000, 0x40200),
                4: (0xfd000000, 0x4000, MEM64)}, 0, "eth1")
    # legacy on purpose (disable-modern=on: no modern capability, no BAR 4)
    virtio_net(root, "02.1", "0000:02:00.0", 0x1000, False,
               {0: (0xc000, 0x20, 0x40101),
                1: (0xfe600000, 0x1000, 0x40200)}, 1, "eth2")
    # no virtio driver bound yet: features all 0, which says nothing
    virtio_net(root, "02.2", "0000:03:00.0", 0x1041, False,
               {1: (0xfe400000, 0x1000, 0x40200),
                4: (0xfc000000, 0x800000, MEM64)}, 2, "eth3", bound=False)
    # conntrack flows under the default tc-policy, one offloaded: healthy
    ovs(root, "true", "hw-offload=true,tc-policy=none", 4, 3, ct=2,
        ct_offloaded=1)
    # a modern vDPA device a VM negotiated, one no guest opened yet
    vdpa_config(root, "vdpa0", "02:00:00:00:00:01", MODERN, "vhost_vdpa")
    vdpa_config(root, "vdpa1", "02:00:00:00:00:02", None, None)
    put(root, "sys/class/iommu/dmar0/uevent", "\n")
    put(root, "proc/cmdline", "root=/dev/sda1 intel_iommu=on iommu=pt\n")
    put(root, "proc/meminfo", "MemTotal: 65536 kB\nHugePages_Total: 8\n")
    kmsg(root, ["Linux version 6.1.0-26-amd64",
                "pci 0000:01:00.0: BAR 4: assigned [mem 0xfd000000-0xfd003fff"
                " 64bit pref]"])
    # a firmware fault long ago, recovered: history, not a finding
    tc_rules(root, "enp8s0f0np0", [("", True), ("", True)])
    tc_rules(root, "pf0vf0", [("skip_sw", True)])
    put(root, "ethtool/enp8s0f0np0/features", "hw-tc-offload: on\n")
    devlink_health(root, [(MLX5, "fw", "healthy", 0, 0, None),
                          (MLX5, "fw_fatal", "healthy", 1, 1, True),
                          (MLX5 + "/65535", "tx", "healthy", 2, 2, True)])
    expect(root, [])


def cx6dx_x4(root):
    cx6dx(root, "enp8s0f0np0", 4, 8)
    after = dict(STEADY, rx_packets_phy=9000000, rx_discards_phy=4210017)
    counters(root, "enp8s0f0np0", STEADY, after)
    governor(root, "performance")
    expect(root, ["warning pcie-link 0000:08:00.0",
                  "warning nic-drops enp8s0f0np0"])


def slot_limited(root):
    # an x8 card in a slot wired x4: it trained to all the slot has
    cx6dx(root, "enp8s0f0np0", 4, 4)
    counters(root, "enp8s0f0np0", STEADY, STEADY)
    expect(root, [])


def sriov_off(root):
    cx6dx(root, "enp8s0f0np0", 8, 8, totalvfs="0")
    expect(root, ["warning sriov 0000:08:00.0"])


def bar_legacy(root):
    # 32 virtio-net functions in a VM; here the first kept its 8 MiB BAR 4,
    # the last lost it and virtio_pci bound it legacy
    virtio_net(root, "02.0", "0000:01:00.0", 0x1000, True,
               {0: (0xc000, 0x20, 0x40101), 1: (0xfe800000, 0x1000, 0x40200),
                4: (0xf8000000, 0x800000, MEM64)}, 0, "eth1")
    virtio_net(root, "02.7", "0000:08:00.0", 0x1000, False,
               {0: (0xc100, 0x20, 0x40101), 1: (0xfe000000, 0x1000, 0x40200),
                4: (0, 0x800000, MEM64)}, 7, "eth8")
    # the kernel's words as the bed's guest kernel logged them
    kmsg(root, [
        "pcieport 0000:00:02.7: pciehp: Slot(0-7): Card present",
        "pci 0000:08:00.0: [1af4:1000] type 00 class 0x020000",
        "pci 0000:08:00.0: BAR 4 [mem 0x00000000-0x007fffff 64bit pref]",
        "pci 0000:08:00.0: BAR 4 [mem size 0x00800000 64bit pref]: can't "
        "assign; no space",
        "pci 0000:08:00.0: BAR 4 [mem size 0x00800000 64bit pref]: failed "
        "to assign",
        "virtio-pci 0000:08:00.0: enabling device (0000 -> 0003)",
        "virtio-pci 0000:08:00.0: virtio_pci: leaving for legacy driver",
    ])
    expect(root, ["error pci-bar 0000:08:00.0"])


def ovs_latched(root):
    ovs(root, "true", "hw-offload=false", 6, 0)
    expect(root, ["error ovs-offload ovs-vswitchd"])


def ovs_not_offloaded(root):
    ovs(root, "true", None, 5, 0)
    expect(root, ["error ovs-offload ovs-vswitchd"])


def ovs_tc_off(root):
    # the uplink's hw-tc-offload is off; the bridge's internal port cannot
    # offload at all ([fixed]): not a finding
    ovs(root, "true", "hw-offload=true,tc-policy=none", 4, 2)
    put(root, "ovs/ports", "enp8s0f0np0\npf0vf0\nbr-ex\n")
    put(root, "ethtool/enp8s0f0np0/features",
        "Features for enp8s0f0np0:\nrx-checksumming: on\n"
        "hw-tc-offload: off\n")
    put(root, "ethtool/pf0vf0/features", "hw-tc-offload: on\n")
    put(root, "ethtool/br-ex/features", "hw-tc-offload: off [fixed]\n")
    # its rules stay in software: ovs-offload names it, tc-rules not again
    tc_rules(root, "enp8s0f0np0", [("", False), ("", False)])
    tc_rules(root, "pf0vf0", [("", True)])
    expect(root, ["error ovs-offload enp8s0f0np0"])


def ovs_skip_sw_ct(root):
    # tc-policy skip_sw: the plain flows are in hardware, the conntrack
    # ones could not be and run in the kernel datapath
    ovs(root, "true", "hw-offload=true,tc-policy=skip_sw", 4, 4,
        tc_policy="skip_sw", ct=2)
    expect(root, ["warning ovs-offload ovs-vswitchd"])


def vdpa_prereq(root):
    put(root, "sys/bus/vdpa/devices/vdpa0/uevent", "\n")
    os.makedirs(os.path.join(root, "sys/class/iommu"))
    put(root, "proc/cmdline", "root=/dev/sda1\n")
    put(root, "proc/meminfo", "MemTotal: 65536 kB\nHugePages_Total: 0\n")
    expect(root, ["error prereq iommu", "warning prereq hugepages"])


def fw_fatal(root):
    # mlx5's firmware-fatal reporter stuck in error after a failed
    # recovery; the tx reporter of the same PF recovered
    devlink_health(root, [(MLX5, "fw", "healthy", 0, 0, None),
                          (MLX5, "fw_fatal", "error", 2, 1, True),
                          (MLX5 + "/65535", "tx", "healthy", 3, 3, True),
                          ("pci/0000:08:00.1", "fw_fatal", "error", 1, 0,
                           False)])
    expect(root, ["error devlink-health pci/0000:08:00.0",
                  "error devlink-health pci/0000:08:00.1"])


def tc_not_in_hw(root):
    # a representor whose driver refused some rules, a VF's own netdev
    # attached instead of its representor, a representor under skip_hw
    tc_rules(root, "pf0vf1", [("", True), ("", False), ("", False)])
    put(root, "ethtool/pf0vf1/features", "hw-tc-offload: on\n")
    tc_rules(root, "enp8s0f0v0", [("", False)])
    put(root, "ethtool/enp8s0f0v0/features", "hw-tc-offload: off [fixed]\n")
    tc_rules(root, "pf0vf2", [("skip_hw", False)])
    put(root, "ethtool/pf0vf2/features", "hw-tc-offload: on\n")
    expect(root, ["error tc-rules enp8s0f0v0", "warning tc-rules pf0vf1",
                  "warning tc-rules pf0vf2"])


def remote_irqs(root):
    # a ConnectX on node 1 whose interrupts were all pinned to node 0 (a
    # tuning script written for the other socket)
    cx6dx(root, "enp8s0f0np0", 8, 8)
    numa(root, ["0-15", "16-31"], "0000:08:00.0", 1,
         {60: "0", 61: "1", 62: "2", 63: "3", 64: "16"})
    # ... and so were the VM's vhost worker and a PMD thread
    thread(root, 4321, "vhost-4300", "0-15")
    thread(root, 900, "ovs-vswitchd", "0-31")
    thread(root, 900, "pmd-c02/id:5", "2", tid=905)
    thread(root, 900, "pmd-c17/id:6", "17", tid=906)
    expect(root, ["warning irq-numa 0000:08:00.0",
                  "warning irq-numa vhost-4300",
                  "warning irq-numa pmd-c02/id:5"])


def spec_context(root):
    # a ConnectX PF of the spec with 2 VFs in switchdev: a representor
    # whose rules the driver refused, the PF's fw_fatal reporter in
    # error; the spec's second PF is not on this host (spec.json here;
    # agentctl --spec TREE/spec.json doctor --root TREE)
    cx6dx(root, "enp8s0f0np0", 8, 8)
    pfdir = "sys/devices/pci0000:00/0000:00:03.0/0000:08:00.0"
    put(root, pfdir + "/sriov_numvfs", "2\n")
    put(root, "sys/class/net/enp8s0f0np0/phys_port_name", "p0\n")
    for vf in range(2):
        addr = "0000:08:00.%d" % (vf + 2)
        d = pci(root, "pci0000:00/0000:00:03.0/" + addr, 0x020000, 0x15B3,
                0x101E, driver="mlx5_core")
        link(root, d + "/physfn", "../0000:08:00.0")
        link(root, pfdir + "/virtfn%d" % vf, "../" + addr)
        netdev(root, d, "enp8s0f0v%d" % vf, 2)
        netdev(root, pfdir, "pf0vf%d" % vf, 2)
        put(root, "sys/class/net/pf0vf%d/phys_port_name" % vf,
            "pf0vf%d\n" % vf)
        put(root, "ethtool/pf0vf%d/features" % vf, "hw-tc-offload: on\n")
    tc_rules(root, "pf0vf0", [("", True)])
    tc_rules(root, "pf0vf1", [("", True), ("", False)])
    devlink_health(root, [(MLX5, "fw_fatal", "error", 1, 0, True)])
    put(root, "spec.json", """{
  "version": 1,
  "bridges": [ { "name": "br-ex" } ],
  "pfs": [
    { "netdev": "enp8s0f0np0", "eswitch": "switchdev", "num_vfs": 2,
      "bridge": "br-ex" },
    { "pci": "0000:09:00.0", "eswitch": "switchdev", "num_vfs": 4 }
  ]
}
""")
    expect(root, ["warning tc-rules pf0vf1",
                  "error devlink-health pci/0000:08:00.0"])


def vdpa_config(root, name, mac, features, driver):
    """`vdpa dev config show NAME` with the negotiated features (None: no
    driver negotiated yet), and the driver bound on the vdpa bus."""
    text = "%s: mac %s link up link_announce false max_vqp 1 mtu 1500\n" % (
        name, mac)
    if features is not None:
        text += "  negotiated_features " + " ".join(features) + "\n"
    put(root, "vdpa/" + name, text)
    put(root, "sys/bus/vdpa/devices/%s/uevent" % name, "\n")
    if driver:
        link(root, "sys/bus/vdpa/devices/%s/driver" % name,
             "../../../../bus/vdpa/drivers/" + driver)


MODERN = ["CSUM", "GUEST_CSUM", "MTU", "MAC", "STATUS", "CTRL_VQ", "MQ",
          "VERSION_1", "ACCESS_PLATFORM"]


def vdpa_legacy(root):
    # the host side of the BAR case: the VM's virtio driver came up legacy
    # on vdpa1; vdpa0 is modern, vdpa2 not opened by any guest yet
    vdpa_config(root, "vdpa0", "02:00:00:00:00:01", MODERN, "vhost_vdpa")
    vdpa_config(root, "vdpa1", "02:00:00:00:00:02",
                [f for f in MODERN if f not in ("VERSION_1",
                                                "ACCESS_PLATFORM")],
                "vhost_vdpa")
    vdpa_config(root, "vdpa2", "02:00:00:00:00:03", None, "vhost_vdpa")
    put(root, "sys/class/iommu/dmar0/uevent", "\n")
    put(root, "proc/cmdline", "root=/dev/sda1 intel_iommu=on iommu=pt\n")
    put(root, "proc/meminfo", "MemTotal: 65536 kB\nHugePages_Total: 8\n")
    expect(root, ["error vdpa-features vdpa1"])


TREES = {"healthy": healthy, "cx6dx-x4-drops": cx6dx_x4,
         "slot-limited": slot_limited, "sriov-off": sriov_off,
         "virtio-bar-legacy": bar_legacy, "ovs-latched-off": ovs_latched,
         "ovs-not-offloaded": ovs_not_offloaded,
         "ovs-skip-sw-ct": ovs_skip_sw_ct,
         "ovs-tc-offload-off": ovs_tc_off,
         "vdpa-prereq": vdpa_prereq,
         "mlx5-fw-fatal": fw_fatal, "tc-not-in-hw": tc_not_in_hw,
         "irq-numa-remote": remote_irqs, "spec-context": spec_context,
         "vdpa-legacy": vdpa_legacy}

if __name__ == "__main__":
    for name, make in TREES.items():
        root = os.path.join(HERE, name)
        shutil.rmtree(root, ignore_errors=True)
        os.makedirs(root)
        make(root)
