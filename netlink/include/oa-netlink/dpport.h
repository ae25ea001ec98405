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
 * netdev name) and files it again under its new name: deleted by port
 * number and created at once with the same number, type and upcall
 * PIDs. ovs-vswitchd then finds it by the new name and adopts it as it
 * is (ofproto-dpif's port_add adds only a vport it does not find), so
 * the datapath's flows, which name the port by number, stay valid: the
 * netdev is out of the datapath only between the two requests.
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

/* ovs-vswitchd gives a vport one upcall PID per handler thread (one per
 * CPU at most), or a single 0 with per-CPU upcall dispatch. */
#define DPPORT_MAX_PIDS 512

struct dpport {
    int dp_ifindex;   /* the datapath (its local port's netdev) */
    uint32_t port_no; /* OVS_VPORT_ATTR_PORT_NO */
    uint32_t type;    /* OVS_VPORT_TYPE_* */
    char name[IFNAMSIZ];
    size_t n_upcall_pids; /* OVS_VPORT_ATTR_UPCALL_PID, as the kernel has it */
    uint32_t upcall_pids[DPPORT_MAX_PIDS];
};

/* Finds the vport whose netdev is now named 'netdev', in any datapath.
 * -ENOENT when there is none, or no openvswitch module. */
int dpport_find(const char *netdev, struct dpport *out);

/* Deletes vport 'p' (by datapath and port number: by name the kernel
 * would not find a renamed one). The datapath's local port is refused
 * (-EINVAL). */
int dpport_del(const struct dpport *p, struct oanl_extack *ext);

/* Files netdev vport 'p' again under its netdev's current name: deletes
 * it by port number, then creates it with the same port number, type and
 * upcall PIDs. When the create fails after the delete, the netdev is no
 * longer a datapath port and ovs-vswitchd adds it anew when its Interface
 * is re-pointed. Only OVS_VPORT_TYPE_NETDEV vports (-EINVAL otherwise). */
int dpport_refile(const struct dpport *p, struct oanl_extack *ext);

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
/* OVS_VPORT_CMD_NEW of 'p': its name, type, port number and upcall PIDs
 * (a single 0 when it has none: the kernel wants the attribute). */
int dpport_encode_vport_new(void *buf, size_t len, uint16_t family,
                            uint8_t version, const struct dpport *p);
/* An OVS_DP_CMD_* message: its datapath's ifindex. -EBADMSG when
 * truncated. */
int dpport_decode_dp(const struct nlmsghdr *, int *dp_ifindex);
/* An OVS_VPORT_CMD_* message. -EBADMSG when truncated, without a port
 * number or name, with a name that does not fit or more upcall PIDs than
 * DPPORT_MAX_PIDS. */
int dpport_decode_vport(const struct nlmsghdr *, struct dpport *out);

#endif
