/*
 * actions.c - staff actions on a ticket (shared by mail and CLI).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/actions.h"
#include "deskmail/directory.h"
#include "deskmail/merge.h"
#include "deskmail/message.h"
#include "deskmail/outbox.h"
#include "deskmail/participants.h"
#include "deskmail/relay.h"
#include "deskmail/sla.h"
#include "deskmail/survey.h"
#include "deskmail/util.h"

/*
 * Queue template to the ticket's customers for mail of kind (a PG_* bit:
 * the requester, and the participants when participants_get lists it),
 * one mail each, threaded under the requester's mail.  Participants get
 * cc_template instead when it is not NULL (the resolution without the
 * requester's links).  Each mail carries the files of the stored message
 * whose row is files (0: none).
 */
static dm_err
to_customers(const struct action *a, const struct dm_ticket *t, int kind,
    const char *template, const char *cc_template, int automatic,
    const char *text, int64_t files)
{
	struct dm_outbox_item item;
	struct dm_customers c;
	char *irt = NULL, *refs = NULL, *params;
	size_t i;
	int capped;
	dm_err err;

	if (config_is_own_address(a->cfg, t->requester) &&
	    (err = event_add(a->st, t->id, a->now, "deskmail",
	    "mail_suppressed", "the requester is our own address")) != DM_OK)
		return err;
	if ((err = ticket_customers(a->st, a->cfg, t, kind, &c)) != DM_OK)
		return err;
	if (c.n == 0 || (err = message_thread_ids(a->st, t->id, &irt,
	    &refs)) != DM_OK) {
		customers_free(&c);
		return err;
	}
	params = relay_params(text, a->actor, NULL, files, 0);
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.in_reply_to = irt;
	item.refs = refs;
	item.automatic = automatic;
	item.params = params;
	for (i = 0; i < c.n && err == DM_OK; i++) {
		/* automatic mail to any customer never feeds a loop */
		if (automatic && ((err = customer_auto_capped(a->st, a->cfg,
		    t->id, c.v[i].address, a->now, &capped)) != DM_OK || capped))
			continue;
		item.template = c.v[i].requester || cc_template == NULL ?
		    template : cc_template;
		item.recipient = c.v[i].address;
		err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	}
	free(params);
	free(irt);
	free(refs);
	customers_free(&c);
	return err;
}

/* Queue template to a team or a person; ticket_files: with every file of
 * the ticket (a team taking it over), else none. */
static dm_err
to_address(const struct action *a, const struct dm_ticket *t,
    const char *template, const char *to, const char *text,
    const char *team, int ticket_files)
{
	struct dm_outbox_item item;
	char *params;
	dm_err err;

	params = relay_params(text, a->actor, team, 0, ticket_files ? t->id :
	    0);
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.template = template;
	item.recipient = to;
	item.params = params;
	err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	free(params);
	return err;
}

dm_err
action_set_status(const struct action *a, struct dm_ticket *t,
    const char *status)
{
	char *old = xstrdup(t->status);
	dm_err err;

	err = ticket_set_status(a->st, t, status, a->actor, a->now);
	if (err == DM_OK)
		err = sla_on_status(a->st, a->cfg, t, old, a->now);
	free(old);
	return err;
}

/* Staff took the ticket up: new, assigned or reopened become in progress. */
static dm_err
take_up(const struct action *a, struct dm_ticket *t)
{
	if (strcmp(t->status, TS_NEW) == 0 ||
	    strcmp(t->status, TS_ASSIGNED) == 0 ||
	    strcmp(t->status, TS_REOPENED) == 0 ||
	    strcmp(t->status, TS_PENDING) == 0)
		return action_set_status(a, t, TS_IN_PROGRESS);
	return DM_OK;
}

static int
is_closed(const struct dm_ticket *t)
{
	return strcmp(t->status, TS_CLOSED) == 0;
}

/* What staff wrote by CLI goes into the ticket's history, as mail does. */
static dm_err
store_text(const struct action *a, const struct dm_ticket *t,
    const char *text)
{
	int64_t id;

	if (a->text_stored || text == NULL || *text == '\0')
		return DM_OK;
	return message_store_text(a->st, t->id, MK_STAFF, a->actor, t->subject,
	    text, a->now, &id);
}

dm_err
action_reply(const struct action *a, struct dm_ticket *t, const char *text)
{
	dm_err err;

	if (text == NULL || *text == '\0')
		return dm_fail(DM_EUSAGE, "a reply needs some text");
	if ((err = store_text(a, t, text)) != DM_OK)
		return err;
	if ((err = event_add(a->st, t->id, a->now, a->actor, "reply",
	    "public reply relayed to the requester")) != DM_OK)
		return err;
	if (!is_closed(t) && strcmp(t->status, TS_RESOLVED) != 0 &&
	    (err = take_up(a, t)) != DM_OK)
		return err;
	return to_customers(a, t, PG_STAFF_REPLY, "staff_reply", NULL, 0,
	    text, a->message);
}

dm_err
action_resolve(const struct action *a, struct dm_ticket *t, const char *text)
{
	dm_err err;

	if (is_closed(t) || strcmp(t->status, TS_RESOLVED) == 0)
		return dm_fail(DM_ESTATE, "ticket %lld is already %s",
		    (long long)t->id, t->status);
	/* the text first: the restored notice carries it */
	if ((err = store_text(a, t, text)) != DM_OK ||
	    (err = action_set_status(a, t, TS_RESOLVED)) != DM_OK ||
	    (err = to_customers(a, t, PG_RESOLUTION, "resolution",
	    "resolution_cc", 0, text && *text ? text :
	    "The work on your request is complete.", a->message)) != DM_OK)
		return err;
	/* a major incident's children are resolved with it */
	return incident_resolve_children(a, t, text);
}

dm_err
action_pending(const struct action *a, struct dm_ticket *t, const char *text)
{
	dm_err err;

	if (is_closed(t))
		return dm_fail(DM_ESTATE, "ticket %lld is closed",
		    (long long)t->id);
	if (text == NULL || *text == '\0')
		return dm_fail(DM_EUSAGE, "#pending needs the question to ask "
		    "the requester");
	if (strcmp(t->status, TS_PENDING) != 0 &&
	    (err = action_set_status(a, t, TS_PENDING)) != DM_OK)
		return err;
	if ((err = store_text(a, t, text)) != DM_OK)
		return err;
	return to_customers(a, t, PG_PENDING, "pending", NULL, 0, text,
	    a->message);
}

dm_err
action_note(const struct action *a, struct dm_ticket *t, const char *text)
{
	if (text == NULL || *text == '\0')
		return dm_fail(DM_EUSAGE, "a note needs some text");
	return event_add(a->st, t->id, a->now, a->actor, "note", text);
}

dm_err
action_update(const struct action *a, struct dm_ticket *t, const char *text)
{
	dm_err err;

	if (is_closed(t))
		return dm_fail(DM_ESTATE, "ticket %lld is closed",
		    (long long)t->id);
	if (text == NULL || *text == '\0')
		return dm_fail(DM_EUSAGE, "a progress note needs some text");
	if ((err = event_add(a->st, t->id, a->now, a->actor, "progress",
	    text)) != DM_OK)
		return err;
	if (strcmp(t->status, TS_RESOLVED) == 0)
		return DM_OK;
	/* staff saying what they are doing have taken the ticket up */
	if ((err = take_up(a, t)) != DM_OK)
		return err;
	return sla_on_ack(a->st, a->cfg, t, a->now);
}

dm_err
action_assign(const struct action *a, struct dm_ticket *t, const char *who)
{
	const struct dm_team *team = config_team(a->cfg, who);
	char *detail;
	dm_err err;

	if (team != NULL) {
		if ((err = ticket_set_team(a->st, t, team->name, a->now)) !=
		    DM_OK)
			return err;
		detail = xasprintf("to team %s", team->name);
		err = event_add(a->st, t->id, a->now, a->actor, "assign",
		    detail);
		free(detail);
		if (err == DM_OK && team->address != NULL)
			err = to_address(a, t, "new_ticket", team->address,
			    NULL, team->name, 1);
	} else if (config_team_of(a->cfg, who) != NULL) {
		if ((err = ticket_set_assignee(a->st, t, who, a->now)) != DM_OK)
			return err;
		detail = xasprintf("to %s", who);
		err = event_add(a->st, t->id, a->now, a->actor, "assign",
		    detail);
		free(detail);
		if (err == DM_OK)
			err = to_address(a, t, "assigned", who, NULL, t->team,
			    0);
	} else
		return dm_fail(DM_EUSAGE, "'%s' is neither a team nor a staff "
		    "member", who);
	if (err == DM_OK && (strcmp(t->status, TS_NEW) == 0))
		err = action_set_status(a, t, TS_ASSIGNED);
	if (err == DM_OK)
		err = sla_on_assigned(a->st, a->cfg, t, a->now);
	return err;
}

dm_err
action_transfer(const struct action *a, struct dm_ticket *t,
    const char *name, const char *text)
{
	const struct dm_team *team = config_team(a->cfg, name);
	char *detail;
	dm_err err;

	if (team == NULL)
		return dm_fail(DM_EUSAGE, "no team '%s' to transfer to", name);
	if (t->team != NULL && strcmp(t->team, team->name) == 0)
		return dm_fail(DM_ESTATE, "ticket %lld is already with team %s",
		    (long long)t->id, team->name);
	detail = xasprintf("warm transfer from %s to %s", t->team ? t->team :
	    "no team", team->name);
	err = event_add(a->st, t->id, a->now, a->actor, "transfer", detail);
	free(detail);
	if (err == DM_OK)
		err = ticket_set_team(a->st, t, team->name, a->now);
	if (err == DM_OK)
		err = ticket_set_assignee(a->st, t, NULL, a->now);
	if (err == DM_OK)
		err = sla_on_transfer(a->st, a->cfg, t, a->now);
	/* with the new team, which has not acted yet */
	if (err == DM_OK && (strcmp(t->status, TS_NEW) == 0 ||
	    strcmp(t->status, TS_IN_PROGRESS) == 0 ||
	    strcmp(t->status, TS_REOPENED) == 0))
		err = action_set_status(a, t, TS_ASSIGNED);
	if (err == DM_OK && team->address != NULL)
		err = to_address(a, t, "transfer", team->address, text,
		    team->name, 1);
	/* the requester hears of it once, and never has to repeat anything */
	if (err == DM_OK)
		err = to_customers(a, t, PG_TRANSFERRED, "transferred", NULL,
		    1, NULL, 0);
	return err;
}

dm_err
action_severity(const struct action *a, struct dm_ticket *t, int severity)
{
	int old;
	char *detail;
	dm_err err;

	if (severity < 1 || severity > 3)
		return dm_fail(DM_EUSAGE, "severity is 1, 2 or 3");
	if (t->severity == severity)
		return DM_OK;
	detail = t->severity ? xasprintf("%d -> %d", t->severity, severity) :
	    xasprintf("set to %d", severity);
	old = t->severity;
	err = ticket_set_severity(a->st, t, severity, a->now);
	if (err == DM_OK)
		err = event_add(a->st, t->id, a->now, a->actor, "severity",
		    detail);
	if (err == DM_OK)
		err = sla_on_severity(a->st, a->cfg, t, old, a->now);
	/* triaged: it waits for its resolver, no longer for the desk */
	if (err == DM_OK && strcmp(t->status, TS_NEW) == 0)
		err = action_set_status(a, t, TS_ASSIGNED);
	free(detail);
	return err;
}

dm_err
action_classify(const struct action *a, struct dm_ticket *t,
    enum ticket_class field, const char *value)
{
	static const char *const names[] = { "category", "agency", "owner" };
	const char *name = names[field], *old;
	struct dm_agency ag;
	char *detail;
	dm_err err;

	if (field > TC_OWNER)
		return dm_fail(DM_ESOFTWARE, "classify %d", (int)field);
	old = field == TC_CATEGORY ? t->category : field == TC_AGENCY ?
	    t->agency : t->owner;
	if (strcmp(value, "-") == 0)
		value = NULL;
	else if (field == TC_CATEGORY && config_category(value) < 0)
		return dm_fail(DM_EUSAGE, "unknown category '%s' (security, "
		    "desktop, application, hardware)", value);
	else if (field != TC_CATEGORY) {
		if ((err = directory_agency(a->st, value, &ag)) != DM_OK)
			return err;
		directory_agency_clear(&ag);
	}
	if ((old == NULL && value == NULL) || (old != NULL && value != NULL &&
	    strcmp(old, value) == 0))
		return DM_OK;
	detail = xasprintf("%s -> %s", old ? old : "none", value ? value :
	    "none");
	err = ticket_set_class(a->st, t, field, value, a->now);
	if (err == DM_OK)
		err = event_add(a->st, t->id, a->now, a->actor, name, detail);
	free(detail);
	return err;
}

dm_err
action_ack(const struct action *a, struct dm_ticket *t)
{
	dm_err err = event_add(a->st, t->id, a->now, a->actor, "ack",
	    "acknowledged by the resolver");

	if (err == DM_OK)
		err = sla_on_ack(a->st, a->cfg, t, a->now);
	/* the resolver has begun working on it (seed 003) */
	if (err == DM_OK && strcmp(t->status, TS_PENDING) != 0)
		err = take_up(a, t);
	return err;
}

dm_err
action_cc(const struct action *a, struct dm_ticket *t, const char *op)
{
	char *address;
	int add;
	dm_err err;

	if ((err = participant_op_parse(op, &add, &address)) != DM_OK)
		return err;
	err = add ? participant_add(a->st, a->cfg, t, address, a->actor,
	    a->now) : participant_remove(a->st, t, address, a->actor, a->now);
	free(address);
	return err;
}

int
action_text_relayed(const struct commands *c)
{
	int internal = 0, public = 0, transfer = 0;
	size_t i;

	if (c->nbad > 0 || *c->text == '\0')
		return 0;	/* held, or nothing to relay */
	for (i = 0; i < c->n; i++) {
		internal |= c->v[i].kind == CMD_NOTE ||
		    c->v[i].kind == CMD_UPDATE;
		public |= c->v[i].kind == CMD_RESOLVE ||
		    c->v[i].kind == CMD_PENDING;
		transfer |= c->v[i].kind == CMD_TRANSFER;
	}
	return !internal && (public || !transfer);
}

void
action_failures_free(struct action_failures *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		free(f->v[i].line);
		free(f->v[i].why);
	}
	free(f->v);
	memset(f, 0, sizeof(*f));
}

/* What one command does; text is the mail's text, for those that use it. */
static dm_err
do_command(const struct action *a, struct dm_ticket *t,
    const struct command *cmd, const char *text)
{
	switch (cmd->kind) {
	case CMD_ASSIGN:
		return action_assign(a, t, cmd->arg);
	case CMD_SEVERITY:
		return action_severity(a, t, cmd->arg[0] - '0');
	case CMD_ACK:
		return action_ack(a, t);
	case CMD_CATEGORY:
		return action_classify(a, t, TC_CATEGORY, cmd->arg);
	case CMD_AGENCY:
		return action_classify(a, t, TC_AGENCY, cmd->arg);
	case CMD_OWNER:
		return action_classify(a, t, TC_OWNER, cmd->arg);
	case CMD_TRANSFER:
		/* the new team gets the text, a handover #note too */
		return action_transfer(a, t, cmd->arg, text);
	case CMD_NOTE:
		return action_note(a, t, text);
	case CMD_RESOLVE:
		return action_resolve(a, t, text);
	case CMD_PENDING:
		return action_pending(a, t, text);
	case CMD_UPDATE:
		return action_update(a, t, text);
	case CMD_CC:
		return action_cc(a, t, cmd->arg);
	case CMD_MERGE:
		return action_merge_into(a, t, cmd->arg);
	case CMD_PARENT:
		return action_parent_of(a, t, cmd->arg);
	}
	return dm_fail(DM_ESOFTWARE, "command %d", (int)cmd->kind);
}

/*
 * One command (or, cmd NULL, the reply) in a savepoint of its own.  When
 * it fails for a reason the sender can put right (an unknown team, a
 * state it does not fit) what it did is undone, the ticket read again
 * and the failure added to f; any other failure is returned.
 */
static dm_err
guarded(const struct action *a, struct dm_ticket *t,
    const struct command *cmd, const char *text, struct action_failures *f)
{
	int64_t id = t->id;
	dm_err err;

	if ((err = store_savepoint(a->st)) != DM_OK)
		return err;
	err = cmd != NULL ? do_command(a, t, cmd, text) :
	    action_reply(a, t, text);
	if (err == DM_OK)
		return store_release(a->st);
	if (err != DM_EUSAGE && err != DM_ESTATE && err != DM_ENOTFOUND) {
		store_rollback_savepoint(a->st);
		return err;
	}
	f->v = xreallocarray(f->v, f->n + 1, sizeof(*f->v));
	f->v[f->n].line = xstrdup(cmd != NULL ? cmd->line : "(the reply)");
	f->v[f->n].why = xstrdup(dm_errdetail());
	f->n++;
	store_rollback_savepoint(a->st);
	ticket_clear(t);
	return ticket_get(a->st, id, t);
}

dm_err
action_apply(const struct action *a, struct dm_ticket *t,
    const struct commands *c, struct action_failures *f)
{
	const struct command *taker = NULL;
	int transfer = 0;
	dm_err err = DM_OK;
	size_t i;

	memset(f, 0, sizeof(*f));
	for (i = 0; i < c->n; i++) {
		if (command_takes_text(c->v[i].kind) && taker == NULL)
			taker = &c->v[i];
		transfer |= c->v[i].kind == CMD_TRANSFER;
	}
	/* first the commands that change who and how urgent, then the text */
	for (i = 0; i < c->n && err == DM_OK; i++)
		if (!command_takes_text(c->v[i].kind))
			err = guarded(a, t, &c->v[i], c->text, f);
	if (err != DM_OK)
		return err;
	if (taker != NULL)
		return guarded(a, t, taker, c->text, f);
	if (!transfer && *c->text)
		return guarded(a, t, NULL, c->text, f);
	return DM_OK;
}

/*
 * The survey, when [survey] on lists the way the ticket was closed (way,
 * a SURVEY_ON_* bit) and the ticket never had one: a ticket closed,
 * reopened and closed again is surveyed once.  It goes to the ticket's
 * customers (participants too when participants_get lists survey); the
 * ticket has one answer, the first given (action_survey()).
 */
static dm_err
queue_survey(const struct action *a, struct dm_ticket *t, int way)
{
	struct dm_outbox_item item;
	struct dm_customers c;
	char *irt = NULL, *refs = NULL;
	size_t i;
	long sent;
	int capped;
	dm_err err;

	if ((a->cfg->survey_on & way) == 0)
		return DM_OK;
	if ((err = outbox_count_template(a->st, t->id, "survey", &sent)) !=
	    DM_OK || sent > 0)
		return err;
	if ((err = ticket_customers(a->st, a->cfg, t, PG_SURVEY, &c)) != DM_OK)
		return err;
	if (c.n == 0 || (err = message_thread_ids(a->st, t->id, &irt,
	    &refs)) != DM_OK) {
		customers_free(&c);
		return err;
	}
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.template = "survey";
	item.in_reply_to = irt;
	item.refs = refs;
	item.automatic = 1;
	item.delay = a->cfg->survey_delay;
	for (i = 0; i < c.n && err == DM_OK; i++) {
		if (!c.v[i].requester && ((err = customer_auto_capped(a->st,
		    a->cfg, t->id, c.v[i].address, a->now, &capped)) !=
		    DM_OK || capped))
			continue;
		item.recipient = c.v[i].address;
		err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	}
	customers_free(&c);
	free(irt);
	free(refs);
	return err;
}

/*
 * Who hears of the requester's answers: the resolver, the team's address
 * and also (any may be missing), each once.  Returns how many are in
 * to[]; *resolver is the caller's to free.
 */
static dm_err
resolver_and_team(const struct action *a, const struct dm_ticket *t,
    const char *also, char **resolver, const char *to[3], size_t *n)
{
	const struct dm_team *team = t->team ? config_team(a->cfg, t->team) :
	    NULL;
	const char *cand[3];
	size_t i, j, k = 0;
	dm_err err;

	*n = 0;
	if ((err = ticket_resolver(a->st, t, resolver)) != DM_OK)
		return err;
	cand[0] = *resolver;
	cand[1] = team != NULL ? team->address : NULL;
	cand[2] = also != NULL && *also ? also : NULL;
	for (i = 0; i < 3; i++) {
		if (cand[i] == NULL)
			continue;
		for (j = 0; j < k; j++)
			if (strcmp(to[j], cand[i]) == 0)
				break;
		if (j == k)
			to[k++] = cand[i];
	}
	*n = k;
	return DM_OK;
}

/* The resolver and the team (once each) get template with params. */
static dm_err
to_resolver_and_team(const struct action *a, const struct dm_ticket *t,
    const char *template, const char *params)
{
	const char *to[3];
	char *resolver = NULL;
	size_t i, n;
	dm_err err;

	if ((err = resolver_and_team(a, t, NULL, &resolver, to, &n)) != DM_OK)
		return err;
	for (i = 0; i < n && err == DM_OK; i++) {
		struct dm_outbox_item item;

		memset(&item, 0, sizeof(item));
		item.ticket = t->id;
		item.template = template;
		item.recipient = to[i];
		item.params = params;
		err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	}
	free(resolver);
	return err;
}

dm_err
action_reopen(const struct action *a, struct dm_ticket *t,
    enum reopen_how how, const char *text)
{
	const char *name = t->requester_name && *t->requester_name ?
	    t->requester_name : NULL;
	char *who, *params, *was = xstrdup(t->status), *how_text, files[24];
	dm_err err;

	if (strcmp(was, TS_RESOLVED) != 0 && strcmp(was, TS_CLOSED) != 0) {
		free(was);
		return dm_fail(DM_ESTATE, "ticket %lld is %s, not resolved or "
		    "closed", (long long)t->id, t->status);
	}
	/* say who really reopened it, and how: the team reads it cold */
	if (how == REOPEN_STAFF) {
		who = xasprintf("%s (staff)", a->actor);
		how_text = xstrdup("with deskmail ticket reopen");
	} else if (strcasecmp(a->actor, t->requester) != 0) {
		/* someone else on the customer's side wrote */
		who = xasprintf("%s, not the requester %s", a->actor,
		    t->requester);
		how_text = xasprintf("who wrote again after it was %s", was);
	} else {
		who = name != NULL ? xasprintf("the customer, %s <%s>", name,
		    t->requester) : xasprintf("the customer, %s",
		    t->requester);
		how_text = how == REOPEN_NOT_FIXED ? xstrdup("who followed "
		    "the link \"No, it is not fixed\" in the resolution mail") :
		    xasprintf("who wrote again after it was %s", was);
	}
	if (text == NULL || *text == '\0')
		text = how == REOPEN_NOT_FIXED ? "(no comment)" :
		    how == REOPEN_REPLY ? "(no text)" : "(no reason given)";
	snprintf(files, sizeof(files), "%lld", (long long)a->message);
	/* the mail that reopened it goes to them with its files */
	params = outbox_params("message", text, "author", who, "reopen.how",
	    how_text, RELAY_MESSAGE, a->message > 0 ? files : NULL,
	    (const char *)NULL);
	err = DM_OK;
	if (how == REOPEN_STAFF)
		err = event_add(a->st, t->id, a->now, a->actor, "reopened",
		    text);
	if (err == DM_OK)
		err = action_set_status(a, t, TS_REOPENED);
	if (err == DM_OK)
		err = to_resolver_and_team(a, t, "reopened", params);
	free(params);
	free(how_text);
	free(who);
	free(was);
	return err;
}

dm_err
action_accept(const struct action *a, struct dm_ticket *t)
{
	dm_err err;

	if (strcmp(t->status, TS_RESOLVED) != 0)
		return dm_fail(DM_ESTATE, "ticket %lld is %s, not resolved",
		    (long long)t->id, t->status);
	if ((err = event_add(a->st, t->id, a->now, a->actor, "accepted",
	    "the requester accepted the resolution")) != DM_OK ||
	    (err = action_set_status(a, t, TS_CLOSED)) != DM_OK)
		return err;
	return queue_survey(a, t, SURVEY_ON_ACCEPT);
}

dm_err
action_not_fixed(const struct action *a, struct dm_ticket *t,
    const char *comment)
{
	char *detail;
	dm_err err;

	if (strcmp(t->status, TS_RESOLVED) != 0)
		return dm_fail(DM_ESTATE, "ticket %lld is %s, not resolved",
		    (long long)t->id, t->status);
	detail = xasprintf("the requester says it is not fixed%s%s",
	    comment && *comment ? ": " : "", comment ? comment : "");
	err = event_add(a->st, t->id, a->now, a->actor, "not_fixed", detail);
	free(detail);
	if (err == DM_OK)
		err = action_reopen(a, t, REOPEN_NOT_FIXED, comment);
	return err;
}

/*
 * The survey answer's notices wait until the answer can no longer change
 * (the window after the first answer closes) and then carry the final
 * answer: whoever holds the link, and however often they answer, the
 * resolver and the team get one notice each and the supervisor at most
 * one (when the final rating is low).
 */
static dm_err
queue_survey_answer(const struct action *a, const struct dm_ticket *t,
    int rating, const char *comment, time_t answered)
{
	const char *to[3], *sup = a->cfg->supervisor;
	char *resolver = NULL, *params, num[8];
	struct dm_outbox_item item;
	size_t i, n;
	int low = rating <= a->cfg->low_rating;
	dm_err err;

	if ((err = resolver_and_team(a, t, low ? sup : NULL, &resolver, to,
	    &n)) != DM_OK)
		return err;
	snprintf(num, sizeof(num), "%d", rating);
	params = outbox_params("message", comment && *comment ? comment :
	    "(no comment)", "author", resolver ? resolver : "the team",
	    "rating", num, (const char *)NULL);
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.template = "survey_answer";
	item.params = params;
	/* due one second after the last moment a change is taken */
	item.delay = (long)(answered + a->cfg->survey_window + 1 - a->now);
	for (i = 0; i < n && err == DM_OK; i++) {
		item.recipient = to[i];
		err = outbox_queue_once(a->st, a->cfg, &item, a->now);
	}
	/* a low rating changed to a better one: the supervisor need not hear */
	for (i = 0; i < n && strcmp(to[i], sup) != 0; i++)
		;
	if (err == DM_OK && !low && *sup != '\0' && i == n)
		err = outbox_withdraw(a->st, t->id, "survey_answer", sup,
		    a->now, "the rating was changed to one above low_rating");
	free(params);
	free(resolver);
	return err;
}

dm_err
action_survey(const struct action *a, struct dm_ticket *t, int rating,
    const char *comment, int *updated)
{
	struct dm_survey old;
	char *detail;
	time_t answered = a->now;
	dm_err err;

	*updated = SURVEY_FIRST;
	if (rating < 1 || rating > 5)
		return dm_fail(DM_EUSAGE, "the rating is 1 to 5");
	if (comment == NULL)
		comment = "";
	if ((err = survey_get(a->st, t->id, &old)) != DM_OK)
		return err;
	if (old.rating != 0) {
		int late = a->now - old.answered > a->cfg->survey_window;
		int same = old.rating == rating && old.comment != NULL &&
		    strcmp(old.comment, comment) == 0;

		answered = old.answered;
		survey_clear(&old);
		if (late)
			return dm_fail(DM_ESTATE, "this survey was already "
			    "answered");
		*updated = same ? SURVEY_SAME : SURVEY_CHANGED;
		if (same)
			return DM_OK;	/* nothing to record, nobody to tell */
	}
	if ((err = survey_put(a->st, t->id, rating, comment, a->now)) != DM_OK)
		return err;
	detail = xasprintf("%s %d of 5%s%s", *updated == SURVEY_CHANGED ?
	    "changed to" : "rating", rating, *comment ? ": " : "", comment);
	err = event_add(a->st, t->id, a->now, a->actor, "survey", detail);
	free(detail);
	if (err == DM_OK)
		err = queue_survey_answer(a, t, rating, comment, answered);
	return err;
}

dm_err
action_auto_close(const struct action *a, struct dm_ticket *t)
{
	dm_err err;

	if (strcmp(t->status, TS_RESOLVED) != 0)
		return DM_OK;
	if ((err = event_add(a->st, t->id, a->now, a->actor, "auto_closed",
	    "no answer to the resolution in time")) != DM_OK ||
	    (err = action_set_status(a, t, TS_CLOSED)) != DM_OK)
		return err;
	return queue_survey(a, t, SURVEY_ON_AUTOCLOSE);
}

/* Staff close it: the survey per [survey] on (staff_close). */
dm_err
action_close(const struct action *a, struct dm_ticket *t)
{
	dm_err err;

	if (is_closed(t))
		return dm_fail(DM_ESTATE, "ticket %lld is already closed",
		    (long long)t->id);
	if ((err = action_set_status(a, t, TS_CLOSED)) != DM_OK)
		return err;
	return queue_survey(a, t, SURVEY_ON_STAFF_CLOSE);
}
