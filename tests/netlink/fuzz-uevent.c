/* libFuzzer target: uevent_parse() and uevent_count() on arbitrary
 * datagrams (a kernel uevent is no netlink message, so it has a target of
 * its own). An exact-size heap copy: ASan sees any read past the end. */
#include "oa-netlink/uevent.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 14) {
        return 0;
    }
    char *buf = malloc(size ? size : 1);
    if (!buf) {
        return 0;
    }
    memcpy(buf, data, size);
    struct uevent_msg m;
    if (!uevent_parse(buf, size, &m)) {
        /* What it returns is strings within their fields. */
        if (strnlen(m.action, sizeof m.action) == sizeof m.action ||
            !m.action[0] ||
            strnlen(m.devpath, sizeof m.devpath) == sizeof m.devpath) {
            abort();
        }
        uevent_devname(&m);
    }
    struct uevent_summary sum = {0};
    uevent_count(buf, size, "vdpa", &sum);
    free(buf);
    return 0;
}
