#include "vsdb-test-util.h"

#include <check.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

const char *
test_remote(void)
{
    const char *remote = getenv("OA_TEST_OVSDB");
    ck_assert_msg(
        remote && *remote,
        "OA_TEST_OVSDB unset: run under tests/ovsdb/with-ovsdb-server");
    return remote;
}

static int vvsctl(char *out, size_t out_size, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

static int
vvsctl(char *out, size_t out_size, const char *fmt, va_list ap)
{
    char args[4096], cmd[4608];
    vsnprintf(args, sizeof args, fmt, ap);
    snprintf(cmd, sizeof cmd, "ovs-vsctl --db='%s' --no-wait --timeout=10 %s",
             test_remote(), args);
    FILE *p = popen(cmd, "r");
    ck_assert_msg(p != NULL, "popen(%s)", cmd);
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, p);
    buf[n] = '\0';
    while (n && buf[n - 1] == '\n') {
        buf[--n] = '\0';
    }
    int st = pclose(p);
    if (out) {
        snprintf(out, out_size, "%s", buf);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

int
vsctl(char *out, size_t out_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int r = vvsctl(out, out_size, fmt, ap);
    va_end(ap);
    return r;
}

char *
vsctl_ok(char *out, size_t out_size, const char *fmt, ...)
{
    char args[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(args, sizeof args, fmt, ap);
    va_end(ap);
    int r = vsctl(out, out_size, "%s", args);
    ck_assert_msg(r == 0, "ovs-vsctl %s: exit %d (%s)", args, r,
                  out ? out : "");
    return out;
}

void
test_restart_server(void)
{
    const char *script = getenv("OA_TEST_OVSDB_RESTART");
    ck_assert_msg(script && *script, "OA_TEST_OVSDB_RESTART unset");
    char cmd[4200];
    snprintf(cmd, sizeof cmd, "'%s' 2>/dev/null", script);
    int st = system(cmd);
    ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s failed", cmd);
}

void
test_reset_db(void)
{
    char brs[8192];
    vsctl_ok(brs, sizeof brs, "list-br");
    for (char *save, *br = strtok_r(brs, "\n", &save); br;
         br = strtok_r(NULL, "\n", &save)) {
        vsctl_ok(NULL, 0, "del-br '%s'", br);
    }
    vsctl_ok(NULL, 0, "clear Open_vSwitch . other_config external_ids");
}
