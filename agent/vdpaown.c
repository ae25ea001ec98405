/* vdpaown: see vdpaown.h. */
#include "vdpaown.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "contract.h"
#include "statefile.h"

int
vdpaown_path(const char *state_dir, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", state_dir ? state_dir : OA_STATE_DIR,
                     VDPAOWN_FILE);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

void
vdpaown_clear(struct vdpaown *o)
{
    free(o->names);
    o->names = NULL;
    o->n = 0;
}

bool
vdpaown_has(const struct vdpaown *o, const char *name)
{
    for (size_t i = 0; i < o->n; i++) {
        if (!strcmp(o->names[i], name)) {
            return true;
        }
    }
    return false;
}

static int
push(struct vdpaown *o, const char *name)
{
    if (strlen(name) >= sizeof o->names[0] || o->n >= VDPAOWN_MAX) {
        return -EINVAL;
    }
    void *p = realloc(o->names, (o->n + 1) * sizeof o->names[0]);
    if (!p) {
        return -ENOMEM;
    }
    o->names = p;
    strcpy(o->names[o->n++], name);
    return 0;
}

int
vdpaown_load(const char *path, struct vdpaown *o, struct oa_err *err)
{
    json_t *doc, *devs;
    char why[160];
    memset(o, 0, sizeof *o);
    int r = statefile_read_json(path, &doc, err);
    if (r < 0 || !doc) {
        return r;
    }
    r = statefile_array(doc, "vdpa", VDPAOWN_VERSION, "devices", &devs, why,
                        sizeof why);
    for (size_t i = 0; !r && i < json_array_size(devs); i++) {
        const char *s = json_string_value(json_array_get(devs, i));
        r = s ? push(o, s) : -EINVAL;
        snprintf(why, sizeof why, "devices[%zu]: %s", i,
                 r == -ENOMEM ? "out of memory" : "not a device name");
    }
    json_decref(doc);
    if (r < 0) {
        vdpaown_clear(o);
        return oa_err_set(err, r, "%s: %s", path, why);
    }
    return 0;
}

static int
save(const char *path, const struct vdpaown *o, struct oa_err *err)
{
    json_t *devs = json_array();
    json_t *doc =
        json_pack("{s:i,s:o}", "version", VDPAOWN_VERSION, "devices", devs);
    bool ok = doc != NULL;
    for (size_t i = 0; ok && i < o->n; i++) {
        ok = !json_array_append_new(devs, json_string(o->names[i]));
    }
    if (!ok) {
        json_decref(doc);
        doc = NULL;
    }
    int r = statefile_write_json(path, doc);
    return r < 0 ? oa_err_set_errno(err, r, "%s", path) : 0;
}

/* Loads, changes (add or remove 'name'), saves when it changed. */
static int
update(const char *path, const char *name, bool add, struct oa_err *err)
{
    struct vdpaown o;
    int r = vdpaown_load(path, &o, err);
    if (r < 0) {
        return r;
    }
    bool has = vdpaown_has(&o, name);
    if (add && !has) {
        r = push(&o, name);
        if (r < 0) {
            oa_err_set(err, r, "%s: cannot record %s", path, name);
        }
    } else if (!add && has) {
        size_t j = 0;
        for (size_t i = 0; i < o.n; i++) {
            if (strcmp(o.names[i], name)) {
                memmove(o.names[j++], o.names[i], sizeof o.names[0]);
            }
        }
        o.n = j;
    }
    if (!r && add != has) {
        r = save(path, &o, err);
    }
    vdpaown_clear(&o);
    return r;
}

int
vdpaown_add(const char *path, const char *name, struct oa_err *err)
{
    return update(path, name, true, err);
}

int
vdpaown_remove(const char *path, const char *name, struct oa_err *err)
{
    return update(path, name, false, err);
}
