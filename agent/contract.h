/* The names, paths and exit codes that agentctl, offload-agent and the
 * scripts around them agree on (docs/cli.md). Both ends of the control
 * socket include this header; nothing else defines these values. */
#ifndef OA_CONTRACT_H
#define OA_CONTRACT_H 1

#define OA_DEFAULT_SPEC   "/etc/offload-agent/host.json"
#define OA_DEFAULT_SOCKET "/run/offload-agent/agentctl.sock"
#define OA_STATE_DIR      "/var/lib/offload-agent"
/* Where the Debian package puts the example specs (no spec is shipped). */
#define OA_EXAMPLES_DIR "/usr/share/doc/offload-agent/examples"

/* Exit codes of agentctl, and of every control-socket answer. */
enum oa_exit {
    OA_EXIT_OK = 0,      /* converged / valid / done */
    OA_EXIT_FAIL = 1,    /* failed, not converged, or an error problem */
    OA_EXIT_INVALID = 2, /* the spec is invalid (or not applicable) */
};

#endif
