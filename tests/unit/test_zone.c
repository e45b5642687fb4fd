/*
 * Unit tests: zone.c and clock_format_human() - local time in IANA zones
 * from the zoneinfo files, without the process's TZ, from many threads.
 * The expected texts were worked out independently (Python's zoneinfo).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/calendar.h"
#include "deskmail/clock.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"
#include "tap.h"

static const struct {
	const char	*iso, *zone, *want;
} known[] = {
	/* Denver: spring forward at 02:00 MST, fall back at 02:00 MDT */
	{ "2026-03-08T08:59:59Z", "America/Denver", "Sun 08 Mar 2026, 01:59 MST" },
	{ "2026-03-08T09:00:00Z", "America/Denver", "Sun 08 Mar 2026, 03:00 MDT" },
	{ "2026-11-01T07:59:59Z", "America/Denver", "Sun 01 Nov 2026, 01:59 MDT" },
	{ "2026-11-01T08:00:00Z", "America/Denver", "Sun 01 Nov 2026, 01:00 MST" },
	{ "2026-03-10T16:00:00Z", "America/Denver", "Tue 10 Mar 2026, 10:00 MDT" },
	{ "2026-03-08T06:59:59Z", "America/New_York", "Sun 08 Mar 2026, 01:59 EST" },
	{ "2026-03-08T07:00:00Z", "America/New_York", "Sun 08 Mar 2026, 03:00 EDT" },
	{ "2026-11-01T05:59:59Z", "America/New_York", "Sun 01 Nov 2026, 01:59 EDT" },
	{ "2026-11-01T06:00:00Z", "America/New_York", "Sun 01 Nov 2026, 01:00 EST" },
	{ "2026-03-29T00:59:59Z", "Europe/Berlin", "Sun 29 Mar 2026, 01:59 CET" },
	{ "2026-03-29T01:00:00Z", "Europe/Berlin", "Sun 29 Mar 2026, 03:00 CEST" },
	{ "2026-10-25T00:59:59Z", "Europe/Berlin", "Sun 25 Oct 2026, 02:59 CEST" },
	{ "2026-10-25T01:00:00Z", "Europe/Berlin", "Sun 25 Oct 2026, 02:00 CET" },
	/* past the files' last transition: the footer's rule */
	{ "2040-07-01T12:00:00Z", "America/Denver", "Sun 01 Jul 2040, 06:00 MDT" },
	{ "2040-12-01T12:00:00Z", "America/Denver", "Sat 01 Dec 2040, 05:00 MST" },
	/* southern hemisphere: DST over the turn of the year */
	{ "2026-04-04T15:59:59Z", "Australia/Sydney", "Sun 05 Apr 2026, 02:59 AEDT" },
	{ "2026-04-04T16:00:00Z", "Australia/Sydney", "Sun 05 Apr 2026, 02:00 AEST" },
	{ "2026-10-03T15:59:59Z", "Australia/Sydney", "Sun 04 Oct 2026, 01:59 AEST" },
	{ "2026-10-03T16:00:00Z", "Australia/Sydney", "Sun 04 Oct 2026, 03:00 AEDT" },
	/* a rule at hour 26 (TZif version 3) */
	{ "2026-03-26T23:59:59Z", "Asia/Jerusalem", "Fri 27 Mar 2026, 01:59 IST" },
	{ "2026-03-27T00:00:00Z", "Asia/Jerusalem", "Fri 27 Mar 2026, 03:00 IDT" },
	{ "2026-03-02T09:15:00Z", "Asia/Kolkata", "Mon 02 Mar 2026, 14:45 IST" },
	{ "2026-06-01T12:00:00Z", "America/Sao_Paulo", "Mon 01 Jun 2026, 09:00 -03" },
	/* before the first transition: the first type (local mean time) */
	{ "1850-01-01T00:00:00Z", "America/New_York", "Mon 31 Dec 1849, 19:03 LMT" },
	{ "2026-03-02T09:15:00Z", "UTC", "Mon 02 Mar 2026, 09:15 UTC" },
	{ "2026-03-02T09:15:00Z", "Etc/UTC", "Mon 02 Mar 2026, 09:15 UTC" },
	{ "2026-03-02T09:15:00Z", "", "Mon 02 Mar 2026, 09:15 UTC" },
};
#define NKNOWN	(sizeof(known) / sizeof(known[0]))

static time_t
at(const char *iso)
{
	time_t t = 0;

	clock_parse_iso(iso, &t);
	return t;
}

static int
have_zoneinfo(void)
{
	return zone_check("America/Denver") == DM_OK;
}

/* Every known instant, over and over, from several threads at once. */
static void *
worker(void *arg)
{
	size_t i, n, *bad = arg;
	char buf[64];

	for (n = 0; n < 400; n++)
		for (i = 0; i < NKNOWN; i++)
			if (strcmp(clock_format_human(at(known[i].iso),
			    known[i].zone, buf, sizeof(buf)), known[i].want) != 0)
				(*bad)++;
	return NULL;
}

static void
rules(void)
{
	struct zone *z = NULL;
	struct zone_time zt;
	static const char *const badrules[] = { "", "M3.2.0", "ES5",
	    "EST5EDT,M13.1.0,M11.1.0", "EST5EDT,M3.2.0", "EST5EDT,M3.6.0,M11.1.0",
	    "EST25", "<EST5", "EST5EDT,J366,J300", "EST5EDT,M3.2.0/168,M11.1.0",
	    NULL };
	size_t i;

	ok(zone_parse_rule("MST7MDT,M3.2.0,M11.1.0", &z) == DM_OK,
	    "zone: a POSIX rule parses");
	if (z != NULL) {
		zone_lookup(z, at("2031-03-09T08:59:59Z"), &zt);
		ok(zt.gmtoff == -7 * 3600 && !zt.isdst &&
		    strcmp(zt.abbr, "MST") == 0, "zone: rule: MST before the "
		    "second Sunday of March 2031 (got %ld %s)", zt.gmtoff,
		    zt.abbr);
		zone_lookup(z, at("2031-03-09T09:00:00Z"), &zt);
		ok(zt.gmtoff == -6 * 3600 && zt.isdst &&
		    strcmp(zt.abbr, "MDT") == 0, "zone: rule: MDT from 02:00 "
		    "MST on 9 Mar 2031 (got %ld %s)", zt.gmtoff, zt.abbr);
		zone_lookup(z, at("2031-11-02T07:59:59Z"), &zt);
		ok(zt.isdst, "zone: rule: still MDT at 01:59 MDT, 2 Nov 2031");
		zone_lookup(z, at("2031-11-02T08:00:00Z"), &zt);
		ok(!zt.isdst, "zone: rule: MST from 02:00 MDT, 2 Nov 2031");
		zone_free(z);
	}
	ok(zone_parse_rule("<+0330>-3:30", &z) == DM_OK, "zone: <+0330>-3:30");
	if (z != NULL) {
		zone_lookup(z, 0, &zt);
		ok(zt.gmtoff == 12600 && strcmp(zt.abbr, "+0330") == 0,
		    "zone: a quoted abbreviation and half-hour offset");
		zone_free(z);
	}
	/* all year DST (version 3's trick): the whole year is DST */
	ok(zone_parse_rule("EST5EDT,0/0,J365/25", &z) == DM_OK,
	    "zone: a rule of DST all year");
	if (z != NULL) {
		zone_lookup(z, at("2030-01-01T05:30:00Z"), &zt);
		ok(zt.isdst, "zone: DST all year: on 1 January");
		zone_lookup(z, at("2030-12-31T23:00:00Z"), &zt);
		ok(zt.isdst, "zone: DST all year: on 31 December");
		zone_free(z);
	}
	for (i = 0; badrules[i] != NULL; i++) {
		ok(zone_parse_rule(badrules[i], &z) == DM_EPARSE && z == NULL,
		    "zone: '%s' is not a rule", badrules[i]);
		zone_free(z);
	}
}

static void
files(void)
{
	struct zone *z = NULL;
	struct zone_time zt;
	char *data;
	size_t len, cut;
	int bad = 0;

	if (read_file(ZONE_DIR "/America/Denver", 1 << 20, &data, &len) !=
	    DM_OK) {
		ok(0, "zone: cannot read the Denver file");
		return;
	}
	/* every truncation of a real file is refused, none crashes */
	for (cut = 0; cut < len; cut += cut < 100 ? 1 : 7) {
		if (zone_parse((unsigned char *)data, cut, &z) == DM_OK) {
			/* the 64-bit block ends before the footer: fine */
			zone_free(z);
			if (cut < len - 40)
				bad++;
		}
	}
	ok(bad == 0, "zone: a TZif file cut short is refused (%d accepted)",
	    bad);
	/* version 1: the 32-bit block alone still knows 2026 */
	data[4] = '\0';
	ok(zone_parse((unsigned char *)data, len, &z) == DM_OK,
	    "zone: the same file read as version 1");
	if (z != NULL) {
		zone_lookup(z, at("2026-03-08T09:00:00Z"), &zt);
		ok(zt.gmtoff == -6 * 3600 && strcmp(zt.abbr, "MDT") == 0,
		    "zone: version 1 block: MDT from 8 Mar 2026 (got %ld %s)",
		    zt.gmtoff, zt.abbr);
		zone_free(z);
	}
	data[0] = 'X';
	ok(zone_parse((unsigned char *)data, len, &z) == DM_EPARSE &&
	    z == NULL, "zone: no TZif magic, no zone");
	free(data);
}

void
test_zone(void)
{
	static const char *const badnames[] = { "../../etc/passwd",
	    "/etc/passwd", "America/../../etc/passwd", "Mars/Olympus",
	    "America", "zone.tab", "America/Denver\n", "a b", NULL };
	char buf[64], *old;
	pthread_t th[4];
	size_t i, bad[4] = { 0, 0, 0, 0 }, total = 0;

	if (!have_zoneinfo()) {
		ok(1, "zone: # SKIP no zoneinfo files (tzdata) on this machine");
		return;
	}
	/* the process's TZ is something else, and stays it */
	calendar_set_timezone("Asia/Tokyo");
	for (i = 0; i < NKNOWN; i++)
		is_str(clock_format_human(at(known[i].iso), known[i].zone, buf,
		    sizeof(buf)), known[i].want, "zone: %s in %s", known[i].iso,
		    *known[i].zone ? known[i].zone : "\"\"");
	is_str(clock_format_human(at("2026-03-02T09:15:00Z"), NULL, buf,
	    sizeof(buf)), "Mon 02 Mar 2026, 09:15 UTC", "zone: NULL is UTC");
	is_str(clock_format_human(at("2026-03-08T09:00:00Z"), ":America/Denver",
	    buf, sizeof(buf)), "Sun 08 Mar 2026, 03:00 MDT",
	    "zone: TZ's ':America/Denver' form");
	old = getenv("TZ");
	is_str(old, "Asia/Tokyo", "zone: TZ was not touched");

	/* a zone that does not exist: a clear error, and UTC that says so */
	ok(zone_check("Mars/Olympus") == DM_ECONFIG &&
	    strstr(dm_errdetail(), "unknown time zone 'Mars/Olympus'") != NULL,
	    "zone: unknown zone: '%s'", dm_errdetail());
	is_str(clock_format_human(at("2026-03-08T09:00:00Z"), "Mars/Olympus",
	    buf, sizeof(buf)), "Sun 08 Mar 2026, 09:00 UTC",
	    "zone: unknown zone: written as UTC, and says so");
	for (i = 0; badnames[i] != NULL; i++)
		ok(zone_check(badnames[i]) == DM_ECONFIG,
		    "zone: '%s' refused (%s)", badnames[i], dm_errdetail());
	ok(zone_check("UTC") == DM_OK && zone_check("") == DM_OK &&
	    zone_check(NULL) == DM_OK && zone_check("Europe/Berlin") == DM_OK,
	    "zone: UTC, empty, NULL and Europe/Berlin are fine");
	ok(zone_check("Mars/Olympus") == DM_ECONFIG,
	    "zone: an unknown zone stays unknown on the second ask");

	/* many threads at once, all zones, while nothing touches TZ */
	for (i = 0; i < 4; i++)
		pthread_create(&th[i], NULL, worker, &bad[i]);
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		total += bad[i];
	}
	ok(total == 0, "zone: 4 threads x %zu formats each: %zu wrong",
	    400 * NKNOWN, total);
	calendar_set_timezone("UTC");
	rules();
	files();
}
