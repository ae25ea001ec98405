/* order: what the agent learned about the eswitch order of each device,
 * kept across runs in OA_STATE_DIR/eswitch-order.json.
 *
 * An entry says which order (enum obs_order, plan.h defines both) took a
 * device to switchdev. Its key is the device as devlink info names it:
 * the devlink handle, the driver and the running firmware version. New
 * firmware or another driver does not match, and the order is learned
 * again; the entry of a devlink handle is replaced then (one per handle).
 * Entries of devices this host's spec does not name are kept as read.
 *
 * The file, version 1 (a file of another version is not read):
 *   {"version": 1,
 *    "entries": [{"devlink": "pci/0000:08:00.0", "driver": "mlx5_core",
 *                 "firmware": "22.35.1012", "order": "vfs-first"}]}
 * written whole to a temporary file renamed over it. Parsed with jansson,
 * whose types stay inside order.c. Functions return 0 or a negative
 * errno with 'err' set (may be NULL); nothing here logs. */
#ifndef OA_ORDER_H
#define OA_ORDER_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"
#include "obs.h"

#define ORDER_FILE    "eswitch-order.json"
#define ORDER_VERSION 1

/* A device as devlink info names it. */
struct order_key {
    char devlink[96];
    char driver[32];
    char firmware[128];
};

struct order_entry {
    struct order_key key;
    enum obs_order order;
};

/* The entries, in file order. Zeroed: empty. */
struct order_store {
    struct order_entry *v;
    size_t n;
};

/* Frees the entries; '*s' stays usable (empty). */
void order_store_clear(struct order_store *s);

/* The key of observed PF 'pf': -ENODEV when it has no devlink instance
 * (then it has no eswitch either). */
int order_key_of(const struct obs_pf *pf, struct order_key *key);

/* True, with the order in '*out', when an entry has exactly 'key'. */
bool order_lookup(const struct order_store *s, const struct order_key *key,
                  enum obs_order *out);

/* Remembers that 'order' worked for 'key', replacing the entry of the
 * same devlink handle. 1 when the store changed, 0 when it already said
 * so, -ENOMEM. */
int order_record(struct order_store *s, const struct order_key *key,
                 enum obs_order order);

/* "DIR/eswitch-order.json" into buf: 0, or -ENAMETOOLONG. */
int order_path(const char *dir, char *buf, size_t size);

/* Replaces '*s' with the entries of 'path'. A missing file is no error
 * (empty store). A file that cannot be read, is not JSON, is of another
 * version or has a value of the wrong type or name is not used (empty
 * store) and returns a negative errno, 'err' naming the file and what is
 * wrong in it: the caller warns once and goes on. */
int order_load(struct order_store *s, const char *path, struct oa_err *err);

/* Writes '*s' to 'path' (path.tmp, then renamed over it; the directory
 * is made when missing). A negative errno (a read-only or missing state
 * directory) with 'err' naming the file: the caller warns. */
int order_save(const struct order_store *s, const char *path,
               struct oa_err *err);

#endif
