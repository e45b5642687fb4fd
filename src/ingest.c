/*
 * ingest.c - applying one inbound message: parse, classify, thread, then in
 * one transaction store the message and every consequence of it (ticket
 * change, events, outbox rows), or quarantine it with the reason.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/actions.h"
#include "deskmail/autosender.h"
#include "deskmail/classify.h"
#include "deskmail/commands.h"
#include "deskmail/directory.h"
#include "deskmail/clock.h"
#include "deskmail/ingest.h"
#include "deskmail/lang.h"
#include "deskmail/message.h"
#include "deskmail/mime.h"
#include "deskmail/outbox.h"
#include "deskmail/participants.h"
#include "deskmail/people.h"
#include "deskmail/quarantine.h"
#include "deskmail/queue.h"
#include "deskmail/relay.h"
#include "deskmail/route.h"
#include "deskmail/sla.h"
#include "deskmail/subject.h"
#include "deskmail/thread.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

/* Trace fields each relay or delivery agent adds at the top. */
static int
is_trace_field(const char *p, size_t n)
{
	static const char *const trace[] = { "received:", "return-path:",
	    "delivered-to:", "x-original-to:", "x-envelope-from:",
	    "x-envelope-to:", "x-delivered-to:", "authentication-results:",
	    "arc-", "x-spam-", "dkim-signature:", NULL };
	size_t i, l;

	for (i = 0; trace[i] != NULL; i++) {
		l = strlen(trace[i]);
		if (n >= l && strncasecmp(p, trace[i], l) == 0)
			return 1;
	}
	return 0;
}

/* How much of p is want bytes once each CRLF is read as LF (0: less). */
static size_t
lines_prefix(const char *p, size_t len, size_t want)
{
	size_t i, n = 0;

	for (i = 0; i < len && n < want; i++)
		if (p[i] != '\r' || i + 1 == len || p[i + 1] != '\n')
			n++;
	return n == want ? i : 0;
}

void
ingest_content_hash(const char *raw, size_t len, int truncated, char hex[65])
{
	const char *p = raw, *end = raw + len, *nl;
	size_t keep;

	/*
	 * The same message reaching us by two routes (or twice by one)
	 * differs only in the trace fields added on top, and perhaps in its
	 * line ends (LF in a Maildir, CRLF over IMAP): skip the first,
	 * read CRLF as LF.
	 */
	if (mime_is_mbox_line(p, len))
		p = (nl = memchr(p, '\n', len)) ? nl + 1 : end;
	while (p < end && is_trace_field(p, (size_t)(end - p))) {
		do {
			nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		} while (p < end && (*p == ' ' || *p == '\t'));
	}
	if (truncated) {
		/*
		 * Where the kept part ends in the content moves with every
		 * trace field on top, so hash only the first half of the
		 * limit: every copy keeps it unless its trace fields take
		 * the other half (then only the same bytes match).
		 */
		if ((keep = lines_prefix(p, (size_t)(end - p), len / 2)) == 0) {
			sha256_hex_lines(raw, len, hex);
			return;
		}
		end = p + keep;
	}
	sha256_hex_lines(p, (size_t)(end - p), hex);
}

void
ingest_format(const struct ingest_result *res, char *buf, size_t len)
{
	static const char *const word[] = { "new", "reply", "duplicate" };

	if (res->outcome == INGEST_QUARANTINED)
		snprintf(buf, len, "quarantined %lld %s", (long long)res->id,
		    res->reason);
	else
		snprintf(buf, len, "ticket %lld %s", (long long)res->id,
		    word[res->outcome]);
}

/* From and Subject of a message that could not be parsed, for listing. */
static void
peek_header(const char *raw, size_t len, const char *name, char **out)
{
	size_t nlen = strlen(name), n;
	const char *p = raw, *end = raw + (len < 65536 ? len : 65536), *nl;

	*out = NULL;
	while (p < end && *p != '\n' && *p != '\r') {
		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > nlen && strncasecmp(p, name, nlen) == 0 &&
		    p[nlen] == ':') {
			char *v = xstrndup(p + nlen + 1, n - nlen - 1);

			*out = str_squeeze(mime_decode_header(v));
			free(v);
			return;
		}
		p = nl ? nl + 1 : end;
	}
}

struct apply {
	struct dm_store		*st;
	const struct dm_config	*cfg;
	const struct dm_parsed	*m;
	const struct dm_raw	*raw;
	const char		*automatic;	/* classify's reason, or NULL */
	int64_t			 retry_of;	/* quarantine entry retried */
	time_t			 now;
	struct ingest_result	*res;
	int64_t			 stored;	/* the message's row, once stored */
};

static dm_err
quarantine(struct apply *a, size_t original_size, const char *reason)
{
	char *from = NULL, *subject = NULL;
	dm_err err;

	a->res->outcome = INGEST_QUARANTINED;
	snprintf(a->res->reason, sizeof(a->res->reason), "%s", reason);
	if (a->retry_of != 0) {		/* still held: keep the old entry */
		a->res->id = a->retry_of;
		return DM_OK;
	}
	if (a->m != NULL) {
		from = a->m->from ? xstrdup(a->m->from) : NULL;
		subject = xstrdup(a->m->subject);
	} else {
		peek_header(a->raw->data, a->raw->len, "from", &from);
		if (from != NULL) {
			/* list the address, as for parsed mail */
			char *addr = mime_address_in(from);

			free(from);
			from = addr;
		}
		peek_header(a->raw->data, a->raw->len, "subject", &subject);
	}
	err = quarantine_add(a->st, a->raw, original_size, reason, from,
	    subject, a->now, &a->res->id);
	free(from);
	free(subject);
	return err;
}

/*
 * References for a mail answering m: its own References plus its id,
 * after root (the ticket's first customer mail, may be NULL) when m does
 * not name it, so that every mail to the customer threads under it.
 */
static char *
answer_refs(const struct dm_parsed *m, const char *root)
{
	struct buf b;
	size_t i;
	int named = root == NULL || (m->message_id != NULL &&
	    strcmp(m->message_id, root) == 0);

	for (i = 0; i < m->nrefs && !named; i++)
		named = strcmp(m->refs[i], root) == 0;
	buf_init(&b);
	if (!named)
		buf_adds(&b, root);
	for (i = m->nrefs; i > 0; i--)
		buf_addf(&b, "%s%s", b.len ? " " : "", m->refs[i - 1]);
	if (m->message_id != NULL)
		buf_addf(&b, "%s%s", b.len ? " " : "", m->message_id);
	return b.len ? buf_release(&b) : (buf_free(&b), NULL);
}

/*
 * Queue an automatic answer to to (the requester, or the staff sender of
 * a mail with failed commands) with params, unless loops or limits forbid.
 */
static dm_err
queue_auto_reply(struct apply *a, const struct dm_ticket *t,
    const char *template, const char *to, const char *params)
{
	struct dm_outbox_item item;
	long count;
	char *refs, *detail, *irt, *thread, *sp;
	dm_err err;

	if (config_is_own_address(a->cfg, to))
		return event_add(a->st, t->id, a->now, "deskmail",
		    "auto_reply_suppressed", strcmp(to, t->requester) == 0 ?
		    "requester is our own address" : "sender is our own address");
	if ((err = outbox_count_automatic(a->st, to, a->now - 3600, &count)) !=
	    DM_OK)
		return err;
	if (count >= a->cfg->auto_reply_limit) {
		detail = xasprintf("%ld automatic mails to %s in the last hour "
		    "(auto_reply_limit %ld)", count, to, a->cfg->auto_reply_limit);
		err = event_add(a->st, t->id, a->now, "deskmail",
		    "auto_reply_suppressed", detail);
		free(detail);
		return err;
	}
	if ((err = message_thread_ids(a->st, t->id, &irt, &thread)) != DM_OK)
		return err;
	if (thread != NULL && (sp = strchr(thread, ' ')) != NULL)
		*sp = '\0';		/* the root */
	refs = answer_refs(a->m, thread);
	free(irt);
	free(thread);
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.template = template;
	item.recipient = to;
	item.in_reply_to = a->m->message_id;
	item.refs = refs;
	item.automatic = 1;
	item.params = params;
	err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	free(refs);
	return err;
}

/* Queue template to the ticket's customers for mail of kind (PG_*). */
static dm_err
to_customers(struct apply *a, const struct dm_ticket *t, int kind,
    const char *template)
{
	struct dm_customers c;
	size_t i;
	dm_err err;

	/* a requester of ours gets nothing, and an event says so */
	if (config_is_own_address(a->cfg, t->requester) &&
	    (err = queue_auto_reply(a, t, template, t->requester, NULL)) !=
	    DM_OK)
		return err;
	if ((err = ticket_customers(a->st, a->cfg, t, kind, &c)) != DM_OK)
		return err;
	for (i = 0; i < c.n && err == DM_OK; i++)
		err = queue_auto_reply(a, t, template, c.v[i].address, NULL);
	customers_free(&c);
	return err;
}

/* Queue a notice to the ticket's team, if it has an address, with text
 * (NULL: the text of the message that caused it). */
static dm_err
queue_team_notice(struct apply *a, const struct dm_ticket *t,
    const char *template, const char *text)
{
	const struct dm_team *team;
	struct dm_outbox_item item;
	char *params;
	dm_err err;

	if (t->team == NULL || (team = config_team(a->cfg, t->team)) == NULL ||
	    team->address == NULL)
		return DM_OK;
	if (text == NULL)
		text = a->m->new_text[0] ? a->m->new_text : a->m->body;
	/* the team gets the files of the mail it hears of */
	params = relay_params(text, a->m->from, NULL, a->stored, 0);
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.template = template;
	item.recipient = team->address;
	item.params = params;
	err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	free(params);
	return err;
}

static dm_err
store_message(struct apply *a, int64_t ticket, const char *kind)
{
	return message_store(a->st, ticket, kind, a->m, a->raw, a->now,
	    &a->stored);
}

/*
 * The routing rules' and the directory's say on a new ticket, after its
 * queue's (q, may be NULL): a rule's team or policy wins over the queue's,
 * the queue's policy over the team's.
 */
static dm_err
route(struct apply *a, struct dm_ticket *t, const struct dm_queue *q,
    struct dm_route *r, char **agency)
{
	const struct dm_team *team;
	size_t i;
	dm_err err;

	route_apply(a->cfg->rules, a->m, r);
	/* every rule that was skipped, or how many when they do not fit */
	if (r->nwarnings > 0) {
		struct buf b;

		buf_init(&b);
		for (i = 0; i < r->nwarnings; i++)
			buf_addf(&b, "%s%s", i ? "; " : "", r->warnings[i]);
		buf_addc(&b, '\0');
		if (strlen(b.data) < sizeof(a->res->warning))
			snprintf(a->res->warning, sizeof(a->res->warning),
			    "%s", b.data);
		else
			snprintf(a->res->warning, sizeof(a->res->warning),
			    "%zu routing rules skipped; the first: %s",
			    r->nwarnings, r->warnings[0]);
		buf_free(&b);
	}
	*agency = NULL;
	if (r->agency == NULL && a->m->from != NULL &&
	    (err = directory_lookup(a->st, a->m->from, agency)) != DM_OK)
		return err;
	if (r->team != NULL)
		t->team = r->team;
	t->category = r->category;
	t->agency = r->agency ? r->agency : *agency;
	t->owner = r->owner;
	team = t->team ? config_team(a->cfg, t->team) : NULL;
	t->sla_policy = r->policy ? r->policy : q && q->policy ? q->policy :
	    team && team->sla_policy ? team->sla_policy : a->cfg->sla_policy;
	return DM_OK;
}

/*
 * The language t's customers get (lang.h), into buf: their agency's in
 * the directory, else the one their mail is in (its Content-Language,
 * else as libexttextcat guesses it from a mail without one), if there is
 * such a language here, else the closed ticket's it continues; else none (t->lang NULL), which is the [deskmail] language
 * when each mail is written.
 */
static dm_err
ticket_lang(struct apply *a, struct dm_ticket *t, char buf[LANG_LEN])
{
	struct dm_ticket old;
	struct dm_agency ag;
	dm_err err;

	buf[0] = '\0';
	if (t->agency != NULL) {
		if ((err = directory_agency(a->st, t->agency, &ag)) == DM_OK) {
			if (ag.lang != NULL && lang_exists(a->cfg, ag.lang))
				snprintf(buf, LANG_LEN, "%s", ag.lang);
			directory_agency_clear(&ag);
		} else if (err != DM_ENOTFOUND)
			return err;
	}
	if (buf[0] == '\0')
		lang_from_header(a->cfg, a->m->content_language, buf);
	/* what it says, not what it quotes */
	if (buf[0] == '\0' && a->m->content_language == NULL)
		lang_guess(a->cfg, a->m->new_text && *a->m->new_text ?
		    a->m->new_text : a->m->body, buf);
	/* a ticket that continues a closed one speaks as that one did */
	if (buf[0] == '\0' && t->linked_ticket > 0) {
		if ((err = ticket_get(a->st, t->linked_ticket, &old)) != DM_OK)
			return err;
		if (old.lang != NULL && lang_code_ok(old.lang))
			snprintf(buf, LANG_LEN, "%s", old.lang);
		ticket_clear(&old);
	}
	t->lang = buf[0] != '\0' ? buf : NULL;
	return DM_OK;
}

/* A new ticket from the mail; linked: the closed ticket it continues,
 * subject: its title then (NULL: the mail's subject). */
static dm_err
new_ticket(struct apply *a, int64_t linked, char *subject)
{
	const struct dm_parsed *m = a->m;
	const struct dm_queue *q;
	struct dm_route r;
	struct dm_ticket t;
	const char *qhow;
	char *detail, *agency = NULL, lang[LANG_LEN];
	size_t i;
	dm_err err;

	q = queue_of_mail(a->cfg, m, a->raw->source, &qhow);
	memset(&t, 0, sizeof(t));
	t.status = TS_NEW;
	t.requester = m->from;
	t.requester_name = m->from_name;
	t.subject = subject ? subject : m->subject[0] ? m->subject :
	    "(no subject)";
	t.team = q ? q->team : a->cfg->default_team[0] ?
	    a->cfg->default_team : NULL;
	t.queue = q ? q->name : NULL;
	t.created = a->now;
	t.linked_ticket = linked;
	if ((err = route(a, &t, q, &r, &agency)) == DM_OK &&
	    (err = ticket_lang(a, &t, lang)) == DM_OK &&
	    (err = ticket_create(a->st, &t)) == DM_OK)
		for (i = 0; i < r.nmatched && err == DM_OK; i++)
			err = event_add(a->st, t.id, a->now, "deskmail",
			    "routed", r.matched[i]);
	if (err == DM_OK)
		err = sla_on_created(a->st, a->cfg, &t, a->now);
	/* a severity hint is triage done at once, with what follows from it */
	if (err == DM_OK && r.severity > 0 &&
	    (err = ticket_set_severity(a->st, &t, r.severity, a->now)) ==
	    DM_OK) {
		detail = xasprintf("set to %d by a routing rule", r.severity);
		err = event_add(a->st, t.id, a->now, "deskmail", "severity",
		    detail);
		free(detail);
		if (err == DM_OK)
			err = sla_on_severity(a->st, a->cfg, &t, 0, a->now);
	}
	route_clear(&r);
	free(agency);
	if (err != DM_OK)
		return err;
	a->res->outcome = INGEST_NEW;
	a->res->id = t.id;
	detail = xasprintf("by mail from %s", m->from);
	err = event_add(a->st, t.id, a->now, m->from, "created", detail);
	free(detail);
	if (err == DM_OK)
		err = store_message(a, t.id, people_is_staff(a->cfg, m->from) ?
		    MK_STAFF : MK_CUSTOMER);
	if (err == DM_OK)
		err = participants_from_mail(a->st, a->cfg, &t, m, a->now);
	if (err == DM_OK && q != NULL) {
		detail = strcmp(qhow, "mailbox") == 0 ? xasprintf("%s: fetched "
		    "from its mailbox", q->name) : xasprintf("%s: mail to %s "
		    "(%s)", q->name, q->address, qhow);
		err = event_add(a->st, t.id, a->now, "deskmail", "queue",
		    detail);
		free(detail);
	}
	if (err == DM_OK && t.team != NULL)
		err = event_add(a->st, t.id, a->now, "deskmail", "team",
		    t.team);
	if (err == DM_OK && linked > 0) {
		detail = xasprintf("follows closed ticket %lld",
		    (long long)linked);
		err = event_add(a->st, t.id, a->now, "deskmail", "linked",
		    detail);
		free(detail);
		if (err == DM_OK) {
			detail = xasprintf("continued in ticket %lld",
			    (long long)t.id);
			err = event_add(a->st, linked, a->now, "deskmail",
			    "linked", detail);
			free(detail);
		}
	}
	if (err == DM_OK)
		err = queue_auto_reply(a, &t, linked > 0 ? "ack_linked" : "ack",
		    t.requester, NULL);
	if (err == DM_OK)
		err = queue_team_notice(a, &t, "new_ticket", NULL);
	return err;
}

/* Tell the team that mail in a colleague's name arrived unverified. */
static dm_err
queue_unverified_notice(struct apply *a, const struct dm_ticket *t,
    const char *why)
{
	char *text;
	dm_err err;

	text = xasprintf("[NOT VERIFIED: %s. It was not relayed to the "
	    "customer and its commands were ignored.]\n\n%s", why,
	    a->m->body);
	err = queue_team_notice(a, t, "customer_reply", text);
	free(text);
	return err;
}

/* The sender changed the ticket's status (the SLA engine follows). */
static dm_err
change_status(struct apply *a, struct dm_ticket *t, const char *status)
{
	struct action act;

	act.st = a->st;
	act.cfg = a->cfg;
	act.actor = a->m->from;
	act.now = a->now;
	act.text_stored = 1;
	act.message = 0;
	return action_set_status(&act, t, status);
}

/* The requester wrote to a resolved or closed ticket: open again. */
static dm_err
reopen(struct apply *a, struct dm_ticket *t)
{
	struct action act;

	act.st = a->st;
	act.cfg = a->cfg;
	act.actor = a->m->from;
	act.now = a->now;
	act.text_stored = 1;
	act.message = a->stored;
	return action_reopen(&act, t, REOPEN_REPLY, a->m->new_text[0] ?
	    a->m->new_text : a->m->body);
}

/* A verified staff mail is public only if its text reaches the requester. */
static const char *
staff_kind(const char *text)
{
	struct commands c;
	int relayed;

	commands_parse(text, &c);
	relayed = action_text_relayed(&c);
	commands_free(&c);
	return relayed ? MK_STAFF : MK_NOTE;
}

/* Commands from anyone but verified staff are recorded, never obeyed. */
static dm_err
ignore_commands(struct apply *a, struct dm_ticket *t)
{
	struct commands c;
	char *detail;
	dm_err err = DM_OK;

	commands_parse(a->m->new_text, &c);
	if (c.n > 0) {
		detail = xasprintf("%zu command%s from %s ignored: only verified "
		    "staff may use commands", c.n, c.n == 1 ? "" : "s",
		    a->m->from);
		err = event_add(a->st, t->id, a->now, a->m->from,
		    "commands_ignored", detail);
		free(detail);
	}
	commands_free(&c);
	return err;
}

/* At most this many failed commands are named in the answer, each line
 * cut at about MAX_LINE_SHOWN bytes. */
#define MAX_FAILED_SHOWN	20
#define MAX_LINE_SHOWN		200

/* Add line to b, cut (at a character boundary) when it is long. */
static void
add_line_cut(struct buf *b, const char *line)
{
	size_t len = strlen(line), i = 0, n;
	uint32_t cp;

	while (i < len && i < MAX_LINE_SHOWN &&
	    (n = utf8_char(line + i, len - i, &cp)) > 0)
		i += n;
	buf_add(b, line, i);
	if (i < len)
		buf_adds(b, "...");
}

/*
 * Commands of a staff mail that were not carried out: an event each, and
 * one answer to the sender naming them and why.  held: none of the mail
 * was done (a command not understood); else the rest was.
 */
static dm_err
commands_failed(struct apply *a, const struct dm_ticket *t,
    const struct command_bad *v, size_t n, int held)
{
	struct buf b;
	char *detail, *params;
	size_t i;
	dm_err err = DM_OK;

	buf_init(&b);
	for (i = 0; i < n && err == DM_OK; i++) {
		detail = xasprintf("%s: %s: %s", held ? "not understood" :
		    "not carried out", v[i].line, v[i].why);
		err = event_add(a->st, t->id, a->now, a->m->from,
		    "command_failed", detail);
		free(detail);
		if (i >= MAX_FAILED_SHOWN)
			continue;
		buf_adds(&b, "  ");
		add_line_cut(&b, v[i].line);
		buf_addf(&b, "\n      %s\n", v[i].why);
	}
	if (n > MAX_FAILED_SHOWN)
		buf_addf(&b, "  (and %zu more)\n", n - MAX_FAILED_SHOWN);
	if (held)
		buf_adds(&b, "\nNothing in that mail was done: no command was "
		    "carried out and nothing\nwas sent to the customer. The "
		    "mail is kept on the ticket as an\ninternal note. Please "
		    "send it again, corrected.");
	else
		buf_adds(&b, "\nEverything else in that mail was carried out "
		    "as usual.");
	buf_addc(&b, '\0');
	params = outbox_params("message", b.data, (const char *)NULL);
	if (err == DM_OK)
		err = queue_auto_reply(a, t, "command_failed", a->m->from,
		    params);
	free(params);
	buf_free(&b);
	return err;
}

/*
 * Mail from a staff address: if our MTA vouches for it, its #commands
 * are carried out and its text relayed (or used as the command says);
 * if not, anyone could have written it, so it is neither relayed nor
 * obeyed, and the team is told.
 */
static dm_err
staff_mail(struct apply *a, struct dm_ticket *t, const char *why)
{
	struct action act;
	struct action_failures failed;
	struct commands c;
	char *detail;
	dm_err err;

	if (why != NULL) {
		detail = xasprintf("mail from staff address %s not trusted (%s): "
		    "not relayed, commands ignored", a->m->from, why);
		err = event_add(a->st, t->id, a->now, a->m->from,
		    "staff_unverified", detail);
		free(detail);
		if (err == DM_OK)
			err = queue_unverified_notice(a, t, why);
		return err;
	}
	commands_parse(a->m->new_text, &c);
	if (c.nbad > 0) {
		/*
		 * A line meant as a command and not understood may have been
		 * a #note (its text must not reach the customer) or any other:
		 * nothing of the mail is done, the sender is told.
		 */
		err = commands_failed(a, t, c.bad, c.nbad, 1);
		commands_free(&c);
		return err;
	}
	act.st = a->st;
	act.cfg = a->cfg;
	act.actor = a->m->from;
	act.now = a->now;
	act.text_stored = 1;	/* the staff mail itself */
	act.message = a->stored;	/* and its files */
	if ((err = action_apply(&act, t, &c, &failed)) == DM_OK &&
	    failed.n > 0)
		err = commands_failed(a, t, failed.v, failed.n, 0);
	action_failures_free(&failed);
	commands_free(&c);
	return err;
}

static dm_err
reply(struct apply *a, struct dm_ticket *t, const char *how)
{
	const struct dm_parsed *m = a->m;
	const char *kind, *from = m->from ? m->from : "unknown sender";
	const char *why = NULL;
	char *detail;
	dm_err err;

	/*
	 * The kind decides who may read the message later (the status page,
	 * the history a transfer carries): only customer mail and verified,
	 * public staff replies; never an internal note or a mail that merely
	 * claims a staff address.
	 */
	if (a->automatic)
		kind = MK_AUTO;
	else if (!people_is_staff(a->cfg, m->from))
		kind = MK_CUSTOMER;
	else if (!classify_staff_verified(a->cfg, m, &why))
		kind = MK_UNVERIFIED;
	else
		kind = staff_kind(m->new_text);
	a->res->outcome = INGEST_REPLY;
	a->res->id = t->id;
	if ((err = store_message(a, t->id, kind)) != DM_OK ||
	    (err = ticket_touch(a->st, t, a->now)) != DM_OK)
		return err;
	if (a->automatic) {
		detail = xasprintf("%s from %s (threaded by %s); no automatic "
		    "answer", a->automatic, from, how);
		err = event_add(a->st, t->id, a->now, from, "automatic_mail",
		    detail);
		free(detail);
		return err;
	}
	detail = xasprintf("%s reply from %s (threaded by %s)", kind, from, how);
	err = event_add(a->st, t->id, a->now, from, "message", detail);
	free(detail);
	if (err != DM_OK)
		return err;
	if (strcmp(kind, MK_STAFF) == 0 || strcmp(kind, MK_NOTE) == 0 ||
	    strcmp(kind, MK_UNVERIFIED) == 0)
		return staff_mail(a, t, why);
	/* the customer (or someone on their side) wrote */
	if ((err = ignore_commands(a, t)) != DM_OK)
		return err;
	if (strcmp(t->status, TS_PENDING) == 0)
		err = change_status(a, t, TS_IN_PROGRESS);
	else if (strcmp(t->status, TS_RESOLVED) == 0 ||
	    strcmp(t->status, TS_CLOSED) == 0) {
		err = reopen(a, t);
		/* a survey still waiting ([survey] delay) is not for now; the
		 * next close sends one */
		if (err == DM_OK)
			err = outbox_withdraw(a->st, t->id, "survey", t->requester,
			    a->now, "the ticket was reopened before it was sent");
		/* once per reopening: the next replies find it reopened */
		if (err == DM_OK)
			err = to_customers(a, t, PG_REOPENED, "reopened_customer");
		return err;
	}
	if (err == DM_OK)
		err = queue_team_notice(a, t, "customer_reply", NULL);
	return err;
}

/* A new ticket, unless its sender opened too many this past hour. */
static dm_err
flood_checked_new_ticket(struct apply *a)
{
	long limit = a->cfg->limits.new_tickets_per_hour, n;
	char reason[200];
	dm_err err;

	/* a retry is the admin's decision to let it in */
	if (limit > 0 && a->retry_of == 0) {
		if ((err = ticket_count_opened(a->st, a->m->from, a->now - 3600,
		    &n)) != DM_OK)
			return err;
		if (n >= limit) {
			snprintf(reason, sizeof(reason), "flood: %s opened %ld "
			    "tickets in the last hour (new_tickets_per_hour %ld)",
			    a->m->from, n, limit);
			return quarantine(a, a->raw->len, reason);
		}
	}
	return new_ticket(a, 0, NULL);
}

static dm_err
apply(struct apply *a)
{
	struct dm_ticket t;
	const char *how;
	int64_t id;
	char reason[200], *subject;
	dm_err err;

	/* no participant, no announcement for whoever sends it */
	if (a->automatic != NULL && a->m->from != NULL &&
	    (err = auto_sender_note(a->st, a->m->from, a->automatic,
	    a->now)) != DM_OK)
		return err;
	if ((err = thread_find(a->st, a->cfg, a->m, &id, &how)) != DM_OK)
		return err;
	if (id == 0) {
		if (a->automatic != NULL) {
			snprintf(reason, sizeof(reason), "%s for no ticket",
			    a->automatic);
			return quarantine(a, a->raw->len, reason);
		}
		if (a->m->from == NULL)
			return quarantine(a, a->raw->len, "no sender address");
		return flood_checked_new_ticket(a);
	}
	if ((err = ticket_get(a->st, id, &t)) != DM_OK)
		return err;
	if (strcmp(t.status, TS_CLOSED) == 0 && a->automatic == NULL &&
	    a->now - t.closed_at > (time_t)a->cfg->reopen_days * 86400 &&
	    a->m->from != NULL) {
		/* too long after closing: a new problem, linked to the old */
		if ((err = subject_followup(a->st, a->cfg, a->m, &t,
		    &subject)) == DM_OK)
			err = new_ticket(a, id, subject);
		free(subject);
	} else
		err = reply(a, &t, how);
	ticket_clear(&t);
	return err;
}

dm_err
ingest_message(struct dm_store *st, const struct dm_config *cfg,
    const char *raw, size_t len, size_t original_size, const char *source,
    int64_t retry_of, struct ingest_result *res)
{
	struct dm_parsed *m = NULL;
	struct dm_raw r;
	struct apply a;
	char sha[65], reason[256] = "";
	char *qreason = NULL;
	int64_t id;
	int nested;
	dm_err err, perr = DM_OK;

	memset(res, 0, sizeof(*res));
	ingest_content_hash(raw, len, original_size > len, sha);
	r.data = raw;
	r.len = len;
	r.sha256 = sha;
	r.source = source;
	if (original_size > len)
		snprintf(reason, sizeof(reason), "over limit: message of %zu "
		    "bytes is over max_message_bytes (%ld); only the first %zu "
		    "bytes were kept", original_size,
		    cfg->limits.max_message_bytes, len);
	else if ((perr = mime_parse(raw, len, &cfg->limits, &m)) != DM_OK)
		snprintf(reason, sizeof(reason), "%s: %s",
		    perr == DM_ELIMIT ? "over limit" : "unparseable",
		    dm_errdetail());

	memset(&a, 0, sizeof(a));
	a.st = st;
	a.cfg = cfg;
	a.m = m;
	a.raw = &r;
	a.now = clock_now();
	a.res = res;
	a.retry_of = retry_of;
	a.automatic = m ? classify_automatic(cfg, m) : NULL;

	/*
	 * Inside a caller's batch transaction the message gets a savepoint
	 * of its own: it still applies whole or not at all, and the batch
	 * commits (and only then acknowledges) many messages at once.
	 */
	nested = store_in_transaction(st);
	if ((err = nested ? store_savepoint(st) : store_begin(st)) != DM_OK)
		goto out;
	if ((err = message_ticket_by_sha(st, sha, &id)) != DM_OK)
		goto fail;
	if (id != 0) {
		res->outcome = INGEST_DUPLICATE;
		res->id = id;
		goto commit;
	}
	if (retry_of == 0 &&
	    (err = quarantine_find(st, sha, &id, &qreason)) != DM_OK)
		goto fail;
	if (retry_of == 0 && id != 0) {
		res->outcome = INGEST_QUARANTINED;
		res->id = id;
		snprintf(res->reason, sizeof(res->reason), "%s", qreason);
		goto commit;
	}
	if (reason[0] != '\0')
		err = quarantine(&a, original_size, reason);
	else
		err = apply(&a);
	if (err == DM_OK && retry_of != 0 &&
	    res->outcome != INGEST_QUARANTINED) {
		char line[300];

		ingest_format(res, line, sizeof(line));
		err = quarantine_release(st, retry_of, line, a.now);
	}
	if (err != DM_OK)
		goto fail;
commit:
	err = nested ? store_release(st) : store_commit(st);
	if (err == DM_OK)
		goto out;
fail:
	if (nested)
		store_rollback_savepoint(st);
	else
		store_rollback(st);
out:
	free(qreason);
	mime_free(m);
	return err;
}
