/* testhook: SIGKILL at a named step (testhook.h); built only with
 * OA_TEST_HOOKS. */
#include "testhook.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
testhook_kill_at(const char *name)
{
    const char *at = getenv("OA_TEST_KILL_AT");
    if (at && !strcmp(at, name)) {
        fprintf(stderr, "test hook: SIGKILL at %s\n", name);
        raise(SIGKILL);
    }
}
