/* apply-vdpa: see apply-vdpa.h. */
#include "apply-vdpa.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "hostio.h"
#include "oa-netlink/vdpa-bus.h"
#include "oa-netlink/vdpa.h"
#include "plan.h"
#include "vdpa-eth.h"
#include "vdpaown.h"

/* Adds 'name' (with the max_vqp refused, 0: none) or removes it. */
static int
record(const struct hostio *io, const char *name, bool add, unsigned vqp,
       struct oa_err *err)
{
    char path[512];
    int r = vdpaown_path(io->state_dir, path, sizeof path);
    if (r < 0) {
        return oa_err_set(err, r, "the vDPA record's path is too long");
    }
    return add ? vdpaown_add_vqp(path, name, vqp, err)
               : vdpaown_remove(path, name, err);
}

int
apply_vdpa_create(apply_vdpa_new_fn fn, void *aux, struct vdpa_dev_new_req *q,
                  unsigned *vqp_refused, struct oanl_extack *ext)
{
    *vqp_refused = 0;
    int r = fn(aux, q, ext);
    if (r == -EOPNOTSUPP && q->max_vqp) {
        *vqp_refused = q->max_vqp;
        q->max_vqp = 0;
        memset(ext, 0, sizeof *ext);
        r = fn(aux, q, ext);
        if (r) {
            q->max_vqp = (uint16_t)*vqp_refused; /* it was not that */
            *vqp_refused = 0;
        }
    }
    return r;
}

static int
real_new(void *aux, const struct vdpa_dev_new_req *q, struct oanl_extack *ext)
{
    return vdpa_dev_new(aux, q, ext);
}

/* Creates the device with autoprobe off (restored as found): no driver
 * takes it before vdpa-bind says which one. Recorded as the agent's. */
static int
dev_new(const struct hostio *io, struct oanl_sock *s,
        const struct plan_vdpa_args *a, char *msg, size_t size,
        struct oa_err *err)
{
    struct vdpa_dev_new_req q = {.has_mac = a->has_mac,
                                 .max_vqp = (uint16_t)a->max_vqp,
                                 .mtu = (uint16_t)a->mtu};
    struct oanl_extack ext = {{0}};
    bool autoprobe = true;
    memcpy(q.mac, a->mac, 6);
    snprintf(q.name, sizeof q.name, "%s", a->name);
    if (vdpa_mgmtdev_parse(a->mgmtdev, &q.mgmt)) {
        return oa_err_set(err, -EINVAL, "bad management device %s",
                          a->mgmtdev);
    }
    int r = vdpabus_autoprobe_get(io->sysfs_root, &autoprobe);
    if (!r && autoprobe) {
        r = vdpabus_autoprobe_set(io->sysfs_root, false);
    }
    if (r) {
        return oa_err_set_errno(err, r, "vdpa bus drivers_autoprobe");
    }
    unsigned refused;
    r = apply_vdpa_create(real_new, s, &q, &refused, &ext);
    if (autoprobe) {
        vdpabus_autoprobe_set(io->sysfs_root, true);
    }
    if (r) {
        return oa_err_set_extack(err, r, ext.msg, "vdpa dev add on %s",
                                 a->mgmtdev);
    }
    snprintf(msg, size, "%s created on %s", a->name, a->mgmtdev);
    if (refused) {
        snprintf(msg + strlen(msg), size - strlen(msg),
                 "; max_vqp %u not applied: %s refused it (EOPNOTSUPP)",
                 refused, a->mgmtdev);
    }
    return record(io, a->name, true, refused, err);
}

int
apply_vdpa_step(const struct hostio *io, const struct plan_step *s, char *msg,
                size_t size, struct oa_err *err)
{
    const struct plan_vdpa_args *a = &s->vdpa;
    if (s->action == PLAN_VDPA_DISABLE_ETH) {
        return vdpa_eth_apply(io, s, msg, size, err);
    }
    if (s->action == PLAN_VDPA_BIND) {
        int r = vdpabus_bind(io->sysfs_root, a->name, a->driver);
        if (r) {
            return oa_err_set_errno(err, r,
                                    r == -ENOENT ? "driver %s not loaded"
                                                 : "binding to %s",
                                    a->driver);
        }
        snprintf(msg, size, "%s bound to %s", a->name, a->driver);
        return 0;
    }
    struct oanl_sock *sock;
    struct oanl_extack ext = {{0}};
    int r = oanl_open_genl("vdpa", &sock);
    if (r) {
        return oa_err_set_errno(err, r, "the vdpa netlink family");
    }
    if (s->action == PLAN_VDPA_NEW) {
        r = dev_new(io, sock, a, msg, size, err);
    } else {
        r = vdpa_dev_del(sock, a->name, &ext);
        if (r && r != -ENODEV) {
            oa_err_set_extack(err, r, ext.msg, "vdpa dev del");
        } else {
            snprintf(msg, size, "%s%s deleted", r ? "unchanged: " : "",
                     a->name);
            r = record(io, a->name, false, 0, err);
        }
    }
    oanl_close(sock);
    return r;
}
