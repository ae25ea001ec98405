/* vDPA devices over the kernel's "vdpa" generic netlink family
 * (include/uapi/linux/vdpa.h; iproute2's vdpa/vdpa.c is the reference
 * client): management devices, device create/delete/get, config get.
 *
 * I/O functions take a socket from oanl_open_genl("vdpa") (-ENOENT there:
 * the kernel has no vdpa module loaded) and return 0 or a negative errno;
 * where the kernel refuses, its extended ACK text is copied into 'ext'
 * (may be NULL). The family has no multicast group: the kernel sends no
 * netlink notification for vDPA devices (only uevents). Attribute numbers
 * above 20 differ between kernels (21 is the device features of a net
 * device in 6.1 and a block device's capacity in 6.12): vdpa_decode_config
 * says which it reads. */
#ifndef OA_NETLINK_VDPA_H
#define OA_NETLINK_VDPA_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

#define VDPA_DEV_NAME_MAX 64

/* virtio feature bits the agent reports on (virtio spec, 6). */
#define VDPA_F_VERSION_1 32 /* modern device; without it: legacy */

/* A management device: "bus/dev" ("pci/0000:43:00.2", "auxiliary/mlx5_core.sf.2")
 * or a bare "dev" with an empty bus ("vdpasim_net"). */
struct vdpa_mgmtdev {
    char bus[32];
    char dev[64];
};

/* Parses "bus/dev" or "dev"; -EINVAL if empty, malformed or too long. */
int vdpa_mgmtdev_parse(const char *s, struct vdpa_mgmtdev *);
/* "bus/dev" or "dev" into buf; -ENOSPC if it does not fit. */
int vdpa_mgmtdev_format(const struct vdpa_mgmtdev *, char *buf, size_t size);
bool vdpa_mgmtdev_equal(const struct vdpa_mgmtdev *,
                        const struct vdpa_mgmtdev *);

/* One management device (VDPA_CMD_MGMTDEV_GET). */
struct vdpa_mgmtdev_info {
    struct vdpa_mgmtdev h;
    bool has_classes, has_max_vqs, has_features;
    uint64_t classes;            /* bit VIRTIO_ID_NET (1): net devices */
    uint32_t max_vqs;            /* VDPA_ATTR_DEV_MGMTDEV_MAX_VQS */
    uint64_t supported_features; /* VDPA_ATTR_DEV_SUPPORTED_FEATURES */
};

/* One vDPA device (VDPA_CMD_DEV_GET). */
struct vdpa_dev_info {
    char name[VDPA_DEV_NAME_MAX];
    struct vdpa_mgmtdev mgmt;
    uint32_t device_id; /* VIRTIO_ID_*: 1 net */
    uint32_t vendor_id, max_vqs;
    uint16_t max_vq_size, min_vq_size;
};

/* A device's configuration (VDPA_CMD_DEV_CONFIG_GET). The has_ flags say
 * which attributes the kernel sent: mtu, mac, status and max_vqp only when
 * the device offers the feature; negotiated features only once a driver
 * set FEATURES_OK (no driver, or vhost_vdpa with no guest yet: none). */
struct vdpa_dev_config {
    char name[VDPA_DEV_NAME_MAX];
    uint32_t device_id;
    bool has_mac, has_status, has_max_vqp, has_mtu;
    bool has_negotiated, has_dev_features;
    uint8_t mac[6];
    uint16_t status, max_vqp, mtu;
    uint64_t negotiated;   /* VDPA_ATTR_DEV_NEGOTIATED_FEATURES */
    uint64_t dev_features; /* the device's offer: see vdpa_decode_config */
};

/* What VDPA_CMD_DEV_NEW asks for; 0 leaves max_vqp or mtu out (the device's
 * default), has_mac false the MAC. */
struct vdpa_dev_new_req {
    char name[VDPA_DEV_NAME_MAX];
    struct vdpa_mgmtdev mgmt;
    bool has_mac;
    uint8_t mac[6];
    uint16_t max_vqp, mtu;
};

/* Negotiated without VIRTIO_F_VERSION_1: the device runs in legacy mode
 * (on mlx5 the data path then falls back to a software relay). */
static inline bool
vdpa_features_modern(uint64_t features)
{
    return (features >> VDPA_F_VERSION_1) & 1;
}

/* Lists management devices. Caller owns *out (free()). */
int vdpa_mgmtdev_list(struct oanl_sock *, struct vdpa_mgmtdev_info **out,
                      size_t *n, struct oanl_extack *ext);
/* Lists vDPA devices. Caller owns *out (free()). */
int vdpa_dev_list(struct oanl_sock *, struct vdpa_dev_info **out, size_t *n,
                  struct oanl_extack *ext);
/* One device by name; -ENODEV when the kernel has none of that name. */
int vdpa_dev_get(struct oanl_sock *, const char *name,
                 struct vdpa_dev_info *out, struct oanl_extack *ext);
/* Creates a device. -EEXIST: the name is taken; -EOPNOTSUPP: the
 * management device takes not every attribute given (the simulator and
 * older mlx5 refuse max_vqp; the text in 'ext' says which). */
int vdpa_dev_new(struct oanl_sock *, const struct vdpa_dev_new_req *,
                 struct oanl_extack *ext);
/* Deletes a device, bound or not. -ENODEV when it does not exist. */
int vdpa_dev_del(struct oanl_sock *, const char *name,
                 struct oanl_extack *ext);
int vdpa_config_get(struct oanl_sock *, const char *name,
                    struct vdpa_dev_config *out, struct oanl_extack *ext);

/* --- Pure codecs (no I/O), for the unit tests and the fuzzer. Encoders
 * return the message length or -ENOSPC; decoders 0, -EPROTO for another
 * command, -EBADMSG for a malformed message. */
int vdpa_encode_mgmtdev_dump(void *buf, size_t len, uint16_t family);
int vdpa_encode_dev_dump(void *buf, size_t len, uint16_t family);
int vdpa_encode_dev_get(void *buf, size_t len, uint16_t family,
                        const char *name);
int vdpa_encode_dev_new(void *buf, size_t len, uint16_t family,
                        const struct vdpa_dev_new_req *);
int vdpa_encode_dev_del(void *buf, size_t len, uint16_t family,
                        const char *name);
int vdpa_encode_config_get(void *buf, size_t len, uint16_t family,
                           const char *name);

int vdpa_decode_mgmtdev(const struct nlmsghdr *, struct vdpa_mgmtdev_info *);
int vdpa_decode_dev(const struct nlmsghdr *, struct vdpa_dev_info *);
/* The device features come from attribute 20 (VDPA_ATTR_DEV_FEATURES, as
 * 6.12 sends them) or, when that is absent and the device is a net device,
 * from 21 (6.1's VDPA_ATTR_VDPA_DEV_SUPPORTED_FEATURES; 6.12 sends 21 for
 * block devices only). */
int vdpa_decode_config(const struct nlmsghdr *, struct vdpa_dev_config *);

#endif
