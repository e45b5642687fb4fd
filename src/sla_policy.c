/*
 * sla_policy.c - reading a service level policy from its words.
 *
 * The presets are written below in exactly the syntax an admin uses in a
 * [policy NAME] section, so the seeds' numbers and an admin's own policy
 * go through one parser and one engine.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/sla_policy.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

#define PRESET_KEYS	12

struct preset {
	const char	*name;
	const char	*keys[PRESET_KEYS][2];
};

static const struct preset presets[] = {
	/* seed 003: New York CIO/OFT Customer Care Center */
	{ "ny-ccc", {
	    { "triage", "15m" },
	    { "severity1", "hours=24x7 ack=15m initial=15m "
		"updates=every:1h "
		"restored significant" },
	    { "severity2", "hours=24x7 ack=15m initial=15m "
		"updates=1h,4h,8h "
		"restored significant" },
	    { "severity3", "hours=24x7 referral=2d" },
	    { "unset", "hours=24x7" },
	    /* the IM notifications go to the customer: who reported it and
	     * the agency's contacts list; escalations to its escalation
	     * contacts; a severity 1 to the CCC supervisor */
	    { "initial_to", "requester, contacts" },
	    { "update_to", "requester, contacts" },
	    { "significant_to", "requester, contacts" },
	    { "restored_to", "requester, contacts" },
	    { "escalation_to", "escalation" },
	    { "major_to", "supervisor" },
	    { NULL, NULL } } },
	/* seed 002: Colorado OIT; severity 1 is a major incident */
	{ "colorado", {
	    { "severity1", "hours=24x7 assign=15m updates=every:30m "
		"resolve=4h" },
	    { "severity2", "hours=business assign=4h updates=every:2d "
		"resolve=14d" },
	    { "severity3", "hours=business assign=4h updates=every:2d "
		"resolve=14d" },
	    { "unset", "hours=business assign=4h updates=every:2d "
		"resolve=14d" },
	    /* "update impacted customers": who reported it */
	    { "initial_to", "requester" },
	    { "update_to", "requester" },
	    { "significant_to", "requester" },
	    { "restored_to", "requester" },
	    { "escalation_to", "escalation" },
	    { "major_to", "supervisor" },
	    { NULL, NULL } } },
};

#define NPRESETS	(sizeof(presets) / sizeof(presets[0]))

const char *const sla_preset_names[] = { "ny-ccc", "colorado", NULL };

const char *const sla_notice_keys[] = { "initial_to", "update_to",
    "significant_to", "restored_to", "escalation_to", "major_to", NULL };

static const struct { const char *word; unsigned bit; } audiences[] = {
	{ "requester", SLA_TO_REQUESTER }, { "contacts", SLA_TO_CONTACTS },
	{ "escalation", SLA_TO_ESCALATION }, { "team", SLA_TO_TEAM },
	{ "supervisor", SLA_TO_SUPERVISOR },
	{ "management", SLA_TO_MANAGEMENT },
};
#define NAUDIENCES	(sizeof(audiences) / sizeof(audiences[0]))

void
sla_policy_init(struct sla_policy *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->to[SN_INITIAL] = p->to[SN_UPDATE] = p->to[SN_SIGNIFICANT] =
	    p->to[SN_RESTORED] = SLA_TO_REQUESTER | SLA_TO_CONTACTS;
	p->to[SN_ESCALATION] = SLA_TO_ESCALATION;
	p->to[SN_MAJOR] = SLA_TO_SUPERVISOR;
}

char *
sla_audience_text(unsigned to, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < NAUDIENCES; i++)
		if (to & audiences[i].bit)
			n += (size_t)snprintf(buf + (n < len ? n : len),
			    n < len ? len - n : 0, "%s%s", n ? ", " : "",
			    audiences[i].word);
	if (n == 0)
		snprintf(buf, len, "nobody");
	return buf;
}

/* "requester, contacts" (commas or spaces between); "none": nobody. */
static dm_err
parse_audience(const char *key, const char *value, unsigned *out)
{
	char *copy = xstrdup(value), *tok, *save = NULL;
	dm_err err = DM_OK;
	size_t i;

	*out = 0;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && err == DM_OK;
	    tok = strtok_r(NULL, ", \t", &save)) {
		if (strcmp(tok, "none") == 0)
			continue;
		for (i = 0; i < NAUDIENCES; i++)
			if (strcmp(tok, audiences[i].word) == 0)
				break;
		if (i == NAUDIENCES)
			err = dm_fail(DM_ECONFIG, "%s: unknown audience '%s' "
			    "(requester, contacts, escalation, team, "
			    "supervisor, management, none)", key, tok);
		else
			*out |= audiences[i].bit;
	}
	free(copy);
	return err;
}

void
sla_policy_clear(struct sla_policy *p)
{
	free(p->name);
	free(p->timezone);
	memset(p, 0, sizeof(*p));
}

/* "15m", "4h", "2d" (a positive whole number and a unit). */
static dm_err
parse_span(const char *what, const char *s, struct sla_span *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || end == s || n <= 0 || n > 100000 ||
	    (*end != 'm' && *end != 'h' && *end != 'd') || end[1] != '\0')
		return dm_fail(DM_ECONFIG, "%s '%s' must be a number of "
		    "minutes, hours or days such as 15m, 4h or 2d", what, s);
	out->n = n;
	out->unit = *end;
	return DM_OK;
}

static dm_err
parse_updates(char *v, struct sla_row *r)
{
	char *tok, *save = NULL;
	dm_err err;

	if (strncmp(v, "every:", 6) == 0)
		return parse_span("updates=every:", v + 6, &r->update_every);
	for (tok = strtok_r(v, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		if (r->nupdates == SLA_MAX_UPDATES)
			return dm_fail(DM_ECONFIG, "updates: at most %d times",
			    SLA_MAX_UPDATES);
		if ((err = parse_span("updates", tok,
		    &r->updates[r->nupdates])) != DM_OK)
			return err;
		if (r->nupdates > 0 && sla_span_seconds(&r->updates[
		    r->nupdates]) <= sla_span_seconds(&r->updates[r->nupdates -
		    1]))
			return dm_fail(DM_ECONFIG, "updates: the times must "
			    "grow (%s)", tok);
		r->nupdates++;
	}
	return DM_OK;
}

static dm_err
parse_row(const char *value, struct sla_row *r)
{
	char *copy = xstrdup(value), *tok, *save = NULL, *eq;
	dm_err err = DM_OK;

	memset(r, 0, sizeof(*r));
	r->business = -1;
	for (tok = strtok_r(copy, " \t", &save); tok != NULL && err == DM_OK;
	    tok = strtok_r(NULL, " \t", &save)) {
		if ((eq = strchr(tok, '=')) != NULL)
			*eq++ = '\0';
		if (strcmp(tok, "restored") == 0 && eq == NULL)
			r->restored = 1;
		else if (strcmp(tok, "significant") == 0 && eq == NULL)
			r->significant = 1;
		else if (eq == NULL)
			err = dm_fail(DM_ECONFIG, "unknown word '%s' (hours=, "
			    "assign=, ack=, resolve=, referral=, updates=, "
			    "initial=, restored, significant)", tok);
		else if (strcmp(tok, "hours") == 0) {
			if (strcmp(eq, "24x7") == 0)
				r->business = 0;
			else if (strcmp(eq, "business") == 0)
				r->business = 1;
			else
				err = dm_fail(DM_ECONFIG, "hours must be 24x7 or "
				    "business, not '%s'", eq);
		} else if (strcmp(tok, "assign") == 0)
			err = parse_span(tok, eq, &r->assign);
		else if (strcmp(tok, "initial") == 0)
			err = parse_span(tok, eq, &r->initial);
		else if (strcmp(tok, "ack") == 0)
			err = parse_span(tok, eq, &r->ack);
		else if (strcmp(tok, "resolve") == 0)
			err = parse_span(tok, eq, &r->resolve);
		else if (strcmp(tok, "referral") == 0)
			err = parse_span(tok, eq, &r->referral);
		else if (strcmp(tok, "updates") == 0)
			err = parse_updates(eq, r);
		else
			err = dm_fail(DM_ECONFIG, "unknown key '%s=' (hours, "
			    "assign, ack, initial, resolve, referral, updates)",
			    tok);
	}
	free(copy);
	if (err == DM_OK && r->business < 0)
		err = dm_fail(DM_ECONFIG, "hours=24x7 or hours=business is "
		    "required");
	return err;
}

dm_err
sla_policy_set(struct sla_policy *p, const char *key, const char *value)
{
	size_t i;

	for (i = 0; sla_notice_keys[i] != NULL; i++)
		if (strcmp(key, sla_notice_keys[i]) == 0)
			return parse_audience(key, value, &p->to[i]);
	if (strcmp(key, "triage") == 0)
		return parse_span("triage", value, &p->triage);
	if (strcmp(key, "timezone") == 0) {
		if (zone_check(value) != DM_OK)
			return DM_ECONFIG;
		free(p->timezone);
		p->timezone = *value ? xstrdup(value) : NULL;
		return DM_OK;
	}
	if (strcmp(key, "unset") == 0)
		return parse_row(value, &p->row[0]);
	if (strncmp(key, "severity", 8) == 0 && key[8] >= '1' &&
	    key[8] <= '3' && key[9] == '\0')
		return parse_row(value, &p->row[key[8] - '0']);
	return dm_fail(DM_ECONFIG, "unknown key '%s' (triage, severity1, "
	    "severity2, severity3, unset, timezone, initial_to, update_to, "
	    "significant_to, restored_to, escalation_to, major_to)", key);
}

dm_err
sla_policy_preset(const char *name, struct sla_policy *p)
{
	size_t i, k;
	dm_err err;

	for (i = 0; i < NPRESETS; i++) {
		if (strcmp(presets[i].name, name) != 0)
			continue;
		sla_policy_init(p, name);
		for (k = 0; k < PRESET_KEYS && presets[i].keys[k][0] != NULL;
		    k++)
			if ((err = sla_policy_set(p, presets[i].keys[k][0],
			    presets[i].keys[k][1])) != DM_OK) {
				sla_policy_clear(p);
				return dm_fail(DM_ESOFTWARE, "preset %s: %s",
				    name, dm_errdetail());
			}
		return DM_OK;
	}
	return DM_ENOTFOUND;
}

const struct sla_row *
sla_policy_row(const struct sla_policy *p, int severity)
{
	return &p->row[severity >= 1 && severity <= 3 ? severity : 0];
}

static int
span_same(const struct sla_span *a, const struct sla_span *b)
{
	return a->n == b->n && (a->n == 0 || a->unit == b->unit);
}

int
sla_row_same(const struct sla_row *a, const struct sla_row *b)
{
	size_t i;

	if (a->business != b->business || a->nupdates != b->nupdates ||
	    a->restored != b->restored ||
	    a->significant != b->significant ||
	    !span_same(&a->assign, &b->assign) ||
	    !span_same(&a->ack, &b->ack) ||
	    !span_same(&a->initial, &b->initial) ||
	    !span_same(&a->resolve, &b->resolve) ||
	    !span_same(&a->referral, &b->referral) ||
	    !span_same(&a->update_every, &b->update_every))
		return 0;
	for (i = 0; i < a->nupdates; i++)
		if (!span_same(&a->updates[i], &b->updates[i]))
			return 0;
	return 1;
}

long
sla_span_seconds(const struct sla_span *s)
{
	return s->n * (s->unit == 'm' ? 60 : s->unit == 'h' ? 3600 : 86400);
}
