/*
 * autosender.c - owns the auto_senders table: who sent us automatic mail,
 * why (classify's word) and when last.
 */
#include <stdlib.h>

#include "deskmail/autosender.h"
#include "deskmail/util.h"

/* PostgreSQL: greatest(), its scalar max(); a bare "last" would be
 * ambiguous between the row and excluded */
static const struct dm_sql sql_note = SQL2(
    "INSERT INTO auto_senders (address, reason, last) VALUES (?1, ?2, ?3)"
    " ON CONFLICT (address) DO UPDATE SET reason = excluded.reason,"
    " last = max(last, excluded.last)",
    "INSERT INTO auto_senders (address, reason, last) VALUES ($1, $2, $3)"
    " ON CONFLICT (address) DO UPDATE SET reason = excluded.reason,"
    " last = greatest(auto_senders.last, excluded.last)");

dm_err
auto_sender_note(struct dm_store *st, const char *address, const char *reason,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_note);

	if (s == NULL)
		return store_error(st, "auto_senders");
	stmt_bind_text(s, 1, address);
	stmt_bind_text(s, 2, reason);
	stmt_bind_int64(s, 3, (int64_t)now);
	return store_exec_stmt(st, s);
}

static const struct dm_sql sql_check = SQL(
    "SELECT reason FROM auto_senders WHERE address = ?1 AND last > ?2");

dm_err
auto_sender_check(struct dm_store *st, const char *address, time_t now,
    char **reason)
{
	struct dm_stmt *s = store_stmt(st, &sql_check);
	dm_err err = DM_OK;
	int rc;

	*reason = NULL;
	if (s == NULL)
		return store_error(st, "auto_senders");
	stmt_bind_text(s, 1, address);
	stmt_bind_int64(s, 2, (int64_t)(now -
	    (time_t)AUTO_SENDER_DAYS * 86400));
	if ((rc = stmt_step(s)) == STMT_ROW)
		*reason = stmt_dup(s, 0);
	else if (rc != STMT_DONE)
		err = store_error(st, "auto_senders");
	stmt_reset(s);
	return err;
}
