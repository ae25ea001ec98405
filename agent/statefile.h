/* statefile: one file of the agent's state directory, read as one JSON
 * document, written whole and atomically (a temporary file renamed over
 * it), so a crash leaves the old file or the new one, never half of
 * either. Shared by the modules that keep something across runs (order_,
 * pfpin_). Nothing here logs. */
#ifndef OA_STATEFILE_H
#define OA_STATEFILE_H 1

#include <jansson.h>

#include "oa-common/err.h"

/* Reads 'path' into *doc (the caller json_decref()s it). A missing file
 * is nothing kept yet: 0 with *doc NULL. Else 0, or a negative errno with
 * 'err' set ("PATH: ..." or "PATH:LINE:COL: not JSON: ..."). */
int statefile_read_json(const char *path, json_t **doc, struct oa_err *err);

/* The array under 'key' of 'doc', a state file of 'kind' ("order",
 * "pin") at format 'version': into *array (borrowed from 'doc'). 0, or
 * -EPROTO (not such a file, another version) / -EINVAL (no array) with
 * 'why' saying so. */
int statefile_array(json_t *doc, const char *kind, int version,
                    const char *key, json_t **array, char *why, size_t size);

/* Writes 'text' and a newline to 'path': path.tmp (0644, fsynced), then
 * renamed over 'path'; the directory of 'path' is made when missing (one
 * level: its parent is the system's, /var/lib). 0, or a negative errno
 * (the temporary file is removed then). */
int statefile_write(const char *path, const char *text);

/* statefile_write() of 'doc' (taken: released here; NULL, as a failed
 * json_pack() gives: -ENOMEM), indented by two spaces. */
int statefile_write_json(const char *path, json_t *doc);

#endif
