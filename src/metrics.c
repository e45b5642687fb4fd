/*
 * metrics.c - the Prometheus text exposition format (version 0.0.4) of
 * what `status` shows, and owner of the counters table.
 *
 * Counters (_total) come from the counters table, which triggers fill in
 * the transactions that store a message, quarantine one or mark a send
 * attempt (store.c, migration 14): they survive restarts, never go down
 * and cost one lookup.  Gauges are read from the rows as they are now,
 * with the indexed queries `status` uses.  Times are seconds.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/config.h"
#include "deskmail/mailbox.h"
#include "deskmail/metrics.h"

static const struct dm_sql sql_counter = SQL(
    "SELECT label, value FROM counters WHERE name = ?1 ORDER BY label");
static const struct dm_sql sql_outbox = SQL(
    "SELECT count(*), min(created), min(next_attempt) FROM outbox"
    " WHERE status = 'queued'");
static const struct dm_sql sql_failed = SQL(
    "SELECT count(*) FROM outbox WHERE status = 'failed'");
static const struct dm_sql sql_held = SQL(
    "SELECT count(*) FROM quarantine WHERE released_at IS NULL");
static const struct dm_sql sql_timers = SQL(
    "SELECT count(*), min(due) FROM sla_timers WHERE state = 'pending'"
    " AND due <= ?1");

/* A label value as the format quotes it: \ " and newline escaped. */
static void
add_label(struct buf *b, const char *name, const char *value)
{
	const char *p;

	buf_adds(b, name);
	buf_adds(b, "=\"");
	for (p = value; *p; p++) {
		if (*p == '\\')
			buf_adds(b, "\\\\");
		else if (*p == '"')
			buf_adds(b, "\\\"");
		else if (*p == '\n')
			buf_adds(b, "\\n");
		else
			buf_addc(b, *p);
	}
	buf_addc(b, '"');
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_addf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void
sample(struct buf *b, const char *name, const char *label,
    const char *value, double v)
{
	buf_adds(b, name);
	if (label != NULL) {
		buf_addc(b, '{');
		add_label(b, label, value);
		buf_addc(b, '}');
	}
	if (isinf(v))
		buf_adds(b, " +Inf\n");
	else
		buf_addf(b, " %.17g\n", v);
}

/*
 * One counter family from the counters table; the labels in always (at
 * most a few) are written even before anything was counted, as 0, so a
 * rate has a start.
 */
static dm_err
counter(struct dm_store *st, struct buf *b, const char *table_name,
    const char *name, const char *label, const char *const *always,
    const char *help)
{
	struct dm_stmt *s = store_stmt(st, &sql_counter);
	int rc, i, found[8] = { 0 };

	family(b, name, "counter", help);
	if (s == NULL)
		return store_error(st, "counters");
	stmt_bind_text(s, 1, table_name);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		const char *l = stmt_text(s, 0);

		sample(b, name, label, l, (double)stmt_int64(s, 1));
		for (i = 0; always != NULL && i < 8 && always[i] != NULL; i++)
			if (strcmp(always[i], l) == 0)
				found[i] = 1;
	}
	stmt_reset(s);
	for (i = 0; always != NULL && i < 8 && always[i] != NULL; i++)
		if (!found[i])
			sample(b, name, label, always[i], 0);
	return rc == STMT_DONE ? DM_OK : store_error(st, "counters");
}

static const char *const kinds[] = { "auto", "customer", "staff", NULL };
static const char *const results[] = { "deferred", "failed", "sent", NULL };

static dm_err
counters(struct dm_store *st, struct buf *b)
{
	dm_err err;

	if ((err = counter(st, b, "messages_ingested",
	    "deskmail_messages_ingested_total", "kind", kinds, "Messages "
	    "stored from incoming mail, by sender: customer, staff or auto "
	    "(automatic mail).")) != DM_OK)
		return err;
	if ((err = counter(st, b, "messages_quarantined",
	    "deskmail_messages_quarantined_total", "reason", NULL, "Messages "
	    "put in quarantine, by reason (its words before the first "
	    "colon).")) != DM_OK)
		return err;
	return counter(st, b, "send_attempts", "deskmail_send_attempts_total",
	    "result", results, "Attempts to send outgoing mail, by result: "
	    "sent, deferred (tried again later) or failed (for good).");
}

/* The first row of a one-row query, columns as int64 (NULL: 0). */
static dm_err
one_row(struct dm_store *st, const struct dm_sql *sql, const char *table,
    time_t now, int64_t *v, int n)
{
	struct dm_stmt *s = store_stmt(st, sql);
	int rc, i;

	if (s == NULL)
		return store_error(st, table);
	if (stmt_param_count(s) > 0)
		stmt_bind_int64(s, 1, (int64_t)now);
	rc = stmt_step(s);
	for (i = 0; i < n; i++)
		v[i] = rc == STMT_ROW ? stmt_int64(s, i) : 0;
	stmt_reset(s);
	return rc == STMT_ROW ? DM_OK : store_error(st, table);
}

static double
age(time_t now, int64_t since)
{
	return since == 0 || now < since ? 0 : (double)(now - since);
}

static dm_err
gauges(struct dm_store *st, time_t now, struct buf *b)
{
	int64_t q[3], failed, held, t[2];
	dm_err err;

	if ((err = one_row(st, &sql_outbox, "outbox", now, q, 3)) != DM_OK ||
	    (err = one_row(st, &sql_failed, "outbox", now, &failed, 1)) !=
	    DM_OK ||
	    (err = one_row(st, &sql_held, "quarantine", now, &held, 1)) !=
	    DM_OK ||
	    (err = one_row(st, &sql_timers, "sla_timers", now, t, 2)) != DM_OK)
		return err;
	family(b, "deskmail_outbox_queued", "gauge", "Mails waiting to be "
	    "sent (the outbox depth).");
	sample(b, "deskmail_outbox_queued", NULL, NULL, (double)q[0]);
	family(b, "deskmail_outbox_oldest_queued_age_seconds", "gauge",
	    "Age of the oldest mail waiting to be sent (0: none waits).");
	sample(b, "deskmail_outbox_oldest_queued_age_seconds", NULL, NULL,
	    age(now, q[1]));
	family(b, "deskmail_outbox_oldest_due_seconds", "gauge", "How long "
	    "the mail due longest has been due and not sent (0: none is "
	    "due).");
	sample(b, "deskmail_outbox_oldest_due_seconds", NULL, NULL,
	    age(now, q[2]));
	family(b, "deskmail_outbox_failed", "gauge", "Mails that failed for "
	    "good and wait for deskmail outbox retry or cancel.");
	sample(b, "deskmail_outbox_failed", NULL, NULL, (double)failed);
	family(b, "deskmail_quarantine_held", "gauge", "Messages in "
	    "quarantine, neither released nor dropped.");
	sample(b, "deskmail_quarantine_held", NULL, NULL, (double)held);
	family(b, "deskmail_sla_timers_overdue", "gauge", "SLA timers due "
	    "and not yet fired (deskmail tick fires them).");
	sample(b, "deskmail_sla_timers_overdue", NULL, NULL, (double)t[0]);
	family(b, "deskmail_sla_oldest_overdue_seconds", "gauge", "How long "
	    "the timer due longest has been due (0: none is).");
	sample(b, "deskmail_sla_oldest_overdue_seconds", NULL, NULL,
	    age(now, t[1]));
	return DM_OK;
}

static dm_err
mailboxes(struct dm_store *st, const struct dm_config *cfg, time_t now,
    struct buf *b)
{
	uint32_t validity, last_uid;
	time_t *last;
	size_t i;
	dm_err err = DM_OK;

	last = xcalloc(cfg->nmailboxes + 1, sizeof(*last));
	for (i = 0; i < cfg->nmailboxes && err == DM_OK; i++)
		err = mailbox_state_get(st, cfg->mailboxes[i].name, &validity,
		    &last_uid, &last[i]);
	if (err == DM_OK) {
		family(b, "deskmail_mailbox_last_fetch_timestamp_seconds",
		    "gauge", "When each mailbox's last fetch pass ended well, "
		    "in seconds since the epoch (0: never).");
		for (i = 0; i < cfg->nmailboxes; i++)
			sample(b, "deskmail_mailbox_last_fetch_timestamp_seconds",
			    "mailbox", cfg->mailboxes[i].name, (double)last[i]);
		family(b, "deskmail_mailbox_fetch_lag_seconds", "gauge",
		    "Seconds since each mailbox's last fetch pass ended well "
		    "(+Inf: never).");
		for (i = 0; i < cfg->nmailboxes; i++)
			sample(b, "deskmail_mailbox_fetch_lag_seconds",
			    "mailbox", cfg->mailboxes[i].name, last[i] == 0 ?
			    INFINITY : age(now, last[i]));
	}
	free(last);
	return err;
}

static void
http_requests(const struct metrics_http *http, size_t n, struct buf *b)
{
	char code[16];
	size_t i;

	family(b, "deskmail_web_requests_total", "counter", "Requests the "
	    "link pages answered, by HTTP status code (other: a code not "
	    "listed), since this process started.");
	for (i = 0; i < n; i++) {
		if (http[i].code == 0)
			snprintf(code, sizeof(code), "other");
		else
			snprintf(code, sizeof(code), "%u", http[i].code);
		sample(b, "deskmail_web_requests_total", "code", code,
		    (double)http[i].count);
	}
}

dm_err
metrics_text(struct dm_store *st, const struct dm_config *cfg, time_t now,
    const struct metrics_http *http, size_t nhttp, struct buf *out)
{
	dm_err err;

	family(out, "deskmail_build_info", "gauge", "The deskmail that "
	    "wrote these metrics (always 1).");
	sample(out, "deskmail_build_info", "version", PACKAGE_VERSION, 1);
	/* one read snapshot, so the numbers agree with each other */
	if ((err = store_begin_read(st)) != DM_OK)
		return err;
	if ((err = counters(st, out)) == DM_OK &&
	    (err = gauges(st, now, out)) == DM_OK)
		err = mailboxes(st, cfg, now, out);
	store_rollback(st);
	if (err == DM_OK && http != NULL)
		http_requests(http, nhttp, out);
	return err;
}
