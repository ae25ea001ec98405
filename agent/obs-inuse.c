/* obs: which VFs are in use, and by what (obs_vf.in_use, .holder): read
 * from sysfs, procfs and the kernel's address list (getifaddrs(), over
 * netlink), never by running anything. Part of obs_collect(). */
#include "obs-inuse.h"

#include "hostio.h"
#include "obs.h"

#include "oa-common/str.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The device nodes through which a vfio-pci VF is used: its IOMMU
 * group's (/dev/vfio/N, or /dev/vfio/noiommu-N without an IOMMU) and,
 * on kernels with vfio's device cdev, /dev/vfio/devices/vfioN. */
#define INUSE_MAX_NODES 3
struct vfio_target {
    struct obs_vf *vf;
    char nodes[INUSE_MAX_NODES][48];
    size_t n_nodes;
};

static void holder_set(struct obs_vf *vf, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
holder_set(struct obs_vf *vf, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(vf->holder, sizeof vf->holder, fmt, args);
    va_end(args);
    vf->in_use = true;
}

static const char *
root_or(const char *root, const char *dflt)
{
    return root ? root : dflt;
}

/* The last component of symlink 'path' into 'buf'; false when it is no
 * symlink. */
static bool
link_base(const char *path, char *buf, size_t size)
{
    char target[256];
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n <= 0) {
        return false;
    }
    target[n] = '\0';
    const char *slash = strrchr(target, '/');
    oa_copy_str(buf, size, slash ? slash + 1 : target);
    return buf[0] != '\0';
}

/* The nodes of VF 'vf' (bound to vfio-pci) into 't'. */
static void
vfio_nodes(const char *sysfs, struct obs_vf *vf, struct vfio_target *t)
{
    char path[320], name[16];

    t->vf = vf;
    t->n_nodes = 0;
    snprintf(path, sizeof path, "%s/bus/pci/devices/%s/iommu_group", sysfs,
             vf->pci);
    if (link_base(path, name, sizeof name)) {
        snprintf(t->nodes[t->n_nodes++], sizeof t->nodes[0], "/dev/vfio/%.15s",
                 name);
        snprintf(t->nodes[t->n_nodes++], sizeof t->nodes[0],
                 "/dev/vfio/noiommu-%.15s", name);
    }
    snprintf(path, sizeof path, "%s/bus/pci/devices/%s/vfio-dev", sysfs,
             vf->pci);
    DIR *d = opendir(path);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (!strncmp(e->d_name, "vfio", 4)) {
            snprintf(t->nodes[t->n_nodes++], sizeof t->nodes[0],
                     "/dev/vfio/devices/%.24s", e->d_name);
            break;
        }
    }
    if (d) {
        closedir(d);
    }
}

/* comm of process 'pid' under 'proc' ("?" when gone). */
static void
proc_comm(const char *proc, const char *pid, char *buf, size_t size)
{
    char path[320];
    snprintf(path, sizeof path, "%s/%s/comm", proc, pid);
    FILE *f = fopen(path, "re");
    if (!f || !fgets(buf, (int)size, f)) {
        oa_copy_str(buf, size, "?");
    }
    if (f) {
        fclose(f);
    }
    buf[strcspn(buf, "\n")] = '\0';
}

/* Whether process 'pid''s fds are hidden from us although its fd
 * directory listed none: the kernel lists nothing (no error) when the
 * ptrace access check fails (a process with capabilities we lack, as
 * under the unit's bounding set), and its exe link then says EACCES. */
static bool
fds_hidden(const char *proc, const char *pid)
{
    char path[320], link[8];
    snprintf(path, sizeof path, "%s/%s/exe", proc, pid);
    return readlink(path, link, sizeof link) < 0 &&
           (errno == EACCES || errno == EPERM);
}

/* Marks the targets whose node process 'pid' holds open. Returns false
 * when its fds cannot be read (not ours to see). */
static bool
scan_pid(const char *proc, const char *pid, struct vfio_target *ts, size_t n)
{
    char path[320], link[64];
    snprintf(path, sizeof path, "%s/%s/fd", proc, pid);
    DIR *d = opendir(path);
    size_t listed = 0;
    if (!d) {
        /* Gone meanwhile is no secret; anything else is. */
        return errno == ENOENT;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') {
            continue;
        }
        listed++;
        ssize_t len = readlinkat(dirfd(d), e->d_name, link, sizeof link - 1);
        if (len <= 0) {
            continue;
        }
        link[len] = '\0';
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < ts[i].n_nodes && !ts[i].vf->in_use; k++) {
                if (!strcmp(link, ts[i].nodes[k])) {
                    char comm[32];
                    proc_comm(proc, pid, comm, sizeof comm);
                    holder_set(ts[i].vf, "vfio-pci, %s open by %s (pid %s)",
                               link, comm, pid);
                }
            }
        }
    }
    closedir(d);
    return listed || !fds_hidden(proc, pid);
}

/* One pass over every process's fds for all 'ts'. A target nobody is
 * seen to hold while some processes could not be looked at is taken as
 * in use: the agent cannot tell, and a VM's VF is not to be guessed
 * away. */
static void
scan_proc(const char *proc, struct vfio_target *ts, size_t n)
{
    DIR *d = opendir(proc);
    struct dirent *e;
    size_t hidden = 0;

    while (d && (e = readdir(d))) {
        if (isdigit((unsigned char)e->d_name[0]) &&
            !scan_pid(proc, e->d_name, ts, n)) {
            hidden++;
        }
    }
    if (d) {
        closedir(d);
    }
    for (size_t i = 0; i < n; i++) {
        if (ts[i].vf->in_use) {
            continue;
        }
        if (!d) {
            holder_set(ts[i].vf, "vfio-pci, holders unknown (%s not readable)",
                       proc);
        } else if (hidden && ts[i].n_nodes) {
            holder_set(ts[i].vf,
                       "vfio-pci, %s: holders unknown (the fds of %zu "
                       "processes not readable)",
                       ts[i].nodes[0], hidden);
        }
    }
}

static bool
link_local6(const struct sockaddr *sa)
{
    const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)sa;
    return sa->sa_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr);
}

static unsigned
prefix_len(const struct sockaddr *mask)
{
    const unsigned char *p;
    size_t n;
    unsigned bits = 0;

    if (!mask) {
        return 0;
    }
    if (mask->sa_family == AF_INET) {
        p = (const unsigned char *)&((const struct sockaddr_in *)mask)
                ->sin_addr;
        n = 4;
    } else {
        p = (const unsigned char *)&((const struct sockaddr_in6 *)mask)
                ->sin6_addr;
        n = 16;
    }
    for (size_t i = 0; i < n; i++) {
        bits += (unsigned)__builtin_popcount(p[i]);
    }
    return bits;
}

/* The first address of 'name' that is not IPv6 link-local, as
 * "ADDR/LEN" in 'buf'; false when it has none. */
static bool
routable_addr(const struct ifaddrs *ifas, const char *name, char *buf,
              size_t size)
{
    for (const struct ifaddrs *a = ifas; a; a = a->ifa_next) {
        const struct sockaddr *sa = a->ifa_addr;
        if (!sa || strcmp(a->ifa_name, name) ||
            (sa->sa_family != AF_INET && sa->sa_family != AF_INET6) ||
            link_local6(sa)) {
            continue;
        }
        char text[INET6_ADDRSTRLEN];
        const void *addr =
            sa->sa_family == AF_INET
                ? (const void *)&((const struct sockaddr_in *)sa)->sin_addr
                : (const void *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
        inet_ntop(sa->sa_family, addr, text, sizeof text);
        snprintf(buf, size, "%s/%u", text, prefix_len(a->ifa_netmask));
        return true;
    }
    return false;
}

/* IFF_* of the netdev whose sysfs directory is 'dir'; 0 when unread. */
static unsigned long
netdev_flags(const char *dir)
{
    char path[700];
    unsigned long flags = 0;
    snprintf(path, sizeof path, "%s/flags", dir);
    FILE *f = fopen(path, "re");
    if (f) {
        if (fscanf(f, "%lx", &flags) != 1) {
            flags = 0;
        }
        fclose(f);
    }
    return flags;
}

bool
obs_inuse_netdev(const char *dir, const char *name, struct ifaddrs **ifas,
                 bool *ifas_read, char *holder, size_t size)
{
    char sub[640], master[32], addr[64];
    snprintf(sub, sizeof sub, "%s/master", dir);
    if (link_base(sub, master, sizeof master)) {
        snprintf(holder, size, "netdev %s enslaved to %s", name, master);
        return true;
    }
    if (!(netdev_flags(dir) & IFF_UP)) {
        return false;
    }
    if (!*ifas_read) {
        *ifas_read = true;
        if (getifaddrs(ifas)) {
            *ifas = NULL;
        }
    }
    if (routable_addr(*ifas, name, addr, sizeof addr)) {
        snprintf(holder, size, "netdev %s up with %s", name, addr);
        return true;
    }
    return false;
}

/* VF 'vf''s netdevs (sysfs .../net/NAME): enslaved, or up with an
 * address. '*ifas' is fetched on first need (caller frees). */
static void
netdev_use(const char *sysfs, struct obs_vf *vf, struct ifaddrs **ifas,
           bool *ifas_read)
{
    char dir[320], sub[640];
    snprintf(dir, sizeof dir, "%s/bus/pci/devices/%s/net", sysfs, vf->pci);
    DIR *d = opendir(dir);
    struct dirent *e;

    while (d && !vf->in_use && (e = readdir(d))) {
        if (e->d_name[0] == '.') {
            continue;
        }
        snprintf(sub, sizeof sub, "%s/%.255s", dir, e->d_name);
        vf->in_use = obs_inuse_netdev(sub, e->d_name, ifas, ifas_read,
                                      vf->holder, sizeof vf->holder);
    }
    if (d) {
        closedir(d);
    }
}

int
obs_inuse_collect(struct hostio *io, struct obs_host *host)
{
    const char *sysfs = root_or(io->sysfs_root, "/sys");
    struct ifaddrs *ifas = NULL;
    bool ifas_read = false;
    size_t n_vfs = 0, n = 0;

    for (size_t p = 0; p < host->n_pfs; p++) {
        n_vfs += host->pfs[p].n_vfs;
    }
    struct vfio_target *ts = calloc(n_vfs ? n_vfs : 1, sizeof *ts);
    if (!ts) {
        return -ENOMEM;
    }
    for (size_t p = 0; p < host->n_pfs; p++) {
        struct obs_pf *pf = &host->pfs[p];
        for (size_t k = 0; pf->found && k < pf->n_vfs; k++) {
            struct obs_vf *vf = &pf->vfs[k];
            if (!vf->pci[0]) {
                continue;
            }
            if (!strcmp(vf->driver, "vfio-pci")) {
                vfio_nodes(sysfs, vf, &ts[n++]);
            } else {
                netdev_use(sysfs, vf, &ifas, &ifas_read);
            }
        }
    }
    if (n) {
        scan_proc(root_or(io->proc_root, "/proc"), ts, n);
    }
    if (ifas) {
        freeifaddrs(ifas);
    }
    free(ts);
    return 0;
}
