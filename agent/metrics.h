/* metrics: the daemon's state in the Prometheus text exposition format
 * (version 0.0.4), for node_exporter's textfile collector
 * (`offload-agent --metrics-file`) and `agentctl metrics`. Pure: it
 * renders what it is given and does no I/O.
 *
 * The observation comes in as the status document (report_to_json(),
 * the contract of docs/cli.md), so this module depends on that contract
 * and not on the report's private structures; the counters come from
 * the stats table. Every metric, its type and labels are listed in
 * docs/metrics.md. */
#ifndef OA_METRICS_H
#define OA_METRICS_H 1

#include <stdbool.h>

struct spec;
struct stats_view;

struct metrics_input {
    const char *version;     /* the package version: build_info */
    const char *status_json; /* report_to_json(); NULL: nothing observed */
    const struct spec
        *spec;           /* the spec applied, for VFs wanted; may be NULL */
    bool spec_valid;     /* the spec file on disk is valid */
    double last_success; /* Unix time of the last converged look; 0: none */
    const struct stats_view *stats; /* may be NULL: no counters */
};

/* The exposition text, every line ending in a newline. Caller frees.
 * NULL when out of memory or 'status_json' is not a status document. */
char *metrics_render(const struct metrics_input *in);

#endif
