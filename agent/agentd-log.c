/* agentd: the daemon's log (see agentd.h). One write(2) per line, so
 * that the main loop and the control thread never interleave inside a
 * line; the journal keeps the <N> priority prefix as the level. */
#include "agentd.h"

#include "oa-common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

/* Written once before any thread starts, read-only afterwards. */
static int log_level = LOG_INFO;

void
agentd_log_set_level(int level)
{
    log_level = level;
}

/* Multi-line text (kernel messages) would split the journal entry. */
static void
one_line(char *s)
{
    for (char *p = s; *p; p++) {
        if (*p == '\n') {
            *p = ' ';
        }
    }
}

static void
emit(int level, const char *text)
{
    char buf[2048];
    int n = snprintf(buf, sizeof buf - 1, "<%d>%s", level, text);

    if (n < 0) {
        return;
    }
    if ((size_t)n > sizeof buf - 2) {
        n = sizeof buf - 2;
    }
    one_line(buf);
    buf[n++] = '\n';
    if (write(STDERR_FILENO, buf, (size_t)n) < 0) {
        /* Nowhere left to say it. */
    }
}

void
agentd_log(int level, const char *fmt, ...)
{
    char text[2000];
    va_list ap;

    if (level > log_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    emit(level, text);
}

char *
agentd_log_format(char *buf, size_t size, const char *object, int r,
                  const char *message)
{
    const char *reason = r ? strerror(r < 0 ? -r : r) : "";

    if (!message) {
        message = "";
    }
    /* Messages that carry an error text already (apply's, the kernel's)
     * often end in it: say it once. */
    if (*reason && strstr(message, reason)) {
        reason = "";
    }
    snprintf(buf, size, "%s%s%s%s%s", object ? object : "", object ? ": " : "",
             message, *message && *reason ? ": " : "", reason);
    one_line(buf);
    return buf;
}

int
agentd_log_errno(int level, const char *object, int r, const char *fmt, ...)
{
    char message[1200], line[2000];
    va_list ap;

    if (level > log_level) {
        return r;
    }
    va_start(ap, fmt);
    vsnprintf(message, sizeof message, fmt, ap);
    va_end(ap);
    emit(level, agentd_log_format(line, sizeof line, object, r, message));
    return r;
}

int
agentd_log_err(int level, const char *object, const struct oa_err *err)
{
    char text[OA_ERR_FORMAT_MAX];

    if (level <= log_level) {
        oa_err_format(err, text, sizeof text);
        agentd_log(level, "%s%s%s", object ? object : "", object ? ": " : "",
                   text);
    }
    return err->code;
}
