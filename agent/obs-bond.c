/* obs-bond: see obs-bond.h. */
#include "obs-bond.h"

#include "hostio.h"
#include "obs.h"
#include "oa-netlink/bond.h"

#include "oa-common/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int
observe_member(struct hostio *io, const struct obs_pf *op,
               struct obs_bond_member *m)
{
    struct bond_link l, master;

    if (!op->found || op->ifindex <= 0) {
        return 0;
    }
    int r = bond_get(io->rtnl, op->ifindex, NULL, &l);
    if (r == -ENODEV) {
        return 0; /* gone since the PF was observed: the next look */
    }
    if (r) {
        return r;
    }
    m->found = true;
    oa_copy_str(m->netdev, sizeof m->netdev, l.name);
    m->master = l.master;
    m->up = l.up;
    m->carrier = l.carrier;
    if (l.master && !bond_get(io->rtnl, l.master, NULL, &master)) {
        oa_copy_str(m->master_name, sizeof m->master_name, master.name);
        m->master_is_bond = master.is_bond;
    }
    return 0;
}

static int
observe_bond(struct hostio *io, const struct spec_bond *sb,
             const struct obs_host *host, struct obs_bond *ob)
{
    struct bond_link l;

    ob->mode = ob->miimon_ms = ob->xmit_hash = ob->lacp_rate = -1;
    int r = bond_get(io->rtnl, 0, sb->name, &l);
    if (r && r != -ENODEV) {
        return r;
    }
    if (!r) {
        ob->exists = true;
        ob->is_bond = l.is_bond;
        ob->owned = bond_owned(&l);
        ob->ifindex = l.ifindex;
        ob->up = l.up;
        ob->carrier = l.carrier;
        if (l.is_bond) {
            ob->mode = l.opts.mode;
            ob->miimon_ms = (int)l.opts.miimon_ms;
            ob->xmit_hash = l.opts.xmit_hash;
            ob->lacp_rate = l.opts.lacp_rate;
        }
        struct bond_link active;
        if (l.active_slave &&
            !bond_get(io->rtnl, l.active_slave, NULL, &active)) {
            oa_copy_str(ob->active_slave, sizeof ob->active_slave,
                        active.name);
        }
    }
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        if (sb->pfs[j] < host->n_pfs) {
            const struct obs_pf *op = &host->pfs[sb->pfs[j]];
            r = observe_member(io, op, &ob->members[j]);
            if (r) {
                return r;
            }
            /* Unreadable (debugfs is root's): as not exposed. */
            if (!ob->lag.exposed && op->found &&
                lagstate_read(io->sysfs_root, op->bus, op->dev_name,
                              &ob->lag) < 0) {
                ob->lag.exposed = false;
            }
        }
    }
    return 0;
}

/* Names in op->uplink_bond the agent's bond its uplink is enslaved to
 * (a PF the spec bonds no more still is: the planner releases it). One
 * request, only for an uplink that has a master. */
static int
observe_uplink_bond(struct hostio *io, struct obs_pf *op)
{
    struct bond_link master;

    op->uplink_bond[0] = '\0';
    if (!op->found || op->uplink_master <= 0) {
        return 0;
    }
    int r = bond_get(io->rtnl, op->uplink_master, NULL, &master);
    if (r == -ENODEV) {
        return 0;
    }
    if (r) {
        return r;
    }
    if (master.is_bond && bond_owned(&master)) {
        oa_copy_str(op->uplink_bond, sizeof op->uplink_bond, master.name);
    }
    return 0;
}

static bool
spec_names_bond(const struct spec *spec, const char *name)
{
    for (size_t i = 0; i < spec->n_bonds; i++) {
        if (!strcmp(spec->bonds[i].name, name)) {
            return true;
        }
    }
    return false;
}

/* host->stray_bonds: the agent's bonds no spec bond names. */
static int
observe_strays(struct hostio *io, const struct spec *spec,
               struct obs_host *host)
{
    struct bond_link *links;
    size_t n;
    int r = bond_list_owned(io->rtnl, &links, &n);
    if (r) {
        return r;
    }
    if (n) {
        host->stray_bonds = calloc(n, sizeof *host->stray_bonds);
        r = host->stray_bonds ? 0 : -ENOMEM;
    }
    /* Members counted only for these: a spec bond's are its uplinks. */
    for (size_t i = 0; !r && i < n; i++) {
        if (!spec_names_bond(spec, links[i].name)) {
            struct obs_stray_bond *sb =
                &host->stray_bonds[host->n_stray_bonds++];
            oa_copy_str(sb->name, sizeof sb->name, links[i].name);
            sb->ifindex = links[i].ifindex;
            r = bond_count_members(io->rtnl, sb->ifindex, &sb->n_members);
        }
    }
    free(links);
    return r;
}

int
obs_bond_collect(struct hostio *io, const struct spec *spec,
                 struct obs_host *host)
{
    int r = observe_strays(io, spec, host);
    if (r) {
        return r;
    }
    for (size_t i = 0; i < host->n_pfs; i++) {
        r = observe_uplink_bond(io, &host->pfs[i]);
        if (r) {
            return r;
        }
    }
    if (!spec->n_bonds) {
        return 0;
    }
    host->bonds = calloc(spec->n_bonds, sizeof *host->bonds);
    if (!host->bonds) {
        return -ENOMEM;
    }
    host->n_bonds = spec->n_bonds;
    for (size_t i = 0; i < spec->n_bonds; i++) {
        r = observe_bond(io, &spec->bonds[i], host, &host->bonds[i]);
        if (r) {
            return r;
        }
    }
    return 0;
}
