/* hostcheck: a host spec checked against this host without changing it
 * (agentctl validate --host). Pure: the spec and an observation
 * (obs_collect(), read-only) in, findings out, each located in the
 * spec file like validate's errors. docs/cli.md lists the checks. */
#ifndef OA_HOSTCHECK_H
#define OA_HOSTCHECK_H 1

#include <stdbool.h>
#include <stddef.h>

#include "offload/spec.h"

struct obs_host;

/* An error makes the spec not applicable here (exit OA_EXIT_INVALID); a
 * warning is worth knowing and changes no exit code. */
enum hostcheck_severity {
    HOSTCHECK_ERROR = 0,
    HOSTCHECK_WARNING,
};

/* What a finding is about; tools match on these, never on the text. */
enum hostcheck_check {
    HOSTCHECK_PF = 0,        /* "pf": exists, SR-IOV capable */
    HOSTCHECK_NUM_VFS,       /* "num-vfs": at most sriov_totalvfs */
    HOSTCHECK_ESWITCH,       /* "eswitch": devlink answers eswitch get */
    HOSTCHECK_INLINE_MODE,   /* "inline-mode": the eswitch reports one */
    HOSTCHECK_ENCAP_MODE,    /* "encap-mode": the eswitch reports one */
    HOSTCHECK_STEERING_MODE, /* "steering-mode": the devlink param exists */
    HOSTCHECK_DRIVER,        /* "driver": a known refusal of the driver */
    HOSTCHECK_BRIDGE,        /* "bridge": the name is free or ours */
    HOSTCHECK_OVSDB,         /* "ovsdb": the database answered */
};

struct hostcheck_finding {
    enum hostcheck_severity severity;
    enum hostcheck_check check;
    struct spec_pos pos; /* of the value named by 'path' */
    char path[64];       /* "$.pfs[0].num_vfs" */
    char message[400];
    size_t seq; /* the order it was found in */
};

/* The findings in spec order (PFs, then OVSDB and bridges). Zeroed:
 * empty; release with hostcheck_findings_clear(). */
struct hostcheck_findings {
    struct hostcheck_finding *v;
    size_t n;
    size_t n_errors, n_warnings;
};

/* Checks 'spec' against 'host' (observed for this spec). What
 * obs_collect() does not look at comes in 'bridge_netdev': for each
 * spec->bridges[i], whether a netdev of that name exists (NULL: not
 * looked up). Appends to 'out'. 0, or -ENOMEM. */
int hostcheck_run(const struct spec *spec, const struct obs_host *host,
                  const bool *bridge_netdev, struct hostcheck_findings *out);

void hostcheck_findings_clear(struct hostcheck_findings *f);

/* "error", "warning"; "pf", "num-vfs", ...: static strings. */
const char *hostcheck_severity_name(enum hostcheck_severity severity);
const char *hostcheck_check_name(enum hostcheck_check check);

/* "FILE:LINE:COL: PATH: message", with "warning: " before the message
 * of a warning (FILE from spec->file, "-" when it has none). Caller
 * frees the result with free(); NULL on ENOMEM. */
char *hostcheck_format(const struct spec *spec,
                       const struct hostcheck_finding *f);

/* The findings as validate --host --json prints them (docs/cli.md):
 * {"valid": ..., "errors": N, "warnings": N, "findings": [...]}. Caller
 * frees with free(); NULL on ENOMEM. */
char *hostcheck_to_json(const struct spec *spec,
                        const struct hostcheck_findings *f, bool pretty);

#endif
