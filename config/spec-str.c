/* The spec's own additions to common's oa_str (spec-private.h): JSON
 * paths and quoted values in error messages. */
#include "spec-private.h"

#include <string.h>

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
put_escaped(struct oa_str *b, const char *text, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == '"' || c == '\\') {
            oa_str_printf(b, "\\%c", c);
        } else if (c < 0x20 || c == 0x7f) {
            oa_str_printf(b, "\\u%04x", c);
        } else {
            oa_str_put(b, (const char *)&c, 1);
        }
    }
}

void
spec_str_path_key(struct oa_str *b, const char *key, size_t len)
{
    if (is_identifier(key, len)) {
        oa_str_puts(b, ".");
        oa_str_put(b, key, len);
    } else {
        oa_str_puts(b, "[\"");
        put_escaped(b, key, len);
        oa_str_puts(b, "\"]");
    }
}

void
spec_str_quote(struct oa_str *b, const char *text, size_t len, size_t max)
{
    bool cut = len > max;

    if (cut) {
        /* Do not cut a UTF-8 sequence in half. */
        len = max;
        while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80) {
            len--;
        }
    }
    oa_str_puts(b, "\"");
    put_escaped(b, text, len);
    oa_str_puts(b, cut ? "...\"" : "\"");
}
