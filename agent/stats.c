/* stats: one static table of counters (see stats.h). Writers: the main
 * loop only. Readers: any thread. Counters are relaxed atomics (a
 * single "lock add": no lock, no allocation); the step table grows by
 * filling a slot and then publishing the new count with a release store,
 * so a reader that loads the count with acquire sees complete names. */
#include "stats.h"

#include "oa-common/iostat.h"
#include "oa-common/str.h"

#include <stdatomic.h>
#include <string.h>
#include <time.h>

static _Atomic uint64_t counters[STATS_N_COUNTERS];

static struct {
    char action[32];
    _Atomic uint64_t n[STATS_STEP_N_RESULTS];
    _Atomic uint64_t us;
} steps[STATS_MAX_ACTIONS + 1];
static _Atomic size_t n_steps;

static _Atomic long long last_ms = -1, longest_ms = -1;

/* Reconcile durations (the metrics' histogram): from a second to a
 * minute is where converges live (docs/performance.md). */
const long long stats_bucket_ms[STATS_N_BUCKETS] = {
    50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 120000,
};
static _Atomic uint64_t buckets[STATS_N_BUCKETS + 1];
static _Atomic uint64_t n_timed, sum_ms;

/* Drift repairs by kind: filled like the step table. */
static struct {
    char kind[32];
    _Atomic uint64_t n;
} drifts[STATS_MAX_ACTIONS + 1];
static _Atomic size_t n_drifts;
static uint64_t ovsdb_seen_commits, ovsdb_seen_retries; /* main loop only */

static const struct {
    const char *group;
    const char *name;
} names[STATS_N_COUNTERS] = {
    [STATS_RECONCILES_CONVERGED] = {"reconciles", "converged"},
    [STATS_RECONCILES_BLOCKED] = {"reconciles", "blocked"},
    [STATS_RECONCILES_FAILED] = {"reconciles", "failed"},
    [STATS_CHECKS] = {NULL, "checks"},
    [STATS_OBSERVATIONS] = {NULL, "observations"},
    [STATS_NETLINK_EVENTS] = {"netlink", "events"},
    [STATS_NETLINK_IGNORED] = {"netlink", "ignored"},
    [STATS_OVSDB_COMMITS] = {"ovsdb", "commits"},
    [STATS_OVSDB_RETRIES] = {"ovsdb", "retries"},
    [STATS_IO_NETLINK_REQUESTS] = {"io", "netlink_requests"},
    [STATS_IO_NETLINK_DUMPS] = {"io", "netlink_dumps"},
    [STATS_IO_SYSFS_READS] = {"io", "sysfs_reads"},
    [STATS_IO_SYSFS_WRITES] = {"io", "sysfs_writes"},
    [STATS_TIME_OBSERVE_US] = {"time_us", "observe"},
    [STATS_TIME_PLAN_US] = {"time_us", "plan"},
};

/* The io group is counted below agent/, where the requests are made. */
static const enum oa_iostat io_source[STATS_N_COUNTERS] = {
    [STATS_IO_NETLINK_REQUESTS] = OA_IOSTAT_NL_REQUESTS,
    [STATS_IO_NETLINK_DUMPS] = OA_IOSTAT_NL_DUMPS,
    [STATS_IO_SYSFS_READS] = OA_IOSTAT_SYSFS_READS,
    [STATS_IO_SYSFS_WRITES] = OA_IOSTAT_SYSFS_WRITES,
};

static bool
is_io(enum stats_counter c)
{
    return c >= STATS_IO_NETLINK_REQUESTS && c <= STATS_IO_SYSFS_WRITES;
}

void
stats_inc(enum stats_counter counter)
{
    atomic_fetch_add_explicit(&counters[counter], 1, memory_order_relaxed);
}

void
stats_add(enum stats_counter counter, uint64_t n)
{
    atomic_fetch_add_explicit(&counters[counter], n, memory_order_relaxed);
}

enum stats_step_result
stats_step_result(int r, const char *msg)
{
    if (r < 0) {
        return STATS_STEP_FAILED;
    }
    if (msg &&
        (!strncmp(msg, "unchanged", 9) || !strncmp(msg, "skipped", 7))) {
        return STATS_STEP_SKIPPED;
    }
    return STATS_STEP_DONE;
}

/* The slot of 'action', created when new; the last slot ("other") when
 * the table is full. */
static size_t
step_slot(const char *action)
{
    size_t n = atomic_load_explicit(&n_steps, memory_order_relaxed);

    for (size_t i = 0; i < n; i++) {
        if (!strcmp(steps[i].action, action)) {
            return i;
        }
    }
    if (n == STATS_MAX_ACTIONS) {
        if (!steps[n].action[0]) {
            strcpy(steps[n].action, "other");
        }
        return n;
    }
    oa_copy_str(steps[n].action, sizeof steps[n].action, action);
    atomic_store_explicit(&n_steps, n + 1, memory_order_release);
    return n;
}

void
stats_count_step(const char *action, int r, const char *msg)
{
    size_t i = step_slot(action && *action ? action : "unknown");

    atomic_fetch_add_explicit(&steps[i].n[stats_step_result(r, msg)], 1,
                              memory_order_relaxed);
}

void
stats_step_time(const char *action, uint64_t us)
{
    size_t i = step_slot(action);
    atomic_fetch_add_explicit(&steps[i].us, us, memory_order_relaxed);
}

uint64_t
stats_now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

void
stats_reconcile_time(long long ms)
{
    atomic_store_explicit(&last_ms, ms, memory_order_relaxed);
    if (ms > atomic_load_explicit(&longest_ms, memory_order_relaxed)) {
        atomic_store_explicit(&longest_ms, ms, memory_order_relaxed);
    }
    size_t b = 0;
    while (b < STATS_N_BUCKETS && ms > stats_bucket_ms[b]) {
        b++;
    }
    atomic_fetch_add_explicit(&buckets[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&sum_ms, ms > 0 ? (uint64_t)ms : 0,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&n_timed, 1, memory_order_relaxed);
}

void
stats_count_drift(const char *kind)
{
    size_t n = atomic_load_explicit(&n_drifts, memory_order_relaxed);
    size_t i = 0;

    kind = kind && *kind ? kind : "unknown";
    while (i < n && strcmp(drifts[i].kind, kind)) {
        i++;
    }
    if (i == n && n == STATS_MAX_ACTIONS) {
        oa_copy_str(drifts[n].kind, sizeof drifts[n].kind, "other");
    } else if (i == n) {
        oa_copy_str(drifts[n].kind, sizeof drifts[n].kind, kind);
        atomic_store_explicit(&n_drifts, n + 1, memory_order_release);
    }
    atomic_fetch_add_explicit(&drifts[i].n, 1, memory_order_relaxed);
}

void
stats_ovsdb_totals(uint64_t commits, uint64_t retries)
{
    /* A new connection starts its totals again below what was seen. */
    if (commits < ovsdb_seen_commits || retries < ovsdb_seen_retries) {
        ovsdb_seen_commits = ovsdb_seen_retries = 0;
    }
    stats_add(STATS_OVSDB_COMMITS, commits - ovsdb_seen_commits);
    stats_add(STATS_OVSDB_RETRIES, retries - ovsdb_seen_retries);
    ovsdb_seen_commits = commits;
    ovsdb_seen_retries = retries;
}

/* The histogram and the drift table into 'view'. */
static void
read_timing(struct stats_view *view)
{
    size_t n = atomic_load_explicit(&n_drifts, memory_order_acquire);

    for (size_t b = 0; b <= STATS_N_BUCKETS; b++) {
        view->buckets[b] =
            atomic_load_explicit(&buckets[b], memory_order_relaxed);
    }
    view->n_reconciles = atomic_load_explicit(&n_timed, memory_order_relaxed);
    view->sum_reconcile_ms =
        atomic_load_explicit(&sum_ms, memory_order_relaxed);
    for (size_t i = 0; i <= STATS_MAX_ACTIONS; i++) {
        uint64_t c = atomic_load_explicit(&drifts[i].n, memory_order_relaxed);
        if (i >= n && (i != STATS_MAX_ACTIONS || !c)) {
            continue;
        }
        oa_copy_str(view->drifts[view->n_drifts].kind,
                    sizeof view->drifts[0].kind,
                    i == STATS_MAX_ACTIONS ? "other" : drifts[i].kind);
        view->drifts[view->n_drifts++].n = c;
    }
}

uint64_t
stats_get(enum stats_counter counter)
{
    return is_io(counter) ? oa_iostat_get(io_source[counter])
                          : atomic_load_explicit(&counters[counter],
                                                 memory_order_relaxed);
}

void
stats_read(struct stats_view *view)
{
    size_t n = atomic_load_explicit(&n_steps, memory_order_acquire);

    memset(view, 0, sizeof *view);
    for (size_t i = 0; i < STATS_N_COUNTERS; i++) {
        view->counters[i] = stats_get(i);
    }
    /* "other" is published by its first count, without n_steps. */
    for (size_t i = 0; i <= STATS_MAX_ACTIONS; i++) {
        struct stats_step *out = &view->steps[view->n_steps];
        uint64_t total = 0;

        if (i >= n && i != STATS_MAX_ACTIONS) {
            continue;
        }
        for (size_t k = 0; k < STATS_STEP_N_RESULTS; k++) {
            out->n[k] =
                atomic_load_explicit(&steps[i].n[k], memory_order_relaxed);
            total += out->n[k];
        }
        out->us = atomic_load_explicit(&steps[i].us, memory_order_relaxed);
        if (i == STATS_MAX_ACTIONS && !total) {
            continue;
        }
        oa_copy_str(out->action, sizeof out->action,
                    i == STATS_MAX_ACTIONS ? "other" : steps[i].action);
        view->n_steps++;
    }
    view->last_reconcile_ms =
        atomic_load_explicit(&last_ms, memory_order_relaxed);
    view->longest_reconcile_ms =
        atomic_load_explicit(&longest_ms, memory_order_relaxed);
    read_timing(view);
}

const char *
stats_counter_name(enum stats_counter counter)
{
    return names[counter].name;
}

const char *
stats_counter_group(enum stats_counter counter)
{
    return names[counter].group;
}

const char *
stats_step_result_name(enum stats_step_result result)
{
    static const char *const results[STATS_STEP_N_RESULTS] = {
        [STATS_STEP_DONE] = "done",
        [STATS_STEP_SKIPPED] = "skipped",
        [STATS_STEP_FAILED] = "failed",
    };
    return results[result];
}

void
stats_reset(void)
{
    for (size_t i = 0; i < STATS_N_COUNTERS; i++) {
        atomic_store(&counters[i], 0);
    }
    for (size_t i = 0; i <= STATS_MAX_ACTIONS; i++) {
        memset(steps[i].action, 0, sizeof steps[i].action);
        for (size_t k = 0; k < STATS_STEP_N_RESULTS; k++) {
            atomic_store(&steps[i].n[k], 0);
        }
        atomic_store(&steps[i].us, 0);
    }
    atomic_store(&n_steps, 0);
    oa_iostat_reset();
    atomic_store(&last_ms, -1);
    atomic_store(&longest_ms, -1);
    for (size_t b = 0; b <= STATS_N_BUCKETS; b++) {
        atomic_store(&buckets[b], 0);
    }
    atomic_store(&n_timed, 0);
    atomic_store(&sum_ms, 0);
    for (size_t i = 0; i <= STATS_MAX_ACTIONS; i++) {
        memset(drifts[i].kind, 0, sizeof drifts[i].kind);
        atomic_store(&drifts[i].n, 0);
    }
    atomic_store(&n_drifts, 0);
    ovsdb_seen_commits = ovsdb_seen_retries = 0;
}
