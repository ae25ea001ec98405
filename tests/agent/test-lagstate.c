/* lagstate_: the driver's LAG state read from a fake debugfs under the
 * sysfs root: mlx5's lag/state, type and port_sel_mode when there,
 * "not exposed" when the directory is missing or the PF is no PCI
 * device, type and port_sel_mode empty where mlx5 refuses them (an
 * inactive LAG), an unreadable state an error. */
#define _XOPEN_SOURCE 700
#include "fake-tree.h"
#include "lagstate.h"
#include "oa-check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#define LAG "kernel/debug/mlx5/0000:08:00.0/lag"

static char root[64];

static void
setup(void)
{
    strcpy(root, "/tmp/oa-lagstate-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
}

static void
teardown(void)
{
    ft_rm(root);
}

START_TEST(test_active)
{
    struct lagstate l;
    ft_mk(root, LAG);
    ft_put(root, LAG "/state", "active\n");
    ft_put(root, LAG "/type", "switchdev\n");
    ft_put(root, LAG "/port_sel_mode", "hash\n");
    ck_assert_int_eq(lagstate_read(root, "pci", "0000:08:00.0", &l), 0);
    ck_assert(l.exposed);
    ck_assert_str_eq(l.state, "active");
    ck_assert_str_eq(l.type, "switchdev");
    ck_assert_str_eq(l.port_sel, "hash");
    ck_assert(lagstate_active(&l));
}
END_TEST

/* mlx5 refuses type and port_sel_mode (EINVAL) while inactive: here the
 * files are simply absent. */
START_TEST(test_disabled)
{
    struct lagstate l;
    ft_mk(root, LAG);
    ft_put(root, LAG "/state", "disabled\n");
    ck_assert_int_eq(lagstate_read(root, "pci", "0000:08:00.0", &l), 0);
    ck_assert(l.exposed);
    ck_assert_str_eq(l.state, "disabled");
    ck_assert_str_eq(l.type, "");
    ck_assert_str_eq(l.port_sel, "");
    ck_assert(!lagstate_active(&l));
}
END_TEST

START_TEST(test_not_exposed)
{
    struct lagstate l = {.exposed = true};
    ck_assert_int_eq(lagstate_read(root, "pci", "0000:08:00.0", &l), 0);
    ck_assert(!l.exposed);
    ck_assert_str_eq(l.state, "");
    ck_assert(!lagstate_active(&l));
    /* The tree is there, but the PF is no PCI device (netdevsim), or
     * its name would leave the directory. */
    ft_mk(root, LAG);
    ft_put(root, LAG "/state", "active\n");
    ck_assert_int_eq(lagstate_read(root, "netdevsim", "0000:08:00.0", &l), 0);
    ck_assert(!l.exposed);
    ck_assert_int_eq(lagstate_read(root, "pci", "../mlx5/0000:08:00.0", &l),
                     0);
    ck_assert(!l.exposed);
    ck_assert_int_eq(lagstate_read(root, "pci", "0000:08:00.1", &l), 0);
    ck_assert(!l.exposed);
}
END_TEST

START_TEST(test_unreadable)
{
    struct lagstate l;
    ft_mk(root, LAG "/state");
    ck_assert_int_eq(lagstate_read(root, "pci", "0000:08:00.0", &l), -EISDIR);
    ck_assert(!l.exposed);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("lagstate");
    TCase *tc = tcase_create("read");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_active);
    tcase_add_test(tc, test_disabled);
    tcase_add_test(tc, test_not_exposed);
    tcase_add_test(tc, test_unreadable);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
