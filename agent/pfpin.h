/* pfpin: the device a PF that the spec names by netdev was found at, so
 * that the agent follows the device, not the name. mlx5 registers the
 * uplink netdev anew when the eswitch mode changes, and udev's naming
 * then gives it another name (enp8s0f0 -> enp8s0f0np0): looked up by the
 * spec's name, the PF would be lost after its first mode change.
 *
 * The rule (obs_collect_pinned() applies it): while the pinned device
 * exists, the PF is that device, whatever its uplink is called now; when
 * it is gone (or there is no pin), the PF is found by the spec's name
 * again and pinned to the device found. A pin is the sysfs device (bus
 * and device name, as sriov_pf_by_devlink() finds it) and the devlink
 * handle ("" without one), keyed by the spec's netdev name (one pin per
 * name). Pins of names the spec no longer has are kept as read.
 *
 * Kept across runs in OA_STATE_DIR/pf-pins.json, version 1 (a file of
 * another version is not read):
 *   {"version": 1,
 *    "pins": [{"netdev": "enp8s0f0", "bus": "pci",
 *              "device": "0000:08:00.0", "devlink": "pci/0000:08:00.0"}]}
 * written whole, atomically (statefile.h). Parsed with jansson, whose
 * types stay inside pfpin.c. Functions return 0 or a negative errno with
 * 'err' set (may be NULL); nothing here logs. */
#ifndef OA_PFPIN_H
#define OA_PFPIN_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"

struct spec;
struct obs_host;

#define PFPIN_FILE    "pf-pins.json"
#define PFPIN_VERSION 1

struct pfpin {
    char netdev[16];  /* the spec's name */
    char bus[32];     /* the sysfs device: "pci", "netdevsim" */
    char device[64];  /* "0000:08:00.0", "netdevsim10" */
    char devlink[96]; /* "bus/dev"; "": the device has no devlink */
};

/* The pins, in file order. Zeroed: empty. */
struct pfpin_store {
    struct pfpin *v;
    size_t n;
    /* Changed since loaded or saved. Kept in the store, not counted per
     * engine run: every look that shares the store may pin (an apply's
     * guard looks before the apply does), and a save that failed is
     * tried again after the next look. */
    bool unsaved;
};

/* Frees the pins; '*s' stays usable (empty). */
void pfpin_store_clear(struct pfpin_store *s);

/* The pin of spec name 'netdev', or NULL. */
const struct pfpin *pfpin_find(const struct pfpin_store *s,
                               const char *netdev);

/* Pins 'p->netdev' to p's device, replacing the name's pin. 1 when the
 * store changed, 0 when it already said so, -ENOMEM. */
int pfpin_record(struct pfpin_store *s, const struct pfpin *p);

/* After an observation of 'spec': pins each PF the spec names by netdev
 * to the device it was found at (obs_pf bus, dev_name, devlink). PFs not
 * found leave their pin alone. The number of pins added or changed (to
 * be saved), or -ENOMEM. */
int pfpin_update(struct pfpin_store *s, const struct spec *spec,
                 const struct obs_host *host);

/* "DIR/pf-pins.json" into buf: 0, or -ENAMETOOLONG. */
int pfpin_path(const char *dir, char *buf, size_t size);

/* Replaces '*s' with the pins of 'path'. A missing file is no error
 * (empty store). A file that cannot be read, is not JSON, is of another
 * version or has a value of the wrong type is not used (empty store) and
 * returns a negative errno, 'err' naming the file and what is wrong in
 * it: the caller warns once and goes on (PFs are found by name). */
int pfpin_load(struct pfpin_store *s, const char *path, struct oa_err *err);

/* Writes '*s' to 'path' (statefile_write()). A negative errno (a
 * read-only or missing state directory) with 'err' naming the file: the
 * caller warns. Saved, the store is no longer 'unsaved'. */
int pfpin_save(struct pfpin_store *s, const char *path, struct oa_err *err);

#endif
