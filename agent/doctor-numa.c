/* doctor's irq-numa check: a NIC most of whose interrupts are served
 * only by CPUs of another NUMA node, and the threads that forward its
 * packets (vhost workers, OVS-DPDK PMD threads) held off its node. Every
 * packet then crosses the interconnect, and the drops look like a slow
 * CPU. Reads the device's numa_node and msi_irqs, each interrupt's
 * affinity in /proc/irq, the nodes' cpulists and the threads'
 * Cpus_allowed_list (docs/doctor.md). */
#include "doctor.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK    "irq-numa"
#define MAX_CPUS 4096

struct cpuset {
    unsigned char bits[MAX_CPUS / 8];
};

/* "0-3,8-11" into 'set'; false when malformed or beyond MAX_CPUS. */
static bool
cpulist_parse(const char *list, struct cpuset *set)
{
    memset(set, 0, sizeof *set);
    const char *p = list;
    while (*p) {
        char *end;
        unsigned long lo = strtoul(p, &end, 10), hi = lo;
        if (end == p) {
            return false;
        }
        if (*end == '-') {
            p = end + 1;
            hi = strtoul(p, &end, 10);
            if (end == p) {
                return false;
            }
        }
        if (hi < lo || hi >= MAX_CPUS) {
            return false;
        }
        for (unsigned long c = lo; c <= hi; c++) {
            set->bits[c / 8] |= (unsigned char)(1u << (c % 8));
        }
        p = *end == ',' ? end + 1 : end;
        if (*end && *end != ',') {
            return false;
        }
    }
    return true;
}

static bool
cpuset_meets(const struct cpuset *a, const struct cpuset *b)
{
    for (size_t i = 0; i < sizeof a->bits; i++) {
        if (a->bits[i] & b->bits[i]) {
            return true;
        }
    }
    return false;
}

static size_t
count_nodes(const struct doctor *d)
{
    char **names = doctor_list(d, "sys/devices/system/node");
    size_t n = 0;
    for (size_t i = 0; names && names[i]; i++) {
        n += !strncmp(names[i], "node", 4) && names[i][4] >= '0' &&
             names[i][4] <= '9';
    }
    doctor_names_free(names);
    return n;
}

/* The interrupt's effective affinity (what the kernel applied), else
 * the one asked for. */
static bool
irq_affinity(const struct doctor *d, const char *irq, char *buf, size_t size)
{
    return !doctor_readf(d, buf, size, "proc/irq/%s/effective_affinity_list",
                         irq) ||
           !doctor_readf(d, buf, size, "proc/irq/%s/smp_affinity_list", irq);
}

static void
irq_numa_one(struct doctor *d, const char *addr)
{
    char node[16], local_list[256];
    if (doctor_readf(d, node, sizeof node, "sys/bus/pci/devices/%s/numa_node",
                     addr) ||
        atoi(node) < 0 ||
        doctor_readf(d, local_list, sizeof local_list,
                     "sys/devices/system/node/node%d/cpulist", atoi(node))) {
        return; /* the firmware does not say where the device sits */
    }
    struct cpuset local, aff;
    if (!cpulist_parse(local_list, &local)) {
        return;
    }
    char rel[128], list[256], example[320] = "";
    snprintf(rel, sizeof rel, "sys/bus/pci/devices/%s/msi_irqs", addr);
    char **irqs = doctor_list(d, rel);
    size_t total = 0, remote = 0;
    for (size_t i = 0; irqs && irqs[i]; i++) {
        if (!irq_affinity(d, irqs[i], list, sizeof list) ||
            !cpulist_parse(list, &aff)) {
            continue;
        }
        total++;
        if (!cpuset_meets(&aff, &local)) {
            if (!remote++) {
                snprintf(example, sizeof example,
                         "/proc/irq/%s affinity: CPUs %s", irqs[i], list);
            }
        }
    }
    doctor_names_free(irqs);
    /* Drivers spread one queue interrupt per CPU over every node by
     * default (mlx5: half of them remote on a two-socket host), and the
     * stack steers the flows to the local ones: a finding only when most
     * of them are served remotely. */
    if (remote * 2 <= total) {
        return;
    }
    char what[200], ev_node[384], ev_count[160], fix[640];
    snprintf(what, sizeof what,
             "%zu of %zu interrupts are served only by CPUs of another "
             "NUMA node than the NIC's (node %d)",
             remote, total, atoi(node));
    snprintf(ev_node, sizeof ev_node, "%s numa_node: %d; node%d cpulist: %s",
             addr, atoi(node), atoi(node), local_list);
    snprintf(ev_count, sizeof ev_count,
             "%s msi_irqs: %zu with an affinity, %zu of them without a CPU "
             "of node %d",
             addr, total, remote, atoi(node));
    snprintf(fix, sizeof fix,
             "pin the NIC's interrupts to node %d's CPUs (%s) through "
             "/proc/irq/N/smp_affinity_list (mlx5: mlnx-tools' "
             "set_irq_affinity_cpulist.sh), or let irqbalance place them; "
             "run the VMs' vCPUs and vhost threads on that node too",
             atoi(node), local_list);
    const char *evidence[] = {ev_node, ev_count, example, NULL};
    doctor_add(d, CHECK, DOCTOR_WARNING, addr, what, evidence, fix);
}

/* The CPUs of the NUMA nodes the network PFs sit on, and their node
 * numbers as text ("1"). False when no PF says where it sits. */
static bool
nic_cpus(const struct doctor *d, struct cpuset *cpus, char *nodes_text,
         size_t size)
{
    bool any = false;
    unsigned long long seen = 0;
    memset(cpus, 0, sizeof *cpus);
    nodes_text[0] = '\0';
    char **addrs = doctor_list(d, "sys/bus/pci/devices");
    for (size_t i = 0; addrs && addrs[i]; i++) {
        char node[16], list[256];
        struct cpuset set;
        int n;
        if (!doctor_is_net_pf(d, addrs[i]) ||
            doctor_readf(d, node, sizeof node,
                         "sys/bus/pci/devices/%s/numa_node", addrs[i]) ||
            (n = atoi(node)) < 0 || n >= 64 || (seen >> n & 1) ||
            doctor_readf(d, list, sizeof list,
                         "sys/devices/system/node/node%d/cpulist", n) ||
            !cpulist_parse(list, &set)) {
            continue;
        }
        seen |= 1ULL << n;
        for (size_t b = 0; b < sizeof set.bits; b++) {
            cpus->bits[b] |= set.bits[b];
        }
        size_t len = strlen(nodes_text);
        snprintf(nodes_text + len, size - len, "%s%d", any ? "," : "", n);
        any = true;
    }
    doctor_names_free(addrs);
    return any;
}

/* A thread that forwards the NICs' packets (a vhost worker of a VM, an
 * OVS-DPDK PMD thread) allowed only on CPUs of other nodes. */
static void
judge_thread(struct doctor *d, const char *task, const char *comm,
             const struct cpuset *local, const char *nodes)
{
    char *status = doctor_slurp(d, task);
    const char *line = status ? strstr(status, "Cpus_allowed_list:") : NULL;
    char list[256];
    struct cpuset allowed;
    if (line && sscanf(line, "Cpus_allowed_list: %255s", list) == 1 &&
        cpulist_parse(list, &allowed) && !cpuset_meets(&allowed, local)) {
        char what[200], ev[512], fix[300];
        snprintf(what, sizeof what,
                 "%s forwards the NICs' packets but may run only on CPUs "
                 "of another NUMA node than theirs (node %s)",
                 comm, nodes);
        snprintf(ev, sizeof ev, "/%s: Cpus_allowed_list: %s", task, list);
        snprintf(fix, sizeof fix,
                 "pin it (and the VM's vCPUs, or ovs-vswitchd's "
                 "pmd-cpu-mask) to node %s's CPUs",
                 nodes);
        const char *evidence[] = {ev, NULL};
        doctor_add(d, CHECK, DOCTOR_WARNING, comm, what, evidence, fix);
    }
    free(status);
}

/* vhost worker threads ("vhost-PID", kernel threads of a VM's vhost-net
 * or vhost-vdpa device) and ovs-vswitchd's PMD threads ("pmd-c..."). */
static void
check_threads(struct doctor *d, const struct cpuset *local, const char *nodes)
{
    char **pids = doctor_list(d, "proc");
    for (size_t i = 0; pids && pids[i]; i++) {
        char comm[64], rel[128];
        if (pids[i][0] < '0' || pids[i][0] > '9' ||
            doctor_readf(d, comm, sizeof comm, "proc/%s/comm", pids[i])) {
            continue;
        }
        if (!strncmp(comm, "vhost-", 6)) {
            snprintf(rel, sizeof rel, "proc/%s/status", pids[i]);
            judge_thread(d, rel, comm, local, nodes);
        } else if (!strcmp(comm, "ovs-vswitchd")) {
            snprintf(rel, sizeof rel, "proc/%s/task", pids[i]);
            char **tids = doctor_list(d, rel);
            for (size_t t = 0; tids && tids[t]; t++) {
                char tcomm[64];
                if (!doctor_readf(d, tcomm, sizeof tcomm,
                                  "proc/%s/task/%s/comm", pids[i], tids[t]) &&
                    !strncmp(tcomm, "pmd", 3)) {
                    snprintf(rel, sizeof rel, "proc/%s/task/%s/status",
                             pids[i], tids[t]);
                    judge_thread(d, rel, tcomm, local, nodes);
                }
            }
            doctor_names_free(tids);
        }
    }
    doctor_names_free(pids);
}

void
doctor_check_irq_numa(struct doctor *d)
{
    size_t nodes = count_nodes(d);
    if (nodes < 2) {
        doctor_skip(d, CHECK, "%s NUMA node: nothing to place",
                    nodes ? "one" : "no");
        return;
    }
    char **addrs = doctor_list(d, "sys/bus/pci/devices");
    for (size_t i = 0; addrs && addrs[i]; i++) {
        if (doctor_is_net_pf(d, addrs[i])) {
            irq_numa_one(d, addrs[i]);
        }
    }
    doctor_names_free(addrs);
    struct cpuset local;
    char nic_nodes[64];
    if (nic_cpus(d, &local, nic_nodes, sizeof nic_nodes)) {
        check_threads(d, &local, nic_nodes);
    }
}
