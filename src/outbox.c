/*
 * outbox.c - owns the outbox table.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/notice.h"
#include "deskmail/outbox.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

char *
outbox_params(const char *key, ...)
{
	struct json_object *o = json_object_new_object();
	const char *k, *v;
	va_list ap;
	char *s;

	va_start(ap, key);
	for (k = key; k != NULL; k = va_arg(ap, const char *)) {
		v = va_arg(ap, const char *);
		if (v != NULL)
			json_object_object_add(o, k, json_object_new_string(v));
	}
	va_end(ap);
	s = xstrdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return s;
}

#define INSERT_OUTBOX \
    "INSERT INTO outbox (ticket_id, template, recipient, message_id," \
    " in_reply_to, refs, automatic, created, next_attempt, params, status," \
    " digest)"
/* PostgreSQL: "$8 + $10" has no type without the cast; RETURNING id is
 * what store_last_id() reads there */
static const struct dm_sql sql_insert = SQL2(INSERT_OUTBOX
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8 + ?10, ?9, ?11, ?12)",
    INSERT_OUTBOX
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8 + $10::bigint, $9, $11,"
    " $12) RETURNING id");

/* One row; digest > 0: held for that digest row, else queued. */
static dm_err
insert(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_item *item, time_t now, int64_t digest,
    char **msgid)
{
	struct dm_stmt *s = store_stmt(st, &sql_insert);
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
		stmt_bind_int64(s, 1, item->ticket);
	stmt_bind_text(s, 2, item->template);
	stmt_bind_text(s, 3, item->recipient);
	stmt_bind_text(s, 4, id);
	stmt_bind_text(s, 5, item->in_reply_to);
	stmt_bind_text(s, 6, item->refs);
	stmt_bind_int(s, 7, item->automatic);
	stmt_bind_int64(s, 8, (int64_t)now);
	stmt_bind_text(s, 9, item->params);
	stmt_bind_int64(s, 10, item->delay);
	stmt_bind_text(s, 11, digest > 0 ? "held" : "queued");
	if (digest > 0)
		stmt_bind_int64(s, 12, digest);
	err = store_exec_stmt(st, s);
	if (err == DM_OK && msgid != NULL)
		*msgid = id;
	else
		free(id);
	return err;
}

/*
 * The per-ticket limit on staff notices.  Rows to the recipient about
 * the ticket in the last hour count (a digest too; held and cancelled
 * ones do not); at the limit, *digest is the open digest that takes the
 * next notice, made if there is none, due when the oldest counted row
 * leaves the hour.  0: under the limit.
 *
 * Here and below, a statement about one ticket finds its rows by the
 * ticket (a few dozen at most): the unary + keeps SQLite from the index
 * on the recipient, which for a team's address holds every new ticket's
 * notice of the hour and made each new ticket cost more than the last.
 * PostgreSQL has no unary + on text; its planner goes by statistics.
 */
static const struct dm_sql sql_recent = SQL2(
    "SELECT count(*), min(created) FROM outbox WHERE ticket_id = ?1 AND"
    " +recipient = ?2 AND +created > ?3 AND status NOT IN ('held',"
    " 'cancelled')",
    "SELECT count(*), min(created) FROM outbox WHERE ticket_id = $1 AND"
    " recipient = $2 AND created > $3 AND status NOT IN ('held',"
    " 'cancelled')");
static const struct dm_sql sql_open_digest = SQL(
    "SELECT id FROM outbox WHERE ticket_id = ?1 AND recipient = ?2 AND"
    " template = 'digest' AND status = 'queued' AND sealed = 0"
    " ORDER BY id DESC LIMIT 1");

static dm_err
digest_for(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_item *item, time_t now, int64_t *digest)
{
	struct dm_stmt *s = store_stmt(st, &sql_recent);
	struct dm_outbox_item d;
	int64_t count = 0, oldest = 0;
	char *detail, limit[24];
	dm_err err;
	int rc;

	*digest = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, item->ticket);
	stmt_bind_text(s, 2, item->recipient);
	stmt_bind_int64(s, 3, (int64_t)(now - 3600));
	if ((rc = stmt_step(s)) == STMT_ROW) {
		count = stmt_int64(s, 0);
		oldest = stmt_int64(s, 1);
	}
	stmt_reset(s);
	if (rc != STMT_ROW)
		return store_error(st, "outbox");
	if (count < cfg->staff_notice_limit)
		return DM_OK;
	if ((s = store_stmt(st, &sql_open_digest)) == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, item->ticket);
	stmt_bind_text(s, 2, item->recipient);
	if ((rc = stmt_step(s)) == STMT_ROW)
		*digest = stmt_int64(s, 0);
	stmt_reset(s);
	if (rc != STMT_ROW && rc != STMT_DONE)
		return store_error(st, "outbox");
	if (*digest > 0)
		return DM_OK;
	snprintf(limit, sizeof(limit), "%ld", cfg->staff_notice_limit);
	memset(&d, 0, sizeof(d));
	d.ticket = item->ticket;
	d.template = "digest";
	d.recipient = item->recipient;
	d.params = outbox_params("digest.limit", limit, (const char *)NULL);
	d.delay = (long)(oldest + 3600 - now);
	err = insert(st, cfg, &d, now, 0, NULL);
	free((char *)d.params);
	if (err != DM_OK)
		return err;
	*digest = store_last_id(st);
	detail = xasprintf("%lld notices to %s in the last hour "
	    "(staff_notice_limit %ld): the next ones wait for one digest",
	    (long long)count, item->recipient, cfg->staff_notice_limit);
	err = event_add(st, item->ticket, now, "deskmail", "notices_held",
	    detail);
	free(detail);
	return err;
}

dm_err
outbox_queue(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_item *item, time_t now, char **msgid)
{
	int64_t digest = 0;
	dm_err err;

	if (item->ticket > 0 && cfg->staff_notice_limit > 0 &&
	    notice_to_staff(item->template) &&
	    (err = digest_for(st, cfg, item, now, &digest)) != DM_OK)
		return err;
	return insert(st, cfg, item, now, digest, msgid);
}

/*
 * A notice that waits: the one row of its kind still waiting (never
 * tried, not yet due) takes the new params instead of a second row.
 * A cancelled one comes back, so the kind is mailed at most once.
 */
static const struct dm_sql sql_requeue = SQL2(
    "UPDATE outbox SET status = 'queued', params = ?5, next_attempt = ?6,"
    " last_error = NULL WHERE ticket_id = ?1 AND template = ?2 AND"
    " recipient = ?3 AND +status IN ('queued', 'cancelled') AND"
    " attempts = 0 AND +next_attempt > ?4",
    "UPDATE outbox SET status = 'queued', params = $5, next_attempt = $6,"
    " last_error = NULL WHERE ticket_id = $1 AND template = $2 AND"
    " recipient = $3 AND status IN ('queued', 'cancelled') AND"
    " attempts = 0 AND next_attempt > $4");

dm_err
outbox_queue_once(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_item *item, time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_requeue);
	dm_err err;

	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, item->ticket);
	stmt_bind_text(s, 2, item->template);
	stmt_bind_text(s, 3, item->recipient);
	stmt_bind_int64(s, 4, (int64_t)now);
	stmt_bind_text(s, 5, item->params);
	stmt_bind_int64(s, 6, (int64_t)(now + item->delay));
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	if (store_changes(st) > 0)
		return DM_OK;
	return outbox_queue(st, cfg, item, now, NULL);
}

static const struct dm_sql sql_withdraw = SQL2(
    "UPDATE outbox SET status = 'cancelled', last_error = ?5"
    " WHERE ticket_id = ?1 AND template = ?2 AND +recipient = ?3 AND"
    " +status = 'queued' AND attempts = 0 AND +next_attempt > ?4",
    "UPDATE outbox SET status = 'cancelled', last_error = $5"
    " WHERE ticket_id = $1 AND template = $2 AND recipient = $3 AND"
    " status = 'queued' AND attempts = 0 AND next_attempt > $4");

dm_err
outbox_withdraw(struct dm_store *st, int64_t ticket, const char *template,
    const char *recipient, time_t now, const char *why)
{
	struct dm_stmt *s = store_stmt(st, &sql_withdraw);

	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, template);
	stmt_bind_text(s, 3, recipient);
	stmt_bind_int64(s, 4, (int64_t)now);
	stmt_bind_text(s, 5, why);
	return store_exec_stmt(st, s);
}

static const struct dm_sql sql_count = SQL(
    "SELECT count(*) FROM outbox WHERE recipient = ?1 AND automatic = 1"
    " AND created >= ?2");

dm_err
outbox_count_automatic(struct dm_store *st, const char *recipient,
    time_t since, long *count)
{
	struct dm_stmt *s = store_stmt(st, &sql_count);
	dm_err err = DM_OK;

	*count = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_text(s, 1, recipient);
	stmt_bind_int64(s, 2, (int64_t)since);
	if (stmt_step(s) == STMT_ROW)
		*count = (long)stmt_int64(s, 0);
	else
		err = store_error(st, "outbox");
	stmt_reset(s);
	return err;
}

static const struct dm_sql sql_count_template = SQL(
    "SELECT count(*) FROM outbox WHERE ticket_id = ?1 AND template = ?2"
    " AND status <> 'cancelled'");

dm_err
outbox_count_template(struct dm_store *st, int64_t ticket,
    const char *template, long *count)
{
	struct dm_stmt *s = store_stmt(st, &sql_count_template);
	dm_err err = DM_OK;

	*count = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, template);
	if (stmt_step(s) == STMT_ROW)
		*count = (long)stmt_int64(s, 0);
	else
		err = store_error(st, "outbox");
	stmt_reset(s);
	return err;
}

static const struct dm_sql sql_sent_as = SQL(
    "SELECT ticket_id, template, params FROM outbox WHERE message_id = ?1");

dm_err
outbox_mail_by_msgid(struct dm_store *st, const char *msgid,
    int64_t *ticket, char **template, char **params)
{
	struct dm_stmt *s = store_stmt(st, &sql_sent_as);
	dm_err err = DM_OK;
	int rc;

	*ticket = 0;
	*template = *params = NULL;
	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_text(s, 1, msgid);
	if ((rc = stmt_step(s)) == STMT_ROW) {
		*ticket = stmt_int64(s, 0);
		*template = stmt_dup(s, 1);
		*params = stmt_dup(s, 2);
	} else if (rc != STMT_DONE)
		err = store_error(st, "outbox");
	stmt_reset(s);
	return err;
}

static const struct dm_sql sql_by_msgid = SQL(
    "SELECT ticket_id FROM outbox WHERE message_id = ?1");

dm_err
outbox_ticket_by_msgid(struct dm_store *st, const char *msgid,
    int64_t *ticket)
{
	return store_query_id(st, &sql_by_msgid, msgid, ticket);
}

/* The columns of a struct dm_outbox_row, in read_row()'s order. */
#define ROW_COLUMNS "id, ticket_id, template, recipient, message_id," \
	" in_reply_to, refs, params, automatic, attempts, created FROM outbox"

static void
read_row(struct dm_stmt *s, struct dm_outbox_row *r)
{
	r->id = stmt_int64(s, 0);
	r->ticket = stmt_int64(s, 1);
	r->template = stmt_dup(s, 2);
	r->recipient = stmt_dup(s, 3);
	r->message_id = stmt_dup(s, 4);
	r->in_reply_to = stmt_dup(s, 5);
	r->refs = stmt_dup(s, 6);
	r->params = stmt_dup(s, 7);
	r->automatic = stmt_int(s, 8);
	r->attempts = stmt_int(s, 9);
	r->created = (time_t)stmt_int64(s, 10);
}

static const struct dm_sql sql_due = SQL("SELECT " ROW_COLUMNS
    " WHERE status = 'queued' AND next_attempt <= ?1 ORDER BY id LIMIT ?2");

/*
 * Several deskmails on one PostgreSQL store send from one outbox, and a
 * mail must leave by one of them only.  A sender claims its rows: the
 * due rows nobody is claiming right now (FOR UPDATE SKIP LOCKED), each
 * taken with an advisory lock its connection holds until
 * outbox_release(), or until it dies.  The rows are then read again, by
 * a statement that starts after the locks were granted: a row another
 * sender marked sent and let go of meanwhile is no longer queued there.
 * A crash between a server's 250 and the mark loses the lock, and the
 * row goes out once more: DESIGN's one duplicate per crash, per sender.
 */
/* one bigint key per row: "send" in the high half, the id in the low
 * (ids stay far below 2^32) */
#define SEND_LOCK(id)	"((1936027236::bigint << 32) | " id ")"
static const struct dm_sql sql_claim = SQL2("",
    "WITH due AS MATERIALIZED (SELECT id FROM outbox WHERE status ="
    " 'queued' AND next_attempt <= $1 ORDER BY id LIMIT $2"
    " FOR UPDATE SKIP LOCKED),"
    " mine AS MATERIALIZED (SELECT id FROM due"
    " WHERE pg_try_advisory_lock(" SEND_LOCK("id") "))"
    " SELECT id FROM mine");
static const struct dm_sql sql_claimed = SQL2("",
    "SELECT " ROW_COLUMNS " WHERE id = ANY ($1::bigint[])"
    " AND status = 'queued' ORDER BY id");
static const struct dm_sql sql_release = SQL2("",
    "SELECT count(pg_advisory_unlock(" SEND_LOCK("id") "))"
    " FROM unnest($1::bigint[]) AS id");

/* Read rows of s (bound) into v, at most max; *n says how many. */
static dm_err
read_rows(struct dm_store *st, struct dm_stmt *s, struct dm_outbox_row *v,
    size_t max, size_t *n)
{
	dm_err err = DM_OK;
	int rc;

	*n = 0;
	while ((rc = stmt_step(s)) == STMT_ROW && *n < max)
		read_row(s, &v[(*n)++]);
	if (rc != STMT_ROW && rc != STMT_DONE)
		err = store_error(st, "outbox");
	stmt_reset(s);
	return err;
}

/* ids as a PostgreSQL array literal, {1,2,3}. */
static char *
id_array(const int64_t *ids, size_t n)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_addc(&b, '{');
	for (i = 0; i < n; i++)
		buf_addf(&b, "%s%lld", i ? "," : "", (long long)ids[i]);
	buf_addc(&b, '}');
	return buf_release(&b);
}

/* outbox_due() for one of several senders (above). */
static dm_err
claim_due(struct dm_store *st, time_t now, size_t max,
    struct dm_outbox_row *v, size_t *n)
{
	struct dm_stmt *s = store_stmt(st, &sql_claim);
	int64_t *ids;
	size_t nids = 0;
	char *list;
	dm_err err = DM_OK;
	int rc;

	*n = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	ids = xcalloc(max ? max : 1, sizeof(*ids));
	stmt_bind_int64(s, 1, (int64_t)now);
	stmt_bind_int64(s, 2, (int64_t)max);
	while ((rc = stmt_step(s)) == STMT_ROW && nids < max)
		ids[nids++] = stmt_int64(s, 0);
	if (rc != STMT_ROW && rc != STMT_DONE)
		err = store_error(st, "outbox");
	stmt_reset(s);
	if (err == DM_OK && nids > 0) {
		list = id_array(ids, nids);
		if ((s = store_stmt(st, &sql_claimed)) == NULL)
			err = store_error(st, "outbox");
		else {
			stmt_bind_text(s, 1, list);
			err = read_rows(st, s, v, max, n);
		}
		free(list);
	}
	free(ids);
	return err;
}

dm_err
outbox_due(struct dm_store *st, time_t now, size_t max,
    struct dm_outbox_row **rows, size_t *n)
{
	struct dm_stmt *s;
	struct dm_outbox_row *v;
	size_t count = 0;
	dm_err err;

	*rows = NULL;
	*n = 0;
	v = xcalloc(max ? max : 1, sizeof(*v));
	if (store_is_pg(st))
		err = claim_due(st, now, max, v, &count);
	else if ((s = store_stmt(st, &sql_due)) == NULL)
		err = store_error(st, "outbox");
	else {
		stmt_bind_int64(s, 1, (int64_t)now);
		stmt_bind_int64(s, 2, (int64_t)max);
		err = read_rows(st, s, v, max, &count);
	}
	if (err != DM_OK) {
		outbox_rows_free(v, count);
		return err;
	}
	*rows = v;
	*n = count;
	return DM_OK;
}

dm_err
outbox_release(struct dm_store *st, const int64_t *ids, size_t n)
{
	struct dm_stmt *s;
	char *list;
	dm_err err;

	if (!store_is_pg(st) || n == 0)
		return DM_OK;	/* one sender per SQLite file (lock.h) */
	if ((s = store_stmt(st, &sql_release)) == NULL)
		return store_error(st, "outbox");
	list = id_array(ids, n);
	stmt_bind_text(s, 1, list);
	err = store_exec_stmt(st, s);
	free(list);
	return err;
}

static dm_err	mark(struct dm_store *st, const struct dm_sql *sql,
		    int64_t id, time_t t, const char *why);

void
outbox_row_clear(struct dm_outbox_row *r)
{
	free(r->template);
	free(r->recipient);
	free(r->message_id);
	free(r->in_reply_to);
	free(r->refs);
	free(r->params);
	memset(r, 0, sizeof(*r));
}

static const struct dm_sql sql_one_row = SQL(
    "SELECT " ROW_COLUMNS " WHERE id = ?1");
static const struct dm_sql sql_status = SQL(
    "SELECT status FROM outbox WHERE id = ?1");

dm_err
outbox_get(struct dm_store *st, int64_t id, struct dm_outbox_row *r,
    char **status)
{
	struct dm_stmt *s = store_stmt(st, &sql_one_row);
	int rc;

	memset(r, 0, sizeof(*r));
	*status = NULL;
	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, id);
	if ((rc = stmt_step(s)) == STMT_ROW)
		read_row(s, r);
	stmt_reset(s);
	if (rc == STMT_DONE)
		return dm_fail(DM_ENOTFOUND, "no outgoing mail %lld",
		    (long long)id);
	if (rc != STMT_ROW)
		return store_error(st, "outbox");
	if ((s = store_stmt(st, &sql_status)) == NULL) {
		outbox_row_clear(r);
		return store_error(st, "outbox");
	}
	stmt_bind_int64(s, 1, id);
	if (stmt_step(s) == STMT_ROW)
		*status = stmt_dup(s, 0);
	stmt_reset(s);
	return DM_OK;
}

static const struct dm_sql sql_retry_failed = SQL(
    "UPDATE outbox SET status = 'queued', next_attempt = ?2,"
    " last_error = NULL WHERE id = ?1 AND status = 'failed'");
static const struct dm_sql sql_cancel_one = SQL(
    "UPDATE outbox SET status = 'cancelled', last_error = ?3"
    " WHERE id = ?1 AND status IN ('queued', 'failed')");

/* sql on row id; DM_ESTATE with what it is when no row changed. */
static dm_err
change(struct dm_store *st, const struct dm_sql *sql, int64_t id, time_t now,
    const char *why, const char *allowed)
{
	struct dm_outbox_row r;
	char *status;
	dm_err err;

	if ((err = mark(st, sql, id, now, why)) != DM_OK)
		return err;
	if (store_changes(st) == 1)
		return DM_OK;
	if ((err = outbox_get(st, id, &r, &status)) != DM_OK)
		return err;
	err = dm_fail(DM_ESTATE, "outgoing mail %lld is %s: only %s mail "
	    "can be", (long long)id, status ? status : "?", allowed);
	free(status);
	outbox_row_clear(&r);
	return err;
}

dm_err
outbox_requeue(struct dm_store *st, int64_t id, time_t now)
{
	return change(st, &sql_retry_failed, id, now, NULL, "failed");
}

dm_err
outbox_cancel(struct dm_store *st, int64_t id, time_t now, const char *why)
{
	return change(st, &sql_cancel_one, id, now, why, "queued or failed");
}

static const struct dm_sql sql_failed_ids = SQL(
    "SELECT id FROM outbox WHERE status = 'failed' ORDER BY id");

dm_err
outbox_failed_ids(struct dm_store *st, int64_t **ids, size_t *n)
{
	struct dm_stmt *s = store_stmt(st, &sql_failed_ids);
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		*ids = xreallocarray(*ids, *n + 1, sizeof(**ids));
		(*ids)[(*n)++] = stmt_int64(s, 0);
	}
	stmt_reset(s);
	return rc == STMT_DONE ? DM_OK : store_error(st, "outbox");
}

static const struct dm_sql sql_seal = SQL(
    "UPDATE outbox SET sealed = 1 WHERE id = ?1");
static const struct dm_sql sql_held = SQL("SELECT " ROW_COLUMNS
    " WHERE digest = ?1 ORDER BY id");

dm_err
outbox_digest_rows(struct dm_store *st, int64_t digest,
    struct dm_outbox_row **rows, size_t *n)
{
	struct dm_stmt *s = store_stmt(st, &sql_seal);
	struct dm_outbox_row *v = NULL;
	size_t count = 0, cap = 0;
	dm_err err;
	int rc;

	*rows = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, digest);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	if ((s = store_stmt(st, &sql_held)) == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, digest);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (count == cap) {
			cap = cap ? cap * 2 : 16;
			v = xreallocarray(v, cap, sizeof(*v));
		}
		read_row(s, &v[count++]);
	}
	err = rc == STMT_DONE ? DM_OK : store_error(st, "outbox");
	stmt_reset(s);
	if (err != DM_OK) {
		outbox_rows_free(v, count);
		return err;
	}
	*rows = v;
	*n = count;
	return DM_OK;
}

void
outbox_rows_free(struct dm_outbox_row *rows, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		outbox_row_clear(&rows[i]);
	free(rows);
}

static const struct dm_sql sql_sent = SQL(
    "UPDATE outbox SET status = 'sent', sent_at = ?2,"
    " attempts = attempts + 1, last_error = NULL WHERE id = ?1");
static const struct dm_sql sql_retry = SQL(
    "UPDATE outbox SET next_attempt = ?2, attempts = attempts + 1,"
    " last_error = ?3 WHERE id = ?1");
static const struct dm_sql sql_failed = SQL(
    "UPDATE outbox SET status = 'failed', next_attempt = ?2,"
    " attempts = attempts + 1, last_error = ?3 WHERE id = ?1");

static dm_err
mark(struct dm_store *st, const struct dm_sql *sql, int64_t id, time_t t,
    const char *why)
{
	struct dm_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return store_error(st, "outbox");
	stmt_bind_int64(s, 1, id);
	stmt_bind_int64(s, 2, (int64_t)t);
	if (why != NULL)
		stmt_bind_text(s, 3, why);
	return store_exec_stmt(st, s);
}

dm_err
outbox_mark_sent(struct dm_store *st, int64_t id, time_t now)
{
	return mark(st, &sql_sent, id, now, NULL);
}

dm_err
outbox_mark_retry(struct dm_store *st, int64_t id, time_t next,
    const char *why)
{
	return mark(st, &sql_retry, id, next, why);
}

dm_err
outbox_mark_failed(struct dm_store *st, int64_t id, time_t now,
    const char *why)
{
	return mark(st, &sql_failed, id, now, why);
}

/* ---- JSON view ------------------------------------------------------- */

#include "deskmail/json.h"

#define OUTBOX_COLUMNS "id, ticket_id, template, recipient, message_id," \
	" automatic, status, created, next_attempt, attempts, sent_at," \
	" last_error, in_reply_to, refs, digest FROM outbox"

static const struct dm_sql sql_list_all = SQL(
    "SELECT " OUTBOX_COLUMNS " ORDER BY id");
static const struct dm_sql sql_list_ticket = SQL("SELECT " OUTBOX_COLUMNS
    " WHERE ticket_id = ?1 ORDER BY id");

dm_err
outbox_list_json(struct dm_store *st, int64_t ticket,
    struct json_object *array)
{
	struct dm_stmt *s = store_stmt(st, ticket ? &sql_list_ticket :
	    &sql_list_all);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(st, "outbox");
	if (ticket)
		stmt_bind_int64(s, 1, ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id",
		    json_object_new_int64(stmt_int64(s, 0)));
		json_object_object_add(o, "ticket",
		    stmt_is_null(s, 1) ? NULL :
		    json_object_new_int64(stmt_int64(s, 1)));
		json_put_text(o, "template", s, 2);
		json_put_text(o, "to", s, 3);
		json_put_text(o, "message_id", s, 4);
		json_object_object_add(o, "automatic",
		    json_object_new_boolean(stmt_int(s, 5)));
		json_put_text(o, "status", s, 6);
		json_put_time(o, "created", (time_t)stmt_int64(s, 7));
		json_put_time(o, "next_attempt",
		    (time_t)stmt_int64(s, 8));
		json_object_object_add(o, "attempts",
		    json_object_new_int(stmt_int(s, 9)));
		json_put_time(o, "sent", (time_t)stmt_int64(s, 10));
		json_put_text(o, "last_error", s, 11);
		json_put_text(o, "in_reply_to", s, 12);
		json_put_text(o, "references", s, 13);
		if (!stmt_is_null(s, 14))
			json_object_object_add(o, "digest",
			    json_object_new_int64(stmt_int64(s, 14)));
		json_object_array_add(array, o);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "outbox");
	stmt_reset(s);
	return err;
}
