/* agentctl validate [FILE] [--json]: parse and validate a host spec
 * without touching the host; with --host, also check it against this
 * host, read-only (docs/cli.md). */
#include "agentctl.h"

#include "hostcheck.h"
#include "hostio.h"
#include "obs.h"
#include "offload/spec.h"
#include "pfpin.h"
#include "oa-common/err.h"
#include "oa-netlink/link.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
plural(unsigned n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* How long validate --host waits for the OVSDB snapshot: a host without
 * OVS costs this much, a reachable database answers in milliseconds. */
#define VALIDATE_HOST_OVS_TIMEOUT_MS 3000

/* Whether a netdev named like each spec bridge exists, into '*out' (one
 * per spec->bridges[], freed by the caller). 0 or a negative errno. */
static int
bridge_netdevs(struct hostio *io, const struct spec *spec, bool **out,
               struct oa_err *err)
{
    bool *v = calloc(spec->n_bridges ? spec->n_bridges : 1, sizeof *v);
    if (!v) {
        return oa_err_set_errno(err, -ENOMEM, "looking up the bridges");
    }
    for (size_t i = 0; i < spec->n_bridges; i++) {
        struct oa_link *link;
        int r =
            oa_link_get_by_name(io->link, spec->bridges[i].name, &link, NULL);
        if (r == 0) {
            v[i] = true;
            oa_link_destroy(link);
        } else if (r != -ENODEV) {
            free(v);
            return oa_err_set_errno(err, r, "looking up netdev %s",
                                    spec->bridges[i].name);
        }
    }
    *out = v;
    return 0;
}

/* The host as validate --host needs it: obs_collect_pinned() (read-only;
 * 'pins' may be NULL) and the netdevs named like the bridges. Nothing is
 * written: the OVSDB client only reads its snapshot. */
static int
observe_host(const struct spec *spec, const struct pfpin_store *pins,
             struct obs_host **host, bool **netdevs, struct oa_err *err)
{
    struct hostio io;

    memset(&io, 0, sizeof io);
    int r = hostio_open(&io, err);
    if (r < 0) {
        return r;
    }
    /* Only the bridges need the database: without them no wait for it.
     * A remote that cannot be opened is a database that did not answer:
     * a warning of the check, not a failure. */
    if (spec->n_bridges) {
        (void)hostio_open_ovsdb(&io, spec->ovs.db);
    }
    r = obs_collect_pinned(&io, spec, pins, VALIDATE_HOST_OVS_TIMEOUT_MS, host,
                           err);
    if (r == 0) {
        r = bridge_netdevs(&io, spec, netdevs, err);
    }
    hostio_close(&io);
    return r;
}

/* Text: each finding on stderr, like validate's errors, and a summary
 * on stdout when there is no error. */
static int
print_findings(const struct spec *spec, const struct obs_host *host,
               const struct hostcheck_findings *f)
{
    for (size_t i = 0; i < f->n; i++) {
        char *line = hostcheck_format(spec, &f->v[i]);
        fprintf(stderr, "%s\n", line ? line : "(out of memory)");
        free(line);
    }
    if (f->n_errors) {
        return OA_EXIT_INVALID;
    }
    unsigned pfs = (unsigned)spec->n_pfs, w = (unsigned)f->n_warnings;
    printf("%s: valid on this host (%s): %u %s, %u %s\n", spec->file,
           host->kernel_release[0] ? host->kernel_release : "kernel unknown",
           pfs, plural(pfs, "PF", "PFs"), w, plural(w, "warning", "warnings"));
    return OA_EXIT_OK;
}

static int
validate_host(const struct agentctl_opts *opts, const char *file)
{
    struct hostcheck_findings f = {0};
    struct obs_host *host = NULL;
    struct spec *spec = NULL;
    bool *netdevs = NULL;
    struct oa_err err;
    int code;

    code = agentctl_load_spec(file, &spec);
    if (code != OA_EXIT_OK) {
        return code;
    }
    /* Read only: a PF renamed since apply pinned it is still found. */
    struct pfpin_store pins = {0};
    char pins_path[4096];
    agentctl_load_pins(opts, &pins, pins_path, sizeof pins_path);
    int r = observe_host(spec, &pins, &host, &netdevs, &err);
    pfpin_store_clear(&pins);
    if (r < 0) {
        char text[OA_ERR_FORMAT_MAX];
        fprintf(stderr,
                "agentctl: validate: %s: the host cannot be read: %s\n", file,
                oa_err_format(&err, text, sizeof text));
        code = OA_EXIT_FAIL;
    } else if (hostcheck_run(spec, host, netdevs, &f) < 0) {
        fprintf(stderr, "agentctl: validate: %s: out of memory\n", file);
        code = OA_EXIT_FAIL;
    } else if (opts->json) {
        code = agentctl_print(hostcheck_to_json(spec, &f, true), "validate");
        if (code == OA_EXIT_OK && f.n_errors) {
            code = OA_EXIT_INVALID;
        }
    } else {
        code = print_findings(spec, host, &f);
    }
    if (fflush(stdout) != 0 && code != OA_EXIT_FAIL) {
        code = agentctl_error("validate", -errno, "writing output");
    }
    hostcheck_findings_clear(&f);
    free(netdevs);
    obs_free(host);
    spec_destroy(spec);
    return code;
}

int
agentctl_cmd_validate(const struct agentctl_opts *opts, int argc, char *argv[])
{
    struct spec *spec = NULL;
    const char *file;
    int r;

    if (argc > 1) {
        fprintf(stderr, "agentctl: validate takes at most one FILE\n");
        return OA_EXIT_FAIL;
    }
    /* A positional FILE wins over --spec. */
    file = argc == 1 ? argv[0] : opts->spec;
    if (opts->host) {
        return validate_host(opts, file);
    }

    r = agentctl_load_spec(file, &spec);
    if (r != OA_EXIT_OK) {
        return r;
    }

    if (opts->json) {
        char *json = spec_to_json_string(spec, SPEC_JSON_PRETTY);
        if (!json) {
            fprintf(stderr, "agentctl: %s: out of memory\n", file);
            spec_destroy(spec);
            return OA_EXIT_FAIL;
        }
        printf("%s\n", json);
        free(json);
    } else {
        unsigned pfs = (unsigned)spec->n_pfs;
        unsigned vfs = spec_total_vfs(spec);
        unsigned bridges = (unsigned)spec->n_bridges;
        printf("%s: valid: %u %s, %u %s configured, %u %s\n", file, pfs,
               plural(pfs, "PF", "PFs"), vfs, plural(vfs, "VF", "VFs"),
               bridges, plural(bridges, "bridge", "bridges"));
    }
    spec_destroy(spec);
    if (fflush(stdout) != 0) {
        return agentctl_error("validate", -errno, "writing output");
    }
    return OA_EXIT_OK;
}
