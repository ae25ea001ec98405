/* Shared main() tail of the Check suites: run, report, exit status. */
#ifndef OA_TESTS_CHECK_H
#define OA_TESTS_CHECK_H 1

#include <check.h>
#include <stdlib.h>

/* Runs every test of 's' (Check forks each one by default), frees the
 * suite, and returns the process exit status: failure if any failed. */
static inline int
oa_check_run(Suite *s)
{
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
