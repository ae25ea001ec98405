/* doctor's vdpa-features check, the host side of field case 1: a vDPA
 * device whose driver (vhost_vdpa for a VM, virtio_vdpa on the host)
 * negotiated without VIRTIO_F_VERSION_1 runs legacy, and mlx5 then
 * relays its data path in software (ms latency spikes). Live: the vdpa
 * family's device list and each device's config (negotiated features);
 * recorded: ROOT/vdpa/NAME as `vdpa dev config show NAME` prints it
 * (docs/doctor.md). */
#include "doctor.h"

#include "oa-netlink/vdpa.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK "vdpa-features"

/* The driver bound to vDPA device 'name' ("" when none). */
static void
bound_driver(const struct doctor *d, const char *name, char *out, size_t size)
{
    char rel[160], target[256];
    out[0] = '\0';
    snprintf(rel, sizeof rel, "sys/bus/vdpa/devices/%.64s/driver", name);
    if (!doctor_readlink(d, rel, target, sizeof target)) {
        const char *slash = strrchr(target, '/');
        snprintf(out, size, "%.63s", slash ? slash + 1 : target);
    }
}

static void
judge_legacy(struct doctor *d, const char *name, const char *features)
{
    char driver[64], what[160], ev_features[320], ev_driver[128], fix[600];
    bound_driver(d, name, driver, sizeof driver);
    snprintf(
        what, sizeof what,
        "vDPA device %s negotiated legacy virtio (no VIRTIO_F_VERSION_1): "
        "its data path falls back to a software relay",
        name);
    snprintf(ev_features, sizeof ev_features,
             "vdpa dev config show %s: negotiated_features %s", name,
             features);
    snprintf(ev_driver, sizeof ev_driver, "sys/bus/vdpa/devices/%s/driver: %s",
             name, driver[0] ? driver : "none");
    if (!strcmp(driver, "vhost_vdpa")) {
        snprintf(fix, sizeof fix,
                 "the VM's driver negotiated it: inside the guest run "
                 "`agentctl doctor pci-bar` (a virtio function whose modern "
                 "BAR could not be assigned is bound legacy: boot it with "
                 "pci=realloc and a larger hotplug window, or fewer queues), "
                 "and check that QEMU's device does not set "
                 "disable-modern=on; the guest must reset the device to "
                 "negotiate again");
    } else {
        snprintf(fix, sizeof fix,
                 "the driver bound to %s did not take VIRTIO_F_VERSION_1: "
                 "bind it to virtio_vdpa or vhost_vdpa again (agentctl "
                 "apply does, for the spec's devices)",
                 name);
    }
    const char *evidence[] = {ev_features, ev_driver, NULL};
    doctor_add(d, CHECK, DOCTOR_ERROR, name, what, evidence, fix);
}

static void
check_live(struct doctor *d)
{
    struct oanl_sock *s = NULL;
    int e = oanl_open_genl("vdpa", &s);
    if (e) {
        doctor_skip(d, CHECK, "%s",
                    e == -ENOENT ? "no vdpa module loaded (no vDPA device)"
                                 : strerror(-e));
        return;
    }
    struct vdpa_dev_info *devs = NULL;
    size_t n = 0;
    e = vdpa_dev_list(s, &devs, &n, NULL);
    if (e || !n) {
        doctor_skip(d, CHECK, "%s",
                    e ? strerror(-e) : "no vDPA device (vdpa dev show)");
    }
    for (size_t i = 0; !e && i < n; i++) {
        struct vdpa_dev_config cfg;
        /* Negotiated features exist once a driver set FEATURES_OK: a
         * device no guest opened yet says nothing. */
        if (!vdpa_config_get(s, devs[i].name, &cfg, NULL) &&
            cfg.has_negotiated && !vdpa_features_modern(cfg.negotiated)) {
            char features[32];
            snprintf(features, sizeof features, "0x%" PRIx64, cfg.negotiated);
            judge_legacy(d, devs[i].name, features);
        }
    }
    free(devs);
    oanl_close(s);
}

static void
check_recorded(struct doctor *d)
{
    char **names = doctor_list(d, "vdpa");
    if (!names || !names[0]) {
        doctor_skip(d, CHECK, "the tree has no vdpa/");
    }
    for (size_t i = 0; names && names[i]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "vdpa/%.64s", names[i]);
        char *text = doctor_slurp(d, rel);
        char *line = text ? strstr(text, "negotiated_features ") : NULL;
        if (line) {
            line += strlen("negotiated_features ");
            line[strcspn(line, "\n")] = '\0';
            char copy[256];
            snprintf(copy, sizeof copy, " %s ", line);
            if (!strstr(copy, " VERSION_1 ")) {
                judge_legacy(d, names[i], line);
            }
        }
        free(text);
    }
    doctor_names_free(names);
}

void
doctor_check_vdpa_features(struct doctor *d)
{
    if (d->root) {
        check_recorded(d);
    } else {
        check_live(d);
    }
}
