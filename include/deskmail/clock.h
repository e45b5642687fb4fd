/*
 * clock.h - the one clock.  Every "now" in deskmail comes from clock_now(),
 * so that tests can set time with DESKMAIL_NOW=2026-03-02T09:15:00Z.
 */
#ifndef DESKMAIL_CLOCK_H
#define DESKMAIL_CLOCK_H

#include <stddef.h>
#include <time.h>

#include "deskmail/err.h"

/* Seconds since the epoch: DESKMAIL_NOW when set, else the real clock. */
time_t clock_now(void);

/* Check DESKMAIL_NOW once at start-up; a malformed value is DM_EUSAGE. */
dm_err clock_init(void);

/* Parse "YYYY-MM-DDTHH:MM:SSZ" (or "YYYY-MM-DD", midnight UTC). */
dm_err clock_parse_iso(const char *s, time_t *out);

/* t's calendar fields in UTC, as gmtime_r() gives them but without its
 * time zone lock; NULL for years outside 1-9999 (use gmtime_r()). */
struct tm *clock_utc(time_t t, struct tm *tm);

/* Format t as "YYYY-MM-DDTHH:MM:SSZ" into buf (at least 21 bytes). */
char *clock_format_iso(time_t t, char *buf, size_t len);

/*
 * Format t for people, in time zone tz (an IANA name such as
 * "America/Denver"; NULL, "" or "UTC": UTC): "Tue 10 Mar 2026, 10:00 MST".
 * English day and month names whatever the locale; the zone's own
 * abbreviation (or "+0530" where it has none).  A zone this machine does
 * not know is written as UTC, and says "UTC" (zone_check() tells why, for
 * the configuration and the directory to refuse the name first).
 * Thread-safe: the process's TZ is neither read nor set.  buf should hold
 * at least 48 bytes.  Returns buf.
 */
char *clock_format_human(time_t t, const char *tz, char *buf, size_t len);

#endif
