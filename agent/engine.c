/* engine: observe -> plan -> apply, in rounds, then the final observation
 * that verification and the report read. */
#include "engine.h"

#include "hostio.h"
#include "oa-common/str.h"
#include "obs.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"
#include "plan.h"
#include "stats.h"
#include "vsdb.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The real host ---------------------------------------------------- */

static int
hostio_prepare(void *aux, const struct spec *spec, struct oa_err *err)
{
    const char *remote = spec->ovs.db ? spec->ovs.db : VSDB_DEFAULT_REMOTE;
    int r = hostio_open_ovsdb(aux, remote);
    return r < 0
               ? oa_err_set_errno(err, r, "cannot use OVSDB remote %s", remote)
               : 0;
}

static int
hostio_observe(void *aux, const struct spec *spec,
               const struct pfpin_store *pins, long long ovs_timeout_ms,
               struct obs_host **out, struct oa_err *err)
{
    return obs_collect_pinned(aux, spec, pins, ovs_timeout_ms, out, err);
}

static int
hostio_apply(void *aux, const struct spec *spec, const struct obs_host *host,
             const struct plan *plan, const struct apply_opts *opts,
             struct apply_result *res)
{
    return apply_run(aux, spec, host, plan, opts, res);
}

struct engine_ops
engine_ops_hostio(struct hostio *io)
{
    struct engine_ops ops = {
        .prepare = hostio_prepare,
        .observe = hostio_observe,
        .apply = hostio_apply,
        .aux = io,
    };
    return ops;
}

/* ---- Rounds ------------------------------------------------------------- */

/* Copies a lower layer's error 'src' for its return value 'r' into 'dst':
 * the code is r even where the layer forgot to set it. */
static int
take_err(struct oa_err *dst, const struct oa_err *src, int r)
{
    *dst = *src;
    dst->code = r;
    return r;
}

/* ---- Fingerprints (FNV-1a) --------------------------------------------- */

static uint64_t
fnv_bytes(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++) {
        h = (h ^ c[i]) * 1099511628211ULL;
    }
    return h;
}

/* A string and its end: "ab","c" and "a","bc" differ. */
static uint64_t
fnv_str(uint64_t h, const char *s)
{
    h = fnv_bytes(h, s, strlen(s));
    return (h ^ 0xff) * 1099511628211ULL;
}

static uint64_t
fnv_int(uint64_t h, long long v)
{
    return fnv_bytes(h, &v, sizeof v);
}

#define FNV_OFFSET 14695981039346656037ULL

/* One step as people see it: action, object, detail. */
static uint64_t
step_key(uint64_t h, const struct plan_step *st)
{
    h = fnv_str(h, plan_action_name(st->action));
    h = fnv_str(h, st->object);
    return fnv_str(h, st->detail);
}

/* What a plan would do: the same plan after a refusal would only be
 * refused again. */
static uint64_t
plan_fingerprint(const struct plan *plan)
{
    uint64_t h = FNV_OFFSET;
    for (size_t i = 0; i < plan->n_steps; i++) {
        h = step_key(h, &plan->steps[i]);
    }
    return h;
}

/* What the planner sees of one PF, without the tc rule counts (traffic
 * moves them; they change no step). */
static uint64_t
pf_print(const struct obs_pf *pf)
{
    uint64_t h = fnv_int(FNV_OFFSET, pf->found);
    h = fnv_str(h, pf->error);
    h = fnv_str(h, pf->netdev);
    h = fnv_int(h, pf->ifindex);
    h = fnv_int(h, pf->has_devlink);
    h = fnv_str(h, pf->devlink);
    h = fnv_str(h, pf->bus);
    h = fnv_str(h, pf->dev_name);
    h = fnv_int(h, pf->has_eswitch);
    h = fnv_int(h, pf->eswitch_mode);
    h = fnv_int(h, pf->has_inline_mode ? pf->inline_mode : -1);
    h = fnv_int(h, pf->has_encap_mode ? pf->encap_mode : -1);
    h = fnv_int(h, pf->num_vfs);
    h = fnv_int(h, pf->has_total_vfs ? (long long)pf->total_vfs : -1);
    h = fnv_int(h, pf->vfs_are_devices);
    h = fnv_int(h, pf->uplink_hw_tc_offload);
    h = fnv_int(h, pf->uplink_up);
    h = fnv_str(h, pf->has_steering ? pf->steering : "");
    /* New firmware is a new chance. The order is left out: a refusal
     * the other order hit too must block whichever the next plan takes. */
    h = fnv_str(h, pf->driver);
    h = fnv_str(h, pf->firmware);
    for (size_t k = 0; k < pf->n_vfs; k++) {
        const struct obs_vf *vf = &pf->vfs[k];
        h = fnv_int(h, vf->index);
        h = fnv_int(h, vf->has_info);
        h = fnv_bytes(h, vf->mac, sizeof vf->mac);
        h = fnv_int(h, vf->vlan);
        h = fnv_int(h, vf->trust);
        h = fnv_int(h, vf->spoofchk);
        h = fnv_str(h, vf->pci);
        h = fnv_str(h, vf->driver);
        h = fnv_int(h, vf->has_rep);
        h = fnv_str(h, vf->rep);
        h = fnv_int(h, vf->rep_ifindex);
        h = fnv_int(h, vf->rep_hw_tc_offload);
        h = fnv_int(h, vf->in_use);
        h = fnv_str(h, vf->holder);
        h = fnv_int(h, vf->rep_up);
        h = fnv_int(h, vf->has_fn_hw_addr);
        h = fnv_bytes(h, vf->fn_hw_addr, sizeof vf->fn_hw_addr);
    }
    return h;
}

/* ---- Refusals ----------------------------------------------------------- */

/* A kernel step of one PF: its refusal holds back only that PF (as in
 * apply_run()). */
static bool
step_is_pf_local(const struct plan_step *st, size_t n_pfs)
{
    return !plan_action_is_ovs(st->action) && st->action != PLAN_DETACH_PORT &&
           st->pf >= 0 && (size_t)st->pf < n_pfs;
}

void
engine_refusals_clear(struct engine_refusals *r)
{
    if (r) {
        free(r->v);
        r->v = NULL;
        r->n = 0;
    }
}

/* The host changed for a PF since its step was refused: try it again. */
static void
refusals_forget_changed(struct engine_refusals *m, const struct obs_host *host)
{
    size_t kept = 0;
    for (size_t i = 0; i < m->n; i++) {
        const struct engine_refusal *e = &m->v[i];
        if ((size_t)e->pf < host->n_pfs &&
            pf_print(&host->pfs[e->pf]) == e->pf_print) {
            m->v[kept++] = *e;
        }
    }
    m->n = kept;
}

/* Remembers that 'st', planned from 'pf', was refused with 'err'. Out of
 * memory, it is not remembered (and tried again). */
static void
refusals_remember(struct engine_refusals *m, const struct plan_step *st,
                  const struct obs_pf *pf, const struct oa_err *err)
{
    struct engine_refusal *e = NULL;
    for (size_t i = 0; i < m->n && !e; i++) {
        e = m->v[i].pf == st->pf ? &m->v[i] : NULL;
    }
    if (!e) {
        struct engine_refusal *v = realloc(m->v, (m->n + 1) * sizeof *v);
        if (!v) {
            return;
        }
        m->v = v;
        e = &m->v[m->n++];
    }
    memset(e, 0, sizeof *e);
    e->pf = st->pf;
    e->step_key = step_key(FNV_OFFSET, st);
    e->pf_print = pf_print(pf);
    oa_copy_str(e->action, sizeof e->action, plan_action_name(st->action));
    oa_copy_str(e->object, sizeof e->object, st->object);
    e->err = *err;
}

/* "<action> <object> refused: <why>", the why without apply's
 * "<action> <object>: " in front. */
static void
refusal_message(const struct engine_refusal *e, char *buf, size_t size)
{
    char text[OA_ERR_FORMAT_MAX], prefix[160];
    const char *why = oa_err_format(&e->err, text, sizeof text);
    int n = snprintf(prefix, sizeof prefix, "%s %s: ", e->action, e->object);
    if (n > 0 && (size_t)n < sizeof prefix &&
        !strncmp(why, prefix, (size_t)n)) {
        why += n;
    }
    n = snprintf(buf, size, "%s %s refused: %s", e->action, e->object, why);
    (void)n; /* truncated: still says which step */
}

/* Turns the remembered refusal 'e' into a blocker of 'plan' when the plan
 * has its step again: the step and the PF's other kernel steps go (they
 * build on it, and with the PF unchanged the earlier ones did nothing),
 * and so do the ports to attach of representors that PF would create. */
static int
block_refusal(struct plan *plan, const struct engine_refusal *e, size_t n_pfs)
{
    size_t at = plan->n_steps, kept = 0;
    for (size_t i = 0; i < plan->n_steps && at == plan->n_steps; i++) {
        const struct plan_step *st = &plan->steps[i];
        if (st->pf == e->pf && step_is_pf_local(st, n_pfs) &&
            step_key(FNV_OFFSET, st) == e->step_key) {
            at = i;
        }
    }
    if (at == plan->n_steps) {
        return 0; /* the plan goes another way now */
    }
    struct plan_blocker *b =
        realloc(plan->blockers, (plan->n_blockers + 1) * sizeof *b);
    if (!b) {
        return -ENOMEM;
    }
    plan->blockers = b;
    b = &plan->blockers[plan->n_blockers++];
    memset(b, 0, sizeof *b);
    b->pf = e->pf;
    oa_copy_str(b->object, sizeof b->object, e->object);
    refusal_message(e, b->message, sizeof b->message);
    /* Nothing changes the PF's eswitch now: its ports stay in OVS. */
    if (plan_keep_attached(plan, e->pf)) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *st = &plan->steps[i];
        bool pending_port = st->action == PLAN_OVS_ADD_PORT &&
                            st->pf == e->pf && !st->ovsport.port[0];
        if (!pending_port &&
            !(st->pf == e->pf && step_is_pf_local(st, n_pfs))) {
            plan->steps[kept++] = *st;
        }
    }
    plan->n_steps = kept;
    return 0;
}

/* Every remembered refusal whose PF looks as it did then, as a blocker. */
static int
block_refused(struct engine_refusals *m, const struct obs_host *host,
              struct plan *plan)
{
    refusals_forget_changed(m, host);
    for (size_t i = 0; i < m->n; i++) {
        int r = block_refusal(plan, &m->v[i], host->n_pfs);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

/* "Not now" rather than "no": the same step may pass later without the
 * PF looking any different (an eswitch busy with offloaded flows, a
 * representor slow to appear): retried, with the daemon's backoff. */
static bool
refusal_is_transient(int code)
{
    return code == -EBUSY || code == -EAGAIN || code == -ETIMEDOUT ||
           code == -EINTR || code == -ECANCELED;
}

/* ---- One reconcile's state --------------------------------------------- */

/* A PF's eswitch order in this reconcile (plan.h defines the orders). */
struct pf_order {
    bool fallback; /* planned in 'order' after the other's refusal */
    enum obs_order order;
    unsigned refused;  /* 1 << order, for each order refused */
    struct oa_err why; /* the refusal that made it fall back */
    /* The last applied plan took the PF, not in switchdev, towards it in
     * 'pending_order': learned when the next look finds it there. */
    bool pending;
    enum obs_order pending_order;
};

struct run {
    const struct engine_ops *ops;
    const struct spec *spec;
    const struct engine_opts *opts;
    struct engine_result *res;
    long long ovs_timeout_ms;
    unsigned max_rounds;
    /* The caller's memory of refusals, or 'local' (these rounds only). */
    struct engine_refusals *refusals, local;
    struct pf_order *pfs;  /* spec->n_pfs */
    struct obs_host *seen; /* owned: the first round's look, or NULL */
    struct obs_host *host;
    struct plan *plan;
    uint64_t raw_plan; /* the plan's fingerprint before refusals blocked */
    /* A refusal after progress (code 0: none) and the plan refused. */
    struct oa_err last_failure;
    uint64_t failed_plan;
};

/* Each PF's order, into the observation the planner reads: the fallback
 * of this reconcile, else what was learned of the device, else the
 * default (switchdev-first). */
static void
set_orders(const struct run *run, struct obs_host *host)
{
    for (size_t i = 0; i < host->n_pfs && i < run->spec->n_pfs; i++) {
        struct obs_pf *pf = &host->pfs[i];
        const struct pf_order *po = &run->pfs[i];
        struct order_key key;
        enum obs_order learned;

        if (po->fallback) {
            pf->order = po->order;
            pf->order_source = OBS_ORDER_FALLBACK;
            oa_err_format(&po->why, pf->order_refusal,
                          sizeof pf->order_refusal);
        } else if (run->opts->orders && !order_key_of(pf, &key) &&
                   order_lookup(run->opts->orders, &key, &learned)) {
            pf->order = learned;
            pf->order_source = OBS_ORDER_LEARNED;
        }
    }
}

static bool
wants_switchdev(const struct run *run, size_t i)
{
    return run->spec->pfs[i].eswitch == SPEC_ESWITCH_SWITCHDEV;
}

static bool
in_switchdev(const struct obs_pf *pf)
{
    return pf->found && pf->has_eswitch &&
           pf->eswitch_mode == DEVLINK_ESWITCH_MODE_SWITCHDEV;
}

/* Before an apply: which PFs it takes towards switchdev, in which order. */
static void
note_pending(struct run *run)
{
    for (size_t i = 0; i < run->host->n_pfs; i++) {
        const struct obs_pf *pf = &run->host->pfs[i];
        run->pfs[i].pending =
            wants_switchdev(run, i) && pf->found && pf->has_eswitch &&
            pf->eswitch_mode != DEVLINK_ESWITCH_MODE_SWITCHDEV;
        run->pfs[i].pending_order = pf->order;
    }
}

/* After an apply, in the next look: a PF that got to switchdev teaches
 * the order that took it there. Every time, not only when it is not the
 * default: the entry then also says the default was tried and worked on
 * this firmware, and replaces a stale vfs-first. Out of memory, it is
 * learned another time. */
static void
learn_orders(struct run *run, const struct obs_host *host)
{
    for (size_t i = 0; i < host->n_pfs; i++) {
        struct pf_order *po = &run->pfs[i];
        struct order_key key;
        if (po->pending && run->opts->orders && in_switchdev(&host->pfs[i]) &&
            !order_key_of(&host->pfs[i], &key) &&
            order_record(run->opts->orders, &key, po->pending_order) > 0) {
            run->res->orders_changed++;
        }
        po->pending = false;
    }
}

/* A refused switchdev that the other order may get past: the PF is
 * planned in that order next (returns true). Not when that order was
 * refused too, or when the PF was planned in it and still reached the
 * mode change in this one (0 VFs wanted: the orders are the same), nor
 * for a transient refusal. */
static bool
take_fallback(struct run *run, const struct apply_refusal *f)
{
    if (!f->switchdev || refusal_is_transient(f->err.code) || f->pf < 0 ||
        (size_t)f->pf >= run->spec->n_pfs) {
        return false; /* "busy" is not "not in this order" */
    }
    struct pf_order *po = &run->pfs[f->pf];
    enum obs_order other = f->order == OBS_ORDER_SWITCHDEV_FIRST
                               ? OBS_ORDER_VFS_FIRST
                               : OBS_ORDER_SWITCHDEV_FIRST;
    po->refused |= 1u << f->order;
    if (po->refused & (1u << other) || run->host->pfs[f->pf].order == other) {
        return false;
    }
    po->fallback = true;
    po->order = other;
    po->why = f->err;
    return true;
}

/* The refusals of one apply of run->plan: each switchdev refusal the
 * other order may get past makes its PF fall back (returns whether one
 * did); every other refusal is remembered, but for the transient ones. */
static bool
handle_refusals(struct run *run, const struct apply_result *ar)
{
    size_t n = ar->n_refused < APPLY_MAX_REFUSALS ? ar->n_refused
                                                  : APPLY_MAX_REFUSALS;
    bool fallback = false;
    for (size_t i = 0; i < n; i++) {
        const struct apply_refusal *f = &ar->refusals[i];
        if (f->step < 0 || (size_t)f->step >= run->plan->n_steps) {
            continue;
        }
        if (take_fallback(run, f)) {
            /* Not remembered: the next plan has this step too, in the
             * other order, and must try it. */
            fallback = true;
            continue;
        }
        const struct plan_step *st = &run->plan->steps[f->step];
        if (!refusal_is_transient(f->err.code) &&
            step_is_pf_local(st, run->host->n_pfs)) {
            refusals_remember(run->refusals, st, &run->host->pfs[st->pf],
                              &f->err);
        }
    }
    return fallback;
}

/* Observes and plans once into run->host and run->plan: what the last
 * apply taught is learned, each PF gets its order, remembered refusals
 * become blockers. '*raw' (may be NULL) is the fingerprint of the plan
 * before that. */
static int
observe_and_plan(struct run *run, uint64_t *raw, struct oa_err *err)
{
    const struct engine_ops *ops = run->ops;
    struct oa_err obs_err = {0};
    int r;

    run->host = NULL;
    run->plan = NULL;
    uint64_t t0 = stats_now_us();
    if (run->seen) {
        /* The caller's look (engine_reconcile_from()): the first round's. */
        run->host = run->seen;
        run->seen = NULL;
        r = 0;
    } else {
        stats_inc(STATS_OBSERVATIONS);
        r = ops->observe(ops->aux, run->spec, run->opts->pins,
                         run->ovs_timeout_ms, &run->host, &obs_err);
        stats_add(STATS_TIME_OBSERVE_US, stats_now_us() - t0);
    }
    if (r < 0) {
        run->host = NULL;
        take_err(err, &obs_err, r);
        oa_err_prefix(err, "observing the host");
        return r;
    }
    if (run->opts->pins) {
        /* Out of memory, the PF is pinned another time. */
        (void)pfpin_update(run->opts->pins, run->spec, run->host);
    }
    learn_orders(run, run->host);
    set_orders(run, run->host);
    t0 = stats_now_us();
    r = plan_compute(run->spec, run->host, &run->plan);
    stats_add(STATS_TIME_PLAN_US, stats_now_us() - t0);
    if (r == 0) {
        if (raw) {
            *raw = plan_fingerprint(run->plan);
        }
        r = block_refused(run->refusals, run->host, run->plan);
    }
    if (r < 0) {
        oa_err_set_errno(err, r, "planning");
        plan_free(run->plan);
        obs_free(run->host);
        run->host = NULL;
        run->plan = NULL;
    }
    return r;
}

static void
drop_round(struct run *run)
{
    obs_free(run->host);
    plan_free(run->plan);
    run->host = NULL;
    run->plan = NULL;
}

/* Applies run->plan. 0: plan again (it went through; an order was
 * refused and its PF falls back; or a refusal after progress, which may
 * go another way from there). Else the refusal that ends the reconcile
 * (in res->err). */
static int
apply_round(struct run *run)
{
    struct engine_result *res = run->res;
    struct apply_result ar;

    memset(&ar, 0, sizeof ar);
    note_pending(run);
    int r = run->ops->apply(run->ops->aux, run->spec, run->host, run->plan,
                            &run->opts->apply, &ar);
    res->rounds++;
    res->steps_done += ar.n_done;
    if (r == 0) {
        return 0;
    }
    if (r == -ECANCELED) {
        /* Not a refusal: the daemon stops, or a new spec came. */
        return take_err(&res->err, &ar.err, r);
    }
    if (handle_refusals(run, &ar)) {
        res->fallback_used = true;
        return 0;
    }
    if (ar.n_done > 0 && res->rounds < run->max_rounds) {
        /* Steps before the refused one changed the host (new VFs, a
         * mode): plan again from what is there now, which may take
         * another way (e.g. unbind the VFs that just appeared before
         * the eswitch changes). A refusal without progress ends it. */
        take_err(&run->last_failure, &ar.err, r);
        run->failed_plan = run->raw_plan;
        return 0;
    }
    return take_err(&res->err, &ar.err, r);
}

/* Why a plan that applied cleanly still is not converged: -EAGAIN. */
static int
describe_unconverged(const struct plan *plan, unsigned rounds,
                     struct oa_err *err)
{
    if (plan->n_blockers) {
        const struct plan_blocker *b = &plan->blockers[0];
        return oa_err_set(err, -EAGAIN, "%s: %s%s", b->object, b->message,
                          plan->n_blockers > 1 ? " (and more: see status)"
                                               : "");
    }
    return oa_err_set(err, -EAGAIN,
                      "not converged after %u rounds: %zu steps left, "
                      "first: %s %s",
                      rounds, plan->n_steps,
                      plan_action_name(plan->steps[0].action),
                      plan->steps[0].object);
}

/* The rounds: observe, plan, apply, until nothing is left to apply. */
static int
run_rounds(struct run *run)
{
    struct engine_result *res = run->res;
    int r;

    for (;;) {
        r = observe_and_plan(run, &run->raw_plan, &res->err);
        if (r < 0 || run->opts->dry_run || !run->plan->n_steps ||
            res->rounds >= run->max_rounds) {
            return r;
        }
        if (run->last_failure.code && run->raw_plan == run->failed_plan) {
            /* Nothing the refusal changed would make it go another way. */
            return 0;
        }
        r = apply_round(run);
        drop_round(run);
        if (r == -ECANCELED) {
            return r; /* nothing more to wait for: no look either */
        }
        if (r < 0) {
            /* Observe once more, so the report shows where it stopped. */
            struct oa_err ignored = {0};
            observe_and_plan(run, NULL, &ignored);
            return r;
        }
    }
}

/* What the rounds came to, in res: converged, or why not. */
static int
run_outcome(struct run *run, int r)
{
    struct engine_result *res = run->res;

    res->host = run->host;
    res->plan = run->plan;
    if (r < 0) {
        return r; /* res->err says it */
    }
    if (run->opts->dry_run) {
        res->converged = plan_is_converged(run->plan);
        return 0;
    }
    if (plan_is_converged(run->plan)) {
        res->converged = true;
        return 0;
    }
    if (run->last_failure.code) {
        /* Still not there after a refusal: that refusal is the reason. */
        res->err = run->last_failure;
        return res->err.code;
    }
    return describe_unconverged(run->plan, res->rounds, &res->err);
}

int
engine_reconcile(struct hostio *io, const struct spec *spec,
                 const struct engine_opts *opts, struct engine_result *res)
{
    return engine_reconcile_from(io, spec, opts, NULL, res);
}

int
engine_reconcile_from(struct hostio *io, const struct spec *spec,
                      const struct engine_opts *opts, struct obs_host *seen,
                      struct engine_result *res)
{
    struct engine_ops hostio_ops = engine_ops_hostio(io);
    long long start = vsdb_time_msec();
    struct run run = {
        .ops = opts->ops ? opts->ops : &hostio_ops,
        .spec = spec,
        .opts = opts,
        .seen = seen,
        .res = res,
        .ovs_timeout_ms = opts->ovs_timeout_ms ? opts->ovs_timeout_ms : 5000,
        .max_rounds = opts->max_rounds ? opts->max_rounds : 4,
    };
    int r = 0;

    memset(res, 0, sizeof *res);
    run.refusals = opts->refusals ? opts->refusals : &run.local;
    run.pfs = calloc(spec->n_pfs ? spec->n_pfs : 1, sizeof *run.pfs);
    if (!run.pfs) {
        r = oa_err_set_errno(&res->err, -ENOMEM, "engine");
    } else if (run.ops->prepare) {
        struct oa_err err = {0};
        r = run.ops->prepare(run.ops->aux, spec, &err);
        if (r < 0) {
            take_err(&res->err, &err, r);
        }
    }
    if (r == 0) {
        r = run_outcome(&run, run_rounds(&run));
    }
    obs_free(run.seen); /* not used: prepare failed */
    engine_refusals_clear(&run.local);
    free(run.pfs);
    res->elapsed_ms = vsdb_time_msec() - start;
    return r;
}

void
engine_result_clear(struct engine_result *res)
{
    if (res) {
        obs_free(res->host);
        plan_free(res->plan);
        res->host = NULL;
        res->plan = NULL;
    }
}
