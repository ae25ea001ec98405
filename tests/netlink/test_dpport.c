/* dpport_: the OVS datapath requests (dump of datapaths and vports, delete
 * by port number) and the vport replies a renamed netdev is found in. */
#include "nltest.h"

#include "oa-netlink/dpport.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/openvswitch.h>
#include <string.h>

#define FAM 33
#define HDR (MNL_ALIGN(sizeof(struct genlmsghdr)) + sizeof(struct ovs_header))

static const struct ovs_header *
ovs_hdr(const struct nlmsghdr *nlh)
{
    return (const void *)((const char *)mnl_nlmsg_get_payload(nlh) +
                          MNL_ALIGN(sizeof(struct genlmsghdr)));
}

START_TEST(test_encode_dumps)
{
    char buf[NLT_BUF];
    int len = dpport_encode_dp_dump(buf, sizeof buf, FAM, 2);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert(nlh->nlmsg_flags & NLM_F_DUMP);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, OVS_DP_CMD_GET);
    ck_assert_int_eq(g->version, 2);
    ck_assert_int_eq((size_t)len, MNL_NLMSG_HDRLEN + HDR);

    len = dpport_encode_vport_dump(buf, sizeof buf, FAM, 1, 7);
    ck_assert_int_gt(len, 0);
    ck_assert(nlh->nlmsg_flags & NLM_F_DUMP);
    ck_assert_int_eq(g->cmd, OVS_VPORT_CMD_GET);
    ck_assert_int_eq(ovs_hdr(nlh)->dp_ifindex, 7);
    /* No room for the ovs_header: refused, not truncated. */
    ck_assert_int_eq(
        dpport_encode_vport_dump(buf, MNL_NLMSG_HDRLEN + 4 + 2, FAM, 1, 7),
        -ENOSPC);
}
END_TEST

START_TEST(test_encode_del_by_port_number)
{
    char buf[NLT_BUF];
    struct dpport p = {.dp_ifindex = 5, .port_no = 3, .name = "vfrep1"};
    int len = dpport_encode_vport_del(buf, sizeof buf, FAM, 1, &p);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert(!(nlh->nlmsg_flags & NLM_F_DUMP));
    ck_assert_int_eq(
        ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd,
        OVS_VPORT_CMD_DEL);
    ck_assert_int_eq(ovs_hdr(nlh)->dp_ifindex, 5);
    const struct nlattr *a = nlt_find_msg(nlh, HDR, OVS_VPORT_ATTR_PORT_NO);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(mnl_attr_get_u32(a), 3);
    /* By number only: the kernel would look a name up under the name the
     * vport had when added, and miss a renamed one. */
    ck_assert_ptr_null(nlt_find_msg(nlh, HDR, OVS_VPORT_ATTR_NAME));
}
END_TEST

static struct nlmsghdr *
vport_msg(void *buf, int dp_ifindex)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, HDR);
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = OVS_VPORT_CMD_NEW;
    ((struct ovs_header *)((char *)mnl_nlmsg_get_payload(nlh) +
                           MNL_ALIGN(sizeof(struct genlmsghdr))))
        ->dp_ifindex = dp_ifindex;
    return nlh;
}

START_TEST(test_decode_vport)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = vport_msg(buf, 9);
    mnl_attr_put_u32(nlh, OVS_VPORT_ATTR_PORT_NO, 4);
    mnl_attr_put_u32(nlh, OVS_VPORT_ATTR_TYPE, OVS_VPORT_TYPE_NETDEV);
    mnl_attr_put_strz(nlh, OVS_VPORT_ATTR_NAME, "vfrep1");
    mnl_attr_put_u32(nlh, OVS_VPORT_ATTR_UPCALL_PID, 77); /* skipped */
    struct dpport p;
    ck_assert_int_eq(dpport_decode_vport(nlh, &p), 0);
    ck_assert_int_eq(p.dp_ifindex, 9);
    ck_assert_uint_eq(p.port_no, 4);
    ck_assert_uint_eq(p.type, OVS_VPORT_TYPE_NETDEV);
    ck_assert_str_eq(p.name, "vfrep1");

    int dp = 0;
    ck_assert_int_eq(dpport_decode_dp(nlh, &dp), 0);
    ck_assert_int_eq(dp, 9);
}
END_TEST

START_TEST(test_decode_vport_refuses_incomplete)
{
    char buf[NLT_BUF];
    struct dpport p;
    /* No name: the match would be on garbage. */
    struct nlmsghdr *nlh = vport_msg(buf, 9);
    mnl_attr_put_u32(nlh, OVS_VPORT_ATTR_PORT_NO, 4);
    ck_assert_int_eq(dpport_decode_vport(nlh, &p), -EBADMSG);
    /* No port number: nothing to delete it by. */
    nlh = vport_msg(buf, 9);
    mnl_attr_put_strz(nlh, OVS_VPORT_ATTR_NAME, "vfrep1");
    ck_assert_int_eq(dpport_decode_vport(nlh, &p), -EBADMSG);
    /* A name longer than IFNAMSIZ. */
    nlh = vport_msg(buf, 9);
    mnl_attr_put_u32(nlh, OVS_VPORT_ATTR_PORT_NO, 4);
    mnl_attr_put_strz(nlh, OVS_VPORT_ATTR_NAME,
                      "a-name-far-too-long-for-ifnamsiz");
    ck_assert_int_eq(dpport_decode_vport(nlh, &p), -EBADMSG);
    /* Truncated before the ovs_header ends. */
    nlh = vport_msg(buf, 9);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 6;
    ck_assert_int_eq(dpport_decode_vport(nlh, &p), -EBADMSG);
    int dp;
    ck_assert_int_eq(dpport_decode_dp(nlh, &dp), -EBADMSG);
}
END_TEST

START_TEST(test_del_refuses_local_port)
{
    struct dpport p = {.dp_ifindex = 5, .port_no = OVSP_LOCAL};
    ck_assert_int_eq(dpport_del(&p, NULL), -EINVAL);
}
END_TEST

Suite *
dpport_suite(void)
{
    Suite *s = suite_create("dpport");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_dumps);
    tcase_add_test(tc, test_encode_del_by_port_number);
    tcase_add_test(tc, test_decode_vport);
    tcase_add_test(tc, test_decode_vport_refuses_incomplete);
    tcase_add_test(tc, test_del_refuses_local_port);
    suite_add_tcase(s, tc);
    return s;
}
