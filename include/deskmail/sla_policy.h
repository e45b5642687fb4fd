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
 *	update_to = requester, contacts
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

/* The notices a policy sends, each to an audience of its own. */
enum sla_notice {
	SN_INITIAL,		/* an incident is open (initial=) */
	SN_UPDATE,		/* what is known now (updates=) */
	SN_SIGNIFICANT,		/* the severity changed (significant) */
	SN_RESTORED,		/* service restored (restored) */
	SN_ESCALATION,		/* a target missed: besides the resolver's
				   chain, who hears that it was escalated */
	SN_MAJOR,		/* severity 1 declared */
	SN_COUNT
};

/* Who an audience is made of; a notice's audience is a set of these. */
#define SLA_TO_REQUESTER	0x01	/* who reported it */
#define SLA_TO_CONTACTS		0x02	/* the agency's notification contacts,
					   else [sla] contacts */
#define SLA_TO_ESCALATION	0x04	/* the agency's escalation contacts */
#define SLA_TO_TEAM		0x08	/* the ticket's team */
#define SLA_TO_SUPERVISOR	0x10	/* [sla] supervisor */
#define SLA_TO_MANAGEMENT	0x20	/* [sla] management */
/* the audiences on the desk's side: they get the mail that asks to act */
#define SLA_TO_STAFF	(SLA_TO_TEAM | SLA_TO_SUPERVISOR | SLA_TO_MANAGEMENT)

struct sla_policy {
	char		*name;
	struct sla_span	 triage;	/* severity set within, from creation */
	struct sla_row	 row[4];	/* [0]: severity not set, [1..3] */
	unsigned	 to[SN_COUNT];	/* SLA_TO_* of each notice */
	char		*timezone;	/* its people's zone, or NULL (the
					   times they read; business hours
					   stay [sla] timezone's) */
};

/* The key of each notice's audience ("update_to"), in enum order. */
extern const char *const sla_notice_keys[];

/* The audience as words ("requester, contacts"); buf of 96 bytes. */
char	*sla_audience_text(unsigned to, char *buf, size_t len);

/* The presets' names and definitions, for docs and `init`. */
extern const char *const sla_preset_names[];

/*
 * Start a policy called name with nothing promised; the audiences are the
 * seed 003 ones (the requester and the contacts hear of the incident, the
 * agency's escalation contacts of escalations, the supervisor of a
 * severity 1), which the presets and [policy] keys may change.
 */
void	sla_policy_init(struct sla_policy *p, const char *name);
void	sla_policy_clear(struct sla_policy *p);

/* One key of a [policy] section: triage, severity1..3, unset, timezone
 * or an audience (initial_to, update_to, ...).  The error (DM_ECONFIG)
 * says what was wrong, without file or line. */
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
