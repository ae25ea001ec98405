/* engine: observe -> plan -> apply, in rounds, then the final observation
 * that verification and the report read. */
#include "engine.h"

#include "hostio.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "vsdb.h"

#include <errno.h>
#include <stdint.h>
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

/* Observes and plans once. */
static int
observe_and_plan(const struct engine_ops *ops, const struct spec *spec,
                 long long ovs_timeout_ms, enum obs_tristate zero_vfs,
                 struct obs_host **hostp, struct plan **planp,
                 struct oa_err *err)
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
    if (r < 0) {
        oa_err_set_errno(err, r, "planning");
        obs_free(*hostp);
        *hostp = NULL;
        *planp = NULL;
    }
    return r;
}

/* A fingerprint of what a plan would do (FNV-1a over its steps): the
 * same plan after a refusal would only be refused again. */
static uint64_t
plan_fingerprint(const struct plan *plan)
{
    uint64_t h = 14695981039346656037ULL;

    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *st = &plan->steps[i];
        const char *parts[] = {plan_action_name(st->action), st->object,
                               st->detail};
        for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
            for (const char *c = parts[k]; *c; c++) {
                h = (h ^ (unsigned char)*c) * 1099511628211ULL;
            }
            h = (h ^ 0xff) * 1099511628211ULL;
        }
    }
    return h;
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
    uint64_t failed_plan = 0;
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

        r = observe_and_plan(ops, spec, ovs_timeout_ms, zero_vfs, &host, &plan,
                             &res->err);
        if (r < 0) {
            break;
        }
        if (opts->dry_run || !plan->n_steps || res->rounds >= max_rounds) {
            break;
        }
        if (last_failure.code && plan_fingerprint(plan) == failed_plan) {
            /* Nothing the refusal changed would make it go another way. */
            break;
        }
        memset(&ar, 0, sizeof ar);
        r = ops->apply(ops->aux, spec, host, plan, &opts->apply, &ar);
        res->rounds++;
        res->steps_done += ar.n_done;
        if (r < 0 && ar.switchdev_refused_zero_vfs && zero_vfs != OBS_NO) {
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
            failed_plan = plan_fingerprint(plan);
            r = 0;
        } else if (r < 0) {
            struct oa_err ignored = {0};
            take_err(&res->err, &ar.err, r);
            /* Observe once more, so the report shows where it stopped. */
            obs_free(host);
            plan_free(plan);
            observe_and_plan(ops, spec, ovs_timeout_ms, zero_vfs, &host, &plan,
                             &ignored);
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
