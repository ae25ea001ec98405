/* devlink health reporters: see include/oa-netlink/devlink-health.h. */
#include "oa-netlink/devlink-health.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <string.h>

/* The kernel's enum devlink_health_reporter_state is not in the uapi
 * headers (iproute2 carries its own copy): 0 healthy, 1 error. */
#define HEALTH_STATE_ERROR 1

int
devlink_encode_health_dump(void *buf, size_t len, uint16_t family)
{
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, family, DEVLINK_CMD_HEALTH_REPORTER_GET,
                      DEVLINK_GENL_VERSION, NLM_F_DUMP);
    return nlh ? (int)nlh->nlmsg_len : -ENOSPC;
}

struct health_ctx {
    struct devlink_health_reporter *r;
    bool has_name, has_state, has_nest;
};

static int
reporter_cb(const struct nlattr *a, void *data)
{
    struct health_ctx *c = data;
    struct devlink_health_reporter *r = c->r;
    uint8_t u8;
    int e;

    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_HEALTH_REPORTER_NAME:
        c->has_name = true;
        return oanl_attr_str(a, r->name, sizeof r->name);
    case DEVLINK_ATTR_HEALTH_REPORTER_STATE:
        c->has_state = true;
        e = oanl_attr_u8(a, &u8);
        r->error = !e && u8 == HEALTH_STATE_ERROR;
        return e;
    case DEVLINK_ATTR_HEALTH_REPORTER_ERR_COUNT:
        return oanl_attr_u64(a, &r->errors);
    case DEVLINK_ATTR_HEALTH_REPORTER_RECOVER_COUNT:
        return oanl_attr_u64(a, &r->recoveries);
    case DEVLINK_ATTR_HEALTH_REPORTER_GRACEFUL_PERIOD:
        return oanl_attr_u64(a, &r->grace_period_ms);
    case DEVLINK_ATTR_HEALTH_REPORTER_AUTO_RECOVER:
        r->has_auto_recover = true;
        e = oanl_attr_u8(a, &u8);
        r->auto_recover = !e && u8;
        return e;
    }
    return 0; /* dump time stamps, auto_dump, newer ones */
}

static int
health_cb(const struct nlattr *a, void *data)
{
    struct health_ctx *c = data;
    struct devlink_health_reporter *r = c->r;

    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_BUS_NAME:
        return oanl_attr_str(a, r->dev.bus, sizeof r->dev.bus);
    case DEVLINK_ATTR_DEV_NAME:
        return oanl_attr_str(a, r->dev.dev, sizeof r->dev.dev);
    case DEVLINK_ATTR_PORT_INDEX:
        r->has_port = true;
        return oanl_attr_u32(a, &r->port);
    case DEVLINK_ATTR_HEALTH_REPORTER:
        c->has_nest = true;
        return oanl_attr_walk_nested(a, reporter_cb, c);
    }
    return 0;
}

int
devlink_decode_health(const struct nlmsghdr *nlh,
                      struct devlink_health_reporter *r)
{
    struct health_ctx c = {.r = r};

    memset(r, 0, sizeof *r);
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        return -EBADMSG;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    if (g->cmd != DEVLINK_CMD_HEALTH_REPORTER_GET) {
        return -EPROTO;
    }
    int e = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), health_cb, &c);
    if (!e && (!c.has_nest || !c.has_name || !c.has_state)) {
        e = -EBADMSG; /* the kernel always sends all three */
    }
    if (e < 0) {
        memset(r, 0, sizeof *r);
    }
    return e < 0 ? e : 0;
}

struct dump_ctx {
    devlink_health_fn *fn;
    void *aux;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
    struct dump_ctx *c = data;
    struct devlink_health_reporter r;
    int e = devlink_decode_health(nlh, &r);
    if (!e) {
        c->fn(&r, c->aux);
    }
    return e;
}

int
devlink_health_dump(struct oanl_sock *s, devlink_health_fn *fn, void *aux,
                    struct oanl_extack *ext)
{
    const struct oanl_genl_family *f = oanl_family(s);
    char buf[64];

    if (!f || strcmp(f->name, DEVLINK_GENL_NAME)) {
        return -EINVAL; /* not a devlink socket */
    }
    int e = devlink_encode_health_dump(buf, sizeof buf, f->id);
    if (e < 0) {
        return e;
    }
    struct dump_ctx c = {fn, aux};
    return oanl_transact(s, (struct nlmsghdr *)buf, dump_cb, &c, ext);
}
