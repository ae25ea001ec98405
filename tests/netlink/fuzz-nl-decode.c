/* libFuzzer target: every oa_netlink decoder on arbitrary bytes.  The
 * first byte picks the decoder (devlink and vdpa share one slot); the rest is one netlink message whose
 * nlmsg_len is forced to its real size (the receive loop guarantees that
 * much), so the fuzzer works on headers and attributes.  Decoders must
 * answer 0 or a negative errno without reading out of bounds, leaking or
 * tripping UBSan. */
#include "oa-netlink/bond.h"
#include "oa-netlink/devlink-health.h"
#include "oa-netlink/devlink-info.h"
#include "oa-netlink/devlink.h"
#include "oa-netlink/ethfeat.h"
#include "oa-netlink/link.h"
#include "oa-netlink/nlev.h"
#include "oa-netlink/nlsock.h"
#include "oa-netlink/tcf.h"
#include "oa-netlink/vdpa.h"

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1 + NLMSG_HDRLEN || size > 1 << 16) {
        return 0;
    }
    uint8_t which = data[0];
    size--;
    /* An exact-size heap copy: ASan sees any read past the message. */
    struct nlmsghdr *nlh = malloc(size);
    memcpy(nlh, data + 1, size);
    nlh->nlmsg_len = (uint32_t)size;

    switch (which % 10) {
    case 0: {
        nlh->nlmsg_type = (which & 0x10) ? NLMSG_DONE : NLMSG_ERROR;
        struct oanl_extack ext;
        oanl_decode_error(nlh, &ext);
        break;
    }
    case 1: {
        nlh->nlmsg_type = GENL_ID_CTRL;
        struct oanl_genl_family f;
        if (!oanl_decode_family(nlh, &f)) {
            oanl_family_group(&f, "config");
        }
        break;
    }
    case 2: {
        struct devlink_port_info p;
        devlink_decode_port(nlh, &p);
        break;
    }
    case 3: {
        struct devlink_handle h;
        struct devlink_eswitch_state st;
        devlink_decode_eswitch(nlh, &h, &st);
        devlink_decode_dev(nlh, &h);
        /* Params share the slot (the seeds keep their meaning); the
         * high bits pick the cmode. */
        struct devlink_param p;
        devlink_decode_param(nlh, &h, (uint8_t)(which >> 4) & 3, &p);
        struct devlink_info info;
        devlink_decode_info(nlh, &h, &info);
        struct devlink_health_reporter rep;
        devlink_decode_health(nlh, &rep);
        uint32_t performed;
        devlink_decode_reload(nlh, &h, &performed);
        /* vdpa, another generic netlink family, shares it too. */
        struct vdpa_mgmtdev_info m;
        vdpa_decode_mgmtdev(nlh, &m);
        struct vdpa_dev_info d;
        vdpa_decode_dev(nlh, &d);
        struct vdpa_dev_config c;
        vdpa_decode_config(nlh, &c);
        break;
    }
    case 4:
    case 5: {
        nlh->nlmsg_type = RTM_NEWLINK;
        struct oa_link *l;
        if (!oa_link_decode(nlh, &l)) {
            char hex[2 * OA_LINK_MAX_ID + 1];
            oa_link_switch_id_hex(l, hex, sizeof hex);
            oa_link_vf_find(l, 0);
            oa_link_destroy(l);
        }
        /* The same message through the bond decoder (IFLA_LINKINFO). */
        struct bond_link bl;
        bond_decode_link(nlh, &bl);
        break;
    }
    case 6:
    case 7: {
        nlh->nlmsg_type = RTM_NEWTFILTER;
        struct tcf_rule r;
        tcf_decode(nlh, &r);
        break;
    }
    case 8: {
        struct ethfeat_state st;
        ethfeat_decode_get(nlh, "hw-tc-offload", &st);
        struct ethfeat_dev dev;
        ethfeat_decode_dev(nlh, "hw-tc-offload", &dev);
        /* Compact bitsets, read at a bit the input picks (0 to 105). */
        ethfeat_decode_dev_at(nlh, "hw-tc-offload", (int)(which >> 4) * 7,
                              &dev);
        ethfeat_decode_strset_index(nlh, "hw-tc-offload");
        /* A dump's reply: the bytes as they came, several messages (the
         * lengths not forced), as the exact-size copy. */
        memcpy(nlh, data + 1, size);
        struct ethfeat_dev *devs;
        size_t n;
        if (!ethfeat_decode_dump(nlh, size, "hw-tc-offload", &devs, &n)) {
            ethfeat_dev_find(devs, n, (int)(which >> 4) + 1);
            free(devs);
        }
        break;
    }
    default: {
        struct nlev_summary sum = {0};
        nlev_classify((which & 0x10) ? NLEV_DEVLINK : NLEV_LINK, nlh, &sum);
        break;
    }
    }
    free(nlh);
    return 0;
}
