/* The pure diff vsdb_plan_compute(), from a table: observed state and
 * wanted state in a compact notation, the expected operations as text. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsdb.h"

#include "oa-check.h"

/* State notation: bridges separated by ';',
 * "NAME[!]:PORT[*][=KEY][@TAG],..." ('!' owned bridge, '*' owned port, KEY
 * its offload-agent-port key, '@TAG' its Port.tag; each port has one
 * interface of the same name). Maps: "k=v,k=v". Want:
 * "NAME:PORT[=KEY][@TAG],PORT;NAME:" ('@TAG' a tag, '@-' none, no '@':
 * leave the tag alone). */
static char *
xstrndup(const char *s, size_t n)
{
    char *d = strndup(s, n);
    ck_assert_ptr_nonnull(d);
    return d;
}

static size_t
split(const char *s, char sep, char ***out)
{
    size_t n = 0;
    *out = NULL;
    if (!s || !*s) {
        return 0;
    }
    for (const char *p = s;; p++) {
        const char *e = strchr(p, sep);
        size_t len = e ? (size_t)(e - p) : strlen(p);
        *out = realloc(*out, (n + 1) * sizeof **out);
        (*out)[n++] = xstrndup(p, len);
        if (!e) {
            break;
        }
        p = e;
    }
    return n;
}

static void
free_strs(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i]);
    }
    free(v);
}

static void
parse_map(const char *s, struct vsdb_kv **kvs, size_t *n)
{
    char **items;
    *n = split(s, ',', &items);
    *kvs = calloc(*n + 1, sizeof **kvs);
    for (size_t i = 0; i < *n; i++) {
        char *eq = strchr(items[i], '=');
        ck_assert_ptr_nonnull(eq);
        (*kvs)[i].key = xstrndup(items[i], eq - items[i]);
        (*kvs)[i].value = strdup(eq + 1);
    }
    free_strs(items, *n);
}

static struct vsdb_state *
make_state(const char *bridges, const char *other_config,
           const char *external_ids)
{
    struct vsdb_state *s = calloc(1, sizeof *s);
    s->ready = true;
    parse_map(other_config, &s->other_config, &s->n_other_config);
    parse_map(external_ids, &s->external_ids, &s->n_external_ids);
    char **brs;
    s->n_bridges = split(bridges, ';', &brs);
    s->bridges = calloc(s->n_bridges + 1, sizeof *s->bridges);
    for (size_t b = 0; b < s->n_bridges; b++) {
        struct vsdb_bridge *br = &s->bridges[b];
        char *colon = strchr(brs[b], ':');
        ck_assert_ptr_nonnull(colon);
        *colon = '\0';
        size_t len = strlen(brs[b]);
        br->owned = len && brs[b][len - 1] == '!';
        br->name = xstrndup(brs[b], len - br->owned);
        char **ports;
        br->n_ports = split(colon + 1, ',', &ports);
        br->ports = calloc(br->n_ports + 1, sizeof *br->ports);
        for (size_t p = 0; p < br->n_ports; p++) {
            struct vsdb_port *port = &br->ports[p];
            char *at = strchr(ports[p], '@');
            char *eq = strchr(ports[p], '=');
            if (at) {
                *at = '\0';
                port->has_tag = true;
                port->tag = (unsigned)atoi(at + 1);
            }
            if (eq) {
                *eq = '\0';
                port->key = strdup(eq + 1);
            }
            size_t plen = strlen(ports[p]);
            port->owned = plen && ports[p][plen - 1] == '*';
            port->name = xstrndup(ports[p], plen - port->owned);
            port->n_ifaces = 1;
            port->ifaces = calloc(1, sizeof *port->ifaces);
            port->ifaces->name = strdup(port->name);
            port->ifaces->type = strdup("");
            port->ifaces->ofport = -1;
            port->ifaces->owned = port->owned;
        }
        free_strs(ports, br->n_ports);
    }
    free_strs(brs, s->n_bridges);
    return s;
}

struct want_buf {
    struct vsdb_want want;
    struct vsdb_want_bridge bridges[8];
    int tags[8][16];
    char **port_names[8];
    const char *port_keys[8][16];
    size_t n_port_names[8];
    char **names;
    size_t n_names;
    struct vsdb_want_key keys[8];
    char **key_items;
    size_t n_key_items;
};

/* Keys: "k=v" sets, "k" alone must be absent. */
static void
make_want(struct want_buf *w, const char *bridges, const char *keys)
{
    memset(w, 0, sizeof *w);
    w->n_names = split(bridges, ';', &w->names);
    ck_assert_uint_le(w->n_names, 8);
    for (size_t b = 0; b < w->n_names; b++) {
        char *colon = strchr(w->names[b], ':');
        ck_assert_ptr_nonnull(colon);
        *colon = '\0';
        w->n_port_names[b] = split(colon + 1, ',', &w->port_names[b]);
        ck_assert_uint_le(w->n_port_names[b], 16);
        for (size_t p = 0; p < w->n_port_names[b]; p++) {
            char *at = strchr(w->port_names[b][p], '@');
            char *eq = strchr(w->port_names[b][p], '=');
            w->tags[b][p] = VSDB_TAG_LEAVE;
            if (at) {
                *at = '\0';
                w->tags[b][p] = at[1] == '-' ? VSDB_TAG_NONE : atoi(at + 1);
                w->bridges[b].tags = w->tags[b];
            }
            if (eq) {
                *eq = '\0';
            }
            w->port_keys[b][p] = eq ? eq + 1 : NULL;
        }
        w->bridges[b].keys = w->port_keys[b];
        w->bridges[b].name = w->names[b];
        w->bridges[b].ports = (const char *const *)w->port_names[b];
        w->bridges[b].n_ports = w->n_port_names[b];
    }
    w->want.bridges = w->bridges;
    w->want.n_bridges = w->n_names;
    w->n_key_items = split(keys, ',', &w->key_items);
    ck_assert_uint_le(w->n_key_items, 8);
    for (size_t i = 0; i < w->n_key_items; i++) {
        char *eq = strchr(w->key_items[i], '=');
        if (eq) {
            *eq = '\0';
        }
        w->keys[i].key = w->key_items[i];
        w->keys[i].value = eq ? eq + 1 : NULL;
    }
    w->want.other_config = w->keys;
    w->want.n_other_config = w->n_key_items;
}

static void
free_want(struct want_buf *w)
{
    for (size_t b = 0; b < w->n_names; b++) {
        free_strs(w->port_names[b], w->n_port_names[b]);
    }
    free_strs(w->names, w->n_names);
    free_strs(w->key_items, w->n_key_items);
}

/* "@100" for a tag, "@-" for none (set-port-tag only). */
static const char *
tag_text(const struct vsdb_op *op)
{
    static char buf[16];
    if (op->has_tag) {
        snprintf(buf, sizeof buf, "@%u", op->tag);
        return buf;
    }
    return op->type == VSDB_OP_SET_PORT_TAG ? "@-" : "";
}

/* "add-bridge br0; add-port br0 p0; move-port br1>br0 p2; ..." */
static char *
plan_text(const struct vsdb_plan *plan)
{
    static char buf[4096];
    buf[0] = '\0';
    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct vsdb_op *op = &plan->ops[i];
        char one[256];
        switch (op->type) {
        case VSDB_OP_ADD_BRIDGE:
            snprintf(one, sizeof one, "add-bridge %s", op->bridge);
            break;
        case VSDB_OP_ADD_PORT:
        case VSDB_OP_DEL_PORT:
        case VSDB_OP_SET_PORT_TAG:
            snprintf(one, sizeof one, "%s %s %s%s%s%s",
                     vsdb_op_type_name(op->type), op->bridge, op->port,
                     tag_text(op), op->port_key ? " key=" : "",
                     op->port_key ? op->port_key : "");
            break;
        case VSDB_OP_RENAME_PORT:
            snprintf(one, sizeof one, "rename-port %s %s>%s%s key=%s",
                     op->bridge, op->from_port, op->port, tag_text(op),
                     op->port_key);
            break;
        case VSDB_OP_SET_PORT_KEY:
            snprintf(one, sizeof one, "set-port-key %s %s key=%s", op->bridge,
                     op->port, op->port_key);
            break;
        case VSDB_OP_MOVE_PORT:
            snprintf(one, sizeof one, "move-port %s>%s %s%s%s%s",
                     op->from_bridge, op->bridge, op->port, tag_text(op),
                     op->port_key ? " key=" : "",
                     op->port_key ? op->port_key : "");
            break;
        case VSDB_OP_SET_OTHER_CONFIG:
        case VSDB_OP_SET_EXTERNAL_ID:
            snprintf(one, sizeof one, "%s %s=%s", vsdb_op_type_name(op->type),
                     op->key, op->value);
            break;
        case VSDB_OP_DEL_OTHER_CONFIG:
        case VSDB_OP_DEL_EXTERNAL_ID:
            snprintf(one, sizeof one, "%s %s", vsdb_op_type_name(op->type),
                     op->key);
            break;
        }
        if (i) {
            strcat(buf, "; ");
        }
        strcat(buf, one);
    }
    return buf;
}

struct plan_case {
    const char *what;
    const char *state;        /* bridges */
    const char *other_config; /* observed Open_vSwitch other_config */
    const char *want;         /* wanted bridges */
    const char *want_keys;    /* wanted other_config keys */
    int result;
    const char *plan;
};

static const struct plan_case cases[] = {
    {"empty db, nothing wanted", "", "", "", "", 0, ""},
    {"full setup: bridge, uplink, 2 representors, keys", "", "",
     "ovs-sriov:pf0,pf0_0,pf0_1", "hw-offload=true,tc-policy=none", 0,
     "add-bridge ovs-sriov; add-port ovs-sriov pf0; add-port ovs-sriov "
     "pf0_0; add-port ovs-sriov pf0_1; set-other-config hw-offload=true; "
     "set-other-config tc-policy=none"},
    {"converged: nothing to do", "ovs-sriov!:ovs-sriov,pf0*,pf0_0*",
     "hw-offload=true,tc-policy=none", "ovs-sriov:pf0,pf0_0",
     "hw-offload=true,tc-policy=none", 0, ""},
    {"converged with ports the agent did not add", "br0:br0,pf0,vm1", "",
     "br0:pf0", "", 0, ""},
    {"one key differs, others left alone", "",
     "hw-offload=false,max-idle=500,foo=bar", "", "hw-offload=true", 0,
     "set-other-config hw-offload=true"},
    {"a key that must be absent", "", "tc-policy=skip_hw,foo=bar", "",
     "tc-policy", 0, "del-other-config tc-policy"},
    {"absent key already absent", "", "foo=bar", "", "tc-policy", 0, ""},
    {"port on another bridge is moved", "br0:br0;br1:br1,pf0_0", "",
     "br0:pf0_0", "", 0, "move-port br1>br0 pf0_0"},
    {"moved to a bridge that does not exist yet", "br1:br1,pf0*", "",
     "br0:pf0", "", 0, "add-bridge br0; move-port br1>br0 pf0"},
    {"owned port no longer wanted is removed", "br0:br0,pf0*,pf0_0*,vm1", "",
     "br0:pf0", "", 0, "del-port br0 pf0_0"},
    {"foreign port is never removed", "br0:br0,pf0*,vm1,vm2", "", "br0:pf0",
     "", 0, ""},
    {"owned ports on a bridge the spec dropped", "old!:old,a*,b;br0:br0", "",
     "br0:", "", 0, "del-port old a"},
    {"local port of a bridge is kept even if tagged", "br0!:br0*", "", "", "",
     0, ""},
    {"two bridges, ports in order", "", "", "b1:x,y;b2:z", "", 0,
     "add-bridge b1; add-port b1 x; add-port b1 y; add-bridge b2; "
     "add-port b2 z"},
    {"owned duplicate next to the wanted one is removed", "a:a,p*;b:b,p*", "",
     "a:p", "", 0, "del-port b p"},
    {"a port wanted on two bridges", "", "", "a:p;b:p", "", -EINVAL, ""},
    {"a port wanted twice", "", "", "a:p,p", "", -EINVAL, ""},
    {"a bridge wanted twice", "", "", "a:p;a:q", "", -EINVAL, ""},
    {"a port named like a wanted bridge", "", "", "a:b;b:", "", -EINVAL, ""},
    {"a port that is another bridge's local port", "x:x", "", "a:x", "",
     -EINVAL, ""},
    /* Port.tag: a VF's access VLAN in switchdev. */
    {"new port with a tag", "", "", "br0:pf0,pf0_0@100,pf0_1@-", "", 0,
     "add-bridge br0; add-port br0 pf0; add-port br0 pf0_0@100; "
     "add-port br0 pf0_1"},
    {"tags as wanted: nothing to do", "br0:br0,pf0*@7,pf0_0*@100,pf0_1*", "",
     "br0:pf0,pf0_0@100,pf0_1@-", "", 0, ""},
    {"our port's tag set, changed, cleared; a new one after the deletions",
     "br0:br0,a*,b*@200,c*@5,gone*", "", "br0:a@100,b@100,c@-,d@0", "", 0,
     "add-port br0 d@0; del-port br0 gone; set-port-tag br0 a@100; "
     "set-port-tag br0 b@100; set-port-tag br0 c@-"},
    {"a foreign port's tag is never changed", "br0:br0,a,b@9", "",
     "br0:a@100,b@-", "", 0, ""},
    {"tag left alone", "br0:br0,a*@9,b*", "", "br0:a,b", "", 0, ""},
    {"moved port keeps the wanted tag", "br1:br1,p*@3", "", "br0:p@4", "", 0,
     "add-bridge br0; move-port br1>br0 p@4"},
    {"tag 4096", "", "", "a:p@4096", "", -EINVAL, ""},
    /* Keys (offload-agent-port): a renamed netdev's port is re-pointed. */
    {"new ports get their key", "br0:br0", "", "br0:pf0=d/uplink,r0=d/vf0", "",
     0, "add-port br0 pf0 key=d/uplink; add-port br0 r0 key=d/vf0"},
    {"renamed netdev: its keyed port is renamed, not deleted and added",
     "br0:br0,pf0*=d/uplink,eth5*=d/vf0", "", "br0:pf0=d/uplink,pf0_0=d/vf0",
     "", 0, "rename-port br0 eth5>pf0_0 key=d/vf0"},
    {"two renamed at once, each by its key", "br0:br0,eth5*=d/vf0,eth6*=d/vf1",
     "", "br0:b_1=d/vf1,b_0=d/vf0", "", 0,
     "rename-port br0 eth6>b_1 key=d/vf1; rename-port br0 eth5>b_0 key=d/vf0"},
    {"an owned port without a key gets it, in place", "br0:br0,pf0*,r0*=d/vf0",
     "", "br0:pf0=d/uplink,r0=d/vf0", "", 0,
     "set-port-key br0 pf0 key=d/uplink"},
    {"an owned port with another key gets the wanted one", "br0:br0,r0*=d/vf1",
     "", "br0:r0=d/vf0", "", 0, "set-port-key br0 r0 key=d/vf0"},
    {"a foreign port with the name is not given a key", "br0:br0,r0", "",
     "br0:r0=d/vf0", "", 0, ""},
    {"a foreign port with the key is not renamed", "br0:br0,eth5=d/vf0", "",
     "br0:r0=d/vf0", "", 0, "add-port br0 r0 key=d/vf0"},
    {"a keyed port whose old name is still wanted is not taken",
     "br0:br0,eth5*=d/vf0", "", "br0:eth5=d/vf9,r0=d/vf0", "", 0,
     "set-port-key br0 eth5 key=d/vf9; add-port br0 r0 key=d/vf0"},
    {"no key wanted: the old port goes, the new one comes",
     "br0:br0,eth5*=d/vf0", "", "br0:r0", "", 0,
     "add-port br0 r0; del-port br0 eth5"},
    {"a keyed port on another bridge is not renamed across",
     "b1:b1,eth5*=d/vf0;br0:br0", "", "br0:r0=d/vf0", "", 0,
     "add-port br0 r0 key=d/vf0; del-port b1 eth5"},
};

START_TEST(test_plan_table)
{
    const struct plan_case *c = &cases[_i];
    struct vsdb_state *state = make_state(c->state, c->other_config, "");
    struct want_buf w;
    make_want(&w, c->want, c->want_keys);
    struct vsdb_plan *plan = NULL;
    int r = vsdb_plan_compute(&w.want, state, &plan);
    ck_assert_msg(r == c->result, "%s: result %d, want %d", c->what, r,
                  c->result);
    if (!r) {
        ck_assert_msg(!strcmp(plan_text(plan), c->plan),
                      "%s:\n got  [%s]\n want [%s]", c->what, plan_text(plan),
                      c->plan);
    } else {
        ck_assert_ptr_null(plan);
    }
    vsdb_plan_free(plan);
    free_want(&w);
    vsdb_state_free(state);
}
END_TEST

START_TEST(test_plan_not_ready)
{
    struct vsdb_state *state = make_state("", "", "");
    state->ready = false;
    struct want_buf w;
    make_want(&w, "br0:p", "");
    struct vsdb_plan *plan = NULL;
    ck_assert_int_eq(vsdb_plan_compute(&w.want, state, &plan), -ENODATA);
    ck_assert_ptr_null(plan);
    free_want(&w);
    vsdb_state_free(state);
}
END_TEST

START_TEST(test_external_ids_diffed_like_other_config)
{
    struct vsdb_state *state =
        make_state("", "", "offload-agent-vswitchd=a:1:2,keep=me");
    struct vsdb_want_key ids[] = {{"offload-agent-vswitchd", "b:3:4"},
                                  {"offload-agent-latched", "x"},
                                  {"gone", NULL}};
    struct vsdb_want want = {.external_ids = ids, .n_external_ids = 3};
    struct vsdb_plan *plan;
    ck_assert_int_eq(vsdb_plan_compute(&want, state, &plan), 0);
    ck_assert_str_eq(plan_text(plan),
                     "set-external-id offload-agent-vswitchd=b:3:4; "
                     "set-external-id offload-agent-latched=x");
    vsdb_plan_free(plan);
    vsdb_state_free(state);
}
END_TEST

/* The same answers by scan (a hand-built state) and through the index
 * vsdb_observe() builds; a name in two bridges is the first bridge's in
 * both. */
START_TEST(test_state_lookups)
{
    struct vsdb_state *state = make_state("a:a,p1*,x;b:b,p2,x,p0", "k=v", "");
    for (int indexed = 0; indexed <= 1; indexed++) {
        if (indexed) {
            ck_assert_int_eq(vsdb_state_index(state), 0);
        }
        const struct vsdb_port *port;
        ck_assert_str_eq(vsdb_state_port_bridge(state, "p2", &port)->name,
                         "b");
        ck_assert_str_eq(port->name, "p2");
        ck_assert(!port->owned);
        ck_assert_ptr_eq(vsdb_state_port_bridge(state, "x", &port),
                         &state->bridges[0]);
        ck_assert_ptr_eq(port, &state->bridges[0].ports[2]);
        ck_assert_ptr_eq(vsdb_state_iface(state, "x"),
                         state->bridges[0].ports[2].ifaces);
        ck_assert_str_eq(vsdb_state_port_bridge(state, "p0", NULL)->name, "b");
        ck_assert_ptr_null(vsdb_state_port_bridge(state, "p3", &port));
        ck_assert_ptr_null(port);
        ck_assert_ptr_null(vsdb_state_port_bridge(state, "", &port));
        ck_assert_str_eq(vsdb_state_iface(state, "p1")->name, "p1");
        ck_assert_ptr_null(vsdb_state_iface(state, "nope"));
        ck_assert_ptr_null(vsdb_state_iface(state, "zz"));
        ck_assert_uint_eq(vsdb_state_index_compares(state) > 0, indexed);
    }
    ck_assert_str_eq(
        vsdb_kv_get(state->other_config, state->n_other_config, "k"), "v");
    state->cur_cfg = 4;
    ck_assert(vsdb_state_cfg_applied(state, 4));
    ck_assert(!vsdb_state_cfg_applied(state, 5));
    vsdb_state_free(state);
}
END_TEST

/* Big bridges, built directly: 'n' ports "p<i>" on one bridge, each
 * with key "k<i>". */
struct big {
    struct vsdb_state st;
    struct vsdb_bridge br;
    struct vsdb_want want;
    struct vsdb_want_bridge wb;
    char **names, **keys;
    const char **want_ports, **want_keys;
};

static void
big_make(struct big *g, size_t n, const char *observed_prefix)
{
    memset(g, 0, sizeof *g);
    g->names = calloc(2 * n, sizeof *g->names);
    g->keys = calloc(n, sizeof *g->keys);
    g->want_ports = calloc(n, sizeof *g->want_ports);
    g->want_keys = calloc(n, sizeof *g->want_keys);
    g->br.ports = calloc(n, sizeof *g->br.ports);
    ck_assert(g->names && g->keys && g->want_ports && g->want_keys &&
              g->br.ports);
    for (size_t i = 0; i < n; i++) {
        char buf[32];
        snprintf(buf, sizeof buf, "p%zu", i);
        g->names[i] = strdup(buf);
        snprintf(buf, sizeof buf, "%s%zu", observed_prefix, i);
        g->names[n + i] = strdup(buf);
        snprintf(buf, sizeof buf, "k%zu", i);
        g->keys[i] = strdup(buf);
        g->want_ports[i] = g->names[i];
        g->want_keys[i] = g->keys[i];
        g->br.ports[i] = (struct vsdb_port){
            .name = g->names[n + i], .owned = true, .key = g->keys[i]};
    }
    g->br.name = "br0";
    g->br.owned = true;
    g->br.n_ports = n;
    g->st.ready = true;
    g->st.bridges = &g->br;
    g->st.n_bridges = 1;
    g->wb = (struct vsdb_want_bridge){.name = "br0",
                                      .ports = g->want_ports,
                                      .n_ports = n,
                                      .keys = g->want_keys};
    g->want.bridges = &g->wb;
    g->want.n_bridges = 1;
}

static void
big_free(struct big *g, size_t n)
{
    for (size_t i = 0; i < 2 * n; i++) {
        free(g->names[i]);
    }
    for (size_t i = 0; i < n; i++) {
        free(g->keys[i]);
    }
    free(g->names);
    free(g->keys);
    free(g->want_ports);
    free(g->want_keys);
    free(g->br.ports);
}

/* Name comparisons per port of the diff of 'n' ports: converged
 * (observed names = wanted) or every port renamed (observed "old<i>",
 * keyed: one rename-port each). */
static double
compares_per_port(size_t n, bool renamed, size_t *n_ops)
{
    struct big g;
    struct vsdb_plan *plan;
    big_make(&g, n, renamed ? "old" : "p");
    ck_assert_int_eq(vsdb_plan_compute(&g.want, &g.st, &plan), 0);
    *n_ops = plan->n_ops;
    double per = (double)plan->n_compares / (double)n;
    vsdb_plan_free(plan);
    big_free(&g, n);
    return per;
}

/* The diff looks each port up among the wanted, the observed and the
 * keyed ports: by scan that was quadratic (cubic with renames) and made a
 * converged reconcile of 2 x 128 VFs cost more than its kernel reads.
 * Counted, not timed: comparisons per port may grow with log n only, so
 * from 32 to 512 ports (log2: 5 to 9) by less than 9/5 x a slack; a
 * scan grows 16 x. */
START_TEST(test_plan_compares_grow_n_log_n)
{
    for (int renamed = 0; renamed <= 1; renamed++) {
        size_t ops_small, ops_big;
        double small = compares_per_port(32, renamed, &ops_small);
        double big = compares_per_port(512, renamed, &ops_big);
        ck_assert_uint_eq(ops_small, renamed ? 32 : 0);
        ck_assert_uint_eq(ops_big, renamed ? 512 : 0);
        ck_assert_msg(small > 0, "comparisons are counted");
        ck_assert_msg(big <= small * 9 / 5 * 1.25,
                      "%s: %.1f comparisons per port at 512 ports, %.1f at "
                      "32: not O(n log n)",
                      renamed ? "renamed" : "converged", big, small);
    }
}
END_TEST

/* Name comparisons per lookup of every port and interface of 'n' ports
 * on two bridges, through the index. */
static double
lookup_compares(size_t n)
{
    size_t len = 16 * n + 16, off = 0;
    char *spec = malloc(len);
    for (size_t i = 0; i < n; i++) {
        off += (size_t)snprintf(spec + off, len - off, "%s%s%zu",
                                i == 0       ? "br0:"
                                : i == n / 2 ? ";br1:"
                                             : ",",
                                i % 3 ? "rep" : "eth", n - i);
    }
    struct vsdb_state *state = make_state(spec, "", "");
    free(spec);
    ck_assert_int_eq(vsdb_state_index(state), 0);
    size_t lookups = 0;
    for (size_t b = 0; b < state->n_bridges; b++) {
        for (size_t p = 0; p < state->bridges[b].n_ports; p++) {
            const struct vsdb_port *want = &state->bridges[b].ports[p];
            const struct vsdb_port *port;
            ck_assert_ptr_eq(vsdb_state_port_bridge(state, want->name, &port),
                             &state->bridges[b]);
            ck_assert_ptr_eq(port, want);
            ck_assert_ptr_eq(vsdb_state_iface(state, want->name),
                             want->ifaces);
            lookups += 2;
        }
    }
    ck_assert_uint_eq(lookups, 2 * n);
    double per = (double)vsdb_state_index_compares(state) / (double)lookups;
    vsdb_state_free(state);
    return per;
}

/* The plan and the report look a port or interface up per VF: by scan
 * that is quadratic in ports (2.8 M instructions in the report of an
 * apply at 2 x 128 VFs). Counted, not timed: from 32 to 512 ports the
 * comparisons per lookup may grow as log n (5 to 9), a scan would grow
 * 16 x. */
START_TEST(test_state_lookups_grow_log_n)
{
    double small = lookup_compares(32);
    double big = lookup_compares(512);
    ck_assert_msg(small > 0, "comparisons are counted");
    ck_assert_msg(big <= small * 9 / 5 * 1.25,
                  "%.1f comparisons per lookup at 512 ports, %.1f at 32: "
                  "not O(log n)",
                  big, small);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("vsdb-plan");
    TCase *tc = tcase_create("plan");
    tcase_add_loop_test(tc, test_plan_table, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_plan_not_ready);
    tcase_add_test(tc, test_external_ids_diffed_like_other_config);
    tcase_add_test(tc, test_state_lookups);
    tcase_add_test(tc, test_state_lookups_grow_log_n);
    tcase_add_test(tc, test_plan_compares_grow_n_log_n);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
