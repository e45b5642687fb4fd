/*
 * activation.h - listening sockets passed by systemd (socket activation,
 * the protocol of sd_listen_fds(3)): LISTEN_PID names this process,
 * LISTEN_FDS how many sockets start at fd 3, LISTEN_FDNAMES their names.
 */
#ifndef DESKMAIL_ACTIVATION_H
#define DESKMAIL_ACTIVATION_H

#include "deskmail/err.h"

/*
 * The sockets passed to this process, once: *web for the link pages and
 * *metrics for /metrics (the one named "metrics" by FileDescriptorName=),
 * -1 where none was passed.  The variables are taken out of the
 * environment, so a second call and any child see none.  Fails
 * (DM_ECONFIG) when what was passed is not one or two listening stream
 * sockets of that kind.
 */
dm_err	activation_sockets(int *web, int *metrics);

#endif
