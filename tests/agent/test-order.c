/* order_: the learned eswitch order per device and its state file, in a
 * temporary directory: round trip, a missing file, files that are not
 * used (corrupt, another version, wrong types, not ours), entries of
 * other devices kept, and a key that no longer matches once the
 * firmware changed. */
#define _XOPEN_SOURCE 700
#include "oa-check.h"
#include "obs.h"
#include "order.h"
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
    snprintf(dir, sizeof dir, "/tmp/oa-order-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
    /* A state directory that does not exist yet: save makes it. */
    char state[300];
    snprintf(state, sizeof state, "%s/state", dir);
    ck_assert_int_eq(order_path(state, path, sizeof path), 0);
}

static void
teardown(void)
{
    ft_rm(dir);
}

static struct order_key
key(const char *devlink, const char *driver, const char *firmware)
{
    struct order_key k;
    memset(&k, 0, sizeof k);
    snprintf(k.devlink, sizeof k.devlink, "%s", devlink);
    snprintf(k.driver, sizeof k.driver, "%s", driver);
    snprintf(k.firmware, sizeof k.firmware, "%s", firmware);
    return k;
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
 * and containing 'what', and an empty store (also when it held entries). */
static void
assert_ignored(const char *text, int code, const char *what)
{
    struct order_store s = {0};
    struct order_key k = key("pci/0000:01:00.0", "mlx5_core", "1");
    struct oa_err err;
    char msg[OA_ERR_FORMAT_MAX];

    ck_assert_int_eq(order_record(&s, &k, OBS_ORDER_VFS_FIRST), 1);
    put(text);
    ck_assert_int_eq(order_load(&s, path, &err), code);
    oa_err_format(&err, msg, sizeof msg);
    ck_assert_msg(strstr(msg, path) && strstr(msg, what),
                  "\"%s\" does not name %s and \"%s\"", msg, path, what);
    ck_assert_uint_eq(s.n, 0);
    order_store_clear(&s);
}

START_TEST(test_round_trip)
{
    struct order_store s = {0}, back = {0};
    struct order_key a = key("pci/0000:08:00.0", "mlx5_core", "22.35.1012");
    struct order_key b = key("netdevsim/netdevsim1", "netdevsim", "");
    struct oa_err err;
    enum obs_order o;

    ck_assert_int_eq(order_record(&s, &a, OBS_ORDER_VFS_FIRST), 1);
    ck_assert_int_eq(order_record(&s, &b, OBS_ORDER_SWITCHDEV_FIRST), 1);
    ck_assert_int_eq(order_record(&s, &a, OBS_ORDER_VFS_FIRST), 0);
    ck_assert_int_eq(order_save(&s, path, &err), 0);
    ck_assert_int_eq(order_load(&back, path, &err), 0);
    ck_assert_int_eq(err.code, 0);
    ck_assert_uint_eq(back.n, 2);
    ck_assert(order_lookup(&back, &a, &o));
    ck_assert_int_eq(o, OBS_ORDER_VFS_FIRST);
    ck_assert(order_lookup(&back, &b, &o));
    ck_assert_int_eq(o, OBS_ORDER_SWITCHDEV_FIRST);

    /* What is on disk: version 1, the names people read. */
    FILE *f = fopen(path, "r");
    char text[1024] = "";
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_gt(fread(text, 1, sizeof text - 1, f), 0);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "\"version\": 1"));
    ck_assert_ptr_nonnull(strstr(text, "\"order\": \"vfs-first\""));
    ck_assert_ptr_nonnull(strstr(text, "\"firmware\": \"22.35.1012\""));
    order_store_clear(&s);
    order_store_clear(&back);
    order_store_clear(&back); /* twice: still fine */
}
END_TEST

START_TEST(test_missing_file)
{
    struct order_store s = {0};
    struct oa_err err;
    struct order_key k = key("pci/0000:08:00.0", "mlx5_core", "1");
    ck_assert_int_eq(order_record(&s, &k, OBS_ORDER_VFS_FIRST), 1);
    ck_assert_int_eq(order_load(&s, path, &err), 0);
    ck_assert_int_eq(err.code, 0);
    ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(test_corrupt_json)
{
    assert_ignored("{\"version\": 1, \"entries\": [", -EBADMSG, "not JSON");
    assert_ignored("", -EBADMSG, "not JSON");
}
END_TEST

START_TEST(test_wrong_version)
{
    assert_ignored("{\"version\": 2, \"entries\": []}", -EPROTO,
                   "version 2, this agent reads version 1");
}
END_TEST

START_TEST(test_foreign_file)
{
    assert_ignored("[1, 2]", -EPROTO, "not an offload-agent order file");
    assert_ignored("{\"devices\": {}}", -EPROTO,
                   "not an offload-agent order file");
}
END_TEST

START_TEST(test_wrong_types)
{
    assert_ignored("{\"version\": 1, \"entries\": {}}", -EINVAL,
                   "entries: not an array");
    assert_ignored("{\"version\": 1, \"entries\": [7]}", -EINVAL,
                   "entries[0]: not an object");
    assert_ignored("{\"version\": 1, \"entries\": [{\"devlink\": \"pci/x\", "
                   "\"driver\": \"d\", \"firmware\": 3, \"order\": "
                   "\"vfs-first\"}]}",
                   -EINVAL, "entries[0].firmware: not a string");
    assert_ignored("{\"version\": 1, \"entries\": [{\"devlink\": \"pci/x\", "
                   "\"driver\": \"d\", \"firmware\": \"\"}]}",
                   -EINVAL, "entries[0].order: missing");
    assert_ignored("{\"version\": 1, \"entries\": [{\"devlink\": \"pci/x\", "
                   "\"driver\": \"d\", \"firmware\": \"\", \"order\": "
                   "\"sideways\"}]}",
                   -EINVAL, "entries[0].order: not \"switchdev-first\"");
}
END_TEST

START_TEST(test_other_devices_kept)
{
    /* An entry of a device this spec does not name survives a load, a
     * new entry and a save; unknown keys of an entry are no error. */
    struct order_store s = {0};
    struct oa_err err;
    enum obs_order o;
    struct order_key other = key("pci/0000:81:00.0", "ice", "4.20");
    struct order_key mine = key("pci/0000:08:00.0", "mlx5_core", "1");

    put("{\"version\": 1, \"entries\": [{\"devlink\": \"pci/0000:81:00.0\", "
        "\"driver\": \"ice\", \"firmware\": \"4.20\", \"order\": "
        "\"vfs-first\", \"note\": \"set by hand\"}]}");
    ck_assert_int_eq(order_load(&s, path, &err), 0);
    ck_assert_int_eq(order_record(&s, &mine, OBS_ORDER_SWITCHDEV_FIRST), 1);
    ck_assert_int_eq(order_save(&s, path, &err), 0);
    ck_assert_int_eq(order_load(&s, path, &err), 0);
    ck_assert_uint_eq(s.n, 2);
    ck_assert(order_lookup(&s, &other, &o));
    ck_assert_int_eq(o, OBS_ORDER_VFS_FIRST);
    ck_assert(order_lookup(&s, &mine, &o));
    ck_assert_int_eq(o, OBS_ORDER_SWITCHDEV_FIRST);
    order_store_clear(&s);
}
END_TEST

START_TEST(test_firmware_change)
{
    /* New firmware: the learned order does not match; what is learned
     * then replaces the device's entry. */
    struct order_store s = {0};
    enum obs_order o;
    struct order_key old = key("pci/0000:08:00.0", "mlx5_core", "22.35.1012");
    struct order_key fw = key("pci/0000:08:00.0", "mlx5_core", "22.36.1010");
    struct order_key drv =
        key("pci/0000:08:00.0", "vendor_mlx5", "22.35.1012");

    ck_assert_int_eq(order_record(&s, &old, OBS_ORDER_VFS_FIRST), 1);
    ck_assert(order_lookup(&s, &old, &o));
    ck_assert(!order_lookup(&s, &fw, &o));
    ck_assert(!order_lookup(&s, &drv, &o));
    ck_assert_int_eq(order_record(&s, &fw, OBS_ORDER_SWITCHDEV_FIRST), 1);
    ck_assert_uint_eq(s.n, 1);
    ck_assert(!order_lookup(&s, &old, &o));
    ck_assert(order_lookup(&s, &fw, &o));
    ck_assert_int_eq(o, OBS_ORDER_SWITCHDEV_FIRST);
    order_store_clear(&s);
}
END_TEST

START_TEST(test_key_of_pf)
{
    struct obs_pf pf = {.found = true, .has_devlink = true};
    struct order_key k;
    snprintf(pf.devlink, sizeof pf.devlink, "netdevsim/netdevsim1");
    snprintf(pf.driver, sizeof pf.driver, "netdevsim");
    ck_assert_int_eq(order_key_of(&pf, &k), 0);
    ck_assert_str_eq(k.devlink, "netdevsim/netdevsim1");
    ck_assert_str_eq(k.driver, "netdevsim");
    ck_assert_str_eq(k.firmware, "");
    pf.has_devlink = false;
    ck_assert_int_eq(order_key_of(&pf, &k), -ENODEV);
}
END_TEST

START_TEST(test_save_not_writable)
{
    /* The state directory cannot be made (its parent is a file, which
     * root cannot write into either): an error naming the file. */
    struct order_store s = {0};
    struct oa_err err;
    char bad[600], msg[OA_ERR_FORMAT_MAX];
    put("");
    snprintf(bad, sizeof bad, "%s/sub/" ORDER_FILE, path);
    int r = order_save(&s, bad, &err);
    ck_assert_int_eq(r, -ENOTDIR);
    ck_assert_ptr_nonnull(strstr(oa_err_format(&err, msg, sizeof msg), bad));
}
END_TEST

START_TEST(test_names)
{
    enum obs_order o;
    ck_assert_str_eq(obs_order_name(OBS_ORDER_SWITCHDEV_FIRST),
                     "switchdev-first");
    ck_assert_str_eq(obs_order_name(OBS_ORDER_VFS_FIRST), "vfs-first");
    ck_assert_ptr_null(obs_order_name((enum obs_order)7));
    ck_assert_int_eq(obs_order_parse("vfs-first", &o), 0);
    ck_assert_int_eq(o, OBS_ORDER_VFS_FIRST);
    ck_assert_int_eq(obs_order_parse("VFS-first", &o), -EINVAL);
    ck_assert_int_eq(obs_order_parse(NULL, &o), -EINVAL);
    ck_assert_str_eq(obs_order_source_name(OBS_ORDER_LEARNED), "learned");
    ck_assert_str_eq(obs_order_source_name(OBS_ORDER_FALLBACK), "fallback");
    ck_assert_str_eq(obs_order_source_name(OBS_ORDER_DEFAULT), "default");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("order");
    TCase *tc = tcase_create("file");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_round_trip);
    tcase_add_test(tc, test_missing_file);
    tcase_add_test(tc, test_corrupt_json);
    tcase_add_test(tc, test_wrong_version);
    tcase_add_test(tc, test_foreign_file);
    tcase_add_test(tc, test_wrong_types);
    tcase_add_test(tc, test_other_devices_kept);
    tcase_add_test(tc, test_save_not_writable);
    suite_add_tcase(s, tc);
    tc = tcase_create("keys");
    tcase_add_test(tc, test_firmware_change);
    tcase_add_test(tc, test_key_of_pf);
    tcase_add_test(tc, test_names);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
