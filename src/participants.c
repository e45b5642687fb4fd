/*
 * participants.c - owns the ticket_participants table: who besides the
 * requester hears of a ticket, and ticket_customers(), which every piece
 * of mail to the customer's side asks.
 *
 * Only people: an address of ours (the help address, a team's) would
 * loop, staff are on the desk's side, a list or a robot reads nothing and
 * may answer everything.  Such addresses in To/Cc are left out, with an
 * event saying why, and so are addresses past max_participants (a Cc of
 * 500 is a list by other means).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "deskmail/autosender.h"
#include "deskmail/header.h"
#include "deskmail/json.h"
#include "deskmail/mime.h"
#include "deskmail/outbox.h"
#include "deskmail/participants.h"
#include "deskmail/people.h"
#include "deskmail/util.h"

/* Left-out addresses an event names; the rest are counted. */
#define LEFT_SHOWN	10

/* ---- who can be one ------------------------------------------------- */

/* Nonzero if the local part of address is word, or starts or ends so. */
static int
local_is(const char *address, size_t llen, const char *word)
{
	return strlen(word) == llen && strncasecmp(address, word, llen) == 0;
}

static int
local_starts(const char *address, size_t llen, const char *prefix)
{
	size_t n = strlen(prefix);

	return llen >= n && strncasecmp(address, prefix, n) == 0;
}

static int
local_ends(const char *address, size_t llen, const char *suffix)
{
	size_t n = strlen(suffix);

	return llen > n && strncasecmp(address + llen - n, suffix, n) == 0;
}

const char *
participant_refused(const struct dm_config *cfg, const char *address)
{
	static const char *const lists[] = { "listserv", "majordomo",
	    "mailman", "sympa", "lists", NULL };
	static const char *const list_ends[] = { "-request", "-owner", "-l",
	    "-list", "-bounces", "-announce", "-users", NULL };
	static const char *const noreply[] = { "noreply", "no-reply",
	    "no_reply", "donotreply", "do-not-reply", "do_not_reply", NULL };
	const char *at;
	size_t llen, i;

	if (!header_address_safe(address) || !address_valid(address))
		return "not an address mail can be sent to";
	if (config_is_own_address(cfg, address))
		return "our own address";
	if (people_is_staff(cfg, address))
		return "staff";
	at = strrchr(address, '@');
	llen = (size_t)(at - address);
	if (local_is(address, llen, "mailer-daemon") ||
	    local_is(address, llen, "postmaster"))
		return "a mail system's address";
	for (i = 0; noreply[i] != NULL; i++)
		if (local_starts(address, llen, noreply[i]))
			return "a no-reply address";
	if (local_starts(address, llen, "owner-"))
		return "a mailing list";
	for (i = 0; lists[i] != NULL; i++)
		if (local_is(address, llen, lists[i]))
			return "a mailing list";
	for (i = 0; list_ends[i] != NULL; i++)
		if (local_ends(address, llen, list_ends[i]))
			return "a mailing list";
	return NULL;
}

static void
pick_list(const struct dm_config *cfg, const char *sender, const char *list,
    struct participants_pick *p)
{
	const char *s = list ? list : "", *e, *why;
	char *a;

	while (*s != '\0') {
		while (*s == ' ' || *s == ',')
			s++;
		for (e = s; *e != '\0' && *e != ','; e++)
			;
		if (e == s)
			continue;
		a = str_lower(str_squeeze(xstrndup(s, (size_t)(e - s))));
		s = e;
		/* the mail came to us: our addresses go without saying */
		if (*a == '\0' || (sender != NULL && strcmp(a, sender) == 0) ||
		    config_is_own_address(cfg, a)) {
			free(a);
			continue;
		}
		if ((why = participant_refused(cfg, a)) != NULL) {
			p->left = xreallocarray(p->left, p->nleft + 1,
			    sizeof(*p->left));
			p->why = xreallocarray(p->why, p->nleft + 1,
			    sizeof(*p->why));
			p->left[p->nleft] = a;
			p->why[p->nleft++] = why;
			continue;
		}
		p->cand = xreallocarray(p->cand, p->ncand + 1, sizeof(*p->cand));
		p->cand[p->ncand++] = a;
	}
}

void
participants_pick(const struct dm_config *cfg, const char *sender,
    const char *to, const char *cc, struct participants_pick *p)
{
	memset(p, 0, sizeof(*p));
	pick_list(cfg, sender, to, p);
	pick_list(cfg, sender, cc, p);
}

void
participants_pick_free(struct participants_pick *p)
{
	size_t i;

	for (i = 0; i < p->ncand; i++)
		free(p->cand[i]);
	for (i = 0; i < p->nleft; i++)
		free(p->left[i]);
	free(p->cand);
	free(p->left);
	free(p->why);
	memset(p, 0, sizeof(*p));
}

dm_err
participant_op_parse(const char *arg, int *add, char **address)
{
	const char *p = arg ? arg : "", *w;
	size_t n;
	char *a;

	*address = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	for (w = p; *p != '\0' && *p != ' ' && *p != '\t'; p++)
		;
	n = (size_t)(p - w);
	if (n == 3 && strncasecmp(w, "add", 3) == 0)
		*add = 1;
	else if (n == 6 && strncasecmp(w, "remove", 6) == 0)
		*add = 0;
	else
		return dm_fail(DM_EUSAGE, "#cc takes add or remove and an "
		    "address: #cc add <address>, #cc remove <address>");
	while (*p == ' ' || *p == '\t')
		p++;
	a = str_lower(str_squeeze(xstrdup(p)));
	n = strlen(a);
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
	}
	if (*a == '\0' || !address_valid(a) || !header_address_safe(a)) {
		dm_err err = dm_fail(DM_EUSAGE, *a == '\0' ? "#cc %s needs an "
		    "address" : "#cc %s: '%.100s' is not an e-mail address",
		    *add ? "add" : "remove", a);

		free(a);
		return err;
	}
	*address = a;
	return DM_OK;
}

/* ---- the table -------------------------------------------------------- */

static const struct dm_sql sql_count = SQL(
    "SELECT count(*) FROM ticket_participants WHERE ticket_id = ?1 AND"
    " removed IS NULL");
/* PostgreSQL: a boolean reads as 0 with stmt_int(), so the cast */
static const struct dm_sql sql_state = SQL2(
    "SELECT removed IS NULL FROM ticket_participants WHERE ticket_id = ?1"
    " AND address = ?2",
    "SELECT (removed IS NULL)::int FROM ticket_participants"
    " WHERE ticket_id = $1 AND address = $2");
static const struct dm_sql sql_add = SQL(
    "INSERT INTO ticket_participants (ticket_id, address, added, added_by)"
    " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (ticket_id, address) DO UPDATE"
    " SET added = excluded.added, added_by = excluded.added_by,"
    " removed = NULL, removed_by = NULL");
static const struct dm_sql sql_remove = SQL(
    "UPDATE ticket_participants SET removed = ?3, removed_by = ?4"
    " WHERE ticket_id = ?1 AND address = ?2 AND removed IS NULL");
/*
 * In the order they were first added: the upsert of &sql_add keeps a
 * row's rowid (SQLite), its seq (PostgreSQL, which has no rowid; the
 * schema gives the table an identity column for it).
 */
static const struct dm_sql sql_current = SQL2(
    "SELECT address FROM ticket_participants WHERE ticket_id = ?1 AND"
    " removed IS NULL ORDER BY rowid",
    "SELECT address FROM ticket_participants WHERE ticket_id = $1 AND"
    " removed IS NULL ORDER BY seq");

/* *state: 0 never a participant, 1 one now, 2 removed. */
static dm_err
state_of(struct dm_store *st, int64_t ticket, const char *address,
    int *state)
{
	struct dm_stmt *s = store_stmt(st, &sql_state);
	int rc;

	*state = 0;
	if (s == NULL)
		return store_error(st, "ticket_participants");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, address);
	if ((rc = stmt_step(s)) == STMT_ROW)
		*state = stmt_int(s, 0) ? 1 : 2;
	stmt_reset(s);
	if (rc != STMT_ROW && rc != STMT_DONE)
		return store_error(st, "ticket_participants");
	return DM_OK;
}

static dm_err
insert(struct dm_store *st, int64_t ticket, const char *address,
    const char *actor, time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_add);

	if (s == NULL)
		return store_error(st, "ticket_participants");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, address);
	stmt_bind_int64(s, 3, (int64_t)now);
	stmt_bind_text(s, 4, actor);
	return store_exec_stmt(st, s);
}

/* "a (why), b (why) and 3 more" of the addresses p left out */
static char *
left_text(const struct participants_pick *p, const char *const *extra,
    const char *const *extra_why, size_t nextra)
{
	struct buf b;
	size_t i, shown = 0, total = p->nleft + nextra;

	buf_init(&b);
	for (i = 0; i < total && shown < LEFT_SHOWN; i++, shown++)
		buf_addf(&b, "%s%s (%s)", shown ? ", " : "", i < p->nleft ?
		    p->left[i] : extra[i - p->nleft], i < p->nleft ? p->why[i] :
		    extra_why[i - p->nleft]);
	if (total > shown)
		buf_addf(&b, " and %zu more", total - shown);
	buf_addc(&b, '\0');
	return buf_release(&b);
}

dm_err
participants_from_mail(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const struct dm_parsed *m, time_t now)
{
	struct participants_pick p;
	char **kept = NULL, **auto_left = NULL, *reason, *detail;
	const char **auto_why = NULL;
	size_t i, j, nkept = 0, nauto = 0, over = 0;
	size_t max = (size_t)cfg->max_participants;
	dm_err err = DM_OK;

	participants_pick(cfg, t->requester, m->to, m->cc, &p);
	for (i = 0; i < p.ncand && err == DM_OK; i++) {
		for (j = 0; j < nkept; j++)
			if (strcmp(kept[j], p.cand[i]) == 0)
				break;
		if (j < nkept)
			continue;	/* named twice */
		if (nkept >= max) {
			over++;
			continue;
		}
		if ((err = auto_sender_check(st, p.cand[i], now, &reason)) !=
		    DM_OK)
			break;
		if (reason != NULL) {
			free(reason);
			auto_left = xreallocarray(auto_left, nauto + 1,
			    sizeof(*auto_left));
			auto_why = xreallocarray(auto_why, nauto + 1,
			    sizeof(*auto_why));
			auto_left[nauto] = p.cand[i];
			auto_why[nauto++] = "it sends us automatic mail";
			continue;
		}
		if ((err = insert(st, t->id, p.cand[i], "deskmail", now)) !=
		    DM_OK)
			break;
		kept = xreallocarray(kept, nkept + 1, sizeof(*kept));
		kept[nkept++] = p.cand[i];
		detail = xasprintf("%s, in To/Cc of the mail that opened the "
		    "ticket", p.cand[i]);
		err = event_add(st, t->id, now, "deskmail", "participant_added",
		    detail);
		free(detail);
	}
	if (err == DM_OK && p.nleft + nauto > 0) {
		char *left = left_text(&p, (const char *const *)auto_left,
		    auto_why, nauto);

		detail = xasprintf("not participants: %s", left);
		err = event_add(st, t->id, now, "deskmail",
		    "participants_left_out", detail);
		free(detail);
		free(left);
	}
	if (err == DM_OK && over > 0) {
		detail = xasprintf("%zu more addresses in To/Cc are not "
		    "participants: a ticket has at most %zu "
		    "(max_participants)", over, max);
		err = event_add(st, t->id, now, "deskmail",
		    "participants_capped", detail);
		free(detail);
	}
	free(kept);
	free(auto_left);
	free(auto_why);
	participants_pick_free(&p);
	return err;
}

dm_err
participant_add(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *address, const char *actor,
    time_t now)
{
	const char *why;
	int64_t n;
	int state;
	dm_err err;

	if ((why = participant_refused(cfg, address)) != NULL)
		return dm_fail(DM_EUSAGE, "%s cannot be a participant: %s",
		    address, why);
	if (strcasecmp(address, t->requester) == 0)
		return dm_fail(DM_ESTATE, "%s is the requester of ticket %lld",
		    address, (long long)t->id);
	if ((err = state_of(st, t->id, address, &state)) != DM_OK)
		return err;
	if (state == 1)
		return dm_fail(DM_ESTATE, "%s is already a participant of "
		    "ticket %lld", address, (long long)t->id);
	if ((err = store_query_int(st, &sql_count, t->id, &n)) != DM_OK)
		return err;
	if (n >= cfg->max_participants)
		return dm_fail(DM_ESTATE, "ticket %lld has %lld participants, "
		    "the most it may have (max_participants)", (long long)t->id,
		    (long long)n);
	if ((err = insert(st, t->id, address, actor, now)) != DM_OK)
		return err;
	return event_add(st, t->id, now, actor, "participant_added", address);
}

dm_err
participants_merge(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *from, const struct dm_ticket *into,
    const char *actor, time_t now)
{
	struct dm_stmt *s;
	char **v = NULL;
	size_t n = 0, i;
	int rc;
	dm_err err = DM_OK;

	if ((s = store_stmt(st, &sql_current)) == NULL)
		return store_error(st, "ticket_participants");
	stmt_bind_int64(s, 1, from->id);
	v = xreallocarray(v, 1, sizeof(*v));
	v[n++] = str_lower(xstrdup(from->requester));
	while ((rc = stmt_step(s)) == STMT_ROW) {
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n++] = stmt_dup(s, 0);
	}
	stmt_reset(s);
	if (rc != STMT_DONE)
		err = store_error(st, "ticket_participants");
	for (i = 0; i < n; i++) {
		/* refused, the survivor's requester, there already or full:
		 * nobody new to add */
		if (err == DM_OK && (err = participant_add(st, cfg, into, v[i],
		    actor, now)) != DM_OK && (err == DM_EUSAGE ||
		    err == DM_ESTATE))
			err = DM_OK;
		free(v[i]);
	}
	free(v);
	return err;
}

dm_err
participant_remove(struct dm_store *st, const struct dm_ticket *t,
    const char *address, const char *actor, time_t now)
{
	struct dm_stmt *s;
	int state;
	dm_err err;

	if ((err = state_of(st, t->id, address, &state)) != DM_OK)
		return err;
	if (state != 1)
		return dm_fail(DM_ENOTFOUND, "%s is not a participant of ticket "
		    "%lld", address, (long long)t->id);
	if ((s = store_stmt(st, &sql_remove)) == NULL)
		return store_error(st, "ticket_participants");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, address);
	stmt_bind_int64(s, 3, (int64_t)now);
	stmt_bind_text(s, 4, actor);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	return event_add(st, t->id, now, actor, "participant_removed",
	    address);
}

/* ---- who gets the mail ------------------------------------------------ */

static void
customers_add(struct dm_customers *c, const char *address, int requester)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcasecmp(c->v[i].address, address) == 0)
			return;
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].address = xstrdup(address);
	c->v[c->n++].requester = requester;
}

dm_err
ticket_customers(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, int kind, struct dm_customers *out)
{
	struct dm_stmt *s;
	const char *a;
	dm_err err = DM_OK;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!config_is_own_address(cfg, t->requester))
		customers_add(out, t->requester, 1);
	if ((kind & PG_ACK) || (cfg->participants_get & kind) == 0)
		return DM_OK;
	if ((s = store_stmt(st, &sql_current)) == NULL)
		return store_error(st, "ticket_participants");
	stmt_bind_int64(s, 1, t->id);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		a = stmt_text(s, 0);
		/* the configuration may have made it ours or staff since */
		if (a != NULL && !config_is_own_address(cfg, a) &&
		    !people_is_staff(cfg, a))
			customers_add(out, a, 0);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "ticket_participants");
	stmt_reset(s);
	if (err != DM_OK)
		customers_free(out);
	return err;
}

dm_err
customer_auto_capped(struct dm_store *st, const struct dm_config *cfg,
    int64_t ticket, const char *to, time_t now, int *capped)
{
	long count;
	char *detail;
	dm_err err;

	*capped = 0;
	if ((err = outbox_count_automatic(st, to, now - 3600, &count)) !=
	    DM_OK || count < cfg->auto_reply_limit)
		return err;
	*capped = 1;
	detail = xasprintf("%ld automatic mails to %s in the last hour "
	    "(auto_reply_limit %ld)", count, to, cfg->auto_reply_limit);
	err = event_add(st, ticket, now, "deskmail", "auto_reply_suppressed",
	    detail);
	free(detail);
	return err;
}

void
customers_free(struct dm_customers *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].address);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

/* ---- JSON view -------------------------------------------------------- */

/* in the order of &sql_current */
static const struct dm_sql sql_list = SQL2(
    "SELECT address, name, added, added_by, removed, removed_by"
    " FROM ticket_participants WHERE ticket_id = ?1 ORDER BY rowid",
    "SELECT address, name, added, added_by, removed, removed_by"
    " FROM ticket_participants WHERE ticket_id = $1 ORDER BY seq");

dm_err
participants_json(struct dm_store *st, int64_t ticket,
    struct json_object *array)
{
	struct dm_stmt *s = store_stmt(st, &sql_list);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(st, "ticket_participants");
	stmt_bind_int64(s, 1, ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		struct json_object *o = json_object_new_object();

		json_put_text(o, "address", s, 0);
		json_put_text(o, "name", s, 1);
		json_put_time(o, "added", (time_t)stmt_int64(s, 2));
		json_put_text(o, "added_by", s, 3);
		json_put_time(o, "removed", (time_t)stmt_int64(s, 4));
		json_put_text(o, "removed_by", s, 5);
		json_object_array_add(array, o);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "ticket_participants");
	stmt_reset(s);
	return err;
}
