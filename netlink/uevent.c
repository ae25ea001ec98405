/* Kernel uevents: see include/oa-netlink/uevent.h. */
#include "oa-netlink/uevent.h"

#include <errno.h>
#include <linux/netlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

/* Datagrams read per drain at most: a flood of other subsystems' events
 * must not hold the daemon's loop (the rest is read on the next turn). */
#define UEVENT_DRAIN_MAX 1024

struct uevent_source {
    int fd;
};

/* 'n' bytes of 'src' as a string into 'dst'; -EINVAL when too long. */
static int
copy_field(char *dst, size_t size, const char *src, size_t n)
{
    if (n >= size) {
        return -EINVAL;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
    return 0;
}

static bool
key_is(const char *p, size_t k, const char *key)
{
    return k == strlen(key) && !memcmp(p, key, k);
}

/* One "KEY=VALUE" entry of 'n' bytes (no NUL among them). */
static int
parse_entry(const char *p, size_t n, struct uevent_msg *m)
{
    const char *eq = memchr(p, '=', n);
    if (!eq) {
        return 0; /* not an entry: ignored, as udev does */
    }
    size_t k = (size_t)(eq - p);
    const char *v = eq + 1;
    size_t vn = n - k - 1;
    if (key_is(p, k, "ACTION")) {
        /* The header said it already: a message that disagrees with
         * itself is no kernel's. */
        return vn == strlen(m->action) && !memcmp(v, m->action, vn) ? 0
                                                                    : -EINVAL;
    }
    if (key_is(p, k, "SUBSYSTEM")) {
        return copy_field(m->subsystem, sizeof m->subsystem, v, vn);
    }
    if (key_is(p, k, "DEVPATH")) {
        return copy_field(m->devpath, sizeof m->devpath, v, vn);
    }
    if (key_is(p, k, "DRIVER")) {
        return copy_field(m->driver, sizeof m->driver, v, vn);
    }
    return 0;
}

int
uevent_parse(const void *buf, size_t len, struct uevent_msg *m)
{
    const char *p = buf;
    const char *end = p + len;
    memset(m, 0, sizeof *m);
    /* The header, "ACTION@DEVPATH": udevd's messages start "libudev". */
    const char *nul = memchr(p, '\0', len);
    size_t hlen = nul ? (size_t)(nul - p) : len;
    const char *at = memchr(p, '@', hlen);
    if (!at || at == p ||
        copy_field(m->action, sizeof m->action, p, (size_t)(at - p)) ||
        copy_field(m->devpath, sizeof m->devpath, at + 1,
                   hlen - (size_t)(at + 1 - p))) {
        memset(m, 0, sizeof *m);
        return -EINVAL;
    }
    p = nul ? nul + 1 : end;
    while (p < end) {
        const char *e = memchr(p, '\0', (size_t)(end - p));
        size_t n = e ? (size_t)(e - p) : (size_t)(end - p);
        if (parse_entry(p, n, m)) {
            memset(m, 0, sizeof *m);
            return -EINVAL;
        }
        p = e ? e + 1 : end;
    }
    return 0;
}

const char *
uevent_devname(const struct uevent_msg *m)
{
    const char *slash = strrchr(m->devpath, '/');
    return slash ? slash + 1 : m->devpath;
}

void
uevent_count(const void *buf, size_t len, const char *subsystem,
             struct uevent_summary *sum)
{
    struct uevent_msg m;
    if (uevent_parse(buf, len, &m)) {
        sum->invalid++;
        return;
    }
    sum->events++;
    if (!strcmp(m.subsystem, subsystem)) {
        sum->matched++;
        snprintf(sum->last, sizeof sum->last, "%.15s %.47s", m.action,
                 uevent_devname(&m));
    }
}

int
uevent_open(struct uevent_source **out)
{
    *out = NULL;
    struct uevent_source *s = calloc(1, sizeof *s);
    if (!s) {
        return -ENOMEM;
    }
    s->fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
                   NETLINK_KOBJECT_UEVENT);
    if (s->fd < 0) {
        int r = -errno;
        free(s);
        return r;
    }
    /* Room for a burst (a PF's VFs appearing); FORCE needs CAP_NET_ADMIN,
     * the plain one is capped by rmem_max: best effort both. */
    int size = 1 << 20;
    if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size)) {
        setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    }
    struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1};
    if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int r = -errno;
        uevent_close(s);
        return r;
    }
    *out = s;
    return 0;
}

void
uevent_close(struct uevent_source *s)
{
    if (s) {
        close(s->fd);
        free(s);
    }
}

int
uevent_fd(const struct uevent_source *s)
{
    return s->fd;
}

int
uevent_drain(struct uevent_source *s, const char *subsystem,
             struct uevent_summary *sum)
{
    char buf[8192]; /* the kernel's uevents are at most 2 KiB */
    int total = 0;
    while (total < UEVENT_DRAIN_MAX) {
        struct sockaddr_nl sa;
        struct iovec iov = {buf, sizeof buf};
        struct msghdr mh = {.msg_name = &sa,
                            .msg_namelen = sizeof sa,
                            .msg_iov = &iov,
                            .msg_iovlen = 1};
        ssize_t n = recvmsg(s->fd, &mh, MSG_DONTWAIT);
        if (n < 0) {
            if (errno == EAGAIN || errno == EWOULDBLOCK) {
                return total;
            }
            if (errno == ENOBUFS) {
                sum->resync = true;
                continue;
            }
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        total++;
        /* Port id 0 is the kernel's; no process can send from it. */
        if ((mh.msg_flags & MSG_TRUNC) || mh.msg_namelen != sizeof sa ||
            sa.nl_pid != 0) {
            sum->invalid++;
            continue;
        }
        uevent_count(buf, (size_t)n, subsystem, sum);
    }
    return total;
}
