/* SR-IOV and driver binding through sysfs, under one injectable root
 * (NULL means "/sys"; tests pass a temporary fake tree).
 *
 * Where VFs are not PCI devices (netdevsim) there is no sriov_totalvfs and
 * no virtfnN link: the functions reading them return -ENOENT, and
 * sriov_vfs_are_devices() says so up front. */
#ifndef OA_NETLINK_SRIOV_H
#define OA_NETLINK_SRIOV_H 1

#include <stdbool.h>
#include <stddef.h>

#define SRIOV_PATH_MAX 512

/* A PF device: its bus ("pci", "netdevsim"), its name on that bus
 * ("0000:43:00.0", "netdevsim1") and its sysfs directory. */
struct sriov_pf {
    char root[SRIOV_PATH_MAX];
    char bus[32];
    char name[64];
    char dir[SRIOV_PATH_MAX]; /* <root>/bus/<bus>/devices/<name> */
};

/* Finds the PF behind netdev 'ifname' (<root>/class/net/<ifname>/device).
 * -ENODEV if the netdev or its device link is missing. */
int sriov_pf_by_netdev(const char *root, const char *ifname,
                       struct sriov_pf *out);
/* By PCI address "DDDD:BB:DD.F"; -ENODEV if absent, -EINVAL if malformed. */
int sriov_pf_by_pci(const char *root, const char *addr, struct sriov_pf *out);
/* By devlink handle parts ("pci", "0000:43:00.0"). */
int sriov_pf_by_devlink(const char *root, const char *bus, const char *dev,
                        struct sriov_pf *out);

/* Names of the PF's netdevs (entries of <dir>/net), sorted; up to 'max' names of 16
 * bytes.  Returns the number found (may exceed 'max'). */
int sriov_pf_netdevs(const struct sriov_pf *, char (*names)[16], size_t max);

int sriov_numvfs_get(const struct sriov_pf *, unsigned *n);
/* Writes sriov_numvfs as is: the kernel answers EBUSY for N -> M. */
int sriov_numvfs_write(const struct sriov_pf *, unsigned n);
/* The writes that take sriov_numvfs from 'cur' to 'want': none when
 * equal, through 0 when both are non-zero.  Returns the count (0..2). */
int sriov_numvfs_steps(unsigned cur, unsigned want, unsigned steps[2]);
/* Reads, then writes as sriov_numvfs_steps() says.  *via_zero (may be
 * NULL) tells whether VFs were removed on the way, after which drivers may
 * have dropped the eswitch back to legacy. */
int sriov_numvfs_set(const struct sriov_pf *, unsigned n, bool *via_zero);

/* -ENOENT where the device does not publish it (netdevsim). */
int sriov_totalvfs_get(const struct sriov_pf *, unsigned *n);
int sriov_autoprobe_get(const struct sriov_pf *, bool *on);
int sriov_autoprobe_set(const struct sriov_pf *, bool on);

/* sriov_numvfs_write() with sriov_drivers_autoprobe off during the write
 * (written 0 only when it was on), then restored as found, also when the
 * write failed: the PCI core adds the new VFs without binding drivers to
 * them, and they stay unbound until someone binds them (the kernel checks
 * autoprobe at probe time, and the VFs' probe happened within the write).
 * *was_on (may be NULL): autoprobe as found. *restore_err (may be NULL):
 * 0, or why it could not be set back on. Returns 0 or the first failure:
 * reading or clearing autoprobe (nothing else written), or the count's
 * write. */
int sriov_numvfs_write_noprobe(const struct sriov_pf *, unsigned n,
                               bool *was_on, int *restore_err);

/* True when VFs are PCI functions of their own (sriov_totalvfs exists). */
bool sriov_vfs_are_devices(const struct sriov_pf *);

/* PCI address of VF 'vf' from the virtfnN link; -ENOENT if there is none
 * (no such VF, or VFs are not devices). */
int sriov_vf_pci_addr(const struct sriov_pf *, unsigned vf, char *buf,
                      size_t size);

/* Driver of PCI device 'addr': returns 1 and its name, or 0 (and "") when
 * unbound; -ENODEV if the device does not exist. */
int sriov_dev_driver(const char *root, const char *addr, char *buf,
                     size_t size);
/* Unbinds 'addr' from its driver; 0 if it had none. */
int sriov_dev_unbind(const char *root, const char *addr);
/* Binds 'addr' to 'driver'.  0 if already bound to it, -EBUSY if bound to
 * another, -ENOENT if the driver is not loaded. */
int sriov_dev_bind(const char *root, const char *addr, const char *driver);
/* Sets driver_override ('driver' NULL or "" clears it). */
int sriov_dev_set_override(const char *root, const char *addr,
                           const char *driver);
/* Reads driver_override: 1 and the name, 0 and "" when none set. */
int sriov_dev_get_override(const char *root, const char *addr, char *buf,
                           size_t size);

/* Validates "DDDD:BB:DD.F" (hex digits). */
bool sriov_pci_addr_valid(const char *addr);

#endif
