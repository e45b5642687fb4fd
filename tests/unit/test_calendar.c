/* Unit tests: calendar.c (business time, holidays, DST) */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "deskmail/calendar.h"
#include "deskmail/clock.h"
#include "tap.h"

static time_t
at(const char *iso)
{
	time_t t = 0;

	clock_parse_iso(iso, &t);
	return t;
}

static void
is_time(time_t got, const char *want, const char *name)
{
	char buf[32];

	is_str(clock_format_iso(got, buf, sizeof(buf)), want, "calendar: %s",
	    name);
}

void
test_calendar(void)
{
	struct calendar c;
	char path[] = "/tmp/deskmail-holidays.XXXXXX";
	FILE *fp;
	int fd;

	ok(calendar_set_timezone("America/New_York") == DM_OK,
	    "calendar: New York time zone");
	ok(calendar_set_timezone("Mars/Olympus") == DM_ECONFIG,
	    "calendar: unknown zone refused");
	calendar_set_timezone("America/New_York");
	ok(calendar_init(&c, "07:00", "17:00") == DM_OK, "calendar: 07-17");
	ok(calendar_init(&c, "17:00", "07:00") == DM_ECONFIG,
	    "calendar: closing before opening refused");
	calendar_init(&c, "07:00", "17:00");
	/* Friday 2026-02-27 16:00 EST (21:00Z) + 4 business hours:
	 * 1 h on Friday, 3 h from Monday 07:00 -> Monday 10:00 EST */
	is_time(calendar_add(&c, at("2026-02-27T21:00:00Z"), 4 * 3600),
	    "2026-03-02T15:00:00Z", "Friday 16:00 + 4 h = Monday 10:00");
	is_time(calendar_add(&c, at("2026-02-28T15:00:00Z"), 3600),
	    "2026-03-02T13:00:00Z", "Saturday + 1 h = Monday 08:00");
	is_time(calendar_add(&c, at("2026-03-02T10:00:00Z"), 60),
	    "2026-03-02T12:01:00Z", "before opening starts at 07:00");
	/* DST begins Sunday 2026-03-08: Monday 07:00 is 11:00Z, not 12:00Z */
	is_time(calendar_add(&c, at("2026-03-06T21:00:00Z"), 2 * 3600),
	    "2026-03-09T12:00:00Z", "across the DST change (EST to EDT)");
	ok(calendar_elapsed(&c, at("2026-02-27T21:00:00Z"),
	    at("2026-03-02T15:00:00Z")) == 4 * 3600,
	    "calendar: elapsed over a weekend = 4 h");
	ok(calendar_elapsed(&c, at("2026-03-02T15:00:00Z"),
	    at("2026-03-02T15:00:00Z")) == 0, "calendar: nothing elapsed");
	fd = mkstemp(path);
	fp = fdopen(fd, "w");
	fprintf(fp, "# test holidays\n2026-03-02 a Monday off\n\n");
	fclose(fp);
	ok(calendar_load_holidays(&c, path) == DM_OK && c.nholidays == 1,
	    "calendar: holiday file read");
	is_time(calendar_add(&c, at("2026-02-27T21:00:00Z"), 4 * 3600),
	    "2026-03-03T15:00:00Z", "Monday holiday: Tuesday 10:00");
	fp = fopen(path, "w");
	fprintf(fp, "2026-13-01\n");
	fclose(fp);
	ok(calendar_load_holidays(&c, path) == DM_ECONFIG,
	    "calendar: bad holiday date refused");
	/* 5 working days from Friday 2026-02-27 10:00 with Monday 03-02 off:
	 * Tue, Wed, Thu, Fri, Mon -> Monday 2026-03-09 10:00 EDT */
	is_time(calendar_add_days(&c, at("2026-02-27T15:00:00Z"), 5),
	    "2026-03-09T14:00:00Z", "5 working days over a holiday and DST");
	unlink(path);
	calendar_free(&c);
	c.always = 1;
	is_time(calendar_add(&c, at("2026-02-28T15:00:00Z"), 3600),
	    "2026-02-28T16:00:00Z", "24x7: plain time");
	calendar_set_timezone("UTC");
}
