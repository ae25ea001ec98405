/* Stand-in for plan.c's two name functions, ONLY linked into the bed
 * program while this branch has no agent/plan.c (tests/agent/
 * CMakeLists.txt drops it once plan.c exists): apply.c needs them, the
 * bed program builds its plans by hand. */
#include "plan.h"

const char *
plan_action_name(enum plan_action action)
{
    static const char *const names[] = {
        [PLAN_DETACH_PORT] = "detach-port",
        [PLAN_SET_NUMVFS] = "set-numvfs",
        [PLAN_UNBIND_VF] = "unbind-vf",
        [PLAN_SET_ESWITCH] = "set-eswitch",
        [PLAN_WAIT_REPRESENTORS] = "wait-representors",
        [PLAN_SET_VF] = "set-vf",
        [PLAN_BIND_VF] = "bind-vf",
        [PLAN_SET_HW_TC_OFFLOAD] = "set-hw-tc-offload",
        [PLAN_OVS_ADD_BRIDGE] = "add-bridge",
        [PLAN_OVS_ADD_PORT] = "add-port",
        [PLAN_OVS_MOVE_PORT] = "move-port",
        [PLAN_OVS_DEL_PORT] = "del-port",
        [PLAN_OVS_SET_CONFIG] = "set-config",
        [PLAN_OVS_DEL_CONFIG] = "del-config",
        [PLAN_OVS_SET_EXTERNAL_ID] = "set-external-id",
        [PLAN_OVS_DEL_EXTERNAL_ID] = "del-external-id",
        [PLAN_RESTART_VSWITCHD] = "restart-vswitchd",
    };
    return (unsigned)action < sizeof names / sizeof *names && names[action]
               ? names[action]
               : "?";
}

bool
plan_action_is_ovs(enum plan_action action)
{
    return action >= PLAN_OVS_ADD_BRIDGE && action <= PLAN_OVS_DEL_EXTERNAL_ID;
}
