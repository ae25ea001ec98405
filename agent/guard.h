/* guard: disruptive changes that undo themselves (`netplan try` for the
 * eswitch). A plan is disruptive when it changes a PF's eswitch mode,
 * VF count or steering mode, or takes its uplink out of OVS. Before such
 * a plan runs, the last-known-good state of each PF it touches is
 * recorded (eswitch mode, VF count, steering mode, the uplink's carrier)
 * in OA_STATE_DIR/last-known-good.json; after it, health is checked
 * (the uplink has carrier again if it had it, OVSDB answers, every VF of
 * a switchdev PF has its representor); when health does not come back
 * in time, the spec is bent to the last-known-good values
 * (guard_bend_spec) and reconciled again, which puts the host back the
 * way the agent's own steps know how: the ports detached around the
 * change and put back after it. Failed generations (the spec's content,
 * by hash) are kept in OA_STATE_DIR/failed-generation.json: the same
 * spec is not applied again until it changes. docs/architecture.md says
 * exactly what is and is not restored. Nothing here logs. */
#ifndef OA_GUARD_H
#define OA_GUARD_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-common/err.h"

struct obs_host;
struct plan;
struct spec;

#define GUARD_LKG_FILE    "last-known-good.json"
#define GUARD_FAILED_FILE "failed-generation.json"

struct guard_pf {
    int pf; /* index in spec->pfs */
    char devlink[96];
    char netdev[16];
    bool has_eswitch;
    int eswitch_mode; /* DEVLINK_ESWITCH_MODE_* */
    unsigned num_vfs;
    bool has_steering;
    char steering[16];
    int carrier; /* the uplink's: 1, 0, -1 unknown (admin down) */
};

struct guard_lkg {
    struct guard_pf *v;
    size_t n;
    bool ovsdb; /* OVSDB answered before: it must after */
};

/* Whether 'plan' is disruptive (above). */
bool guard_disruptive(const struct plan *plan);

/* The last-known-good state of every PF 'plan' disrupts, from 'host' (the
 * observation 'plan' was made from) into 'lkg' (free with
 * guard_lkg_clear()); the uplinks' carrier read under 'sysfs_root' (NULL:
 * "/sys"). 0 or -ENOMEM. */
int guard_record(const struct obs_host *host, const struct plan *plan,
                 const char *sysfs_root, struct guard_lkg *lkg);
void guard_lkg_clear(struct guard_lkg *lkg);

/* Writes 'lkg' to 'path' (statefile.h), with 'spec_hash' (the spec it
 * was taken before). 0 or a negative errno with 'err' set. */
int guard_lkg_save(const struct guard_lkg *lkg, uint64_t spec_hash,
                   const char *path, struct oa_err *err);

/* The last-known-good state kept in 'path' before spec generation
 * 'spec_hash' into 'lkg' (free with guard_lkg_clear()): 0, -ENOENT (no
 * such file, another generation's, or not one) or -ENOMEM. */
int guard_lkg_load(const char *path, uint64_t spec_hash,
                   struct guard_lkg *lkg);

/* Health after the change, held to what was there before (OVSDB
 * answering, the uplink's carrier): true, or false with 'why' saying
 * what is wrong first ("eth0: no carrier (it had carrier before)", "OVSDB not
 * reachable", "netdevsim/netdevsim1: 1 of 2 representors"). */
bool guard_healthy(const struct guard_lkg *lkg, const struct obs_host *now,
                   const char *sysfs_root, char *why, size_t size);

/* Bends 'spec' (a copy the caller owns) to the last-known-good values of
 * each PF in 'lkg': eswitch mode, VF count (VF entries past it dropped),
 * steering mode. */
void guard_bend_spec(struct spec *spec, const struct guard_lkg *lkg);

/* FNV-1a of a spec file's bytes: its generation. 0 with 'err' set when
 * it cannot be read. */
uint64_t guard_spec_hash(const char *path, struct oa_err *err);

/* The failed generation kept in 'path': whether it is 'hash', and why it
 * failed in 'why'. A missing or unusable file: false. */
bool guard_failed_is(const char *path, uint64_t hash, char *why, size_t size);
/* Records 'hash' as failed for 'why' (one generation kept: the last). */
int guard_failed_save(const char *path, uint64_t hash, const char *why,
                      struct oa_err *err);

/* The file '<state_dir>/<name>' into 'buf'; its length or -ENAMETOOLONG. */
int guard_path(const char *state_dir, const char *name, char *buf,
               size_t size);

#endif
