/* lagstate: see lagstate.h. */
#include "lagstate.h"

#include "oa-common/file.h"
#include "oa-common/str.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

/* Reads attribute 'name' of the PF's lag directory 'dir' into 'buf'; a
 * missing or unreadable optional attribute leaves it "" (mlx5 answers
 * EINVAL for type and port_sel_mode while the LAG is inactive). */
static void
read_optional(const char *dir, const char *name, char *buf, size_t size)
{
    char path[PATH_MAX];
    if (oa_format_fit(path, sizeof path, "%s/%s", dir, name) < 0 ||
        oa_read_small(path, buf, size) < 0) {
        buf[0] = '\0';
    }
}

int
lagstate_read(const char *sysfs_root, const char *bus, const char *dev_name,
              struct lagstate *out)
{
    char dir[PATH_MAX], path[PATH_MAX];

    memset(out, 0, sizeof *out);
    if (!bus || strcmp(bus, "pci") != 0 || !dev_name || !dev_name[0] ||
        strchr(dev_name, '/')) {
        return 0;
    }
    if (oa_format_fit(dir, sizeof dir, "%s/kernel/debug/mlx5/%s/lag",
                      sysfs_root ? sysfs_root : "/sys", dev_name) < 0 ||
        oa_format_fit(path, sizeof path, "%s/state", dir) < 0) {
        return 0;
    }
    int r = oa_read_small(path, out->state, sizeof out->state);
    if (r == -ENOENT || r == -ENOTDIR) {
        out->state[0] = '\0';
        return 0;
    }
    if (r < 0) {
        out->state[0] = '\0';
        return r;
    }
    out->exposed = true;
    read_optional(dir, "type", out->type, sizeof out->type);
    read_optional(dir, "port_sel_mode", out->port_sel, sizeof out->port_sel);
    return 0;
}

bool
lagstate_active(const struct lagstate *l)
{
    return l->exposed && strcmp(l->state, "active") == 0;
}
