/* vsdb against a real ovsdb-server (tests/ovsdb/with-ovsdb-server): what
 * the agent writes is checked with ovs-vsctl, an independent client. */
#include <check.h>
#include <errno.h>
#include <signal.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsdb-offload.h"
#include "vsdb-test-util.h"
#include "vsdb.h"

#define TIMEOUT_MS 20000

static struct vsdb *
connect_db(void)
{
    struct vsdb *db;
    ck_assert_int_eq(vsdb_create(test_remote(), &db), 0);
    ck_assert_int_eq(vsdb_wait_ready_block(db, TIMEOUT_MS), 0);
    return db;
}

/* Commits and returns whether a transaction was needed. */
static bool
commit(struct vsdb *db, const struct vsdb_want *want)
{
    bool committed = false;
    int r = vsdb_commit_block(db, want, TIMEOUT_MS, &committed, NULL);
    ck_assert_msg(r == 0, "vsdb_commit_block: %s", strerror(-r));
    return committed;
}

static const char *const sriov_ports[] = {
    "pf0",   "pf0_0", "pf0_1", "pf0_2", "pf0_3",
    "pf0_4", "pf0_5", "pf0_6", "pf0_7",
};
static const struct vsdb_want_bridge sriov_bridge = {"ovs-sriov", sriov_ports,
                                                     9, NULL, NULL};
static const struct vsdb_want_key offload_keys[] = {
    {VSDB_KEY_HW_OFFLOAD, "true"},
    {VSDB_KEY_TC_POLICY, "none"},
    {VSDB_KEY_MAX_IDLE, "10000"},
};

START_TEST(test_full_setup_one_transaction)
{
    char out[8192];
    test_reset_db();
    /* Somebody else's key: set single keys, never the whole map. */
    vsctl_ok(NULL, 0, "set Open_vSwitch . other_config:foo=bar");
    long long next_before =
        atoll(vsctl_ok(out, sizeof out, "get Open_vSwitch . next_cfg"));

    struct vsdb *db = connect_db();
    struct vsdb_want want = {.bridges = &sriov_bridge,
                             .n_bridges = 1,
                             .other_config = offload_keys,
                             .n_other_config = 3};
    bool committed;
    int64_t next_cfg = -1;
    ck_assert_int_eq(
        vsdb_commit_block(db, &want, TIMEOUT_MS, &committed, &next_cfg), 0);
    ck_assert(committed);

    struct vsdb_stats stats;
    vsdb_get_stats(db, &stats);
    printf("full setup, 1 bridge + 1 uplink + 8 representors + 3 "
           "other_config keys: %u OVSDB transaction(s)\n",
           stats.n_commits);
    ck_assert_uint_eq(stats.n_commits, 1);
    ck_assert_uint_eq(stats.n_done, 1);

    /* What an independent client sees. */
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-br"), "ovs-sriov");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports ovs-sriov"),
                     "pf0\npf0_0\npf0_1\npf0_2\npf0_3\npf0_4\npf0_5\npf0_6\n"
                     "pf0_7");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ifaces ovs-sriov"),
                     "pf0\npf0_0\npf0_1\npf0_2\npf0_3\npf0_4\npf0_5\npf0_6\n"
                     "pf0_7");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Open_vSwitch . other_config"),
        "{foo=bar, hw-offload=\"true\", max-idle=\"10000\", "
        "tc-policy=none}");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out,
                 "--columns=name,external_ids find Port name=pf0_7"),
        "name                : pf0_7\nexternal_ids        : "
        "{offload-agent-owned=\"true\"}");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Interface pf0_3 external_ids type"),
        "{offload-agent-owned=\"true\"}\n\"\"");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Bridge ovs-sriov external_ids"),
        "{offload-agent-owned=\"true\"}");
    /* The bridge's local port, as ovs-vsctl add-br makes it. */
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Interface ovs-sriov type"),
                     "internal");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Port ovs-sriov external_ids"), "{}");
    /* next_cfg was incremented, and we were told the value. */
    ck_assert_int_eq(next_cfg, next_before + 1);
    ck_assert_int_eq(
        atoll(vsctl_ok(out, sizeof out, "get Open_vSwitch . next_cfg")),
        next_cfg);

    /* Idempotent: the same want again needs no transaction... */
    ck_assert(!commit(db, &want));
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_commits, 1);
    ck_assert_uint_eq(stats.n_noops, 1);
    struct vsdb_plan *plan;
    ck_assert_int_eq(vsdb_commit(db, &want, &plan), 0);
    ck_assert_uint_eq(plan->n_ops, 0);
    vsdb_plan_free(plan);
    vsdb_destroy(db);

    /* ... also for a new client (a restarted agent). */
    db = connect_db();
    ck_assert(!commit(db, &want));
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_commits, 0);
    vsdb_destroy(db);
}
END_TEST

START_TEST(test_observe)
{
    char out[256];
    test_reset_db();
    vsctl_ok(NULL, 0,
             "add-br br0 -- add-port br0 up0 -- add-port br0 bad0 "
             "-- set Interface up0 ofport=7 link_state=up "
             "-- set Interface bad0 ofport=-1 "
             "'error=\"could not open network device bad0 (No such device)\"' "
             "-- set Open_vSwitch . ovs_version=3.1.0 cur_cfg=4 next_cfg=5 "
             "other_config:hw-offload=true external_ids:x=y");
    struct vsdb *db = connect_db();
    struct vsdb_state *st;
    ck_assert_int_eq(vsdb_observe(db, &st), 0);
    ck_assert(st->ready);
    ck_assert_str_eq(st->ovs_version, "3.1.0");
    ck_assert_int_eq(st->cur_cfg, 4);
    ck_assert_int_eq(st->next_cfg, 5);
    ck_assert(!vsdb_state_cfg_applied(st, 5));
    ck_assert_str_eq(
        vsdb_kv_get(st->other_config, st->n_other_config, "hw-offload"),
        "true");
    ck_assert_str_eq(vsdb_kv_get(st->external_ids, st->n_external_ids, "x"),
                     "y");
    const struct vsdb_bridge *br = vsdb_state_bridge(st, "br0");
    ck_assert_ptr_nonnull(br);
    ck_assert(!br->owned);
    ck_assert_uint_eq(br->n_ports, 3); /* sorted: bad0, br0, up0 */
    ck_assert_str_eq(br->ports[0].name, "bad0");
    ck_assert_str_eq(br->ports[2].name, "up0");
    const struct vsdb_iface *up = vsdb_state_iface(st, "up0");
    ck_assert_int_eq(up->ofport, 7);
    ck_assert_ptr_null(up->error);
    ck_assert_str_eq(up->link_state, "up");
    ck_assert_str_eq(up->type, "");
    const struct vsdb_iface *bad = vsdb_state_iface(st, "bad0");
    ck_assert_int_eq(bad->ofport, -1);
    ck_assert_str_eq(bad->error,
                     "could not open network device bad0 (No such device)");
    ck_assert_ptr_null(bad->link_state);
    ck_assert_str_eq(vsdb_state_iface(st, "br0")->type, "internal");
    const char *err;
    ck_assert_int_eq(vsdb_state_iface_health(st, "up0", &err), VSDB_IFACE_OK);
    ck_assert_ptr_null(err);
    ck_assert_int_eq(vsdb_state_iface_health(st, "bad0", &err),
                     VSDB_IFACE_ERROR);
    ck_assert_str_eq(err, bad->error);
    ck_assert_int_eq(vsdb_state_iface_health(st, "br0", NULL),
                     VSDB_IFACE_PENDING);
    ck_assert_int_eq(vsdb_state_iface_health(st, "nope", &err),
                     VSDB_IFACE_ABSENT);
    vsdb_state_free(st);

    /* ovs-vswitchd catching up (simulated: none runs here). */
    vsctl_ok(out, sizeof out, "set Open_vSwitch . cur_cfg=5");
    ck_assert_int_eq(vsdb_wait_applied_block(db, 5, TIMEOUT_MS), 0);
    ck_assert_int_eq(vsdb_wait_applied_block(db, 6, 300), -ETIMEDOUT);
    vsdb_destroy(db);
}
END_TEST

/* ---- Concurrent edits between our read and our commit ---- */

struct hook_arg {
    const char *vsctl_args;
    int runs;
};

static void
concurrent_edit(void *arg_)
{
    struct hook_arg *arg = arg_;
    if (arg->runs++ == 0) {
        vsctl_ok(NULL, 0, "%s", arg->vsctl_args);
    }
}

START_TEST(test_concurrent_key_edit_retried)
{
    char out[512];
    test_reset_db();
    vsctl_ok(NULL, 0, "set Open_vSwitch . other_config:hw-offload=true");
    struct vsdb *db = connect_db();
    /* We read hw-offload=true and only write tc-policy; meanwhile
     * hw-offload is turned off. Without the prerequisite our commit would
     * succeed and leave hw-offload=false: a lost update. */
    struct hook_arg arg = {"set Open_vSwitch . other_config:hw-offload=false",
                           0};
    vsdb_set_precommit_hook(db, concurrent_edit, &arg);
    struct vsdb_want_key keys[] = {{VSDB_KEY_HW_OFFLOAD, "true"},
                                   {VSDB_KEY_TC_POLICY, "skip_sw"}};
    struct vsdb_want want = {.other_config = keys, .n_other_config = 2};

    struct vsdb_plan *plan;
    ck_assert_int_eq(vsdb_commit(db, &want, &plan), 1);
    ck_assert_uint_eq(plan->n_ops, 1);
    ck_assert_int_eq(plan->ops[0].type, VSDB_OP_SET_OTHER_CONFIG);
    vsdb_plan_free(plan);
    /* One transaction at a time. */
    ck_assert_int_eq(vsdb_commit(db, &want, NULL), -EBUSY);
    while (vsdb_txn_status(db, NULL, NULL) == VSDB_TXN_PENDING) {
        vsdb_wait(db);
        vsdb_poll_block();
        vsdb_run(db);
    }
    ck_assert_int_eq(vsdb_txn_status(db, NULL, NULL), VSDB_TXN_RETRY);

    ck_assert(commit(db, &want));
    struct vsdb_stats stats;
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_retries, 1);
    ck_assert_uint_eq(stats.n_done, 1);
    ck_assert_int_eq(arg.runs, 2);
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Open_vSwitch . other_config"),
        "{hw-offload=\"true\", tc-policy=skip_sw}");
    vsdb_destroy(db);
}
END_TEST

START_TEST(test_concurrent_bridge_creation_retried)
{
    char out[512];
    test_reset_db();
    struct vsdb *db = connect_db();
    /* We decide br0 does not exist; meanwhile an operator creates it with
     * a port of theirs. The retry must add our ports to their bridge,
     * not fail on the duplicate name or drop their port. */
    struct hook_arg arg = {"add-br br0 -- add-port br0 vm1", 0};
    vsdb_set_precommit_hook(db, concurrent_edit, &arg);
    const char *ports[] = {"pf0", "pf0_0"};
    struct vsdb_want_bridge wb = {"br0", ports, 2, NULL, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert(commit(db, &want));

    struct vsdb_stats stats;
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_retries, 1);
    ck_assert_uint_eq(stats.n_done, 1);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-br"), "br0");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"),
                     "pf0\npf0_0\nvm1");
    /* Their bridge stays theirs. */
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Bridge br0 external_ids"),
                     "{}");
    vsdb_destroy(db);
}
END_TEST

/* ---- Ownership ---- */

START_TEST(test_ownership)
{
    char out[512];
    test_reset_db();
    vsctl_ok(NULL, 0, "add-br br0 -- add-port br0 vm1 -- add-port br0 pf0");
    struct vsdb *db = connect_db();

    /* pf0 exists already (theirs, right bridge): left as it is. */
    const char *ports2[] = {"pf0", "pf0_0"};
    struct vsdb_want_bridge wb = {"br0", ports2, 2, NULL, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"),
                     "pf0\npf0_0\nvm1");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0 external_ids"),
                     "{}");

    /* The spec drops everything: only our pf0_0 goes. */
    wb.n_ports = 0;
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"), "pf0\nvm1");
    ck_assert_int_ne(vsctl(out, sizeof out, "get Interface pf0_0 name"), 0);
    ck_assert(!commit(db, &want));

    /* And with no bridge wanted at all, their bridge stays. */
    struct vsdb_want none = {0};
    ck_assert(!commit(db, &none));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"), "pf0\nvm1");
    vsdb_destroy(db);
}
END_TEST

START_TEST(test_move_port)
{
    char out[512];
    test_reset_db();
    vsctl_ok(NULL, 0,
             "add-br br-old -- add-port br-old pf0_1 -- add-port br-old vm1");
    struct vsdb *db = connect_db();
    const char *ports[] = {"pf0_1"};
    struct vsdb_want_bridge wb = {"br-new", ports, 1, NULL, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    struct vsdb_plan *plan;
    ck_assert_int_eq(vsdb_commit(db, &want, &plan), 1);
    ck_assert_uint_eq(plan->n_ops, 2);
    ck_assert_int_eq(plan->ops[1].type, VSDB_OP_MOVE_PORT);
    vsdb_plan_free(plan);
    while (vsdb_txn_status(db, NULL, NULL) == VSDB_TXN_PENDING) {
        vsdb_wait(db);
        vsdb_poll_block();
        vsdb_run(db);
    }
    ck_assert_int_eq(vsdb_txn_status(db, NULL, NULL), VSDB_TXN_DONE);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br-old"), "vm1");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br-new"), "pf0_1");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "port-to-br pf0_1"), "br-new");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_1 external_ids"),
                     "{offload-agent-owned=\"true\"}");
    vsdb_run(db);
    ck_assert(!commit(db, &want));
    vsdb_destroy(db);
}
END_TEST

/* ---- Port.tag ---- */

/* Runs the IDL until it has seen a change after 'seqno' (an ovs-vsctl
 * edit made meanwhile). */
static void
wait_change(struct vsdb *db, unsigned int seqno)
{
    long long deadline = vsdb_time_msec() + TIMEOUT_MS;
    vsdb_run(db);
    while (vsdb_seqno(db) == seqno) {
        ck_assert_msg(vsdb_time_msec() < deadline, "no update from OVSDB");
        vsdb_wait(db);
        vsdb_poll_timer_wait(100);
        vsdb_poll_block();
        vsdb_run(db);
    }
}

/* The one op of the transaction 'want' needs now, which must be 'type'. */
static void
expect_one_op(struct vsdb *db, const struct vsdb_want *want,
              enum vsdb_op_type type)
{
    struct vsdb_state *state;
    struct vsdb_plan *plan;
    ck_assert_int_eq(vsdb_observe(db, &state), 0);
    ck_assert_int_eq(vsdb_plan_compute(want, state, &plan), 0);
    ck_assert_uint_eq(plan->n_ops, 1);
    ck_assert_int_eq(plan->ops[0].type, type);
    vsdb_plan_free(plan);
    vsdb_state_free(state);
}

START_TEST(test_port_tags)
{
    char out[512];
    test_reset_db();
    vsctl_ok(NULL, 0, "add-br br0 -- add-port br0 vm1 tag=7");
    struct vsdb *db = connect_db();
    const char *ports[] = {"pf0_0", "pf0_1", "vm1"};
    const int tags[] = {100, VSDB_TAG_NONE, VSDB_TAG_NONE};
    struct vsdb_want_bridge wb = {"br0", ports, 3, tags, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};

    /* New ports get their tag in the row; a foreign port keeps its. */
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_0 tag"), "100");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_1 tag"), "[]");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port vm1 tag"), "7");
    ck_assert(!commit(db, &want));

    /* Observed: none vs a value. */
    struct vsdb_state *state;
    const struct vsdb_port *port;
    ck_assert_int_eq(vsdb_observe(db, &state), 0);
    ck_assert_ptr_nonnull(vsdb_state_port_bridge(state, "pf0_0", &port));
    ck_assert(port->has_tag && port->tag == 100 && port->owned);
    vsdb_state_port_bridge(state, "pf0_1", &port);
    ck_assert(!port->has_tag);
    vsdb_state_port_bridge(state, "vm1", &port);
    ck_assert(port->has_tag && port->tag == 7 && !port->owned);
    vsdb_state_free(state);

    /* Changed or cleared behind our back: set again, in place (the
     * port row stays: same _uuid). */
    char uuid[64];
    vsctl_ok(uuid, sizeof uuid, "get Port pf0_0 _uuid");
    unsigned int seqno = vsdb_seqno(db);
    vsctl_ok(NULL, 0, "set Port pf0_0 tag=200 -- set Port pf0_1 tag=5");
    wait_change(db, seqno);
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_0 tag"), "100");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_1 tag"), "[]");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_0 _uuid"), uuid);
    seqno = vsdb_seqno(db);
    vsctl_ok(NULL, 0, "clear Port pf0_0 tag");
    wait_change(db, seqno);
    expect_one_op(db, &want, VSDB_OP_SET_PORT_TAG);
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_0 tag"), "100");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port vm1 tag"), "7");

    /* No tags in the want: every tag is left alone. */
    wb.tags = NULL;
    seqno = vsdb_seqno(db);
    vsctl_ok(NULL, 0, "set Port pf0_0 tag=300");
    wait_change(db, seqno);
    ck_assert(!commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0_0 tag"), "300");
    vsdb_destroy(db);
}
END_TEST

/* ---- Connection loss ---- */

/* ---- Keys: a renamed netdev's port is re-pointed, not re-added ---- */

/* Runs the IDL until it has seen a change made by another client after
 * 'seqno'. */
static void
catch_up(struct vsdb *db, unsigned int seqno)
{
    long long deadline = vsdb_time_msec() + TIMEOUT_MS;
    vsdb_run(db);
    while (vsdb_seqno(db) == seqno) {
        ck_assert_msg(vsdb_time_msec() < deadline,
                      "no update from the server");
        vsdb_wait(db);
        vsdb_poll_timer_wait(100);
        vsdb_poll_block();
        vsdb_run(db);
    }
}

START_TEST(test_rename_port_by_key)
{
    char out[1024], uuid[64];
    test_reset_db();
    struct vsdb *db = connect_db();
    const char *ports[] = {"pf0", "eth5"};
    const char *keys[] = {"d/uplink", "d/vf0"};
    struct vsdb_want_bridge wb = {"br0", ports, 2, NULL, keys};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out,
                              "get Port eth5 external_ids:offload-agent-port"),
                     "\"d/vf0\"");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out,
                 "get Interface eth5 external_ids:offload-agent-port"),
        "\"d/vf0\"");

    /* What an operator (or the VLAN setting) put on the port. */
    unsigned int seqno = vsdb_seqno(db);
    vsctl_ok(NULL, 0,
             "set Port eth5 tag=100 other_config:foo=bar qos=@q -- "
             "--id=@q create QoS type=linux-noop -- set Interface eth5 "
             "ofport_request=42 options:x=y external_ids:op=1");
    vsctl_ok(uuid, sizeof uuid, "get QoS . _uuid");
    catch_up(db, seqno);

    /* The netdev is now r0: one transaction renames the port. */
    ports[1] = "r0";
    struct vsdb_stats before, after;
    vsdb_get_stats(db, &before);
    struct vsdb_plan *plan = NULL;
    ck_assert_int_eq(vsdb_commit(db, &want, &plan), 1);
    ck_assert_uint_eq(plan->n_ops, 1);
    ck_assert_int_eq(plan->ops[0].type, VSDB_OP_RENAME_PORT);
    vsdb_plan_free(plan);
    ck_assert(!commit(db, &want)); /* finishes it; nothing more to do */
    vsdb_get_stats(db, &after);
    ck_assert_uint_eq(after.n_commits, before.n_commits + 1);
    ck_assert_uint_eq(after.n_done, before.n_done + 1);

    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"), "pf0\nr0");
    ck_assert_int_ne(vsctl(out, sizeof out, "get Interface eth5 name"), 0);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port r0 tag"), "100");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port r0 other_config"),
                     "{foo=bar}");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port r0 qos"), uuid);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port r0 external_ids"),
                     "{offload-agent-owned=\"true\", "
                     "offload-agent-port=\"d/vf0\"}");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Interface r0 external_ids"),
        "{offload-agent-owned=\"true\", offload-agent-port=\"d/vf0\", "
        "op=\"1\"}");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Interface r0 ofport_request"), "42");
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Interface r0 options"),
                     "{x=y}");
    vsdb_destroy(db);
}
END_TEST

/* A port of ours without a key (an older agent added it) gets the key
 * on the same row: not removed and added. */
START_TEST(test_port_key_set_in_place)
{
    char out[512], uuid[64];
    test_reset_db();
    vsctl_ok(NULL, 0,
             "add-br br0 -- add-port br0 pf0 -- set Port pf0 "
             "external_ids:offload-agent-owned=true -- set Interface pf0 "
             "external_ids:offload-agent-owned=true");
    vsctl_ok(uuid, sizeof uuid, "get Port pf0 _uuid");
    struct vsdb *db = connect_db();
    const char *ports[] = {"pf0"};
    const char *keys[] = {"d/uplink"};
    struct vsdb_want_bridge wb = {"br0", ports, 1, NULL, keys};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert(commit(db, &want));
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "get Port pf0 _uuid"), uuid);
    ck_assert_str_eq(vsctl_ok(out, sizeof out,
                              "get Port pf0 external_ids:offload-agent-port"),
                     "\"d/uplink\"");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out,
                 "get Interface pf0 external_ids:offload-agent-port"),
        "\"d/uplink\"");
    ck_assert(!commit(db, &want));
    vsdb_destroy(db);
}
END_TEST

START_TEST(test_server_restart_reconnects)
{
    char out[512];
    test_reset_db();
    struct vsdb *db = connect_db();
    const char *ports[] = {"pf0"};
    struct vsdb_want_bridge wb = {"br0", ports, 1, NULL, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert(commit(db, &want));
    unsigned int seqno = vsdb_seqno(db);

    test_restart_server();

    /* The next reconcile goes through once the client has reconnected. */
    const char *ports2[] = {"pf0", "pf0_0"};
    wb.ports = ports2;
    wb.n_ports = 2;
    ck_assert(commit(db, &want));
    ck_assert_uint_ne(vsdb_seqno(db), seqno);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"),
                     "pf0\npf0_0");
    ck_assert(!commit(db, &want));
    ck_assert(vsdb_is_ready(db));
    vsdb_destroy(db);
}
END_TEST

static void
restart_server_once(void *runs_)
{
    int *runs = runs_;
    if ((*runs)++ == 0) {
        test_restart_server();
    }
}

START_TEST(test_server_restart_during_commit)
{
    char out[512];
    test_reset_db();
    struct vsdb *db = connect_db();
    /* The connection drops between building the transaction and sending
     * it: the transaction must be retried on the new connection, not
     * lost and not reported as failed. */
    int runs = 0;
    vsdb_set_precommit_hook(db, restart_server_once, &runs);
    const char *ports[] = {"pf0", "pf0_0"};
    struct vsdb_want_bridge wb = {"br0", ports, 2, NULL, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert(commit(db, &want));
    ck_assert_int_eq(runs, 2);
    struct vsdb_stats stats;
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_retries, 1);
    ck_assert_uint_eq(stats.n_done, 1);
    ck_assert_uint_eq(stats.n_failed, 0);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br0"),
                     "pf0\npf0_0");
    ck_assert(!commit(db, &want));
    vsdb_destroy(db);
}
END_TEST

START_TEST(test_no_server)
{
    struct vsdb *db;
    ck_assert_int_eq(vsdb_create("unix:/nonexistent/db.sock", &db), 0);
    vsdb_run(db);
    ck_assert(!vsdb_is_ready(db));
    struct vsdb_want want = {0};
    ck_assert_int_eq(vsdb_commit(db, &want, NULL), -ENOTCONN);
    ck_assert_int_eq(vsdb_wait_ready_block(db, 300), -ETIMEDOUT);
    struct vsdb_state *st;
    ck_assert_int_eq(vsdb_observe(db, &st), 0);
    ck_assert(!st->ready);
    vsdb_state_free(st);
    vsdb_destroy(db);
    ck_assert_int_eq(vsdb_create("", &db), -EINVAL);
    ck_assert_ptr_null(db);
    vsdb_destroy(NULL);
}
END_TEST

START_TEST(test_bad_want_rejected)
{
    char out[256];
    test_reset_db();
    struct vsdb *db = connect_db();
    const char *ports[] = {"p0", "p0"};
    struct vsdb_want_bridge wb = {"br0", ports, 2, NULL, NULL};
    struct vsdb_want want = {.bridges = &wb, .n_bridges = 1};
    ck_assert_int_eq(vsdb_commit(db, &want, NULL), -EINVAL);
    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-br"), "");
    struct vsdb_stats stats;
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_commits, 0);
    vsdb_destroy(db);
}
END_TEST

START_TEST(test_offload_record_round_trip)
{
    char out[512];
    test_reset_db();
    struct vsdb *db = connect_db();
    /* The agent's reconcile: decide, then write settings + record in the
     * same transaction. */
    struct vsdb_offload_facts f = {.want_hw_offload = true,
                                   .want_tc_policy = "none",
                                   .caught_up = true,
                                   .vswitchd_id = "boot:100:5000"};
    struct vsdb_offload_decision d;
    vsdb_offload_decide(&f, &d);
    ck_assert_int_eq(d.verdict, VSDB_OFFLOAD_LIVE);
    struct vsdb_want want = {.other_config = offload_keys,
                             .n_other_config = 2,
                             .external_ids = d.record,
                             .n_external_ids = d.n_record};
    ck_assert(commit(db, &want));
    struct vsdb_stats stats;
    vsdb_get_stats(db, &stats);
    ck_assert_uint_eq(stats.n_commits, 1);
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Open_vSwitch . external_ids"),
        "{offload-agent-latched=\"hw-offload=true,tc-policy=none\", "
        "offload-agent-vswitchd=\"boot:100:5000\"}");

    /* Read back by a restarted agent, for the same vswitchd. */
    vsdb_destroy(db);
    db = connect_db();
    struct vsdb_state *st;
    ck_assert_int_eq(vsdb_observe(db, &st), 0);
    struct vsdb_offload_facts g = {
        .want_hw_offload = true,
        .want_tc_policy = "skip_hw",
        .db_hw_offload = vsdb_kv_get(st->other_config, st->n_other_config,
                                     VSDB_KEY_HW_OFFLOAD),
        .db_tc_policy = vsdb_kv_get(st->other_config, st->n_other_config,
                                    VSDB_KEY_TC_POLICY),
        .caught_up = true,
        .vswitchd_id = "boot:100:5000",
        .record_id = vsdb_kv_get(st->external_ids, st->n_external_ids,
                                 VSDB_RECORD_VSWITCHD),
        .record_latched = vsdb_kv_get(st->external_ids, st->n_external_ids,
                                      VSDB_RECORD_LATCHED),
    };
    vsdb_offload_decide(&g, &d);
    ck_assert_int_eq(d.verdict, VSDB_OFFLOAD_RESTART_NEEDED);
    ck_assert(!d.inferred);
    vsdb_state_free(st);
    vsdb_destroy(db);
}
END_TEST

/* The unixctl client, against the server's own control socket (as
 * ovs-appctl talks to it): an answer, a refusal, and a bound on a
 * daemon that accepts the connection and never answers (stopped). */
START_TEST(test_unixctl_answers_and_is_bounded)
{
    const char *dir = getenv("OA_TEST_OVSDB_DIR");
    ck_assert_msg(dir && *dir, "OA_TEST_OVSDB_DIR unset");
    char ctl[512], pidfile[512], pid[32] = "";
    snprintf(ctl, sizeof ctl, "%s/ovsdb-server.ctl", dir);
    snprintf(pidfile, sizeof pidfile, "%s/ovsdb-server.pid", dir);
    char *result, *error;

    ck_assert_int_eq(
        vsdb_unixctl_call(ctl, "version", 0, NULL, 5000, &result, &error), 0);
    ck_assert_ptr_null(error);
    ck_assert_ptr_nonnull(result);
    ck_assert_ptr_nonnull(strstr(result, "ovsdb-server (Open vSwitch)"));
    free(result);

    ck_assert_int_eq(vsdb_unixctl_call(ctl, "no/such-command", 0, NULL, 5000,
                                       &result, &error),
                     0);
    ck_assert_ptr_null(result);
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_nonnull(strstr(error, "is not a valid command"));
    free(error);

    FILE *f = fopen(pidfile, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_ptr_nonnull(fgets(pid, sizeof pid, f));
    fclose(f);
    pid_t server = (pid_t)atoi(pid);
    ck_assert_int_gt(server, 1);
    ck_assert_int_eq(kill(server, SIGSTOP), 0);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int r = vsdb_unixctl_call(ctl, "version", 0, NULL, 300, &result, &error);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    kill(server, SIGCONT);
    ck_assert_int_eq(r, -ETIMEDOUT);
    ck_assert_ptr_null(result);
    long ms =
        (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    ck_assert_int_ge(ms, 300); /* it waited its bound, and no less */

    ck_assert_int_eq(vsdb_unixctl_call("/nonexistent/x.ctl", "version", 0,
                                       NULL, 300, &result, &error),
                     -ENOENT);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("vsdb");
    TCase *tc = tcase_create("ovsdb-server");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_full_setup_one_transaction);
    tcase_add_test(tc, test_observe);
    tcase_add_test(tc, test_concurrent_key_edit_retried);
    tcase_add_test(tc, test_concurrent_bridge_creation_retried);
    tcase_add_test(tc, test_ownership);
    tcase_add_test(tc, test_move_port);
    tcase_add_test(tc, test_port_tags);
    tcase_add_test(tc, test_rename_port_by_key);
    tcase_add_test(tc, test_port_key_set_in_place);
    tcase_add_test(tc, test_server_restart_reconnects);
    tcase_add_test(tc, test_server_restart_during_commit);
    tcase_add_test(tc, test_no_server);
    tcase_add_test(tc, test_bad_want_rejected);
    tcase_add_test(tc, test_offload_record_round_trip);
    tcase_add_test(tc, test_unixctl_answers_and_is_bounded);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_VERBOSE);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
