/* The error list of the spec loader. */
#include "spec-errors.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct spec_errors {
    char *file;
    struct spec_error *v;
    size_t *seq; /* insertion order, to keep the sort stable */
    size_t n, cap;
};

struct spec_errors *
spec_errors_create(const char *file)
{
    struct spec_errors *errs = calloc(1, sizeof *errs);
    if (errs) {
        errs->file = strdup(file ? file : "-");
        if (!errs->file) {
            free(errs);
            errs = NULL;
        }
    }
    return errs;
}

int
spec_errors_add(struct spec_errors *errs, enum spec_error_class class,
                unsigned line, unsigned col, const char *path, char *message)
{
    if (!message) {
        return -ENOMEM;
    }
    if (errs->n == errs->cap) {
        size_t cap = errs->cap ? errs->cap * 2 : 8;
        struct spec_error *v = realloc(errs->v, cap * sizeof *v);
        if (!v) {
            free(message);
            return -ENOMEM;
        }
        errs->v = v;
        size_t *seq = realloc(errs->seq, cap * sizeof *seq);
        if (!seq) {
            free(message);
            return -ENOMEM;
        }
        errs->seq = seq;
        errs->cap = cap;
    }
    char *path_copy = strdup(path ? path : "$");
    if (!path_copy) {
        free(message);
        return -ENOMEM;
    }
    errs->v[errs->n] = (struct spec_error){
        .class = class,
        .file = errs->file,
        .line = line,
        .col = col,
        .path = path_copy,
        .message = message,
    };
    errs->seq[errs->n] = errs->n;
    errs->n++;
    return 0;
}

int
spec_errors_vaddf(struct spec_errors *errs, enum spec_error_class class,
                  unsigned line, unsigned col, const char *path,
                  const char *fmt, va_list args)
{
    char *msg;

    if (vasprintf(&msg, fmt, args) < 0) {
        msg = NULL;
    }
    return spec_errors_add(errs, class, line, col, path, msg);
}

int
spec_errors_addf(struct spec_errors *errs, enum spec_error_class class,
                 unsigned line, unsigned col, const char *path,
                 const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int r = spec_errors_vaddf(errs, class, line, col, path, fmt, args);
    va_end(args);
    return r;
}

static int
compare_errors(const void *a_, const void *b_, void *errs_)
{
    const struct spec_errors *errs = errs_;
    size_t a = *(const size_t *)a_, b = *(const size_t *)b_;
    const struct spec_error *ea = &errs->v[a], *eb = &errs->v[b];

    if (ea->line != eb->line) {
        return ea->line < eb->line ? -1 : 1;
    }
    if (ea->col != eb->col) {
        return ea->col < eb->col ? -1 : 1;
    }
    return a < b ? -1 : a > b;
}

int
spec_errors_sort(struct spec_errors *errs)
{
    if (errs->n < 2) {
        return 0;
    }
    struct spec_error *sorted = malloc(errs->n * sizeof *sorted);
    if (!sorted) {
        return -ENOMEM;
    }
    /* Sort indices (stable by the index tie-break), then permute. */
    qsort_r(errs->seq, errs->n, sizeof *errs->seq, compare_errors, errs);
    for (size_t i = 0; i < errs->n; i++) {
        sorted[i] = errs->v[errs->seq[i]];
    }
    for (size_t i = 0; i < errs->n; i++) {
        errs->v[i] = sorted[i];
        errs->seq[i] = i;
    }
    free(sorted);
    return 0;
}

const char *
spec_errors_get_file(const struct spec_errors *errs)
{
    return errs->file;
}

size_t
spec_errors_count(const struct spec_errors *errs)
{
    return errs ? errs->n : 0;
}

const struct spec_error *
spec_errors_get(const struct spec_errors *errs, size_t i)
{
    return errs && i < errs->n ? &errs->v[i] : NULL;
}

void
spec_errors_destroy(struct spec_errors *errs)
{
    if (errs) {
        for (size_t i = 0; i < errs->n; i++) {
            free((char *)errs->v[i].path);
            free((char *)errs->v[i].message);
        }
        free(errs->v);
        free(errs->seq);
        free(errs->file);
        free(errs);
    }
}

char *
spec_error_format(const struct spec_error *e)
{
    char *s = NULL;
    int n;

    if (e->line) {
        n = asprintf(&s, "%s:%u:%u: %s: %s", e->file, e->line, e->col, e->path,
                     e->message);
    } else {
        n = asprintf(&s, "%s: %s", e->file, e->message);
    }
    return n < 0 ? NULL : s;
}

const char *spec_error_class_name(enum spec_error_class class)
{
    switch (class) {
    case SPEC_E_IO:
        return "io";
    case SPEC_E_LIMIT:
        return "limit";
    case SPEC_E_ENCODING:
        return "encoding";
    case SPEC_E_SYNTAX:
        return "syntax";
    case SPEC_E_TYPE:
        return "type";
    case SPEC_E_RANGE:
        return "range";
    case SPEC_E_ENUM:
        return "enum";
    case SPEC_E_REQUIRED:
        return "required";
    case SPEC_E_UNKNOWN_KEY:
        return "unknown-key";
    case SPEC_E_DUPLICATE:
        return "duplicate";
    case SPEC_E_REFERENCE:
        return "reference";
    case SPEC_E_FORMAT:
        return "format";
    case SPEC_E_CONFLICT:
        return "conflict";
    case SPEC_E_INTERNAL:
        return "internal";
    }
    return "unknown";
}
