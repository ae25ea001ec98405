/* offload-agent: the reconciling daemon (foreground, systemd Type=notify).
 * Options are a contract (docs/cli.md): --spec FILE, --socket PATH,
 * --state-dir DIR, --metrics-file PATH. The
 * daemon itself is agentd_run() (agentd.h). */
#include "agentd.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static void
usage(FILE *out)
{
    fprintf(
        out,
        "usage: offload-agent [--spec FILE] [--socket PATH] "
        "[--state-dir DIR] [--log-level LEVEL]\n"
        "                     [--metrics-file PATH] [--spec-dir DIR --node "
        "NAME]\n"
        "  --spec FILE        host spec (default %s)\n"
        "  --spec-dir DIR     specs of many nodes: DIR/NAME.json, else "
        "DIR/default.json\n"
        "  --node NAME        this node's name, with --spec-dir\n"
        "  --socket PATH      control socket (default %s)\n"
        "  --state-dir DIR    what it learns of the devices (default "
        "%s)\n"
        "  --log-level LEVEL  error, warning, notice, info (default), "
        "debug\n"
        "  --metrics-file PATH  Prometheus metrics, written after every "
        "look\n"
        "  --version          print the version and exit\n"
        "Runs in the foreground and logs to stderr with sd-daemon "
        "priority prefixes.\n",
        OA_DEFAULT_SPEC, OA_DEFAULT_SOCKET, OA_STATE_DIR);
}

int
main(int argc, char *argv[])
{
    static const struct option long_opts[] = {
        {"spec", required_argument, NULL, 's'},
        {"socket", required_argument, NULL, 'S'},
        {"state-dir", required_argument, NULL, 'd'},
        {"log-level", required_argument, NULL, 'l'},
        {"metrics-file", required_argument, NULL, 'm'},
        {"spec-dir", required_argument, NULL, 'D'},
        {"node", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct agentd_opts opts = {
        .spec_path = OA_DEFAULT_SPEC,
        .socket_path = OA_DEFAULT_SOCKET,
        .state_dir = OA_STATE_DIR,
        .log_level = LOG_INFO,
        .version = OA_VERSION,
    };
    sigset_t set;
    int c;

    /* First of all: these signals are read from a signalfd by the main
     * loop. Blocked now, before anything can start libopenvswitch, whose
     * fatal-signal module would otherwise install handlers that exit. */
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
        perror("offload-agent: sigprocmask");
        return 1;
    }
    /* A control client that hangs up early must not kill the daemon. */
    signal(SIGPIPE, SIG_IGN);

    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 's':
            opts.spec_path = optarg;
            break;
        case 'S':
            opts.socket_path = optarg;
            break;
        case 'd':
            opts.state_dir = optarg;
            break;
        case 'l':
            opts.log_level = agentd_parse_log_level(optarg);
            if (opts.log_level < 0) {
                fprintf(stderr, "offload-agent: unknown log level %s\n",
                        optarg);
                return 1;
            }
            break;
        case 'm':
            opts.metrics_path = optarg;
            break;
        case 'D':
            opts.spec_dir = optarg;
            break;
        case 'n':
            opts.node = optarg;
            break;
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            printf("offload-agent %s\n", OA_VERSION);
            return 0;
        default:
            usage(stderr);
            return 1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "offload-agent: unexpected argument %s\n",
                argv[optind]);
        usage(stderr);
        return 1;
    }
    if (!opts.spec_dir != !opts.node || (opts.node && !*opts.node) ||
        (opts.node && strchr(opts.node, '/'))) {
        fprintf(stderr, "offload-agent: --spec-dir and --node go together "
                        "(a node name without '/')\n");
        return 1;
    }
    return agentd_run(&opts);
}
