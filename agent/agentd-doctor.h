/* agentd-doctor: the daemon serves `doctor` on the control socket
 * (docs/control-protocol.md), so that agentctl doctor works unprivileged
 * where status does. A run samples counters for its interval (seconds),
 * so it runs on a thread of its own, never on the socket's thread (status
 * stays instant) nor the main loop; one run at a time, a second request
 * meanwhile is told to retry. Read-only like every doctor run. */
#ifndef OA_AGENTD_DOCTOR_H
#define OA_AGENTD_DOCTOR_H 1

struct ctl_registry;
struct agentd_doctor;

/* Registers "doctor" in 'reg'; the returned state is the handler's (free
 * it with agentd_doctor_destroy() after the socket's thread stopped).
 * NULL on failure. */
struct agentd_doctor *agentd_doctor_register(struct ctl_registry *reg);
/* Gives runs the daemon's spec as context (doctor --spec; NULL: none).
 * -EBUSY while a run is in progress, -ENOMEM. */
int agentd_doctor_set_spec(struct agentd_doctor *doc, const char *path);
/* Waits for a run in progress (at most its interval and the checks'
 * reads) and frees; accepts NULL. */
void agentd_doctor_destroy(struct agentd_doctor *doc);

#endif
