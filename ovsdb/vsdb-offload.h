/* vsdb offload settings: does the running ovs-vswitchd use what we want?
 *
 * OVS 3.1 reads Open_vSwitch other_config:hw-offload once per process
 * (lib/netdev-offload.c, netdev_set_flow_api_enabled): the first time it
 * sees hw-offload=true it turns the flow API on for good and fixes
 * tc-policy at that moment. Turning it off, or changing tc-policy after
 * that, takes a restart of ovs-vswitchd. max-idle is read live.
 *
 * The database cannot tell what a process latched, so the agent records
 * it in Open_vSwitch external_ids, in the same transaction that writes
 * the settings: which ovs-vswitchd (boot id, pid, start time) and what it
 * latched (or will latch on reading that transaction). A record about
 * another process (vswitchd restarted since) is ignored and the latched
 * state inferred from the database, and said to be inferred. */
#ifndef OA_VSDB_OFFLOAD_H
#define OA_VSDB_OFFLOAD_H

#include <stdbool.h>
#include <stddef.h>

#include "vsdb.h"

/* Open_vSwitch other_config keys. */
#define VSDB_KEY_HW_OFFLOAD "hw-offload"
#define VSDB_KEY_TC_POLICY  "tc-policy"
#define VSDB_KEY_MAX_IDLE   "max-idle"

/* Open_vSwitch external_ids keys of the agent's record. */
#define VSDB_RECORD_VSWITCHD "offload-agent-vswitchd"
#define VSDB_RECORD_LATCHED  "offload-agent-latched"

/* What OVS uses when other_config:tc-policy is absent. */
#define VSDB_TC_POLICY_DEFAULT "none"

struct vsdb_offload_facts {
    bool want_hw_offload;
    const char *want_tc_policy; /* NULL: the default, "none" */
    /* Open_vSwitch other_config now; NULL: key absent. */
    const char *db_hw_offload;
    const char *db_tc_policy;
    /* cur_cfg >= next_cfg: ovs-vswitchd has read the database. */
    bool caught_up;
    /* The running ovs-vswitchd (vsdb_vswitchd_identity()); NULL: none. */
    const char *vswitchd_id;
    /* The agent's record, from Open_vSwitch external_ids; NULL: none. */
    const char *record_id;
    const char *record_latched;
};

enum vsdb_offload_verdict {
    /* No ovs-vswitchd runs: the database is read when it starts. */
    VSDB_OFFLOAD_NO_VSWITCHD,
    /* The running ovs-vswitchd uses the wanted settings. */
    VSDB_OFFLOAD_IN_EFFECT,
    /* It will once it reads the database (after we write it if needed). */
    VSDB_OFFLOAD_LIVE,
    /* It latched other settings: only a restart applies the wanted ones
     * (after the database holds them). */
    VSDB_OFFLOAD_RESTART_NEEDED,
};

struct vsdb_offload_decision {
    enum vsdb_offload_verdict verdict;
    /* What the running process latched (when one runs): 'inferred' when
     * no record about this very process said so. 'latched_tc_policy'
     * points into the facts or to a static string. */
    bool latched_on;
    const char *latched_tc_policy;
    bool inferred;
    /* The record to write with this reconcile's transaction (add them to
     * vsdb_want.external_ids); 0 entries when no ovs-vswitchd runs.
     * Values point into the facts or into 'record_buf'. */
    struct vsdb_want_key record[2];
    size_t n_record;
    char record_buf[96];
    /* Why, in a sentence: a static string. */
    const char *reason;
};

/* Pure: decides from 'facts' alone. */
void vsdb_offload_decide(const struct vsdb_offload_facts *facts,
                         struct vsdb_offload_decision *out);
const char *vsdb_offload_verdict_name(enum vsdb_offload_verdict verdict);

/* OVS's reading of a boolean other_config value defaulting to false:
 * true only for "true" (any case). */
bool vsdb_offload_value_true(const char *value);

/* ---- The running ovs-vswitchd --------------------------------------- */

/* Debian's pidfile of ovs-vswitchd. */
#define VSDB_VSWITCHD_PIDFILE "/run/openvswitch/ovs-vswitchd.pid"
#define VSDB_VSWITCHD_UNIT    "ovs-vswitchd.service"

/* The identity of the running ovs-vswitchd, "BOOTID:PID:STARTTIME", from
 * 'pidfile' (NULL: the default) and 'proc' (NULL: "/proc"; tests pass a
 * fake tree). Unique across restarts and reboots. Caller frees '*id'.
 * -ENOENT: no pidfile; -ESRCH: the pid is not an ovs-vswitchd (stale
 * pidfile); other negative errno on read errors. */
int vsdb_vswitchd_identity(const char *pidfile, const char *proc, char **id);

/* Waits, bounded by 'timeout_ms', until the identity of the running
 * ovs-vswitchd (vsdb_vswitchd_identity(pidfile, proc)) differs from 'old'
 * (NULL: until one runs): after a restart was asked for. Woken by the
 * pidfile's directory changing (inotify), re-checked at least every
 * 100 ms. Returns 0 once it changed, else -ETIMEDOUT, or -ECANCELED
 * once 'cancel' (may be NULL) is. Blocks: for apply,
 * not for the daemon's poll loop. */
struct oa_cancel;
int vsdb_vswitchd_wait_changed(const char *pidfile, const char *proc,
                               const char *old, long long timeout_ms,
                               struct oa_cancel *cancel);

/* systemd, over D-Bus (sd-bus, the system bus): the MainPID of 'unit'
 * (NULL: ovs-vswitchd.service), 0 when the unit is not running. Lets the
 * caller check that systemd manages the running ovs-vswitchd before
 * asking for a restart. Negative errno when there is no system bus or
 * no such unit; '*error' (may be NULL) then gets the bus's message or
 * NULL (caller frees it). */
int vsdb_systemd_unit_main_pid(const char *unit, unsigned int *pid,
                               char **error);

/* Asks systemd to restart 'unit' (NULL: ovs-vswitchd.service), mode
 * "replace" (Manager.RestartUnit). Returns once the job is queued, not
 * when it is done: watch the identity change. Errors as above.
 * Both calls are one D-Bus round trip, bounded to 5 s. */
int vsdb_systemd_restart_unit(const char *unit, char **error);

#endif
