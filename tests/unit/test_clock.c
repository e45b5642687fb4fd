/* Unit tests: clock.c */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/clock.h"
#include "tap.h"

/*
 * clock_utc() against glibc's gmtime_r(): every field, at the ends of
 * its range, around the epoch and leap days, and at 200,000 times
 * spread over years 1-9999 (a step that is no multiple of a day).
 */
static void
utc_as_gmtime(void)
{
	static const int64_t edge[] = { -62135596800LL, -62135596799LL,
	    -86401, -86400, -1, 0, 1, 86399, 86400, 951782400, 951868799,
	    951868800, 4107542399LL, 4107542400LL, 1772442900,
	    253402300799LL };
	struct tm a, b;
	int64_t t;
	size_t i, bad = 0, n = 0;

	for (i = 0; i < sizeof(edge) / sizeof(edge[0]); i++, n++) {
		t = edge[i];
		if (clock_utc((time_t)t, &a) == NULL ||
		    gmtime_r(&(time_t){ (time_t)t }, &b) == NULL ||
		    a.tm_year != b.tm_year || a.tm_mon != b.tm_mon ||
		    a.tm_mday != b.tm_mday || a.tm_hour != b.tm_hour ||
		    a.tm_min != b.tm_min || a.tm_sec != b.tm_sec ||
		    a.tm_wday != b.tm_wday || a.tm_yday != b.tm_yday)
			bad++;
	}
	for (t = -62135596800LL; t <= 253402300799LL;
	    t += 1577847LL, n++) {
		if (clock_utc((time_t)t, &a) == NULL ||
		    gmtime_r(&(time_t){ (time_t)t }, &b) == NULL ||
		    memcmp(&a.tm_sec, &b.tm_sec, 8 * sizeof(int)) != 0)
			bad++;
	}
	ok(bad == 0 && n > 150000, "clock: clock_utc() agrees with gmtime_r() "
	    "(%zu of %zu times differ)", bad, n);
	ok(clock_utc((time_t)253402300800LL, &a) == NULL &&
	    clock_utc((time_t)-62135596801LL, &a) == NULL,
	    "clock: clock_utc() outside years 1-9999: NULL");
}

void
test_clock(void)
{
	time_t t = 0;
	char buf[32];

	ok(clock_parse_iso("2026-03-02T09:15:00Z", &t) == DM_OK &&
	    t == 1772442900, "clock: parse ISO time");
	is_str(clock_format_iso(t, buf, sizeof(buf)), "2026-03-02T09:15:00Z",
	    "clock: format ISO time");
	ok(clock_parse_iso("2026-13-02T09:15:00Z", &t) != DM_OK,
	    "clock: month 13 refused");
	ok(clock_parse_iso("yesterday", &t) != DM_OK, "clock: words refused");
	setenv("DESKMAIL_NOW", "2026-03-02T09:15:00Z", 1);
	ok(clock_init() == DM_OK && clock_now() == 1772442900,
	    "clock: DESKMAIL_NOW sets now");
	setenv("DESKMAIL_NOW", "garbage", 1);
	ok(clock_init() != DM_OK, "clock: bad DESKMAIL_NOW is an error");
	unsetenv("DESKMAIL_NOW");
	ok(clock_init() == DM_OK && clock_now() > 1772442900,
	    "clock: real clock when unset");
	utc_as_gmtime();
}
