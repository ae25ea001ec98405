/* oa_err: the project's error value (err.h). */
#include "oa-common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "oa-common/str.h"

static int err_vset(struct oa_err *err, int code, const char *extack,
                    const char *fmt, va_list args)
    __attribute__((format(printf, 4, 0)));

static int
err_vset(struct oa_err *err, int code, const char *extack, const char *fmt,
         va_list args)
{
    char text[OA_ERR_TEXT_MAX] = "";

    if (!err) {
        return code;
    }
    /* Formatted aside first: the arguments may be err's own text
     * ("%s", err->text), which vsnprintf must not write over while it
     * reads it. */
    if (fmt) {
        vsnprintf(text, sizeof text, fmt, args);
    }
    err->code = code;
    memcpy(err->text, text, sizeof text);
    oa_copy_str(err->extack, sizeof err->extack, extack);
    return code;
}

int
oa_err_set(struct oa_err *err, int code, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    err_vset(err, code, NULL, fmt, args);
    va_end(args);
    return code;
}

int
oa_err_set_extack(struct oa_err *err, int code, const char *extack,
                  const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    err_vset(err, code, extack, fmt, args);
    va_end(args);
    return code;
}

int
oa_err_set_errno(struct oa_err *err, int code, const char *fmt, ...)
{
    struct oa_str text = OA_STR_INIT;
    const char *reason = strerror(code < 0 ? -code : code);
    va_list args;

    va_start(args, fmt);
    oa_str_vprintf(&text, fmt, args);
    va_end(args);
    oa_str_printf(&text, "%s%s", text.len ? ": " : "", reason);
    oa_err_set(err, code, "%s", text.oom ? reason : oa_str_cstr(&text));
    oa_str_free(&text);
    return code;
}

void
oa_err_prefix(struct oa_err *err, const char *fmt, ...)
{
    struct oa_str text = OA_STR_INIT;
    va_list args;

    if (!err) {
        return;
    }
    /* Built in an oa_str, then cut to size: snprintf of two texts of the
     * field's size into it is what -Wformat-truncation rightly flags. */
    va_start(args, fmt);
    oa_str_vprintf(&text, fmt, args);
    va_end(args);
    if (err->text[0]) {
        oa_str_printf(&text, ": %s", err->text);
    } else if (err->code) {
        oa_str_printf(&text, ": %s",
                      strerror(err->code < 0 ? -err->code : err->code));
    }
    if (!text.oom) {
        oa_copy_str(err->text, sizeof err->text, oa_str_cstr(&text));
    }
    oa_str_free(&text);
}

void
oa_err_clear(struct oa_err *err)
{
    if (err) {
        memset(err, 0, sizeof *err);
    }
}

const char *
oa_err_format(const struct oa_err *err, char *buf, size_t size)
{
    struct oa_str out = OA_STR_INIT;
    const char *reason;

    if (!size) {
        return buf;
    }
    if (!err || !err->code) {
        oa_copy_str(buf, size, err && err->text[0] ? err->text : "no error");
        return buf;
    }
    reason = strerror(err->code < 0 ? -err->code : err->code);
    oa_str_puts(&out, err->text[0] ? err->text : reason);
    if (err->extack[0]) {
        oa_str_printf(&out, " (kernel: %s)", err->extack);
    }
    oa_copy_str(buf, size, out.oom ? reason : oa_str_cstr(&out));
    oa_str_free(&out);
    return buf;
}
