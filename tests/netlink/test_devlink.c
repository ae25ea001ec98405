/* devlink_: handles, request encoding, reply decoding. */
#include "nltest.h"

#include "oa-netlink/devlink.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <string.h>

#define FAM 27

START_TEST(test_handle_parse)
{
    struct devlink_handle h;
    char buf[96];
    ck_assert_int_eq(devlink_handle_parse("pci/0000:43:00.0", &h), 0);
    ck_assert_str_eq(h.bus, "pci");
    ck_assert_str_eq(h.dev, "0000:43:00.0");
    ck_assert_int_eq(devlink_handle_format(&h, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "pci/0000:43:00.0");
    ck_assert_int_eq(devlink_handle_format(&h, buf, 5), -ENOSPC);
    ck_assert_int_eq(devlink_handle_parse("netdevsim/netdevsim1", &h), 0);
    ck_assert_str_eq(h.dev, "netdevsim1");
    ck_assert_int_eq(devlink_handle_parse("pci", &h), -EINVAL);
    ck_assert_int_eq(devlink_handle_parse("/x", &h), -EINVAL);
    ck_assert_int_eq(devlink_handle_parse("pci/", &h), -EINVAL);
    ck_assert_int_eq(devlink_handle_parse("a/b/c", &h), -EINVAL);
}
END_TEST

static const struct genlmsghdr *
genl(const void *buf)
{
    return mnl_nlmsg_get_payload((const struct nlmsghdr *)buf);
}

START_TEST(test_encode_eswitch_set)
{
    char buf[NLT_BUF];
    struct devlink_handle h = {"pci", "0000:43:00.0"};
    struct devlink_eswitch_req req = {DEVLINK_ESWITCH_MODE_SWITCHDEV,
                                      DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT,
                                      -1};
    int len = devlink_encode_eswitch_set(buf, sizeof buf, FAM, &h, &req);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_ESWITCH_SET);
    size_t gl = sizeof(struct genlmsghdr);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_BUS_NAME)), "pci");
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_DEV_NAME)),
        "0000:43:00.0");
    ck_assert_uint_eq(
        mnl_attr_get_u16(nlt_find_msg(nlh, gl, DEVLINK_ATTR_ESWITCH_MODE)),
        DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_uint_eq(mnl_attr_get_u8(nlt_find_msg(
                          nlh, gl, DEVLINK_ATTR_ESWITCH_INLINE_MODE)),
                      DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT);
    /* Unset settings are not sent: the driver would refuse them. */
    ck_assert_ptr_null(nlt_find_msg(nlh, gl, DEVLINK_ATTR_ESWITCH_ENCAP_MODE));

    ck_assert_int_eq(devlink_encode_eswitch_set(buf, 40, FAM, &h, &req),
                     -ENOSPC);
    struct devlink_eswitch_req bad = {70000, -1, -1};
    ck_assert_int_eq(
        devlink_encode_eswitch_set(buf, sizeof buf, FAM, &h, &bad), -EINVAL);
}
END_TEST

START_TEST(test_encode_dumps)
{
    char buf[NLT_BUF];
    int len = devlink_encode_port_dump(buf, sizeof buf, FAM);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_PORT_GET);
    ck_assert_int_gt(devlink_encode_dev_dump(buf, sizeof buf, FAM), 0);
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_GET);
    struct devlink_handle h = {"netdevsim", "netdevsim1"};
    ck_assert_int_gt(devlink_encode_eswitch_get(buf, sizeof buf, FAM, &h), 0);
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_ESWITCH_GET);
}
END_TEST

/* Every byte the kernel is sent is written, padding too: "netdevsim1"
 * is 11 bytes with its NUL, padded to 12 (libmnl 1.0.4 does not clear
 * it; valgrind saw it in the daemon's sendto). */
START_TEST(test_encode_no_stale_bytes)
{
    char buf[NLT_BUF];
    memset(buf, 0xa5, sizeof buf);
    struct devlink_handle h = {"pci", "netdevsim1"};
    int len = devlink_encode_eswitch_get(buf, sizeof buf, FAM, &h);
    ck_assert_int_gt(len, 0);
    for (int i = 0; i < len; i++) {
        ck_assert_msg((unsigned char)buf[i] != 0xa5, "byte %d of %d unset", i,
                      len);
    }
}
END_TEST

static struct nlmsghdr *
put_port(void *buf, uint8_t cmd)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "netdevsim");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "netdevsim1");
    mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, 129);
    mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_TYPE, DEVLINK_PORT_TYPE_ETH);
    mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_NETDEV_IFINDEX, 7);
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_PORT_NETDEV_NAME, "eth3");
    mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_FLAVOUR,
                     DEVLINK_PORT_FLAVOUR_PCI_VF);
    mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_CONTROLLER_NUMBER, 0);
    mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_PF_NUMBER, 0);
    mnl_attr_put_u16(nlh, DEVLINK_ATTR_PORT_PCI_VF_NUMBER, 3);
    mnl_attr_put_u8(nlh, DEVLINK_ATTR_PORT_EXTERNAL, 0);
    /* Newer than our headers: a plain one and a nested one. */
    mnl_attr_put_u64(nlh, NLT_UNKNOWN_TYPE, 42);
    struct nlattr *n = mnl_attr_nest_start(nlh, NLT_UNKNOWN_TYPE - 1);
    mnl_attr_put_u32(nlh, 1, 1);
    mnl_attr_nest_end(nlh, n);
    /* The port function: its state (skipped) and its MAC. */
    n = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PORT_FUNCTION);
    mnl_attr_put_u8(nlh, DEVLINK_PORT_FN_ATTR_STATE,
                    DEVLINK_PORT_FN_STATE_ACTIVE);
    mnl_attr_put(nlh, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6,
                 "\x02\x00\x00\x00\x00\x01");
    mnl_attr_nest_end(nlh, n);
    return nlh;
}

/* A PORT_NEW of a VF port whose function nest holds 'fn' (an attribute
 * of type 'type' and 'len' bytes), or no nest when 'fn' is NULL. */
static struct nlmsghdr *
put_port_fn(void *buf, uint16_t type, size_t len, const void *fn)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_PORT_NEW;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:43:00.0");
    mnl_attr_put_u32(nlh, DEVLINK_ATTR_PORT_INDEX, 2);
    if (fn) {
        struct nlattr *n =
            mnl_attr_nest_start(nlh, DEVLINK_ATTR_PORT_FUNCTION);
        mnl_attr_put(nlh, type, len, fn);
        mnl_attr_nest_end(nlh, n);
    }
    return nlh;
}

START_TEST(test_decode_port)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_port(buf, DEVLINK_CMD_PORT_NEW);
    struct devlink_port_info p;
    ck_assert_int_eq(devlink_decode_port(nlh, &p), 0);
    ck_assert_str_eq(p.dev.bus, "netdevsim");
    ck_assert_str_eq(p.dev.dev, "netdevsim1");
    ck_assert_uint_eq(p.index, 129);
    ck_assert_uint_eq(p.netdev_ifindex, 7);
    ck_assert_str_eq(p.netdev_name, "eth3");
    ck_assert(p.has_flavour);
    ck_assert_uint_eq(p.flavour, DEVLINK_PORT_FLAVOUR_PCI_VF);
    ck_assert(p.has_pfnum && p.has_vfnum && p.has_controller);
    ck_assert(!p.has_sfnum);
    ck_assert_uint_eq(p.pfnum, 0);
    ck_assert_uint_eq(p.vfnum, 3);
    ck_assert(!p.external);
    ck_assert_str_eq(devlink_port_flavour_name(p.flavour), "pcivf");
    ck_assert(p.has_fn_hw_addr);
    ck_assert_mem_eq(p.fn_hw_addr, "\x02\x00\x00\x00\x00\x01", 6);

    /* Kernels up to 6.2 answer port dumps with DEVLINK_CMD_NEW. */
    nlh = put_port(buf, DEVLINK_CMD_NEW);
    ck_assert_int_eq(devlink_decode_port(nlh, &p), 0);
    ck_assert_uint_eq(p.vfnum, 3);
}
END_TEST

/* The port function's MAC is there only when the driver sent an
 * Ethernet address. */
START_TEST(test_decode_port_function)
{
    char buf[NLT_BUF];
    struct devlink_port_info p;
    static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    static const uint8_t ib[20] = {1, 2, 3};

    ck_assert_int_eq(
        devlink_decode_port(
            put_port_fn(buf, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6, mac), &p),
        0);
    ck_assert(p.has_fn_hw_addr);
    ck_assert_mem_eq(p.fn_hw_addr, mac, 6);

    /* No nest (stock netdevsim, a physical port), a nest with the state
     * only, an InfiniBand address: no MAC, no error. */
    ck_assert_int_eq(devlink_decode_port(put_port_fn(buf, 0, 0, NULL), &p), 0);
    ck_assert(!p.has_fn_hw_addr);
    uint8_t state = DEVLINK_PORT_FN_STATE_INACTIVE;
    ck_assert_int_eq(
        devlink_decode_port(
            put_port_fn(buf, DEVLINK_PORT_FN_ATTR_STATE, 1, &state), &p),
        0);
    ck_assert(!p.has_fn_hw_addr);
    ck_assert_int_eq(
        devlink_decode_port(
            put_port_fn(buf, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 20, ib), &p),
        0);
    ck_assert(!p.has_fn_hw_addr);

    /* A nest that claims more than it holds. */
    struct nlmsghdr *nlh =
        put_port_fn(buf, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6, mac);
    struct nlattr *fn = (struct nlattr *)nlt_find_msg(
        nlh, sizeof(struct genlmsghdr), DEVLINK_ATTR_PORT_FUNCTION);
    ck_assert_ptr_nonnull(fn);
    struct nlattr *hw = (struct nlattr *)mnl_attr_get_payload(fn);
    hw->nla_len = 40;
    ck_assert_int_eq(devlink_decode_port(nlh, &p), -EBADMSG);
}
END_TEST

/* "devlink port function set DEV/PORT hw_addr MAC": PORT_SET with the
 * handle, the port index and the MAC in a nest flagged NLA_F_NESTED. */
START_TEST(test_encode_port_fn_hw_addr_set)
{
    char buf[NLT_BUF];
    struct devlink_handle h = {"pci", "0000:43:00.0"};
    static const uint8_t mac[6] = {0x02, 0, 0, 0, 0x01, 0x07};
    int len =
        devlink_encode_port_fn_hw_addr_set(buf, sizeof buf, FAM, &h, 131, mac);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq((int)nlh->nlmsg_len, len);
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_PORT_SET);
    size_t gl = sizeof(struct genlmsghdr);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_BUS_NAME)), "pci");
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_DEV_NAME)),
        "0000:43:00.0");
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PORT_INDEX)), 131);
    const struct nlattr *fn =
        nlt_find_msg(nlh, gl, DEVLINK_ATTR_PORT_FUNCTION);
    ck_assert_ptr_nonnull(fn);
    ck_assert(fn->nla_type & NLA_F_NESTED);
    const struct nlattr *hw =
        nlt_find_nested(fn, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR);
    ck_assert_ptr_nonnull(hw);
    ck_assert_uint_eq(mnl_attr_get_payload_len(hw), 6);
    ck_assert_mem_eq(mnl_attr_get_payload(hw), mac, 6);
    /* Nothing else in the nest: a state would change the function. */
    ck_assert_ptr_null(nlt_find_nested(fn, DEVLINK_PORT_FN_ATTR_STATE));

    /* Room for the handle and the index but not the nest. */
    ck_assert_int_eq(
        devlink_encode_port_fn_hw_addr_set(buf, 60, FAM, &h, 131, mac),
        -ENOSPC);
}
END_TEST

START_TEST(test_decode_port_errors)
{
    char buf[NLT_BUF];
    struct devlink_port_info p;
    struct nlmsghdr *nlh = put_port(buf, DEVLINK_CMD_ESWITCH_GET);
    ck_assert_int_eq(devlink_decode_port(nlh, &p), -EPROTO);

    nlh = put_port(buf, DEVLINK_CMD_PORT_NEW);
    nlh->nlmsg_len -= 3; /* cut inside the last attribute */
    ck_assert_int_eq(devlink_decode_port(nlh, &p), -EBADMSG);

    /* A u16 attribute with a 1-byte payload. */
    nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_PORT_NEW;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:01:00.0");
    mnl_attr_put_u8(nlh, DEVLINK_ATTR_PORT_FLAVOUR, 4);
    ck_assert_int_eq(devlink_decode_port(nlh, &p), -EBADMSG);

    /* No handle at all. */
    nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_PORT_NEW;
    ck_assert_int_eq(devlink_decode_port(nlh, &p), -EBADMSG);

    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 1; /* inside the genl header */
    ck_assert_int_eq(devlink_decode_port(nlh, &p), -EBADMSG);
}
END_TEST

START_TEST(test_decode_eswitch)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_ESWITCH_GET;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:43:00.0");
    mnl_attr_put_u16(nlh, DEVLINK_ATTR_ESWITCH_MODE,
                     DEVLINK_ESWITCH_MODE_SWITCHDEV);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 5);
    mnl_attr_put_u8(nlh, DEVLINK_ATTR_ESWITCH_ENCAP_MODE,
                    DEVLINK_ESWITCH_ENCAP_MODE_BASIC);
    struct devlink_handle h;
    struct devlink_eswitch_state st;
    ck_assert_int_eq(devlink_decode_eswitch(nlh, &h, &st), 0);
    ck_assert_str_eq(h.dev, "0000:43:00.0");
    ck_assert(st.has_mode && st.has_encap_mode && !st.has_inline_mode);
    ck_assert_uint_eq(st.mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_str_eq(devlink_eswitch_mode_name(st.mode), "switchdev");
    ck_assert_str_eq(devlink_encap_mode_name(st.encap_mode), "basic");
    ck_assert_str_eq(devlink_inline_mode_name(9), "unknown");

    nlh->nlmsg_len -= 4; /* into the payload, not just the padding */
    ck_assert_int_eq(devlink_decode_eswitch(nlh, NULL, &st), -EBADMSG);
}
END_TEST

START_TEST(test_decode_dev)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = DEVLINK_CMD_NEW;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "netdevsim");
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 5);
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "netdevsim9");
    struct devlink_handle h;
    ck_assert_int_eq(devlink_decode_dev(nlh, &h), 0);
    ck_assert_str_eq(h.bus, "netdevsim");
    ck_assert_str_eq(h.dev, "netdevsim9");

    /* A device name longer than any bus allows. */
    char longname[200];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, longname);
    ck_assert_int_eq(devlink_decode_dev(nlh, &h), -EBADMSG);
}
END_TEST

/* The one set of mode names (status, plan --json, apply's messages):
 * anything the uapi does not name is "unknown", everywhere. */
START_TEST(test_mode_names)
{
    ck_assert_str_eq(devlink_eswitch_mode_name(DEVLINK_ESWITCH_MODE_LEGACY),
                     "legacy");
    ck_assert_str_eq(devlink_eswitch_mode_name(DEVLINK_ESWITCH_MODE_SWITCHDEV),
                     "switchdev");
    ck_assert_str_eq(devlink_eswitch_mode_name(2), "unknown");
    ck_assert_str_eq(devlink_eswitch_mode_name(-1), "unknown");
    ck_assert_str_eq(
        devlink_inline_mode_name(DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT),
        "transport");
    ck_assert_str_eq(devlink_inline_mode_name(9), "unknown");
    ck_assert_str_eq(devlink_encap_mode_name(DEVLINK_ESWITCH_ENCAP_MODE_BASIC),
                     "basic");
    ck_assert_str_eq(devlink_encap_mode_name(7), "unknown");
}
END_TEST

/* The uplink is the physical port with a netdev and the lowest index;
 * VF/PF ports and physical ports without a netdev are not. */
START_TEST(test_ports_uplink)
{
    struct devlink_port_info ports[5];
    memset(ports, 0, sizeof ports);
    ports[0] = (struct devlink_port_info){
        .index = 0,
        .has_flavour = true,
        .flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL}; /* no netdev */
    ports[1] =
        (struct devlink_port_info){.index = 7,
                                   .has_flavour = true,
                                   .flavour = DEVLINK_PORT_FLAVOUR_PCI_VF,
                                   .netdev_ifindex = 9,
                                   .netdev_name = "eth0_0"};
    ports[2] =
        (struct devlink_port_info){.index = 3,
                                   .has_flavour = true,
                                   .flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL,
                                   .netdev_ifindex = 5,
                                   .netdev_name = "p1"};
    ports[3] =
        (struct devlink_port_info){.index = 1,
                                   .has_flavour = true,
                                   .flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL,
                                   .netdev_ifindex = 4,
                                   .netdev_name = "p0"};
    ports[4] = (struct devlink_port_info){
        .index = 0,
        .flavour = DEVLINK_PORT_FLAVOUR_PHYSICAL,
        .netdev_ifindex = 3,
        .netdev_name = "noflav"}; /* flavour unsent */

    const struct devlink_port_info *up = devlink_ports_uplink(ports, 5);
    ck_assert_ptr_eq(up, &ports[3]);
    ck_assert_str_eq(up->netdev_name, "p0");
    ck_assert_ptr_eq(devlink_ports_uplink(ports, 3), &ports[2]);
    ck_assert_ptr_null(devlink_ports_uplink(ports, 2));
    ck_assert_ptr_null(devlink_ports_uplink(NULL, 0));
}
END_TEST

START_TEST(test_encode_param)
{
    char buf[NLT_BUF];
    struct devlink_handle h = {"pci", "0000:43:00.0"};
    size_t gl = sizeof(struct genlmsghdr);

    int len = devlink_encode_param_get(buf, sizeof buf, FAM, &h,
                                       "flow_steering_mode");
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert(!(nlh->nlmsg_flags & NLM_F_DUMP));
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_PARAM_GET);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_NAME)),
        "flow_steering_mode");
    ck_assert_ptr_nonnull(nlt_find_msg(nlh, gl, DEVLINK_ATTR_DEV_NAME));

    struct devlink_param p = {.name = "flow_steering_mode",
                              .type = DEVLINK_PARAM_STRING,
                              .cmode = DEVLINK_PARAM_CMODE_RUNTIME,
                              .str = "smfs"};
    len = devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p);
    ck_assert_int_gt(len, 0);
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_PARAM_SET);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_TYPE)),
        DEVLINK_PARAM_STRING);
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_VALUE_CMODE)),
        DEVLINK_PARAM_CMODE_RUNTIME);
    const struct nlattr *d =
        nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_VALUE_DATA);
    /* With its NUL: the kernel refuses a string without one. */
    ck_assert_uint_eq(mnl_attr_get_payload_len(d), 5);
    ck_assert_str_eq(mnl_attr_get_str(d), "smfs");
    ck_assert_int_eq(devlink_encode_param_set(buf, 60, FAM, &h, &p), -ENOSPC);

    /* A bool is a flag: absent for false. */
    p.type = DEVLINK_PARAM_BOOL;
    p.flag = false;
    ck_assert_int_gt(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     0);
    ck_assert_ptr_null(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_VALUE_DATA));
    p.flag = true;
    ck_assert_int_gt(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     0);
    d = nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_VALUE_DATA);
    ck_assert_ptr_nonnull(d);
    ck_assert_uint_eq(mnl_attr_get_payload_len(d), 0);

    p.type = DEVLINK_PARAM_U16;
    p.num = 4096;
    ck_assert_int_gt(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     0);
    ck_assert_uint_eq(
        mnl_attr_get_u16(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_VALUE_DATA)),
        4096);
    p.type = DEVLINK_PARAM_U8;
    ck_assert_int_eq(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     -EINVAL);
    p.type = DEVLINK_PARAM_NUL_STRING;
    p.num = 0;
    ck_assert_int_gt(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     0);
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_msg(nlh, gl, DEVLINK_ATTR_PARAM_TYPE)), 10);
    ck_assert_uint_eq(mnl_attr_get_payload_len(nlt_find_msg(
                          nlh, gl, DEVLINK_ATTR_PARAM_VALUE_DATA)),
                      5);
    p.type = 7; /* NLA_MSECS: not a devlink param type */
    ck_assert_int_eq(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     -EINVAL);
    p.type = DEVLINK_PARAM_STRING;
    memset(p.str, 'a', 32);
    p.str[32] = '\0';
    ck_assert_int_eq(devlink_encode_param_set(buf, sizeof buf, FAM, &h, &p),
                     -EINVAL);
}
END_TEST

/* A PARAM_GET reply as the kernel builds it (devlink_nl_param_fill),
 * with a value per cmode. */
static struct nlmsghdr *
param_reply(char *buf, uint8_t type, bool with_data)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_PARAM_GET;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "0000:43:00.0");
    struct nlattr *param = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PARAM);
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_PARAM_NAME, "flow_steering_mode");
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 5);
    struct nlattr *list =
        mnl_attr_nest_start(nlh, DEVLINK_ATTR_PARAM_VALUES_LIST);
    /* driverinit first: the runtime value must be picked, not the first. */
    struct nlattr *v = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PARAM_VALUE);
    mnl_attr_put_u8(nlh, DEVLINK_ATTR_PARAM_VALUE_CMODE,
                    DEVLINK_PARAM_CMODE_DRIVERINIT);
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_PARAM_VALUE_DATA, "smfs");
    mnl_attr_nest_end(nlh, v);
    v = mnl_attr_nest_start(nlh, DEVLINK_ATTR_PARAM_VALUE);
    mnl_attr_put_u8(nlh, DEVLINK_ATTR_PARAM_VALUE_CMODE,
                    DEVLINK_PARAM_CMODE_RUNTIME);
    if (with_data) {
        if (type == DEVLINK_PARAM_U32) {
            mnl_attr_put_u32(nlh, DEVLINK_ATTR_PARAM_VALUE_DATA, 70000);
        } else {
            mnl_attr_put_strz(nlh, DEVLINK_ATTR_PARAM_VALUE_DATA, "dmfs");
        }
    }
    mnl_attr_nest_end(nlh, v);
    mnl_attr_nest_end(nlh, list);
    /* The type after the values: the decoder must not depend on order. */
    mnl_attr_put_u8(nlh, DEVLINK_ATTR_PARAM_TYPE, type);
    mnl_attr_nest_end(nlh, param);
    return nlh;
}

START_TEST(test_decode_param)
{
    char buf[NLT_BUF];
    struct devlink_handle h;
    struct devlink_param p;

    struct nlmsghdr *nlh = param_reply(buf, DEVLINK_PARAM_STRING, true);
    ck_assert_int_eq(
        devlink_decode_param(nlh, &h, DEVLINK_PARAM_CMODE_RUNTIME, &p), 0);
    ck_assert_str_eq(h.dev, "0000:43:00.0");
    ck_assert_str_eq(p.name, "flow_steering_mode");
    ck_assert_uint_eq(p.type, DEVLINK_PARAM_STRING);
    ck_assert(p.has_value && !p.generic);
    ck_assert_uint_eq(p.cmode, DEVLINK_PARAM_CMODE_RUNTIME);
    ck_assert_str_eq(p.str, "dmfs");
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_DRIVERINIT, &p),
        0);
    ck_assert_str_eq(p.str, "smfs");
    /* No value in that cmode: not an error. */
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_PERMANENT, &p), 0);
    ck_assert(!p.has_value);
    ck_assert_str_eq(p.name, "flow_steering_mode");

    /* NLA_NUL_STRING is read as a string too. */
    nlh = param_reply(buf, DEVLINK_PARAM_NUL_STRING, true);
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p), 0);
    ck_assert_str_eq(p.str, "dmfs");
    ck_assert(devlink_param_is_string(p.type));

    nlh = param_reply(buf, DEVLINK_PARAM_U32, true);
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p), 0);
    ck_assert_uint_eq(p.num, 70000);

    /* A bool's false is a missing flag; another type needs its data. */
    nlh = param_reply(buf, DEVLINK_PARAM_BOOL, false);
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p), 0);
    ck_assert(p.has_value && !p.flag);
    nlh = param_reply(buf, DEVLINK_PARAM_STRING, false);
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p),
        -EBADMSG);
    /* Data shorter than the announced type (a 5-byte string for a
     * u64). */
    nlh = param_reply(buf, DEVLINK_PARAM_U64, true);
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p),
        -EBADMSG);

    /* Truncated, and of another command. */
    nlh = param_reply(buf, DEVLINK_PARAM_STRING, true);
    nlh->nlmsg_len -= 4;
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p),
        -EBADMSG);
    nlh = param_reply(buf, DEVLINK_PARAM_STRING, true);
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_ESWITCH_GET;
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p),
        -EPROTO);

    /* No PARAM nest at all: no name, no type. */
    nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd =
        DEVLINK_CMD_PARAM_GET;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "pci");
    ck_assert_int_eq(
        devlink_decode_param(nlh, NULL, DEVLINK_PARAM_CMODE_RUNTIME, &p),
        -EBADMSG);
}
END_TEST

START_TEST(test_encode_reload)
{
    char buf[NLT_BUF];
    struct devlink_handle h = {"pci", "0000:43:00.2"};
    size_t gl = sizeof(struct genlmsghdr);
    memset(buf, 0xa5, sizeof buf);
    int len = devlink_encode_reload(buf, sizeof buf, FAM, &h,
                                    DEVLINK_RELOAD_ACTION_DRIVER_REINIT);
    ck_assert_int_gt(len, 0);
    for (int i = 0; i < len; i++) {
        ck_assert_msg((unsigned char)buf[i] != 0xa5, "byte %d unset", i);
    }
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, FAM);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert(!(nlh->nlmsg_flags & NLM_F_DUMP));
    ck_assert_int_eq(genl(buf)->cmd, DEVLINK_CMD_RELOAD);
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_DEV_NAME)),
        "0000:43:00.2");
    ck_assert_str_eq(
        mnl_attr_get_str(nlt_find_msg(nlh, gl, DEVLINK_ATTR_BUS_NAME)), "pci");
    /* The action is named (so the kernel says what it performed); no
     * limit and no namespace: the instance stays where it is. */
    const struct nlattr *a = nlt_find_msg(nlh, gl, DEVLINK_ATTR_RELOAD_ACTION);
    ck_assert_ptr_nonnull(a);
    ck_assert_uint_eq(mnl_attr_get_payload_len(a), 1);
    ck_assert_uint_eq(mnl_attr_get_u8(a), DEVLINK_RELOAD_ACTION_DRIVER_REINIT);
    ck_assert_ptr_null(nlt_find_msg(nlh, gl, DEVLINK_ATTR_RELOAD_LIMITS));
    ck_assert_ptr_null(nlt_find_msg(nlh, gl, DEVLINK_ATTR_NETNS_FD));
    ck_assert_ptr_null(nlt_find_msg(nlh, gl, DEVLINK_ATTR_NETNS_PID));
    ck_assert_int_eq(
        devlink_encode_reload(buf, 40, FAM, &h,
                              DEVLINK_RELOAD_ACTION_DRIVER_REINIT),
        -ENOSPC);
}
END_TEST

/* The reply devlink sends when the request named its action
 * (devlink_nl_reload_actions_performed_snd): the handle and a
 * bitfield32 of what was done. */
static struct nlmsghdr *
reload_reply(char *buf, uint8_t cmd, const struct nla_bitfield32 *bf,
             size_t bf_len)
{
    struct nlmsghdr *nlh = nlt_start(buf, FAM, sizeof(struct genlmsghdr));
    ((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = cmd;
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_BUS_NAME, "netdevsim");
    mnl_attr_put_strz(nlh, DEVLINK_ATTR_DEV_NAME, "netdevsim7");
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 1);
    if (bf) {
        mnl_attr_put(nlh, DEVLINK_ATTR_RELOAD_ACTIONS_PERFORMED, bf_len, bf);
    }
    return nlh;
}

START_TEST(test_decode_reload)
{
    char buf[NLT_BUF];
    struct devlink_handle h;
    uint32_t done = 99;
    /* The selector may differ from the value: the value counts. */
    struct nla_bitfield32 bf = {(1u << DEVLINK_RELOAD_ACTION_DRIVER_REINIT) |
                                    (1u << DEVLINK_RELOAD_ACTION_FW_ACTIVATE),
                                0xffu};
    struct nlmsghdr *nlh =
        reload_reply(buf, DEVLINK_CMD_RELOAD, &bf, sizeof bf);
    ck_assert_int_eq(devlink_decode_reload(nlh, &h, &done), 0);
    ck_assert_str_eq(h.bus, "netdevsim");
    ck_assert_str_eq(h.dev, "netdevsim7");
    ck_assert_uint_eq(done, bf.value);
    ck_assert_int_eq(devlink_decode_reload(nlh, NULL, &done), 0);

    /* No actions attribute, one too short, truncated, another command. */
    nlh = reload_reply(buf, DEVLINK_CMD_RELOAD, NULL, 0);
    ck_assert_int_eq(devlink_decode_reload(nlh, &h, &done), -EBADMSG);
    ck_assert_uint_eq(done, 0);
    nlh = reload_reply(buf, DEVLINK_CMD_RELOAD, &bf, 4);
    ck_assert_int_eq(devlink_decode_reload(nlh, &h, &done), -EBADMSG);
    nlh = reload_reply(buf, DEVLINK_CMD_RELOAD, &bf, sizeof bf);
    nlh->nlmsg_len -= 4;
    ck_assert_int_eq(devlink_decode_reload(nlh, &h, &done), -EBADMSG);
    nlh = reload_reply(buf, DEVLINK_CMD_PARAM_GET, &bf, sizeof bf);
    ck_assert_int_eq(devlink_decode_reload(nlh, &h, &done), -EPROTO);
}
END_TEST

Suite *
devlink_suite(void)
{
    Suite *s = suite_create("devlink");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_handle_parse);
    tcase_add_test(tc, test_encode_eswitch_set);
    tcase_add_test(tc, test_encode_dumps);
    tcase_add_test(tc, test_encode_no_stale_bytes);
    tcase_add_test(tc, test_decode_port);
    tcase_add_test(tc, test_decode_port_errors);
    tcase_add_test(tc, test_decode_port_function);
    tcase_add_test(tc, test_encode_port_fn_hw_addr_set);
    tcase_add_test(tc, test_decode_eswitch);
    tcase_add_test(tc, test_decode_dev);
    tcase_add_test(tc, test_ports_uplink);
    tcase_add_test(tc, test_mode_names);
    tcase_add_test(tc, test_encode_param);
    tcase_add_test(tc, test_decode_param);
    tcase_add_test(tc, test_encode_reload);
    tcase_add_test(tc, test_decode_reload);
    suite_add_tcase(s, tc);
    return s;
}
