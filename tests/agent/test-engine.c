/* engine_reconcile()'s rounds, from a table: each row scripts what the
 * host looks like at every observation (built in memory, planned by the
 * real planner) and what every apply returns, through struct engine_ops,
 * and says what the engine must make of it: rounds, convergence, the
 * eswitch order per PF (learned, taken first, the fallback both ways and
 * what was learned after), the loop breaker after a refusal, the round
 * limit, the error, and how often it looked at the host. */
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
#include "order.h"
#include "pfpin.h"
#include "plan.h"
#include "stats.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-check.h"

#define VSWITCHD_ID "boot-1:100:200"
#define DEVLINK     "netdevsim/netdevsim1"
#define FIRMWARE    "10.20.30" /* every PF's, as devlink info says */

/* ---- The spec: eth0 (and eth1) switchdev, 2 VFs with MACs, all in
 * ovs-sriov ------------------------------------------------------------ */

#define MAX_PFS 2

struct fx_spec {
    struct spec spec;
    struct spec_bridge bridge;
    struct spec_pf pfs[MAX_PFS];
    struct spec_vf vfs[MAX_PFS][2];
    char pf_id[MAX_PFS][8], bridge_name[16];
};

static void
mac_of(uint8_t mac[6], unsigned pf, unsigned vf)
{
    const uint8_t m[6] = {0x02, 0, 0, 0, (uint8_t)pf, (uint8_t)(vf + 1)};
    memcpy(mac, m, 6);
}

static void
fx_spec_init(struct fx_spec *f, size_t n_pfs)
{
    memset(f, 0, sizeof *f);
    strcpy(f->bridge_name, "ovs-sriov");
    f->bridge.name = f->bridge_name;
    for (unsigned i = 0; i < n_pfs; i++) {
        snprintf(f->pf_id[i], sizeof f->pf_id[i], "eth%u", i);
        f->pfs[i] = (struct spec_pf){
            .key = SPEC_PF_BY_NETDEV,
            .id = f->pf_id[i],
            .eswitch = SPEC_ESWITCH_SWITCHDEV,
            .num_vfs = 2,
            .hw_tc_offload = true,
            .bridge = f->bridge_name,
            .attach_uplink = true,
            .vfs = f->vfs[i],
            .n_vfs = 2,
        };
        for (unsigned k = 0; k < 2; k++) {
            f->vfs[i][k] =
                (struct spec_vf){.index = k, .has_mac = true, .attach = true};
            mac_of(f->vfs[i][k].mac, i, k);
        }
    }
    f->spec = (struct spec){
        .version = 1,
        .ovs = {.db = (char *)SPEC_DEFAULT_OVS_DB,
                .hw_offload = true,
                .tc_policy = SPEC_TC_POLICY_NONE},
        .bridges = &f->bridge,
        .n_bridges = 1,
        .pfs = f->pfs,
        .n_pfs = n_pfs,
    };
}

/* ---- Observations, on the heap as obs_collect() makes them ------------- */

enum host_kind {
    H_END = 0,        /* the script ends: observing again is a failure */
    H_BLANK,          /* legacy, 0 VFs, OVS empty */
    H_VFS_LEGACY,     /* legacy, 2 VFs without MACs or representors */
    H_SWITCHDEV,      /* the kernel side done, OVS still empty */
    H_CONVERGED,      /* everything as the spec wants */
    H_PF_MISSING,     /* no netdev eth0 (a blocker), OVS as wanted */
    H_OBSERVE_FAILS,  /* observe itself fails (ENOMEM) */
    H_SWITCHDEV0,     /* switchdev, 0 VFs */
    H_BLANK_MORE,     /* H_BLANK, but the device has 16 VFs, not 8 */
    H_VFS_LEGACY_OVS, /* H_VFS_LEGACY, OVS with the bridge and uplink */
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

/* Bridge ovs-sriov (ours) with each PF's uplink, the representors of
 * the PFs whose kind is H_CONVERGED (or H_PF_MISSING: as they were) and
 * its local port; the offload settings and the agent's record. */
static void
ovs_converged(struct vsdb_state *st, const enum host_kind *kinds, size_t n_pfs)
{
    char ports[3 * MAX_PFS + 1][16];
    char keys[3 * MAX_PFS + 1][64] = {{0}}; /* offload-agent-port */
    size_t n = 0;
    struct vsdb_bridge *br;

    for (size_t i = 0; i < n_pfs; i++) {
        unsigned id = (unsigned)(i + 1) % 100;
        snprintf(keys[n], sizeof keys[0], "netdevsim/netdevsim%u/uplink", id);
        snprintf(ports[n++], sizeof ports[0], "eth%u", id - 1);
        if (kinds[i] == H_CONVERGED || kinds[i] == H_PF_MISSING) {
            for (unsigned k = 0; k < 2; k++) {
                snprintf(keys[n], sizeof keys[0], "netdevsim/netdevsim%u/vf%u",
                         id, k);
                snprintf(ports[n++], sizeof ports[0], "eth%u_%u", id - 1, k);
            }
        }
    }
    snprintf(ports[n++], sizeof ports[0], "ovs-sriov");
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
        port->key = keys[p][0] ? xstrdup(keys[p]) : NULL;
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
pf_vfs(struct obs_pf *pf, unsigned i, unsigned n, bool switchdev)
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
            mac_of(vf->mac, i, k);
            vf->has_rep = true;
            snprintf(vf->rep, sizeof vf->rep, "eth%u_%u", i, k);
            vf->rep_ifindex = 100 * (int)(i + 1) + (int)k;
            vf->rep_hw_tc_offload = OBS_YES;
            vf->rep_up = OBS_YES;
            pf->n_reps++;
        }
    }
}

/* PF 'i' of kind 'kind'. */
static void
pf_new(struct obs_pf *pf, unsigned i, enum host_kind kind)
{
    if (kind == H_PF_MISSING) {
        snprintf(pf->error, sizeof pf->error, "no netdev eth%u", i);
        return;
    }
    pf->found = true;
    snprintf(pf->netdev, sizeof pf->netdev, "eth%u", i);
    pf->ifindex = 2 + (int)i;
    pf->has_devlink = true;
    snprintf(pf->devlink, sizeof pf->devlink, "netdevsim/netdevsim%u", i + 1);
    snprintf(pf->bus, sizeof pf->bus, "netdevsim");
    snprintf(pf->dev_name, sizeof pf->dev_name, "netdevsim%u", i + 1);
    snprintf(pf->driver, sizeof pf->driver, "netdevsim");
    snprintf(pf->firmware, sizeof pf->firmware, FIRMWARE);
    pf->has_eswitch = true;
    pf->has_total_vfs = true;
    pf->total_vfs = kind == H_BLANK_MORE ? 16 : 8;
    switch (kind) {
    case H_BLANK:
    case H_BLANK_MORE:
        pf_vfs(pf, i, 0, false);
        break;
    case H_VFS_LEGACY:
    case H_VFS_LEGACY_OVS:
        pf_vfs(pf, i, 2, false);
        break;
    case H_SWITCHDEV0:
        pf_vfs(pf, i, 0, true);
        break;
    case H_SWITCHDEV:
    case H_CONVERGED:
        pf_vfs(pf, i, 2, true);
        break;
    default:
        ck_abort_msg("no host of kind %d", (int)kind);
    }
}

/* A new observation: PF i of kind kinds[i] (not H_END /
 * H_OBSERVE_FAILS). OVS has the bridge when a PF is H_CONVERGED or
 * H_PF_MISSING (ovs_converged()), else nothing. */
static struct obs_host *
host_new(const enum host_kind *kinds, size_t n_pfs)
{
    struct obs_host *host = xcalloc(1, sizeof *host);
    bool ovs = false;

    snprintf(host->kernel_release, sizeof host->kernel_release, "6.1.0-test");
    host->pfs = xcalloc(n_pfs, sizeof *host->pfs);
    host->n_pfs = n_pfs;
    host->ovs.connected = true;
    host->ovs.state = xcalloc(1, sizeof *host->ovs.state);
    host->ovs.state->ready = true;
    host->ovs.state->cur_cfg = host->ovs.state->next_cfg = 5;
    host->ovs.vswitchd_id = xstrdup(VSWITCHD_ID);
    for (unsigned i = 0; i < n_pfs; i++) {
        pf_new(&host->pfs[i], i, kinds[i]);
        ovs = ovs || kinds[i] == H_CONVERGED || kinds[i] == H_PF_MISSING ||
              kinds[i] == H_VFS_LEGACY_OVS;
    }
    if (ovs) {
        ovs_converged(host->ovs.state, kinds, n_pfs);
    }
    return host;
}

/* ---- The script --------------------------------------------------------- */

/* What one apply returns. n_done -1: every step of the plan. With
 * 'refuse', as apply_run() does it: the first 'refuse' step of PF
 * 'refuse_pf' is refused, that PF's later kernel steps and the ports of
 * representors not there yet are skipped, every other step is done. */
struct outcome {
    int r;
    int n_done;
    int switchdev; /* a refused switchdev: SW_ZERO_VFS or SW_WITH_VFS */
    const char *text, *extack;
    const char *refuse;
    int refuse_pf;
};

/* A refused set-eswitch switchdev, as apply reads the PF's VF count:
 * with 0 VFs (the switchdev-first order), or with VFs (vfs-first). */
enum { SW_NO = 0, SW_ZERO_VFS, SW_WITH_VFS };

#define MAX_SCRIPT 6

#define OK                                                      \
    {                                                           \
        .r = 0, .n_done = -1, .switchdev = SW_NO, .text = NULL, \
        .extack = NULL                                          \
    }
/* set-eswitch switchdev refused while the PF has 0 VFs (older mlx5). */
#define REFUSED_ZERO_VFS                                         \
    {                                                            \
        .r = -EOPNOTSUPP, .n_done = 0, .switchdev = SW_ZERO_VFS, \
        .text = "set-eswitch " DEVLINK,                          \
        .extack = "Switchdev mode requires VFs"                  \
    }
/* The vfs-first order: set-numvfs went through, switchdev was refused
 * with the VFs there (some ConnectX firmware). */
#define REFUSED_WITH_VFS                                         \
    {                                                            \
        .r = -EOPNOTSUPP, .n_done = 1, .switchdev = SW_WITH_VFS, \
        .text = "set-eswitch " DEVLINK,                          \
        .extack = "Set sriov_numvfs to 0 first"                  \
    }
/* The same, when nothing before it was done. */
#define REFUSED_WITH_VFS_AT_ONCE                                 \
    {                                                            \
        .r = -EOPNOTSUPP, .n_done = 0, .switchdev = SW_WITH_VFS, \
        .text = "set-eswitch " DEVLINK,                          \
        .extack = "Set sriov_numvfs to 0 first"                  \
    }
/* The first step went through, the second was refused. */
#define REFUSED_AFTER_PROGRESS                        \
    {                                                 \
        .r = -EBUSY, .n_done = 1, .switchdev = SW_NO, \
        .text = "set-numvfs " DEVLINK, .extack = NULL \
    }
/* The daemon cancelled the run after its first step (SIGTERM, a new
 * spec): no refusal, no fallback, no look after it. */
#define CANCELLED_AFTER_PROGRESS                          \
    {                                                     \
        .r = -ECANCELED, .n_done = 1, .switchdev = SW_NO, \
        .text = "set-numvfs " DEVLINK, .extack = NULL     \
    }
/* The first step was refused. */
#define REFUSED_AT_ONCE                                \
    {                                                  \
        .r = -EIO, .n_done = 0, .switchdev = SW_NO,    \
        .text = "set-eswitch " DEVLINK, .extack = NULL \
    }

/* eth1's first set-numvfs refused (more VFs than the device has). */
#define REFUSED_ETH1_NUMVFS                                              \
    {                                                                    \
        .r = -EINVAL, .n_done = 0, .switchdev = SW_NO, .text = NULL,     \
        .extack = "too many VFs", .refuse = "set-numvfs", .refuse_pf = 1 \
    }
/* eth1's switchdev refused with 0 VFs; eth0 goes through. */
#define REFUSED_ETH1_ZERO_VFS                                    \
    {                                                            \
        .r = -EOPNOTSUPP, .n_done = 0, .switchdev = SW_ZERO_VFS, \
        .text = NULL, .extack = "Switchdev mode requires VFs",   \
        .refuse = "set-eswitch", .refuse_pf = 1                  \
    }
#define DEVLINK1 "netdevsim/netdevsim2"
#define MSG_ETH1 \
    "set-numvfs " DEVLINK1 ": Invalid argument (kernel: too many VFs)"
/* The final plan's blocker for it, "object: message". */
#define BLOCKER_ETH1                                                \
    DEVLINK1 ": set-numvfs " DEVLINK1 " refused: Invalid argument " \
             "(kernel: too many VFs)"

#define BLOCKER_WITH_VFS                                                  \
    DEVLINK ": set-eswitch " DEVLINK " refused: Operation not supported " \
            "(kernel: Set sriov_numvfs to 0 first)"
/* The eswitch is busy (offloaded flows): not now, rather than no. */
#define REFUSED_BUSY                                                 \
    {                                                                \
        .r = -EBUSY, .n_done = 0, .switchdev = SW_NO,                \
        .text = "set-eswitch " DEVLINK, .extack = "E-Switch is busy" \
    }

/* The same, refused because the eswitch is busy: not the order's fault. */
#define REFUSED_BUSY_ZERO_VFS                                        \
    {                                                                \
        .r = -EBUSY, .n_done = 0, .switchdev = SW_ZERO_VFS,          \
        .text = "set-eswitch " DEVLINK, .extack = "E-Switch is busy" \
    }

#define MSG_ZERO_VFS                                             \
    "set-eswitch " DEVLINK ": Operation not supported (kernel: " \
    "Switchdev mode requires VFs)"
#define MSG_WITH_VFS                                             \
    "set-eswitch " DEVLINK ": Operation not supported (kernel: " \
    "Set sriov_numvfs to 0 first)"
#define MSG_PROGRESS "set-numvfs " DEVLINK ": Device or resource busy"
#define MSG_AT_ONCE  "set-eswitch " DEVLINK ": Input/output error"

struct row {
    const char *name;
    /* Given. */
    /* The order learned of every PF's device before ("switchdev-first",
     * "vfs-first"; NULL: none), for firmware 'learned_fw' (NULL: the
     * device's own, FIRMWARE). */
    const char *learned, *learned_fw;
    bool dry_run;
    unsigned max_rounds; /* 0: the default, 4 */
    int prepare_r;       /* what prepare returns */
    enum host_kind hosts[MAX_SCRIPT];
    /* A second PF, eth1, in the spec and every observation; H_END at
     * [0]: only eth0. */
    enum host_kind hosts1[MAX_SCRIPT];
    struct outcome applies[MAX_SCRIPT];
    /* Reconciles run one after another with the same memory of refusals
     * and learned orders, as the daemon does (0: 1). The expectations
     * are of the last; n_observe, n_apply and applied count all. */
    unsigned reconciles;
    /* Before this reconcile (1 and up), the refusals are forgotten, as
     * the daemon does when the spec changes. 0: never. */
    unsigned forget_before;
    /* Expected. */
    int r;
    unsigned rounds;
    bool converged, fallback;
    const char *message; /* oa_err_format(res.err); "" when no error */
    unsigned n_observe, n_apply;
    const char *applied; /* the first action of each plan applied */
    /* What the learned orders say of eth0 and eth1 after (NULL: no entry
     * for the device's firmware), and how many the last reconcile
     * changed. */
    const char *learned_after, *learned_after1;
    size_t orders_changed;
    /* The final observation's order of eth0 and eth1, "ORDER SOURCE"
     * ("vfs-first fallback"); NULL: not checked. */
    const char *order_after, *order_after1;
    /* The final observation: its VF count (-1: none is kept). */
    int final_vfs;
    /* A blocker of the final plan, "object: message"; NULL: none says
     * "refused". */
    const char *blocker;
};

#define SF "switchdev-first"
#define VF "vfs-first"

static const struct row rows[] = {
    {.name = "converged at once: nothing applied, nothing learned",
     .hosts = {H_CONVERGED},
     .converged = true,
     .message = "",
     .n_observe = 1,
     .applied = "",
     .final_vfs = 2,
     .order_after = SF " default"},
    {.name = "dry run: observed and planned, nothing applied",
     .dry_run = true,
     .hosts = {H_BLANK},
     .message = "",
     .n_observe = 1,
     .applied = "",
     .final_vfs = 0},
    {.name = "blank host: switchdev-first, one round, converged, learned",
     .hosts = {H_BLANK, H_CONVERGED},
     .applies = {OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1,
     .order_after = SF " learned"},
    {.name = "representors that appeared are attached the round after",
     .hosts = {H_BLANK, H_SWITCHDEV, H_CONVERGED},
     .applies = {OK, OK},
     .rounds = 2,
     .converged = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,add-bridge",
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1},
    {.name = "switchdev refused with 0 VFs: planned again VFs first, learned",
     .hosts = {H_BLANK, H_BLANK, H_CONVERGED},
     .applies = {REFUSED_ZERO_VFS, OK},
     .rounds = 2,
     .converged = true,
     .fallback = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-numvfs",
     .final_vfs = 2,
     .learned_after = VF,
     .orders_changed = 1,
     .order_after = VF " fallback"},
    {.name = "vfs-first learned: taken first, nothing refused",
     .learned = VF,
     .hosts = {H_BLANK, H_CONVERGED},
     .applies = {OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-numvfs",
     .final_vfs = 2,
     .learned_after = VF,
     .order_after = VF " learned"},
    {.name = "vfs-first learned, switchdev refused with VFs: switchdev-first "
             "through 0 VFs, the entry replaced",
     .learned = VF,
     .hosts = {H_BLANK, H_VFS_LEGACY, H_CONVERGED},
     .applies = {REFUSED_WITH_VFS, OK},
     .rounds = 2,
     .converged = true,
     .fallback = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     /* The second plan starts at set-numvfs 2 -> 0. */
     .applied = "set-numvfs,set-numvfs",
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1,
     .order_after = SF " fallback"},
    {.name = "learned for other firmware: not taken, relearned",
     .learned = VF,
     .learned_fw = "10.20.29",
     .hosts = {H_BLANK, H_CONVERGED},
     .applies = {OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1,
     .order_after = SF " learned"},
    /* Switchdev-first refused with 0 VFs, vfs-first with VFs: a refusal
     * like any other, remembered, not a third try. */
    {.name = "both orders refused: a blocker, no ping-pong",
     .hosts = {H_BLANK, H_BLANK, H_VFS_LEGACY_OVS, H_VFS_LEGACY_OVS},
     .applies = {REFUSED_ZERO_VFS, REFUSED_WITH_VFS, REFUSED_WITH_VFS_AT_ONCE},
     .r = -EOPNOTSUPP,
     .rounds = 3,
     .fallback = true,
     .message = MSG_WITH_VFS,
     .n_observe = 4,
     .n_apply = 3,
     /* The uplink leaves OVS before the eswitch changes. */
     .applied = "set-eswitch,set-numvfs,detach-port",
     .final_vfs = 2,
     .blocker = BLOCKER_WITH_VFS,
     .order_after = VF " fallback"},
    {.name = "both orders refused, the next reconcile: blocked in the "
             "default order too, nothing applied",
     .reconciles = 2,
     .hosts = {H_BLANK, H_BLANK, H_VFS_LEGACY_OVS, H_VFS_LEGACY_OVS,
               H_VFS_LEGACY_OVS},
     .applies = {REFUSED_ZERO_VFS, REFUSED_WITH_VFS, REFUSED_WITH_VFS_AT_ONCE},
     .r = -EAGAIN,
     .message = BLOCKER_WITH_VFS,
     .n_observe = 5,
     .n_apply = 3,
     /* The uplink leaves OVS before the eswitch changes. */
     .applied = "set-eswitch,set-numvfs,detach-port",
     .final_vfs = 2,
     .blocker = BLOCKER_WITH_VFS,
     .order_after = SF " default"},
    {.name = "two PFs, eth1's switchdev refused with 0 VFs: eth1 alone "
             "falls back, eth0 stays switchdev-first",
     .hosts = {H_BLANK, H_CONVERGED, H_CONVERGED},
     .hosts1 = {H_BLANK, H_BLANK, H_CONVERGED},
     .applies = {REFUSED_ETH1_ZERO_VFS, OK},
     .rounds = 2,
     .converged = true,
     .fallback = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     /* eth1's uplink leaves OVS before its eswitch changes. */
     .applied = "set-eswitch,detach-port",
     .final_vfs = 2,
     .learned_after = SF,
     .learned_after1 = VF,
     .orders_changed = 2,
     .order_after = SF " learned",
     .order_after1 = VF " fallback"},
    {.name = "switchdev busy (EBUSY) with 0 VFs: no fallback",
     .hosts = {H_BLANK, H_BLANK},
     .applies = {REFUSED_BUSY_ZERO_VFS},
     .r = -EBUSY,
     .rounds = 1,
     .message = "set-eswitch " DEVLINK ": Device or resource busy (kernel: "
                "E-Switch is busy)",
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = 0,
     .order_after = SF " default"},
    {.name = "refusal after progress: planned again from the new state",
     .hosts = {H_BLANK, H_VFS_LEGACY, H_CONVERGED},
     .applies = {REFUSED_AFTER_PROGRESS, OK},
     .rounds = 2,
     .converged = true,
     .message = "",
     .n_observe = 3,
     .n_apply = 2,
     /* Legacy with VFs, switchdev-first: through 0 VFs. */
     .applied = "set-eswitch,set-numvfs",
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1},
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
     .applied = "set-eswitch,set-numvfs",
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
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1},
    {.name = "cancelled after progress: ends at once, not planned again "
             "nor observed",
     .hosts = {H_BLANK, H_VFS_LEGACY},
     .applies = {CANCELLED_AFTER_PROGRESS},
     .r = -ECANCELED,
     .rounds = 1,
     .message = "set-numvfs " DEVLINK ": Operation canceled",
     .n_observe = 1,
     .n_apply = 1,
     .applied = "set-eswitch",
     .final_vfs = -1},
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
    {.name = "two PFs, eth1 refused: eth0 and OVS converge, the refusal "
             "is a blocker and not applied again",
     .learned = VF,
     .hosts = {H_BLANK, H_CONVERGED},
     .hosts1 = {H_BLANK, H_BLANK},
     .applies = {REFUSED_ETH1_NUMVFS},
     .r = -EINVAL,
     .rounds = 1,
     .message = MSG_ETH1,
     .n_observe = 2,
     .n_apply = 1,
     .applied = "set-numvfs",
     .final_vfs = 2,
     .blocker = BLOCKER_ETH1,
     .learned_after = VF,
     .learned_after1 = VF},
    {.name = "switchdev first: eth1 refused after its own progress is "
             "tried once more from there, then a blocker",
     .hosts = {H_BLANK, H_CONVERGED, H_CONVERGED},
     .hosts1 = {H_BLANK, H_SWITCHDEV0, H_SWITCHDEV0},
     .applies = {REFUSED_ETH1_NUMVFS, REFUSED_ETH1_NUMVFS},
     .r = -EINVAL,
     .rounds = 2,
     .message = MSG_ETH1,
     .n_observe = 3,
     .n_apply = 2,
     .applied = "set-eswitch,set-numvfs",
     .final_vfs = 2,
     .blocker = BLOCKER_ETH1,
     .learned_after = SF,
     .learned_after1 = SF,
     .orders_changed = 2},
    {.name = "the next reconcile: the refused step is a blocker, nothing "
             "applied (blocked, not failed)",
     .learned = VF,
     .reconciles = 2,
     .hosts = {H_BLANK, H_CONVERGED, H_CONVERGED},
     .hosts1 = {H_BLANK, H_BLANK, H_BLANK},
     .applies = {REFUSED_ETH1_NUMVFS},
     .r = -EAGAIN,
     .message = DEVLINK1 ": set-numvfs " DEVLINK1 " refused: Invalid "
                         "argument (kernel: too many VFs)",
     .n_observe = 3,
     .n_apply = 1,
     .applied = "set-numvfs",
     .final_vfs = 2,
     .blocker = BLOCKER_ETH1,
     .learned_after = VF,
     .learned_after1 = VF},
    {.name = "the refused PF changed on the host: its step is tried again",
     .learned = VF,
     .reconciles = 2,
     .hosts = {H_BLANK, H_CONVERGED, H_CONVERGED, H_CONVERGED},
     .hosts1 = {H_BLANK, H_BLANK, H_BLANK_MORE, H_CONVERGED},
     .applies = {REFUSED_ETH1_NUMVFS, OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 4,
     .n_apply = 2,
     /* eth1's uplink leaves OVS before its eswitch changes. */
     .applied = "set-numvfs,detach-port",
     .final_vfs = 2,
     .learned_after = VF,
     .learned_after1 = VF},
    {.name = "busy (EBUSY) is not remembered: the next reconcile tries "
             "again",
     .reconciles = 2,
     .hosts = {H_BLANK, H_BLANK, H_BLANK, H_CONVERGED},
     .applies = {REFUSED_BUSY, OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 4,
     .n_apply = 2,
     .applied = "set-eswitch,set-eswitch",
     .final_vfs = 2,
     .learned_after = SF,
     .orders_changed = 1},
    {.name = "the spec changed (refusals forgotten): tried again",
     .learned = VF,
     .reconciles = 2,
     .forget_before = 1,
     .hosts = {H_BLANK, H_CONVERGED, H_CONVERGED, H_CONVERGED},
     .hosts1 = {H_BLANK, H_BLANK, H_BLANK, H_CONVERGED},
     .applies = {REFUSED_ETH1_NUMVFS, OK},
     .rounds = 1,
     .converged = true,
     .message = "",
     .n_observe = 4,
     .n_apply = 2,
     /* eth1's uplink leaves OVS before its eswitch changes. */
     .applied = "set-numvfs,detach-port",
     .final_vfs = 2,
     .learned_after = VF,
     .learned_after1 = VF},
};

/* The fake host: plays one row. */
struct player {
    const struct row *row;
    const struct pfpin_store *pins; /* what every observe must be given */
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
fake_observe(void *aux, const struct spec *spec,
             const struct pfpin_store *pins, long long ovs_timeout_ms,
             struct obs_host **out, struct oa_err *err)
{
    struct player *p = aux;
    /* The engine's pins, as they stand: each look reads them. */
    ck_assert_ptr_eq(pins, p->pins);
    ck_assert_int_gt(ovs_timeout_ms, 0);
    ck_assert_msg(
        p->n_observe < MAX_SCRIPT && p->row->hosts[p->n_observe] != H_END,
        "observed %u times: more than the script has", p->n_observe + 1);
    enum host_kind kinds[MAX_PFS] = {p->row->hosts[p->n_observe],
                                     p->row->hosts1[p->n_observe]};
    p->n_observe++;
    *out = NULL;
    if (kinds[0] == H_OBSERVE_FAILS) {
        return oa_err_set_errno(err, -ENOMEM, "allocating the observation");
    }
    ck_assert_uint_eq(spec->n_pfs, kinds[1] != H_END ? 2 : 1);
    *out = host_new(kinds, spec->n_pfs);
    return 0;
}

/* Outcome 'o' with 'refuse' as apply_run() plays it (apply.h). */
static void
refuse_one_pf(const struct plan *plan, const struct outcome *o,
              struct apply_result *res)
{
    size_t at = plan->n_steps;
    for (size_t i = 0; i < plan->n_steps && at == plan->n_steps; i++) {
        const struct plan_step *st = &plan->steps[i];
        if (st->pf == o->refuse_pf &&
            !strcmp(plan_action_name(st->action), o->refuse)) {
            at = i;
        }
    }
    ck_assert_msg(at < plan->n_steps, "the plan has no %s of PF %d", o->refuse,
                  o->refuse_pf);
    res->failed_step = (int)at;
    oa_err_set_errno(&res->err, o->r, "%s %s", o->refuse,
                     plan->steps[at].object);
    res->n_done = 0;
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *st = &plan->steps[i];
        bool ovs = plan_action_is_ovs(st->action);
        bool after = i >= at && st->pf == o->refuse_pf && !ovs &&
                     st->action != PLAN_DETACH_PORT;
        bool pending = st->action == PLAN_OVS_ADD_PORT && !st->ovsport.port[0];
        res->n_done += !after && !pending;
    }
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
    if (o->refuse) {
        refuse_one_pf(plan, o, res);
    } else if (o->r < 0) {
        /* The step the text names, else the one after those done. */
        res->failed_step = (int)res->n_done;
        for (size_t i = plan->n_steps; i-- > 0;) {
            char name[256];
            snprintf(name, sizeof name, "%s %s",
                     plan_action_name(plan->steps[i].action),
                     plan->steps[i].object);
            if (!strcmp(name, o->text)) {
                res->failed_step = (int)i;
            }
        }
        /* As apply_run() words it: "<action> <object>: <errno text>",
         * and the kernel's extack. */
        oa_err_set_errno(&res->err, o->r, "%s", o->text);
    }
    if (o->r < 0) {
        ck_assert_int_ge(res->failed_step, 0);
        ck_assert_uint_lt((size_t)res->failed_step, plan->n_steps);
        oa_copy_str(res->err.extack, sizeof res->err.extack, o->extack);
        res->n_refused = 1;
        res->refusals[0] = (struct apply_refusal){
            .step = res->failed_step,
            .pf = plan->steps[res->failed_step].pf,
            .switchdev = o->switchdev != SW_NO,
            .order = o->switchdev == SW_WITH_VFS ? OBS_ORDER_VFS_FIRST
                                                 : OBS_ORDER_SWITCHDEV_FIRST,
            .err = res->err,
        };
    }
    return o->r;
}

/* row->blocker is among the plan's blockers, and no other says
 * "refused"; a blocked PF has no kernel step left, nor a port of a
 * representor it would create. */
static void
check_blockers(const struct row *row, const struct plan *plan)
{
    bool found = false;
    for (size_t i = 0; i < plan->n_blockers; i++) {
        const struct plan_blocker *b = &plan->blockers[i];
        char text[512];
        snprintf(text, sizeof text, "%s: %s", b->object, b->message);
        if (row->blocker && !strcmp(text, row->blocker)) {
            found = true;
            /* Only ports that exist may still be attached. */
            for (size_t k = 0; k < plan->n_steps; k++) {
                const struct plan_step *st = &plan->steps[k];
                ck_assert_msg(st->pf != b->pf ||
                                  (plan_action_is_ovs(st->action) &&
                                   st->ovsport.port[0]),
                              "%s: step %s of the blocked PF left", row->name,
                              plan_action_name(st->action));
            }
        } else {
            ck_assert_msg(!strstr(b->message, " refused: "),
                          "%s: blocker \"%s\"", row->name, text);
        }
    }
    ck_assert_msg(found || !row->blocker, "%s: no blocker \"%s\"", row->name,
                  row->blocker);
}

/* The key of PF 'i' as host_new() makes it, for firmware 'fw'. */
static struct order_key
pf_key(unsigned i, const char *fw)
{
    struct order_key k;
    memset(&k, 0, sizeof k);
    snprintf(k.devlink, sizeof k.devlink, "netdevsim/netdevsim%u", i + 1);
    snprintf(k.driver, sizeof k.driver, "netdevsim");
    snprintf(k.firmware, sizeof k.firmware, "%s", fw ? fw : FIRMWARE);
    return k;
}

/* row->learned, for every PF's device. */
static void
learn_before(const struct row *row, struct order_store *orders, size_t n)
{
    enum obs_order o;
    for (unsigned i = 0; row->learned && i < n; i++) {
        struct order_key k = pf_key(i, row->learned_fw);
        ck_assert_int_eq(obs_order_parse(row->learned, &o), 0);
        ck_assert_int_eq(order_record(orders, &k, o), 1);
    }
}

/* What the store says of PF 'i' with its firmware: 'want' or nothing. */
static void
check_learned(const struct row *row, const struct order_store *orders,
              unsigned i, const char *want)
{
    struct order_key k = pf_key(i, NULL);
    enum obs_order o;
    bool found = order_lookup(orders, &k, &o);
    ck_assert_msg(found == (want != NULL), "%s: eth%u learned: %s", row->name,
                  i, found ? obs_order_name(o) : "nothing");
    ck_assert_msg(!found || !strcmp(obs_order_name(o), want),
                  "%s: eth%u learned %s, want %s", row->name, i,
                  obs_order_name(o), want);
}

/* The final observation's order of a PF: "ORDER SOURCE"; with the
 * refusal that made it fall back. */
static void
check_order(const struct row *row, const struct obs_pf *pf, const char *want)
{
    char got[64];
    snprintf(got, sizeof got, "%s %s", obs_order_name(pf->order),
             obs_order_source_name(pf->order_source));
    ck_assert_msg(!want || !strcmp(got, want), "%s: order %s, want %s",
                  row->name, got, want);
    ck_assert_msg((pf->order_source == OBS_ORDER_FALLBACK) ==
                      (pf->order_refusal[0] != '\0'),
                  "%s: order refusal \"%s\"", row->name, pf->order_refusal);
    ck_assert(pf->order_source != OBS_ORDER_FALLBACK ||
              strstr(pf->order_refusal, "(kernel: "));
}

/* Every PF (named by netdev: eth0, eth1) that any look found is pinned
 * to its device, counted once (the first reconcile), also in a dry run;
 * one never found has no pin. */
static void
check_pins(const struct row *row, const struct pfpin_store *pins,
           const struct engine_result *res)
{
    size_t pinned = 0;
    for (unsigned i = 0; i < MAX_PFS; i++) {
        const enum host_kind *kinds = i ? row->hosts1 : row->hosts;
        bool found = false;
        for (unsigned k = 0;
             k < row->n_observe && k < MAX_SCRIPT && kinds[k] != H_END; k++) {
            found |= kinds[k] != H_PF_MISSING && kinds[k] != H_OBSERVE_FAILS;
        }
        char name[8], dev[32];
        snprintf(name, sizeof name, "eth%u", i);
        snprintf(dev, sizeof dev, "netdevsim%u", i + 1);
        const struct pfpin *pin = pfpin_find(pins, name);
        ck_assert_msg((pin != NULL) == found, "%s: %s pinned: %d", row->name,
                      name, pin != NULL);
        ck_assert(!pin || !strcmp(pin->device, dev));
        pinned += pin != NULL;
    }
    ck_assert_msg(pins->unsaved == (pinned > 0), "%s: pins unsaved: %d",
                  row->name, pins->unsaved);
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
    struct order_store orders = {0};
    struct pfpin_store pins = {0};
    struct engine_refusals refusals = {0};
    struct engine_opts opts = {
        .dry_run = row->dry_run,
        .max_rounds = row->max_rounds,
        .orders = &orders,
        .pins = &pins,
        .refusals = &refusals,
        .ops = &ops,
    };
    struct engine_result res;
    char message[OA_ERR_FORMAT_MAX] = "";
    int r = 0;

    fx_spec_init(&f, row->hosts1[0] != H_END ? 2 : 1);
    learn_before(row, &orders, f.spec.n_pfs);
    p.pins = &pins;
    for (unsigned k = 0; k < (row->reconciles ? row->reconciles : 1); k++) {
        if (k) {
            engine_result_clear(&res);
        }
        if (k && k == row->forget_before) {
            engine_refusals_clear(&refusals);
        }
        r = engine_reconcile(NULL, &f.spec, &opts, &res);
    }
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
    check_learned(row, &orders, 0, row->learned_after);
    check_learned(row, &orders, 1, row->learned_after1);
    ck_assert_msg(res.orders_changed == row->orders_changed,
                  "%s: %zu orders learned", row->name, res.orders_changed);
    if (row->final_vfs < 0) {
        ck_assert_ptr_null(res.host);
        ck_assert_ptr_null(res.plan);
    } else {
        ck_assert_msg(res.host && res.plan, "%s: no final observation",
                      row->name);
        ck_assert_uint_eq(res.host->pfs[0].num_vfs, (unsigned)row->final_vfs);
        ck_assert(!row->converged || plan_is_converged(res.plan));
        check_blockers(row, res.plan);
        check_order(row, &res.host->pfs[0], row->order_after);
        if (res.host->n_pfs > 1) {
            check_order(row, &res.host->pfs[1], row->order_after1);
        }
    }
    ck_assert_int_ge(res.elapsed_ms, 0);
    check_pins(row, &pins, &res);
    engine_result_clear(&res);
    ck_assert_ptr_null(res.host);
    engine_refusals_clear(&refusals);
    order_store_clear(&orders);
    pfpin_store_clear(&pins);
}
END_TEST

/* engine_reconcile_from(): a dry run's look is the reconcile's first
 * round, so a repair decided on a dry run looks at the host twice (the
 * dry run, and once after the apply), not three times; the daemon's
 * counter of looks says the same. A look handed to a reconcile that
 * cannot start (prepare fails) is freed, not observed. */
START_TEST(test_reconcile_from_a_dry_run)
{
    static const struct row row = {
        .name = "a dry run's look handed on",
        .hosts = {H_BLANK, H_CONVERGED},
        .applies = {OK},
    };
    struct fx_spec f;
    struct player p = {.row = &row};
    const struct engine_ops ops = {
        .prepare = fake_prepare,
        .observe = fake_observe,
        .apply = fake_apply,
        .aux = &p,
    };
    struct engine_opts opts = {.dry_run = true, .ops = &ops};
    struct engine_result dry, res;

    fx_spec_init(&f, 1);
    uint64_t looks0 = stats_get(STATS_OBSERVATIONS);
    ck_assert_int_eq(engine_reconcile(NULL, &f.spec, &opts, &dry), 0);
    ck_assert_uint_gt(dry.plan->n_steps, 0);
    struct obs_host *seen = dry.host;
    dry.host = NULL;
    engine_result_clear(&dry);

    opts.dry_run = false;
    ck_assert_int_eq(engine_reconcile_from(NULL, &f.spec, &opts, seen, &res),
                     0);
    ck_assert(res.converged);
    ck_assert_uint_eq(res.rounds, 1);
    ck_assert_str_eq(p.applied, "set-eswitch"); /* planned from the dry run */
    ck_assert_uint_eq(p.n_apply, 1);
    ck_assert_uint_eq(p.n_observe, 2);
    ck_assert_uint_eq(stats_get(STATS_OBSERVATIONS) - looks0, 2);
    engine_result_clear(&res);

    static const struct row fails = {.prepare_r = -ECONNREFUSED};
    struct player q = {.row = &fails};
    struct engine_ops ops_fail = ops;
    ops_fail.aux = &q;
    opts.ops = &ops_fail;
    enum host_kind blank[MAX_PFS] = {H_BLANK, H_END};
    seen = host_new(blank, 1);
    ck_assert_int_eq(engine_reconcile_from(NULL, &f.spec, &opts, seen, &res),
                     -ECONNREFUSED);
    ck_assert_ptr_null(res.host);
    ck_assert_uint_eq(q.n_observe + q.n_apply, 0);
    engine_result_clear(&res);
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
    tcase_add_test(tc, test_reconcile_from_a_dry_run);
    tcase_add_test(tc, test_hostio_ops_by_default);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
