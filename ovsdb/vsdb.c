/* vsdb: the Open_vSwitch database through OVS's C IDL (see vsdb.h). */
#include "vsdb.h"

#include "oa-common/cancel.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "openvswitch/poll-loop.h"
#include "openvswitch/vlog.h"
#include "ovsdb-idl.h"
#include "smap.h"
#include "timeval.h"
#include "vswitch-idl.h"

struct vsdb {
    struct ovsdb_idl *idl;
    struct ovsdb_idl_txn *txn; /* in flight, or NULL */
    unsigned int txn_seqno;    /* IDL seqno when 'txn' was built */
    enum vsdb_txn_status status;
    int64_t next_cfg;
    char *error;
    struct vsdb_stats stats;
    void (*hook)(void *aux);
    void *hook_aux;
    struct oa_cancel *cancel; /* borrowed: ends the blocking helpers */
};

/* The configuration columns of Port and Interface that a renamed port's
 * new rows carry over from the old ones (VSDB_OP_RENAME_PORT): whatever
 * the agent or an operator set (a tag, a QoS, options, ofport_request,
 * external_ids with the agent's keys); not name and interfaces (set
 * anew), nor what ovs-vswitchd writes (ofport, status, statistics). */
static const struct ovsdb_idl_column *const carried_port_cols[] = {
    &ovsrec_port_col_bond_downdelay,
    &ovsrec_port_col_bond_fake_iface,
    &ovsrec_port_col_bond_mode,
    &ovsrec_port_col_bond_updelay,
    &ovsrec_port_col_cvlans,
    &ovsrec_port_col_external_ids,
    &ovsrec_port_col_fake_bridge,
    &ovsrec_port_col_lacp,
    &ovsrec_port_col_mac,
    &ovsrec_port_col_other_config,
    &ovsrec_port_col_protected_,
    &ovsrec_port_col_qos,
    &ovsrec_port_col_tag,
    &ovsrec_port_col_trunks,
    &ovsrec_port_col_vlan_mode,
};
static const struct ovsdb_idl_column *const carried_iface_cols[] = {
    &ovsrec_interface_col_bfd,
    &ovsrec_interface_col_cfm_mpid,
    &ovsrec_interface_col_external_ids,
    &ovsrec_interface_col_ingress_policing_burst,
    &ovsrec_interface_col_ingress_policing_kpkts_burst,
    &ovsrec_interface_col_ingress_policing_kpkts_rate,
    &ovsrec_interface_col_ingress_policing_rate,
    &ovsrec_interface_col_lldp,
    &ovsrec_interface_col_mac,
    &ovsrec_interface_col_mtu_request,
    &ovsrec_interface_col_ofport_request,
    &ovsrec_interface_col_options,
    &ovsrec_interface_col_other_config,
    &ovsrec_interface_col_type,
};
#define N_CARRIED(cols) (sizeof cols / sizeof cols[0])

/* Only what we read or write is replicated: the IDL then neither stores
 * nor wakes us for interface statistics and the like. */
static void
register_columns(struct ovsdb_idl *idl)
{
    ovsdb_idl_add_table(idl, &ovsrec_table_open_vswitch);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_bridges);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_cur_cfg);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_next_cfg);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_other_config);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_external_ids);
    ovsdb_idl_add_column(idl, &ovsrec_open_vswitch_col_ovs_version);

    ovsdb_idl_add_table(idl, &ovsrec_table_bridge);
    ovsdb_idl_add_column(idl, &ovsrec_bridge_col_name);
    ovsdb_idl_add_column(idl, &ovsrec_bridge_col_ports);
    ovsdb_idl_add_column(idl, &ovsrec_bridge_col_external_ids);

    ovsdb_idl_add_table(idl, &ovsrec_table_port);
    ovsdb_idl_add_column(idl, &ovsrec_port_col_name);
    ovsdb_idl_add_column(idl, &ovsrec_port_col_interfaces);
    ovsdb_idl_add_column(idl, &ovsrec_port_col_external_ids);
    /* A VF's access VLAN in switchdev; monitored, so the daemon sees a
     * tag changed behind its back. */
    ovsdb_idl_add_column(idl, &ovsrec_port_col_tag);

    ovsdb_idl_add_table(idl, &ovsrec_table_interface);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_name);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_type);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_ofport);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_error);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_link_state);
    ovsdb_idl_add_column(idl, &ovsrec_interface_col_external_ids);

    /* What a rename carries over must be read to be copied. Port.qos
     * refers to a QoS row: its table is known so the reference is. */
    ovsdb_idl_add_table(idl, &ovsrec_table_qos);
    for (size_t i = 0; i < N_CARRIED(carried_port_cols); i++) {
        ovsdb_idl_add_column(idl, carried_port_cols[i]);
    }
    for (size_t i = 0; i < N_CARRIED(carried_iface_cols); i++) {
        ovsdb_idl_add_column(idl, carried_iface_cols[i]);
    }
}

int
vsdb_create(const char *remote, struct vsdb **out)
{
    *out = NULL;
    if (!remote) {
        remote = VSDB_DEFAULT_REMOTE;
    }
    if (!*remote) {
        return -EINVAL;
    }
    struct vsdb *db = calloc(1, sizeof *db);
    if (!db) {
        return -ENOMEM;
    }
    /* Library code does not log: libopenvswitch would print reconnects
     * and warnings to stderr. The caller reports what vsdb returns. */
    vlog_set_levels(NULL, VLF_ANY_DESTINATION, VLL_OFF);

    /* libopenvswitch writes to its sockets without MSG_NOSIGNAL: when
     * ovsdb-server goes away, the next write raises SIGPIPE, whose
     * default action kills the process. OVS's own clients ignore it
     * (fatal_ignore_sigpipe()); so do we, unless the caller handles it,
     * and the write's EPIPE becomes a reconnect. */
    struct sigaction sa;
    if (!sigaction(SIGPIPE, NULL, &sa) && sa.sa_handler == SIG_DFL) {
        signal(SIGPIPE, SIG_IGN);
    }

    /* monitor_everything=false: register_columns() picks; retry=true:
     * reconnect with backoff after a drop, resending the monitor. */
    db->idl = ovsdb_idl_create(remote, &ovsrec_idl_class, false, true);
    register_columns(db->idl);
    *out = db;
    return 0;
}

void
vsdb_destroy(struct vsdb *db)
{
    if (!db) {
        return;
    }
    if (db->txn) {
        ovsdb_idl_txn_destroy(db->txn);
    }
    ovsdb_idl_destroy(db->idl);
    free(db->error);
    free(db);
}

static void
finish_txn(struct vsdb *db, enum ovsdb_idl_txn_status st)
{
    const struct ovsrec_open_vswitch *ovs;

    switch (st) {
    case TXN_SUCCESS:
        db->status = VSDB_TXN_DONE;
        db->next_cfg = ovsdb_idl_txn_get_increment_new_value(db->txn);
        db->stats.n_done++;
        break;
    case TXN_UNCHANGED:
        /* Nothing was sent, so next_cfg was not incremented (and the
         * accessor above asserts TXN_SUCCESS): wait for the current one. */
        db->status = VSDB_TXN_DONE;
        ovs = ovsrec_open_vswitch_first(db->idl);
        db->next_cfg = ovs ? ovs->next_cfg : 0;
        db->stats.n_done++;
        break;
    case TXN_TRY_AGAIN:
        db->status = VSDB_TXN_RETRY;
        db->stats.n_retries++;
        break;
    case TXN_UNCOMMITTED:
    case TXN_INCOMPLETE:
    case TXN_ABORTED:
    case TXN_NOT_LOCKED:
    case TXN_ERROR:
    default:
        db->status = VSDB_TXN_FAILED;
        free(db->error);
        db->error = strdup(ovsdb_idl_txn_get_error(db->txn));
        db->stats.n_failed++;
        break;
    }
    ovsdb_idl_txn_destroy(db->txn);
    db->txn = NULL;
}

static void
poll_txn(struct vsdb *db)
{
    if (db->txn) {
        enum ovsdb_idl_txn_status st = ovsdb_idl_txn_commit(db->txn);
        if (st != TXN_INCOMPLETE) {
            finish_txn(db, st);
        }
    }
}

void
vsdb_run(struct vsdb *db)
{
    ovsdb_idl_run(db->idl);
    poll_txn(db);
}

void
vsdb_wait(struct vsdb *db)
{
    ovsdb_idl_wait(db->idl);
    if (db->txn) {
        ovsdb_idl_txn_wait(db->txn);
    }
}

bool
vsdb_is_ready(const struct vsdb *db)
{
    /* The IDL keeps the old contents while reconnecting; a txn built on
     * them would only fail, so "ready" needs the session up as well. */
    return ovsdb_idl_is_connected(db->idl) &&
           ovsdb_idl_has_ever_connected(db->idl) &&
           ovsrec_open_vswitch_first(db->idl) != NULL;
}

unsigned int
vsdb_seqno(const struct vsdb *db)
{
    return ovsdb_idl_get_seqno(db->idl);
}

void
vsdb_poll_fd_wait(int fd, short events)
{
    poll_fd_wait(fd, events);
}

void
vsdb_poll_timer_wait(long long msec)
{
    poll_timer_wait(msec);
}

void
vsdb_poll_immediate_wake(void)
{
    poll_immediate_wake();
}

void
vsdb_poll_block(void)
{
    poll_block();
}

long long
vsdb_time_msec(void)
{
    return time_msec();
}

/* ---- Observe ----------------------------------------------------------- */

static bool
smap_owned(const struct smap *ids)
{
    return smap_get_bool(ids, VSDB_OWNED_KEY, false);
}

static int
copy_str(char **dst, const char *src)
{
    *dst = NULL;
    if (!src) {
        return 0;
    }
    *dst = strdup(src);
    return *dst ? 0 : -ENOMEM;
}

static int
cmp_kv(const void *a_, const void *b_)
{
    const struct vsdb_kv *a = a_, *b = b_;
    return strcmp(a->key, b->key);
}

static int
copy_smap(const struct smap *m, struct vsdb_kv **out, size_t *n_out)
{
    size_t n = smap_count(m);
    *n_out = 0;
    *out = calloc(n ? n : 1, sizeof **out);
    if (!*out) {
        return -ENOMEM;
    }
    const struct smap_node *node;
    SMAP_FOR_EACH(node, m)
    {
        struct vsdb_kv *kv = &(*out)[(*n_out)++];
        if (copy_str(&kv->key, node->key) ||
            copy_str(&kv->value, node->value)) {
            return -ENOMEM;
        }
    }
    qsort(*out, *n_out, sizeof **out, cmp_kv);
    return 0;
}

static int
cmp_port(const void *a_, const void *b_)
{
    const struct vsdb_port *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

static int
cmp_bridge(const void *a_, const void *b_)
{
    const struct vsdb_bridge *a = a_, *b = b_;
    return strcmp(a->name, b->name);
}

static int
copy_iface(const struct ovsrec_interface *r, struct vsdb_iface *i)
{
    i->ofport = r->n_ofport ? r->ofport[0] : -1;
    i->owned = smap_owned(&r->external_ids);
    if (copy_str(&i->name, r->name) || copy_str(&i->type, r->type) ||
        copy_str(&i->error, r->error) ||
        copy_str(&i->link_state, r->link_state)) {
        return -ENOMEM;
    }
    return 0;
}

static int
copy_port(const struct ovsrec_port *r, struct vsdb_port *p)
{
    p->owned = smap_owned(&r->external_ids);
    p->has_tag = r->n_tag > 0 && r->tag[0] >= 0 && r->tag[0] <= VSDB_TAG_MAX;
    p->tag = p->has_tag ? (unsigned)r->tag[0] : 0;
    if (copy_str(&p->name, r->name) ||
        copy_str(&p->key, smap_get(&r->external_ids, VSDB_PORT_KEY))) {
        return -ENOMEM;
    }
    p->ifaces =
        calloc(r->n_interfaces ? r->n_interfaces : 1, sizeof *p->ifaces);
    if (!p->ifaces) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < r->n_interfaces; i++) {
        p->n_ifaces++;
        if (copy_iface(r->interfaces[i], &p->ifaces[i])) {
            return -ENOMEM;
        }
    }
    return 0;
}

static int
copy_bridge(const struct ovsrec_bridge *r, struct vsdb_bridge *b)
{
    b->owned = smap_owned(&r->external_ids);
    if (copy_str(&b->name, r->name)) {
        return -ENOMEM;
    }
    b->ports = calloc(r->n_ports ? r->n_ports : 1, sizeof *b->ports);
    if (!b->ports) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < r->n_ports; i++) {
        b->n_ports++;
        if (copy_port(r->ports[i], &b->ports[i])) {
            return -ENOMEM;
        }
    }
    qsort(b->ports, b->n_ports, sizeof *b->ports, cmp_port);
    return 0;
}

static int
observe__(const struct vsdb *db, struct vsdb_state *s)
{
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(db->idl);
    s->ready = vsdb_is_ready(db);
    if (!s->ready) {
        return 0;
    }
    s->cur_cfg = ovs->cur_cfg;
    s->next_cfg = ovs->next_cfg;
    if (copy_str(&s->ovs_version, ovs->ovs_version) ||
        copy_smap(&ovs->other_config, &s->other_config, &s->n_other_config) ||
        copy_smap(&ovs->external_ids, &s->external_ids, &s->n_external_ids)) {
        return -ENOMEM;
    }
    /* Bridges of the root row only: orphans are garbage-collected. */
    s->bridges =
        calloc(ovs->n_bridges ? ovs->n_bridges : 1, sizeof *s->bridges);
    if (!s->bridges) {
        return -ENOMEM;
    }
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        s->n_bridges++;
        if (copy_bridge(ovs->bridges[i], &s->bridges[i])) {
            return -ENOMEM;
        }
    }
    qsort(s->bridges, s->n_bridges, sizeof *s->bridges, cmp_bridge);
    return 0;
}

int
vsdb_observe(const struct vsdb *db, struct vsdb_state **out)
{
    struct vsdb_state *s = calloc(1, sizeof *s);
    *out = NULL;
    if (!s) {
        return -ENOMEM;
    }
    int r = observe__(db, s);
    if (!r) {
        r = vsdb_state_index(s);
    }
    if (r < 0) {
        vsdb_state_free(s);
        return r;
    }
    *out = s;
    return 0;
}

/* ---- Commit ------------------------------------------------------------- */

static const struct ovsrec_bridge *
find_bridge(const struct ovsrec_open_vswitch *ovs, const char *name)
{
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        if (!strcmp(ovs->bridges[i]->name, name)) {
            return ovs->bridges[i];
        }
    }
    return NULL;
}

static const struct ovsrec_port *
find_port(const struct ovsrec_bridge *br, const char *name)
{
    for (size_t i = 0; br && i < br->n_ports; i++) {
        if (!strcmp(br->ports[i]->name, name)) {
            return br->ports[i];
        }
    }
    return NULL;
}

/* New rows get whole columns written: partial (mutate) updates are for
 * rows that already exist. */
static void
owned_ids(struct smap *ids)
{
    smap_init(ids);
    smap_add(ids, VSDB_OWNED_KEY, "true");
}

/* Sets (has_tag) or clears Port.tag. */
static void
set_port_tag(const struct ovsrec_port *port, bool has_tag, unsigned tag)
{
    int64_t value = tag;
    ovsrec_port_set_tag(port, has_tag ? &value : NULL, has_tag ? 1 : 0);
}

/* A port with one interface of the same name, both tagged if 'owned'
 * (external_ids, with op's port_key), with the access VLAN of 'op' (may
 * be NULL: none). */
static struct ovsrec_port *
insert_port(struct ovsdb_idl_txn *txn, const char *name, const char *type,
            bool owned, const struct vsdb_op *op)
{
    struct ovsrec_interface *iface = ovsrec_interface_insert(txn);
    ovsrec_interface_set_name(iface, name);
    if (type) {
        ovsrec_interface_set_type(iface, type);
    }
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    ovsrec_port_set_name(port, name);
    ovsrec_port_set_interfaces(port, &iface, 1);
    if (op && op->has_tag) {
        set_port_tag(port, true, op->tag);
    }
    if (owned) {
        struct smap ids;
        owned_ids(&ids);
        if (op && op->port_key) {
            smap_add(&ids, VSDB_PORT_KEY, op->port_key);
        }
        ovsrec_interface_set_external_ids(iface, &ids);
        ovsrec_port_set_external_ids(port, &ids);
        smap_destroy(&ids);
    }
    return port;
}

/* set-port-tag on 'port' (NULL: gone, nothing to do), with
 * prerequisites: still ours and its tag as the diff read it, or a
 * retry. */
static void
retag_port(const struct ovsrec_port *port, const struct vsdb_op *op)
{
    if (port) {
        ovsrec_port_verify_external_ids(port);
        ovsrec_port_verify_tag(port);
        set_port_tag(port, op->has_tag, op->tag);
    }
}

/* Copies 'cols' of 'from' to the new row 'to', each verified: a
 * concurrent change of the old row retries the transaction rather than
 * being lost. */
static void
copy_columns(const struct ovsdb_idl_row *from, const struct ovsdb_idl_row *to,
             const struct ovsdb_idl_column *const *cols, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_txn_verify(from, cols[i]);
        ovsdb_idl_txn_write_clone(to, cols[i], ovsdb_idl_read(from, cols[i]));
    }
}

/* The key on a port of ours and its interfaces (keys added one by one:
 * nothing else of their external_ids changes). */
static void
set_port_key(const struct ovsrec_port *port, const char *key)
{
    ovsrec_port_verify_external_ids(port);
    ovsrec_port_update_external_ids_setkey(port, VSDB_PORT_KEY, key);
    for (size_t i = 0; i < port->n_interfaces; i++) {
        ovsrec_interface_update_external_ids_setkey(port->interfaces[i],
                                                    VSDB_PORT_KEY, key);
    }
}

/* VSDB_OP_RENAME_PORT: names are immutable, so a new Port and Interface
 * with the new name and the old rows' configuration take their place in
 * the bridge's ports, in this one transaction (the old Interface goes
 * with its Port: garbage collection). The old port's external_ids are
 * verified: it must still be ours with that key. */
static void
rename_port(struct ovsdb_idl_txn *txn, const struct ovsrec_bridge *br,
            const struct vsdb_op *op)
{
    const struct ovsrec_port *old = find_port(br, op->from_port);
    struct ovsrec_interface *ifaces[4];
    /* The agent's ports have one interface; a row with more is not one
     * it made, whatever its key says. */
    if (!old || !old->n_interfaces || old->n_interfaces > 4) {
        return;
    }
    ovsrec_port_verify_external_ids(old);
    for (size_t i = 0; i < old->n_interfaces; i++) {
        const struct ovsrec_interface *oi = old->interfaces[i];
        ifaces[i] = ovsrec_interface_insert(txn);
        copy_columns(&oi->header_, &ifaces[i]->header_, carried_iface_cols,
                     N_CARRIED(carried_iface_cols));
        /* The port's own interface (the agent's are all so) follows. */
        ovsrec_interface_set_name(
            ifaces[i], strcmp(oi->name, old->name) ? oi->name : op->port);
    }
    struct ovsrec_port *port = ovsrec_port_insert(txn);
    copy_columns(&old->header_, &port->header_, carried_port_cols,
                 N_CARRIED(carried_port_cols));
    ovsrec_port_set_name(port, op->port);
    if (op->has_tag) {
        set_port_tag(port, true, op->tag);
    }
    ovsrec_port_set_interfaces(port, ifaces, old->n_interfaces);
    ovsrec_bridge_update_ports_delvalue(br, old);
    ovsrec_port_delete(old);
    ovsrec_bridge_update_ports_addvalue(br, port);
}

/* A bridge this transaction creates: its ports are written in one go at
 * the end (partial set updates are for rows that already exist). */
struct new_bridge {
    const char *name;
    struct ovsrec_bridge *row;
    struct ovsrec_port **ports;
    size_t n_ports;
};

static struct new_bridge *
find_new_bridge(struct new_bridge *nbs, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(nbs[i].name, name)) {
            return &nbs[i];
        }
    }
    return NULL;
}

/* Builds the transaction for 'plan' on the rows of this IDL run.
 * Prerequisites: the plan read the bridge list, every bridge's ports (to
 * know where a port is), the ownership tags of what it removes or
 * retags, the tags it changes and the Open_vSwitch maps whose keys it
 * compared. */
static int
build_txn(struct vsdb *db, const struct vsdb_want *want,
          const struct vsdb_plan *plan)
{
    const struct ovsrec_open_vswitch *ovs = ovsrec_open_vswitch_first(db->idl);
    /* Each op adds at most one port, plus one local port per bridge. */
    size_t cap = plan->n_ops + 1;
    struct new_bridge *nbs = calloc(cap, sizeof *nbs);
    struct ovsrec_port **port_pool = calloc(2 * cap, sizeof *port_pool);
    size_t n_nbs = 0, n_pool = 0;
    if (!nbs || !port_pool) {
        free(nbs);
        free(port_pool);
        return -ENOMEM;
    }
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(db->idl);
    ovsdb_idl_txn_add_comment(txn, "offload-agent: reconcile");

    ovsrec_open_vswitch_verify_bridges(ovs);
    for (size_t i = 0; i < ovs->n_bridges; i++) {
        ovsrec_bridge_verify_ports(ovs->bridges[i]);
    }
    if (want->n_other_config) {
        ovsrec_open_vswitch_verify_other_config(ovs);
    }
    if (want->n_external_ids) {
        ovsrec_open_vswitch_verify_external_ids(ovs);
    }

    for (size_t i = 0; i < plan->n_ops; i++) {
        const struct vsdb_op *op = &plan->ops[i];
        const struct ovsrec_bridge *br, *from;
        const struct ovsrec_port *port;
        struct new_bridge *nb;

        switch (op->type) {
        case VSDB_OP_ADD_BRIDGE:
            /* As ovs-vsctl add-br: the bridge's local internal port. It
             * is not tagged: it goes with the bridge, never alone. */
            nb = &nbs[n_nbs++];
            nb->name = op->bridge;
            nb->row = ovsrec_bridge_insert(txn);
            ovsrec_bridge_set_name(nb->row, op->bridge);
            struct smap ids;
            owned_ids(&ids);
            ovsrec_bridge_set_external_ids(nb->row, &ids);
            smap_destroy(&ids);
            nb->ports = &port_pool[n_pool];
            port_pool[n_pool++] =
                insert_port(txn, op->bridge, "internal", false, NULL);
            nb->n_ports = 1;
            ovsrec_open_vswitch_update_bridges_addvalue(ovs, nb->row);
            break;
        case VSDB_OP_MOVE_PORT:
            from = find_bridge(ovs, op->from_bridge);
            port = find_port(from, op->port);
            if (port) {
                ovsrec_bridge_update_ports_delvalue(from, port);
                ovsrec_port_delete(port);
            }
            /* A fresh, owned port on the wanted bridge: */
            __attribute__((fallthrough));
        case VSDB_OP_ADD_PORT:
            nb = find_new_bridge(nbs, n_nbs, op->bridge);
            if (nb) {
                /* The plan lists a new bridge's ports right after it. */
                port_pool[n_pool++] =
                    insert_port(txn, op->port, NULL, true, op);
                nb->n_ports++;
            } else if ((br = find_bridge(ovs, op->bridge))) {
                ovsrec_bridge_update_ports_addvalue(
                    br, insert_port(txn, op->port, NULL, true, op));
            }
            break;
        case VSDB_OP_DEL_PORT:
            br = find_bridge(ovs, op->bridge);
            port = find_port(br, op->port);
            if (port) {
                /* Its interfaces go with it (garbage collection). */
                ovsrec_port_verify_external_ids(port);
                ovsrec_bridge_update_ports_delvalue(br, port);
                ovsrec_port_delete(port);
            }
            break;
        case VSDB_OP_SET_PORT_TAG:
            retag_port(find_port(find_bridge(ovs, op->bridge), op->port), op);
            break;
        case VSDB_OP_RENAME_PORT:
            rename_port(txn, find_bridge(ovs, op->bridge), op);
            break;
        case VSDB_OP_SET_PORT_KEY:
            port = find_port(find_bridge(ovs, op->bridge), op->port);
            if (port) {
                set_port_key(port, op->port_key);
            }
            break;
        case VSDB_OP_SET_OTHER_CONFIG:
            ovsrec_open_vswitch_update_other_config_setkey(ovs, op->key,
                                                           op->value);
            break;
        case VSDB_OP_DEL_OTHER_CONFIG:
            ovsrec_open_vswitch_update_other_config_delkey(ovs, op->key);
            break;
        case VSDB_OP_SET_EXTERNAL_ID:
            ovsrec_open_vswitch_update_external_ids_setkey(ovs, op->key,
                                                           op->value);
            break;
        case VSDB_OP_DEL_EXTERNAL_ID:
            ovsrec_open_vswitch_update_external_ids_delkey(ovs, op->key);
            break;
        }
    }
    for (size_t i = 0; i < n_nbs; i++) {
        ovsrec_bridge_set_ports(nbs[i].row, nbs[i].ports, nbs[i].n_ports);
    }
    free(nbs);
    free(port_pool);

    /* ovs-vswitchd copies next_cfg to cur_cfg once it has applied it. */
    ovsdb_idl_txn_increment(txn, &ovs->header_,
                            &ovsrec_open_vswitch_col_next_cfg, false);
    db->txn = txn;
    db->txn_seqno = ovsdb_idl_get_seqno(db->idl);
    return 0;
}

int
vsdb_commit(struct vsdb *db, const struct vsdb_want *want,
            struct vsdb_plan **plan_out)
{
    if (plan_out) {
        *plan_out = NULL;
    }
    if (db->txn) {
        return -EBUSY;
    }
    if (!vsdb_is_ready(db)) {
        return -ENOTCONN;
    }
    /* Recomputing on the same contents would fail the same way. */
    if (db->status == VSDB_TXN_RETRY &&
        ovsdb_idl_get_seqno(db->idl) == db->txn_seqno) {
        return -EAGAIN;
    }

    struct vsdb_state *state;
    struct vsdb_plan *plan;
    int r = vsdb_observe(db, &state);
    if (r < 0) {
        return r;
    }
    r = vsdb_plan_compute(want, state, &plan);
    vsdb_state_free(state);
    if (r < 0) {
        return r;
    }
    if (!plan->n_ops) {
        db->stats.n_noops++;
        r = 0;
        goto out;
    }
    r = build_txn(db, want, plan);
    if (r < 0) {
        goto out;
    }
    free(db->error);
    db->error = NULL;
    db->status = VSDB_TXN_PENDING;
    if (db->hook) {
        db->hook(db->hook_aux);
    }
    db->stats.n_commits++;
    poll_txn(db);
    r = 1;
out:
    if (plan_out) {
        *plan_out = plan;
    } else {
        vsdb_plan_free(plan);
    }
    return r;
}

enum vsdb_txn_status
vsdb_txn_status(const struct vsdb *db, int64_t *next_cfg, const char **error)
{
    if (next_cfg) {
        *next_cfg = db->next_cfg;
    }
    if (error) {
        *error = db->error;
    }
    return db->status;
}

const char *
vsdb_txn_status_name(enum vsdb_txn_status status)
{
    switch (status) {
    case VSDB_TXN_NONE:
        return "none";
    case VSDB_TXN_PENDING:
        return "pending";
    case VSDB_TXN_DONE:
        return "done";
    case VSDB_TXN_RETRY:
        return "retry";
    case VSDB_TXN_FAILED:
        return "failed";
    }
    return "?";
}

void
vsdb_get_stats(const struct vsdb *db, struct vsdb_stats *stats)
{
    *stats = db->stats;
}

void
vsdb_set_precommit_hook(struct vsdb *db, void (*hook)(void *aux), void *aux)
{
    db->hook = hook;
    db->hook_aux = aux;
}

/* ---- Blocking helpers -------------------------------------------------- */

void
vsdb_set_cancel(struct vsdb *db, struct oa_cancel *cancel)
{
    db->cancel = cancel;
}

/* The poll loop once, woken also by the cancel fds. True when the wait
 * became moot (db->cancel). */
static bool
block_once(struct vsdb *db, long long deadline)
{
    vsdb_wait(db);
    poll_timer_wait_until(deadline);
    for (size_t i = 0; db->cancel && i < db->cancel->n_fds; i++) {
        if (db->cancel->fds[i] >= 0) {
            poll_fd_wait(db->cancel->fds[i], POLLIN);
        }
    }
    poll_block();
    vsdb_run(db);
    return oa_cancel_test(db->cancel);
}

static bool
cancelled(const struct vsdb *db)
{
    return db->cancel && db->cancel->cancelled;
}

int
vsdb_wait_ready_block(struct vsdb *db, long long timeout_ms)
{
    long long deadline = time_msec() + timeout_ms;
    vsdb_run(db);
    while (!vsdb_is_ready(db)) {
        if (cancelled(db)) {
            return -ECANCELED;
        }
        if (time_msec() >= deadline) {
            return -ETIMEDOUT;
        }
        block_once(db, deadline);
    }
    return 0;
}

int
vsdb_commit_block(struct vsdb *db, const struct vsdb_want *want,
                  long long timeout_ms, bool *committed, int64_t *next_cfg)
{
    long long deadline = time_msec() + timeout_ms;
    if (committed) {
        *committed = false;
    }
    vsdb_run(db);
    for (;;) {
        int r = vsdb_commit(db, want, NULL);
        if (r == 0) {
            return 0;
        }
        if (r == 1) {
            while (db->status == VSDB_TXN_PENDING) {
                if (cancelled(db)) {
                    return -ECANCELED;
                }
                if (time_msec() >= deadline) {
                    return -ETIMEDOUT;
                }
                block_once(db, deadline);
            }
            if (db->status == VSDB_TXN_DONE) {
                if (committed) {
                    *committed = true;
                }
                if (next_cfg) {
                    *next_cfg = db->next_cfg;
                }
                return 0;
            }
            if (db->status == VSDB_TXN_FAILED) {
                return -EPROTO;
            }
            continue; /* VSDB_TXN_RETRY: recompute at once if we can */
        }
        if (r != -EAGAIN && r != -ENOTCONN && r != -EBUSY) {
            return r;
        }
        if (cancelled(db)) {
            return -ECANCELED;
        }
        if (time_msec() >= deadline) {
            return -ETIMEDOUT;
        }
        block_once(db, deadline);
    }
}

int
vsdb_wait_applied_block(struct vsdb *db, int64_t next_cfg,
                        long long timeout_ms)
{
    long long deadline = time_msec() + timeout_ms;
    vsdb_run(db);
    for (;;) {
        const struct ovsrec_open_vswitch *ovs =
            ovsrec_open_vswitch_first(db->idl);
        if (ovs && ovs->cur_cfg >= next_cfg) {
            return 0;
        }
        if (cancelled(db)) {
            return -ECANCELED;
        }
        if (time_msec() >= deadline) {
            return -ETIMEDOUT;
        }
        block_once(db, deadline);
    }
}
