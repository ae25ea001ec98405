/* step: the table of step kinds (step.h) and their JSON fields. */
#include "step.h"

#include "apply.h"
#include "jw.h"
#include "obs.h"
#include "oa-netlink/bond.h"
#include "oa-netlink/devlink.h"
#include "offload/spec.h"

#include <string.h>

/* ---- JSON fields, one writer per kind of arguments ------------------- */

/* "" is null: a name not known yet. */
static void
json_string_or_null(struct jw *jw, const char *value)
{
    jw_string(jw, value && value[0] ? value : NULL);
}

/* -1 means "leave alone" in plan_vf_req: only what is set is shown. */
static void
json_tristate(struct jw *jw, const char *key, int value)
{
    if (value >= 0) {
        jw_key(jw, key);
        jw_bool(jw, value != 0);
    }
}

static void
json_numvfs(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "num");
    jw_int(jw, s->numvfs.num);
    jw_key(jw, "autoprobe_off");
    jw_bool(jw, s->numvfs.no_autoprobe);
}

/* What the wait waits for: num VFs listed, as PCI functions, with
 * representors (those it does not check are false). */
static void
json_wait(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "num");
    jw_int(jw, s->wait.num);
    jw_key(jw, "listed");
    jw_bool(jw, s->wait.listed);
    jw_key(jw, "pci");
    jw_bool(jw, s->wait.pci);
    jw_key(jw, "representors");
    jw_bool(jw, s->wait.reps);
}

static void
json_unbind(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "vf");
    jw_int(jw, s->vf);
    jw_key(jw, "pci");
    json_string_or_null(jw, s->binding.pci);
}

static void
json_bind(struct jw *jw, const struct plan_step *s)
{
    json_unbind(jw, s);
    jw_key(jw, "driver");
    json_string_or_null(jw, s->binding.driver);
}

static void
json_eswitch(struct jw *jw, const struct plan_step *s)
{
    const struct plan_eswitch_args *a = &s->eswitch;
    if (a->mode >= 0) {
        jw_key(jw, "eswitch");
        jw_string(jw, devlink_eswitch_mode_name(a->mode));
    }
    if (a->inline_mode >= 0) {
        jw_key(jw, "inline_mode");
        jw_string(jw, devlink_inline_mode_name(a->inline_mode));
    }
    if (a->encap_mode >= 0) {
        jw_key(jw, "encap_mode");
        jw_string(jw, devlink_encap_mode_name(a->encap_mode));
    }
    if (a->order >= 0) {
        /* Which of the PF's two orders this step is part of (plan.h). */
        jw_key(jw, "order");
        jw_string(jw, obs_order_name((enum obs_order)a->order));
    }
}

static void
json_steering(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "steering_mode");
    jw_string(jw, s->steering.mode);
}

static void
json_set_vf(struct jw *jw, const struct plan_step *s)
{
    const struct plan_vf_req *req = &s->setvf.req;
    char mac[18];

    jw_key(jw, "vf");
    jw_int(jw, s->vf);
    if (req->has_mac) {
        jw_key(jw, "mac");
        jw_string(jw, spec_mac_to_string(req->mac, mac));
        /* null: apply finds out (the VFs or the mode change first). */
        jw_key(jw, "mac_via");
        jw_string(jw, plan_mac_via_name(s->setvf.mac_via));
    }
    if (req->vlan >= 0) {
        jw_key(jw, "vlan");
        jw_int(jw, req->vlan);
    }
    json_tristate(jw, "trust", req->trust);
    json_tristate(jw, "spoofchk", req->spoofchk);
}

static void
json_hw_tc(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "netdev");
    jw_string(jw, s->hwtc.netdev);
    jw_key(jw, "on");
    jw_bool(jw, s->hwtc.on);
}

static void
json_link(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "netdev");
    /* null: the representor appears when an earlier step ran. */
    json_string_or_null(jw, s->link.netdev);
}

static void
json_bridge(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "bridge");
    jw_string(jw, s->ovsport.bridge);
}

/* A new port's access VLAN, only when it gets one. */
static void
json_new_tag(struct jw *jw, const struct plan_step *s)
{
    if (s->ovsport.has_tag) {
        jw_key(jw, "tag");
        jw_int(jw, s->ovsport.tag);
    }
}

static void
json_port(struct jw *jw, const struct plan_step *s)
{
    json_bridge(jw, s);
    jw_key(jw, "port");
    /* null: the representor appears when an earlier step ran. */
    json_string_or_null(jw, s->ovsport.port);
    json_new_tag(jw, s);
}

static void
json_move_port(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "from_bridge");
    jw_string(jw, s->ovsport.from_bridge);
    json_bridge(jw, s);
    jw_key(jw, "port");
    jw_string(jw, s->ovsport.port);
    json_new_tag(jw, s);
}

/* set-port-tag: "tag" null clears it. */
static void
json_port_tag(struct jw *jw, const struct plan_step *s)
{
    json_bridge(jw, s);
    jw_key(jw, "port");
    jw_string(jw, s->ovsport.port);
    jw_key(jw, "tag");
    if (s->ovsport.has_tag) {
        jw_int(jw, s->ovsport.tag);
    } else {
        jw_null(jw);
    }
}

/* rename-port, set-port-key: the port by its key. */
static void
json_keyed_port(struct jw *jw, const struct plan_step *s)
{
    json_bridge(jw, s);
    if (s->ovsport.from_port[0]) {
        jw_key(jw, "from_port");
        jw_string(jw, s->ovsport.from_port);
    }
    jw_key(jw, "port");
    jw_string(jw, s->ovsport.port);
    jw_key(jw, "key");
    jw_string(jw, s->ovsport.key);
}

static void
json_key(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "key");
    jw_string(jw, s->kv.key);
}

static void
json_key_value(struct jw *jw, const struct plan_step *s)
{
    json_key(jw, s);
    jw_key(jw, "value");
    jw_string(jw, s->kv.value);
}

static void
json_none(struct jw *jw, const struct plan_step *s)
{
    (void)jw;
    (void)s;
}

/* ---- "Leave" defaults ------------------------------------------------- */

static void
init_eswitch(struct plan_step *s)
{
    s->eswitch.mode = s->eswitch.inline_mode = s->eswitch.encap_mode = -1;
    s->eswitch.order = -1;
}

/* A vDPA step: the device, its management device, and what it is made
 * with (new) or bound to (bind). */
static void
json_vdpa(struct jw *jw, const struct plan_step *s)
{
    const struct plan_vdpa_args *a = &s->vdpa;
    char mac[18];
    jw_key(jw, "name");
    jw_string(jw, a->name);
    jw_key(jw, "mgmtdev");
    json_string_or_null(jw, a->mgmtdev);
    if (s->action == PLAN_VDPA_DEL) {
        return;
    }
    jw_key(jw, "driver");
    jw_string(jw, a->driver);
    if (s->action == PLAN_VDPA_NEW) {
        jw_key(jw, "mac");
        json_string_or_null(jw, a->has_mac ? spec_mac_to_string(a->mac, mac)
                                           : NULL);
        jw_key(jw, "max_vqp");
        jw_int(jw, a->max_vqp);
        jw_key(jw, "mtu");
        jw_int(jw, a->mtu);
    }
}

/* vdpa-disable-eth: the devlink instance, the device it is for and the
 * netdev that goes away (null: none). */
static void
json_vdpa_eth(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "devlink");
    jw_string(jw, s->vdpa.mgmtdev);
    jw_key(jw, "name");
    jw_string(jw, s->vdpa.name);
    jw_key(jw, "netdev");
    json_string_or_null(jw, s->vdpa.netdev);
}

static void
init_set_vf(struct plan_step *s)
{
    struct plan_vf_req *req = &s->setvf.req;
    req->vlan = req->trust = req->spoofchk = -1;
}

static void
json_bond(struct jw *jw, const struct plan_step *s)
{
    jw_key(jw, "bond");
    jw_string(jw, s->bond.name);
    if (s->action == PLAN_ENSLAVE || s->action == PLAN_RELEASE) {
        jw_key(jw, "member");
        jw_string(jw, s->bond.member);
        return;
    }
    if (s->action == PLAN_DELETE_BOND) {
        return;
    }
    jw_key(jw, "mode");
    jw_int(jw, s->bond.mode);
    jw_key(jw, "miimon_ms");
    jw_int(jw, s->bond.miimon_ms);
}

/* set-bond-options: only the options that change. */
static void
json_bond_options(struct jw *jw, const struct plan_step *s)
{
    const struct plan_bond_args *a = &s->bond;
    jw_key(jw, "bond");
    jw_string(jw, a->name);
    if (a->miimon_ms) {
        jw_key(jw, "miimon_ms");
        jw_int(jw, a->miimon_ms);
    }
    if (a->xmit_hash >= 0) {
        jw_key(jw, "xmit_hash_policy");
        jw_string(jw, bond_xmit_hash_name(a->xmit_hash));
    }
    if (a->lacp_rate >= 0) {
        jw_key(jw, "lacp_rate");
        jw_string(jw, a->lacp_rate ? "fast" : "slow");
    }
    jw_key(jw, "live");
    jw_bool(jw, !a->down);
}

/* ---- The table -------------------------------------------------------- */

static const struct step_type step_types[] = {
    [PLAN_DETACH_PORT] = {"detach-port", false, apply_detach_port, json_port,
                          NULL},
    [PLAN_SET_NUMVFS] = {"set-numvfs", false, apply_set_numvfs, json_numvfs,
                         NULL},
    [PLAN_UNBIND_VF] = {"unbind-vf", false, apply_unbind_vf, json_unbind,
                        NULL},
    [PLAN_SET_ESWITCH] = {"set-eswitch", false, apply_set_eswitch,
                          json_eswitch, init_eswitch},
    [PLAN_SET_STEERING_MODE] = {"set-steering-mode", false,
                                apply_set_steering_mode, json_steering, NULL},
    [PLAN_WAIT_VFS] = {"wait-vfs", false, apply_wait_vfs, json_wait, NULL},
    [PLAN_SET_VF] = {"set-vf", false, apply_set_vf, json_set_vf, init_set_vf},
    [PLAN_BIND_VF] = {"bind-vf", false, apply_bind_vf, json_bind, NULL},
    [PLAN_SET_HW_TC_OFFLOAD] = {"set-hw-tc-offload", false,
                                apply_set_hw_tc_offload, json_hw_tc, NULL},
    [PLAN_SET_LINK_UP] = {"set-link-up", false, apply_set_link_up, json_link,
                          NULL},
    [PLAN_OVS_ADD_BRIDGE] = {"add-bridge", true, apply_ovs, json_bridge, NULL},
    [PLAN_OVS_ADD_PORT] = {"add-port", true, apply_ovs, json_port, NULL},
    [PLAN_OVS_MOVE_PORT] = {"move-port", true, apply_ovs, json_move_port,
                            NULL},
    [PLAN_OVS_DEL_PORT] = {"del-port", true, apply_ovs, json_port, NULL},
    [PLAN_OVS_SET_PORT_TAG] = {"set-port-tag", true, apply_ovs, json_port_tag,
                               NULL},
    [PLAN_OVS_SET_CONFIG] = {"set-other-config", true, apply_ovs,
                             json_key_value, NULL},
    [PLAN_OVS_DEL_CONFIG] = {"del-other-config", true, apply_ovs, json_key,
                             NULL},
    [PLAN_OVS_SET_EXTERNAL_ID] = {"set-external-id", true, apply_ovs,
                                  json_key_value, NULL},
    [PLAN_OVS_DEL_EXTERNAL_ID] = {"del-external-id", true, apply_ovs, json_key,
                                  NULL},
    [PLAN_RESTART_VSWITCHD] = {"restart-vswitchd", false,
                               apply_restart_vswitchd, json_none, NULL},
    [PLAN_OVS_RENAME_PORT] = {"rename-port", true, apply_ovs, json_keyed_port,
                              NULL},
    [PLAN_OVS_SET_PORT_KEY] = {"set-port-key", true, apply_ovs,
                               json_keyed_port, NULL},
    [PLAN_CREATE_BOND] = {"create-bond", false, apply_create_bond, json_bond,
                          NULL},
    [PLAN_ENSLAVE] = {"enslave", false, apply_enslave, json_bond, NULL},
    [PLAN_RELEASE] = {"release", false, apply_release, json_bond, NULL},
    [PLAN_SET_BOND] = {"set-bond", false, apply_set_bond, json_bond, NULL},
    [PLAN_DELETE_BOND] = {"delete-bond", false, apply_delete_bond, json_bond,
                          NULL},
    [PLAN_SET_BOND_OPTIONS] = {"set-bond-options", false,
                               apply_set_bond_options, json_bond_options,
                               NULL},
    [PLAN_VDPA_DEL] = {"vdpa-del", false, apply_vdpa, json_vdpa, NULL},
    [PLAN_VDPA_NEW] = {"vdpa-new", false, apply_vdpa, json_vdpa, NULL},
    [PLAN_VDPA_BIND] = {"vdpa-bind", false, apply_vdpa, json_vdpa, NULL},
    [PLAN_VDPA_DISABLE_ETH] = {"vdpa-disable-eth", false, apply_vdpa,
                               json_vdpa_eth, NULL},
};

const struct step_type *
step_type_of(enum plan_action action)
{
    size_t i = (size_t)action;
    return i < sizeof step_types / sizeof step_types[0] && step_types[i].name
               ? &step_types[i]
               : NULL;
}

void
step_init(struct plan_step *s, enum plan_action action, int pf, int vf)
{
    const struct step_type *type = step_type_of(action);

    memset(s, 0, sizeof *s);
    s->action = action;
    s->pf = pf;
    s->vf = vf;
    if (type && type->init) {
        type->init(s);
    }
}

void
step_json_fields(struct jw *jw, const struct plan_step *s)
{
    const struct step_type *type = step_type_of(s->action);
    if (type) {
        type->json(jw, s);
    }
}
