/*
 * mailbox.c - owns the mailbox_state table (IMAP checkpoints).
 */
#include "deskmail/mailbox.h"

static const char sql_get[] =
    "SELECT uidvalidity, last_uid, updated FROM mailbox_state"
    " WHERE mailbox = ?1";

dm_err
mailbox_state_get(struct dm_store *st, const char *mailbox,
    uint32_t *uidvalidity, uint32_t *last_uid, time_t *updated)
{
	sqlite3_stmt *s = store_stmt(st, sql_get);
	dm_err err = DM_OK;
	int rc;

	*uidvalidity = *last_uid = 0;
	if (updated != NULL)
		*updated = 0;
	if (s == NULL)
		return store_error(st, "mailbox_state");
	store_bind_text(s, 1, mailbox);
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		*uidvalidity = (uint32_t)sqlite3_column_int64(s, 0);
		*last_uid = (uint32_t)sqlite3_column_int64(s, 1);
		if (updated != NULL)
			*updated = (time_t)sqlite3_column_int64(s, 2);
	} else if (rc != SQLITE_DONE)
		err = store_error(st, "mailbox_state");
	sqlite3_reset(s);
	return err;
}

static const char sql_set[] =
    "INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, updated)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (mailbox) DO UPDATE SET"
    " uidvalidity = ?2, last_uid = ?3, updated = ?4";

dm_err
mailbox_state_set(struct dm_store *st, const char *mailbox,
    uint32_t uidvalidity, uint32_t last_uid, time_t now)
{
	sqlite3_stmt *s = store_stmt(st, sql_set);

	if (s == NULL)
		return store_error(st, "mailbox_state");
	store_bind_text(s, 1, mailbox);
	sqlite3_bind_int64(s, 2, uidvalidity);
	sqlite3_bind_int64(s, 3, last_uid);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)now);
	return store_exec_stmt(st, s);
}
