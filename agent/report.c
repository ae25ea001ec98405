/* report: verification and status, from copies of what was observed.
 * Pure: everything here reads its arguments and writes memory. */
#include "report.h"

#include "jw.h"
#include "oa-common/str.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/bond.h"
#include "obs-bond.h"
#include "obs.h"
#include "offload/spec.h"
#include "plan.h"
#include "report-vdpa.h"
#include "stats.h"
#include "step.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include <errno.h>
#include <linux/devlink.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct report_tc {
    bool known;
    size_t rules, in_hw, not_in_hw;
};

struct report_vf {
    unsigned index;
    char mac[18];             /* "" when none is set */
    const char *mac_via;      /* static; NULL: the spec sets no MAC */
    int vlan;                 /* where vlan_via says; -1: none */
    const char *vlan_via;     /* static; NULL: eswitch mode not known */
    char driver[32];          /* "" when unbound */
    char rep[16];             /* "" when no representor */
    char bridge[16];          /* "" when the representor is in no bridge */
    enum obs_tristate rep_up; /* UNKNOWN: no representor, or not read */
    struct report_tc tc;
    char in_use[128]; /* its holder (obs_vf.holder); "" when not in use */
    struct report_vdpa vdpa;
};

struct report_pf {
    char id[96]; /* the spec's selector */
    bool found;
    char error[160];
    char netdev[16];      /* the uplink as it is called now */
    char spec_netdev[16]; /* the spec's name for it; "": named otherwise */
    bool pinned;          /* found through its pin (pfpin.h) */
    char devlink[96];     /* "" when none */
    const char *eswitch;  /* static; NULL when not known */
    char steering[16];    /* "" when not asked or not known */
    /* The eswitch order of its plan, where it came from, and the other
     * order's refusal when it fell back ("" otherwise). Static names. */
    const char *order, *order_source;
    char order_refusal[OA_ERR_FORMAT_MAX];
    unsigned num_vfs;
    char uplink_bridge[16];
    enum obs_tristate uplink_up;
    struct report_tc uplink_tc;
    struct report_vf *vfs;
    size_t n_vfs;
};

/* A spec bond (VF-LAG) as observed. */
struct report_bond_member {
    char netdev[16]; /* "" when its PF or uplink is not found */
    bool enslaved;   /* to this bond */
    bool up, carrier;
};

struct report_bond {
    char name[16];
    bool exists, owned;
    const char *mode;                  /* static; NULL when not a bond */
    int miimon_ms;                     /* -1: not read */
    const char *xmit_hash, *lacp_rate; /* static; NULL: not read */
    bool up, carrier;
    char active[16]; /* the active slave; "" none */
    char bridge[16]; /* the bond's OVS bridge; "" none */
    struct lagstate lag;
    struct report_bond_member members[SPEC_BOND_N_PFS];
};

struct report_problem {
    enum report_severity severity;
    char *object;
    char *message;
    char *hint; /* may be NULL */
};

struct report {
    bool observed; /* false: report_build_unobserved() */
    bool plan_converged;
    bool ovs_connected;
    bool ovs_hw_offload;
    char *ovs_tc_policy;
    char *ovs_version; /* NULL: not reported */
    bool has_offload;
    const char *offload_verdict; /* static */
    bool restart_needed;
    struct report_pf *pfs;
    size_t n_pfs;
    struct report_bond *bonds;
    size_t n_bonds;
    struct report_problem *problems;
    size_t n_problems;
    bool failed; /* ENOMEM while adding problems during the build */
};

static bool
mac_is_zero(const uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        if (mac[i]) {
            return false;
        }
    }
    return true;
}

static struct report_tc
copy_tc(const struct obs_tc *tc)
{
    struct report_tc out = {
        .known = tc->known,
        .rules = tc->rules,
        .in_hw = tc->in_hw,
        .not_in_hw = tc->not_in_hw,
    };
    return out;
}

/* The bridge that has a port named 'port', "" when none. */
static void
port_bridge(const struct obs_host *host, const char *port, char *out,
            size_t size)
{
    const struct vsdb_bridge *br = NULL;

    out[0] = '\0';
    if (port[0] && host->ovs.connected && host->ovs.state) {
        br = vsdb_state_port_bridge(host->ovs.state, port, NULL);
    }
    if (br) {
        oa_copy_str(out, size, br->name);
    }
}

static int __attribute__((format(printf, 5, 0)))
add_problem_v(struct report *report, enum report_severity severity,
              const char *object, const char *hint, const char *fmt,
              va_list args)
{
    struct report_problem *p;
    char *message;

    if (vasprintf(&message, fmt, args) < 0) {
        return -ENOMEM;
    }
    p = realloc(report->problems,
                (report->n_problems + 1) * sizeof *report->problems);
    if (!p) {
        free(message);
        return -ENOMEM;
    }
    report->problems = p;
    p = &report->problems[report->n_problems];
    p->severity = severity;
    p->message = message;
    p->object = strdup(object ? object : "");
    p->hint = hint ? strdup(hint) : NULL;
    if (!p->object || (hint && !p->hint)) {
        free(p->object);
        free(p->hint);
        free(message);
        return -ENOMEM;
    }
    report->n_problems++;
    return 0;
}

int
report_add_problem(struct report *report, enum report_severity severity,
                   const char *object, const char *hint, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    int r = add_problem_v(report, severity, object, hint, fmt, args);
    va_end(args);
    return r;
}

/* report_add_problem() during the build: remembers a failure. */
static void __attribute__((format(printf, 5, 6)))
problem(struct report *report, enum report_severity severity,
        const char *object, const char *hint, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    if (add_problem_v(report, severity, object, hint, fmt, args) < 0) {
        report->failed = true;
    }
    va_end(args);
}

/* Rules on 'netdev' that are not in hardware, and the likeliest why. */
static void
check_offload(struct report *report, const char *netdev,
              const struct obs_tc *tc, enum obs_tristate hw_tc_offload,
              const char *ovs_tc_policy)
{
    char hint[320];

    if (!tc->known || !tc->not_in_hw) {
        return;
    }
    if (hw_tc_offload == OBS_NO) {
        snprintf(hint, sizeof hint, "hw-tc-offload is off on %s", netdev);
    } else if (tc->skip_hw ||
               (ovs_tc_policy && !strcmp(ovs_tc_policy, "skip_hw"))) {
        snprintf(hint, sizeof hint,
                 "tc-policy is skip_hw: OVS keeps these rules out of "
                 "hardware");
    } else {
        snprintf(hint, sizeof hint,
                 "the driver refused to offload them (check the kernel log "
                 "and ovs-vswitchd.log), or they predate hw-tc-offload "
                 "being on: the kernel does not offload existing rules "
                 "again; ovs-appctl revalidator/purge makes OVS re-add "
                 "them");
    }
    problem(report, REPORT_ERROR, netdev, hint,
            "%zu of %zu tc flower rules not in hardware", tc->not_in_hw,
            tc->rules);
}

/* An uplink or representor that is down carries no packet, whatever OVS
 * and tc say: nothing but the agent sets it up (not ovs-vswitchd). */
static void
check_up(struct report *report, const char *netdev, enum obs_tristate up)
{
    if (up == OBS_NO) {
        problem(report, REPORT_ERROR, netdev,
                "run agentctl apply or agentctl reconcile (it sets the link "
                "up)",
                "link is down: no packet crosses it");
    }
}

/* How ovs-vswitchd took the interface of a port we see in a bridge. */
static void
check_iface(struct report *report, const struct obs_host *host,
            const char *netdev)
{
    const char *error = NULL;
    enum vsdb_iface_health health =
        vsdb_state_iface_health(host->ovs.state, netdev, &error);

    if (health == VSDB_IFACE_ERROR) {
        problem(report, REPORT_ERROR, netdev,
                "see ovs-vswitchd.log for the interface", "ovs-vswitchd: %s",
                error ? error : "error");
    } else if (health == VSDB_IFACE_PENDING) {
        problem(report, REPORT_WARNING, netdev,
                "wait, or check that ovs-vswitchd is running",
                "not yet applied by ovs-vswitchd");
    }
}

/* How the MAC of VF 'ovf' is set, from what is observed: through its
 * devlink port function when that reports a hw_addr (mlx5 in
 * switchdev), else through the PF (rtnetlink IFLA_VF_MAC, the VF ndo).
 * NULL when the spec sets no MAC for it. */
static const char *
vf_mac_via(const struct spec_pf *spf, const struct obs_vf *ovf)
{
    for (size_t i = 0; spf && i < spf->n_vfs; i++) {
        if (spf->vfs[i].index == ovf->index && spf->vfs[i].has_mac) {
            return plan_mac_via_name(ovf->has_fn_hw_addr ? PLAN_MAC_VIA_PORT_FN
                                                         : PLAN_MAC_VIA_PF);
        }
    }
    return NULL;
}

/* Where VF 'ovf''s VLAN is applied, by its PF's observed eswitch mode,
 * and in '*vlan' the VLAN found there (-1: none): in switchdev its
 * representor port's OVS tag, in legacy its VF ndo VLAN (IFLA_VF_VLAN,
 * 0 is none). */
static enum plan_vlan_via
vf_vlan(const struct obs_pf *opf, const struct obs_vf *ovf,
        const struct obs_host *host, int *vlan)
{
    const struct vsdb_port *port = NULL;

    *vlan = -1;
    if (!opf->has_eswitch) {
        return PLAN_VLAN_VIA_UNKNOWN;
    }
    if (opf->eswitch_mode != DEVLINK_ESWITCH_MODE_SWITCHDEV) {
        if (ovf->has_info && ovf->vlan) {
            *vlan = (int)ovf->vlan;
        }
        return PLAN_VLAN_VIA_PF;
    }
    if (ovf->has_rep && ovf->rep[0] && host->ovs.connected &&
        host->ovs.state) {
        vsdb_state_port_bridge(host->ovs.state, ovf->rep, &port);
    }
    if (port && port->has_tag) {
        *vlan = (int)port->tag;
    }
    return PLAN_VLAN_VIA_OVS_TAG;
}

static int
copy_pf(struct report_pf *out, const struct spec_pf *spf,
        const struct obs_pf *opf, const struct obs_host *host)
{
    oa_copy_str(out->id, sizeof out->id, spf ? spf->id : opf->netdev);
    if (spf && spf->key == SPEC_PF_BY_NETDEV) {
        oa_copy_str(out->spec_netdev, sizeof out->spec_netdev, spf->id);
    }
    out->pinned = opf->pinned;
    out->found = opf->found;
    oa_copy_str(out->error, sizeof out->error, opf->error);
    if (!opf->found) {
        return 0;
    }
    oa_copy_str(out->netdev, sizeof out->netdev, opf->netdev);
    if (opf->has_devlink) {
        oa_copy_str(out->devlink, sizeof out->devlink, opf->devlink);
    }
    out->eswitch =
        opf->has_eswitch ? devlink_eswitch_mode_name(opf->eswitch_mode) : NULL;
    if (opf->has_steering) {
        oa_copy_str(out->steering, sizeof out->steering, opf->steering);
    }
    out->order = obs_order_name(opf->order);
    out->order_source = obs_order_source_name(opf->order_source);
    oa_copy_str(out->order_refusal, sizeof out->order_refusal,
                opf->order_refusal);
    out->num_vfs = opf->num_vfs;
    port_bridge(host, opf->netdev, out->uplink_bridge,
                sizeof out->uplink_bridge);
    out->uplink_tc = copy_tc(&opf->uplink_tc);
    out->uplink_up = opf->uplink_up;
    if (opf->n_vfs) {
        out->vfs = calloc(opf->n_vfs, sizeof *out->vfs);
        if (!out->vfs) {
            return -ENOMEM;
        }
    }
    out->n_vfs = opf->n_vfs;
    for (size_t i = 0; i < opf->n_vfs; i++) {
        const struct obs_vf *ovf = &opf->vfs[i];
        struct report_vf *vf = &out->vfs[i];

        vf->index = ovf->index;
        if (ovf->has_info && !mac_is_zero(ovf->mac)) {
            spec_mac_to_string(ovf->mac, vf->mac);
        }
        vf->mac_via = vf_mac_via(spf, ovf);
        vf->vlan_via = plan_vlan_via_name(vf_vlan(opf, ovf, host, &vf->vlan));
        oa_copy_str(vf->driver, sizeof vf->driver, ovf->driver);
        if (ovf->in_use) {
            oa_copy_str(vf->in_use, sizeof vf->in_use, ovf->holder);
        }
        report_vdpa_fill(&vf->vdpa, spf, ovf->index, host);
        if (ovf->has_rep) {
            oa_copy_str(vf->rep, sizeof vf->rep, ovf->rep);
            port_bridge(host, ovf->rep, vf->bridge, sizeof vf->bridge);
            vf->rep_up = ovf->rep_up;
            vf->tc = copy_tc(&ovf->rep_tc);
        }
    }
    return 0;
}

/* A bound vDPA device that negotiated legacy virtio. */
static void
vdpa_problems(struct report *report, const struct report_pf *pf)
{
    for (size_t j = 0; j < pf->n_vfs; j++) {
        const struct report_vdpa *v = &pf->vfs[j].vdpa;
        const char *mode = report_vdpa_mode(v);
        if (v->driver[0] && mode && !strcmp(mode, "legacy")) {
            problem(report, REPORT_WARNING, v->name,
                    "start the guest with a modern virtio-net device "
                    "(VIRTIO_F_VERSION_1; QEMU: disable-legacy=on)",
                    "vDPA device negotiated legacy virtio: the data path "
                    "falls back to a software relay");
        }
    }
}

static void
plan_problems(struct report *report, const struct plan *plan)
{
    for (size_t i = 0; i < plan->n_blockers; i++) {
        problem(report, REPORT_ERROR, plan->blockers[i].object, NULL, "%s",
                plan->blockers[i].message);
    }
    const struct plan_step *first;
    size_t n = plan_n_unapplied(plan, &first);
    if (n) {
        problem(report, REPORT_ERROR, "plan",
                "run agentctl apply or agentctl reconcile",
                "%zu %s not applied, first: %s %s", n,
                n == 1 ? "step" : "steps", plan_action_name(first->action),
                first->object);
    }
    if (plan->has_offload &&
        plan->offload.verdict == VSDB_OFFLOAD_RESTART_NEEDED) {
        problem(report, REPORT_ERROR, "ovs-vswitchd", "restart ovs-vswitchd",
                "hw-offload settings need a restart: %s",
                plan->offload.reason ? plan->offload.reason
                                     : "ovs-vswitchd latched other settings");
    }
}

/* The spec's bonds as observed, and a member without carrier as a
 * problem: the bond runs on one link (reported, not repaired: a cable,
 * the peer). So is a LAG the driver shows inactive under a formed bond
 * (the planner's blocker says what waits for it). */
static int
copy_bonds(struct report *report, const struct spec *spec,
           const struct obs_host *host)
{
    if (!spec || !host || !host->n_bonds) {
        return 0;
    }
    report->bonds = calloc(host->n_bonds, sizeof *report->bonds);
    if (!report->bonds) {
        return -ENOMEM;
    }
    report->n_bonds = host->n_bonds;
    for (size_t i = 0; i < host->n_bonds && i < spec->n_bonds; i++) {
        const struct obs_bond *ob = &host->bonds[i];
        struct report_bond *rb = &report->bonds[i];
        oa_copy_str(rb->name, sizeof rb->name, spec->bonds[i].name);
        rb->exists = ob->exists;
        rb->owned = ob->owned;
        rb->mode = ob->mode >= 0 ? bond_mode_name((uint8_t)ob->mode) : NULL;
        rb->miimon_ms = ob->miimon_ms;
        rb->xmit_hash = bond_xmit_hash_name(ob->xmit_hash);
        rb->lacp_rate = bond_lacp_rate_name(ob->lacp_rate);
        rb->up = ob->up;
        rb->carrier = ob->carrier;
        oa_copy_str(rb->active, sizeof rb->active, ob->active_slave);
        rb->lag = ob->lag;
        if (ob->exists) {
            port_bridge(host, rb->name, rb->bridge, sizeof rb->bridge);
        }
        for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
            const struct obs_bond_member *m = &ob->members[j];
            struct report_bond_member *rm = &rb->members[j];
            oa_copy_str(rm->netdev, sizeof rm->netdev, m->netdev);
            rm->enslaved = ob->exists && m->master == ob->ifindex;
            rm->up = m->up;
            rm->carrier = m->carrier;
            if (rm->enslaved && !m->carrier) {
                problem(report, REPORT_WARNING, m->netdev,
                        "check the cable and the switch port",
                        "member of bond %s has no carrier: the bond runs "
                        "on its other link",
                        rb->name);
            }
        }
    }
    return 0;
}

struct report *
report_build(const struct spec *spec, const struct obs_host *host,
             const struct plan *plan)
{
    struct report *report = calloc(1, sizeof *report);
    const char *db_tc_policy = NULL;

    if (!report) {
        return NULL;
    }
    report->observed = true;
    report->plan_converged = !plan || plan_is_converged(plan);
    report->ovs_connected = host && host->ovs.connected && host->ovs.state &&
                            host->ovs.state->ready;
    if (report->ovs_connected) {
        const struct vsdb_state *st = host->ovs.state;
        report->ovs_hw_offload = vsdb_offload_value_true(vsdb_kv_get(
            st->other_config, st->n_other_config, VSDB_KEY_HW_OFFLOAD));
        db_tc_policy = vsdb_kv_get(st->other_config, st->n_other_config,
                                   VSDB_KEY_TC_POLICY);
        if (st->ovs_version) {
            report->ovs_version = strdup(st->ovs_version);
            if (!report->ovs_version) {
                goto nomem;
            }
        }
    }
    report->ovs_tc_policy =
        strdup(db_tc_policy ? db_tc_policy : VSDB_TC_POLICY_DEFAULT);
    if (!report->ovs_tc_policy) {
        goto nomem;
    }
    if (plan && plan->has_offload) {
        report->has_offload = true;
        report->offload_verdict =
            vsdb_offload_verdict_name(plan->offload.verdict);
        report->restart_needed =
            plan->offload.verdict == VSDB_OFFLOAD_RESTART_NEEDED;
    }

    if (host && host->n_pfs) {
        report->pfs = calloc(host->n_pfs, sizeof *report->pfs);
        if (!report->pfs) {
            goto nomem;
        }
        report->n_pfs = host->n_pfs;
        for (size_t i = 0; i < host->n_pfs; i++) {
            const struct spec_pf *spf =
                spec && i < spec->n_pfs ? &spec->pfs[i] : NULL;
            if (copy_pf(&report->pfs[i], spf, &host->pfs[i], host) < 0) {
                goto nomem;
            }
        }
    }

    /* Problems: the host as a whole first, then per object. With a
     * plan, its blocker says that OVSDB is unreachable. */
    if (!report->ovs_connected && !plan) {
        problem(report, REPORT_ERROR, "ovsdb", "is ovsdb-server running?",
                "OVSDB not reachable at %s",
                spec && spec->ovs.db ? spec->ovs.db : VSDB_DEFAULT_REMOTE);
    }
    if (plan) {
        plan_problems(report, plan);
    }
    for (size_t i = 0; host && i < host->n_pfs; i++) {
        const struct obs_pf *opf = &host->pfs[i];
        const char *policy = db_tc_policy;

        if (!opf->found) {
            continue; /* a plan blocker says so */
        }
        if (plan && plan->has_offload && plan->offload.latched_tc_policy) {
            /* What the running ovs-vswitchd uses, if it differs. */
            policy = plan->offload.latched_tc_policy;
        }
        check_up(report, opf->netdev, opf->uplink_up);
        if (report->pfs[i].uplink_bridge[0]) {
            check_iface(report, host, opf->netdev);
        }
        check_offload(report, opf->netdev, &opf->uplink_tc,
                      opf->uplink_hw_tc_offload, policy);
        for (size_t j = 0; j < opf->n_vfs; j++) {
            const struct obs_vf *ovf = &opf->vfs[j];
            if (!ovf->has_rep) {
                continue;
            }
            check_up(report, ovf->rep, ovf->rep_up);
            if (report->pfs[i].vfs[j].bridge[0]) {
                check_iface(report, host, ovf->rep);
            }
            check_offload(report, ovf->rep, &ovf->rep_tc,
                          ovf->rep_hw_tc_offload, policy);
        }
        vdpa_problems(report, &report->pfs[i]);
    }
    if (copy_bonds(report, spec, host) < 0) {
        goto nomem;
    }
    if (report->failed) {
        goto nomem;
    }
    return report;

nomem:
    report_free(report);
    return NULL;
}

struct report *
report_build_unobserved(void)
{
    struct report *report = calloc(1, sizeof *report);

    if (report) {
        report->ovs_tc_policy = strdup(VSDB_TC_POLICY_DEFAULT);
        if (!report->ovs_tc_policy) {
            free(report);
            return NULL;
        }
    }
    return report;
}

void
report_free(struct report *report)
{
    if (!report) {
        return;
    }
    for (size_t i = 0; i < report->n_pfs; i++) {
        free(report->pfs[i].vfs);
    }
    free(report->pfs);
    free(report->bonds);
    for (size_t i = 0; i < report->n_problems; i++) {
        free(report->problems[i].object);
        free(report->problems[i].message);
        free(report->problems[i].hint);
    }
    free(report->problems);
    free(report->ovs_tc_policy);
    free(report->ovs_version);
    free(report);
}

bool
report_converged(const struct report *report)
{
    return report->plan_converged && report->ovs_connected;
}

size_t
report_count_problems(const struct report *report,
                      enum report_severity severity)
{
    size_t n = 0;
    for (size_t i = 0; i < report->n_problems; i++) {
        n += report->problems[i].severity == severity;
    }
    return n;
}

int
report_exit_code(const struct report *report)
{
    return report_converged(report) &&
                   !report_count_problems(report, REPORT_ERROR)
               ? 0
               : 1;
}

static const char *
severity_name(enum report_severity severity)
{
    return severity == REPORT_ERROR ? "error" : "warning";
}

/* Totals over every uplink and representor whose rules were counted. */
static void
count_rules(const struct report *report, size_t *rules, size_t *in_hw,
            size_t *vfs)
{
    *rules = *in_hw = *vfs = 0;
    for (size_t i = 0; i < report->n_pfs; i++) {
        const struct report_pf *pf = &report->pfs[i];
        *vfs += pf->n_vfs;
        if (pf->uplink_tc.known) {
            *rules += pf->uplink_tc.rules;
            *in_hw += pf->uplink_tc.in_hw;
        }
        for (size_t j = 0; j < pf->n_vfs; j++) {
            if (pf->vfs[j].tc.known) {
                *rules += pf->vfs[j].tc.rules;
                *in_hw += pf->vfs[j].tc.in_hw;
            }
        }
    }
}

char *
report_summary(const struct report *report)
{
    size_t rules, in_hw, vfs;
    size_t errors = report_count_problems(report, REPORT_ERROR);
    char *out = NULL;
    int r;

    count_rules(report, &rules, &in_hw, &vfs);
    if (!report_exit_code(report)) {
        r = asprintf(&out,
                     "converged: %zu %s, %zu %s, %zu/%zu rules in "
                     "hardware",
                     report->n_pfs, report->n_pfs == 1 ? "PF" : "PFs", vfs,
                     vfs == 1 ? "VF" : "VFs", in_hw, rules);
    } else if (!report->n_problems) {
        r = asprintf(&out, "not converged");
    } else {
        /* The first error, or the first problem when all are warnings. */
        const struct report_problem *first = &report->problems[0];
        for (size_t i = 0; errors && i < report->n_problems; i++) {
            if (report->problems[i].severity == REPORT_ERROR) {
                first = &report->problems[i];
                break;
            }
        }
        r = asprintf(&out, "%s: %zu %s (first: %s: %s)",
                     report_converged(report) ? "converged with problems"
                                              : "not converged",
                     report->n_problems,
                     report->n_problems == 1 ? "problem" : "problems",
                     first->object, first->message);
    }
    return r < 0 ? NULL : out;
}

/* ---- JSON ------------------------------------------------------------- */

static void
json_tc(struct jw *jw, const struct report_tc *tc)
{
    if (!tc->known) {
        jw_null(jw);
        return;
    }
    jw_object_begin(jw);
    jw_key(jw, "rules");
    jw_int(jw, (int64_t)tc->rules);
    jw_key(jw, "in_hw");
    jw_int(jw, (int64_t)tc->in_hw);
    jw_key(jw, "not_in_hw");
    jw_int(jw, (int64_t)tc->not_in_hw);
    jw_object_end(jw);
}

/* true/false, or null when not known. */
static void
json_tristate(struct jw *jw, enum obs_tristate value)
{
    if (value == OBS_UNKNOWN) {
        jw_null(jw);
    } else {
        jw_bool(jw, value == OBS_YES);
    }
}

/* 'value', or null when it is empty. */
static void
json_string_or_null(struct jw *jw, const char *value)
{
    jw_string(jw, value && value[0] ? value : NULL);
}

/* The PF's eswitch order (plan.h), whether it was learned, and the
 * kernel's refusal of the other one when it fell back. */
static void
json_order(struct jw *jw, const struct report_pf *pf)
{
    jw_key(jw, "eswitch_order");
    jw_string(jw, pf->order);
    jw_key(jw, "eswitch_order_source");
    jw_string(jw, pf->order_source);
    jw_key(jw, "eswitch_order_refused");
    json_string_or_null(jw, pf->order_refusal);
}

/* The PF's netdev now, and the spec's name for it: they differ once the
 * driver registered the uplink anew and udev renamed it (the PF followed
 * by its pin). */
static void
json_pf_names(struct jw *jw, const struct report_pf *pf)
{
    jw_key(jw, "netdev");
    json_string_or_null(jw, pf->netdev);
    jw_key(jw, "spec_netdev");
    json_string_or_null(jw, pf->spec_netdev);
    jw_key(jw, "pinned");
    jw_bool(jw, pf->pinned);
}

static void
json_pf(struct jw *jw, const struct report_pf *pf)
{
    jw_object_begin(jw);
    jw_key(jw, "id");
    jw_string(jw, pf->id);
    jw_key(jw, "found");
    jw_bool(jw, pf->found);
    if (!pf->found) {
        jw_key(jw, "error");
        jw_string(jw, pf->error);
    }
    json_pf_names(jw, pf);
    jw_key(jw, "devlink");
    json_string_or_null(jw, pf->devlink);
    jw_key(jw, "eswitch");
    jw_string(jw, pf->eswitch);
    if (pf->steering[0]) {
        /* Only where the spec asks for one: obs reads it then. */
        jw_key(jw, "steering_mode");
        jw_string(jw, pf->steering);
    }
    if (pf->found) {
        json_order(jw, pf);
    }
    jw_key(jw, "num_vfs");
    jw_int(jw, pf->num_vfs);
    jw_key(jw, "uplink");
    if (pf->found) {
        jw_object_begin(jw);
        jw_key(jw, "netdev");
        jw_string(jw, pf->netdev);
        jw_key(jw, "bridge");
        json_string_or_null(jw, pf->uplink_bridge);
        jw_key(jw, "up");
        json_tristate(jw, pf->uplink_up);
        jw_key(jw, "tc");
        json_tc(jw, &pf->uplink_tc);
        jw_object_end(jw);
    } else {
        jw_null(jw);
    }
    jw_key(jw, "vfs");
    jw_array_begin(jw);
    for (size_t i = 0; i < pf->n_vfs; i++) {
        const struct report_vf *vf = &pf->vfs[i];
        jw_object_begin(jw);
        jw_key(jw, "index");
        jw_int(jw, vf->index);
        jw_key(jw, "mac");
        json_string_or_null(jw, vf->mac);
        jw_key(jw, "mac_via");
        jw_string(jw, vf->mac_via);
        jw_key(jw, "vlan");
        if (vf->vlan >= 0) {
            jw_int(jw, vf->vlan);
        } else {
            jw_null(jw);
        }
        jw_key(jw, "vlan_via");
        jw_string(jw, vf->vlan_via);
        jw_key(jw, "driver");
        json_string_or_null(jw, vf->driver);
        jw_key(jw, "representor");
        json_string_or_null(jw, vf->rep);
        jw_key(jw, "representor_up");
        json_tristate(jw, vf->rep_up);
        jw_key(jw, "bridge");
        json_string_or_null(jw, vf->bridge);
        jw_key(jw, "tc");
        json_tc(jw, &vf->tc);
        jw_key(jw, "in_use");
        json_string_or_null(jw, vf->in_use);
        jw_key(jw, "vdpa");
        report_vdpa_json(jw, &vf->vdpa);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_object_end(jw);
}

static void
json_counter(struct jw *jw, const struct stats_view *v,
             enum stats_counter counter)
{
    jw_key(jw, stats_counter_name(counter));
    jw_int(jw, (int64_t)v->counters[counter]);
}

/* "stats": the counters grouped as stats_counter_group() says, the steps
 * by action, the reconcile timers (null before the first). */
static void
json_stats(struct jw *jw, const struct stats_view *v)
{
    const char *open_group = NULL;

    jw_object_begin(jw);
    for (int c = 0; c < STATS_N_COUNTERS; c++) {
        const char *group = stats_counter_group(c);

        if (open_group && (!group || strcmp(group, open_group))) {
            jw_object_end(jw);
            open_group = NULL;
        }
        if (group && !open_group) {
            jw_key(jw, group);
            jw_object_begin(jw);
            open_group = group;
        }
        json_counter(jw, v, c);
    }
    if (open_group) {
        jw_object_end(jw);
    }
    jw_key(jw, "steps");
    jw_object_begin(jw);
    for (size_t i = 0; i < v->n_steps; i++) {
        jw_key(jw, v->steps[i].action);
        jw_object_begin(jw);
        for (int k = 0; k < STATS_STEP_N_RESULTS; k++) {
            jw_key(jw, stats_step_result_name(k));
            jw_int(jw, (int64_t)v->steps[i].n[k]);
        }
        jw_key(jw, "us");
        jw_int(jw, (int64_t)v->steps[i].us);
        jw_object_end(jw);
    }
    jw_object_end(jw);
    jw_key(jw, "reconcile_ms");
    jw_object_begin(jw);
    jw_key(jw, "last");
    if (v->last_reconcile_ms < 0) {
        jw_null(jw);
    } else {
        jw_int(jw, v->last_reconcile_ms);
    }
    jw_key(jw, "longest");
    if (v->longest_reconcile_ms < 0) {
        jw_null(jw);
    } else {
        jw_int(jw, v->longest_reconcile_ms);
    }
    jw_object_end(jw);
    jw_object_end(jw);
}

/* "bonds" (only when the spec has some): docs/cli.md. */
static void
json_bonds(struct jw *jw, const struct report *report)
{
    jw_key(jw, "bonds");
    jw_array_begin(jw);
    for (size_t i = 0; i < report->n_bonds; i++) {
        const struct report_bond *rb = &report->bonds[i];
        jw_object_begin(jw);
        jw_key(jw, "name");
        jw_string(jw, rb->name);
        jw_key(jw, "exists");
        jw_bool(jw, rb->exists);
        jw_key(jw, "owned");
        jw_bool(jw, rb->owned);
        jw_key(jw, "mode");
        jw_string(jw, rb->mode);
        jw_key(jw, "miimon_ms");
        if (rb->miimon_ms >= 0) {
            jw_int(jw, rb->miimon_ms);
        } else {
            jw_null(jw);
        }
        jw_key(jw, "xmit_hash_policy");
        jw_string(jw, rb->xmit_hash);
        jw_key(jw, "lacp_rate");
        jw_string(jw, rb->lacp_rate);
        jw_key(jw, "up");
        jw_bool(jw, rb->up);
        jw_key(jw, "carrier");
        jw_bool(jw, rb->carrier);
        jw_key(jw, "active_slave");
        json_string_or_null(jw, rb->active);
        jw_key(jw, "lag_state");
        jw_string(jw, rb->lag.exposed ? rb->lag.state : "not exposed");
        jw_key(jw, "lag_type");
        json_string_or_null(jw, rb->lag.type);
        jw_key(jw, "lag_port_sel_mode");
        json_string_or_null(jw, rb->lag.port_sel);
        jw_key(jw, "bridge");
        json_string_or_null(jw, rb->bridge);
        jw_key(jw, "members");
        jw_array_begin(jw);
        for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
            const struct report_bond_member *m = &rb->members[j];
            jw_object_begin(jw);
            jw_key(jw, "netdev");
            json_string_or_null(jw, m->netdev);
            jw_key(jw, "enslaved");
            jw_bool(jw, m->enslaved);
            jw_key(jw, "up");
            jw_bool(jw, m->up);
            jw_key(jw, "carrier");
            jw_bool(jw, m->carrier);
            jw_object_end(jw);
        }
        jw_array_end(jw);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

char *
report_to_json(const struct report *report, bool pretty)
{
    return report_to_json_live(report, pretty, NULL);
}

char *
report_to_json_live(const struct report *report, bool pretty,
                    const struct report_live *live)
{
    struct jw *jw = jw_create(pretty);
    if (!jw) {
        return NULL;
    }
    jw_object_begin(jw);
    jw_key(jw, "converged");
    jw_bool(jw, report_converged(report));
    if (live && live->observed_age_ms >= 0) {
        jw_key(jw, "observed_age_ms");
        jw_int(jw, live->observed_age_ms);
        jw_key(jw, "reconciling");
        jw_bool(jw, live->reconciling);
    }

    jw_key(jw, "ovs");
    jw_object_begin(jw);
    jw_key(jw, "connected");
    jw_bool(jw, report->ovs_connected);
    jw_key(jw, "hw_offload");
    jw_bool(jw, report->ovs_hw_offload);
    jw_key(jw, "tc_policy");
    jw_string(jw, report->ovs_tc_policy);
    jw_key(jw, "version");
    jw_string(jw, report->ovs_version);
    if (report->has_offload) {
        jw_key(jw, "offload");
        jw_string(jw, report->offload_verdict);
        jw_key(jw, "restart_needed");
        jw_bool(jw, report->restart_needed);
    }
    jw_object_end(jw);

    jw_key(jw, "pfs");
    jw_array_begin(jw);
    for (size_t i = 0; i < report->n_pfs; i++) {
        json_pf(jw, &report->pfs[i]);
    }
    jw_array_end(jw);

    if (report->n_bonds) {
        json_bonds(jw, report);
    }

    jw_key(jw, "problems");
    jw_array_begin(jw);
    for (size_t i = 0; i < report->n_problems; i++) {
        const struct report_problem *p = &report->problems[i];
        jw_object_begin(jw);
        jw_key(jw, "severity");
        jw_string(jw, severity_name(p->severity));
        jw_key(jw, "object");
        jw_string(jw, p->object);
        jw_key(jw, "message");
        jw_string(jw, p->message);
        jw_key(jw, "hint");
        jw_string(jw, p->hint);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    if (live && live->stats) {
        jw_key(jw, "stats");
        json_stats(jw, live->stats);
    }
    jw_object_end(jw);
    return jw_finish(jw);
}

/* ---- Text ------------------------------------------------------------- */

static const char *
or_dash(const char *s)
{
    return s && s[0] ? s : "-";
}

static void
format_rules(const struct report_tc *tc, char *buf, size_t size)
{
    if (tc->known) {
        snprintf(buf, size, "%zu/%zu", tc->in_hw, tc->rules);
    } else {
        snprintf(buf, size, "-");
    }
}

static int
max_width(int current, const char *s)
{
    int n = (int)strlen(s);
    return n > current ? n : current;
}

/* The VLAN cell: "100 ovs-tag", "-" when none. */
static const char *
vlan_cell(const struct report_vf *vf, char *buf, size_t size)
{
    if (vf->vlan < 0) {
        return "-";
    }
    snprintf(buf, size, "%d %s", vf->vlan, or_dash(vf->vlan_via));
    return buf;
}

/* The REPRESENTOR cell: its netdev, "eth1 DOWN" when it is down. */
static const char *
rep_cell(const struct report_vf *vf, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", or_dash(vf->rep),
             vf->rep_up == OBS_NO ? " DOWN" : "");
    return buf;
}

/* The order, when it is not the default: people wonder why VFs came
 * first, or went to 0. */
static void
text_order(struct oa_str *t, const struct report_pf *pf)
{
    if (pf->order && pf->order_source && strcmp(pf->order_source, "default")) {
        oa_str_printf(t, "eswitch order %s (%s)%s%s\n", pf->order,
                      pf->order_source,
                      pf->order_refusal[0] ? ": the other was refused: " : "",
                      pf->order_refusal);
    }
}

static void
text_pf(struct oa_str *t, const struct report_pf *pf)
{
    char rules[48];

    if (!pf->found) {
        oa_str_printf(t, "PF %s  not found: %s\n", pf->id, pf->error);
        return;
    }
    format_rules(&pf->uplink_tc, rules, sizeof rules);
    bool renamed = pf->spec_netdev[0] && strcmp(pf->spec_netdev, pf->netdev);
    oa_str_printf(t,
                  "PF %s%s%s%s (%s)  eswitch %s  VFs %u  uplink bridge %s  "
                  "rules %s in_hw%s\n",
                  pf->netdev[0] ? pf->netdev : pf->id, /* no netdev */
                  renamed ? " (spec: " : "", renamed ? pf->spec_netdev : "",
                  renamed ? ")" : "", or_dash(pf->devlink),
                  or_dash(pf->eswitch), pf->num_vfs,
                  or_dash(pf->uplink_bridge), rules,
                  pf->uplink_up == OBS_NO ? "  uplink DOWN" : "");
    text_order(t, pf);
    if (!pf->n_vfs) {
        return;
    }

    /* Columns as wide as their widest cell. */
    int w_idx = (int)strlen("VF"), w_mac = (int)strlen("MAC");
    int w_via = (int)strlen("MAC VIA"), w_vlan = (int)strlen("VLAN");
    int w_drv = (int)strlen("DRIVER"), w_rep = (int)strlen("REPRESENTOR");
    int w_br = (int)strlen("BRIDGE");
    for (size_t i = 0; i < pf->n_vfs; i++) {
        const struct report_vf *vf = &pf->vfs[i];
        char idx[16], cell[32];
        snprintf(idx, sizeof idx, "%u", vf->index);
        w_idx = max_width(w_idx, idx);
        w_mac = max_width(w_mac, or_dash(vf->mac));
        w_via = max_width(w_via, or_dash(vf->mac_via));
        w_vlan = max_width(w_vlan, vlan_cell(vf, cell, sizeof cell));
        w_drv = max_width(w_drv, or_dash(vf->driver));
        w_rep = max_width(w_rep, rep_cell(vf, cell, sizeof cell));
        w_br = max_width(w_br, or_dash(vf->bridge));
    }
    oa_str_printf(t,
                  "%-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  RULES "
                  "in_hw/total\n",
                  w_idx, "VF", w_mac, "MAC", w_via, "MAC VIA", w_vlan, "VLAN",
                  w_drv, "DRIVER", w_rep, "REPRESENTOR", w_br, "BRIDGE");
    for (size_t i = 0; i < pf->n_vfs; i++) {
        const struct report_vf *vf = &pf->vfs[i];
        char cell[32], vlan[32];
        format_rules(&vf->tc, rules, sizeof rules);
        oa_str_printf(
            t, "%-*u  %-*s  %-*s  %-*s  %-*s  %-*s  %-*s  %s\n", w_idx,
            vf->index, w_mac, or_dash(vf->mac), w_via, or_dash(vf->mac_via),
            w_vlan, vlan_cell(vf, vlan, sizeof vlan), w_drv,
            or_dash(vf->driver), w_rep, rep_cell(vf, cell, sizeof cell), w_br,
            or_dash(vf->bridge), rules);
    }
    for (size_t i = 0; i < pf->n_vfs; i++) {
        if (pf->vfs[i].vdpa.wanted) {
            report_vdpa_text(t, pf->vfs[i].index, &pf->vfs[i].vdpa);
        }
    }
}

/* "bond NAME MODE  members eth0 (in, carrier) eth1 (in, no carrier)
 * active eth0  lag not exposed  bridge B". */
static void
text_bond(struct oa_str *t, const struct report_bond *rb)
{
    if (!rb->exists) {
        oa_str_printf(t, "bond %s  absent\n\n", rb->name);
        return;
    }
    oa_str_printf(t, "bond %s  %s%s  miimon %d ms", rb->name,
                  or_dash(rb->mode), rb->owned ? "" : " (not the agent's)",
                  rb->miimon_ms);
    if (rb->mode && !strcmp(rb->mode, "balance-xor")) {
        oa_str_printf(t, "  xmit_hash_policy %s", or_dash(rb->xmit_hash));
    } else if (rb->mode && !strcmp(rb->mode, "802.3ad")) {
        oa_str_printf(t, "  xmit_hash_policy %s  lacp_rate %s",
                      or_dash(rb->xmit_hash), or_dash(rb->lacp_rate));
    }
    oa_str_printf(t, "  members");
    for (size_t j = 0; j < SPEC_BOND_N_PFS; j++) {
        const struct report_bond_member *m = &rb->members[j];
        oa_str_printf(t, " %s (%s, %s)", or_dash(m->netdev),
                      m->enslaved ? "in" : "out",
                      m->carrier ? "carrier" : "no carrier");
    }
    oa_str_printf(
        t, "  active %s  lag %s%s%s  bridge %s\n\n", or_dash(rb->active),
        rb->lag.exposed ? rb->lag.state : "not exposed",
        rb->lag.type[0] ? " " : "", rb->lag.type, or_dash(rb->bridge));
}

char *
report_to_text(const struct report *report)
{
    return report_to_text_live(report, NULL);
}

char *
report_to_text_live(const struct report *report,
                    const struct report_live *live)
{
    struct oa_str t = OA_STR_INIT;

    for (size_t i = 0; i < report->n_pfs; i++) {
        text_pf(&t, &report->pfs[i]);
        oa_str_printf(&t, "\n");
    }
    for (size_t i = 0; i < report->n_bonds; i++) {
        text_bond(&t, &report->bonds[i]);
    }
    if (report->ovs_connected) {
        /* ovs_version is written by ovs-ctl, not by ovs-vswitchd: a
         * hand-started OVS has none. */
        oa_str_printf(&t, "OVS connected");
        if (report->ovs_version) {
            oa_str_printf(&t, " (%s)", report->ovs_version);
        }
        oa_str_printf(&t, "  hw-offload %s  tc-policy %s",
                      report->ovs_hw_offload ? "true" : "false",
                      report->ovs_tc_policy);
        if (report->has_offload) {
            oa_str_printf(&t, "  offload %s", report->offload_verdict);
        }
        oa_str_printf(&t, "\n");
    } else if (report->observed) {
        oa_str_printf(&t, "OVS not connected\n");
    }
    if (live && live->observed_age_ms >= 0) {
        oa_str_printf(&t, "observed %lld.%lld s ago%s\n",
                      live->observed_age_ms / 1000,
                      live->observed_age_ms % 1000 / 100,
                      live->reconciling ? ", reconcile in progress" : "");
    }
    if (report->n_problems) {
        oa_str_printf(&t, "\nproblems:\n");
    }
    for (size_t i = 0; i < report->n_problems; i++) {
        const struct report_problem *p = &report->problems[i];
        oa_str_printf(&t, "  %-7s %s: %s\n", severity_name(p->severity),
                      p->object, p->message);
        if (p->hint) {
            oa_str_printf(&t, "          hint: %s\n", p->hint);
        }
    }
    size_t errors = report_count_problems(report, REPORT_ERROR);
    if (!report_converged(report)) {
        oa_str_printf(&t, "\nNOT converged\n");
    } else if (errors) {
        oa_str_printf(&t, "\nconverged, but %zu %s\n", errors,
                      errors == 1 ? "error" : "errors");
    } else {
        oa_str_printf(&t, "\nconverged\n");
    }
    return oa_str_steal(&t); /* NULL: out of memory */
}

/* ---- The plan ----------------------------------------------------------- */

char *
report_plan_to_json(const struct plan *plan, bool pretty)
{
    return report_plan_to_json_stats(plan, pretty, NULL);
}

char *
report_plan_to_json_stats(const struct plan *plan, bool pretty,
                          const struct stats_view *stats)
{
    struct jw *jw = jw_create(pretty);
    if (!jw) {
        return NULL;
    }
    jw_object_begin(jw);
    jw_key(jw, "steps");
    jw_array_begin(jw);
    for (size_t i = 0; plan && i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        jw_object_begin(jw);
        jw_key(jw, "action");
        jw_string(jw, plan_action_name(s->action));
        jw_key(jw, "object");
        jw_string(jw, s->object);
        jw_key(jw, "detail");
        jw_string(jw, s->detail);
        step_json_fields(jw, s);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_key(jw, "blockers");
    jw_array_begin(jw);
    for (size_t i = 0; plan && i < plan->n_blockers; i++) {
        jw_object_begin(jw);
        jw_key(jw, "object");
        jw_string(jw, plan->blockers[i].object);
        jw_key(jw, "message");
        jw_string(jw, plan->blockers[i].message);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    if (stats) {
        jw_key(jw, "stats");
        json_stats(jw, stats);
    }
    jw_object_end(jw);
    return jw_finish(jw);
}

char *
report_plan_to_text(const struct plan *plan)
{
    struct oa_str t = OA_STR_INIT;

    if (!plan || plan_is_converged(plan)) {
        oa_str_printf(&t, "nothing to do: converged\n");
        return oa_str_steal(&t); /* NULL: out of memory */
    }
    for (size_t i = 0; i < plan->n_steps; i++) {
        const struct plan_step *s = &plan->steps[i];
        oa_str_printf(&t, "%zu. %s %s%s%s", i + 1, plan_action_name(s->action),
                      s->object, s->detail[0] ? ": " : "", s->detail);
        if (s->action == PLAN_SET_ESWITCH && s->eswitch.order >= 0) {
            oa_str_printf(&t, " [%s]",
                          obs_order_name((enum obs_order)s->eswitch.order));
        }
        oa_str_printf(&t, "\n");
    }
    if (plan->n_blockers) {
        oa_str_printf(&t, "%sblocked:\n", plan->n_steps ? "\n" : "");
    }
    for (size_t i = 0; i < plan->n_blockers; i++) {
        oa_str_printf(&t, "  %s: %s\n", plan->blockers[i].object,
                      plan->blockers[i].message);
    }
    return oa_str_steal(&t); /* NULL: out of memory */
}
