/* oa_iostat: how many times this process asked the kernel something,
 * counted where the asking happens (netlink/: the two request paths,
 * sysfs reads and writes), so that a benchmark or `status --json`
 * ("stats.io", docs/cli.md) shows whether a converged reconcile costs one
 * dump per object kind or one round trip per VF. Process-wide relaxed
 * atomics: one "lock add" per count, nothing allocates, any thread. */
#ifndef OA_COMMON_IOSTAT_H
#define OA_COMMON_IOSTAT_H 1

#include <stdint.h>

enum oa_iostat {
    OA_IOSTAT_NL_REQUESTS, /* netlink requests for one object (get/set) */
    OA_IOSTAT_NL_DUMPS,    /* netlink dump requests (NLM_F_DUMP) */
    OA_IOSTAT_SYSFS_READS, /* sysfs files read, links read, dirs listed */
    OA_IOSTAT_SYSFS_WRITES,
    OA_IOSTAT_N
};

void oa_iostat_inc(enum oa_iostat);
uint64_t oa_iostat_get(enum oa_iostat);
/* For tests: back to zero. */
void oa_iostat_reset(void);

#endif
