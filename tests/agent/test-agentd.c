/* Unit tests of the daemon's pure helpers (agent/agentd-util.c): the
 * retry backoff, the spec-file event filter that makes write-to-temp-
 * then-rename work, the debounce deadline and log level names. */
#include "agentd-peers.h"
#include "agentd.h"
#include "oa-netlink/nlev.h"

#include "oa-check.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

START_TEST(backoff_doubles_from_1s_and_caps_at_60s)
{
    static const long long want[] = {0,     1000,  2000,  4000,  8000,
                                     16000, 32000, 60000, 60000, 60000};

    for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(agentd_backoff_ms(i), want[i]);
    }
    /* Many failures must neither overflow nor exceed the cap. */
    ck_assert_int_eq(agentd_backoff_ms(1000), 60000);
    ck_assert_int_eq(agentd_backoff_ms(~0u), 60000);
}
END_TEST

START_TEST(spec_events_for_the_file_match)
{
    /* Written in place and closed. */
    ck_assert(
        agentd_spec_event_matches(IN_CLOSE_WRITE, "host.json", "host.json"));
    /* Renamed into place (write-to-temp-then-rename, editors). */
    ck_assert(
        agentd_spec_event_matches(IN_MOVED_TO, "host.json", "host.json"));
    /* Removed or renamed away: the spec is gone (invalid). */
    ck_assert(agentd_spec_event_matches(IN_DELETE, "host.json", "host.json"));
    ck_assert(
        agentd_spec_event_matches(IN_MOVED_FROM, "host.json", "host.json"));
}
END_TEST

START_TEST(spec_events_for_other_files_do_not_match)
{
    /* The temporary file of a rename, and neighbours. */
    ck_assert(!agentd_spec_event_matches(IN_CLOSE_WRITE, ".host.json.tmp",
                                         "host.json"));
    ck_assert(
        !agentd_spec_event_matches(IN_CREATE, "host.json~", "host.json"));
    ck_assert(!agentd_spec_event_matches(IN_MOVED_FROM, "host.json.tmp",
                                         "host.json"));
    ck_assert(
        !agentd_spec_event_matches(IN_CLOSE_WRITE, "host.jso", "host.json"));
    /* Reading the file is no change. */
    ck_assert(!agentd_spec_event_matches(IN_CLOSE_NOWRITE, "host.json",
                                         "host.json"));
    ck_assert(!agentd_spec_event_matches(IN_OPEN, "host.json", "host.json"));
}
END_TEST

START_TEST(lost_events_and_directory_removal_match)
{
    ck_assert(agentd_spec_event_matches(IN_Q_OVERFLOW, NULL, "host.json"));
    ck_assert(agentd_spec_event_matches(IN_DELETE_SELF, NULL, "host.json"));
    ck_assert(agentd_spec_event_matches(IN_MOVE_SELF, NULL, "host.json"));
    ck_assert(agentd_spec_event_matches(IN_IGNORED, NULL, "host.json"));
}
END_TEST

START_TEST(watch_mask_covers_rename_and_write)
{
    uint32_t mask = agentd_spec_watch_mask();

    ck_assert(mask & IN_CLOSE_WRITE);
    ck_assert(mask & IN_MOVED_TO);
    ck_assert(mask & IN_MOVED_FROM);
    /* Created files are read once closed, never while still empty (the
     * mask has IN_CREATE for symlinks, which the daemon checks). */
    ck_assert(!agentd_spec_event_matches(IN_CREATE, "host.json", "host.json"));
    ck_assert(mask & IN_DELETE);
    /* A half-written file is never read. */
    ck_assert(!(mask & IN_MODIFY));
}
END_TEST

START_TEST(link_events_filtered_to_managed_netdevs)
{
    static const int managed[] = {4, 7};
    static const char *const names[] = {"enp1s0f0"};
    struct agentd_link_filter f = {false, managed, 2, names, 1};
    struct nlev_summary sum = {0};

    /* A container's veth: not ours. */
    sum.n_links = 1;
    sum.links[0] = (struct nlev_link){12, "veth3a1"};
    ck_assert(!agentd_links_relevant(&f, &sum));
    /* A representor we manage, by ifindex. */
    sum.links[1] = (struct nlev_link){7, "eth2"};
    sum.n_links = 2;
    ck_assert(agentd_links_relevant(&f, &sum));
    /* The spec's PF netdev appearing under its name. */
    sum.links[1] = (struct nlev_link){30, "enp1s0f0"};
    ck_assert(agentd_links_relevant(&f, &sum));
    /* Lost events, too many links, or nothing known: everything counts. */
    sum.links[1] = (struct nlev_link){31, "tap0"};
    ck_assert(!agentd_links_relevant(&f, &sum));
    sum.links_overflow = true;
    ck_assert(agentd_links_relevant(&f, &sum));
    sum.links_overflow = false;
    sum.resync = true;
    ck_assert(agentd_links_relevant(&f, &sum));
    sum.resync = false;
    f.all = true;
    ck_assert(agentd_links_relevant(&f, &sum));
}
END_TEST

START_TEST(debounce_waits_after_last_event_but_not_forever)
{
    /* First event at 1000: run at 1200. */
    ck_assert_int_eq(agentd_debounce_deadline(-1, 1000),
                     1000 + AGENTD_DEBOUNCE_MS);
    /* Another at 1100: pushed to 1300. */
    ck_assert_int_eq(agentd_debounce_deadline(1000, 1100),
                     1100 + AGENTD_DEBOUNCE_MS);
    /* A steady stream cannot postpone it past first + max. */
    ck_assert_int_eq(agentd_debounce_deadline(1000, 1950),
                     1000 + AGENTD_DEBOUNCE_MAX_MS);
    /* Long past the cap: run now, not in the past. */
    ck_assert_int_eq(agentd_debounce_deadline(1000, 5000), 5000);
}
END_TEST

START_TEST(log_levels_parse)
{
    ck_assert_int_eq(agentd_parse_log_level("error"), LOG_ERR);
    ck_assert_int_eq(agentd_parse_log_level("warning"), LOG_WARNING);
    ck_assert_int_eq(agentd_parse_log_level("NOTICE"), LOG_NOTICE);
    ck_assert_int_eq(agentd_parse_log_level("info"), LOG_INFO);
    ck_assert_int_eq(agentd_parse_log_level("debug"), LOG_DEBUG);
    ck_assert_int_eq(agentd_parse_log_level("7"), LOG_DEBUG);
    ck_assert_int_eq(agentd_parse_log_level("loud"), -1);
    ck_assert_int_eq(agentd_parse_log_level("8"), -1);
    ck_assert_int_eq(agentd_parse_log_level(""), -1);
    ck_assert_int_eq(agentd_parse_log_level(NULL), -1);
}
END_TEST

START_TEST(log_lines_name_the_object_and_the_errno)
{
    char buf[256];

    ck_assert_str_eq(agentd_log_format(buf, sizeof buf, "eth1", -ENODEV,
                                       "step add-port failed"),
                     "eth1: step add-port failed: No such device");
    /* No object: the message and the errno. */
    ck_assert_str_eq(
        agentd_log_format(buf, sizeof buf, NULL, -EIO, "reading events"),
        "reading events: Input/output error");
    /* A message that already says it is not told twice. */
    ck_assert_str_eq(agentd_log_format(buf, sizeof buf, "pf0", -EBUSY,
                                       "refused: Device or resource busy "
                                       "(kernel: VFs in use)"),
                     "pf0: refused: Device or resource busy (kernel: VFs "
                     "in use)");
    /* No error: just the words; kernel text on one line. */
    ck_assert_str_eq(agentd_log_format(buf, sizeof buf, "x", 0, "a\nb"),
                     "x: a b");
    /* It returns what it was given, for "return agentd_log_errno(...)". */
    agentd_log_set_level(LOG_EMERG - 1);
    ck_assert_int_eq(agentd_log_errno(LOG_ERR, "eth1", -EPERM, "quiet"),
                     -EPERM);
}
END_TEST

START_TEST(unix_remote_paths)
{
    char buf[64];
    ck_assert(agentd_unix_remote_path("unix:/run/openvswitch/db.sock", buf,
                                      sizeof buf));
    ck_assert_str_eq(buf, "/run/openvswitch/db.sock");
    ck_assert(!agentd_unix_remote_path("tcp:127.0.0.1:6640", buf, sizeof buf));
    ck_assert(!agentd_unix_remote_path("punix:/x", buf, sizeof buf));
    ck_assert(!agentd_unix_remote_path("unix:", buf, sizeof buf));
    ck_assert(!agentd_unix_remote_path("unix:/a,unix:/b", buf, sizeof buf));
    ck_assert(!agentd_unix_remote_path(NULL, buf, sizeof buf));
    ck_assert(!agentd_unix_remote_path("unix:/0123456789", buf, 8));
}
END_TEST

/* The files of ovs-vswitchd (its pidfile, written to a temporary file and
 * renamed, as OVS does) and ovsdb-server (its socket, bound) in a real
 * directory: each change is reported as its peer's, other files not. */
START_TEST(peer_files_are_seen)
{
    char dir[] = "/tmp/oa-peers.XXXXXX", pid[96], tmp[96], sock[96],
         remote[104], other[96];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(pid, sizeof pid, "%s/ovs-vswitchd.pid", dir);
    snprintf(tmp, sizeof tmp, "%s/ovs-vswitchd.pid.tmp", dir);
    snprintf(sock, sizeof sock, "%s/db.sock", dir);
    snprintf(remote, sizeof remote, "unix:%s", sock);
    snprintf(other, sizeof other, "%s/ovsdb-server.pid", dir);

    struct agentd_peers *p = agentd_peers_create();
    ck_assert_ptr_nonnull(p);
    ck_assert_int_ge(agentd_peers_fd(p), 0);
    agentd_peers_watch(p, pid, remote);
    agentd_peers_watch(p, pid, remote); /* again: no change */
    ck_assert_uint_eq(agentd_peers_read(p), 0);

    FILE *f = fopen(other, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_uint_eq(agentd_peers_read(p), 0);

    f = fopen(tmp, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "42\n");
    fclose(f);
    ck_assert_int_eq(rename(tmp, pid), 0);
    ck_assert_uint_eq(agentd_peers_read(p), AGENTD_PEER_VSWITCHD);

    int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    struct sockaddr_un sun = {.sun_family = AF_UNIX};
    snprintf(sun.sun_path, sizeof sun.sun_path, "%s", sock);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
    ck_assert_uint_eq(agentd_peers_read(p), AGENTD_PEER_OVSDB);

    ck_assert_int_eq(unlink(pid), 0);
    ck_assert_int_eq(unlink(sock), 0);
    ck_assert_uint_eq(agentd_peers_read(p),
                      AGENTD_PEER_VSWITCHD | AGENTD_PEER_OVSDB);
    close(fd);
    unlink(other);
    rmdir(dir);
    agentd_peers_destroy(p);
}
END_TEST

/* --spec-dir: the node's file when it exists, else default.json. */
START_TEST(spec_dir_picks_node_then_default)
{
    char dir[] = "/tmp/oa-pick.XXXXXX", path[256], buf[256];

    ck_assert_ptr_nonnull(mkdtemp(dir));
    ck_assert_int_eq(agentd_pick_spec(dir, "node-a", buf, sizeof buf), 0);
    snprintf(path, sizeof path, "%s/default.json", dir);
    ck_assert_str_eq(buf, path);
    snprintf(path, sizeof path, "%s/node-a.json", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fclose(f);
    ck_assert_int_eq(agentd_pick_spec(dir, "node-a", buf, sizeof buf), 0);
    ck_assert_str_eq(buf, path);
    /* Another node still gets the default. */
    ck_assert_int_eq(agentd_pick_spec(dir, "node-b", buf, sizeof buf), 0);
    ck_assert_ptr_nonnull(strstr(buf, "/default.json"));
    ck_assert_int_eq(agentd_pick_spec(dir, "node-a", buf, 8), -ENAMETOOLONG);
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(spec_link_and_node_events)
{
    /* The Kubernetes swap: ..data renamed over, old directory removed. */
    ck_assert(agentd_spec_link_event(IN_MOVED_TO, "..data", "..data/h.json"));
    ck_assert(agentd_spec_link_event(IN_DELETE, "..2026_12_02_21_00_00.1",
                                     "..data/h.json"));
    ck_assert(
        !agentd_spec_link_event(IN_MOVED_TO, "other.json", "..data/h.json"));
    /* A symlink to a file of the same directory: that file's writes. */
    ck_assert(
        agentd_spec_link_event(IN_CLOSE_WRITE, "node1.json", "node1.json"));
    ck_assert(
        !agentd_spec_link_event(IN_CLOSE_WRITE, "node2.json", "node1.json"));
    ck_assert(!agentd_spec_link_event(IN_CLOSE_WRITE, "x.json", NULL));
    ck_assert(!agentd_spec_link_event(IN_MOVED_TO, NULL, "..data/h.json"));
    /* NODE.json, and not a name that only starts like it. */
    ck_assert(agentd_spec_node_event(IN_MOVED_TO, "node-a.json", "node-a"));
    ck_assert(agentd_spec_node_event(IN_DELETE, "node-a.json", "node-a"));
    ck_assert(!agentd_spec_node_event(IN_MOVED_TO, "node-ab.json", "node-a"));
    ck_assert(
        !agentd_spec_node_event(IN_MOVED_TO, "node-a.json.tmp", "node-a"));
    ck_assert(!agentd_spec_node_event(IN_CREATE, "node-a.json", "node-a"));
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("agentd");
    TCase *tc = tcase_create("pure");

    tcase_add_test(tc, backoff_doubles_from_1s_and_caps_at_60s);
    tcase_add_test(tc, spec_events_for_the_file_match);
    tcase_add_test(tc, spec_events_for_other_files_do_not_match);
    tcase_add_test(tc, lost_events_and_directory_removal_match);
    tcase_add_test(tc, watch_mask_covers_rename_and_write);
    tcase_add_test(tc, spec_dir_picks_node_then_default);
    tcase_add_test(tc, spec_link_and_node_events);
    tcase_add_test(tc, link_events_filtered_to_managed_netdevs);
    tcase_add_test(tc, debounce_waits_after_last_event_but_not_forever);
    tcase_add_test(tc, log_levels_parse);
    tcase_add_test(tc, log_lines_name_the_object_and_the_errno);
    tcase_add_test(tc, unix_remote_paths);
    tcase_add_test(tc, peer_files_are_seen);
    suite_add_tcase(s, tc);
    return oa_check_run(s);
}
