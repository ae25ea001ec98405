/* vdpa_ and vdpabus_: the vdpa family's requests and replies on byte
 * buffers (as the 6.1 and 6.12 kernels send them), and the vdpa bus on a
 * fake sysfs tree. */
#include "fake-tree.h"
#include "nltest.h"

#include "oa-netlink/vdpa-bus.h"
#include "oa-netlink/vdpa.h"

#define _XOPEN_SOURCE 700
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/vdpa.h>
#include <stdlib.h>
#include <string.h>

#define FAM 31
#define GL  sizeof(struct genlmsghdr)

START_TEST(test_mgmtdev_parse)
{
    struct vdpa_mgmtdev h;
    char buf[96];
    ck_assert_int_eq(vdpa_mgmtdev_parse("pci/0000:43:00.2", &h), 0);
    ck_assert_str_eq(h.bus, "pci");
    ck_assert_str_eq(h.dev, "0000:43:00.2");
    ck_assert_int_eq(vdpa_mgmtdev_format(&h, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "pci/0000:43:00.2");
    ck_assert_int_eq(vdpa_mgmtdev_parse("vdpasim_net", &h), 0);
    ck_assert_str_eq(h.bus, "");
    ck_assert_str_eq(h.dev, "vdpasim_net");
    ck_assert_int_eq(vdpa_mgmtdev_format(&h, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "vdpasim_net");
    ck_assert_int_eq(vdpa_mgmtdev_format(&h, buf, 5), -ENOSPC);
    ck_assert_int_eq(vdpa_mgmtdev_parse("", &h), -EINVAL);
    ck_assert_int_eq(vdpa_mgmtdev_parse("pci/", &h), -EINVAL);
    ck_assert_int_eq(vdpa_mgmtdev_parse("/dev", &h), -EINVAL);
    ck_assert_int_eq(vdpa_mgmtdev_parse("a/b/c", &h), -EINVAL);
}
END_TEST

START_TEST(test_encode_dev_new)
{
    char buf[NLT_BUF];
    struct vdpa_dev_new_req q = {.name = "vdpa0",
                                 .has_mac = true,
                                 .mac = {2, 0, 0, 0, 0, 0x10},
                                 .max_vqp = 8};
    vdpa_mgmtdev_parse("pci/0000:43:00.2", &q.mgmt);
    int len = vdpa_encode_dev_new(buf, sizeof buf, FAM, &q);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, VDPA_CMD_DEV_NEW);
    ck_assert_int_eq(g->version, VDPA_GENL_VERSION);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NAME)), "vdpa0");
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, GL, VDPA_ATTR_MGMTDEV_BUS_NAME)),
        "pci");
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, GL, VDPA_ATTR_MGMTDEV_DEV_NAME)),
        "0000:43:00.2");
    const struct nlattr *mac =
        nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NET_CFG_MACADDR);
    ck_assert_ptr_nonnull(mac);
    ck_assert_int_eq(mnl_attr_get_payload_len(mac), 6);
    ck_assert_mem_eq(mnl_attr_get_payload(mac), q.mac, 6);
    ck_assert_int_eq(
        mnl_attr_get_u16(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NET_CFG_MAX_VQP)),
        8);
    /* mtu 0: left out, the device's default. */
    ck_assert_ptr_null(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NET_CFG_MTU));

    /* A bare management device name goes without a bus name; max_vqp 0
     * and no MAC are left out. */
    struct vdpa_dev_new_req s = {.name = "sim0", .mtu = 1500};
    vdpa_mgmtdev_parse("vdpasim_net", &s.mgmt);
    ck_assert_int_gt(vdpa_encode_dev_new(buf, sizeof buf, FAM, &s), 0);
    ck_assert_ptr_null(nlt_find_msg(nlh, GL, VDPA_ATTR_MGMTDEV_BUS_NAME));
    ck_assert_ptr_null(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NET_CFG_MACADDR));
    ck_assert_ptr_null(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NET_CFG_MAX_VQP));
    ck_assert_int_eq(
        mnl_attr_get_u16(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NET_CFG_MTU)),
        1500);
    ck_assert_int_eq(vdpa_encode_dev_new(buf, 40, FAM, &q), -ENOSPC);
}
END_TEST

START_TEST(test_encode_named)
{
    char buf[NLT_BUF] = {0};
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_gt(vdpa_encode_dev_del(buf, sizeof buf, FAM, "vdpa0"), 0);
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(g->cmd, VDPA_CMD_DEV_DEL);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, GL, VDPA_ATTR_DEV_NAME)), "vdpa0");
    ck_assert_int_gt(vdpa_encode_config_get(buf, sizeof buf, FAM, "vdpa0"), 0);
    ck_assert_int_eq(g->cmd, VDPA_CMD_DEV_CONFIG_GET);
    ck_assert_int_gt(vdpa_encode_dev_get(buf, sizeof buf, FAM, "vdpa0"), 0);
    ck_assert_int_eq(g->cmd, VDPA_CMD_DEV_GET);
    ck_assert(!(nlh->nlmsg_flags & NLM_F_DUMP));
    ck_assert_int_gt(vdpa_encode_dev_dump(buf, sizeof buf, FAM), 0);
    ck_assert(nlh->nlmsg_flags & NLM_F_DUMP);
    ck_assert_int_eq(g->cmd, VDPA_CMD_DEV_GET);
    ck_assert_int_gt(vdpa_encode_mgmtdev_dump(buf, sizeof buf, FAM), 0);
    ck_assert_int_eq(g->cmd, VDPA_CMD_MGMTDEV_GET);
}
END_TEST

static struct nlmsghdr *
reply(void *buf, uint8_t cmd)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, GL);
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
    return nlh;
}

START_TEST(test_decode_mgmtdev)
{
    /* As 6.12's vdpa_mgmtdev_fill() sends vdpasim_net: no bus name. */
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = reply(buf, VDPA_CMD_MGMTDEV_NEW);
    mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net");
    mnl_attr_put_u64(nlh, VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES, 1u << 1);
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_MGMTDEV_MAX_VQS, 3);
    mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_SUPPORTED_FEATURES, 1ull << 32);
    mnl_attr_put_u64(nlh, NLT_UNKNOWN_TYPE, 7);
    struct vdpa_mgmtdev_info m;
    ck_assert_int_eq(vdpa_decode_mgmtdev(nlh, &m), 0);
    ck_assert_str_eq(m.h.bus, "");
    ck_assert_str_eq(m.h.dev, "vdpasim_net");
    ck_assert(m.has_classes && m.classes == 2);
    ck_assert(m.has_max_vqs && m.max_vqs == 3);
    ck_assert(m.has_features && m.supported_features == 1ull << 32);

    /* Without its name: malformed. Another command: not ours. */
    nlh = reply(buf, VDPA_CMD_MGMTDEV_NEW);
    mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci");
    ck_assert_int_eq(vdpa_decode_mgmtdev(nlh, &m), -EBADMSG);
    nlh = reply(buf, VDPA_CMD_DEV_NEW);
    mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net");
    ck_assert_int_eq(vdpa_decode_mgmtdev(nlh, &m), -EPROTO);
}
END_TEST

START_TEST(test_decode_dev)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = reply(buf, VDPA_CMD_DEV_NEW);
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
    mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "0000:43:00.2");
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_VENDOR_ID, 0x15b3);
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_MAX_VQS, 17);
    mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_MAX_VQ_SIZE, 256);
    struct vdpa_dev_info d;
    ck_assert_int_eq(vdpa_decode_dev(nlh, &d), 0);
    ck_assert_str_eq(d.name, "vdpa0");
    ck_assert_str_eq(d.mgmt.bus, "pci");
    ck_assert_str_eq(d.mgmt.dev, "0000:43:00.2");
    ck_assert_uint_eq(d.device_id, 1);
    ck_assert_uint_eq(d.vendor_id, 0x15b3);
    ck_assert_uint_eq(d.max_vqs, 17);
    ck_assert_uint_eq(d.max_vq_size, 256);

    /* A u32 attribute two bytes long: malformed, nothing half-filled. */
    nlh = reply(buf, VDPA_CMD_DEV_NEW);
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
    mnl_attr_put_strz(nlh, VDPA_ATTR_MGMTDEV_DEV_NAME, "vdpasim_net");
    mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_ID, 1);
    ck_assert_int_eq(vdpa_decode_dev(nlh, &d), -EBADMSG);
    ck_assert_str_eq(d.name, "");
    /* A length past the message's end. */
    nlh = reply(buf, VDPA_CMD_DEV_NEW);
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
    nlh->nlmsg_len -= 2;
    ck_assert_int_eq(vdpa_decode_dev(nlh, &d), -EBADMSG);
}
END_TEST

/* A config reply of a net device bound to virtio_vdpa, as 6.12 sends it. */
static struct nlmsghdr *
config_612(void *buf, bool negotiated, uint64_t features)
{
    struct nlmsghdr *nlh = reply(buf, VDPA_CMD_DEV_CONFIG_GET);
    static const uint8_t mac[6] = {2, 0, 0, 0, 0, 0x10};
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
    if (negotiated) {
        mnl_attr_put_u64(nlh, VDPA_ATTR_DEV_NEGOTIATED_FEATURES, features);
    }
    mnl_attr_put_u64(nlh, 20, (1ull << 32) | (1ull << 5) | (1ull << 3));
    mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MTU, 1500);
    mnl_attr_put(nlh, VDPA_ATTR_DEV_NET_CFG_MACADDR, 6, mac);
    mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_STATUS, 1);
    return nlh;
}

START_TEST(test_decode_config)
{
    char buf[NLT_BUF];
    struct vdpa_dev_config c;
    ck_assert_int_eq(vdpa_decode_config(config_612(buf, true, 1ull << 32), &c),
                     0);
    ck_assert_str_eq(c.name, "vdpa0");
    ck_assert(c.has_negotiated && vdpa_features_modern(c.negotiated));
    ck_assert(c.has_dev_features);
    ck_assert_uint_eq(c.dev_features,
                      (1ull << 32) | (1ull << 5) | (1ull << 3));
    ck_assert(c.has_mtu && c.mtu == 1500);
    ck_assert(c.has_mac && c.mac[5] == 0x10);
    ck_assert(c.has_status && c.status == 1);
    ck_assert(!c.has_max_vqp);

    /* A legacy guest: negotiated without VERSION_1. */
    ck_assert_int_eq(vdpa_decode_config(config_612(buf, true, 1ull << 5), &c),
                     0);
    ck_assert(c.has_negotiated && !vdpa_features_modern(c.negotiated));
    /* No driver set FEATURES_OK yet: nothing negotiated. */
    ck_assert_int_eq(vdpa_decode_config(config_612(buf, false, 0), &c), 0);
    ck_assert(!c.has_negotiated);
}
END_TEST

START_TEST(test_decode_config_61)
{
    /* 6.1 sends a net device's features in attribute 21; 6.12 uses 21 for
     * a block device's capacity, which must not pass for features. */
    char buf[NLT_BUF];
    struct vdpa_dev_config c;
    struct nlmsghdr *nlh = reply(buf, VDPA_CMD_DEV_CONFIG_GET);
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 1);
    mnl_attr_put_u64(nlh, 21, 1ull << 32);
    mnl_attr_put_u16(nlh, VDPA_ATTR_DEV_NET_CFG_MAX_VQP, 8);
    ck_assert_int_eq(vdpa_decode_config(nlh, &c), 0);
    ck_assert(c.has_dev_features && c.dev_features == 1ull << 32);
    ck_assert(c.has_max_vqp && c.max_vqp == 8);

    nlh = reply(buf, VDPA_CMD_DEV_CONFIG_GET);
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "blk0");
    mnl_attr_put_u32(nlh, VDPA_ATTR_DEV_ID, 2);
    mnl_attr_put_u64(nlh, 21, 1ull << 32);
    ck_assert_int_eq(vdpa_decode_config(nlh, &c), 0);
    ck_assert(!c.has_dev_features);

    nlh = reply(buf, VDPA_CMD_DEV_GET);
    mnl_attr_put_strz(nlh, VDPA_ATTR_DEV_NAME, "vdpa0");
    ck_assert_int_eq(vdpa_decode_config(nlh, &c), -EPROTO);
}
END_TEST

/* The fake bus: vdpa0 bound to vhost_vdpa with its char device, vdpa1
 * unbound, drivers vhost_vdpa loaded and virtio_vdpa not. */
static void
fake_bus(char *root)
{
    strcpy(root, "/tmp/oa-vdpabus.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, "bus/vdpa/drivers/vhost_vdpa");
    ft_put(root, "bus/vdpa/drivers/vhost_vdpa/unbind", "");
    ft_put(root, "bus/vdpa/drivers_probe", "");
    ft_put(root, "bus/vdpa/drivers_autoprobe", "1");
    ft_mk(root, "bus/vdpa/devices/vdpa0/vhost-vdpa-0");
    ft_put(root, "bus/vdpa/devices/vdpa0/driver_override", "(null)\n");
    ft_ln(root, "../../drivers/vhost_vdpa", "bus/vdpa/devices/vdpa0/driver");
    ft_mk(root, "bus/vdpa/devices/vdpa1/virtio3/net/eth7");
    ft_put(root, "bus/vdpa/devices/vdpa1/driver_override", "(null)\n");
}

static void
fake_read(const char *root, const char *rel, char *buf, size_t size)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, size - 1, f);
    buf[n] = '\0';
    fclose(f);
}

START_TEST(test_bus)
{
    char root[64], buf[64];
    bool on;
    fake_bus(root);
    ck_assert_int_eq(vdpabus_driver(root, "vdpa0", buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "vhost_vdpa");
    ck_assert_int_eq(vdpabus_driver(root, "vdpa1", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    ck_assert_int_eq(vdpabus_driver(root, "nope", buf, sizeof buf), -ENODEV);
    ck_assert_int_eq(vdpabus_driver(root, "../x", buf, sizeof buf), -EINVAL);
    ck_assert(vdpabus_driver_loaded(root, "vhost_vdpa"));
    ck_assert(!vdpabus_driver_loaded(root, "virtio_vdpa"));
    ck_assert_int_eq(vdpabus_chardev(root, "vdpa0", buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "vhost-vdpa-0");
    ck_assert_int_eq(vdpabus_chardev(root, "vdpa1", buf, sizeof buf), 0);
    ck_assert_int_eq(vdpabus_netdev(root, "vdpa1", buf, sizeof buf), 1);
    ck_assert_str_eq(buf, "eth7");
    ck_assert_int_eq(vdpabus_netdev(root, "vdpa0", buf, sizeof buf), 0);
    ck_assert_int_eq(vdpabus_autoprobe_get(root, &on), 0);
    ck_assert(on);
    ck_assert_int_eq(vdpabus_autoprobe_set(root, false), 0);
    fake_read(root, "bus/vdpa/drivers_autoprobe", buf, sizeof buf);
    ck_assert_str_eq(buf, "0");

    /* Already bound to it: nothing written. To a driver not loaded:
     * -ENOENT, nothing written either. */
    ck_assert_int_eq(vdpabus_bind(root, "vdpa0", "vhost_vdpa"), 0);
    ck_assert_int_eq(vdpabus_bind(root, "vdpa0", "virtio_vdpa"), -ENOENT);
    fake_read(root, "bus/vdpa/drivers/vhost_vdpa/unbind", buf, sizeof buf);
    ck_assert_str_eq(buf, "");
    /* vdpa1 to vhost_vdpa: override, then probe; the fake kernel binds
     * nothing, which the check after the writes reports. */
    ck_assert_int_eq(vdpabus_bind(root, "vdpa1", "vhost_vdpa"), -EIO);
    fake_read(root, "bus/vdpa/devices/vdpa1/driver_override", buf, sizeof buf);
    ck_assert_str_eq(buf, "vhost_vdpa");
    fake_read(root, "bus/vdpa/drivers_probe", buf, sizeof buf);
    ck_assert_str_eq(buf, "vdpa1");
    /* A switch unbinds from the current driver first. */
    ft_mk(root, "bus/vdpa/drivers/virtio_vdpa");
    ck_assert_int_eq(vdpabus_bind(root, "vdpa0", "virtio_vdpa"), -EIO);
    fake_read(root, "bus/vdpa/drivers/vhost_vdpa/unbind", buf, sizeof buf);
    ck_assert_str_eq(buf, "vdpa0");
    fake_read(root, "bus/vdpa/devices/vdpa0/driver_override", buf, sizeof buf);
    ck_assert_str_eq(buf, "virtio_vdpa");
    ft_rm(root);
}
END_TEST

Suite *
vdpa_suite(void)
{
    Suite *s = suite_create("vdpa");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_mgmtdev_parse);
    tcase_add_test(tc, test_encode_dev_new);
    tcase_add_test(tc, test_encode_named);
    tcase_add_test(tc, test_decode_mgmtdev);
    tcase_add_test(tc, test_decode_dev);
    tcase_add_test(tc, test_decode_config);
    tcase_add_test(tc, test_decode_config_61);
    suite_add_tcase(s, tc);
    tc = tcase_create("bus");
    tcase_add_test(tc, test_bus);
    suite_add_tcase(s, tc);
    return s;
}
