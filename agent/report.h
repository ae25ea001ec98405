/* report: verification and status. From the spec, the observation and
 * the remaining plan: a per-PF view (eswitch, VFs, MACs, drivers,
 * representors, bridges, tc rules in_hw/total) and the problems found,
 * each with a hint. Rendered as the status JSON of docs/cli.md or as a
 * compact table. Pure: no I/O. The report copies what it shows, so it
 * outlives the observation (the daemon keeps the last one). */
#ifndef OA_REPORT_H
#define OA_REPORT_H 1

#include <stdbool.h>
#include <stddef.h>

struct spec;
struct obs_host;
struct plan;
struct stats_view;

enum report_severity {
    REPORT_ERROR,
    REPORT_WARNING,
};

struct report;

/* Builds the report. 'plan' (may be NULL) is what is still left to do:
 * converged means no step and no blocker. Caller frees with
 * report_free(). NULL on ENOMEM. */
struct report *report_build(const struct spec *spec,
                            const struct obs_host *host,
                            const struct plan *plan);
void report_free(struct report *report);

/* A report of nothing observed (no valid spec, no observation yet): not
 * converged, no PF; the caller says why with report_add_problem(). NULL
 * on ENOMEM. */
struct report *report_build_unobserved(void);

/* Adds a problem found outside the observation (the daemon's: an invalid
 * spec it ignored, a failed apply). 'hint' may be NULL. */
int report_add_problem(struct report *report, enum report_severity severity,
                       const char *object, const char *hint, const char *fmt,
                       ...) __attribute__((format(printf, 5, 6)));

bool report_converged(const struct report *report);
size_t report_count_problems(const struct report *report,
                             enum report_severity severity);
/* The agentctl status exit code: 0 converged and no error-severity
 * problem, 1 otherwise. */
int report_exit_code(const struct report *report);
/* One line for systemd's STATUS=: "converged: 1 PF, 2 VFs, 4/4 rules in
 * hardware" or "not converged: 2 problems (first: ...)". Caller frees. */
char *report_summary(const struct report *report);

/* Renderings; caller frees. NULL on ENOMEM. */
char *report_to_json(const struct report *report, bool pretty);
char *report_to_text(const struct report *report);

/* What a report served later carries besides the observation (status
 * --json keys "observed_age_ms", "reconciling" and "stats", docs/cli.md;
 * the text form gets an "observed ... ago" line). */
struct report_live {
    long long observed_age_ms;      /* -1: not shown (observed just now) */
    bool reconciling;               /* shown along with observed_age_ms */
    const struct stats_view *stats; /* NULL: no "stats" */
};

/* As above, with 'live' (may be NULL). */
char *report_to_json_live(const struct report *report, bool pretty,
                          const struct report_live *live);
char *report_to_text_live(const struct report *report,
                          const struct report_live *live);

/* The plan as `agentctl plan` shows it: {"steps": [...]} (docs/cli.md), or
 * one step a line. Blockers appear as "blockers" / after the steps. */
char *report_plan_to_json(const struct plan *plan, bool pretty);
/* The same with "stats" (json_stats' object) after "blockers" when
 * 'stats' is not NULL: `agentctl plan --json` shows what its one
 * observation cost (stats.io, stats.time_us). */
char *report_plan_to_json_stats(const struct plan *plan, bool pretty,
                                const struct stats_view *stats);
char *report_plan_to_text(const struct plan *plan);

#endif
