/* libFuzzer target for the state files the agent reads back at start
 * (STATE_DIR/eswitch-order.json and pf-pins.json): a corrupt or hostile
 * file must be refused with an error, never crash or leak. The first
 * byte picks the loader, the rest is the file (a memfd, read through
 * /proc/self/fd like any path). Beyond ASan/UBSan it checks the loaders'
 * promises and aborts on any broken one:
 * - a refused file leaves the store empty and says why;
 * - a file accepted survives the round trip: saved and loaded again, it
 *   is the same entries. */
#include "oa-common/err.h"
#include "order.h"
#include "pfpin.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                  \
    do {                                                             \
        if (!(cond)) {                                               \
            fprintf(stderr, "%s:%d: broken promise: %s\n", __FILE__, \
                    __LINE__, #cond);                                \
            abort();                                                 \
        }                                                            \
    } while (0)

/* A private directory for the round trip's saves, made once and removed
 * at exit. */
static char dir[] = "/tmp/oa-fuzz-state.XXXXXX";

static void
remove_dir(void)
{
    char path[256];
    if (order_path(dir, path, sizeof path) == 0) {
        unlink(path);
    }
    if (pfpin_path(dir, path, sizeof path) == 0) {
        unlink(path);
    }
    rmdir(dir);
}

static const char *
save_dir(void)
{
    static bool made;
    if (!made) {
        CHECK(mkdtemp(dir));
        atexit(remove_dir);
        made = true;
    }
    return dir;
}

static void
check_orders(const char *path)
{
    struct order_store s = {0}, again = {0};
    struct oa_err err = {0};
    char saved[256];

    if (order_load(&s, path, &err) < 0) {
        CHECK(s.n == 0 && err.code < 0);
        order_store_clear(&s);
        return;
    }
    CHECK(order_path(save_dir(), saved, sizeof saved) == 0);
    CHECK(order_save(&s, saved, &err) == 0);
    CHECK(order_load(&again, saved, &err) == 0);
    CHECK(again.n == s.n);
    for (size_t i = 0; i < s.n; i++) {
        CHECK(!strcmp(again.v[i].key.devlink, s.v[i].key.devlink));
        CHECK(!strcmp(again.v[i].key.driver, s.v[i].key.driver));
        CHECK(!strcmp(again.v[i].key.firmware, s.v[i].key.firmware));
        CHECK(again.v[i].order == s.v[i].order);
    }
    order_store_clear(&s);
    order_store_clear(&again);
}

static void
check_pins(const char *path)
{
    struct pfpin_store s = {0}, again = {0};
    struct oa_err err = {0};
    char saved[256];

    if (pfpin_load(&s, path, &err) < 0) {
        CHECK(s.n == 0 && err.code < 0);
        pfpin_store_clear(&s);
        return;
    }
    CHECK(pfpin_path(save_dir(), saved, sizeof saved) == 0);
    CHECK(pfpin_save(&s, saved, &err) == 0);
    CHECK(pfpin_load(&again, saved, &err) == 0);
    CHECK(again.n == s.n);
    for (size_t i = 0; i < s.n; i++) {
        CHECK(!strcmp(again.v[i].netdev, s.v[i].netdev));
        CHECK(!strcmp(again.v[i].bus, s.v[i].bus));
        CHECK(!strcmp(again.v[i].device, s.v[i].device));
        CHECK(!strcmp(again.v[i].devlink, s.v[i].devlink));
    }
    pfpin_store_clear(&s);
    pfpin_store_clear(&again);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char path[64];

    if (size < 1) {
        return 0;
    }
    int fd = memfd_create("state", MFD_CLOEXEC);
    CHECK(fd >= 0);
    if (size > 1) {
        CHECK(write(fd, data + 1, size - 1) == (ssize_t)(size - 1));
    }
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    if (data[0] & 1) {
        check_pins(path);
    } else {
        check_orders(path);
    }
    close(fd);
    return 0;
}
