/*
 * report_time.c - the calendar of the reports: command-line dates,
 * periods (ISO week, month, quarter, year) and durations, all in local
 * time of the process's zone, which report_run() sets to [sla] timezone
 * the way calendar.c does (TZ and the C library, so DST is right).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deskmail/report.h"

static int
days_in(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

dm_err
report_parse_date(const char *opt, const char *s, char out[11])
{
	int y, m, d, n = 0;

	if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%n", &y, &m, &d, &n) !=
	    3 || n != 10 || s[4] != '-' || s[7] != '-' ||
	    strspn(s, "0123456789-") != 10 || y < 1970 || y > 9999 ||
	    m < 1 || m > 12 || d < 1 || d > days_in(y, m))
		return dm_fail(DM_EUSAGE, "%s: '%s' is not a date like "
		    "2026-03-02", opt, s);
	memcpy(out, s, 11);
	return DM_OK;
}

/* Local midnight days after YYYY-MM-DD (mktime normalises the day). */
static int64_t
midnight(const char *date, int days)
{
	struct tm tm;

	memset(&tm, 0, sizeof(tm));
	sscanf(date, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	tm.tm_mday += days;
	tm.tm_isdst = -1;
	return (int64_t)mktime(&tm);
}

int64_t
report_day_start(const char *date)
{
	return midnight(date, 0);
}

int64_t
report_day_end(const char *date)
{
	return midnight(date, 1);
}

void
report_period(int64_t t, enum report_by by, char out[16])
{
	time_t tt = (time_t)t;
	struct tm tm;

	localtime_r(&tt, &tm);
	switch (by) {
	case BY_WEEK:
		strftime(out, 16, "%G-W%V", &tm);
		break;
	case BY_QUARTER:
		strftime(out, 16, "%Y-Q", &tm);
		out[strlen(out) + 1] = '\0';
		out[strlen(out)] = (char)('1' + tm.tm_mon / 3);
		break;
	case BY_YEAR:
		strftime(out, 16, "%Y", &tm);
		break;
	case BY_DAY:
		strftime(out, 16, "%Y-%m-%d", &tm);
		break;
	default:
		strftime(out, 16, "%Y-%m", &tm);
		break;
	}
}

struct period {
	int64_t	start, end;	/* [start, end) */
	char	label[16];
};

struct rperiods {
	enum report_by	 by;
	struct period	*v;
	size_t		 n, cap, last;	/* last: the last one found */
};

struct rperiods *
rperiods_new(enum report_by by)
{
	struct rperiods *p = xcalloc(1, sizeof(*p));

	p->by = by;
	return p;
}

void
rperiods_free(struct rperiods *p)
{
	if (p == NULL)
		return;
	free(p->v);
	free(p);
}

const char *
rperiods_label(const struct rperiods *p, size_t i)
{
	return p->v[i].label;
}

/* The period of t with its local start and end (mktime normalises). */
static void
bounds(enum report_by by, int64_t t, struct period *out)
{
	time_t tt = (time_t)t;
	struct tm tm, a;

	localtime_r(&tt, &tm);
	report_period(t, by, out->label);
	a = tm;
	a.tm_hour = a.tm_min = a.tm_sec = 0;
	a.tm_isdst = -1;
	switch (by) {
	case BY_WEEK:
		a.tm_mday -= (tm.tm_wday + 6) % 7;	/* back to Monday */
		break;
	case BY_QUARTER:
		a.tm_mon -= tm.tm_mon % 3;
		a.tm_mday = 1;
		break;
	case BY_YEAR:
		a.tm_mon = 0;
		a.tm_mday = 1;
		break;
	case BY_DAY:
		break;
	default:
		a.tm_mday = 1;
		break;
	}
	tm = a;
	out->start = (int64_t)mktime(&a);
	switch (by) {
	case BY_WEEK:		tm.tm_mday += 7; break;
	case BY_QUARTER:	tm.tm_mon += 3; break;
	case BY_YEAR:		tm.tm_year += 1; break;
	case BY_DAY:		tm.tm_mday += 1; break;
	default:		tm.tm_mon += 1; break;
	}
	out->end = (int64_t)mktime(&tm);
	/* a zone whose midnight does not exist, or mktime failing: one
	 * instant is still a correct (if small) period */
	if (!(out->start <= t && t < out->end))
		out->start = out->end = t, out->end++;
}

size_t
rperiods_of(struct rperiods *p, int64_t t)
{
	size_t i;

	if (p->n > 0 && p->v[p->last].start <= t && t < p->v[p->last].end)
		return p->last;
	for (i = 0; i < p->n; i++)
		if (p->v[i].start <= t && t < p->v[i].end)
			return p->last = i;
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->v = xreallocarray(p->v, p->cap, sizeof(*p->v));
	}
	bounds(p->by, t, &p->v[p->n]);
	/* one label, one period, whatever the clock did */
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].label, p->v[p->n].label) == 0) {
			if (t < p->v[i].start)
				p->v[i].start = t;
			if (t >= p->v[i].end)
				p->v[i].end = t + 1;
			return p->last = i;
		}
	return p->last = p->n++;
}

int
report_period_cmp(const char *a, const char *b)
{
	int aa = strcmp(a, "all") == 0, ba = strcmp(b, "all") == 0;

	if (aa != ba)
		return aa - ba;
	return strcmp(a, b);
}

const char *
report_by_name(enum report_by by)
{
	switch (by) {
	case BY_WEEK:		return "week";
	case BY_QUARTER:	return "quarter";
	case BY_YEAR:		return "year";
	case BY_DAY:		return "day";
	default:		return "month";
	}
}

dm_err
report_parse_by(const char *s, enum report_by *by)
{
	static const enum report_by all[] = { BY_WEEK, BY_MONTH, BY_QUARTER,
	    BY_YEAR };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (strcmp(s, report_by_name(all[i])) == 0) {
			*by = all[i];
			return DM_OK;
		}
	return dm_fail(DM_EUSAGE, "--by: unknown period '%s' (week, month, "
	    "quarter, year)", s);
}

void
report_duration(int64_t s, char out[32])
{
	long long d, h, m;

	if (s < 0)
		s = 0;
	d = s / 86400;
	h = s % 86400 / 3600;
	m = s % 3600 / 60;
	if (d > 0 && h > 0)
		snprintf(out, 32, "%lld d %lld h", d, h);
	else if (d > 0)
		snprintf(out, 32, "%lld d", d);
	else if (h > 0 && m > 0)
		snprintf(out, 32, "%lld h %lld min", h, m);
	else if (h > 0)
		snprintf(out, 32, "%lld h", h);
	else if (m > 0)
		snprintf(out, 32, "%lld min", m);
	else
		snprintf(out, 32, "%lld s", (long long)s);
}
