/* libFuzzer target for the control protocol's request reader: the bytes a
 * client may send, through the daemon's real read path (a socketpair,
 * ctl_read_request(): framing, the 1024-byte limit, embedded NULs, then
 * ctl_parse_request()). Beyond ASan/UBSan it checks what the protocol
 * promises (docs/control-protocol.md) and aborts on any broken promise:
 * - a request accepted has a valid command name and at most 16 non-empty
 *   arguments, each without NUL;
 * - it survives the round trip: formatted again by the client's
 *   ctl_format_request() and parsed, it is the same request. */
#include "ctl.h"

#include "oa-common/str.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                  \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, \
                    __LINE__, #cond);                                \
            abort();                                                 \
        }                                                            \
    } while (0)

static void
check_request(const struct ctl_request *req)
{
    size_t len = strlen(req->command);
    CHECK(len > 0 && len < CTL_MAX_COMMAND);
    CHECK(req->command[0] >= 'a' && req->command[0] <= 'z');
    for (size_t i = 1; i < len; i++) {
        char c = req->command[i];
        CHECK((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-');
    }
    CHECK(req->argc >= 0 && req->argc <= CTL_MAX_ARGS);
    CHECK(req->argv[req->argc] == NULL);
    for (int i = 0; i < req->argc; i++) {
        CHECK(req->argv[i] && req->argv[i][0]);
    }

    struct oa_str line = OA_STR_INIT;
    CHECK(ctl_format_request(&line, req->command, req->argc,
                             (const char *const *)req->argv) == 0);
    struct ctl_request *again = calloc(1, sizeof *again);
    CHECK(again);
    CHECK(ctl_parse_request(oa_str_cstr(&line), again) == 0);
    CHECK(!strcmp(again->command, req->command));
    CHECK(again->argc == req->argc);
    for (int i = 0; i < req->argc; i++) {
        CHECK(!strcmp(again->argv[i], req->argv[i]));
    }
    free(again);
    oa_str_free(&line);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int sv[2];

    /* More than a request can be is refused by length alone, and a
     * socketpair's buffer holds this much without blocking. */
    if (size > 4096 ||
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        return 0;
    }
    if (size && write(sv[0], data, size) != (ssize_t)size) {
        abort();
    }
    shutdown(sv[0], SHUT_WR);
    struct ctl_request *req = calloc(1, sizeof *req);
    CHECK(req);
    /* Everything is in the socket already: the timeout is never met. */
    int r = ctl_read_request(sv[1], 1000, req);
    CHECK(r <= 0);
    if (r == 0) {
        check_request(req);
    }
    free(req);
    close(sv[0]);
    close(sv[1]);
    return 0;
}
