/* uevent: the kernel's own kobject uevents (NETLINK_KOBJECT_UEVENT,
 * multicast group 1), as an event source for the daemon's poll loop.
 * Group 1 carries the kernel's messages themselves, not udevd's
 * re-broadcast (group 2), so it works on hosts without udevd (the bed).
 * The daemon uses it for the vdpa bus, whose netlink family has no
 * multicast group: vDPA devices come and go, and drivers bind to them,
 * with no other notification.
 *
 * A kernel uevent is one datagram: "ACTION@DEVPATH\0" then "KEY=VALUE\0"
 * entries (ACTION, DEVPATH, SUBSYSTEM, SEQNUM, DRIVER on bind/unbind...).
 * uevent_parse() is pure and bounded: it never reads past 'len' and
 * rejects what is not one. */
#ifndef OA_NETLINK_UEVENT_H
#define OA_NETLINK_UEVENT_H 1

#include <stdbool.h>
#include <stddef.h>

/* One parsed uevent. Values longer than their field make the message
 * invalid (the kernel's are far shorter). */
struct uevent_msg {
    char action[16];    /* "add", "remove", "bind", "unbind", "change"... */
    char subsystem[32]; /* SUBSYSTEM=; "" when the message has none */
    char devpath[512];  /* DEVPATH=, or the header's when absent */
    char driver[64];    /* DRIVER= (bind, unbind); "" otherwise */
};

/* Parses one datagram of 'len' bytes into *m: 0, or -EINVAL when it is
 * not a kernel uevent (no "ACTION@DEVPATH" header, udevd's "libudev"
 * header, an empty action, a field too long, a header that disagrees
 * with ACTION=). */
int uevent_parse(const void *buf, size_t len, struct uevent_msg *m);

/* The device's name: DEVPATH's last component ("" for an empty path). */
const char *uevent_devname(const struct uevent_msg *m);

/* What a drain saw, for one subsystem. */
struct uevent_summary {
    bool resync;    /* the kernel dropped messages (ENOBUFS) */
    size_t events;  /* kernel uevents read, of every subsystem */
    size_t matched; /* of them, the subsystem asked for */
    size_t invalid; /* datagrams not from the kernel or not parsed */
    char last[64];  /* the last match: "ACTION NAME", for logs */
};

struct uevent_source;

/* Opens and joins group 1, non-blocking. Caller owns *out
 * (uevent_close()). A negative errno (EPERM, EPROTONOSUPPORT...). */
int uevent_open(struct uevent_source **out);
void uevent_close(struct uevent_source *);
/* The fd to poll for POLLIN. */
int uevent_fd(const struct uevent_source *);
/* Reads every pending datagram without blocking and adds those of
 * 'subsystem' to *sum (zeroed by the caller for fresh counts). Datagrams
 * not sent by the kernel (a sender's port id other than 0) are counted
 * invalid and ignored. Returns the number read, or a negative errno
 * other than ENOBUFS (which sets sum->resync and goes on). */
int uevent_drain(struct uevent_source *, const char *subsystem,
                 struct uevent_summary *sum);
/* Pure: adds one datagram to *sum (what uevent_drain() does per
 * datagram of the kernel's). */
void uevent_count(const void *buf, size_t len, const char *subsystem,
                  struct uevent_summary *sum);

#endif
