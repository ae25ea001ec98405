/* metrics: the Prometheus text rendered from a status document and the
 * stats table (agent/metrics.c): each metric the operator alerts on with
 * its labels and value, the histogram's cumulative buckets, label
 * escaping, nothing observed, and the format's structure (every sample
 * after its family's TYPE, families not repeated). promtool checks the
 * daemon's real output in daemon-metrics. */
#include "metrics.h"

#include "oa-check.h"
#include "offload/spec.h"
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char spec_text[] =
    "{\"version\": 1, \"bridges\": [{\"name\": \"br\"}],\n"
    " \"pfs\": [{\"netdev\": \"eth0\", \"eswitch\": \"switchdev\",\n"
    "           \"num_vfs\": 4, \"bridge\": \"br\"},\n"
    "          {\"netdev\": \"eth9\", \"num_vfs\": 2}]}\n";

/* eth0 has 2 of its 4 VFs, one representor with a rule not in
 * hardware; eth9 is not found. */
static const char status_text[] =
    "{\"converged\": false,"
    " \"ovs\": {\"connected\": true, \"hw_offload\": true,"
    "  \"tc_policy\": \"none\", \"offload\": \"in-effect\"},"
    " \"pfs\": [{\"id\": \"eth0\", \"found\": true, \"netdev\": \"eth0\","
    "  \"num_vfs\": 2,"
    "  \"uplink\": {\"netdev\": \"eth0\", \"tc\": {\"rules\": 1,"
    "   \"in_hw\": 1, \"not_in_hw\": 0}},"
    "  \"vfs\": [{\"index\": 0, \"representor\": \"eth1\","
    "    \"tc\": {\"rules\": 3, \"in_hw\": 2, \"not_in_hw\": 1}},"
    "   {\"index\": 1, \"representor\": \"eth2\", \"tc\": null}]},"
    "  {\"id\": \"eth9\", \"found\": false, \"error\": \"no netdev\","
    "   \"num_vfs\": 0, \"uplink\": null, \"vfs\": []}],"
    " \"problems\": [{\"severity\": \"error\", \"object\": \"eth1\"},"
    "  {\"severity\": \"warning\", \"object\": \"eth0\"},"
    "  {\"severity\": \"error\", \"object\": \"eth9\"}]}";

static struct spec *
load_spec(void)
{
    struct spec *spec = NULL;
    struct spec_errors *errors = NULL;

    ck_assert_int_eq(spec_load_buffer("test.json", spec_text,
                                      strlen(spec_text), &spec, &errors),
                     0);
    spec_errors_destroy(errors);
    return spec;
}

/* True when 'text' has 'line' as a whole line. */
static bool
has_line(const char *text, const char *line)
{
    size_t len = strlen(line);

    for (const char *p = text; (p = strstr(p, line)); p++) {
        if ((p == text || p[-1] == '\n') && p[len] == '\n') {
            return true;
        }
    }
    return false;
}

#define ck_assert_line(text, line) \
    ck_assert_msg(has_line(text, line), "no line \"%s\" in:\n%s", line, text)

START_TEST(observation_metrics)
{
    struct spec *spec = load_spec();
    struct metrics_input in = {
        .version = "0.9.1",
        .status_json = status_text,
        .spec = spec,
        .spec_valid = true,
        .last_success = 1764633600.5,
    };
    char *text = metrics_render(&in);

    ck_assert_ptr_nonnull(text);
    ck_assert_line(text, "offload_agent_build_info{version=\"0.9.1\"} 1");
    ck_assert_line(text, "offload_agent_spec_valid 1");
    ck_assert_line(text, "offload_agent_converged 0");
    ck_assert_line(text, "offload_agent_ovs_connected 1");
    ck_assert_line(text, "offload_agent_hw_offload_in_effect 1");
    ck_assert_line(text, "offload_agent_problems{severity=\"error\"} 2");
    ck_assert_line(text, "offload_agent_problems{severity=\"warning\"} 1");
    ck_assert_line(text, "offload_agent_vfs_wanted{pf=\"eth0\"} 4");
    ck_assert_line(text, "offload_agent_vfs_present{pf=\"eth0\"} 2");
    ck_assert_line(text, "offload_agent_vfs_wanted{pf=\"eth9\"} 2");
    ck_assert_line(text, "offload_agent_vfs_present{pf=\"eth9\"} 0");
    ck_assert_line(text, "offload_agent_tc_rules_in_hw{pf=\"eth0\",vf=\"0\","
                         "netdev=\"eth1\"} 2");
    ck_assert_line(text, "offload_agent_tc_rules_not_in_hw{pf=\"eth0\","
                         "vf=\"0\",netdev=\"eth1\"} 1");
    ck_assert_line(text, "offload_agent_tc_rules_in_hw{pf=\"eth0\","
                         "vf=\"uplink\",netdev=\"eth0\"} 1");
    /* Rules not dumped: no sample rather than a made-up 0. */
    ck_assert_ptr_null(strstr(text, "netdev=\"eth2\""));
    ck_assert_line(text, "offload_agent_last_success_timestamp_seconds "
                         "1764633600.500");
    /* No stats given: no counters. */
    ck_assert_ptr_null(strstr(text, "reconciles_total"));
    free(text);
    spec_destroy(spec);
}
END_TEST

START_TEST(offload_not_in_effect)
{
    static const char *const cases[] = {
        "{\"converged\": true, \"ovs\": {\"connected\": true, "
        "\"hw_offload\": true, \"offload\": \"restart-needed\"}, \"pfs\": []}",
        "{\"converged\": true, \"ovs\": {\"connected\": true, "
        "\"hw_offload\": false, \"offload\": \"in-effect\"}, \"pfs\": []}",
    };

    for (size_t i = 0; i < 2; i++) {
        struct metrics_input in = {.status_json = cases[i]};
        char *text = metrics_render(&in);

        ck_assert_ptr_nonnull(text);
        ck_assert_line(text, "offload_agent_converged 1");
        ck_assert_line(text, "offload_agent_hw_offload_in_effect 0");
        ck_assert_line(text, "offload_agent_spec_valid 0");
        free(text);
    }
}
END_TEST

START_TEST(counters_and_histogram)
{
    struct stats_view v;
    struct metrics_input in = {.version = "1"};
    char *text;

    stats_reset();
    stats_inc(STATS_RECONCILES_CONVERGED);
    stats_inc(STATS_RECONCILES_FAILED);
    stats_inc(STATS_CHECKS);
    stats_inc(STATS_CHECKS);
    stats_count_step("set-vf", 0, NULL);
    stats_count_step("set-vf", 0, "unchanged: 02:00:00:00:01:00");
    stats_count_step("add-port", -16, "busy");
    stats_count_drift("set-link-up");
    stats_count_drift("set-link-up");
    stats_count_drift("add-port");
    stats_reconcile_time(30);     /* <= 0.05 s */
    stats_reconcile_time(700);    /* <= 1 s */
    stats_reconcile_time(1000);   /* <= 1 s: the bound is inclusive */
    stats_reconcile_time(200000); /* above every bound */
    stats_read(&v);
    in.stats = &v;
    text = metrics_render(&in);

    ck_assert_ptr_nonnull(text);
    ck_assert_line(text,
                   "offload_agent_reconciles_total{result=\"converged\"} 1");
    ck_assert_line(text,
                   "offload_agent_reconciles_total{result=\"blocked\"} 0");
    ck_assert_line(text,
                   "offload_agent_reconciles_total{result=\"failed\"} 1");
    ck_assert_line(text, "offload_agent_checks_total 2");
    ck_assert_line(text, "# TYPE offload_agent_reconcile_duration_seconds "
                         "histogram");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_bucket{le="
                         "\"0.05\"} 1");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_bucket{le="
                         "\"0.5\"} 1");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_bucket{le="
                         "\"1\"} 3");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_bucket{le="
                         "\"120\"} 3");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_bucket{le="
                         "\"+Inf\"} 4");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_sum "
                         "201.730");
    ck_assert_line(text, "offload_agent_reconcile_duration_seconds_count 4");
    ck_assert_line(text, "offload_agent_steps_total{action=\"set-vf\","
                         "result=\"done\"} 1");
    ck_assert_line(text, "offload_agent_steps_total{action=\"set-vf\","
                         "result=\"skipped\"} 1");
    ck_assert_line(text, "offload_agent_steps_total{action=\"add-port\","
                         "result=\"failed\"} 1");
    ck_assert_line(text, "offload_agent_drift_repairs_total{kind=\"set-link-"
                         "up\"} 2");
    ck_assert_line(text,
                   "offload_agent_drift_repairs_total{kind=\"add-port\"} 1");
    /* Nothing observed: not converged, no per-PF series. */
    ck_assert_line(text, "offload_agent_converged 0");
    ck_assert_line(text, "offload_agent_ovs_connected 0");
    ck_assert_line(text, "offload_agent_last_success_timestamp_seconds 0.000");
    ck_assert_ptr_null(strstr(text, "vfs_wanted"));
    free(text);
}
END_TEST

START_TEST(label_values_escaped)
{
    static const char status[] =
        "{\"converged\": true, \"pfs\": [{\"id\": \"a\\\"b\\\\c\\nd\","
        " \"found\": true, \"num_vfs\": 1}]}";
    struct metrics_input in = {.status_json = status};
    char *text = metrics_render(&in);

    ck_assert_ptr_nonnull(text);
    ck_assert_line(text,
                   "offload_agent_vfs_present{pf=\"a\\\"b\\\\c\\nd\"} 1");
    free(text);
}
END_TEST

START_TEST(not_a_status_document)
{
    struct metrics_input in = {.status_json = "[1, 2"};

    ck_assert_ptr_null(metrics_render(&in));
    in.status_json = "[1, 2]";
    ck_assert_ptr_null(metrics_render(&in));
}
END_TEST

/* The exposition format's structure: HELP then TYPE once per family,
 * every sample belongs to the family declared last (a histogram's
 * _bucket, _sum, _count to its own), each line "NAME[{...}] VALUE". */
START_TEST(families_grouped_and_typed)
{
    struct spec *spec = load_spec();
    struct stats_view v;
    struct metrics_input in = {
        .version = "1", .status_json = status_text, .spec = spec, .stats = &v};
    char family[128] = "", seen[4096] = " ";
    char *text, *save = NULL;

    stats_reset();
    stats_count_step("set-vf", 0, NULL);
    stats_count_drift("set-vf");
    stats_reconcile_time(5);
    stats_read(&v);
    text = metrics_render(&in);
    ck_assert_ptr_nonnull(text);
    ck_assert_int_eq(text[strlen(text) - 1], '\n');
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char name[128], type[32], key[140];

        if (sscanf(line, "# TYPE %127s %31s", name, type) == 2) {
            snprintf(key, sizeof key, " %s ", name);
            ck_assert_msg(!strstr(seen, key), "family %s twice", name);
            ck_assert_uint_lt(strlen(seen) + strlen(key), sizeof seen);
            strcat(seen, key + 1);
            strcpy(family, name);
            continue;
        }
        if (!strncmp(line, "# HELP ", 7)) {
            continue;
        }
        size_t n = strcspn(line, "{ ");
        ck_assert_msg(n > 0 && !strncmp(line, family, strlen(family)),
                      "sample outside its family %s: %s", family, line);
        ck_assert_msg(n == strlen(family) ||
                          !strncmp(line + strlen(family), "_bucket", 7) ||
                          !strncmp(line + strlen(family), "_sum", 4) ||
                          !strncmp(line + strlen(family), "_count", 6),
                      "sample outside its family %s: %s", family, line);
        ck_assert_ptr_nonnull(strrchr(line, ' '));
    }
    free(text);
    spec_destroy(spec);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("metrics");

    tcase_add_test(tc, observation_metrics);
    tcase_add_test(tc, offload_not_in_effect);
    tcase_add_test(tc, counters_and_histogram);
    tcase_add_test(tc, label_values_escaped);
    tcase_add_test(tc, not_a_status_document);
    tcase_add_test(tc, families_grouped_and_typed);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
