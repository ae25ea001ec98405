/* report-vdpa: a VF's vDPA device in the status report (report.c):
 * name, management device, driver, what the driver made of it, max_vqp
 * and the negotiated features with modern/legacy spelled out. Pure. */
#ifndef OA_REPORT_VDPA_H
#define OA_REPORT_VDPA_H 1

#include <stdbool.h>
#include <stdint.h>

struct jw;
struct oa_str;
struct obs_host;
struct spec_pf;

struct report_vdpa {
    bool wanted; /* the spec asks for one on this VF */
    bool exists;
    char name[64], mgmtdev[96], driver[32];
    char chardev[32]; /* "vhost-vdpa-0": /dev/vhost-vdpa-0 */
    char netdev[16];
    bool has_max_vqp, has_negotiated;
    unsigned max_vqp;
    unsigned vqp_refused; /* the spec's max_vqp, refused at creation */
    uint64_t negotiated;
};

/* VF 'vf' of 'spf' (NULL: nothing wanted) as 'host' shows it. */
void report_vdpa_fill(struct report_vdpa *out, const struct spec_pf *spf,
                      unsigned vf, const struct obs_host *host);
/* "modern" (VIRTIO_F_VERSION_1 negotiated), "legacy", NULL: nothing
 * negotiated yet (no driver, or no guest on vhost_vdpa). */
const char *report_vdpa_mode(const struct report_vdpa *v);
/* The status JSON's "vdpa" value of a VF (docs/cli.md): null when the
 * spec asks for none. */
void report_vdpa_json(struct jw *jw, const struct report_vdpa *v);
/* One text line, for VFs with a device wanted. */
void report_vdpa_text(struct oa_str *t, unsigned vf,
                      const struct report_vdpa *v);

#endif
