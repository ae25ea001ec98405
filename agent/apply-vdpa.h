/* apply-vdpa: carries out the vDPA steps (plan-vdpa.h) through the vdpa
 * netlink family and the vdpa bus, and keeps the agent's record of its
 * devices (vdpaown.h) with them. apply.c's vdpa-* rows call these. */
#ifndef OA_APPLY_VDPA_H
#define OA_APPLY_VDPA_H 1

#include <stddef.h>

#include "oa-common/err.h"

struct hostio;
struct oanl_extack;
struct plan_step;
struct vdpa_dev_new_req;

/* DEV_NEW, as apply_vdpa_create() calls it: vdpa_dev_new() on the vdpa
 * family's socket 'aux' for real, a script in unit tests. */
typedef int (*apply_vdpa_new_fn)(void *aux, const struct vdpa_dev_new_req *q,
                                 struct oanl_extack *ext);

/* Creates the device 'q' describes through 'fn'. A management device
 * that refuses max_vqp with EOPNOTSUPP (mlx5 firmware without multiqueue
 * vDPA, the stock simulator) gets the request again without it, as
 * sriov-network-operator does: then *vqp_refused is the value dropped
 * (else 0) and 'q' says what was created. 0 or the negative errno of the
 * last attempt, 'ext' its kernel text. */
int apply_vdpa_create(apply_vdpa_new_fn fn, void *aux,
                      struct vdpa_dev_new_req *q, unsigned *vqp_refused,
                      struct oanl_extack *ext);

/* 0 with 'msg' saying what was done ("unchanged: ..." when nothing was to
 * do), or a negative errno with 'err' set (the kernel's text with it). */
int apply_vdpa_step(const struct hostio *io, const struct plan_step *s,
                    char *msg, size_t size, struct oa_err *err);

#endif
