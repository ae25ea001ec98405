/* Unit tests of obs's pure parts: which kernels take switchdev with 0
 * VFs (the planner's order depends on it). */
#include "obs.h"
#include "oa-check.h"

START_TEST(test_release_6_and_later_allow)
{
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("6.1.0-56-amd64"),
                     OBS_YES);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("6.0.0"), OBS_YES);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("6.10.3-arch1-1"),
                     OBS_YES);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("10.2.0"), OBS_YES);
}
END_TEST

START_TEST(test_release_before_6_does_not)
{
    ck_assert_int_eq(
        obs_release_allows_switchdev_zero_vfs("5.15.0-91-generic"), OBS_NO);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("5.19.17"), OBS_NO);
    ck_assert_int_eq(
        obs_release_allows_switchdev_zero_vfs("4.18.0-513.el8.x86_64"),
        OBS_NO);
}
END_TEST

START_TEST(test_release_unparsable_is_unknown)
{
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs(NULL), OBS_UNKNOWN);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs(""), OBS_UNKNOWN);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("6"), OBS_UNKNOWN);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("6-rc1"),
                     OBS_UNKNOWN);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("v6.1"),
                     OBS_UNKNOWN);
    ck_assert_int_eq(obs_release_allows_switchdev_zero_vfs("linux"),
                     OBS_UNKNOWN);
    ck_assert_int_eq(
        obs_release_allows_switchdev_zero_vfs("99999999999999999999.1"),
        OBS_UNKNOWN);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("obs");
    TCase *tc = tcase_create("release");
    tcase_add_test(tc, test_release_6_and_later_allow);
    tcase_add_test(tc, test_release_before_6_does_not);
    tcase_add_test(tc, test_release_unparsable_is_unknown);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
