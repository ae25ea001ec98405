/* bond: kernel bonds over rtnetlink (RTM_NEWLINK with IFLA_INFO_KIND
 * "bond" and IFLA_BOND_*, include/uapi/linux/if_link.h), for the two
 * uplinks of one NIC bonded under one eswitch (VF-LAG).
 *
 * On libmnl, not libnl-route: libnl 3.7's per-kind IFLA_LINKINFO
 * parsers dereference NULL on malformed input (README.md), and a bond's
 * state is all in IFLA_LINKINFO.
 *
 * The agent owns only the bonds it created: it marks them with
 * IFLA_IFALIAS BOND_OWNER_ALIAS (shown by "ip link" as the alias), set
 * right after the create (the kernel applies IFLA_IFALIAS only to an
 * existing link, in do_setlink). A bond without the mark is someone
 * else's (NetworkManager's, made by hand).
 *
 * I/O functions take an oanl_sock of NETLINK_ROUTE and return 0 or a
 * negative errno, with the kernel's extended ACK text in 'ext' (may be
 * NULL). */
#ifndef OA_NETLINK_BOND_H
#define OA_NETLINK_BOND_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

#define BOND_OWNER_ALIAS "offload-agent"
#define BOND_ALIAS_MAX   128

/* A bond's options, in the kernel's numbers (linux/if_bonding.h). */
struct bond_opts {
    uint8_t mode;       /* BOND_MODE_ACTIVEBACKUP, _XOR, _8023AD, ... */
    uint32_t miimon_ms; /* IFLA_BOND_MIIMON */
    int xmit_hash;      /* BOND_XMIT_POLICY_*; -1: not sent / not read */
    int lacp_rate;      /* 0 slow, 1 fast; -1: not sent / not read */
};

/* One link as the bond module reads it (RTM_NEWLINK reply). */
struct bond_link {
    int ifindex;
    char name[IFNAMSIZ];
    char alias[BOND_ALIAS_MAX]; /* IFLA_IFALIAS; "" when none */
    bool up;                    /* IFF_UP */
    bool carrier;               /* IFLA_CARRIER, else IFF_LOWER_UP */
    uint8_t operstate;          /* IF_OPER_*; IF_OPER_UNKNOWN when absent */
    int master;                 /* IFLA_MASTER; 0: none */
    /* IFLA_INFO_KIND "bond": a bond, with its options. */
    bool is_bond;
    struct bond_opts opts;
    int active_slave; /* IFLA_BOND_ACTIVE_SLAVE; 0: none */
    /* IFLA_INFO_SLAVE_KIND "bond": a bond's member. */
    bool is_slave;
    int slave_state; /* BOND_STATE_ACTIVE / _BACKUP; -1: not reported */
    int slave_mii;   /* BOND_LINK_UP, _FAIL, _DOWN...; -1: not reported */
};

/* True when the agent created bond 'l' (its alias is the mark). */
bool bond_owned(const struct bond_link *l);

/* Creates bond 'name' with 'opts' (down, no members) and marks it as the
 * agent's. -EEXIST when a link of that name exists. On a failure after
 * the create, the bond is deleted again (a bond without the mark would be
 * foreign to the agent ever after). */
int bond_create(struct oanl_sock *, const char *name,
                const struct bond_opts *opts, struct oanl_extack *ext);

/* Sets the options of existing bond 'ifindex'. The kernel takes a mode
 * change only while the bond is down and has no members. */
int bond_set_opts(struct oanl_sock *, int ifindex,
                  const struct bond_opts *opts, struct oanl_extack *ext);

/* Options to change on an existing bond, each sent only when set. Never
 * the mode: the kernel checks a mode's preconditions (down, no members)
 * even for the value the bond has, so a live change leaves it out. */
struct bond_opt_change {
    uint32_t miimon_ms; /* 0: not sent */
    int xmit_hash;      /* BOND_XMIT_POLICY_*; -1: not sent */
    int lacp_rate;      /* 0 slow, 1 fast; -1: not sent */
};

/* Changes the options in 'c' of existing bond 'ifindex'. The kernel
 * takes miimon and xmit_hash_policy on a bond that is up with members,
 * lacp_rate only on a bond that is down (-EBUSY otherwise;
 * drivers/net/bonding/bond_options.c, BOND_OPTFLAG_IFDOWN). */
int bond_change_opts(struct oanl_sock *, int ifindex,
                     const struct bond_opt_change *c, struct oanl_extack *ext);

/* The bonds marked as the agent's (bond_owned()), from one link dump
 * the kernel filters by kind "bond" (checked here again: a kernel
 * without the bonding module returns every link). Caller owns *out
 * (free()). */
int bond_list_owned(struct oanl_sock *, struct bond_link **out, size_t *n);

/* How many links have 'bond' as master, from one link dump the kernel
 * filters by master. */
int bond_count_members(struct oanl_sock *, int bond, unsigned *n);

/* Makes 'member' a slave of bond 'bond': sets it down first (bonding
 * refuses a member that is up: "Device can not be enslaved while up"),
 * then IFLA_MASTER. The bond sets its members up itself. */
int bond_enslave(struct oanl_sock *, int bond, int member,
                 struct oanl_extack *ext);

/* Releases 'member' from its bond (IFLA_MASTER 0). */
int bond_release(struct oanl_sock *, int member, struct oanl_extack *ext);

/* Admin state of link 'ifindex'. */
int bond_set_up(struct oanl_sock *, int ifindex, bool up,
                struct oanl_extack *ext);

int bond_delete(struct oanl_sock *, int ifindex, struct oanl_extack *ext);

/* Reads link 'name' (ifindex 0) or 'ifindex'. -ENODEV when absent. */
int bond_get(struct oanl_sock *, int ifindex, const char *name,
             struct bond_link *out);

/* --- Pure codec (no I/O). Each encoder returns the length or -ENOSPC. */

/* RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL: kind "bond", 'opts' in
 * IFLA_INFO_DATA (xmit_hash and lacp_rate only when >= 0). */
int bond_encode_create(void *buf, size_t len, const char *name,
                       const struct bond_opts *opts);
/* RTM_NEWLINK of existing 'ifindex' (no create flags): the options. */
int bond_encode_set_opts(void *buf, size_t len, int ifindex,
                         const struct bond_opts *opts);
/* RTM_NEWLINK of existing 'ifindex': kind "bond" and only the options
 * set in 'c' (no IFLA_BOND_MODE). */
int bond_encode_change_opts(void *buf, size_t len, int ifindex,
                            const struct bond_opt_change *c);
/* RTM_GETLINK dump (no statistics) the kernel filters: by kind "bond"
 * when 'master' is 0, else by IFLA_MASTER 'master'. */
int bond_encode_dump(void *buf, size_t len, int master);
/* RTM_SETLINK: IFLA_IFALIAS. */
int bond_encode_set_alias(void *buf, size_t len, int ifindex,
                          const char *alias);
/* RTM_SETLINK: IFLA_MASTER 'master' (0: release). */
int bond_encode_set_master(void *buf, size_t len, int ifindex, int master);
/* RTM_SETLINK: IFF_UP set or cleared. */
int bond_encode_set_up(void *buf, size_t len, int ifindex, bool up);
/* RTM_DELLINK. */
int bond_encode_delete(void *buf, size_t len, int ifindex);
/* RTM_GETLINK of 'ifindex', or of 'name' when ifindex is 0. */
int bond_encode_get(void *buf, size_t len, int ifindex, const char *name);

/* An RTM_NEWLINK message. Unknown attributes are skipped; -EBADMSG when
 * truncated, without an ifindex or name, or with a name or alias that
 * does not fit. */
int bond_decode_link(const struct nlmsghdr *, struct bond_link *out);

/* "active-backup", "balance-xor", "802.3ad", ...; NULL when unknown. */
const char *bond_mode_name(uint8_t mode);
/* "layer2", "layer3+4", ... (BOND_XMIT_POLICY_*); NULL when unknown. */
const char *bond_xmit_hash_name(int policy);
/* "slow", "fast"; NULL when unknown. */
const char *bond_lacp_rate_name(int rate);

#endif
