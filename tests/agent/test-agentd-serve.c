/* agentd-serve: the daemon's control thread, with a real socket in a
 * temporary directory and this test as the main loop: status answered
 * from the published snapshot while the "main loop" does something else,
 * its age and the reconciling flag; a reconcile request queued, handed
 * over through the wake fd and answered with the outcome posted; queued
 * requests answered at shutdown. */
#include "agentd-serve.h"

#include "contract.h"
#include "ctl.h"
#include "report.h"

#include "oa-check.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[32];
static char sock_path[64];

static void
setup(void)
{
    snprintf(tmpdir, sizeof tmpdir, "/tmp/oa-serve-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(sock_path, sizeof sock_path, "%s/agentctl.sock", tmpdir);
}

static void
teardown(void)
{
    unlink(sock_path);
    rmdir(tmpdir);
}

static struct report *
problem_report(const char *message)
{
    struct report *rep = report_build_unobserved();
    ck_assert_ptr_nonnull(rep);
    report_add_problem(rep, REPORT_ERROR, "test", NULL, "%s", message);
    return rep;
}

static char *
call(const char *command, int argc, const char *const argv[], int *code)
{
    char *payload = NULL;
    ck_assert_int_eq(
        ctl_call(sock_path, command, argc, argv, 5000, code, &payload), 0);
    return payload;
}

START_TEST(status_from_the_snapshot)
{
    static const char *const json[] = {"--json"};
    int lfd = ctl_listen(sock_path), code;
    struct agentd_serve *serve;
    char *out;

    ck_assert_int_ge(lfd, 0);
    serve = agentd_serve_create(lfd);
    ck_assert_ptr_nonnull(serve);
    agentd_serve_publish(serve, problem_report("first"), OA_EXIT_INVALID);
    agentd_serve_set_reconciling(serve, true);
    ck_assert_int_eq(agentd_serve_start(serve), 0);

    /* The "main loop" is busy (this thread does not serve anything):
     * the control thread answers from the snapshot. */
    out = call("status", 1, json, &code);
    ck_assert_int_eq(code, OA_EXIT_INVALID);
    ck_assert_ptr_nonnull(strstr(out, "\"reconciling\": true"));
    ck_assert_ptr_nonnull(strstr(out, "\"observed_age_ms\": "));
    ck_assert_ptr_nonnull(strstr(out, "\"message\": \"first\""));
    ck_assert_ptr_nonnull(strstr(out, "\"stats\": {"));
    free(out);

    /* A new observation replaces it; the text form has its age. */
    agentd_serve_publish(serve, problem_report("second"), OA_EXIT_FAIL);
    agentd_serve_set_reconciling(serve, false);
    out = call("status", 0, NULL, &code);
    ck_assert_int_eq(code, OA_EXIT_FAIL);
    ck_assert_ptr_nonnull(strstr(out, "second"));
    ck_assert_ptr_nonnull(strstr(out, "observed 0."));
    ck_assert_ptr_null(strstr(out, "reconcile in progress"));
    free(out);

    /* Usage errors come from the registry. */
    static const char *const bad[] = {"--yaml"};
    out = call("status", 1, bad, &code);
    ck_assert_int_eq(code, OA_EXIT_FAIL);
    ck_assert_str_eq(out, "usage: status [--json]\n");
    free(out);

    agentd_serve_destroy(serve);
    close(lfd);
}
END_TEST

struct client {
    pthread_t thread;
    int code, r;
    char *payload;
};

static void *
reconcile_client(void *aux)
{
    struct client *c = aux;
    c->r = ctl_call(sock_path, "reconcile", 0, NULL, 10000, &c->code,
                    &c->payload);
    return NULL;
}

/* Waits (at most 5 s) until the wake fd says a client asked something. */
static void
wait_wake(struct agentd_serve *serve)
{
    struct pollfd pfd = {.fd = agentd_serve_wake_fd(serve), .events = POLLIN};
    ck_assert_int_eq(poll(&pfd, 1, 5000), 1);
}

START_TEST(reconcile_is_queued_and_answered_later)
{
    int lfd = ctl_listen(sock_path), code;
    struct agentd_serve_asks asks;
    struct agentd_serve *serve;
    struct client c = {0};
    char *out;

    if (getuid() != 0) {
        return; /* reconcile is root only; CI runs the unit tests as root */
    }
    ck_assert_int_ge(lfd, 0);
    serve = agentd_serve_create(lfd);
    ck_assert_ptr_nonnull(serve);
    agentd_serve_publish(serve, problem_report("idle"), OA_EXIT_FAIL);
    ck_assert_int_eq(agentd_serve_start(serve), 0);

    ck_assert_int_eq(pthread_create(&c.thread, NULL, reconcile_client, &c), 0);
    wait_wake(serve);
    /* Queued: status says a reconcile is under way before it started. */
    static const char *const json[] = {"--json"};
    out = call("status", 1, json, &code);
    ck_assert_ptr_nonnull(strstr(out, "\"reconciling\": true"));
    free(out);

    agentd_serve_take(serve, &asks);
    ck_assert_uint_eq(asks.reconciles, 1);
    ck_assert_int_eq(asks.first_pid, getpid());
    agentd_serve_set_reconciling(serve, true);
    /* The "reconcile" runs; status still answers meanwhile. */
    out = call("status", 0, NULL, &code);
    ck_assert_ptr_nonnull(strstr(out, "reconcile in progress"));
    free(out);
    agentd_serve_publish(serve, problem_report("after"), OA_EXIT_OK);
    agentd_serve_set_reconciling(serve, false);
    agentd_serve_reconciled(serve, OA_EXIT_OK, "converged in 1 ms\n");

    ck_assert_int_eq(pthread_join(c.thread, NULL), 0);
    ck_assert_int_eq(c.r, 0);
    ck_assert_int_eq(c.code, OA_EXIT_OK);
    ck_assert_str_eq(c.payload, "converged in 1 ms\n");
    free(c.payload);

    /* Nothing asked since: an empty take. */
    agentd_serve_take(serve, &asks);
    ck_assert_uint_eq(asks.reconciles, 0);

    /* A request still queued at shutdown gets an answer, exit 1. */
    memset(&c, 0, sizeof c);
    ck_assert_int_eq(pthread_create(&c.thread, NULL, reconcile_client, &c), 0);
    wait_wake(serve);
    agentd_serve_destroy(serve);
    ck_assert_int_eq(pthread_join(c.thread, NULL), 0);
    ck_assert_int_eq(c.r, 0);
    ck_assert_int_eq(c.code, OA_EXIT_FAIL);
    ck_assert_ptr_nonnull(strstr(c.payload, "shutting down"));
    free(c.payload);
    close(lfd);
}
END_TEST

/* A client that connects and says nothing holds neither the thread nor
 * the others. */
START_TEST(silent_client_does_not_block_others)
{
    int lfd = ctl_listen(sock_path), code;
    struct agentd_serve *serve;
    char *out;

    ck_assert_int_ge(lfd, 0);
    serve = agentd_serve_create(lfd);
    ck_assert_ptr_nonnull(serve);
    agentd_serve_publish(serve, problem_report("x"), OA_EXIT_FAIL);
    ck_assert_int_eq(agentd_serve_start(serve), 0);

    /* Connected, and silent (the request never comes). */
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    memcpy(sun.sun_path, sock_path, sizeof sock_path);
    int silent = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_eq(connect(silent, (struct sockaddr *)&sun, sizeof sun), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    out = call("status", 0, NULL, &code);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    ck_assert_ptr_nonnull(strstr(out, "observed"));
    free(out);
    /* Well before the silent client's 1 s read deadline. */
    long long ms =
        (t1.tv_sec - t0.tv_sec) * 1000LL + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ck_assert_int_lt(ms, 500);
    agentd_serve_destroy(serve);
    close(silent);
    close(lfd);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("agentd-serve");
    TCase *tc = tcase_create("serve");

    signal(SIGPIPE, SIG_IGN);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, status_from_the_snapshot);
    tcase_add_test(tc, reconcile_is_queued_and_answered_later);
    tcase_add_test(tc, silent_client_does_not_block_others);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
