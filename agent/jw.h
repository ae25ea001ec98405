/* jw: a small streaming JSON writer for the agent's output (plan --json,
 * status --json). The agent writes JSON only, it never parses any but
 * the spec (config/, jansson), so a writer is all it needs. */
#ifndef OA_JW_H
#define OA_JW_H 1

#include <stdbool.h>
#include <stdint.h>

struct jw;

/* 'pretty': two-space indentation, one member per line. Returns NULL on
 * ENOMEM. */
struct jw *jw_create(bool pretty);
/* The finished text (caller frees with free()), or NULL when out of
 * memory at any point or the nesting was not closed. Destroys 'jw'. */
char *jw_finish(struct jw *jw);
void jw_destroy(struct jw *jw);

void jw_object_begin(struct jw *jw);
void jw_object_end(struct jw *jw);
void jw_array_begin(struct jw *jw);
void jw_array_end(struct jw *jw);
/* A member name; the value follows with the next call. */
void jw_key(struct jw *jw, const char *key);
/* NULL writes null. Bytes are escaped as JSON requires. */
void jw_string(struct jw *jw, const char *s);
void jw_int(struct jw *jw, int64_t v);
void jw_bool(struct jw *jw, bool v);
void jw_null(struct jw *jw);

#endif
