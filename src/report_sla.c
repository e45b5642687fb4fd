/*
 * report_sla.c - SLA compliance from sla_results (one row per target a
 * ticket met or missed, written by the SLA engine), by the time the
 * result was recorded: per policy, severity and target the share met
 * (a notice that had nobody to go to is neither met nor missed: met -1,
 * counted apart as "no recipients");
 * then every breach, in time order, with how late it was.  One pass over
 * the results in time order; the per-target counts are summed in C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { NULL, NULL }
};

static const struct rcol target_cols[] = {
	{ "policy", "policy" }, { "severity", "severity" },
	{ "target", "target" }, { "total", "total" }, { "met", "met" },
	{ "breached", "breached" }, { "no_recipients", "no recipients" },
	{ "compliance_pct", "compliance %" }, { NULL, NULL }
};

static const struct rcol breach_cols[] = {
	{ "ticket", "ticket" }, { "policy", "policy" },
	{ "severity", "severity" }, { "target", "target" },
	{ "late_seconds", "late (s)" }, { "late", "late" },
	{ "subject", "subject" }, { NULL, NULL }
};

/* The subject is looked up for the breaches only. */
static const struct dm_sql sql_results = SQL(
    "SELECT r.ticket_id, r.policy, r.severity, r.target, r.met, r.late,"
    " CASE WHEN r.met = 0 THEN"
    "  (SELECT subject FROM tickets t WHERE t.id = r.ticket_id) END"
    " FROM sla_results r WHERE r.at >= ?1 AND r.at < ?2"
    " ORDER BY r.at, r.id");

/* Targets in the order the SLA engine lists them; unknown ones last. */
static const char *const target_order[] = {
	"triage", "initial", "ack", "assign", "resolve", "update", "referral",
	NULL
};

struct count {
	char	policy[64], target[32];
	int	severity;
	long	total, met, none;	/* none: no recipients */
};

static int
target_rank(const char *t)
{
	int i;

	for (i = 0; target_order[i] != NULL; i++)
		if (strcmp(target_order[i], t) == 0)
			return i;
	return i;
}

static int
cmp_count(const void *a, const void *b)
{
	const struct count *x = *(const struct count *const *)a;
	const struct count *y = *(const struct count *const *)b;
	int c = strcmp(x->policy, y->policy);

	if (c == 0)
		c = x->severity - y->severity;
	if (c == 0)
		c = target_rank(x->target) - target_rank(y->target);
	return c ? c : strcmp(x->target, y->target);
}

/* Severity 0: not set yet when the result was recorded (triage). */
static void
severity(struct rtab *t, int v)
{
	if (v == 0)
		rtab_null(t);
	else
		rtab_int(t, v);
}

static void
count(struct rmap *m, struct dm_stmt *s)
{
	const char *policy = stmt_text(s, 1);
	const char *target = stmt_text(s, 3);
	int severity = stmt_int(s, 2);
	char key[128];
	struct count *c;

	snprintf(key, sizeof(key), "%s\t%d\t%s", policy ? policy : "",
	    severity, target ? target : "");
	c = rmap_get(m, key);
	if (c->total == 0) {
		snprintf(c->policy, sizeof(c->policy), "%s", policy ? policy :
		    "");
		snprintf(c->target, sizeof(c->target), "%s", target ? target :
		    "");
		c->severity = severity;
	}
	c->total++;
	c->met += stmt_int(s, 4) > 0;
	c->none += stmt_int(s, 4) < 0;
}

static void
breach(struct rtab *t, struct dm_stmt *s)
{
	int64_t secs = stmt_int64(s, 5);
	char late[32];

	rtab_row(t);
	rtab_int(t, stmt_int64(s, 0));
	rtab_str(t, stmt_text(s, 1));
	severity(t, stmt_int(s, 2));
	rtab_str(t, stmt_text(s, 3));
	rtab_int(t, secs);
	report_duration(secs, late);
	rtab_str(t, late);
	rtab_str(t, stmt_text(s, 6));
}

static dm_err
scan(const struct report_env *env, struct rmap *m, struct rtab *breaches)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_results);
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(env->st, "sla");
	stmt_stream(s);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		count(m, s);
		if (stmt_int(s, 4) == 0)
			breach(breaches, s);
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "sla");
	stmt_reset(s);
	return err;
}

static void
fill(struct report *r, struct rmap *m, struct rtab *t)
{
	size_t i, n = rmap_count(m);
	struct count **v = xcalloc(n ? n : 1, sizeof(*v));
	long total = 0, met = 0;

	for (i = 0; i < n; i++)
		v[i] = rmap_val(m, i);
	qsort(v, n, sizeof(*v), cmp_count);
	for (i = 0; i < n; i++) {
		rtab_row(t);
		rtab_str(t, v[i]->policy);
		severity(t, v[i]->severity);
		rtab_str(t, v[i]->target);
		long counted = v[i]->total - v[i]->none;

		rtab_int(t, v[i]->total);
		rtab_int(t, v[i]->met);
		rtab_int(t, counted - v[i]->met);
		rtab_int(t, v[i]->none);
		if (counted > 0)
			rtab_num(t, 100.0 * (double)v[i]->met / (double)counted,
			    1);
		else
			rtab_null(t);
		total += counted;
		met += v[i]->met;
	}
	free(v);
	if (total > 0)
		r->summary = xasprintf("%ld of %ld targets met (%.1f %%), %ld "
		    "breached", met, total, 100.0 * (double)met / (double)total,
		    total - met);
	else
		r->summary = xstrdup("no SLA results in the range");
}

dm_err
report_sla(const struct report_env *env, struct report *r)
{
	struct rmap *m = rmap_new(sizeof(struct count));
	struct rtab *targets, *breaches;
	dm_err err;

	r->name = "sla";
	r->title = "SLA compliance";
	report_meta(r, env, meta_cols);
	targets = report_add(r, "targets", "Compliance per target",
	    target_cols, 0);
	breaches = report_add(r, "breaches", "Breaches", breach_cols, 0);
	if ((err = scan(env, m, breaches)) == DM_OK)
		fill(r, m, targets);
	rmap_free(m);
	return err;
}
