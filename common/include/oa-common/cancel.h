/* oa_cancel: how a long wait learns that it has become moot.
 *
 * A reconcile waits, bounded, on things outside the agent (OVSDB's
 * answer, ovs-vswitchd applying a configuration, VFs and representors
 * appearing, udev). The daemon must still stop at once on SIGTERM, and
 * drop a wait that a new spec makes pointless. So every such wait polls,
 * next to its own fds, the fds of a struct oa_cancel (the daemon's
 * signalfd and spec inotify fd) and, when one is readable, asks its
 * 'check' whether to give up. Once it said yes the object stays
 * cancelled: every later wait returns at once, until the owner resets
 * 'cancelled' for the next reconcile.
 *
 * The owner (the daemon) owns the struct and the fds; the waits only
 * borrow it through struct hostio. A NULL pointer means "never
 * cancelled" (agentctl). Plain libc: used from netlink/, ovsdb/ and
 * agent/. */
#ifndef OA_COMMON_CANCEL_H
#define OA_COMMON_CANCEL_H 1

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>

#define OA_CANCEL_MAX_FDS 4

struct oa_cancel {
    int fds[OA_CANCEL_MAX_FDS]; /* polled for POLLIN; -1: unused slot */
    size_t n_fds;
    /* Called when one of 'fds' is readable: true when the wait is moot.
     * It may read the fd (and must, or it is called again at once). */
    bool (*check)(void *aux);
    void *aux;
    bool cancelled; /* sticky; the owner resets it */
};

/* Without blocking: true when 'c' is cancelled now (checking its fds).
 * NULL: false. */
bool oa_cancel_test(struct oa_cancel *c);

/* poll() on 'pfds' ('n' of them, at most 16) and the cancel fds, for up
 * to 'timeout_ms' (<0: no bound). Returns -ECANCELED when 'c' is or
 * becomes cancelled (the caller's revents are then meaningless), else
 * poll()'s count of the caller's ready fds (0 on timeout) or a negative
 * errno (EINTR counts as 0). */
int oa_cancel_poll(struct oa_cancel *c, struct pollfd *pfds, size_t n,
                   long long timeout_ms);

#endif
