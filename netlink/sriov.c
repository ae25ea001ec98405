/* SR-IOV and driver binding through sysfs: see include/oa-netlink/sriov.h. */
#include "oa-netlink/sriov.h"

#include "oa-common/file.h"
#include "oa-common/iostat.h"
#include "oa-common/str.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *
root_or_default(const char *root)
{
    return root && *root ? root : "/sys";
}

/* Reads a small sysfs attribute, trailing newline removed. */
static int
read_attr(const char *path, char *buf, size_t size)
{
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    return oa_read_small(path, buf, size);
}

/* One write(2) of 's': sysfs acts on each write call as a whole. */
static int
write_attr(const char *path, const char *s)
{
    oa_iostat_inc(OA_IOSTAT_SYSFS_WRITES);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
    if (fd < 0) {
        return -errno;
    }
    size_t len = strlen(s);
    ssize_t n = write(fd, s, len);
    int err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
    if (close(fd) < 0 && !err) {
        err = -errno;
    }
    return err;
}

static int
read_uint(const char *path, unsigned *v)
{
    char buf[32];
    int r = read_attr(path, buf, sizeof buf);
    if (r) {
        return r;
    }
    char *end;
    errno = 0;
    unsigned long x = strtoul(buf, &end, 10);
    if (errno || end == buf || *end || x > UINT_MAX) {
        return -EBADMSG;
    }
    *v = (unsigned)x;
    return 0;
}

/* Basename of the target of symlink 'path'. */
static int
link_basename(const char *path, char *buf, size_t size)
{
    char target[SRIOV_PATH_MAX];
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    ssize_t n = readlink(path, target, sizeof target - 1);
    if (n < 0) {
        return -errno;
    }
    target[n] = '\0';
    const char *base = strrchr(target, '/');
    base = base ? base + 1 : target;
    if (!*base || strlen(base) >= size) {
        return -ENAMETOOLONG;
    }
    strcpy(buf, base);
    return 0;
}

bool
sriov_pci_addr_valid(const char *a)
{
    /* DDDD:BB:DD.F */
    static const char pattern[] = "xxxx:xx:xx.x";
    if (strlen(a) != sizeof pattern - 1) {
        return false;
    }
    for (size_t i = 0; pattern[i]; i++) {
        if (pattern[i] == 'x' ? !isxdigit((unsigned char)a[i])
                              : a[i] != pattern[i]) {
            return false;
        }
    }
    return a[11] >= '0' && a[11] <= '7';
}

static bool
name_ok(const char *s)
{
    return s && *s && !strchr(s, '/') && strcmp(s, ".") && strcmp(s, "..");
}

int
sriov_pf_by_devlink(const char *root, const char *bus, const char *dev,
                    struct sriov_pf *pf)
{
    memset(pf, 0, sizeof *pf);
    if (!name_ok(bus) || !name_ok(dev) || strlen(bus) >= sizeof pf->bus ||
        strlen(dev) >= sizeof pf->name) {
        return -EINVAL;
    }
    root = root_or_default(root);
    if (strlen(root) >= sizeof pf->root) {
        return -ENAMETOOLONG;
    }
    strcpy(pf->root, root);
    strcpy(pf->bus, bus);
    strcpy(pf->name, dev);
    int r = oa_format_fit(pf->dir, sizeof pf->dir, "%s/bus/%s/devices/%s",
                          root, bus, dev);
    if (r) {
        return r;
    }
    struct stat st;
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    if (stat(pf->dir, &st) < 0 || !S_ISDIR(st.st_mode)) {
        return -ENODEV;
    }
    return 0;
}

int
sriov_pf_by_pci(const char *root, const char *addr, struct sriov_pf *pf)
{
    if (!sriov_pci_addr_valid(addr)) {
        memset(pf, 0, sizeof *pf);
        return -EINVAL;
    }
    return sriov_pf_by_devlink(root, "pci", addr, pf);
}

int
sriov_pf_by_netdev(const char *root, const char *ifname, struct sriov_pf *pf)
{
    memset(pf, 0, sizeof *pf);
    if (!name_ok(ifname)) {
        return -EINVAL;
    }
    root = root_or_default(root);
    char path[SRIOV_PATH_MAX], name[64], bus[32];
    int r = oa_format_fit(path, sizeof path, "%s/class/net/%s/device", root,
                          ifname);
    if (r) {
        return r;
    }
    r = link_basename(path, name, sizeof name);
    if (r) {
        return r == -ENOENT || r == -EINVAL ? -ENODEV : r;
    }
    r = oa_format_fit(path, sizeof path, "%s/class/net/%s/device/subsystem",
                      root, ifname);
    if (r) {
        return r;
    }
    r = link_basename(path, bus, sizeof bus);
    if (r) {
        return r == -ENOENT ? -ENODEV : r;
    }
    return sriov_pf_by_devlink(root, bus, name, pf);
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(a, b);
}

int
sriov_pf_netdevs(const struct sriov_pf *pf, char (*names)[16], size_t max)
{
    char path[SRIOV_PATH_MAX];
    int r = oa_format_fit(path, sizeof path, "%s/net", pf->dir);
    if (r) {
        return r;
    }
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    DIR *d = opendir(path);
    if (!d) {
        return errno == ENOENT ? 0 : -errno;
    }
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strlen(e->d_name) >= 16) {
            continue;
        }
        if (n < max) {
            strcpy(names[n], e->d_name);
        }
        n++;
    }
    closedir(d);
    qsort(names, n < max ? n : max, sizeof *names, cmp_names);
    return (int)n;
}

static int
pf_attr(const struct sriov_pf *pf, const char *attr, char *path, size_t size)
{
    return oa_format_fit(path, size, "%s/%s", pf->dir, attr);
}

int
sriov_numvfs_get(const struct sriov_pf *pf, unsigned *n)
{
    char path[SRIOV_PATH_MAX];
    int r = pf_attr(pf, "sriov_numvfs", path, sizeof path);
    return r ? r : read_uint(path, n);
}

int
sriov_numvfs_write(const struct sriov_pf *pf, unsigned n)
{
    char path[SRIOV_PATH_MAX], val[16];
    int r = pf_attr(pf, "sriov_numvfs", path, sizeof path);
    if (r) {
        return r;
    }
    snprintf(val, sizeof val, "%u", n);
    return write_attr(path, val);
}

int
sriov_numvfs_steps(unsigned cur, unsigned want, unsigned steps[2])
{
    if (cur == want) {
        return 0;
    }
    if (cur && want) {
        steps[0] = 0;
        steps[1] = want;
        return 2;
    }
    steps[0] = want;
    return 1;
}

int
sriov_numvfs_set(const struct sriov_pf *pf, unsigned n, bool *via_zero)
{
    if (via_zero) {
        *via_zero = false;
    }
    unsigned cur, steps[2];
    int r = sriov_numvfs_get(pf, &cur);
    if (r) {
        return r;
    }
    int k = sriov_numvfs_steps(cur, n, steps);
    for (int i = 0; i < k; i++) {
        r = sriov_numvfs_write(pf, steps[i]);
        if (r) {
            return r;
        }
        if (steps[i] == 0 && via_zero) {
            *via_zero = true;
        }
    }
    return 0;
}

int
sriov_totalvfs_get(const struct sriov_pf *pf, unsigned *n)
{
    char path[SRIOV_PATH_MAX];
    int r = pf_attr(pf, "sriov_totalvfs", path, sizeof path);
    return r ? r : read_uint(path, n);
}

int
sriov_autoprobe_get(const struct sriov_pf *pf, bool *on)
{
    char path[SRIOV_PATH_MAX];
    unsigned v;
    int r = pf_attr(pf, "sriov_drivers_autoprobe", path, sizeof path);
    if (!r) {
        r = read_uint(path, &v);
    }
    if (!r) {
        *on = v != 0;
    }
    return r;
}

int
sriov_autoprobe_set(const struct sriov_pf *pf, bool on)
{
    char path[SRIOV_PATH_MAX];
    int r = pf_attr(pf, "sriov_drivers_autoprobe", path, sizeof path);
    return r ? r : write_attr(path, on ? "1" : "0");
}

int
sriov_numvfs_write_noprobe(const struct sriov_pf *pf, unsigned n, bool *was_on,
                           int *restore_err)
{
    bool on = false;
    int restore = 0;
    int r = sriov_autoprobe_get(pf, &on);
    if (!r && on) {
        r = sriov_autoprobe_set(pf, false);
    }
    if (!r) {
        r = sriov_numvfs_write(pf, n);
        if (on) {
            restore = sriov_autoprobe_set(pf, true);
        }
    }
    if (was_on) {
        *was_on = on;
    }
    if (restore_err) {
        *restore_err = restore;
    }
    return r;
}

bool
sriov_vfs_are_devices(const struct sriov_pf *pf)
{
    char path[SRIOV_PATH_MAX];
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    return !pf_attr(pf, "sriov_totalvfs", path, sizeof path) &&
           access(path, F_OK) == 0;
}

int
sriov_vf_pci_addr(const struct sriov_pf *pf, unsigned vf, char *buf,
                  size_t size)
{
    char path[SRIOV_PATH_MAX];
    int r = oa_format_fit(path, sizeof path, "%s/virtfn%u", pf->dir, vf);
    if (r) {
        return r;
    }
    r = link_basename(path, buf, size);
    if (r == -EINVAL) {
        r = -ENOENT; /* not a link: not what we look for */
    }
    if (!r && !sriov_pci_addr_valid(buf)) {
        r = -EBADMSG;
    }
    return r;
}

static int
dev_path(const char *root, const char *addr, const char *attr, char *path,
         size_t size)
{
    if (!name_ok(addr)) {
        return -EINVAL;
    }
    return oa_format_fit(path, size, "%s/bus/pci/devices/%s%s%s",
                         root_or_default(root), addr, attr ? "/" : "",
                         attr ? attr : "");
}

int
sriov_dev_driver(const char *root, const char *addr, char *buf, size_t size)
{
    char path[SRIOV_PATH_MAX];
    buf[0] = '\0';
    int r = dev_path(root, addr, NULL, path, sizeof path);
    if (r) {
        return r;
    }
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    if (access(path, F_OK) < 0) {
        return -ENODEV;
    }
    r = dev_path(root, addr, "driver", path, sizeof path);
    if (r) {
        return r;
    }
    r = link_basename(path, buf, size);
    if (r == -ENOENT) {
        return 0;
    }
    return r ? r : 1;
}

int
sriov_dev_unbind(const char *root, const char *addr)
{
    char drv[64], path[SRIOV_PATH_MAX];
    int r = sriov_dev_driver(root, addr, drv, sizeof drv);
    if (r <= 0) {
        return r;
    }
    r = dev_path(root, addr, "driver/unbind", path, sizeof path);
    if (r) {
        return r;
    }
    r = write_attr(path, addr);
    /* Raced with another unbind: the goal is reached. */
    return r == -ENODEV ? 0 : r;
}

int
sriov_dev_bind(const char *root, const char *addr, const char *driver)
{
    char drv[64], path[SRIOV_PATH_MAX];
    if (!name_ok(driver)) {
        return -EINVAL;
    }
    int r = sriov_dev_driver(root, addr, drv, sizeof drv);
    if (r < 0) {
        return r;
    }
    if (r == 1) {
        return strcmp(drv, driver) ? -EBUSY : 0;
    }
    r = oa_format_fit(path, sizeof path, "%s/bus/pci/drivers/%s/bind",
                      root_or_default(root), driver);
    if (r) {
        return r;
    }
    oa_iostat_inc(OA_IOSTAT_SYSFS_READS);
    if (access(path, F_OK) < 0) {
        return -ENOENT;
    }
    return write_attr(path, addr);
}

int
sriov_dev_set_override(const char *root, const char *addr, const char *driver)
{
    char path[SRIOV_PATH_MAX];
    if (driver && *driver && !name_ok(driver)) {
        return -EINVAL;
    }
    int r = dev_path(root, addr, "driver_override", path, sizeof path);
    /* The kernel clears the override on an empty line. */
    return r ? r : write_attr(path, driver && *driver ? driver : "\n");
}

int
sriov_dev_get_override(const char *root, const char *addr, char *buf,
                       size_t size)
{
    char path[SRIOV_PATH_MAX];
    buf[0] = '\0';
    int r = dev_path(root, addr, "driver_override", path, sizeof path);
    if (!r) {
        r = read_attr(path, buf, size);
    }
    if (r) {
        return r;
    }
    if (!strcmp(buf, "(null)")) {
        buf[0] = '\0'; /* how the kernel prints "none" */
    }
    return buf[0] ? 1 : 0;
}
