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
#include <stdio.h>
#include <string.h>

/* Observes and plans once. */
static int
observe_and_plan(struct hostio *io, const struct spec *spec,
                 long long ovs_timeout_ms, enum obs_tristate zero_vfs,
                 struct obs_host **hostp, struct plan **planp, char *msg,
                 size_t size)
{
    char err[256] = "";
    int r;

    *hostp = NULL;
    *planp = NULL;
    r = obs_collect(io, spec, ovs_timeout_ms, hostp, err, sizeof err);
    if (r < 0) {
        snprintf(msg, size, "observing the host: %s",
                 err[0] ? err : strerror(-r));
        return r;
    }
    if (zero_vfs == OBS_NO) {
        (*hostp)->switchdev_zero_vfs = OBS_NO;
    }
    r = plan_compute(spec, *hostp, planp);
    if (r < 0) {
        snprintf(msg, size, "planning: %s", strerror(-r));
        obs_free(*hostp);
        *hostp = NULL;
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

/* Why a plan that applied cleanly still is not converged. */
static void
describe_unconverged(const struct plan *plan, unsigned rounds, char *msg,
                     size_t size)
{
    if (plan->n_blockers) {
        const struct plan_blocker *b = &plan->blockers[0];
        snprintf(msg, size, "%s: %s%s", b->object, b->message,
                 plan->n_blockers > 1 ? " (and more: see status)" : "");
    } else {
        snprintf(msg, size,
                 "not converged after %u rounds: %zu steps left, first: %s "
                 "%s",
                 rounds, plan->n_steps,
                 plan_action_name(plan->steps[0].action),
                 plan->steps[0].object);
    }
}

int
engine_reconcile(struct hostio *io, const struct spec *spec,
                 const struct engine_opts *opts, struct engine_result *res)
{
    unsigned max_rounds = opts->max_rounds ? opts->max_rounds : 4;
    long long ovs_timeout_ms =
        opts->ovs_timeout_ms ? opts->ovs_timeout_ms : 5000;
    enum obs_tristate zero_vfs =
        opts->switchdev_zero_vfs ? *opts->switchdev_zero_vfs : OBS_UNKNOWN;
    long long start = vsdb_time_msec();
    struct obs_host *host = NULL;
    struct plan *plan = NULL;
    char last_failure[sizeof res->message] = "";
    uint64_t failed_plan = 0;
    int r;

    memset(res, 0, sizeof *res);
    r = hostio_open_ovsdb(io, spec->ovs.db);
    if (r < 0) {
        snprintf(res->message, sizeof res->message,
                 "cannot use OVSDB remote %s: %s", spec->ovs.db, strerror(-r));
        res->error = r;
        res->elapsed_ms = vsdb_time_msec() - start;
        return r;
    }

    for (;;) {
        struct apply_result ar;
        char armsg[OA_ERR_FORMAT_MAX];

        r = observe_and_plan(io, spec, ovs_timeout_ms, zero_vfs, &host, &plan,
                             res->message, sizeof res->message);
        if (r < 0) {
            break;
        }
        if (opts->dry_run || !plan->n_steps || res->rounds >= max_rounds) {
            break;
        }
        if (last_failure[0] && plan_fingerprint(plan) == failed_plan) {
            /* Nothing the refusal changed would make it go another way. */
            break;
        }
        r = apply_run(io, spec, host, plan, &opts->apply, &ar);
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
            snprintf(last_failure, sizeof last_failure, "%s",
                     apply_result_message(&ar, armsg, sizeof armsg));
            failed_plan = plan_fingerprint(plan);
            r = 0;
        } else if (r < 0) {
            snprintf(res->message, sizeof res->message, "%s",
                     apply_result_message(&ar, armsg, sizeof armsg));
            /* Observe once more, so the report shows where it stopped. */
            obs_free(host);
            plan_free(plan);
            char ignored[sizeof res->message];
            if (observe_and_plan(io, spec, ovs_timeout_ms, zero_vfs, &host,
                                 &plan, ignored, sizeof ignored) < 0) {
                host = NULL;
                plan = NULL;
            }
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
        res->error = r;
    } else if (opts->dry_run) {
        res->converged = plan_is_converged(plan);
    } else if (plan_is_converged(plan)) {
        res->converged = true;
    } else if (last_failure[0]) {
        /* Still not there after a refusal: that refusal is the reason. */
        res->error = -EAGAIN;
        snprintf(res->message, sizeof res->message, "%s", last_failure);
        r = res->error;
    } else {
        res->error = -EAGAIN;
        describe_unconverged(plan, res->rounds, res->message,
                             sizeof res->message);
        r = res->error;
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
