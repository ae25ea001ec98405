/* agentctl validate [FILE] [--json]: parse and validate a host spec
 * without touching the host (docs/cli.md). */
#include "agentctl.h"

#include "offload/spec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *
plural(unsigned n, const char *one, const char *many)
{
    return n == 1 ? one : many;
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
