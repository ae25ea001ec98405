/* devlink_ health: the reporter dump request, and what a reply says about
 * a reporter (state, counts, recovery, per-port). */
#include "nltest.h"

#include "oa-netlink/devlink-health.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <string.h>

#define FAM     27
#define HEALTHY 0 /* the kernel's states, not in the uapi headers */
#define ERROR   1

START_TEST(test_encode_health_dump)
{
    char buf[NLT_BUF];
    int len = devlink_encode_health_dump(buf, sizeof buf, FAM);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert((nlh->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, DEVLINK_CMD_HEALTH_REPORTER_GET);
    ck_assert_int_eq(devlink_encode_health_dump(buf, 8, FAM), -ENOSPC);
}
END_TEST

struct rep_attrs {
    const char *name; /* NULL: left out */
    int state;        /* -1: left out */
    uint64_t errors, recoveries;
    int auto_recover; /* -1: left out (a reporter that cannot recover) */
    int port;         /* -1: a device reporter */
};

static struct nlmsghdr *
reporter_msg(void *buf, uint8_t cmd, const struct rep_attrs *a)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:08:00.0");
    if (a->port >= 0) {
        mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, (uint32_t)a->port);
    }
    struct nlattr *n = mnl_attr_nest_start(nlh, DEVLINK_ATTR_HEALTH_REPORTER);
    if (a->name) {
        mnl_attr_put_strz(nlh, DEVLINK_ATTR_HEALTH_REPORTER_NAME, a->name);
    }
    if (a->state >= 0) {
        mnl_attr_put_u8(nlh, DEVLINK_ATTR_HEALTH_REPORTER_STATE,
                        (uint8_t)a->state);
    }
    mnl_attr_put_u64(nlh, DEVLINK_ATTR_HEALTH_REPORTER_ERR_COUNT, a->errors);
    mnl_attr_put_u64(nlh, DEVLINK_ATTR_HEALTH_REPORTER_RECOVER_COUNT,
                     a->recoveries);
    if (a->auto_recover >= 0) {
        mnl_attr_put_u64(nlh, DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD,
                         500);
        mnl_attr_put_u8(nlh, DEVLINK_ATTR_HEALTH_REPORTER_AUTO_RECOVER,
                        (uint8_t)a->auto_recover);
    }
    mnl_attr_put_u8(nlh, NLT_UNKNOWN_TYPE, 1); /* newer: skipped */
    mnl_attr_nest_end(nlh, n);
    return nlh;
}

START_TEST(test_decode_health_error)
{
    char buf[NLT_BUF];
    struct rep_attrs a = {"fw_fatal", ERROR, 3, 2, 1, -1};
    struct devlink_health_reporter r;
    ck_assert_int_eq(
        devlink_decode_health(
            reporter_msg(buf, DEVLINK_CMD_HEALTH_REPORTER_GET, &a), &r),
        0);
    ck_assert_str_eq(r.dev.bus, "pci");
    ck_assert_str_eq(r.dev.dev, "0000:08:00.0");
    ck_assert(!r.has_port);
    ck_assert_str_eq(r.name, "fw_fatal");
    ck_assert(r.error);
    ck_assert_uint_eq(r.errors, 3);
    ck_assert_uint_eq(r.recoveries, 2);
    ck_assert(r.has_auto_recover && r.auto_recover);
    ck_assert_uint_eq(r.grace_period_ms, 500);
}
END_TEST

START_TEST(test_decode_health_port_healthy)
{
    char buf[NLT_BUF];
    struct rep_attrs a = {"tx", HEALTHY, 0, 0, -1, 65535};
    struct devlink_health_reporter r;
    ck_assert_int_eq(
        devlink_decode_health(
            reporter_msg(buf, DEVLINK_CMD_HEALTH_REPORTER_GET, &a), &r),
        0);
    ck_assert(r.has_port);
    ck_assert_uint_eq(r.port, 65535);
    ck_assert(!r.error);
    ck_assert(!r.has_auto_recover);
}
END_TEST

START_TEST(test_decode_health_errors)
{
    char buf[NLT_BUF];
    struct devlink_health_reporter r;
    struct rep_attrs ok = {"rx", 0, 0, 0, 1, -1};

    /* Another command. */
    ck_assert_int_eq(
        devlink_decode_health(reporter_msg(buf, DEVLINK_CMD_GET, &ok), &r),
        -EPROTO);
    /* No name; no state: the kernel always sends both. */
    struct rep_attrs no_name = ok, no_state = ok;
    no_name.name = NULL;
    no_state.state = -1;
    ck_assert_int_eq(
        devlink_decode_health(
            reporter_msg(buf, DEVLINK_CMD_HEALTH_REPORTER_GET, &no_name), &r),
        -EBADMSG);
    ck_assert_str_eq(r.dev.bus, ""); /* nothing half-filled */
    ck_assert_int_eq(
        devlink_decode_health(
            reporter_msg(buf, DEVLINK_CMD_HEALTH_REPORTER_GET, &no_state), &r),
        -EBADMSG);
    /* A name longer than the field. */
    char long_name[64];
    memset(long_name, 'r', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    struct rep_attrs longn = ok;
    longn.name = long_name;
    ck_assert_int_eq(
        devlink_decode_health(
            reporter_msg(buf, DEVLINK_CMD_HEALTH_REPORTER_GET, &longn), &r),
        -EBADMSG);
    /* Truncated: an attribute cut short; shorter than its headers. */
    struct nlmsghdr *nlh =
        reporter_msg(buf, DEVLINK_CMD_HEALTH_REPORTER_GET, &ok);
    nlh->nlmsg_len -= 3;
    ck_assert_int_eq(devlink_decode_health(nlh, &r), -EBADMSG);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
    ck_assert_int_eq(devlink_decode_health(nlh, &r), -EBADMSG);
}
END_TEST

Suite *
devlink_health_suite(void)
{
    Suite *s = suite_create("devlink-health");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_health_dump);
    tcase_add_test(tc, test_decode_health_error);
    tcase_add_test(tc, test_decode_health_port_healthy);
    tcase_add_test(tc, test_decode_health_errors);
    suite_add_tcase(s, tc);
    return s;
}
