/* agentctl doctor [--json] [--interval SECONDS] [--root DIR] [CHECK...]:
 * why the datapath is slow, dropping or not offloaded (docs/doctor.md).
 * Asked of the daemon when it runs (so that it works unprivileged where
 * status does), otherwise run here; a recorded tree (--root) is always
 * read here. */
#include "agentctl.h"

#include "ctl.h"
#include "doctor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "2.5" seconds -> 2500 ms; false when not a number in range. */
static bool
parse_interval(const char *text, unsigned *ms)
{
    char *end;
    double s = strtod(text, &end);
    if (end == text || *end || !(s >= 0) ||
        s * 1000 > DOCTOR_MAX_INTERVAL_MS) {
        return false;
    }
    *ms = (unsigned)(s * 1000 + 0.5);
    return true;
}

int
agentctl_cmd_doctor(const struct agentctl_opts *opts, int argc, char *argv[])
{
    char interval[48], root[4200], spec[4200];
    const char *words[CTL_MAX_ARGS];
    unsigned ms = DOCTOR_DEFAULT_INTERVAL_MS;
    int n = 0, exit_code, r;

    if (opts->interval && !parse_interval(opts->interval, &ms)) {
        fprintf(stderr,
                "agentctl: doctor: --interval %s: not a number of seconds "
                "from 0 to %d\n",
                opts->interval, DOCTOR_MAX_INTERVAL_MS / 1000);
        return OA_EXIT_FAIL;
    }
    if (argc > CTL_MAX_ARGS - 4) {
        fprintf(stderr, "agentctl: doctor: too many checks named\n");
        return OA_EXIT_FAIL;
    }
    snprintf(interval, sizeof interval, "--interval-ms=%u", ms);
    words[n++] = interval;
    if (opts->json) {
        words[n++] = "--json";
    }
    for (int i = 0; i < argc; i++) {
        words[n++] = argv[i];
    }
    char *payload = NULL;
    if (!opts->root) {
        r = ctl_call(opts->socket, "doctor", n, words,
                     ms + AGENTCTL_STATUS_TIMEOUT_MS + 60000, &exit_code,
                     &payload);
        if (r < 0 && r != -ENOENT && r != -ECONNREFUSED) {
            return agentctl_error("doctor", r, "asking the daemon on %s",
                                  opts->socket);
        }
    }
    if (!payload) {
        /* No daemon, or a recorded tree: run here, with --spec's PFs as
         * context (the daemon uses its own spec). */
        snprintf(root, sizeof root, "--root=%s", opts->root ? opts->root : "");
        if (opts->root) {
            words[n++] = root;
        }
        snprintf(spec, sizeof spec, "--spec=%s", opts->spec);
        words[n++] = spec;
        payload = doctor_serve(n, (char *const *)words, &exit_code);
    }
    if (exit_code == OA_EXIT_FAIL && payload &&
        (!strncmp(payload, "doctor: unknown", 15) ||
         !strncmp(payload, "doctor: bad", 11))) {
        /* A usage error: on stderr, like the other commands'. */
        fprintf(stderr, "agentctl: %s\n", payload);
        free(payload);
        return OA_EXIT_FAIL;
    }
    int code = agentctl_print(payload, "doctor");
    return code == OA_EXIT_OK ? exit_code : code;
}
