/*
 * subject.h - the title of a ticket that a late reply starts (a reply
 * after [deskmail] reopen_days): the customer's words, not our tag, not
 * "Re: Re[2]:", not the subject line of our own mail they answered.
 */
#ifndef DESKMAIL_SUBJECT_H
#define DESKMAIL_SUBJECT_H

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/mime.h"
#include "deskmail/store.h"
#include "deskmail/ticket.h"

/*
 * subject without our tags ("[TAG #N]" anywhere) and without the reply
 * and forward prefixes at its start (Re:, Fwd:, FW:, AW:, Sv:, Antw:,
 * WG:, TR:, in any case, repeated, numbered as in "Re[2]:" or "Re^2:"),
 * its white space squeezed.  May be "".  The caller frees it.
 */
char	*subject_clean(const char *subject, const char *tag);

/*
 * The subject of the new ticket that m, a late reply to the closed ticket
 * old, starts: m's subject cleaned; old's subject when nothing is left,
 * or when what is left is only the subject of our mail that m answers
 * (a reply to the survey mail says "Two questions about your request").
 * *out is the caller's to free.
 */
dm_err	subject_followup(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_parsed *m, const struct dm_ticket *old, char **out);

#endif
