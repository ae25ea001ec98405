/* A stand-in for offload-agent's control socket, for agentctl's client
 * side: listens on SOCKET (with ctl_listen), answers ONE request with
 * exit code EXIT and a payload that echoes the request, then exits.
 *   fake-ctl-daemon SOCKET EXIT PAYLOAD
 * Payload sent: "request: COMMAND json=0|1 root=0|1\nPAYLOAD\n" (json=1:
 * the request had the argument --json). */
#include "ctl.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int
main(int argc, char *argv[])
{
    if (argc != 4) {
        fprintf(stderr, "usage: %s SOCKET EXIT PAYLOAD\n", argv[0]);
        return 2;
    }
    int lfd = ctl_listen(argv[1]);
    if (lfd < 0) {
        fprintf(stderr, "ctl_listen %s: %s\n", argv[1], strerror(-lfd));
        return 1;
    }
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};
    if (poll(&pfd, 1, 30000) != 1) {
        fprintf(stderr, "no client within 30 s\n");
        return 1;
    }
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd < 0) {
        perror("accept4");
        return 1;
    }
    struct ctl_request req;
    int r = ctl_read_request(fd, 5000, &req);
    if (r < 0) {
        fprintf(stderr, "ctl_read_request: %s\n", strerror(-r));
        return 1;
    }
    char *payload;
    if (asprintf(&payload, "request: %s json=%d root=%d\n%s\n", req.command,
                 ctl_request_has_arg(&req, "--json"), req.peer_root,
                 argv[3]) < 0) {
        return 1;
    }
    r = ctl_write_response(fd, atoi(argv[2]), payload);
    free(payload);
    close(fd);
    close(lfd);
    unlink(argv[1]);
    return r < 0 ? 1 : 0;
}
