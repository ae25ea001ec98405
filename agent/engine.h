/* engine: one reconcile, the same for `agentctl apply` and the daemon:
 * observe -> plan -> apply, repeated while the plan makes progress (new
 * representors are attached in the round after they appear), then
 * observe once more for the verification and the report.
 *
 * The eswitch order (plan.h) is the engine's to choose per PF, through
 * the observation: what was learned of the device (order.h), else
 * switchdev-first. When the kernel refuses switchdev in one order, that
 * PF is planned again in the other within the same reconcile; refused in
 * both, it is a refusal like any other (remembered, a blocker). The
 * order that takes a PF to switchdev is learned.
 *
 * A PF named by netdev is followed by its device (pfpin.h): the engine
 * holds the pins the observations read and updates them. An apply that
 * stops because a PF's uplink was registered anew (apply_result.replan)
 * is progress, not a failure: the next round plans from a new look. */
#ifndef OA_ENGINE_H
#define OA_ENGINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apply.h"
#include "oa-common/err.h"
#include "obs.h"

struct hostio;
struct spec;
struct plan;
struct order_store;
struct pfpin_store;

/* What the engine does to the host, behind one seam: the real one goes
 * through a struct hostio (engine_ops_hostio()); tests script
 * observations and apply outcomes to drive the rounds, the fallbacks
 * and the loop breaker without a kernel. 'aux' is passed to each. */
struct engine_ops {
    /* Before the first round: make 'spec' reachable (the OVSDB remote
     * may change while the daemon runs). May be NULL. Returns 0 or a
     * negative errno with 'err' set. */
    int (*prepare)(void *aux, const struct spec *spec, struct oa_err *err);
    /* As obs_collect_pinned(): a new observation the engine frees with
     * obs_free(), or a negative errno with 'err' set. 'pins' may be
     * NULL. */
    int (*observe)(void *aux, const struct spec *spec,
                   const struct pfpin_store *pins, long long ovs_timeout_ms,
                   struct obs_host **out, struct oa_err *err);
    /* As apply_run(). */
    int (*apply)(void *aux, const struct spec *spec,
                 const struct obs_host *host, const struct plan *plan,
                 const struct apply_opts *opts, struct apply_result *res);
    void *aux;
};

/* The operations on the real host through 'io' (obs_collect(),
 * apply_run(), hostio_open_ovsdb()); 'io' must outlive their use. */
struct engine_ops engine_ops_hostio(struct hostio *io);

/* A refused step the engine does not apply again while its PF looks the
 * same: the kernel would only refuse it again. The plan carries it as a
 * blocker instead ("<action> <object> refused: <why>"), with that PF's
 * other kernel steps, which build on it. */
struct engine_refusal {
    int pf;            /* index in spec->pfs */
    uint64_t step_key; /* the step: action, object, detail */
    /* The PF's observation the refused step was planned from (tc rule
     * counts left out: traffic is no change of the host). */
    uint64_t pf_print;
    char action[32], object[96];
    struct oa_err err; /* the refusal, with the kernel's text */
};

/* What the engine remembers of refusals across reconciles (the daemon
 * keeps one for its lifetime). An entry goes when its PF's observation
 * changes; all go with engine_refusals_clear() (a new spec: the PF
 * indexes and the steps change). At most one entry per PF. */
struct engine_refusals {
    struct engine_refusal *v;
    size_t n;
};

/* Forgets every refusal and frees the memory; '*r' stays usable. */
void engine_refusals_clear(struct engine_refusals *r);

struct engine_opts {
    bool dry_run;             /* observe and plan only */
    unsigned max_rounds;      /* 0: 4 */
    long long ovs_timeout_ms; /* 0: 5000 */
    struct apply_opts apply;
    /* The learned eswitch order per device (may be NULL: every PF starts
     * switchdev-first, nothing is learned). Read for each PF's first
     * plan; what takes a PF to switchdev is recorded in it, and
     * engine_result.orders_changed tells the caller to save it. */
    struct order_store *orders;
    /* The PF pins (pfpin.h; may be NULL: PFs named by netdev are found
     * by name every time). Each observation reads them, and after each
     * the PFs named by netdev are pinned to the devices they were found
     * at: within one reconcile too, so a PF whose uplink the driver
     * registers anew (and udev renames) is followed in the next round.
     * pins->unsaved tells the caller to save them. */
    struct pfpin_store *pins;
    /* Refusals remembered across reconciles (may be NULL: remembered for
     * this reconcile's rounds only). */
    struct engine_refusals *refusals;
    /* The state directory (agentctl's callers; the daemon sets its
     * hostio's): the agent's vDPA record (vdpaown.h). NULL: OA_STATE_DIR. */
    const char *state_dir;
    /* NULL: engine_ops_hostio() of engine_reconcile()'s 'io'. When set,
     * 'io' is not used (may be NULL). */
    const struct engine_ops *ops;
};

struct engine_result {
    bool converged;  /* the final plan is empty, nothing blocks */
    unsigned rounds; /* rounds that applied something */
    size_t steps_done;
    /* Switchdev was refused in one order and a PF planned in the other
     * (its obs_pf says which and why). */
    bool fallback_used;
    /* Entries of opts->orders added or changed (learned): to be saved. */
    size_t orders_changed;
    /* code 0, or the failure (render with oa_err_format()): observing,
     * planning, the step that was refused, or -EAGAIN and why the rounds
     * ended short of convergence (a blocker, the steps left). */
    struct oa_err err;
    long long elapsed_ms;
    struct obs_host *host; /* final observation; owned, see _clear() */
    struct plan *plan;     /* final plan (dry run: the plan); owned */
};

/* Returns 0 when the host converged (dry run: when it was observed and
 * planned), else res->err.code. 'res' is always filled in; release it
 * with engine_result_clear(). */
int engine_reconcile(struct hostio *io, const struct spec *spec,
                     const struct engine_opts *opts,
                     struct engine_result *res);
/* As engine_reconcile(), but the first round plans from 'seen' (owned
 * from here; NULL: it looks itself): a look of the same spec that the
 * caller made just before, with the same 'opts' as a dry run, so that a
 * reconcile decided on a dry run does not look at the host twice in a
 * row. Only for a look nothing can have made stale but the host itself,
 * which may change during the engine's own look too: each step reads
 * before it writes, and the next round looks afresh. */
int engine_reconcile_from(struct hostio *io, const struct spec *spec,
                          const struct engine_opts *opts,
                          struct obs_host *seen, struct engine_result *res);
void engine_result_clear(struct engine_result *res);

#endif
