/* vsdb offload settings: the pure decision (see vsdb-offload.h). */
#include "vsdb-offload.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

bool
vsdb_offload_value_true(const char *value)
{
    return value && !strcasecmp(value, "true");
}

static const char *
policy_or_default(const char *policy)
{
    return policy && *policy ? policy : VSDB_TC_POLICY_DEFAULT;
}

/* Record values: "hw-offload=false" or "hw-offload=true,tc-policy=P". */
#define LATCHED_OFF   "hw-offload=false"
#define LATCHED_ON_TC "hw-offload=true,tc-policy="

/* Parses a record value; false when it is not one of ours. */
static bool
parse_latched(const char *s, bool *on, const char **policy)
{
    if (!s) {
        return false;
    }
    if (!strcmp(s, LATCHED_OFF)) {
        *on = false;
        *policy = NULL;
        return true;
    }
    size_t n = strlen(LATCHED_ON_TC);
    if (!strncmp(s, LATCHED_ON_TC, n) && s[n]) {
        *on = true;
        *policy = s + n;
        return true;
    }
    return false;
}

void
vsdb_offload_decide(const struct vsdb_offload_facts *f,
                    struct vsdb_offload_decision *out)
{
    const char *want_tc = policy_or_default(f->want_tc_policy);
    bool db_on = vsdb_offload_value_true(f->db_hw_offload);
    const char *db_tc = policy_or_default(f->db_tc_policy);

    memset(out, 0, sizeof *out);
    if (!f->vswitchd_id) {
        out->verdict = VSDB_OFFLOAD_NO_VSWITCHD;
        out->reason = "ovs-vswitchd is not running: it reads the database "
                      "when it starts";
        return;
    }

    /* What did this process latch? Our record, if it is about this very
     * process; the database says more if hw-offload is on there (then
     * the process has latched, or will on its next read, the database's
     * tc-policy). Otherwise assume it never saw hw-offload=true. */
    bool on = false, recorded = false;
    const char *tc = NULL;
    if (f->record_id && !strcmp(f->record_id, f->vswitchd_id) &&
        parse_latched(f->record_latched, &on, &tc)) {
        recorded = true;
    }
    if (!on && db_on) {
        on = true;
        tc = db_tc;
        recorded = false;
    }
    out->latched_on = on;
    out->latched_tc_policy = on ? tc : NULL;
    out->inferred = !recorded;

    if (on && !f->want_hw_offload) {
        out->verdict = VSDB_OFFLOAD_RESTART_NEEDED;
        out->reason = "ovs-vswitchd has hw-offload on: turning it off needs "
                      "a restart";
    } else if (on && strcmp(tc, want_tc)) {
        out->verdict = VSDB_OFFLOAD_RESTART_NEEDED;
        out->reason = "ovs-vswitchd fixed tc-policy when hw-offload came on: "
                      "changing it needs a restart";
    } else if (on != f->want_hw_offload || !f->caught_up) {
        /* Not latched yet (it will be, live), or not yet read. */
        out->verdict = VSDB_OFFLOAD_LIVE;
        out->reason = "ovs-vswitchd applies the settings live once it reads "
                      "the database";
    } else {
        out->verdict = VSDB_OFFLOAD_IN_EFFECT;
        out->reason = "ovs-vswitchd uses the wanted settings";
    }

    /* What this process will have latched once it reads the database as
     * this reconcile leaves it: a latched state stays; otherwise it
     * latches what we want, on reading it. */
    const char *latched;
    if (on) {
        snprintf(out->record_buf, sizeof out->record_buf, "%s%s",
                 LATCHED_ON_TC, tc);
        latched = out->record_buf;
    } else if (f->want_hw_offload) {
        snprintf(out->record_buf, sizeof out->record_buf, "%s%s",
                 LATCHED_ON_TC, want_tc);
        latched = out->record_buf;
    } else {
        latched = LATCHED_OFF;
    }
    out->record[0] =
        (struct vsdb_want_key){VSDB_RECORD_VSWITCHD, f->vswitchd_id};
    out->record[1] = (struct vsdb_want_key){VSDB_RECORD_LATCHED, latched};
    out->n_record = 2;
}

const char *
vsdb_offload_verdict_name(enum vsdb_offload_verdict verdict)
{
    switch (verdict) {
    case VSDB_OFFLOAD_NO_VSWITCHD:
        return "no-vswitchd";
    case VSDB_OFFLOAD_IN_EFFECT:
        return "in-effect";
    case VSDB_OFFLOAD_LIVE:
        return "live";
    case VSDB_OFFLOAD_RESTART_NEEDED:
        return "restart-needed";
    }
    return "?";
}
