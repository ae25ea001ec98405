/* vdpa-eth: the ethernet function of a vDPA device's management device.
 * On mlx5 a VF (or SF) serves either its netdev or its vDPA device; the
 * way to the second, as os-net-config goes it, is the generic devlink
 * param enable_eth set false in cmode driverinit and a reload of that
 * function's own devlink instance (pci/<VF>). The planner's step for it
 * is vdpa-disable-eth (plan-vdpa.h); this module observes the param and
 * carries the step out. */
#ifndef OA_VDPA_ETH_H
#define OA_VDPA_ETH_H 1

#include <stddef.h>
#include <stdint.h>

#include "oa-common/err.h"

struct devlink_handle;
struct devlink_param;
struct hostio;
struct oanl_extack;
struct obs_host;
struct plan_step;
struct spec;

/* The devlink calls this module makes, as devlink.h has them with the
 * socket as 'aux': the real ones for the agent, a script in unit tests. */
struct vdpa_eth_ops {
    int (*param_get)(void *aux, const struct devlink_handle *,
                     const char *name, uint8_t cmode, struct devlink_param *,
                     struct oanl_extack *);
    int (*param_set)(void *aux, const struct devlink_handle *,
                     const struct devlink_param *, struct oanl_extack *);
    int (*reload)(void *aux, const struct devlink_handle *,
                  uint32_t *performed, struct oanl_extack *);
};

/* The devlink param (DEVLINK_PARAM_GENERIC_ENABLE_ETH_NAME). */
#define VDPA_ETH_PARAM "enable_eth"

/* Fills host->vdpa->eths: for every management device of a device the
 * spec asks for (its "mgmtdev", else pci/<the VF's address>) that is a
 * devlink instance of the same name with enable_eth, the param's
 * driverinit value and, when it is on, the function's netdev and
 * whether that is in use. No devlink family, no such instance or no
 * such param: nothing listed, no error. Nothing when host->vdpa is NULL
 * or the vdpa family is missing. Read-only. 0 or -ENOMEM. */
int vdpa_eth_observe(struct hostio *io, const struct spec *spec,
                     struct obs_host *host, struct oa_err *err);
/* The same through 'ops' on 'aux' (io: only its sysfs_root). */
int vdpa_eth_observe_with(const struct vdpa_eth_ops *ops, void *aux,
                          const struct hostio *io, const struct spec *spec,
                          struct obs_host *host, struct oa_err *err);

/* vdpa-disable-eth: enable_eth false in driverinit, then a reload
 * (driver_reinit) of the instance; nothing when the param reads false
 * already ("unchanged: ..."); a refused reload puts the driverinit
 * value back to true, so that the next round plans the step again and
 * says why. 0 with 'msg' saying what was done, or a negative errno with
 * 'err' set (the kernel's text with it). */
int vdpa_eth_apply(const struct hostio *io, const struct plan_step *s,
                   char *msg, size_t size, struct oa_err *err);
/* The same through 'ops' on 'aux'. */
int vdpa_eth_apply_with(const struct vdpa_eth_ops *ops, void *aux,
                        const struct plan_step *s, char *msg, size_t size,
                        struct oa_err *err);

#endif
