/*
 * report_fcr.c - first contact resolution of the tickets closed in the
 * range (by closed_at), per quarter (--by) and per year, against the
 * [reports] fcr_target (69 %) and the industry figure fcr_industry (59 %).
 *
 * A closed ticket is FCR when all of these hold (DESIGN.md, "Resolution,
 * acceptance and the survey"):
 *   (a) it was closed by the requester accepting or by auto-close (an
 *       'accepted' or 'auto_closed' event), not by staff closing it;
 *   (b) it was never reopened (no status event "... -> reopened");
 *   (c) it was never transferred (no 'transfer' event);
 *   (d) staff sent at most one public reply ('reply' events); the
 *       resolution mail is not counted, so "resolved at once" and "one
 *       answer, then resolved" both qualify;
 *   (e) the requester wrote once: one message of kind 'customer'.
 * The facts of each closed ticket (its counts of those events and
 * messages) are read one of two ways, whichever reads less: for a few
 * tickets one query joins them with their events and messages through
 * the per-ticket indexes; for many (a quarter or more of all tickets) the
 * events and messages tables are read straight through once and counted
 * in C, which is several times faster than as many index lookups.  The
 * periods are counted in C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { "by", "by" }, { "target", "target %" },
	{ "industry", "industry %" }, { NULL, NULL }
};

static const struct rcol row_cols[] = {
	{ "period", "period" }, { "closed", "closed" }, { "fcr", "FCR" },
	{ "fcr_pct", "FCR %" }, { "industry", "industry %" },
	{ "target", "target %" }, { "vs_target", "vs target" },
	{ NULL, NULL }
};

/*
 * A few tickets: each with its counts, through the indexes.  PostgreSQL
 * has no sum() of booleans: it counts with FILTER (0, not NULL, for a
 * ticket without events; both read as 0).
 */
#define JOINED_FROM \
    " (SELECT count(*) FROM messages m" \
    "   WHERE m.ticket_id = t.id AND m.kind = 'customer')" \
    " FROM tickets t LEFT JOIN events e ON e.ticket_id = t.id" \
    "  AND e.type IN ('accepted', 'auto_closed', 'status', 'transfer'," \
    "   'reply')"
static const struct dm_sql sql_joined = SQL2(
    "SELECT t.id, t.closed_at,"
    " sum(e.type IN ('accepted', 'auto_closed')),"
    " sum(e.type = 'status' AND e.detail LIKE '% -> reopened'),"
    " sum(e.type = 'transfer'),"
    " sum(e.type = 'reply'),"
    JOINED_FROM
    " WHERE t.closed_at >= ?1 AND t.closed_at < ?2"
    " GROUP BY t.id",
    "SELECT t.id, t.closed_at,"
    " count(*) FILTER (WHERE e.type IN ('accepted', 'auto_closed')),"
    " count(*) FILTER (WHERE e.type = 'status' AND"
    "   e.detail LIKE '% -> reopened'),"
    " count(*) FILTER (WHERE e.type = 'transfer'),"
    " count(*) FILTER (WHERE e.type = 'reply'),"
    JOINED_FROM
    " WHERE t.closed_at >= $1 AND t.closed_at < $2"
    " GROUP BY t.id");

/* Many tickets: the tickets, then every event and message in one pass. */
static const struct dm_sql sql_closed = SQL(
    "SELECT id, closed_at FROM tickets"
    " WHERE closed_at >= ?1 AND closed_at < ?2 ORDER BY id");
static const struct dm_sql sql_size = SQL("SELECT count(*) FROM tickets");
/* PostgreSQL: no NOT INDEXED (its planner scans a whole table by
 * itself), and WHERE cannot name an output column */
#define EVENT_WHAT \
    "SELECT ticket_id, CASE" \
    "  WHEN type IN ('accepted', 'auto_closed') THEN 2" \
    "  WHEN type = 'status' AND detail LIKE '% -> reopened' THEN 3" \
    "  WHEN type = 'transfer' THEN 4" \
    "  WHEN type = 'reply' THEN 5 ELSE 0 END AS what"
static const struct dm_sql sql_events = SQL2(
    EVENT_WHAT " FROM events NOT INDEXED WHERE what > 0",
    "SELECT ticket_id, what FROM (" EVENT_WHAT " FROM events) e"
    " WHERE what > 0");
static const struct dm_sql sql_customer = SQL2(
    "SELECT ticket_id, 6 FROM messages NOT INDEXED WHERE kind = 'customer'",
    "SELECT ticket_id, 6 FROM messages WHERE kind = 'customer'");

/* What FCR is decided on, per ticket; n[] is indexed like the columns of
 * &sql_joined (2 closing, 3 reopened, 4 transfers, 5 replies, 6 customer
 * messages). */
struct facts {
	int64_t	id, closed_at;
	long	n[7];
};

static int
is_fcr(const struct facts *f)
{
	return f->n[2] > 0 && f->n[3] == 0 && f->n[4] == 0 && f->n[5] <= 1 &&
	    f->n[6] == 1;
}

struct closed {
	struct facts	*v;	/* by id */
	size_t		 n, cap;
};

static struct facts *
add(struct closed *c, int64_t id, int64_t at)
{
	struct facts *f;

	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 256;
		c->v = xreallocarray(c->v, c->cap, sizeof(*c->v));
	}
	f = &c->v[c->n++];
	memset(f, 0, sizeof(*f));
	f->id = id;
	f->closed_at = at;
	return f;
}

static int
cmp_id(const void *key, const void *elem)
{
	int64_t a = *(const int64_t *)key, b = ((const struct facts *)elem)->id;

	return a < b ? -1 : a > b;
}

static dm_err
step_error(const struct report_env *env, struct dm_stmt *s, int rc)
{
	dm_err err = rc == STMT_DONE ? DM_OK : store_error(env->st, "fcr");

	stmt_reset(s);
	return err;
}

static dm_err
read_joined(const struct report_env *env, struct closed *c)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_joined);
	int rc, i;

	if (s == NULL)
		return store_error(env->st, "fcr");
	stmt_stream(s);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		struct facts *f = add(c, stmt_int64(s, 0),
		    stmt_int64(s, 1));

		for (i = 2; i <= 6; i++)
			f->n[i] = stmt_int(s, i);
	}
	return step_error(env, s, rc);
}

/* Count the (ticket, what) rows of sql into the tickets of c. */
static dm_err
read_counts(const struct report_env *env, const struct dm_sql *sql,
    struct closed *c)
{
	struct dm_stmt *s = store_stmt(env->st, sql);
	int rc;

	if (s == NULL)
		return store_error(env->st, "fcr");
	stmt_stream(s);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		int64_t id = stmt_int64(s, 0);
		int what = stmt_int(s, 1);
		struct facts *f = bsearch(&id, c->v, c->n, sizeof(*c->v),
		    cmp_id);

		if (f != NULL && what >= 2 && what <= 6)
			f->n[what]++;
	}
	return step_error(env, s, rc);
}

static dm_err
read_facts(const struct report_env *env, struct closed *c)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_closed);
	int64_t all = 0;
	dm_err err;
	int rc;

	if (s == NULL)
		return store_error(env->st, "fcr");
	stmt_stream(s);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW)
		add(c, stmt_int64(s, 0), stmt_int64(s, 1));
	if ((err = step_error(env, s, rc)) != DM_OK ||
	    (err = store_query_id(env->st, &sql_size, NULL, &all)) != DM_OK)
		return err;
	if ((int64_t)c->n * 4 < all) {
		c->n = 0;
		return read_joined(env, c);
	}
	if ((err = read_counts(env, &sql_events, c)) != DM_OK)
		return err;
	return read_counts(env, &sql_customer, c);
}

struct bucket {
	long	closed, fcr;
};

static void
count(struct rmap *m, const char *period, int fcr)
{
	struct bucket *b = rmap_get(m, period);

	b->closed++;
	b->fcr += fcr;
}

static dm_err
scan(const struct report_env *env, struct rmap *m)
{
	struct rperiods *periods = rperiods_new(env->opts->by);
	struct rperiods *years = rperiods_new(BY_YEAR);
	struct closed c;
	size_t i;
	dm_err err;

	memset(&c, 0, sizeof(c));
	if ((err = read_facts(env, &c)) == DM_OK)
		for (i = 0; i < c.n; i++) {
			int fcr = is_fcr(&c.v[i]);

			count(m, rperiods_label(periods, rperiods_of(periods,
			    c.v[i].closed_at)), fcr);
			if (env->opts->by != BY_YEAR)
				count(m, rperiods_label(years, rperiods_of(years,
				    c.v[i].closed_at)), fcr);
			count(m, "all", fcr);
		}
	free(c.v);
	rperiods_free(periods);
	rperiods_free(years);
	return err;
}

struct entry {
	const char	*period;	/* the map's key */
	struct bucket	*b;
};

/* The periods of --by first, then the years, then the whole range. */
static int
cmp_entry(const void *a, const void *b)
{
	const char *x = ((const struct entry *)a)->period;
	const char *y = ((const struct entry *)b)->period;
	int xy = strlen(x) == 4, yy = strlen(y) == 4;

	if (strcmp(x, "all") != 0 && strcmp(y, "all") != 0 && xy != yy)
		return xy - yy;
	return report_period_cmp(x, y);
}

static void
fill(const struct report_env *env, struct report *r, struct rmap *m)
{
	struct rtab *t = report_add(r, "rows", "First contact resolution",
	    row_cols, 0);
	long target = env->cfg->fcr_target, industry = env->cfg->fcr_industry;
	size_t i, n = rmap_count(m);
	struct entry *v = xcalloc(n ? n : 1, sizeof(*v));
	struct bucket *all = NULL;

	for (i = 0; i < n; i++) {
		v[i].period = rmap_key(m, i);
		v[i].b = rmap_val(m, i);
	}
	qsort(v, n, sizeof(*v), cmp_entry);
	for (i = 0; i < n; i++) {
		double p = 100.0 * (double)v[i].b->fcr / (double)v[i].b->closed;

		rtab_row(t);
		rtab_str(t, v[i].period);
		rtab_int(t, v[i].b->closed);
		rtab_int(t, v[i].b->fcr);
		rtab_num(t, p, 1);
		rtab_int(t, industry);
		rtab_int(t, target);
		rtab_str(t, p + 1e-9 >= (double)target ? "above" : "below");
		if (strcmp(v[i].period, "all") == 0)
			all = v[i].b;
	}
	if (all != NULL)
		r->summary = xasprintf("%.1f %% of %ld closed tickets resolved "
		    "at first contact: %s the target of %ld %% (industry %ld %%)",
		    100.0 * (double)all->fcr / (double)all->closed, all->closed,
		    100.0 * (double)all->fcr / (double)all->closed + 1e-9 >=
		    (double)target ? "above" : "below", target, industry);
	else
		r->summary = xstrdup("no tickets closed in the range");
	free(v);
}

dm_err
report_fcr(const struct report_env *env, struct report *r)
{
	struct rmap *m = rmap_new(sizeof(struct bucket));
	dm_err err;

	r->name = "fcr";
	r->title = "First contact resolution";
	report_meta(r, env, meta_cols);
	rtab_str(r->meta, report_by_name(env->opts->by));
	rtab_int(r->meta, env->cfg->fcr_target);
	rtab_int(r->meta, env->cfg->fcr_industry);
	if ((err = scan(env, m)) == DM_OK)
		fill(env, r, m);
	rmap_free(m);
	return err;
}
