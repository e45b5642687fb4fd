/*
 * lmtp_server.h - run's LMTP listener: the MTA delivers over a long-lived
 * connection instead of starting `deskmail ingest` once per message.
 *
 * Each connection has a thread of its own for the protocol (lmtp.c); one
 * writer thread with its own database connection stores what they
 * receive, every message that came while the last commit was on its way
 * to disk in the next one (batch.c).  A connection answers 250 only once
 * its message committed.
 */
#ifndef DESKMAIL_LMTP_SERVER_H
#define DESKMAIL_LMTP_SERVER_H

#include "deskmail/config.h"
#include "deskmail/err.h"

struct lmtp_server;

/*
 * Listen on cfg->lmtp_listen.  *out is NULL (and DM_OK) when it is
 * "none".  *stop, set by the owner, ends the connections: lmtp_server_stop
 * then waits for them.
 */
dm_err	lmtp_server_start(const struct dm_config *cfg, volatile int *stop,
	    struct lmtp_server **out);
void	lmtp_server_stop(struct lmtp_server *s);

/* For `status`: "listening" (run answers), "not running", or "off". */
const char *lmtp_listen_state(const struct dm_config *cfg);

/* cfg->lmtp_listen is a Unix socket's path (not HOST:PORT or "none"). */
int	lmtp_listen_is_path(const struct dm_config *cfg);

#endif
