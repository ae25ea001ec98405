/* doctor: the reader, the findings, the run and the renderings
 * (doctor.h). The checks live in doctor-*.c. */
#include "doctor.h"

#include "contract.h"
#include "jw.h"
#include "oa-common/file.h"
#include "oa-common/str.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct doctor_check checks[] = {
    {"pcie-link",
     "PCIe links trained below what the device and its port "
     "allow",
     doctor_check_pcie_link, true},
    {"pci-bar",
     "BARs the kernel could not assign; virtio devices bound "
     "legacy because of it",
     doctor_check_pci_bar, true},
    {"sriov", "SR-IOV capable functions whose firmware has SR-IOV off",
     doctor_check_sriov, true},
    {"prereq", "vDPA/DPDK prerequisites: IOMMU, passthrough, hugepages",
     doctor_check_prereq, true},
    {"irq-numa", "NIC interrupts served only by CPUs of another NUMA node",
     doctor_check_irq_numa, true},
    {"nic-drops",
     "NIC drop counters growing over --interval, with the "
     "likely cause",
     doctor_check_nic_drops, true},
    {"ovs-offload",
     "OVS datapath flows not offloaded although hw-offload "
     "is on",
     doctor_check_ovs_offload, true},
    {"tc-rules",
     "tc rules not in hardware per netdev, with the cause (skip_hw, "
     "hw-tc-offload, a driver that cannot, a refusal)",
     doctor_check_tc_rules, true},
    {"vdpa-features",
     "vDPA devices whose driver negotiated legacy virtio (no VERSION_1)",
     doctor_check_vdpa_features, true},
    {"devlink-health", "devlink health reporters in error (firmware, queues)",
     doctor_check_devlink_health, true},
};

const struct doctor_check *
doctor_checks(size_t *n)
{
    *n = sizeof checks / sizeof checks[0];
    return checks;
}

/* ---- The reader ---------------------------------------------------------- */

/* The path of 'rel' under the root; false when it does not fit. */
static bool
abs_path(const struct doctor *d, const char *rel, char *out, size_t size)
{
    int n = snprintf(out, size, "%s/%s", d->root ? d->root : "", rel);
    return n >= 0 && (size_t)n < size;
}

int
doctor_read(const struct doctor *d, const char *rel, char *buf, size_t size)
{
    char path[1024];
    if (!abs_path(d, rel, path, sizeof path)) {
        return -ENAMETOOLONG;
    }
    return oa_read_small(path, buf, size);
}

ssize_t
doctor_read_bytes(const struct doctor *d, const char *rel, void *buf,
                  size_t size)
{
    char path[1024];
    if (!abs_path(d, rel, path, sizeof path)) {
        return -ENAMETOOLONG;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    ssize_t n = read(fd, buf, size);
    int err = errno;
    close(fd);
    return n < 0 ? -err : n;
}

int
doctor_readf(const struct doctor *d, char *buf, size_t size, const char *fmt,
             ...)
{
    char rel[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(rel, sizeof rel, fmt, args);
    va_end(args);
    return doctor_read(d, rel, buf, size);
}

int
doctor_readlink(const struct doctor *d, const char *rel, char *buf,
                size_t size)
{
    char path[1024];
    if (!abs_path(d, rel, path, sizeof path)) {
        return -ENAMETOOLONG;
    }
    ssize_t n = readlink(path, buf, size - 1);
    if (n < 0) {
        return -errno;
    }
    buf[n] = '\0';
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

char **
doctor_list(const struct doctor *d, const char *rel)
{
    char path[1024];
    if (!abs_path(d, rel, path, sizeof path)) {
        return NULL;
    }
    size_t n = 0, cap = 16;
    char **names = calloc(cap + 1, sizeof *names);
    DIR *dir = names ? opendir(path) : NULL;
    struct dirent *de;
    while (dir && (de = readdir(dir))) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
            continue;
        }
        if (n == cap) {
            char **bigger = realloc(names, (2 * cap + 1) * sizeof *names);
            if (!bigger) {
                break;
            }
            names = bigger;
            cap *= 2;
        }
        names[n] = strdup(de->d_name);
        n += names[n] != NULL;
        names[n] = NULL;
    }
    if (dir) {
        closedir(dir);
    }
    if (names) {
        qsort(names, n, sizeof *names, cmp_names);
    }
    return names;
}

void
doctor_names_free(char **names)
{
    for (size_t i = 0; names && names[i]; i++) {
        free(names[i]);
    }
    free(names);
}

char *
doctor_slurp(const struct doctor *d, const char *rel)
{
    char path[1024], chunk[4096];
    if (!abs_path(d, rel, path, sizeof path)) {
        return NULL;
    }
    FILE *f = fopen(path, "re");
    if (!f) {
        return NULL;
    }
    struct oa_str s = OA_STR_INIT;
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        oa_str_put(&s, chunk, n);
    }
    fclose(f);
    return oa_str_steal(&s);
}

/* One kmsg record "PRI,SEQ,USEC,FLAGS;MESSAGE" (its continuation lines,
 * which start with a space, dropped) or a dmesg line "[   1.23] MESSAGE"
 * or a bare message: appends MESSAGE and a newline. */
static void
kmsg_put_line(struct oa_str *out, const char *line, size_t len)
{
    if (!len || line[0] == ' ') {
        return;
    }
    const char *semi = memchr(line, ';', len);
    const char *comma = memchr(line, ',', len);
    if (semi && comma && comma < semi && line[0] >= '0' && line[0] <= '9') {
        len -= (size_t)(semi + 1 - line);
        line = semi + 1;
    } else if (line[0] == '[') {
        const char *close = memchr(line, ']', len);
        if (close) {
            len -= (size_t)(close + 1 - line);
            line = close + 1;
            while (len && *line == ' ') {
                line++, len--;
            }
        }
    }
    oa_str_put(out, line, len);
    oa_str_putc(out, '\n');
}

/* Live: every record /dev/kmsg still holds (one per read()), without
 * blocking at the end. */
static char *
kmsg_live(void)
{
    int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        return NULL;
    }
    struct oa_str s = OA_STR_INIT;
    char rec[8192];
    for (;;) {
        ssize_t n = read(fd, rec, sizeof rec - 1);
        if (n < 0 && errno == EPIPE) {
            continue; /* overwritten while reading: go on */
        }
        if (n <= 0) {
            break;
        }
        char *nl = memchr(rec, '\n', (size_t)n);
        kmsg_put_line(&s, rec, nl ? (size_t)(nl - rec) : (size_t)n);
    }
    close(fd);
    return oa_str_steal(&s);
}

const char *
doctor_kmsg(struct doctor *d)
{
    if (d->kmsg_loaded) {
        return d->kmsg ? d->kmsg : "";
    }
    d->kmsg_loaded = true;
    if (!d->root) {
        d->kmsg = kmsg_live();
        return d->kmsg ? d->kmsg : "";
    }
    char *raw = doctor_slurp(d, "dev/kmsg");
    struct oa_str s = OA_STR_INIT;
    for (const char *p = raw; p && *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        kmsg_put_line(&s, p, len);
        p += len + (nl != NULL);
    }
    free(raw);
    d->kmsg = oa_str_steal(&s);
    return d->kmsg ? d->kmsg : "";
}

/* ---- Findings ------------------------------------------------------------ */

static char *
dup_or_oom(struct doctor *d, const char *s)
{
    char *copy = strdup(s ? s : "");
    d->oom |= copy == NULL;
    return copy;
}

void
doctor_add(struct doctor *d, const char *check, enum doctor_severity severity,
           const char *object, const char *what, const char *const *evidence,
           const char *fix)
{
    if (d->n_findings == d->cap_findings) {
        size_t cap = d->cap_findings ? 2 * d->cap_findings : 8;
        struct doctor_finding *f = realloc(d->findings, cap * sizeof *f);
        if (!f) {
            d->oom = true;
            return;
        }
        d->findings = f;
        d->cap_findings = cap;
    }
    struct doctor_finding *f = &d->findings[d->n_findings++];
    memset(f, 0, sizeof *f);
    f->check = check;
    f->severity = severity;
    f->object = dup_or_oom(d, object);
    f->what = dup_or_oom(d, what);
    f->fix = dup_or_oom(d, fix);
    for (size_t i = 0; evidence && evidence[i] && i < DOCTOR_MAX_EVIDENCE;
         i++) {
        f->evidence[f->n_evidence++] = dup_or_oom(d, evidence[i]);
    }
}

void
doctor_skip(struct doctor *d, const char *check, const char *fmt, ...)
{
    if (d->n_skips == d->cap_skips) {
        size_t cap = d->cap_skips ? 2 * d->cap_skips : 4;
        struct doctor_skip *s = realloc(d->skips, cap * sizeof *s);
        if (!s) {
            d->oom = true;
            return;
        }
        d->skips = s;
        d->cap_skips = cap;
    }
    struct oa_str reason = OA_STR_INIT;
    va_list args;
    va_start(args, fmt);
    oa_str_vprintf(&reason, fmt, args);
    va_end(args);
    struct doctor_skip *s = &d->skips[d->n_skips++];
    s->check = check;
    s->reason = oa_str_steal(&reason);
    d->oom |= s->reason == NULL;
}

/* ---- The run ---------------------------------------------------------------- */

static const struct doctor_check *
find_check(const char *name)
{
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (!strcmp(checks[i].name, name)) {
            return &checks[i];
        }
    }
    return NULL;
}

int
doctor_run(struct doctor *d, char *const names[], size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!find_check(names[i])) {
            return -EINVAL;
        }
    }
    if (d->spec_path) {
        doctor_spec_load(d);
    }
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        bool wanted = !n && checks[i].by_default;
        for (size_t j = 0; j < n; j++) {
            wanted |= !strcmp(names[j], checks[i].name);
        }
        if (wanted && d->n_ran < sizeof d->ran / sizeof d->ran[0]) {
            d->ran[d->n_ran++] = checks[i].name;
            checks[i].run(d);
        }
    }
    doctor_spec_annotate(d);
    return 0;
}

static size_t
count(const struct doctor *d, enum doctor_severity severity)
{
    size_t n = 0;
    for (size_t i = 0; i < d->n_findings; i++) {
        n += d->findings[i].severity == severity;
    }
    return n;
}

int
doctor_exit_code(const struct doctor *d)
{
    if (count(d, DOCTOR_ERROR)) {
        return OA_EXIT_INVALID;
    }
    return count(d, DOCTOR_WARNING) ? OA_EXIT_FAIL : OA_EXIT_OK;
}

static const char *
severity_name(enum doctor_severity severity)
{
    return severity == DOCTOR_ERROR ? "error" : "warning";
}

void
doctor_clear(struct doctor *d)
{
    for (size_t i = 0; i < d->n_findings; i++) {
        struct doctor_finding *f = &d->findings[i];
        free(f->object);
        free(f->what);
        free(f->fix);
        free(f->spec);
        for (size_t j = 0; j < f->n_evidence; j++) {
            free(f->evidence[j]);
        }
    }
    free(d->findings);
    for (size_t i = 0; i < d->n_skips; i++) {
        free(d->skips[i].reason);
    }
    free(d->skips);
    free(d->kmsg);
    doctor_spec_clear(d);
    d->findings = NULL;
    d->skips = NULL;
    d->kmsg = NULL;
    d->n_findings = d->cap_findings = d->n_skips = d->cap_skips = 0;
    d->n_ran = 0;
    d->kmsg_loaded = d->oom = false;
}

/* ---- Renderings ------------------------------------------------------------ */

static void
text_finding(struct oa_str *s, const struct doctor_finding *f)
{
    oa_str_printf(s, "%s %s %s", severity_name(f->severity), f->check,
                  f->object);
    if (f->spec) {
        oa_str_printf(s, " (spec %s)", f->spec);
    }
    oa_str_printf(s, ": %s", f->what);
    for (size_t j = 0; j < f->n_evidence; j++) {
        oa_str_printf(s, "%s%s", j ? "; " : " [evidence: ", f->evidence[j]);
    }
    oa_str_printf(s, "%s fix: %s\n", f->n_evidence ? "]" : "", f->fix);
}

/* The spec's PFs as found here, before the findings. */
static void
text_spec(struct oa_str *s, const struct doctor *d)
{
    if (d->spec_error) {
        oa_str_printf(s, "spec %s: not used: %s\n", d->spec_path,
                      d->spec_error);
    }
    for (size_t i = 0; i < d->n_spec_pfs; i++) {
        const struct doctor_spec_pf *p = &d->spec_pfs[i];
        oa_str_printf(s, "spec pfs[%zu] %s %s: ", i, p->key, p->id);
        if (!p->devlink[0]) {
            oa_str_puts(s, "not found on this host\n");
            continue;
        }
        oa_str_printf(s, "%s, netdev %s", p->devlink,
                      p->netdev[0] ? p->netdev : "(none)");
        if (p->vfs_present >= 0) {
            oa_str_printf(s, ", %d of %u VFs", p->vfs_present, p->vfs_wanted);
        }
        oa_str_puts(s, "\n");
    }
}

char *
doctor_to_text(const struct doctor *d)
{
    struct oa_str s = OA_STR_INIT;
    text_spec(&s, d);
    for (size_t i = 0; i < d->n_findings; i++) {
        text_finding(&s, &d->findings[i]);
    }
    for (size_t i = 0; i < d->n_skips; i++) {
        oa_str_printf(&s, "note %s: not checked: %s\n", d->skips[i].check,
                      d->skips[i].reason);
    }
    size_t errors = count(d, DOCTOR_ERROR);
    size_t warnings = count(d, DOCTOR_WARNING);
    oa_str_printf(&s,
                  "doctor: %zu error%s, %zu warning%s (%zu check%s:", errors,
                  errors == 1 ? "" : "s", warnings, warnings == 1 ? "" : "s",
                  d->n_ran, d->n_ran == 1 ? "" : "s");
    for (size_t i = 0; i < d->n_ran; i++) {
        oa_str_printf(&s, " %s", d->ran[i]);
    }
    oa_str_puts(&s, ")");
    return d->oom ? (oa_str_free(&s), NULL) : oa_str_steal(&s);
}

static void
json_finding(struct jw *jw, const struct doctor_finding *f)
{
    jw_object_begin(jw);
    jw_key(jw, "check");
    jw_string(jw, f->check);
    jw_key(jw, "severity");
    jw_string(jw, severity_name(f->severity));
    jw_key(jw, "object");
    jw_string(jw, f->object);
    jw_key(jw, "what");
    jw_string(jw, f->what);
    jw_key(jw, "evidence");
    jw_array_begin(jw);
    for (size_t j = 0; j < f->n_evidence; j++) {
        jw_string(jw, f->evidence[j]);
    }
    jw_array_end(jw);
    jw_key(jw, "fix");
    jw_string(jw, f->fix);
    if (f->spec) {
        jw_key(jw, "spec");
        jw_string(jw, f->spec);
    }
    jw_object_end(jw);
}

/* "spec": null without --spec or a spec file; else its file and either
 * the PFs as found or the error that kept it out. */
static void
json_spec(struct jw *jw, const struct doctor *d)
{
    jw_key(jw, "spec");
    if (!d->spec_error && !d->spec_pfs) {
        jw_null(jw);
        return;
    }
    jw_object_begin(jw);
    jw_key(jw, "file");
    jw_string(jw, d->spec_path);
    if (d->spec_error) {
        jw_key(jw, "error");
        jw_string(jw, d->spec_error);
    }
    jw_key(jw, "pfs");
    jw_array_begin(jw);
    for (size_t i = 0; i < d->n_spec_pfs; i++) {
        const struct doctor_spec_pf *p = &d->spec_pfs[i];
        jw_object_begin(jw);
        jw_key(jw, "key");
        jw_string(jw, p->key);
        jw_key(jw, "id");
        jw_string(jw, p->id);
        jw_key(jw, "found");
        jw_bool(jw, p->devlink[0] != '\0');
        jw_key(jw, "pci");
        jw_string(jw, p->pci[0] ? p->pci : NULL);
        jw_key(jw, "netdev");
        jw_string(jw, p->netdev[0] ? p->netdev : NULL);
        jw_key(jw, "devlink");
        jw_string(jw, p->devlink[0] ? p->devlink : NULL);
        jw_key(jw, "num_vfs");
        jw_int(jw, p->vfs_wanted);
        jw_key(jw, "vfs_present");
        if (p->vfs_present >= 0) {
            jw_int(jw, p->vfs_present);
        } else {
            jw_null(jw);
        }
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_object_end(jw);
}

static void
json_head(struct jw *jw, const struct doctor *d)
{
    jw_key(jw, "version");
    jw_int(jw, 1);
    jw_key(jw, "root");
    jw_string(jw, d->root);
    jw_key(jw, "interval_ms");
    jw_int(jw, d->interval_ms);
    jw_key(jw, "checks");
    jw_array_begin(jw);
    for (size_t i = 0; i < d->n_ran; i++) {
        jw_string(jw, d->ran[i]);
    }
    jw_array_end(jw);
}

char *
doctor_to_json(const struct doctor *d, bool pretty)
{
    struct jw *jw = jw_create(pretty);
    if (!jw || d->oom) {
        jw_destroy(jw);
        return NULL;
    }
    jw_object_begin(jw);
    json_head(jw, d);
    json_spec(jw, d);
    jw_key(jw, "findings");
    jw_array_begin(jw);
    for (size_t i = 0; i < d->n_findings; i++) {
        json_finding(jw, &d->findings[i]);
    }
    jw_array_end(jw);
    jw_key(jw, "skipped");
    jw_array_begin(jw);
    for (size_t i = 0; i < d->n_skips; i++) {
        jw_object_begin(jw);
        jw_key(jw, "check");
        jw_string(jw, d->skips[i].check);
        jw_key(jw, "reason");
        jw_string(jw, d->skips[i].reason);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_key(jw, "summary");
    jw_object_begin(jw);
    jw_key(jw, "errors");
    jw_int(jw, (int64_t)count(d, DOCTOR_ERROR));
    jw_key(jw, "warnings");
    jw_int(jw, (int64_t)count(d, DOCTOR_WARNING));
    jw_key(jw, "exit");
    jw_int(jw, doctor_exit_code(d));
    jw_object_end(jw);
    jw_object_end(jw);
    return jw_finish(jw);
}

/* ---- A whole run from a request's words ------------------------------------ */

static char *
usage_error(int *exit_code, const char *what, const char *word)
{
    struct oa_str s = OA_STR_INIT;
    size_t n;
    const struct doctor_check *c = doctor_checks(&n);
    oa_str_printf(&s, "doctor: %s \"%s\"", what, word);
    oa_str_puts(&s, "\nchecks:");
    for (size_t i = 0; i < n; i++) {
        oa_str_printf(&s, " %s", c[i].name);
    }
    *exit_code = OA_EXIT_FAIL;
    return oa_str_steal(&s);
}

char *
doctor_serve(int argc, char *const argv[], int *exit_code)
{
    struct doctor d = {.interval_ms = DOCTOR_DEFAULT_INTERVAL_MS};
    char *names[16] = {NULL};
    size_t n = 0;
    bool json = false;
    for (int i = 0; i < argc; i++) {
        char *end;
        if (!strcmp(argv[i], "--json")) {
            json = true;
        } else if (!strncmp(argv[i], "--interval-ms=", 14)) {
            unsigned long ms = strtoul(argv[i] + 14, &end, 10);
            if (*end || end == argv[i] + 14 || ms > DOCTOR_MAX_INTERVAL_MS) {
                return usage_error(exit_code, "bad interval", argv[i]);
            }
            d.interval_ms = (unsigned)ms;
        } else if (!strncmp(argv[i], "--root=", 7) && argv[i][7]) {
            d.root = argv[i] + 7;
        } else if (!strncmp(argv[i], "--spec=", 7) && argv[i][7]) {
            d.spec_path = argv[i] + 7;
        } else if (!find_check(argv[i]) || n == 16) {
            return usage_error(exit_code, "unknown check", argv[i]);
        } else {
            names[n++] = argv[i];
        }
    }
    doctor_run(&d, names, n);
    char *out = json ? doctor_to_json(&d, true) : doctor_to_text(&d);
    *exit_code = doctor_exit_code(&d);
    doctor_clear(&d);
    return out;
}
