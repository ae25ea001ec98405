/* oa_iostat: see oa-common/iostat.h. */
#include "oa-common/iostat.h"

#include <stdatomic.h>

static _Atomic uint64_t counts[OA_IOSTAT_N];

void
oa_iostat_inc(enum oa_iostat kind)
{
    atomic_fetch_add_explicit(&counts[kind], 1, memory_order_relaxed);
}

uint64_t
oa_iostat_get(enum oa_iostat kind)
{
    return atomic_load_explicit(&counts[kind], memory_order_relaxed);
}

void
oa_iostat_reset(void)
{
    for (int i = 0; i < OA_IOSTAT_N; i++) {
        atomic_store(&counts[i], 0);
    }
}
