/* vDPA over generic netlink: see include/oa-netlink/vdpa.h. */
#include "oa-netlink/vdpa.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/vdpa.h>
#include <stdio.h>
#include <string.h>

#include "vec.h"

/* Attribute numbers by value: 20 and 21 are named differently (and 21
 * means different things) in 6.1's and 6.12's uapi headers. */
enum {
    VDPA_A_DEV_FEATURES = 20,    /* 6.1 and 6.12: device features */
    VDPA_A_61_DEV_FEATURES = 21, /* 6.1: a net device's device features */
    VDPA_VIRTIO_ID_NET = 1,
};

int
vdpa_mgmtdev_parse(const char *s, struct vdpa_mgmtdev *h)
{
    memset(h, 0, sizeof *h);
    const char *slash = strchr(s, '/');
    const char *dev = slash ? slash + 1 : s;
    size_t bus_len = slash ? (size_t)(slash - s) : 0;
    if (!*dev || strchr(dev, '/') || (slash && !bus_len) ||
        bus_len >= sizeof h->bus || strlen(dev) >= sizeof h->dev) {
        return -EINVAL;
    }
    memcpy(h->bus, s, bus_len);
    strcpy(h->dev, dev);
    return 0;
}

int
vdpa_mgmtdev_format(const struct vdpa_mgmtdev *h, char *buf, size_t size)
{
    int n = h->bus[0] ? snprintf(buf, size, "%s/%s", h->bus, h->dev)
                      : snprintf(buf, size, "%s", h->dev);
    return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

bool
vdpa_mgmtdev_equal(const struct vdpa_mgmtdev *a, const struct vdpa_mgmtdev *b)
{
    return !strcmp(a->bus, b->bus) && !strcmp(a->dev, b->dev);
}

/* ------------------------------------------------------------ encoders -- */

static struct nlmsghdr *
put_genl(void *buf, size_t len, uint16_t family, uint8_t cmd, uint16_t flags)
{
    return oanl_put_genl(buf, len, family, cmd, VDPA_GENL_VERSION, flags);
}

static int
encode_dump(void *buf, size_t len, uint16_t family, uint8_t cmd)
{
    struct nlmsghdr *nlh = put_genl(buf, len, family, cmd, NLM_F_DUMP);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
vdpa_encode_mgmtdev_dump(void *buf, size_t len, uint16_t family)
{
    return encode_dump(buf, len, family, VDPA_CMD_MGMTDEV_GET);
}

int
vdpa_encode_dev_dump(void *buf, size_t len, uint16_t family)
{
    return encode_dump(buf, len, family, VDPA_CMD_DEV_GET);
}

/* A request naming one device. */
static int
encode_named(void *buf, size_t len, uint16_t family, uint8_t cmd,
             const char *name)
{
    struct nlmsghdr *nlh = put_genl(buf, len, family, cmd, NLM_F_ACK);
    if (!nlh || !mnl_attr_put_strz_check(nlh, len, VDPA_ATTR_DEV_NAME, name)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
vdpa_encode_dev_get(void *buf, size_t len, uint16_t family, const char *name)
{
    return encode_named(buf, len, family, VDPA_CMD_DEV_GET, name);
}

int
vdpa_encode_dev_del(void *buf, size_t len, uint16_t family, const char *name)
{
    return encode_named(buf, len, family, VDPA_CMD_DEV_DEL, name);
}

int
vdpa_encode_config_get(void *buf, size_t len, uint16_t family,
                       const char *name)
{
    return encode_named(buf, len, family, VDPA_CMD_DEV_CONFIG_GET, name);
}

int
vdpa_encode_dev_new(void *buf, size_t len, uint16_t family,
                    const struct vdpa_dev_new_req *q)
{
    int r = encode_named(buf, len, family, VDPA_CMD_DEV_NEW, q->name);
    if (r < 0) {
        return r;
    }
    struct nlmsghdr *nlh = buf;
    /* The kernel takes the bus name as optional: a bare "vdpasim_net". */
    if ((q->mgmt.bus[0] &&
         !mnl_attr_put_strz_check(nlh, len, VDPA_ATTR_MGMTDEV_BUS_NAME,
                                  q->mgmt.bus)) ||
        !mnl_attr_put_strz_check(nlh, len, VDPA_ATTR_MGMTDEV_DEV_NAME,
                                 q->mgmt.dev) ||
        (q->has_mac &&
         !mnl_attr_put_check(nlh, len, VDPA_ATTR_DEV_NET_CFG_MACADDR,
                             sizeof q->mac, q->mac)) ||
        (q->max_vqp &&
         !mnl_attr_put_u16_check(nlh, len, VDPA_ATTR_DEV_NET_CFG_MAX_VQP,
                                 q->max_vqp)) ||
        (q->mtu && !mnl_attr_put_u16_check(nlh, len, VDPA_ATTR_DEV_NET_CFG_MTU,
                                           q->mtu))) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

/* ------------------------------------------------------------ decoders -- */

/* The generic netlink header of a reply to 'cmd'. */
static int
check_genl(const struct nlmsghdr *nlh, uint8_t cmd)
{
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        return -EBADMSG;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    return g->cmd == cmd ? 0 : -EPROTO;
}

static int
mgmtdev_cb(const struct nlattr *a, void *data)
{
    struct vdpa_mgmtdev_info *m = data;
    switch (oanl_attr_type(a)) {
    case VDPA_ATTR_MGMTDEV_BUS_NAME:
        return oanl_attr_str(a, m->h.bus, sizeof m->h.bus);
    case VDPA_ATTR_MGMTDEV_DEV_NAME:
        return oanl_attr_str(a, m->h.dev, sizeof m->h.dev);
    case VDPA_ATTR_MGMTDEV_SUPPORTED_CLASSES:
        m->has_classes = true;
        return oanl_attr_u64(a, &m->classes);
    case VDPA_ATTR_DEV_MGMTDEV_MAX_VQS:
        m->has_max_vqs = true;
        return oanl_attr_u32(a, &m->max_vqs);
    case VDPA_ATTR_DEV_SUPPORTED_FEATURES:
        m->has_features = true;
        return oanl_attr_u64(a, &m->supported_features);
    }
    return 0;
}

int
vdpa_decode_mgmtdev(const struct nlmsghdr *nlh, struct vdpa_mgmtdev_info *m)
{
    memset(m, 0, sizeof *m);
    int r = check_genl(nlh, VDPA_CMD_MGMTDEV_NEW);
    if (r == -EPROTO) {
        r = check_genl(nlh, VDPA_CMD_MGMTDEV_GET);
    }
    if (!r) {
        r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), mgmtdev_cb, m);
    }
    if (!r && !m->h.dev[0]) {
        r = -EBADMSG; /* the kernel always names it */
    }
    if (r) {
        memset(m, 0, sizeof *m);
    }
    return r;
}

static int
dev_cb(const struct nlattr *a, void *data)
{
    struct vdpa_dev_info *d = data;
    switch (oanl_attr_type(a)) {
    case VDPA_ATTR_DEV_NAME:
        return oanl_attr_str(a, d->name, sizeof d->name);
    case VDPA_ATTR_MGMTDEV_BUS_NAME:
        return oanl_attr_str(a, d->mgmt.bus, sizeof d->mgmt.bus);
    case VDPA_ATTR_MGMTDEV_DEV_NAME:
        return oanl_attr_str(a, d->mgmt.dev, sizeof d->mgmt.dev);
    case VDPA_ATTR_DEV_ID:
        return oanl_attr_u32(a, &d->device_id);
    case VDPA_ATTR_DEV_VENDOR_ID:
        return oanl_attr_u32(a, &d->vendor_id);
    case VDPA_ATTR_DEV_MAX_VQS:
        return oanl_attr_u32(a, &d->max_vqs);
    case VDPA_ATTR_DEV_MAX_VQ_SIZE:
        return oanl_attr_u16(a, &d->max_vq_size);
    case VDPA_ATTR_DEV_MIN_VQ_SIZE:
        return oanl_attr_u16(a, &d->min_vq_size);
    }
    return 0;
}

int
vdpa_decode_dev(const struct nlmsghdr *nlh, struct vdpa_dev_info *d)
{
    memset(d, 0, sizeof *d);
    int r = check_genl(nlh, VDPA_CMD_DEV_NEW);
    if (r == -EPROTO) {
        r = check_genl(nlh, VDPA_CMD_DEV_GET);
    }
    if (!r) {
        r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), dev_cb, d);
    }
    if (!r && (!d->name[0] || !d->mgmt.dev[0])) {
        r = -EBADMSG;
    }
    if (r) {
        memset(d, 0, sizeof *d);
    }
    return r;
}

struct config_ctx {
    struct vdpa_dev_config *c;
    bool has_61_features;
    uint64_t features_61;
};

/* VDPA_ATTR_DEV_NET_STATUS: u16 in the kernel's config fill; a u8 too. */
static int
attr_u8_or_u16(const struct nlattr *a, uint16_t *out)
{
    uint8_t v8;
    if (mnl_attr_get_payload_len(a) >= sizeof(uint16_t)) {
        return oanl_attr_u16(a, out);
    }
    int r = oanl_attr_u8(a, &v8);
    *out = v8;
    return r;
}

static int
config_cb(const struct nlattr *a, void *data)
{
    struct config_ctx *x = data;
    struct vdpa_dev_config *c = x->c;
    switch (oanl_attr_type(a)) {
    case VDPA_ATTR_DEV_NAME:
        return oanl_attr_str(a, c->name, sizeof c->name);
    case VDPA_ATTR_DEV_ID:
        return oanl_attr_u32(a, &c->device_id);
    case VDPA_ATTR_DEV_NET_CFG_MACADDR:
        c->has_mac = true;
        return oanl_attr_struct(a, c->mac, sizeof c->mac);
    case VDPA_ATTR_DEV_NET_STATUS:
        c->has_status = true;
        return attr_u8_or_u16(a, &c->status);
    case VDPA_ATTR_DEV_NET_CFG_MAX_VQP:
        c->has_max_vqp = true;
        return oanl_attr_u16(a, &c->max_vqp);
    case VDPA_ATTR_DEV_NET_CFG_MTU:
        c->has_mtu = true;
        return oanl_attr_u16(a, &c->mtu);
    case VDPA_ATTR_DEV_NEGOTIATED_FEATURES:
        c->has_negotiated = true;
        return oanl_attr_u64(a, &c->negotiated);
    case VDPA_A_DEV_FEATURES:
        c->has_dev_features = true;
        return oanl_attr_u64(a, &c->dev_features);
    case VDPA_A_61_DEV_FEATURES:
        /* A u64 in 6.1; 6.12's block capacity is a u64 too: kept aside
         * until the device id says which. */
        x->has_61_features = true;
        return oanl_attr_u64(a, &x->features_61);
    }
    return 0;
}

int
vdpa_decode_config(const struct nlmsghdr *nlh, struct vdpa_dev_config *c)
{
    struct config_ctx x = {.c = c};
    memset(c, 0, sizeof *c);
    int r = check_genl(nlh, VDPA_CMD_DEV_CONFIG_GET);
    if (!r) {
        r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), config_cb, &x);
    }
    if (!r && !c->name[0]) {
        r = -EBADMSG;
    }
    if (r) {
        memset(c, 0, sizeof *c);
        return r;
    }
    if (!c->has_dev_features && x.has_61_features &&
        c->device_id == VDPA_VIRTIO_ID_NET) {
        c->has_dev_features = true;
        c->dev_features = x.features_61;
    }
    return 0;
}

/* ----------------------------------------------------------------- I/O -- */

static int
family_id(struct oanl_sock *s, uint16_t *id)
{
    const struct oanl_genl_family *f = oanl_family(s);
    if (!f || strcmp(f->name, VDPA_GENL_NAME)) {
        return -EINVAL; /* not a vdpa socket */
    }
    *id = f->id;
    return 0;
}

static int
mgmtdev_list_cb(const struct nlmsghdr *nlh, void *data)
{
    struct vdpa_mgmtdev_info m;
    int r = vdpa_decode_mgmtdev(nlh, &m);
    if (r < 0) {
        return r;
    }
    struct vdpa_mgmtdev_info *slot = oanl_vec_push(data);
    if (!slot) {
        return -ENOMEM;
    }
    *slot = m;
    return 0;
}

static int
dev_list_cb(const struct nlmsghdr *nlh, void *data)
{
    struct vdpa_dev_info d;
    int r = vdpa_decode_dev(nlh, &d);
    if (r < 0) {
        return r;
    }
    struct vdpa_dev_info *slot = oanl_vec_push(data);
    if (!slot) {
        return -ENOMEM;
    }
    *slot = d;
    return 0;
}

/* A dump of 'cmd' into a vector of 'size'-byte items. */
static int
dump(struct oanl_sock *s, uint8_t cmd, oanl_msg_cb cb, size_t size, void **out,
     size_t *n, struct oanl_extack *ext)
{
    uint16_t fam;
    char buf[64];
    *out = NULL;
    *n = 0;
    int r = family_id(s, &fam);
    if (!r) {
        r = encode_dump(buf, sizeof buf, fam, cmd);
    }
    if (r < 0) {
        return r;
    }
    struct oanl_vec v = {.size = size};
    r = oanl_transact(s, (struct nlmsghdr *)buf, cb, &v, ext);
    if (r) {
        free(v.items);
        return r;
    }
    *out = v.items;
    *n = v.n;
    return 0;
}

int
vdpa_mgmtdev_list(struct oanl_sock *s, struct vdpa_mgmtdev_info **out,
                  size_t *n, struct oanl_extack *ext)
{
    void *items;
    int r = dump(s, VDPA_CMD_MGMTDEV_GET, mgmtdev_list_cb, sizeof **out,
                 &items, n, ext);
    *out = items;
    return r;
}

int
vdpa_dev_list(struct oanl_sock *s, struct vdpa_dev_info **out, size_t *n,
              struct oanl_extack *ext)
{
    void *items;
    int r =
        dump(s, VDPA_CMD_DEV_GET, dev_list_cb, sizeof **out, &items, n, ext);
    *out = items;
    return r;
}

struct one_ctx {
    int (*decode)(const struct nlmsghdr *, void *);
    void *out;
    bool got;
};

static int
one_cb(const struct nlmsghdr *nlh, void *data)
{
    struct one_ctx *c = data;
    int r = c->decode(nlh, c->out);
    c->got = !r;
    return r;
}

static int
decode_dev_any(const struct nlmsghdr *nlh, void *out)
{
    return vdpa_decode_dev(nlh, out);
}

static int
decode_config_any(const struct nlmsghdr *nlh, void *out)
{
    return vdpa_decode_config(nlh, out);
}

/* A request for one device whose reply 'decode' reads into 'out'. */
static int
get_one(struct oanl_sock *s, uint8_t cmd, const char *name,
        int (*decode)(const struct nlmsghdr *, void *), void *out,
        struct oanl_extack *ext)
{
    uint16_t fam;
    char buf[128];
    int r = family_id(s, &fam);
    if (!r) {
        r = encode_named(buf, sizeof buf, fam, cmd, name);
    }
    if (r < 0) {
        return r;
    }
    struct one_ctx c = {decode, out, false};
    r = oanl_transact(s, (struct nlmsghdr *)buf, one_cb, &c, ext);
    if (!r && !c.got) {
        r = -EBADMSG; /* ACK without a reply */
    }
    return r;
}

int
vdpa_dev_get(struct oanl_sock *s, const char *name, struct vdpa_dev_info *out,
             struct oanl_extack *ext)
{
    memset(out, 0, sizeof *out);
    return get_one(s, VDPA_CMD_DEV_GET, name, decode_dev_any, out, ext);
}

int
vdpa_config_get(struct oanl_sock *s, const char *name,
                struct vdpa_dev_config *out, struct oanl_extack *ext)
{
    memset(out, 0, sizeof *out);
    return get_one(s, VDPA_CMD_DEV_CONFIG_GET, name, decode_config_any, out,
                   ext);
}

int
vdpa_dev_new(struct oanl_sock *s, const struct vdpa_dev_new_req *q,
             struct oanl_extack *ext)
{
    uint16_t fam;
    char buf[256];
    int r = family_id(s, &fam);
    if (!r) {
        r = vdpa_encode_dev_new(buf, sizeof buf, fam, q);
    }
    return r < 0 ? r
                 : oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}

int
vdpa_dev_del(struct oanl_sock *s, const char *name, struct oanl_extack *ext)
{
    uint16_t fam;
    char buf[128];
    int r = family_id(s, &fam);
    if (!r) {
        r = vdpa_encode_dev_del(buf, sizeof buf, fam, name);
    }
    return r < 0 ? r
                 : oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}
