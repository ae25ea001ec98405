/* agentd: the offload-agent daemon's state and main loop (see agentd.h).
 *
 * The main loop is Open vSwitch's poll loop (vsdb_poll_*): the OVSDB IDL
 * needs vsdb_run() whenever its socket is readable, and only vsdb_wait()
 * knows that fd. Our own fds (signalfd, inotify, netlink event sockets,
 * the control socket) are registered next to it, and every source is
 * read without blocking after each wake-up, as ovn-controller does.
 *
 * Triggers are collected as a set of reasons and debounced: several
 * events in a burst (a rename, a flurry of RTM_NEWLINK) cause one
 * reconcile. Operator requests (spec change, SIGHUP, agentctl reconcile)
 * reconcile at once; events (netlink, OVSDB, the periodic resync) first
 * observe and plan without applying (a dry run) and only reconcile when
 * the plan has steps, so the daemon neither logs nor retries on changes
 * that do not concern it. After a failed reconcile the next apply waits
 * (1 s, 2 s, 4 s ... 60 s); a dry run that finds the host converged
 * again ends the backoff. */
#include "agentd.h"

#include "ctl.h"
#include "engine.h"
#include "hostio.h"
#include "jw.h"
#include "oa-netlink/nlev.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "report.h"
#include "stats.h"
#include "vsdb.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

/* Why a reconcile is wanted. */
enum {
    TRIG_SPEC = 1 << 0,    /* the spec file changed */
    TRIG_SIGHUP = 1 << 1,  /* reload requested */
    TRIG_NETLINK = 1 << 2, /* a link or devlink event */
    TRIG_OVSDB = 1 << 3,   /* the database changed */
    TRIG_RESYNC = 1 << 4,  /* periodic safety resync */
    TRIG_RETRY = 1 << 5,   /* the backoff after a failure expired */
    TRIG_STATUS = 1 << 6,  /* only the status line needs refreshing */
};
/* Reasons that apply without a dry run first, and despite a backoff. */
#define TRIG_APPLY (TRIG_SPEC | TRIG_SIGHUP | TRIG_RETRY)

struct agentd {
    const struct agentd_opts *opts;
    char *spec_dir;  /* the directory watched for the spec */
    char *spec_base; /* the spec's file name in it */

    struct spec *spec; /* the last good spec; NULL: none yet */
    char *spec_error;  /* first error of the invalid spec on disk, or NULL */
    size_t spec_n_errors;

    struct hostio io;
    enum obs_tristate switchdev_zero_vfs;

    int sigfd;
    int inofd; /* -1: no watch (directory missing) */
    int ctlfd;
    long long ctl_paused_until; /* accept() ran out of fds: wait */
    struct nlev_source *nl_link, *nl_devlink;
    /* The netdevs of the last observation (uplinks, representors): link
     * events of others are ignored. links_all: not known. */
    int *link_ifindexes;
    size_t n_link_ifindexes;
    bool links_all;

    const struct vsdb *seqno_db; /* whose seqno 'seqno' is */
    unsigned int seqno;

    unsigned pending; /* TRIG_* waiting for 'pending_at' */
    long long pending_first, pending_at;
    long long resync_at;

    unsigned failures;  /* consecutive failed reconciles */
    long long retry_at; /* -1: no retry scheduled */
    char last_error[600];

    bool ready_sent;
    char *status_line; /* last STATUS= sent */
    long long watchdog_ms, watchdog_next, watchdog_last;

    bool stop;
    unsigned long n_reconciles, n_checks;
};

/* ---- Logging: one line per event, sd-daemon priority prefix ---------- */

static int log_level = LOG_INFO;

static void log_msg(int level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
log_msg(int level, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    int n;

    if (level > log_level) {
        return;
    }
    n = snprintf(buf, sizeof buf, "<%d>", level);
    va_start(ap, fmt);
    vsnprintf(buf + n, sizeof buf - n - 1, fmt, ap);
    va_end(ap);
    /* Multi-line text (kernel messages) would split the journal entry. */
    for (char *p = buf + n; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }
    n = strlen(buf);
    buf[n++] = '\n';
    /* One write, so lines of concurrent writers do not interleave. */
    if (write(STDERR_FILENO, buf, n) < 0) {
        /* Nowhere left to say it. */
    }
}

static const char *
reasons_text(unsigned reasons, char *buf, size_t size)
{
    static const struct {
        unsigned bit;
        const char *name;
    } names[] = {
        {TRIG_SPEC, "spec changed"},      {TRIG_SIGHUP, "SIGHUP"},
        {TRIG_NETLINK, "netlink event"},  {TRIG_OVSDB, "OVSDB change"},
        {TRIG_RESYNC, "periodic resync"}, {TRIG_RETRY, "retry"},
        {TRIG_STATUS, "status"},
    };
    size_t len = 0;

    buf[0] = '\0';
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (reasons & names[i].bit) {
            int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "",
                             names[i].name);
            if (n < 0 || (size_t)n >= size - len) {
                break;
            }
            len += n;
        }
    }
    return buf;
}

/* ---- Triggers ---------------------------------------------------------- */

static void
trigger(struct agentd *d, unsigned reason)
{
    long long now = vsdb_time_msec();

    d->pending_at =
        agentd_debounce_deadline(d->pending ? d->pending_first : -1, now);
    if (!d->pending) {
        d->pending_first = now;
    }
    d->pending |= reason;
}

/* ---- systemd notification ---------------------------------------------- */

/* Feeds the watchdog. Called between steps and requests, whose waits are
 * bounded but can be long (an OVS commit and its apply: up to 20 s): it
 * kicks whenever a second has passed, not only every half period, so a
 * long step right after a skipped kick cannot outlast WatchdogSec. The
 * idle main loop wakes for it every half period (watchdog_next). */
static void
watchdog_kick(struct agentd *d)
{
    long long now;

    if (!d->watchdog_ms) {
        return;
    }
    now = vsdb_time_msec();
    if (now >= d->watchdog_next || now - d->watchdog_last >= 1000) {
        sd_notify(0, "WATCHDOG=1");
        d->watchdog_last = now;
        d->watchdog_next = now + d->watchdog_ms;
    }
}

/* Sends STATUS= (and READY=1 the first time) when 'line' is new. Takes
 * ownership of 'line'. */
static void
notify_status(struct agentd *d, char *line)
{
    if (!line) {
        return;
    }
    if (!d->ready_sent) {
        sd_notifyf(0, "READY=1\nSTATUS=%s", line);
        d->ready_sent = true;
        log_msg(LOG_NOTICE, "ready: %s", line);
    } else if (!d->status_line || strcmp(d->status_line, line)) {
        sd_notifyf(0, "STATUS=%s", line);
        log_msg(LOG_INFO, "status: %s", line);
    }
    free(d->status_line);
    d->status_line = line;
}

/* ---- Reports: the engine's, plus the daemon's own problems ------------ */

static void
add_daemon_problems(const struct agentd *d, struct report *rep)
{
    const char *file = d->opts->spec_path;

    if (d->spec_error) {
        char hint[PATH_MAX + 32];

        snprintf(hint, sizeof hint, "agentctl validate %s", file);
        report_add_problem(rep, REPORT_ERROR, file, hint,
                           "spec %s is invalid, running on the last good "
                           "spec: %s",
                           file, d->spec_error);
    }
    if (d->failures) {
        char hint[160];
        long long left = d->retry_at - vsdb_time_msec();

        snprintf(hint, sizeof hint,
                 "the daemon retries in %lld s (attempt %u); agentctl "
                 "reconcile retries now",
                 left > 0 ? (left + 999) / 1000 : 0, d->failures + 1);
        report_add_problem(rep, REPORT_ERROR, "reconcile", hint,
                           "last reconcile failed: %s", d->last_error);
    }
}

/* The report for 'res' (a reconcile or a dry run), or NULL when there is
 * nothing to build it from (no spec, observation failed) or no memory.
 * Caller frees with report_free(). */
static struct report *
build_report(const struct agentd *d, const struct engine_result *res)
{
    struct report *rep;

    if (!d->spec || !res || !res->host) {
        return NULL;
    }
    rep = report_build(d->spec, res->host, res->plan);
    if (rep) {
        add_daemon_problems(d, rep);
    }
    return rep;
}

/* The status line when no report can be built. Caller frees. */
static char *
fallback_summary(const struct agentd *d, const struct engine_result *res)
{
    char *line = NULL;
    int n;

    if (!d->spec) {
        n = asprintf(&line, "no valid spec (%s): %s", d->opts->spec_path,
                     d->spec_error ? d->spec_error : "not loaded");
    } else {
        n = asprintf(&line, "not converged: %s",
                     res && res->message[0] ? res->message : d->last_error);
    }
    return n < 0 ? NULL : line;
}

static char *
summary_for(const struct agentd *d, const struct engine_result *res)
{
    struct report *rep = build_report(d, res);
    char *line;

    if (!rep) {
        return fallback_summary(d, res);
    }
    line = report_summary(rep);
    report_free(rep);
    return line;
}

/* ---- Spec -------------------------------------------------------------- */

/* Loads the spec file. Returns 1 when a new good spec replaced the old
 * one, 0 when it is valid but asks for the same configuration, or a
 * negative errno when it is invalid (the last good spec stays). */
static int
load_spec(struct agentd *d)
{
    const char *file = d->opts->spec_path;
    struct spec_errors *errors = NULL;
    struct spec *spec = NULL;
    bool was_invalid = d->spec_error != NULL;
    int r;

    r = spec_load_file(file, &spec, &errors);
    if (r < 0) {
        size_t n = errors ? spec_errors_count(errors) : 0;
        char *first = NULL;

        log_msg(LOG_ERR,
                "spec %s is invalid (%zu error%s), %s; nothing on the host "
                "changes because of it",
                file, n, n == 1 ? "" : "s",
                d->spec ? "running on the last good spec"
                        : "no good spec yet: managing nothing");
        for (size_t i = 0; i < n; i++) {
            char *line = spec_error_format(spec_errors_get(errors, i));
            log_msg(LOG_ERR, "%s", line ? line : "(out of memory)");
            if (!first) {
                first = line;
            } else {
                free(line);
            }
        }
        if (!first && asprintf(&first, "%s: %s", file, strerror(-r)) < 0) {
            first = NULL;
        }
        spec_errors_destroy(errors);
        free(d->spec_error);
        d->spec_error = first ? first : strdup("invalid");
        d->spec_n_errors = n;
        return r;
    }
    spec_errors_destroy(errors);
    free(d->spec_error);
    d->spec_error = NULL;
    d->spec_n_errors = 0;

    if (d->spec && spec_equal(d->spec, spec)) {
        spec_destroy(spec);
        log_msg(was_invalid ? LOG_NOTICE : LOG_INFO,
                "spec %s is valid%s and unchanged", file,
                was_invalid ? " again" : "");
        return 0;
    }
    log_msg(LOG_INFO, "%s spec %s: %zu PF%s, %u VF%s, %zu bridge%s",
            d->spec ? "loaded new" : "loaded", file, spec->n_pfs,
            spec->n_pfs == 1 ? "" : "s", spec_total_vfs(spec),
            spec_total_vfs(spec) == 1 ? "" : "s", spec->n_bridges,
            spec->n_bridges == 1 ? "" : "s");
    spec_destroy(d->spec);
    d->spec = spec;
    return 1;
}

/* Reload on SIGHUP or a file event; 'always' reconciles even when the
 * spec did not change (SIGHUP: the operator asks for it). */
static void
reload_spec(struct agentd *d, unsigned reason)
{
    int r = load_spec(d);

    if (r > 0 || (r == 0 && reason == TRIG_SIGHUP)) {
        trigger(d, reason);
    } else {
        /* Invalid, or valid again but the same: nothing to apply, but
         * the status line changes. */
        trigger(d, TRIG_STATUS);
    }
}

/* ---- Reconcile --------------------------------------------------------- */

static void
on_step(const struct plan_step *step, int r, const char *msg, void *aux)
{
    struct agentd *d = aux;

    stats_count_step(plan_action_name(step->action), r, msg);
    if (r < 0) {
        log_msg(LOG_ERR, "step %s %s failed: %s",
                plan_action_name(step->action), step->object,
                msg && *msg ? msg : strerror(-r));
    } else {
        /* apply says what the step found or did ("unchanged: ...",
         * "skipped: ... (next round)"), when it has something to say. */
        log_msg(LOG_INFO, "step %s %s%s%s: %s", plan_action_name(step->action),
                step->object, step->detail[0] ? ": " : "", step->detail,
                msg && *msg ? msg : "done");
    }
    /* A reconcile can take long (representors appearing, vswitchd
     * applying ports): keep the watchdog fed between steps. */
    watchdog_kick(d);
}

/* The IDL client's commit totals into the daemon's counters. */
static void
note_ovsdb_stats(const struct agentd *d)
{
    struct vsdb_stats vs;

    if (d->io.vsdb) {
        vsdb_get_stats(d->io.vsdb, &vs);
        stats_ovsdb_totals(vs.n_commits, vs.n_retries);
    }
}

static void
note_seqno(struct agentd *d)
{
    if (d->io.vsdb) {
        d->seqno_db = d->io.vsdb;
        d->seqno = vsdb_seqno(d->io.vsdb);
    }
}

static void
engine_opts_init(struct agentd *d, struct engine_opts *eo, bool dry_run)
{
    memset(eo, 0, sizeof *eo);
    eo->dry_run = dry_run;
    eo->switchdev_zero_vfs = &d->switchdev_zero_vfs;
    eo->apply.on_step = on_step;
    eo->apply.aux = d;
}

/* Only blockers are left (a PF not found, OVS unreachable): nothing the
 * daemon can apply; it waits for the event that changes that. */
static bool
only_blocked(const struct engine_result *res)
{
    return res->plan && !res->plan->n_steps && res->plan->n_blockers;
}

static void
record_success(struct agentd *d)
{
    if (d->failures) {
        log_msg(LOG_NOTICE, "converged again after %u failed reconcile%s",
                d->failures, d->failures == 1 ? "" : "s");
    }
    d->failures = 0;
    d->retry_at = -1;
    d->last_error[0] = '\0';
}

/* Remembers the netdevs 'host' shows, for filtering link events. */
static void
remember_links(struct agentd *d, const struct obs_host *host)
{
    size_t n = 0, max = 0;
    int *set;

    d->links_all = true;
    if (!host) {
        return;
    }
    for (size_t i = 0; i < host->n_pfs; i++) {
        max += 1 + host->pfs[i].n_vfs;
    }
    set = calloc(max ? max : 1, sizeof *set);
    if (!set) {
        return;
    }
    d->links_all = false;
    for (size_t i = 0; i < host->n_pfs; i++) {
        const struct obs_pf *pf = &host->pfs[i];
        if (!pf->found) {
            d->links_all = true;
            continue;
        }
        set[n++] = pf->ifindex;
        for (size_t k = 0; k < pf->n_vfs; k++) {
            if (pf->vfs[k].has_rep) {
                set[n++] = pf->vfs[k].rep_ifindex;
            }
        }
    }
    free(d->link_ifindexes);
    d->link_ifindexes = set;
    d->n_link_ifindexes = n;
}

/* Runs one full reconcile now. Returns 0 when converged. */
static int
reconcile(struct agentd *d, const char *why, char *msg, size_t size)
{
    struct engine_result res;
    struct engine_opts eo;
    int r;

    if (!d->spec) {
        snprintf(msg, size, "no valid spec (%s): %s", d->opts->spec_path,
                 d->spec_error ? d->spec_error : "not loaded");
        notify_status(d, fallback_summary(d, NULL));
        return -ENOENT;
    }
    engine_opts_init(d, &eo, false);
    note_seqno(d);
    d->n_reconciles++;
    log_msg(LOG_INFO, "reconcile (%s)", why);
    r = engine_reconcile(&d->io, d->spec, &eo, &res);
    note_ovsdb_stats(d);
    stats_reconcile_time(res.elapsed_ms);
    if (r == 0) {
        stats_inc(STATS_RECONCILES_CONVERGED);
        record_success(d);
        log_msg(LOG_INFO,
                "reconcile (%s): converged in %lld ms, %zu step%s in %u "
                "round%s%s",
                why, res.elapsed_ms, res.steps_done,
                res.steps_done == 1 ? "" : "s", res.rounds,
                res.rounds == 1 ? "" : "s",
                res.fallback_used ? " (VFs before switchdev)" : "");
        snprintf(msg, size, "converged in %lld ms, %zu step%s", res.elapsed_ms,
                 res.steps_done, res.steps_done == 1 ? "" : "s");
    } else if (only_blocked(&res)) {
        /* Not a failure to retry: nothing to apply until the host
         * changes, and its events bring the daemon back. */
        stats_inc(STATS_RECONCILES_BLOCKED);
        record_success(d);
        log_msg(LOG_WARNING, "reconcile (%s): blocked after %lld ms: %s", why,
                res.elapsed_ms, res.message);
        snprintf(msg, size, "not converged: %s", res.message);
    } else {
        long long delay;

        stats_inc(STATS_RECONCILES_FAILED);
        d->failures++;
        delay = agentd_backoff_ms(d->failures);
        d->retry_at = vsdb_time_msec() + delay;
        snprintf(d->last_error, sizeof d->last_error, "%s", res.message);
        log_msg(LOG_ERR,
                "reconcile (%s) failed after %lld ms (%zu step%s done): %s; "
                "retry %u in %lld s",
                why, res.elapsed_ms, res.steps_done,
                res.steps_done == 1 ? "" : "s", res.message, d->failures,
                delay / 1000);
        snprintf(msg, size, "reconcile failed: %s", res.message);
    }
    notify_status(d, summary_for(d, &res));
    remember_links(d, res.host);
    engine_result_clear(&res);
    return r;
}

/* An event may have moved the host: observe and plan; reconcile only if
 * there is something to apply (and no backoff holds it back). */
static void
check(struct agentd *d, unsigned reasons)
{
    char why[128], msg[700];
    struct engine_result res;
    struct engine_opts eo;
    int r;

    reasons_text(reasons, why, sizeof why);
    if (!d->spec) {
        notify_status(d, fallback_summary(d, NULL));
        return;
    }
    engine_opts_init(d, &eo, true);
    note_seqno(d);
    d->n_checks++;
    stats_inc(STATS_CHECKS);
    r = engine_reconcile(&d->io, d->spec, &eo, &res);
    note_ovsdb_stats(d);
    if (r == 0 && res.plan && res.plan->n_steps) {
        const struct plan_step *s = &res.plan->steps[0];

        if (d->failures && vsdb_time_msec() < d->retry_at) {
            log_msg(LOG_DEBUG, "check (%s): %zu steps to do, retry pending",
                    why, res.plan->n_steps);
            notify_status(d, summary_for(d, &res));
            engine_result_clear(&res);
            return;
        }
        log_msg(LOG_NOTICE, "drift (%s): %zu step%s to do, first: %s %s", why,
                res.plan->n_steps, res.plan->n_steps == 1 ? "" : "s",
                plan_action_name(s->action), s->object);
        engine_result_clear(&res);
        reconcile(d, why, msg, sizeof msg);
        return;
    }
    if (r == 0 && res.converged) {
        log_msg(LOG_DEBUG, "check (%s): converged", why);
        record_success(d);
    } else if (r < 0) {
        log_msg(LOG_WARNING, "check (%s): %s", why, res.message);
    }
    notify_status(d, summary_for(d, &res));
    remember_links(d, res.host);
    engine_result_clear(&res);
}

static void
run_pending(struct agentd *d)
{
    unsigned reasons = d->pending;
    char why[128], msg[700];

    watchdog_kick(d);
    d->pending = 0;
    if (reasons & TRIG_APPLY) {
        reconcile(d, reasons_text(reasons, why, sizeof why), msg, sizeof msg);
    } else {
        check(d, reasons);
    }
}

/* ---- Event sources ----------------------------------------------------- */

static void
read_signals(struct agentd *d)
{
    struct signalfd_siginfo si;

    while (read(d->sigfd, &si, sizeof si) == sizeof si) {
        switch (si.ssi_signo) {
        case SIGTERM:
        case SIGINT:
            log_msg(LOG_NOTICE, "%s: shutting down",
                    si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            d->stop = true;
            break;
        case SIGHUP:
            log_msg(LOG_INFO, "SIGHUP: reloading %s", d->opts->spec_path);
            sd_notify(0, "RELOADING=1");
            reload_spec(d, TRIG_SIGHUP);
            sd_notify(0, "READY=1");
            break;
        }
    }
}

static void
read_inotify(struct agentd *d)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool changed = false;
    ssize_t n;

    if (d->inofd < 0) {
        return;
    }
    while ((n = read(d->inofd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;

            if (agentd_spec_event_matches(ev->mask, ev->len ? ev->name : NULL,
                                          d->spec_base)) {
                changed = true;
            }
            if (ev->mask & IN_IGNORED) {
                log_msg(LOG_WARNING,
                        "directory %s went away: no longer watching the "
                        "spec (SIGHUP reloads it)",
                        d->spec_dir);
                close(d->inofd);
                d->inofd = -1;
                break;
            }
            p += sizeof *ev + ev->len;
        }
        if (d->inofd < 0) {
            break;
        }
    }
    if (changed) {
        log_msg(LOG_INFO, "spec %s changed on disk", d->opts->spec_path);
        reload_spec(d, TRIG_SPEC);
    }
}

static bool
links_concern_us(const struct agentd *d, const struct nlev_summary *sum)
{
    const char *names[64];
    struct agentd_link_filter f = {
        .all = d->links_all || !d->spec,
        .ifindexes = d->link_ifindexes,
        .n_ifindexes = d->n_link_ifindexes,
        .names = names,
    };

    for (size_t i = 0; d->spec && i < d->spec->n_pfs; i++) {
        if (d->spec->pfs[i].key != SPEC_PF_BY_NETDEV) {
            continue;
        }
        if (f.n_names == sizeof names / sizeof names[0]) {
            f.all = true;
            break;
        }
        names[f.n_names++] = d->spec->pfs[i].id;
    }
    return agentd_links_relevant(&f, sum);
}

static void
read_nlev(struct agentd *d, struct nlev_source *src, const char *what)
{
    struct nlev_summary sum;
    int r;

    if (!src) {
        return;
    }
    memset(&sum, 0, sizeof sum);
    r = nlev_drain(src, &sum);
    if (r < 0) {
        log_msg(LOG_WARNING, "reading %s events: %s", what, strerror(-r));
        return;
    }
    if (sum.resync) {
        log_msg(LOG_INFO, "%s events were lost (ENOBUFS): resync", what);
    }
    if (!sum.events && !sum.resync) {
        return;
    }
    stats_add(STATS_NETLINK_EVENTS, sum.events);
    if (src == d->nl_link && !links_concern_us(d, &sum)) {
        stats_add(STATS_NETLINK_IGNORED, sum.events);
        log_msg(LOG_DEBUG, "%zu link event%s about netdevs not managed",
                sum.events, sum.events == 1 ? "" : "s");
        return;
    }
    log_msg(LOG_DEBUG, "%zu %s event%s", sum.events, what,
            sum.events == 1 ? "" : "s");
    trigger(d, TRIG_NETLINK);
}

static void
check_ovsdb(struct agentd *d)
{
    unsigned int seqno;

    if (!d->io.vsdb) {
        return;
    }
    vsdb_run(d->io.vsdb);
    seqno = vsdb_seqno(d->io.vsdb);
    if (d->seqno_db != d->io.vsdb) {
        d->seqno_db = d->io.vsdb;
        d->seqno = seqno;
    } else if (seqno != d->seqno) {
        d->seqno = seqno;
        trigger(d, TRIG_OVSDB);
    }
}

static void
serve_no_spec(struct agentd *d, int fd, const struct ctl_request *req)
{
    char *payload = NULL;
    char *line = fallback_summary(d, NULL);

    if (req->json) {
        struct jw *jw = jw_create(true);

        if (jw) {
            jw_object_begin(jw);
            jw_key(jw, "converged");
            jw_bool(jw, false);
            jw_key(jw, "problems");
            jw_array_begin(jw);
            jw_object_begin(jw);
            jw_key(jw, "severity");
            jw_string(jw, "error");
            jw_key(jw, "object");
            jw_string(jw, d->opts->spec_path);
            jw_key(jw, "message");
            jw_string(jw, line ? line : "no valid spec");
            jw_key(jw, "hint");
            jw_string(jw, "agentctl validate");
            jw_object_end(jw);
            jw_array_end(jw);
            jw_object_end(jw);
            payload = jw_finish(jw);
        }
    } else if (line && asprintf(&payload, "%s\n", line) < 0) {
        payload = NULL;
    }
    ctl_write_response(fd, 2, payload ? payload : "out of memory\n");
    free(payload);
    free(line);
}

static void
serve_status(struct agentd *d, int fd, const struct ctl_request *req)
{
    struct engine_result res;
    struct engine_opts eo;
    struct report *rep;
    char *payload = NULL;
    int code;

    if (!d->spec) {
        serve_no_spec(d, fd, req);
        return;
    }
    engine_opts_init(d, &eo, true);
    engine_reconcile(&d->io, d->spec, &eo, &res);
    rep = build_report(d, &res);
    if (rep) {
        payload = req->json ? report_to_json(rep, true) : report_to_text(rep);
        /* The spec file on disk is invalid: exit 2, as agentctl status
         * without the daemon would (DESIGN.md), although the host runs
         * on the last good spec (the report says so). */
        code = d->spec_error ? 2 : report_exit_code(rep);
        report_free(rep);
    } else {
        if (asprintf(&payload, "observing the host failed: %s\n",
                     res.message) < 0) {
            payload = NULL;
        }
        code = 1;
    }
    engine_result_clear(&res);
    ctl_write_response(fd, code, payload ? payload : "out of memory\n");
    free(payload);
}

static void
serve_reconcile(struct agentd *d, int fd, const struct ctl_request *req)
{
    char msg[700], out[720];
    char why[64];
    int r;

    if (!req->peer_root) {
        log_msg(LOG_WARNING, "agentctl reconcile from uid %u refused",
                req->peer_uid);
        ctl_write_response(fd, 1, "permission denied: reconcile needs root\n");
        return;
    }
    snprintf(why, sizeof why, "agentctl reconcile, pid %d", req->peer_pid);
    /* This reconcile observes afresh: it answers whatever was pending. */
    d->pending = 0;
    r = reconcile(d, why, msg, sizeof msg);
    snprintf(out, sizeof out, "%s\n", msg);
    ctl_write_response(fd, r == 0 ? 0 : 1, out);
}

static void
serve_ctl(struct agentd *d)
{
    /* Bounded per wake-up: other sources get their turn. */
    for (int i = 0; i < 8; i++) {
        struct ctl_request req;
        int fd = accept4(d->ctlfd, NULL, NULL, SOCK_CLOEXEC);
        int r;

        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                log_msg(LOG_WARNING, "control socket accept: %s%s",
                        strerror(errno),
                        errno == EMFILE || errno == ENFILE ||
                                errno == ENOBUFS || errno == ENOMEM
                            ? "; not accepting for 1 s"
                            : "");
                /* The connection stays queued and the socket readable:
                 * without a pause the loop would spin. */
                d->ctl_paused_until = vsdb_time_msec() + 1000;
            }
            return;
        }
        watchdog_kick(d);
        r = ctl_read_request(fd, AGENTD_CTL_TIMEOUT_MS, &req);
        if (r < 0) {
            log_msg(LOG_WARNING, "control request: %s", strerror(-r));
            ctl_write_response(fd, 1, "malformed request\n");
        } else if (!strcmp(req.command, "status")) {
            serve_status(d, fd, &req);
        } else if (!strcmp(req.command, "reconcile")) {
            serve_reconcile(d, fd, &req);
        } else {
            char out[96];

            snprintf(out, sizeof out, "unknown command: %s\n", req.command);
            ctl_write_response(fd, 1, out);
        }
        close(fd);
    }
}

/* ---- Start and stop ---------------------------------------------------- */

static int
split_spec_path(struct agentd *d)
{
    const char *path = d->opts->spec_path;
    const char *slash = strrchr(path, '/');

    if (!slash) {
        d->spec_dir = strdup(".");
        d->spec_base = strdup(path);
    } else {
        d->spec_dir = slash == path ? strdup("/")
                                    : strndup(path, (size_t)(slash - path));
        d->spec_base = strdup(slash + 1);
    }
    return d->spec_dir && d->spec_base ? 0 : -ENOMEM;
}

static void
open_watch(struct agentd *d)
{
    d->inofd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (d->inofd < 0) {
        log_msg(LOG_WARNING, "inotify: %s: spec changes need SIGHUP",
                strerror(errno));
        return;
    }
    if (inotify_add_watch(d->inofd, d->spec_dir, agentd_spec_watch_mask()) <
        0) {
        log_msg(LOG_WARNING, "cannot watch %s: %s: spec changes need SIGHUP",
                d->spec_dir, strerror(errno));
        close(d->inofd);
        d->inofd = -1;
    }
}

static void
open_nlev(struct agentd *d)
{
    int r = nlev_open(NLEV_LINK, &d->nl_link);

    if (r < 0) {
        d->nl_link = NULL;
        log_msg(LOG_WARNING,
                "link events: %s: drift is found by the periodic resync",
                strerror(-r));
    }
    r = nlev_open(NLEV_DEVLINK, &d->nl_devlink);
    if (r < 0) {
        d->nl_devlink = NULL;
        log_msg(LOG_WARNING,
                "devlink events: %s: drift is found by the periodic resync",
                strerror(-r));
    }
}

static int
open_sigfd(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

static void
agentd_close(struct agentd *d)
{
    if (d->ctlfd >= 0) {
        close(d->ctlfd);
        if (unlink(d->opts->socket_path) < 0 && errno != ENOENT) {
            log_msg(LOG_WARNING, "removing %s: %s", d->opts->socket_path,
                    strerror(errno));
        }
    }
    if (d->inofd >= 0) {
        close(d->inofd);
    }
    if (d->sigfd >= 0) {
        close(d->sigfd);
    }
    nlev_close(d->nl_link);
    nlev_close(d->nl_devlink);
    free(d->link_ifindexes);
    hostio_close(&d->io);
    spec_destroy(d->spec);
    free(d->spec_error);
    free(d->spec_dir);
    free(d->spec_base);
    free(d->status_line);
}

static void
arm_waits(struct agentd *d)
{
    long long now = vsdb_time_msec();
    long long next = d->resync_at;

    if (d->io.vsdb) {
        vsdb_wait(d->io.vsdb);
    }
    vsdb_poll_fd_wait(d->sigfd, POLLIN);
    if (now >= d->ctl_paused_until) {
        vsdb_poll_fd_wait(d->ctlfd, POLLIN);
    } else if (d->ctl_paused_until < next) {
        next = d->ctl_paused_until;
    }
    if (d->inofd >= 0) {
        vsdb_poll_fd_wait(d->inofd, POLLIN);
    }
    if (d->nl_link) {
        vsdb_poll_fd_wait(nlev_fd(d->nl_link), POLLIN);
    }
    if (d->nl_devlink) {
        vsdb_poll_fd_wait(nlev_fd(d->nl_devlink), POLLIN);
    }
    if (d->pending && d->pending_at < next) {
        next = d->pending_at;
    }
    if (d->retry_at >= 0 && d->retry_at < next) {
        next = d->retry_at;
    }
    if (d->watchdog_ms && d->watchdog_next < next) {
        next = d->watchdog_next;
    }
    vsdb_poll_timer_wait(next > now ? next - now : 0);
}

int
agentd_run(const struct agentd_opts *opts)
{
    struct agentd d;
    char err[256] = "";
    char msg[700];
    uint64_t wd_usec = 0;
    int r;

    memset(&d, 0, sizeof d);
    d.opts = opts;
    d.sigfd = d.inofd = d.ctlfd = -1;
    d.retry_at = -1;
    d.links_all = true; /* until the first observation */
    log_level = opts->log_level;

    d.sigfd = open_sigfd();
    if (d.sigfd < 0) {
        log_msg(LOG_ERR, "signalfd: %s", strerror(errno));
        goto fail;
    }
    if (split_spec_path(&d) < 0) {
        log_msg(LOG_ERR, "out of memory");
        goto fail;
    }
    log_msg(LOG_INFO, "starting: spec %s, control socket %s", opts->spec_path,
            opts->socket_path);

    /* Watch before loading, so a change between the two is not lost. */
    open_watch(&d);
    load_spec(&d);

    r = hostio_open(&d.io, err, sizeof err);
    if (r < 0) {
        log_msg(LOG_ERR, "opening the host interfaces: %s",
                err[0] ? err : strerror(-r));
        goto fail;
    }
    if (!d.io.devlink) {
        log_msg(LOG_WARNING, "the kernel has no devlink: eswitch steps fail");
    }
    open_nlev(&d);

    d.ctlfd = ctl_listen(opts->socket_path);
    if (d.ctlfd < 0) {
        log_msg(LOG_ERR, "control socket %s: %s", opts->socket_path,
                strerror(-d.ctlfd));
        goto fail;
    }

    if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec) {
        d.watchdog_ms = (long long)(wd_usec / 2000);
        if (!d.watchdog_ms) {
            d.watchdog_ms = 1;
        }
        log_msg(LOG_INFO, "watchdog: every %lld ms", d.watchdog_ms);
    }

    /* The first reconcile; READY=1 follows it whatever its outcome, so
     * that units ordered after this one (ovs-vswitchd) are not held. */
    reconcile(&d, "startup", msg, sizeof msg);
    d.resync_at = vsdb_time_msec() + AGENTD_RESYNC_MS;

    while (!d.stop) {
        long long now;

        read_signals(&d);
        if (d.stop) {
            break;
        }
        read_inotify(&d);
        read_nlev(&d, d.nl_link, "link");
        read_nlev(&d, d.nl_devlink, "devlink");
        check_ovsdb(&d);
        if (vsdb_time_msec() >= d.ctl_paused_until) {
            serve_ctl(&d);
        }

        now = vsdb_time_msec();
        if (now >= d.resync_at) {
            d.resync_at = now + AGENTD_RESYNC_MS;
            trigger(&d, TRIG_RESYNC);
        }
        if (d.retry_at >= 0 && now >= d.retry_at) {
            d.retry_at = -1;
            trigger(&d, TRIG_RETRY);
        }
        if (d.pending && vsdb_time_msec() >= d.pending_at) {
            run_pending(&d);
        }
        watchdog_kick(&d);

        arm_waits(&d);
        vsdb_poll_block();
    }

    sd_notify(0, "STOPPING=1");
    log_msg(LOG_INFO, "stopped after %lu reconcile%s and %lu check%s",
            d.n_reconciles, d.n_reconciles == 1 ? "" : "s", d.n_checks,
            d.n_checks == 1 ? "" : "s");
    agentd_close(&d);
    return 0;

fail:
    agentd_close(&d);
    return 1;
}
