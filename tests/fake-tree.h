/* A fake file tree under a temporary root, for tests of code that reads
 * sysfs or procfs through an injectable root. Failures abort the test. */
#ifndef OA_TESTS_FAKE_TREE_H
#define OA_TESTS_FAKE_TREE_H 1

#include <check.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkdir -p ROOT/REL */
static inline void
ft_mk(const char *root, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    for (char *c = p + strlen(root) + 1; *c; c++) {
        if (*c == '/') {
            *c = '\0';
            mkdir(p, 0755);
            *c = '/';
        }
    }
    mkdir(p, 0755);
}

/* Writes 'content' to ROOT/REL (the directory must exist). */
static inline void
ft_put(const char *root, const char *rel, const char *content)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "w");
    ck_assert_ptr_nonnull(f);
    fputs(content, f);
    fclose(f);
}

/* ROOT/REL -> target */
static inline void
ft_ln(const char *root, const char *target, const char *rel)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    ck_assert_int_eq(symlink(target, p), 0);
}

static inline int
ft_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

/* rm -rf ROOT (the test's teardown). */
static inline void
ft_rm(const char *root)
{
    nftw(root, ft_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

#endif
