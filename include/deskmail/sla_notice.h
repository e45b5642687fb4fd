/*
 * sla_notice.h - the SLA engine's mail: who hears of each notice (the
 * policy's audiences) and what it says (what the resolver last told, the
 * status in words, how long it has been open, when the next update is
 * due).  sla.c decides when; this decides what and to whom.
 */
#ifndef DESKMAIL_SLA_NOTICE_H
#define DESKMAIL_SLA_NOTICE_H

#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/sla_policy.h"
#include "deskmail/sla_words.h"
#include "deskmail/store.h"
#include "deskmail/ticket.h"

/* One notice about to be queued. */
struct sla_mail {
	enum sla_notice	 kind;
	struct sla_say	 say;		/* what was promised and a sentence
					   of its own, written in each
					   reader's language */
	time_t		 due;		/* when it was due (0: now) */
	const char	*action;	/* for staff: what to do, or NULL */
	const char	*staff_list;	/* the desk's side besides the policy's
					   audience (an escalation chain) */
	int		 staff_only;	/* only staff_list: not the audience */
};

/*
 * Queue mail m about ticket t to the audience the policy gives its kind:
 * the customer's side gets the customer's template, the desk's side (for
 * an escalation) the one that asks them to act.  *sent: how many
 * recipients (0: nobody; an event says so).
 */
dm_err	sla_notice_send(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, const struct sla_policy *p,
	    const struct sla_mail *m, time_t now, size_t *sent);

/* When the customer's side last heard of the incident (0: never). */
dm_err	sla_notice_last(struct dm_store *st, int64_t ticket, time_t *when);

/*
 * Where a policy's audience reaches nobody by the configuration alone
 * (no [sla] supervisor for "supervisor", ...): one line each, for
 * check-config and status.  *lines (NULL-terminated) is freed with
 * sla_warnings_free().
 */
void	sla_audience_warnings(const struct dm_config *cfg, char ***lines);
void	sla_warnings_free(char **lines);

#endif
