/* apply: carries out a plan's steps in order, against the host. Every
 * step reads before it writes (idempotent: a repeated step changes
 * nothing); waits are driven by netlink events, and look again at
 * growing intervals only for what changes without one. A refused
 * kernel step of one PF skips that PF's later kernel steps (they build
 * on it) and the run goes on with the other PFs and OVS; a refused step
 * of OVS or of no single PF stops the run. Every refusal is recorded:
 * which step, why, and the kernel's own text. */
#ifndef OA_APPLY_H
#define OA_APPLY_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"
#include "obs.h"
#include "step.h"

struct hostio;
struct spec;
struct obs_host;
struct plan;
struct plan_step;

struct apply_opts {
    long long wait_timeout_ms; /* wait-vfs; 0: 10000 */
    long long ovs_timeout_ms;  /* OVS commit; 0: 10000 */
    /* Called after each step (r: 0 or the negative errno), for progress
     * output and logs; may be NULL. 'msg' says what the step did
     * ("legacy -> switchdev"); it starts with "unchanged" when the host
     * already was as asked (nothing written), with "skipped" when the
     * step could not run yet (a representor without netdev: the next
     * round does it; not counted in n_done); on failure it is
     * apply_result_message(). */
    void (*on_step)(const struct plan_step *step, int r, const char *msg,
                    void *aux);
    void *aux;
};

/* One refused step. */
struct apply_refusal {
    int step; /* index into plan->steps */
    int pf;   /* the step's PF (index in spec->pfs); -1: none */
    /* set-eswitch to switchdev refused, and in which order the PF was
     * then, read from its VF count at that moment: 0 VFs is
     * switchdev-first, VFs vfs-first (plan.h). The engine tries the
     * other order. False when the count could not be read. */
    bool switchdev;
    enum obs_order order;
    struct oa_err err; /* as apply_result.err */
};

/* Refusals recorded per run; one per PF at most, as a refused PF's later
 * steps are skipped, plus the one that stops the run. */
#define APPLY_MAX_REFUSALS 16

struct apply_result {
    size_t n_done;   /* steps carried out (OVS steps count each) */
    int failed_step; /* the first refused step (index into plan->steps);
                      * -1: none failed */
    /* The first refused step's error, zeroed when none failed: the negative
     * errno, the text "set-eswitch netdevsim/netdevsim1: Operation not
     * supported" (the step's action and object, then why) and the
     * kernel's extack. apply_result_message() renders it. */
    struct oa_err err;
    /* Every refusal, in plan order (the first is failed_step / err);
     * beyond APPLY_MAX_REFUSALS only counted in n_refused. */
    struct apply_refusal refusals[APPLY_MAX_REFUSALS];
    size_t n_refused;
    /* The run stopped early, without an error: a step made the driver
     * register a PF's uplink anew (mlx5 on an eswitch mode change; udev
     * may rename it), and the steps after it name the old netdev. The
     * engine plans again from a new look. */
    bool replan;
};

/* The failure as people read it, and as on_step got it: the error's text
 * and " (kernel: EXTACK)" when the kernel said something. The text names
 * the errno itself where it is the reason ("...: Operation not
 * supported", "set-numvfs ...: 0 -> 9 VFs refused: Invalid argument")
 * and not where the agent's words say more ("add-bridge ovs-sriov: the
 * plan has no OVSDB transaction"). "" when no step failed. Writes at most
 * 'size' bytes (OA_ERR_FORMAT_MAX holds any) and returns 'buf'. */
const char *apply_result_message(const struct apply_result *res, char *buf,
                                 size_t size);

/* The apply function of each kind of step, which step.c's table points
 * at (enum step_result: step.h). Each reads before it writes; on
 * STEP_ERROR it has recorded why in the run's context. Only apply_run()
 * calls them, through the table. */
struct apply_ctx;
enum step_result apply_detach_port(struct apply_ctx *,
                                   const struct plan_step *);
enum step_result apply_set_numvfs(struct apply_ctx *,
                                  const struct plan_step *);
enum step_result apply_unbind_vf(struct apply_ctx *, const struct plan_step *);
enum step_result apply_set_eswitch(struct apply_ctx *,
                                   const struct plan_step *);
enum step_result apply_set_steering_mode(struct apply_ctx *,
                                         const struct plan_step *);
enum step_result apply_wait_vfs(struct apply_ctx *, const struct plan_step *);
enum step_result apply_set_vf(struct apply_ctx *, const struct plan_step *);
enum step_result apply_bind_vf(struct apply_ctx *, const struct plan_step *);
enum step_result apply_set_hw_tc_offload(struct apply_ctx *,
                                         const struct plan_step *);
enum step_result apply_set_link_up(struct apply_ctx *,
                                   const struct plan_step *);
/* VF-LAG: create the bond (marked as the agent's), enslave an uplink. */
enum step_result apply_create_bond(struct apply_ctx *,
                                   const struct plan_step *);
enum step_result apply_enslave(struct apply_ctx *, const struct plan_step *);
/* VF-LAG changes, the agent's bonds only: release an uplink, set a
 * bond's options (down first: a mode needs it, and no members), delete a
 * bond dropped from the spec. */
enum step_result apply_release(struct apply_ctx *, const struct plan_step *);
enum step_result apply_set_bond(struct apply_ctx *, const struct plan_step *);
enum step_result apply_set_bond_options(struct apply_ctx *,
                                        const struct plan_step *);
enum step_result apply_delete_bond(struct apply_ctx *,
                                   const struct plan_step *);
/* vdpa-del, vdpa-new, vdpa-bind, vdpa-disable-eth (apply-vdpa.h). */
enum step_result apply_vdpa(struct apply_ctx *, const struct plan_step *);
/* Every OVS step: they share one transaction, committed at the first. */
enum step_result apply_ovs(struct apply_ctx *, const struct plan_step *);
enum step_result apply_restart_vswitchd(struct apply_ctx *,
                                        const struct plan_step *);

/* Runs 'plan' (from plan_compute(spec, host)). Returns 0 when every step
 * succeeded (or the run stopped early to plan again: res->replan), else
 * the first refused step's negative errno (res->err.code; the details in
 * res->err, every refusal in res->refusals). */
int apply_run(struct hostio *io, const struct spec *spec,
              const struct obs_host *host, const struct plan *plan,
              const struct apply_opts *opts, struct apply_result *res);

#endif
