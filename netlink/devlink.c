/* devlink over generic netlink: see include/oa-netlink/devlink.h. */
#include "oa-netlink/devlink.h"
#include "vec.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
devlink_handle_parse(const char *s, struct devlink_handle *h)
{
    memset(h, 0, sizeof *h);
    const char *slash = strchr(s, '/');
    if (!slash || slash == s || !slash[1] || strchr(slash + 1, '/')) {
        return -EINVAL;
    }
    size_t blen = (size_t)(slash - s);
    size_t dlen = strlen(slash + 1);
    if (blen >= sizeof h->bus || dlen >= sizeof h->dev) {
        return -EINVAL;
    }
    memcpy(h->bus, s, blen);
    memcpy(h->dev, slash + 1, dlen);
    return 0;
}

int
devlink_handle_format(const struct devlink_handle *h, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", h->bus, h->dev);
    return n < 0 || (size_t)n >= size ? -ENOSPC : 0;
}

bool
devlink_handle_equal(const struct devlink_handle *a,
                     const struct devlink_handle *b)
{
    return !strcmp(a->bus, b->bus) && !strcmp(a->dev, b->dev);
}

static const char *
name_of(const char *const *names, size_t n, int v)
{
    return v >= 0 && (size_t)v < n && names[v] ? names[v] : "unknown";
}

const char *
devlink_eswitch_mode_name(int mode)
{
    static const char *const names[] = {
        [DEVLINK_ESWITCH_MODE_LEGACY] = "legacy",
        [DEVLINK_ESWITCH_MODE_SWITCHDEV] = "switchdev",
    };
    return name_of(names, sizeof names / sizeof *names, mode);
}

const char *
devlink_inline_mode_name(int mode)
{
    static const char *const names[] = {
        [DEVLINK_ESWITCH_INLINE_MODE_NONE] = "none",
        [DEVLINK_ESWITCH_INLINE_MODE_LINK] = "link",
        [DEVLINK_ESWITCH_INLINE_MODE_NETWORK] = "network",
        [DEVLINK_ESWITCH_INLINE_MODE_TRANSPORT] = "transport",
    };
    return name_of(names, sizeof names / sizeof *names, mode);
}

const char *
devlink_encap_mode_name(int mode)
{
    static const char *const names[] = {
        [DEVLINK_ESWITCH_ENCAP_MODE_NONE] = "none",
        [DEVLINK_ESWITCH_ENCAP_MODE_BASIC] = "basic",
    };
    return name_of(names, sizeof names / sizeof *names, mode);
}

const char *
devlink_port_flavour_name(int flavour)
{
    static const char *const names[] = {
        [DEVLINK_PORT_FLAVOUR_PHYSICAL] = "physical",
        [DEVLINK_PORT_FLAVOUR_CPU] = "cpu",
        [DEVLINK_PORT_FLAVOUR_DSA] = "dsa",
        [DEVLINK_PORT_FLAVOUR_PCI_PF] = "pcipf",
        [DEVLINK_PORT_FLAVOUR_PCI_VF] = "pcivf",
        [DEVLINK_PORT_FLAVOUR_VIRTUAL] = "virtual",
        [DEVLINK_PORT_FLAVOUR_UNUSED] = "unused",
        [DEVLINK_PORT_FLAVOUR_PCI_SF] = "pcisf",
    };
    return name_of(names, sizeof names / sizeof *names, flavour);
}

const struct devlink_port_info *
devlink_ports_uplink(const struct devlink_port_info *ports, size_t n)
{
    const struct devlink_port_info *best = NULL;

    for (size_t i = 0; i < n; i++) {
        const struct devlink_port_info *p = &ports[i];
        if (p->has_flavour && p->flavour == DEVLINK_PORT_FLAVOUR_PHYSICAL &&
            p->netdev_ifindex && p->netdev_name[0] &&
            (!best || p->index < best->index)) {
            best = p;
        }
    }
    return best;
}

/* ---- Encoders ---- */

static struct nlmsghdr *
put_genl(void *buf, size_t len, uint16_t family, uint8_t cmd, uint16_t flags)
{
    return oanl_put_genl(buf, len, family, cmd, DEVLINK_GENL_VERSION, flags);
}

static bool
put_handle(struct nlmsghdr *nlh, size_t len, const struct devlink_handle *h)
{
    return mnl_attr_put_strz_check(nlh, len, DEVLINK_ATTR_BUS_NAME, h->bus) &&
           mnl_attr_put_strz_check(nlh, len, DEVLINK_ATTR_DEV_NAME, h->dev);
}

int
devlink_encode_dev_dump(void *buf, size_t len, uint16_t family)
{
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_GET, NLM_F_DUMP);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
devlink_encode_port_dump(void *buf, size_t len, uint16_t family)
{
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_PORT_GET, NLM_F_DUMP);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

int
devlink_encode_eswitch_get(void *buf, size_t len, uint16_t family,
                           const struct devlink_handle *h)
{
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_ESWITCH_GET, NLM_F_ACK);
    if (!nlh || !put_handle(nlh, len, h)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
devlink_encode_eswitch_set(void *buf, size_t len, uint16_t family,
                           const struct devlink_handle *h,
                           const struct devlink_eswitch_req *req)
{
    if (req->mode > UINT16_MAX || req->inline_mode > UINT8_MAX ||
        req->encap_mode > UINT8_MAX) {
        return -EINVAL;
    }
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_ESWITCH_SET, NLM_F_ACK);
    if (!nlh || !put_handle(nlh, len, h)) {
        return -ENOSPC;
    }
    if (req->mode >= 0 &&
        !mnl_attr_put_u16_check(nlh, len, DEVLINK_ATTR_ESWITCH_MODE,
                                (uint16_t)req->mode)) {
        return -ENOSPC;
    }
    if (req->inline_mode >= 0 &&
        !mnl_attr_put_u8_check(nlh, len, DEVLINK_ATTR_ESWITCH_INLINE_MODE,
                               (uint8_t)req->inline_mode)) {
        return -ENOSPC;
    }
    if (req->encap_mode >= 0 &&
        !mnl_attr_put_u8_check(nlh, len, DEVLINK_ATTR_ESWITCH_ENCAP_MODE,
                               (uint8_t)req->encap_mode)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
devlink_encode_port_fn_hw_addr_set(void *buf, size_t len, uint16_t family,
                                   const struct devlink_handle *h,
                                   uint32_t port_index, const uint8_t mac[6])
{
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_PORT_SET, NLM_F_ACK);
    if (!nlh || !put_handle(nlh, len, h) ||
        !mnl_attr_put_u32_check(nlh, len, DEVLINK_ATTR_PORT_INDEX,
                                port_index)) {
        return -ENOSPC;
    }
    /* NLA_F_NESTED, as iproute2 sends it: the kernel parses the nest
     * strictly. */
    struct nlattr *fn =
        mnl_attr_nest_start_check(nlh, len, DEVLINK_ATTR_PORT_FUNCTION);
    if (!fn || !mnl_attr_put_check(
                   nlh, len, DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR, 6, mac)) {
        return -ENOSPC;
    }
    mnl_attr_nest_end(nlh, fn);
    return (int)nlh->nlmsg_len;
}

int
devlink_encode_param_get(void *buf, size_t len, uint16_t family,
                         const struct devlink_handle *h, const char *name)
{
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_PARAM_GET, NLM_F_ACK);
    if (!nlh || !put_handle(nlh, len, h) ||
        !mnl_attr_put_strz_check(nlh, len, DEVLINK_ATTR_PARAM_NAME, name)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

/* The kernel's __DEVLINK_PARAM_MAX_STRING_VALUE, with the NUL. */
#define PARAM_MAX_STRING 32

static bool
put_param_data(struct nlmsghdr *nlh, size_t len, const struct devlink_param *p)
{
    const uint16_t t = DEVLINK_ATTR_PARAM_VALUE_DATA;
    switch (p->type) {
    case DEVLINK_PARAM_U8:
        return mnl_attr_put_u8_check(nlh, len, t, (uint8_t)p->num);
    case DEVLINK_PARAM_U16:
        return mnl_attr_put_u16_check(nlh, len, t, (uint16_t)p->num);
    case DEVLINK_PARAM_U32:
        return mnl_attr_put_u32_check(nlh, len, t, (uint32_t)p->num);
    case DEVLINK_PARAM_U64:
        return mnl_attr_put_u64_check(nlh, len, t, p->num);
    case DEVLINK_PARAM_BOOL:
        /* A flag: present for true, absent for false. */
        return !p->flag || mnl_attr_put_check(nlh, len, t, 0, NULL);
    default: /* a string: the kernel wants the NUL */
        return mnl_attr_put_strz_check(nlh, len, t, p->str);
    }
}

int
devlink_encode_param_set(void *buf, size_t len, uint16_t family,
                         const struct devlink_handle *h,
                         const struct devlink_param *p)
{
    uint64_t max;
    switch (p->type) {
    case DEVLINK_PARAM_U8:
        max = UINT8_MAX;
        break;
    case DEVLINK_PARAM_U16:
        max = UINT16_MAX;
        break;
    case DEVLINK_PARAM_U32:
        max = UINT32_MAX;
        break;
    case DEVLINK_PARAM_U64:
    case DEVLINK_PARAM_BOOL:
        max = UINT64_MAX;
        break;
    case DEVLINK_PARAM_STRING:
    case DEVLINK_PARAM_NUL_STRING:
        max = UINT64_MAX;
        if (strnlen(p->str, sizeof p->str) >= PARAM_MAX_STRING) {
            return -EINVAL;
        }
        break;
    default:
        return -EINVAL;
    }
    if (p->num > max || !p->name[0]) {
        return -EINVAL;
    }
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_PARAM_SET, NLM_F_ACK);
    if (!nlh || !put_handle(nlh, len, h) ||
        !mnl_attr_put_strz_check(nlh, len, DEVLINK_ATTR_PARAM_NAME, p->name) ||
        !mnl_attr_put_u8_check(nlh, len, DEVLINK_ATTR_PARAM_TYPE, p->type) ||
        !mnl_attr_put_u8_check(nlh, len, DEVLINK_ATTR_PARAM_VALUE_CMODE,
                               p->cmode) ||
        !put_param_data(nlh, len, p)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

int
devlink_encode_reload(void *buf, size_t len, uint16_t family,
                      const struct devlink_handle *h, uint8_t action)
{
    struct nlmsghdr *nlh =
        put_genl(buf, len, family, DEVLINK_CMD_RELOAD, NLM_F_ACK);
    if (!nlh || !put_handle(nlh, len, h) ||
        !mnl_attr_put_u8_check(nlh, len, DEVLINK_ATTR_RELOAD_ACTION, action)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

/* ---- Decoders ---- */

/* Checks the genl header and returns its command, or a negative errno. */
static int
genl_cmd(const struct nlmsghdr *nlh)
{
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        return -EBADMSG;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    return g->cmd;
}

static int
handle_attr(const struct nlattr *a, struct devlink_handle *h)
{
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_BUS_NAME:
        return oanl_attr_str(a, h->bus, sizeof h->bus);
    case DEVLINK_ATTR_DEV_NAME:
        return oanl_attr_str(a, h->dev, sizeof h->dev);
    }
    return 0;
}

static int
dev_cb(const struct nlattr *a, void *data)
{
    return handle_attr(a, data);
}

int
devlink_decode_dev(const struct nlmsghdr *nlh, struct devlink_handle *h)
{
    memset(h, 0, sizeof *h);
    int cmd = genl_cmd(nlh);
    if (cmd < 0) {
        return cmd;
    }
    if (cmd != DEVLINK_CMD_NEW && cmd != DEVLINK_CMD_GET) {
        return -EPROTO;
    }
    int r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), dev_cb, h);
    if (r < 0) {
        return r;
    }
    return h->bus[0] && h->dev[0] ? 0 : -EBADMSG;
}

/* DEVLINK_ATTR_PORT_FUNCTION: the hw_addr when it is an Ethernet
 * address; state, opstate, caps and newer attributes are skipped. */
static int
port_fn_cb(const struct nlattr *a, void *data)
{
    struct devlink_port_info *p = data;
    if (oanl_attr_type(a) != DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR) {
        return 0;
    }
    if (mnl_attr_get_payload_len(a) != sizeof p->fn_hw_addr) {
        return 0; /* another link layer (InfiniBand: 20 bytes) */
    }
    p->has_fn_hw_addr = true;
    return oanl_attr_struct(a, p->fn_hw_addr, sizeof p->fn_hw_addr);
}

static int
port_cb(const struct nlattr *a, void *data)
{
    struct devlink_port_info *p = data;
    uint8_t u8;
    int r;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_BUS_NAME:
    case DEVLINK_ATTR_DEV_NAME:
        return handle_attr(a, &p->dev);
    case DEVLINK_ATTR_PORT_INDEX:
        return oanl_attr_u32(a, &p->index);
    case DEVLINK_ATTR_PORT_TYPE:
        return oanl_attr_u16(a, &p->type);
    case DEVLINK_ATTR_PORT_FLAVOUR:
        p->has_flavour = true;
        return oanl_attr_u16(a, &p->flavour);
    case DEVLINK_ATTR_PORT_NUMBER:
        p->has_number = true;
        return oanl_attr_u32(a, &p->number);
    case DEVLINK_ATTR_PORT_PCI_PF_NUMBER:
        p->has_pfnum = true;
        return oanl_attr_u16(a, &p->pfnum);
    case DEVLINK_ATTR_PORT_PCI_VF_NUMBER:
        p->has_vfnum = true;
        return oanl_attr_u16(a, &p->vfnum);
    case DEVLINK_ATTR_PORT_PCI_SF_NUMBER:
        p->has_sfnum = true;
        return oanl_attr_u32(a, &p->sfnum);
    case DEVLINK_ATTR_PORT_CONTROLLER_NUMBER:
        p->has_controller = true;
        return oanl_attr_u32(a, &p->controller);
    case DEVLINK_ATTR_PORT_EXTERNAL:
        r = oanl_attr_u8(a, &u8);
        p->external = u8 != 0;
        return r;
    case DEVLINK_ATTR_PORT_NETDEV_IFINDEX:
        return oanl_attr_u32(a, &p->netdev_ifindex);
    case DEVLINK_ATTR_PORT_NETDEV_NAME:
        return oanl_attr_str(a, p->netdev_name, sizeof p->netdev_name);
    case DEVLINK_ATTR_PORT_FUNCTION:
        return oanl_attr_walk_nested(a, port_fn_cb, p);
    }
    return 0; /* split, rate, newer attributes: skipped */
}

int
devlink_decode_port(const struct nlmsghdr *nlh, struct devlink_port_info *p)
{
    memset(p, 0, sizeof *p);
    int cmd = genl_cmd(nlh);
    if (cmd < 0) {
        return cmd;
    }
    /* Kernels up to 6.2 answer port dumps with DEVLINK_CMD_NEW. */
    if (cmd != DEVLINK_CMD_PORT_NEW && cmd != DEVLINK_CMD_PORT_GET &&
        cmd != DEVLINK_CMD_PORT_DEL && cmd != DEVLINK_CMD_NEW) {
        return -EPROTO;
    }
    int r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), port_cb, p);
    if (r < 0) {
        return r;
    }
    return p->dev.bus[0] && p->dev.dev[0] ? 0 : -EBADMSG;
}

struct eswitch_ctx {
    struct devlink_handle *dev;
    struct devlink_eswitch_state *st;
};

static int
eswitch_cb(const struct nlattr *a, void *data)
{
    struct eswitch_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_BUS_NAME:
    case DEVLINK_ATTR_DEV_NAME:
        return handle_attr(a, c->dev);
    case DEVLINK_ATTR_ESWITCH_MODE:
        c->st->has_mode = true;
        return oanl_attr_u16(a, &c->st->mode);
    case DEVLINK_ATTR_ESWITCH_INLINE_MODE:
        c->st->has_inline_mode = true;
        return oanl_attr_u8(a, &c->st->inline_mode);
    case DEVLINK_ATTR_ESWITCH_ENCAP_MODE:
        c->st->has_encap_mode = true;
        return oanl_attr_u8(a, &c->st->encap_mode);
    }
    return 0;
}

int
devlink_decode_eswitch(const struct nlmsghdr *nlh, struct devlink_handle *dev,
                       struct devlink_eswitch_state *st)
{
    struct devlink_handle scratch;
    struct eswitch_ctx c = {dev ? dev : &scratch, st};
    memset(c.dev, 0, sizeof *c.dev);
    memset(st, 0, sizeof *st);
    int cmd = genl_cmd(nlh);
    if (cmd < 0) {
        return cmd;
    }
    if (cmd != DEVLINK_CMD_ESWITCH_GET && cmd != DEVLINK_CMD_ESWITCH_SET) {
        return -EPROTO;
    }
    return oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), eswitch_cb, &c);
}

/* PARAM_GET reply: { bus, dev, PARAM { NAME, GENERIC, TYPE, VALUES_LIST
 * { VALUE { CMODE, DATA } ... } } }. The DATA of the wanted cmode is
 * kept as a pointer and read once the type is known, whatever the
 * attribute order. */
struct param_ctx {
    struct devlink_handle *dev;
    struct devlink_param *p;
    uint8_t want_cmode;
    bool has_type;
    const struct nlattr *data; /* of the wanted cmode; NULL: none */
    /* The VALUE being walked. */
    bool v_has_cmode;
    uint8_t v_cmode;
    const struct nlattr *v_data;
};

static int
param_value_cb(const struct nlattr *a, void *data)
{
    struct param_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_PARAM_VALUE_CMODE:
        c->v_has_cmode = true;
        return oanl_attr_u8(a, &c->v_cmode);
    case DEVLINK_ATTR_PARAM_VALUE_DATA:
        c->v_data = a;
        return 0;
    }
    return 0;
}

static int
param_values_cb(const struct nlattr *a, void *data)
{
    struct param_ctx *c = data;
    if (oanl_attr_type(a) != DEVLINK_ATTR_PARAM_VALUE) {
        return 0;
    }
    c->v_has_cmode = false;
    c->v_data = NULL;
    int r = oanl_attr_walk_nested(a, param_value_cb, c);
    if (r < 0) {
        return r;
    }
    if (c->v_has_cmode && c->v_cmode == c->want_cmode) {
        c->p->has_value = true;
        c->p->cmode = c->v_cmode;
        c->data = c->v_data;
    }
    return 0;
}

static int
param_nest_cb(const struct nlattr *a, void *data)
{
    struct param_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_PARAM_NAME:
        return oanl_attr_str(a, c->p->name, sizeof c->p->name);
    case DEVLINK_ATTR_PARAM_GENERIC:
        c->p->generic = true;
        return 0;
    case DEVLINK_ATTR_PARAM_TYPE:
        c->has_type = true;
        return oanl_attr_u8(a, &c->p->type);
    case DEVLINK_ATTR_PARAM_VALUES_LIST:
        return oanl_attr_walk_nested(a, param_values_cb, c);
    }
    return 0;
}

static int
param_cb(const struct nlattr *a, void *data)
{
    struct param_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_BUS_NAME:
    case DEVLINK_ATTR_DEV_NAME:
        return handle_attr(a, c->dev);
    case DEVLINK_ATTR_PARAM:
        return oanl_attr_walk_nested(a, param_nest_cb, c);
    }
    return 0;
}

/* The value of the wanted cmode, by the announced type. */
static int
param_value(const struct nlattr *d, struct devlink_param *p)
{
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    int r;

    if (p->type == DEVLINK_PARAM_BOOL) {
        p->flag = d != NULL;
        return 0;
    }
    if (!d) {
        return -EBADMSG; /* every other type carries its data */
    }
    switch (p->type) {
    case DEVLINK_PARAM_U8:
        r = oanl_attr_u8(d, &u8);
        p->num = u8;
        return r;
    case DEVLINK_PARAM_U16:
        r = oanl_attr_u16(d, &u16);
        p->num = u16;
        return r;
    case DEVLINK_PARAM_U32:
        r = oanl_attr_u32(d, &u32);
        p->num = u32;
        return r;
    case DEVLINK_PARAM_U64:
        return oanl_attr_u64(d, &p->num);
    case DEVLINK_PARAM_STRING:
    case DEVLINK_PARAM_NUL_STRING:
        return oanl_attr_str(d, p->str, sizeof p->str);
    }
    return 0; /* a newer type: the caller sees 'type', no value */
}

int
devlink_decode_param(const struct nlmsghdr *nlh, struct devlink_handle *dev,
                     uint8_t cmode, struct devlink_param *p)
{
    struct devlink_handle scratch;
    struct param_ctx c = {
        .dev = dev ? dev : &scratch, .p = p, .want_cmode = cmode};
    memset(c.dev, 0, sizeof *c.dev);
    memset(p, 0, sizeof *p);
    int cmd = genl_cmd(nlh);
    if (cmd < 0) {
        return cmd;
    }
    if (cmd != DEVLINK_CMD_PARAM_GET && cmd != DEVLINK_CMD_PARAM_NEW) {
        return -EPROTO;
    }
    int r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), param_cb, &c);
    if (r < 0) {
        return r;
    }
    if (!p->name[0] || !c.has_type) {
        return -EBADMSG;
    }
    return p->has_value ? param_value(c.data, p) : 0;
}

struct reload_ctx {
    struct devlink_handle *dev;
    uint32_t *performed;
    bool has_performed;
};

static int
reload_cb(const struct nlattr *a, void *data)
{
    struct reload_ctx *c = data;
    if (oanl_attr_type(a) == DEVLINK_ATTR_RELOAD_ACTIONS_PERFORMED) {
        /* A bitfield32: value, then selector; the value says it. */
        struct nla_bitfield32 bf;
        int r = oanl_attr_struct(a, &bf, sizeof bf);
        if (!r) {
            *c->performed = bf.value;
            c->has_performed = true;
        }
        return r;
    }
    return handle_attr(a, c->dev);
}

int
devlink_decode_reload(const struct nlmsghdr *nlh, struct devlink_handle *dev,
                      uint32_t *performed)
{
    struct devlink_handle scratch;
    struct reload_ctx c = {.dev = dev ? dev : &scratch,
                           .performed = performed};
    memset(c.dev, 0, sizeof *c.dev);
    *performed = 0;
    int cmd = genl_cmd(nlh);
    if (cmd < 0) {
        return cmd;
    }
    if (cmd != DEVLINK_CMD_RELOAD) {
        return -EPROTO;
    }
    int r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), reload_cb, &c);
    if (r < 0) {
        return r;
    }
    return c.has_performed ? 0 : -EBADMSG;
}

/* ---- I/O ---- */

static int
family_id(struct oanl_sock *s, uint16_t *id)
{
    const struct oanl_genl_family *f = oanl_family(s);
    if (!f || strcmp(f->name, DEVLINK_GENL_NAME)) {
        return -EINVAL; /* not a devlink socket */
    }
    *id = f->id;
    return 0;
}

static int
dev_list_cb(const struct nlmsghdr *nlh, void *data)
{
    struct devlink_handle h;
    int r = devlink_decode_dev(nlh, &h);
    if (r < 0) {
        return r;
    }
    struct devlink_handle *slot = oanl_vec_push(data);
    if (!slot) {
        return -ENOMEM;
    }
    *slot = h;
    return 0;
}

int
devlink_dev_list(struct oanl_sock *s, struct devlink_handle **out, size_t *n,
                 struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[128];
    r = devlink_encode_dev_dump(buf, sizeof buf, fam);
    if (r < 0) {
        return r;
    }
    struct oanl_vec v = {.size = sizeof(struct devlink_handle)};
    r = oanl_transact(s, (struct nlmsghdr *)buf, dev_list_cb, &v, ext);
    if (r) {
        free(v.items);
        return r;
    }
    *out = v.items;
    *n = v.n;
    return 0;
}

struct port_list_ctx {
    struct oanl_vec v;
    const struct devlink_handle *filter;
};

static int
port_list_cb(const struct nlmsghdr *nlh, void *data)
{
    struct port_list_ctx *c = data;
    struct devlink_port_info p;
    int r = devlink_decode_port(nlh, &p);
    if (r < 0) {
        return r;
    }
    /* Kernels before 6.3 ignore a device filter on port dumps: filter
     * here, always. */
    if (c->filter && !devlink_handle_equal(c->filter, &p.dev)) {
        return 0;
    }
    struct devlink_port_info *slot = oanl_vec_push(&c->v);
    if (!slot) {
        return -ENOMEM;
    }
    *slot = p;
    return 0;
}

int
devlink_port_list(struct oanl_sock *s, const struct devlink_handle *filter,
                  struct devlink_port_info **out, size_t *n,
                  struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[128];
    r = devlink_encode_port_dump(buf, sizeof buf, fam);
    if (r < 0) {
        return r;
    }
    struct port_list_ctx c = {.v = {.size = sizeof(struct devlink_port_info)},
                              .filter = filter};
    r = oanl_transact(s, (struct nlmsghdr *)buf, port_list_cb, &c, ext);
    if (r) {
        free(c.v.items);
        return r;
    }
    *out = c.v.items;
    *n = c.v.n;
    return 0;
}

int
devlink_dev_by_ifindex(struct oanl_sock *s, uint32_t ifindex,
                       struct devlink_handle *out, struct oanl_extack *ext)
{
    struct devlink_port_info *ports;
    size_t n;
    int r = devlink_port_list(s, NULL, &ports, &n, ext);
    if (r) {
        return r;
    }
    r = -ENODEV;
    for (size_t i = 0; i < n; i++) {
        if (ifindex && ports[i].netdev_ifindex == ifindex) {
            *out = ports[i].dev;
            r = 0;
            break;
        }
    }
    free(ports);
    return r;
}

int
devlink_dev_exists(struct oanl_sock *s, const struct devlink_handle *h,
                   struct oanl_extack *ext)
{
    struct devlink_handle *devs;
    size_t n;
    int r = devlink_dev_list(s, &devs, &n, ext);
    if (r) {
        return r;
    }
    bool found = false;
    for (size_t i = 0; i < n && !found; i++) {
        found = devlink_handle_equal(&devs[i], h);
    }
    free(devs);
    return found;
}

int
devlink_uplink_netdev(struct oanl_sock *s, const struct devlink_handle *h,
                      char name[16], struct oanl_extack *ext)
{
    struct devlink_port_info *ports;
    size_t n;
    int r = devlink_port_list(s, h, &ports, &n, ext);
    if (r) {
        return r;
    }
    const struct devlink_port_info *uplink = devlink_ports_uplink(ports, n);
    r = -ENOENT;
    if (uplink) {
        memcpy(name, uplink->netdev_name, 16);
        name[15] = '\0';
        r = 0;
    }
    free(ports);
    return r;
}

struct eswitch_get_ctx {
    struct devlink_eswitch_state *st;
    bool got;
};

static int
eswitch_get_cb(const struct nlmsghdr *nlh, void *data)
{
    struct eswitch_get_ctx *c = data;
    int r = devlink_decode_eswitch(nlh, NULL, c->st);
    if (!r) {
        c->got = true;
    }
    return r;
}

int
devlink_eswitch_get(struct oanl_sock *s, const struct devlink_handle *h,
                    struct devlink_eswitch_state *out, struct oanl_extack *ext)
{
    memset(out, 0, sizeof *out);
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[256];
    r = devlink_encode_eswitch_get(buf, sizeof buf, fam, h);
    if (r < 0) {
        return r;
    }
    struct eswitch_get_ctx c = {out, false};
    r = oanl_transact(s, (struct nlmsghdr *)buf, eswitch_get_cb, &c, ext);
    if (!r && !c.got) {
        r = -EBADMSG; /* ACK without a reply */
    }
    return r;
}

int
devlink_eswitch_set(struct oanl_sock *s, const struct devlink_handle *h,
                    const struct devlink_eswitch_req *req,
                    struct oanl_extack *ext)
{
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[256];
    r = devlink_encode_eswitch_set(buf, sizeof buf, fam, h, req);
    if (r < 0) {
        return r;
    }
    return oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}

int
devlink_port_fn_hw_addr_set(struct oanl_sock *s,
                            const struct devlink_handle *h,
                            uint32_t port_index, const uint8_t mac[6],
                            struct oanl_extack *ext)
{
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[256];
    r = devlink_encode_port_fn_hw_addr_set(buf, sizeof buf, fam, h, port_index,
                                           mac);
    if (r < 0) {
        return r;
    }
    return oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}

struct param_get_ctx {
    uint8_t cmode;
    struct devlink_param *out;
    bool got;
};

static int
param_get_cb(const struct nlmsghdr *nlh, void *data)
{
    struct param_get_ctx *c = data;
    int r = devlink_decode_param(nlh, NULL, c->cmode, c->out);
    if (!r) {
        c->got = true;
    }
    return r;
}

int
devlink_param_get(struct oanl_sock *s, const struct devlink_handle *h,
                  const char *name, uint8_t cmode, struct devlink_param *out,
                  struct oanl_extack *ext)
{
    memset(out, 0, sizeof *out);
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[256];
    r = devlink_encode_param_get(buf, sizeof buf, fam, h, name);
    if (r < 0) {
        return r;
    }
    struct param_get_ctx c = {cmode, out, false};
    r = oanl_transact(s, (struct nlmsghdr *)buf, param_get_cb, &c, ext);
    if (!r && !c.got) {
        r = -EBADMSG; /* ACK without a reply */
    }
    return r;
}

int
devlink_param_set(struct oanl_sock *s, const struct devlink_handle *h,
                  const struct devlink_param *p, struct oanl_extack *ext)
{
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[512];
    r = devlink_encode_param_set(buf, sizeof buf, fam, h, p);
    if (r < 0) {
        return r;
    }
    return oanl_transact(s, (struct nlmsghdr *)buf, NULL, NULL, ext);
}

struct reload_get_ctx {
    uint32_t performed;
    bool got;
};

static int
reload_reply_cb(const struct nlmsghdr *nlh, void *data)
{
    struct reload_get_ctx *c = data;
    int r = devlink_decode_reload(nlh, NULL, &c->performed);
    if (!r) {
        c->got = true;
    }
    return r;
}

int
devlink_reload(struct oanl_sock *s, const struct devlink_handle *h,
               uint32_t *performed, struct oanl_extack *ext)
{
    uint16_t fam;
    int r = family_id(s, &fam);
    if (r) {
        return r;
    }
    char buf[256];
    r = devlink_encode_reload(buf, sizeof buf, fam, h,
                              DEVLINK_RELOAD_ACTION_DRIVER_REINIT);
    if (r < 0) {
        return r;
    }
    struct reload_get_ctx c = {0};
    r = oanl_transact(s, (struct nlmsghdr *)buf, reload_reply_cb, &c, ext);
    if (!r && !c.got) {
        r = -EBADMSG; /* the action was named: a reply is due */
    }
    if (!r && performed) {
        *performed = c.performed;
    }
    return r;
}
