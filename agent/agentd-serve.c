/* agentd-serve: the control socket's thread and the snapshot it serves
 * (see agentd-serve.h for why a thread, and what is shared). */
#include "agentd-serve.h"

#include "agentd-doctor.h"
#include "agentd-metrics.h"
#include "agentd.h"
#include "ctl.h"
#include "report.h"
#include "stats.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Connections whose request is still being read: a client that connects
 * and says nothing holds a slot until AGENTD_CTL_TIMEOUT_MS, not the
 * thread. When all are taken, new connections wait in the backlog. */
#define MAX_READING 64

/* A queue of connections waiting for a reconcile's outcome. */
struct conn_list {
    struct ctl_conn **conns;
    size_t n, cap;
};

struct agentd_serve {
    int listen_fd;
    int main_wake;   /* eventfd: thread -> main loop */
    int thread_wake; /* eventfd: main loop -> thread */
    pthread_t thread;
    bool started;
    struct ctl_registry *registry;
    struct agentd_doctor *doctor;   /* "doctor" runs on threads of its own */
    struct agentd_metrics *metrics; /* "metrics": the main loop's text */

    /* Thread only. */
    struct ctl_conn *reading[MAX_READING];
    size_t n_reading;
    long long accept_paused_until; /* accept() ran out of fds */

    /* Under 'mutex'. */
    pthread_mutex_t mutex;
    struct report *report; /* NULL: nothing published */
    int exit_code;
    long long observed_at; /* now_ms() of the publish */
    bool reconciling;
    bool refresh_asked;
    bool stop;
    struct conn_list queued;  /* waiting for the main loop to take them */
    struct conn_list running; /* taken: the reconcile running is theirs */
    struct conn_list done;    /* outcome known: the thread answers them */
    int done_code;
    char *done_message;
};

static long long
now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
wake(int fd)
{
    uint64_t one = 1;

    /* Only fails when the counter would overflow: it is set anyway. */
    if (write(fd, &one, sizeof one) < 0) {
    }
}

static void
drain(int fd)
{
    uint64_t n;

    while (read(fd, &n, sizeof n) > 0) {
    }
}

static int
conn_list_add(struct conn_list *l, struct ctl_conn *conn)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct ctl_conn **c = realloc(l->conns, cap * sizeof *c);
        if (!c) {
            return -ENOMEM;
        }
        l->conns = c;
        l->cap = cap;
    }
    l->conns[l->n++] = conn;
    return 0;
}

/* Moves everything in 'from' to the end of 'to'. */
static int
conn_list_move(struct conn_list *to, struct conn_list *from)
{
    for (size_t i = 0; i < from->n; i++) {
        if (conn_list_add(to, from->conns[i]) < 0) {
            /* Keep the rest where they are; 'to' has the first i. */
            memmove(from->conns, from->conns + i,
                    (from->n - i) * sizeof *from->conns);
            from->n -= i;
            return -ENOMEM;
        }
    }
    from->n = 0;
    return 0;
}

/* Answers and frees every connection of 'l'. */
static void
conn_list_answer(struct conn_list *l, int code, const char *payload)
{
    for (size_t i = 0; i < l->n; i++) {
        ctl_conn_reply(l->conns[i], code, payload);
        ctl_conn_destroy(l->conns[i]);
    }
    l->n = 0;
}

static void
conn_list_free(struct conn_list *l)
{
    conn_list_answer(l, OA_EXIT_FAIL, "offload-agent is shutting down\n");
    free(l->conns);
    l->conns = NULL;
    l->cap = 0;
}

/* ---- Commands (run on the thread) --------------------------------------- */

/* status [--json]: the snapshot, rendered now. "json" (without dashes)
 * is what agentctl sent before the protocol had arguments. */
static void
cmd_status(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    struct agentd_serve *serve = aux;
    struct report_live live = {.stats = NULL};
    struct stats_view stats;
    bool json = false;
    char *payload = NULL;
    int code = OA_EXIT_FAIL;
    bool refresh = false;

    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "json")) {
            json = true;
        } else {
            ctl_conn_reply(conn, OA_EXIT_FAIL, "usage: status [--json]\n");
            return;
        }
    }
    stats_read(&stats);
    live.stats = &stats;

    pthread_mutex_lock(&serve->mutex);
    if (serve->report) {
        live.observed_age_ms = now_ms() - serve->observed_at;
        live.reconciling = serve->reconciling;
        payload = json ? report_to_json_live(serve->report, true, &live)
                       : report_to_text_live(serve->report, &live);
        code = serve->exit_code;
        if (!serve->reconciling &&
            live.observed_age_ms > AGENTD_SERVE_REFRESH_MS &&
            !serve->refresh_asked) {
            serve->refresh_asked = refresh = true;
        }
    }
    pthread_mutex_unlock(&serve->mutex);

    if (refresh) {
        wake(serve->main_wake);
    }
    ctl_conn_reply(conn, payload ? code : OA_EXIT_FAIL,
                   payload ? payload : "no status: out of memory\n");
    free(payload);
}

/* reconcile: queued for the main loop; the answer comes when it ran. */
static void
cmd_reconcile(struct ctl_conn *conn, int argc, char *argv[], void *aux)
{
    struct agentd_serve *serve = aux;
    int r;

    (void)argc;
    (void)argv;
    pthread_mutex_lock(&serve->mutex);
    r = conn_list_add(&serve->queued, conn);
    if (!r) {
        /* The main loop starts it as soon as it is free. */
        serve->reconciling = true;
    }
    pthread_mutex_unlock(&serve->mutex);
    if (r < 0) {
        ctl_conn_reply(conn, OA_EXIT_FAIL, "reconcile: out of memory\n");
        return;
    }
    wake(serve->main_wake);
}

/* ---- The thread ---------------------------------------------------------- */

static void
accept_new(struct agentd_serve *serve)
{
    while (serve->n_reading < MAX_READING) {
        int fd = accept4(serve->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        struct ctl_conn *conn;

        if (fd < 0) {
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS ||
                errno == ENOMEM) {
                agentd_log_errno(LOG_WARNING, "control socket", -errno,
                                 "accept (not accepting for 1 s)");
                /* The connection stays queued and the socket readable:
                 * without a pause the thread would spin. */
                serve->accept_paused_until = now_ms() + 1000;
            } else if (errno != EAGAIN && errno != EWOULDBLOCK &&
                       errno != EINTR && errno != ECONNABORTED) {
                agentd_log_errno(LOG_WARNING, "control socket", -errno,
                                 "accept");
            }
            return;
        }
        conn = ctl_conn_create(fd, AGENTD_CTL_TIMEOUT_MS);
        if (conn) {
            serve->reading[serve->n_reading++] = conn;
        }
    }
}

/* A complete request on 'conn': the registry runs it. */
static void
dispatch(struct agentd_serve *serve, struct ctl_conn *conn)
{
    int r = ctl_dispatch(serve->registry, conn);

    if (r == -EPERM) {
        agentd_log(LOG_WARNING, "agentctl %s from uid %u refused: root only",
                   conn->req.command, conn->req.peer_uid);
    } else if (r == -ENOENT) {
        agentd_log(LOG_INFO, "control request %s: unknown command",
                   conn->req.command);
    } else if (r < 0) {
        agentd_log(LOG_INFO, "control request %s: wrong arguments",
                   conn->req.command);
    }
    if (conn->answered) {
        ctl_conn_destroy(conn);
    }
    /* Otherwise a handler queued it and answers it later. */
}

static void
read_requests(struct agentd_serve *serve)
{
    for (size_t i = 0; i < serve->n_reading;) {
        struct ctl_conn *conn = serve->reading[i];
        int r = ctl_conn_read(conn);

        if (r == 0) {
            i++;
            continue;
        }
        serve->reading[i] = serve->reading[--serve->n_reading];
        if (r < 0) {
            agentd_log_errno(LOG_WARNING, "control request", r, "refused");
            ctl_conn_reply(conn, OA_EXIT_FAIL, "malformed request\n");
            ctl_conn_destroy(conn);
        } else {
            dispatch(serve, conn);
        }
    }
}

/* Answers the connections whose reconcile ended. */
static void
answer_done(struct agentd_serve *serve)
{
    struct conn_list done = {NULL, 0, 0};
    char *message;
    int code;

    pthread_mutex_lock(&serve->mutex);
    done = serve->done;
    memset(&serve->done, 0, sizeof serve->done);
    message = serve->done_message;
    serve->done_message = NULL;
    code = serve->done_code;
    pthread_mutex_unlock(&serve->mutex);

    /* Written outside the lock: a slow client must not hold the main
     * loop's next publish. */
    conn_list_answer(&done, code, message ? message : "reconcile ran\n");
    free(done.conns);
    free(message);
}

static int
poll_timeout(const struct agentd_serve *serve, long long now)
{
    long long next = -1;

    for (size_t i = 0; i < serve->n_reading; i++) {
        long long d = serve->reading[i]->deadline;
        if (next < 0 || d < next) {
            next = d;
        }
    }
    if (serve->accept_paused_until > now &&
        (next < 0 || serve->accept_paused_until < next)) {
        next = serve->accept_paused_until;
    }
    if (next < 0) {
        return -1;
    }
    return next <= now ? 0 : (int)(next - now > 60000 ? 60000 : next - now);
}

static void *
serve_thread(void *aux)
{
    struct agentd_serve *serve = aux;
    struct pollfd pfds[2 + MAX_READING];

    for (;;) {
        long long now = now_ms();
        size_t n = 0;
        bool stop, listening;

        pthread_mutex_lock(&serve->mutex);
        stop = serve->stop;
        pthread_mutex_unlock(&serve->mutex);
        if (stop) {
            break;
        }
        answer_done(serve);

        pfds[n++] =
            (struct pollfd){.fd = serve->thread_wake, .events = POLLIN};
        listening = serve->n_reading < MAX_READING &&
                    now >= serve->accept_paused_until;
        if (listening) {
            pfds[n++] =
                (struct pollfd){.fd = serve->listen_fd, .events = POLLIN};
        }
        for (size_t i = 0; i < serve->n_reading; i++) {
            pfds[n++] =
                (struct pollfd){.fd = serve->reading[i]->fd, .events = POLLIN};
        }
        if (poll(pfds, n, poll_timeout(serve, now)) < 0 && errno != EINTR) {
            agentd_log_errno(LOG_ERR, "control socket", -errno, "poll");
            struct timespec pause = {.tv_nsec = 100 * 1000 * 1000};
            nanosleep(&pause, NULL);
            continue;
        }
        drain(serve->thread_wake);
        /* Every source is read without blocking: which fd woke us does
         * not matter. */
        read_requests(serve);
        if (listening) {
            accept_new(serve);
            read_requests(serve);
        }
    }

    for (size_t i = 0; i < serve->n_reading; i++) {
        ctl_conn_destroy(serve->reading[i]);
    }
    serve->n_reading = 0;
    return NULL;
}

/* ---- Life cycle ----------------------------------------------------------- */

struct agentd_serve *
agentd_serve_create(int listen_fd)
{
    struct agentd_serve *serve = calloc(1, sizeof *serve);

    if (!serve) {
        return NULL;
    }
    serve->listen_fd = listen_fd;
    serve->main_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    serve->thread_wake = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    serve->registry = ctl_registry_create();
    pthread_mutex_init(&serve->mutex, NULL);
    if (serve->main_wake < 0 || serve->thread_wake < 0 || !serve->registry ||
        ctl_register(serve->registry, "status", "[--json]", 0, 1, false,
                     cmd_status, serve) < 0 ||
        ctl_register(serve->registry, "reconcile", "", 0, 0, true,
                     cmd_reconcile, serve) < 0 ||
        !(serve->doctor = agentd_doctor_register(serve->registry)) ||
        !(serve->metrics = agentd_metrics_register(serve->registry))) {
        agentd_serve_destroy(serve);
        return NULL;
    }
    return serve;
}

int
agentd_serve_set_doctor_spec(struct agentd_serve *serve, const char *path)
{
    return agentd_doctor_set_spec(serve->doctor, path);
}

int
agentd_serve_start(struct agentd_serve *serve)
{
    int r = pthread_create(&serve->thread, NULL, serve_thread, serve);

    serve->started = r == 0;
    return -r;
}

void
agentd_serve_destroy(struct agentd_serve *serve)
{
    if (!serve) {
        return;
    }
    if (serve->started) {
        pthread_mutex_lock(&serve->mutex);
        serve->stop = true;
        pthread_mutex_unlock(&serve->mutex);
        wake(serve->thread_wake);
        pthread_join(serve->thread, NULL);
    }
    /* The thread is gone: no lock needed from here. */
    conn_list_free(&serve->queued);
    conn_list_free(&serve->running);
    conn_list_answer(&serve->done, serve->done_code,
                     serve->done_message ? serve->done_message
                                         : "reconcile ran\n");
    conn_list_free(&serve->done);
    free(serve->done_message);
    report_free(serve->report);
    agentd_doctor_destroy(serve->doctor);
    agentd_metrics_destroy(serve->metrics);
    ctl_registry_destroy(serve->registry);
    pthread_mutex_destroy(&serve->mutex);
    if (serve->main_wake >= 0) {
        close(serve->main_wake);
    }
    if (serve->thread_wake >= 0) {
        close(serve->thread_wake);
    }
    free(serve);
}

/* ---- Main loop side -------------------------------------------------------- */

void
agentd_serve_publish(struct agentd_serve *serve, struct report *report,
                     int exit_code)
{
    struct report *old = NULL;

    if (!report) {
        return;
    }
    pthread_mutex_lock(&serve->mutex);
    old = serve->report;
    serve->report = report;
    serve->exit_code = exit_code;
    serve->observed_at = now_ms();
    serve->refresh_asked = false;
    pthread_mutex_unlock(&serve->mutex);
    report_free(old);
}

void
agentd_serve_set_reconciling(struct agentd_serve *serve, bool reconciling)
{
    pthread_mutex_lock(&serve->mutex);
    /* Requests still queued start the next reconcile right away: no
     * gap in which a status would say nothing is being done for them. */
    serve->reconciling = reconciling || serve->queued.n;
    pthread_mutex_unlock(&serve->mutex);
}

struct agentd_metrics *
agentd_serve_metrics(const struct agentd_serve *serve)
{
    return serve ? serve->metrics : NULL;
}

int
agentd_serve_wake_fd(const struct agentd_serve *serve)
{
    return serve->main_wake;
}

void
agentd_serve_take(struct agentd_serve *serve, struct agentd_serve_asks *asks)
{
    memset(asks, 0, sizeof *asks);
    drain(serve->main_wake);
    pthread_mutex_lock(&serve->mutex);
    if (serve->queued.n) {
        asks->first_pid = serve->queued.conns[0]->req.peer_pid;
    }
    /* On ENOMEM the rest stay queued for the next reconcile. */
    conn_list_move(&serve->running, &serve->queued);
    asks->reconciles = (unsigned)serve->running.n;
    asks->refresh = serve->refresh_asked;
    pthread_mutex_unlock(&serve->mutex);
}

void
agentd_serve_reconciled(struct agentd_serve *serve, int exit_code,
                        const char *message)
{
    char *copy = strdup(message ? message : "");

    pthread_mutex_lock(&serve->mutex);
    /* One outcome at a time: answers of a previous reconcile that the
     * thread has not written yet get this one's words, which are as
     * recent. */
    if (conn_list_move(&serve->done, &serve->running) == 0 || serve->done.n) {
        free(serve->done_message);
        serve->done_message = copy;
        copy = NULL;
        serve->done_code = exit_code;
    }
    pthread_mutex_unlock(&serve->mutex);
    free(copy);
    wake(serve->thread_wake);
}
