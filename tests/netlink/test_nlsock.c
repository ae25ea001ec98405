/* oanl_: error/extack decoding, family resolution codec, attribute walk. */
#include "nltest.h"

#include "oa-netlink/nlsock.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>

/* An NLMSG_ERROR as the kernel sends it.  'echo' bytes of the request
 * payload follow the echoed header unless 'capped'. */
static struct nlmsghdr *
put_error(void *buf, int error, bool capped, size_t echo)
{
    struct nlmsghdr *nlh = nlt_start(buf, NLMSG_ERROR, 0);
    struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof *e);
    e->error = error;
    e->msg.nlmsg_len = (uint32_t)(NLMSG_HDRLEN + echo);
    e->msg.nlmsg_type = 0x1234;
    if (capped) {
        nlh->nlmsg_flags |= NLM_F_CAPPED;
    } else if (echo) {
        /* The echoed payload: bytes that look like attributes to a careless
         * parser. */
        char *p = mnl_nlmsg_put_extra_header(nlh, echo);
        memset(p, 0x01, echo);
    }
    return nlh;
}

START_TEST(test_ack_is_zero)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_error(buf, 0, true, 0);
    struct oanl_extack ext = {"stale"};
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), 0);
    ck_assert_str_eq(ext.msg, "");
}
END_TEST

START_TEST(test_error_with_extack_capped)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_error(buf, -EOPNOTSUPP, true, 0);
    nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
    mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 20);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 7);
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "Inline mode can't be set");
    struct oanl_extack ext;
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), -EOPNOTSUPP);
    ck_assert_str_eq(ext.msg, "Inline mode can't be set");
}
END_TEST

START_TEST(test_error_with_extack_uncapped)
{
    /* Without CAP_ACK the request is echoed; the TLVs follow it. */
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_error(buf, -EBUSY, false, 24);
    nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "device busy");
    struct oanl_extack ext;
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), -EBUSY);
    ck_assert_str_eq(ext.msg, "device busy");
}
END_TEST

START_TEST(test_error_without_tlvs)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_error(buf, -ENODEV, true, 0);
    struct oanl_extack ext;
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), -ENODEV);
    ck_assert_str_eq(ext.msg, "");
    ck_assert_int_eq(oanl_decode_error(nlh, NULL), -ENODEV);
}
END_TEST

START_TEST(test_error_long_message_is_cut)
{
    char buf[NLT_BUF], longmsg[600];
    memset(longmsg, 'x', sizeof longmsg - 1);
    longmsg[sizeof longmsg - 1] = '\0';
    struct nlmsghdr *nlh = put_error(buf, -EINVAL, true, 0);
    nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, longmsg);
    struct oanl_extack ext;
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), -EINVAL);
    ck_assert_uint_eq(strlen(ext.msg), OANL_MSG_MAX - 1);
}
END_TEST

START_TEST(test_error_truncated)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_error(buf, -EINVAL, true, 0);
    nlh->nlmsg_len = NLMSG_HDRLEN + 2; /* cut inside struct nlmsgerr */
    ck_assert_int_eq(oanl_decode_error(nlh, NULL), -EBADMSG);

    /* An extack TLV cut short: the error still wins. */
    nlh = put_error(buf, -EINVAL, true, 0);
    nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "some text here");
    nlh->nlmsg_len -= 8;
    ck_assert_int_eq(oanl_decode_error(nlh, NULL), -EINVAL);
}
END_TEST

START_TEST(test_done_with_error)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = nlt_start(buf, NLMSG_DONE, 0);
    int *err = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
    *err = -EMSGSIZE;
    nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
    mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "dump failed");
    struct oanl_extack ext;
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), -EMSGSIZE);
    ck_assert_str_eq(ext.msg, "dump failed");

    nlh = nlt_start(buf, NLMSG_DONE, 0); /* old kernels: empty DONE */
    ck_assert_int_eq(oanl_decode_error(nlh, &ext), 0);
}
END_TEST

START_TEST(test_getfamily_encode)
{
    char buf[NLT_BUF];
    int len = oanl_encode_getfamily(buf, sizeof buf, "devlink");
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_len, len);
    ck_assert_int_eq(nlh->nlmsg_type, GENL_ID_CTRL);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, CTRL_CMD_GETFAMILY);
    const struct nlattr *a =
        nlt_find_msg(nlh, sizeof *g, CTRL_ATTR_FAMILY_NAME);
    ck_assert_ptr_nonnull(a);
    ck_assert_str_eq(mnl_attr_get_str(a), "devlink");
    ck_assert_int_eq(oanl_encode_getfamily(buf, 20, "devlink"), -ENOSPC);
}
END_TEST

static struct nlmsghdr *
put_family_reply(void *buf)
{
    struct nlmsghdr *nlh =
        nlt_start(buf, GENL_ID_CTRL, sizeof(struct genlmsghdr));
    struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    g->cmd = CTRL_CMD_NEWFAMILY;
    mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "devlink");
    mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 27);
    mnl_attr_put_u32(nlh, CTRL_ATTR_VERSION, 1);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 99);
    struct nlattr *groups = mnl_attr_nest_start(nlh, CTRL_ATTR_MCAST_GROUPS);
    struct nlattr *g1 = mnl_attr_nest_start(nlh, 1);
    mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 5);
    mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "config");
    mnl_attr_nest_end(nlh, g1);
    struct nlattr *g2 = mnl_attr_nest_start(nlh, 2);
    mnl_attr_put_strz(nlh, CTRL_ATTR_MCAST_GRP_NAME, "monitor");
    mnl_attr_put_u32(nlh, CTRL_ATTR_MCAST_GRP_ID, 6);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 1);
    mnl_attr_nest_end(nlh, g2);
    mnl_attr_nest_end(nlh, groups);
    return nlh;
}

START_TEST(test_family_decode)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_family_reply(buf);
    struct oanl_genl_family f;
    ck_assert_int_eq(oanl_decode_family(nlh, &f), 0);
    ck_assert_int_eq(f.id, 27);
    ck_assert_str_eq(f.name, "devlink");
    ck_assert_uint_eq(f.version, 1);
    ck_assert_uint_eq(f.n_groups, 2);
    ck_assert_int_eq(oanl_family_group(&f, "config"), 5);
    ck_assert_int_eq(oanl_family_group(&f, "monitor"), 6);
    ck_assert_int_eq(oanl_family_group(&f, "nope"), -ENOENT);
}
END_TEST

START_TEST(test_family_decode_truncated)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_family_reply(buf);
    struct oanl_genl_family f;
    uint32_t full = nlh->nlmsg_len;
    const struct nlattr *groups =
        nlt_find_msg(nlh, sizeof(struct genlmsghdr), CTRL_ATTR_MCAST_GROUPS);
    ck_assert_ptr_nonnull(groups);
    uint32_t gstart = (uint32_t)((const char *)groups - buf);
    /* The groups nest is the last attribute: every cut inside it must fail
     * cleanly, never read past nlmsg_len (ASan watches), never succeed with
     * a partial group. */
    for (uint32_t len = gstart + 1; len < full; len++) {
        nlh->nlmsg_len = len;
        ck_assert_int_eq(oanl_decode_family(nlh, &f), -EBADMSG);
    }
    /* Any other cut: a clean answer either way, no crash. */
    for (uint32_t len = NLMSG_HDRLEN; len < gstart; len++) {
        nlh->nlmsg_len = len;
        int r = oanl_decode_family(nlh, &f);
        ck_assert(r == 0 || r == -EBADMSG);
    }
    nlh->nlmsg_len = NLMSG_HDRLEN + 2; /* inside the genl header */
    ck_assert_int_eq(oanl_decode_family(nlh, &f), -EBADMSG);
}
END_TEST

static int
count_cb(const struct nlattr *a, void *data)
{
    (*(int *)data)++;
    return 0;
}

START_TEST(test_attr_walk_bounds)
{
    uint8_t raw[64];
    struct nlattr *a = (struct nlattr *)raw;
    int count = 0;

    a->nla_len = 8;
    a->nla_type = 1;
    ck_assert_int_eq(oanl_attr_walk(raw, 8, count_cb, &count), 0);
    ck_assert_int_eq(count, 1);

    a->nla_len = 12; /* claims more than the 8 bytes given */
    ck_assert_int_eq(oanl_attr_walk(raw, 8, count_cb, &count), -EBADMSG);

    a->nla_len = 2; /* shorter than its own header */
    ck_assert_int_eq(oanl_attr_walk(raw, 8, count_cb, &count), -EBADMSG);

    a->nla_len = 8; /* two stray bytes after a good attribute */
    ck_assert_int_eq(oanl_attr_walk(raw, 10, count_cb, &count), -EBADMSG);

    ck_assert_int_eq(oanl_attr_walk(raw, 0, count_cb, &count), 0);
}
END_TEST

START_TEST(test_attr_getters)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = nlt_start(buf, 100, 0);
    mnl_attr_put_u16(nlh, 1, 0xbeef);
    const struct nlattr *a = mnl_nlmsg_get_payload(nlh);
    uint16_t v16;
    uint32_t v32;
    ck_assert_int_eq(oanl_attr_u16(a, &v16), 0);
    ck_assert_uint_eq(v16, 0xbeef);
    ck_assert_int_eq(oanl_attr_u32(a, &v32), -EBADMSG); /* too short */

    nlh = nlt_start(buf, 100, 0);
    mnl_attr_put_strz(nlh, 2, "abcdef");
    a = mnl_nlmsg_get_payload(nlh);
    char s[7], small[4];
    ck_assert_int_eq(oanl_attr_str(a, s, sizeof s), 0);
    ck_assert_str_eq(s, "abcdef");
    ck_assert_int_eq(oanl_attr_str(a, small, sizeof small), -EBADMSG);

    /* Nested flag bits are masked off the type. */
    nlh = nlt_start(buf, 100, 0);
    struct nlattr *n = mnl_attr_nest_start(nlh, 9);
    mnl_attr_nest_end(nlh, n);
    ck_assert_int_eq(oanl_attr_type(mnl_nlmsg_get_payload(nlh)), 9);
}
END_TEST

Suite *
nlsock_suite(void)
{
    Suite *s = suite_create("nlsock");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_ack_is_zero);
    tcase_add_test(tc, test_error_with_extack_capped);
    tcase_add_test(tc, test_error_with_extack_uncapped);
    tcase_add_test(tc, test_error_without_tlvs);
    tcase_add_test(tc, test_error_long_message_is_cut);
    tcase_add_test(tc, test_error_truncated);
    tcase_add_test(tc, test_done_with_error);
    tcase_add_test(tc, test_getfamily_encode);
    tcase_add_test(tc, test_family_decode);
    tcase_add_test(tc, test_family_decode_truncated);
    tcase_add_test(tc, test_attr_walk_bounds);
    tcase_add_test(tc, test_attr_getters);
    suite_add_tcase(s, tc);
    return s;
}
