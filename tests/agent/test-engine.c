/* engine_reconcile()'s rounds, from a table: each row scripts what the
 * host looks like at every observation (built in memory, planned by the
 * real planner) and what every apply returns, through struct engine_ops,
 * and says what the engine must make of it: rounds, convergence, the
 * VFs-first fallback, the loop breaker after a refusal, the round limit,
 * the error, and how often it looked at the host. */
#include <check.h>
#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "oa-common/str.h"
#include "hostio.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-check.h"

#define VSWITCHD_ID "boot-1:100:200"
#define DEVLINK     "netdevsim/netdevsim1"

/* ---- The spec: eth0 switchdev, 2 VFs with MACs, all in ovs-sriov ------- */

struct fx_spec {
    struct spec spec;
    struct spec_bridge bridge;
    struct spec_pf pf;
    struct spec_vf vfs[2];
    char pf_id[8], bridge_name[16];
};

static void
mac_of(uint8_t mac[6], unsigned vf)
{
    const uint8_t m[6] = {0x02, 0, 0, 0, 0, (uint8_t)(vf + 1)};
    memcpy(mac, m, 6);
}

static void
fx_spec_init(struct fx_spec *f)
{
    memset(f, 0, sizeof *f);
    strcpy(f->pf_id, "eth0");
    strcpy(f->bridge_name, "ovs-sriov");
    f->bridge.name = f->bridge_name;
    f->pf = (struct spec_pf){
        .key = SPEC_PF_BY_NETDEV,
        .id = f->pf_id,
        .eswitch = SPEC_ESWITCH_SWITCHDEV,
        .num_vfs = 2,
        .hw_tc_offload = true,
        .bridge = f->bridge_name,
        .attach_uplink = true,
        .vfs = f->vfs,
        .n_vfs = 2,
    };
    for (unsigned k = 0; k < 2; k++) {
        f->vfs[k] =
            (struct spec_vf){.index = k, .has_mac = true, .attach = true};
        mac_of(f->vfs[k].mac, k);
    }
    f->spec = (struct spec){
        .version = 1,
        .ovs = {.db = (char *)SPEC_DEFAULT_OVS_DB,
                .hw_offload = true,
                .tc_policy = SPEC_TC_POLICY_NONE},
        .bridges = &f->bridge,
        .n_bridges = 1,
        .pfs = &f->pf,
        .n_pfs = 1,
    };
}

/* ---- Observations, on the heap as obs_collect() makes them ------------- */

enum host_kind {
    H_END = 0,      /* the script ends: observing again is a failure */
    H_BLANK,        /* legacy, 0 VFs, OVS empty */
    H_VFS_LEGACY,   /* legacy, 2 VFs without MACs or representors */
    H_SWITCHDEV,    /* the kernel side done, OVS still empty */
    H_CONVERGED,    /* everything as the spec wants */
    H_PF_MISSING,   /* no netdev eth0 (a blocker), OVS as wanted */
    H_OBSERVE_FAILS /* observe itself fails (ENOMEM) */
};

static char *
xstrdup(const char *s)
{
    char *d = strdup(s);
    ck_assert_ptr_nonnull(d);
    return d;
}

static void *
xcalloc(size_t n, size_t size)
{
    void *p = calloc(n ? n : 1, size);
    ck_assert_ptr_nonnull(p);
    return p;
}

static void
kv(struct vsdb_kv *kv, const char *key, const char *value)
{
    kv->key = xstrdup(key);
    kv->value = xstrdup(value);
}

/* Bridge ovs-sriov (ours) with eth0, its representors and its local
 * port; the offload settings and the agent's record. */
static void
ovs_converged(struct vsdb_state *st)
{
    static const char *const ports[] = {"eth0", "eth0_0", "eth0_1",
                                        "ovs-sriov"};
    const size_t n = sizeof ports / sizeof ports[0];
    struct vsdb_bridge *br;

    st->bridges = br = xcalloc(1, sizeof *br);
    st->n_bridges = 1;
    br->name = xstrdup("ovs-sriov");
    br->owned = true;
    br->ports = xcalloc(n, sizeof *br->ports);
    br->n_ports = n;
    for (size_t p = 0; p < n; p++) {
        struct vsdb_port *port = &br->ports[p];
        port->name = xstrdup(ports[p]);
        port->owned = true;
        port->ifaces = xcalloc(1, sizeof *port->ifaces);
        port->n_ifaces = 1;
        port->ifaces[0].name = xstrdup(ports[p]);
        port->ifaces[0].type = xstrdup("");
        port->ifaces[0].ofport = (int64_t)p + 1;
        port->ifaces[0].owned = true;
    }
    st->other_config = xcalloc(2, sizeof *st->other_config);
    st->n_other_config = 2;
    kv(&st->other_config[0], VSDB_KEY_HW_OFFLOAD, "true");
    kv(&st->other_config[1], VSDB_KEY_TC_POLICY, "none");
    st->external_ids = xcalloc(2, sizeof *st->external_ids);
    st->n_external_ids = 2;
    kv(&st->external_ids[0], VSDB_RECORD_LATCHED,
       "hw-offload=true,tc-policy=none");
    kv(&st->external_ids[1], VSDB_RECORD_VSWITCHD, VSWITCHD_ID);
}

/* 'n' VFs; with representors (and MACs, hw-tc-offload) when
 * 'switchdev'. */
static void
pf_vfs(struct obs_pf *pf, unsigned n, bool switchdev)
{
    pf->eswitch_mode = switchdev ? DEVLINK_ESWITCH_MODE_SWITCHDEV
                                 : DEVLINK_ESWITCH_MODE_LEGACY;
    pf->num_vfs = n;
    pf->n_vfs = n;
    pf->vfs = n ? xcalloc(n, sizeof *pf->vfs) : NULL;
    pf->uplink_hw_tc_offload = switchdev ? OBS_YES : OBS_NO;
    for (unsigned k = 0; k < n; k++) {
        struct obs_vf *vf = &pf->vfs[k];
        vf->index = k;
        vf->has_info = true;
        vf->trust = vf->spoofchk = OBS_NO;
        if (switchdev) {
            mac_of(vf->mac, k);
            vf->has_rep = true;
            snprintf(vf->rep, sizeof vf->rep, "eth0_%u", k);
            vf->rep_ifindex = 100 + (int)k;
            vf->rep_hw_tc_offload = OBS_YES;
            vf->rep_up = OBS_YES;
            pf->n_reps++;
        }
    }
}

/* A new observation of kind 'kind' (not H_END / H_OBSERVE_FAILS). */
static struct obs_host *
host_new(enum host_kind kind)
{
    struct obs_host *host = xcalloc(1, sizeof *host);
    struct obs_pf *pf;

    host->switchdev_zero_vfs = OBS_YES; /* a 6.x kernel */
    snprintf(host->kernel_release, sizeof host->kernel_release, "6.1.0-test");
    host->pfs = pf = xcalloc(1, sizeof *pf);
    host->n_pfs = 1;
    host->ovs.connected = true;
    host->ovs.state = xcalloc(1, sizeof *host->ovs.state);
    host->ovs.state->ready = true;
    host->ovs.state->cur_cfg = host->ovs.state->next_cfg = 5;
    host->ovs.vswitchd_id = xstrdup(VSWITCHD_ID);

    if (kind == H_PF_MISSING) {
        snprintf(pf->error, sizeof pf->error, "no netdev eth0");
        ovs_converged(host->ovs.state);
        return host;
    }
    pf->found = true;
    snprintf(pf->netdev, sizeof pf->netdev, "eth0");
    pf->ifindex = 2;
    pf->has_devlink = true;
    snprintf(pf->devlink, sizeof pf->devlink, DEVLINK);
    pf->has_eswitch = true;
    pf->has_total_vfs = true;
    pf->total_vfs = 8;
    switch (kind) {
    case H_BLANK:
        pf_vfs(pf, 0, false);
        break;
    case H_VFS_LEGACY:
        pf_vfs(pf, 2, false);
        break;
    case H_SWITCHDEV:
        pf_vfs(pf, 2, true);
        break;
    case H_CONVERGED:
        pf_vfs(pf, 2, true);
        ovs_converged(host->ovs.state);
        break;
    default:
        ck_abort_msg("no host of kind %d", (int)kind);
    }
    return host;
}

/* ---- The script --------------------------------------------------------- */

/* What one apply returns. n_done -1: every step of the plan. */
struct outcome {
    int r;
    int n_done;
    bool refused_zero_vfs;
    const char *text, *extack;
};

#define MAX_SCRIPT 6

#define OK                       \
    {                            \
        0, -1, false, NULL, NULL \
    }
/* set-eswitch switchdev refused while the PF has 0 VFs (older mlx5). */
#define REFUSED_ZERO_VFS                              \
    {                                                 \
        -EOPNOTSUPP, 0, true, "set-eswitch " DEVLINK, \
            "Switchdev mode requires VFs"             \
    }
/* The first step went through, the second was refused. */
#define REFUSED_AFTER_PROGRESS                        \
    {                                                 \
        -EBUSY, 1, false, "set-numvfs " DEVLINK, NULL \
    }
/* The first step was refused. */
#define REFUSED_AT_ONCE                              \
    {                                                \
        -EIO, 0, false, "set-eswitch " DEVLINK, NULL \
    }

#define MSG_ZERO_VFS                                             \
    "set-eswitch " DEVLINK ": Operation not supported (kernel: " \
    "Switchdev mode requires VFs)"
#define MSG_PROGRESS "set-numvfs " DEVLINK ": Device or resource busy"
#define MSG_AT_ONCE  "set-eswitch " DEVLINK ": Input/output error"

struct row {
    const char *name;
    /* Given. */
    enum obs_tristate zero_vfs; /* *opts.switchdev_zero_vfs before */
    bool dry_run;
    unsigned max_rounds; /* 0: the default, 4 */
    int prepare_r;       /* what prepare returns */
    enum host_kind hosts[MAX_SCRIPT];
    struct outcome applies[MAX_SCRIPT];
    /* Expected. */
    int r;
    unsigned rounds;
    bool converged, fallback;
    const char *message; /* oa_err_format(res.err); "" when no error */
    unsigned n_observe, n_apply;
    const char *applied; /* the first action of each plan applied */
    enum obs_tristate zero_vfs_after;
    /* The final observation: its VF count (-1: none is kept). */
    int final_vfs;
};

static const struct row rows[] = {
    {.name = "converged at once: nothing applied",
     .hosts = {H_CONVERGED},
     .converged = true,
     .message = "",
     .n_observe = 1,
     .applied = "",
     .final_vfs = 2},
    {.name = "dry run: observed and planned, nothing applied",
     .dry_run = true,
     .hosts = {H_BLANK},
     .message = "",
     .n_observe = 1,
     .applied = "",
     .final_vfs = 0},
    {.name = "blank host: one round, then converged",
     .hosts = {H_BLANK, H_CONVERGED},
     .applies = {OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 2},
    {.name = "representors that appeared are attached the round after",
     .hosts = {H_BLANK, H_SWITCHDEV, H_CONVERGED},
     .applies = {OK, OK},
     .rounds = 2,
     .converged = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,add-bridge",
     .final_vfs = 2},
    {.name = "switchdev refused with 0 VFs: planned again VFs first",
     .hosts = {H_BLANK, H_BLANK, H_CONVERGED},
     .applies = {REFUSED_ZERO_VFS, OK},
     .rounds = 2,
     .converged = true,
     .fallback = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-numvfs",
     .zero_vfs_after = OBS_NO,
     .final_vfs = 2},
    {.name = "VFs first already known: the refusal ends it",
     .zero_vfs = OBS_NO,
     .hosts = {H_BLANK, H_BLANK},
     .applies = {REFUSED_ZERO_VFS},
     .r = -EOPNOTSUPP,
     .rounds = 1,
     .message = MSG_ZERO_VFS,
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-numvfs",
     .zero_vfs_after = OBS_NO,
     .final_vfs = 0},
    {.name = "refused again after the fallback: no second fallback",
     .hosts = {H_BLANK, H_BLANK, H_BLANK},
     .applies = {REFUSED_ZERO_VFS, REFUSED_ZERO_VFS},
     .r = -EOPNOTSUPP,
     .rounds = 2,
     .fallback = true,
     .message = MSG_ZERO_VFS,
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-numvfs",
     .zero_vfs_after = OBS_NO,
     .final_vfs = 0},
    {.name = "refusal after progress: planned again from the new state",
     .hosts = {H_BLANK, H_VFS_LEGACY, H_CONVERGED},
     .applies = {REFUSED_AFTER_PROGRESS, OK},
     .rounds = 2,
     .converged = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-eswitch",
     .final_vfs = 2},
    {.name = "loop breaker: the refused plan is not applied again",
     .hosts = {H_BLANK, H_BLANK},
     .applies = {REFUSED_AFTER_PROGRESS},
     .r = -EBUSY,
     .rounds = 1,
     .message = MSG_PROGRESS,
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 0},
    {.name = "refusal after progress, then rounds run out: it is the reason",
     .max_rounds = 2,
     .hosts = {H_BLANK, H_VFS_LEGACY, H_VFS_LEGACY},
     .applies = {REFUSED_AFTER_PROGRESS, OK},
     .r = -EBUSY,
     .rounds = 2,
     .message = MSG_PROGRESS,
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-eswitch",
     .final_vfs = 2},
    /* The last round's refusal is the outcome, also when the look
     * after it finds nothing left to do. */
    {.name = "refusal after progress in the last round ends it",
     .max_rounds = 1,
     .hosts = {H_BLANK, H_CONVERGED},
     .applies = {REFUSED_AFTER_PROGRESS},
     .r = -EBUSY,
     .rounds = 1,
     .message = MSG_PROGRESS,
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 2},
    {.name = "refusal without progress: observed once more, then ends",
     .hosts = {H_BLANK, H_VFS_LEGACY},
     .applies = {REFUSED_AT_ONCE},
     .r = -EIO,
     .rounds = 1,
     .message = MSG_AT_ONCE,
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 2},
    {.name = "round limit: applies that change nothing stop after max",
     .max_rounds = 2,
     .hosts = {H_BLANK, H_BLANK, H_BLANK},
     .applies = {OK, OK},
     .r = -EAGAIN,
     .rounds = 2,
     /* 16, and set-link-up of the 2 representors once they appear. */
     .message = "not converged after 2 rounds: 18 steps left, first: "
                "set-eswitch " DEVLINK,
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-eswitch",
     .final_vfs = 0},
    {.name = "a blocker and no step: nothing applied, it is the reason",
     .hosts = {H_PF_MISSING},
     .r = -EAGAIN,
     .message = "eth0: no netdev eth0",
     .n_observe = 1,
     .applied = "",
     .final_vfs = 0},
    {.name = "observing fails: no result, the error says so",
     .hosts = {H_OBSERVE_FAILS},
     .r = -ENOMEM,
     .message = "observing the host: allocating the observation: Cannot "
                "allocate memory",
     .n_observe = 1,
     .applied = "",
     .final_vfs = -1},
    {.name = "observing fails after a refusal: the refusal is kept",
     .hosts = {H_BLANK, H_OBSERVE_FAILS},
     .applies = {REFUSED_AT_ONCE},
     .r = -EIO,
     .rounds = 1,
     .message = MSG_AT_ONCE,
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = -1},
    {.name = "prepare fails: the host is not observed",
     .prepare_r = -ECONNREFUSED,
     .r = -ECONNREFUSED,
     .message =
         "cannot use OVSDB remote " SPEC_DEFAULT_OVS_DB ": Connection refused",
     .applied = "",
     .final_vfs = -1},
};

/* The fake host: plays one row. */
struct player {
    const struct row *row;
    unsigned n_observe, n_apply;
    char applied[256];
};

static int
fake_prepare(void *aux, const struct spec *spec, struct oa_err *err)
{
    struct player *p = aux;
    if (p->row->prepare_r) {
        return oa_err_set_errno(err, p->row->prepare_r,
                                "cannot use OVSDB remote %s", spec->ovs.db);
    }
    return 0;
}

static int
fake_observe(void *aux, const struct spec *spec, long long ovs_timeout_ms,
             struct obs_host **out, struct oa_err *err)
{
    struct player *p = aux;
    (void)spec;
    ck_assert_int_gt(ovs_timeout_ms, 0);
    ck_assert_msg(
        p->n_observe < MAX_SCRIPT && p->row->hosts[p->n_observe] != H_END,
        "observed %u times: more than the script has", p->n_observe + 1);
    enum host_kind kind = p->row->hosts[p->n_observe++];
    *out = NULL;
    if (kind == H_OBSERVE_FAILS) {
        return oa_err_set_errno(err, -ENOMEM, "allocating the observation");
    }
    *out = host_new(kind);
    return 0;
}

static int
fake_apply(void *aux, const struct spec *spec, const struct obs_host *host,
           const struct plan *plan, const struct apply_opts *opts,
           struct apply_result *res)
{
    struct player *p = aux;
    (void)spec;
    (void)host;
    (void)opts;
    const struct outcome *o =
        p->n_apply < MAX_SCRIPT ? &p->row->applies[p->n_apply] : NULL;
    ck_assert_msg(o && (o->r || o->n_done), /* a zeroed outcome ends it */
                  "applied %u times: more than the script has",
                  p->n_apply + 1);
    p->n_apply++;
    ck_assert_uint_gt(plan->n_steps, 0); /* nothing to do is not applied */
    if (p->applied[0]) {
        strcat(p->applied, ",");
    }
    strcat(p->applied, plan_action_name(plan->steps[0].action));

    memset(res, 0, sizeof *res);
    res->failed_step = -1;
    res->n_done = o->n_done < 0 ? plan->n_steps : (size_t)o->n_done;
    if (o->r < 0) {
        res->failed_step = (int)res->n_done;
        res->switchdev_refused_zero_vfs = o->refused_zero_vfs;
        /* As apply_run() words it: "<action> <object>: <errno text>",
         * and the kernel's extack. */
        oa_err_set_errno(&res->err, o->r, "%s", o->text);
        oa_copy_str(res->err.extack, sizeof res->err.extack, o->extack);
    }
    return o->r;
}

START_TEST(test_engine_rounds)
{
    const struct row *row = &rows[_i];
    struct fx_spec f;
    struct player p = {.row = row};
    const struct engine_ops ops = {
        .prepare = fake_prepare,
        .observe = fake_observe,
        .apply = fake_apply,
        .aux = &p,
    };
    enum obs_tristate zero_vfs = row->zero_vfs;
    struct engine_opts opts = {
        .dry_run = row->dry_run,
        .max_rounds = row->max_rounds,
        .switchdev_zero_vfs = &zero_vfs,
        .ops = &ops,
    };
    struct engine_result res;
    char message[OA_ERR_FORMAT_MAX] = "";

    fx_spec_init(&f);
    int r = engine_reconcile(NULL, &f.spec, &opts, &res);
    if (res.err.code) {
        oa_err_format(&res.err, message, sizeof message);
    }
    ck_assert_msg(r == row->r, "%s: returned %d, want %d (%s)", row->name, r,
                  row->r, message);
    ck_assert_int_eq(res.err.code, r);
    ck_assert_msg(!strcmp(message, row->message), "%s: message \"%s\"",
                  row->name, message);
    ck_assert_msg(res.rounds == row->rounds, "%s: %u rounds", row->name,
                  res.rounds);
    ck_assert_msg(res.converged == row->converged, "%s: converged %d",
                  row->name, res.converged);
    ck_assert_msg(res.fallback_used == row->fallback, "%s: fallback %d",
                  row->name, res.fallback_used);
    ck_assert_msg(p.n_observe == row->n_observe, "%s: observed %u times",
                  row->name, p.n_observe);
    ck_assert_msg(p.n_apply == row->n_apply, "%s: applied %u times", row->name,
                  p.n_apply);
    ck_assert_msg(!strcmp(p.applied, row->applied), "%s: applied \"%s\"",
                  row->name, p.applied);
    ck_assert_msg(zero_vfs == row->zero_vfs_after,
                  "%s: switchdev_zero_vfs %d after", row->name, zero_vfs);
    if (row->final_vfs < 0) {
        ck_assert_ptr_null(res.host);
        ck_assert_ptr_null(res.plan);
    } else {
        ck_assert_msg(res.host && res.plan, "%s: no final observation",
                      row->name);
        ck_assert_uint_eq(res.host->pfs[0].num_vfs, (unsigned)row->final_vfs);
        ck_assert(!row->converged || plan_is_converged(res.plan));
    }
    ck_assert_int_ge(res.elapsed_ms, 0);
    engine_result_clear(&res);
    ck_assert_ptr_null(res.host);
}
END_TEST

/* The default operations are the real host's. */
START_TEST(test_hostio_ops_by_default)
{
    struct hostio io = {0};
    struct engine_ops ops = engine_ops_hostio(&io);
    ck_assert_ptr_eq(ops.aux, &io);
    ck_assert_ptr_nonnull(ops.prepare);
    ck_assert_ptr_nonnull(ops.observe);
    ck_assert_ptr_nonnull(ops.apply);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("engine");
    TCase *tc = tcase_create("rounds");
    tcase_add_loop_test(tc, test_engine_rounds, 0,
                        (int)(sizeof rows / sizeof rows[0]));
    tcase_add_test(tc, test_hostio_ops_by_default);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
