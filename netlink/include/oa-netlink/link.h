/* rtnetlink links: lookup by name or index, identity (phys_port_name,
 * phys_switch_id, parent device), VF configuration (IFLA_VFINFO_LIST),
 * admin state.  Built on libnl-route-3: requests are libnl messages
 * (rtnl_link_build_change_request() for changes), VF lists go through
 * libnl's link parser, the rest is read with libnl's attribute API.
 * Sockets come from oa_link_sock_open(), a libnl
 * socket of this module's own (see README.md for why it is not an
 * oanl_sock). */
#ifndef OA_NETLINK_LINK_H
#define OA_NETLINK_LINK_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

#define OA_LINK_MAX_ID 32

struct oa_link_vf {
    uint32_t index;
    uint8_t mac[6];
    uint32_t vlan, qos;
    bool has_spoofchk, spoofchk; /* has_: the driver reports it */
    bool has_trust, trust;
    bool has_link_state;
    uint32_t link_state; /* IFLA_VF_LINK_STATE_* */
};

/* A link as the kernel reported it.  Fields missing from the kernel's
 * answer are empty/zero. */
struct oa_link {
    int ifindex;
    char name[16];
    unsigned int flags; /* IFF_* */
    uint8_t operstate;  /* IF_OPER_* */
    int master;         /* IFLA_MASTER (a bond, a bridge); 0: none */
    uint8_t addr[OA_LINK_MAX_ID];
    size_t addr_len;
    char phys_port_name[32];
    uint8_t switch_id[OA_LINK_MAX_ID];
    size_t switch_id_len;
    char parent_bus[32]; /* IFLA_PARENT_DEV_BUS_NAME, e.g. "pci" */
    char parent_dev[64]; /* IFLA_PARENT_DEV_NAME, e.g. "0000:43:00.0" */
    bool has_num_vf;
    uint32_t num_vf;
    size_t n_vfs;
    struct oa_link_vf *vfs; /* owned by the link */
};

/* A NETLINK_ROUTE socket (libnl) with the kernel's extended ACK enabled.
 * One request at a time. */
struct oa_link_sock;

/* Caller owns *out, free with oa_link_sock_close(). */
int oa_link_sock_open(struct oa_link_sock **out);
void oa_link_sock_close(struct oa_link_sock *);

/* Frees a link from this module; accepts NULL. */
void oa_link_destroy(struct oa_link *);
/* Frees an array from oa_link_list() and its links; accepts NULL. */
void oa_link_list_free(struct oa_link **, size_t n);

/* Looks a link up: its identity and state, without its VF list (n_vfs
 * and has_num_vf unset).  -ENODEV if there is none.  Caller owns *out,
 * free with oa_link_destroy(). */
int oa_link_get_by_name(struct oa_link_sock *, const char *name,
                        struct oa_link **out, struct oanl_extack *ext);
int oa_link_get_by_index(struct oa_link_sock *, int ifindex,
                         struct oa_link **out, struct oanl_extack *ext);
/* The same with the VF list (IFLA_NUM_VF and IFLA_VFINFO_LIST): a PF's
 * list is tens of kilobytes at a few hundred VFs, so it is asked for only
 * where VFs are read. */
int oa_link_get_vfs(struct oa_link_sock *, int ifindex, struct oa_link **out,
                    struct oanl_extack *ext);

/* Dumps every link (without VF lists).  A dump the kernel marks
 * interrupted (links changed meanwhile) is retried a few times, then
 * -EINTR.  Caller owns *out, free with oa_link_list_free(). */
int oa_link_list(struct oa_link_sock *, struct oa_link ***out, size_t *n,
                 struct oanl_extack *ext);

/* Sets IFF_UP (or clears it). */
int oa_link_set_up(struct oa_link_sock *, int ifindex, bool up,
                   struct oanl_extack *ext);

/* Desired VF settings; NULL / negative means "leave alone". */
struct oa_link_vf_req {
    uint32_t index;
    const uint8_t *mac; /* 6 bytes */
    int vlan;           /* 0..4095 (0: no VLAN); with qos */
    int qos;            /* used with vlan; negative = 0 */
    int trust;          /* 0/1 */
    int spoofchk;       /* 0/1 */
};
/* Leaves everything unset. */
void oa_link_vf_req_init(struct oa_link_vf_req *, uint32_t index);

/* Applies 'req' to VF req->index of PF 'ifindex' in one RTM_SETLINK. */
int oa_link_set_vf(struct oa_link_sock *, int ifindex,
                   const struct oa_link_vf_req *req, struct oanl_extack *ext);

/* The VF entry with 'index', or NULL. */
const struct oa_link_vf *oa_link_vf_find(const struct oa_link *,
                                         uint32_t index);

/* Lower-case hex, no separators (as sysfs phys_switch_id prints it). */
int oa_link_switch_id_hex(const struct oa_link *, char *buf, size_t size);

/* --- Pure codec: the exact messages the I/O functions send, built with
 * libnl and copied into 'buf'.  Encoders return the message length,
 * -ENOSPC if it does not fit, -EINVAL on a bad argument. */
/* RTM_GETLINK by index (ifindex > 0) or name; with_vfs asks for
 * IFLA_VFINFO_LIST (RTEXT_FILTER_VF). */
int oa_link_encode_get(void *buf, size_t len, int ifindex, const char *name,
                       bool with_vfs);
int oa_link_encode_dump(void *buf, size_t len, bool with_vfs);
int oa_link_encode_set_vf(void *buf, size_t len, int ifindex,
                          const struct oa_link_vf_req *);
int oa_link_encode_set_up(void *buf, size_t len, int ifindex, bool up);
/* Decodes RTM_NEWLINK/RTM_DELLINK (nlmsg_len bytes at the header); its
 * VF list with libnl's link parser.  Caller owns *out.  -EBADMSG for a
 * truncated or malformed message (libnl's parser would skip a truncated
 * tail silently: it is checked here first) or one without a name.  -EMSGSIZE when
 * the VF list does not hold IFLA_NUM_VF entries: the kernel's single VF
 * list attribute overflows its 16-bit length beyond about 320 VFs. */
int oa_link_decode(const struct nlmsghdr *, struct oa_link **out);

#endif
