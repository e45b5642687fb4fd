/*
 * sla_words.h - what the SLA engine says in words of its own, in a
 * language: what a target promised ("resolution within 4 hours"), the
 * sentence of an escalation or of a change of severity, how long a time
 * was.  Customers read them in their ticket's language, staff in
 * LANG_SHARED; the sentences are words keys (templates/README).
 */
#ifndef DESKMAIL_SLA_WORDS_H
#define DESKMAIL_SLA_WORDS_H

#include "deskmail/config.h"
#include "deskmail/sla_policy.h"
#include "deskmail/ticket.h"

/* What a notice says, kept as facts until a language is chosen. */
struct sla_say {
	const char	*target;	/* the target's name: "resolve",
					   "initial", "update"... (NULL: "") */
	const char	*message;	/* the sentence's: "severity",
					   "missed", "referral", "management",
					   "chain", "major"; NULL: none */
	int		 old;		/* "severity": the one before */
	long		 late;		/* "missed", "chain": seconds past
					   due */
	int		 step;		/* "chain": contacts told before */
};

/* What target s->target of ticket t under policy p promised, in lang
 * ("resolution within 4 hours").  Caller frees. */
char	*sla_say_target(const struct dm_config *cfg, const char *lang,
	    const struct dm_ticket *t, const struct sla_policy *p,
	    const struct sla_say *s);

/* The sentence s->message in lang, or NULL when there is none.  Caller
 * frees. */
char	*sla_say_message(const struct dm_config *cfg, const char *lang,
	    const struct dm_ticket *t, const struct sla_policy *p,
	    const struct sla_say *s);

/* A length of time for people in lang: "45 min", "3 h 20 min",
 * "2 d 4 h".  Caller frees. */
char	*sla_say_duration(const struct dm_config *cfg, const char *lang,
	    long seconds);

#endif
