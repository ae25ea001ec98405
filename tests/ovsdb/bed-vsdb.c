/* Inside the kernel test bed (tests/ovsdb/bed-vsdb.sh drives it): vsdb
 * against a real ovs-vswitchd with netdevsim's uplink and representors.
 *   bed-vsdb attach BRIDGE PORT...   ports get an ofport and no error
 *   bed-vsdb retune BRIDGE PORT...   tc-policy change => restart needed
 *   bed-vsdb restarted BRIDGE PORT... after a vswitchd restart: in effect
 * Prints one line per check; exits 1 if any failed. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vsdb-offload.h"
#include "vsdb.h"

#define TIMEOUT_MS 60000

static int failures;

static void check(bool ok, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#include <stdarg.h>
static void
check(bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("%s: ", ok ? "PASS" : "FAIL");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    fflush(stdout);
    failures += !ok;
}

static struct vsdb *db;

static struct vsdb_state *
observe(void)
{
    struct vsdb_state *st;
    vsdb_run(db);
    if (vsdb_observe(db, &st) < 0) {
        fprintf(stderr, "vsdb_observe failed\n");
        exit(1);
    }
    return st;
}

/* Decides with the real running ovs-vswitchd and the DB as it is. */
static void
decide(const char *want_tc, struct vsdb_offload_decision *d, char **id)
{
    int r = vsdb_vswitchd_identity(NULL, NULL, id);
    check(r == 0, "identity of the running ovs-vswitchd: %s",
          r == 0 ? *id : strerror(-r));
    struct vsdb_state *st = observe();
    struct vsdb_offload_facts f = {
        .want_hw_offload = true,
        .want_tc_policy = want_tc,
        .db_hw_offload = vsdb_kv_get(st->other_config, st->n_other_config,
                                     VSDB_KEY_HW_OFFLOAD),
        .db_tc_policy = vsdb_kv_get(st->other_config, st->n_other_config,
                                    VSDB_KEY_TC_POLICY),
        .caught_up = st->cur_cfg >= st->next_cfg,
        .vswitchd_id = *id,
        .record_id = vsdb_kv_get(st->external_ids, st->n_external_ids,
                                 VSDB_RECORD_VSWITCHD),
        .record_latched = vsdb_kv_get(st->external_ids, st->n_external_ids,
                                      VSDB_RECORD_LATCHED),
    };
    vsdb_offload_decide(&f, d);
    /* latched_tc_policy may point into 'st', freed below. */
    static char latched[64];
    if (d->latched_tc_policy) {
        snprintf(latched, sizeof latched, "%s", d->latched_tc_policy);
        d->latched_tc_policy = latched;
    }
    printf("     decision: %s%s (%s)\n", vsdb_offload_verdict_name(d->verdict),
           d->inferred ? ", inferred" : "", d->reason);
    vsdb_state_free(st);
}

/* Commits, waits for ovs-vswitchd to apply, returns transactions used. */
static unsigned int
apply(const struct vsdb_want *want)
{
    struct vsdb_stats before, after;
    vsdb_get_stats(db, &before);
    bool committed;
    int64_t next_cfg;
    int r = vsdb_commit_block(db, want, TIMEOUT_MS, &committed, &next_cfg);
    check(r == 0, "commit: %s", r ? strerror(-r) : "ok");
    if (committed) {
        r = vsdb_wait_applied_block(db, next_cfg, TIMEOUT_MS);
        check(r == 0, "ovs-vswitchd applied next_cfg %lld",
              (long long)next_cfg);
    }
    vsdb_get_stats(db, &after);
    return after.n_commits - before.n_commits;
}

/* Waits until every port has an ofport or an error (vswitchd writes
 * them in its status updates, which may trail cur_cfg). */
static struct vsdb_state *
wait_ports(char **ports, int n_ports)
{
    long long deadline = vsdb_time_msec() + TIMEOUT_MS;
    for (;;) {
        struct vsdb_state *st = observe();
        bool all = true;
        for (int i = 0; i < n_ports; i++) {
            const struct vsdb_iface *iface = vsdb_state_iface(st, ports[i]);
            all &= iface && (iface->ofport > 0 || iface->error);
        }
        if (all || vsdb_time_msec() >= deadline) {
            return st;
        }
        vsdb_state_free(st);
        vsdb_wait(db);
        vsdb_poll_timer_wait(100);
        vsdb_poll_block();
    }
}

static void
check_ports_up(char **ports, int n_ports)
{
    struct vsdb_state *st = wait_ports(ports, n_ports);
    for (int i = 0; i < n_ports; i++) {
        const struct vsdb_iface *iface = vsdb_state_iface(st, ports[i]);
        check(vsdb_state_iface_health(st, ports[i], NULL) == VSDB_IFACE_OK,
              "%s: ofport %lld, link_state %s, error %s", ports[i],
              iface ? (long long)iface->ofport : -2LL,
              iface && iface->link_state ? iface->link_state : "-",
              iface && iface->error ? iface->error : "none");
    }
    vsdb_state_free(st);
}

int
main(int argc, char *argv[])
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s attach|retune|restarted BRIDGE PORT...\n",
                argv[0]);
        return 2;
    }
    const char *phase = argv[1];
    struct vsdb_want_bridge wb = {argv[2], (const char *const *)&argv[3],
                                  (size_t)argc - 3, NULL, NULL};
    if (vsdb_create(getenv("OA_TEST_OVSDB"), &db) < 0 ||
        vsdb_wait_ready_block(db, TIMEOUT_MS) < 0) {
        fprintf(stderr, "cannot connect to the database\n");
        return 1;
    }

    struct vsdb_offload_decision d;
    char *id = NULL;
    if (!strcmp(phase, "attach")) {
        /* vswitchd started without hw-offload: it takes it live. */
        decide("none", &d, &id);
        check(d.verdict == VSDB_OFFLOAD_LIVE && !d.latched_on,
              "hw-offload not latched yet: applies live");
        struct vsdb_want_key keys[] = {{VSDB_KEY_HW_OFFLOAD, "true"},
                                       {VSDB_KEY_TC_POLICY, "none"}};
        struct vsdb_want want = {&wb, 1, keys, 2, d.record, d.n_record};
        unsigned int n = apply(&want);
        printf("     setup of %s + %zu ports: %u transaction(s)\n", wb.name,
               wb.n_ports, n);
        check(n == 1, "one transaction for the whole setup");
        check_ports_up(&argv[3], argc - 3);
        check(apply(&want) == 0, "second run: no transaction needed");
        free(id);
        decide("none", &d, &id);
        check(d.verdict == VSDB_OFFLOAD_IN_EFFECT && !d.inferred,
              "offload in effect, from the agent's record");

        /* A port whose netdev does not exist: an error, no ofport. */
        const char *bad_ports[64];
        size_t n_bad = 0;
        for (int i = 3; i < argc && n_bad < 63; i++) {
            bad_ports[n_bad++] = argv[i];
        }
        bad_ports[n_bad++] = "oa-nosuch0";
        struct vsdb_want_bridge wb2 = {wb.name, bad_ports, n_bad, NULL, NULL};
        struct vsdb_want want2 = {&wb2, 1, NULL, 0, NULL, 0};
        apply(&want2);
        char *bad[] = {"oa-nosuch0"};
        struct vsdb_state *st = wait_ports(bad, 1);
        const struct vsdb_iface *iface = vsdb_state_iface(st, "oa-nosuch0");
        check(vsdb_state_iface_health(st, "oa-nosuch0", NULL) ==
                      VSDB_IFACE_ERROR &&
                  iface->ofport <= 0,
              "missing netdev reported: %s",
              iface && iface->error ? iface->error : "(no error)");
        vsdb_state_free(st);
        apply(&want); /* and removed again: it is ours */
        st = observe();
        check(!vsdb_state_iface(st, "oa-nosuch0"), "owned port removed");
        vsdb_state_free(st);
    } else if (!strcmp(phase, "retune")) {
        decide("skip_sw", &d, &id);
        check(d.verdict == VSDB_OFFLOAD_RESTART_NEEDED && !d.inferred,
              "tc-policy change after hw-offload latched: restart needed");
        struct vsdb_want_key keys[] = {{VSDB_KEY_HW_OFFLOAD, "true"},
                                       {VSDB_KEY_TC_POLICY, "skip_sw"}};
        struct vsdb_want want = {&wb, 1, keys, 2, d.record, d.n_record};
        apply(&want);
        free(id);
        decide("skip_sw", &d, &id);
        check(d.verdict == VSDB_OFFLOAD_RESTART_NEEDED,
              "writing the database does not make it take effect");
    } else if (!strcmp(phase, "restarted")) {
        decide("skip_sw", &d, &id);
        check(d.verdict == VSDB_OFFLOAD_IN_EFFECT && d.inferred &&
                  d.latched_tc_policy &&
                  !strcmp(d.latched_tc_policy, "skip_sw"),
              "after the restart: skip_sw in effect");
        struct vsdb_want_key keys[] = {{VSDB_KEY_HW_OFFLOAD, "true"},
                                       {VSDB_KEY_TC_POLICY, "skip_sw"}};
        struct vsdb_want want = {&wb, 1, keys, 2, d.record, d.n_record};
        check(apply(&want) == 1, "record updated for the new process");
        check_ports_up(&argv[3], argc - 3);
        free(id);
        decide("skip_sw", &d, &id);
        check(d.verdict == VSDB_OFFLOAD_IN_EFFECT && !d.inferred,
              "in effect, from the record");
    } else {
        fprintf(stderr, "unknown phase %s\n", phase);
        return 2;
    }
    free(id);
    vsdb_destroy(db);
    return failures ? 1 : 0;
}
