/*
 * batch.c - messages that arrived together, stored in one transaction
 * (see batch.h).
 */
#include <stdio.h>
#include <sysexits.h>
#include <time.h>

#include "deskmail/batch.h"
#include "deskmail/ingest.h"
#include "deskmail/log.h"
#include "deskmail/store.h"

static void
fail_all(struct batch_job *j, size_t n, const char *why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		j[i].status = EX_TEMPFAIL;
		snprintf(j[i].line, sizeof(j[i].line), "%s", why);
	}
}

/*
 * Room in the WAL is best effort, and after a failure (a full disk) not
 * tried again for a minute.
 */
dm_err
batch_prepare(struct batch_writer *w)
{
	dm_err err;

	if (w->st == NULL &&
	    (err = store_open(w->cfg, STORE_CURRENT, &w->st)) != DM_OK)
		return err;
	if (time(NULL) >= w->reserve_after && store_wal_reserve(w->st) != DM_OK)
		w->reserve_after = time(NULL) + 60;
	return DM_OK;
}

void
batch_store(struct batch_writer *w, struct batch_job *j, size_t n)
{
	struct ingest_result res;
	size_t i;

	if (batch_prepare(w) != DM_OK) {
		fail_all(j, n, dm_errdetail());
		return;
	}
	if (n > 1 && store_begin(w->st) != DM_OK) {
		fail_all(j, n, dm_errdetail());
		return;
	}
	for (i = 0; i < n; i++) {
		if (ingest_message(w->st, w->cfg, j[i].raw, j[i].len,
		    j[i].total, w->source, 0, &res) != DM_OK) {
			log_error("%s: %s", w->log_as, dm_errdetail());
			fail_all(&j[i], 1, dm_errdetail());
			/* an error SQLite rolled the whole batch back for */
			if (n > 1 && !store_in_transaction(w->st)) {
				fail_all(j, n, "batch rolled back");
				return;
			}
			continue;
		}
		if (res.warning[0] != '\0')
			log_error("%s: %s", w->log_as, res.warning);
		j[i].status = EX_OK;
		ingest_format(&res, j[i].line, sizeof(j[i].line));
	}
	if (n > 1 && store_commit(w->st) != DM_OK) {
		fail_all(j, n, dm_errdetail());
		store_rollback(w->st);
	}
}

void
batch_close(struct batch_writer *w)
{
	store_close(w->st);
	w->st = NULL;
}
