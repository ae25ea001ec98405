/* agentd-serve: the daemon's control socket, served by a thread of its
 * own from a snapshot the main loop publishes (private to the daemon).
 *
 * Why a thread: a reconcile blocks the main loop for seconds at a time,
 * and not only in waits the loop could run other work from (OVSDB
 * commit and vswitchd-applied waits, representor waits, up to 4 rounds)
 * but inside the kernel itself: an sriov_numvfs write takes seconds on
 * mlx5, and nothing in the main loop can interrupt it. A thread that
 * never touches the host, OVS or the spec answers `status` at once
 * whatever the main loop is doing. It uses plain poll() and libc, never
 * libopenvswitch (whose poll loop belongs to the main thread).
 *
 * What the thread shares with the main loop, under one mutex: the
 * snapshot (the last report, its exit code, when it was observed), the
 * "reconcile running" flag, and the reconcile queue. The main loop
 * publishes after every observation (reconcile and check) and when a
 * reconcile starts and ends; the thread renders status from it (report
 * module, the one writer of the status documents) with the age, the
 * flag and the counters (stats.h) of the moment.
 *
 * Reconcile requests never block the socket: the thread keeps the
 * client's connection in a queue and wakes the main loop (an eventfd it
 * polls next to its other sources); the main loop takes the queue, runs
 * one reconcile for all of it, and posts the outcome, which the thread
 * writes to each client. Requests that arrive during a reconcile wait
 * for the next one (the running one may have observed before them). */
#ifndef OA_AGENTD_SERVE_H
#define OA_AGENTD_SERVE_H 1

#include <stdbool.h>

struct report;
struct agentd_serve;

/* A status older than this, asked for while no reconcile runs, makes the
 * main loop observe again (tc rule counts change without any event):
 * this answer is the snapshot, the next one is fresh. */
#define AGENTD_SERVE_REFRESH_MS 1000

/* Creates the server on the listening socket 'listen_fd' (not taken:
 * the caller closes it after agentd_serve_destroy()). Does not start the
 * thread: publish a first report before agentd_serve_start() (until
 * then, status answers "no observation yet"). NULL on failure. */
struct agentd_serve *agentd_serve_create(int listen_fd);
/* The spec doctor runs take as context (the daemon's --spec), before
 * agentd_serve_start(). 0 or a negative errno. */
int agentd_serve_set_doctor_spec(struct agentd_serve *serve, const char *path);
/* Starts the thread. 0 or a negative errno. */
int agentd_serve_start(struct agentd_serve *serve);
/* Stops the thread (answers every queued reconcile with exit 1, "shutting
 * down"), joins it and frees everything; accepts NULL. */
void agentd_serve_destroy(struct agentd_serve *serve);

/* ---- Main loop -> thread ----------------------------------------------- */

/* Publishes 'report' (taken; NULL keeps the last one, e.g. out of
 * memory) with its status exit code, observed now. */
void agentd_serve_publish(struct agentd_serve *serve, struct report *report,
                          int exit_code);
/* A reconcile starts (true) or ended (false). What status shows as
 * "reconciling" is true also while reconcile requests are queued (the
 * main loop runs them next). */
void agentd_serve_set_reconciling(struct agentd_serve *serve,
                                  bool reconciling);

/* The "metrics" command's state (agentd-metrics.h), for publishing. */
struct agentd_metrics *agentd_serve_metrics(const struct agentd_serve *serve);

/* ---- Thread -> main loop ----------------------------------------------- */

/* The fd the main loop polls (POLLIN) for requests of the thread. */
int agentd_serve_wake_fd(const struct agentd_serve *serve);

struct agentd_serve_asks {
    unsigned reconciles; /* queued reconcile requests now taken */
    int first_pid;       /* the first requester's pid, for the log */
    bool refresh;        /* a status found the snapshot old */
};
/* Takes what clients asked for since the last call (drains the fd). A
 * non-zero 'reconciles' must be answered with agentd_serve_reconciled()
 * once the reconcile ran. */
void agentd_serve_take(struct agentd_serve *serve,
                       struct agentd_serve_asks *asks);
/* Answers the requests taken with 'exit_code' and 'message'. */
void agentd_serve_reconciled(struct agentd_serve *serve, int exit_code,
                             const char *message);

#endif
