/* agentctl reconcile: ask the running daemon to reconcile now and print
 * its answer (docs/cli.md). */
#include "agentctl.h"

#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int
agentctl_cmd_reconcile(const struct agentctl_opts *opts, int argc,
                       char *argv[])
{
    char *payload = NULL;
    int exit_code, r;

    if (!agentctl_no_args("reconcile", argc, argv)) {
        return OA_EXIT_FAIL;
    }
    /* The answer is one line of text: --json does not change it. */
    r = ctl_call(opts->socket, "reconcile", 0, NULL,
                 AGENTCTL_RECONCILE_TIMEOUT_MS, &exit_code, &payload);
    if (r == -ENOENT || r == -ECONNREFUSED) {
        fprintf(stderr, "agentctl: no daemon is listening on %s\n",
                opts->socket);
        return OA_EXIT_FAIL;
    }
    if (r < 0) {
        return agentctl_error("reconcile", r, "asking the daemon on %s",
                              opts->socket);
    }
    int code = agentctl_print(payload, "reconcile");
    return code == OA_EXIT_OK ? exit_code : code;
}
