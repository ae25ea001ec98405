/* Host spec v1: load with jansson, locate with the position scanner,
 * then validate (spec-validate.c). Also the small whole-spec helpers. */
#include "offload/spec.h"

#include "spec-errors.h"
#include "spec-private.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Reports a jansson parse error. jansson positions the error after
 * the token it choked on and knows no path; the scanner, run over the
 * input up to that point, gives the path and the token's start. */
static int
report_parse_error(struct spec_errors *errs, const char *data, size_t len,
                   const json_error_t *jerr)
{
    enum json_error_code code = json_error_code(jerr);
    size_t cut = jerr->position < 0 ? 0 : (size_t)jerr->position;
    struct spec_scan scan;
    enum spec_error_class class = SPEC_E_SYNTAX;
    char *msg = NULL;
    int r;

    if (cut > len) {
        cut = len;
    }
    r = spec_scan(data, cut, &scan);
    if (r == -ENOMEM) {
        spec_scan_release(&scan);
        return r;
    }

    unsigned line = scan.tok_line, col = scan.tok_col;
    switch (code) {
    case json_error_duplicate_key:
        class = SPEC_E_DUPLICATE;
        r = asprintf(&msg, "duplicate key");
        break;
    case json_error_numeric_overflow:
        class = SPEC_E_RANGE;
        r = asprintf(&msg, "number out of range (%s)", jerr->text);
        break;
    case json_error_invalid_utf8:
        class = SPEC_E_ENCODING;
        r = asprintf(&msg, "not valid UTF-8 (%s)", jerr->text);
        break;
    case json_error_null_character:
    case json_error_null_byte_in_key:
        class = SPEC_E_ENCODING;
        r = asprintf(&msg, "NUL characters (\\u0000) are not allowed");
        break;
    case json_error_stack_overflow:
        r = asprintf(&msg, "invalid JSON: nested more than %d levels deep",
                     SPEC_SCAN_MAX_DEPTH);
        break;
    case json_error_premature_end_of_input:
        /* Point at the end of the input, not at the last token. */
        if (scan.err_line) {
            line = scan.err_line;
            col = scan.err_col;
        }
        r = asprintf(&msg, "invalid JSON: %s", jerr->text);
        break;
    default:
        r = asprintf(&msg, "invalid JSON: %s", jerr->text);
        break;
    }
    r = spec_errors_add(errs, class, line, col,
                        scan.err_path ? scan.err_path : "$",
                        r < 0 ? NULL : msg);
    spec_scan_release(&scan);
    return r;
}

/* A NUL byte: jansson would take it for the end of the input in some
 * places, so it is refused before jansson sees it, at its position. */
static int
report_nul(struct spec_errors *errs, const char *data, const char *nul)
{
    struct spec_scan scan;
    int r = spec_scan(data, (size_t)(nul - data), &scan);

    if (r != -ENOMEM) {
        /* The scan of what precedes the NUL ends at the NUL. */
        r = spec_errors_addf(errs, SPEC_E_ENCODING,
                             scan.err_line ? scan.err_line : 1,
                             scan.err_line ? scan.err_col : 1,
                             scan.err_path ? scan.err_path : "$",
                             "NUL byte in the file: a spec is UTF-8 text");
    }
    spec_scan_release(&scan);
    return r;
}

/* JSON white space only. Not strchr(): it would match a NUL byte (the
 * terminator), and a file of NULs would pass for an empty one. */
static bool
is_blank(const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = data[i];
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
            return false;
        }
    }
    return true;
}

static int add_simple(struct spec_errors *errs, enum spec_error_class class,
                      const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
add_simple(struct spec_errors *errs, enum spec_error_class class,
           const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    int r = spec_errors_vaddf(errs, class, class == SPEC_E_IO ? 0 : 1,
                              class == SPEC_E_IO ? 0 : 1, "$", fmt, args);
    va_end(args);
    return r;
}

/* jansson (2.14) does not always report running out of memory while
 * loading: its lexer ignores a failure to grow the token buffer
 * (lex_save()) and goes on with a character missing, so "netdevsim1"
 * can load as "netdvsim1" and 1024 as 104, and other failures come out
 * as syntax errors. So every allocation jansson makes goes through
 * note_malloc(), which chains to the functions installed before and
 * notes a failure; load() then refuses the document with -ENOMEM. The
 * wrappers are installed once per process and allocate exactly as the
 * functions they wrap, so values allocated before stay compatible. */
static json_malloc_t chained_malloc;
static _Thread_local bool jansson_malloc_failed;

static void *
note_malloc(size_t size)
{
    void *p = chained_malloc(size);
    if (!p) {
        jansson_malloc_failed = true;
    }
    return p;
}

static json_t *
loadb_noting_failures(const char *data, size_t len, json_error_t *jerr,
                      bool *malloc_failed)
{
    json_malloc_t cur_malloc;
    json_free_t cur_free;

    json_get_alloc_funcs(&cur_malloc, &cur_free);
    if (cur_malloc != note_malloc) {
        chained_malloc = cur_malloc;
        json_set_alloc_funcs(note_malloc, cur_free);
    }
    jansson_malloc_failed = false;
    json_t *json = json_loadb(data, len, JSON_REJECT_DUPLICATES, jerr);
    *malloc_failed = jansson_malloc_failed;
    return json;
}

/* Parses, locates and validates; adds every problem to 'errs'. Returns
 * 0 with a spec, -EINVAL, or -ENOMEM. */
static int
load(struct spec_errors *errs, const char *file, const char *data, size_t len,
     struct spec **specp)
{
    json_error_t jerr;
    json_t *json;
    int r;

    *specp = NULL;
    if (len > SPEC_MAX_BYTES) {
        r = add_simple(errs, SPEC_E_LIMIT,
                       "the spec is too large: %zu bytes, the limit is %d",
                       len, SPEC_MAX_BYTES);
        return r ? r : -EINVAL;
    }
    /* Editors on some systems start files with a UTF-8 byte order mark;
     * it is not part of the text (and takes no column). */
    if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3)) {
        data += 3;
        len -= 3;
    }
    if (is_blank(data, len)) {
        r = add_simple(errs, SPEC_E_SYNTAX,
                       "the spec is empty: expected a JSON object");
        return r ? r : -EINVAL;
    }

    const char *nul = memchr(data, '\0', len);
    if (nul) {
        r = report_nul(errs, data, nul);
        return r ? r : -EINVAL;
    }

    bool malloc_failed;
    json = loadb_noting_failures(data, len, &jerr, &malloc_failed);
    if (malloc_failed) {
        json_decref(json);
        return -ENOMEM;
    }
    if (!json) {
        r = report_parse_error(errs, data, len, &jerr);
        return r ? r : -EINVAL;
    }

    struct spec_scan scan;
    r = spec_scan(data, len, &scan);
    if (r) {
        if (r == -EINVAL) {
            /* jansson accepted what the scanner did not: a bug on our
             * side, but never a reason to accept the spec unchecked. */
            r = spec_errors_addf(errs, SPEC_E_INTERNAL, scan.err_line,
                                 scan.err_col, scan.err_path,
                                 "internal error: position scanner: %s",
                                 scan.err_msg);
        }
        spec_scan_release(&scan);
        json_decref(json);
        return r ? r : -EINVAL;
    }

    r = spec_validate(errs, file, json, &scan.root, specp);
    spec_scan_release(&scan);
    json_decref(json);
    return r;
}

int
spec_load_buffer(const char *file, const void *data, size_t len,
                 struct spec **specp, struct spec_errors **errorsp)
{
    struct spec_errors *errs = spec_errors_create(file);
    int r;

    *specp = NULL;
    *errorsp = NULL;
    if (!errs) {
        return -ENOMEM;
    }
    r = load(errs, spec_errors_get_file(errs), data, len, specp);
    if (r == -ENOMEM || spec_errors_sort(errs)) {
        spec_destroy(*specp);
        *specp = NULL;
        spec_errors_destroy(errs);
        return -ENOMEM;
    }
    *errorsp = errs;
    return r;
}

/* Reads a whole regular file of at most SPEC_MAX_BYTES. Caller frees
 * '*datap'. */
static int
read_file(const char *path, char **datap, size_t *lenp)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat st;
    char *data = NULL;
    size_t len = 0;
    int r = 0;

    if (fd < 0) {
        return -errno;
    }
    if (fstat(fd, &st) < 0) {
        r = -errno;
        goto out;
    }
    if (S_ISDIR(st.st_mode)) {
        r = -EISDIR;
        goto out;
    }
    /* Read up to one byte past the limit: that is how a file whose size
     * stat() does not know (a pipe) is found too large. */
    data = malloc(SPEC_MAX_BYTES + 1);
    if (!data) {
        r = -ENOMEM;
        goto out;
    }
    while (len < SPEC_MAX_BYTES + 1) {
        ssize_t n = read(fd, data + len, SPEC_MAX_BYTES + 1 - len);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            r = -errno;
            goto out;
        }
        if (n == 0) {
            break;
        }
        len += (size_t)n;
    }
    if (len > SPEC_MAX_BYTES) {
        r = -EFBIG;
        goto out;
    }
    *datap = data;
    *lenp = len;
    data = NULL;
out:
    free(data);
    close(fd);
    return r;
}

int
spec_load_file(const char *path, struct spec **specp,
               struct spec_errors **errorsp)
{
    char *data = NULL;
    size_t len = 0;
    int r;

    *specp = NULL;
    *errorsp = NULL;
    r = read_file(path, &data, &len);
    if (r == 0) {
        r = spec_load_buffer(path, data, len, specp, errorsp);
        free(data);
        return r;
    }
    if (r == -ENOMEM) {
        return r;
    }

    struct spec_errors *errs = spec_errors_create(path);
    if (!errs) {
        return -ENOMEM;
    }
    int r2 = r == -EFBIG
                 ? add_simple(errs, SPEC_E_LIMIT,
                              "the spec is too large: more than %d bytes",
                              SPEC_MAX_BYTES)
                 : add_simple(errs, SPEC_E_IO, "cannot read the spec: %s",
                              strerror(-r));
    if (r2) {
        spec_errors_destroy(errs);
        return r2;
    }
    *errorsp = errs;
    return r;
}

void
spec_destroy(struct spec *spec)
{
    if (!spec) {
        return;
    }
    free(spec->file);
    free(spec->ovs.db);
    for (size_t i = 0; i < spec->n_bridges; i++) {
        free(spec->bridges[i].name);
    }
    free(spec->bridges);
    for (size_t i = 0; i < spec->n_pfs; i++) {
        struct spec_pf *pf = &spec->pfs[i];
        free(pf->id);
        free(pf->vf_driver);
        free(pf->bridge);
        free(pf->vfs);
    }
    free(spec->pfs);
    for (size_t i = 0; i < spec->n_bonds; i++) {
        free(spec->bonds[i].name);
        free(spec->bonds[i].bridge);
    }
    free(spec->bonds);
    free(spec);
}

static bool
str_equal(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

static bool
vf_equal(const struct spec_vf *a, const struct spec_vf *b)
{
    return a->index == b->index && a->has_mac == b->has_mac &&
           (!a->has_mac || !memcmp(a->mac, b->mac, 6)) && a->vlan == b->vlan &&
           a->trust == b->trust && a->spoofchk == b->spoofchk &&
           a->attach == b->attach && a->vdpa.driver == b->vdpa.driver &&
           !strcmp(a->vdpa.name, b->vdpa.name) &&
           !strcmp(a->vdpa.mgmtdev, b->vdpa.mgmtdev) &&
           a->vdpa.max_vqp == b->vdpa.max_vqp && a->vdpa.mtu == b->vdpa.mtu;
}

static bool
pf_equal(const struct spec_pf *a, const struct spec_pf *b)
{
    if (a->key != b->key || !str_equal(a->id, b->id) ||
        a->eswitch != b->eswitch || a->inline_mode != b->inline_mode ||
        a->encap_mode != b->encap_mode ||
        a->steering_mode != b->steering_mode || a->num_vfs != b->num_vfs ||
        !str_equal(a->vf_driver, b->vf_driver) ||
        a->hw_tc_offload != b->hw_tc_offload ||
        !str_equal(a->bridge, b->bridge) ||
        a->attach_uplink != b->attach_uplink ||
        a->disruptive != b->disruptive || a->n_vfs != b->n_vfs) {
        return false;
    }
    for (size_t i = 0; i < a->n_vfs; i++) {
        if (!vf_equal(&a->vfs[i], &b->vfs[i])) {
            return false;
        }
    }
    return true;
}

static bool
bond_equal(const struct spec_bond *a, const struct spec_bond *b)
{
    return str_equal(a->name, b->name) && a->mode == b->mode &&
           !memcmp(a->pfs, b->pfs, sizeof a->pfs) &&
           a->miimon_ms == b->miimon_ms && a->xmit_hash == b->xmit_hash &&
           a->lacp_rate == b->lacp_rate && str_equal(a->bridge, b->bridge);
}

bool
spec_equal(const struct spec *a, const struct spec *b)
{
    if (!a || !b) {
        return a == b;
    }
    if (a->version != b->version || !str_equal(a->ovs.db, b->ovs.db) ||
        a->ovs.hw_offload != b->ovs.hw_offload ||
        a->ovs.tc_policy != b->ovs.tc_policy ||
        a->ovs.max_idle_ms != b->ovs.max_idle_ms ||
        a->n_bridges != b->n_bridges || a->n_pfs != b->n_pfs ||
        a->n_bonds != b->n_bonds) {
        return false;
    }
    for (size_t i = 0; i < a->n_bonds; i++) {
        if (!bond_equal(&a->bonds[i], &b->bonds[i])) {
            return false;
        }
    }
    for (size_t i = 0; i < a->n_bridges; i++) {
        if (!str_equal(a->bridges[i].name, b->bridges[i].name)) {
            return false;
        }
    }
    for (size_t i = 0; i < a->n_pfs; i++) {
        if (!pf_equal(&a->pfs[i], &b->pfs[i])) {
            return false;
        }
    }
    return true;
}

const struct spec_bond *
spec_pf_bond(const struct spec *spec, size_t pf_index)
{
    for (size_t i = 0; spec && i < spec->n_bonds; i++) {
        const struct spec_bond *b = &spec->bonds[i];
        for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
            if (b->pfs[j] == pf_index) {
                return b;
            }
        }
    }
    return NULL;
}

unsigned
spec_total_vfs(const struct spec *spec)
{
    unsigned n = 0;
    for (size_t i = 0; spec && i < spec->n_pfs; i++) {
        n += spec->pfs[i].num_vfs;
    }
    return n;
}

int
spec_vdpa_name(const struct spec_pf *pf, const struct spec_vf *vf,
               char buf[SPEC_VDPA_NAME_MAX])
{
    if (vf->vdpa.name[0]) {
        memcpy(buf, vf->vdpa.name, SPEC_VDPA_NAME_MAX);
        return 0;
    }
    int n = snprintf(buf, SPEC_VDPA_NAME_MAX, "oa-%s-vf%u",
                     pf->id ? pf->id : "", vf->index);
    if (n < 0 || n >= SPEC_VDPA_NAME_MAX) {
        buf[0] = '\0';
        return -ENAMETOOLONG;
    }
    for (char *p = buf + 3; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_' || *p == '.' ||
                  *p == '-';
        if (!ok) {
            *p = '_';
        }
    }
    return 0;
}
