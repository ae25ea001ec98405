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
    pthread_cond_t ended; /* a run's thread ended */
    bool busy;            /* a run is sampling: another is told to retry */
    unsigned live;        /* run threads (detached) not ended yet */
    char *spec_word;      /* "--spec=PATH": the daemon's spec; owned */
};

struct doctor_run {
    struct agentd_doctor *doc;
    struct ctl_conn *conn; /* the run's client; the thread answers it */
};

static void *
run_thread(void *aux)
{
    struct doctor_run *run = aux;
    struct agentd_doctor *doc = run->doc;
    struct ctl_conn *conn = run->conn;
    int code = OA_EXIT_FAIL;

    free(run);
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
    /* Free before the answer: a client that asks again as soon as it has
     * it must not be told a run is in progress. */
    pthread_mutex_lock(&doc->mutex);
    doc->busy = false;
    pthread_mutex_unlock(&doc->mutex);
    ctl_conn_reply(conn, out ? code : OA_EXIT_FAIL,
                   out ? out : "doctor: out of memory\n");
    free(out);
    ctl_conn_destroy(conn);
    pthread_mutex_lock(&doc->mutex);
    doc->live--;
    pthread_cond_broadcast(&doc->ended);
    pthread_mutex_unlock(&doc->mutex);
    return NULL;
}

/* Starts a run's thread, detached (it ends on its own; destroy waits for
 * 'live' to drop to 0). Called with the mutex held. */
static bool
start_run(struct agentd_doctor *doc, struct ctl_conn *conn)
{
    struct doctor_run *run = malloc(sizeof *run);
    pthread_attr_t attr;
    pthread_t thread;
    bool ok = run && !pthread_attr_init(&attr);
    if (ok) {
        run->doc = doc;
        run->conn = conn;
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        ok = !pthread_create(&thread, &attr, run_thread, run);
        pthread_attr_destroy(&attr);
    }
    if (!ok) {
        free(run);
        return false;
    }
    doc->busy = true;
    doc->live++;
    return true;
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
    bool busy = doc->busy;
    bool started = !busy && start_run(doc, conn);
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
    pthread_cond_init(&doc->ended, NULL);
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
    bool busy = doc->live; /* a run reads the old word */
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
    pthread_mutex_lock(&doc->mutex);
    while (doc->live) {
        pthread_cond_wait(&doc->ended, &doc->mutex);
    }
    pthread_mutex_unlock(&doc->mutex);
    pthread_cond_destroy(&doc->ended);
    pthread_mutex_destroy(&doc->mutex);
    free(doc->spec_word);
    free(doc);
}
