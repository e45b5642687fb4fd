/*
 * ticket.h - the tickets table and the events table (the audit log).
 */
#ifndef DESKMAIL_TICKET_H
#define DESKMAIL_TICKET_H

#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

/* Ticket states (DESIGN.md "Ticket life"). */
#define TS_NEW			"new"
#define TS_ASSIGNED		"assigned"
#define TS_IN_PROGRESS		"in_progress"
#define TS_PENDING		"pending_customer"
#define TS_RESOLVED		"resolved"
#define TS_REOPENED		"reopened"
#define TS_CLOSED		"closed"
#define TS_MERGED		"merged"	/* into merged_into: it ends there */

struct dm_ticket {
	int64_t	 id;
	char	*status;
	int	 severity;	/* 0: not set */
	char	*team;
	char	*assignee;
	char	*category;
	char	*agency;
	char	*requester;
	char	*requester_name;
	char	*subject;
	time_t	 created;
	time_t	 updated;
	time_t	 resolved_at;	/* 0: never */
	time_t	 closed_at;
	int64_t	 version;
	int64_t	 linked_ticket;	/* 0: none */
	char	*owner;		/* agency owning the device or application */
	char	*sla_policy;	/* the policy its timers follow */
	char	*queue;		/* the [queue NAME] it came in by, or NULL */
	int64_t	 merged_into;	/* merged: the ticket that goes on (0) */
	int64_t	 parent;	/* the major incident it is part of (0) */
	char	*lang;		/* its customers' language (lang.h), or NULL:
				   the [deskmail] language */
};

/* Nonzero if status is one of the states above. */
int	ticket_status_valid(const char *status);

/* Insert t (status, requester, subject, created required); sets t->id. */
dm_err	ticket_create(struct dm_store *st, struct dm_ticket *t);

/* Load ticket id into t (strings owned by t; free with ticket_clear()). */
dm_err	ticket_get(struct dm_store *st, int64_t id, struct dm_ticket *t);
void	ticket_clear(struct dm_ticket *t);

/* Change status, bump version and updated; records a "status" event. */
dm_err	ticket_set_status(struct dm_store *st, struct dm_ticket *t,
	    const char *status, const char *actor, time_t now);

/* Set one field (NULL clears it), bump version and updated. */
dm_err	ticket_set_team(struct dm_store *st, struct dm_ticket *t,
	    const char *team, time_t now);
dm_err	ticket_set_assignee(struct dm_store *st, struct dm_ticket *t,
	    const char *assignee, time_t now);
/* The fields reports group and bill by, and the SLA policy. */
enum ticket_class { TC_CATEGORY, TC_AGENCY, TC_OWNER, TC_POLICY };
dm_err	ticket_set_class(struct dm_store *st, struct dm_ticket *t,
	    enum ticket_class field, const char *value, time_t now);
dm_err	ticket_set_severity(struct dm_store *st, struct dm_ticket *t,
	    int severity, time_t now);

/* Record that t was merged into into (status merged, merged_into). */
dm_err	ticket_set_merged(struct dm_store *st, struct dm_ticket *t,
	    int64_t into, const char *actor, time_t now);
/* Make t part of major incident parent (0: of none). */
dm_err	ticket_set_parent(struct dm_store *st, struct dm_ticket *t,
	    int64_t parent, time_t now);
/*
 * The ticket a ticket number stands for now: id, or the ticket it was
 * merged into (and so on, a few steps at most).
 */
dm_err	ticket_follow_merged(struct dm_store *st, int64_t id, int64_t *out);
/* The tickets under major incident parent that are still open (not
 * resolved, closed or merged), oldest first; *ids freed by the caller. */
dm_err	ticket_children(struct dm_store *st, int64_t parent, int open_only,
	    int64_t **ids, size_t *n);
/* The children of major incident from become into's. */
dm_err	ticket_adopt_children(struct dm_store *st, int64_t from, int64_t into);
/* Every event of ticket from becomes one of ticket into. */
dm_err	event_move(struct dm_store *st, int64_t from, int64_t into);

/* Mark the ticket updated (a message arrived); its state is unchanged. */
dm_err	ticket_touch(struct dm_store *st, struct dm_ticket *t, time_t now);

/* The queue ticket id came in by (NULL: the main help address); the
 * caller frees it.  One column, for the sender of every mail. */
dm_err	ticket_queue(struct dm_store *st, int64_t id, char **queue);

/* Who resolved the ticket last (an address), else its assignee, else
 * NULL; the caller frees it. */
dm_err	ticket_resolver(struct dm_store *st, const struct dm_ticket *t,
	    char **who);

/* How many tickets requester opened at or after since. */
dm_err	ticket_count_opened(struct dm_store *st, const char *requester,
	    time_t since, long *n);

/* Append an audit event. */
dm_err	event_add(struct dm_store *st, int64_t ticket, time_t at,
	    const char *actor, const char *type, const char *detail);

/* Which tickets a listing (and search.h's search) lets through. */
struct ticket_filter {
	const char	*status;	/* NULL: any */
	const char	*requester;	/* an address in lower case; NULL: any */
	const char	*agency;	/* NULL: any */
	int64_t		 from, to;	/* created in [from, to) */
	int64_t		 closed_since;	/* closed ones only if closed since */
	long		 limit;		/* at most; < 0: no limit */
};

/* f lets every ticket through, without a limit. */
void	ticket_filter_init(struct ticket_filter *f);

/*
 * The filter in SQL, on the columns of tickets but the requester's
 * (?2, which a statement tests itself so that it can use the index
 * tickets_requester): ?1 status, ?3 agency, ?4 and ?5 created, ?6
 * closed_since; ?7 is the limit.  ticket_filter_bind() binds ?1-?7.
 * The unary '+' keeps the planner off the indexes on these columns: a
 * listing walks the tickets newest first (or a requester's, or what a
 * search found) and stops at the limit, where a date range through
 * tickets_created would sort every ticket of the range first.
 */
#define TICKET_FILTER_SQL " (?1 IS NULL OR +status = ?1)" \
	" AND (?3 IS NULL OR +agency = ?3) AND +created >= ?4" \
	" AND +created < ?5 AND (+status <> 'closed' OR +closed_at >= ?6)"
/* The same on PostgreSQL: there a unary '+' on text is an error (its
 * planner goes by statistics anyway), and a parameter first met in
 * "IS NULL" has no type unless it is cast.  A listing's LIMIT ?7 is
 * -1 for none, which PostgreSQL refuses: NULLIF($7::bigint, -1). */
#define TICKET_FILTER_PG " ($1::text IS NULL OR status = $1)" \
	" AND ($3::text IS NULL OR agency = $3) AND created >= $4" \
	" AND created < $5 AND (status <> 'closed' OR closed_at >= $6)"
void	ticket_filter_bind(struct dm_stmt *s, const struct ticket_filter *f);

/* The columns of tickets a listing selects, first in its SELECT, and
 * the JSON object of a row of them (ticket list --json, search). */
#define TICKET_COLUMNS "id, status, severity, team, assignee, category," \
	" agency, requester, requester_name, subject, created, updated," \
	" resolved_at, closed_at, version, linked_ticket, owner, sla_policy," \
	" queue, merged_into, parent"
struct json_object;
struct json_object *ticket_row_json(struct dm_stmt *s);
/* The ids of the tickets f lets through (f NULL: all), newest first, as
 * ticket_list_json() lists them: *ids (malloc'd) and *n. */
dm_err	ticket_list_ids(struct dm_store *st, const struct ticket_filter *f,
	    int64_t **ids, size_t *n);

/*
 * JSON views (json-c).  Each appends new objects the caller owns through
 * the array or object it passed.
 */
struct json_object;
/* The tickets f lets through (f NULL: all), newest first. */
dm_err	ticket_list_json(struct dm_store *st, const struct ticket_filter *f,
	    struct json_object *array);
/* The ticket's own fields as a new object in *out. */
dm_err	ticket_json(struct dm_store *st, int64_t id, struct json_object **out);
/* The ticket's events, oldest first. */
dm_err	event_list_json(struct dm_store *st, int64_t ticket,
	    struct json_object *array);

/*
 * A status as customers read it ("we are working on it"); reports and
 * --json keep the codes.  Unknown codes are returned as they are.
 */
const char *ticket_status_text(const char *status);

#endif
