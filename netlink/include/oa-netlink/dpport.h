/* dpport: ports of Open vSwitch's kernel datapath (generic netlink
 * families "ovs_datapath" and "ovs_vport", include/uapi/linux/
 * openvswitch.h), for one repair that ovs-vswitchd cannot do itself.
 *
 * A netdev renamed while it is a datapath port stays that port, but the
 * kernel files vports in a hash table by the name they had when added:
 * a lookup by either name then fails. ovs-vswitchd 3.1 drops its
 * OpenFlow port for the old name without deleting the vport, and adding
 * an Interface with the new name fails with EEXIST (the netdev is still
 * linked under the datapath). The agent, which re-points the port, finds
 * that orphan in a vport dump (the dump reports each vport's current
 * netdev name) and deletes it by port number, so that ovs-vswitchd can
 * add the netdev under its new name. (Filing it again under the new name
 * does not last: ovs-vswitchd deletes a vport it sees created that no
 * bridge of its has, ofproto-dpif's process_dpif_port_change().)
 *
 * The I/O functions open their own sockets (the families exist only
 * while the openvswitch module is loaded) and return 0 or a negative
 * errno. */
#ifndef OA_NETLINK_DPPORT_H
#define OA_NETLINK_DPPORT_H 1

#include <net/if.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

struct dpport {
    int dp_ifindex;   /* the datapath (its local port's netdev) */
    uint32_t port_no; /* OVS_VPORT_ATTR_PORT_NO */
    uint32_t type;    /* OVS_VPORT_TYPE_* */
    char name[IFNAMSIZ];
};

/* Finds the vport whose netdev is now named 'netdev', in any datapath.
 * -ENOENT when there is none, or no openvswitch module. */
int dpport_find(const char *netdev, struct dpport *out);

/* Deletes vport 'p' (by datapath and port number: by name the kernel
 * would not find a renamed one). The datapath's local port is refused
 * (-EINVAL). */
int dpport_del(const struct dpport *p, struct oanl_extack *ext);

/* --- Pure codec (no I/O). Each encoder returns the length or -ENOSPC. */

/* OVS_DP_CMD_GET, dump of every datapath. */
int dpport_encode_dp_dump(void *buf, size_t len, uint16_t family,
                          uint8_t version);
/* OVS_VPORT_CMD_GET, dump of datapath 'dp_ifindex''s vports. */
int dpport_encode_vport_dump(void *buf, size_t len, uint16_t family,
                             uint8_t version, int dp_ifindex);
/* OVS_VPORT_CMD_DEL of 'p' by port number. */
int dpport_encode_vport_del(void *buf, size_t len, uint16_t family,
                            uint8_t version, const struct dpport *p);
/* An OVS_DP_CMD_* message: its datapath's ifindex. -EBADMSG when
 * truncated. */
int dpport_decode_dp(const struct nlmsghdr *, int *dp_ifindex);
/* An OVS_VPORT_CMD_* message. -EBADMSG when truncated, without a port
 * number or name, or with a name that does not fit. */
int dpport_decode_vport(const struct nlmsghdr *, struct dpport *out);

#endif
