/* Unit tests of apply_run()'s contract that need no kernel: steps run in
 * order, skipped steps are reported and not counted, a refused PF step
 * skips that PF's later kernel steps while the other PFs go on, a refused
 * OVS step stops the run, every refusal is recorded with "<action>
 * <object>: <why>" and on_step sees it; set-numvfs with autoprobe off on
 * a fake sysfs tree. The kernel and OVS paths are tested in the bed
 * (bed-obs-apply.sh, bed-obs-apply-pci.sh). */
#include "apply.h"
#include "fake-tree.h"
#include "hostio.h"
#include "obs.h"
#include "oa-check.h"
#include "plan.h"
#include "step.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The result's rendered failure (what apply_result.message was). */
#define MESSAGE(res) apply_result_message((res), msgbuf, sizeof msgbuf)
static char msgbuf[OA_ERR_FORMAT_MAX];

struct seen {
    size_t n;
    int r[8];
    char msg[8][512];
};

static void
record(const struct plan_step *step, int r, const char *msg, void *aux)
{
    struct seen *seen = aux;
    (void)step;
    ck_assert_uint_lt(seen->n, 8);
    seen->r[seen->n] = r;
    snprintf(seen->msg[seen->n], sizeof seen->msg[0], "%s", msg);
    seen->n++;
}

static struct plan_step
step(enum plan_action action, int pf, int vf, const char *object)
{
    struct plan_step s;
    step_init(&s, action, pf, vf);
    snprintf(s.object, sizeof s.object, "%s", object);
    return s;
}

START_TEST(test_missing_pf_skips_its_later_steps)
{
    struct obs_pf pf = {.found = false, .error = "no netdev enp1s0"};
    struct obs_host host = {.pfs = &pf, .n_pfs = 1};
    struct plan_step steps[] = {
        /* A representor that does not exist yet: the next round. */
        step(PLAN_SET_HW_TC_OFFLOAD, 0, -1, "enp1s0 vf 0 representor"),
        step(PLAN_SET_LINK_UP, 0, 0, "enp1s0 vf 0 representor"),
        step(PLAN_OVS_ADD_PORT, 0, 0, "enp1s0 vf 0 representor"),
        step(PLAN_SET_NUMVFS, 0, -1, "enp1s0"),
        step(PLAN_SET_NUMVFS, 0, -1, "after the refusal"),
    };
    struct plan plan = {.steps = steps, .n_steps = 5};
    struct hostio io = {0};
    struct seen seen = {0};
    struct apply_opts opts = {.on_step = record, .aux = &seen};
    struct apply_result res;

    int r = apply_run(&io, NULL, &host, &plan, &opts, &res);
    ck_assert_int_eq(r, -ENODEV);
    ck_assert_int_eq(res.err.code, -ENODEV);
    ck_assert_int_eq(res.failed_step, 3);
    ck_assert_uint_eq(res.n_done, 0); /* skipped steps are not done */
    ck_assert_str_eq(MESSAGE(&res), "set-numvfs enp1s0: no netdev enp1s0");
    ck_assert_uint_eq(seen.n, 5);
    for (int i = 0; i < 3; i++) {
        ck_assert_int_eq(seen.r[i], 0);
        ck_assert(!strncmp(seen.msg[i], "skipped", 7));
    }
    ck_assert_int_eq(seen.r[3], -ENODEV);
    ck_assert_str_eq(seen.msg[3], MESSAGE(&res));
    /* The PF's later step builds on the refused one: not run. */
    ck_assert_int_eq(seen.r[4], 0);
    ck_assert_str_eq(seen.msg[4], "skipped: set-numvfs enp1s0 was refused");
    ck_assert_uint_eq(res.n_refused, 1);
    ck_assert_int_eq(res.refusals[0].step, 3);
    ck_assert_int_eq(res.refusals[0].pf, 0);
    ck_assert(!res.refusals[0].switchdev); /* not a switchdev refusal */
}
END_TEST

/* Two PFs refused (not found), each records its refusal and the run goes
 * on past them; the OVS transaction is reached, and its refusal stops the
 * run: everything after it needs OVS. */
START_TEST(test_every_refusal_recorded_other_pfs_go_on)
{
    struct obs_pf pfs[2] = {
        {.found = false, .error = "no netdev enp1s0"},
        {.found = false, .error = "no netdev enp2s0"},
    };
    struct obs_host host = {.pfs = pfs, .n_pfs = 2};
    struct plan_step steps[] = {
        step(PLAN_SET_NUMVFS, 0, -1, "enp1s0"),
        step(PLAN_SET_ESWITCH, 0, -1, "enp1s0 devlink"),
        step(PLAN_SET_NUMVFS, 1, -1, "enp2s0"),
        step(PLAN_OVS_ADD_PORT, 0, 0, "enp1s0 vf 0 representor"),
        step(PLAN_OVS_ADD_BRIDGE, -1, -1, "ovs-sriov"),
        step(PLAN_SET_ESWITCH, 1, -1, "never reached"),
    };
    struct plan plan = {.steps = steps, .n_steps = 6};
    struct hostio io = {0};
    struct seen seen = {0};
    struct apply_opts opts = {.on_step = record, .aux = &seen};
    struct apply_result res;

    int r = apply_run(&io, NULL, &host, &plan, &opts, &res);
    /* The first refusal is the result's. */
    ck_assert_int_eq(r, -ENODEV);
    ck_assert_int_eq(res.failed_step, 0);
    ck_assert_str_eq(MESSAGE(&res), "set-numvfs enp1s0: no netdev enp1s0");
    ck_assert_uint_eq(res.n_done, 0);
    ck_assert_uint_eq(seen.n, 5);
    ck_assert_str_eq(seen.msg[1], "skipped: set-numvfs enp1s0 was refused");
    ck_assert_int_eq(seen.r[2], -ENODEV); /* PF 1 ran */
    ck_assert(!strncmp(seen.msg[3], "skipped", 7));
    ck_assert_int_eq(seen.r[4], -EINVAL); /* OVS ran */

    ck_assert_uint_eq(res.n_refused, 3);
    ck_assert_int_eq(res.refusals[0].step, 0);
    ck_assert_int_eq(res.refusals[0].pf, 0);
    ck_assert_int_eq(res.refusals[1].step, 2);
    ck_assert_int_eq(res.refusals[1].pf, 1);
    char buf[OA_ERR_FORMAT_MAX];
    ck_assert_str_eq(oa_err_format(&res.refusals[1].err, buf, sizeof buf),
                     "set-numvfs enp2s0: no netdev enp2s0");
    ck_assert_int_eq(res.refusals[2].step, 4);
    ck_assert_int_eq(res.refusals[2].pf, -1);
    ck_assert_int_eq(res.refusals[2].err.code, -EINVAL);
}
END_TEST

START_TEST(test_ovs_steps_without_a_transaction_fail)
{
    struct obs_host host = {0};
    struct plan_step steps[] = {
        step(PLAN_OVS_ADD_BRIDGE, -1, -1, "ovs-sriov"),
    };
    struct plan plan = {.steps = steps, .n_steps = 1};
    struct hostio io = {0};
    struct apply_result res;

    int r = apply_run(&io, NULL, &host, &plan, NULL, &res);
    ck_assert_int_eq(r, -EINVAL);
    ck_assert_int_eq(res.failed_step, 0);
    ck_assert_str_eq(
        MESSAGE(&res),
        "add-bridge ovs-sriov: the plan has no OVSDB transaction");
}
END_TEST

START_TEST(test_empty_plan_succeeds)
{
    struct obs_host host = {0};
    struct plan plan = {0};
    struct hostio io = {0};
    struct apply_result res;

    ck_assert_int_eq(apply_run(&io, NULL, &host, &plan, NULL, &res), 0);
    ck_assert_int_eq(res.failed_step, -1);
    ck_assert_uint_eq(res.n_done, 0);
    ck_assert_str_eq(MESSAGE(&res), "");
}
END_TEST

START_TEST(test_message_renders_the_kernel_text)
{
    struct apply_result res = {.failed_step = 0};
    oa_err_set_extack(&res.err, -EOPNOTSUPP, "not in this mode",
                      "set-eswitch netdevsim/netdevsim1: %s",
                      strerror(EOPNOTSUPP));
    ck_assert_str_eq(MESSAGE(&res), "set-eswitch netdevsim/netdevsim1: "
                                    "Operation not supported (kernel: not "
                                    "in this mode)");
    /* Where the text ends with the errno, oa_err_format() agrees. */
    char buf[OA_ERR_FORMAT_MAX];
    ck_assert_str_eq(oa_err_format(&res.err, buf, sizeof buf), MESSAGE(&res));
}
END_TEST

#define PF_DIR "bus/pci/devices/0000:01:00.0"

/* A fake file's content, as written. */
static const char *
fake_get(const char *root, const char *rel)
{
    static char buf[64];
    char p[512];
    snprintf(p, sizeof p, "%s/%s", root, rel);
    FILE *f = fopen(p, "r");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* set-numvfs 0 -> 2 with autoprobe off on a PCI PF of a fake sysfs tree
 * whose sriov_drivers_autoprobe reads 'autoprobe' (NULL: none): the
 * result, and what on_step saw in 'seen'. */
static int
run_noprobe(char *root, const char *autoprobe, struct seen *seen)
{
    struct obs_pf pf = {.found = true,
                        .netdev = "enp1s0",
                        .bus = "pci",
                        .dev_name = "0000:01:00.0",
                        .vfs_are_devices = true};
    struct obs_host host = {.pfs = &pf, .n_pfs = 1};
    struct plan_step s = step(PLAN_SET_NUMVFS, 0, -1, "pci/0000:01:00.0");
    struct plan plan = {.steps = &s, .n_steps = 1};
    struct apply_opts opts = {.on_step = record, .aux = seen};
    struct apply_result res;

    strcpy(root, "/tmp/oa-apply-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    ft_mk(root, PF_DIR);
    ft_put(root, PF_DIR "/sriov_numvfs", "0\n");
    ft_put(root, PF_DIR "/sriov_totalvfs", "8\n");
    if (autoprobe) {
        ft_put(root, PF_DIR "/sriov_drivers_autoprobe", autoprobe);
    }
    struct hostio io = {.sysfs_root = root};
    s.numvfs.num = 2;
    s.numvfs.no_autoprobe = true;
    memset(seen, 0, sizeof *seen);
    int r = apply_run(&io, NULL, &host, &plan, &opts, &res);
    if (r) {
        snprintf(seen->msg[7], sizeof seen->msg[7], "%s", MESSAGE(&res));
    }
    return r;
}

static void
rm_tree(const char *root)
{
    char p[512];
    const char *files[] = {"sriov_numvfs", "sriov_totalvfs",
                           "sriov_drivers_autoprobe"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s/%s/%s", root, PF_DIR, files[i]);
        unlink(p);
    }
    const char *dirs[] = {PF_DIR, "bus/pci/devices", "bus/pci", "bus", ""};
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", root, dirs[i]);
        rmdir(p);
    }
}

START_TEST(test_set_numvfs_autoprobe_off)
{
    char root[64];
    struct seen seen;

    ck_assert_int_eq(run_noprobe(root, "1\n", &seen), 0);
    ck_assert_str_eq(seen.msg[0],
                     "0 -> 2 VFs, autoprobe off during the write, on again");
    ck_assert_str_eq(fake_get(root, PF_DIR "/sriov_numvfs"), "2");
    /* Written back (no newline: ours), as it was. */
    ck_assert_str_eq(fake_get(root, PF_DIR "/sriov_drivers_autoprobe"), "1");
    rm_tree(root);

    ck_assert_int_eq(run_noprobe(root, "0\n", &seen), 0);
    ck_assert_str_eq(seen.msg[0], "0 -> 2 VFs, autoprobe off already");
    ck_assert_str_eq(fake_get(root, PF_DIR "/sriov_drivers_autoprobe"), "0\n");
    rm_tree(root);

    /* No autoprobe attribute: refused, the count left alone. */
    ck_assert_int_eq(run_noprobe(root, NULL, &seen), -ENOENT);
    ck_assert_str_eq(seen.msg[7], "set-numvfs pci/0000:01:00.0: 0 -> 2 VFs "
                                  "with sriov_drivers_autoprobe off refused: "
                                  "No such file or directory");
    ck_assert_str_eq(fake_get(root, PF_DIR "/sriov_numvfs"), "0\n");
    rm_tree(root);
}
END_TEST

/* Whether udev runs and has initialised a netdev, read under the run
 * root: what wait-vfs waits for before a representor is set up and
 * attached. */
START_TEST(test_udev_state)
{
    char root[64], p[128];
    strcpy(root, "/tmp/oa-udev-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(root));
    struct hostio io = {.run_root = root};

    ck_assert(!hostio_udev_runs(&io));
    ft_mk(root, "udev/data");
    ck_assert(!hostio_udev_runs(&io));
    ft_put(root, "udev/control", "");
    ck_assert(hostio_udev_runs(&io));
    ck_assert(!hostio_udev_initialised(&io, 7));
    ft_put(root, "udev/data/n7", "I:1\n");
    ck_assert(hostio_udev_initialised(&io, 7));
    ck_assert(!hostio_udev_initialised(&io, 70));
    ck_assert(!hostio_udev_initialised(&io, 0));

    const char *files[] = {"udev/data/n7", "udev/control", "udev/data", "udev",
                           ""};
    for (size_t i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s", root, files[i]);
        ck_assert_int_eq(remove(p), 0);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("apply");
    TCase *tc = tcase_create("contract");
    tcase_add_test(tc, test_missing_pf_skips_its_later_steps);
    tcase_add_test(tc, test_every_refusal_recorded_other_pfs_go_on);
    tcase_add_test(tc, test_ovs_steps_without_a_transaction_fail);
    tcase_add_test(tc, test_empty_plan_succeeds);
    tcase_add_test(tc, test_message_renders_the_kernel_text);
    tcase_add_test(tc, test_set_numvfs_autoprobe_off);
    tcase_add_test(tc, test_udev_state);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
