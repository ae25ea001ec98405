/* obs: observes what the host has for one spec, read-only, into plain
 * copies (obs.h). */
#include "obs.h"

#include "hostio.h"
#include "obs-bond.h"
#include "obs-inuse.h"
#include "obs-vdpa.h"
#include "vdpa-eth.h"
#include "offload/spec.h"
#include "pfpin.h"
#include "oa-netlink/devlink-info.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/ethfeat.h"
#include "oa-netlink/link.h"
#include "oa-netlink/repr.h"
#include "oa-netlink/sriov.h"
#include "oa-netlink/tcf.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-common/iostat.h"
#include "oa-common/str.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <net/if.h>
#include <string.h>
#include <sys/utsname.h>

static const char *const order_names[] = {
    [OBS_ORDER_SWITCHDEV_FIRST] = "switchdev-first",
    [OBS_ORDER_VFS_FIRST] = "vfs-first",
};

const char *
obs_order_name(enum obs_order order)
{
    return (unsigned)order < sizeof order_names / sizeof order_names[0]
               ? order_names[order]
               : NULL;
}

int
obs_order_parse(const char *name, enum obs_order *out)
{
    for (size_t i = 0; name && i < sizeof order_names / sizeof order_names[0];
         i++) {
        if (!strcmp(name, order_names[i])) {
            *out = (enum obs_order)i;
            return 0;
        }
    }
    return -EINVAL;
}

const char *
obs_order_source_name(enum obs_order_source source)
{
    static const char *const names[] = {
        [OBS_ORDER_DEFAULT] = "default",
        [OBS_ORDER_LEARNED] = "learned",
        [OBS_ORDER_FALLBACK] = "fallback",
    };
    return (unsigned)source < sizeof names / sizeof names[0] ? names[source]
                                                             : NULL;
}

static enum obs_tristate
tristate(bool known, bool value)
{
    return !known ? OBS_UNKNOWN : value ? OBS_YES : OBS_NO;
}

/* hw-tc-offload of the netdevs, from one FEATURES_GET dump per look
 * taken when first needed (not one request per representor). */
struct obs_feats {
    bool tried, dumped;       /* dumped false: read each netdev (ioctl) */
    struct ethfeat_dev *devs; /* sorted by ifindex */
    size_t n;
};

/* What one look dumps once, when first needed, for all its PFs. */
struct obs_dumps {
    struct obs_feats feats;
    /* Every link: the representors' fallback identity and admin state
     * (repr_resolve()). links NULL when the dump failed: then each PF
     * dumps its own. */
    bool links_tried;
    struct oa_link **links;
    size_t n_links;
};

static void
obs_dumps_free(struct obs_dumps *d)
{
    free(d->feats.devs);
    oa_link_list_free(d->links, d->n_links);
}

/* The look's link dump, made at the first call. */
static void
look_links(struct hostio *io, struct obs_dumps *d)
{
    if (!d->links_tried) {
        d->links_tried = true;
        if (oa_link_list(io->link, &d->links, &d->n_links, NULL)) {
            d->links = NULL;
            d->n_links = 0;
        }
    }
}

/* hw-tc-offload of 'netdev' ('ifindex'); UNKNOWN when it cannot be read. */
static enum obs_tristate
observe_hw_tc(struct hostio *io, struct obs_feats *feats, const char *netdev,
              int ifindex)
{
    if (!io->ethfeat || !netdev[0]) {
        return OBS_UNKNOWN;
    }
    if (!feats->tried) {
        feats->tried = true;
        feats->dumped = !ethfeat_dump(io->ethfeat, ETHFEAT_HW_TC_OFFLOAD,
                                      &feats->devs, &feats->n, NULL);
    }
    const struct ethfeat_dev *d =
        feats->dumped ? ethfeat_dev_find(feats->devs, feats->n, ifindex)
                      : NULL;
    struct ethfeat_state st;
    if (d && !strcmp(d->ifname, netdev)) {
        st = d->st;
    } else if (ethfeat_get(io->ethfeat, netdev, ETHFEAT_HW_TC_OFFLOAD, &st,
                           NULL)) {
        /* Not in the dump (created or renamed since): asked alone. */
        return OBS_UNKNOWN;
    }
    return st.active ? OBS_YES : OBS_NO;
}

/* Rules on the ingress hook of 'ifindex'; known false when not dumped. */
static void
observe_tc(struct hostio *io, int ifindex, struct obs_tc *tc)
{
    memset(tc, 0, sizeof *tc);
    struct tcf_rule *rules;
    size_t n;
    if (!io->rtnl || ifindex <= 0 ||
        tcf_dump(io->rtnl, ifindex, TCF_PARENT_INGRESS, &rules, &n, NULL)) {
        return;
    }
    tc->known = true;
    for (size_t i = 0; i < n; i++) {
        tc->rules++;
        tc->in_hw += rules[i].in_hw;
        tc->not_in_hw += rules[i].not_in_hw;
        tc->skip_hw += rules[i].skip_hw;
    }
    free(rules);
}

/* Admin state of the representors in 'reps' in reps_up[i]; UNKNOWN when
 * not dumped. repr_resolve() read it from the look's link dump; else (no
 * switch id, or a representor newer than that dump) from one link dump
 * here, not one request per representor. */
static void
observe_reps_up(struct hostio *io, struct repr_entry *reps, size_t n,
                enum obs_tristate *reps_up)
{
    struct oa_link **links;
    size_t n_links;
    bool all = true;

    for (size_t i = 0; i < n; i++) {
        all = all && reps[i].has_up;
    }
    if (n && !all && !oa_link_list(io->link, &links, &n_links, NULL)) {
        if (repr_set_up(reps, n, links, n_links)) {
            n = 0; /* out of memory: unknown */
        }
        oa_link_list_free(links, n_links);
    }
    for (size_t i = 0; i < n; i++) {
        if (reps[i].has_up) {
            reps_up[i] = tristate(true, reps[i].up);
        }
    }
}

/* Marks 'pf' not found: "<why> <what>[: <errno text>]" (the errno only
 * when it says more than "not there"). */
static int
not_found(struct obs_pf *pf, const char *why, const char *what, int r)
{
    struct oa_err err;

    pf->found = false;
    if (r < 0 && r != -ENODEV && r != -ENOENT) {
        oa_err_set_errno(&err, r, "%s %s", why, what);
    } else {
        oa_err_set(&err, 0, "%s %s", why, what);
    }
    oa_err_format(&err, pf->error, sizeof pf->error);
    return 0;
}

/* The PF is its device 'h' and 'dev' alone (no netdev). */
static int
found_device(const struct devlink_handle *h, const struct sriov_pf *dev,
             struct obs_pf *pf)
{
    if (pf->has_devlink) {
        devlink_handle_format(h, pf->devlink, sizeof pf->devlink);
    }
    oa_copy_str(pf->bus, sizeof pf->bus, dev->bus);
    oa_copy_str(pf->dev_name, sizeof pf->dev_name, dev->name);
    pf->found = true;
    return 0;
}

/* Whether 'dev' is a network controller (PCI class 0x02), or may be
 * one (no PCI class to read: netdevsim). */
static bool
network_class(const struct sriov_pf *dev)
{
    char path[sizeof dev->dir + 8];
    unsigned cls = 0;
    snprintf(path, sizeof path, "%s/class", dev->dir);
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    FILE *f = fopen(path, "re");
    if (!f) {
        return true;
    }
    int got = fscanf(f, "%x", &cls);
    fclose(f);
    return got != 1 || (cls >> 16) == 0x02;
}

/* The uplink of a PF found by its device 'h' (NULL: no devlink handle
 * known): devlink's physical port,
 * else the device's own netdevs (sorted: the first is the uplink).
 * Returns true when it has one (pf->netdev); false when it has none
 * (found as a device alone when it is no network controller, e.g. an
 * NVMe PF, whose VF count and binding can still be managed; else not
 * found) or it could not be read (pf->found false). */
static bool
device_uplink(struct hostio *io, const struct spec_pf *sp,
              const struct devlink_handle *h, const struct sriov_pf *dev,
              struct obs_pf *pf)
{
    pf->has_devlink =
        h && io->devlink && devlink_dev_exists(io->devlink, h, NULL) > 0;
    if (pf->has_devlink &&
        devlink_uplink_netdev(io->devlink, h, pf->netdev, NULL) >= 0) {
        return true;
    }
    char names[8][16];
    int n = sriov_pf_netdevs(dev, names, 8);
    if (n < 0) {
        not_found(pf, "no netdev on device", sp->id, n);
        return false;
    }
    if (n == 0 && !network_class(dev)) {
        found_device(h, dev, pf);
        return false;
    }
    if (n == 0) {
        /* A NIC between netdevs (mlx5 re-registers its uplink on a mode
         * change; not probed yet at boot): not found, so that OVS keeps
         * its ports. */
        not_found(pf, "no netdev on device", sp->id, 0);
        return false;
    }
    oa_copy_str(pf->netdev, sizeof pf->netdev, names[0]);
    return true;
}

/* The PF named 'name' by the spec: its sysfs device, and its uplink is
 * that netdev. */
static int
resolve_by_name(struct hostio *io, const char *name, struct sriov_pf *dev,
                struct obs_pf *pf)
{
    int r = sriov_pf_by_netdev(io->sysfs_root, name, dev);
    if (r) {
        struct oa_link *link;
        if (oa_link_get_by_name(io->link, name, &link, NULL)) {
            return not_found(pf, "no netdev", name, 0);
        }
        oa_link_destroy(link);
        return not_found(pf, "no device behind netdev", name, r);
    }
    oa_copy_str(pf->netdev, sizeof pf->netdev, name);
    return 0;
}

/* Finds the spec's PF: its sysfs device, devlink instance and uplink. A
 * PF named by netdev that has a pin ('pin', may be NULL) whose device
 * exists is that device (pfpin.h), else the netdev of that name.
 * Fills pf->found/error; returns a negative errno only for failures to
 * talk to the kernel at all (ENOMEM). */
static int
resolve_pf(struct hostio *io, const struct spec_pf *sp,
           const struct pfpin *pin, struct sriov_pf *dev, struct obs_pf *pf)
{
    const char *root = io->sysfs_root;
    struct devlink_handle h;
    bool have_handle = false, by_device = true;
    int r;

    switch (sp->key) {
    case SPEC_PF_BY_NETDEV:
        if (pin && !sriov_pf_by_devlink(root, pin->bus, pin->device, dev)) {
            pf->pinned = true;
            have_handle =
                pin->devlink[0] && !devlink_handle_parse(pin->devlink, &h);
            break;
        }
        by_device = false;
        r = resolve_by_name(io, sp->id, dev, pf);
        if (r < 0 || pf->error[0]) {
            return r;
        }
        break;
    case SPEC_PF_BY_PCI:
        r = sriov_pf_by_pci(root, sp->id, dev);
        if (r) {
            return not_found(pf, "no PCI device", sp->id, r);
        }
        snprintf(h.bus, sizeof h.bus, "pci");
        oa_copy_str(h.dev, sizeof h.dev, dev->name);
        have_handle = true;
        break;
    case SPEC_PF_BY_DEVLINK:
        if (devlink_handle_parse(sp->id, &h)) {
            return not_found(pf, "malformed devlink handle", sp->id, 0);
        }
        r = sriov_pf_by_devlink(root, h.bus, h.dev, dev);
        if (r) {
            return not_found(pf, "no device", sp->id, r);
        }
        have_handle = true;
        break;
    default:
        return not_found(pf, "unknown PF key for", sp->id, 0);
    }
    if (by_device &&
        !device_uplink(io, sp, have_handle ? &h : NULL, dev, pf)) {
        return 0;
    }

    struct oa_link *link;
    r = oa_link_get_by_name(io->link, pf->netdev, &link, NULL);
    if (r == -ENOMEM) {
        return r;
    } else if (r) {
        return not_found(pf, "no netdev", pf->netdev, r);
    }
    pf->ifindex = link->ifindex;
    pf->uplink_up = tristate(true, link->flags & IFF_UP);
    pf->uplink_master = link->master;
    oa_link_destroy(link);

    if (!have_handle && io->devlink &&
        !devlink_dev_by_ifindex(io->devlink, (uint32_t)pf->ifindex, &h,
                                NULL)) {
        have_handle = true;
        pf->has_devlink = true;
    }
    if (pf->has_devlink) {
        devlink_handle_format(&h, pf->devlink, sizeof pf->devlink);
    }
    oa_copy_str(pf->bus, sizeof pf->bus, dev->bus);
    oa_copy_str(pf->dev_name, sizeof pf->dev_name, dev->name);
    pf->found = true;
    return 0;
}

static void
observe_eswitch(struct hostio *io, struct obs_pf *pf)
{
    struct devlink_handle h;
    struct devlink_eswitch_state es;
    if (!pf->has_devlink || devlink_handle_parse(pf->devlink, &h) ||
        devlink_eswitch_get(io->devlink, &h, &es, NULL) || !es.has_mode) {
        return;
    }
    pf->has_eswitch = true;
    pf->eswitch_mode = es.mode;
    pf->has_inline_mode = es.has_inline_mode;
    pf->inline_mode = es.inline_mode;
    pf->has_encap_mode = es.has_encap_mode;
    pf->encap_mode = es.encap_mode;
}

/* Driver and running firmware (devlink info): part of the key of the
 * learned order. Left "" when the driver has no info to give. */
static void
observe_devinfo(struct hostio *io, struct obs_pf *pf)
{
    struct devlink_handle h;
    struct devlink_info info;
    if (!pf->has_devlink || devlink_handle_parse(pf->devlink, &h) ||
        devlink_info_get(io->devlink, &h, &info, NULL)) {
        return;
    }
    oa_copy_str(pf->driver, sizeof pf->driver, info.driver);
    oa_copy_str(pf->firmware, sizeof pf->firmware, info.firmware);
}

static void
observe_steering(struct hostio *io, const struct spec_pf *sp,
                 struct obs_pf *pf)
{
    struct devlink_handle h;
    struct devlink_param p;
    if (sp->steering_mode == SPEC_STEERING_UNSET || !pf->has_devlink ||
        devlink_handle_parse(pf->devlink, &h) ||
        devlink_param_get(io->devlink, &h, OBS_STEERING_PARAM,
                          DEVLINK_PARAM_CMODE_RUNTIME, &p, NULL) ||
        !devlink_param_is_string(p.type) || !p.has_value) {
        return;
    }
    pf->has_steering = true;
    oa_copy_str(pf->steering, sizeof pf->steering, p.str);
}

/* VF 'vf's representor 'rep' (admin state 'up'), and its devlink port
 * function's MAC from the same port dump. */
static void
observe_rep(struct hostio *io, struct obs_feats *feats,
            const struct repr_entry *rep, enum obs_tristate up,
            struct obs_vf *vf)
{
    vf->has_rep = true;
    oa_copy_str(vf->rep, sizeof vf->rep, rep->netdev);
    vf->rep_ifindex = rep->ifindex;
    vf->rep_up = up;
    vf->has_fn_hw_addr = rep->has_fn_hw_addr;
    memcpy(vf->fn_hw_addr, rep->fn_hw_addr, sizeof vf->fn_hw_addr);
    vf->rep_hw_tc_offload = observe_hw_tc(io, feats, vf->rep, vf->rep_ifindex);
    observe_tc(io, vf->rep_ifindex, &vf->rep_tc);
}

/* VF entries: kernel VF info, PCI address and driver, representor. */
static int
observe_vfs(struct hostio *io, struct obs_dumps *dumps,
            const struct sriov_pf *dev, struct obs_pf *pf)
{
    struct oa_link *link = NULL;
    struct repr_entry *reps = NULL;
    size_t n_reps = 0;

    if (pf->num_vfs) {
        pf->vfs = calloc(pf->num_vfs, sizeof *pf->vfs);
        if (!pf->vfs) {
            return -ENOMEM;
        }
        pf->n_vfs = pf->num_vfs;
    }
    /* The VF list is read after sriov_numvfs: a VF the list lacks (it
     * changed in between) just has no info. */
    if (oa_link_get_vfs(io->link, pf->ifindex, &link, NULL)) {
        link = NULL;
    }
    pf->vfs_arriving = link && link->has_num_vf && link->num_vf < pf->num_vfs;

    struct devlink_handle h;
    struct repr_query q = {.pf_ifindex = pf->ifindex, .pfnum = -1};
    if (pf->has_devlink && !devlink_handle_parse(pf->devlink, &h)) {
        q.devlink = &h;
    }
    if (pf->ifindex > 0) {
        look_links(io, dumps);
        q.links = dumps->links;
        q.n_links = dumps->n_links;
    }
    if ((!q.devlink && q.pf_ifindex <= 0) ||
        repr_resolve(io->devlink, io->link, &q, &reps, &n_reps, NULL)) {
        reps = NULL;
        n_reps = 0;
    }
    enum obs_tristate *reps_up = calloc(n_reps ? n_reps : 1, sizeof *reps_up);
    if (!reps_up) {
        oa_link_destroy(link);
        free(reps);
        return -ENOMEM;
    }
    observe_reps_up(io, reps, n_reps, reps_up);

    for (size_t i = 0; i < pf->n_vfs; i++) {
        struct obs_vf *vf = &pf->vfs[i];
        vf->index = (unsigned)i;
        const struct oa_link_vf *info =
            link ? oa_link_vf_find(link, (uint32_t)i) : NULL;
        if (info) {
            vf->has_info = true;
            memcpy(vf->mac, info->mac, sizeof vf->mac);
            vf->vlan = info->vlan;
            vf->trust = tristate(info->has_trust, info->trust);
            vf->spoofchk = tristate(info->has_spoofchk, info->spoofchk);
        }
        if (pf->vfs_are_devices &&
            !sriov_vf_pci_addr(dev, (unsigned)i, vf->pci, sizeof vf->pci)) {
            if (sriov_dev_driver(io->sysfs_root, vf->pci, vf->driver,
                                 sizeof vf->driver) <= 0) {
                vf->driver[0] = '\0';
            }
        }
        const struct repr_entry *rep = repr_find(reps, n_reps, (uint32_t)i);
        if (rep) {
            observe_rep(io, &dumps->feats, rep, reps_up[rep - reps], vf);
            pf->n_reps++;
        }
    }
    oa_link_destroy(link);
    free(reps_up);
    free(reps);
    return 0;
}

static int
observe_pf(struct hostio *io, struct obs_dumps *dumps,
           const struct spec_pf *sp, const struct pfpin_store *pins,
           struct obs_pf *pf)
{
    struct sriov_pf dev = {0};
    const struct pfpin *pin =
        sp->key == SPEC_PF_BY_NETDEV ? pfpin_find(pins, sp->id) : NULL;
    int r = resolve_pf(io, sp, pin, &dev, pf);
    if (r == 0 && !pf->found && dev.name[0]) {
        /* A device that is there but cannot be used (no netdev): its
         * limit still tells validate --host about num_vfs. */
        pf->has_total_vfs = !sriov_totalvfs_get(&dev, &pf->total_vfs);
    }
    if (r < 0 || !pf->found) {
        return r;
    }
    observe_eswitch(io, pf);
    observe_devinfo(io, pf);
    observe_steering(io, sp, pf);
    r = sriov_numvfs_get(&dev, &pf->num_vfs);
    if (r) {
        struct oa_err err;
        pf->found = false;
        oa_err_set_errno(&err, r, "%s (%s/%s) has no SR-IOV: sriov_numvfs",
                         pf->netdev, pf->bus, pf->dev_name);
        oa_err_format(&err, pf->error, sizeof pf->error);
        return 0;
    }
    pf->has_total_vfs = !sriov_totalvfs_get(&dev, &pf->total_vfs);
    pf->vfs_are_devices = sriov_vfs_are_devices(&dev);
    pf->uplink_hw_tc_offload =
        observe_hw_tc(io, &dumps->feats, pf->netdev, pf->ifindex);
    observe_tc(io, pf->ifindex, &pf->uplink_tc);
    return observe_vfs(io, dumps, &dev, pf);
}

static int
observe_ovs(struct hostio *io, long long timeout_ms, struct obs_ovs *ovs)
{
    if (io->vsdb) {
        /* Takes in what the server sent since the last call: the snapshot
         * is as fresh as the IDL can have it. */
        vsdb_run(io->vsdb);
        if (!vsdb_is_ready(io->vsdb) && timeout_ms > 0) {
            vsdb_wait_ready_block(io->vsdb, timeout_ms);
        }
        if (vsdb_is_ready(io->vsdb)) {
            struct vsdb_state *st;
            int r = vsdb_observe(io->vsdb, &st);
            if (r < 0) {
                return r;
            }
            if (st->ready) {
                ovs->connected = true;
                ovs->state = st;
            } else {
                vsdb_state_free(st);
            }
        }
    }
    char *id;
    if (!vsdb_vswitchd_identity(io->vswitchd_pidfile, io->proc_root, &id)) {
        ovs->vswitchd_id = id;
    }
    return 0;
}

int
obs_collect(struct hostio *io, const struct spec *spec,
            long long ovs_timeout_ms, struct obs_host **out,
            struct oa_err *err)
{
    return obs_collect_pinned(io, spec, NULL, ovs_timeout_ms, out, err);
}

int
obs_collect_pinned(struct hostio *io, const struct spec *spec,
                   const struct pfpin_store *pins, long long ovs_timeout_ms,
                   struct obs_host **out, struct oa_err *err)
{
    *out = NULL;
    oa_err_clear(err);
    if (!io->link || !io->rtnl) {
        return oa_err_set(err, -ENOTCONN, "the host handles are not open");
    }
    struct obs_host *host = calloc(1, sizeof *host);
    if (!host) {
        return oa_err_set_errno(err, -ENOMEM, "allocating the observation");
    }
    struct utsname u;
    if (!uname(&u)) {
        oa_copy_str(host->kernel_release, sizeof host->kernel_release,
                    u.release);
    }

    int r = 0;
    struct obs_dumps dumps = {0};
    if (spec->n_pfs) {
        host->pfs = calloc(spec->n_pfs, sizeof *host->pfs);
        if (!host->pfs) {
            r = oa_err_set_errno(err, -ENOMEM, "allocating the observation");
            goto fail;
        }
        host->n_pfs = spec->n_pfs;
    }
    for (size_t i = 0; i < spec->n_pfs; i++) {
        r = observe_pf(io, &dumps, &spec->pfs[i], pins, &host->pfs[i]);
        if (r < 0) {
            oa_err_set_errno(err, r, "observing PF %s", spec->pfs[i].id);
            goto fail;
        }
    }
    r = obs_inuse_collect(io, host);
    if (r < 0) {
        oa_err_set_errno(err, r, "observing which VFs are in use");
        goto fail;
    }
    r = obs_bond_collect(io, spec, host);
    if (r < 0) {
        oa_err_set_errno(err, r, "observing the bonds");
        goto fail;
    }
    r = observe_ovs(io, ovs_timeout_ms, &host->ovs);
    if (r < 0) {
        oa_err_set_errno(err, r, "observing OVSDB");
        goto fail;
    }
    r = obs_vdpa_collect(io, spec, &host->vdpa, err);
    if (r < 0) {
        goto fail;
    }
    r = vdpa_eth_observe(io, spec, host, err);
    if (r < 0) {
        goto fail;
    }
    obs_dumps_free(&dumps);
    *out = host;
    return 0;

fail:
    obs_dumps_free(&dumps);
    obs_free(host);
    return r;
}

void
obs_free(struct obs_host *host)
{
    if (!host) {
        return;
    }
    for (size_t i = 0; i < host->n_pfs; i++) {
        free(host->pfs[i].vfs);
    }
    free(host->pfs);
    free(host->bonds);
    free(host->stray_bonds);
    vsdb_state_free(host->ovs.state);
    free(host->ovs.vswitchd_id);
    obs_vdpa_free(host->vdpa);
    free(host);
}
