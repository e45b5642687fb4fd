/*
 * announce.h - announcements (seed 002's change and maintenance notices):
 * one mail to each customer of an audience, queued through the outbox at
 * no more than [announce] per_hour, recorded with every recipient.
 */
#ifndef DESKMAIL_ANNOUNCE_H
#define DESKMAIL_ANNOUNCE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

/* Bounds of what an announcement is made of. */
#define ANNOUNCE_SUBJECT_MAX	200		/* bytes, once cleaned */
#define ANNOUNCE_BODY_MAX	(64 * 1024)	/* bytes */
#define ANNOUNCE_QUERY_MAX	200		/* ticket-requesters:TEXT */

enum announce_to {
	AN_ALL,			/* all */
	AN_AGENCY,		/* agency:NAME */
	AN_TEAM,		/* team:NAME */
	AN_REQUESTERS		/* ticket-requesters:TEXT */
};

struct announce_audience {
	enum announce_to	 kind;
	char			*arg;	/* the name or text; NULL for all */
};

/*
 * "all", "agency:A", "team:T" or "ticket-requesters:TEXT" into *a (free
 * with announce_audience_clear()).  DM_EUSAGE, with a sentence, for
 * anything else, an empty name or text, or one longer than
 * ANNOUNCE_QUERY_MAX.  Pure.
 */
dm_err	announce_audience_parse(const char *spec, struct announce_audience *a);
void	announce_audience_clear(struct announce_audience *a);

/* Who an announcement goes to, and who it leaves out. */
struct announce_list {
	char		**addr;		/* sorted, each once, lower case */
	size_t		  n;
	char		**left;		/* left out, sorted */
	const char	**why;		/* and why (static strings) */
	size_t		  nleft;
};
void	announce_list_free(struct announce_list *l);

/*
 * The recipients of audience a at now; the one place that decides who
 * they are:
 *   all                 the requesters of every ticket that is not
 *                       closed or was changed in the last [announce]
 *                       days;
 *   agency:A            of those tickets, the requesters the directory
 *                       places in agency A (by its senders) or whose
 *                       ticket is filed under A, and A's notify contacts;
 *   team:T              the requesters of team T's open tickets (not
 *                       resolved, not closed);
 *   ticket-requesters:TEXT  the requesters of those tickets whose subject
 *                       holds TEXT (any case).
 * Never our own addresses, staff, an address mail cannot be written to,
 * nor one that sent us automatic mail in the last AUTO_SENDER_DAYS
 * (autosender.h): those go to out->left with why.  An unknown team or
 * agency is DM_ENOTFOUND; more than [announce] max_recipients is
 * DM_ELIMIT.  Free *out with announce_list_free().
 */
dm_err	announce_select(struct dm_store *st, const struct dm_config *cfg,
	    const struct announce_audience *a, time_t now,
	    struct announce_list *out);

/*
 * Record the announcement (actor, audience as written, subject, body)
 * and queue one mail (template announce) to each of l's addresses, at
 * most [announce] per_hour an hour after the announcement mail already
 * waiting: *id is its number, *last when its last mail is due.  Inside
 * the caller's transaction.
 */
dm_err	announce_queue(struct dm_store *st, const struct dm_config *cfg,
	    const char *actor, const char *audience, const char *subject,
	    const char *body, const struct announce_list *l, time_t now,
	    int64_t *id, time_t *last);

struct tvars;
/*
 * For an outbox row of an announcement (announce.id among the row's
 * params in v): announce.subject and message from its row into v.  Any
 * other row: nothing.
 */
dm_err	announce_vars(struct dm_store *st, struct tvars *v);

struct json_object;
/* Every announcement, oldest first, with how many of its mails are sent,
 * waiting and failed. */
dm_err	announce_list_json(struct dm_store *st, struct json_object *array);

#endif
