/* Representor resolution: see include/oa-netlink/repr.h. */
#include "oa-netlink/repr.h"
#include "oa-netlink/sriov.h"
#include "vec.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

int
repr_parse_port_name(const char *name, uint32_t *pfnum, uint32_t *vfnum)
{
    unsigned pf, vf;
    int end = 0;
    /* "%n" and a strict length check: no trailing text, no sign, no
     * leading blanks that sscanf would skip. */
    if (name[0] != 'p' || sscanf(name, "pf%uvf%u%n", &pf, &vf, &end) != 2 ||
        (size_t)end != strlen(name)) {
        return -EINVAL;
    }
    for (const char *p = name + 2; *p; p++) {
        if ((*p < '0' || *p > '9') && *p != 'v' && *p != 'f') {
            return -EINVAL;
        }
    }
    *pfnum = pf;
    *vfnum = vf;
    return 0;
}

static int
cmp_entry(const void *a, const void *b)
{
    const struct repr_entry *x = a, *y = b;
    return x->vf < y->vf ? -1 : x->vf > y->vf;
}

/* The PCI function number of "DDDD:BB:DD.F", or -1. */
static int
pci_function(const struct devlink_handle *dev)
{
    if (!dev || strcmp(dev->bus, "pci") || !sriov_pci_addr_valid(dev->dev)) {
        return -1;
    }
    return dev->dev[11] - '0';
}

/* Chooses the pfnum when the caller gave none: the only one seen, else
 * the PCI function of the devlink instance. */
static int
pick_pfnum(const uint32_t *seen, size_t n, const struct devlink_handle *dev)
{
    if (!n) {
        return 0;
    }
    bool single = true;
    for (size_t i = 1; i < n; i++) {
        single = single && seen[i] == seen[0];
    }
    if (single) {
        return (int)seen[0];
    }
    int fn = pci_function(dev);
    return fn >= 0 ? fn : -EINVAL;
}

int
repr_from_ports(const struct devlink_port_info *ports, size_t n_ports,
                const struct devlink_handle *dev, int pfnum,
                struct repr_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    uint32_t *seen = calloc(n_ports + 1, sizeof *seen);
    if (!seen) {
        return -ENOMEM;
    }
    size_t n_seen = 0;
    for (size_t i = 0; i < n_ports; i++) {
        const struct devlink_port_info *p = &ports[i];
        if (dev && !devlink_handle_equal(dev, &p->dev)) {
            continue;
        }
        /* VFs of this host only: other controllers are other hosts. */
        if (!p->has_flavour || p->flavour != DEVLINK_PORT_FLAVOUR_PCI_VF ||
            !p->has_vfnum || p->external ||
            (p->has_controller && p->controller != 0)) {
            continue;
        }
        seen[n_seen++] = p->has_pfnum ? p->pfnum : 0;
    }
    if (pfnum < 0) {
        pfnum = pick_pfnum(seen, n_seen, dev);
    }
    free(seen);
    if (pfnum < 0) {
        return pfnum;
    }

    struct oanl_vec v = {.size = sizeof(struct repr_entry)};
    for (size_t i = 0; i < n_ports; i++) {
        const struct devlink_port_info *p = &ports[i];
        if ((dev && !devlink_handle_equal(dev, &p->dev)) || !p->has_flavour ||
            p->flavour != DEVLINK_PORT_FLAVOUR_PCI_VF || !p->has_vfnum ||
            p->external || (p->has_controller && p->controller != 0) ||
            (p->has_pfnum ? p->pfnum : 0) != (uint32_t)pfnum ||
            !p->netdev_ifindex) {
            continue;
        }
        struct repr_entry *e = oanl_vec_push(&v);
        if (!e) {
            free(v.items);
            return -ENOMEM;
        }
        e->vf = p->vfnum;
        e->pfnum = (uint32_t)pfnum;
        e->ifindex = (int)p->netdev_ifindex;
        memcpy(e->netdev, p->netdev_name, sizeof e->netdev);
        e->source = REPR_BY_DEVLINK_PORT;
        e->port_index = p->index;
        e->has_fn_hw_addr = p->has_fn_hw_addr;
        memcpy(e->fn_hw_addr, p->fn_hw_addr, sizeof e->fn_hw_addr);
    }
    if (v.n) {
        qsort(v.items, v.n, v.size, cmp_entry);
    }
    *out = v.items;
    *n = v.n;
    return 0;
}

int
repr_from_links(const struct oa_link *pf, struct oa_link *const *links,
                size_t n_links, int pfnum, struct repr_entry **out, size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!pf->switch_id_len) {
        return -EOPNOTSUPP; /* the PF is not a switch port */
    }
    uint32_t *seen = calloc(n_links + 1, sizeof *seen);
    if (!seen) {
        return -ENOMEM;
    }
    size_t n_seen = 0;
    for (int pass = 0; pass < 2; pass++) {
        struct oanl_vec v = {.size = sizeof(struct repr_entry)};
        for (size_t i = 0; i < n_links; i++) {
            const struct oa_link *l = links[i];
            uint32_t p, vf;
            if (l->ifindex == pf->ifindex ||
                l->switch_id_len != pf->switch_id_len ||
                memcmp(l->switch_id, pf->switch_id, pf->switch_id_len) ||
                repr_parse_port_name(l->phys_port_name, &p, &vf)) {
                continue;
            }
            if (pass == 0) {
                seen[n_seen++] = p;
                continue;
            }
            if (p != (uint32_t)pfnum) {
                continue;
            }
            struct repr_entry *e = oanl_vec_push(&v);
            if (!e) {
                free(v.items);
                free(seen);
                return -ENOMEM;
            }
            e->vf = vf;
            e->pfnum = p;
            e->ifindex = l->ifindex;
            memcpy(e->netdev, l->name, sizeof e->netdev);
            e->source = REPR_BY_PHYS_PORT_NAME;
        }
        if (pass == 0) {
            if (pfnum < 0) {
                struct devlink_handle h = {"", ""};
                if (pf->parent_bus[0] &&
                    strlen(pf->parent_bus) < sizeof h.bus &&
                    strlen(pf->parent_dev) < sizeof h.dev) {
                    strcpy(h.bus, pf->parent_bus);
                    strcpy(h.dev, pf->parent_dev);
                }
                pfnum = pick_pfnum(seen, n_seen, &h);
            }
            if (pfnum < 0) {
                free(seen);
                return pfnum;
            }
            continue;
        }
        free(seen);
        if (v.n) {
            qsort(v.items, v.n, v.size, cmp_entry);
        }
        *out = v.items;
        *n = v.n;
    }
    return 0;
}

const struct repr_entry *
repr_find(const struct repr_entry *e, size_t n, uint32_t vf)
{
    /* Sorted by VF and usually dense (entry i is VF i): a lookup per VF
     * is then not a scan per VF. */
    if (vf < n && e[vf].vf == vf) {
        return &e[vf];
    }
    for (size_t i = 0; i < n; i++) {
        if (e[i].vf == vf) {
            return &e[i];
        }
    }
    return NULL;
}

/* Adds the entries of 'more' whose VF is not in 'base' yet. */
static int
merge(struct repr_entry **base, size_t *n, const struct repr_entry *more,
      size_t n_more)
{
    for (size_t i = 0; i < n_more; i++) {
        if (repr_find(*base, *n, more[i].vf)) {
            continue;
        }
        struct repr_entry *p = realloc(*base, (*n + 1) * sizeof *p);
        if (!p) {
            return -ENOMEM;
        }
        p[(*n)++] = more[i];
        *base = p;
    }
    if (*n) {
        qsort(*base, *n, sizeof **base, cmp_entry);
    }
    return 0;
}

static int
cmp_link_ifindex(const void *a, const void *b)
{
    const struct oa_link *x = *(struct oa_link *const *)a;
    const struct oa_link *y = *(struct oa_link *const *)b;
    return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

int
repr_set_up(struct repr_entry *e, size_t n, struct oa_link *const *links,
            size_t n_links)
{
    if (!n || !n_links) {
        return 0;
    }
    /* Sorted by ifindex once, searched per entry: O(n log n), not one
     * scan of every link per representor. */
    struct oa_link **byidx = malloc(n_links * sizeof *byidx);
    if (!byidx) {
        return -ENOMEM;
    }
    memcpy(byidx, links, n_links * sizeof *byidx);
    qsort(byidx, n_links, sizeof *byidx, cmp_link_ifindex);
    for (size_t i = 0; i < n; i++) {
        struct oa_link key = {.ifindex = e[i].ifindex};
        const struct oa_link *kp = &key;
        struct oa_link **l =
            bsearch(&kp, byidx, n_links, sizeof *byidx, cmp_link_ifindex);
        e[i].has_up = l != NULL;
        e[i].up = l && ((*l)->flags & IFF_UP);
    }
    free(byidx);
    return 0;
}

int
repr_resolve(struct oanl_sock *devlink, struct oa_link_sock *rtnl,
             const struct repr_query *q, struct repr_entry **out, size_t *n,
             struct oanl_extack *ext)
{
    *out = NULL;
    *n = 0;
    int r = 0;
    if (devlink && q->devlink) {
        struct devlink_port_info *ports;
        size_t n_ports;
        r = devlink_port_list(devlink, q->devlink, &ports, &n_ports, ext);
        if (r) {
            return r;
        }
        r = repr_from_ports(ports, n_ports, q->devlink, q->pfnum, out, n);
        free(ports);
        if (r) {
            return r;
        }
    }
    if (!rtnl || q->pf_ifindex <= 0) {
        return 0;
    }
    /* Fallback for drivers without devlink VF ports, and for ports whose
     * netdev devlink did not report. */
    struct oa_link *const *links = q->links;
    size_t n_links = q->n_links;
    struct oa_link **dumped = NULL;
    const struct oa_link *pf = NULL;
    struct oa_link *pf_read = NULL;
    for (size_t i = 0; links && i < n_links && !pf; i++) {
        pf = links[i]->ifindex == q->pf_ifindex ? links[i] : NULL;
    }
    if (!pf) {
        /* Not in the caller's dump (created since), or no dump given. */
        r = oa_link_get_by_index(rtnl, q->pf_ifindex, &pf_read, ext);
        if (r) {
            goto fail;
        }
        pf = pf_read;
    }
    if (!pf->switch_id_len) {
        oa_link_destroy(pf_read);
        return 0; /* nothing to match on: what devlink found is all */
    }
    if (!links) {
        r = oa_link_list(rtnl, &dumped, &n_links, ext);
        links = dumped;
    }
    if (!r) {
        struct repr_entry *more;
        size_t n_more;
        r = repr_from_links(pf, links, n_links, q->pfnum, &more, &n_more);
        if (!r) {
            r = merge(out, n, more, n_more);
            free(more);
        }
        if (!r) {
            r = repr_set_up(*out, *n, links, n_links);
        }
        oa_link_list_free(dumped, n_links);
    }
    oa_link_destroy(pf_read);
    if (!r) {
        return 0;
    }
fail:
    free(*out);
    *out = NULL;
    *n = 0;
    return r;
}
