/* offload-agent: the reconciling daemon (foreground, systemd Type=notify).
 * The reconcile loop arrives with the agent issue; until then the daemon
 * parses its contract options and refuses to run rather than pretend. */
#include <getopt.h>
#include <stdio.h>

#include <systemd/sd-daemon.h>

#define OFFLOAD_AGENT_DEFAULT_SPEC   "/etc/offload-agent/host.json"
#define OFFLOAD_AGENT_DEFAULT_SOCKET "/run/offload-agent/agentctl.sock"

int
main(int argc, char *argv[])
{
    static const struct option long_opts[] = {
        {"spec", required_argument, NULL, 's'},
        {"socket", required_argument, NULL, 'S'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *spec = OFFLOAD_AGENT_DEFAULT_SPEC;
    const char *socket_path = OFFLOAD_AGENT_DEFAULT_SOCKET;
    int c;

    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 's':
            spec = optarg;
            break;
        case 'S':
            socket_path = optarg;
            break;
        case 'h':
            printf("usage: offload-agent [--spec FILE] [--socket PATH]\n");
            return 0;
        default:
            return 1;
        }
    }
    fprintf(stderr,
            "offload-agent: the reconciler is not implemented yet "
            "(spec %s, socket %s)\n",
            spec, socket_path);
    sd_notifyf(0, "STATUS=not implemented yet");
    return 1;
}
