/*
 * watch.h - keeping one IMAP mailbox fetched for the `run` service: a
 * thread that connects, fetches, waits in IDLE (or polls), and reconnects
 * with exponential backoff and jitter when the server goes away.
 */
#ifndef DESKMAIL_WATCH_H
#define DESKMAIL_WATCH_H

#include <pthread.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct watch {
	const struct dm_config	*cfg;
	const struct dm_mailbox	*mb;
	volatile int		*stop;		/* set by the owner to end it */
	pthread_t		 thread;
	int			 started;
};

/* Start the thread for w->mb.  It ends on its own only when *w->stop. */
dm_err	watch_start(struct watch *w);

/* Wait for the thread to end (after *w->stop was set). */
void	watch_join(struct watch *w);

/* Seconds to wait before reconnect attempt n (1, 2, 4 ... 300, jittered). */
unsigned watch_backoff(unsigned attempt);

#endif
