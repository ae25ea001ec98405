/* nl-bed: drives oa_netlink against the real kernel for the bed tests
 * (bed-netlink.sh, bed-pci.sh).  Each subcommand does one operation
 * through the library and prints what it saw as key=value lines, so the
 * scripts can compare with iproute2/ethtool/sysfs.  Exit status 0 on
 * success, 1 on a library error (printed as "err=-N msg=TEXT"), 2 on
 * usage errors. */
#include "oa-netlink/bond.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/ethfeat.h"
#include "oa-netlink/link.h"
#include "oa-netlink/nlev.h"
#include "oa-netlink/nlsock.h"
#include "oa-netlink/repr.h"
#include "oa-netlink/sriov.h"
#include "oa-netlink/tcf.h"

#include <errno.h>
#include <linux/devlink.h>
#include <linux/if_bonding.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
fail(int err, const struct oanl_extack *ext)
{
    printf("err=%d errname=%s msg=%s\n", err, strerror(-err),
           ext && ext->msg[0] ? ext->msg : "");
    return 1;
}

static struct oanl_sock *
open_devlink(void)
{
    struct oanl_sock *s;
    int r = oanl_open_genl("devlink", &s);
    if (r) {
        fail(r, NULL);
        exit(1);
    }
    return s;
}

static struct oanl_sock *
open_rtnl(void)
{
    struct oanl_sock *s;
    int r = oanl_open(NETLINK_ROUTE, &s);
    if (r) {
        fail(r, NULL);
        exit(1);
    }
    return s;
}

static struct oa_link_sock *
open_links(void)
{
    struct oa_link_sock *s;
    int r = oa_link_sock_open(&s);
    if (r) {
        fail(r, NULL);
        exit(1);
    }
    return s;
}

static int
parse_handle(const char *s, struct devlink_handle *h)
{
    if (devlink_handle_parse(s, h)) {
        fprintf(stderr, "bad devlink handle %s\n", s);
        exit(2);
    }
    return 0;
}

static void
print_mac(const char *key, const uint8_t *m)
{
    printf("%s=%02x:%02x:%02x:%02x:%02x:%02x", key, m[0], m[1], m[2], m[3],
           m[4], m[5]);
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned v[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4],
               &v[5]) != 6) {
        return -EINVAL;
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t)v[i];
    }
    return 0;
}

/* devlink-devs: one handle a line. */
static int
cmd_devlink_devs(void)
{
    struct oanl_sock *s = open_devlink();
    struct devlink_handle *h;
    size_t n;
    struct oanl_extack ext;
    int r = devlink_dev_list(s, &h, &n, &ext);
    if (r) {
        return fail(r, &ext);
    }
    for (size_t i = 0; i < n; i++) {
        printf("%s/%s\n", h[i].bus, h[i].dev);
    }
    free(h);
    oanl_close(s);
    return 0;
}

/* devlink-of NETDEV: the devlink instance owning the netdev's port. */
static int
cmd_devlink_of(const char *ifname)
{
    struct oanl_sock *s = open_devlink();
    struct devlink_handle h;
    struct oanl_extack ext;
    unsigned idx = if_nametoindex(ifname);
    int r = devlink_dev_by_ifindex(s, idx, &h, &ext);
    oanl_close(s);
    if (r) {
        return fail(r, &ext);
    }
    printf("%s/%s\n", h.bus, h.dev);
    return 0;
}

/* eswitch-get HANDLE */
static int
cmd_eswitch_get(const char *handle)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct oanl_sock *s = open_devlink();
    struct devlink_eswitch_state st;
    struct oanl_extack ext;
    int r = devlink_eswitch_get(s, &h, &st, &ext);
    oanl_close(s);
    if (r) {
        return fail(r, &ext);
    }
    printf("mode=%s", st.has_mode ? devlink_eswitch_mode_name(st.mode) : "");
    printf(" inline=%s",
           st.has_inline_mode ? devlink_inline_mode_name(st.inline_mode) : "");
    printf(" encap=%s\n",
           st.has_encap_mode ? devlink_encap_mode_name(st.encap_mode) : "");
    return 0;
}

static int
mode_value(const char *s, const char *(*namef)(int))
{
    for (int i = 0; i < 8; i++) {
        if (!strcmp(namef(i), s)) {
            return i;
        }
    }
    if (!strncmp(s, "raw:", 4)) {
        return atoi(s + 4); /* out-of-range values, to provoke the kernel */
    }
    fprintf(stderr, "unknown mode %s\n", s);
    exit(2);
}

/* eswitch-set HANDLE MODE [inline X] [encap Y] */
static int
cmd_eswitch_set(int argc, char **argv)
{
    struct devlink_handle h;
    parse_handle(argv[0], &h);
    struct devlink_eswitch_req req = {-1, -1, -1};
    if (strcmp(argv[1], "-")) {
        req.mode = mode_value(argv[1], devlink_eswitch_mode_name);
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "inline")) {
            req.inline_mode =
                mode_value(argv[i + 1], devlink_inline_mode_name);
        } else if (!strcmp(argv[i], "encap")) {
            req.encap_mode = mode_value(argv[i + 1], devlink_encap_mode_name);
        }
    }
    struct oanl_sock *s = open_devlink();
    struct oanl_extack ext;
    int r = devlink_eswitch_set(s, &h, &req, &ext);
    oanl_close(s);
    return r ? fail(r, &ext) : 0;
}

/* "runtime", "driverinit" or "permanent": its DEVLINK_PARAM_CMODE_*. */
static uint8_t
parse_cmode(const char *s)
{
    if (!strcmp(s, "runtime")) {
        return DEVLINK_PARAM_CMODE_RUNTIME;
    } else if (!strcmp(s, "driverinit")) {
        return DEVLINK_PARAM_CMODE_DRIVERINIT;
    } else if (!strcmp(s, "permanent")) {
        return DEVLINK_PARAM_CMODE_PERMANENT;
    }
    fprintf(stderr, "bad cmode %s\n", s);
    exit(2);
}

/* param-get HANDLE NAME [CMODE]: the value in CMODE (default runtime). */
static int
cmd_param_get(const char *handle, const char *name, const char *cmode)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct oanl_sock *s = open_devlink();
    struct devlink_param p;
    struct oanl_extack ext;
    int r = devlink_param_get(s, &h, name, parse_cmode(cmode), &p, &ext);
    oanl_close(s);
    if (r) {
        return fail(r, &ext);
    }
    printf("name=%s type=%u generic=%d has_value=%d", p.name, p.type,
           p.generic, p.has_value);
    if (devlink_param_is_string(p.type)) {
        printf(" value=%s\n", p.str);
    } else if (p.type == DEVLINK_PARAM_BOOL) {
        printf(" value=%s\n", p.flag ? "true" : "false");
    } else {
        printf(" value=%llu\n", (unsigned long long)p.num);
    }
    return 0;
}

static int
set_param(const struct devlink_handle *h, const struct devlink_param *p)
{
    struct oanl_sock *s = open_devlink();
    struct oanl_extack ext;
    int r = devlink_param_set(s, h, p, &ext);
    oanl_close(s);
    return r ? fail(r, &ext) : 0;
}

/* param-set HANDLE NAME STRING: a runtime string param. */
static int
cmd_param_set(const char *handle, const char *name, const char *value)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct devlink_param p = {.type = DEVLINK_PARAM_STRING,
                              .cmode = DEVLINK_PARAM_CMODE_RUNTIME};
    snprintf(p.name, sizeof p.name, "%s", name);
    snprintf(p.str, sizeof p.str, "%s", value);
    return set_param(&h, &p);
}

/* param-set-bool HANDLE NAME true|false CMODE: a bool param. */
static int
cmd_param_set_bool(const char *handle, const char *name, const char *value,
                   const char *cmode)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct devlink_param p = {.type = DEVLINK_PARAM_BOOL,
                              .cmode = parse_cmode(cmode),
                              .flag = !strcmp(value, "true")};
    snprintf(p.name, sizeof p.name, "%s", name);
    return set_param(&h, &p);
}

/* reload HANDLE: driver_reinit; prints the actions performed (bits). */
static int
cmd_reload(const char *handle)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct oanl_sock *s = open_devlink();
    struct oanl_extack ext;
    uint32_t done = 0;
    int r = devlink_reload(s, &h, &done, &ext);
    oanl_close(s);
    if (r) {
        return fail(r, &ext);
    }
    printf("performed=0x%x\n", done);
    return 0;
}

/* ports HANDLE */
static int
cmd_ports(const char *handle)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct oanl_sock *s = open_devlink();
    struct devlink_port_info *p;
    size_t n;
    struct oanl_extack ext;
    int r = devlink_port_list(s, &h, &p, &n, &ext);
    oanl_close(s);
    if (r) {
        return fail(r, &ext);
    }
    for (size_t i = 0; i < n; i++) {
        printf("index=%u flavour=%s", p[i].index,
               devlink_port_flavour_name(p[i].flavour));
        if (p[i].has_pfnum) {
            printf(" pfnum=%u", p[i].pfnum);
        }
        if (p[i].has_vfnum) {
            printf(" vfnum=%u", p[i].vfnum);
        }
        if (p[i].has_controller) {
            printf(" controller=%u", p[i].controller);
        }
        printf(" netdev=%s ifindex=%u\n", p[i].netdev_name,
               p[i].netdev_ifindex);
    }
    free(p);
    return 0;
}

/* link NETDEV: identity and VFs: looked up by name, then by index with
 * its VF list (the same link). */
static int
cmd_link(const char *ifname)
{
    struct oa_link_sock *s = open_links();
    struct oa_link *named, *l;
    struct oanl_extack ext;
    int r = oa_link_get_by_name(s, ifname, &named, &ext);
    if (r) {
        oa_link_sock_close(s);
        return fail(r, &ext);
    }
    r = oa_link_get_vfs(s, named->ifindex, &l, &ext);
    if (r || strcmp(named->name, l->name)) {
        oa_link_destroy(named);
        oa_link_destroy(l); /* NULL when the lookup failed */
        oa_link_sock_close(s);
        return fail(r ? r : -EPROTO, &ext);
    }
    if (named->n_vfs || named->has_num_vf) {
        /* A lookup without the VF list must not have read one. */
        oa_link_destroy(named);
        oa_link_destroy(l);
        oa_link_sock_close(s);
        return fail(-EPROTO, NULL);
    }
    oa_link_destroy(named);
    char hex[2 * OA_LINK_MAX_ID + 1];
    oa_link_switch_id_hex(l, hex, sizeof hex);
    printf("ifindex=%d name=%s up=%d port_name=%s switch_id=%s "
           "parent_bus=%s parent_dev=%s num_vf=%u\n",
           l->ifindex, l->name, !!(l->flags & IFF_UP), l->phys_port_name, hex,
           l->parent_bus, l->parent_dev, l->num_vf);
    for (size_t i = 0; i < l->n_vfs; i++) {
        const struct oa_link_vf *vf = &l->vfs[i];
        printf("vf=%u ", vf->index);
        print_mac("mac", vf->mac);
        printf(" vlan=%u trust=%s spoofchk=%s\n", vf->vlan,
               vf->has_trust ? (vf->trust ? "on" : "off") : "?",
               vf->has_spoofchk ? (vf->spoofchk ? "on" : "off") : "?");
    }
    oa_link_destroy(l);
    oa_link_sock_close(s);
    return 0;
}

/* links: the number of links in a full dump (many datagrams). */
static int
cmd_links(void)
{
    struct oa_link_sock *s = open_links();
    struct oa_link **links;
    size_t n;
    struct oanl_extack ext;
    int r = oa_link_list(s, &links, &n, &ext);
    oa_link_sock_close(s);
    if (r) {
        return fail(r, &ext);
    }
    printf("links=%zu\n", n);
    oa_link_list_free(links, n);
    return 0;
}

/* link-set-up NETDEV up|down */
static int
cmd_link_up(const char *ifname, const char *state)
{
    struct oa_link_sock *s = open_links();
    struct oanl_extack ext;
    int r = oa_link_set_up(s, (int)if_nametoindex(ifname),
                           !strcmp(state, "up"), &ext);
    oa_link_sock_close(s);
    return r ? fail(r, &ext) : 0;
}

/* vf-set PF VF [mac M] [vlan N] [trust on|off] [spoofchk on|off] */
static int
cmd_vf_set(int argc, char **argv)
{
    struct oa_link_vf_req req;
    uint8_t mac[6];
    oa_link_vf_req_init(&req, (uint32_t)atoi(argv[1]));
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcmp(k, "mac")) {
            if (parse_mac(v, mac)) {
                return 2;
            }
            req.mac = mac;
        } else if (!strcmp(k, "vlan")) {
            req.vlan = atoi(v);
        } else if (!strcmp(k, "trust")) {
            req.trust = !strcmp(v, "on");
        } else if (!strcmp(k, "spoofchk")) {
            req.spoofchk = !strcmp(v, "on");
        } else {
            return 2;
        }
    }
    struct oa_link_sock *s = open_links();
    struct oanl_extack ext;
    int r = oa_link_set_vf(s, (int)if_nametoindex(argv[0]), &req, &ext);
    oa_link_sock_close(s);
    return r ? fail(r, &ext) : 0;
}

/* Whether two resolutions found the same representors. */
static bool
same_reprs(const struct repr_entry *a, size_t na, const struct repr_entry *b,
           size_t nb)
{
    for (size_t i = 0; na == nb && i < na; i++) {
        if (a[i].vf != b[i].vf || a[i].ifindex != b[i].ifindex ||
            strcmp(a[i].netdev, b[i].netdev) || a[i].source != b[i].source ||
            a[i].has_up != b[i].has_up || a[i].up != b[i].up) {
            return false;
        }
    }
    return na == nb;
}

/* reprs HANDLE|- PF [pfnum]: representors; '-' skips devlink so the
 * switch-id fallback alone is used. Resolved twice, with a link dump of
 * its own and with one given (as a look shares one among its PFs): the
 * two must agree. */
static int
cmd_reprs(int argc, char **argv)
{
    struct devlink_handle h;
    struct repr_query q = {.pfnum = -1};
    if (strcmp(argv[0], "-")) {
        parse_handle(argv[0], &h);
        q.devlink = &h;
    }
    q.pf_ifindex = (int)if_nametoindex(argv[1]);
    if (argc > 2) {
        q.pfnum = atoi(argv[2]);
    }
    struct oanl_sock *dl = q.devlink ? open_devlink() : NULL;
    struct oa_link_sock *rt = open_links();
    struct repr_entry *e;
    size_t n;
    struct oanl_extack ext;
    int r = repr_resolve(dl, rt, &q, &e, &n, &ext);
    struct oa_link **links = NULL;
    size_t n_links = 0;
    if (!r) {
        r = oa_link_list(rt, &links, &n_links, &ext);
    }
    struct repr_entry *shared = NULL;
    size_t n_shared = 0;
    if (!r) {
        q.links = links;
        q.n_links = n_links;
        r = repr_resolve(dl, rt, &q, &shared, &n_shared, &ext);
    }
    if (!r && !same_reprs(e, n, shared, n_shared)) {
        printf("a given link dump found %zu representors, its own %zu\n",
               n_shared, n);
        r = -EPROTO;
    }
    oa_link_list_free(links, n_links);
    free(shared);
    oanl_close(dl);
    oa_link_sock_close(rt);
    if (r) {
        free(e);
        return fail(r, &ext);
    }
    for (size_t i = 0; i < n; i++) {
        printf("vf=%u netdev=%s ifindex=%d source=%s\n", e[i].vf, e[i].netdev,
               e[i].ifindex,
               e[i].source == REPR_BY_DEVLINK_PORT ? "devlink"
                                                   : "phys_port_name");
    }
    free(e);
    return 0;
}

/* feature-get NETDEV NAME [ioctl] / feature-set NETDEV NAME on|off [ioctl] */
static int
cmd_feature(bool set, int argc, char **argv)
{
    bool force_ioctl = !strcmp(argv[argc - 1], "ioctl");
    struct ethfeat_client *c;
    int r = ethfeat_open(force_ioctl, &c);
    if (r) {
        return fail(r, NULL);
    }
    struct oanl_extack ext = {""};
    if (set) {
        r = ethfeat_set(c, argv[0], argv[1], !strcmp(argv[2], "on"), &ext);
    } else {
        struct ethfeat_state st;
        r = ethfeat_get(c, argv[0], argv[1], &st, &ext);
        if (!r) {
            printf("backend=%s active=%s wanted=%s changeable=%s\n",
                   ethfeat_get_backend(c) == ETHFEAT_NETLINK ? "netlink"
                                                             : "ioctl",
                   st.active ? "on" : "off", st.wanted ? "on" : "off",
                   st.changeable ? "yes" : "no");
        }
    }
    ethfeat_close(c);
    return r ? fail(r, &ext) : 0;
}

/* feature-dump NAME: the feature's bit the dump read compact bitsets at
 * (-1: verbose), then feature NAME of every netdev from one FEATURES_GET
 * dump, one line per netdev. */
static int
cmd_feature_dump(const char *name)
{
    struct ethfeat_client *c;
    int r = ethfeat_open(false, &c);
    if (r) {
        return fail(r, NULL);
    }
    struct oanl_extack ext = {""};
    struct ethfeat_dev *devs;
    size_t n;
    r = ethfeat_dump(c, name, &devs, &n, &ext);
    int bit = ethfeat_dump_bit(c, name);
    ethfeat_close(c);
    if (r) {
        return fail(r, &ext);
    }
    printf("bit=%d\n", bit);
    for (size_t i = 0; i < n; i++) {
        printf("netdev=%s active=%s wanted=%s changeable=%s\n", devs[i].ifname,
               devs[i].st.active ? "on" : "off",
               devs[i].st.wanted ? "on" : "off",
               devs[i].st.changeable ? "yes" : "no");
    }
    free(devs);
    return 0;
}

/* tc NETDEV: ingress rules of every chain, then a summary line. */
static int
cmd_tc(const char *ifname)
{
    struct oanl_sock *s = open_rtnl();
    struct tcf_rule *rules;
    size_t n;
    struct oanl_extack ext;
    int r = tcf_dump(s, (int)if_nametoindex(ifname), TCF_PARENT_INGRESS,
                     &rules, &n, &ext);
    oanl_close(s);
    if (r) {
        return fail(r, &ext);
    }
    for (size_t i = 0; i < n; i++) {
        const struct tcf_rule *t = &rules[i];
        printf("rule chain=%u prio=%u handle=%u kind=%s in_hw=%d "
               "not_in_hw=%d skip_sw=%d skip_hw=%d in_hw_count=%s",
               t->chain, t->prio, t->handle, t->kind, t->in_hw, t->not_in_hw,
               t->skip_sw, t->skip_hw, t->has_in_hw_count ? "" : "-");
        if (t->has_in_hw_count) {
            printf("%u", t->in_hw_count);
        }
        printf(" stats=%d hw_stats=%d\n", t->has_stats, t->has_hw_stats);
    }
    struct tcf_summary sum;
    tcf_summarize(rules, n, &sum);
    printf("rules=%zu in_hw=%zu not_in_hw=%zu\n", sum.rules, sum.in_hw,
           sum.not_in_hw);
    free(rules);
    return 0;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* watch-reprs HANDLE PFNETDEV N: subscribes to link and devlink events,
 * creates N VFs (through 0) and sets switchdev, then waits (poll, no
 * sleeps) until the events announce N new devlink ports and the resolver
 * finds N representors.  Prints the counts and the time taken. */
static int
cmd_watch_reprs(const char *handle, const char *pfname, unsigned want)
{
    struct devlink_handle h;
    parse_handle(handle, &h);
    struct nlev_source *lev, *dev;
    int r = nlev_open(NLEV_LINK, &lev);
    if (!r) {
        r = nlev_open(NLEV_DEVLINK, &dev);
    }
    if (r) {
        return fail(r, NULL);
    }
    struct sriov_pf pf;
    r = sriov_pf_by_devlink(NULL, h.bus, h.dev, &pf);
    if (r) {
        return fail(r, NULL);
    }
    struct oanl_sock *dl = open_devlink();
    struct oa_link_sock *rt = open_links();
    struct oanl_extack ext;
    bool via_zero;
    double t0 = now();
    r = sriov_numvfs_set(&pf, want, &via_zero);
    if (r) {
        return fail(r, NULL);
    }
    struct devlink_eswitch_req req = {DEVLINK_ESWITCH_MODE_SWITCHDEV, -1, -1};
    r = devlink_eswitch_set(dl, &h, &req, &ext);
    if (r) {
        return fail(r, &ext);
    }
    struct nlev_summary ls = {0}, ds = {0};
    struct repr_query q = {
        .devlink = &h, .pf_ifindex = (int)if_nametoindex(pfname), .pfnum = -1};
    size_t found = 0;
    while (now() - t0 < 20) {
        struct pollfd p[2] = {{nlev_fd(lev), POLLIN, 0},
                              {nlev_fd(dev), POLLIN, 0}};
        poll(p, 2, 1000);
        if (nlev_drain(lev, &ls) < 0 || nlev_drain(dev, &ds) < 0) {
            return fail(-EIO, NULL);
        }
        if (ds.port_new < want && !ls.resync && !ds.resync) {
            continue;
        }
        struct repr_entry *e;
        size_t n;
        r = repr_resolve(dl, rt, &q, &e, &n, &ext);
        free(e);
        if (r) {
            return fail(r, &ext);
        }
        found = n;
        if (found >= want) {
            break;
        }
    }
    printf("via_zero=%d link_new=%zu port_new=%zu resync=%d reprs=%zu "
           "ms=%.0f\n",
           via_zero, ls.link_new, ds.port_new, ls.resync || ds.resync, found,
           (now() - t0) * 1000);
    nlev_close(lev);
    nlev_close(dev);
    oanl_close(dl);
    oa_link_sock_close(rt);
    return found == want ? 0 : 1;
}

/* overflow-resync: fills a link event socket past its buffer, without
 * reading it, and checks that nlev_drain reports resync. */
static int
cmd_overflow(const char *ifname)
{
    struct nlev_source *lev;
    int r = nlev_open(NLEV_LINK, &lev);
    if (r) {
        return fail(r, NULL);
    }
    int fd = nlev_fd(lev), small = 1;
    /* The kernel rounds this up to its minimum: a few messages fill it. */
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    struct oa_link_sock *s = open_links();
    int idx = (int)if_nametoindex(ifname);
    for (int i = 0; i < 200; i++) {
        oa_link_set_up(s, idx, i % 2 == 0, NULL);
    }
    oa_link_set_up(s, idx, true, NULL);
    oa_link_sock_close(s);
    struct nlev_summary sum = {0};
    r = nlev_drain(lev, &sum);
    nlev_close(lev);
    if (r < 0) {
        return fail(r, NULL);
    }
    printf("resync=%d events=%zu\n", sum.resync, sum.events);
    return sum.resync ? 0 : 1;
}

/* sriov PFSPEC: PFSPEC is netdev:NAME, pci:ADDR or devlink:BUS/DEV;
 * prints what the PF's sysfs says. */
static int
pf_from_spec(const char *spec, struct sriov_pf *pf)
{
    if (!strncmp(spec, "netdev:", 7)) {
        return sriov_pf_by_netdev(NULL, spec + 7, pf);
    }
    if (!strncmp(spec, "pci:", 4)) {
        return sriov_pf_by_pci(NULL, spec + 4, pf);
    }
    if (!strncmp(spec, "devlink:", 8)) {
        struct devlink_handle h;
        parse_handle(spec + 8, &h);
        return sriov_pf_by_devlink(NULL, h.bus, h.dev, pf);
    }
    return -EINVAL;
}

static int
cmd_sriov_show(const char *spec)
{
    struct sriov_pf pf;
    int r = pf_from_spec(spec, &pf);
    if (r) {
        return fail(r, NULL);
    }
    unsigned numvfs = 0, total = 0;
    r = sriov_numvfs_get(&pf, &numvfs);
    if (r) {
        return fail(r, NULL);
    }
    int tr = sriov_totalvfs_get(&pf, &total);
    printf("bus=%s name=%s numvfs=%u totalvfs=%s", pf.bus, pf.name, numvfs,
           tr ? strerror(-tr) : "");
    if (!tr) {
        printf("%u", total);
    }
    printf(" vfs_are_devices=%d\n", sriov_vfs_are_devices(&pf));
    for (unsigned i = 0; i < numvfs; i++) {
        char addr[32], drv[64];
        r = sriov_vf_pci_addr(&pf, i, addr, sizeof addr);
        if (r) {
            printf("vf=%u pci=%s\n", i, strerror(-r));
            continue;
        }
        r = sriov_dev_driver(NULL, addr, drv, sizeof drv);
        printf("vf=%u pci=%s driver=%s\n", i, addr,
               r < 0 ? strerror(-r) : drv);
    }
    return 0;
}

/* numvfs PFSPEC N [raw] */
static int
cmd_numvfs(const char *spec, unsigned n, bool raw)
{
    struct sriov_pf pf;
    int r = pf_from_spec(spec, &pf);
    if (r) {
        return fail(r, NULL);
    }
    bool via_zero = false;
    r = raw ? sriov_numvfs_write(&pf, n) : sriov_numvfs_set(&pf, n, &via_zero);
    if (r) {
        return fail(r, NULL);
    }
    printf("via_zero=%d\n", via_zero);
    return 0;
}

static int
cmd_autoprobe(const char *spec, const char *v)
{
    struct sriov_pf pf;
    int r = pf_from_spec(spec, &pf);
    if (!r) {
        r = sriov_autoprobe_set(&pf, !strcmp(v, "on"));
    }
    bool on = false;
    if (!r) {
        r = sriov_autoprobe_get(&pf, &on);
    }
    if (r) {
        return fail(r, NULL);
    }
    printf("autoprobe=%s\n", on ? "on" : "off");
    return 0;
}

/* unbind ADDR / bind ADDR DRIVER / override ADDR DRIVER|- / driver ADDR */
static int
cmd_binding(const char *op, const char *addr, const char *arg)
{
    char drv[64];
    int r;
    if (!strcmp(op, "unbind")) {
        r = sriov_dev_unbind(NULL, addr);
    } else if (!strcmp(op, "bind")) {
        r = sriov_dev_bind(NULL, addr, arg);
    } else if (!strcmp(op, "override")) {
        r = sriov_dev_set_override(NULL, addr, strcmp(arg, "-") ? arg : NULL);
    } else {
        r = sriov_dev_driver(NULL, addr, drv, sizeof drv);
        if (r >= 0) {
            printf("driver=%s\n", drv);
            int o = sriov_dev_get_override(NULL, addr, drv, sizeof drv);
            printf("override=%s\n", o >= 0 ? drv : strerror(-o));
            return 0;
        }
    }
    return r < 0 ? fail(r, NULL) : 0;
}

/* bond-create NAME MODE(1,2,4) MIIMON [HASH [LACP]] / bond-get NAME /
 * bond-enslave BOND MEMBER / bond-release MEMBER / bond-up NAME up|down /
 * bond-del NAME / bond-opts NAME MODE MIIMON */
static int
bond_opts_from(int n, char **a, struct bond_opts *o)
{
    *o = (struct bond_opts){.mode = (uint8_t)atoi(a[0]),
                            .miimon_ms = (uint32_t)atoi(a[1]),
                            .xmit_hash = n > 2 ? atoi(a[2]) : -1,
                            .lacp_rate = n > 3 ? atoi(a[3]) : -1};
    return 0;
}

static void
print_bond(const struct bond_link *l)
{
    const char *mode = bond_mode_name(l->opts.mode);
    printf("ifindex=%d name=%s alias=%s owned=%d up=%d carrier=%d master=%d "
           "is_bond=%d mode=%s miimon=%u xmit_hash=%d lacp_rate=%d "
           "active_slave=%d is_slave=%d slave_state=%d slave_mii=%d\n",
           l->ifindex, l->name, l->alias, bond_owned(l), l->up, l->carrier,
           l->master, l->is_bond, l->is_bond && mode ? mode : "-",
           l->opts.miimon_ms, l->opts.xmit_hash, l->opts.lacp_rate,
           l->active_slave, l->is_slave, l->slave_state, l->slave_mii);
}

static int
cmd_bond(const char *c, int n, char **a)
{
    struct oanl_sock *s = open_rtnl();
    struct oanl_extack ext = {{0}};
    struct bond_opts o;
    struct bond_link l;
    int r = -EINVAL;

    if (!strcmp(c, "bond-create") && n >= 3) {
        bond_opts_from(n - 1, a + 1, &o);
        r = bond_create(s, a[0], &o, &ext);
    } else if (!strcmp(c, "bond-opts") && n >= 3) {
        bond_opts_from(n - 1, a + 1, &o);
        r = bond_set_opts(s, (int)if_nametoindex(a[0]), &o, &ext);
    } else if (!strcmp(c, "bond-get") && n == 1) {
        r = bond_get(s, 0, a[0], &l);
        if (!r) {
            print_bond(&l);
        }
    } else if (!strcmp(c, "bond-enslave") && n == 2) {
        r = bond_enslave(s, (int)if_nametoindex(a[0]),
                         (int)if_nametoindex(a[1]), &ext);
    } else if (!strcmp(c, "bond-release") && n == 1) {
        r = bond_release(s, (int)if_nametoindex(a[0]), &ext);
    } else if (!strcmp(c, "bond-up") && n == 2) {
        r = bond_set_up(s, (int)if_nametoindex(a[0]), !strcmp(a[1], "up"),
                        &ext);
    } else if (!strcmp(c, "bond-del") && n == 1) {
        r = bond_delete(s, (int)if_nametoindex(a[0]), &ext);
    }
    oanl_close(s);
    return r ? fail(r, &ext) : 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: nl-bed COMMAND ARGS (see the source)\n");
    return 2;
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        return usage();
    }
    const char *c = argv[1];
    int n = argc - 2;
    char **a = argv + 2;
    if (!strcmp(c, "devlink-devs")) {
        return cmd_devlink_devs();
    } else if (!strcmp(c, "devlink-of") && n == 1) {
        return cmd_devlink_of(a[0]);
    } else if (!strcmp(c, "eswitch-get") && n == 1) {
        return cmd_eswitch_get(a[0]);
    } else if (!strcmp(c, "eswitch-set") && n >= 2) {
        return cmd_eswitch_set(n, a);
    } else if (!strcmp(c, "param-get") && (n == 2 || n == 3)) {
        return cmd_param_get(a[0], a[1], n == 3 ? a[2] : "runtime");
    } else if (!strcmp(c, "param-set-bool") && n == 4) {
        return cmd_param_set_bool(a[0], a[1], a[2], a[3]);
    } else if (!strcmp(c, "reload") && n == 1) {
        return cmd_reload(a[0]);
    } else if (!strcmp(c, "param-set") && n == 3) {
        return cmd_param_set(a[0], a[1], a[2]);
    } else if (!strcmp(c, "ports") && n == 1) {
        return cmd_ports(a[0]);
    } else if (!strcmp(c, "link") && n == 1) {
        return cmd_link(a[0]);
    } else if (!strcmp(c, "links") && n == 0) {
        return cmd_links();
    } else if (!strcmp(c, "link-set") && n == 2) {
        return cmd_link_up(a[0], a[1]);
    } else if (!strcmp(c, "vf-set") && n >= 2) {
        return cmd_vf_set(n, a);
    } else if (!strcmp(c, "reprs") && n >= 2) {
        return cmd_reprs(n, a);
    } else if (!strcmp(c, "feature-get") && n >= 2) {
        return cmd_feature(false, n, a);
    } else if (!strcmp(c, "feature-set") && n >= 3) {
        return cmd_feature(true, n, a);
    } else if (!strcmp(c, "feature-dump") && n == 1) {
        return cmd_feature_dump(a[0]);
    } else if (!strcmp(c, "tc") && n == 1) {
        return cmd_tc(a[0]);
    } else if (!strcmp(c, "watch-reprs") && n == 3) {
        return cmd_watch_reprs(a[0], a[1], (unsigned)atoi(a[2]));
    } else if (!strcmp(c, "overflow-resync") && n == 1) {
        return cmd_overflow(a[0]);
    } else if (!strcmp(c, "sriov") && n == 1) {
        return cmd_sriov_show(a[0]);
    } else if (!strcmp(c, "numvfs") && n >= 2) {
        return cmd_numvfs(a[0], (unsigned)atoi(a[1]),
                          n > 2 && !strcmp(a[2], "raw"));
    } else if (!strcmp(c, "autoprobe") && n == 2) {
        return cmd_autoprobe(a[0], a[1]);
    } else if ((!strcmp(c, "unbind") || !strcmp(c, "driver")) && n == 1) {
        return cmd_binding(c, a[0], NULL);
    } else if ((!strcmp(c, "bind") || !strcmp(c, "override")) && n == 2) {
        return cmd_binding(c, a[0], a[1]);
    } else if (!strncmp(c, "bond-", 5)) {
        return cmd_bond(c, n, a);
    }
    return usage();
}
