/* engine: observe -> plan -> apply, in rounds, then the final observation
 * that verification and the report read. */
#include "engine.h"

#include "hostio.h"
#include "oa-common/str.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "vsdb.h"

#include <errno.h>
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
hostio_observe(void *aux, const struct spec *spec, long long ovs_timeout_ms,
               struct obs_host **out, struct oa_err *err)
{
    return obs_collect(aux, spec, ovs_timeout_ms, out, err);
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
           code == -EINTR;
}

/* Remembers the refusals of one apply of 'plan' (planned from 'host').
 * Not the switchdev refusal that the VFs-first fallback answers
 * ('fallback'): the next plan has that step too, later, and must try it;
 * nor the transient ones. */
static void
remember_refusals(struct engine_refusals *m, const struct obs_host *host,
                  const struct plan *plan, const struct apply_result *ar,
                  bool fallback)
{
    size_t n = ar->n_refused < APPLY_MAX_REFUSALS ? ar->n_refused
                                                  : APPLY_MAX_REFUSALS;
    for (size_t i = 0; i < n; i++) {
        const struct apply_refusal *f = &ar->refusals[i];
        if (f->step < 0 || (size_t)f->step >= plan->n_steps ||
            (fallback && f->switchdev_zero_vfs) ||
            refusal_is_transient(f->err.code)) {
            continue;
        }
        const struct plan_step *st = &plan->steps[f->step];
        if (step_is_pf_local(st, host->n_pfs)) {
            refusals_remember(m, st, &host->pfs[st->pf], &f->err);
        }
    }
}

/* Observes and plans once; remembered refusals become blockers.
 * '*raw' (may be NULL) is the fingerprint of the plan before that. */
static int
observe_and_plan(const struct engine_ops *ops, const struct spec *spec,
                 long long ovs_timeout_ms, enum obs_tristate zero_vfs,
                 struct engine_refusals *refusals, struct obs_host **hostp,
                 struct plan **planp, uint64_t *raw, struct oa_err *err)
{
    struct oa_err obs_err = {0};
    int r;

    *hostp = NULL;
    *planp = NULL;
    r = ops->observe(ops->aux, spec, ovs_timeout_ms, hostp, &obs_err);
    if (r < 0) {
        *hostp = NULL;
        take_err(err, &obs_err, r);
        oa_err_prefix(err, "observing the host");
        return r;
    }
    if (zero_vfs == OBS_NO) {
        (*hostp)->switchdev_zero_vfs = OBS_NO;
    }
    r = plan_compute(spec, *hostp, planp);
    if (r == 0) {
        if (raw) {
            *raw = plan_fingerprint(*planp);
        }
        r = block_refused(refusals, *hostp, *planp);
        if (r < 0) {
            plan_free(*planp);
        }
    }
    if (r < 0) {
        oa_err_set_errno(err, r, "planning");
        obs_free(*hostp);
        *hostp = NULL;
        *planp = NULL;
    }
    return r;
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

int
engine_reconcile(struct hostio *io, const struct spec *spec,
                 const struct engine_opts *opts, struct engine_result *res)
{
    struct engine_ops hostio_ops = engine_ops_hostio(io);
    const struct engine_ops *ops = opts->ops ? opts->ops : &hostio_ops;
    unsigned max_rounds = opts->max_rounds ? opts->max_rounds : 4;
    long long ovs_timeout_ms =
        opts->ovs_timeout_ms ? opts->ovs_timeout_ms : 5000;
    enum obs_tristate zero_vfs =
        opts->switchdev_zero_vfs ? *opts->switchdev_zero_vfs : OBS_UNKNOWN;
    long long start = vsdb_time_msec();
    struct obs_host *host = NULL;
    struct plan *plan = NULL;
    /* A refusal after progress (code 0: none) and the plan refused. */
    struct oa_err last_failure = {0};
    uint64_t failed_plan = 0, raw_plan = 0;
    /* Without the caller's memory, refusals count for these rounds. */
    struct engine_refusals local = {0};
    struct engine_refusals *refusals =
        opts->refusals ? opts->refusals : &local;
    int r;

    memset(res, 0, sizeof *res);
    if (ops->prepare) {
        struct oa_err err = {0};
        r = ops->prepare(ops->aux, spec, &err);
        if (r < 0) {
            take_err(&res->err, &err, r);
            res->elapsed_ms = vsdb_time_msec() - start;
            return r;
        }
    }

    for (;;) {
        struct apply_result ar;

        r = observe_and_plan(ops, spec, ovs_timeout_ms, zero_vfs, refusals,
                             &host, &plan, &raw_plan, &res->err);
        if (r < 0) {
            break;
        }
        if (opts->dry_run || !plan->n_steps || res->rounds >= max_rounds) {
            break;
        }
        if (last_failure.code && raw_plan == failed_plan) {
            /* Nothing the refusal changed would make it go another way. */
            break;
        }
        memset(&ar, 0, sizeof ar);
        r = ops->apply(ops->aux, spec, host, plan, &opts->apply, &ar);
        res->rounds++;
        res->steps_done += ar.n_done;
        bool fallback =
            r < 0 && ar.switchdev_refused_zero_vfs && zero_vfs != OBS_NO;
        remember_refusals(refusals, host, plan, &ar, fallback);
        if (fallback) {
            /* The kernel wants VFs before switchdev (older mlx5): plan
             * again with that order. */
            zero_vfs = OBS_NO;
            res->fallback_used = true;
            if (opts->switchdev_zero_vfs) {
                *opts->switchdev_zero_vfs = OBS_NO;
            }
            r = 0;
        } else if (r < 0 && ar.n_done > 0 && res->rounds < max_rounds) {
            /* Steps before the refused one changed the host (new VFs, a
             * mode): plan again from what is there now, which may take
             * another way (e.g. unbind the VFs that just appeared before
             * the eswitch changes). A refusal without progress ends it. */
            take_err(&last_failure, &ar.err, r);
            failed_plan = raw_plan;
            r = 0;
        } else if (r < 0) {
            struct oa_err ignored = {0};
            take_err(&res->err, &ar.err, r);
            /* Observe once more, so the report shows where it stopped. */
            obs_free(host);
            plan_free(plan);
            observe_and_plan(ops, spec, ovs_timeout_ms, zero_vfs, refusals,
                             &host, &plan, NULL, &ignored);
            break;
        }
        obs_free(host);
        plan_free(plan);
        host = NULL;
        plan = NULL;
    }

    res->host = host;
    res->plan = plan;
    if (r < 0) {
        /* res->err says it. */
    } else if (opts->dry_run) {
        res->converged = plan_is_converged(plan);
    } else if (plan_is_converged(plan)) {
        res->converged = true;
    } else if (last_failure.code) {
        /* Still not there after a refusal: that refusal is the reason. */
        res->err = last_failure;
        r = res->err.code;
    } else {
        r = describe_unconverged(plan, res->rounds, &res->err);
    }
    engine_refusals_clear(&local);
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
