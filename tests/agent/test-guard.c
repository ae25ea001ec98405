/* guard_: which plans are disruptive, the last-known-good state of the
 * PFs they touch (the uplink's carrier from a fake sysfs), health after
 * the change (carrier lost, OVSDB gone, representors short, a PF gone),
 * the spec bent back to it (VF entries past the old count dropped), the
 * spec's generation hash, the failed generation's file and the
 * last-known-good file read back (a daemon's restart). Hand-built
 * observations and plans. */
#define _XOPEN_SOURCE 700
#include "fake-tree.h"
#include "guard.h"
#include "oa-check.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char root[256];

static void
setup(void)
{
    strcpy(root, "/tmp/oa-guard-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, "class/net/eth0");
    ft_put(root, "class/net/eth0/carrier", "1\n");
    ft_mk(root, "class/net/eth1");
    ft_put(root, "class/net/eth1/carrier", "0\n");
}

static void
teardown(void)
{
    ft_rm(root);
}

/* Two PFs: eth0 legacy with 2 VFs, eth1 switchdev with 2 VFs and 2
 * representors. */
static struct obs_pf pfs[2];
static struct obs_host host;

static void
observe(void)
{
    memset(pfs, 0, sizeof pfs);
    pfs[0] = (struct obs_pf){.found = true,
                             .netdev = "eth0",
                             .devlink = "pci/0000:08:00.0",
                             .has_eswitch = true,
                             .eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY,
                             .num_vfs = 2,
                             .has_steering = true,
                             .steering = "dmfs"};
    pfs[1] = (struct obs_pf){.found = true,
                             .netdev = "eth1",
                             .devlink = "pci/0000:09:00.0",
                             .has_eswitch = true,
                             .eswitch_mode = DEVLINK_ESWITCH_MODE_SWITCHDEV,
                             .num_vfs = 2,
                             .n_reps = 2};
    host = (struct obs_host){.pfs = pfs, .n_pfs = 2};
    host.ovs.connected = true;
}

static struct plan
plan_of(struct plan_step *steps, size_t n)
{
    struct plan p;
    memset(&p, 0, sizeof p);
    p.steps = steps;
    p.n_steps = n;
    return p;
}

static struct plan_step
step(enum plan_action action, int pf, int vf)
{
    struct plan_step s;
    memset(&s, 0, sizeof s);
    s.action = action;
    s.pf = pf;
    s.vf = vf;
    return s;
}

START_TEST(test_disruptive)
{
    struct plan_step quiet[] = {step(PLAN_SET_VF, 0, 0),
                                step(PLAN_OVS_ADD_PORT, 0, 1),
                                step(PLAN_DETACH_PORT, 0, 1)};
    struct plan p = plan_of(quiet, 3);
    ck_assert(!guard_disruptive(&p));
    ck_assert(!guard_disruptive(NULL));
    const enum plan_action loud[] = {PLAN_SET_ESWITCH, PLAN_SET_NUMVFS,
                                     PLAN_SET_STEERING_MODE};
    for (size_t i = 0; i < 3; i++) {
        struct plan_step s = step(loud[i], 0, -1);
        p = plan_of(&s, 1);
        ck_assert(guard_disruptive(&p));
    }
    /* The uplink out of OVS (vf -1). */
    struct plan_step up = step(PLAN_DETACH_PORT, 0, -1);
    p = plan_of(&up, 1);
    ck_assert(guard_disruptive(&p));
}
END_TEST

START_TEST(test_record_and_health)
{
    struct guard_lkg lkg;
    char why[160];
    observe();
    struct plan_step steps[] = {
        step(PLAN_DETACH_PORT, 0, -1), step(PLAN_SET_NUMVFS, 0, -1),
        step(PLAN_SET_ESWITCH, 0, -1), step(PLAN_SET_VF, 1, 0)};
    struct plan p = plan_of(steps, 4);
    ck_assert_int_eq(guard_record(&host, &p, root, &lkg), 0);
    /* Only PF 0, once. */
    ck_assert_uint_eq(lkg.n, 1);
    ck_assert_int_eq(lkg.v[0].pf, 0);
    ck_assert_int_eq(lkg.v[0].eswitch_mode, DEVLINK_ESWITCH_MODE_LEGACY);
    ck_assert_uint_eq(lkg.v[0].num_vfs, 2);
    ck_assert_str_eq(lkg.v[0].steering, "dmfs");
    ck_assert_int_eq(lkg.v[0].carrier, 1);
    ck_assert(lkg.ovsdb);

    /* After the change: switchdev, representors there, carrier back. */
    pfs[0].eswitch_mode = DEVLINK_ESWITCH_MODE_SWITCHDEV;
    pfs[0].n_reps = 2;
    ck_assert(guard_healthy(&lkg, &host, root, why, sizeof why));
    pfs[0].n_reps = 1;
    ck_assert(!guard_healthy(&lkg, &host, root, why, sizeof why));
    ck_assert_str_eq(why, "pci/0000:08:00.0: 1 of 2 representors");
    pfs[0].n_reps = 2;
    ft_put(root, "class/net/eth0/carrier", "0\n");
    ck_assert(!guard_healthy(&lkg, &host, root, why, sizeof why));
    ck_assert_str_eq(why, "eth0: no carrier (it had carrier before)");
    ft_put(root, "class/net/eth0/carrier", "1\n");
    host.ovs.connected = false;
    ck_assert(!guard_healthy(&lkg, &host, root, why, sizeof why));
    ck_assert_str_eq(why, "OVSDB not reachable");
    /* Not reachable before either: not held to it. */
    lkg.ovsdb = false;
    ck_assert(guard_healthy(&lkg, &host, root, why, sizeof why));
    lkg.ovsdb = true;
    host.ovs.connected = true;
    pfs[0].found = false;
    ck_assert(!guard_healthy(&lkg, &host, root, why, sizeof why));
    ck_assert_str_eq(why, "pci/0000:08:00.0: PF gone");
    guard_lkg_clear(&lkg);

    /* A PF without carrier before (eth1) is not held to it. */
    observe();
    struct plan_step s = step(PLAN_SET_NUMVFS, 1, -1);
    p = plan_of(&s, 1);
    ck_assert_int_eq(guard_record(&host, &p, root, &lkg), 0);
    ck_assert_int_eq(lkg.v[0].carrier, 0);
    ck_assert(guard_healthy(&lkg, &host, root, why, sizeof why));
    guard_lkg_clear(&lkg);
}
END_TEST

START_TEST(test_bend_spec)
{
    struct spec_vf vfs[3] = {{.index = 0}, {.index = 3}, {.index = 1}};
    struct spec_pf sp = {.eswitch = SPEC_ESWITCH_SWITCHDEV,
                         .steering_mode = SPEC_STEERING_SMFS,
                         .num_vfs = 4,
                         .vfs = vfs,
                         .n_vfs = 3};
    struct spec spec = {.pfs = &sp, .n_pfs = 1};
    struct guard_pf g = {.pf = 0,
                         .has_eswitch = true,
                         .eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY,
                         .num_vfs = 2,
                         .has_steering = true,
                         .steering = "dmfs"};
    struct guard_lkg lkg = {.v = &g, .n = 1};
    guard_bend_spec(&spec, &lkg);
    ck_assert_int_eq(sp.eswitch, SPEC_ESWITCH_LEGACY);
    ck_assert_uint_eq(sp.num_vfs, 2);
    ck_assert_int_eq(sp.steering_mode, SPEC_STEERING_DMFS);
    /* VF 3 is past the old count. */
    ck_assert_uint_eq(sp.n_vfs, 2);
    ck_assert_uint_eq(sp.vfs[0].index, 0);
    ck_assert_uint_eq(sp.vfs[1].index, 1);
}
END_TEST

START_TEST(test_generations)
{
    char spec_path[300], failed[300], why[128];
    struct oa_err err;
    snprintf(spec_path, sizeof spec_path, "%s/host.json", root);
    guard_path(root, GUARD_FAILED_FILE, failed, sizeof failed);
    ft_put(root, "host.json", "{\"version\": 1}\n");
    uint64_t a = guard_spec_hash(spec_path, &err);
    ck_assert_uint_ne(a, 0);
    ck_assert_uint_eq(guard_spec_hash(spec_path, &err), a);
    ft_put(root, "host.json", "{\"version\":1}\n"); /* same meaning */
    uint64_t b = guard_spec_hash(spec_path, &err);
    ck_assert_uint_ne(b, a);
    ck_assert_uint_eq(guard_spec_hash("/nonexistent/spec", &err), 0);
    ck_assert_int_eq(err.code, -ENOENT);

    ck_assert(!guard_failed_is(failed, a, why, sizeof why)); /* no file */
    ck_assert_int_eq(guard_failed_save(failed, a, "eth0: no carrier", &err),
                     0);
    ck_assert(guard_failed_is(failed, a, why, sizeof why));
    ck_assert_str_eq(why, "eth0: no carrier");
    ck_assert(!guard_failed_is(failed, b, why, sizeof why));
    ft_put(root, GUARD_FAILED_FILE, "not json");
    ck_assert(!guard_failed_is(failed, a, why, sizeof why));
}
END_TEST

START_TEST(test_lkg_file)
{
    struct guard_lkg lkg, back;
    char path[300];
    struct oa_err err;
    guard_path(root, GUARD_LKG_FILE, path, sizeof path);
    observe();
    struct plan_step steps[] = {step(PLAN_SET_ESWITCH, 1, -1),
                                step(PLAN_SET_NUMVFS, 0, -1)};
    struct plan p = plan_of(steps, 2);
    ck_assert_int_eq(guard_record(&host, &p, root, &lkg), 0);
    ck_assert_uint_eq(lkg.n, 2);
    ck_assert_int_eq(guard_lkg_load(path, 0x1234, &back), -ENOENT);
    ck_assert_int_eq(guard_lkg_save(&lkg, 0x1234, path, &err), 0);
    /* Kept for another generation: not this one's. */
    ck_assert_int_eq(guard_lkg_load(path, 0x1235, &back), -ENOENT);
    ck_assert_uint_eq(back.n, 0);
    ck_assert_int_eq(guard_lkg_load(path, 0x1234, &back), 0);
    ck_assert_uint_eq(back.n, 2);
    for (size_t i = 0; i < 2; i++) {
        ck_assert_int_eq(back.v[i].pf, lkg.v[i].pf);
        ck_assert_str_eq(back.v[i].devlink, lkg.v[i].devlink);
        ck_assert_str_eq(back.v[i].netdev, lkg.v[i].netdev);
        ck_assert_int_eq(back.v[i].has_eswitch, lkg.v[i].has_eswitch);
        ck_assert_int_eq(back.v[i].eswitch_mode, lkg.v[i].eswitch_mode);
        ck_assert_uint_eq(back.v[i].num_vfs, lkg.v[i].num_vfs);
        ck_assert_str_eq(back.v[i].steering, lkg.v[i].steering);
        ck_assert_int_eq(back.v[i].carrier, lkg.v[i].carrier);
    }
    ck_assert_int_eq(back.v[0].eswitch_mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_int_eq(back.v[1].eswitch_mode, DEVLINK_ESWITCH_MODE_LEGACY);
    guard_lkg_clear(&back);
    guard_lkg_clear(&lkg);
    /* Not one: nothing half-read. */
    ft_put(root, GUARD_LKG_FILE,
           "{\"before_spec\": \"0000000000001234\", \"pfs\": [{\"pf\": 0}]}");
    ck_assert_int_eq(guard_lkg_load(path, 0x1234, &back), -ENOENT);
    ck_assert_uint_eq(back.n, 0);
    ck_assert_ptr_null(back.v);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("guard");
    TCase *tc = tcase_create("guard");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_disruptive);
    tcase_add_test(tc, test_record_and_health);
    tcase_add_test(tc, test_bend_spec);
    tcase_add_test(tc, test_generations);
    tcase_add_test(tc, test_lkg_file);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
