/* doctor's OVS check, ovs-offload: hw-offload asked in the database but
 * not latched by the running ovs-vswitchd, or no datapath flow
 * offloaded. Live: the database through the IDL (vsdb) and the running
 * ovs-vswitchd through its unixctl socket (dpctl/dump-flows, as
 * ovs-appctl would ask it); recorded: ROOT/ovs/ (docs/doctor.md). */
#include "doctor.h"

#include "oa-netlink/ethfeat.h"
#include "vsdb-offload.h"
#include "vsdb.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define OVS_RUNDIR "/run/openvswitch"
#define MAX_PORTS  64

struct ovs_facts {
    char hw_offload[16]; /* other_config:hw-offload, "" when absent */
    char tc_policy[16];  /* other_config:tc-policy, "" when absent */
    char latched[64];    /* what the running vswitchd latched, "" unknown */
    bool have_flows;
    size_t total, offloaded;       /* datapath flows */
    size_t ct_total, ct_offloaded; /* ... of them with a ct() action */
    char source[700];              /* where the flows came from */
    /* The bridges' system interfaces whose hw-tc-offload the driver lets
     * be turned on but is off (ethtool -k: "hw-tc-offload: off"). */
    char tc_off[MAX_PORTS][32];
    size_t n_tc_off;
};

static void
note_tc_off(struct ovs_facts *f, const char *ifname)
{
    if (f->n_tc_off < MAX_PORTS) {
        snprintf(f->tc_off[f->n_tc_off++], sizeof f->tc_off[0], "%s", ifname);
    }
}

/* Recorded: ovs/ports (one system interface per line) and
 * ethtool/IFNAME/features as `ethtool -k` prints them. */
static void
tc_off_recorded(struct doctor *d, struct ovs_facts *f)
{
    char *ports = doctor_slurp(d, "ovs/ports"), *save = NULL;
    for (char *p = ports ? strtok_r(ports, "\n", &save) : NULL; p;
         p = strtok_r(NULL, "\n", &save)) {
        char rel[128];
        snprintf(rel, sizeof rel, "ethtool/%.32s/features", p);
        char *feat = doctor_slurp(d, rel);
        const char *line = feat ? strstr(feat, "hw-tc-offload: ") : NULL;
        if (line && !strncmp(line + 15, "off", 3) &&
            strncmp(line + 18, " [fixed]", 8)) {
            note_tc_off(f, p);
        }
        free(feat);
    }
    free(ports);
}

/* Live: each system interface of the bridges, through ethtool. */
static void
tc_off_live(const struct vsdb_state *st, struct ovs_facts *f)
{
    struct ethfeat_client *ef = NULL;
    if (ethfeat_open(false, &ef)) {
        return;
    }
    for (size_t b = 0; b < st->n_bridges; b++) {
        const struct vsdb_bridge *br = &st->bridges[b];
        for (size_t p = 0; p < br->n_ports; p++) {
            for (size_t i = 0; i < br->ports[p].n_ifaces; i++) {
                const struct vsdb_iface *it = &br->ports[p].ifaces[i];
                struct ethfeat_state fs;
                if (!it->type[0] &&
                    !ethfeat_get(ef, it->name, ETHFEAT_HW_TC_OFFLOAD, &fs,
                                 NULL) &&
                    fs.changeable && !fs.active) {
                    note_tc_off(f, it->name);
                }
            }
        }
    }
    ethfeat_close(ef);
}

/* One flow per line with its actions; 'ct' counts those sending the
 * packet through conntrack. */
static size_t
count_flows(const char *dump, size_t *ct)
{
    size_t n = 0;
    *ct = 0;
    for (const char *p = dump; p && (p = strstr(p, "actions:")); p++) {
        size_t len = strcspn(p, "\n");
        const char *c = strstr(p, "ct(");
        *ct += c && c < p + len;
        n++;
    }
    return n;
}

static void
kv_line(const char *text, const char *key, char *out, size_t size)
{
    size_t len = strlen(key);
    for (const char *p = text; p && *p;) {
        if (!strncmp(p, key, len) && p[len] == '=') {
            snprintf(out, size, "%.*s", (int)strcspn(p + len + 1, "\n"),
                     p + len + 1);
            return;
        }
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
}

/* ROOT/ovs/: other_config (KEY=VALUE lines), latched (the agent's
 * record of what the running vswitchd latched), dpctl-dump-flows and
 * dpctl-dump-flows-offloaded (ovs-appctl dpctl/dump-flows [type=
 * offloaded]). false when the tree has no ovs/. */
static bool
facts_recorded(struct doctor *d, struct ovs_facts *f)
{
    char *oc = doctor_slurp(d, "ovs/other_config");
    if (!oc) {
        return false;
    }
    kv_line(oc, "hw-offload", f->hw_offload, sizeof f->hw_offload);
    kv_line(oc, "tc-policy", f->tc_policy, sizeof f->tc_policy);
    free(oc);
    doctor_read(d, "ovs/latched", f->latched, sizeof f->latched);
    tc_off_recorded(d, f);
    char *all = doctor_slurp(d, "ovs/dpctl-dump-flows");
    char *off = doctor_slurp(d, "ovs/dpctl-dump-flows-offloaded");
    f->have_flows = all && off;
    f->total = count_flows(all, &f->ct_total);
    f->offloaded = count_flows(off, &f->ct_offloaded);
    snprintf(f->source, sizeof f->source, "ovs/dpctl-dump-flows");
    free(all);
    free(off);
    return true;
}

/* How long ovs-vswitchd gets to list its flows: a stopped or stuck one
 * accepts the connection and never answers. */
#define UNIXCTL_TIMEOUT_MS 5000

static void
flows_live(struct doctor *d, const char *ctl, struct ovs_facts *f)
{
    char type[] = "type=offloaded", *args[] = {type};
    char *all = NULL, *off = NULL, *err1 = NULL, *err2 = NULL;
    int r = vsdb_unixctl_call(ctl, "dpctl/dump-flows", 0, NULL,
                              UNIXCTL_TIMEOUT_MS, &all, &err1);
    if (!r) {
        r = vsdb_unixctl_call(ctl, "dpctl/dump-flows", 1, args,
                              UNIXCTL_TIMEOUT_MS, &off, &err2);
    }
    f->have_flows = !r && !err1 && !err2;
    if (r == -ETIMEDOUT) {
        doctor_skip(d, "ovs-offload",
                    "the datapath flows were not read: %s did not answer "
                    "dpctl/dump-flows within %d s (stopped or stuck?)",
                    ctl, UNIXCTL_TIMEOUT_MS / 1000);
    }
    f->total = count_flows(all, &f->ct_total);
    f->offloaded = count_flows(off, &f->ct_offloaded);
    snprintf(f->source, sizeof f->source, "%s dpctl/dump-flows", ctl);
    free(all);
    free(off);
    free(err1);
    free(err2);
}

/* The database's other_config and the agent's record of the latch, when
 * the record is about the running process. */
static bool
db_live(const char *rundir, const char *pidfile, struct ovs_facts *f)
{
    char remote[600];
    struct vsdb *db = NULL;
    struct vsdb_state *st = NULL;
    snprintf(remote, sizeof remote, "unix:%s/db.sock", rundir);
    bool ok = !vsdb_create(remote, &db) && !vsdb_wait_ready_block(db, 3000) &&
              !vsdb_observe(db, &st) && st->ready;
    if (ok) {
        const char *v = vsdb_kv_get(st->other_config, st->n_other_config,
                                    VSDB_KEY_HW_OFFLOAD);
        snprintf(f->hw_offload, sizeof f->hw_offload, "%s", v ? v : "");
        v = vsdb_kv_get(st->other_config, st->n_other_config,
                        VSDB_KEY_TC_POLICY);
        snprintf(f->tc_policy, sizeof f->tc_policy, "%s", v ? v : "");
        const char *rec = vsdb_kv_get(st->external_ids, st->n_external_ids,
                                      VSDB_RECORD_VSWITCHD);
        const char *latched = vsdb_kv_get(st->external_ids, st->n_external_ids,
                                          VSDB_RECORD_LATCHED);
        char *id = NULL;
        if (rec && latched && !vsdb_vswitchd_identity(pidfile, NULL, &id) &&
            !strcmp(id, rec)) {
            snprintf(f->latched, sizeof f->latched, "%s", latched);
        }
        free(id);
        tc_off_live(st, f);
    }
    if (st) {
        vsdb_state_free(st);
    }
    vsdb_destroy(db);
    return ok;
}

static bool
facts_live(struct doctor *d, struct ovs_facts *f)
{
    const char *rundir = d->ovs_rundir ? d->ovs_rundir : OVS_RUNDIR;
    char pidfile[512], pid[32], ctl[600];
    snprintf(pidfile, sizeof pidfile, "%s/ovs-vswitchd.pid", rundir);
    FILE *pf = fopen(pidfile, "re");
    bool have_pid = pf && fgets(pid, sizeof pid, pf);
    if (pf) {
        fclose(pf);
    }
    if (!have_pid) {
        doctor_skip(d, "ovs-offload", "no ovs-vswitchd runs (%s)", pidfile);
        return false;
    }
    pid[strcspn(pid, "\n")] = '\0';
    if (!db_live(rundir, pidfile, f)) {
        doctor_skip(d, "ovs-offload",
                    "the database at %s/db.sock did not "
                    "answer within 3 s",
                    rundir);
        return false;
    }
    snprintf(ctl, sizeof ctl, "%s/ovs-vswitchd.%s.ctl", rundir, pid);
    flows_live(d, ctl, f);
    return true;
}

/* An OVS port whose hw-tc-offload is off: OVS's tc rules on it stay in
 * software (not_in_hw). */
static void
judge_tc_off(struct doctor *d, const struct ovs_facts *f)
{
    for (size_t i = 0; i < f->n_tc_off; i++) {
        char ev[128], fix[128];
        snprintf(ev, sizeof ev, "ethtool -k %s: hw-tc-offload: off",
                 f->tc_off[i]);
        snprintf(fix, sizeof fix, "ethtool -K %s hw-tc-offload on",
                 f->tc_off[i]);
        const char *evidence[] = {ev, NULL};
        doctor_add(d, "ovs-offload", DOCTOR_ERROR, f->tc_off[i],
                   "hw-tc-offload is off on this OVS port: its flows "
                   "cannot go to hardware",
                   evidence, fix);
    }
}

/* tc-policy skip_sw: a flow the hardware cannot take (conntrack on many
 * kernels and NICs) gets no tc rule and stays in the kernel datapath. */
static void
judge_skip_sw(struct doctor *d, const struct ovs_facts *f)
{
    char ev[2][900];
    if (strcmp(f->tc_policy, "skip_sw") || !f->have_flows ||
        f->ct_total <= f->ct_offloaded) {
        return;
    }
    snprintf(ev[0], sizeof ev[0], "Open_vSwitch other_config:tc-policy=%s",
             f->tc_policy);
    snprintf(ev[1], sizeof ev[1],
             "%s: %zu flows with ct(), %zu of them offloaded", f->source,
             f->ct_total, f->ct_offloaded);
    const char *evidence[] = {ev[0], ev[1], NULL};
    doctor_add(d, "ovs-offload", DOCTOR_WARNING, "ovs-vswitchd",
               "conntrack flows are not offloaded under tc-policy=skip_sw: "
               "they run in the kernel datapath",
               evidence,
               "check that the kernel and the NIC offload conntrack (tc "
               "ct action; mlx5: switchdev and a recent firmware), or use "
               "tc-policy=none so such flows stay in tc software; a "
               "tc-policy change takes an ovs-vswitchd restart");
}

static void
judge(struct doctor *d, const struct ovs_facts *f)
{
    char ev[3][900];
    judge_tc_off(d, f);
    snprintf(ev[0], sizeof ev[0], "Open_vSwitch other_config:hw-offload=%s",
             f->hw_offload);
    if (f->latched[0] && strncmp(f->latched, "hw-offload=true", 15)) {
        snprintf(ev[1], sizeof ev[1],
                 "the running ovs-vswitchd latched: %s (external_ids:"
                 "%s)",
                 f->latched, VSDB_RECORD_LATCHED);
        const char *evidence[] = {ev[0], ev[1], NULL};
        doctor_add(d, "ovs-offload", DOCTOR_ERROR, "ovs-vswitchd",
                   "hw-offload is on in the database but the running "
                   "ovs-vswitchd latched it off: it reads hw-offload once",
                   evidence,
                   "restart ovs-vswitchd (systemctl restart "
                   "openvswitch-switch); the agent's apply does it when it "
                   "set hw-offload");
        return;
    }
    if (f->have_flows && f->total && !f->offloaded) {
        snprintf(ev[1], sizeof ev[1], "%s: %zu flows, type=offloaded: 0",
                 f->source, f->total);
        const char *evidence[] = {ev[0], ev[1], NULL};
        doctor_add(d, "ovs-offload", DOCTOR_ERROR, "ovs-vswitchd",
                   "no datapath flow is offloaded although hw-offload is on",
                   evidence,
                   "agentctl status names representors whose rules are "
                   "not in hardware; check hw-tc-offload on the uplink "
                   "(ethtool -k) and the eswitch mode (switchdev); a "
                   "vswitchd started before hw-offload was set needs a "
                   "restart");
        return;
    }
    judge_skip_sw(d, f);
}

void
doctor_check_ovs_offload(struct doctor *d)
{
    struct ovs_facts f = {0};
    if (d->root ? !facts_recorded(d, &f) : !facts_live(d, &f)) {
        if (d->root) {
            doctor_skip(d, "ovs-offload", "the tree has no ovs/");
        }
        return;
    }
    /* Offload not asked for is healthy: software switching by choice. */
    if (!vsdb_offload_value_true(f.hw_offload)) {
        doctor_skip(d, "ovs-offload", "hw-offload is not on (\"%s\")",
                    f.hw_offload);
        return;
    }
    judge(d, &f);
}
