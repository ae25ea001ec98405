/* Netlink socket core: see include/oa-netlink/nlsock.h. */
#include "oa-netlink/nlsock.h"

#include "oa-common/iostat.h"

#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct oanl_sock {
    struct mnl_socket *mnl;
    uint32_t portid;
    uint32_t seq;
    bool is_genl;
    struct oanl_genl_family family;
    void *buf;
    size_t buf_size;
};

/* Large enough for one dump skb; grown on demand for bigger datagrams
 * (a link with many VFs). */
#define OANL_RECV_MIN 32768

int
oanl_open(int bus, struct oanl_sock **out)
{
    *out = NULL;
    struct oanl_sock *s = calloc(1, sizeof *s);
    if (!s) {
        return -ENOMEM;
    }
    s->mnl = mnl_socket_open2(bus, SOCK_CLOEXEC);
    if (!s->mnl) {
        int err = -errno;
        free(s);
        return err;
    }
    int one = 1;
    /* CAP_ACK: errors do not echo our request back; EXT_ACK: the kernel
     * says why it refused.  Old kernels lack EXT_ACK: not fatal. */
    mnl_socket_setsockopt(s->mnl, NETLINK_CAP_ACK, &one, sizeof one);
    mnl_socket_setsockopt(s->mnl, NETLINK_EXT_ACK, &one, sizeof one);
    if (mnl_socket_bind(s->mnl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int err = -errno;
        oanl_close(s);
        return err;
    }
    s->portid = mnl_socket_get_portid(s->mnl);
    s->seq = (uint32_t)getpid() ^ (uint32_t)(uintptr_t)s;
    s->buf_size = OANL_RECV_MIN;
    s->buf = malloc(s->buf_size);
    if (!s->buf) {
        oanl_close(s);
        return -ENOMEM;
    }
    *out = s;
    return 0;
}

static int
family_cb(const struct nlmsghdr *nlh, void *data)
{
    return oanl_decode_family(nlh, data);
}

int
oanl_open_genl(const char *family, struct oanl_sock **out)
{
    struct oanl_sock *s;
    int err = oanl_open(NETLINK_GENERIC, &s);
    if (err) {
        *out = NULL;
        return err;
    }
    char buf[256];
    err = oanl_encode_getfamily(buf, sizeof buf, family);
    if (err >= 0) {
        err = oanl_transact(s, (struct nlmsghdr *)buf, family_cb, &s->family,
                            NULL);
    }
    if (!err && s->family.id == 0) {
        err = -ENOENT;
    }
    if (err) {
        oanl_close(s);
        *out = NULL;
        return err;
    }
    s->is_genl = true;
    *out = s;
    return 0;
}

void
oanl_close(struct oanl_sock *s)
{
    if (!s) {
        return;
    }
    if (s->mnl) {
        mnl_socket_close(s->mnl);
    }
    free(s->buf);
    free(s);
}

int
oanl_fd(const struct oanl_sock *s)
{
    return mnl_socket_get_fd(s->mnl);
}

const struct oanl_genl_family *
oanl_family(const struct oanl_sock *s)
{
    return s->is_genl ? &s->family : NULL;
}

int
oanl_join_group(struct oanl_sock *s, uint32_t group)
{
    int g = (int)group;
    if (mnl_socket_setsockopt(s->mnl, NETLINK_ADD_MEMBERSHIP, &g, sizeof g) <
        0) {
        return -errno;
    }
    return 0;
}

int
oanl_set_nonblock(struct oanl_sock *s)
{
    int fd = oanl_fd(s);
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        return -errno;
    }
    return 0;
}

/* Receives one datagram, growing the buffer to fit it.  Returns its
 * length or a negative errno. */
static ssize_t
recv_datagram(struct oanl_sock *s, int flags)
{
    int fd = oanl_fd(s);
    for (;;) {
        ssize_t n = recv(fd, NULL, 0, MSG_PEEK | MSG_TRUNC | flags);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        if ((size_t)n > s->buf_size) {
            void *nb = realloc(s->buf, (size_t)n);
            if (!nb) {
                return -ENOMEM;
            }
            s->buf = nb;
            s->buf_size = (size_t)n;
        }
        n = recv(fd, s->buf, s->buf_size, flags);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return -errno;
        }
        return n;
    }
}

int
oanl_transact(struct oanl_sock *s, struct nlmsghdr *req, oanl_msg_cb cb,
              void *data, struct oanl_extack *ext)
{
    if (ext) {
        ext->msg[0] = '\0';
    }
    bool dump = (req->nlmsg_flags & NLM_F_DUMP) == NLM_F_DUMP;
    if (!dump) {
        req->nlmsg_flags |= NLM_F_ACK;
    }
    req->nlmsg_flags |= NLM_F_REQUEST;
    req->nlmsg_pid = 0;
    req->nlmsg_seq = ++s->seq;
    oa_iostat_inc(dump ? OA_IOSTAT_NL_DUMPS : OA_IOSTAT_NL_REQUESTS);
    if (mnl_socket_sendto(s->mnl, req, req->nlmsg_len) < 0) {
        return -errno;
    }

    int cb_err = 0;
    for (;;) {
        ssize_t n = recv_datagram(s, 0);
        if (n < 0) {
            return (int)n;
        }
        int len = (int)n;
        const struct nlmsghdr *nlh = s->buf;
        for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
            if (nlh->nlmsg_seq != req->nlmsg_seq ||
                (nlh->nlmsg_pid && nlh->nlmsg_pid != s->portid)) {
                continue; /* stale reply to an earlier, abandoned request */
            }
            switch (nlh->nlmsg_type) {
            case NLMSG_NOOP:
                continue;
            case NLMSG_OVERRUN:
                return -EIO;
            case NLMSG_ERROR:
            case NLMSG_DONE: {
                int err = oanl_decode_error(nlh, ext);
                return err ? err : cb_err;
            }
            default:
                if (cb && !cb_err) {
                    int r = cb(nlh, data);
                    if (r < 0) {
                        cb_err = r;
                    }
                }
                if (!dump && !(nlh->nlmsg_flags & NLM_F_MULTI) &&
                    !(req->nlmsg_flags & NLM_F_ACK)) {
                    return cb_err;
                }
            }
        }
        if (len > 0) {
            return -EBADMSG; /* a message ran past the datagram */
        }
    }
}

int
oanl_recv_each(struct oanl_sock *s, oanl_msg_cb cb, void *data)
{
    ssize_t n = recv_datagram(s, MSG_DONTWAIT);
    if (n < 0) {
        return (int)(n == -EWOULDBLOCK ? -EAGAIN : n);
    }
    int len = (int)n;
    int count = 0;
    const struct nlmsghdr *nlh = s->buf;
    for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
        if (nlh->nlmsg_type == NLMSG_NOOP) {
            continue;
        }
        count++;
        if (cb) {
            int r = cb(nlh, data);
            if (r < 0) {
                return r;
            }
        }
    }
    return count;
}

/* ---- Pure helpers ---- */

uint16_t
oanl_attr_type(const struct nlattr *a)
{
    return a->nla_type & NLA_TYPE_MASK;
}

int
oanl_attr_walk(const void *start, size_t len, oanl_attr_cb cb, void *data)
{
    const uint8_t *p = start;
    while (len >= NLA_HDRLEN) {
        const struct nlattr *a = (const struct nlattr *)p;
        if (a->nla_len < NLA_HDRLEN || a->nla_len > len) {
            return -EBADMSG;
        }
        int r = cb(a, data);
        if (r < 0) {
            return r;
        }
        size_t step = NLA_ALIGN(a->nla_len);
        if (step >= len) {
            return 0;
        }
        p += step;
        len -= step;
    }
    /* Fewer bytes than a header left: a cut attribute. */
    return len ? -EBADMSG : 0;
}

int
oanl_attr_walk_msg(const struct nlmsghdr *nlh, size_t hdrlen, oanl_attr_cb cb,
                   void *data)
{
    size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);
    if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen) {
        return -EBADMSG;
    }
    if (nlh->nlmsg_len <= off) {
        return 0;
    }
    return oanl_attr_walk((const uint8_t *)nlh + off, nlh->nlmsg_len - off, cb,
                          data);
}

int
oanl_attr_walk_nested(const struct nlattr *a, oanl_attr_cb cb, void *data)
{
    return oanl_attr_walk((const uint8_t *)a + NLA_HDRLEN,
                          a->nla_len - NLA_HDRLEN, cb, data);
}

static size_t
payload_len(const struct nlattr *a)
{
    return a->nla_len - NLA_HDRLEN;
}

static const void *
payload(const struct nlattr *a)
{
    return (const uint8_t *)a + NLA_HDRLEN;
}

int
oanl_attr_struct(const struct nlattr *a, void *dst, size_t size)
{
    if (payload_len(a) < size) {
        return -EBADMSG;
    }
    memcpy(dst, payload(a), size);
    return 0;
}

int
oanl_attr_u8(const struct nlattr *a, uint8_t *v)
{
    return oanl_attr_struct(a, v, sizeof *v);
}

int
oanl_attr_u16(const struct nlattr *a, uint16_t *v)
{
    return oanl_attr_struct(a, v, sizeof *v);
}

int
oanl_attr_u32(const struct nlattr *a, uint32_t *v)
{
    return oanl_attr_struct(a, v, sizeof *v);
}

int
oanl_attr_u64(const struct nlattr *a, uint64_t *v)
{
    return oanl_attr_struct(a, v, sizeof *v);
}

int
oanl_attr_str(const struct nlattr *a, char *buf, size_t size)
{
    const char *p = payload(a);
    size_t n = strnlen(p, payload_len(a));
    if (n >= size) {
        return -EBADMSG;
    }
    memcpy(buf, p, n);
    buf[n] = '\0';
    return 0;
}

static int
extack_cb(const struct nlattr *a, void *data)
{
    struct oanl_extack *ext = data;
    if (oanl_attr_type(a) == NLMSGERR_ATTR_MSG && ext) {
        const char *p = payload(a);
        size_t n = strnlen(p, payload_len(a));
        if (n >= sizeof ext->msg) {
            n = sizeof ext->msg - 1; /* a long message is cut, not lost */
        }
        memcpy(ext->msg, p, n);
        ext->msg[n] = '\0';
    }
    return 0;
}

int
oanl_decode_error(const struct nlmsghdr *nlh, struct oanl_extack *ext)
{
    size_t len = nlh->nlmsg_len;
    const uint8_t *p = (const uint8_t *)nlh + NLMSG_HDRLEN;
    int error;
    size_t tlv_off;

    if (ext) {
        ext->msg[0] = '\0';
    }
    if (nlh->nlmsg_type == NLMSG_DONE) {
        if (len < NLMSG_HDRLEN + sizeof(int)) {
            return 0; /* old kernels send an empty DONE */
        }
        memcpy(&error, p, sizeof error);
        tlv_off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(int));
    } else {
        if (len < NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
            return -EBADMSG;
        }
        struct nlmsgerr e;
        memcpy(&e, p, sizeof e);
        error = e.error;
        tlv_off = NLMSG_HDRLEN + sizeof e;
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED)) {
            /* The whole request was echoed back: skip its payload. */
            if (e.msg.nlmsg_len < NLMSG_HDRLEN) {
                return -EBADMSG;
            }
            tlv_off += NLMSG_ALIGN(e.msg.nlmsg_len) - NLMSG_HDRLEN;
        }
    }
    if (error > 0) {
        error = -error; /* not the kernel's convention; be lenient */
    }
    if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && len > tlv_off) {
        int r = oanl_attr_walk((const uint8_t *)nlh + tlv_off, len - tlv_off,
                               extack_cb, ext);
        if (r < 0 && !error) {
            return r;
        }
    }
    return error;
}

struct nlmsghdr *
oanl_put_genl(void *buf, size_t len, uint16_t family, uint8_t cmd,
              uint8_t version, uint16_t flags)
{
    if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(struct genlmsghdr))) {
        return NULL;
    }
    /* All of it: libmnl 1.0.4 (Debian 12) leaves an attribute's padding
     * as the buffer had it, and those bytes go to the kernel
     * (valgrind: sendto points to uninitialised bytes). */
    memset(buf, 0, len);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = family;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof *g);
    g->cmd = cmd;
    g->version = version;
    return nlh;
}

int
oanl_encode_getfamily(void *buf, size_t len, const char *name)
{
    struct nlmsghdr *nlh =
        oanl_put_genl(buf, len, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
    if (!nlh ||
        !mnl_attr_put_strz_check(nlh, len, CTRL_ATTR_FAMILY_NAME, name)) {
        return -ENOSPC;
    }
    return (int)nlh->nlmsg_len;
}

static int
group_cb(const struct nlattr *a, void *data)
{
    struct oanl_genl_group *g = data;
    switch (oanl_attr_type(a)) {
    case CTRL_ATTR_MCAST_GRP_NAME:
        return oanl_attr_str(a, g->name, sizeof g->name);
    case CTRL_ATTR_MCAST_GRP_ID:
        return oanl_attr_u32(a, &g->id);
    }
    return 0;
}

static int
groups_cb(const struct nlattr *a, void *data)
{
    struct oanl_genl_family *f = data;
    struct oanl_genl_group g;
    memset(&g, 0, sizeof g);
    int r = oanl_attr_walk_nested(a, group_cb, &g);
    if (r < 0) {
        return r;
    }
    if (g.name[0] && f->n_groups < OANL_MAX_GROUPS) {
        f->groups[f->n_groups++] = g;
    }
    return 0;
}

static int
family_attr_cb(const struct nlattr *a, void *data)
{
    struct oanl_genl_family *f = data;
    switch (oanl_attr_type(a)) {
    case CTRL_ATTR_FAMILY_ID:
        return oanl_attr_u16(a, &f->id);
    case CTRL_ATTR_FAMILY_NAME:
        return oanl_attr_str(a, f->name, sizeof f->name);
    case CTRL_ATTR_VERSION:
        return oanl_attr_u32(a, &f->version);
    case CTRL_ATTR_MCAST_GROUPS:
        return oanl_attr_walk_nested(a, groups_cb, f);
    }
    return 0; /* ops, policies, newer attributes: not needed */
}

int
oanl_decode_family(const struct nlmsghdr *nlh, struct oanl_genl_family *f)
{
    memset(f, 0, sizeof *f);
    if (nlh->nlmsg_type != GENL_ID_CTRL) {
        return -EPROTO;
    }
    int r =
        oanl_attr_walk_msg(nlh, sizeof(struct genlmsghdr), family_attr_cb, f);
    if (r < 0) {
        return r;
    }
    return f->id ? 0 : -EBADMSG;
}

int
oanl_family_group(const struct oanl_genl_family *f, const char *name)
{
    for (size_t i = 0; i < f->n_groups; i++) {
        if (!strcmp(f->groups[i].name, name)) {
            return (int)f->groups[i].id;
        }
    }
    return -ENOENT;
}
