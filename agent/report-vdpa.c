/* report-vdpa: see report-vdpa.h. */
#include "report-vdpa.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "jw.h"
#include "oa-common/str.h"
#include "oa-netlink/vdpa.h"
#include "obs-vdpa.h"
#include "obs.h"
#include "offload/spec.h"

void
report_vdpa_fill(struct report_vdpa *out, const struct spec_pf *spf,
                 unsigned vf, const struct obs_host *host)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; spf && i < spf->n_vfs; i++) {
        const struct spec_vf *sv = &spf->vfs[i];
        if (sv->index == vf && sv->vdpa.driver != SPEC_VDPA_NONE &&
            !spec_vdpa_name(spf, sv, out->name)) {
            out->wanted = true;
        }
    }
    const struct obs_vdpa_dev *d =
        out->wanted ? obs_vdpa_find(host->vdpa, out->name) : NULL;
    if (!d) {
        return;
    }
    out->exists = true;
    oa_copy_str(out->mgmtdev, sizeof out->mgmtdev, d->mgmtdev);
    oa_copy_str(out->driver, sizeof out->driver, d->driver);
    oa_copy_str(out->chardev, sizeof out->chardev, d->chardev);
    oa_copy_str(out->netdev, sizeof out->netdev, d->netdev);
    out->has_max_vqp = d->has_max_vqp;
    out->max_vqp = d->max_vqp;
    out->vqp_refused = d->vqp_refused;
    out->has_negotiated = d->has_negotiated;
    out->negotiated = d->negotiated;
}

const char *
report_vdpa_mode(const struct report_vdpa *v)
{
    if (!v->has_negotiated) {
        return NULL;
    }
    return vdpa_features_modern(v->negotiated) ? "modern" : "legacy";
}

static void
str_or_null(struct jw *jw, const char *key, const char *s)
{
    jw_key(jw, key);
    if (s && s[0]) {
        jw_string(jw, s);
    } else {
        jw_null(jw);
    }
}

void
report_vdpa_json(struct jw *jw, const struct report_vdpa *v)
{
    char buf[64];
    if (!v->wanted) {
        jw_null(jw);
        return;
    }
    jw_object_begin(jw);
    str_or_null(jw, "name", v->name);
    jw_key(jw, "exists");
    jw_bool(jw, v->exists);
    str_or_null(jw, "mgmtdev", v->mgmtdev);
    str_or_null(jw, "driver", v->driver);
    snprintf(buf, sizeof buf, "/dev/%s", v->chardev);
    str_or_null(jw, "chardev", v->chardev[0] ? buf : NULL);
    str_or_null(jw, "netdev", v->netdev);
    jw_key(jw, "max_vqp");
    if (v->has_max_vqp) {
        jw_int(jw, v->max_vqp);
    } else {
        jw_null(jw);
    }
    jw_key(jw, "max_vqp_refused");
    if (v->vqp_refused) {
        jw_int(jw, v->vqp_refused);
    } else {
        jw_null(jw);
    }
    snprintf(buf, sizeof buf, "0x%" PRIx64, v->negotiated);
    str_or_null(jw, "negotiated_features", v->has_negotiated ? buf : NULL);
    str_or_null(jw, "mode", report_vdpa_mode(v));
    jw_object_end(jw);
}

void
report_vdpa_text(struct oa_str *t, unsigned vf, const struct report_vdpa *v)
{
    const char *mode = report_vdpa_mode(v);
    if (!v->exists) {
        oa_str_printf(t, "VF %u vDPA %s: not created\n", vf, v->name);
        return;
    }
    char vqp[64] = "";
    if (v->vqp_refused) {
        snprintf(vqp, sizeof vqp, ", max_vqp %u not applied (refused)",
                 v->vqp_refused);
    }
    oa_str_printf(t, "VF %u vDPA %s on %s: %s%s%s%s%s, %s%s\n", vf, v->name,
                  v->mgmtdev, v->driver[0] ? v->driver : "unbound",
                  v->chardev[0] ? " /dev/" : "", v->chardev,
                  v->netdev[0] ? " netdev " : "", v->netdev,
                  mode ? mode : "nothing negotiated", vqp);
}
