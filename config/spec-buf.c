/* A growable string with sticky allocation failure (spec-private.h). */
#include "spec-private.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool
reserve(struct spec_buf *b, size_t extra)
{
    if (b->oom) {
        return false;
    }
    if (b->len + extra + 1 <= b->cap) {
        return true;
    }
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1) {
        cap *= 2;
    }
    char *s = realloc(b->s, cap);
    if (!s) {
        b->oom = true;
        return false;
    }
    b->s = s;
    b->cap = cap;
    return true;
}

void
spec_buf_put(struct spec_buf *b, const char *data, size_t len)
{
    if (reserve(b, len)) {
        memcpy(b->s + b->len, data, len);
        b->len += len;
        b->s[b->len] = '\0';
    }
}

void
spec_buf_puts(struct spec_buf *b, const char *s)
{
    spec_buf_put(b, s, strlen(s));
}

void
spec_buf_printf(struct spec_buf *b, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int n = vsnprintf(NULL, 0, fmt, args);
    va_end(args);
    if (n < 0 || !reserve(b, (size_t)n)) {
        b->oom = true;
        return;
    }
    va_start(args, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, args);
    va_end(args);
    b->len += (size_t)n;
}

void
spec_buf_truncate(struct spec_buf *b, size_t len)
{
    if (b->s && len < b->len) {
        b->len = len;
        b->s[len] = '\0';
    }
}

static bool
is_identifier(const char *key, size_t len)
{
    if (!len || !(key[0] == '_' || (key[0] >= 'a' && key[0] <= 'z') ||
                  (key[0] >= 'A' && key[0] <= 'Z'))) {
        return false;
    }
    for (size_t i = 1; i < len; i++) {
        char c = key[i];
        if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

static void
put_escaped(struct spec_buf *b, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            spec_buf_printf(b, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            spec_buf_printf(b, "\\u%04x", c);
        } else {
            spec_buf_put(b, (const char *)&c, 1);
        }
    }
}

void
spec_buf_path_key(struct spec_buf *b, const char *key, size_t len)
{
    if (is_identifier(key, len)) {
        spec_buf_puts(b, ".");
        spec_buf_put(b, key, len);
    } else {
        spec_buf_puts(b, "[\"");
        put_escaped(b, key, len);
        spec_buf_puts(b, "\"]");
    }
}

void
spec_buf_quote(struct spec_buf *b, const char *text, size_t len, size_t max)
{
    bool cut = len > max;

    if (cut) {
        /* Do not cut a UTF-8 sequence in half. */
        len = max;
        while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    spec_buf_puts(b, "\"");
    put_escaped(b, text, len);
    spec_buf_puts(b, cut ? "...\"" : "\"");
}

void
spec_buf_free(struct spec_buf *b)
{
    free(b->s);
    *b = (struct spec_buf){0};
}
