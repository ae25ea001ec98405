/* pfpin: the device each PF named by netdev was found at, and its state
 * file (pfpin.h). */
#include "pfpin.h"

#include "oa-common/str.h"
#include "obs.h"
#include "offload/spec.h"
#include "statefile.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pfpin_store_clear(struct pfpin_store *s)
{
    if (s) {
        free(s->v);
        s->v = NULL;
        s->n = 0;
        s->unsaved = false;
    }
}

const struct pfpin *
pfpin_find(const struct pfpin_store *s, const char *netdev)
{
    for (size_t i = 0; s && i < s->n; i++) {
        if (!strcmp(s->v[i].netdev, netdev)) {
            return &s->v[i];
        }
    }
    return NULL;
}

static bool
pin_equal(const struct pfpin *a, const struct pfpin *b)
{
    return !strcmp(a->netdev, b->netdev) && !strcmp(a->bus, b->bus) &&
           !strcmp(a->device, b->device) && !strcmp(a->devlink, b->devlink);
}

int
pfpin_record(struct pfpin_store *s, const struct pfpin *p)
{
    struct pfpin *e = (struct pfpin *)pfpin_find(s, p->netdev);
    if (e && pin_equal(e, p)) {
        return 0;
    }
    if (!e) {
        struct pfpin *v = realloc(s->v, (s->n + 1) * sizeof *v);
        if (!v) {
            return -ENOMEM;
        }
        s->v = v;
        e = &s->v[s->n++];
    }
    *e = *p;
    s->unsaved = true;
    return 1;
}

int
pfpin_update(struct pfpin_store *s, const struct spec *spec,
             const struct obs_host *host)
{
    int changed = 0;
    for (size_t i = 0; i < spec->n_pfs && i < host->n_pfs; i++) {
        const struct spec_pf *sp = &spec->pfs[i];
        const struct obs_pf *pf = &host->pfs[i];
        struct pfpin p;
        if (sp->key != SPEC_PF_BY_NETDEV || !pf->found || !pf->bus[0] ||
            !pf->dev_name[0]) {
            continue;
        }
        memset(&p, 0, sizeof p);
        oa_copy_str(p.netdev, sizeof p.netdev, sp->id);
        oa_copy_str(p.bus, sizeof p.bus, pf->bus);
        oa_copy_str(p.device, sizeof p.device, pf->dev_name);
        if (pf->has_devlink) {
            oa_copy_str(p.devlink, sizeof p.devlink, pf->devlink);
        }
        int r = pfpin_record(s, &p);
        if (r < 0) {
            return r;
        }
        changed += r;
    }
    return changed;
}

int
pfpin_path(const char *dir, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", dir, PFPIN_FILE);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* ---- Reading ------------------------------------------------------------ */

/* pins[i].'name', a string that fits 'size' bytes, into 'dst'; "" allowed
 * only where 'may_be_empty'. */
static int
pin_string(json_t *e, size_t i, const char *name, bool may_be_empty, char *dst,
           size_t size, char *why, size_t why_size)
{
    json_t *v = json_object_get(e, name);
    const char *what = NULL;
    if (!json_is_string(v)) {
        what = v ? "not a string" : "missing";
    } else if (json_string_length(v) >= size) {
        what = "too long";
    } else if (!may_be_empty && !json_string_length(v)) {
        what = "empty";
    }
    if (what) {
        snprintf(why, why_size, "pins[%zu].%s: %s", i, name, what);
        return -EINVAL;
    }
    oa_copy_str(dst, size, json_string_value(v));
    return 0;
}

static int
pin_from_json(json_t *e, size_t i, struct pfpin *p, char *why, size_t size)
{
    memset(p, 0, sizeof *p);
    if (!json_is_object(e)) {
        snprintf(why, size, "pins[%zu]: not an object", i);
        return -EINVAL;
    }
    int r = pin_string(e, i, "netdev", false, p->netdev, sizeof p->netdev, why,
                       size);
    if (!r) {
        r = pin_string(e, i, "bus", false, p->bus, sizeof p->bus, why, size);
    }
    if (!r) {
        r = pin_string(e, i, "device", false, p->device, sizeof p->device, why,
                       size);
    }
    if (!r) {
        r = pin_string(e, i, "devlink", true, p->devlink, sizeof p->devlink,
                       why, size);
    }
    return r;
}

/* The pins of document 'doc' into 's' (empty on entry); 'why' says what
 * is wrong otherwise. */
static int
store_from_json(struct pfpin_store *s, json_t *doc, char *why, size_t size)
{
    json_t *pins;
    int v =
        statefile_array(doc, "pin", PFPIN_VERSION, "pins", &pins, why, size);
    if (v < 0) {
        return v;
    }
    for (size_t i = 0; i < json_array_size(pins); i++) {
        struct pfpin p;
        int r = pin_from_json(json_array_get(pins, i), i, &p, why, size);
        if (!r && pfpin_record(s, &p) < 0) {
            r = -ENOMEM;
            snprintf(why, size, "out of memory");
        }
        if (r < 0) {
            return r;
        }
    }
    return 0;
}

int
pfpin_load(struct pfpin_store *s, const char *path, struct oa_err *err)
{
    char why[256];
    json_t *doc;

    pfpin_store_clear(s);
    int r = statefile_read_json(path, &doc, err);
    if (r < 0 || !doc) {
        return r; /* no file: nothing pinned yet */
    }
    r = store_from_json(s, doc, why, sizeof why);
    json_decref(doc);
    if (r < 0) {
        pfpin_store_clear(s);
        return oa_err_set(err, r, "%s: %s", path, why);
    }
    s->unsaved = false;
    return 0;
}

/* ---- Writing ------------------------------------------------------------ */

static json_t *
store_to_json(const struct pfpin_store *s)
{
    json_t *pins = json_array();
    json_t *doc =
        json_pack("{s:i, s:o}", "version", PFPIN_VERSION, "pins", pins);
    for (size_t i = 0; doc && i < s->n; i++) {
        const struct pfpin *p = &s->v[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s}", "netdev", p->netdev, "bus",
                      p->bus, "device", p->device, "devlink", p->devlink);
        if (!o || json_array_append_new(pins, o)) {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

int
pfpin_save(struct pfpin_store *s, const char *path, struct oa_err *err)
{
    oa_err_clear(err);
    json_t *doc = store_to_json(s);
    int r = statefile_write_json(path, doc);
    if (r < 0) {
        return oa_err_set_errno(err, r, "%s", path);
    }
    s->unsaved = false;
    return 0;
}
