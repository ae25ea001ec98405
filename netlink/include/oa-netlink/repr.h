/* VF representor resolution by identity, never by interface name:
 * devlink ports of flavour pcivf (pfnum, vfnum) first, then netdevs with
 * the PF's phys_switch_id and a phys_port_name "pf<N>vf<M>". */
#ifndef OA_NETLINK_REPR_H
#define OA_NETLINK_REPR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/devlink.h"
#include "oa-netlink/link.h"

enum repr_source {
    REPR_BY_DEVLINK_PORT,
    REPR_BY_PHYS_PORT_NAME,
};

struct repr_entry {
    uint32_t vf;
    uint32_t pfnum;
    int ifindex;
    char netdev[16];
    enum repr_source source;
    /* REPR_BY_DEVLINK_PORT only: the VF's devlink port, and its port
     * function's MAC when the driver reports one (has_fn_hw_addr; the
     * way to set the VF's MAC, devlink_port_fn_hw_addr_set()). From the
     * same port dump: no request more. */
    uint32_t port_index;
    bool has_fn_hw_addr;
    uint8_t fn_hw_addr[6];
    /* The netdev's admin state (IFF_UP) from the link dump repr_resolve()
     * made or was given (has_up; not when the PF has no switch id, then
     * no link dump is read): no dump more to read it. */
    bool has_up, up;
};

struct repr_query {
    const struct devlink_handle *devlink; /* NULL: no devlink lookup */
    int pf_ifindex; /* the PF (uplink) netdev; 0: no switch-id fallback */
    int pfnum;      /* -1: the single pfnum found, else the PCI function */
    /* A link dump (oa_link_list()) the caller made, which then serves
     * the fallback instead of a dump of its own: one dump for all the
     * PFs of a look. NULL: repr_resolve() dumps. */
    struct oa_link *const *links;
    size_t n_links;
};

/* Resolves the representors of the PF in 'q'.  'devlink' (from
 * oanl_open_genl("devlink")) and 'rtnl' (oa_link_sock_open()) may each
 * be NULL to skip that method.  Caller owns *out (free()), sorted by VF;
 * VFs whose representor has no netdev yet are absent. */
int repr_resolve(struct oanl_sock *devlink, struct oa_link_sock *rtnl,
                 const struct repr_query *q, struct repr_entry **out,
                 size_t *n, struct oanl_extack *ext);

/* The entry for 'vf', or NULL. */
const struct repr_entry *repr_find(const struct repr_entry *, size_t n,
                                   uint32_t vf);

/* --- Pure parts. */
/* Parses "pf<N>vf<M>" (and rejects "c<C>pf..." of other controllers).
 * Returns 0 or -EINVAL. */
int repr_parse_port_name(const char *name, uint32_t *pfnum, uint32_t *vfnum);

/* Selects representors from a devlink port dump of the PF's instance. */
int repr_from_ports(const struct devlink_port_info *, size_t n_ports,
                    const struct devlink_handle *dev, int pfnum,
                    struct repr_entry **out, size_t *n);
/* Sets has_up/up of each entry from the link of its ifindex in
 * 'links' (a link dump); 0 or -ENOMEM. */
int repr_set_up(struct repr_entry *, size_t n, struct oa_link *const *links,
                size_t n_links);
/* Selects representors from a link dump, given the PF link. */
int repr_from_links(const struct oa_link *pf, struct oa_link *const *links,
                    size_t n_links, int pfnum, struct repr_entry **out,
                    size_t *n);

#endif
