/* agentd-doctor: `doctor` on the control socket (agentd-doctor.h). */
#include "agentd-doctor.h"

#include "agentd.h"
#include "contract.h"
#include "ctl.h"
#include "doctor.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

struct agentd_doctor {
    pthread_mutex_t mutex;
    bool running;  /* a run's thread exists (joinable) */
    bool finished; /* ... and has answered: join it */
    pthread_t thread;
    struct ctl_conn *conn; /* the run's client; the thread answers it */
    char *spec_word;       /* "--spec=PATH": the daemon's spec; owned */
};

static void *
run_thread(void *aux)
{
    struct agentd_doctor *doc = aux;
    struct ctl_conn *conn = doc->conn;
    int code = OA_EXIT_FAIL;

    /* The words point into conn->req, which lives until the answer; the
     * daemon's spec is the context, never one a client names. */
    char *words[CTL_MAX_ARGS + 1];
    int n = 0;
    for (int i = 0; i < conn->req.argc && i < CTL_MAX_ARGS; i++) {
        words[n++] = conn->req.argv[i];
    }
    if (doc->spec_word) {
        words[n++] = doc->spec_word;
    }
    char *out = doctor_serve(n, words, &code);
    ctl_conn_reply(conn, out ? code : OA_EXIT_FAIL,
                   out ? out : "doctor: out of memory\n");
    free(out);
    ctl_conn_destroy(conn);
    pthread_mutex_lock(&doc->mutex);
    doc->finished = true;
    pthread_mutex_unlock(&doc->mutex);
    return NULL;
}

/* Joins a finished run, so that its slot is free. */
static void
reap(struct agentd_doctor *doc)
{
    if (doc->running && doc->finished) {
        pthread_join(doc->thread, NULL); /* it is past its last lock */
        doc->running = doc->finished = false;
    }
}

static void
cmd_doctor(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    struct agentd_doctor *doc = aux;

    for (int i = 0; i < argc; i++) {
        /* The daemon reads its own host only, never a tree a client
         * names. */
        if (!strncmp(argv[i], "--root", 6) || !strncmp(argv[i], "--spec", 6)) {
            ctl_conn_reply(conn, OA_EXIT_FAIL,
                           "doctor: --root and --spec are read by agentctl, "
                           "not the daemon (it uses its own spec)\n");
            return;
        }
    }
    pthread_mutex_lock(&doc->mutex);
    reap(doc);
    bool busy = doc->running;
    if (!busy) {
        doc->conn = conn;
        doc->running = !pthread_create(&doc->thread, NULL, run_thread, doc);
    }
    bool started = doc->running && !busy;
    pthread_mutex_unlock(&doc->mutex);
    if (busy) {
        ctl_conn_reply(conn, OA_EXIT_FAIL,
                       "doctor: another doctor run is in progress; try "
                       "again in a few seconds\n");
    } else if (!started) {
        agentd_log(LOG_ERR, "doctor: cannot start its thread");
        ctl_conn_reply(conn, OA_EXIT_FAIL, "doctor: cannot start a run\n");
    }
}

struct agentd_doctor *
agentd_doctor_register(struct ctl_registry *reg)
{
    struct agentd_doctor *doc = calloc(1, sizeof *doc);

    if (!doc) {
        return NULL;
    }
    pthread_mutex_init(&doc->mutex, NULL);
    if (ctl_register(reg, "doctor", "[--json] [--interval-ms=N] [CHECK...]", 0,
                     CTL_MAX_ARGS, false, cmd_doctor, doc) < 0) {
        agentd_doctor_destroy(doc);
        return NULL;
    }
    return doc;
}

int
agentd_doctor_set_spec(struct agentd_doctor *doc, const char *path)
{
    char *word = NULL;
    if (path && asprintf(&word, "--spec=%s", path) < 0) {
        return -ENOMEM;
    }
    pthread_mutex_lock(&doc->mutex);
    bool busy = doc->running; /* a run reads the old word */
    if (!busy) {
        free(doc->spec_word);
        doc->spec_word = word;
    }
    pthread_mutex_unlock(&doc->mutex);
    if (busy) {
        free(word);
        return -EBUSY;
    }
    return 0;
}

void
agentd_doctor_destroy(struct agentd_doctor *doc)
{
    if (!doc) {
        return;
    }
    if (doc->running) {
        pthread_join(doc->thread, NULL);
    }
    pthread_mutex_destroy(&doc->mutex);
    free(doc->spec_word);
    free(doc);
}
