/*
 * lock.h - one fetching deskmail per database: `fetch` from cron and the
 * `run` service take the same lock, a flock on "<database>.lock".
 */
#ifndef DESKMAIL_LOCK_H
#define DESKMAIL_LOCK_H

#include "deskmail/config.h"
#include "deskmail/err.h"

/*
 * Take lock what ("fetch": fetch and run's watchers; "send": the outbox
 * sender) without waiting: DM_EBUSY if another process holds it.
 */
dm_err	lock_take(const struct dm_config *cfg, const char *what, int *fd);

/*
 * The database's use lock, "<database>.use.lock": every open store holds
 * it shared and `upgrade` exclusive, so no deskmail runs its code on a
 * schema it was not built for, or reads one half made.  Waits up to
 * wait_ms for it, then DM_EBUSY.
 */
dm_err	lock_use(const struct dm_config *cfg, int exclusive, long wait_ms,
	    int *fd);

/* Release it (closing the descriptor releases the flock). */
void	lock_release(int fd);

#endif
