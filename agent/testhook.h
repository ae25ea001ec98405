/* testhook: where the bed stops the agent dead (SIGKILL) at a named step
 * of a temporary state, to test the crash journal (crashj.h). Compiled
 * in only with the CMake option OA_TEST_HOOKS (on in test builds, off in
 * packages): elsewhere testhook_kill_at() is nothing. With it, the
 * environment variable OA_TEST_KILL_AT=NAME kills the process the first
 * time it reaches NAME (autoprobe-off, vf-unbound, detached, eswitch). */
#ifndef OA_TESTHOOK_H
#define OA_TESTHOOK_H 1

#ifdef OA_TEST_HOOKS
void testhook_kill_at(const char *name);
#else
static inline void
testhook_kill_at(const char *name)
{
    (void)name;
}
#endif

#endif
