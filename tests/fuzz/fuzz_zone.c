/*
 * fuzz_zone.c - libFuzzer target for zone.c: the input is read as a
 * TZif file (zone_parse) and, cut at its first NUL, as a POSIX TZ rule
 * (zone_parse_rule).  A zone that parses is looked up at instants from
 * the input and at the extremes of time_t: the offset must stay within
 * a day and a bit, the abbreviation a short NUL-terminated word, and a
 * zone must say the same for the same instant twice.
 */
#include <string.h>
#include <time.h>

#include "deskmail/zone.h"

#include "fuzz.h"

static void
check(const struct zone *z, time_t t)
{
	struct zone_time a, b;
	size_t i, n;

	zone_lookup(z, t, &a);
	zone_lookup(z, t, &b);
	if (a.gmtoff != b.gmtoff || a.isdst != b.isdst ||
	    strcmp(a.abbr, b.abbr) != 0)
		abort();
	if (a.gmtoff < -26L * 3600 || a.gmtoff > 26L * 3600 ||
	    (a.isdst != 0 && a.isdst != 1))
		abort();
	n = strnlen(a.abbr, sizeof(a.abbr));
	if (n == 0 || n == sizeof(a.abbr))
		abort();
	for (i = 0; i < n; i++)
		if (!((a.abbr[i] >= 'a' && a.abbr[i] <= 'z') ||
		    (a.abbr[i] >= 'A' && a.abbr[i] <= 'Z') ||
		    (a.abbr[i] >= '0' && a.abbr[i] <= '9') ||
		    a.abbr[i] == '+' || a.abbr[i] == '-'))
			abort();
}

static void
probe(const struct zone *z, const uint8_t *data, size_t size)
{
	uint64_t t = 0;
	size_t i;

	check(z, 0);
	check(z, (time_t)1772442900);		/* 2026-03-02T09:15:00Z */
	check(z, (time_t)INT64_MAX);
	check(z, (time_t)INT64_MIN);
	for (i = 0; i < 8 && i < size; i++)
		t = (t << 8) | data[size - 1 - i];
	check(z, (time_t)(int64_t)t);
	check(z, (time_t)((int64_t)t >> 24));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone *z = NULL;
	char *rule;

	if (zone_parse(data, size, &z) == DM_OK) {
		probe(z, data, size);
		zone_free(z);
	}
	rule = fuzz_str(data, size);
	if (zone_parse_rule(rule, &z) == DM_OK) {
		probe(z, data, size);
		zone_free(z);
	}
	free(rule);
	return 0;
}
