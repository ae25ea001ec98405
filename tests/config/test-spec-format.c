/* Check suite of the string syntax rules inside config/ (netdev and
 * bridge names, PCI addresses, devlink handles, driver names, OVSDB
 * remotes, MACs), called directly. */
#include "offload/spec.h"
#include "spec-private.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "oa-check.h"

struct format_case {
    const char *(*check)(const char *);
    const char *input;
    bool ok;
};

static const char *
pci(const char *s)
{
    char norm[13];
    return spec_pci_problem(s, norm);
}

static const struct format_case cases[] = {
    {spec_netdev_name_problem, "enp67s0f0", true},
    {spec_netdev_name_problem, "a", true},
    {spec_netdev_name_problem, "abcdefghijklmno", true}, /* 15 */
    {spec_netdev_name_problem, "abcdefghijklmnop", false},
    {spec_netdev_name_problem,
     "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
     "\xc3\xa9\xc3\xa9\xc3\xa9",
     false}, /* 8 characters, 16 bytes */
    {spec_netdev_name_problem, "", false},
    {spec_netdev_name_problem, ".", false},
    {spec_netdev_name_problem, "..", false},
    {spec_netdev_name_problem, "...", true},
    {spec_netdev_name_problem, "a/b", false},
    {spec_netdev_name_problem, "a:b", false},
    {spec_netdev_name_problem, "a\tb", false},
    {spec_netdev_name_problem, "br-\xc3\xa0", false}, /* kernel: 0xa0 */
    {spec_netdev_name_problem, "br-\xc3\xa9", true},
    {spec_netdev_name_problem, "a\x7f", false},
    {pci, "0000:43:00.0", true},
    {pci, "ffff:ff:1f.7", true},
    {pci, "FFFF:FF:1F.7", true},
    {pci, "0000:43:20.0", false},
    {pci, "0000:43:00.8", false},
    {pci, "0000:43:00", false},
    {pci, "0000:43:00.00", false},
    {pci, "000:043:00.0", false},
    {pci, "0000-43-00.0", false},
    {pci, "0000:43:0x.0", false},
    {spec_devlink_problem, "pci/0000:43:00.0", true},
    {spec_devlink_problem, "netdevsim/netdevsim1", true},
    {spec_devlink_problem, "auxiliary/mlx5_core.eth.0", true},
    {spec_devlink_problem, "pci/0000:43:00", false},
    {spec_devlink_problem, "/x", false},
    {spec_devlink_problem, "x/", false},
    {spec_devlink_problem, "x", false},
    {spec_devlink_problem, "a/b/c", false},
    {spec_devlink_problem, "Bus/x", false},
    {spec_devlink_problem, "bus/x y", false},
    {spec_driver_problem, "mlx5_core", true},
    {spec_driver_problem, "vfio-pci", true},
    {spec_driver_problem, "a.b", true},
    {spec_driver_problem, "", false},
    {spec_driver_problem, "..", false},
    {spec_driver_problem, "a/b", false},
    {spec_driver_problem, "a b", false},
    {spec_db_problem, "unix:/run/openvswitch/db.sock", true},
    {spec_db_problem, "tcp:127.0.0.1:6640", true},
    {spec_db_problem, "ssl:[::1]:6640", true},
    {spec_db_problem, "unix:", false},
    {spec_db_problem, "punix:/x", false},
    {spec_db_problem, "/run/openvswitch/db.sock", false},
    {spec_db_problem, "tcp:1.2.3.4: 6640", false},
};

START_TEST(test_format_case)
{
    const struct format_case *fc = &cases[_i];
    const char *why = fc->check(fc->input);

    if (fc->ok) {
        ck_assert_msg(!why, "\"%s\" refused: %s", fc->input, why);
    } else {
        ck_assert_msg(why != NULL, "\"%s\" accepted", fc->input);
    }
}
END_TEST

START_TEST(test_pci_normalised)
{
    char norm[13];
    ck_assert_ptr_null(spec_pci_problem("0000:AF:1F.7", norm));
    ck_assert_str_eq(norm, "0000:af:1f.7");
}
END_TEST

START_TEST(test_mac)
{
    uint8_t mac[6];

    ck_assert(spec_parse_mac("E4:11:22:33:55:6f", mac));
    ck_assert_mem_eq(mac, "\xe4\x11\x22\x33\x55\x6f", 6);
    ck_assert(!spec_parse_mac("e4:11:22:33:55", mac));
    ck_assert(!spec_parse_mac("e4:11:22:33:55:6", mac));
    ck_assert(!spec_parse_mac("e4:11:22:33:55:6fa", mac));
    ck_assert(!spec_parse_mac("e4-11-22-33-55-6f", mac));
    ck_assert(!spec_parse_mac("e4:11:22:33:55:6g", mac));
    ck_assert(!spec_parse_mac("e411:22:33:55:6f:0", mac));

    char buf[18];
    ck_assert_ptr_eq(spec_mac_to_string(mac, buf), buf);
    ck_assert_str_eq(buf, "e4:11:22:33:55:6f");
    ck_assert(spec_parse_mac("02:00:00:00:00:ff", mac));
    ck_assert_str_eq(spec_mac_to_string(mac, buf), "02:00:00:00:00:ff");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("spec-format");
    TCase *tc = tcase_create("format");
    tcase_add_loop_test(tc, test_format_case, 0,
                        sizeof cases / sizeof cases[0]);
    tcase_add_test(tc, test_pci_normalised);
    tcase_add_test(tc, test_mac);
    suite_add_tcase(s, tc);

    return oa_check_run(s);
}
