/* crashj: the crash journal (crashj.h). */
#include "crashj.h"

#include "oa-common/str.h"
#include "oa-netlink/sriov.h"
#include "statefile.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
crashj_path(const char *state_dir, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", state_dir, CRASHJ_FILE);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : n;
}

static struct crashj_entry *
find(struct crashj *j, const char *kind, const char *object)
{
    for (size_t i = 0; i < j->n; i++) {
        if (!strcmp(j->v[i].kind, kind) &&
            (!object || !strcmp(j->v[i].object, object))) {
            return &j->v[i];
        }
    }
    return NULL;
}

static json_t *
to_json(const struct crashj *j)
{
    json_t *entries = json_array();
    json_t *doc =
        json_pack("{s:i, s:o}", "version", CRASHJ_VERSION, "entries", entries);
    for (size_t i = 0; doc && i < j->n; i++) {
        const struct crashj_entry *e = &j->v[i];
        json_t *o = json_pack("{s:s, s:s, s:s}", "kind", e->kind, "object",
                              e->object, "detail", e->detail);
        if (!o || json_array_append_new(entries, o)) {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

/* The file as the entries say: written whole, or removed when there is
 * none (an empty journal is no file). */
static int
save(struct crashj *j)
{
    int r = 0;
    if (!j->path[0]) {
        return 0;
    }
    if (!j->n) {
        r = unlink(j->path) < 0 && errno != ENOENT ? -errno : 0;
    } else {
        r = statefile_write_json(j->path, to_json(j));
    }
    if (r < 0) {
        j->error = r;
    }
    return r;
}

static int
add(struct crashj *j, const char *kind, const char *object, const char *detail)
{
    struct crashj_entry *e = find(j, kind, object);
    if (!e) {
        struct crashj_entry *v = realloc(j->v, (j->n + 1) * sizeof *v);
        if (!v) {
            return -ENOMEM;
        }
        j->v = v;
        e = &j->v[j->n++];
    }
    oa_copy_str(e->kind, sizeof e->kind, kind);
    oa_copy_str(e->object, sizeof e->object, object);
    oa_copy_str(e->detail, sizeof e->detail, detail ? detail : "");
    return 0;
}

/* The entries of 'doc' into 'j'; 'why' says what is wrong otherwise. */
static int
from_json(struct crashj *j, json_t *doc, char *why, size_t size)
{
    json_t *entries, *o;
    size_t i;
    int r = statefile_array(doc, "crash journal", CRASHJ_VERSION, "entries",
                            &entries, why, size);
    if (r < 0) {
        return r;
    }
    json_array_foreach(entries, i, o)
    {
        const char *kind = NULL, *object = NULL, *detail = NULL;
        if (json_unpack(o, "{s:s, s:s, s:s}", "kind", &kind, "object", &object,
                        "detail", &detail)) {
            snprintf(why, size, "entry %zu: not a kind, object, detail", i);
            return -EPROTO;
        }
        if (add(j, kind, object, detail) < 0) {
            snprintf(why, size, "out of memory");
            return -ENOMEM;
        }
    }
    return 0;
}

int
crashj_open(struct crashj *j, const char *path, struct oa_err *err)
{
    char why[256];
    json_t *doc = NULL;

    memset(j, 0, sizeof *j);
    oa_err_clear(err);
    if (!path || !path[0]) {
        return 0;
    }
    oa_copy_str(j->path, sizeof j->path, path);
    int r = statefile_read_json(path, &doc, err);
    if (r < 0 || !doc) {
        return r; /* no file: no run left anything */
    }
    r = from_json(j, doc, why, sizeof why);
    json_decref(doc);
    if (r < 0) {
        j->n = 0;
        oa_err_set(err, r, "%s: %s", path, why);
    }
    return r;
}

int
crashj_begin(struct crashj *j, const char *kind, const char *object,
             const char *detail)
{
    if (!j) {
        return 0;
    }
    int r = add(j, kind, object, detail);
    return r < 0 ? (j->error = r) : save(j);
}

int
crashj_end(struct crashj *j, const char *kind, const char *object)
{
    bool found = false;
    for (size_t i = 0; j && i < j->n;) {
        struct crashj_entry *e = &j->v[i];
        if (!strcmp(e->kind, kind) &&
            (!object || !strcmp(e->object, object))) {
            j->v[i] = j->v[--j->n];
            found = true;
        } else {
            i++;
        }
    }
    return found ? save(j) : 0;
}

/* autoprobe-off: the PF's sriov_drivers_autoprobe on again. */
static int
undo_autoprobe(const char *root, const struct crashj_entry *e)
{
    char bus[32];
    const char *slash = strchr(e->object, '/');
    struct sriov_pf pf;
    bool on;

    if (!slash || (size_t)(slash - e->object) >= sizeof bus) {
        return -EINVAL;
    }
    memcpy(bus, e->object, (size_t)(slash - e->object));
    bus[slash - e->object] = '\0';
    int r = sriov_pf_by_devlink(root, bus, slash + 1, &pf);
    if (!r) {
        r = sriov_autoprobe_get(&pf, &on);
    }
    return r ? r : on ? 0 : sriov_autoprobe_set(&pf, true);
}

/* vf-unbound: bound to the driver it had, unless something bound it
 * since; a driver_override another driver's bind left is cleared (it
 * would keep the old driver off). */
static int
undo_unbind(const char *root, const struct crashj_entry *e)
{
    char drv[64], over[64];
    int r = sriov_dev_driver(root, e->object, drv, sizeof drv);
    if (r) {
        return r < 0 ? r : 0; /* gone, or bound again */
    }
    if (sriov_dev_get_override(root, e->object, over, sizeof over) == 1 &&
        strcmp(over, e->detail)) {
        r = sriov_dev_set_override(root, e->object, NULL);
    }
    return r ? r : sriov_dev_bind(root, e->object, e->detail);
}

size_t
crashj_recover(struct crashj *j, const char *sysfs_root,
               crashj_report_fn *report, void *aux)
{
    size_t n = j->n, kept = 0;
    for (size_t i = 0; i < n; i++) {
        struct crashj_entry e = j->v[i];
        const char *what = "left to this reconcile, which finishes it";
        int r = 0;
        if (!strcmp(e.kind, "autoprobe-off")) {
            r = undo_autoprobe(sysfs_root, &e);
            what = "sriov_drivers_autoprobe set back on";
        } else if (!strcmp(e.kind, "vf-unbound")) {
            r = undo_unbind(sysfs_root, &e);
            what = "bound again to the driver it had";
        }
        if (report) {
            report(aux, &e, r, what);
        }
        if (r < 0) {
            j->v[kept++] = e;
        }
    }
    if (n) {
        j->n = kept;
        save(j);
    }
    return n;
}

void
crashj_close(struct crashj *j)
{
    free(j->v);
    memset(j, 0, sizeof *j);
}
