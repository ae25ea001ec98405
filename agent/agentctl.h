#ifndef OA_AGENTCTL_H
#define OA_AGENTCTL_H 1

#include "contract.h" /* exit codes (enum oa_exit), default paths */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guard.h"

/* Options common to every command, parsed before or after the command
 * word. The strings point into argv. */
struct agentctl_opts {
    const char *spec;      /* --spec FILE */
    const char *socket;    /* --socket PATH */
    const char *state_dir; /* --state-dir DIR: eswitch orders, PF pins */
    bool json;             /* --json */
    bool host;             /* --host: validate against this host */
    const char *interval;  /* doctor --interval SECONDS; NULL: default */
    const char *root;      /* doctor --root DIR: a recorded tree */
    const char *confirm;   /* apply --confirm SECONDS; NULL: none */
};

/* One command: 'argc'/'argv' hold the command's own positional
 * arguments (the command word and options removed). Returns an exit
 * code (enum oa_exit). */
typedef int agentctl_cmd_fn(const struct agentctl_opts *, int argc,
                            char *argv[]);

agentctl_cmd_fn agentctl_cmd_validate;
agentctl_cmd_fn agentctl_cmd_plan;
agentctl_cmd_fn agentctl_cmd_apply;
agentctl_cmd_fn agentctl_cmd_status;
agentctl_cmd_fn agentctl_cmd_reconcile;
agentctl_cmd_fn agentctl_cmd_doctor;
agentctl_cmd_fn agentctl_cmd_metrics;
agentctl_cmd_fn agentctl_cmd_confirm;

struct spec;
struct engine_opts;
struct engine_result;
struct order_store;
struct pfpin_store;
struct crashj;
struct hostio;
struct obs_host;

/* Loads and validates the spec in 'file'. On success returns
 * OA_EXIT_OK and a spec the caller frees with spec_destroy();
 * otherwise prints every error on stderr, one per line
 * ("FILE:LINE:COL: PATH: message"), and returns OA_EXIT_INVALID
 * (OA_EXIT_FAIL when out of memory). */
int agentctl_load_spec(const char *file, struct spec **specp);

/* Prints 'text' on stdout, with a final newline, and frees it. 'text'
 * NULL means out of memory ('what' names the output). Returns an exit
 * code: OA_EXIT_FAIL when it could not be written. */
int agentctl_print(char *text, const char *what);

/* Prints "agentctl: COMMAND: MESSAGE: STRERROR(-r)" on stderr (through
 * struct oa_err, the one rendering of errors) and returns OA_EXIT_FAIL. */
int agentctl_error(const char *command, int r, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* False (with a message) when a command that takes no positional
 * argument got one. */
bool agentctl_no_args(const char *command, int argc, char *argv[]);

/* The eswitch orders learned per device, from the state directory, into
 * 's' (release with order_store_clear()) and its file's name into 'path'
 * ("" when it has none). A file that cannot be used is ignored with one
 * warning on stderr: the orders are learned again. */
void agentctl_load_orders(const struct agentctl_opts *opts,
                          struct order_store *s, char *path, size_t size);

/* After an apply: says on stderr which PFs fell back to the other order,
 * and saves 's' when the run learned something (a warning when the state
 * directory cannot be written: nothing else depends on it). */
void agentctl_note_orders(const struct order_store *s, const char *path,
                          const struct engine_result *res);

/* The PF pins (pfpin.h), from the state directory, into 's' (release
 * with pfpin_store_clear()) and its file's name into 'path' ("" when it
 * has none). A file that cannot be used is ignored with one warning on
 * stderr: PFs are found by name and pinned again. */
void agentctl_load_pins(const struct agentctl_opts *opts,
                        struct pfpin_store *s, char *path, size_t size);

/* After an apply: saves 's' when a look pinned a PF anew (a warning when
 * the state directory cannot be written). */
void agentctl_note_pins(struct pfpin_store *s, const char *path);

/* Opens the host handles, runs engine_reconcile() with 'eo' (its steps
 * journalled in 'journal', crashj.h; NULL: not) and closes them again.
 * Returns its result; 'res' is always filled in (release it with
 * engine_result_clear()), also when the handles cannot be opened. */
int agentctl_run_engine(const struct spec *spec, const struct engine_opts *eo,
                        struct crashj *journal, struct engine_result *res);
/* As agentctl_run_engine(), on handles the caller opened (hostio_open())
 * and keeps for several runs (one OVSDB connection, one IDL replica), the
 * first round planned from 'seen' (owned from here; NULL: it looks
 * itself), a dry run's look of the same spec just before
 * (engine_reconcile_from()). */
int agentctl_run_engine_on(struct hostio *io, const struct spec *spec,
                           const struct engine_opts *eo,
                           struct crashj *journal, struct obs_host *seen,
                           struct engine_result *res);

/* Builds the report of an engine run ('r' its result: a failure is added
 * as an error problem on 'object', with 'hint' (may be NULL)), prints it
 * as text or JSON, and returns the exit code: the report's, or
 * OA_EXIT_FAIL when it could not be built or written. */
int agentctl_report(const struct spec *spec, const struct engine_result *res,
                    int r, const char *object, const char *hint, bool json,
                    const char *what);

/* How long agentctl waits for the daemon: a status is served at once
 * from its last observation (its own thread answers, also while a
 * reconcile runs), so 10 s is only reached when the daemon is stuck; a
 * reconcile waits for the one that serves it, representors and OVS
 * included, after the one that may be running. */
#define AGENTCTL_STATUS_TIMEOUT_MS    10000
#define AGENTCTL_RECONCILE_TIMEOUT_MS 300000

/* apply's guard (agentctl-guard.c, guard.h): the state files, the
 * spec's generation, and the last-known-good state of a disruptive
 * plan ('armed'). */
struct agentctl_guard {
    char failed_path[4096], lkg_path[4096], confirm_path[4096];
    uint64_t hash;
    struct guard_lkg lkg;
    bool armed;
};

/* Reads the spec's generation; refuses one that failed (exit code, with
 * a message), else OA_EXIT_OK. */
int agentctl_guard_open(const struct agentctl_opts *opts,
                        struct agentctl_guard *g);
/* Before the apply, on 'io': a dry run that arms the guard when its
 * plan is disruptive (the last-known-good state recorded and saved), its
 * look handed to the apply in '*seen' (owned by the caller; NULL when
 * the look failed). 0 or -ENOMEM. */
int agentctl_guard_before(struct agentctl_guard *g, struct hostio *io,
                          const struct spec *spec,
                          const struct engine_opts *eo,
                          struct obs_host **seen);
/* After the apply ('res', '*r'), on 'io': when armed, waits for health
 * (first in the apply's own final look, then in new ones), and with
 * 'confirm_s' for `agentctl confirm`; without them reverts, bending
 * 'spec' to the last-known-good state and reconciling again into 'res'
 * and '*r' (an error saying so), and records the generation as failed.
 * Returns 1 when it reverted, else 0. */
int agentctl_guard_after(struct agentctl_guard *g, struct hostio *io,
                         struct spec *spec, const struct engine_opts *eo,
                         struct crashj *journal, unsigned confirm_s,
                         struct engine_result *res, int *r);
void agentctl_guard_close(struct agentctl_guard *g);

#endif
