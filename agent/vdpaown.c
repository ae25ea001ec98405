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
    free(o->vqp_refused);
    o->names = NULL;
    o->vqp_refused = NULL;
    o->n = 0;
}

static long
find(const struct vdpaown *o, const char *name)
{
    for (size_t i = 0; i < o->n; i++) {
        if (!strcmp(o->names[i], name)) {
            return (long)i;
        }
    }
    return -1;
}

bool
vdpaown_has(const struct vdpaown *o, const char *name)
{
    return find(o, name) >= 0;
}

unsigned
vdpaown_vqp_refused(const struct vdpaown *o, const char *name)
{
    long i = find(o, name);
    return i < 0 ? 0 : o->vqp_refused[i];
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
    p = realloc(o->vqp_refused, (o->n + 1) * sizeof o->vqp_refused[0]);
    if (!p) {
        return -ENOMEM;
    }
    o->vqp_refused = p;
    o->vqp_refused[o->n] = 0;
    strcpy(o->names[o->n++], name);
    return 0;
}

/* "max_vqp_refused": {name: n} onto the names loaded (others ignored). */
static int
load_refused(json_t *doc, struct vdpaown *o, char *why, size_t size)
{
    json_t *m = json_object_get(doc, "max_vqp_refused");
    const char *name;
    json_t *v;
    if (!m) {
        return 0;
    }
    if (!json_is_object(m)) {
        snprintf(why, size, "max_vqp_refused: not an object");
        return -EINVAL;
    }
    json_object_foreach(m, name, v)
    {
        long i = find(o, name);
        json_int_t n = json_integer_value(v);
        if (!json_is_integer(v) || n < 1 || n > 0xffff) {
            snprintf(why, size, "max_vqp_refused.%.64s: not a max_vqp", name);
            return -EINVAL;
        }
        if (i >= 0) {
            o->vqp_refused[i] = (unsigned)n;
        }
    }
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
    if (!r) {
        r = load_refused(doc, o, why, sizeof why);
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
    json_t *refused = json_object();
    bool ok = doc != NULL && refused != NULL;
    for (size_t i = 0; ok && i < o->n; i++) {
        ok = !json_array_append_new(devs, json_string(o->names[i])) &&
             (!o->vqp_refused[i] ||
              !json_object_set_new(refused, o->names[i],
                                   json_integer(o->vqp_refused[i])));
    }
    if (ok && json_object_size(refused)) {
        ok = !json_object_set(doc, "max_vqp_refused", refused);
    }
    json_decref(refused);
    if (!ok) {
        json_decref(doc);
        doc = NULL;
    }
    int r = statefile_write_json(path, doc);
    return r < 0 ? oa_err_set_errno(err, r, "%s", path) : 0;
}

/* Loads, changes (add or remove 'name', with its refused max_vqp), saves
 * when it changed. */
static int
update(const char *path, const char *name, bool add, unsigned vqp,
       struct oa_err *err)
{
    struct vdpaown o;
    int r = vdpaown_load(path, &o, err);
    if (r < 0) {
        return r;
    }
    bool has = vdpaown_has(&o, name);
    bool changed = add != has;
    if (add && !has) {
        r = push(&o, name);
        if (r < 0) {
            oa_err_set(err, r, "%s: cannot record %s", path, name);
        }
    }
    if (add && !r && o.vqp_refused[find(&o, name)] != vqp) {
        o.vqp_refused[find(&o, name)] = vqp;
        changed = true;
    } else if (!add && has) {
        size_t j = 0;
        for (size_t i = 0; i < o.n; i++) {
            if (strcmp(o.names[i], name)) {
                o.vqp_refused[j] = o.vqp_refused[i];
                memmove(o.names[j++], o.names[i], sizeof o.names[0]);
            }
        }
        o.n = j;
    }
    if (!r && changed) {
        r = save(path, &o, err);
    }
    vdpaown_clear(&o);
    return r;
}

int
vdpaown_add(const char *path, const char *name, struct oa_err *err)
{
    return update(path, name, true, 0, err);
}

int
vdpaown_add_vqp(const char *path, const char *name, unsigned vqp_refused,
                struct oa_err *err)
{
    return update(path, name, true, vqp_refused, err);
}

int
vdpaown_remove(const char *path, const char *name, struct oa_err *err)
{
    return update(path, name, false, 0, err);
}
