/* agentctl apply's guard (guard.h): a spec generation that failed is
 * refused until the spec changes; a disruptive plan records the
 * last-known-good state first, checks health after (bounded), and puts
 * the host back when health does not come, or, with --confirm SECONDS,
 * when `agentctl confirm` does not come in time. */
#include "agentctl.h"

#include "crashj.h"
#include "engine.h"
#include "guard.h"
#include "obs.h"
#include "offload/spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* How long health may take to come back after a disruptive change. */
#define GUARD_HEALTH_MS 10000

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

static void
nap_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

int
agentctl_guard_open(const struct agentctl_opts *opts, struct agentctl_guard *g)
{
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX], why[256];

    memset(g, 0, sizeof *g);
    if (guard_path(opts->state_dir, GUARD_FAILED_FILE, g->failed_path,
                   sizeof g->failed_path) < 0 ||
        guard_path(opts->state_dir, GUARD_LKG_FILE, g->lkg_path,
                   sizeof g->lkg_path) < 0 ||
        guard_path(opts->state_dir, "confirm", g->confirm_path,
                   sizeof g->confirm_path) < 0) {
        fprintf(stderr, "agentctl: apply: state directory %s: name too long\n",
                opts->state_dir);
        return OA_EXIT_FAIL;
    }
    g->hash = guard_spec_hash(opts->spec, &err);
    if (!g->hash) {
        fprintf(stderr, "agentctl: apply: %s\n",
                oa_err_format(&err, text, sizeof text));
        return OA_EXIT_FAIL;
    }
    if (guard_failed_is(g->failed_path, g->hash, why, sizeof why)) {
        fprintf(stderr,
                "agentctl: apply: this spec (generation %016llx) was "
                "applied before and reverted: %s; change the spec to "
                "apply again\n",
                (unsigned long long)g->hash, why);
        return OA_EXIT_FAIL;
    }
    return OA_EXIT_OK;
}

int
agentctl_guard_before(struct agentctl_guard *g, struct hostio *io,
                      const struct spec *spec, const struct engine_opts *eo,
                      struct obs_host **seen)
{
    struct engine_opts dry = *eo;
    struct engine_result res;
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];
    int r = 0;

    *seen = NULL;
    dry.dry_run = true;
    dry.apply.on_step = NULL;
    if (agentctl_run_engine_on(io, spec, &dry, NULL, NULL, &res) < 0 ||
        !res.plan) {
        engine_result_clear(&res);
        return 0;
    }
    if (guard_disruptive(res.plan) &&
        guard_record(res.host, res.plan, NULL, &g->lkg) < 0) {
        r = -ENOMEM;
    }
    /* The apply plans its first round from this look: nothing but the
     * host itself changes in between (the state file written below). */
    *seen = res.host;
    res.host = NULL;
    engine_result_clear(&res);
    g->armed = r == 0 && g->lkg.n > 0;
    if (g->armed && guard_lkg_save(&g->lkg, g->hash, g->lkg_path, &err) < 0) {
        fprintf(stderr,
                "agentctl: apply: last-known-good state not kept: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
    return r;
}

/* Health, looked at until it comes or GUARD_HEALTH_MS passed; 'last' (may
 * be NULL) is the apply's own final look, taken after its last step, so
 * a host already healthy costs no look more. */
static bool
await_health(struct agentctl_guard *g, struct hostio *io,
             const struct spec *spec, const struct engine_opts *eo,
             const struct obs_host *last, char *why, size_t size)
{
    struct engine_opts dry = *eo;
    long long deadline = now_ms() + GUARD_HEALTH_MS;

    if (last && guard_healthy(&g->lkg, last, NULL, why, size)) {
        return true;
    }
    dry.dry_run = true;
    dry.apply.on_step = NULL;
    for (;;) {
        struct engine_result res;
        bool ok = false;
        char text[OA_ERR_FORMAT_MAX];
        if (agentctl_run_engine_on(io, spec, &dry, NULL, NULL, &res) < 0 ||
            !res.host) {
            snprintf(why, size, "cannot observe the host: %s",
                     oa_err_format(&res.err, text, sizeof text));
        } else {
            ok = guard_healthy(&g->lkg, res.host, NULL, why, size);
        }
        engine_result_clear(&res);
        if (ok || now_ms() >= deadline) {
            return ok;
        }
        nap_ms(250);
    }
}

/* --confirm: waits until `agentctl confirm` removes the file this apply
 * wrote, or the time is up. */
static bool
await_confirm(const struct agentctl_guard *g, unsigned seconds)
{
    long long deadline = now_ms() + seconds * 1000LL;
    FILE *f = fopen(g->confirm_path, "w");
    if (!f) {
        fprintf(stderr,
                "agentctl: apply: %s: %s: cannot wait for a "
                "confirmation\n",
                g->confirm_path, strerror(errno));
        return false;
    }
    fprintf(f, "%ld\n", (long)getpid());
    fclose(f);
    fprintf(stderr,
            "agentctl: apply: disruptive change made: run `agentctl "
            "confirm` within %u s to keep it, or it is reverted\n",
            seconds);
    while (now_ms() < deadline) {
        if (access(g->confirm_path, F_OK) < 0 && errno == ENOENT) {
            return true;
        }
        nap_ms(100);
    }
    unlink(g->confirm_path);
    return false;
}

int
agentctl_cmd_confirm(const struct agentctl_opts *opts, int argc, char *argv[])
{
    char path[4096];
    if (!agentctl_no_args("confirm", argc, argv)) {
        return OA_EXIT_FAIL;
    }
    if (guard_path(opts->state_dir, "confirm", path, sizeof path) < 0) {
        fprintf(stderr,
                "agentctl: confirm: state directory %s: name too "
                "long\n",
                opts->state_dir);
        return OA_EXIT_FAIL;
    }
    if (unlink(path) < 0) {
        fprintf(stderr,
                errno == ENOENT
                    ? "agentctl: confirm: no apply --confirm waits (%s)\n"
                    : "agentctl: confirm: %s: cannot remove it\n",
                path);
        return OA_EXIT_FAIL;
    }
    fprintf(stderr, "agentctl: confirm: the change is kept\n");
    return OA_EXIT_OK;
}

int
agentctl_guard_after(struct agentctl_guard *g, struct hostio *io,
                     struct spec *spec, const struct engine_opts *eo,
                     struct crashj *journal, unsigned confirm_s,
                     struct engine_result *res, int *r)
{
    char why[256];
    struct oa_err err;

    if (!g->armed) {
        return 0;
    }
    if (!await_health(g, io, spec, eo, res->host, why, sizeof why)) {
        fprintf(stderr,
                "agentctl: apply: health did not come back within "
                "%d ms: %s\n",
                GUARD_HEALTH_MS, why);
    } else if (confirm_s && !await_confirm(g, confirm_s)) {
        snprintf(why, sizeof why, "not confirmed within %u s", confirm_s);
        fprintf(stderr, "agentctl: apply: %s\n", why);
    } else {
        unlink(g->lkg_path);
        return 0; /* healthy (and confirmed): kept */
    }
    /* The spec bent to the last-known-good values: the report that
     * follows judges the host against what it was put back to. */
    guard_bend_spec(spec, &g->lkg);
    fprintf(stderr,
            "agentctl: apply: reverting to the last-known-good "
            "state (%s)\n",
            g->lkg_path);
    engine_result_clear(res);
    int rr = agentctl_run_engine_on(io, spec, eo, journal, NULL, res);
    if (guard_failed_save(g->failed_path, g->hash, why, &err) < 0) {
        char text[OA_ERR_FORMAT_MAX];
        fprintf(stderr, "agentctl: apply: failed generation not kept: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
    if (rr == 0) {
        oa_err_set(&res->err, -ECANCELED,
                   "reverted to the last-known-good state: %s", why);
    } else {
        char text[OA_ERR_FORMAT_MAX];
        oa_err_format(&res->err, text, sizeof text);
        oa_err_set(&res->err, rr,
                   "%s, and the revert to the last-known-good state "
                   "failed: %s",
                   why, text);
    }
    *r = res->err.code;
    return 1;
}

void
agentctl_guard_close(struct agentctl_guard *g)
{
    guard_lkg_clear(&g->lkg);
}
