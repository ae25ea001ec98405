/* agentd: the offload-agent daemon's state and main loop (see agentd.h).
 *
 * The main loop is Open vSwitch's poll loop (vsdb_poll_*): the OVSDB IDL
 * needs vsdb_run() whenever its socket is readable, and only vsdb_wait()
 * knows that fd. Our own fds (signalfd, inotify, netlink event sockets,
 * the control thread's eventfd) are registered next to it, and every
 * source is read without blocking after each wake-up, as ovn-controller
 * does. The control socket is served by a thread of its own from the
 * snapshot this loop publishes after every observation (agentd-serve.h
 * says why), so `agentctl status` is answered at once also while a
 * reconcile blocks this loop.
 *
 * Triggers are collected as a set of reasons and debounced: several
 * events in a burst (a rename, a flurry of RTM_NEWLINK) cause one
 * reconcile. Operator requests (spec change, SIGHUP, agentctl reconcile)
 * reconcile at once; events (netlink, OVSDB, the periodic resync) first
 * observe and plan without applying (a dry run) and only reconcile when
 * the plan has steps, so the daemon neither logs nor retries on changes
 * that do not concern it. After a failed reconcile the next apply waits
 * (1 s, 2 s, 4 s ... 60 s); a dry run that finds the host converged
 * again ends the backoff. A step the kernel refused is not retried while
 * its PF looks the same (engine.h, struct engine_refusals): the plan
 * carries it as a blocker, the reconcile ends blocked, not failed, and
 * a reload or a change of that PF on the host tries it again.
 *
 * The waits inside a reconcile poll the signalfd, the spec's inotify fd
 * and the peers' fd too (hostio.cancel, cancel_check()): SIGTERM, a new
 * valid spec or ovsdb-server's return end them, and the reconcile is
 * given up, not failed. ovs-vswitchd's and ovsdb-server's comings and
 * goings are watched by inotify (agentd-peers.h): a peer's return
 * reconciles at once and ends the backoff its outage caused. */
#include "agentd.h"

#include "agentd-metrics.h"
#include "agentd-peers.h"
#include "agentd-serve.h"
#include "crashj.h"
#include "ctl.h"
#include "engine.h"
#include "guard.h"
#include "hostio.h"
#include "metrics.h"
#include "oa-common/cancel.h"
#include "oa-common/err.h"
#include "oa-common/str.h"
#include "oa-netlink/nlev.h"
#include "oa-netlink/uevent.h"
#include "obs.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"
#include "plan.h"
#include "report.h"
#include "stats.h"
#include "vsdb-offload.h"
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
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <systemd/sd-daemon.h>

/* Why a reconcile is wanted. */
enum {
    TRIG_SPEC = 1 << 0,      /* the spec file changed */
    TRIG_SIGHUP = 1 << 1,    /* reload requested */
    TRIG_NETLINK = 1 << 2,   /* a link or devlink event */
    TRIG_OVSDB = 1 << 3,     /* the database changed */
    TRIG_RESYNC = 1 << 4,    /* periodic safety resync */
    TRIG_RETRY = 1 << 5,     /* the backoff after a failure expired */
    TRIG_STATUS = 1 << 6,    /* only the status line needs refreshing */
    TRIG_ASKED = 1 << 7,     /* agentctl status found the snapshot old */
    TRIG_PEER = 1 << 8,      /* ovs-vswitchd or ovsdb-server came (back) */
    TRIG_PEER_GONE = 1 << 9, /* ovs-vswitchd went away */
    TRIG_UEVENT = 1 << 10,   /* a vDPA device came, went or was (un)bound */
};
/* Reasons that apply without a dry run first, and despite a backoff: a
 * peer's return ends the backoff its outage caused. */
#define TRIG_APPLY (TRIG_SPEC | TRIG_SIGHUP | TRIG_RETRY | TRIG_PEER)

struct agentd {
    const struct agentd_opts *opts;
    char spec_path[PATH_MAX]; /* the spec file (agentd_pick_spec()) */
    char *spec_dir;           /* the directory watched for the spec */
    char *spec_base;          /* the spec's file name in it */

    struct spec *spec; /* the last good spec; NULL: none yet */
    char *spec_error;  /* first error of the invalid spec on disk, or NULL */
    size_t spec_n_errors;
    bool spec_missing; /* the spec file does not exist (a fresh install) */

    struct hostio io;
    /* The eswitch order learned per device, and its file (order.h):
     * read at start, written when a reconcile learns something. */
    struct order_store orders;
    char orders_path[4096];
    /* The device each PF named by netdev was found at (pfpin.h): read at
     * start, written when a look pins a PF anew (tried again after each
     * look until it is: pins_save_failed keeps that to one warning). */
    struct pfpin_store pins;
    char pins_path[4096];
    bool pins_save_failed;
    /* The crash journal (crashj.h): what a killed run left is undone at
     * start, then the reconciles journal their temporary states (io). */
    struct crashj journal;
    /* The guard (guard.h): the spec generation (hash of the file) whose
     * disruptive change was reverted, 0: none, and why. While set,
     * d->spec is that spec bent to the last-known-good state, and the
     * same file is not applied again until it changes. */
    uint64_t reverted_hash;
    char reverted_why[256];
    /* Steps the kernel refused: not applied again while their PF looks
     * the same (engine.h); forgotten when the spec is reloaded. */
    struct engine_refusals refusals;

    int sigfd;
    int inofd; /* -1: no watch (directory missing) */
    int ctlfd;
    struct agentd_serve *serve; /* the control socket's thread */
    struct nlev_source *nl_link, *nl_devlink;
    /* The kernel's uevents: the vdpa bus has no netlink notifications. */
    struct uevent_source *uev;
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
    long long metrics_at; /* next metrics refresh; -1: no metrics file */
    double last_success;  /* Unix time of the last converged look; 0: none */
    /* The representors whose rules were not all in hardware at the last
     * look, "PF/VF " each: logged (MESSAGE_ID) when they join the set. */
    struct oa_str not_in_hw;

    unsigned failures;  /* consecutive failed reconciles */
    long long retry_at; /* -1: no retry scheduled */
    struct oa_err last_error;

    bool ready_sent;
    char *status_line; /* last STATUS= sent */
    long long watchdog_ms, watchdog_next, watchdog_last;

    /* Ends a reconcile's waits on SIGTERM or a new spec (hostio.cancel);
     * what its check read from the fds waits in the deferred_* flags. */
    struct oa_cancel cancel;
    const char *cancel_why; /* static: why the last one was cancelled */
    bool deferred_hup, deferred_spec;
    unsigned deferred_peers; /* AGENTD_PEER_* */

    /* The peers: their files watched (agentd-peers.h), the running
     * ovs-vswitchd's identity (NULL: none) and whether OVSDB was ready at
     * the last turn of the loop. */
    struct agentd_peers *peers;
    char *vswitchd_id;
    bool ovsdb_ready;
    bool looked; /* a reconcile or check has observed the host */

    bool stop;
    unsigned long n_reconciles, n_checks;
};

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
        {TRIG_STATUS, "status"},          {TRIG_ASKED, "status asked"},
        {TRIG_PEER, "peer back"},         {TRIG_PEER_GONE, "peer gone"},
        {TRIG_UEVENT, "vdpa uevent"},
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
        agentd_log(LOG_NOTICE, "ready: %s", line);
    } else if (!d->status_line || strcmp(d->status_line, line)) {
        sd_notifyf(0, "STATUS=%s", line);
        agentd_log(LOG_INFO, "status: %s", line);
    }
    free(d->status_line);
    d->status_line = line;
}

/* ---- Reports: the engine's, plus the daemon's own problems ------------ */

static void
add_daemon_problems(const struct agentd *d, struct report *rep)
{
    const char *file = d->spec_path;

    if (d->reverted_hash) {
        report_add_problem(
            rep, REPORT_ERROR, file, "change the spec to apply it again",
            "spec generation %016llx reverted to the "
            "last-known-good state: %s",
            (unsigned long long)d->reverted_hash, d->reverted_why);
    }
    if (d->spec_error && d->spec) {
        char hint[PATH_MAX + 32];

        snprintf(hint, sizeof hint, "agentctl validate %s", file);
        report_add_problem(rep, REPORT_ERROR, file, hint,
                           "spec %s is invalid, running on the last good "
                           "spec: %s",
                           file, d->spec_error);
    }
    if (d->failures) {
        char hint[160], text[OA_ERR_FORMAT_MAX];
        long long left = d->retry_at - vsdb_time_msec();

        snprintf(hint, sizeof hint,
                 "the daemon retries in %lld s (attempt %u); agentctl "
                 "reconcile retries now",
                 left > 0 ? (left + 999) / 1000 : 0, d->failures + 1);
        report_add_problem(rep, REPORT_ERROR, "reconcile", hint,
                           "last reconcile failed: %s",
                           oa_err_format(&d->last_error, text, sizeof text));
    }
}

/* The status line when no report of an observation can be built.
 * Caller frees. */
static char *
fallback_summary(const struct agentd *d, const struct engine_result *res)
{
    char text[OA_ERR_FORMAT_MAX];
    char *line = NULL;
    int n;

    if (!d->spec && d->spec_missing) {
        n = asprintf(&line, "no spec: %s does not exist, managing nothing",
                     d->spec_path);
    } else if (!d->spec && d->reverted_hash) {
        n = asprintf(&line,
                     "spec %s: generation %016llx was reverted, not "
                     "applied until it changes: managing nothing",
                     d->spec_path, (unsigned long long)d->reverted_hash);
    } else if (!d->spec) {
        n = asprintf(&line, "no valid spec (%s): %s", d->spec_path,
                     d->spec_error ? d->spec_error : "not loaded");
    } else if (res && res->err.code) {
        n = asprintf(&line, "not converged: %s",
                     oa_err_format(&res->err, text, sizeof text));
    } else {
        n = asprintf(&line, "not converged: %s",
                     oa_err_format(&d->last_error, text, sizeof text));
    }
    return n < 0 ? NULL : line;
}

/* The status report for 'res' (a reconcile or a dry run; NULL: nothing
 * observed yet) and its exit code: the one status document, whether the
 * host was observed or not (no valid spec, observation failed). NULL
 * only when out of memory. Caller frees with report_free(). */
static struct report *
status_report(const struct agentd *d, const struct engine_result *res,
              int *exit_code)
{
    const char *file = d->spec_path;
    char text[OA_ERR_FORMAT_MAX];
    struct report *rep;

    if (d->spec && res && res->host) {
        rep = report_build(d->spec, res->host, res->plan);
    } else {
        rep = report_build_unobserved();
    }
    if (!rep) {
        *exit_code = OA_EXIT_FAIL;
        return NULL;
    }
    if (!d->spec && d->reverted_hash) {
        /* Said by add_daemon_problems: the spec is not applied. */
    } else if (!d->spec) {
        char *line = fallback_summary(d, res);

        report_add_problem(rep, REPORT_ERROR, file,
                           d->spec_missing
                               ? "write it (examples in " OA_EXAMPLES_DIR
                                 "), then agentctl validate"
                               : "agentctl validate",
                           "%s", line ? line : "no valid spec");
        free(line);
    } else if (!res) {
        report_add_problem(rep, REPORT_ERROR, "offload-agent",
                           "wait for the first reconcile to end",
                           "nothing observed yet");
    } else if (!res->host) {
        report_add_problem(rep, REPORT_ERROR, "observe", NULL,
                           "observing the host failed: %s",
                           res->err.code
                               ? oa_err_format(&res->err, text, sizeof text)
                               : "unknown error");
    }
    add_daemon_problems(d, rep);
    /* The spec file on disk is invalid: exit 2, as agentctl status
     * without the daemon would (docs/cli.md), although the host runs on
     * the last good spec (the report says so). */
    *exit_code = d->spec_error || (!d->spec && !d->reverted_hash)
                     ? OA_EXIT_INVALID
                     : report_exit_code(rep);
    return rep;
}

/* The metrics of 'rep' (may be NULL) and of the counters now, to the
 * metrics file and the control thread. */
static void
export_metrics(struct agentd *d, const struct report *rep)
{
    struct stats_view stats;
    char *status = rep ? report_to_json(rep, false) : NULL;

    stats_read(&stats);
    struct metrics_input in = {
        .version = d->opts->version,
        .status_json = status,
        .spec = d->spec,
        .spec_valid = !d->spec_error,
        .last_success = d->last_success,
        .stats = &stats,
    };
    agentd_metrics_publish(agentd_serve_metrics(d->serve), metrics_render(&in),
                           d->opts->metrics_path);
    free(status);
}

/* Representors with tc rules not in hardware: one journal entry each
 * when it starts (AGENTD_MID_NOT_IN_HW), not at every look. */
static void
note_offload(struct agentd *d, const struct obs_host *host)
{
    struct oa_str now = OA_STR_INIT;

    for (size_t i = 0; i < host->n_pfs && i < d->spec->n_pfs; i++) {
        const struct obs_pf *pf = &host->pfs[i];
        for (size_t k = 0; pf->found && k < pf->n_vfs; k++) {
            const struct obs_vf *vf = &pf->vfs[k];
            char key[32];

            if (!vf->has_rep || !vf->rep_tc.known || !vf->rep_tc.not_in_hw) {
                continue;
            }
            snprintf(key, sizeof key, " %zu/%u ", i, vf->index);
            oa_str_puts(&now, key + 1);
            const char *was = oa_str_cstr(&d->not_in_hw);
            if (strstr(was, key) || !strncmp(was, key + 1, strlen(key + 1))) {
                continue;
            }
            struct agentd_log_fields f = {
                .message_id = AGENTD_MID_NOT_IN_HW,
                .pf = d->spec->pfs[i].id,
                .vf = (int)vf->index,
            };
            agentd_log_with(LOG_WARNING, &f,
                            "%s: %zu of %zu tc rules not in hardware", vf->rep,
                            vf->rep_tc.not_in_hw, vf->rep_tc.rules);
        }
    }
    oa_str_free(&d->not_in_hw);
    d->not_in_hw = now;
}

/* After every observation (and when the spec turned out invalid): the
 * status report goes to the control thread, its summary to systemd. */
static void
publish(struct agentd *d, const struct engine_result *res)
{
    int code;
    struct report *rep = status_report(d, res, &code);
    char *line = NULL;

    if (rep && d->spec && res && res->host) {
        line = report_summary(rep);
    }
    notify_status(d, line ? line : fallback_summary(d, res));
    if (d->spec && res && res->host) {
        note_offload(d, res->host);
    }
    export_metrics(d, rep);
    agentd_serve_publish(d->serve, rep, code);
}

/* ---- Spec -------------------------------------------------------------- */

/* No spec file and no good spec yet: a fresh install (the package ships
 * no spec). A notice, not an error: the daemon runs and manages nothing
 * until the file is written (the directory watch picks it up). */
static void
note_spec_missing(struct agentd *d)
{
    agentd_log(LOG_NOTICE,
               "no spec %s: managing nothing until it is written (examples "
               "in %s)",
               d->spec_path, OA_EXAMPLES_DIR);
    free(d->spec_error);
    d->spec_error = strdup("the file does not exist");
    d->spec_n_errors = 1;
}

/* Loads the spec file. Returns 1 when a new good spec replaced the old
 * one, 0 when it is valid but asks for the same configuration, or a
 * negative errno when it is invalid (the last good spec stays). */
/* With --spec-dir: the file this node reads now (DIR/NODE.json, else
 * DIR/default.json); a change of choice is logged. Both are in the
 * watched directory, so either one appearing or going is seen. */
static void
pick_spec(struct agentd *d)
{
    char path[PATH_MAX];

    if (!d->opts->spec_dir) {
        return;
    }
    if (agentd_pick_spec(d->opts->spec_dir, d->opts->node, path, sizeof path) <
        0) {
        agentd_log(LOG_ERR, "--spec-dir %s: path too long", d->opts->spec_dir);
        return;
    }
    if (strcmp(path, d->spec_path)) {
        if (d->spec_path[0]) {
            agentd_log(LOG_NOTICE, "spec for node %s: now %s (was %s)",
                       d->opts->node, path, d->spec_path);
        }
        oa_copy_str(d->spec_path, sizeof d->spec_path, path);
        free(d->spec_base);
        d->spec_base = strdup(strrchr(path, '/') + 1);
    }
}

/* A spec generation reverted before (failed-generation.json, kept by
 * this daemon or agentctl apply, maybe before a restart) is not applied
 * again: *spec is bent to the last-known-good state kept for it, so the
 * host stays as the revert left it, or, with none kept, dropped (managing
 * nothing). False when *spec was dropped. */
static bool
recall_reverted(struct agentd *d, uint64_t hash, struct spec **spec)
{
    char path[4096], why[sizeof d->reverted_why];
    struct guard_lkg lkg;

    if (!hash ||
        guard_path(d->opts->state_dir, GUARD_FAILED_FILE, path, sizeof path) <
            0 ||
        !guard_failed_is(path, hash, why, sizeof why)) {
        return true;
    }
    d->reverted_hash = hash;
    oa_copy_str(d->reverted_why, sizeof d->reverted_why, why);
    bool kept = guard_path(d->opts->state_dir, GUARD_LKG_FILE, path,
                           sizeof path) >= 0 &&
                guard_lkg_load(path, hash, &lkg) == 0;
    agentd_log(LOG_ERR,
               "spec %s: generation %016llx was reverted to the "
               "last-known-good state before: %s; not applied again until "
               "it changes (%s)",
               d->spec_path, (unsigned long long)hash, why,
               kept      ? "keeping the last-known-good state"
               : d->spec ? "no last-known-good state kept: keeping the "
                           "spec applied before"
                         : "no last-known-good state kept: managing nothing");
    if (!kept) {
        spec_destroy(*spec);
        *spec = NULL;
        return false;
    }
    guard_bend_spec(*spec, &lkg);
    guard_lkg_clear(&lkg);
    return true;
}

static int
load_spec(struct agentd *d)
{
    struct spec_errors *errors = NULL;
    struct spec *spec = NULL;
    bool was_invalid = d->spec_error != NULL;
    int r;

    pick_spec(d);
    const char *file = d->spec_path;

    r = spec_load_file(file, &spec, &errors);
    d->spec_missing = r == -ENOENT;
    if (d->spec_missing && !d->spec) {
        spec_errors_destroy(errors);
        note_spec_missing(d);
        return r;
    }
    if (r < 0) {
        size_t n = errors ? spec_errors_count(errors) : 0;
        char *first = NULL;

        struct agentd_log_fields f = {.message_id = AGENTD_MID_SPEC_REJECTED,
                                      .vf = -1};
        agentd_log_with(
            LOG_ERR, &f,
            "spec %s is invalid (%zu error%s), %s; nothing on the host "
            "changes because of it",
            file, n, n == 1 ? "" : "s",
            d->spec ? "running on the last good spec"
                    : "no good spec yet: managing nothing");
        size_t n_logged = agentd_errors_logged(n);
        for (size_t i = 0; i < n_logged; i++) {
            char *line = spec_error_format(spec_errors_get(errors, i));
            agentd_log(LOG_ERR, "%s", line ? line : "(out of memory)");
            if (!first) {
                first = line;
            } else {
                free(line);
            }
        }
        if (n_logged < n) {
            /* A spec of thousands of bad entries must not flood the
             * journal: validate lists them all. */
            agentd_log(LOG_ERR,
                       "spec %s: %zu more error%s not logged (agentctl "
                       "validate %s lists them all)",
                       file, n - n_logged, n - n_logged == 1 ? "" : "s", file);
        }
        if (!first) {
            struct oa_err err;
            char text[OA_ERR_FORMAT_MAX];

            oa_err_set(&err, r, "%s", file);
            first = strdup(oa_err_format(&err, text, sizeof text));
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

    uint64_t hash = guard_spec_hash(file, NULL);
    if (d->reverted_hash && hash == d->reverted_hash) {
        /* The generation that was reverted: no retry loop. */
        spec_destroy(spec);
        agentd_log(LOG_INFO, "spec %s unchanged since it was reverted", file);
        return 0;
    }
    d->reverted_hash = 0;
    if (!recall_reverted(d, hash, &spec)) {
        return 0;
    }
    if (d->spec && spec_equal(d->spec, spec)) {
        spec_destroy(spec);
        agentd_log(was_invalid ? LOG_NOTICE : LOG_INFO,
                   "spec %s is valid%s and unchanged", file,
                   was_invalid ? " again" : "");
        return 0;
    }
    agentd_log(LOG_INFO, "%s spec %s: %zu PF%s, %u VF%s, %zu bridge%s",
               d->spec ? "loaded new" : "loaded", file, spec->n_pfs,
               spec->n_pfs == 1 ? "" : "s", spec_total_vfs(spec),
               spec_total_vfs(spec) == 1 ? "" : "s", spec->n_bridges,
               spec->n_bridges == 1 ? "" : "s");
    spec_destroy(d->spec);
    d->spec = spec;
    /* Other steps, other PF indexes: what was refused is tried again. */
    engine_refusals_clear(&d->refusals);
    return 1;
}

/* Reload on SIGHUP or a file event; 'always' reconciles even when the
 * spec did not change (SIGHUP: the operator asks for it). */
static void
reload_spec(struct agentd *d, unsigned reason)
{
    int r = load_spec(d);

    if (r > 0 || (r == 0 && reason == TRIG_SIGHUP)) {
        /* A reload asks for everything to be tried again. */
        engine_refusals_clear(&d->refusals);
        trigger(d, reason);
    } else {
        /* Invalid, or valid again but the same: nothing to apply, but
         * the status line changes. */
        trigger(d, TRIG_STATUS);
    }
}

/* ---- Ending waits that became moot ------------------------------------ */

static bool drain_spec_events(struct agentd *d);

/* The spec file on disk is valid and asks for something else than the
 * spec being applied. An invalid one changes nothing on the host, so it
 * does not make a wait moot. */
static bool
spec_on_disk_differs(const struct agentd *d)
{
    struct spec_errors *errors = NULL;
    struct spec *spec = NULL;
    bool differs = false;

    if (spec_load_file(d->spec_path, &spec, &errors) == 0) {
        differs = !d->spec || !spec_equal(d->spec, spec);
    }
    spec_destroy(spec);
    spec_errors_destroy(errors);
    return differs;
}

/* oa_cancel's check, called from inside a reconcile's wait when the
 * signalfd or the spec's inotify fd is readable: reads them (what is
 * read is handled after the reconcile: deferred_*) and says whether the
 * reconcile should end now. */
static bool
cancel_check(void *aux)
{
    struct agentd *d = aux;
    struct signalfd_siginfo si;
    bool moot = false;

    while (read(d->sigfd, &si, sizeof si) == sizeof si) {
        if (si.ssi_signo == SIGHUP) {
            d->deferred_hup = true;
            if (!moot && spec_on_disk_differs(d)) {
                moot = true;
                d->cancel_why = "the spec changed";
            }
        } else if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT) {
            agentd_log(LOG_NOTICE, "%s during a reconcile: shutting down",
                       si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            d->stop = true;
            moot = true;
            d->cancel_why = "shutting down";
        }
    }
    if (drain_spec_events(d)) {
        d->deferred_spec = true;
        if (!moot && spec_on_disk_differs(d)) {
            moot = true;
            d->cancel_why = "the spec changed";
        }
    }
    if (d->inofd < 0) {
        d->cancel.fds[1] = -1; /* the watch ended: its fd is closed */
    }
    /* ovsdb-server is back while the client waits out its backoff: a
     * new client (read_peers()) answers sooner than this wait would. */
    d->deferred_peers |= agentd_peers_read(d->peers);
    if (!moot && (d->deferred_peers & AGENTD_PEER_OVSDB) && d->io.vsdb &&
        !vsdb_is_ready(d->io.vsdb)) {
        moot = true;
        d->cancel_why = "ovsdb-server is back";
    }
    return moot;
}

/* Before a reconcile or check: nothing cancelled, the fds of now. */
static void
arm_cancel(struct agentd *d)
{
    size_t n = 0;

    d->cancel.fds[n++] = d->sigfd;
    d->cancel.fds[n++] = d->inofd; /* -1: none, poll() skips it */
    d->cancel.fds[n++] = agentd_peers_fd(d->peers);
    d->cancel.n_fds = n;
    d->cancel_why = NULL;
    d->cancel.check = cancel_check;
    d->cancel.aux = d;
    d->cancel.cancelled = false;
}

/* ---- Reconcile --------------------------------------------------------- */

static void watch_peers(struct agentd *d);

static void peer_back(struct agentd *d, const char *what);
static void note_seqno(struct agentd *d);

/* After every look: OVSDB's state as this look left it (the main loop
 * acts on changes from there) and the peers' files of its OVS watched.
 * A look that waited for a new OVSDB client to connect (a status check
 * right after ovsdb-server's return) takes the main loop's edge away:
 * the return is acted on here then, or it would wait for the next
 * event or resync. Not at the first look: nothing came back. */
static void
after_look(struct agentd *d, const struct engine_result *res)
{
    bool ready = d->io.vsdb && vsdb_is_ready(d->io.vsdb);

    /* The database as the last look ('res', when it observed) read it:
     * the reconcile's own transactions (and vswitchd's answers to them,
     * which its waits take in) were seen by that look, so they cause no
     * check afterwards; what the IDL takes in from here on does. The
     * look's OVSDB part runs the IDL last (obs.c), nothing runs it
     * between that and here. A failed or cut-short look saw nothing for
     * sure: the seqno from before it stays, and a change during it is
     * acted on. */
    if (res->host && !d->cancel.cancelled) {
        note_seqno(d);
    }

    if (ready && !d->ovsdb_ready && d->looked) {
        peer_back(d, "OVSDB connected again");
    }
    d->ovsdb_ready = ready;
    d->looked = true;
    watch_peers(d);
}

static void
on_step(const struct plan_step *step, int r, const char *msg, void *aux)
{
    struct agentd *d = aux;

    const char *action = plan_action_name(step->action);
    struct agentd_log_fields f = {
        .pf = d->spec && step->pf >= 0 && (size_t)step->pf < d->spec->n_pfs
                  ? d->spec->pfs[step->pf].id
                  : NULL,
        .vf = step->vf,
        .step = action,
    };

    stats_count_step(action, r, msg);
    if (r < 0) {
        char message[600], line[1200];
        /* A wait ended by SIGTERM or a new spec is not an error: the
         * reconcile is given up (NOTICE), not failed. */
        bool moot = r == -ECANCELED && d->cancel.cancelled;

        snprintf(message, sizeof message, "step %s %s%s%s", action,
                 moot ? "given up" : "failed", msg && *msg ? ": " : "",
                 msg ? msg : "");
        agentd_log_with(
            moot ? LOG_NOTICE : LOG_ERR, &f, "%s",
            agentd_log_format(line, sizeof line, step->object, r, message));
    } else {
        /* apply says what the step found or did ("unchanged: ...",
         * "skipped: ... (next round)"), when it has something to say. */
        agentd_log_with(LOG_INFO, &f, "step %s %s%s%s: %s", action,
                        step->object, step->detail[0] ? ": " : "",
                        step->detail, msg && *msg ? msg : "done");
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

/* Reads what was learned of the devices' eswitch orders. A missing file
 * is normal; one that cannot be used is ignored with one warning (the
 * orders are learned again). */
static void
load_orders(struct agentd *d)
{
    struct oa_err err;
    if (order_path(d->opts->state_dir, d->orders_path, sizeof d->orders_path) <
        0) {
        agentd_log(LOG_WARNING,
                   "state directory %s: name too long, "
                   "eswitch orders are not kept",
                   d->opts->state_dir);
        d->orders_path[0] = '\0';
        return;
    }
    if (order_load(&d->orders, d->orders_path, &err) < 0) {
        agentd_log_err(LOG_WARNING, "eswitch order file ignored", &err);
    } else if (d->orders.n) {
        agentd_log(LOG_INFO, "%zu learned eswitch order%s in %s", d->orders.n,
                   d->orders.n == 1 ? "" : "s", d->orders_path);
    }
}

/* Reads the PF pins. A file that cannot be used is ignored with one
 * warning (the PFs are found by name and pinned again). */
static void
load_pins(struct agentd *d)
{
    struct oa_err err;
    if (pfpin_path(d->opts->state_dir, d->pins_path, sizeof d->pins_path) <
        0) {
        d->pins_path[0] = '\0'; /* load_orders() said so */
        return;
    }
    if (pfpin_load(&d->pins, d->pins_path, &err) < 0) {
        agentd_log_err(LOG_WARNING, "PF pin file ignored", &err);
    } else if (d->pins.n) {
        agentd_log(LOG_INFO, "%zu PF pin%s in %s", d->pins.n,
                   d->pins.n == 1 ? "" : "s", d->pins_path);
    }
}

static void
log_recovered(void *aux, const struct crashj_entry *e, int r, const char *what)
{
    (void)aux;
    if (r < 0) {
        agentd_log(LOG_ERR,
                   "a run that did not finish left %s %s%s%s: could not be "
                   "undone: %s (kept for the next start)",
                   e->kind, e->object, e->detail[0] ? " " : "", e->detail,
                   strerror(-r));
    } else {
        agentd_log(LOG_NOTICE, "a run that did not finish left %s %s%s%s: %s",
                   e->kind, e->object, e->detail[0] ? " " : "", e->detail,
                   what);
    }
}

/* Opens the crash journal and undoes what a killed run left, before the
 * first reconcile (which finishes the rest). A journal that cannot be
 * used is dropped with one warning. */
static void
recover_journal(struct agentd *d)
{
    char path[4096];
    struct oa_err err;
    if (crashj_path(d->opts->state_dir, path, sizeof path) < 0) {
        path[0] = '\0'; /* load_orders() said so */
    }
    if (crashj_open(&d->journal, path, &err) < 0) {
        agentd_log_err(LOG_WARNING, "crash journal dropped", &err);
    }
    crashj_recover(&d->journal, d->io.sysfs_root, log_recovered, NULL);
    d->io.journal = &d->journal;
}

/* After a look (reconcile or check) that pinned a PF anew: saved. */
static void
note_pins(struct agentd *d)
{
    struct oa_err err;
    if (!d->pins.unsaved || !d->pins_path[0]) {
        return;
    }
    if (pfpin_save(&d->pins, d->pins_path, &err) < 0) {
        if (!d->pins_save_failed) {
            agentd_log_err(LOG_WARNING, "PF pins not saved", &err);
        }
        d->pins_save_failed = true;
    } else {
        agentd_log(LOG_INFO, "PF pins saved in %s", d->pins_path);
        d->pins_save_failed = false;
    }
}

/* After a reconcile: says which PFs fell back to the other order (and
 * the kernel's refusal), and saves what was learned. A state directory
 * that cannot be written is a warning: the order is learned again. */
static void
note_orders(struct agentd *d, const struct engine_result *res)
{
    struct oa_err err;
    for (size_t i = 0; res->host && i < res->host->n_pfs; i++) {
        const struct obs_pf *pf = &res->host->pfs[i];
        if (pf->order_source == OBS_ORDER_FALLBACK) {
            agentd_log(LOG_NOTICE,
                       "%s: eswitch order %s, the other was "
                       "refused: %s",
                       pf->devlink, obs_order_name(pf->order),
                       pf->order_refusal);
        }
    }
    if (!res->orders_changed || !d->orders_path[0]) {
        return;
    }
    if (order_save(&d->orders, d->orders_path, &err) < 0) {
        agentd_log_err(LOG_WARNING, "learned eswitch order not saved", &err);
    } else {
        agentd_log(LOG_INFO, "learned eswitch order saved in %s",
                   d->orders_path);
    }
}

static void
engine_opts_init(struct agentd *d, struct engine_opts *eo, bool dry_run)
{
    memset(eo, 0, sizeof *eo);
    eo->dry_run = dry_run;
    eo->orders = &d->orders;
    eo->pins = &d->pins;
    eo->refusals = &d->refusals;
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
        agentd_log(LOG_NOTICE, "converged again after %u failed reconcile%s",
                   d->failures, d->failures == 1 ? "" : "s");
    }
    d->failures = 0;
    d->retry_at = -1;
    oa_err_clear(&d->last_error);
}

/* A look found the host converged: the metrics' last success. */
static void
note_converged(struct agentd *d)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    d->last_success = (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

static void __attribute__((format(printf, 2, 3)))
say(struct oa_str *outcome, const char *fmt, ...)
{
    va_list args;

    if (outcome) {
        va_start(args, fmt);
        oa_str_vprintf(outcome, fmt, args);
        va_end(args);
    }
}

static const struct agentd_log_fields mid_converged = {
    .message_id = AGENTD_MID_CONVERGED, .vf = -1};
static const struct agentd_log_fields mid_failed = {
    .message_id = AGENTD_MID_FAILED, .vf = -1};

/* A reconcile's first look: a dry run, for the guard and the engine's
 * first round both (the caller frees 'seen'). */
static void
first_look(struct agentd *d, struct engine_result *seen)
{
    struct engine_opts eo;
    engine_opts_init(d, &eo, true);
    eo.apply.on_step = NULL;
    if (engine_reconcile(&d->io, d->spec, &eo, seen) < 0 ||
        d->cancel.cancelled) {
        engine_result_clear(seen); /* the engine looks itself */
    }
}

/* Before a reconcile: when the plan of its first look 'seen' is
 * disruptive (guard.h), the last-known-good state of the PFs it touches
 * into 'lkg'. */
static void
guard_arm(const struct agentd *d, const struct engine_result *seen,
          struct guard_lkg *lkg)
{
    memset(lkg, 0, sizeof *lkg);
    if (seen->host && seen->plan && guard_disruptive(seen->plan) &&
        guard_record(seen->host, seen->plan, d->io.sysfs_root, lkg) < 0) {
        agentd_log(LOG_WARNING, "out of memory: this change is not guarded");
    }
}

/* After a disruptive reconcile: health, first in 'last' (may be NULL),
 * the reconcile's own final look, taken after its last step, then looked
 * at for 10 s at most (cut short by SIGTERM or a new spec). True when it
 * came. */
static bool
guard_health(struct agentd *d, const struct guard_lkg *lkg,
             const struct obs_host *last, char *why, size_t size)
{
    long long deadline = vsdb_time_msec() + 10000;
    if (last && guard_healthy(lkg, last, d->io.sysfs_root, why, size)) {
        return true;
    }
    for (;;) {
        struct engine_result res;
        struct engine_opts eo;
        bool ok = false;
        engine_opts_init(d, &eo, true);
        eo.apply.on_step = NULL;
        if (!engine_reconcile(&d->io, d->spec, &eo, &res) && res.host) {
            ok = guard_healthy(lkg, res.host, d->io.sysfs_root, why, size);
        } else {
            snprintf(why, size, "cannot observe the host");
        }
        engine_result_clear(&res);
        if (ok || d->cancel.cancelled || vsdb_time_msec() >= deadline) {
            return ok || d->cancel.cancelled;
        }
        struct timespec ts = {0, 250 * 1000000L};
        nanosleep(&ts, NULL);
    }
}

/* Health did not come back after a disruptive reconcile: the spec is
 * bent to the last-known-good state and reconciled into 'res', and the
 * generation is kept as reverted (status, log) until the file changes. */
static int
guard_revert(struct agentd *d, const struct guard_lkg *lkg, const char *why,
             struct engine_opts *eo, struct engine_result *res)
{
    char path[4096];
    struct oa_err err;
    d->reverted_hash = guard_spec_hash(d->spec_path, NULL);
    snprintf(d->reverted_why, sizeof d->reverted_why, "%s", why);
    /* Kept for a restart (recall_reverted) and for agentctl apply. */
    if (guard_path(d->opts->state_dir, GUARD_LKG_FILE, path, sizeof path) <
            0 ||
        guard_lkg_save(lkg, d->reverted_hash, path, &err) < 0 ||
        guard_path(d->opts->state_dir, GUARD_FAILED_FILE, path, sizeof path) <
            0 ||
        guard_failed_save(path, d->reverted_hash, why, &err) < 0) {
        agentd_log(LOG_WARNING,
                   "the reverted generation is not kept in %s: a restart "
                   "applies it again",
                   d->opts->state_dir);
    }
    agentd_log(LOG_ERR,
               "health did not come back within 10 s after a disruptive "
               "change: %s; reverting to the last-known-good state; spec "
               "generation %016llx is not applied again until it changes",
               why, (unsigned long long)d->reverted_hash);
    guard_bend_spec(d->spec, lkg);
    engine_result_clear(res);
    return engine_reconcile(&d->io, d->spec, eo, res);
}

/* The engine's reconcile from 'seen' (may be NULL: a first look of its
 * own; its host is taken), guarded when its plan is disruptive: reverted
 * when the PFs it touched are unhealthy after it. Returns the engine's
 * result, 'res' its outcome. */
static int
guarded_reconcile(struct agentd *d, struct engine_opts *eo,
                  struct engine_result *seen, struct engine_result *res)
{
    struct engine_result own;
    struct guard_lkg lkg;
    char unhealthy[256];
    if (!seen) {
        first_look(d, &own);
        seen = &own;
    }
    guard_arm(d, seen, &lkg);
    struct obs_host *host = seen->host;
    /* The reconcile's time counts the look it started from. */
    long long look_ms = host ? seen->elapsed_ms : 0;
    seen->host = NULL;
    engine_result_clear(seen);
    int r = engine_reconcile_from(&d->io, d->spec, eo, host, res);
    res->elapsed_ms += look_ms;
    if (lkg.n &&
        !guard_health(d, &lkg, res->host, unhealthy, sizeof unhealthy)) {
        r = guard_revert(d, &lkg, unhealthy, eo, res);
    }
    guard_lkg_clear(&lkg);
    return r;
}

/* Runs one full reconcile now. Returns 0 when converged. 'outcome' (may
 * be NULL) gets one line for the agentctl reconcile that asked. 'seen'
 * (may be NULL) is the look of the check that decided on it, made just
 * before in the same turn of the main loop: the reconcile starts from
 * it (its host is taken) instead of looking again. That is safe because
 * nothing the daemon plans from can have changed in between: no event
 * was read and no spec loaded since (the spec, the refusals and the
 * eswitch orders are those it was planned with), and the host itself
 * can change during a look of the reconcile's own as much: each step
 * reads before it writes, every round after the first looks afresh, and
 * events that arrive meanwhile wait in their sockets for the next turn. */
static int
reconcile(struct agentd *d, const char *why, struct oa_str *outcome,
          struct engine_result *seen)
{
    struct engine_result res;
    struct engine_opts eo;
    int r;

    if (!d->spec) {
        say(outcome, "no valid spec (%s): %s\n", d->spec_path,
            d->spec_error ? d->spec_error : "not loaded");
        publish(d, NULL);
        return -ENOENT;
    }
    engine_opts_init(d, &eo, false);
    note_seqno(d);
    d->n_reconciles++;
    agentd_log(LOG_INFO, "reconcile (%s)", why);
    agentd_serve_set_reconciling(d->serve, true);
    arm_cancel(d);
    r = guarded_reconcile(d, &eo, seen, &res);
    after_look(d, &res);
    note_ovsdb_stats(d);
    stats_reconcile_time(res.elapsed_ms);
    note_orders(d, &res);
    note_pins(d);
    char failure[OA_ERR_FORMAT_MAX];
    const char *message = oa_err_format(&res.err, failure, sizeof failure);
    if (r == -ECANCELED || d->cancel.cancelled) {
        /* Not a failure (no backoff): the loop stops, or reloads the
         * spec and reconciles again at once. The snapshot stays the
         * last full observation. */
        const char *moot = d->cancel_why ? d->cancel_why : "cancelled";
        agentd_log(LOG_NOTICE, "reconcile (%s) given up after %lld ms: %s",
                   why, res.elapsed_ms, moot);
        say(outcome, "reconcile given up: %s\n", moot);
        agentd_serve_set_reconciling(d->serve, false);
        engine_result_clear(&res);
        return -ECANCELED;
    }
    if (r == 0) {
        stats_inc(STATS_RECONCILES_CONVERGED);
        record_success(d);
        note_converged(d);
        agentd_log_with(
            LOG_INFO, &mid_converged,
            "reconcile (%s): converged in %lld ms, %zu step%s in %u "
            "round%s",
            why, res.elapsed_ms, res.steps_done,
            res.steps_done == 1 ? "" : "s", res.rounds,
            res.rounds == 1 ? "" : "s");
        say(outcome, "converged in %lld ms, %zu step%s\n", res.elapsed_ms,
            res.steps_done, res.steps_done == 1 ? "" : "s");
    } else if (only_blocked(&res)) {
        /* Not a failure to retry: nothing to apply until the host
         * changes, and its events bring the daemon back. */
        stats_inc(STATS_RECONCILES_BLOCKED);
        record_success(d);
        agentd_log(LOG_WARNING, "reconcile (%s): blocked after %lld ms: %s",
                   why, res.elapsed_ms, message);
        say(outcome, "not converged: %s\n", message);
    } else {
        long long delay;

        stats_inc(STATS_RECONCILES_FAILED);
        d->failures++;
        delay = agentd_backoff_ms(d->failures);
        d->retry_at = vsdb_time_msec() + delay;
        d->last_error = res.err;
        if (!d->last_error.code) {
            d->last_error.code = r;
        }
        char text[1200], line[1600];
        snprintf(text, sizeof text,
                 "reconcile (%s) failed after %lld ms (%zu step%s done): %s; "
                 "retry %u in %lld s",
                 why, res.elapsed_ms, res.steps_done,
                 res.steps_done == 1 ? "" : "s", message, d->failures,
                 delay / 1000);
        agentd_log_with(LOG_ERR, &mid_failed, "%s",
                        agentd_log_format(line, sizeof line, NULL,
                                          d->last_error.code, text));
        say(outcome, "reconcile failed: %s\n", message);
    }
    /* The report first, then the flag: a status never sees "not
     * reconciling" with the observation from before the reconcile. */
    publish(d, &res);
    agentd_serve_set_reconciling(d->serve, false);
    remember_links(d, res.host);
    engine_result_clear(&res);
    return r;
}

/* An event may have moved the host: observe and plan; reconcile only if
 * there is something to apply (and no backoff holds it back). */
static void
check(struct agentd *d, unsigned reasons)
{
    struct engine_result res;
    struct engine_opts eo;
    char why[128];
    int r;

    reasons_text(reasons, why, sizeof why);
    if (!d->spec) {
        publish(d, NULL);
        return;
    }
    engine_opts_init(d, &eo, true);
    note_seqno(d);
    d->n_checks++;
    stats_inc(STATS_CHECKS);
    arm_cancel(d);
    uint64_t looks0 = stats_get(STATS_OBSERVATIONS);
    r = engine_reconcile(&d->io, d->spec, &eo, &res);
    after_look(d, &res);
    note_ovsdb_stats(d);
    note_pins(d);
    if (d->cancel.cancelled) {
        /* A wait of the look was cut short: what it saw is not the host. */
        engine_result_clear(&res);
        return;
    }
    if (r == 0 && res.plan && res.plan->n_steps) {
        const struct plan_step *s = &res.plan->steps[0];

        if (d->failures && vsdb_time_msec() < d->retry_at) {
            agentd_log(LOG_DEBUG, "check (%s): %zu steps to do, retry pending",
                       why, res.plan->n_steps);
            publish(d, &res);
            engine_result_clear(&res);
            return;
        }
        agentd_log(LOG_NOTICE, "drift (%s): %zu step%s to do, first: %s %s",
                   why, res.plan->n_steps, res.plan->n_steps == 1 ? "" : "s",
                   plan_action_name(s->action), s->object);
        for (size_t i = 0; i < res.plan->n_steps; i++) {
            stats_count_drift(plan_action_name(res.plan->steps[i].action));
        }
        /* Published, so that a status during the reconcile shows the
         * drift it repairs. */
        publish(d, &res);
        size_t n_steps = res.plan->n_steps;
        if (reconcile(d, why, NULL, &res) == 0) {
            /* The looks at the host this repair took, the check's
             * included (docs/performance.md counts them). */
            uint64_t looks = stats_get(STATS_OBSERVATIONS) - looks0;
            struct agentd_log_fields f = {
                .message_id = AGENTD_MID_DRIFT_REPAIRED, .vf = -1};
            agentd_log_with(LOG_NOTICE, &f,
                            "drift repaired (%s): %zu step%s planned, "
                            "%llu look%s",
                            why, n_steps, n_steps == 1 ? "" : "s",
                            (unsigned long long)looks, looks == 1 ? "" : "s");
        }
        return;
    }
    if (r == 0 && res.converged) {
        agentd_log(LOG_DEBUG, "check (%s): converged", why);
        record_success(d);
        note_converged(d);
    } else if (r < 0) {
        char failure[OA_ERR_FORMAT_MAX];

        agentd_log_errno(LOG_WARNING, NULL, res.err.code ? res.err.code : r,
                         "check (%s): %s", why,
                         oa_err_format(&res.err, failure, sizeof failure));
    }
    publish(d, &res);
    remember_links(d, res.host);
    engine_result_clear(&res);
}

static void
run_pending(struct agentd *d)
{
    unsigned reasons = d->pending;
    char why[128];

    watchdog_kick(d);
    d->pending = 0;
    if (reasons & TRIG_APPLY) {
        reconcile(d, reasons_text(reasons, why, sizeof why), NULL, NULL);
    } else {
        check(d, reasons);
    }
}

/* What agentctl asked the control thread for: a reconcile runs now (it
 * observes afresh, so it answers whatever was pending too) and its
 * outcome goes to every client that asked; an old status snapshot is
 * refreshed by a check, debounced like any event. */
static void
serve_asks(struct agentd *d)
{
    struct agentd_serve_asks asks;
    struct oa_str outcome = OA_STR_INIT;
    char why[64];
    int r;

    agentd_serve_take(d->serve, &asks);
    if (asks.reconciles) {
        snprintf(why, sizeof why, "agentctl reconcile, pid %d%s",
                 asks.first_pid, asks.reconciles > 1 ? " and others" : "");
        d->pending = 0;
        watchdog_kick(d);
        r = reconcile(d, why, &outcome, NULL);
        agentd_serve_reconciled(d->serve, r == 0 ? OA_EXIT_OK : OA_EXIT_FAIL,
                                outcome.oom ? "out of memory\n"
                                            : oa_str_cstr(&outcome));
        oa_str_free(&outcome);
    } else if (asks.refresh) {
        trigger(d, TRIG_ASKED);
    }
}

/* ---- Event sources ----------------------------------------------------- */

static void
read_signals(struct agentd *d)
{
    struct signalfd_siginfo si;

    if (d->deferred_hup) {
        /* Read by a reconcile's wait (cancel_check). */
        d->deferred_hup = false;
        agentd_log(LOG_INFO, "SIGHUP: reloading %s", d->spec_path);
        reload_spec(d, TRIG_SIGHUP);
    }

    while (read(d->sigfd, &si, sizeof si) == sizeof si) {
        switch (si.ssi_signo) {
        case SIGTERM:
        case SIGINT:
            agentd_log(LOG_NOTICE, "%s: shutting down",
                       si.ssi_signo == SIGTERM ? "SIGTERM" : "SIGINT");
            d->stop = true;
            break;
        case SIGHUP:
            agentd_log(LOG_INFO, "SIGHUP: reloading %s", d->spec_path);
            sd_notify(0, "RELOADING=1");
            reload_spec(d, TRIG_SIGHUP);
            sd_notify(0, "READY=1");
            break;
        }
    }
}

/* Events of other names that may change the spec: with --spec-dir the
 * other candidate (NODE.json appearing, or going); when the spec is a
 * symlink, the Kubernetes atomic writer's `..data` swap and a change of
 * its target in the same directory. */
static bool
other_spec_event(const struct agentd *d, uint32_t mask, const char *name)
{
    char target[PATH_MAX];
    struct stat st;
    ssize_t n;

    if (!name) {
        return false;
    }
    if (d->opts->spec_dir) {
        bool candidate = !strcmp(name, "default.json") ||
                         agentd_spec_node_event(~0u, name, d->opts->node);
        char path[PATH_MAX];

        if (candidate && agentd_spec_event_matches(mask, name, name)) {
            return true;
        }
        /* A symlink is complete when created (the Kubernetes writer
         * makes NODE.json -> ..data/NODE.json after the swap); a file
         * is read once closed (IN_CLOSE_WRITE). */
        snprintf(path, sizeof path, "%s/%s", d->spec_dir, name);
        if (candidate && (mask & IN_CREATE) && lstat(path, &st) == 0 &&
            S_ISLNK(st.st_mode)) {
            return true;
        }
    }
    if (lstat(d->spec_path, &st) < 0 || !S_ISLNK(st.st_mode)) {
        return false;
    }
    n = readlink(d->spec_path, target, sizeof target - 1);
    target[n > 0 ? n : 0] = '\0';
    return agentd_spec_link_event(mask, name, target);
}

/* Reads the spec directory's events: true when the spec file may have
 * changed. */
static bool
drain_spec_events(struct agentd *d)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    bool changed = false;
    ssize_t n;

    if (d->inofd < 0) {
        return false;
    }
    while ((n = read(d->inofd, buf, sizeof buf)) > 0) {
        for (char *p = buf; p < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)p;

            if (agentd_spec_event_matches(ev->mask, ev->len ? ev->name : NULL,
                                          d->spec_base) ||
                other_spec_event(d, ev->mask, ev->len ? ev->name : NULL)) {
                changed = true;
            }
            if (ev->mask & IN_IGNORED) {
                agentd_log(LOG_WARNING,
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
    return changed;
}

static void
read_inotify(struct agentd *d)
{
    bool changed = drain_spec_events(d) || d->deferred_spec;

    d->deferred_spec = false;
    if (changed) {
        agentd_log(LOG_INFO, "spec %s changed on disk", d->spec_path);
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

/* vdpa bus uevents (add, remove, bind, unbind): debounced like link
 * events, and only a dry run first, so the agent's own changes cost a
 * look, not a reconcile. Other subsystems' uevents are read and dropped. */
static void
read_uevents(struct agentd *d)
{
    struct uevent_summary sum;

    if (!d->uev) {
        return;
    }
    memset(&sum, 0, sizeof sum);
    int r = uevent_drain(d->uev, "vdpa", &sum);
    if (r < 0) {
        agentd_log_errno(LOG_WARNING, "uevents", r, "reading");
        return;
    }
    if (sum.resync) {
        agentd_log(LOG_INFO, "uevents were lost (ENOBUFS): resync");
    }
    if (!sum.matched && !sum.resync) {
        return;
    }
    stats_add(STATS_NETLINK_EVENTS, sum.matched);
    agentd_log(LOG_DEBUG, "%zu vdpa uevent%s (last: %s)", sum.matched,
               sum.matched == 1 ? "" : "s", sum.last);
    trigger(d, TRIG_UEVENT);
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
        agentd_log_errno(LOG_WARNING, what, r, "reading events");
        return;
    }
    if (sum.resync) {
        agentd_log(LOG_INFO, "%s events were lost (ENOBUFS): resync", what);
    }
    if (!sum.events && !sum.resync) {
        return;
    }
    stats_add(STATS_NETLINK_EVENTS, sum.events);
    if (src == d->nl_link && !links_concern_us(d, &sum)) {
        stats_add(STATS_NETLINK_IGNORED, sum.events);
        agentd_log(LOG_DEBUG, "%zu link event%s about netdevs not managed",
                   sum.events, sum.events == 1 ? "" : "s");
        return;
    }
    agentd_log(LOG_DEBUG, "%zu %s event%s", sum.events, what,
               sum.events == 1 ? "" : "s");
    trigger(d, TRIG_NETLINK);
}

/* A peer came back: whatever backoff its outage caused ends, and the
 * daemon reconciles now (docs/architecture.md, "Peers"). */
static void
peer_back(struct agentd *d, const char *what)
{
    if (d->failures) {
        agentd_log(LOG_NOTICE,
                   "%s: reconciling now, not after the backoff "
                   "of %u failed reconcile%s",
                   what, d->failures, d->failures == 1 ? "" : "s");
    } else {
        agentd_log(LOG_NOTICE, "%s: reconciling now", what);
    }
    d->retry_at = -1;
    trigger(d, TRIG_PEER);
}

/* The running ovs-vswitchd now, against the one last seen: a restart
 * changes nothing the daemon monitors in OVSDB, so it is seen here. */
static void
note_vswitchd(struct agentd *d, bool announce)
{
    char *id = NULL;

    if (vsdb_vswitchd_identity(d->io.vswitchd_pidfile, d->io.proc_root, &id)) {
        id = NULL;
    }
    bool same = (!id && !d->vswitchd_id) ||
                (id && d->vswitchd_id && !strcmp(id, d->vswitchd_id));
    if (!same && announce) {
        if (id) {
            peer_back(d, d->vswitchd_id ? "ovs-vswitchd restarted"
                                        : "ovs-vswitchd started");
        } else {
            agentd_log(LOG_NOTICE, "ovs-vswitchd stopped");
            trigger(d, TRIG_PEER_GONE);
        }
    }
    free(d->vswitchd_id);
    d->vswitchd_id = id;
}

/* The pidfile or the OVSDB socket changed (agentd-peers.h). A new socket
 * while the client is not connected: a new client connects now, where
 * the old one would wait out its backoff. */
static void
read_peers(struct agentd *d)
{
    unsigned changed = agentd_peers_read(d->peers) | d->deferred_peers;

    d->deferred_peers = 0;

    if (changed & AGENTD_PEER_VSWITCHD) {
        note_vswitchd(d, true);
    }
    if ((changed & AGENTD_PEER_OVSDB) && d->io.vsdb &&
        !vsdb_is_ready(d->io.vsdb)) {
        int r = hostio_reconnect_ovsdb(&d->io);
        if (r < 0) {
            agentd_log_errno(LOG_WARNING, d->io.ovs_remote, r,
                             "connecting to OVSDB anew");
        } else {
            agentd_log(LOG_INFO, "%s appeared: connecting to OVSDB now",
                       d->io.ovs_remote);
        }
    }
}

/* After a look: the peers' files of the spec's OVS, watched. */
static void
watch_peers(struct agentd *d)
{
    const char *pidfile = d->io.vswitchd_pidfile ? d->io.vswitchd_pidfile
                                                 : VSDB_VSWITCHD_PIDFILE;
    const char *remote = d->io.ovs_remote;

    if (!remote && d->spec) {
        remote = d->spec->ovs.db ? d->spec->ovs.db : VSDB_DEFAULT_REMOTE;
    }
    agentd_peers_watch(d->peers, pidfile, remote);
}

static void
check_ovsdb(struct agentd *d)
{
    unsigned int seqno;

    if (!d->io.vsdb) {
        return;
    }
    vsdb_run(d->io.vsdb);
    bool ready = vsdb_is_ready(d->io.vsdb);
    if (ready && !d->ovsdb_ready) {
        peer_back(d, "OVSDB connected again");
    }
    d->ovsdb_ready = ready;
    seqno = vsdb_seqno(d->io.vsdb);
    if (d->seqno_db != d->io.vsdb) {
        d->seqno_db = d->io.vsdb;
        d->seqno = seqno;
    } else if (seqno != d->seqno) {
        agentd_log(LOG_DEBUG, "OVSDB changed (seqno %u -> %u)", d->seqno,
                   seqno);
        d->seqno = seqno;
        trigger(d, TRIG_OVSDB);
    }
}

/* ---- Start and stop ---------------------------------------------------- */

static int
split_spec_path(struct agentd *d)
{
    const char *path = d->spec_path;
    const char *slash = strrchr(path, '/');

    free(d->spec_dir);
    free(d->spec_base);
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
        agentd_log_errno(LOG_WARNING, "inotify", -errno,
                         "spec changes need SIGHUP");
        return;
    }
    if (inotify_add_watch(d->inofd, d->spec_dir, agentd_spec_watch_mask()) <
        0) {
        agentd_log_errno(LOG_WARNING, d->spec_dir, -errno,
                         "cannot watch it, spec changes need SIGHUP");
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
        agentd_log_errno(LOG_WARNING, "link events", r,
                         "drift is found by the periodic resync");
    }
    r = nlev_open(NLEV_DEVLINK, &d->nl_devlink);
    if (r < 0) {
        d->nl_devlink = NULL;
        agentd_log_errno(LOG_WARNING, "devlink events", r,
                         "drift is found by the periodic resync");
    }
    r = uevent_open(&d->uev);
    if (r < 0) {
        d->uev = NULL;
        agentd_log_errno(LOG_WARNING, "uevents", r,
                         "vDPA drift is found by the periodic resync");
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
    /* The thread first: it answers what is queued and stops using the
     * socket before it goes. */
    agentd_serve_destroy(d->serve);
    d->serve = NULL;
    if (d->ctlfd >= 0) {
        close(d->ctlfd);
        if (unlink(d->opts->socket_path) < 0 && errno != ENOENT) {
            agentd_log_errno(LOG_WARNING, d->opts->socket_path, -errno,
                             "removing the control socket");
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
    uevent_close(d->uev);
    agentd_peers_destroy(d->peers);
    free(d->vswitchd_id);
    free(d->link_ifindexes);
    hostio_close(&d->io);
    engine_refusals_clear(&d->refusals);
    order_store_clear(&d->orders);
    pfpin_store_clear(&d->pins);
    crashj_close(&d->journal);
    spec_destroy(d->spec);
    free(d->spec_error);
    free(d->spec_dir);
    free(d->spec_base);
    free(d->status_line);
    oa_str_free(&d->not_in_hw);
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
    vsdb_poll_fd_wait(agentd_serve_wake_fd(d->serve), POLLIN);
    if (d->inofd >= 0) {
        vsdb_poll_fd_wait(d->inofd, POLLIN);
    }
    if (d->nl_link) {
        vsdb_poll_fd_wait(nlev_fd(d->nl_link), POLLIN);
    }
    if (d->nl_devlink) {
        vsdb_poll_fd_wait(nlev_fd(d->nl_devlink), POLLIN);
    }
    if (d->uev) {
        vsdb_poll_fd_wait(uevent_fd(d->uev), POLLIN);
    }
    if (agentd_peers_fd(d->peers) >= 0) {
        vsdb_poll_fd_wait(agentd_peers_fd(d->peers), POLLIN);
    }
    if (d->deferred_hup || d->deferred_spec || d->deferred_peers) {
        next = now; /* read by a reconcile's wait: handled next turn */
    }
    if (d->pending && d->pending_at < next) {
        next = d->pending_at;
    }
    if (d->retry_at >= 0 && d->retry_at < next) {
        next = d->retry_at;
    }
    if (d->metrics_at >= 0 && d->metrics_at < next) {
        next = d->metrics_at;
    }
    if (d->watchdog_ms && d->watchdog_next < next) {
        next = d->watchdog_next;
    }
    vsdb_poll_timer_wait(next > now ? next - now : 0);
}

/* The control socket and its thread, with what status says until the
 * first reconcile ends (systemd hears of it after the reconcile: READY=1
 * waits for that). 0, or -1 after logging why. */
static int
start_serving(struct agentd *d)
{
    int code, r;

    d->ctlfd = ctl_listen(d->opts->socket_path);
    if (d->ctlfd < 0) {
        agentd_log_errno(LOG_ERR, d->opts->socket_path, d->ctlfd,
                         "control socket");
        return -1;
    }
    d->serve = agentd_serve_create(d->ctlfd);
    if (!d->serve) {
        agentd_log(LOG_ERR, "control socket: cannot set up its thread");
        return -1;
    }
    if (agentd_serve_set_doctor_spec(d->serve, d->spec_path) < 0) {
        agentd_log(LOG_ERR, "control socket: out of memory");
        return -1;
    }
    struct report *rep = status_report(d, NULL, &code);
    agentd_serve_publish(d->serve, rep, code);
    agentd_serve_set_reconciling(d->serve, d->spec != NULL);
    r = agentd_serve_start(d->serve);
    if (r < 0) {
        agentd_log_errno(LOG_ERR, "control socket", r, "starting its thread");
        return -1;
    }
    return 0;
}

/* Everything the main loop reads, opened in the order that loses no
 * change. 0, or -1 after logging why. */
static int
agentd_start(struct agentd *d)
{
    struct oa_err err;
    uint64_t wd_usec = 0;

    d->sigfd = open_sigfd();
    if (d->sigfd < 0) {
        agentd_log_errno(LOG_ERR, "signalfd", -errno, "cannot start");
        return -1;
    }
    if (d->opts->spec_dir) {
        pick_spec(d);
    } else {
        oa_copy_str(d->spec_path, sizeof d->spec_path, d->opts->spec_path);
    }
    if (split_spec_path(d) < 0) {
        agentd_log(LOG_ERR, "out of memory");
        return -1;
    }
    agentd_log(LOG_INFO, "starting: spec %s, control socket %s", d->spec_path,
               d->opts->socket_path);

    /* Watch before loading, so a change between the two is not lost. */
    open_watch(d);
    load_spec(d);
    load_orders(d);
    load_pins(d);

    if (hostio_open(&d->io, &err) < 0) {
        agentd_log_err(LOG_ERR, "opening the host interfaces", &err);
        return -1;
    }
    if (!d->io.devlink) {
        agentd_log(LOG_WARNING,
                   "the kernel has no devlink: eswitch steps fail");
    }
    d->io.cancel = &d->cancel;
    recover_journal(d);
    d->io.state_dir = d->opts->state_dir;
    d->peers = agentd_peers_create();
    if (!d->peers) {
        agentd_log(LOG_WARNING,
                   "cannot watch ovs-vswitchd and ovsdb-server: "
                   "their restarts are found by the periodic resync");
    }
    note_vswitchd(d, false);
    watch_peers(d);
    open_nlev(d);
    if (start_serving(d) < 0) {
        return -1;
    }
    if (sd_watchdog_enabled(0, &wd_usec) > 0 && wd_usec) {
        d->watchdog_ms = (long long)(wd_usec / 2000);
        if (!d->watchdog_ms) {
            d->watchdog_ms = 1;
        }
        agentd_log(LOG_INFO, "watchdog: every %lld ms", d->watchdog_ms);
    }
    return 0;
}

/* One turn of the main loop: read every source without blocking, run
 * what is due, then block until the next source or timer. */
static void
run_once(struct agentd *d)
{
    long long now;

    read_signals(d);
    if (d->stop) {
        return;
    }
    read_inotify(d);
    read_nlev(d, d->nl_link, "link");
    read_nlev(d, d->nl_devlink, "devlink");
    read_uevents(d);
    read_peers(d);
    check_ovsdb(d);
    serve_asks(d);
    if (d->stop) {
        return; /* SIGTERM ended a reconcile's wait */
    }

    now = vsdb_time_msec();
    if (now >= d->resync_at) {
        d->resync_at = now + AGENTD_RESYNC_MS;
        trigger(d, TRIG_RESYNC);
    }
    if (d->retry_at >= 0 && now >= d->retry_at) {
        d->retry_at = -1;
        trigger(d, TRIG_RETRY);
    }
    if (d->metrics_at >= 0 && now >= d->metrics_at) {
        d->metrics_at = now + AGENTD_METRICS_REFRESH_MS;
        trigger(d, TRIG_STATUS);
    }
    if (d->pending && vsdb_time_msec() >= d->pending_at) {
        run_pending(d);
        if (d->stop) {
            return;
        }
    }
    watchdog_kick(d);

    arm_waits(d);
    vsdb_poll_block();
}

int
agentd_run(const struct agentd_opts *opts)
{
    struct agentd d;

    memset(&d, 0, sizeof d);
    d.opts = opts;
    d.sigfd = d.inofd = d.ctlfd = -1;
    d.retry_at = -1;
    d.links_all = true; /* until the first observation */
    agentd_log_set_level(opts->log_level);

    if (agentd_start(&d) < 0) {
        agentd_close(&d);
        return 1;
    }
    /* The first reconcile; READY=1 follows it whatever its outcome, so
     * that units ordered after this one (ovs-vswitchd) are not held. */
    reconcile(&d, "startup", NULL, NULL);
    d.resync_at = vsdb_time_msec() + AGENTD_RESYNC_MS;
    d.metrics_at =
        opts->metrics_path ? vsdb_time_msec() + AGENTD_METRICS_REFRESH_MS : -1;
    while (!d.stop) {
        run_once(&d);
    }

    sd_notify(0, "STOPPING=1");
    agentd_log(LOG_INFO, "stopped after %lu reconcile%s and %lu check%s",
               d.n_reconciles, d.n_reconciles == 1 ? "" : "s", d.n_checks,
               d.n_checks == 1 ? "" : "s");
    agentd_close(&d);
    return 0;
}
