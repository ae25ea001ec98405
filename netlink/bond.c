/* bond: see include/oa-netlink/bond.h. */
#include "oa-netlink/bond.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_bonding.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

/* Room for any request here: headers, a name, an alias, a small nest. */
#define BOND_REQ_MAX 512

static struct nlmsghdr *
put_link_req(void *buf, size_t len, uint16_t type, uint16_t flags, int ifindex)
{
    if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifinfomsg))) {
        return NULL;
    }
    memset(buf, 0, len); /* attribute padding too (oanl_put_genl()) */
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return nlh;
}

/* IFLA_LINKINFO { KIND "bond", DATA { options } }. */
static bool
put_linkinfo(struct nlmsghdr *nlh, size_t len, const struct bond_opts *o)
{
    struct nlattr *info = mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO);
    if (!info || !mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, "bond")) {
        return false;
    }
    struct nlattr *data = mnl_attr_nest_start_check(nlh, len, IFLA_INFO_DATA);
    if (!data || !mnl_attr_put_u8_check(nlh, len, IFLA_BOND_MODE, o->mode) ||
        !mnl_attr_put_u32_check(nlh, len, IFLA_BOND_MIIMON, o->miimon_ms) ||
        (o->xmit_hash >= 0 &&
         !mnl_attr_put_u8_check(nlh, len, IFLA_BOND_XMIT_HASH_POLICY,
                                (uint8_t)o->xmit_hash)) ||
        (o->lacp_rate >= 0 &&
         !mnl_attr_put_u8_check(nlh, len, IFLA_BOND_AD_LACP_RATE,
                                (uint8_t)o->lacp_rate))) {
        return false;
    }
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    return true;
}

int
bond_encode_create(void *buf, size_t len, const char *name,
                   const struct bond_opts *opts)
{
    struct nlmsghdr *nlh = put_link_req(
        buf, len, RTM_NEWLINK, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, 0);
    if (!nlh || strlen(name) >= IFNAMSIZ ||
        !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, name) ||
        !put_linkinfo(nlh, len, opts)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
bond_encode_set_opts(void *buf, size_t len, int ifindex,
                     const struct bond_opts *opts)
{
    struct nlmsghdr *nlh =
        put_link_req(buf, len, RTM_NEWLINK, NLM_F_ACK, ifindex);
    if (!nlh || !put_linkinfo(nlh, len, opts)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
bond_encode_change_opts(void *buf, size_t len, int ifindex,
                        const struct bond_opt_change *c)
{
    struct nlmsghdr *nlh =
        put_link_req(buf, len, RTM_NEWLINK, NLM_F_ACK, ifindex);
    struct nlattr *info, *data;
    if (!nlh || !(info = mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO)) ||
        !mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, "bond") ||
        !(data = mnl_attr_nest_start_check(nlh, len, IFLA_INFO_DATA)) ||
        (c->miimon_ms &&
         !mnl_attr_put_u32_check(nlh, len, IFLA_BOND_MIIMON, c->miimon_ms)) ||
        (c->xmit_hash >= 0 &&
         !mnl_attr_put_u8_check(nlh, len, IFLA_BOND_XMIT_HASH_POLICY,
                                (uint8_t)c->xmit_hash)) ||
        (c->lacp_rate >= 0 &&
         !mnl_attr_put_u8_check(nlh, len, IFLA_BOND_AD_LACP_RATE,
                                (uint8_t)c->lacp_rate))) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, data);
    mnl_attr_nest_end(nlh, info);
    return (int)nlh->nlmsg_len;
}

int
bond_encode_dump(void *buf, size_t len, int master)
{
    struct nlmsghdr *nlh = put_link_req(buf, len, RTM_GETLINK, NLM_F_DUMP, 0);
    if (!nlh || !mnl_attr_put_u32_check(nlh, len, IFLA_EXT_MASK,
                                        RTEXT_FILTER_SKIP_STATS)) {
        return -ENOSPC;
    }
    if (master) {
        if (!mnl_attr_put_u32_check(nlh, len, IFLA_MASTER, (uint32_t)master)) {
            return -ENOSPC;
        }
        return (int)nlh->nlmsg_len;
    }
    struct nlattr *info = mnl_attr_nest_start_check(nlh, len, IFLA_LINKINFO);
    if (!info || !mnl_attr_put_strz_check(nlh, len, IFLA_INFO_KIND, "bond")) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, info);
    return (int)nlh->nlmsg_len;
}

int
bond_encode_set_alias(void *buf, size_t len, int ifindex, const char *alias)
{
    struct nlmsghdr *nlh =
        put_link_req(buf, len, RTM_SETLINK, NLM_F_ACK, ifindex);
    if (!nlh || !mnl_attr_put_strz_check(nlh, len, IFLA_IFALIAS, alias)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
bond_encode_set_master(void *buf, size_t len, int ifindex, int master)
{
    struct nlmsghdr *nlh =
        put_link_req(buf, len, RTM_SETLINK, NLM_F_ACK, ifindex);
    if (!nlh ||
        !mnl_attr_put_u32_check(nlh, len, IFLA_MASTER, (uint32_t)master)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
bond_encode_set_up(void *buf, size_t len, int ifindex, bool up)
{
    struct nlmsghdr *nlh =
        put_link_req(buf, len, RTM_SETLINK, NLM_F_ACK, ifindex);
    if (!nlh) {
        return -ENOSPC;
    }
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = up ? IFF_UP : 0;
    return (int)nlh->nlmsg_len;
}

int
bond_encode_delete(void *buf, size_t len, int ifindex)
{
    struct nlmsghdr *nlh =
        put_link_req(buf, len, RTM_DELLINK, NLM_F_ACK, ifindex);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
bond_encode_get(void *buf, size_t len, int ifindex, const char *name)
{
    struct nlmsghdr *nlh = put_link_req(buf, len, RTM_GETLINK, 0, ifindex);
    if (!nlh || (!ifindex &&
                 (!name || strlen(name) >= IFNAMSIZ ||
                  !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, name)))) {
        return -ENOSPC;
    }
    /* No statistics: a bond's reply stays small. */
    if (!mnl_attr_put_u32_check(nlh, len, IFLA_EXT_MASK,
                                RTEXT_FILTER_SKIP_STATS)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

/* ---- Decoding ------------------------------------------------------------ */

/* While walking IFLA_LINKINFO: which kind the data nests belong to. */
struct info_ctx {
    struct bond_link *l;
    bool kind_bond, slave_kind_bond;
    const struct nlattr *data, *slave_data;
};

static int
bond_data_cb(const struct nlattr *a, void *data)
{
    struct bond_link *l = data;
    uint8_t u8;
    uint32_t u32;
    int r = 0;

    switch (oanl_attr_type(a)) {
    case IFLA_BOND_MODE:
        r = oanl_attr_u8(a, &l->opts.mode);
        break;
    case IFLA_BOND_MIIMON:
        r = oanl_attr_u32(a, &l->opts.miimon_ms);
        break;
    case IFLA_BOND_XMIT_HASH_POLICY:
        if (!(r = oanl_attr_u8(a, &u8))) {
            l->opts.xmit_hash = u8;
        }
        break;
    case IFLA_BOND_AD_LACP_RATE:
        if (!(r = oanl_attr_u8(a, &u8))) {
            l->opts.lacp_rate = u8;
        }
        break;
    case IFLA_BOND_ACTIVE_SLAVE:
        if (!(r = oanl_attr_u32(a, &u32))) {
            l->active_slave = (int)u32;
        }
        break;
    }
    return r;
}

static int
slave_data_cb(const struct nlattr *a, void *data)
{
    struct bond_link *l = data;
    uint8_t u8;
    int r = 0;

    switch (oanl_attr_type(a)) {
    case IFLA_BOND_SLAVE_STATE:
        if (!(r = oanl_attr_u8(a, &u8))) {
            l->slave_state = u8;
        }
        break;
    case IFLA_BOND_SLAVE_MII_STATUS:
        if (!(r = oanl_attr_u8(a, &u8))) {
            l->slave_mii = u8;
        }
        break;
    }
    return r;
}

static int
linkinfo_cb(const struct nlattr *a, void *data)
{
    struct info_ctx *c = data;
    char kind[16];
    int r;

    switch (oanl_attr_type(a)) {
    case IFLA_INFO_KIND:
        if ((r = oanl_attr_str(a, kind, sizeof kind)) == -EBADMSG) {
            return 0; /* a kind longer than any we know: not a bond */
        }
        c->kind_bond = !strcmp(kind, "bond");
        return r;
    case IFLA_INFO_SLAVE_KIND:
        if ((r = oanl_attr_str(a, kind, sizeof kind)) == -EBADMSG) {
            return 0;
        }
        c->slave_kind_bond = !strcmp(kind, "bond");
        return r;
    case IFLA_INFO_DATA:
        c->data = a;
        return 0;
    case IFLA_INFO_SLAVE_DATA:
        c->slave_data = a;
        return 0;
    }
    return 0;
}

/* The data nests are read only once the kind says they are a bond's
 * (the kernel puts KIND before DATA, but nothing requires it). */
static int
decode_linkinfo(const struct nlattr *info, struct bond_link *l)
{
    struct info_ctx c = {.l = l};
    int r = oanl_attr_walk_nested(info, linkinfo_cb, &c);
    if (r < 0) {
        return r;
    }
    l->is_bond = c.kind_bond;
    l->is_slave = c.slave_kind_bond;
    if (c.kind_bond && c.data) {
        r = oanl_attr_walk_nested(c.data, bond_data_cb, l);
    }
    if (r >= 0 && c.slave_kind_bond && c.slave_data) {
        r = oanl_attr_walk_nested(c.slave_data, slave_data_cb, l);
    }
    return r < 0 ? r : 0;
}

struct link_ctx {
    struct bond_link *l;
    bool has_name, has_carrier;
};

static int
link_cb(const struct nlattr *a, void *data)
{
    struct link_ctx *c = data;
    struct bond_link *l = c->l;
    uint8_t u8;
    uint32_t u32;
    int r = 0;

    switch (oanl_attr_type(a)) {
    case IFLA_IFNAME:
        r = oanl_attr_str(a, l->name, sizeof l->name);
        c->has_name = !r;
        break;
    case IFLA_IFALIAS:
        r = oanl_attr_str(a, l->alias, sizeof l->alias);
        break;
    case IFLA_CARRIER:
        if (!(r = oanl_attr_u8(a, &u8))) {
            l->carrier = u8 != 0;
            c->has_carrier = true;
        }
        break;
    case IFLA_OPERSTATE:
        r = oanl_attr_u8(a, &l->operstate);
        break;
    case IFLA_MASTER:
        if (!(r = oanl_attr_u32(a, &u32))) {
            l->master = (int)u32;
        }
        break;
    case IFLA_LINKINFO:
        r = decode_linkinfo(a, l);
        break;
    }
    return r;
}

int
bond_decode_link(const struct nlmsghdr *nlh, struct bond_link *out)
{
    *out = (struct bond_link){
        .operstate = IF_OPER_UNKNOWN,
        .opts = {.xmit_hash = -1, .lacp_rate = -1},
        .slave_state = -1,
        .slave_mii = -1,
    };
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifinfomsg)) {
        return -EBADMSG;
    }
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    struct link_ctx c = {.l = out};
    int r = oanl_attr_walk_msg(nlh, sizeof *ifi, link_cb, &c);
    if (r < 0) {
        return r;
    }
    if (ifi->ifi_index <= 0 || !c.has_name) {
        return -EBADMSG;
    }
    out->ifindex = ifi->ifi_index;
    out->up = ifi->ifi_flags & IFF_UP;
    if (!c.has_carrier) {
        out->carrier = ifi->ifi_flags & IFF_LOWER_UP;
    }
    return 0;
}

bool
bond_owned(const struct bond_link *l)
{
    return l->is_bond && !strcmp(l->alias, BOND_OWNER_ALIAS);
}

const char *
bond_mode_name(uint8_t mode)
{
    switch (mode) {
    case BOND_MODE_ROUNDROBIN:
        return "balance-rr";
    case BOND_MODE_ACTIVEBACKUP:
        return "active-backup";
    case BOND_MODE_XOR:
        return "balance-xor";
    case BOND_MODE_BROADCAST:
        return "broadcast";
    case BOND_MODE_8023AD:
        return "802.3ad";
    case BOND_MODE_TLB:
        return "balance-tlb";
    case BOND_MODE_ALB:
        return "balance-alb";
    }
    return NULL;
}

const char *
bond_xmit_hash_name(int policy)
{
    static const char *const names[] = {
        [BOND_XMIT_POLICY_LAYER2] = "layer2",
        [BOND_XMIT_POLICY_LAYER34] = "layer3+4",
        [BOND_XMIT_POLICY_LAYER23] = "layer2+3",
        [BOND_XMIT_POLICY_ENCAP23] = "encap2+3",
        [BOND_XMIT_POLICY_ENCAP34] = "encap3+4",
        [BOND_XMIT_POLICY_VLAN_SRCMAC] = "vlan+srcmac",
    };
    return policy >= 0 && (size_t)policy < sizeof names / sizeof names[0]
               ? names[policy]
               : NULL;
}

const char *
bond_lacp_rate_name(int rate)
{
    return rate == 0 ? "slow" : rate == 1 ? "fast" : NULL;
}

/* ---- I/O ----------------------------------------------------------------- */

static int
send_req(struct oanl_sock *s, void *buf, int len, struct oanl_extack *ext)
{
    if (len < 0) {
        return len;
    }
    int r = oanl_transact(s, buf, NULL, NULL, ext);
    return r < 0 ? r : 0;
}

struct get_ctx {
    struct bond_link *out;
    bool found;
};

static int
get_cb(const struct nlmsghdr *nlh, void *data)
{
    struct get_ctx *c = data;
    if (nlh->nlmsg_type != RTM_NEWLINK) {
        return 0;
    }
    int r = bond_decode_link(nlh, c->out);
    c->found = !r;
    return r;
}

int
bond_get(struct oanl_sock *s, int ifindex, const char *name,
         struct bond_link *out)
{
    char buf[BOND_REQ_MAX];
    struct get_ctx c = {.out = out};
    int r = bond_encode_get(buf, sizeof buf, ifindex, name);
    if (r >= 0) {
        r = oanl_transact(s, (struct nlmsghdr *)buf, get_cb, &c, NULL);
    }
    if (r < 0) {
        return r;
    }
    return c.found ? 0 : -ENODEV;
}

int
bond_create(struct oanl_sock *s, const char *name,
            const struct bond_opts *opts, struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    struct bond_link l;
    int r =
        send_req(s, buf, bond_encode_create(buf, sizeof buf, name, opts), ext);
    if (r) {
        return r;
    }
    r = bond_get(s, 0, name, &l);
    if (!r) {
        r = send_req(s, buf,
                     bond_encode_set_alias(buf, sizeof buf, l.ifindex,
                                           BOND_OWNER_ALIAS),
                     ext);
        if (r) {
            bond_delete(s, l.ifindex, NULL);
        }
    }
    return r;
}

int
bond_set_opts(struct oanl_sock *s, int ifindex, const struct bond_opts *opts,
              struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    return send_req(s, buf,
                    bond_encode_set_opts(buf, sizeof buf, ifindex, opts), ext);
}

int
bond_change_opts(struct oanl_sock *s, int ifindex,
                 const struct bond_opt_change *c, struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    return send_req(s, buf,
                    bond_encode_change_opts(buf, sizeof buf, ifindex, c), ext);
}

/* The links of a dump: the agent's bonds, or the members of one. */
struct dump_ctx {
    int master;              /* 0: collect the agent's bonds */
    struct bond_link *bonds; /* owned until handed to the caller */
    size_t n, cap;
    unsigned members;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
    struct dump_ctx *c = data;
    struct bond_link l;
    if (nlh->nlmsg_type != RTM_NEWLINK || bond_decode_link(nlh, &l)) {
        return 0; /* not a link we can read: not one of ours */
    }
    if (c->master) {
        c->members += l.master == c->master;
        return 0;
    }
    if (!bond_owned(&l)) {
        return 0;
    }
    if (c->n == c->cap) {
        size_t cap = c->cap ? 2 * c->cap : 4;
        struct bond_link *b = realloc(c->bonds, cap * sizeof *b);
        if (!b) {
            return -ENOMEM;
        }
        c->bonds = b;
        c->cap = cap;
    }
    c->bonds[c->n++] = l;
    return 0;
}

static int
dump(struct oanl_sock *s, struct dump_ctx *c)
{
    char buf[BOND_REQ_MAX];
    int r = bond_encode_dump(buf, sizeof buf, c->master);
    if (r >= 0) {
        r = oanl_transact(s, (struct nlmsghdr *)buf, dump_cb, c, NULL);
    }
    return r < 0 ? r : 0;
}

int
bond_list_owned(struct oanl_sock *s, struct bond_link **out, size_t *n)
{
    struct dump_ctx c = {0};
    int r = dump(s, &c);
    if (r) {
        free(c.bonds);
        return r;
    }
    *out = c.bonds;
    *n = c.n;
    return 0;
}

int
bond_count_members(struct oanl_sock *s, int bond, unsigned *n)
{
    struct dump_ctx c = {.master = bond};
    int r = dump(s, &c);
    *n = c.members;
    return r;
}

int
bond_enslave(struct oanl_sock *s, int bond, int member,
             struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    int r = bond_set_up(s, member, false, ext);
    if (!r) {
        r = send_req(s, buf,
                     bond_encode_set_master(buf, sizeof buf, member, bond),
                     ext);
    }
    return r;
}

int
bond_release(struct oanl_sock *s, int member, struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    return send_req(s, buf, bond_encode_set_master(buf, sizeof buf, member, 0),
                    ext);
}

int
bond_set_up(struct oanl_sock *s, int ifindex, bool up, struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    return send_req(s, buf, bond_encode_set_up(buf, sizeof buf, ifindex, up),
                    ext);
}

int
bond_delete(struct oanl_sock *s, int ifindex, struct oanl_extack *ext)
{
    char buf[BOND_REQ_MAX];
    return send_req(s, buf, bond_encode_delete(buf, sizeof buf, ifindex), ext);
}
