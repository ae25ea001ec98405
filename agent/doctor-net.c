/* doctor's netdev and host checks: nic-drops (drop counters growing,
 * with the likely cause) and prereq (what vDPA/DPDK need). Counters and
 * ring sizes come from the ethtool ioctl (SIOCETHTOOL: ETHTOOL_GSSET_INFO,
 * ETHTOOL_GSTRINGS, ETHTOOL_GSTATS, ETHTOOL_GRINGPARAM) on the live host,
 * and from ROOT/ethtool/IFNAME/{stats.0,stats.1,rings} in a recorded
 * tree (docs/doctor.md). */
#include "doctor.h"

#include "oa-common/str.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_NETDEVS 256

/* The drop counters of the field cases (names vary by driver): the NIC
 * had no room for a packet it received. Plain rx_dropped is left out:
 * the stack counts frames of protocols nobody listens to there. */
static bool
is_drop_counter(const char *name)
{
    static const char *const names[] = {
        "rx_discards_phy", "rx_out_of_buffer",   "rx_missed_errors",
        "rx_fifo_errors",  "rx_no_buffer_count", NULL,
    };
    unsigned prio;
    int n = 0;
    for (size_t i = 0; names[i]; i++) {
        if (!strcmp(name, names[i])) {
            return true;
        }
    }
    return sscanf(name, "rx_prio%u_discards%n", &prio, &n) == 1 && !name[n];
}

/* One netdev's drop counters at one moment. */
struct sample {
    size_t n;
    char names[16][ETH_GSTRING_LEN + 1];
    unsigned long long values[16];
};

static void
sample_keep(struct sample *s, const char *name, unsigned long long value)
{
    if (is_drop_counter(name) && s->n < 16) {
        snprintf(s->names[s->n], sizeof s->names[s->n], "%s", name);
        s->values[s->n++] = value;
    }
}

static int
ethtool_ioctl(int fd, const char *ifname, void *data)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", ifname);
    ifr.ifr_data = data;
    return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static int
stats_count(int fd, const char *ifname, unsigned *n)
{
    /* The reply's one length follows the header: a flexible array member
     * cannot be nested in a struct in ISO C, so the request lives in a
     * buffer with room for it. */
    union {
        struct ethtool_sset_info info;
        unsigned char bytes[sizeof(struct ethtool_sset_info) + sizeof(__u32)];
    } q;
    memset(&q, 0, sizeof q);
    q.info.cmd = ETHTOOL_GSSET_INFO;
    q.info.sset_mask = 1ULL << ETH_SS_STATS;
    int r = ethtool_ioctl(fd, ifname, &q);
    *n = !r && q.info.sset_mask ? q.info.data[0] : 0;
    return r;
}

typedef void stat_fn(void *aux, const char *name, unsigned long long value);

static void
keep_drop(void *s, const char *name, unsigned long long value)
{
    sample_keep(s, name, value);
}

/* Live: each of the netdev's ethtool statistics through the ioctl, to
 * 'fn'. */
static int
stats_live(int fd, const char *ifname, stat_fn *fn, void *aux)
{
    unsigned n;
    int r = stats_count(fd, ifname, &n);
    if (r || !n || n > 65536) {
        return r ? r : -EOPNOTSUPP;
    }
    struct ethtool_gstrings *gs = calloc(1, sizeof *gs + n * ETH_GSTRING_LEN);
    struct ethtool_stats *st = calloc(1, sizeof *st + n * sizeof(__u64));
    if (gs && st) {
        gs->cmd = ETHTOOL_GSTRINGS;
        gs->string_set = ETH_SS_STATS;
        gs->len = n;
        st->cmd = ETHTOOL_GSTATS;
        st->n_stats = n;
        r = ethtool_ioctl(fd, ifname, gs);
        r = r ? r : ethtool_ioctl(fd, ifname, st);
    } else {
        r = -ENOMEM;
    }
    for (unsigned i = 0; !r && i < n && i < gs->len && i < st->n_stats; i++) {
        char name[ETH_GSTRING_LEN + 1];
        memcpy(name, gs->data + i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
        name[ETH_GSTRING_LEN] = '\0';
        fn(aux, name, st->data[i]);
    }
    free(gs);
    free(st);
    return r;
}

static int
sample_live(int fd, const char *ifname, struct sample *s)
{
    return stats_live(fd, ifname, keep_drop, s);
}

static void
dump_one(void *out, const char *name, unsigned long long value)
{
    oa_str_printf(out, "     %s: %llu\n", name, value);
}

int
doctor_ethtool_dump(const char *ifname, char **text)
{
    struct oa_str out = OA_STR_INIT;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    *text = NULL;
    if (fd < 0) {
        return -errno;
    }
    int r = stats_live(fd, ifname, dump_one, &out);
    close(fd);
    if (r) {
        oa_str_free(&out);
        return r;
    }
    *text = oa_str_steal(&out);
    return *text ? 0 : -ENOMEM;
}

/* Recorded: ROOT/ethtool/IFNAME/stats.I, "NAME: VALUE" per line as
 * `ethtool -S` prints them. */
static int
sample_recorded(const struct doctor *d, const char *ifname, int idx,
                struct sample *s)
{
    char rel[256];
    snprintf(rel, sizeof rel, "ethtool/%s/stats.%d", ifname, idx);
    char *text = doctor_slurp(d, rel);
    if (!text) {
        return -ENOENT;
    }
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char name[ETH_GSTRING_LEN + 1];
        unsigned long long v;
        if (sscanf(line, " %32[^:]: %llu", name, &v) == 2) {
            sample_keep(s, name, v);
        }
    }
    free(text);
    return 0;
}

/* The rx ring's current and maximum size; false when unknown. */
static bool
rx_ring(const struct doctor *d, int fd, const char *ifname, unsigned *cur,
        unsigned *max)
{
    if (d->root) {
        char buf[64];
        return !doctor_readf(d, buf, sizeof buf, "ethtool/%s/rings", ifname) &&
               sscanf(buf, "rx %u %u", cur, max) == 2;
    }
    struct ethtool_ringparam ring = {.cmd = ETHTOOL_GRINGPARAM};
    if (ethtool_ioctl(fd, ifname, &ring)) {
        return false;
    }
    *cur = ring.rx_pending;
    *max = ring.rx_max_pending;
    return *max > 0;
}

struct netdev_samples {
    char name[IFNAMSIZ];
    struct sample s[2];
    bool ok;
};

static void
sleep_ms(unsigned ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    while (nanosleep(&ts, &ts) && errno == EINTR) {
        continue;
    }
}

/* Both samples of every netdev: one sleep of the interval between. */
static size_t
take_samples(struct doctor *d, int fd, struct netdev_samples *nds)
{
    char **names = doctor_list(d, "sys/class/net");
    size_t n = 0;
    for (size_t i = 0; names && names[i] && n < MAX_NETDEVS; i++) {
        memset(&nds[n], 0, sizeof nds[n]);
        snprintf(nds[n].name, sizeof nds[n].name, "%s", names[i]);
        nds[n].ok = d->root ? !sample_recorded(d, names[i], 0, &nds[n].s[0])
                            : !sample_live(fd, names[i], &nds[n].s[0]);
        n += nds[n].ok && nds[n].s[0].n;
    }
    doctor_names_free(names);
    if (!d->root) {
        sleep_ms(d->interval_ms);
    }
    for (size_t i = 0; i < n; i++) {
        nds[i].ok = d->root ? !sample_recorded(d, nds[i].name, 1, &nds[i].s[1])
                            : !sample_live(fd, nds[i].name, &nds[i].s[1]);
    }
    return n;
}

/* The cause most likely behind drops on 'ifname', as evidence and fix. */
static void
drop_cause(struct doctor *d, int fd, const char *ifname, char ev[4][200],
           struct oa_str *fix)
{
    char target[512], rel[256], why[160], gov[64];
    unsigned cur, max;
    snprintf(rel, sizeof rel, "sys/class/net/%s/device", ifname);
    if (!doctor_readlink(d, rel, target, sizeof target)) {
        const char *addr = strrchr(target, '/');
        addr = addr ? addr + 1 : target;
        if (doctor_pcie_degraded(d, addr, why, sizeof why)) {
            snprintf(ev[0], 200, "PCIe link of %.16s: %.160s", addr, why);
            oa_str_printf(fix, "fix the PCIe link of %s (pcie-link); ", addr);
        }
        char mps[96];
        if (doctor_pcie_payload(d, addr, mps, sizeof mps)) {
            snprintf(ev[3], 200, "%.16s %s", addr, mps);
        }
    }
    if (rx_ring(d, fd, ifname, &cur, &max) && cur < max) {
        snprintf(ev[1], 200, "rx ring: %u of at most %u", cur, max);
        oa_str_printf(fix, "ethtool -G %s rx %u; ", ifname, max);
    }
    if (!doctor_read(d, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
                     gov, sizeof gov) &&
        strcmp(gov, "performance")) {
        snprintf(ev[2], 200, "cpu0 scaling_governor: %s", gov);
        oa_str_puts(fix, "cpupower frequency-set -g performance; ");
    }
    oa_str_puts(fix, "else spread the receive load over more queues and "
                     "cores (ethtool -L, RSS)");
}

static void
drops_one(struct doctor *d, int fd, const struct netdev_samples *nd,
          unsigned interval_ms)
{
    struct oa_str what = OA_STR_INIT, counts = OA_STR_INIT, fix = OA_STR_INIT;
    char ev[4][200] = {"", "", "", ""};
    for (size_t i = 0; i < nd->s[0].n; i++) {
        for (size_t j = 0; j < nd->s[1].n; j++) {
            unsigned long long a = nd->s[0].values[i], b = nd->s[1].values[j];
            if (strcmp(nd->s[0].names[i], nd->s[1].names[j]) || b <= a) {
                continue; /* counters that do not grow are healthy */
            }
            oa_str_printf(&what, "%s%s +%llu/s", what.len ? ", " : "",
                          nd->s[0].names[i],
                          (b - a) * 1000 / (interval_ms ? interval_ms : 1));
            oa_str_printf(&counts, "%s%s %llu -> %llu", counts.len ? ", " : "",
                          nd->s[0].names[i], a, b);
        }
    }
    if (what.len) {
        oa_str_printf(&counts, " in %u ms", interval_ms);
        drop_cause(d, fd, nd->name, ev, &fix);
        const char *evidence[6] = {oa_str_cstr(&counts)};
        size_t n = 1;
        for (int k = 0; k < 4; k++) {
            evidence[n] = ev[k];
            n += ev[k][0] != '\0';
        }
        evidence[n] = NULL;
        oa_str_printf(&what, " (ethtool -S): the NIC drops received packets");
        doctor_add(d, "nic-drops", DOCTOR_WARNING, nd->name,
                   oa_str_cstr(&what), evidence, oa_str_cstr(&fix));
    }
    d->oom |= what.oom || counts.oom || fix.oom;
    oa_str_free(&what);
    oa_str_free(&counts);
    oa_str_free(&fix);
}

static unsigned
recorded_interval(const struct doctor *d)
{
    char buf[32];
    return doctor_read(d, "ethtool/interval_ms", buf, sizeof buf)
               ? 0
               : (unsigned)strtoul(buf, NULL, 10);
}

void
doctor_check_nic_drops(struct doctor *d)
{
    unsigned interval = d->root ? recorded_interval(d) : d->interval_ms;
    if (!d->interval_ms || !interval) {
        doctor_skip(d, "nic-drops", "%s",
                    d->interval_ms ? "the tree has no ethtool/interval_ms"
                                   : "--interval 0: no rates measured");
        return;
    }
    int fd = d->root ? -1 : socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (!d->root && fd < 0) {
        doctor_skip(d, "nic-drops", "no socket for the ethtool ioctl: %s",
                    strerror(errno));
        return;
    }
    struct netdev_samples *nds = calloc(MAX_NETDEVS, sizeof *nds);
    size_t n = nds ? take_samples(d, fd, nds) : 0;
    d->oom |= nds == NULL;
    for (size_t i = 0; i < n; i++) {
        if (nds[i].ok) {
            drops_one(d, fd, &nds[i], interval);
        }
    }
    free(nds);
    if (fd >= 0) {
        close(fd);
    }
}

/* ---- prereq ---------------------------------------------------------------- */

static bool
dir_empty(const struct doctor *d, const char *rel)
{
    char **names = doctor_list(d, rel);
    bool empty = !names || !names[0];
    doctor_names_free(names);
    return empty;
}

void
doctor_check_prereq(struct doctor *d)
{
    /* Only a host that uses vDPA needs them: elsewhere no IOMMU and no
     * hugepages are healthy. */
    if (dir_empty(d, "sys/bus/vdpa/devices")) {
        doctor_skip(d, "prereq", "no vDPA device (sys/bus/vdpa/devices)");
        return;
    }
    char cmdline[4096] = "", *meminfo = doctor_slurp(d, "proc/meminfo");
    doctor_read(d, "proc/cmdline", cmdline, sizeof cmdline);
    if (dir_empty(d, "sys/class/iommu")) {
        const char *ev[] = {"sys/class/iommu: empty", NULL};
        doctor_add(d, "prereq", DOCTOR_ERROR, "iommu",
                   "no IOMMU is on: vDPA and DPDK cannot map guest memory", ev,
                   "enable VT-d/AMD-Vi in the firmware and boot with "
                   "intel_iommu=on iommu=pt");
    } else if (!strstr(cmdline, "iommu=pt")) {
        char line[4200];
        snprintf(line, sizeof line, "proc/cmdline: %.4000s", cmdline);
        const char *ev[] = {line, NULL};
        doctor_add(d, "prereq", DOCTOR_WARNING, "iommu",
                   "the IOMMU is not in passthrough mode: every DMA of the "
                   "host's own drivers is translated",
                   ev, "boot with iommu=pt");
    }
    const char *hp = meminfo ? strstr(meminfo, "HugePages_Total:") : NULL;
    if (!hp || strtoul(hp + 16, NULL, 10) == 0) {
        const char *ev[] = {"proc/meminfo HugePages_Total: 0", NULL};
        doctor_add(d, "prereq", DOCTOR_WARNING, "hugepages",
                   "no hugepages reserved: DPDK/vDPA need them", ev,
                   "boot with default_hugepagesz=1G hugepagesz=1G "
                   "hugepages=N, or write vm.nr_hugepages");
    }
    free(meminfo);
}
