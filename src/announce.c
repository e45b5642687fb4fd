/*
 * announce.c - owns the announcements and announcement_recipients tables:
 * who an announcement goes to (announce_select(), the one place that
 * decides; ticket-requesters: is the search `ticket search` makes), its
 * mail queued through the outbox at a bounded rate, and
 * what became of each.
 *
 * The text is kept once, in the announcement's row; each outbox row
 * names the announcement and the sender reads the text from there
 * (announce_vars()), so 5,000 recipients do not store it 5,000 times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "deskmail/announce.h"
#include "deskmail/autosender.h"
#include "deskmail/directory.h"
#include "deskmail/header.h"
#include "deskmail/json.h"
#include "deskmail/outbox.h"
#include "deskmail/people.h"
#include "deskmail/search.h"
#include "deskmail/template.h"
#include "deskmail/util.h"

/* ---- the audience ----------------------------------------------------- */

dm_err
announce_audience_parse(const char *spec, struct announce_audience *a)
{
	static const struct {
		const char		*prefix;
		enum announce_to	 kind;
	} kinds[] = { { "agency:", AN_AGENCY }, { "team:", AN_TEAM },
	    { "ticket-requesters:", AN_REQUESTERS } };
	const char *arg = NULL;
	size_t i, n;

	memset(a, 0, sizeof(*a));
	if (spec == NULL)
		spec = "";
	if (strcmp(spec, "all") == 0) {
		a->kind = AN_ALL;
		return DM_OK;
	}
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i].prefix);
		if (strncmp(spec, kinds[i].prefix, n) == 0) {
			a->kind = kinds[i].kind;
			arg = spec + n;
			break;
		}
	}
	if (arg == NULL)
		return dm_fail(DM_EUSAGE, "--to is all, agency:NAME, team:NAME "
		    "or ticket-requesters:TEXT, not '%.100s'", spec);
	if (*arg == '\0')
		return dm_fail(DM_EUSAGE, "--to %.*s needs a %s after the "
		    "colon", (int)(arg - spec), spec, a->kind ==
		    AN_REQUESTERS ? "text" : "name");
	if (strlen(arg) > ANNOUNCE_QUERY_MAX)
		return dm_fail(DM_EUSAGE, "--to %.*s: longer than %d bytes",
		    (int)(arg - spec), spec, ANNOUNCE_QUERY_MAX);
	if (!utf8_valid(arg, strlen(arg)))
		return dm_fail(DM_EUSAGE, "--to %.*s: not UTF-8 text",
		    (int)(arg - spec), spec);
	a->arg = xstrdup(arg);
	return DM_OK;
}

void
announce_audience_clear(struct announce_audience *a)
{
	free(a->arg);
	memset(a, 0, sizeof(*a));
}

void
announce_list_free(struct announce_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->addr[i]);
	for (i = 0; i < l->nleft; i++)
		free(l->left[i]);
	free(l->addr);
	free(l->left);
	free(l->why);
	memset(l, 0, sizeof(*l));
}

/* ---- selecting -------------------------------------------------------- */

/* Candidates before the checks: an address and whether it is a requester
 * (a notify contact is not, and may be staff's own choice of address). */
struct cand {
	char	*addr;
	int	 requester;
};

struct cands {
	struct cand	*v;
	size_t		 n;
};

static void
cands_add(struct cands *c, const char *addr, int requester)
{
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].addr = str_lower(xstrdup(addr));
	c->v[c->n++].requester = requester;
}

static void
cands_free(struct cands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].addr);
	free(c->v);
}

static int
cmp_cand(const void *x, const void *y)
{
	const struct cand *a = x, *b = y;

	return strcmp(a->addr, b->addr);
}

/* Sorted by address, each once (a requester and a contact: requester). */
static void
cands_sort(struct cands *c)
{
	size_t i, k;

	if (c->n == 0)
		return;
	qsort(c->v, c->n, sizeof(*c->v), cmp_cand);
	for (i = 0, k = 0; i < c->n; i++) {
		if (k > 0 && strcmp(c->v[k - 1].addr, c->v[i].addr) == 0) {
			c->v[k - 1].requester |= c->v[i].requester;
			free(c->v[i].addr);
			continue;
		}
		c->v[k++] = c->v[i];
	}
	c->n = k;
}

/* Every address the first column of s gives (s bound by the caller);
 * agency: only those the directory places in it. */
static dm_err
collect(struct dm_store *st, struct dm_stmt *s, const char *agency,
    struct cands *c)
{
	const char *a;
	char *of;
	dm_err err = DM_OK;
	int rc;

	while ((rc = stmt_step(s)) == STMT_ROW) {
		if ((a = stmt_text(s, 0)) == NULL)
			continue;
		if (agency == NULL) {
			cands_add(c, a, 1);
			continue;
		}
		/* a domain of the agency's, unless an address or a narrower
		 * domain is another agency's */
		if ((err = directory_lookup(st, a, &of)) != DM_OK)
			break;
		if (of != NULL && strcmp(of, agency) == 0)
			cands_add(c, a, 1);
		free(of);
	}
	if (err == DM_OK && rc != STMT_DONE)
		err = store_error(st, "tickets");
	stmt_reset(s);
	return err;
}

/* Tickets of the window: not closed, or changed since ?1. */
#define IN_WINDOW	"(status <> 'closed' OR updated >= ?1)"

static const struct dm_sql sql_all = SQL(
    "SELECT DISTINCT requester FROM tickets WHERE " IN_WINDOW);
static const struct dm_sql sql_team = SQL(
    "SELECT DISTINCT requester FROM tickets WHERE team = ?2 AND"
    " status NOT IN ('resolved', 'closed')");
static const struct dm_sql sql_requester = SQL(
    "SELECT requester FROM tickets WHERE id = ?1 AND status <> 'merged'");
static const struct dm_sql sql_agency_filed = SQL(
    "SELECT DISTINCT requester FROM tickets WHERE " IN_WINDOW
    " AND agency = ?2");
/* PostgreSQL's substr() takes a negative start as before the first
 * character (the whole string), so it has right() instead */
static const struct dm_sql sql_agency_senders = SQL2(
    "SELECT DISTINCT t.requester FROM tickets t JOIN agency_senders s"
    " ON s.agency = ?2 WHERE (t.status <> 'closed' OR t.updated >= ?1) AND"
    " (t.requester = s.sender OR substr(t.requester, -length(s.sender) - 1)"
    " IN ('@' || s.sender, '.' || s.sender))",
    "SELECT DISTINCT t.requester FROM tickets t JOIN agency_senders s"
    " ON s.agency = $2 WHERE (t.status <> 'closed' OR t.updated >= $1) AND"
    " (t.requester = s.sender OR right(t.requester, length(s.sender) + 1)"
    " IN ('@' || s.sender, '.' || s.sender))");

static dm_err
run(struct dm_store *st, const struct dm_sql *sql, time_t since,
    const char *arg, const char *agency, struct cands *c)
{
	struct dm_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, (int64_t)since);
	if (arg != NULL)
		stmt_bind_text(s, 2, arg);
	return collect(st, s, agency, c);
}

/*
 * The requesters of the tickets of the window whose subject or text
 * holds every word of query: what `ticket search` finds (search.h).
 */
static dm_err
run_search(struct dm_store *st, const char *query, time_t since,
    struct cands *c)
{
	struct ticket_filter f;
	struct dm_stmt *s;
	int64_t *ids;
	size_t n, i;
	dm_err err;

	ticket_filter_init(&f);
	f.closed_since = since;
	if ((err = search_ticket_ids(st, query, &f, &ids, &n)) != DM_OK)
		return err;
	for (i = 0; i < n && err == DM_OK; i++) {
		if ((s = store_stmt(st, &sql_requester)) == NULL) {
			err = store_error(st, "tickets");
			break;
		}
		stmt_bind_int64(s, 1, ids[i]);
		err = collect(st, s, NULL, c);
	}
	free(ids);
	return err;
}

/* The agency's notify contacts, "a@x, b@y". */
static void
add_contacts(struct cands *c, const char *list)
{
	char *copy = xstrdup(list ? list : ""), *tok, *save = NULL;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t", &save))
		cands_add(c, tok, 0);
	free(copy);
}

static dm_err
candidates(struct dm_store *st, const struct dm_config *cfg,
    const struct announce_audience *a, time_t now, struct cands *c)
{
	time_t since = now - (time_t)cfg->announce_days * 86400;
	struct dm_agency ag;
	dm_err err;

	switch (a->kind) {
	case AN_ALL:
		return run(st, &sql_all, since, NULL, NULL, c);
	case AN_TEAM:
		if (config_team(cfg, a->arg) == NULL)
			return dm_fail(DM_ENOTFOUND, "no team '%s' (a [team %s] "
			    "section)", a->arg, a->arg);
		return run(st, &sql_team, since, a->arg, NULL, c);
	case AN_REQUESTERS:
		return run_search(st, a->arg, since, c);
	case AN_AGENCY:
		if ((err = directory_agency(st, a->arg, &ag)) != DM_OK)
			return err == DM_ENOTFOUND ? dm_fail(err, "no agency "
			    "'%s' in the directory", a->arg) : err;
		add_contacts(c, ag.notify);
		directory_agency_clear(&ag);
		if ((err = run(st, &sql_agency_filed, since, a->arg, NULL,
		    c)) != DM_OK)
			return err;
		return run(st, &sql_agency_senders, since, a->arg, a->arg, c);
	}
	return dm_fail(DM_ESOFTWARE, "audience %d", (int)a->kind);
}

static void
leave_out(struct announce_list *l, const char *addr, const char *why)
{
	l->left = xreallocarray(l->left, l->nleft + 1, sizeof(*l->left));
	l->why = xreallocarray(l->why, l->nleft + 1, sizeof(*l->why));
	l->left[l->nleft] = xstrdup(addr);
	l->why[l->nleft++] = why;
}

dm_err
announce_select(struct dm_store *st, const struct dm_config *cfg,
    const struct announce_audience *a, time_t now, struct announce_list *out)
{
	struct cands c;
	char *reason;
	size_t i;
	dm_err err;

	memset(out, 0, sizeof(*out));
	memset(&c, 0, sizeof(c));
	if ((err = candidates(st, cfg, a, now, &c)) != DM_OK)
		goto out;
	cands_sort(&c);
	for (i = 0; i < c.n && err == DM_OK; i++) {
		const char *addr = c.v[i].addr;

		if (!address_valid(addr) || !header_address_safe(addr)) {
			leave_out(out, addr, "not an address mail can be sent to");
			continue;
		}
		if (config_is_own_address(cfg, addr)) {
			leave_out(out, addr, "our own address");
			continue;
		}
		if (c.v[i].requester && people_is_staff(cfg, addr)) {
			leave_out(out, addr, "staff");
			continue;
		}
		if ((err = auto_sender_check(st, addr, now, &reason)) != DM_OK)
			break;
		if (reason != NULL) {
			free(reason);
			leave_out(out, addr, "it sends us automatic mail");
			continue;
		}
		if (out->n >= (size_t)cfg->announce_max) {
			err = dm_fail(DM_ELIMIT, "more than %ld recipients "
			    "([announce] max_recipients); choose a narrower "
			    "--to", cfg->announce_max);
			break;
		}
		out->addr = xreallocarray(out->addr, out->n + 1,
		    sizeof(*out->addr));
		out->addr[out->n++] = xstrdup(addr);
	}
out:
	cands_free(&c);
	if (err != DM_OK)
		announce_list_free(out);
	return err;
}

/* ---- queueing --------------------------------------------------------- */

/* PostgreSQL: RETURNING id is what store_last_id() reads there */
static const struct dm_sql sql_insert = SQL2(
    "INSERT INTO announcements (created, actor, audience, subject, body,"
    " recipients) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    "INSERT INTO announcements (created, actor, audience, subject, body,"
    " recipients) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id");
static const struct dm_sql sql_recipient = SQL(
    "INSERT INTO announcement_recipients (announcement_id, address,"
    " outbox_id) VALUES (?1, ?2, ?3)");
/* the announcement mail that still waits, the latest due */
static const struct dm_sql sql_waiting = SQL(
    "SELECT max(next_attempt) FROM outbox WHERE template = 'announce' AND"
    " status = 'queued' AND next_attempt >= ?1");

dm_err
announce_queue(struct dm_store *st, const struct dm_config *cfg,
    const char *actor, const char *audience, const char *subject,
    const char *body, const struct announce_list *l, time_t now,
    int64_t *id, time_t *last)
{
	struct dm_outbox_item item;
	struct dm_stmt *s = store_stmt(st, &sql_insert);
	int64_t waiting, row;
	long per = cfg->announce_per_hour, base = 0;
	char num[32], *params;
	size_t i;
	dm_err err;

	*id = 0;
	*last = now;
	if (s == NULL)
		return store_error(st, "announcements");
	stmt_bind_int64(s, 1, (int64_t)now);
	stmt_bind_text(s, 2, actor);
	stmt_bind_text(s, 3, audience);
	stmt_bind_text(s, 4, subject);
	stmt_bind_text(s, 5, body);
	stmt_bind_int64(s, 6, (int64_t)l->n);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	*id = store_last_id(st);
	/* after what an earlier announcement still has waiting: the rate is
	 * the sender's, not each announcement's */
	if ((err = store_query_int(st, &sql_waiting, (int64_t)now, &waiting)) !=
	    DM_OK)
		return err;
	if (waiting >= now)
		base = (long)(waiting - now) + (3600 + per - 1) / per;
	snprintf(num, sizeof(num), "%lld", (long long)*id);
	params = outbox_params("announce.id", num, (const char *)NULL);
	memset(&item, 0, sizeof(item));
	item.template = "announce";
	item.params = params;
	for (i = 0; i < l->n && err == DM_OK; i++) {
		item.recipient = l->addr[i];
		item.delay = base + (long)((long long)i * 3600 / per);
		if ((err = outbox_queue(st, cfg, &item, now, NULL)) != DM_OK)
			break;
		row = store_last_id(st);
		if ((s = store_stmt(st, &sql_recipient)) == NULL) {
			err = store_error(st, "announcement_recipients");
			break;
		}
		stmt_bind_int64(s, 1, *id);
		stmt_bind_text(s, 2, l->addr[i]);
		stmt_bind_int64(s, 3, row);
		err = store_exec_stmt(st, s);
		*last = now + item.delay;
	}
	free(params);
	return err;
}

/* ---- what the sender and the admin read -------------------------------- */

static const struct dm_sql sql_text = SQL(
    "SELECT subject, body FROM announcements WHERE id = ?1");

dm_err
announce_vars(struct dm_store *st, struct tvars *v)
{
	const char *idtext = tvars_get(v, "announce.id");
	struct dm_stmt *s;
	dm_err err = DM_OK;
	int rc;

	if (idtext == NULL)
		return DM_OK;
	if ((s = store_stmt(st, &sql_text)) == NULL)
		return store_error(st, "announcements");
	stmt_bind_int64(s, 1, strtoll(idtext, NULL, 10));
	if ((rc = stmt_step(s)) == STMT_ROW) {
		tvars_set(v, "announce.subject",
		    stmt_text(s, 0));
		tvars_set(v, "message", stmt_text(s,
		    1));
	} else if (rc == STMT_DONE)
		err = dm_fail(DM_EPARSE, "no announcement %s", idtext);
	else
		err = store_error(st, "announcements");
	stmt_reset(s);
	return err;
}

static const struct dm_sql sql_list = SQL(
    "SELECT a.id, a.created, a.actor, a.audience, a.subject, a.recipients,"
    " count(CASE WHEN o.status = 'sent' THEN 1 END),"
    " count(CASE WHEN o.status IN ('queued', 'held') THEN 1 END),"
    " count(CASE WHEN o.status = 'failed' THEN 1 END)"
    " FROM announcements a"
    " LEFT JOIN announcement_recipients r ON r.announcement_id = a.id"
    " LEFT JOIN outbox o ON o.id = r.outbox_id"
    " GROUP BY a.id ORDER BY a.id");

dm_err
announce_list_json(struct dm_store *st, struct json_object *array)
{
	struct dm_stmt *s = store_stmt(st, &sql_list);
	dm_err err = DM_OK;
	int rc, i;

	if (s == NULL)
		return store_error(st, "announcements");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		static const char *const counts[] = { "recipients", "sent",
		    "waiting", "failed" };
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "id",
		    json_object_new_int64(stmt_int64(s, 0)));
		json_put_time(o, "created", (time_t)stmt_int64(s, 1));
		json_put_text(o, "actor", s, 2);
		json_put_text(o, "to", s, 3);
		json_put_text(o, "subject", s, 4);
		for (i = 0; i < 4; i++)
			json_object_object_add(o, counts[i],
			    json_object_new_int64(stmt_int64(s,
			    5 + i)));
		json_object_array_add(array, o);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "announcements");
	stmt_reset(s);
	return err;
}
