/* oa_cancel: a wait ends on a readable cancel fd only when the check says
 * the wait is moot, and stays cancelled; a NULL cancel never is. Real
 * pipes, no fakes. */
#include "oa-common/cancel.h"

#include "oa-check.h"

#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

struct probe {
    int fd;      /* read by the check */
    bool answer; /* what the check says */
    int calls;
};

static bool
check(void *aux)
{
    struct probe *p = aux;
    char c;
    p->calls++;
    while (read(p->fd, &c, 1) == 1) {
    }
    return p->answer;
}

START_TEST(test_cancel_ends_a_wait_at_once)
{
    int sig[2], own[2];
    ck_assert_int_eq(pipe2(sig, O_NONBLOCK), 0);
    ck_assert_int_eq(pipe(own), 0);
    struct probe p = {.fd = sig[0], .answer = true};
    struct oa_cancel c = {
        .fds = {sig[0]}, .n_fds = 1, .check = check, .aux = &p};
    struct pollfd pfd = {own[0], POLLIN, 0};

    ck_assert(!oa_cancel_test(&c));
    ck_assert_int_eq(write(sig[1], "x", 1), 1);
    long long t0 = now_ms();
    ck_assert_int_eq(oa_cancel_poll(&c, &pfd, 1, 10000), -ECANCELED);
    ck_assert_int_lt(now_ms() - t0, 5000); /* not the 10 s bound */
    ck_assert_int_eq(p.calls, 1);
    /* Sticky: the next wait returns at once, without asking again. */
    ck_assert_int_eq(oa_cancel_poll(&c, &pfd, 1, 10000), -ECANCELED);
    ck_assert(oa_cancel_test(&c));
    ck_assert_int_eq(p.calls, 1);
    close(sig[0]);
    close(sig[1]);
    close(own[0]);
    close(own[1]);
}
END_TEST

START_TEST(test_not_moot_keeps_waiting_for_own_fd)
{
    int sig[2], own[2];
    ck_assert_int_eq(pipe2(sig, O_NONBLOCK), 0);
    ck_assert_int_eq(pipe(own), 0);
    struct probe p = {.fd = sig[0], .answer = false};
    struct oa_cancel c = {
        .fds = {-1, sig[0]}, .n_fds = 2, .check = check, .aux = &p};
    struct pollfd pfd = {own[0], POLLIN, 0};

    ck_assert_int_eq(write(sig[1], "x", 1), 1);
    /* The check read the byte and said "not moot": no cancel, nothing of
     * the caller's ready. */
    ck_assert_int_eq(oa_cancel_poll(&c, &pfd, 1, 1000), 0);
    ck_assert_int_eq(p.calls, 1);
    ck_assert(!c.cancelled);
    ck_assert_int_eq(write(own[1], "y", 1), 1);
    ck_assert_int_eq(oa_cancel_poll(&c, &pfd, 1, 1000), 1);
    ck_assert(pfd.revents & POLLIN);
    /* A timeout is 0, not an error. */
    char b;
    ck_assert_int_eq(read(own[0], &b, 1), 1);
    ck_assert_int_eq(oa_cancel_poll(&c, &pfd, 1, 20), 0);
    close(sig[0]);
    close(sig[1]);
    close(own[0]);
    close(own[1]);
}
END_TEST

START_TEST(test_null_is_never_cancelled)
{
    int own[2];
    ck_assert_int_eq(pipe(own), 0);
    struct pollfd pfd = {own[0], POLLIN, 0};
    ck_assert(!oa_cancel_test(NULL));
    ck_assert_int_eq(oa_cancel_poll(NULL, &pfd, 1, 10), 0);
    ck_assert_int_eq(write(own[1], "y", 1), 1);
    ck_assert_int_eq(oa_cancel_poll(NULL, &pfd, 1, 10), 1);
    close(own[0]);
    close(own[1]);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("cancel");
    TCase *tc = tcase_create("cancel");
    tcase_add_test(tc, test_cancel_ends_a_wait_at_once);
    tcase_add_test(tc, test_not_moot_keeps_waiting_for_own_fd);
    tcase_add_test(tc, test_null_is_never_cancelled);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
