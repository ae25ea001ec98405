/* lagstate: the hardware LAG state a driver shows for a bond's PF. mlx5
 * (since about 5.19) exposes it in debugfs only, under
 * /sys/kernel/debug/mlx5/<pf pci>/lag/: "state" (active, disabled),
 * "type" (switchdev, roce, multipath, multiport_eswitch) and
 * "port_sel_mode" (hash, queue_affinity), the last two readable only
 * while the LAG is active. Other drivers (netdevsim) show nothing: the
 * bond's own state stands in, and status says "not exposed". */
#ifndef OA_LAGSTATE_H
#define OA_LAGSTATE_H 1

#include <stdbool.h>

struct lagstate {
    bool exposed;      /* the driver's lag/state was read */
    char state[16];    /* as the driver says it; "" when not exposed */
    char type[24];     /* "" when not shown (inactive LAG, no file) */
    char port_sel[24]; /* "" when not shown */
};

/* Reads the LAG state of the PF at sysfs device 'bus'/'dev_name' under
 * 'sysfs_root' (NULL: "/sys"; debugfs is its kernel/debug). Fills 'out'
 * (exposed false when the driver has no such file, or the PF is no PCI
 * device). Returns 0, or a negative errno when the file is there but
 * cannot be read (debugfs needs root). */
int lagstate_read(const char *sysfs_root, const char *bus,
                  const char *dev_name, struct lagstate *out);

/* Whether 'l' says the LAG is active (false when not exposed). */
bool lagstate_active(const struct lagstate *l);

#endif
