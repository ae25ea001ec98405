/* vdpa-bed: drives netlink/vdpa.c and vdpa-bus.c against the real kernel
 * for the 6.12 bed (bed-vdpa.sh), one operation per run, printing what it
 * saw as key=value lines for the script to compare with iproute2's vdpa
 * and sysfs. Exit 0 on success, 1 on a library error ("err=-N msg=TEXT"),
 * 2 on usage errors.
 *   vdpa-bed mgmt | list | get NAME | config NAME | del NAME
 *   vdpa-bed new NAME MGMTDEV MAC|- MAX_VQP MTU     (0: left out)
 *   vdpa-bed bind NAME DRIVER | autoprobe 0|1 */
#include "oa-netlink/vdpa-bus.h"
#include "oa-netlink/vdpa.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
fail(int err, const struct oanl_extack *ext)
{
    printf("err=%d errname=%s msg=%s\n", err, strerror(-err),
           ext && ext->msg[0] ? ext->msg : "");
    return 1;
}

static int
cmd_mgmt(struct oanl_sock *s, struct oanl_extack *ext)
{
    struct vdpa_mgmtdev_info *m;
    size_t n;
    int r = vdpa_mgmtdev_list(s, &m, &n, ext);
    if (r) {
        return fail(r, ext);
    }
    for (size_t i = 0; i < n; i++) {
        char name[128];
        vdpa_mgmtdev_format(&m[i].h, name, sizeof name);
        printf("mgmtdev=%s classes=0x%llx max_vqs=%u features=0x%llx\n", name,
               (unsigned long long)m[i].classes, m[i].max_vqs,
               (unsigned long long)m[i].supported_features);
    }
    free(m);
    return 0;
}

static void
print_dev(const struct vdpa_dev_info *d)
{
    char mgmt[128];
    vdpa_mgmtdev_format(&d->mgmt, mgmt, sizeof mgmt);
    printf("name=%s mgmtdev=%s device_id=%u max_vqs=%u max_vq_size=%u\n",
           d->name, mgmt, d->device_id, d->max_vqs, d->max_vq_size);
}

static int
cmd_list(struct oanl_sock *s, struct oanl_extack *ext)
{
    struct vdpa_dev_info *d;
    size_t n;
    int r = vdpa_dev_list(s, &d, &n, ext);
    if (r) {
        return fail(r, ext);
    }
    for (size_t i = 0; i < n; i++) {
        print_dev(&d[i]);
    }
    free(d);
    return 0;
}

static int
cmd_config(struct oanl_sock *s, const char *name, struct oanl_extack *ext)
{
    struct vdpa_dev_config c;
    int r = vdpa_config_get(s, name, &c, ext);
    if (r) {
        return fail(r, ext);
    }
    printf("name=%s mac=%02x:%02x:%02x:%02x:%02x:%02x mtu=%u", c.name,
           c.mac[0], c.mac[1], c.mac[2], c.mac[3], c.mac[4], c.mac[5], c.mtu);
    if (c.has_max_vqp) {
        printf(" max_vqp=%u", c.max_vqp);
    }
    if (c.has_dev_features) {
        printf(" dev_features=0x%llx", (unsigned long long)c.dev_features);
    }
    if (c.has_negotiated) {
        printf(" negotiated=0x%llx mode=%s", (unsigned long long)c.negotiated,
               vdpa_features_modern(c.negotiated) ? "modern" : "legacy");
    }
    printf("\n");
    return 0;
}

static int
cmd_new(struct oanl_sock *s, char **argv, struct oanl_extack *ext)
{
    struct vdpa_dev_new_req q = {0};
    snprintf(q.name, sizeof q.name, "%s", argv[0]);
    if (vdpa_mgmtdev_parse(argv[1], &q.mgmt)) {
        return 2;
    }
    if (strcmp(argv[2], "-")) {
        unsigned m[6];
        if (sscanf(argv[2], "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3],
                   &m[4], &m[5]) != 6) {
            return 2;
        }
        for (int i = 0; i < 6; i++) {
            q.mac[i] = (uint8_t)m[i];
        }
        q.has_mac = true;
    }
    q.max_vqp = (uint16_t)atoi(argv[3]);
    q.mtu = (uint16_t)atoi(argv[4]);
    int r = vdpa_dev_new(s, &q, ext);
    return r ? fail(r, ext) : 0;
}

static int
cmd_bus(int argc, char **argv)
{
    int r;
    if (!strcmp(argv[1], "bind") && argc == 4) {
        r = vdpabus_bind(NULL, argv[2], argv[3]);
    } else if (!strcmp(argv[1], "autoprobe") && argc == 3) {
        r = vdpabus_autoprobe_set(NULL, !strcmp(argv[2], "1"));
    } else {
        return 2;
    }
    if (r) {
        return fail(r, NULL);
    }
    char drv[64] = "", cdev[64] = "", netdev[64] = "";
    if (argc == 4) {
        vdpabus_driver(NULL, argv[2], drv, sizeof drv);
        vdpabus_chardev(NULL, argv[2], cdev, sizeof cdev);
        vdpabus_netdev(NULL, argv[2], netdev, sizeof netdev);
        printf("driver=%s chardev=%s netdev=%s\n", drv, cdev, netdev);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc < 2) {
        return 2;
    }
    if (!strcmp(argv[1], "bind") || !strcmp(argv[1], "autoprobe")) {
        return cmd_bus(argc, argv);
    }
    struct oanl_sock *s;
    struct oanl_extack ext = {{0}};
    int r = oanl_open_genl("vdpa", &s);
    if (r) {
        return fail(r, NULL);
    }
    struct vdpa_dev_info d;
    if (!strcmp(argv[1], "mgmt")) {
        r = cmd_mgmt(s, &ext);
    } else if (!strcmp(argv[1], "list")) {
        r = cmd_list(s, &ext);
    } else if (!strcmp(argv[1], "get") && argc == 3) {
        r = vdpa_dev_get(s, argv[2], &d, &ext);
        r = r ? fail(r, &ext) : (print_dev(&d), 0);
    } else if (!strcmp(argv[1], "config") && argc == 3) {
        r = cmd_config(s, argv[2], &ext);
    } else if (!strcmp(argv[1], "del") && argc == 3) {
        r = vdpa_dev_del(s, argv[2], &ext);
        r = r ? fail(r, &ext) : 0;
    } else if (!strcmp(argv[1], "new") && argc == 7) {
        r = cmd_new(s, argv + 2, &ext);
    } else {
        r = 2;
    }
    oanl_close(s);
    return r;
}
