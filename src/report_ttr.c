/*
 * report_ttr.c - time to resolution: hours from a ticket's creation to
 * its (last) resolution, for the tickets created in the range that are
 * resolved or closed after a resolution.  Count, median, p90 (nearest
 * rank: the ceil(0.9 n)-th smallest) and mean, overall, per team and per
 * category; with --split DATE also before and after that day (by
 * creation) and the change of the median, to show what a change such as
 * warm transfer did.  A histogram of the same times for the chart.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { "split", "split" }, { NULL, NULL }
};

static const struct rcol row_cols[] = {
	{ "group", "group" }, { "segment", "segment" }, { "count", "count" },
	{ "median_h", "median h" }, { "p90_h", "p90 h" },
	{ "mean_h", "mean h" }, { NULL, NULL }
};

static const struct rcol change_cols[] = {
	{ "group", "group" }, { "median_before_h", "median before h" },
	{ "median_after_h", "median after h" },
	{ "median_change_pct", "change %" }, { NULL, NULL }
};

static const struct rcol hist_cols[] = {
	{ "bucket", "time to resolution" }, { "count", "tickets" },
	{ NULL, NULL }
};

static const struct rcol hist_split_cols[] = {
	{ "bucket", "time to resolution" }, { "count", "tickets" },
	{ "before", "before" }, { "after", "after" }, { NULL, NULL }
};

static const struct dm_sql sql_resolved = SQL(
    "SELECT created, resolved_at, team, category FROM tickets"
    " WHERE resolved_at IS NOT NULL AND created >= ?1 AND created < ?2");

#define NBUCKETS	7
static const char *const bucket_names[NBUCKETS] = {
	"<1h", "1-4h", "4-8h", "8-24h", "1-3d", "3-7d", ">7d"
};
static const int64_t bucket_upto[NBUCKETS - 1] = {
	3600, 4 * 3600, 8 * 3600, 86400, 3 * 86400, 7 * 86400
};

enum { SEG_ALL, SEG_BEFORE, SEG_AFTER };
static const char *const seg_names[] = { "all", "before", "after" };

struct key {
	uint32_t	group, seg;
};

struct times {
	struct key	 k;
	double		*v;		/* hours */
	size_t		 n, cap;
	double		 sum;
};

struct stats {
	size_t	n;
	double	median, p90, mean;
};

static void
add(struct rmap *m, uint32_t group, uint32_t seg, double hours)
{
	struct key k;
	struct times *t;

	k.group = group;
	k.seg = seg;
	t = rmap_getn(m, &k, sizeof(k));
	t->k = k;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->v = xreallocarray(t->v, t->cap, sizeof(*t->v));
	}
	t->v[t->n++] = hours;
	t->sum += hours;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static struct stats
stats_of(struct times *t)
{
	struct stats s = { 0, NAN, NAN, NAN };

	if (t == NULL || t->n == 0)
		return s;
	qsort(t->v, t->n, sizeof(*t->v), cmp_double);
	s.n = t->n;
	s.median = t->n % 2 ? t->v[t->n / 2] :
	    (t->v[t->n / 2 - 1] + t->v[t->n / 2]) / 2;
	s.p90 = t->v[(9 * t->n + 9) / 10 - 1];
	s.mean = t->sum / (double)t->n;
	return s;
}

static dm_err
scan(const struct report_env *env, struct rmap *m, struct rgroups *gr,
    long hist[3][NBUCKETS])
{
	struct dm_stmt *s = store_stmt(env->st, &sql_resolved);
	int split = env->opts->split_date[0] != '\0';
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(env->st, "ttr");
	stmt_stream(s);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		int64_t created = stmt_int64(s, 0);
		int64_t secs = stmt_int64(s, 1) - created;
		uint32_t groups[3] = { 0, 0, 0 };
		int seg = created < env->opts->split ? SEG_BEFORE : SEG_AFTER;
		size_t g, b;

		if (secs < 0)
			secs = 0;
		rgroups_of(gr, stmt_text(s, 2),
		    stmt_text(s, 3), &groups[1],
		    &groups[2]);
		for (g = 0; g < 3; g++) {
			add(m, groups[g], SEG_ALL, (double)secs / 3600.0);
			if (split)
				add(m, groups[g], seg, (double)secs / 3600.0);
		}
		for (b = 0; b < NBUCKETS - 1 && secs >= bucket_upto[b]; b++)
			;
		hist[SEG_ALL][b]++;
		if (split)
			hist[seg][b]++;
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "ttr");
	stmt_reset(s);
	return err;
}

static int
cmp_times(const void *a, const void *b, void *arg)
{
	const struct times *x = *(const struct times *const *)a;
	const struct times *y = *(const struct times *const *)b;
	int c = report_group_cmp(rgroups_name(arg, x->k.group),
	    rgroups_name(arg, y->k.group));

	return c ? c : (int)x->k.seg - (int)y->k.seg;
}

static void
row(struct rtab *t, const char *group, uint32_t seg, struct stats st)
{
	rtab_row(t);
	rtab_str(t, group);
	rtab_str(t, seg_names[seg]);
	rtab_int(t, (int64_t)st.n);
	rtab_num(t, st.median, 2);
	rtab_num(t, st.p90, 2);
	rtab_num(t, st.mean, 2);
}

static void
histogram(struct report *r, long hist[3][NBUCKETS], int split)
{
	struct rtab *h = report_add(r, "histogram", "Distribution",
	    split ? hist_split_cols : hist_cols, 0);
	size_t i;

	for (i = 0; i < NBUCKETS; i++) {
		rtab_row(h);
		rtab_str(h, bucket_names[i]);
		rtab_int(h, hist[SEG_ALL][i]);
		if (split) {
			rtab_int(h, hist[SEG_BEFORE][i]);
			rtab_int(h, hist[SEG_AFTER][i]);
		}
	}
}

static void
fill(const struct report_env *env, struct report *r, struct rmap *m,
    struct rgroups *gr, long hist[3][NBUCKETS])
{
	struct rtab *t = report_add(r, "rows", "Time to resolution", row_cols,
	    0), *c = NULL;
	const char *split = env->opts->split_date;
	size_t i, j, n = rmap_count(m);
	struct times **v = xcalloc(n ? n : 1, sizeof(*v));
	struct buf sum;

	if (*split)
		c = report_add(r, "change", "Median before and after",
		    change_cols, 0);
	for (i = 0; i < n; i++)
		v[i] = rmap_val(m, i);
	qsort_r(v, n, sizeof(*v), cmp_times, gr);
	buf_init(&sum);
	/* one group at a time: its all, before and after entries */
	for (i = 0; i < n; i = j) {
		struct stats st[3] = { { 0, NAN, NAN, NAN }, { 0, NAN, NAN, NAN },
		    { 0, NAN, NAN, NAN } };
		double pct;

		const char *name = rgroups_name(gr, v[i]->k.group);

		for (j = i; j < n && v[j]->k.group == v[i]->k.group; j++) {
			st[v[j]->k.seg] = stats_of(v[j]);
			row(t, name, v[j]->k.seg, st[v[j]->k.seg]);
		}
		pct = st[SEG_BEFORE].median > 0 ? (st[SEG_AFTER].median -
		    st[SEG_BEFORE].median) / st[SEG_BEFORE].median * 100.0 : NAN;
		if (c != NULL) {
			rtab_row(c);
			rtab_str(c, name);
			rtab_num(c, st[SEG_BEFORE].median, 2);
			rtab_num(c, st[SEG_AFTER].median, 2);
			rtab_num(c, pct, 1);
		}
		if (v[i]->k.group != 0)
			continue;
		buf_addf(&sum, "%zu tickets resolved: median %.2f h, p90 %.2f h, "
		    "mean %.2f h", st[SEG_ALL].n, st[SEG_ALL].median,
		    st[SEG_ALL].p90, st[SEG_ALL].mean);
		if (c != NULL && !isnan(pct))
			buf_addf(&sum, "; split %s: median %.2f h before, %.2f h "
			    "after (%+.1f %%)", split, st[SEG_BEFORE].median,
			    st[SEG_AFTER].median, pct);
	}
	if (sum.len == 0)
		buf_adds(&sum, "no resolved tickets created in the range");
	histogram(r, hist, *split != '\0');
	r->summary = buf_release(&sum);
	for (i = 0; i < n; i++)
		free(v[i]->v);
	free(v);
}

dm_err
report_ttr(const struct report_env *env, struct report *r)
{
	struct rmap *m = rmap_new(sizeof(struct times));
	struct rgroups *gr = rgroups_new();
	long hist[3][NBUCKETS];
	size_t i;
	dm_err err;

	memset(hist, 0, sizeof(hist));
	r->name = "ttr";
	r->title = "Time to resolution";
	report_meta(r, env, meta_cols);
	rtab_str(r->meta, env->opts->split_date[0] ? env->opts->split_date :
	    NULL);
	if ((err = scan(env, m, gr, hist)) == DM_OK)
		fill(env, r, m, gr, hist);
	else
		for (i = 0; i < rmap_count(m); i++)
			free(((struct times *)rmap_val(m, i))->v);
	rmap_free(m);
	rgroups_free(gr);
	return err;
}
