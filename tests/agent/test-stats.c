/* stats: the daemon's counters (agent/stats.c): what each bump counts,
 * steps by action name and result, the timers, OVSDB totals across a
 * reconnect, and a reader on another thread while the main one bumps. */
#include "stats.h"

#include "oa-check.h"
#include "oa-common/iostat.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static const struct stats_step *
find_step(const struct stats_view *v, const char *action)
{
    for (size_t i = 0; i < v->n_steps; i++) {
        if (!strcmp(v->steps[i].action, action)) {
            return &v->steps[i];
        }
    }
    return NULL;
}

START_TEST(counters_start_at_zero_and_count)
{
    struct stats_view v;

    stats_reset();
    stats_read(&v);
    for (size_t i = 0; i < STATS_N_COUNTERS; i++) {
        ck_assert_uint_eq(v.counters[i], 0);
    }
    ck_assert_uint_eq(v.n_steps, 0);
    ck_assert_int_eq(v.last_reconcile_ms, -1);
    ck_assert_int_eq(v.longest_reconcile_ms, -1);

    stats_inc(STATS_RECONCILES_CONVERGED);
    stats_inc(STATS_RECONCILES_CONVERGED);
    stats_inc(STATS_RECONCILES_FAILED);
    stats_add(STATS_NETLINK_EVENTS, 5);
    stats_read(&v);
    ck_assert_uint_eq(v.counters[STATS_RECONCILES_CONVERGED], 2);
    ck_assert_uint_eq(v.counters[STATS_RECONCILES_FAILED], 1);
    ck_assert_uint_eq(v.counters[STATS_RECONCILES_BLOCKED], 0);
    ck_assert_uint_eq(v.counters[STATS_NETLINK_EVENTS], 5);
}
END_TEST

START_TEST(step_results_from_the_apply_callback)
{
    ck_assert_int_eq(stats_step_result(0, NULL), STATS_STEP_DONE);
    ck_assert_int_eq(stats_step_result(0, ""), STATS_STEP_DONE);
    ck_assert_int_eq(stats_step_result(0, "legacy -> switchdev"),
                     STATS_STEP_DONE);
    ck_assert_int_eq(stats_step_result(0, "unchanged: switchdev"),
                     STATS_STEP_SKIPPED);
    ck_assert_int_eq(stats_step_result(0, "skipped: no netdev (next round)"),
                     STATS_STEP_SKIPPED);
    ck_assert_int_eq(stats_step_result(-EBUSY, "unchanged"),
                     STATS_STEP_FAILED);
}
END_TEST

START_TEST(steps_by_action_name)
{
    struct stats_view v;
    char name[32];

    stats_reset();
    stats_count_step("set-eswitch", 0, "legacy -> switchdev");
    stats_count_step("set-eswitch", 0, "unchanged: switchdev");
    stats_count_step("set-eswitch", -EOPNOTSUPP, "refused");
    stats_count_step("add-port", 0, NULL);
    stats_read(&v);
    ck_assert_uint_eq(v.n_steps, 2);
    const struct stats_step *s = find_step(&v, "set-eswitch");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n[STATS_STEP_DONE], 1);
    ck_assert_uint_eq(s->n[STATS_STEP_SKIPPED], 1);
    ck_assert_uint_eq(s->n[STATS_STEP_FAILED], 1);
    s = find_step(&v, "add-port");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n[STATS_STEP_DONE], 1);

    /* More kinds than the table holds: the rest go to "other". */
    for (int i = 0; i < STATS_MAX_ACTIONS + 3; i++) {
        snprintf(name, sizeof name, "kind-%d", i);
        stats_count_step(name, 0, NULL);
    }
    stats_read(&v);
    ck_assert_uint_eq(v.n_steps, STATS_MAX_ACTIONS + 1);
    s = find_step(&v, "other");
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->n[STATS_STEP_DONE], 5);
}
END_TEST

START_TEST(reconcile_timers)
{
    struct stats_view v;

    stats_reset();
    stats_reconcile_time(300);
    stats_reconcile_time(1200);
    stats_reconcile_time(40);
    stats_read(&v);
    ck_assert_int_eq(v.last_reconcile_ms, 40);
    ck_assert_int_eq(v.longest_reconcile_ms, 1200);
}
END_TEST

START_TEST(ovsdb_totals_survive_a_reconnect)
{
    struct stats_view v;

    stats_reset();
    stats_ovsdb_totals(3, 1);
    stats_ovsdb_totals(5, 1);
    /* A new connection counts from 0 again. */
    stats_ovsdb_totals(2, 0);
    stats_read(&v);
    ck_assert_uint_eq(v.counters[STATS_OVSDB_COMMITS], 7);
    ck_assert_uint_eq(v.counters[STATS_OVSDB_RETRIES], 1);
}
END_TEST

START_TEST(names_of_counters)
{
    ck_assert_str_eq(stats_counter_name(STATS_CHECKS), "checks");
    ck_assert_ptr_null(stats_counter_group(STATS_CHECKS));
    ck_assert_str_eq(stats_counter_group(STATS_RECONCILES_BLOCKED),
                     "reconciles");
    ck_assert_str_eq(stats_counter_name(STATS_NETLINK_IGNORED), "ignored");
    ck_assert_str_eq(stats_step_result_name(STATS_STEP_SKIPPED), "skipped");
}
END_TEST

/* The "io" group is what netlink/ counted where it asked the kernel
 * (oa-common/iostat.h); the step and phase timers add up. */
START_TEST(io_counts_and_timers)
{
    struct stats_view v;

    stats_reset();
    oa_iostat_inc(OA_IOSTAT_NL_DUMPS);
    oa_iostat_inc(OA_IOSTAT_NL_DUMPS);
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    stats_step_time("wait-vfs", 1500);
    stats_step_time("wait-vfs", 500);
    stats_add(STATS_TIME_OBSERVE_US, 42);
    stats_read(&v);
    ck_assert_uint_eq(v.counters[STATS_IO_NETLINK_DUMPS], 2);
    ck_assert_uint_eq(v.counters[STATS_IO_SYSFS_READS], 1);
    ck_assert_uint_eq(v.counters[STATS_IO_NETLINK_REQUESTS], 0);
    ck_assert_uint_eq(v.counters[STATS_TIME_OBSERVE_US], 42);
    ck_assert_str_eq(stats_counter_group(STATS_IO_SYSFS_WRITES), "io");
    ck_assert_str_eq(stats_counter_name(STATS_TIME_PLAN_US), "plan");
    ck_assert_uint_eq(find_step(&v, "wait-vfs")->us, 2000);
    stats_reset();
    stats_read(&v);
    ck_assert_uint_eq(v.counters[STATS_IO_NETLINK_DUMPS], 0);
}
END_TEST

static void *
reader(void *aux)
{
    struct stats_view v;
    uint64_t last = 0;

    (void)aux;
    for (int i = 0; i < 20000; i++) {
        stats_read(&v);
        /* Monotonic, and every published step has its name. */
        if (v.counters[STATS_CHECKS] < last) {
            return (void *)1;
        }
        last = v.counters[STATS_CHECKS];
        for (size_t k = 0; k < v.n_steps; k++) {
            if (!v.steps[k].action[0]) {
                return (void *)2;
            }
        }
    }
    return NULL;
}

START_TEST(read_while_bumped_on_another_thread)
{
    pthread_t t;
    void *rv;
    char name[32];

    stats_reset();
    ck_assert_int_eq(pthread_create(&t, NULL, reader, NULL), 0);
    for (int i = 0; i < 20000; i++) {
        stats_inc(STATS_CHECKS);
        snprintf(name, sizeof name, "a-%d", i % 40);
        stats_count_step(name, 0, NULL);
    }
    ck_assert_int_eq(pthread_join(t, &rv), 0);
    ck_assert_ptr_null(rv);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("stats");
    TCase *tc = tcase_create("stats");

    tcase_add_test(tc, counters_start_at_zero_and_count);
    tcase_add_test(tc, step_results_from_the_apply_callback);
    tcase_add_test(tc, steps_by_action_name);
    tcase_add_test(tc, reconcile_timers);
    tcase_add_test(tc, ovsdb_totals_survive_a_reconnect);
    tcase_add_test(tc, names_of_counters);
    tcase_add_test(tc, io_counts_and_timers);
    tcase_add_test(tc, read_while_bumped_on_another_thread);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
