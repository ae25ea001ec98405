/* ctl: the control socket, both ends. One request, one answer, one
 * connection; every wait is bounded with poll(). */
#include "ctl.h"

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

int
ctl_parse_request(const char *line, struct ctl_request *req)
{
    size_t n = 0;

    memset(req, 0, sizeof *req);
    while ((line[n] >= 'a' && line[n] <= 'z') || line[n] == '-') {
        n++;
    }
    if (!n || n >= sizeof req->command) {
        return -EBADMSG;
    }
    if (line[n] == ' ' && !strcmp(line + n + 1, "json")) {
        req->json = true;
    } else if (line[n]) {
        return -EBADMSG;
    }
    memcpy(req->command, line, n);
    req->command[n] = '\0';
    return 0;
}

int
ctl_read_request(int fd, long long timeout_ms, struct ctl_request *req)
{
    long long deadline = deadline_after(timeout_ms);
    char line[CTL_MAX_REQUEST + 1];
    size_t len = 0;
    struct ucred cred;
    socklen_t cred_len = sizeof cred;
    int r;

    memset(req, 0, sizeof *req);
    if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0) {
        return -errno;
    }

    /* Up to the newline, or to EOF (the client shuts down its side).
     * MSG_DONTWAIT: accept() does not pass O_NONBLOCK on, and a blocking
     * recv() would wait for a silent client forever, past the deadline. */
    for (;;) {
        ssize_t got =
            recv(fd, line + len, sizeof line - 1 - len, MSG_DONTWAIT);
        if (got > 0) {
            len += (size_t)got;
            if (memchr(line, '\n', len)) {
                break;
            }
            if (len == sizeof line - 1) {
                return -EBADMSG; /* too long to be a request */
            }
            continue;
        }
        if (got == 0) {
            break;
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            return -errno;
        }
        r = wait_fd(fd, POLLIN, deadline);
        if (r < 0) {
            return r;
        }
    }
    line[len] = '\0';
    char *nl = memchr(line, '\n', len);
    if (nl) {
        if (nl + 1 != line + len) {
            return -EBADMSG; /* one request per connection */
        }
        *nl = '\0';
    }
    if (strlen(line) != (nl ? (size_t)(nl - line) : len)) {
        return -EBADMSG; /* an embedded NUL */
    }
    r = ctl_parse_request(line, req);
    req->peer_uid = cred.uid;
    req->peer_pid = cred.pid;
    req->peer_root = cred.uid == 0;
    return r;
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
ctl_call(const char *path, const char *command, bool json,
         long long timeout_ms, int *exit_code, char **payload)
{
    long long deadline = deadline_after(timeout_ms);
    struct ctl_request check;
    struct sockaddr_un sun;
    char line[CTL_MAX_REQUEST];
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int fd, r;

    *payload = NULL;
    *exit_code = -1;
    r = snprintf(line, sizeof line, "%s%s", command, json ? " json" : "");
    if (r < 0 || (size_t)r >= sizeof line ||
        ctl_parse_request(line, &check) < 0) {
        return -EINVAL;
    }
    r = make_address(path, &sun);
    if (r < 0) {
        return r;
    }
    fd = connect_to(&sun, deadline);
    if (fd < 0) {
        return fd;
    }
    strcat(line, "\n");
    r = send_all(fd, line, strlen(line), deadline);
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
    free(buf);
    close(fd);
    return r;
}
