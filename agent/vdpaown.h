/* vdpaown: the vDPA devices the agent created, so that it deletes only
 * those (a device made by hand with `vdpa dev add` is left alone) and
 * knows them again after a restart. The vdpa family keeps no owner or
 * label on a device: the record is the agent's.
 *
 * Kept in STATE_DIR/vdpa-devices.json, version 1, written whole and
 * atomically (statefile.h) after each create and delete:
 *   {"version": 1, "devices": ["oa-enp8s0f0-vf0", "vm1"],
 *    "max_vqp_refused": {"vm1": 8}}
 * "max_vqp_refused" (optional): devices created without the max_vqp the
 * spec asked for, because the management device refused it (EOPNOTSUPP,
 * apply-vdpa.c): the planner does not re-create them for a max_vqp that
 * differs while the spec asks for that same refused value.
 * Functions return 0 or a negative errno with 'err' set (may be NULL);
 * nothing here logs. */
#ifndef OA_VDPAOWN_H
#define OA_VDPAOWN_H 1

#include <stdbool.h>
#include <stddef.h>

#include "oa-common/err.h"

#define VDPAOWN_FILE    "vdpa-devices.json"
#define VDPAOWN_VERSION 1
#define VDPAOWN_MAX     4096 /* names kept at most */

/* The names, in file order, and per name the max_vqp refused (0: none).
 * Zeroed: empty. */
struct vdpaown {
    char (*names)[64];
    unsigned *vqp_refused;
    size_t n;
};

/* STATE_DIR/vdpa-devices.json into buf; -ENAMETOOLONG. NULL state_dir:
 * the default (contract.h). */
int vdpaown_path(const char *state_dir, char *buf, size_t size);
/* Reads the record; a missing file is an empty one. */
int vdpaown_load(const char *path, struct vdpaown *o, struct oa_err *err);
bool vdpaown_has(const struct vdpaown *o, const char *name);
/* The max_vqp refused when 'name' was created; 0: none (or not ours). */
unsigned vdpaown_vqp_refused(const struct vdpaown *o, const char *name);
/* Adds or removes 'name' and writes the file (not when nothing changes). */
int vdpaown_add(const char *path, const char *name, struct oa_err *err);
/* vdpaown_add() that also records the max_vqp refused (0: none). */
int vdpaown_add_vqp(const char *path, const char *name, unsigned vqp_refused,
                    struct oa_err *err);
int vdpaown_remove(const char *path, const char *name, struct oa_err *err);
void vdpaown_clear(struct vdpaown *o);

#endif
