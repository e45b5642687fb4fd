/*
 * send.c - the outbox sender.
 *
 * Crash safety: a row is marked sent in its own transaction as soon as
 * the server has accepted it, before the next mail can be accepted.  A
 * crash between the server's 250 and that commit is the only way a mail
 * can be sent twice, so at most one mail per connection (the one in
 * flight) can be duplicated.
 *
 * With more than one mail due, the commit runs on a thread of its own
 * (marker.c) while the next mail is built and sent; only the end of that
 * mail waits for it.  The commit is an fsync with synchronous = full, as
 * long as the SMTP exchange itself, so this nearly halves the time a mail
 * takes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/clock.h"
#include "deskmail/compose.h"
#include "deskmail/digest.h"
#include "deskmail/marker.h"
#include "deskmail/notice.h"
#include "deskmail/outbox.h"
#include "deskmail/queue.h"
#include "deskmail/relay.h"
#include "deskmail/send.h"
#include "deskmail/template.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

#define PASS_ROWS	100
#define RETRY_MAX	3600

/*
 * Rows the server accepted but that could not be marked sent (the
 * database was full or busy).  Sending them again on the next pass would
 * mail the recipient once per retry for as long as the disk stays full,
 * so they are only marked, before anything else is sent.  One sender per
 * process (run's sender thread, or `send`), hence plain statics; a crash
 * loses the list, which is the one duplicate per crash DESIGN allows.
 */
#define UNMARKED_MAX	64
static int64_t	unmarked[UNMARKED_MAX];
static size_t	nunmarked;

static void
remember_unmarked(int64_t id)
{
	size_t i;

	for (i = 0; i < nunmarked; i++)
		if (unmarked[i] == id)
			return;
	if (nunmarked < UNMARKED_MAX)
		unmarked[nunmarked++] = id;
}

static int
is_unmarked(int64_t id)
{
	size_t i;

	for (i = 0; i < nunmarked; i++)
		if (unmarked[i] == id)
			return 1;
	return 0;
}

/* Mark what the server accepted earlier; stops at the first failure. */
static dm_err
mark_unmarked(struct dm_store *st)
{
	dm_err err;

	while (nunmarked > 0) {
		if ((err = outbox_mark_sent(st, unmarked[nunmarked - 1],
		    clock_now())) != DM_OK)
			return err;
		nunmarked--;
	}
	return DM_OK;
}

/*
 * The queue ticket id came in by; NULL for none, or for one no longer
 * configured (the main address takes its mail).
 */
static dm_err
queue_of_ticket(struct dm_store *st, const struct dm_config *cfg,
    int64_t id, const struct dm_queue **q)
{
	char *name;
	dm_err err;

	*q = NULL;
	if (cfg->nqueues == 0 || id <= 0)
		return DM_OK;
	if ((err = ticket_queue(st, id, &name)) != DM_OK)
		return err;
	*q = config_queue(cfg, name);
	free(name);
	return DM_OK;
}

/*
 * The message bytes of one row, and the address it comes from.  A
 * queue's ticket's mail comes from the queue's From; when that is not
 * the queue's address, Reply-To names the address, so the answer comes
 * back to the queue and threads.  X-Loop names the address a reply would
 * reach (classify.c knows every queue's).
 */
static dm_err
build(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_row *r, time_t now, char **data, size_t *len,
    const char **from)
{
	const struct dm_queue *q;
	struct rendered out;
	struct tvars vars;
	struct relay files;
	struct dm_mail m;
	dm_err err;

	if ((err = queue_of_ticket(st, cfg, r->ticket, &q)) != DM_OK)
		return err;
	*from = queue_from(cfg, q);
	tvars_init(&vars);
	memset(&files, 0, sizeof(files));
	if ((err = notice_vars(st, cfg, r->ticket, r->template, r->params,
	    &vars)) == DM_OK && (err = notice_recipient_vars(&vars, cfg,
	    r->recipient)) == DM_OK && (err = relay_files(st, cfg, &vars, 0,
	    &files)) == DM_OK)
		err = strcmp(r->template, "digest") == 0 ? digest_render(st, cfg,
		    r, &vars, &out) : template_render(cfg, r->template, &vars,
		    &out);
	if (err != DM_OK) {
		relay_free(&files);
		tvars_free(&vars);
		return err;
	}
	memset(&m, 0, sizeof(m));
	m.from_name = queue_from_name(cfg, q);
	m.from_addr = *from;
	m.to = r->recipient;
	if (strcasecmp(*from, queue_address(cfg, q)) != 0)
		m.reply_to = queue_address(cfg, q);
	m.subject = out.subject;
	m.message_id = r->message_id;
	m.in_reply_to = r->in_reply_to;
	m.refs = r->refs;
	m.x_loop = queue_address(cfg, q);
	m.auto_submitted = notice_auto_submitted(r->template);
	/* what a customer's mail is written in (the shared ones: English) */
	m.content_language = tvars_get(&vars, "lang");
	m.date = now;
	m.text = out.text;
	m.html = out.html;
	m.files = files.files;
	m.nfiles = files.nfiles;
	err = compose_message(&m, data, len);
	rendered_free(&out);
	relay_free(&files);
	tvars_free(&vars);
	return err;
}

/* MAIL FROM: [smtp] envelope_from, else the mail's From (from). */
dm_err
send_render(struct dm_store *st, const struct dm_config *cfg, int64_t id,
    time_t now, char **data, size_t *len)
{
	struct dm_outbox_row r;
	const char *from;
	char *status;
	dm_err err;

	if ((err = outbox_get(st, id, &r, &status)) != DM_OK)
		return err;
	free(status);
	err = build(st, cfg, &r, now, data, len, &from);
	outbox_row_clear(&r);
	return err;
}

static char *
envelope_from(const struct dm_config *cfg, int64_t id, const char *from)
{
	const char *e = cfg->smtp_envelope_from, *mark;

	if (e[0] == '\0')
		return xstrdup(from);
	if ((mark = strstr(e, "{id}")) == NULL)
		return xstrdup(e);
	return xasprintf("%.*s%lld%s", (int)(mark - e), e, (long long)id,
	    mark + 4);
}

/* One pass over the due rows: the connection, and the mark behind us. */
struct pass {
	struct dm_store	*st;
	struct marker	*marker;	/* NULL: each mark in line */
	int64_t		 posted;	/* row in the marker, 0: none */
	dm_err		 held;		/* why the gate held a mail back */
	char		 why[256];
};

/* Wait for the mark behind us; if it failed, that row stays unmarked. */
static dm_err
settle(struct pass *p)
{
	int64_t id;
	dm_err err;

	if (p->posted == 0)
		return DM_OK;
	p->posted = 0;
	if ((err = marker_wait(p->marker, &id)) != DM_OK)
		remember_unmarked(id);
	return err;
}

/* smtp_gate: the next mail may be accepted once the last one is marked. */
static int
gate(void *arg)
{
	struct pass *p = arg;

	if ((p->held = settle(p)) != DM_OK)
		snprintf(p->why, sizeof(p->why), "%s", dm_errdetail());
	return p->held != DM_OK;
}

static dm_err
note_event(struct dm_store *st, const struct dm_outbox_row *r, time_t now,
    const char *type, const char *why)
{
	char *detail;
	dm_err err;

	if (r->ticket <= 0)
		return DM_OK;
	detail = xasprintf("%s to %s: %s", r->template, r->recipient, why);
	err = event_add(st, r->ticket, now, "deskmail", type, detail);
	free(detail);
	return err;
}

/* Send one row and record what became of it.  *down: server unreachable. */
static dm_err
send_one(struct pass *p, const struct dm_config *cfg,
    struct dm_smtp *smtp, const struct dm_outbox_row *r,
    struct send_stats *stats, int *down)
{
	struct dm_store *st = p->st;
	time_t now = clock_now(), wait;
	char reply[512], *data, *from;
	const char *from_addr;
	enum smtp_result res;
	size_t len;
	dm_err err;
	int shift;

	*down = 0;
	if (is_unmarked(r->id))
		return DM_OK;	/* sent; mark_unmarked() failed this pass */
	if ((err = build(st, cfg, r, now, &data, &len, &from_addr)) != DM_OK) {
		if (err != DM_EPARSE)
			return err;	/* a template or database problem */
		if ((err = settle(p)) != DM_OK)
			return err;
		/* a recipient that cannot be written is permanent */
		stats->failed++;
		if ((err = outbox_mark_failed(st, r->id, now,
		    dm_errdetail())) == DM_OK)
			err = note_event(st, r, now, "mail_failed",
			    dm_errdetail());
		return err;
	}
	from = envelope_from(cfg, r->id, from_addr);
	res = smtp_send(smtp, from, r->recipient, data, len,
	    p->marker != NULL ? gate : NULL, p, reply, sizeof(reply));
	free(from);
	free(data);
	now = clock_now();
	/* the gate waited already when the mail was ended; not otherwise */
	if (res != SMTP_HELD && (err = settle(p)) != DM_OK) {
		if (res == SMTP_SENT)
			remember_unmarked(r->id);
		return err;
	}
	switch (res) {
	case SMTP_HELD:
		return dm_fail(p->held, "%s", p->why);
	case SMTP_SENT:
		stats->sent++;
		if (p->marker != NULL) {
			marker_post(p->marker, r->id, now);
			p->posted = r->id;
			return DM_OK;
		}
		if ((err = outbox_mark_sent(st, r->id, now)) != DM_OK)
			remember_unmarked(r->id);
		return err;
	case SMTP_RETRY:
		*down = strncmp(reply, "0 ", 2) == 0;	/* no SMTP reply at all */
		if (now - r->created >= cfg->smtp_max_age) {
			char *why = xasprintf("gave up after %d attempts: %s",
			    r->attempts + 1, reply);

			stats->failed++;
			err = outbox_mark_failed(st, r->id, now, why);
			if (err == DM_OK)
				err = note_event(st, r, now, "mail_failed", why);
			free(why);
			return err;
		}
		stats->deferred++;
		shift = r->attempts < 16 ? r->attempts : 16;
		wait = (time_t)cfg->smtp_retry_seconds << shift;
		if (wait > RETRY_MAX)
			wait = RETRY_MAX;
		/* the last try falls on max_age, so giving up is not late */
		if (now + wait > r->created + cfg->smtp_max_age)
			wait = r->created + cfg->smtp_max_age - now;
		err = outbox_mark_retry(st, r->id, now + wait, reply);
		if (err == DM_OK && r->attempts == 0)
			err = note_event(st, r, now, "mail_deferred", reply);
		return err;
	case SMTP_FAILED:
		stats->failed++;
		err = outbox_mark_failed(st, r->id, now, reply);
		if (err == DM_OK)
			err = note_event(st, r, now, "mail_failed", reply);
		return err;
	}
	return DM_OK;
}

/* Let another sender have the pass's rows, but those sent and not
 * marked (outbox_release()). */
static dm_err
release(struct dm_store *st, const struct dm_outbox_row *rows, size_t n)
{
	int64_t *ids = xcalloc(n ? n : 1, sizeof(*ids));
	size_t i, k = 0;
	dm_err err;

	for (i = 0; i < n; i++)
		if (!is_unmarked(rows[i].id))
			ids[k++] = rows[i].id;
	err = outbox_release(st, ids, k);
	free(ids);
	return err;
}

dm_err
send_due(struct dm_store *st, const struct dm_config *cfg,
    struct dm_smtp *smtp, struct send_stats *stats, volatile int *stop)
{
	struct dm_outbox_row *rows;
	struct pass p;
	size_t n, i;
	int down = 0;
	dm_err err = DM_OK, e;

	memset(stats, 0, sizeof(*stats));
	memset(&p, 0, sizeof(p));
	p.st = st;
	if ((err = mark_unmarked(st)) != DM_OK)
		return err;
	while (!down && !(stop && *stop)) {
		if ((err = outbox_due(st, clock_now(), PASS_ROWS, &rows, &n)) !=
		    DM_OK)
			break;
		/* one mail is marked in line; for more, a marker thread
		 * (without one, for want of a thread, in line as well) */
		if (n > 1 && p.marker == NULL)
			(void)marker_start(cfg, &p.marker);
		for (i = 0; i < n && err == DM_OK && !down &&
		    !(stop && *stop); i++)
			err = send_one(&p, cfg, smtp, &rows[i], stats, &down);
		/* before the next query sees the rows as still queued */
		if ((e = settle(&p)) != DM_OK && err == DM_OK)
			err = e;
		if ((e = release(st, rows, n)) != DM_OK && err == DM_OK)
			err = e;
		outbox_rows_free(rows, n);
		if (err != DM_OK || n < PASS_ROWS)
			break;
	}
	marker_stop(p.marker);
	if (err == DM_OK && down)
		err = dm_fail(DM_ETEMP, "SMTP server %s cannot be reached; "
		    "the rest waits for the next pass", cfg->smtp_url);
	return err;
}
