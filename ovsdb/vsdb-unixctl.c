/* vsdb: one command to a running OVS daemon over its unixctl socket
 * (lib/unixctl.h's client connection and lib/jsonrpc.h), the way
 * ovs-appctl does it, without running ovs-appctl. Bounded: a daemon
 * that is stopped or stuck accepts the connection and never answers
 * (unixctl_client_transact() would wait for ever). */
#include "vsdb.h"

#include <errno.h>
#include <stdlib.h>

#include "jsonrpc.h"
#include "openvswitch/json.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/util.h"
#include "openvswitch/vlog.h"
#include "timeval.h"
#include "unixctl.h"

static struct jsonrpc_msg *
make_request(const char *command, int argc, char *argv[])
{
    struct json **args = xmalloc((argc ? argc : 1) * sizeof *args);
    for (int i = 0; i < argc; i++) {
        args[i] = json_string_create(argv[i]);
    }
    return jsonrpc_create_request(command, json_array_create(args, argc),
                                  NULL);
}

/* Waits for the reply to the request with 'id' until 'deadline' (ms,
 * time_msec()). 0 and '*reply', or a positive errno: ETIMEDOUT, EOF. */
static int
await_reply(struct jsonrpc *client, const struct json *id, long long deadline,
            struct jsonrpc_msg **reply)
{
    for (;;) {
        jsonrpc_run(client);
        int r = jsonrpc_recv(client, reply);
        if (!r) {
            if (((*reply)->type == JSONRPC_REPLY ||
                 (*reply)->type == JSONRPC_ERROR) &&
                json_equal((*reply)->id, id)) {
                return 0;
            }
            jsonrpc_msg_destroy(*reply); /* not ours */
            *reply = NULL;
            continue;
        }
        if (r != EAGAIN) {
            return r;
        }
        if (time_msec() >= deadline) {
            return ETIMEDOUT;
        }
        jsonrpc_wait(client);
        jsonrpc_recv_wait(client);
        poll_timer_wait_until(deadline);
        poll_block();
    }
}

/* The answer's text, as unixctl_client_transact() reads it. */
static int
take_answer(const struct jsonrpc_msg *reply, char **result, char **error)
{
    const struct json *j = reply->error ? reply->error : reply->result;
    if (!j) {
        return 0;
    }
    if (j->type != JSON_STRING) {
        return EINVAL;
    }
    char *text = xstrdup(json_string(j));
    if (reply->error) {
        *error = text;
    } else {
        *result = text;
    }
    return 0;
}

int
vsdb_unixctl_call(const char *ctl_path, const char *command, int argc,
                  char *argv[], int timeout_ms, char **result, char **error)
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
    /* +1: time_msec() is the time floored to the millisecond, so a
     * deadline counted from it alone can come up to 1 ms before the
     * bound (vsdb-integration measured 299 ms for 300). */
    long long deadline = time_msec() + timeout_ms + 1;
    struct jsonrpc_msg *request = make_request(command, argc, argv);
    struct json *id = json_clone(request->id);
    struct jsonrpc_msg *reply = NULL;
    r = jsonrpc_send(client, request); /* takes 'request' */
    if (!r) {
        r = await_reply(client, id, deadline, &reply);
    }
    if (!r) {
        r = take_answer(reply, result, error);
    }
    jsonrpc_msg_destroy(reply);
    json_destroy(id);
    jsonrpc_close(client);
    return r == EOF ? -EPIPE : -r;
}
