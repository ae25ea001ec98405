/* hostcheck_run(): a spec and an observed host built in memory, the
 * findings validate --host reports, where they point and how they are
 * printed. */
#include <check.h>
#include <jansson.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hostcheck.h"
#include "obs.h"
#include "offload/spec.h"
#include "vsdb.h"

#include "oa-check.h"

/* One PF "eth0" (num_vfs 2, switchdev, bridge ovs-sriov) found with a
 * switchdev eswitch, sriov_totalvfs 8; OVSDB connected, no bridge. */
struct fx {
    struct spec spec;
    struct spec_bridge bridge;
    struct spec_pf pf;
    struct obs_host host;
    struct obs_pf opf;
    struct vsdb_state st;
    struct vsdb_bridge br;
    bool netdev[1];
    struct hostcheck_findings f;
};

static struct fx fx;

static void
setup(void)
{
    memset(&fx, 0, sizeof fx);
    fx.spec = (struct spec){
        .file = (char *)"host.json",
        .version = 1,
        .ovs = {.db = (char *)SPEC_DEFAULT_OVS_DB, .pos = {3, 10}},
        .bridges = &fx.bridge,
        .n_bridges = 1,
        .pfs = &fx.pf,
        .n_pfs = 1,
    };
    fx.bridge =
        (struct spec_bridge){.name = (char *)"ovs-sriov", .pos = {5, 19}};
    fx.pf = (struct spec_pf){
        .key = SPEC_PF_BY_NETDEV,
        .id = (char *)"eth0",
        .eswitch = SPEC_ESWITCH_SWITCHDEV,
        .num_vfs = 2,
        .bridge = (char *)"ovs-sriov",
        .pos = {8, 5},
        .field_pos = {.id = {9, 17}, .num_vfs = {10, 18}},
    };
    fx.opf = (struct obs_pf){
        .found = true,
        .netdev = "eth0",
        .has_devlink = true,
        .devlink = "pci/0000:08:00.0",
        .bus = "pci",
        .dev_name = "0000:08:00.0",
        .has_eswitch = true,
        .eswitch_mode = DEVLINK_ESWITCH_MODE_SWITCHDEV,
        .driver = "netdevsim",
        .has_total_vfs = true,
        .total_vfs = 8,
    };
    fx.host = (struct obs_host){.pfs = &fx.opf, .n_pfs = 1};
    fx.st.ready = true;
    fx.host.ovs.connected = true;
    fx.host.ovs.state = &fx.st;
}

static void
teardown(void)
{
    hostcheck_findings_clear(&fx.f);
}

static void
run(void)
{
    hostcheck_findings_clear(&fx.f);
    ck_assert_int_eq(hostcheck_run(&fx.spec, &fx.host, fx.netdev, &fx.f), 0);
}

/* The one finding of check 'check' (fails when there is not exactly
 * one). */
static const struct hostcheck_finding *
only(enum hostcheck_check check)
{
    const struct hostcheck_finding *found = NULL;
    for (size_t i = 0; i < fx.f.n; i++) {
        if (fx.f.v[i].check == check) {
            ck_assert_msg(!found, "two %s findings",
                          hostcheck_check_name(check));
            found = &fx.f.v[i];
        }
    }
    ck_assert_msg(found, "no %s finding", hostcheck_check_name(check));
    return found;
}

static void
assert_at(const struct hostcheck_finding *x, enum hostcheck_severity sev,
          const char *path, unsigned line, unsigned col, const char *text)
{
    ck_assert_int_eq(x->severity, sev);
    ck_assert_str_eq(x->path, path);
    ck_assert_uint_eq(x->pos.line, line);
    ck_assert_uint_eq(x->pos.col, col);
    ck_assert_msg(strstr(x->message, text), "\"%s\" not in \"%s\"", text,
                  x->message);
}

START_TEST(test_applicable_spec_has_no_finding)
{
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    /* No limit reported: nothing to compare num_vfs with. */
    fx.opf.has_total_vfs = false;
    fx.pf.num_vfs = 1000;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
}
END_TEST

START_TEST(test_missing_pf_points_at_its_key)
{
    fx.opf = (struct obs_pf){.found = false, .error = "no netdev eth0"};
    run();
    ck_assert_uint_eq(fx.f.n, 1);
    ck_assert_uint_eq(fx.f.n_errors, 1);
    assert_at(only(HOSTCHECK_PF), HOSTCHECK_ERROR, "$.pfs[0].netdev", 9, 17,
              "PF eth0 cannot be configured on this host: no netdev eth0");
}
END_TEST

START_TEST(test_not_sriov_capable)
{
    fx.opf.found = false;
    snprintf(fx.opf.error, sizeof fx.opf.error, "%s",
             "eth0 (pci/0000:08:00.0) has no SR-IOV: sriov_numvfs");
    run();
    assert_at(only(HOSTCHECK_PF), HOSTCHECK_ERROR, "$.pfs[0].netdev", 9, 17,
              "has no SR-IOV");
}
END_TEST

/* A device that is there but unusable (no netdev: the NVMe of the PCI
 * bed): its limit is reported too. */
START_TEST(test_num_vfs_of_unusable_device)
{
    fx.opf = (struct obs_pf){.found = false,
                             .error = "no netdev on device 0000:00:04.0",
                             .has_total_vfs = true,
                             .total_vfs = 2};
    fx.pf.num_vfs = 3;
    fx.pf.inline_mode = SPEC_INLINE_LINK; /* not checked: no eswitch known */
    run();
    ck_assert_uint_eq(fx.f.n_errors, 2);
    only(HOSTCHECK_PF);
    assert_at(only(HOSTCHECK_NUM_VFS), HOSTCHECK_ERROR, "$.pfs[0].num_vfs", 10,
              18, "sriov_totalvfs of eth0 is 2");
}
END_TEST

START_TEST(test_num_vfs_over_totalvfs)
{
    fx.opf.total_vfs = 2;
    fx.pf.num_vfs = 2;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    fx.pf.num_vfs = 3;
    run();
    ck_assert_uint_eq(fx.f.n_errors, 1);
    assert_at(only(HOSTCHECK_NUM_VFS), HOSTCHECK_ERROR, "$.pfs[0].num_vfs", 10,
              18,
              "num_vfs 3 is more than the device supports: sriov_totalvfs of "
              "pci/0000:08:00.0 is 2");
}
END_TEST

START_TEST(test_eswitch_unreadable)
{
    fx.opf.has_eswitch = false;
    run();
    /* "eswitch" not written (the default): the PF's brace. */
    assert_at(only(HOSTCHECK_ESWITCH), HOSTCHECK_ERROR, "$.pfs[0]", 8, 5,
              "devlink does not answer eswitch get");
    fx.opf.has_devlink = false;
    fx.pf.field_pos.eswitch = (struct spec_pos){11, 18};
    run();
    assert_at(only(HOSTCHECK_ESWITCH), HOSTCHECK_ERROR, "$.pfs[0].eswitch", 11,
              18, "no devlink instance");
    /* Legacy, nothing else asked: no eswitch needed. */
    fx.pf.eswitch = SPEC_ESWITCH_LEGACY;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    /* ... but an inline mode needs one. */
    fx.pf.inline_mode = SPEC_INLINE_LINK;
    run();
    only(HOSTCHECK_ESWITCH);
}
END_TEST

START_TEST(test_inline_and_encap_not_reported)
{
    fx.pf.inline_mode = SPEC_INLINE_TRANSPORT;
    fx.pf.encap_mode = SPEC_ENCAP_BASIC;
    fx.pf.field_pos.inline_mode = (struct spec_pos){12, 22};
    run();
    ck_assert_uint_eq(fx.f.n_errors, 2);
    assert_at(only(HOSTCHECK_INLINE_MODE), HOSTCHECK_ERROR,
              "$.pfs[0].inline_mode", 12, 22,
              "inline_mode transport asked, but pci/0000:08:00.0's eswitch "
              "reports no inline mode");
    assert_at(only(HOSTCHECK_ENCAP_MODE), HOSTCHECK_ERROR, "$.pfs[0]", 8, 5,
              "encap_mode basic asked");
    /* Reported: settable. */
    fx.opf.has_inline_mode = true;
    fx.opf.inline_mode = DEVLINK_ESWITCH_INLINE_MODE_LINK;
    fx.opf.has_encap_mode = true;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
}
END_TEST

START_TEST(test_steering_param_missing)
{
    fx.pf.steering_mode = SPEC_STEERING_SMFS;
    fx.pf.field_pos.steering_mode = (struct spec_pos){13, 24};
    run();
    assert_at(only(HOSTCHECK_STEERING_MODE), HOSTCHECK_ERROR,
              "$.pfs[0].steering_mode", 13, 24,
              "steering_mode smfs asked, but the device has no devlink param "
              "flow_steering_mode");
    fx.opf.has_steering = true;
    snprintf(fx.opf.steering, sizeof fx.opf.steering, "dmfs");
    run();
    /* netdevsim: no known refusal, whatever its mode. */
    ck_assert_uint_eq(fx.f.n, 0);
}
END_TEST

/* The known-refusal table: keyed by the driver, only when the host looks
 * the way the row says. */
START_TEST(test_mlx5_smfs_in_switchdev_is_a_warning)
{
    fx.pf.steering_mode = SPEC_STEERING_SMFS;
    fx.pf.field_pos.steering_mode = (struct spec_pos){13, 24};
    fx.opf.has_steering = true;
    snprintf(fx.opf.steering, sizeof fx.opf.steering, "dmfs");
    snprintf(fx.opf.driver, sizeof fx.opf.driver, "mlx5_core");
    run();
    ck_assert_uint_eq(fx.f.n_errors, 0);
    ck_assert_uint_eq(fx.f.n_warnings, 1);
    assert_at(only(HOSTCHECK_DRIVER), HOSTCHECK_WARNING,
              "$.pfs[0].steering_mode", 13, 24,
              "mlx5_core refuses smfs while the eswitch is in switchdev");
    /* Already smfs, or in legacy now, or dmfs asked: nothing to say. */
    snprintf(fx.opf.steering, sizeof fx.opf.steering, "smfs");
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    snprintf(fx.opf.steering, sizeof fx.opf.steering, "dmfs");
    fx.opf.eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    fx.opf.eswitch_mode = DEVLINK_ESWITCH_MODE_SWITCHDEV;
    fx.pf.steering_mode = SPEC_STEERING_DMFS;
    snprintf(fx.opf.steering, sizeof fx.opf.steering, "smfs");
    run();
    ck_assert_uint_eq(fx.f.n, 0);
}
END_TEST

START_TEST(test_mlx5_inline_from_none)
{
    snprintf(fx.opf.driver, sizeof fx.opf.driver, "mlx5_core");
    fx.opf.has_inline_mode = true;
    fx.opf.inline_mode = DEVLINK_ESWITCH_INLINE_MODE_NONE;
    fx.pf.inline_mode = SPEC_INLINE_NONE;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    fx.pf.inline_mode = SPEC_INLINE_TRANSPORT;
    run();
    assert_at(only(HOSTCHECK_DRIVER), HOSTCHECK_WARNING, "$.pfs[0]", 8, 5,
              "Inline mode can't be set");
    /* Another driver reporting none: not in the table. */
    snprintf(fx.opf.driver, sizeof fx.opf.driver, "ice");
    run();
    ck_assert_uint_eq(fx.f.n, 0);
}
END_TEST

START_TEST(test_bridges)
{
    struct vsdb_bridge br = {.name = (char *)"ovs-sriov", .owned = true};
    /* Ours (owned, with its netdev): fine. */
    fx.st.bridges = &br;
    fx.st.n_bridges = 1;
    fx.netdev[0] = true;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
    /* Someone else's OVS bridge: a warning. */
    br.owned = false;
    run();
    ck_assert_uint_eq(fx.f.n_errors, 0);
    assert_at(only(HOSTCHECK_BRIDGE), HOSTCHECK_WARNING, "$.bridges[0]", 5, 19,
              "OVS bridge ovs-sriov exists and was not created by the agent "
              "(no external_ids:offload-agent-owned)");
    /* A netdev of that name that is no OVS bridge: an error. */
    fx.st.n_bridges = 0;
    run();
    assert_at(only(HOSTCHECK_BRIDGE), HOSTCHECK_ERROR, "$.bridges[0]", 5, 19,
              "a netdev named ovs-sriov exists and is not an OVS bridge");
    /* Free. */
    fx.netdev[0] = false;
    run();
    ck_assert_uint_eq(fx.f.n, 0);
}
END_TEST

START_TEST(test_ovsdb_unreachable)
{
    fx.host.ovs.connected = false;
    fx.host.ovs.state = NULL;
    run();
    ck_assert_uint_eq(fx.f.n, 1);
    assert_at(only(HOSTCHECK_OVSDB), HOSTCHECK_WARNING, "$.ovs", 3, 10,
              "OVSDB unix:/run/openvswitch/db.sock did not answer");
    fx.netdev[0] = true;
    run();
    ck_assert_uint_eq(fx.f.n_errors, 0);
    assert_at(only(HOSTCHECK_BRIDGE), HOSTCHECK_WARNING, "$.bridges[0]", 5, 19,
              "cannot be told whether it is an OVS bridge");
}
END_TEST

START_TEST(test_format_and_order)
{
    fx.opf.total_vfs = 1;
    fx.opf.has_eswitch = false;
    fx.host.ovs.connected = false;
    fx.host.ovs.state = NULL;
    run();
    ck_assert_uint_eq(fx.f.n, 3);
    /* Sorted by position in the file, as validate's errors. */
    ck_assert_uint_eq(fx.f.v[0].pos.line, 3);
    ck_assert_uint_eq(fx.f.v[1].pos.line, 8);
    ck_assert_uint_eq(fx.f.v[2].pos.line, 10);
    char *s = hostcheck_format(&fx.spec, &fx.f.v[2]);
    ck_assert_str_eq(s, "host.json:10:18: $.pfs[0].num_vfs: num_vfs 2 is "
                        "more than the device supports: sriov_totalvfs of "
                        "pci/0000:08:00.0 is 1");
    free(s);
    s = hostcheck_format(&fx.spec, &fx.f.v[0]);
    ck_assert_msg(!strncmp(s, "host.json:3:10: $.ovs: warning: OVSDB ", 38),
                  "%s", s);
    free(s);
}
END_TEST

START_TEST(test_json)
{
    fx.opf.total_vfs = 1;
    fx.host.ovs.connected = false;
    fx.host.ovs.state = NULL;
    run();
    char *text = hostcheck_to_json(&fx.spec, &fx.f, false);
    json_error_t e;
    json_t *j = json_loads(text, 0, &e);
    ck_assert_msg(j, "%s: %s", e.text, text);
    ck_assert(json_is_false(json_object_get(j, "valid")));
    ck_assert_int_eq(json_integer_value(json_object_get(j, "errors")), 1);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "warnings")), 1);
    json_t *x = json_array_get(json_object_get(j, "findings"), 1);
    ck_assert_str_eq(json_string_value(json_object_get(x, "severity")),
                     "error");
    ck_assert_str_eq(json_string_value(json_object_get(x, "check")),
                     "num-vfs");
    ck_assert_str_eq(json_string_value(json_object_get(x, "path")),
                     "$.pfs[0].num_vfs");
    ck_assert_int_eq(json_integer_value(json_object_get(x, "line")), 10);
    ck_assert_int_eq(json_integer_value(json_object_get(x, "col")), 18);
    json_decref(j);
    free(text);
}
END_TEST

static Suite *
suite(void)
{
    Suite *s = suite_create("hostcheck");
    TCase *tc = tcase_create("checks");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_applicable_spec_has_no_finding);
    tcase_add_test(tc, test_missing_pf_points_at_its_key);
    tcase_add_test(tc, test_not_sriov_capable);
    tcase_add_test(tc, test_num_vfs_over_totalvfs);
    tcase_add_test(tc, test_num_vfs_of_unusable_device);
    tcase_add_test(tc, test_eswitch_unreadable);
    tcase_add_test(tc, test_inline_and_encap_not_reported);
    tcase_add_test(tc, test_steering_param_missing);
    tcase_add_test(tc, test_mlx5_smfs_in_switchdev_is_a_warning);
    tcase_add_test(tc, test_mlx5_inline_from_none);
    tcase_add_test(tc, test_bridges);
    tcase_add_test(tc, test_ovsdb_unreachable);
    tcase_add_test(tc, test_format_and_order);
    tcase_add_test(tc, test_json);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return oa_check_run(suite());
}
