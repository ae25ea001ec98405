/* oa_link_: RTM_GETLINK/SETLINK encoding, RTM_NEWLINK decoding. */
#include "nltest.h"

#include "oa-netlink/link.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>

static const size_t IFI = sizeof(struct ifinfomsg);

START_TEST(test_encode_get)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(oa_link_encode_get(buf, sizeof buf, 0, "eth1", true), 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, RTM_GETLINK);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(ifi->ifi_index, 0);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_msg(nlh, IFI, IFLA_IFNAME)),
                     "eth1");
    /* Without RTEXT_FILTER_VF the kernel leaves the VF list out; per-VF
     * statistics would only make the list overflow sooner. */
    ck_assert_uint_eq(mnl_attr_get_u32(nlt_find_msg(nlh, IFI, IFLA_EXT_MASK)),
                      RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS);

    ck_assert_int_gt(oa_link_encode_get(buf, sizeof buf, 12, NULL, false), 0);
    ck_assert_int_eq(ifi->ifi_index, 12);
    ck_assert_ptr_null(nlt_find_msg(nlh, IFI, IFLA_IFNAME));
    ck_assert_ptr_null(nlt_find_msg(nlh, IFI, IFLA_EXT_MASK));

    ck_assert_int_eq(oa_link_encode_get(buf, sizeof buf, 0, NULL, true),
                     -EINVAL);
    ck_assert_int_eq(oa_link_encode_get(buf, sizeof buf, 0,
                                        "a-name-too-long-for-linux", true),
                     -EINVAL);

    ck_assert_int_gt(oa_link_encode_dump(buf, sizeof buf, false), 0);
    ck_assert_int_eq(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
}
END_TEST

START_TEST(test_encode_set_vf)
{
    char buf[NLT_BUF];
    static const uint8_t mac[6] = {0xe4, 0x11, 0x22, 0x33, 0x55, 0x60};
    struct oa_link_vf_req req;
    oa_link_vf_req_init(&req, 2);
    req.mac = mac;
    req.vlan = 100;
    req.trust = 1;
    ck_assert_int_gt(oa_link_encode_set_vf(buf, sizeof buf, 5, &req), 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, RTM_SETLINK);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ck_assert_int_eq(ifi->ifi_index, 5);
    const struct nlattr *list = nlt_find_msg(nlh, IFI, IFLA_VFINFO_LIST);
    ck_assert_ptr_nonnull(list);
    const struct nlattr *info = nlt_find_nested(list, IFLA_VF_INFO);
    ck_assert_ptr_nonnull(info);

    const struct ifla_vf_mac *m =
        mnl_attr_get_payload(nlt_find_nested(info, IFLA_VF_MAC));
    ck_assert_uint_eq(m->vf, 2);
    ck_assert_mem_eq(m->mac, mac, 6);
    const struct ifla_vf_vlan *v =
        mnl_attr_get_payload(nlt_find_nested(info, IFLA_VF_VLAN));
    ck_assert_uint_eq(v->vf, 2);
    ck_assert_uint_eq(v->vlan, 100);
    ck_assert_uint_eq(v->qos, 0);
    const struct ifla_vf_trust *t =
        mnl_attr_get_payload(nlt_find_nested(info, IFLA_VF_TRUST));
    ck_assert_uint_eq(t->vf, 2);
    ck_assert_uint_eq(t->setting, 1);
    /* Not asked for: not sent (drivers may refuse what they lack). */
    ck_assert_ptr_null(nlt_find_nested(info, IFLA_VF_SPOOFCHK));

    req.vlan = 4096;
    ck_assert_int_eq(oa_link_encode_set_vf(buf, sizeof buf, 5, &req), -EINVAL);
    req.vlan = -1;
    ck_assert_int_eq(oa_link_encode_set_vf(buf, sizeof buf, 0, &req), -EINVAL);
    ck_assert_int_eq(oa_link_encode_set_vf(buf, 48, 5, &req), -ENOSPC);
}
END_TEST

START_TEST(test_encode_set_up)
{
    char buf[NLT_BUF];
    ck_assert_int_gt(oa_link_encode_set_up(buf, sizeof buf, 3, true), 0);
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload((void *)buf);
    ck_assert_uint_eq(ifi->ifi_change, IFF_UP);
    ck_assert_uint_eq(ifi->ifi_flags, IFF_UP);
    ck_assert_int_gt(oa_link_encode_set_up(buf, sizeof buf, 3, false), 0);
    ck_assert_uint_eq(ifi->ifi_change, IFF_UP);
    ck_assert_uint_eq(ifi->ifi_flags, 0);
}
END_TEST

static void
put_vf(struct nlmsghdr *nlh, uint32_t vf, uint8_t last, uint32_t vlan,
       uint32_t spoofchk, uint32_t trust)
{
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
    struct ifla_vf_mac m = {.vf = vf, .mac = {0x02, 0, 0, 0, 0, last}};
    mnl_attr_put(nlh, IFLA_VF_MAC, sizeof m, &m);
    struct ifla_vf_vlan v = {.vf = vf, .vlan = vlan, .qos = 0};
    mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof v, &v);
    struct ifla_vf_spoofchk s = {.vf = vf, .setting = spoofchk};
    mnl_attr_put(nlh, IFLA_VF_SPOOFCHK, sizeof s, &s);
    struct ifla_vf_trust t = {.vf = vf, .setting = trust};
    mnl_attr_put(nlh, IFLA_VF_TRUST, sizeof t, &t);
    struct nlattr *stats = mnl_attr_nest_start(nlh, IFLA_VF_STATS);
    mnl_attr_put_u64(nlh, IFLA_VF_STATS_RX_PACKETS, 5);
    mnl_attr_nest_end(nlh, stats);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 1);
    mnl_attr_nest_end(nlh, info);
}

static struct nlmsghdr *
put_link(void *buf)
{
    struct nlmsghdr *nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_index = 4;
    ifi->ifi_flags = IFF_UP | IFF_BROADCAST;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_put(nlh, IFLA_ADDRESS, 6, "\x02\xaa\xbb\xcc\xdd\xee");
    mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
    mnl_attr_put_u32(nlh, IFLA_MASTER, 7);
    mnl_attr_put_strz(nlh, IFLA_PHYS_PORT_NAME, "p1");
    mnl_attr_put(nlh, IFLA_PHYS_SWITCH_ID, 8,
                 "\x01\x02\x03\x04\xa5\xb6\xc7\xd8");
    mnl_attr_put_strz(nlh, IFLA_PARENT_DEV_NAME, "netdevsim1");
    mnl_attr_put_strz(nlh, IFLA_PARENT_DEV_BUS_NAME, "netdevsim");
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 0xdead);
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 2);
    struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    put_vf(nlh, 0, 0x10, 0, 1, 1);
    put_vf(nlh, 1, 0x11, 42, (uint32_t)-1, 0);
    mnl_attr_nest_end(nlh, list);
    return nlh;
}

START_TEST(test_decode_link)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_link(buf);
    struct oa_link *l;
    ck_assert_int_eq(oa_link_decode(nlh, &l), 0);
    ck_assert_int_eq(l->ifindex, 4);
    ck_assert(l->flags & IFF_UP);
    ck_assert_str_eq(l->name, "eth0");
    ck_assert_uint_eq(l->addr_len, 6);
    ck_assert_uint_eq(l->operstate, 6);
    ck_assert_int_eq(l->master, 7);
    ck_assert_str_eq(l->phys_port_name, "p1");
    ck_assert_uint_eq(l->switch_id_len, 8);
    char hex[40];
    ck_assert_int_eq(oa_link_switch_id_hex(l, hex, sizeof hex), 0);
    ck_assert_str_eq(hex, "01020304a5b6c7d8");
    ck_assert_int_eq(oa_link_switch_id_hex(l, hex, 16), -ENOSPC);
    ck_assert_str_eq(l->parent_dev, "netdevsim1");
    ck_assert_str_eq(l->parent_bus, "netdevsim");
    ck_assert(l->has_num_vf);
    ck_assert_uint_eq(l->num_vf, 2);
    ck_assert_uint_eq(l->n_vfs, 2);

    const struct oa_link_vf *vf0 = oa_link_vf_find(l, 0);
    const struct oa_link_vf *vf1 = oa_link_vf_find(l, 1);
    ck_assert_ptr_nonnull(vf0);
    ck_assert_ptr_nonnull(vf1);
    ck_assert_ptr_null(oa_link_vf_find(l, 2));
    ck_assert_uint_eq(vf0->mac[5], 0x10);
    ck_assert(vf0->has_spoofchk && vf0->spoofchk);
    ck_assert(vf0->has_trust && vf0->trust);
    ck_assert_uint_eq(vf1->mac[5], 0x11);
    ck_assert_uint_eq(vf1->vlan, 42);
    /* setting -1: the driver does not report spoof checking. */
    ck_assert(!vf1->has_spoofchk);
    ck_assert(vf1->has_trust && !vf1->trust);
    oa_link_destroy(l);
    oa_link_destroy(NULL);
}
END_TEST

START_TEST(test_decode_link_errors)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = put_link(buf);
    struct oa_link *l = (void *)1;
    /* Cut inside the VF list (the last attribute): clean error, nothing
     * leaked (ASan), *out cleared. */
    nlh->nlmsg_len -= 10;
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);
    ck_assert_ptr_null(l);

    nlh = put_link(buf);
    nlh->nlmsg_type = RTM_NEWADDR;
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EPROTO);

    nlh = nlt_start(buf, RTM_NEWLINK, 0);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4; /* inside struct ifinfomsg */
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);

    /* Every link the kernel reports has a name; libnl's parser insists. */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 0);
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);
    ck_assert_ptr_null(l);

    /* IFLA_NUM_VF says 3, the list holds 2: an overflowed list. */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 3);
    struct nlattr *short_list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    put_vf(nlh, 0, 0x10, 0, 1, 1);
    put_vf(nlh, 1, 0x11, 0, 1, 1);
    mnl_attr_nest_end(nlh, short_list);
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EMSGSIZE);
    ck_assert_ptr_null(l);

    /* A dump without VF info still carries IFLA_NUM_VF: fine. */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 3);
    ck_assert_int_eq(oa_link_decode(nlh, &l), 0);
    ck_assert_uint_eq(l->n_vfs, 0);
    oa_link_destroy(l);

    /* A VF MAC attribute too short for struct ifla_vf_mac. */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 1);
    struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
    mnl_attr_put_u32(nlh, IFLA_VF_MAC, 0);
    mnl_attr_nest_end(nlh, info);
    mnl_attr_nest_end(nlh, list);
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);
    ck_assert_ptr_null(l);

    /* A VF list without IFLA_NUM_VF (the kernel always sends both):
     * refused, not silently read as "no VFs". */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    put_vf(nlh, 0, 0x10, 0, 1, 1);
    mnl_attr_nest_end(nlh, list);
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);

    /* A VLAN list entry shorter than struct ifla_vf_vlan_info (libnl
     * would read past it). */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 1);
    list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
    struct ifla_vf_mac m = {.vf = 0};
    mnl_attr_put(nlh, IFLA_VF_MAC, sizeof m, &m);
    struct nlattr *vlans = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
    mnl_attr_put_u32(nlh, IFLA_VF_VLAN_INFO, 5);
    mnl_attr_nest_end(nlh, vlans);
    mnl_attr_nest_end(nlh, info);
    mnl_attr_nest_end(nlh, list);
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);

    /* An empty VLAN list (libnl 3.7 would mark the VF as having VLANs
     * without a VLAN object) and a VLAN list entry of another type that
     * is too short (libnl reads every entry as one). */
    for (int bad = 0; bad < 2; bad++) {
        nlh = nlt_start(buf, RTM_NEWLINK, IFI);
        mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
        mnl_attr_put_u32(nlh, IFLA_NUM_VF, 1);
        list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
        info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
        mnl_attr_put(nlh, IFLA_VF_MAC, sizeof m, &m);
        vlans = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
        if (bad) {
            mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 5);
        }
        mnl_attr_nest_end(nlh, vlans);
        mnl_attr_nest_end(nlh, info);
        mnl_attr_nest_end(nlh, list);
        ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);
    }

    /* Attributes read where they lie are checked as libnl's policy
     * would: a master shorter than a u32, an empty operstate, a name
     * longer than IFNAMSIZ allows, an empty name. */
    static const struct {
        uint16_t type;
        const char *data;
        uint16_t len;
    } bad_attrs[] = {
        {IFLA_MASTER, "\x07\x00", 2},
        {IFLA_NUM_VF, "\x01", 1},
        {IFLA_OPERSTATE, "", 0},
        {IFLA_IFNAME, "sixteen-chars-xx", 17},
        {IFLA_IFNAME, "", 1},
        {IFLA_ADDRESS, "0123456789abcdef0123456789abcdef!", 33},
    };
    for (size_t i = 0; i < sizeof bad_attrs / sizeof bad_attrs[0]; i++) {
        nlh = nlt_start(buf, RTM_NEWLINK, IFI);
        if (bad_attrs[i].type != IFLA_IFNAME) {
            mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
        }
        mnl_attr_put(nlh, bad_attrs[i].type, bad_attrs[i].len,
                     bad_attrs[i].data);
        l = (void *)1;
        ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);
        ck_assert_ptr_null(l);
    }

    /* Attributes nothing here reads are not parsed at all, however
     * malformed (libnl 3.7's IFLA_LINKINFO parser dereferenced NULL on
     * one without IFLA_INFO_DATA). */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    struct nlattr *linkinfo = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bond");
    mnl_attr_nest_end(nlh, linkinfo);
    mnl_attr_put_u8(nlh, IFLA_MTU, 1);
    ck_assert_int_eq(oa_link_decode(nlh, &l), 0);
    ck_assert_str_eq(l->name, "eth0");
    ck_assert(!l->has_num_vf);
    oa_link_destroy(l);

    /* Cut inside a string attribute in the middle of the message. */
    nlh = put_link(buf);
    nlh->nlmsg_len = MNL_NLMSG_HDRLEN + MNL_ALIGN(IFI) + 6;
    ck_assert_int_eq(oa_link_decode(nlh, &l), -EBADMSG);
}
END_TEST

/* VLAN list (802.1ad) and link state as the kernel sends them, and a
 * deletion notice. */
START_TEST(test_decode_vlan_list)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = nlt_start(buf, RTM_DELLINK, IFI);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_index = 9;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "pf0");
    mnl_attr_put_u32(nlh, IFLA_NUM_VF, 1);
    struct nlattr *list = mnl_attr_nest_start(nlh, IFLA_VFINFO_LIST);
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_VF_INFO);
    struct ifla_vf_mac m = {.vf = 0, .mac = {0x02, 1, 2, 3, 4, 5}};
    mnl_attr_put(nlh, IFLA_VF_MAC, sizeof m, &m);
    struct ifla_vf_vlan v = {.vf = 0, .vlan = 7, .qos = 3};
    mnl_attr_put(nlh, IFLA_VF_VLAN, sizeof v, &v);
    struct nlattr *vlans = mnl_attr_nest_start(nlh, IFLA_VF_VLAN_LIST);
    struct ifla_vf_vlan_info vi = {
        .vf = 0, .vlan = 7, .qos = 3, .vlan_proto = htons(0x88a8)};
    mnl_attr_put(nlh, IFLA_VF_VLAN_INFO, sizeof vi, &vi);
    mnl_attr_nest_end(nlh, vlans);
    struct ifla_vf_link_state ls = {.vf = 0,
                                    .link_state = IFLA_VF_LINK_STATE_DISABLE};
    mnl_attr_put(nlh, IFLA_VF_LINK_STATE, sizeof ls, &ls);
    mnl_attr_nest_end(nlh, info);
    mnl_attr_nest_end(nlh, list);

    struct oa_link *l;
    ck_assert_int_eq(oa_link_decode(nlh, &l), 0);
    ck_assert_int_eq(l->ifindex, 9);
    ck_assert_str_eq(l->name, "pf0");
    ck_assert_uint_eq(l->n_vfs, 1);
    ck_assert_uint_eq(l->vfs[0].mac[5], 5);
    ck_assert_uint_eq(l->vfs[0].vlan, 7);
    ck_assert_uint_eq(l->vfs[0].qos, 3);
    ck_assert(l->vfs[0].has_link_state);
    ck_assert_uint_eq(l->vfs[0].link_state, IFLA_VF_LINK_STATE_DISABLE);
    /* Not reported by this "driver": unknown, not "off". */
    ck_assert(!l->vfs[0].has_trust);
    ck_assert(!l->vfs[0].has_spoofchk);
    oa_link_destroy(l);
}
END_TEST

Suite *
link_suite(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_get);
    tcase_add_test(tc, test_encode_set_vf);
    tcase_add_test(tc, test_encode_set_up);
    tcase_add_test(tc, test_decode_link);
    tcase_add_test(tc, test_decode_link_errors);
    tcase_add_test(tc, test_decode_vlan_list);
    suite_add_tcase(s, tc);
    return s;
}
