/* Building the error list (the reading side is in offload/spec.h). */
#ifndef OA_SPEC_ERRORS_H
#define OA_SPEC_ERRORS_H 1

#include "offload/spec.h"

#include <stdarg.h>

/* Returns a new empty list naming 'file' in its errors, or NULL. */
struct spec_errors *spec_errors_create(const char *file);

/* Appends an error; takes ownership of 'message' (a malloc'd string,
 * NULL meaning the caller ran out of memory), copies 'path'. Returns 0
 * or -ENOMEM. */
int spec_errors_add(struct spec_errors *, enum spec_error_class, unsigned line,
                    unsigned col, const char *path, char *message);

/* As spec_errors_add(), the message formatted from 'fmt'. */
int spec_errors_addf(struct spec_errors *, enum spec_error_class,
                     unsigned line, unsigned col, const char *path,
                     const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
int spec_errors_vaddf(struct spec_errors *, enum spec_error_class,
                      unsigned line, unsigned col, const char *path,
                      const char *fmt, va_list args)
    __attribute__((format(printf, 6, 0)));

/* The file name the list was created with (never NULL). */
const char *spec_errors_get_file(const struct spec_errors *);

/* Sorts by line, then column, then insertion order. 0 or -ENOMEM. */
int spec_errors_sort(struct spec_errors *);

#endif
