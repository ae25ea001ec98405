/* hostcheck: a host spec checked against this host, from an observation
 * (hostcheck.h). Nothing here touches the host. */
#include "hostcheck.h"

#include "jw.h"
#include "obs.h"
#include "vsdb.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The driver's known refusals ----------------------------------------
 *
 * What a driver is known to refuse, keyed by the driver devlink info
 * names, that the observation can tell in advance. One row per refusal:
 * the spec key it is about, the value it applies to (NULL: any), when it
 * applies (what the host must look like), how bad it is, and what the
 * operator should know. A row is only worth having when it says more
 * than the generic checks below: keep the table small and cite the
 * driver's message. */

enum refusal_when {
    /* The steering mode differs from the observed one while the
     * eswitch is in switchdev now. */
    WHEN_STEERING_CHANGE_IN_SWITCHDEV,
    /* An inline mode other than the observed "none". */
    WHEN_INLINE_FROM_NONE,
};

struct known_refusal {
    const char *driver;
    const char *key;   /* the spec key: the finding's path */
    const char *value; /* the spec value it applies to; NULL: any */
    enum refusal_when when;
    enum hostcheck_severity severity;
    const char *message;
};

static const struct known_refusal known_refusals[] = {
    /* mlx5_devlink_fs_mode_validate (devlink.c): the agent sets the param
     * in legacy with 0 VFs, so it works, at the price of the VFs. */
    {"mlx5_core", "steering_mode", "smfs", WHEN_STEERING_CHANGE_IN_SWITCHDEV,
     HOSTCHECK_WARNING,
     "mlx5_core refuses smfs while the eswitch is in switchdev (\"Software "
     "managed steering is not supported when eswitch offloads enabled\"): "
     "apply sets it in legacy with 0 VFs, so this PF's VFs go away and come "
     "back"},
    /* mlx5_devlink_eswitch_inline_mode_set (eswitch_offloads.c): devices
     * that need no inline headers (ConnectX-5 and later) start at
     * "none" and take no other. */
    {"mlx5_core", "inline_mode", NULL, WHEN_INLINE_FROM_NONE,
     HOSTCHECK_WARNING,
     "mlx5_core reports inline mode none, as on devices that need no inline "
     "headers (ConnectX-5 and later), and refuses any other there "
     "(\"Inline mode can't be set\"): leave inline_mode out or set none"},
};

/* ---- Findings -------------------------------------------------------- */

static const char *const check_names[] = {
    [HOSTCHECK_PF] = "pf",
    [HOSTCHECK_NUM_VFS] = "num-vfs",
    [HOSTCHECK_ESWITCH] = "eswitch",
    [HOSTCHECK_INLINE_MODE] = "inline-mode",
    [HOSTCHECK_ENCAP_MODE] = "encap-mode",
    [HOSTCHECK_STEERING_MODE] = "steering-mode",
    [HOSTCHECK_DRIVER] = "driver",
    [HOSTCHECK_BRIDGE] = "bridge",
    [HOSTCHECK_OVSDB] = "ovsdb",
};

const char *
hostcheck_check_name(enum hostcheck_check check)
{
    return (unsigned)check < sizeof check_names / sizeof check_names[0]
               ? check_names[check]
               : "?";
}

const char *
hostcheck_severity_name(enum hostcheck_severity severity)
{
    return severity == HOSTCHECK_WARNING ? "warning" : "error";
}

void
hostcheck_findings_clear(struct hostcheck_findings *f)
{
    if (f) {
        free(f->v);
        memset(f, 0, sizeof *f);
    }
}

/* Where a finding points: a path and the position of its value. */
struct where {
    char path[64];
    struct spec_pos pos;
};

static int add(struct hostcheck_findings *f, enum hostcheck_severity severity,
               enum hostcheck_check check, const struct where *w,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
add(struct hostcheck_findings *f, enum hostcheck_severity severity,
    enum hostcheck_check check, const struct where *w, const char *fmt, ...)
{
    struct hostcheck_finding *v = realloc(f->v, (f->n + 1) * sizeof *v);
    if (!v) {
        return -ENOMEM;
    }
    f->v = v;
    struct hostcheck_finding *x = &v[f->n++];
    memset(x, 0, sizeof *x);
    x->seq = f->n - 1;
    x->severity = severity;
    x->check = check;
    x->pos = w->pos;
    snprintf(x->path, sizeof x->path, "%s", w->path);
    va_list args;
    va_start(args, fmt);
    vsnprintf(x->message, sizeof x->message, fmt, args);
    va_end(args);
    if (severity == HOSTCHECK_ERROR) {
        f->n_errors++;
    } else {
        f->n_warnings++;
    }
    return 0;
}

/* $.pfs[i].KEY at the key's value when the file has it, else $.pfs[i]
 * at the PF's brace (a default: the key is not written). */
static struct where
pf_where(const struct spec_pf *sp, size_t i, const char *key,
         struct spec_pos key_pos)
{
    struct where w;
    if (key && key_pos.line) {
        snprintf(w.path, sizeof w.path, "$.pfs[%zu].%s", i, key);
        w.pos = key_pos;
    } else {
        snprintf(w.path, sizeof w.path, "$.pfs[%zu]", i);
        w.pos = sp->pos;
    }
    return w;
}

/* ---- The PF checks --------------------------------------------------- */

static bool
refusal_applies(const struct known_refusal *k, const struct spec_pf *sp,
                const struct obs_pf *op)
{
    const char *want = NULL;
    if (!strcmp(k->key, "steering_mode")) {
        want = spec_steering_mode_name(sp->steering_mode);
    } else if (!strcmp(k->key, "inline_mode")) {
        want = spec_inline_mode_name(sp->inline_mode);
    }
    if (!want || strcmp(op->driver, k->driver) ||
        (k->value && strcmp(want, k->value))) {
        return false;
    }
    switch (k->when) {
    case WHEN_STEERING_CHANGE_IN_SWITCHDEV:
        return op->has_eswitch &&
               op->eswitch_mode == DEVLINK_ESWITCH_MODE_SWITCHDEV &&
               op->has_steering && strcmp(op->steering, want);
    case WHEN_INLINE_FROM_NONE:
        return op->has_inline_mode &&
               op->inline_mode == DEVLINK_ESWITCH_INLINE_MODE_NONE &&
               sp->inline_mode != SPEC_INLINE_NONE;
    }
    return false;
}

static struct spec_pos
key_pos(const struct spec_pf *sp, const char *key)
{
    const struct spec_pf_field_pos *fp = &sp->field_pos;
    return !strcmp(key, "steering_mode") ? fp->steering_mode
           : !strcmp(key, "inline_mode") ? fp->inline_mode
           : !strcmp(key, "encap_mode")  ? fp->encap_mode
                                         : sp->pos;
}

static int
check_refusals(const struct spec_pf *sp, size_t i, const struct obs_pf *op,
               struct hostcheck_findings *f)
{
    for (size_t k = 0; k < sizeof known_refusals / sizeof known_refusals[0];
         k++) {
        const struct known_refusal *r = &known_refusals[k];
        if (refusal_applies(r, sp, op)) {
            struct where w = pf_where(sp, i, r->key, key_pos(sp, r->key));
            if (add(f, r->severity, HOSTCHECK_DRIVER, &w, "%s", r->message)) {
                return -ENOMEM;
            }
        }
    }
    return 0;
}

/* The eswitch, its inline and encap modes, the steering param. */
static int
check_devlink(const struct spec_pf *sp, size_t i, const struct obs_pf *op,
              struct hostcheck_findings *f)
{
    const struct spec_pf_field_pos *fp = &sp->field_pos;
    const char *inl = spec_inline_mode_name(sp->inline_mode);
    const char *encap = spec_encap_mode_name(sp->encap_mode);
    const char *steering = spec_steering_mode_name(sp->steering_mode);
    const char *why = op->has_devlink ? "devlink does not answer eswitch get "
                                        "for this device"
                                      : "the device has no devlink instance";
    struct where w;
    int r = 0;

    if (!op->has_eswitch &&
        (sp->eswitch == SPEC_ESWITCH_SWITCHDEV || inl || encap)) {
        w = pf_where(sp, i, "eswitch", fp->eswitch);
        r |= add(f, HOSTCHECK_ERROR, HOSTCHECK_ESWITCH, &w,
                 "eswitch %s asked, but %s: its eswitch cannot be set",
                 spec_eswitch_mode_name(sp->eswitch), why);
    }
    if (op->has_eswitch && inl && !op->has_inline_mode) {
        w = pf_where(sp, i, "inline_mode", fp->inline_mode);
        r |= add(f, HOSTCHECK_ERROR, HOSTCHECK_INLINE_MODE, &w,
                 "inline_mode %s asked, but %s's eswitch reports no inline "
                 "mode: its driver has none to set (devlink refuses the "
                 "set with EOPNOTSUPP)",
                 inl, op->devlink);
    }
    if (op->has_eswitch && encap && !op->has_encap_mode) {
        w = pf_where(sp, i, "encap_mode", fp->encap_mode);
        r |= add(f, HOSTCHECK_ERROR, HOSTCHECK_ENCAP_MODE, &w,
                 "encap_mode %s asked, but %s's eswitch reports no encap "
                 "mode: its driver has none to set (devlink refuses the "
                 "set with EOPNOTSUPP)",
                 encap, op->devlink);
    }
    if (steering && !op->has_steering) {
        w = pf_where(sp, i, "steering_mode", fp->steering_mode);
        r |= add(f, HOSTCHECK_ERROR, HOSTCHECK_STEERING_MODE, &w,
                 "steering_mode %s asked, but %s", steering,
                 op->has_devlink ? "the device has no devlink param "
                                   "" OBS_STEERING_PARAM
                                 : "the device has no devlink instance");
    }
    return r ? -ENOMEM : check_refusals(sp, i, op, f);
}

static int
check_pf(const struct spec_pf *sp, size_t i, const struct obs_pf *op,
         struct hostcheck_findings *f)
{
    struct where w;

    if (!op->found) {
        /* obs says which: no such netdev or device, or no sriov_numvfs. */
        w = pf_where(sp, i, spec_pf_key_name(sp->key), sp->field_pos.id);
        if (add(f, HOSTCHECK_ERROR, HOSTCHECK_PF, &w,
                "PF %s cannot be configured on this host: %s", sp->id,
                op->error[0] ? op->error : "not found")) {
            return -ENOMEM;
        }
    }
    if (op->has_total_vfs && sp->num_vfs > op->total_vfs) {
        /* Also for a device that is there but unusable: one more thing
         * to fix, known now. */
        char dev[100];
        snprintf(dev, sizeof dev, "%s%s%s", op->bus, op->bus[0] ? "/" : "",
                 op->dev_name[0] ? op->dev_name : sp->id);
        w = pf_where(sp, i, "num_vfs", sp->field_pos.num_vfs);
        if (add(f, HOSTCHECK_ERROR, HOSTCHECK_NUM_VFS, &w,
                "num_vfs %u is more than the device supports: "
                "sriov_totalvfs of %s is %u",
                sp->num_vfs, dev, op->total_vfs)) {
            return -ENOMEM;
        }
    }
    return op->found ? check_devlink(sp, i, op, f) : 0;
}

/* ---- Bridges --------------------------------------------------------- */

static int
check_bridge(const struct spec *spec, size_t i, const struct obs_host *host,
             bool netdev, struct hostcheck_findings *f)
{
    const struct spec_bridge *sb = &spec->bridges[i];
    const struct vsdb_state *st =
        host->ovs.connected && host->ovs.state && host->ovs.state->ready
            ? host->ovs.state
            : NULL;
    struct where w = {.pos = sb->pos};

    snprintf(w.path, sizeof w.path, "$.bridges[%zu]", i);
    if (!st) {
        return !netdev ? 0
                       : add(f, HOSTCHECK_WARNING, HOSTCHECK_BRIDGE, &w,
                             "a netdev named %s exists, and without OVSDB it "
                             "cannot be told whether it is an OVS bridge",
                             sb->name);
    }
    const struct vsdb_bridge *b = vsdb_state_bridge(st, sb->name);
    if (b && !b->owned) {
        return add(f, HOSTCHECK_WARNING, HOSTCHECK_BRIDGE, &w,
                   "OVS bridge %s exists and was not created by the agent "
                   "(no external_ids:" VSDB_OWNED_KEY "): the agent adds "
                   "its ports to it and never removes the bridge",
                   sb->name);
    }
    if (!b && netdev) {
        return add(f, HOSTCHECK_ERROR, HOSTCHECK_BRIDGE, &w,
                   "a netdev named %s exists and is not an OVS bridge: "
                   "ovs-vswitchd could not create the bridge's own port",
                   sb->name);
    }
    return 0;
}

static int
check_ovs(const struct spec *spec, const struct obs_host *host,
          const bool *bridge_netdev, struct hostcheck_findings *f)
{
    if (!host->ovs.connected && spec->n_bridges) {
        struct where w = {.path = "$.ovs", .pos = spec->ovs.pos};
        if (add(f, HOSTCHECK_WARNING, HOSTCHECK_OVSDB, &w,
                "OVSDB %s did not answer: the bridges are checked against "
                "the netdevs only",
                spec->ovs.db ? spec->ovs.db : SPEC_DEFAULT_OVS_DB)) {
            return -ENOMEM;
        }
    }
    for (size_t i = 0; i < spec->n_bridges; i++) {
        if (check_bridge(spec, i, host, bridge_netdev && bridge_netdev[i],
                         f)) {
            return -ENOMEM;
        }
    }
    return 0;
}

/* File order, as validate sorts its errors; ties keep the order of the
 * checks (their sequence number breaks them: qsort is not stable). */
static int
cmp_pos(const void *a_, const void *b_)
{
    const struct hostcheck_finding *a = a_, *b = b_;
    if (a->pos.line != b->pos.line) {
        return a->pos.line < b->pos.line ? -1 : 1;
    }
    if (a->pos.col != b->pos.col) {
        return a->pos.col < b->pos.col ? -1 : 1;
    }
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

int
hostcheck_run(const struct spec *spec, const struct obs_host *host,
              const bool *bridge_netdev, struct hostcheck_findings *out)
{
    for (size_t i = 0; i < spec->n_pfs && i < host->n_pfs; i++) {
        if (check_pf(&spec->pfs[i], i, &host->pfs[i], out)) {
            return -ENOMEM;
        }
    }
    if (check_ovs(spec, host, bridge_netdev, out)) {
        return -ENOMEM;
    }
    if (out->n) {
        qsort(out->v, out->n, sizeof *out->v, cmp_pos);
    }
    return 0;
}

/* ---- Output ---------------------------------------------------------- */

char *
hostcheck_format(const struct spec *spec, const struct hostcheck_finding *f)
{
    const char *file = spec->file ? spec->file : "-";
    const char *warn = f->severity == HOSTCHECK_WARNING ? "warning: " : "";
    int n = snprintf(NULL, 0, "%s:%u:%u: %s: %s%s", file, f->pos.line,
                     f->pos.col, f->path, warn, f->message);
    char *s = n < 0 ? NULL : malloc((size_t)n + 1);
    if (s) {
        snprintf(s, (size_t)n + 1, "%s:%u:%u: %s: %s%s", file, f->pos.line,
                 f->pos.col, f->path, warn, f->message);
    }
    return s;
}

char *
hostcheck_to_json(const struct spec *spec, const struct hostcheck_findings *f,
                  bool pretty)
{
    struct jw *jw = jw_create(pretty);
    if (!jw) {
        return NULL;
    }
    jw_object_begin(jw);
    jw_key(jw, "file");
    jw_string(jw, spec->file);
    jw_key(jw, "valid");
    jw_bool(jw, f->n_errors == 0);
    jw_key(jw, "errors");
    jw_int(jw, (int64_t)f->n_errors);
    jw_key(jw, "warnings");
    jw_int(jw, (int64_t)f->n_warnings);
    jw_key(jw, "findings");
    jw_array_begin(jw);
    for (size_t i = 0; i < f->n; i++) {
        const struct hostcheck_finding *x = &f->v[i];
        jw_object_begin(jw);
        jw_key(jw, "severity");
        jw_string(jw, hostcheck_severity_name(x->severity));
        jw_key(jw, "check");
        jw_string(jw, hostcheck_check_name(x->check));
        jw_key(jw, "line");
        jw_int(jw, x->pos.line);
        jw_key(jw, "col");
        jw_int(jw, x->pos.col);
        jw_key(jw, "path");
        jw_string(jw, x->path);
        jw_key(jw, "message");
        jw_string(jw, x->message);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_object_end(jw);
    return jw_finish(jw);
}
