/* order: the learned eswitch order per device and its file (order.h). */
#include "order.h"

#include "oa-common/str.h"
#include "statefile.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
order_store_clear(struct order_store *s)
{
    if (s) {
        free(s->v);
        s->v = NULL;
        s->n = 0;
    }
}

int
order_key_of(const struct obs_pf *pf, struct order_key *key)
{
    memset(key, 0, sizeof *key);
    if (!pf->found || !pf->has_devlink || !pf->devlink[0]) {
        return -ENODEV;
    }
    oa_copy_str(key->devlink, sizeof key->devlink, pf->devlink);
    oa_copy_str(key->driver, sizeof key->driver, pf->driver);
    oa_copy_str(key->firmware, sizeof key->firmware, pf->firmware);
    return 0;
}

static bool
key_equal(const struct order_key *a, const struct order_key *b)
{
    return !strcmp(a->devlink, b->devlink) && !strcmp(a->driver, b->driver) &&
           !strcmp(a->firmware, b->firmware);
}

bool
order_lookup(const struct order_store *s, const struct order_key *key,
             enum obs_order *out)
{
    for (size_t i = 0; i < s->n; i++) {
        if (key_equal(&s->v[i].key, key)) {
            *out = s->v[i].order;
            return true;
        }
    }
    return false;
}

int
order_record(struct order_store *s, const struct order_key *key,
             enum obs_order order)
{
    struct order_entry *e = NULL;
    for (size_t i = 0; i < s->n && !e; i++) {
        e = !strcmp(s->v[i].key.devlink, key->devlink) ? &s->v[i] : NULL;
    }
    if (e && key_equal(&e->key, key) && e->order == order) {
        return 0;
    }
    if (!e) {
        struct order_entry *v = realloc(s->v, (s->n + 1) * sizeof *v);
        if (!v) {
            return -ENOMEM;
        }
        s->v = v;
        e = &s->v[s->n++];
    }
    e->key = *key;
    e->order = order;
    return 1;
}

int
order_path(const char *dir, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s", dir, ORDER_FILE);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* ---- Reading ------------------------------------------------------------ */

/* entries[i].'name', a string that fits 'size' bytes, into 'dst'. */
static int
entry_string(json_t *e, size_t i, const char *name, char *dst, size_t size,
             char *why, size_t why_size)
{
    json_t *v = json_object_get(e, name);
    if (!json_is_string(v)) {
        snprintf(why, why_size, "entries[%zu].%s: %s", i, name,
                 v ? "not a string" : "missing");
        return -EINVAL;
    }
    if (json_string_length(v) >= size) {
        snprintf(why, why_size, "entries[%zu].%s: longer than %zu bytes", i,
                 name, size - 1);
        return -EINVAL;
    }
    oa_copy_str(dst, size, json_string_value(v));
    return 0;
}

static int
entry_from_json(json_t *e, size_t i, struct order_entry *out, char *why,
                size_t why_size)
{
    char order[32];
    memset(out, 0, sizeof *out);
    if (!json_is_object(e)) {
        snprintf(why, why_size, "entries[%zu]: not an object", i);
        return -EINVAL;
    }
    int r = entry_string(e, i, "devlink", out->key.devlink,
                         sizeof out->key.devlink, why, why_size);
    if (!r) {
        r = entry_string(e, i, "driver", out->key.driver,
                         sizeof out->key.driver, why, why_size);
    }
    if (!r) {
        r = entry_string(e, i, "firmware", out->key.firmware,
                         sizeof out->key.firmware, why, why_size);
    }
    if (!r) {
        r = entry_string(e, i, "order", order, sizeof order, why, why_size);
    }
    if (!r && (!out->key.devlink[0] || obs_order_parse(order, &out->order))) {
        snprintf(why, why_size,
                 !out->key.devlink[0]
                     ? "entries[%zu].devlink: empty"
                     : "entries[%zu].order: not \"switchdev-first\" or "
                       "\"vfs-first\"",
                 i);
        r = -EINVAL;
    }
    return r;
}

/* The entries of document 'doc' into 's' (empty on entry); 'why' says
 * what is wrong otherwise. */
static int
store_from_json(struct order_store *s, json_t *doc, char *why, size_t size)
{
    json_t *entries;
    int v = statefile_array(doc, "order", ORDER_VERSION, "entries", &entries,
                            why, size);
    if (v < 0) {
        return v;
    }
    for (size_t i = 0; i < json_array_size(entries); i++) {
        struct order_entry e;
        int r = entry_from_json(json_array_get(entries, i), i, &e, why, size);
        if (!r && order_record(s, &e.key, e.order) < 0) {
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
order_load(struct order_store *s, const char *path, struct oa_err *err)
{
    char why[256];
    json_t *doc;

    order_store_clear(s);
    int r = statefile_read_json(path, &doc, err);
    if (r < 0 || !doc) {
        return r; /* no file: nothing learned yet */
    }
    r = store_from_json(s, doc, why, sizeof why);
    json_decref(doc);
    if (r < 0) {
        order_store_clear(s);
        return oa_err_set(err, r, "%s: %s", path, why);
    }
    return 0;
}

/* ---- Writing ------------------------------------------------------------ */

static json_t *
store_to_json(const struct order_store *s)
{
    json_t *entries = json_array();
    json_t *doc =
        json_pack("{s:i, s:o}", "version", ORDER_VERSION, "entries", entries);
    for (size_t i = 0; doc && i < s->n; i++) {
        const struct order_entry *e = &s->v[i];
        json_t *o =
            json_pack("{s:s, s:s, s:s, s:s}", "devlink", e->key.devlink,
                      "driver", e->key.driver, "firmware", e->key.firmware,
                      "order", obs_order_name(e->order));
        if (!o || json_array_append_new(entries, o)) {
            json_decref(doc);
            return NULL;
        }
    }
    return doc;
}

int
order_save(const struct order_store *s, const char *path, struct oa_err *err)
{
    oa_err_clear(err);
    json_t *doc = store_to_json(s);
    int r = statefile_write_json(path, doc);
    return r < 0 ? oa_err_set_errno(err, r, "%s", path) : 0;
}
