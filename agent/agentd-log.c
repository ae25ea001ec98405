/* agentd: the daemon's log (see agentd.h). One write(2) per line, so
 * that the main loop and the control thread never interleave inside a
 * line; the journal keeps the <N> priority prefix as the level. Lines
 * with structured fields go to journald's native socket when stderr is
 * the journal (sd_journal_sendv: one datagram, as atomic as the write). */
#include "agentd.h"

#include "oa-common/err.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

/* Written once before any thread starts, read-only afterwards. */
static int log_level = LOG_INFO;
static bool to_journal; /* stderr is journald's stream for this process */

/* systemd sets $JOURNAL_STREAM to "DEV:INODE" of the stream it connected
 * stderr to; a redirection since (a test's 2>file) changes the inode. */
static bool
stderr_is_journal(void)
{
    const char *env = getenv("JOURNAL_STREAM");
    unsigned long long dev, ino;
    struct stat st;

    return env && sscanf(env, "%llu:%llu", &dev, &ino) == 2 &&
           fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev &&
           st.st_ino == ino;
}

void
agentd_log_set_level(int level)
{
    log_level = level;
    to_journal = stderr_is_journal();
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

/* The fields as journal entries into 'iov' (strings in 'buf'). */
static size_t
journal_fields(struct iovec *iov, char (*buf)[128],
               const struct agentd_log_fields *f)
{
    const char *names[] = {"MESSAGE_ID", "OFFLOAD_AGENT_PF",
                           "OFFLOAD_AGENT_STEP"};
    const char *values[] = {f->message_id, f->pf, f->step};
    size_t n = 0;

    for (size_t i = 0; i < 3; i++) {
        if (values[i] && *values[i]) {
            snprintf(buf[n], sizeof buf[n], "%s=%s", names[i], values[i]);
            iov[n].iov_base = buf[n];
            iov[n].iov_len = strlen(buf[n]);
            n++;
        }
    }
    if (f->vf >= 0) {
        snprintf(buf[n], sizeof buf[n], "OFFLOAD_AGENT_VF=%d", f->vf);
        iov[n].iov_base = buf[n];
        iov[n].iov_len = strlen(buf[n]);
        n++;
    }
    return n;
}

/* One entry with MESSAGE, PRIORITY, the identifier and the fields. */
static int
send_journal(int level, const struct agentd_log_fields *f, const char *text)
{
    char fields[4][128], head[2][64], message[2048];
    struct iovec iov[7];
    size_t n = journal_fields(iov, fields, f);

    snprintf(head[0], sizeof head[0], "PRIORITY=%d", level);
    snprintf(head[1], sizeof head[1], "SYSLOG_IDENTIFIER=offload-agent");
    snprintf(message, sizeof message, "MESSAGE=%s", text);
    one_line(message);
    iov[n++] = (struct iovec){head[0], strlen(head[0])};
    iov[n++] = (struct iovec){head[1], strlen(head[1])};
    iov[n++] = (struct iovec){message, strlen(message)};
    return sd_journal_sendv(iov, (int)n);
}

void
agentd_log_with(int level, const struct agentd_log_fields *fields,
                const char *fmt, ...)
{
    char text[2000];
    va_list ap;

    if (level > log_level) {
        return;
    }
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (!to_journal || !fields || send_journal(level, fields, text) < 0) {
        emit(level, text);
    }
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
