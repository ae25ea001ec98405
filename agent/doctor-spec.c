/* doctor's spec context: the spec's PFs found on the host (PCI address,
 * netdev, devlink handle, VFs wanted and present), and the findings
 * about a spec PF, its VFs or its representors labelled with it, so
 * that an operator reads "pfs[0] VF 3" next to "pf0vf3". Read-only,
 * through the root-relative reader, so it works on recorded trees too. */
#include "doctor.h"

#include "offload/spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The last component of 'path' into 'out', cut to fit. */
static void
base_name(const char *path, char *out, size_t size)
{
    const char *slash = strrchr(path, '/');
    const char *name = slash ? slash + 1 : path;
    size_t len = strlen(name);
    len = len < size ? len : size - 1;
    memcpy(out, name, len);
    out[len] = '\0';
}

/* "0000:08:00.0" */
static bool
looks_pci(const char *s)
{
    unsigned dom, bus, dev, fn;
    char end;
    return sscanf(s, "%4x:%2x:%2x.%1x%c", &dom, &bus, &dev, &fn, &end) == 4;
}

static void
add_object(struct doctor *d, const char *name, size_t pf, int vf)
{
    if (!name[0]) {
        return;
    }
    struct doctor_spec_object *o =
        realloc(d->spec_objects, (d->n_spec_objects + 1) * sizeof *o);
    if (!o) {
        d->oom = true;
        return;
    }
    d->spec_objects = o;
    o = &d->spec_objects[d->n_spec_objects++];
    snprintf(o->name, sizeof o->name, "%s", name);
    o->pf = pf;
    o->vf = vf;
}

/* Fills the PF's names from its netdev: its device and bus. */
static void
from_netdev(const struct doctor *d, struct doctor_spec_pf *p, char *bus,
            size_t bus_size, char *dev, size_t dev_size)
{
    char rel[160], target[512];
    snprintf(rel, sizeof rel, "sys/class/net/%.32s/device", p->netdev);
    if (doctor_readlink(d, rel, target, sizeof target)) {
        p->netdev[0] = '\0'; /* not here (renamed since? status says) */
        return;
    }
    base_name(target, dev, dev_size);
    snprintf(rel, sizeof rel, "sys/class/net/%.32s/device/subsystem",
             p->netdev);
    if (!doctor_readlink(d, rel, target, sizeof target)) {
        base_name(target, bus, bus_size);
    } else {
        snprintf(bus, bus_size, "%s", looks_pci(dev) ? "pci" : "");
    }
}

/* The VF a representor netdev stands for (phys_port_name "pfNvfM"), -1
 * when 'netdev' is no VF representor. */
static int
rep_vf(const struct doctor *d, const char *netdev)
{
    char ppn[32] = "";
    unsigned pf, vf;
    doctor_readf(d, ppn, sizeof ppn, "sys/class/net/%s/phys_port_name",
                 netdev);
    return sscanf(ppn, "pf%uvf%u", &pf, &vf) == 2 && vf < 4096 ? (int)vf : -1;
}

/* The PF's netdev among its device's netdevs: the one that is not a
 * representor (mlx5 hangs the representors on the PF's device too). */
static void
pf_netdev(const struct doctor *d, const char *dir, char *out, size_t size)
{
    char rel[300];
    snprintf(rel, sizeof rel, "%s/net", dir);
    char **names = doctor_list(d, rel);
    for (size_t i = 0; names && names[i]; i++) {
        if (rep_vf(d, names[i]) < 0) {
            snprintf(out, size, "%s", names[i]);
            break;
        }
    }
    doctor_names_free(names);
}

/* The representors (phys_port_name pfNvfM on the PF's device) and, for
 * a PCI PF, each VF's address and netdevs. */
static void
pf_members(struct doctor *d, size_t index, const char *dir)
{
    char rel[300];
    snprintf(rel, sizeof rel, "%s/net", dir);
    char **names = doctor_list(d, rel);
    for (size_t i = 0; names && names[i]; i++) {
        int vf = rep_vf(d, names[i]);
        if (vf >= 0) {
            add_object(d, names[i], index, vf);
        }
    }
    doctor_names_free(names);
    for (int vf = 0; vf < 4096; vf++) {
        char target[512], addr[64];
        snprintf(rel, sizeof rel, "%s/virtfn%d", dir, vf);
        if (doctor_readlink(d, rel, target, sizeof target)) {
            break;
        }
        base_name(target, addr, sizeof addr);
        add_object(d, addr, index, vf);
        snprintf(rel, sizeof rel, "%s/virtfn%d/net", dir, vf);
        char **vfnet = doctor_list(d, rel);
        for (size_t i = 0; vfnet && vfnet[i]; i++) {
            add_object(d, vfnet[i], index, vf);
        }
        doctor_names_free(vfnet);
    }
}

static void
resolve_pf(struct doctor *d, size_t index, const struct spec_pf *sp)
{
    struct doctor_spec_pf *p = &d->spec_pfs[index];
    char bus[32] = "", dev[80] = "", dir[256];

    memset(p, 0, sizeof *p);
    snprintf(p->id, sizeof p->id, "%s", sp->id);
    snprintf(p->key, sizeof p->key, "%s", spec_pf_key_name(sp->key));
    p->vfs_wanted = sp->num_vfs;
    p->vfs_present = -1;
    if (sp->key == SPEC_PF_BY_NETDEV) {
        snprintf(p->netdev, sizeof p->netdev, "%s", sp->id);
        from_netdev(d, p, bus, sizeof bus, dev, sizeof dev);
    } else if (sp->key == SPEC_PF_BY_PCI) {
        snprintf(bus, sizeof bus, "pci");
        snprintf(dev, sizeof dev, "%s", sp->id);
    } else {
        const char *slash = strchr(sp->id, '/');
        snprintf(bus, sizeof bus, "%.*s", slash ? (int)(slash - sp->id) : 0,
                 sp->id);
        snprintf(dev, sizeof dev, "%s", slash ? slash + 1 : "");
    }
    if (!bus[0] || !dev[0]) {
        return;
    }
    snprintf(dir, sizeof dir, "sys/bus/%s/devices/%s", bus, dev);
    char **entries = doctor_list(d, dir);
    bool exists = entries && entries[0];
    doctor_names_free(entries);
    if (!exists) {
        return; /* no such device here */
    }
    snprintf(p->devlink, sizeof p->devlink, "%s/%s", bus, dev);
    if (!strcmp(bus, "pci")) {
        snprintf(p->pci, sizeof p->pci, "%s", dev);
    }
    if (!p->netdev[0]) {
        pf_netdev(d, dir, p->netdev, sizeof p->netdev);
    }
    char numvfs[16];
    if (!doctor_readf(d, numvfs, sizeof numvfs, "%s/sriov_numvfs", dir)) {
        p->vfs_present = atoi(numvfs);
    }
    add_object(d, p->pci, index, -1);
    add_object(d, p->netdev, index, -1);
    add_object(d, p->devlink, index, -1);
    pf_members(d, index, dir);
}

void
doctor_spec_load(struct doctor *d)
{
    struct spec *spec = NULL;
    struct spec_errors *errors = NULL;
    int r = spec_load_file(d->spec_path, &spec, &errors);
    if (r == -ENOENT || r == -ENOMEM) {
        d->oom |= r == -ENOMEM;
        spec_errors_destroy(errors);
        return; /* no spec: a host doctor looks at without one */
    }
    if (r < 0) {
        const struct spec_error *e = errors && spec_errors_count(errors)
                                         ? spec_errors_get(errors, 0)
                                         : NULL;
        char *text = e ? spec_error_format(e) : NULL;
        d->spec_error = strdup(text ? text : "not readable");
        d->oom |= !d->spec_error;
        free(text);
        spec_errors_destroy(errors);
        return;
    }
    spec_errors_destroy(errors);
    d->spec_pfs = calloc(spec->n_pfs ? spec->n_pfs : 1, sizeof *d->spec_pfs);
    if (!d->spec_pfs) {
        d->oom = true;
    } else {
        d->n_spec_pfs = spec->n_pfs;
        for (size_t i = 0; i < spec->n_pfs; i++) {
            resolve_pf(d, i, &spec->pfs[i]);
        }
    }
    spec_destroy(spec);
}

/* The object a finding names, up to a devlink port ("pci/ADDR/65535"
 * belongs to "pci/ADDR"). */
static const struct doctor_spec_object *
owner(const struct doctor *d, const char *object)
{
    for (size_t i = 0; i < d->n_spec_objects; i++) {
        const char *name = d->spec_objects[i].name;
        size_t len = strlen(name);
        if (!strncmp(object, name, len) &&
            (!object[len] || (object[len] == '/' && strchr(name, '/')))) {
            return &d->spec_objects[i];
        }
    }
    return NULL;
}

void
doctor_spec_annotate(struct doctor *d)
{
    for (size_t i = 0; i < d->n_findings; i++) {
        struct doctor_finding *f = &d->findings[i];
        const struct doctor_spec_object *o = owner(d, f->object);
        if (!o || f->spec) {
            continue;
        }
        const struct doctor_spec_pf *p = &d->spec_pfs[o->pf];
        char label[160];
        if (o->vf >= 0) {
            snprintf(label, sizeof label, "pfs[%zu] %s VF %d", o->pf, p->id,
                     o->vf);
        } else {
            snprintf(label, sizeof label, "pfs[%zu] %s", o->pf, p->id);
        }
        f->spec = strdup(label);
        d->oom |= !f->spec;
    }
}

void
doctor_spec_clear(struct doctor *d)
{
    free(d->spec_error);
    free(d->spec_pfs);
    free(d->spec_objects);
    d->spec_error = NULL;
    d->spec_pfs = NULL;
    d->spec_objects = NULL;
    d->n_spec_pfs = d->n_spec_objects = 0;
}
