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
    }
    return 0; /* upcall PIDs, stats, options */
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

int
dpport_del(const struct dpport *p, struct oanl_extack *ext)
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
    char buf[256];
    r = dpport_encode_vport_del(buf, sizeof buf, id, version, p);
    if (r >= 0) {
        r = oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
    }
    oanl_close(s);
    return r < 0 ? r : 0;
}
