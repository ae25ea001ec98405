/* hostio: the handles the agent talks to the host through, opened once
 * and shared by observe and apply: devlink (generic netlink), rtnetlink
 * (libmnl, for tc dumps), libnl-route links, ethtool features, the OVSDB
 * client, and the sysfs root. */
#ifndef OA_HOSTIO_H
#define OA_HOSTIO_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"

struct oanl_sock;
struct oa_link_sock;
struct ethfeat_client;
struct vsdb;
struct crashj;

struct hostio {
    const char *sysfs_root;       /* NULL: "/sys" (tests: a fake tree) */
    const char *proc_root;        /* NULL: "/proc" */
    const char *run_root;         /* NULL: "/run" (udev's state) */
    const char *vswitchd_pidfile; /* NULL: VSDB_VSWITCHD_PIDFILE */
    const char *state_dir;        /* NULL: OA_STATE_DIR (vdpaown.h) */
    struct oanl_sock *devlink;    /* NULL: the kernel has no devlink */
    struct oanl_sock *rtnl;       /* tc filter dumps */
    struct oa_link_sock *link;    /* links, VF configuration */
    struct ethfeat_client *ethfeat;
    struct vsdb *vsdb; /* NULL until hostio_open_ovsdb() */
    char *ovs_remote;  /* what vsdb was opened on */
    /* Borrowed, NULL: never. Every wait of a reconcile (OVSDB, VFs and
     * representors, udev, ovs-vswitchd) ends with -ECANCELED once it is
     * cancelled (oa-common/cancel.h): the daemon's SIGTERM and new spec. */
    struct oa_cancel *cancel;
    /* Borrowed, NULL: none. The crash journal (crashj.h) the steps that
     * leave a temporary state write ahead to. */
    struct crashj *journal;
};

/* Opens the kernel handles (devlink may fail to open: left NULL).
 * Returns 0 or a negative errno with 'err' (may be NULL) set; on failure
 * nothing stays open. */
int hostio_open(struct hostio *io, struct oa_err *err);

/* (Re)opens the OVSDB client on 'remote' when it differs from the one
 * open (the spec's ovs.db may change while the daemon runs). Does not
 * block. */
int hostio_open_ovsdb(struct hostio *io, const char *remote);

/* Opens the OVSDB client anew on the same remote, now: a new client
 * connects at once, where the old one would wait out the backoff that
 * grew while the server was away. 0 or a negative errno (the old client
 * stays). */
int hostio_reconnect_ovsdb(struct hostio *io);

/* udev runs on the host: its control socket (<run>/udev/control)
 * exists. Then new netdevs are renamed by its rules, and the agent
 * leaves a representor alone until udev is done with it. */
bool hostio_udev_runs(const struct hostio *io);

/* udev has processed netdev 'ifindex''s add event, renaming it or not:
 * its database entry <run>/udev/data/n<ifindex> exists. */
bool hostio_udev_initialised(const struct hostio *io, int ifindex);

/* Closes everything; accepts a zeroed struct. */
void hostio_close(struct hostio *io);

#endif
