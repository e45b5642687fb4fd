/*
 * watch.c - one thread per mailbox in `deskmail run`.
 *
 * The thread owns its own database connection and IMAP session.  It never
 * gives up on a transient error: every failure closes the session and the
 * next attempt comes after a backoff (1 s doubling to 5 min, with jitter,
 * so many deskmails do not reconnect in step), with one log line each.
 * Configuration errors (a wrong password, an untrusted certificate) are
 * logged the same way and retried slowly: an admin may fix the server.
 *
 * On a PostgreSQL store several deskmails may run: a mailbox is watched
 * by the one holding its lease (store_lease()).  The others ask for it
 * every LEASE_POLL seconds, so one takes over soon after its holder
 * dies; the holder checks it still holds it at least every LEASE_CHECK
 * seconds (its connection to the database may have broken meanwhile).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "deskmail/fetch.h"
#include "deskmail/imap.h"
#include "deskmail/log.h"
#include "deskmail/mailbox.h"
#include "deskmail/store.h"
#include "deskmail/util.h"
#include "deskmail/watch.h"

/* Re-issue IDLE well before the 29 minutes after which servers may drop us. */
#define IDLE_SECONDS	(25 * 60)
#define BACKOFF_MAX	300
#define LEASE_POLL	5
#define LEASE_CHECK	20

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
	unsigned idle = store_is_pg(st) ? LEASE_CHECK : IDLE_SECONDS;
	dm_err err = DM_OK;
	int held;

	while (!*w->stop) {
		if ((err = mailbox_lease(st, w->mb->name, &held)) != DM_OK)
			break;
		if (!held) {
			err = dm_fail(DM_EBUSY, "%s: another deskmail took "
			    "the mailbox over", w->mb->name);
			break;
		}
		err = fetch_mailbox(st, w->cfg, w->mb, im, &stats, report, w,
		    w->stop);
		if (err != DM_OK || *w->stop)
			break;
		if (imap_has_idle(im)) {
			if ((err = imap_idle(im, idle, w->stop)) != DM_OK)
				break;
		} else {
			nap(w->stop, (unsigned)w->mb->poll_seconds);
			if (!*w->stop && (err = imap_noop(im)) != DM_OK)
				break;
		}
	}
	return err;
}

/*
 * Wait until this deskmail holds the mailbox's lease (at once on SQLite),
 * saying once that another one watches it.  Nonzero when held.
 */
static int
take_lease(struct watch *w, struct dm_store *st)
{
	int held = 0, said = 0, failing = 0, ok;

	while (!*w->stop) {
		ok = mailbox_lease(st, w->mb->name, &held) == DM_OK;
		/* once per outage, not every LEASE_POLL seconds */
		if (!ok && !failing)
			log_error("run: %s: %s", w->mb->name, dm_errdetail());
		failing = !ok;
		if (!ok)
			held = 0;
		else if (held)
			break;
		else if (!said) {
			log_info("%s: another deskmail watches it; taking it "
			    "over when that one stops", w->mb->name);
			said = 1;
		}
		nap(w->stop, LEASE_POLL);
	}
	if (held && said)
		log_info("%s: taken over", w->mb->name);
	return held;
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
		if (!take_lease(w, st))
			break;		/* stopped */
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
		if (err == DM_EBUSY) {	/* the lease went elsewhere */
			log_info("run: %s", dm_errdetail());
			continue;
		}
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
