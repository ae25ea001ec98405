/* Unit tests of oa_netlink: pure codecs on byte buffers and sysfs on a
 * temporary fake tree.  No kernel access. */
#include "nltest.h"

#include <stdlib.h>

int
main(void)
{
    SRunner *sr = srunner_create(nlsock_suite());
    srunner_add_suite(sr, devlink_suite());
    srunner_add_suite(sr, devlink_info_suite());
    srunner_add_suite(sr, devlink_health_suite());
    srunner_add_suite(sr, link_suite());
    srunner_add_suite(sr, tcf_suite());
    srunner_add_suite(sr, ethfeat_suite());
    srunner_add_suite(sr, sriov_suite());
    srunner_add_suite(sr, nlev_suite());
    srunner_add_suite(sr, repr_suite());
    srunner_add_suite(sr, dpport_suite());
    srunner_add_suite(sr, bond_suite());
    srunner_add_suite(sr, vdpa_suite());
    srunner_add_suite(sr, uevent_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
