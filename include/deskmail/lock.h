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

/* Release it (closing the descriptor releases the flock). */
void	lock_release(int fd);

#endif
