/* Bed driver for obs and apply against the guest's real kernel and OVS
 * (tests/agent/bed-obs-apply.sh compares its output with devlink, ip,
 * ethtool and ovs-vsctl).
 *
 *   bed-obs-apply [--ovs-timeout MS] obs SPEC
 *       obs_collect() for SPEC, printed as key=value lines.
 *   bed-obs-apply [--wait-timeout MS] [--ovs-timeout MS] apply SPEC STEP...
 *       observes, builds a plan by hand from the STEP words (for PF 0 of
 *       SPEC), runs apply_run() and prints each step as on_step saw it,
 *       then the result. STEP words:
 *         numvfs=N[,noprobe]   noprobe: sriov_drivers_autoprobe off
 *         eswitch=legacy|switchdev|raw:N|-[,inline=MODE][,encap=MODE]
 *         wait=N[,listed][,pci][,reps]   wait-vfs for what is named
 *                       (the PF's VF list, virtfnN, representors);
 *                       without any: representors
 *         vf=I[,mac=M][,vlan=V][,trust=on|off][,spoofchk=on|off]
 *         hwtc=on|off   the uplink and the representor of every VF of
 *                       the spec (empty netdev where none exists yet)
 *         ovs           the spec's bridges, the uplink and the observed
 *                       representors as ports, hw-offload, tc-policy
 *         detach        the PF's bridge without its representors' ports
 *         restart       restart-vswitchd
 *         unbind=I|pci:ADDR / bind=I|pci:ADDR,DRIVER   VF I's PCI
 *                       function (PCI bed), or a PCI address
 *       Only unbind/bind work without PF 0 found; a PF named by PCI
 *       address without a netdev (obs: not found) is adopted from sysfs
 *       for numvfs and wait (pci).
 *   bed-obs-apply engine SPEC
 *       engine_reconcile() with the real planner: each step, then the
 *       result (converged, rounds, steps, time). */
#include "apply.h"
#include "engine.h"
#include "hostio.h"
#include "obs.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/sriov.h"
#include "offload/spec.h"
#include "plan.h"
#include "step.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *
tri(enum obs_tristate t)
{
    return t == OBS_YES ? "on" : t == OBS_NO ? "off" : "-";
}

static void
print_tc(const char *key, const struct obs_tc *tc)
{
    if (tc->known) {
        printf(" %s=%zu/%zu/%zu/%zu", key, tc->rules, tc->in_hw, tc->not_in_hw,
               tc->skip_hw);
    } else {
        printf(" %s=-", key);
    }
}

static void
print_host(const struct obs_host *h)
{
    printf("kernel release=%s\n", h->kernel_release);
    for (size_t i = 0; i < h->n_pfs; i++) {
        const struct obs_pf *pf = &h->pfs[i];
        if (!pf->found) {
            printf("pf=%zu found=0 error=%s\n", i, pf->error);
            continue;
        }
        printf("pf=%zu found=1 netdev=%s ifindex=%d devlink=%s bus=%s dev=%s",
               i, pf->netdev, pf->ifindex, pf->has_devlink ? pf->devlink : "-",
               pf->bus, pf->dev_name);
        printf(" eswitch=%s", pf->has_eswitch
                                  ? devlink_eswitch_mode_name(pf->eswitch_mode)
                                  : "-");
        printf(" driver=%s firmware=%s order=%s",
               pf->driver[0] ? pf->driver : "-",
               pf->firmware[0] ? pf->firmware : "-",
               obs_order_name(pf->order));
        printf(" num_vfs=%u", pf->num_vfs);
        if (pf->has_total_vfs) {
            printf(" total_vfs=%u", pf->total_vfs);
        } else {
            printf(" total_vfs=-");
        }
        printf(" vfs_are_devices=%d hwtc=%s", pf->vfs_are_devices,
               tri(pf->uplink_hw_tc_offload));
        print_tc("tc", &pf->uplink_tc);
        printf(" n_reps=%zu\n", pf->n_reps);
        for (size_t j = 0; j < pf->n_vfs; j++) {
            const struct obs_vf *vf = &pf->vfs[j];
            char mac[18];
            printf("vf=%u pf=%zu info=%d mac=%s vlan=%u trust=%s spoofchk=%s "
                   "pci=%s driver=%s rep=%s rep_hwtc=%s",
                   vf->index, i, vf->has_info,
                   spec_mac_to_string(vf->mac, mac), vf->vlan, tri(vf->trust),
                   tri(vf->spoofchk), vf->pci[0] ? vf->pci : "-",
                   vf->driver[0] ? vf->driver : "-",
                   vf->has_rep ? vf->rep : "-", tri(vf->rep_hw_tc_offload));
            print_tc("rep_tc", &vf->rep_tc);
            printf("\n");
        }
    }
    const struct vsdb_state *st = h->ovs.state;
    const char *hw = st ? vsdb_kv_get(st->other_config, st->n_other_config,
                                      VSDB_KEY_HW_OFFLOAD)
                        : NULL;
    printf("ovs connected=%d vswitchd=%s hw_offload=%s\n", h->ovs.connected,
           h->ovs.vswitchd_id ? "yes" : "no", hw ? hw : "-");
    for (size_t b = 0; st && b < st->n_bridges; b++) {
        const struct vsdb_bridge *br = &st->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            const struct vsdb_port *port = &br->ports[p];
            for (size_t k = 0; k < port->n_ifaces; k++) {
                const struct vsdb_iface *ifc = &port->ifaces[k];
                printf(
                    "port bridge=%s port=%s ofport=%lld owned=%d error=%s\n",
                    br->name, port->name, (long long)ifc->ofport, port->owned,
                    ifc->error ? ifc->error : "");
            }
        }
    }
}

/* ---- Hand-built plans ------------------------------------------------ */

struct builder {
    const struct spec *spec;
    const struct obs_host *host;
    struct plan plan;
    size_t cap;
    /* Storage for the want's strings and arrays. */
    struct vsdb_want_bridge *bridges;
    const char **ports;
    struct vsdb_want_bridge *dbridges;
    const char **dports;
    struct vsdb_want_key keys[2];
};

static struct plan_step *
add_step(struct builder *b, enum plan_action action, const char *object)
{
    if (b->plan.n_steps == b->cap) {
        b->cap = b->cap ? 2 * b->cap : 16;
        b->plan.steps = realloc(b->plan.steps, b->cap * sizeof *b->plan.steps);
        if (!b->plan.steps) {
            abort();
        }
    }
    struct plan_step *s = &b->plan.steps[b->plan.n_steps++];
    step_init(s, action, 0, -1);
    snprintf(s->object, sizeof s->object, "%s", object);
    return s;
}

static int
mode_value(const char *v, const char *const *names, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!strcmp(v, names[i])) {
            return (int)i;
        }
    }
    if (!strncmp(v, "raw:", 4)) {
        return atoi(v + 4);
    }
    return -1; /* "-": leave */
}

static bool
onoff(const char *v)
{
    return !strcmp(v, "on") || !strcmp(v, "true") || !strcmp(v, "1");
}

static int
parse_mac(const char *s, uint8_t mac[6])
{
    unsigned m[6];
    if (sscanf(s, "%x:%x:%x:%x:%x:%x", &m[0], &m[1], &m[2], &m[3], &m[4],
               &m[5]) != 6) {
        return -EINVAL;
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = (uint8_t)m[i];
    }
    return 0;
}

static const struct obs_pf *
pf0(const struct builder *b)
{
    return &b->host->pfs[0];
}

static void
build_ovs(struct builder *b)
{
    const struct spec *spec = b->spec;
    const struct spec_pf *sp = &spec->pfs[0];
    const struct obs_pf *pf = pf0(b);
    size_t n = 0;

    b->bridges = calloc(spec->n_bridges + 1, sizeof *b->bridges);
    b->ports = calloc(pf->n_vfs + 2, sizeof *b->ports);
    for (size_t i = 0; i < spec->n_bridges; i++) {
        const char *name = spec->bridges[i].name;
        b->bridges[i].name = name;
        add_step(b, PLAN_OVS_ADD_BRIDGE, name)->pf = -1;
        snprintf(b->plan.steps[b->plan.n_steps - 1].ovsport.bridge,
                 sizeof b->plan.steps[0].ovsport.bridge, "%s", name);
        if (!sp->bridge || strcmp(sp->bridge, name)) {
            continue;
        }
        if (sp->attach_uplink) {
            b->ports[n++] = pf->netdev;
            struct plan_step *s = add_step(b, PLAN_OVS_ADD_PORT, pf->netdev);
            snprintf(s->ovsport.bridge, sizeof s->ovsport.bridge, "%s", name);
            snprintf(s->ovsport.port, sizeof s->ovsport.port, "%s",
                     pf->netdev);
        }
        for (unsigned vf = 0; vf < sp->num_vfs; vf++) {
            const char *rep =
                vf < pf->n_vfs && pf->vfs[vf].has_rep ? pf->vfs[vf].rep : "";
            if (rep[0]) {
                b->ports[n++] = rep;
            }
            struct plan_step *s = add_step(b, PLAN_OVS_ADD_PORT, rep);
            s->vf = (int)vf;
            snprintf(s->ovsport.bridge, sizeof s->ovsport.bridge, "%s", name);
            snprintf(s->ovsport.port, sizeof s->ovsport.port, "%s", rep);
        }
        b->bridges[i].ports = b->ports;
        b->bridges[i].n_ports = n;
    }
    b->keys[0].key = VSDB_KEY_HW_OFFLOAD;
    b->keys[0].value = spec->ovs.hw_offload ? "true" : "false";
    b->keys[1].key = VSDB_KEY_TC_POLICY;
    b->keys[1].value = spec_tc_policy_name(spec->ovs.tc_policy);
    for (size_t i = 0; i < 2; i++) {
        struct plan_step *s = add_step(b, PLAN_OVS_SET_CONFIG, b->keys[i].key);
        s->pf = -1;
        snprintf(s->kv.key, sizeof s->kv.key, "%s", b->keys[i].key);
        snprintf(s->kv.value, sizeof s->kv.value, "%s", b->keys[i].value);
    }
    b->plan.has_ovs = true;
    b->plan.want.bridges = b->bridges;
    b->plan.want.n_bridges = spec->n_bridges;
    b->plan.want.other_config = b->keys;
    b->plan.want.n_other_config = 2;
}

/* The PF's bridge as it is now, minus the ports of its representors. */
static void
build_detach(struct builder *b)
{
    const struct obs_pf *pf = pf0(b);
    const struct vsdb_state *st = b->host->ovs.state;
    const char *name = b->spec->pfs[0].bridge;
    const struct vsdb_bridge *br =
        st && name ? vsdb_state_bridge(st, name) : NULL;
    if (!br) {
        fprintf(stderr, "detach: bridge not observed\n");
        exit(2);
    }
    b->dbridges = calloc(1, sizeof *b->dbridges);
    b->dports = calloc(br->n_ports + 1, sizeof *b->dports);
    size_t n = 0;
    for (size_t p = 0; p < br->n_ports; p++) {
        bool is_rep = false;
        if (!strcmp(br->ports[p].name, name)) {
            continue; /* the bridge's local port: never in a want */
        }
        for (size_t v = 0; v < pf->n_vfs; v++) {
            is_rep = is_rep || (pf->vfs[v].has_rep &&
                                !strcmp(pf->vfs[v].rep, br->ports[p].name));
        }
        if (is_rep) {
            struct plan_step *s =
                add_step(b, PLAN_DETACH_PORT, br->ports[p].name);
            snprintf(s->ovsport.bridge, sizeof s->ovsport.bridge, "%s", name);
            snprintf(s->ovsport.port, sizeof s->ovsport.port, "%s",
                     br->ports[p].name);
        } else {
            b->dports[n++] = br->ports[p].name;
        }
    }
    b->dbridges[0].name = name;
    b->dbridges[0].ports = b->dports;
    b->dbridges[0].n_ports = n;
    b->plan.has_detach = true;
    b->plan.detach_want.bridges = b->dbridges;
    b->plan.detach_want.n_bridges = 1;
}

static void
build_step(struct builder *b, char *word)
{
    static const char *const esw[] = {"legacy", "switchdev"};
    static const char *const inl[] = {"none", "link", "network", "transport"};
    static const char *const enc[] = {"none", "basic"};
    const struct obs_pf *pf = pf0(b);
    const char *obj = pf->has_devlink ? pf->devlink
                      : pf->netdev[0] ? pf->netdev
                                      : pf->dev_name;
    char *save = NULL;
    char *tok = strtok_r(word, ",", &save);
    char *eq = strchr(tok, '=');
    const char *val = eq ? eq + 1 : "";
    if (eq) {
        *eq = '\0';
    }
    if (!pf->found && strcmp(tok, "unbind") && strcmp(tok, "bind")) {
        fprintf(stderr, "%s: PF 0 not found: %s\n", tok, pf->error);
        exit(2);
    }

    if (!strcmp(tok, "numvfs")) {
        struct plan_step *s = add_step(b, PLAN_SET_NUMVFS, obj);
        s->numvfs.num = (unsigned)atoi(val);
        tok = strtok_r(NULL, ",", &save);
        s->numvfs.no_autoprobe = tok && !strcmp(tok, "noprobe");
    } else if (!strcmp(tok, "eswitch")) {
        struct plan_step *s = add_step(b, PLAN_SET_ESWITCH, obj);
        s->eswitch.mode = mode_value(val, esw, 2);
        while ((tok = strtok_r(NULL, ",", &save))) {
            if (!strncmp(tok, "inline=", 7)) {
                s->eswitch.inline_mode = mode_value(tok + 7, inl, 4);
            } else if (!strncmp(tok, "encap=", 6)) {
                s->eswitch.encap_mode = mode_value(tok + 6, enc, 2);
            }
        }
    } else if (!strcmp(tok, "wait")) {
        struct plan_step *s = add_step(b, PLAN_WAIT_VFS, obj);
        s->wait.num = (unsigned)atoi(val);
        snprintf(s->wait.netdev, sizeof s->wait.netdev, "%s", pf->netdev);
        s->wait.reps = true; /* without flags: representors only */
        while ((tok = strtok_r(NULL, ",", &save))) {
            s->wait.reps = false;
            s->wait.listed |= !strcmp(tok, "listed");
            s->wait.pci |= !strcmp(tok, "pci");
            s->wait.reps |= !strcmp(tok, "reps");
        }
    } else if (!strcmp(tok, "vf")) {
        struct plan_step *s = add_step(b, PLAN_SET_VF, pf->netdev);
        struct plan_vf_req *req = &s->setvf.req;
        s->vf = atoi(val);
        while ((tok = strtok_r(NULL, ",", &save))) {
            if (!strncmp(tok, "mac=", 4)) {
                req->has_mac = !parse_mac(tok + 4, req->mac);
            } else if (!strncmp(tok, "vlan=", 5)) {
                req->vlan = atoi(tok + 5);
            } else if (!strncmp(tok, "trust=", 6)) {
                req->trust = onoff(tok + 6);
            } else if (!strncmp(tok, "spoofchk=", 9)) {
                req->spoofchk = onoff(tok + 9);
            }
        }
    } else if (!strcmp(tok, "hwtc")) {
        struct plan_step *s = add_step(b, PLAN_SET_HW_TC_OFFLOAD, pf->netdev);
        snprintf(s->hwtc.netdev, sizeof s->hwtc.netdev, "%s", pf->netdev);
        s->hwtc.on = onoff(val);
        for (unsigned vf = 0; vf < b->spec->pfs[0].num_vfs; vf++) {
            const char *rep =
                vf < pf->n_vfs && pf->vfs[vf].has_rep ? pf->vfs[vf].rep : "";
            s = add_step(b, PLAN_SET_HW_TC_OFFLOAD, rep);
            s->vf = (int)vf;
            snprintf(s->hwtc.netdev, sizeof s->hwtc.netdev, "%s", rep);
            s->hwtc.on = onoff(val);
        }
    } else if (!strcmp(tok, "ovs")) {
        build_ovs(b);
    } else if (!strcmp(tok, "detach")) {
        build_detach(b);
    } else if (!strcmp(tok, "restart")) {
        add_step(b, PLAN_RESTART_VSWITCHD, VSDB_VSWITCHD_UNIT)->pf = -1;
    } else if (!strcmp(tok, "unbind") || !strcmp(tok, "bind")) {
        bool bind = !strcmp(tok, "bind");
        char pci[16];
        int vf = -1;
        if (!strncmp(val, "pci:", 4)) {
            snprintf(pci, sizeof pci, "%s", val + 4);
        } else {
            vf = atoi(val);
            if (!pf->found || vf < 0 || (size_t)vf >= pf->n_vfs ||
                !pf->vfs[vf].pci[0]) {
                fprintf(stderr, "%s: VF %d has no PCI function\n", tok, vf);
                exit(2);
            }
            snprintf(pci, sizeof pci, "%s", pf->vfs[vf].pci);
        }
        struct plan_step *s =
            add_step(b, bind ? PLAN_BIND_VF : PLAN_UNBIND_VF, pci);
        s->vf = vf;
        snprintf(s->binding.pci, sizeof s->binding.pci, "%s", pci);
        if (bind && (tok = strtok_r(NULL, ",", &save))) {
            snprintf(s->binding.driver, sizeof s->binding.driver, "%s", tok);
        }
    } else {
        fprintf(stderr, "unknown step word %s\n", tok);
        exit(2);
    }
}

/* A PF the spec names by PCI address that obs does not find because it
 * has no netdev (the PCI bed's NVMe controller): taken as found, from
 * sysfs alone, so that set-numvfs and wait-vfs (PCI functions) can run on
 * it. The agent itself never sees such a PF as found. */
static void
adopt_pci_pf(const struct spec *spec, struct obs_host *host)
{
    struct obs_pf *pf = &host->pfs[0];
    struct sriov_pf dev;
    if (pf->found || spec->pfs[0].key != SPEC_PF_BY_PCI ||
        sriov_pf_by_pci(NULL, spec->pfs[0].id, &dev) ||
        sriov_numvfs_get(&dev, &pf->num_vfs)) {
        return;
    }
    pf->found = true;
    snprintf(pf->bus, sizeof pf->bus, "%s", dev.bus);
    snprintf(pf->dev_name, sizeof pf->dev_name, "%s", dev.name);
    pf->vfs_are_devices = sriov_vfs_are_devices(&dev);
    printf("pf=0 adopted bus=%s dev=%s num_vfs=%u vfs_are_devices=%d\n",
           pf->bus, pf->dev_name, pf->num_vfs, pf->vfs_are_devices);
}

/* ---- main ------------------------------------------------------------ */

static double
now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double step_start;

static void
on_step(const struct plan_step *s, int r, const char *msg, void *aux)
{
    size_t *i = aux;
    double t = now_s();
    printf("step=%zu action=%s object=%s r=%d ms=%.0f msg=%s\n", (*i)++,
           plan_action_name(s->action), s->object[0] ? s->object : "-", r,
           (t - step_start) * 1000, msg);
    fflush(stdout);
    step_start = t;
}

static int
usage(void)
{
    fprintf(stderr, "usage: bed-obs-apply [--ovs-timeout MS] obs SPEC\n"
                    "       bed-obs-apply [--wait-timeout MS] [--ovs-timeout "
                    "MS] apply SPEC STEP...\n");
    return 2;
}

int
main(int argc, char **argv)
{
    long long wait_timeout = 0, ovs_timeout = 5000;
    int a = 1;
    for (; a + 1 < argc && !strncmp(argv[a], "--", 2); a += 2) {
        if (!strcmp(argv[a], "--wait-timeout")) {
            wait_timeout = atoll(argv[a + 1]);
        } else if (!strcmp(argv[a], "--ovs-timeout")) {
            ovs_timeout = atoll(argv[a + 1]);
        } else {
            return usage();
        }
    }
    if (argc - a < 2) {
        return usage();
    }
    const char *cmd = argv[a], *file = argv[a + 1];
    struct spec *spec;
    struct spec_errors *errs;
    if (spec_load_file(file, &spec, &errs)) {
        for (size_t i = 0; errs && i < spec_errors_count(errs); i++) {
            char *m = spec_error_format(spec_errors_get(errs, i));
            fprintf(stderr, "%s\n", m ? m : "?");
            free(m);
        }
        spec_errors_destroy(errs);
        return 2;
    }
    spec_errors_destroy(errs);

    struct hostio io = {0};
    struct oa_err err;
    char failure[OA_ERR_FORMAT_MAX];
    int r = hostio_open(&io, &err);
    if (r) {
        fprintf(stderr, "hostio_open: %s\n",
                oa_err_format(&err, failure, sizeof failure));
        return 1;
    }
    r = hostio_open_ovsdb(&io, spec->ovs.db);
    if (r) {
        fprintf(stderr, "hostio_open_ovsdb: %s\n", strerror(-r));
        return 1;
    }
    struct obs_host *host;
    double t0 = now_s();
    r = obs_collect(&io, spec, ovs_timeout, &host, &err);
    if (r) {
        fprintf(stderr, "obs_collect: %d %s\n", r,
                oa_err_format(&err, failure, sizeof failure));
        return 1;
    }
    int status = 0;
    if (!strcmp(cmd, "engine") && argc - a == 2) {
        size_t idx = 0;
        struct engine_opts eo = {.apply = {.wait_timeout_ms = wait_timeout,
                                           .on_step = on_step,
                                           .aux = &idx}};
        struct engine_result er;
        step_start = now_s();
        r = engine_reconcile(&io, spec, &eo, &er);
        printf("engine r=%d converged=%d rounds=%u steps_done=%zu "
               "fallback=%d left=%zu elapsed_ms=%lld message=%s\n",
               r, er.converged, er.rounds, er.steps_done, er.fallback_used,
               er.plan ? er.plan->n_steps : 0, er.elapsed_ms,
               er.err.code ? oa_err_format(&er.err, failure, sizeof failure)
                           : "");
        if (er.host) {
            print_host(er.host);
        }
        engine_result_clear(&er);
        status = r ? 1 : 0;
    } else if (!strcmp(cmd, "obs") && argc - a == 2) {
        print_host(host);
        printf("obs_ms=%.0f\n", (now_s() - t0) * 1000);
    } else if (!strcmp(cmd, "apply") && argc - a >= 3 && spec->n_pfs) {
        struct builder b = {.spec = spec, .host = host};
        adopt_pci_pf(spec, host);
        for (int i = a + 2; i < argc; i++) {
            build_step(&b, argv[i]);
        }
        size_t idx = 0;
        struct apply_opts opts = {.wait_timeout_ms = wait_timeout,
                                  .ovs_timeout_ms = 10000,
                                  .on_step = on_step,
                                  .aux = &idx};
        struct apply_result res;
        char message[OA_ERR_FORMAT_MAX];
        step_start = now_s();
        t0 = step_start;
        r = apply_run(&io, spec, host, &b.plan, &opts, &res);
        printf("result r=%d n_done=%zu n_steps=%zu failed_step=%d error=%d "
               "refused_switchdev=%d ms=%.0f message=%s\n",
               r, res.n_done, b.plan.n_steps, res.failed_step, res.err.code,
               res.n_refused && res.refusals[0].switchdev,
               (now_s() - t0) * 1000,
               apply_result_message(&res, message, sizeof message));
        status = r ? 1 : 0;
        free(b.plan.steps);
        free(b.bridges);
        free(b.ports);
        free(b.dbridges);
        free(b.dports);
    } else {
        status = usage();
    }
    obs_free(host);
    hostio_close(&io);
    spec_destroy(spec);
    return status;
}
