/*
 * watch.c - one thread per mailbox in `deskmail run`.
 *
 * The thread owns its own database connection and IMAP session.  It never
 * gives up on a transient error: every failure closes the session and the
 * next attempt comes after a backoff (1 s doubling to 5 min, with jitter,
 * so many deskmails do not reconnect in step), with one log line each.
 * Configuration errors (a wrong password, an untrusted certificate) are
 * logged the same way and retried slowly: an admin may fix the server.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deskmail/fetch.h"
#include "deskmail/imap.h"
#include "deskmail/log.h"
#include "deskmail/store.h"
#include "deskmail/util.h"
#include "deskmail/watch.h"

/* Re-issue IDLE well before the 29 minutes after which servers may drop us. */
#define IDLE_SECONDS	(25 * 60)
#define BACKOFF_MAX	300

unsigned
watch_backoff(unsigned attempt)
{
	unsigned base = attempt >= 9 ? BACKOFF_MAX : 1u << attempt, r = 0;

	if (base > BACKOFF_MAX)
		base = BACKOFF_MAX;
	random_bytes(&r, sizeof(r));
	/* between half and all of the base delay */
	return base / 2 + (base > 1 ? r % (base - base / 2 + 1) : 1);
}

/* Sleep up to seconds, waking early when *stop is set. */
static void
nap(volatile int *stop, unsigned seconds)
{
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	unsigned i;

	for (i = 0; i < seconds * 5 && !*stop; i++)
		nanosleep(&ts, NULL);
}

static void
report(void *arg, const struct fetch_stats *s, const char *line)
{
	const struct watch *w = arg;

	(void)s;
	if (line != NULL)
		log_info("%s: %s", w->mb->name, line);
}

/* Connected: fetch, then wait for more, until an error or stop. */
static dm_err
serve(struct watch *w, struct dm_store *st, struct dm_imap *im)
{
	struct fetch_stats stats;
	dm_err err;

	while (!*w->stop) {
		err = fetch_mailbox(st, w->cfg, w->mb, im, &stats, report, w,
		    w->stop);
		if (err != DM_OK)
			return err;
		if (*w->stop)
			break;
		if (imap_has_idle(im)) {
			if ((err = imap_idle(im, IDLE_SECONDS, w->stop)) != DM_OK)
				return err;
		} else {
			nap(w->stop, (unsigned)w->mb->poll_seconds);
			if (!*w->stop && (err = imap_noop(im)) != DM_OK)
				return err;
		}
	}
	return DM_OK;
}

static void *
run(void *arg)
{
	struct watch *w = arg;
	struct dm_store *st = NULL;
	struct dm_imap *im;
	unsigned attempt = 0, delay;
	dm_err err;

	while (!*w->stop) {
		if (st == NULL && (err = store_open(w->cfg, STORE_CURRENT,
		    &st)) != DM_OK)
			goto retry;
		if ((err = imap_open(w->mb, &im)) != DM_OK)
			goto retry;
		if (attempt > 0)
			log_info("%s: connected again to %s", w->mb->name,
			    w->mb->host);
		attempt = 0;
		err = serve(w, st, im);
		imap_close(im);
		if (err == DM_OK)
			break;		/* stopped */
retry:
		delay = watch_backoff(attempt++);
		/* the detail names the mailbox and server already */
		log_error("run: %s; reconnecting in %u s", dm_errdetail(),
		    delay);
		nap(w->stop, delay);
	}
	store_close(st);
	return NULL;
}

dm_err
watch_start(struct watch *w)
{
	int rc;

	if ((rc = pthread_create(&w->thread, NULL, run, w)) != 0)
		return dm_fail(DM_ESOFTWARE, "%s: cannot start a thread: %s",
		    w->mb->name, strerror(rc));
	w->started = 1;
	return DM_OK;
}

void
watch_join(struct watch *w)
{
	if (w->started)
		pthread_join(w->thread, NULL);
	w->started = 0;
}
