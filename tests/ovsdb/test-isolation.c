/* libopenvswitch and jansson in ONE process: jansson's json_* must stay
 * jansson's and the OVS IDL (which has its own json_*) must still work
 * against a real ovsdb-server. Fails if oa_ovsdb stops hiding OVS's
 * symbols (then the two json_string()s interpose each other). */
#include <check.h>
#include <dlfcn.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "vsdb.h"
#include "vsdb-test-util.h"

#include "oa-check.h"

/* Parse, build and dump with jansson; every value checked exactly. */
static void
check_jansson(int round)
{
    json_error_t err;
    json_t *doc = json_loads(
        "{\"name\": \"ovs-sriov\", \"num_vfs\": 8, \"ratio\": 0.25, "
        "\"vfs\": [{\"mac\": \"e4:11:22:33:55:60\"}]}",
        0, &err);
    ck_assert_msg(doc != NULL, "json_loads: %s", err.text);
    ck_assert_str_eq(json_string_value(json_object_get(doc, "name")),
                     "ovs-sriov");
    ck_assert_int_eq(json_integer_value(json_object_get(doc, "num_vfs")), 8);
    ck_assert(json_real_value(json_object_get(doc, "ratio")) == 0.25);
    json_t *vf0 = json_array_get(json_object_get(doc, "vfs"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(vf0, "mac")),
                     "e4:11:22:33:55:60");

    json_t *built = json_object();
    ck_assert_int_eq(json_object_set_new(built, "round", json_integer(round)),
                     0);
    ck_assert_int_eq(json_object_set_new(built, "s", json_string("br-x")), 0);
    ck_assert_int_eq(json_object_set_new(built, "r", json_real(1.5)), 0);
    json_t *arr = json_array();
    ck_assert_int_eq(json_array_append_new(arr, json_string("p0")), 0);
    ck_assert_int_eq(json_object_set_new(built, "a", arr), 0);
    char *text = json_dumps(built, JSON_COMPACT | JSON_SORT_KEYS);
    char want[128];
    snprintf(want, sizeof want,
             "{\"a\":[\"p0\"],\"r\":1.5,\"round\":%d,\"s\":\"br-x\"}", round);
    ck_assert_str_eq(text, want);
    free(text);
    json_decref(built);
    json_decref(doc);
}

START_TEST(test_symbol_resolves_to_jansson)
{
    void *sym = dlsym(RTLD_DEFAULT, "json_string");
    ck_assert_msg(sym != NULL, "json_string not found");
    Dl_info info;
    ck_assert(dladdr(sym, &info) != 0);
    ck_assert_msg(info.dli_fname && strstr(info.dli_fname, "jansson"),
                  "json_string resolves into %s, not libjansson",
                  info.dli_fname ? info.dli_fname : "?");
    /* And no OVS-only symbol is visible at all. */
    ck_assert_ptr_null(dlsym(RTLD_DEFAULT, "ovsdb_idl_create"));
    ck_assert_ptr_null(dlsym(RTLD_DEFAULT, "json_object_create"));
}
END_TEST

START_TEST(test_jansson_and_idl_interleaved)
{
    char out[4096];
    test_reset_db();
    vsctl_ok(NULL, 0,
             "add-br br-iso -- set Open_vSwitch . ovs_version=3.1.0-iso "
             "other_config:hw-offload=true other_config:tc-policy=skip_sw");

    check_jansson(1);

    struct vsdb *db;
    ck_assert_int_eq(vsdb_create(test_remote(), &db), 0);
    vsdb_run(db);
    check_jansson(2); /* between IDL runs, connection in progress */
    ck_assert_int_eq(vsdb_wait_ready_block(db, 10000), 0);

    struct vsdb_state *st;
    ck_assert_int_eq(vsdb_observe(db, &st), 0);
    ck_assert(st->ready);
    ck_assert_str_eq(st->ovs_version, "3.1.0-iso");
    ck_assert_str_eq(
        vsdb_kv_get(st->other_config, st->n_other_config, "hw-offload"),
        "true");
    ck_assert_str_eq(
        vsdb_kv_get(st->other_config, st->n_other_config, "tc-policy"),
        "skip_sw");
    ck_assert_uint_eq(st->n_bridges, 1);
    ck_assert_str_eq(st->bridges[0].name, "br-iso");
    vsdb_state_free(st);

    check_jansson(3);

    /* A write goes through OVS's JSON serialisation of the transaction. */
    const char *ports[] = {"iso0", "iso1"};
    struct vsdb_want_bridge wb = {"br-iso", ports, 2, NULL, NULL};
    struct vsdb_want_key keys[] = {{"max-idle", "10000"}};
    struct vsdb_want want = {.bridges = &wb,
                             .n_bridges = 1,
                             .other_config = keys,
                             .n_other_config = 1};
    bool committed;
    ck_assert_int_eq(vsdb_commit_block(db, &want, 10000, &committed, NULL), 0);
    ck_assert(committed);
    check_jansson(4);

    ck_assert_str_eq(vsctl_ok(out, sizeof out, "list-ports br-iso"),
                     "iso0\niso1");
    ck_assert_str_eq(
        vsctl_ok(out, sizeof out, "get Open_vSwitch . other_config:max-idle"),
        "\"10000\"");
    vsdb_destroy(db);
    check_jansson(5);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("vsdb-isolation");
    TCase *tc = tcase_create("isolation");
    tcase_add_test(tc, test_symbol_resolves_to_jansson);
    tcase_add_test(tc, test_jansson_and_idl_interleaved);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
