/* tc filter dump (RTM_GETTFILTER) with offload state: which rules are in
 * hardware.  Flower and matchall options are decoded; other classifier
 * kinds are listed with has_flags false.  Sockets: oanl_open(NETLINK_ROUTE). */
#ifndef OA_NETLINK_TCF_H
#define OA_NETLINK_TCF_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

/* The ingress hook of a clsact or ingress qdisc (tc's "ingress"). */
#define TCF_PARENT_INGRESS 0xFFFFFFF2U

struct tcf_rule {
    uint32_t chain;
    uint16_t prio;
    uint16_t protocol; /* host order, e.g. ETH_P_IP */
    uint32_t handle;
    char kind[16]; /* "flower", "matchall", ... */
    bool has_flags;
    uint32_t flags; /* TCA_CLS_FLAGS_* as the kernel reported them */
    bool skip_hw, skip_sw, in_hw, not_in_hw;
    bool has_in_hw_count;
    uint32_t in_hw_count;
    /* Counters of the first action that reports them. */
    bool has_stats, has_hw_stats;
    uint64_t packets, bytes;       /* total (software + hardware) */
    uint64_t hw_packets, hw_bytes; /* hardware part */
};

/* Counts over a set of rules, for status reports. */
struct tcf_summary {
    size_t rules, in_hw, not_in_hw;
};

/* Dumps every filter of every chain on 'parent' of 'ifindex'.  Caller owns
 * *out (free()).  A device without a qdisc on that hook has no rules. */
int tcf_dump(struct oanl_sock *, int ifindex, uint32_t parent,
             struct tcf_rule **out, size_t *n, struct oanl_extack *ext);

void tcf_summarize(const struct tcf_rule *, size_t n, struct tcf_summary *);

/* --- Pure codec. */
int tcf_encode_dump(void *buf, size_t len, int ifindex, uint32_t parent);
/* Decodes an RTM_NEWTFILTER.  Returns 0 for a rule, 1 for the header the
 * kernel sends per classifier instance (no handle, no options: skip it). */
int tcf_decode(const struct nlmsghdr *, struct tcf_rule *);

#endif
