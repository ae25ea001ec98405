/* hostio: opens and closes the handles observe and apply share. */
#include "hostio.h"

#include "oa-netlink/ethfeat.h"
#include "oa-netlink/link.h"
#include "oa-netlink/nlsock.h"
#include "vsdb.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int
open_failed(struct hostio *io, int r, const char *what, struct oa_err *err)
{
    hostio_close(io);
    return oa_err_set_errno(err, r, "cannot open %s", what);
}

int
hostio_open(struct hostio *io, struct oa_err *err)
{
    int r;

    oa_err_clear(err);
    io->devlink = NULL;
    io->rtnl = NULL;
    io->link = NULL;
    io->ethfeat = NULL;
    io->vsdb = NULL;
    io->ovs_remote = NULL;

    /* A kernel without devlink still has links, VFs and tc: the agent
     * reports what it cannot do instead of refusing to start. */
    r = oanl_open_genl("devlink", &io->devlink);
    if (r == -ENOENT) {
        io->devlink = NULL;
    } else if (r < 0) {
        return open_failed(io, r, "devlink (generic netlink)", err);
    }
    r = oanl_open(NETLINK_ROUTE, &io->rtnl);
    if (r < 0) {
        return open_failed(io, r, "rtnetlink", err);
    }
    r = oa_link_sock_open(&io->link);
    if (r < 0) {
        return open_failed(io, r, "rtnetlink (links)", err);
    }
    r = ethfeat_open(false, &io->ethfeat);
    if (r < 0) {
        return open_failed(io, r, "ethtool", err);
    }
    return 0;
}

int
hostio_open_ovsdb(struct hostio *io, const char *remote)
{
    if (!remote) {
        remote = VSDB_DEFAULT_REMOTE;
    }
    if (io->vsdb && io->ovs_remote && !strcmp(io->ovs_remote, remote)) {
        return 0;
    }
    char *copy = strdup(remote);
    if (!copy) {
        return -ENOMEM;
    }
    struct vsdb *db;
    int r = vsdb_create(remote, &db);
    if (r < 0) {
        free(copy);
        return r;
    }
    vsdb_set_cancel(db, io->cancel);
    vsdb_destroy(io->vsdb);
    free(io->ovs_remote);
    io->vsdb = db;
    io->ovs_remote = copy;
    return 0;
}

int
hostio_reconnect_ovsdb(struct hostio *io)
{
    if (!io->vsdb || !io->ovs_remote) {
        return -ENOTCONN;
    }
    struct vsdb *db;
    int r = vsdb_create(io->ovs_remote, &db);
    if (r < 0) {
        return r;
    }
    vsdb_set_cancel(db, io->cancel);
    vsdb_destroy(io->vsdb);
    io->vsdb = db;
    return 0;
}

void
hostio_close(struct hostio *io)
{
    if (!io) {
        return;
    }
    oanl_close(io->devlink);
    oanl_close(io->rtnl);
    oa_link_sock_close(io->link);
    ethfeat_close(io->ethfeat);
    vsdb_destroy(io->vsdb);
    free(io->ovs_remote);
    io->devlink = NULL;
    io->rtnl = NULL;
    io->link = NULL;
    io->ethfeat = NULL;
    io->vsdb = NULL;
    io->ovs_remote = NULL;
}

static bool
run_path_exists(const struct hostio *io, const char *rel)
{
    char path[512];
    int n = snprintf(path, sizeof path, "%s/%s",
                     io->run_root ? io->run_root : "/run", rel);
    return n > 0 && (size_t)n < sizeof path && !access(path, F_OK);
}

bool
hostio_udev_runs(const struct hostio *io)
{
    return run_path_exists(io, "udev/control");
}

bool
hostio_udev_initialised(const struct hostio *io, int ifindex)
{
    char rel[64];
    snprintf(rel, sizeof rel, "udev/data/n%d", ifindex);
    return ifindex > 0 && run_path_exists(io, rel);
}
