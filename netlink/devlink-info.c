/* devlink info: see include/oa-netlink/devlink-info.h. Its own file, apart
 * from devlink.c: a different command with its own nests, and what the
 * agent keys learned device behaviour by. */
#include "oa-netlink/devlink-info.h"

#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/devlink.h>
#include <linux/genetlink.h>
#include <string.h>

int
devlink_encode_info_get(void *buf, size_t len, uint16_t family,
                        const struct devlink_handle *h)
{
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, family, DEVLINK_CMD_INFO_GET,
                      DEVLINK_GENL_VERSION, NLM_F_ACK);
    if (!nlh ||
        !mnl_attr_put_strz_check(nlh, len, DEVLINK_ATTR_BUS_NAME, h->bus) ||
        !mnl_attr_put_strz_check(nlh, len, DEVLINK_ATTR_DEV_NAME, h->dev)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

/* How much a running version is preferred as "the firmware": 3 for
 * "fw.version", 2 for "fw", 1 for any other (the first one then). */
static int
firmware_rank(const char *name)
{
    if (!strcmp(name, "fw.version")) {
        return 3; /* mlx5, and the generic name for the main firmware */
    }
    return !strcmp(name, "fw") ? 2 : 1;
}

struct info_ctx {
    struct devlink_handle *dev;
    struct devlink_info *info;
    int rank; /* of the version in info->firmware; 0: none yet */
    /* The running version being walked. */
    char name[64], value[128];
    int name_r, value_r; /* 1: present, 0: absent, <0: did not fit */
};

static int
version_cb(const struct nlattr *a, void *data)
{
    struct info_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_INFO_VERSION_NAME:
        c->name_r = oanl_attr_str(a, c->name, sizeof c->name) ? -1 : 1;
        return 0;
    case DEVLINK_ATTR_INFO_VERSION_VALUE:
        c->value_r = oanl_attr_str(a, c->value, sizeof c->value) ? -1 : 1;
        return 0;
    }
    return 0;
}

/* One DEVLINK_ATTR_INFO_VERSION_RUNNING nest: the firmware when it ranks
 * above the one kept so far (the first of equal rank stays). */
static int
running_version(struct info_ctx *c, const struct nlattr *a)
{
    c->name_r = c->value_r = 0;
    int r = oanl_attr_walk_nested(a, version_cb, c);
    if (r < 0) {
        return r;
    }
    if (!c->name_r || !c->value_r) {
        return -EBADMSG; /* the kernel always sends both */
    }
    if (c->name_r < 0 || c->value_r < 0) {
        return 0; /* too long for our fields: passed over */
    }
    int rank = firmware_rank(c->name);
    if (rank > c->rank) {
        c->rank = rank;
        memcpy(c->info->firmware, c->value, sizeof c->info->firmware);
        memcpy(c->info->firmware_name, c->name, sizeof c->info->firmware_name);
    }
    return 0;
}

static int
info_cb(const struct nlattr *a, void *data)
{
    struct info_ctx *c = data;
    switch (oanl_attr_type(a)) {
    case DEVLINK_ATTR_BUS_NAME:
        return oanl_attr_str(a, c->dev->bus, sizeof c->dev->bus);
    case DEVLINK_ATTR_DEV_NAME:
        return oanl_attr_str(a, c->dev->dev, sizeof c->dev->dev);
    case DEVLINK_ATTR_INFO_DRIVER_NAME:
        return oanl_attr_str(a, c->info->driver, sizeof c->info->driver);
    case DEVLINK_ATTR_INFO_VERSION_RUNNING:
        return running_version(c, a);
    }
    return 0; /* serial number, fixed and stored versions, newer ones */
}

int
devlink_decode_info(const struct nlmsghdr *nlh, struct devlink_handle *dev,
                    struct devlink_info *info)
{
    struct devlink_handle scratch;
    struct info_ctx c = {.dev = dev ? dev : &scratch, .info = info};

    memset(c.dev, 0, sizeof *c.dev);
    memset(info, 0, sizeof *info);
    if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(struct genlmsghdr)) {
        return -EBADMSG;
    }
    const struct genlmsghdr *g = mnl_nlmsg_get_payload(nlh);
    if (g->cmd != DEVLINK_CMD_INFO_GET) {
        return -EPROTO;
    }
    int r = oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), info_cb, &c);
    if (r < 0) {
        memset(info, 0, sizeof *info);
    }
    return r < 0 ? r : 0;
}

struct info_get_ctx {
    struct devlink_info *out;
    bool got;
};

static int
info_get_cb(const struct nlmsghdr *nlh, void *data)
{
    struct info_get_ctx *c = data;
    int r = devlink_decode_info(nlh, NULL, c->out);
    c->got = !r;
    return r;
}

int
devlink_info_get(struct oanl_sock *s, const struct devlink_handle *h,
                 struct devlink_info *out, struct oanl_extack *ext)
{
    const struct oanl_genl_family *f = oanl_family(s);
    char buf[256];

    memset(out, 0, sizeof *out);
    if (!f || strcmp(f->name, DEVLINK_GENL_NAME)) {
        return -EINVAL; /* not a devlink socket */
    }
    int r = devlink_encode_info_get(buf, sizeof buf, f->id, h);
    if (r < 0) {
        return r;
    }
    struct info_get_ctx c = {out, false};
    r = oanl_transact(s, (struct nlmsghdr *)buf, info_get_cb, &c, ext);
    if (!r && !c.got) {
        r = -EBADMSG; /* ACK without a reply */
    }
    return r;
}
