/* plan-vdpa and vdpaown: the vDPA planner on specs and observations built
 * in memory (pure), and the agent's record of its devices in a temporary
 * state directory. */
#include "apply-vdpa.h"
#include "obs-vdpa.h"
#include "oa-netlink/nlsock.h"
#include "oa-netlink/vdpa.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan-vdpa.h"
#include "report-vdpa.h"
#include "report.h"
#include "vdpa-eth.h"
#include "vdpaown.h"
#include "hostio.h"
#include "oa-netlink/devlink.h"
#include "fake-tree.h"

#include <check.h>
#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The sink: steps and blockers in arrays of the test's. */
struct got {
    struct plan_step steps[16];
    size_t n_steps;
    char blockers[8][256];
    size_t n_blockers;
};

static struct plan_step *
got_step(void *b, enum plan_action action, int pf, int vf)
{
    struct got *g = b;
    ck_assert_uint_lt(g->n_steps, 16);
    struct plan_step *s = &g->steps[g->n_steps++];
    memset(s, 0, sizeof *s);
    s->action = action;
    s->pf = pf;
    s->vf = vf;
    return s;
}

static void
got_blocker(void *b, int pf, const char *object, const char *msg)
{
    struct got *g = b;
    (void)pf;
    ck_assert_uint_lt(g->n_blockers, 8);
    snprintf(g->blockers[g->n_blockers++], 256, "%s: %s", object, msg);
}

static struct spec *
load(const char *vdpa0)
{
    char text[1024];
    struct spec *spec;
    struct spec_errors *errs;
    snprintf(text, sizeof text,
             "{\"version\":1,\"pfs\":[{\"netdev\":\"p0\",\"num_vfs\":2,"
             "\"vfs\":[{\"index\":0,\"mac\":\"02:00:00:00:00:10\"%s%s}]}]}",
             vdpa0 ? ",\"vdpa\":" : "", vdpa0 ? vdpa0 : "");
    ck_assert_int_eq(
        spec_load_buffer("t.json", text, strlen(text), &spec, &errs), 0);
    spec_errors_destroy(errs);
    return spec;
}

/* One found PF "p0" with two PCI VFs, and the vDPA devices 'devs'. */
struct fixture {
    struct obs_vf vfs[2];
    struct obs_pf pf;
    struct obs_vdpa v;
    struct obs_host host;
    struct plan plan;
    struct got got;
};

static void
fixture(struct fixture *f, struct obs_vdpa_dev *devs, size_t n)
{
    memset(f, 0, sizeof *f);
    strcpy(f->vfs[0].pci, "0000:08:00.2");
    strcpy(f->vfs[1].pci, "0000:08:00.3");
    f->vfs[1].index = 1;
    f->pf = (struct obs_pf){
        .found = true, .num_vfs = 2, .vfs = f->vfs, .n_vfs = 2};
    f->v = (struct obs_vdpa){.available = true,
                             .vhost_loaded = true,
                             .virtio_loaded = true,
                             .devs = devs,
                             .n_devs = n};
    f->host = (struct obs_host){.pfs = &f->pf, .n_pfs = 1, .vdpa = &f->v};
}

static void
run(struct fixture *f, const struct spec *spec)
{
    struct plan_vdpa_sink sink = {&f->got, got_step, got_blocker};
    plan_vdpa(spec, &f->host, &f->plan, &sink);
}

/* A device as the kernel would list the agent's VF 0 device. */
static struct obs_vdpa_dev
dev0(const char *driver, bool owned)
{
    struct obs_vdpa_dev d = {.name = "oa-p0-vf0",
                             .mgmtdev = "pci/0000:08:00.2",
                             .owned = owned,
                             .has_mac = true,
                             .mac = {2, 0, 0, 0, 0, 0x10},
                             .has_mtu = true,
                             .mtu = 1500};
    strcpy(d.driver, driver);
    return d;
}

START_TEST(test_create_and_bind)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\",\"max_vqp\":4}");
    fixture(&f, NULL, 0);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 2);
    const struct plan_step *s = &f.got.steps[0];
    ck_assert_int_eq(s->action, PLAN_VDPA_NEW);
    ck_assert_str_eq(s->object, "oa-p0-vf0");
    ck_assert_str_eq(s->vdpa.mgmtdev, "pci/0000:08:00.2");
    ck_assert(s->vdpa.has_mac && s->vdpa.mac[5] == 0x10);
    ck_assert_uint_eq(s->vdpa.max_vqp, 4);
    ck_assert_uint_eq(s->vdpa.mtu, 0);
    ck_assert_int_eq(f.got.steps[1].action, PLAN_VDPA_BIND);
    ck_assert_str_eq(f.got.steps[1].vdpa.driver, "vhost_vdpa");
    ck_assert_str_eq(f.got.steps[1].detail, "none -> vhost_vdpa");
    spec_destroy(spec);
}
END_TEST

START_TEST(test_converged_and_rebind)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\",\"mtu\":1500}");
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps + f.got.n_blockers, 0);

    /* Someone else's device of the same name and make: adopted as is. */
    d.owned = false;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps + f.got.n_blockers, 0);

    strcpy(d.driver, "virtio_vdpa");
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 1);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_BIND);
    ck_assert_str_eq(f.got.steps[0].detail, "virtio_vdpa -> vhost_vdpa");
    spec_destroy(spec);
}
END_TEST

START_TEST(test_recreate_only_ours)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\",\"mtu\":9000}");
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 3);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_DEL);
    ck_assert_str_eq(f.got.steps[0].detail, "mtu 1500 -> 9000");
    ck_assert_int_eq(f.got.steps[1].action, PLAN_VDPA_NEW);
    ck_assert_uint_eq(f.got.steps[1].vdpa.mtu, 9000);
    ck_assert_int_eq(f.got.steps[2].action, PLAN_VDPA_BIND);

    /* In use (its char device open): a blocker, unless the PF allows
     * disruption. */
    d.in_use = true;
    strcpy(d.holder, "/dev/vhost-vdpa-0 open by qemu (pid 812)");
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_ptr_nonnull(strstr(f.got.blockers[0], "open by qemu (pid 812)"));
    spec->pfs[0].disruptive = SPEC_DISRUPTIVE_ALLOW;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 3);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    d.in_use = false;

    /* Not the agent's: never deleted, a blocker says why. */
    d.owned = false;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_ptr_nonnull(
        strstr(f.got.blockers[0], "not created by the agent"));
    spec_destroy(spec);
}
END_TEST

START_TEST(test_delete_only_ours)
{
    struct fixture f;
    struct spec *spec = load(NULL);
    struct obs_vdpa_dev d[2] = {dev0("virtio_vdpa", true),
                                dev0("vhost_vdpa", false)};
    strcpy(d[1].name, "hand0");
    fixture(&f, d, 2);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 1);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_DEL);
    ck_assert_str_eq(f.got.steps[0].object, "oa-p0-vf0");
    spec_destroy(spec);
}
END_TEST

START_TEST(test_blockers)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"virtio_vdpa\"}");
    fixture(&f, NULL, 0);
    f.v.virtio_loaded = false;
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_ptr_nonnull(
        strstr(f.got.blockers[0], "virtio_vdpa is not loaded"));

    fixture(&f, NULL, 0);
    f.v.available = false;
    strcpy(f.v.error, "the kernel has no vdpa netlink family");
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);

    /* A VF that is no PCI function, without mgmtdev. */
    fixture(&f, NULL, 0);
    f.vfs[0].pci[0] = '\0';
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_ptr_nonnull(strstr(f.got.blockers[0], "give vdpa.mgmtdev"));
    spec_destroy(spec);
}
END_TEST

START_TEST(test_pf_busy_waits)
{
    /* The PF's VFs change in this plan: their devices come next round. */
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct plan_step numvfs = {.action = PLAN_SET_NUMVFS, .pf = 0, .vf = -1};
    fixture(&f, NULL, 0);
    f.plan.steps = &numvfs;
    f.plan.n_steps = 1;
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps + f.got.n_blockers, 0);
    spec_destroy(spec);
}
END_TEST

START_TEST(test_record)
{
    char dir[] = "/tmp/oa-vdpaown.XXXXXX", path[256], text[256];
    struct vdpaown o;
    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(vdpaown_path(dir, path, sizeof path), 0);
    ck_assert_int_eq(vdpaown_load(path, &o, NULL), 0); /* no file: empty */
    ck_assert_uint_eq(o.n, 0);
    ck_assert_int_eq(vdpaown_add(path, "a", NULL), 0);
    ck_assert_int_eq(vdpaown_add(path, "b", NULL), 0);
    ck_assert_int_eq(vdpaown_add(path, "a", NULL), 0);
    ck_assert_int_eq(vdpaown_load(path, &o, NULL), 0);
    ck_assert_uint_eq(o.n, 2);
    ck_assert(vdpaown_has(&o, "a") && vdpaown_has(&o, "b"));
    vdpaown_clear(&o);
    ck_assert_int_eq(vdpaown_remove(path, "a", NULL), 0);
    ck_assert_int_eq(vdpaown_load(path, &o, NULL), 0);
    ck_assert_uint_eq(o.n, 1);
    ck_assert(!vdpaown_has(&o, "a") && vdpaown_has(&o, "b"));
    vdpaown_clear(&o);
    /* A refused max_vqp is kept with its name, and goes with it. */
    ck_assert_int_eq(vdpaown_add_vqp(path, "c", 8, NULL), 0);
    ck_assert_int_eq(vdpaown_load(path, &o, NULL), 0);
    ck_assert_uint_eq(vdpaown_vqp_refused(&o, "c"), 8);
    ck_assert_uint_eq(vdpaown_vqp_refused(&o, "b"), 0);
    vdpaown_clear(&o);
    ck_assert_int_eq(vdpaown_add(path, "c", NULL), 0); /* created anew */
    ck_assert_int_eq(vdpaown_load(path, &o, NULL), 0);
    ck_assert_uint_eq(vdpaown_vqp_refused(&o, "c"), 0);
    vdpaown_clear(&o);
    ck_assert_int_eq(vdpaown_add_vqp(path, "c", 4, NULL), 0);
    ck_assert_int_eq(vdpaown_remove(path, "b", NULL), 0);
    ck_assert_int_eq(vdpaown_load(path, &o, NULL), 0);
    ck_assert_uint_eq(o.n, 1);
    ck_assert_uint_eq(vdpaown_vqp_refused(&o, "c"), 4);
    vdpaown_clear(&o);
    ck_assert_int_eq(vdpaown_remove(path, "c", NULL), 0);
    ck_assert_int_eq(vdpaown_add(path, "b", NULL), 0);

    /* Another kind of file: refused with the path in the text. */
    FILE *fp = fopen(path, "w");
    fputs("{\"version\":1,\"pins\":[]}", fp);
    fclose(fp);
    struct oa_err err;
    ck_assert_int_lt(vdpaown_load(path, &o, &err), 0);
    oa_err_format(&err, text, sizeof text);
    ck_assert_ptr_nonnull(strstr(text, path));
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(test_report_mode)
{
    /* Bound, negotiated without VIRTIO_F_VERSION_1: legacy, a warning. */
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    struct report_vdpa v;
    strcpy(d.chardev, "vhost-vdpa-3");
    d.has_negotiated = true;
    d.negotiated = 1ull << 5;
    fixture(&f, &d, 1);
    report_vdpa_fill(&v, &spec->pfs[0], 0, &f.host);
    ck_assert(v.wanted && v.exists);
    ck_assert_str_eq(report_vdpa_mode(&v), "legacy");
    struct report *r = report_build(spec, &f.host, NULL);
    char *json = report_to_json(r, false);
    ck_assert_ptr_nonnull(strstr(json, "\"chardev\":\"/dev/vhost-vdpa-3\""));
    ck_assert_ptr_nonnull(strstr(json, "\"mode\":\"legacy\""));
    ck_assert_ptr_nonnull(strstr(json, "negotiated legacy virtio"));
    free(json);
    report_free(r);

    d.negotiated |= 1ull << 32;
    report_vdpa_fill(&v, &spec->pfs[0], 0, &f.host);
    ck_assert_str_eq(report_vdpa_mode(&v), "modern");
    r = report_build(spec, &f.host, NULL);
    json = report_to_json(r, false);
    ck_assert_ptr_null(strstr(json, "negotiated legacy"));
    free(json);
    report_free(r);

    /* Nothing negotiated yet; and a VF without "vdpa": null. */
    d.has_negotiated = false;
    report_vdpa_fill(&v, &spec->pfs[0], 0, &f.host);
    ck_assert_ptr_null(report_vdpa_mode(&v));
    report_vdpa_fill(&v, &spec->pfs[0], 1, &f.host);
    ck_assert(!v.wanted);
    spec_destroy(spec);
}
END_TEST

/* A max_vqp the management device refused when the agent created the
 * device (recorded): no re-create every round for that same value; a new
 * value in the spec is tried again. */
START_TEST(test_vqp_refused_not_recreated)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\",\"max_vqp\":8}");
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    d.has_max_vqp = true;
    d.max_vqp = 1;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 3); /* not refused: re-created */
    ck_assert_str_eq(f.got.steps[0].detail, "max_vqp 1 -> 8");

    d.vqp_refused = 8;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps + f.got.n_blockers, 0);
    spec_destroy(spec);

    spec = load("{\"driver\":\"vhost_vdpa\",\"max_vqp\":4}");
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 3);
    ck_assert_str_eq(f.got.steps[0].detail, "max_vqp 1 -> 4");

    /* Status says so. */
    struct report_vdpa v;
    spec_destroy(spec);
    spec = load("{\"driver\":\"vhost_vdpa\",\"max_vqp\":8}");
    report_vdpa_fill(&v, &spec->pfs[0], 0, &f.host);
    ck_assert_uint_eq(v.vqp_refused, 8);
    struct report *r = report_build(spec, &f.host, NULL);
    char *json = report_to_json(r, false);
    ck_assert_ptr_nonnull(strstr(json, "\"max_vqp_refused\":8"));
    free(json);
    report_free(r);
    spec_destroy(spec);
}
END_TEST

/* DEV_NEW scripted: refuses with 'refuse' while max_vqp is set ('always':
 * also without), and records each attempt's max_vqp. */
struct script {
    int refuse;
    bool always;
    unsigned calls;
    unsigned vqp[4];
};

static int
scripted_new(void *aux, const struct vdpa_dev_new_req *q,
             struct oanl_extack *ext)
{
    struct script *sc = aux;
    ck_assert_uint_lt(sc->calls, 4);
    sc->vqp[sc->calls++] = q->max_vqp;
    if (q->max_vqp || sc->always) {
        snprintf(ext->msg, sizeof ext->msg, "attempt %u", sc->calls);
        return sc->refuse;
    }
    return 0;
}

START_TEST(test_create_retries_without_vqp)
{
    struct vdpa_dev_new_req q = {.name = "vm1", .max_vqp = 8, .mtu = 1500};
    struct oanl_extack ext = {{0}};
    unsigned refused;

    /* EOPNOTSUPP with max_vqp: once more without it, reported. */
    struct script sc = {.refuse = -EOPNOTSUPP};
    ck_assert_int_eq(apply_vdpa_create(scripted_new, &sc, &q, &refused, &ext),
                     0);
    ck_assert_uint_eq(sc.calls, 2);
    ck_assert_uint_eq(sc.vqp[0], 8);
    ck_assert_uint_eq(sc.vqp[1], 0);
    ck_assert_uint_eq(refused, 8);
    ck_assert_uint_eq(q.mtu, 1500); /* the rest as asked */

    /* Another refusal: not retried. */
    q.max_vqp = 8;
    sc = (struct script){.refuse = -EINVAL};
    ck_assert_int_eq(apply_vdpa_create(scripted_new, &sc, &q, &refused, &ext),
                     -EINVAL);
    ck_assert_uint_eq(sc.calls, 1);
    ck_assert_uint_eq(refused, 0);

    /* EOPNOTSUPP without max_vqp asked: nothing to drop. */
    q.max_vqp = 0;
    sc = (struct script){.refuse = -EOPNOTSUPP, .always = true};
    ck_assert_int_eq(apply_vdpa_create(scripted_new, &sc, &q, &refused, &ext),
                     -EOPNOTSUPP);
    ck_assert_uint_eq(sc.calls, 1);

    /* Refused without it too: the last attempt's error, nothing said
     * refused, the request as asked. */
    q.max_vqp = 8;
    sc = (struct script){.refuse = -EOPNOTSUPP, .always = true};
    ck_assert_int_eq(apply_vdpa_create(scripted_new, &sc, &q, &refused, &ext),
                     -EOPNOTSUPP);
    ck_assert_uint_eq(sc.calls, 2);
    ck_assert_uint_eq(refused, 0);
    ck_assert_uint_eq(q.max_vqp, 8);
    ck_assert_str_eq(ext.msg, "attempt 2");
}
END_TEST

/* A device held open (a VM's QEMU) is neither re-bound, re-created nor
 * deleted without "disruptive": "allow" on its PF. */
START_TEST(test_in_use_blocks)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"virtio_vdpa\"}");
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    d.in_use = true;
    strcpy(d.holder, "/dev/vhost-vdpa-0 open by qemu (pid 812)");
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0); /* re-bind blocked */
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_ptr_nonnull(strstr(f.got.blockers[0], "qemu (pid 812)"));
    ck_assert_ptr_nonnull(strstr(f.got.blockers[0], "\"disruptive\""));

    spec->pfs[0].disruptive = SPEC_DISRUPTIVE_ALLOW;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 1);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_BIND);
    spec_destroy(spec);

    /* A re-create (mtu) likewise. */
    spec = load("{\"driver\":\"vhost_vdpa\",\"mtu\":9000}");
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    spec->pfs[0].disruptive = SPEC_DISRUPTIVE_ALLOW;
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 3);
    spec_destroy(spec);

    /* No longer in the spec: not deleted while held. */
    spec = load(NULL);
    fixture(&f, &d, 1);
    run(&f, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    spec_destroy(spec);
}
END_TEST

/* VF 0's management device is its own devlink instance with enable_eth
 * (mlx5): 'enabled' its driverinit value, 'netdev' the VF's netdev. */
static struct obs_vdpa_eth
eth0(bool enabled, const char *netdev)
{
    struct obs_vdpa_eth e = {.mgmtdev = "pci/0000:08:00.2",
                             .enabled = enabled};
    strcpy(e.netdev, netdev);
    return e;
}

/* The planner with one management device 'e' (and device 'd', NULL:
 * none) observed. */
static void
run_eth(struct fixture *f, struct obs_vdpa_dev *d, struct obs_vdpa_eth *e,
        const struct spec *spec)
{
    fixture(f, d, d ? 1 : 0);
    f->v.eths = e;
    f->v.n_eths = 1;
    run(f, spec);
}

START_TEST(test_disable_eth_before_new)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct obs_vdpa_eth e = eth0(true, "eth3");
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 3);
    const struct plan_step *s = &f.got.steps[0];
    ck_assert_int_eq(s->action, PLAN_VDPA_DISABLE_ETH);
    ck_assert_str_eq(s->object, "pci/0000:08:00.2");
    ck_assert_str_eq(s->vdpa.mgmtdev, "pci/0000:08:00.2");
    ck_assert_str_eq(s->vdpa.name, "oa-p0-vf0");
    ck_assert_str_eq(s->vdpa.netdev, "eth3");
    ck_assert_int_eq(s->vf, 0);
    ck_assert_str_eq(s->detail,
                     "enable_eth true -> false, reload; removes netdev eth3");
    ck_assert_int_eq(f.got.steps[1].action, PLAN_VDPA_NEW);
    ck_assert_int_eq(f.got.steps[2].action, PLAN_VDPA_BIND);

    /* plan --json: the action by name, the devlink handle as object and
     * field. */
    struct plan plan = {.steps = f.got.steps, .n_steps = f.got.n_steps};
    char *json = report_plan_to_json(&plan, false);
    ck_assert_ptr_nonnull(json);
    ck_assert_ptr_nonnull(strstr(json, "\"action\":\"vdpa-disable-eth\""));
    ck_assert_ptr_nonnull(strstr(json, "\"object\":\"pci/0000:08:00.2\""));
    ck_assert_ptr_nonnull(strstr(json, "\"devlink\":\"pci/0000:08:00.2\""));
    ck_assert_ptr_nonnull(strstr(json, "\"netdev\":\"eth3\""));
    const char *eth = strstr(json, "vdpa-disable-eth");
    const char *add = strstr(json, "vdpa-new");
    ck_assert(eth && add && eth < add);
    free(json);

    /* After the reload it reads false: no step, the create goes on. */
    e = eth0(false, "");
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 2);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_NEW);

    /* A device that is there already is left with its netdev: a reload
     * would delete it. */
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    e = eth0(true, "eth3");
    run_eth(&f, &d, &e, spec);
    ck_assert_uint_eq(f.got.n_steps + f.got.n_blockers, 0);
    spec_destroy(spec);
}
END_TEST

/* enable_eth false but its netdev still there (a run that died between
 * the set and the reload): the step again, to reload; off and gone: none. */
START_TEST(test_disable_eth_unapplied)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct obs_vdpa_eth e = eth0(false, "eth3");
    e.unapplied = true;
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_steps, 3);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_DISABLE_ETH);
    ck_assert_str_eq(f.got.steps[0].detail,
                     "enable_eth false, not in effect: reload; removes "
                     "netdev eth3");
    ck_assert_int_eq(f.got.steps[1].action, PLAN_VDPA_NEW);

    e = eth0(false, "");
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_steps, 2);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_NEW);
    spec_destroy(spec);
}
END_TEST

/* The VF's netdev goes with the reload: in use (an address, a bond, an
 * OVS port), it blocks the create unless the PF allows disruption. */
START_TEST(test_disable_eth_netdev_in_use)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct obs_vdpa_eth e = eth0(true, "eth3");
    e.in_use = true;
    strcpy(e.holder, "netdev eth3 up with 192.0.2.5/24");
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_str_eq(f.got.blockers[0],
                     "pci/0000:08:00.2: vDPA device oa-p0-vf0 needs "
                     "pci/0000:08:00.2's enable_eth off and a reload, which "
                     "remove its netdev, in use: netdev eth3 up with "
                     "192.0.2.5/24; set \"disruptive\": \"allow\" on the PF "
                     "to proceed");

    spec->pfs[0].disruptive = SPEC_DISRUPTIVE_ALLOW;
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 3);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_DISABLE_ETH);
    ck_assert_ptr_nonnull(strstr(
        f.got.steps[0].detail, "disrupts: netdev eth3 up with 192.0.2.5/24"));
    spec_destroy(spec);

    /* A re-create (mtu) blocked likewise deletes nothing; allowed, the
     * step goes between the delete and the create. */
    spec = load("{\"driver\":\"vhost_vdpa\",\"mtu\":9000}");
    struct obs_vdpa_dev d = dev0("vhost_vdpa", true);
    run_eth(&f, &d, &e, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    e.in_use = false;
    run_eth(&f, &d, &e, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 4);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_DEL);
    ck_assert_int_eq(f.got.steps[1].action, PLAN_VDPA_DISABLE_ETH);
    ck_assert_int_eq(f.got.steps[2].action, PLAN_VDPA_NEW);
    ck_assert_int_eq(f.got.steps[3].action, PLAN_VDPA_BIND);
    spec_destroy(spec);
}
END_TEST

/* The param could not be read (other than absent): a blocker with the
 * reason, no create on a guess. */
START_TEST(test_disable_eth_unreadable)
{
    struct fixture f;
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct obs_vdpa_eth e = eth0(true, "");
    strcpy(e.error,
           "reading enable_eth of pci/0000:08:00.2: Operation not permitted");
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_steps, 0);
    ck_assert_uint_eq(f.got.n_blockers, 1);
    ck_assert_ptr_nonnull(
        strstr(f.got.blockers[0], "Operation not permitted"));
    ck_assert_ptr_nonnull(strstr(f.got.blockers[0], "oa-p0-vf0"));
    spec_destroy(spec);
}
END_TEST

/* Two devices on one management device (given as "mgmtdev"): one reload,
 * before the first create; another management device: none. */
START_TEST(test_disable_eth_once_per_mgmtdev)
{
    const char *text =
        "{\"version\":1,\"pfs\":[{\"netdev\":\"p0\",\"num_vfs\":2,\"vfs\":["
        "{\"index\":0,\"vdpa\":{\"driver\":\"vhost_vdpa\","
        "\"mgmtdev\":\"auxiliary/mlx5_core.sf.2\"}},"
        "{\"index\":1,\"vdpa\":{\"driver\":\"vhost_vdpa\","
        "\"mgmtdev\":\"auxiliary/mlx5_core.sf.2\"}}]}]}";
    struct spec *spec;
    struct spec_errors *errs;
    ck_assert_int_eq(
        spec_load_buffer("t.json", text, strlen(text), &spec, &errs), 0);
    spec_errors_destroy(errs);
    struct fixture f;
    struct obs_vdpa_eth e = {.mgmtdev = "auxiliary/mlx5_core.sf.2",
                             .enabled = true};
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_blockers, 0);
    ck_assert_uint_eq(f.got.n_steps, 5);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_DISABLE_ETH);
    ck_assert_str_eq(f.got.steps[0].object, "auxiliary/mlx5_core.sf.2");
    ck_assert_str_eq(f.got.steps[0].detail,
                     "enable_eth true -> false, reload");
    for (size_t i = 1; i < 5; i++) {
        ck_assert_int_ne(f.got.steps[i].action, PLAN_VDPA_DISABLE_ETH);
    }

    /* The entry is another management device's: nothing to turn off. */
    strcpy(e.mgmtdev, "pci/0000:08:00.2");
    run_eth(&f, NULL, &e, spec);
    ck_assert_uint_eq(f.got.n_steps, 4);
    ck_assert_int_eq(f.got.steps[0].action, PLAN_VDPA_NEW);
    spec_destroy(spec);
}
END_TEST

/* devlink scripted for vdpa-eth: param_get answers 'get_r' (then a bool
 * of 'value', 'has_value'), param_set answers set_r[call], reload
 * 'reload_r'; each call recorded. */
struct dl_script {
    int get_r;
    bool has_value, value;
    int set_r[2], reload_r;
    uint32_t performed;
    unsigned n_get, n_set, n_reload;
    char asked[96], name[64];
    uint8_t cmode;
    bool set_flag[2];
    uint8_t set_type, set_cmode;
};

static int
dl_get(void *aux, const struct devlink_handle *h, const char *name,
       uint8_t cmode, struct devlink_param *p, struct oanl_extack *ext)
{
    struct dl_script *sc = aux;
    sc->n_get++;
    devlink_handle_format(h, sc->asked, sizeof sc->asked);
    snprintf(sc->name, sizeof sc->name, "%s", name);
    sc->cmode = cmode;
    memset(p, 0, sizeof *p);
    if (sc->get_r) {
        snprintf(ext->msg, sizeof ext->msg, "get refused");
        return sc->get_r;
    }
    p->type = DEVLINK_PARAM_BOOL;
    p->has_value = sc->has_value;
    p->flag = sc->value;
    return 0;
}

static int
dl_set(void *aux, const struct devlink_handle *h,
       const struct devlink_param *p, struct oanl_extack *ext)
{
    struct dl_script *sc = aux;
    (void)h;
    ck_assert_uint_lt(sc->n_set, 2);
    sc->set_flag[sc->n_set] = p->flag;
    sc->set_type = p->type;
    sc->set_cmode = p->cmode;
    snprintf(sc->name, sizeof sc->name, "%s", p->name);
    int r = sc->set_r[sc->n_set++];
    if (r) {
        snprintf(ext->msg, sizeof ext->msg, "set refused");
    }
    return r;
}

static int
dl_reload(void *aux, const struct devlink_handle *h, uint32_t *performed,
          struct oanl_extack *ext)
{
    struct dl_script *sc = aux;
    devlink_handle_format(h, sc->asked, sizeof sc->asked);
    sc->n_reload++;
    if (sc->reload_r) {
        snprintf(ext->msg, sizeof ext->msg, "reload refused by the driver");
        return sc->reload_r;
    }
    *performed = sc->performed;
    return 0;
}

static const struct vdpa_eth_ops dl_ops = {dl_get, dl_set, dl_reload};

/* enable_eth read for VF 0's device (pci/0000:08:00.2): what is listed,
 * by the kernel's answer; the VF's netdev from a fake sysfs. */
START_TEST(test_eth_observe)
{
    char root[] = "/tmp/oa-vdpaeth.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, "bus/pci/devices/0000:08:00.2/net/eth3");
    struct hostio io = {.sysfs_root = root};
    struct spec *spec = load("{\"driver\":\"vhost_vdpa\"}");
    struct fixture f;
    struct oa_err err;

    /* No such instance, no such param, no params: nothing, no error. */
    int absent[] = {-ENODEV, -EINVAL, -EOPNOTSUPP};
    for (size_t i = 0; i < 3; i++) {
        struct dl_script sc = {.get_r = absent[i]};
        fixture(&f, NULL, 0);
        ck_assert_int_eq(
            vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
        ck_assert_uint_eq(sc.n_get, 1);
        ck_assert_uint_eq(f.v.n_eths, 0);
    }

    /* On: listed with the VF's netdev, not in use. */
    struct dl_script sc = {.has_value = true, .value = true};
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert_str_eq(sc.asked, "pci/0000:08:00.2");
    ck_assert_str_eq(sc.name, "enable_eth");
    ck_assert_uint_eq(sc.cmode, DEVLINK_PARAM_CMODE_DRIVERINIT);
    ck_assert_uint_eq(f.v.n_eths, 1);
    ck_assert_str_eq(f.v.eths[0].mgmtdev, "pci/0000:08:00.2");
    ck_assert(f.v.eths[0].enabled && !f.v.eths[0].in_use);
    ck_assert_str_eq(f.v.eths[0].netdev, "eth3");
    ck_assert_ptr_eq(obs_vdpa_find_eth(&f.v, "pci/0000:08:00.2"),
                     &f.v.eths[0]);
    free(f.v.eths);

    /* Its netdev enslaved (a bond, an OVS port): in use, by whom. */
    ft_mk(root, "bond0");
    ft_ln(root, "../../../../../bond0",
          "bus/pci/devices/0000:08:00.2/net/eth3/master");
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert(f.v.eths[0].in_use);
    ck_assert_str_eq(f.v.eths[0].holder, "netdev eth3 enslaved to bond0");
    free(f.v.eths);

    /* Off but the netdev still there (a run that died before its
     * reload): not in effect, listed with the netdev. */
    sc.value = false;
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert_uint_eq(f.v.n_eths, 1);
    ck_assert(!f.v.eths[0].enabled && f.v.eths[0].unapplied);
    ck_assert_str_eq(f.v.eths[0].netdev, "eth3");
    free(f.v.eths);

    /* Off after the reload (no netdev), or no driverinit value: listed,
     * neither on nor waiting for a reload. */
    char net[160];
    snprintf(net, sizeof net, "%s/bus/pci/devices/0000:08:00.2/net", root);
    ft_rm(net);
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert_uint_eq(f.v.n_eths, 1);
    ck_assert(!f.v.eths[0].enabled && !f.v.eths[0].unapplied);
    ck_assert_str_eq(f.v.eths[0].netdev, "");
    free(f.v.eths);
    sc.has_value = false;
    sc.value = true;
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert(!f.v.eths[0].enabled);
    free(f.v.eths);

    /* Another refusal: listed with the reason and the kernel's text. */
    sc = (struct dl_script){.get_r = -EPERM};
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert_uint_eq(f.v.n_eths, 1);
    ck_assert_str_eq(f.v.eths[0].error,
                     "reading enable_eth of pci/0000:08:00.2: Operation not "
                     "permitted: get refused");
    free(f.v.eths);

    /* A management device that is no devlink handle: not asked. */
    spec_destroy(spec);
    spec = load("{\"driver\":\"vhost_vdpa\",\"mgmtdev\":\"vdpasim_net\"}");
    sc = (struct dl_script){0};
    fixture(&f, NULL, 0);
    ck_assert_int_eq(
        vdpa_eth_observe_with(&dl_ops, &sc, &io, spec, &f.host, &err), 0);
    ck_assert_uint_eq(sc.n_get, 0);
    ck_assert_uint_eq(f.v.n_eths, 0);
    spec_destroy(spec);
    ft_rm(root);
}
END_TEST

START_TEST(test_eth_apply)
{
    struct plan_step s = {.action = PLAN_VDPA_DISABLE_ETH, .pf = 0, .vf = 0};
    strcpy(s.vdpa.mgmtdev, "pci/0000:08:00.2");
    strcpy(s.vdpa.name, "oa-p0-vf0");
    strcpy(s.vdpa.netdev, "eth3");
    char msg[256], text[OA_ERR_FORMAT_MAX];
    struct oa_err err;

    /* false in driverinit (a bool: type and cmode), then one reload. */
    struct dl_script sc = {.has_value = true,
                           .value = true,
                           .performed =
                               1u << DEVLINK_RELOAD_ACTION_DRIVER_REINIT};
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err), 0);
    ck_assert_uint_eq(sc.n_set, 1);
    ck_assert(!sc.set_flag[0]);
    ck_assert_uint_eq(sc.set_type, DEVLINK_PARAM_BOOL);
    ck_assert_uint_eq(sc.set_cmode, DEVLINK_PARAM_CMODE_DRIVERINIT);
    ck_assert_str_eq(sc.name, "enable_eth");
    ck_assert_uint_eq(sc.n_reload, 1);
    ck_assert_str_eq(sc.asked, "pci/0000:08:00.2");
    ck_assert_str_eq(msg, "pci/0000:08:00.2 enable_eth false (driverinit), "
                          "reloaded: its netdev eth3 is gone");

    /* Off already while the function has its netdev: not in effect,
     * so the reload alone. */
    sc = (struct dl_script){.has_value = true, .value = false};
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err), 0);
    ck_assert_uint_eq(sc.n_get, 1);
    ck_assert_uint_eq(sc.n_set, 0);
    ck_assert_uint_eq(sc.n_reload, 1);
    ck_assert_str_eq(msg, "pci/0000:08:00.2 enable_eth false (driverinit "
                          "already), reloaded: its netdev eth3 is gone");

    /* Off already and no netdev: done, no set, no reload. */
    sc = (struct dl_script){.has_value = true, .value = false};
    s.vdpa.netdev[0] = '\0';
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err), 0);
    ck_assert_uint_eq(sc.n_get, 1);
    ck_assert_uint_eq(sc.n_set + sc.n_reload, 0);
    ck_assert_str_eq(
        msg,
        "unchanged: pci/0000:08:00.2 enable_eth already false (driverinit)");
    strcpy(s.vdpa.netdev, "eth3");

    /* The param gone (another driver bound since): an error with the
     * kernel's text, nothing set. */
    sc = (struct dl_script){.get_r = -EINVAL};
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err), -EINVAL);
    ck_assert_uint_eq(sc.n_set + sc.n_reload, 0);
    ck_assert_str_eq(err.extack, "get refused");

    /* The driver activated firmware too: said. */
    sc = (struct dl_script){.has_value = true,
                            .value = true,
                            .performed =
                                (1u << DEVLINK_RELOAD_ACTION_DRIVER_REINIT) |
                                (1u << DEVLINK_RELOAD_ACTION_FW_ACTIVATE)};
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err), 0);
    ck_assert_ptr_nonnull(strstr(msg, "with firmware activation"));

    /* The set refused: no reload, the kernel's text in the error. */
    sc = (struct dl_script){
        .has_value = true, .value = true, .set_r = {-EOPNOTSUPP, 0}};
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err),
        -EOPNOTSUPP);
    ck_assert_uint_eq(sc.n_reload, 0);
    ck_assert_str_eq(err.extack, "set refused");

    /* The reload refused: the value is put back to true (else it would
     * read as done), and the error carries the driver's reason. */
    sc = (struct dl_script){
        .has_value = true, .value = true, .reload_r = -EOPNOTSUPP};
    ck_assert_int_eq(
        vdpa_eth_apply_with(&dl_ops, &sc, &s, msg, sizeof msg, &err),
        -EOPNOTSUPP);
    ck_assert_uint_eq(sc.n_set, 2);
    ck_assert(!sc.set_flag[0] && sc.set_flag[1]);
    ck_assert_str_eq(err.extack, "reload refused by the driver");
    oa_err_format(&err, text, sizeof text);
    ck_assert_ptr_nonnull(strstr(text, "devlink dev reload pci/0000:08:00.2"));
    ck_assert_ptr_nonnull(strstr(text, "reload refused by the driver"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("plan-vdpa");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, test_create_and_bind);
    tcase_add_test(tc, test_converged_and_rebind);
    tcase_add_test(tc, test_recreate_only_ours);
    tcase_add_test(tc, test_delete_only_ours);
    tcase_add_test(tc, test_blockers);
    tcase_add_test(tc, test_pf_busy_waits);
    tcase_add_test(tc, test_record);
    tcase_add_test(tc, test_report_mode);
    tcase_add_test(tc, test_vqp_refused_not_recreated);
    tcase_add_test(tc, test_create_retries_without_vqp);
    tcase_add_test(tc, test_in_use_blocks);
    tcase_add_test(tc, test_disable_eth_before_new);
    tcase_add_test(tc, test_disable_eth_netdev_in_use);
    tcase_add_test(tc, test_disable_eth_unapplied);
    tcase_add_test(tc, test_disable_eth_unreadable);
    tcase_add_test(tc, test_disable_eth_once_per_mgmtdev);
    tcase_add_test(tc, test_eth_observe);
    tcase_add_test(tc, test_eth_apply);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
