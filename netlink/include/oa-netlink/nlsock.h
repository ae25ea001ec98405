/* Netlink socket core shared by every kernel-facing module of oa_netlink:
 * request/ACK transactions with the kernel's extended ACK text, generic
 * netlink family resolution and a bounds-checked attribute walker.
 *
 * Every function returns 0 or a positive count on success and a negative
 * errno value on failure.  Nothing here logs. */
#ifndef OA_NETLINK_NLSOCK_H
#define OA_NETLINK_NLSOCK_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct nlmsghdr;
struct nlattr;

/* The kernel's extended ACK message (NLMSGERR_ATTR_MSG), empty if none. */
#define OANL_MSG_MAX 256
struct oanl_extack {
    char msg[OANL_MSG_MAX];
};

/* Multicast groups remembered per generic netlink family. */
#define OANL_MAX_GROUPS 8
#define OANL_NAME_MAX   32
struct oanl_genl_group {
    char name[OANL_NAME_MAX];
    uint32_t id;
};

struct oanl_genl_family {
    char name[OANL_NAME_MAX];
    uint16_t id;
    uint32_t version;
    size_t n_groups;
    struct oanl_genl_group groups[OANL_MAX_GROUPS];
};

struct oanl_sock;

/* Opens a netlink socket of protocol 'bus' (NETLINK_ROUTE, NETLINK_GENERIC)
 * with NETLINK_CAP_ACK and NETLINK_EXT_ACK set.  Caller owns *out, free with
 * oanl_close(). */
int oanl_open(int bus, struct oanl_sock **out);

/* Opens a NETLINK_GENERIC socket and resolves 'family' (e.g. "devlink").
 * Returns -ENOENT when the kernel does not know the family. */
int oanl_open_genl(const char *family, struct oanl_sock **out);

void oanl_close(struct oanl_sock *);

int oanl_fd(const struct oanl_sock *);

/* The resolved generic netlink family, or NULL for a non-genl socket. */
const struct oanl_genl_family *oanl_family(const struct oanl_sock *);

/* Joins multicast group 'group' (an RTNLGRP_* or a genl group id). */
int oanl_join_group(struct oanl_sock *, uint32_t group);

/* Puts the socket in non-blocking mode (for event sources). */
int oanl_set_nonblock(struct oanl_sock *);

/* Called for each reply message of a transaction that is not an ACK, error
 * or DONE.  Return 0 to go on, a negative errno to fail the transaction
 * (the rest of the reply is still read so the socket stays in sync). */
typedef int (*oanl_msg_cb)(const struct nlmsghdr *, void *data);

/* Sends 'req' (its nlmsg_seq and nlmsg_pid are filled in here; NLM_F_ACK is
 * added unless NLM_F_DUMP is set) and reads replies until the ACK or DONE.
 * 'cb' may be NULL.  On a kernel error returns its errno and copies its
 * extended ACK text into 'ext' (may be NULL). */
int oanl_transact(struct oanl_sock *, struct nlmsghdr *req, oanl_msg_cb cb,
                  void *data, struct oanl_extack *ext);

/* Receives one datagram into the socket's buffer and calls 'cb' for every
 * message in it (for multicast listeners).  Returns the number of messages,
 * -EAGAIN when nothing is pending, -ENOBUFS when the kernel dropped
 * notifications. */
int oanl_recv_each(struct oanl_sock *, oanl_msg_cb cb, void *data);

/* --- Pure helpers (no I/O), exposed for unit tests and sibling modules. */

/* Decodes an NLMSG_ERROR or NLMSG_DONE message: returns the carried error
 * (0 for an ACK) and copies NLMSGERR_ATTR_MSG into 'ext' (may be NULL).
 * Returns -EBADMSG if the message is truncated. */
int oanl_decode_error(const struct nlmsghdr *, struct oanl_extack *ext);

/* Encodes CTRL_CMD_GETFAMILY for 'name' into 'buf'.  Returns the message
 * length or -ENOSPC. */
/* Writes a generic netlink request header (nlmsghdr with NLM_F_REQUEST |
 * 'flags', then genlmsghdr) at the start of 'buf'; attributes follow.
 * NULL when 'len' cannot hold the headers. */
struct nlmsghdr *oanl_put_genl(void *buf, size_t len, uint16_t family,
                               uint8_t cmd, uint8_t version, uint16_t flags);

int oanl_encode_getfamily(void *buf, size_t len, const char *name);

/* Decodes a CTRL_CMD_NEWFAMILY reply. */
int oanl_decode_family(const struct nlmsghdr *, struct oanl_genl_family *);

/* Group id of 'name' in 'fam', or -ENOENT. */
int oanl_family_group(const struct oanl_genl_family *fam, const char *name);

/* Walks the attributes in [start, start+len).  Attribute types are passed
 * to 'cb' with NLA_F_NESTED/NLA_F_NET_BYTEORDER masked off by the callee
 * (use oanl_attr_type()).  Returns -EBADMSG when an attribute header claims
 * more bytes than remain, or the first negative value 'cb' returns. */
typedef int (*oanl_attr_cb)(const struct nlattr *, void *data);
int oanl_attr_walk(const void *start, size_t len, oanl_attr_cb cb, void *data);
/* The same over a message's attributes after a family header of 'hdrlen'
 * bytes; -EBADMSG if the message is shorter than its headers. */
int oanl_attr_walk_msg(const struct nlmsghdr *, size_t hdrlen, oanl_attr_cb cb,
                       void *data);
/* The same over a nested attribute's payload. */
int oanl_attr_walk_nested(const struct nlattr *, oanl_attr_cb cb, void *data);

uint16_t oanl_attr_type(const struct nlattr *);

/* Typed getters: -EBADMSG if the payload is too short for the type. */
int oanl_attr_u8(const struct nlattr *, uint8_t *);
int oanl_attr_u16(const struct nlattr *, uint16_t *);
int oanl_attr_u32(const struct nlattr *, uint32_t *);
int oanl_attr_u64(const struct nlattr *, uint64_t *);
/* Copies a string attribute (NUL-terminated or not) into buf[size];
 * -EBADMSG if it does not fit. */
int oanl_attr_str(const struct nlattr *, char *buf, size_t size);
/* Payload must be exactly or at least 'size' bytes; copies 'size'. */
int oanl_attr_struct(const struct nlattr *, void *dst, size_t size);

#endif
