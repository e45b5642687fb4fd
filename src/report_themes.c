/*
 * report_themes.c - what the survey comments talk about: per period of
 * the answer (--by, default month) and over the whole range, the 20 most
 * frequent words and the 10 most frequent two-word phrases, stop-words
 * left out (report_words.c says what a word and a phrase are).  Every
 * occurrence counts; ties go in alphabetical (code point) order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

#define TOP_TERMS	20
#define TOP_PHRASES	10

static const struct rcol meta_cols[] = {
	REPORT_META_COMMON, { "by", "by" }, { NULL, NULL }
};

static const struct rcol comment_cols[] = {
	{ "period", "period" }, { "comments", "comments" }, { NULL, NULL }
};

static const struct rcol term_cols[] = {
	{ "period", "period" }, { "rank", "rank" }, { "term", "term" },
	{ "count", "count" }, { NULL, NULL }
};

static const struct rcol phrase_cols[] = {
	{ "period", "period" }, { "rank", "rank" }, { "phrase", "phrase" },
	{ "count", "count" }, { NULL, NULL }
};

static const struct dm_sql sql_comments = SQL(
    "SELECT answered, comment FROM surveys"
    " WHERE answered >= ?1 AND answered < ?2 AND comment != ''");

struct count {
	long	n;
};

struct scan {
	struct rmap	*terms, *phrases, *comments;
	const char	*period;
	char		 prev[160];
};

/* Count text under "period\ttext" and "all\ttext". */
static void
bump(struct rmap *m, const char *period, const char *text)
{
	const char *periods[2] = { period, "all" };
	char key[400];
	size_t i;

	for (i = 0; i < 2; i++) {
		snprintf(key, sizeof(key), "%s\t%s", periods[i], text);
		((struct count *)rmap_get(m, key))->n++;
	}
}

static void
on_word(const char *word, int adjacent, void *arg)
{
	struct scan *sc = arg;
	char phrase[320];

	bump(sc->terms, sc->period, word);
	if (adjacent) {
		snprintf(phrase, sizeof(phrase), "%s %s", sc->prev, word);
		bump(sc->phrases, sc->period, phrase);
	}
	snprintf(sc->prev, sizeof(sc->prev), "%s", word);
}

static dm_err
scan(const struct report_env *env, struct scan *sc)
{
	struct dm_stmt *s = store_stmt(env->st, &sql_comments);
	struct rperiods *periods;
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(env->st, "themes");
	stmt_stream(s);
	periods = rperiods_new(env->opts->by);
	stmt_bind_int64(s, 1, env->opts->from);
	stmt_bind_int64(s, 2, env->opts->to);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		const char *c = stmt_text(s, 1);

		if (c == NULL)
			continue;
		sc->period = rperiods_label(periods, rperiods_of(periods,
		    stmt_int64(s, 0)));
		bump(sc->comments, sc->period, "");
		sc->prev[0] = '\0';
		words_each(c, on_word, sc);
	}
	if (rc != STMT_DONE)
		err = store_error(env->st, "themes");
	stmt_reset(s);
	rperiods_free(periods);
	return err;
}

struct entry {
	char		 period[16];
	const char	*text;		/* inside the map's key */
	long		 n;
};

static int
cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = report_period_cmp(x->period, y->period);

	if (c != 0)
		return c;
	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->text, y->text);
}

/* The map's entries sorted by period, count (descending) and text. */
static struct entry *
sorted(const struct rmap *m, size_t *n)
{
	struct entry *e;
	size_t i;

	*n = rmap_count(m);
	e = xcalloc(*n ? *n : 1, sizeof(*e));
	for (i = 0; i < *n; i++) {
		const char *k = rmap_key(m, i), *tab = strchr(k, '\t');

		snprintf(e[i].period, sizeof(e[i].period), "%.*s",
		    (int)(tab - k), k);
		e[i].text = tab + 1;
		e[i].n = ((struct count *)rmap_val(m, i))->n;
	}
	qsort(e, *n, sizeof(*e), cmp_entry);
	return e;
}

static void
top(struct report *r, const char *name, const char *title,
    const struct rcol *cols, const struct rmap *m, long max, struct buf *sum)
{
	struct rtab *t = report_add(r, name, title, cols, 0);
	size_t i, n;
	struct entry *e = sorted(m, &n);
	long rank = 0;

	for (i = 0; i < n; i++) {
		rank = i > 0 && strcmp(e[i].period, e[i - 1].period) == 0 ?
		    rank + 1 : 1;
		if (rank > max)
			continue;
		rtab_row(t);
		rtab_str(t, e[i].period);
		rtab_int(t, rank);
		rtab_str(t, e[i].text);
		rtab_int(t, e[i].n);
		if (sum != NULL && rank <= 5 && strcmp(e[i].period, "all") == 0)
			buf_addf(sum, "%s%s (%ld)", rank > 1 ? ", " : "; top "
			    "terms: ", e[i].text, e[i].n);
	}
	free(e);
}

static void
fill(struct report *r, struct scan *sc)
{
	struct rtab *t = report_add(r, "comments", "Comments", comment_cols,
	    0);
	struct count *all = rmap_find(sc->comments, "all\t");
	size_t i, n;
	struct entry *e = sorted(sc->comments, &n);
	struct buf sum;

	for (i = 0; i < n; i++) {
		rtab_row(t);
		rtab_str(t, e[i].period);
		rtab_int(t, e[i].n);
	}
	free(e);
	buf_init(&sum);
	buf_addf(&sum, "%ld comments", all ? all->n : 0L);
	top(r, "terms", "Most frequent terms", term_cols, sc->terms, TOP_TERMS,
	    &sum);
	top(r, "phrases", "Most frequent phrases", phrase_cols, sc->phrases,
	    TOP_PHRASES, NULL);
	r->summary = buf_release(&sum);
}

dm_err
report_themes(const struct report_env *env, struct report *r)
{
	struct scan sc;
	dm_err err;

	memset(&sc, 0, sizeof(sc));
	sc.terms = rmap_new(sizeof(struct count));
	sc.phrases = rmap_new(sizeof(struct count));
	sc.comments = rmap_new(sizeof(struct count));
	r->name = "themes";
	r->title = "Survey comment themes";
	report_meta(r, env, meta_cols);
	rtab_str(r->meta, report_by_name(env->opts->by));
	if ((err = scan(env, &sc)) == DM_OK)
		fill(r, &sc);
	rmap_free(sc.terms);
	rmap_free(sc.phrases);
	rmap_free(sc.comments);
	return err;
}
