/*
 * outbox.c - owns the outbox table.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/outbox.h"
#include "deskmail/util.h"

static const char sql_insert[] =
    "INSERT INTO outbox (ticket_id, template, recipient, message_id,"
    " in_reply_to, refs, automatic, created, next_attempt, params)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?9)";

dm_err
outbox_queue(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_item *item, time_t now, char **msgid)
{
	sqlite3_stmt *s = store_stmt(st, sql_insert);
	unsigned char rnd[8];
	char *id;
	dm_err err;

	if (msgid != NULL)
		*msgid = NULL;
	if (s == NULL)
		return store_error(st, "outbox");
	/* unique without a counter: ticket, time and 64 random bits */
	if ((err = random_bytes(rnd, sizeof(rnd))) != DM_OK)
		return err;
	id = xasprintf("dm.%lld.%lld.%02x%02x%02x%02x%02x%02x%02x%02x@%s",
	    (long long)item->ticket, (long long)now, rnd[0], rnd[1], rnd[2],
	    rnd[3], rnd[4], rnd[5], rnd[6], rnd[7], cfg->domain);
	if (item->ticket > 0)
		sqlite3_bind_int64(s, 1, item->ticket);
	store_bind_text(s, 2, item->template);
	store_bind_text(s, 3, item->recipient);
	store_bind_text(s, 4, id);
	store_bind_text(s, 5, item->in_reply_to);
	store_bind_text(s, 6, item->refs);
	sqlite3_bind_int(s, 7, item->automatic);
	sqlite3_bind_int64(s, 8, (sqlite3_int64)now);
	store_bind_text(s, 9, item->params);
	err = store_exec_stmt(st, s);
	if (err == DM_OK && msgid != NULL)
		*msgid = id;
	else
		free(id);
	return err;
}

static const char sql_count[] =
    "SELECT count(*) FROM outbox WHERE recipient = ?1 AND automatic = 1"
    " AND created >= ?2";

dm_err
outbox_count_automatic(struct dm_store *st, const char *recipient,
    time_t since, long *count)
{
	sqlite3_stmt *s = store_stmt(st, sql_count);
	dm_err err = DM_OK;

	*count = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	store_bind_text(s, 1, recipient);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)since);
	if (sqlite3_step(s) == SQLITE_ROW)
		*count = (long)sqlite3_column_int64(s, 0);
	else
		err = store_error(st, "outbox");
	sqlite3_reset(s);
	return err;
}

static const char sql_by_msgid[] =
    "SELECT ticket_id FROM outbox WHERE message_id = ?1";

dm_err
outbox_ticket_by_msgid(struct dm_store *st, const char *msgid,
    int64_t *ticket)
{
	return store_query_id(st, sql_by_msgid, msgid, ticket);
}

/* ---- JSON view ------------------------------------------------------- */

#include "deskmail/json.h"

#define OUTBOX_COLUMNS "id, ticket_id, template, recipient, message_id," \
	" automatic, status, created, next_attempt, attempts, sent_at," \
	" last_error, in_reply_to, refs FROM outbox"

static const char sql_list_all[] = "SELECT " OUTBOX_COLUMNS " ORDER BY id";
static const char sql_list_ticket[] = "SELECT " OUTBOX_COLUMNS
    " WHERE ticket_id = ?1 ORDER BY id";

dm_err
outbox_list_json(struct dm_store *st, int64_t ticket,
    struct json_object *array)
{
	sqlite3_stmt *s = store_stmt(st, ticket ? sql_list_ticket :
	    sql_list_all);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(st, "outbox");
	if (ticket)
		sqlite3_bind_int64(s, 1, ticket);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id",
		    json_object_new_int64(sqlite3_column_int64(s, 0)));
		json_object_object_add(o, "ticket",
		    sqlite3_column_type(s, 1) == SQLITE_NULL ? NULL :
		    json_object_new_int64(sqlite3_column_int64(s, 1)));
		json_put_text(o, "template", s, 2);
		json_put_text(o, "to", s, 3);
		json_put_text(o, "message_id", s, 4);
		json_object_object_add(o, "automatic",
		    json_object_new_boolean(sqlite3_column_int(s, 5)));
		json_put_text(o, "status", s, 6);
		json_put_time(o, "created", (time_t)sqlite3_column_int64(s, 7));
		json_put_time(o, "next_attempt",
		    (time_t)sqlite3_column_int64(s, 8));
		json_object_object_add(o, "attempts",
		    json_object_new_int(sqlite3_column_int(s, 9)));
		json_put_time(o, "sent", (time_t)sqlite3_column_int64(s, 10));
		json_put_text(o, "last_error", s, 11);
		json_put_text(o, "in_reply_to", s, 12);
		json_put_text(o, "references", s, 13);
		json_object_array_add(array, o);
	}
	if (rc != SQLITE_DONE)
		err = store_error(st, "outbox");
	sqlite3_reset(s);
	return err;
}
