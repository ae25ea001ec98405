/* devlink_ info: the INFO_GET request, and which running version of a
 * reply is taken as the firmware. */
#include "nltest.h"

#include "oa-netlink/devlink-info.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <string.h>

#define FAM 27

START_TEST(test_encode_info_get)
{
    char buf[NLT_BUF];
    struct devlink_handle h = {"pci", "0000:08:00.0"};
    int len = devlink_encode_info_get(buf, sizeof buf, FAM, &h);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert(!(nlh->nlmsg_flags & NLM_F_DUMP));
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, DEVLINK_CMD_INFO_GET);
    size_t gl = sizeof(struct genlmsghdr);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_BUS_NAME)), "pci");
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_DEV_NAME)),
        "0000:08:00.0");
    ck_assert_int_eq(devlink_encode_info_get(buf, 30, FAM, &h), -ENOSPC);
}
END_TEST

static struct nlmsghdr *
info_start(void *buf, const char *driver)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_INFO_GET;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:08:00.0");
    if (driver) {
        mnl_attr_put_strz(nlh, DEVLINK_ATTR_INFO_DRIVER_NAME, driver);
    }
    return nlh;
}

/* A version nest of 'type' (fixed, running, stored); NULL name or value:
 * left out. */
static void
put_version(struct nlmsghdr *nlh, uint16_t type, const char *name,
            const char *value)
{
    struct nlattr *n = mnl_attr_nest_start(nlh, type);
    if (name) {
        mnl_attr_put_strz(nlh, DEVLINK_ATTR_INFO_VERSION_NAME, name);
    }
    if (value) {
        mnl_attr_put_strz(nlh, DEVLINK_ATTR_INFO_VERSION_VALUE, value);
    }
    mnl_attr_nest_end(nlh, n);
}

START_TEST(test_decode_info_mlx5)
{
    /* As mlx5_devlink_info_get() sends it (ConnectX-6 Dx): fixed PSID,
     * then running and stored "fw.version" and "fw". */
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = info_start(buf, "mlx5_core");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_INFO_SERIAL_NUMBER, "MT2116X09299");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_FIXED, "fw.psid",
                "MT_0000000359");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw", "22.35.1012");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.version",
                "22.35.1012 (MT_0000000359)");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_STORED, "fw.version",
                "22.36.1010");
    mnl_attr_put_u64(nlh, NLT_UNKNOWN_TYPE, 7); /* newer than our headers */
    struct devlink_handle h;
    struct devlink_info info;
    ck_assert_int_eq(devlink_decode_info(nlh, &h, &info), 0);
    ck_assert_str_eq(h.bus, "pci");
    ck_assert_str_eq(h.dev, "0000:08:00.0");
    ck_assert_str_eq(info.driver, "mlx5_core");
    /* The running one, "fw.version" before "fw": not the stored one. */
    ck_assert_str_eq(info.firmware, "22.35.1012 (MT_0000000359)");
    ck_assert_str_eq(info.firmware_name, "fw.version");
}
END_TEST

START_TEST(test_decode_info_preference)
{
    char buf[NLT_BUF];
    struct devlink_info info;

    /* "fw" before any other running version. */
    struct nlmsghdr *nlh = info_start(buf, "ice");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.mgmt", "7.0.4");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw", "4.20");
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), 0);
    ck_assert_str_eq(info.firmware, "4.20");
    ck_assert_str_eq(info.firmware_name, "fw");

    /* Neither: the first running version. */
    nlh = info_start(buf, "netdevsim");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_STORED, "fw.mgmt", "1.0.0");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.mgmt", "10.20.30");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.app", "1.2.3");
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), 0);
    ck_assert_str_eq(info.driver, "netdevsim");
    ck_assert_str_eq(info.firmware, "10.20.30");
    ck_assert_str_eq(info.firmware_name, "fw.mgmt");

    /* None running (stored only), no driver name: both empty. */
    nlh = info_start(buf, NULL);
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_STORED, "fw", "1.0");
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), 0);
    ck_assert_str_eq(info.driver, "");
    ck_assert_str_eq(info.firmware, "");
    ck_assert_str_eq(info.firmware_name, "");

    /* A version too long for our fields is passed over, not an error. */
    char long_value[200];
    memset(long_value, 'x', sizeof long_value - 1);
    long_value[sizeof long_value - 1] = '\0';
    nlh = info_start(buf, "x");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.version",
                long_value);
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.bundle", "9");
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), 0);
    ck_assert_str_eq(info.firmware, "9");
}
END_TEST

START_TEST(test_decode_info_errors)
{
    char buf[NLT_BUF];
    struct devlink_info info;

    /* Another command. */
    struct nlmsghdr *nlh = info_start(buf, "mlx5_core");
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_ESWITCH_GET;
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), -EPROTO);

    /* A running version without its value. */
    nlh = info_start(buf, "mlx5_core");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, "fw.version", NULL);
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), -EBADMSG);
    ck_assert_str_eq(info.driver, ""); /* nothing half-filled */

    /* ... or its name. */
    nlh = info_start(buf, "mlx5_core");
    put_version(nlh, DEVLINK_ATTR_INFO_VERSION_RUNNING, NULL, "1.0");
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), -EBADMSG);

    /* A driver name longer than the field. */
    char long_name[64];
    memset(long_name, 'd', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = '\0';
    nlh = info_start(buf, long_name);
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), -EBADMSG);

    /* Truncated: shorter than its headers; an attribute cut short. */
    nlh = info_start(buf, "mlx5_core");
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), -EBADMSG);
    nlh = info_start(buf, "mlx5_core");
    nlh->nlmsg_len -= 3;
    ck_assert_int_eq(devlink_decode_info(nlh, NULL, &info), -EBADMSG);
}
END_TEST

Suite *
devlink_info_suite(void)
{
    Suite *s = suite_create("devlink-info");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_info_get);
    tcase_add_test(tc, test_decode_info_mlx5);
    tcase_add_test(tc, test_decode_info_preference);
    tcase_add_test(tc, test_decode_info_errors);
    suite_add_tcase(s, tc);
    return s;
}
