/* crashj_: the crash journal on a temporary state directory and a fake
 * sysfs tree: entries written ahead survive a reopen (what a killed run
 * leaves), ending the last removes the file; recovery sets a PF's
 * autoprobe back on, binds an unbound VF to the driver it had (clearing
 * another driver's override first), leaves a VF something bound since
 * alone, hands detached ports and an eswitch mid-change to the reconcile,
 * keeps an undo that failed for the next start; a corrupt file is
 * dropped with its name in the error and the journal stays usable. */
#define _XOPEN_SOURCE 700
#include "crashj.h"
#include "fake-tree.h"
#include "oa-check.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define PF  "devices/pci0000:00/0000:01:00.0"
#define VF0 "devices/pci0000:00/0000:01:00.1"
#define VF1 "devices/pci0000:00/0000:01:00.2"

static char root[256], path[512];

static const char *
get(const char *rel)
{
    static char buf[256];
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* A PCI PF with autoprobe off (as a killed set-numvfs left it), VF0
 * bound to nvme, VF1 unbound with pci-stub's override. */
static void
setup(void)
{
    strcpy(root, "/tmp/oa-crashj-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, "state");
    snprintf(path, sizeof path, "%s/state/%s", root, CRASHJ_FILE);
    ft_mk(root, "bus/pci/devices");
    ft_mk(root, "bus/pci/drivers/nvme");
    ft_put(root, "bus/pci/drivers/nvme/bind", "");
    ft_mk(root, PF);
    ft_put(root, PF "/sriov_drivers_autoprobe", "0\n");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.0",
          "bus/pci/devices/0000:01:00.0");
    ft_mk(root, VF0);
    ft_ln(root, "../../../bus/pci/drivers/nvme", VF0 "/driver");
    ft_put(root, VF0 "/driver_override", "(null)\n");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.1",
          "bus/pci/devices/0000:01:00.1");
    ft_mk(root, VF1);
    ft_put(root, VF1 "/driver_override", "pci-stub\n");
    ft_ln(root, "../../../devices/pci0000:00/0000:01:00.2",
          "bus/pci/devices/0000:01:00.2");
}

static void
teardown(void)
{
    ft_rm(root);
}

static bool
exists(const char *p)
{
    return access(p, F_OK) == 0;
}

START_TEST(test_path)
{
    char buf[64];
    ck_assert_int_gt(crashj_path("/var/lib/offload-agent", buf, sizeof buf),
                     0);
    ck_assert_str_eq(buf, "/var/lib/offload-agent/pending.json");
    ck_assert_int_eq(crashj_path("/a/very/long/state/directory", buf, 16),
                     -ENAMETOOLONG);
}
END_TEST

START_TEST(test_written_ahead_and_cleared)
{
    struct crashj j, again;
    struct oa_err err;

    ck_assert_int_eq(crashj_open(&j, path, &err), 0);
    ck_assert_uint_eq(j.n, 0);
    ck_assert(!exists(path));
    ck_assert_int_eq(crashj_begin(&j, "detached", "p0", "br0"), 0);
    ck_assert_int_eq(crashj_begin(&j, "detached", "p0_0", "br0"), 0);
    ck_assert_int_eq(crashj_begin(&j, "vf-unbound", "0000:01:00.2", "nvme"),
                     0);
    /* The same kind and object again replaces the entry. */
    ck_assert_int_eq(crashj_begin(&j, "vf-unbound", "0000:01:00.2", "igbvf"),
                     0);
    ck_assert(exists(path));

    /* What a killed run leaves: read back by the next start. */
    ck_assert_int_eq(crashj_open(&again, path, &err), 0);
    ck_assert_uint_eq(again.n, 3);
    ck_assert_str_eq(again.v[2].kind, "vf-unbound");
    ck_assert_str_eq(again.v[2].object, "0000:01:00.2");
    ck_assert_str_eq(again.v[2].detail, "igbvf");
    crashj_close(&again);

    /* Every entry of a kind at once (object NULL), then the last. */
    ck_assert_int_eq(crashj_end(&j, "detached", NULL), 0);
    ck_assert_uint_eq(j.n, 1);
    ck_assert(exists(path));
    ck_assert_int_eq(crashj_end(&j, "vf-unbound", "0000:01:00.9"), 0);
    ck_assert_uint_eq(j.n, 1);
    ck_assert_int_eq(crashj_end(&j, "vf-unbound", "0000:01:00.2"), 0);
    ck_assert_uint_eq(j.n, 0);
    ck_assert(!exists(path));
    ck_assert_int_eq(j.error, 0);
    crashj_close(&j);

    /* No journal at all: the steps run without. */
    ck_assert_int_eq(crashj_begin(NULL, "detached", "p0", "br0"), 0);
    ck_assert_int_eq(crashj_end(NULL, "detached", NULL), 0);
}
END_TEST

struct seen {
    char text[8][160];
    size_t n;
};

static void
note(void *aux, const struct crashj_entry *e, int r, const char *what)
{
    struct seen *s = aux;
    ck_assert_uint_lt(s->n, 8);
    snprintf(s->text[s->n++], sizeof s->text[0], "%s %s: %d %s", e->kind,
             e->object, r, what);
}

START_TEST(test_recover)
{
    struct crashj j;
    struct oa_err err;
    struct seen seen = {.n = 0};

    ck_assert_int_eq(crashj_open(&j, path, &err), 0);
    crashj_begin(&j, "autoprobe-off", "pci/0000:01:00.0", "");
    crashj_begin(&j, "vf-unbound", "0000:01:00.2", "nvme");
    crashj_begin(&j, "vf-unbound", "0000:01:00.1", "igbvf"); /* bound since */
    crashj_begin(&j, "detached", "p0", "br0");
    crashj_begin(&j, "eswitch", "pci/0000:01:00.0", "legacy -> switchdev");
    crashj_close(&j);

    ck_assert_int_eq(crashj_open(&j, path, &err), 0);
    ck_assert_uint_eq(crashj_recover(&j, root, note, &seen), 5);
    ck_assert_uint_eq(seen.n, 5);
    ck_assert_str_eq(seen.text[0], "autoprobe-off pci/0000:01:00.0: 0 "
                                   "sriov_drivers_autoprobe set back on");
    ck_assert_str_eq(get(PF "/sriov_drivers_autoprobe"), "1");
    ck_assert_str_eq(seen.text[1], "vf-unbound 0000:01:00.2: 0 bound again "
                                   "to the driver it had");
    /* pci-stub's override would keep nvme off: cleared, then bound. */
    ck_assert_str_eq(get(VF1 "/driver_override"), "\n");
    ck_assert_str_eq(get("bus/pci/drivers/nvme/bind"), "0000:01:00.2");
    /* VF0 is bound (to nvme): left as it is. */
    ck_assert_str_eq(seen.text[2], "vf-unbound 0000:01:00.1: 0 bound again "
                                   "to the driver it had");
    ck_assert_str_eq(seen.text[3], "detached p0: 0 left to this reconcile, "
                                   "which finishes it");
    ck_assert_str_eq(seen.text[4], "eswitch pci/0000:01:00.0: 0 left to this "
                                   "reconcile, which finishes it");
    ck_assert_uint_eq(j.n, 0);
    ck_assert(!exists(path));
    crashj_close(&j);
}
END_TEST

START_TEST(test_failed_undo_kept)
{
    struct crashj j;
    struct oa_err err;
    struct seen seen = {.n = 0};

    ck_assert_int_eq(crashj_open(&j, path, &err), 0);
    /* A driver that is not loaded: the bind cannot happen. */
    crashj_begin(&j, "vf-unbound", "0000:01:00.2", "vfio-pci");
    crashj_begin(&j, "detached", "p0", "br0");
    ck_assert_uint_eq(crashj_recover(&j, root, note, &seen), 2);
    ck_assert_uint_eq(seen.n, 2);
    ck_assert_str_eq(seen.text[0],
                     "vf-unbound 0000:01:00.2: -2 bound again to the "
                     "driver it had");
    crashj_close(&j);

    /* The next start finds only the one that failed. */
    ck_assert_int_eq(crashj_open(&j, path, &err), 0);
    ck_assert_uint_eq(j.n, 1);
    ck_assert_str_eq(j.v[0].object, "0000:01:00.2");
    crashj_close(&j);
}
END_TEST

START_TEST(test_corrupt_dropped)
{
    const char *bad[] = {
        "{\"version\": 1, \"entries\": [",
        "{\"version\": 2, \"entries\": []}",
        "{\"version\": 1, \"entries\": [{\"kind\": \"detached\"}]}",
        "[]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct crashj j;
        struct oa_err err;
        char msg[OA_ERR_FORMAT_MAX];
        FILE *f = fopen(path, "w");
        ck_assert_ptr_nonnull(f);
        fputs(bad[i], f);
        fclose(f);
        ck_assert_int_lt(crashj_open(&j, path, &err), 0);
        ck_assert_ptr_nonnull(
            strstr(oa_err_format(&err, msg, sizeof msg), path));
        ck_assert_uint_eq(j.n, 0);
        /* Usable: the next entry replaces the file. */
        ck_assert_int_eq(crashj_begin(&j, "detached", "p0", "br0"), 0);
        crashj_close(&j);
        ck_assert_int_eq(crashj_open(&j, path, &err), 0);
        ck_assert_uint_eq(j.n, 1);
        crashj_close(&j);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("crashj");
    TCase *tc = tcase_create("journal");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_path);
    tcase_add_test(tc, test_written_ahead_and_cleared);
    tcase_add_test(tc, test_recover);
    tcase_add_test(tc, test_failed_undo_kept);
    tcase_add_test(tc, test_corrupt_dropped);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
