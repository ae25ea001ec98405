/* report: what the daemon adds when it serves a report later
 * (report_to_json_live, report_to_text_live) and the report of nothing
 * observed (report_build_unobserved), the daemon's answer when it has no
 * valid spec. Parsed back with jansson: these keys are the contract of
 * `agentctl status --json` (docs/cli.md). */
#include "report.h"
#include "stats.h"

#include "oa-check.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static json_t *
parse(char *text)
{
    json_error_t error;
    json_t *root;

    ck_assert_ptr_nonnull(text);
    root = json_loads(text, 0, &error);
    ck_assert_msg(root != NULL, "%s: %s", error.text, text);
    free(text);
    return root;
}

START_TEST(unobserved_report_is_a_status_document)
{
    struct report *rep = report_build_unobserved();

    ck_assert_ptr_nonnull(rep);
    ck_assert_int_eq(report_add_problem(rep, REPORT_ERROR, "/etc/host.json",
                                        "agentctl validate",
                                        "no valid spec (%s): %s",
                                        "/etc/host.json", "not loaded"),
                     0);
    ck_assert(!report_converged(rep));
    ck_assert_int_eq(report_exit_code(rep), 1);

    json_t *root = parse(report_to_json(rep, false));
    ck_assert(json_is_false(json_object_get(root, "converged")));
    ck_assert_int_eq(json_array_size(json_object_get(root, "pfs")), 0);
    json_t *problems = json_object_get(root, "problems");
    ck_assert_int_eq(json_array_size(problems), 1);
    json_t *p = json_array_get(problems, 0);
    ck_assert_str_eq(json_string_value(json_object_get(p, "severity")),
                     "error");
    ck_assert_str_eq(json_string_value(json_object_get(p, "object")),
                     "/etc/host.json");
    ck_assert_str_eq(json_string_value(json_object_get(p, "message")),
                     "no valid spec (/etc/host.json): not loaded");
    ck_assert_str_eq(json_string_value(json_object_get(p, "hint")),
                     "agentctl validate");
    /* Only what the daemon adds live carries these. */
    ck_assert_ptr_null(json_object_get(root, "observed_age_ms"));
    ck_assert_ptr_null(json_object_get(root, "stats"));
    json_decref(root);

    /* The text names the problem and does not claim an OVS state. */
    char *text = report_to_text(rep);
    ck_assert_ptr_nonnull(strstr(text, "no valid spec (/etc/host.json)"));
    ck_assert_ptr_null(strstr(text, "OVS"));
    ck_assert_ptr_nonnull(strstr(text, "NOT converged"));
    free(text);
    report_free(rep);
}
END_TEST

START_TEST(live_keys_age_reconciling_stats)
{
    struct report *rep = report_build_unobserved();
    struct stats_view stats;
    struct report_live live = {
        .observed_age_ms = 1234, .reconciling = true, .stats = &stats};

    stats_reset();
    stats_inc(STATS_RECONCILES_FAILED);
    stats_inc(STATS_CHECKS);
    stats_add(STATS_NETLINK_EVENTS, 3);
    stats_count_step("set-numvfs", 0, "2 -> 4");
    stats_count_step("set-numvfs", -16, "busy");
    stats_reconcile_time(250);
    stats_read(&stats);

    json_t *root = parse(report_to_json_live(rep, true, &live));
    ck_assert_int_eq(
        json_integer_value(json_object_get(root, "observed_age_ms")), 1234);
    ck_assert(json_is_true(json_object_get(root, "reconciling")));
    json_t *st = json_object_get(root, "stats");
    ck_assert(json_is_object(st));
    json_t *rec = json_object_get(st, "reconciles");
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "failed")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "converged")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(rec, "blocked")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(st, "checks")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(st, "netlink"), "events")),
                     3);
    ck_assert_int_eq(json_integer_value(json_object_get(
                         json_object_get(st, "netlink"), "ignored")),
                     0);
    ck_assert_ptr_nonnull(
        json_object_get(json_object_get(st, "ovsdb"), "commits"));
    ck_assert_ptr_nonnull(
        json_object_get(json_object_get(st, "ovsdb"), "retries"));
    json_t *step = json_object_get(json_object_get(st, "steps"), "set-numvfs");
    ck_assert_int_eq(json_integer_value(json_object_get(step, "done")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(step, "skipped")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(step, "failed")), 1);
    json_t *ms = json_object_get(st, "reconcile_ms");
    ck_assert_int_eq(json_integer_value(json_object_get(ms, "last")), 250);
    ck_assert_int_eq(json_integer_value(json_object_get(ms, "longest")), 250);
    json_decref(root);

    char *text = report_to_text_live(rep, &live);
    ck_assert_ptr_nonnull(
        strstr(text, "observed 1.2 s ago, reconcile in progress\n"));
    free(text);
    live.reconciling = false;
    text = report_to_text_live(rep, &live);
    ck_assert_ptr_nonnull(strstr(text, "observed 1.2 s ago\n"));
    free(text);

    /* Before any reconcile the timers are null; without an age (agentctl
     * observed itself) neither age nor flag appear. */
    stats_reset();
    stats_read(&stats);
    live.observed_age_ms = -1;
    root = parse(report_to_json_live(rep, false, &live));
    ck_assert_ptr_null(json_object_get(root, "observed_age_ms"));
    ck_assert_ptr_null(json_object_get(root, "reconciling"));
    ms = json_object_get(json_object_get(root, "stats"), "reconcile_ms");
    ck_assert(json_is_null(json_object_get(ms, "last")));
    json_decref(root);
    report_free(rep);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("report-live");
    TCase *tc = tcase_create("live");

    tcase_add_test(tc, unobserved_report_is_a_status_document);
    tcase_add_test(tc, live_keys_age_reconciling_stats);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
