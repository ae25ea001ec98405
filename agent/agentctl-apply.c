/* agentctl apply [--json]: one reconcile without the daemon (the same
 * engine, with the eswitch orders learned before, saving what it learns),
 * then the verification report (docs/cli.md). What a crashed run left in
 * the crash journal (crashj.h) is undone first, and this run journals its
 * own temporary states. */
#include "agentctl.h"

#include "crashj.h"
#include "ctl.h"
#include "oa-common/err.h"
#include "engine.h"
#include "hostio.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"
#include "plan.h"
#include "report.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Progress on stderr, one line a step: stdout stays the report (JSON
 * with --json). */
static void
print_step(const struct plan_step *step, int r, const char *msg, void *aux)
{
    (void)aux;
    stats_count_step(plan_action_name(step->action), r, msg);
    fprintf(stderr, "  %s %s%s%s ... ", plan_action_name(step->action),
            step->object, step->detail[0] ? ": " : "", step->detail);
    if (r < 0) {
        /* apply_result_message(): what failed, why, the kernel's words. */
        fprintf(stderr, "failed: %s\n", msg ? msg : "");
    } else if (msg && !strncmp(msg, "skipped", 7)) {
        fprintf(stderr, "%s\n", msg);
    } else if (msg && msg[0]) {
        fprintf(stderr, "ok (%s)\n", msg);
    } else {
        fprintf(stderr, "ok\n");
    }
}

/* --confirm SECONDS: 1 to 86400. */
static bool
parse_seconds(const char *text, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(text, &end, 10);
    if (!*text || *end || v < 1 || v > 86400) {
        fprintf(stderr,
                "agentctl: apply: --confirm %s: not a number of "
                "seconds (1 to 86400)\n",
                text);
        return false;
    }
    *out = (unsigned)v;
    return true;
}

static void
print_recovered(void *aux, const struct crashj_entry *e, int r,
                const char *what)
{
    (void)aux;
    fprintf(stderr,
            "agentctl: apply: a run that did not finish left %s %s%s%s: ",
            e->kind, e->object, e->detail[0] ? " " : "", e->detail);
    if (r < 0) {
        fprintf(stderr, "could not be undone: %s (kept for the next run)\n",
                strerror(-r));
    } else {
        fprintf(stderr, "%s\n", what);
    }
}

/* Opens the crash journal of the state directory and undoes what a run
 * killed half-way left. Without a usable file the run is not journalled
 * (said once). */
static void
recover_journal(const struct agentctl_opts *opts, struct crashj *j)
{
    char path[4096];
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];

    if (crashj_path(opts->state_dir, path, sizeof path) < 0) {
        path[0] = '\0';
    }
    if (crashj_open(j, path, &err) < 0) {
        fprintf(stderr, "agentctl: apply: crash journal dropped: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
    crashj_recover(j, NULL, print_recovered, NULL);
}

/* The guard's dry run, the apply, the guard's health check (and its
 * revert) on one set of host handles: one OVSDB connection, and the
 * apply plans its first round from the dry run's look. */
static int
apply_guarded(struct agentctl_guard *guard, struct spec *spec,
              const struct engine_opts *eo, struct crashj *journal,
              unsigned confirm_s, struct engine_result *res)
{
    struct hostio io;
    struct obs_host *seen;

    memset(&io, 0, sizeof io);
    memset(res, 0, sizeof *res);
    int r = hostio_open(&io, &res->err);
    if (r < 0) {
        return r;
    }
    if (agentctl_guard_before(guard, &io, spec, eo, &seen) < 0) {
        fprintf(stderr, "agentctl: apply: out of memory\n");
    }
    r = agentctl_run_engine_on(&io, spec, eo, journal, seen, res);
    agentctl_guard_after(guard, &io, spec, eo, journal, confirm_s, res, &r);
    /* The result holds copies: the handles can go. */
    hostio_close(&io);
    return r;
}

int
agentctl_cmd_apply(const struct agentctl_opts *opts, int argc, char *argv[])
{
    struct order_store orders = {0};
    struct pfpin_store pins = {0};
    struct engine_opts eo = {.apply.on_step = print_step,
                             .orders = &orders,
                             .pins = &pins,
                             .state_dir = opts->state_dir};
    struct engine_result res;
    struct spec *spec = NULL;
    struct crashj journal;
    struct agentctl_guard guard;
    unsigned confirm_s = 0;
    char orders_path[4096], pins_path[4096];
    int code;

    if (!agentctl_no_args("apply", argc, argv)) {
        return OA_EXIT_FAIL;
    }
    /* Two reconcilers writing the host at once would undo each other's
     * steps half-way; the running daemon owns the host. */
    if (ctl_daemon_listens(opts->socket)) {
        fprintf(stderr,
                "agentctl: apply: offload-agent is running (%s) and owns "
                "the host: use agentctl reconcile, or stop the daemon "
                "first\n",
                opts->socket);
        return OA_EXIT_FAIL;
    }
    if (opts->confirm && !parse_seconds(opts->confirm, &confirm_s)) {
        return OA_EXIT_FAIL;
    }
    code = agentctl_load_spec(opts->spec, &spec);
    if (code == OA_EXIT_OK) {
        code = agentctl_guard_open(opts, &guard);
    }
    if (code != OA_EXIT_OK) {
        spec_destroy(spec);
        return code;
    }
    agentctl_load_orders(opts, &orders, orders_path, sizeof orders_path);
    agentctl_load_pins(opts, &pins, pins_path, sizeof pins_path);
    recover_journal(opts, &journal);
    int r = apply_guarded(&guard, spec, &eo, &journal, confirm_s, &res);
    agentctl_guard_close(&guard);
    if (journal.error) {
        fprintf(stderr, "agentctl: apply: crash journal %s not written: %s\n",
                journal.path, strerror(-journal.error));
    }
    crashj_close(&journal);
    agentctl_note_orders(&orders, orders_path, &res);
    agentctl_note_pins(&pins, pins_path);
    order_store_clear(&orders);
    pfpin_store_clear(&pins);
    code = agentctl_report(spec, &res, r, "apply",
                           "fix the cause, then run agentctl apply again",
                           opts->json, "apply");
    engine_result_clear(&res);
    spec_destroy(spec);
    return code;
}
