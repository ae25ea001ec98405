/* Host spec v1: validate every rule of docs/spec.md and fill in the
 * defaults.
 *
 * The validator walks the jansson tree and the scanner's position tree
 * together, so every error points at the value (or key) it is about.
 * It never stops at the first problem: every rule is checked, and
 * checks that depend on a broken value (a VF index against a missing
 * num_vfs) are skipped rather than reported twice. */
#include "offload/spec.h"

#include "spec-errors.h"
#include "spec-private.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A value being validated: the jansson value, its position node (NULL
 * if the scanner has none, which only a scanner bug can cause) and the
 * position to report when there is no node. */
struct val {
    json_t *json;
    const struct spec_node *node;
    struct spec_pos pos;     /* of the value */
    struct spec_pos key_pos; /* of its key, or of the value in arrays */
};

struct seen {
    char *what; /* canonical form: a MAC, a PF identity, a bridge name */
    char *path;
    struct spec_pos pos;
    size_t tag; /* for PF identities: the PF's index in spec.pfs */
};

/* A set of strings seen so far, hashed: a 1 MB spec can hold tens of
 * thousands of MACs or PFs. */
struct seen_set {
    struct seen *v;
    size_t n, cap;
    size_t *slots; /* index + 1 into 'v', 0 for empty; open addressing */
    size_t n_slots;
};

struct ctx {
    struct spec_errors *errs;
    struct oa_str path;
    int error;               /* -ENOMEM once an allocation failed */
    struct seen_set bridges; /* names, valid or not, for references */
    struct seen_set pf_ids;
    struct seen_set macs;
    struct seen_set bonds;      /* bond names */
    size_t pf_index;            /* of the PF being walked */
    struct seen_set vdpa_names; /* vfs[].vdpa names, given or derived */
    struct oa_str quote[2];     /* for quoted() */
};

/* Errors. */

static void report(struct ctx *c, enum spec_error_class class,
                   struct spec_pos pos, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
report(struct ctx *c, enum spec_error_class class, struct spec_pos pos,
       const char *fmt, ...)
{
    va_list args;

    if (c->path.oom) {
        c->error = -ENOMEM;
        return;
    }
    va_start(args, fmt);
    if (spec_errors_vaddf(c->errs, class, pos.line ? pos.line : 1,
                          pos.col ? pos.col : 1, oa_str_cstr(&c->path), fmt,
                          args)) {
        c->error = -ENOMEM;
    }
    va_end(args);
}

/* Returns 'text' quoted and escaped for a message, in a buffer that
 * stays valid until the next call with the same 'slot' (0 or 1). */
static const char *
quoted(struct ctx *c, const char *text, int slot)
{
    struct oa_str *b = &c->quote[slot & 1];

    oa_str_truncate(b, 0);
    spec_str_quote(b, text, strlen(text), 64);
    if (b->oom) {
        c->error = -ENOMEM;
        oa_str_free(b);
        return "\"...\"";
    }
    return oa_str_cstr(b);
}

static size_t
path_push_key(struct ctx *c, const char *key)
{
    size_t saved = c->path.len;
    spec_str_path_key(&c->path, key, strlen(key));
    return saved;
}

static size_t
path_push_index(struct ctx *c, size_t i)
{
    size_t saved = c->path.len;
    oa_str_printf(&c->path, "[%zu]", i);
    return saved;
}

static void
path_pop(struct ctx *c, size_t saved)
{
    oa_str_truncate(&c->path, saved);
}

static size_t
hash_string(const char *s)
{
    uint64_t h = 14695981039346656037ULL; /* FNV-1a */
    for (; *s; s++) {
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    }
    return (size_t)h;
}

static void
slots_insert(size_t *slots, size_t n_slots, const struct seen *v, size_t i)
{
    size_t h = hash_string(v[i].what) & (n_slots - 1);
    while (slots[h]) {
        h = (h + 1) & (n_slots - 1);
    }
    slots[h] = i + 1;
}

static int
seen_add(struct ctx *c, struct seen_set *set, const char *what,
         struct spec_pos pos)
{
    if (2 * (set->n + 1) > set->n_slots) {
        size_t n_slots = set->n_slots ? 2 * set->n_slots : 16;
        size_t *slots = calloc(n_slots, sizeof *slots);
        if (!slots) {
            c->error = -ENOMEM;
            return -ENOMEM;
        }
        for (size_t i = 0; i < set->n; i++) {
            slots_insert(slots, n_slots, set->v, i);
        }
        free(set->slots);
        set->slots = slots;
        set->n_slots = n_slots;
    }
    if (set->n == set->cap) {
        size_t cap = set->cap ? set->cap * 2 : 8;
        struct seen *v = realloc(set->v, cap * sizeof *v);
        if (!v) {
            c->error = -ENOMEM;
            return -ENOMEM;
        }
        set->v = v;
        set->cap = cap;
    }
    struct seen *s = &set->v[set->n];
    s->what = strdup(what);
    s->path = strdup(c->path.len ? oa_str_cstr(&c->path) : "$");
    s->pos = pos;
    s->tag = 0;
    if (!s->what || !s->path) {
        free(s->what);
        free(s->path);
        c->error = -ENOMEM;
        return -ENOMEM;
    }
    slots_insert(set->slots, set->n_slots, set->v, set->n);
    set->n++;
    return 0;
}

static const struct seen *
seen_find(const struct seen_set *set, const char *what)
{
    if (!set->n_slots) {
        return NULL;
    }
    for (size_t h = hash_string(what) & (set->n_slots - 1); set->slots[h];
         h = (h + 1) & (set->n_slots - 1)) {
        const struct seen *s = &set->v[set->slots[h] - 1];
        if (!strcmp(s->what, what)) {
            return s;
        }
    }
    return NULL;
}

static void
seen_free(struct seen_set *set)
{
    for (size_t i = 0; i < set->n; i++) {
        free(set->v[i].what);
        free(set->v[i].path);
    }
    free(set->v);
    free(set->slots);
}

/* "Did you mean": the candidate closest to 'word' by edit distance, if
 * it is at most 2 edits away (and the word is not too short for that
 * to be a guess), else NULL. */
static size_t
edit_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    size_t row[65];

    if (la > 64 || lb > 64) {
        return SIZE_MAX;
    }
    for (size_t j = 0; j <= lb; j++) {
        row[j] = j;
    }
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t up = row[j];
            size_t cost = tolower((unsigned char)a[i - 1]) ==
                                  tolower((unsigned char)b[j - 1])
                              ? 0
                              : 1;
            size_t best = diag + cost;
            if (row[j - 1] + 1 < best) {
                best = row[j - 1] + 1;
            }
            if (up + 1 < best) {
                best = up + 1;
            }
            row[j] = best;
            diag = up;
        }
    }
    return row[lb];
}

static const char *
closest(const char *word, const char *const *candidates, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;

    for (size_t i = 0; i < n; i++) {
        if (!candidates[i]) {
            continue;
        }
        size_t d = edit_distance(word, candidates[i]);
        if (d < best_d && d < strlen(candidates[i])) {
            best = candidates[i];
            best_d = d;
        }
    }
    return best;
}

/* Values. */

static struct spec_pos
node_pos(const struct spec_node *n, struct spec_pos fallback)
{
    return n ? (struct spec_pos){n->line, n->col} : fallback;
}

static struct spec_pos
node_key_pos(const struct spec_node *n, struct spec_pos fallback)
{
    return n && n->key ? (struct spec_pos){n->key_line, n->key_col}
                       : node_pos(n, fallback);
}

static const char *
type_name(const json_t *j)
{
    switch (json_typeof(j)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
        return "an integer";
    case JSON_REAL:
        return "a number with a fraction or exponent";
    case JSON_TRUE:
        return "true";
    case JSON_FALSE:
        return "false";
    case JSON_NULL:
        return "null";
    }
    return "?";
}

/* Looks up member 'key' of object 'o'. */
static bool
lookup(const struct val *o, const char *key, struct val *v)
{
    v->json = json_object_get(o->json, key);
    if (!v->json) {
        return false;
    }
    v->node = spec_node_member(o->node, key);
    v->pos = node_pos(v->node, o->pos);
    v->key_pos = node_key_pos(v->node, o->pos);
    return true;
}

static void
element(const struct val *a, size_t i, struct val *v)
{
    v->json = json_array_get(a->json, i);
    v->node = spec_node_element(a->node, i);
    v->pos = node_pos(v->node, a->pos);
    v->key_pos = v->pos;
}

static bool
expect_type(struct ctx *c, const struct val *v, json_type type,
            const char *what)
{
    if (json_typeof(v->json) == type ||
        (type == JSON_TRUE && json_is_boolean(v->json))) {
        return true;
    }
    report(c, SPEC_E_TYPE, v->pos, "expected %s, got %s", what,
           type_name(v->json));
    return false;
}

/* Where a key of the spec belongs, for a key put in the wrong object
 * ("vlan" on a PF). NULL if the spec has no such key. */
static const char *
key_home(const char *key)
{
    static const struct {
        const char *key;
        const char *home;
    } homes[] = {
        {"version", "$"},
        {"ovs", "$"},
        {"bridges", "$"},
        {"pfs", "$"},
        {"db", "$.ovs"},
        {"hw_offload", "$.ovs"},
        {"tc_policy", "$.ovs"},
        {"max_idle_ms", "$.ovs"},
        {"name", "$.bridges[]"},
        {"netdev", "$.pfs[]"},
        {"pci", "$.pfs[]"},
        {"devlink", "$.pfs[]"},
        {"eswitch", "$.pfs[]"},
        {"inline_mode", "$.pfs[]"},
        {"encap_mode", "$.pfs[]"},
        {"steering_mode", "$.pfs[]"},
        {"num_vfs", "$.pfs[]"},
        {"vf_driver", "$.pfs[]"},
        {"hw_tc_offload", "$.pfs[]"},
        {"bridge", "$.pfs[]"},
        {"attach_uplink", "$.pfs[]"},
        {"disruptive", "$.pfs[]"},
        {"vfs", "$.pfs[]"},
        {"index", "$.pfs[].vfs[]"},
        {"mac", "$.pfs[].vfs[]"},
        {"vlan", "$.pfs[].vfs[]"},
        {"trust", "$.pfs[].vfs[]"},
        {"spoofchk", "$.pfs[].vfs[]"},
        {"attach", "$.pfs[].vfs[]"},
        {"bonds", "$"},
        {"mode", "$.bonds[]"},
        {"miimon", "$.bonds[]"},
        {"xmit_hash_policy", "$.bonds[]"},
        {"lacp_rate", "$.bonds[]"},
        {"vdpa", "$.pfs[].vfs[]"},
        {"driver", "$.pfs[].vfs[].vdpa"},
        {"max_vqp", "$.pfs[].vfs[].vdpa"},
        {"mtu", "$.pfs[].vfs[].vdpa"},
        {"mgmtdev", "$.pfs[].vfs[].vdpa"},
    };
    for (size_t i = 0; i < sizeof homes / sizeof homes[0]; i++) {
        if (!strcmp(key, homes[i].key)) {
            return homes[i].home;
        }
    }
    return NULL;
}

static void
check_key(struct ctx *c, const char *key, struct spec_pos key_pos,
          const char *const *allowed, size_t n_allowed)
{
    const char *home;

    for (size_t i = 0; i < n_allowed; i++) {
        if (!strcmp(key, allowed[i])) {
            return;
        }
    }
    size_t saved = path_push_key(c, key);
    const char *guess = closest(key, allowed, n_allowed);
    if (guess) {
        report(c, SPEC_E_UNKNOWN_KEY, key_pos,
               "unknown key %s (did you mean \"%s\"?)", quoted(c, key, 0),
               guess);
    } else if ((home = key_home(key))) {
        report(c, SPEC_E_UNKNOWN_KEY, key_pos,
               "unknown key %s here (it belongs in %s)", quoted(c, key, 0),
               home);
    } else {
        report(c, SPEC_E_UNKNOWN_KEY, key_pos, "unknown key %s",
               quoted(c, key, 0));
    }
    path_pop(c, saved);
}

/* Reports the members of 'o' that are not in 'allowed', in file order.
 * Walks the position nodes, not jansson's object: an object may have
 * many thousands of keys, and looking each one up would be quadratic.
 * (The validator only runs when the scanner found the same tree as
 * jansson, so the nodes are there.) */
static void
check_keys(struct ctx *c, const struct val *o, const char *const *allowed,
           size_t n_allowed)
{
    for (size_t i = 0; o->node && i < o->node->n_children; i++) {
        const struct spec_node *n = &o->node->children[i];
        check_key(c, n->key, node_key_pos(n, o->pos), allowed, n_allowed);
    }
}

/* Each getter pushes 'key' on the path while it reports, and returns
 * true only when the key is present with a valid value. */

static bool
get_bool(struct ctx *c, const struct val *o, const char *key, bool *out)
{
    struct val v;
    bool ok = false;

    if (!lookup(o, key, &v)) {
        return false;
    }
    size_t saved = path_push_key(c, key);
    if (expect_type(c, &v, JSON_TRUE, "true or false")) {
        *out = json_is_true(v.json);
        ok = true;
    }
    path_pop(c, saved);
    return ok;
}

static void
get_tristate(struct ctx *c, const struct val *o, const char *key,
             enum spec_tristate *out)
{
    bool b;
    if (get_bool(c, o, key, &b)) {
        *out = b ? SPEC_TRUE : SPEC_FALSE;
    }
}

static void
report_missing(struct ctx *c, const struct val *o, const char *key)
{
    size_t saved = path_push_key(c, key);
    report(c, SPEC_E_REQUIRED, o->pos, "required key is missing");
    path_pop(c, saved);
}

static bool
get_int(struct ctx *c, const struct val *o, const char *key, bool required,
        long long min, long long max, long long *out, struct val *vout)
{
    struct val v;
    bool ok = false;

    if (!lookup(o, key, &v)) {
        if (required) {
            report_missing(c, o, key);
        }
        return false;
    }
    size_t saved = path_push_key(c, key);
    if (expect_type(c, &v, JSON_INTEGER, "an integer")) {
        long long n = json_integer_value(v.json);
        if (n < min || n > max) {
            if (max == LLONG_MAX) {
                report(c, SPEC_E_RANGE, v.pos,
                       "%lld is out of range: "
                       "must be %lld or more",
                       n, min);
            } else {
                report(c, SPEC_E_RANGE, v.pos,
                       "%lld is out of range %lld..%lld", n, min, max);
            }
        } else {
            *out = n;
            ok = true;
        }
    }
    path_pop(c, saved);
    if (vout) {
        *vout = v;
    }
    return ok;
}

/* Returns the string value of 'key', or NULL when absent, null (with
 * 'nullable'), or wrong (reported). Leaves 'key' on the path when it
 * returns a string, so the caller can report about the value: the
 * caller then pops to '*saved'. */
static const char *
get_string(struct ctx *c, const struct val *o, const char *key, bool required,
           bool nullable, struct val *v, size_t *saved)
{
    if (!lookup(o, key, v)) {
        if (required) {
            report_missing(c, o, key);
        }
        return NULL;
    }
    *saved = path_push_key(c, key);
    if (nullable && json_is_null(v->json)) {
        path_pop(c, *saved);
        return NULL;
    }
    if (!expect_type(c, v, JSON_STRING,
                     nullable ? "a string or null" : "a string")) {
        path_pop(c, *saved);
        return NULL;
    }
    return json_string_value(v->json);
}

/* An enum: 'names' is indexed by the enum value; NULL entries (the
 * UNSET values) are not spellable. Leaves '*out' alone when absent or
 * wrong. */
static void
get_enum(struct ctx *c, const struct val *o, const char *key,
         const char *const *names, size_t n_names, int *out)
{
    struct val v;
    size_t saved;
    const char *s = get_string(c, o, key, false, false, &v, &saved);

    if (!s) {
        return;
    }
    for (size_t i = 0; i < n_names; i++) {
        if (names[i] && !strcmp(s, names[i])) {
            *out = (int)i;
            path_pop(c, saved);
            return;
        }
    }

    struct oa_str choices = {0};
    for (size_t i = 0; i < n_names; i++) {
        if (names[i]) {
            oa_str_printf(&choices, "%s\"%s\"", choices.len ? ", " : "",
                          names[i]);
        }
    }
    const char *guess = closest(s, names, n_names);
    report(c, SPEC_E_ENUM, v.pos, "unknown value %s: expected one of %s%s%s%s",
           quoted(c, s, 0), oa_str_cstr(&choices),
           guess ? " (did you mean \"" : "", guess ? guess : "",
           guess ? "\"?)" : "");
    if (choices.oom) {
        c->error = -ENOMEM;
    }
    oa_str_free(&choices);
    path_pop(c, saved);
}

static char *
xstrdup(struct ctx *c, const char *s)
{
    char *d = strdup(s);
    if (!d) {
        c->error = -ENOMEM;
    }
    return d;
}

/* The walk. */

static bool
as_object(struct ctx *c, const struct val *v)
{
    return expect_type(c, v, JSON_OBJECT, "an object");
}

static bool
as_array(struct ctx *c, const struct val *v)
{
    return expect_type(c, v, JSON_ARRAY, "an array");
}

static const char *const tc_policy_names[] = {
    [SPEC_TC_POLICY_NONE] = "none",
    [SPEC_TC_POLICY_SKIP_SW] = "skip_sw",
    [SPEC_TC_POLICY_SKIP_HW] = "skip_hw",
};
static const char *const eswitch_names[] = {
    [SPEC_ESWITCH_SWITCHDEV] = "switchdev",
    [SPEC_ESWITCH_LEGACY] = "legacy",
};
static const char *const inline_names[] = {
    [SPEC_INLINE_UNSET] = NULL,
    [SPEC_INLINE_NONE] = "none",
    [SPEC_INLINE_LINK] = "link",
    [SPEC_INLINE_NETWORK] = "network",
    [SPEC_INLINE_TRANSPORT] = "transport",
};
static const char *const encap_names[] = {
    [SPEC_ENCAP_UNSET] = NULL,
    [SPEC_ENCAP_NONE] = "none",
    [SPEC_ENCAP_BASIC] = "basic",
};
static const char *const steering_names[] = {
    [SPEC_STEERING_UNSET] = NULL,
    [SPEC_STEERING_DMFS] = "dmfs",
    [SPEC_STEERING_SMFS] = "smfs",
};
static const char *const disruptive_names[] = {
    [SPEC_DISRUPTIVE_FORBID] = "forbid",
    [SPEC_DISRUPTIVE_ALLOW] = "allow",
};
static const char *const vdpa_driver_names[] = {
    [SPEC_VDPA_VHOST] = "vhost_vdpa",
    [SPEC_VDPA_VIRTIO] = "virtio_vdpa",
};

static const char *const pf_key_names[] = {
    [SPEC_PF_BY_NETDEV] = "netdev",
    [SPEC_PF_BY_PCI] = "pci",
    [SPEC_PF_BY_DEVLINK] = "devlink",
};
#define N_ELEMS(a) (sizeof(a) / sizeof(a)[0])

static void
walk_ovs(struct ctx *c, const struct val *o, struct spec_ovs *ovs)
{
    static const char *const keys[] = {"db", "hw_offload", "tc_policy",
                                       "max_idle_ms"};
    struct val v;
    size_t saved;
    const char *s;
    long long n;
    int e;

    check_keys(c, o, keys, N_ELEMS(keys));
    s = get_string(c, o, "db", false, false, &v, &saved);
    if (s) {
        const char *why = spec_db_problem(s);
        if (why) {
            report(c, SPEC_E_FORMAT, v.pos, "%s: %s", why, quoted(c, s, 0));
        } else {
            free(ovs->db);
            ovs->db = xstrdup(c, s);
        }
        path_pop(c, saved);
    }
    get_bool(c, o, "hw_offload", &ovs->hw_offload);
    e = (int)ovs->tc_policy;
    get_enum(c, o, "tc_policy", tc_policy_names, N_ELEMS(tc_policy_names), &e);
    ovs->tc_policy = (enum spec_tc_policy)e;
    if (get_int(c, o, "max_idle_ms", false, SPEC_MIN_IDLE_MS, SPEC_MAX_IDLE_MS,
                &n, NULL)) {
        ovs->max_idle_ms = (unsigned)n;
    }
}

static void
walk_bridges(struct ctx *c, const struct val *a, struct spec *spec)
{
    static const char *const keys[] = {"name"};
    size_t n = json_array_size(a->json);

    spec->bridges = calloc(n ? n : 1, sizeof *spec->bridges);
    if (!spec->bridges) {
        c->error = -ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t saved_i = path_push_index(c, i);
        struct val o, v;
        size_t saved;

        element(a, i, &o);
        if (as_object(c, &o)) {
            check_keys(c, &o, keys, N_ELEMS(keys));
            const char *name =
                get_string(c, &o, "name", true, false, &v, &saved);
            if (name) {
                const char *why = spec_netdev_name_problem(name);
                const struct seen *dup = seen_find(&c->bridges, name);
                if (why) {
                    report(c, SPEC_E_FORMAT, v.pos,
                           "not a valid bridge name %s: %s",
                           quoted(c, name, 0), why);
                } else if (dup) {
                    report(c, SPEC_E_DUPLICATE, v.pos,
                           "duplicate bridge name %s: already defined at %s "
                           "(line %u)",
                           quoted(c, name, 0), dup->path, dup->pos.line);
                } else {
                    struct spec_bridge *br = &spec->bridges[spec->n_bridges++];
                    br->name = xstrdup(c, name);
                    br->pos = o.pos;
                }
                if (!dup) {
                    seen_add(c, &c->bridges, name, v.pos);
                }
                path_pop(c, saved);
            }
        }
        path_pop(c, saved_i);
    }
}

/* A VF's trust or spoofchk on a switchdev PF: mlx5 refuses these legacy
 * VF ndos outside legacy mode ("net/mlx5e: Allow legacy vf ndos only if
 * in legacy mode", Linux 5.13), so the apply would fail on the host. */
static void
refuse_legacy_ndo(struct ctx *c, const struct val *v, const char *key)
{
    size_t saved = path_push_key(c, key);
    report(c, SPEC_E_CONFLICT, v->pos,
           "\"%s\" needs \"eswitch\": \"legacy\" on this PF: mlx5 refuses a "
           "VF's trust and spoofchk in switchdev mode (Linux 5.13 and "
           "later)",
           key);
    path_pop(c, saved);
}

/* A VF's vlan (other than 0) on a switchdev PF is the tag of its
 * representor's OVS port (mlx5 refuses the VF ndo VLAN there): the
 * representor must be a port, so the PF needs a bridge ('bridged': it
 * has the key, valid or not) and the VF "attach". */
static void
check_switchdev_vlan(struct ctx *c, const struct val *v, bool bridged,
                     const struct spec_vf *vf)
{
    size_t saved = path_push_key(c, "vlan");
    if (!bridged) {
        report(c, SPEC_E_REQUIRED, v->pos,
               "\"vlan\" on a switchdev PF is the OVS tag of the VF's "
               "representor port: it needs \"bridge\" on this PF (the "
               "representor must be a port of a bridge)");
    } else if (!vf->attach) {
        report(c, SPEC_E_CONFLICT, v->pos,
               "\"vlan\" on a switchdev PF is the OVS tag of the VF's "
               "representor port: it needs \"attach\": true (the default) "
               "for this VF");
    }
    path_pop(c, saved);
}

/* A vDPA device or management device name: 'max' - 1 characters at most
 * of [A-Za-z0-9_.:-], and for a management device one '/' between a bus
 * and a device ("pci/0000:43:00.2"). NULL when fine, else the problem. */
static const char *
vdpa_name_problem(const char *s, size_t max, bool slash_ok)
{
    size_t len = strlen(s), slashes = 0;
    if (!len) {
        return "must not be empty";
    }
    if (len >= max) {
        return "is too long";
    }
    for (const char *p = s; *p; p++) {
        if (*p == '/' && slash_ok) {
            slashes++;
        } else if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                     (*p >= '0' && *p <= '9') || strchr("_.:-", *p))) {
            return slash_ok ? "may hold only letters, digits, '_', '.', ':', "
                              "'-' and one '/' after the bus"
                            : "may hold only letters, digits, '_', '.', ':' "
                              "and '-'";
        }
    }
    if (slashes > 1 || s[0] == '/' || s[len - 1] == '/') {
        return "must be \"bus/device\" or \"device\"";
    }
    return NULL;
}

/* A string key of "vdpa" into 'dst' (size 'max'), checked. */
static void
get_vdpa_str(struct ctx *c, const struct val *o, const char *key, char *dst,
             size_t max, bool slash_ok)
{
    struct val v;
    size_t saved;
    const char *s = get_string(c, o, key, false, false, &v, &saved);
    if (!s) {
        return;
    }
    const char *problem = vdpa_name_problem(s, max, slash_ok);
    if (problem) {
        report(c, SPEC_E_FORMAT, v.pos, "%s %s", quoted(c, s, 0), problem);
    } else {
        strcpy(dst, s);
    }
    path_pop(c, saved);
}

/* vfs[].vdpa. Its name, given or derived, must be unique on the host. */
static void
walk_vdpa(struct ctx *c, const struct val *vo, const struct spec_pf *pf,
          struct spec_vf *vf)
{
    static const char *const keys[] = {"driver", "name", "max_vqp", "mtu",
                                       "mgmtdev"};
    struct spec_vdpa *d = &vf->vdpa;
    struct val v;
    long long n;
    int drv = SPEC_VDPA_NONE;

    size_t saved = path_push_key(c, "vdpa");
    d->pos = vo->pos;
    if (!as_object(c, vo)) {
        path_pop(c, saved);
        return;
    }
    check_keys(c, vo, keys, N_ELEMS(keys));
    if (!lookup(vo, "driver", &v)) {
        report_missing(c, vo, "driver");
    }
    get_enum(c, vo, "driver", vdpa_driver_names, N_ELEMS(vdpa_driver_names),
             &drv);
    get_vdpa_str(c, vo, "name", d->name, sizeof d->name, false);
    get_vdpa_str(c, vo, "mgmtdev", d->mgmtdev, sizeof d->mgmtdev, true);
    if (get_int(c, vo, "max_vqp", false, 1, SPEC_VDPA_MAX_VQP, &n, NULL)) {
        d->max_vqp = (unsigned)n;
    }
    if (get_int(c, vo, "mtu", false, 68, 65535, &n, NULL)) {
        d->mtu = (unsigned)n;
    }
    d->driver = (enum spec_vdpa_driver)drv;

    char name[SPEC_VDPA_NAME_MAX];
    if (spec_vdpa_name(pf, vf, name)) {
        report(c, SPEC_E_FORMAT, vo->pos,
               "the default vDPA device name of this VF is too long: give "
               "\"name\"");
    } else {
        const struct seen *dup = seen_find(&c->vdpa_names, name);
        if (dup) {
            report(c, SPEC_E_DUPLICATE, vo->pos,
                   "duplicate vDPA device name \"%s\": already used at %s "
                   "(line %u)",
                   name, dup->path, dup->pos.line);
        } else {
            seen_add(c, &c->vdpa_names, name, vo->pos);
        }
    }
    path_pop(c, saved);
}

/* 'switchdev': the PF's eswitch is (validly) switchdev, so the legacy
 * VF settings are refused and a vlan needs the representor's port
 * ('bridged': the PF has "bridge"). */
static void
walk_vf(struct ctx *c, const struct val *o, const struct spec_pf *pf,
        bool num_vfs_ok, bool switchdev, bool bridged,
        struct seen_set *indices, struct spec_vf *vf)
{
    static const char *const keys[] = {"index",    "vlan",   "mac", "trust",
                                       "spoofchk", "attach", "vdpa"};
    struct val v;
    long long n;
    size_t saved;

    *vf = (struct spec_vf){.attach = true, .pos = o->pos};
    check_keys(c, o, keys, N_ELEMS(keys));
    if (get_int(c, o, "index", true, 0, LLONG_MAX, &n, &v)) {
        char key[32];
        snprintf(key, sizeof key, "%lld", n);
        const struct seen *dup = seen_find(indices, key);
        bool ok = false;

        saved = path_push_key(c, "index");
        if (dup) {
            report(c, SPEC_E_DUPLICATE, v.pos,
                   "duplicate VF index %lld: already configured at %s "
                   "(line %u)",
                   n, dup->path, dup->pos.line);
        } else if (num_vfs_ok && n >= pf->num_vfs) {
            report(c, SPEC_E_REFERENCE, v.pos,
                   "VF index %lld does not exist: the PF has num_vfs %u%s", n,
                   pf->num_vfs, pf->num_vfs ? " (indices start at 0)" : "");
        } else if (!num_vfs_ok && n >= SPEC_MAX_NUM_VFS) {
            report(c, SPEC_E_RANGE, v.pos, "%lld is out of range 0..%d", n,
                   SPEC_MAX_NUM_VFS - 1);
        } else {
            vf->index = (unsigned)n;
            ok = true;
        }
        path_pop(c, saved);
        if (ok) {
            /* Remembered with the VF's own path, not its index's. */
            seen_add(c, indices, key, v.pos);
        }
    }

    const char *s = get_string(c, o, "mac", false, false, &v, &saved);
    if (s) {
        uint8_t mac[6];
        if (!spec_parse_mac(s, mac)) {
            report(c, SPEC_E_FORMAT, v.pos,
                   "not a MAC address %s: expected xx:xx:xx:xx:xx:xx in hex",
                   quoted(c, s, 0));
        } else if (mac[0] & 1) {
            report(c, SPEC_E_FORMAT, v.pos, "not a unicast MAC address %s",
                   quoted(c, s, 0));
        } else if (!(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5])) {
            report(c, SPEC_E_FORMAT, v.pos,
                   "the all-zero MAC address is not allowed");
        } else {
            char canon[18];
            spec_mac_to_string(mac, canon);
            const struct seen *dup = seen_find(&c->macs, canon);
            if (dup) {
                report(c, SPEC_E_DUPLICATE, v.pos,
                       "duplicate MAC address %s: already used at %s "
                       "(line %u)",
                       canon, dup->path, dup->pos.line);
            } else {
                seen_add(c, &c->macs, canon, v.pos);
                vf->has_mac = true;
                memcpy(vf->mac, mac, 6);
            }
        }
        path_pop(c, saved);
    }

    get_bool(c, o, "attach", &vf->attach);
    if (get_int(c, o, "vlan", false, 0, SPEC_MAX_VLAN, &n, &v)) {
        vf->vlan = (unsigned)n;
        if (n && switchdev) {
            check_switchdev_vlan(c, &v, bridged, vf);
        }
    }
    get_tristate(c, o, "trust", &vf->trust);
    if (vf->trust != SPEC_UNSET && switchdev && lookup(o, "trust", &v)) {
        refuse_legacy_ndo(c, &v, "trust");
    }
    get_tristate(c, o, "spoofchk", &vf->spoofchk);
    if (vf->spoofchk != SPEC_UNSET && switchdev && lookup(o, "spoofchk", &v)) {
        refuse_legacy_ndo(c, &v, "spoofchk");
    }
    if (lookup(o, "vdpa", &v)) {
        walk_vdpa(c, &v, pf, vf);
    }
}

/* The identity of PF selector 'key' = 's' (at 'v'), the same for every
 * spelling of one device: "netdev NAME", "pci/ADDR" (also for devlink
 * "pci/ADDR") or the devlink handle; 'pci' gets the normalised PCI
 * address. Returns false after reporting a malformed value. */
static bool
pf_identity(struct ctx *c, const struct val *v, enum spec_pf_key key,
            const char *s, char identity[160], char pci[13])
{
    const char *why = NULL;

    switch (key) {
    case SPEC_PF_BY_NETDEV:
        why = spec_netdev_name_problem(s);
        if (why) {
            report(c, SPEC_E_FORMAT, v->pos, "not a valid netdev name %s: %s",
                   quoted(c, s, 0), why);
        }
        snprintf(identity, 160, "netdev %s", s);
        break;
    case SPEC_PF_BY_PCI:
        why = spec_pci_problem(s, pci);
        if (why) {
            report(c, SPEC_E_FORMAT, v->pos, "%s: %s", why, quoted(c, s, 0));
        }
        snprintf(identity, 160, "pci/%s", pci);
        break;
    case SPEC_PF_BY_DEVLINK:
        why = spec_devlink_problem(s);
        if (why) {
            report(c, SPEC_E_FORMAT, v->pos, "%s: %s", why, quoted(c, s, 0));
        } else if (!strncmp(s, "pci/", 4)) {
            /* Same device as "pci": "<address>", whatever the case. */
            spec_pci_problem(s + 4, pci);
            snprintf(identity, 160, "pci/%s", pci);
        } else {
            snprintf(identity, 160, "%s", s);
        }
        break;
    }
    return !why;
}

/* Which of netdev/pci/devlink selects the PF: the first in the file;
 * any other is a conflict. With 'ref' NULL the object declares the PF
 * (a duplicate is an error); else it refers to a PF of $.pfs (a bond's
 * member), whose index goes to '*ref' (SIZE_MAX when there is none). */
static void
walk_pf_selector(struct ctx *c, const struct val *o, struct spec_pf *pf,
                 size_t *ref)
{
    const char *first = NULL;

    for (size_t i = 0; o->node && i < o->node->n_children; i++) {
        const struct spec_node *n = &o->node->children[i];
        const char *key = n->key;
        size_t k;
        for (k = 0; k < N_ELEMS(pf_key_names); k++) {
            if (!strcmp(key, pf_key_names[k])) {
                break;
            }
        }
        if (k == N_ELEMS(pf_key_names)) {
            continue;
        }
        if (first) {
            size_t saved = path_push_key(c, key);
            report(c, SPEC_E_CONFLICT, node_key_pos(n, o->pos),
                   "\"%s\" conflicts with \"%s\": select the PF by exactly "
                   "one of netdev, pci or devlink",
                   key, first);
            path_pop(c, saved);
            continue;
        }
        first = pf_key_names[k];
        pf->key = (enum spec_pf_key)k;
    }
    if (!first) {
        report(c, SPEC_E_REQUIRED, o->pos,
               "a PF needs one of \"netdev\", \"pci\" or \"devlink\"");
        return;
    }

    struct val v;
    size_t saved;
    const char *s = get_string(c, o, first, true, false, &v, &saved);
    if (!s) {
        return;
    }
    char identity[160];
    char pci[13] = "";
    if (ref && pf_identity(c, &v, pf->key, s, identity, pci)) {
        const struct seen *pf_seen = seen_find(&c->pf_ids, identity);
        if (pf_seen) {
            *ref = pf_seen->tag;
        } else {
            report(c, SPEC_E_REFERENCE, v.pos,
                   "no PF %s in $.pfs: a bond's members are PFs declared "
                   "there, named by the same key",
                   quoted(c, s, 0));
        }
    } else if (!ref && pf_identity(c, &v, pf->key, s, identity, pci)) {
        const struct seen *dup = seen_find(&c->pf_ids, identity);
        if (dup) {
            report(c, SPEC_E_DUPLICATE, v.pos,
                   "PF %s is already configured at %s (line %u)",
                   quoted(c, s, 0), dup->path, dup->pos.line);
        } else if (!seen_add(c, &c->pf_ids, identity, v.pos)) {
            c->pf_ids.v[c->pf_ids.n - 1].tag = c->pf_index;
        }
        pf->id = xstrdup(c, pf->key == SPEC_PF_BY_PCI ? pci : s);
        if (pf->id && pf->key == SPEC_PF_BY_DEVLINK &&
            !strncmp(s, "pci/", 4)) {
            strcpy(pf->id + 4, pci);
        }
    }
    path_pop(c, saved);
}

/* '*pos' gets where member 'key' of 'o' is, when it is there. */
static void
value_pos(const struct val *o, const char *key, struct spec_pos *pos)
{
    struct val v;
    if (lookup(o, key, &v)) {
        *pos = v.pos;
    }
}

/* Where the PF's values are that later messages name (agentctl
 * validate --host); after walk_pf_selector(), which sets pf->key. */
static void
record_field_pos(const struct val *o, struct spec_pf *pf)
{
    struct spec_pf_field_pos *fp = &pf->field_pos;

    value_pos(o, pf_key_names[pf->key], &fp->id);
    value_pos(o, "num_vfs", &fp->num_vfs);
    value_pos(o, "eswitch", &fp->eswitch);
    value_pos(o, "inline_mode", &fp->inline_mode);
    value_pos(o, "encap_mode", &fp->encap_mode);
    value_pos(o, "steering_mode", &fp->steering_mode);
    value_pos(o, "bridge", &fp->bridge);
    value_pos(o, "attach_uplink", &fp->attach_uplink);
}

/* Whether 's' (the value at 'v') names an entry of $.bridges; reports
 * it when not. */
static bool
bridge_ref_ok(struct ctx *c, const struct val *v, const char *s)
{
    if (seen_find(&c->bridges, s)) {
        return true;
    }
    /* A guess among a few bridges; not worth it among many. */
    size_t n_names = c->bridges.n <= 64 ? c->bridges.n : 0;
    const char **names = calloc(n_names + 1, sizeof *names);
    if (!names) {
        c->error = -ENOMEM;
    }
    for (size_t i = 0; names && i < n_names; i++) {
        names[i] = c->bridges.v[i].what;
    }
    const char *guess = names ? closest(s, names, n_names) : NULL;
    report(c, SPEC_E_REFERENCE, v->pos,
           "no bridge named %s in $.bridges%s%s%s", quoted(c, s, 0),
           guess ? " (did you mean " : "", guess ? quoted(c, guess, 1) : "",
           guess ? "?)" : "");
    free(names);
    return false;
}

static void
walk_pf(struct ctx *c, const struct val *o, struct spec_pf *pf)
{
    static const char *const keys[] = {
        "netdev",        "pci",         "devlink",
        "eswitch",       "inline_mode", "encap_mode",
        "steering_mode", "num_vfs",     "vf_driver",
        "hw_tc_offload", "bridge",      "attach_uplink",
        "disruptive",    "vfs"};
    struct val v;
    size_t saved;
    long long n;
    int e;

    *pf = (struct spec_pf){
        .eswitch = SPEC_ESWITCH_SWITCHDEV,
        .hw_tc_offload = true,
        .attach_uplink = true,
        .pos = o->pos,
    };
    check_keys(c, o, keys, N_ELEMS(keys));
    walk_pf_selector(c, o, pf, NULL);
    record_field_pos(o, pf);

    /* -1 stays when "eswitch" is absent (the default) or wrong. */
    e = -1;
    get_enum(c, o, "eswitch", eswitch_names, N_ELEMS(eswitch_names), &e);
    bool eswitch_ok = e >= 0 || !lookup(o, "eswitch", &v);
    if (e >= 0) {
        pf->eswitch = (enum spec_eswitch_mode)e;
    }
    e = (int)pf->inline_mode;
    get_enum(c, o, "inline_mode", inline_names, N_ELEMS(inline_names), &e);
    pf->inline_mode = (enum spec_inline_mode)e;
    e = (int)pf->encap_mode;
    get_enum(c, o, "encap_mode", encap_names, N_ELEMS(encap_names), &e);
    pf->encap_mode = (enum spec_encap_mode)e;
    e = (int)pf->steering_mode;
    get_enum(c, o, "steering_mode", steering_names, N_ELEMS(steering_names),
             &e);
    pf->steering_mode = (enum spec_steering_mode)e;
    e = (int)pf->disruptive;
    get_enum(c, o, "disruptive", disruptive_names, N_ELEMS(disruptive_names),
             &e);
    pf->disruptive = (enum spec_disruptive)e;

    bool num_vfs_ok =
        get_int(c, o, "num_vfs", true, 0, SPEC_MAX_NUM_VFS, &n, NULL);
    if (num_vfs_ok) {
        pf->num_vfs = (unsigned)n;
    }

    const char *s = get_string(c, o, "vf_driver", false, true, &v, &saved);
    if (s) {
        const char *why = spec_driver_problem(s);
        if (why) {
            report(c, SPEC_E_FORMAT, v.pos, "%s: %s", why, quoted(c, s, 0));
        } else {
            pf->vf_driver = xstrdup(c, s);
        }
        path_pop(c, saved);
    }

    get_bool(c, o, "hw_tc_offload", &pf->hw_tc_offload);
    get_bool(c, o, "attach_uplink", &pf->attach_uplink);

    bool bridged = lookup(o, "bridge", &v);
    s = get_string(c, o, "bridge", false, false, &v, &saved);
    if (s) {
        if (bridge_ref_ok(c, &v, s)) {
            pf->bridge = xstrdup(c, s);
        }
        path_pop(c, saved);
    }

    if (lookup(o, "vfs", &v)) {
        saved = path_push_key(c, "vfs");
        if (as_array(c, &v)) {
            size_t count = json_array_size(v.json);
            struct seen_set indices = {0};

            pf->vfs = calloc(count ? count : 1, sizeof *pf->vfs);
            if (!pf->vfs) {
                c->error = -ENOMEM;
            }
            for (size_t i = 0; pf->vfs && i < count; i++) {
                size_t saved_i = path_push_index(c, i);
                struct val vo;
                element(&v, i, &vo);
                if (as_object(c, &vo)) {
                    walk_vf(c, &vo, pf, num_vfs_ok,
                            eswitch_ok &&
                                pf->eswitch == SPEC_ESWITCH_SWITCHDEV,
                            bridged, &indices, &pf->vfs[pf->n_vfs++]);
                }
                path_pop(c, saved_i);
            }
            seen_free(&indices);
        }
        path_pop(c, saved);
    }
}

/* Bonds (VF-LAG). */

static const char *const bond_mode_names[] = {
    [SPEC_BOND_ACTIVE_BACKUP] = "active-backup",
    [SPEC_BOND_BALANCE_XOR] = "balance-xor",
    [SPEC_BOND_8023AD] = "802.3ad",
};
static const char *const xmit_hash_names[] = {
    [SPEC_XMIT_HASH_UNSET] = NULL,
    [SPEC_XMIT_HASH_LAYER2] = "layer2",
    [SPEC_XMIT_HASH_LAYER2_3] = "layer2+3",
    [SPEC_XMIT_HASH_LAYER3_4] = "layer3+4",
    [SPEC_XMIT_HASH_ENCAP2_3] = "encap2+3",
    [SPEC_XMIT_HASH_ENCAP3_4] = "encap3+4",
    [SPEC_XMIT_HASH_VLAN_SRCMAC] = "vlan+srcmac",
};
static const char *const lacp_rate_names[] = {
    [SPEC_LACP_RATE_UNSET] = NULL,
    [SPEC_LACP_RATE_SLOW] = "slow",
    [SPEC_LACP_RATE_FAST] = "fast",
};

static void
walk_bond_name(struct ctx *c, const struct val *o, struct spec_bond *b)
{
    struct val v;
    size_t saved;
    const char *name = get_string(c, o, "name", true, false, &v, &saved);

    if (!name) {
        return;
    }
    const char *why = spec_netdev_name_problem(name);
    const struct seen *dup = seen_find(&c->bonds, name);
    const struct seen *br = seen_find(&c->bridges, name);
    if (why) {
        report(c, SPEC_E_FORMAT, v.pos, "not a valid bond name %s: %s",
               quoted(c, name, 0), why);
    } else if (dup) {
        report(c, SPEC_E_DUPLICATE, v.pos,
               "duplicate bond name %s: already defined at %s (line %u)",
               quoted(c, name, 0), dup->path, dup->pos.line);
    } else if (br) {
        /* Both are netdevs: one name cannot be both. */
        report(c, SPEC_E_CONFLICT, v.pos,
               "bond name %s is the name of the bridge at %s (line %u)",
               quoted(c, name, 0), br->path, br->pos.line);
    } else {
        b->name = xstrdup(c, name);
    }
    if (!dup) {
        seen_add(c, &c->bonds, name, v.pos);
    }
    path_pop(c, saved);
}

/* The options that only some modes have: a value the mode ignores is a
 * mistake the operator should hear about. */
static void
walk_bond_options(struct ctx *c, const struct val *o, struct spec_bond *b,
                  bool mode_ok)
{
    struct val v;
    long long n;
    int e;

    if (get_int(c, o, "miimon", false, 1, SPEC_MAX_MIIMON_MS, &n, NULL)) {
        b->miimon_ms = (unsigned)n;
    }
    e = (int)b->xmit_hash;
    get_enum(c, o, "xmit_hash_policy", xmit_hash_names,
             N_ELEMS(xmit_hash_names), &e);
    b->xmit_hash = (enum spec_xmit_hash)e;
    if (b->xmit_hash && mode_ok && b->mode == SPEC_BOND_ACTIVE_BACKUP &&
        lookup(o, "xmit_hash_policy", &v)) {
        size_t saved = path_push_key(c, "xmit_hash_policy");
        report(c, SPEC_E_CONFLICT, v.pos,
               "xmit_hash_policy needs mode \"balance-xor\" or \"802.3ad\": "
               "an active-backup bond sends on its active member only");
        path_pop(c, saved);
    }
    e = (int)b->lacp_rate;
    get_enum(c, o, "lacp_rate", lacp_rate_names, N_ELEMS(lacp_rate_names), &e);
    b->lacp_rate = (enum spec_lacp_rate)e;
    if (b->lacp_rate && mode_ok && b->mode != SPEC_BOND_8023AD &&
        lookup(o, "lacp_rate", &v)) {
        size_t saved = path_push_key(c, "lacp_rate");
        report(c, SPEC_E_CONFLICT, v.pos,
               "lacp_rate needs mode \"802.3ad\": only LACP has a rate");
        path_pop(c, saved);
    }
}

/* What a bond asks of a member PF: switchdev, its uplink not a port of
 * its own (the bond is), its representors in the bond's bridge. */
static void
check_bond_member(struct ctx *c, const struct val *v, struct spec_pf *pf,
                  const struct spec_bond *b)
{
    if (pf->eswitch != SPEC_ESWITCH_SWITCHDEV) {
        report(c, SPEC_E_CONFLICT, v->pos,
               "PF \"%s\" is in legacy mode: a bond of uplinks under one "
               "eswitch (VF-LAG) needs both PFs in switchdev",
               pf->id);
    } else if (pf->bridge && pf->field_pos.attach_uplink.line &&
               pf->attach_uplink) {
        report(c, SPEC_E_CONFLICT, v->pos,
               "PF \"%s\" attaches its uplink to bridge \"%s\" on its own "
               "(\"attach_uplink\": true at line %u): the bond is the "
               "bridge's uplink port; drop the key or set it false",
               pf->id, pf->bridge, pf->field_pos.attach_uplink.line);
    } else if (pf->bridge && b->bridge && strcmp(pf->bridge, b->bridge)) {
        report(c, SPEC_E_CONFLICT, v->pos,
               "PF \"%s\" has its representors in bridge \"%s\" but the "
               "bond is in \"%s\": VF-LAG offload needs them in one bridge",
               pf->id, pf->bridge, b->bridge);
    }
    /* The uplink leaves OVS to the bond. */
    pf->attach_uplink = false;
}

static void
walk_bond_member(struct ctx *c, const struct val *v, struct spec *spec,
                 struct spec_bond *b, size_t slot, struct seen_set *members)
{
    static const char *const keys[] = {"netdev", "pci", "devlink"};
    struct spec_pf ref = {0};
    size_t index = SIZE_MAX;
    char what[32];

    if (!as_object(c, v)) {
        return;
    }
    check_keys(c, v, keys, N_ELEMS(keys));
    walk_pf_selector(c, v, &ref, &index);
    free(ref.id);
    if (index >= spec->n_pfs || !spec->pfs[index].id) {
        return;
    }
    struct spec_pf *pf = &spec->pfs[index];
    snprintf(what, sizeof what, "%zu", index);
    const struct seen *dup = seen_find(members, what);
    if (dup) {
        report(c, SPEC_E_DUPLICATE, v->pos,
               "PF \"%s\" is already a member at %s (line %u): a PF is in "
               "one bond, once",
               pf->id, dup->path, dup->pos.line);
        return;
    }
    seen_add(c, members, what, v->pos);
    check_bond_member(c, v, pf, b);
    if (slot < SPEC_BOND_N_PFS) {
        b->pfs[slot] = index;
    }
}

static void
walk_bond_pfs(struct ctx *c, const struct val *o, struct spec *spec,
              struct spec_bond *b, struct seen_set *members)
{
    struct val v;

    if (!lookup(o, "pfs", &v)) {
        report_missing(c, o, "pfs");
        return;
    }
    size_t saved = path_push_key(c, "pfs");
    if (as_array(c, &v)) {
        size_t n = json_array_size(v.json);
        if (n != SPEC_BOND_N_PFS) {
            report(c, SPEC_E_RANGE, v.pos,
                   "a bond has exactly %d PFs (the two uplinks of one "
                   "NIC), not %zu",
                   SPEC_BOND_N_PFS, n);
        }
        for (size_t i = 0; i < n; i++) {
            size_t saved_i = path_push_index(c, i);
            struct val m;
            element(&v, i, &m);
            walk_bond_member(c, &m, spec, b, i, members);
            path_pop(c, saved_i);
        }
    }
    path_pop(c, saved);
}

static void
walk_bond(struct ctx *c, const struct val *o, struct spec *spec,
          struct spec_bond *b, struct seen_set *members)
{
    static const char *const keys[] = {
        "name",      "mode",  "pfs", "miimon", "xmit_hash_policy",
        "lacp_rate", "bridge"};
    struct val v;
    size_t saved;
    int e = -1;

    *b = (struct spec_bond){
        .miimon_ms = SPEC_DEFAULT_MIIMON_MS,
        .pfs = {SIZE_MAX, SIZE_MAX},
        .pos = o->pos,
    };
    check_keys(c, o, keys, N_ELEMS(keys));
    walk_bond_name(c, o, b);
    if (!lookup(o, "mode", &v)) {
        report_missing(c, o, "mode");
    }
    get_enum(c, o, "mode", bond_mode_names, N_ELEMS(bond_mode_names), &e);
    if (e >= 0) {
        b->mode = (enum spec_bond_mode)e;
    }
    walk_bond_options(c, o, b, e >= 0);

    const char *s = get_string(c, o, "bridge", false, false, &v, &saved);
    if (s) {
        if (bridge_ref_ok(c, &v, s)) {
            b->bridge = xstrdup(c, s);
        }
        path_pop(c, saved);
    }
    walk_bond_pfs(c, o, spec, b, members);
}

static void
walk_bonds(struct ctx *c, const struct val *a, struct spec *spec)
{
    size_t n = json_array_size(a->json);
    struct seen_set members = {0}; /* PF indices, across all bonds */

    spec->bonds = calloc(n ? n : 1, sizeof *spec->bonds);
    if (!spec->bonds) {
        c->error = -ENOMEM;
        return;
    }
    for (size_t i = 0; i < n; i++) {
        size_t saved_i = path_push_index(c, i);
        struct val o;
        element(a, i, &o);
        if (as_object(c, &o)) {
            walk_bond(c, &o, spec, &spec->bonds[spec->n_bonds++], &members);
        }
        path_pop(c, saved_i);
    }
    seen_free(&members);
}

static void
walk_root(struct ctx *c, const struct val *root, struct spec *spec)
{
    static const char *const keys[] = {"version", "ovs", "bridges", "pfs",
                                       "bonds"};
    struct val v;
    long long n;

    if (!as_object(c, root)) {
        return;
    }
    check_keys(c, root, keys, N_ELEMS(keys));
    if (get_int(c, root, "version", true, LLONG_MIN, LLONG_MAX, &n, &v)) {
        if (n != SPEC_VERSION) {
            size_t saved = path_push_key(c, "version");
            report(c, SPEC_E_RANGE, v.pos,
                   "unsupported spec version %lld: this agent reads "
                   "version %d",
                   n, SPEC_VERSION);
            path_pop(c, saved);
        }
        spec->version = (int)(n == SPEC_VERSION ? n : 0);
    }

    if (lookup(root, "ovs", &v)) {
        size_t saved = path_push_key(c, "ovs");
        spec->ovs.pos = v.pos;
        if (as_object(c, &v)) {
            walk_ovs(c, &v, &spec->ovs);
        }
        path_pop(c, saved);
    }

    /* Bridges before PFs, whatever the file order: PFs refer to them. */
    if (lookup(root, "bridges", &v)) {
        size_t saved = path_push_key(c, "bridges");
        if (as_array(c, &v)) {
            walk_bridges(c, &v, spec);
        }
        path_pop(c, saved);
    }

    if (!lookup(root, "pfs", &v)) {
        report_missing(c, root, "pfs");
        return;
    }
    size_t saved = path_push_key(c, "pfs");
    if (as_array(c, &v)) {
        size_t count = json_array_size(v.json);
        spec->pfs = calloc(count ? count : 1, sizeof *spec->pfs);
        if (!spec->pfs) {
            c->error = -ENOMEM;
        }
        for (size_t i = 0; spec->pfs && i < count; i++) {
            size_t saved_i = path_push_index(c, i);
            struct val o;
            element(&v, i, &o);
            if (as_object(c, &o)) {
                c->pf_index = spec->n_pfs;
                walk_pf(c, &o, &spec->pfs[spec->n_pfs++]);
            }
            path_pop(c, saved_i);
        }
    }
    path_pop(c, saved);

    /* Bonds after PFs, whatever the file order: they refer to them. */
    if (lookup(root, "bonds", &v)) {
        saved = path_push_key(c, "bonds");
        if (as_array(c, &v)) {
            walk_bonds(c, &v, spec);
        }
        path_pop(c, saved);
    }
}

/* The entry point (spec-private.h). */
int
spec_validate(struct spec_errors *errs, const char *file, json_t *json,
              const struct spec_node *root_node, struct spec **specp)
{
    struct spec *spec = calloc(1, sizeof *spec);
    struct ctx c = {.errs = errs};
    *specp = NULL;
    if (!spec) {
        return -ENOMEM;
    }
    spec->ovs = (struct spec_ovs){
        .db = strdup(SPEC_DEFAULT_OVS_DB),
        .hw_offload = true,
        .tc_policy = SPEC_TC_POLICY_NONE,
    };
    if (!spec->ovs.db) {
        c.error = -ENOMEM;
    }
    oa_str_puts(&c.path, "$");

    struct val root = {
        .json = json,
        .node = root_node,
        .pos = {root_node->line, root_node->col},
        .key_pos = {root_node->line, root_node->col},
    };
    walk_root(&c, &root, spec);

    oa_str_free(&c.path);
    oa_str_free(&c.quote[0]);
    oa_str_free(&c.quote[1]);
    seen_free(&c.bridges);
    seen_free(&c.pf_ids);
    seen_free(&c.macs);
    seen_free(&c.bonds);
    seen_free(&c.vdpa_names);

    spec->file = strdup(file);
    if (!spec->file) {
        c.error = -ENOMEM;
    }
    if (c.error || spec_errors_count(errs)) {
        spec_destroy(spec);
        return c.error ? c.error : -EINVAL;
    }
    *specp = spec;
    return 0;
}

static const char *
name_of(const char *const *names, size_t n, int value)
{
    return value >= 0 && (size_t)value < n ? names[value] : NULL;
}

const char *
spec_tc_policy_name(enum spec_tc_policy p)
{
    return name_of(tc_policy_names, N_ELEMS(tc_policy_names), (int)p);
}

const char *
spec_eswitch_mode_name(enum spec_eswitch_mode m)
{
    return name_of(eswitch_names, N_ELEMS(eswitch_names), (int)m);
}

const char *
spec_inline_mode_name(enum spec_inline_mode m)
{
    return name_of(inline_names, N_ELEMS(inline_names), (int)m);
}

const char *
spec_encap_mode_name(enum spec_encap_mode m)
{
    return name_of(encap_names, N_ELEMS(encap_names), (int)m);
}

const char *
spec_steering_mode_name(enum spec_steering_mode m)
{
    return name_of(steering_names, N_ELEMS(steering_names), (int)m);
}

const char *
spec_disruptive_name(enum spec_disruptive d)
{
    return name_of(disruptive_names, N_ELEMS(disruptive_names), (int)d);
}

const char *
spec_vdpa_driver_name(enum spec_vdpa_driver d)
{
    return name_of(vdpa_driver_names, N_ELEMS(vdpa_driver_names), (int)d);
}

const char *
spec_pf_key_name(enum spec_pf_key k)
{
    return name_of(pf_key_names, N_ELEMS(pf_key_names), (int)k);
}

const char *
spec_bond_mode_name(enum spec_bond_mode m)
{
    return name_of(bond_mode_names, N_ELEMS(bond_mode_names), (int)m);
}

const char *
spec_xmit_hash_name(enum spec_xmit_hash h)
{
    return name_of(xmit_hash_names, N_ELEMS(xmit_hash_names), (int)h);
}

const char *
spec_lacp_rate_name(enum spec_lacp_rate r)
{
    return name_of(lacp_rate_names, N_ELEMS(lacp_rate_names), (int)r);
}
