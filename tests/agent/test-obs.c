/* Unit tests of obs: obs_collect() without handles, and on a fake sysfs
 * tree of a PCI PF whose VFs are PCI functions (the bed's netdevsim VFs
 * are not, and its NVMe PF has no netdev). The PF's netdev in the fake
 * tree is the host's loopback, read over real rtnetlink (read-only). */
#define _XOPEN_SOURCE 700
#include "fake-tree.h"
#include "hostio.h"
#include "obs.h"
#include "oa-check.h"
#include "oa-netlink/link.h"
#include "oa-netlink/nlsock.h"
#include "offload/spec.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Nothing open: an error, which says what, and no observation. */
START_TEST(test_collect_without_handles)
{
    struct hostio io = {0};
    struct spec spec = {.version = 1};
    struct obs_host *host = (struct obs_host *)&spec; /* overwritten */
    struct oa_err err;
    char text[OA_ERR_FORMAT_MAX];

    ck_assert_int_eq(obs_collect(&io, &spec, 0, &host, &err), -ENOTCONN);
    ck_assert_ptr_null(host);
    ck_assert_int_eq(err.code, -ENOTCONN);
    ck_assert_str_eq(oa_err_format(&err, text, sizeof text),
                     "the host handles are not open");
    ck_assert_int_eq(obs_collect(&io, &spec, 0, &host, NULL), -ENOTCONN);
}
END_TEST

static char root[256];

#define PF  "devices/pci0000:00/0000:01:00.0"
#define VF0 "devices/pci0000:00/0000:01:00.1"
#define VF1 "devices/pci0000:00/0000:01:00.2"

/* A PCI PF (netdev "lo") with 2 of 8 VFs, VF 0 bound to mlx5_core, VF 1
 * unbound; and "lo" itself without a device link for the by-netdev
 * lookup. */
static void
setup(void)
{
    snprintf(root, sizeof root, "/tmp/oa-obs-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, "bus/pci/devices");
    ft_mk(root, "bus/pci/drivers/mlx5_core");
    ft_mk(root, "class/net");
    ft_mk(root, PF "/net/lo");
    ft_put(root, PF "/sriov_numvfs", "2\n");
    ft_put(root, PF "/sriov_totalvfs", "8\n");
    ft_ln(root, "../0000:01:00.1", PF "/virtfn0");
    ft_ln(root, "../0000:01:00.2", PF "/virtfn1");
    ft_ln(root, "../../../bus/pci", PF "/subsystem");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.0",
          "bus/pci/devices/0000:01:00.0");
    ft_mk(root, VF0);
    ft_ln(root, "../../../bus/pci/drivers/mlx5_core", VF0 "/driver");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.1",
          "bus/pci/devices/0000:01:00.1");
    ft_mk(root, VF1);
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.2",
          "bus/pci/devices/0000:01:00.2");
    ft_mk(root, "devices/virtual/net/lo");
    ft_ln(root, "../../devices/virtual/net/lo", "class/net/lo");
}

static void
teardown(void)
{
    ft_rm(root);
}

START_TEST(test_collect_pci_pf_on_fake_sysfs)
{
    char pidfile[300];
    snprintf(pidfile, sizeof pidfile, "%s/no-vswitchd.pid", root);
    struct hostio io = {.sysfs_root = root, .vswitchd_pidfile = pidfile};
    ck_assert_int_eq(oanl_open(NETLINK_ROUTE, &io.rtnl), 0);
    ck_assert_int_eq(oa_link_sock_open(&io.link), 0);

    struct spec_pf pfs[4] = {
        {.key = SPEC_PF_BY_PCI, .id = "0000:01:00.0", .num_vfs = 2},
        {.key = SPEC_PF_BY_PCI, .id = "0000:09:00.0", .num_vfs = 2},
        {.key = SPEC_PF_BY_NETDEV, .id = "nosuch0", .num_vfs = 2},
        {.key = SPEC_PF_BY_NETDEV, .id = "lo", .num_vfs = 2},
    };
    struct spec spec = {.version = 1, .pfs = pfs, .n_pfs = 4};
    struct obs_host *host;
    struct oa_err err;
    ck_assert_int_eq(obs_collect(&io, &spec, 0, &host, &err), 0);
    ck_assert_uint_eq(host->n_pfs, 4);

    const struct obs_pf *pf = &host->pfs[0];
    ck_assert_msg(pf->found, "%s", pf->error);
    ck_assert_str_eq(pf->netdev, "lo");
    ck_assert_int_eq(pf->ifindex, 1);
    ck_assert(!pf->has_devlink);
    ck_assert(!pf->has_eswitch);
    ck_assert_str_eq(pf->bus, "pci");
    ck_assert_str_eq(pf->dev_name, "0000:01:00.0");
    ck_assert_uint_eq(pf->num_vfs, 2);
    ck_assert(pf->has_total_vfs);
    ck_assert_uint_eq(pf->total_vfs, 8);
    ck_assert(pf->vfs_are_devices);
    ck_assert_uint_eq(pf->n_vfs, 2);
    ck_assert_uint_eq(pf->vfs[0].index, 0);
    ck_assert_str_eq(pf->vfs[0].pci, "0000:01:00.1");
    ck_assert_str_eq(pf->vfs[0].driver, "mlx5_core");
    ck_assert_uint_eq(pf->vfs[1].index, 1);
    ck_assert_str_eq(pf->vfs[1].pci, "0000:01:00.2");
    ck_assert_str_eq(pf->vfs[1].driver, "");
    ck_assert(!pf->vfs[0].has_info); /* lo reports no VF list */
    ck_assert(!pf->vfs[0].has_rep);
    ck_assert_uint_eq(pf->n_reps, 0);
    ck_assert(pf->uplink_tc.known);
    ck_assert_uint_eq(pf->uplink_tc.rules, 0);
    ck_assert_int_eq(pf->uplink_hw_tc_offload, OBS_UNKNOWN); /* no ethtool */

    ck_assert(!host->pfs[1].found);
    ck_assert_str_eq(host->pfs[1].error, "no PCI device 0000:09:00.0");
    ck_assert(!host->pfs[2].found);
    ck_assert_str_eq(host->pfs[2].error, "no netdev nosuch0");
    ck_assert(!host->pfs[3].found);
    ck_assert_str_eq(host->pfs[3].error, "no device behind netdev lo");

    ck_assert(!host->ovs.connected);
    ck_assert_ptr_null(host->ovs.state);
    ck_assert_ptr_null(host->ovs.vswitchd_id);
    /* Without devlink: no driver or firmware (devlink info); the order
     * is the default, whatever the kernel: the engine sets others. */
    ck_assert_str_eq(pf->driver, "");
    ck_assert_str_eq(pf->firmware, "");
    ck_assert_int_eq(pf->order, OBS_ORDER_SWITCHDEV_FIRST);
    ck_assert_int_eq(pf->order_source, OBS_ORDER_DEFAULT);
    ck_assert_str_eq(pf->order_refusal, "");
    obs_free(host);
    hostio_close(&io);
}
END_TEST

/* Observes the fake tree's PF 0000:01:00.0 (netdev lo) with 'proc' as
 * the process root: the caller frees the observation. */
static struct obs_host *
collect_pf(const char *proc)
{
    static char pidfile[300];
    snprintf(pidfile, sizeof pidfile, "%s/no-vswitchd.pid", root);
    struct hostio io = {
        .sysfs_root = root, .proc_root = proc, .vswitchd_pidfile = pidfile};
    ck_assert_int_eq(oanl_open(NETLINK_ROUTE, &io.rtnl), 0);
    ck_assert_int_eq(oa_link_sock_open(&io.link), 0);
    static struct spec_pf pf = {
        .key = SPEC_PF_BY_PCI, .id = "0000:01:00.0", .num_vfs = 2};
    struct spec spec = {.version = 1, .pfs = &pf, .n_pfs = 1};
    struct obs_host *host;
    ck_assert_int_eq(obs_collect(&io, &spec, 0, &host, NULL), 0);
    hostio_close(&io);
    ck_assert(host->pfs[0].found);
    ck_assert_uint_eq(host->pfs[0].n_vfs, 2);
    return host;
}

/* VF 1 bound to vfio-pci, IOMMU group 7: in use while a process holds
 * /dev/vfio/noiommu-7 open (named by comm and pid), not in use when
 * nobody does. VF 0 (mlx5_core) with a netdev: in use while enslaved;
 * up without an address it is not. */
START_TEST(test_vfs_in_use)
{
    char proc[300];
    snprintf(proc, sizeof proc, "%s/proc", root);
    ft_mk(root, "bus/pci/drivers/vfio-pci");
    ft_ln(root, "../../../bus/pci/drivers/vfio-pci", VF1 "/driver");
    ft_mk(root, "kernel/iommu_groups/7");
    ft_ln(root, "../../../kernel/iommu_groups/7", VF1 "/iommu_group");
    ft_mk(root, VF0 "/net/vfnet0");
    ft_put(root, VF0 "/net/vfnet0/flags", "0x1002\n"); /* down */
    ft_mk(root, "proc/4242/fd");
    ft_put(root, "proc/4242/comm", "qemu-fake\n");
    ft_ln(root, "/dev/null", "proc/4242/fd/0");
    ft_mk(root, "proc/4243/fd");
    ft_put(root, "proc/4243/comm", "bystander\n");
    ft_ln(root, "/dev/vfio/noiommu-70", "proc/4243/fd/3");
    ft_mk(root, "proc/self"); /* not a pid: skipped */

    struct obs_host *host = collect_pf(proc);
    const struct obs_vf *vfs = host->pfs[0].vfs;
    ck_assert_str_eq(vfs[1].driver, "vfio-pci");
    ck_assert_msg(!vfs[1].in_use, "%s", vfs[1].holder);
    ck_assert_str_eq(vfs[1].holder, "");
    ck_assert_msg(!vfs[0].in_use, "%s", vfs[0].holder);
    obs_free(host);

    ft_ln(root, "/dev/vfio/noiommu-7", "proc/4242/fd/9");
    ft_put(root, VF0 "/net/vfnet0/flags", "0x1003\n"); /* up, no address */
    host = collect_pf(proc);
    vfs = host->pfs[0].vfs;
    ck_assert(vfs[1].in_use);
    ck_assert_str_eq(vfs[1].holder,
                     "vfio-pci, /dev/vfio/noiommu-7 open by qemu-fake "
                     "(pid 4242)");
    ck_assert_msg(!vfs[0].in_use, "%s", vfs[0].holder);
    obs_free(host);

    ft_mk(root, "devices/virtual/net/bond9");
    ft_ln(root, "../../../../virtual/net/bond9", VF0 "/net/vfnet0/master");
    host = collect_pf(proc);
    vfs = host->pfs[0].vfs;
    ck_assert(vfs[0].in_use);
    ck_assert_str_eq(vfs[0].holder, "netdev vfnet0 enslaved to bond9");
    obs_free(host);

    /* Up with an address: the VF's netdev named "lo" in the fake tree,
     * the addresses the kernel's (lo has 127.0.0.1/8, ::1/128). */
    char path[600];
    snprintf(path, sizeof path, "%s/" VF0 "/net/vfnet0/master", root);
    ck_assert_int_eq(unlink(path), 0);
    ft_put(root, VF0 "/net/vfnet0/flags", "0x1002\n");
    ft_mk(root, VF0 "/net/lo");
    ft_put(root, VF0 "/net/lo/flags", "0x9\n");
    host = collect_pf(proc);
    vfs = host->pfs[0].vfs;
    ck_assert(vfs[0].in_use);
    ck_assert_msg(!strcmp(vfs[0].holder, "netdev lo up with 127.0.0.1/8") ||
                      !strcmp(vfs[0].holder, "netdev lo up with ::1/128"),
                  "%s", vfs[0].holder);
    obs_free(host);
}
END_TEST

/* A PF named by its PCI address without any netdev that is no network
 * controller (qemu's NVMe PF in the bed): found, as a device alone: its
 * VF count is managed. */
START_TEST(test_pf_without_netdev)
{
#define NVME "devices/pci0000:00/0000:02:00.0"
    ft_mk(root, NVME);
    ft_put(root, NVME "/sriov_numvfs", "1\n");
    ft_put(root, NVME "/sriov_totalvfs", "2\n");
    ft_put(root, NVME "/class", "0x010802\n");
    ft_ln(root, "../../../bus/pci", NVME "/subsystem");
    ft_ln(root, "../../../" NVME, "bus/pci/devices/0000:02:00.0");
    char pidfile[300];
    snprintf(pidfile, sizeof pidfile, "%s/no-vswitchd.pid", root);
    struct hostio io = {.sysfs_root = root, .vswitchd_pidfile = pidfile};
    ck_assert_int_eq(oanl_open(NETLINK_ROUTE, &io.rtnl), 0);
    ck_assert_int_eq(oa_link_sock_open(&io.link), 0);
    struct spec_pf sp = {
        .key = SPEC_PF_BY_PCI, .id = "0000:02:00.0", .num_vfs = 2};
    struct spec spec = {.version = 1, .pfs = &sp, .n_pfs = 1};
    struct obs_host *host;
    ck_assert_int_eq(obs_collect(&io, &spec, 0, &host, NULL), 0);
    const struct obs_pf *pf = &host->pfs[0];
    ck_assert_msg(pf->found, "%s", pf->error);
    ck_assert_str_eq(pf->netdev, "");
    ck_assert_str_eq(pf->dev_name, "0000:02:00.0");
    ck_assert_uint_eq(pf->num_vfs, 1);
    ck_assert_uint_eq(pf->total_vfs, 2);
    ck_assert(!pf->uplink_tc.known);
    obs_free(host);

    /* A network controller between netdevs (mlx5 re-registering its
     * uplink): not found, so that OVS keeps its ports. */
    ft_put(root, NVME "/class", "0x020000\n");
    ck_assert_int_eq(obs_collect(&io, &spec, 0, &host, NULL), 0);
    ck_assert(!host->pfs[0].found);
    ck_assert_str_eq(host->pfs[0].error, "no netdev on device 0000:02:00.0");
    obs_free(host);
    hostio_close(&io);
#undef NVME
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("obs");
    TCase *tc = tcase_create("handles");
    tcase_add_test(tc, test_collect_without_handles);
    suite_add_tcase(s, tc);
    tc = tcase_create("fake-sysfs");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_collect_pci_pf_on_fake_sysfs);
    tcase_add_test(tc, test_vfs_in_use);
    tcase_add_test(tc, test_pf_without_netdev);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
