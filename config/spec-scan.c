/* The position scanner (spec-private.h): a strict RFC 8259 recursive
 * descent that records where each value and member key starts, and the
 * JSON path of the value it is in when it stops. It decodes member keys
 * (so they compare equal to jansson's) and nothing else: numbers and
 * string values are only checked for shape; jansson owns their
 * meaning, UTF-8 validity included. */
#include "spec-private.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What the scanner is inside of, one frame per open container: a
 * member (key set), an element (is_element), or neither yet. */
struct frame {
    const char *key;
    size_t key_len;
    bool is_element;
    size_t index;
};

struct scanner {
    const unsigned char *p;
    const unsigned char *end;
    unsigned line, col; /* of *p */
    int depth;
    struct frame *frames; /* [SPEC_SCAN_MAX_DEPTH + 1] */
    struct spec_scan *out;
    int error;
};

static void
advance(struct scanner *s)
{
    unsigned char c = *s->p++;
    if (c == '\n') {
        s->line++;
        s->col = 1;
    } else if ((c & 0xc0) != 0x80) {
        /* Columns count characters: a UTF-8 sequence counts once, at
         * its first byte. */
        s->col++;
    }
}

static void
skip_ws(struct scanner *s)
{
    while (s->p < s->end &&
           (*s->p == ' ' || *s->p == '\t' || *s->p == '\n' || *s->p == '\r')) {
        advance(s);
    }
}

/* Records that a token starts here (if one does: not at the end). */
static void
mark_token(struct scanner *s)
{
    if (s->p >= s->end) {
        return;
    }
    s->out->tok_line = s->line;
    s->out->tok_col = s->col;
}

static int
fail(struct scanner *s, int error, const char *msg)
{
    if (s->error) {
        return s->error;
    }
    s->error = error;
    s->out->err_msg = msg;
    s->out->err_line = s->line;
    s->out->err_col = s->col;

    struct oa_str path = {0};
    oa_str_puts(&path, "$");
    for (int i = 0; i < s->depth; i++) {
        const struct frame *f = &s->frames[i];
        if (i == 32) {
            /* Pathologically deep input: a path nobody can read. */
            oa_str_printf(&path, "...(%d levels)", s->depth);
            break;
        }
        if (f->key) {
            spec_str_path_key(&path, f->key, f->key_len);
        } else if (f->is_element) {
            oa_str_printf(&path, "[%zu]", f->index);
        }
    }
    /* NULL after an allocation failure. */
    s->out->err_path = oa_str_steal(&path);
    if (!s->out->err_path) {
        s->error = -ENOMEM;
    }
    return s->error;
}

static void
node_free(struct spec_node *n)
{
    for (size_t i = 0; i < n->n_children; i++) {
        node_free(&n->children[i]);
    }
    free(n->children);
    free(n->key);
}

static int scan_value(struct scanner *, struct spec_node *);

static int
expect(struct scanner *s, const char *literal)
{
    for (const char *l = literal; *l; l++) {
        if (s->p >= s->end) {
            return fail(s, -EINVAL, "unexpected end of input");
        }
        if (*s->p != (unsigned char)*l) {
            return fail(s, -EINVAL, "invalid literal");
        }
        advance(s);
    }
    return 0;
}

static int
scan_hex4(struct scanner *s, uint32_t *value)
{
    *value = 0;
    for (int i = 0; i < 4; i++) {
        if (s->p >= s->end) {
            return fail(s, -EINVAL, "unexpected end of input");
        }
        int h = spec_hex_digit(*s->p);
        if (h < 0) {
            return fail(s, -EINVAL, "invalid \\u escape");
        }
        *value = *value << 4 | (uint32_t)h;
        advance(s);
    }
    return 0;
}

static void
put_utf8(struct oa_str *b, uint32_t cp)
{
    char u[4];
    size_t n;

    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xc0 | cp >> 6);
        u[1] = (char)(0x80 | (cp & 0x3f));
        n = 2;
    } else if (cp < 0x10000) {
        u[0] = (char)(0xe0 | cp >> 12);
        u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[2] = (char)(0x80 | (cp & 0x3f));
        n = 3;
    } else {
        u[0] = (char)(0xf0 | cp >> 18);
        u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
        u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
        u[3] = (char)(0x80 | (cp & 0x3f));
        n = 4;
    }
    oa_str_put(b, u, n);
}

/* Scans a string starting at its opening quote. With 'decoded' set,
 * stores the decoded bytes there (for member keys). */
static int
scan_string(struct scanner *s, struct oa_str *decoded)
{
    advance(s); /* the opening quote */
    for (;;) {
        if (s->p >= s->end) {
            return fail(s, -EINVAL, "unterminated string");
        }
        unsigned char c = *s->p;
        if (c == '"') {
            advance(s);
            return 0;
        } else if (c < 0x20) {
            return fail(s, -EINVAL, "control character in string");
        } else if (c != '\\') {
            if (decoded) {
                oa_str_put(decoded, (const char *)&c, 1);
            }
            advance(s);
            continue;
        }

        advance(s);
        if (s->p >= s->end) {
            return fail(s, -EINVAL, "unterminated string");
        }
        static const char escapes[] = "\"\\/bfnrt";
        static const char decodes[] = "\"\\/\b\f\n\r\t";
        const char *e = *s->p ? strchr(escapes, *s->p) : NULL;
        if (e) {
            if (decoded) {
                oa_str_put(decoded, &decodes[e - escapes], 1);
            }
            advance(s);
        } else if (*s->p == 'u') {
            advance(s);
            uint32_t cp;
            if (scan_hex4(s, &cp)) {
                return s->error;
            }
            if (cp >= 0xd800 && cp <= 0xdbff) {
                /* A high surrogate must be followed by a low one. */
                uint32_t lo;
                if (expect(s, "\\u") || scan_hex4(s, &lo)) {
                    return fail(s, -EINVAL, "invalid surrogate pair");
                }
                if (lo < 0xdc00 || lo > 0xdfff) {
                    return fail(s, -EINVAL, "invalid surrogate pair");
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                return fail(s, -EINVAL, "invalid surrogate pair");
            }
            if (decoded) {
                put_utf8(decoded, cp);
            }
        } else {
            return fail(s, -EINVAL, "invalid escape");
        }
    }
}

static bool
at_digit(const struct scanner *s)
{
    return s->p < s->end && *s->p >= '0' && *s->p <= '9';
}

static int
scan_digits(struct scanner *s)
{
    if (!at_digit(s)) {
        return fail(s, -EINVAL, "invalid number");
    }
    while (at_digit(s)) {
        advance(s);
    }
    return 0;
}

static int
scan_number(struct scanner *s)
{
    if (*s->p == '-') {
        advance(s);
    }
    if (s->p < s->end && *s->p == '0') {
        advance(s);
    } else if (scan_digits(s)) {
        return s->error;
    }
    if (s->p < s->end && *s->p == '.') {
        advance(s);
        if (scan_digits(s)) {
            return s->error;
        }
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        advance(s);
        if (s->p < s->end && (*s->p == '+' || *s->p == '-')) {
            advance(s);
        }
        if (scan_digits(s)) {
            return s->error;
        }
    }
    return 0;
}

static int
add_child(struct scanner *s, struct spec_node *parent, size_t *cap,
          const struct spec_node *child)
{
    if (parent->n_children == *cap) {
        size_t n = *cap ? *cap * 2 : 4;
        struct spec_node *c = realloc(parent->children, n * sizeof *c);
        if (!c) {
            return fail(s, -ENOMEM, "out of memory");
        }
        parent->children = c;
        *cap = n;
    }
    parent->children[parent->n_children++] = *child;
    return 0;
}

static int
enter(struct scanner *s, struct spec_node *n, enum spec_node_kind kind)
{
    n->kind = kind;
    advance(s); /* '{' or '[' */
    if (s->depth >= SPEC_SCAN_MAX_DEPTH) {
        return fail(s, -EINVAL, "nesting too deep");
    }
    s->depth++;
    return 0;
}

static int
scan_object(struct scanner *s, struct spec_node *obj)
{
    struct frame *f;
    size_t cap = 0;

    if (enter(s, obj, SPEC_NODE_OBJECT)) {
        return s->error;
    }
    f = &s->frames[s->depth - 1];
    *f = (struct frame){.key = NULL};
    skip_ws(s);
    mark_token(s);
    if (s->p < s->end && *s->p == '}') {
        advance(s);
        s->depth--;
        return 0;
    }
    for (;;) {
        struct spec_node child = {0};
        struct oa_str key = {0};

        if (s->p >= s->end || *s->p != '"') {
            return fail(s, -EINVAL,
                        s->p >= s->end ? "unexpected end of input"
                                       : "expected a member key");
        }
        child.key_line = s->line;
        child.key_col = s->col;
        oa_str_put(&key, "", 0);
        if (scan_string(s, &key)) {
            oa_str_free(&key);
            return s->error;
        }
        if (key.oom) {
            oa_str_free(&key);
            return fail(s, -ENOMEM, "out of memory");
        }
        child.key_len = key.len;
        child.key = oa_str_steal(&key); /* not NULL: checked above */
        f->key = child.key;
        f->key_len = child.key_len;

        skip_ws(s);
        mark_token(s);
        if (s->p >= s->end || *s->p != ':') {
            fail(s, -EINVAL, "expected ':'");
            free(child.key);
            return s->error;
        }
        advance(s);
        if (scan_value(s, &child) || add_child(s, obj, &cap, &child)) {
            node_free(&child);
            return s->error;
        }

        /* The member stays in the path until the next one starts: a
         * token cut short right after a value is about that value. */
        skip_ws(s);
        mark_token(s);
        if (s->p < s->end && *s->p == ',') {
            f->key = NULL;
            advance(s);
            skip_ws(s);
            mark_token(s);
        } else if (s->p < s->end && *s->p == '}') {
            advance(s);
            s->depth--;
            return 0;
        } else {
            return fail(s, -EINVAL, "expected ',' or '}'");
        }
    }
}

static int
scan_array(struct scanner *s, struct spec_node *arr)
{
    struct frame *f;
    size_t cap = 0;

    if (enter(s, arr, SPEC_NODE_ARRAY)) {
        return s->error;
    }
    f = &s->frames[s->depth - 1];
    *f = (struct frame){.key = NULL};
    skip_ws(s);
    mark_token(s);
    if (s->p < s->end && *s->p == ']') {
        advance(s);
        s->depth--;
        return 0;
    }
    for (;;) {
        struct spec_node child = {0};

        f->is_element = true;
        f->index = arr->n_children;
        if (scan_value(s, &child) || add_child(s, arr, &cap, &child)) {
            node_free(&child);
            return s->error;
        }
        skip_ws(s);
        mark_token(s);
        if (s->p < s->end && *s->p == ',') {
            advance(s);
        } else if (s->p < s->end && *s->p == ']') {
            advance(s);
            s->depth--;
            return 0;
        } else {
            return fail(s, -EINVAL, "expected ',' or ']'");
        }
    }
}

static int
scan_value(struct scanner *s, struct spec_node *n)
{
    skip_ws(s);
    mark_token(s);
    if (s->p >= s->end) {
        return fail(s, -EINVAL, "unexpected end of input");
    }
    n->kind = SPEC_NODE_SCALAR;
    n->line = s->line;
    n->col = s->col;
    switch (*s->p) {
    case '{':
        return scan_object(s, n);
    case '[':
        return scan_array(s, n);
    case '"':
        return scan_string(s, NULL);
    case 't':
        return expect(s, "true");
    case 'f':
        return expect(s, "false");
    case 'n':
        return expect(s, "null");
    case '-':
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7':
    case '8':
    case '9':
        return scan_number(s);
    default:
        return fail(s, -EINVAL, "invalid token");
    }
}

int
spec_scan(const char *data, size_t len, struct spec_scan *scan)
{
    struct scanner s = {
        .p = (const unsigned char *)data,
        .end = (const unsigned char *)data + len,
        .line = 1,
        .col = 1,
        .out = scan,
    };

    *scan = (struct spec_scan){.tok_line = 1, .tok_col = 1};
    s.frames = calloc(SPEC_SCAN_MAX_DEPTH + 1, sizeof *s.frames);
    if (!s.frames) {
        return -ENOMEM;
    }
    if (!scan_value(&s, &scan->root)) {
        skip_ws(&s);
        mark_token(&s);
        if (s.p < s.end) {
            fail(&s, -EINVAL, "end of input expected");
        }
    }
    free(s.frames);
    return s.error;
}

void
spec_scan_release(struct spec_scan *scan)
{
    if (scan) {
        node_free(&scan->root);
        free(scan->err_path);
        *scan = (struct spec_scan){0};
    }
}

const struct spec_node *
spec_node_member(const struct spec_node *obj, const char *key)
{
    if (!obj || obj->kind != SPEC_NODE_OBJECT) {
        return NULL;
    }
    for (size_t i = 0; i < obj->n_children; i++) {
        if (!strcmp(obj->children[i].key, key)) {
            return &obj->children[i];
        }
    }
    return NULL;
}

const struct spec_node *
spec_node_element(const struct spec_node *arr, size_t i)
{
    if (!arr || arr->kind != SPEC_NODE_ARRAY || i >= arr->n_children) {
        return NULL;
    }
    return &arr->children[i];
}
