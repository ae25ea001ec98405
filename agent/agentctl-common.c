/* Helpers shared by the agentctl commands: loading the spec the way
 * validate reports it, and writing a command's output. */
#include "agentctl.h"

#include "engine.h"
#include "report.h"
#include "hostio.h"
#include "plan.h"
#include "vsdb.h"
#include "stats.h"
#include "offload/spec.h"
#include "order.h"
#include "pfpin.h"

#include "oa-common/err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
agentctl_load_spec(const char *file, struct spec **specp)
{
    struct spec_errors *errors = NULL;
    int r = spec_load_file(file, specp, &errors);

    if (r == -ENOMEM) {
        fprintf(stderr, "agentctl: %s: out of memory\n", file);
        spec_errors_destroy(errors);
        return OA_EXIT_FAIL;
    }
    if (r < 0) {
        /* One line per error: FILE:LINE:COL: PATH: message. */
        for (size_t i = 0; i < spec_errors_count(errors); i++) {
            char *line = spec_error_format(spec_errors_get(errors, i));
            fprintf(stderr, "%s\n", line ? line : "(out of memory)");
            free(line);
        }
        spec_errors_destroy(errors);
        return OA_EXIT_INVALID;
    }
    spec_errors_destroy(errors);
    return OA_EXIT_OK;
}

int
agentctl_print(char *text, const char *what)
{
    if (!text) {
        fprintf(stderr, "agentctl: %s: out of memory\n", what);
        return OA_EXIT_FAIL;
    }
    size_t len = strlen(text);
    fputs(text, stdout);
    if (!len || text[len - 1] != '\n') {
        fputc('\n', stdout);
    }
    free(text);
    if (fflush(stdout) != 0) {
        return agentctl_error(what, -errno, "writing output");
    }
    return OA_EXIT_OK;
}

int
agentctl_error(const char *command, int r, const char *fmt, ...)
{
    char text[OA_ERR_TEXT_MAX], out[OA_ERR_FORMAT_MAX];
    struct oa_err err;
    va_list args;

    va_start(args, fmt);
    vsnprintf(text, sizeof text, fmt, args);
    va_end(args);
    oa_err_set_errno(&err, r, "%s", text);
    fprintf(stderr, "agentctl: %s: %s\n", command,
            oa_err_format(&err, out, sizeof out));
    return OA_EXIT_FAIL;
}

bool
agentctl_no_args(const char *command, int argc, char *argv[])
{
    if (argc > 0) {
        fprintf(stderr, "agentctl: %s takes no argument (got \"%s\")\n",
                command, argv[0]);
        return false;
    }
    return true;
}

void
agentctl_load_orders(const struct agentctl_opts *opts, struct order_store *s,
                     char *path, size_t size)
{
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];

    if (order_path(opts->state_dir, path, size) < 0) {
        fprintf(stderr,
                "agentctl: warning: state directory %s: name too "
                "long\n",
                opts->state_dir);
        path[0] = '\0';
        return;
    }
    if (order_load(s, path, &err) < 0) {
        fprintf(stderr, "agentctl: warning: eswitch order file ignored: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
}

void
agentctl_note_orders(const struct order_store *s, const char *path,
                     const struct engine_result *res)
{
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];

    for (size_t i = 0; res->host && i < res->host->n_pfs; i++) {
        const struct obs_pf *pf = &res->host->pfs[i];
        if (pf->order_source == OBS_ORDER_FALLBACK) {
            fprintf(stderr,
                    "agentctl: %s: eswitch order %s, the other was refused: "
                    "%s\n",
                    pf->devlink, obs_order_name(pf->order), pf->order_refusal);
        }
    }
    if (res->orders_changed && path[0] && order_save(s, path, &err) < 0) {
        fprintf(stderr,
                "agentctl: warning: learned eswitch order not saved: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
}

void
agentctl_load_pins(const struct agentctl_opts *opts, struct pfpin_store *s,
                   char *path, size_t size)
{
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];

    if (pfpin_path(opts->state_dir, path, size) < 0) {
        path[0] = '\0'; /* agentctl_load_orders() said so */
        return;
    }
    if (pfpin_load(s, path, &err) < 0) {
        fprintf(stderr, "agentctl: warning: PF pin file ignored: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
}

void
agentctl_note_pins(struct pfpin_store *s, const char *path)
{
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];

    if (s->unsaved && path[0] && pfpin_save(s, path, &err) < 0) {
        fprintf(stderr, "agentctl: warning: PF pins not saved: %s\n",
                oa_err_format(&err, text, sizeof text));
    }
}

int
agentctl_run_engine_on(struct hostio *io, const struct spec *spec,
                       const struct engine_opts *eo, struct crashj *journal,
                       struct obs_host *seen, struct engine_result *res)
{
    io->journal = journal;
    io->state_dir = eo->state_dir;
    int r = engine_reconcile_from(io, spec, eo, seen, res);
    io->journal = NULL;
    if (io->vsdb) {
        struct vsdb_stats vs;
        vsdb_get_stats(io->vsdb, &vs);
        stats_ovsdb_totals(vs.n_commits, vs.n_retries);
    }
    if (eo->dry_run) {
        stats_inc(STATS_CHECKS);
    } else {
        stats_reconcile_time(res->elapsed_ms);
        stats_inc(r == 0 ? STATS_RECONCILES_CONVERGED
                  : res->plan && !res->plan->n_steps && res->plan->n_blockers
                      ? STATS_RECONCILES_BLOCKED
                      : STATS_RECONCILES_FAILED);
    }
    return r;
}

int
agentctl_run_engine(const struct spec *spec, const struct engine_opts *eo,
                    struct crashj *journal, struct engine_result *res)
{
    struct hostio io;

    memset(&io, 0, sizeof io);
    memset(res, 0, sizeof *res);
    int r = hostio_open(&io, &res->err);
    if (r < 0) {
        return r;
    }
    r = agentctl_run_engine_on(&io, spec, eo, journal, NULL, res);
    /* The result holds copies: the handles can go. */
    hostio_close(&io);
    return r;
}

int
agentctl_report(const struct spec *spec, const struct engine_result *res,
                int r, const char *object, const char *hint, bool json,
                const char *what)
{
    struct report *report = report_build(spec, res->host, res->plan);
    char failure[OA_ERR_FORMAT_MAX];
    int code;

    if (report && r < 0 &&
        report_add_problem(report, REPORT_ERROR, object, hint, "%s",
                           oa_err_format(&res->err, failure, sizeof failure)) <
            0) {
        report_free(report);
        report = NULL;
    }
    if (!report) {
        fprintf(stderr, "agentctl: %s: out of memory\n", what);
        return OA_EXIT_FAIL;
    }
    /* This process's own counters (one run: smaller than the
     * daemon's), so that status --json has "stats" either way. */
    struct stats_view stats;
    struct report_live live = {.observed_age_ms = -1, .stats = &stats};
    stats_read(&stats);
    code = agentctl_print(json ? report_to_json_live(report, true, &live)
                               : report_to_text(report),
                          what);
    if (code == OA_EXIT_OK) {
        code = report_exit_code(report);
    }
    report_free(report);
    return code;
}
