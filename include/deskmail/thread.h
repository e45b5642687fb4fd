/*
 * thread.h - which ticket an inbound message belongs to (DESIGN.md order):
 * our subject tag, then In-Reply-To/References naming a message we stored
 * or sent, else none (a new ticket).
 */
#ifndef DESKMAIL_THREAD_H
#define DESKMAIL_THREAD_H

#include <stdint.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/mime.h"
#include "deskmail/store.h"

/* The ticket number in "[TAG #123]" inside subject (0 if none). */
int64_t	thread_subject_tag(const char *subject, const char *tag);

/*
 * Find the ticket of m: *ticket is 0 when it starts a new one; *how says
 * what matched ("subject tag", "in-reply-to", "references", "bounced mail").
 */
dm_err	thread_find(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_parsed *m, int64_t *ticket, const char **how);

#endif
