/* apply: carries out a plan's steps against the host (apply.h). Every
 * step reads the current value first and writes only what differs, so a
 * repeated plan changes nothing; the only wait (representors) is driven
 * by netlink events. */
#include "apply.h"

#include "hostio.h"
#include "obs.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/ethfeat.h"
#include "oa-netlink/link.h"
#include "oa-netlink/nlev.h"
#include "oa-netlink/repr.h"
#include "oa-netlink/sriov.h"
#include "offload/spec.h"
#include "plan.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include "oa-common/str.h"

#include <errno.h>
#include <limits.h>
#include <linux/devlink.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

/* What one apply_run() carries between steps. */
struct apply_ctx {
    struct hostio *io;
    const struct obs_host *host;
    const struct plan *plan;
    long long rep_timeout_ms;
    long long ovs_timeout_ms;
    /* Event sources, opened before the first step when the plan waits
     * for representors, so that no notification is missed. */
    struct nlev_source *ev[2];
    size_t n_ev;
    int ev_error; /* why they could not be opened */
    /* The OVS and detach transactions run at their first step; the later
     * steps of the same transaction report its outcome ('*_msg'). */
    bool ovs_done, detach_done;
    char ovs_msg[160], detach_msg[160];
    struct apply_result *res;
    /* Filled by the step that fails: the part after "<action> <object>: "
     * when the step has words of its own (else the errno says it), and
     * the kernel's extack. */
    char why[400];
    char extack[OA_ERR_EXTACK_MAX];
    /* For on_step: what the step did. */
    char msg[400];
};

static void __attribute__((format(printf, 2, 3)))
say(struct apply_ctx *c, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(c->msg, sizeof c->msg, fmt, args);
    va_end(args);
}

/* A failure that the errno and the kernel's extack say all about;
 * returns r. */
static int
fail(struct apply_ctx *c, int r, const struct oanl_extack *ext)
{
    c->why[0] = '\0';
    oa_copy_str(c->extack, sizeof c->extack, ext ? ext->msg : NULL);
    return r;
}

static int __attribute__((format(printf, 3, 4)))
fail_text(struct apply_ctx *c, int r, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(c->why, sizeof c->why, fmt, args);
    va_end(args);
    return r;
}

/* The observed PF a step is about, in '*pf'. A negative errno (and the
 * failure text) when the step names none that was found. */
static int
step_pf(struct apply_ctx *c, const struct plan_step *s,
        const struct obs_pf **pf)
{
    *pf = NULL;
    if (s->pf < 0 || (size_t)s->pf >= c->host->n_pfs) {
        return fail_text(c, -EINVAL,
                         "the step names no PF of the observation");
    }
    if (!c->host->pfs[s->pf].found) {
        const char *error = c->host->pfs[s->pf].error;
        return fail_text(c, -ENODEV, "%s", error[0] ? error : "PF not found");
    }
    *pf = &c->host->pfs[s->pf];
    return 0;
}

static int
pf_sysfs(struct apply_ctx *c, const struct obs_pf *pf, struct sriov_pf *dev)
{
    int r = sriov_pf_by_devlink(c->io->sysfs_root, pf->bus, pf->dev_name, dev);
    return r ? fail_text(c, r, "device %s/%s: %s", pf->bus, pf->dev_name,
                         strerror(-r))
             : 0;
}

static int
pf_devlink(struct apply_ctx *c, const struct obs_pf *pf,
           struct devlink_handle *h)
{
    if (!c->io->devlink) {
        return fail_text(c, -EOPNOTSUPP, "the kernel has no devlink");
    }
    if (!pf->has_devlink || devlink_handle_parse(pf->devlink, h)) {
        return fail_text(c, -ENODEV, "%s has no devlink instance", pf->netdev);
    }
    return 0;
}

/* ---- Kernel steps ----------------------------------------------------- */

static int
do_set_numvfs(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct sriov_pf dev;
    unsigned cur;
    int r = step_pf(c, s, &pf);
    if (r) {
        return r;
    }
    r = pf_sysfs(c, pf, &dev);
    if (r) {
        return r;
    }
    r = sriov_numvfs_get(&dev, &cur);
    if (r) {
        return fail(c, r, NULL);
    }
    if (cur == s->num) {
        say(c, "unchanged: %u VFs", cur);
        return 0;
    }
    /* Exactly what the planner asked: it goes through 0 itself (N -> M
     * is refused with EBUSY, and the planner must know it happened). */
    r = sriov_numvfs_write(&dev, s->num);
    if (r) {
        /* sysfs has no extack: say what was refused. */
        return fail_text(c, r, "%u -> %u VFs refused: %s", cur, s->num,
                         strerror(-r));
    }
    say(c, "%u -> %u VFs", cur, s->num);
    return 0;
}

static bool
eswitch_differs(const struct devlink_eswitch_state *st,
                const struct plan_step *s, struct devlink_eswitch_req *req)
{
    req->mode = -1;
    req->inline_mode = -1;
    req->encap_mode = -1;
    if (s->eswitch_mode >= 0 &&
        (!st->has_mode || st->mode != s->eswitch_mode)) {
        req->mode = s->eswitch_mode;
    }
    if (s->inline_mode >= 0 &&
        (!st->has_inline_mode || st->inline_mode != s->inline_mode)) {
        req->inline_mode = s->inline_mode;
    }
    if (s->encap_mode >= 0 &&
        (!st->has_encap_mode || st->encap_mode != s->encap_mode)) {
        req->encap_mode = s->encap_mode;
    }
    return req->mode >= 0 || req->inline_mode >= 0 || req->encap_mode >= 0;
}

static int
do_set_eswitch(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct devlink_handle h;
    struct devlink_eswitch_state st;
    struct devlink_eswitch_req req;
    struct oanl_extack ext = {""};
    int r = step_pf(c, s, &pf);
    if (r) {
        return r;
    }
    r = pf_devlink(c, pf, &h);
    if (r) {
        return r;
    }
    r = devlink_eswitch_get(c->io->devlink, &h, &st, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    if (!eswitch_differs(&st, s, &req)) {
        say(c, "unchanged: %s", devlink_eswitch_mode_name(st.mode));
        return 0;
    }
    /* The mode alone first, then inline/encap: the kernel applies them
     * in that order anyway, and a refusal of the mode must not be
     * mistaken for one of inline/encap (or the other way round). */
    struct devlink_eswitch_req mode_req = {req.mode, -1, -1};
    if (req.mode >= 0) {
        r = devlink_eswitch_set(c->io->devlink, &h, &mode_req, &ext);
        if (r) {
            struct sriov_pf dev;
            unsigned vfs;
            if (req.mode == DEVLINK_ESWITCH_MODE_SWITCHDEV &&
                !sriov_pf_by_devlink(c->io->sysfs_root, pf->bus, pf->dev_name,
                                     &dev) &&
                !sriov_numvfs_get(&dev, &vfs) && vfs == 0) {
                c->res->switchdev_refused_zero_vfs = true;
            }
            return fail(c, r, &ext);
        }
    }
    if (req.inline_mode >= 0 || req.encap_mode >= 0) {
        req.mode = -1;
        r = devlink_eswitch_set(c->io->devlink, &h, &req, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
    }
    if (mode_req.mode >= 0) {
        say(c, "%s -> %s",
            st.has_mode ? devlink_eswitch_mode_name(st.mode) : "?",
            devlink_eswitch_mode_name(mode_req.mode));
    } else {
        say(c, "inline/encap mode set");
    }
    return 0;
}

static int
do_unbind_vf(struct apply_ctx *c, const struct plan_step *s)
{
    char drv[64];
    int r = sriov_dev_driver(c->io->sysfs_root, s->pci, drv, sizeof drv);
    if (r < 0) {
        return fail(c, r, NULL);
    }
    if (r == 0) {
        say(c, "unchanged: %s not bound", s->pci);
        return 0;
    }
    r = sriov_dev_unbind(c->io->sysfs_root, s->pci);
    if (r) {
        return fail(c, r, NULL);
    }
    say(c, "%s unbound from %s", s->pci, drv);
    return 0;
}

static int
do_bind_vf(struct apply_ctx *c, const struct plan_step *s)
{
    const char *root = c->io->sysfs_root;
    char drv[64], over[64];
    int r = sriov_dev_driver(root, s->pci, drv, sizeof drv);
    if (r < 0) {
        return fail(c, r, NULL);
    }
    if (r == 1 && !strcmp(drv, s->driver)) {
        say(c, "unchanged: %s bound to %s", s->pci, drv);
        return 0;
    }
    if (r == 1) {
        /* Bound to another driver: the spec names this one. */
        r = sriov_dev_unbind(root, s->pci);
        if (r) {
            return fail(c, r, NULL);
        }
    }
    /* driver_override makes the bind stick even where the driver's id
     * table does not list the VF, and keeps other drivers off it. */
    if (sriov_dev_get_override(root, s->pci, over, sizeof over) != 1 ||
        strcmp(over, s->driver)) {
        r = sriov_dev_set_override(root, s->pci, s->driver);
        if (r) {
            return fail(c, r, NULL);
        }
    }
    r = sriov_dev_bind(root, s->pci, s->driver);
    if (r) {
        return fail(c, r, NULL);
    }
    say(c, "%s bound to %s", s->pci, s->driver);
    return 0;
}

static int
do_set_vf(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct oanl_extack ext = {""};
    struct oa_link *link;
    int r = step_pf(c, s, &pf);
    if (r) {
        return r;
    }
    if (s->vf < 0) {
        return fail_text(c, -EINVAL, "the step names no VF");
    }
    r = oa_link_get_by_index(c->io->link, pf->ifindex, &link, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    const struct oa_link_vf *cur = oa_link_vf_find(link, (uint32_t)s->vf);
    const struct plan_vf_req *w = &s->vf_req;
    struct oa_link_vf_req req;
    bool change = false;
    char what[160] = "";
    size_t len = 0;

    oa_link_vf_req_init(&req, (uint32_t)s->vf);
    if (w->has_mac && (!cur || memcmp(cur->mac, w->mac, 6))) {
        char mac[18];
        req.mac = w->mac;
        change = true;
        len += (size_t)snprintf(what + len, sizeof what - len, " mac %s",
                                spec_mac_to_string(w->mac, mac));
    }
    if (w->vlan >= 0 && (!cur || cur->vlan != (uint32_t)w->vlan)) {
        req.vlan = w->vlan;
        req.qos = 0;
        change = true;
        len += (size_t)snprintf(what + len, sizeof what - len, " vlan %d",
                                w->vlan);
    }
    if (w->trust >= 0 &&
        (!cur || !cur->has_trust || cur->trust != (w->trust != 0))) {
        req.trust = w->trust != 0;
        change = true;
        len += (size_t)snprintf(what + len, sizeof what - len, " trust %s",
                                w->trust ? "on" : "off");
    }
    if (w->spoofchk >= 0 &&
        (!cur || !cur->has_spoofchk || cur->spoofchk != (w->spoofchk != 0))) {
        req.spoofchk = w->spoofchk != 0;
        change = true;
        snprintf(what + len, sizeof what - len, " spoofchk %s",
                 w->spoofchk ? "on" : "off");
    }
    oa_link_destroy(link);
    if (!change) {
        say(c, "unchanged: VF %d", s->vf);
        return 0;
    }
    r = oa_link_set_vf(c->io->link, pf->ifindex, &req, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "VF %d:%s", s->vf, what);
    return 0;
}

/* Representors of 'pf' with a netdev, by identity. */
static int
resolve_reps(struct apply_ctx *c, const struct obs_pf *pf,
             struct repr_entry **reps, size_t *n, struct oanl_extack *ext)
{
    struct devlink_handle h;
    struct repr_query q = {NULL, pf->ifindex, -1};
    if (pf->has_devlink && !devlink_handle_parse(pf->devlink, &h)) {
        q.devlink = &h;
    }
    return repr_resolve(c->io->devlink, c->io->link, &q, reps, n, ext);
}

static size_t
count_reps(const struct repr_entry *reps, size_t n, unsigned below)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        count += reps[i].vf < below;
    }
    return count;
}

static int
do_wait_representors(struct apply_ctx *c, const struct plan_step *s)
{
    const struct obs_pf *pf;
    struct oanl_extack ext = {""};
    int r = step_pf(c, s, &pf);
    if (r) {
        return r;
    }
    if (!c->n_ev) {
        return fail_text(c, c->ev_error ? c->ev_error : -ENOTCONN,
                         "cannot watch netlink events: %s",
                         strerror(c->ev_error ? -c->ev_error : ENOTCONN));
    }
    long long start = vsdb_time_msec();
    long long deadline = start + c->rep_timeout_ms;
    size_t have = 0;
    for (;;) {
        struct repr_entry *reps;
        size_t n;
        r = resolve_reps(c, pf, &reps, &n, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
        have = count_reps(reps, n, s->num);
        free(reps);
        if (have >= s->num) {
            break;
        }
        long long left = deadline - vsdb_time_msec();
        if (left <= 0) {
            return fail_text(c, -ETIMEDOUT,
                             "%zu of %u representors of %s appeared within "
                             "%lld s",
                             have, s->num, pf->netdev,
                             (c->rep_timeout_ms + 999) / 1000);
        }
        struct pollfd fds[2];
        for (size_t i = 0; i < c->n_ev; i++) {
            fds[i].fd = nlev_fd(c->ev[i]);
            fds[i].events = POLLIN;
            fds[i].revents = 0;
        }
        r = poll(fds, c->n_ev, left > INT_MAX ? INT_MAX : (int)left);
        if (r < 0 && errno != EINTR) {
            return fail(c, -errno, NULL);
        }
        /* Drain everything pending, then look once for the batch. */
        for (size_t i = 0; i < c->n_ev; i++) {
            struct nlev_summary sum = {0};
            r = nlev_drain(c->ev[i], &sum);
            if (r < 0) {
                return fail_text(c, r, "reading netlink events: %s",
                                 strerror(-r));
            }
        }
    }
    /* Never "unchanged": a wait writes nothing either way. */
    say(c, "%zu of %u representors of %s present after %lld ms", have, s->num,
        pf->netdev, vsdb_time_msec() - start);
    return 0;
}

static int
do_set_hw_tc_offload(struct apply_ctx *c, const struct plan_step *s)
{
    struct oanl_extack ext = {""};
    char netdev[16];
    snprintf(netdev, sizeof netdev, "%s", s->netdev);
    if (!netdev[0]) {
        say(c, "skipped: the representor has no netdev yet (next round)");
        return 1;
    }
    if (s->vf >= 0 && s->pf >= 0) {
        /* A representor: its name may have changed when this apply
         * recreated the VFs. Find it again by identity. */
        const struct obs_pf *pf;
        struct repr_entry *reps;
        size_t n;
        int r = step_pf(c, s, &pf);
        if (r) {
            return r;
        }
        r = resolve_reps(c, pf, &reps, &n, &ext);
        if (r) {
            return fail(c, r, &ext);
        }
        const struct repr_entry *e = repr_find(reps, n, (uint32_t)s->vf);
        if (e) {
            snprintf(netdev, sizeof netdev, "%s", e->netdev);
        }
        free(reps);
        if (!e) {
            say(c, "skipped: VF %d has no representor now (next round)",
                s->vf);
            return 1;
        }
    }
    if (!c->io->ethfeat) {
        return fail_text(c, -ENOTCONN, "no ethtool handle");
    }
    struct ethfeat_state st;
    int r =
        ethfeat_get(c->io->ethfeat, netdev, ETHFEAT_HW_TC_OFFLOAD, &st, &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    if (st.active == s->on) {
        say(c, "unchanged: %s hw-tc-offload %s", netdev, s->on ? "on" : "off");
        return 0;
    }
    r = ethfeat_set(c->io->ethfeat, netdev, ETHFEAT_HW_TC_OFFLOAD, s->on,
                    &ext);
    if (r) {
        return fail(c, r, &ext);
    }
    say(c, "%s hw-tc-offload %s", netdev, s->on ? "on" : "off");
    return 0;
}

/* ---- OVS steps -------------------------------------------------------- */

/* One transaction for 'want'; then, when an ovs-vswitchd runs, waits
 * until it has applied it (ports get their ofport). */
static int
commit_want(struct apply_ctx *c, const struct vsdb_want *want)
{
    struct vsdb *db = c->io->vsdb;
    bool committed = false;
    int64_t next_cfg = 0;
    if (!db) {
        return fail_text(c, -ENOTCONN, "no OVSDB client");
    }
    int r =
        vsdb_commit_block(db, want, c->ovs_timeout_ms, &committed, &next_cfg);
    if (r == -EPROTO) {
        const char *error = NULL;
        vsdb_txn_status(db, NULL, &error);
        return fail_text(c, r, "%s (ovsdb: %s)", strerror(-r),
                         error ? error : "no reason given");
    } else if (r == -ETIMEDOUT) {
        return fail_text(c, r, "no answer from OVSDB %s within %lld ms",
                         c->io->ovs_remote ? c->io->ovs_remote : "",
                         c->ovs_timeout_ms);
    } else if (r) {
        return fail(c, r, NULL);
    }
    if (!committed) {
        say(c, "unchanged: OVSDB already as wanted");
        return 0;
    }
    char *id;
    if (vsdb_vswitchd_identity(c->io->vswitchd_pidfile, c->io->proc_root,
                               &id)) {
        say(c, "committed (next_cfg %lld; no ovs-vswitchd runs)",
            (long long)next_cfg);
        return 0;
    }
    free(id);
    r = vsdb_wait_applied_block(db, next_cfg, c->ovs_timeout_ms);
    if (r) {
        return fail_text(c, r,
                         "committed, but ovs-vswitchd did not apply "
                         "next_cfg %lld within %lld ms",
                         (long long)next_cfg, c->ovs_timeout_ms);
    }
    say(c, "committed, applied by ovs-vswitchd (cfg %lld)",
        (long long)next_cfg);
    return 0;
}

static int
do_detach_port(struct apply_ctx *c, const struct plan_step *s)
{
    (void)s;
    if (c->detach_done) {
        say(c, "%s", c->detach_msg);
        return 0;
    }
    if (!c->plan->has_detach) {
        return fail_text(c, -EINVAL, "the plan has no detach transaction");
    }
    c->detach_done = true;
    int r = commit_want(c, &c->plan->detach_want);
    snprintf(c->detach_msg, sizeof c->detach_msg, "%s (same transaction)",
             c->msg);
    return r;
}

static int
do_ovs(struct apply_ctx *c, const struct plan_step *s)
{
    if (s->action == PLAN_OVS_ADD_PORT && !s->port[0]) {
        say(c, "skipped: the representor has no netdev yet (next round)");
        return 1;
    }
    if (c->ovs_done) {
        say(c, "%s", c->ovs_msg);
        return 0;
    }
    if (!c->plan->has_ovs) {
        return fail_text(c, -EINVAL, "the plan has no OVSDB transaction");
    }
    c->ovs_done = true;
    int r = commit_want(c, &c->plan->want);
    snprintf(c->ovs_msg, sizeof c->ovs_msg, "%s (same transaction)", c->msg);
    return r;
}

/* Waits (bounded) until the ovs-vswitchd identity differs from 'old':
 * woken by the pidfile's directory changing, re-checked at least every
 * 100 ms (a process can start and exit without the pidfile moving). */
static int
wait_vswitchd_changed(struct apply_ctx *c, const char *old)
{
    const char *pidfile = c->io->vswitchd_pidfile ? c->io->vswitchd_pidfile
                                                  : VSDB_VSWITCHD_PIDFILE;
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
    long long deadline = vsdb_time_msec() + c->ovs_timeout_ms;
    int r = -ETIMEDOUT;
    for (;;) {
        char *id;
        if (!vsdb_vswitchd_identity(pidfile, c->io->proc_root, &id)) {
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
        if (in >= 0) {
            struct pollfd p = {in, POLLIN, 0};
            char buf[4096];
            if (poll(&p, 1, left < 100 ? (int)left : 100) > 0) {
                while (read(in, buf, sizeof buf) > 0) {
                }
            }
        } else {
            struct timespec ts = {0, 100 * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    if (in >= 0) {
        close(in);
    }
    return r;
}

static int
do_restart_vswitchd(struct apply_ctx *c, const struct plan_step *s)
{
    (void)s;
    char *old = NULL, *error = NULL;
    if (vsdb_vswitchd_identity(c->io->vswitchd_pidfile, c->io->proc_root,
                               &old)) {
        old = NULL;
    }
    int r = vsdb_systemd_restart_unit(NULL, &error);
    if (r) {
        fail_text(c, r, "%s (systemd: %s)", strerror(-r),
                  error ? error : "no reason given");
        free(old);
        free(error);
        return r;
    }
    r = wait_vswitchd_changed(c, old);
    free(old);
    if (r) {
        return fail_text(c, r,
                         "restart of %s queued, but no new ovs-vswitchd "
                         "within %lld ms",
                         VSDB_VSWITCHD_UNIT, c->ovs_timeout_ms);
    }
    say(c, "ovs-vswitchd restarted");
    return 0;
}

/* ---- The run ---------------------------------------------------------- */

/* Returns 0 when done, 1 when skipped, or a negative errno. */
static int
do_step(struct apply_ctx *c, const struct plan_step *s)
{
    switch (s->action) {
    case PLAN_DETACH_PORT:
        return do_detach_port(c, s);
    case PLAN_SET_NUMVFS:
        return do_set_numvfs(c, s);
    case PLAN_UNBIND_VF:
        return do_unbind_vf(c, s);
    case PLAN_SET_ESWITCH:
        return do_set_eswitch(c, s);
    case PLAN_WAIT_REPRESENTORS:
        return do_wait_representors(c, s);
    case PLAN_SET_VF:
        return do_set_vf(c, s);
    case PLAN_BIND_VF:
        return do_bind_vf(c, s);
    case PLAN_SET_HW_TC_OFFLOAD:
        return do_set_hw_tc_offload(c, s);
    case PLAN_RESTART_VSWITCHD:
        return do_restart_vswitchd(c, s);
    case PLAN_OVS_ADD_BRIDGE:
    case PLAN_OVS_ADD_PORT:
    case PLAN_OVS_MOVE_PORT:
    case PLAN_OVS_DEL_PORT:
    case PLAN_OVS_SET_CONFIG:
    case PLAN_OVS_DEL_CONFIG:
    case PLAN_OVS_SET_EXTERNAL_ID:
    case PLAN_OVS_DEL_EXTERNAL_ID:
        return do_ovs(c, s);
    }
    return fail_text(c, -EINVAL, "unknown action %d", (int)s->action);
}

static void
open_events(struct apply_ctx *c)
{
    bool waits = false;
    for (size_t i = 0; i < c->plan->n_steps && !waits; i++) {
        waits = c->plan->steps[i].action == PLAN_WAIT_REPRESENTORS;
    }
    if (!waits) {
        return;
    }
    int r = nlev_open(NLEV_LINK, &c->ev[c->n_ev]);
    if (r) {
        c->ev_error = r;
        return;
    }
    c->n_ev++;
    /* Without devlink, representors are found by link identity alone:
     * link events are enough. */
    if (c->io->devlink && !nlev_open(NLEV_DEVLINK, &c->ev[c->n_ev])) {
        c->n_ev++;
    }
}

int
apply_run(struct hostio *io, const struct spec *spec,
          const struct obs_host *host, const struct plan *plan,
          const struct apply_opts *opts, struct apply_result *res)
{
    (void)spec;
    struct apply_ctx c = {
        .io = io,
        .host = host,
        .plan = plan,
        .rep_timeout_ms =
            opts && opts->rep_timeout_ms > 0 ? opts->rep_timeout_ms : 10000,
        .ovs_timeout_ms =
            opts && opts->ovs_timeout_ms > 0 ? opts->ovs_timeout_ms : 10000,
        .res = res,
    };
    int r = 0;

    memset(res, 0, sizeof *res);
    res->failed_step = -1;
    open_events(&c);
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        char failure[OA_ERR_FORMAT_MAX];
        c.msg[0] = '\0';
        c.why[0] = '\0';
        c.extack[0] = '\0';
        r = do_step(&c, s);
        if (r < 0) {
            oa_err_set_extack(&res->err, r, c.extack, "%s %s%s%s",
                              plan_action_name(s->action), s->object,
                              c.why[0] ? ": " : "", c.why);
            oa_err_format(&res->err, failure, sizeof failure);
            res->failed_step = (int)i;
        } else if (r == 0) {
            res->n_done++;
        }
        if (opts && opts->on_step) {
            opts->on_step(s, r < 0 ? r : 0, r < 0 ? failure : c.msg,
                          opts->aux);
        }
        if (r < 0) {
            break;
        }
        r = 0;
    }
    for (size_t i = 0; i < c.n_ev; i++) {
        nlev_close(c.ev[i]);
    }
    return r;
}
