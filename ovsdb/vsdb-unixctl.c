/* vsdb: one command to a running OVS daemon over its unixctl socket
 * (lib/unixctl.h's client), the way ovs-appctl does it, without running
 * ovs-appctl. */
#include "vsdb.h"

#include <errno.h>
#include <stdlib.h>

#include "jsonrpc.h"
#include "openvswitch/vlog.h"
#include "unixctl.h"

int
vsdb_unixctl_call(const char *ctl_path, const char *command, int argc,
                  char *argv[], char **result, char **error)
{
    struct jsonrpc *client;
    *result = NULL;
    *error = NULL;
    /* Quiet, as in vsdb_create(): the caller reports what failed. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);
    int r = unixctl_client_create(ctl_path, &client);
    if (r) {
        return -r;
    }
    r = unixctl_client_transact(client, command, argc, argv, result, error);
    jsonrpc_close(client);
    return -r;
}
