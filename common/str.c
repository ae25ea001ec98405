/* oa_str: the project's growable string (str.h). */
#include "oa-common/str.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Room for 'extra' more bytes plus the NUL; false (and 'oom') when not. */
static bool
reserve(struct oa_str *str, size_t extra)
{
    size_t cap;
    char *s;

    if (str->oom) {
        return false;
    }
    if (extra >= (size_t)-1 / 2 - str->len) {
        str->oom = true;
        return false;
    }
    if (str->len + extra < str->cap) {
        return true;
    }
    cap = str->cap ? str->cap : 64;
    while (cap <= str->len + extra) {
        cap *= 2;
    }
    s = realloc(str->s, cap);
    if (!s) {
        str->oom = true;
        return false;
    }
    str->s = s;
    str->cap = cap;
    return true;
}

void
oa_str_put(struct oa_str *str, const char *data, size_t len)
{
    if (!reserve(str, len)) {
        return;
    }
    if (len) {
        memcpy(str->s + str->len, data, len);
    }
    str->len += len;
    str->s[str->len] = '\0';
}

void
oa_str_puts(struct oa_str *str, const char *s)
{
    oa_str_put(str, s ? s : "", s ? strlen(s) : 0);
}

void
oa_str_putc(struct oa_str *str, char c)
{
    oa_str_put(str, &c, 1);
}

void
oa_str_vprintf(struct oa_str *str, const char *fmt, va_list args)
{
    va_list copy;
    int n;

    va_copy(copy, args);
    n = vsnprintf(NULL, 0, fmt, copy);
    va_end(copy);
    if (n < 0) {
        str->oom = true;
        return;
    }
    if (!reserve(str, (size_t)n)) {
        return;
    }
    vsnprintf(str->s + str->len, (size_t)n + 1, fmt, args);
    str->len += (size_t)n;
}

void
oa_str_printf(struct oa_str *str, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    oa_str_vprintf(str, fmt, args);
    va_end(args);
}

void
oa_str_truncate(struct oa_str *str, size_t len)
{
    if (str->s && len < str->len) {
        str->len = len;
        str->s[len] = '\0';
    }
}

const char *
oa_str_cstr(const struct oa_str *str)
{
    return str->s && !str->oom ? str->s : "";
}

char *
oa_str_steal(struct oa_str *str)
{
    char *s = NULL;

    if (!str->oom) {
        s = str->s ? str->s : strdup("");
        str->s = NULL;
    }
    oa_str_free(str);
    return s;
}

void
oa_str_free(struct oa_str *str)
{
    if (str) {
        free(str->s);
        memset(str, 0, sizeof *str);
    }
}

char *
oa_copy_str(char *dst, size_t size, const char *src)
{
    size_t n = src ? strlen(src) : 0;

    if (n >= size) {
        n = size - 1;
    }
    /* memmove: 'src' may be 'dst' itself (keeping a field as it is). */
    memmove(dst, src ? src : "", n);
    dst[n] = '\0';
    return dst;
}

int
oa_format_fit(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}
