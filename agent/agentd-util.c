/* agentd: the pure helpers of the daemon (see agentd.h). */
#include "agentd.h"

#include "oa-netlink/nlev.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/inotify.h>
#include <syslog.h>
#include <unistd.h>

long long
agentd_backoff_ms(unsigned failures)
{
    long long ms = AGENTD_BACKOFF_MIN_MS;

    if (!failures) {
        return 0;
    }
    for (unsigned i = 1; i < failures && ms < AGENTD_BACKOFF_MAX_MS; i++) {
        ms *= 2;
    }
    return ms < AGENTD_BACKOFF_MAX_MS ? ms : AGENTD_BACKOFF_MAX_MS;
}

size_t
agentd_errors_logged(size_t n)
{
    return n < AGENTD_SPEC_ERRORS_LOGGED ? n : AGENTD_SPEC_ERRORS_LOGGED;
}

uint32_t
agentd_spec_watch_mask(void)
{
    /* Not IN_MODIFY: a reader would see a half-written file; the spec is
     * read once the writer closed it (IN_CLOSE_WRITE) or renamed it into
     * place (IN_MOVED_TO). */
    /* IN_CREATE does not match a file: a new file is empty until its
     * writer closes it, which IN_CLOSE_WRITE reports. */
    /* IN_CREATE only for symlinks, which are complete when made (the
     * daemon checks: agentd.c, other_spec_event). */
    return IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM |
           IN_DELETE_SELF | IN_MOVE_SELF | IN_CREATE;
}

bool
agentd_spec_event_matches(uint32_t mask, const char *name,
                          const char *basename)
{
    if (mask & IN_Q_OVERFLOW) {
        return true;
    }
    /* The directory itself went away or moved: the spec is gone too. */
    if (mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
        return true;
    }
    if (!(mask & (IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM))) {
        return false;
    }
    return name && !strcmp(name, basename);
}

int
agentd_pick_spec(const char *dir, const char *node, char *buf, size_t size)
{
    int n = snprintf(buf, size, "%s/%s.json", dir, node);

    if (n < 0 || (size_t)n >= size) {
        return -ENAMETOOLONG;
    }
    if (access(buf, F_OK) == 0) {
        return 0;
    }
    n = snprintf(buf, size, "%s/default.json", dir);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

bool
agentd_spec_node_event(uint32_t mask, const char *name, const char *node)
{
    size_t len = strlen(node);

    return name && !strncmp(name, node, len) && !strcmp(name + len, ".json") &&
           agentd_spec_event_matches(mask, name, name);
}

bool
agentd_spec_link_event(uint32_t mask, const char *name, const char *target)
{
    if (!name) {
        return false;
    }
    if (!strncmp(name, "..", 2)) {
        return agentd_spec_event_matches(mask, name, name);
    }
    return target && !strchr(target, '/') &&
           agentd_spec_event_matches(mask, name, target);
}

int
agentd_parse_log_level(const char *s)
{
    static const struct {
        const char *name;
        int level;
    } levels[] = {
        {"error", LOG_ERR},       {"err", LOG_ERR},
        {"warning", LOG_WARNING}, {"warn", LOG_WARNING},
        {"notice", LOG_NOTICE},   {"info", LOG_INFO},
        {"debug", LOG_DEBUG},
    };

    if (!s || !*s) {
        return -1;
    }
    if (s[0] >= '0' && s[0] <= '7' && !s[1]) {
        return s[0] - '0';
    }
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        if (!strcasecmp(s, levels[i].name)) {
            return levels[i].level;
        }
    }
    return -1;
}

long long
agentd_debounce_deadline(long long first, long long now)
{
    long long deadline = now + AGENTD_DEBOUNCE_MS;

    if (first >= 0 && deadline > first + AGENTD_DEBOUNCE_MAX_MS) {
        deadline = first + AGENTD_DEBOUNCE_MAX_MS;
    }
    return deadline < now ? now : deadline;
}

bool
agentd_links_relevant(const struct agentd_link_filter *f,
                      const struct nlev_summary *sum)
{
    if (f->all || sum->resync || sum->links_overflow) {
        return true;
    }
    for (size_t i = 0; i < sum->n_links; i++) {
        const struct nlev_link *l = &sum->links[i];
        for (size_t k = 0; k < f->n_ifindexes; k++) {
            if (f->ifindexes[k] == l->ifindex) {
                return true;
            }
        }
        for (size_t k = 0; l->name[0] && k < f->n_names; k++) {
            if (!strcmp(f->names[k], l->name)) {
                return true;
            }
        }
    }
    return false;
}
