/* Shared helpers of the netlink unit tests: build kernel-style messages in
 * memory and look attributes up in the messages our encoders produce. */
#ifndef OA_TESTS_NLTEST_H
#define OA_TESTS_NLTEST_H 1

#include <check.h>
#include <libmnl/libmnl.h>
#include <stdint.h>
#include <string.h>

/* Message buffers: aligned, generous. */
#define NLT_BUF 8192

/* Starts a message of 'type' with a zeroed family header of 'hdrlen'. */
static inline struct nlmsghdr *
nlt_start(void *buf, uint16_t type, size_t hdrlen)
{
    memset(buf, 0, NLT_BUF);
    struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    if (hdrlen) {
        mnl_nlmsg_put_extra_header(nlh, hdrlen);
    }
    return nlh;
}

/* First attribute of 'type' among [start, start+len), or NULL. */
static inline const struct nlattr *
nlt_find(const void *start, size_t len, uint16_t type)
{
    const struct nlattr *a = start;
    while (len >= sizeof *a && a->nla_len >= sizeof *a && a->nla_len <= len) {
        if ((a->nla_type & NLA_TYPE_MASK) == type) {
            return a;
        }
        size_t step = MNL_ALIGN(a->nla_len);
        if (step >= len) {
            break;
        }
        len -= step;
        a = (const struct nlattr *)((const char *)a + step);
    }
    return NULL;
}

static inline const struct nlattr *
nlt_find_msg(const struct nlmsghdr *nlh, size_t hdrlen, uint16_t type)
{
    size_t off = MNL_NLMSG_HDRLEN + MNL_ALIGN(hdrlen);
    ck_assert_uint_ge(nlh->nlmsg_len, off);
    return nlt_find((const char *)nlh + off, nlh->nlmsg_len - off, type);
}

static inline const struct nlattr *
nlt_find_nested(const struct nlattr *nest, uint16_t type)
{
    return nlt_find(mnl_attr_get_payload(nest), mnl_attr_get_payload_len(nest),
                    type);
}

/* An attribute type no header knows: decoders must skip it. */
#define NLT_UNKNOWN_TYPE 0x3ff

Suite *nlsock_suite(void);
Suite *devlink_suite(void);
Suite *devlink_info_suite(void);
Suite *devlink_health_suite(void);
Suite *link_suite(void);
Suite *tcf_suite(void);
Suite *ethfeat_suite(void);
Suite *sriov_suite(void);
Suite *nlev_suite(void);
Suite *repr_suite(void);
Suite *dpport_suite(void);
Suite *bond_suite(void);
Suite *vdpa_suite(void);
Suite *uevent_suite(void);

#endif
