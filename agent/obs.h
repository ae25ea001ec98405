/* obs: what the host has, observed for one spec: per PF of the spec its
 * device (with its driver and firmware), eswitch, VFs, VF drivers,
 * representors, admin state (up), hw-tc-offload and tc rule counts, plus
 * the Open_vSwitch database. Plain copies, owned by the obs_host: the
 * planner and the report read nothing else (no sockets, no IDL rows, no
 * syscalls past obs_collect()). */
#ifndef OA_OBS_H
#define OA_OBS_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-common/err.h"

struct spec;
struct hostio;
struct vsdb_state;
struct pfpin_store;

enum obs_tristate {
    OBS_UNKNOWN = 0,
    OBS_NO,
    OBS_YES,
};

/* tc flower (and other) rules on a netdev's ingress hook. */
struct obs_tc {
    bool known; /* false: not dumped (no netdev, or the dump failed) */
    size_t rules, in_hw, not_in_hw;
    size_t skip_hw; /* rules the software asked to keep out of hardware */
};

struct obs_vf {
    unsigned index;
    /* From the PF's IFLA_VFINFO_LIST; 'has_info' false when the kernel
     * reported no entry for this VF. */
    bool has_info;
    uint8_t mac[6]; /* all zero: no MAC set */
    unsigned vlan;
    enum obs_tristate trust, spoofchk; /* UNKNOWN: driver does not say */
    /* VFs that are PCI functions (sriov_vfs_are_devices()). */
    char pci[16];    /* "" when not a PCI device */
    char driver[32]; /* bound driver, "" when unbound or not a device */
    /* The representor, found by identity (repr_resolve()). */
    bool has_rep;
    char rep[16];
    int rep_ifindex;
    enum obs_tristate rep_hw_tc_offload;
    /* Admin state (IFF_UP); UNKNOWN: not read. ovs-vswitchd does not set
     * ports up, and on mlx5 a VF's link follows its representor's. */
    enum obs_tristate rep_up;
    struct obs_tc rep_tc;
    /* The VF's devlink port function reports a MAC (hw_addr): mlx5 in
     * switchdev. Then the MAC is set that way, before the VF's driver
     * binds (apply_set_vf), else through the PF (IFLA_VF_MAC). From the
     * port dump the representor is found by. */
    bool has_fn_hw_addr;
    uint8_t fn_hw_addr[6];
    /* In use (PCI VFs only): bound to vfio-pci with its IOMMU group's
     * device open by a process (a VM, DPDK), or its netdev enslaved, or
     * up with an address other than IPv6 link-local. A vfio-pci VF that
     * nobody holds is not in use. 'holder' says by what, for people:
     * "vfio-pci, /dev/vfio/noiommu-0 open by qemu (pid 812)", "netdev
     * eth3 up with 192.0.2.5/24", "netdev eth3 enslaved to bond0". */
    bool in_use;
    char holder[128];
};

/* The order in which a PF's eswitch mode and VF count change (plan.h
 * defines both). Switchdev-first is the default, on every kernel. */
enum obs_order {
    OBS_ORDER_SWITCHDEV_FIRST = 0,
    OBS_ORDER_VFS_FIRST,
};

/* Where a PF's order comes from (the engine sets it). */
enum obs_order_source {
    OBS_ORDER_DEFAULT = 0, /* nothing known: switchdev-first */
    OBS_ORDER_LEARNED,     /* it took this device to switchdev before */
    OBS_ORDER_FALLBACK,    /* the other order was refused this reconcile */
};

/* "switchdev-first", "vfs-first"; NULL outside the enum. */
const char *obs_order_name(enum obs_order order);
/* The name back: 0, or -EINVAL. */
int obs_order_parse(const char *name, enum obs_order *out);
/* "default", "learned", "fallback"; NULL outside the enum. */
const char *obs_order_source_name(enum obs_order_source source);

/* The devlink param behind the spec's steering_mode. */
#define OBS_STEERING_PARAM "flow_steering_mode"

struct obs_pf {
    /* False when the spec's PF was not found on the host; 'error' says
     * why ("no netdev enp1s0", ...) and nothing below is valid but
     * has_total_vfs/total_vfs, read when the device itself is there. */
    bool found;
    char error[160];
    char netdev[16]; /* the uplink, as it is called now */
    int ifindex;
    /* Found through its pin (pfpin.h): the spec names it by a netdev
     * name, and the device it was pinned to is still there, whatever
     * its uplink ('netdev') is called now. */
    bool pinned;
    bool has_devlink;
    char devlink[96];           /* "bus/dev" */
    char bus[32], dev_name[64]; /* the sysfs device (sriov_pf) */
    bool has_eswitch;           /* devlink answered eswitch get */
    int eswitch_mode;           /* DEVLINK_ESWITCH_MODE_* */
    bool has_inline_mode, has_encap_mode;
    int inline_mode, encap_mode; /* DEVLINK_ESWITCH_{INLINE,ENCAP}_MODE_* */
    /* mlx5's devlink param flow_steering_mode ("dmfs", "smfs"), read
     * only when the spec asks for one; has_steering false otherwise or
     * when the driver has no such param. */
    bool has_steering;
    char steering[16];
    /* devlink info: the driver and its running firmware version ("" when
     * not reported). With the devlink handle, they key what the agent
     * learned about the device (order.h): new firmware, new learning. */
    char driver[32];
    char firmware[128];
    /* The order the planner uses for this PF. obs_collect() leaves the
     * default; the engine sets what it learned or fell back to, so the
     * planner stays a function of the observation. */
    enum obs_order order;
    enum obs_order_source order_source;
    /* OBS_ORDER_FALLBACK: the other order's refusal, with the kernel's
     * text; "" otherwise. */
    char order_refusal[OA_ERR_FORMAT_MAX];
    unsigned num_vfs;
    /* sriov_numvfs is ahead of the kernel's own count (the netdev's
     * IFLA_NUM_VF): the driver is still creating the VFs of a write made
     * a moment ago, by us or by anyone (mlx5 probes each VF; firmware
     * creates them at boot). They come: wait for them, do not block. */
    bool vfs_arriving;
    bool has_total_vfs;
    unsigned total_vfs;
    bool vfs_are_devices; /* VFs are PCI functions: binding applies */
    enum obs_tristate uplink_hw_tc_offload;
    enum obs_tristate uplink_up; /* admin state (IFF_UP) */
    int uplink_master;           /* IFLA_MASTER; 0: none */
    /* The bond of the agent's (marked, obs-bond.h) the uplink is
     * enslaved to, whether the spec still bonds this PF or not; "". */
    char uplink_bond[16];
    struct obs_tc uplink_tc;
    struct obs_vf *vfs; /* num_vfs entries, vfs[i].index == i */
    size_t n_vfs;
    size_t n_reps; /* VFs with has_rep */
};

struct obs_ovs {
    /* False when the database could not be reached within the observe
     * timeout: 'state' is then NULL and OVS steps cannot be planned. */
    bool connected;
    struct vsdb_state *state; /* owned */
    char *vswitchd_id;        /* vsdb_vswitchd_identity(); NULL: none runs */
};

struct obs_bond;
struct obs_stray_bond;

struct obs_host {
    char kernel_release[65]; /* uname -r, for people */
    struct obs_pf *pfs;      /* one per spec->pfs[], same order */
    size_t n_pfs;
    struct obs_ovs ovs;
    /* One per spec->bonds[], same order (obs-bond.h); NULL and 0 when
     * the spec has none. */
    struct obs_bond *bonds;
    size_t n_bonds;
    /* The agent's bonds that no spec bond names (obs-bond.h). */
    struct obs_stray_bond *stray_bonds;
    size_t n_stray_bonds;
    /* The vDPA devices (obs-vdpa.h); NULL when neither the spec nor the
     * agent's record has one. */
    struct obs_vdpa *vdpa;
};

/* Observes everything 'spec' names, read-only. Waits at most
 * 'ovs_timeout_ms' for the OVSDB snapshot (0: use what is there). A PF
 * that cannot be found is not an error (obs_pf.found false); failures to
 * talk to the kernel at all are. Caller frees *out with obs_free().
 * Returns 0 or a negative errno with 'err' (may be NULL) set. */
int obs_collect(struct hostio *io, const struct spec *spec,
                long long ovs_timeout_ms, struct obs_host **out,
                struct oa_err *err);
/* As obs_collect(), with the PF pins 'pins' (may be NULL: every PF named
 * by netdev is found by that name): a PF named by netdev whose pinned
 * device exists is that device (pfpin.h). Reads 'pins' only. */
int obs_collect_pinned(struct hostio *io, const struct spec *spec,
                       const struct pfpin_store *pins,
                       long long ovs_timeout_ms, struct obs_host **out,
                       struct oa_err *err);
void obs_free(struct obs_host *host);

#endif
