/* report: status and verification from a hand-built spec, observation
 * and plan. The JSON is parsed back with jansson and checked field by
 * field: these are the contract of `agentctl status --json`. */
#include "report.h"

#include "obs-bond.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-check.h"

#include <jansson.h>
#include <linux/devlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- A converged seed host: eth0 (netdevsim/netdevsim1), 2 VFs with
 * representors eth1 and eth2 in bridge ovs-sriov, 2 rules each in
 * hardware. Tests change one thing each. ---------------------------- */

struct fixture {
    struct spec spec;
    struct spec_pf spec_pf;
    struct spec_vf spec_vfs[2];
    struct spec_bridge spec_bridge;

    struct obs_host host;
    struct obs_pf pf;
    struct obs_vf vfs[2];

    struct vsdb_state ovs;
    struct vsdb_kv other_config[2];
    struct vsdb_bridge bridge;
    struct vsdb_port ports[3];
    struct vsdb_iface ifaces[3];

    struct plan plan;
    struct plan_step steps[6];
    struct plan_blocker blockers[2];
};

static struct fixture fx;

static void
set_mac(uint8_t mac[6], uint8_t last)
{
    static const uint8_t base[6] = {0x02, 0, 0, 0, 0x01, 0};
    memcpy(mac, base, 6);
    mac[5] = last;
}

static void
setup(void)
{
    memset(&fx, 0, sizeof fx);

    fx.spec_bridge.name = "ovs-sriov";
    for (unsigned i = 0; i < 2; i++) {
        fx.spec_vfs[i].index = i;
        fx.spec_vfs[i].has_mac = true;
        set_mac(fx.spec_vfs[i].mac, (uint8_t)i);
        fx.spec_vfs[i].attach = true;
    }
    fx.spec_pf.key = SPEC_PF_BY_NETDEV;
    fx.spec_pf.id = "eth0";
    fx.spec_pf.num_vfs = 2;
    fx.spec_pf.hw_tc_offload = true;
    fx.spec_pf.bridge = "ovs-sriov";
    fx.spec_pf.attach_uplink = true;
    fx.spec_pf.vfs = fx.spec_vfs;
    fx.spec_pf.n_vfs = 2;
    fx.spec.version = 1;
    fx.spec.ovs.db = "unix:/run/openvswitch/db.sock";
    fx.spec.ovs.hw_offload = true;
    fx.spec.bridges = &fx.spec_bridge;
    fx.spec.n_bridges = 1;
    fx.spec.pfs = &fx.spec_pf;
    fx.spec.n_pfs = 1;

    static const char *const names[3] = {"eth0", "eth1", "eth2"};
    for (int i = 0; i < 3; i++) {
        fx.ifaces[i].name = (char *)names[i];
        fx.ifaces[i].type = "";
        fx.ifaces[i].ofport = i + 1;
        fx.ifaces[i].owned = true;
        fx.ports[i].name = (char *)names[i];
        fx.ports[i].owned = true;
        fx.ports[i].ifaces = &fx.ifaces[i];
        fx.ports[i].n_ifaces = 1;
    }
    fx.bridge.name = "ovs-sriov";
    fx.bridge.owned = true;
    fx.bridge.ports = fx.ports;
    fx.bridge.n_ports = 3;
    fx.other_config[0].key = VSDB_KEY_HW_OFFLOAD;
    fx.other_config[0].value = "true";
    fx.ovs.ready = true;
    fx.ovs.ovs_version = "3.1.0";
    fx.ovs.cur_cfg = fx.ovs.next_cfg = 5;
    fx.ovs.other_config = fx.other_config;
    fx.ovs.n_other_config = 1;
    fx.ovs.bridges = &fx.bridge;
    fx.ovs.n_bridges = 1;

    for (unsigned i = 0; i < 2; i++) {
        struct obs_vf *vf = &fx.vfs[i];
        vf->index = i;
        vf->has_info = true;
        set_mac(vf->mac, (uint8_t)i);
        vf->has_rep = true;
        snprintf(vf->rep, sizeof vf->rep, "eth%u", i + 1);
        vf->rep_ifindex = (int)i + 3;
        vf->rep_hw_tc_offload = OBS_YES;
        vf->rep_up = OBS_YES;
        vf->rep_tc.known = true;
        vf->rep_tc.rules = 2;
        vf->rep_tc.in_hw = 2;
    }
    fx.pf.found = true;
    strcpy(fx.pf.netdev, "eth0");
    fx.pf.ifindex = 2;
    fx.pf.has_devlink = true;
    strcpy(fx.pf.devlink, "netdevsim/netdevsim1");
    fx.pf.has_eswitch = true;
    fx.pf.eswitch_mode = DEVLINK_ESWITCH_MODE_SWITCHDEV;
    fx.pf.num_vfs = 2;
    fx.pf.uplink_hw_tc_offload = OBS_YES;
    fx.pf.uplink_up = OBS_YES;
    fx.pf.uplink_tc.known = true;
    fx.pf.vfs = fx.vfs;
    fx.pf.n_vfs = 2;
    fx.pf.n_reps = 2;
    fx.host.pfs = &fx.pf;
    fx.host.n_pfs = 1;
    fx.host.ovs.connected = true;
    fx.host.ovs.state = &fx.ovs;

    fx.plan.steps = fx.steps;
    fx.plan.blockers = fx.blockers;
    fx.plan.has_offload = true;
    fx.plan.offload.verdict = VSDB_OFFLOAD_IN_EFFECT;
    fx.plan.offload.latched_on = true;
    fx.plan.offload.latched_tc_policy = "none";
    fx.plan.offload.reason = "the running ovs-vswitchd uses these settings";
}

static struct report *
build(void)
{
    struct report *r = report_build(&fx.spec, &fx.host, &fx.plan);
    ck_assert_ptr_nonnull(r);
    return r;
}

static json_t *
to_json(const struct report *report)
{
    char *text = report_to_json(report, true);
    ck_assert_ptr_nonnull(text);
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    ck_assert_msg(root != NULL, "invalid JSON: %s\n%s", error.text, text);
    free(text);
    return root;
}

/* The value at a path of object keys and array indices ("pfs", "0",
 * "vfs"...), NULL-terminated. */
static json_t *
at(json_t *root, ...)
{
    va_list args;
    va_start(args, root);
    json_t *cur = root;
    for (const char *k; (k = va_arg(args, const char *));) {
        if (json_is_array(cur)) {
            cur = json_array_get(cur, strtoul(k, NULL, 10));
        } else {
            cur = json_object_get(cur, k);
        }
        ck_assert_msg(cur != NULL, "no member %s", k);
    }
    va_end(args);
    return cur;
}

static void
assert_str(json_t *v, const char *want)
{
    ck_assert_msg(json_is_string(v), "not a string (want %s)", want);
    ck_assert_str_eq(json_string_value(v), want);
}

static void
assert_int(json_t *v, long long want)
{
    ck_assert(json_is_integer(v));
    ck_assert_int_eq(json_integer_value(v), want);
}

static void
assert_tc(json_t *tc, long long rules, long long in_hw, long long not_in_hw)
{
    assert_int(json_object_get(tc, "rules"), rules);
    assert_int(json_object_get(tc, "in_hw"), in_hw);
    assert_int(json_object_get(tc, "not_in_hw"), not_in_hw);
}

/* Problems about 'object' in the JSON. */
static size_t
problems_about(json_t *root, const char *object, json_t **first)
{
    json_t *problems = json_object_get(root, "problems");
    size_t i, n = 0;
    json_t *p;
    json_array_foreach(problems, i, p)
    {
        if (!strcmp(json_string_value(json_object_get(p, "object")), object)) {
            if (!n && first) {
                *first = p;
            }
            n++;
        }
    }
    return n;
}

START_TEST(converged_host)
{
    struct report *r = build();
    ck_assert(report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 0);
    ck_assert_uint_eq(report_count_problems(r, REPORT_ERROR), 0);
    ck_assert_uint_eq(report_count_problems(r, REPORT_WARNING), 0);

    json_t *root = to_json(r);
    ck_assert(json_is_true(at(root, "converged", NULL)));
    ck_assert(json_is_true(at(root, "ovs", "connected", NULL)));
    ck_assert(json_is_true(at(root, "ovs", "hw_offload", NULL)));
    /* Absent from the database: OVS's default. */
    assert_str(at(root, "ovs", "tc_policy", NULL), "none");
    assert_str(at(root, "ovs", "version", NULL), "3.1.0");
    assert_str(at(root, "ovs", "offload", NULL), "in-effect");
    ck_assert(json_is_false(at(root, "ovs", "restart_needed", NULL)));

    ck_assert_uint_eq(json_array_size(at(root, "pfs", NULL)), 1);
    json_t *pf = at(root, "pfs", "0", NULL);
    assert_str(at(pf, "netdev", NULL), "eth0");
    assert_str(at(pf, "devlink", NULL), "netdevsim/netdevsim1");
    assert_str(at(pf, "eswitch", NULL), "switchdev");
    /* Not asked by the spec, not observed: not shown. */
    ck_assert_ptr_null(json_object_get(pf, "steering_mode"));
    /* Nothing learned, no fallback: the default order. */
    assert_str(at(pf, "eswitch_order", NULL), "switchdev-first");
    assert_str(at(pf, "eswitch_order_source", NULL), "default");
    ck_assert(json_is_null(at(pf, "eswitch_order_refused", NULL)));
    assert_int(at(pf, "num_vfs", NULL), 2);
    assert_str(at(pf, "uplink", "netdev", NULL), "eth0");
    assert_str(at(pf, "uplink", "bridge", NULL), "ovs-sriov");
    assert_tc(at(pf, "uplink", "tc", NULL), 0, 0, 0);
    ck_assert(json_is_true(at(pf, "uplink", "up", NULL)));

    ck_assert_uint_eq(json_array_size(at(pf, "vfs", NULL)), 2);
    for (int i = 0; i < 2; i++) {
        char idx[4], mac[18], rep[8];
        snprintf(idx, sizeof idx, "%d", i);
        snprintf(mac, sizeof mac, "02:00:00:00:01:%02x", i);
        snprintf(rep, sizeof rep, "eth%d", i + 1);
        json_t *vf = at(pf, "vfs", idx, NULL);
        assert_int(at(vf, "index", NULL), i);
        assert_str(at(vf, "mac", NULL), mac);
        /* No port function reports a MAC: the PF's VF ndo sets it. */
        assert_str(at(vf, "mac_via", NULL), "pf-vf-ndo");
        /* Switchdev: a VLAN would be the port's tag; none is set. */
        ck_assert(json_is_null(at(vf, "vlan", NULL)));
        assert_str(at(vf, "vlan_via", NULL), "ovs-tag");
        ck_assert(json_is_null(at(vf, "driver", NULL)));
        assert_str(at(vf, "representor", NULL), rep);
        ck_assert(json_is_true(at(vf, "representor_up", NULL)));
        assert_str(at(vf, "bridge", NULL), "ovs-sriov");
        assert_tc(at(vf, "tc", NULL), 2, 2, 0);
        ck_assert(json_is_null(at(vf, "in_use", NULL)));
    }
    ck_assert_uint_eq(json_array_size(at(root, "problems", NULL)), 0);
    json_decref(root);

    char *summary = report_summary(r);
    ck_assert_str_eq(summary, "converged: 1 PF, 2 VFs, 4/4 rules in hardware");
    free(summary);
    report_free(r);
}
END_TEST

START_TEST(nulls_for_what_is_absent)
{
    /* VF 1 has no representor, VF 0's representor is in no bridge, and
     * VF 0 is bound to a driver. */
    fx.vfs[1].has_rep = false;
    fx.vfs[1].rep_up = OBS_UNKNOWN;
    fx.vfs[1].rep_tc.known = false;
    fx.bridge.n_ports = 1; /* only the uplink stays in OVS */
    strcpy(fx.vfs[0].driver, "mlx5_core");
    memset(fx.vfs[1].mac, 0, 6);
    struct report *r = build();
    json_t *root = to_json(r);
    json_t *vf0 = at(root, "pfs", "0", "vfs", "0", NULL);
    json_t *vf1 = at(root, "pfs", "0", "vfs", "1", NULL);
    assert_str(at(vf0, "driver", NULL), "mlx5_core");
    ck_assert(json_is_null(at(vf0, "bridge", NULL)));
    assert_str(at(vf0, "representor", NULL), "eth1");
    ck_assert(json_is_null(at(vf1, "representor", NULL)));
    ck_assert(json_is_null(at(vf1, "representor_up", NULL)));
    ck_assert(json_is_null(at(vf1, "bridge", NULL)));
    ck_assert(json_is_null(at(vf1, "mac", NULL)));
    json_decref(root);
    report_free(r);
}
END_TEST

/* A VF in use: status --json says by what. */
START_TEST(vf_in_use)
{
    fx.vfs[1].in_use = true;
    snprintf(fx.vfs[1].holder, sizeof fx.vfs[1].holder,
             "vfio-pci, /dev/vfio/8 open by qemu (pid 812)");
    struct report *r = build();
    json_t *root = to_json(r);
    ck_assert(json_is_null(at(root, "pfs", "0", "vfs", "0", "in_use", NULL)));
    assert_str(at(root, "pfs", "0", "vfs", "1", "in_use", NULL),
               "vfio-pci, /dev/vfio/8 open by qemu (pid 812)");
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(hw_tc_offload_off_on_one_representor)
{
    fx.vfs[1].rep_hw_tc_offload = OBS_NO;
    fx.vfs[1].rep_tc.in_hw = 0;
    fx.vfs[1].rep_tc.not_in_hw = 2;
    struct report *r = build();
    ck_assert_int_eq(report_exit_code(r), 1);
    json_t *root = to_json(r);
    ck_assert_uint_eq(json_array_size(at(root, "problems", NULL)), 1);
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "eth2", &p), 1);
    assert_str(at(p, "severity", NULL), "error");
    assert_str(at(p, "message", NULL),
               "2 of 2 tc flower rules not in hardware");
    assert_str(at(p, "hint", NULL), "hw-tc-offload is off on eth2");
    assert_tc(at(root, "pfs", "0", "vfs", "1", "tc", NULL), 2, 0, 2);
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(links_down)
{
    /* The uplink and one representor down, and the plan's step that sets
     * them up: an error each, and not converged. */
    fx.pf.uplink_up = OBS_NO;
    fx.vfs[1].rep_up = OBS_NO;
    fx.steps[0].action = PLAN_SET_LINK_UP;
    strcpy(fx.steps[0].object, "eth0");
    fx.steps[1].action = PLAN_SET_LINK_UP;
    strcpy(fx.steps[1].object, "eth2");
    fx.plan.n_steps = 2;
    struct report *r = build();
    ck_assert(!report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 1);
    ck_assert_uint_eq(report_count_problems(r, REPORT_ERROR), 3);
    json_t *root = to_json(r);
    ck_assert(json_is_false(at(root, "converged", NULL)));
    ck_assert(json_is_false(at(root, "pfs", "0", "uplink", "up", NULL)));
    ck_assert(json_is_true(
        at(root, "pfs", "0", "vfs", "0", "representor_up", NULL)));
    ck_assert(json_is_false(
        at(root, "pfs", "0", "vfs", "1", "representor_up", NULL)));
    const char *objects[] = {"eth0", "eth2"};
    for (int i = 0; i < 2; i++) {
        json_t *p = NULL;
        ck_assert_uint_eq(problems_about(root, objects[i], &p), 1);
        assert_str(at(p, "severity", NULL), "error");
        assert_str(at(p, "message", NULL),
                   "link is down: no packet crosses it");
        assert_str(at(p, "hint", NULL),
                   "run agentctl apply or agentctl reconcile (it sets the "
                   "link up)");
    }
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "plan", &p), 1);
    assert_str(at(p, "message", NULL),
               "2 steps not applied, first: set-link-up eth0");
    json_decref(root);
    char *text = report_to_text(r);
    ck_assert_ptr_nonnull(strstr(text, "in_hw  uplink DOWN\n"));
    ck_assert_ptr_nonnull(strstr(text, "eth2 DOWN"));
    ck_assert_ptr_null(strstr(text, "eth1 DOWN"));
    free(text);
    report_free(r);
}
END_TEST

START_TEST(driver_refused_every_rule)
{
    for (int i = 0; i < 2; i++) {
        fx.vfs[i].rep_tc.in_hw = 0;
        fx.vfs[i].rep_tc.not_in_hw = 2;
    }
    fx.pf.uplink_tc.rules = 1;
    fx.pf.uplink_tc.not_in_hw = 1;
    struct report *r = build();
    ck_assert_int_eq(report_exit_code(r), 1);
    ck_assert_uint_eq(report_count_problems(r, REPORT_ERROR), 3);
    json_t *root = to_json(r);
    static const char *const objects[] = {"eth0", "eth1", "eth2"};
    for (int i = 0; i < 3; i++) {
        json_t *p = NULL;
        ck_assert_uint_eq(problems_about(root, objects[i], &p), 1);
        assert_str(at(p, "hint", NULL),
                   "the driver refused to offload them (check the kernel "
                   "log and ovs-vswitchd.log), or they predate hw-tc-offload "
                   "being on: the kernel does not offload existing rules "
                   "again; ovs-appctl revalidator/purge makes OVS re-add "
                   "them");
    }
    json_t *p = NULL;
    problems_about(root, "eth0", &p);
    assert_str(at(p, "message", NULL),
               "1 of 1 tc flower rules not in hardware");
    json_decref(root);
    char *summary = report_summary(r);
    ck_assert_str_eq(summary,
                     "converged with problems: 3 problems (first: eth0: 1 of "
                     "1 tc flower rules not in hardware)");
    free(summary);
    report_free(r);
}
END_TEST

START_TEST(skip_hw_policy_is_the_hint)
{
    /* In the database and latched by the running ovs-vswitchd. */
    fx.other_config[1].key = VSDB_KEY_TC_POLICY;
    fx.other_config[1].value = "skip_hw";
    fx.ovs.n_other_config = 2;
    fx.plan.offload.latched_tc_policy = "skip_hw";
    fx.vfs[0].rep_tc.in_hw = 0;
    fx.vfs[0].rep_tc.not_in_hw = 2;
    struct report *r = build();
    json_t *root = to_json(r);
    assert_str(at(root, "ovs", "tc_policy", NULL), "skip_hw");
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "eth1", &p), 1);
    assert_str(at(p, "hint", NULL),
               "tc-policy is skip_hw: OVS keeps these rules out of hardware");
    json_decref(root);
    report_free(r);

    /* Rules added with skip_hw by someone else, policy none. */
    setup();
    fx.vfs[0].rep_tc.in_hw = 1;
    fx.vfs[0].rep_tc.not_in_hw = 1;
    fx.vfs[0].rep_tc.skip_hw = 1;
    r = build();
    root = to_json(r);
    ck_assert_uint_eq(problems_about(root, "eth1", &p), 1);
    assert_str(at(p, "hint", NULL),
               "tc-policy is skip_hw: OVS keeps these rules out of hardware");
    assert_str(at(p, "message", NULL),
               "1 of 2 tc flower rules not in hardware");
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(blocker_is_an_error)
{
    fx.blockers[0].pf = 0;
    strcpy(fx.blockers[0].object, "eth0");
    strcpy(fx.blockers[0].message, "no netdev eth0");
    fx.plan.n_blockers = 1;
    struct report *r = build();
    ck_assert(!report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 1);
    json_t *root = to_json(r);
    ck_assert(json_is_false(at(root, "converged", NULL)));
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "eth0", &p), 1);
    assert_str(at(p, "severity", NULL), "error");
    assert_str(at(p, "message", NULL), "no netdev eth0");
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(remaining_steps_are_an_error)
{
    fx.steps[0].action = PLAN_SET_ESWITCH;
    strcpy(fx.steps[0].object, "netdevsim/netdevsim1");
    fx.steps[1].action = PLAN_SET_NUMVFS;
    strcpy(fx.steps[1].object, "eth0");
    fx.plan.n_steps = 2;
    struct report *r = build();
    ck_assert(!report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 1);
    json_t *root = to_json(r);
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "plan", &p), 1);
    assert_str(at(p, "message", NULL),
               "2 steps not applied, first: set-eswitch "
               "netdevsim/netdevsim1");
    assert_str(at(p, "hint", NULL),
               "run agentctl apply or agentctl reconcile");
    json_decref(root);
    report_free(r);
}
END_TEST

/* ovs-vswitchd restarted: the record in Open_vSwitch external_ids names
 * the old process, so the plan rewrites it. While the new process uses
 * the wanted settings (in-effect) that is bookkeeping: converged, exit
 * 0. Not so when offload is not yet in effect, nor for other steps. */
static void
record_step(struct plan_step *s, const char *key)
{
    s->action = PLAN_OVS_SET_EXTERNAL_ID;
    strcpy(s->object, key);
    strcpy(s->kv.key, key);
    strcpy(s->kv.value, "boot:2:3");
}

START_TEST(stale_vswitchd_record_is_not_drift)
{
    record_step(&fx.steps[0], VSDB_RECORD_VSWITCHD);
    record_step(&fx.steps[1], VSDB_RECORD_LATCHED);
    fx.plan.n_steps = 2;
    struct report *r = build();
    ck_assert(report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 0);
    json_t *root = to_json(r);
    ck_assert_uint_eq(problems_about(root, "plan", NULL), 0);
    json_decref(root);
    report_free(r);

    /* Not yet in effect: the record is part of what is left to do. */
    fx.plan.offload.verdict = VSDB_OFFLOAD_LIVE;
    r = build();
    ck_assert(!report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 1);
    report_free(r);
}
END_TEST

START_TEST(record_step_does_not_hide_other_steps)
{
    record_step(&fx.steps[0], VSDB_RECORD_VSWITCHD);
    fx.steps[1].action = PLAN_OVS_ADD_PORT;
    strcpy(fx.steps[1].object, "eth2");
    fx.plan.n_steps = 2;
    struct report *r = build();
    ck_assert(!report_converged(r));
    json_t *root = to_json(r);
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "plan", &p), 1);
    assert_str(at(p, "message", NULL),
               "1 step not applied, first: add-port eth2");
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(ovs_not_connected)
{
    fx.host.ovs.connected = false;
    fx.host.ovs.state = NULL;
    /* What the planner says then. */
    fx.plan.has_offload = false;
    strcpy(fx.blockers[0].object, "ovsdb");
    strcpy(fx.blockers[0].message,
           "OVSDB not reachable at unix:/run/openvswitch/db.sock");
    fx.blockers[0].pf = -1;
    fx.plan.n_blockers = 1;
    struct report *r = build();
    ck_assert(!report_converged(r));
    ck_assert_int_eq(report_exit_code(r), 1);
    json_t *root = to_json(r);
    ck_assert(json_is_false(at(root, "ovs", "connected", NULL)));
    ck_assert(json_is_null(at(root, "ovs", "version", NULL)));
    /* Without the database nothing is known to be in a bridge. */
    ck_assert(json_is_null(at(root, "pfs", "0", "uplink", "bridge", NULL)));
    /* Said once, not by the report and the blocker both. */
    ck_assert_uint_eq(json_array_size(at(root, "problems", NULL)), 1);
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "ovsdb", &p), 1);
    assert_str(at(p, "severity", NULL), "error");
    json_decref(root);
    report_free(r);

    /* Without a plan (observing failed), the report says it itself. */
    r = report_build(&fx.spec, &fx.host, NULL);
    ck_assert_ptr_nonnull(r);
    ck_assert(!report_converged(r));
    root = to_json(r);
    ck_assert_uint_eq(problems_about(root, "ovsdb", &p), 1);
    assert_str(at(p, "message", NULL),
               "OVSDB not reachable at unix:/run/openvswitch/db.sock");
    assert_str(at(p, "hint", NULL), "is ovsdb-server running?");
    json_decref(root);
    report_free(r);

    /* Connected but no snapshot yet is not connected. */
    fx.host.ovs.connected = true;
    fx.host.ovs.state = &fx.ovs;
    fx.ovs.ready = false;
    r = build();
    ck_assert(!report_converged(r));
    report_free(r);
}
END_TEST

START_TEST(ovs_interface_error_and_pending)
{
    fx.ifaces[1].ofport = -1;
    fx.ifaces[1].error = "could not open network device eth1 (No such "
                         "device)";
    fx.ifaces[2].ofport = -1;
    struct report *r = build();
    ck_assert_int_eq(report_exit_code(r), 1);
    ck_assert_uint_eq(report_count_problems(r, REPORT_ERROR), 1);
    ck_assert_uint_eq(report_count_problems(r, REPORT_WARNING), 1);
    json_t *root = to_json(r);
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "eth1", &p), 1);
    assert_str(at(p, "severity", NULL), "error");
    ck_assert_ptr_nonnull(strstr(json_string_value(at(p, "message", NULL)),
                                 "could not open network device eth1"));
    ck_assert_uint_eq(problems_about(root, "eth2", &p), 1);
    assert_str(at(p, "severity", NULL), "warning");
    assert_str(at(p, "message", NULL), "not yet applied by ovs-vswitchd");
    json_decref(root);
    report_free(r);
}
END_TEST

/* A spec bond: its state under "bonds" (absent without bonds), the LAG
 * state said not exposed (or the driver's, where it shows one), and a
 * member without carrier a warning. */
START_TEST(bond_status)
{
    struct report *r = build();
    json_t *root = to_json(r);
    ck_assert_ptr_null(json_object_get(root, "bonds"));
    json_decref(root);
    report_free(r);

    struct spec_bond sb = {.name = (char *)"bond0",
                           .mode = SPEC_BOND_ACTIVE_BACKUP,
                           .pfs = {0, 0}};
    struct obs_bond ob = {.exists = true,
                          .is_bond = true,
                          .owned = true,
                          .ifindex = 40,
                          .up = true,
                          .carrier = true,
                          .mode = 1,
                          .miimon_ms = 100,
                          .xmit_hash = 0,
                          .lacp_rate = 0,
                          .active_slave = "eth0"};
    ob.members[0] = (struct obs_bond_member){.found = true,
                                             .netdev = "eth0",
                                             .master = 40,
                                             .up = true,
                                             .carrier = true};
    ob.members[1] = (struct obs_bond_member){
        .found = true, .netdev = "eth1", .master = 40, .up = true};
    fx.spec.bonds = &sb;
    fx.spec.n_bonds = 1;
    fx.host.bonds = &ob;
    fx.host.n_bonds = 1;
    r = build();
    root = to_json(r);
    assert_str(at(root, "bonds", "0", "name", NULL), "bond0");
    assert_str(at(root, "bonds", "0", "mode", NULL), "active-backup");
    ck_assert_int_eq(
        json_integer_value(at(root, "bonds", "0", "miimon_ms", NULL)), 100);
    assert_str(at(root, "bonds", "0", "xmit_hash_policy", NULL), "layer2");
    assert_str(at(root, "bonds", "0", "lacp_rate", NULL), "slow");
    assert_str(at(root, "bonds", "0", "active_slave", NULL), "eth0");
    assert_str(at(root, "bonds", "0", "lag_state", NULL), "not exposed");
    ck_assert(json_is_true(
        at(root, "bonds", "0", "members", "1", "enslaved", NULL)));
    ck_assert(json_is_false(
        at(root, "bonds", "0", "members", "1", "carrier", NULL)));
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "eth1", &p), 1);
    assert_str(json_object_get(p, "severity"), "warning");
    ck_assert_int_eq(report_exit_code(r), 0);
    char *text = report_to_text(r);
    ck_assert_ptr_nonnull(strstr(text, "bond bond0  active-backup  miimon "
                                       "100 ms  members "
                                       "eth0 (in, carrier) eth1 (in, no "
                                       "carrier)  active eth0  lag not "
                                       "exposed"));
    free(text);
    json_decref(root);
    report_free(r);

    /* 802.3ad: its hash and LACP rate too, as the kernel has them. */
    ob.mode = 4;
    ob.xmit_hash = 1;
    ob.lacp_rate = 1;
    ob.miimon_ms = 250;
    r = build();
    root = to_json(r);
    assert_str(at(root, "bonds", "0", "xmit_hash_policy", NULL), "layer3+4");
    assert_str(at(root, "bonds", "0", "lacp_rate", NULL), "fast");
    text = report_to_text(r);
    ck_assert_ptr_nonnull(strstr(text, "bond bond0  802.3ad  miimon 250 ms  "
                                       "xmit_hash_policy layer3+4  "
                                       "lacp_rate fast  members eth0"));
    free(text);
    ob.mode = 1;
    ck_assert(json_is_null(at(root, "bonds", "0", "lag_type", NULL)));
    json_decref(root);
    report_free(r);

    /* Where the driver shows it (mlx5's debugfs lag/): as it says. */
    ob.lag = (struct lagstate){.exposed = true,
                               .state = "active",
                               .type = "switchdev",
                               .port_sel = "hash"};
    r = build();
    root = to_json(r);
    assert_str(at(root, "bonds", "0", "lag_state", NULL), "active");
    assert_str(at(root, "bonds", "0", "lag_type", NULL), "switchdev");
    assert_str(at(root, "bonds", "0", "lag_port_sel_mode", NULL), "hash");
    text = report_to_text(r);
    ck_assert_ptr_nonnull(
        strstr(text, "active eth0  lag active switchdev  bridge"));
    free(text);
    json_decref(root);
    report_free(r);
    fx.spec.bonds = NULL;
    fx.spec.n_bonds = 0;
    fx.host.bonds = NULL;
    fx.host.n_bonds = 0;
}
END_TEST

START_TEST(warning_alone_keeps_exit_zero)
{
    fx.ifaces[2].ofport = -1;
    struct report *r = build();
    ck_assert_uint_eq(report_count_problems(r, REPORT_WARNING), 1);
    ck_assert_int_eq(report_exit_code(r), 0);
    report_free(r);
}
END_TEST

START_TEST(restart_needed)
{
    fx.plan.offload.verdict = VSDB_OFFLOAD_RESTART_NEEDED;
    fx.plan.offload.reason = "ovs-vswitchd latched tc-policy none";
    struct report *r = build();
    ck_assert_int_eq(report_exit_code(r), 1);
    json_t *root = to_json(r);
    assert_str(at(root, "ovs", "offload", NULL), "restart-needed");
    ck_assert(json_is_true(at(root, "ovs", "restart_needed", NULL)));
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "ovs-vswitchd", &p), 1);
    ck_assert_ptr_nonnull(strstr(json_string_value(at(p, "message", NULL)),
                                 "ovs-vswitchd latched tc-policy none"));
    assert_str(at(p, "hint", NULL), "restart ovs-vswitchd");
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(pf_not_found)
{
    memset(&fx.pf, 0, sizeof fx.pf);
    strcpy(fx.pf.error, "no netdev eth0");
    struct report *r = build();
    json_t *root = to_json(r);
    json_t *pf = at(root, "pfs", "0", NULL);
    ck_assert(json_is_false(at(pf, "found", NULL)));
    assert_str(at(pf, "id", NULL), "eth0");
    assert_str(at(pf, "error", NULL), "no netdev eth0");
    ck_assert(json_is_null(at(pf, "uplink", NULL)));
    json_decref(root);
    char *text = report_to_text(r);
    ck_assert_ptr_nonnull(
        strstr(text, "PF eth0  not found: no netdev eth0\n"));
    free(text);
    report_free(r);
}
END_TEST

START_TEST(added_problem)
{
    struct report *r = build();
    ck_assert_int_eq(report_exit_code(r), 0);
    ck_assert_int_eq(report_add_problem(r, REPORT_ERROR, "/etc/host.json",
                                        "fix the spec", "invalid spec: %d %s",
                                        3, "errors"),
                     0);
    ck_assert_int_eq(report_exit_code(r), 1);
    json_t *root = to_json(r);
    json_t *p = NULL;
    ck_assert_uint_eq(problems_about(root, "/etc/host.json", &p), 1);
    assert_str(at(p, "message", NULL), "invalid spec: 3 errors");
    assert_str(at(p, "hint", NULL), "fix the spec");
    json_decref(root);

    ck_assert_int_eq(report_add_problem(r, REPORT_WARNING, "x", NULL, "w"), 0);
    root = to_json(r);
    ck_assert_uint_eq(problems_about(root, "x", &p), 1);
    ck_assert(json_is_null(at(p, "hint", NULL)));
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(text_table)
{
    struct report *r = build();
    char *text = report_to_text(r);
    ck_assert_ptr_nonnull(text);
    static const char *const lines[] = {
        "PF eth0 (netdevsim/netdevsim1)  eswitch switchdev  VFs 2  uplink "
        "bridge ovs-sriov  rules 0/0 in_hw\n",
        "\nVF  MAC                MAC VIA    VLAN  DRIVER  REPRESENTOR  "
        "BRIDGE  "
        "   RULES in_hw/total\n",
        "\n0   02:00:00:00:01:00  pf-vf-ndo  -     -       eth1         "
        "ovs-sriov  2/2\n",
        "\n1   02:00:00:00:01:01  pf-vf-ndo  -     -       eth2         "
        "ovs-sriov  2/2\n",
        "\nOVS connected (3.1.0)  hw-offload true  tc-policy none  offload "
        "in-effect\n",
        "\nconverged\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        ck_assert_msg(strstr(text, lines[i]), "no line \"%s\" in:\n%s",
                      lines[i], text);
    }
    free(text);
    report_free(r);

    /* Problems, hints and the verdict. */
    fx.vfs[1].rep_hw_tc_offload = OBS_NO;
    fx.vfs[1].rep_tc.in_hw = 1;
    fx.vfs[1].rep_tc.not_in_hw = 1;
    fx.plan.n_blockers = 1;
    strcpy(fx.blockers[0].object, "eth0");
    strcpy(fx.blockers[0].message, "num_vfs 8 > total 4");
    r = build();
    text = report_to_text(r);
    ck_assert_ptr_nonnull(strstr(text, "\n1   02:00:00:00:01:01  pf-vf-ndo  "
                                       "-     -       eth2         "
                                       "ovs-sriov  1/2\n"));
    ck_assert_ptr_nonnull(strstr(text,
                                 "  error   eth2: 1 of 2 tc flower "
                                 "rules not in hardware\n          "
                                 "hint: hw-tc-offload is off on eth2\n"));
    ck_assert_ptr_nonnull(strstr(text, "error   eth0: num_vfs 8 > total 4\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nNOT converged\n"));
    free(text);
    report_free(r);
}
END_TEST

/* A PF planned in the other order after a refusal: which order, why,
 * with the kernel's words; in text and JSON. A learned one says so. */
START_TEST(status_eswitch_order)
{
    static const char refusal[] =
        "set-eswitch netdevsim/netdevsim1: Operation not supported "
        "(kernel: Can't set offloads mode, SRIOV legacy not enabled)";
    fx.pf.order = OBS_ORDER_VFS_FIRST;
    fx.pf.order_source = OBS_ORDER_FALLBACK;
    strcpy(fx.pf.order_refusal, refusal);
    struct report *r = build();
    json_t *root = to_json(r);
    json_t *pf = at(root, "pfs", "0", NULL);
    assert_str(at(pf, "eswitch_order", NULL), "vfs-first");
    assert_str(at(pf, "eswitch_order_source", NULL), "fallback");
    assert_str(at(pf, "eswitch_order_refused", NULL), refusal);
    json_decref(root);
    char *text = report_to_text(r);
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, "\neswitch order vfs-first (fallback): the "
                               "other was refused: set-eswitch "),
                  "%s", text);
    free(text);
    report_free(r);

    fx.pf.order_source = OBS_ORDER_LEARNED;
    fx.pf.order_refusal[0] = '\0';
    r = build();
    text = report_to_text(r);
    ck_assert_ptr_nonnull(
        strstr(text, "\neswitch order vfs-first (learned)\n"));
    free(text);
    report_free(r);
}
END_TEST

/* mac_via: how each VF's MAC is set, from what is observed (its port
 * function reports a hw_addr or not); null where the spec sets no MAC. */
START_TEST(status_mac_via)
{
    fx.vfs[0].has_fn_hw_addr = true;
    memcpy(fx.vfs[0].fn_hw_addr, fx.vfs[0].mac, 6);
    fx.spec_vfs[1].has_mac = false;
    struct report *r = build();
    json_t *root = to_json(r);
    assert_str(at(root, "pfs", "0", "vfs", "0", "mac_via", NULL),
               "port-function");
    ck_assert(json_is_null(at(root, "pfs", "0", "vfs", "1", "mac_via", NULL)));
    /* The MAC is still shown, set or not by the agent. */
    assert_str(at(root, "pfs", "0", "vfs", "1", "mac", NULL),
               "02:00:00:00:01:01");
    json_decref(root);
    char *text = report_to_text(r);
    static const char *const lines[] = {
        "\nVF  MAC                MAC VIA        VLAN  DRIVER  REPRESENTOR  "
        "BRIDGE  ",
        "\n0   02:00:00:00:01:00  port-function  -     -       eth1         "
        "ovs-sriov  2/2\n",
        "\n1   02:00:00:00:01:01  -              -     -       eth2         "
        "ovs-sriov  2/2\n",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        ck_assert_msg(strstr(text, lines[i]), "no line \"%s\" in:\n%s",
                      lines[i], text);
    }
    free(text);
    report_free(r);

    /* A spec that lists no VFs manages no MAC. */
    fx.spec_pf.n_vfs = 0;
    r = build();
    root = to_json(r);
    ck_assert(json_is_null(at(root, "pfs", "0", "vfs", "0", "mac_via", NULL)));
    json_decref(root);
    report_free(r);
}
END_TEST

/* vlan, vlan_via: in switchdev the representor port's OVS tag, in
 * legacy the VF ndo VLAN; a tag that differs from the spec leaves a
 * set-port-tag in the plan: not converged. */
START_TEST(status_vlan)
{
    fx.ports[1].has_tag = true; /* eth1, VF 0's representor */
    fx.ports[1].tag = 100;
    fx.vfs[1].vlan = 9; /* a VF ndo VLAN: not where switchdev's is */
    struct report *r = build();
    json_t *root = to_json(r);
    json_t *vf = at(root, "pfs", "0", "vfs", "0", NULL);
    assert_int(at(vf, "vlan", NULL), 100);
    assert_str(at(vf, "vlan_via", NULL), "ovs-tag");
    ck_assert(json_is_null(at(root, "pfs", "0", "vfs", "1", "vlan", NULL)));
    json_decref(root);
    char *text = report_to_text(r);
    ck_assert_msg(strstr(text, "\n0   02:00:00:00:01:00  pf-vf-ndo  "
                               "100 ovs-tag  -       eth1  "),
                  "%s", text);
    free(text);
    report_free(r);

    /* Drifted: the plan has the repair, status is not converged. */
    struct plan_step *s = fx.steps;
    s[0].action = PLAN_OVS_SET_PORT_TAG;
    s[0].pf = 0;
    s[0].vf = 0;
    strcpy(s[0].object, "eth1");
    strcpy(s[0].detail, "tag 200 -> 100");
    fx.plan.n_steps = 1;
    fx.ports[1].tag = 200;
    r = build();
    root = to_json(r);
    ck_assert(json_is_false(at(root, "converged", NULL)));
    assert_int(at(root, "pfs", "0", "vfs", "0", "vlan", NULL), 200);
    json_decref(root);
    ck_assert_int_eq(report_exit_code(r), 1);
    report_free(r);

    /* Legacy: the VF ndo VLAN, 0 shown as none. */
    fx.plan.n_steps = 0;
    fx.pf.eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
    fx.vfs[0].vlan = 0;
    r = build();
    root = to_json(r);
    ck_assert(json_is_null(at(root, "pfs", "0", "vfs", "0", "vlan", NULL)));
    assert_str(at(root, "pfs", "0", "vfs", "0", "vlan_via", NULL),
               "pf-vf-ndo");
    assert_int(at(root, "pfs", "0", "vfs", "1", "vlan", NULL), 9);
    json_decref(root);
    report_free(r);

    /* The eswitch mode not known: where is not known either. */
    fx.pf.has_eswitch = false;
    r = build();
    root = to_json(r);
    ck_assert(
        json_is_null(at(root, "pfs", "0", "vfs", "1", "vlan_via", NULL)));
    ck_assert(json_is_null(at(root, "pfs", "0", "vfs", "1", "vlan", NULL)));
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(status_steering_mode)
{
    fx.pf.has_steering = true;
    strcpy(fx.pf.steering, "smfs");
    struct report *r = build();
    json_t *root = to_json(r);
    assert_str(at(root, "pfs", "0", "steering_mode", NULL), "smfs");
    json_decref(root);
    report_free(r);
}
END_TEST

/* A PF named by netdev that the driver registered anew and udev renamed,
 * followed by its pin: the current name in "netdev", the spec's in
 * "spec_netdev", both in the text. Named the same: the text says it once. */
START_TEST(status_pf_renamed)
{
    strcpy(fx.pf.netdev, "eni10np1");
    fx.pf.pinned = true;
    struct report *r = build();
    json_t *root = to_json(r);
    assert_str(at(root, "pfs", "0", "netdev", NULL), "eni10np1");
    assert_str(at(root, "pfs", "0", "spec_netdev", NULL), "eth0");
    ck_assert(json_is_true(at(root, "pfs", "0", "pinned", NULL)));
    assert_str(at(root, "pfs", "0", "uplink", "netdev", NULL), "eni10np1");
    json_decref(root);
    char *text = report_to_text(r);
    ck_assert_msg(strstr(text, "PF eni10np1 (spec: eth0) "
                               "(netdevsim/netdevsim1)  eswitch switchdev"),
                  "%s", text);
    free(text);
    report_free(r);

    strcpy(fx.pf.netdev, "eth0");
    fx.pf.pinned = false;
    r = build();
    text = report_to_text(r);
    ck_assert_ptr_null(strstr(text, "(spec: "));
    free(text);
    root = to_json(r);
    assert_str(at(root, "pfs", "0", "spec_netdev", NULL), "eth0");
    ck_assert(json_is_false(at(root, "pfs", "0", "pinned", NULL)));
    json_decref(root);
    report_free(r);

    /* Named by devlink: no spec_netdev. */
    fx.spec_pf.key = SPEC_PF_BY_DEVLINK;
    fx.spec_pf.id = "netdevsim/netdevsim1";
    r = build();
    root = to_json(r);
    ck_assert(json_is_null(at(root, "pfs", "0", "spec_netdev", NULL)));
    json_decref(root);
    report_free(r);
}
END_TEST

START_TEST(plan_json_steering)
{
    struct plan_step *s = fx.steps;
    s[0].action = PLAN_SET_STEERING_MODE;
    s[0].pf = 0;
    s[0].vf = -1;
    strcpy(s[0].object, "netdevsim/netdevsim1");
    strcpy(s[0].detail, "dmfs -> smfs");
    strcpy(s[0].steering.mode, "smfs");
    strcpy(s[0].steering.netdev, "eth0");
    fx.plan.n_steps = 1;

    char *text = report_plan_to_json(&fx.plan, false);
    ck_assert_ptr_nonnull(text);
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    ck_assert_msg(root != NULL, "%s", error.text);
    free(text);
    json_t *st = at(root, "steps", "0", NULL);
    assert_str(at(st, "action", NULL), "set-steering-mode");
    assert_str(at(st, "detail", NULL), "dmfs -> smfs");
    assert_str(at(st, "steering_mode", NULL), "smfs");
    json_decref(root);
}
END_TEST

/* set-port-tag: the tag, null to clear; add-port: "tag" only for a
 * port that gets one. */
START_TEST(plan_json_port_tag)
{
    struct plan_step *s = fx.steps;
    const char *ports[] = {"eth1", "eth2", "eth1"};
    for (int i = 0; i < 3; i++) {
        s[i].action = i < 2 ? PLAN_OVS_SET_PORT_TAG : PLAN_OVS_ADD_PORT;
        s[i].pf = 0;
        s[i].vf = i == 1;
        strcpy(s[i].object, ports[i]);
        strcpy(s[i].ovsport.bridge, "ovs-sriov");
        strcpy(s[i].ovsport.port, ports[i]);
    }
    strcpy(s[0].detail, "tag none -> 100");
    s[0].ovsport.has_tag = true;
    s[0].ovsport.tag = 100;
    strcpy(s[1].detail, "tag 200 -> none");
    strcpy(s[2].detail, "to ovs-sriov");
    fx.plan.n_steps = 3;

    char *text = report_plan_to_json(&fx.plan, false);
    ck_assert_ptr_nonnull(text);
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    ck_assert_msg(root != NULL, "%s", error.text);
    free(text);
    json_t *st = at(root, "steps", "0", NULL);
    assert_str(at(st, "action", NULL), "set-port-tag");
    assert_str(at(st, "object", NULL), "eth1");
    assert_str(at(st, "detail", NULL), "tag none -> 100");
    assert_str(at(st, "bridge", NULL), "ovs-sriov");
    assert_str(at(st, "port", NULL), "eth1");
    assert_int(at(st, "tag", NULL), 100);
    ck_assert(json_is_null(at(root, "steps", "1", "tag", NULL)));
    ck_assert_ptr_null(json_object_get(at(root, "steps", "2", NULL), "tag"));
    json_decref(root);
}
END_TEST

START_TEST(plan_json_and_text)
{
    struct plan_step *s = fx.steps;
    s[0].action = PLAN_SET_ESWITCH;
    s[0].pf = 0;
    s[0].vf = -1;
    strcpy(s[0].object, "netdevsim/netdevsim1");
    strcpy(s[0].detail, "legacy -> switchdev");
    s[0].eswitch.mode = DEVLINK_ESWITCH_MODE_SWITCHDEV;
    s[0].eswitch.inline_mode = -1;
    s[0].eswitch.encap_mode = -1;
    s[0].eswitch.order = OBS_ORDER_VFS_FIRST;
    s[1].action = PLAN_SET_VF;
    s[1].vf = 1;
    strcpy(s[1].object, "eth0 vf 1");
    s[1].setvf.req.has_mac = true;
    set_mac(s[1].setvf.req.mac, 1);
    s[1].setvf.req.vlan = -1;
    s[1].setvf.req.trust = 0;
    s[1].setvf.req.spoofchk = -1;
    s[1].setvf.mac_via = PLAN_MAC_VIA_PORT_FN;
    s[2].action = PLAN_OVS_ADD_PORT;
    strcpy(s[2].object, "ovs-sriov");
    strcpy(s[2].ovsport.bridge, "ovs-sriov");
    s[3].action = PLAN_SET_HW_TC_OFFLOAD;
    strcpy(s[3].object, "eth1");
    strcpy(s[3].hwtc.netdev, "eth1");
    s[3].hwtc.on = true;
    s[4].action = PLAN_SET_LINK_UP;
    strcpy(s[4].object, "eth2");
    strcpy(s[4].link.netdev, "eth2");
    s[5].action = PLAN_SET_LINK_UP;
    strcpy(s[5].object, "eth0 vf 2 representor");
    fx.plan.n_steps = 6;
    strcpy(fx.blockers[0].object, "pci/0000:43:00.0");
    strcpy(fx.blockers[0].message, "no such PF");
    fx.plan.n_blockers = 1;

    char *text = report_plan_to_json(&fx.plan, false);
    ck_assert_ptr_nonnull(text);
    json_error_t error;
    json_t *root = json_loads(text, JSON_REJECT_DUPLICATES, &error);
    ck_assert_msg(root != NULL, "%s", error.text);
    free(text);
    ck_assert_uint_eq(json_array_size(at(root, "steps", NULL)), 6);
    json_t *st = at(root, "steps", "0", NULL);
    assert_str(at(st, "action", NULL), "set-eswitch");
    assert_str(at(st, "object", NULL), "netdevsim/netdevsim1");
    assert_str(at(st, "detail", NULL), "legacy -> switchdev");
    assert_str(at(st, "eswitch", NULL), "switchdev");
    assert_str(at(st, "order", NULL), "vfs-first");
    ck_assert_ptr_null(json_object_get(st, "inline_mode"));
    st = at(root, "steps", "1", NULL);
    assert_str(at(st, "action", NULL), "set-vf");
    assert_int(at(st, "vf", NULL), 1);
    assert_str(at(st, "mac", NULL), "02:00:00:00:01:01");
    assert_str(at(st, "mac_via", NULL), "port-function");
    ck_assert(json_is_false(at(st, "trust", NULL)));
    ck_assert_ptr_null(json_object_get(st, "vlan"));
    ck_assert_ptr_null(json_object_get(st, "spoofchk"));
    st = at(root, "steps", "2", NULL);
    assert_str(at(st, "action", NULL), "add-port");
    assert_str(at(st, "bridge", NULL), "ovs-sriov");
    ck_assert(json_is_null(at(st, "port", NULL)));
    st = at(root, "steps", "3", NULL);
    assert_str(at(st, "netdev", NULL), "eth1");
    ck_assert(json_is_true(at(st, "on", NULL)));
    st = at(root, "steps", "4", NULL);
    assert_str(at(st, "action", NULL), "set-link-up");
    assert_str(at(st, "netdev", NULL), "eth2");
    /* null: a representor this plan creates, set up once it appears. */
    ck_assert(json_is_null(at(root, "steps", "5", "netdev", NULL)));
    assert_str(at(root, "blockers", "0", "object", NULL), "pci/0000:43:00.0");
    assert_str(at(root, "blockers", "0", "message", NULL), "no such PF");
    json_decref(root);

    text = report_plan_to_text(&fx.plan);
    ck_assert_ptr_nonnull(text);
    ck_assert_ptr_nonnull(
        strstr(text, "1. set-eswitch netdevsim/netdevsim1: legacy -> "
                     "switchdev [vfs-first]\n2. set-vf eth0 vf 1\n3. add-port "
                     "ovs-sriov\n4. set-hw-tc-offload eth1\n"));
    ck_assert_ptr_nonnull(strstr(text, "pci/0000:43:00.0: no such PF\n"));
    free(text);
}
END_TEST

START_TEST(empty_plan)
{
    char *text = report_plan_to_json(&fx.plan, false);
    ck_assert_str_eq(text, "{\"steps\":[],\"blockers\":[]}");
    free(text);
    text = report_plan_to_text(&fx.plan);
    ck_assert_str_eq(text, "nothing to do: converged\n");
    free(text);
}
END_TEST

static Suite *
report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("report");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, converged_host);
    tcase_add_test(tc, nulls_for_what_is_absent);
    tcase_add_test(tc, vf_in_use);
    tcase_add_test(tc, hw_tc_offload_off_on_one_representor);
    tcase_add_test(tc, links_down);
    tcase_add_test(tc, driver_refused_every_rule);
    tcase_add_test(tc, skip_hw_policy_is_the_hint);
    tcase_add_test(tc, blocker_is_an_error);
    tcase_add_test(tc, remaining_steps_are_an_error);
    tcase_add_test(tc, stale_vswitchd_record_is_not_drift);
    tcase_add_test(tc, record_step_does_not_hide_other_steps);
    tcase_add_test(tc, ovs_not_connected);
    tcase_add_test(tc, ovs_interface_error_and_pending);
    tcase_add_test(tc, warning_alone_keeps_exit_zero);
    tcase_add_test(tc, restart_needed);
    tcase_add_test(tc, pf_not_found);
    tcase_add_test(tc, added_problem);
    tcase_add_test(tc, text_table);
    tcase_add_test(tc, plan_json_and_text);
    tcase_add_test(tc, plan_json_steering);
    tcase_add_test(tc, status_steering_mode);
    tcase_add_test(tc, status_pf_renamed);
    tcase_add_test(tc, status_eswitch_order);
    tcase_add_test(tc, status_mac_via);
    tcase_add_test(tc, status_vlan);
    tcase_add_test(tc, plan_json_port_tag);
    tcase_add_test(tc, empty_plan);
    tcase_add_test(tc, bond_status);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return oa_check_run(report_suite());
}
