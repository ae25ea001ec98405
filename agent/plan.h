/* plan: the pure planner. Desired (spec) + observed (obs_host) -> the
 * ordered steps that take the host there; nothing when converged.
 *
 * Order (docs/architecture.md, "The chain"): per PF, the one its
 * observation carries (obs_pf.order: switchdev-first unless the engine
 * learned or fell back to vfs-first; the planner does no I/O to know):
 *  - switchdev-first (the default, on every kernel; NVIDIA's documented
 *    order for current mlx5): the eswitch mode changes only while the PF
 *    has 0 VFs. With VFs there and the mode to change, they go first:
 *      [detach-port] -> set-numvfs 0 -> set-eswitch -> set-numvfs N ->
 *      wait-vfs -> set-vf -> bind-vf -> set-hw-tc-offload ->
 *      set-link-up -> OVS
 *    Going through 0 VFs destroys VFs that may be in use (a VM's vfio-pci
 *    VF): such a plan is blocked unless the PF's spec says "disruptive":
 *    "allow" (obs_vf.in_use; docs/architecture.md, "VFs in use").
 *  - vfs-first (older mlx5, drivers that refuse switchdev without VFs):
 *    the VFs are created in legacy, unbound, then the mode changes:
 *      [detach-port] -> set-numvfs 0 -> set-numvfs N -> unbind-vf ->
 *      set-eswitch -> wait-vfs -> set-vf -> bind-vf -> ... -> OVS
 *    (set-numvfs 0 only for a count change).
 * When the kernel refuses switchdev in one order, the engine plans that
 * PF again in the other (engine.h).
 * A count change N -> M goes through 0, which drops some eswitches back to
 * legacy: switchdev is (re)asserted after it. Ports of representors that
 * a step removes are detached from OVS first (detach-port), and with
 * every set-eswitch the PF's uplink and representor ports too (mlx5
 * refuses an eswitch change while tc rules are offloaded; OVS removes a
 * port's rules): the OVS steps add back what the spec still wants. A
 * steering mode change (mlx5 takes it only in legacy with 0 VFs) goes
 * set-numvfs 0 -> set-eswitch legacy -> set-steering-mode, then on as
 * above.
 *
 * set-link-up: ovs-vswitchd does not set its system ports up, and on mlx5
 * in switchdev a VF's link follows its representor's. The uplink is set
 * up in every eswitch mode (in legacy the VFs' traffic leaves through it);
 * every representor of a PF in (or going to) switchdev is set up, whether
 * or not it is attached to OVS; representors this plan creates get a step
 * with an empty netdev ("once it appears": the next round names it).
 *
 * A VF's vlan is written through the PF (set-vf, IFLA_VF_VLAN) on a
 * legacy PF only; on a switchdev PF it is the tag of the representor's
 * OVS port (set-port-tag, or the tag of its add-port): mlx5 refuses the
 * VF ndo VLAN there. vlan 0 means no tag, cleared on the agent's own
 * ports only.
 *
 * Spec bonds (VF-LAG) are a host-wide stage after every PF's steps: once
 * both member PFs are observed in switchdev and this plan changes
 * neither's eswitch or VF count: create-bond -> enslave (each uplink) ->
 * set-link-up (the bond); their VFs are bound only once the bond has
 * formed, and the bond is the bridge's port (docs/architecture.md,
 * "Bonds (VF-LAG)").
 *
 * OVS steps are the vsdb operations (add-bridge, add-port, ...) of ONE
 * transaction whose desired state is plan.want; representors that do not
 * exist yet but that this plan creates show as add-port steps with an
 * empty port name (the next round, after they appear, names them). */
#ifndef OA_PLAN_H
#define OA_PLAN_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vsdb-offload.h"
#include "vsdb.h"

struct spec;
struct obs_host;

/* The kinds of step. Each has one row in step.c's table (name, OVS or
 * kernel, apply function, JSON fields) and, below, its arguments in the
 * step's union. */
enum plan_action {
    PLAN_DETACH_PORT,       /* ovsport: out of OVS before kernel steps */
    PLAN_SET_NUMVFS,        /* numvfs */
    PLAN_UNBIND_VF,         /* binding: pci (vf: the VF) */
    PLAN_SET_ESWITCH,       /* eswitch */
    PLAN_SET_STEERING_MODE, /* steering: legacy, 0 VFs */
    PLAN_WAIT_VFS,          /* wait: VFs listed, PCI VFs, representors */
    PLAN_SET_VF,            /* setvf (vf: the VF) */
    PLAN_BIND_VF,           /* binding: pci, driver (vf: the VF) */
    PLAN_SET_HW_TC_OFFLOAD, /* hwtc */
    PLAN_SET_LINK_UP,       /* link: the uplink (vf -1) or a representor */
    PLAN_OVS_ADD_BRIDGE,    /* ovsport: bridge */
    PLAN_OVS_ADD_PORT,  /* ovsport: bridge, port ("" until the rep exists) */
    PLAN_OVS_MOVE_PORT, /* ovsport: from_bridge -> bridge, port */
    PLAN_OVS_DEL_PORT,  /* ovsport: bridge, port: ours, not wanted */
    PLAN_OVS_SET_PORT_TAG,    /* ovsport: bridge, port (ours), tag */
    PLAN_OVS_SET_CONFIG,      /* kv: Open_vSwitch other_config */
    PLAN_OVS_DEL_CONFIG,      /* kv: key */
    PLAN_OVS_SET_EXTERNAL_ID, /* kv: the agent's record */
    PLAN_OVS_DEL_EXTERNAL_ID, /* kv: key */
    PLAN_RESTART_VSWITCHD,    /* settings only a restart applies */
    /* ovsport: bridge, from_port -> port, key: the agent's port whose
     * netdev was renamed, found by its key and re-pointed in place (new
     * rows, same transaction: never a window without the port). */
    PLAN_OVS_RENAME_PORT,
    PLAN_OVS_SET_PORT_KEY, /* ovsport: bridge, port, key: ours, without */
    /* VF-LAG (spec bonds), after both PFs are switchdev: */
    PLAN_CREATE_BOND, /* bond: name, options; marked as the agent's */
    PLAN_ENSLAVE,     /* bond: name, member (set down first) */
    PLAN_RELEASE,     /* bond: name, member (the bond closes it) */
    PLAN_SET_BOND,    /* bond: name, options (set down first) */
    PLAN_DELETE_BOND, /* bond: name (the agent's, members released) */
    /* bond: name, the options that change (miimon_ms 0, xmit_hash and
     * lacp_rate -1: unchanged); members stay enslaved; down: set down
     * first (lacp_rate: the kernel takes it only then), a set-link-up
     * follows. */
    PLAN_SET_BOND_OPTIONS,
    /* vDPA devices (plan-vdpa.h), after every other kernel step of their
     * PF: vdpa: name (object), mgmtdev, mac, max_vqp, mtu, driver. */
    PLAN_VDPA_DEL,  /* the agent's device: not wanted, or to re-create */
    PLAN_VDPA_NEW,  /* VDPA_CMD_DEV_NEW, recorded as the agent's */
    PLAN_VDPA_BIND, /* to driver on the vdpa bus */
    /* Before a vdpa-new on a management device that is a devlink instance
     * with enable_eth on (mlx5's VF, pci/<VF>): enable_eth false in
     * driverinit, then a reload (object: the devlink handle; vdpa: name,
     * mgmtdev, netdev). */
    PLAN_VDPA_DISABLE_ETH,
};

/* VF settings to write; negative / has_mac false: leave alone. */
struct plan_vf_req {
    bool has_mac;
    uint8_t mac[6];
    int vlan;
    int trust;
    int spoofchk;
};

/* set-numvfs. */
struct plan_count_args {
    unsigned num;
    char netdev[16]; /* the PF's, for people */
    /* sriov_drivers_autoprobe off during the write (restored as found):
     * the agent binds the new PCI VFs itself, once they are configured. */
    bool no_autoprobe;
};

/* wait-vfs: after VFs or representors were created, until 'num' VFs
 * exist in every way asked: listed by the PF (IFLA_VFINFO_LIST), as
 * PCI functions (virtfnN), with a representor. */
struct plan_wait_args {
    unsigned num;
    bool listed, pci, reps;
    char netdev[16]; /* the PF's, for people */
};

/* set-eswitch: DEVLINK_ESWITCH_*; -1: leave. */
struct plan_eswitch_args {
    int mode;
    int inline_mode;
    int encap_mode;
    char netdev[16];
    /* The PF's order (enum obs_order) when this step is part of it; -1:
     * not (the way to legacy for a steering change). For plan --json. */
    int order;
};

/* set-steering-mode: mlx5's flow_steering_mode, which only changes in
 * legacy with no VFs: the plan gets there first. */
struct plan_steering_args {
    char mode[8]; /* "dmfs", "smfs" */
    char netdev[16];
};

/* unbind-vf, bind-vf. */
struct plan_bind_args {
    char pci[16];
    char driver[32]; /* bind: the one to bind; unbind: the one it had */
};

/* How set-vf writes a VF's MAC, as far as the observation tells: apply
 * decides again from what it reads. */
enum plan_mac_via {
    /* Not known before the step: this plan creates the VFs, changes the
     * eswitch mode (VF ports exist only in switchdev), or the VF has no
     * representor yet. */
    PLAN_MAC_VIA_UNKNOWN = 0,
    /* The VF's devlink port function reports a hw_addr: set it there
     * (devlink port function set ... hw_addr). */
    PLAN_MAC_VIA_PORT_FN,
    /* Through the PF (rtnetlink IFLA_VF_MAC): legacy, or a driver
     * without the port function op. */
    PLAN_MAC_VIA_PF,
};

/* "port-function", "pf-vf-ndo"; NULL for UNKNOWN (JSON null). */
const char *plan_mac_via_name(enum plan_mac_via via);

/* Where a VF's VLAN (spec vfs[].vlan) is applied, by the PF's eswitch
 * mode: mlx5 refuses the VF ndo VLAN in switchdev, where the VF's access
 * VLAN is the tag of its representor's OVS port. */
enum plan_vlan_via {
    PLAN_VLAN_VIA_UNKNOWN = 0, /* the eswitch mode is not known */
    PLAN_VLAN_VIA_OVS_TAG,     /* switchdev: Port.tag (set-port-tag) */
    PLAN_VLAN_VIA_PF,          /* legacy: IFLA_VF_VLAN (set-vf) */
};

/* "ovs-tag", "pf-vf-ndo"; NULL for UNKNOWN (JSON null). */
const char *plan_vlan_via_name(enum plan_vlan_via via);

/* set-vf. */
struct plan_vf_args {
    struct plan_vf_req req;
    char netdev[16];           /* the PF's */
    char pci[16];              /* "" when the VF is created by this plan */
    enum plan_mac_via mac_via; /* req.has_mac only */
};

/* set-hw-tc-offload. */
struct plan_hw_tc_args {
    char netdev[16]; /* "" until the representor exists: skipped */
    bool on;
};

/* set-link-up (admin state IFF_UP). */
struct plan_link_args {
    char netdev[16]; /* "" until the representor exists: skipped */
};

/* detach-port and the OVS bridge and port steps. */
struct plan_port_args {
    char bridge[16], from_bridge[16], port[16];
    /* add-port, move-port: the new port's tag (a switchdev VF's vlan);
     * set-port-tag: the tag, has_tag false: none (cleared). */
    bool has_tag;
    unsigned tag;
    char from_port[16]; /* rename-port: the name the port had */
    char key[96];       /* the port's key (VSDB_PORT_KEY), "" none */
};

/* create-bond, enslave: kernel numbers (linux/if_bonding.h); -1:
 * the kernel's default. */
struct plan_bond_args {
    char name[16];
    char member[16]; /* enslave, release: the uplink */
    int mode;
    unsigned miimon_ms;
    int xmit_hash, lacp_rate;
    bool down; /* set-bond-options: the bond set down first */
};

/* The vDPA steps. */
struct plan_vdpa_args {
    char name[64];
    char mgmtdev[96];
    char driver[32]; /* bind: the one to bind; new: the one to bind next */
    bool has_mac;
    uint8_t mac[6];
    unsigned max_vqp, mtu; /* 0: left out */
    char netdev[16]; /* disable-eth: the netdev that goes away, "" none */
};

/* The OVS key steps. */
struct plan_kv_args {
    char key[64], value[128];
};

struct plan_step {
    enum plan_action action;
    int pf;           /* index in spec->pfs; -1: not about one PF */
    int vf;           /* VF index; -1: none */
    char object[96];  /* what it acts on: netdev, devlink handle, bridge,
                        * key: the "object" of plan --json */
    char detail[160]; /* for people: "legacy -> switchdev", "2 -> 0" */
    /* The arguments of 'action' (see enum plan_action); step_init()
     * (step.h) sets the "leave" defaults. */
    union {
        struct plan_count_args numvfs;
        struct plan_wait_args wait;
        struct plan_eswitch_args eswitch;
        struct plan_steering_args steering;
        struct plan_bind_args binding;
        struct plan_vf_args setvf;
        struct plan_hw_tc_args hwtc;
        struct plan_link_args link;
        struct plan_port_args ovsport;
        struct plan_kv_args kv;
        struct plan_bond_args bond;
        struct plan_vdpa_args vdpa;
    };
};

/* Something that keeps the host from converging and that no step can
 * fix: a PF not found, more VFs than the device has, OVS unreachable. */
struct plan_blocker {
    int pf; /* -1: not about one PF */
    char object[96];
    char message[256];
};

struct plan {
    struct plan_step *steps;
    size_t n_steps;
    struct plan_blocker *blockers;
    size_t n_blockers;
    /* The OVS transaction behind the OVS steps (has_ovs false: none, or
     * OVS not connected). Strings are owned by the plan. */
    bool has_ovs;
    struct vsdb_want want;
    /* What detach-port steps commit: the current ports minus the
     * detached ones. */
    bool has_detach;
    struct vsdb_want detach_want;
    /* The hw-offload decision (never copy it: it points into itself). */
    bool has_offload;
    struct vsdb_offload_decision offload;
    void *storage; /* the planner's allocations behind 'want' */
};

/* Pure. Returns 0 and a new plan (caller frees with plan_free()), or
 * -ENOMEM. -EINVAL when 'host' was not observed for 'spec' (PF counts
 * differ). */
int plan_compute(const struct spec *spec, const struct obs_host *host,
                 struct plan **out);
void plan_free(struct plan *plan);

/* Converged: no blocker, and no step but the record's (below). */
bool plan_is_converged(const struct plan *plan);

/* A step that only brings the agent's own record up to date while the
 * running ovs-vswitchd uses the wanted offload settings (verdict
 * in-effect): set-external-id of offload-agent-vswitchd or
 * offload-agent-latched. An ovs-vswitchd restart makes the record name
 * the old process; that is bookkeeping, not drift, and the host is
 * converged (the daemon still writes it on its next look). */
bool plan_step_is_record(const struct plan *plan, const struct plan_step *s);

/* The steps that are not record steps, and the first of them in
 * '*first' (may be NULL; NULL when there is none). */
size_t plan_n_unapplied(const struct plan *plan,
                        const struct plan_step **first);

/* Leaves PF 'pf''s OVS ports where they are after all: its detach-port
 * steps and the add-port steps putting those ports back leave the plan,
 * and the detach transaction keeps them. For the engine, when it holds
 * back the PF's kernel steps (a remembered refusal): nothing changes the
 * eswitch then, and detaching would only flap the ports. 0 or
 * -ENOMEM. */
int plan_keep_attached(struct plan *plan, int pf);

/* "set-eswitch", "add-port", ...: the "action" of plan --json ("?" for
 * a value outside the enum). Looked up in step.c's table. */
const char *plan_action_name(enum plan_action action);

/* True for the steps carried out by the OVS transaction (plan.want). */
bool plan_action_is_ovs(enum plan_action action);

#endif
