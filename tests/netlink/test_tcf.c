/* tcf_: filter dump request, flower/matchall decoding, summaries. */
#include "nltest.h"

#include "oa-netlink/tcf.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/gen_stats.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

static const size_t TCM = sizeof(struct tcmsg);

START_TEST(test_encode_dump)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(tcf_encode_dump(buf, sizeof buf, 9, TCF_PARENT_INGRESS),
                     0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, RTM_GETTFILTER);
    ck_assert_int_eq(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    const struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(t->tcm_ifindex, 9);
    ck_assert_uint_eq(t->tcm_parent, TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS));
    /* No chain attribute: every chain is dumped. */
    ck_assert_ptr_null(nlt_find_msg(nlh, TCM, TCA_CHAIN));
    ck_assert_int_eq(tcf_encode_dump(buf, sizeof buf, 0, 0), -EINVAL);
}
END_TEST

static struct nlmsghdr *
put_filter(void *buf, const char *kind, uint32_t handle, uint32_t chain)
{
    struct nlmsghdr *nlh = nlt_start(buf, RTM_NEWTFILTER, TCM);
    struct tcmsg *t = mnl_nlmsg_get_payload(nlh);
    t->tcm_ifindex = 9;
    t->tcm_handle = handle;
    t->tcm_parent = TCF_PARENT_INGRESS;
    t->tcm_info = TC_H_MAKE(5u << 16, htons(ETH_P_IP));
    mnl_attr_put_strz(nlh, TCA_KIND, kind);
    mnl_attr_put_u32(nlh, TCA_CHAIN, chain);
    return nlh;
}

static void
put_action(struct nlmsghdr *nlh, uint16_t order, bool hw)
{
    struct nlattr *act = mnl_attr_nest_start(nlh, order);
    mnl_attr_put_strz(nlh, TCA_ACT_KIND, "mirred");
    struct nlattr *st = mnl_attr_nest_start(nlh, TCA_ACT_STATS);
    struct gnet_stats_basic b = {.bytes = 1500, .packets = 10};
    mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof b, &b);
    if (hw) {
        struct gnet_stats_basic h = {.bytes = 900, .packets = 6};
        mnl_attr_put(nlh, TCA_STATS_BASIC_HW, sizeof h, &h);
    }
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 3);
    mnl_attr_nest_end(nlh, st);
    mnl_attr_nest_end(nlh, act);
}

static struct nlmsghdr *
put_flower(void *buf, uint32_t flags, bool with_count, bool hw_stats)
{
    struct nlmsghdr *nlh = put_filter(buf, "flower", 1, 3);
    struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
    mnl_attr_put_u16(nlh, TCA_FLOWER_KEY_ETH_TYPE, htons(ETH_P_IP));
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 1);
    struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_FLOWER_ACT);
    put_action(nlh, 1, hw_stats);
    mnl_attr_nest_end(nlh, acts);
    mnl_attr_put_u32(nlh, TCA_FLOWER_FLAGS, flags);
    if (with_count) {
        mnl_attr_put_u32(nlh, TCA_FLOWER_IN_HW_COUNT, 1);
    }
    mnl_attr_nest_end(nlh, opt);
    return nlh;
}

START_TEST(test_decode_flower_in_hw)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_flower(
        buf, TCA_CLS_FLAGS_SKIP_SW | TCA_CLS_FLAGS_IN_HW, true, true);
    struct tcf_rule r;
    ck_assert_int_eq(tcf_decode(nlh, &r), 0);
    ck_assert_str_eq(r.kind, "flower");
    ck_assert_uint_eq(r.chain, 3);
    ck_assert_uint_eq(r.prio, 5);
    ck_assert_uint_eq(r.protocol, ETH_P_IP);
    ck_assert_uint_eq(r.handle, 1);
    ck_assert(r.has_flags);
    ck_assert(r.in_hw && !r.not_in_hw && r.skip_sw && !r.skip_hw);
    ck_assert(r.has_in_hw_count);
    ck_assert_uint_eq(r.in_hw_count, 1);
    ck_assert(r.has_stats && r.has_hw_stats);
    ck_assert_uint_eq(r.packets, 10);
    ck_assert_uint_eq(r.bytes, 1500);
    ck_assert_uint_eq(r.hw_packets, 6);
    ck_assert_uint_eq(r.hw_bytes, 900);
}
END_TEST

START_TEST(test_decode_flower_not_in_hw)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh =
        put_flower(buf, TCA_CLS_FLAGS_NOT_IN_HW, false, false);
    struct tcf_rule r;
    ck_assert_int_eq(tcf_decode(nlh, &r), 0);
    ck_assert(!r.in_hw && r.not_in_hw);
    ck_assert(!r.has_in_hw_count);
    ck_assert(r.has_stats && !r.has_hw_stats);
}
END_TEST

START_TEST(test_decode_matchall_and_other)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_filter(buf, "matchall", 1, 0);
    struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
    mnl_attr_put_u32(nlh, TCA_MATCHALL_FLAGS,
                     TCA_CLS_FLAGS_SKIP_HW | TCA_CLS_FLAGS_NOT_IN_HW);
    mnl_attr_nest_end(nlh, opt);
    struct tcf_rule r;
    ck_assert_int_eq(tcf_decode(nlh, &r), 0);
    ck_assert(r.has_flags && r.skip_hw && r.not_in_hw);

    /* A classifier we do not decode: listed, flags unknown. */
    nlh = put_filter(buf, "u32", 0x800, 0);
    opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
    mnl_attr_put_u32(nlh, 11, TCA_CLS_FLAGS_IN_HW);
    mnl_attr_nest_end(nlh, opt);
    ck_assert_int_eq(tcf_decode(nlh, &r), 0);
    ck_assert_str_eq(r.kind, "u32");
    ck_assert(!r.has_flags && !r.in_hw);
}
END_TEST

START_TEST(test_decode_placeholder)
{
    /* The per-prio header the kernel sends first: kind, no handle, no
     * options. */
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_filter(buf, "flower", 0, 0);
    struct tcf_rule r;
    ck_assert_int_eq(tcf_decode(nlh, &r), 1);
}
END_TEST

START_TEST(test_decode_errors)
{
    char buf[NLT_BUF];
    struct tcf_rule r;
    struct nlmsghdr *nlh = put_flower(buf, TCA_CLS_FLAGS_IN_HW, true, true);
    nlh->nlmsg_len -= 2;
    ck_assert_int_eq(tcf_decode(nlh, &r), -EBADMSG);

    nlh = put_flower(buf, 0, false, false);
    nlh->nlmsg_type = RTM_NEWQDISC;
    ck_assert_int_eq(tcf_decode(nlh, &r), -EPROTO);

    /* A stats block too small for the counters. */
    nlh = put_filter(buf, "flower", 1, 0);
    struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
    struct nlattr *acts = mnl_attr_nest_start(nlh, TCA_FLOWER_ACT);
    struct nlattr *act = mnl_attr_nest_start(nlh, 1);
    struct nlattr *st = mnl_attr_nest_start(nlh, TCA_ACT_STATS);
    mnl_attr_put_u32(nlh, TCA_STATS_BASIC, 1);
    mnl_attr_nest_end(nlh, st);
    mnl_attr_nest_end(nlh, act);
    mnl_attr_nest_end(nlh, acts);
    mnl_attr_nest_end(nlh, opt);
    ck_assert_int_eq(tcf_decode(nlh, &r), -EBADMSG);

    /* Flags too short for a u32. */
    nlh = put_filter(buf, "flower", 1, 0);
    opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
    mnl_attr_put_u16(nlh, TCA_FLOWER_FLAGS, 4);
    mnl_attr_nest_end(nlh, opt);
    ck_assert_int_eq(tcf_decode(nlh, &r), -EBADMSG);
}
END_TEST

START_TEST(test_summarize)
{
    struct tcf_rule rules[3] = {{0}};
    rules[0].in_hw = true;
    rules[1].not_in_hw = true;
    rules[2].in_hw = true;
    struct tcf_summary s;
    tcf_summarize(rules, 3, &s);
    ck_assert_uint_eq(s.rules, 3);
    ck_assert_uint_eq(s.in_hw, 2);
    ck_assert_uint_eq(s.not_in_hw, 1);
    tcf_summarize(NULL, 0, &s);
    ck_assert_uint_eq(s.rules, 0);
}
END_TEST

Suite *
tcf_suite(void)
{
    Suite *s = suite_create("tcf");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_dump);
    tcase_add_test(tc, test_decode_flower_in_hw);
    tcase_add_test(tc, test_decode_flower_not_in_hw);
    tcase_add_test(tc, test_decode_matchall_and_other);
    tcase_add_test(tc, test_decode_placeholder);
    tcase_add_test(tc, test_decode_errors);
    tcase_add_test(tc, test_summarize);
    suite_add_tcase(s, tc);
    return s;
}
