/*
 * sender.c - the outbox sender thread (run).  Its own database connection
 * and SMTP session; each pass sends everything due, so a mail queued by
 * an IMAP watcher leaves within about a second.
 */
#include <string.h>
#include <time.h>

#include "deskmail/log.h"
#include "deskmail/send.h"
#include "deskmail/sender.h"
#include "deskmail/smtp.h"
#include "deskmail/store.h"
#include "deskmail/watch.h"

static void
nap(volatile int *stop, unsigned tenths)
{
	struct timespec ts = { 0, 100 * 1000 * 1000 };
	unsigned i;

	for (i = 0; i < tenths && !*stop; i++)
		nanosleep(&ts, NULL);
}

static void *
run(void *arg)
{
	struct sender *s = arg;
	struct dm_store *st = NULL;
	struct dm_smtp *smtp = NULL;
	struct send_stats stats;
	unsigned attempt = 0, delay;
	dm_err err;

	while (!*s->stop) {
		if (st == NULL && (err = store_open(s->cfg, STORE_CURRENT,
		    &st)) != DM_OK)
			goto fail;
		if (smtp == NULL && (err = smtp_open(s->cfg, &smtp)) != DM_OK)
			goto fail;
		err = send_due(st, s->cfg, smtp, &stats, s->stop);
		if (stats.sent || stats.failed || (stats.deferred && err == DM_OK))
			log_info("send: sent %zu, deferred %zu, failed %zu",
			    stats.sent, stats.deferred, stats.failed);
		if (err != DM_OK)
			goto fail;
		attempt = 0;
		nap(s->stop, 10);
		continue;
fail:
		/* a fresh SMTP session after any failure */
		smtp_close(smtp);
		smtp = NULL;
		delay = watch_backoff(attempt++);
		log_error("send: %s; trying again in %u s", dm_errdetail(),
		    delay);
		nap(s->stop, delay * 10);
	}
	smtp_close(smtp);
	store_close(st);
	return NULL;
}

dm_err
sender_start(struct sender *s)
{
	int rc;

	if ((rc = pthread_create(&s->thread, NULL, run, s)) != 0)
		return dm_fail(DM_ESOFTWARE, "send: cannot start a thread: %s",
		    strerror(rc));
	s->started = 1;
	return DM_OK;
}

void
sender_join(struct sender *s)
{
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = 0;
}
