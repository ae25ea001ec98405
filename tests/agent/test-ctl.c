/* ctl: the control socket between agentctl and offload-agent, with real
 * unix sockets in a temporary directory. A forked child plays the
 * daemon or the client. */
#include "ctl.h"

#include "oa-check.h"
#include "oa-common/str.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *const json_arg[] = {"--json"};
static char tmpdir[32];
static char sock_path[64];

static void
setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/oa-ctl-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    /* A parent that does not exist yet: ctl_listen creates it. */
    snprintf(sock_path, sizeof sock_path, "%s/run/agentctl.sock", tmpdir);
}

static void
teardown(void)
{
    char dir[sizeof tmpdir + 8];
    unlink(sock_path);
    snprintf(dir, sizeof dir, "%s/run", tmpdir);
    rmdir(dir);
    rmdir(tmpdir);
}

/* Accepts one connection on 'lfd' (non-blocking) within 5 s. */
static int
accept_one(int lfd)
{
    struct pollfd pfd = {.fd = lfd, .events = POLLIN};
    ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
    int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
    ck_assert_int_ge(fd, 0);
    return fd;
}

/* A listening socket at sock_path with one client connected ('*cfd'):
 * returns the accepted fd, blocking as the daemon's accept4() gives it. */
static int
connect_pair(int *lfd, int *cfd)
{
    *lfd = ctl_listen(sock_path);
    ck_assert_int_ge(*lfd, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    memcpy(sun.sun_path, sock_path, sizeof sock_path);
    *cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(connect(*cfd, (struct sockaddr *)&sun, sizeof sun), 0);
    return accept_one(*lfd);
}

/* Child: a daemon that answers one request with the command echoed in
 * the payload and exit code 3, then exits. */
static pid_t
fork_echo_daemon(int lfd)
{
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        struct pollfd pfd = {.fd = lfd, .events = POLLIN};
        if (poll(&pfd, 1, 5000) != 1) {
            _exit(10);
        }
        int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        struct ctl_request req;
        char payload[256];
        int r = ctl_read_request(fd, 5000, &req);
        if (r < 0) {
            ctl_write_response(fd, 1, "malformed\n");
            _exit(11);
        }
        snprintf(payload, sizeof payload, "%s json=%d root=%d uid=%u\n",
                 req.command, ctl_request_has_arg(&req, "--json"),
                 req.peer_root, req.peer_uid);
        _exit(ctl_write_response(fd, 3, payload) < 0 ? 12 : 0);
    }
    return pid;
}

static int
wait_child(pid_t pid)
{
    int status;
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status));
    return WEXITSTATUS(status);
}

START_TEST(round_trip)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    pid_t pid = fork_echo_daemon(lfd);

    int code;
    char *payload;
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 1, json_arg, 5000, &code, &payload), 0);
    ck_assert_int_eq(code, 3);
    char want[128];
    snprintf(want, sizeof want, "status json=1 root=%d uid=%u\n",
             getuid() == 0, (unsigned)getuid());
    ck_assert_str_eq(payload, want);
    free(payload);
    ck_assert_int_eq(wait_child(pid), 0);
    close(lfd);
}
END_TEST

START_TEST(socket_mode_is_0660)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    struct stat st;
    ck_assert_int_eq(stat(sock_path, &st), 0);
    ck_assert(S_ISSOCK(st.st_mode));
    ck_assert_int_eq(st.st_mode & 07777, 0660);
    close(lfd);
}
END_TEST

START_TEST(peer_credentials)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int code;
        char *payload;
        _exit(ctl_call(sock_path, "reconcile", 0, NULL, 5000, &code, &payload)
                  ? 1
                  : 0);
    }
    int fd = accept_one(lfd);
    struct ctl_request req;
    ck_assert_int_eq(ctl_read_request(fd, 5000, &req), 0);
    ck_assert_str_eq(req.command, "reconcile");
    ck_assert_int_eq(req.argc, 0);
    ck_assert_int_eq(req.peer_pid, pid);
    ck_assert_uint_eq(req.peer_uid, (unsigned)getuid());
    /* CI runs the unit tests as root: the daemon must see that. */
    ck_assert(req.peer_root == (getuid() == 0));
    ck_assert_int_eq(ctl_write_response(fd, 0, "done\n"), 0);
    close(fd);
    ck_assert_int_eq(wait_child(pid), 0);
    close(lfd);
}
END_TEST

/* Sends raw bytes as a client would and returns ctl_read_request()'s
 * result on the daemon side. */
static int
read_raw_request(int lfd, const char *bytes, size_t len,
                 struct ctl_request *req)
{
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    memcpy(sun.sun_path, sock_path, sizeof sock_path);
    int cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sun, sizeof sun), 0);
    ck_assert_int_eq(send(cfd, bytes, len, MSG_NOSIGNAL), (ssize_t)len);
    shutdown(cfd, SHUT_WR);
    int fd = accept_one(lfd);
    int r = ctl_read_request(fd, 2000, req);
    close(fd);
    close(cfd);
    return r;
}

START_TEST(malformed_requests)
{
    static const struct {
        const char *bytes;
        size_t len;
    } bad[] = {
        {"", 0},
        {"\n", 1},
        {"STATUS\n", 7},
        {"status \n", 8},
        {"status  --json\n", 15}, /* an empty word */
        {"status %zz\n", 11},     /* not an escape */
        {"status a%0\n", 11},     /* half an escape */
        {"status a%00\n", 12},    /* NUL */
        {"status a\tb\n", 11},    /* a raw control byte */
        {"1status\n", 8},
        {"status\nreconcile\n", 17},
        {"sta\0tus\n", 8},
        {"status\x01\n", 8},
        /* 17 arguments: one more than CTL_MAX_ARGS */
        {"status a b c d e f g h i j k l m n o p q\n", 41},
    };
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ctl_request req;
        ck_assert_msg(read_raw_request(lfd, bad[i].bytes, bad[i].len, &req) ==
                          -EBADMSG,
                      "case %zu accepted", i);
    }
    /* Longer than any request. */
    char big[CTL_MAX_REQUEST * 2];
    memset(big, 'a', sizeof big);
    struct ctl_request req;
    ck_assert_int_eq(read_raw_request(lfd, big, sizeof big, &req), -EBADMSG);

    /* The well-formed ones, with and without the final newline. */
    ck_assert_int_eq(read_raw_request(lfd, "status --json\n", 14, &req), 0);
    ck_assert_str_eq(req.command, "status");
    ck_assert_int_eq(req.argc, 1);
    ck_assert_str_eq(req.argv[0], "--json");
    ck_assert(ctl_request_has_arg(&req, "--json"));
    ck_assert_int_eq(read_raw_request(lfd, "reconcile", 9, &req), 0);
    ck_assert_str_eq(req.command, "reconcile");
    ck_assert_int_eq(req.argc, 0);
    /* Words that the registry, not the parser, judges. */
    ck_assert_int_eq(read_raw_request(lfd, "status yaml\n", 12, &req), 0);
    ck_assert_str_eq(req.argv[0], "yaml");
    close(lfd);
}
END_TEST

START_TEST(parse_request_lines)
{
    struct ctl_request req;
    ck_assert_int_eq(ctl_parse_request("status", &req), 0);
    ck_assert_str_eq(req.command, "status");
    ck_assert_int_eq(req.argc, 0);
    ck_assert_ptr_null(req.argv[0]);
    ck_assert_int_eq(ctl_parse_request("status --json", &req), 0);
    ck_assert_int_eq(req.argc, 1);
    ck_assert_str_eq(req.argv[0], "--json");
    ck_assert_int_eq(ctl_parse_request("set-x a%20b %25 %c3%a9", &req), 0);
    ck_assert_str_eq(req.command, "set-x");
    ck_assert_int_eq(req.argc, 3);
    ck_assert_str_eq(req.argv[0], "a b");
    ck_assert_str_eq(req.argv[1], "%");
    ck_assert_str_eq(req.argv[2], "\xc3\xa9");
    ck_assert_int_eq(ctl_parse_request("", &req), -EBADMSG);
    ck_assert_int_eq(ctl_parse_request(" status", &req), -EBADMSG);
    ck_assert_int_eq(ctl_parse_request("status  json", &req), -EBADMSG);
    ck_assert_int_eq(
        ctl_parse_request("a-very-long-command-word-beyond-31", &req),
        -EBADMSG);
}
END_TEST

START_TEST(format_round_trip)
{
    static const char *const args[] = {
        "--json", "a b", "100%", "\t\x7f\xc3\xa9", "plain-word_1.2/x:y=z"};
    struct oa_str line = OA_STR_INIT;
    struct ctl_request req;

    ck_assert_int_eq(ctl_format_request(&line, "status", 5, args), 0);
    ck_assert_str_eq(oa_str_cstr(&line), "status --json a%20b 100%25 "
                                         "%09%7F%C3%A9 plain-word_1.2/x:y=z");
    ck_assert_int_eq(ctl_parse_request(oa_str_cstr(&line), &req), 0);
    ck_assert_int_eq(req.argc, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(req.argv[i], args[i]);
    }
    oa_str_free(&line);

    /* What cannot be sent is refused before anything is sent. */
    static const char *const empty[] = {""};
    ck_assert_int_eq(ctl_format_request(&line, "status", 1, empty), -EINVAL);
    ck_assert_int_eq(ctl_format_request(&line, "Status", 0, NULL), -EINVAL);
    ck_assert_int_eq(ctl_format_request(&line, "", 0, NULL), -EINVAL);
    const char *many[CTL_MAX_ARGS + 1];
    for (int i = 0; i <= CTL_MAX_ARGS; i++) {
        many[i] = "x";
    }
    ck_assert_int_eq(ctl_format_request(&line, "s", CTL_MAX_ARGS + 1, many),
                     -EINVAL);
    char big[CTL_MAX_REQUEST];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    const char *long_arg[] = {big};
    ck_assert_int_eq(ctl_format_request(&line, "s", 1, long_arg), -EINVAL);
    oa_str_free(&line);
}
END_TEST

/* ---- The registry ------------------------------------------------------ */

struct seen {
    int calls;
    int argc;
    char arg0[32];
    struct ctl_conn *kept;
};

static void
answer_handler(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    struct seen *seen = aux;
    seen->calls++;
    seen->argc = argc;
    snprintf(seen->arg0, sizeof seen->arg0, "%s", argc ? argv[0] : "");
    ctl_conn_reply(conn, 0, "answered\n");
}

static void
defer_handler(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    struct seen *seen = aux;
    (void)argc;
    (void)argv;
    seen->calls++;
    seen->kept = conn;
}

/* Dispatches 'line' as if from a peer (root or not) on a socketpair and
 * returns what the client end reads ("EXIT\nPAYLOAD"); *r gets
 * ctl_dispatch()'s result. The caller frees. */
static char *
dispatch_line(const struct ctl_registry *reg, const char *line, bool root,
              int *r, struct ctl_conn **connp)
{
    int sv[2];
    ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv),
                     0);
    struct ctl_conn *conn = ctl_conn_create(sv[0], 1000);
    ck_assert_ptr_nonnull(conn);
    ck_assert_int_eq(ctl_parse_request(line, &conn->req), 0);
    conn->req.peer_root = root;
    *r = ctl_dispatch(reg, conn);
    if (!conn->answered) {
        *connp = conn;
        close(sv[1]);
        return NULL;
    }
    ctl_conn_destroy(conn);
    char *buf = calloc(1, 4096);
    ssize_t n, len = 0;
    while ((n = read(sv[1], buf + len, 4095 - len)) > 0) {
        len += n;
    }
    close(sv[1]);
    return buf;
}

START_TEST(registry_dispatches_and_checks)
{
    struct ctl_registry *reg = ctl_registry_create();
    struct seen seen = {0}, deferred = {0};
    struct ctl_conn *kept = NULL;
    char *out;
    int r;

    ck_assert_ptr_nonnull(reg);
    ck_assert_int_eq(ctl_register(reg, "status", "[--json]", 0, 1, false,
                                  answer_handler, &seen),
                     0);
    ck_assert_int_eq(ctl_register(reg, "reconcile", "", 0, 0, true,
                                  defer_handler, &deferred),
                     0);
    ck_assert_int_eq(
        ctl_register(reg, "status", "", 0, 0, false, answer_handler, &seen),
        -EEXIST);
    ck_assert_int_eq(
        ctl_register(reg, "Bad", "", 0, 0, false, answer_handler, &seen),
        -EINVAL);
    ck_assert_int_eq(
        ctl_register(reg, "x", "", 2, 1, false, answer_handler, &seen),
        -EINVAL);

    out = dispatch_line(reg, "status --json", false, &r, &kept);
    ck_assert_int_eq(r, 0);
    ck_assert_str_eq(out, "0\nanswered\n");
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_int_eq(seen.argc, 1);
    ck_assert_str_eq(seen.arg0, "--json");
    free(out);

    /* Errors the registry answers itself; the handler never runs. */
    out = dispatch_line(reg, "status a b", false, &r, &kept);
    ck_assert_int_eq(r, -EINVAL);
    ck_assert_str_eq(out, "1\nusage: status [--json]\n");
    free(out);
    out = dispatch_line(reg, "frobnicate", false, &r, &kept);
    ck_assert_int_eq(r, -ENOENT);
    ck_assert_msg(!strncmp(out, "1\nunknown command: frobnicate\n", 30), "%s",
                  out);
    ck_assert_ptr_nonnull(strstr(out, "  reconcile  (root)\n"));
    free(out);
    out = dispatch_line(reg, "reconcile", false, &r, &kept);
    ck_assert_int_eq(r, -EPERM);
    ck_assert_str_eq(out, "1\npermission denied: reconcile needs root\n");
    free(out);
    ck_assert_int_eq(seen.calls, 1);
    ck_assert_int_eq(deferred.calls, 0);

    /* help lists every command with its usage. */
    out = dispatch_line(reg, "help", false, &r, &kept);
    ck_assert_int_eq(r, 0);
    ck_assert_ptr_nonnull(strstr(out, "  status [--json]\n"));
    free(out);

    /* A handler may keep the connection and answer later. */
    out = dispatch_line(reg, "reconcile", true, &r, &kept);
    ck_assert_int_eq(r, 0);
    ck_assert_ptr_null(out);
    ck_assert_int_eq(deferred.calls, 1);
    ck_assert_ptr_eq(deferred.kept, kept);
    ck_assert(!kept->answered);
    ctl_conn_destroy(kept);

    ctl_registry_destroy(reg);
}
END_TEST

START_TEST(read_request_times_out)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    memcpy(sun.sun_path, sock_path, sizeof sock_path);
    int cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(connect(cfd, (struct sockaddr *)&sun, sizeof sun), 0);
    /* Half a line and then silence: the daemon must not hang. */
    ck_assert_int_eq(send(cfd, "sta", 3, MSG_NOSIGNAL), 3);
    int fd = accept_one(lfd);
    int flags = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, flags | O_NONBLOCK);
    struct ctl_request req;
    ck_assert_int_eq(ctl_read_request(fd, 100, &req), -ETIMEDOUT);
    close(fd);
    close(cfd);
    close(lfd);
}
END_TEST

/* The daemon's accept4() gives a blocking fd (O_NONBLOCK is not
 * inherited): a client that connects and says nothing must not hang it. */
START_TEST(read_request_times_out_on_blocking_fd)
{
    int lfd, cfd;
    int fd = connect_pair(&lfd, &cfd);
    ck_assert_int_eq(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
    struct ctl_request req;
    ck_assert_int_eq(ctl_read_request(fd, 100, &req), -ETIMEDOUT);
    close(fd);
    close(cfd);
    close(lfd);
}
END_TEST

/* ... nor one that asks and then never reads the answer. */
START_TEST(write_response_times_out_on_blocking_fd)
{
    int lfd, cfd;
    int fd = connect_pair(&lfd, &cfd);
    size_t size = 16 * 1024 * 1024; /* far more than the socket buffers */
    char *big = malloc(size + 1);
    ck_assert_ptr_nonnull(big);
    memset(big, 'x', size);
    big[size] = '\0';
    ck_assert_int_eq(ctl_write_response(fd, 0, big), -ETIMEDOUT);
    free(big);
    close(fd);
    close(cfd);
    close(lfd);
}
END_TEST

START_TEST(call_times_out_on_silent_daemon)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    /* Nobody accepts: the connection sits in the backlog unanswered. */
    int code;
    char *payload;
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 0, NULL, 100, &code, &payload),
        -ETIMEDOUT);
    ck_assert_ptr_null(payload);
    close(lfd);
}
END_TEST

START_TEST(no_daemon)
{
    int code;
    char *payload;
    /* No socket file at all. */
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 0, NULL, 1000, &code, &payload),
        -ENOENT);
    /* A socket file that nobody listens on (a daemon that died). */
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    close(lfd);
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 0, NULL, 1000, &code, &payload),
        -ECONNREFUSED);
}
END_TEST

START_TEST(stale_socket_replaced_live_one_kept)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    /* A second daemon must not steal the socket of a live one. */
    ck_assert_int_eq(ctl_listen(sock_path), -EADDRINUSE);
    close(lfd);

    /* The first one died: its socket file stays behind, stale. */
    struct stat st;
    ck_assert_int_eq(stat(sock_path, &st), 0);
    lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    pid_t pid = fork_echo_daemon(lfd);
    int code;
    char *payload;
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 0, NULL, 5000, &code, &payload), 0);
    ck_assert_int_eq(code, 3);
    free(payload);
    ck_assert_int_eq(wait_child(pid), 0);
    close(lfd);
}
END_TEST

START_TEST(regular_file_is_not_replaced)
{
    int lfd = ctl_listen(sock_path); /* creates the directories */
    ck_assert_int_ge(lfd, 0);
    close(lfd);
    unlink(sock_path);
    FILE *f = fopen(sock_path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(ctl_listen(sock_path), -EADDRINUSE);
    struct stat st;
    ck_assert_int_eq(stat(sock_path, &st), 0);
    ck_assert(S_ISREG(st.st_mode));
}
END_TEST

START_TEST(bad_response_is_rejected)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int fd = accept_one(lfd);
        struct ctl_request req;
        ctl_read_request(fd, 5000, &req);
        send(fd, "not a number\n", 13, MSG_NOSIGNAL);
        _exit(0);
    }
    int code;
    char *payload;
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 0, NULL, 5000, &code, &payload),
        -EBADMSG);
    ck_assert_ptr_null(payload);
    ck_assert_int_eq(wait_child(pid), 0);
    close(lfd);
}
END_TEST

START_TEST(large_payload)
{
    int lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    size_t size = 1024 * 1024;
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char *big = malloc(size + 1);
        memset(big, 'x', size);
        big[size] = '\0';
        int fd = accept_one(lfd);
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
        struct ctl_request req;
        ctl_read_request(fd, 5000, &req);
        _exit(ctl_write_response(fd, 0, big) ? 1 : 0);
    }
    int code;
    char *payload;
    ck_assert_int_eq(
        ctl_call(sock_path, "status", 1, json_arg, 5000, &code, &payload), 0);
    ck_assert_int_eq(code, 0);
    ck_assert_uint_eq(strlen(payload), size);
    free(payload);
    ck_assert_int_eq(wait_child(pid), 0);
    close(lfd);
}
END_TEST

static Suite *
ctl_suite(void)
{
    Suite *s = suite_create("ctl");
    TCase *tc = tcase_create("socket");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, round_trip);
    tcase_add_test(tc, socket_mode_is_0660);
    tcase_add_test(tc, peer_credentials);
    tcase_add_test(tc, malformed_requests);
    tcase_add_test(tc, parse_request_lines);
    tcase_add_test(tc, format_round_trip);
    tcase_add_test(tc, registry_dispatches_and_checks);
    tcase_add_test(tc, read_request_times_out);
    tcase_add_test(tc, read_request_times_out_on_blocking_fd);
    tcase_add_test(tc, write_response_times_out_on_blocking_fd);
    tcase_add_test(tc, call_times_out_on_silent_daemon);
    tcase_add_test(tc, no_daemon);
    tcase_add_test(tc, stale_socket_replaced_live_one_kept);
    tcase_add_test(tc, regular_file_is_not_replaced);
    tcase_add_test(tc, bad_response_is_rejected);
    tcase_add_test(tc, large_payload);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    signal(SIGPIPE, SIG_IGN);
    return oa_check_run(ctl_suite());
}
