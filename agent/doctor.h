/* doctor: why is the datapath slow, dropping or not offloaded
 * (agentctl doctor, docs/doctor.md). Read-only: it never changes the
 * host.
 *
 * A run executes named checks. Each check reads the host through the
 * root-relative reader below (sysfs, procfs, the kernel log), so that
 * every check also runs on a tree recorded from another machine
 * (--root DIR); the two live sources that are no files, ethtool
 * counters/rings (ioctl) and the running ovs-vswitchd (unixctl), have a
 * recorded form under the root too. Each finding names its object, the
 * evidence read and the fix.
 *
 * Ownership: struct doctor owns its findings and the kernel log it
 * loaded; strings passed in are copied. */
#ifndef OA_DOCTOR_H
#define OA_DOCTOR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum doctor_severity {
    DOCTOR_WARNING, /* exit 1: slower than it could be, or at risk */
    DOCTOR_ERROR,   /* exit 2: the datapath is broken or not offloaded */
};

#define DOCTOR_MAX_EVIDENCE 8

struct doctor_finding {
    const char *check; /* static: the check's name */
    enum doctor_severity severity;
    char *object; /* what it is about: a PCI address, a netdev, ... */
    char *what;   /* the finding, one sentence */
    char *evidence[DOCTOR_MAX_EVIDENCE]; /* what was read, "FILE: value" */
    size_t n_evidence;
    char *fix;  /* what to do */
    char *spec; /* the spec's PF (and VF) it concerns, NULL: none */
};

/* A PF of the spec as found on the host, the context of the findings
 * (doctor-spec.c). Strings are "" when not found. */
struct doctor_spec_pf {
    char id[80];  /* as the spec names it */
    char key[8];  /* "netdev", "pci" or "devlink" */
    char pci[32]; /* its PCI address, "" for a non-PCI device */
    char netdev[32];
    char devlink[112]; /* bus/dev */
    unsigned vfs_wanted;
    int vfs_present; /* -1: unknown */
};

/* A host object that belongs to a spec PF: the PF's own names, its
 * VFs' PCI addresses and netdevs, its representors. */
struct doctor_spec_object {
    char name[112];
    size_t pf;
    int vf; /* -1: the PF itself */
};

struct doctor_skip {
    const char *check; /* static */
    char *reason;
};

struct doctor {
    /* Inputs. */
    const char *root;       /* NULL: the live host ("/") */
    unsigned interval_ms;   /* between two counter samples; 0: no rates */
    const char *ovs_rundir; /* NULL: /run/openvswitch (live only) */
    const char *spec_path;  /* NULL: no spec context */

    /* Results. */
    struct doctor_finding *findings;
    size_t n_findings, cap_findings;
    struct doctor_skip *skips; /* checks that could not run, and why */
    size_t n_skips, cap_skips;
    const char *ran[16]; /* the checks run, in order */
    size_t n_ran;
    bool oom;

    /* The spec's PFs (spec_path given and loaded), or why not. */
    char *spec_error;
    struct doctor_spec_pf *spec_pfs;
    size_t n_spec_pfs;
    struct doctor_spec_object *spec_objects;
    size_t n_spec_objects;

    /* The kernel log, loaded once on first use: one message per line. */
    char *kmsg;
    bool kmsg_loaded;
};

/* ---- The root-relative reader ----------------------------------------- */

/* Reads ROOT/'rel' ('rel' without a leading '/', e.g. "sys/bus/pci/...")
 * into 'buf', NUL-terminated, trailing whitespace cut. 0 or a negative
 * errno. */
int doctor_read(const struct doctor *d, const char *rel, char *buf,
                size_t size);
/* Up to 'size' bytes of ROOT/'rel' as they are (PCI config space): the
 * count read or a negative errno. */
ssize_t doctor_read_bytes(const struct doctor *d, const char *rel, void *buf,
                          size_t size);
/* doctor_read() of a formatted path. */
int doctor_readf(const struct doctor *d, char *buf, size_t size,
                 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* The target of the symbolic link ROOT/'rel'. 0 or a negative errno. */
int doctor_readlink(const struct doctor *d, const char *rel, char *buf,
                    size_t size);
/* The names in directory ROOT/'rel' ("." and ".." left out), sorted, in
 * a NULL-terminated array the caller frees with doctor_names_free().
 * An empty array when the directory does not exist. NULL on ENOMEM. */
char **doctor_list(const struct doctor *d, const char *rel);
void doctor_names_free(char **names);
/* The whole file ROOT/'rel' (caller frees), NULL when unreadable. */
char *doctor_slurp(const struct doctor *d, const char *rel);
/* The kernel log, one message per line (live: /dev/kmsg; under a root:
 * ROOT/dev/kmsg, in kmsg's or dmesg's format). "" when unreadable. */
const char *doctor_kmsg(struct doctor *d);

/* ---- Findings ----------------------------------------------------------- */

/* Adds a finding; 'evidence' is a NULL-terminated list of at most
 * DOCTOR_MAX_EVIDENCE strings (copied). */
void doctor_add(struct doctor *d, const char *check,
                enum doctor_severity severity, const char *object,
                const char *what, const char *const *evidence,
                const char *fix);
/* Notes that 'check' could not run, and why. */
void doctor_skip(struct doctor *d, const char *check, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* ---- The spec as context (doctor-spec.c) ---------------------------------- */

/* Loads d->spec_path and finds its PFs, their VFs and representors on the
 * host (through the root-relative reader). A missing file is no spec; an
 * invalid one is said in d->spec_error, and the checks run all the
 * same. */
void doctor_spec_load(struct doctor *d);
/* Labels each finding whose object belongs to a spec PF ("pfs[0]
 * enp8s0f0np0", "... VF 3"). */
void doctor_spec_annotate(struct doctor *d);
void doctor_spec_clear(struct doctor *d);

/* ---- Checks --------------------------------------------------------------- */

typedef void doctor_check_fn(struct doctor *d);

struct doctor_check {
    const char *name;
    const char *about; /* one line for the help */
    doctor_check_fn *run;
    bool by_default; /* run when no check is named */
};

/* The table of checks, in the order they run. */
const struct doctor_check *doctor_checks(size_t *n);

/* Runs the checks named in 'names' ('n' 0: the default ones). -EINVAL
 * when a name is unknown (nothing runs then), else 0. */
int doctor_run(struct doctor *d, char *const names[], size_t n);

/* 0 no finding, 1 warnings only, 2 an error finding (enum oa_exit). */
int doctor_exit_code(const struct doctor *d);
/* Renderings (docs/doctor.md); caller frees. NULL on ENOMEM. */
char *doctor_to_text(const struct doctor *d);
char *doctor_to_json(const struct doctor *d, bool pretty);

/* Frees the results; the inputs are the caller's. */
void doctor_clear(struct doctor *d);

/* The default interval between two counter samples, and the longest the
 * daemon samples for (a request blocks its doctor thread that long). */
#define DOCTOR_DEFAULT_INTERVAL_MS 3000
#define DOCTOR_MAX_INTERVAL_MS     30000

/* One whole run from the words of a request, as the control socket
 * carries them: "--json", "--interval-ms=N" (default
 * DOCTOR_DEFAULT_INTERVAL_MS, at most DOCTOR_MAX_INTERVAL_MS),
 * "--root=DIR" (a recorded tree), "--spec=PATH" (its PFs as context)
 * and the names of the checks. Returns the payload to print (caller frees; NULL
 * on ENOMEM) and the exit code in '*exit_code' (1 with a message for bad
 * words). */
char *doctor_serve(int argc, char *const argv[], int *exit_code);

/* ---- Shared by the checks (doctor-*.c) ----------------------------------- */

/* PCIe link of a PCI function: speeds in MT/s (2.5 GT/s: 2500), 0 when
 * not reported (or "Unknown"). */
struct doctor_pcie_link {
    unsigned cur_speed, max_speed;
    unsigned cur_width, max_width;
};
/* Reads the link attributes of PCI function 'addr'. false when it
 * reports none. */
bool doctor_pcie_link(const struct doctor *d, const char *addr,
                      struct doctor_pcie_link *link);
/* The PCI address of the port above 'addr' (from the device's sysfs
 * path), "" when it hangs off a host bridge. */
void doctor_pcie_parent(const struct doctor *d, const char *addr, char *out,
                        size_t size);
/* When 'addr''s link trained below what the device and its port allow:
 * true and a sentence in 'why' ("8.0 GT/s x4, capable of 8.0 GT/s x8").
 */
bool doctor_pcie_degraded(const struct doctor *d, const char *addr, char *why,
                          size_t size);

/* Every ethtool statistic of live netdev 'ifname', through the ioctl, in
 * `ethtool -S`'s format without its heading ("     NAME: VALUE" lines):
 * what a recorded tree's ethtool/IFNAME/stats.N holds. Caller frees
 * '*text'. 0 or a negative errno. */
int doctor_ethtool_dump(const char *ifname, char **text);

/* "MaxPayload 256 of 512 bytes, MaxReadReq 512 bytes" from the PCI
 * Express capability in 'addr''s config space (readable beyond its first
 * 64 bytes by root only). false when it cannot be read. */
bool doctor_pcie_payload(const struct doctor *d, const char *addr, char *out,
                         size_t size);

/* A network controller (PCI class 0x02) that is not a VF. */
bool doctor_is_net_pf(const struct doctor *d, const char *addr);

doctor_check_fn doctor_check_pcie_link;
doctor_check_fn doctor_check_pci_bar;
doctor_check_fn doctor_check_sriov;
doctor_check_fn doctor_check_prereq;
doctor_check_fn doctor_check_nic_drops;
doctor_check_fn doctor_check_ovs_offload;
doctor_check_fn doctor_check_tc_rules;
doctor_check_fn doctor_check_irq_numa;
doctor_check_fn doctor_check_vdpa_features;
doctor_check_fn doctor_check_devlink_health;

#endif
