/*
 * sender.h - the outbox sender thread of `deskmail run`: drains what is
 * due every second, backs off while the SMTP server is unreachable.
 */
#ifndef DESKMAIL_SENDER_H
#define DESKMAIL_SENDER_H

#include <pthread.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct sender {
	const struct dm_config	*cfg;
	volatile int		*stop;
	pthread_t		 thread;
	int			 started;
};

dm_err	sender_start(struct sender *s);
void	sender_join(struct sender *s);

#endif
