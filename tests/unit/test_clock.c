/* Unit tests: clock.c */
#include <stdlib.h>

#include "deskmail/clock.h"
#include "tap.h"

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
}
