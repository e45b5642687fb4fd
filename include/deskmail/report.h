/*
 * report.h - `deskmail report`: customer satisfaction, first contact
 * resolution, SLA compliance, time to resolution, survey comment themes
 * and monthly billing, read from one snapshot of the database.
 *
 * A report is a model, not text: a few top-level values (the "meta" row)
 * and named tables of typed cells (struct rtab).  Text, CSV, JSON and the
 * HTML page are renderings of that one model, so they cannot disagree;
 * the JSON keys are the table and column names declared next to the code
 * that fills them (report_<name>.c), and are a contract.
 *
 * JSON of one report (`report all`: one object, a key per report):
 *   { "report": NAME, "title": TEXT, "from": DATE|null, "to": DATE|null,
 *     "timezone": ZONE, <the report's own meta>, "summary": TEXT,
 *     "<table>": [ { "<column>": value, ... }, ... ], ... }
 * Numbers are JSON numbers (percentages with 1 decimal, means and hours
 * with 2, money with 2), a value that does not exist (a mean of no
 * answers) is null.  Group names: "all", "team:NAME", "category:NAME",
 * "category:uncategorised"; period "all" is the whole range.
 *   csat     by, target, target_met
 *            rows: period group responses satisfied csat_pct mean
 *                  surveys_sent response_rate_pct
 *   fcr      by, target, industry
 *            rows: period closed fcr fcr_pct industry target vs_target
 *   sla      targets: policy severity target total met breached
 *                     compliance_pct
 *            breaches: ticket policy severity target late_seconds late
 *                      subject
 *   ttr      split
 *            rows: group segment (all|before|after) count median_h p90_h
 *                  mean_h
 *            change (with --split): group median_before_h median_after_h
 *                  median_change_pct
 *            histogram: bucket count [before after]
 *   themes   by
 *            comments: period comments
 *            terms: period rank term count
 *            phrases: period rank phrase count
 *   billing  currency method (incident)
 *            rows: month bill_to category incidents rate amount
 *            totals: month bill_to incidents amount
 *            uncategorised: month incidents
 *            detail: ticket closed month category requester agency owner
 *                    bill_to rate
 *   billing  currency method (fte) amount fte
 *   (--method fte)
 *            shares: agency fte share_pct amount
 *            total: agencies fte share_pct amount
 *            without_fte: agency
 * CSV is one table per report: the first column, "record", names the
 * table a row comes from, the others are the union of the tables' columns
 * in the order above (empty where a table has no such column).
 *
 * The part below "internal" is for the report_*.c files only.
 */
#ifndef DESKMAIL_REPORT_H
#define DESKMAIL_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

enum report_by { BY_DEFAULT, BY_WEEK, BY_MONTH, BY_QUARTER, BY_YEAR,
	BY_DAY /* not on the command line: dates in detail lists */ };
enum report_format { RF_TEXT, RF_CSV, RF_JSON, RF_HTML };
/* How billing shares the cost: a flat rate per incident (seed 003), or
 * a period's total by each agency's share of FTE (seed 002). */
enum report_method { RM_INCIDENT, RM_FTE };

/* What the command line asked for; dates are local days in [sla] timezone. */
struct report_opts {
	char		 from_date[11];	/* YYYY-MM-DD, inclusive, or "" */
	char		 to_date[11];	/* YYYY-MM-DD, inclusive, or "" */
	char		 split_date[11];	/* ttr: before/after, or "" */
	enum report_by	 by;
	enum report_format format;
	int		 detail;	/* text: billing's incident list too */
	enum report_method method;	/* billing */
	int64_t		 amount;	/* billing by FTE: the total, in cents */
	/* set by report_run() from the dates, in the configured zone */
	int64_t		 from, to;	/* [from, to); INT64_MIN/MAX when open */
	int64_t		 split;
	time_t		 now;
};

/* The report names in order ("csat" ... "billing"), NULL-terminated. */
extern const char *const report_names[];

/* The index of a report name, REPORT_ALL for "all", or -1. */
#define REPORT_ALL	100
int	report_lookup(const char *name);

/* Parse option values; DM_EUSAGE with a sentence on a bad one. */
dm_err	report_parse_date(const char *opt, const char *s, char out[11]);
dm_err	report_parse_by(const char *s, enum report_by *by);
dm_err	report_parse_format(const char *s, enum report_format *f);
dm_err	report_parse_method(const char *s, enum report_method *m);
/* An amount like 1250 or 1250.50 (at most REPORT_AMOUNT_MAX) in cents. */
#define REPORT_AMOUNT_MAX	999999999	/* whole units */
dm_err	report_parse_amount(const char *s, int64_t *cents);

/*
 * Run report `which` (an index from report_lookup(), or REPORT_ALL) on
 * st inside one read transaction and write it to fp as opts->format.
 * Sets the process's time zone to cfg's [sla] timezone.  Nothing is
 * written when the report fails before it is rendered; DM_EIO when fp
 * fails.
 */
dm_err	report_run(struct dm_store *st, const struct dm_config *cfg,
	    int which, struct report_opts *opts, FILE *fp);

/* ---- internal: the model ------------------------------------------ */

/* A column: its key (JSON, CSV) and its heading (text, HTML). */
struct rcol {
	const char	*key;
	const char	*head;
};

#define RT_DETAIL	0x1	/* text shows it only with --detail */

/* A table of typed cells; strings are copied. */
struct rtab;

enum rkind { RK_NULL, RK_STR, RK_NUM, RK_BOOL };

/* cols ends with a { NULL, NULL } entry and must outlive the table. */
struct rtab	*rtab_new(const char *name, const char *title,
		    const struct rcol *cols, int flags);
void		 rtab_free(struct rtab *t);
/* Start a row; the cells that follow fill it left to right. */
void		 rtab_row(struct rtab *t);
void		 rtab_str(struct rtab *t, const char *s);	/* NULL: null */
void		 rtab_int(struct rtab *t, int64_t v);
void		 rtab_num(struct rtab *t, double v, int decimals); /* NaN: null */
/* An amount of money: 1250 cents is the number 12.50. */
void		 rtab_cents(struct rtab *t, int64_t cents);
void		 rtab_bool(struct rtab *t, int v);
void		 rtab_null(struct rtab *t);

const char	*rtab_name(const struct rtab *t);
const char	*rtab_title(const struct rtab *t);
int		 rtab_flags(const struct rtab *t);
size_t		 rtab_nrows(const struct rtab *t);
size_t		 rtab_ncols(const struct rtab *t);
const struct rcol *rtab_colinfo(const struct rtab *t, size_t col);
/* The column called key, or -1. */
int		 rtab_col(const struct rtab *t, const char *key);
/* A cell as printed ("66.7", "true"), NULL when null. */
const char	*rtab_text(const struct rtab *t, size_t row, size_t col);
enum rkind	 rtab_kind(const struct rtab *t, size_t row, size_t col);
/* Nonzero when every non-null cell of the column is a number. */
int		 rtab_numeric(const struct rtab *t, size_t col);

#define REPORT_MAXTABS	6

struct report {
	const char	*name;		/* csat */
	const char	*title;		/* Customer satisfaction */
	char		*summary;	/* one sentence, the headline */
	struct rtab	*meta;		/* one row: range, zone, targets */
	struct rtab	*tabs[REPORT_MAXTABS];
	size_t		 ntabs;
};

/* What every report's builder gets. */
struct report_env {
	struct dm_store		*st;
	const struct dm_config	*cfg;
	const struct report_opts *opts;
};

/* Add a table to r (at most REPORT_MAXTABS); returns it. */
struct rtab	*report_add(struct report *r, const char *name,
		    const char *title, const struct rcol *cols, int flags);
/*
 * Start r's meta row: cols (ending with { NULL, NULL }) begins with
 * REPORT_META_COMMON, whose cells this fills; the caller fills the rest.
 */
#define REPORT_META_COMMON \
	{ "from", "from" }, { "to", "to" }, { "timezone", "time zone" }
void		 report_meta(struct report *r, const struct report_env *env,
		    const struct rcol *cols);
void		 report_clear(struct report *r);

/*
 * Order of row groups: "all", then "team:..." by name, then
 * "category:..." in dm_categories order, "category:uncategorised" last.
 */
int		 report_group_cmp(const char *a, const char *b);
/*
 * Row groups by number: 0 is "all"; a ticket's team and category get
 * theirs ("team:NAME", "category:NAME" or "category:uncategorised") the
 * first time they are seen.
 */
struct rgroups;

struct rgroups	*rgroups_new(void);
void		 rgroups_of(struct rgroups *g, const char *team,
		    const char *category, uint32_t *tid, uint32_t *cid);
const char	*rgroups_name(const struct rgroups *g, uint32_t id);
void		 rgroups_free(struct rgroups *g);

/* The builders, one per file; each fills r (name, title, tables). */
dm_err	report_csat(const struct report_env *env, struct report *r);
dm_err	report_fcr(const struct report_env *env, struct report *r);
dm_err	report_sla(const struct report_env *env, struct report *r);
dm_err	report_ttr(const struct report_env *env, struct report *r);
dm_err	report_themes(const struct report_env *env, struct report *r);
dm_err	report_billing(const struct report_env *env, struct report *r);
/* billing with --method fte (report_fte.c) */
dm_err	report_billing_fte(const struct report_env *env, struct report *r);

/* ---- internal: renderings ----------------------------------------- */

/*
 * Where a rendering goes: a buffer the renderer fills, written to fp
 * whenever it holds ROUT_CHUNK bytes, so a report of 100,000 rows is
 * never one string in memory.
 */
#define ROUT_CHUNK	65536
struct rout {
	struct buf	 b;
	FILE		*fp;
};

void	rout_init(struct rout *o, FILE *fp);
/* Write the buffer out once it is full (at a row's end, say). */
void	rout_flush(struct rout *o);
/* Write the rest and free the buffer; DM_EIO if the stream failed. */
dm_err	rout_end(struct rout *o);

void	report_text(const struct report *r, int detail, struct rout *o);
void	report_csv(const struct report *r, struct rout *o);
/* n reports as one object, or (all) an object with a key per report. */
void	report_json(struct report *const *rs, size_t n, int all,
	    struct rout *o);
/* The page, from templates/report.html; fails before writing anything. */
dm_err	report_html(const struct dm_config *cfg,
	    const struct report_opts *opts, struct report *const *rs,
	    size_t n, struct rout *o);
/* The report's chart as inline SVG (nothing for a report without one). */
void	report_chart(const struct report *r, struct buf *out);

/* SVG primitives (report_svg.c).  Values NaN are left out. */
struct svg_ref {
	const char	*name;		/* data-series, legend: "target" */
	double		 value;
	const char	*text;		/* as printed: "69" */
};

struct svg_chart {
	const char	*id;		/* unique in the page: "chart-csat" */
	const char	*title;		/* <title>, for screen readers */
	const char	*label_attr;	/* "period" adds data-period */
	const char	*unit;		/* left axis unit: "%", "tickets" */
	double		 ymax;		/* top of the axis; 0: from the data */
	double		 right_max;	/* a right axis 0..right_max, or 0 */
	const struct svg_ref *refs;	/* horizontal reference lines */
	size_t		 nrefs;
};

struct svg_series {
	const char	*name;		/* data-series and legend */
	const double	*values;	/* one per label, NaN: none */
	const char *const *texts;	/* data-value, as printed */
	double		 scale;		/* plotted as value * scale (0: 1) */
};

/* Bars, grouped side by side when there are several series. */
void	svg_bars(struct buf *b, const struct svg_chart *c,
	    const struct svg_series *s, size_t nseries,
	    const char *const *labels, size_t n);
/* A line with a dot per value for each series. */
void	svg_lines(struct buf *b, const struct svg_chart *c,
	    const struct svg_series *s, size_t nseries,
	    const char *const *labels, size_t n);

/* ---- internal: time and periods (report_time.c) ------------------- */

/*
 * The periods rows fall in, each found once: a period's label is made
 * (localtime, strftime) the first time a row falls in it; later rows only
 * compare with its start and end.  Indexes count from 0 in order of
 * first sight and stay valid.
 */
struct rperiods;

struct rperiods	*rperiods_new(enum report_by by);
size_t		 rperiods_of(struct rperiods *p, int64_t t);
/* Valid until the next rperiods_of() on p. */
const char	*rperiods_label(const struct rperiods *p, size_t i);
void		 rperiods_free(struct rperiods *p);

/* Local midnight of YYYY-MM-DD in the current zone, and of the day after. */
int64_t	report_day_start(const char *date);
int64_t	report_day_end(const char *date);
/* The period of t: 2026-W09, 2026-03, 2026-Q1, 2026, 2026-03-02 (16 bytes). */
void	report_period(int64_t t, enum report_by by, char out[16]);
/* Order of period labels: as strings, "all" (the whole range) last. */
int	report_period_cmp(const char *a, const char *b);
/* week, month, quarter, year. */
const char *report_by_name(enum report_by by);
/* A duration as people read it: "1 h 5 min", "2 d 3 h", "40 s". */
void	report_duration(int64_t seconds, char out[32]);

/* ---- internal: a table of fixed-size values by key (report_map.c) -- */

struct rmap;

struct rmap	*rmap_new(size_t valsize);
/*
 * The value of key, created zero-filled when new; never NULL.  Values
 * move when the table grows: a pointer is good until the next new key.
 */
void		*rmap_get(struct rmap *m, const char *key);
/* The same for a key of len bytes (a struct of numbers, say). */
void		*rmap_getn(struct rmap *m, const void *key, size_t len);
/* The value of key, or NULL. */
void		*rmap_find(const struct rmap *m, const char *key);
size_t		 rmap_count(const struct rmap *m);
/* The i-th entry in insertion order. */
const char	*rmap_key(const struct rmap *m, size_t i);
void		*rmap_val(const struct rmap *m, size_t i);
void		 rmap_free(struct rmap *m);

/* ---- internal: words of survey comments (report_words.c) ---------- */

/*
 * Split a comment into lower-case words: UTF-8 letters and digits, an
 * apostrophe inside a word kept.  fn gets each kept word (not a stop-word,
 * longer than one character) and whether it directly follows the previous
 * kept word (only white space between, no stop-word or dropped word).
 */
void	words_each(const char *text, void (*fn)(const char *word,
	    int adjacent, void *arg), void *arg);

#endif
