/* plan-vdpa: see plan-vdpa.h. */
#include "plan-vdpa.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs-vdpa.h"
#include "obs.h"
#include "oa-common/str.h"
#include "offload/spec.h"

/* PF 'pf' has kernel steps in this plan: its VFs may change under them. */
static bool
pf_busy(const struct plan *plan, int pf)
{
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        if (s->pf == pf && !plan_action_is_ovs(s->action) &&
            s->action != PLAN_SET_LINK_UP && s->action != PLAN_DETACH_PORT) {
            return true;
        }
    }
    return false;
}

static void blocker(const struct plan_vdpa_sink *k, int pf, const char *object,
                    const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
blocker(const struct plan_vdpa_sink *k, int pf, const char *object,
        const char *fmt, ...)
{
    char msg[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(msg, sizeof msg, fmt, args);
    va_end(args);
    k->blocker(k->b, pf, object, msg);
}

static struct plan_step *
step(const struct plan_vdpa_sink *k, enum plan_action action, int pf, int vf,
     const struct plan_vdpa_args *a, const char *detail)
{
    struct plan_step *s = k->step(k->b, action, pf, vf);
    s->vdpa = *a;
    oa_copy_str(s->object, sizeof s->object, a->name);
    oa_copy_str(s->detail, sizeof s->detail, detail);
    return s;
}

/* What differs between the wanted device and 'd' that only re-creating
 * changes, for the detail; "" when nothing. */
static void
mismatch(const struct plan_vdpa_args *a, const struct obs_vdpa_dev *d,
         char *buf, size_t size)
{
    buf[0] = '\0';
    if (strcmp(a->mgmtdev, d->mgmtdev)) {
        snprintf(buf, size, "mgmtdev %s -> %s", d->mgmtdev, a->mgmtdev);
    } else if (a->has_mac && d->has_mac && memcmp(a->mac, d->mac, 6)) {
        snprintf(buf, size, "mac changed");
    } else if (a->mtu && d->has_mtu && a->mtu != d->mtu) {
        snprintf(buf, size, "mtu %u -> %u", d->mtu, a->mtu);
    } else if (a->max_vqp && d->has_max_vqp && a->max_vqp != d->max_vqp &&
               a->max_vqp != d->vqp_refused) {
        /* (Not for the value refused at its creation: it would only be
         * refused again, a re-create every round.) */
        snprintf(buf, size, "max_vqp %u -> %u", d->max_vqp, a->max_vqp);
    }
}

/* The device VF 'vf' of PF 'pf' should have, into 'a'; false (and a
 * blocker) when it cannot be said. */
static bool
wanted(const struct spec_pf *sp, const struct spec_vf *sv,
       const struct obs_pf *op, int pf, const struct plan_vdpa_sink *k,
       struct plan_vdpa_args *a)
{
    memset(a, 0, sizeof *a);
    spec_vdpa_name(sp, sv, a->name);
    oa_copy_str(a->driver, sizeof a->driver,
                spec_vdpa_driver_name(sv->vdpa.driver));
    a->has_mac = sv->has_mac;
    memcpy(a->mac, sv->mac, 6);
    a->max_vqp = sv->vdpa.max_vqp;
    a->mtu = sv->vdpa.mtu;
    if (sv->vdpa.mgmtdev[0]) {
        oa_copy_str(a->mgmtdev, sizeof a->mgmtdev, sv->vdpa.mgmtdev);
        return true;
    }
    const char *pci = sv->index < op->n_vfs ? op->vfs[sv->index].pci : "";
    if (!pci[0]) {
        blocker(k, pf, a->name,
                "a VF of %s is not a PCI function: give vdpa.mgmtdev for %s",
                sp->id, a->name);
        return false;
    }
    snprintf(a->mgmtdev, sizeof a->mgmtdev, "pci/%s", pci);
    return true;
}

/* A delete or re-bind of 'd' would tear it from whoever holds it: a
 * blocker unless the PF allows disruption ('allow'). */
static bool
held(const struct obs_vdpa_dev *d, bool allow, int pf,
     const struct plan_vdpa_sink *k)
{
    if (!d->in_use || allow) {
        return false;
    }
    blocker(k, pf, d->name,
            "vDPA device %s is in use: %s; set \"disruptive\": \"allow\" on "
            "the PF to proceed",
            d->name, d->holder);
    return true;
}

/* Whether a vdpa-new on a->mgmtdev needs its ethernet function off
 * first (a devlink instance with enable_eth on: mlx5), into '*eth' (NULL:
 * no; also when an earlier device of this plan on it has the step:
 * 'done', one flag per v->eths). False, with a blocker, when the create
 * cannot go ahead: the param could not be read, or the function's
 * netdev, which the reload removes, is in use and the PF does not allow
 * disruption. */
static bool
eth_check(const struct obs_vdpa *v, int pf, const struct plan_vdpa_args *a,
          bool allow, const bool *done, const struct plan_vdpa_sink *k,
          const struct obs_vdpa_eth **eth)
{
    const struct obs_vdpa_eth *e = obs_vdpa_find_eth(v, a->mgmtdev);
    *eth = NULL;
    if (!e || done[e - v->eths]) {
        return true;
    }
    if (e->error[0]) {
        blocker(k, pf, a->mgmtdev, "%s (for vDPA device %s)", e->error,
                a->name);
        return false;
    }
    if (!e->enabled && !e->unapplied) {
        return true;
    }
    if (e->in_use && !allow) {
        blocker(k, pf, a->mgmtdev,
                "vDPA device %s needs %s's enable_eth off and a reload, "
                "which remove its netdev, in use: %s; set \"disruptive\": "
                "\"allow\" on the PF to proceed",
                a->name, a->mgmtdev, e->holder);
        return false;
    }
    *eth = e;
    return true;
}

/* vdpa-disable-eth for 'e', before the vdpa-new of 'a'. */
static void
eth_step(const struct obs_vdpa *v, const struct obs_vdpa_eth *e, int pf,
         int vf, const struct plan_vdpa_args *a, bool *done,
         const struct plan_vdpa_sink *k)
{
    char why[160];
    oa_copy_str(why, sizeof why,
                e->unapplied ? "enable_eth false, not in effect: reload"
                             : "enable_eth true -> false, reload");
    if (e->netdev[0]) {
        snprintf(why + strlen(why), sizeof why - strlen(why),
                 "; removes netdev %s%s%.80s", e->netdev,
                 e->in_use ? ", disrupts: " : "", e->in_use ? e->holder : "");
    }
    struct plan_step *s = step(k, PLAN_VDPA_DISABLE_ETH, pf, vf, a, why);
    oa_copy_str(s->object, sizeof s->object, a->mgmtdev);
    oa_copy_str(s->vdpa.netdev, sizeof s->vdpa.netdev, e->netdev);
    done[e - v->eths] = true;
}

static void
plan_vf(const struct obs_vdpa *v, int pf, const struct spec_vf *sv,
        const struct plan_vdpa_args *a, bool allow, bool *eth_done,
        const struct plan_vdpa_sink *k)
{
    const struct obs_vdpa_dev *d = obs_vdpa_find(v, a->name);
    const struct obs_vdpa_eth *eth = NULL;
    bool loaded = sv->vdpa.driver == SPEC_VDPA_VHOST ? v->vhost_loaded
                                                     : v->virtio_loaded;
    char why[256] = "";
    if (!loaded) {
        blocker(k, pf, a->name,
                "driver %s is not loaded (modprobe %s): the device would "
                "stay unbound",
                a->driver, a->driver);
        return;
    }
    if (d) {
        mismatch(a, d, why, sizeof why);
        if (why[0] && !d->owned) {
            blocker(k, pf, a->name,
                    "vDPA device %s exists and was not created by the agent "
                    "(%s): delete it or give vdpa.name",
                    a->name, why);
            return;
        }
        if ((why[0] || strcmp(d->driver, a->driver)) &&
            held(d, allow, pf, k)) {
            return;
        }
    }
    if ((!d || why[0]) && !eth_check(v, pf, a, allow, eth_done, k, &eth)) {
        return; /* the create cannot go ahead: nothing deleted either */
    }
    if (d && why[0]) {
        step(k, PLAN_VDPA_DEL, pf, (int)sv->index, a, why);
        d = NULL;
    }
    if (!d) {
        if (eth) {
            eth_step(v, eth, pf, (int)sv->index, a, eth_done, k);
        }
        step(k, PLAN_VDPA_NEW, pf, (int)sv->index, a, a->mgmtdev);
    }
    if (!d || strcmp(d->driver, a->driver)) {
        snprintf(why, sizeof why, "%s -> %s",
                 d && d->driver[0] ? d->driver : "none", a->driver);
        step(k, PLAN_VDPA_BIND, pf, (int)sv->index, a, why);
    }
}

/* The name is one the spec asks for (on a PF that was found). */
static bool
name_wanted(const struct spec *spec, const char *name)
{
    char n[SPEC_VDPA_NAME_MAX];
    for (size_t i = 0; i < spec->n_pfs; i++) {
        for (size_t j = 0; j < spec->pfs[i].n_vfs; j++) {
            const struct spec_vf *sv = &spec->pfs[i].vfs[j];
            if (sv->vdpa.driver != SPEC_VDPA_NONE &&
                !spec_vdpa_name(&spec->pfs[i], sv, n) && !strcmp(n, name)) {
                return true;
            }
        }
    }
    return false;
}

void
plan_vdpa(const struct spec *spec, const struct obs_host *host,
          const struct plan *plan, const struct plan_vdpa_sink *k)
{
    const struct obs_vdpa *v = host->vdpa;
    if (!v) {
        return;
    }
    if (!v->available) {
        k->blocker(k->b, -1, "vdpa", v->error);
        return;
    }
    for (size_t i = 0; i < v->n_devs; i++) {
        const struct obs_vdpa_dev *d = &v->devs[i];
        if (d->owned && !name_wanted(spec, d->name) &&
            !held(d, false, -1, k)) {
            struct plan_vdpa_args a = {0};
            oa_copy_str(a.name, sizeof a.name, d->name);
            oa_copy_str(a.mgmtdev, sizeof a.mgmtdev, d->mgmtdev);
            step(k, PLAN_VDPA_DEL, -1, -1, &a, "not in the spec");
        }
    }
    bool *eth_done = calloc(v->n_eths ? v->n_eths : 1, sizeof *eth_done);
    if (!eth_done) {
        k->blocker(k->b, -1, "vdpa", "out of memory planning vDPA devices");
        return;
    }
    for (size_t i = 0; i < spec->n_pfs; i++) {
        const struct spec_pf *sp = &spec->pfs[i];
        const struct obs_pf *op = &host->pfs[i];
        if (!op->found || pf_busy(plan, (int)i)) {
            continue; /* not there, or its VFs change first */
        }
        for (size_t j = 0; j < sp->n_vfs; j++) {
            struct plan_vdpa_args a;
            const struct spec_vf *sv = &sp->vfs[j];
            if (sv->vdpa.driver != SPEC_VDPA_NONE &&
                wanted(sp, sv, op, (int)i, k, &a)) {
                plan_vf(v, (int)i, sv, &a,
                        sp->disruptive == SPEC_DISRUPTIVE_ALLOW, eth_done, k);
            }
        }
    }
    free(eth_done);
}
