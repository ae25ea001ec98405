/* step: the table of step kinds, one row per enum plan_action (plan.h):
 * its name (the "action" of plan --json), whether the OVS transaction
 * carries it, the function apply runs for it and the writer of its JSON
 * fields. Nothing else dispatches on the action.
 *
 * A new kind of step is: a value in enum plan_action with its arguments
 * in plan_step's union (plan.h), a row and its JSON writer (step.c), its
 * apply function (apply.c, declared in apply.h), and the planner code
 * that emits it (plan.c). */
#ifndef OA_STEP_H
#define OA_STEP_H 1

#include <stdbool.h>

#include "plan.h"

struct apply_ctx;
struct jw;

/* What an apply function returns: the one convention of apply. */
enum step_result {
    /* Failed: the apply context's error (struct oa_err: negative errno,
     * what failed, the kernel's extack) says why; apply stops. */
    STEP_ERROR = -1,
    /* Carried out, or the host already was as asked (its message then
     * starts with "unchanged"). Counted in apply_result.n_done. */
    STEP_DONE = 0,
    /* Could not run yet (a representor without netdev): the next round
     * does it. Its message starts with "skipped"; not counted. */
    STEP_SKIPPED = 1,
};

struct step_type {
    const char *name; /* "set-eswitch" */
    bool ovs;         /* carried out by the OVS transaction (plan.want) */
    enum step_result (*apply)(struct apply_ctx *, const struct plan_step *);
    /* Writes the action's own members of its plan --json object (after
     * "action", "object" and "detail"). */
    void (*json)(struct jw *, const struct plan_step *);
    /* Sets the arguments' "leave" values (-1) on a zeroed step; NULL:
     * zero is right. */
    void (*init)(struct plan_step *);
};

/* The row of 'action'; NULL for a value outside the enum. */
const struct step_type *step_type_of(enum plan_action action);

/* Zeroes '*s' and makes it an 'action' step about PF 'pf' and VF 'vf'
 * (-1: none) with every argument at "leave". */
void step_init(struct plan_step *s, enum plan_action action, int pf, int vf);

/* The action's members of the step's plan --json object. */
void step_json_fields(struct jw *jw, const struct plan_step *s);

#endif
