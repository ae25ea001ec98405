/* sriov_: sysfs SR-IOV and driver binding on a temporary fake tree. */
#define _XOPEN_SOURCE 700
#include "fake-tree.h"
#include "nltest.h"

#include "oa-netlink/sriov.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[256];

/* Reads a fake attribute back, as written. */
static const char *
get(const char *rel)
{
    static char buf[256];
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

#define PF   "devices/pci0000:00/0000:01:00.0"
#define VF0  "devices/pci0000:00/0000:01:00.1"
#define VF1  "devices/pci0000:00/0000:01:00.2"
#define NSIM "devices/netdevsim1"

/* A PCI PF with two VFs (one bound to nvme, one unbound) and a netdevsim
 * device whose VFs are not devices, as the kernel lays them out. */
static void
setup(void)
{
    strcpy(root, "/tmp/oa-sriov-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, "bus/pci/devices");
    ft_mk(root, "bus/pci/drivers/nvme");
    ft_mk(root, "bus/pci/drivers/vfio-pci");
    ft_put(root, "bus/pci/drivers/nvme/bind", "");
    ft_put(root, "bus/pci/drivers/nvme/unbind", "");
    ft_put(root, "bus/pci/drivers/vfio-pci/bind", "");
    ft_put(root, "bus/pci/drivers/vfio-pci/unbind", "");
    ft_mk(root, "class/net");

    ft_mk(root, PF "/net/enp1s0");
    ft_put(root, PF "/sriov_numvfs", "2\n");
    ft_put(root, PF "/sriov_totalvfs", "8\n");
    ft_put(root, PF "/sriov_drivers_autoprobe", "1\n");
    ft_ln(root, "../0000:01:00.1", PF "/virtfn0");
    ft_ln(root, "../0000:01:00.2", PF "/virtfn1");
    ft_ln(root, "../../../bus/pci", PF "/subsystem");
    ft_ln(root, "../../../bus/pci/drivers/nvme", PF "/driver");
    ft_ln(root, "../../../0000:01:00.0", PF "/net/enp1s0/device");
    ft_ln(root, "../../devices/pci0000:00/0000:01:00.0/net/enp1s0",
          "class/net/enp1s0");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.0",
          "bus/pci/devices/0000:01:00.0");

    ft_mk(root, VF0);
    ft_put(root, VF0 "/driver_override", "(null)\n");
    ft_ln(root, "../../../bus/pci/drivers/nvme", VF0 "/driver");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.1",
          "bus/pci/devices/0000:01:00.1");
    ft_mk(root, VF1);
    ft_put(root, VF1 "/driver_override", "(null)\n");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.2",
          "bus/pci/devices/0000:01:00.2");

    ft_mk(root, "bus/netdevsim/devices");
    ft_mk(root, NSIM "/net/eth0");
    ft_mk(root, NSIM "/net/eth1");
    ft_put(root, NSIM "/sriov_numvfs", "0\n");
    ft_ln(root, "../../bus/netdevsim", NSIM "/subsystem");
    ft_ln(root, "../../../netdevsim1", NSIM "/net/eth0/device");
    ft_ln(root, "../../devices/netdevsim1/net/eth0", "class/net/eth0");
    ft_ln(root, "../../../devices/netdevsim1",
          "bus/netdevsim/devices/netdevsim1");
    /* A netdev without a device (like lo). */
    ft_mk(root, "devices/virtual/net/lo");
    ft_ln(root, "../../devices/virtual/net/lo", "class/net/lo");
}

static void
teardown(void)
{
    ft_rm(root);
}

START_TEST(test_pf_lookup)
{
    struct sriov_pf pf;
    ck_assert_int_eq(sriov_pf_by_netdev(root, "enp1s0", &pf), 0);
    ck_assert_str_eq(pf.bus, "pci");
    ck_assert_str_eq(pf.name, "0000:01:00.0");
    char want[512];
    snprintf(want, sizeof want, "%s/bus/pci/devices/0000:01:00.0", root);
    ck_assert_str_eq(pf.dir, want);

    ck_assert_int_eq(sriov_pf_by_netdev(root, "eth0", &pf), 0);
    ck_assert_str_eq(pf.bus, "netdevsim");
    ck_assert_str_eq(pf.name, "netdevsim1");

    ck_assert_int_eq(sriov_pf_by_netdev(root, "lo", &pf), -ENODEV);
    ck_assert_int_eq(sriov_pf_by_netdev(root, "nope0", &pf), -ENODEV);
    ck_assert_int_eq(sriov_pf_by_netdev(root, "../x", &pf), -EINVAL);

    ck_assert_int_eq(sriov_pf_by_pci(root, "0000:01:00.0", &pf), 0);
    ck_assert_str_eq(pf.name, "0000:01:00.0");
    ck_assert_int_eq(sriov_pf_by_pci(root, "0000:09:00.0", &pf), -ENODEV);
    ck_assert_int_eq(sriov_pf_by_pci(root, "01:00.0", &pf), -EINVAL);
    ck_assert_int_eq(sriov_pf_by_pci(root, "0000:01:00.8", &pf), -EINVAL);
    ck_assert_int_eq(sriov_pf_by_devlink(root, "netdevsim", "netdevsim1", &pf),
                     0);
    char names[4][16];
    ck_assert_int_eq(sriov_pf_netdevs(&pf, names, 4), 2);
    ck_assert_str_eq(names[0], "eth0");
    ck_assert_str_eq(names[1], "eth1");
    ck_assert_int_eq(sriov_pf_netdevs(&pf, names, 1), 2);
    ck_assert_int_eq(sriov_pf_by_devlink(root, "netdevsim", "netdevsim2", &pf),
                     -ENODEV);
}
END_TEST

START_TEST(test_numvfs_steps)
{
    unsigned s[2];
    ck_assert_int_eq(sriov_numvfs_steps(2, 2, s), 0);
    ck_assert_int_eq(sriov_numvfs_steps(0, 4, s), 1);
    ck_assert_uint_eq(s[0], 4);
    ck_assert_int_eq(sriov_numvfs_steps(4, 0, s), 1);
    ck_assert_uint_eq(s[0], 0);
    /* N -> M never directly: the kernel answers EBUSY. */
    ck_assert_int_eq(sriov_numvfs_steps(4, 2, s), 2);
    ck_assert_uint_eq(s[0], 0);
    ck_assert_uint_eq(s[1], 2);
}
END_TEST

START_TEST(test_numvfs_io)
{
    struct sriov_pf pf;
    unsigned n;
    bool via_zero;
    ck_assert_int_eq(sriov_pf_by_pci(root, "0000:01:00.0", &pf), 0);
    ck_assert_int_eq(sriov_numvfs_get(&pf, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_int_eq(sriov_numvfs_set(&pf, 3, &via_zero), 0);
    ck_assert(via_zero);
    ck_assert_str_eq(get(PF "/sriov_numvfs"), "3");
    ck_assert_int_eq(sriov_numvfs_set(&pf, 3, &via_zero), 0);
    ck_assert(!via_zero);

    ck_assert_int_eq(sriov_totalvfs_get(&pf, &n), 0);
    ck_assert_uint_eq(n, 8);
    ck_assert(sriov_vfs_are_devices(&pf));

    bool on;
    ck_assert_int_eq(sriov_autoprobe_get(&pf, &on), 0);
    ck_assert(on);
    ck_assert_int_eq(sriov_autoprobe_set(&pf, false), 0);
    ck_assert_str_eq(get(PF "/sriov_drivers_autoprobe"), "0");
    ck_assert_int_eq(sriov_autoprobe_get(&pf, &on), 0);
    ck_assert(!on);

    ft_put(root, PF "/sriov_numvfs", "garbage\n");
    ck_assert_int_eq(sriov_numvfs_get(&pf, &n), -EBADMSG);
}
END_TEST

/* The count written with autoprobe off, and autoprobe back as found:
 * "1" without a newline is our write, "0\n" the fake's own (untouched). */
START_TEST(test_numvfs_write_noprobe)
{
    struct sriov_pf pf;
    bool was_on = false;
    int restore_err = -1;
    char path[512];
    ck_assert_int_eq(sriov_pf_by_pci(root, "0000:01:00.0", &pf), 0);

    ck_assert_int_eq(sriov_numvfs_write_noprobe(&pf, 4, &was_on, &restore_err),
                     0);
    ck_assert(was_on);
    ck_assert_int_eq(restore_err, 0);
    ck_assert_str_eq(get(PF "/sriov_numvfs"), "4");
    ck_assert_str_eq(get(PF "/sriov_drivers_autoprobe"), "1");

    /* Off already: left alone. */
    ft_put(root, PF "/sriov_drivers_autoprobe", "0\n");
    ck_assert_int_eq(sriov_numvfs_write_noprobe(&pf, 0, &was_on, NULL), 0);
    ck_assert(!was_on);
    ck_assert_str_eq(get(PF "/sriov_numvfs"), "0");
    ck_assert_str_eq(get(PF "/sriov_drivers_autoprobe"), "0\n");

    /* The count's write fails: autoprobe is restored all the same. */
    ft_put(root, PF "/sriov_drivers_autoprobe", "1\n");
    snprintf(path, sizeof path, "%s/%s", root, PF "/sriov_numvfs");
    ck_assert_int_eq(unlink(path), 0);
    ft_mk(root, PF "/sriov_numvfs");
    ck_assert_int_eq(sriov_numvfs_write_noprobe(&pf, 2, &was_on, &restore_err),
                     -EISDIR);
    ck_assert(was_on);
    ck_assert_int_eq(restore_err, 0);
    ck_assert_str_eq(get(PF "/sriov_drivers_autoprobe"), "1");

    /* No autoprobe attribute: nothing written. */
    ck_assert_int_eq(rmdir(path), 0);
    ft_put(root, PF "/sriov_numvfs", "2\n");
    snprintf(path, sizeof path, "%s/%s", root, PF "/sriov_drivers_autoprobe");
    ck_assert_int_eq(unlink(path), 0);
    ck_assert_int_eq(sriov_numvfs_write_noprobe(&pf, 3, NULL, NULL), -ENOENT);
    ck_assert_str_eq(get(PF "/sriov_numvfs"), "2\n");
}
END_TEST

START_TEST(test_not_applicable_on_netdevsim)
{
    struct sriov_pf pf;
    unsigned n;
    char addr[32];
    ck_assert_int_eq(sriov_pf_by_netdev(root, "eth0", &pf), 0);
    ck_assert_int_eq(sriov_numvfs_set(&pf, 4, NULL), 0);
    ck_assert_str_eq(get(NSIM "/sriov_numvfs"), "4");
    ck_assert(!sriov_vfs_are_devices(&pf));
    ck_assert_int_eq(sriov_totalvfs_get(&pf, &n), -ENOENT);
    ck_assert_int_eq(sriov_vf_pci_addr(&pf, 0, addr, sizeof addr), -ENOENT);
}
END_TEST

START_TEST(test_virtfn)
{
    struct sriov_pf pf;
    char addr[32];
    ck_assert_int_eq(sriov_pf_by_pci(root, "0000:01:00.0", &pf), 0);
    ck_assert_int_eq(sriov_vf_pci_addr(&pf, 0, addr, sizeof addr), 0);
    ck_assert_str_eq(addr, "0000:01:00.1");
    ck_assert_int_eq(sriov_vf_pci_addr(&pf, 1, addr, sizeof addr), 0);
    ck_assert_str_eq(addr, "0000:01:00.2");
    ck_assert_int_eq(sriov_vf_pci_addr(&pf, 2, addr, sizeof addr), -ENOENT);
    ck_assert_int_eq(sriov_vf_pci_addr(&pf, 0, addr, 4), -ENAMETOOLONG);
}
END_TEST

START_TEST(test_driver_binding)
{
    char drv[64];
    ck_assert_int_eq(sriov_dev_driver(root, "0000:01:00.1", drv, sizeof drv),
                     1);
    ck_assert_str_eq(drv, "nvme");
    ck_assert_int_eq(sriov_dev_driver(root, "0000:01:00.2", drv, sizeof drv),
                     0);
    ck_assert_str_eq(drv, "");
    ck_assert_int_eq(sriov_dev_driver(root, "0000:09:00.0", drv, sizeof drv),
                     -ENODEV);

    ck_assert_int_eq(sriov_dev_unbind(root, "0000:01:00.1"), 0);
    ck_assert_str_eq(get("bus/pci/drivers/nvme/unbind"), "0000:01:00.1");
    ft_put(root, "bus/pci/drivers/nvme/unbind", "");
    ck_assert_int_eq(sriov_dev_unbind(root, "0000:01:00.2"), 0);
    ck_assert_str_eq(get("bus/pci/drivers/nvme/unbind"), ""); /* no write */

    ck_assert_int_eq(sriov_dev_bind(root, "0000:01:00.2", "vfio-pci"), 0);
    ck_assert_str_eq(get("bus/pci/drivers/vfio-pci/bind"), "0000:01:00.2");
    ck_assert_int_eq(sriov_dev_bind(root, "0000:01:00.1", "nvme"), 0);
    ck_assert_str_eq(get("bus/pci/drivers/nvme/bind"), ""); /* already */
    ck_assert_int_eq(sriov_dev_bind(root, "0000:01:00.1", "vfio-pci"), -EBUSY);
    ck_assert_int_eq(sriov_dev_bind(root, "0000:01:00.2", "mlx5_core"),
                     -ENOENT);
    ck_assert_int_eq(sriov_dev_bind(root, "0000:01:00.2", "../x"), -EINVAL);

    ck_assert_int_eq(
        sriov_dev_get_override(root, "0000:01:00.2", drv, sizeof drv), 0);
    ck_assert_int_eq(sriov_dev_set_override(root, "0000:01:00.2", "vfio-pci"),
                     0);
    ck_assert_str_eq(get(VF1 "/driver_override"), "vfio-pci");
    ck_assert_int_eq(
        sriov_dev_get_override(root, "0000:01:00.2", drv, sizeof drv), 1);
    ck_assert_str_eq(drv, "vfio-pci");
    ck_assert_int_eq(sriov_dev_set_override(root, "0000:01:00.2", NULL), 0);
    ck_assert_str_eq(get(VF1 "/driver_override"), "\n");
    ck_assert_int_eq(
        sriov_dev_get_override(root, "0000:01:00.2", drv, sizeof drv), 0);
}
END_TEST

START_TEST(test_pci_addr_valid)
{
    ck_assert(sriov_pci_addr_valid("0000:43:00.0"));
    ck_assert(sriov_pci_addr_valid("abcd:ef:1f.7"));
    ck_assert(!sriov_pci_addr_valid("0000:43:00.8"));
    ck_assert(!sriov_pci_addr_valid("0000:43:00"));
    ck_assert(!sriov_pci_addr_valid("0000-43:00.0"));
    ck_assert(!sriov_pci_addr_valid("0000:43:00.0 "));
    ck_assert(!sriov_pci_addr_valid("g000:43:00.0"));
}
END_TEST

Suite *
sriov_suite(void)
{
    Suite *s = suite_create("sriov");
    TCase *tc = tcase_create("fake-sysfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pf_lookup);
    tcase_add_test(tc, test_numvfs_steps);
    tcase_add_test(tc, test_numvfs_io);
    tcase_add_test(tc, test_numvfs_write_noprobe);
    tcase_add_test(tc, test_not_applicable_on_netdevsim);
    tcase_add_test(tc, test_virtfn);
    tcase_add_test(tc, test_driver_binding);
    tcase_add_test(tc, test_pci_addr_valid);
    suite_add_tcase(s, tc);
    return s;
}
