/* agentctl apply [--json]: one reconcile without the daemon (the same
 * engine, with the eswitch orders learned before, saving what it learns),
 * then the verification report (docs/cli.md). */
#include "agentctl.h"

#include "ctl.h"
#include "oa-common/err.h"
#include "engine.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"
#include "plan.h"
#include "report.h"
#include "stats.h"

#include <stdio.h>
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
    code = agentctl_load_spec(opts->spec, &spec);
    if (code != OA_EXIT_OK) {
        return code;
    }
    agentctl_load_orders(opts, &orders, orders_path, sizeof orders_path);
    agentctl_load_pins(opts, &pins, pins_path, sizeof pins_path);
    int r = agentctl_run_engine(spec, &eo, &res);
    agentctl_note_orders(&orders, orders_path, &res);
    agentctl_note_pins(&pins, pins_path, &res);
    order_store_clear(&orders);
    pfpin_store_clear(&pins);
    code = agentctl_report(spec, &res, r, "apply",
                           "fix the cause, then run agentctl apply again",
                           opts->json, "apply");
    engine_result_clear(&res);
    spec_destroy(spec);
    return code;
}
