/* Unit tests of common/: oa_err (how an error is rendered for people,
 * prefixes) and oa_str / oa_copy_str. Running out of memory (oa_str's
 * sticky 'oom') is not forced here. */
#include "oa-check.h"
#include "oa-common/err.h"
#include "oa-common/str.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *
fmt(const struct oa_err *err)
{
    static char buf[OA_ERR_FORMAT_MAX];
    return oa_err_format(err, buf, sizeof buf);
}

/* ---- oa_err ------------------------------------------------------------ */

START_TEST(test_err_text_only)
{
    struct oa_err err = {0};

    ck_assert_str_eq(fmt(&err), "no error");
    ck_assert_str_eq(fmt(NULL), "no error");
    /* A text without a code is a note, not an error: shown as it is. */
    oa_err_set(&err, 0, "nothing to do");
    ck_assert(!oa_err_is_set(&err));
    ck_assert_str_eq(fmt(&err), "nothing to do");
}
END_TEST

START_TEST(test_err_errno_only)
{
    struct oa_err err;

    ck_assert_int_eq(oa_err_set(&err, -ENOENT, "%s", ""), -ENOENT);
    ck_assert(oa_err_is_set(&err));
    ck_assert_str_eq(fmt(&err), "No such file or directory");
    /* A positive errno by mistake renders the same. */
    oa_err_set(&err, ENOENT, "%s", "");
    ck_assert_str_eq(fmt(&err), "No such file or directory");
}
END_TEST

START_TEST(test_err_text_and_errno)
{
    struct oa_err err;

    /* The text is the whole sentence... */
    oa_err_set(&err, -EBUSY, "set-numvfs %s: %u -> %u VFs", "pci/0000:01:00.0",
               2u, 4u);
    ck_assert_str_eq(fmt(&err), "set-numvfs pci/0000:01:00.0: 2 -> 4 VFs");
    /* ...or says the errno through oa_err_set_errno(). */
    ck_assert_int_eq(oa_err_set_errno(&err, -EBUSY,
                                      "set-numvfs %s: %u -> %u "
                                      "VFs",
                                      "pci/0000:01:00.0", 2u, 4u),
                     -EBUSY);
    ck_assert_str_eq(fmt(&err),
                     "set-numvfs pci/0000:01:00.0: 2 -> 4 VFs: Device or "
                     "resource busy");
    oa_err_set_errno(&err, -ENODEV, "%s", "");
    ck_assert_str_eq(fmt(&err), "No such device");
}
END_TEST

START_TEST(test_err_extack)
{
    struct oa_err err;

    ck_assert_int_eq(
        oa_err_set_extack(&err, -EOPNOTSUPP, "Switchdev mode requires VFs",
                          "set-eswitch %s", "netdevsim/netdevsim1"),
        -EOPNOTSUPP);
    ck_assert_str_eq(fmt(&err), "set-eswitch netdevsim/netdevsim1 (kernel: "
                                "Switchdev mode requires VFs)");
    /* Without text: the errno and the kernel's words. */
    oa_err_set_extack(&err, -EINVAL, "bad attribute", "%s", "");
    ck_assert_str_eq(fmt(&err), "Invalid argument (kernel: bad attribute)");
    /* NULL or "" extack: no kernel part. */
    oa_err_set_extack(&err, -EINVAL, NULL, "x");
    ck_assert_str_eq(fmt(&err), "x");
    oa_err_set_extack(&err, -EINVAL, "", "x");
    ck_assert_str_eq(fmt(&err), "x");
    /* oa_err_set() clears an extack set before. */
    oa_err_set_extack(&err, -EINVAL, "old words", "x");
    oa_err_set(&err, -EINVAL, "y");
    ck_assert_str_eq(fmt(&err), "y");
}
END_TEST

START_TEST(test_err_own_text_as_argument)
{
    struct oa_err err;

    oa_err_set_extack(&err, -EIO, "kernel words", "inner");
    oa_err_set_extack(&err, -EIO, err.extack, "outer: %s", err.text);
    ck_assert_str_eq(err.text, "outer: inner");
    ck_assert_str_eq(err.extack, "kernel words");
}
END_TEST

START_TEST(test_err_format_truncates)
{
    struct oa_err err;
    char small[12];

    oa_err_set(&err, -EIO, "abcdefghijklmnop");
    ck_assert_ptr_eq(oa_err_format(&err, small, sizeof small), small);
    ck_assert_str_eq(small, "abcdefghijk");
    /* Size 0: nothing written. */
    small[0] = 'Z';
    oa_err_format(&err, small, 0);
    ck_assert_int_eq(small[0], 'Z');
}
END_TEST

START_TEST(test_err_text_truncated_to_field)
{
    struct oa_err err;
    char big[OA_ERR_TEXT_MAX * 2];

    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    oa_err_set(&err, -EIO, "%s", big);
    ck_assert_uint_eq(strlen(err.text), OA_ERR_TEXT_MAX - 1);
}
END_TEST

START_TEST(test_err_prefix)
{
    struct oa_err err;

    oa_err_set_extack(&err, -EOPNOTSUPP, "no", "set-eswitch %s", "x/y");
    oa_err_prefix(&err, "PF %s", "eth0");
    ck_assert_str_eq(err.text, "PF eth0: set-eswitch x/y");
    ck_assert_int_eq(err.code, -EOPNOTSUPP); /* code and extack stay */
    ck_assert_str_eq(err.extack, "no");
    ck_assert_str_eq(fmt(&err), "PF eth0: set-eswitch x/y (kernel: no)");

    /* An empty text: the prefix alone, then the errno. */
    oa_err_set(&err, -ENOMEM, "%s", "");
    oa_err_prefix(&err, "observing the host");
    ck_assert_str_eq(fmt(&err), "observing the host: Cannot allocate memory");

    /* Longer than the field: cut, still terminated. */
    char big[OA_ERR_TEXT_MAX + 10];
    memset(big, 'p', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    oa_err_set(&err, -EIO, "tail");
    oa_err_prefix(&err, "%s", big);
    ck_assert_uint_eq(strlen(err.text), OA_ERR_TEXT_MAX - 1);
    ck_assert_int_eq(err.text[0], 'p');

    oa_err_prefix(NULL, "nothing happens");
}
END_TEST

START_TEST(test_err_clear_and_null)
{
    struct oa_err err;

    ck_assert_int_eq(oa_err_set(NULL, -EIO, "x"), -EIO);
    ck_assert_int_eq(oa_err_set_extack(NULL, -EIO, "k", "x"), -EIO);
    oa_err_set_extack(&err, -EIO, "k", "x");
    oa_err_clear(&err);
    ck_assert(!oa_err_is_set(&err));
    ck_assert_str_eq(err.text, "");
    ck_assert_str_eq(err.extack, "");
    ck_assert(!oa_err_is_set(NULL));
    oa_err_clear(NULL);
}
END_TEST

/* ---- oa_str ------------------------------------------------------------- */

START_TEST(test_str_empty)
{
    struct oa_str s = OA_STR_INIT;

    ck_assert_str_eq(oa_str_cstr(&s), "");
    ck_assert_uint_eq(s.len, 0);
    oa_str_truncate(&s, 0);
    oa_str_free(&s);
    oa_str_free(&s); /* twice: a zeroed struct */
    oa_str_free(NULL);

    char *stolen = oa_str_steal(&s);
    ck_assert_ptr_nonnull(stolen); /* a new "" */
    ck_assert_str_eq(stolen, "");
    free(stolen);
}
END_TEST

START_TEST(test_str_grows)
{
    struct oa_str s = OA_STR_INIT;
    char want[5001];

    /* Well past the first allocation and several doublings. */
    for (size_t i = 0; i < 5000; i++) {
        char c = (char)('a' + i % 26);
        if (i % 3 == 0) {
            oa_str_putc(&s, c);
        } else if (i % 3 == 1) {
            oa_str_put(&s, &c, 1);
        } else {
            char one[2] = {c, '\0'};
            oa_str_puts(&s, one);
        }
        want[i] = c;
    }
    want[5000] = '\0';
    ck_assert(!s.oom);
    ck_assert_uint_eq(s.len, 5000);
    ck_assert_uint_gt(s.cap, s.len);
    ck_assert_str_eq(oa_str_cstr(&s), want);
    oa_str_puts(&s, NULL); /* nothing */
    oa_str_put(&s, NULL, 0);
    ck_assert_uint_eq(s.len, 5000);
    oa_str_free(&s);
    ck_assert_ptr_null(s.s);
    ck_assert_uint_eq(s.len, 0);
}
END_TEST

START_TEST(test_str_put_keeps_embedded_bytes)
{
    struct oa_str s = OA_STR_INIT;

    oa_str_put(&s, "ab\0cd", 5);
    ck_assert_uint_eq(s.len, 5);
    ck_assert_mem_eq(s.s, "ab\0cd", 6);
    oa_str_free(&s);
}
END_TEST

START_TEST(test_str_printf)
{
    struct oa_str s = OA_STR_INIT;
    char big[3000];

    oa_str_printf(&s, "%s=%d", "vfs", 4);
    oa_str_printf(&s, "%s", "");
    oa_str_printf(&s, ", %zu%c", (size_t)7, '!');
    ck_assert_str_eq(oa_str_cstr(&s), "vfs=4, 7!");
    ck_assert_uint_eq(s.len, strlen("vfs=4, 7!"));

    /* One piece larger than everything so far. */
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    oa_str_printf(&s, "[%s]", big);
    ck_assert_uint_eq(s.len, strlen("vfs=4, 7!") + 2 + sizeof big - 1);
    ck_assert_int_eq(oa_str_cstr(&s)[s.len - 1], ']');
    ck_assert_uint_eq(strlen(oa_str_cstr(&s)), s.len);
    oa_str_free(&s);

    /* printf as the first thing, with nothing to print. */
    oa_str_printf(&s, "%s", "");
    ck_assert_str_eq(oa_str_cstr(&s), "");
    oa_str_free(&s);
}
END_TEST

START_TEST(test_str_truncate)
{
    struct oa_str s = OA_STR_INIT;

    oa_str_puts(&s, "set-eswitch, ");
    oa_str_truncate(&s, s.len - 2); /* drop the separator */
    ck_assert_str_eq(oa_str_cstr(&s), "set-eswitch");
    ck_assert_uint_eq(s.len, 11);
    oa_str_truncate(&s, 100); /* longer: no-op */
    ck_assert_str_eq(oa_str_cstr(&s), "set-eswitch");
    oa_str_truncate(&s, 0);
    ck_assert_str_eq(oa_str_cstr(&s), "");
    oa_str_puts(&s, "again");
    ck_assert_str_eq(oa_str_cstr(&s), "again");
    oa_str_free(&s);
}
END_TEST

START_TEST(test_str_steal)
{
    struct oa_str s = OA_STR_INIT;

    oa_str_puts(&s, "owned by the caller");
    char *out = oa_str_steal(&s);
    ck_assert_str_eq(out, "owned by the caller");
    ck_assert_ptr_null(s.s); /* emptied: usable again */
    ck_assert_uint_eq(s.len, 0);
    oa_str_puts(&s, "next");
    ck_assert_str_eq(oa_str_cstr(&s), "next");
    oa_str_free(&s);
    free(out);
}
END_TEST

/* ---- oa_copy_str -------------------------------------------------------- */

START_TEST(test_copy_str)
{
    char dst[6];

    ck_assert_ptr_eq(oa_copy_str(dst, sizeof dst, "eth0"), dst);
    ck_assert_str_eq(dst, "eth0");
    oa_copy_str(dst, sizeof dst, "abcde"); /* exactly fits */
    ck_assert_str_eq(dst, "abcde");
    oa_copy_str(dst, sizeof dst, "enp1s0f0np0"); /* cut */
    ck_assert_str_eq(dst, "enp1s");
    oa_copy_str(dst, sizeof dst, NULL);
    ck_assert_str_eq(dst, "");
    oa_copy_str(dst, 1, "x");
    ck_assert_str_eq(dst, "");
    oa_copy_str(dst, sizeof dst, "self");
    oa_copy_str(dst, sizeof dst, dst); /* itself: unchanged */
    ck_assert_str_eq(dst, "self");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("common");
    TCase *tc = tcase_create("err");
    tcase_add_test(tc, test_err_text_only);
    tcase_add_test(tc, test_err_errno_only);
    tcase_add_test(tc, test_err_text_and_errno);
    tcase_add_test(tc, test_err_extack);
    tcase_add_test(tc, test_err_own_text_as_argument);
    tcase_add_test(tc, test_err_format_truncates);
    tcase_add_test(tc, test_err_text_truncated_to_field);
    tcase_add_test(tc, test_err_prefix);
    tcase_add_test(tc, test_err_clear_and_null);
    suite_add_tcase(s, tc);
    tc = tcase_create("str");
    tcase_add_test(tc, test_str_empty);
    tcase_add_test(tc, test_str_grows);
    tcase_add_test(tc, test_str_put_keeps_embedded_bytes);
    tcase_add_test(tc, test_str_printf);
    tcase_add_test(tc, test_str_truncate);
    tcase_add_test(tc, test_str_steal);
    tcase_add_test(tc, test_copy_str);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
