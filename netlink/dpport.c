/* dpport: see include/oa-netlink/dpport.h. */
#include "oa-netlink/dpport.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/openvswitch.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A request header: nlmsghdr, genlmsghdr, then struct ovs_header. */
static struct nlmsghdr *
put_request(void *buf, size_t len, uint16_t family, uint8_t cmd,
            uint8_t version, uint16_t flags, int dp_ifindex)
{
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, family, cmd, version, flags);
    if (!nlh || len < nlh->nlmsg_len + MNL_ALIGN(sizeof(struct ovs_header))) {
        return NULL;
    }
    struct ovs_header *oh = mnl_nlmsg_put_extra_header(nlh, sizeof *oh);
    oh->dp_ifindex = dp_ifindex;
    return nlh;
}

int
dpport_encode_dp_dump(void *buf, size_t len, uint16_t family, uint8_t version)
{
    struct nlmsghdr *nlh =
        put_request(buf, len, family, OVS_DP_CMD_GET, version, NLM_F_DUMP, 0);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
dpport_encode_vport_dump(void *buf, size_t len, uint16_t family,
                         uint8_t version, int dp_ifindex)
{
    struct nlmsghdr *nlh = put_request(buf, len, family, OVS_VPORT_CMD_GET,
                                       version, NLM_F_DUMP, dp_ifindex);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
dpport_encode_vport_del(void *buf, size_t len, uint16_t family,
                        uint8_t version, const struct dpport *p)
{
    struct nlmsghdr *nlh = put_request(buf, len, family, OVS_VPORT_CMD_DEL,
                                       version, NLM_F_ACK, p->dp_ifindex);
    if (!nlh || !mnl_attr_put_u32_check(nlh, len, OVS_VPORT_ATTR_PORT_NO,
                                        p->port_no)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
dpport_encode_vport_new(void *buf, size_t len, uint16_t family,
                        uint8_t version, const struct dpport *p)
{
    static const uint32_t no_pid = 0;
    struct nlmsghdr *nlh = put_request(buf, len, family, OVS_VPORT_CMD_NEW,
                                       version, NLM_F_ACK, p->dp_ifindex);
    const uint32_t *pids = p->n_upcall_pids ? p->upcall_pids : &no_pid;
    size_t n_pids = p->n_upcall_pids ? p->n_upcall_pids : 1;
    if (!nlh ||
        !mnl_attr_put_strz_check(nlh, len, OVS_VPORT_ATTR_NAME, p->name) ||
        !mnl_attr_put_u32_check(nlh, len, OVS_VPORT_ATTR_TYPE, p->type) ||
        !mnl_attr_put_u32_check(nlh, len, OVS_VPORT_ATTR_PORT_NO,
                                p->port_no) ||
        !mnl_attr_put_check(nlh, len, OVS_VPORT_ATTR_UPCALL_PID,
                            n_pids * sizeof *pids, pids)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

/* The ovs_header after the genl header, or NULL when truncated. */
static const struct ovs_header *
ovs_header_of(const struct nlmsghdr *nlh)
{
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN +
                             MNL_ALIGN(sizeof(struct genlmsghdr)) +
                             sizeof(struct ovs_header)) {
        return NULL;
    }
    const char *p = mnl_nlmsg_get_payload(nlh);
    return (const struct ovs_header *)(p +
                                       MNL_ALIGN(sizeof(struct genlmsghdr)));
}

int
dpport_decode_dp(const struct nlmsghdr *nlh, int *dp_ifindex)
{
    const struct ovs_header *oh = ovs_header_of(nlh);
    if (!oh) {
        return -EBADMSG;
    }
    *dp_ifindex = oh->dp_ifindex;
    return 0;
}

struct vport_ctx {
    struct dpport *out;
    bool has_port_no, has_name;
};

static int
vport_attr_cb(const struct nlattr *a, void *data)
{
    struct vport_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case OVS_VPORT_ATTR_PORT_NO:
        c->has_port_no = true;
        return oanl_attr_u32(a, &c->out->port_no);
    case OVS_VPORT_ATTR_TYPE:
        return oanl_attr_u32(a, &c->out->type);
    case OVS_VPORT_ATTR_NAME:
        c->has_name = true;
        return oanl_attr_str(a, c->out->name, sizeof c->out->name);
    case OVS_VPORT_ATTR_UPCALL_PID: {
        size_t n = mnl_attr_get_payload_len(a) / sizeof(uint32_t);
        if (n > DPPORT_MAX_PIDS) {
            return -EBADMSG;
        }
        memcpy(c->out->upcall_pids, mnl_attr_get_payload(a),
               n * sizeof(uint32_t));
        c->out->n_upcall_pids = n;
        return 0;
    }
    }
    return 0; /* upcall pids, stats, options */
}

int
dpport_decode_vport(const struct nlmsghdr *nlh, struct dpport *out)
{
    memset(out, 0, sizeof *out);
    const struct ovs_header *oh = ovs_header_of(nlh);
    if (!oh) {
        return -EBADMSG;
    }
    out->dp_ifindex = oh->dp_ifindex;
    struct vport_ctx c = {.out = out};
    int r = oanl_attr_walk_msg(
        nlh, MNL_ALIGN(sizeof(struct genlmsghdr)) + sizeof(struct ovs_header),
        vport_attr_cb, &c);
    if (r < 0 || !c.has_port_no || !c.has_name) {
        memset(out, 0, sizeof *out);
        return r < 0 ? r : -EBADMSG;
    }
    return 0;
}

/* Datapaths found by the dump; more than a handful is not a host the
 * agent manages (OVS makes one kernel datapath, "ovs-system"). */
#define DPPORT_MAX_DPS 16

struct dps {
    int ifindex[DPPORT_MAX_DPS];
    size_t n;
};

static int
dp_cb(const struct nlmsghdr *nlh, void *data)
{
    struct dps *d = data;
    int ifindex;
    int r = dpport_decode_dp(nlh, &ifindex);
    if (!r && d->n < DPPORT_MAX_DPS) {
        d->ifindex[d->n++] = ifindex;
    }
    return r;
}

struct find_ctx {
    const char *netdev;
    struct dpport *out;
    bool found;
};

static int
vport_cb(const struct nlmsghdr *nlh, void *data)
{
    struct find_ctx *c = data;
    struct dpport p;
    int r = dpport_decode_vport(nlh, &p);
    if (!r && !c->found && !strcmp(p.name, c->netdev)) {
        *c->out = p;
        c->found = true;
    }
    return r;
}

/* Opens 'family', -ENOENT when the openvswitch module is not loaded. */
static int
open_family(const char *family, struct oanl_sock **s, uint16_t *id,
            uint8_t *version)
{
    int r = oanl_open_genl(family, s);
    if (r) {
        return r;
    }
    const struct oanl_genl_family *f = oanl_family(*s);
    *id = f->id;
    *version = (uint8_t)f->version;
    return 0;
}

static int
list_datapaths(struct dps *d)
{
    struct oanl_sock *s;
    uint16_t id;
    uint8_t version;
    char buf[64];
    int r = open_family(OVS_DATAPATH_FAMILY, &s, &id, &version);
    if (r) {
        return r;
    }
    r = dpport_encode_dp_dump(buf, sizeof buf, id, version);
    if (r >= 0) {
        r = oanl_transact(s, (struct nlmsghdr *)buf, dp_cb, d, NULL);
    }
    oanl_close(s);
    return r < 0 ? r : 0;
}

int
dpport_find(const char *netdev, struct dpport *out)
{
    struct dps d = {.n = 0};
    int r = list_datapaths(&d);
    if (r < 0) {
        return r;
    }
    struct oanl_sock *s;
    uint16_t id;
    uint8_t version;
    r = open_family(OVS_VPORT_FAMILY, &s, &id, &version);
    if (r) {
        return r;
    }
    struct find_ctx c = {.netdev = netdev, .out = out};
    for (size_t i = 0; r >= 0 && !c.found && i < d.n; i++) {
        char buf[64];
        r = dpport_encode_vport_dump(buf, sizeof buf, id, version,
                                     d.ifindex[i]);
        if (r >= 0) {
            r = oanl_transact(s, (struct nlmsghdr *)buf, vport_cb, &c, NULL);
        }
    }
    oanl_close(s);
    if (r < 0) {
        return r;
    }
    return c.found ? 0 : -ENOENT;
}

/* Sends 'p''s DEL and, with 'and_new', its NEW right after on one socket
 * (no other request between them). */
static int
del_and_new(const struct dpport *p, bool and_new, struct oanl_extack *ext)
{
    if (p->port_no == OVSP_LOCAL) {
        return -EINVAL; /* the datapath itself */
    }
    struct oanl_sock *s;
    uint16_t id;
    uint8_t version;
    int r = open_family(OVS_VPORT_FAMILY, &s, &id, &version);
    if (r) {
        return r;
    }
    /* Room for every PID (2 KiB and more: not on the stack). */
    size_t size = 256 + DPPORT_MAX_PIDS * sizeof(uint32_t);
    char *buf = malloc(size);
    if (!buf) {
        oanl_close(s);
        return -ENOMEM;
    }
    r = dpport_encode_vport_del(buf, size, id, version, p);
    if (r >= 0) {
        r = oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
    }
    if (r >= 0 && and_new) {
        r = dpport_encode_vport_new(buf, size, id, version, p);
        if (r >= 0) {
            r = oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
        }
    }
    free(buf);
    oanl_close(s);
    return r < 0 ? r : 0;
}

int
dpport_del(const struct dpport *p, struct oanl_extack *ext)
{
    return del_and_new(p, false, ext);
}

int
dpport_refile(const struct dpport *p, struct oanl_extack *ext)
{
    if (p->type != OVS_VPORT_TYPE_NETDEV) {
        return -EINVAL; /* tunnels and internal ports are made, not filed */
    }
    return del_and_new(p, true, ext);
}
