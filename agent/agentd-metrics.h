/* agentd-metrics: the daemon's metrics (metrics.h) out both ways: the
 * file node_exporter's textfile collector reads (--metrics-file, written
 * whole: a temporary file renamed over it) and `metrics` on the control
 * socket (`agentctl metrics`). The main loop renders the text after
 * every observation and hands it over here; the socket's thread answers
 * with the last text, so both ways say the same. */
#ifndef OA_AGENTD_METRICS_H
#define OA_AGENTD_METRICS_H 1

struct ctl_registry;
struct agentd_metrics;

/* Registers "metrics" in 'reg'; the returned state is the handler's
 * (free it with agentd_metrics_destroy() after the socket's thread
 * stopped). NULL on failure. */
struct agentd_metrics *agentd_metrics_register(struct ctl_registry *reg);
void agentd_metrics_destroy(struct agentd_metrics *m);

/* Main loop: 'text' (taken; NULL: out of memory, the last text stays) is
 * what `metrics` answers from now on, and is written to 'path' when not
 * NULL. A failed write is logged once until a write succeeds again. */
void agentd_metrics_publish(struct agentd_metrics *m, char *text,
                            const char *path);

#endif
