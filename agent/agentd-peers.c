/* agentd-peers: see agentd-peers.h. */
#include "agentd-peers.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* One watched file: its directory's watch and its name in it. */
struct peer_file {
    int wd; /* -1: not watched (no directory yet) */
    char dir[PATH_MAX];
    char base[NAME_MAX + 1];
};

struct agentd_peers {
    int fd; /* inotify */
    struct peer_file vswitchd, ovsdb;
};

/* What makes a new pidfile (written, renamed into place) or socket
 * (bind) or their removal; the directory itself going away. */
#define PEER_MASK                                                           \
    (IN_CREATE | IN_CLOSE_WRITE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | \
     IN_DELETE_SELF | IN_MOVE_SELF)

struct agentd_peers *
agentd_peers_create(void)
{
    struct agentd_peers *p = calloc(1, sizeof *p);
    if (!p) {
        return NULL;
    }
    p->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    if (p->fd < 0) {
        free(p);
        return NULL;
    }
    p->vswitchd.wd = p->ovsdb.wd = -1;
    return p;
}

void
agentd_peers_destroy(struct agentd_peers *p)
{
    if (p) {
        close(p->fd);
        free(p);
    }
}

int
agentd_peers_fd(const struct agentd_peers *p)
{
    return p ? p->fd : -1;
}

bool
agentd_unix_remote_path(const char *remote, char *buf, size_t size)
{
    static const char prefix[] = "unix:";
    size_t n = sizeof prefix - 1;

    if (!remote || strncmp(remote, prefix, n) || !remote[n] ||
        strchr(remote, ',')) {
        return false;
    }
    size_t len = strlen(remote + n);
    if (len >= size) {
        return false;
    }
    memcpy(buf, remote + n, len + 1);
    return true;
}

/* Watches the directory of 'path' for 'f' (again when it changed or the
 * watch went away). */
static void
watch_file(struct agentd_peers *p, struct peer_file *f, const char *path)
{
    const char *slash = path ? strrchr(path, '/') : NULL;
    char dir[PATH_MAX];

    if (!slash || slash == path || (size_t)(slash - path) >= sizeof dir ||
        strlen(slash + 1) >= sizeof f->base || !slash[1]) {
        f->dir[0] = '\0';
        return;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    if (f->wd >= 0 && !strcmp(dir, f->dir) && !strcmp(slash + 1, f->base)) {
        return;
    }
    /* A watch of the same directory for the other file stays: inotify
     * gives both the same wd, and removing it would end both. */
    strcpy(f->dir, dir);
    strcpy(f->base, slash + 1);
    f->wd = inotify_add_watch(p->fd, f->dir, PEER_MASK);
}

void
agentd_peers_watch(struct agentd_peers *p, const char *pidfile,
                   const char *remote)
{
    char sock[PATH_MAX];

    if (!p) {
        return;
    }
    watch_file(p, &p->vswitchd, pidfile);
    if (agentd_unix_remote_path(remote, sock, sizeof sock)) {
        watch_file(p, &p->ovsdb, sock);
    } else {
        p->ovsdb.wd = -1;
        p->ovsdb.dir[0] = '\0';
    }
}

/* What event 'ev' says about 'f': AGENTD_PEER_* 'bit' or 0. */
static unsigned
match(struct peer_file *f, const struct inotify_event *ev, unsigned bit)
{
    if (f->wd < 0 || ev->wd != f->wd) {
        return 0;
    }
    if (ev->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
        f->wd = -1; /* watched again by the next agentd_peers_watch() */
        return bit;
    }
    if (ev->mask & IN_Q_OVERFLOW) {
        return bit;
    }
    return ev->len && !strcmp(ev->name, f->base) ? bit : 0;
}

unsigned
agentd_peers_read(struct agentd_peers *p)
{
    char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
    unsigned changed = 0;
    ssize_t n;

    if (!p) {
        return 0;
    }
    while ((n = read(p->fd, buf, sizeof buf)) > 0) {
        for (char *c = buf; c < buf + n;) {
            const struct inotify_event *ev = (const struct inotify_event *)c;
            if (ev->mask & IN_Q_OVERFLOW) {
                changed |= AGENTD_PEER_VSWITCHD | AGENTD_PEER_OVSDB;
            }
            changed |= match(&p->vswitchd, ev, AGENTD_PEER_VSWITCHD);
            changed |= match(&p->ovsdb, ev, AGENTD_PEER_OVSDB);
            c += sizeof *ev + ev->len;
        }
    }
    return changed;
}
