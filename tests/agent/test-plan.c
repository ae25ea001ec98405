/* The pure planner plan_compute(), from a table of scenarios: a spec and
 * an observed host built in memory, the expected action sequence as text,
 * and checks of the fields apply relies on. */
#include <check.h>
#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "obs-bond.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-check.h"

#define MAX_PFS   2
#define MAX_VFS   8
#define MAX_BR    4
#define MAX_PORTS 16
#define MAX_KV    4

#define VSWITCHD_ID "boot-1:100:200"

/* ---- Fixture: one spec and one observed host, all in memory ------------- */

struct fx {
    struct spec spec;
    struct spec_bridge bridges[MAX_BR];
    struct spec_pf pfs[MAX_PFS];
    struct spec_vf vfs[MAX_PFS][MAX_VFS];
    char pf_ids[MAX_PFS][16];
    char bridge_names[MAX_BR][16];
    char vf_driver[32];

    struct obs_host host;
    struct obs_pf opfs[MAX_PFS];
    struct obs_vf ovfs[MAX_PFS][MAX_VFS];

    struct vsdb_state st;
    struct vsdb_bridge br[MAX_BR];
    char br_names[MAX_BR][16];
    struct vsdb_port ports[MAX_BR][MAX_PORTS];
    struct vsdb_iface ifaces[MAX_BR][MAX_PORTS];
    char port_names[MAX_BR][MAX_PORTS][16];
    char port_keys[MAX_BR][MAX_PORTS][128]; /* offload-agent-port */
    char empty[1];
    struct vsdb_kv oc[MAX_KV], eid[MAX_KV];
    char kv_text[2][MAX_KV][2][64];
    char vswitchd_id[64];

    struct plan *plan;
};

static void
mac_of(uint8_t mac[6], unsigned pf, unsigned vf)
{
    const uint8_t m[6] = {0x02, 0, 0, 0, (uint8_t)pf, (uint8_t)(vf + 1)};
    memcpy(mac, m, 6);
}

/* Spec: 'n_pfs' PFs eth0, eth1..., switchdev, 2 VFs each with a MAC,
 * attached to bridge ovs-sriov with their uplinks; hw-offload on. */
static void
fx_spec(struct fx *f, size_t n_pfs)
{
    struct spec *s = &f->spec;
    memset(s, 0, sizeof *s);
    s->version = 1;
    s->ovs.db = (char *)SPEC_DEFAULT_OVS_DB;
    s->ovs.hw_offload = true;
    s->ovs.tc_policy = SPEC_TC_POLICY_NONE;
    strcpy(f->bridge_names[0], "ovs-sriov");
    f->bridges[0].name = f->bridge_names[0];
    s->bridges = f->bridges;
    s->n_bridges = 1;
    s->pfs = f->pfs;
    s->n_pfs = n_pfs;
    for (size_t i = 0; i < n_pfs; i++) {
        struct spec_pf *pf = &f->pfs[i];
        snprintf(f->pf_ids[i], sizeof f->pf_ids[i], "eth%u",
                 (unsigned)(i % 10));
        *pf = (struct spec_pf){
            .key = SPEC_PF_BY_NETDEV,
            .id = f->pf_ids[i],
            .eswitch = SPEC_ESWITCH_SWITCHDEV,
            .num_vfs = 2,
            .hw_tc_offload = true,
            .bridge = f->bridge_names[0],
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
}

static size_t
ovs_bridge(struct fx *f, const char *name, bool owned)
{
    size_t b = f->st.n_bridges++;
    ck_assert_uint_lt(b, MAX_BR);
    snprintf(f->br_names[b], sizeof f->br_names[b], "%s", name);
    f->br[b] = (struct vsdb_bridge){
        .name = f->br_names[b], .owned = owned, .ports = f->ports[b]};
    return b;
}

static void
ovs_port(struct fx *f, size_t b, const char *name, bool owned)
{
    size_t p = f->br[b].n_ports++;
    ck_assert_uint_lt(p, MAX_PORTS);
    snprintf(f->port_names[b][p], 16, "%s", name);
    f->ifaces[b][p] = (struct vsdb_iface){.name = f->port_names[b][p],
                                          .type = f->empty,
                                          .ofport = (int64_t)p + 1,
                                          .owned = owned};
    f->ports[b][p] = (struct vsdb_port){.name = f->port_names[b][p],
                                        .owned = owned,
                                        .ifaces = &f->ifaces[b][p],
                                        .n_ifaces = 1};
}

/* The last port added to bridge 'b' carries key 'key' (the agent's
 * offload-agent-port, as it sets it when it adds the port). */
static void
ovs_port_key(struct fx *f, size_t b, const char *key)
{
    size_t p = f->br[b].n_ports - 1;
    snprintf(f->port_keys[b][p], sizeof f->port_keys[b][p], "%s", key);
    f->ports[b][p].key = f->port_keys[b][p];
}

static void
ovs_del_port(struct fx *f, const char *name)
{
    for (size_t b = 0; b < f->st.n_bridges; b++) {
        struct vsdb_bridge *br = &f->br[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            if (!strcmp(br->ports[p].name, name)) {
                /* Shift the names too: ports point at them. */
                for (size_t q = p; q + 1 < br->n_ports; q++) {
                    memcpy(f->port_names[b][q], f->port_names[b][q + 1], 16);
                    memcpy(f->port_keys[b][q], f->port_keys[b][q + 1],
                           sizeof f->port_keys[b][q]);
                    f->ports[b][q] = f->ports[b][q + 1];
                    if (f->ports[b][q].key) {
                        f->ports[b][q].key = f->port_keys[b][q];
                    }
                    f->ifaces[b][q] = f->ifaces[b][q + 1];
                    f->ports[b][q].name = f->port_names[b][q];
                    f->ifaces[b][q].name = f->port_names[b][q];
                    f->ports[b][q].ifaces = &f->ifaces[b][q];
                }
                br->n_ports--;
                return;
            }
        }
    }
    ck_abort_msg("no port %s", name);
}

static void
kv_set(struct fx *f, int which, const char *key, const char *value)
{
    struct vsdb_kv *kvs = which ? f->eid : f->oc;
    size_t *n = which ? &f->st.n_external_ids : &f->st.n_other_config;
    size_t i;
    for (i = 0; i < *n && strcmp(kvs[i].key, key); i++) {
    }
    if (i == *n) {
        ck_assert_uint_lt(*n, MAX_KV);
        (*n)++;
    }
    snprintf(f->kv_text[which][i][0], 64, "%s", key);
    snprintf(f->kv_text[which][i][1], 64, "%s", value);
    kvs[i].key = f->kv_text[which][i][0];
    kvs[i].value = f->kv_text[which][i][1];
}

/* The PFs' eswitch orders (plan.h), as the engine sets them. */
#define SF OBS_ORDER_SWITCHDEV_FIRST
#define VF OBS_ORDER_VFS_FIRST

/* A blank host: every PF found, legacy, 0 VFs (at most 8), hw-tc-offload
 * off, uplinks up, planned in 'order'; OVS connected and empty,
 * ovs-vswitchd running. */
static void
fx_blank(struct fx *f, enum obs_order order)
{
    memset(&f->host, 0, sizeof f->host);
    snprintf(f->host.kernel_release, sizeof f->host.kernel_release,
             "6.1.0-test");
    f->host.pfs = f->opfs;
    f->host.n_pfs = f->spec.n_pfs;
    for (size_t i = 0; i < f->spec.n_pfs; i++) {
        struct obs_pf *op = &f->opfs[i];
        memset(op, 0, sizeof *op);
        op->found = true;
        snprintf(op->netdev, sizeof op->netdev, "eth%u", (unsigned)(i % 10));
        op->ifindex = 2 + (int)i;
        op->has_devlink = true;
        snprintf(op->devlink, sizeof op->devlink, "netdevsim/netdevsim%zu",
                 i + 1);
        op->has_eswitch = true;
        op->eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
        op->order = order;
        op->has_total_vfs = true;
        op->total_vfs = MAX_VFS;
        op->uplink_hw_tc_offload = OBS_NO;
        op->uplink_up = OBS_YES;
        op->vfs = f->ovfs[i];
    }
    memset(&f->st, 0, sizeof f->st);
    f->st.ready = true;
    f->st.cur_cfg = f->st.next_cfg = 5;
    f->st.bridges = f->br;
    f->st.other_config = f->oc;
    f->st.external_ids = f->eid;
    f->host.ovs.connected = true;
    f->host.ovs.state = &f->st;
    snprintf(f->vswitchd_id, sizeof f->vswitchd_id, "%s", VSWITCHD_ID);
    f->host.ovs.vswitchd_id = f->vswitchd_id;
}

/* PF 'pf' has 'n' VFs as the spec (as it is now) wants them, with
 * representors ethP_K, up, and hw-tc-offload on. */
static void
fx_pf_vfs(struct fx *f, size_t pf, unsigned n)
{
    struct obs_pf *op = &f->opfs[pf];
    const struct spec_pf *sp = &f->pfs[pf];
    op->eswitch_mode = sp->eswitch == SPEC_ESWITCH_LEGACY
                           ? DEVLINK_ESWITCH_MODE_LEGACY
                           : DEVLINK_ESWITCH_MODE_SWITCHDEV;
    op->num_vfs = n;
    op->n_vfs = n;
    op->n_reps = 0;
    op->uplink_hw_tc_offload = sp->hw_tc_offload ? OBS_YES : OBS_NO;
    for (unsigned k = 0; k < n; k++) {
        struct obs_vf *ov = &f->ovfs[pf][k];
        memset(ov, 0, sizeof *ov);
        ov->index = k;
        ov->has_info = true;
        for (size_t i = 0; i < sp->n_vfs; i++) {
            if (sp->vfs[i].index == k && sp->vfs[i].has_mac) {
                memcpy(ov->mac, sp->vfs[i].mac, 6);
            }
        }
        ov->trust = OBS_NO;
        ov->spoofchk = OBS_NO;
        if (sp->eswitch == SPEC_ESWITCH_SWITCHDEV) {
            ov->has_rep = true;
            snprintf(ov->rep, sizeof ov->rep, "%s_%u", op->netdev, k);
            ov->rep_ifindex = 100 + (int)k;
            ov->rep_hw_tc_offload = sp->hw_tc_offload ? OBS_YES : OBS_NO;
            ov->rep_up = OBS_YES;
            op->n_reps++;
        }
    }
}

/* The host as the spec wants it, 'n' VFs per PF: the planner's fixed
 * point. OVS holds bridge ovs-sriov (ours, with its local port) with
 * the uplinks and representors, the offload settings and the record. */
static void
fx_converged(struct fx *f, enum obs_order order, unsigned n)
{
    fx_blank(f, order);
    size_t b = ovs_bridge(f, "ovs-sriov", true);
    for (size_t i = 0; i < f->spec.n_pfs; i++) {
        char key[64];
        fx_pf_vfs(f, i, n);
        ovs_port(f, b, f->opfs[i].netdev, true);
        snprintf(key, sizeof key, "%s/uplink", f->opfs[i].devlink);
        ovs_port_key(f, b, key);
        for (unsigned k = 0; k < n; k++) {
            ovs_port(f, b, f->ovfs[i][k].rep, true);
            snprintf(key, sizeof key, "%s/vf%u", f->opfs[i].devlink, k);
            ovs_port_key(f, b, key);
        }
    }
    ovs_port(f, b, "ovs-sriov", true);
    kv_set(f, 0, VSDB_KEY_HW_OFFLOAD, "true");
    kv_set(f, 0, VSDB_KEY_TC_POLICY, "none");
    kv_set(f, 1, VSDB_RECORD_VSWITCHD, VSWITCHD_ID);
    kv_set(f, 1, VSDB_RECORD_LATCHED, "hw-offload=true,tc-policy=none");
}

/* VFs are PCI functions bound to 'driver'; the spec binds mlx5_core. */
static void
fx_pci(struct fx *f, size_t pf, const char *driver)
{
    snprintf(f->vf_driver, sizeof f->vf_driver, "mlx5_core");
    f->pfs[pf].vf_driver = f->vf_driver;
    f->opfs[pf].vfs_are_devices = true;
    for (unsigned k = 0; k < f->opfs[pf].n_vfs; k++) {
        struct obs_vf *ov = &f->ovfs[pf][k];
        snprintf(ov->pci, sizeof ov->pci, "0000:03:00.%u", k + 2);
        snprintf(ov->driver, sizeof ov->driver, "%s", driver);
    }
}

/* ---- Running and reading a plan --------------------------------------------- */

static struct plan *
fx_plan(struct fx *f)
{
    plan_free(f->plan);
    f->plan = NULL;
    ck_assert_int_eq(plan_compute(&f->spec, &f->host, &f->plan), 0);
    ck_assert_ptr_nonnull(f->plan);
    return f->plan;
}

static const char *
actions(const struct plan *p)
{
    static char buf[2048];
    buf[0] = '\0';
    for (size_t i = 0; i < p->n_steps; i++) {
        if (i) {
            strcat(buf, ",");
        }
        strcat(buf, plan_action_name(p->steps[i].action));
    }
    return buf;
}

/* The n-th (0-based) step with 'action'. */
static const struct plan_step *
nth(const struct plan *p, enum plan_action action, size_t n)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        if (p->steps[i].action == action && !n--) {
            return &p->steps[i];
        }
    }
    ck_abort_msg("no %s step #%zu in %s", plan_action_name(action), n,
                 actions(p));
    return NULL;
}

/* The netdev a step acts on or names for people, "" when none (the
 * port of a port step). */
static const char *
step_netdev(const struct plan_step *s)
{
    switch (s->action) {
    case PLAN_SET_NUMVFS:
        return s->numvfs.netdev;
    case PLAN_WAIT_VFS:
        return s->wait.netdev;
    case PLAN_SET_ESWITCH:
        return s->eswitch.netdev;
    case PLAN_SET_VF:
        return s->setvf.netdev;
    case PLAN_SET_HW_TC_OFFLOAD:
        return s->hwtc.netdev;
    case PLAN_SET_LINK_UP:
        return s->link.netdev;
    case PLAN_DETACH_PORT:
    case PLAN_OVS_ADD_PORT:
    case PLAN_OVS_MOVE_PORT:
    case PLAN_OVS_DEL_PORT:
        return s->ovsport.port;
    default:
        return "";
    }
}

/* No step names 'name' as its object, port or netdev. */
static void
assert_untouched(const struct plan *p, const char *name)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct plan_step *s = &p->steps[i];
        ck_assert_msg(strcmp(s->object, name) && strcmp(step_netdev(s), name),
                      "step %zu (%s) touches %s", i,
                      plan_action_name(s->action), name);
    }
}

static void
assert_mac(const uint8_t mac[6], unsigned pf, unsigned vf)
{
    uint8_t want[6];
    mac_of(want, pf, vf);
    ck_assert_mem_eq(mac, want, 6);
}

static const char *
want_ports(const struct vsdb_want *w, const char *bridge)
{
    static char buf[512];
    buf[0] = '\0';
    for (size_t b = 0; b < w->n_bridges; b++) {
        if (strcmp(w->bridges[b].name, bridge)) {
            continue;
        }
        for (size_t p = 0; p < w->bridges[b].n_ports; p++) {
            if (p) {
                strcat(buf, ",");
            }
            strcat(buf, w->bridges[b].ports[p]);
        }
        return buf;
    }
    return NULL;
}

/* ---- VFs in use (obs_vf.in_use) --------------------------------------- */

#define HOLDER "vfio-pci, /dev/vfio/noiommu-0 open by qemu (pid 812)"

/* PCI VFs bound to mlx5_core, VF 'k' bound to vfio-pci and held. */
static void
fx_in_use(struct fx *f, unsigned k)
{
    fx_converged(f, SF, 2);
    fx_pci(f, 0, "mlx5_core");
    struct obs_vf *ov = &f->ovfs[0][k];
    snprintf(ov->driver, sizeof ov->driver, "vfio-pci");
    ov->in_use = true;
    snprintf(ov->holder, sizeof ov->holder, "%s", HOLDER);
    /* The spec does not rebind them: vfio-pci is what the VM wants. */
    f->pfs[0].vf_driver = NULL;
}

/* 2 -> 1 with VF 1 held: only a blocker, nothing of the kernel. */
static void
setup_in_use_2_to_1(struct fx *f)
{
    fx_in_use(f, 1);
    f->pfs[0].num_vfs = 1;
    f->pfs[0].n_vfs = 1;
}

static void
check_in_use_2_to_1(struct fx *f, const struct plan *p)
{
    /* VF 1 stays, and so does its representor's port (the VM's way
     * out), although the spec no longer wants it. */
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0,eth0_0,eth0_1");
    (void)f;
    ck_assert_int_eq(p->blockers[0].pf, 0);
    ck_assert_str_eq(p->blockers[0].object, "eth0 vf 1");
    ck_assert_str_eq(p->blockers[0].message,
                     "eth0 vf 1 (0000:03:00.3) is in use: " HOLDER
                     "; set-numvfs 2 -> 0 would remove it; set "
                     "\"disruptive\": \"allow\" on the PF to proceed");
}

/* 2 -> 1 goes through 0: VF 0, which comes back, is removed too. */
static void
setup_in_use_2_to_1_vf0(struct fx *f)
{
    fx_in_use(f, 0);
    f->pfs[0].num_vfs = 1;
    f->pfs[0].n_vfs = 1;
}

static void
check_in_use_2_to_1_vf0(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_str_eq(p->blockers[0].object, "eth0 vf 0");
}

/* "allow": planned as without the VF in use; set-numvfs 2 -> 0 says
 * whom it disrupts. */
static void
setup_in_use_2_to_1_allow(struct fx *f)
{
    setup_in_use_2_to_1(f);
    f->pfs[0].disruptive = SPEC_DISRUPTIVE_ALLOW;
}

static void
check_in_use_2_to_1_allow(struct fx *f, const struct plan *p)
{
    (void)f;
    const struct plan_step *s = nth(p, PLAN_SET_NUMVFS, 0);
    ck_assert_uint_eq(s->numvfs.num, 0);
    ck_assert_str_eq(s->detail, "2 -> 0, disrupts vf 1: " HOLDER);
    ck_assert_uint_eq(nth(p, PLAN_SET_NUMVFS, 1)->numvfs.num, 1);
}

/* A VF in use that no step removes or unbinds: VF 1's MAC changes
 * (rebind of VF 1), VF 0 is held: nothing blocks. */
static void
setup_in_use_untouched(struct fx *f)
{
    fx_in_use(f, 0);
    snprintf(f->ovfs[0][0].driver, sizeof f->ovfs[0][0].driver, "mlx5_core");
    snprintf(f->ovfs[0][0].holder, sizeof f->ovfs[0][0].holder,
             "netdev eth9 up with 192.0.2.5/24");
    snprintf(f->vf_driver, sizeof f->vf_driver, "mlx5_core");
    f->pfs[0].vf_driver = f->vf_driver;
    f->vfs[0][1].mac[5] = 0x42;
}

static void
check_in_use_untouched(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_int_eq(nth(p, PLAN_UNBIND_VF, 0)->vf, 1);
    ck_assert_str_eq(nth(p, PLAN_UNBIND_VF, 0)->detail, "vf 1 from mlx5_core");
}

/* The spec's vf_driver unbinds VF 0 from vfio-pci while it is held. */
static void
setup_in_use_unbind(struct fx *f)
{
    fx_in_use(f, 0);
    snprintf(f->vf_driver, sizeof f->vf_driver, "mlx5_core");
    f->pfs[0].vf_driver = f->vf_driver;
    f->vfs[0][1].mac[5] = 0x42;
}

static void
check_in_use_unbind(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_str_eq(p->blockers[0].message,
                     "eth0 vf 0 (0000:03:00.2) is in use: " HOLDER
                     "; unbind-vf would unbind it; set \"disruptive\": "
                     "\"allow\" on the PF to proceed");
}

static void
setup_in_use_unbind_allow(struct fx *f)
{
    setup_in_use_unbind(f);
    f->pfs[0].disruptive = SPEC_DISRUPTIVE_ALLOW;
}

static void
check_in_use_unbind_allow(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_str_eq(nth(p, PLAN_UNBIND_VF, 0)->detail,
                     "vf 0 from vfio-pci, disrupts: " HOLDER);
    ck_assert_str_eq(nth(p, PLAN_UNBIND_VF, 1)->detail, "vf 1 from mlx5_core");
}

/* The eswitch drifted to legacy: switchdev-first goes through 0 VFs,
 * which a held VF blocks; its ports stay where they are. */
static void
setup_in_use_eswitch(struct fx *f)
{
    fx_in_use(f, 1);
    f->opfs[0].eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
}

static void
check_in_use_eswitch(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_str_eq(p->blockers[0].object, "eth0 vf 1");
    ck_assert_ptr_null(strstr(actions(p), "detach-port"));
}

/* switchdev -> legacy asked, a VF held: blocked, and the representors
 * the legacy PF no longer wants keep their ports (the VFs stay). */
static void
setup_in_use_to_legacy(struct fx *f)
{
    fx_in_use(f, 1);
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
    f->vfs[0][0].attach = f->vfs[0][1].attach = true;
}

static void
check_in_use_to_legacy(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0,eth0_0,eth0_1");
}

/* ---- Scenarios --------------------------------------------------------------- */

#define KERNEL_BLANK_TAIL                                         \
    "wait-vfs,set-vf,set-vf,set-hw-tc-offload,set-hw-tc-offload," \
    "set-hw-tc-offload,set-link-up,set-link-up"
#define OVS_BLANK                                             \
    "add-bridge,add-port,add-port,add-port,set-other-config," \
    "set-other-config,set-external-id,set-external-id"

static void
setup_blank_a(struct fx *f)
{
    fx_blank(f, SF);
}

static void
check_blank(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_ESWITCH, 0);
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->eswitch.mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_int_eq(s->eswitch.inline_mode, -1);
    ck_assert_int_eq(s->eswitch.encap_mode, -1);
    ck_assert_str_eq(s->object, "netdevsim/netdevsim1");
    ck_assert_str_eq(s->detail, "legacy -> switchdev");
    ck_assert_int_eq(s->eswitch.order, f->opfs[0].order);

    s = nth(p, PLAN_SET_NUMVFS, 0);
    ck_assert_uint_eq(s->numvfs.num, 2);
    ck_assert_str_eq(s->detail, "0 -> 2");
    ck_assert_str_eq(s->object, "netdevsim/netdevsim1");
    ck_assert(!s->numvfs.no_autoprobe); /* netdevsim: VFs are no devices */
    s = nth(p, PLAN_WAIT_VFS, 0);
    ck_assert_uint_eq(s->wait.num, 2);
    ck_assert(s->wait.listed && s->wait.reps && !s->wait.pci);
    ck_assert_str_eq(s->wait.netdev, "eth0");
    ck_assert_str_eq(s->object, "eth0");
    ck_assert_str_eq(s->detail, "2 VFs: listed, representors");

    for (unsigned k = 0; k < 2; k++) {
        s = nth(p, PLAN_SET_VF, k);
        ck_assert_int_eq(s->vf, (int)k);
        ck_assert(s->setvf.req.has_mac);
        assert_mac(s->setvf.req.mac, 0, k);
        /* New VFs: vlan 0 is the default, trust/spoofchk not asked. */
        ck_assert_int_eq(s->setvf.req.vlan, -1);
        ck_assert_int_eq(s->setvf.req.trust, -1);
        ck_assert_int_eq(s->setvf.req.spoofchk, -1);
    }
    ck_assert_str_eq(nth(p, PLAN_SET_VF, 0)->detail, "mac 02:00:00:00:00:01");
    /* The VFs do not exist yet: apply finds out which way. */
    ck_assert_int_eq(nth(p, PLAN_SET_VF, 0)->setvf.mac_via,
                     PLAN_MAC_VIA_UNKNOWN);

    s = nth(p, PLAN_SET_HW_TC_OFFLOAD, 0);
    ck_assert_str_eq(s->hwtc.netdev, "eth0");
    ck_assert_int_eq(s->vf, -1);
    ck_assert(s->hwtc.on);
    for (unsigned k = 0; k < 2; k++) {
        s = nth(p, PLAN_SET_HW_TC_OFFLOAD, 1 + k);
        ck_assert_str_eq(s->hwtc.netdev, "");
        ck_assert_int_eq(s->vf, (int)k);
        ck_assert(s->hwtc.on);
    }

    /* The representors this plan creates: set up once they appear (the
     * uplink is up already). */
    for (unsigned k = 0; k < 2; k++) {
        char object[32];
        s = nth(p, PLAN_SET_LINK_UP, k);
        ck_assert_str_eq(s->link.netdev, "");
        ck_assert_int_eq(s->pf, 0);
        ck_assert_int_eq(s->vf, (int)k);
        snprintf(object, sizeof object, "eth0 vf %u representor", k);
        ck_assert_str_eq(s->object, object);
        ck_assert_str_eq(s->detail, "up, once it appears");
    }

    ck_assert_str_eq(nth(p, PLAN_OVS_ADD_BRIDGE, 0)->ovsport.bridge,
                     "ovs-sriov");
    s = nth(p, PLAN_OVS_ADD_PORT, 0);
    ck_assert_str_eq(s->ovsport.port, "eth0");
    ck_assert_str_eq(s->ovsport.bridge, "ovs-sriov");
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->vf, -1);
    for (unsigned k = 0; k < 2; k++) {
        s = nth(p, PLAN_OVS_ADD_PORT, 1 + k);
        ck_assert_str_eq(s->ovsport.port, "");
        ck_assert_str_eq(s->ovsport.bridge, "ovs-sriov");
        ck_assert_int_eq(s->pf, 0);
        ck_assert_int_eq(s->vf, (int)k);
    }
    s = nth(p, PLAN_OVS_SET_CONFIG, 0);
    ck_assert_str_eq(s->kv.key, VSDB_KEY_HW_OFFLOAD);
    ck_assert_str_eq(s->kv.value, "true");
    ck_assert_str_eq(s->object, VSDB_KEY_HW_OFFLOAD);
    s = nth(p, PLAN_OVS_SET_CONFIG, 1);
    ck_assert_str_eq(s->kv.key, VSDB_KEY_TC_POLICY);
    ck_assert_str_eq(s->kv.value, "none");
    s = nth(p, PLAN_OVS_SET_EXTERNAL_ID, 0);
    ck_assert_str_eq(s->kv.key, VSDB_RECORD_VSWITCHD);
    ck_assert_str_eq(s->kv.value, VSWITCHD_ID);

    /* The transaction behind the OVS steps: the uplink only (the
     * representors do not exist yet). */
    ck_assert(p->has_ovs);
    ck_assert(!p->has_detach);
    ck_assert_uint_eq(p->want.n_bridges, 1);
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0");
    ck_assert(p->has_offload);
    ck_assert_int_eq(p->offload.verdict, VSDB_OFFLOAD_LIVE);
    ck_assert_uint_eq(p->want.n_external_ids, 2);
    ck_assert(plan_action_is_ovs(PLAN_OVS_ADD_PORT));
    ck_assert_uint_eq(p->n_blockers, 0);
    (void)f;
}

static void
setup_blank_b(struct fx *f)
{
    fx_blank(f, VF);
}

/* As obs_collect() leaves it (no order learned, no fallback): the
 * zeroed order is switchdev-first, on every kernel. */
static void
setup_blank_default(struct fx *f)
{
    fx_blank(f, VF);
    memset(&f->opfs[0].order, 0, sizeof f->opfs[0].order);
    snprintf(f->host.kernel_release, sizeof f->host.kernel_release,
             "5.14.0-362.el9.x86_64");
}

static void
setup_converged_a(struct fx *f)
{
    fx_converged(f, SF, 2);
}

static void
check_converged(struct fx *f, const struct plan *p)
{
    ck_assert(plan_is_converged(p));
    ck_assert(!p->has_ovs);
    ck_assert(!p->has_detach);
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0,eth0_0,eth0_1");
    ck_assert_int_eq(p->offload.verdict, VSDB_OFFLOAD_IN_EFFECT);
    (void)f;
}

static void
setup_converged_b(struct fx *f)
{
    fx_converged(f, VF, 2);
}

static void
setup_converged_pci(struct fx *f)
{
    fx_converged(f, VF, 2);
    fx_pci(f, 0, "mlx5_core");
}

static void
setup_converged_trust(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->vfs[0][0].trust = SPEC_FALSE;
    f->vfs[0][1].spoofchk = SPEC_FALSE;
}

static void
setup_vfs_2_to_4(struct fx *f)
{
    fx_converged(f, SF, 2);
    /* eth0_1's port was added by someone else: never ours to touch. */
    f->ports[0][2].owned = false;
    f->ifaces[0][2].owned = false;
    f->pfs[0].num_vfs = 4;
}

static void
check_vfs_2_to_4(struct fx *f, const struct plan *p)
{
    /* switchdev is re-asserted after 0 VFs, a mode change where 0 VFs
     * dropped it to legacy: the uplink goes out too. */
    const struct plan_step *s = nth(p, PLAN_DETACH_PORT, 0);
    ck_assert_str_eq(s->ovsport.port, "eth0");
    ck_assert_int_eq(s->vf, -1);
    s = nth(p, PLAN_DETACH_PORT, 1);
    ck_assert_str_eq(s->ovsport.port, "eth0_0");
    ck_assert_str_eq(s->ovsport.bridge, "ovs-sriov");
    ck_assert_str_eq(s->detail, "from ovs-sriov: its representor goes away");
    ck_assert_int_eq(s->vf, 0);
    assert_untouched(p, "eth0_1");

    ck_assert_uint_eq(nth(p, PLAN_SET_NUMVFS, 0)->numvfs.num, 0);
    ck_assert_str_eq(nth(p, PLAN_SET_NUMVFS, 0)->detail, "2 -> 0");
    ck_assert_uint_eq(nth(p, PLAN_SET_NUMVFS, 1)->numvfs.num, 4);
    ck_assert_str_eq(nth(p, PLAN_SET_NUMVFS, 1)->detail, "0 -> 4");
    s = nth(p, PLAN_SET_ESWITCH, 0);
    ck_assert_int_eq(s->eswitch.mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_ptr_nonnull(strstr(s->detail, "re-assert"));
    ck_assert_uint_eq(nth(p, PLAN_WAIT_VFS, 0)->wait.num, 4);
    /* Recreated VFs: the MACs are written again, even if unchanged. */
    assert_mac(nth(p, PLAN_SET_VF, 1)->setvf.req.mac, 0, 1);
    ck_assert_str_eq(nth(p, PLAN_OVS_ADD_PORT, 0)->ovsport.port, "eth0");
    for (unsigned k = 0; k < 4; k++) {
        ck_assert_int_eq(nth(p, PLAN_OVS_ADD_PORT, 1 + k)->vf, (int)k);
        ck_assert_str_eq(nth(p, PLAN_OVS_ADD_PORT, 1 + k)->ovsport.port, "");
    }

    /* The detach transaction keeps everything else, and only that. */
    ck_assert(p->has_detach);
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "eth0_1");
    struct vsdb_plan *vp = NULL;
    ck_assert_int_eq(vsdb_plan_compute(&p->detach_want, &f->st, &vp), 0);
    ck_assert_uint_eq(vp->n_ops, 2);
    ck_assert_int_eq(vp->ops[0].type, VSDB_OP_DEL_PORT);
    ck_assert_int_eq(vp->ops[1].type, VSDB_OP_DEL_PORT);
    ck_assert_str_eq(vp->ops[0].port, "eth0");
    ck_assert_str_eq(vp->ops[1].port, "eth0_0");
    vsdb_plan_free(vp);
    /* The main transaction: the uplink back, not the detached rep. */
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0");
}

static void
setup_vfs_4_to_1_b(struct fx *f)
{
    f->pfs[0].num_vfs = 4;
    fx_converged(f, VF, 4);
    f->pfs[0].num_vfs = 1;
    f->pfs[0].n_vfs = 1;
}

static void
check_vfs_4_to_1(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_DETACH_PORT, 0)->ovsport.port, "eth0");
    for (unsigned k = 0; k < 4; k++) {
        const struct plan_step *s = nth(p, PLAN_DETACH_PORT, 1 + k);
        ck_assert_str_eq(s->ovsport.port, f->ovfs[0][k].rep);
        ck_assert_int_eq(s->vf, (int)k);
    }
    ck_assert_str_eq(nth(p, PLAN_SET_NUMVFS, 0)->detail, "4 -> 0");
    ck_assert_str_eq(nth(p, PLAN_SET_NUMVFS, 1)->detail, "0 -> 1");
    ck_assert_uint_eq(nth(p, PLAN_WAIT_VFS, 0)->wait.num, 1);
    ck_assert_int_eq(nth(p, PLAN_SET_VF, 0)->vf, 0);
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "");
}

static void
setup_vfs_4_to_1_a(struct fx *f)
{
    setup_vfs_4_to_1_b(f);
    f->opfs[0].order = SF;
}

static void
setup_vfs_2_to_0(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->pfs[0].num_vfs = 0;
    f->pfs[0].n_vfs = 0;
}

static void
setup_mac_change(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->vfs[0][1].mac[5] = 0x99;
}

static void
check_mac_change(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_VF, 0);
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->vf, 1);
    ck_assert(s->setvf.req.has_mac);
    ck_assert_mem_eq(s->setvf.req.mac, f->vfs[0][1].mac, 6);
    ck_assert_int_eq(s->setvf.req.vlan, -1);
    ck_assert_int_eq(s->setvf.req.trust, -1);
    ck_assert_int_eq(s->setvf.req.spoofchk, -1);
    /* No port function reports a MAC: through the PF. */
    ck_assert_int_eq(s->setvf.mac_via, PLAN_MAC_VIA_PF);
    ck_assert_str_eq(s->detail, "mac 02:00:00:00:00:99 via PF (IFLA_VF_MAC)");
    ck_assert_str_eq(s->setvf.netdev, "eth0");
}

/* Each VF's port function reports its MAC (mlx5 in switchdev). */
static void
fx_port_fn(struct fx *f, size_t pf)
{
    for (unsigned k = 0; k < f->opfs[pf].n_vfs; k++) {
        struct obs_vf *ov = &f->ovfs[pf][k];
        ov->has_fn_hw_addr = true;
        memcpy(ov->fn_hw_addr, ov->mac, 6);
    }
}

static void
setup_port_fn_converged(struct fx *f)
{
    fx_converged(f, SF, 2);
    fx_port_fn(f, 0);
}

/* The port function's MAC is the one compared: set there when it
 * differs, even while the PF's VF list shows the spec's. */
static void
setup_port_fn_mac_drift(struct fx *f)
{
    setup_port_fn_converged(f);
    f->ovfs[0][1].fn_hw_addr[5] = 0x77;
}

static void
check_port_fn_mac_drift(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_VF, 0);
    ck_assert_int_eq(s->vf, 1);
    ck_assert(s->setvf.req.has_mac);
    assert_mac(s->setvf.req.mac, 0, 1);
    ck_assert_int_eq(s->setvf.mac_via, PLAN_MAC_VIA_PORT_FN);
    ck_assert_str_eq(s->detail, "mac 02:00:00:00:00:02 via port function");
    (void)f;
}

/* No VF list from the PF, but the port function reports the MAC the
 * spec asks: observable, no blocker. */
static void
setup_port_fn_no_vf_info(struct fx *f)
{
    setup_port_fn_mac_drift(f);
    for (unsigned k = 0; k < 2; k++) {
        f->ovfs[0][k].has_info = false;
        memset(f->ovfs[0][k].mac, 0, 6);
    }
}

/* A bound VF whose MAC changes is still unbound and bound again: the VF
 * driver reads its MAC at probe, whichever way it was set. An unbound
 * one only gets bound after its MAC. */
static void
setup_port_fn_pci(struct fx *f)
{
    setup_port_fn_mac_drift(f);
    fx_pci(f, 0, "mlx5_core");
    f->ovfs[0][0].fn_hw_addr[5] = 0x66;
    f->ovfs[0][0].driver[0] = '\0';
}

static void
check_port_fn_pci(struct fx *f, const struct plan *p)
{
    ck_assert_int_eq(nth(p, PLAN_UNBIND_VF, 0)->vf, 1);
    ck_assert_int_eq(nth(p, PLAN_SET_VF, 0)->vf, 0);
    ck_assert_int_eq(nth(p, PLAN_SET_VF, 0)->setvf.mac_via,
                     PLAN_MAC_VIA_PORT_FN);
    ck_assert_int_eq(nth(p, PLAN_SET_VF, 1)->vf, 1);
    ck_assert_int_eq(nth(p, PLAN_BIND_VF, 0)->vf, 0);
    ck_assert_int_eq(nth(p, PLAN_BIND_VF, 1)->vf, 1);
    (void)f;
}

/* The eswitch goes back to switchdev: the VF ports come back with it,
 * so the way is not known before apply. */
static void
setup_port_fn_legacy_drift(struct fx *f)
{
    setup_port_fn_mac_drift(f);
    f->opfs[0].eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
    f->opfs[0].order = VF; /* the VFs stay: only VF 1's MAC differs */
}

/* Switchdev-first: through 0 VFs, every MAC written again, none of
 * their ways known before apply. */
static void
setup_port_fn_legacy_drift_sf(struct fx *f)
{
    setup_port_fn_legacy_drift(f);
    f->opfs[0].order = SF;
}

static void
check_port_fn_legacy_drift_sf(struct fx *f, const struct plan *p)
{
    for (unsigned k = 0; k < 2; k++) {
        const struct plan_step *s = nth(p, PLAN_SET_VF, k);
        ck_assert_int_eq(s->setvf.mac_via, PLAN_MAC_VIA_UNKNOWN);
        assert_mac(s->setvf.req.mac, 0, k);
    }
    (void)f;
}

static void
check_port_fn_legacy_drift(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_VF, 0);
    ck_assert_int_eq(s->setvf.mac_via, PLAN_MAC_VIA_UNKNOWN);
    ck_assert_str_eq(s->detail, "mac 02:00:00:00:00:02");
    (void)f;
}

/* A legacy PF with its 2 VFs as the spec wants them, no bridge. */
static void
fx_legacy_converged(struct fx *f)
{
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
    f->pfs[0].bridge = NULL;
    f->spec.n_bridges = 0;
    fx_blank(f, SF);
    fx_pf_vfs(f, 0, 2);
    kv_set(f, 0, VSDB_KEY_HW_OFFLOAD, "true");
    kv_set(f, 0, VSDB_KEY_TC_POLICY, "none");
    kv_set(f, 1, VSDB_RECORD_VSWITCHD, VSWITCHD_ID);
    kv_set(f, 1, VSDB_RECORD_LATCHED, "hw-offload=true,tc-policy=none");
}

static void
setup_vlan_trust(struct fx *f)
{
    /* Legacy: the VF ndos (mlx5 refuses them in switchdev). */
    fx_legacy_converged(f);
    f->vfs[0][0].vlan = 10;
    f->vfs[0][0].trust = SPEC_TRUE;
    f->vfs[0][1].spoofchk = SPEC_TRUE;
}

static void
check_vlan_trust(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_VF, 0);
    ck_assert_int_eq(s->vf, 0);
    ck_assert(!s->setvf.req.has_mac);
    ck_assert_int_eq(s->setvf.req.vlan, 10);
    ck_assert_int_eq(s->setvf.req.trust, 1);
    ck_assert_int_eq(s->setvf.req.spoofchk, -1);
    ck_assert_str_eq(s->detail, "vlan 10, trust on");
    s = nth(p, PLAN_SET_VF, 1);
    ck_assert_int_eq(s->vf, 1);
    ck_assert_int_eq(s->setvf.req.vlan, -1);
    ck_assert_int_eq(s->setvf.req.spoofchk, 1);
    (void)f;
}

static void
setup_trust_unknown(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->vfs[0][0].trust = SPEC_TRUE;
    f->vfs[0][1].spoofchk = SPEC_FALSE;
    f->ovfs[0][0].trust = OBS_UNKNOWN;
    f->ovfs[0][1].spoofchk = OBS_UNKNOWN;
}

static void
setup_pci_mac_and_driver(struct fx *f)
{
    fx_converged(f, SF, 2);
    fx_pci(f, 0, "mlx5_core");
    snprintf(f->ovfs[0][0].driver, sizeof f->ovfs[0][0].driver, "vfio-pci");
    f->vfs[0][1].mac[5] = 0x42;
}

static void
check_pci_mac_and_driver(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_UNBIND_VF, 0);
    ck_assert_int_eq(s->vf, 0);
    ck_assert_str_eq(s->binding.pci, "0000:03:00.2");
    ck_assert_str_eq(s->binding.driver, "vfio-pci");
    s = nth(p, PLAN_UNBIND_VF, 1);
    ck_assert_int_eq(s->vf, 1);
    ck_assert_str_eq(s->binding.pci, "0000:03:00.3");
    ck_assert_str_eq(s->binding.driver, "mlx5_core");
    s = nth(p, PLAN_SET_VF, 0);
    ck_assert_int_eq(s->vf, 1);
    ck_assert_str_eq(s->setvf.pci, "0000:03:00.3");
    for (unsigned k = 0; k < 2; k++) {
        s = nth(p, PLAN_BIND_VF, k);
        ck_assert_int_eq(s->vf, (int)k);
        ck_assert_str_eq(s->binding.driver, "mlx5_core");
        ck_assert_str_eq(s->binding.pci, f->ovfs[0][k].pci);
    }
}

static void
setup_pci_unbound(struct fx *f)
{
    fx_converged(f, SF, 2);
    fx_pci(f, 0, "mlx5_core");
    f->ovfs[0][1].driver[0] = '\0';
}

static void
check_pci_unbound(struct fx *f, const struct plan *p)
{
    ck_assert_int_eq(nth(p, PLAN_BIND_VF, 0)->vf, 1);
    ck_assert_str_eq(nth(p, PLAN_BIND_VF, 0)->binding.pci, "0000:03:00.3");
    (void)f;
}

static void
setup_pci_trust_only(struct fx *f)
{
    /* trust does not need a rebind: only mac and vlan do. */
    fx_converged(f, SF, 2);
    fx_pci(f, 0, "mlx5_core");
    f->vfs[0][0].trust = SPEC_TRUE;
}

static void
setup_pci_recreate_b(struct fx *f)
{
    fx_converged(f, VF, 2);
    fx_pci(f, 0, "mlx5_core");
    f->pfs[0].num_vfs = 4;
}

/* The round after: the driver probed the new VFs, which have no MAC. */
static void
setup_pci_recreated_next(struct fx *f)
{
    fx_converged(f, SF, 2);
    fx_pci(f, 0, "mlx5_core");
    for (unsigned k = 0; k < 2; k++) {
        memset(f->ovfs[0][k].mac, 0, sizeof f->ovfs[0][k].mac);
    }
}

static void
check_pci_recreated_next(struct fx *f, const struct plan *p)
{
    (void)f;
    for (unsigned k = 0; k < 2; k++) {
        const struct plan_step *s = nth(p, PLAN_SET_VF, k);
        ck_assert_int_eq(s->vf, (int)k);
        ck_assert(s->setvf.req.has_mac);
        ck_assert_int_eq(nth(p, PLAN_UNBIND_VF, k)->vf, (int)k);
        ck_assert_int_eq(nth(p, PLAN_BIND_VF, k)->vf, (int)k);
    }
}

static void
check_pci_recreate(struct fx *f, const struct plan *p)
{
    /* Through 0: no autoprobe to turn off for the removal. */
    const struct plan_step *s = nth(p, PLAN_SET_NUMVFS, 0);
    ck_assert(!s->numvfs.no_autoprobe);
    ck_assert_str_eq(s->detail, "2 -> 0");
    s = nth(p, PLAN_SET_NUMVFS, 1);
    ck_assert(s->numvfs.no_autoprobe);
    ck_assert_str_eq(s->detail, "0 -> 4, autoprobe off");
    s = nth(p, PLAN_WAIT_VFS, 0);
    ck_assert_uint_eq(s->wait.num, 4);
    ck_assert(s->wait.listed && s->wait.pci && s->wait.reps);
    ck_assert_str_eq(s->detail, "4 VFs: listed, PCI functions, representors");
    (void)f;
}

/* The spec leaves binding alone: drivers probe the new VFs as usual. */
static void
setup_pci_recreate_no_driver(struct fx *f)
{
    setup_pci_recreate_b(f);
    f->pfs[0].vf_driver = NULL;
}

static void
check_pci_recreate_no_driver(struct fx *f, const struct plan *p)
{
    ck_assert(!nth(p, PLAN_SET_NUMVFS, 1)->numvfs.no_autoprobe);
    ck_assert_str_eq(nth(p, PLAN_SET_NUMVFS, 1)->detail, "0 -> 4");
    (void)f;
}

/* The round after set-numvfs with autoprobe off: the new VFs are
 * unbound and have no MAC. */
static void
setup_pci_created_unbound(struct fx *f)
{
    setup_pci_recreated_next(f);
    for (unsigned k = 0; k < 2; k++) {
        f->ovfs[0][k].driver[0] = '\0';
    }
}

static void
check_pci_created_unbound(struct fx *f, const struct plan *p)
{
    for (unsigned k = 0; k < 2; k++) {
        const struct plan_step *s = nth(p, PLAN_SET_VF, k);
        ck_assert(s->setvf.req.has_mac);
        assert_mac(s->setvf.req.mac, 0, k);
        ck_assert_str_eq(s->setvf.pci, f->ovfs[0][k].pci);
        s = nth(p, PLAN_BIND_VF, k);
        ck_assert_str_eq(s->binding.pci, f->ovfs[0][k].pci);
        ck_assert_str_eq(s->binding.driver, "mlx5_core");
    }
}

/* A legacy PF from blank: nothing but the VF list tells the VFs are
 * there, and set-vf needs them. */
static void
setup_legacy_blank(struct fx *f)
{
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
    f->pfs[0].bridge = NULL;
    f->spec.n_bridges = 0;
    f->vfs[0][1].vlan = 10;
    fx_blank(f, SF);
}

static void
check_legacy_blank(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_WAIT_VFS, 0);
    ck_assert(s->wait.listed && !s->wait.pci && !s->wait.reps);
    ck_assert_str_eq(s->detail, "2 VFs: listed");
    ck_assert_int_eq(nth(p, PLAN_SET_VF, 1)->setvf.req.vlan, 10);
    (void)f;
}

static void
setup_drift_legacy_a(struct fx *f)
{
    fx_converged(f, SF, 2);
    /* Someone ran devlink eswitch set mode legacy: representors gone,
     * their OVS ports left behind. */
    f->opfs[0].eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
    f->opfs[0].n_reps = 0;
    for (unsigned k = 0; k < 2; k++) {
        f->ovfs[0][k].has_rep = false;
        f->ovfs[0][k].rep[0] = '\0';
        f->ovfs[0][k].rep_hw_tc_offload = OBS_UNKNOWN;
    }
}

static void
check_drift_legacy(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_ESWITCH, 0);
    ck_assert_int_eq(s->eswitch.mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_str_eq(s->detail, "legacy -> switchdev");
    ck_assert_int_eq(s->eswitch.order, f->opfs[0].order);
    s = nth(p, PLAN_WAIT_VFS, 0);
    ck_assert_uint_eq(s->wait.num, 2);
    if (f->opfs[0].order == VF) {
        /* The VFs are there: only their representors are awaited. */
        ck_assert(s->wait.reps && !s->wait.listed && !s->wait.pci);
        ck_assert_str_eq(s->detail, "2 VFs: representors");
    } else {
        /* Through 0 VFs: the new VFs and their representors. */
        ck_assert(s->wait.reps && s->wait.listed);
    }
    ck_assert_str_eq(nth(p, PLAN_OVS_DEL_PORT, 0)->ovsport.port, "eth0_0");
    ck_assert_str_eq(nth(p, PLAN_OVS_DEL_PORT, 1)->ovsport.port, "eth0_1");
    /* The vanished representors' ports leave with the uplink, in the
     * detach transaction: ovs-vswitchd never reconfigures with them. */
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "");
    ck_assert_str_eq(nth(p, PLAN_OVS_DEL_PORT, 1)->detail,
                     "from ovs-sriov: ours, not wanted, with the detach "
                     "transaction");
}

/* Switchdev-first with VFs there: the mode changes with 0 VFs, and the
 * VFs come back with their MACs (the way through 0 clears them on
 * mlx5). */
static void
check_drift_legacy_through_zero(struct fx *f, const struct plan *p)
{
    check_drift_legacy(f, p);
    ck_assert_int_eq(p->steps[0].action, PLAN_DETACH_PORT); /* the uplink */
    ck_assert_int_eq(p->steps[1].action, PLAN_SET_NUMVFS);
    ck_assert_str_eq(p->steps[1].detail, "2 -> 0");
    ck_assert_int_eq(p->steps[2].action, PLAN_SET_ESWITCH);
    ck_assert_int_eq(p->steps[3].action, PLAN_SET_NUMVFS);
    ck_assert_str_eq(p->steps[3].detail, "0 -> 2");
    assert_mac(nth(p, PLAN_SET_VF, 1)->setvf.req.mac, 0, 1);
}

static void
setup_drift_legacy_b(struct fx *f)
{
    setup_drift_legacy_a(f);
    f->opfs[0].order = VF;
}

/* Switchdev-first, PCI VFs bound: through 0 VFs; the new VFs' MACs and
 * binding wait for the next round, as for any count change. */
static void
setup_drift_legacy_pci_a(struct fx *f)
{
    setup_drift_legacy_a(f);
    fx_pci(f, 0, "mlx5_core");
}

static void
setup_drift_legacy_pci_b(struct fx *f)
{
    setup_drift_legacy_a(f);
    f->opfs[0].order = VF;
    fx_pci(f, 0, "mlx5_core");
}

static void
check_drift_legacy_pci_b(struct fx *f, const struct plan *p)
{
    for (unsigned k = 0; k < 2; k++) {
        ck_assert_int_eq(nth(p, PLAN_UNBIND_VF, k)->vf, (int)k);
        ck_assert_str_eq(nth(p, PLAN_UNBIND_VF, k)->binding.driver,
                         "mlx5_core");
        ck_assert_int_eq(nth(p, PLAN_BIND_VF, k)->vf, (int)k);
    }
    (void)f;
}

/* Older mlx5 refuses the eswitch change with VFs bound, also when the
 * spec leaves binding alone: they are unbound and go back to their own
 * driver afterwards. */
static void
setup_drift_legacy_pci_b_nodriver(struct fx *f)
{
    setup_drift_legacy_pci_b(f);
    f->pfs[0].vf_driver = NULL;
    snprintf(f->ovfs[0][1].driver, sizeof f->ovfs[0][1].driver, "vfio-pci");
}

static void
check_drift_legacy_pci_b_nodriver(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_BIND_VF, 0)->binding.driver, "mlx5_core");
    ck_assert_str_eq(nth(p, PLAN_BIND_VF, 1)->binding.driver, "vfio-pci");
    ck_assert_str_eq(nth(p, PLAN_UNBIND_VF, 1)->binding.driver, "vfio-pci");
    (void)f;
}

static void
setup_drift_to_legacy_wanted(struct fx *f)
{
    /* The spec now wants legacy: representors go, their ports first. */
    fx_converged(f, SF, 2);
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
}

/* The index of step 's' in 'p'. */
static size_t
step_index(const struct plan *p, const struct plan_step *s)
{
    return (size_t)(s - p->steps);
}

/* The uplink eth0 of PF 0 is detached before every kernel step and
 * added back after the last one, with the OVS steps. */
static void
assert_uplink_readded(const struct plan *p)
{
    const struct plan_step *d = nth(p, PLAN_DETACH_PORT, 0);
    const struct plan_step *a = nth(p, PLAN_OVS_ADD_PORT, 0);
    ck_assert_str_eq(d->ovsport.port, "eth0");
    ck_assert_str_eq(d->ovsport.bridge, "ovs-sriov");
    ck_assert_int_eq(d->pf, 0);
    ck_assert_int_eq(d->vf, -1);
    ck_assert_str_eq(d->object, "eth0");
    ck_assert_str_eq(d->detail, "from ovs-sriov: before the eswitch change");
    ck_assert_uint_eq(step_index(p, d), 0);
    ck_assert_str_eq(a->ovsport.port, "eth0");
    ck_assert_str_eq(a->ovsport.bridge, "ovs-sriov");
    ck_assert_int_eq(a->pf, 0);
    ck_assert_int_eq(a->vf, -1);
    ck_assert_str_eq(a->detail,
                     "to ovs-sriov again, after the eswitch change");
    for (size_t i = step_index(p, a); i < p->n_steps; i++) {
        ck_assert(plan_action_is_ovs(p->steps[i].action) ||
                  p->steps[i].action == PLAN_RESTART_VSWITCHD);
    }
    ck_assert(p->has_detach);
    ck_assert(p->has_ovs);
}

static void
setup_drift_to_legacy_wanted_b(struct fx *f)
{
    setup_drift_to_legacy_wanted(f);
    f->opfs[0].order = VF;
}

static void
check_to_legacy(struct fx *f, const struct plan *p)
{
    ck_assert_int_eq(nth(p, PLAN_SET_ESWITCH, 0)->eswitch.mode,
                     DEVLINK_ESWITCH_MODE_LEGACY);
    ck_assert_str_eq(nth(p, PLAN_SET_ESWITCH, 0)->detail,
                     "switchdev -> legacy");
    assert_uplink_readded(p);
    ck_assert_str_eq(nth(p, PLAN_DETACH_PORT, 1)->detail,
                     "from ovs-sriov: its representor goes away");
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0");
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "");
    (void)f;
}

/* To legacy, with ports that are not ours: a foreign port in the bridge,
 * a foreign representor port, another bridge of someone else's. */
static void
setup_to_legacy_foreign(struct fx *f)
{
    setup_drift_to_legacy_wanted(f);
    f->ports[0][2].owned = false; /* eth0_1 */
    f->ifaces[0][2].owned = false;
    ovs_port(f, 0, "tap0", false);
    size_t b = ovs_bridge(f, "br-vm", false);
    ovs_port(f, b, "br-vm", false);
    ovs_port(f, b, "vm1", false);
}

static void
check_to_legacy_foreign(struct fx *f, const struct plan *p)
{
    assert_uplink_readded(p);
    assert_untouched(p, "eth0_1");
    assert_untouched(p, "tap0");
    assert_untouched(p, "vm1");
    /* The detach transaction: everything but our uplink and eth0_0. */
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "eth0_1,tap0");
    ck_assert_str_eq(want_ports(&p->detach_want, "br-vm"), "vm1");
    struct vsdb_plan *vp = NULL;
    ck_assert_int_eq(vsdb_plan_compute(&p->detach_want, &f->st, &vp), 0);
    ck_assert_uint_eq(vp->n_ops, 2);
    ck_assert_int_eq(vp->ops[0].type, VSDB_OP_DEL_PORT);
    ck_assert_str_eq(vp->ops[0].port, "eth0");
    ck_assert_int_eq(vp->ops[1].type, VSDB_OP_DEL_PORT);
    ck_assert_str_eq(vp->ops[1].port, "eth0_0");
    vsdb_plan_free(vp);
}

/* The uplink's port is someone else's: it stays (the agent only removes
 * its own rows); the representors' ports go. */
static void
setup_to_legacy_uplink_foreign(struct fx *f)
{
    setup_drift_to_legacy_wanted(f);
    f->ports[0][0].owned = false; /* eth0 */
    f->ifaces[0][0].owned = false;
}

static void
check_to_legacy_uplink_foreign(struct fx *f, const struct plan *p)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        ck_assert_str_ne(p->steps[i].ovsport.port, "eth0");
    }
    ck_assert_str_eq(nth(p, PLAN_DETACH_PORT, 0)->ovsport.port, "eth0_0");
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "eth0");
    (void)f;
}

/* The eswitch stays as it is (MACs, hw-tc-offload, links change): no
 * port leaves OVS. */
static void
setup_mode_kept(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->vfs[0][1].mac[5] = 0x99;
    f->ovfs[0][0].rep_hw_tc_offload = OBS_NO;
    f->opfs[0].uplink_up = OBS_NO;
}

static void
check_no_detach(struct fx *f, const struct plan *p)
{
    ck_assert(!p->has_detach);
    ck_assert(!p->has_ovs);
    ck_assert_uint_eq(p->detach_want.n_bridges, 0);
    (void)f;
}

static void
setup_rep_port_removed(struct fx *f)
{
    fx_converged(f, SF, 2);
    ovs_del_port(f, "eth0_1");
}

static void
check_rep_port_removed(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_ADD_PORT, 0);
    ck_assert_str_eq(s->ovsport.port, "eth0_1");
    ck_assert_str_eq(s->ovsport.bridge, "ovs-sriov");
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->vf, 1);
    ck_assert(p->has_ovs);
    (void)f;
}

/* The port carries its key when added (offload-agent-port). */
static void
check_rep_port_readded_keyed(struct fx *f, const struct plan *p)
{
    check_rep_port_removed(f, p);
    ck_assert_str_eq(nth(p, PLAN_OVS_ADD_PORT, 0)->ovsport.key,
                     "netdevsim/netdevsim1/vf1");
}

/* udev (or an operator) renamed VF 1's representor while it was
 * attached: OVS still has the agent's port eth0_1 with VF 1's key. */
static void
setup_rep_renamed(struct fx *f)
{
    fx_converged(f, SF, 2);
    snprintf(f->ovfs[0][1].rep, sizeof f->ovfs[0][1].rep, "enp8s0f0_1");
}

static void
check_rep_renamed(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_RENAME_PORT, 0);
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->vf, 1);
    ck_assert_str_eq(s->object, "enp8s0f0_1");
    ck_assert_str_eq(s->detail, "eth0_1 -> enp8s0f0_1");
    ck_assert_str_eq(s->ovsport.from_port, "eth0_1");
    ck_assert_str_eq(s->ovsport.port, "enp8s0f0_1");
    ck_assert_str_eq(s->ovsport.key, "netdevsim/netdevsim1/vf1");
    ck_assert(p->has_ovs);
    ck_assert(!p->has_detach);
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"),
                     "eth0,eth0_0,enp8s0f0_1");
    (void)f;
}

/* Both representors renamed, and the uplink's port has no key (an older
 * agent added it): two renames and the key set in place. */
static void
setup_reps_renamed_uplink_unkeyed(struct fx *f)
{
    setup_rep_renamed(f);
    snprintf(f->ovfs[0][0].rep, sizeof f->ovfs[0][0].rep, "enp8s0f0_0");
    f->ports[0][0].key = NULL; /* eth0 */
}

static void
check_reps_renamed_uplink_unkeyed(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_SET_PORT_KEY, 0);
    ck_assert_str_eq(s->ovsport.port, "eth0");
    ck_assert_str_eq(s->ovsport.key, "netdevsim/netdevsim1/uplink");
    ck_assert_int_eq(s->vf, -1);
    ck_assert_str_eq(nth(p, PLAN_OVS_RENAME_PORT, 0)->ovsport.from_port,
                     "eth0_0");
    ck_assert_str_eq(nth(p, PLAN_OVS_RENAME_PORT, 1)->ovsport.from_port,
                     "eth0_1");
    (void)f;
}

/* Ports an older agent added carry no key: they get it, in place (no
 * port is removed or added). */
static void
setup_ports_unkeyed(struct fx *f)
{
    fx_converged(f, SF, 2);
    for (size_t p = 0; p < f->br[0].n_ports; p++) {
        f->ports[0][p].key = NULL;
    }
}

static void
check_ports_unkeyed(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_OVS_SET_PORT_KEY, 0)->ovsport.port, "eth0");
    ck_assert_str_eq(nth(p, PLAN_OVS_SET_PORT_KEY, 2)->ovsport.key,
                     "netdevsim/netdevsim1/vf1");
    ck_assert_int_eq(nth(p, PLAN_OVS_SET_PORT_KEY, 2)->vf, 1);
    (void)f;
}

/* A foreign port (not ours) named like the representor is left as it
 * is: no key set on it. */
static void
setup_rep_port_foreign_unkeyed(struct fx *f)
{
    setup_ports_unkeyed(f);
    for (size_t p = 0; p < f->br[0].n_ports; p++) {
        f->ports[0][p].owned = false;
        f->ifaces[0][p].owned = false;
    }
}

static void
setup_vf_detached(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->vfs[0][1].attach = false;
}

static void
check_vf_detached(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_OVS_DEL_PORT, 0)->ovsport.port, "eth0_1");
    ck_assert(!p->has_detach);
    (void)f;
}

static void
setup_bridge_renamed(struct fx *f)
{
    fx_converged(f, SF, 2);
    ovs_port(f, 0, "tap0", false);
    ovs_port(f, 0, "old0", true);
    snprintf(f->bridge_names[1], sizeof f->bridge_names[1], "br-new");
    f->bridges[0].name = f->bridge_names[1];
    f->pfs[0].bridge = f->bridge_names[1];
}

static void
check_bridge_renamed(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_OVS_ADD_BRIDGE, 0)->ovsport.bridge, "br-new");
    const char *moved[] = {"eth0", "eth0_0", "eth0_1"};
    for (unsigned i = 0; i < 3; i++) {
        const struct plan_step *s = nth(p, PLAN_OVS_MOVE_PORT, i);
        ck_assert_str_eq(s->ovsport.port, moved[i]);
        ck_assert_str_eq(s->ovsport.from_bridge, "ovs-sriov");
        ck_assert_str_eq(s->ovsport.bridge, "br-new");
    }
    ck_assert_str_eq(nth(p, PLAN_OVS_DEL_PORT, 0)->ovsport.port, "old0");
    assert_untouched(p, "tap0");
    (void)f;
}

static void
setup_hw_tc_off_rep(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->ovfs[0][1].rep_hw_tc_offload = OBS_NO;
}

static void
check_hw_tc_off_rep(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_HW_TC_OFFLOAD, 0);
    ck_assert_str_eq(s->hwtc.netdev, "eth0_1");
    ck_assert_int_eq(s->vf, 1);
    ck_assert(s->hwtc.on);
    (void)f;
}

static void
setup_hw_tc_unknown(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->ovfs[0][1].rep_hw_tc_offload = OBS_UNKNOWN;
    f->opfs[0].uplink_hw_tc_offload = OBS_UNKNOWN;
}

static void
setup_pf_not_found(struct fx *f)
{
    fx_blank(f, SF);
    f->opfs[0].found = false;
    snprintf(f->opfs[0].error, sizeof f->opfs[0].error, "no netdev eth0");
}

static void
check_pf_not_found(struct fx *f, const struct plan *p)
{
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_int_eq(p->blockers[0].pf, 0);
    ck_assert_str_eq(p->blockers[0].object, "eth0");
    ck_assert_str_eq(p->blockers[0].message, "no netdev eth0");
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "");
    (void)f;
}

/* A PF that disappears (not probed yet at boot, renamed) must not cost
 * its ports: the agent cannot tell them from stale ones. */
static void
setup_pf_gone_converged(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->opfs[0].found = false;
    snprintf(f->opfs[0].error, sizeof f->opfs[0].error, "no netdev eth0");
}

static void
check_pf_gone_converged(struct fx *f, const struct plan *p)
{
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0,eth0_0,eth0_1");
    (void)f;
}

static void
setup_too_many_vfs(struct fx *f)
{
    fx_blank(f, SF);
    f->opfs[0].total_vfs = 2;
    f->pfs[0].num_vfs = 4;
}

static void
check_too_many_vfs(struct fx *f, const struct plan *p)
{
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_str_eq(p->blockers[0].object, "eth0");
    ck_assert_str_eq(p->blockers[0].message,
                     "4 VFs wanted, the device supports at most 2");
    (void)f;
}

static void
setup_no_eswitch(struct fx *f)
{
    fx_blank(f, SF);
    f->opfs[0].has_eswitch = false;
}

static void
setup_ovs_down(struct fx *f)
{
    fx_blank(f, SF);
    f->host.ovs.connected = false;
    f->host.ovs.state = NULL;
    f->host.ovs.vswitchd_id = NULL;
}

static void
check_ovs_down(struct fx *f, const struct plan *p)
{
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_int_eq(p->blockers[0].pf, -1);
    ck_assert_str_eq(p->blockers[0].object, "ovsdb");
    ck_assert_str_eq(p->blockers[0].message,
                     "OVSDB not reachable at unix:/run/openvswitch/db.sock");
    ck_assert(!p->has_ovs);
    ck_assert(!p->has_offload);
    (void)f;
}

static void
setup_ovs_down_vfs_change(struct fx *f)
{
    /* Without OVS nothing can be detached: the kernel steps still go. */
    setup_vfs_2_to_4(f);
    f->host.ovs.connected = false;
    f->host.ovs.state = NULL;
}

static void
setup_reps_missing(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->ovfs[0][1].has_rep = false;
    f->ovfs[0][1].rep[0] = '\0';
    f->opfs[0].n_reps = 1;
    ovs_del_port(f, "eth0_1");
}

static void
check_reps_missing(struct fx *f, const struct plan *p)
{
    ck_assert(!plan_is_converged(p));
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_str_eq(p->blockers[0].object, "eth0");
    ck_assert_str_eq(p->blockers[0].message, "1 of 2 representors missing");
    (void)f;
}

static void
setup_restart(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->spec.ovs.hw_offload = false;
}

static void
check_restart(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_SET_CONFIG, 0);
    ck_assert_str_eq(s->kv.key, VSDB_KEY_HW_OFFLOAD);
    ck_assert_str_eq(s->kv.value, "false");
    ck_assert_str_eq(s->detail, "true -> false");
    s = &p->steps[p->n_steps - 1];
    ck_assert_int_eq(s->action, PLAN_RESTART_VSWITCHD);
    ck_assert_str_eq(s->detail, p->offload.reason);
    ck_assert_int_eq(p->offload.verdict, VSDB_OFFLOAD_RESTART_NEEDED);
    ck_assert(!plan_action_is_ovs(PLAN_RESTART_VSWITCHD));
    (void)f;
}

static void
setup_tc_policy_live(struct fx *f)
{
    /* hw-offload never latched on (no record, db off): a tc-policy
     * change is live, no restart. */
    fx_converged(f, SF, 2);
    kv_set(f, 0, VSDB_KEY_HW_OFFLOAD, "false");
    kv_set(f, 1, VSDB_RECORD_LATCHED, "hw-offload=false");
    f->spec.ovs.tc_policy = SPEC_TC_POLICY_SKIP_SW;
}

static void
setup_no_vswitchd(struct fx *f)
{
    fx_blank(f, SF);
    f->host.ovs.vswitchd_id = NULL;
}

static void
setup_not_caught_up(struct fx *f)
{
    /* ovs-vswitchd has not read the last transaction yet: nothing to
     * write, but the settings are not in effect either. */
    fx_converged(f, SF, 2);
    f->st.next_cfg = f->st.cur_cfg + 1;
}

static void
check_not_caught_up(struct fx *f, const struct plan *p)
{
    ck_assert_int_eq(p->offload.verdict, VSDB_OFFLOAD_LIVE);
    (void)f;
}

static void
setup_max_idle(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->spec.ovs.max_idle_ms = 10000;
}

static void
check_max_idle(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_OVS_SET_CONFIG, 0)->kv.key,
                     VSDB_KEY_MAX_IDLE);
    ck_assert_str_eq(nth(p, PLAN_OVS_SET_CONFIG, 0)->kv.value, "10000");
    (void)f;
}

static void
setup_inline_mode(struct fx *f)
{
    /* netdevsim does not report an inline mode: the step goes out and
     * apply reports the kernel's refusal. */
    fx_converged(f, SF, 2);
    f->pfs[0].inline_mode = SPEC_INLINE_LINK;
}

static void
check_inline_mode(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_ESWITCH, 0);
    ck_assert_int_eq(s->eswitch.mode, DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_int_eq(s->eswitch.inline_mode, DEVLINK_ESWITCH_INLINE_MODE_LINK);
    ck_assert_int_eq(s->eswitch.encap_mode, -1);
    ck_assert_str_eq(s->detail, "switchdev, inline-mode link");
    /* mlx5 refuses inline/encap changes while flows are offloaded: the
     * representors go out with the uplink and come back. */
    assert_uplink_readded(p);
    for (unsigned k = 0; k < 2; k++) {
        const struct plan_step *d = nth(p, PLAN_DETACH_PORT, 1 + k);
        const struct plan_step *a = nth(p, PLAN_OVS_ADD_PORT, 1 + k);
        ck_assert_str_eq(d->ovsport.port, f->ovfs[0][k].rep);
        ck_assert_str_eq(d->detail,
                         "from ovs-sriov: before the eswitch change");
        ck_assert_str_eq(a->ovsport.port, f->ovfs[0][k].rep);
        ck_assert_int_eq(a->vf, (int)k);
    }
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0,eth0_0,eth0_1");
}

static void
setup_local_port_clash(struct fx *f)
{
    /* The uplink is named like another bridge (its local port). */
    fx_converged(f, SF, 2);
    snprintf(f->opfs[0].netdev, sizeof f->opfs[0].netdev, "br0");
    ovs_del_port(f, "eth0");
    size_t b = ovs_bridge(f, "br0", false);
    ovs_port(f, b, "br0", false);
}

static void
check_local_port_clash(struct fx *f, const struct plan *p)
{
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_str_eq(p->blockers[0].object, "br0");
    ck_assert(!p->has_ovs);
    (void)f;
}

static void
setup_pci_pf(struct fx *f)
{
    /* An SR-IOV PCI function without netdev or devlink (the bed's NVMe):
     * legacy, VF count only, nothing for OVS. */
    fx_blank(f, VF);
    snprintf(f->pf_ids[0], sizeof f->pf_ids[0], "0000:01:00.0");
    f->pfs[0].key = SPEC_PF_BY_PCI;
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
    f->pfs[0].bridge = NULL;
    f->pfs[0].n_vfs = 0;
    f->spec.n_bridges = 0;
    f->opfs[0].netdev[0] = '\0';
    f->opfs[0].has_devlink = false;
    f->opfs[0].devlink[0] = '\0';
    f->opfs[0].has_eswitch = false;
    f->opfs[0].vfs_are_devices = true;
    f->opfs[0].uplink_hw_tc_offload = OBS_UNKNOWN;
}

static void
check_pci_pf(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_NUMVFS, 0);
    ck_assert_str_eq(s->object, "0000:01:00.0");
    ck_assert_uint_eq(s->numvfs.num, 2);
    ck_assert(!s->numvfs.no_autoprobe); /* no vf_driver: binding left alone */
    /* No netdev: no VF list to read; the PCI functions are awaited. */
    s = nth(p, PLAN_WAIT_VFS, 0);
    ck_assert(s->wait.pci && !s->wait.listed && !s->wait.reps);
    ck_assert_str_eq(s->detail, "2 VFs: PCI functions");
    ck_assert_uint_eq(p->want.n_bridges, 0);
    (void)f;
}

static void
setup_vf_info_missing(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->ovfs[0][1].has_info = false;
}

static void
check_vf_info_missing(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(p->blockers[0].object, "eth0 vf 1");
    (void)f;
}

/* sriov_numvfs says 2 (someone's write, a moment ago: our set-numvfs
 * in a round cut short, another tool, firmware at boot) while the
 * kernel lists none yet and has no representors: the VFs are coming. */
static void
setup_vfs_arriving(struct fx *f)
{
    fx_converged(f, SF, 2);
    for (unsigned k = 0; k < 2; k++) {
        struct obs_vf *ov = &f->ovfs[0][k];
        ov->has_info = false;
        memset(ov->mac, 0, 6);
        ov->has_rep = false;
        ov->rep[0] = '\0';
    }
    ovs_del_port(f, "eth0_0");
    ovs_del_port(f, "eth0_1");
    f->opfs[0].n_reps = 0;
    f->opfs[0].vfs_arriving = true;
}

/* Waited for as after set-numvfs, then set up as new: no blocker. */
static void
check_vfs_arriving(struct fx *f, const struct plan *p)
{
    ck_assert_uint_eq(p->n_blockers, 0);
    const struct plan_step *s = nth(p, PLAN_WAIT_VFS, 0);
    ck_assert_uint_eq(s->wait.num, 2);
    ck_assert(s->wait.listed && s->wait.reps && !s->wait.pci);
    ck_assert_str_eq(s->detail, "2 VFs: listed, representors (the kernel is "
                                "still creating them)");
    for (int k = 0; k < 2; k++) {
        s = nth(p, PLAN_SET_VF, k);
        ck_assert_int_eq(s->vf, k);
        ck_assert(s->setvf.req.has_mac);
        assert_mac(s->setvf.req.mac, 0, (unsigned)k);
    }
    (void)f;
}

/* The same but with the VF count changing too: our set-numvfs, one
 * wait (the arrival of the old count does not matter). */
static void
setup_vfs_arriving_count_change(struct fx *f)
{
    setup_vfs_arriving(f);
    f->pfs[0].num_vfs = 1;
    f->pfs[0].n_vfs = 1;
}

static void
setup_two_pfs(struct fx *f)
{
    fx_spec(f, 2);
    fx_blank(f, SF);
}

static void
check_two_pfs(struct fx *f, const struct plan *p)
{
    /* Every kernel step of PF 0, then of PF 1, then OVS. */
    size_t i = 0;
    for (; i < p->n_steps && p->steps[i].pf == 0 &&
           !plan_action_is_ovs(p->steps[i].action);
         i++) {
    }
    ck_assert_uint_eq(i, 10);
    for (; i < p->n_steps && p->steps[i].pf == 1 &&
           !plan_action_is_ovs(p->steps[i].action);
         i++) {
    }
    ck_assert_uint_eq(i, 20);
    ck_assert_str_eq(nth(p, PLAN_SET_ESWITCH, 1)->object,
                     "netdevsim/netdevsim2");
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0,eth1");
    assert_mac(nth(p, PLAN_SET_VF, 3)->setvf.req.mac, 1, 1);
    (void)f;
}

/* Steering: the spec asks for smfs, the PF has dmfs (mlx5's
 * flow_steering_mode, changed only in legacy with 0 VFs). */
static void
fx_steering(struct fx *f, const char *have)
{
    f->pfs[0].steering_mode = SPEC_STEERING_SMFS;
    f->opfs[0].has_steering = true;
    snprintf(f->opfs[0].steering, sizeof f->opfs[0].steering, "%s", have);
}

static void
setup_steering_converged(struct fx *f)
{
    fx_converged(f, SF, 2);
    fx_steering(f, "smfs");
}

static void
setup_steering_from_switchdev(struct fx *f)
{
    fx_converged(f, SF, 2);
    fx_steering(f, "dmfs");
}

static void
setup_steering_from_switchdev_b(struct fx *f)
{
    fx_converged(f, VF, 2);
    fx_steering(f, "dmfs");
}

static void
check_steering_from_switchdev(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_uint_eq(nth(p, PLAN_SET_NUMVFS, 0)->numvfs.num, 0);
    const struct plan_step *s = nth(p, PLAN_SET_ESWITCH, 0);
    ck_assert_int_eq(s->eswitch.mode, DEVLINK_ESWITCH_MODE_LEGACY);
    ck_assert_int_eq(s->eswitch.inline_mode, -1);
    ck_assert_str_eq(s->detail,
                     "switchdev -> legacy (to change the steering mode)");
    ck_assert_int_eq(s->eswitch.order, -1); /* not the PF's order */
    s = nth(p, PLAN_SET_STEERING_MODE, 0);
    ck_assert_str_eq(s->steering.mode, "smfs");
    ck_assert_str_eq(s->steering.netdev, "eth0");
    ck_assert_str_eq(s->detail, "dmfs -> smfs");
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(nth(p, PLAN_SET_ESWITCH, 1)->eswitch.mode,
                     DEVLINK_ESWITCH_MODE_SWITCHDEV);
    ck_assert_int_eq(nth(p, PLAN_SET_ESWITCH, 1)->eswitch.order,
                     f->opfs[0].order);
    ck_assert_uint_eq(nth(p, PLAN_SET_NUMVFS, 1)->numvfs.num, 2);
    ck_assert_uint_eq(nth(p, PLAN_WAIT_VFS, 0)->wait.num, 2);
    /* Recreated VFs: their MACs are written again. */
    assert_mac(nth(p, PLAN_SET_VF, 0)->setvf.req.mac, 0, 0);
    ck_assert_str_eq(plan_action_name(PLAN_SET_STEERING_MODE),
                     "set-steering-mode");
    ck_assert(!plan_action_is_ovs(PLAN_SET_STEERING_MODE));
}

/* Legacy, no VFs wanted: the param alone. */
static void
setup_steering_legacy(struct fx *f)
{
    fx_blank(f, SF);
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
    f->pfs[0].num_vfs = 0;
    f->pfs[0].n_vfs = 0;
    f->pfs[0].bridge = NULL;
    f->spec.n_bridges = 0;
    fx_steering(f, "dmfs");
}

/* Asked for, but the driver has no such param: a blocker, no step. */
static void
setup_steering_unsupported(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->pfs[0].steering_mode = SPEC_STEERING_DMFS;
}

static void
check_steering_unsupported(struct fx *f, const struct plan *p)
{
    (void)f;
    ck_assert_str_eq(p->blockers[0].message,
                     "steering_mode dmfs asked, but the device has no "
                     "devlink param flow_steering_mode");
}

static void
setup_rep_down(struct fx *f)
{
    /* Attached to OVS, but down: ovs-vswitchd does not set it up. */
    fx_converged(f, SF, 2);
    f->ovfs[0][1].rep_up = OBS_NO;
}

static void
check_rep_down(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_LINK_UP, 0);
    ck_assert_str_eq(s->link.netdev, "eth0_1");
    ck_assert_str_eq(s->object, "eth0_1");
    ck_assert_str_eq(s->detail, "down -> up");
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->vf, 1);
    ck_assert(!plan_action_is_ovs(PLAN_SET_LINK_UP));
    ck_assert(!p->has_ovs);
    (void)f;
}

static void
setup_rep_down_unattached(struct fx *f)
{
    /* Not a port of OVS: set up all the same (its VF's link follows
     * it). */
    fx_converged(f, SF, 2);
    f->vfs[0][1].attach = false;
    ovs_del_port(f, "eth0_1");
    f->ovfs[0][1].rep_up = OBS_NO;
}

static void
setup_uplink_down(struct fx *f)
{
    fx_converged(f, VF, 2);
    f->opfs[0].uplink_up = OBS_NO;
    f->ovfs[0][0].rep_up = OBS_NO;
}

static void
check_uplink_down(struct fx *f, const struct plan *p)
{
    /* The uplink first, then the representors. */
    const struct plan_step *s = nth(p, PLAN_SET_LINK_UP, 0);
    ck_assert_str_eq(s->link.netdev, "eth0");
    ck_assert_int_eq(s->vf, -1);
    ck_assert_str_eq(nth(p, PLAN_SET_LINK_UP, 1)->link.netdev, "eth0_0");
    (void)f;
}

static void
setup_uplink_down_legacy(struct fx *f)
{
    /* Legacy with VFs: their traffic leaves through the uplink. */
    f->pfs[0].eswitch = SPEC_ESWITCH_LEGACY;
    f->pfs[0].bridge = NULL;
    f->spec.n_bridges = 0;
    fx_blank(f, SF);
    fx_pf_vfs(f, 0, 2);
    kv_set(f, 0, VSDB_KEY_HW_OFFLOAD, "true");
    kv_set(f, 0, VSDB_KEY_TC_POLICY, "none");
    kv_set(f, 1, VSDB_RECORD_VSWITCHD, VSWITCHD_ID);
    kv_set(f, 1, VSDB_RECORD_LATCHED, "hw-offload=true,tc-policy=none");
    f->opfs[0].uplink_up = OBS_NO;
}

static void
check_uplink_down_legacy(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(nth(p, PLAN_SET_LINK_UP, 0)->link.netdev, "eth0");
    (void)f;
}

static void
setup_link_state_unknown(struct fx *f)
{
    /* Not read (the dump failed): nothing to plan on. */
    fx_converged(f, SF, 2);
    f->opfs[0].uplink_up = OBS_UNKNOWN;
    f->ovfs[0][0].rep_up = OBS_UNKNOWN;
}

static void
setup_rep_down_recreated(struct fx *f)
{
    /* A representor down that this plan removes: only the pending steps
     * of the new ones. */
    fx_converged(f, SF, 2);
    f->ovfs[0][0].rep_up = OBS_NO;
    f->pfs[0].num_vfs = 1;
}

static void
check_rep_down_recreated(struct fx *f, const struct plan *p)
{
    /* The one set-link-up is the new representor's, not eth0_0's. */
    ck_assert_str_eq(nth(p, PLAN_SET_LINK_UP, 0)->link.netdev, "");
    ck_assert_int_eq(nth(p, PLAN_SET_LINK_UP, 0)->vf, 0);
    (void)f;
}

/* ---- VLAN on a switchdev PF: the representor port's OVS tag --------- */

/* Port 'name' of bridge 0 gets Port.tag 'tag' (-1: none). */
static void
ovs_port_tag(struct fx *f, const char *name, int tag)
{
    for (size_t p = 0; p < f->br[0].n_ports; p++) {
        struct vsdb_port *port = &f->ports[0][p];
        if (!strcmp(port->name, name)) {
            port->has_tag = tag >= 0;
            port->tag = tag >= 0 ? (unsigned)tag : 0;
            return;
        }
    }
    ck_abort_msg("no port %s", name);
}

/* The tag the OVS transaction wants for 'port' of ovs-sriov. */
static int
want_tag_of(const struct plan *p, const char *port)
{
    const struct vsdb_want_bridge *wb = &p->want.bridges[0];
    ck_assert_ptr_nonnull(wb->tags);
    for (size_t i = 0; i < wb->n_ports; i++) {
        if (!strcmp(wb->ports[i], port)) {
            return wb->tags[i];
        }
    }
    ck_abort_msg("port %s not wanted", port);
    return 0;
}

static void
setup_vlan_switchdev(struct fx *f)
{
    fx_converged(f, SF, 2);
    f->vfs[0][0].vlan = 100;
    /* A VF ndo VLAN left from legacy: the VF setting is not the agent's
     * in switchdev (mlx5 refuses it), so it plans none. */
    f->ovfs[0][0].vlan = 5;
}

static void
check_vlan_switchdev(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_SET_PORT_TAG, 0);
    ck_assert_str_eq(s->object, "eth0_0");
    ck_assert_str_eq(s->ovsport.port, "eth0_0");
    ck_assert_str_eq(s->ovsport.bridge, "ovs-sriov");
    ck_assert_str_eq(s->detail, "tag none -> 100");
    ck_assert(s->ovsport.has_tag);
    ck_assert_uint_eq(s->ovsport.tag, 100);
    ck_assert_int_eq(s->pf, 0);
    ck_assert_int_eq(s->vf, 0);
    ck_assert(plan_action_is_ovs(PLAN_OVS_SET_PORT_TAG));
    /* The uplink's tag is not the agent's; VF 1 has no vlan: none. */
    ck_assert_int_eq(want_tag_of(p, "eth0"), VSDB_TAG_LEAVE);
    ck_assert_int_eq(want_tag_of(p, "eth0_0"), 100);
    ck_assert_int_eq(want_tag_of(p, "eth0_1"), VSDB_TAG_NONE);
    (void)f;
}

static void
setup_vlan_switchdev_converged(struct fx *f)
{
    setup_vlan_switchdev(f);
    ovs_port_tag(f, "eth0_0", 100);
}

static void
setup_vlan_tag_drift(struct fx *f)
{
    setup_vlan_switchdev_converged(f);
    ovs_port_tag(f, "eth0_0", 200);
}

static void
check_vlan_tag_drift(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_SET_PORT_TAG, 0);
    ck_assert_str_eq(s->object, "eth0_0");
    ck_assert_str_eq(s->detail, "tag 200 -> 100");
    ck_assert_uint_eq(s->ovsport.tag, 100);
    (void)f;
}

static void
setup_vlan_tag_cleared(struct fx *f)
{
    /* Someone tagged the agent's port of a VF without vlan. */
    fx_converged(f, SF, 2);
    ovs_port_tag(f, "eth0_1", 200);
}

static void
check_vlan_tag_cleared(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_SET_PORT_TAG, 0);
    ck_assert_str_eq(s->object, "eth0_1");
    ck_assert_int_eq(s->vf, 1);
    ck_assert_str_eq(s->detail, "tag 200 -> none");
    ck_assert(!s->ovsport.has_tag);
    (void)f;
}

static void
setup_vlan_foreign_ports(struct fx *f)
{
    /* Both representor ports were added by someone else: VF 0 wants
     * vlan 100 (a blocker: never changed), VF 1 has a tag and no vlan
     * (left alone). */
    fx_converged(f, SF, 2);
    f->vfs[0][0].vlan = 100;
    f->ports[0][1].owned = false; /* eth0_0 */
    f->ports[0][2].owned = false; /* eth0_1 */
    ovs_port_tag(f, "eth0_1", 300);
}

static void
check_vlan_foreign_ports(struct fx *f, const struct plan *p)
{
    ck_assert_str_eq(p->blockers[0].object, "eth0_0");
    ck_assert_str_eq(p->blockers[0].message,
                     "vlan 100 of VF 0 is its port's OVS tag, but port "
                     "eth0_0 is not the agent's (no "
                     "external_ids:offload-agent-owned): set its tag or "
                     "remove the port");
    struct vsdb_plan *vp = NULL;
    ck_assert_int_eq(vsdb_plan_compute(&p->want, &f->st, &vp), 0);
    ck_assert_uint_eq(vp->n_ops, 0);
    vsdb_plan_free(vp);
}

static void
setup_vlan_blank(struct fx *f)
{
    fx_blank(f, SF);
    f->vfs[0][0].vlan = 100;
}

static void
check_vlan_blank(struct fx *f, const struct plan *p)
{
    /* The representors appear in this plan: their add-port steps say
     * the tag they will get; no set-vf carries a vlan. */
    const struct plan_step *s = nth(p, PLAN_OVS_ADD_PORT, 1);
    ck_assert_int_eq(s->vf, 0);
    ck_assert_str_eq(s->detail, "to ovs-sriov, after it appears, tag 100");
    ck_assert(s->ovsport.has_tag);
    ck_assert_uint_eq(s->ovsport.tag, 100);
    s = nth(p, PLAN_OVS_ADD_PORT, 2);
    ck_assert_int_eq(s->vf, 1);
    ck_assert(!s->ovsport.has_tag);
    for (unsigned k = 0; k < 2; k++) {
        ck_assert_int_eq(nth(p, PLAN_SET_VF, k)->setvf.req.vlan, -1);
    }
    (void)f;
}

static void
setup_vlan_reps_appeared(struct fx *f)
{
    /* The next round: the representors exist, their ports do not. */
    fx_converged(f, SF, 2);
    ovs_del_port(f, "eth0_0");
    ovs_del_port(f, "eth0_1");
    f->vfs[0][0].vlan = 100;
}

static void
check_vlan_reps_appeared(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_OVS_ADD_PORT, 0);
    ck_assert_str_eq(s->ovsport.port, "eth0_0");
    ck_assert_str_eq(s->detail, "to ovs-sriov, tag 100");
    ck_assert(s->ovsport.has_tag);
    ck_assert_uint_eq(s->ovsport.tag, 100);
    ck_assert(!nth(p, PLAN_OVS_ADD_PORT, 1)->ovsport.has_tag);
    struct vsdb_plan *vp = NULL;
    ck_assert_int_eq(vsdb_plan_compute(&p->want, &f->st, &vp), 0);
    ck_assert_uint_eq(vp->n_ops, 2);
    ck_assert(vp->ops[0].has_tag && vp->ops[0].tag == 100);
    ck_assert(!vp->ops[1].has_tag);
    vsdb_plan_free(vp);
}

static void
setup_vlan_eswitch_drift(struct fx *f)
{
    /* Switchdev-first, VFs there: the ports leave OVS before the
     * eswitch change and come back as new rows, with the tag. */
    setup_vlan_switchdev_converged(f);
    f->opfs[0].eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
}

static void
check_vlan_eswitch_drift(struct fx *f, const struct plan *p)
{
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct plan_step *s = &p->steps[i];
        ck_assert(s->action != PLAN_OVS_SET_PORT_TAG);
        ck_assert(s->action != PLAN_SET_VF || s->setvf.req.vlan < 0);
        if (s->action == PLAN_OVS_ADD_PORT && s->vf == 0) {
            ck_assert(s->ovsport.has_tag && s->ovsport.tag == 100);
        }
    }
    (void)f;
}

static void
setup_vlan_legacy(struct fx *f)
{
    /* Legacy with a bridge: the uplink is a port, the VF's VLAN is its
     * VF ndo; no tag anywhere. */
    fx_legacy_converged(f);
    f->vfs[0][0].vlan = 100;
    f->pfs[0].bridge = f->bridge_names[0];
    f->spec.n_bridges = 1;
    size_t b = ovs_bridge(f, "ovs-sriov", true);
    char key[sizeof f->opfs[0].devlink + 16];
    ovs_port(f, b, "eth0", true);
    snprintf(key, sizeof key, "%s/uplink", f->opfs[0].devlink);
    ovs_port_key(f, b, key);
    ovs_port(f, b, "ovs-sriov", true);
}

static void
check_vlan_legacy(struct fx *f, const struct plan *p)
{
    const struct plan_step *s = nth(p, PLAN_SET_VF, 0);
    ck_assert_int_eq(s->setvf.req.vlan, 100);
    ck_assert_str_eq(s->detail, "vlan 100");
    ck_assert_int_eq(want_tag_of(p, "eth0"), VSDB_TAG_LEAVE);
    (void)f;
}

struct scenario {
    const char *name;
    void (*setup)(struct fx *);
    const char *actions;
    size_t n_blockers;
    void (*check)(struct fx *, const struct plan *);
};

static const struct scenario scenarios[] = {
    {"in use: 2 -> 1, VF 1 held: blocked", setup_in_use_2_to_1, "", 1,
     check_in_use_2_to_1},
    {"in use: 2 -> 1 through 0, VF 0 held: blocked", setup_in_use_2_to_1_vf0,
     "", 1, check_in_use_2_to_1_vf0},
    {"in use: 2 -> 1, VF 1 held, disruptive allow", setup_in_use_2_to_1_allow,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,set-numvfs,"
     "wait-vfs,set-vf,set-hw-tc-offload,set-link-up,add-port,add-port",
     0, check_in_use_2_to_1_allow},
    {"in use: a held VF no step removes", setup_in_use_untouched,
     "unbind-vf,set-vf,bind-vf", 0, check_in_use_untouched},
    {"in use: vf_driver unbinds a held VF: blocked", setup_in_use_unbind, "",
     1, check_in_use_unbind},
    {"in use: vf_driver unbinds a held VF, disruptive allow",
     setup_in_use_unbind_allow, "unbind-vf,unbind-vf,set-vf,bind-vf,bind-vf",
     0, check_in_use_unbind_allow},
    {"in use: switchdev -> legacy: blocked, representor ports kept",
     setup_in_use_to_legacy, "", 1, check_in_use_to_legacy},
    {"in use: eswitch change through 0 VFs: blocked", setup_in_use_eswitch, "",
     1, check_in_use_eswitch},
    {"steering as wanted", setup_steering_converged, "", 0, check_converged},
    {"steering dmfs -> smfs from switchdev", setup_steering_from_switchdev,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,"
     "set-steering-mode,set-eswitch,set-numvfs,wait-vfs,set-vf,"
     "set-vf,set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "add-port,add-port,add-port",
     0, check_steering_from_switchdev},
    {"steering dmfs -> smfs from switchdev, VFs first",
     setup_steering_from_switchdev_b,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,"
     "set-steering-mode,set-numvfs,set-eswitch,wait-vfs,set-vf,"
     "set-vf,set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "add-port,add-port,add-port",
     0, check_steering_from_switchdev},
    {"steering in legacy without VFs", setup_steering_legacy,
     "set-steering-mode,set-hw-tc-offload,set-other-config,set-other-config,"
     "set-external-id,set-external-id",
     0, NULL},
    {"steering asked, no such param", setup_steering_unsupported, "", 1,
     check_steering_unsupported},
    {"blank, switchdev with 0 VFs", setup_blank_a,
     "set-eswitch,set-numvfs," KERNEL_BLANK_TAIL "," OVS_BLANK, 0,
     check_blank},
    {"blank, VFs first", setup_blank_b,
     "set-numvfs,set-eswitch," KERNEL_BLANK_TAIL "," OVS_BLANK, 0,
     check_blank},
    {"blank, default order on a 5.14 kernel: switchdev first",
     setup_blank_default,
     "set-eswitch,set-numvfs," KERNEL_BLANK_TAIL "," OVS_BLANK, 0,
     check_blank},
    {"converged", setup_converged_a, "", 0, check_converged},
    {"converged, VFs first", setup_converged_b, "", 0, check_converged},
    {"converged, PCI VFs bound", setup_converged_pci, "", 0, check_converged},
    {"converged, trust and spoofchk as wanted", setup_converged_trust, "", 0,
     check_converged},
    {"VFs 2 -> 4", setup_vfs_2_to_4,
     "detach-port,detach-port,set-numvfs,set-eswitch,set-numvfs,"
     "wait-vfs,set-vf,set-vf,set-hw-tc-offload,set-hw-tc-offload,"
     "set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "set-link-up,set-link-up,add-port,add-port,add-port,add-port,add-port",
     0, check_vfs_2_to_4},
    {"VFs 4 -> 1, VFs first", setup_vfs_4_to_1_b,
     "detach-port,detach-port,detach-port,detach-port,detach-port,"
     "set-numvfs,set-numvfs,set-eswitch,wait-vfs,set-vf,"
     "set-hw-tc-offload,set-link-up,add-port,add-port",
     0, check_vfs_4_to_1},
    {"VFs 4 -> 1", setup_vfs_4_to_1_a,
     "detach-port,detach-port,detach-port,detach-port,detach-port,"
     "set-numvfs,set-eswitch,set-numvfs,wait-vfs,set-vf,"
     "set-hw-tc-offload,set-link-up,add-port,add-port",
     0, check_vfs_4_to_1},
    {"VFs 2 -> 0: switchdev re-asserted, nothing to wait for",
     setup_vfs_2_to_0,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,add-port", 0,
     NULL},
    {"MAC change", setup_mac_change, "set-vf", 0, check_mac_change},
    {"MACs via port function, converged", setup_port_fn_converged, "", 0,
     NULL},
    {"MAC drift seen by the port function", setup_port_fn_mac_drift, "set-vf",
     0, check_port_fn_mac_drift},
    {"port function MAC without the PF's VF list", setup_port_fn_no_vf_info,
     "set-vf", 0, check_port_fn_mac_drift},
    {"port function MACs of PCI VFs, one bound, one not", setup_port_fn_pci,
     "unbind-vf,set-vf,set-vf,bind-vf,bind-vf", 0, check_port_fn_pci},
    {"port function MAC, eswitch drifted to legacy, switchdev-first",
     setup_port_fn_legacy_drift_sf,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,"
     "set-numvfs,wait-vfs,set-vf,set-vf,set-hw-tc-offload,"
     "set-hw-tc-offload,set-link-up,set-link-up,add-port,add-port,"
     "add-port",
     0, check_port_fn_legacy_drift_sf},
    {"port function MAC, eswitch drifted to legacy, VFs first",
     setup_port_fn_legacy_drift,
     "detach-port,detach-port,detach-port,set-eswitch,wait-vfs,set-vf,"
     "set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,add-port,"
     "add-port,add-port",
     0, check_port_fn_legacy_drift},
    {"VF detached in the spec: only its port goes", setup_vf_detached,
     "del-port", 0, check_vf_detached},
    {"vlan, trust and spoofchk changes", setup_vlan_trust, "set-vf,set-vf", 0,
     check_vlan_trust},
    {"switchdev vlan: its port's tag, no set-vf", setup_vlan_switchdev,
     "set-port-tag", 0, check_vlan_switchdev},
    {"switchdev vlan: tag as wanted", setup_vlan_switchdev_converged, "", 0,
     check_converged},
    {"switchdev vlan: tag changed by hand", setup_vlan_tag_drift,
     "set-port-tag", 0, check_vlan_tag_drift},
    {"switchdev, no vlan: a tag on our port is cleared",
     setup_vlan_tag_cleared, "set-port-tag", 0, check_vlan_tag_cleared},
    {"switchdev vlan: others' ports never retagged", setup_vlan_foreign_ports,
     "", 1, check_vlan_foreign_ports},
    {"switchdev vlan from blank: the new ports' tags", setup_vlan_blank,
     "set-eswitch,set-numvfs," KERNEL_BLANK_TAIL "," OVS_BLANK, 0,
     check_vlan_blank},
    {"switchdev vlan: new port with its tag", setup_vlan_reps_appeared,
     "add-port,add-port", 0, check_vlan_reps_appeared},
    {"switchdev vlan: eswitch drifted, ports back with the tag",
     setup_vlan_eswitch_drift,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,set-numvfs,"
     "wait-vfs,set-vf,set-vf,set-hw-tc-offload,set-hw-tc-offload,"
     "set-link-up,set-link-up,add-port,add-port,add-port",
     0, check_vlan_eswitch_drift},
    {"legacy vlan: the VF ndo, no tag", setup_vlan_legacy, "set-vf", 0,
     check_vlan_legacy},
    {"trust and spoofchk not reported", setup_trust_unknown, "", 0, NULL},
    {"PCI VFs: MAC change and wrong driver", setup_pci_mac_and_driver,
     "unbind-vf,unbind-vf,set-vf,bind-vf,bind-vf", 0,
     check_pci_mac_and_driver},
    {"PCI VFs: an unbound VF", setup_pci_unbound, "bind-vf", 0,
     check_pci_unbound},
    {"PCI VFs: trust needs no rebind", setup_pci_trust_only, "set-vf", 0,
     NULL},
    {"PCI VFs recreated: autoprobe off, MACs and binding wait for the next "
     "round",
     setup_pci_recreate_b,
     "detach-port,detach-port,detach-port,set-numvfs,set-numvfs,set-eswitch,"
     "wait-vfs,set-hw-tc-offload,set-hw-tc-offload,"
     "set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "set-link-up,set-link-up,add-port,add-port,add-port,add-port,add-port",
     0, check_pci_recreate},
    {"PCI VFs recreated, no vf_driver: autoprobe left alone",
     setup_pci_recreate_no_driver,
     "detach-port,detach-port,detach-port,set-numvfs,set-numvfs,set-eswitch,"
     "wait-vfs,set-vf,set-vf,set-hw-tc-offload,set-hw-tc-offload,"
     "set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "set-link-up,set-link-up,add-port,add-port,add-port,add-port,add-port",
     0, check_pci_recreate_no_driver},
    {"PCI VFs created unbound (autoprobe off), next round: MACs, bind",
     setup_pci_created_unbound, "set-vf,set-vf,bind-vf,bind-vf", 0,
     check_pci_created_unbound},
    {"legacy from blank: VFs listed before set-vf", setup_legacy_blank,
     "set-numvfs,wait-vfs,set-vf,set-vf,set-hw-tc-offload,set-other-config,"
     "set-other-config,set-external-id,set-external-id",
     0, check_legacy_blank},
    {"PCI VFs recreated, next round: unbind, MACs, bind",
     setup_pci_recreated_next,
     "unbind-vf,unbind-vf,set-vf,set-vf,bind-vf,"
     "bind-vf",
     0, check_pci_recreated_next},
    {"eswitch drifted to legacy: through 0 VFs", setup_drift_legacy_a,
     "detach-port,set-numvfs,set-eswitch,set-numvfs,wait-vfs,set-vf,"
     "set-vf,set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "add-port,add-port,add-port,del-port,del-port",
     0, check_drift_legacy_through_zero},
    {"eswitch drifted to legacy, VFs first", setup_drift_legacy_b,
     "detach-port,set-eswitch,wait-vfs,set-hw-tc-offload,"
     "set-hw-tc-offload,set-link-up,set-link-up,add-port,add-port,"
     "add-port,del-port,del-port",
     0, check_drift_legacy},
    {"eswitch drifted to legacy, PCI VFs: through 0 VFs",
     setup_drift_legacy_pci_a,
     "detach-port,set-numvfs,set-eswitch,set-numvfs,wait-vfs,"
     "set-hw-tc-offload,set-hw-tc-offload,set-link-up,set-link-up,"
     "add-port,add-port,add-port,del-port,del-port",
     0, check_drift_legacy},
    {"eswitch drifted to legacy, VFs first, PCI VFs", setup_drift_legacy_pci_b,
     "detach-port,unbind-vf,unbind-vf,set-eswitch,wait-vfs,"
     "bind-vf,bind-vf,set-hw-tc-offload,set-hw-tc-offload,set-link-up,"
     "set-link-up,add-port,add-port,add-port,del-port,del-port",
     0, check_drift_legacy_pci_b},
    {"eswitch drifted, VFs first, PCI VFs, no vf_driver",
     setup_drift_legacy_pci_b_nodriver,
     "detach-port,unbind-vf,unbind-vf,set-eswitch,wait-vfs,"
     "bind-vf,bind-vf,set-hw-tc-offload,set-hw-tc-offload,set-link-up,"
     "set-link-up,add-port,add-port,add-port,del-port,del-port",
     0, check_drift_legacy_pci_b_nodriver},
    {"spec switches to legacy: through 0 VFs", setup_drift_to_legacy_wanted,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,"
     "set-numvfs,wait-vfs,set-vf,set-vf,add-port",
     0, check_to_legacy},
    {"spec switches to legacy, VFs first", setup_drift_to_legacy_wanted_b,
     "detach-port,detach-port,detach-port,set-eswitch,add-port", 0,
     check_to_legacy},
    {"to legacy: ports of others stay", setup_to_legacy_foreign,
     "detach-port,detach-port,set-numvfs,set-eswitch,set-numvfs,wait-vfs,"
     "set-vf,set-vf,add-port",
     0, check_to_legacy_foreign},
    {"to legacy: an uplink port of others stays",
     setup_to_legacy_uplink_foreign,
     "detach-port,detach-port,set-numvfs,set-eswitch,set-numvfs,wait-vfs,"
     "set-vf,set-vf",
     0, check_to_legacy_uplink_foreign},
    {"eswitch kept: nothing detached", setup_mode_kept,
     "set-vf,set-hw-tc-offload,set-link-up", 0, check_no_detach},
    {"representor port removed from OVS", setup_rep_port_removed, "add-port",
     0, check_rep_port_readded_keyed},
    {"representor renamed while attached: its port re-pointed by key",
     setup_rep_renamed, "rename-port", 0, check_rep_renamed},
    {"representors renamed, the uplink's port without key",
     setup_reps_renamed_uplink_unkeyed, "set-port-key,rename-port,rename-port",
     0, check_reps_renamed_uplink_unkeyed},
    {"ports of an older agent get their keys in place", setup_ports_unkeyed,
     "set-port-key,set-port-key,set-port-key", 0, check_ports_unkeyed},
    {"foreign ports named like ours get no key",
     setup_rep_port_foreign_unkeyed, "", 0, NULL},
    {"bridge renamed", setup_bridge_renamed,
     "add-bridge,move-port,move-port,move-port,del-port", 0,
     check_bridge_renamed},
    {"hw-tc-offload off on one representor", setup_hw_tc_off_rep,
     "set-hw-tc-offload", 0, check_hw_tc_off_rep},
    {"hw-tc-offload not reported", setup_hw_tc_unknown, "", 0, NULL},
    {"PF not found", setup_pf_not_found,
     "add-bridge,set-other-config,set-other-config,set-external-id,"
     "set-external-id",
     1, check_pf_not_found},
    {"PF gone: its owned ports stay", setup_pf_gone_converged, "", 1,
     check_pf_gone_converged},
    {"more VFs than the device has", setup_too_many_vfs,
     "add-bridge,add-port,set-other-config,set-other-config,"
     "set-external-id,set-external-id",
     1, check_too_many_vfs},
    {"switchdev wanted, no devlink eswitch", setup_no_eswitch,
     "add-bridge,add-port,set-other-config,set-other-config,"
     "set-external-id,set-external-id",
     1, NULL},
    {"OVS not connected", setup_ovs_down,
     "set-eswitch,set-numvfs," KERNEL_BLANK_TAIL, 1, check_ovs_down},
    {"OVS not connected, VF count change", setup_ovs_down_vfs_change,
     "set-numvfs,set-eswitch,set-numvfs,wait-vfs,set-vf,set-vf,"
     "set-hw-tc-offload,set-hw-tc-offload,set-hw-tc-offload,"
     "set-hw-tc-offload,set-link-up,set-link-up,set-link-up,set-link-up",
     1, NULL},
    {"representors missing", setup_reps_missing, "", 1, check_reps_missing},
    {"hw-offload on -> off, vswitchd latched on", setup_restart,
     "set-other-config,restart-vswitchd", 0, check_restart},
    {"tc-policy change before hw-offload latched", setup_tc_policy_live,
     "set-other-config,set-other-config,set-external-id", 0, NULL},
    {"no ovs-vswitchd running: no record", setup_no_vswitchd,
     "set-eswitch,set-numvfs," KERNEL_BLANK_TAIL
     ",add-bridge,add-port,add-port,add-port,set-other-config,"
     "set-other-config",
     0, NULL},
    {"ovs-vswitchd not caught up", setup_not_caught_up, "", 0,
     check_not_caught_up},
    {"max-idle", setup_max_idle, "set-other-config", 0, check_max_idle},
    {"inline mode asked", setup_inline_mode,
     "detach-port,detach-port,detach-port,set-eswitch,add-port,add-port,"
     "add-port",
     0, check_inline_mode},
    {"uplink named like another bridge", setup_local_port_clash, "", 1,
     check_local_port_clash},
    {"PCI PF without netdev or devlink", setup_pci_pf,
     "set-numvfs,wait-vfs,set-other-config,set-other-config,set-external-id,"
     "set-external-id",
     0, check_pci_pf},
    {"VF settings not reported although the spec sets a MAC",
     setup_vf_info_missing, "", 1, check_vf_info_missing},
    {"VFs still being created: waited for, then set up", setup_vfs_arriving,
     "wait-vfs,set-vf,set-vf,set-hw-tc-offload,set-hw-tc-offload,"
     "set-link-up,set-link-up,add-port,add-port",
     0, check_vfs_arriving},
    {"VFs still being created, the count changes too",
     setup_vfs_arriving_count_change,
     "detach-port,set-numvfs,set-eswitch,set-numvfs,wait-vfs,set-vf,"
     "set-hw-tc-offload,set-link-up,add-port,add-port",
     0, NULL},
    {"representor down", setup_rep_down, "set-link-up", 0, check_rep_down},
    {"representor down, not attached to OVS", setup_rep_down_unattached,
     "set-link-up", 0, NULL},
    {"uplink and a representor down", setup_uplink_down,
     "set-link-up,set-link-up", 0, check_uplink_down},
    {"uplink down, legacy with VFs", setup_uplink_down_legacy, "set-link-up",
     0, check_uplink_down_legacy},
    {"admin state not read: no step", setup_link_state_unknown, "", 0, NULL},
    {"representor down, VFs 2 -> 1: only the new one's step",
     setup_rep_down_recreated,
     "detach-port,detach-port,detach-port,set-numvfs,set-eswitch,"
     "set-numvfs,wait-vfs,set-vf,set-hw-tc-offload,set-link-up,"
     "add-port,add-port",
     0, check_rep_down_recreated},
    {"two PFs, blank", setup_two_pfs,
     "set-eswitch,set-numvfs," KERNEL_BLANK_TAIL
     ",set-eswitch,set-numvfs," KERNEL_BLANK_TAIL
     ",add-bridge,add-port,add-port,add-port,add-port,"
     "add-port,add-port,set-other-config,set-other-config,set-external-id,"
     "set-external-id",
     0, check_two_pfs},
};

START_TEST(test_scenario)
{
    const struct scenario *sc = &scenarios[_i];
    struct fx *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    fx_spec(f, 1);
    sc->setup(f);
    const struct plan *p = fx_plan(f);

    ck_assert_msg(!strcmp(actions(p), sc->actions),
                  "%s:\n  got  %s\n  want %s", sc->name, actions(p),
                  sc->actions);
    ck_assert_msg(p->n_blockers == sc->n_blockers, "%s: %zu blockers (%s)",
                  sc->name, p->n_blockers,
                  p->n_blockers ? p->blockers[0].message : "");
    ck_assert(plan_is_converged(p) == (!*sc->actions && !sc->n_blockers));
    for (size_t i = 0; i < p->n_steps; i++) {
        /* Every step says what it acts on, for plan --json. */
        const struct plan_step *s = &p->steps[i];
        ck_assert_msg(s->object[0], "%s: step %zu (%s) has no object",
                      sc->name, i, plan_action_name(s->action));
    }
    bool any_ovs = false;
    for (size_t i = 0; i < p->n_steps; i++) {
        any_ovs |= plan_action_is_ovs(p->steps[i].action);
    }
    ck_assert(p->has_ovs == any_ovs);
    if (sc->check) {
        sc->check(f, p);
    }

    /* Pure: the same inputs give the same plan. */
    struct plan *again = NULL;
    ck_assert_int_eq(plan_compute(&f->spec, &f->host, &again), 0);
    ck_assert_str_eq(actions(again), sc->actions);
    plan_free(again);

    plan_free(f->plan);
    free(f);
}
END_TEST

/* ---- Plain tests ---------------------------------------------------------- */

START_TEST(test_pf_count_mismatch)
{
    struct fx *f = calloc(1, sizeof *f);
    fx_spec(f, 1);
    fx_blank(f, SF);
    f->host.n_pfs = 0;
    struct plan *p = (struct plan *)1;
    ck_assert_int_eq(plan_compute(&f->spec, &f->host, &p), -EINVAL);
    ck_assert_ptr_null(p);
    free(f);
}
END_TEST

START_TEST(test_plan_outlives_host)
{
    /* The plan's OVS transaction and decision own their strings: they
     * stay valid after the observation is gone (the engine keeps the
     * plan). */
    struct fx *f = calloc(1, sizeof *f);
    fx_spec(f, 1);
    fx_converged(f, SF, 2);
    ovs_port(f, 0, "tap0", false);
    f->pfs[0].num_vfs = 3;
    struct plan *p = fx_plan(f);
    f->plan = NULL;
    memset(f, 0xa5, sizeof *f);
    free(f);
    ck_assert_str_eq(want_ports(&p->want, "ovs-sriov"), "eth0");
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "tap0");
    ck_assert_uint_eq(p->want.n_external_ids, 2);
    ck_assert_str_eq(p->want.external_ids[0].value, VSWITCHD_ID);
    ck_assert_str_eq(p->want.external_ids[1].value,
                     "hw-offload=true,tc-policy=none");
    ck_assert_str_eq(p->offload.latched_tc_policy, "none");
    plan_free(p);
}
END_TEST

START_TEST(test_keep_attached)
{
    /* Both PFs go to legacy; the engine holds PF 1 back (a remembered
     * refusal): its ports stay in OVS, PF 0's still go and come back.
     * VFs first, so that the mode changes with the VFs kept. */
    struct fx *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    fx_spec(f, 2);
    fx_converged(f, VF, 2);
    f->pfs[0].eswitch = f->pfs[1].eswitch = SPEC_ESWITCH_LEGACY;
    struct plan *p = fx_plan(f);
    ck_assert_str_eq(actions(p),
                     "detach-port,detach-port,detach-port,set-eswitch,"
                     "detach-port,detach-port,detach-port,set-eswitch,"
                     "add-port,add-port");
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"), "");

    ck_assert_int_eq(plan_keep_attached(p, 1), 0);
    ck_assert_str_eq(actions(p), "detach-port,detach-port,detach-port,"
                                 "set-eswitch,set-eswitch,add-port");
    for (size_t i = 0; i < p->n_steps; i++) {
        const struct plan_step *s = &p->steps[i];
        ck_assert(s->action != PLAN_DETACH_PORT || s->pf == 0);
        ck_assert(s->action != PLAN_OVS_ADD_PORT ||
                  !strcmp(s->ovsport.port, "eth0"));
    }
    ck_assert(p->has_detach);
    ck_assert_str_eq(want_ports(&p->detach_want, "ovs-sriov"),
                     "eth1,eth1_0,eth1_1");
    struct vsdb_plan *vp = NULL;
    ck_assert_int_eq(vsdb_plan_compute(&p->detach_want, &f->st, &vp), 0);
    ck_assert_uint_eq(vp->n_ops, 3); /* eth0, eth0_0, eth0_1 */
    vsdb_plan_free(vp);

    /* PF 0 held back too: nothing leaves OVS. */
    ck_assert_int_eq(plan_keep_attached(p, 0), 0);
    ck_assert_str_eq(actions(p), "set-eswitch,set-eswitch");
    ck_assert(!p->has_detach);
    plan_free(f->plan);
    free(f);
}
END_TEST

/* A spec with bond0 over both PFs, the host converged without it. */
static void
fx_bond(struct fx *f, struct spec_bond *bond, struct obs_bond *ob)
{
    fx_spec(f, 2);
    *bond = (struct spec_bond){
        .name = (char *)"bond0",
        .mode = SPEC_BOND_ACTIVE_BACKUP,
        .pfs = {0, 1},
        .miimon_ms = SPEC_DEFAULT_MIIMON_MS,
        .bridge = f->bridge_names[0],
    };
    f->spec.bonds = bond;
    f->spec.n_bonds = 1;
    fx_converged(f, SF, 2);
    *ob = (struct obs_bond){
        .mode = -1, .miimon_ms = -1, .xmit_hash = -1, .lacp_rate = -1};
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        ob->members[j].found = true;
        snprintf(ob->members[j].netdev, sizeof ob->members[j].netdev, "eth%zu",
                 j);
    }
    f->host.bonds = ob;
    f->host.n_bonds = 1;
    /* The bond, not the uplinks, is the bridge's port (spec_validate). */
    f->pfs[0].attach_uplink = f->pfs[1].attach_uplink = false;
}

/* Both PFs switchdev, no bond yet: create it, enslave both uplinks,
 * set it up, and make it (not the uplinks) the bridge's port. */
START_TEST(test_bond_planned)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond(f, &bond, &ob);
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_str_eq(actions(p), "create-bond,enslave,enslave,set-link-up,"
                                 "add-port,del-port,del-port");
    ck_assert_str_eq(p->steps[0].bond.name, "bond0");
    ck_assert_int_eq(p->steps[0].bond.mode, 1); /* BOND_MODE_ACTIVEBACKUP */
    ck_assert_int_eq(p->steps[0].bond.xmit_hash, -1);
    ck_assert_str_eq(p->steps[1].bond.member, "eth0");
    ck_assert_str_eq(p->steps[2].bond.member, "eth1");
    ck_assert_str_eq(p->steps[3].link.netdev, "bond0");
    ck_assert_str_eq(p->steps[4].ovsport.port, "bond0");

    /* Formed: nothing left to do. The kernel reports every option, also
     * those the mode does not use (xmit_hash_policy, lacp_rate here). */
    ob.exists = ob.is_bond = ob.owned = ob.up = ob.carrier = true;
    ob.ifindex = 40;
    ob.mode = 1;
    ob.miimon_ms = 100;
    ob.xmit_hash = 1; /* layer3+4, left from another mode: not compared */
    ob.lacp_rate = 1;
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        ob.members[j].master = 40;
    }
    ovs_port(f, 0, "bond0", true);
    ovs_port_key(f, 0, "bond/bond0");
    p = fx_plan(f);
    ck_assert_str_eq(actions(p), "del-port,del-port");

    /* A member released by hand (bonding closes it): enslaved again,
     * not set up on its own. */
    ob.members[1].master = 0;
    f->opfs[1].uplink_up = OBS_NO;
    p = fx_plan(f);
    ck_assert_str_eq(actions(p), "enslave,del-port,del-port");
    ck_assert_str_eq(p->steps[0].bond.member, "eth1");
    f->opfs[1].uplink_up = OBS_YES;

    /* No carrier (both cables): reported, not repaired. */
    ob.members[1].master = 40;
    ob.carrier = false;
    p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_ptr_nonnull(strstr(p->blockers[0].message, "no carrier"));
    plan_free(f->plan);
    free(f);
}
END_TEST

/* The order: the bond only after both PFs are switchdev, the VFs bound
 * only once it has formed. */
START_TEST(test_bond_order)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond(f, &bond, &ob);
    f->opfs[1].eswitch_mode = DEVLINK_ESWITCH_MODE_LEGACY;
    const struct plan *p = fx_plan(f);
    ck_assert_ptr_null(strstr(actions(p), "bond"));
    ck_assert_ptr_null(strstr(actions(p), "enslave"));

    fx_bond(f, &bond, &ob);
    fx_pci(f, 0, "");
    fx_pci(f, 1, "");
    p = fx_plan(f);
    ck_assert_ptr_nonnull(strstr(actions(p), "create-bond"));
    ck_assert_ptr_null(strstr(actions(p), "bind-vf"));

    ob.exists = ob.is_bond = ob.owned = ob.up = ob.carrier = true;
    ob.ifindex = 40;
    ob.mode = 1;
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        ob.members[j].master = 40;
    }
    p = fx_plan(f);
    ck_assert_ptr_nonnull(strstr(actions(p), "bind-vf"));
    ck_assert_ptr_null(strstr(actions(p), "enslave"));

    /* Where the driver shows its LAG (mlx5's lag/state), the VFs wait
     * for it to be active, whatever the bond says; a blocker says why. */
    ob.lag = (struct lagstate){.exposed = true, .state = "disabled"};
    p = fx_plan(f);
    ck_assert_ptr_null(strstr(actions(p), "bind-vf"));
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_str_eq(p->blockers[0].object, "bond0");
    ck_assert_ptr_nonnull(
        strstr(p->blockers[0].message, "the driver's LAG is disabled"));
    snprintf(ob.lag.state, sizeof ob.lag.state, "active");
    p = fx_plan(f);
    ck_assert_ptr_nonnull(strstr(actions(p), "bind-vf"));
    ck_assert_uint_eq(p->n_blockers, 0);
    plan_free(f->plan);
    free(f);
}
END_TEST

/* A formed bond0 of the agent's, in OVS (test_bond_planned's end). */
static void
fx_bond_formed(struct fx *f, struct spec_bond *bond, struct obs_bond *ob)
{
    fx_bond(f, bond, ob);
    ob->exists = ob->is_bond = ob->owned = ob->up = ob->carrier = true;
    ob->ifindex = 40;
    ob->mode = 1;
    ob->miimon_ms = 100;
    ob->xmit_hash = ob->lacp_rate = 0; /* the kernel's defaults */
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        ob->members[j].master = 40;
        f->opfs[j].uplink_master = 40;
        snprintf(f->opfs[j].uplink_bond, sizeof f->opfs[j].uplink_bond,
                 "bond0");
        ovs_del_port(f, f->opfs[j].netdev); /* the bond is the port */
    }
    ovs_port(f, 0, "bond0", true);
    ovs_port_key(f, 0, "bond/bond0");
}

/* The spec changes the mode: out of OVS, both members released, the
 * bond set down with the new mode, nothing added back this round; the
 * next (members out, bond down, new mode) enslaves, sets up, adds. */
START_TEST(test_bond_mode_change)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond_formed(f, &bond, &ob);
    ck_assert_str_eq(actions(fx_plan(f)), "");
    bond.mode = SPEC_BOND_BALANCE_XOR;
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_str_eq(actions(p), "detach-port,release,release,set-bond");
    ck_assert_str_eq(p->steps[0].ovsport.port, "bond0");
    ck_assert_str_eq(p->steps[1].bond.member, "eth0");
    ck_assert_str_eq(p->steps[2].bond.member, "eth1");
    ck_assert_int_eq(p->steps[3].bond.mode, 2); /* BOND_MODE_XOR */
    ck_assert(p->has_detach);

    ob.mode = 2;
    ob.up = ob.carrier = false;
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        ob.members[j].master = f->opfs[j].uplink_master = 0;
        f->opfs[j].uplink_bond[0] = '\0';
    }
    ovs_del_port(f, "bond0"); /* detached */
    p = fx_plan(f);
    ck_assert_str_eq(actions(p), "enslave,enslave,set-link-up,add-port");
    ck_assert_str_eq(p->steps[3].ovsport.port, "bond0");
    plan_free(f->plan);
    free(f);
}
END_TEST

/* The bond dropped from the spec (the PFs keep their bridge): out of
 * OVS, both uplinks released, the bond deleted, each uplink its PF's
 * port again. A bond not the agent's is never seen here (uplink_bond
 * names only the agent's). */
START_TEST(test_bond_dropped)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond_formed(f, &bond, &ob);
    f->spec.bonds = NULL;
    f->spec.n_bonds = 0;
    f->host.bonds = NULL;
    f->host.n_bonds = 0;
    f->pfs[0].attach_uplink = f->pfs[1].attach_uplink = true;
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_str_eq(actions(p), "detach-port,release,release,delete-bond,"
                                 "add-port,add-port");
    ck_assert_str_eq(p->steps[1].object, "eth0");
    ck_assert_str_eq(p->steps[3].bond.name, "bond0");
    ck_assert_str_eq(p->steps[4].ovsport.port, "eth0");
    ck_assert_str_eq(p->steps[5].ovsport.port, "eth1");
    plan_free(f->plan);
    free(f);
}
END_TEST

/* A bond of that name the agent did not create (no alias mark), e.g.
 * NetworkManager's over the same uplinks: a blocker that says so, not
 * something to take over. */
START_TEST(test_bond_foreign)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond(f, &bond, &ob);
    ob.exists = ob.is_bond = true;
    ob.ifindex = 40;
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        ob.members[j].master = 40;
        ob.members[j].master_is_bond = true;
        snprintf(ob.members[j].master_name, 16, "bond0");
    }
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_str_eq(p->blockers[0].object, "bond0");
    ck_assert_int_eq(p->blockers[0].pf, -1);
    ck_assert_ptr_nonnull(
        strstr(p->blockers[0].message,
               "bond bond0 exists and was not created by the agent"));
    /* Nothing done to it, nor is it made a port. */
    ck_assert_str_eq(actions(p), "del-port,del-port");

    /* The agent's own bond (marked): no such blocker. */
    ob.owned = true;
    ob.mode = 1;
    p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);

    /* Its mode differs from the spec's: remade (test_bond_mode_change). */
    ob.mode = 4;
    p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_ptr_nonnull(strstr(actions(p), "set-bond"));
    plan_free(f->plan);
    free(f);
}
END_TEST

/* A member's uplink in another bond (by hand, under another name): a
 * blocker on that PF naming the uplink and its master. */
START_TEST(test_bond_member_enslaved_elsewhere)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond(f, &bond, &ob);
    ob.members[1].master = 41;
    ob.members[1].master_is_bond = true;
    snprintf(ob.members[1].master_name, 16, "nmbond");
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 1);
    ck_assert_int_eq(p->blockers[0].pf, 1);
    ck_assert_str_eq(p->blockers[0].object, "eth1");
    ck_assert_str_eq(p->blockers[0].message,
                     "uplink eth1 is enslaved to bond nmbond, not to bond "
                     "bond0: release it (ip link set eth1 nomaster) or drop "
                     "the bond from the spec");
    plan_free(f->plan);
    free(f);
}
END_TEST

/* Options the kernel takes on a live bond (miimon, xmit_hash_policy):
 * one set-bond-options with only what changes, the bond left up, its
 * members enslaved and its OVS port in place (no detach, no release). */
START_TEST(test_bond_options_live)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond_formed(f, &bond, &ob);
    bond.miimon_ms = 250;
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_str_eq(actions(p), "set-bond-options");
    ck_assert_str_eq(p->steps[0].bond.name, "bond0");
    ck_assert_uint_eq(p->steps[0].bond.miimon_ms, 250);
    ck_assert_int_eq(p->steps[0].bond.xmit_hash, -1);
    ck_assert_int_eq(p->steps[0].bond.lacp_rate, -1);
    ck_assert(!p->steps[0].bond.down);
    ck_assert(!p->has_detach);
    ck_assert_str_eq(p->steps[0].detail,
                     "miimon 100 -> 250 ms, live, members kept");
    ck_assert_str_eq(plan_action_name(PLAN_SET_BOND_OPTIONS),
                     "set-bond-options");
    ck_assert(!plan_action_is_ovs(PLAN_SET_BOND_OPTIONS));

    /* balance-xor, the hash changes: live too; miimon as it is. */
    bond.miimon_ms = 100;
    bond.mode = SPEC_BOND_BALANCE_XOR;
    bond.xmit_hash = SPEC_XMIT_HASH_LAYER3_4;
    ob.mode = 2;
    p = fx_plan(f);
    ck_assert_str_eq(actions(p), "set-bond-options");
    ck_assert_uint_eq(p->steps[0].bond.miimon_ms, 0);
    ck_assert_int_eq(p->steps[0].bond.xmit_hash, 1); /* layer3+4 */
    ck_assert(!p->steps[0].bond.down);

    /* Converged; then the hash dropped from the spec: the kernel's
     * default (layer2) again, as a new bond would have. */
    ob.xmit_hash = 1;
    ck_assert_str_eq(actions(fx_plan(f)), "");
    bond.xmit_hash = SPEC_XMIT_HASH_UNSET;
    p = fx_plan(f);
    ck_assert_str_eq(actions(p), "set-bond-options");
    ck_assert_int_eq(p->steps[0].bond.xmit_hash, 0);

    /* Options the kernel did not report: not compared, nothing done. */
    ob.xmit_hash = ob.miimon_ms = -1;
    bond.miimon_ms = 300;
    ck_assert_str_eq(actions(fx_plan(f)), "");
    plan_free(f->plan);
    free(f);
}
END_TEST

/* lacp_rate: the kernel takes it only on a bond that is down (but with
 * its members): set down, changed, set up again in the same plan, the
 * members and the OVS port kept. One step for all options. */
START_TEST(test_bond_options_lacp_rate)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    ck_assert_ptr_nonnull(f);
    fx_bond_formed(f, &bond, &ob);
    bond.mode = SPEC_BOND_8023AD;
    ob.mode = 4;
    ck_assert_str_eq(actions(fx_plan(f)), "");
    bond.lacp_rate = SPEC_LACP_RATE_FAST;
    bond.miimon_ms = 50;
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_str_eq(actions(p), "set-bond-options,set-link-up");
    ck_assert_int_eq(p->steps[0].bond.lacp_rate, 1);
    ck_assert_uint_eq(p->steps[0].bond.miimon_ms, 50);
    ck_assert_int_eq(p->steps[0].bond.xmit_hash, -1);
    ck_assert(p->steps[0].bond.down);
    ck_assert_str_eq(p->steps[1].link.netdev, "bond0");
    ck_assert(!p->has_detach);
    ck_assert_str_eq(p->steps[0].detail,
                     "miimon 100 -> 50 ms, lacp_rate slow -> fast, down and "
                     "up again, members kept");

    /* Left down by a failure after the change: set up, nothing else. */
    ob.lacp_rate = 1;
    ob.miimon_ms = 50;
    ob.up = false;
    ck_assert_str_eq(actions(fx_plan(f)), "set-link-up");

    /* A bond found down with another rate: no need to set it down. */
    ob.lacp_rate = 0;
    p = fx_plan(f);
    ck_assert_str_eq(actions(p), "set-bond-options,set-link-up");
    ck_assert(!p->steps[0].bond.down);

    /* Outside 802.3ad the rate means nothing: not compared. */
    ob.up = true;
    bond.mode = SPEC_BOND_ACTIVE_BACKUP;
    bond.lacp_rate = SPEC_LACP_RATE_UNSET;
    ob.mode = 1;
    ob.lacp_rate = 1;
    ck_assert_str_eq(actions(fx_plan(f)), "");
    plan_free(f->plan);
    free(f);
}
END_TEST

/* A bond of the agent's left without members (released by hand), then
 * dropped from the spec: no uplink names it, its mark does (obs'
 * stray_bonds): out of OVS, deleted. With members the spec does not
 * name, it is left alone; a bond without the mark is never listed. */
START_TEST(test_bond_stray)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    struct obs_stray_bond stray = {.name = "bond0", .ifindex = 40};
    ck_assert_ptr_nonnull(f);
    fx_bond_formed(f, &bond, &ob);
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        f->opfs[j].uplink_master = 0;
        f->opfs[j].uplink_bond[0] = '\0';
        char key[128];
        snprintf(key, sizeof key, "%s/uplink", f->opfs[j].devlink);
        ovs_port(f, 0, f->opfs[j].netdev, true);
        ovs_port_key(f, 0, key);
    }
    f->spec.bonds = NULL;
    f->spec.n_bonds = 0;
    f->host.bonds = NULL;
    f->host.n_bonds = 0;
    f->pfs[0].attach_uplink = f->pfs[1].attach_uplink = true;
    f->host.stray_bonds = &stray;
    f->host.n_stray_bonds = 1;
    const struct plan *p = fx_plan(f);
    ck_assert_uint_eq(p->n_blockers, 0);
    ck_assert_str_eq(actions(p), "detach-port,delete-bond");
    ck_assert_str_eq(p->steps[0].ovsport.port, "bond0");
    ck_assert_str_eq(p->steps[1].bond.name, "bond0");
    ck_assert(p->has_detach);

    /* Not in OVS: deleted all the same. */
    ovs_del_port(f, "bond0");
    ck_assert_str_eq(actions(fx_plan(f)), "delete-bond");

    /* Members the spec does not name: not the agent's to cut. */
    stray.n_members = 1;
    ck_assert_str_eq(actions(fx_plan(f)), "");
    plan_free(f->plan);
    free(f);
}
END_TEST

/* The bond dropped with its members (test_bond_dropped) is also found
 * by its mark: deleted once, after the releases. */
START_TEST(test_bond_dropped_found_twice)
{
    struct fx *f = calloc(1, sizeof *f);
    struct spec_bond bond;
    struct obs_bond ob;
    struct obs_stray_bond stray = {
        .name = "bond0", .ifindex = 40, .n_members = 2};
    ck_assert_ptr_nonnull(f);
    fx_bond_formed(f, &bond, &ob);
    f->spec.bonds = NULL;
    f->spec.n_bonds = 0;
    f->host.bonds = NULL;
    f->host.n_bonds = 0;
    f->pfs[0].attach_uplink = f->pfs[1].attach_uplink = true;
    f->host.stray_bonds = &stray;
    f->host.n_stray_bonds = 1;
    const struct plan *p = fx_plan(f);
    ck_assert_str_eq(actions(p), "detach-port,release,release,delete-bond,"
                                 "add-port,add-port");
    plan_free(f->plan);
    free(f);
}
END_TEST

START_TEST(test_free_null)
{
    plan_free(NULL);
}
END_TEST

START_TEST(test_vlan_via_names)
{
    ck_assert_str_eq(plan_vlan_via_name(PLAN_VLAN_VIA_OVS_TAG), "ovs-tag");
    ck_assert_str_eq(plan_vlan_via_name(PLAN_VLAN_VIA_PF), "pf-vf-ndo");
    ck_assert_ptr_null(plan_vlan_via_name(PLAN_VLAN_VIA_UNKNOWN));
}
END_TEST

START_TEST(test_action_names)
{
    static const char *const names[] = {
        "detach-port",      "set-numvfs",        "unbind-vf",
        "set-eswitch",      "set-steering-mode", "wait-vfs",
        "set-vf",           "bind-vf",           "set-hw-tc-offload",
        "set-link-up",      "add-bridge",        "add-port",
        "move-port",        "del-port",          "set-port-tag",
        "set-other-config", "del-other-config",  "set-external-id",
        "del-external-id",  "restart-vswitchd",  "rename-port",
        "set-port-key",
    };
    for (int a = PLAN_DETACH_PORT; a <= PLAN_OVS_SET_PORT_KEY; a++) {
        ck_assert_str_eq(plan_action_name(a), names[a]);
        ck_assert(
            plan_action_is_ovs(a) ==
            ((a >= PLAN_OVS_ADD_BRIDGE && a <= PLAN_OVS_DEL_EXTERNAL_ID) ||
             a == PLAN_OVS_RENAME_PORT || a == PLAN_OVS_SET_PORT_KEY));
    }
}
END_TEST

static Suite *
plan_suite(void)
{
    Suite *s = suite_create("plan");
    TCase *tc = tcase_create("scenarios");
    tcase_add_loop_test(tc, test_scenario, 0,
                        (int)(sizeof scenarios / sizeof scenarios[0]));
    suite_add_tcase(s, tc);
    tc = tcase_create("api");
    tcase_add_test(tc, test_pf_count_mismatch);
    tcase_add_test(tc, test_plan_outlives_host);
    tcase_add_test(tc, test_keep_attached);
    tcase_add_test(tc, test_free_null);
    tcase_add_test(tc, test_bond_planned);
    tcase_add_test(tc, test_bond_order);
    tcase_add_test(tc, test_bond_mode_change);
    tcase_add_test(tc, test_bond_dropped);
    tcase_add_test(tc, test_bond_foreign);
    tcase_add_test(tc, test_bond_member_enslaved_elsewhere);
    tcase_add_test(tc, test_bond_options_live);
    tcase_add_test(tc, test_bond_options_lacp_rate);
    tcase_add_test(tc, test_bond_stray);
    tcase_add_test(tc, test_bond_dropped_found_twice);
    tcase_add_test(tc, test_vlan_via_names);
    tcase_add_test(tc, test_action_names);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    return oa_check_run(plan_suite());
}
