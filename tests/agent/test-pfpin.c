/* pfpin_: the device each PF named by netdev was found at, and its state
 * file, in a temporary directory: pinning from an observation (only PFs
 * named by netdev and found; a PF found through its pin under another
 * name keeps the pin; a PF not found keeps it; a PF found by name on
 * another device is pinned there), round trip, a missing file, files
 * that are not used (corrupt, another version, wrong types, not ours),
 * pins of names the spec no longer has kept. */
#define _XOPEN_SOURCE 700
#include "oa-check.h"
#include "obs.h"
#include "offload/spec.h"
#include "pfpin.h"
#include "fake-tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char dir[256], path[512];

static void
setup(void)
{
    snprintf(dir, sizeof dir, "/tmp/oa-pfpin-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* A state directory that does not exist yet: save makes it. */
    char state[300];
    snprintf(state, sizeof state, "%s/state", dir);
    ck_assert_int_eq(pfpin_path(state, path, sizeof path), 0);
}

static void
teardown(void)
{
    ft_rm(dir);
}

static struct pfpin
pin(const char *netdev, const char *bus, const char *device,
    const char *devlink)
{
    struct pfpin p;
    memset(&p, 0, sizeof p);
    snprintf(p.netdev, sizeof p.netdev, "%s", netdev);
    snprintf(p.bus, sizeof p.bus, "%s", bus);
    snprintf(p.device, sizeof p.device, "%s", device);
    snprintf(p.devlink, sizeof p.devlink, "%s", devlink);
    return p;
}

static void
put(const char *text)
{
    char state[300];
    snprintf(state, sizeof state, "%s/state", dir);
    mkdir(state, 0755);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
}

/* Loads 'text' and expects it ignored: 'code', a message naming the file
 * and containing 'what', and an empty store (also when it held pins). */
static void
assert_ignored(const char *text, int code, const char *what)
{
    struct pfpin_store s = {0};
    struct pfpin p = pin("eth0", "pci", "0000:08:00.0", "pci/0000:08:00.0");
    struct oa_err err;
    char msg[OA_ERR_FORMAT_MAX];

    ck_assert_int_eq(pfpin_record(&s, &p), 1);
    put(text);
    ck_assert_int_eq(pfpin_load(&s, path, &err), code);
    oa_err_format(&err, msg, sizeof msg);
    ck_assert_msg(strstr(msg, path) && strstr(msg, what),
                  "\"%s\" does not name %s and \"%s\"", msg, path, what);
    ck_assert_uint_eq(s.n, 0);
    pfpin_store_clear(&s);
}

/* ---- Pinning from an observation --------------------------------------- */

/* A spec of PFs 'eth0' (by netdev), 'pci 0000:09:00.0' (by PCI) and
 * 'eth2' (by netdev), and their observation. */
struct fx {
    struct spec_pf sp[3];
    struct spec spec;
    struct obs_pf pf[3];
    struct obs_host host;
};

static void
fx_pf(struct fx *f, int i, bool found, const char *netdev, const char *bus,
      const char *dev, const char *devlink)
{
    struct obs_pf *pf = &f->pf[i];
    memset(pf, 0, sizeof *pf);
    pf->found = found;
    snprintf(pf->netdev, sizeof pf->netdev, "%s", netdev);
    snprintf(pf->bus, sizeof pf->bus, "%s", bus);
    snprintf(pf->dev_name, sizeof pf->dev_name, "%s", dev);
    pf->has_devlink = devlink[0] != '\0';
    snprintf(pf->devlink, sizeof pf->devlink, "%s", devlink);
}

static void
fx_init(struct fx *f)
{
    memset(f, 0, sizeof *f);
    f->sp[0] = (struct spec_pf){.key = SPEC_PF_BY_NETDEV, .id = "eth0"};
    f->sp[1] = (struct spec_pf){.key = SPEC_PF_BY_PCI, .id = "0000:09:00.0"};
    f->sp[2] = (struct spec_pf){.key = SPEC_PF_BY_NETDEV, .id = "eth2"};
    f->spec.pfs = f->sp;
    f->spec.n_pfs = 3;
    fx_pf(f, 0, true, "eth0", "netdevsim", "netdevsim10",
          "netdevsim/netdevsim10");
    fx_pf(f, 1, true, "enp9s0f0np0", "pci", "0000:09:00.0",
          "pci/0000:09:00.0");
    fx_pf(f, 2, false, "", "", "", "");
    f->host.pfs = f->pf;
    f->host.n_pfs = 3;
}

START_TEST(test_update_pins_by_netdev_only)
{
    struct fx f;
    struct pfpin_store s = {0};
    fx_init(&f);

    /* Only eth0: the PCI PF needs no pin, eth2 was not found. */
    ck_assert_int_eq(pfpin_update(&s, &f.spec, &f.host), 1);
    ck_assert_uint_eq(s.n, 1);
    const struct pfpin *p = pfpin_find(&s, "eth0");
    ck_assert_ptr_nonnull(p);
    ck_assert_str_eq(p->bus, "netdevsim");
    ck_assert_str_eq(p->device, "netdevsim10");
    ck_assert_str_eq(p->devlink, "netdevsim/netdevsim10");
    ck_assert_ptr_null(pfpin_find(&s, "eth2"));
    ck_assert_ptr_null(pfpin_find(&s, "0000:09:00.0"));

    /* Renamed by udev, found through the pin: nothing changes. */
    snprintf(f.pf[0].netdev, sizeof f.pf[0].netdev, "eni10np1");
    f.pf[0].pinned = true;
    ck_assert_int_eq(pfpin_update(&s, &f.spec, &f.host), 0);
    ck_assert_str_eq(pfpin_find(&s, "eth0")->device, "netdevsim10");

    /* The device gone, the PF not found: the pin stays. */
    fx_pf(&f, 0, false, "", "", "", "");
    ck_assert_int_eq(pfpin_update(&s, &f.spec, &f.host), 0);
    ck_assert_str_eq(pfpin_find(&s, "eth0")->device, "netdevsim10");

    /* Found by name on another device (the pinned one is gone): pinned
     * there, without devlink. */
    fx_pf(&f, 0, true, "eth0", "pci", "0000:0a:00.0", "");
    ck_assert_int_eq(pfpin_update(&s, &f.spec, &f.host), 1);
    ck_assert_uint_eq(s.n, 1);
    ck_assert_str_eq(pfpin_find(&s, "eth0")->device, "0000:0a:00.0");
    ck_assert_str_eq(pfpin_find(&s, "eth0")->devlink, "");
    pfpin_store_clear(&s);
    pfpin_store_clear(&s); /* twice: still fine */
}
END_TEST

/* ---- The file ------------------------------------------------------------ */

START_TEST(test_round_trip)
{
    struct pfpin_store s = {0}, back = {0};
    struct pfpin a =
        pin("enp8s0f0", "pci", "0000:08:00.0", "pci/0000:08:00.0");
    struct pfpin b = pin("eth0", "netdevsim", "netdevsim10", "");
    struct oa_err err;

    ck_assert(!s.unsaved);
    ck_assert_int_eq(pfpin_record(&s, &a), 1);
    ck_assert(s.unsaved);
    ck_assert_int_eq(pfpin_record(&s, &b), 1);
    ck_assert_int_eq(pfpin_save(&s, path, &err), 0);
    ck_assert(!s.unsaved);
    /* Pinning what is already pinned is nothing to save; the apply's
     * guard looks first, and what it pinned is still to be saved after
     * the apply's own looks (agent-bed-pfrename lost the pin that way). */
    ck_assert_int_eq(pfpin_record(&s, &a), 0);
    ck_assert(!s.unsaved);
    ck_assert_int_eq(pfpin_load(&back, path, &err), 0);
    ck_assert(!back.unsaved);
    ck_assert_int_eq(err.code, 0);
    ck_assert_uint_eq(back.n, 2);
    ck_assert_str_eq(pfpin_find(&back, "enp8s0f0")->devlink,
                     "pci/0000:08:00.0");
    ck_assert_str_eq(pfpin_find(&back, "eth0")->device, "netdevsim10");
    ck_assert_str_eq(pfpin_find(&back, "eth0")->devlink, "");

    /* What is on disk: version 1, the names people read. */
    FILE *f = fopen(path, "r");
    char text[1024] = "";
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_gt(fread(text, 1, sizeof text - 1, f), 0);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "\"version\": 1"));
    ck_assert_ptr_nonnull(strstr(text, "\"netdev\": \"enp8s0f0\""));
    ck_assert_ptr_nonnull(strstr(text, "\"device\": \"0000:08:00.0\""));
    pfpin_store_clear(&s);
    pfpin_store_clear(&back);
}
END_TEST

START_TEST(test_missing_file)
{
    struct pfpin_store s = {0};
    struct oa_err err;
    struct pfpin p = pin("eth0", "pci", "0000:08:00.0", "");
    ck_assert_int_eq(pfpin_record(&s, &p), 1);
    ck_assert_int_eq(pfpin_load(&s, path, &err), 0);
    ck_assert_int_eq(err.code, 0);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(test_not_used)
{
    assert_ignored("{\"version\": 1, \"pins\": [", -EBADMSG, "not JSON");
    assert_ignored("{\"version\": 2, \"pins\": []}", -EPROTO,
                   "version 2, this agent reads version 1");
    assert_ignored("[1, 2]", -EPROTO, "not an offload-agent pin file");
    assert_ignored("{\"version\": 1, \"entries\": []}", -EINVAL,
                   "pins: missing");
    assert_ignored("{\"version\": 1, \"pins\": [7]}", -EINVAL,
                   "pins[0]: not an object");
    assert_ignored("{\"version\": 1, \"pins\": [{\"netdev\": \"eth0\", "
                   "\"bus\": \"pci\", \"device\": 3, \"devlink\": \"\"}]}",
                   -EINVAL, "pins[0].device: not a string");
    assert_ignored("{\"version\": 1, \"pins\": [{\"netdev\": \"\", "
                   "\"bus\": \"pci\", \"device\": \"x\", \"devlink\": \"\"}]}",
                   -EINVAL, "pins[0].netdev: empty");
    assert_ignored("{\"version\": 1, \"pins\": [{\"netdev\": "
                   "\"a-name-longer-than-ifnamsiz\", \"bus\": \"pci\", "
                   "\"device\": \"x\", \"devlink\": \"\"}]}",
                   -EINVAL, "pins[0].netdev: too long");
}
END_TEST

START_TEST(test_other_names_kept)
{
    /* A pin of a name the spec no longer has survives a load, an update
     * and a save. */
    struct pfpin_store s = {0};
    struct oa_err err;
    struct fx f;
    fx_init(&f);

    put("{\"version\": 1, \"pins\": [{\"netdev\": \"ens1f0\", \"bus\": "
        "\"pci\", \"device\": \"0000:81:00.0\", \"devlink\": "
        "\"pci/0000:81:00.0\", \"note\": \"set by hand\"}]}");
    ck_assert_int_eq(pfpin_load(&s, path, &err), 0);
    ck_assert_int_eq(pfpin_update(&s, &f.spec, &f.host), 1);
    ck_assert_int_eq(pfpin_save(&s, path, &err), 0);
    ck_assert_int_eq(pfpin_load(&s, path, &err), 0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert_str_eq(pfpin_find(&s, "ens1f0")->device, "0000:81:00.0");
    ck_assert_str_eq(pfpin_find(&s, "eth0")->device, "netdevsim10");
    pfpin_store_clear(&s);
}
END_TEST

START_TEST(test_save_not_writable)
{
    /* The state directory cannot be made (its parent is a file): an
     * error naming the file. */
    struct pfpin_store s = {0};
    struct oa_err err;
    char bad[600], msg[OA_ERR_FORMAT_MAX];
    put("");
    snprintf(bad, sizeof bad, "%s/sub/" PFPIN_FILE, path);
    struct pfpin p = pin("eth0", "pci", "0000:08:00.0", "");
    ck_assert_int_eq(pfpin_record(&s, &p), 1);
    ck_assert_int_eq(pfpin_save(&s, bad, &err), -ENOTDIR);
    ck_assert_ptr_nonnull(strstr(oa_err_format(&err, msg, sizeof msg), bad));
    ck_assert(s.unsaved); /* tried again after the next look */
    pfpin_store_clear(&s);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("pfpin");
    TCase *tc = tcase_create("store");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_update_pins_by_netdev_only);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_not_used);
    tcase_add_test(tc, test_other_names_kept);
    tcase_add_test(tc, test_save_not_writable);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
