/* rtnetlink links: see include/oa-netlink/link.h. */
#include "oa-netlink/link.h"
#include "vec.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- Encoders ---- */

/* VF info without per-VF statistics (as iproute2 asks): the kernel puts
 * all VFs in one attribute whose 16-bit length overflows near 250 VFs
 * with statistics, near 320 without. */
#define VF_MASK (RTEXT_FILTER_VF | RTEXT_FILTER_SKIP_STATS)

static struct nlmsghdr *
put_ifinfo(void *buf, size_t len, uint16_t type, uint16_t flags, int ifindex)
{
    if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct ifinfomsg))) {
        return NULL;
    }
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(nlh, sizeof *ifi);
    ifi->ifi_family = AF_UNSPEC;
    ifi->ifi_index = ifindex;
    return nlh;
}

int
oa_link_encode_get(void *buf, size_t len, int ifindex, const char *name,
                   bool with_vfs)
{
    if (ifindex <= 0 && (!name || !*name || strlen(name) >= IFNAMSIZ)) {
        return -EINVAL;
    }
    struct nlmsghdr *nlh = put_ifinfo(buf, len, RTM_GETLINK, NLM_F_ACK,
                                      ifindex > 0 ? ifindex : 0);
    if (!nlh) {
        return -ENOSPC;
    }
    if (ifindex <= 0 &&
        !mnl_attr_put_strz_check(nlh, len, IFLA_IFNAME, name)) {
        return -ENOSPC;
    }
    if (with_vfs &&
        !mnl_attr_put_u32_check(nlh, len, IFLA_EXT_MASK, VF_MASK)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
oa_link_encode_dump(void *buf, size_t len, bool with_vfs)
{
    struct nlmsghdr *nlh = put_ifinfo(buf, len, RTM_GETLINK, NLM_F_DUMP, 0);
    if (!nlh) {
        return -ENOSPC;
    }
    if (with_vfs &&
        !mnl_attr_put_u32_check(nlh, len, IFLA_EXT_MASK, VF_MASK)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
oa_link_encode_set_up(void *buf, size_t len, int ifindex, bool up)
{
    if (ifindex <= 0) {
        return -EINVAL;
    }
    struct nlmsghdr *nlh =
        put_ifinfo(buf, len, RTM_SETLINK, NLM_F_ACK, ifindex);
    if (!nlh) {
        return -ENOSPC;
    }
    struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    ifi->ifi_change = IFF_UP;
    ifi->ifi_flags = up ? IFF_UP : 0;
    return (int)nlh->nlmsg_len;
}

int
oa_link_encode_set_vf(void *buf, size_t len, int ifindex,
                      const struct oa_link_vf_req *r)
{
    if (ifindex <= 0 || r->vlan > 4095 || r->qos > 7 || r->trust > 1 ||
        r->spoofchk > 1) {
        return -EINVAL;
    }
    struct nlmsghdr *nlh =
        put_ifinfo(buf, len, RTM_SETLINK, NLM_F_ACK, ifindex);
    if (!nlh) {
        return -ENOSPC;
    }
    struct nlattr *list =
        mnl_attr_nest_start_check(nlh, len, IFLA_VFINFO_LIST);
    struct nlattr *info =
        list ? mnl_attr_nest_start_check(nlh, len, IFLA_VF_INFO) : NULL;
    if (!info) {
        return -ENOSPC;
    }
    bool ok = true;
    if (r->mac) {
        struct ifla_vf_mac m = {.vf = r->index};
        memcpy(m.mac, r->mac, 6);
        ok = ok && mnl_attr_put_check(nlh, len, IFLA_VF_MAC, sizeof m, &m);
    }
    if (r->vlan >= 0) {
        struct ifla_vf_vlan v = {.vf = r->index,
                                 .vlan = (uint32_t)r->vlan,
                                 .qos = r->qos > 0 ? (uint32_t)r->qos : 0};
        ok = ok && mnl_attr_put_check(nlh, len, IFLA_VF_VLAN, sizeof v, &v);
    }
    if (r->trust >= 0) {
        struct ifla_vf_trust t = {.vf = r->index,
                                  .setting = (uint32_t)r->trust};
        ok = ok && mnl_attr_put_check(nlh, len, IFLA_VF_TRUST, sizeof t, &t);
    }
    if (r->spoofchk >= 0) {
        struct ifla_vf_spoofchk sc = {.vf = r->index,
                                      .setting = (uint32_t)r->spoofchk};
        ok = ok &&
             mnl_attr_put_check(nlh, len, IFLA_VF_SPOOFCHK, sizeof sc, &sc);
    }
    if (!ok) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, info);
    mnl_attr_nest_end(nlh, list);
    return (int)nlh->nlmsg_len;
}

/* ---- Decoder ---- */

static int
vf_attr_cb(const struct nlattr *a, void *data)
{
    struct oa_link_vf *vf = data;
    switch (oanl_attr_type(a)) {
    case IFLA_VF_MAC: {
        struct ifla_vf_mac m;
        int r = oanl_attr_struct(a, &m, sizeof m);
        if (!r) {
            vf->index = m.vf;
            memcpy(vf->mac, m.mac, 6);
        }
        return r;
    }
    case IFLA_VF_VLAN: {
        struct ifla_vf_vlan v;
        int r = oanl_attr_struct(a, &v, sizeof v);
        if (!r) {
            vf->index = v.vf;
            vf->vlan = v.vlan;
            vf->qos = v.qos;
        }
        return r;
    }
    case IFLA_VF_SPOOFCHK: {
        struct ifla_vf_spoofchk s;
        int r = oanl_attr_struct(a, &s, sizeof s);
        /* The kernel sends setting -1 where the driver does not say. */
        if (!r && s.setting != (uint32_t)-1) {
            vf->has_spoofchk = true;
            vf->spoofchk = s.setting != 0;
        }
        return r;
    }
    case IFLA_VF_TRUST: {
        struct ifla_vf_trust t;
        int r = oanl_attr_struct(a, &t, sizeof t);
        if (!r && t.setting != (uint32_t)-1) {
            vf->has_trust = true;
            vf->trust = t.setting != 0;
        }
        return r;
    }
    case IFLA_VF_LINK_STATE: {
        struct ifla_vf_link_state s;
        int r = oanl_attr_struct(a, &s, sizeof s);
        if (!r) {
            vf->has_link_state = true;
            vf->link_state = s.link_state;
        }
        return r;
    }
    }
    return 0; /* rate, stats, guids, broadcast, newer: skipped */
}

static int
vflist_cb(const struct nlattr *a, void *data)
{
    if (oanl_attr_type(a) != IFLA_VF_INFO) {
        return 0;
    }
    struct oanl_vec *v = data;
    struct oa_link_vf *vf = oanl_vec_push(v);
    if (!vf) {
        return -ENOMEM;
    }
    return oanl_attr_walk_nested(a, vf_attr_cb, vf);
}

struct link_ctx {
    struct oa_link *l;
    struct oanl_vec vfs;
    bool saw_vflist;
};

static int
copy_binary(const struct nlattr *a, uint8_t *dst, size_t cap, size_t *len)
{
    size_t n = mnl_attr_get_payload_len(a);
    if (n > cap) {
        return -EBADMSG;
    }
    memcpy(dst, mnl_attr_get_payload(a), n);
    *len = n;
    return 0;
}

static int
link_attr_cb(const struct nlattr *a, void *data)
{
    struct link_ctx *c = data;
    struct oa_link *l = c->l;
    switch (oanl_attr_type(a)) {
    case IFLA_IFNAME:
        return oanl_attr_str(a, l->name, sizeof l->name);
    case IFLA_ADDRESS:
        return copy_binary(a, l->addr, sizeof l->addr, &l->addr_len);
    case IFLA_OPERSTATE:
        return oanl_attr_u8(a, &l->operstate);
    case IFLA_PHYS_PORT_NAME:
        return oanl_attr_str(a, l->phys_port_name, sizeof l->phys_port_name);
    case IFLA_PHYS_SWITCH_ID:
        return copy_binary(a, l->switch_id, sizeof l->switch_id,
                           &l->switch_id_len);
    case IFLA_PARENT_DEV_NAME:
        return oanl_attr_str(a, l->parent_dev, sizeof l->parent_dev);
    case IFLA_PARENT_DEV_BUS_NAME:
        return oanl_attr_str(a, l->parent_bus, sizeof l->parent_bus);
    case IFLA_NUM_VF:
        l->has_num_vf = true;
        return oanl_attr_u32(a, &l->num_vf);
    case IFLA_VFINFO_LIST:
        c->saw_vflist = true;
        return oanl_attr_walk_nested(a, vflist_cb, &c->vfs);
    }
    return 0;
}

int
oa_link_decode(const struct nlmsghdr *nlh, struct oa_link **out)
{
    *out = NULL;
    if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) {
        return -EPROTO;
    }
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct ifinfomsg)) {
        return -EBADMSG;
    }
    struct link_ctx c = {.l = calloc(1, sizeof *c.l),
                         .vfs = {.size = sizeof(struct oa_link_vf)}};
    if (!c.l) {
        return -ENOMEM;
    }
    const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);
    c.l->ifindex = ifi->ifi_index;
    c.l->flags = ifi->ifi_flags;
    int r = oanl_attr_walk_msg(nlh, sizeof *ifi, link_attr_cb, &c);
    c.l->vfs = c.vfs.items;
    c.l->n_vfs = c.vfs.n;
    if (!r && c.saw_vflist && c.l->has_num_vf && c.l->num_vf != c.l->n_vfs) {
        /* The list's 16-bit length wrapped: what follows it is VF data
         * misread as link attributes.  Nothing here can be trusted. */
        r = -EMSGSIZE;
    }
    if (r < 0) {
        oa_link_destroy(c.l);
        return r;
    }
    *out = c.l;
    return 0;
}

/* ---- I/O ---- */

static int
get_cb(const struct nlmsghdr *nlh, void *data)
{
    struct oa_link **out = data;
    if (*out) {
        return 0; /* one answer is all we asked for */
    }
    return oa_link_decode(nlh, out);
}

static int
get_link(struct oanl_sock *s, int ifindex, const char *name,
         struct oa_link **out, struct oanl_extack *ext)
{
    *out = NULL;
    char buf[256];
    int r = oa_link_encode_get(buf, sizeof buf, ifindex, name, true);
    if (r < 0) {
        return r;
    }
    r = oanl_transact(s, (struct nlmsghdr *)buf, get_cb, out, ext);
    if (r) {
        oa_link_destroy(*out);
        *out = NULL;
        return r;
    }
    return *out ? 0 : -ENODEV;
}

int
oa_link_get_by_name(struct oanl_sock *s, const char *name,
                    struct oa_link **out, struct oanl_extack *ext)
{
    return get_link(s, 0, name, out, ext);
}

int
oa_link_get_by_index(struct oanl_sock *s, int ifindex, struct oa_link **out,
                     struct oanl_extack *ext)
{
    if (ifindex <= 0) {
        *out = NULL;
        return -EINVAL;
    }
    return get_link(s, ifindex, NULL, out, ext);
}

static int
list_cb(const struct nlmsghdr *nlh, void *data)
{
    struct oa_link *l;
    int r = oa_link_decode(nlh, &l);
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

int
oa_link_list(struct oanl_sock *s, struct oa_link ***out, size_t *n,
             struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    char buf[128];
    int r = oa_link_encode_dump(buf, sizeof buf, false);
    if (r < 0) {
        return r;
    }
    struct oanl_vec v = {.size = sizeof(struct oa_link *)};
    r = oanl_transact(s, (struct nlmsghdr *)buf, list_cb, &v, ext);
    if (r) {
        oa_link_list_free(v.items, v.n);
        return r;
    }
    *out = v.items;
    *n = v.n;
    return 0;
}

int
oa_link_set_up(struct oanl_sock *s, int ifindex, bool up,
               struct oanl_extack *ext)
{
    char buf[128];
    int r = oa_link_encode_set_up(buf, sizeof buf, ifindex, up);
    if (r < 0) {
        return r;
    }
    return oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}

int
oa_link_set_vf(struct oanl_sock *s, int ifindex,
               const struct oa_link_vf_req *req, struct oanl_extack *ext)
{
    char buf[512];
    int r = oa_link_encode_set_vf(buf, sizeof buf, ifindex, req);
    if (r < 0) {
        return r;
    }
    return oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}
