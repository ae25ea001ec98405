/* stats: the daemon's counters and timers in one table (the model is
 * OVS's COVERAGE_DEFINE/COVERAGE_INC): a static array, an increment is
 * one relaxed atomic add, nothing allocates. The main loop bumps them;
 * the control socket's thread reads them for `agentctl status --json`
 * ("stats", docs/cli.md) while the main loop runs, hence the atomics.
 *
 * Steps are counted by action name (plan_action_name()), not by enum
 * value, so that the table needs no change when step kinds are added. */
#ifndef OA_STATS_H
#define OA_STATS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stats_counter {
    STATS_RECONCILES_CONVERGED, /* reconciles that converged */
    STATS_RECONCILES_BLOCKED,   /* ... that found only blockers */
    STATS_RECONCILES_FAILED,    /* ... that failed (retried later) */
    STATS_CHECKS,               /* dry runs: observe and plan only */
    STATS_OBSERVATIONS,         /* looks at the host (engine rounds) */
    STATS_NETLINK_EVENTS,       /* link and devlink events seen */
    STATS_NETLINK_IGNORED,      /* ... about netdevs not managed */
    STATS_OVSDB_COMMITS,        /* transactions sent (vsdb_get_stats) */
    STATS_OVSDB_RETRIES,        /* ... retried after a concurrent edit */
    /* Read from oa-common/iostat.h (process-wide) by stats_read(). */
    STATS_IO_NETLINK_REQUESTS, /* netlink requests for one object */
    STATS_IO_NETLINK_DUMPS,    /* netlink dumps */
    STATS_IO_SYSFS_READS,      /* sysfs attributes, links, dirs read */
    STATS_IO_SYSFS_WRITES,
    STATS_TIME_OBSERVE_US, /* time spent observing (engine rounds) */
    STATS_TIME_PLAN_US,    /* ... planning */
    STATS_N_COUNTERS
};

enum stats_step_result {
    STATS_STEP_DONE,
    STATS_STEP_SKIPPED, /* "unchanged" or "skipped": nothing written */
    STATS_STEP_FAILED,
    STATS_STEP_N_RESULTS
};

/* At most this many distinct step actions are counted separately; any
 * further ones are counted under "other". plan.h has 32 now: room for
 * the next ones. */
#define STATS_MAX_ACTIONS 48

void stats_inc(enum stats_counter counter);
void stats_add(enum stats_counter counter, uint64_t n);
/* Counts one step of 'action' (a static or long-lived string, e.g.
 * plan_action_name()) with the apply callback's 'r' and 'msg'. */
void stats_count_step(const char *action, int r, const char *msg);
/* Pure: the result an apply on_step callback's (r, msg) stands for. */
enum stats_step_result stats_step_result(int r, const char *msg);
/* Adds 'us' microseconds spent in one step of 'action' (apply_run()
 * times every step it runs), for where a converge spends its time. */
void stats_step_time(const char *action, uint64_t us);
/* Microseconds on the monotonic clock, for the timers. */
uint64_t stats_now_us(void);
/* Records a reconcile that took 'ms'. */
void stats_reconcile_time(long long ms);
/* Counts one drift repair of 'kind' (the action of a step the daemon
 * found to do after an event, plan_action_name()): what moved. */
void stats_count_drift(const char *kind);
/* Sets the OVSDB counters from the IDL client's own totals (which are
 * per connection): only growth is added, so a reconnect that restarts
 * them at 0 loses nothing counted before. */
void stats_ovsdb_totals(uint64_t commits, uint64_t retries);

struct stats_step {
    char action[32];
    uint64_t n[STATS_STEP_N_RESULTS];
    uint64_t us; /* time spent in these steps */
};

/* Upper bounds (ms) of the reconcile duration histogram's buckets; one
 * more bucket counts everything above the last. */
#define STATS_N_BUCKETS 11
extern const long long stats_bucket_ms[STATS_N_BUCKETS];

struct stats_drift {
    char kind[32];
    uint64_t n;
};

/* A copy of everything, for rendering (report_to_json). */
struct stats_view {
    uint64_t counters[STATS_N_COUNTERS];
    struct stats_step steps[STATS_MAX_ACTIONS + 1]; /* + "other" */
    size_t n_steps;
    long long last_reconcile_ms;    /* -1: none yet */
    long long longest_reconcile_ms; /* -1: none yet */
    /* Reconcile durations: per bucket (not cumulative; the last is
     * above every bound), their count and their sum. */
    uint64_t buckets[STATS_N_BUCKETS + 1];
    uint64_t n_reconciles, sum_reconcile_ms;
    struct stats_drift drifts[STATS_MAX_ACTIONS + 1]; /* + "other" */
    size_t n_drifts;
};

/* One counter's current value. Safe from any thread. */
uint64_t stats_get(enum stats_counter counter);
/* Fills 'view' with the current values. Safe from any thread. */
void stats_read(struct stats_view *view);
/* The JSON key of 'counter' inside its group (see report_to_json), and
 * the group: "reconciles", none ("checks", "observations": top-level
 * numbers), "netlink", "ovsdb", "io", "time_us". */
const char *stats_counter_name(enum stats_counter counter);
const char *stats_counter_group(enum stats_counter counter);
const char *stats_step_result_name(enum stats_step_result result);

/* For tests: back to zero. Not thread-safe. */
void stats_reset(void);

#endif
