/* ctl: the control socket between agentctl and offload-agent
 * (/run/offload-agent/agentctl.sock, DESIGN.md).
 *
 * Protocol: the client connects, writes one request line
 * "COMMAND[ json]\n" (COMMAND: status, reconcile) and shuts down its
 * write side; the daemon answers "EXIT\n" (the agentctl exit code), then
 * the payload, and closes. Mutating commands (reconcile) are refused
 * unless the peer is root (SO_PEERCRED). */
#ifndef OA_CTL_H
#define OA_CTL_H 1

#include <stdbool.h>
#include <stddef.h>

#define CTL_MAX_REQUEST 256

/* Creates the listening socket at 'path' (a stale socket file is
 * replaced; the parent directory is created 0755 if missing), mode 0660,
 * non-blocking, close-on-exec. Returns the fd or a negative errno. */
int ctl_listen(const char *path);

struct ctl_request {
    char command[32];
    bool json;
    bool peer_root; /* the peer's uid is 0 */
    unsigned peer_uid;
    int peer_pid;
};

/* Daemon side: reads and parses one request from an accepted 'fd'
 * (blocking, bounded to 'timeout_ms'). -EBADMSG for a malformed line. */
int ctl_read_request(int fd, long long timeout_ms, struct ctl_request *req);
/* Daemon side: writes the answer and nothing else. */
int ctl_write_response(int fd, int exit_code, const char *payload);

/* Client side: sends 'command' and returns the daemon's exit code in
 * *exit_code and its payload in *payload (caller frees). -ENOENT or
 * -ECONNREFUSED when no daemon listens at 'path'. */
int ctl_call(const char *path, const char *command, bool json,
             long long timeout_ms, int *exit_code, char **payload);

/* Client side: true when a daemon accepts connections at 'path' (a
 * socket file left by a dead daemon refuses them). */
bool ctl_daemon_listens(const char *path);

/* Pure: parses a request line (without the newline). */
int ctl_parse_request(const char *line, struct ctl_request *req);

#endif
