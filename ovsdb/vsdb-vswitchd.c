/* vsdb: which ovs-vswitchd runs, and restarting it through systemd's
 * D-Bus API (never by running a command). */
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-common/cancel.h"
#include "oa-common/file.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <systemd/sd-bus.h>
#include <time.h>
#include <unistd.h>

int
vsdb_vswitchd_identity(const char *pidfile, const char *proc, char **id)
{
    char buf[1024], path[512], boot_id[64];
    *id = NULL;
    if (!pidfile) {
        pidfile = VSDB_VSWITCHD_PIDFILE;
    }
    if (!proc) {
        proc = "/proc";
    }

    int r = oa_read_small(pidfile, buf, sizeof buf);
    if (r < 0) {
        return r;
    }
    char *end;
    long pid = strtol(buf, &end, 10);
    if (end == buf || *end || pid <= 0) {
        return -EINVAL;
    }

    /* /proc/PID/stat: "PID (COMM) STATE ..." with the start time (in
     * clock ticks since boot) as the 22nd field. COMM may hold spaces
     * or parentheses: parse from the last ')'. */
    snprintf(path, sizeof path, "%s/%ld/stat", proc, pid);
    r = oa_read_small(path, buf, sizeof buf);
    if (r == -ENOENT) {
        return -ESRCH;
    } else if (r < 0) {
        return r;
    }
    char *open_paren = strchr(buf, '(');
    char *close_paren = strrchr(buf, ')');
    if (!open_paren || !close_paren || close_paren < open_paren) {
        return -EINVAL;
    }
    *close_paren = '\0';
    /* A recycled pid from a stale pidfile is some other program. */
    if (strcmp(open_paren + 1, "ovs-vswitchd")) {
        return -ESRCH;
    }
    const char *field = close_paren + 1;
    unsigned long long start = 0;
    for (int i = 3; i <= 22; i++) {
        while (*field == ' ') {
            field++;
        }
        if (i == 22) {
            start = strtoull(field, &end, 10);
            if (end == field) {
                return -EINVAL;
            }
            break;
        }
        field = strchr(field, ' ');
        if (!field) {
            return -EINVAL;
        }
    }

    snprintf(path, sizeof path, "%s/sys/kernel/random/boot_id", proc);
    r = oa_read_small(path, boot_id, sizeof boot_id);
    if (r < 0) {
        return r;
    }
    if (asprintf(id, "%s:%ld:%llu", boot_id, pid, start) < 0) {
        *id = NULL;
        return -ENOMEM;
    }
    return 0;
}

/* An inotify fd watching the directory of 'pidfile' for new or rewritten
 * files, or -1 (the caller then re-checks on a timer alone). */
static int
watch_pidfile_dir(const char *pidfile)
{
    char dir[512];
    snprintf(dir, sizeof dir, "%s", pidfile);
    char *slash = strrchr(dir, '/');
    if (slash && slash != dir) {
        *slash = '\0';
    } else {
        snprintf(dir, sizeof dir, "/");
    }
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (in >= 0) {
        inotify_add_watch(in, dir, IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE);
    }
    return in;
}

/* Sleeps up to 'ms', less when 'in' (may be -1) has events (drained).
 * -ECANCELED when 'cancel' is. */
static int
nap(int in, long long ms, struct oa_cancel *cancel)
{
    struct pollfd p = {in, POLLIN, 0};
    int r = oa_cancel_poll(cancel, &p, in >= 0, ms);
    if (r > 0) {
        char buf[4096];
        while (read(in, buf, sizeof buf) > 0) {
        }
    }
    return r == -ECANCELED ? r : 0;
}

int
vsdb_vswitchd_wait_changed(const char *pidfile, const char *proc,
                           const char *old, long long timeout_ms,
                           struct oa_cancel *cancel)
{
    if (!pidfile) {
        pidfile = VSDB_VSWITCHD_PIDFILE;
    }
    int in = watch_pidfile_dir(pidfile);
    long long deadline = vsdb_time_msec() + timeout_ms;
    int r = -ETIMEDOUT;
    for (;;) {
        char *id;
        if (!vsdb_vswitchd_identity(pidfile, proc, &id)) {
            bool changed = !old || strcmp(old, id);
            free(id);
            if (changed) {
                r = 0;
                break;
            }
        }
        long long left = deadline - vsdb_time_msec();
        if (left <= 0) {
            break;
        }
        /* At least every 100 ms: a process can start and exit without
         * the pidfile moving. */
        if (nap(in, left < 100 ? left : 100, cancel) == -ECANCELED) {
            r = -ECANCELED;
            break;
        }
    }
    if (in >= 0) {
        close(in);
    }
    return r;
}

static void
set_bus_error(char **error, const sd_bus_error *e, int r)
{
    if (!error) {
        return;
    }
    free(*error);
    *error = NULL;
    if (e && sd_bus_error_is_set(e) && e->message) {
        *error = strdup(e->message);
    } else if (r < 0) {
        *error = strdup(strerror(-r));
    }
}

/* systemd answers at once (a restart is queued as a job): a short bound
 * on the round trip keeps a wedged bus from stalling the agent. */
#define BUS_TIMEOUT_USEC (5 * 1000 * 1000)

static int
open_system_bus(sd_bus **bus)
{
    int r = sd_bus_open_system(bus);
    if (r >= 0) {
        r = sd_bus_set_method_call_timeout(*bus, BUS_TIMEOUT_USEC);
    }
    return r;
}

#define SYSTEMD_DEST    "org.freedesktop.systemd1"
#define SYSTEMD_PATH    "/org/freedesktop/systemd1"
#define SYSTEMD_MANAGER "org.freedesktop.systemd1.Manager"

int
vsdb_systemd_unit_main_pid(const char *unit, unsigned int *pid, char **error)
{
    sd_bus *bus = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;
    sd_bus_message *reply = NULL;
    const char *path;
    uint32_t main_pid = 0;

    *pid = 0;
    if (error) {
        *error = NULL;
    }
    if (!unit) {
        unit = VSDB_VSWITCHD_UNIT;
    }
    int r = open_system_bus(&bus);
    if (r < 0) {
        goto out;
    }
    /* GetUnit fails for units not loaded: that is "not managed". */
    r = sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH, SYSTEMD_MANAGER,
                           "GetUnit", &e, &reply, "s", unit);
    if (r < 0) {
        goto out;
    }
    r = sd_bus_message_read(reply, "o", &path);
    if (r < 0) {
        goto out;
    }
    r = sd_bus_get_property_trivial(bus, SYSTEMD_DEST, path,
                                    "org.freedesktop.systemd1.Service",
                                    "MainPID", &e, 'u', &main_pid);
    if (r < 0) {
        goto out;
    }
    *pid = main_pid;
    r = 0;
out:
    if (r < 0) {
        set_bus_error(error, &e, r);
    }
    sd_bus_message_unref(reply);
    sd_bus_error_free(&e);
    sd_bus_flush_close_unref(bus);
    return r;
}

int
vsdb_systemd_restart_unit(const char *unit, char **error)
{
    sd_bus *bus = NULL;
    sd_bus_error e = SD_BUS_ERROR_NULL;

    if (error) {
        *error = NULL;
    }
    if (!unit) {
        unit = VSDB_VSWITCHD_UNIT;
    }
    int r = open_system_bus(&bus);
    if (r >= 0) {
        r = sd_bus_call_method(bus, SYSTEMD_DEST, SYSTEMD_PATH,
                               SYSTEMD_MANAGER, "RestartUnit", &e, NULL, "ss",
                               unit, "replace");
    }
    if (r < 0) {
        set_bus_error(error, &e, r);
    } else {
        r = 0;
    }
    sd_bus_error_free(&e);
    sd_bus_flush_close_unref(bus);
    return r;
}
