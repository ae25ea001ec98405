/* vdpa-eth: see vdpa-eth.h. */
#include "vdpa-eth.h"

#include <dirent.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostio.h"
#include "obs-inuse.h"
#include "obs-vdpa.h"
#include "obs.h"
#include "oa-common/str.h"
#include "oa-netlink/devlink.h"
#include "offload/spec.h"
#include "plan.h"

static int
real_param_get(void *aux, const struct devlink_handle *h, const char *name,
               uint8_t cmode, struct devlink_param *p, struct oanl_extack *ext)
{
    return devlink_param_get(aux, h, name, cmode, p, ext);
}

static int
real_param_set(void *aux, const struct devlink_handle *h,
               const struct devlink_param *p, struct oanl_extack *ext)
{
    return devlink_param_set(aux, h, p, ext);
}

static int
real_reload(void *aux, const struct devlink_handle *h, uint32_t *performed,
            struct oanl_extack *ext)
{
    return devlink_reload(aux, h, performed, ext);
}

static const struct vdpa_eth_ops real_ops = {real_param_get, real_param_set,
                                             real_reload};

/* The management device of VF 'sv' of found PF 'op' into 'buf': the
 * spec's, else pci/<VF>; false when it cannot be said (no PCI VF: the
 * planner has a blocker for it). */
static bool
mgmtdev_of(const struct spec_vf *sv, const struct obs_pf *op, char *buf,
           size_t size)
{
    if (sv->vdpa.mgmtdev[0]) {
        oa_copy_str(buf, size, sv->vdpa.mgmtdev);
        return true;
    }
    if (sv->index >= op->n_vfs || !op->vfs[sv->index].pci[0]) {
        return false;
    }
    snprintf(buf, size, "pci/%s", op->vfs[sv->index].pci);
    return true;
}

/* The function's netdev (its sysfs device's net/ entry) and whether it
 * is in use, into 'e'. */
static void
observe_netdev(const struct hostio *io, const struct devlink_handle *h,
               struct obs_vdpa_eth *e)
{
    const char *sysfs = io->sysfs_root ? io->sysfs_root : "/sys";
    char dir[320];
    snprintf(dir, sizeof dir, "%s/bus/%s/devices/%s/net", sysfs, h->bus,
             h->dev);
    DIR *d = opendir(dir);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] != '.') {
            oa_copy_str(e->netdev, sizeof e->netdev, de->d_name);
            break;
        }
    }
    if (d) {
        closedir(d);
    }
    if (!e->netdev[0]) {
        return;
    }
    struct ifaddrs *ifas = NULL;
    bool ifas_read = false;
    char ndir[400];
    snprintf(ndir, sizeof ndir, "%s/%s", dir, e->netdev);
    e->in_use = obs_inuse_netdev(ndir, e->netdev, &ifas, &ifas_read, e->holder,
                                 sizeof e->holder);
    if (ifas) {
        freeifaddrs(ifas);
    }
}

/* Reads enable_eth of 'mgmtdev' into a new entry of 'v' when the param
 * is there. 0 or -ENOMEM. */
static int
observe_one(const struct vdpa_eth_ops *ops, void *aux, const struct hostio *io,
            const char *mgmtdev, struct obs_vdpa *v)
{
    struct devlink_handle h;
    struct devlink_param p;
    struct oanl_extack ext = {""};
    if (devlink_handle_parse(mgmtdev, &h) || obs_vdpa_find_eth(v, mgmtdev)) {
        return 0; /* no bus ("vdpasim_net"), or seen */
    }
    int r = ops->param_get(aux, &h, VDPA_ETH_PARAM,
                           DEVLINK_PARAM_CMODE_DRIVERINIT, &p, &ext);
    /* No such instance (ENODEV), no such param (EINVAL), no params at
     * all (EOPNOTSUPP): nothing to turn off. */
    if (r == -ENODEV || r == -EINVAL || r == -EOPNOTSUPP ||
        (!r && p.type != DEVLINK_PARAM_BOOL)) {
        return 0;
    }
    struct obs_vdpa_eth *e =
        realloc(v->eths, (v->n_eths + 1) * sizeof *v->eths);
    if (!e) {
        return -ENOMEM;
    }
    v->eths = e;
    e = &v->eths[v->n_eths++];
    memset(e, 0, sizeof *e);
    oa_copy_str(e->mgmtdev, sizeof e->mgmtdev, mgmtdev);
    if (r) {
        snprintf(e->error, sizeof e->error, "reading %s of %s: %s%s%s",
                 VDPA_ETH_PARAM, mgmtdev, strerror(-r), ext.msg[0] ? ": " : "",
                 ext.msg);
        return 0;
    }
    /* No driverinit value (the driver set none at probe; mlx5 does):
     * not known to be on, and a reload on a guess is not worth it. */
    e->enabled = p.has_value && p.flag;
    if (p.has_value) {
        observe_netdev(io, &h, e);
        e->unapplied = !e->enabled && e->netdev[0];
    }
    return 0;
}

int
vdpa_eth_observe(struct hostio *io, const struct spec *spec,
                 struct obs_host *host, struct oa_err *err)
{
    if (!io->devlink) {
        return 0; /* no devlink: no enable_eth either */
    }
    return vdpa_eth_observe_with(&real_ops, io->devlink, io, spec, host, err);
}

int
vdpa_eth_observe_with(const struct vdpa_eth_ops *ops, void *aux,
                      const struct hostio *io, const struct spec *spec,
                      struct obs_host *host, struct oa_err *err)
{
    struct obs_vdpa *v = host->vdpa;
    if (!v || !v->available) {
        return 0;
    }
    char mgmtdev[SPEC_VDPA_MGMTDEV_MAX];
    for (size_t i = 0; i < spec->n_pfs && i < host->n_pfs; i++) {
        const struct obs_pf *op = &host->pfs[i];
        for (size_t j = 0; op->found && j < spec->pfs[i].n_vfs; j++) {
            const struct spec_vf *sv = &spec->pfs[i].vfs[j];
            if (sv->vdpa.driver == SPEC_VDPA_NONE ||
                !mgmtdev_of(sv, op, mgmtdev, sizeof mgmtdev)) {
                continue;
            }
            int r = observe_one(ops, aux, io, mgmtdev, v);
            if (r < 0) {
                return oa_err_set_errno(err, r, "observing %s of %s",
                                        VDPA_ETH_PARAM, mgmtdev);
            }
        }
    }
    return 0;
}

static int
set_eth(const struct vdpa_eth_ops *ops, void *aux,
        const struct devlink_handle *h, bool on, struct oanl_extack *ext)
{
    struct devlink_param p = {.name = VDPA_ETH_PARAM,
                              .type = DEVLINK_PARAM_BOOL,
                              .cmode = DEVLINK_PARAM_CMODE_DRIVERINIT,
                              .flag = on};
    return ops->param_set(aux, h, &p, ext);
}

int
vdpa_eth_apply(const struct hostio *io, const struct plan_step *s, char *msg,
               size_t size, struct oa_err *err)
{
    if (!io->devlink) {
        return oa_err_set(err, -ENOENT, "the kernel has no devlink");
    }
    return vdpa_eth_apply_with(&real_ops, io->devlink, s, msg, size, err);
}

int
vdpa_eth_apply_with(const struct vdpa_eth_ops *ops, void *aux,
                    const struct plan_step *s, char *msg, size_t size,
                    struct oa_err *err)
{
    const char *mgmtdev = s->vdpa.mgmtdev;
    struct devlink_handle h;
    struct oanl_extack ext = {""};
    if (devlink_handle_parse(mgmtdev, &h)) {
        return oa_err_set(err, -EINVAL, "%s is no devlink handle", mgmtdev);
    }
    /* Read again: off already (by someone since the observation, or by a
     * run that died before its reload) is done when the function has no
     * netdev left; with one, the value waits for the reload. */
    struct devlink_param p;
    int r = ops->param_get(aux, &h, VDPA_ETH_PARAM,
                           DEVLINK_PARAM_CMODE_DRIVERINIT, &p, &ext);
    if (r) {
        return oa_err_set_extack(err, r, ext.msg, "reading %s of %s",
                                 VDPA_ETH_PARAM, mgmtdev);
    }
    bool off = p.type == DEVLINK_PARAM_BOOL && p.has_value && !p.flag;
    if (off && !s->vdpa.netdev[0]) {
        snprintf(msg, size, "unchanged: %s %s already false (driverinit)",
                 mgmtdev, VDPA_ETH_PARAM);
        return 0;
    }
    r = off ? 0 : set_eth(ops, aux, &h, false, &ext);
    if (r) {
        return oa_err_set_extack(err, r, ext.msg,
                                 "devlink dev param set %s name %s value "
                                 "false cmode driverinit",
                                 mgmtdev, VDPA_ETH_PARAM);
    }
    uint32_t done = 0;
    r = ops->reload(aux, &h, &done, &ext);
    if (r) {
        /* Put the value back: left false, it would read as done once the
         * netdev is gone some other way, and no round would plan the
         * reload again. */
        struct oanl_extack ext2 = {""};
        set_eth(ops, aux, &h, true, &ext2);
        return oa_err_set_extack(err, r, ext.msg, "devlink dev reload %s",
                                 mgmtdev);
    }
    bool fw = done & (1u << DEVLINK_RELOAD_ACTION_FW_ACTIVATE);
    snprintf(msg, size, "%s %s false (driverinit%s), reloaded%s", mgmtdev,
             VDPA_ETH_PARAM, off ? " already" : "",
             fw ? " with firmware activation" : "");
    if (s->vdpa.netdev[0]) {
        snprintf(msg + strlen(msg), size - strlen(msg),
                 ": its netdev %s is gone", s->vdpa.netdev);
    }
    return 0;
}
