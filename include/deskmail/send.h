/*
 * send.h - draining the outbox: render each due row, hand it to the SMTP
 * server, and mark it sent right after the server accepted it.
 */
#ifndef DESKMAIL_SEND_H
#define DESKMAIL_SEND_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

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

/*
 * Outgoing mail id as the sender would write it at now (headers and
 * body, CRLF), whatever its state: `deskmail outbox show`.  Rendering a
 * digest seals it, so the caller renders inside a transaction it rolls
 * back.  *data is freed by the caller.
 */
dm_err	send_render(struct dm_store *st, const struct dm_config *cfg,
	    int64_t id, time_t now, char **data, size_t *len);

#endif
