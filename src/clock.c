/*
 * clock.c - the injectable clock (DESKMAIL_NOW).
 */
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

char *
clock_format_iso(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
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
	if (gmtime_r(&local, &tm) == NULL)
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
