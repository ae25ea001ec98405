#ifndef OA_AGENTCTL_H
#define OA_AGENTCTL_H 1

#include <stdbool.h>

/* Exit codes of agentctl (contract: DESIGN.md, "agentctl"). */
enum {
    AGENTCTL_EXIT_OK = 0,
    AGENTCTL_EXIT_FAIL = 1,
    AGENTCTL_EXIT_INVALID = 2,
};

#define AGENTCTL_DEFAULT_SPEC   "/etc/offload-agent/host.json"
#define AGENTCTL_DEFAULT_SOCKET "/run/offload-agent/agentctl.sock"

/* Options common to every command, parsed before or after the command
 * word. The strings point into argv. */
struct agentctl_opts {
    const char *spec;   /* --spec FILE */
    const char *socket; /* --socket PATH */
    bool json;          /* --json */
};

/* One command: 'argc'/'argv' hold the command's own positional
 * arguments (the command word and options removed). Returns an exit
 * code from the enum above. */
typedef int agentctl_cmd_fn(const struct agentctl_opts *, int argc,
                            char *argv[]);

agentctl_cmd_fn agentctl_cmd_validate;

#endif
