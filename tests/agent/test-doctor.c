/* agentctl doctor: every fixture tree under tests/doctor/ gives exactly
 * the findings its 'expect' file lists (the healthy ones none), with the
 * evidence and fix an operator acts on; the JSON schema of
 * docs/doctor.md; the request words the daemon and agentctl share. */
#include "doctor.h"
#include "fake-tree.h"
#include "oa-check.h"

#include <check.h>
#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef DOCTOR_TREES
#error "DOCTOR_TREES: the fixture directory"
#endif

static int
cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the default checks on tree 'name' (rates on). */
static void
run_tree(struct doctor *d, const char *name, char *root, size_t size)
{
    snprintf(root, size, "%s/%s", DOCTOR_TREES, name);
    memset(d, 0, sizeof *d);
    d->root = root;
    d->interval_ms = 1000;
    ck_assert_int_eq(doctor_run(d, NULL, 0), 0);
    ck_assert(!d->oom);
}

static const struct doctor_finding *
find(const struct doctor *d, const char *check)
{
    for (size_t i = 0; i < d->n_findings; i++) {
        if (!strcmp(d->findings[i].check, check)) {
            return &d->findings[i];
        }
    }
    ck_abort_msg("no %s finding", check);
    return NULL;
}

static bool
has_evidence(const struct doctor_finding *f, const char *text)
{
    for (size_t i = 0; i < f->n_evidence; i++) {
        if (strstr(f->evidence[i], text)) {
            return true;
        }
    }
    return false;
}

/* "severity check object" of each finding, sorted, one per line. */
static char *
findings_key(const struct doctor *d)
{
    char *lines[64], *out = calloc(1, 64 * 160);
    ck_assert_uint_lt(d->n_findings, 64);
    for (size_t i = 0; i < d->n_findings; i++) {
        const struct doctor_finding *f = &d->findings[i];
        lines[i] = malloc(160);
        snprintf(lines[i], 160, "%s %s %s\n",
                 f->severity == DOCTOR_ERROR ? "error" : "warning", f->check,
                 f->object);
    }
    qsort(lines, d->n_findings, sizeof *lines, cmp_str);
    for (size_t i = 0; i < d->n_findings; i++) {
        strcat(out, lines[i]);
        free(lines[i]);
    }
    return out;
}

static char *
expected_key(const char *root)
{
    char path[700], *lines[64], buf[160], *out = calloc(1, 64 * 160);
    size_t n = 0;
    snprintf(path, sizeof path, "%s/expect", root);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s", path);
    while (n < 64 && fgets(buf, sizeof buf, f)) {
        lines[n++] = strdup(buf);
    }
    fclose(f);
    qsort(lines, n, sizeof *lines, cmp_str);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        free(lines[i]);
    }
    return out;
}

START_TEST(every_tree_gives_exactly_its_findings)
{
    DIR *dir = opendir(DOCTOR_TREES);
    struct dirent *de;
    int trees = 0;
    ck_assert_ptr_nonnull(dir);
    while ((de = readdir(dir))) {
        char root[600], probe[700];
        snprintf(probe, sizeof probe, "%s/%s/expect", DOCTOR_TREES,
                 de->d_name);
        if (de->d_name[0] == '.' || access(probe, F_OK)) {
            continue;
        }
        struct doctor d;
        run_tree(&d, de->d_name, root, sizeof root);
        char *got = findings_key(&d), *want = expected_key(root);
        ck_assert_msg(!strcmp(got, want), "%s: got\n%swant\n%s", de->d_name,
                      got, want);
        ck_assert_int_eq(doctor_exit_code(&d), strstr(want, "error ")    ? 2
                                               : strstr(want, "warning") ? 1
                                                                         : 0);
        free(got);
        free(want);
        doctor_clear(&d);
        trees++;
    }
    closedir(dir);
    ck_assert_int_ge(trees, 8);
}
END_TEST

/* Field case 2: the drops name the trained-down link and the ring. */
START_TEST(drops_name_their_cause)
{
    struct doctor d;
    char root[600];
    run_tree(&d, "cx6dx-x4-drops", root, sizeof root);
    const struct doctor_finding *f = find(&d, "nic-drops");
    ck_assert_str_eq(f->object, "enp8s0f0np0");
    ck_assert_ptr_nonnull(strstr(f->what, "rx_discards_phy +842000/s"));
    ck_assert(has_evidence(f, "rx_discards_phy 17 -> 4210017 in 5000 ms"));
    ck_assert(has_evidence(
        f, "PCIe link of 0000:08:00.0: 8.0 GT/s x4, capable of 8.0 GT/s x8"));
    ck_assert(has_evidence(f, "rx ring: 1024 of at most 8192"));
    ck_assert(has_evidence(f, "0000:08:00.0 MaxPayload 256 of 512 bytes, "
                              "MaxReadReq 512 bytes"));
    ck_assert_ptr_nonnull(strstr(f->fix, "ethtool -G enp8s0f0np0 rx 8192"));
    f = find(&d, "pcie-link");
    ck_assert(has_evidence(f, "port 0000:00:03.0 max_link_speed/width: "
                              "8.0 GT/s x8"));
    doctor_clear(&d);
}
END_TEST

/* Field case 1: the BAR number, its size, the legacy binding, the fix. */
START_TEST(bar_legacy_names_bar_and_fix)
{
    struct doctor d;
    char root[600];
    run_tree(&d, "virtio-bar-legacy", root, sizeof root);
    const struct doctor_finding *f = find(&d, "pci-bar");
    ck_assert_int_eq(f->severity, DOCTOR_ERROR);
    ck_assert_ptr_nonnull(strstr(f->what, "legacy: BAR 4 (8 MiB"));
    ck_assert(has_evidence(f, "resource BAR 4: start 0x0 end 0x7fffff"));
    ck_assert(has_evidence(f, "64bit pref]: failed to assign"));
    ck_assert(has_evidence(f, "virtio_pci: leaving for legacy driver"));
    ck_assert(has_evidence(f, "bit 32 (VIRTIO_F_VERSION_1): 0"));
    ck_assert_ptr_nonnull(strstr(f->fix, "pci=realloc"));
    doctor_clear(&d);
}
END_TEST

/* --interval 0 disables rates: the growing counters are not judged. */
START_TEST(interval_zero_skips_rates)
{
    struct doctor d;
    char root[600];
    snprintf(root, sizeof root, "%s/cx6dx-x4-drops", DOCTOR_TREES);
    memset(&d, 0, sizeof d);
    d.root = root;
    char *only[] = {"nic-drops"};
    ck_assert_int_eq(doctor_run(&d, only, 1), 0);
    ck_assert_uint_eq(d.n_findings, 0);
    ck_assert_uint_eq(d.n_skips, 1);
    ck_assert_str_eq(d.skips[0].check, "nic-drops");
    ck_assert_uint_eq(d.n_ran, 1);
    doctor_clear(&d);
}
END_TEST

/* docs/doctor.md's schema, version 1. */
START_TEST(json_schema)
{
    struct doctor d;
    char root[600];
    run_tree(&d, "cx6dx-x4-drops", root, sizeof root);
    char *text = doctor_to_json(&d, false);
    json_error_t err;
    json_t *j = json_loads(text, 0, &err);
    ck_assert_msg(j != NULL, "%s", err.text);
    ck_assert_int_eq(json_integer_value(json_object_get(j, "version")), 1);
    ck_assert_str_eq(json_string_value(json_object_get(j, "root")), root);
    ck_assert_int_eq(json_array_size(json_object_get(j, "checks")), 10);
    json_t *fs = json_object_get(j, "findings");
    ck_assert_int_eq(json_array_size(fs), 2);
    json_t *f = json_array_get(fs, 0);
    ck_assert_str_eq(json_string_value(json_object_get(f, "check")),
                     "pcie-link");
    ck_assert_str_eq(json_string_value(json_object_get(f, "severity")),
                     "warning");
    ck_assert_str_eq(json_string_value(json_object_get(f, "object")),
                     "0000:08:00.0");
    ck_assert(json_is_string(json_object_get(f, "what")));
    ck_assert_int_eq(json_array_size(json_object_get(f, "evidence")), 4);
    ck_assert(json_is_string(json_object_get(f, "fix")));
    json_t *skipped = json_object_get(j, "skipped");
    ck_assert(json_is_array(skipped));
    ck_assert(
        json_is_string(json_object_get(json_array_get(skipped, 0), "reason")));
    json_t *sum = json_object_get(j, "summary");
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "errors")), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "warnings")), 2);
    ck_assert_int_eq(json_integer_value(json_object_get(sum, "exit")), 1);
    json_decref(j);
    free(text);
    doctor_clear(&d);
}
END_TEST

/* The request words of agentctl and the daemon. */
START_TEST(serve_words)
{
    char root[600];
    int code;
    snprintf(root, sizeof root, "--root=%s/virtio-bar-legacy", DOCTOR_TREES);
    char *args[] = {"--interval-ms=0", root, "pci-bar", "sriov"};
    char *out = doctor_serve(4, args, &code);
    ck_assert_int_eq(code, 2);
    ck_assert_ptr_nonnull(strstr(out, "error pci-bar 0000:08:00.0: "));
    ck_assert_ptr_nonnull(strstr(out, "(2 checks: pci-bar sriov)"));
    free(out);

    char *bad[] = {"nope"};
    out = doctor_serve(1, bad, &code);
    ck_assert_int_eq(code, 1);
    ck_assert_ptr_nonnull(strstr(out, "doctor: unknown check \"nope\""));
    ck_assert_ptr_nonnull(strstr(out, "pcie-link"));
    free(out);

    char *long_interval[] = {"--interval-ms=3600000"};
    out = doctor_serve(1, long_interval, &code);
    ck_assert_int_eq(code, 1);
    ck_assert_ptr_nonnull(strstr(out, "bad interval"));
    free(out);
}
END_TEST

/* The kernel log in dmesg's format reads as well as kmsg's. */
/* With a spec, its PFs as found in the tree, and the findings about a
 * PF, its devlink instance or a representor labelled with it. */
START_TEST(spec_context_labels_findings)
{
    struct doctor d;
    char root[600], spec[700];
    snprintf(root, sizeof root, "%s/spec-context", DOCTOR_TREES);
    snprintf(spec, sizeof spec, "%s/spec.json", root);
    memset(&d, 0, sizeof d);
    d.root = root;
    d.spec_path = spec;
    ck_assert_int_eq(doctor_run(&d, NULL, 0), 0);
    ck_assert(!d.oom && !d.spec_error);
    ck_assert_uint_eq(d.n_spec_pfs, 2);
    ck_assert_str_eq(d.spec_pfs[0].pci, "0000:08:00.0");
    ck_assert_str_eq(d.spec_pfs[0].netdev, "enp8s0f0np0");
    ck_assert_str_eq(d.spec_pfs[0].devlink, "pci/0000:08:00.0");
    ck_assert_int_eq(d.spec_pfs[0].vfs_present, 2);
    ck_assert_str_eq(d.spec_pfs[1].devlink, ""); /* not on this host */
    const struct doctor_finding *tc = find(&d, "tc-rules");
    ck_assert_ptr_nonnull(tc);
    ck_assert_str_eq(tc->object, "pf0vf1");
    ck_assert_str_eq(tc->spec, "pfs[0] enp8s0f0np0 VF 1");
    const struct doctor_finding *h = find(&d, "devlink-health");
    ck_assert_ptr_nonnull(h);
    ck_assert_str_eq(h->spec, "pfs[0] enp8s0f0np0");
    char *text = doctor_to_text(&d);
    ck_assert_ptr_nonnull(strstr(text, "spec pfs[1] pci 0000:09:00.0: "
                                       "not found on this host\n"));
    ck_assert_ptr_nonnull(strstr(
        text, "warning tc-rules pf0vf1 (spec pfs[0] enp8s0f0np0 VF 1)"));
    free(text);
    doctor_clear(&d);

    /* An invalid spec is said, and the checks run all the same. */
    memset(&d, 0, sizeof d);
    d.root = root;
    d.spec_path = DOCTOR_TREES "/healthy/expect"; /* not JSON */
    ck_assert_int_eq(doctor_run(&d, NULL, 0), 0);
    ck_assert_ptr_nonnull(d.spec_error);
    ck_assert_uint_eq(d.n_spec_pfs, 0);
    ck_assert_ptr_nonnull(find(&d, "devlink-health"));
    ck_assert_ptr_null(find(&d, "devlink-health")->spec);
    doctor_clear(&d);
}
END_TEST

START_TEST(kmsg_dmesg_format)
{
    char tmpl[] = "/tmp/doctor-XXXXXX";
    char *root = mkdtemp(tmpl);
    ck_assert_ptr_nonnull(root);
    ft_mk(root, "dev");
    ft_put(root, "dev/kmsg",
           "[    0.512345] pci 0000:00:05.0: BAR 2: failed to assign "
           "[mem size 0x00200000]\n"
           "4,12,34,-;second line\n continuation\n");
    ft_mk(root, "sys/devices/pci0000:00/0000:00:05.0");
    ft_put(root, "sys/devices/pci0000:00/0000:00:05.0/class", "0x010802\n");
    ft_mk(root, "sys/bus/pci/devices");
    ft_ln(root, "../../../devices/pci0000:00/0000:00:05.0",
          "sys/bus/pci/devices/0000:00:05.0");
    struct doctor d = {.root = root};
    ck_assert_str_eq(doctor_kmsg(&d),
                     "pci 0000:00:05.0: BAR 2: failed to assign "
                     "[mem size 0x00200000]\nsecond line\n");
    char *only[] = {"pci-bar"};
    doctor_run(&d, only, 1);
    const struct doctor_finding *f = find(&d, "pci-bar");
    ck_assert_int_eq(f->severity, DOCTOR_WARNING);
    ck_assert_ptr_nonnull(strstr(f->what, "BAR 2 (2 MiB) has no address"));
    doctor_clear(&d);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("doctor");
    TCase *tc = tcase_create("doctor");
    tcase_add_test(tc, every_tree_gives_exactly_its_findings);
    tcase_add_test(tc, drops_name_their_cause);
    tcase_add_test(tc, bar_legacy_names_bar_and_fix);
    tcase_add_test(tc, interval_zero_skips_rates);
    tcase_add_test(tc, json_schema);
    tcase_add_test(tc, serve_words);
    tcase_add_test(tc, kmsg_dmesg_format);
    tcase_add_test(tc, spec_context_labels_findings);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
