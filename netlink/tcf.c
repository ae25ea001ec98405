/* tc filter dump: see include/oa-netlink/tcf.h. */
#include "oa-netlink/tcf.h"
#include "vec.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/gen_stats.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>
#include <string.h>

int
tcf_encode_dump(void *buf, size_t len, int ifindex, uint32_t parent)
{
    if (ifindex <= 0) {
        return -EINVAL;
    }
    if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct tcmsg))) {
        return -ENOSPC;
    }
    memset(buf, 0, len); /* attribute padding too (oanl_put_genl()) */
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = RTM_GETTFILTER;
    nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    struct tcmsg *t = mnl_nlmsg_put_extra_header(nlh, sizeof *t);
    t->tcm_family = AF_UNSPEC;
    t->tcm_ifindex = ifindex;
    t->tcm_parent = parent;
    /* No TCA_CHAIN: the kernel then dumps every chain. */
    return (int)nlh->nlmsg_len;
}

static int
basic_stats(const struct nlattr *a, uint64_t *bytes, uint64_t *packets)
{
    /* The kernel pads struct gnet_stats_basic; accept both sizes. */
    struct gnet_stats_basic b;
    memset(&b, 0, sizeof b);
    size_t n = mnl_attr_get_payload_len(a);
    if (n < 12) {
        return -EBADMSG;
    }
    memcpy(&b, mnl_attr_get_payload(a), n < sizeof b ? n : sizeof b);
    *bytes = b.bytes;
    *packets = b.packets;
    return 0;
}

struct stats {
    bool basic, hw, pkt64;
    uint64_t bytes, packets, hw_bytes, hw_packets, packets64;
};

static int
stats_cb(const struct nlattr *a, void *data)
{
    struct stats *s = data;
    switch (oanl_attr_type(a)) {
    case TCA_STATS_BASIC:
        s->basic = true;
        return basic_stats(a, &s->bytes, &s->packets);
    case TCA_STATS_BASIC_HW:
        s->hw = true;
        return basic_stats(a, &s->hw_bytes, &s->hw_packets);
    case TCA_STATS_PKT64:
        s->pkt64 = true;
        return oanl_attr_u64(a, &s->packets64);
    }
    return 0;
}

static int
action_cb(const struct nlattr *a, void *data)
{
    struct tcf_rule *r = data;
    if (oanl_attr_type(a) != TCA_ACT_STATS || r->has_stats) {
        return 0;
    }
    struct stats s = {0};
    int e = oanl_attr_walk_nested(a, stats_cb, &s);
    if (e < 0) {
        return e;
    }
    if (s.basic) {
        r->has_stats = true;
        r->bytes = s.bytes;
        r->packets = s.pkt64 ? s.packets64 : s.packets;
    }
    if (s.hw) {
        r->has_hw_stats = true;
        r->hw_bytes = s.hw_bytes;
        r->hw_packets = s.hw_packets;
    }
    return 0;
}

static int
actions_cb(const struct nlattr *a, void *data)
{
    /* Each nested entry is one action, typed by its order (1, 2, ...). */
    return oanl_attr_walk_nested(a, action_cb, data);
}

static void
set_flags(struct tcf_rule *r, uint32_t flags)
{
    r->has_flags = true;
    r->flags = flags;
    r->skip_hw = flags & TCA_CLS_FLAGS_SKIP_HW;
    r->skip_sw = flags & TCA_CLS_FLAGS_SKIP_SW;
    r->in_hw = flags & TCA_CLS_FLAGS_IN_HW;
    r->not_in_hw = flags & TCA_CLS_FLAGS_NOT_IN_HW;
}

static int
flower_cb(const struct nlattr *a, void *data)
{
    struct tcf_rule *r = data;
    uint32_t v;
    int e;
    switch (oanl_attr_type(a)) {
    case TCA_FLOWER_FLAGS:
        e = oanl_attr_u32(a, &v);
        if (!e) {
            set_flags(r, v);
        }
        return e;
    case TCA_FLOWER_IN_HW_COUNT:
        r->has_in_hw_count = true;
        return oanl_attr_u32(a, &r->in_hw_count);
    case TCA_FLOWER_ACT:
        return oanl_attr_walk_nested(a, actions_cb, r);
    }
    return 0; /* match keys: not our business */
}

static int
matchall_cb(const struct nlattr *a, void *data)
{
    struct tcf_rule *r = data;
    uint32_t v;
    int e;
    switch (oanl_attr_type(a)) {
    case TCA_MATCHALL_FLAGS:
        e = oanl_attr_u32(a, &v);
        if (!e) {
            set_flags(r, v);
        }
        return e;
    case TCA_MATCHALL_ACT:
        return oanl_attr_walk_nested(a, actions_cb, r);
    }
    return 0;
}

struct filter_ctx {
    struct tcf_rule *r;
    const struct nlattr *options;
};

static int
filter_cb(const struct nlattr *a, void *data)
{
    struct filter_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case TCA_KIND:
        return oanl_attr_str(a, c->r->kind, sizeof c->r->kind);
    case TCA_CHAIN:
        return oanl_attr_u32(a, &c->r->chain);
    case TCA_OPTIONS:
        c->options = a; /* decoded once the kind is known */
        return 0;
    }
    return 0;
}

int
tcf_decode(const struct nlmsghdr *nlh, struct tcf_rule *r)
{
    memset(r, 0, sizeof *r);
    if (nlh->nlmsg_type != RTM_NEWTFILTER &&
        nlh->nlmsg_type != RTM_DELTFILTER) {
        return -EPROTO;
    }
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct tcmsg)) {
        return -EBADMSG;
    }
    const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
    r->handle = t->tcm_handle;
    r->prio = (uint16_t)(TC_H_MAJ(t->tcm_info) >> 16);
    r->protocol = ntohs((uint16_t)TC_H_MIN(t->tcm_info));
    struct filter_ctx c = {r, NULL};
    int e = oanl_attr_walk_msg(nlh, sizeof *t, filter_cb, &c);
    if (e < 0) {
        return e;
    }
    /* Per classifier instance the kernel first sends a header without a
     * handle or options: not a rule. */
    if (!r->kind[0] || (!r->handle && !c.options)) {
        return 1;
    }
    if (c.options && !strcmp(r->kind, "flower")) {
        return oanl_attr_walk_nested(c.options, flower_cb, r);
    }
    if (c.options && !strcmp(r->kind, "matchall")) {
        return oanl_attr_walk_nested(c.options, matchall_cb, r);
    }
    return 0;
}

void
tcf_summarize(const struct tcf_rule *rules, size_t n, struct tcf_summary *s)
{
    memset(s, 0, sizeof *s);
    for (size_t i = 0; i < n; i++) {
        s->rules++;
        s->in_hw += rules[i].in_hw;
        s->not_in_hw += rules[i].not_in_hw;
    }
}

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
    struct tcf_rule r;
    int e = tcf_decode(nlh, &r);
    if (e) {
        return e < 0 ? e : 0;
    }
    struct tcf_rule *slot = oanl_vec_push(data);
    if (!slot) {
        return -ENOMEM;
    }
    *slot = r;
    return 0;
}

int
tcf_dump(struct oanl_sock *s, int ifindex, uint32_t parent,
         struct tcf_rule **out, size_t *n, struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    char buf[128];
    int e = tcf_encode_dump(buf, sizeof buf, ifindex, parent);
    if (e < 0) {
        return e;
    }
    struct oanl_vec v = {.size = sizeof(struct tcf_rule)};
    e = oanl_transact(s, (struct nlmsghdr *)buf, dump_cb, &v, ext);
    if (e) {
        free(v.items);
        return e;
    }
    *out = v.items;
    *n = v.n;
    return 0;
}
