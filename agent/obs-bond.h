/* obs-bond: each bond of the spec as the kernel has it, and the bond its
 * member PFs' uplinks are enslaved to (obs.h's obs_host.bonds). Read
 * through bond_ (netlink/) on the host's rtnetlink socket. */
#ifndef OA_OBS_BOND_H
#define OA_OBS_BOND_H 1

#include <stdbool.h>
#include <stddef.h>

#include "lagstate.h"
#include "offload/spec.h"

struct hostio;
struct obs_host;

/* A member PF's uplink. */
struct obs_bond_member {
    bool found;           /* its PF and uplink are there */
    char netdev[16];      /* the uplink */
    int master;           /* IFLA_MASTER; 0: enslaved to nothing */
    char master_name[16]; /* that master's name, "" when none */
    bool master_is_bond;  /* of kind "bond" */
    bool up, carrier;
};

/* Spec bond i: its link (by name) and its members, in spec order. */
struct obs_bond {
    bool exists;  /* a link of the bond's name */
    bool is_bond; /* of kind "bond" */
    bool owned;   /* marked as the agent's (IFLA_IFALIAS) */
    int ifindex;
    bool up, carrier;
    int mode; /* BOND_MODE_*; -1: not a bond */
    /* Its options (IFLA_INFO_DATA); -1: not a bond, or not reported. */
    int miimon_ms;
    int xmit_hash; /* BOND_XMIT_POLICY_* */
    int lacp_rate; /* 0 slow, 1 fast */
    char active_slave[16];
    /* The driver's LAG state, from the first member PF that shows one
     * (lagstate.h); not exposed: the bond's own state stands in. */
    struct lagstate lag;
    struct obs_bond_member members[SPEC_BOND_N_PFS];
};

/* A bond marked as the agent's that no spec bond names, found by its
 * mark in one dump of the host's bonds (not through a PF's uplink: it
 * may have no member left). */
struct obs_stray_bond {
    char name[16];
    int ifindex;
    unsigned n_members; /* links with it as master */
};

/* Fills host->bonds, one per spec->bonds[], after the PFs are observed,
 * each PF's uplink_bond (obs.h) and host->stray_bonds.
 * Returns 0 or a negative errno (the kernel could not be asked). */
int obs_bond_collect(struct hostio *io, const struct spec *spec,
                     struct obs_host *host);

#endif
