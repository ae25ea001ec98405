/* nlev_: classification of notifications. */
#include "nltest.h"

#include "oa-netlink/nlev.h"

#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

START_TEST(test_classify_link)
{
    char buf[NLT_BUF];
    struct nlev_summary sum = {0};
    nlev_classify(NLEV_LINK, nlt_start(buf, RTM_NEWLINK, 16), &sum);
    nlev_classify(NLEV_LINK, nlt_start(buf, RTM_NEWLINK, 16), &sum);
    nlev_classify(NLEV_LINK, nlt_start(buf, RTM_DELLINK, 16), &sum);
    nlev_classify(NLEV_LINK, nlt_start(buf, RTM_NEWADDR, 16), &sum);
    ck_assert_uint_eq(sum.events, 4);
    ck_assert_uint_eq(sum.link_new, 2);
    ck_assert_uint_eq(sum.link_del, 1);
    ck_assert_uint_eq(sum.other, 1);
    ck_assert_uint_eq(sum.port_new, 0);
    ck_assert(!sum.resync);
}
END_TEST

/* RTM_NEWLINK for 'ifindex', named 'name' (NULL: no IFLA_IFNAME). */
static struct nlmsghdr *
link_msg(void *buf, uint16_t type, int ifindex, const char *name)
{
    struct nlmsghdr *nlh = nlt_start(buf, type, sizeof(struct ifinfomsg));
    ((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index = ifindex;
    if (name) {
        mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
    }
    return nlh;
}

START_TEST(test_classify_link_identity)
{
    char buf[NLT_BUF];
    struct nlev_summary sum = {0};
    nlev_classify(NLEV_LINK, link_msg(buf, RTM_NEWLINK, 7, "eth1"), &sum);
    nlev_classify(NLEV_LINK, link_msg(buf, RTM_NEWLINK, 7, NULL), &sum);
    nlev_classify(NLEV_LINK, link_msg(buf, RTM_DELLINK, 9, "veth0"), &sum);
    ck_assert_uint_eq(sum.n_links, 2);
    ck_assert_int_eq(sum.links[0].ifindex, 7);
    ck_assert_str_eq(sum.links[0].name, "eth1");
    ck_assert_int_eq(sum.links[1].ifindex, 9);
    ck_assert_str_eq(sum.links[1].name, "veth0");
    ck_assert(!sum.links_overflow);

    /* Too short to carry an ifinfomsg: "some link", unknown. */
    nlev_classify(NLEV_LINK, nlt_start(buf, RTM_NEWLINK, 0), &sum);
    ck_assert(sum.links_overflow);

    struct nlev_summary many = {0};
    for (int i = 1; i <= NLEV_MAX_LINKS + 1; i++) {
        nlev_classify(NLEV_LINK, link_msg(buf, RTM_NEWLINK, i, "x"), &many);
    }
    ck_assert_uint_eq(many.n_links, NLEV_MAX_LINKS);
    ck_assert(many.links_overflow);
}
END_TEST

START_TEST(test_classify_tc)
{
    char buf[NLT_BUF];
    struct nlev_summary sum = {0};
    nlev_classify(NLEV_TC, nlt_start(buf, RTM_NEWTFILTER, 16), &sum);
    nlev_classify(NLEV_TC, nlt_start(buf, RTM_DELTFILTER, 16), &sum);
    nlev_classify(NLEV_TC, nlt_start(buf, RTM_NEWQDISC, 16), &sum);
    ck_assert_uint_eq(sum.events, 3);
    ck_assert_uint_eq(sum.tc_filter, 2);
    ck_assert_uint_eq(sum.other, 1);
    ck_assert_uint_eq(sum.link_new + sum.link_del + sum.n_links, 0);
}
END_TEST

static struct nlmsghdr *
devlink_msg(void *buf, uint8_t cmd)
{
    struct nlmsghdr *nlh = nlt_start(buf, 27, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
    return nlh;
}

START_TEST(test_classify_devlink)
{
    char buf[NLT_BUF];
    struct nlev_summary sum = {0};
    nlev_classify(NLEV_DEVLINK, devlink_msg(buf, DEVLINK_CMD_PORT_NEW), &sum);
    nlev_classify(NLEV_DEVLINK, devlink_msg(buf, DEVLINK_CMD_PORT_DEL), &sum);
    nlev_classify(NLEV_DEVLINK, devlink_msg(buf, DEVLINK_CMD_NEW), &sum);
    nlev_classify(NLEV_DEVLINK, devlink_msg(buf, DEVLINK_CMD_DEL), &sum);
    nlev_classify(NLEV_DEVLINK, devlink_msg(buf, DEVLINK_CMD_TRAP_NEW), &sum);
    struct nlmsghdr *cut = devlink_msg(buf, DEVLINK_CMD_PORT_NEW);
    cut->nlmsg_len = MNL_NLMSG_HDRLEN + 1; /* no room for the genl header */
    nlev_classify(NLEV_DEVLINK, cut, &sum);
    ck_assert_uint_eq(sum.events, 6);
    ck_assert_uint_eq(sum.port_new, 1);
    ck_assert_uint_eq(sum.port_del, 1);
    ck_assert_uint_eq(sum.dev_new, 1);
    ck_assert_uint_eq(sum.dev_del, 1);
    ck_assert_uint_eq(sum.other, 2);
}
END_TEST

static long long
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* nlev_wait() on a real link-event socket (joining RTNLGRP_LINK needs no
 * privilege). No link is changed: it times out, unless the host happens
 * to change a link meanwhile, which ends the wait early and is fine. */
START_TEST(test_wait_times_out)
{
    struct nlev_source *src;
    int r = nlev_open(NLEV_LINK, &src);
    if (r) {
        fprintf(stderr, "nlev_wait: no netlink socket here (%s): skipped\n",
                strerror(-r));
        return;
    }
    struct nlev_summary sum = {0};
    long long start = now_ms();
    r = nlev_wait(&src, 1, 50, &sum);
    long long took = now_ms() - start;
    ck_assert_int_ge(r, 0);
    ck_assert_uint_eq(sum.events, (size_t)r);
    ck_assert_int_lt(took, 5000);
    if (r == 0) {
        ck_assert_int_ge(took, 40);
    }
    /* A zero timeout does not block; NULL: the counts are not wanted. */
    ck_assert_int_ge(nlev_wait(&src, 1, 0, NULL), 0);
    nlev_close(src);
}
END_TEST

START_TEST(test_wait_bounds)
{
    struct nlev_source *srcs[NLEV_WAIT_MAX + 1] = {0};
    ck_assert_int_eq(nlev_wait(srcs, NLEV_WAIT_MAX + 1, 0, NULL), -EINVAL);
    /* No source: a bounded sleep that reads nothing. */
    long long start = now_ms();
    ck_assert_int_eq(nlev_wait(NULL, 0, 20, NULL), 0);
    ck_assert_int_ge(now_ms() - start, 15);
}
END_TEST

Suite *
nlev_suite(void)
{
    Suite *s = suite_create("nlev");
    TCase *tc = tcase_create("classify");
    tcase_add_test(tc, test_classify_link);
    tcase_add_test(tc, test_classify_link_identity);
    tcase_add_test(tc, test_classify_devlink);
    tcase_add_test(tc, test_classify_tc);
    suite_add_tcase(s, tc);
    tc = tcase_create("wait");
    tcase_add_test(tc, test_wait_times_out);
    tcase_add_test(tc, test_wait_bounds);
    suite_add_tcase(s, tc);
    return s;
}
