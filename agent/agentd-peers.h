/* agentd-peers: noticing, at once, that a peer of the daemon came or went
 * (private to the daemon).
 *
 * ovs-vswitchd restarting changes none of the OVSDB columns the daemon
 * monitors, and a client of a restarted ovsdb-server reconnects only
 * after the backoff that grew while the server was away (OVS's reconnect:
 * up to 8 s). Both leave a file behind in a directory inotify can watch:
 * ovs-vswitchd its pidfile (written by rename, removed on exit), and
 * ovsdb-server its unix socket (created by bind). So the daemon watches
 * those directories and looks again (and reconnects) when either file
 * changes, instead of waiting for its periodic resync or the IDL's
 * backoff. Remotes other than unix: have no file; the IDL's own
 * reconnect covers them. */
#ifndef OA_AGENTD_PEERS_H
#define OA_AGENTD_PEERS_H 1

#include <stdbool.h>
#include <stddef.h>

/* What changed (agentd_peers_read()). */
enum {
    AGENTD_PEER_VSWITCHD = 1 << 0, /* the vswitchd pidfile */
    AGENTD_PEER_OVSDB = 1 << 1,    /* the ovsdb-server socket */
};

struct agentd_peers;

/* A watcher without watches yet; NULL when out of memory or inotify. */
struct agentd_peers *agentd_peers_create(void);
void agentd_peers_destroy(struct agentd_peers *p);

/* Watches the directories of 'pidfile' and of the unix socket of OVSDB
 * remote 'remote' (NULL or not unix: no socket watch). Cheap when nothing
 * changed; a directory that does not exist yet (OVS not started) is tried
 * again on the next call. */
void agentd_peers_watch(struct agentd_peers *p, const char *pidfile,
                        const char *remote);

/* The fd to poll (POLLIN); -1 when there is none. */
int agentd_peers_fd(const struct agentd_peers *p);

/* Drains the events: AGENTD_PEER_* bits of the files that changed. */
unsigned agentd_peers_read(struct agentd_peers *p);

/* Pure: the socket path of a "unix:PATH" OVSDB remote into 'buf'; false
 * for other remotes (tcp:, ssl:, punix:, several) or a path too long. */
bool agentd_unix_remote_path(const char *remote, char *buf, size_t size);

#endif
