/* ctl: the control socket between agentctl and offload-agent
 * (/run/offload-agent/agentctl.sock; docs/control-protocol.md), both
 * ends, and the daemon's command registry.
 *
 * Wire format. The client connects and writes ONE request line:
 *
 *     WORD *(" " WORD) "\n"        at most CTL_MAX_REQUEST bytes
 *
 * The first word is the command name ([a-z][a-z0-9-]*, < 32 bytes); the
 * others, at most CTL_MAX_ARGS, are its arguments ("status --json").
 * Words are separated by exactly one space and are never empty. Inside
 * a word every byte that is '%', a space, a control byte (< 0x20, 0x7f)
 * or >= 0x80 is written as "%XX" (two hex digits, either case on input,
 * upper case on output); %00 is refused. The newline may be left out
 * when the client shuts down its write side instead. The daemon answers
 *
 *     EXIT "\n" PAYLOAD
 *
 * (EXIT: the agentctl exit code, docs/cli.md; PAYLOAD: text or JSON as
 * the command prints it) and closes the connection.
 *
 * Commands are registered with ctl_register() (name, usage, the number
 * of arguments, root only or not, handler); ctl_dispatch() answers
 * unknown commands, wrong argument counts and non-root peers itself, so
 * every handler sees a request it can serve. Root-only commands are
 * refused unless the peer's uid is 0 (SO_PEERCRED). */
#ifndef OA_CTL_H
#define OA_CTL_H 1

#include <stdbool.h>
#include <stddef.h>

struct oa_str;

#define CTL_MAX_REQUEST 1024 /* bytes of a request line, newline included */
#define CTL_MAX_ARGS    16
#define CTL_MAX_COMMAND 32

/* A parsed request. argv points into buf: do not copy the struct. */
struct ctl_request {
    char command[CTL_MAX_COMMAND];
    int argc;
    char *argv[CTL_MAX_ARGS + 1]; /* decoded arguments; NULL-terminated */
    char buf[CTL_MAX_REQUEST];
    bool peer_root; /* the peer's uid is 0 */
    unsigned peer_uid;
    int peer_pid;
};

/* Pure: parses a request line (without the newline). 0 or -EBADMSG. */
int ctl_parse_request(const char *line, struct ctl_request *req);

/* Pure: appends the request line for 'command' and its 'argc' arguments
 * to 'out', without the newline. -EINVAL when the command name is not
 * valid, an argument is empty, or there are too many or too long. */
int ctl_format_request(struct oa_str *out, const char *command, int argc,
                       const char *const argv[]);

/* True when 'arg' is one of the request's arguments. */
bool ctl_request_has_arg(const struct ctl_request *req, const char *arg);

/* Creates the listening socket at 'path' (a stale socket file is
 * replaced; the parent directory is created 0755 if missing), mode 0660,
 * non-blocking, close-on-exec. Returns the fd or a negative errno. */
int ctl_listen(const char *path);

/* ---- Daemon side: one connection ------------------------------------ */

/* A client connection from accept() to its answer. Owned by whoever
 * accepted it; a handler may keep it to answer later (deferred). */
struct ctl_conn {
    int fd;             /* -1 once answered (closed) */
    bool answered;      /* ctl_conn_reply() was called */
    long long deadline; /* CLOCK_MONOTONIC ms: the request must be in */
    size_t len;         /* bytes of 'line' read so far */
    char line[CTL_MAX_REQUEST + 1];
    struct ctl_request req; /* valid once ctl_conn_read() returned 1 */
    void *aux;              /* the owner's */
};

/* Takes ownership of the accepted 'fd'; the request must arrive within
 * 'timeout_ms'. NULL on ENOMEM (the fd is closed then). */
struct ctl_conn *ctl_conn_create(int fd, long long timeout_ms);
/* Closes the fd (unanswered: without a word) and frees; accepts NULL. */
void ctl_conn_destroy(struct ctl_conn *conn);
/* Reads what the socket has, never blocking. 1: the request is complete
 * and parsed into conn->req (peer credentials included); 0: more to
 * come; -ETIMEDOUT past the deadline; -EBADMSG for a malformed request;
 * another negative errno. */
int ctl_conn_read(struct ctl_conn *conn);
/* Writes the answer (bounded wait for a client that does not read) and
 * closes the connection. Returns 0 or a negative errno (closed anyway). */
int ctl_conn_reply(struct ctl_conn *conn, int exit_code, const char *payload);

/* Daemon side, blocking: reads and parses one request from an accepted
 * 'fd', bounded to 'timeout_ms' (tests, stand-ins). -EBADMSG for a
 * malformed request. */
int ctl_read_request(int fd, long long timeout_ms, struct ctl_request *req);
/* Daemon side: writes the answer and nothing else. */
int ctl_write_response(int fd, int exit_code, const char *payload);

/* ---- Daemon side: the command registry ------------------------------- */

/* Serves 'argc'/'argv' (the request's arguments, counts already checked)
 * on 'conn': answers it with ctl_conn_reply() before returning, or keeps
 * it and answers later. */
typedef void ctl_handler_fn(struct ctl_conn *conn, int argc, char *argv[],
                            void *aux);

struct ctl_registry;

/* An empty registry but for "help" (lists the commands and their
 * usage). NULL on ENOMEM. */
struct ctl_registry *ctl_registry_create(void);
void ctl_registry_destroy(struct ctl_registry *reg);

/* Registers 'name' (copied) with 'usage' (its arguments as help shows
 * them, "" for none; copied), between 'min_args' and 'max_args'
 * arguments, refused for peers other than root when 'root_only'.
 * 0, -EEXIST, -EINVAL (a bad name or counts) or -ENOMEM. */
int ctl_register(struct ctl_registry *reg, const char *name, const char *usage,
                 int min_args, int max_args, bool root_only,
                 ctl_handler_fn *handler, void *aux);

/* Runs conn->req: 0 when the handler ran (it answered or kept 'conn');
 * otherwise the registry answered with exit 1 (OA_EXIT_FAIL) and returns -ENOENT (no
 * such command), -EINVAL (argument count: the usage is the payload) or
 * -EPERM (root only). Call from one thread at a time per registry;
 * registration must be finished before. */
int ctl_dispatch(const struct ctl_registry *reg, struct ctl_conn *conn);

/* ---- Client side ------------------------------------------------------ */

/* Sends 'command' with its 'argc' arguments and returns the daemon's
 * exit code in *exit_code and its payload in *payload (caller frees).
 * -ENOENT or -ECONNREFUSED when no daemon listens at 'path'; -EINVAL
 * when the request cannot be written. */
int ctl_call(const char *path, const char *command, int argc,
             const char *const argv[], long long timeout_ms, int *exit_code,
             char **payload);

/* Client side: true when a daemon accepts connections at 'path' (a
 * socket file left by a dead daemon refuses them). */
bool ctl_daemon_listens(const char *path);

#endif
