/* The vdpa bus through sysfs (<root>/bus/vdpa, root "" or NULL: /sys;
 * tests pass a fake tree): which driver a vDPA device has, binding it to
 * vhost_vdpa or virtio_vdpa, and what the driver made of it (the
 * /dev/vhost-vdpa-N char device, the virtio_net netdev). Returns 0 (or 1
 * where said) or a negative errno; nothing here logs. */
#ifndef OA_NETLINK_VDPA_BUS_H
#define OA_NETLINK_VDPA_BUS_H 1

#include <stdbool.h>
#include <stddef.h>

/* The driver bound to device 'dev' into buf: 1 when bound, 0 when not
 * (buf ""), -ENODEV when the bus has no such device. */
int vdpabus_driver(const char *root, const char *dev, char *buf, size_t size);

/* Whether 'driver' is registered on the bus (its module loaded). */
bool vdpabus_driver_loaded(const char *root, const char *driver);

/* Binds 'dev' to 'driver': nothing when it already is; otherwise unbinds
 * it from its driver, writes 'driver' to its driver_override (so that no
 * other driver takes it) and its name to drivers_probe. -ENOENT when the
 * driver is not loaded; -EIO when the device is still not bound to it. */
int vdpabus_bind(const char *root, const char *dev, const char *driver);

/* drivers_autoprobe: off while the agent creates a device, so that the
 * first driver registered does not take it before driver_override says
 * which one should. */
int vdpabus_autoprobe_get(const char *root, bool *on);
int vdpabus_autoprobe_set(const char *root, bool on);

/* vhost_vdpa's char device of 'dev' ("vhost-vdpa-0", under /dev), or
 * virtio_vdpa's netdev ("eth3"): 1 and buf, 0 when there is none. */
int vdpabus_chardev(const char *root, const char *dev, char *buf, size_t size);
int vdpabus_netdev(const char *root, const char *dev, char *buf, size_t size);

#endif
