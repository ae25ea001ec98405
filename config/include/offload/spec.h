/* Host spec v1 (docs/spec.md): parse, validate and
 * normalise the operator's JSON spec into plain C structs, and
 * serialise it back.
 *
 * The loader reports every problem it finds, each with file, line,
 * column, JSON path and a machine-checkable class, sorted by position.
 * No jansson type appears here: callers only see the structs below. */
#ifndef OFFLOAD_SPEC_H
#define OFFLOAD_SPEC_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Specs larger than this are refused: a host spec is a few kilobytes,
 * and the bound keeps memory use of the loader bounded too. */
#define SPEC_MAX_BYTES (1024 * 1024)

#define SPEC_VERSION        1
#define SPEC_MAX_NUM_VFS    1024
#define SPEC_MAX_VLAN       4094
#define SPEC_MIN_IDLE_MS    100
#define SPEC_MAX_IDLE_MS    3600000
#define SPEC_DEFAULT_OVS_DB "unix:/run/openvswitch/db.sock"

/* Where an object starts in the spec file (its opening brace), for
 * error messages that come later (apply). line and col are 1-based;
 * col counts Unicode characters, like jansson. 0 when not known (a
 * spec built in memory). */
struct spec_pos {
    unsigned line;
    unsigned col;
};

/* A bool the spec may leave out, meaning "do not touch". Zero is
 * "unset" so that zero-initialised structs mean "not given". */
enum spec_tristate {
    SPEC_UNSET = 0,
    SPEC_FALSE,
    SPEC_TRUE,
};

enum spec_tc_policy {
    SPEC_TC_POLICY_NONE = 0,
    SPEC_TC_POLICY_SKIP_SW,
    SPEC_TC_POLICY_SKIP_HW,
};

enum spec_eswitch_mode {
    SPEC_ESWITCH_SWITCHDEV = 0,
    SPEC_ESWITCH_LEGACY,
};

/* devlink eswitch inline-mode; UNSET leaves the device's mode alone. */
enum spec_inline_mode {
    SPEC_INLINE_UNSET = 0,
    SPEC_INLINE_NONE,
    SPEC_INLINE_LINK,
    SPEC_INLINE_NETWORK,
    SPEC_INLINE_TRANSPORT,
};

/* devlink eswitch encap-mode; UNSET leaves the device's mode alone. */
enum spec_encap_mode {
    SPEC_ENCAP_UNSET = 0,
    SPEC_ENCAP_NONE,
    SPEC_ENCAP_BASIC,
};

/* mlx5's devlink param flow_steering_mode; UNSET leaves it alone. */
enum spec_steering_mode {
    SPEC_STEERING_UNSET = 0,
    SPEC_STEERING_DMFS,
    SPEC_STEERING_SMFS,
};

/* Whether a PF's steps may remove or unbind VFs that are in use (bound
 * to vfio-pci with their group open, or a netdev up with addresses or
 * enslaved): FORBID (the default) makes such a change a blocker. */
enum spec_disruptive {
    SPEC_DISRUPTIVE_FORBID = 0,
    SPEC_DISRUPTIVE_ALLOW,
};

/* A bond's mode (docs/spec.md, bonds): the kernel bond mode, which
 * also decides mlx5's LAG mode (active-backup, hash for balance-xor and
 * 802.3ad). The order here is the spec's, not the kernel's numbers. */
enum spec_bond_mode {
    SPEC_BOND_ACTIVE_BACKUP = 0,
    SPEC_BOND_BALANCE_XOR,
    SPEC_BOND_8023AD,
};

/* The bond's xmit_hash_policy (balance-xor, 802.3ad); UNSET leaves the
 * kernel's default (layer2). */
enum spec_xmit_hash {
    SPEC_XMIT_HASH_UNSET = 0,
    SPEC_XMIT_HASH_LAYER2,
    SPEC_XMIT_HASH_LAYER2_3,
    SPEC_XMIT_HASH_LAYER3_4,
    SPEC_XMIT_HASH_ENCAP2_3,
    SPEC_XMIT_HASH_ENCAP3_4,
    SPEC_XMIT_HASH_VLAN_SRCMAC,
};

/* The bond's lacp_rate (802.3ad only); UNSET leaves the kernel's
 * default (slow). */
enum spec_lacp_rate {
    SPEC_LACP_RATE_UNSET = 0,
    SPEC_LACP_RATE_SLOW,
    SPEC_LACP_RATE_FAST,
};

#define SPEC_BOND_N_PFS        2
#define SPEC_DEFAULT_MIIMON_MS 100
#define SPEC_MAX_MIIMON_MS     60000

/* How a PF is selected: exactly one of these keys per PF. */
enum spec_pf_key {
    SPEC_PF_BY_NETDEV = 0, /* "netdev": interface name */
    SPEC_PF_BY_PCI,        /* "pci": "0000:43:00.0", normalised lower case */
    SPEC_PF_BY_DEVLINK,    /* "devlink": "bus/name" handle */
};

struct spec_ovs {
    char *db; /* OVSDB remote, e.g. "unix:/run/openvswitch/db.sock" */
    bool hw_offload;
    enum spec_tc_policy tc_policy;
    unsigned max_idle_ms; /* 0: not given, leave OVS's own default */
    struct spec_pos pos;
};

struct spec_bridge {
    char *name;
    struct spec_pos pos;
};

/* vfs[].vdpa (docs/spec.md, "vDPA devices"): a vDPA device on the VF,
 * created through the kernel's vdpa netlink family and bound to a vdpa
 * bus driver. driver NONE: the VF has none (no "vdpa" key). */
enum spec_vdpa_driver {
    SPEC_VDPA_NONE = 0,
    SPEC_VDPA_VHOST,  /* "vhost_vdpa": /dev/vhost-vdpa-N for QEMU */
    SPEC_VDPA_VIRTIO, /* "virtio_vdpa": a virtio_net netdev on the host */
};

#define SPEC_VDPA_NAME_MAX    64
#define SPEC_VDPA_MGMTDEV_MAX 96
#define SPEC_VDPA_MAX_VQP     0x8000 /* virtio-net's max_virtqueue_pairs */

struct spec_vdpa {
    enum spec_vdpa_driver driver;
    char name[SPEC_VDPA_NAME_MAX];       /* "": spec_vdpa_name() derives it */
    char mgmtdev[SPEC_VDPA_MGMTDEV_MAX]; /* "": "pci/<the VF's address>" */
    unsigned max_vqp; /* 0: not given, the device's default */
    unsigned mtu;     /* 0: not given, the device's default */
    struct spec_pos pos;
};

struct spec_vf {
    unsigned index;
    bool has_mac;
    uint8_t mac[6]; /* valid when has_mac: unicast, non-zero */
    unsigned vlan;  /* 0 (default): no VLAN */
    enum spec_tristate trust;
    enum spec_tristate spoofchk;
    bool attach; /* representor becomes a port of the PF's bridge */
    struct spec_vdpa vdpa;
    struct spec_pos pos;
};

/* Where some of a PF's values are in the file, for messages about them
 * that come later (agentctl validate --host); {0, 0} when the key is
 * absent (the PF's own pos is the fallback). */
struct spec_pf_field_pos {
    struct spec_pos id; /* the netdev, pci or devlink value */
    struct spec_pos num_vfs;
    struct spec_pos eswitch;
    struct spec_pos inline_mode;
    struct spec_pos encap_mode;
    struct spec_pos steering_mode;
    struct spec_pos bridge;
    struct spec_pos attach_uplink;
};

struct spec_pf {
    enum spec_pf_key key;
    char *id; /* the netdev name, PCI address or devlink handle */
    enum spec_eswitch_mode eswitch;
    enum spec_inline_mode inline_mode;
    enum spec_encap_mode encap_mode;
    enum spec_steering_mode steering_mode;
    unsigned num_vfs;
    char *vf_driver; /* NULL: leave VF driver binding alone */
    bool hw_tc_offload;
    char *bridge; /* NULL: nothing of this PF is attached to OVS; else
                   * the name of an entry of spec.bridges */
    bool attach_uplink;
    enum spec_disruptive disruptive;
    struct spec_vf *vfs; /* in file order; indices unique, < num_vfs */
    size_t n_vfs;
    struct spec_pos pos;
    struct spec_pf_field_pos field_pos;
};

/* Two uplinks bonded under one eswitch (VF-LAG). */
struct spec_bond {
    char *name;                    /* the bond netdev */
    enum spec_bond_mode mode;      /* required */
    size_t pfs[SPEC_BOND_N_PFS];   /* indices into spec.pfs, distinct, each
                                    * switchdev and in no other bond */
    unsigned miimon_ms;            /* 1 ... SPEC_MAX_MIIMON_MS */
    enum spec_xmit_hash xmit_hash; /* UNSET for active-backup */
    enum spec_lacp_rate lacp_rate; /* UNSET unless 802.3ad */
    char *bridge;                  /* NULL: the bond is in no bridge; else
                                    * the name of an entry of spec.bridges */
    struct spec_pos pos;
};

struct spec {
    char *file; /* the name given to the loader, for later messages
                 * ("FILE:LINE:COL: ..."); NULL for a spec built in memory */
    int version;
    struct spec_ovs ovs;
    struct spec_bridge *bridges;
    size_t n_bridges;
    struct spec_pf *pfs;
    size_t n_pfs;
    struct spec_bond *bonds;
    size_t n_bonds;
};

/* What kind of problem an error is. Tests and tools match on these,
 * never on message text. */
enum spec_error_class {
    SPEC_E_IO = 1,      /* the file cannot be read */
    SPEC_E_LIMIT,       /* the file is larger than SPEC_MAX_BYTES */
    SPEC_E_ENCODING,    /* not UTF-8, or a NUL character */
    SPEC_E_SYNTAX,      /* not JSON (includes nesting too deep) */
    SPEC_E_TYPE,        /* a value of the wrong JSON type */
    SPEC_E_RANGE,       /* a number out of its range */
    SPEC_E_ENUM,        /* a string not among the allowed values */
    SPEC_E_REQUIRED,    /* a required key is missing */
    SPEC_E_UNKNOWN_KEY, /* a key the spec does not define */
    SPEC_E_DUPLICATE,   /* a duplicate JSON key, name, index, MAC, PF */
    SPEC_E_REFERENCE,   /* a bridge not defined, a VF index >= num_vfs */
    SPEC_E_FORMAT,      /* a malformed MAC, PCI address, name, handle... */
    SPEC_E_CONFLICT,    /* keys that exclude each other */
    SPEC_E_INTERNAL,    /* a bug of the loader (its two parsers disagree);
                         * the spec is refused rather than half-checked */
};

struct spec_error {
    enum spec_error_class class;
    const char *file; /* the name given to the loader */
    unsigned line;    /* 1-based; 0 for errors about the whole file (IO) */
    unsigned col;     /* 1-based, in Unicode characters */
    const char *path; /* JSON path, e.g. "$.pfs[0].vfs[1].mac" */
    const char *message;
};

/* A list of errors, sorted by position. */
struct spec_errors;

size_t spec_errors_count(const struct spec_errors *);
/* Returns the i-th error; the pointers inside stay valid until
 * spec_errors_destroy(). */
const struct spec_error *spec_errors_get(const struct spec_errors *, size_t i);
void spec_errors_destroy(struct spec_errors *);

/* Formats 'e' as "FILE:LINE:COL: PATH: message" (or "FILE: message"
 * when line is 0). Caller frees the result with free(); NULL on ENOMEM. */
char *spec_error_format(const struct spec_error *e);

/* Short lower-case name of an error class, e.g. "unknown-key". */
const char *spec_error_class_name(enum spec_error_class);

/* Parses and validates the 'len' bytes at 'data'. 'file' names the
 * input in error messages.
 *
 * Returns 0 and stores a new spec in '*specp' (caller frees with
 * spec_destroy()) when the spec is valid. Otherwise returns -EINVAL
 * (the spec is invalid), or -ENOMEM, and stores NULL in '*specp'.
 * In both cases '*errorsp' receives the list of errors (empty when
 * valid); the caller frees it with spec_errors_destroy(). '*errorsp'
 * is NULL only after -ENOMEM. */
int spec_load_buffer(const char *file, const void *data, size_t len,
                     struct spec **specp, struct spec_errors **errorsp);

/* Same as spec_load_buffer() for the file at 'path'. A file that
 * cannot be read gives its negative errno (-ENOENT, -EACCES, -EISDIR,
 * -EFBIG when larger than SPEC_MAX_BYTES...) and one error of class
 * SPEC_E_IO or SPEC_E_LIMIT in '*errorsp'. */
int spec_load_file(const char *path, struct spec **specp,
                   struct spec_errors **errorsp);

void spec_destroy(struct spec *);

/* True when 'a' and 'b' ask for the same host configuration (file
 * positions are ignored). */
bool spec_equal(const struct spec *a, const struct spec *b);

/* Number of VFs the spec creates: the sum of num_vfs over all PFs. */
unsigned spec_total_vfs(const struct spec *);

enum {
    SPEC_JSON_PRETTY = 1 << 0, /* indent by two spaces, one key a line */
};

/* Serialises 'spec' as normalised JSON: every default filled in, keys
 * in the canonical order of docs/spec.md, optional keys that are unset
 * left out (vf_driver is written as null). Loading the result gives a
 * spec_equal() spec. Caller frees the result with free(). Returns NULL
 * on ENOMEM, or when a string the spec requires (ovs.db, a PF's id, a
 * bridge's name) is NULL in a spec built in memory. */
char *spec_to_json_string(const struct spec *, unsigned flags);

/* Names of enum values as they appear in the spec. */
const char *spec_tc_policy_name(enum spec_tc_policy);
const char *spec_eswitch_mode_name(enum spec_eswitch_mode);
const char *spec_inline_mode_name(enum spec_inline_mode);     /* NULL: unset */
const char *spec_encap_mode_name(enum spec_encap_mode);       /* NULL: unset */
const char *spec_steering_mode_name(enum spec_steering_mode); /* NULL: unset */
const char *spec_disruptive_name(enum spec_disruptive);
const char *spec_pf_key_name(enum spec_pf_key); /* "netdev", "pci"... */
const char *spec_bond_mode_name(enum spec_bond_mode);
const char *spec_xmit_hash_name(enum spec_xmit_hash); /* NULL: unset */
const char *spec_lacp_rate_name(enum spec_lacp_rate); /* NULL: unset */

/* The bond 'pf_index' (an index into spec.pfs) is a member of, or NULL. */
const struct spec_bond *spec_pf_bond(const struct spec *, size_t pf_index);
/* "vhost_vdpa", "virtio_vdpa"; NULL for NONE. */
const char *spec_vdpa_driver_name(enum spec_vdpa_driver);

/* The vDPA device name of 'vf' of 'pf': its "name", else the default
 * "oa-<PF id>-vf<index>" (characters other than [A-Za-z0-9_.-] of the
 * PF's id become '_': "oa-0000_43_00.0-vf2", "oa-enp8s0f0-vf0"), stable
 * across restarts. -ENAMETOOLONG when the default does not fit. */
int spec_vdpa_name(const struct spec_pf *pf, const struct spec_vf *vf,
                   char buf[SPEC_VDPA_NAME_MAX]);

/* Writes 'mac' as "xx:xx:xx:xx:xx:xx" into 'buf' and returns 'buf'. */
char *spec_mac_to_string(const uint8_t mac[6], char buf[18]);

#endif
