/*
 * survey.c - owns the surveys table.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/survey.h"

static const struct dm_sql sql_get = SQL(
    "SELECT rating, comment, answered, updated FROM surveys"
    " WHERE ticket_id = ?1");

dm_err
survey_get(struct dm_store *st, int64_t ticket, struct dm_survey *s)
{
	struct dm_stmt *q = store_stmt(st, &sql_get);
	dm_err err = DM_OK;
	int rc;

	memset(s, 0, sizeof(*s));
	if (q == NULL)
		return store_error(st, "surveys");
	stmt_bind_int64(q, 1, ticket);
	rc = stmt_step(q);
	if (rc == STMT_ROW) {
		s->rating = stmt_int(q, 0);
		s->comment = stmt_dup(q, 1);
		s->answered = (time_t)stmt_int64(q, 2);
		s->updated = (time_t)stmt_int64(q, 3);
	} else if (rc != STMT_DONE)
		err = store_error(st, "surveys");
	stmt_reset(q);
	return err;
}

void
survey_clear(struct dm_survey *s)
{
	free(s->comment);
	memset(s, 0, sizeof(*s));
}

static const struct dm_sql sql_put = SQL(
    "INSERT INTO surveys (ticket_id, rating, comment, answered, updated)"
    " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (ticket_id) DO UPDATE SET"
    " rating = ?2, comment = ?3, updated = ?4");

dm_err
survey_put(struct dm_store *st, int64_t ticket, int rating,
    const char *comment, time_t now)
{
	struct dm_stmt *q = store_stmt(st, &sql_put);

	if (q == NULL)
		return store_error(st, "surveys");
	stmt_bind_int64(q, 1, ticket);
	stmt_bind_int(q, 2, rating);
	stmt_bind_text(q, 3, comment ? comment : "");
	stmt_bind_int64(q, 4, (int64_t)now);
	return store_exec_stmt(st, q);
}
