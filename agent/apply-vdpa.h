/* apply-vdpa: carries out the vDPA steps (plan-vdpa.h) through the vdpa
 * netlink family and the vdpa bus, and keeps the agent's record of its
 * devices (vdpaown.h) with them. apply.c's vdpa-* rows call these. */
#ifndef OA_APPLY_VDPA_H
#define OA_APPLY_VDPA_H 1

#include <stddef.h>

#include "oa-common/err.h"

struct hostio;
struct plan_step;

/* 0 with 'msg' saying what was done ("unchanged: ..." when nothing was to
 * do), or a negative errno with 'err' set (the kernel's text with it). */
int apply_vdpa_step(const struct hostio *io, const struct plan_step *s,
                    char *msg, size_t size, struct oa_err *err);

#endif
