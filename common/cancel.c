/* oa_cancel: see oa-common/cancel.h. */
#include "oa-common/cancel.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Asks 'c' once: a readable cancel fd means "ask its check". */
static bool
ask(struct oa_cancel *c, const struct pollfd *cfds)
{
    for (size_t i = 0; i < c->n_fds && !c->cancelled; i++) {
        if (cfds[i].fd >= 0 && cfds[i].revents) {
            c->cancelled = !c->check || c->check(c->aux);
            return c->cancelled; /* one check reads what all of them hold */
        }
    }
    return c->cancelled;
}

bool
oa_cancel_test(struct oa_cancel *c)
{
    if (!c) {
        return false;
    }
    return oa_cancel_poll(c, NULL, 0, 0) == -ECANCELED;
}

int
oa_cancel_poll(struct oa_cancel *c, struct pollfd *pfds, size_t n,
               long long timeout_ms)
{
    struct pollfd all[16 + OA_CANCEL_MAX_FDS];
    size_t n_c = c ? c->n_fds : 0;

    if (c && c->cancelled) {
        return -ECANCELED;
    }
    if (n > 16 || n_c > OA_CANCEL_MAX_FDS) {
        return -EINVAL;
    }
    if (n) {
        memcpy(all, pfds, n * sizeof *pfds);
    }
    for (size_t i = 0; i < n_c; i++) {
        all[n + i] = (struct pollfd){c->fds[i], POLLIN, 0};
    }
    int timeout = timeout_ms < 0         ? -1
                  : timeout_ms > INT_MAX ? INT_MAX
                                         : (int)timeout_ms;
    int r = poll(all, n + n_c, timeout);
    if (r < 0) {
        return errno == EINTR ? 0 : -errno;
    }
    if (c && ask(c, all + n)) {
        return -ECANCELED;
    }
    int ready = 0;
    for (size_t i = 0; i < n; i++) {
        pfds[i].revents = all[i].revents;
        ready += all[i].revents != 0;
    }
    return ready;
}
