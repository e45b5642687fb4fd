/*
 * sla_notice.c - what an SLA notice says and who gets it.
 *
 * Seed 003: the CCC "uses the Resolver-provided information to send
 * updated IM Notifications".  So every notice carries the resolver's
 * latest public words (a reply to the customer, or a progress note
 * written with #update), or says plainly that nothing is new since the
 * last one; the status in words, the severity and team, how long it has
 * been open and when the next update is due.  Who hears of it is the
 * policy's audience for its kind; the people who act on an escalation
 * (the desk's side) get the mail that asks them to act, the customer's
 * side the one that tells them it was escalated, and to whom by role.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "deskmail/clock.h"
#include "deskmail/commands.h"
#include "deskmail/directory.h"
#include "deskmail/lang.h"
#include "deskmail/message.h"
#include "deskmail/notice.h"
#include "deskmail/outbox.h"
#include "deskmail/participants.h"
#include "deskmail/sla.h"
#include "deskmail/sla_notice.h"
#include "deskmail/template.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

#define WORDS_MAX	4000	/* bytes of the resolver's words in a notice */
#define WORDS_LOOK	20	/* staff messages looked at for the last words */

/* The templates of each kind: the customer's side, the desk's side. */
static const char *const templates[SN_COUNT][2] = {
	[SN_INITIAL] = { "sla_initial", "sla_initial" },
	[SN_UPDATE] = { "sla_update", "sla_update" },
	[SN_SIGNIFICANT] = { "sla_significant", "sla_significant" },
	[SN_RESTORED] = { "sla_restored", "sla_restored" },
	[SN_ESCALATION] = { "sla_escalated", "sla_escalation" },
	[SN_MAJOR] = { "sla_major", "sla_major" },
};

/* ---- what is known now --------------------------------------------- */

struct words {
	char	*text;		/* the resolver's words, or NULL */
	char	*who;		/* "Tom Tech, team desktop", never an address */
	time_t	 when;
};

static void
words_clear(struct words *w)
{
	free(w->text);
	free(w->who);
	memset(w, 0, sizeof(*w));
}

/* Who wrote, as customers may read it in lang: a name and the team, no
 * address. */
static char *
writer(const struct dm_config *cfg, const char *lang, const char *addr,
    const char *name)
{
	const struct dm_team *team = addr ? config_team_of(cfg, addr) : NULL;

	if (name != NULL && strchr(name, '@') != NULL)
		name = NULL;	/* an address as the name (the CLI's) */
	if (name != NULL && *name && team != NULL)
		return lang_say(cfg, lang, "sla.writer_team", "{name}, team "
		    "{team}", "name", name, "team", team->name,
		    (const char *)NULL);
	if (name != NULL && *name)
		return xstrdup(name);
	if (team != NULL)
		return lang_say(cfg, lang, "sla.writer_only_team",
		    "team {team}", "team", team->name, (const char *)NULL);
	return xstrdup(lang_word(cfg, lang, "sla.writer_none",
	    "the resolver"));
}

/* text without command lines, trimmed, capped; NULL if nothing is left */
static char *
public_text(const char *text)
{
	struct commands c;
	char *s = NULL;
	size_t n;

	commands_parse(text ? text : "", &c);
	n = strlen(c.text);
	while (n > 0 && strchr(" \t\r\n", c.text[n - 1]))
		n--;
	if (n > 0)
		s = n > WORDS_MAX ? xasprintf("%.*s [...]", WORDS_MAX, c.text) :
		    xstrndup(c.text, n);
	commands_free(&c);
	return s;
}

static const struct dm_sql sql_staff_words = SQL(
    "SELECT received, from_addr, from_name, new_text, body FROM messages"
    " WHERE ticket_id = ?1 AND kind = 'staff' ORDER BY id DESC LIMIT ?2");
static const struct dm_sql sql_progress = SQL(
    "SELECT at, actor, detail FROM events WHERE ticket_id = ?1 AND"
    " type = 'progress' ORDER BY id DESC LIMIT 1");

/*
 * The resolver's latest public words: the newest public staff message
 * with text besides its commands, or the newest progress note, whichever
 * is later.
 */
static dm_err
latest_words(struct dm_store *st, const struct dm_config *cfg,
    const char *lang, const struct dm_ticket *t, struct words *w)
{
	struct dm_stmt *s = store_stmt(st, &sql_staff_words);
	dm_err err = DM_OK;
	int rc;

	memset(w, 0, sizeof(*w));
	if (s == NULL)
		return store_error(st, "messages");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_int(s, 2, WORDS_LOOK);
	while (w->text == NULL && (rc = stmt_step(s)) == STMT_ROW) {
		const char *text = stmt_text(s, 3);

		if (text == NULL || *text == '\0')
			text = stmt_text(s, 4);
		if ((w->text = public_text(text)) == NULL)
			continue;
		w->when = (time_t)stmt_int64(s, 0);
		w->who = writer(cfg, lang, stmt_text(s, 1),
		    stmt_text(s, 2));
	}
	stmt_reset(s);
	if ((s = store_stmt(st, &sql_progress)) == NULL) {
		words_clear(w);
		return store_error(st, "events");
	}
	stmt_bind_int64(s, 1, t->id);
	if ((rc = stmt_step(s)) == STMT_ROW &&
	    (time_t)stmt_int64(s, 0) >= w->when) {
		char *text = public_text(stmt_text(s,
		    2));

		if (text != NULL) {
			words_clear(w);
			w->text = text;
			w->when = (time_t)stmt_int64(s, 0);
			w->who = writer(cfg, lang, stmt_text(s, 1), NULL);
		}
	} else if (rc != STMT_ROW && rc != STMT_DONE)
		err = store_error(st, "events");
	stmt_reset(s);
	return err;
}

/* When the customer's side last heard of the incident (0: never). */
static const struct dm_sql sql_last_notice = SQL(
    "SELECT max(created) FROM outbox WHERE ticket_id = ?1 AND template IN"
    " ('sla_initial', 'sla_update', 'sla_significant', 'sla_escalated')");

dm_err
sla_notice_last(struct dm_store *st, int64_t ticket, time_t *when)
{
	int64_t v;
	dm_err err = store_query_int(st, &sql_last_notice, ticket, &v);

	*when = (time_t)v;
	return err;
}

/* "Latest from the resolver (...)", or that nothing is new, in lang. */
static char *
known_text(const struct dm_config *cfg, const char *lang, const char *tz,
    const struct sla_mail *m, const struct words *w, time_t last)
{
	char at[96], before[96], *head, *out;

	if (w->text == NULL)
		return m->kind == SN_RESTORED ? lang_say(cfg, lang,
		    "sla.no_words_restored", "The resolver left no words on "
		    "how it was resolved.", (const char *)NULL) : lang_say(cfg,
		    lang, "sla.no_words", "No word from the resolver yet.",
		    (const char *)NULL);
	lang_time(cfg, lang, w->when, tz, at, sizeof(at));
	lang_time(cfg, lang, last, tz, before, sizeof(before));
	if (m->kind == SN_RESTORED)
		head = lang_say(cfg, lang, "sla.how_resolved", "How it was "
		    "resolved ({who}, {when}):", "who", w->who, "when", at,
		    (const char *)NULL);
	else if (last == 0 || w->when > last)
		head = lang_say(cfg, lang, "sla.latest", "Latest from the "
		    "resolver ({who}, {when}):", "who", w->who, "when", at,
		    (const char *)NULL);
	else
		head = lang_say(cfg, lang, "sla.nothing_new", "Nothing new "
		    "since the last update ({before}). The last word from the "
		    "resolver ({who}, {when}):", "before", before, "who",
		    w->who, "when", at, (const char *)NULL);
	out = xasprintf("%s\n\n%s", head, w->text);
	free(head);
	return out;
}

/* When the customer hears next. */
static dm_err
next_text(struct dm_store *st, const struct dm_config *cfg, const char *lang,
    const char *tz, const struct dm_ticket *t, const struct sla_policy *p,
    const struct sla_mail *m, char **out)
{
	char at[96];
	time_t next;
	dm_err err;

	*out = NULL;
	if (m->kind == SN_RESTORED) {
		*out = xstrdup("");
		return DM_OK;
	}
	if ((err = sla_next_update(st, t->id, &next)) != DM_OK)
		return err;
	if (next != 0)
		*out = lang_say(cfg, lang, "sla.next", "The next update will "
		    "be sent by {when}.", "when", lang_time(cfg, lang, next,
		    tz, at, sizeof(at)), (const char *)NULL);
	else if (sla_policy_row(p, t->severity)->restored)
		*out = lang_say(cfg, lang, "sla.next_restored", "You will hear "
		    "from us again when service is restored.",
		    (const char *)NULL);
	else
		*out = lang_say(cfg, lang, "sla.next_none", "No further "
		    "updates are scheduled; you will hear from us when it is "
		    "resolved.", (const char *)NULL);
	return DM_OK;
}

/* The template variables of the notice, their words and times in lang. */
static dm_err
params_of(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct sla_policy *p,
    const struct sla_mail *m, const char *lang, time_t now, char **params)
{
	char due[96], tz[ZONE_NAME_LEN], *known, *next, *late, *open;
	char *target, *message;
	struct words w;
	time_t last;
	dm_err err;

	*params = NULL;
	notice_timezone(st, cfg, t, tz, sizeof(tz));
	if ((err = latest_words(st, cfg, lang, t, &w)) != DM_OK)
		return err;
	if ((err = sla_notice_last(st, t->id, &last)) != DM_OK ||
	    (err = next_text(st, cfg, lang, tz, t, p, m, &next)) != DM_OK) {
		words_clear(&w);
		return err;
	}
	known = known_text(cfg, lang, tz, m, &w, last);
	words_clear(&w);
	lang_time(cfg, lang, m->due ? m->due : now, tz, due, sizeof(due));
	late = sla_say_duration(cfg, lang, m->due && now > m->due ?
	    (long)(now - m->due) : 0);
	open = sla_say_duration(cfg, lang, (long)(now - t->created));
	target = sla_say_target(cfg, lang, t, p, &m->say);
	message = sla_say_message(cfg, lang, t, p, &m->say);
	*params = outbox_params("sla.target", target, "sla.due", due,
	    "sla.late", late, "message", message ? message : "", "sla.known",
	    known, "sla.next", next, "sla.action", m->action ? m->action : "",
	    "ticket.open_for", open, (const char *)NULL);
	free(known);
	free(next);
	free(late);
	free(open);
	free(target);
	free(message);
	return DM_OK;
}

/* ---- who hears of it ------------------------------------------------ */

struct recipients {
	char	**addr;
	int	 *staff;	/* on the desk's side */
	int	 *customer;	/* 1 the requester, 2 a participant */
	size_t	  n;
};

static void
recipients_add(struct recipients *r, const char *addr, int staff)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (strcasecmp(r->addr[i], addr) == 0)
			return;
	r->addr = xreallocarray(r->addr, r->n + 1, sizeof(*r->addr));
	r->staff = xreallocarray(r->staff, r->n + 1, sizeof(*r->staff));
	r->customer = xreallocarray(r->customer, r->n + 1,
	    sizeof(*r->customer));
	r->addr[r->n] = xstrdup(addr);
	r->customer[r->n] = 0;
	r->staff[r->n++] = staff;
}

/* "requester": the ticket's customers for SLA notices (participants.h) */
static dm_err
recipients_add_customers(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, struct recipients *r)
{
	struct dm_customers c;
	size_t i, j;
	dm_err err;

	if ((err = ticket_customers(st, cfg, t, PG_SLA, &c)) != DM_OK)
		return err;
	for (i = 0; i < c.n; i++) {
		recipients_add(r, c.v[i].address, 0);
		for (j = 0; j < r->n; j++)
			if (strcasecmp(r->addr[j], c.v[i].address) == 0)
				r->customer[j] = c.v[i].requester ? 1 : 2;
	}
	customers_free(&c);
	return DM_OK;
}

/* Every address of a comma-separated list. */
static void
recipients_add_list(struct recipients *r, const char *list, int staff)
{
	char *copy = xstrdup(list ? list : ""), *tok, *save = NULL;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save))
		recipients_add(r, tok, staff);
	free(copy);
}

static void
recipients_free(struct recipients *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->addr[i]);
	free(r->addr);
	free(r->staff);
	free(r->customer);
	memset(r, 0, sizeof(*r));
}

/* The audience to, of ticket t, as addresses. */
static dm_err
resolve(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, unsigned to, struct recipients *r)
{
	const struct dm_team *team = t->team ? config_team(cfg, t->team) :
	    NULL;
	struct dm_agency a;
	dm_err err = DM_ENOTFOUND, err2;

	memset(&a, 0, sizeof(a));
	if ((to & (SLA_TO_CONTACTS | SLA_TO_ESCALATION)) && t->agency != NULL &&
	    (err = directory_agency(st, t->agency, &a)) != DM_OK &&
	    err != DM_ENOTFOUND)
		return err;
	if ((to & SLA_TO_REQUESTER) &&
	    (err2 = recipients_add_customers(st, cfg, t, r)) != DM_OK) {
		if (err == DM_OK)
			directory_agency_clear(&a);
		return err2;
	}
	if (to & SLA_TO_CONTACTS)
		recipients_add_list(r, a.notify && *a.notify ? a.notify :
		    cfg->sla_contacts, 0);
	if (to & SLA_TO_ESCALATION)
		recipients_add_list(r, a.escalate, 0);
	/* the supervisor, else the team; management, else the supervisor */
	if ((to & SLA_TO_MANAGEMENT) && cfg->sla_management[0])
		recipients_add_list(r, cfg->sla_management, 1);
	else if (to & SLA_TO_MANAGEMENT)
		to |= SLA_TO_SUPERVISOR;
	if ((to & SLA_TO_SUPERVISOR) && cfg->sla_supervisor[0])
		recipients_add_list(r, cfg->sla_supervisor, 1);
	else if (to & SLA_TO_SUPERVISOR)
		to |= SLA_TO_TEAM;
	if ((to & SLA_TO_TEAM) && team != NULL && team->address != NULL)
		recipients_add(r, team->address, 1);
	if (err == DM_OK)
		directory_agency_clear(&a);
	return DM_OK;
}

/*
 * The params of a major incident's notice as one of its children's
 * requesters reads it: under their own ticket's number and subject, with
 * the incident's severity, team and status, and a line saying what it
 * is.  The caller frees the result.
 */
static char *
child_params(const struct dm_config *cfg, const char *lang,
    const char *params, const struct dm_ticket *major,
    const struct dm_ticket *child)
{
	struct json_object *o = json_tokener_parse(params);
	char num[24], mnum[24], *line, *out;

	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return xstrdup(params);
	}
	snprintf(num, sizeof(num), "%lld", (long long)child->id);
	snprintf(mnum, sizeof(mnum), "%lld", (long long)major->id);
	line = lang_say(cfg, lang, "sla.incident", "Your request {id} "
	    "({subject}) is part of major incident {major}: {major_subject}. "
	    "This is that incident's notice.", "id", num, "subject",
	    child->subject, "major", mnum, "major_subject", major->subject,
	    (const char *)NULL);
	out = xasprintf("%s\n\n", line);
	json_object_object_add(o, "sla.incident", json_object_new_string(out));
	free(out);
	free(line);
	snprintf(num, sizeof(num), "%d", major->severity);
	json_object_object_add(o, "ticket.severity",
	    json_object_new_string(major->severity ? num : lang_word(cfg,
	    lang, "severity.none", "not set")));
	json_object_object_add(o, "ticket.team",
	    json_object_new_string(major->team ? major->team : lang_word(cfg,
	    lang, "team.none", "none")));
	json_object_object_add(o, "ticket.status_text",
	    json_object_new_string(notice_status_text(cfg, lang,
	    major->status)));
	out = xstrdup(json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
	return out;
}

/*
 * A major incident's customer notice goes to the customers of every open
 * child (requester and, as participants_get says for SLA notices,
 * participants), each under the child's number and thread, so that they
 * can answer it there.  *sent counts each mail.
 */
static dm_err
fan_out(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct sla_policy *p,
    const struct sla_mail *m, time_t now, size_t *sent)
{
	char lang[LANG_LEN], *params;
	struct dm_outbox_item item;
	struct dm_customers c;
	struct dm_ticket child;
	int64_t *kids;
	size_t n, i, j;
	int capped;
	dm_err err;

	if ((err = ticket_children(st, t->id, 1, &kids, &n)) != DM_OK)
		return err;
	for (i = 0; i < n && err == DM_OK; i++) {
		char *irt = NULL, *refs = NULL, *cp;

		if ((err = ticket_get(st, kids[i], &child)) != DM_OK)
			break;
		if ((err = ticket_customers(st, cfg, &child, PG_SLA, &c)) !=
		    DM_OK) {
			ticket_clear(&child);
			break;
		}
		if (c.n == 0 || (err = message_thread_ids(st, child.id, &irt,
		    &refs)) != DM_OK) {
			customers_free(&c);
			ticket_clear(&child);
			continue;
		}
		/* each child's customers read it in their own language */
		notice_lang(cfg, &child, lang);
		if ((err = params_of(st, cfg, t, p, m, lang, now, &params)) !=
		    DM_OK) {
			free(irt);
			free(refs);
			customers_free(&c);
			ticket_clear(&child);
			break;
		}
		cp = child_params(cfg, lang, params, t, &child);
		free(params);
		memset(&item, 0, sizeof(item));
		item.ticket = child.id;
		item.template = templates[m->kind][0];
		item.in_reply_to = irt;
		item.refs = refs;
		item.params = cp;
		for (j = 0; j < c.n && err == DM_OK; j++) {
			/* as for the major incident's own participants */
			if (!c.v[j].requester && ((err = customer_auto_capped(st,
			    cfg, child.id, c.v[j].address, now, &capped)) !=
			    DM_OK || capped))
				continue;
			item.recipient = c.v[j].address;
			item.automatic = !c.v[j].requester;
			if ((err = outbox_queue(st, cfg, &item, now, NULL)) ==
			    DM_OK)
				(*sent)++;
		}
		customers_free(&c);
		free(cp);
		free(irt);
		free(refs);
		ticket_clear(&child);
	}
	free(kids);
	return err;
}

static const char *const kind_names[SN_COUNT] = {
	"initial notice", "update", "significant update", "restored notice",
	"escalation notice", "severity 1 notice"
};

dm_err
sla_notice_send(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct sla_policy *p,
    const struct sla_mail *m, time_t now, size_t *sent)
{
	struct recipients r;
	struct dm_outbox_item item;
	char *params = NULL, *shared = NULL, *detail, words[96];
	char lang[LANG_LEN];
	unsigned to = m->staff_only ? 0 : p->to[m->kind];
	dm_err err;
	size_t i;

	*sent = 0;
	memset(&r, 0, sizeof(r));
	recipients_add_list(&r, m->staff_list, 1);
	if ((err = resolve(st, cfg, t, to, &r)) != DM_OK) {
		recipients_free(&r);
		return err;
	}
	if (r.n == 0) {
		recipients_free(&r);
		detail = xasprintf("%s not sent: its audience (%s) reaches "
		    "nobody for this ticket", kind_names[m->kind],
		    sla_audience_text(to, words, sizeof(words)));
		err = event_add(st, t->id, now, "deskmail", "sla_notice",
		    detail);
		free(detail);
		return err;
	}
	/* the words of a customer template in the ticket's language, of a
	 * staff one (template_shared()) in theirs */
	if ((err = params_of(st, cfg, t, p, m, notice_lang(cfg, t, lang), now,
	    &params)) != DM_OK || (err = params_of(st, cfg, t, p, m,
	    LANG_SHARED, now, &shared)) != DM_OK) {
		free(params);
		recipients_free(&r);
		return err;
	}
	for (i = 0; i < r.n && err == DM_OK; i++) {
		char *irt = NULL, *refs = NULL;
		int capped;

		/*
		 * A participant's copy is automatic mail: a stranger's Cc
		 * and a routing rule's severity must not make the desk mail
		 * an address more than auto_reply_limit times an hour.
		 */
		if (r.customer[i] == 2 && ((err = customer_auto_capped(st, cfg,
		    t->id, r.addr[i], now, &capped)) != DM_OK || capped))
			continue;
		/* the customers' copies thread under the requester's mail */
		if (r.customer[i] && (err = message_thread_ids(st, t->id, &irt,
		    &refs)) != DM_OK)
			break;
		memset(&item, 0, sizeof(item));
		item.ticket = t->id;
		item.template = templates[m->kind][r.staff[i]];
		item.recipient = r.addr[i];
		item.in_reply_to = irt;
		item.refs = refs;
		item.params = template_shared(item.template) ? shared : params;
		item.automatic = r.customer[i] == 2;
		err = outbox_queue(st, cfg, &item, now, NULL);
		free(irt);
		free(refs);
	}
	*sent = r.n;
	if (err == DM_OK && (to & SLA_TO_REQUESTER))
		err = fan_out(st, cfg, t, p, m, now, sent);
	free(params);
	free(shared);
	recipients_free(&r);
	return err;
}

/* ---- audiences that reach nobody ------------------------------------- */

/* The notice kinds a policy sends at all. */
static int
sends(const struct sla_policy *p, enum sla_notice k)
{
	size_t i;
	int any = 0;

	for (i = 0; i < 4; i++) {
		const struct sla_row *r = &p->row[i];

		if ((k == SN_INITIAL && r->initial.n) || (k == SN_UPDATE &&
		    (r->update_every.n || r->nupdates)) || (k == SN_RESTORED &&
		    r->restored) || (k == SN_SIGNIFICANT && r->significant) ||
		    (k == SN_ESCALATION && (r->ack.n || r->assign.n ||
		    r->resolve.n || r->referral.n || p->triage.n)) ||
		    (k == SN_MAJOR && i == 1))
			any = 1;
	}
	return any;
}

/* Nonzero if the configuration gives the audience somebody at all. */
static int
reachable(const struct dm_config *cfg, unsigned to)
{
	size_t i;
	int teams = 0;

	for (i = 0; i < cfg->nteams; i++)
		teams |= cfg->teams[i].address != NULL;
	/* the requester and the agency directory are there for most tickets */
	return (to & (SLA_TO_REQUESTER | SLA_TO_ESCALATION)) ||
	    ((to & SLA_TO_CONTACTS) && cfg->sla_contacts[0]) ||
	    ((to & SLA_TO_STAFF) && (teams || cfg->sla_supervisor[0] ||
	    cfg->sla_management[0]));
}

/* Policies tickets can follow: [sla]'s, the teams', the routing rules'. */
static int
in_use(const struct dm_config *cfg, const struct sla_policy *p)
{
	size_t i;

	if (strcmp(cfg->sla_policy, p->name) == 0)
		return 1;
	for (i = 0; i < cfg->nteams; i++)
		if (cfg->teams[i].sla_policy != NULL &&
		    strcmp(cfg->teams[i].sla_policy, p->name) == 0)
			return 1;
	return 0;
}

void
sla_audience_warnings(const struct dm_config *cfg, char ***lines)
{
	char **v = NULL, words[96];
	size_t i, n = 0;
	int k;

	for (i = 0; i < cfg->npolicies; i++) {
		const struct sla_policy *p = &cfg->policies[i];

		if (!in_use(cfg, p))
			continue;
		for (k = 0; k < SN_COUNT; k++) {
			if (!sends(p, (enum sla_notice)k) ||
			    reachable(cfg, p->to[k]))
				continue;
			v = xreallocarray(v, n + 2, sizeof(*v));
			v[n++] = xasprintf("policy %s: %s (%s) reaches nobody: "
			    "its %ss are not sent", p->name,
			    sla_notice_keys[k], sla_audience_text(p->to[k],
			    words, sizeof(words)), kind_names[k]);
		}
	}
	if (v != NULL)
		v[n] = NULL;
	*lines = v;
}

void
sla_warnings_free(char **lines)
{
	size_t i;

	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		free(lines[i]);
	free(lines);
}
