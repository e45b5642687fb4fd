/*
 * report_table.c - the reports' model: tables of typed cells (struct
 * rtab) and the report that holds them.
 *
 * Cells keep their printed form ("66.7"), so every rendering shows the
 * same digits; strings live in one buffer per table, cells are offsets
 * into it, so a table of 100,000 rows is two allocations that grow.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

/* 8 bytes: a table of 100,000 rows of 9 columns is 7 MB of cells. */
struct cell {
	uint32_t	off;	/* into text */
	uint8_t		kind;	/* enum rkind */
};

#define MAXTEXT	UINT32_MAX	/* bytes of text in one table */

struct rtab {
	const char		*name, *title;
	const struct rcol	*cols;
	size_t			 ncols;
	int			 flags;
	struct cell		*cells;	/* nrows * ncols */
	size_t			 nrows, cap, fill;	/* fill: cells of the
							   current row set */
	struct buf		 text;
};

struct rtab *
rtab_new(const char *name, const char *title, const struct rcol *cols,
    int flags)
{
	struct rtab *t = xcalloc(1, sizeof(*t));

	t->name = name;
	t->title = title;
	t->cols = cols;
	while (cols[t->ncols].key != NULL)
		t->ncols++;
	t->flags = flags;
	buf_init(&t->text);
	buf_addc(&t->text, '\0');	/* offset 0: the empty string */
	return t;
}

void
rtab_free(struct rtab *t)
{
	if (t == NULL)
		return;
	free(t->cells);
	buf_free(&t->text);
	free(t);
}

void
rtab_row(struct rtab *t)
{
	size_t i, base;

	if (t->nrows == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->cells = xreallocarray(t->cells, t->cap, t->ncols *
		    sizeof(*t->cells));
	}
	base = t->nrows * t->ncols;
	for (i = 0; i < t->ncols; i++) {
		t->cells[base + i].off = 0;
		t->cells[base + i].kind = RK_NULL;
	}
	t->nrows++;
	t->fill = 0;
}

static void
put(struct rtab *t, enum rkind kind, const char *s)
{
	struct cell *c;

	if (t->nrows == 0 || t->fill >= t->ncols)
		abort();	/* a builder's bug: more cells than columns */
	c = &t->cells[(t->nrows - 1) * t->ncols + t->fill++];
	c->kind = (uint8_t)kind;
	if (kind == RK_NULL)
		return;
	if (t->text.len + strlen(s) + 1 > MAXTEXT)
		abort();	/* gigabytes of report: out of memory anyway */
	c->off = (uint32_t)t->text.len;
	buf_add(&t->text, s, strlen(s) + 1);
}

void
rtab_str(struct rtab *t, const char *s)
{
	put(t, s ? RK_STR : RK_NULL, s);
}

void
rtab_int(struct rtab *t, int64_t v)
{
	char s[24];

	snprintf(s, sizeof(s), "%lld", (long long)v);
	put(t, RK_NUM, s);
}

void
rtab_num(struct rtab *t, double v, int decimals)
{
	char s[48];

	if (isnan(v) || isinf(v)) {
		put(t, RK_NULL, NULL);
		return;
	}
	snprintf(s, sizeof(s), "%.*f", decimals, v);
	/* -0.0 is 0.0 to a reader */
	if (s[0] == '-' && strspn(s + 1, "0.") == strlen(s + 1))
		memmove(s, s + 1, strlen(s));
	put(t, RK_NUM, s);
}

void
rtab_cents(struct rtab *t, int64_t cents)
{
	char s[32];

	snprintf(s, sizeof(s), "%s%lld.%02lld", cents < 0 ? "-" : "",
	    (long long)(cents < 0 ? -cents : cents) / 100,
	    (long long)(cents < 0 ? -cents : cents) % 100);
	put(t, RK_NUM, s);
}

void
rtab_bool(struct rtab *t, int v)
{
	put(t, RK_BOOL, v ? "true" : "false");
}

void
rtab_null(struct rtab *t)
{
	put(t, RK_NULL, NULL);
}

const char *
rtab_name(const struct rtab *t)
{
	return t->name;
}

const char *
rtab_title(const struct rtab *t)
{
	return t->title;
}

int
rtab_flags(const struct rtab *t)
{
	return t->flags;
}

size_t
rtab_nrows(const struct rtab *t)
{
	return t->nrows;
}

size_t
rtab_ncols(const struct rtab *t)
{
	return t->ncols;
}

const struct rcol *
rtab_colinfo(const struct rtab *t, size_t col)
{
	return &t->cols[col];
}

int
rtab_col(const struct rtab *t, const char *key)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].key, key) == 0)
			return (int)i;
	return -1;
}

const char *
rtab_text(const struct rtab *t, size_t row, size_t col)
{
	const struct cell *c = &t->cells[row * t->ncols + col];

	return c->kind == RK_NULL ? NULL : t->text.data + c->off;
}

enum rkind
rtab_kind(const struct rtab *t, size_t row, size_t col)
{
	return (enum rkind)t->cells[row * t->ncols + col].kind;
}

int
rtab_numeric(const struct rtab *t, size_t col)
{
	size_t r;
	int any = 0;

	for (r = 0; r < t->nrows; r++) {
		enum rkind k = rtab_kind(t, r, col);

		if (k == RK_STR || k == RK_BOOL)
			return 0;
		any |= k == RK_NUM;
	}
	return any;
}

struct rtab *
report_add(struct report *r, const char *name, const char *title,
    const struct rcol *cols, int flags)
{
	struct rtab *t = rtab_new(name, title, cols, flags);

	if (r->ntabs >= REPORT_MAXTABS)
		abort();	/* a builder's bug */
	r->tabs[r->ntabs++] = t;
	return t;
}

void
report_meta(struct report *r, const struct report_env *env,
    const struct rcol *cols)
{
	const struct report_opts *o = env->opts;

	r->meta = rtab_new("meta", "", cols, 0);
	rtab_row(r->meta);
	rtab_str(r->meta, o->from_date[0] ? o->from_date : NULL);
	rtab_str(r->meta, o->to_date[0] ? o->to_date : NULL);
	rtab_str(r->meta, env->cfg->sla_timezone);
}

void
report_clear(struct report *r)
{
	size_t i;

	free(r->summary);
	rtab_free(r->meta);
	for (i = 0; i < r->ntabs; i++)
		rtab_free(r->tabs[i]);
	memset(r, 0, sizeof(*r));
}

static int
group_rank(const char *g, int *cat)
{
	*cat = DM_NCATEGORIES;
	if (strcmp(g, "all") == 0)
		return 0;
	if (strncmp(g, "team:", 5) == 0)
		return 1;
	if (strncmp(g, "category:", 9) == 0) {
		int i = config_category(g + 9);

		*cat = i < 0 ? DM_NCATEGORIES : i;
		return 2;
	}
	return 3;
}

int
report_group_cmp(const char *a, const char *b)
{
	int ca, cb, ra = group_rank(a, &ca), rb = group_rank(b, &cb);

	if (ra != rb)
		return ra - rb;
	if (ra == 2 && ca != cb)
		return ca - cb;
	return strcmp(a, b);
}

struct rgroups {
	struct rmap	*m;	/* 't' team or 'c' category -> struct group */
};

struct group {
	uint32_t id;		/* its entry in the map */
	char	 name[80];
};

struct rgroups *
rgroups_new(void)
{
	struct rgroups *g = xcalloc(1, sizeof(*g));
	struct group *all;

	g->m = rmap_new(sizeof(struct group));
	all = rmap_getn(g->m, "", 0);	/* entry 0 */
	snprintf(all->name, sizeof(all->name), "all");
	return g;
}

/* The id of the group kind ('t', 'c') and name, made when new. */
static uint32_t
group_id(struct rgroups *g, char kind, const char *name)
{
	char key[72];
	size_t n = strlen(name);
	struct group *v;

	if (n > sizeof(key) - 1)
		n = sizeof(key) - 1;
	key[0] = kind;
	memcpy(key + 1, name, n);
	v = rmap_getn(g->m, key, n + 1);
	if (v->name[0] == '\0') {
		v->id = (uint32_t)(rmap_count(g->m) - 1);
		snprintf(v->name, sizeof(v->name), "%s:%.*s", kind == 't' ?
		    "team" : "category", (int)n, name);
	}
	return v->id;
}

void
rgroups_of(struct rgroups *g, const char *team, const char *category,
    uint32_t *tid, uint32_t *cid)
{
	*tid = group_id(g, 't', team && *team ? team : "(none)");
	*cid = group_id(g, 'c', category && config_category(category) >= 0 ?
	    category : "uncategorised");
}

const char *
rgroups_name(const struct rgroups *g, uint32_t id)
{
	return ((const struct group *)rmap_val(g->m, id))->name;
}

void
rgroups_free(struct rgroups *g)
{
	if (g == NULL)
		return;
	rmap_free(g->m);
	free(g);
}
