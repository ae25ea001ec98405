/* bond_: the rtnetlink requests that create, configure, enslave and
 * delete a bond, and the decoding of a bond's and a member's link. */
#include "nltest.h"

#include "oa-netlink/bond.h"

#include <errno.h>
#include <linux/if_bonding.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>

#define IFI sizeof(struct ifinfomsg)

static const struct ifinfomsg *
ifi_of(const struct nlmsghdr *nlh)
{
    return mnl_nlmsg_get_payload(nlh);
}

START_TEST(test_encode_create)
{
    char buf[NLT_BUF];
    struct bond_opts o = {.mode = BOND_MODE_8023AD,
                          .miimon_ms = 100,
                          .xmit_hash = BOND_XMIT_POLICY_LAYER34,
                          .lacp_rate = 1};
    int len = bond_encode_create(buf, sizeof buf, "bond0", &o);
    ck_assert_int_gt(len, 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, RTM_NEWLINK);
    /* A new link, never a change of an existing one of that name. */
    ck_assert_int_eq(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL),
                     NLM_F_CREATE | NLM_F_EXCL);
    ck_assert(nlh->nlmsg_flags & NLM_F_ACK);
    ck_assert_int_eq(ifi_of(nlh)->ifi_index, 0);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_msg(nlh, IFI, IFLA_IFNAME)),
                     "bond0");
    const struct nlattr *info = nlt_find_msg(nlh, IFI, IFLA_LINKINFO);
    ck_assert_ptr_nonnull(info);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_nested(info, IFLA_INFO_KIND)),
                     "bond");
    const struct nlattr *data = nlt_find_nested(info, IFLA_INFO_DATA);
    ck_assert_ptr_nonnull(data);
    ck_assert_uint_eq(mnl_attr_get_u8(nlt_find_nested(data, IFLA_BOND_MODE)),
                      BOND_MODE_8023AD);
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(data, IFLA_BOND_MIIMON)), 100);
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_nested(data, IFLA_BOND_XMIT_HASH_POLICY)),
        BOND_XMIT_POLICY_LAYER34);
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_nested(data, IFLA_BOND_AD_LACP_RATE)), 1);

    /* Options left to the kernel are not sent: a lacp_rate would be
     * refused outside 802.3ad. */
    o = (struct bond_opts){.mode = BOND_MODE_ACTIVEBACKUP,
                           .miimon_ms = 250,
                           .xmit_hash = -1,
                           .lacp_rate = -1};
    ck_assert_int_gt(bond_encode_create(buf, sizeof buf, "b", &o), 0);
    info = nlt_find_msg(nlh, IFI, IFLA_LINKINFO);
    data = nlt_find_nested(info, IFLA_INFO_DATA);
    ck_assert_uint_eq(mnl_attr_get_u8(nlt_find_nested(data, IFLA_BOND_MODE)),
                      BOND_MODE_ACTIVEBACKUP);
    ck_assert_ptr_null(nlt_find_nested(data, IFLA_BOND_XMIT_HASH_POLICY));
    ck_assert_ptr_null(nlt_find_nested(data, IFLA_BOND_AD_LACP_RATE));

    /* A name the kernel could not take; no room: refused, not cut. */
    ck_assert_int_eq(
        bond_encode_create(buf, sizeof buf, "bond-0123456789x", &o), -ENOSPC);
    ck_assert_int_eq(bond_encode_create(buf, 40, "bond0", &o), -ENOSPC);
}
END_TEST

START_TEST(test_encode_set_opts_no_create)
{
    char buf[NLT_BUF];
    struct bond_opts o = {.mode = BOND_MODE_XOR,
                          .miimon_ms = 100,
                          .xmit_hash = BOND_XMIT_POLICY_LAYER2,
                          .lacp_rate = -1};
    ck_assert_int_gt(bond_encode_set_opts(buf, sizeof buf, 9, &o), 0);
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_eq(nlh->nlmsg_type, RTM_NEWLINK);
    ck_assert(!(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)));
    ck_assert_int_eq(ifi_of(nlh)->ifi_index, 9);
    const struct nlattr *info = nlt_find_msg(nlh, IFI, IFLA_LINKINFO);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_nested(info, IFLA_INFO_KIND)),
                     "bond");
    ck_assert_ptr_null(nlt_find_msg(nlh, IFI, IFLA_IFNAME));
}
END_TEST

START_TEST(test_encode_change_opts)
{
    char buf[NLT_BUF];
    const struct nlmsghdr *nlh = (const void *)buf;
    struct bond_opt_change c = {
        .miimon_ms = 250, .xmit_hash = -1, .lacp_rate = -1};
    ck_assert_int_gt(bond_encode_change_opts(buf, sizeof buf, 9, &c), 0);
    ck_assert_int_eq(nlh->nlmsg_type, RTM_NEWLINK);
    ck_assert(!(nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL)));
    ck_assert_int_eq(ifi_of(nlh)->ifi_index, 9);
    const struct nlattr *info = nlt_find_msg(nlh, IFI, IFLA_LINKINFO);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_nested(info, IFLA_INFO_KIND)),
                     "bond");
    const struct nlattr *data = nlt_find_nested(info, IFLA_INFO_DATA);
    ck_assert_uint_eq(
        mnl_attr_get_u32(nlt_find_nested(data, IFLA_BOND_MIIMON)), 250);
    /* Never the mode: the kernel refuses it on a bond with members or up
     * even unchanged. Options not to change are not sent. */
    ck_assert_ptr_null(nlt_find_nested(data, IFLA_BOND_MODE));
    ck_assert_ptr_null(nlt_find_nested(data, IFLA_BOND_XMIT_HASH_POLICY));
    ck_assert_ptr_null(nlt_find_nested(data, IFLA_BOND_AD_LACP_RATE));

    c = (struct bond_opt_change){.xmit_hash = BOND_XMIT_POLICY_LAYER34,
                                 .lacp_rate = 1};
    ck_assert_int_gt(bond_encode_change_opts(buf, sizeof buf, 9, &c), 0);
    info = nlt_find_msg(nlh, IFI, IFLA_LINKINFO);
    data = nlt_find_nested(info, IFLA_INFO_DATA);
    ck_assert_ptr_null(nlt_find_nested(data, IFLA_BOND_MIIMON));
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_nested(data, IFLA_BOND_XMIT_HASH_POLICY)),
        BOND_XMIT_POLICY_LAYER34);
    ck_assert_uint_eq(
        mnl_attr_get_u8(nlt_find_nested(data, IFLA_BOND_AD_LACP_RATE)), 1);
    ck_assert_int_eq(bond_encode_change_opts(buf, 40, 9, &c), -ENOSPC);
}
END_TEST

/* The dumps that find the agent's bonds: filtered by the kernel by kind,
 * then by master (a bond's members). */
START_TEST(test_encode_dump)
{
    char buf[NLT_BUF];
    const struct nlmsghdr *nlh = (const void *)buf;
    ck_assert_int_gt(bond_encode_dump(buf, sizeof buf, 0), 0);
    ck_assert_int_eq(nlh->nlmsg_type, RTM_GETLINK);
    ck_assert_int_eq(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    const struct nlattr *info = nlt_find_msg(nlh, IFI, IFLA_LINKINFO);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_nested(info, IFLA_INFO_KIND)),
                     "bond");
    ck_assert_ptr_null(nlt_find_msg(nlh, IFI, IFLA_MASTER));
    ck_assert_uint_eq(mnl_attr_get_u32(nlt_find_msg(nlh, IFI, IFLA_EXT_MASK)),
                      RTEXT_FILTER_SKIP_STATS);

    ck_assert_int_gt(bond_encode_dump(buf, sizeof buf, 40), 0);
    ck_assert_int_eq(nlh->nlmsg_flags & NLM_F_DUMP, NLM_F_DUMP);
    ck_assert_uint_eq(mnl_attr_get_u32(nlt_find_msg(nlh, IFI, IFLA_MASTER)),
                      40);
    ck_assert_ptr_null(nlt_find_msg(nlh, IFI, IFLA_LINKINFO));
}
END_TEST

START_TEST(test_option_names)
{
    ck_assert_str_eq(bond_xmit_hash_name(BOND_XMIT_POLICY_LAYER2), "layer2");
    ck_assert_str_eq(bond_xmit_hash_name(BOND_XMIT_POLICY_LAYER34),
                     "layer3+4");
    ck_assert_str_eq(bond_xmit_hash_name(BOND_XMIT_POLICY_VLAN_SRCMAC),
                     "vlan+srcmac");
    ck_assert_ptr_null(bond_xmit_hash_name(-1));
    ck_assert_ptr_null(bond_xmit_hash_name(99));
    ck_assert_str_eq(bond_lacp_rate_name(0), "slow");
    ck_assert_str_eq(bond_lacp_rate_name(1), "fast");
    ck_assert_ptr_null(bond_lacp_rate_name(-1));
}
END_TEST

START_TEST(test_encode_link_changes)
{
    char buf[NLT_BUF];
    const struct nlmsghdr *nlh = (const void *)buf;

    ck_assert_int_gt(bond_encode_set_master(buf, sizeof buf, 5, 12), 0);
    ck_assert_int_eq(nlh->nlmsg_type, RTM_SETLINK);
    ck_assert_int_eq(ifi_of(nlh)->ifi_index, 5);
    ck_assert_uint_eq(mnl_attr_get_u32(nlt_find_msg(nlh, IFI, IFLA_MASTER)),
                      12);
    /* Release: master 0, sent, not left out. */
    ck_assert_int_gt(bond_encode_set_master(buf, sizeof buf, 5, 0), 0);
    ck_assert_uint_eq(mnl_attr_get_u32(nlt_find_msg(nlh, IFI, IFLA_MASTER)),
                      0);

    ck_assert_int_gt(bond_encode_set_up(buf, sizeof buf, 5, false), 0);
    ck_assert_uint_eq(ifi_of(nlh)->ifi_change, IFF_UP);
    ck_assert_uint_eq(ifi_of(nlh)->ifi_flags, 0);
    ck_assert_int_gt(bond_encode_set_up(buf, sizeof buf, 5, true), 0);
    ck_assert_uint_eq(ifi_of(nlh)->ifi_flags, IFF_UP);

    ck_assert_int_gt(
        bond_encode_set_alias(buf, sizeof buf, 12, BOND_OWNER_ALIAS), 0);
    ck_assert_int_eq(nlh->nlmsg_type, RTM_SETLINK);
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_msg(nlh, IFI, IFLA_IFALIAS)),
                     BOND_OWNER_ALIAS);

    ck_assert_int_gt(bond_encode_delete(buf, sizeof buf, 12), 0);
    ck_assert_int_eq(nlh->nlmsg_type, RTM_DELLINK);
    ck_assert_int_eq(ifi_of(nlh)->ifi_index, 12);

    ck_assert_int_gt(bond_encode_get(buf, sizeof buf, 0, "bond0"), 0);
    ck_assert_int_eq(nlh->nlmsg_type, RTM_GETLINK);
    ck_assert(!(nlh->nlmsg_flags & NLM_F_DUMP));
    ck_assert_str_eq(mnl_attr_get_str(nlt_find_msg(nlh, IFI, IFLA_IFNAME)),
                     "bond0");
    ck_assert_int_gt(bond_encode_get(buf, sizeof buf, 7, NULL), 0);
    ck_assert_int_eq(ifi_of(nlh)->ifi_index, 7);
    ck_assert_ptr_null(nlt_find_msg(nlh, IFI, IFLA_IFNAME));
    ck_assert_int_eq(bond_encode_get(buf, sizeof buf, 0, NULL), -ENOSPC);
}
END_TEST

/* A bond as the kernel reports it: up, an active slave, its options,
 * the agent's alias, and an attribute nobody knows. */
static struct nlmsghdr *
put_bond(void *buf, const char *kind)
{
    struct nlmsghdr *nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_index = 12;
    ifi->ifi_flags = IFF_UP | IFF_MASTER | IFF_LOWER_UP;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "bond0");
    mnl_attr_put_strz(nlh, IFLA_IFALIAS, BOND_OWNER_ALIAS);
    mnl_attr_put_u8(nlh, IFLA_OPERSTATE, IF_OPER_UP);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 1);
    mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
    struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    mnl_attr_put_u8(nlh, IFLA_BOND_MODE, BOND_MODE_ACTIVEBACKUP);
    mnl_attr_put_u32(nlh, IFLA_BOND_ACTIVE_SLAVE, 5);
    mnl_attr_put_u32(nlh, IFLA_BOND_MIIMON, 100);
    mnl_attr_put_u8(nlh, IFLA_BOND_XMIT_HASH_POLICY, BOND_XMIT_POLICY_LAYER23);
    mnl_attr_put_u8(nlh, IFLA_BOND_AD_LACP_RATE, 0);
    mnl_attr_put_u32(nlh, NLT_UNKNOWN_TYPE, 2);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    return nlh;
}

START_TEST(test_decode_bond)
{
    char buf[NLT_BUF];
    struct bond_link l;
    ck_assert_int_eq(bond_decode_link(put_bond(buf, "bond"), &l), 0);
    ck_assert_int_eq(l.ifindex, 12);
    ck_assert_str_eq(l.name, "bond0");
    ck_assert(l.up && l.carrier);
    ck_assert_uint_eq(l.operstate, IF_OPER_UP);
    ck_assert(l.is_bond && !l.is_slave);
    ck_assert(bond_owned(&l));
    ck_assert_uint_eq(l.opts.mode, BOND_MODE_ACTIVEBACKUP);
    ck_assert_str_eq(bond_mode_name(l.opts.mode), "active-backup");
    ck_assert_uint_eq(l.opts.miimon_ms, 100);
    ck_assert_int_eq(l.opts.xmit_hash, BOND_XMIT_POLICY_LAYER23);
    ck_assert_int_eq(l.opts.lacp_rate, 0);
    ck_assert_int_eq(l.active_slave, 5);
    ck_assert_int_eq(l.master, 0);
    ck_assert_int_eq(l.slave_state, -1);

    /* Another kind's data is not read as a bond's. */
    ck_assert_int_eq(bond_decode_link(put_bond(buf, "team"), &l), 0);
    ck_assert(!l.is_bond);
    ck_assert(!bond_owned(&l));
    ck_assert_int_eq(l.active_slave, 0);
    ck_assert_int_eq(l.opts.xmit_hash, -1);
}
END_TEST

START_TEST(test_decode_member)
{
    char buf[NLT_BUF];
    struct nlmsghdr *nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_index = 5;
    /* No IFLA_CARRIER: the flags say (up, no carrier). */
    ifi->ifi_flags = IFF_UP | IFF_SLAVE;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
    mnl_attr_put_u32(nlh, IFLA_MASTER, 12);
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bond");
    struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
    mnl_attr_put_u8(nlh, IFLA_BOND_SLAVE_STATE, BOND_STATE_BACKUP);
    mnl_attr_put_u8(nlh, IFLA_BOND_SLAVE_MII_STATUS, BOND_LINK_DOWN);
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);

    struct bond_link l;
    ck_assert_int_eq(bond_decode_link(nlh, &l), 0);
    ck_assert(l.up && !l.carrier);
    ck_assert(l.is_slave && !l.is_bond);
    ck_assert_int_eq(l.master, 12);
    ck_assert_int_eq(l.slave_state, BOND_STATE_BACKUP);
    ck_assert_int_eq(l.slave_mii, BOND_LINK_DOWN);
    ck_assert_str_eq(l.alias, "");
}
END_TEST

START_TEST(test_decode_bad)
{
    char buf[NLT_BUF];
    struct bond_link l;

    /* Without a name. */
    struct nlmsghdr *nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    ((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index = 3;
    ck_assert_int_eq(bond_decode_link(nlh, &l), -EBADMSG);

    /* Shorter than its ifinfomsg. */
    nlh = nlt_start(buf, RTM_NEWLINK, 0);
    ck_assert_int_eq(bond_decode_link(nlh, &l), -EBADMSG);

    /* Every cut of a full bond message inside its attributes. */
    nlh = put_bond(buf, "bond");
    uint32_t full = nlh->nlmsg_len;
    for (uint32_t cut = MNL_NLMSG_HDRLEN + IFI + 1; cut < full; cut++) {
        nlh->nlmsg_len = cut;
        int r = bond_decode_link(nlh, &l);
        ck_assert_msg(r == 0 || r == -EBADMSG, "cut at %u: %d", cut, r);
    }

    /* A mode attribute too short for its type. */
    nlh = nlt_start(buf, RTM_NEWLINK, IFI);
    ((struct ifinfomsg *)mnl_nlmsg_get_payload(nlh))->ifi_index = 3;
    mnl_attr_put_strz(nlh, IFLA_IFNAME, "b");
    struct nlattr *info = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
    mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bond");
    struct nlattr *data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
    mnl_attr_put(nlh, IFLA_BOND_MIIMON, 1, "x");
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    ck_assert_int_eq(bond_decode_link(nlh, &l), -EBADMSG);
}
END_TEST

Suite *
bond_suite(void)
{
    Suite *s = suite_create("bond");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, test_encode_create);
    tcase_add_test(tc, test_encode_set_opts_no_create);
    tcase_add_test(tc, test_encode_link_changes);
    tcase_add_test(tc, test_encode_change_opts);
    tcase_add_test(tc, test_encode_dump);
    tcase_add_test(tc, test_option_names);
    tcase_add_test(tc, test_decode_bond);
    tcase_add_test(tc, test_decode_member);
    tcase_add_test(tc, test_decode_bad);
    suite_add_tcase(s, tc);
    return s;
}
