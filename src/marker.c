/*
 * marker.c - the thread that marks outbox rows sent (see marker.h).
 * One slot: the sender posts a row, goes on with the next mail, and waits
 * for the slot before that mail can be accepted.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/marker.h"
#include "deskmail/outbox.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

struct marker {
	struct dm_store	*st;
	pthread_t	 thread;
	pthread_mutex_t	 mu;
	pthread_cond_t	 cv;
	int64_t		 id;		/* the row posted */
	time_t		 when;
	int		 pending;	/* posted and not yet committed */
	int		 quit;
	dm_err		 result;	/* of the last mark */
	char		 detail[256];
};

static void *
run(void *arg)
{
	struct marker *m = arg;
	dm_err err;

	pthread_mutex_lock(&m->mu);
	for (;;) {
		while (!m->pending && !m->quit)
			pthread_cond_wait(&m->cv, &m->mu);
		if (!m->pending)
			break;
		pthread_mutex_unlock(&m->mu);
		err = outbox_mark_sent(m->st, m->id, m->when);
		pthread_mutex_lock(&m->mu);
		m->result = err;
		if (err != DM_OK)
			snprintf(m->detail, sizeof(m->detail), "%s",
			    dm_errdetail());
		m->pending = 0;
		pthread_cond_broadcast(&m->cv);
	}
	pthread_mutex_unlock(&m->mu);
	return NULL;
}

dm_err
marker_start(const struct dm_config *cfg, struct marker **out)
{
	struct marker *m = xcalloc(1, sizeof(*m));
	dm_err err;
	int rc;

	*out = NULL;
	if ((err = store_open(cfg, STORE_CURRENT, &m->st)) != DM_OK) {
		free(m);
		return err;
	}
	pthread_mutex_init(&m->mu, NULL);
	pthread_cond_init(&m->cv, NULL);
	if ((rc = pthread_create(&m->thread, NULL, run, m)) != 0) {
		store_close(m->st);
		pthread_cond_destroy(&m->cv);
		pthread_mutex_destroy(&m->mu);
		free(m);
		return dm_fail(DM_ESOFTWARE, "send: cannot start a thread: %s",
		    strerror(rc));
	}
	*out = m;
	return DM_OK;
}

void
marker_post(struct marker *m, int64_t id, time_t t)
{
	pthread_mutex_lock(&m->mu);
	m->id = id;
	m->when = t;
	m->pending = 1;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
}

dm_err
marker_wait(struct marker *m, int64_t *id)
{
	dm_err err;

	pthread_mutex_lock(&m->mu);
	while (m->pending)
		pthread_cond_wait(&m->cv, &m->mu);
	err = m->result;
	m->result = DM_OK;
	*id = m->id;
	pthread_mutex_unlock(&m->mu);
	if (err != DM_OK)
		return dm_fail(err, "%s", m->detail);
	return DM_OK;
}

void
marker_stop(struct marker *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->mu);
	m->quit = 1;
	pthread_cond_broadcast(&m->cv);
	pthread_mutex_unlock(&m->mu);
	pthread_join(m->thread, NULL);
	store_close(m->st);
	pthread_cond_destroy(&m->cv);
	pthread_mutex_destroy(&m->mu);
	free(m);
}
