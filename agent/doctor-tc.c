/* doctor's tc-rules check: per netdev, the ingress tc rules that are not
 * in hardware (what `agentctl status` counts as not_in_hw), with the
 * cause: kept out on purpose (skip_hw), hw-tc-offload off, a driver that
 * cannot offload at all (a VF's own netdev attached instead of its
 * representor), or rules the driver refused. Live: every netdev's
 * ingress dump (netlink/tcf.c) and ethtool features; recorded: ROOT/tc/
 * IFNAME as `tc -s filter show dev IFNAME ingress` prints it and
 * ROOT/ethtool/IFNAME/features (docs/doctor.md). */
#include "doctor.h"

#include "oa-netlink/ethfeat.h"
#include "oa-netlink/tcf.h"

#include <linux/if_ether.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK "tc-rules"

enum tc_feature { FEAT_UNKNOWN, FEAT_ON, FEAT_OFF, FEAT_OFF_FIXED };

struct port_rules {
    const char *name;
    size_t rules, in_hw, not_in_hw;
    size_t skip_hw;    /* of the not_in_hw ones */
    char example[160]; /* the first rule not in hardware */
    enum tc_feature feature;
};

static const char *
protocol_name(unsigned proto, char *buf, size_t size)
{
    switch (proto) {
    case ETH_P_ALL:
        return "all";
    case ETH_P_IP:
        return "ip";
    case ETH_P_IPV6:
        return "ipv6";
    case ETH_P_ARP:
        return "arp";
    case ETH_P_8021Q:
        return "802.1Q";
    }
    snprintf(buf, size, "0x%04x", proto);
    return buf;
}

static void
count_rule(struct port_rules *p, const struct tcf_rule *r)
{
    p->rules++;
    if (!r->not_in_hw) {
        p->in_hw += r->in_hw;
        return;
    }
    p->not_in_hw++;
    p->skip_hw += r->skip_hw;
    if (!p->example[0]) {
        char proto[16];
        snprintf(p->example, sizeof p->example,
                 "tc filter dev %s ingress: protocol %s pref %u %s chain %u "
                 "handle 0x%x%s not_in_hw",
                 p->name, protocol_name(r->protocol, proto, sizeof proto),
                 r->prio, r->kind, r->chain, r->handle,
                 r->skip_hw ? " skip_hw" : "");
    }
}

static void
feature_live(struct ethfeat_client *ef, struct port_rules *p)
{
    struct ethfeat_state fs;
    if (ef && !ethfeat_get(ef, p->name, ETHFEAT_HW_TC_OFFLOAD, &fs, NULL)) {
        p->feature = fs.active       ? FEAT_ON
                     : fs.changeable ? FEAT_OFF
                                     : FEAT_OFF_FIXED;
    }
}

static void
feature_recorded(const struct doctor *d, struct port_rules *p)
{
    char rel[128];
    snprintf(rel, sizeof rel, "ethtool/%.32s/features", p->name);
    char *feat = doctor_slurp(d, rel);
    const char *v = feat ? strstr(feat, "hw-tc-offload: ") : NULL;
    if (v) {
        v += strlen("hw-tc-offload: ");
        p->feature = !strncmp(v, "on", 2)             ? FEAT_ON
                     : !strncmp(v, "off [fixed]", 11) ? FEAT_OFF_FIXED
                     : !strncmp(v, "off", 3)          ? FEAT_OFF
                                                      : FEAT_UNKNOWN;
    }
    free(feat);
}

/* True when ovs-offload already named this netdev (hw-tc-offload off on
 * an OVS port, with the same fix): one finding per cause. */
static bool
named_by_ovs_offload(const struct doctor *d, const char *name)
{
    for (size_t i = 0; i < d->n_findings; i++) {
        if (!strcmp(d->findings[i].check, "ovs-offload") &&
            !strcmp(d->findings[i].object, name)) {
            return true;
        }
    }
    return false;
}

static void
judge(struct doctor *d, const struct port_rules *p)
{
    if (!p->not_in_hw ||
        (p->feature == FEAT_OFF && named_by_ovs_offload(d, p->name))) {
        return;
    }
    char what[256], counts[160], fix[600];
    snprintf(counts, sizeof counts,
             "tc filter dev %s ingress: %zu rule%s, %zu in_hw, %zu "
             "not_in_hw (%zu of them skip_hw)",
             p->name, p->rules, p->rules == 1 ? "" : "s", p->in_hw,
             p->not_in_hw, p->skip_hw);
    const char *feature = p->feature == FEAT_ON    ? "hw-tc-offload: on"
                          : p->feature == FEAT_OFF ? "hw-tc-offload: off"
                          : p->feature == FEAT_OFF_FIXED
                              ? "hw-tc-offload: off [fixed]"
                              : "hw-tc-offload: not readable";
    char ev_feature[96];
    snprintf(ev_feature, sizeof ev_feature, "ethtool -k %s: %s", p->name,
             feature);
    enum doctor_severity sev = p->in_hw ? DOCTOR_WARNING : DOCTOR_ERROR;
    const char *why;
    if (p->skip_hw == p->not_in_hw) {
        sev = DOCTOR_WARNING;
        why = "kept out of hardware on purpose (skip_hw)";
        snprintf(fix, sizeof fix,
                 "OVS adds skip_hw under other_config:tc-policy=skip_hw: "
                 "set tc-policy=none and restart ovs-vswitchd; a rule "
                 "added by hand: add it again without skip_hw");
    } else if (p->feature == FEAT_OFF) {
        why = "hw-tc-offload is off on it";
        snprintf(fix, sizeof fix,
                 "ethtool -K %s hw-tc-offload on, then `ovs-appctl "
                 "dpctl/del-flows` so that OVS adds its rules again (rules "
                 "already in software stay there)",
                 p->name);
    } else if (p->feature == FEAT_OFF_FIXED) {
        why = "its driver cannot offload tc rules at all";
        snprintf(fix, sizeof fix,
                 "rules for hardware belong on a representor or the "
                 "uplink of a PF in switchdev, not on a VF's own netdev "
                 "or a virtual device: attach the VF's representor to "
                 "OVS (agentctl status lists them)");
    } else {
        why = "the driver refused them";
        snprintf(fix, sizeof fix,
                 "the NIC does not offload these rules' match or action; "
                 "read them with `tc -s filter show dev %s ingress`. "
                 "Common causes on ConnectX: the PF not in switchdev, "
                 "conntrack or tunnel actions the firmware does not "
                 "support, a tunnel remote without a route or neighbour "
                 "yet, the steering mode's rule limit. They run in tc "
                 "software meanwhile",
                 p->name);
    }
    snprintf(what, sizeof what, "%zu of %zu tc rule%s not in hardware: %s",
             p->not_in_hw, p->rules, p->rules == 1 ? " is" : "s are", why);
    const char *evidence[] = {counts, p->example, ev_feature, NULL};
    doctor_add(d, CHECK, sev, p->name, what, evidence, fix);
}

static void
check_live(struct doctor *d)
{
    struct oanl_sock *rtnl = NULL;
    int e = oanl_open(NETLINK_ROUTE, &rtnl);
    if (e) {
        doctor_skip(d, CHECK, "rtnetlink: %s", strerror(-e));
        return;
    }
    struct ethfeat_client *ef = NULL;
    if (ethfeat_open(false, &ef)) {
        ef = NULL; /* the cause then says "not readable" */
    }
    char **names = doctor_list(d, "sys/class/net");
    for (size_t i = 0; names && names[i]; i++) {
        int ifindex = (int)if_nametoindex(names[i]);
        struct tcf_rule *rules = NULL;
        size_t n = 0;
        if (ifindex <= 0 ||
            tcf_dump(rtnl, ifindex, TCF_PARENT_INGRESS, &rules, &n, NULL)) {
            continue; /* gone meanwhile */
        }
        struct port_rules p = {.name = names[i]};
        for (size_t r = 0; r < n; r++) {
            count_rule(&p, &rules[r]);
        }
        free(rules);
        if (p.not_in_hw) {
            feature_live(ef, &p);
            judge(d, &p);
        }
    }
    doctor_names_free(names);
    ethfeat_close(ef);
    oanl_close(rtnl);
}

/* One rule's worth of `tc filter show` text: the "filter ... handle"
 * line, then its indented lines, where the flags are words of their
 * own ("skip_hw", "in_hw in_hw_count 1", "not_in_hw"). */
static void
parse_recorded(const char *name, char *text, struct port_rules *p)
{
    struct tcf_rule r;
    bool open = false;
    char *save = NULL;
    p->name = name;
    for (char *line = strtok_r(text, "\n", &save);;
         line = strtok_r(NULL, "\n", &save)) {
        bool head = line && !strncmp(line, "filter ", 7);
        if ((head || !line) && open) {
            count_rule(p, &r);
            open = false;
        }
        if (!line) {
            break;
        }
        if (head && strstr(line, " handle ")) {
            memset(&r, 0, sizeof r);
            const char *v;
            unsigned u;
            if ((v = strstr(line, " pref ")) && sscanf(v, " pref %u", &u)) {
                r.prio = (uint16_t)u;
            }
            if ((v = strstr(line, " chain ")) && sscanf(v, " chain %u", &u)) {
                r.chain = u;
            }
            if ((v = strstr(line, " handle ")) &&
                sscanf(v, " handle %x", &u)) {
                r.handle = u;
            }
            r.protocol = strstr(line, "protocol ipv6 ")  ? ETH_P_IPV6
                         : strstr(line, "protocol ip ")  ? ETH_P_IP
                         : strstr(line, "protocol arp ") ? ETH_P_ARP
                                                         : ETH_P_ALL;
            snprintf(r.kind, sizeof r.kind, "%s",
                     strstr(line, " matchall") ? "matchall" : "flower");
            open = true;
            continue;
        }
        const char *w = line + strspn(line, " \t");
        if (open && !strcmp(w, "skip_hw")) {
            r.skip_hw = true;
        } else if (open && !strcmp(w, "not_in_hw")) {
            r.not_in_hw = true;
        } else if (open && !strncmp(w, "in_hw", 5) && (w[5] == ' ' || !w[5])) {
            r.in_hw = true;
        }
    }
}

static void
check_recorded(struct doctor *d)
{
    char **names = doctor_list(d, "tc");
    if (!names || !names[0]) {
        doctor_skip(d, CHECK, "the tree has no tc/");
    }
    for (size_t i = 0; names && names[i]; i++) {
        char rel[128];
        snprintf(rel, sizeof rel, "tc/%.32s", names[i]);
        char *text = doctor_slurp(d, rel);
        if (text) {
            struct port_rules p = {0};
            parse_recorded(names[i], text, &p);
            feature_recorded(d, &p);
            judge(d, &p);
            free(text);
        }
    }
    doctor_names_free(names);
}

void
doctor_check_tc_rules(struct doctor *d)
{
    if (d->root) {
        check_recorded(d);
    } else {
        check_live(d);
    }
}
