/*
 * sla_words.c - the SLA engine's sentences in a language.
 *
 * sla.c decides what a notice says (which target, which sentence, how
 * late) and sla_notice.c writes it once per language it goes out in,
 * through these: every sentence is a words key whose fallback is the
 * English deskmail always wrote, so English mail reads as before.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/lang.h"
#include "deskmail/sla_words.h"
#include "deskmail/util.h"

#define MINUTE	60
#define HOUR	3600
#define DAY	86400

/* A policy's span in words: "4 hours", "2 business days". */
static char *
span(const struct dm_config *cfg, const char *lang,
    const struct sla_span *sp, int business)
{
	static const char *const fallback[2][3][2] = {
		{ { "{n} minutes", "{n} minute" }, { "{n} hours", "{n} hour" },
		  { "{n} days", "{n} day" } },
		{ { "{n} business minutes", "{n} business minute" },
		  { "{n} business hours", "{n} business hour" },
		  { "{n} business days", "{n} business day" } },
	};
	static const char *const unit[3] = { "minute", "hour", "day" };
	int u = sp->unit == 'm' ? 0 : sp->unit == 'h' ? 1 : 2;
	int one = sp->n == 1;
	char key[48], n[24];

	snprintf(key, sizeof(key), "span.%s%s%s", business ? "business_" : "",
	    unit[u], one ? "_one" : "");
	snprintf(n, sizeof(n), "%ld", sp->n);
	return lang_say(cfg, lang, key, fallback[business != 0][u][one], "n",
	    n, (const char *)NULL);
}

/* Hours and minutes, or minutes alone (below at_hours seconds). */
static char *
hours(const struct dm_config *cfg, const char *lang, long s, long at_hours)
{
	char h[24], m[24];

	if (s < at_hours) {
		snprintf(m, sizeof(m), "%ld", s / MINUTE);
		return lang_say(cfg, lang, "duration.minutes", "{m} min", "m",
		    m, (const char *)NULL);
	}
	snprintf(h, sizeof(h), "%ld", s / HOUR);
	snprintf(m, sizeof(m), "%ld", s % HOUR / MINUTE);
	return lang_say(cfg, lang, "duration.hours", "{h} h {m} min", "h", h,
	    "m", m, (const char *)NULL);
}

char *
sla_say_duration(const struct dm_config *cfg, const char *lang, long s)
{
	char d[24], h[24];

	if (s < 0)
		s = 0;
	if (s < 2 * DAY)
		return hours(cfg, lang, s, HOUR);
	snprintf(d, sizeof(d), "%ld", s / DAY);
	snprintf(h, sizeof(h), "%ld", s % DAY / HOUR);
	return lang_say(cfg, lang, "duration.days", "{d} d {h} h", "d", d,
	    "h", h, (const char *)NULL);
}

/* How late, as escalations have always said it: minutes up to 2 h. */
static char *
late_text(const struct dm_config *cfg, const char *lang, long s)
{
	return hours(cfg, lang, s < 0 ? -s : s, 2 * HOUR);
}

char *
sla_say_target(const struct dm_config *cfg, const char *lang,
    const struct dm_ticket *t, const struct sla_policy *p,
    const struct sla_say *s)
{
	static const struct {
		const char	*name, *fallback;
	} plain[] = {
		{ "initial", "initial notice" },
		{ "update", "update" },
		{ "significant", "significant update" },
		{ "restored", "restored notice" },
		{ "major", "severity 1" },
	};
	const struct sla_row *r = sla_policy_row(p, t->severity);
	const struct sla_span *sp = NULL;
	const char *name = s->target ? s->target : "", *fallback = NULL;
	char key[48], *n, *out;
	size_t i;

	snprintf(key, sizeof(key), "sla.target.%s", name);
	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(name, plain[i].name) == 0)
			return xstrdup(lang_word(cfg, lang, key,
			    plain[i].fallback));
	if (strcmp(name, "triage") == 0) {
		n = span(cfg, lang, &p->triage, 0);
		out = lang_say(cfg, lang, key, "triage: severity set within "
		    "{span}", "span", n, (const char *)NULL);
		free(n);
		return out;
	}
	if (strcmp(name, "ack") == 0 || strcmp(name, "chain") == 0) {
		sp = &r->ack;
		snprintf(key, sizeof(key), "sla.target.ack");
		fallback = "acknowledgement by the resolver within {span}";
	} else if (strcmp(name, "assign") == 0) {
		sp = &r->assign;
		fallback = "assignment within {span}";
	} else if (strcmp(name, "resolve") == 0) {
		sp = &r->resolve;
		fallback = "resolution within {span}";
	} else if (strcmp(name, "referral") == 0 ||
	    strcmp(name, "management") == 0) {
		sp = &r->referral;
		snprintf(key, sizeof(key), "sla.target.referral");
		fallback = "resolution within {span} of referral";
	} else
		return xstrdup(name);
	n = span(cfg, lang, sp, r->business);
	out = lang_say(cfg, lang, key, fallback, "span", n, (const char *)NULL);
	free(n);
	return out;
}

/* Who an escalation went to, by role (customers read it). */
static const char *
role(const struct dm_config *cfg, const char *lang, const struct dm_ticket *t,
    const char *name)
{
	const struct dm_team *team = t->team ? config_team(cfg, t->team) :
	    NULL;

	if (strcmp(name, "management") == 0 && cfg->sla_management[0])
		return lang_word(cfg, lang, "sla.role.management",
		    "management");
	if (strcmp(name, "management") != 0 &&
	    strcmp(name, "referral") != 0 && team != NULL &&
	    team->nescalation > 0)
		return lang_word(cfg, lang, "sla.role.escalation", "the "
		    "resolving team's escalation contacts");
	if (strcmp(name, "management") == 0 || cfg->sla_supervisor[0])
		return lang_word(cfg, lang, "sla.role.supervisor", "the "
		    "service desk supervisor");
	return lang_word(cfg, lang, "sla.role.team", "the resolving team");
}

/* Who of the resolver's chain heard before step. */
static char *
told_before(const struct dm_config *cfg, const char *lang,
    const struct dm_ticket *t, int step)
{
	const struct dm_team *team = t->team ? config_team(cfg, t->team) :
	    NULL;
	struct buf b;
	size_t i;

	buf_init(&b);
	for (i = 0; team && i < (size_t)step && i < team->nescalation; i++)
		buf_addf(&b, "%s%s", i ? ", " : "", team->escalation[i]);
	if (b.len == 0)
		buf_adds(&b, lang_word(cfg, lang, "sla.nobody", "nobody"));
	return buf_release(&b);
}

char *
sla_say_message(const struct dm_config *cfg, const char *lang,
    const struct dm_ticket *t, const struct sla_policy *p,
    const struct sla_say *s)
{
	const struct sla_row *r = sla_policy_row(p, t->severity);
	char a[24], b[24], *x, *y, *out;

	if (s->message == NULL)
		return NULL;
	snprintf(a, sizeof(a), "%d", s->old);
	snprintf(b, sizeof(b), "%d", t->severity);
	if (strcmp(s->message, "major") == 0)
		return xstrdup(lang_word(cfg, lang, "sla.message.major",
		    "Severity 1 has been declared: a major incident."));
	if (strcmp(s->message, "severity") == 0)
		return lang_say(cfg, lang, "sla.message.severity", "The "
		    "severity changed from {old} to {new}.", "old", a, "new", b,
		    (const char *)NULL);
	if (strcmp(s->message, "referral") == 0 ||
	    strcmp(s->message, "management") == 0) {
		x = span(cfg, lang, &r->referral, r->business);
		out = strcmp(s->message, "referral") == 0 ? lang_say(cfg, lang,
		    "sla.message.referral", "Severity {severity} ticket "
		    "unresolved {span} after referral; escalated to {role}.",
		    "severity", b, "span", x, "role", role(cfg, lang, t,
		    s->message), (const char *)NULL) : lang_say(cfg, lang,
		    "sla.message.management", "Severity {severity} ticket "
		    "unresolved a day more than {span} after referral; "
		    "escalated to {role}.", "severity", b, "span", x, "role",
		    role(cfg, lang, t, s->message), (const char *)NULL);
		free(x);
		return out;
	}
	x = late_text(cfg, lang, s->late);
	if (strcmp(s->message, "chain") == 0) {
		y = told_before(cfg, lang, t, s->step);
		out = lang_say(cfg, lang, "sla.message.chain", "Still not "
		    "acknowledged {late} after it was due; escalated to the "
		    "next contact of team {team}. Told before: {list}.",
		    "late", x, "team", t->team ? t->team : "", "list", y,
		    (const char *)NULL);
		free(y);
	} else
		out = lang_say(cfg, lang, "sla.message.missed", "The target "
		    "was missed by {late}; it has been escalated to {role}.",
		    "late", x, "role", role(cfg, lang, t, s->target ?
		    s->target : ""), (const char *)NULL);
	free(x);
	return out;
}
