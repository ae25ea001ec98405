/* Helpers for the OVSDB integration tests: the fixture's remote and a way
 * to run ovs-vsctl against it (tests may shell out; the library may not). */
#ifndef OA_VSDB_TEST_UTIL_H
#define OA_VSDB_TEST_UTIL_H

#include <stddef.h>

/* The fixture's remote (OA_TEST_OVSDB); aborts the test when unset. */
const char *test_remote(void);

/* Runs "ovs-vsctl --db=REMOTE --no-wait --timeout=10 ARGS" (ARGS is split
 * by the shell, so quote as in a shell). Its stdout, trailing newline
 * stripped, goes to 'out' (may be NULL). Returns the exit status. */
int vsctl(char *out, size_t out_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* vsctl() that must succeed; returns 'out'. */
char *vsctl_ok(char *out, size_t out_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Deletes every bridge and clears Open_vSwitch other_config and
 * external_ids: each test starts from the same empty database. */
void test_reset_db(void);

/* Runs the fixture's restart script (kill + start ovsdb-server). */
void test_restart_server(void);

#endif
