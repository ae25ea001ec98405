/* devlink health reporters (DEVLINK_CMD_HEALTH_REPORTER_GET): the driver's
 * own view of whether a device function (firmware, a tx or rx queue, the
 * eswitch's vNIC) is healthy, how often it failed and how often it
 * recovered. mlx5 reports firmware faults and stuck queues here.
 *
 * The I/O function takes a socket from oanl_open_genl("devlink") and
 * returns 0 or a negative errno, with the kernel's extended ACK text in
 * 'ext' (may be NULL). Attributes newer than our headers are skipped. */
#ifndef OA_NETLINK_DEVLINK_HEALTH_H
#define OA_NETLINK_DEVLINK_HEALTH_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/devlink.h"
#include "oa-netlink/nlsock.h"

struct devlink_health_reporter {
    struct devlink_handle dev;
    bool has_port; /* a per-port reporter (mlx5's tx/rx on newer kernels) */
    uint32_t port;
    char name[32];
    bool error; /* DEVLINK_HEALTH_REPORTER_STATE_ERROR */
    uint64_t errors, recoveries;
    /* Only reporters that can recover send these two. */
    bool has_auto_recover;
    bool auto_recover;
    uint64_t grace_period_ms;
};

typedef void devlink_health_fn(const struct devlink_health_reporter *,
                               void *aux);

/* Every health reporter of every devlink instance (and port), each to
 * 'fn'. A kernel without health reporters answers -EOPNOTSUPP. */
int devlink_health_dump(struct oanl_sock *, devlink_health_fn *fn, void *aux,
                        struct oanl_extack *ext);

/* --- Pure codec (no I/O). */

/* A DEVLINK_CMD_HEALTH_REPORTER_GET dump request: its length or -ENOSPC. */
int devlink_encode_health_dump(void *buf, size_t len, uint16_t family);

/* One reply: -EPROTO for another command, -EBADMSG for a truncated or
 * malformed one (no reporter nest, a reporter without a name or state). */
int devlink_decode_health(const struct nlmsghdr *,
                          struct devlink_health_reporter *);

#endif
