/* agentd: the offload-agent daemon (foreground, systemd Type=notify).
 *
 * It owns the main loop (Open vSwitch's poll loop, through vsdb_poll_*:
 * the IDL must be run to keep its replica current and to see OVSDB
 * changes, and its fd is not exposed) and reconciles the host with the
 * engine (engine.h) when something may have moved it away from the spec:
 * the spec file changed, SIGHUP, a netlink event, an OVSDB change,
 * `agentctl reconcile`, or the periodic safety resync. The control
 * socket is served by a thread of its own from what the main loop
 * publishes (agentd-serve.h), so agentctl is answered at once also while
 * a reconcile blocks the main loop. The daemon logs; the library under
 * it does not.
 *
 * The pure parts (backoff, the spec-file event filter, log levels) are
 * separate so they can be unit tested. */
#ifndef OA_AGENTD_H
#define OA_AGENTD_H 1

#include "contract.h" /* default paths, exit codes */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Timings (milliseconds). */
#define AGENTD_DEBOUNCE_MS     200    /* quiet time before a reconcile */
#define AGENTD_DEBOUNCE_MAX_MS 1000   /* ... but never longer than this */
#define AGENTD_RESYNC_MS       300000 /* periodic safety resync */
#define AGENTD_BACKOFF_MIN_MS  1000   /* first retry after a failure */
#define AGENTD_BACKOFF_MAX_MS  60000  /* retries never wait longer */
#define AGENTD_CTL_TIMEOUT_MS  1000   /* reading a control request */
/* With --metrics-file: a dry run at least this often, so that the file
 * follows what changes without an event (tc rules in hardware). */
#define AGENTD_METRICS_REFRESH_MS 30000

struct agentd_opts {
    const char *spec_path;
    const char *socket_path;
    const char *state_dir;    /* the learned eswitch order's (order.h) */
    int log_level;            /* LOG_ERR .. LOG_DEBUG (syslog.h) */
    const char *spec_dir;     /* --spec-dir: spec_path is picked in it */
    const char *node;         /* --node, with spec_dir */
    const char *metrics_path; /* --metrics-file; NULL: none */
    const char *version;      /* the package version, for build_info */
};

/* Runs the daemon until SIGTERM or SIGINT. SIGTERM, SIGINT and SIGHUP
 * must already be blocked in every thread (the caller does it first thing
 * in main(), before anything can start libopenvswitch, which would
 * otherwise install its own handlers, and before the control thread
 * starts, which inherits the mask). Returns the process exit code: 0
 * after a clean shutdown, 1 when the daemon could not start. */
int agentd_run(const struct agentd_opts *opts);

/* ---- Pure helpers ------------------------------------------------------ */

/* The wait before retry number 'failures' (1: after the first failed
 * reconcile): 1 s, 2 s, 4 s ... capped at 60 s. 0 for 0 failures. */
long long agentd_backoff_ms(unsigned failures);

/* True when an inotify event ('mask', file 'name' in the watched
 * directory) may have changed the spec file 'basename': the file was
 * written and closed, renamed into place, created, deleted or renamed
 * away. Editors and tools that write a temporary file and rename it over
 * the spec are covered by IN_MOVED_TO. IN_Q_OVERFLOW (events lost)
 * matches whatever the name. */
bool agentd_spec_event_matches(uint32_t mask, const char *name,
                               const char *basename);

/* --spec-dir DIR --node NODE: DIR/NODE.json when it exists (a symlink
 * to an existing file counts), else DIR/default.json, into 'buf'. 0, or
 * -ENAMETOOLONG. */
int agentd_pick_spec(const char *dir, const char *node, char *buf,
                     size_t size);
/* True when an event ('mask', 'name') is about NODE.json. */
bool agentd_spec_node_event(uint32_t mask, const char *name, const char *node);
/* The spec is a symlink to 'target' (as readlink(2) gives it): true when
 * the event may change what it points to: a name starting with ".." (the
 * Kubernetes atomic writer renames `..data` over the old one to swap the
 * whole directory, and removes the old `..TIMESTAMP` directory), or
 * 'target' itself when it is a file of the same directory (no slash). */
bool agentd_spec_link_event(uint32_t mask, const char *name,
                            const char *target);

/* How many of a spec's 'n' errors the daemon logs one by one: the first
 * AGENTD_SPEC_ERRORS_LOGGED; one more line gives the count of the rest. */
#define AGENTD_SPEC_ERRORS_LOGGED 20
size_t agentd_errors_logged(size_t n);

/* The inotify mask the daemon watches the spec's directory with. */
uint32_t agentd_spec_watch_mask(void);

/* "error", "warning", "notice", "info", "debug" (or 0..7) -> LOG_*; -1
 * when not recognised. */
int agentd_parse_log_level(const char *s);

/* Debounce: when a trigger arrives at 'now', the time the reconcile
 * should run, given the first pending trigger's time 'first' (or -1 when
 * this is the first). Waits AGENTD_DEBOUNCE_MS after the latest trigger,
 * but no more than AGENTD_DEBOUNCE_MAX_MS after the first, so a steady
 * stream of events cannot postpone it forever. */
long long agentd_debounce_deadline(long long first, long long now);

/* ---- Logging: one line per event on stderr, sd-daemon priority prefix -- */

struct oa_err;

/* Lines above 'level' (LOG_*) are dropped. Set before threads start;
 * it also finds out whether stderr is the journal. */
void agentd_log_set_level(int level);
void agentd_log(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The journal's message IDs of the events an operator searches for
 * (`journalctl MESSAGE_ID=...`), explained by the catalog
 * packaging/offload-agent.catalog. Fixed: never change one. */
#define AGENTD_MID_CONVERGED      "9952b5e99a0f4ba6950481082bb57fa8"
#define AGENTD_MID_FAILED         "24e854c09e5646de9063a996425062c4"
#define AGENTD_MID_DRIFT_REPAIRED "a828e00d872b422792ef1001ebbe4c4b"
#define AGENTD_MID_NOT_IN_HW      "0512e78885f14d1ea8da2b159c7ad768"
#define AGENTD_MID_SPEC_REJECTED  "a7a6d4541dcc49348eff18c6c0e8f4c9"

/* Structured fields of a log line (all optional). Under journald (stderr
 * is the journal stream, $JOURNAL_STREAM) they become journal fields:
 * MESSAGE_ID=, OFFLOAD_AGENT_PF=, OFFLOAD_AGENT_VF=, OFFLOAD_AGENT_STEP=;
 * elsewhere the line is written to stderr as any other. */
struct agentd_log_fields {
    const char *message_id; /* 32 hex digits; NULL: none */
    const char *pf;         /* the spec's PF selector; NULL: none */
    int vf;                 /* VF index; -1: none */
    const char *step;       /* the step's action; NULL: none */
};
void agentd_log_with(int level, const struct agentd_log_fields *fields,
                     const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Logs "OBJECT: MESSAGE: STRERROR(-r)" (as systemd's log_link_errno():
 * the object the error is about, and the errno) and returns 'r', so
 * that "return agentd_log_errno(...)" reads naturally. 'object' may be
 * NULL (then "MESSAGE: STRERROR"). */
int agentd_log_errno(int level, const char *object, int r, const char *fmt,
                     ...) __attribute__((format(printf, 4, 5)));
/* Logs "OBJECT: " + oa_err_format(err) and returns err->code. */
int agentd_log_err(int level, const char *object, const struct oa_err *err);

/* Pure: the line agentd_log_errno() writes, without the priority prefix
 * and the newline, into 'buf' (at most 'size' bytes, one line: newlines
 * become spaces). Returns 'buf'. */
char *agentd_log_format(char *buf, size_t size, const char *object, int r,
                        const char *message);

struct nlev_summary;

/* Which link events concern the daemon: those of the netdevs it manages
 * (uplinks and representors, by ifindex, from the last observation) and
 * of the spec's PF netdev names (a PF that appears or is renamed back).
 * 'all' when that is not known (no observation yet, a PF not found: a PF
 * chosen by PCI address or devlink handle may appear under any name).
 * New representors are announced by devlink port events, which always
 * count. */
struct agentd_link_filter {
    bool all;
    const int *ifindexes;
    size_t n_ifindexes;
    const char *const *names;
    size_t n_names;
};

/* True when the link events in 'sum' may concern what 'f' describes; lost
 * events (resync) and more links than the summary holds always do. */
bool agentd_links_relevant(const struct agentd_link_filter *f,
                           const struct nlev_summary *sum);

#endif
