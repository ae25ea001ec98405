/* guard: disruptive changes that undo themselves (guard.h). */
#include "guard.h"

#include "oa-common/file.h"
#include "oa-common/str.h"
#include "oa-netlink/devlink.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
guard_path(const char *state_dir, const char *name, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", state_dir, name);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

static bool
disrupts(const struct plan_step *s)
{
    return s->action == PLAN_SET_ESWITCH || s->action == PLAN_SET_NUMVFS ||
           s->action == PLAN_SET_STEERING_MODE ||
           (s->action == PLAN_DETACH_PORT && s->vf < 0);
}

bool
guard_disruptive(const struct plan *plan)
{
    for (size_t i = 0; plan && i < plan->n_steps; i++) {
        if (disrupts(&plan->steps[i])) {
            return true;
        }
    }
    return false;
}

/* The uplink's carrier from sysfs: 1, 0, or -1 when it cannot be told
 * (the kernel answers EINVAL for a netdev that is down). */
static int
carrier(const char *sysfs_root, const char *netdev)
{
    char path[256], buf[8];
    if (!netdev[0]) {
        return -1;
    }
    snprintf(path, sizeof path, "%s/class/net/%s/carrier",
             sysfs_root ? sysfs_root : "/sys", netdev);
    if (oa_read_small(path, buf, sizeof buf) < 0) {
        return -1;
    }
    return buf[0] == '1';
}

static bool
recorded(const struct guard_lkg *lkg, int pf)
{
    for (size_t i = 0; i < lkg->n; i++) {
        if (lkg->v[i].pf == pf) {
            return true;
        }
    }
    return false;
}

int
guard_record(const struct obs_host *host, const struct plan *plan,
             const char *sysfs_root, struct guard_lkg *lkg)
{
    memset(lkg, 0, sizeof *lkg);
    lkg->ovsdb = host->ovs.connected;
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        if (!disrupts(s) || s->pf < 0 || (size_t)s->pf >= host->n_pfs ||
            !host->pfs[s->pf].found || recorded(lkg, s->pf)) {
            continue;
        }
        const struct obs_pf *op = &host->pfs[s->pf];
        struct guard_pf *v = realloc(lkg->v, (lkg->n + 1) * sizeof *v);
        if (!v) {
            guard_lkg_clear(lkg);
            return -ENOMEM;
        }
        lkg->v = v;
        struct guard_pf *g = &lkg->v[lkg->n++];
        memset(g, 0, sizeof *g);
        g->pf = s->pf;
        oa_copy_str(g->devlink, sizeof g->devlink, op->devlink);
        oa_copy_str(g->netdev, sizeof g->netdev, op->netdev);
        g->has_eswitch = op->has_eswitch;
        g->eswitch_mode = op->eswitch_mode;
        g->num_vfs = op->num_vfs;
        g->has_steering = op->has_steering;
        oa_copy_str(g->steering, sizeof g->steering, op->steering);
        g->carrier = carrier(sysfs_root, op->netdev);
    }
    return 0;
}

void
guard_lkg_clear(struct guard_lkg *lkg)
{
    free(lkg->v);
    memset(lkg, 0, sizeof *lkg);
}

int
guard_lkg_save(const struct guard_lkg *lkg, uint64_t spec_hash,
               const char *path, struct oa_err *err)
{
    char hash[17];
    json_t *pfs = json_array();
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)spec_hash);
    json_t *doc = json_pack("{s:i, s:s, s:o}", "version", 1, "before_spec",
                            hash, "pfs", pfs);
    for (size_t i = 0; doc && i < lkg->n; i++) {
        const struct guard_pf *g = &lkg->v[i];
        json_t *o = json_pack(
            "{s:i, s:s, s:s, s:s, s:i, s:s, s:i}", "pf", g->pf, "devlink",
            g->devlink, "netdev", g->netdev, "eswitch",
            g->has_eswitch ? devlink_eswitch_mode_name(g->eswitch_mode) : "",
            "num_vfs", (int)g->num_vfs, "steering",
            g->has_steering ? g->steering : "", "carrier", g->carrier);
        if (!o || json_array_append_new(pfs, o)) {
            json_decref(doc);
            doc = NULL;
        }
    }
    int r = statefile_write_json(path, doc);
    return r < 0 ? oa_err_set_errno(err, r, "%s", path) : 0;
}

/* One PF of a last-known-good file into 'g'; false when it is not one. */
static bool
lkg_pf_load(json_t *o, struct guard_pf *g)
{
    const char *devlink, *netdev, *eswitch, *steering;
    int pf, num_vfs, carrier;
    if (json_unpack(o, "{s:i, s:s, s:s, s:s, s:i, s:s, s:i}", "pf", &pf,
                    "devlink", &devlink, "netdev", &netdev, "eswitch",
                    &eswitch, "num_vfs", &num_vfs, "steering", &steering,
                    "carrier", &carrier) ||
        pf < 0 || num_vfs < 0) {
        return false;
    }
    memset(g, 0, sizeof *g);
    g->pf = pf;
    oa_copy_str(g->devlink, sizeof g->devlink, devlink);
    oa_copy_str(g->netdev, sizeof g->netdev, netdev);
    g->has_eswitch = eswitch[0] != '\0';
    g->eswitch_mode =
        !strcmp(eswitch,
                devlink_eswitch_mode_name(DEVLINK_ESWITCH_MODE_SWITCHDEV))
            ? DEVLINK_ESWITCH_MODE_SWITCHDEV
            : DEVLINK_ESWITCH_MODE_LEGACY;
    g->num_vfs = (unsigned)num_vfs;
    g->has_steering = steering[0] != '\0';
    oa_copy_str(g->steering, sizeof g->steering, steering);
    g->carrier = carrier;
    return true;
}

int
guard_lkg_load(const char *path, uint64_t spec_hash, struct guard_lkg *lkg)
{
    char want[17];
    const char *got = NULL;
    json_t *doc = NULL, *pfs = NULL;
    int r = -ENOENT;

    memset(lkg, 0, sizeof *lkg);
    snprintf(want, sizeof want, "%016llx", (unsigned long long)spec_hash);
    if (statefile_read_json(path, &doc, NULL) < 0 || !doc) {
        return -ENOENT;
    }
    if (json_unpack(doc, "{s:s, s:o}", "before_spec", &got, "pfs", &pfs) ||
        strcmp(got, want) || !json_is_array(pfs) || !json_array_size(pfs)) {
        goto out;
    }
    lkg->v = calloc(json_array_size(pfs), sizeof *lkg->v);
    if (!lkg->v) {
        r = -ENOMEM;
        goto out;
    }
    for (size_t i = 0; i < json_array_size(pfs); i++) {
        if (!lkg_pf_load(json_array_get(pfs, i), &lkg->v[lkg->n++])) {
            guard_lkg_clear(lkg);
            goto out;
        }
    }
    r = 0;
out:
    json_decref(doc);
    return r;
}

static const struct obs_pf *
pf_now(const struct obs_host *now, int pf)
{
    return pf >= 0 && (size_t)pf < now->n_pfs && now->pfs[pf].found
               ? &now->pfs[pf]
               : NULL;
}

bool
guard_healthy(const struct guard_lkg *lkg, const struct obs_host *now,
              const char *sysfs_root, char *why, size_t size)
{
    if (lkg->ovsdb && !now->ovs.connected) {
        snprintf(why, size, "OVSDB not reachable");
        return false;
    }
    for (size_t i = 0; i < lkg->n; i++) {
        const struct guard_pf *g = &lkg->v[i];
        const struct obs_pf *op = pf_now(now, g->pf);
        if (!op) {
            snprintf(why, size, "%s: PF gone", g->devlink);
            return false;
        }
        if (g->carrier == 1 && carrier(sysfs_root, op->netdev) != 1) {
            snprintf(why, size, "%s: no carrier (it had carrier before)",
                     op->netdev);
            return false;
        }
        if (op->has_eswitch &&
            op->eswitch_mode == DEVLINK_ESWITCH_MODE_SWITCHDEV &&
            op->n_reps < op->num_vfs) {
            snprintf(why, size, "%s: %zu of %u representors", op->devlink,
                     op->n_reps, op->num_vfs);
            return false;
        }
    }
    return true;
}

void
guard_bend_spec(struct spec *spec, const struct guard_lkg *lkg)
{
    for (size_t i = 0; i < lkg->n; i++) {
        const struct guard_pf *g = &lkg->v[i];
        if (g->pf < 0 || (size_t)g->pf >= spec->n_pfs) {
            continue;
        }
        struct spec_pf *sp = &spec->pfs[g->pf];
        if (g->has_eswitch) {
            sp->eswitch = g->eswitch_mode == DEVLINK_ESWITCH_MODE_SWITCHDEV
                              ? SPEC_ESWITCH_SWITCHDEV
                              : SPEC_ESWITCH_LEGACY;
        }
        sp->num_vfs = g->num_vfs;
        size_t kept = 0;
        for (size_t k = 0; k < sp->n_vfs; k++) {
            if (sp->vfs[k].index < g->num_vfs) {
                sp->vfs[kept++] = sp->vfs[k];
            }
        }
        sp->n_vfs = kept;
        if (g->has_steering && sp->steering_mode != SPEC_STEERING_UNSET) {
            sp->steering_mode = !strcmp(g->steering, "smfs")
                                    ? SPEC_STEERING_SMFS
                                    : SPEC_STEERING_DMFS;
        }
    }
}

uint64_t
guard_spec_hash(const char *path, struct oa_err *err)
{
    uint64_t h = 1469598103934665603ULL;
    unsigned char buf[4096];
    ssize_t n;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        oa_err_set_errno(err, -errno, "%s", path);
        return 0;
    }
    while ((n = read(fd, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            h = (h ^ buf[i]) * 1099511628211ULL;
        }
    }
    if (n < 0) {
        oa_err_set_errno(err, -errno, "%s", path);
        h = 0;
    }
    close(fd);
    return h;
}

bool
guard_failed_is(const char *path, uint64_t hash, char *why, size_t size)
{
    char want[17];
    const char *got = NULL, *text = NULL;
    json_t *doc = NULL;
    bool is = false;

    snprintf(want, sizeof want, "%016llx", (unsigned long long)hash);
    if (statefile_read_json(path, &doc, NULL) < 0 || !doc) {
        return false;
    }
    if (!json_unpack(doc, "{s:s, s:s}", "spec", &got, "why", &text) &&
        !strcmp(got, want)) {
        snprintf(why, size, "%s", text);
        is = true;
    }
    json_decref(doc);
    return is;
}

int
guard_failed_save(const char *path, uint64_t hash, const char *why,
                  struct oa_err *err)
{
    char h[17];
    snprintf(h, sizeof h, "%016llx", (unsigned long long)hash);
    json_t *doc =
        json_pack("{s:i, s:s, s:s}", "version", 1, "spec", h, "why", why);
    int r = statefile_write_json(path, doc);
    return r < 0 ? oa_err_set_errno(err, r, "%s", path) : 0;
}
