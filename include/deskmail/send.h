/*
 * send.h - draining the outbox: render each due row, hand it to the SMTP
 * server, and mark it sent right after the server accepted it.
 */
#ifndef DESKMAIL_SEND_H
#define DESKMAIL_SEND_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/smtp.h"
#include "deskmail/store.h"

struct send_stats {
	size_t	sent;
	size_t	deferred;
	size_t	failed;
};

/*
 * Send every row due now, until none is left, the server cannot be
 * reached (the rest waits for the next pass), or *stop (may be NULL).
 * A template error stops the pass with DM_ECONFIG: nothing half-rendered
 * is ever sent.
 */
dm_err	send_due(struct dm_store *st, const struct dm_config *cfg,
	    struct dm_smtp *smtp, struct send_stats *stats, volatile int *stop);

#endif
