/* Netdev features by name (e.g. "hw-tc-offload"): read and set through
 * ethtool netlink (genl family "ethtool"; compact bitsets read at the
 * feature's bit from the kernel's string set, verbose ones when it does
 * not tell), or through the SIOCETHTOOL ioctl when the kernel has no
 * ethtool netlink family. */
#ifndef OA_NETLINK_ETHFEAT_H
#define OA_NETLINK_ETHFEAT_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

#define ETHFEAT_HW_TC_OFFLOAD "hw-tc-offload"

enum ethfeat_backend {
    ETHFEAT_NETLINK,
    ETHFEAT_IOCTL,
};

struct ethfeat_state {
    bool active;     /* currently on */
    bool wanted;     /* requested by the user */
    bool changeable; /* the driver lets it be toggled */
};

struct ethfeat_client;

/* Opens ethtool netlink, or the ioctl when the family is absent (or when
 * 'force_ioctl').  Caller owns *out, free with ethfeat_close(). */
int ethfeat_open(bool force_ioctl, struct ethfeat_client **out);
void ethfeat_close(struct ethfeat_client *);
enum ethfeat_backend ethfeat_get_backend(const struct ethfeat_client *);

/* Reads feature 'name' of netdev 'ifname' (compact bitsets, as
 * ethfeat_dump(), once the client knows the feature's bit).  -ENODEV if
 * there is no such
 * netdev; -ENOENT for an unknown name (ioctl backend only: netlink lists
 * set bits only, so an unknown name reads as off and not changeable). */
int ethfeat_get(struct ethfeat_client *, const char *ifname, const char *name,
                struct ethfeat_state *out, struct oanl_extack *ext);

/* Turns feature 'name' on or off, then reads it back: -EOPNOTSUPP if the
 * driver cannot change it, -EIO if the request was taken but the feature
 * did not follow. */
int ethfeat_set(struct ethfeat_client *, const char *ifname, const char *name,
                bool on, struct oanl_extack *ext);

/* One netdev of a feature dump. */
struct ethfeat_dev {
    int ifindex;
    char ifname[16]; /* IFNAMSIZ */
    struct ethfeat_state st;
};

/* Reads feature 'name' of every netdev of the namespace in one
 * FEATURES_GET dump (the kernel answers one message per netdev), so a look
 * costs one request whatever the number of representors.  The dump asks
 * for compact bitsets once the client knows the feature's bit (one
 * STRSET_GET per client): verbose ones name each of ~60 features of each
 * netdev, which was most of a converged plan's parsing.  *out is sorted
 * by ifindex (ethfeat_dev_find); caller frees it.  -EOPNOTSUPP on the ioctl
 * backend (no dump there: read each netdev with ethfeat_get()). */
int ethfeat_dump(struct ethfeat_client *, const char *name,
                 struct ethfeat_dev **out, size_t *n, struct oanl_extack *ext);
/* The bit of feature 'name' the client's dumps read compact bitsets at
 * (learnt by the first ethfeat_dump() of that name), or -1: verbose. */
int ethfeat_dump_bit(const struct ethfeat_client *, const char *name);
/* The entry of 'ifindex' in a sorted dump, or NULL (binary search). */
const struct ethfeat_dev *ethfeat_dev_find(const struct ethfeat_dev *,
                                           size_t n, int ifindex);

/* --- Pure codec. */
/* FEATURES_GET with NLM_F_DUMP: a header without a device, verbose
 * bitsets or, with 'compact', ETHTOOL_FLAG_COMPACT_BITSETS (bit arrays:
 * the reader needs the feature's bit, ethfeat_decode_strset_index()). */
int ethfeat_encode_dump(void *buf, size_t len, uint16_t family, bool compact);
/* STRSET_GET of the feature names (ETH_SS_FEATURES, the kernel's, not a
 * netdev's). */
int ethfeat_encode_strset(void *buf, size_t len, uint16_t family);
/* The bit of feature 'name' in a STRSET_GET reply: >= 0, -ENOENT when the
 * reply does not list it, -EPROTO / -EBADMSG for another or a malformed
 * message. */
int ethfeat_decode_strset_index(const struct nlmsghdr *, const char *name);
/* Decodes one message of a dump: the netdev from its reply header and
 * feature 'name' as ethfeat_decode_get() does.  -EBADMSG when the header
 * names no ifindex. */
int ethfeat_decode_dev(const struct nlmsghdr *, const char *name,
                       struct ethfeat_dev *out);
/* As ethfeat_decode_dev(), for a reply with compact bitsets too: 'index'
 * is the feature's bit (-1: verbose only, compact ones are -EPROTO). */
int ethfeat_decode_dev_at(const struct nlmsghdr *, const char *name, int index,
                          struct ethfeat_dev *out);
/* Decodes the 'len' bytes of a dump's reply (messages up to NLMSG_DONE)
 * into *out, sorted by ifindex, as ethfeat_dump() does; caller frees it.
 * The first message that does not decode, or the kernel's error, fails
 * the whole (nothing kept). */
int ethfeat_decode_dump(const void *buf, size_t len, const char *name,
                        struct ethfeat_dev **out, size_t *n);
/* FEATURES_GET of one netdev, verbose or compact bitsets (as the dump). */
int ethfeat_encode_get(void *buf, size_t len, uint16_t family,
                       const char *ifname, bool compact);
int ethfeat_encode_set(void *buf, size_t len, uint16_t family,
                       const char *ifname, const char *name, bool on);
/* Decodes ETHTOOL_MSG_FEATURES_GET_REPLY for feature 'name'.  The kernel
 * lists only set bits, so a name it does not know reads as all false.
 * -EPROTO for compact bitsets (the bit is not known here: use
 * ethfeat_decode_get_at()). */
int ethfeat_decode_get(const struct nlmsghdr *, const char *name,
                       struct ethfeat_state *out);
/* As ethfeat_decode_get(), with compact bitsets read at bit 'index'. */
int ethfeat_decode_get_at(const struct nlmsghdr *, const char *name, int index,
                          struct ethfeat_state *out);
/* Index of 'name' in an ETH_SS_FEATURES string table of 'count' entries of
 * ETH_GSTRING_LEN bytes each, or -ENOENT. */
int ethfeat_string_index(const uint8_t *table, size_t count, const char *name);
/* Feature state of bit 'index' from ETHTOOL_GFEATURES blocks (each block
 * is four u32: available, requested, active, never_changed). */
int ethfeat_state_from_blocks(const uint32_t *blocks, size_t n_blocks,
                              size_t index, struct ethfeat_state *out);

#endif
