/* ethfeat_: ethtool netlink feature bitsets and ioctl tables. */
#include "nltest.h"

#include "oa-netlink/ethfeat.h"

#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <stdbool.h>
#include <stdlib.h>

#define FAM 21
static const size_t GL = sizeof(struct genlmsghdr);

START_TEST(test_encode_get)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(ethfeat_encode_get(buf, sizeof buf, FAM, "eth1", false),
                     0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, ETHTOOL_MSG_FEATURES_GET);
    const struct nlattr *hdr =
        nlt_find_msg(nlh, GL, ETHTOOL_A_FEATURES_HEADER);
    ck_assert_ptr_nonnull(hdr);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_nested(hdr, ETHTOOL_A_HEADER_DEV_NAME)),
        "eth1");
    /* Verbose bitsets (names), not compact. */
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(hdr, ETHTOOL_A_HEADER_FLAGS)), 0);
    ck_assert_int_eq(ethfeat_encode_get(buf, sizeof buf, FAM, "", false),
                     -ENOSPC);
    /* Compact, once the feature's bit is known. */
    ck_assert_int_gt(ethfeat_encode_get(buf, sizeof buf, FAM, "eth1", true),
                     0);
    hdr = nlt_find_msg(nlh, GL, ETHTOOL_A_FEATURES_HEADER);
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(hdr, ETHTOOL_A_HEADER_FLAGS)),
        ETHTOOL_FLAG_COMPACT_BITSETS);
}
END_TEST

static const struct nlattr *
wanted_bit(const void *buf)
{
    const struct nlattr *w = nlt_find_msg(buf, GL, ETHTOOL_A_FEATURES_WANTED);
    ck_assert_ptr_nonnull(w);
    /* Without NOMASK only the listed bits change. */
    ck_assert_ptr_null(nlt_find_nested(w, ETHTOOL_A_BITSET_NOMASK));
    const struct nlattr *bits = nlt_find_nested(w, ETHTOOL_A_BITSET_BITS);
    ck_assert_ptr_nonnull(bits);
    const struct nlattr *bit =
        nlt_find_nested(bits, ETHTOOL_A_BITSET_BITS_BIT);
    ck_assert_ptr_nonnull(bit);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_nested(bit, ETHTOOL_A_BITSET_BIT_NAME)),
        "hw-tc-offload");
    return bit;
}

START_TEST(test_encode_set)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(ethfeat_encode_set(buf, sizeof buf, FAM, "eth1",
                                        ETHFEAT_HW_TC_OFFLOAD, true),
                     0);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload((void *)buf);
    ck_assert_int_eq(g->cmd, ETHTOOL_MSG_FEATURES_SET);
    const struct nlattr *hdr =
        nlt_find_msg((void *)buf, GL, ETHTOOL_A_FEATURES_HEADER);
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(hdr, ETHTOOL_A_HEADER_FLAGS)),
        ETHTOOL_FLAG_OMIT_REPLY);
    ck_assert_ptr_nonnull(
        nlt_find_nested(wanted_bit(buf), ETHTOOL_A_BITSET_BIT_VALUE));

    ck_assert_int_gt(ethfeat_encode_set(buf, sizeof buf, FAM, "eth1",
                                        ETHFEAT_HW_TC_OFFLOAD, false),
                     0);
    /* Off: the bit is listed without a VALUE flag. */
    ck_assert_ptr_null(
        nlt_find_nested(wanted_bit(buf), ETHTOOL_A_BITSET_BIT_VALUE));
    ck_assert_int_eq(
        ethfeat_encode_set(buf, 60, FAM, "eth1", ETHFEAT_HW_TC_OFFLOAD, true),
        -ENOSPC);
}
END_TEST

/* A bitset in list form (NOMASK): the names given are the set bits. */
static void
put_list(struct nlmsghdr *nlh, uint16_t type, const char *const *names)
{
    struct nlattr *set = mnl_attr_nest_start(nlh, type);
    mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
    mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 64);
    struct nlattr *bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
    for (uint32_t i = 0; names[i]; i++) {
        struct nlattr *bit =
            mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
        mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_BIT_INDEX, 40 + i);
        mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, names[i]);
        mnl_attr_nest_end(nlh, bit);
    }
    mnl_attr_nest_end(nlh, bits);
    mnl_attr_nest_end(nlh, set);
}

/* A reply for netdev 'name' ('ifindex') at 'buf' (not cleared: a dump's
 * messages follow each other). */
static struct nlmsghdr *
put_dev_reply(void *buf, int ifindex, const char *name, const char *const *hw,
              const char *const *wanted, const char *const *active,
              const char *const *nochange)
{
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = FAM;
    nlh->nlmsg_flags = NLM_F_MULTI;
    struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, GL);
    g->cmd = ETHTOOL_MSG_FEATURES_GET_REPLY;
    struct nlattr *hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_HEADER);
    if (ifindex) {
        mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
    }
    mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
    mnl_attr_nest_end(nlh, hdr);
    put_list(nlh, ETHTOOL_A_FEATURES_HW, hw);
    put_list(nlh, ETHTOOL_A_FEATURES_WANTED, wanted);
    put_list(nlh, ETHTOOL_A_FEATURES_ACTIVE, active);
    put_list(nlh, ETHTOOL_A_FEATURES_NOCHANGE, nochange);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 1);
    return nlh;
}

static struct nlmsghdr *
put_reply(void *buf, const char *const *hw, const char *const *wanted,
          const char *const *active, const char *const *nochange)
{
    memset(buf, 0, NLT_BUF);
    return put_dev_reply(buf, 3, "eth1", hw, wanted, active, nochange);
}

static const char *const none[] = {NULL};

START_TEST(test_decode_off_changeable)
{
    static const char *const hw[] = {"rx-gro", "hw-tc-offload", NULL};
    static const char *const on[] = {"rx-gro", NULL};
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_reply(buf, hw, on, on, none);
    struct ethfeat_state st;
    ck_assert_int_eq(ethfeat_decode_get(nlh, ETHFEAT_HW_TC_OFFLOAD, &st), 0);
    ck_assert(!st.active && !st.wanted && st.changeable);
    ck_assert_int_eq(ethfeat_decode_get(nlh, "rx-gro", &st), 0);
    ck_assert(st.active && st.wanted && st.changeable);
}
END_TEST

START_TEST(test_decode_on_fixed)
{
    static const char *const on[] = {"hw-tc-offload", NULL};
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_reply(buf, on, on, on, on);
    struct ethfeat_state st;
    ck_assert_int_eq(ethfeat_decode_get(nlh, ETHFEAT_HW_TC_OFFLOAD, &st), 0);
    ck_assert(st.active && st.wanted);
    ck_assert(!st.changeable); /* in NOCHANGE */
    /* A name the kernel never listed reads as off. */
    ck_assert_int_eq(ethfeat_decode_get(nlh, "no-such-feature", &st), 0);
    ck_assert(!st.active && !st.changeable);
}
END_TEST

/* The generic netlink command of message 'nlh'. */
static void
genl_cmd(struct nlmsghdr *nlh, uint8_t cmd)
{
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
}

/* A message of the family with command 'cmd', at 'buf' (cleared). */
static struct nlmsghdr *
genl_start(char *buf, uint8_t cmd)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, GL);
    genl_cmd(nlh, cmd);
    return nlh;
}

START_TEST(test_decode_masked_and_compact)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = genl_start(buf, ETHTOOL_MSG_FEATURES_GET_REPLY);
    /* Masked verbose form: listed bits carry VALUE when set. */
    struct nlattr *set = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_ACTIVE);
    struct nlattr *bits = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS);
    struct nlattr *bit = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
    mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, "hw-tc-offload");
    mnl_attr_nest_end(nlh, bit);
    bit = mnl_attr_nest_start(nlh, ETHTOOL_A_BITSET_BITS_BIT);
    mnl_attr_put_strz(nlh, ETHTOOL_A_BITSET_BIT_NAME, "rx-gro");
    mnl_attr_put(nlh, ETHTOOL_A_BITSET_BIT_VALUE, 0, NULL);
    mnl_attr_nest_end(nlh, bit);
    mnl_attr_nest_end(nlh, bits);
    mnl_attr_nest_end(nlh, set);
    struct ethfeat_state st;
    ck_assert_int_eq(ethfeat_decode_get(nlh, ETHFEAT_HW_TC_OFFLOAD, &st), 0);
    ck_assert(!st.active);
    ck_assert_int_eq(ethfeat_decode_get(nlh, "rx-gro", &st), 0);
    ck_assert(st.active);

    nlh->nlmsg_len -= 3;
    ck_assert_int_eq(ethfeat_decode_get(nlh, "rx-gro", &st), -EBADMSG);

    /* Compact bitsets carry no names: refused, not misread. */
    nlh = genl_start(buf, ETHTOOL_MSG_FEATURES_GET_REPLY);
    set = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_ACTIVE);
    mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 32);
    mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_VALUE, 0xff);
    mnl_attr_nest_end(nlh, set);
    ck_assert_int_eq(ethfeat_decode_get(nlh, "rx-gro", &st), -EPROTO);

    genl_cmd(nlh, ETHTOOL_MSG_FEATURES_SET);
    ck_assert_int_eq(ethfeat_decode_get(nlh, "rx-gro", &st), -EPROTO);
}
END_TEST

/* A compact bitset of two words (64 bits), 'mask' NULL: NOMASK. */
static void
put_compact(struct nlmsghdr *nlh, uint16_t type, const uint32_t value[2],
            const uint32_t *mask)
{
    struct nlattr *set = mnl_attr_nest_start(nlh, type);
    if (!mask) {
        mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
    }
    mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 64);
    mnl_attr_put(nlh, ETHTOOL_A_BITSET_VALUE, 2 * sizeof(uint32_t), value);
    if (mask) {
        mnl_attr_put(nlh, ETHTOOL_A_BITSET_MASK, 2 * sizeof(uint32_t), mask);
    }
    mnl_attr_nest_end(nlh, set);
}

/* What a dump with ETHTOOL_FLAG_COMPACT_BITSETS brings: bit arrays, read
 * at the feature's bit (here 50: word 1, bit 18; and 3: word 0). */
START_TEST(test_decode_compact)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = genl_start(buf, ETHTOOL_MSG_FEATURES_GET_REPLY);
    struct nlattr *hdr = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_HEADER);
    mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 9);
    mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "rep9");
    mnl_attr_nest_end(nlh, hdr);
    const uint32_t hw[2] = {1u << 3, 1u << 18};
    const uint32_t active[2] = {0, 1u << 18};
    const uint32_t nochange[2] = {1u << 3, 0};
    put_compact(nlh, ETHTOOL_A_FEATURES_HW, hw, NULL);
    put_compact(nlh, ETHTOOL_A_FEATURES_WANTED, active, NULL);
    put_compact(nlh, ETHTOOL_A_FEATURES_ACTIVE, active, NULL);
    put_compact(nlh, ETHTOOL_A_FEATURES_NOCHANGE, nochange, NULL);

    struct ethfeat_dev d;
    ck_assert_int_eq(ethfeat_decode_dev_at(nlh, "x", 50, &d), 0);
    ck_assert_int_eq(d.ifindex, 9);
    ck_assert_str_eq(d.ifname, "rep9");
    ck_assert(d.st.active && d.st.wanted && d.st.changeable);
    ck_assert_int_eq(ethfeat_decode_dev_at(nlh, "x", 3, &d), 0);
    ck_assert(!d.st.active && !d.st.wanted && !d.st.changeable);
    /* A bit past the bitset's words is clear, not read past its end. */
    ck_assert_int_eq(ethfeat_decode_dev_at(nlh, "x", 64, &d), 0);
    ck_assert(!d.st.active && !d.st.changeable);
    /* Without the bit it cannot be read: refused. */
    ck_assert_int_eq(ethfeat_decode_dev_at(nlh, "x", -1, &d), -EPROTO);

    /* With a mask: VALUE counts only where MASK has the bit. */
    nlh = genl_start(buf, ETHTOOL_MSG_FEATURES_GET_REPLY);
    const uint32_t value[2] = {1u << 3, 1u << 18};
    const uint32_t mask[2] = {0, 1u << 18};
    put_compact(nlh, ETHTOOL_A_FEATURES_ACTIVE, value, mask);
    struct ethfeat_state st;
    ck_assert_int_eq(ethfeat_decode_get_at(nlh, "x", 50, &st), 0);
    ck_assert(st.active);
    ck_assert_int_eq(ethfeat_decode_get_at(nlh, "x", 3, &st), 0);
    ck_assert(!st.active);
}
END_TEST

START_TEST(test_strset)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(ethfeat_encode_strset(buf, sizeof buf, FAM), 0);
    const struct nlmsghdr *req = (const void *)buf;
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
    ck_assert_int_eq(g->cmd, ETHTOOL_MSG_STRSET_GET);
    const struct nlattr *sets =
        nlt_find_msg(req, GL, ETHTOOL_A_STRSET_STRINGSETS);
    ck_assert_ptr_nonnull(sets);
    const struct nlattr *set =
        nlt_find_nested(sets, ETHTOOL_A_STRINGSETS_STRINGSET);
    ck_assert_ptr_nonnull(set);
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(set, ETHTOOL_A_STRINGSET_ID)),
        ETH_SS_FEATURES);
    /* A header (6.1 refuses the request without) naming no netdev: the
     * feature names are the kernel's. */
    const struct nlattr *hdr = nlt_find_msg(req, GL, ETHTOOL_A_STRSET_HEADER);
    ck_assert_ptr_nonnull(hdr);
    ck_assert_ptr_null(nlt_find_nested(hdr, ETHTOOL_A_HEADER_DEV_NAME));
    ck_assert_ptr_null(nlt_find_nested(hdr, ETHTOOL_A_HEADER_DEV_INDEX));
    ck_assert_int_eq(ethfeat_encode_strset(buf, 36, FAM), -ENOSPC);

    /* The reply: another set first (its strings must not count), then
     * the features with "hw-tc-offload" at 55. */
    struct nlmsghdr *nlh = genl_start(buf, ETHTOOL_MSG_STRSET_GET_REPLY);
    struct nlattr *s = mnl_attr_nest_start(nlh, ETHTOOL_A_STRSET_STRINGSETS);
    static const struct {
        uint32_t id, index;
        const char *value;
    } strs[] = {{ETH_SS_STATS, 7, "hw-tc-offload"},
                {ETH_SS_FEATURES, 0, "tx-scatter-gather"},
                {ETH_SS_FEATURES, 55, "hw-tc-offload"}};
    for (size_t i = 0; i < 3; i++) {
        struct nlattr *one =
            mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSETS_STRINGSET);
        mnl_attr_put_u32(nlh, ETHTOOL_A_STRINGSET_ID, strs[i].id);
        struct nlattr *list =
            mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGSET_STRINGS);
        struct nlattr *str =
            mnl_attr_nest_start(nlh, ETHTOOL_A_STRINGS_STRING);
        mnl_attr_put_u32(nlh, ETHTOOL_A_STRING_INDEX, strs[i].index);
        mnl_attr_put_strz(nlh, ETHTOOL_A_STRING_VALUE, strs[i].value);
        mnl_attr_nest_end(nlh, str);
        mnl_attr_nest_end(nlh, list);
        mnl_attr_nest_end(nlh, one);
    }
    mnl_attr_nest_end(nlh, s);
    ck_assert_int_eq(ethfeat_decode_strset_index(nlh, ETHFEAT_HW_TC_OFFLOAD),
                     55);
    ck_assert_int_eq(ethfeat_decode_strset_index(nlh, "tx-scatter-gather"), 0);
    ck_assert_int_eq(ethfeat_decode_strset_index(nlh, "no-such-feature"),
                     -ENOENT);
    genl_cmd(nlh, ETHTOOL_MSG_FEATURES_GET_REPLY);
    ck_assert_int_eq(ethfeat_decode_strset_index(nlh, ETHFEAT_HW_TC_OFFLOAD),
                     -EPROTO);
}
END_TEST

START_TEST(test_encode_dump)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(ethfeat_encode_dump(buf, sizeof buf, FAM, false), 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert_uint_eq(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, ETHTOOL_MSG_FEATURES_GET);
    const struct nlattr *hdr =
        nlt_find_msg(nlh, GL, ETHTOOL_A_FEATURES_HEADER);
    ck_assert_ptr_nonnull(hdr);
    /* Every netdev: no device named; verbose bitsets. */
    ck_assert_ptr_null(nlt_find_nested(hdr, ETHTOOL_A_HEADER_DEV_NAME));
    ck_assert_ptr_null(nlt_find_nested(hdr, ETHTOOL_A_HEADER_DEV_INDEX));
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(hdr, ETHTOOL_A_HEADER_FLAGS)), 0);
    ck_assert_int_eq(ethfeat_encode_dump(buf, 20, FAM, false), -ENOSPC);
    /* Compact: the same request with ETHTOOL_FLAG_COMPACT_BITSETS. */
    ck_assert_int_gt(ethfeat_encode_dump(buf, sizeof buf, FAM, true), 0);
    hdr = nlt_find_msg(nlh, GL, ETHTOOL_A_FEATURES_HEADER);
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(hdr, ETHTOOL_A_HEADER_FLAGS)),
        ETHTOOL_FLAG_COMPACT_BITSETS);
}
END_TEST

/* A dump's reply as the kernel sends it: one message per netdev, then
 * DONE; here out of ifindex order to check the sort. */
static size_t
put_dump(char *buf, bool bad_middle)
{
    static const char *const tc[] = {"hw-tc-offload", NULL};
    static const char *const gro[] = {"rx-gro", NULL};
    memset(buf, 0, NLT_BUF);
    size_t off = 0;
    struct nlmsghdr *nlh = put_dev_reply(buf, 7, "eth7", tc, tc, tc, none);
    off += nlh->nlmsg_len;
    /* bad_middle: a message without an ifindex. */
    nlh = put_dev_reply(buf + off, bad_middle ? 0 : 2, "eth2", tc, gro, gro,
                        none);
    off += nlh->nlmsg_len;
    nlh = put_dev_reply(buf + off, 30, "rep30", tc, tc, tc, tc);
    off += nlh->nlmsg_len;
    nlh = mnl_nlmsg_put_header(buf + off);
    nlh->nlmsg_type = NLMSG_DONE;
    mnl_nlmsg_put_extra_header(nlh, sizeof(int));
    return off + nlh->nlmsg_len;
}

START_TEST(test_decode_dump)
{
    char buf[NLT_BUF];
    size_t len = put_dump(buf, false);
    struct ethfeat_dev *devs;
    size_t n;
    ck_assert_int_eq(
        ethfeat_decode_dump(buf, len, ETHFEAT_HW_TC_OFFLOAD, &devs, &n), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(devs[0].ifindex, 2);
    ck_assert_int_eq(devs[1].ifindex, 7);
    ck_assert_int_eq(devs[2].ifindex, 30);

    const struct ethfeat_dev *d = ethfeat_dev_find(devs, n, 2);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->ifname, "eth2");
    ck_assert(!d->st.active && !d->st.wanted && d->st.changeable);
    d = ethfeat_dev_find(devs, n, 7);
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d->ifname, "eth7");
    ck_assert(d->st.active && d->st.wanted && d->st.changeable);
    d = ethfeat_dev_find(devs, n, 30);
    ck_assert_ptr_nonnull(d);
    ck_assert(d->st.active && !d->st.changeable);
    ck_assert_ptr_null(ethfeat_dev_find(devs, n, 1));
    ck_assert_ptr_null(ethfeat_dev_find(devs, n, 8));
    ck_assert_ptr_null(ethfeat_dev_find(devs, n, 31));
    ck_assert_ptr_null(ethfeat_dev_find(devs, 0, 7));
    free(devs);

    /* A reply cut inside a message is refused, not read in part. */
    const struct nlmsghdr *first = (const void *)buf;
    ck_assert_int_eq(ethfeat_decode_dump(buf, first->nlmsg_len + 10,
                                         ETHFEAT_HW_TC_OFFLOAD, &devs, &n),
                     -EBADMSG);
    ck_assert_ptr_null(devs);
    /* Nothing after DONE is read. */
    ck_assert_int_eq(
        ethfeat_decode_dump(buf, len + 10, ETHFEAT_HW_TC_OFFLOAD, &devs, &n),
        0);
    ck_assert_uint_eq(n, 3);
    free(devs);

    /* A message naming no netdev fails the dump, nothing kept. */
    len = put_dump(buf, true);
    ck_assert_int_eq(
        ethfeat_decode_dump(buf, len, ETHFEAT_HW_TC_OFFLOAD, &devs, &n),
        -EBADMSG);
    ck_assert_ptr_null(devs);
    ck_assert_uint_eq(n, 0);

    /* The kernel's error ends it with its errno. */
    struct nlmsghdr *nlh = nlt_start(buf, NLMSG_ERROR, 0);
    struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof *e);
    e->error = -EOPNOTSUPP;
    nlh->nlmsg_flags |= NLM_F_CAPPED; /* the request is not echoed */
    ck_assert_int_eq(ethfeat_decode_dump(buf, nlh->nlmsg_len,
                                         ETHFEAT_HW_TC_OFFLOAD, &devs, &n),
                     -EOPNOTSUPP);
    ck_assert_ptr_null(devs);
}
END_TEST

START_TEST(test_ioctl_tables)
{
    uint8_t table[3 * ETH_GSTRING_LEN] = {0};
    strcpy((char *)table, "rx-checksum");
    /* index 1: an empty (undefined) entry */
    strcpy((char *)table + 2 * ETH_GSTRING_LEN, "hw-tc-offload");
    ck_assert_int_eq(ethfeat_string_index(table, 3, "hw-tc-offload"), 2);
    ck_assert_int_eq(ethfeat_string_index(table, 3, "rx-checksum"), 0);
    ck_assert_int_eq(ethfeat_string_index(table, 2, "hw-tc-offload"), -ENOENT);
    ck_assert_int_eq(ethfeat_string_index(table, 3, ""), -ENOENT);

    /* Two blocks; feature 37 = block 1, bit 5. */
    uint32_t blocks[8] = {0};
    blocks[4 + 0] = 1u << 5; /* available */
    blocks[4 + 2] = 1u << 5; /* active */
    struct ethfeat_state st;
    ck_assert_int_eq(ethfeat_state_from_blocks(blocks, 2, 37, &st), 0);
    ck_assert(st.changeable && st.active && !st.wanted);
    blocks[4 + 3] = 1u << 5; /* never changed */
    ck_assert_int_eq(ethfeat_state_from_blocks(blocks, 2, 37, &st), 0);
    ck_assert(!st.changeable);
    ck_assert_int_eq(ethfeat_state_from_blocks(blocks, 2, 5, &st), 0);
    ck_assert(!st.active);
    ck_assert_int_eq(ethfeat_state_from_blocks(blocks, 2, 64, &st), -ERANGE);
}
END_TEST

Suite *
ethfeat_suite(void)
{
    Suite *s = suite_create("ethfeat");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_get);
    tcase_add_test(tc, test_encode_set);
    tcase_add_test(tc, test_decode_off_changeable);
    tcase_add_test(tc, test_decode_on_fixed);
    tcase_add_test(tc, test_decode_masked_and_compact);
    tcase_add_test(tc, test_decode_compact);
    tcase_add_test(tc, test_strset);
    tcase_add_test(tc, test_encode_dump);
    tcase_add_test(tc, test_decode_dump);
    tcase_add_test(tc, test_ioctl_tables);
    suite_add_tcase(s, tc);
    return s;
}
