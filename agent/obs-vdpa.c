/* obs-vdpa: see obs-vdpa.h. */
#include "obs-vdpa.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostio.h"
#include "obs-inuse.h"
#include "oa-common/str.h"
#include "oa-netlink/vdpa-bus.h"
#include "oa-netlink/vdpa.h"
#include "offload/spec.h"
#include "vdpaown.h"

static bool
spec_wants_vdpa(const struct spec *spec)
{
    for (size_t i = 0; i < spec->n_pfs; i++) {
        for (size_t k = 0; k < spec->pfs[i].n_vfs; k++) {
            if (spec->pfs[i].vfs[k].vdpa.driver != SPEC_VDPA_NONE) {
                return true;
            }
        }
    }
    return false;
}

const struct obs_vdpa_dev *
obs_vdpa_find(const struct obs_vdpa *v, const char *name)
{
    for (size_t i = 0; v && i < v->n_devs; i++) {
        if (!strcmp(v->devs[i].name, name)) {
            return &v->devs[i];
        }
    }
    return NULL;
}

const struct obs_vdpa_eth *
obs_vdpa_find_eth(const struct obs_vdpa *v, const char *mgmtdev)
{
    for (size_t i = 0; v && i < v->n_eths; i++) {
        if (!strcmp(v->eths[i].mgmtdev, mgmtdev)) {
            return &v->eths[i];
        }
    }
    return NULL;
}

/* One listed device: its configuration and its place on the bus. */
static void
observe_dev(struct hostio *io, struct oanl_sock *s,
            const struct vdpa_dev_info *in, const struct vdpaown *own,
            struct obs_vdpa_dev *d)
{
    struct vdpa_dev_config c;
    oa_copy_str(d->name, sizeof d->name, in->name);
    vdpa_mgmtdev_format(&in->mgmt, d->mgmtdev, sizeof d->mgmtdev);
    d->owned = vdpaown_has(own, in->name);
    d->vqp_refused = vdpaown_vqp_refused(own, in->name);
    if (!vdpa_config_get(s, in->name, &c, NULL)) {
        d->has_mac = c.has_mac;
        memcpy(d->mac, c.mac, 6);
        d->has_mtu = c.has_mtu;
        d->mtu = c.mtu;
        d->has_max_vqp = c.has_max_vqp;
        d->max_vqp = c.max_vqp;
        d->has_negotiated = c.has_negotiated;
        d->negotiated = c.negotiated;
    }
    const char *root = io->sysfs_root;
    vdpabus_driver(root, in->name, d->driver, sizeof d->driver);
    vdpabus_chardev(root, in->name, d->chardev, sizeof d->chardev);
    vdpabus_netdev(root, in->name, d->netdev, sizeof d->netdev);
}

/* Whether process 'pid' holds /dev/<d->chardev> open: sets the holder. */
static void
scan_pid(const char *proc, const char *pid, struct obs_vdpa_dev *d)
{
    char path[320], link[64], want[48], comm[32] = "?";
    snprintf(path, sizeof path, "%s/%s/fd", proc, pid);
    snprintf(want, sizeof want, "/dev/%s", d->chardev);
    DIR *dir = opendir(path);
    struct dirent *e;
    while (dir && !d->in_use && (e = readdir(dir))) {
        ssize_t n = readlinkat(dirfd(dir), e->d_name, link, sizeof link - 1);
        if (n <= 0) {
            continue;
        }
        link[n] = '\0';
        if (!strcmp(link, want)) {
            snprintf(path, sizeof path, "%s/%s/comm", proc, pid);
            FILE *f = fopen(path, "re");
            if (f && fgets(comm, sizeof comm, f)) {
                comm[strcspn(comm, "\n")] = '\0';
            }
            if (f) {
                fclose(f);
            }
            d->in_use = true;
            snprintf(d->holder, sizeof d->holder,
                     "%.47s open by %.31s (pid %.16s)", want, comm, pid);
        }
    }
    if (dir) {
        closedir(dir);
    }
}

/* virtio_vdpa's netdevs by obs-inuse.c's netdev rule: enslaved, or up
 * with an address (a container's or the host's interface). */
static void
observe_netdevs(const struct hostio *io, struct obs_vdpa *v)
{
    const char *sysfs = io->sysfs_root ? io->sysfs_root : "/sys";
    struct ifaddrs *ifas = NULL;
    bool ifas_read = false;
    char dir[320];
    for (size_t i = 0; i < v->n_devs; i++) {
        struct obs_vdpa_dev *d = &v->devs[i];
        if (d->netdev[0]) {
            snprintf(dir, sizeof dir, "%s/class/net/%s", sysfs, d->netdev);
            d->in_use = obs_inuse_netdev(dir, d->netdev, &ifas, &ifas_read,
                                         d->holder, sizeof d->holder);
        }
    }
    if (ifas) {
        freeifaddrs(ifas);
    }
}

/* vhost_vdpa's char devices held open by a process (a VM is using the
 * device), and virtio_vdpa's netdevs in use: a delete or a re-bind would
 * tear them away. */
static void
observe_in_use(const struct hostio *io, struct obs_vdpa *v)
{
    const char *proc = io->proc_root ? io->proc_root : "/proc";
    observe_netdevs(io, v);
    DIR *d = opendir(proc);
    struct dirent *e;
    while (d && (e = readdir(d))) {
        for (size_t i = 0;
             isdigit((unsigned char)e->d_name[0]) && i < v->n_devs; i++) {
            if (v->devs[i].chardev[0] && !v->devs[i].in_use) {
                scan_pid(proc, e->d_name, &v->devs[i]);
            }
        }
    }
    if (d) {
        closedir(d);
    }
}

static int
observe(struct hostio *io, const struct vdpaown *own, struct obs_vdpa *v)
{
    struct oanl_sock *s;
    struct oanl_extack ext = {{0}};
    v->vhost_loaded = vdpabus_driver_loaded(io->sysfs_root, "vhost_vdpa");
    v->virtio_loaded = vdpabus_driver_loaded(io->sysfs_root, "virtio_vdpa");
    int r = oanl_open_genl("vdpa", &s);
    if (r < 0) {
        snprintf(v->error, sizeof v->error,
                 r == -ENOENT ? "the kernel has no vdpa netlink family "
                                "(module vdpa not loaded)"
                              : "opening the vdpa netlink family: %s",
                 strerror(-r));
        return 0;
    }
    struct vdpa_dev_info *devs;
    size_t n;
    r = vdpa_dev_list(s, &devs, &n, &ext);
    if (!r) {
        v->available = true;
        v->devs = calloc(n ? n : 1, sizeof *v->devs);
        r = v->devs ? 0 : -ENOMEM;
    }
    for (size_t i = 0; !r && i < n; i++) {
        observe_dev(io, s, &devs[i], own, &v->devs[v->n_devs++]);
    }
    for (size_t i = 0; !r && i < own->n; i++) {
        v->n_owned_gone += !obs_vdpa_find(v, own->names[i]);
    }
    if (!r) {
        observe_in_use(io, v);
    }
    free(devs);
    oanl_close(s);
    return r;
}

int
obs_vdpa_collect(struct hostio *io, const struct spec *spec,
                 struct obs_vdpa **out, struct oa_err *err)
{
    char path[512];
    struct vdpaown own;
    *out = NULL;
    int r = vdpaown_path(io->state_dir, path, sizeof path);
    if (r < 0) {
        return oa_err_set(err, r, "the vDPA record's path is too long");
    }
    r = vdpaown_load(path, &own, err);
    if (r < 0) {
        return r;
    }
    if (!own.n && !spec_wants_vdpa(spec)) {
        return 0;
    }
    struct obs_vdpa *v = calloc(1, sizeof *v);
    r = v ? observe(io, &own, v) : -ENOMEM;
    vdpaown_clear(&own);
    if (r < 0) {
        obs_vdpa_free(v);
        return oa_err_set_errno(err, r, "observing the vDPA devices");
    }
    *out = v;
    return 0;
}

void
obs_vdpa_free(struct obs_vdpa *v)
{
    if (v) {
        free(v->eths);
        free(v->devs);
        free(v);
    }
}
