/* repr_: representor selection from devlink ports and links. */
#include "nltest.h"

#include "oa-netlink/repr.h"

#include <errno.h>
#include <linux/devlink.h>
#include <net/if.h>
#include <stdlib.h>

START_TEST(test_parse_port_name)
{
    uint32_t pf, vf;
    ck_assert_int_eq(repr_parse_port_name("pf0vf3", &pf, &vf), 0);
    ck_assert_uint_eq(pf, 0);
    ck_assert_uint_eq(vf, 3);
    ck_assert_int_eq(repr_parse_port_name("pf1vf12", &pf, &vf), 0);
    ck_assert_uint_eq(pf, 1);
    ck_assert_uint_eq(vf, 12);
    ck_assert_int_eq(repr_parse_port_name("p0", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("pf0", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("pf0sf1", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("c1pf0vf0", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("pf0vf1x", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("pf-1vf1", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("pf 0vf1", &pf, &vf), -EINVAL);
    ck_assert_int_eq(repr_parse_port_name("", &pf, &vf), -EINVAL);
}
END_TEST

static struct devlink_port_info
port(const char *dev, uint16_t flavour, int pf, int vf, uint32_t ifindex,
     const char *name)
{
    struct devlink_port_info p;
    memset(&p, 0, sizeof p);
    strcpy(p.dev.bus, "pci");
    strcpy(p.dev.dev, dev);
    p.has_flavour = true;
    p.flavour = flavour;
    if (pf >= 0) {
        p.has_pfnum = true;
        p.pfnum = (uint16_t)pf;
    }
    if (vf >= 0) {
        p.has_vfnum = true;
        p.vfnum = (uint16_t)vf;
    }
    p.has_controller = true;
    p.netdev_ifindex = ifindex;
    strcpy(p.netdev_name, name);
    return p;
}

START_TEST(test_from_ports)
{
    struct devlink_handle h = {"pci", "0000:43:00.0"};
    struct devlink_port_info ports[7];
    ports[0] = port("0000:43:00.0", DEVLINK_PORT_FLAVOUR_PHYSICAL, -1, -1, 4,
                    "enp67s0f0np0");
    /* Names deliberately unrelated to the VF numbers. */
    ports[1] =
        port("0000:43:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 1, 11, "eth9");
    ports[2] =
        port("0000:43:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 0, 10, "eth7");
    /* A VF port whose netdev is not there yet. */
    ports[3] = port("0000:43:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 2, 0, "");
    /* The PF's own port, another device's VF, another host's VF. */
    ports[4] =
        port("0000:43:00.0", DEVLINK_PORT_FLAVOUR_PCI_PF, 0, -1, 12, "pfrep");
    ports[5] =
        port("0000:43:00.1", DEVLINK_PORT_FLAVOUR_PCI_VF, 1, 0, 20, "eth20");
    ports[6] =
        port("0000:43:00.0", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 5, 30, "eth30");
    ports[6].controller = 1;
    ports[6].external = true;
    /* VF 1's port function reports its MAC (mlx5 in switchdev). */
    ports[1].index = 33;
    ports[1].has_fn_hw_addr = true;
    memcpy(ports[1].fn_hw_addr, "\x02\x00\x00\x00\x01\x01", 6);
    ports[2].index = 32;

    struct repr_entry *e;
    size_t n;
    ck_assert_int_eq(repr_from_ports(ports, 7, &h, -1, &e, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(e[0].vf, 0);
    ck_assert_int_eq(e[0].ifindex, 10);
    ck_assert_str_eq(e[0].netdev, "eth7");
    ck_assert_int_eq(e[0].source, REPR_BY_DEVLINK_PORT);
    ck_assert_uint_eq(e[1].vf, 1);
    ck_assert_str_eq(e[1].netdev, "eth9");
    /* The devlink port and its function's MAC come along. */
    ck_assert_uint_eq(e[0].port_index, 32);
    ck_assert(!e[0].has_fn_hw_addr);
    ck_assert_uint_eq(e[1].port_index, 33);
    ck_assert(e[1].has_fn_hw_addr);
    ck_assert_mem_eq(e[1].fn_hw_addr, "\x02\x00\x00\x00\x01\x01", 6);
    ck_assert_ptr_null(repr_find(e, n, 2));
    ck_assert_ptr_eq(repr_find(e, n, 1), &e[1]);
    free(e);

    /* An explicit pfnum that matches nothing here. */
    ck_assert_int_eq(repr_from_ports(ports, 7, &h, 1, &e, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(e);
}
END_TEST

START_TEST(test_from_ports_pfnum_choice)
{
    /* One devlink instance with VFs of two PFs: the PCI function of the
     * instance picks. */
    struct devlink_handle h = {"pci", "0000:43:00.1"};
    struct devlink_port_info ports[2];
    ports[0] =
        port("0000:43:00.1", DEVLINK_PORT_FLAVOUR_PCI_VF, 0, 0, 10, "a");
    ports[1] =
        port("0000:43:00.1", DEVLINK_PORT_FLAVOUR_PCI_VF, 1, 0, 11, "b");
    struct repr_entry *e;
    size_t n;
    ck_assert_int_eq(repr_from_ports(ports, 2, &h, -1, &e, &n), 0);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(e[0].netdev, "b");
    ck_assert_uint_eq(e[0].pfnum, 1);
    free(e);

    /* Not a PCI instance: ambiguous, refused. */
    struct devlink_handle other = {"auxiliary", "x"};
    strcpy(ports[0].dev.bus, "auxiliary");
    strcpy(ports[0].dev.dev, "x");
    ports[1].dev = ports[0].dev;
    ck_assert_int_eq(repr_from_ports(ports, 2, &other, -1, &e, &n), -EINVAL);
}
END_TEST

static struct oa_link *
mklink(int ifindex, const char *name, const char *port_name,
       const char *switch_id)
{
    struct oa_link *l = calloc(1, sizeof *l);
    l->ifindex = ifindex;
    strcpy(l->name, name);
    strcpy(l->phys_port_name, port_name);
    l->switch_id_len = strlen(switch_id);
    memcpy(l->switch_id, switch_id, l->switch_id_len);
    return l;
}

START_TEST(test_from_links)
{
    struct oa_link *links[6];
    links[0] = mklink(4, "eth0", "p1", "SW-A");
    links[1] = mklink(8, "eth5", "pf0vf1", "SW-A");
    links[2] = mklink(7, "eth4", "pf0vf0", "SW-A");
    /* Same port name on another switch: not ours. */
    links[3] = mklink(9, "eth6", "pf0vf2", "SW-B");
    /* No switch id at all. */
    links[4] = mklink(10, "pf0vf3", "pf0vf3", "");
    links[5] = mklink(11, "eth8", "c1pf0vf4", "SW-A");
    struct repr_entry *e;
    size_t n;
    ck_assert_int_eq(repr_from_links(links[0], links, 6, -1, &e, &n), 0);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(e[0].vf, 0);
    ck_assert_str_eq(e[0].netdev, "eth4");
    ck_assert_int_eq(e[0].source, REPR_BY_PHYS_PORT_NAME);
    ck_assert_uint_eq(e[1].vf, 1);
    ck_assert_int_eq(e[1].ifindex, 8);

    /* Admin state from the same dump, by ifindex: eth5 up, eth4 down,
     * an entry whose netdev the dump lacks unknown. */
    links[1]->flags = IFF_UP;
    struct repr_entry three[3] = {e[0], e[1], {.vf = 2, .ifindex = 99}};
    ck_assert_int_eq(repr_set_up(three, 3, links, 6), 0);
    ck_assert(three[0].has_up && !three[0].up);
    ck_assert(three[1].has_up && three[1].up);
    ck_assert(!three[2].has_up && !three[2].up);
    /* Sparse VFs: found past the dense fast path, absent ones not. */
    three[1].vf = 5;
    ck_assert_ptr_eq(repr_find(three, 2, 5), &three[1]);
    ck_assert_ptr_eq(repr_find(three, 2, 0), &three[0]);
    ck_assert_ptr_null(repr_find(three, 2, 1));
    ck_assert_ptr_null(repr_find(three, 0, 0));
    free(e);

    /* A PF that is no switch port cannot be matched by switch id. */
    ck_assert_int_eq(repr_from_links(links[4], links, 6, -1, &e, &n),
                     -EOPNOTSUPP);
    for (int i = 0; i < 6; i++) {
        oa_link_destroy(links[i]);
    }
}
END_TEST

Suite *
repr_suite(void)
{
    Suite *s = suite_create("repr");
    TCase *tc = tcase_create("select");
    tcase_add_test(tc, test_parse_port_name);
    tcase_add_test(tc, test_from_ports);
    tcase_add_test(tc, test_from_ports_pfnum_choice);
    tcase_add_test(tc, test_from_links);
    suite_add_tcase(s, tc);
    return s;
}
