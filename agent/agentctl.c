/* agentctl: the operator's command line. Parses the options shared by
 * every command (accepted before or after the command word) and
 * dispatches; each command lives in its own agentctl-*.c file. */
#include "agentctl.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct agentctl_command {
    const char *name;
    agentctl_cmd_fn *run;
    const char *usage;
};

static const struct agentctl_command commands[] = {
    {"validate", agentctl_cmd_validate,
     "validate [FILE] [--json]  check a host spec; --json prints it "
     "normalised\n"
     "  validate --host [FILE] [--json]\n"
     "                            check it against this host, read-only"},
    {"plan", agentctl_cmd_plan,
     "plan [--json]             print the steps apply would "
     "take"},
    {"apply", agentctl_cmd_apply,
     "apply [--json] [--confirm SECONDS]\n"
     "                            reconcile once, then verify; a "
     "disruptive\n"
     "                            change is reverted when health does not "
     "come\n"
     "                            back (or, with --confirm, no confirm "
     "comes)"},
    {"confirm", agentctl_cmd_confirm,
     "confirm                   keep what apply --confirm changed"},
    {"status", agentctl_cmd_status,
     "status [--json]           show observed state and "
     "problems"},
    {"reconcile", agentctl_cmd_reconcile,
     "reconcile                 ask the daemon to "
     "reconcile now"},
    {"doctor", agentctl_cmd_doctor,
     "doctor [--json] [--interval SECONDS] [--root DIR] [CHECK...]\n"
     "                            why the datapath is slow, dropping or "
     "not\n"
     "                            offloaded, read-only (docs/doctor.md)"},
    {"metrics", agentctl_cmd_metrics,
     "metrics                   the daemon's Prometheus metrics"},
};

static void
usage(FILE *out)
{
    fprintf(out, "usage: agentctl [--spec FILE] [--socket PATH] "
                 "[--state-dir DIR] COMMAND [ARGS]\n"
                 "       agentctl --help | --version\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        fprintf(out, "  %s\n", commands[i].usage);
    }
    fprintf(out, "\ndefaults: --spec %s --socket %s --state-dir %s\n",
            OA_DEFAULT_SPEC, OA_DEFAULT_SOCKET, OA_STATE_DIR);
}

int
main(int argc, char *argv[])
{
    static const struct option long_opts[] = {
        {"spec", required_argument, NULL, 's'},
        {"socket", required_argument, NULL, 'S'},
        {"state-dir", required_argument, NULL, 'd'},
        {"json", no_argument, NULL, 'j'},
        {"host", no_argument, NULL, 'H'},
        {"interval", required_argument, NULL, 'i'},
        {"root", required_argument, NULL, 'r'},
        {"confirm", required_argument, NULL, 'c'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    struct agentctl_opts opts = {
        .spec = OA_DEFAULT_SPEC,
        .socket = OA_DEFAULT_SOCKET,
        .state_dir = OA_STATE_DIR,
    };
    int c;

    /* GNU getopt permutes argv, so options may follow the command word;
     * the positional words end up at argv[optind..]. */
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 's':
            opts.spec = optarg;
            break;
        case 'S':
            opts.socket = optarg;
            break;
        case 'd':
            opts.state_dir = optarg;
            break;
        case 'j':
            opts.json = true;
            break;
        case 'H':
            opts.host = true;
            break;
        case 'i':
            opts.interval = optarg;
            break;
        case 'r':
            opts.root = optarg;
            break;
        case 'c':
            opts.confirm = optarg;
            break;
        case 'h':
            usage(stdout);
            return OA_EXIT_OK;
        case 'V':
            printf("agentctl %s\n", OA_VERSION);
            return OA_EXIT_OK;
        default:
            usage(stderr);
            return OA_EXIT_FAIL;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return OA_EXIT_FAIL;
    }

    const char *word = argv[optind];
    if (opts.host && strcmp(word, "validate")) {
        fprintf(stderr, "agentctl: --host is an option of validate only\n");
        usage(stderr);
        return OA_EXIT_FAIL;
    }
    if ((opts.interval || opts.root) && strcmp(word, "doctor")) {
        fprintf(stderr, "agentctl: --interval and --root are options of "
                        "doctor only\n");
        usage(stderr);
        return OA_EXIT_FAIL;
    }
    if (opts.confirm && strcmp(word, "apply")) {
        fprintf(stderr, "agentctl: --confirm is an option of apply only\n");
        usage(stderr);
        return OA_EXIT_FAIL;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        if (!strcmp(word, commands[i].name)) {
            return commands[i].run(&opts, argc - optind - 1,
                                   argv + optind + 1);
        }
    }
    fprintf(stderr, "agentctl: unknown command \"%s\"\n", word);
    usage(stderr);
    return OA_EXIT_FAIL;
}
