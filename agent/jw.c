/* jw: streaming JSON writer. Output goes to an oa_str; a misuse (a value
 * where a key belongs, an unbalanced end, two top-level values) marks
 * the writer failed, as the string's own sticky allocation failure does,
 * and jw_finish() returns NULL, so callers check once at the end. */
#include "jw.h"

#include "oa-common/str.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deeper nesting than the agent's documents ever need. */
#define JW_MAX_DEPTH 32

struct jw_level {
    bool is_object;
    bool has_members;
};

struct jw {
    struct oa_str out;
    bool pretty;
    bool failed;    /* misused (out.oom: out of memory) */
    bool after_key; /* a key was written, its value comes next */
    bool done;      /* the top-level value is complete */
    size_t depth;
    struct jw_level levels[JW_MAX_DEPTH];
};

struct jw *
jw_create(bool pretty)
{
    struct jw *jw = calloc(1, sizeof *jw);
    if (jw) {
        jw->pretty = pretty;
    }
    return jw;
}

void
jw_destroy(struct jw *jw)
{
    if (jw) {
        oa_str_free(&jw->out);
        free(jw);
    }
}

char *
jw_finish(struct jw *jw)
{
    char *out = NULL;

    if (!jw) {
        return NULL;
    }
    if (!jw->failed && jw->done && !jw->depth) {
        out = oa_str_steal(&jw->out); /* NULL after an allocation failure */
    }
    jw_destroy(jw);
    return out;
}

static void
put(struct jw *jw, const char *s, size_t n)
{
    if (!jw->failed) {
        oa_str_put(&jw->out, s, n);
    }
}

static void
put_str(struct jw *jw, const char *s)
{
    put(jw, s, strlen(s));
}

static void
newline_indent(struct jw *jw)
{
    put(jw, "\n", 1);
    for (size_t i = 0; i < jw->depth; i++) {
        put(jw, "  ", 2);
    }
}

/* Before a value: the separator and indentation it needs, and whether a
 * value may come here at all. */
static bool
begin_value(struct jw *jw)
{
    if (jw->failed) {
        return false;
    }
    if (!jw->depth) {
        if (jw->done) {
            jw->failed = true; /* a second top-level value */
            return false;
        }
        return true;
    }
    struct jw_level *lvl = &jw->levels[jw->depth - 1];
    if (lvl->is_object) {
        if (!jw->after_key) {
            jw->failed = true; /* a member needs its key first */
            return false;
        }
        jw->after_key = false;
        return true;
    }
    if (lvl->has_members) {
        put(jw, ",", 1);
    }
    lvl->has_members = true;
    if (jw->pretty) {
        newline_indent(jw);
    }
    return true;
}

/* After a scalar or a closed container. */
static void
end_value(struct jw *jw)
{
    if (!jw->depth) {
        jw->done = true;
    }
}

static void
container_begin(struct jw *jw, bool is_object)
{
    if (!begin_value(jw)) {
        return;
    }
    if (jw->depth == JW_MAX_DEPTH) {
        jw->failed = true;
        return;
    }
    jw->levels[jw->depth].is_object = is_object;
    jw->levels[jw->depth].has_members = false;
    jw->depth++;
    put(jw, is_object ? "{" : "[", 1);
}

static void
container_end(struct jw *jw, bool is_object)
{
    if (jw->failed) {
        return;
    }
    if (!jw->depth || jw->levels[jw->depth - 1].is_object != is_object ||
        jw->after_key) {
        jw->failed = true;
        return;
    }
    bool had_members = jw->levels[jw->depth - 1].has_members;
    jw->depth--;
    if (jw->pretty && had_members) {
        newline_indent(jw);
    }
    put(jw, is_object ? "}" : "]", 1);
    end_value(jw);
}

void
jw_object_begin(struct jw *jw)
{
    container_begin(jw, true);
}

void
jw_object_end(struct jw *jw)
{
    container_end(jw, true);
}

void
jw_array_begin(struct jw *jw)
{
    container_begin(jw, false);
}

void
jw_array_end(struct jw *jw)
{
    container_end(jw, false);
}

/* Length of the well-formed UTF-8 sequence at 's' (RFC 3629: no
 * overlong forms, no surrogates, nothing above U+10FFFF), 0 if it is
 * not one. */
static size_t
utf8_sequence_len(const unsigned char *s)
{
    unsigned char c = s[0];

    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xc2 && c <= 0xdf) {
        return (s[1] & 0xc0) == 0x80 ? 2 : 0;
    }
    if (c >= 0xe0 && c <= 0xef) {
        unsigned char lo = c == 0xe0 ? 0xa0 : 0x80;
        unsigned char hi = c == 0xed ? 0x9f : 0xbf;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80) {
            return 0;
        }
        return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned char lo = c == 0xf0 ? 0x90 : 0x80;
        unsigned char hi = c == 0xf4 ? 0x8f : 0xbf;
        if (s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80 ||
            (s[3] & 0xc0) != 0x80) {
            return 0;
        }
        return 4;
    }
    return 0;
}

/* Writes 's' as a JSON string. Bytes that are not valid UTF-8 (names
 * and messages come from the kernel and OVS, which do not promise it)
 * become U+FFFD, so the output is always valid JSON. */
static void
put_quoted(struct jw *jw, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;

    put(jw, "\"", 1);
    while (*p) {
        const unsigned char *run = p;
        /* Copy plain runs at once. */
        while (*p >= 0x20 && *p < 0x80 && *p != '"' && *p != '\\') {
            p++;
        }
        put(jw, (const char *)run, (size_t)(p - run));
        if (!*p) {
            break;
        }
        if (*p == '"') {
            put(jw, "\\\"", 2);
            p++;
        } else if (*p == '\\') {
            put(jw, "\\\\", 2);
            p++;
        } else if (*p < 0x20) {
            char esc[8];
            switch (*p) {
            case '\n':
                put(jw, "\\n", 2);
                break;
            case '\t':
                put(jw, "\\t", 2);
                break;
            case '\r':
                put(jw, "\\r", 2);
                break;
            default:
                snprintf(esc, sizeof esc, "\\u%04x", *p);
                put_str(jw, esc);
                break;
            }
            p++;
        } else {
            size_t n = utf8_sequence_len(p);
            if (n) {
                put(jw, (const char *)p, n);
                p += n;
            } else {
                put(jw, "\\ufffd", 6);
                p++;
            }
        }
    }
    put(jw, "\"", 1);
}

void
jw_key(struct jw *jw, const char *key)
{
    if (jw->failed) {
        return;
    }
    if (!jw->depth || !jw->levels[jw->depth - 1].is_object || jw->after_key ||
        !key) {
        jw->failed = true;
        return;
    }
    struct jw_level *lvl = &jw->levels[jw->depth - 1];
    if (lvl->has_members) {
        put(jw, ",", 1);
    }
    lvl->has_members = true;
    if (jw->pretty) {
        newline_indent(jw);
    }
    put_quoted(jw, key);
    put_str(jw, jw->pretty ? ": " : ":");
    jw->after_key = true;
}

void
jw_string(struct jw *jw, const char *s)
{
    if (!s) {
        jw_null(jw);
        return;
    }
    if (begin_value(jw)) {
        put_quoted(jw, s);
        end_value(jw);
    }
}

void
jw_int(struct jw *jw, int64_t v)
{
    if (begin_value(jw)) {
        char num[24];
        snprintf(num, sizeof num, "%" PRId64, v);
        put_str(jw, num);
        end_value(jw);
    }
}

void
jw_bool(struct jw *jw, bool v)
{
    if (begin_value(jw)) {
        put_str(jw, v ? "true" : "false");
        end_value(jw);
    }
}

void
jw_null(struct jw *jw)
{
    if (begin_value(jw)) {
        put_str(jw, "null");
        end_value(jw);
    }
}
