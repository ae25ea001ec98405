/* The offload-settings decision (pure, from a table), the identity of the
 * running ovs-vswitchd (from a fake /proc tree) and the systemd calls'
 * behaviour when there is no system bus. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vsdb-offload.h"

#include "oa-check.h"

enum verdict_short { NOVS, EFFECT, LIVE, RESTART };

struct offload_case {
    const char *what;
    /* facts */
    bool want_on;
    const char *want_tc;
    const char *db_hw, *db_tc;
    bool caught_up;
    const char *vswitchd_id, *record_id, *record_latched;
    /* expected */
    enum verdict_short verdict;
    bool latched_on;
    const char *latched_tc;
    bool inferred;
    const char *new_record; /* NULL: no record entries */
};

#define ON_NONE    "hw-offload=true,tc-policy=none"
#define ON_SKIP_SW "hw-offload=true,tc-policy=skip_sw"
#define OFF        "hw-offload=false"

static const struct offload_case cases[] = {
    {"no ovs-vswitchd runs", true, "none", NULL, NULL, false, NULL, NULL, NULL,
     NOVS, false, NULL, false, NULL},
    {"fresh vswitchd, empty db: turning on works live", true, "none", NULL,
     NULL, true, "A", NULL, NULL, LIVE, false, NULL, true, ON_NONE},
    {"recorded on/none for this process, caught up", true, "none", "true",
     "none", true, "A", "A", ON_NONE, EFFECT, true, "none", false, ON_NONE},
    {"recorded on/none, vswitchd not caught up yet", true, "none", "true",
     "none", false, "A", "A", ON_NONE, LIVE, true, "none", false, ON_NONE},
    {"tc-policy change after hw-offload latched", true, "skip_sw", "true",
     "none", true, "A", "A", ON_NONE, RESTART, true, "none", false, ON_NONE},
    {"turning hw-offload off after it latched", false, "none", "true", "none",
     true, "A", "A", ON_NONE, RESTART, true, "none", false, ON_NONE},
    {"record about an earlier process: the db says what it latched", true,
     "none", "true", "none", true, "B", "A", ON_SKIP_SW, EFFECT, true, "none",
     true, ON_NONE},
    {"no record, db on with default policy", true, NULL, "true", NULL, true,
     "A", NULL, NULL, EFFECT, true, "none", true, ON_NONE},
    {"no record, db on with another policy", true, "none", "true", "skip_hw",
     true, "A", NULL, NULL, RESTART, true, "skip_hw", true,
     "hw-offload=true,tc-policy=skip_hw"},
    {"recorded off, wanted off", false, "none", "false", NULL, true, "A", "A",
     OFF, EFFECT, false, NULL, false, OFF},
    {"recorded off but someone turned it on since", false, "none", "true",
     "skip_sw", true, "A", "A", OFF, RESTART, true, "skip_sw", true,
     ON_SKIP_SW},
    {"recorded off, now wanted on: live", true, "skip_sw", "false", NULL, true,
     "A", "A", OFF, LIVE, false, NULL, false, ON_SKIP_SW},
    {"OVS reads TRUE as true", true, "none", "TRUE", NULL, true, "A", NULL,
     NULL, EFFECT, true, "none", true, ON_NONE},
    {"OVS reads yes as false", true, "none", "yes", NULL, true, "A", NULL,
     NULL, LIVE, false, NULL, true, ON_NONE},
    {"a record we cannot parse is ignored", true, "none", NULL, NULL, true,
     "A", "A", "garbage", LIVE, false, NULL, true, ON_NONE},
    {"recorded policy wins over a later db edit", true, "none", "true",
     "skip_hw", true, "A", "A", ON_NONE, EFFECT, true, "none", false, ON_NONE},
    {"never on, tc-policy changes freely", false, "skip_hw", NULL, "none",
     true, "A", "A", OFF, EFFECT, false, NULL, false, OFF},
};

static const enum vsdb_offload_verdict verdicts[] = {
    [NOVS] = VSDB_OFFLOAD_NO_VSWITCHD,
    [EFFECT] = VSDB_OFFLOAD_IN_EFFECT,
    [LIVE] = VSDB_OFFLOAD_LIVE,
    [RESTART] = VSDB_OFFLOAD_RESTART_NEEDED,
};

START_TEST(test_decide_table)
{
    const struct offload_case *c = &cases[_i];
    struct vsdb_offload_facts f = {
        .want_hw_offload = c->want_on,
        .want_tc_policy = c->want_tc,
        .db_hw_offload = c->db_hw,
        .db_tc_policy = c->db_tc,
        .caught_up = c->caught_up,
        .vswitchd_id = c->vswitchd_id,
        .record_id = c->record_id,
        .record_latched = c->record_latched,
    };
    struct vsdb_offload_decision d;
    vsdb_offload_decide(&f, &d);
    ck_assert_msg(d.verdict == verdicts[c->verdict], "%s: verdict %s", c->what,
                  vsdb_offload_verdict_name(d.verdict));
    ck_assert_ptr_nonnull(d.reason);
    if (c->verdict == NOVS) {
        ck_assert_uint_eq(d.n_record, 0);
        return;
    }
    ck_assert_msg(d.latched_on == c->latched_on, "%s: latched_on", c->what);
    if (c->latched_tc) {
        ck_assert_str_eq(d.latched_tc_policy, c->latched_tc);
    } else {
        ck_assert_ptr_null(d.latched_tc_policy);
    }
    ck_assert_msg(d.inferred == c->inferred, "%s: inferred", c->what);
    ck_assert_uint_eq(d.n_record, 2);
    ck_assert_str_eq(d.record[0].key, VSDB_RECORD_VSWITCHD);
    ck_assert_str_eq(d.record[0].value, c->vswitchd_id);
    ck_assert_str_eq(d.record[1].key, VSDB_RECORD_LATCHED);
    ck_assert_msg(!strcmp(d.record[1].value, c->new_record),
                  "%s: record %s, want %s", c->what, d.record[1].value,
                  c->new_record);
}
END_TEST

/* The record written for a process, read back for that same process
 * after it applied the database, gives "in effect", not inferred. */
START_TEST(test_record_round_trip)
{
    struct vsdb_offload_facts f = {.want_hw_offload = true,
                                   .want_tc_policy = "skip_sw",
                                   .caught_up = true,
                                   .vswitchd_id = "boot:42:1000"};
    struct vsdb_offload_decision d1, d2;
    vsdb_offload_decide(&f, &d1);
    ck_assert_int_eq(d1.verdict, VSDB_OFFLOAD_LIVE);
    f.db_hw_offload = "true";
    f.db_tc_policy = "skip_sw";
    f.record_id = d1.record[0].value;
    f.record_latched = d1.record[1].value;
    vsdb_offload_decide(&f, &d2);
    ck_assert_int_eq(d2.verdict, VSDB_OFFLOAD_IN_EFFECT);
    ck_assert(!d2.inferred);
    ck_assert_str_eq(d2.latched_tc_policy, "skip_sw");
    /* Someone edits tc-policy later: the process keeps skip_sw. */
    f.db_tc_policy = "skip_hw";
    f.want_tc_policy = "skip_hw";
    vsdb_offload_decide(&f, &d2);
    ck_assert_int_eq(d2.verdict, VSDB_OFFLOAD_RESTART_NEEDED);
}
END_TEST

/* ---- identity ---- */

static char tmpl[] = "/tmp/vsdb-proc.XXXXXX";
static char *root;

static void
write_file(const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    char dir[512];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *s = dir + strlen(root) + 1; (s = strchr(s, '/')); s++) {
        *s = '\0';
        mkdir(dir, 0755);
        *s = '/';
    }
    FILE *fp = fopen(path, "w");
    ck_assert_ptr_nonnull(fp);
    fputs(text, fp);
    fclose(fp);
}

static void
setup_proc(void)
{
    root = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(root);
    write_file("proc/sys/kernel/random/boot_id",
               "6f1c0b8e-1111-2222-3333-444455556666\n");
    /* Fields 3..22; 22 (start time) is 987654. */
    write_file("proc/1234/stat", "1234 (ovs-vswitchd) S 1 1234 1234 0 -1 "
                                 "4194560 1 2 3 4 5 6 7 8 20 0 3 0 987654 "
                                 "1000 100\n");
    write_file("proc/77/stat", "77 (sleep (x)) S 1 77 77 0 -1 4194560 1 2 "
                               "3 4 5 6 7 8 20 0 1 0 5555 1000 100\n");
    write_file("run/ok.pid", "1234\n");
    write_file("run/other.pid", "77\n");
    write_file("run/gone.pid", "999\n");
    write_file("run/bad.pid", "12x\n");
}

static void
teardown_proc(void)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
    ck_assert_int_eq(system(cmd), 0);
}

static int
identity(const char *pidfile_rel, char **id)
{
    char pidfile[512], proc[512];
    snprintf(pidfile, sizeof pidfile, "%s/%s", root, pidfile_rel);
    snprintf(proc, sizeof proc, "%s/proc", root);
    return vsdb_vswitchd_identity(pidfile, proc, id);
}

START_TEST(test_identity)
{
    char *id;
    ck_assert_int_eq(identity("run/ok.pid", &id), 0);
    ck_assert_str_eq(id, "6f1c0b8e-1111-2222-3333-444455556666:1234:987654");
    free(id);
    /* A stale pidfile whose pid now belongs to another program. */
    ck_assert_int_eq(identity("run/other.pid", &id), -ESRCH);
    ck_assert_ptr_null(id);
    ck_assert_int_eq(identity("run/gone.pid", &id), -ESRCH);
    ck_assert_int_eq(identity("run/none.pid", &id), -ENOENT);
    ck_assert_int_eq(identity("run/bad.pid", &id), -EINVAL);
}
END_TEST

/* Where no systemd answers on the system bus, both calls report an error
 * (with a message) instead of hanging or crashing: the agent turns that
 * into "restart needed, nothing can restart it" with a hint. */
START_TEST(test_systemd_without_bus)
{
    setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path=/nonexistent/vsdb-bus", 1);
    unsigned int pid = 123;
    char *error = NULL;
    int r = vsdb_systemd_unit_main_pid(NULL, &pid, &error);
    ck_assert_int_lt(r, 0);
    ck_assert_uint_eq(pid, 0);
    ck_assert_ptr_nonnull(error);
    free(error);
    error = NULL;
    r = vsdb_systemd_restart_unit("ovs-vswitchd.service", &error);
    ck_assert_int_lt(r, 0);
    ck_assert_ptr_nonnull(error);
    free(error);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("vsdb-offload");
    TCase *tc = tcase_create("decide");
    tcase_add_loop_test(tc, test_decide_table, 0,
                        (int)(sizeof cases / sizeof cases[0]));
    tcase_add_test(tc, test_record_round_trip);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("identity");
    tcase_add_checked_fixture(ti, setup_proc, teardown_proc);
    tcase_add_test(ti, test_identity);
    tcase_add_test(ti, test_systemd_without_bus);
    suite_add_tcase(s, ti);
    return oa_check_run(s);
}
