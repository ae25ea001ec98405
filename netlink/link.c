/* rtnetlink links on libnl-route-3: see include/oa-netlink/link.h.
 *
 * libnl builds the requests and parses the VF list. The rest is read
 * with libnl's own attribute API (nla_*, nlmsg_*):
 *  - the link's own attributes (name, address, identity, parent
 *    device, IFLA_NUM_VF): where they lie, not through libnl's link
 *    object (decode_attr(): at 2x128 the object model was a fifth of an
 *    apply's instructions);
 *  - strictness: nla_parse() stops quietly at a truncated attribute, so
 *    a cut message would decode as a link without its VF list, and some
 *    of 3.7's sub-parsers are unsafe on malformed input: the message is
 *    checked, and only the VF list reaches libnl's parser (decode_vfs());
 *  - the kernel's errno and extended ACK text: libnl maps errors to its
 *    own lossy NLE_* codes and drops the text, so the NLMSG_ERROR/DONE
 *    message is taken raw (NL_CB_MSG_IN) and decoded by
 *    oanl_decode_error(), the project's single extack decoder. */
#include "oa-netlink/link.h"
#include "vec.h"

#include "oa-common/iostat.h"

#include <errno.h>
#include <limits.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <netlink/route/link/sriov.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct oa_link_sock {
    struct nl_sock *sk;
};

void
oa_link_destroy(struct oa_link *l)
{
    if (l) {
        free(l->vfs);
        free(l);
    }
}

void
oa_link_list_free(struct oa_link **links, size_t n)
{
    if (!links) {
        return;
    }
    for (size_t i = 0; i < n; i++) {
        oa_link_destroy(links[i]);
    }
    free(links);
}

void
oa_link_vf_req_init(struct oa_link_vf_req *r, uint32_t index)
{
    memset(r, 0, sizeof *r);
    r->index = index;
    r->vlan = r->qos = r->trust = r->spoofchk = -1;
}

const struct oa_link_vf *
oa_link_vf_find(const struct oa_link *l, uint32_t index)
{
    /* The kernel lists VFs in order: entry i is VF i, so a lookup per VF
     * is not a scan per VF. */
    if (index < l->n_vfs && l->vfs[index].index == index) {
        return &l->vfs[index];
    }
    for (size_t i = 0; i < l->n_vfs; i++) {
        if (l->vfs[i].index == index) {
            return &l->vfs[i];
        }
    }
    return NULL;
}

int
oa_link_switch_id_hex(const struct oa_link *l, char *buf, size_t size)
{
    if (size < l->switch_id_len * 2 + 1) {
        return -ENOSPC;
    }
    for (size_t i = 0; i < l->switch_id_len; i++) {
        snprintf(buf + 2 * i, 3, "%02x", l->switch_id[i]);
    }
    buf[l->switch_id_len * 2] = '\0';
    return 0;
}

/* ---- libnl helpers ---- */

/* libnl's own error codes, for what happens on this side of the socket
 * (the kernel's errno is taken from its message, see transact()). */
static int
nle_errno(int nle)
{
    switch (nle < 0 ? -nle : nle) {
    case 0:
        return 0;
    case NLE_NOMEM:
        return -ENOMEM;
    case NLE_DUMP_INTR:
    case NLE_INTR:
        return -EINTR;
    case NLE_AGAIN:
        return -EAGAIN;
    case NLE_MSG_TRUNC:
    case NLE_MSGSIZE:
        return -EMSGSIZE;
    case NLE_SEQ_MISMATCH:
    case NLE_MSGTYPE_NOSUPPORT:
        return -EPROTO;
    case NLE_INVAL:
        return -EINVAL;
    case NLE_OBJ_NOTFOUND:
        return -ENODEV;
    case NLE_PERM:
        return -EPERM;
    case NLE_RANGE:
    case NLE_MISSING_ATTR:
    case NLE_MSG_TOOSHORT:
    case NLE_PARSE_ERR:
    case NLE_ATTRSIZE:
        return -EBADMSG;
    }
    return -EIO;
}

/* Copies a built message into the caller's buffer. */
static int
copy_out(struct nl_msg *msg, void *buf, size_t len)
{
    const struct nlmsghdr *nlh = nlmsg_hdr(msg);
    if (nlh->nlmsg_len > len) {
        return -ENOSPC;
    }
    memcpy(buf, nlh, nlh->nlmsg_len);
    return (int)nlh->nlmsg_len;
}

/* ---- Request builders (caller owns *out, free with nlmsg_free()) ---- */

/* VF info without per-VF statistics (as iproute2 asks): the kernel puts
 * all VFs in one attribute whose 16-bit length overflows near 250 VFs
 * with statistics, near 320 without.  rtnl_link_build_get_request()
 * always asks for RTEXT_FILTER_VF alone, hence the hand-built GETLINK. */
#define VF_MASK (RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS)

static int
build_getlink(int flags, int ifindex, const char *name, bool with_vfs,
              struct nl_msg **out)
{
    *out = NULL;
    struct nl_msg *msg = nlmsg_alloc_simple(RTM_GETLINK, flags);
    if (!msg) {
        return -ENOMEM;
    }
    struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC,
                            .ifi_index = ifindex > 0 ? ifindex : 0};
    if (nlmsg_append(msg, &ifi, sizeof ifi, NLMSG_ALIGNTO) < 0 ||
        (name && nla_put_string(msg, IFLA_IFNAME, name) < 0) ||
        (with_vfs && nla_put_u32(msg, IFLA_EXT_MASK, VF_MASK) < 0)) {
        nlmsg_free(msg);
        return -ENOMEM;
    }
    *out = msg;
    return 0;
}

static int
build_get(int ifindex, const char *name, bool with_vfs, struct nl_msg **out)
{
    if (ifindex <= 0 && (!name || !*name || strlen(name) >= IFNAMSIZ)) {
        *out = NULL;
        return -EINVAL;
    }
    return build_getlink(NLM_F_ACK, ifindex, ifindex > 0 ? NULL : name,
                         with_vfs, out);
}

/* A change request from libnl: 'changes' against a link known only by
 * its index.  libnl sends RTM_NEWLINK (and retries RTM_SETLINK on
 * EOPNOTSUPP); RTM_SETLINK says what is meant, never creates, and lets
 * a missing ifindex fail with ENODEV at once. */
static int
build_change(int ifindex, struct rtnl_link *changes, struct nl_msg **out)
{
    *out = NULL;
    struct rtnl_link *orig = rtnl_link_alloc();
    if (!orig) {
        return -ENOMEM;
    }
    rtnl_link_set_ifindex(orig, ifindex);
    int r = rtnl_link_build_change_request(orig, changes, NLM_F_ACK, out);
    rtnl_link_put(orig);
    if (r < 0) {
        *out = NULL;
        return nle_errno(r);
    }
    nlmsg_hdr(*out)->nlmsg_type = RTM_SETLINK;
    return 0;
}

static int
build_set_up(int ifindex, bool up, struct nl_msg **out)
{
    *out = NULL;
    if (ifindex <= 0) {
        return -EINVAL;
    }
    struct rtnl_link *changes = rtnl_link_alloc();
    if (!changes) {
        return -ENOMEM;
    }
    if (up) {
        rtnl_link_set_flags(changes, IFF_UP);
    } else {
        rtnl_link_unset_flags(changes, IFF_UP);
    }
    int r = build_change(ifindex, changes, out);
    rtnl_link_put(changes);
    return r;
}

/* Fills a libnl VF object with what 'r' asks for. */
static int
vf_from_req(struct rtnl_link_vf *vf, const struct oa_link_vf_req *r)
{
    rtnl_link_vf_set_index(vf, r->index);
    if (r->mac) {
        struct nl_addr *a = nl_addr_build(AF_LLC, r->mac, 6);
        if (!a) {
            return -ENOMEM;
        }
        rtnl_link_vf_set_addr(vf, a); /* takes its own reference */
        nl_addr_put(a);
    }
    if (r->vlan >= 0) {
        nl_vf_vlans_t *vlans;
        if (rtnl_link_vf_vlan_alloc(&vlans, 1) < 0) {
            return -ENOMEM;
        }
        /* One 802.1Q VLAN: libnl sends the plain IFLA_VF_VLAN, which
         * every driver with ndo_set_vf_vlan understands. */
        vlans->vlans[0].vf_vlan = (uint32_t)r->vlan;
        vlans->vlans[0].vf_vlan_qos = r->qos > 0 ? (uint32_t)r->qos : 0;
        vlans->vlans[0].vf_vlan_proto = 0x8100; /* ETH_P_8021Q */
        /* set_vlans takes its own reference (its comment says it takes
         * ours: the 3.7 code does not). */
        rtnl_link_vf_set_vlans(vf, vlans);
        rtnl_link_vf_vlan_put(vlans);
    }
    if (r->trust >= 0) {
        rtnl_link_vf_set_trust(vf, (uint32_t)r->trust);
    }
    if (r->spoofchk >= 0) {
        rtnl_link_vf_set_spoofchk(vf, (uint32_t)r->spoofchk);
    }
    return 0;
}

static int
build_set_vf(int ifindex, const struct oa_link_vf_req *r, struct nl_msg **out)
{
    *out = NULL;
    if (ifindex <= 0 || r->vlan > 4095 || r->qos > 7 || r->trust > 1 ||
        r->spoofchk > 1) {
        return -EINVAL;
    }
    struct rtnl_link *changes = rtnl_link_alloc();
    struct rtnl_link_vf *vf = rtnl_link_vf_alloc();
    int ret = -ENOMEM;
    if (changes && vf) {
        ret = vf_from_req(vf, r);
    }
    if (!ret) {
        ret = nle_errno(rtnl_link_vf_add(changes, vf));
    }
    if (!ret) {
        ret = build_change(ifindex, changes, out);
    }
    rtnl_link_vf_put(vf); /* the link holds its own reference */
    rtnl_link_put(changes);
    return ret;
}

/* ---- Encoders ---- */

int
oa_link_encode_get(void *buf, size_t len, int ifindex, const char *name,
                   bool with_vfs)
{
    struct nl_msg *msg;
    int r = build_get(ifindex, name, with_vfs, &msg);
    if (!r) {
        r = copy_out(msg, buf, len);
        nlmsg_free(msg);
    }
    return r;
}

int
oa_link_encode_dump(void *buf, size_t len, bool with_vfs)
{
    struct nl_msg *msg;
    int r = build_getlink(NLM_F_DUMP, 0, NULL, with_vfs, &msg);
    if (!r) {
        r = copy_out(msg, buf, len);
        nlmsg_free(msg);
    }
    return r;
}

int
oa_link_encode_set_up(void *buf, size_t len, int ifindex, bool up)
{
    struct nl_msg *msg;
    int r = build_set_up(ifindex, up, &msg);
    if (!r) {
        r = copy_out(msg, buf, len);
        nlmsg_free(msg);
    }
    return r;
}

int
oa_link_encode_set_vf(void *buf, size_t len, int ifindex,
                      const struct oa_link_vf_req *req)
{
    struct nl_msg *msg;
    int r = build_set_vf(ifindex, req, &msg);
    if (!r) {
        r = copy_out(msg, buf, len);
        nlmsg_free(msg);
    }
    return r;
}

/* ---- Decoder ---- */

/* Walks the attributes in [head, head+len): -EBADMSG if one claims more
 * bytes than remain or bytes are left over (only the last attribute's
 * alignment padding may be missing).  Returns the number of attributes. */
static int
check_attrs(const struct nlattr *head, int len)
{
    const struct nlattr *a = head;
    int rem = len, n = 0;
    while (nla_ok(a, rem)) {
        n++;
        a = nla_next(a, &rem);
    }
    return rem > 0 ? -EBADMSG : n;
}

/* Minimum payload of each IFLA_VF_* attribute libnl reads. */
static int
vf_attr_min(int type)
{
    switch (type) {
    case IFLA_VF_MAC:
        return sizeof(struct ifla_vf_mac);
    case IFLA_VF_VLAN:
        return sizeof(struct ifla_vf_vlan);
    case IFLA_VF_TX_RATE:
        return sizeof(struct ifla_vf_tx_rate);
    case IFLA_VF_SPOOFCHK:
        return sizeof(struct ifla_vf_spoofchk);
    case IFLA_VF_RATE:
        return sizeof(struct ifla_vf_rate);
    case IFLA_VF_LINK_STATE:
        return sizeof(struct ifla_vf_link_state);
    case IFLA_VF_RSS_QUERY_EN:
        return sizeof(struct ifla_vf_rss_query_en);
    case IFLA_VF_TRUST:
        return sizeof(struct ifla_vf_trust);
    case IFLA_VF_IB_NODE_GUID:
    case IFLA_VF_IB_PORT_GUID:
        return sizeof(struct ifla_vf_guid);
    }
    return 0;
}

/* Every entry of a nested attribute of a type up to 'max_type' at
 * least 'min' bytes, and at least 'min_count' entries. */
static int
check_entries(const struct nlattr *nest, int max_type, int min, int min_count)
{
    int n = check_attrs(nla_data(nest), nla_len(nest));
    if (n < min_count) {
        return -EBADMSG;
    }
    const struct nlattr *e;
    int rem;
    nla_for_each_nested(e, nest, rem)
    {
        if (nla_type(e) <= max_type && nla_len(e) < min) {
            return -EBADMSG;
        }
    }
    return 0;
}

/* The VF list checked before libnl parses it: bounds of every entry,
 * the sizes libnl's policy checks (3.7 leaks the list when its policy
 * refuses one), and IFLA_VF_VLAN_LIST, whose entries (of any type) 3.7
 * reads without a length check and which, when empty, leaves the VF
 * marked as having VLANs with no (or the previous VF's) VLAN object.
 * The kernel sends exactly one entry.  Returns the number of entries in
 * the list. */
static int
check_vflist(const struct nlattr *list)
{
    int n = check_attrs(nla_data(list), nla_len(list));
    if (n < 0) {
        return n;
    }
    const struct nlattr *info;
    int rem;
    nla_for_each_nested(info, list, rem)
    {
        if (check_attrs(nla_data(info), nla_len(info)) < 0) {
            return -EBADMSG;
        }
        const struct nlattr *a;
        int arem;
        nla_for_each_nested(a, info, arem)
        {
            int r = 0;
            if (nla_type(a) == IFLA_VF_VLAN_LIST) {
                r = check_entries(a, INT_MAX, sizeof(struct ifla_vf_vlan_info),
                                  1);
            } else if (nla_type(a) == IFLA_VF_STATS) {
                r = check_entries(a, IFLA_VF_STATS_MULTICAST, sizeof(uint64_t),
                                  0);
            } else if (nla_type(a) <= IFLA_VF_MAX &&
                       nla_len(a) < vf_attr_min(nla_type(a))) {
                r = -EBADMSG;
            }
            if (r) {
                return r;
            }
        }
    }
    return n;
}

/* A string attribute into buf[size]; -EBADMSG if it does not fit. */
static int
attr_copy_str(const struct nlattr *a, char *buf, size_t size)
{
    size_t n = strnlen(nla_data(a), (size_t)nla_len(a));
    if (n >= size) {
        return -EBADMSG;
    }
    memcpy(buf, nla_data(a), n);
    buf[n] = '\0';
    return 0;
}

static int
copy_bytes(const void *src, size_t n, uint8_t *dst, size_t cap, size_t *len)
{
    if (n > cap) {
        return -EBADMSG;
    }
    memcpy(dst, src, n);
    *len = n;
    return 0;
}

static int
copy_vf(struct rtnl_link *rl, uint32_t index, struct oa_link_vf *vf)
{
    struct rtnl_link_vf *v = rtnl_link_vf_get(rl, index);
    if (!v) {
        return -EBADMSG; /* the kernel lists VFs 0..IFLA_NUM_VF-1 */
    }
    vf->index = index;
    struct nl_addr *mac;
    if (!rtnl_link_vf_get_addr(v, &mac)) {
        size_t n = nl_addr_get_len(mac);
        memcpy(vf->mac, nl_addr_get_binary_addr(mac), n < 6 ? n : 6);
    }
    nl_vf_vlans_t *vlans;
    if (!rtnl_link_vf_get_vlans(v, &vlans)) { /* takes a reference */
        if (vlans->size > 0) {
            vf->vlan = vlans->vlans[0].vf_vlan;
            vf->qos = vlans->vlans[0].vf_vlan_qos;
        }
        rtnl_link_vf_vlan_put(vlans);
    }
    /* libnl leaves these unset where the kernel sends setting -1 (the
     * driver does not say). */
    uint32_t u;
    if (!rtnl_link_vf_get_spoofchk(v, &u)) {
        vf->has_spoofchk = true;
        vf->spoofchk = u != 0;
    }
    if (!rtnl_link_vf_get_trust(v, &u)) {
        vf->has_trust = true;
        vf->trust = u != 0;
    }
    if (!rtnl_link_vf_get_linkstate(v, &u)) {
        vf->has_link_state = true;
        vf->link_state = u;
    }
    rtnl_link_vf_put(v);
    return 0;
}

/* A fixed-size integer attribute: -EBADMSG when shorter (libnl's
 * policy refuses those too). */
static int
attr_u32(const struct nlattr *a, uint32_t *out)
{
    if (nla_len(a) < (int)sizeof *out) {
        return -EBADMSG;
    }
    memcpy(out, nla_data(a), sizeof *out);
    return 0;
}

/* One of the link's own attributes into 'l'. Read here, not through
 * libnl's link object: a dump of a few hundred representors through
 * the object model cost about 10,000 instructions per link (a copy of
 * the message, an object, an address object, then the copy out); this
 * reads the nine attributes where they lie. Like nla_parse(), the last
 * of repeated attributes wins. */
static int
decode_attr(const struct nlattr *a, struct oa_link *l)
{
    uint32_t u;
    int r;

    switch (nla_type(a)) {
    case IFLA_IFNAME:
        return attr_copy_str(a, l->name, sizeof l->name);
    case IFLA_ADDRESS:
        return copy_bytes(nla_data(a), (size_t)nla_len(a), l->addr,
                          sizeof l->addr, &l->addr_len);
    case IFLA_OPERSTATE:
        if (nla_len(a) < 1) {
            return -EBADMSG;
        }
        l->operstate = *(const uint8_t *)nla_data(a);
        return 0;
    case IFLA_MASTER:
        r = attr_u32(a, &u);
        l->master = r ? 0 : (int)u;
        return r;
    case IFLA_PHYS_PORT_NAME:
        return attr_copy_str(a, l->phys_port_name, sizeof l->phys_port_name);
    case IFLA_PHYS_SWITCH_ID:
        return copy_bytes(nla_data(a), (size_t)nla_len(a), l->switch_id,
                          sizeof l->switch_id, &l->switch_id_len);
    case IFLA_NUM_VF:
        r = attr_u32(a, &l->num_vf);
        l->has_num_vf = !r;
        return r;
    case IFLA_PARENT_DEV_NAME:
        return attr_copy_str(a, l->parent_dev, sizeof l->parent_dev);
    case IFLA_PARENT_DEV_BUS_NAME:
        return attr_copy_str(a, l->parent_bus, sizeof l->parent_bus);
    }
    return 0;
}

static void
parsed_cb(struct nl_object *obj, void *data)
{
    struct rtnl_link **rl = data;
    if (!*rl) {
        nl_object_get(obj);
        *rl = (struct rtnl_link *)obj;
    }
}

/* The VF list 'list' of link 'l' (its name and IFLA_NUM_VF read) through
 * libnl's parser, which owns the IFLA_VF_* details: a message for it
 * holds the link's name (its parser insists), IFLA_NUM_VF (it reads the
 * list only then) and the list, checked first by check_vflist(). Only
 * those: libnl 3.7's per-kind and per-family sub-parsers (IFLA_LINKINFO,
 * IFLA_AF_SPEC, ...) are not safe on malformed input (fuzzing found a
 * NULL dereference for an IFLA_LINKINFO without IFLA_INFO_DATA). */
static int
decode_vfs(const struct nlmsghdr *nlh, const struct nlattr *list,
           struct oa_link *l)
{
    int n = check_vflist(list);
    if (n < 0) {
        return n;
    }
    if (!l->has_num_vf) {
        return -EBADMSG; /* the kernel always sends IFLA_NUM_VF with it */
    }
    if ((uint32_t)n != l->num_vf) {
        /* The list's 16-bit length wrapped: what follows it is VF data
         * misread as link attributes. Nothing can be trusted. */
        return -EMSGSIZE;
    }
    if (!n) {
        return 0;
    }
    const int hdrlen = sizeof(struct ifinfomsg);
    /* Room for the list, the name and the count, with their headers. */
    struct nl_msg *msg =
        nlmsg_alloc_size(NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen) +
                         NLA_ALIGN(nla_total_size(0) + nla_len(list)) + 64);
    struct nlmsghdr *copy =
        msg ? nlmsg_put(msg, 0, 0, nlh->nlmsg_type, hdrlen, 0) : NULL;
    if (!copy || nla_put_string(msg, IFLA_IFNAME, l->name) < 0 ||
        nla_put_u32(msg, IFLA_NUM_VF, l->num_vf) < 0 ||
        nla_put(msg, IFLA_VFINFO_LIST, nla_len(list), nla_data(list)) < 0) {
        nlmsg_free(msg);
        return -ENOMEM;
    }
    nlmsg_set_proto(msg, NETLINK_ROUTE); /* selects libnl's link parser */
    memcpy(nlmsg_data(copy), nlmsg_data(nlh), hdrlen);
    struct rtnl_link *rl = NULL;
    int r = nl_msg_parse(msg, parsed_cb, &rl);
    nlmsg_free(msg);
    if (r < 0 || !rl) {
        rtnl_link_put(rl);
        return r == -NLE_NOMEM ? -ENOMEM : -EBADMSG;
    }
    l->vfs = calloc((size_t)n, sizeof *l->vfs);
    r = l->vfs ? 0 : -ENOMEM;
    for (int i = 0; !r && i < n; i++) {
        r = copy_vf(rl, (uint32_t)i, &l->vfs[i]);
        l->n_vfs += !r;
    }
    rtnl_link_put(rl);
    return r;
}

/* Decodes one RTM_NEWLINK/DELLINK. */
static int
decode_hdr(const struct nlmsghdr *nlh, struct oa_link **out)
{
    *out = NULL;
    if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) {
        return -EPROTO;
    }
    const int hdrlen = sizeof(struct ifinfomsg);
    if (!nlmsg_valid_hdr(nlh, hdrlen)) {
        return -EBADMSG;
    }
    /* nla_parse() would stop quietly at a truncated attribute: a cut
     * message would decode as a link without its tail. */
    int r =
        check_attrs(nlmsg_attrdata(nlh, hdrlen), nlmsg_attrlen(nlh, hdrlen));
    if (r < 0) {
        return r;
    }
    struct oa_link *l = calloc(1, sizeof *l);
    if (!l) {
        return -ENOMEM;
    }
    const struct ifinfomsg *ifi = nlmsg_data(nlh);
    l->ifindex = ifi->ifi_index;
    l->flags = ifi->ifi_flags;
    const struct nlattr *a, *vflist = NULL;
    int rem = nlmsg_attrlen(nlh, hdrlen);
    r = 0;
    for (a = nlmsg_attrdata(nlh, hdrlen); !r && nla_ok(a, rem);
         a = nla_next(a, &rem)) {
        if (nla_type(a) == IFLA_VFINFO_LIST) {
            vflist = a;
        } else {
            r = decode_attr(a, l);
        }
    }
    if (!r && !l->name[0]) {
        /* Every link the kernel reports has a name: none, or an empty
         * one, is a malformed message. */
        r = -EBADMSG;
    }
    if (!r && vflist) {
        r = decode_vfs(nlh, vflist, l);
    }
    if (r) {
        oa_link_destroy(l);
        return r;
    }
    *out = l;
    return 0;
}

int
oa_link_decode(const struct nlmsghdr *nlh, struct oa_link **out)
{
    *out = NULL;
    if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) {
        return -EPROTO;
    }
    if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct ifinfomsg)) {
        return -EBADMSG;
    }
    return decode_hdr(nlh, out);
}

/* ---- I/O ---- */

int
oa_link_sock_open(struct oa_link_sock **out)
{
    *out = NULL;
    struct oa_link_sock *s = calloc(1, sizeof *s);
    if (!s) {
        return -ENOMEM;
    }
    s->sk = nl_socket_alloc();
    if (!s->sk) {
        free(s);
        return -ENOMEM;
    }
    int r = nl_connect(s->sk, NETLINK_ROUTE);
    if (r < 0) {
        oa_link_sock_close(s);
        return nle_errno(r);
    }
    /* nl_connect() shrinks the receive buffer to 32 KiB: the ACK behind
     * the reply for a PF with a few hundred VFs would then overrun it
     * (ENOBUFS).  Ask for more; the kernel caps it at rmem_max. */
    r = nl_socket_set_buffer_size(s->sk, 1 << 20, 0);
    if (r < 0) {
        oa_link_sock_close(s);
        return nle_errno(r);
    }
    /* Every request here sets NLM_F_ACK itself (dumps end with DONE). */
    nl_socket_disable_auto_ack(s->sk);
    /* Size each read by peeking: a link with hundreds of VFs is one
     * message of tens of kilobytes. */
    nl_socket_enable_msg_peek(s->sk);
    /* CAP_ACK: errors do not echo the request; EXT_ACK: the kernel says
     * why it refused (libnl 3.7 has no call for it).  Old kernels lack
     * EXT_ACK: not fatal. */
    int one = 1, fd = nl_socket_get_fd(s->sk);
    setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    *out = s;
    return 0;
}

void
oa_link_sock_close(struct oa_link_sock *s)
{
    if (s) {
        nl_socket_free(s->sk); /* closes it */
        free(s);
    }
}

typedef int (*reply_fn)(struct nl_msg *, void *data);

struct txn {
    reply_fn each;
    void *data;
    struct oanl_extack *ext;
    bool done; /* ACK, error or DONE seen */
    int err;   /* first failure: the kernel's errno or ours */
};

/* Sees every message before libnl handles it: the end of the
 * transaction and the kernel's errno + extended ACK text. */
static int
txn_msg_in(struct nl_msg *msg, void *data)
{
    struct txn *t = data;
    const struct nlmsghdr *nlh = nlmsg_hdr(msg);
    if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE) {
        t->done = true;
        int r = oanl_decode_error(nlh, t->ext);
        if (r < 0 && !t->err) {
            t->err = r;
        }
    }
    return NL_OK;
}

static int
txn_valid(struct nl_msg *msg, void *data)
{
    struct txn *t = data;
    if (t->each && !t->err) {
        int r = t->each(msg, t->data);
        if (r < 0) {
            t->err = r;
        }
    }
    /* Keep reading even after a failure so the socket stays in step. */
    return NL_OK;
}

/* Sends 'msg' (ownership stays with the caller) and reads replies until
 * the ACK, error or DONE, handing every data message to 'each'. */
static int
transact(struct oa_link_sock *s, struct nl_msg *msg, reply_fn each, void *data,
         struct oanl_extack *ext)
{
    if (ext) {
        ext->msg[0] = '\0';
    }
    struct txn t = {.each = each, .data = data, .ext = ext};
    struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
    if (!cb) {
        return -ENOMEM;
    }
    nl_cb_set(cb, NL_CB_MSG_IN, NL_CB_CUSTOM, txn_msg_in, &t);
    nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, txn_valid, &t);
    /* A fresh sequence number on every send (a retried dump reuses msg):
     * libnl's sequence check expects the one it hands out. */
    nlmsg_hdr(msg)->nlmsg_seq = NL_AUTO_SEQ;
    oa_iostat_inc(nlmsg_hdr(msg)->nlmsg_flags & NLM_F_DUMP
                      ? OA_IOSTAT_NL_DUMPS
                      : OA_IOSTAT_NL_REQUESTS);
    int r = nl_send_auto(s->sk, msg);
    while (r >= 0 && !t.done) {
        r = nl_recvmsgs(s->sk, cb);
    }
    nl_cb_put(cb);
    if (t.err) {
        return t.err;
    }
    return r < 0 ? nle_errno(r) : 0;
}

static int
get_cb(struct nl_msg *msg, void *data)
{
    struct oa_link **out = data;
    if (*out) {
        return 0; /* one answer is all we asked for */
    }
    return decode_hdr(nlmsg_hdr(msg), out);
}

static int
get_link(struct oa_link_sock *s, int ifindex, const char *name, bool with_vfs,
         struct oa_link **out, struct oanl_extack *ext)
{
    *out = NULL;
    struct nl_msg *msg;
    int r = build_get(ifindex, name, with_vfs, &msg);
    if (r) {
        return r;
    }
    r = transact(s, msg, get_cb, out, ext);
    nlmsg_free(msg);
    if (r) {
        oa_link_destroy(*out);
        *out = NULL;
        return r;
    }
    return *out ? 0 : -ENODEV;
}

int
oa_link_get_by_name(struct oa_link_sock *s, const char *name,
                    struct oa_link **out, struct oanl_extack *ext)
{
    return get_link(s, 0, name, false, out, ext);
}

static int
get_by_index(struct oa_link_sock *s, int ifindex, bool with_vfs,
             struct oa_link **out, struct oanl_extack *ext)
{
    if (ifindex <= 0) {
        *out = NULL;
        return -EINVAL;
    }
    return get_link(s, ifindex, NULL, with_vfs, out, ext);
}

int
oa_link_get_by_index(struct oa_link_sock *s, int ifindex, struct oa_link **out,
                     struct oanl_extack *ext)
{
    return get_by_index(s, ifindex, false, out, ext);
}

int
oa_link_get_vfs(struct oa_link_sock *s, int ifindex, struct oa_link **out,
                struct oanl_extack *ext)
{
    return get_by_index(s, ifindex, true, out, ext);
}

static int
list_cb(struct nl_msg *msg, void *data)
{
    struct oa_link *l;
    int r = decode_hdr(nlmsg_hdr(msg), &l);
    if (r) {
        return r;
    }
    struct oa_link **slot = oanl_vec_push(data);
    if (!slot) {
        oa_link_destroy(l);
        return -ENOMEM;
    }
    *slot = l;
    return 0;
}

/* Attempts at a dump the kernel keeps marking interrupted. */
#define DUMP_TRIES 3

int
oa_link_list(struct oa_link_sock *s, struct oa_link ***out, size_t *n,
             struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    struct nl_msg *msg;
    int r = build_getlink(NLM_F_DUMP, 0, NULL, false, &msg);
    if (r) {
        return r;
    }
    struct oanl_vec v = {.size = sizeof(struct oa_link *)};
    for (int i = 0; i < DUMP_TRIES; i++) {
        oa_link_list_free(v.items, v.n);
        v.items = NULL;
        v.n = v.cap = 0;
        r = transact(s, msg, list_cb, &v, ext);
        if (r != -EINTR) {
            break;
        }
    }
    nlmsg_free(msg);
    if (r) {
        oa_link_list_free(v.items, v.n);
        return r;
    }
    *out = v.items;
    *n = v.n;
    return 0;
}

int
oa_link_set_up(struct oa_link_sock *s, int ifindex, bool up,
               struct oanl_extack *ext)
{
    struct nl_msg *msg;
    int r = build_set_up(ifindex, up, &msg);
    if (r) {
        return r;
    }
    r = transact(s, msg, NULL, NULL, ext);
    nlmsg_free(msg);
    return r;
}

int
oa_link_set_vf(struct oa_link_sock *s, int ifindex,
               const struct oa_link_vf_req *req, struct oanl_extack *ext)
{
    struct nl_msg *msg;
    int r = build_set_vf(ifindex, req, &msg);
    if (r) {
        return r;
    }
    r = transact(s, msg, NULL, NULL, ext);
    nlmsg_free(msg);
    return r;
}
