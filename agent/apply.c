/* apply: carries out a plan's steps against the host (apply.h). Every
 * step reads the current value first and writes only what differs, so a
 * repeated plan changes nothing; the only wait (VFs and representors,
 * wait-vfs) is driven by netlink events where the kernel sends them. */
#include "apply.h"
#include "apply-vdpa.h"

#include "crashj.h"
#include "hostio.h"
#include "oa-common/cancel.h"
#include "oa-common/err.h"
#include "oa-common/str.h"
#include "obs.h"
#include "oa-netlink/bond.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/dpport.h"
#include "oa-netlink/ethfeat.h"
#include "oa-netlink/link.h"
#include "oa-netlink/nlev.h"
#include "oa-netlink/repr.h"
#include "oa-netlink/sriov.h"
#include "oa-netlink/tcf.h"
#include "offload/spec.h"
#include "plan.h"
#include "stats.h"
#include "step.h"
#include "testhook.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/openvswitch.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What one apply_run() carries between steps. */
struct apply_ctx {
    struct hostio *io;
    const struct obs_host *host;
    const struct plan *plan;
    long long wait_timeout_ms;
    long long ovs_timeout_ms;
    /* Event sources, opened before the first step when the plan waits
     * for VFs, so that no notification is missed. */
    struct nlev_source *ev[2];
    size_t n_ev;
    int ev_error; /* why they could not be opened */
    /* The OVS and detach transactions run at their first step; the later
     * steps of the same transaction report its outcome ('*_msg'). */
    bool ovs_done, detach_done;
    bool vswitchd_applied; /* the last commit: an ovs-vswitchd applied it */
    /* Datapath ports of renamed netdevs, found before the transaction
     * that re-points their ports and deleted after it (owned). */
    struct dpport *orphans;
    size_t n_orphans;
    int released_dp_ports;
    char ovs_msg[420], detach_msg[420]; /* msg + " (same transaction)" */
    struct apply_result *res;
    /* Set by the step that fails (STEP_ERROR): the text is the part after
     * "<action> <object>: ", which apply_run() puts in front. */
    struct oa_err err;
    /* The running step's refusal was of switchdev, in this order. */
    bool step_switchdev;
    enum obs_order step_order;
    /* The step just done registered the PF's uplink anew (mlx5 on a mode
     * change): the later steps name the old netdev, so the run stops and
     * the engine plans again from a new look. */
    bool replan;
    /* Per PF (host->n_pfs, may be NULL): its representors as resolved
     * for the last step that needed them. Valid until a step other than
     * set-hw-tc-offload or set-link-up runs (apply_run() drops it then):
     * those two change no representor, and resolving for each (a devlink
     * port dump and a link dump of the whole host) made a converge
     * quadratic in VFs. A cached name that is gone is resolved again. */
    struct rep_cache {
        struct repr_entry *reps;
        size_t n;
        bool valid;
    } * reps;
    /* Per PF (host->n_pfs, may be NULL): what set-vf reads before it
     * writes, read once for a run of set-vf steps (any other step drops
     * it): the PF's link with its VF list and the VFs' devlink port
     * functions. Both are O(VFs) to read, so read per step they made a
     * converge quadratic in VFs. Each step touches only its own VF and
     * writes what it set into the copy too. */
    struct vf_cache {
        struct oa_link *link;     /* NULL: not read in this run */
        struct repr_entry *ports; /* valid when ports_read */
        size_t n_ports;
        bool ports_read;
    } * vfc;
    /* For on_step: what the step did. */
    char msg[400];
    char failure[OA_ERR_FORMAT_MAX]; /* on_step's text of a failure */
};

static void __attribute__((format(printf, 2, 3)))
say(struct apply_ctx *c, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, args);
    va_end(args);
}

/* The wait of the running step became moot (hostio.cancel: SIGTERM, a
 * new spec): the step ends, and so does the run. */
static enum step_result
cancelled(struct apply_ctx *c)
{
    oa_err_set(&c->err, -ECANCELED, "wait given up: cancelled");
    return STEP_ERROR;
}

/* nlev_wait() that also ends on the cancel (then the step's error is
 * set and -ECANCELED returned). */
static int
wait_events(struct apply_ctx *c, struct nlev_source *const *ev, size_t n,
            long long timeout_ms)
{
    int r = nlev_wait_cancel(ev, n, timeout_ms, NULL, c->io->cancel);
    if (r == -ECANCELED) {
        cancelled(c);
    }
    return r;
}

/* A lower layer refused: its errno, and the kernel's extack when it gave
 * one. */
static enum step_result
fail(struct apply_ctx *c, int r, const struct oanl_extack *ext)
{
    oa_err_set_extack(&c->err, r, ext ? ext->msg : NULL, "%s", "");
    return STEP_ERROR;
}

enum step_result
apply_vdpa(struct apply_ctx *c, const struct plan_step *s)
{
    return apply_vdpa_step(c->io, s, c->msg, sizeof c->msg, &c->err)
               ? STEP_ERROR
               : STEP_DONE;
}

/* The observed PF a step is about, in '*pf'. A negative errno (and the
 * failure text) when the step names none that was found. */
static int
step_pf(struct apply_ctx *c, const struct plan_step *s,
        const struct obs_pf **pf)
{
    *pf = NULL;
    if (s->pf < 0 || (size_t)s->pf >= c->host->n_pfs) {
        return oa_err_set(&c->err, -EINVAL,
                          "the step names no PF of the observation");
    }
    if (!c->host->pfs[s->pf].found) {
        const char *error = c->host->pfs[s->pf].error;
        return oa_err_set(&c->err, -ENODEV, "%s",
                          error[0] ? error : "PF not found");
    }
    *pf = &c->host->pfs[s->pf];
    return 0;
}

static int
pf_sysfs(struct apply_ctx *c, const struct obs_pf *pf, struct sriov_pf *dev)
{
    int r = sriov_pf_by_devlink(c->io->sysfs_root, pf->bus, pf->dev_name, dev);
    return r ? oa_err_set_errno(&c->err, r, "device %s/%s", pf->bus,
                                pf->dev_name)
             : 0;
}

static int
pf_devlink(struct apply_ctx *c, const struct obs_pf *pf,
           struct devlink_handle *h)
{
    if (!c->io->devlink) {
        return oa_err_set(&c->err, -EOPNOTSUPP, "the kernel has no devlink");
    }
    if (!pf->has_devlink || devlink_handle_parse(pf->devlink, h)) {
        return oa_err_set(&c->err, -ENODEV, "%s has no devlink instance",
                          pf->netdev);
    }
    return 0;
}

/* ---- Kernel steps ----------------------------------------------------- */

/* sriov_numvfs with the PF's sriov_drivers_autoprobe off during the
 * write, restored as found right after it (also when the write fails).
 * The PCI core adds each VF and tries to probe it within the write
 * (sriov_enable -> pci_iov_add_virtfn -> pci_bus_add_device), and
 * pci_device_probe() asks pci_device_can_probe() at that moment: with
 * autoprobe off and no driver_override the VF stays unbound. Restoring
 * autoprobe afterwards does not probe the VFs already added; they stay
 * unbound until bind-vf binds them through driver_override (only a
 * driver registered in between, a module loaded, would still try).
 * Autoprobe off is a temporary state: journalled (crashj.h) while it
 * lasts. */
static enum step_result
set_numvfs_noprobe(struct apply_ctx *c, const struct sriov_pf *dev,
                   unsigned cur, unsigned want)
{
    char object[sizeof dev->bus + sizeof dev->name + 1];
    bool was_on = false;
    int restore = 0;
    int r = sriov_autoprobe_get(dev, &was_on);
    snprintf(object, sizeof object, "%s/%s", dev->bus, dev->name);
    if (!r && was_on) {
        crashj_begin(c->io->journal, "autoprobe-off", object, "");
        r = sriov_autoprobe_set(dev, false);
        testhook_kill_at("autoprobe-off");
    }
    if (!r) {
        r = sriov_numvfs_write(dev, want);
        restore = was_on ? sriov_autoprobe_set(dev, true) : 0;
    }
    if (was_on && !restore) {
        crashj_end(c->io->journal, "autoprobe-off", object);
    }
    if (r) {
        oa_err_set_errno(&c->err, r,
                         "%u -> %u VFs with sriov_drivers_autoprobe off "
                         "refused%s",
                         cur, want,
                         restore ? " (and autoprobe left off)" : "");
        return STEP_ERROR;
    }
    if (restore) {
        oa_err_set_errno(&c->err, restore,
                         "%u -> %u VFs, but sriov_drivers_autoprobe could "
                         "not be set back on",
                         cur, want);
        return STEP_ERROR;
    }
    say(c, "%u -> %u VFs, autoprobe %s", cur, want,
        was_on ? "off during the write, on again" : "off already");
    return STEP_DONE;
}

enum step_result
apply_set_numvfs(struct apply_ctx *c, const struct plan_step *s)
{
    unsigned want = s->numvfs.num;
    const struct obs_pf *pf;
    struct sriov_pf dev;
    unsigned cur;
    int r;

    if (step_pf(c, s, &pf) || pf_sysfs(c, pf, &dev)) {
        return STEP_ERROR;
    }
    r = sriov_numvfs_get(&dev, &cur);
    if (r) {
        return fail(c, r, NULL);
    }
    if (cur == want) {
        say(c, "unchanged: %u VFs", cur);
        return STEP_DONE;
    }
    /* Exactly what the planner asked: it goes through 0 itself (N -> M
     * is refused with EBUSY, and the planner must know it happened). */
    if (s->numvfs.no_autoprobe && want > 0) {
        return set_numvfs_noprobe(c, &dev, cur, want);
    }
    r = sriov_numvfs_write(&dev, want);
    if (r) {
        /* sysfs has no extack: say what was refused. */
        oa_err_set_errno(&c->err, r, "%u -> %u VFs refused", cur, want);
        return STEP_ERROR;
    }
    say(c, "%u -> %u VFs", cur, want);
    return STEP_DONE;
}

static bool
eswitch_differs(const struct devlink_eswitch_state *st,
                const struct plan_eswitch_args *a,
                struct devlink_eswitch_req *req)
{
    req->mode = -1;
    req->inline_mode = -1;
    req->encap_mode = -1;
    if (a->mode >= 0 && (!st->has_mode || st->mode != a->mode)) {
        req->mode = a->mode;
    }
    if (a->inline_mode >= 0 &&
        (!st->has_inline_mode || st->inline_mode != a->inline_mode)) {
        req->inline_mode = a->inline_mode;
    }
    if (a->encap_mode >= 0 &&
        (!st->has_encap_mode || st->encap_mode != a->encap_mode)) {
        req->encap_mode = a->encap_mode;
    }
    return req->mode >= 0 || req->inline_mode >= 0 || req->encap_mode >= 0;
}

/* A refused switchdev: which order the PF was in, from its VF count now
 * (0: switchdev-first); the engine tries the other one. Not noted when
 * the count cannot be read. */
static void
note_switchdev_refusal(struct apply_ctx *c, const struct obs_pf *pf)
{
    struct sriov_pf dev;
    unsigned vfs;
    if (!sriov_pf_by_devlink(c->io->sysfs_root, pf->bus, pf->dev_name, &dev) &&
        !sriov_numvfs_get(&dev, &vfs)) {
        c->step_switchdev = true;
        c->step_order = vfs ? OBS_ORDER_VFS_FIRST : OBS_ORDER_SWITCHDEV_FIRST;
    }
}

/* A mode change is mid-way until the run that made it ends clean (the
 * VF count, the ports come after it): journalled (crashj.h) until then. */
static void
journal_eswitch(struct apply_ctx *c, const struct obs_pf *pf,
                const struct devlink_eswitch_state *st, int mode)
{
    char detail[64];
    snprintf(detail, sizeof detail, "%s -> %s",
             st->has_mode ? devlink_eswitch_mode_name(st->mode) : "?",
             devlink_eswitch_mode_name(mode));
    crashj_begin(c->io->journal, "eswitch", pf->devlink, detail);
}

enum step_result
apply_set_eswitch(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct devlink_handle h;
    struct devlink_eswitch_state st;
    struct devlink_eswitch_req req;
    struct oanl_extack ext = {""};
    int r;

    if (step_pf(c, s, &pf) || pf_devlink(c, pf, &h)) {
        return STEP_ERROR;
    }
    r = devlink_eswitch_get(c->io->devlink, &h, &st, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    if (!eswitch_differs(&st, &s->eswitch, &req)) {
        say(c, "unchanged: %s", devlink_eswitch_mode_name(st.mode));
        return STEP_DONE;
    }
    /* The mode alone first, then inline/encap: the kernel applies them
     * in that order anyway, and a refusal of the mode must not be
     * mistaken for one of inline/encap (or the other way round). */
    struct devlink_eswitch_req mode_req = {req.mode, -1, -1};
    if (req.mode >= 0) {
        journal_eswitch(c, pf, &st, req.mode);
        r = devlink_eswitch_set(c->io->devlink, &h, &mode_req, &ext);
        if (r) {
            if (req.mode == DEVLINK_ESWITCH_MODE_SWITCHDEV) {
                note_switchdev_refusal(c, pf);
            }
            return fail(c, r, &ext);
        }
        testhook_kill_at("eswitch");
    }
    if (req.inline_mode >= 0 || req.encap_mode >= 0) {
        req.mode = -1;
        r = devlink_eswitch_set(c->io->devlink, &h, &req, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
    }
    if (mode_req.mode >= 0) {
        say(c, "%s -> %s",
            st.has_mode ? devlink_eswitch_mode_name(st.mode) : "?",
            devlink_eswitch_mode_name(mode_req.mode));
    } else {
        say(c, "inline/encap mode set");
    }
    return STEP_DONE;
}

/* Reads the param first; the driver's refusal (mlx5: no smfs in
 * switchdev) comes back with its extack. */
enum step_result
apply_set_steering_mode(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct devlink_handle h;
    struct devlink_param p;
    struct oanl_extack ext = {""};
    int r;

    if (step_pf(c, s, &pf) || pf_devlink(c, pf, &h)) {
        return STEP_ERROR;
    }
    r = devlink_param_get(c->io->devlink, &h, OBS_STEERING_PARAM,
                          DEVLINK_PARAM_CMODE_RUNTIME, &p, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    if (!devlink_param_is_string(p.type) || !p.has_value) {
        oa_err_set(&c->err, -EPROTO,
                   OBS_STEERING_PARAM " is not a runtime string param");
        return STEP_ERROR;
    }
    if (!strcmp(p.str, s->steering.mode)) {
        say(c, "unchanged: %s", p.str);
        return STEP_DONE;
    }
    char was[sizeof p.str];
    oa_copy_str(was, sizeof was, p.str);
    oa_copy_str(p.str, sizeof p.str, s->steering.mode);
    r = devlink_param_set(c->io->devlink, &h, &p, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "%s -> %s", was, s->steering.mode);
    return STEP_DONE;
}

enum step_result
apply_unbind_vf(struct apply_ctx *c, const struct plan_step *s)
{
    const char *pci = s->binding.pci;
    char drv[64];
    int r = sriov_dev_driver(c->io->sysfs_root, pci, drv, sizeof drv);
    if (r < 0) {
        return fail(c, r, NULL);
    }
    if (r == 0) {
        say(c, "unchanged: %s not bound", pci);
        return STEP_DONE;
    }
    /* Unbound is a temporary state until bind-vf: journalled. */
    crashj_begin(c->io->journal, "vf-unbound", pci, drv);
    r = sriov_dev_unbind(c->io->sysfs_root, pci);
    if (r) {
        crashj_end(c->io->journal, "vf-unbound", pci);
        return fail(c, r, NULL);
    }
    testhook_kill_at("vf-unbound");
    say(c, "%s unbound from %s", pci, drv);
    return STEP_DONE;
}

enum step_result
apply_bind_vf(struct apply_ctx *c, const struct plan_step *s)
{
    const char *root = c->io->sysfs_root;
    const char *pci = s->binding.pci, *driver = s->binding.driver;
    char drv[64], over[64];
    int r = sriov_dev_driver(root, pci, drv, sizeof drv);
    if (r < 0) {
        return fail(c, r, NULL);
    }
    if (r == 1 && !strcmp(drv, driver)) {
        say(c, "unchanged: %s bound to %s", pci, drv);
        return STEP_DONE;
    }
    if (r == 1) {
        /* Bound to another driver: the spec names this one. Unbound
         * until the bind below: journalled. */
        crashj_begin(c->io->journal, "vf-unbound", pci, drv);
        r = sriov_dev_unbind(root, pci);
        if (r) {
            crashj_end(c->io->journal, "vf-unbound", pci);
            return fail(c, r, NULL);
        }
        testhook_kill_at("vf-unbound");
    }
    /* driver_override makes the bind stick even where the driver's id
     * table does not list the VF, and keeps other drivers off it. */
    if (sriov_dev_get_override(root, pci, over, sizeof over) != 1 ||
        strcmp(over, driver)) {
        r = sriov_dev_set_override(root, pci, driver);
        if (r) {
            return fail(c, r, NULL);
        }
    }
    r = sriov_dev_bind(root, pci, driver);
    if (r) {
        return fail(c, r, NULL);
    }
    crashj_end(c->io->journal, "vf-unbound", pci);
    say(c, "%s bound to %s", pci, driver);
    return STEP_DONE;
}

/* Fills 'req' with the settings of 'w' that differ from 'cur' (NULL: not
 * reported: all of them), and 'what' with " mac ..., vlan ..." for
 * people. Returns whether anything differs. */
static bool
vf_changes(const struct oa_link_vf *cur, const struct plan_vf_req *w,
           struct oa_link_vf_req *req, struct oa_str *what)
{
    bool change = false;
    char mac[18];

    if (w->has_mac && (!cur || memcmp(cur->mac, w->mac, 6))) {
        req->mac = w->mac;
        change = true;
        oa_str_printf(what, " mac %s via PF (IFLA_VF_MAC)",
                      spec_mac_to_string(w->mac, mac));
    }
    if (w->vlan >= 0 && (!cur || cur->vlan != (uint32_t)w->vlan)) {
        req->vlan = w->vlan;
        req->qos = 0;
        change = true;
        oa_str_printf(what, " vlan %d", w->vlan);
    }
    if (w->trust >= 0 &&
        (!cur || !cur->has_trust || cur->trust != (w->trust != 0))) {
        req->trust = w->trust != 0;
        change = true;
        oa_str_printf(what, " trust %s", w->trust ? "on" : "off");
    }
    if (w->spoofchk >= 0 &&
        (!cur || !cur->has_spoofchk || cur->spoofchk != (w->spoofchk != 0))) {
        req->spoofchk = w->spoofchk != 0;
        change = true;
        oa_str_printf(what, " spoofchk %s", w->spoofchk ? "on" : "off");
    }
    return change;
}

/* Drops what set-vf read for every PF. */
static void
vfc_forget(struct apply_ctx *c)
{
    for (size_t k = 0; c->vfc && k < c->host->n_pfs; k++) {
        oa_link_destroy(c->vfc[k].link);
        free(c->vfc[k].ports);
        c->vfc[k] = (struct vf_cache){0};
    }
}

/* The cache of PF 's->pf', or 'fresh' (zeroed) without one; the caller
 * frees 'fresh''s content (vfc_done()). */
static struct vf_cache *
vfc_of(struct apply_ctx *c, int pf, struct vf_cache *fresh)
{
    return c->vfc && pf >= 0 && (size_t)pf < c->host->n_pfs ? &c->vfc[pf]
                                                            : fresh;
}

static void
vfc_done(struct vf_cache *fresh)
{
    oa_link_destroy(fresh->link);
    free(fresh->ports);
}

/* VF 'vf's devlink port, when its function reports a hw_addr (then the
 * MAC is set there), from one port dump of the PF's devlink instance
 * ('vc' keeps it for the run). 1 and '*h', '*port' (in 'vc') when it
 * does; 0 when it does not (no devlink instance, legacy: no VF ports, a
 * driver without the op, stock netdevsim); or a negative errno. */
static int
vf_port_fn(struct apply_ctx *c, const struct obs_pf *pf, int vf,
           struct vf_cache *vc, struct devlink_handle *h,
           struct repr_entry **port, struct oanl_extack *ext)
{
    *port = NULL;
    if (!c->io->devlink || !pf->has_devlink ||
        devlink_handle_parse(pf->devlink, h)) {
        return 0;
    }
    if (!vc->ports_read) {
        struct devlink_port_info *ports;
        size_t n_ports;
        int r = devlink_port_list(c->io->devlink, h, &ports, &n_ports, ext);
        if (r) {
            return r;
        }
        r = repr_from_ports(ports, n_ports, h, -1, &vc->ports, &vc->n_ports);
        free(ports);
        if (r) {
            return r;
        }
        vc->ports_read = true;
    }
    struct repr_entry *e =
        (struct repr_entry *)repr_find(vc->ports, vc->n_ports, (uint32_t)vf);
    *port = e;
    return e && e->has_fn_hw_addr;
}

/* VF 'vf's MAC through its devlink port function ("devlink port function
 * set ... hw_addr"), the documented way in switchdev, where the function
 * reports one; read before written. '*by_pf' is set when the MAC is the
 * PF's to write after all: no such port function, or its set refused
 * with EOPNOTSUPP (said in 'refused'). '*wrote' when it was written
 * here. */
static enum step_result
mac_by_port_fn(struct apply_ctx *c, const struct obs_pf *pf, int vf,
               struct vf_cache *vc, const uint8_t mac[6], struct oa_str *what,
               struct oa_str *refused, bool *by_pf, bool *wrote)
{
    struct oanl_extack ext = {""};
    struct devlink_handle h;
    struct repr_entry *port = NULL;
    char text[18];

    *by_pf = true;
    *wrote = false;
    int r = vf_port_fn(c, pf, vf, vc, &h, &port, &ext);
    if (r <= 0) {
        return r < 0 ? fail(c, r, &ext) : STEP_DONE;
    }
    spec_mac_to_string(mac, text);
    if (!memcmp(port->fn_hw_addr, mac, 6)) {
        *by_pf = false;
        oa_str_printf(what, " mac %s via port function", text);
        return STEP_DONE;
    }
    r = devlink_port_fn_hw_addr_set(c->io->devlink, &h, port->port_index, mac,
                                    &ext);
    if (r == -EOPNOTSUPP) {
        /* A driver that shows the hw_addr but cannot set it: the PF's
         * way, in this same step. */
        oa_str_printf(refused, " (the port function refused it: %s%s%s)",
                      strerror(-r), ext.msg[0] ? ", kernel: " : "", ext.msg);
        return STEP_DONE;
    }
    if (r) {
        return fail(c, r, &ext);
    }
    memcpy(port->fn_hw_addr, mac, 6);
    *by_pf = false;
    *wrote = true;
    oa_str_printf(what, " mac %s via port function", text);
    return STEP_DONE;
}

/* The settings of 'w' that differ, through the PF (rtnetlink VF ndos:
 * IFLA_VF_MAC, VLAN, trust, spoofchk); '*wrote' when something was. */
/* What 'req' wrote, into the cached VF entry 'cur'. */
static void
vf_written(struct oa_link_vf *cur, const struct oa_link_vf_req *req)
{
    if (req->mac) {
        memcpy(cur->mac, req->mac, 6);
    }
    if (req->vlan >= 0) {
        cur->vlan = (uint32_t)req->vlan;
        cur->qos = 0;
    }
    if (req->trust >= 0) {
        cur->has_trust = true;
        cur->trust = req->trust != 0;
    }
    if (req->spoofchk >= 0) {
        cur->has_spoofchk = true;
        cur->spoofchk = req->spoofchk != 0;
    }
}

static enum step_result
vf_by_pf(struct apply_ctx *c, const struct obs_pf *pf, int vf,
         struct vf_cache *vc, const struct plan_vf_req *w, struct oa_str *what,
         bool *wrote)
{
    struct oanl_extack ext = {""};
    struct oa_link_vf_req req;

    *wrote = false;
    if (!vc->link) {
        int r = oa_link_get_vfs(c->io->link, pf->ifindex, &vc->link, &ext);
        if (r) {
            vc->link = NULL;
            return fail(c, r, &ext);
        }
    }
    oa_link_vf_req_init(&req, (uint32_t)vf);
    struct oa_link_vf *cur =
        (struct oa_link_vf *)oa_link_vf_find(vc->link, (uint32_t)vf);
    if (!vf_changes(cur, w, &req, what)) {
        return STEP_DONE;
    }
    int r = oa_link_set_vf(c->io->link, pf->ifindex, &req, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    if (cur) {
        vf_written(cur, &req);
    }
    *wrote = true;
    return STEP_DONE;
}

/* The MAC through the VF's port function where it has one, else (and
 * VLAN, trust, spoofchk always: legacy only) through the PF. The step
 * says which way: "VF 0: mac ... via port function". */
enum step_result
apply_set_vf(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct plan_vf_req w = s->setvf.req;
    struct oa_str what = OA_STR_INIT, refused = OA_STR_INIT;
    bool by_pf = true, fn_wrote = false, pf_wrote = false;
    enum step_result sr = STEP_DONE;

    if (step_pf(c, s, &pf)) {
        return STEP_ERROR;
    }
    if (s->vf < 0) {
        oa_err_set(&c->err, -EINVAL, "the step names no VF");
        return STEP_ERROR;
    }
    struct vf_cache fresh = {0};
    struct vf_cache *vc = vfc_of(c, s->pf, &fresh);
    if (w.has_mac) {
        sr = mac_by_port_fn(c, pf, s->vf, vc, w.mac, &what, &refused, &by_pf,
                            &fn_wrote);
        w.has_mac = by_pf;
    }
    if (sr == STEP_DONE) {
        sr = vf_by_pf(c, pf, s->vf, vc, &w, &what, &pf_wrote);
    }
    vfc_done(&fresh);
    if (sr == STEP_DONE) {
        const char *text = oa_str_cstr(&what);
        say(c, "%sVF %d%s%s%s",
            fn_wrote || pf_wrote ? "" : "unchanged: ", s->vf,
            text[0] ? ":" : "", text, oa_str_cstr(&refused));
    }
    oa_str_free(&what);
    oa_str_free(&refused);
    return sr;
}

/* Representors of 'pf' with a netdev, by identity. */
static int
resolve_reps(struct apply_ctx *c, const struct obs_pf *pf,
             struct repr_entry **reps, size_t *n, struct oanl_extack *ext)
{
    struct devlink_handle h;
    struct repr_query q = {.pf_ifindex = pf->ifindex, .pfnum = -1};
    if (pf->has_devlink && !devlink_handle_parse(pf->devlink, &h)) {
        q.devlink = &h;
    }
    return repr_resolve(c->io->devlink, c->io->link, &q, reps, n, ext);
}

static size_t
count_reps(const struct repr_entry *reps, size_t n, unsigned below)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += reps[i].vf < below;
    }
    return count;
}

/* How far the VFs a wait-vfs step waits for are. */
struct vf_count {
    unsigned listed, pci, reps;
};

/* VFs below 'num' in the PF's IFLA_VFINFO_LIST; a driver that lists no
 * VF entries at all (no ndo_get_vf_config) counts by IFLA_NUM_VF. */
static int
count_listed(struct apply_ctx *c, const struct obs_pf *pf, unsigned num,
             unsigned *n, struct oanl_extack *ext)
{
    struct oa_link *link;
    int r = oa_link_get_vfs(c->io->link, pf->ifindex, &link, ext);
    if (r) {
        return r;
    }
    *n = 0;
    if (!link->n_vfs && link->has_num_vf) {
        *n = link->num_vf < num ? link->num_vf : num;
    }
    for (unsigned k = 0; k < num && link->n_vfs; k++) {
        *n += oa_link_vf_find(link, k) != NULL;
    }
    oa_link_destroy(link);
    return 0;
}

/* VFs below 'num' with a virtfnN link: PCI functions the core added. */
static unsigned
count_pci(const struct sriov_pf *dev, unsigned num)
{
    char pci[32];
    unsigned n = 0;
    for (unsigned k = 0; k < num; k++) {
        n += !sriov_vf_pci_addr(dev, k, pci, sizeof pci);
    }
    return n;
}

static enum step_result
count_vfs(struct apply_ctx *c, const struct obs_pf *pf,
          const struct plan_wait_args *w, struct vf_count *have)
{
    struct oanl_extack ext = {""};
    struct repr_entry *reps;
    struct sriov_pf dev;
    size_t n;
    int r;

    memset(have, 0, sizeof *have);
    if (w->listed) {
        r = count_listed(c, pf, w->num, &have->listed, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
    }
    if (w->pci) {
        if (pf_sysfs(c, pf, &dev)) {
            return STEP_ERROR;
        }
        have->pci = count_pci(&dev, w->num);
    }
    if (w->reps) {
        r = resolve_reps(c, pf, &reps, &n, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
        have->reps = (unsigned)count_reps(reps, n, w->num);
        free(reps);
    }
    return STEP_DONE;
}

/* The VF list and virtfnN: what the kernel changes without telling. */
static bool
silent_part_short(const struct plan_wait_args *w, const struct vf_count *h)
{
    return (w->listed && h->listed < w->num) || (w->pci && h->pci < w->num);
}

static bool
vfs_ready(const struct plan_wait_args *w, const struct vf_count *h)
{
    return !silent_part_short(w, h) && (!w->reps || h->reps >= w->num);
}

/* "3 of 8 VFs listed by eth0, 0 of 8 representors of eth0": what the
 * step checks ('all'), or only what is short. */
static void
describe_vfs(char *buf, size_t size, const struct plan_wait_args *w,
             const struct vf_count *h, const char *netdev, bool all)
{
    const struct {
        bool checked;
        unsigned have;
        const char *what;
    } parts[] = {
        {w->listed, h->listed, "VFs listed by"},
        {w->pci, h->pci, "VF PCI functions of"},
        {w->reps, h->reps, "representors of"},
    };
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
        if (!parts[i].checked || (!all && parts[i].have >= w->num) ||
            len >= size) {
            continue;
        }
        int k = snprintf(buf + len, size - len, "%s%u of %u %s %s",
                         len ? ", " : "", parts[i].have, w->num, parts[i].what,
                         netdev);
        len += k > 0 ? (size_t)k : 0;
    }
}

/* Representors come with link and devlink events. The PF's VF list and
 * its virtfnN links change with none (measured in the bed: netdevsim's
 * delayed VFs in legacy send no RTM_NEWLINK and no devlink
 * notification), so while those are short the wait looks again after
 * 10, 20, 40 ... 200 ms as well; on a PCI device both are complete when
 * the sriov_numvfs write returns and the first look ends it. */
static long long
next_look_ms(const struct plan_wait_args *w, const struct vf_count *h,
             long long left, long long *backoff)
{
    if (!silent_part_short(w, h)) {
        return left;
    }
    long long t = *backoff < left ? *backoff : left;
    *backoff = *backoff * 2 > 200 ? 200 : *backoff * 2;
    return t;
}

/* How long wait-vfs gives udev to initialise (and rename) the
 * representors, once they all exist: udev's rules run a program or two
 * per netdev, and at boot its queue is long (measured in the bed under
 * TCG on a loaded host: more than 5 s for 4 representors); past this the
 * agent goes on and says so. */
#define APPLY_UDEV_WAIT_MS 10000

/* Representors of 'pf' below 'num' that udev has not initialised yet:
 * '*pending' of them, the first names in 'names'. */
static int
reps_udev_pending(struct apply_ctx *c, const struct obs_pf *pf, unsigned num,
                  unsigned *pending, char *names, size_t size)
{
    struct oanl_extack ext = {""};
    struct repr_entry *reps;
    size_t n;
    int r = resolve_reps(c, pf, &reps, &n, &ext);
    if (r) {
        fail(c, r, &ext);
        return r;
    }
    *pending = 0;
    names[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (reps[i].vf >= num ||
            hostio_udev_initialised(c->io, reps[i].ifindex)) {
            continue;
        }
        size_t len = strlen(names);
        snprintf(names + len, size - len, "%s%s", len ? ", " : "",
                 reps[i].netdev);
        (*pending)++;
    }
    free(reps);
    return 0;
}

/* When udev runs, after the representors appeared: waits, bounded,
 * until udev has initialised each (its rules may rename it). Until then
 * nothing may set one up (on 6.1 dev_change_name() refuses a netdev
 * that is up with EBUSY: udev's rename would fail) or attach it to OVS
 * under the kernel's name (ethN). Its database entry comes without a
 * netlink event, so it looks again after 10, 20 ... 200 ms (a rename
 * wakes it at once). Says in 'what' how it went; past the bound it goes
 * on and says so. */
static enum step_result
await_udev(struct apply_ctx *c, const struct obs_pf *pf, unsigned num,
           char *what, size_t size)
{
    long long start = vsdb_time_msec(), backoff = 10;
    long long deadline = start + APPLY_UDEV_WAIT_MS;
    size_t len = strlen(what);
    char names[160];
    unsigned pending;

    for (;;) {
        if (reps_udev_pending(c, pf, num, &pending, names, sizeof names)) {
            return STEP_ERROR;
        }
        long long now = vsdb_time_msec(), left = deadline - now;
        if (!pending) {
            snprintf(what + len, size - len,
                     "; udev initialised them after %lld ms", now - start);
            return STEP_DONE;
        }
        if (left <= 0) {
            snprintf(what + len, size - len,
                     "; udev had not initialised %u of them after %d ms "
                     "(%s): going on without it",
                     pending, APPLY_UDEV_WAIT_MS, names);
            return STEP_DONE;
        }
        if (wait_events(c, c->ev, c->n_ev, backoff < left ? backoff : left) ==
            -ECANCELED) {
            return STEP_ERROR;
        }
        backoff = backoff * 2 > 200 ? 200 : backoff * 2;
    }
}

enum step_result
apply_wait_vfs(struct apply_ctx *c, const struct plan_step *s)
{
    const struct plan_wait_args *w = &s->wait;
    const struct obs_pf *pf;
    struct vf_count have;
    char what[380];

    if (step_pf(c, s, &pf)) {
        return STEP_ERROR;
    }
    const char *name = pf->netdev[0] ? pf->netdev : pf->dev_name;
    if (w->reps && !c->n_ev) {
        int r = c->ev_error ? c->ev_error : -ENOTCONN;
        oa_err_set_errno(&c->err, r, "cannot watch netlink events");
        return STEP_ERROR;
    }
    long long start = vsdb_time_msec(), backoff = 10;
    long long deadline = start + c->wait_timeout_ms;
    for (;;) {
        if (count_vfs(c, pf, w, &have) != STEP_DONE) {
            return STEP_ERROR;
        }
        if (vfs_ready(w, &have)) {
            break;
        }
        long long left = deadline - vsdb_time_msec();
        if (left <= 0) {
            describe_vfs(what, sizeof what, w, &have, name, false);
            oa_err_set(&c->err, -ETIMEDOUT, "%s after %lld s", what,
                       (c->wait_timeout_ms + 999) / 1000);
            return STEP_ERROR;
        }
        /* Everything pending, then one look for the batch. */
        int r = wait_events(c, c->ev, c->n_ev,
                            next_look_ms(w, &have, left, &backoff));
        if (r == -ECANCELED) {
            return STEP_ERROR;
        } else if (r < 0) {
            oa_err_set_errno(&c->err, r, "reading netlink events");
            return STEP_ERROR;
        }
    }
    /* Never "unchanged": a wait writes nothing either way. */
    describe_vfs(what, sizeof what, w, &have, name, true);
    size_t len = strlen(what);
    snprintf(what + len, sizeof what - len, " after %lld ms",
             vsdb_time_msec() - start);
    if (w->reps && hostio_udev_runs(c->io) &&
        await_udev(c, pf, w->num, what, sizeof what) != STEP_DONE) {
        return STEP_ERROR;
    }
    say(c, "%s", what);
    return STEP_DONE;
}

/* The netdev a step acts on now, in 'netdev': 'planned' for the uplink;
 * for a representor, found again by identity (its name may have changed
 * when this apply recreated the VFs). STEP_SKIPPED when the representor
 * does not exist (yet): the next round does it. */
static enum step_result
step_netdev_now(struct apply_ctx *c, const struct plan_step *s,
                const char *planned, char *netdev, size_t size)
{
    const struct obs_pf *pf;
    struct oanl_extack ext = {""};
    struct rep_cache fresh = {0};

    oa_copy_str(netdev, size, planned);
    if (!netdev[0]) {
        say(c, "skipped: the representor has no netdev yet (next round)");
        return STEP_SKIPPED;
    }
    if (s->vf < 0 || s->pf < 0) {
        return STEP_DONE;
    }
    if (step_pf(c, s, &pf)) {
        return STEP_ERROR;
    }
    struct rep_cache *rc = c->reps ? &c->reps[s->pf] : &fresh;
    if (!rc->valid) {
        free(rc->reps);
        rc->reps = NULL;
        int r = resolve_reps(c, pf, &rc->reps, &rc->n, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
        rc->valid = true;
    }
    const struct repr_entry *e = repr_find(rc->reps, rc->n, (uint32_t)s->vf);
    if (e) {
        oa_copy_str(netdev, size, e->netdev);
    }
    free(fresh.reps);
    if (!e) {
        say(c, "skipped: VF %d has no representor now (next round)", s->vf);
        return STEP_SKIPPED;
    }
    return STEP_DONE;
}

/* Drops the representors resolved for PF 's->pf' (all PFs: -1), so the
 * next step resolves them again. */
static void
reps_forget(struct apply_ctx *c, int pf)
{
    for (size_t k = 0; c->reps && k < c->host->n_pfs; k++) {
        if (pf < 0 || (size_t)pf == k) {
            c->reps[k].valid = false;
        }
    }
}

/* ENODEV from a representor's netdev named by the cache: it was renamed
 * or went away since; the step runs once more on a fresh resolve. */
static bool
reps_stale(struct apply_ctx *c, const struct plan_step *s, int r,
           bool *retried)
{
    if (r != -ENODEV || *retried || s->vf < 0 || s->pf < 0 || !c->reps) {
        return false;
    }
    *retried = true;
    reps_forget(c, s->pf);
    return true;
}

/* After step 's': drops what a run of steps reads once (the
 * representors, set-vf's reads) when a step of another kind ran, or a
 * set-vf failed. */
static void
reads_after(struct apply_ctx *c, const struct plan_step *s,
            enum step_result sr)
{
    if (s->action != PLAN_SET_HW_TC_OFFLOAD && s->action != PLAN_SET_LINK_UP) {
        reps_forget(c, -1);
    }
    if (s->action != PLAN_SET_VF || sr == STEP_ERROR) {
        vfc_forget(c);
    }
}

enum step_result
apply_set_hw_tc_offload(struct apply_ctx *c, const struct plan_step *s)
{
    bool on = s->hwtc.on;
    struct oanl_extack ext = {""};
    struct ethfeat_state st;
    char netdev[16];
    bool retried = false;
    int r;

again:;
    enum step_result sr =
        step_netdev_now(c, s, s->hwtc.netdev, netdev, sizeof netdev);
    if (sr != STEP_DONE) {
        return sr;
    }
    if (!c->io->ethfeat) {
        oa_err_set(&c->err, -ENOTCONN, "no ethtool handle");
        return STEP_ERROR;
    }
    r = ethfeat_get(c->io->ethfeat, netdev, ETHFEAT_HW_TC_OFFLOAD, &st, &ext);
    if (reps_stale(c, s, r, &retried)) {
        goto again;
    }
    if (r) {
        return fail(c, r, &ext);
    }
    if (st.active == on) {
        say(c, "unchanged: %s hw-tc-offload %s", netdev, on ? "on" : "off");
        return STEP_DONE;
    }
    r = ethfeat_set(c->io->ethfeat, netdev, ETHFEAT_HW_TC_OFFLOAD, on, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "%s hw-tc-offload %s", netdev, on ? "on" : "off");
    return STEP_DONE;
}

enum step_result
apply_set_link_up(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct oa_link *link;
    char netdev[16];
    bool retried = false;
    int r;

again:;
    enum step_result sr =
        step_netdev_now(c, s, s->link.netdev, netdev, sizeof netdev);
    if (sr != STEP_DONE) {
        return sr;
    }
    r = oa_link_get_by_name(c->io->link, netdev, &link, &ext);
    if (reps_stale(c, s, r, &retried)) {
        goto again;
    }
    if (r) {
        return fail(c, r, &ext);
    }
    int ifindex = link->ifindex;
    bool up = (link->flags & IFF_UP) != 0;
    oa_link_destroy(link);
    if (up) {
        say(c, "unchanged: %s up", netdev);
        return STEP_DONE;
    }
    r = oa_link_set_up(c->io->link, ifindex, true, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "%s down -> up", netdev);
    return STEP_DONE;
}

/* ---- Bonds (VF-LAG) ----------------------------------------------------- */

static void
bond_opts_of(const struct plan_bond_args *a, struct bond_opts *o)
{
    *o = (struct bond_opts){.mode = (uint8_t)a->mode,
                            .miimon_ms = a->miimon_ms,
                            .xmit_hash = a->xmit_hash,
                            .lacp_rate = a->lacp_rate};
}

enum step_result
apply_create_bond(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct bond_link l;
    struct bond_opts o;

    int r = bond_get(c->io->rtnl, 0, s->bond.name, &l);
    if (!r && !bond_owned(&l)) {
        oa_err_set(&c->err, -EEXIST,
                   "%s appeared meanwhile, not created by the agent",
                   s->bond.name);
        return STEP_ERROR;
    }
    if (!r) {
        say(c, "unchanged: bond %s exists", s->bond.name);
        return STEP_DONE;
    }
    bond_opts_of(&s->bond, &o);
    r = bond_create(c->io->rtnl, s->bond.name, &o, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "bond %s created (%s)", s->bond.name, bond_mode_name(o.mode));
    return STEP_DONE;
}

enum step_result
apply_enslave(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct bond_link bond, member;

    int r = bond_get(c->io->rtnl, 0, s->bond.name, &bond);
    if (!r) {
        r = bond_get(c->io->rtnl, 0, s->bond.member, &member);
    }
    if (r) {
        return fail(c, r, NULL);
    }
    if (!bond_owned(&bond)) {
        oa_err_set(&c->err, -EPERM, "%s is not the agent's bond",
                   s->bond.name);
        return STEP_ERROR;
    }
    if (member.master == bond.ifindex) {
        say(c, "unchanged: %s in %s", s->bond.member, s->bond.name);
        return STEP_DONE;
    }
    r = bond_enslave(c->io->rtnl, bond.ifindex, member.ifindex, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "%s enslaved to %s", s->bond.member, s->bond.name);
    return STEP_DONE;
}

/* Reads bond s->bond.name into 'l': STEP_DONE when it is the agent's,
 * STEP_ERROR otherwise (c->err says why; -ENODEV when absent). */
static enum step_result
own_bond(struct apply_ctx *c, const struct plan_step *s, struct bond_link *l)
{
    int r = bond_get(c->io->rtnl, 0, s->bond.name, l);
    if (r) {
        oa_err_set_errno(&c->err, r, "bond %s", s->bond.name);
        return STEP_ERROR;
    }
    if (!bond_owned(l)) {
        oa_err_set(&c->err, -EPERM, "%s is not the agent's bond",
                   s->bond.name);
        return STEP_ERROR;
    }
    return STEP_DONE;
}

enum step_result
apply_release(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct bond_link bond, member;

    int r = bond_get(c->io->rtnl, 0, s->bond.member, &member);
    if (r) {
        return fail(c, r, NULL);
    }
    if (!member.master) {
        say(c, "unchanged: %s in no bond", s->bond.member);
        return STEP_DONE;
    }
    if (own_bond(c, s, &bond) != STEP_DONE) {
        return STEP_ERROR;
    }
    if (member.master != bond.ifindex) {
        oa_err_set(&c->err, -EBUSY, "%s is enslaved to another link than %s",
                   s->bond.member, s->bond.name);
        return STEP_ERROR;
    }
    r = bond_release(c->io->rtnl, member.ifindex, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "%s released from %s", s->bond.member, s->bond.name);
    return STEP_DONE;
}

enum step_result
apply_set_bond(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct bond_link l;
    struct bond_opts o;

    if (own_bond(c, s, &l) != STEP_DONE) {
        return STEP_ERROR;
    }
    int r = l.up ? bond_set_up(c->io->rtnl, l.ifindex, false, &ext) : 0;
    if (!r) {
        bond_opts_of(&s->bond, &o);
        r = bond_set_opts(c->io->rtnl, l.ifindex, &o, &ext);
    }
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "bond %s down, now %s", s->bond.name, bond_mode_name(o.mode));
    return STEP_DONE;
}

/* Only the options that change, the members left in: live where the
 * kernel takes it, else (s->bond.down) with the bond set down first; the
 * plan's set-link-up sets it up again. */
enum step_result
apply_set_bond_options(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct bond_link l;
    const struct bond_opt_change o = {.miimon_ms = s->bond.miimon_ms,
                                      .xmit_hash = s->bond.xmit_hash,
                                      .lacp_rate = s->bond.lacp_rate};

    if (own_bond(c, s, &l) != STEP_DONE) {
        return STEP_ERROR;
    }
    int r = s->bond.down && l.up
                ? bond_set_up(c->io->rtnl, l.ifindex, false, &ext)
                : 0;
    if (!r) {
        r = bond_change_opts(c->io->rtnl, l.ifindex, &o, &ext);
    }
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "bond %s options set%s", s->bond.name,
        s->bond.down ? " (down)" : " live");
    return STEP_DONE;
}

enum step_result
apply_delete_bond(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    struct bond_link l;

    int r = bond_get(c->io->rtnl, 0, s->bond.name, &l);
    if (r == -ENODEV) {
        say(c, "unchanged: no bond %s", s->bond.name);
        return STEP_DONE;
    }
    if (own_bond(c, s, &l) != STEP_DONE) {
        return STEP_ERROR;
    }
    r = bond_delete(c->io->rtnl, l.ifindex, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "bond %s deleted", s->bond.name);
    return STEP_DONE;
}

/* ---- OVS steps -------------------------------------------------------- */

/* After a commit: when an ovs-vswitchd runs, waits until it has applied
 * 'next_cfg' (ports get their ofport). */
static enum step_result
await_applied(struct apply_ctx *c, int64_t next_cfg)
{
    char *id;
    if (vsdb_vswitchd_identity(c->io->vswitchd_pidfile, c->io->proc_root,
                               &id)) {
        say(c, "committed (next_cfg %lld; no ovs-vswitchd runs)",
            (long long)next_cfg);
        return STEP_DONE;
    }
    free(id);
    c->vswitchd_applied = true;
    int r = vsdb_wait_applied_block(c->io->vsdb, next_cfg, c->ovs_timeout_ms);
    if (r == -ECANCELED) {
        return cancelled(c);
    } else if (r) {
        oa_err_set(&c->err, r,
                   "committed, but ovs-vswitchd did not apply next_cfg %lld "
                   "within %lld ms",
                   (long long)next_cfg, c->ovs_timeout_ms);
        return STEP_ERROR;
    }
    say(c, "committed, applied by ovs-vswitchd (cfg %lld)",
        (long long)next_cfg);
    return STEP_DONE;
}

/* One transaction for 'want', then 'between' (may be NULL) once it is
 * committed, then await_applied(). */
static enum step_result
commit_want_then(struct apply_ctx *c, const struct vsdb_want *want,
                 void (*between)(struct apply_ctx *))
{
    struct vsdb *db = c->io->vsdb;
    bool committed = false;
    int64_t next_cfg = 0;
    if (!db) {
        oa_err_set(&c->err, -ENOTCONN, "no OVSDB client");
        return STEP_ERROR;
    }
    int r =
        vsdb_commit_block(db, want, c->ovs_timeout_ms, &committed, &next_cfg);
    if (r == -ECANCELED) {
        return cancelled(c);
    } else if (r == -EPROTO) {
        const char *error = NULL;
        vsdb_txn_status(db, NULL, &error);
        oa_err_set(&c->err, r, "%s (ovsdb: %s)", strerror(-r),
                   error ? error : "no reason given");
        return STEP_ERROR;
    } else if (r == -ETIMEDOUT) {
        oa_err_set(&c->err, r, "no answer from OVSDB %s within %lld ms",
                   c->io->ovs_remote ? c->io->ovs_remote : "",
                   c->ovs_timeout_ms);
        return STEP_ERROR;
    } else if (r) {
        return fail(c, r, NULL);
    }
    if (!committed) {
        say(c, "unchanged: OVSDB already as wanted");
        return STEP_DONE;
    }
    if (between) {
        between(c);
    }
    return await_applied(c, next_cfg);
}

static enum step_result
commit_want(struct apply_ctx *c, const struct vsdb_want *want)
{
    return commit_want_then(c, want, NULL);
}

/* The observed ifindex of the netdev detach-port step 's' takes out of
 * OVS (the uplink, or a representor); 0: none. */
static int
detached_ifindex(const struct apply_ctx *c, const struct plan_step *s)
{
    if (s->pf < 0 || (size_t)s->pf >= c->host->n_pfs) {
        return 0;
    }
    const struct obs_pf *pf = &c->host->pfs[s->pf];
    if (s->vf < 0) {
        return pf->ifindex;
    }
    return (size_t)s->vf < pf->n_vfs ? pf->vfs[s->vf].rep_ifindex : 0;
}

/* Rules in hardware on the ingress of the netdevs the detach-port steps
 * take out of OVS (a netdev that is gone has none). */
static size_t
detached_rules_in_hw(const struct apply_ctx *c)
{
    size_t in_hw = 0;
    for (size_t i = 0; c->io->rtnl && i < c->plan->n_steps; i++) {
        const struct plan_step *s = &c->plan->steps[i];
        int ifindex =
            s->action == PLAN_DETACH_PORT ? detached_ifindex(c, s) : 0;
        struct tcf_rule *rules;
        size_t n;
        if (ifindex <= 0 || tcf_dump(c->io->rtnl, ifindex, TCF_PARENT_INGRESS,
                                     &rules, &n, NULL)) {
            continue;
        }
        for (size_t k = 0; k < n; k++) {
            in_hw += rules[k].in_hw;
        }
        free(rules);
    }
    return in_hw;
}

/* After the detach transaction: waits, bounded and woken by tc events,
 * until no rule is left in hardware on the detached netdevs. ovs-vswitchd
 * reports the configuration applied before its revalidators delete the
 * flows (and tc rules) of a port that is gone (measured: up to hundreds
 * of ms later), and mlx5 refuses an eswitch change while a rule is
 * offloaded. Rules still there at the deadline are not OVS's: the kernel
 * step after this one reports its refusal. Appends what it saw to the
 * step's message. */
static void
await_detached_rules(struct apply_ctx *c)
{
    struct nlev_source *ev = NULL;
    long long start = vsdb_time_msec();
    long long deadline = start + c->ovs_timeout_ms;
    char msg[sizeof c->msg];

    /* Subscribed before the first look: no deletion goes unnoticed. */
    if (nlev_open(NLEV_TC, &ev)) {
        ev = NULL; /* no events: look again every 50 ms */
    }
    size_t left = detached_rules_in_hw(c);
    while (left && vsdb_time_msec() < deadline) {
        long long wait = ev ? deadline - vsdb_time_msec() : 50;
        if (wait_events(c, ev ? &ev : NULL, ev ? 1 : 0, wait) == -ECANCELED) {
            break; /* the next step finds the cancel */
        }
        left = detached_rules_in_hw(c);
    }
    nlev_close(ev);
    oa_copy_str(msg, sizeof msg, c->msg);
    if (left) {
        say(c,
            "%s; %zu rules still in hardware on the detached ports after "
            "%lld ms",
            msg, left, vsdb_time_msec() - start);
    } else {
        say(c, "%s; no rule in hardware on the detached ports after %lld ms",
            msg, vsdb_time_msec() - start);
    }
}

/* The ports the detach transaction takes out are out until the OVS
 * transaction puts them back: journalled (crashj.h) until then. */
static void
journal_detached(struct apply_ctx *c)
{
    for (size_t i = 0; i < c->plan->n_steps; i++) {
        const struct plan_step *s = &c->plan->steps[i];
        if (s->action == PLAN_DETACH_PORT) {
            crashj_begin(c->io->journal, "detached", s->ovsport.port,
                         s->ovsport.bridge);
        }
    }
}

/* The detach-port steps share one transaction (plan.detach_want): the
 * first commits it and waits for the detached ports' tc rules to go, the
 * others report its outcome. */
enum step_result
apply_detach_port(struct apply_ctx *c, const struct plan_step *s)
{
    (void)s;
    if (c->detach_done) {
        say(c, "%s", c->detach_msg);
        return STEP_DONE;
    }
    if (!c->plan->has_detach) {
        oa_err_set(&c->err, -EINVAL, "the plan has no detach transaction");
        return STEP_ERROR;
    }
    c->detach_done = true;
    c->vswitchd_applied = false;
    journal_detached(c);
    enum step_result r = commit_want(c, &c->plan->detach_want);
    if (r == STEP_DONE && c->vswitchd_applied) {
        await_detached_rules(c);
    }
    testhook_kill_at("detached");
    snprintf(c->detach_msg, sizeof c->detach_msg, "%s (same transaction)",
             c->msg);
    return r;
}

/* A netdev renamed while it was a port is still a kernel datapath port,
 * filed under its old name (oa-netlink/dpport.h): ovs-vswitchd can neither
 * find it nor add the re-pointed Interface (EEXIST). Each such orphan is
 * found before the transaction that re-points its port and deleted as
 * soon as that transaction is committed; ovs-vswitchd then adds the
 * netdev under its new name. It reconfigures on the transaction and on
 * the kernel's link event alike, so the two land in one reconfiguration
 * or in two a moment apart (when the transaction comes first, bridge.c
 * refuses the Interface and adds it on the retry the link event brings;
 * the bed runs showed only the first case). Deleting it earlier would
 * have ovs-vswitchd revalidate its flows without the port until the
 * transaction came; filing it again under the new name is undone by
 * ovs-vswitchd, which deletes a vport it cannot tie to a bridge. */
static void
find_renamed_dp_ports(struct apply_ctx *c)
{
    const struct plan *plan = c->plan;
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        struct dpport p;
        if (s->action != PLAN_OVS_RENAME_PORT ||
            dpport_find(s->ovsport.port, &p) ||
            p.type != OVS_VPORT_TYPE_NETDEV) {
            continue;
        }
        struct dpport *grown =
            realloc(c->orphans, (c->n_orphans + 1) * sizeof *grown);
        if (!grown) {
            return; /* left to ovs-vswitchd's Interface error */
        }
        c->orphans = grown;
        c->orphans[c->n_orphans++] = p;
    }
}

/* After the commit: deletes the orphans find_renamed_dp_ports() found,
 * counting those it did; a failure is left to ovs-vswitchd's Interface
 * error, which status reports. */
static void
release_renamed_dp_ports(struct apply_ctx *c)
{
    for (size_t i = 0; i < c->n_orphans; i++) {
        if (!dpport_del(&c->orphans[i], NULL)) {
            c->released_dp_ports++;
        }
    }
}

/* Every OVS step (step_type.ovs): one transaction (plan.want), committed
 * at the first. */
enum step_result
apply_ovs(struct apply_ctx *c, const struct plan_step *s)
{
    if (s->action == PLAN_OVS_ADD_PORT && !s->ovsport.port[0]) {
        say(c, "skipped: the representor has no netdev yet (next round)");
        return STEP_SKIPPED;
    }
    if (c->ovs_done) {
        say(c, "%s", c->ovs_msg);
        return STEP_DONE;
    }
    if (!c->plan->has_ovs) {
        oa_err_set(&c->err, -EINVAL, "the plan has no OVSDB transaction");
        return STEP_ERROR;
    }
    c->ovs_done = true;
    find_renamed_dp_ports(c);
    enum step_result r =
        commit_want_then(c, &c->plan->want, release_renamed_dp_ports);
    int released = c->released_dp_ports;
    free(c->orphans);
    c->orphans = NULL;
    c->n_orphans = 0;
    if (r == STEP_DONE) {
        crashj_end(c->io->journal, "detached", NULL);
    }
    if (released) {
        size_t n = strlen(c->msg);
        snprintf(c->msg + n, sizeof c->msg - n,
                 "; %d datapath port%s of a renamed netdev released "
                 "for ovs-vswitchd to add under %s new name",
                 released, released == 1 ? "" : "s",
                 released == 1 ? "its" : "their");
    }
    snprintf(c->ovs_msg, sizeof c->ovs_msg, "%s (same transaction)", c->msg);
    return r;
}

enum step_result
apply_restart_vswitchd(struct apply_ctx *c, const struct plan_step *s)
{
    (void)s;
    char *old = NULL, *error = NULL;
    if (vsdb_vswitchd_identity(c->io->vswitchd_pidfile, c->io->proc_root,
                               &old)) {
        old = NULL;
    }
    int r = vsdb_systemd_restart_unit(NULL, &error);
    if (r) {
        oa_err_set(&c->err, r, "%s (systemd: %s)", strerror(-r),
                   error ? error : "no reason given");
        free(old);
        free(error);
        return STEP_ERROR;
    }
    r = vsdb_vswitchd_wait_changed(c->io->vswitchd_pidfile, c->io->proc_root,
                                   old, c->ovs_timeout_ms, c->io->cancel);
    free(old);
    if (r == -ECANCELED) {
        return cancelled(c);
    } else if (r) {
        oa_err_set(&c->err, r,
                   "restart of %s queued, but no new ovs-vswitchd within "
                   "%lld ms",
                   VSDB_VSWITCHD_UNIT, c->ovs_timeout_ms);
        return STEP_ERROR;
    }
    say(c, "ovs-vswitchd restarted");
    return STEP_DONE;
}

/* ---- The run ---------------------------------------------------------- */

static void
open_events(struct apply_ctx *c)
{
    bool waits = false;
    for (size_t i = 0; i < c->plan->n_steps && !waits; i++) {
        waits = c->plan->steps[i].action == PLAN_WAIT_VFS;
    }
    if (!waits) {
        return;
    }
    int r = nlev_open(NLEV_LINK, &c->ev[c->n_ev]);
    if (r) {
        c->ev_error = r;
        return;
    }
    c->n_ev++;
    /* Without devlink, representors are found by link identity alone:
     * link events are enough. */
    if (c->io->devlink && !nlev_open(NLEV_DEVLINK, &c->ev[c->n_ev])) {
        c->n_ev++;
    }
}

/* ---- The uplink registered anew ----------------------------------------- */

/* The PF's uplink now, found by its device as obs does for a pinned PF:
 * devlink's physical port, else the device's first netdev. */
static int
uplink_now(struct apply_ctx *c, const struct obs_pf *pf, char *name,
           size_t size)
{
    struct devlink_handle h;
    struct sriov_pf dev;
    char names[8][16];
    if (c->io->devlink && pf->has_devlink &&
        !devlink_handle_parse(pf->devlink, &h) &&
        !devlink_uplink_netdev(c->io->devlink, &h, name, NULL)) {
        return 0;
    }
    if (sriov_pf_by_devlink(c->io->sysfs_root, pf->bus, pf->dev_name, &dev) ||
        sriov_pf_netdevs(&dev, names, 8) <= 0) {
        return -ENOENT;
    }
    oa_copy_str(name, size, names[0]);
    return 0;
}

/* The uplink 'name' exists and, when udev runs, udev has initialised it
 * (its rename, if any, is done): '*ifindex' set. */
static bool
uplink_settled(struct apply_ctx *c, const char *name, int *ifindex)
{
    struct oa_link *link;
    if (oa_link_get_by_name(c->io->link, name, &link, NULL)) {
        return false;
    }
    *ifindex = link->ifindex;
    oa_link_destroy(link);
    return !hostio_udev_runs(c->io) ||
           hostio_udev_initialised(c->io, *ifindex);
}

/* After step 's' of PF 's->pf' (set-eswitch, set-numvfs): when the
 * observed uplink is gone or renamed, the driver registered it anew.
 * Waits, bounded, until the new one exists and udev (when it runs) has
 * named it, so that the next plan names it as it stays, and marks the
 * run to stop here. Appends what it found to the step's message. */
static void
check_uplink(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf = &c->host->pfs[s->pf];
    struct oa_link *link;
    if (pf->ifindex <= 0 || !c->io->link) {
        return; /* nothing observed to compare with */
    }
    int r = oa_link_get_by_index(c->io->link, pf->ifindex, &link, NULL);
    if (!r) {
        bool same = !strcmp(link->name, pf->netdev);
        oa_link_destroy(link);
        if (same) {
            return;
        }
    } else if (r != -ENODEV) {
        return; /* not known: the next step finds out */
    }
    struct nlev_source *ev = NULL;
    long long start = vsdb_time_msec();
    char name[16] = "", msg[sizeof c->msg];
    int ifindex = 0;
    bool settled = false;
    if (nlev_open(NLEV_LINK, &ev)) {
        ev = NULL; /* no events: look again every 50 ms */
    }
    while (!(settled = !uplink_now(c, pf, name, sizeof name) &&
                       uplink_settled(c, name, &ifindex)) &&
           vsdb_time_msec() - start < c->wait_timeout_ms) {
        if (wait_events(c, ev ? &ev : NULL, ev ? 1 : 0, 50) == -ECANCELED) {
            break; /* the next step finds the cancel */
        }
    }
    nlev_close(ev);
    c->replan = true;
    oa_copy_str(msg, sizeof msg, c->msg);
    say(c,
        "%s; the PF's uplink %s (ifindex %d) is now %s (ifindex %d)%s "
        "after %lld ms: planning again",
        msg, pf->netdev, pf->ifindex, name[0] ? name : "?", ifindex,
        settled ? "" : ", not settled", vsdb_time_msec() - start);
}

/* Runs step 's' through its row of the step table. On STEP_ERROR,
 * c->err is "<action> <object>: <why>". */
static enum step_result
run_step(struct apply_ctx *c, const struct plan_step *s)
{
    const struct step_type *type = step_type_of(s->action);
    enum step_result r;

    c->msg[0] = '\0';
    c->step_switchdev = false;
    oa_err_clear(&c->err);
    if (type) {
        r = type->apply(c, s);
    } else {
        oa_err_set(&c->err, -EINVAL, "unknown action %d", (int)s->action);
        r = STEP_ERROR;
    }
    if (r == STEP_DONE && s->pf >= 0 && (size_t)s->pf < c->host->n_pfs &&
        c->host->pfs[s->pf].found &&
        (s->action == PLAN_SET_ESWITCH || s->action == PLAN_SET_NUMVFS)) {
        check_uplink(c, s);
    }
    if (r == STEP_ERROR) {
        if (!c->err.code) {
            c->err.code = -EIO; /* a step that failed without saying so */
        }
        oa_err_prefix(&c->err, "%s %s", plan_action_name(s->action),
                      s->object);
    }
    return r;
}

const char *
apply_result_message(const struct apply_result *res, char *buf, size_t size)
{
    if (size && !oa_err_is_set(&res->err)) {
        buf[0] = '\0';
        return buf;
    }
    return oa_err_format(&res->err, buf, size);
}

/* Whether a refusal of 's' leaves the rest of the run standing: a kernel
 * step of one PF. Other PFs do not depend on it; a refused OVS or detach
 * transaction, or a host-wide step, is something every later step needs. */
static bool
refusal_is_pf_local(const struct plan_step *s, const struct obs_host *host)
{
    const struct step_type *type = step_type_of(s->action);
    return type && !type->ovs && s->action != PLAN_DETACH_PORT && s->pf >= 0 &&
           (size_t)s->pf < host->n_pfs;
}

static void
record_refusal(struct apply_ctx *c, size_t i, const struct plan_step *s)
{
    struct apply_result *res = c->res;

    if (!res->n_refused) {
        res->err = c->err;
        res->failed_step = (int)i;
    }
    if (res->n_refused < APPLY_MAX_REFUSALS) {
        struct apply_refusal *f = &res->refusals[res->n_refused];
        f->step = (int)i;
        f->pf = s->pf;
        f->switchdev = c->step_switchdev;
        f->order = c->step_order;
        f->err = c->err;
    }
    res->n_refused++;
}

int
apply_run(struct hostio *io, const struct spec *spec,
          const struct obs_host *host, const struct plan *plan,
          const struct apply_opts *opts, struct apply_result *res)
{
    (void)spec;
    struct apply_ctx c = {
        .io = io,
        .host = host,
        .plan = plan,
        .wait_timeout_ms =
            opts && opts->wait_timeout_ms > 0 ? opts->wait_timeout_ms : 10000,
        .ovs_timeout_ms =
            opts && opts->ovs_timeout_ms > 0 ? opts->ovs_timeout_ms : 10000,
        .res = res,
    };
    /* Per PF: the index of its refused step, -1: none. */
    int *refused = NULL;

    memset(res, 0, sizeof *res);
    res->failed_step = -1;
    if (host->n_pfs) {
        refused = malloc(host->n_pfs * sizeof *refused);
        if (!refused) {
            return oa_err_set(&res->err, -ENOMEM, "apply: out of memory");
        }
        for (size_t k = 0; k < host->n_pfs; k++) {
            refused[k] = -1;
        }
    }
    /* Out of memory: every step resolves for itself. */
    c.reps = host->n_pfs ? calloc(host->n_pfs, sizeof *c.reps) : NULL;
    c.vfc = host->n_pfs ? calloc(host->n_pfs, sizeof *c.vfc) : NULL;
    open_events(&c);
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        bool local = refusal_is_pf_local(s, host);
        enum step_result sr;
        const char *msg = c.msg;
        int r = 0;

        if (oa_cancel_test(io->cancel)) {
            /* Nothing more: the daemon stops or has a new spec. */
            oa_err_set(&res->err, -ECANCELED, "%s %s: not started: cancelled",
                       plan_action_name(s->action), s->object);
            break;
        }
        if (local && refused[s->pf] >= 0) {
            /* It builds on the PF's refused step. */
            const struct plan_step *f = &plan->steps[refused[s->pf]];
            snprintf(c.msg, sizeof c.msg, "skipped: %s %s was refused",
                     plan_action_name(f->action), f->object);
            sr = STEP_SKIPPED;
        } else {
            uint64_t t0 = stats_now_us();
            sr = run_step(&c, s);
            stats_step_time(plan_action_name(s->action), stats_now_us() - t0);
        }
        if (sr == STEP_ERROR) {
            record_refusal(&c, i, s);
            r = c.err.code;
            msg = oa_err_format(&c.err, c.failure, sizeof c.failure);
        } else if (sr == STEP_DONE) {
            res->n_done++;
        }
        reads_after(&c, s, sr);
        if (opts && opts->on_step) {
            opts->on_step(s, r, msg, opts->aux);
        }
        if (sr == STEP_ERROR) {
            if (c.err.code == -ECANCELED) {
                res->err = c.err; /* a cancel ends it, refusals or not */
                break;
            }
            if (!local) {
                break;
            }
            refused[s->pf] = (int)i;
        }
        if (c.replan) {
            res->replan = true;
            break;
        }
    }
    if (!res->err.code && !res->replan) {
        /* Through: nothing this run began is mid-way any more. */
        crashj_end(io->journal, "eswitch", NULL);
        crashj_end(io->journal, "detached", NULL);
    }
    for (size_t i = 0; i < c.n_ev; i++) {
        nlev_close(c.ev[i]);
    }
    for (size_t k = 0; c.reps && k < host->n_pfs; k++) {
        free(c.reps[k].reps);
    }
    free(c.reps);
    vfc_forget(&c);
    free(c.vfc);
    free(refused);
    return res->err.code;
}
