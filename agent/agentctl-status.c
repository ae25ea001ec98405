/* agentctl status [--json]: the daemon's view when it runs, otherwise
 * the host observed directly, read-only (docs/cli.md). */
#include "agentctl.h"

#include "ctl.h"
#include "engine.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"
#include "report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* No daemon: observe and plan (a dry run), and report that. */
static int
status_direct(const struct agentctl_opts *opts)
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

    code = agentctl_load_spec(opts->spec, &spec);
    if (code != OA_EXIT_OK) {
        return code;
    }
    /* Read only: each PF's order as apply would take it. */
    agentctl_load_orders(opts, &orders, orders_path, sizeof orders_path);
    /* Read only too: the PFs followed as apply left them. */
    agentctl_load_pins(opts, &pins, pins_path, sizeof pins_path);
    int r = agentctl_run_engine(spec, &eo, NULL, &res);
    order_store_clear(&orders);
    pfpin_store_clear(&pins);
    code =
        agentctl_report(spec, &res, r, "observe", NULL, opts->json, "status");
    engine_result_clear(&res);
    spec_destroy(spec);
    return code;
}

int
agentctl_cmd_status(const struct agentctl_opts *opts, int argc, char *argv[])
{
    static const char *const json_arg[] = {"--json"};
    char *payload = NULL;
    int exit_code, r;

    if (!agentctl_no_args("status", argc, argv)) {
        return OA_EXIT_FAIL;
    }
    r = ctl_call(opts->socket, "status", opts->json ? 1 : 0, json_arg,
                 AGENTCTL_STATUS_TIMEOUT_MS, &exit_code, &payload);
    if (r == -ENOENT || r == -ECONNREFUSED) {
        return status_direct(opts);
    }
    if (r < 0) {
        return agentctl_error("status", r, "asking the daemon on %s",
                              opts->socket);
    }
    int code = agentctl_print(payload, "status");
    return code == OA_EXIT_OK ? exit_code : code;
}
