/*
 * actions.h - what staff do to a ticket, by #command in a mail or by the
 * CLI: each changes the ticket, records events and queues the mail that
 * goes with it, inside the caller's transaction.
 */
#ifndef DESKMAIL_ACTIONS_H
#define DESKMAIL_ACTIONS_H

#include <time.h>

#include "deskmail/commands.h"
#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/ticket.h"

struct action {
	struct dm_store		*st;
	const struct dm_config	*cfg;
	const char		*actor;		/* staff address, or cli:user */
	time_t			 now;
	int			 text_stored;	/* the text came in a mail that
						   is stored already */
	int64_t			 message;	/* that mail's row: its files go
						   with what it relays (0: none) */
};

/* Change the status (an event) and let the SLA engine follow. */
dm_err	action_set_status(const struct action *a, struct dm_ticket *t,
	    const char *status);

/* A public reply: relayed to the requester (and the participants). */
dm_err	action_reply(const struct action *a, struct dm_ticket *t,
	    const char *text);
/* Resolved: the resolution mail (accept / not fixed) with text. */
dm_err	action_resolve(const struct action *a, struct dm_ticket *t,
	    const char *text);
/* More information required: pending_customer, text asks for it. */
dm_err	action_pending(const struct action *a, struct dm_ticket *t,
	    const char *text);
/* An internal note: an event, nothing sent. */
dm_err	action_note(const struct action *a, struct dm_ticket *t,
	    const char *text);
/*
 * A progress note: what is known now, in the resolver's words, for the
 * requester to read (an event "progress", detail the text) but not mailed
 * by itself.  Like a reply it takes the ticket up, and like #ack it meets
 * the acknowledgement target.  Refused on a closed ticket.
 */
dm_err	action_update(const struct action *a, struct dm_ticket *t,
	    const char *text);
/* To a team (by name) or a person (an address). */
dm_err	action_assign(const struct action *a, struct dm_ticket *t,
	    const char *who);
/* Warm transfer: the new team gets the whole history, the requester is
 * told once. */
dm_err	action_transfer(const struct action *a, struct dm_ticket *t,
	    const char *team, const char *text);
dm_err	action_severity(const struct action *a, struct dm_ticket *t,
	    int severity);
/* Category (security, desktop, application, hardware), the requester's
 * agency or the owning agency (both from the directory); "-" clears. */
dm_err	action_classify(const struct action *a, struct dm_ticket *t,
	    enum ticket_class field, const char *value);
dm_err	action_ack(const struct action *a, struct dm_ticket *t);
/* "add ADDR" or "remove ADDR": the ticket's participants (participants.h)
 * gain or lose one (#cc, ticket cc). */
dm_err	action_cc(const struct action *a, struct dm_ticket *t,
	    const char *op);
/* Staff close it (ticket close): survey per [survey] on. */
dm_err	action_close(const struct action *a, struct dm_ticket *t);

/* The requester accepts the resolution: closed, survey per [survey] on. */
dm_err	action_accept(const struct action *a, struct dm_ticket *t);
/* The requester says it is not fixed: reopened, resolver and team told. */
dm_err	action_not_fixed(const struct action *a, struct dm_ticket *t,
	    const char *comment);
/*
 * A resolved or closed ticket is reopened by a->actor: the requester
 * with the "not fixed" link, the requester writing again, or staff (the
 * CLI).  The resolver and the team are told who reopened it and how, with
 * text (the comment, the customer's mail, staff's reason; may be empty).
 */
enum reopen_how { REOPEN_NOT_FIXED, REOPEN_REPLY, REOPEN_STAFF };
dm_err	action_reopen(const struct action *a, struct dm_ticket *t,
	    enum reopen_how how, const char *text);
/*
 * The survey answer.  The resolver and team hear of it, the supervisor
 * too for a low rating, once each, when the window for changing it has
 * closed.  *updated says what the answer did: SURVEY_FIRST, SURVEY_CHANGED
 * an earlier answer, or SURVEY_SAME (the same answer again: nothing
 * recorded, nothing sent).
 */
enum { SURVEY_FIRST, SURVEY_CHANGED, SURVEY_SAME };
dm_err	action_survey(const struct action *a, struct dm_ticket *t,
	    int rating, const char *comment, int *updated);
/* No answer in time: closed by deskmail, survey per [survey] on. */
dm_err	action_auto_close(const struct action *a, struct dm_ticket *t);

/* The commands of a staff mail that were not carried out, and why. */
struct action_failures {
	struct command_bad	*v;
	size_t			 n;
};
void	action_failures_free(struct action_failures *f);

/*
 * Carry out the commands of one staff mail, understood all (c->nbad is
 * 0), and its text: first the commands that change who and how urgent,
 * in order, then the text goes to the one command that takes it (#note,
 * #resolve, #pending, #update), else it is relayed as a reply (not with
 * #transfer: then it is the note for the new team).  Each runs in a
 * savepoint of its own: one that fails for a reason the sender can put
 * right (DM_EUSAGE, DM_ESTATE, DM_ENOTFOUND) is undone and added to *f
 * (the caller frees it with action_failures_free()), and the rest go
 * on; any other failure is returned.
 */
dm_err	action_apply(const struct action *a, struct dm_ticket *t,
	    const struct commands *c, struct action_failures *f);

/*
 * Nonzero if a staff mail with commands c has its text relayed to the
 * requester (a reply, a resolution, a question), so that the mail is
 * public in the ticket's history; a note, a progress note, a transfer's
 * note, a mail of commands only or one held for a command not understood
 * is not.
 */
int	action_text_relayed(const struct commands *c);

#endif
