/* obs-inuse: the part of obs_collect() that tells which VFs are in use
 * (obs.h, obs_vf.in_use). */
#ifndef OA_OBS_INUSE_H
#define OA_OBS_INUSE_H 1

#include <stdbool.h>
#include <stddef.h>

struct hostio;
struct ifaddrs;
struct obs_host;

/* Sets in_use and holder of every PCI VF of the found PFs of 'host':
 * bound to vfio-pci and its IOMMU group's device (or vfio cdev) open
 * by a process (one pass over the fds under io->proc_root; when some
 * process's fds cannot be read and nobody is seen holding it, taken as
 * in use, "holders unknown"); else a netdev of the VF (sysfs
 * .../net/NAME) enslaved, or up with an address that is not IPv6
 * link-local. Read-only. 0, or -ENOMEM. */
int obs_inuse_collect(struct hostio *io, struct obs_host *host);

/* The netdev rule alone, for the netdev 'name' whose sysfs directory is
 * 'dir' (a VF's, or virtio_vdpa's for a vDPA device: obs-vdpa.c): true
 * with 'holder' set when it is enslaved, or up with an address that is
 * not IPv6 link-local. '*ifas' is fetched on first need ('*ifas_read'
 * false: not yet) and freed by the caller with freeifaddrs(). */
bool obs_inuse_netdev(const char *dir, const char *name, struct ifaddrs **ifas,
                      bool *ifas_read, char *holder, size_t size);

#endif
