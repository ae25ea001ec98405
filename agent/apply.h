/* apply: carries out a plan's steps in order, against the host. Every
 * step reads before it writes (idempotent: a repeated step changes
 * nothing); waits are driven by netlink events, not sleeps. Stops at the
 * first refused step and says which, why, and the kernel's own text. */
#ifndef OA_APPLY_H
#define OA_APPLY_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"

struct hostio;
struct spec;
struct obs_host;
struct plan;
struct plan_step;

struct apply_opts {
    long long rep_timeout_ms; /* wait-representors; 0: 10000 */
    long long ovs_timeout_ms; /* OVS commit; 0: 10000 */
    /* Called after each step (r: 0 or the negative errno), for progress
     * output and logs; may be NULL. 'msg' says what the step did
     * ("legacy -> switchdev"); it starts with "unchanged" when the host
     * already was as asked (nothing written), with "skipped" when the
     * step could not run yet (a representor without netdev: the next
     * round does it; not counted in n_done); on failure it is
     * apply_result.err, rendered by oa_err_format(). */
    void (*on_step)(const struct plan_step *step, int r, const char *msg,
                    void *aux);
    void *aux;
};

struct apply_result {
    size_t n_done;   /* steps carried out (OVS steps count each) */
    int failed_step; /* index into plan->steps; -1: none failed */
    /* The failed step's error (code 0: none): text "<action> <object>"
     * plus the step's own words where it has some, the kernel's extack;
     * oa_err_format() renders "set-eswitch netdevsim/netdevsim1:
     * Operation not supported (kernel: ...)". */
    struct oa_err err;
    /* set-eswitch switchdev was refused while the PF had 0 VFs: the
     * engine re-plans with VFs first. */
    bool switchdev_refused_zero_vfs;
};

/* Runs 'plan' (from plan_compute(spec, host)). Returns 0 when every step
 * succeeded, else the failed step's negative errno (details in *res). */
int apply_run(struct hostio *io, const struct spec *spec,
              const struct obs_host *host, const struct plan *plan,
              const struct apply_opts *opts, struct apply_result *res);

#endif
