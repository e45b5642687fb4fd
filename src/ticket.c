/*
 * ticket.c - owns the tickets and events tables.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/ticket.h"
#include "deskmail/util.h"

static const char *const states[] = { TS_NEW, TS_ASSIGNED, TS_IN_PROGRESS,
    TS_PENDING, TS_RESOLVED, TS_REOPENED, TS_CLOSED, TS_MERGED, NULL };

int
ticket_status_valid(const char *status)
{
	size_t i;

	for (i = 0; states[i] != NULL; i++)
		if (strcmp(states[i], status) == 0)
			return 1;
	return 0;
}

#define INSERT_TICKET \
    "INSERT INTO tickets (status, severity, team, assignee, category, agency," \
    " requester, requester_name, subject, created, updated, linked_ticket," \
    " owner, sla_policy, queue, lang)"
/* PostgreSQL: RETURNING id is what store_last_id() reads there */
static const struct dm_sql sql_insert = SQL2(INSERT_TICKET
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13,"
    " ?14, ?15)",
    INSERT_TICKET
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, $13,"
    " $14, $15) RETURNING id");

dm_err
ticket_create(struct dm_store *st, struct dm_ticket *t)
{
	struct dm_stmt *s = store_stmt(st, &sql_insert);
	dm_err err;

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_text(s, 1, t->status);
	if (t->severity > 0)
		stmt_bind_int(s, 2, t->severity);
	stmt_bind_text(s, 3, t->team);
	stmt_bind_text(s, 4, t->assignee);
	stmt_bind_text(s, 5, t->category);
	stmt_bind_text(s, 6, t->agency);
	stmt_bind_text(s, 7, t->requester);
	stmt_bind_text(s, 8, t->requester_name);
	stmt_bind_text(s, 9, t->subject);
	stmt_bind_int64(s, 10, (int64_t)t->created);
	if (t->linked_ticket > 0)
		stmt_bind_int64(s, 11, t->linked_ticket);
	stmt_bind_text(s, 12, t->owner);
	stmt_bind_text(s, 13, t->sla_policy);
	stmt_bind_text(s, 14, t->queue);
	stmt_bind_text(s, 15, t->lang);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	t->id = store_last_id(st);
	t->updated = t->created;
	t->version = 1;
	return DM_OK;
}

static const struct dm_sql sql_get = SQL(
    "SELECT status, severity, team, assignee, category, agency, requester,"
    " requester_name, subject, created, updated, resolved_at, closed_at,"
    " version, linked_ticket, owner, sla_policy, queue, merged_into, parent,"
    " lang FROM tickets WHERE id = ?1");

dm_err
ticket_get(struct dm_store *st, int64_t id, struct dm_ticket *t)
{
	struct dm_stmt *s = store_stmt(st, &sql_get);
	int rc;

	memset(t, 0, sizeof(*t));
	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, id);
	rc = stmt_step(s);
	if (rc == STMT_DONE) {
		stmt_reset(s);
		return dm_fail(DM_ENOTFOUND, "no ticket %lld", (long long)id);
	}
	if (rc != STMT_ROW) {
		dm_err err = store_error(st, "tickets");

		stmt_reset(s);
		return err;
	}
	t->id = id;
	t->status = stmt_dup(s, 0);
	t->severity = stmt_int(s, 1);
	t->team = stmt_dup(s, 2);
	t->assignee = stmt_dup(s, 3);
	t->category = stmt_dup(s, 4);
	t->agency = stmt_dup(s, 5);
	t->requester = stmt_dup(s, 6);
	t->requester_name = stmt_dup(s, 7);
	t->subject = stmt_dup(s, 8);
	t->created = (time_t)stmt_int64(s, 9);
	t->updated = (time_t)stmt_int64(s, 10);
	t->resolved_at = (time_t)stmt_int64(s, 11);
	t->closed_at = (time_t)stmt_int64(s, 12);
	t->version = stmt_int64(s, 13);
	t->linked_ticket = stmt_int64(s, 14);
	t->owner = stmt_dup(s, 15);
	t->sla_policy = stmt_dup(s, 16);
	t->queue = stmt_dup(s, 17);
	t->merged_into = stmt_int64(s, 18);
	t->parent = stmt_int64(s, 19);
	t->lang = stmt_dup(s, 20);
	stmt_reset(s);
	return DM_OK;
}

static const struct dm_sql sql_queue = SQL(
    "SELECT queue FROM tickets WHERE id = ?1");

dm_err
ticket_queue(struct dm_store *st, int64_t id, char **queue)
{
	struct dm_stmt *s = store_stmt(st, &sql_queue);
	int rc;

	*queue = NULL;
	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, id);
	if ((rc = stmt_step(s)) == STMT_ROW)
		*queue = stmt_dup(s, 0);
	stmt_reset(s);
	return rc == STMT_ROW || rc == STMT_DONE ? DM_OK :
	    store_error(st, "tickets");
}

void
ticket_clear(struct dm_ticket *t)
{
	free(t->status);
	free(t->team);
	free(t->assignee);
	free(t->category);
	free(t->agency);
	free(t->requester);
	free(t->requester_name);
	free(t->subject);
	free(t->owner);
	free(t->sla_policy);
	free(t->queue);
	free(t->lang);
	memset(t, 0, sizeof(*t));
}

static const struct dm_sql sql_status = SQL(
    "UPDATE tickets SET status = ?2, updated = ?3, version = version + 1,"
    " resolved_at = CASE WHEN ?2 = 'resolved' THEN ?3"
    "   WHEN ?2 IN ('reopened', 'in_progress') THEN NULL"
    "   ELSE resolved_at END,"
    " closed_at = CASE WHEN ?2 = 'closed' THEN ?3"
    "   WHEN ?2 = 'reopened' THEN NULL ELSE closed_at END"
    " WHERE id = ?1");

dm_err
ticket_set_status(struct dm_store *st, struct dm_ticket *t,
    const char *status, const char *actor, time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_status);
	char *detail;
	dm_err err;

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, status);
	stmt_bind_int64(s, 3, (int64_t)now);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	detail = xasprintf("%s -> %s", t->status, status);
	err = event_add(st, t->id, now, actor, "status", detail);
	free(detail);
	free(t->status);
	t->status = xstrdup(status);
	t->version++;
	t->updated = now;
	return err;
}

static const struct dm_sql sql_merged = SQL(
    "UPDATE tickets SET merged_into = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_parent = SQL("UPDATE tickets SET parent = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");

/* One number field (0 stores NULL). */
static dm_err
set_id(struct dm_store *st, const struct dm_sql *sql, struct dm_ticket *t,
    int64_t *field, int64_t value, time_t now)
{
	struct dm_stmt *s = store_stmt(st, sql);
	dm_err err;

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, t->id);
	if (value > 0)
		stmt_bind_int64(s, 2, value);
	stmt_bind_int64(s, 3, (int64_t)now);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	*field = value;
	t->version++;
	t->updated = now;
	return DM_OK;
}

dm_err
ticket_set_merged(struct dm_store *st, struct dm_ticket *t, int64_t into,
    const char *actor, time_t now)
{
	dm_err err;

	if ((err = set_id(st, &sql_merged, t, &t->merged_into, into, now)) !=
	    DM_OK)
		return err;
	return ticket_set_status(st, t, TS_MERGED, actor, now);
}

dm_err
ticket_set_parent(struct dm_store *st, struct dm_ticket *t, int64_t parent,
    time_t now)
{
	return set_id(st, &sql_parent, t, &t->parent, parent, now);
}

#define MERGE_HOPS	8	/* a chain of merges followed this far */

static const struct dm_sql sql_merged_into = SQL(
    "SELECT merged_into FROM tickets WHERE id = ?1");

dm_err
ticket_follow_merged(struct dm_store *st, int64_t id, int64_t *out)
{
	int64_t next;
	dm_err err;
	int hop;

	*out = id;
	for (hop = 0; hop < MERGE_HOPS; hop++) {
		if ((err = store_query_int(st, &sql_merged_into, *out,
		    &next)) != DM_OK)
			return err;
		if (next <= 0)
			return DM_OK;
		*out = next;
	}
	return DM_OK;
}

static const struct dm_sql sql_adopt = SQL(
    "UPDATE tickets SET parent = ?2 WHERE parent = ?1");

dm_err
ticket_adopt_children(struct dm_store *st, int64_t from, int64_t into)
{
	return store_exec_ints(st, &sql_adopt, "tickets", from, into);
}

static const struct dm_sql sql_children = SQL(
    "SELECT id FROM tickets WHERE parent = ?1 AND (?2 = 0 OR status NOT IN"
    " ('resolved', 'closed', 'merged')) ORDER BY id");

dm_err
ticket_children(struct dm_store *st, int64_t parent, int open_only,
    int64_t **ids, size_t *n)
{
	struct dm_stmt *s = store_stmt(st, &sql_children);
	int64_t *v = NULL;
	size_t k = 0;
	dm_err err = DM_OK;
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, parent);
	stmt_bind_int(s, 2, open_only);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		v = xreallocarray(v, k + 1, sizeof(*v));
		v[k++] = stmt_int64(s, 0);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "tickets");
	stmt_reset(s);
	if (err != DM_OK) {
		free(v);
		return err;
	}
	*ids = v;
	*n = k;
	return DM_OK;
}

static const struct dm_sql sql_team = SQL(
    "UPDATE tickets SET team = ?2, updated = ?3,"
    " version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_assignee = SQL(
    "UPDATE tickets SET assignee = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_category = SQL(
    "UPDATE tickets SET category = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_agency = SQL("UPDATE tickets SET agency = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_owner = SQL("UPDATE tickets SET owner = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_policy = SQL(
    "UPDATE tickets SET sla_policy = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");
static const struct dm_sql sql_severity = SQL(
    "UPDATE tickets SET severity = ?2,"
    " updated = ?3, version = version + 1 WHERE id = ?1");

static dm_err
set_text(struct dm_store *st, const struct dm_sql *sql, struct dm_ticket *t,
    char **field, const char *value, time_t now)
{
	struct dm_stmt *s = store_stmt(st, sql);
	dm_err err;

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_text(s, 2, value);
	stmt_bind_int64(s, 3, (int64_t)now);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	free(*field);
	*field = value ? xstrdup(value) : NULL;
	t->version++;
	t->updated = now;
	return DM_OK;
}

dm_err
ticket_set_team(struct dm_store *st, struct dm_ticket *t, const char *team,
    time_t now)
{
	return set_text(st, &sql_team, t, &t->team, team, now);
}

dm_err
ticket_set_assignee(struct dm_store *st, struct dm_ticket *t,
    const char *assignee, time_t now)
{
	return set_text(st, &sql_assignee, t, &t->assignee, assignee, now);
}

dm_err
ticket_set_class(struct dm_store *st, struct dm_ticket *t,
    enum ticket_class field, const char *value, time_t now)
{
	switch (field) {
	case TC_CATEGORY:
		return set_text(st, &sql_category, t, &t->category, value, now);
	case TC_AGENCY:
		return set_text(st, &sql_agency, t, &t->agency, value, now);
	case TC_OWNER:
		return set_text(st, &sql_owner, t, &t->owner, value, now);
	case TC_POLICY:
		return set_text(st, &sql_policy, t, &t->sla_policy, value, now);
	}
	return dm_fail(DM_ESOFTWARE, "ticket field %d", (int)field);
}

dm_err
ticket_set_severity(struct dm_store *st, struct dm_ticket *t, int severity,
    time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_severity);
	dm_err err;

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_int(s, 2, severity);
	stmt_bind_int64(s, 3, (int64_t)now);
	if ((err = store_exec_stmt(st, s)) != DM_OK)
		return err;
	t->severity = severity;
	t->version++;
	t->updated = now;
	return DM_OK;
}

/* A message arrived: the state (and so the version links carry) is
 * unchanged; an out-of-office reply must not kill the accept link. */
static const struct dm_sql sql_touch = SQL(
    "UPDATE tickets SET updated = ?2 WHERE id = ?1");

dm_err
ticket_touch(struct dm_store *st, struct dm_ticket *t, time_t now)
{
	struct dm_stmt *s = store_stmt(st, &sql_touch);

	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_int64(s, 2, (int64_t)now);
	t->updated = now;
	return store_exec_stmt(st, s);
}

static const struct dm_sql sql_resolver = SQL(
    "SELECT actor FROM events WHERE ticket_id = ?1 AND type = 'status'"
    " AND detail LIKE '% -> resolved' ORDER BY id DESC LIMIT 1");

dm_err
ticket_resolver(struct dm_store *st, const struct dm_ticket *t, char **who)
{
	struct dm_stmt *s = store_stmt(st, &sql_resolver);
	dm_err err = DM_OK;
	char *actor = NULL;
	int rc;

	*who = NULL;
	if (s == NULL)
		return store_error(st, "events");
	stmt_bind_int64(s, 1, t->id);
	rc = stmt_step(s);
	if (rc == STMT_ROW)
		actor = stmt_dup(s, 0);
	else if (rc != STMT_DONE)
		err = store_error(st, "events");
	stmt_reset(s);
	if (actor != NULL && strchr(actor, '@') != NULL)
		*who = actor;
	else {
		free(actor);
		if (t->assignee != NULL)
			*who = xstrdup(t->assignee);
	}
	return err;
}

static const struct dm_sql sql_opened = SQL(
    "SELECT count(*) FROM tickets WHERE requester = ?1 AND created >= ?2");

dm_err
ticket_count_opened(struct dm_store *st, const char *requester, time_t since,
    long *n)
{
	struct dm_stmt *s = store_stmt(st, &sql_opened);
	int rc;

	*n = 0;
	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_text(s, 1, requester);
	stmt_bind_int64(s, 2, (int64_t)since);
	if ((rc = stmt_step(s)) == STMT_ROW)
		*n = (long)stmt_int64(s, 0);
	stmt_reset(s);
	return rc == STMT_ROW ? DM_OK : store_error(st, "tickets");
}

static const struct dm_sql sql_event = SQL(
    "INSERT INTO events (ticket_id, at, actor, type, detail)"
    " VALUES (?1, ?2, ?3, ?4, ?5)");

dm_err
event_add(struct dm_store *st, int64_t ticket, time_t at, const char *actor,
    const char *type, const char *detail)
{
	struct dm_stmt *s = store_stmt(st, &sql_event);

	if (s == NULL)
		return store_error(st, "events");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_int64(s, 2, (int64_t)at);
	stmt_bind_text(s, 3, actor);
	stmt_bind_text(s, 4, type);
	stmt_bind_text(s, 5, detail ? detail : "");
	return store_exec_stmt(st, s);
}

static const struct dm_sql sql_event_move = SQL(
    "UPDATE events SET ticket_id = ?2 WHERE ticket_id = ?1");

dm_err
event_move(struct dm_store *st, int64_t from, int64_t into)
{
	return store_exec_ints(st, &sql_event_move, "events", from, into);
}

/* ---- JSON views ------------------------------------------------------ */

#include <json-c/json.h>

#include "deskmail/json.h"

struct json_object *
ticket_row_json(struct dm_stmt *s)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "id",
	    json_object_new_int64(stmt_int64(s, 0)));
	json_put_text(o, "status", s, 1);
	json_object_object_add(o, "severity",
	    stmt_is_null(s, 2) ? NULL :
	    json_object_new_int(stmt_int(s, 2)));
	json_put_text(o, "team", s, 3);
	json_put_text(o, "assignee", s, 4);
	json_put_text(o, "category", s, 5);
	json_put_text(o, "agency", s, 6);
	json_put_text(o, "requester", s, 7);
	json_put_text(o, "requester_name", s, 8);
	json_put_text(o, "subject", s, 9);
	json_put_time(o, "created", (time_t)stmt_int64(s, 10));
	json_put_time(o, "updated", (time_t)stmt_int64(s, 11));
	json_put_time(o, "resolved", (time_t)stmt_int64(s, 12));
	json_put_time(o, "closed", (time_t)stmt_int64(s, 13));
	json_object_object_add(o, "version",
	    json_object_new_int64(stmt_int64(s, 14)));
	json_object_object_add(o, "linked_ticket",
	    stmt_is_null(s, 15) ? NULL :
	    json_object_new_int64(stmt_int64(s, 15)));
	json_put_text(o, "owner", s, 16);
	json_put_text(o, "sla_policy", s, 17);
	json_put_text(o, "queue", s, 18);
	json_object_object_add(o, "merged_into",
	    stmt_is_null(s, 19) ? NULL :
	    json_object_new_int64(stmt_int64(s, 19)));
	json_object_object_add(o, "parent",
	    stmt_is_null(s, 20) ? NULL :
	    json_object_new_int64(stmt_int64(s, 20)));
	return o;
}

/* The filter (ticket.h), ?2 the requester: through its index. */
static const struct dm_sql sql_list = SQL2("SELECT " TICKET_COLUMNS
    " FROM tickets WHERE (?2 IS NULL OR requester = ?2) AND"
    TICKET_FILTER_SQL " ORDER BY id DESC LIMIT ?7",
    "SELECT " TICKET_COLUMNS
    " FROM tickets WHERE ($2::text IS NULL OR requester = $2) AND"
    TICKET_FILTER_PG " ORDER BY id DESC LIMIT NULLIF($7::bigint, -1)");
static const struct dm_sql sql_list_requester = SQL2("SELECT " TICKET_COLUMNS
    " FROM tickets WHERE requester = ?2 AND" TICKET_FILTER_SQL
    " ORDER BY id DESC LIMIT ?7",
    "SELECT " TICKET_COLUMNS
    " FROM tickets WHERE requester = $2 AND" TICKET_FILTER_PG
    " ORDER BY id DESC LIMIT NULLIF($7::bigint, -1)");
static const struct dm_sql sql_one = SQL("SELECT " TICKET_COLUMNS
    " FROM tickets WHERE id = ?1");

void
ticket_filter_init(struct ticket_filter *f)
{
	memset(f, 0, sizeof(*f));
	f->from = f->closed_since = INT64_MIN;
	f->to = INT64_MAX;
	f->limit = -1;
}

void
ticket_filter_bind(struct dm_stmt *s, const struct ticket_filter *f)
{
	stmt_bind_text(s, 1, f->status);
	stmt_bind_text(s, 2, f->requester);
	stmt_bind_text(s, 3, f->agency);
	stmt_bind_int64(s, 4, f->from);
	stmt_bind_int64(s, 5, f->to);
	stmt_bind_int64(s, 6, f->closed_since);
	stmt_bind_int64(s, 7, f->limit < 0 ? -1 : f->limit);
}

/* The listing's statement with filter bound (NULL: every ticket). */
static struct dm_stmt *
list_stmt(struct dm_store *st, const struct ticket_filter *filter)
{
	struct ticket_filter all;
	struct dm_stmt *s;

	if (filter == NULL) {
		ticket_filter_init(&all);
		filter = &all;
	}
	s = store_stmt(st, filter->requester ? &sql_list_requester : &sql_list);
	if (s != NULL)
		ticket_filter_bind(s, filter);
	return s;
}

dm_err
ticket_list_json(struct dm_store *st, const struct ticket_filter *filter,
    struct json_object *array)
{
	struct dm_stmt *s = list_stmt(st, filter);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(st, "tickets");
	while ((rc = stmt_step(s)) == STMT_ROW)
		json_object_array_add(array, ticket_row_json(s));
	if (rc != STMT_DONE)
		err = store_error(st, "tickets");
	stmt_reset(s);
	return err;
}

dm_err
ticket_list_ids(struct dm_store *st, const struct ticket_filter *filter,
    int64_t **ids, size_t *n)
{
	struct dm_stmt *s = list_stmt(st, filter);
	size_t cap = 0;
	dm_err err = DM_OK;
	int rc;

	*ids = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(st, "tickets");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (*n == cap) {
			cap = cap ? cap * 2 : 16;
			*ids = xreallocarray(*ids, cap, sizeof(**ids));
		}
		(*ids)[(*n)++] = stmt_int64(s, 0);
	}
	if (rc != STMT_DONE) {
		err = store_error(st, "tickets");
		free(*ids);
		*ids = NULL;
		*n = 0;
	}
	stmt_reset(s);
	return err;
}

dm_err
ticket_json(struct dm_store *st, int64_t id, struct json_object **out)
{
	struct dm_stmt *s = store_stmt(st, &sql_one);
	dm_err err = DM_OK;
	int rc;

	*out = NULL;
	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, id);
	rc = stmt_step(s);
	if (rc == STMT_ROW)
		*out = ticket_row_json(s);
	else if (rc == STMT_DONE)
		err = dm_fail(DM_ENOTFOUND, "no ticket %lld", (long long)id);
	else
		err = store_error(st, "tickets");
	stmt_reset(s);
	return err;
}

static const struct dm_sql sql_events = SQL(
    "SELECT at, actor, type, detail FROM events"
    " WHERE ticket_id = ?1 ORDER BY id");

dm_err
event_list_json(struct dm_store *st, int64_t ticket, struct json_object *array)
{
	struct dm_stmt *s = store_stmt(st, &sql_events);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(st, "events");
	stmt_bind_int64(s, 1, ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		struct json_object *o = json_object_new_object();

		json_put_time(o, "at", (time_t)stmt_int64(s, 0));
		json_put_text(o, "actor", s, 1);
		json_put_text(o, "type", s, 2);
		json_put_text(o, "detail", s, 3);
		json_object_array_add(array, o);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "events");
	stmt_reset(s);
	return err;
}

const char *
ticket_status_text(const char *status)
{
	static const struct { const char *code, *text; } words[] = {
		{ TS_NEW, "received, waiting to be picked up" },
		{ TS_ASSIGNED, "assigned to a team" },
		{ TS_IN_PROGRESS, "we are working on it" },
		{ TS_PENDING, "waiting for your answer" },
		{ TS_RESOLVED, "resolved: please confirm" },
		{ TS_REOPENED, "open again" },
		{ TS_CLOSED, "closed" },
		{ TS_MERGED, "handled together with another request" },
	};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcmp(status, words[i].code) == 0)
			return words[i].text;
	return status;
}
