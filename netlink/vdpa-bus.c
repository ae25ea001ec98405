/* The vdpa bus through sysfs: see include/oa-netlink/vdpa-bus.h. */
#include "oa-netlink/vdpa-bus.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "oa-common/file.h"
#include "oa-common/iostat.h"
#include "oa-common/str.h"

#define VDPABUS_PATH_MAX 512

static const char *
root_or_default(const char *root)
{
    return root && *root ? root : "/sys";
}

/* A device or driver name: no path tricks. */
static bool
name_ok(const char *s)
{
    return *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

static int
write_attr(const char *path, const char *value)
{
    oa_iostat_inc(OA_IOSTAT_SYSFS_WRITES);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    size_t len = strlen(value);
    ssize_t n = write(fd, value, len);
    int r = n < 0 ? -errno : (size_t)n == len ? 0 : -EIO;
    close(fd);
    return r;
}

int
vdpabus_driver(const char *root, const char *dev, char *buf, size_t size)
{
    char path[VDPABUS_PATH_MAX], target[VDPABUS_PATH_MAX];
    buf[0] = '\0';
    if (!name_ok(dev)) {
        return -EINVAL;
    }
    int r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/devices/%s",
                          root_or_default(root), dev);
    if (r) {
        return r;
    }
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    if (access(path, F_OK) < 0) {
        return -ENODEV;
    }
    r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/devices/%s/driver",
                      root_or_default(root), dev);
    if (r) {
        return r;
    }
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        return errno == ENOENT ? 0 : -errno;
    }
    target[n] = '\0';
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    if (strlen(base) >= size) {
        return -ENOSPC;
    }
    strcpy(buf, base);
    return 1;
}

bool
vdpabus_driver_loaded(const char *root, const char *driver)
{
    char path[VDPABUS_PATH_MAX];
    if (!name_ok(driver) ||
        oa_format_fit(path, sizeof path, "%s/bus/vdpa/drivers/%s",
                      root_or_default(root), driver)) {
        return false;
    }
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    return access(path, F_OK) == 0;
}

/* Writes 'value' to <root>/bus/vdpa/<rel>. */
static int
bus_write(const char *root, const char *rel, const char *value)
{
    char path[VDPABUS_PATH_MAX];
    int r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/%s",
                          root_or_default(root), rel);
    return r ? r : write_attr(path, value);
}

int
vdpabus_bind(const char *root, const char *dev, const char *driver)
{
    char cur[64], rel[VDPABUS_PATH_MAX];
    if (!name_ok(driver)) {
        return -EINVAL;
    }
    int r = vdpabus_driver(root, dev, cur, sizeof cur);
    if (r < 0 || (r == 1 && !strcmp(cur, driver))) {
        return r < 0 ? r : 0;
    }
    if (!vdpabus_driver_loaded(root, driver)) {
        return -ENOENT;
    }
    if (r == 1) {
        r = oa_format_fit(rel, sizeof rel, "drivers/%s/unbind", cur);
        if (r || (r = bus_write(root, rel, dev))) {
            return r;
        }
    }
    r = oa_format_fit(rel, sizeof rel, "devices/%s/driver_override", dev);
    if (r || (r = bus_write(root, rel, driver)) ||
        (r = bus_write(root, "drivers_probe", dev))) {
        return r;
    }
    r = vdpabus_driver(root, dev, cur, sizeof cur);
    if (r < 0) {
        return r;
    }
    return r == 1 && !strcmp(cur, driver) ? 0 : -EIO;
}

int
vdpabus_autoprobe_get(const char *root, bool *on)
{
    char path[VDPABUS_PATH_MAX], v[16];
    int r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/drivers_autoprobe",
                          root_or_default(root));
    if (!r) {
        oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
        r = oa_read_small(path, v, sizeof v);
    }
    if (!r) {
        *on = strcmp(v, "0") != 0;
    }
    return r;
}

int
vdpabus_autoprobe_set(const char *root, bool on)
{
    return bus_write(root, "drivers_autoprobe", on ? "1" : "0");
}

/* The first entry of <dir> whose name starts with 'prefix' (any when
 * NULL) into buf: 1, 0 when none. */
static int
first_entry(const char *dir, const char *prefix, char *buf, size_t size)
{
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    DIR *d = opendir(dir);
    if (!d) {
        return errno == ENOENT || errno == ENOTDIR ? 0 : -errno;
    }
    int r = 0;
    struct dirent *e;
    while (!r && (e = readdir(d))) {
        if (e->d_name[0] == '.' ||
            (prefix && strncmp(e->d_name, prefix, strlen(prefix)))) {
            continue;
        }
        r = strlen(e->d_name) < size ? 1 : -ENOSPC;
        if (r == 1) {
            strcpy(buf, e->d_name);
        }
    }
    closedir(d);
    return r;
}

int
vdpabus_chardev(const char *root, const char *dev, char *buf, size_t size)
{
    char path[VDPABUS_PATH_MAX];
    buf[0] = '\0';
    if (!name_ok(dev)) {
        return -EINVAL;
    }
    int r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/devices/%s",
                          root_or_default(root), dev);
    return r ? r : first_entry(path, "vhost-vdpa-", buf, size);
}

int
vdpabus_netdev(const char *root, const char *dev, char *buf, size_t size)
{
    char path[VDPABUS_PATH_MAX], virtio[64];
    buf[0] = '\0';
    if (!name_ok(dev)) {
        return -EINVAL;
    }
    int r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/devices/%s",
                          root_or_default(root), dev);
    if (!r) {
        r = first_entry(path, "virtio", virtio, sizeof virtio);
    }
    if (r <= 0) {
        return r;
    }
    r = oa_format_fit(path, sizeof path, "%s/bus/vdpa/devices/%s/%s/net",
                      root_or_default(root), dev, virtio);
    return r ? r : first_entry(path, NULL, buf, size);
}
