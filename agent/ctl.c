/* ctl: the control socket, both ends, and the command registry (see
 * ctl.h for the wire format). One request, one answer, one connection;
 * every wait is bounded with poll(). Plain libc only: the daemon runs
 * this on its control thread, next to libopenvswitch's main loop. */
#include "ctl.h"

#include "contract.h"
#include "oa-common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* An answer is a status report: far below this. The bound keeps a
 * confused peer from making agentctl eat memory. */
#define CTL_MAX_RESPONSE (16 * 1024 * 1024)

/* How long the daemon waits for a client to take its answer. */
#define CTL_WRITE_TIMEOUT_MS 5000

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The poll() timeout left until 'deadline' (-1: none). */
static int
remaining_ms(long long deadline)
{
    if (deadline < 0) {
        return -1;
    }
    long long left = deadline - now_ms();
    if (left <= 0) {
        return 0;
    }
    return left > INT_MAX ? INT_MAX : (int)left;
}

static long long
deadline_after(long long timeout_ms)
{
    return timeout_ms < 0 ? -1 : now_ms() + timeout_ms;
}

/* Waits until 'fd' is ready for 'events'. 0, -ETIMEDOUT or -errno. */
static int
wait_fd(int fd, short events, long long deadline)
{
    for (;;) {
        struct pollfd pfd = {.fd = fd, .events = events};
        int n = poll(&pfd, 1, remaining_ms(deadline));
        if (n > 0) {
            return 0;
        }
        if (n == 0) {
            return -ETIMEDOUT;
        }
        if (errno != EINTR) {
            return -errno;
        }
    }
}

static int
make_address(const char *path, struct sockaddr_un *sun)
{
    memset(sun, 0, sizeof *sun);
    sun->sun_family = AF_UNIX;
    if (!path[0] || strlen(path) >= sizeof sun->sun_path) {
        return -ENAMETOOLONG;
    }
    strcpy(sun->sun_path, path);
    return 0;
}

/* mkdir -p of the directory holding 'path', 0755 for what it creates. */
static int
make_parent_dirs(const char *path)
{
    char dir[sizeof(((struct sockaddr_un *)0)->sun_path)];

    snprintf(dir, sizeof dir, "%s", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir) {
        return 0;
    }
    *slash = '\0';
    for (char *p = dir + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
                return -errno;
            }
            *p = '/';
        }
    }
    if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
        return -errno;
    }
    return 0;
}

/* Is something answering at 'sun'? A socket file left by a daemon that
 * died refuses connections; a live daemon accepts them. */
static bool
someone_listens(const struct sockaddr_un *sun)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return false;
    }
    /* A full backlog (EAGAIN) also means a live listener. */
    int r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
    bool live = r == 0 || errno == EAGAIN || errno == EINPROGRESS;
    close(fd);
    return live;
}

bool
ctl_daemon_listens(const char *path)
{
    struct sockaddr_un sun;

    return make_address(path, &sun) == 0 && someone_listens(&sun);
}

int
ctl_listen(const char *path)
{
    struct sockaddr_un sun;
    int r = make_address(path, &sun);
    if (r < 0) {
        return r;
    }
    r = make_parent_dirs(path);
    if (r < 0) {
        return r;
    }

    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -errno;
    }
    if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
        if (errno != EADDRINUSE) {
            r = -errno;
            goto fail;
        }
        if (someone_listens(&sun)) {
            r = -EADDRINUSE;
            goto fail;
        }
        struct stat st;
        if (lstat(path, &st) == 0 && !S_ISSOCK(st.st_mode)) {
            /* Never delete a file that is not a socket. */
            r = -EADDRINUSE;
            goto fail;
        }
        if (unlink(path) < 0 && errno != ENOENT) {
            r = -errno;
            goto fail;
        }
        if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
            r = -errno;
            goto fail;
        }
    }
    /* Before listen(): nobody can connect in between. */
    if (chmod(path, 0660) < 0 || listen(fd, 16) < 0) {
        r = -errno;
        unlink(path);
        goto fail;
    }
    return fd;

fail:
    close(fd);
    return r;
}

static bool
is_command_char(char c, bool first)
{
    return (c >= 'a' && c <= 'z') ||
           (!first && ((c >= '0' && c <= '9') || c == '-'));
}

static bool
valid_command(const char *name, size_t len)
{
    if (!len || len >= CTL_MAX_COMMAND) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!is_command_char(name[i], i == 0)) {
            return false;
        }
    }
    return true;
}

/* Bytes a word carries as %XX. */
static bool
needs_escape(unsigned char c)
{
    return c == '%' || c == ' ' || c < 0x20 || c >= 0x7f;
}

static int
hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Decodes the word [src, src+len) to 'dst' (NUL-terminated, at most
 * 'len' + 1 bytes). -EBADMSG for a bad escape, %00 or a raw byte that
 * should have been escaped. */
static int
decode_word(const char *src, size_t len, char *dst)
{
    size_t o = 0;

    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)src[i];
        if (c == '%') {
            int hi = i + 2 < len ? hex_value(src[i + 1]) : -1;
            int lo = hi >= 0 ? hex_value(src[i + 2]) : -1;
            if (lo < 0 || (hi == 0 && lo == 0)) {
                return -EBADMSG;
            }
            dst[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (needs_escape(c)) {
            return -EBADMSG;
        } else {
            dst[o++] = (char)c;
        }
    }
    dst[o] = '\0';
    return 0;
}

int
ctl_parse_request(const char *line, struct ctl_request *req)
{
    size_t len = strlen(line), n = 0, used = 0;
    const char *p;

    memset(req, 0, sizeof *req);
    if (len >= CTL_MAX_REQUEST) {
        return -EBADMSG;
    }
    while (line[n] && line[n] != ' ') {
        n++;
    }
    if (!valid_command(line, n)) {
        return -EBADMSG;
    }
    memcpy(req->command, line, n);
    req->command[n] = '\0';
    for (p = line + n; *p;) {
        const char *word = ++p; /* past the single space */
        size_t wlen = strcspn(word, " ");
        if (!wlen || req->argc == CTL_MAX_ARGS) {
            return -EBADMSG; /* an empty word, or too many */
        }
        if (decode_word(word, wlen, req->buf + used) < 0) {
            return -EBADMSG;
        }
        req->argv[req->argc++] = req->buf + used;
        used += strlen(req->buf + used) + 1;
        p = word + wlen;
    }
    req->argv[req->argc] = NULL;
    return 0;
}

int
ctl_format_request(struct oa_str *out, const char *command, int argc,
                   const char *const argv[])
{
    size_t start = out->len;

    if (!command || !valid_command(command, strlen(command)) || argc < 0 ||
        argc > CTL_MAX_ARGS) {
        return -EINVAL;
    }
    oa_str_puts(out, command);
    for (int i = 0; i < argc; i++) {
        if (!argv[i] || !argv[i][0]) {
            oa_str_truncate(out, start);
            return -EINVAL;
        }
        oa_str_putc(out, ' ');
        for (const char *c = argv[i]; *c; c++) {
            if (needs_escape((unsigned char)*c)) {
                oa_str_printf(out, "%%%02X", (unsigned char)*c);
            } else {
                oa_str_putc(out, *c);
            }
        }
    }
    if (out->oom) {
        return -ENOMEM;
    }
    if (out->len - start + 1 > CTL_MAX_REQUEST - 1) {
        oa_str_truncate(out, start);
        return -EINVAL; /* with the newline, too long to be read */
    }
    return 0;
}

bool
ctl_request_has_arg(const struct ctl_request *req, const char *arg)
{
    for (int i = 0; i < req->argc; i++) {
        if (!strcmp(req->argv[i], arg)) {
            return true;
        }
    }
    return false;
}

/* ---- Daemon side: one connection ---------------------------------------- */

struct ctl_conn *
ctl_conn_create(int fd, long long timeout_ms)
{
    struct ctl_conn *conn = calloc(1, sizeof *conn);

    if (!conn) {
        close(fd);
        return NULL;
    }
    conn->fd = fd;
    conn->deadline = deadline_after(timeout_ms);
    return conn;
}

void
ctl_conn_destroy(struct ctl_conn *conn)
{
    if (conn) {
        if (conn->fd >= 0) {
            close(conn->fd);
        }
        free(conn);
    }
}

/* The line in conn->line is complete: checks and parses it. */
static int
finish_request(struct ctl_conn *conn)
{
    struct ucred cred;
    socklen_t cred_len = sizeof cred;
    char *line = conn->line;
    size_t len = conn->len;
    char *nl;
    int r;

    line[len] = '\0';
    nl = memchr(line, '\n', len);
    if (nl) {
        if (nl + 1 != line + len) {
            return -EBADMSG; /* one request per connection */
        }
        *nl = '\0';
        len--;
    }
    if (strlen(line) != len) {
        return -EBADMSG; /* an embedded NUL */
    }
    if (getsockopt(conn->fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0) {
        return -errno;
    }
    r = ctl_parse_request(line, &conn->req);
    conn->req.peer_uid = cred.uid;
    conn->req.peer_pid = cred.pid;
    conn->req.peer_root = cred.uid == 0;
    return r < 0 ? r : 1;
}

int
ctl_conn_read(struct ctl_conn *conn)
{
    /* Up to the newline, or to EOF (the client shuts down its side).
     * MSG_DONTWAIT: accept() does not pass O_NONBLOCK on. */
    for (;;) {
        ssize_t got = recv(conn->fd, conn->line + conn->len,
                           sizeof conn->line - 1 - conn->len, MSG_DONTWAIT);
        if (got > 0) {
            conn->len += (size_t)got;
            if (memchr(conn->line, '\n', conn->len)) {
                return finish_request(conn);
            }
            if (conn->len == sizeof conn->line - 1) {
                return -EBADMSG; /* too long to be a request */
            }
            continue;
        }
        if (got == 0) {
            return finish_request(conn);
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return -errno;
        }
        return remaining_ms(conn->deadline) == 0 ? -ETIMEDOUT : 0;
    }
}

int
ctl_read_request(int fd, long long timeout_ms, struct ctl_request *req)
{
    struct ctl_conn conn;
    int r;

    memset(&conn, 0, sizeof conn);
    conn.fd = fd;
    conn.deadline = deadline_after(timeout_ms);
    while ((r = ctl_conn_read(&conn)) == 0) {
        r = wait_fd(fd, POLLIN, conn.deadline);
        if (r < 0) {
            break;
        }
    }
    /* The request's argv points into its own buf: copy it whole and
     * point the arguments at the copy. */
    memcpy(req, &conn.req, sizeof *req);
    for (int i = 0; i < req->argc; i++) {
        req->argv[i] = req->buf + (conn.req.argv[i] - conn.req.buf);
    }
    return r < 0 ? r : 0;
}

/* Writes all of 'data', waiting while the socket is full (never past
 * 'deadline', also on a blocking fd: a client that does not read must
 * not hold the daemon). */
static int
send_all(int fd, const char *data, size_t len, long long deadline)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            data += n;
            len -= (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            return -errno;
        }
        int r = wait_fd(fd, POLLOUT, deadline);
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

int
ctl_write_response(int fd, int exit_code, const char *payload)
{
    long long deadline = deadline_after(CTL_WRITE_TIMEOUT_MS);
    char head[16];
    int n = snprintf(head, sizeof head, "%d\n", exit_code);
    int r = send_all(fd, head, (size_t)n, deadline);
    if (r == 0 && payload) {
        r = send_all(fd, payload, strlen(payload), deadline);
    }
    return r;
}

int
ctl_conn_reply(struct ctl_conn *conn, int exit_code, const char *payload)
{
    int r = -EBADF;

    if (conn->fd >= 0) {
        r = ctl_write_response(conn->fd, exit_code, payload);
        close(conn->fd);
        conn->fd = -1;
    }
    conn->answered = true;
    return r;
}

/* ---- Daemon side: the command registry ---------------------------------- */

struct ctl_command {
    char *name;
    char *usage;
    int min_args, max_args;
    bool root_only;
    ctl_handler_fn *handler;
    void *aux;
};

struct ctl_registry {
    struct ctl_command *commands;
    size_t n;
};

static const struct ctl_command *
find_command(const struct ctl_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n; i++) {
        if (!strcmp(reg->commands[i].name, name)) {
            return &reg->commands[i];
        }
    }
    return NULL;
}

static void
list_commands(const struct ctl_registry *reg, struct oa_str *out)
{
    for (size_t i = 0; i < reg->n; i++) {
        const struct ctl_command *c = &reg->commands[i];
        oa_str_printf(out, "  %s%s%s%s\n", c->name, c->usage[0] ? " " : "",
                      c->usage, c->root_only ? "  (root)" : "");
    }
}

static void
help_handler(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    const struct ctl_registry *reg = aux;
    struct oa_str out = OA_STR_INIT;

    (void)argc;
    (void)argv;
    oa_str_puts(&out, "commands:\n");
    list_commands(reg, &out);
    ctl_conn_reply(conn, out.oom ? OA_EXIT_FAIL : OA_EXIT_OK,
                   out.oom ? "out of memory\n" : oa_str_cstr(&out));
    oa_str_free(&out);
}

struct ctl_registry *
ctl_registry_create(void)
{
    struct ctl_registry *reg = calloc(1, sizeof *reg);

    if (reg &&
        ctl_register(reg, "help", "", 0, 0, false, help_handler, reg) < 0) {
        ctl_registry_destroy(reg);
        reg = NULL;
    }
    return reg;
}

void
ctl_registry_destroy(struct ctl_registry *reg)
{
    if (!reg) {
        return;
    }
    for (size_t i = 0; i < reg->n; i++) {
        free(reg->commands[i].name);
        free(reg->commands[i].usage);
    }
    free(reg->commands);
    free(reg);
}

int
ctl_register(struct ctl_registry *reg, const char *name, const char *usage,
             int min_args, int max_args, bool root_only,
             ctl_handler_fn *handler, void *aux)
{
    struct ctl_command *c;

    if (!name || !valid_command(name, strlen(name)) || min_args < 0 ||
        max_args < min_args || max_args > CTL_MAX_ARGS || !handler) {
        return -EINVAL;
    }
    if (find_command(reg, name)) {
        return -EEXIST;
    }
    c = realloc(reg->commands, (reg->n + 1) * sizeof *reg->commands);
    if (!c) {
        return -ENOMEM;
    }
    reg->commands = c;
    c = &reg->commands[reg->n];
    c->name = strdup(name);
    c->usage = strdup(usage ? usage : "");
    if (!c->name || !c->usage) {
        free(c->name);
        free(c->usage);
        return -ENOMEM;
    }
    c->min_args = min_args;
    c->max_args = max_args;
    c->root_only = root_only;
    c->handler = handler;
    c->aux = aux;
    reg->n++;
    return 0;
}

int
ctl_dispatch(const struct ctl_registry *reg, struct ctl_conn *conn)
{
    const struct ctl_request *req = &conn->req;
    const struct ctl_command *c = find_command(reg, req->command);
    struct oa_str out = OA_STR_INIT;
    int r = 0;

    if (!c) {
        oa_str_printf(&out, "unknown command: %s\ncommands:\n", req->command);
        list_commands(reg, &out);
        r = -ENOENT;
    } else if (req->argc < c->min_args || req->argc > c->max_args) {
        oa_str_printf(&out, "usage: %s%s%s\n", c->name, c->usage[0] ? " " : "",
                      c->usage);
        r = -EINVAL;
    } else if (c->root_only && !req->peer_root) {
        oa_str_printf(&out, "permission denied: %s needs root\n", c->name);
        r = -EPERM;
    } else {
        c->handler(conn, req->argc, conn->req.argv, c->aux);
        return 0;
    }
    ctl_conn_reply(conn, OA_EXIT_FAIL,
                   out.oom ? "out of memory\n" : oa_str_cstr(&out));
    oa_str_free(&out);
    return r;
}

/* ---- Client side -------------------------------------------------------- */

/* Connects to 'sun' within 'deadline'. */
static int
connect_to(const struct sockaddr_un *sun, long long deadline)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        return -errno;
    }
    for (;;) {
        if (connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0) {
            return fd;
        }
        if (errno == EINTR) {
            continue;
        }
        /* A unix socket says EAGAIN when the listener's backlog is full:
         * try again until the deadline. */
        if (errno != EAGAIN) {
            int r = -errno;
            close(fd);
            return r;
        }
        if (remaining_ms(deadline) == 0) {
            close(fd);
            return -ETIMEDOUT;
        }
        struct timespec pause = {.tv_nsec = 10 * 1000 * 1000};
        nanosleep(&pause, NULL);
    }
}

int
ctl_call(const char *path, const char *command, int argc,
         const char *const argv[], long long timeout_ms, int *exit_code,
         char **payload)
{
    long long deadline = deadline_after(timeout_ms);
    struct oa_str line = OA_STR_INIT;
    struct sockaddr_un sun;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd = -1, r;

    *payload = NULL;
    *exit_code = -1;
    r = ctl_format_request(&line, command, argc, argv);
    if (r < 0) {
        goto out;
    }
    oa_str_putc(&line, '\n');
    r = make_address(path, &sun);
    if (r < 0) {
        goto out;
    }
    fd = connect_to(&sun, deadline);
    if (fd < 0) {
        r = fd;
        goto out;
    }
    r = send_all(fd, line.s, line.len, deadline);
    if (r < 0) {
        goto out;
    }
    shutdown(fd, SHUT_WR);

    for (;;) {
        if (cap - len < 4096) {
            size_t ncap = cap ? cap * 2 : 8192;
            if (ncap > CTL_MAX_RESPONSE + 1) {
                r = -EMSGSIZE;
                goto out;
            }
            char *nbuf = realloc(buf, ncap);
            if (!nbuf) {
                r = -ENOMEM;
                goto out;
            }
            buf = nbuf;
            cap = ncap;
        }
        ssize_t got = recv(fd, buf + len, cap - len - 1, 0);
        if (got > 0) {
            len += (size_t)got;
            continue;
        }
        if (got == 0) {
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            r = -errno;
            goto out;
        }
        r = wait_fd(fd, POLLIN, deadline);
        if (r < 0) {
            goto out;
        }
    }
    buf[len] = '\0';

    /* "EXIT\n" then the payload. */
    char *end;
    errno = 0;
    long code = strtol(buf, &end, 10);
    if (end == buf || *end != '\n' || errno || code < 0 || code > 255) {
        r = -EBADMSG;
        goto out;
    }
    memmove(buf, end + 1, len - (size_t)(end + 1 - buf) + 1);
    *exit_code = (int)code;
    *payload = buf;
    buf = NULL;
    r = 0;

out:
    oa_str_free(&line);
    free(buf);
    if (fd >= 0) {
        close(fd);
    }
    return r;
}
