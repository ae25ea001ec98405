/* plan: the pure planner (see plan.h for the order of the steps), in
 * stages: decide_pf() per PF (a struct pf_decision, no step yet),
 * emit_pf() per PF in the decided order, plan_host() for what spans PFs,
 * then plan_ovs(). */
#include "plan.h"

#include "oa-common/str.h"
#include "oa-netlink/bond.h"
#include "oa-netlink/devlink.h"
#include "obs-bond.h"
#include "obs.h"
#include "plan-vdpa.h"
#include "offload/spec.h"
#include "step.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Storage: every allocation behind plan->want and detach_want ------- */

struct plan_storage {
    void **ptrs;
    size_t n, cap;
};

static void
storage_free(struct plan_storage *st)
{
    if (!st) {
        return;
    }
    for (size_t i = 0; i < st->n; i++) {
        free(st->ptrs[i]);
    }
    free(st->ptrs);
    free(st);
}

/* Takes ownership of 'p' (frees it on failure). NULL on ENOMEM. */
static void *
storage_keep(struct plan_storage *st, void *p)
{
    if (!p) {
        return NULL;
    }
    if (st->n == st->cap) {
        size_t cap = st->cap ? 2 * st->cap : 32;
        void **ptrs = realloc(st->ptrs, cap * sizeof *ptrs);
        if (!ptrs) {
            free(p);
            return NULL;
        }
        st->ptrs = ptrs;
        st->cap = cap;
    }
    st->ptrs[st->n++] = p;
    return p;
}

/* ---- The builder ----------------------------------------------------------- */

struct builder {
    struct plan *plan;
    struct plan_storage *st;
    size_t steps_cap, blockers_cap;
    int error;                /* -ENOMEM once an allocation failed */
    struct plan_step scratch; /* written to after a failed allocation */
};

static void *
b_calloc(struct builder *b, size_t n, size_t size)
{
    void *p = storage_keep(b->st, calloc(n ? n : 1, size));
    if (!p) {
        b->error = -ENOMEM;
    }
    return p;
}

/* A copy owned by the plan; "" after a failed allocation. */
static const char *
b_strdup(struct builder *b, const char *s)
{
    if (!s) {
        return NULL;
    }
    char *d = storage_keep(b->st, strdup(s));
    if (!d) {
        b->error = -ENOMEM;
        return "";
    }
    return d;
}

static void fmt_str(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
fmt_str(char *dst, size_t size, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(dst, size, fmt, args);
    va_end(args);
}

/* Appends ", text" (or "text" when 'dst' is empty) to 'dst'. */
static void append_item(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
append_item(char *dst, size_t size, const char *fmt, ...)
{
    size_t len = strlen(dst);
    if (len && len + 2 < size) {
        memcpy(dst + len, ", ", 3);
        len += 2;
    }
    if (len + 1 >= size) {
        return;
    }
    va_list args;
    va_start(args, fmt);
    vsnprintf(dst + len, size - len, fmt, args);
    va_end(args);
}

/* A new step, every argument at "leave" (step_init()). The pointer is valid
 * until the next add_step(). */
static struct plan_step *
add_step(struct builder *b, enum plan_action action, int pf, int vf)
{
    struct plan *plan = b->plan;
    struct plan_step *step = &b->scratch;
    if (!b->error && plan->n_steps == b->steps_cap) {
        size_t cap = b->steps_cap ? 2 * b->steps_cap : 16;
        struct plan_step *steps = realloc(plan->steps, cap * sizeof *steps);
        if (!steps) {
            b->error = -ENOMEM;
        } else {
            plan->steps = steps;
            b->steps_cap = cap;
        }
    }
    if (!b->error) {
        step = &plan->steps[plan->n_steps++];
    }
    step_init(step, action, pf, vf);
    return step;
}

static void add_blocker(struct builder *b, int pf, const char *object,
                        const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
add_blocker(struct builder *b, int pf, const char *object, const char *fmt,
            ...)
{
    struct plan *plan = b->plan;
    if (b->error) {
        return;
    }
    if (plan->n_blockers == b->blockers_cap) {
        size_t cap = b->blockers_cap ? 2 * b->blockers_cap : 4;
        struct plan_blocker *bl =
            realloc(plan->blockers, cap * sizeof *plan->blockers);
        if (!bl) {
            b->error = -ENOMEM;
            return;
        }
        plan->blockers = bl;
        b->blockers_cap = cap;
    }
    struct plan_blocker *bl = &plan->blockers[plan->n_blockers++];
    memset(bl, 0, sizeof *bl);
    bl->pf = pf;
    oa_copy_str(bl->object, sizeof bl->object, object);
    va_list args;
    va_start(args, fmt);
    vsnprintf(bl->message, sizeof bl->message, fmt, args);
    va_end(args);
}

/* ---- Names and mappings ---------------------------------------------------- */

static int
devlink_mode(enum spec_eswitch_mode mode)
{
    return mode == SPEC_ESWITCH_LEGACY ? DEVLINK_ESWITCH_MODE_LEGACY
                                       : DEVLINK_ESWITCH_MODE_SWITCHDEV;
}

static int
devlink_inline_mode(enum spec_inline_mode mode)
{
    switch (mode) {
    case SPEC_INLINE_NONE:
        return DEVLINK_ESWITCH_INLINE_MODE_NONE;
    case SPEC_INLINE_LINK:
        return DEVLINK_ESWITCH_INLINE_MODE_LINK;
    case SPEC_INLINE_NETWORK:
        return DEVLINK_ESWITCH_INLINE_MODE_NETWORK;
    case SPEC_INLINE_TRANSPORT:
        return DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT;
    case SPEC_INLINE_UNSET:
        break;
    }
    return -1;
}

static int
devlink_encap_mode(enum spec_encap_mode mode)
{
    switch (mode) {
    case SPEC_ENCAP_NONE:
        return DEVLINK_ESWITCH_ENCAP_MODE_NONE;
    case SPEC_ENCAP_BASIC:
        return DEVLINK_ESWITCH_ENCAP_MODE_BASIC;
    case SPEC_ENCAP_UNSET:
        break;
    }
    return -1;
}

static const char *
on_off(bool on)
{
    return on ? "on" : "off";
}

/* ---- Kernel steps of one PF ------------------------------------------------ */

/* The settings one VF gets, and what that implies for its binding. */
struct vf_work {
    bool set;      /* a set-vf step */
    bool mac_vlan; /* it changes mac or vlan: rebind */
    struct plan_vf_req req;
    enum plan_mac_via mac_via; /* as far as the observation tells */
    char detail[160];
    bool unbind_early; /* before set-eswitch (VFs-first order) */
    bool unbind, bind;
    const char *bind_driver; /* the spec's vf_driver, or the one it had */
    bool no_info;            /* settings asked but not observable: a blocker */
};

/* What the kernel part of one PF's plan changes and in which order,
 * decided from the spec and the observation alone (decide_pf()) before
 * any step is emitted. The emitters turn it into steps; the host-wide
 * stage and the OVS part read it too. */
struct pf_decision {
    /* Blockers; any of them: no kernel step for this PF. */
    bool not_found, too_many_vfs, no_eswitch, no_steering;
    bool blocked;
    /* The PF's order (obs_pf.order, plan.h): VFs created, unbound, then
     * the mode; else the mode changes with 0 VFs. */
    bool vfs_first;
    unsigned cur, want; /* VF count observed, wanted */
    bool count_changes;
    bool to_zero; /* set-numvfs 0 first: N -> M goes through 0 */
    bool to_want; /* set-numvfs want */
    /* The count is already right but the kernel is still creating the
     * VFs (obs_pf.vfs_arriving): waited for and set up as new ones, as
     * after our own set-numvfs. */
    bool arriving;
    int mode, inline_mode, encap_mode; /* wanted; -1: leave */
    bool want_switchdev;
    bool eswitch_step;
    /* The wanted steering mode differs: VFs to 0 and legacy first. */
    const char *steering;
    bool to_legacy;        /* set-eswitch legacy before set-steering-mode */
    bool reps_vanish;      /* a step removes the current representors */
    bool creates_reps;     /* a step creates representors (all new) */
    unsigned reps_missing; /* switchdev already, nothing creates them */
    /* VFs in use (obs_vf.in_use) that a step removes or unbinds; with
     * the spec's "disruptive": "forbid" they block the PF. */
    unsigned n_in_use;
    bool in_use_blocked;
    /* The PF is a member of a spec bond not formed yet: its VFs are bound
     * once it is (binding before the LAG is active leaves it inactive). */
    bool bind_after_bond;
    /* Its uplink is to be enslaved to the bond: no set-link-up of its
     * own (enslaving sets it down, and the bond sets its members up). */
    bool uplink_to_bond;
    struct vf_work *vfs; /* 'want' entries (at least one); owned */
};

static const struct spec_vf *
spec_vf_find(const struct spec_pf *sp, unsigned index)
{
    for (size_t i = 0; i < sp->n_vfs; i++) {
        if (sp->vfs[i].index == index) {
            return &sp->vfs[i];
        }
    }
    return NULL;
}

static bool
tristate_differs(enum spec_tristate want, enum obs_tristate have)
{
    return want != SPEC_UNSET && have != OBS_UNKNOWN &&
           (want == SPEC_TRUE) != (have == OBS_YES);
}

/* The VF's MAC as the way it is set reads it: its port function's
 * hw_addr where that is reported (mlx5 keeps both in one field, but the
 * way apply compares is the way it writes), else the PF's VF list. */
static const uint8_t *
observed_mac(const struct obs_vf *ov)
{
    return ov->has_fn_hw_addr ? ov->fn_hw_addr : ov->mac;
}

/* The VF's vlan as set-vf writes it (IFLA_VF_VLAN): on a legacy PF
 * only. On a switchdev PF it is the representor port's OVS tag
 * (want_rep_tag()), never the VF ndo, which mlx5 refuses there. */
static unsigned
ndo_vlan(const struct spec_vf *sv, bool switchdev)
{
    return switchdev ? 0 : sv->vlan;
}

/* Only a MAC asked through the VF's settings, and the port function
 * reports one: observable without the PF's VF list. */
static bool
mac_only_by_port_fn(const struct spec_vf *sv, const struct obs_vf *ov,
                    bool switchdev)
{
    return ov->has_fn_hw_addr && !ndo_vlan(sv, switchdev) &&
           sv->trust == SPEC_UNSET && sv->spoofchk == SPEC_UNSET;
}

/* " via port function" or " via PF (IFLA_VF_MAC)" after the MAC in a
 * set-vf detail; nothing when the observation does not tell. */
static const char *
mac_via_text(enum plan_mac_via via)
{
    switch (via) {
    case PLAN_MAC_VIA_PORT_FN:
        return " via port function";
    case PLAN_MAC_VIA_PF:
        return " via PF (IFLA_VF_MAC)";
    default:
        return "";
    }
}

/* Fills 'w' with the settings of spec VF 'sv' ('switchdev': its PF's
 * wanted mode; the vlan is then no VF setting). 'ov' is the observed VF,
 * NULL when this plan (re)creates the VFs: then every setting the spec
 * gives is written. Returns false when the VF's settings cannot be
 * observed although the spec asks for some. */
static bool
vf_settings(const struct spec_vf *sv, const struct obs_vf *ov, bool switchdev,
            struct vf_work *w)
{
    struct plan_vf_req *req = &w->req;
    unsigned vlan = ndo_vlan(sv, switchdev);
    char mac[18];

    req->vlan = req->trust = req->spoofchk = -1;
    if (!ov) {
        req->has_mac = sv->has_mac;
        if (sv->has_mac) {
            memcpy(req->mac, sv->mac, 6);
        }
        if (vlan) {
            req->vlan = (int)vlan;
        }
        if (sv->trust != SPEC_UNSET) {
            req->trust = sv->trust == SPEC_TRUE;
        }
        if (sv->spoofchk != SPEC_UNSET) {
            req->spoofchk = sv->spoofchk == SPEC_TRUE;
        }
    } else if (!ov->has_info && !mac_only_by_port_fn(sv, ov, switchdev)) {
        return !(sv->has_mac || vlan || sv->trust != SPEC_UNSET ||
                 sv->spoofchk != SPEC_UNSET);
    } else {
        if (sv->has_mac && memcmp(sv->mac, observed_mac(ov), 6)) {
            req->has_mac = true;
            memcpy(req->mac, sv->mac, 6);
        }
        if (!switchdev && vlan != ov->vlan) {
            req->vlan = (int)vlan;
        }
        if (tristate_differs(sv->trust, ov->trust)) {
            req->trust = sv->trust == SPEC_TRUE;
        }
        if (tristate_differs(sv->spoofchk, ov->spoofchk)) {
            req->spoofchk = sv->spoofchk == SPEC_TRUE;
        }
    }

    w->detail[0] = '\0';
    if (req->has_mac) {
        append_item(w->detail, sizeof w->detail, "mac %s%s",
                    spec_mac_to_string(req->mac, mac),
                    mac_via_text(w->mac_via));
    }
    if (req->vlan >= 0) {
        append_item(w->detail, sizeof w->detail, "vlan %d", req->vlan);
    }
    if (req->trust >= 0) {
        append_item(w->detail, sizeof w->detail, "trust %s",
                    on_off(req->trust));
    }
    if (req->spoofchk >= 0) {
        append_item(w->detail, sizeof w->detail, "spoofchk %s",
                    on_off(req->spoofchk));
    }
    w->mac_vlan = req->has_mac || req->vlan >= 0;
    w->set = w->mac_vlan || req->trust >= 0 || req->spoofchk >= 0;
    return true;
}

/* Drops the mac and vlan from 'w' (trust and spoofchk stay). */
static void
defer_mac_vlan(struct vf_work *w)
{
    struct plan_vf_req *req = &w->req;

    if (!w->mac_vlan) {
        return;
    }
    req->has_mac = false;
    req->vlan = -1;
    w->mac_vlan = false;
    w->set = req->trust >= 0 || req->spoofchk >= 0;
    w->detail[0] = '\0';
    if (req->trust >= 0) {
        append_item(w->detail, sizeof w->detail, "trust %s",
                    on_off(req->trust));
    }
    if (req->spoofchk >= 0) {
        append_item(w->detail, sizeof w->detail, "spoofchk %s",
                    on_off(req->spoofchk));
    }
}

/* The object naming a PF's device: its devlink handle, else its netdev,
 * else the spec's id. */
static const char *
pf_device_name(const struct spec_pf *sp, const struct obs_pf *op)
{
    if (op->has_devlink && op->devlink[0]) {
        return op->devlink;
    }
    return op->netdev[0] ? op->netdev : sp->id;
}

/* How people know a PF: its netdev, else its device. */
static const char *
pf_label(const struct spec_pf *sp, const struct obs_pf *op)
{
    return op->netdev[0] ? op->netdev : pf_device_name(sp, op);
}

static struct plan_step *
step_set_numvfs(struct builder *b, int pf, const struct spec_pf *sp,
                const struct obs_pf *op, unsigned from, unsigned to)
{
    struct plan_step *s = add_step(b, PLAN_SET_NUMVFS, pf, -1);
    s->numvfs.num = to;
    oa_copy_str(s->object, sizeof s->object, pf_device_name(sp, op));
    oa_copy_str(s->numvfs.netdev, sizeof s->numvfs.netdev, op->netdev);
    fmt_str(s->detail, sizeof s->detail, "%u -> %u", from, to);
    /* The agent binds the new PCI VFs itself once they are configured:
     * no driver may take them as they appear. */
    s->numvfs.no_autoprobe = to > 0 && sp->vf_driver && op->vfs_are_devices;
    if (s->numvfs.no_autoprobe) {
        append_item(s->detail, sizeof s->detail, "autoprobe off");
    }
    return s;
}

/* set-eswitch to the decided modes; 'after_zero': re-asserted after the
 * VF count went through 0. */
static void
step_set_eswitch(struct builder *b, int pf, const struct spec_pf *sp,
                 const struct obs_pf *op, const struct pf_decision *d)
{
    struct plan_step *s = add_step(b, PLAN_SET_ESWITCH, pf, -1);
    const char *mode = devlink_eswitch_mode_name(d->mode);
    s->eswitch.mode = d->mode;
    s->eswitch.inline_mode = d->inline_mode;
    s->eswitch.encap_mode = d->encap_mode;
    s->eswitch.order =
        d->vfs_first ? OBS_ORDER_VFS_FIRST : OBS_ORDER_SWITCHDEV_FIRST;
    oa_copy_str(s->object, sizeof s->object, pf_device_name(sp, op));
    oa_copy_str(s->eswitch.netdev, sizeof s->eswitch.netdev, op->netdev);
    if (op->eswitch_mode != d->mode) {
        fmt_str(s->detail, sizeof s->detail, "%s -> %s",
                devlink_eswitch_mode_name(op->eswitch_mode), mode);
    } else if (d->to_zero) {
        /* 0 VFs drops some eswitches back to legacy. */
        fmt_str(s->detail, sizeof s->detail, "%s (re-assert after 0 VFs)",
                mode);
    } else {
        oa_copy_str(s->detail, sizeof s->detail, mode);
    }
    if (d->inline_mode >= 0) {
        append_item(s->detail, sizeof s->detail, "inline-mode %s",
                    devlink_inline_mode_name(d->inline_mode));
    }
    if (d->encap_mode >= 0) {
        append_item(s->detail, sizeof s->detail, "encap-mode %s",
                    devlink_encap_mode_name(d->encap_mode));
    }
}

static struct plan_step *
step_bind(struct builder *b, enum plan_action action, int pf,
          const struct obs_vf *ov, const char *driver)
{
    struct plan_step *s = add_step(b, action, pf, (int)ov->index);
    oa_copy_str(s->object, sizeof s->object, ov->pci);
    oa_copy_str(s->binding.pci, sizeof s->binding.pci, ov->pci);
    oa_copy_str(s->binding.driver, sizeof s->binding.driver, driver);
    fmt_str(s->detail, sizeof s->detail, "vf %u %s %s", ov->index,
            action == PLAN_BIND_VF ? "to" : "from", driver);
    return s;
}

/* unbind-vf of VF 'ov', saying so when it is in use (only planned so
 * when the spec allows disruption). */
static void
step_unbind(struct builder *b, int pf, const struct obs_vf *ov)
{
    struct plan_step *s = step_bind(b, PLAN_UNBIND_VF, pf, ov, ov->driver);
    if (ov->in_use) {
        append_item(s->detail, sizeof s->detail, "disrupts: %s", ov->holder);
    }
}

/* Whether the plan sets PF 'd''s eswitch: a mode change (to legacy for
 * the steering mode too), an inline/encap change, or the re-assert after
 * 0 VFs, a mode change where 0 VFs dropped the eswitch to legacy (the
 * bed's netdevsim, older mlx5). mlx5 refuses each while offloaded tc
 * rules hold the eswitch: mode "E-Switch is busy" (EBUSY, even for the
 * current mode), inline/encap "... when flows are configured". */
static bool
changes_eswitch(const struct pf_decision *d)
{
    return d->eswitch_step || d->to_legacy;
}

/* A detach-port step for port 'name' of PF 'pf' (vf -1: the uplink),
 * when it is in a bridge and ours (others' ports are never removed). */
static void
step_detach(struct builder *b, int pf, int vf, const char *name,
            const struct vsdb_state *ovs, const char *why)
{
    const struct vsdb_port *port;
    const struct vsdb_bridge *br =
        ovs ? vsdb_state_port_bridge(ovs, name, &port) : NULL;
    if (!br || !port->owned) {
        return;
    }
    struct plan_step *s = add_step(b, PLAN_DETACH_PORT, pf, vf);
    oa_copy_str(s->object, sizeof s->object, name);
    oa_copy_str(s->ovsport.port, sizeof s->ovsport.port, name);
    oa_copy_str(s->ovsport.bridge, sizeof s->ovsport.bridge, br->name);
    fmt_str(s->detail, sizeof s->detail, "from %s: %s", br->name, why);
}

/* PF 'op''s ports taken out of OVS before its kernel steps (one
 * transaction, plan_host()): its representors' when a step removes them;
 * its uplink's and representors' when the eswitch changes, as OVS
 * removes a port's tc rules with the port (docs/testbed.md) and mlx5
 * refuses the change while rules are offloaded (sriov-network-operator
 * detaches the uplink too). The OVS steps add back what the spec still
 * wants, after the kernel steps, also when one of those was refused. */
static void
plan_detach(struct builder *b, int pf, const struct obs_pf *op,
            const struct pf_decision *d, const struct vsdb_state *ovs)
{
    bool eswitch = changes_eswitch(d);
    if (!ovs || (!eswitch && !d->reps_vanish)) {
        return;
    }
    if (eswitch && op->netdev[0]) {
        step_detach(b, pf, -1, op->netdev, ovs, "before the eswitch change");
    }
    for (size_t k = 0; k < op->n_vfs; k++) {
        const struct obs_vf *ov = &op->vfs[k];
        if (ov->has_rep && ov->rep[0]) {
            step_detach(b, pf, (int)k, ov->rep, ovs,
                        d->reps_vanish ? "its representor goes away"
                                       : "before the eswitch change");
        }
    }
}

/* ---- Decide: one PF, from the spec and the observation ------------------ */

/* The OVS state when it can be used, else NULL. */
static const struct vsdb_state *
ready_ovs(const struct obs_host *host)
{
    return host->ovs.connected && host->ovs.state && host->ovs.state->ready
               ? host->ovs.state
               : NULL;
}

/* What keeps the PF from any kernel step. */
static bool
decide_blocked(const struct spec_pf *sp, const struct obs_pf *op,
               struct pf_decision *d)
{
    if (!op->found) {
        d->not_found = true;
    } else {
        d->too_many_vfs = op->has_total_vfs && sp->num_vfs > op->total_vfs;
        d->no_eswitch =
            !op->has_eswitch &&
            (d->want_switchdev || d->inline_mode >= 0 || d->encap_mode >= 0);
        d->no_steering =
            sp->steering_mode != SPEC_STEERING_UNSET && !op->has_steering;
    }
    d->blocked =
        d->not_found || d->too_many_vfs || d->no_eswitch || d->no_steering;
    return d->blocked;
}

/* The VF count and the eswitch: what changes, and what that does to the
 * representors. */
static void
decide_count_and_mode(const struct spec_pf *sp, const struct obs_pf *op,
                      struct pf_decision *d)
{
    bool in_switchdev =
        op->has_eswitch && op->eswitch_mode == DEVLINK_ESWITCH_MODE_SWITCHDEV;
    bool mode_differs = op->has_eswitch && op->eswitch_mode != d->mode;
    bool sub_differs =
        op->has_eswitch &&
        ((d->inline_mode >= 0 &&
          (!op->has_inline_mode || op->inline_mode != d->inline_mode)) ||
         (d->encap_mode >= 0 &&
          (!op->has_encap_mode || op->encap_mode != d->encap_mode)));

    d->cur = op->num_vfs;
    d->want = sp->num_vfs;
    d->count_changes = d->cur != d->want;
    const char *steering = spec_steering_mode_name(sp->steering_mode);
    if (steering && op->has_steering && strcmp(op->steering, steering)) {
        /* Only in legacy with 0 VFs: the VFs go and come back, as for a
         * count change. */
        d->steering = steering;
        d->to_legacy = in_switchdev;
        d->count_changes = true;
        mode_differs = mode_differs || in_switchdev;
    }
    if (!d->vfs_first && mode_differs && d->cur > 0) {
        /* Switchdev-first: the mode changes with 0 VFs, so the VFs go and
         * come back as for a count change (NVIDIA's order; some firmware
         * refuses switchdev once VFs exist). */
        d->count_changes = true;
    }
    d->to_zero = d->count_changes && d->cur > 0;
    d->to_want = d->count_changes && d->want > 0;
    /* After 0 VFs some eswitches are back in legacy: re-assert (apply
     * reads first, so this is a no-op where the mode stayed). */
    d->eswitch_step = op->has_eswitch && (mode_differs || sub_differs ||
                                          (d->to_zero && d->want_switchdev));
    if (d->to_legacy && !d->want_switchdev && !sub_differs) {
        d->eswitch_step = false; /* emit_steering() goes to legacy */
    }
    /* Not with a mode change: the VFs-first order would unbind VFs that
     * are not there yet. Such a PF blocks as before until a look finds
     * its VFs there. */
    d->arriving = !d->count_changes && !d->eswitch_step && d->want > 0 &&
                  op->vfs_arriving;
    d->reps_vanish = d->to_zero || (in_switchdev && !d->want_switchdev);
    d->creates_reps = d->want_switchdev && d->want > 0 &&
                      (mode_differs || d->count_changes || d->arriving);
    if (!d->creates_reps && d->want_switchdev && !d->count_changes &&
        in_switchdev) {
        /* Nothing of this plan creates them: a wait would never end. */
        for (unsigned k = 0; k < d->want; k++) {
            d->reps_missing += k >= op->n_vfs || !op->vfs[k].has_rep;
        }
    }
}

/* Whether the VFs are new to this plan: it creates them (set-numvfs),
 * or the kernel is still creating them. Either way a wait comes first,
 * and nothing observed of them counts yet. */
static bool
vfs_new(const struct pf_decision *d)
{
    return d->to_want || d->arriving;
}

/* How VF 'ov's MAC would be written, as far as the observation tells:
 * its port function reports a hw_addr or not. Not known when this plan
 * recreates the VFs ('ov' NULL) or changes the eswitch mode (VF ports
 * exist only in switchdev), nor for a switchdev VF whose port is not
 * there yet. */
static enum plan_mac_via
decide_mac_via(const struct obs_vf *ov, const struct pf_decision *d)
{
    if (!ov || d->eswitch_step || (d->want_switchdev && !ov->has_rep)) {
        return PLAN_MAC_VIA_UNKNOWN;
    }
    return ov->has_fn_hw_addr ? PLAN_MAC_VIA_PORT_FN : PLAN_MAC_VIA_PF;
}

/* The settings each VF of the spec gets. */
static void
decide_vf_settings(const struct spec_pf *sp, const struct obs_pf *op,
                   struct pf_decision *d)
{
    for (size_t i = 0; i < sp->n_vfs; i++) {
        const struct spec_vf *sv = &sp->vfs[i];
        const struct obs_vf *ov = NULL;
        if (sv->index >= d->want) {
            continue;
        }
        if (!vfs_new(d)) {
            ov = sv->index < op->n_vfs ? &op->vfs[sv->index] : NULL;
            if (!ov) {
                continue;
            }
        }
        d->vfs[sv->index].mac_via = decide_mac_via(ov, d);
        d->vfs[sv->index].no_info =
            !vf_settings(sv, ov, d->want_switchdev, &d->vfs[sv->index]);
    }
    if (vfs_new(d) && sp->vf_driver && op->vfs_are_devices) {
        /* set-numvfs creates them with autoprobe off: unbound, and
         * without a PCI address in this plan. The next round sets the
         * MAC and vlan and then binds (should a driver have taken them
         * anyway, it unbinds first: a MAC must be set before the VF's
         * driver reads it at probe). */
        for (unsigned k = 0; k < d->want; k++) {
            defer_mac_vlan(&d->vfs[k]);
        }
    }
}

/* Which VFs are unbound and bound, and when. */
static void
decide_vf_binding(const struct spec_pf *sp, const struct obs_pf *op,
                  struct pf_decision *d)
{
    /* VFs this plan creates have no PCI address yet: the next round
     * binds them. In the VFs-first order (older mlx5) the eswitch only
     * changes with the VFs unbound, whether or not the spec names a
     * driver: without one they go back to the driver they had. */
    bool binding = op->vfs_are_devices && !vfs_new(d);
    for (unsigned k = 0; binding && k < d->want && k < op->n_vfs; k++) {
        const struct obs_vf *ov = &op->vfs[k];
        struct vf_work *w = &d->vfs[k];
        bool bound = ov->driver[0] != '\0';
        if (!ov->pci[0]) {
            continue;
        }
        w->bind_driver = sp->vf_driver ? sp->vf_driver : ov->driver;
        w->unbind_early = d->vfs_first && d->eswitch_step && bound;
        if (!sp->vf_driver) {
            w->bind = w->unbind_early;
            continue;
        }
        bool wrong = strcmp(ov->driver, sp->vf_driver) != 0;
        /* A bound VF whose MAC changes is unbound, set and bound again,
         * whichever way the MAC goes (port function or PF): the VF
         * driver reads its MAC at probe. An unbound VF gets its MAC
         * before it is bound: no rebind (the port function's way). */
        w->unbind =
            !w->unbind_early && bound && (wrong || (w->set && w->mac_vlan));
        w->bind = wrong || w->unbind_early || w->unbind;
    }
}

/* Whether the plan removes VF 'k' (set-numvfs 0: a count change goes
 * through 0, so every VF goes, the ones that come back included: a VM
 * loses VF 0 of 2 -> 1 too) or unbinds it. */
static bool
vf_disrupted(const struct pf_decision *d, unsigned k)
{
    if (d->to_zero) {
        return k < d->cur;
    }
    return k < d->want && (d->vfs[k].unbind || d->vfs[k].unbind_early);
}

/* The VFs in use that a step would remove or unbind. Unless the spec
 * allows it, they block the PF: no kernel step at all (the steps that
 * do not disrupt build on those that do, or are the same change), and
 * OVS keeps the PF's ports as they are. */
static void
decide_in_use(const struct spec_pf *sp, const struct obs_pf *op,
              struct pf_decision *d)
{
    for (unsigned k = 0; k < op->n_vfs; k++) {
        d->n_in_use += op->vfs[k].in_use && vf_disrupted(d, k);
    }
    if (!d->n_in_use || sp->disruptive == SPEC_DISRUPTIVE_ALLOW) {
        return;
    }
    d->in_use_blocked = d->blocked = true;
    d->reps_vanish = d->creates_reps = false;
    d->reps_missing = 0;
}

/* Decides PF 'pf' into '*d'. Pure but for d->vfs (caller frees): 0, or
 * -ENOMEM. */
/* Whether spec bond 'i' is formed on the host: the agent's bond, up,
 * both members enslaved to it, with carrier, and the driver's LAG
 * active where it shows one (mlx5's debugfs lag/state, lagstate.h);
 * where it shows none (netdevsim) the bond's own state stands in. */
static bool
bond_formed(const struct obs_host *host, size_t i)
{
    const struct obs_bond *ob = i < host->n_bonds ? &host->bonds[i] : NULL;
    if (!ob || !ob->exists || !ob->owned || !ob->up || !ob->carrier ||
        (ob->lag.exposed && !lagstate_active(&ob->lag))) {
        return false;
    }
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        if (ob->members[j].master != ob->ifindex) {
            return false;
        }
    }
    return true;
}

static int
decide_pf(const struct spec *spec, const struct obs_host *host, size_t pf,
          struct pf_decision *d)
{
    const struct spec_pf *sp = &spec->pfs[pf];
    const struct obs_pf *op = &host->pfs[pf];

    memset(d, 0, sizeof *d);
    d->vfs_first = op->order == OBS_ORDER_VFS_FIRST;
    d->mode = devlink_mode(sp->eswitch);
    d->inline_mode = devlink_inline_mode(sp->inline_mode);
    d->encap_mode = devlink_encap_mode(sp->encap_mode);
    d->want_switchdev = d->mode == DEVLINK_ESWITCH_MODE_SWITCHDEV;
    if (decide_blocked(sp, op, d)) {
        return 0;
    }
    decide_count_and_mode(sp, op, d);
    d->vfs = calloc(d->want ? d->want : 1, sizeof *d->vfs);
    if (!d->vfs) {
        return -ENOMEM;
    }
    decide_vf_settings(sp, op, d);
    decide_vf_binding(sp, op, d);
    decide_in_use(sp, op, d);
    const struct spec_bond *sb = spec_pf_bond(spec, pf);
    if (sb) {
        size_t bi = (size_t)(sb - spec->bonds);
        const struct obs_bond *ob =
            bi < host->n_bonds ? &host->bonds[bi] : NULL;
        size_t j = sb->pfs[0] == pf ? 0 : 1;
        d->bind_after_bond = !bond_formed(host, bi);
        d->uplink_to_bond =
            !ob || !ob->exists || ob->members[j].master != ob->ifindex;
    }
    return 0;
}

/* ---- Emit: one PF's blockers and kernel steps, from its decision -------- */

/* One blocker per VF in use that a step would remove or unbind. */
static void
emit_in_use_blockers(struct builder *b, int pf, const struct spec_pf *sp,
                     const struct obs_pf *op, const struct pf_decision *d)
{
    for (unsigned k = 0; k < op->n_vfs; k++) {
        const struct obs_vf *ov = &op->vfs[k];
        char object[96], how[64];
        if (!ov->in_use || !vf_disrupted(d, k)) {
            continue;
        }
        fmt_str(object, sizeof object, "%s vf %u", pf_label(sp, op), k);
        if (d->to_zero) {
            fmt_str(how, sizeof how, "set-numvfs %u -> 0 would remove it",
                    d->cur);
        } else {
            oa_copy_str(how, sizeof how, "unbind-vf would unbind it");
        }
        add_blocker(b, pf, object,
                    "%s (%s) is in use: %s; %s; set \"disruptive\": "
                    "\"allow\" on the PF to proceed",
                    object, ov->pci, ov->holder, how);
    }
}

static void
emit_blockers(struct builder *b, int pf, const struct spec_pf *sp,
              const struct obs_pf *op, const struct pf_decision *d)
{
    if (d->not_found) {
        add_blocker(b, pf, sp->id, "%s",
                    op->error[0] ? op->error : "not found on this host");
        return;
    }
    if (d->too_many_vfs) {
        add_blocker(b, pf, sp->id,
                    "%u VFs wanted, the device supports at most %u",
                    sp->num_vfs, op->total_vfs);
    }
    if (d->no_eswitch) {
        add_blocker(b, pf, sp->id,
                    "no eswitch: devlink does not answer for this device");
    }
    if (d->no_steering) {
        add_blocker(b, pf, sp->id,
                    "steering_mode %s asked, but the device has no devlink "
                    "param " OBS_STEERING_PARAM,
                    spec_steering_mode_name(sp->steering_mode));
    }
    if (d->in_use_blocked) {
        emit_in_use_blockers(b, pf, sp, op, d);
    }
    if (d->blocked) {
        return;
    }
    for (size_t i = 0; i < sp->n_vfs; i++) {
        unsigned k = sp->vfs[i].index;
        if (k < d->want && d->vfs[k].no_info) {
            char object[96];
            fmt_str(object, sizeof object, "%s vf %u", pf_label(sp, op), k);
            add_blocker(b, pf, object,
                        "the kernel reports no settings for VF %u: its "
                        "mac/vlan/trust/spoofchk cannot be checked",
                        k);
        }
    }
    if (d->reps_missing) {
        add_blocker(b, pf, pf_label(sp, op), "%u of %u representors missing",
                    d->reps_missing, d->want);
    }
}

/* Switchdev first: set-eswitch with 0 VFs (set-numvfs 0 went before
 * when there were VFs), then set-numvfs N. */
static void
emit_switchdev_first(struct builder *b, int pf, const struct spec_pf *sp,
                     const struct obs_pf *op, const struct pf_decision *d)
{
    if (d->eswitch_step) {
        step_set_eswitch(b, pf, sp, op, d);
    }
    if (d->to_want) {
        step_set_numvfs(b, pf, sp, op, d->to_zero ? 0 : d->cur, d->want);
    }
}

/* VFs first: set-numvfs N in legacy, unbind the VFs, set-eswitch. */
static void
emit_vfs_first(struct builder *b, int pf, const struct spec_pf *sp,
               const struct obs_pf *op, const struct pf_decision *d)
{
    if (d->to_want) {
        step_set_numvfs(b, pf, sp, op, d->to_zero ? 0 : d->cur, d->want);
    }
    for (unsigned k = 0; d->eswitch_step && k < d->want; k++) {
        if (d->vfs[k].unbind_early) {
            step_unbind(b, pf, &op->vfs[k]);
        }
    }
    if (d->eswitch_step) {
        step_set_eswitch(b, pf, sp, op, d);
    }
}

/* After the steps that create VFs or representors, before anything acts
 * on them: VFs and representors appear over time (mlx5 probes each VF,
 * the representors follow), and set-vf of a VF not there yet fails. */
static void
emit_wait(struct builder *b, int pf, const struct spec_pf *sp,
          const struct obs_pf *op, const struct pf_decision *d)
{
    /* The PF's VF list needs its netdev; PCI functions exist only where
     * VFs are PCI devices. */
    struct plan_wait_args w = {
        .num = d->want,
        .listed = vfs_new(d) && op->netdev[0],
        .pci = vfs_new(d) && op->vfs_are_devices,
        .reps = d->creates_reps,
    };
    char what[64] = "";
    if (w.listed) {
        append_item(what, sizeof what, "listed");
    }
    if (w.pci) {
        append_item(what, sizeof what, "PCI functions");
    }
    if (w.reps) {
        append_item(what, sizeof what, "representors");
    }
    if (!what[0]) {
        return; /* nothing created, or nothing this PF lets us see */
    }
    struct plan_step *s = add_step(b, PLAN_WAIT_VFS, pf, -1);
    oa_copy_str(w.netdev, sizeof w.netdev, op->netdev);
    s->wait = w;
    oa_copy_str(s->object, sizeof s->object, pf_label(sp, op));
    fmt_str(s->detail, sizeof s->detail, "%u VF%s: %s%s", d->want,
            d->want == 1 ? "" : "s", what,
            d->arriving ? " (the kernel is still creating them)" : "");
}

/* unbind-vf, set-vf, bind-vf: each kind for every VF, in VF order. */
static void
emit_vf_steps(struct builder *b, int pf, const struct spec_pf *sp,
              const struct obs_pf *op, const struct pf_decision *d)
{
    for (unsigned k = 0; k < d->want && k < op->n_vfs; k++) {
        if (d->vfs[k].unbind) {
            step_unbind(b, pf, &op->vfs[k]);
        }
    }
    for (unsigned k = 0; k < d->want; k++) {
        const struct vf_work *w = &d->vfs[k];
        if (!w->set) {
            continue;
        }
        struct plan_step *s = add_step(b, PLAN_SET_VF, pf, (int)k);
        s->setvf.req = w->req;
        s->setvf.mac_via = w->req.has_mac ? w->mac_via : PLAN_MAC_VIA_UNKNOWN;
        fmt_str(s->object, sizeof s->object, "%s vf %u", pf_label(sp, op), k);
        oa_copy_str(s->setvf.netdev, sizeof s->setvf.netdev, op->netdev);
        if (!vfs_new(d) && k < op->n_vfs) {
            oa_copy_str(s->setvf.pci, sizeof s->setvf.pci, op->vfs[k].pci);
        }
        oa_copy_str(s->detail, sizeof s->detail, w->detail);
    }
    for (unsigned k = 0; k < d->want && k < op->n_vfs && !d->bind_after_bond;
         k++) {
        if (d->vfs[k].bind) {
            step_bind(b, PLAN_BIND_VF, pf, &op->vfs[k], d->vfs[k].bind_driver);
        }
    }
}

/* set-hw-tc-offload "on -> off" of 'netdev' (the uplink or a
 * representor). */
static void
step_hw_tc(struct builder *b, int pf, int vf, const char *netdev, bool on)
{
    struct plan_step *s = add_step(b, PLAN_SET_HW_TC_OFFLOAD, pf, vf);
    s->hwtc.on = on;
    oa_copy_str(s->object, sizeof s->object, netdev);
    oa_copy_str(s->hwtc.netdev, sizeof s->hwtc.netdev, netdev);
    fmt_str(s->detail, sizeof s->detail, "%s -> %s", on_off(!on), on_off(on));
}

/* hw-tc-offload of the uplink, then of each representor. */
static void
emit_hw_tc(struct builder *b, int pf, const struct spec_pf *sp,
           const struct obs_pf *op, const struct pf_decision *d)
{
    bool on = sp->hw_tc_offload;
    if (op->netdev[0] && op->uplink_hw_tc_offload != OBS_UNKNOWN &&
        (op->uplink_hw_tc_offload == OBS_YES) != on) {
        step_hw_tc(b, pf, -1, op->netdev, on);
    }
    for (unsigned k = 0; d->want_switchdev && k < d->want; k++) {
        if (d->creates_reps) {
            /* Apply skips the empty netdev; the next round names it. */
            struct plan_step *s =
                add_step(b, PLAN_SET_HW_TC_OFFLOAD, pf, (int)k);
            s->hwtc.on = on;
            fmt_str(s->object, sizeof s->object, "%s vf %u representor",
                    pf_label(sp, op), k);
            fmt_str(s->detail, sizeof s->detail, "%s, once it appears",
                    on_off(on));
            continue;
        }
        const struct obs_vf *ov = k < op->n_vfs ? &op->vfs[k] : NULL;
        if (d->reps_vanish || !ov || !ov->has_rep ||
            ov->rep_hw_tc_offload == OBS_UNKNOWN ||
            (ov->rep_hw_tc_offload == OBS_YES) == on) {
            continue;
        }
        step_hw_tc(b, pf, (int)k, ov->rep, on);
    }
}

/* set-eswitch legacy (when in switchdev), then set-steering-mode: the
 * VFs are gone by now (set-numvfs 0 before). */
static void
emit_steering(struct builder *b, int pf, const struct spec_pf *sp,
              const struct obs_pf *op, const struct pf_decision *d)
{
    struct plan_step *s;
    if (d->to_legacy) {
        s = add_step(b, PLAN_SET_ESWITCH, pf, -1);
        s->eswitch.mode = DEVLINK_ESWITCH_MODE_LEGACY;
        oa_copy_str(s->object, sizeof s->object, pf_device_name(sp, op));
        oa_copy_str(s->eswitch.netdev, sizeof s->eswitch.netdev, op->netdev);
        fmt_str(s->detail, sizeof s->detail,
                "%s -> legacy (to change the steering mode)",
                devlink_eswitch_mode_name(op->eswitch_mode));
    }
    s = add_step(b, PLAN_SET_STEERING_MODE, pf, -1);
    oa_copy_str(s->steering.mode, sizeof s->steering.mode, d->steering);
    oa_copy_str(s->steering.netdev, sizeof s->steering.netdev, op->netdev);
    oa_copy_str(s->object, sizeof s->object, pf_device_name(sp, op));
    fmt_str(s->detail, sizeof s->detail, "%s -> %s", op->steering,
            d->steering);
}

/* set-link-up of 'netdev' (the uplink or a representor) observed down. */
static void
step_link_up(struct builder *b, int pf, int vf, const char *netdev)
{
    struct plan_step *s = add_step(b, PLAN_SET_LINK_UP, pf, vf);
    oa_copy_str(s->object, sizeof s->object, netdev);
    oa_copy_str(s->link.netdev, sizeof s->link.netdev, netdev);
    oa_copy_str(s->detail, sizeof s->detail, "down -> up");
}

/* The uplink up in every eswitch mode (legacy VFs send through it), and
 * every representor of a switchdev PF, attached to OVS or not: nothing
 * else sets them up (not ovs-vswitchd), and no packet crosses a port
 * that is down. UNKNOWN (not read) plans nothing. */
static void
emit_link_up(struct builder *b, int pf, const struct spec_pf *sp,
             const struct obs_pf *op, const struct pf_decision *d)
{
    if (op->netdev[0] && op->uplink_up == OBS_NO && !d->uplink_to_bond) {
        step_link_up(b, pf, -1, op->netdev);
    }
    for (unsigned k = 0; d->want_switchdev && k < d->want; k++) {
        if (d->creates_reps) {
            /* Apply skips the empty netdev; the next round names it. */
            struct plan_step *s = add_step(b, PLAN_SET_LINK_UP, pf, (int)k);
            fmt_str(s->object, sizeof s->object, "%s vf %u representor",
                    pf_label(sp, op), k);
            oa_copy_str(s->detail, sizeof s->detail, "up, once it appears");
            continue;
        }
        const struct obs_vf *ov = k < op->n_vfs ? &op->vfs[k] : NULL;
        if (d->reps_vanish || !ov || !ov->has_rep || !ov->rep[0] ||
            ov->rep_up != OBS_NO) {
            continue;
        }
        step_link_up(b, pf, (int)k, ov->rep);
    }
}

/* set-numvfs N -> 0 with in-use VFs (the spec allows it): the detail
 * names them and their holders. */
static void
note_in_use(struct plan_step *s, const struct obs_pf *op,
            const struct pf_decision *d)
{
    for (unsigned k = 0; d->n_in_use && k < op->n_vfs; k++) {
        const struct obs_vf *ov = &op->vfs[k];
        if (ov->in_use) {
            append_item(s->detail, sizeof s->detail, "disrupts vf %u: %s", k,
                        ov->holder);
        }
    }
}

/* PF 'pf': its blockers, then its kernel steps in the decided order. */
static void
emit_pf(struct builder *b, const struct spec *spec,
        const struct obs_host *host, int pf, const struct pf_decision *d)
{
    const struct spec_pf *sp = &spec->pfs[pf];
    const struct obs_pf *op = &host->pfs[pf];

    emit_blockers(b, pf, sp, op, d);
    if (d->blocked) {
        return;
    }
    plan_detach(b, pf, op, d, ready_ovs(host));
    if (d->to_zero) {
        struct plan_step *s = step_set_numvfs(b, pf, sp, op, d->cur, 0);
        note_in_use(s, op, d);
    }
    if (d->steering) {
        emit_steering(b, pf, sp, op, d);
    }
    if (d->vfs_first) {
        emit_vfs_first(b, pf, sp, op, d);
    } else {
        emit_switchdev_first(b, pf, sp, op, d);
    }
    emit_wait(b, pf, sp, op, d);
    emit_vf_steps(b, pf, sp, op, d);
    emit_hw_tc(b, pf, sp, op, d);
    emit_link_up(b, pf, sp, op, d);
}

/* ---- OVS ------------------------------------------------------------------- */

/* Whether 'name' is among the detach-port steps. */
static bool
is_detached(const struct plan *plan, const char *bridge, const char *name)
{
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        if (s->action == PLAN_DETACH_PORT && !strcmp(s->ovsport.port, name) &&
            (!bridge || !strcmp(s->ovsport.bridge, bridge))) {
            return true;
        }
    }
    return false;
}

/* detach_want: every bridge with every current port but the detached
 * ones (vsdb deletes the owned ports no wanted bridge lists). */
static void
build_detach_want(struct builder *b, const struct vsdb_state *ovs)
{
    struct plan *plan = b->plan;
    struct vsdb_want_bridge *wbs = b_calloc(b, ovs->n_bridges, sizeof *wbs);
    if (!wbs) {
        return;
    }
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        const struct vsdb_bridge *br = &ovs->bridges[i];
        const char **ports = b_calloc(b, br->n_ports, sizeof *ports);
        size_t n = 0;
        if (!ports) {
            return;
        }
        for (size_t p = 0; p < br->n_ports; p++) {
            const char *name = br->ports[p].name;
            /* Not a bridge's local port, listed once, not detached. */
            if (vsdb_state_bridge(ovs, name) ||
                is_detached(plan, NULL, name) ||
                vsdb_state_port_bridge(ovs, name, NULL) != br) {
                continue;
            }
            ports[n++] = b_strdup(b, name);
        }
        wbs[i].name = b_strdup(b, br->name);
        wbs[i].ports = ports;
        wbs[i].n_ports = n;
    }
    plan->detach_want.bridges = wbs;
    plan->detach_want.n_bridges = ovs->n_bridges;
}

/* The OVS state the detach transaction leaves: 'ovs' without the
 * detached ports. The OVS steps are diffed from it, so a detached port
 * the spec still wants is an add-port after the kernel steps (plan
 * --json shows both). A shallow copy pointing into 'ovs', for
 * plan_compute() only; NULL on ENOMEM. */
static const struct vsdb_state *
state_after_detach(struct builder *b, const struct vsdb_state *ovs)
{
    if (!b->plan->has_detach) {
        return ovs;
    }
    struct vsdb_state *after = b_calloc(b, 1, sizeof *after);
    struct vsdb_bridge *brs = b_calloc(b, ovs->n_bridges, sizeof *brs);
    if (!after || !brs) {
        return NULL;
    }
    *after = *ovs;
    after->bridges = brs;
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        const struct vsdb_bridge *br = &ovs->bridges[i];
        struct vsdb_port *ports = b_calloc(b, br->n_ports, sizeof *ports);
        size_t n = 0;
        if (!ports) {
            return NULL;
        }
        for (size_t p = 0; p < br->n_ports; p++) {
            if (!is_detached(b->plan, br->name, br->ports[p].name)) {
                ports[n++] = br->ports[p];
            }
        }
        brs[i] = *br;
        brs[i].ports = ports;
        brs[i].n_ports = n;
    }
    return after;
}

/* Which PF and VF a wanted port belongs to (for the steps' pf/vf). */
struct port_owner {
    const char *name;
    int pf, vf;
};

/* A representor that this plan creates, added to 'bridge' once it
 * appears. */
struct pending_port {
    size_t bridge; /* index in spec->bridges */
    int pf, vf;
    int tag; /* VSDB_TAG_NONE or the VF's vlan */
    char object[96];
};

/* The ports one bridge wants, being built: names, tags and keys side by
 * side (vsdb_want_bridge). */
struct port_list {
    const char **ports;
    int *tags;
    const char **keys;
    size_t n;
};

struct ovs_build {
    struct vsdb_want_bridge *wbs;
    struct port_owner *owners;
    size_t n_owners;
    struct pending_port *pending;
    size_t n_pending;
};

static bool
vf_attached(const struct spec_pf *sp, unsigned k)
{
    const struct spec_vf *sv = spec_vf_find(sp, k);
    return !sv || sv->attach;
}

/* The key of PF 'op''s port for VF 'vf' (-1: the uplink) in OVS
 * (VSDB_PORT_KEY): "<PF>/vf<N>" or "<PF>/uplink", the PF being its
 * devlink handle, else its bus/device. Names change (udev, operators);
 * what a port is for does not. */
static void
port_key(const struct obs_pf *op, int vf, char *buf, size_t size)
{
    char pf[sizeof op->devlink + 2];
    if (op->has_devlink && op->devlink[0]) {
        oa_copy_str(pf, sizeof pf, op->devlink);
    } else {
        fmt_str(pf, sizeof pf, "%s/%s", op->bus, op->dev_name);
    }
    if (vf < 0) {
        fmt_str(buf, size, "%s/uplink", pf);
    } else {
        fmt_str(buf, size, "%s/vf%d", pf, vf);
    }
}

/* Adds port 'name' of PF 'op' (index 'pf'), VF 'vf' (-1: the uplink)
 * with tag 'tag' (VSDB_TAG_*) and its key to 'pl'. */
static void
want_port(struct builder *b, struct ovs_build *ob, struct port_list *pl,
          const char *name, int tag, const struct obs_pf *op, int pf, int vf)
{
    char key[sizeof op->devlink + 32];
    port_key(op, vf, key, sizeof key);
    pl->ports[pl->n] = b_strdup(b, name);
    pl->tags[pl->n] = tag;
    pl->keys[pl->n] = b_strdup(b, key);
    ob->owners[ob->n_owners++] = (struct port_owner){pl->ports[pl->n], pf, vf};
    pl->n++;
}

/* The tag of VF 'k''s representor port on a switchdev PF: its vlan, none
 * for vlan 0 (vsdb clears only the agent's own ports). The agent never
 * changes a port someone else added: one of those on 'bridge' without
 * the vlan asked is a blocker. 'ovs': the state the OVS transaction
 * starts from. */
static int
want_rep_tag(struct builder *b, int pf, const struct spec_pf *sp, unsigned k,
             const char *name, const char *bridge,
             const struct vsdb_state *ovs)
{
    const struct spec_vf *sv = spec_vf_find(sp, k);
    unsigned vlan = sv ? sv->vlan : 0;
    const struct vsdb_port *port;
    const struct vsdb_bridge *br = vsdb_state_port_bridge(ovs, name, &port);

    if (vlan && br && !strcmp(br->name, bridge) && !port->owned &&
        (!port->has_tag || port->tag != vlan)) {
        add_blocker(b, pf, name,
                    "vlan %u of VF %u is its port's OVS tag, but port %s is "
                    "not the agent's (no external_ids:" VSDB_OWNED_KEY
                    "): set its tag or remove the port",
                    vlan, k, name);
    }
    return vlan ? (int)vlan : VSDB_TAG_NONE;
}

/* The ports PF 'pf' (found) wants in bridge 'bi': its uplink (its tag
 * left alone) and its representors, or pending ones for the
 * representors this plan creates. */
static void
want_pf_ports(struct builder *b, const struct spec *spec,
              const struct obs_host *host, const struct vsdb_state *ovs,
              const struct pf_decision *d, size_t pf, size_t bi,
              struct port_list *pl, struct ovs_build *ob)
{
    const struct spec_pf *sp = &spec->pfs[pf];
    const struct obs_pf *op = &host->pfs[pf];

    if (sp->attach_uplink && op->netdev[0]) {
        want_port(b, ob, pl, op->netdev, VSDB_TAG_LEAVE, op, (int)pf, -1);
    }
    if (sp->eswitch != SPEC_ESWITCH_SWITCHDEV) {
        return;
    }
    for (unsigned k = 0; k < sp->num_vfs; k++) {
        if (!vf_attached(sp, k)) {
            continue;
        }
        const struct spec_vf *sv = spec_vf_find(sp, k);
        if (d->creates_reps) {
            struct pending_port *pp = &ob->pending[ob->n_pending++];
            pp->bridge = bi;
            pp->pf = (int)pf;
            pp->vf = (int)k;
            pp->tag = sv && sv->vlan ? (int)sv->vlan : VSDB_TAG_NONE;
            fmt_str(pp->object, sizeof pp->object, "%s vf %u representor",
                    pf_label(sp, op), k);
            continue;
        }
        const struct obs_vf *ov = k < op->n_vfs ? &op->vfs[k] : NULL;
        if (d->reps_vanish || !ov || !ov->has_rep || !ov->rep[0]) {
            continue;
        }
        int tag = want_rep_tag(b, (int)pf, sp, k, ov->rep,
                               spec->bridges[bi].name, ovs);
        want_port(b, ob, pl, ov->rep, tag, op, (int)pf, (int)k);
    }
}

/* A PF of bridge 'seen' is not found (not probed yet at boot, renamed,
 * removed): we cannot tell its ports from stale ones, so the bridge's
 * owned ports stay, tags untouched, until it is back. */
static void
keep_owned_ports(struct builder *b, const struct vsdb_bridge *seen,
                 struct port_list *pl)
{
    for (size_t p = 0; p < seen->n_ports; p++) {
        const char *name = seen->ports[p].name;
        bool listed = !strcmp(name, seen->name);
        for (size_t q = 0; q < pl->n && !listed; q++) {
            listed = !strcmp(pl->ports[q], name);
        }
        if (!listed && seen->ports[p].owned) {
            pl->tags[pl->n] = VSDB_TAG_LEAVE;
            pl->ports[pl->n++] = b_strdup(b, name);
        }
    }
}

/* Whether 'name' is among the first 'n' of 'ports'. */
static bool
port_listed(const char **ports, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(ports[i], name)) {
            return true;
        }
    }
    return false;
}

/* A PF held back by VFs in use keeps the ports its representors have in
 * bridge 'seen' now, also those the spec no longer wants (beyond its
 * num_vfs, or on a PF it wants in legacy): the kernel keeps the VFs and
 * representors, and a VM's traffic goes through them. */
static void
keep_in_use_ports(struct builder *b, struct ovs_build *ob,
                  const struct vsdb_bridge *seen, const struct obs_pf *op,
                  size_t pf, struct port_list *pl)
{
    for (unsigned k = 0; seen && k < op->n_vfs; k++) {
        const struct obs_vf *ov = &op->vfs[k];
        if (!ov->has_rep || !ov->rep[0] ||
            port_listed(pl->ports, pl->n, ov->rep)) {
            continue;
        }
        for (size_t p = 0; p < seen->n_ports; p++) {
            if (!strcmp(seen->ports[p].name, ov->rep)) {
                want_port(b, ob, pl, ov->rep, VSDB_TAG_LEAVE, op, (int)pf,
                          (int)k);
                break;
            }
        }
    }
}

/* Whether the plan has an 'action' step about bond 'name'. */
static bool
has_bond_step(const struct plan *plan, enum plan_action action,
              const char *name)
{
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        if (s->action == action && !strcmp(s->bond.name, name)) {
            return true;
        }
    }
    return false;
}

/* Whether bond 'name' exists as the agent's once this plan's kernel
 * steps ran. */
static bool
bond_will_exist(const struct builder *b, const struct obs_host *host, size_t i,
                const char *name)
{
    const struct obs_bond *ob = i < host->n_bonds ? &host->bonds[i] : NULL;
    if (has_bond_step(b->plan, PLAN_SET_BOND, name)) {
        return false; /* remade: added back once its members are in */
    }
    if (ob && ob->exists) {
        return ob->owned;
    }
    for (size_t k = 0; k < b->plan->n_steps; k++) {
        const struct plan_step *s = &b->plan->steps[k];
        if (s->action == PLAN_CREATE_BOND && !strcmp(s->bond.name, name)) {
            return true;
        }
    }
    return false;
}

/* The bonds of bridge 'bname': the bond, not its uplinks, is the port. */
static void
want_bond_ports(struct builder *b, const struct spec *spec,
                const struct obs_host *host, const char *bname,
                struct port_list *pl)
{
    for (size_t i = 0; i < spec->n_bonds; i++) {
        const struct spec_bond *sb = &spec->bonds[i];
        if (!sb->bridge || strcmp(sb->bridge, bname) ||
            !bond_will_exist(b, host, i, sb->name)) {
            continue;
        }
        char key[32];
        fmt_str(key, sizeof key, "bond/%s", sb->name);
        pl->ports[pl->n] = b_strdup(b, sb->name);
        pl->tags[pl->n] = VSDB_TAG_LEAVE;
        pl->keys[pl->n] = b_strdup(b, key);
        pl->n++;
    }
}

/* The ports each bridge of the spec wants; 'ovs': the state the OVS
 * transaction starts from. */
static bool
build_want_ports(struct builder *b, const struct spec *spec,
                 const struct obs_host *host, const struct vsdb_state *ovs,
                 const struct pf_decision *ds, struct ovs_build *ob)
{
    size_t max_ports = 0;
    for (size_t i = 0; i < spec->n_pfs; i++) {
        /* A PF held back by VFs in use keeps its observed ones. */
        max_ports += 1 + (size_t)spec->pfs[i].num_vfs + host->pfs[i].n_vfs;
    }
    max_ports += spec->n_bonds;
    ob->wbs = b_calloc(b, spec->n_bridges, sizeof *ob->wbs);
    ob->owners = b_calloc(b, max_ports, sizeof *ob->owners);
    ob->pending = b_calloc(b, max_ports, sizeof *ob->pending);
    if (!ob->wbs || !ob->owners || !ob->pending) {
        return false;
    }
    for (size_t bi = 0; bi < spec->n_bridges; bi++) {
        const char *bname = spec->bridges[bi].name;
        const struct vsdb_bridge *seen = vsdb_state_bridge(ovs, bname);
        size_t cap = max_ports + (seen ? seen->n_ports : 0);
        struct port_list pl = {
            .ports = b_calloc(b, cap, sizeof *pl.ports),
            .tags = b_calloc(b, cap, sizeof *pl.tags),
            .keys = b_calloc(b, cap, sizeof *pl.keys),
        };
        bool pf_missing = false;
        if (!pl.ports || !pl.tags || !pl.keys) {
            return false;
        }
        ob->wbs[bi].name = b_strdup(b, bname);
        ob->wbs[bi].ports = pl.ports;
        ob->wbs[bi].tags = pl.tags;
        ob->wbs[bi].keys = pl.keys;
        for (size_t pf = 0; pf < spec->n_pfs; pf++) {
            const struct spec_pf *sp = &spec->pfs[pf];
            if (!sp->bridge || strcmp(sp->bridge, bname)) {
                continue;
            }
            if (!host->pfs[pf].found) {
                pf_missing = true;
                continue;
            }
            want_pf_ports(b, spec, host, ovs, &ds[pf], pf, bi, &pl, ob);
            if (ds[pf].in_use_blocked) {
                keep_in_use_ports(b, ob, seen, &host->pfs[pf], pf, &pl);
            }
        }
        want_bond_ports(b, spec, host, bname, &pl);
        if (pf_missing && seen) {
            keep_owned_ports(b, seen, &pl);
        }
        ob->wbs[bi].n_ports = pl.n;
    }
    return !b->error;
}

/* Why vsdb refused the wanted ports (-EINVAL), as a blocker. */
static void
explain_invalid_want(struct builder *b, const struct vsdb_want *want,
                     const struct vsdb_state *ovs)
{
    for (size_t i = 0; i < want->n_bridges; i++) {
        const struct vsdb_want_bridge *wb = &want->bridges[i];
        for (size_t p = 0; p < wb->n_ports; p++) {
            const char *name = wb->ports[p];
            bool wanted_bridge = false;
            for (size_t o = 0; o < want->n_bridges; o++) {
                wanted_bridge |= !strcmp(want->bridges[o].name, name);
            }
            if (wanted_bridge || vsdb_state_bridge(ovs, name)) {
                add_blocker(b, -1, name,
                            "port %s cannot join bridge %s: it is the "
                            "local port of bridge %s",
                            name, wb->name, name);
                return;
            }
        }
    }
    add_blocker(b, -1, "ovsdb",
                "the wanted OVS ports are inconsistent (a port wanted "
                "twice)");
}

static const struct port_owner *
owner_of(const struct ovs_build *ob, const char *name)
{
    for (size_t i = 0; name && i < ob->n_owners; i++) {
        if (!strcmp(ob->owners[i].name, name)) {
            return &ob->owners[i];
        }
    }
    return NULL;
}

static const char *
value_or_unset(const char *value)
{
    return value ? value : "(unset)";
}

/* A key step: the key, and "old -> new" from the observed map. */
static void
key_step(struct plan_step *s, const struct vsdb_op *op,
         const struct vsdb_kv *kvs, size_t n)
{
    oa_copy_str(s->object, sizeof s->object, op->key);
    oa_copy_str(s->kv.key, sizeof s->kv.key, op->key);
    oa_copy_str(s->kv.value, sizeof s->kv.value, op->value);
    fmt_str(s->detail, sizeof s->detail, "%s -> %s",
            value_or_unset(vsdb_kv_get(kvs, n, op->key)),
            value_or_unset(op->value));
}

/* "100", or "none". */
static const char *
tag_text(bool has_tag, unsigned tag, char buf[16])
{
    if (!has_tag) {
        return "none";
    }
    fmt_str(buf, 16, "%u", tag);
    return buf;
}

/* A bridge or port step: its bridges and port, and what it does.
 * 'port' is the observed port of a set-port-tag. */
static void
port_step(struct plan_step *s, const struct vsdb_op *op,
          const struct vsdb_port *port)
{
    struct plan_port_args *a = &s->ovsport;
    char old[16], tag[16];

    oa_copy_str(a->bridge, sizeof a->bridge, op->bridge);
    oa_copy_str(a->from_bridge, sizeof a->from_bridge, op->from_bridge);
    oa_copy_str(a->port, sizeof a->port, op->port);
    a->has_tag = op->has_tag;
    a->tag = op->tag;
    oa_copy_str(a->from_port, sizeof a->from_port, op->from_port);
    oa_copy_str(a->key, sizeof a->key, op->port_key);
    oa_copy_str(s->object, sizeof s->object,
                op->type == VSDB_OP_ADD_BRIDGE ? op->bridge : op->port);
    switch (op->type) {
    case VSDB_OP_ADD_BRIDGE:
        oa_copy_str(s->detail, sizeof s->detail, "new bridge");
        break;
    case VSDB_OP_ADD_PORT:
        fmt_str(s->detail, sizeof s->detail, "to %s", op->bridge);
        break;
    case VSDB_OP_MOVE_PORT:
        fmt_str(s->detail, sizeof s->detail, "%s -> %s", op->from_bridge,
                op->bridge);
        break;
    case VSDB_OP_SET_PORT_TAG:
        fmt_str(s->detail, sizeof s->detail, "tag %s -> %s",
                tag_text(port && port->has_tag, port ? port->tag : 0, old),
                tag_text(op->has_tag, op->tag, tag));
        return;
    case VSDB_OP_RENAME_PORT:
        /* The netdev was renamed (udev, an operator): its port follows. */
        fmt_str(s->detail, sizeof s->detail, "%s -> %s", op->from_port,
                op->port);
        break;
    case VSDB_OP_SET_PORT_KEY:
        fmt_str(s->detail, sizeof s->detail, VSDB_PORT_KEY " %s",
                op->port_key);
        break;
    default:
        fmt_str(s->detail, sizeof s->detail, "from %s: ours, not wanted",
                op->bridge);
        return;
    }
    if (op->has_tag) {
        append_item(s->detail, sizeof s->detail, "tag %u", op->tag);
    }
}

static void
add_ovs_op_step(struct builder *b, const struct vsdb_op *op,
                const struct ovs_build *ob, const struct vsdb_state *ovs)
{
    static const enum plan_action actions[] = {
        [VSDB_OP_ADD_BRIDGE] = PLAN_OVS_ADD_BRIDGE,
        [VSDB_OP_ADD_PORT] = PLAN_OVS_ADD_PORT,
        [VSDB_OP_MOVE_PORT] = PLAN_OVS_MOVE_PORT,
        [VSDB_OP_DEL_PORT] = PLAN_OVS_DEL_PORT,
        [VSDB_OP_SET_PORT_TAG] = PLAN_OVS_SET_PORT_TAG,
        [VSDB_OP_SET_OTHER_CONFIG] = PLAN_OVS_SET_CONFIG,
        [VSDB_OP_DEL_OTHER_CONFIG] = PLAN_OVS_DEL_CONFIG,
        [VSDB_OP_SET_EXTERNAL_ID] = PLAN_OVS_SET_EXTERNAL_ID,
        [VSDB_OP_DEL_EXTERNAL_ID] = PLAN_OVS_DEL_EXTERNAL_ID,
        [VSDB_OP_RENAME_PORT] = PLAN_OVS_RENAME_PORT,
        [VSDB_OP_SET_PORT_KEY] = PLAN_OVS_SET_PORT_KEY,
    };
    const struct port_owner *owner = owner_of(ob, op->port);
    const struct vsdb_port *port = NULL;
    struct plan_step *s = add_step(
        b, actions[op->type], owner ? owner->pf : -1, owner ? owner->vf : -1);
    switch (op->type) {
    case VSDB_OP_ADD_BRIDGE:
    case VSDB_OP_ADD_PORT:
    case VSDB_OP_MOVE_PORT:
    case VSDB_OP_DEL_PORT:
    case VSDB_OP_SET_PORT_TAG:
    case VSDB_OP_RENAME_PORT:
    case VSDB_OP_SET_PORT_KEY:
        vsdb_state_port_bridge(ovs, op->port ? op->port : "", &port);
        port_step(s, op, port);
        if (op->type == VSDB_OP_ADD_PORT &&
            is_detached(b->plan, NULL, op->port)) {
            fmt_str(s->detail, sizeof s->detail,
                    "to %s again, after the eswitch change", op->bridge);
            if (op->has_tag) {
                append_item(s->detail, sizeof s->detail, "tag %u", op->tag);
            }
        }
        break;
    case VSDB_OP_SET_OTHER_CONFIG:
    case VSDB_OP_DEL_OTHER_CONFIG:
        key_step(s, op, ovs->other_config, ovs->n_other_config);
        break;
    case VSDB_OP_SET_EXTERNAL_ID:
    case VSDB_OP_DEL_EXTERNAL_ID:
        key_step(s, op, ovs->external_ids, ovs->n_external_ids);
        break;
    }
}

static void
add_pending_steps(struct builder *b, const struct spec *spec,
                  const struct ovs_build *ob, size_t bridge)
{
    for (size_t i = 0; i < ob->n_pending; i++) {
        const struct pending_port *pp = &ob->pending[i];
        if (pp->bridge != bridge) {
            continue;
        }
        const char *bname = spec->bridges[bridge].name;
        struct plan_step *s = add_step(b, PLAN_OVS_ADD_PORT, pp->pf, pp->vf);
        oa_copy_str(s->object, sizeof s->object, pp->object);
        oa_copy_str(s->ovsport.bridge, sizeof s->ovsport.bridge, bname);
        fmt_str(s->detail, sizeof s->detail, "to %s, after it appears", bname);
        if (pp->tag >= 0) {
            s->ovsport.has_tag = true;
            s->ovsport.tag = (unsigned)pp->tag;
            append_item(s->detail, sizeof s->detail, "tag %d", pp->tag);
        }
    }
}

/* The offload decision's facts, with every string copied into the plan
 * (the decision points into them, and may outlive 'host'). */
static void
decide_offload(struct builder *b, const struct spec *spec,
               const struct obs_host *host, const struct vsdb_state *ovs)
{
    struct vsdb_offload_facts facts = {
        .want_hw_offload = spec->ovs.hw_offload,
        .want_tc_policy = spec_tc_policy_name(spec->ovs.tc_policy),
        .db_hw_offload =
            b_strdup(b, vsdb_kv_get(ovs->other_config, ovs->n_other_config,
                                    VSDB_KEY_HW_OFFLOAD)),
        .db_tc_policy =
            b_strdup(b, vsdb_kv_get(ovs->other_config, ovs->n_other_config,
                                    VSDB_KEY_TC_POLICY)),
        .caught_up = ovs->cur_cfg >= ovs->next_cfg,
        .vswitchd_id = b_strdup(b, host->ovs.vswitchd_id),
        .record_id =
            b_strdup(b, vsdb_kv_get(ovs->external_ids, ovs->n_external_ids,
                                    VSDB_RECORD_VSWITCHD)),
        .record_latched =
            b_strdup(b, vsdb_kv_get(ovs->external_ids, ovs->n_external_ids,
                                    VSDB_RECORD_LATCHED)),
    };
    vsdb_offload_decide(&facts, &b->plan->offload);
    b->plan->has_offload = true;
}

/* The Open_vSwitch other_config the spec wants, in '*n'. NULL on
 * ENOMEM. */
static struct vsdb_want_key *
want_other_config(struct builder *b, const struct spec *spec, size_t *n)
{
    struct vsdb_want_key *oc = b_calloc(b, 3, sizeof *oc);
    if (!oc) {
        return NULL;
    }
    *n = 0;
    oc[(*n)++] = (struct vsdb_want_key){
        VSDB_KEY_HW_OFFLOAD, spec->ovs.hw_offload ? "true" : "false"};
    oc[(*n)++] = (struct vsdb_want_key){
        VSDB_KEY_TC_POLICY, spec_tc_policy_name(spec->ovs.tc_policy)};
    if (spec->ovs.max_idle_ms > 0) {
        char idle[16];
        fmt_str(idle, sizeof idle, "%u", spec->ovs.max_idle_ms);
        oc[(*n)++] =
            (struct vsdb_want_key){VSDB_KEY_MAX_IDLE, b_strdup(b, idle)};
    }
    return oc;
}

/* One step per op of the OVS transaction. vsdb orders its ops bridge by
 * bridge (in 'want' order), then the deletions and the keys: the pending
 * representors of a bridge go right after that bridge's own ops. */
static void
emit_ovs_ops(struct builder *b, const struct spec *spec,
             const struct vsdb_plan *vp, const struct ovs_build *ob,
             const struct vsdb_state *ovs)
{
    size_t o = 0;
    for (size_t bi = 0; bi < spec->n_bridges; bi++) {
        const char *bname = spec->bridges[bi].name;
        for (; o < vp->n_ops; o++) {
            const struct vsdb_op *op = &vp->ops[o];
            if ((op->type != VSDB_OP_ADD_BRIDGE &&
                 op->type != VSDB_OP_ADD_PORT &&
                 op->type != VSDB_OP_MOVE_PORT &&
                 op->type != VSDB_OP_RENAME_PORT &&
                 op->type != VSDB_OP_SET_PORT_KEY) ||
                strcmp(op->bridge, bname)) {
                break;
            }
            add_ovs_op_step(b, op, ob, ovs);
        }
        add_pending_steps(b, spec, ob, bi);
    }
    for (; o < vp->n_ops; o++) {
        add_ovs_op_step(b, &vp->ops[o], ob, ovs);
    }
}

/* Takes port 'name' of bridge 'bridge' out of the detach transaction's
 * want (so that transaction deletes it). */
static void
drop_from_detach(struct plan *plan, const char *bridge, const char *name)
{
    for (size_t i = 0; i < plan->detach_want.n_bridges; i++) {
        struct vsdb_want_bridge *wb =
            (struct vsdb_want_bridge *)&plan->detach_want.bridges[i];
        const char **ports = (const char **)wb->ports;
        if (strcmp(wb->name, bridge)) {
            continue;
        }
        for (size_t p = 0; p < wb->n_ports; p++) {
            if (!strcmp(ports[p], name)) {
                memmove(&ports[p], &ports[p + 1],
                        (wb->n_ports - p - 1) * sizeof *ports);
                wb->n_ports--;
                return;
            }
        }
    }
}

/* The ports of ours the OVS steps delete leave with the detach
 * transaction already. Else ovs-vswitchd reconfigures once more with them
 * listed, and a port whose netdev is gone (representors of VFs removed by
 * hand) costs it seconds each (reopened, its tc flows dumped), which ran
 * the detach's wait for vswitchd into its timeout (docs/performance.md). */
static void
detach_unwanted(struct builder *b, size_t first)
{
    for (size_t i = first; b->plan->has_detach && i < b->plan->n_steps; i++) {
        struct plan_step *s = &b->plan->steps[i];
        if (s->action == PLAN_OVS_DEL_PORT) {
            drop_from_detach(b->plan, s->ovsport.bridge, s->ovsport.port);
            append_item(s->detail, sizeof s->detail,
                        "with the detach transaction");
        }
    }
}

static int
plan_ovs(struct builder *b, const struct spec *spec,
         const struct obs_host *host, const struct pf_decision *ds)
{
    struct plan *plan = b->plan;
    const struct vsdb_state *ovs = host->ovs.state;
    struct ovs_build ob = {0};

    if (!host->ovs.connected || !ovs || !ovs->ready) {
        add_blocker(b, -1, "ovsdb", "OVSDB not reachable at %s",
                    spec->ovs.db ? spec->ovs.db : VSDB_DEFAULT_REMOTE);
        return 0;
    }
    /* From here on: OVS as the detach transaction leaves it. */
    ovs = state_after_detach(b, ovs);
    if (!ovs || !build_want_ports(b, spec, host, ovs, ds, &ob)) {
        return b->error ? b->error : -ENOMEM;
    }

    size_t n_oc = 0;
    struct vsdb_want_key *oc = want_other_config(b, spec, &n_oc);
    if (!oc) {
        return b->error;
    }
    decide_offload(b, spec, host, ovs);
    if (b->error) {
        return b->error;
    }

    plan->want.bridges = ob.wbs;
    plan->want.n_bridges = spec->n_bridges;
    plan->want.other_config = oc;
    plan->want.n_other_config = n_oc;
    plan->want.external_ids = plan->offload.record;
    plan->want.n_external_ids = plan->offload.n_record;

    struct vsdb_plan *vp = NULL;
    int r = vsdb_plan_compute(&plan->want, ovs, &vp);
    if (r == -EINVAL) {
        explain_invalid_want(b, &plan->want, ovs);
        return 0;
    } else if (r < 0) {
        return r;
    }

    size_t first = plan->n_steps;
    emit_ovs_ops(b, spec, vp, &ob, ovs);
    vsdb_plan_free(vp);
    plan->has_ovs = plan->n_steps > first;
    detach_unwanted(b, first);

    if (plan->offload.verdict == VSDB_OFFLOAD_RESTART_NEEDED) {
        struct plan_step *s = add_step(b, PLAN_RESTART_VSWITCHD, -1, -1);
        oa_copy_str(s->object, sizeof s->object, "ovs-vswitchd");
        oa_copy_str(s->detail, sizeof s->detail, plan->offload.reason);
    }
    return b->error;
}

/* ---- The host-wide stage ---------------------------------------------------- */

/* Spec bond values in the kernel's numbers (linux/if_bonding.h). */
static void
bond_args(const struct spec_bond *sb, struct plan_bond_args *a)
{
    static const int modes[] = {
        [SPEC_BOND_ACTIVE_BACKUP] = 1, /* BOND_MODE_ACTIVEBACKUP */
        [SPEC_BOND_BALANCE_XOR] = 2,   /* BOND_MODE_XOR */
        [SPEC_BOND_8023AD] = 4,        /* BOND_MODE_8023AD */
    };
    static const int hashes[] = {
        [SPEC_XMIT_HASH_UNSET] = -1,      [SPEC_XMIT_HASH_LAYER2] = 0,
        [SPEC_XMIT_HASH_LAYER3_4] = 1,    [SPEC_XMIT_HASH_LAYER2_3] = 2,
        [SPEC_XMIT_HASH_ENCAP2_3] = 3,    [SPEC_XMIT_HASH_ENCAP3_4] = 4,
        [SPEC_XMIT_HASH_VLAN_SRCMAC] = 5,
    };
    oa_copy_str(a->name, sizeof a->name, sb->name);
    a->mode = modes[sb->mode];
    a->miimon_ms = sb->miimon_ms;
    a->xmit_hash = hashes[sb->xmit_hash];
    a->lacp_rate = sb->lacp_rate == SPEC_LACP_RATE_UNSET
                       ? -1
                       : sb->lacp_rate == SPEC_LACP_RATE_FAST;
}

static int
bond_mode_of(const struct spec_bond *sb)
{
    struct plan_bond_args a;
    bond_args(sb, &a);
    return a.mode;
}

/* The options bond 'sb' is to have, in the kernel's numbers: an unset
 * one is the kernel's default (docs/spec.md); xmit_hash only in the
 * modes that hash, lacp_rate only in 802.3ad (-1: not compared). */
static void
bond_want_opts(const struct spec_bond *sb, struct plan_bond_args *a)
{
    bond_args(sb, a);
    if (sb->mode != SPEC_BOND_BALANCE_XOR && sb->mode != SPEC_BOND_8023AD) {
        a->xmit_hash = -1;
    } else if (a->xmit_hash < 0) {
        a->xmit_hash = 0; /* BOND_XMIT_POLICY_LAYER2 */
    }
    if (sb->mode != SPEC_BOND_8023AD) {
        a->lacp_rate = -1;
    } else if (a->lacp_rate < 0) {
        a->lacp_rate = 0; /* slow */
    }
}

/* Whether observed option 'have' (-1: not read) differs from 'want'
 * (-1: not compared). */
static bool
opt_differs(int have, int want)
{
    return have >= 0 && want >= 0 && have != want;
}

/* The agent's bond 'sb' in the spec's mode, with other options than the
 * spec's: one set-bond-options with those that differ, on the bond as it
 * is, members enslaved and in OVS: the kernel takes miimon and
 * xmit_hash_policy live; lacp_rate only on a bond that is down
 * (bond_options.c, BOND_OPTFLAG_IFDOWN, but not NOSLAVES): down, then
 * up again (true: the caller plans the set-link-up). */
static bool
plan_bond_options(struct builder *b, const struct spec_bond *sb,
                  const struct obs_bond *ob)
{
    struct plan_bond_args want;
    bond_want_opts(sb, &want);
    bool miimon = opt_differs(ob->miimon_ms, (int)want.miimon_ms);
    bool hash = opt_differs(ob->xmit_hash, want.xmit_hash);
    bool rate = opt_differs(ob->lacp_rate, want.lacp_rate);
    if (!miimon && !hash && !rate) {
        return false;
    }
    struct plan_step *s = add_step(b, PLAN_SET_BOND_OPTIONS, -1, -1);
    oa_copy_str(s->bond.name, sizeof s->bond.name, sb->name);
    oa_copy_str(s->object, sizeof s->object, sb->name);
    s->bond.mode = want.mode;
    s->bond.miimon_ms = miimon ? want.miimon_ms : 0;
    s->bond.xmit_hash = hash ? want.xmit_hash : -1;
    s->bond.lacp_rate = rate ? want.lacp_rate : -1;
    s->bond.down = rate && ob->up;

    char m[32] = "", h[48] = "", l[32] = "";
    if (miimon) {
        fmt_str(m, sizeof m, "miimon %d -> %u ms, ", ob->miimon_ms,
                want.miimon_ms);
    }
    if (hash) {
        const char *from = bond_xmit_hash_name(ob->xmit_hash);
        fmt_str(h, sizeof h, "xmit_hash_policy %s -> %s, ", from ? from : "?",
                bond_xmit_hash_name(want.xmit_hash));
    }
    if (rate) {
        fmt_str(l, sizeof l, "lacp_rate %s -> %s, ",
                ob->lacp_rate ? "fast" : "slow",
                want.lacp_rate ? "fast" : "slow");
    }
    fmt_str(s->detail, sizeof s->detail, "%s%s%s%s", m, h, l,
            s->bond.down ? "down and up again, members kept"
                         : "live, members kept");
    return s->bond.down;
}

/* Both member PFs are in switchdev and this plan changes neither's
 * eswitch nor VF count: the bond forms only after that (the order every
 * VF-LAG tool keeps), and their uplinks are the ones named now. */
static bool
bond_members_ready(const struct builder *b, const struct spec_bond *sb,
                   const struct obs_host *host)
{
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        const struct obs_pf *op = &host->pfs[sb->pfs[j]];
        if (!op->found || !op->has_eswitch ||
            op->eswitch_mode != DEVLINK_ESWITCH_MODE_SWITCHDEV) {
            return false;
        }
    }
    for (size_t i = 0; i < b->plan->n_steps; i++) {
        const struct plan_step *s = &b->plan->steps[i];
        bool member = s->pf >= 0 && ((size_t)s->pf == sb->pfs[0] ||
                                     (size_t)s->pf == sb->pfs[1]);
        if (member &&
            (s->action == PLAN_SET_ESWITCH || s->action == PLAN_SET_NUMVFS ||
             s->action == PLAN_SET_STEERING_MODE)) {
            return false;
        }
    }
    return true;
}

/* What keeps the agent from making bond 'sb': a link of its name it did
 * not create, a member's uplink enslaved elsewhere (but in another bond
 * of the agent's: plan_bond_leftovers releases it). It never fights
 * them. True when blocked. */
static bool
bond_blocked(struct builder *b, const struct spec_bond *sb,
             const struct obs_bond *ob, const struct obs_host *host)
{
    bool blocked = false;
    if (ob->exists && !ob->owned) {
        add_blocker(b, -1, sb->name,
                    "%s %s exists and was not created by the agent (no "
                    "\"offload-agent\" alias): NetworkManager's or made by "
                    "hand; the agent does not take it over: delete it or "
                    "name another bond in the spec",
                    ob->is_bond ? "bond" : "link", sb->name);
        return true;
    }
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        const struct obs_bond_member *m = &ob->members[j];
        if (m->found && m->master &&
            (!ob->exists || m->master != ob->ifindex) &&
            !host->pfs[sb->pfs[j]].uplink_bond[0]) {
            add_blocker(b, (int)sb->pfs[j], m->netdev,
                        "uplink %s is enslaved to %s %s, not to bond %s: "
                        "release it (ip link set %s nomaster) or drop the "
                        "bond from the spec",
                        m->netdev, m->master_is_bond ? "bond" : "link",
                        m->master_name[0] ? m->master_name : "?", sb->name,
                        m->netdev);
            blocked = true;
        }
    }
    return blocked;
}

/* A release step: uplink 'member' of PF 'pf' out of bond 'bond'. */
static void
step_release(struct builder *b, int pf, const char *bond, const char *member,
             const char *why)
{
    struct plan_step *s = add_step(b, PLAN_RELEASE, pf, -1);
    oa_copy_str(s->bond.name, sizeof s->bond.name, bond);
    oa_copy_str(s->bond.member, sizeof s->bond.member, member);
    oa_copy_str(s->object, sizeof s->object, member);
    fmt_str(s->detail, sizeof s->detail, "from %s: %s", bond, why);
}

/* The agent's bond 'sb' in another mode than the spec's: the kernel
 * changes a mode only on a bond that is down and has no members. Out
 * of OVS, members released, then set-bond (down, the spec's options);
 * the next round enslaves them again, sets it up and adds it back. */
static void
plan_bond_remake(struct builder *b, const struct spec_bond *sb,
                 const struct obs_host *host, const struct obs_bond *ob)
{
    step_detach(b, -1, -1, sb->name, host->ovs.state, "its mode changes");
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        if (ob->members[j].master == ob->ifindex) {
            step_release(b, (int)sb->pfs[j], sb->name, ob->members[j].netdev,
                         "its mode changes");
        }
    }
    struct plan_step *s = add_step(b, PLAN_SET_BOND, -1, -1);
    bond_args(sb, &s->bond);
    oa_copy_str(s->object, sizeof s->object, sb->name);
    fmt_str(s->detail, sizeof s->detail, "down, then %s, miimon %u ms",
            spec_bond_mode_name(sb->mode), sb->miimon_ms);
}

static bool
spec_has_bond(const struct spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_bonds; i++) {
        if (!strcmp(spec->bonds[i].name, name)) {
            return true;
        }
    }
    return false;
}

/* Uplinks in a bond of the agent's that the spec does not bond them into
 * (a PF dropped from its bond, a bond dropped from the spec): released,
 * so that each is its PF's own uplink again. A bond of the agent's that
 * no spec bond names is taken out of OVS first and deleted once its
 * members are out. Only bonds marked as the agent's are seen here. */
static void
plan_bond_leftovers(struct builder *b, const struct spec *spec,
                    const struct obs_host *host)
{
    for (size_t i = 0; i < host->n_pfs; i++) {
        const struct obs_pf *op = &host->pfs[i];
        const struct spec_bond *sb = spec_pf_bond(spec, i);
        const char *bond = op->uplink_bond;
        if (!bond[0] || (sb && !strcmp(sb->name, bond))) {
            continue;
        }
        bool dropped = !spec_has_bond(spec, bond);
        if (dropped && !is_detached(b->plan, NULL, bond)) {
            step_detach(b, -1, -1, bond, host->ovs.state,
                        "dropped from the spec");
        }
        step_release(b, (int)i, bond, op->netdev,
                     dropped ? "the bond is dropped from the spec"
                             : "the spec does not bond this PF into it");
    }
    for (size_t i = 0; i < host->n_pfs; i++) {
        const char *bond = host->pfs[i].uplink_bond;
        if (bond[0] && !spec_has_bond(spec, bond) &&
            !has_bond_step(b->plan, PLAN_DELETE_BOND, bond)) {
            struct plan_step *s = add_step(b, PLAN_DELETE_BOND, -1, -1);
            oa_copy_str(s->bond.name, sizeof s->bond.name, bond);
            oa_copy_str(s->object, sizeof s->object, bond);
            oa_copy_str(s->detail, sizeof s->detail,
                        "the agent's, dropped from the spec");
        }
    }
}

/* The agent's bonds that no spec bond names and that have no member
 * left (its members released by hand, then the bond dropped from the
 * spec: plan_bond_leftovers never sees it, as no uplink names it): out
 * of OVS, deleted. One with members is left to plan_bond_leftovers
 * (the spec's uplinks) or alone (links the spec does not name). */
static void
plan_bond_strays(struct builder *b, const struct obs_host *host)
{
    for (size_t i = 0; i < host->n_stray_bonds; i++) {
        const struct obs_stray_bond *sb = &host->stray_bonds[i];
        if (sb->n_members ||
            has_bond_step(b->plan, PLAN_DELETE_BOND, sb->name)) {
            continue;
        }
        if (!is_detached(b->plan, NULL, sb->name)) {
            step_detach(b, -1, -1, sb->name, host->ovs.state,
                        "dropped from the spec");
        }
        struct plan_step *s = add_step(b, PLAN_DELETE_BOND, -1, -1);
        oa_copy_str(s->bond.name, sizeof s->bond.name, sb->name);
        oa_copy_str(s->object, sizeof s->object, sb->name);
        oa_copy_str(s->detail, sizeof s->detail,
                    "the agent's, dropped from the spec, no member left");
    }
}

/* Bond 'i': create → enslave both uplinks (down first) → up, once both
 * PFs are switchdev; the VFs are bound in a later round, once it has
 * formed (decide_pf), and the OVS stage adds the bond as the port. */
static void
plan_bond(struct builder *b, const struct spec *spec,
          const struct obs_host *host, size_t i)
{
    const struct spec_bond *sb = &spec->bonds[i];
    const struct obs_bond *ob = i < host->n_bonds ? &host->bonds[i] : NULL;
    struct plan_step *s;

    if (!ob || bond_blocked(b, sb, ob, host) ||
        !bond_members_ready(b, sb, host)) {
        return;
    }
    if (ob->exists && ob->mode != bond_mode_of(sb)) {
        plan_bond_remake(b, sb, host, ob);
        return;
    }
    bool cycled = ob->exists && plan_bond_options(b, sb, ob);
    if (!ob->exists) {
        s = add_step(b, PLAN_CREATE_BOND, -1, -1);
        bond_args(sb, &s->bond);
        oa_copy_str(s->object, sizeof s->object, sb->name);
        fmt_str(s->detail, sizeof s->detail, "%s, miimon %u ms",
                spec_bond_mode_name(sb->mode), sb->miimon_ms);
    }
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        const struct obs_pf *op = &host->pfs[sb->pfs[j]];
        if (ob->exists && ob->members[j].master == ob->ifindex) {
            continue;
        }
        s = add_step(b, PLAN_ENSLAVE, -1, -1);
        bond_args(sb, &s->bond);
        oa_copy_str(s->bond.member, sizeof s->bond.member, op->netdev);
        oa_copy_str(s->object, sizeof s->object, op->netdev);
        fmt_str(s->detail, sizeof s->detail, "into %s", sb->name);
    }
    if (!ob->exists || !ob->up || cycled) {
        s = add_step(b, PLAN_SET_LINK_UP, -1, -1);
        oa_copy_str(s->link.netdev, sizeof s->link.netdev, sb->name);
        oa_copy_str(s->object, sizeof s->object, sb->name);
    } else if (!ob->carrier) {
        /* Reported, not repaired: a cable or the peer. */
        add_blocker(b, -1, sb->name,
                    "bond %s has no carrier (no member has link): the VFs "
                    "of its PFs are bound once it has",
                    sb->name);
    } else if (ob->lag.exposed && !lagstate_active(&ob->lag) &&
               ob->members[0].master == ob->ifindex &&
               ob->members[1].master == ob->ifindex) {
        /* The driver decides (its prerequisites, re-evaluated on each
         * change): waited for, the VFs held back meanwhile. */
        add_blocker(b, -1, sb->name,
                    "bond %s is formed but the driver's LAG is %s, not "
                    "active: the VFs of its PFs are bound once it is",
                    sb->name, ob->lag.state);
    }
}

/* After every PF's kernel steps, before OVS: what spans PFs. Today the
 * detach transaction, one OVS commit for the detach-port steps of all
 * PFs; cross-PF steps (bonds) go here too. */
static void
plan_host(struct builder *b, const struct spec *spec,
          const struct obs_host *host, const struct pf_decision *ds, size_t n)
{
    bool detached = false;
    (void)ds;
    (void)n;
    plan_bond_leftovers(b, spec, host);
    plan_bond_strays(b, host);
    for (size_t i = 0; i < spec->n_bonds; i++) {
        plan_bond(b, spec, host, i);
    }
    for (size_t i = 0; i < b->plan->n_steps && !detached; i++) {
        detached = b->plan->steps[i].action == PLAN_DETACH_PORT;
    }
    if (detached) {
        build_detach_want(b, host->ovs.state);
        b->plan->has_detach = true;
    }
}

/* ---- The plan -------------------------------------------------------------- */

static struct plan_step *
vdpa_step(void *b, enum plan_action action, int pf, int vf)
{
    return add_step(b, action, pf, vf);
}

static void
vdpa_blocker(void *b, int pf, const char *object, const char *msg)
{
    add_blocker(b, pf, object, "%s", msg);
}

int
plan_compute(const struct spec *spec, const struct obs_host *host,
             struct plan **out)
{
    *out = NULL;
    if (host->n_pfs != spec->n_pfs) {
        return -EINVAL;
    }
    struct builder b = {0};
    b.plan = calloc(1, sizeof *b.plan);
    b.st = calloc(1, sizeof *b.st);
    if (!b.plan || !b.st) {
        free(b.plan);
        free(b.st);
        return -ENOMEM;
    }
    b.plan->storage = b.st;

    /* Decide every PF, then emit: the host-wide stage and OVS see all
     * the decisions. */
    size_t n = spec->n_pfs;
    struct pf_decision *ds = calloc(n ? n : 1, sizeof *ds);
    int r = ds ? 0 : -ENOMEM;
    for (size_t i = 0; !r && i < n; i++) {
        r = decide_pf(spec, host, i, &ds[i]);
    }
    for (size_t i = 0; !r && i < n; i++) {
        emit_pf(&b, spec, host, (int)i, &ds[i]);
        r = b.error;
    }
    if (!r) {
        plan_host(&b, spec, host, ds, n);
        r = b.error;
    }
    if (!r) {
        r = plan_ovs(&b, spec, host, ds);
    }
    if (!r) {
        /* Last: after every other kernel step of the VFs' PFs. */
        struct plan_vdpa_sink sink = {&b, vdpa_step, vdpa_blocker};
        plan_vdpa(spec, host, b.plan, &sink);
        r = b.error;
    }
    for (size_t i = 0; ds && i < n; i++) {
        free(ds[i].vfs);
    }
    free(ds);
    if (r < 0) {
        plan_free(b.plan);
        return r;
    }
    *out = b.plan;
    return 0;
}

void
plan_free(struct plan *plan)
{
    if (!plan) {
        return;
    }
    free(plan->steps);
    free(plan->blockers);
    storage_free(plan->storage);
    free(plan);
}

bool
plan_step_is_record(const struct plan *plan, const struct plan_step *s)
{
    return s->action == PLAN_OVS_SET_EXTERNAL_ID && plan->has_offload &&
           plan->offload.verdict == VSDB_OFFLOAD_IN_EFFECT &&
           (!strcmp(s->kv.key, VSDB_RECORD_VSWITCHD) ||
            !strcmp(s->kv.key, VSDB_RECORD_LATCHED));
}

size_t
plan_n_unapplied(const struct plan *plan, const struct plan_step **first)
{
    size_t n = 0;
    if (first) {
        *first = NULL;
    }
    for (size_t i = 0; i < plan->n_steps; i++) {
        if (plan_step_is_record(plan, &plan->steps[i])) {
            continue;
        }
        if (!n++ && first) {
            *first = &plan->steps[i];
        }
    }
    return n;
}

bool
plan_is_converged(const struct plan *plan)
{
    return !plan_n_unapplied(plan, NULL) && !plan->n_blockers;
}

/* Puts port 'name' back into bridge 'bridge' of the detach transaction;
 * build_detach_want() sized each bridge for all its observed ports. */
static int
undetach(struct plan *plan, const char *bridge, const char *name)
{
    for (size_t i = 0; i < plan->detach_want.n_bridges; i++) {
        struct vsdb_want_bridge *wb =
            (struct vsdb_want_bridge *)&plan->detach_want.bridges[i];
        if (strcmp(wb->name, bridge)) {
            continue;
        }
        char *copy = storage_keep(plan->storage, strdup(name));
        if (!copy) {
            return -ENOMEM;
        }
        ((const char **)wb->ports)[wb->n_ports++] = copy;
        return 0;
    }
    return 0;
}

/* Whether step 's' adds back a port that a detach-port step of PF 'pf'
 * takes out. */
static bool
readds_detached(const struct plan *plan, const struct plan_step *s, int pf)
{
    for (size_t i = 0; s->action == PLAN_OVS_ADD_PORT && s->ovsport.port[0] &&
                       i < plan->n_steps;
         i++) {
        const struct plan_step *d = &plan->steps[i];
        if (d->action == PLAN_DETACH_PORT && d->pf == pf &&
            !strcmp(d->ovsport.port, s->ovsport.port)) {
            return true;
        }
    }
    return false;
}

int
plan_keep_attached(struct plan *plan, int pf)
{
    bool *drop = calloc(plan->n_steps ? plan->n_steps : 1, sizeof *drop);
    bool detach_left = false;
    size_t kept = 0;
    int r = drop ? 0 : -ENOMEM;

    for (size_t i = 0; !r && i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        drop[i] = readds_detached(plan, s, pf);
        if (s->action == PLAN_DETACH_PORT && s->pf == pf) {
            drop[i] = true;
            r = undetach(plan, s->ovsport.bridge, s->ovsport.port);
        }
    }
    for (size_t i = 0; !r && i < plan->n_steps; i++) {
        if (!drop[i]) {
            detach_left |= plan->steps[i].action == PLAN_DETACH_PORT;
            plan->steps[kept++] = plan->steps[i];
        }
    }
    if (!r) {
        plan->n_steps = kept;
        plan->has_detach = detach_left;
    }
    free(drop);
    return r;
}

const char *
plan_action_name(enum plan_action action)
{
    const struct step_type *type = step_type_of(action);
    return type ? type->name : "?";
}

const char *
plan_mac_via_name(enum plan_mac_via via)
{
    switch (via) {
    case PLAN_MAC_VIA_PORT_FN:
        return "port-function";
    case PLAN_MAC_VIA_PF:
        return "pf-vf-ndo";
    default:
        return NULL;
    }
}

const char *
plan_vlan_via_name(enum plan_vlan_via via)
{
    switch (via) {
    case PLAN_VLAN_VIA_OVS_TAG:
        return "ovs-tag";
    case PLAN_VLAN_VIA_PF:
        return "pf-vf-ndo";
    default:
        return NULL;
    }
}

bool
plan_action_is_ovs(enum plan_action action)
{
    const struct step_type *type = step_type_of(action);
    return type && type->ovs;
}
