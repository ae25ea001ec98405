/* oa_str: the project's one growable string (in the spirit of OVS's
 * struct ds), and oa_copy_str(), its one bounded copy into a fixed array.
 *
 * Allocation failures are sticky: 'oom' is set, further appends do
 * nothing, and the owner checks once at the end (oa_str_steal() returns
 * NULL then) instead of after every append. A zeroed struct is an empty
 * string; oa_str_cstr() of it is "". */
#ifndef OA_COMMON_STR_H
#define OA_COMMON_STR_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct oa_str {
    char *s;    /* NUL-terminated once anything was appended; may be NULL */
    size_t len; /* bytes before the NUL */
    size_t cap;
    bool oom;
};

#define OA_STR_INIT       \
    {                     \
        NULL, 0, 0, false \
    }

void oa_str_put(struct oa_str *, const char *data, size_t len);
void oa_str_puts(struct oa_str *, const char *s);
void oa_str_putc(struct oa_str *, char c);
void oa_str_printf(struct oa_str *, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void oa_str_vprintf(struct oa_str *, const char *fmt, va_list args)
    __attribute__((format(printf, 2, 0)));
/* Cuts the string to 'len' bytes (no-op when it is shorter). */
void oa_str_truncate(struct oa_str *, size_t len);
/* The contents, "" when empty; valid until the next change. */
const char *oa_str_cstr(const struct oa_str *);
/* Hands the buffer to the caller (who frees it) and empties 'str'.
 * NULL after an allocation failure (the buffer is freed then). An empty
 * string gives a new "". */
char *oa_str_steal(struct oa_str *);
/* Frees the buffer; accepts a zeroed struct. */
void oa_str_free(struct oa_str *);

/* Copies 'src' (NULL: "") into 'dst' of 'size' > 0 bytes, truncating,
 * always NUL-terminated. Returns 'dst'. */
char *oa_copy_str(char *dst, size_t size, const char *src);

/* snprintf() into 'buf' of 'size' bytes that says when it did not fit:
 * 0, or -ENAMETOOLONG (for paths built from names, where a cut one
 * would name another file). */
int oa_format_fit(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
