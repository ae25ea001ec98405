/* vsdb: the Open_vSwitch database, through Open vSwitch's C IDL.
 *
 * Everything of libopenvswitch is linked privately into liboa_ovsdb.a and
 * its symbols are localised: only vsdb_* is visible, no OVS header is
 * reachable from here (OVS's json_* would clash with jansson's).
 *
 * Model (ovn-controller's): the caller owns the main loop.
 *
 *     vsdb_run(db);                     process updates, finish commits
 *     vsdb_observe(db, &state);         plain copy of what the DB holds
 *     vsdb_commit(db, &want, NULL);     diff + one transaction, if needed
 *     vsdb_wait(db); ... vsdb_poll_block();
 *
 * Nothing here blocks except the functions whose names end in _block.
 * Errors are negative errno values. */
#ifndef OA_VSDB_H
#define OA_VSDB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The default database of the host spec's "ovs.db". */
#define VSDB_DEFAULT_REMOTE "unix:/run/openvswitch/db.sock"

/* external_ids key (value "true") on Bridge, Port and Interface rows the
 * agent created: it only ever removes rows that carry it. */
#define VSDB_OWNED_KEY "offload-agent-owned"

/* external_ids key on the agent's Port and Interface rows: what the port
 * is for, independent of its netdev's name ("<PF>/vf<N>", "<PF>/uplink").
 * A netdev renamed while attached is found again by it: its port is
 * re-pointed (VSDB_OP_RENAME_PORT), not deleted and added. */
#define VSDB_PORT_KEY "offload-agent-port"

/* ---- Connection and main loop ---------------------------------------- */

struct vsdb;

/* Creates a client for the Open_vSwitch database at 'remote' (an OVSDB
 * remote such as "unix:/run/openvswitch/db.sock"; NULL: the default).
 * Does not block: the connection is made, and remade after a drop, by
 * vsdb_run(). Also silences libopenvswitch's own logging, and ignores
 * SIGPIPE if its action is still the default (a write to a server that
 * went away would otherwise kill the process). Caller frees with
 * vsdb_destroy(). Returns 0 or -EINVAL / -ENOMEM. */
int vsdb_create(const char *remote, struct vsdb **out);
void vsdb_destroy(struct vsdb *db);

/* Processes what the server sent, reconnects if needed, and advances a
 * transaction in flight. Never blocks. */
void vsdb_run(struct vsdb *db);
/* Arranges for vsdb_poll_block() to wake when vsdb_run() has work. */
void vsdb_wait(struct vsdb *db);

/* True when connected and the database contents are in memory. */
bool vsdb_is_ready(const struct vsdb *db);
/* Changes whenever the in-memory contents change (updates, reconnects). */
unsigned int vsdb_seqno(const struct vsdb *db);

/* OVS's poll loop, for a daemon that adopts it as its main loop (as
 * ovn-controller does): register every wait, then block once.
 * Note: on its first use libopenvswitch installs handlers for SIGTERM,
 * SIGINT, SIGHUP, SIGALRM and SIGSEGV where they are still SIG_DFL, and
 * on such a signal runs its exit hooks and re-raises it. A daemon that
 * wants its own handling sets it up first (e.g. blocks the signals and
 * reads them from a signalfd registered with vsdb_poll_fd_wait()). */
void vsdb_poll_fd_wait(int fd, short events);
void vsdb_poll_timer_wait(long long msec);
void vsdb_poll_immediate_wake(void);
void vsdb_poll_block(void);
/* Monotonic milliseconds, the clock of vsdb_poll_timer_wait(). */
long long vsdb_time_msec(void);

/* ---- Observed state: plain copies, valid after the IDL changes ------- */

struct vsdb_kv {
    char *key;
    char *value;
};

struct vsdb_iface {
    char *name;
    char *type;       /* "" for a system interface */
    int64_t ofport;   /* -1: none (not yet assigned, or failed) */
    char *error;      /* NULL: no error reported */
    char *link_state; /* "up", "down", NULL: not reported */
    bool owned;
};

struct vsdb_port {
    char *name;
    bool owned;
    /* Port.tag, the port's access VLAN (0..4095); has_tag false: none. */
    bool has_tag;
    unsigned tag;
    char *key; /* external_ids:offload-agent-port; NULL: none */
    struct vsdb_iface *ifaces;
    size_t n_ifaces;
};

struct vsdb_bridge {
    char *name;
    bool owned;
    struct vsdb_port *ports; /* sorted by name */
    size_t n_ports;
};

struct vsdb_state {
    bool ready;                   /* false: nothing below is known */
    char *ovs_version;            /* NULL: ovs-vswitchd never reported one */
    int64_t cur_cfg;              /* what ovs-vswitchd has applied ... */
    int64_t next_cfg;             /* ... of what has been asked */
    struct vsdb_kv *other_config; /* Open_vSwitch, sorted by key */
    size_t n_other_config;
    struct vsdb_kv *external_ids; /* Open_vSwitch, sorted by key */
    size_t n_external_ids;
    struct vsdb_bridge *bridges; /* sorted by name */
    size_t n_bridges;
    /* Ports and interfaces by name (vsdb_state_index()), owned by the
     * state: the plan and the report look a port up per VF. NULL (a
     * hand-built state): the lookups scan every bridge. */
    struct vsdb_index *index;
};

/* Copies the current contents into a new state (state->ready false when
 * not connected or no snapshot yet). Caller frees with
 * vsdb_state_free(). Returns 0 or -ENOMEM. */
int vsdb_observe(const struct vsdb *db, struct vsdb_state **out);
void vsdb_state_free(struct vsdb_state *state);

/* Lookups in a state; NULL when absent. Results point into 'state'. */
const char *vsdb_kv_get(const struct vsdb_kv *kvs, size_t n, const char *key);
const struct vsdb_bridge *vsdb_state_bridge(const struct vsdb_state *state,
                                            const char *name);
/* The bridge holding port 'port' (first one, by name), or NULL. */
const struct vsdb_bridge *
vsdb_state_port_bridge(const struct vsdb_state *state, const char *port,
                       const struct vsdb_port **port_out);

/* The interface named 'name' (of any bridge), or NULL. */
const struct vsdb_iface *vsdb_state_iface(const struct vsdb_state *state,
                                          const char *name);

/* Indexes the ports and interfaces of 'state' by name, so that the two
 * lookups above search instead of scanning (vsdb_observe() does it; a
 * hand-built state may). The state must not change afterwards, and its
 * lookups count into the index: one thread at a time per state (the
 * daemon's doctor threads observe states of their own). 0 or -ENOMEM
 * (the state is then left without an index). */
int vsdb_state_index(struct vsdb_state *state);
/* The name comparisons the lookups of 'state' made through its index (0
 * without one): tests check that they stay logarithmic. */
size_t vsdb_state_index_compares(const struct vsdb_state *state);

enum vsdb_iface_health {
    VSDB_IFACE_ABSENT,  /* no such interface in the database */
    VSDB_IFACE_PENDING, /* no ofport and no error yet: not applied */
    VSDB_IFACE_OK,      /* ovs-vswitchd gave it an ofport, no error */
    VSDB_IFACE_ERROR,   /* ovs-vswitchd reported an error */
};

/* How ovs-vswitchd took interface 'name'. '*error' (may be NULL) gets
 * the error text, pointing into 'state', or NULL. */
enum vsdb_iface_health vsdb_state_iface_health(const struct vsdb_state *state,
                                               const char *name,
                                               const char **error);
const char *vsdb_iface_health_name(enum vsdb_iface_health health);

/* True when ovs-vswitchd has applied configuration 'next_cfg' (the value
 * a committed transaction set, see vsdb_txn_status()). */
bool vsdb_state_cfg_applied(const struct vsdb_state *state, int64_t next_cfg);

/* ---- Desired state, and the pure diff -------------------------------- */

/* A wanted port's tag (vsdb_want_bridge.tags). */
#define VSDB_TAG_LEAVE (-2) /* whatever the port has */
#define VSDB_TAG_NONE  (-1) /* no tag */
#define VSDB_TAG_MAX   4095

struct vsdb_want_bridge {
    const char *name;
    const char *const *ports; /* system interfaces: port name = iface name */
    size_t n_ports;
    /* NULL: every port's tag is left alone. Else one per port:
     * VSDB_TAG_LEAVE, VSDB_TAG_NONE or 0..VSDB_TAG_MAX. A port this
     * transaction creates gets its tag in the new row; an existing port's
     * tag changes only when the port is the agent's (owned). */
    const int *tags;
    /* NULL, or per port its key (VSDB_PORT_KEY; a NULL entry: none): an
     * owned port of the bridge with that key and a name nobody wants is
     * renamed to the wanted name; ports get their key when added. */
    const char *const *keys;
};

struct vsdb_want_key {
    const char *key;
    const char *value; /* NULL: the key must be absent */
};

/* What the agent wants. Keys not listed are left alone; ports the agent
 * does not own are never removed. A wanted port found on another bridge
 * is moved (the spec names it, so the spec wins). */
struct vsdb_want {
    const struct vsdb_want_bridge *bridges;
    size_t n_bridges;
    const struct vsdb_want_key *other_config; /* Open_vSwitch other_config */
    size_t n_other_config;
    const struct vsdb_want_key *external_ids; /* Open_vSwitch external_ids */
    size_t n_external_ids;
};

enum vsdb_op_type {
    VSDB_OP_ADD_BRIDGE,       /* bridge */
    VSDB_OP_ADD_PORT,         /* bridge, port */
    VSDB_OP_MOVE_PORT,        /* from_bridge -> bridge, port */
    VSDB_OP_DEL_PORT,         /* bridge, port: owned, no longer wanted */
    VSDB_OP_SET_PORT_TAG,     /* bridge, port (owned), tag (none: clear) */
    VSDB_OP_SET_OTHER_CONFIG, /* key, value */
    VSDB_OP_DEL_OTHER_CONFIG, /* key */
    VSDB_OP_SET_EXTERNAL_ID,  /* key, value */
    VSDB_OP_DEL_EXTERNAL_ID,  /* key */
    /* bridge, from_port -> port, port_key: the owned port with that key
     * gets the wanted name. Port.name and Interface.name are immutable
     * (vswitch.ovsschema), so new rows replace the old ones, carrying
     * their configuration over, and the bridge's ports set swaps them in
     * the same transaction: the port never is absent. */
    VSDB_OP_RENAME_PORT,
    VSDB_OP_SET_PORT_KEY, /* bridge, port, port_key: an owned port without it */
};

struct vsdb_op {
    enum vsdb_op_type type;
    const char *bridge;
    const char *from_bridge;
    const char *port;
    const char *key;       /* the Open_vSwitch key ops' */
    const char *value;     /* the Open_vSwitch key ops' */
    const char *from_port; /* RENAME_PORT: the name it had */
    const char *port_key;  /* VSDB_PORT_KEY's value (port ops; may be NULL) */
    /* add-port, move-port, rename-port: the new port's tag (rename-port:
     * has_tag false keeps the old row's); set-port-tag: the tag (has_tag
     * false: cleared). */
    bool has_tag;
    unsigned tag;
};

struct vsdb_plan {
    struct vsdb_op *ops; /* in the order they are applied */
    size_t n_ops;
    /* Name and key comparisons the diff made: O(ports log ports), which
     * the tests hold it to (a lookup by scan would make it quadratic). */
    size_t n_compares;
};

/* Pure: the operations that turn 'state' into 'want'. Empty when
 * converged. -EINVAL when 'want' names a port twice or a bridge twice or
 * has a tag out of range, -ENODATA when 'state' is not ready. Caller frees with
 * vsdb_plan_free(). */
int vsdb_plan_compute(const struct vsdb_want *want,
                      const struct vsdb_state *state, struct vsdb_plan **out);
void vsdb_plan_free(struct vsdb_plan *plan);
/* "add-bridge", "add-port", ...: a static string. */
const char *vsdb_op_type_name(enum vsdb_op_type type);

/* ---- Transactions ----------------------------------------------------- */

enum vsdb_txn_status {
    VSDB_TXN_NONE,    /* no transaction started yet */
    VSDB_TXN_PENDING, /* sent, no answer yet */
    VSDB_TXN_DONE,    /* committed */
    VSDB_TXN_RETRY,   /* a concurrent change: call vsdb_commit() again */
    VSDB_TXN_FAILED,  /* rejected: see the error text */
};

/* Diffs 'want' against the current contents and, if anything differs,
 * starts ONE transaction doing all of it, with prerequisites on every
 * value the diff read (so a concurrent edit yields VSDB_TXN_RETRY, not a
 * lost update) and next_cfg incremented. Returns 0 when no transaction is
 * needed, 1 when one was started, -ENOTCONN when not ready, -EBUSY while
 * one is in flight, -EAGAIN after VSDB_TXN_RETRY until the IDL has seen
 * the concurrent change, -EINVAL for a bad 'want'. If 'plan_out' is not
 * NULL it receives the plan (caller frees with vsdb_plan_free()). */
int vsdb_commit(struct vsdb *db, const struct vsdb_want *want,
                struct vsdb_plan **plan_out);

/* The outcome of the last transaction. When DONE, '*next_cfg' is the
 * value to wait for in cur_cfg; when FAILED, '*error' is the server's
 * text (owned by 'db', valid until the next vsdb_commit()). Either
 * pointer may be NULL. */
enum vsdb_txn_status vsdb_txn_status(const struct vsdb *db, int64_t *next_cfg,
                                     const char **error);
const char *vsdb_txn_status_name(enum vsdb_txn_status status);

struct vsdb_stats {
    unsigned int n_commits; /* transactions sent */
    unsigned int n_done;
    unsigned int n_retries;
    unsigned int n_failed;
    unsigned int n_noops; /* vsdb_commit() calls that needed none */
};
void vsdb_get_stats(const struct vsdb *db, struct vsdb_stats *stats);

/* For tests: called by vsdb_commit() after the transaction is built and
 * before it is sent, to make a concurrent edit deterministic. */
void vsdb_set_precommit_hook(struct vsdb *db, void (*hook)(void *aux),
                             void *aux);

/* ---- Blocking helpers ------------------------------------------------- */

/* Bounded waits for one reconcile's apply (agentctl and the daemon) and
 * tests. They run OVS's poll loop on the calling thread; the daemon's
 * control socket is served by a thread of its own meanwhile
 * (docs/architecture.md), so nothing else waits on them. */

/* Every blocking helper below also ends, with -ECANCELED, once 'cancel'
 * (borrowed, may be NULL; oa-common/cancel.h) is cancelled: its fds wake
 * the poll loop. The daemon sets its own, so that SIGTERM or a new spec
 * ends an OVSDB wait at once. */
struct oa_cancel;
void vsdb_set_cancel(struct vsdb *db, struct oa_cancel *cancel);

/* Runs the poll loop until ready. 0, -ETIMEDOUT or -ECANCELED. */
int vsdb_wait_ready_block(struct vsdb *db, long long timeout_ms);

/* Commits 'want' (retrying after concurrent changes) and waits for the
 * answer. 0 when committed or nothing to do ('*committed' tells which,
 * '*next_cfg' as in vsdb_txn_status(); both may be NULL), -ETIMEDOUT,
 * -EPROTO when the server rejected it, or vsdb_commit()'s errors. */
int vsdb_commit_block(struct vsdb *db, const struct vsdb_want *want,
                      long long timeout_ms, bool *committed,
                      int64_t *next_cfg);

/* Waits until ovs-vswitchd has applied 'next_cfg'. 0 or -ETIMEDOUT. */
int vsdb_wait_applied_block(struct vsdb *db, int64_t next_cfg,
                            long long timeout_ms);

/* ---- unixctl --------------------------------------------------------- */

/* Runs 'command' with 'argc' arguments at the OVS daemon whose unixctl
 * socket is 'ctl_path' (e.g. /run/openvswitch/ovs-vswitchd.PID.ctl), as
 * ovs-appctl does. On 0, '*result' holds the daemon's answer, or
 * '*error' its error text (caller frees both; either may be NULL).
 * Negative errno when the socket cannot be reached, -ETIMEDOUT when the
 * daemon did not answer within 'timeout_ms' (stopped, stuck), -EPIPE
 * when it closed the connection. */
int vsdb_unixctl_call(const char *ctl_path, const char *command, int argc,
                      char *argv[], int timeout_ms, char **result,
                      char **error);

#endif
