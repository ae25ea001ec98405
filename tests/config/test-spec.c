/* Check suite of the host spec loader (config/): valid specs and their
 * round trip, a table of invalid specs with the exact error each must
 * give, and hostile input that must give an error and nothing worse. */
#include "offload/spec.h"

#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oa-check.h"

#ifndef OA_EXAMPLES_DIR
#error "OA_EXAMPLES_DIR must name packaging/examples"
#endif

/* Loads 'text' as file "t.json"; returns the loader's result. */
static int
load_text(const char *text, struct spec **spec, struct spec_errors **errs)
{
    return spec_load_buffer("t.json", text, strlen(text), spec, errs);
}

static char *
errors_to_string(const struct spec_errors *errs)
{
    size_t size = 0;
    char *out = NULL;
    FILE *f = open_memstream(&out, &size);
    for (size_t i = 0; i < spec_errors_count(errs); i++) {
        char *line = spec_error_format(spec_errors_get(errs, i));
        fprintf(f, "%s\n", line);
        free(line);
    }
    fclose(f);
    return out;
}

/* Loads 'text', which must be valid, and returns the spec. */
static struct spec *
load_valid(const char *text)
{
    struct spec *spec;
    struct spec_errors *errs;
    int r = load_text(text, &spec, &errs);
    char *msgs = errors_to_string(errs);

    ck_assert_msg(r == 0, "expected a valid spec, got %d:\n%s", r, msgs);
    ck_assert_ptr_nonnull(spec);
    ck_assert_uint_eq(spec_errors_count(errs), 0);
    free(msgs);
    spec_errors_destroy(errs);
    return spec;
}

/* load -> normalised JSON -> load gives an equal spec, and normalising
 * is idempotent. */
static void
assert_round_trip(const struct spec *spec)
{
    char *json = spec_to_json_string(spec, SPEC_JSON_PRETTY);
    ck_assert_ptr_nonnull(json);
    struct spec *again = load_valid(json);
    ck_assert_msg(spec_equal(spec, again), "round trip changed the spec:\n%s",
                  json);
    char *json2 = spec_to_json_string(again, SPEC_JSON_PRETTY);
    ck_assert_str_eq(json, json2);
    char *compact = spec_to_json_string(spec, 0);
    struct spec *third = load_valid(compact);
    ck_assert(spec_equal(spec, third));
    free(compact);
    free(json2);
    free(json);
    spec_destroy(again);
    spec_destroy(third);
}

START_TEST(test_examples_valid_and_round_trip)
{
    DIR *dir = opendir(OA_EXAMPLES_DIR);
    struct dirent *de;
    int n = 0;
    bool seen_seed = false, seen_bed = false;

    ck_assert_ptr_nonnull(dir);
    while ((de = readdir(dir))) {
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 5, ".json")) {
            continue;
        }
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", OA_EXAMPLES_DIR, de->d_name);
        struct spec *spec;
        struct spec_errors *errs;
        int r = spec_load_file(path, &spec, &errs);
        char *msgs = errors_to_string(errs);
        ck_assert_msg(r == 0, "%s: %d\n%s", path, r, msgs);
        free(msgs);
        spec_errors_destroy(errs);
        assert_round_trip(spec);

        if (!strcmp(de->d_name, "seed-cx6dx.json")) {
            seen_seed = true;
            ck_assert_uint_eq(spec->n_pfs, 1);
            ck_assert_int_eq(spec->pfs[0].key, SPEC_PF_BY_NETDEV);
            ck_assert_str_eq(spec->pfs[0].id, "enp67s0f0");
            ck_assert_uint_eq(spec->pfs[0].num_vfs, 2);
            ck_assert_uint_eq(spec->pfs[0].n_vfs, 2);
            ck_assert(spec->pfs[0].vfs[1].has_mac);
            ck_assert_uint_eq(spec->pfs[0].vfs[1].mac[5], 0x61);
            ck_assert_int_eq(spec->pfs[0].vfs[1].trust, SPEC_UNSET);
            ck_assert_int_eq(spec->pfs[0].vfs[0].trust, SPEC_UNSET);
            ck_assert_uint_eq(spec->ovs.max_idle_ms, 10000);
            ck_assert_str_eq(spec->pfs[0].bridge, "ovs-sriov");
            ck_assert_str_eq(spec->pfs[0].vf_driver, "mlx5_core");
            ck_assert(spec->ovs.hw_offload);
        } else if (!strcmp(de->d_name, "bed-netdevsim.json")) {
            seen_bed = true;
            ck_assert_int_eq(spec->pfs[0].key, SPEC_PF_BY_DEVLINK);
            ck_assert_str_eq(spec->pfs[0].id, "netdevsim/netdevsim1");
            ck_assert_ptr_null(spec->pfs[0].vf_driver);
            ck_assert_uint_eq(spec->pfs[0].num_vfs, 2);
        }
        spec_destroy(spec);
        n++;
    }
    closedir(dir);
    ck_assert_int_ge(n, 3);
    ck_assert(seen_seed && seen_bed);
}
END_TEST

START_TEST(test_defaults)
{
    struct spec *spec = load_valid(
        "{\"version\": 1, \"pfs\": [{\"netdev\": \"eth0\", \"num_vfs\": 3,"
        " \"vfs\": [{\"index\": 2}]}]}");

    ck_assert_int_eq(spec->version, 1);
    ck_assert_str_eq(spec->file, "t.json");
    ck_assert_str_eq(spec->ovs.db, "unix:/run/openvswitch/db.sock");
    ck_assert(spec->ovs.hw_offload);
    ck_assert_int_eq(spec->ovs.tc_policy, SPEC_TC_POLICY_NONE);
    ck_assert_uint_eq(spec->ovs.max_idle_ms, 0);
    ck_assert_uint_eq(spec->n_bridges, 0);
    ck_assert_uint_eq(spec->n_pfs, 1);

    const struct spec_pf *pf = &spec->pfs[0];
    ck_assert_int_eq(pf->eswitch, SPEC_ESWITCH_SWITCHDEV);
    ck_assert_int_eq(pf->inline_mode, SPEC_INLINE_UNSET);
    ck_assert_int_eq(pf->encap_mode, SPEC_ENCAP_UNSET);
    ck_assert_int_eq(pf->steering_mode, SPEC_STEERING_UNSET);
    ck_assert_ptr_null(pf->vf_driver);
    ck_assert(pf->hw_tc_offload);
    ck_assert_ptr_null(pf->bridge);
    ck_assert(pf->attach_uplink);
    ck_assert_int_eq(pf->disruptive, SPEC_DISRUPTIVE_FORBID);
    ck_assert_uint_eq(pf->n_vfs, 1);

    const struct spec_vf *vf = &pf->vfs[0];
    ck_assert_uint_eq(vf->index, 2);
    ck_assert(!vf->has_mac);
    ck_assert_uint_eq(vf->vlan, 0);
    ck_assert_int_eq(vf->trust, SPEC_UNSET);
    ck_assert_int_eq(vf->spoofchk, SPEC_UNSET);
    ck_assert(vf->attach);

    /* Positions of objects are kept for later messages. */
    ck_assert_uint_eq(pf->pos.line, 1);
    ck_assert_uint_eq(pf->pos.col, 24);
    ck_assert_uint_eq(vf->pos.col, 65);
    /* ... and of the values validate --host names; 0 when absent. */
    ck_assert_uint_eq(pf->field_pos.id.line, 1);
    ck_assert_uint_eq(pf->field_pos.id.col, 35);
    ck_assert_uint_eq(pf->field_pos.num_vfs.col, 54);
    ck_assert_uint_eq(pf->field_pos.eswitch.line, 0);
    ck_assert_uint_eq(pf->field_pos.steering_mode.line, 0);

    char *json = spec_to_json_string(spec, 0);
    ck_assert_str_eq(
        json,
        "{\"version\":1,\"ovs\":{\"db\":\"unix:/run/openvswitch/db.sock\","
        "\"hw_offload\":true,\"tc_policy\":\"none\"},\"bridges\":[],"
        "\"pfs\":[{\"netdev\":\"eth0\",\"eswitch\":\"switchdev\","
        "\"num_vfs\":3,\"vf_driver\":null,\"hw_tc_offload\":true,"
        "\"attach_uplink\":true,\"disruptive\":\"forbid\","
        "\"vfs\":[{\"index\":2,\"vlan\":0,"
        "\"attach\":true}]}]}");
    free(json);
    assert_round_trip(spec);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_switchdev_vlan)
{
    /* A switchdev VF's vlan (the representor port's OVS tag) with a
     * bridge; vlan 0 needs none. */
    struct spec *spec = load_valid(
        "{\"version\": 1, \"bridges\": [{\"name\": \"ovs-sriov\"}],"
        " \"pfs\": [{\"netdev\": \"eth0\", \"num_vfs\": 2,"
        " \"bridge\": \"ovs-sriov\", \"vfs\": [{\"index\": 0, \"vlan\": 100},"
        " {\"index\": 1, \"vlan\": 0, \"attach\": false}]},"
        " {\"netdev\": \"eth1\", \"num_vfs\": 1,"
        " \"vfs\": [{\"index\": 0, \"vlan\": 0}]}]}");
    ck_assert_int_eq(spec->pfs[0].eswitch, SPEC_ESWITCH_SWITCHDEV);
    ck_assert_uint_eq(spec->pfs[0].vfs[0].vlan, 100);
    ck_assert_uint_eq(spec->pfs[0].vfs[1].vlan, 0);
    assert_round_trip(spec);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_every_option_round_trips)
{
    /* Keys in unusual order, upper-case hex, a byte order mark, every
     * optional key set, extreme values. */
    struct spec *spec = load_valid(
        "\xef\xbb\xbf{\n"
        "  \"pfs\": [\n"
        "    {\"pci\": \"0000:AF:1F.7\", \"eswitch\": \"legacy\",\n"
        "     \"inline_mode\": \"network\", \"encap_mode\": \"none\",\n"
        "     \"num_vfs\": 1024, \"vf_driver\": \"vfio-pci\",\n"
        "     \"hw_tc_offload\": false, \"attach_uplink\": false,\n"
        "     \"bridge\": \"br0\",\n"
        "     \"vfs\": [{\"index\": 1023, \"mac\": \"02:AB:cd:00:00:01\",\n"
        "               \"vlan\": 4094, \"trust\": true,\n"
        "               \"spoofchk\": false, \"attach\": false},\n"
        "              {\"index\": 0, \"trust\": false, \"spoofchk\": "
        "true}]},\n"
        "    {\"devlink\": \"auxiliary/mlx5_core.eth.0\", \"num_vfs\": 0,\n"
        "     \"steering_mode\": \"smfs\",\n"
        "     \"vf_driver\": null, \"inline_mode\": \"transport\",\n"
        "     \"encap_mode\": \"basic\"},\n"
        "    {\"devlink\": \"pci/0000:AF:1F.6\", \"num_vfs\": 0},\n"
        "    {\"netdev\": \"\xc3\xa9th0\", \"num_vfs\": 0, \"inline_mode\": "
        "\"link\"},\n"
        "    {\"netdev\": \"eth1\", \"num_vfs\": 0, \"inline_mode\": "
        "\"none\"}\n"
        "  ],\n"
        "  \"bridges\": [{\"name\": \"br0\"}, {\"name\": \"br-other_1.x\"}],\n"
        "  \"ovs\": {\"db\": \"tcp:127.0.0.1:6640\", \"hw_offload\": false,\n"
        "          \"tc_policy\": \"skip_hw\", \"max_idle_ms\": 3600000},\n"
        "  \"version\": 1\n"
        "}\n");

    ck_assert_str_eq(spec->ovs.db, "tcp:127.0.0.1:6640");
    ck_assert(!spec->ovs.hw_offload);
    ck_assert_int_eq(spec->ovs.tc_policy, SPEC_TC_POLICY_SKIP_HW);
    ck_assert_uint_eq(spec->ovs.max_idle_ms, 3600000);
    ck_assert_uint_eq(spec->n_bridges, 2);
    ck_assert_str_eq(spec->bridges[1].name, "br-other_1.x");
    ck_assert_uint_eq(spec->n_pfs, 5);

    const struct spec_pf *pf = &spec->pfs[0];
    ck_assert_int_eq(pf->key, SPEC_PF_BY_PCI);
    ck_assert_str_eq(pf->id, "0000:af:1f.7"); /* normalised */
    ck_assert_int_eq(pf->eswitch, SPEC_ESWITCH_LEGACY);
    ck_assert_int_eq(pf->inline_mode, SPEC_INLINE_NETWORK);
    ck_assert_int_eq(pf->encap_mode, SPEC_ENCAP_NONE);
    ck_assert_uint_eq(pf->num_vfs, 1024);
    ck_assert_str_eq(pf->vf_driver, "vfio-pci");
    ck_assert(!pf->hw_tc_offload && !pf->attach_uplink);
    ck_assert_uint_eq(pf->n_vfs, 2);
    ck_assert_uint_eq(pf->vfs[0].index, 1023);
    char mac[18];
    ck_assert_str_eq(spec_mac_to_string(pf->vfs[0].mac, mac),
                     "02:ab:cd:00:00:01");
    ck_assert_uint_eq(pf->vfs[0].vlan, 4094);
    ck_assert_int_eq(pf->vfs[0].trust, SPEC_TRUE);
    ck_assert_int_eq(pf->vfs[0].spoofchk, SPEC_FALSE);
    ck_assert(!pf->vfs[0].attach);
    ck_assert_int_eq(pf->vfs[1].trust, SPEC_FALSE);
    ck_assert_int_eq(pf->vfs[1].spoofchk, SPEC_TRUE);
    ck_assert_uint_eq(pf->pos.line, 3);
    ck_assert_uint_eq(pf->pos.col, 5);

    ck_assert_str_eq(spec->pfs[1].id, "auxiliary/mlx5_core.eth.0");
    ck_assert_int_eq(spec->pfs[1].inline_mode, SPEC_INLINE_TRANSPORT);
    ck_assert_int_eq(spec->pfs[1].encap_mode, SPEC_ENCAP_BASIC);
    ck_assert_int_eq(spec->pfs[1].steering_mode, SPEC_STEERING_SMFS);
    ck_assert_int_eq(spec->pfs[0].steering_mode, SPEC_STEERING_UNSET);
    ck_assert_str_eq(spec->pfs[2].id, "pci/0000:af:1f.6");
    ck_assert_str_eq(spec->pfs[3].id, "\xc3\xa9th0");
    ck_assert_int_eq(spec->pfs[3].inline_mode, SPEC_INLINE_LINK);
    ck_assert_int_eq(spec->pfs[4].inline_mode, SPEC_INLINE_NONE);
    ck_assert_uint_eq(spec_total_vfs(spec), 1024);

    assert_round_trip(spec);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_steering_mode_json)
{
    /* Given last, written after encap_mode: the canonical order. */
    struct spec *spec =
        load_valid("{\"version\":1,\"pfs\":[{\"num_vfs\":0,"
                   "\"encap_mode\":\"basic\",\"netdev\":\"eth0\","
                   "\"steering_mode\":\"smfs\"}]}");
    char *json = spec_to_json_string(spec, 0);

    ck_assert_int_eq(spec->pfs[0].steering_mode, SPEC_STEERING_SMFS);
    ck_assert_str_eq(spec_steering_mode_name(SPEC_STEERING_DMFS), "dmfs");
    ck_assert_ptr_null(spec_steering_mode_name(SPEC_STEERING_UNSET));
    ck_assert_str_eq(
        json,
        "{\"version\":1,\"ovs\":{\"db\":\"unix:/run/openvswitch/db.sock\","
        "\"hw_offload\":true,\"tc_policy\":\"none\"},\"bridges\":[],"
        "\"pfs\":[{\"netdev\":\"eth0\",\"eswitch\":\"switchdev\","
        "\"encap_mode\":\"basic\",\"steering_mode\":\"smfs\","
        "\"num_vfs\":0,\"vf_driver\":null,\"hw_tc_offload\":true,"
        "\"attach_uplink\":true,\"disruptive\":\"forbid\","
        "\"vfs\":[]}]}");
    free(json);
    assert_round_trip(spec);
    spec_destroy(spec);
}
END_TEST

/* "allow" parsed, written back after attach_uplink, round-tripped. */
START_TEST(test_disruptive_json)
{
    struct spec *spec =
        load_valid("{\"version\":1,\"pfs\":[{"
                   "\"disruptive\":\"allow\","
                   "\"pci\":\"0000:01:00.0\",\"num_vfs\":1}]}");
    char *json = spec_to_json_string(spec, 0);

    ck_assert_int_eq(spec->pfs[0].disruptive, SPEC_DISRUPTIVE_ALLOW);
    ck_assert_str_eq(spec_disruptive_name(SPEC_DISRUPTIVE_FORBID), "forbid");
    ck_assert_ptr_nonnull(strstr(json, "\"attach_uplink\":true,"
                                       "\"disruptive\":\"allow\",\"vfs\""));
    free(json);
    assert_round_trip(spec);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_empty_pfs_is_valid)
{
    struct spec *spec = load_valid("{\"version\":1,\"pfs\":[]}");
    ck_assert_uint_eq(spec->n_pfs, 0);
    assert_round_trip(spec);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_spec_equal_sees_differences)
{
    const char *base =
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":2,"
        "\"bridge\":\"b\",\"vfs\":[{\"index\":0,"
        "\"mac\":\"02:00:00:00:00:01\"}]}]}";
    const char *variants[] = {
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":3,"
        "\"bridge\":\"b\","
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:01\"}]}]}",
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":2,"
        "\"bridge\":\"b\","
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:02\"}]}]}",
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":2,"
        "\"bridge\":\"b\","
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:01\","
        "\"trust\":false}]}]}",
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":2,"
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:01\"}]}]}",
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\","
        "\"steering_mode\":\"dmfs\",\"num_vfs\":2,\"bridge\":\"b\","
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:01\"}]}]}",
        "{\"version\":1,\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":2,"
        "\"bridge\":\"b\",\"disruptive\":\"allow\","
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:01\"}]}]}",
        "{\"version\":1,\"ovs\":{\"max_idle_ms\":100},"
        "\"bridges\":[{\"name\":\"b\"}],"
        "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"legacy\",\"num_vfs\":2,"
        "\"bridge\":\"b\","
        "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:01\"}]}]}",
    };
    struct spec *a = load_valid(base);
    struct spec *same = load_valid(base);

    ck_assert(spec_equal(a, same));
    ck_assert(spec_equal(NULL, NULL));
    ck_assert(!spec_equal(a, NULL));
    for (size_t i = 0; i < sizeof variants / sizeof variants[0]; i++) {
        struct spec *b = load_valid(variants[i]);
        ck_assert_msg(!spec_equal(a, b), "variant %zu compares equal", i);
        spec_destroy(b);
    }
    spec_destroy(a);
    spec_destroy(same);
}
END_TEST

/* The table of invalid specs. Each must give exactly one error, with
 * this class and path, at the position of the marker "»" (removed
 * before loading), and with 'msg' in its message when given. */
struct invalid_case {
    const char *name;
    const char *text;
    enum spec_error_class class;
    const char *path;
    const char *msg;
};

#define V  "{\"version\":1,"
#define PF "{\"version\":1,\"pfs\":[{\"netdev\":\"eth0\",\"num_vfs\":2,"
#define VF PF "\"vfs\":[{\"index\":0,"
/* Two switchdev PFs in bridge br0, by netdev and by PCI address, and a
 * bond over them up to its options. */
#define BPFS                                                          \
    V "\"bridges\":[{\"name\":\"br0\"}],\"pfs\":[{\"netdev\":\"p0\"," \
      "\"num_vfs\":2,\"bridge\":\"br0\"},{\"pci\":\"0000:03:00.1\","  \
      "\"num_vfs\":2,\"bridge\":\"br0\"}],"
#define MEMBERS "[{\"netdev\":\"p0\"},{\"pci\":\"0000:03:00.1\"}]"
#define BOND_AB \
    BPFS "\"bonds\":[{\"name\":\"bond0\",\"mode\":\"active-backup\","
#define BPFS4                                                          \
    V "\"pfs\":[{\"netdev\":\"p0\",\"num_vfs\":1},{\"netdev\":\"p1\"," \
      "\"num_vfs\":1},{\"netdev\":\"p2\",\"num_vfs\":1},"              \
      "{\"netdev\":\"p3\",\"num_vfs\":1}],"

static const struct invalid_case invalid_cases[] = {
    /* The document. */
    {"root is an array", "»[]", SPEC_E_TYPE, "$",
     "expected an object, got an array"},
    {"root is a string", "»\"x\"", SPEC_E_SYNTAX, "$", NULL},
    {"no version", "»{\"pfs\":[]}", SPEC_E_REQUIRED, "$.version",
     "required key is missing"},
    {"version is a string", "{\"version\":»\"1\",\"pfs\":[]}", SPEC_E_TYPE,
     "$.version", "expected an integer, got a string"},
    {"version 2", "{\"version\":»2,\"pfs\":[]}", SPEC_E_RANGE, "$.version",
     "unsupported spec version 2"},
    {"version 1.0", "{\"version\":»1.0,\"pfs\":[]}", SPEC_E_TYPE, "$.version",
     NULL},
    {"no pfs", "»{\"version\":1}", SPEC_E_REQUIRED, "$.pfs", NULL},
    {"pfs an object", V "\"pfs\":»{}}", SPEC_E_TYPE, "$.pfs",
     "expected an array, got an object"},
    {"unknown top-level key", V "\"pfs\":[],»\"bridge\":[]}",
     SPEC_E_UNKNOWN_KEY, "$.bridge",
     "unknown key \"bridge\" (did you mean \"bridges\"?)"},
    {"unknown key, no guess", V "\"pfs\":[],»\"zzzzzz\":1}",
     SPEC_E_UNKNOWN_KEY, "$.zzzzzz", "unknown key \"zzzzzz\""},
    {"unknown key needing quotes", V "\"pfs\":[],»\"x y\":1}",
     SPEC_E_UNKNOWN_KEY, "$[\"x y\"]", NULL},
    /* ovs */
    {"ovs an array", V "\"pfs\":[],\"ovs\":»[]}", SPEC_E_TYPE, "$.ovs", NULL},
    {"ovs.db passive", V "\"pfs\":[],\"ovs\":{\"db\":»\"punix:/x\"}}",
     SPEC_E_FORMAT, "$.ovs.db", "not an OVSDB remote"},
    {"ovs.db empty path", V "\"pfs\":[],\"ovs\":{\"db\":»\"unix:\"}}",
     SPEC_E_FORMAT, "$.ovs.db", NULL},
    {"ovs.db with a space",
     V "\"pfs\":[],\"ovs\":{\"db\":»\"unix:/run/db sock\"}}", SPEC_E_FORMAT,
     "$.ovs.db", "whitespace"},
    {"ovs.db a number", V "\"pfs\":[],\"ovs\":{\"db\":»6640}}", SPEC_E_TYPE,
     "$.ovs.db", NULL},
    {"ovs.hw_offload a string",
     V "\"pfs\":[],\"ovs\":{\"hw_offload\":»\"yes\"}}", SPEC_E_TYPE,
     "$.ovs.hw_offload", "expected true or false, got a string"},
    {"ovs.tc_policy typo",
     V "\"pfs\":[],\"ovs\":{\"tc_policy\":»\"skip-sw\"}}", SPEC_E_ENUM,
     "$.ovs.tc_policy",
     "unknown value \"skip-sw\": expected one of \"none\", \"skip_sw\", "
     "\"skip_hw\" (did you mean \"skip_sw\"?)"},
    {"ovs.max_idle_ms too small",
     V "\"pfs\":[],\"ovs\":{\"max_idle_ms\":»99}}", SPEC_E_RANGE,
     "$.ovs.max_idle_ms", "99 is out of range 100..3600000"},
    {"ovs.max_idle_ms too large",
     V "\"pfs\":[],\"ovs\":{\"max_idle_ms\":»3600001}}", SPEC_E_RANGE,
     "$.ovs.max_idle_ms", NULL},
    {"ovs unknown key", V "\"pfs\":[],\"ovs\":{»\"hw-offload\":true}}",
     SPEC_E_UNKNOWN_KEY, "$.ovs[\"hw-offload\"]",
     "(did you mean \"hw_offload\"?)"},
    /* bridges */
    {"bridges an object", V "\"pfs\":[],\"bridges\":»{}}", SPEC_E_TYPE,
     "$.bridges", NULL},
    {"bridge a string", V "\"pfs\":[],\"bridges\":[»\"br0\"]}", SPEC_E_TYPE,
     "$.bridges[0]", NULL},
    {"bridge without name", V "\"pfs\":[],\"bridges\":[»{}]}", SPEC_E_REQUIRED,
     "$.bridges[0].name", NULL},
    {"bridge name 16 chars",
     V "\"pfs\":[],\"bridges\":[{\"name\":»\"abcdefghijklmnop\"}]}",
     SPEC_E_FORMAT, "$.bridges[0].name", "longer than 15 bytes"},
    {"bridge name empty", V "\"pfs\":[],\"bridges\":[{\"name\":»\"\"}]}",
     SPEC_E_FORMAT, "$.bridges[0].name", "is empty"},
    {"bridge name dot-dot", V "\"pfs\":[],\"bridges\":[{\"name\":»\"..\"}]}",
     SPEC_E_FORMAT, "$.bridges[0].name", NULL},
    {"bridge name with space",
     V "\"pfs\":[],\"bridges\":[{\"name\":»\"br 0\"}]}", SPEC_E_FORMAT,
     "$.bridges[0].name", NULL},
    {"bridge name with slash",
     V "\"pfs\":[],\"bridges\":[{\"name\":»\"br/0\"}]}", SPEC_E_FORMAT,
     "$.bridges[0].name", NULL},
    {"duplicate bridge",
     V "\"pfs\":[],\"bridges\":[{\"name\":\"b\"},{\"name\":»\"b\"}]}",
     SPEC_E_DUPLICATE, "$.bridges[1].name",
     "duplicate bridge name \"b\": already defined at $.bridges[0].name"},
    {"bridge with a key the spec does not have",
     V "\"pfs\":[],\"bridges\":[{\"name\":\"b\",»\"fail_mode\":\"secure\"}]}",
     SPEC_E_UNKNOWN_KEY, "$.bridges[0].fail_mode",
     "unknown key \"fail_mode\""},
    /* PF selection */
    {"pf a number", V "\"pfs\":[»1]}", SPEC_E_TYPE, "$.pfs[0]", NULL},
    {"pf without selector", V "\"pfs\":[»{\"num_vfs\":0}]}", SPEC_E_REQUIRED,
     "$.pfs[0]", "one of \"netdev\", \"pci\" or \"devlink\""},
    {"pf netdev and pci",
     V "\"pfs\":[{\"netdev\":\"e\",»\"pci\":\"0000:43:00.0\",\"num_vfs\":0}]}",
     SPEC_E_CONFLICT, "$.pfs[0].pci", "\"pci\" conflicts with \"netdev\""},
    {"pf netdev too long",
     V "\"pfs\":[{\"netdev\":»\"enp67s0f0np0abcd\",\"num_vfs\":0}]}",
     SPEC_E_FORMAT, "$.pfs[0].netdev", NULL},
    {"pf netdev null", V "\"pfs\":[{\"netdev\":»null,\"num_vfs\":0}]}",
     SPEC_E_TYPE, "$.pfs[0].netdev", "expected a string, got null"},
    {"pf pci short", V "\"pfs\":[{\"pci\":»\"43:00.0\",\"num_vfs\":0}]}",
     SPEC_E_FORMAT, "$.pfs[0].pci", "not a PCI address"},
    {"pf pci device 20",
     V "\"pfs\":[{\"pci\":»\"0000:43:20.0\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].pci", "device number"},
    {"pf pci function 8",
     V "\"pfs\":[{\"pci\":»\"0000:43:00.8\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].pci", "function number"},
    {"pf pci not hex",
     V "\"pfs\":[{\"pci\":»\"0000:4g:00.0\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].pci", NULL},
    {"pf devlink without bus",
     V "\"pfs\":[{\"devlink\":»\"netdevsim1\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].devlink", "expected \"bus/name\""},
    {"pf devlink empty name",
     V "\"pfs\":[{\"devlink\":»\"pci/\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].devlink", NULL},
    {"pf devlink pci/ bad address",
     V "\"pfs\":[{\"devlink\":»\"pci/43:00.0\",\"num_vfs\":0}]}",
     SPEC_E_FORMAT, "$.pfs[0].devlink", NULL},
    {"pf devlink two slashes",
     V "\"pfs\":[{\"devlink\":»\"a/b/c\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].devlink", "more than one '/'"},
    {"pf devlink upper-case bus",
     V "\"pfs\":[{\"devlink\":»\"PCI/0000:43:00.0\",\"num_vfs\":0}]}",
     SPEC_E_FORMAT, "$.pfs[0].devlink", "the bus name may only contain"},
    {"pf devlink with a space",
     V "\"pfs\":[{\"devlink\":»\"netdevsim/net sim\",\"num_vfs\":0}]}",
     SPEC_E_FORMAT, "$.pfs[0].devlink", "whitespace"},
    {"pf devlink too long",
     V "\"pfs\":[{\"devlink\":»\"netdevsim/"
       "0123456789012345678901234567890123456789012345678901234567890123456789"
       "0123456789012345678901234567890123456789012345678\",\"num_vfs\":0}]}",
     SPEC_E_FORMAT, "$.pfs[0].devlink", "longer than 127"},
    {"pf netdev with a control character",
     V "\"pfs\":[{\"netdev\":»\"eth\\u0001\",\"num_vfs\":0}]}", SPEC_E_FORMAT,
     "$.pfs[0].netdev", "control characters"},
    {"duplicate pf netdev",
     V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":0},"
       "{\"netdev\":»\"e\",\"num_vfs\":0}]}",
     SPEC_E_DUPLICATE, "$.pfs[1].netdev",
     "already configured at $.pfs[0].netdev"},
    {"same pf by pci and devlink",
     V "\"pfs\":[{\"pci\":\"0000:43:00.0\",\"num_vfs\":0},"
       "{\"devlink\":»\"pci/0000:43:00.0\",\"num_vfs\":0}]}",
     SPEC_E_DUPLICATE, "$.pfs[1].devlink", NULL},
    {"same pf by pci, other case",
     V "\"pfs\":[{\"pci\":\"0000:af:00.0\",\"num_vfs\":0},"
       "{\"pci\":»\"0000:AF:00.0\",\"num_vfs\":0}]}",
     SPEC_E_DUPLICATE, "$.pfs[1].pci", NULL},
    /* PF settings */
    {"eswitch typo", PF "\"eswitch\":»\"switchdev \"}]}", SPEC_E_ENUM,
     "$.pfs[0].eswitch", "(did you mean \"switchdev\"?)"},
    {"inline_mode l2", PF "\"inline_mode\":»\"l2\"}]}", SPEC_E_ENUM,
     "$.pfs[0].inline_mode",
     "expected one of \"none\", \"link\", \"network\", \"transport\""},
    {"encap_mode a bool", PF "\"encap_mode\":»true}]}", SPEC_E_TYPE,
     "$.pfs[0].encap_mode", NULL},
    {"num_vfs missing", V "\"pfs\":[»{\"netdev\":\"e\"}]}", SPEC_E_REQUIRED,
     "$.pfs[0].num_vfs", NULL},
    {"num_vfs negative", V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»-1}]}",
     SPEC_E_RANGE, "$.pfs[0].num_vfs", "-1 is out of range 0..1024"},
    {"num_vfs 1025", V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»1025}]}",
     SPEC_E_RANGE, "$.pfs[0].num_vfs", NULL},
    {"num_vfs false", V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»false}]}",
     SPEC_E_TYPE, "$.pfs[0].num_vfs", "expected an integer, got false"},
    {"num_vfs a string", V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»\"2\"}]}",
     SPEC_E_TYPE, "$.pfs[0].num_vfs", NULL},
    {"num_vfs huge",
     V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»99999999999999999999999}]}",
     SPEC_E_RANGE, "$.pfs[0].num_vfs", "number out of range"},
    {"num_vfs 1e400", V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»1e400}]}",
     SPEC_E_RANGE, "$.pfs[0].num_vfs", NULL},
    {"vf_driver a number", PF "\"vf_driver\":»5}]}", SPEC_E_TYPE,
     "$.pfs[0].vf_driver", "expected a string or null, got an integer"},
    {"vf_driver escapes sysfs", PF "\"vf_driver\":»\"../../x\"}]}",
     SPEC_E_FORMAT, "$.pfs[0].vf_driver", "not a driver name"},
    {"vf_driver empty", PF "\"vf_driver\":»\"\"}]}", SPEC_E_FORMAT,
     "$.pfs[0].vf_driver", "1 to 63 characters"},
    {"vf_driver dot-dot", PF "\"vf_driver\":»\"..\"}]}", SPEC_E_FORMAT,
     "$.pfs[0].vf_driver", NULL},
    {"steering_mode typo", PF "\"steering_mode\":»\"smf\"}]}", SPEC_E_ENUM,
     "$.pfs[0].steering_mode",
     "unknown value \"smf\": expected one of \"dmfs\", \"smfs\" (did you "
     "mean \"smfs\"?)"},
    {"disruptive typo", PF "\"disruptive\":»\"alow\"}]}", SPEC_E_ENUM,
     "$.pfs[0].disruptive",
     "unknown value \"alow\": expected one of \"forbid\", \"allow\" (did "
     "you mean \"allow\"?)"},
    {"disruptive a bool", PF "\"disruptive\":»true}]}", SPEC_E_TYPE,
     "$.pfs[0].disruptive", NULL},
    {"disruptive on a VF",
     PF "\"vfs\":[{\"index\":0,»\"disruptive\":"
        "\"allow\"}]}]}",
     SPEC_E_UNKNOWN_KEY, "$.pfs[0].vfs[0].disruptive",
     "it belongs in $.pfs[]"},
    {"steering_mode a bool", PF "\"steering_mode\":»true}]}", SPEC_E_TYPE,
     "$.pfs[0].steering_mode", NULL},
    {"hw_tc_offload null", PF "\"hw_tc_offload\":»null}]}", SPEC_E_TYPE,
     "$.pfs[0].hw_tc_offload", NULL},
    {"attach_uplink 1", PF "\"attach_uplink\":»1}]}", SPEC_E_TYPE,
     "$.pfs[0].attach_uplink", NULL},
    {"bridge not defined",
     "{\"version\":1,\"bridges\":[{\"name\":\"ovs-sriov\"}],\"pfs\":[{"
     "\"netdev\":\"e\",\"num_vfs\":0,\"bridge\":»\"ovs-sriv\"}]}",
     SPEC_E_REFERENCE, "$.pfs[0].bridge",
     "no bridge named \"ovs-sriv\" in $.bridges (did you mean "
     "\"ovs-sriov\"?)"},
    {"bridge without bridges", PF "\"bridge\":»\"br0\"}]}", SPEC_E_REFERENCE,
     "$.pfs[0].bridge", NULL},
    {"pf unknown key", PF "»\"num_vf\":2}]}", SPEC_E_UNKNOWN_KEY,
     "$.pfs[0].num_vf", "(did you mean \"num_vfs\"?)"},
    {"pf key in the wrong case", PF "»\"Bridge\":\"b\"}]}", SPEC_E_UNKNOWN_KEY,
     "$.pfs[0].Bridge", "(did you mean \"bridge\"?)"},
    {"key of a VF on a PF", PF "»\"vlan\":5}]}", SPEC_E_UNKNOWN_KEY,
     "$.pfs[0].vlan",
     "unknown key \"vlan\" here (it belongs in $.pfs[].vfs[])"},
    {"key of ovs at the top", V "\"pfs\":[],»\"hw_offload\":true}",
     SPEC_E_UNKNOWN_KEY, "$.hw_offload", "(it belongs in $.ovs)"},
    /* VFs */
    {"vfs an object", PF "\"vfs\":»{}}]}", SPEC_E_TYPE, "$.pfs[0].vfs", NULL},
    {"vf a string", PF "\"vfs\":[»\"vf0\"]}]}", SPEC_E_TYPE, "$.pfs[0].vfs[0]",
     NULL},
    {"vf without index", PF "\"vfs\":[»{\"attach\":true}]}]}", SPEC_E_REQUIRED,
     "$.pfs[0].vfs[0].index", NULL},
    {"vf index 1.0", PF "\"vfs\":[{\"index\":»1.0}]}]}", SPEC_E_TYPE,
     "$.pfs[0].vfs[0].index", "expected an integer"},
    {"vf index negative", PF "\"vfs\":[{\"index\":»-1}]}]}", SPEC_E_RANGE,
     "$.pfs[0].vfs[0].index", NULL},
    {"vf index = num_vfs", PF "\"vfs\":[{\"index\":»2}]}]}", SPEC_E_REFERENCE,
     "$.pfs[0].vfs[0].index",
     "VF index 2 does not exist: the PF has num_vfs 2"},
    {"vf with num_vfs 0",
     V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":0,\"vfs\":[{\"index\":»0}]}]}",
     SPEC_E_REFERENCE, "$.pfs[0].vfs[0].index", NULL},
    {"vf index twice", PF "\"vfs\":[{\"index\":1},{\"index\":»1}]}]}",
     SPEC_E_DUPLICATE, "$.pfs[0].vfs[1].index",
     "duplicate VF index 1: already configured at $.pfs[0].vfs[0]"},
    {"vf mac multicast",
     PF "\"vfs\":[{\"index\":0},{\"index\":1,"
        "\"mac\":»\"01:00:5e:00:00:01\"}]}]}",
     SPEC_E_FORMAT, "$.pfs[0].vfs[1].mac",
     "not a unicast MAC address \"01:00:5e:00:00:01\""},
    {"vf mac broadcast", VF "\"mac\":»\"ff:ff:ff:ff:ff:ff\"}]}]}",
     SPEC_E_FORMAT, "$.pfs[0].vfs[0].mac", "not a unicast MAC address"},
    {"vf mac zero", VF "\"mac\":»\"00:00:00:00:00:00\"}]}]}", SPEC_E_FORMAT,
     "$.pfs[0].vfs[0].mac", "all-zero"},
    {"vf mac short", VF "\"mac\":»\"e4:11:22:33:55\"}]}]}", SPEC_E_FORMAT,
     "$.pfs[0].vfs[0].mac", "not a MAC address"},
    {"vf mac dashes", VF "\"mac\":»\"e4-11-22-33-55-60\"}]}]}", SPEC_E_FORMAT,
     "$.pfs[0].vfs[0].mac", NULL},
    {"vf mac a number", VF "\"mac\":»17}]}]}", SPEC_E_TYPE,
     "$.pfs[0].vfs[0].mac", NULL},
    {"vf mac used twice, other PF, other case",
     V "\"pfs\":[{\"netdev\":\"a\",\"num_vfs\":1,\"vfs\":[{\"index\":0,"
       "\"mac\":\"e4:11:22:33:55:60\"}]},{\"netdev\":\"b\",\"num_vfs\":1,"
       "\"vfs\":[{\"index\":0,\"mac\":»\"E4:11:22:33:55:60\"}]}]}",
     SPEC_E_DUPLICATE, "$.pfs[1].vfs[0].mac",
     "duplicate MAC address e4:11:22:33:55:60: already used at "
     "$.pfs[0].vfs[0].mac"},
    {"vf vlan 4095", VF "\"vlan\":»4095}]}]}", SPEC_E_RANGE,
     "$.pfs[0].vfs[0].vlan", "4095 is out of range 0..4094"},
    {"vf vlan negative", VF "\"vlan\":»-1}]}]}", SPEC_E_RANGE,
     "$.pfs[0].vfs[0].vlan", NULL},
    {"vf trust a string", VF "\"trust\":»\"true\"}]}]}", SPEC_E_TYPE,
     "$.pfs[0].vfs[0].trust", NULL},
    {"vf spoofchk null", VF "\"spoofchk\":»null}]}]}", SPEC_E_TYPE,
     "$.pfs[0].vfs[0].spoofchk", NULL},
    /* In switchdev (the default) a VF's vlan is its representor port's
     * OVS tag: the representor must be a port. */
    {"vf vlan on a switchdev PF without a bridge", VF "\"vlan\":»100}]}]}",
     SPEC_E_REQUIRED, "$.pfs[0].vfs[0].vlan",
     "\"vlan\" on a switchdev PF is the OVS tag of the VF's representor "
     "port: it needs \"bridge\" on this PF (the representor must be a port "
     "of a bridge)"},
    {"vf vlan on a switchdev PF, the VF not attached",
     V "\"bridges\":[{\"name\":\"br\"}],\"pfs\":[{\"netdev\":\"e\","
       "\"num_vfs\":1,\"bridge\":\"br\",\"vfs\":[{\"index\":0,\"vlan\":»7,"
       "\"attach\":false}]}]}",
     SPEC_E_CONFLICT, "$.pfs[0].vfs[0].vlan",
     "it needs \"attach\": true (the default) for this VF"},
    {"vf vlan, attach false before it",
     V "\"bridges\":[{\"name\":\"br\"}],\"pfs\":[{\"netdev\":\"e\","
       "\"num_vfs\":1,\"bridge\":\"br\",\"vfs\":[{\"attach\":false,"
       "\"index\":0,\"vlan\":»7}]}]}",
     SPEC_E_CONFLICT, "$.pfs[0].vfs[0].vlan", "\"attach\": true"},
    /* A wrong bridge is one error, not one more per vlan. */
    {"vf vlan, bridge not defined",
     V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":1,\"bridge\":»\"br\","
       "\"vfs\":[{\"index\":0,\"vlan\":7}]}]}",
     SPEC_E_REFERENCE, "$.pfs[0].bridge", "no bridge named \"br\""},
    /* mlx5 refuses the legacy VF ndos trust and spoofchk in switchdev. */
    {"vf trust on an explicit switchdev PF",
     V "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":\"switchdev\",\"num_vfs\":1,"
       "\"vfs\":[{\"index\":0,\"trust\":»false}]}]}",
     SPEC_E_CONFLICT, "$.pfs[0].vfs[0].trust",
     "\"trust\" needs \"eswitch\": \"legacy\" on this PF: mlx5 refuses a "
     "VF's trust and spoofchk in switchdev mode"},
    {"vf spoofchk on a switchdev PF", VF "\"spoofchk\":»true}]}]}",
     SPEC_E_CONFLICT, "$.pfs[0].vfs[0].spoofchk", "\"eswitch\": \"legacy\""},
    /* A wrong eswitch is one error, not one more per VF setting. */
    {"vf vlan, eswitch wrong",
     V "\"pfs\":[{\"netdev\":\"e\",\"eswitch\":»\"legasy\",\"num_vfs\":1,"
       "\"vfs\":[{\"index\":0,\"vlan\":5,\"trust\":true}]}]}",
     SPEC_E_ENUM, "$.pfs[0].eswitch", "(did you mean \"legacy\"?)"},
    {"vf attach 0", VF "\"attach\":»0}]}]}", SPEC_E_TYPE,
     "$.pfs[0].vfs[0].attach", NULL},
    {"vf unknown key", VF "»\"spoofcheck\":true}]}]}", SPEC_E_UNKNOWN_KEY,
     "$.pfs[0].vfs[0].spoofcheck", "(did you mean \"spoofchk\"?)"},
    /* JSON itself */
    {"duplicate key", PF "»\"num_vfs\":3}]}", SPEC_E_DUPLICATE,
     "$.pfs[0].num_vfs", "duplicate key"},
    {"duplicate key spelt with an escape",
     V "\"pfs\":[],»\"\\u0076ersion\":1}", SPEC_E_DUPLICATE, "$.version",
     NULL},
    {"trailing comma", V "\"pfs\":[1,»]}", SPEC_E_SYNTAX, "$.pfs[1]", NULL},
    {"bare word", V "\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":»two}]}",
     SPEC_E_SYNTAX, "$.pfs[0].num_vfs", "invalid JSON"},
    {"single quotes", V "\"pfs\":[»'e']}", SPEC_E_SYNTAX, "$.pfs[0]", NULL},
    {"comment", V "»// pfs\n\"pfs\":[]}", SPEC_E_SYNTAX, "$", NULL},
    {"missing brace", V "\"pfs\":[]»", SPEC_E_SYNTAX, "$.pfs", NULL},
    {"garbage after", V "\"pfs\":[]} »x", SPEC_E_SYNTAX, "$", NULL},
    {"newline in string", V "\"pfs\":[{\"netdev\":»\"e\nth0\"}]}",
     SPEC_E_SYNTAX, "$.pfs[0].netdev", NULL},
    {"invalid UTF-8", V "\"pfs\":[{\"netdev\":»\"\xff\",\"num_vfs\":0}]}",
     SPEC_E_ENCODING, "$.pfs[0].netdev", "not valid UTF-8"},
    {"overlong UTF-8", V "\"pfs\":[{\"netdev\":»\"\xc0\xaf\",\"num_vfs\":0}]}",
     SPEC_E_ENCODING, "$.pfs[0].netdev", NULL},
    {"NUL in a string",
     V "\"pfs\":[{\"netdev\":»\"a\\u0000b\",\"num_vfs\":0}]}", SPEC_E_ENCODING,
     "$.pfs[0].netdev", "NUL"},
    /* Positions on other lines and after multi-byte characters. */
    {"error on line 4",
     "{\n  \"version\": 1,\n  \"pfs\": [\n    {\"netdev\": \"e\", "
     "\"num_vfs\": »\"2\"}\n  ]\n}\n",
     SPEC_E_TYPE, "$.pfs[0].num_vfs", NULL},
    {"column counts characters",
     V "\"pfs\":[{\"netdev\":\"\xc3\xa9\xc3\xa9\",\"num_vfs\":»-5}]}",
     SPEC_E_RANGE, "$.pfs[0].num_vfs", NULL},
    {"tabs count as one column", "{\t\"version\":\t1,\t\"pfs\":\t»{}}",
     SPEC_E_TYPE, "$.pfs", NULL},
    /* bonds */
    {"bond without mode",
     BPFS "\"bonds\":[»{\"name\":\"bond0\",\"pfs\":" MEMBERS "}]}",
     SPEC_E_REQUIRED, "$.bonds[0].mode", "required key is missing"},
    {"bond mode typo",
     BPFS "\"bonds\":[{\"name\":\"bond0\",\"mode\":»\"active_backup\","
          "\"pfs\":" MEMBERS "}]}",
     SPEC_E_ENUM, "$.bonds[0].mode", "(did you mean \"active-backup\"?)"},
    {"bond member not declared",
     BOND_AB "\"pfs\":[{\"netdev\":\"p0\"},{\"netdev\":»\"p9\"}]}]}",
     SPEC_E_REFERENCE, "$.bonds[0].pfs[1].netdev", "no PF \"p9\" in $.pfs"},
    {"bond member by another key",
     BOND_AB "\"pfs\":[{\"netdev\":\"p0\"},{\"devlink\":»\"netdevsim/x\"}]}]}",
     SPEC_E_REFERENCE, "$.bonds[0].pfs[1].devlink", NULL},
    {"bond member malformed",
     BOND_AB "\"pfs\":[{\"netdev\":\"p0\"},{\"pci\":»\"3:0.1\"}]}]}",
     SPEC_E_FORMAT, "$.bonds[0].pfs[1].pci", "not a PCI address"},
    {"bond member with two keys",
     BOND_AB "\"pfs\":[{\"netdev\":\"p0\"},{\"pci\":\"0000:03:00.1\","
             "»\"netdev\":\"p1\"}]}]}",
     SPEC_E_CONFLICT, "$.bonds[0].pfs[1].netdev", NULL},
    {"bond member unknown key",
     BOND_AB "\"pfs\":[{\"netdev\":\"p0\"},{\"pci\":\"0000:03:00.1\","
             "»\"num_vfs\":2}]}]}",
     SPEC_E_UNKNOWN_KEY, "$.bonds[0].pfs[1].num_vfs", NULL},
    {"bond of one PF", BOND_AB "\"pfs\":»[{\"netdev\":\"p0\"}]}]}",
     SPEC_E_RANGE, "$.bonds[0].pfs", "exactly 2 PFs"},
    {"bond of three PFs",
     BPFS4 "\"bonds\":[{\"name\":\"b\",\"mode\":\"802.3ad\",\"pfs\":»"
           "[{\"netdev\":\"p0\"},{\"netdev\":\"p1\"},{\"netdev\":\"p2\"}]}]}",
     SPEC_E_RANGE, "$.bonds[0].pfs", "not 3"},
    {"bond member twice, two spellings",
     BOND_AB "\"pfs\":[{\"pci\":\"0000:03:00.1\"},"
             "»{\"devlink\":\"pci/0000:03:00.1\"}]}]}",
     SPEC_E_DUPLICATE, "$.bonds[0].pfs[1]",
     "already a member at "
     "$.bonds[0].pfs[0]"},
    {"PF in two bonds",
     BPFS4 "\"bonds\":[{\"name\":\"b0\",\"mode\":\"active-backup\",\"pfs\":"
           "[{\"netdev\":\"p0\"},{\"netdev\":\"p1\"}]},"
           "{\"name\":\"b1\",\"mode\":\"active-backup\",\"pfs\":"
           "[{\"netdev\":\"p2\"},»{\"netdev\":\"p1\"}]}]}",
     SPEC_E_DUPLICATE, "$.bonds[1].pfs[1]", "one bond, once"},
    {"bond name twice",
     BPFS4 "\"bonds\":[{\"name\":\"b0\",\"mode\":\"active-backup\",\"pfs\":"
           "[{\"netdev\":\"p0\"},{\"netdev\":\"p1\"}]},"
           "{\"name\":»\"b0\",\"mode\":\"active-backup\",\"pfs\":"
           "[{\"netdev\":\"p2\"},{\"netdev\":\"p3\"}]}]}",
     SPEC_E_DUPLICATE, "$.bonds[1].name", "duplicate bond name \"b0\""},
    {"bond name is a bridge name",
     BPFS "\"bonds\":[{\"name\":»\"br0\",\"mode\":\"balance-xor\","
          "\"pfs\":" MEMBERS "}]}",
     SPEC_E_CONFLICT, "$.bonds[0].name", "name of the bridge at $.bridges[0]"},
    {"bond name too long",
     BPFS "\"bonds\":[{\"name\":»\"bond-0123456789x\",\"mode\":\"802.3ad\","
          "\"pfs\":" MEMBERS "}]}",
     SPEC_E_FORMAT, "$.bonds[0].name", "longer than 15"},
    {"bond member in legacy",
     V "\"pfs\":[{\"netdev\":\"p0\",\"num_vfs\":1},"
       "{\"netdev\":\"p1\",\"num_vfs\":1,\"eswitch\":\"legacy\"}],"
       "\"bonds\":[{\"name\":\"b\",\"mode\":\"active-backup\",\"pfs\":"
       "[{\"netdev\":\"p0\"},»{\"netdev\":\"p1\"}]}]}",
     SPEC_E_CONFLICT, "$.bonds[0].pfs[1]", "needs both PFs in switchdev"},
    {"bond member attaches its own uplink",
     V "\"bridges\":[{\"name\":\"br0\"}],\"pfs\":[{\"netdev\":\"p0\","
       "\"num_vfs\":1,\"bridge\":\"br0\",\"attach_uplink\":true},"
       "{\"netdev\":\"p1\",\"num_vfs\":1}],"
       "\"bonds\":[{\"name\":\"b\",\"mode\":\"active-backup\",\"pfs\":"
       "[»{\"netdev\":\"p0\"},{\"netdev\":\"p1\"}]}]}",
     SPEC_E_CONFLICT, "$.bonds[0].pfs[0]",
     "(\"attach_uplink\": true at line 1): the bond is the bridge's uplink"},
    {"bond in another bridge than its representors",
     V "\"bridges\":[{\"name\":\"br0\"},{\"name\":\"br1\"}],\"pfs\":["
       "{\"netdev\":\"p0\",\"num_vfs\":1,\"bridge\":\"br0\"},"
       "{\"netdev\":\"p1\",\"num_vfs\":1}],"
       "\"bonds\":[{\"name\":\"b\",\"mode\":\"active-backup\",\"bridge\":"
       "\"br1\",\"pfs\":[»{\"netdev\":\"p0\"},{\"netdev\":\"p1\"}]}]}",
     SPEC_E_CONFLICT, "$.bonds[0].pfs[0]", "needs them in one bridge"},
    {"bond bridge not declared",
     BOND_AB "\"bridge\":»\"br9\",\"pfs\":" MEMBERS "}]}", SPEC_E_REFERENCE,
     "$.bonds[0].bridge", "no bridge named \"br9\""},
    {"xmit_hash_policy on active-backup",
     BOND_AB "\"xmit_hash_policy\":»\"layer3+4\",\"pfs\":" MEMBERS "}]}",
     SPEC_E_CONFLICT, "$.bonds[0].xmit_hash_policy", "active member only"},
    {"xmit_hash_policy typo",
     BPFS "\"bonds\":[{\"name\":\"b\",\"mode\":\"802.3ad\","
          "\"xmit_hash_policy\":»\"layer34\",\"pfs\":" MEMBERS "}]}",
     SPEC_E_ENUM, "$.bonds[0].xmit_hash_policy", NULL},
    {"lacp_rate on balance-xor",
     BPFS "\"bonds\":[{\"name\":\"b\",\"mode\":\"balance-xor\","
          "\"lacp_rate\":»\"fast\",\"pfs\":" MEMBERS "}]}",
     SPEC_E_CONFLICT, "$.bonds[0].lacp_rate", "needs mode \"802.3ad\""},
    {"miimon 0", BOND_AB "\"miimon\":»0,\"pfs\":" MEMBERS "}]}", SPEC_E_RANGE,
     "$.bonds[0].miimon", "out of range 1..60000"},
    {"miimon misspelt", BOND_AB "»\"mimon\":100,\"pfs\":" MEMBERS "}]}",
     SPEC_E_UNKNOWN_KEY, "$.bonds[0].mimon", "did you mean \"miimon\""},
    {"lacp_rate on a PF",
     V "\"pfs\":[{\"netdev\":\"p0\",\"num_vfs\":1,»\"lacp_rate\":\"fast\"}]}",
     SPEC_E_UNKNOWN_KEY, "$.pfs[0].lacp_rate", "it belongs in $.bonds[]"},
    {"bonds an object", V "\"pfs\":[],\"bonds\":»{}}", SPEC_E_TYPE, "$.bonds",
     NULL},
    /* vfs[].vdpa */
    {"vdpa a string", VF "\"vdpa\":»\"vhost_vdpa\"}]}]}", SPEC_E_TYPE,
     "$.pfs[0].vfs[0].vdpa", "expected an object, got a string"},
    {"vdpa without driver", VF "\"vdpa\":»{\"max_vqp\":4}}]}]}",
     SPEC_E_REQUIRED, "$.pfs[0].vfs[0].vdpa.driver",
     "required key is missing"},
    {"vdpa driver unknown", VF "\"vdpa\":{\"driver\":»\"vhost-vdpa\"}}]}]}",
     SPEC_E_ENUM, "$.pfs[0].vfs[0].vdpa.driver",
     "expected one of \"vhost_vdpa\", \"virtio_vdpa\" (did you mean "
     "\"vhost_vdpa\"?)"},
    {"vdpa unknown key",
     VF "\"vdpa\":{\"driver\":\"vhost_vdpa\",»\"max_vq\":2}}]}]}",
     SPEC_E_UNKNOWN_KEY, "$.pfs[0].vfs[0].vdpa.max_vq",
     "did you mean \"max_vqp\""},
    {"vdpa max_vqp 0",
     VF "\"vdpa\":{\"driver\":\"vhost_vdpa\",\"max_vqp\":»0}}]}]}",
     SPEC_E_RANGE, "$.pfs[0].vfs[0].vdpa.max_vqp", "out of range 1..32768"},
    {"vdpa mtu 10", VF "\"vdpa\":{\"driver\":\"vhost_vdpa\",\"mtu\":»10}}]}]}",
     SPEC_E_RANGE, "$.pfs[0].vfs[0].vdpa.mtu", "out of range 68..65535"},
    {"vdpa name with a slash",
     VF "\"vdpa\":{\"driver\":\"vhost_vdpa\",\"name\":»\"a/b\"}}]}]}",
     SPEC_E_FORMAT, "$.pfs[0].vfs[0].vdpa.name", "may hold only"},
    {"vdpa mgmtdev with two slashes",
     VF "\"vdpa\":{\"driver\":\"vhost_vdpa\",\"mgmtdev\":»\"pci/a/b\"}}]}]}",
     SPEC_E_FORMAT, "$.pfs[0].vfs[0].vdpa.mgmtdev", "\"bus/device\""},
    {"vdpa names twice",
     VF
     "\"vdpa\":{\"driver\":\"vhost_vdpa\",\"name\":\"v\"}},"
     "{\"index\":1,\"vdpa\":»{\"driver\":\"virtio_vdpa\",\"name\":\"v\"}}]}]}",
     SPEC_E_DUPLICATE, "$.pfs[0].vfs[1].vdpa",
     "duplicate vDPA device name \"v\": already used at $.pfs[0].vfs[0].vdpa"},
    {"vdpa name equal to another VF's default",
     VF "\"vdpa\":{\"driver\":\"vhost_vdpa\"}},"
        "{\"index\":1,\"vdpa\":»{\"driver\":\"vhost_vdpa\",\"name\":"
        "\"oa-eth0-vf0\"}}]}]}",
     SPEC_E_DUPLICATE, "$.pfs[0].vfs[1].vdpa", "\"oa-eth0-vf0\""},
    {"vdpa key on the PF", PF "»\"vdpa\":{}}]}", SPEC_E_UNKNOWN_KEY,
     "$.pfs[0].vdpa", "it belongs in $.pfs[].vfs[]"},
};

/* Where the marker is: 1-based line and column in characters. */
static void
marker_position(const char *text, const char *marker, unsigned *line,
                unsigned *col)
{
    *line = 1;
    *col = 1;
    for (const char *p = text; p < marker; p++) {
        if (*p == '\n') {
            (*line)++;
            *col = 1;
        } else if ((*p & 0xc0) != 0x80) {
            (*col)++;
        }
    }
}

START_TEST(test_vdpa_valid)
{
    struct spec *spec = load_valid(
        V "\"pfs\":[{\"netdev\":\"eth0\",\"num_vfs\":3,"
          "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:10\","
          "\"vdpa\":{\"driver\":\"vhost_vdpa\"}},"
          "{\"index\":1,\"vdpa\":{\"driver\":\"virtio_vdpa\",\"name\":\"vm1\","
          "\"max_vqp\":8,\"mtu\":9000,\"mgmtdev\":\"auxiliary/"
          "mlx5_core.sf.2\"}},"
          "{\"index\":2}]}]}");
    const struct spec_pf *pf = &spec->pfs[0];
    char name[SPEC_VDPA_NAME_MAX];
    ck_assert_int_eq(pf->vfs[0].vdpa.driver, SPEC_VDPA_VHOST);
    ck_assert_str_eq(pf->vfs[0].vdpa.name, "");
    ck_assert_uint_eq(pf->vfs[0].vdpa.max_vqp, 0);
    ck_assert_int_eq(spec_vdpa_name(pf, &pf->vfs[0], name), 0);
    ck_assert_str_eq(name, "oa-eth0-vf0");
    ck_assert_int_eq(pf->vfs[1].vdpa.driver, SPEC_VDPA_VIRTIO);
    ck_assert_str_eq(pf->vfs[1].vdpa.mgmtdev, "auxiliary/mlx5_core.sf.2");
    ck_assert_uint_eq(pf->vfs[1].vdpa.max_vqp, 8);
    ck_assert_uint_eq(pf->vfs[1].vdpa.mtu, 9000);
    ck_assert_int_eq(spec_vdpa_name(pf, &pf->vfs[1], name), 0);
    ck_assert_str_eq(name, "vm1");
    ck_assert_int_eq(pf->vfs[2].vdpa.driver, SPEC_VDPA_NONE);
    assert_round_trip(spec);
    spec_destroy(spec);

    /* The default from a PCI address or devlink handle: no ':' or '/'. */
    struct spec_pf p = {.id = "pci/0000:43:00.0"};
    struct spec_vf v = {.index = 3};
    ck_assert_int_eq(spec_vdpa_name(&p, &v, name), 0);
    ck_assert_str_eq(name, "oa-pci_0000_43_00.0-vf3");
}
END_TEST

START_TEST(test_invalid_case)
{
    const struct invalid_case *tc = &invalid_cases[_i];
    const char *marker = strstr(tc->text, "\xc2\xbb");
    char text[1024];
    unsigned line = 1, col = 1;

    if (marker) {
        size_t at = (size_t)(marker - tc->text);
        marker_position(tc->text, marker, &line, &col);
        snprintf(text, sizeof text, "%.*s%s", (int)at, tc->text, marker + 2);
    } else {
        snprintf(text, sizeof text, "%s", tc->text);
    }

    struct spec *spec = (struct spec *)1;
    struct spec_errors *errs;
    int r = load_text(text, &spec, &errs);
    char *msgs = errors_to_string(errs);

    ck_assert_msg(r == -EINVAL, "%s: loaded (%d)", tc->name, r);
    ck_assert_ptr_null(spec);
    ck_assert_msg(spec_errors_count(errs) == 1,
                  "%s: want exactly one error, got:\n%s", tc->name, msgs);
    const struct spec_error *e = spec_errors_get(errs, 0);
    ck_assert_msg(e->class == tc->class, "%s: class %s, want %s\n%s", tc->name,
                  spec_error_class_name(e->class),
                  spec_error_class_name(tc->class), msgs);
    ck_assert_msg(!strcmp(e->path, tc->path), "%s: path %s, want %s", tc->name,
                  e->path, tc->path);
    ck_assert_msg(e->line == line && e->col == col,
                  "%s: at %u:%u, want %u:%u\n%s", tc->name, e->line, e->col,
                  line, col, msgs);
    ck_assert_str_eq(e->file, "t.json");
    if (tc->msg) {
        ck_assert_msg(strstr(e->message, tc->msg),
                      "%s: message \"%s\" lacks \"%s\"", tc->name, e->message,
                      tc->msg);
    }
    free(msgs);
    spec_errors_destroy(errs);
}
END_TEST

START_TEST(test_all_errors_reported_sorted)
{
    const char *text =
        "{\n"
        "  \"pfs\": [\n"
        "    {\"netdev\": \"enp67s0f0\", \"num_vfs\": 2,\n"
        "     \"vfs\": [{\"index\": 0, \"mac\": \"e4:11:22:33:55:60\"},\n"
        "              {\"index\": 1, \"mac\": \"01:00:5e:00:00:01\"}]}\n"
        "  ],\n"
        "  \"ovs\": {\"tc_policy\": \"skipsw\"},\n"
        "  \"version\": 3,\n"
        "  \"bridges\": [{\"name\": \"this-name-is-too-long\"}]\n"
        "}\n";
    struct spec *spec;
    struct spec_errors *errs;

    ck_assert_int_eq(
        spec_load_buffer("host.json", text, strlen(text), &spec, &errs),
        -EINVAL);
    char *msgs = errors_to_string(errs);
    ck_assert_str_eq(
        msgs,
        "host.json:5:35: $.pfs[0].vfs[1].mac: not a unicast MAC address "
        "\"01:00:5e:00:00:01\"\n"
        "host.json:7:24: $.ovs.tc_policy: unknown value \"skipsw\": expected "
        "one of \"none\", \"skip_sw\", \"skip_hw\" (did you mean "
        "\"skip_sw\"?)\n"
        "host.json:8:14: $.version: unsupported spec version 3: this agent "
        "reads version 1\n"
        "host.json:9:24: $.bridges[0].name: not a valid bridge name "
        "\"this-name-is-too-long\": is longer than 15 bytes\n");
    ck_assert_int_eq(spec_errors_get(errs, 0)->class, SPEC_E_FORMAT);
    ck_assert_int_eq(spec_errors_get(errs, 1)->class, SPEC_E_ENUM);
    free(msgs);
    spec_errors_destroy(errs);
}
END_TEST

START_TEST(test_no_cascade)
{
    /* A broken num_vfs is reported once; the VF indices are then only
     * checked against the largest possible num_vfs. */
    const char *text = "{\"version\":1,\"pfs\":[{\"netdev\":\"e\","
                       "\"num_vfs\":\"4\",\"vfs\":[{\"index\":3},"
                       "{\"index\":1024}]}]}";
    struct spec *spec;
    struct spec_errors *errs;

    ck_assert_int_eq(load_text(text, &spec, &errs), -EINVAL);
    ck_assert_uint_eq(spec_errors_count(errs), 2);
    ck_assert_int_eq(spec_errors_get(errs, 0)->class, SPEC_E_TYPE);
    ck_assert_str_eq(spec_errors_get(errs, 0)->path, "$.pfs[0].num_vfs");
    ck_assert_int_eq(spec_errors_get(errs, 1)->class, SPEC_E_RANGE);
    ck_assert_str_eq(spec_errors_get(errs, 1)->path, "$.pfs[0].vfs[1].index");
    spec_errors_destroy(errs);
}
END_TEST

START_TEST(test_many_errors_all_reported)
{
    /* 300 VFs with bad MACs: 300 errors, in order. */
    size_t size = 0;
    char *text = NULL;
    FILE *f = open_memstream(&text, &size);
    fprintf(f, "{\"version\":1,\"pfs\":[{\"netdev\":\"e\",\"num_vfs\":300,"
               "\"vfs\":[");
    for (int i = 0; i < 300; i++) {
        fprintf(f, "%s\n{\"index\":%d,\"mac\":\"03:00:00:00:00:%02x\"}",
                i ? "," : "", i, i & 0xff);
    }
    fprintf(f, "]}]}");
    fclose(f);

    struct spec *spec;
    struct spec_errors *errs;
    ck_assert_int_eq(load_text(text, &spec, &errs), -EINVAL);
    ck_assert_uint_eq(spec_errors_count(errs), 300);
    for (size_t i = 0; i < 300; i++) {
        const struct spec_error *e = spec_errors_get(errs, i);
        ck_assert_uint_eq(e->line, i + 2);
        ck_assert_uint_eq(e->col, i < 10 ? 18 : i < 100 ? 19 : 20);
        ck_assert_int_eq(e->class, SPEC_E_FORMAT);
    }
    ck_assert_str_eq(spec_errors_get(errs, 299)->path,
                     "$.pfs[0].vfs[299].mac");
    spec_errors_destroy(errs);
    free(text);
}
END_TEST

/* Hostile input: every one is an error, none crashes (Check forks each
 * test, so a crash fails it). */
static void
assert_one_error(const char *data, size_t len, enum spec_error_class class)
{
    struct spec *spec;
    struct spec_errors *errs;
    int r = spec_load_buffer("t.json", data, len, &spec, &errs);
    char *msgs = errors_to_string(errs);

    ck_assert_int_eq(r, -EINVAL);
    ck_assert_ptr_null(spec);
    ck_assert_msg(spec_errors_count(errs) == 1, "%s", msgs);
    ck_assert_msg(spec_errors_get(errs, 0)->class == class, "%s", msgs);
    free(msgs);
    spec_errors_destroy(errs);
}

START_TEST(test_empty)
{
    assert_one_error("", 0, SPEC_E_SYNTAX);
    assert_one_error(" \n\t\r\n", 5, SPEC_E_SYNTAX);
    assert_one_error("\xef\xbb\xbf", 3, SPEC_E_SYNTAX);
}
END_TEST

START_TEST(test_not_utf8)
{
    static const char latin1[] = "{\"version\":1,\"pfs\":[{\"netdev\":"
                                 "\"caf\xe9\",\"num_vfs\":0}]}";
    static const char utf16[] = "\xff\xfe{\0\"\0v\0";

    assert_one_error(latin1, sizeof latin1 - 1, SPEC_E_ENCODING);
    assert_one_error(utf16, sizeof utf16 - 1, SPEC_E_ENCODING);
    /* A NUL byte in the file, where jansson would see the end of the
     * input, or anywhere else. */
    assert_one_error("{\"version\":1,\0\"pfs\":[]}", 23, SPEC_E_ENCODING);
    assert_one_error("{\"version\":1,\"pfs\":[]}\0", 23, SPEC_E_ENCODING);
    assert_one_error("{\"version\":1,\"pfs\":[]}\n\0\0", 25, SPEC_E_ENCODING);
    /* Only NULs (a file zero-filled by a crash) or white space and
     * NULs: not "empty", a NUL byte. */
    assert_one_error("\0\0\0", 3, SPEC_E_ENCODING);
    assert_one_error(" \n\0", 3, SPEC_E_ENCODING);
}
END_TEST

START_TEST(test_huge_numbers)
{
    static const char *const texts[] = {
        "{\"version\":1e400,\"pfs\":[]}",
        "{\"version\":-1e400,\"pfs\":[]}",
        "{\"version\":99999999999999999999999,\"pfs\":[]}",
        "{\"version\":-99999999999999999999999,\"pfs\":[]}",
    };
    for (size_t i = 0; i < 4; i++) {
        assert_one_error(texts[i], strlen(texts[i]), SPEC_E_RANGE);
    }
    /* Fits in 64 bits but not in the range. */
    static const char big[] = "{\"version\":1,\"pfs\":[{\"netdev\":\"e\","
                              "\"num_vfs\":9223372036854775807}]}";
    assert_one_error(big, sizeof big - 1, SPEC_E_RANGE);
    static const char tiny[] = "{\"version\":1,\"pfs\":[{\"netdev\":\"e\","
                               "\"num_vfs\":-9223372036854775808}]}";
    assert_one_error(tiny, sizeof tiny - 1, SPEC_E_RANGE);
}
END_TEST

START_TEST(test_deep_nesting)
{
    size_t n = 100000;
    char *text = malloc(2 * n + 1);

    memset(text, '[', n);
    assert_one_error(text, n, SPEC_E_SYNTAX);
    memset(text + n, ']', n);
    assert_one_error(text, 2 * n, SPEC_E_SYNTAX);
    for (size_t i = 0; i < n; i++) {
        memcpy(text + 2 * i, "{\"", 2);
    }
    assert_one_error(text, n, SPEC_E_SYNTAX);

    /* Deep inside a valid key: still one error, with a bounded path. */
    struct spec *spec;
    struct spec_errors *errs;
    memset(text, '[', n);
    spec_load_buffer("t.json", text, n, &spec, &errs);
    ck_assert_uint_lt(strlen(spec_errors_get(errs, 0)->path), 200);
    spec_errors_destroy(errs);
    free(text);
}
END_TEST

static char *
write_temp(const char *data, size_t len)
{
    char *path = strdup("/tmp/test-spec-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, data, len), (ssize_t)len);
    close(fd);
    return path;
}

START_TEST(test_ten_megabytes)
{
    size_t len = 10 * 1024 * 1024;
    char *data = malloc(len);

    /* A valid spec padded with whitespace to 10 MB: too large anyway. */
    memset(data, ' ', len);
    memcpy(data, "{\"version\":1,\"pfs\":[]}", 22);
    assert_one_error(data, len, SPEC_E_LIMIT);

    char *path = write_temp(data, len);
    struct spec *spec;
    struct spec_errors *errs;
    ck_assert_int_eq(spec_load_file(path, &spec, &errs), -EFBIG);
    ck_assert_uint_eq(spec_errors_count(errs), 1);
    ck_assert_int_eq(spec_errors_get(errs, 0)->class, SPEC_E_LIMIT);
    spec_errors_destroy(errs);
    unlink(path);
    free(path);

    /* Just under the limit is read and parsed. */
    ck_assert_int_eq(
        spec_load_buffer("t.json", data, SPEC_MAX_BYTES, &spec, &errs), 0);
    spec_errors_destroy(errs);
    spec_destroy(spec);
    free(data);
}
END_TEST

START_TEST(test_file_errors)
{
    struct spec *spec;
    struct spec_errors *errs;

    ck_assert_int_eq(spec_load_file("/nonexistent/host.json", &spec, &errs),
                     -ENOENT);
    ck_assert_ptr_null(spec);
    ck_assert_uint_eq(spec_errors_count(errs), 1);
    const struct spec_error *e = spec_errors_get(errs, 0);
    ck_assert_int_eq(e->class, SPEC_E_IO);
    char *line = spec_error_format(e);
    ck_assert_str_eq(line, "/nonexistent/host.json: cannot read the spec: "
                           "No such file or directory");
    free(line);
    spec_errors_destroy(errs);

    ck_assert_int_eq(spec_load_file("/", &spec, &errs), -EISDIR);
    ck_assert_int_eq(spec_errors_get(errs, 0)->class, SPEC_E_IO);
    spec_errors_destroy(errs);

    /* A readable file gives its name to the errors. */
    static const char text[] = "{\"version\": 1, \"pfs\": [{}]}";
    char *path = write_temp(text, sizeof text - 1);
    ck_assert_int_eq(spec_load_file(path, &spec, &errs), -EINVAL);
    line = spec_error_format(spec_errors_get(errs, 0));
    char want[256];
    snprintf(want, sizeof want,
             "%s:1:24: $.pfs[0]: a PF needs one of \"netdev\", \"pci\" or "
             "\"devlink\"",
             path);
    ck_assert_str_eq(line, want);
    free(line);
    spec_errors_destroy(errs);
    unlink(path);
    free(path);
}
END_TEST

START_TEST(test_json_of_a_spec_built_in_memory)
{
    /* Zero means "default" or "unset" in every struct, so a caller
     * only sets what it cares about. */
    struct spec_vf vf = {.index = 1, .attach = true};
    struct spec_pf pf = {.key = SPEC_PF_BY_NETDEV,
                         .id = "eth0",
                         .num_vfs = 2,
                         .hw_tc_offload = true,
                         .attach_uplink = true,
                         .vfs = &vf,
                         .n_vfs = 1};
    struct spec mem = {.version = 1,
                       .ovs = {.db = "unix:/x.sock", .hw_offload = true},
                       .pfs = &pf,
                       .n_pfs = 1};
    char *json = spec_to_json_string(&mem, 0);

    ck_assert_ptr_nonnull(json);
    struct spec *loaded = load_valid(json);
    ck_assert(spec_equal(&mem, loaded));
    spec_destroy(loaded);
    free(json);

    pf.id = NULL;
    ck_assert_ptr_null(spec_to_json_string(&mem, SPEC_JSON_PRETTY));
}
END_TEST

/* jansson's allocations fail at the Nth call from now (0: never). */
static long jansson_fail_at, jansson_calls;

static void *
failing_malloc(size_t size)
{
    return ++jansson_calls == jansson_fail_at ? NULL : malloc(size);
}

/* jansson's lexer drops a character when it cannot grow its buffer and
 * still returns a document ("netdevsim1" loads as "netdvsim1"). With
 * each of jansson's allocations failing in turn, the loader must give
 * -ENOMEM or the very spec the file holds, never another one. */
START_TEST(test_jansson_out_of_memory)
{
    static const char text[] =
        "{\"version\": 1, \"ovs\": {\"max_idle_ms\": 3600000},"
        " \"bridges\": [{\"name\": \"ovs-sriov-br-01\"}],"
        " \"pfs\": [{\"devlink\": \"netdevsim/netdevsim1234567\","
        " \"num_vfs\": 1024, \"bridge\": \"ovs-sriov-br-01\","
        " \"vfs\": [{\"index\": 1023, \"mac\": \"e4:11:22:33:55:60\"}]}]}";
    struct spec *want = load_valid(text);
    size_t n_enomem = 0, n;

    json_set_alloc_funcs(failing_malloc, free);
    for (n = 1;; n++) {
        struct spec *spec;
        struct spec_errors *errs;
        jansson_calls = 0;
        jansson_fail_at = (long)n;
        int r = load_text(text, &spec, &errs);
        bool failed = jansson_calls >= jansson_fail_at;
        jansson_fail_at = 0;
        if (!failed) {
            ck_assert_int_eq(r, 0);
            ck_assert(spec_equal(spec, want));
        } else {
            ck_assert_msg(r == -ENOMEM || (r == 0 && spec_equal(spec, want)),
                          "jansson allocation %zu failed: loaded %d%s", n, r,
                          r == 0 ? ", another spec" : "");
            n_enomem += r == -ENOMEM;
        }
        spec_destroy(spec);
        spec_errors_destroy(errs);
        if (!failed) {
            break;
        }
    }
    ck_assert_uint_gt(n_enomem, 0);
    spec_destroy(want);
}
END_TEST

/* A bond over two PFs: its values, the member PFs found whatever key
 * they are declared by, their uplinks left to the bond, and the round
 * trip naming each member by its PF's key. */
START_TEST(test_bond)
{
    struct spec *spec = load_valid(
        "{\"version\": 1, \"bridges\": [{\"name\": \"br0\"}],\n"
        " \"bonds\": [{\"name\": \"bond0\", \"mode\": \"802.3ad\",\n"
        "   \"pfs\": [{\"devlink\": \"pci/0000:03:00.1\"},\n"
        "             {\"netdev\": \"p0\"}],\n"
        "   \"miimon\": 250, \"xmit_hash_policy\": \"layer3+4\",\n"
        "   \"lacp_rate\": \"fast\", \"bridge\": \"br0\"}],\n"
        " \"pfs\": [{\"netdev\": \"p0\", \"num_vfs\": 4, \"bridge\": "
        "\"br0\"},\n"
        "   {\"netdev\": \"solo\", \"num_vfs\": 1, \"bridge\": \"br0\"},\n"
        "   {\"pci\": \"0000:03:00.1\", \"num_vfs\": 4, \"bridge\": \"br0\",\n"
        "    \"attach_uplink\": false}]}");

    ck_assert_uint_eq(spec->n_bonds, 1);
    const struct spec_bond *b = &spec->bonds[0];
    ck_assert_str_eq(b->name, "bond0");
    ck_assert_int_eq(b->mode, SPEC_BOND_8023AD);
    ck_assert_uint_eq(b->pfs[0], 2);
    ck_assert_uint_eq(b->pfs[1], 0);
    ck_assert_uint_eq(b->miimon_ms, 250);
    ck_assert_int_eq(b->xmit_hash, SPEC_XMIT_HASH_LAYER3_4);
    ck_assert_int_eq(b->lacp_rate, SPEC_LACP_RATE_FAST);
    ck_assert_str_eq(b->bridge, "br0");
    ck_assert_int_eq(b->pos.line, 2);
    ck_assert(!spec->pfs[0].attach_uplink);
    ck_assert(spec->pfs[1].attach_uplink);
    ck_assert(!spec->pfs[2].attach_uplink);
    ck_assert_ptr_eq(spec_pf_bond(spec, 0), b);
    ck_assert_ptr_null(spec_pf_bond(spec, 1));
    ck_assert_ptr_eq(spec_pf_bond(spec, 2), b);

    char *json = spec_to_json_string(spec, 0);
    ck_assert_ptr_nonnull(strstr(
        json, "\"bonds\":[{\"name\":\"bond0\",\"mode\":\"802.3ad\","
              "\"pfs\":[{\"pci\":\"0000:03:00.1\"},{\"netdev\":\"p0\"}],"
              "\"miimon\":250,\"xmit_hash_policy\":\"layer3+4\","
              "\"lacp_rate\":\"fast\",\"bridge\":\"br0\"}]"));
    free(json);
    assert_round_trip(spec);
    spec_destroy(spec);

    /* The defaults: miimon 100, the hash and rate the kernel's. */
    spec = load_valid(
        "{\"version\": 1, \"pfs\": [{\"netdev\": \"a\", \"num_vfs\": 0},\n"
        "  {\"netdev\": \"b\", \"num_vfs\": 0}], \"bonds\": [{\"name\": \"b\","
        " \"mode\": \"active-backup\", \"pfs\": [{\"netdev\": \"a\"},"
        " {\"netdev\": \"b\"}]}]}");
    b = &spec->bonds[0];
    ck_assert_int_eq(b->mode, SPEC_BOND_ACTIVE_BACKUP);
    ck_assert_uint_eq(b->miimon_ms, SPEC_DEFAULT_MIIMON_MS);
    ck_assert_int_eq(b->xmit_hash, SPEC_XMIT_HASH_UNSET);
    ck_assert_int_eq(b->lacp_rate, SPEC_LACP_RATE_UNSET);
    ck_assert_ptr_null(b->bridge);
    assert_round_trip(spec);

    /* Every field counts in spec_equal. */
    struct spec *other = load_valid(
        "{\"version\": 1, \"pfs\": [{\"netdev\": \"a\", \"num_vfs\": 0},\n"
        "  {\"netdev\": \"b\", \"num_vfs\": 0}], \"bonds\": [{\"name\": \"b\","
        " \"mode\": \"active-backup\", \"miimon\": 101, \"pfs\": "
        "[{\"netdev\": \"a\"}, {\"netdev\": \"b\"}]}]}");
    ck_assert(!spec_equal(spec, other));
    spec_destroy(other);
    other = load_valid(
        "{\"version\": 1, \"pfs\": [{\"netdev\": \"a\", \"num_vfs\": 0},\n"
        "  {\"netdev\": \"b\", \"num_vfs\": 0}], \"bonds\": [{\"name\": \"b\","
        " \"mode\": \"active-backup\", \"pfs\": [{\"netdev\": \"b\"},"
        " {\"netdev\": \"a\"}]}]}");
    ck_assert(!spec_equal(spec, other));
    spec_destroy(other);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_destroy_null)
{
    spec_destroy(NULL);
    spec_errors_destroy(NULL);
    ck_assert_uint_eq(spec_errors_count(NULL), 0);
    ck_assert_ptr_null(spec_errors_get(NULL, 0));
}
END_TEST

static Suite *
spec_suite(void)
{
    Suite *s = suite_create("spec");
    TCase *tc = tcase_create("valid");
    tcase_add_test(tc, test_examples_valid_and_round_trip);
    tcase_add_test(tc, test_defaults);
    tcase_add_test(tc, test_switchdev_vlan);
    tcase_add_test(tc, test_every_option_round_trips);
    tcase_add_test(tc, test_empty_pfs_is_valid);
    tcase_add_test(tc, test_steering_mode_json);
    tcase_add_test(tc, test_disruptive_json);
    tcase_add_test(tc, test_spec_equal_sees_differences);
    tcase_add_test(tc, test_json_of_a_spec_built_in_memory);
    tcase_add_test(tc, test_destroy_null);
    tcase_add_test(tc, test_bond);
    suite_add_tcase(s, tc);

    tc = tcase_create("invalid");
    tcase_add_loop_test(tc, test_invalid_case, 0,
                        sizeof invalid_cases / sizeof invalid_cases[0]);
    tcase_add_test(tc, test_all_errors_reported_sorted);
    tcase_add_test(tc, test_no_cascade);
    tcase_add_test(tc, test_many_errors_all_reported);
    tcase_add_test(tc, test_file_errors);
    suite_add_tcase(s, tc);

    tc = tcase_create("hostile");
    tcase_add_test(tc, test_empty);
    tcase_add_test(tc, test_not_utf8);
    tcase_add_test(tc, test_huge_numbers);
    tcase_add_test(tc, test_deep_nesting);
    tcase_add_test(tc, test_vdpa_valid);
    tcase_add_test(tc, test_ten_megabytes);
    tcase_add_test(tc, test_jansson_out_of_memory);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    printf("invalid-spec cases: %zu\n",
           sizeof invalid_cases / sizeof invalid_cases[0]);
    return oa_check_run(spec_suite());
}
