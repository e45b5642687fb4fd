/*
 * clock.c - the injectable clock (DESKMAIL_NOW).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deskmail/clock.h"
#include "deskmail/zone.h"

static int fixed_set;
static time_t fixed_now;

dm_err
clock_parse_iso(const char *s, time_t *out)
{
	struct tm tm;
	int n = 0;

	memset(&tm, 0, sizeof(tm));
	if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &n) == 6 &&
	    s[n] == '\0')
		;
	else if (memset(&tm, 0, sizeof(tm)),
	    sscanf(s, "%4d-%2d-%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
	    &n) == 3 && s[n] == '\0')
		;
	else
		return dm_fail(DM_EUSAGE, "'%s' is not a time like "
		    "2026-03-02T09:15:00Z", s);
	if (tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 ||
	    tm.tm_sec > 60)
		return dm_fail(DM_EUSAGE, "'%s' is not a valid time", s);
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	{
		int mday = tm.tm_mday, mon = tm.tm_mon;

		*out = timegm(&tm);
		/* timegm() normalises 30 February into March: refuse it */
		if (tm.tm_mday != mday || tm.tm_mon != mon)
			return dm_fail(DM_EUSAGE, "'%s' is not a valid time", s);
	}
	return DM_OK;
}

/*
 * The calendar fields of t in UTC, by arithmetic alone (days to civil
 * date, proleptic Gregorian): glibc's gmtime_r() takes the process's
 * time zone lock, which the link pages' threads queued on several times
 * per page.  Years 1 to 9999; NULL outside them.
 */
struct tm *
clock_utc(time_t t, struct tm *tm)
{
	int64_t days, secs, era, doe, yoe, doy, mp, y;

	if (t < -62135596800LL || t > 253402300799LL)
		return NULL;
	days = (int64_t)t / 86400;
	secs = (int64_t)t % 86400;
	if (secs < 0) {
		secs += 86400;
		days--;
	}
	memset(tm, 0, sizeof(*tm));
	tm->tm_hour = (int)(secs / 3600);
	tm->tm_min = (int)(secs / 60 % 60);
	tm->tm_sec = (int)(secs % 60);
	tm->tm_wday = (int)((days % 7 + 11) % 7);	/* 1970-01-01: Thursday */
	days += 719468;			/* from 0000-03-01 */
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	tm->tm_mday = (int)(doy - (153 * mp + 2) / 5 + 1);
	tm->tm_mon = (int)(mp < 10 ? mp + 2 : mp - 10);
	y = yoe + era * 400 + (tm->tm_mon <= 1);
	tm->tm_year = (int)(y - 1900);
	tm->tm_yday = (int)(doy >= 306 ? doy - 306 : doy + 59 +
	    ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0));
	return tm;
}

/* n as exactly width digits at p. */
static void
digits(char *p, int n, int width)
{
	while (width-- > 0) {
		p[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

char *
clock_format_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;
	char s[21];

	if (clock_utc(t, &tm) == NULL) {	/* years printf must write */
		gmtime_r(&t, &tm);
		strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
		return buf;
	}
	/* "YYYY-MM-DDTHH:MM:SSZ" without strftime()'s locale work */
	memcpy(s, "0000-00-00T00:00:00Z", 21);
	digits(s, tm.tm_year + 1900, 4);
	digits(s + 5, tm.tm_mon + 1, 2);
	digits(s + 8, tm.tm_mday, 2);
	digits(s + 11, tm.tm_hour, 2);
	digits(s + 14, tm.tm_min, 2);
	digits(s + 17, tm.tm_sec, 2);
	if (len >= sizeof(s))
		memcpy(buf, s, sizeof(s));
	else if (len > 0)	/* as strftime: too small, nothing */
		buf[0] = '\0';
	return buf;
}

char *
clock_format_human(time_t t, const char *tz, char *buf, size_t len)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu",
	    "Fri", "Sat" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May",
	    "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	struct zone_time zt;
	struct tm tm;
	time_t local;

	/* an unknown zone leaves zt at UTC, and the text says so */
	(void)zone_at(tz, t, &zt);
	/* the wall clock as if it were UTC: no TZ, no locale, any thread */
	local = t + zt.gmtoff;
	if (clock_utc(local, &tm) == NULL && gmtime_r(&local, &tm) == NULL)
		return clock_format_iso(t, buf, len);
	snprintf(buf, len, "%s %02d %s %d, %02d:%02d %s", days[tm.tm_wday],
	    tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
	    tm.tm_min, zt.abbr);
	return buf;
}

dm_err
clock_init(void)
{
	const char *s = getenv("DESKMAIL_NOW");
	dm_err err;

	fixed_set = 0;
	if (s == NULL || *s == '\0')
		return DM_OK;
	if ((err = clock_parse_iso(s, &fixed_now)) != DM_OK)
		return dm_fail(err, "DESKMAIL_NOW: %s", dm_errdetail());
	fixed_set = 1;
	return DM_OK;
}

time_t
clock_now(void)
{
	return fixed_set ? fixed_now : time(NULL);
}
