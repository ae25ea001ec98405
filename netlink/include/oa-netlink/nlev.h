/* Kernel event sources for the daemon's poll loop: rtnetlink link changes
 * (RTNLGRP_LINK), tc filter changes (RTNLGRP_TC) and devlink
 * notifications (genl group "config").  Each
 * exposes an fd; when it is readable, nlev_drain() reads everything pending
 * and says what kind of things changed.  Lost notifications (ENOBUFS) are
 * reported as 'resync': re-read all state. */
#ifndef OA_NETLINK_NLEV_H
#define OA_NETLINK_NLEV_H 1

#include <stdbool.h>
#include <stddef.h>

struct nlmsghdr;

enum nlev_kind {
    NLEV_LINK,
    NLEV_DEVLINK,
    NLEV_TC,
};

/* Link events remembered by identity, so that a daemon can ignore links
 * it does not manage (container veths, VM taps). Beyond this many in one
 * drain only 'links_overflow' is set: treat it as "any link changed". */
#define NLEV_MAX_LINKS 32

struct nlev_link {
    int ifindex;
    char name[16]; /* IFLA_IFNAME; "" when the message had none */
};

struct nlev_summary {
    bool resync;     /* the kernel dropped notifications */
    size_t events;   /* messages read */
    size_t link_new; /* RTM_NEWLINK (creation or change) */
    size_t link_del;
    size_t port_new; /* DEVLINK_CMD_PORT_NEW (creation or change) */
    size_t port_del;
    size_t dev_new, dev_del;
    size_t tc_filter; /* RTM_NEWTFILTER, RTM_DELTFILTER */
    size_t other;
    /* RTM_NEWLINK/RTM_DELLINK, one entry per distinct ifindex. */
    size_t n_links;
    struct nlev_link links[NLEV_MAX_LINKS];
    bool links_overflow;
};

struct nlev_source;

/* Caller owns *out, free with nlev_close(). */
int nlev_open(enum nlev_kind, struct nlev_source **out);
void nlev_close(struct nlev_source *);
/* The fd to poll for POLLIN. */
int nlev_fd(const struct nlev_source *);
/* Reads all pending notifications without blocking and adds them to
 * *sum (which the caller zeroes when it wants fresh counts).  Returns the
 * number of messages read, or a negative errno other than ENOBUFS (which
 * sets sum->resync and goes on). */
int nlev_drain(struct nlev_source *, struct nlev_summary *sum);

/* Waits up to 'timeout_ms' (negative: without limit) until one of the
 * 'n' sources (at most NLEV_WAIT_MAX) is readable, then drains every one
 * of them into *sum (may be NULL; zeroed by the caller when it wants
 * fresh counts). Returns the number of messages read (0: timed out or
 * interrupted by a signal), or a negative errno: -EINVAL for too many
 * sources, poll()'s or nlev_drain()'s error. For blocking waits (apply's
 * wait for representors); a poll loop uses nlev_fd() instead. */
#define NLEV_WAIT_MAX 8
int nlev_wait(struct nlev_source *const *sources, size_t n,
              long long timeout_ms, struct nlev_summary *sum);

struct oa_cancel;
/* nlev_wait(), ended early when 'cancel' (may be NULL; oa-common/cancel.h)
 * is or becomes cancelled: then -ECANCELED and nothing drained. */
int nlev_wait_cancel(struct nlev_source *const *sources, size_t n,
                     long long timeout_ms, struct nlev_summary *sum,
                     struct oa_cancel *cancel);

/* Pure: counts one notification message of 'kind' into *sum. */
void nlev_classify(enum nlev_kind, const struct nlmsghdr *,
                   struct nlev_summary *sum);

#endif
