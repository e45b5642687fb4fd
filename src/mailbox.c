/*
 * mailbox.c - owns the mailbox_state table (IMAP checkpoints).
 */
#include <stdlib.h>

#include "deskmail/mailbox.h"
#include "deskmail/util.h"

static const struct dm_sql sql_get = SQL(
    "SELECT uidvalidity, last_uid, updated FROM mailbox_state"
    " WHERE mailbox = ?1");

dm_err
mailbox_state_get(struct dm_store *st, const char *mailbox,
    uint32_t *uidvalidity, uint32_t *last_uid, time_t *updated)
{
	struct dm_stmt *s = store_stmt(st, &sql_get);
	dm_err err = DM_OK;
	int rc;

	*uidvalidity = *last_uid = 0;
	if (updated != NULL)
		*updated = 0;
	if (s == NULL)
		return store_error(st, "mailbox_state");
	stmt_bind_text(s, 1, mailbox);
	rc = stmt_step(s);
	if (rc == STMT_ROW) {
		*uidvalidity = (uint32_t)stmt_int64(s, 0);
		*last_uid = (uint32_t)stmt_int64(s, 1);
		if (updated != NULL)
			*updated = (time_t)stmt_int64(s, 2);
	} else if (rc != STMT_DONE)
		err = store_error(st, "mailbox_state");
	stmt_reset(s);
	return err;
}

static const struct dm_sql sql_set = SQL(
    "INSERT INTO mailbox_state (mailbox, uidvalidity, last_uid, updated)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (mailbox) DO UPDATE SET"
    " uidvalidity = ?2, last_uid = ?3, updated = ?4");

dm_err
mailbox_state_set(struct dm_store *st, const char *mailbox,
    uint32_t uidvalidity, uint32_t last_uid, time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_set);

	if (s == NULL)
		return store_error(st, "mailbox_state");
	stmt_bind_text(s, 1, mailbox);
	stmt_bind_int64(s, 2, uidvalidity);
	stmt_bind_int64(s, 3, last_uid);
	stmt_bind_int64(s, 4, (int64_t)now);
	return store_exec_stmt(st, s);
}

/* The lease's name: the mailbox's, as every host's configuration has it. */
static char *
lease_key(const char *mailbox)
{
	return xasprintf("mailbox %s", mailbox);
}

dm_err
mailbox_lease(struct dm_store *st, const char *mailbox, int *held)
{
	char *key = lease_key(mailbox);
	dm_err err = store_lease(st, key, held);

	free(key);
	return err;
}

dm_err
mailbox_watcher(struct dm_store *st, const char *mailbox, char **watcher)
{
	char *key = lease_key(mailbox);
	dm_err err = store_lease_holder(st, key, watcher);

	free(key);
	return err;
}
