/* devlink info (DEVLINK_CMD_INFO_GET): a device's driver name and the
 * firmware version it runs, what identifies "this device with this
 * firmware" (the agent keys what it learned about a device by them).
 *
 * The I/O function takes a socket from oanl_open_genl("devlink") and
 * returns 0 or a negative errno, with the kernel's extended ACK text in
 * 'ext' (may be NULL). Attributes newer than our headers are skipped. */
#ifndef OA_NETLINK_DEVLINK_INFO_H
#define OA_NETLINK_DEVLINK_INFO_H 1

#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/devlink.h"
#include "oa-netlink/nlsock.h"

struct devlink_info {
    char driver[32]; /* DEVLINK_ATTR_INFO_DRIVER_NAME; "" when not sent */
    /* The running firmware version: "fw.version" (mlx5's), else "fw",
     * else the first running version the driver lists; "" when it lists
     * none. 'firmware_name' says which one it is. A version whose name or
     * value does not fit these fields is passed over. */
    char firmware[128];
    char firmware_name[64];
};

/* Reads the info of instance 'h'. A driver without info support answers
 * -EOPNOTSUPP. */
int devlink_info_get(struct oanl_sock *, const struct devlink_handle *h,
                     struct devlink_info *out, struct oanl_extack *ext);

/* --- Pure codec (no I/O). */

/* DEVLINK_CMD_INFO_GET for 'h' into buf: its length or -ENOSPC. */
int devlink_encode_info_get(void *buf, size_t len, uint16_t family,
                            const struct devlink_handle *h);

/* An INFO_GET reply: -EPROTO for another command, -EBADMSG for a
 * truncated or malformed one (a running version without a name or a
 * value, a driver name longer than its field). 'dev' may be NULL. */
int devlink_decode_info(const struct nlmsghdr *, struct devlink_handle *dev,
                        struct devlink_info *);

#endif
