/* ctl-burst: N concurrent control-socket calls, each timed on its own,
 * for bed tests of a daemon that must always answer. N threads connect
 * at once (released together by a barrier) and each sends one request
 * with the real client code (ctl_call, as agentctl does), so the time
 * measured is the daemon's answer, without the cost of starting N
 * processes (50-100 ms each under TCG).
 *   ctl-burst SOCKET N DIR COMMAND [ARG...]
 * Writes each payload to DIR/burst.I and prints one line per call,
 * "I EXIT MS" (EXIT -1: the call failed), then "max MS". Exit status 0
 * when every call got an answer, 1 otherwise; judging the answers is the
 * caller's job. */
#include "ctl.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct call {
    pthread_t thread;
    int index, exit_code, r;
    long long ms;
    char *payload;
};

static const char *sock;
static const char *command;
static int n_args;
static const char *const *args;
static pthread_barrier_t barrier;

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void *
run_call(void *aux)
{
    struct call *c = aux;
    long long t0;

    pthread_barrier_wait(&barrier);
    t0 = now_ms();
    c->r = ctl_call(sock, command, n_args, args, 10000, &c->exit_code,
                    &c->payload);
    c->ms = now_ms() - t0;
    return NULL;
}

int
main(int argc, char *argv[])
{
    struct call *calls;
    long long max = 0;
    int n, failed = 0;

    if (argc < 5) {
        fprintf(stderr, "usage: %s SOCKET N DIR COMMAND [ARG...]\n", argv[0]);
        return 2;
    }
    sock = argv[1];
    n = atoi(argv[2]);
    command = argv[4];
    n_args = argc - 5;
    args = (const char *const *)argv + 5;
    if (n <= 0 || !(calls = calloc((size_t)n, sizeof *calls))) {
        return 2;
    }
    pthread_barrier_init(&barrier, NULL, (unsigned)n);
    for (int i = 0; i < n; i++) {
        calls[i].index = i;
        if (pthread_create(&calls[i].thread, NULL, run_call, &calls[i])) {
            perror("pthread_create");
            return 2;
        }
    }
    for (int i = 0; i < n; i++) {
        struct call *c = &calls[i];
        char path[4096];
        FILE *f;

        pthread_join(c->thread, NULL);
        if (c->r < 0) {
            fprintf(stderr, "call %d: %s\n", i, strerror(-c->r));
            c->exit_code = -1;
            failed = 1;
        }
        snprintf(path, sizeof path, "%s/burst.%d", argv[3], i);
        f = fopen(path, "w");
        if (f) {
            fputs(c->payload ? c->payload : "", f);
            fclose(f);
        }
        printf("%d %d %lld\n", i, c->exit_code, c->ms);
        if (c->ms > max) {
            max = c->ms;
        }
        free(c->payload);
    }
    printf("max %lld\n", max);
    pthread_barrier_destroy(&barrier);
    free(calls);
    return failed;
}
