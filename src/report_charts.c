/*
 * report_charts.c - which chart each report gets on the HTML page, drawn
 * from the report's own tables (so the chart shows exactly the numbers
 * of the table beside it):
 *   csat   CSAT % per period (line) and the mean rating (right axis),
 *          with the target mean
 *   fcr    FCR % per period (bars) with the target and industry lines
 *   sla    compliance % per policy, severity and target (bars)
 *   ttr    tickets per time-to-resolution bucket (bars; before and after
 *          the --split date beside them)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/report.h"

#define MAXPOINTS	200	/* more would not be readable anyway */
#define MAXSERIES	3

struct points {
	size_t		 n;
	const char	*labels[MAXPOINTS];
	char		 own[MAXPOINTS][48];	/* labels made here */
	double		 v[MAXSERIES][MAXPOINTS];
	const char	*texts[MAXSERIES][MAXPOINTS];
};

static const struct rtab *
table(const struct report *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->ntabs; i++)
		if (strcmp(rtab_name(r->tabs[i]), name) == 0)
			return r->tabs[i];
	return NULL;
}

static const char *
cell(const struct rtab *t, size_t row, const char *key)
{
	int c = rtab_col(t, key);

	return c < 0 ? NULL : rtab_text(t, row, (size_t)c);
}

/* Series k of point p: column key of row, NaN and "" when null. */
static void
take(struct points *p, size_t k, const struct rtab *t, size_t row,
    const char *key)
{
	const char *s = cell(t, row, key);

	p->v[k][p->n] = s ? strtod(s, NULL) : NAN;
	p->texts[k][p->n] = s ? s : "";
}

static void
csat(const struct report *r, struct buf *b)
{
	const struct rtab *t = table(r, "rows");
	struct points p;
	const char *target = rtab_text(r->meta, 0, (size_t)rtab_col(r->meta,
	    "target"));
	struct svg_ref ref = { "target", 0, target };
	struct svg_series s[2] = { { "csat", NULL, NULL, 1 },
	    { "mean", NULL, NULL, 20 } };
	struct svg_chart c = { "chart-csat", "CSAT per period: share of "
	    "answers 4 or 5 (left axis, %) and mean rating (right axis, 1-5)",
	    "period", "% satisfied", 100, 5, &ref, 1 };
	size_t i;

	p.n = 0;
	for (i = 0; t && i < rtab_nrows(t) && p.n < MAXPOINTS; i++) {
		if (strcmp(cell(t, i, "group"), "all") != 0 ||
		    strcmp(cell(t, i, "period"), "all") == 0)
			continue;
		p.labels[p.n] = cell(t, i, "period");
		take(&p, 0, t, i, "csat_pct");
		take(&p, 1, t, i, "mean");
		p.n++;
	}
	ref.value = strtod(target, NULL) * 20;
	s[0].values = p.v[0];
	s[0].texts = p.texts[0];
	s[1].values = p.v[1];
	s[1].texts = p.texts[1];
	svg_lines(b, &c, s, 2, p.labels, p.n);
}

static void
fcr(const struct report *r, struct buf *b)
{
	const struct rtab *t = table(r, "rows");
	struct points p;
	const char *by = rtab_text(r->meta, 0, (size_t)rtab_col(r->meta, "by"));
	const char *tg = rtab_text(r->meta, 0, (size_t)rtab_col(r->meta,
	    "target")), *in = rtab_text(r->meta, 0, (size_t)rtab_col(r->meta,
	    "industry"));
	struct svg_ref refs[2] = { { "target", 0, tg }, { "industry", 0, in } };
	struct svg_series s = { "fcr", NULL, NULL, 1 };
	struct svg_chart c = { "chart-fcr", "First contact resolution per "
	    "period (%) against the target and the industry figure", "period",
	    "% FCR", 100, 0, refs, 2 };
	size_t i;

	p.n = 0;
	for (i = 0; t && i < rtab_nrows(t) && p.n < MAXPOINTS; i++) {
		const char *period = cell(t, i, "period");

		/* the --by periods; the year rows only when by year */
		if (strcmp(period, "all") == 0 || (strcmp(by, "year") != 0 &&
		    strlen(period) == 4))
			continue;
		p.labels[p.n] = period;
		take(&p, 0, t, i, "fcr_pct");
		p.n++;
	}
	refs[0].value = strtod(tg, NULL);
	refs[1].value = strtod(in, NULL);
	s.values = p.v[0];
	s.texts = p.texts[0];
	svg_bars(b, &c, &s, 1, p.labels, p.n);
}

static void
sla(const struct report *r, struct buf *b)
{
	const struct rtab *t = table(r, "targets");
	struct points p;
	struct svg_series s = { "sla", NULL, NULL, 1 };
	struct svg_chart c = { "chart-sla", "SLA compliance per policy, "
	    "severity and target (% met)", NULL, "% met", 100, 0, NULL, 0 };
	size_t i;

	p.n = 0;
	for (i = 0; t && i < rtab_nrows(t) && p.n < MAXPOINTS; i++) {
		snprintf(p.own[p.n], sizeof(p.own[p.n]), "%s sev %s %s",
		    cell(t, i, "policy"), cell(t, i, "severity") ?
		    cell(t, i, "severity") : "unset", cell(t, i, "target"));
		p.labels[p.n] = p.own[p.n];
		take(&p, 0, t, i, "compliance_pct");
		p.n++;
	}
	s.values = p.v[0];
	s.texts = p.texts[0];
	svg_bars(b, &c, &s, 1, p.labels, p.n);
}

static void
ttr(const struct report *r, struct buf *b)
{
	const struct rtab *t = table(r, "histogram");
	struct points p;
	struct svg_series s[3] = { { "ttr", NULL, NULL, 1 },
	    { "before", NULL, NULL, 1 }, { "after", NULL, NULL, 1 } };
	struct svg_chart c = { "chart-ttr", "Tickets by time to resolution",
	    NULL, "tickets", 0, 0, NULL, 0 };
	size_t i, k, nseries = 1;

	p.n = 0;
	for (i = 0; t && i < rtab_nrows(t) && p.n < MAXPOINTS; i++) {
		p.labels[p.n] = cell(t, i, "bucket");
		take(&p, 0, t, i, "count");
		take(&p, 1, t, i, "before");
		take(&p, 2, t, i, "after");
		if (!isnan(p.v[1][p.n]))
			nseries = 3;
		p.n++;
	}
	for (k = 0; k < 3; k++) {
		s[k].values = p.v[k];
		s[k].texts = p.texts[k];
	}
	svg_bars(b, &c, s, nseries, p.labels, p.n);
}

void
report_chart(const struct report *r, struct buf *out)
{
	if (strcmp(r->name, "csat") == 0)
		csat(r, out);
	else if (strcmp(r->name, "fcr") == 0)
		fcr(r, out);
	else if (strcmp(r->name, "sla") == 0)
		sla(r, out);
	else if (strcmp(r->name, "ttr") == 0)
		ttr(r, out);
}
