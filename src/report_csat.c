/*
 * report_csat.c - customer satisfaction from the survey answers (seed
 * 000): per period of the answer (--by, default month) and over the
 * whole range, for everyone, per team and per category.
 *
 *   csat_pct           answers of 4 or 5 / answers * 100
 *   mean               mean rating, 1 to 5, compared with [reports]
 *                      csat_target
 *   surveys_sent       tickets whose survey mail was sent in the period
 *   response_rate_pct  of the surveys sent in the period, the share
 *                      answered (by the end of the range) * 100: a
 *                      cohort, so it never passes 100 when answers come
 *                      in the period after the mail
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { "by", "by" }, { "target", "target (mean)" },
	{ "target_met", "target met" }, { NULL, NULL }
};

static const struct rcol row_cols[] = {
	{ "period", "period" }, { "group", "group" },
	{ "responses", "responses" }, { "satisfied", "satisfied" },
	{ "csat_pct", "CSAT %" }, { "mean", "mean" },
	{ "surveys_sent", "surveys sent" },
	{ "response_rate_pct", "response rate %" }, { NULL, NULL }
};

static const struct dm_sql sql_answers = SQL(
    "SELECT s.answered, s.rating, t.team, t.category"
    " FROM surveys s JOIN tickets t ON t.id = s.ticket_id"
    " WHERE s.answered >= ?1 AND s.answered < ?2");

/*
 * A ticket counts once, at the first survey mail sent for it.
 * PostgreSQL groups by the ticket's key (t.id) to let its other columns
 * be selected, and EXISTS is a boolean there: cast for stmt_int().
 */
static const struct dm_sql sql_sent = SQL2(
    "SELECT min(o.sent_at), t.team, t.category,"
    " EXISTS (SELECT 1 FROM surveys s WHERE s.ticket_id = o.ticket_id"
    "   AND s.answered < ?2)"
    " FROM outbox o JOIN tickets t ON t.id = o.ticket_id"
    " WHERE o.template = 'survey' AND o.status = 'sent'"
    " GROUP BY o.ticket_id"
    " HAVING min(o.sent_at) >= ?1 AND min(o.sent_at) < ?2",
    "SELECT min(o.sent_at), t.team, t.category,"
    " EXISTS (SELECT 1 FROM surveys s WHERE s.ticket_id = t.id"
    "   AND s.answered < $2)::int"
    " FROM outbox o JOIN tickets t ON t.id = o.ticket_id"
    " WHERE o.template = 'survey' AND o.status = 'sent'"
    " GROUP BY t.id"
    " HAVING min(o.sent_at) >= $1 AND min(o.sent_at) < $2");

/* Counts per (period, group); period 0 is the whole range, else 1 + an
 * index of env's periods. */
struct key {
	uint32_t	period, group;
};

struct bucket {
	struct key	k;
	long		responses, satisfied, sum, sent, sent_answered;
};

struct csat {
	struct rmap	*m;		/* struct key -> struct bucket */
	struct rperiods	*periods;
	struct rgroups	*groups;
};

/* Add one answer (rating 1-5) or one sent survey (rating 0; answered:
 * it got an answer). */
static void
count(struct csat *c, uint32_t period, uint32_t tid, uint32_t cid,
    int rating, int answered)
{
	const uint32_t periods[2] = { period, 0 }, groups[3] = { 0, tid, cid };
	struct key k;
	size_t p, g;

	for (p = 0; p < 2; p++)
		for (g = 0; g < 3; g++) {
			struct bucket *b;

			k.period = periods[p];
			k.group = groups[g];
			b = rmap_getn(c->m, &k, sizeof(k));
			b->k = k;
			if (rating == 0) {
				b->sent++;
				b->sent_answered += answered != 0;
			} else {
				b->responses++;
				b->satisfied += rating >= 4;
				b->sum += rating;
			}
		}
}

static dm_err
scan(const struct report_env *env, const struct dm_sql *sql, struct csat *c,
    int answers)
{
	struct dm_stmt *s = store_stmt(env->st, sql);
	dm_err err = DM_OK;
	uint32_t tid, cid;
	int rc;

	if (s == NULL)
		return store_error(env->st, "csat");
	stmt_stream(s);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		int col = answers ? 2 : 1, rating = answers ?
		    stmt_int(s, 1) : 0;

		if (answers && (rating < 1 || rating > 5))
			continue;
		rgroups_of(c->groups, stmt_text(s, col),
		    stmt_text(s, col + 1), &tid, &cid);
		count(c, 1 + (uint32_t)rperiods_of(c->periods,
		    stmt_int64(s, 0)), tid, cid, rating, !answers &&
		    stmt_int(s, 3));
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "csat");
	stmt_reset(s);
	return err;
}

static const char *
period_label(const struct csat *c, uint32_t period)
{
	return period ? rperiods_label(c->periods, period - 1) : "all";
}

static int
cmp_bucket(const void *a, const void *b, void *arg)
{
	const struct bucket *x = *(const struct bucket *const *)a;
	const struct bucket *y = *(const struct bucket *const *)b;
	const struct csat *c = arg;
	int d = report_period_cmp(period_label(c, x->k.period),
	    period_label(c, y->k.period));

	return d ? d : report_group_cmp(rgroups_name(c->groups, x->k.group),
	    rgroups_name(c->groups, y->k.group));
}

static double
pct(long part, long whole)
{
	return whole ? 100.0 * (double)part / (double)whole : NAN;
}

static void
fill(struct report *r, const struct csat *c, double target)
{
	struct rtab *t = report_add(r, "rows", "Satisfaction by period",
	    row_cols, 0);
	size_t i, n = rmap_count(c->m);
	struct bucket **v = xcalloc(n ? n : 1, sizeof(*v)), *all = NULL;

	for (i = 0; i < n; i++)
		v[i] = rmap_val(c->m, i);
	qsort_r(v, n, sizeof(*v), cmp_bucket, (void *)c);
	for (i = 0; i < n; i++) {
		struct bucket *b = v[i];

		rtab_row(t);
		rtab_str(t, period_label(c, b->k.period));
		rtab_str(t, rgroups_name(c->groups, b->k.group));
		rtab_int(t, b->responses);
		rtab_int(t, b->satisfied);
		rtab_num(t, pct(b->satisfied, b->responses), 1);
		rtab_num(t, b->responses ? (double)b->sum / (double)b->responses :
		    NAN, 2);
		rtab_int(t, b->sent);
		rtab_num(t, pct(b->sent_answered, b->sent), 1);
		if (b->k.period == 0 && b->k.group == 0)
			all = b;
	}
	if (all != NULL && all->responses > 0) {
		double mean = (double)all->sum / (double)all->responses;
		int met = mean + 1e-9 >= target;

		rtab_bool(r->meta, met);
		r->summary = xasprintf("%ld responses, %.1f %% satisfied (4 or 5), "
		    "mean %.2f of 5; target %g: %s", all->responses,
		    pct(all->satisfied, all->responses), mean, target, met ?
		    "met" : "not met");
	} else {
		rtab_null(r->meta);
		r->summary = xasprintf("no survey answers in the range; target "
		    "%g: not met", target);
	}
	free(v);
}

dm_err
report_csat(const struct report_env *env, struct report *r)
{
	struct csat c;
	const char *dot = strchr(env->cfg->csat_target, '.');
	double target = strtod(env->cfg->csat_target, NULL);
	dm_err err;

	r->name = "csat";
	r->title = "Customer satisfaction";
	report_meta(r, env, meta_cols);
	rtab_str(r->meta, report_by_name(env->opts->by));
	/* as many decimals as the configuration wrote */
	rtab_num(r->meta, target, dot ? (int)strspn(dot + 1, "0123456789") :
	    0);
	c.m = rmap_new(sizeof(struct bucket));
	c.periods = rperiods_new(env->opts->by);
	c.groups = rgroups_new();
	if ((err = scan(env, &sql_answers, &c, 1)) == DM_OK &&
	    (err = scan(env, &sql_sent, &c, 0)) == DM_OK)
		fill(r, &c, target);
	rmap_free(c.m);
	rperiods_free(c.periods);
	rgroups_free(c.groups);
	return err;
}
