/* vsdb: observed-state helpers and the pure diff (no OVS types here). */
#include "vsdb.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void
kvs_free(struct vsdb_kv *kvs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kvs[i].key);
        free(kvs[i].value);
    }
    free(kvs);
}

/* A port or interface of a state, at its place in the order the scans
 * visit them ('seq'): among equal names the first wins, as in a scan. */
struct named_entry {
    const char *name;
    size_t seq;
    const struct vsdb_bridge *bridge;
    const struct vsdb_port *port;
    const struct vsdb_iface *iface; /* NULL in the ports' index */
};

struct vsdb_index {
    struct named_entry *ports, *ifaces; /* sorted by name, then seq */
    size_t n_ports, n_ifaces;
    size_t n_compares; /* by the lookups: vsdb_state_index_compares() */
};

static void
state_index_free(struct vsdb_index *ix)
{
    if (ix) {
        free(ix->ports);
        free(ix->ifaces);
        free(ix);
    }
}

void
vsdb_state_free(struct vsdb_state *s)
{
    if (!s) {
        return;
    }
    state_index_free(s->index);
    for (size_t b = 0; b < s->n_bridges; b++) {
        struct vsdb_bridge *br = &s->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            struct vsdb_port *port = &br->ports[p];
            for (size_t i = 0; i < port->n_ifaces; i++) {
                struct vsdb_iface *iface = &port->ifaces[i];
                free(iface->name);
                free(iface->type);
                free(iface->error);
                free(iface->link_state);
            }
            free(port->ifaces);
            free(port->name);
            free(port->key);
        }
        free(br->ports);
        free(br->name);
    }
    free(s->bridges);
    kvs_free(s->other_config, s->n_other_config);
    kvs_free(s->external_ids, s->n_external_ids);
    free(s->ovs_version);
    free(s);
}

const char *
vsdb_kv_get(const struct vsdb_kv *kvs, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(kvs[i].key, key)) {
            return kvs[i].value;
        }
    }
    return NULL;
}

const struct vsdb_bridge *
vsdb_state_bridge(const struct vsdb_state *state, const char *name)
{
    for (size_t i = 0; i < state->n_bridges; i++) {
        if (!strcmp(state->bridges[i].name, name)) {
            return &state->bridges[i];
        }
    }
    return NULL;
}

static const struct vsdb_port *
bridge_port(const struct vsdb_bridge *br, const char *name)
{
    for (size_t i = 0; br && i < br->n_ports; i++) {
        if (!strcmp(br->ports[i].name, name)) {
            return &br->ports[i];
        }
    }
    return NULL;
}

static int
cmp_named(const void *a_, const void *b_)
{
    const struct named_entry *a = a_, *b = b_;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

int
vsdb_state_index(struct vsdb_state *state)
{
    state_index_free(state->index);
    state->index = NULL;
    struct vsdb_index *ix = calloc(1, sizeof *ix);
    size_t n_ports = 0, n_ifaces = 0;
    for (size_t b = 0; b < state->n_bridges; b++) {
        n_ports += state->bridges[b].n_ports;
        for (size_t p = 0; p < state->bridges[b].n_ports; p++) {
            n_ifaces += state->bridges[b].ports[p].n_ifaces;
        }
    }
    if (ix) {
        ix->ports = calloc(n_ports ? n_ports : 1, sizeof *ix->ports);
        ix->ifaces = calloc(n_ifaces ? n_ifaces : 1, sizeof *ix->ifaces);
    }
    if (!ix || !ix->ports || !ix->ifaces) {
        state_index_free(ix);
        return -ENOMEM;
    }
    for (size_t b = 0; b < state->n_bridges; b++) {
        const struct vsdb_bridge *br = &state->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct vsdb_port *port = &br->ports[p];
            ix->ports[ix->n_ports] =
                (struct named_entry){port->name, ix->n_ports, br, port, NULL};
            ix->n_ports++;
            for (size_t i = 0; i < port->n_ifaces; i++) {
                ix->ifaces[ix->n_ifaces] =
                    (struct named_entry){port->ifaces[i].name, ix->n_ifaces,
                                         br, port, &port->ifaces[i]};
                ix->n_ifaces++;
            }
        }
    }
    qsort(ix->ports, ix->n_ports, sizeof *ix->ports, cmp_named);
    qsort(ix->ifaces, ix->n_ifaces, sizeof *ix->ifaces, cmp_named);
    state->index = ix;
    return 0;
}

size_t
vsdb_state_index_compares(const struct vsdb_state *state)
{
    return state->index ? state->index->n_compares : 0;
}

/* The first entry named 'name' in 'e' (sorted), or NULL. */
static const struct named_entry *
state_index_find(struct vsdb_index *ix, const struct named_entry *e, size_t n,
                 const char *name)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        ix->n_compares++;
        if (strcmp(e[mid].name, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    ix->n_compares += lo < n;
    return lo < n && !strcmp(e[lo].name, name) ? &e[lo] : NULL;
}

const struct vsdb_bridge *
vsdb_state_port_bridge(const struct vsdb_state *state, const char *port,
                       const struct vsdb_port **port_out)
{
    if (state->index) {
        const struct named_entry *e = state_index_find(
            state->index, state->index->ports, state->index->n_ports, port);
        if (port_out) {
            *port_out = e ? e->port : NULL;
        }
        return e ? e->bridge : NULL;
    }
    for (size_t i = 0; i < state->n_bridges; i++) {
        const struct vsdb_port *p = bridge_port(&state->bridges[i], port);
        if (p) {
            if (port_out) {
                *port_out = p;
            }
            return &state->bridges[i];
        }
    }
    if (port_out) {
        *port_out = NULL;
    }
    return NULL;
}

const struct vsdb_iface *
vsdb_state_iface(const struct vsdb_state *state, const char *name)
{
    if (state->index) {
        const struct named_entry *e = state_index_find(
            state->index, state->index->ifaces, state->index->n_ifaces, name);
        return e ? e->iface : NULL;
    }
    for (size_t b = 0; b < state->n_bridges; b++) {
        const struct vsdb_bridge *br = &state->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            for (size_t i = 0; i < br->ports[p].n_ifaces; i++) {
                if (!strcmp(br->ports[p].ifaces[i].name, name)) {
                    return &br->ports[p].ifaces[i];
                }
            }
        }
    }
    return NULL;
}

enum vsdb_iface_health
vsdb_state_iface_health(const struct vsdb_state *state, const char *name,
                        const char **error)
{
    const struct vsdb_iface *iface = vsdb_state_iface(state, name);
    if (error) {
        *error = iface ? iface->error : NULL;
    }
    if (!iface) {
        return VSDB_IFACE_ABSENT;
    } else if (iface->error) {
        return VSDB_IFACE_ERROR;
    } else if (iface->ofport > 0) {
        return VSDB_IFACE_OK;
    }
    return VSDB_IFACE_PENDING;
}

const char *
vsdb_iface_health_name(enum vsdb_iface_health health)
{
    switch (health) {
    case VSDB_IFACE_ABSENT:
        return "absent";
    case VSDB_IFACE_PENDING:
        return "pending";
    case VSDB_IFACE_OK:
        return "ok";
    case VSDB_IFACE_ERROR:
        return "error";
    }
    return "?";
}

bool
vsdb_state_cfg_applied(const struct vsdb_state *state, int64_t next_cfg)
{
    return state->ready && state->cur_cfg >= next_cfg;
}

/* ---- The diff ------------------------------------------------------------ */

struct plan_builder {
    struct vsdb_plan *plan;
    size_t cap;
    int error;
};

static const char *
dup_or_null(struct plan_builder *pb, const char *s)
{
    if (!s) {
        return NULL;
    }
    char *d = strdup(s);
    if (!d) {
        pb->error = -ENOMEM;
    }
    return d;
}

/* Appends an op; returns it (NULL after a failure) for the caller to
 * set its tag. */
static struct vsdb_op *
add_op(struct plan_builder *pb, enum vsdb_op_type type, const char *bridge,
       const char *from_bridge, const char *port, const char *key,
       const char *value)
{
    if (pb->error) {
        return NULL;
    }
    struct vsdb_plan *plan = pb->plan;
    if (plan->n_ops == pb->cap) {
        size_t cap = pb->cap ? 2 * pb->cap : 16;
        struct vsdb_op *ops = realloc(plan->ops, cap * sizeof *ops);
        if (!ops) {
            pb->error = -ENOMEM;
            return NULL;
        }
        plan->ops = ops;
        pb->cap = cap;
    }
    struct vsdb_op *op = &plan->ops[plan->n_ops++];
    *op = (struct vsdb_op){.type = type};
    op->bridge = dup_or_null(pb, bridge);
    op->from_bridge = dup_or_null(pb, from_bridge);
    op->port = dup_or_null(pb, port);
    op->key = dup_or_null(pb, key);
    op->value = dup_or_null(pb, value);
    return op;
}

/* The tag wanted for port 'p' of 'wb'. */
static int
want_tag(const struct vsdb_want_bridge *wb, size_t p)
{
    return wb->tags ? wb->tags[p] : VSDB_TAG_LEAVE;
}

/* A new port's tag: the wanted one, none for LEAVE (a new row has none). */
static void
set_new_tag(struct vsdb_op *op, int tag)
{
    if (op && tag >= 0) {
        op->has_tag = true;
        op->tag = (unsigned)tag;
    }
}

/* Whether port 'port' needs a set-port-tag for 'tag': only the agent's
 * own ports are changed (a foreign port's tag is someone else's). */
static bool
tag_differs(const struct vsdb_port *port, int tag)
{
    if (!port || !port->owned || tag == VSDB_TAG_LEAVE) {
        return false;
    }
    return tag == VSDB_TAG_NONE ? port->has_tag
                                : !port->has_tag || port->tag != (unsigned)tag;
}

/* A port op: 'port_key' is the port's key (may be NULL), 'from_port' the
 * name a renamed port had. Returns it (NULL after a failure) for the
 * caller to set its tag. */
static struct vsdb_op *
add_port_op(struct plan_builder *pb, enum vsdb_op_type type,
            const char *bridge, const char *from_bridge, const char *from_port,
            const char *port, const char *port_key)
{
    struct vsdb_op *op =
        add_op(pb, type, bridge, from_bridge, port, NULL, NULL);
    if (op) {
        op->from_port = dup_or_null(pb, from_port);
        op->port_key = dup_or_null(pb, port_key);
    }
    return op;
}

/* The diff looks names up per port: against every wanted port, every
 * observed port and every owned port's key. Linear scans made it
 * quadratic in ports (cubic with renames), so it sorts each set once and
 * searches (O(n log n) in all). Comparisons are counted for the tests
 * (vsdb_plan.n_compares). */
static _Thread_local size_t n_compares;

static int
count_cmp(const char *a, const char *b)
{
    n_compares++;
    return strcmp(a, b);
}

/* One name (a port name or a key) and where it is: bridge 'b', port 'p'
 * (in want->bridges or state->bridges). */
struct ref {
    const char *name;
    size_t b, p;
};

static int
cmp_ref(const void *x_, const void *y_)
{
    const struct ref *x = x_, *y = y_;
    int c = count_cmp(x->name, y->name);
    if (c) {
        return c;
    }
    /* Equal names in bridge then port order: the order a scan found. */
    return x->b != y->b   ? (x->b < y->b ? -1 : 1)
           : x->p != y->p ? (x->p < y->p ? -1 : 1)
                          : 0;
}

struct refs {
    struct ref *v;
    size_t n;
};

/* The first ref named 'name' in sorted 'r', or NULL. */
static const struct ref *
refs_find(const struct refs *r, const char *name)
{
    size_t lo = 0, hi = r->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (count_cmp(r->v[mid].name, name) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < r->n && !count_cmp(r->v[lo].name, name) ? &r->v[lo] : NULL;
}

/* The next ref after 'x' with the same name, or NULL. */
static const struct ref *
refs_next(const struct refs *r, const struct ref *x)
{
    return x + 1 < r->v + r->n && !count_cmp(x[1].name, x->name) ? x + 1
                                                                 : NULL;
}

struct index {
    struct refs want;  /* wanted ports by name */
    struct refs ports; /* observed ports by name */
    struct refs keys;  /* observed owned ports with a key, by key */
    size_t *base;      /* per observed bridge: its first port in 'renamed' */
    bool *renamed;     /* per observed port: a RENAME_PORT replaces it */
};

static void
index_free(struct index *ix)
{
    free(ix->want.v);
    free(ix->ports.v);
    free(ix->keys.v);
    free(ix->base);
    free(ix->renamed);
}

static int
index_build(struct index *ix, const struct vsdb_want *want,
            const struct vsdb_state *state)
{
    size_t n_want = 0, n_have = 0;
    memset(ix, 0, sizeof *ix);
    for (size_t b = 0; b < want->n_bridges; b++) {
        n_want += want->bridges[b].n_ports;
    }
    for (size_t b = 0; b < state->n_bridges; b++) {
        n_have += state->bridges[b].n_ports;
    }
    ix->want.v = calloc(n_want + 1, sizeof *ix->want.v);
    ix->ports.v = calloc(n_have + 1, sizeof *ix->ports.v);
    ix->keys.v = calloc(n_have + 1, sizeof *ix->keys.v);
    ix->base = calloc(state->n_bridges + 1, sizeof *ix->base);
    ix->renamed = calloc(n_have + 1, sizeof *ix->renamed);
    if (!ix->want.v || !ix->ports.v || !ix->keys.v || !ix->base ||
        !ix->renamed) {
        index_free(ix);
        return -ENOMEM;
    }
    for (size_t b = 0; b < want->n_bridges; b++) {
        for (size_t p = 0; p < want->bridges[b].n_ports; p++) {
            const char *name = want->bridges[b].ports[p];
            ix->want.v[ix->want.n++] = (struct ref){name ? name : "", b, p};
        }
    }
    for (size_t b = 0, base = 0; b < state->n_bridges; b++) {
        const struct vsdb_bridge *br = &state->bridges[b];
        ix->base[b] = base;
        base += br->n_ports;
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct vsdb_port *port = &br->ports[p];
            ix->ports.v[ix->ports.n++] = (struct ref){port->name, b, p};
            if (port->owned && port->key) {
                ix->keys.v[ix->keys.n++] = (struct ref){port->key, b, p};
            }
        }
    }
    qsort(ix->want.v, ix->want.n, sizeof *ix->want.v, cmp_ref);
    qsort(ix->ports.v, ix->ports.n, sizeof *ix->ports.v, cmp_ref);
    qsort(ix->keys.v, ix->keys.n, sizeof *ix->keys.v, cmp_ref);
    return 0;
}

/* The bridge that wants port 'name', or NULL. */
static const struct vsdb_want_bridge *
wanted_on(const struct index *ix, const struct vsdb_want *want,
          const char *name)
{
    const struct ref *r = refs_find(&ix->want, name);
    return r ? &want->bridges[r->b] : NULL;
}

/* Port 'name' of observed bridge 'br', or NULL. */
static const struct vsdb_port *
indexed_port(const struct index *ix, const struct vsdb_state *state,
             const struct vsdb_bridge *br, const char *name)
{
    if (!br) {
        return NULL;
    }
    size_t b = (size_t)(br - state->bridges);
    for (const struct ref *r = refs_find(&ix->ports, name); r;
         r = refs_next(&ix->ports, r)) {
        if (r->b == b) {
            return &br->ports[r->p];
        }
    }
    return NULL;
}

/* The first observed bridge with port 'name', or NULL. */
static const struct vsdb_bridge *
indexed_port_bridge(const struct index *ix, const struct vsdb_state *state,
                    const char *name)
{
    const struct ref *r = refs_find(&ix->ports, name);
    return r ? &state->bridges[r->b] : NULL;
}

static bool *
renamed_flag(const struct index *ix, const struct vsdb_state *state,
             const struct vsdb_bridge *br, const struct vsdb_port *port)
{
    size_t b = (size_t)(br - state->bridges);
    return &ix->renamed[ix->base[b] + (size_t)(port - br->ports)];
}

static bool
want_is_valid(const struct index *ix, const struct vsdb_want *want)
{
    for (size_t b = 0; b < want->n_bridges; b++) {
        const struct vsdb_want_bridge *wb = &want->bridges[b];
        if (!wb->name || !*wb->name) {
            return false;
        }
        for (size_t o = 0; o < b; o++) {
            if (!strcmp(want->bridges[o].name, wb->name)) {
                return false;
            }
        }
        for (size_t p = 0; p < wb->n_ports; p++) {
            const char *name = wb->ports[p];
            if (!name || !*name) {
                return false;
            }
            /* A bridge's own name is its local port: not ours to add. */
            for (size_t o = 0; o < want->n_bridges; o++) {
                if (!strcmp(want->bridges[o].name, name)) {
                    return false;
                }
            }
            int tag = want_tag(wb, p);
            if (tag < VSDB_TAG_LEAVE || tag > VSDB_TAG_MAX) {
                return false;
            }
        }
    }
    /* A port wanted twice, on one bridge or two: neighbours once sorted. */
    for (size_t i = 1; i < ix->want.n; i++) {
        if (!count_cmp(ix->want.v[i - 1].name, ix->want.v[i].name)) {
            return false;
        }
    }
    for (size_t i = 0; i < want->n_other_config; i++) {
        if (!want->other_config[i].key) {
            return false;
        }
    }
    for (size_t i = 0; i < want->n_external_ids; i++) {
        if (!want->external_ids[i].key) {
            return false;
        }
    }
    return true;
}

static void
diff_keys(struct plan_builder *pb, const struct vsdb_want_key *want,
          size_t n_want, const struct vsdb_kv *have, size_t n_have,
          enum vsdb_op_type set, enum vsdb_op_type del)
{
    for (size_t i = 0; i < n_want; i++) {
        const char *cur = vsdb_kv_get(have, n_have, want[i].key);
        if (want[i].value && (!cur || strcmp(cur, want[i].value))) {
            add_op(pb, set, NULL, NULL, NULL, want[i].key, want[i].value);
        } else if (!want[i].value && cur) {
            add_op(pb, del, NULL, NULL, NULL, want[i].key, NULL);
        }
    }
}

/* The tags of the wanted ports already on their bridge (new ports got
 * theirs with their add-port or move-port). */
static void
diff_tags(struct plan_builder *pb, const struct index *ix,
          const struct vsdb_want *want, const struct vsdb_state *state)
{
    for (size_t b = 0; b < want->n_bridges; b++) {
        const struct vsdb_want_bridge *wb = &want->bridges[b];
        const struct vsdb_bridge *br = vsdb_state_bridge(state, wb->name);
        for (size_t p = 0; br && p < wb->n_ports; p++) {
            int tag = want_tag(wb, p);
            if (tag_differs(indexed_port(ix, state, br, wb->ports[p]), tag)) {
                set_new_tag(add_op(pb, VSDB_OP_SET_PORT_TAG, wb->name, NULL,
                                   wb->ports[p], NULL, NULL),
                            tag);
            }
        }
    }
}

static const char *
want_key(const struct vsdb_want_bridge *wb, size_t p)
{
    return wb->keys && wb->keys[p] && *wb->keys[p] ? wb->keys[p] : NULL;
}

/* The owned port of 'br' with key 'key' whose name no bridge wants (its
 * netdev was renamed): the one to re-point. NULL: none. */
static const struct vsdb_port *
stale_keyed_port(const struct index *ix, const struct vsdb_want *want,
                 const struct vsdb_state *state, const struct vsdb_bridge *br,
                 const char *key)
{
    if (!br || !key) {
        return NULL;
    }
    size_t b = (size_t)(br - state->bridges);
    for (const struct ref *r = refs_find(&ix->keys, key); r;
         r = refs_next(&ix->keys, r)) {
        const struct vsdb_port *port = &br->ports[r->p];
        if (r->b == b && strcmp(port->name, br->name) &&
            !wanted_on(ix, want, port->name) &&
            !*renamed_flag(ix, state, br, port)) {
            return port;
        }
    }
    return NULL;
}

/* Port 'p' of wanted bridge 'wb' ('br': as observed, NULL when new):
 * there already (with its key, else SET_PORT_KEY when it is ours), a
 * keyed port of ours under an old name (RENAME_PORT), on another bridge
 * (MOVE_PORT), else ADD_PORT. */
static void
plan_wanted_port(struct plan_builder *pb, const struct index *ix,
                 const struct vsdb_want *want, const struct vsdb_state *state,
                 const struct vsdb_want_bridge *wb,
                 const struct vsdb_bridge *br, size_t p)
{
    const char *name = wb->ports[p], *key = want_key(wb, p);
    const struct vsdb_port *have = indexed_port(ix, state, br, name);
    if (have) {
        if (key && have->owned && (!have->key || strcmp(have->key, key))) {
            add_port_op(pb, VSDB_OP_SET_PORT_KEY, wb->name, NULL, NULL, name,
                        key);
        }
        return;
    }
    const struct vsdb_port *old = stale_keyed_port(ix, want, state, br, key);
    if (old) {
        *renamed_flag(ix, state, br, old) = true;
        set_new_tag(add_port_op(pb, VSDB_OP_RENAME_PORT, wb->name, NULL,
                                old->name, name, key),
                    want_tag(wb, p));
        return;
    }
    const struct vsdb_bridge *other = indexed_port_bridge(ix, state, name);
    if (other && !strcmp(other->name, name)) {
        /* That is another bridge's own local port. */
        pb->error = -EINVAL;
    } else if (other) {
        set_new_tag(add_port_op(pb, VSDB_OP_MOVE_PORT, wb->name, other->name,
                                NULL, name, key),
                    want_tag(wb, p));
    } else {
        set_new_tag(
            add_port_op(pb, VSDB_OP_ADD_PORT, wb->name, NULL, NULL, name, key),
            want_tag(wb, p));
    }
}

/* The owned ports no bridge of the spec wants any more, or wants
 * elsewhere (then a move already takes them along). Ports without our
 * tag are never touched, nor those renamed. */
static void
plan_stale_ports(struct plan_builder *pb, const struct index *ix,
                 const struct vsdb_want *want, const struct vsdb_state *state)
{
    for (size_t b = 0; b < state->n_bridges; b++) {
        const struct vsdb_bridge *br = &state->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct vsdb_port *port = &br->ports[p];
            if (!port->owned || !strcmp(port->name, br->name) ||
                *renamed_flag(ix, state, br, port)) {
                continue;
            }
            const struct vsdb_want_bridge *wb =
                wanted_on(ix, want, port->name);
            if (!wb) {
                add_op(pb, VSDB_OP_DEL_PORT, br->name, NULL, port->name, NULL,
                       NULL);
            } else if (strcmp(wb->name, br->name) &&
                       indexed_port(ix, state,
                                    vsdb_state_bridge(state, wb->name),
                                    port->name)) {
                /* Also on its wanted bridge already: a stale duplicate. */
                add_op(pb, VSDB_OP_DEL_PORT, br->name, NULL, port->name, NULL,
                       NULL);
            }
        }
    }
}

int
vsdb_plan_compute(const struct vsdb_want *want, const struct vsdb_state *state,
                  struct vsdb_plan **out)
{
    struct index ix;
    *out = NULL;
    if (!state->ready) {
        return -ENODATA;
    }
    n_compares = 0;
    if (index_build(&ix, want, state) < 0) {
        return -ENOMEM;
    }
    if (!want_is_valid(&ix, want)) {
        index_free(&ix);
        return -EINVAL;
    }
    struct plan_builder pb = {.plan = calloc(1, sizeof *pb.plan)};
    if (!pb.plan) {
        index_free(&ix);
        return -ENOMEM;
    }

    /* Per wanted bridge: create it, then its missing ports right after
     * (the transaction writes a new bridge's ports in one go). */
    for (size_t b = 0; b < want->n_bridges; b++) {
        const struct vsdb_want_bridge *wb = &want->bridges[b];
        const struct vsdb_bridge *br = vsdb_state_bridge(state, wb->name);
        if (!br) {
            add_op(&pb, VSDB_OP_ADD_BRIDGE, wb->name, NULL, NULL, NULL, NULL);
        }
        for (size_t p = 0; p < wb->n_ports; p++) {
            plan_wanted_port(&pb, &ix, want, state, wb, br, p);
        }
    }
    plan_stale_ports(&pb, &ix, want, state);
    diff_tags(&pb, &ix, want, state);
    diff_keys(&pb, want->other_config, want->n_other_config,
              state->other_config, state->n_other_config,
              VSDB_OP_SET_OTHER_CONFIG, VSDB_OP_DEL_OTHER_CONFIG);
    diff_keys(&pb, want->external_ids, want->n_external_ids,
              state->external_ids, state->n_external_ids,
              VSDB_OP_SET_EXTERNAL_ID, VSDB_OP_DEL_EXTERNAL_ID);
    index_free(&ix);

    if (pb.error) {
        vsdb_plan_free(pb.plan);
        return pb.error;
    }
    pb.plan->n_compares = n_compares;
    *out = pb.plan;
    return 0;
}

void
vsdb_plan_free(struct vsdb_plan *plan)
{
    if (!plan) {
        return;
    }
    for (size_t i = 0; i < plan->n_ops; i++) {
        struct vsdb_op *op = &plan->ops[i];
        free((char *)op->bridge);
        free((char *)op->from_bridge);
        free((char *)op->port);
        free((char *)op->key);
        free((char *)op->value);
        free((char *)op->from_port);
        free((char *)op->port_key);
    }
    free(plan->ops);
    free(plan);
}

const char *
vsdb_op_type_name(enum vsdb_op_type type)
{
    switch (type) {
    case VSDB_OP_ADD_BRIDGE:
        return "add-bridge";
    case VSDB_OP_ADD_PORT:
        return "add-port";
    case VSDB_OP_MOVE_PORT:
        return "move-port";
    case VSDB_OP_DEL_PORT:
        return "del-port";
    case VSDB_OP_SET_PORT_TAG:
        return "set-port-tag";
    case VSDB_OP_SET_OTHER_CONFIG:
        return "set-other-config";
    case VSDB_OP_DEL_OTHER_CONFIG:
        return "del-other-config";
    case VSDB_OP_SET_EXTERNAL_ID:
        return "set-external-id";
    case VSDB_OP_DEL_EXTERNAL_ID:
        return "del-external-id";
    case VSDB_OP_RENAME_PORT:
        return "rename-port";
    case VSDB_OP_SET_PORT_KEY:
        return "set-port-key";
    }
    return "?";
}
