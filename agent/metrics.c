/* metrics: the Prometheus text format from the status document and the
 * stats table (see metrics.h; the metrics are listed in docs/metrics.md).
 * Families without a sample are left out: node_exporter's textfile
 * collector and promtool take them, but they say nothing. */
#include "metrics.h"

#include "oa-common/str.h"
#include "offload/spec.h"
#include "stats.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PREFIX "offload_agent_"

static void
family(struct oa_str *out, const char *name, const char *type,
       const char *help)
{
    oa_str_printf(out, "# HELP " PREFIX "%s %s\n# TYPE " PREFIX "%s %s\n",
                  name, help, name, type);
}

/* Appends 'value' escaped as a label value: backslash, double quote and
 * newline are the three the format escapes. */
static void
label_value(struct oa_str *out, const char *value)
{
    for (const char *p = value ? value : ""; *p; p++) {
        if (*p == '\\') {
            oa_str_puts(out, "\\\\");
        } else if (*p == '"') {
            oa_str_puts(out, "\\\"");
        } else if (*p == '\n') {
            oa_str_puts(out, "\\n");
        } else {
            oa_str_putc(out, *p);
        }
    }
}

/* One sample: NAME{K1="V1",...} VALUE. 'labels' are NULL-terminated
 * key/value pairs (NULL: none). */
static void
sample(struct oa_str *out, const char *name, const char *const *labels,
       const char *value)
{
    oa_str_printf(out, PREFIX "%s", name);
    for (size_t i = 0; labels && labels[i]; i += 2) {
        oa_str_printf(out, "%s%s=\"", i ? "," : "{", labels[i]);
        label_value(out, labels[i + 1]);
        oa_str_printf(out, "\"");
    }
    oa_str_printf(out, "%s %s\n", labels && labels[0] ? "}" : "", value);
}

static void
sample_u64(struct oa_str *out, const char *name, const char *const *labels,
           uint64_t value)
{
    char text[24];

    snprintf(text, sizeof text, "%" PRIu64, value);
    sample(out, name, labels, text);
}

/* A gauge without labels. */
static void
gauge(struct oa_str *out, const char *name, const char *help, uint64_t value)
{
    family(out, name, "gauge", help);
    sample_u64(out, name, NULL, value);
}

/* ---- From the status document ------------------------------------------ */

static bool
is_true(const json_t *doc, const char *key)
{
    return json_is_true(json_object_get(doc, key));
}

static const char *
string_of(const json_t *doc, const char *key)
{
    return json_string_value(json_object_get(doc, key));
}

static uint64_t
count_of(const json_t *doc, const char *key)
{
    json_int_t n = json_integer_value(json_object_get(doc, key));
    return n > 0 ? (uint64_t)n : 0;
}

static void
render_ovs(struct oa_str *out, const json_t *status)
{
    const json_t *ovs = json_object_get(status, "ovs");
    const char *offload = string_of(ovs, "offload");

    gauge(out, "ovs_connected",
          "1 when the Open vSwitch database answered the last observation",
          is_true(ovs, "connected"));
    gauge(out, "hw_offload_in_effect",
          "1 when other_config:hw-offload is true and the running "
          "ovs-vswitchd has it in effect",
          is_true(ovs, "hw_offload") && offload &&
              !strcmp(offload, "in-effect"));
}

static void
render_problems(struct oa_str *out, const json_t *status)
{
    const json_t *problems = json_object_get(status, "problems");
    uint64_t errors = 0, warnings = 0;
    size_t i;
    json_t *p;

    json_array_foreach(problems, i, p)
    {
        const char *severity = string_of(p, "severity");
        if (severity && !strcmp(severity, "warning")) {
            warnings++;
        } else {
            errors++;
        }
    }
    family(out, "problems", "gauge",
           "Problems of the last status, by severity");
    sample_u64(out, "problems", (const char *[]){"severity", "error", NULL},
               errors);
    sample_u64(out, "problems", (const char *[]){"severity", "warning", NULL},
               warnings);
}

/* The spec's VF count for the PF 'id'. */
static uint64_t
vfs_wanted(const struct spec *spec, const char *id)
{
    for (size_t i = 0; spec && id && i < spec->n_pfs; i++) {
        if (!strcmp(spec->pfs[i].id, id)) {
            return spec->pfs[i].num_vfs;
        }
    }
    return 0;
}

static void
render_vfs(struct oa_str *out, const json_t *pfs, const struct spec *spec)
{
    size_t i;
    json_t *pf;

    family(out, "vfs_wanted", "gauge", "VFs the spec asks for, per PF");
    json_array_foreach(pfs, i, pf)
    {
        const char *id = string_of(pf, "id");
        sample_u64(out, "vfs_wanted", (const char *[]){"pf", id, NULL},
                   vfs_wanted(spec, id));
    }
    family(out, "vfs_present", "gauge",
           "VFs the PF has (sriov_numvfs; 0 when the PF is not found)");
    json_array_foreach(pfs, i, pf)
    {
        sample_u64(out, "vfs_present",
                   (const char *[]){"pf", string_of(pf, "id"), NULL},
                   is_true(pf, "found") ? count_of(pf, "num_vfs") : 0);
    }
}

/* One tc sample of the netdev 'port' ("tc": counts, or null: not
 * dumped, no sample). */
static void
tc_sample(struct oa_str *out, const char *name, const char *key,
          const char *pf, const char *vf, const json_t *port,
          const char *netdev_key)
{
    const json_t *tc = json_object_get(port, "tc");
    const char *netdev = string_of(port, netdev_key);

    if (json_is_object(tc) && netdev) {
        sample_u64(
            out, name,
            (const char *[]){"pf", pf, "vf", vf, "netdev", netdev, NULL},
            count_of(tc, key));
    }
}

/* Per representor (label vf: its index) and uplink (vf="uplink"). */
static void
render_tc(struct oa_str *out, const json_t *pfs, const char *name,
          const char *key, const char *help)
{
    size_t i, k;
    json_t *pf, *vf;

    family(out, name, "gauge", help);
    json_array_foreach(pfs, i, pf)
    {
        const char *id = string_of(pf, "id");

        tc_sample(out, name, key, id, "uplink", json_object_get(pf, "uplink"),
                  "netdev");
        json_array_foreach(json_object_get(pf, "vfs"), k, vf)
        {
            char index[24];

            snprintf(index, sizeof index, "%" JSON_INTEGER_FORMAT,
                     json_integer_value(json_object_get(vf, "index")));
            tc_sample(out, name, key, id, index, vf, "representor");
        }
    }
}

static void
render_status(struct oa_str *out, const json_t *status,
              const struct spec *spec)
{
    const json_t *pfs = json_object_get(status, "pfs");

    gauge(out, "converged",
          "1 when the last observation found the host as the spec says",
          is_true(status, "converged"));
    render_ovs(out, status);
    render_problems(out, status);
    if (json_array_size(pfs)) {
        render_vfs(out, pfs, spec);
        render_tc(out, pfs, "tc_rules_in_hw", "in_hw",
                  "tc flower rules the kernel reports in hardware, per "
                  "representor and uplink");
        render_tc(out, pfs, "tc_rules_not_in_hw", "not_in_hw",
                  "tc flower rules not in hardware, per representor and "
                  "uplink");
    }
}

/* ---- From the stats table ---------------------------------------------- */

static void
render_histogram(struct oa_str *out, const struct stats_view *v)
{
    const char *name = "reconcile_duration_seconds";
    uint64_t cumulative = 0;
    char le[32], sum[32];

    family(out, name, "histogram", "Wall time of the daemon's reconciles");
    for (size_t b = 0; b <= STATS_N_BUCKETS; b++) {
        cumulative += v->buckets[b];
        if (b < STATS_N_BUCKETS) {
            snprintf(le, sizeof le, "%g", stats_bucket_ms[b] / 1000.0);
        } else {
            strcpy(le, "+Inf");
        }
        sample_u64(out, "reconcile_duration_seconds_bucket",
                   (const char *[]){"le", le, NULL}, cumulative);
    }
    snprintf(sum, sizeof sum, "%.3f", v->sum_reconcile_ms / 1000.0);
    sample(out, "reconcile_duration_seconds_sum", NULL, sum);
    sample_u64(out, "reconcile_duration_seconds_count", NULL, v->n_reconciles);
}

static void
render_steps(struct oa_str *out, const struct stats_view *v)
{
    if (!v->n_steps) {
        return;
    }
    family(out, "steps_total", "counter",
           "Steps applied, by action and result (skipped: nothing "
           "written)");
    for (size_t i = 0; i < v->n_steps; i++) {
        for (int r = 0; r < STATS_STEP_N_RESULTS; r++) {
            sample_u64(out, "steps_total",
                       (const char *[]){"action", v->steps[i].action, "result",
                                        stats_step_result_name(r), NULL},
                       v->steps[i].n[r]);
        }
    }
}

static void
render_stats(struct oa_str *out, const struct stats_view *v)
{
    static const struct {
        enum stats_counter counter;
        const char *result;
    } results[] = {
        {STATS_RECONCILES_CONVERGED, "converged"},
        {STATS_RECONCILES_BLOCKED, "blocked"},
        {STATS_RECONCILES_FAILED, "failed"},
    };

    family(out, "reconciles_total", "counter",
           "Reconciles by result (blocked: only blockers were left)");
    for (size_t i = 0; i < sizeof results / sizeof results[0]; i++) {
        sample_u64(out, "reconciles_total",
                   (const char *[]){"result", results[i].result, NULL},
                   v->counters[results[i].counter]);
    }
    family(out, "checks_total", "counter",
           "Dry runs after events: observe and plan, no apply");
    sample_u64(out, "checks_total", NULL, v->counters[STATS_CHECKS]);
    family(out, "observations_total", "counter",
           "Looks at the host: one per round of a reconcile or check");
    sample_u64(out, "observations_total", NULL,
               v->counters[STATS_OBSERVATIONS]);
    render_histogram(out, v);
    render_steps(out, v);
    if (v->n_drifts) {
        family(out, "drift_repairs_total", "counter",
               "Steps the daemon found to do after an event (drift), by "
               "kind (the step's action)");
        for (size_t i = 0; i < v->n_drifts; i++) {
            sample_u64(out, "drift_repairs_total",
                       (const char *[]){"kind", v->drifts[i].kind, NULL},
                       v->drifts[i].n);
        }
    }
}

char *
metrics_render(const struct metrics_input *in)
{
    struct oa_str out = OA_STR_INIT;
    json_t *status = NULL;
    char when[32];

    if (in->status_json) {
        status = json_loads(in->status_json, 0, NULL);
        if (!json_is_object(status)) {
            json_decref(status);
            return NULL;
        }
    }
    family(&out, "build_info", "gauge",
           "Always 1; the version of offload-agent as a label");
    sample(&out, "build_info",
           (const char *[]){"version", in->version ? in->version : "", NULL},
           "1");
    gauge(&out, "spec_valid", "1 when the spec file on disk is valid",
          in->spec_valid);
    render_status(&out, status, in->spec);
    family(&out, "last_success_timestamp_seconds", "gauge",
           "Unix time of the last reconcile or check that found the host "
           "converged (0: never)");
    snprintf(when, sizeof when, "%.3f", in->last_success);
    sample(&out, "last_success_timestamp_seconds", NULL, when);
    if (in->stats) {
        render_stats(&out, in->stats);
    }
    json_decref(status);
    if (out.oom) {
        oa_str_free(&out);
        return NULL;
    }
    return oa_str_steal(&out);
}
