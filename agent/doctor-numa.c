/* doctor's irq-numa check: a NIC most of whose interrupts are served
 * only by CPUs of another NUMA node. Every packet then crosses the
 * interconnect, and the drops look like a slow CPU. Reads the device's
 * numa_node and msi_irqs, each interrupt's affinity in /proc/irq and the
 * nodes' cpulists (docs/doctor.md). */
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
}
