/* obs-vdpa: the host's vDPA devices, for the planner (plan-vdpa.h):
 * every device the kernel's vdpa family lists (the agent's and others'),
 * its configuration, its driver on the vdpa bus and what that made of it,
 * and which of them the agent created (vdpaown.h). Read-only. */
#ifndef OA_OBS_VDPA_H
#define OA_OBS_VDPA_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-common/err.h"

struct hostio;
struct spec;

struct obs_vdpa_dev {
    char name[64];
    char mgmtdev[96]; /* "pci/0000:43:00.2", "vdpasim_net" */
    char driver[32];  /* "" when unbound */
    char chardev[32]; /* vhost_vdpa's "vhost-vdpa-N", else "" */
    char netdev[16];  /* virtio_vdpa's virtio_net netdev, else "" */
    bool owned;       /* in the agent's record */
    /* The max_vqp its management device refused when the agent created
     * it (created without; vdpaown.h); 0: none. */
    unsigned vqp_refused;
    bool has_mac, has_mtu, has_max_vqp, has_negotiated;
    uint8_t mac[6];
    unsigned mtu, max_vqp;
    uint64_t negotiated; /* once a driver set FEATURES_OK */
    /* Its char device is open (a VM's QEMU), or its virtio_vdpa netdev
     * is enslaved or up with an address (obs-inuse.h's netdev rule):
     * 'holder' says by whom, "/dev/vhost-vdpa-0 open by qemu (pid 812)",
     * "netdev eth3 up with 10.0.0.1/24". */
    bool in_use;
    char holder[128];
};

/* The management device of a wanted device that is a devlink instance
 * of the same name with the generic param enable_eth (mlx5: the VF's
 * own, pci/<VF>, or an SF's): on mlx5 a function serves its netdev or
 * its vDPA device, and its ethernet side goes off only through a
 * driverinit value and a reload (vdpa-eth.h). Listed only when the
 * param is there. */
struct obs_vdpa_eth {
    char mgmtdev[96]; /* the devlink handle, "pci/0000:08:00.2" */
    bool enabled;     /* enable_eth reads true in cmode driverinit */
    /* enable_eth reads false but the function still has its netdev: the
     * reload that makes a driverinit value take effect did not happen (a
     * run that died between the two, or a hand-made change). */
    bool unapplied;
    /* When enabled or unapplied: the function's netdev ("" none), and
     * whether it is in use by the rule VFs' netdevs follow
     * (obs-inuse.h): enslaved (a bond, a bridge, an OVS port) or up with
     * an address. */
    char netdev[16];
    bool in_use;
    char holder[128];
    char error[160]; /* reading the param failed: why; "" when it did not */
};

struct obs_vdpa {
    /* The kernel has the vdpa family (module vdpa loaded); else 'error'
     * says why and no device is listed. */
    bool available;
    char error[160];
    bool vhost_loaded, virtio_loaded; /* the bus drivers are registered */
    struct obs_vdpa_dev *devs;
    size_t n_devs;
    /* Names recorded as the agent's that the kernel no longer lists. */
    size_t n_owned_gone;
    /* vdpa-eth.h: one per management device with enable_eth. */
    struct obs_vdpa_eth *eths;
    size_t n_eths;
};

/* Observes when 'spec' asks for a vDPA device or the agent's record names
 * one; *out NULL otherwise (nothing to do with vDPA). */
int obs_vdpa_collect(struct hostio *io, const struct spec *spec,
                     struct obs_vdpa **out, struct oa_err *err);
void obs_vdpa_free(struct obs_vdpa *v);
/* The management device 'mgmtdev' with enable_eth, or NULL. */
const struct obs_vdpa_eth *obs_vdpa_find_eth(const struct obs_vdpa *v,
                                             const char *mgmtdev);
/* The device named 'name', or NULL. */
const struct obs_vdpa_dev *obs_vdpa_find(const struct obs_vdpa *v,
                                         const char *name);

#endif
