/*
 * calendar.c - business-time arithmetic.
 *
 * Walks day by day through local time: each working day contributes its
 * opening hours, clipped to the interval asked about.  mktime() with
 * tm_isdst = -1 finds the instant of a local wall-clock time on either
 * side of a DST change.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "deskmail/calendar.h"
#include "deskmail/config.h"
#include "deskmail/util.h"

/* Never walk more days than this (guards against a calendar with none). */
#define MAX_DAYS	(366 * 20)

dm_err
calendar_set_timezone(const char *tz)
{
	char *path;
	int ok;

	if (tz == NULL || *tz == '\0' || strstr(tz, "..") != NULL)
		return dm_fail(DM_ECONFIG, "no time zone given");
	if (strcmp(tz, "UTC") != 0 && tz[0] != ':') {
		path = xasprintf("/usr/share/zoneinfo/%s", tz);
		ok = access(path, R_OK) == 0;
		free(path);
		if (!ok)
			return dm_fail(DM_ECONFIG, "unknown time zone '%s'", tz);
	}
	setenv("TZ", tz, 1);
	tzset();
	return DM_OK;
}

static int
parse_hhmm(const char *s, int *min)
{
	int h, m, n = 0;

	if (sscanf(s, "%2d:%2d%n", &h, &m, &n) != 2 || s[n] != '\0' ||
	    h < 0 || h > 24 || m < 0 || m > 59 || h * 60 + m > 1440)
		return 0;
	*min = h * 60 + m;
	return 1;
}

dm_err
calendar_init(struct calendar *c, const char *open, const char *close)
{
	memset(c, 0, sizeof(*c));
	c->weekdays = 0x3e;	/* Monday to Friday */
	if (!parse_hhmm(open, &c->open_min) ||
	    !parse_hhmm(close, &c->close_min) || c->close_min <= c->open_min)
		return dm_fail(DM_ECONFIG, "business hours '%s' to '%s' must be "
		    "HH:MM, the first before the second", open, close);
	return DM_OK;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

dm_err
calendar_load_holidays(struct calendar *c, const char *path)
{
	char *data, *line, *save = NULL;
	int y, m, d, n, lineno = 0;
	size_t len;
	dm_err err;

	if ((err = read_file(path, 1 << 20, &data, &len)) != DM_OK)
		return dm_fail(DM_ECONFIG, "holiday file %s", dm_errdetail());
	for (line = strtok_r(data, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		if (*line == '#' || *line == '\0' || *line == '\r')
			continue;
		if (sscanf(line, "%4d-%2d-%2d%n", &y, &m, &d, &n) != 3 ||
		    m < 1 || m > 12 || d < 1 || d > 31 ||
		    (line[n] != '\0' && line[n] != ' ' && line[n] != '\t' &&
		    line[n] != '\r')) {
			err = dm_fail(DM_ECONFIG, "%s:%d: not a date like "
			    "2026-12-25", path, lineno);
			free(data);
			return err;
		}
		c->holidays = xreallocarray(c->holidays, c->nholidays + 1,
		    sizeof(*c->holidays));
		c->holidays[c->nholidays++] = y * 10000 + m * 100 + d;
	}
	free(data);
	qsort(c->holidays, c->nholidays, sizeof(*c->holidays), cmp_int);
	return DM_OK;
}

void
calendar_free(struct calendar *c)
{
	free(c->holidays);
	c->holidays = NULL;
	c->nholidays = 0;
}

static int
working_day(const struct calendar *c, const struct tm *tm)
{
	int key = (tm->tm_year + 1900) * 10000 + (tm->tm_mon + 1) * 100 +
	    tm->tm_mday;

	if (!(c->weekdays & (1u << tm->tm_wday)))
		return 0;
	return c->nholidays == 0 || bsearch(&key, c->holidays, c->nholidays,
	    sizeof(int), cmp_int) == NULL;
}

/* The instant of local time minute `min` on the day of tm. */
static time_t
at_minute(const struct tm *day, int min)
{
	struct tm tm = *day;

	tm.tm_hour = min / 60;
	tm.tm_min = min % 60;
	tm.tm_sec = 0;
	tm.tm_isdst = -1;
	return mktime(&tm);
}

/* The local midnight that starts the day after tm's day. */
static void
next_day(struct tm *tm)
{
	tm->tm_mday++;
	tm->tm_hour = 12;	/* noon: never in a DST gap */
	tm->tm_min = tm->tm_sec = 0;
	tm->tm_isdst = -1;
	mktime(tm);
}

long
calendar_elapsed(const struct calendar *c, time_t from, time_t to)
{
	struct tm day;
	time_t open, close, a, b;
	long total = 0;
	int i;

	if (to <= from)
		return 0;
	if (c->always)
		return (long)(to - from);
	localtime_r(&from, &day);
	for (i = 0; i < MAX_DAYS; i++) {
		open = at_minute(&day, c->open_min);
		if (open >= to)
			break;
		close = at_minute(&day, c->close_min);
		if (working_day(c, &day)) {
			a = from > open ? from : open;
			b = to < close ? to : close;
			if (b > a)
				total += (long)(b - a);
		}
		next_day(&day);
	}
	return total;
}

time_t
calendar_add(const struct calendar *c, time_t start, long seconds)
{
	struct tm day;
	time_t open, close, a;
	int i;

	if (c->always)
		return start + seconds;
	localtime_r(&start, &day);
	for (i = 0; i < MAX_DAYS; i++) {
		if (working_day(c, &day)) {
			open = at_minute(&day, c->open_min);
			close = at_minute(&day, c->close_min);
			a = start > open ? start : open;
			if (a < close) {
				if ((long)(close - a) >= seconds)
					return a + seconds;
				seconds -= (long)(close - a);
			}
		}
		next_day(&day);
	}
	return start + seconds;	/* no working days at all: plain time */
}

time_t
calendar_add_days(const struct calendar *c, time_t t, long n)
{
	struct tm tm;
	int i;

	localtime_r(&t, &tm);
	for (i = 0; n > 0 && i < MAX_DAYS; i++) {
		tm.tm_mday++;
		tm.tm_isdst = -1;
		t = mktime(&tm);	/* same wall-clock time, DST or not */
		localtime_r(&t, &tm);
		if (c->always || working_day(c, &tm))
			n--;
	}
	return t;
}

dm_err
calendar_from_config(const struct dm_config *cfg, struct calendar *c)
{
	dm_err err;

	if ((err = calendar_set_timezone(cfg->sla_timezone)) != DM_OK ||
	    (err = calendar_init(c, cfg->sla_open, cfg->sla_close)) != DM_OK)
		return dm_fail(DM_ECONFIG, "%s: [sla] %s", cfg->path,
		    dm_errdetail());
	if (cfg->sla_holidays[0] != '\0' &&
	    (err = calendar_load_holidays(c, cfg->sla_holidays)) != DM_OK) {
		calendar_free(c);
		return err;
	}
	return DM_OK;
}
