/* uevent_: parsing and counting the kernel's uevent datagrams. */
#include "nltest.h"

#include "oa-netlink/uevent.h"

#include <errno.h>
#include <string.h>

/* A datagram as the kernel sends it: NUL-separated, NUL-terminated
 * (sizeof of a literal keeps the final NUL). */
#define DGRAM(s) s, sizeof(s)

static const char vdpa_add[] = "add@/devices/vdpa0\0"
                               "ACTION=add\0"
                               "DEVPATH=/devices/vdpa0\0"
                               "SUBSYSTEM=vdpa\0"
                               "SEQNUM=2911";

START_TEST(test_parse_add)
{
    struct uevent_msg m;
    ck_assert_int_eq(uevent_parse(DGRAM(vdpa_add), &m), 0);
    ck_assert_str_eq(m.action, "add");
    ck_assert_str_eq(m.subsystem, "vdpa");
    ck_assert_str_eq(m.devpath, "/devices/vdpa0");
    ck_assert_str_eq(m.driver, "");
    ck_assert_str_eq(uevent_devname(&m), "vdpa0");
}
END_TEST

START_TEST(test_parse_bind)
{
    static const char b[] = "bind@/devices/virtual/vdpa/vm1\0"
                            "ACTION=bind\0"
                            "DEVPATH=/devices/virtual/vdpa/vm1\0"
                            "SUBSYSTEM=vdpa\0"
                            "DRIVER=virtio_vdpa\0"
                            "SEQNUM=7";
    struct uevent_msg m;
    ck_assert_int_eq(uevent_parse(DGRAM(b), &m), 0);
    ck_assert_str_eq(m.action, "bind");
    ck_assert_str_eq(m.driver, "virtio_vdpa");
    ck_assert_str_eq(uevent_devname(&m), "vm1");
}
END_TEST

/* The last entry without its NUL is read up to the length, not past. */
START_TEST(test_parse_unterminated)
{
    static const char b[] = "remove@/devices/x\0SUBSYSTEM=vdpa";
    struct uevent_msg m;
    ck_assert_int_eq(uevent_parse(b, sizeof b - 1, &m), 0);
    ck_assert_str_eq(m.subsystem, "vdpa");
    /* Cut inside the value: what is there is the value. */
    ck_assert_int_eq(uevent_parse(b, sizeof b - 3, &m), 0);
    ck_assert_str_eq(m.subsystem, "vd");
    /* Only the header, without its NUL. */
    ck_assert_int_eq(uevent_parse(b, 9, &m), 0);
    ck_assert_str_eq(m.action, "remove");
    ck_assert_str_eq(m.devpath, "/d");
    ck_assert_str_eq(m.subsystem, "");
}
END_TEST

START_TEST(test_parse_rejects)
{
    struct uevent_msg m;
    /* udevd's re-broadcast (group 2) starts with its own header. */
    static const char udev[] = "libudev\0\xfe\xed\xca\xfe";
    ck_assert_int_eq(uevent_parse(DGRAM(udev), &m), -EINVAL);
    ck_assert_int_eq(uevent_parse("", 0, &m), -EINVAL);
    ck_assert_int_eq(uevent_parse(DGRAM("@/devices/x"), &m), -EINVAL);
    ck_assert_int_eq(uevent_parse(DGRAM("add"), &m), -EINVAL);
    /* The '@' only after the header's NUL does not make a header. */
    ck_assert_int_eq(uevent_parse(DGRAM("add\0@x"), &m), -EINVAL);
    /* A header that ACTION= contradicts. */
    ck_assert_int_eq(
        uevent_parse(DGRAM("add@/d\0ACTION=remove\0SUBSYSTEM=vdpa"), &m),
        -EINVAL);
    ck_assert_int_eq(uevent_parse(DGRAM("add@/d\0ACTION=ad"), &m), -EINVAL);
    /* Too long for its field. */
    ck_assert_int_eq(uevent_parse(DGRAM("averyveryverylongaction@/d"), &m),
                     -EINVAL);
    char big[700] = "add@/d";
    char *p = big + sizeof "add@/d";
    memcpy(p, "SUBSYSTEM=", 10);
    memset(p + 10, 'v', 40);
    ck_assert_int_eq(uevent_parse(big, sizeof "add@/d" + 50, &m), -EINVAL);
    ck_assert_str_eq(m.action, ""); /* nothing half-filled */
    memcpy(p, "DEVPATH=", 8);
    memset(p + 8, 'v', 600);
    ck_assert_int_eq(uevent_parse(big, sizeof big, &m), -EINVAL);
}
END_TEST

/* Entries without '=' and unknown keys are skipped, empty ones too. */
START_TEST(test_parse_tolerates)
{
    struct uevent_msg m;
    static const char b[] = "change@/devices/y\0\0junk\0MODALIAS=vdpa:x\0"
                            "SUBSYSTEM=vdpa\0ACTION=change\0";
    ck_assert_int_eq(uevent_parse(DGRAM(b), &m), 0);
    ck_assert_str_eq(m.subsystem, "vdpa");
    ck_assert_str_eq(m.action, "change");
    ck_assert_str_eq(uevent_devname(&m), "y");
}
END_TEST

START_TEST(test_count)
{
    struct uevent_summary sum;
    memset(&sum, 0, sizeof sum);
    uevent_count(DGRAM(vdpa_add), "vdpa", &sum);
    uevent_count(DGRAM("add@/devices/net/eth9\0SUBSYSTEM=net"), "vdpa", &sum);
    uevent_count(DGRAM("remove@/devices/vm1\0SUBSYSTEM=vdpa"), "vdpa", &sum);
    uevent_count(DGRAM("libudev\0x"), "vdpa", &sum);
    ck_assert_uint_eq(sum.events, 3);
    ck_assert_uint_eq(sum.matched, 2);
    ck_assert_uint_eq(sum.invalid, 1);
    ck_assert_str_eq(sum.last, "remove vm1");
    ck_assert(!sum.resync);
}
END_TEST

Suite *
uevent_suite(void)
{
    Suite *s = suite_create("uevent");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, test_parse_add);
    tcase_add_test(tc, test_parse_bind);
    tcase_add_test(tc, test_parse_unterminated);
    tcase_add_test(tc, test_parse_rejects);
    tcase_add_test(tc, test_parse_tolerates);
    tcase_add_test(tc, test_count);
    suite_add_tcase(s, tc);
    return s;
}
