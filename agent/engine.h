/* engine: one reconcile, the same for `agentctl apply` and the daemon:
 * observe -> plan -> apply, repeated while the plan makes progress (new
 * representors are attached in the round after they appear), then
 * observe once more for the verification and the report. */
#ifndef OA_ENGINE_H
#define OA_ENGINE_H 1

#include <stdbool.h>
#include <stddef.h>

#include "apply.h"
#include "obs.h"

struct hostio;
struct spec;
struct plan;

struct engine_opts {
    bool dry_run;             /* observe and plan only */
    unsigned max_rounds;      /* 0: 4 */
    long long ovs_timeout_ms; /* 0: 5000 */
    struct apply_opts apply;
    /* Remembers across reconciles that the kernel refused switchdev with
     * 0 VFs (may be NULL): once OBS_NO, plans put VFs first. */
    enum obs_tristate *switchdev_zero_vfs;
};

struct engine_result {
    bool converged;  /* the final plan is empty, nothing blocks */
    unsigned rounds; /* rounds that applied something */
    size_t steps_done;
    bool fallback_used; /* switchdev was refused; VFs-first tried */
    int error;          /* 0, or the negative errno of the failure */
    char message[600];  /* the failure, for people */
    long long elapsed_ms;
    struct obs_host *host; /* final observation; owned, see _clear() */
    struct plan *plan;     /* final plan (dry run: the plan); owned */
};

/* Returns 0 when the host converged (dry run: when it was observed and
 * planned), else a negative errno with res->message set. 'res' is always
 * filled in; release it with engine_result_clear(). */
int engine_reconcile(struct hostio *io, const struct spec *spec,
                     const struct engine_opts *opts,
                     struct engine_result *res);
void engine_result_clear(struct engine_result *res);

#endif
