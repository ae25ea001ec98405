/* doctor's PCI checks: pcie-link, pci-bar, sriov (docs/doctor.md says
 * what each treats as healthy). Everything is read from sysfs and the
 * kernel log through the doctor's root-relative reader. */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PCI_DEVICES "sys/bus/pci/devices"

#define VENDOR_VIRTIO 0x1af4
#define VENDOR_MLX    0x15b3

/* IORESOURCE_UNSET (include/linux/ioport.h): no address assigned. */
#define RES_UNSET 0x20000000ULL

static unsigned long
read_hex(const struct doctor *d, const char *addr, const char *attr)
{
    char buf[64];
    if (doctor_readf(d, buf, sizeof buf, PCI_DEVICES "/%s/%s", addr, attr)) {
        return 0;
    }
    return strtoul(buf, NULL, 16);
}

/* "8.0 GT/s PCIe" -> 8000; "Unknown" or unreadable -> 0. */
static unsigned
read_speed(const struct doctor *d, const char *addr, const char *attr)
{
    char buf[64];
    if (doctor_readf(d, buf, sizeof buf, PCI_DEVICES "/%s/%s", addr, attr)) {
        return 0;
    }
    return (unsigned)(strtod(buf, NULL) * 1000 + 0.5);
}

static unsigned
read_uint(const struct doctor *d, const char *addr, const char *attr)
{
    char buf[64];
    if (doctor_readf(d, buf, sizeof buf, PCI_DEVICES "/%s/%s", addr, attr)) {
        return 0;
    }
    return (unsigned)strtoul(buf, NULL, 10);
}

bool
doctor_pcie_link(const struct doctor *d, const char *addr,
                 struct doctor_pcie_link *link)
{
    link->cur_speed = read_speed(d, addr, "current_link_speed");
    link->max_speed = read_speed(d, addr, "max_link_speed");
    link->cur_width = read_uint(d, addr, "current_link_width");
    link->max_width = read_uint(d, addr, "max_link_width");
    return link->cur_speed && link->max_speed && link->cur_width &&
           link->max_width;
}

static bool
is_pci_addr(const char *s, size_t len)
{
    unsigned dom, bus, dev, fn;
    int n = 0;
    return len == 12 &&
           sscanf(s, "%4x:%2x:%2x.%1x%n", &dom, &bus, &dev, &fn, &n) == 4 &&
           n == 12;
}

void
doctor_pcie_parent(const struct doctor *d, const char *addr, char *out,
                   size_t size)
{
    char rel[256], target[1024];
    out[0] = '\0';
    snprintf(rel, sizeof rel, PCI_DEVICES "/%s", addr);
    if (doctor_readlink(d, rel, target, sizeof target)) {
        return;
    }
    /* ".../pci0000:00/0000:00:03.0/0000:08:00.0": the component before
     * the device's own is its port when it is a PCI address. */
    char *last = strrchr(target, '/');
    if (!last) {
        return;
    }
    *last = '\0';
    char *prev = strrchr(target, '/');
    prev = prev ? prev + 1 : target;
    if (is_pci_addr(prev, strlen(prev))) {
        snprintf(out, size, "%s", prev);
    }
}

static void
fmt_link(char *buf, size_t size, unsigned speed, unsigned width)
{
    snprintf(buf, size, "%u.%u GT/s x%u", speed / 1000, speed % 1000 / 100,
             width);
}

bool
doctor_pcie_degraded(const struct doctor *d, const char *addr, char *why,
                     size_t size)
{
    struct doctor_pcie_link dev, port = {0};
    char parent[32], cur[64], cap[64];
    if (!doctor_pcie_link(d, addr, &dev)) {
        return false;
    }
    /* The link can train no faster than the slot: the port's maximum
     * caps the device's (a port's *current* speed is not used: qemu's
     * root ports report a lower one while idle). */
    unsigned cap_speed = dev.max_speed, cap_width = dev.max_width;
    doctor_pcie_parent(d, addr, parent, sizeof parent);
    if (parent[0] && doctor_pcie_link(d, parent, &port)) {
        cap_speed = port.max_speed < cap_speed ? port.max_speed : cap_speed;
        cap_width = port.max_width < cap_width ? port.max_width : cap_width;
    }
    if (dev.cur_speed >= cap_speed && dev.cur_width >= cap_width) {
        return false;
    }
    fmt_link(cur, sizeof cur, dev.cur_speed, dev.cur_width);
    fmt_link(cap, sizeof cap, cap_speed, cap_width);
    snprintf(why, size, "%s, capable of %s", cur, cap);
    return true;
}

bool
doctor_pcie_payload(const struct doctor *d, const char *addr, char *out,
                    size_t size)
{
    unsigned char cfg[256];
    char rel[256];
    snprintf(rel, sizeof rel, PCI_DEVICES "/%s/config", addr);
    ssize_t n = doctor_read_bytes(d, rel, cfg, sizeof cfg);
    /* The capability list: pointer at 0x34, each [id, next]; PCI
     * Express is id 0x10 with Device Capabilities at +4 and Device
     * Control at +8. Bounded: a list may loop. */
    unsigned off = n > 0x34 ? cfg[0x34] & 0xfc : 0;
    for (int hops = 0; off >= 0x40 && off + 10 <= (unsigned)n && hops < 48;
         hops++) {
        if (cfg[off] == 0x10) {
            unsigned devcap = cfg[off + 4] | cfg[off + 5] << 8;
            unsigned devctl = cfg[off + 8] | cfg[off + 9] << 8;
            snprintf(out, size,
                     "MaxPayload %u of %u bytes, MaxReadReq %u bytes",
                     128u << ((devctl >> 5) & 7), 128u << (devcap & 7),
                     128u << ((devctl >> 12) & 7));
            return true;
        }
        off = cfg[off + 1] & 0xfc;
    }
    return false;
}

static bool
is_virtfn(const struct doctor *d, const char *addr)
{
    char rel[256], target[256];
    snprintf(rel, sizeof rel, PCI_DEVICES "/%s/physfn", addr);
    return !doctor_readlink(d, rel, target, sizeof target);
}

bool
doctor_is_net_pf(const struct doctor *d, const char *addr)
{
    return (read_hex(d, addr, "class") >> 16) == 0x02 && !is_virtfn(d, addr);
}

/* ---- pcie-link ---------------------------------------------------------- */

static void
pcie_link_one(struct doctor *d, const char *addr)
{
    struct doctor_pcie_link dev, port = {0};
    char why[160], parent[32], ev[4][160], what[256];
    if (!doctor_pcie_degraded(d, addr, why, sizeof why)) {
        return;
    }
    doctor_pcie_link(d, addr, &dev);
    doctor_pcie_parent(d, addr, parent, sizeof parent);
    snprintf(ev[0], sizeof ev[0],
             "%s current_link_speed/width: %u.%u GT/s x%u", addr,
             dev.cur_speed / 1000, dev.cur_speed % 1000 / 100, dev.cur_width);
    snprintf(ev[1], sizeof ev[1], "%s max_link_speed/width: %u.%u GT/s x%u",
             addr, dev.max_speed / 1000, dev.max_speed % 1000 / 100,
             dev.max_width);
    if (parent[0] && doctor_pcie_link(d, parent, &port)) {
        snprintf(ev[2], sizeof ev[2],
                 "port %s max_link_speed/width: %u.%u GT/s x%u", parent,
                 port.max_speed / 1000, port.max_speed % 1000 / 100,
                 port.max_width);
    } else {
        snprintf(ev[2], sizeof ev[2], "no PCIe port above %s", addr);
    }
    char mps[96];
    bool has_mps = doctor_pcie_payload(d, addr, mps, sizeof mps);
    snprintf(ev[3], sizeof ev[3], "%s %s", addr, has_mps ? mps : "");
    const char *evidence[] = {ev[0], ev[1], ev[2], has_mps ? ev[3] : NULL,
                              NULL};
    snprintf(what, sizeof what,
             "PCIe link trained below what the card and its slot "
             "allow: %s",
             why);
    doctor_add(d, "pcie-link", DOCTOR_WARNING, addr, what, evidence,
               "reseat the card or check the slot's riser and the "
               "firmware's bifurcation setting, then reboot; lspci -vv "
               "shows LnkSta (trained) vs LnkCap");
}

void
doctor_check_pcie_link(struct doctor *d)
{
    char **addrs = doctor_list(d, PCI_DEVICES);
    for (size_t i = 0; addrs && addrs[i]; i++) {
        /* Network controllers only (class 0x02): other devices, GPUs
         * first, lower their link speed to save power when idle. VFs
         * share their PF's link. */
        if ((read_hex(d, addrs[i], "class") >> 16) != 0x02 ||
            is_virtfn(d, addrs[i])) {
            continue;
        }
        pcie_link_one(d, addrs[i]);
    }
    doctor_names_free(addrs);
}

/* ---- pci-bar -------------------------------------------------------------- */

struct bar_state {
    unsigned unassigned; /* bit per BAR 0-5 */
    unsigned long long size[6];
    char res[6][96];  /* its line of the resource file */
    char log[6][160]; /* the kernel's message about it */
};

/* BARs without an address in the device's resource file: a size but
 * start 0, or flagged IORESOURCE_UNSET. */
static void
bars_from_resource(const struct doctor *d, const char *addr,
                   struct bar_state *bs)
{
    char rel[256];
    snprintf(rel, sizeof rel, PCI_DEVICES "/%s/resource", addr);
    char *text = doctor_slurp(d, rel);
    const char *p = text;
    for (int bar = 0; p && *p && bar < 6; bar++) {
        unsigned long long start, end, flags;
        if (sscanf(p, "%llx %llx %llx", &start, &end, &flags) == 3 &&
            ((!start && end) || (flags && (flags & RES_UNSET)))) {
            bs->unassigned |= 1u << bar;
            bs->size[bar] = end - start + 1;
            snprintf(bs->res[bar], sizeof bs->res[bar],
                     "%s resource BAR %d: start 0x%llx end 0x%llx", addr, bar,
                     start, end);
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    free(text);
}

/* "pci 0000:01:00.0: BAR 4: failed to assign [mem size 0x00800000 ...]"
 * (6.1) or "... BAR 4 [mem size ...]: can't assign; no space" (later). */
static void
bars_from_kmsg(struct doctor *d, const char *addr, struct bar_state *bs)
{
    const char *log = doctor_kmsg(d);
    for (const char *p = log; (p = strstr(p, addr)); p++) {
        const char *bol = p;
        while (bol > log && bol[-1] != '\n') {
            bol--;
        }
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - bol) : strlen(bol);
        char line[256];
        snprintf(line, sizeof line, "%.*s", (int)len, bol);
        const char *bar = strstr(line, ": BAR ");
        int n;
        if (!bar || sscanf(bar, ": BAR %d", &n) != 1 || n < 0 || n > 5 ||
            (!strstr(line, "failed to assign") &&
             !strstr(line, "can't assign"))) {
            continue;
        }
        const char *size = strstr(line, "size 0x");
        bs->unassigned |= 1u << n;
        if (size && !bs->size[n]) {
            bs->size[n] = strtoull(size + 5, NULL, 16);
        }
        snprintf(bs->log[n], sizeof bs->log[n], "kernel: %.140s", line);
    }
}

/* How a virtio-pci function is driven, from the virtio device under it
 * (its features, a 0/1 string per bit, are only negotiated once a virtio
 * driver bound it) and the kernel log. */
struct virtio_view {
    bool bound_legacy; /* a virtio driver bound it without VERSION_1 */
    bool left_legacy;  /* "virtio_pci: leaving for legacy driver" */
    char features[96]; /* evidence */
    char log[160];     /* evidence */
};

static void
virtio_view(struct doctor *d, const char *addr, struct virtio_view *v)
{
    char rel[256], feat[160], target[256];
    snprintf(rel, sizeof rel, PCI_DEVICES "/%s", addr);
    char **names = doctor_list(d, rel);
    for (size_t i = 0; names && names[i]; i++) {
        char drv[300];
        snprintf(drv, sizeof drv, "%s/%s/driver", rel, names[i]);
        if (!strncmp(names[i], "virtio", 6) &&
            !doctor_readlink(d, drv, target, sizeof target) &&
            !doctor_readf(d, feat, sizeof feat, "%s/%s/features", rel,
                          names[i]) &&
            strlen(feat) > 32 && feat[32] == '0') {
            v->bound_legacy = true;
            snprintf(v->features, sizeof v->features,
                     "%.16s/features bit 32 (VIRTIO_F_VERSION_1): 0",
                     names[i]);
        }
    }
    doctor_names_free(names);
    const char *log = doctor_kmsg(d);
    char needle[64];
    snprintf(needle, sizeof needle, "%s: virtio_pci: leaving for legacy",
             addr);
    const char *hit = strstr(log, needle);
    if (hit) {
        while (hit > log && hit[-1] != '\n') {
            hit--;
        }
        v->left_legacy = true;
        snprintf(v->log, sizeof v->log, "kernel: %.*s",
                 (int)strcspn(hit, "\n"), hit);
    }
}

static void
size_str(char *buf, size_t size, unsigned long long bytes)
{
    if (bytes >= (1ULL << 20) && !(bytes % (1ULL << 20))) {
        snprintf(buf, size, "%llu MiB", bytes >> 20);
    } else {
        snprintf(buf, size, "%llu KiB", bytes >> 10);
    }
}

static int
lowest_bar(unsigned mask)
{
    for (int i = 0; i < 6; i++) {
        if (mask & (1u << i)) {
            return i;
        }
    }
    return -1;
}

static void
bar_finding(struct doctor *d, const char *addr, const struct bar_state *bs,
            const struct virtio_view *v)
{
    bool legacy = v->bound_legacy || v->left_legacy;
    int bar = lowest_bar(bs->unassigned);
    char sz[32], what[256], fix[512];
    const char *evidence[5] = {NULL, NULL, NULL, NULL, NULL};
    size_t n = 0;
    if (bs->res[bar][0]) {
        evidence[n++] = bs->res[bar];
    }
    if (bs->log[bar][0]) {
        evidence[n++] = bs->log[bar];
    }
    size_str(sz, sizeof sz, bs->size[bar]);
    if (legacy) {
        snprintf(what, sizeof what,
                 "virtio device %s: BAR %d (%s, where its modern virtio "
                 "capabilities live) has no address",
                 v->bound_legacy ? "bound as legacy"
                                 : "left to the legacy driver",
                 bar, sz);
        if (v->log[0]) {
            evidence[n++] = v->log;
        }
        if (v->features[0]) {
            evidence[n++] = v->features;
        }
    } else {
        snprintf(what, sizeof what, "BAR %d (%s) has no address", bar, sz);
    }
    snprintf(fix, sizeof fix,
             "the bridge window above %s is too small for BAR %d (%s): boot "
             "with pci=realloc,hpmemsize=256M (or reserve a larger window "
             "in the firmware or the root port), or configure fewer queues "
             "so that the BAR shrinks (1024 queues: 8 MiB, 128: 2 MiB)",
             addr, bar, sz);
    doctor_add(d, "pci-bar", legacy ? DOCTOR_ERROR : DOCTOR_WARNING, addr,
               what, evidence, fix);
}

static void
pci_bar_one(struct doctor *d, const char *addr)
{
    struct bar_state bs = {0};
    struct virtio_view v = {0};
    bars_from_resource(d, addr, &bs);
    bars_from_kmsg(d, addr, &bs);
    if (!bs.unassigned) {
        return; /* every BAR has its address */
    }
    /* A virtio device that is legacy on purpose (no modern capability)
     * has no BAR missing, so it never gets here. */
    if (read_hex(d, addr, "vendor") == VENDOR_VIRTIO) {
        virtio_view(d, addr, &v);
    }
    bar_finding(d, addr, &bs, &v);
}

void
doctor_check_pci_bar(struct doctor *d)
{
    char **addrs = doctor_list(d, PCI_DEVICES);
    for (size_t i = 0; addrs && addrs[i]; i++) {
        /* Bridges' windows are not BARs a driver needs. */
        if ((read_hex(d, addrs[i], "class") >> 8) != 0x0604) {
            pci_bar_one(d, addrs[i]);
        }
    }
    doctor_names_free(addrs);
}

/* ---- sriov ------------------------------------------------------------------ */

static void
sriov_one(struct doctor *d, const char *addr)
{
    char total[32], driver[256], ev[2][160];
    bool has_total = !doctor_readf(d, total, sizeof total,
                                   PCI_DEVICES "/%s/sriov_totalvfs", addr);
    bool mlx = read_hex(d, addr, "vendor") == VENDOR_MLX;
    char rel[256];
    snprintf(rel, sizeof rel, PCI_DEVICES "/%s/driver", addr);
    bool mlx5 = mlx && !doctor_readlink(d, rel, driver, sizeof driver) &&
                strstr(driver, "/mlx5_core");
    /* A PF that reports sriov_totalvfs 0, or an mlx5 PF (they all have
     * SR-IOV) whose firmware hides the capability entirely. */
    if (has_total ? strcmp(total, "0") : !mlx5) {
        return;
    }
    snprintf(ev[0], sizeof ev[0], "%s sriov_totalvfs: %s", addr,
             has_total ? total : "absent (no SR-IOV capability)");
    snprintf(ev[1], sizeof ev[1], "%s driver: %s", addr,
             mlx5 ? "mlx5_core" : "-");
    const char *evidence[] = {ev[0], ev[1], NULL};
    doctor_add(d, "sriov", DOCTOR_WARNING, addr,
               "SR-IOV is off in the device's firmware: no VF can be "
               "created",
               evidence,
               mlx ? "mlxconfig -d DEVICE set SRIOV_EN=1 NUM_OF_VFS=N, "
                     "then a firmware reset or a cold reboot"
                   : "enable SR-IOV in the device's firmware or the "
                     "system's setup (and VT-d/AMD-Vi), then reboot");
}

void
doctor_check_sriov(struct doctor *d)
{
    char **addrs = doctor_list(d, PCI_DEVICES);
    for (size_t i = 0; addrs && addrs[i]; i++) {
        if ((read_hex(d, addrs[i], "class") >> 16) == 0x02 &&
            !is_virtfn(d, addrs[i])) {
            sriov_one(d, addrs[i]);
        }
    }
    doctor_names_free(addrs);
}
