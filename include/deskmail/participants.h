/*
 * participants.h - a ticket's participants: the people on the customer's
 * side besides the requester (a manager in Cc, a colleague in To) who
 * hear of the ticket; taken from the To and Cc of the mail that opened
 * it, or added and removed by staff (#cc add|remove, ticket cc).  And
 * ticket_customers(): the one answer to "which customer addresses get
 * this kind of mail about this ticket".
 */
#ifndef DESKMAIL_PARTICIPANTS_H
#define DESKMAIL_PARTICIPANTS_H

#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/ticket.h"

struct dm_parsed;
struct json_object;

/* One customer address a mail goes to. */
struct dm_customer {
	char	*address;
	int	 requester;	/* 1: the requester; 0: a participant */
};

struct dm_customers {
	struct dm_customer	*v;
	size_t			 n;
};

/*
 * The customer addresses that get mail of kind (one PG_* bit) about
 * ticket t, each once: the requester first, then, if [deskmail]
 * participants_get lists kind, the ticket's participants in the order
 * they were added.  Our own addresses and staff are never in it (the
 * configuration may have changed since an address was added), so the
 * list may be empty; PG_ACK is the requester's alone.
 * Free *out with customers_free().
 */
dm_err	ticket_customers(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, int kind, struct dm_customers *out);
void	customers_free(struct dm_customers *c);

/*
 * *capped is 1 when to had [deskmail] auto_reply_limit automatic mails in
 * the hour before now (an event auto_reply_suppressed on ticket says so):
 * the automatic mail about to be queued to that customer is not.  The
 * same cap for the requester and every participant, whoever queues it.
 */
dm_err	customer_auto_capped(struct dm_store *st, const struct dm_config *cfg,
	    int64_t ticket, const char *to, time_t now, int *capped);

/*
 * Why address can never be a participant (a sentence fragment: "our own
 * address", "staff", "a mailing list", ...), or NULL if it can be.
 * address is lower case.  Pure: the configuration and the address only.
 */
const char *participant_refused(const struct dm_config *cfg,
	    const char *address);

/*
 * The addresses of the lists to and cc ("a@x, b@y", as mime.c writes
 * them), in order, that may become participants of a ticket from sender
 * (neither the sender, nor refused by participant_refused()); the rest
 * go to *left with why, but for our own addresses (the mail came to one:
 * they are left out without a word).  Duplicates are kept (the caller drops them as
 * it takes addresses up to its limit).  Free with participants_pick_free().
 */
struct participants_pick {
	char		**cand;
	size_t		  ncand;
	char		**left;		/* refused addresses */
	const char	**why;		/* and why, static strings */
	size_t		  nleft;
};
void	participants_pick(const struct dm_config *cfg, const char *sender,
	    const char *to, const char *cc, struct participants_pick *p);
void	participants_pick_free(struct participants_pick *p);

/*
 * The participants of new ticket t from the To and Cc of m, its first
 * mail: every address participants_pick() keeps that has sent us no
 * automatic mail lately (autosender.h), up to [deskmail] max_participants;
 * an event for each added, one naming those left out and why, and one
 * saying how many were past the limit.
 */
dm_err	participants_from_mail(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, const struct dm_parsed *m, time_t now);

/*
 * Staff add address (lower case) to t's participants (again, if it was
 * removed), or remove it; actor is who, for the event.  DM_EUSAGE for an
 * address that cannot be one, DM_ESTATE for one that already is (or the
 * requester) or a ticket at max_participants, DM_ENOTFOUND for removing
 * one that is not.
 */
dm_err	participant_add(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, const char *address, const char *actor,
	    time_t now);
dm_err	participant_remove(struct dm_store *st, const struct dm_ticket *t,
	    const char *address, const char *actor, time_t now);
/*
 * Ticket from is merged into into: from's requester and current
 * participants become into's participants (participant_add(), so events
 * say so), but for those it refuses (into's requester, ones there
 * already, our own addresses, staff, past max_participants).
 */
dm_err	participants_merge(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *from, const struct dm_ticket *into,
	    const char *actor, time_t now);

/*
 * "add ADDR" or "remove ADDR" (ADDR may be in <>; any case) into *add
 * (1 or 0) and *address (lower case, the caller frees it).  DM_EUSAGE,
 * with a sentence for the sender, if arg is neither.
 */
dm_err	participant_op_parse(const char *arg, int *add, char **address);

/* The ticket's participants, current and removed, in the order added:
 * {address, name, added, added_by, removed, removed_by}. */
dm_err	participants_json(struct dm_store *st, int64_t ticket,
	    struct json_object *array);

#endif
