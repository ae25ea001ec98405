/* Kernel event sources: see include/oa-netlink/nlev.h. */
#include "oa-netlink/nlev.h"
#include "oa-netlink/nlsock.h"
#include "oa-common/cancel.h"

#include <errno.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>

struct nlev_source {
    enum nlev_kind kind;
    struct oanl_sock *sock;
};

int
nlev_open(enum nlev_kind kind, struct nlev_source **out)
{
    *out = NULL;
    struct nlev_source *s = calloc(1, sizeof *s);
    if (!s) {
        return -ENOMEM;
    }
    s->kind = kind;
    int r;
    if (kind == NLEV_LINK || kind == NLEV_TC) {
        r = oanl_open(NETLINK_ROUTE, &s->sock);
        if (!r) {
            r = oanl_join_group(s->sock,
                                kind == NLEV_LINK ? RTNLGRP_LINK : RTNLGRP_TC);
        }
    } else {
        r = oanl_open_genl(DEVLINK_GENL_NAME, &s->sock);
        if (!r) {
            r = oanl_family_group(oanl_family(s->sock),
                                  DEVLINK_GENL_MCGRP_CONFIG_NAME);
            r = r < 0 ? r : oanl_join_group(s->sock, (uint32_t)r);
        }
    }
    if (!r) {
        r = oanl_set_nonblock(s->sock);
    }
    if (r) {
        nlev_close(s);
        return r;
    }
    *out = s;
    return 0;
}

void
nlev_close(struct nlev_source *s)
{
    if (s) {
        oanl_close(s->sock);
        free(s);
    }
}

int
nlev_fd(const struct nlev_source *s)
{
    return oanl_fd(s->sock);
}

/* IFLA_IFNAME into the 16-byte buffer 'data'. */
static int
ifname_cb(const struct nlattr *a, void *data)
{
    if (oanl_attr_type(a) == IFLA_IFNAME) {
        oanl_attr_str(a, data, 16);
    }
    return 0;
}

/* Remembers which link a RTM_NEWLINK/DELLINK is about. A message too
 * short to say counts as "any link". The attributes are walked within
 * nlmsg_len itself (libmnl's walk rounds it up to 4 bytes, and read past
 * a message whose length is not: found by fuzz-nl-decode). */
static void
note_link(const struct nlmsghdr *nlh, struct nlev_summary *sum)
{
    char name[16] = "";

    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifinfomsg)) {
        sum->links_overflow = true;
        return;
    }
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    oanl_attr_walk_msg(nlh, sizeof *ifi, ifname_cb, name);
    for (size_t i = 0; i < sum->n_links; i++) {
        if (sum->links[i].ifindex == ifi->ifi_index) {
            if (name[0]) {
                memcpy(sum->links[i].name, name, sizeof name);
            }
            return;
        }
    }
    if (sum->n_links == NLEV_MAX_LINKS) {
        sum->links_overflow = true;
        return;
    }
    sum->links[sum->n_links].ifindex = ifi->ifi_index;
    memcpy(sum->links[sum->n_links].name, name, sizeof name);
    sum->n_links++;
}

void
nlev_classify(enum nlev_kind kind, const struct nlmsghdr *nlh,
              struct nlev_summary *sum)
{
    sum->events++;
    if (kind == NLEV_TC) {
        if (nlh->nlmsg_type == RTM_NEWTFILTER ||
            nlh->nlmsg_type == RTM_DELTFILTER) {
            sum->tc_filter++;
        } else {
            sum->other++;
        }
        return;
    }
    if (kind == NLEV_LINK) {
        switch (nlh->nlmsg_type) {
        case RTM_NEWLINK:
            sum->link_new++;
            note_link(nlh, sum);
            return;
        case RTM_DELLINK:
            sum->link_del++;
            note_link(nlh, sum);
            return;
        }
        sum->other++;
        return;
    }
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        sum->other++;
        return;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    switch (g->cmd) {
    case DEVLINK_CMD_PORT_NEW:
        sum->port_new++;
        return;
    case DEVLINK_CMD_PORT_DEL:
        sum->port_del++;
        return;
    case DEVLINK_CMD_NEW:
        sum->dev_new++;
        return;
    case DEVLINK_CMD_DEL:
        sum->dev_del++;
        return;
    }
    sum->other++;
}

struct drain_ctx {
    enum nlev_kind kind;
    struct nlev_summary *sum;
};

static int
drain_cb(const struct nlmsghdr *nlh, void *data)
{
    struct drain_ctx *c = data;
    nlev_classify(c->kind, nlh, c->sum);
    return 0;
}

int
nlev_drain(struct nlev_source *s, struct nlev_summary *sum)
{
    struct drain_ctx c = {s->kind, sum};
    int total = 0;
    for (;;) {
        int r = oanl_recv_each(s->sock, drain_cb, &c);
        if (r == -EAGAIN) {
            return total;
        }
        if (r == -ENOBUFS) {
            /* The socket overflowed: some changes are unknown. */
            sum->resync = true;
            continue;
        }
        if (r < 0) {
            return r;
        }
        total += r;
    }
}

int
nlev_wait(struct nlev_source *const *sources, size_t n, long long timeout_ms,
          struct nlev_summary *sum)
{
    return nlev_wait_cancel(sources, n, timeout_ms, sum, NULL);
}

int
nlev_wait_cancel(struct nlev_source *const *sources, size_t n,
                 long long timeout_ms, struct nlev_summary *sum,
                 struct oa_cancel *cancel)
{
    struct pollfd fds[NLEV_WAIT_MAX];
    struct nlev_summary ignored;
    int total = 0;

    if (n > NLEV_WAIT_MAX) {
        return -EINVAL;
    }
    if (!sum) {
        memset(&ignored, 0, sizeof ignored);
        sum = &ignored;
    }
    for (size_t i = 0; i < n; i++) {
        fds[i].fd = nlev_fd(sources[i]);
        fds[i].events = POLLIN;
        fds[i].revents = 0;
    }
    int r = oa_cancel_poll(cancel, fds, n, timeout_ms);
    if (r < 0) {
        return r;
    }
    /* Everything pending on every source, so that the caller looks once
     * for the whole batch. */
    for (size_t i = 0; i < n; i++) {
        r = nlev_drain(sources[i], sum);
        if (r < 0) {
            return r;
        }
        total += r;
    }
    return total;
}
