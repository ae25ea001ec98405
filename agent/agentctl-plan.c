/* agentctl plan [--json]: observe the host and print the steps apply
 * would take, changing nothing (docs/cli.md). */
#include "agentctl.h"

#include "engine.h"
#include "oa-common/err.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"
#include "report.h"
#include "stats.h"

#include <stdio.h>

int
agentctl_cmd_plan(const struct agentctl_opts *opts, int argc, char *argv[])
{
    struct order_store orders = {0};
    struct pfpin_store pins = {0};
    struct engine_opts eo = {.dry_run = true,
                             .orders = &orders,
                             .pins = &pins,
                             .state_dir = opts->state_dir};
    struct engine_result res;
    struct spec *spec = NULL;
    char orders_path[4096], pins_path[4096];
    int code;

    if (!agentctl_no_args("plan", argc, argv)) {
        return OA_EXIT_FAIL;
    }
    code = agentctl_load_spec(opts->spec, &spec);
    if (code != OA_EXIT_OK) {
        return code;
    }
    /* Read only: the plan takes the order apply would take first. */
    agentctl_load_orders(opts, &orders, orders_path, sizeof orders_path);
    /* Read only too: the PFs followed as apply left them. */
    agentctl_load_pins(opts, &pins, pins_path, sizeof pins_path);
    int r = agentctl_run_engine(spec, &eo, NULL, &res);
    order_store_clear(&orders);
    pfpin_store_clear(&pins);
    if (r < 0 || !res.plan) {
        char failure[OA_ERR_FORMAT_MAX];
        fprintf(stderr, "agentctl: plan: %s\n",
                oa_err_format(&res.err, failure, sizeof failure));
        code = OA_EXIT_FAIL;
    } else if (opts->json) {
        struct stats_view stats;
        stats_read(&stats);
        code = agentctl_print(
            report_plan_to_json_stats(res.plan, true, &stats), "plan");
    } else {
        code = agentctl_print(report_plan_to_text(res.plan), "plan");
    }
    engine_result_clear(&res);
    spec_destroy(spec);
    return code;
}
