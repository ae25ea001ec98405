/* Netdev features by name: see include/oa-netlink/ethfeat.h. */
#include "oa-netlink/ethfeat.h"

#include "vec.h"

#include <errno.h>
#include <limits.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if.h>
#include <linux/sockios.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

struct ethfeat_client {
    enum ethfeat_backend backend;
    struct oanl_sock *nl; /* ETHFEAT_NETLINK */
    int fd;               /* ETHFEAT_IOCTL */
    /* The bit of feature 'index_name' in the kernel's feature string set
     * (one per kernel, not per netdev), asked once, for compact dumps:
     * >= 0, -1 not asked yet, -2 the kernel did not tell (verbose). */
    int index;
    char index_name[ETH_GSTRING_LEN];
};

int
ethfeat_open(bool force_ioctl, struct ethfeat_client **out)
{
    *out = NULL;
    struct ethfeat_client *c = calloc(1, sizeof *c);
    if (!c) {
        return -ENOMEM;
    }
    c->fd = -1;
    c->index = -1;
    if (!force_ioctl) {
        int r = oanl_open_genl(ETHTOOL_GENL_NAME, &c->nl);
        if (!r) {
            c->backend = ETHFEAT_NETLINK;
            *out = c;
            return 0;
        }
        if (r != -ENOENT) {
            free(c);
            return r;
        }
        /* No "ethtool" family (kernel < 5.6): the ioctl does it. */
    }
    c->backend = ETHFEAT_IOCTL;
    c->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (c->fd < 0) {
        c->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    }
    if (c->fd < 0) {
        int r = -errno;
        free(c);
        return r;
    }
    *out = c;
    return 0;
}

void
ethfeat_close(struct ethfeat_client *c)
{
    if (!c) {
        return;
    }
    oanl_close(c->nl);
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c);
}

enum ethfeat_backend
ethfeat_get_backend(const struct ethfeat_client *c)
{
    return c->backend;
}

/* ---- Netlink codec ---- */

static struct nlmsghdr *
put_request(void *buf, size_t len, uint16_t family, uint8_t cmd,
            const char *ifname, uint32_t flags)
{
    if (!ifname || !*ifname || strlen(ifname) >= IFNAMSIZ) {
        return NULL;
    }
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, family, cmd, ETHTOOL_GENL_VERSION, NLM_F_ACK);
    if (!nlh) {
        return NULL;
    }
    struct nlattr *hdr =
        mnl_attr_nest_start_check(nlh, len, ETHTOOL_A_FEATURES_HEADER);
    if (!hdr ||
        !mnl_attr_put_strz_check(nlh, len, ETHTOOL_A_HEADER_DEV_NAME,
                                 ifname) ||
        !mnl_attr_put_u32_check(nlh, len, ETHTOOL_A_HEADER_FLAGS, flags)) {
        return NULL;
    }
    mnl_attr_nest_end(nlh, hdr);
    return nlh;
}

int
ethfeat_encode_get(void *buf, size_t len, uint16_t family, const char *ifname,
                   bool compact)
{
    /* Flags 0: verbose bitsets, with names. */
    struct nlmsghdr *nlh =
        put_request(buf, len, family, ETHTOOL_MSG_FEATURES_GET, ifname,
                    compact ? ETHTOOL_FLAG_COMPACT_BITSETS : 0);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
ethfeat_encode_dump(void *buf, size_t len, uint16_t family, bool compact)
{
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, family, ETHTOOL_MSG_FEATURES_GET,
                      ETHTOOL_GENL_VERSION, NLM_F_DUMP);
    struct nlattr *hdr =
        nlh ? mnl_attr_nest_start_check(nlh, len, ETHTOOL_A_FEATURES_HEADER)
            : NULL;
    /* No device: every netdev.  Verbose bitsets name every bit of every
     * netdev; compact ones are a few words each. */
    if (!hdr ||
        !mnl_attr_put_u32_check(nlh, len, ETHTOOL_A_HEADER_FLAGS,
                                compact ? ETHTOOL_FLAG_COMPACT_BITSETS : 0)) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, hdr);
    return (int)nlh->nlmsg_len;
}

int
ethfeat_encode_strset(void *buf, size_t len, uint16_t family)
{
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, family, ETHTOOL_MSG_STRSET_GET,
                      ETHTOOL_GENL_VERSION, NLM_F_ACK);
    /* A header without a device (6.1 refuses the request without one): the
     * feature names are the kernel's, not a netdev's. */
    struct nlattr *hdr =
        nlh ? mnl_attr_nest_start_check(nlh, len,
                                        ETHTOOL_A_STRSET_HEADER | NLA_F_NESTED)
            : NULL;
    if (!hdr || !mnl_attr_put_u32_check(nlh, len, ETHTOOL_A_HEADER_FLAGS, 0)) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, hdr);
    struct nlattr *sets = mnl_attr_nest_start_check(
        nlh, len, ETHTOOL_A_STRSET_STRINGSETS | NLA_F_NESTED);
    struct nlattr *set =
        sets ? mnl_attr_nest_start_check(
                   nlh, len, ETHTOOL_A_STRINGSETS_STRINGSET | NLA_F_NESTED)
             : NULL;
    if (!set || !mnl_attr_put_u32_check(nlh, len, ETHTOOL_A_STRINGSET_ID,
                                        ETH_SS_FEATURES)) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, set);
    mnl_attr_nest_end(nlh, sets);
    return (int)nlh->nlmsg_len;
}

struct strset_ctx {
    const char *want;
    uint32_t id, index;
    bool has_id, has_index, found;
    char value[ETH_GSTRING_LEN];
};

static int
string_cb(const struct nlattr *a, void *data)
{
    struct strset_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case ETHTOOL_A_STRING_INDEX:
        c->has_index = true;
        return oanl_attr_u32(a, &c->index);
    case ETHTOOL_A_STRING_VALUE:
        return oanl_attr_str(a, c->value, sizeof c->value);
    }
    return 0;
}

static int
strings_cb(const struct nlattr *a, void *data)
{
    struct strset_ctx *c = data;
    if (oanl_attr_type(a) != ETHTOOL_A_STRINGS_STRING || c->found) {
        return 0;
    }
    c->has_index = false;
    c->value[0] = '\0';
    int r = oanl_attr_walk_nested(a, string_cb, c);
    if (!r && c->has_index && c->index <= INT_MAX &&
        !strcmp(c->value, c->want)) {
        c->found = true;
    }
    return r;
}

static int
stringset_cb(const struct nlattr *a, void *data)
{
    struct strset_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case ETHTOOL_A_STRINGSET_ID:
        c->has_id = true;
        return oanl_attr_u32(a, &c->id);
    case ETHTOOL_A_STRINGSET_STRINGS:
        /* The kernel puts the id first; a set without it is not ours. */
        return c->has_id && c->id == ETH_SS_FEATURES
                   ? oanl_attr_walk_nested(a, strings_cb, c)
                   : 0;
    }
    return 0;
}

static int
stringsets_cb(const struct nlattr *a, void *data)
{
    struct strset_ctx *c = data;
    if (oanl_attr_type(a) != ETHTOOL_A_STRINGSETS_STRINGSET) {
        return 0;
    }
    c->has_id = false;
    return oanl_attr_walk_nested(a, stringset_cb, c);
}

static int
strset_cb(const struct nlattr *a, void *data)
{
    return oanl_attr_type(a) == ETHTOOL_A_STRSET_STRINGSETS
               ? oanl_attr_walk_nested(a, stringsets_cb, data)
               : 0;
}

int
ethfeat_decode_strset_index(const struct nlmsghdr *nlh, const char *name)
{
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        return -EBADMSG;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    if (g->cmd != ETHTOOL_MSG_STRSET_GET_REPLY) {
        return -EPROTO;
    }
    struct strset_ctx c = {.want = name};
    int r = oanl_attr_walk_msg(nlh, sizeof *g, strset_cb, &c);
    if (r < 0) {
        return r;
    }
    return c.found ? (int)c.index : -ENOENT;
}

int
ethfeat_encode_set(void *buf, size_t len, uint16_t family, const char *ifname,
                   const char *name, bool on)
{
    struct nlmsghdr *nlh =
        put_request(buf, len, family, ETHTOOL_MSG_FEATURES_SET, ifname,
                    ETHTOOL_FLAG_OMIT_REPLY);
    if (!nlh || !name || !*name) {
        return -ENOSPC;
    }
    /* A verbose bitset without NOMASK changes only the bits it lists. */
    struct nlattr *set =
        mnl_attr_nest_start_check(nlh, len, ETHTOOL_A_FEATURES_WANTED);
    struct nlattr *bits =
        set ? mnl_attr_nest_start_check(nlh, len, ETHTOOL_A_BITSET_BITS)
            : NULL;
    struct nlattr *bit =
        bits ? mnl_attr_nest_start_check(nlh, len, ETHTOOL_A_BITSET_BITS_BIT)
             : NULL;
    if (!bit ||
        !mnl_attr_put_strz_check(nlh, len, ETHTOOL_A_BITSET_BIT_NAME, name) ||
        (on &&
         !mnl_attr_put_check(nlh, len, ETHTOOL_A_BITSET_BIT_VALUE, 0, NULL))) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, bit);
    mnl_attr_nest_end(nlh, bits);
    mnl_attr_nest_end(nlh, set);
    return (int)nlh->nlmsg_len;
}

struct bit_ctx {
    const char *want;
    char name[ETH_GSTRING_LEN];
    bool value;
};

static int
bit_cb(const struct nlattr *a, void *data)
{
    struct bit_ctx *b = data;
    switch (oanl_attr_type(a)) {
    case ETHTOOL_A_BITSET_BIT_NAME:
        return oanl_attr_str(a, b->name, sizeof b->name);
    case ETHTOOL_A_BITSET_BIT_VALUE:
        b->value = true;
        return 0;
    }
    return 0;
}

struct bitset_ctx {
    const char *want;
    int index; /* the bit of 'want' for compact bitsets, -1 unknown */
    bool nomask, compact;
    bool listed, value;
};

/* Bit 'index' of a compact bitset's VALUE or MASK (u32 words in host
 * order); a bitset shorter than that has the bit clear. */
static bool
compact_bit(const struct nlattr *a, int index)
{
    size_t len = mnl_attr_get_payload_len(a);
    size_t word = (size_t)index / 32;
    if ((word + 1) * sizeof(uint32_t) > len) {
        return false;
    }
    uint32_t w;
    memcpy(&w, (const char *)mnl_attr_get_payload(a) + word * sizeof w,
           sizeof w);
    return w & (1u << (index % 32));
}

static int
bits_cb(const struct nlattr *a, void *data)
{
    struct bitset_ctx *s = data;
    if (oanl_attr_type(a) != ETHTOOL_A_BITSET_BITS_BIT) {
        return 0;
    }
    struct bit_ctx b = {.want = s->want};
    int r = oanl_attr_walk_nested(a, bit_cb, &b);
    if (r < 0) {
        return r;
    }
    if (!strcmp(b.name, s->want)) {
        s->listed = true;
        s->value = b.value;
    }
    return 0;
}

static int
bitset_cb(const struct nlattr *a, void *data)
{
    struct bitset_ctx *s = data;
    switch (oanl_attr_type(a)) {
    case ETHTOOL_A_BITSET_NOMASK:
        s->nomask = true;
        return 0;
    case ETHTOOL_A_BITSET_VALUE:
        s->compact = true;
        s->value = s->index >= 0 && compact_bit(a, s->index);
        return 0;
    case ETHTOOL_A_BITSET_MASK:
        /* Without NOMASK the mask says which bits the bitset speaks of. */
        s->listed = s->index >= 0 && compact_bit(a, s->index);
        return 0;
    case ETHTOOL_A_BITSET_BITS:
        return oanl_attr_walk_nested(a, bits_cb, s);
    }
    return 0;
}

/* Whether bit 'want' (compact: bit 'index') is set in a bitset. */
static int
bitset_test(const struct nlattr *a, const char *want, int index, bool *set)
{
    struct bitset_ctx s = {.want = want, .index = index};
    int r = oanl_attr_walk_nested(a, bitset_cb, &s);
    if (r < 0) {
        return r;
    }
    if (s.compact) {
        if (index < 0) {
            return -EPROTO;
        }
        /* NOMASK: VALUE is the set bits; else VALUE within MASK. */
        *set = s.value && (s.nomask || s.listed);
        return 0;
    }
    /* A list (NOMASK) names the set bits; otherwise VALUE marks them. */
    *set = s.listed && (s.nomask || s.value);
    return 0;
}

struct features_ctx {
    const char *want;
    int index;
    bool hw, wanted, active, nochange;
};

static int
features_cb(const struct nlattr *a, void *data)
{
    struct features_ctx *f = data;
    switch (oanl_attr_type(a)) {
    case ETHTOOL_A_FEATURES_HW:
        return bitset_test(a, f->want, f->index, &f->hw);
    case ETHTOOL_A_FEATURES_WANTED:
        return bitset_test(a, f->want, f->index, &f->wanted);
    case ETHTOOL_A_FEATURES_ACTIVE:
        return bitset_test(a, f->want, f->index, &f->active);
    case ETHTOOL_A_FEATURES_NOCHANGE:
        return bitset_test(a, f->want, f->index, &f->nochange);
    }
    return 0;
}

int
ethfeat_decode_get(const struct nlmsghdr *nlh, const char *name,
                   struct ethfeat_state *out)
{
    return ethfeat_decode_get_at(nlh, name, -1, out);
}

int
ethfeat_decode_get_at(const struct nlmsghdr *nlh, const char *name, int index,
                      struct ethfeat_state *out)
{
    memset(out, 0, sizeof *out);
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        return -EBADMSG;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    if (g->cmd != ETHTOOL_MSG_FEATURES_GET_REPLY &&
        g->cmd != ETHTOOL_MSG_FEATURES_NTF) {
        return -EPROTO;
    }
    struct features_ctx f = {.want = name, .index = index};
    int r = oanl_attr_walk_msg(nlh, sizeof *g, features_cb, &f);
    if (r < 0) {
        return r;
    }
    out->active = f.active;
    out->wanted = f.wanted;
    /* HW lists the changeable features ("hw_features"). */
    out->changeable = f.hw && !f.nochange;
    return 0;
}

static int
dev_header_cb(const struct nlattr *a, void *data)
{
    struct ethfeat_dev *d = data;
    switch (oanl_attr_type(a)) {
    case ETHTOOL_A_HEADER_DEV_INDEX: {
        uint32_t v;
        int r = oanl_attr_u32(a, &v);
        if (!r && (v == 0 || v > INT32_MAX)) {
            r = -EBADMSG;
        }
        d->ifindex = r ? 0 : (int)v;
        return r;
    }
    case ETHTOOL_A_HEADER_DEV_NAME:
        return oanl_attr_str(a, d->ifname, sizeof d->ifname);
    }
    return 0;
}

static int
dev_cb(const struct nlattr *a, void *data)
{
    return oanl_attr_type(a) == ETHTOOL_A_FEATURES_HEADER
               ? oanl_attr_walk_nested(a, dev_header_cb, data)
               : 0;
}

int
ethfeat_decode_dev(const struct nlmsghdr *nlh, const char *name,
                   struct ethfeat_dev *out)
{
    return ethfeat_decode_dev_at(nlh, name, -1, out);
}

int
ethfeat_decode_dev_at(const struct nlmsghdr *nlh, const char *name, int index,
                      struct ethfeat_dev *out)
{
    memset(out, 0, sizeof *out);
    int r = ethfeat_decode_get_at(nlh, name, index, &out->st);
    if (r) {
        return r;
    }
    /* decode_get checked the headers' length. */
    r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), dev_cb, out);
    if (r < 0) {
        return r;
    }
    return out->ifindex > 0 ? 0 : -EBADMSG;
}

/* ---- ioctl codec ---- */

int
ethfeat_string_index(const uint8_t *table, size_t count, const char *name)
{
    if (!*name) {
        return -ENOENT; /* empty entries mark undefined bits */
    }
    for (size_t i = 0; i < count; i++) {
        const char *s = (const char *)table + i * ETH_GSTRING_LEN;
        if (!strncmp(s, name, ETH_GSTRING_LEN) &&
            strlen(name) < ETH_GSTRING_LEN) {
            return (int)i;
        }
    }
    return -ENOENT;
}

int
ethfeat_state_from_blocks(const uint32_t *blocks, size_t n_blocks,
                          size_t index, struct ethfeat_state *out)
{
    memset(out, 0, sizeof *out);
    if (index / 32 >= n_blocks) {
        return -ERANGE;
    }
    const uint32_t *b = blocks + 4 * (index / 32);
    uint32_t bit = 1u << (index % 32);
    out->changeable = (b[0] & bit) && !(b[3] & bit);
    out->wanted = b[1] & bit;
    out->active = b[2] & bit;
    return 0;
}

/* ---- Netlink I/O ---- */

struct nl_get_ctx {
    const char *name;
    int index; /* compact bitsets: the bit of 'name'; -1 verbose */
    struct ethfeat_state *out;
    bool got;
};

static int
nl_get_cb(const struct nlmsghdr *nlh, void *data)
{
    struct nl_get_ctx *c = data;
    int r = ethfeat_decode_get_at(nlh, c->name, c->index, c->out);
    c->got = !r;
    return r;
}

static int feature_index(struct ethfeat_client *c, const char *name);

static int
nl_get(struct ethfeat_client *c, const char *ifname, const char *name,
       struct ethfeat_state *out, struct oanl_extack *ext)
{
    char buf[256];
    int index = feature_index(c, name);
    int r = ethfeat_encode_get(buf, sizeof buf, oanl_family(c->nl)->id, ifname,
                               index >= 0);
    if (r < 0) {
        return r == -ENOSPC ? -EINVAL : r;
    }
    struct nl_get_ctx ctx = {name, index, out, false};
    r = oanl_transact(c->nl, (struct nlmsghdr *)buf, nl_get_cb, &ctx, ext);
    return r ? r : ctx.got ? 0 : -EBADMSG;
}

struct nl_dump_ctx {
    const char *name;
    int index;            /* compact bitsets: the bit of 'name'; -1 verbose */
    struct oanl_vec devs; /* of struct ethfeat_dev */
};

static int
nl_dump_cb(const struct nlmsghdr *nlh, void *data)
{
    struct nl_dump_ctx *c = data;
    struct ethfeat_dev d;
    int r = ethfeat_decode_dev_at(nlh, c->name, c->index, &d);
    if (r) {
        return r;
    }
    struct ethfeat_dev *slot = oanl_vec_push(&c->devs);
    if (!slot) {
        return -ENOMEM;
    }
    *slot = d;
    return 0;
}

static int
cmp_ifindex(const void *a, const void *b)
{
    const struct ethfeat_dev *x = a, *y = b;
    return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

/* Hands the collected netdevs over, sorted by ifindex: the kernel walks
 * them in that order already, sorting makes the lookup's precondition
 * ours, not the kernel's. */
static void
nl_dump_finish(struct nl_dump_ctx *c, struct ethfeat_dev **out, size_t *n)
{
    if (c->devs.n) {
        qsort(c->devs.items, c->devs.n, sizeof(struct ethfeat_dev),
              cmp_ifindex);
    }
    *out = c->devs.items;
    *n = c->devs.n;
}

int
ethfeat_decode_dump(const void *buf, size_t len, const char *name,
                    struct ethfeat_dev **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    struct nl_dump_ctx ctx = {name, -1, {.size = sizeof(struct ethfeat_dev)}};
    const struct nlmsghdr *nlh = buf;
    int left = len > INT_MAX ? INT_MAX : (int)len;
    int r = 0;
    bool done = false;
    /* mnl_nlmsg_ok() compares nlmsg_len as an int: a length above
     * INT_MAX would pass it, hence the unsigned comparison first. */
    for (; !r && !done && left >= (int)sizeof *nlh &&
           nlh->nlmsg_len <= (unsigned)left && mnl_nlmsg_ok(nlh, left);
         nlh = mnl_nlmsg_next(nlh, &left)) {
        done = nlh->nlmsg_type == NLMSG_DONE;
        r = done                             ? 0
            : nlh->nlmsg_type == NLMSG_ERROR ? oanl_decode_error(nlh, NULL)
                                             : nl_dump_cb(nlh, &ctx);
    }
    if (!r && !done && left > 0) {
        r = -EBADMSG; /* a message runs past the end */
    }
    if (r) {
        free(ctx.devs.items);
        return r;
    }
    nl_dump_finish(&ctx, out, n);
    return 0;
}

static int
strset_cb_msg(const struct nlmsghdr *nlh, void *data)
{
    struct ethfeat_client *c = data;
    int r = ethfeat_decode_strset_index(nlh, c->index_name);
    c->index = r >= 0 ? r : -2;
    return r < 0 && r != -ENOENT ? r : 0; /* not listed: verbose */
}

/* The bit of feature 'name', asked of the kernel once per client (and
 * again only for another name): -1 when the kernel does not tell, and
 * the dump is then verbose. */
static int
feature_index(struct ethfeat_client *c, const char *name)
{
    if (strlen(name) >= sizeof c->index_name) {
        return -1;
    }
    if (c->index == -1 || strcmp(c->index_name, name)) {
        char buf[128];
        snprintf(c->index_name, sizeof c->index_name, "%s", name);
        c->index = -2;
        int r = ethfeat_encode_strset(buf, sizeof buf, oanl_family(c->nl)->id);
        if (r >= 0 && oanl_transact(c->nl, (struct nlmsghdr *)buf,
                                    strset_cb_msg, c, NULL) < 0) {
            c->index = -2;
        }
    }
    return c->index >= 0 ? c->index : -1;
}

int
ethfeat_dump_bit(const struct ethfeat_client *c, const char *name)
{
    return c->index >= 0 && !strcmp(c->index_name, name) ? c->index : -1;
}

int
ethfeat_dump(struct ethfeat_client *c, const char *name,
             struct ethfeat_dev **out, size_t *n, struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    if (ext) {
        ext->msg[0] = '\0';
    }
    if (c->backend != ETHFEAT_NETLINK) {
        return -EOPNOTSUPP;
    }
    char buf[128];
    int index = feature_index(c, name);
    int r = ethfeat_encode_dump(buf, sizeof buf, oanl_family(c->nl)->id,
                                index >= 0);
    if (r < 0) {
        return r;
    }
    struct nl_dump_ctx ctx = {
        name, index, {.size = sizeof(struct ethfeat_dev)}};
    r = oanl_transact(c->nl, (struct nlmsghdr *)buf, nl_dump_cb, &ctx, ext);
    if (r) {
        free(ctx.devs.items);
        return r;
    }
    nl_dump_finish(&ctx, out, n);
    return 0;
}

const struct ethfeat_dev *
ethfeat_dev_find(const struct ethfeat_dev *devs, size_t n, int ifindex)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (devs[mid].ifindex == ifindex) {
            return &devs[mid];
        }
        if (devs[mid].ifindex < ifindex) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return NULL;
}

static int
nl_set(struct ethfeat_client *c, const char *ifname, const char *name, bool on,
       struct oanl_extack *ext)
{
    char buf[256];
    int r = ethfeat_encode_set(buf, sizeof buf, oanl_family(c->nl)->id, ifname,
                               name, on);
    if (r < 0) {
        return r == -ENOSPC ? -EINVAL : r;
    }
    return oanl_transact(c->nl, (struct nlmsghdr *)buf, NULL, NULL, ext);
}

/* ---- ioctl I/O ---- */

static int
eth_ioctl(struct ethfeat_client *c, const char *ifname, void *data)
{
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    if (!ifname || strlen(ifname) >= sizeof ifr.ifr_name) {
        return -EINVAL;
    }
    strcpy(ifr.ifr_name, ifname);
    ifr.ifr_data = data;
    int r = ioctl(c->fd, SIOCETHTOOL, &ifr);
    return r < 0 ? -errno : r;
}

/* Finds 'name' in the feature string set; *n_blocks gets the number of
 * 32-bit feature words. */
static int
ioctl_index(struct ethfeat_client *c, const char *ifname, const char *name,
            size_t *n_blocks)
{
    /* One string set asked for: one u32 of answer after the header. */
    struct ethtool_sset_info *info =
        calloc(1, sizeof *info + sizeof(uint32_t));
    if (!info) {
        return -ENOMEM;
    }
    info->cmd = ETHTOOL_GSSET_INFO;
    info->sset_mask = 1ULL << ETH_SS_FEATURES;
    int r = eth_ioctl(c, ifname, info);
    bool has_set = r >= 0 && (info->sset_mask & (1ULL << ETH_SS_FEATURES));
    size_t count = has_set ? info->data[0] : 0;
    free(info);
    if (r < 0) {
        return r;
    }
    if (!has_set) {
        return -EOPNOTSUPP;
    }
    struct ethtool_gstrings *gs =
        calloc(1, sizeof *gs + count * ETH_GSTRING_LEN);
    if (!gs) {
        return -ENOMEM;
    }
    gs->cmd = ETHTOOL_GSTRINGS;
    gs->string_set = ETH_SS_FEATURES;
    gs->len = (uint32_t)count;
    r = eth_ioctl(c, ifname, gs);
    if (r >= 0) {
        size_t got = gs->len < count ? gs->len : count;
        r = ethfeat_string_index(gs->data, got, name);
    }
    free(gs);
    *n_blocks = (count + 31) / 32;
    return r;
}

static int
ioctl_get(struct ethfeat_client *c, const char *ifname, const char *name,
          struct ethfeat_state *out)
{
    size_t n_blocks;
    int idx = ioctl_index(c, ifname, name, &n_blocks);
    if (idx < 0) {
        return idx;
    }
    struct ethtool_gfeatures *gf = calloc(
        1, sizeof *gf + n_blocks * sizeof(struct ethtool_get_features_block));
    if (!gf) {
        return -ENOMEM;
    }
    gf->cmd = ETHTOOL_GFEATURES;
    gf->size = (uint32_t)n_blocks;
    int r = eth_ioctl(c, ifname, gf);
    if (r >= 0) {
        r = ethfeat_state_from_blocks((const uint32_t *)gf->features, n_blocks,
                                      (size_t)idx, out);
    }
    free(gf);
    return r;
}

static int
ioctl_set(struct ethfeat_client *c, const char *ifname, const char *name,
          bool on)
{
    size_t n_blocks;
    int idx = ioctl_index(c, ifname, name, &n_blocks);
    if (idx < 0) {
        return idx;
    }
    struct ethtool_sfeatures *sf = calloc(
        1, sizeof *sf + n_blocks * sizeof(struct ethtool_set_features_block));
    if (!sf) {
        return -ENOMEM;
    }
    sf->cmd = ETHTOOL_SFEATURES;
    sf->size = (uint32_t)n_blocks;
    uint32_t bit = 1u << (idx % 32);
    sf->features[idx / 32].valid = bit;
    sf->features[idx / 32].requested = on ? bit : 0;
    int r = eth_ioctl(c, ifname, sf);
    free(sf);
    if (r > 0 && (r & ETHTOOL_F_UNSUPPORTED)) {
        return -EOPNOTSUPP;
    }
    return r < 0 ? r : 0;
}

/* ---- Public ---- */

int
ethfeat_get(struct ethfeat_client *c, const char *ifname, const char *name,
            struct ethfeat_state *out, struct oanl_extack *ext)
{
    memset(out, 0, sizeof *out);
    if (ext) {
        ext->msg[0] = '\0';
    }
    if (c->backend == ETHFEAT_NETLINK) {
        return nl_get(c, ifname, name, out, ext);
    }
    return ioctl_get(c, ifname, name, out);
}

int
ethfeat_set(struct ethfeat_client *c, const char *ifname, const char *name,
            bool on, struct oanl_extack *ext)
{
    struct ethfeat_state st;
    int r = ethfeat_get(c, ifname, name, &st, ext);
    if (r) {
        return r;
    }
    if (st.active == on) {
        return 0; /* read before write: nothing to do */
    }
    if (!st.changeable) {
        return -EOPNOTSUPP;
    }
    r = c->backend == ETHFEAT_NETLINK ? nl_set(c, ifname, name, on, ext)
                                      : ioctl_set(c, ifname, name, on);
    if (r) {
        return r;
    }
    r = ethfeat_get(c, ifname, name, &st, ext);
    if (r) {
        return r;
    }
    return st.active == on ? 0 : -EIO;
}
