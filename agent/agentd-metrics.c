/* agentd-metrics: the metrics text, to the file and the socket (see
 * agentd-metrics.h). */
#include "agentd-metrics.h"

#include "agentd.h"
#include "ctl.h"
#include "statefile.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

struct agentd_metrics {
    pthread_mutex_t mutex;
    char *text;        /* under 'mutex'; NULL: nothing observed yet */
    bool write_failed; /* main loop only: the last write failed */
};

static void
cmd_metrics(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    struct agentd_metrics *m = aux;
    char *text;

    (void)argc;
    (void)argv;
    pthread_mutex_lock(&m->mutex);
    text = m->text ? strdup(m->text) : NULL;
    pthread_mutex_unlock(&m->mutex);
    ctl_conn_reply(conn, text ? OA_EXIT_OK : OA_EXIT_FAIL,
                   text ? text : "no metrics yet: the first look runs\n");
    free(text);
}

struct agentd_metrics *
agentd_metrics_register(struct ctl_registry *reg)
{
    struct agentd_metrics *m = calloc(1, sizeof *m);

    if (!m) {
        return NULL;
    }
    pthread_mutex_init(&m->mutex, NULL);
    if (ctl_register(reg, "metrics", "", 0, 0, false, cmd_metrics, m) < 0) {
        agentd_metrics_destroy(m);
        return NULL;
    }
    return m;
}

void
agentd_metrics_destroy(struct agentd_metrics *m)
{
    if (!m) {
        return;
    }
    pthread_mutex_destroy(&m->mutex);
    free(m->text);
    free(m);
}

/* The file, written whole. statefile_write() adds the last newline. */
static void
write_file(struct agentd_metrics *m, const char *text, const char *path)
{
    size_t len = strlen(text);
    char *body = strndup(text, len && text[len - 1] == '\n' ? len - 1 : len);
    int r = body ? statefile_write(path, body) : -ENOMEM;

    free(body);
    if (r < 0 && !m->write_failed) {
        agentd_log_errno(LOG_WARNING, path, r, "writing the metrics file");
    } else if (r == 0 && m->write_failed) {
        agentd_log(LOG_NOTICE, "%s: metrics file written again", path);
    }
    m->write_failed = r < 0;
}

void
agentd_metrics_publish(struct agentd_metrics *m, char *text, const char *path)
{
    if (!m || !text) {
        free(text);
        return;
    }
    if (path) {
        write_file(m, text, path);
    }
    pthread_mutex_lock(&m->mutex);
    free(m->text);
    m->text = text;
    pthread_mutex_unlock(&m->mutex);
}
