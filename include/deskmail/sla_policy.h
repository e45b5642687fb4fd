/*
 * sla_policy.h - service level policies as data: the two presets of the
 * seeds (ny-ccc, colorado) and an admin's own [policy NAME] sections are
 * written in the same words and read by the same parser.
 *
 *	[policy gold]
 *	triage    = 15m
 *	severity1 = hours=24x7 ack=15m initial=15m updates=every:1h restored
 *	            significant
 *	severity2 = hours=24x7 ack=15m initial=15m updates=1h,4h,8h restored
 *	            significant
 *	severity3 = hours=business referral=2d
 *	unset     = hours=business assign=4h
 */
#ifndef DESKMAIL_SLA_POLICY_H
#define DESKMAIL_SLA_POLICY_H

#include <stddef.h>

#include "deskmail/err.h"

#define SLA_MAX_UPDATES	8

/* A length of time: n minutes, hours or days; in a business-hours row
 * hours are business hours and days are working days. */
struct sla_span {
	long	n;
	char	unit;		/* 'm', 'h', 'd'; n == 0: not set */
};

/* What a policy promises for one severity (or for none set yet). */
struct sla_row {
	int		business;	/* clocks run in business hours */
	struct sla_span	assign;		/* assigned within, from creation */
	struct sla_span	ack;		/* resolver acknowledges within */
	struct sla_span	resolve;	/* resolved within, from creation */
	struct sla_span	referral;	/* unresolved after: supervisor, a
					   day later management */
	struct sla_span	updates[SLA_MAX_UPDATES];	/* at these offsets */
	size_t		nupdates;
	struct sla_span	update_every;	/* or repeating */
	struct sla_span	initial;	/* initial notice to the contacts,
					   due this long after creation */
	int		restored;	/* restored notice on resolve */
	int		significant;	/* notice when severity moves in/out */
};

struct sla_policy {
	char		*name;
	struct sla_span	 triage;	/* severity set within, from creation */
	struct sla_row	 row[4];	/* [0]: severity not set, [1..3] */
	char		*timezone;	/* its people's zone, or NULL (the
					   times they read; business hours
					   stay [sla] timezone's) */
};

/* The presets' names and definitions, for docs and `init`. */
extern const char *const sla_preset_names[];

/* Start a policy called name with nothing promised. */
void	sla_policy_init(struct sla_policy *p, const char *name);
void	sla_policy_clear(struct sla_policy *p);

/* One key of a [policy] section: triage, severity1..3, unset or timezone.  The
 * error (DM_ECONFIG) says what was wrong, without file or line. */
dm_err	sla_policy_set(struct sla_policy *p, const char *key,
	    const char *value);

/* The preset called name into p (DM_ENOTFOUND if there is none). */
dm_err	sla_policy_preset(const char *name, struct sla_policy *p);

/* The row that applies to severity (0: not set). */
const struct sla_row *sla_policy_row(const struct sla_policy *p,
	    int severity);

/* Nonzero when the two rows promise the same. */
int	sla_row_same(const struct sla_row *a, const struct sla_row *b);

/* Seconds of a span outside business hours (for 24x7 rows). */
long	sla_span_seconds(const struct sla_span *s);

#endif
