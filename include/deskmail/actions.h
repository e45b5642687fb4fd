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
};

/* Change the status (an event) and let the SLA engine follow. */
dm_err	action_set_status(const struct action *a, struct dm_ticket *t,
	    const char *status);

/* A public reply: relayed to the requester. */
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
/* Staff close it (ticket close): survey per [survey] on. */
dm_err	action_close(const struct action *a, struct dm_ticket *t);

/* The requester accepts the resolution: closed, survey per [survey] on. */
dm_err	action_accept(const struct action *a, struct dm_ticket *t);
/* The requester says it is not fixed: reopened, resolver and team told. */
dm_err	action_not_fixed(const struct action *a, struct dm_ticket *t,
	    const char *comment);
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

/*
 * Carry out the commands of one staff mail (or CLI call) and its text:
 * the text goes into the resolution, the question of #pending, the note,
 * the transfer notice, or else is relayed as a reply.
 */
dm_err	action_apply(const struct action *a, struct dm_ticket *t,
	    const struct commands *c);

#endif
