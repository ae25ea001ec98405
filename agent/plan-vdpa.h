/* plan-vdpa: the vDPA part of the planner (plan.c calls it last, so its
 * steps come after every other kernel step). Pure.
 *
 * Per VF with "vdpa" whose PF has no other kernel step in this plan (a
 * VF being created or reconfigured gets its device in the next round):
 *  - no device of its name: vdpa-new, then vdpa-bind; before the
 *    vdpa-new, where the management device is a devlink instance whose
 *    enable_eth reads true in driverinit (mlx5's VF, pci/<VF>; obs-vdpa.h
 *    obs_vdpa_eth), vdpa-disable-eth (once per management device) or,
 *    when the function's netdev that the reload removes is in use and
 *    the PF does not allow disruption, a blocker and no create;
 *  - the agent's device (vdpaown.h) with another management device, MAC,
 *    MTU or max_vqp (the kernel changes none of them on a live device):
 *    vdpa-del, vdpa-new, vdpa-bind; someone else's: a blocker, it stays
 *    (a max_vqp its management device refused when the agent created it
 *    counts as no difference while the spec asks for that same value);
 *  - bound to another driver or none: vdpa-bind.
 * Every device of the agent's that the spec no longer asks for: vdpa-del.
 * Devices the agent did not create are never deleted. Blockers: the
 * kernel has no vdpa family, the driver is not loaded, a VF that is no
 * PCI function and no "mgmtdev". */
#ifndef OA_PLAN_VDPA_H
#define OA_PLAN_VDPA_H 1

#include "plan.h"

struct spec;
struct obs_host;

/* Where the steps and blockers go (plan.c's builder). */
struct plan_vdpa_sink {
    void *b;
    struct plan_step *(*step)(void *b, enum plan_action, int pf, int vf);
    void (*blocker)(void *b, int pf, const char *object, const char *msg);
};

/* 'plan': the steps so far (which PFs have kernel steps). */
void plan_vdpa(const struct spec *spec, const struct obs_host *host,
               const struct plan *plan, const struct plan_vdpa_sink *sink);

#endif
