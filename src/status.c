/*
 * status.c - a read-only health view across the tables: one snapshot,
 * a handful of indexed queries, whatever the size of the database.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/clock.h"
#include "deskmail/config.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/lmtp_server.h"
#include "deskmail/mailbox.h"
#include "deskmail/sla_notice.h"
#include "deskmail/status.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

#define SEND_LATE	(15 * 60)	/* queued and due this long: sender down */
#define TICK_LATE	(5 * 60)	/* a timer overdue this long: no tick */
#define FETCH_LATE	(60 * 60)	/* no fetch pass for this long */

/* --json's keys in a stable order */
static const struct dm_sql sql_tickets = SQL(
    "SELECT status, count(*) FROM tickets GROUP BY status ORDER BY status");
static const struct dm_sql sql_outbox = SQL(
    "SELECT status, count(*), min(created), min(next_attempt) FROM outbox"
    " WHERE status IN ('queued', 'failed') GROUP BY status");
static const struct dm_sql sql_quarantine = SQL(
    "SELECT count(*), min(received) FROM quarantine WHERE released_at IS NULL");
static const struct dm_sql sql_timers = SQL(
    "SELECT count(*), min(due) FROM sla_timers WHERE state = 'pending'"
    " AND due <= ?1");

static void
age(char *buf, size_t len, long seconds)
{
	if (seconds < 120)
		snprintf(buf, len, "%ld s", seconds);
	else if (seconds < 2 * 3600)
		snprintf(buf, len, "%ld min", seconds / 60);
	else if (seconds < 2 * 86400)
		snprintf(buf, len, "%ld h", seconds / 3600);
	else
		snprintf(buf, len, "%ld days", seconds / 86400);
}

static void
attention(struct json_object *list, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
attention(struct json_object *list, const char *fmt, ...)
{
	char line[300];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	json_object_array_add(list, json_object_new_string(line));
}

static void
put_time(struct json_object *o, const char *key, time_t t)
{
	char iso[32];

	if (t == 0) {
		json_object_object_add(o, key, NULL);
		return;
	}
	clock_format_iso(t, iso, sizeof(iso));
	json_object_object_add(o, key, json_object_new_string(iso));
}

static dm_err
tickets(struct dm_store *st, struct json_object *out)
{
	struct json_object *o = json_object_new_object();
	struct dm_stmt *s = store_stmt(st, &sql_tickets);
	int rc;

	json_object_object_add(out, "tickets", o);
	if (s == NULL)
		return store_error(st, "tickets");
	while ((rc = stmt_step(s)) == STMT_ROW)
		json_object_object_add(o, stmt_text(s,
		    0), json_object_new_int64(stmt_int64(s, 1)));
	stmt_reset(s);
	return rc == STMT_DONE ? DM_OK : store_error(st, "tickets");
}

static dm_err
outbox(struct dm_store *st, time_t now, struct json_object *out,
    struct json_object *warn)
{
	struct json_object *o = json_object_new_object();
	struct dm_stmt *s = store_stmt(st, &sql_outbox);
	int64_t queued = 0, failed = 0;
	time_t oldest = 0, due = 0;
	char a[32];
	int rc;

	json_object_object_add(out, "outbox", o);
	if (s == NULL)
		return store_error(st, "outbox");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (strcmp(stmt_text(s, 0), "queued") ==
		    0) {
			queued = stmt_int64(s, 1);
			oldest = (time_t)stmt_int64(s, 2);
			due = (time_t)stmt_int64(s, 3);
		} else
			failed = stmt_int64(s, 1);
	}
	stmt_reset(s);
	if (rc != STMT_DONE)
		return store_error(st, "outbox");
	json_object_object_add(o, "queued", json_object_new_int64(queued));
	json_object_object_add(o, "failed", json_object_new_int64(failed));
	put_time(o, "oldest_queued", oldest);
	if (failed > 0)
		attention(warn, "%lld mail%s failed for good: deskmail outbox "
		    "list shows why", (long long)failed, failed == 1 ? "" : "s");
	if (queued > 0 && due != 0 && now - due > SEND_LATE) {
		age(a, sizeof(a), (long)(now - due));
		attention(warn, "mail has been due for %s and is not sent: is "
		    "`deskmail run` (or a cron `deskmail send`) running, and the "
		    "SMTP server reachable?", a);
	}
	return DM_OK;
}

static dm_err
quarantine(struct dm_store *st, struct json_object *out,
    struct json_object *warn)
{
	struct json_object *o = json_object_new_object();
	struct dm_stmt *s = store_stmt(st, &sql_quarantine);
	int64_t held = 0;
	time_t oldest = 0;
	int rc;

	json_object_object_add(out, "quarantine", o);
	if (s == NULL)
		return store_error(st, "quarantine");
	if ((rc = stmt_step(s)) == STMT_ROW) {
		held = stmt_int64(s, 0);
		oldest = (time_t)stmt_int64(s, 1);
	}
	stmt_reset(s);
	if (rc != STMT_ROW)
		return store_error(st, "quarantine");
	json_object_object_add(o, "held", json_object_new_int64(held));
	put_time(o, "oldest", oldest);
	if (held > 0)
		attention(warn, "%lld message%s in quarantine: deskmail "
		    "quarantine list", (long long)held, held == 1 ? "" : "s");
	return DM_OK;
}

static dm_err
timers(struct dm_store *st, time_t now, struct json_object *out,
    struct json_object *warn)
{
	struct json_object *o = json_object_new_object();
	struct dm_stmt *s = store_stmt(st, &sql_timers);
	int64_t overdue = 0;
	time_t oldest = 0;
	char a[32];
	int rc;

	json_object_object_add(out, "sla", o);
	if (s == NULL)
		return store_error(st, "sla_timers");
	stmt_bind_int64(s, 1, (int64_t)now);
	if ((rc = stmt_step(s)) == STMT_ROW) {
		overdue = stmt_int64(s, 0);
		oldest = (time_t)stmt_int64(s, 1);
	}
	stmt_reset(s);
	if (rc != STMT_ROW)
		return store_error(st, "sla_timers");
	json_object_object_add(o, "timers_due",
	    json_object_new_int64(overdue));
	put_time(o, "oldest_due", oldest);
	if (overdue > 0 && now - oldest > TICK_LATE) {
		age(a, sizeof(a), (long)(now - oldest));
		attention(warn, "%lld SLA timer%s overdue, the oldest by %s: is "
		    "`deskmail run` (or a cron `deskmail tick`) running?",
		    (long long)overdue, overdue == 1 ? "" : "s", a);
	}
	return DM_OK;
}

/*
 * On a PostgreSQL store, which deskmail watches the mailbox (the holder
 * of its lease, watch.c): "deskmail HOST pid N", or null for none.
 */
static dm_err
watcher(struct dm_store *st, const char *name, struct json_object *o)
{
	char *holder;
	dm_err err;

	if (!store_is_pg(st))
		return DM_OK;
	if ((err = mailbox_watcher(st, name, &holder)) != DM_OK)
		return err;
	json_object_object_add(o, "watched_by", holder != NULL ?
	    json_object_new_string(holder) : NULL);
	free(holder);
	return DM_OK;
}

static dm_err
mailboxes(struct dm_store *st, const struct dm_config *cfg, time_t now,
    struct json_object *out, struct json_object *warn)
{
	struct json_object *arr = json_object_new_array(), *o;
	uint32_t validity, last_uid;
	time_t last;
	size_t i;
	char a[32];
	dm_err err;

	json_object_object_add(out, "mailboxes", arr);
	for (i = 0; i < cfg->nmailboxes; i++) {
		const char *name = cfg->mailboxes[i].name;

		if ((err = mailbox_state_get(st, name, &validity, &last_uid,
		    &last)) != DM_OK)
			return err;
		o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(name));
		if (validity != 0)
			json_object_object_add(o, "last_uid",
			    json_object_new_int64(last_uid));
		put_time(o, "last_fetch", last);
		json_object_array_add(arr, o);
		if ((err = watcher(st, name, o)) != DM_OK)
			return err;
		if (validity == 0)
			attention(warn, "mailbox %s was never fetched: deskmail "
			    "fetch -v %s", name, name);
		else if (now - last > FETCH_LATE) {
			age(a, sizeof(a), (long)(now - last));
			attention(warn, "mailbox %s: last fetch %s ago", name, a);
		}
	}
	return DM_OK;
}

/* Whether `run` takes the mail an MTA pipes to ingest, and LMTP. */
static void
service(const struct dm_config *cfg, struct json_object *out)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "ingest_socket",
	    json_object_new_string(cfg->ingest_socket));
	json_object_object_add(o, "state",
	    json_object_new_string(ingest_socket_state(cfg)));
	json_object_object_add(out, "run", o);
	o = json_object_new_object();
	json_object_object_add(o, "listen",
	    json_object_new_string(cfg->lmtp_listen));
	json_object_object_add(o, "state",
	    json_object_new_string(lmtp_listen_state(cfg)));
	json_object_object_add(out, "lmtp", o);
}

/* SLA notices whose audience reaches nobody are never sent. */
static void
audiences(const struct dm_config *cfg, struct json_object *warn)
{
	char **lines;
	size_t i;

	sla_audience_warnings(cfg, &lines);
	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		attention(warn, "%s", lines[i]);
	sla_warnings_free(lines);
}

dm_err
status_json(struct dm_store *st, const struct dm_config *cfg, time_t now,
    struct json_object *out)
{
	struct json_object *warn = json_object_new_array();
	dm_err err;

	put_time(out, "now", now);
	/* one read snapshot, so the numbers agree with each other */
	if ((err = store_begin_read(st)) != DM_OK) {
		json_object_put(warn);
		return err;
	}
	if ((err = tickets(st, out)) == DM_OK &&
	    (err = outbox(st, now, out, warn)) == DM_OK &&
	    (err = quarantine(st, out, warn)) == DM_OK &&
	    (err = timers(st, now, out, warn)) == DM_OK)
		err = mailboxes(st, cfg, now, out, warn);
	store_rollback(st);
	audiences(cfg, warn);
	service(cfg, out);
	json_object_object_add(out, "attention", warn);
	return err;
}
