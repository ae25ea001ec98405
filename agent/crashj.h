/* crashj: the crash journal. A step that leaves the host in a temporary
 * state (a PF's sriov_drivers_autoprobe off, a VF unbound between two
 * drivers, the agent's ports out of OVS around an eswitch change, an
 * eswitch mid-change) writes an entry ahead, to OA_STATE_DIR/pending.json
 * (atomic write, fsynced), and clears it once the state is over. A run
 * that died in between (SIGKILL, power loss) leaves the entry, and the
 * next start (the daemon, agentctl apply) hands it to crashj_recover():
 *
 *   autoprobe-off  PF "bus/device"    set autoprobe back on (undone)
 *   vf-unbound     VF PCI address     bound to the driver it had (undone)
 *   detached       port name, bridge  the reconcile that follows adds it
 *                                     back (finished)
 *   eswitch        PF devlink handle  the reconcile that follows sets the
 *                                     mode and the VF count (finished)
 *
 * The file, version 1:
 *   {"version": 1, "entries": [{"kind": "vf-unbound",
 *     "object": "0000:00:03.1", "detail": "nvme"}]}
 * An empty journal is no file. Entries are kept in memory too: each
 * change rewrites the file whole. A journal whose file cannot be
 * written still runs the steps (the failure is kept in 'error' for the
 * caller to say once): a journal must not be why the host is not
 * configured. Nothing here logs. */
#ifndef OA_CRASHJ_H
#define OA_CRASHJ_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"

#define CRASHJ_FILE    "pending.json"
#define CRASHJ_VERSION 1

struct crashj_entry {
    char kind[16];    /* autoprobe-off, vf-unbound, detached, eswitch */
    char object[128]; /* see above */
    char detail[128]; /* vf-unbound: the driver; detached: the bridge;
                         eswitch: "FROM -> TO" */
};

struct crashj {
    char path[4096]; /* "": no file, kept in memory only */
    struct crashj_entry *v;
    size_t n;
    int error; /* the last write's negative errno, 0 */
};

/* '<state_dir>/pending.json' into 'buf'; the length or -ENAMETOOLONG. */
int crashj_path(const char *state_dir, char *buf, size_t size);

/* Opens the journal at 'path' ("" or NULL: in memory) and reads what a
 * run that did not finish left there. A file that cannot be used is
 * dropped (nothing can be recovered from it): -EPROTO or the read's
 * errno with 'err' set, and the journal is usable and empty. */
int crashj_open(struct crashj *j, const char *path, struct oa_err *err);

/* Writes an entry ahead of the step that makes the state (replacing one
 * of the same kind and object). 0, or the write's negative errno (also
 * kept in j->error); the entry is kept in memory either way. 'j' may be
 * NULL (no journal). */
int crashj_begin(struct crashj *j, const char *kind, const char *object,
                 const char *detail);

/* The state is over: the entry of 'kind' and 'object' goes ('object'
 * NULL: every entry of 'kind'). Nothing written when none matched. */
int crashj_end(struct crashj *j, const char *kind, const char *object);

/* What crashj_recover() did with one entry, for the caller to say: 'r'
 * 0 (undone, or left to the reconcile: 'what' says which) or the
 * negative errno of the undo that failed. */
typedef void crashj_report_fn(void *aux, const struct crashj_entry *e, int r,
                              const char *what);

/* Undoes or hands over every entry left (above), reporting each, then
 * empties the journal. An undo that fails stays in the journal (the next
 * start tries again). Returns how many entries there were. 'sysfs_root'
 * NULL: "/sys". */
size_t crashj_recover(struct crashj *j, const char *sysfs_root,
                      crashj_report_fn *report, void *aux);

/* Frees the entries; '*j' is zeroed. */
void crashj_close(struct crashj *j);

#endif
