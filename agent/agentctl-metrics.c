/* agentctl metrics: the running daemon's metrics in the Prometheus text
 * format, the same text as its --metrics-file (docs/metrics.md). Only
 * from the daemon: the counters are its own. */
#include "agentctl.h"

#include "ctl.h"

#include <errno.h>
#include <stdio.h>

int
agentctl_cmd_metrics(const struct agentctl_opts *opts, int argc, char *argv[])
{
    char *payload = NULL;
    int exit_code, r;

    if (!agentctl_no_args("metrics", argc, argv)) {
        return OA_EXIT_FAIL;
    }
    r = ctl_call(opts->socket, "metrics", 0, NULL, AGENTCTL_STATUS_TIMEOUT_MS,
                 &exit_code, &payload);
    if (r == -ENOENT || r == -ECONNREFUSED) {
        fprintf(stderr, "agentctl: no daemon is listening on %s\n",
                opts->socket);
        return OA_EXIT_FAIL;
    }
    if (r < 0) {
        return agentctl_error("metrics", r, "asking the daemon on %s",
                              opts->socket);
    }
    int code = agentctl_print(payload, "metrics");
    return code == OA_EXIT_OK ? exit_code : code;
}
