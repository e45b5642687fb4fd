/*
 * tick.c - the time-driven work.
 *
 * Auto-close: a resolved ticket whose requester neither accepted nor said
 * "not fixed" within auto_close_days business days (the [sla] calendar:
 * weekends and holidays do not count) is closed by deskmail,
 * each in its own transaction with its survey, so a tick killed half-way
 * leaves every ticket either untouched or closed with its mail queued.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deskmail/actions.h"
#include "deskmail/calendar.h"
#include "deskmail/clock.h"
#include "deskmail/sla.h"
#include "deskmail/tick.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

/* business days are at least calendar days: only those can be due */
static const struct dm_sql sql_resolved = SQL(
    "SELECT id, resolved_at FROM tickets WHERE status = 'resolved'"
    " AND resolved_at <= ?1 ORDER BY resolved_at LIMIT 500");

dm_err
tick_run(struct dm_store *st, const struct dm_config *cfg,
    struct tick_stats *stats)
{
	time_t now = clock_now();
	int64_t *due = NULL;
	size_t n = 0, i;
	struct dm_ticket t;
	struct action a;
	struct calendar cal;
	struct dm_stmt *s;
	dm_err err = DM_OK;
	int rc;

	memset(stats, 0, sizeof(*stats));
	if ((err = calendar_from_config(cfg, &cal)) != DM_OK)
		return err;
	if ((s = store_stmt(st, &sql_resolved)) == NULL) {
		calendar_free(&cal);
		return store_error(st, "tickets");
	}
	stmt_bind_int64(s, 1, (int64_t)(now -
	    cfg->auto_close_days * 86400));
	while ((rc = stmt_step(s)) == STMT_ROW) {
		time_t at = (time_t)stmt_int64(s, 1);

		/* business days: weekends and holidays do not count */
		if (calendar_add_days(&cal, at, cfg->auto_close_days) > now)
			continue;
		due = xreallocarray(due, n + 1, sizeof(*due));
		due[n++] = stmt_int64(s, 0);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "tickets");
	stmt_reset(s);
	a.st = st;
	a.cfg = cfg;
	a.actor = "deskmail";
	a.now = now;
	a.text_stored = 1;	/* no text */
	a.message = 0;
	for (i = 0; i < n && err == DM_OK; i++) {
		if ((err = store_begin(st)) != DM_OK)
			break;
		if ((err = ticket_get(st, due[i], &t)) == DM_OK) {
			/* still resolved? a reply may have reopened it */
			if (strcmp(t.status, TS_RESOLVED) == 0) {
				err = action_auto_close(&a, &t);
				stats->auto_closed += err == DM_OK;
			}
			ticket_clear(&t);
		}
		if (err == DM_OK)
			err = store_commit(st);
		else
			store_rollback(st);
	}
	free(due);
	calendar_free(&cal);
	if (err == DM_OK)
		err = sla_tick(st, cfg, &stats->sla_fired);
	return err;
}
