/*
 * quarantine.c - owns the quarantine table.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/quarantine.h"
#include "deskmail/util.h"

#define INSERT_QUARANTINE \
    "INSERT INTO quarantine (received, reason, source, sha256, from_addr," \
    " subject, size, truncated, raw)"
/* PostgreSQL: RETURNING id is what store_last_id() reads there */
static const struct dm_sql sql_insert = SQL2(INSERT_QUARANTINE
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    INSERT_QUARANTINE
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id");

dm_err
quarantine_add(struct dm_store *st, const struct dm_raw *raw,
    size_t original_size, const char *reason, const char *from,
    const char *subject, time_t now, int64_t *id)
{
	struct dm_stmt *s = store_stmt(st, &sql_insert);
	dm_err err;

	if (s == NULL)
		return store_error(st, "quarantine");
	stmt_bind_int64(s, 1, (int64_t)now);
	stmt_bind_text(s, 2, reason);
	stmt_bind_text(s, 3, raw->source);
	stmt_bind_text(s, 4, raw->sha256);
	stmt_bind_text(s, 5, from);
	stmt_bind_text(s, 6, subject);
	stmt_bind_int64(s, 7, (int64_t)original_size);
	stmt_bind_int(s, 8, original_size > raw->len);
	stmt_bind_blob(s, 9, raw->data, raw->len);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	*id = store_last_id(st);
	return DM_OK;
}

static const struct dm_sql sql_find = SQL(
    "SELECT id, reason FROM quarantine WHERE sha256 = ?1 AND"
    " released_at IS NULL ORDER BY id LIMIT 1");

dm_err
quarantine_find(struct dm_store *st, const char *sha256, int64_t *id,
    char **reason)
{
	struct dm_stmt *s = store_stmt(st, &sql_find);
	dm_err err = DM_OK;
	int rc;

	*id = 0;
	*reason = NULL;
	if (s == NULL)
		return store_error(st, "quarantine");
	stmt_bind_text(s, 1, sha256);
	rc = stmt_step(s);
	if (rc == STMT_ROW) {
		*id = stmt_int64(s, 0);
		*reason = stmt_dup(s, 1);
	} else if (rc != STMT_DONE)
		err = store_error(st, "quarantine");
	stmt_reset(s);
	return err;
}

#define COLUMNS "id, received, reason, source, from_addr, subject, size," \
	" truncated, released_at, released_to"

static void
row(struct dm_stmt *s, struct dm_quarantined *q)
{
	q->id = stmt_int64(s, 0);
	q->received = (time_t)stmt_int64(s, 1);
	q->reason = stmt_dup(s, 2);
	q->source = stmt_dup(s, 3);
	q->from = stmt_dup(s, 4);
	q->subject = stmt_dup(s, 5);
	q->size = (size_t)stmt_int64(s, 6);
	q->truncated = stmt_int(s, 7);
	q->released_at = (time_t)stmt_int64(s, 8);
	q->released_to = stmt_dup(s, 9);
}

void
quarantine_clear(struct dm_quarantined *q)
{
	free(q->reason);
	free(q->source);
	free(q->from);
	free(q->subject);
	free(q->released_to);
}

static const struct dm_sql sql_list_held = SQL(
    "SELECT " COLUMNS " FROM quarantine"
    " WHERE released_at IS NULL ORDER BY id");
static const struct dm_sql sql_list_all = SQL(
    "SELECT " COLUMNS " FROM quarantine"
    " ORDER BY id");

dm_err
quarantine_list(struct dm_store *st, int all, struct dm_quarantined **out,
    size_t *n)
{
	struct dm_stmt *s = store_stmt(st, all ? &sql_list_all :
	    &sql_list_held);
	struct dm_quarantined *v = NULL;
	size_t count = 0;
	int rc;

	*out = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(st, "quarantine");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		v = xreallocarray(v, count + 1, sizeof(*v));
		row(s, &v[count++]);
	}
	if (rc != STMT_DONE) {
		dm_err err = store_error(st, "quarantine");

		stmt_reset(s);
		quarantine_list_free(v, count);
		return err;
	}
	stmt_reset(s);
	*out = v;
	*n = count;
	return DM_OK;
}

void
quarantine_list_free(struct dm_quarantined *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		quarantine_clear(&v[i]);
	free(v);
}

static const struct dm_sql sql_get = SQL(
    "SELECT " COLUMNS ", raw FROM quarantine"
    " WHERE id = ?1");

dm_err
quarantine_get(struct dm_store *st, int64_t id, struct dm_quarantined *q,
    char **raw, size_t *len)
{
	struct dm_stmt *s = store_stmt(st, &sql_get);
	int rc;

	memset(q, 0, sizeof(*q));
	if (s == NULL)
		return store_error(st, "quarantine");
	stmt_bind_int64(s, 1, id);
	rc = stmt_step(s);
	if (rc != STMT_ROW) {
		dm_err err = rc == STMT_DONE ? dm_fail(DM_ENOTFOUND,
		    "no quarantined message %lld", (long long)id) :
		    store_error(st, "quarantine");

		stmt_reset(s);
		return err;
	}
	row(s, q);
	if (raw != NULL) {
		size_t n = (size_t)stmt_bytes(s, 10);

		*raw = xmalloc(n + 1);
		if (n > 0)
			memcpy(*raw, stmt_blob(s, 10), n);
		(*raw)[n] = '\0';
		*len = n;
	}
	stmt_reset(s);
	return DM_OK;
}

static const struct dm_sql sql_release = SQL(
    "UPDATE quarantine SET released_at = ?2, released_to = ?3 WHERE id = ?1");

dm_err
quarantine_release(struct dm_store *st, int64_t id, const char *to,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_release);

	if (s == NULL)
		return store_error(st, "quarantine");
	stmt_bind_int64(s, 1, id);
	stmt_bind_int64(s, 2, (int64_t)now);
	stmt_bind_text(s, 3, to);
	return store_exec_stmt(st, s);
}

static const struct dm_sql sql_drop = SQL2(
    "UPDATE quarantine SET released_at = ?2, released_to = ?3,"
    " raw = zeroblob(0) WHERE id = ?1 AND released_at IS NULL",
    "UPDATE quarantine SET released_at = $2, released_to = $3,"
    " raw = ''::bytea WHERE id = $1 AND released_at IS NULL");

dm_err
quarantine_drop(struct dm_store *st, int64_t id, const char *actor,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_drop);
	struct dm_quarantined q;
	char *to;
	dm_err err;

	if (s == NULL)
		return store_error(st, "quarantine");
	to = xasprintf("dropped by %s", actor);
	stmt_bind_int64(s, 1, id);
	stmt_bind_int64(s, 2, (int64_t)now);
	stmt_bind_text(s, 3, to);
	free(to);
	if ((err = store_exec_stmt(st, s)) != DM_OK ||
	    store_changes(st) == 1)
		return err;
	if ((err = quarantine_get(st, id, &q, NULL, NULL)) != DM_OK)
		return err;
	err = dm_fail(DM_ESTATE, "quarantined message %lld was released "
	    "already (%s)", (long long)id, q.released_to ? q.released_to :
	    "");
	quarantine_clear(&q);
	return err;
}
