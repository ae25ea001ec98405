/* doctor's devlink-health check: a driver's health reporter in error (mlx5
 * reports firmware faults and stuck tx/rx queues this way; traffic
 * through that function stops until it recovers). Live: the devlink
 * reporter dump; recorded: ROOT/devlink/health as `devlink health show`
 * prints it (docs/doctor.md). */
#include "doctor.h"

#include "oa-netlink/devlink-health.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK "devlink-health"

/* "pci/0000:08:00.0" or, for a port's reporter, "pci/0000:08:00.0/65535". */
static void
reporter_object(const struct devlink_health_reporter *r, char *out,
                size_t size)
{
    if (r->has_port) {
        snprintf(out, size, "%s/%s/%" PRIu32, r->dev.bus, r->dev.dev, r->port);
    } else {
        snprintf(out, size, "%s/%s", r->dev.bus, r->dev.dev);
    }
}

static void
judge(const struct devlink_health_reporter *r, void *aux)
{
    struct doctor *d = aux;
    if (!r->error) {
        return; /* errors it recovered from are history, not a finding */
    }
    char object[128], what[256], ev[384], fix[1024];
    reporter_object(r, object, sizeof object);
    snprintf(what, sizeof what,
             "devlink health reporter '%s' is in error: %" PRIu64
             " error%s, %" PRIu64 " recovered",
             r->name, r->errors, r->errors == 1 ? "" : "s", r->recoveries);
    snprintf(ev, sizeof ev,
             "devlink health %s reporter %s: state error, error %" PRIu64
             ", recover %" PRIu64 "%s",
             object, r->name, r->errors, r->recoveries,
             !r->has_auto_recover ? ""
             : r->auto_recover    ? ", auto_recover true"
                                  : ", auto_recover false");
    if (r->has_auto_recover && !r->auto_recover) {
        snprintf(fix, sizeof fix,
                 "auto-recovery is off: read `devlink health diagnose %s "
                 "reporter %s`, then `devlink health recover %s reporter "
                 "%s`",
                 object, r->name, object, r->name);
    } else {
        snprintf(fix, sizeof fix,
                 "the driver's recovery did not bring it back: read "
                 "`devlink health diagnose %s reporter %s` and `devlink "
                 "health dump show %s reporter %s`, then `devlink health "
                 "recover %s reporter %s` (it resets that function: "
                 "traffic through it stops meanwhile); a fault that "
                 "returns needs the firmware or the vendor",
                 object, r->name, object, r->name, object, r->name);
    }
    const char *evidence[] = {ev, NULL};
    doctor_add(d, CHECK, DOCTOR_ERROR, object, what, evidence, fix);
}

static void
dump_live(struct doctor *d)
{
    struct oanl_sock *s = NULL;
    int e = oanl_open_genl("devlink", &s);
    if (!e) {
        e = devlink_health_dump(s, judge, d, NULL);
        oanl_close(s);
    }
    if (e) {
        doctor_skip(d, CHECK, "devlink health reporters not readable: %s",
                    strerror(-e));
    }
}

/* "pci/0000:08:00.0:" or "pci/0000:08:00.0/65535:" */
static void
parse_handle(char *line, struct devlink_health_reporter *r)
{
    memset(r, 0, sizeof *r);
    line[strcspn(line, " \t")] = '\0';
    size_t len = strlen(line);
    if (len && line[len - 1] == ':') {
        line[len - 1] = '\0';
    }
    char *slash = strchr(line, '/');
    char *port = slash ? strchr(slash + 1, '/') : NULL;
    if (port) {
        *port++ = '\0';
        r->has_port = true;
        r->port = (uint32_t)strtoul(port, NULL, 10);
    }
    if (slash) {
        *slash = '\0';
        snprintf(r->dev.bus, sizeof r->dev.bus, "%s", line);
        snprintf(r->dev.dev, sizeof r->dev.dev, "%s", slash + 1);
    }
}

/* "state error error 1 recover 0 grace_period 0 auto_recover true ..."
 * (iproute2 prints the words as KEY VALUE pairs). */
static void
parse_state(char *line, struct devlink_health_reporter *r)
{
    char *save = NULL;
    for (char *k = strtok_r(line, " \t", &save); k;
         k = strtok_r(NULL, " \t", &save)) {
        char *v = strtok_r(NULL, " \t", &save);
        if (!v) {
            break;
        }
        if (!strcmp(k, "state")) {
            r->error = !strcmp(v, "error");
        } else if (!strcmp(k, "error")) {
            r->errors = strtoull(v, NULL, 10);
        } else if (!strcmp(k, "recover")) {
            r->recoveries = strtoull(v, NULL, 10);
        } else if (!strcmp(k, "auto_recover")) {
            r->has_auto_recover = true;
            r->auto_recover = !strcmp(v, "true");
        }
    }
}

static void
dump_recorded(struct doctor *d, char *text)
{
    struct devlink_health_reporter r;
    memset(&r, 0, sizeof r);
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        char *word = line + strspn(line, " \t");
        if (word == line) {
            parse_handle(line, &r);
        } else if (!strncmp(word, "reporter ", 9)) {
            snprintf(r.name, sizeof r.name, "%s", word + 9);
        } else if (!strncmp(word, "state ", 6) && r.name[0]) {
            struct devlink_health_reporter one = r;
            parse_state(word, &one);
            judge(&one, d);
        }
    }
}

void
doctor_check_devlink_health(struct doctor *d)
{
    if (!d->root) {
        dump_live(d);
        return;
    }
    char *text = doctor_slurp(d, "devlink/health");
    if (!text) {
        doctor_skip(d, CHECK, "the tree has no devlink/health");
        return;
    }
    dump_recorded(d, text);
    free(text);
}
