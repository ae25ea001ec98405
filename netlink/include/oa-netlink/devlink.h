/* devlink over generic netlink: devices, eswitch mode, ports.
 *
 * All I/O functions take a socket from oanl_open_genl("devlink") and
 * return 0 or a negative errno; where the kernel refuses, its extended ACK
 * text is copied into 'ext' (may be NULL).  Attributes newer than our
 * headers are skipped. */
#ifndef OA_NETLINK_DEVLINK_H
#define OA_NETLINK_DEVLINK_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "oa-netlink/nlsock.h"

/* A devlink instance, "bus/dev", e.g. "pci/0000:43:00.0" or
 * "netdevsim/netdevsim1". */
struct devlink_handle {
    char bus[32];
    char dev[64];
};

/* Parses "bus/dev"; -EINVAL if malformed or too long. */
int devlink_handle_parse(const char *s, struct devlink_handle *);
/* Writes "bus/dev" into buf; returns -ENOSPC if it does not fit. */
int devlink_handle_format(const struct devlink_handle *, char *buf,
                          size_t size);
bool devlink_handle_equal(const struct devlink_handle *,
                          const struct devlink_handle *);

/* Eswitch state.  Values are the uapi DEVLINK_ESWITCH_* numbers; the has_
 * flags say whether the driver reported the attribute at all. */
struct devlink_eswitch_state {
    bool has_mode, has_inline_mode, has_encap_mode;
    uint16_t mode;       /* DEVLINK_ESWITCH_MODE_{LEGACY,SWITCHDEV} */
    uint8_t inline_mode; /* DEVLINK_ESWITCH_INLINE_MODE_* */
    uint8_t encap_mode;  /* DEVLINK_ESWITCH_ENCAP_MODE_* */
};

/* What to change; a negative value leaves that setting alone. */
struct devlink_eswitch_req {
    int mode;
    int inline_mode;
    int encap_mode;
};

/* One devlink port (DEVLINK_CMD_PORT_GET).  has_ flags say which optional
 * attributes the kernel sent.  Devlink carries no switch id: read it from
 * the port's netdev (oa_link phys_switch_id). */
struct devlink_port_info {
    struct devlink_handle dev;
    uint32_t index;
    uint16_t type;    /* DEVLINK_PORT_TYPE_* */
    uint16_t flavour; /* DEVLINK_PORT_FLAVOUR_* */
    bool has_flavour, has_pfnum, has_vfnum, has_sfnum, has_controller;
    bool has_number, external;
    uint16_t pfnum, vfnum;
    uint32_t sfnum, controller, number;
    uint32_t netdev_ifindex; /* 0 if the port has no netdev */
    char netdev_name[16];
    /* The port function's MAC (DEVLINK_PORT_FUNCTION_ATTR_HW_ADDR in the
     * DEVLINK_ATTR_PORT_FUNCTION nest): only when the driver reports an
     * Ethernet address (6 bytes). mlx5 does on its VF ports in switchdev,
     * and a driver without the op (stock netdevsim) sends none. */
    bool has_fn_hw_addr;
    uint8_t fn_hw_addr[6];
};

/* A driver parameter's type (DEVLINK_ATTR_PARAM_TYPE): the kernel uses
 * the NLA_* numbers, named DEVLINK_VAR_ATTR_TYPE_* only in uapi headers
 * newer than ours. A string param is NLA_STRING (5) both ways: the 6.1
 * kernel reports 5 and refuses a set with NLA_NUL_STRING (10), measured
 * in the bed. 10 is still read as a string; a set sends back the type
 * the get reported. Either way the value goes with its NUL. */
enum devlink_param_type {
    DEVLINK_PARAM_U8 = 1,          /* NLA_U8 */
    DEVLINK_PARAM_U16 = 2,         /* NLA_U16 */
    DEVLINK_PARAM_U32 = 3,         /* NLA_U32 */
    DEVLINK_PARAM_U64 = 4,         /* NLA_U64 */
    DEVLINK_PARAM_STRING = 5,      /* NLA_STRING */
    DEVLINK_PARAM_BOOL = 6,        /* NLA_FLAG: present is true */
    DEVLINK_PARAM_NUL_STRING = 10, /* NLA_NUL_STRING */
};

static inline bool
devlink_param_is_string(unsigned type)
{
    return type == DEVLINK_PARAM_STRING || type == DEVLINK_PARAM_NUL_STRING;
}

/* One driver parameter (DEVLINK_CMD_PARAM_GET) and its value in the
 * configuration mode asked for (has_value false when the driver has no
 * value in that mode). Which of num/flag/str holds it follows 'type'. */
struct devlink_param {
    char name[64];
    bool generic;
    uint8_t type; /* enum devlink_param_type */
    bool has_value;
    uint8_t cmode; /* DEVLINK_PARAM_CMODE_* */
    uint64_t num;
    bool flag;
    char str[64];
};

/* Lists devlink instances.  Caller owns *out (free()); *n gets the count. */
int devlink_dev_list(struct oanl_sock *, struct devlink_handle **out,
                     size_t *n, struct oanl_extack *ext);

/* Dumps ports, only those of 'filter' unless it is NULL.  Caller owns *out
 * (free()). */
int devlink_port_list(struct oanl_sock *, const struct devlink_handle *filter,
                      struct devlink_port_info **out, size_t *n,
                      struct oanl_extack *ext);

/* Finds the devlink instance owning the port whose netdev is 'ifindex'
 * (by its devlink port).  -ENODEV if no port has that netdev. */
int devlink_dev_by_ifindex(struct oanl_sock *, uint32_t ifindex,
                           struct devlink_handle *out,
                           struct oanl_extack *ext);

/* 1 when devlink knows instance 'h', 0 when it does not, or a negative
 * errno when the devices cannot be listed. */
int devlink_dev_exists(struct oanl_sock *, const struct devlink_handle *,
                       struct oanl_extack *ext);

/* The uplink of instance 'h': the netdev of its physical port with the
 * lowest index (devlink_ports_uplink()) into 'name'. -ENOENT when no
 * physical port has a netdev. */
int devlink_uplink_netdev(struct oanl_sock *, const struct devlink_handle *,
                          char name[16], struct oanl_extack *ext);

int devlink_eswitch_get(struct oanl_sock *, const struct devlink_handle *,
                        struct devlink_eswitch_state *out,
                        struct oanl_extack *ext);

/* Sets eswitch mode/inline/encap in one request (with NLM_F_ACK).  A driver
 * that lacks inline/encap support answers -EOPNOTSUPP with a message. */
int devlink_eswitch_set(struct oanl_sock *, const struct devlink_handle *,
                        const struct devlink_eswitch_req *,
                        struct oanl_extack *ext);

/* Reads driver parameter 'name' of 'h' and its value in 'cmode'
 * (DEVLINK_PARAM_CMODE_RUNTIME, ...). -EINVAL from a driver without
 * that parameter (with the kernel's text in 'ext'). */
int devlink_param_get(struct oanl_sock *, const struct devlink_handle *,
                      const char *name, uint8_t cmode,
                      struct devlink_param *out, struct oanl_extack *ext);

/* Sets driver parameter p->name in p->cmode to the value of p->type
 * (p->num, p->flag or p->str). A driver refusing the value answers with
 * its reason in 'ext' (mlx5: no "smfs" steering in switchdev). */
int devlink_param_set(struct oanl_sock *, const struct devlink_handle *,
                      const struct devlink_param *, struct oanl_extack *ext);

/* Reloads instance 'h' with action driver_reinit ("devlink dev reload
 * DEV action driver_reinit": DEVLINK_CMD_RELOAD): the driver tears down
 * and re-creates its entities (netdevs, auxiliary devices, ports) and
 * takes the driverinit param values set since. The action is sent
 * explicitly, so the kernel answers with the actions it performed: their
 * bitmask (1 << DEVLINK_RELOAD_ACTION_*) goes to '*performed' (may be
 * NULL; a driver may have to activate firmware too). A driver without
 * reload answers -EOPNOTSUPP; a refusal carries the driver's reason in
 * 'ext' (mlx5: not with SFs or VFs of its own). Synchronous: the new
 * entities exist when it returns. */
int devlink_reload(struct oanl_sock *, const struct devlink_handle *,
                   uint32_t *performed, struct oanl_extack *ext);

/* Sets the MAC of the function behind port 'port_index' of 'h'
 * ("devlink port function set DEV/PORT hw_addr MAC": DEVLINK_CMD_PORT_SET
 * with a DEVLINK_ATTR_PORT_FUNCTION nest). The documented way to give a
 * VF its MAC in switchdev, before its driver binds. A driver without
 * the op answers -EOPNOTSUPP (the kernel's text in 'ext'). */
int devlink_port_fn_hw_addr_set(struct oanl_sock *,
                                const struct devlink_handle *,
                                uint32_t port_index, const uint8_t mac[6],
                                struct oanl_extack *ext);

/* Names for messages: "legacy"/"switchdev", "none"/"link"/..., "basic". */
const char *devlink_eswitch_mode_name(int mode);
const char *devlink_inline_mode_name(int mode);
const char *devlink_encap_mode_name(int mode);
const char *devlink_port_flavour_name(int flavour);

/* Pure: among 'ports', the physical port with a netdev and the lowest
 * index (the uplink), or NULL when there is none. */
const struct devlink_port_info *
devlink_ports_uplink(const struct devlink_port_info *ports, size_t n);

/* --- Pure codec (no I/O): encoders write one request into buf and return
 * its length or -ENOSPC; 'family' is the resolved devlink family id. */
int devlink_encode_dev_dump(void *buf, size_t len, uint16_t family);
int devlink_encode_port_dump(void *buf, size_t len, uint16_t family);
int devlink_encode_eswitch_get(void *buf, size_t len, uint16_t family,
                               const struct devlink_handle *);
int devlink_encode_eswitch_set(void *buf, size_t len, uint16_t family,
                               const struct devlink_handle *,
                               const struct devlink_eswitch_req *);

int devlink_encode_port_fn_hw_addr_set(void *buf, size_t len, uint16_t family,
                                       const struct devlink_handle *,
                                       uint32_t port_index,
                                       const uint8_t mac[6]);

int devlink_encode_param_get(void *buf, size_t len, uint16_t family,
                             const struct devlink_handle *, const char *name);
/* -EINVAL for a type this encoder does not know or a value out of the
 * type's range. */
int devlink_encode_param_set(void *buf, size_t len, uint16_t family,
                             const struct devlink_handle *,
                             const struct devlink_param *);

/* DEVLINK_CMD_RELOAD of 'h' with DEVLINK_ATTR_RELOAD_ACTION 'action'
 * (DEVLINK_RELOAD_ACTION_*), no limit, no namespace change. */
int devlink_encode_reload(void *buf, size_t len, uint16_t family,
                          const struct devlink_handle *, uint8_t action);

/* Decoders: -EBADMSG for truncated or malformed messages, -EPROTO for a
 * message that is not of the expected kind. */
int devlink_decode_dev(const struct nlmsghdr *, struct devlink_handle *);
int devlink_decode_port(const struct nlmsghdr *, struct devlink_port_info *);
int devlink_decode_eswitch(const struct nlmsghdr *, struct devlink_handle *dev,
                           struct devlink_eswitch_state *);
/* A PARAM_GET/PARAM_NEW reply; the value of configuration mode 'cmode'
 * is taken (has_value false if the reply has none). A reply without a
 * name or type, or a value of another type than announced, is
 * -EBADMSG. */
int devlink_decode_param(const struct nlmsghdr *, struct devlink_handle *dev,
                         uint8_t cmode, struct devlink_param *);
/* The reply to a reload that named its action: the instance and the
 * actions performed (DEVLINK_ATTR_RELOAD_ACTIONS_PERFORMED, a
 * bitfield32: its value). A reply without that attribute is -EBADMSG. */
int devlink_decode_reload(const struct nlmsghdr *, struct devlink_handle *dev,
                          uint32_t *performed);

#endif
