/* agentd-doctor: `doctor` on the daemon's control socket (a real socket
 * in a temporary directory): answered from a thread of its own, so that
 * status stays instant while a run samples counters; one run at a time;
 * --root refused (the daemon reads its own host only). */
#include "agentd-serve.h"

#include "contract.h"
#include "ctl.h"
#include "report.h"

#include "oa-check.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static char tmpdir[32];
static char sock_path[64];

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *
call(const char *command, int argc, const char *const argv[], int *code)
{
    char *payload = NULL;
    ck_assert_int_eq(
        ctl_call(sock_path, command, argc, argv, 10000, code, &payload), 0);
    return payload;
}

struct slow_run {
    int code;
    char *out;
};

static void *
slow_doctor(void *aux)
{
    static const char *const args[] = {"--interval-ms=1500", "nic-drops"};
    struct slow_run *run = aux;
    run->out = call("doctor", 2, args, &run->code);
    return NULL;
}

START_TEST(doctor_runs_beside_status)
{
    int lfd, code;
    snprintf(tmpdir, sizeof tmpdir, "/tmp/oa-doctor-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
    snprintf(sock_path, sizeof sock_path, "%s/agentctl.sock", tmpdir);
    lfd = ctl_listen(sock_path);
    ck_assert_int_ge(lfd, 0);
    struct agentd_serve *serve = agentd_serve_create(lfd);
    ck_assert_ptr_nonnull(serve);
    struct report *rep = report_build_unobserved();
    ck_assert_ptr_nonnull(rep);
    agentd_serve_publish(serve, rep, OA_EXIT_FAIL);
    ck_assert_int_eq(agentd_serve_start(serve), 0);

    struct slow_run run = {0};
    pthread_t t;
    long long t0 = now_ms();
    ck_assert_int_eq(pthread_create(&t, NULL, slow_doctor, &run), 0);
    usleep(300 * 1000); /* the run is sampling now */

    /* status is not held up by the run's 1.5 s. */
    char *out = call("status", 0, NULL, &code);
    ck_assert_int_lt(now_ms() - t0, 1400);
    free(out);

    /* A second run meanwhile is told to retry. */
    out = call("doctor", 0, NULL, &code);
    ck_assert_int_eq(code, OA_EXIT_FAIL);
    ck_assert_ptr_nonnull(strstr(out, "in progress"));
    free(out);

    pthread_join(t, NULL);
    ck_assert_int_ge(now_ms() - t0, 1500);
    ck_assert_int_le(run.code, OA_EXIT_FAIL); /* a host's drops may grow */
    ck_assert_ptr_nonnull(strstr(run.out, "(1 check: nic-drops)"));
    free(run.out);

    /* The slot is free again; --root is refused. */
    static const char *const root[] = {"--root=/tmp"};
    out = call("doctor", 1, root, &code);
    ck_assert_int_eq(code, OA_EXIT_FAIL);
    ck_assert_ptr_nonnull(strstr(out, "--root and --spec are read by"));
    free(out);
    /* A client's spec is never read by the daemon (root): its own is. */
    static const char *const spec[] = {"--spec=/etc/shadow"};
    out = call("doctor", 1, spec, &code);
    ck_assert_int_eq(code, OA_EXIT_FAIL);
    ck_assert_ptr_nonnull(strstr(out, "it uses its own spec"));
    free(out);
    static const char *const json[] = {"--json", "--interval-ms=0", "sriov"};
    out = call("doctor", 3, json, &code);
    ck_assert_ptr_nonnull(strstr(out, "\"version\": 1"));
    free(out);

    agentd_serve_destroy(serve);
    close(lfd);
    unlink(sock_path);
    rmdir(tmpdir);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("agentd-doctor");
    TCase *tc = tcase_create("doctor");
    tcase_add_test(tc, doctor_runs_beside_status);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
