/* statefile: reads and atomic writes of the state directory's files
 * (statefile.h). */
#include "statefile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The directory of 'path', made when missing. */
static int
make_dir_of(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');
    if (!slash || slash == path) {
        return 0;
    }
    if ((size_t)(slash - path) >= sizeof dir) {
        return -ENAMETOOLONG;
    }
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return mkdir(dir, 0755) && errno != EEXIST ? -errno : 0;
}

static int
write_all(int fd, const char *text)
{
    size_t len = strlen(text), off = 0;
    while (off < len) {
        ssize_t n = write(fd, text + off, len - off);
        if (n < 0 && errno != EINTR) {
            return -errno;
        }
        off += n > 0 ? (size_t)n : 0;
    }
    return 0;
}

/* 'text' and a newline into 'tmp' (created 0644), flushed to disk. */
static int
write_file(const char *tmp, const char *text)
{
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        return -errno;
    }
    int r = write_all(fd, text);
    if (!r) {
        r = write_all(fd, "\n");
    }
    if (!r && fsync(fd)) {
        r = -errno;
    }
    if (close(fd) && !r) {
        r = -errno;
    }
    return r;
}

int
statefile_write(const char *path, const char *text)
{
    char tmp[4200];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp) {
        return -ENAMETOOLONG;
    }
    int r = make_dir_of(path);
    if (!r) {
        r = write_file(tmp, text);
    }
    if (!r && rename(tmp, path)) {
        r = -errno;
    }
    if (r < 0) {
        unlink(tmp);
    }
    return r;
}

int
statefile_read_json(const char *path, json_t **doc, struct oa_err *err)
{
    json_error_t jerr;

    *doc = NULL;
    oa_err_clear(err);
    FILE *f = fopen(path, "re");
    if (!f) {
        return errno == ENOENT ? 0 : oa_err_set_errno(err, -errno, "%s", path);
    }
    *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &jerr);
    fclose(f);
    if (!*doc) {
        return oa_err_set(err, -EBADMSG, "%s:%d:%d: not JSON: %s", path,
                          jerr.line, jerr.column, jerr.text);
    }
    return 0;
}

int
statefile_array(json_t *doc, const char *kind, int version, const char *key,
                json_t **array, char *why, size_t size)
{
    json_t *v = json_object_get(doc, "version");
    *array = json_object_get(doc, key);
    if (!json_is_object(doc) || !json_is_integer(v)) {
        snprintf(why, size, "not an offload-agent %s file (no \"version\")",
                 kind);
        return -EPROTO;
    }
    if (json_integer_value(v) != version) {
        snprintf(why, size, "version %lld, this agent reads version %d",
                 (long long)json_integer_value(v), version);
        return -EPROTO;
    }
    if (!json_is_array(*array)) {
        snprintf(why, size, "%s: %s", key,
                 *array ? "not an array" : "missing");
        return -EINVAL;
    }
    return 0;
}

int
statefile_write_json(const char *path, json_t *doc)
{
    char *text = doc ? json_dumps(doc, JSON_INDENT(2)) : NULL;
    json_decref(doc);
    int r = text ? statefile_write(path, text) : -ENOMEM;
    free(text);
    return r;
}
