/*
 * zone.h - local time in any IANA time zone, without touching the
 * process's TZ.
 *
 * glibc's localtime_r() knows one zone, the process's TZ, which
 * calendar.c sets for business hours; the mail and the pages that
 * `deskmail run` renders from several threads each need their own zone.
 * zone.c reads the compiled zoneinfo files itself (TZif, RFC 8536) and
 * keeps each zone it has read, immutable, for the life of the process.
 */
#ifndef DESKMAIL_ZONE_H
#define DESKMAIL_ZONE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"

/* Where the compiled zones live. */
#define ZONE_DIR	"/usr/share/zoneinfo"

/* Room for any name zone_name_ok() accepts, with its NUL. */
#define ZONE_NAME_LEN	130

/* What the clock on the wall says at one instant of a zone. */
struct zone_time {
	long	gmtoff;		/* seconds east of UTC */
	int	isdst;
	char	abbr[16];	/* "MST", "CEST", "+0530" */
};

struct zone;

/*
 * Nonzero when name has the shape of a zone name ("America/Denver",
 * "UTC"): letters, digits, '/', '_', '-', '+', '.', no "..", not
 * absolute, at most 128 bytes.  A leading ':' (TZ's form) is allowed.
 */
int	zone_name_ok(const char *name);

/*
 * DM_OK when name is a zone this machine has (or NULL, "" or "UTC",
 * which need no file); else DM_ECONFIG saying why, e.g. "unknown time
 * zone 'Mars/Olympus' (no /usr/share/zoneinfo/Mars/Olympus)".
 */
dm_err	zone_check(const char *name);

/*
 * The wall clock of zone name at t into *out.  NULL, "" and "UTC" are
 * UTC.  An unknown zone is DM_ECONFIG and *out is UTC, so a caller that
 * goes on anyway writes times that say they are UTC.  Thread-safe; the
 * first call for a zone reads its file, later ones do not.
 */
dm_err	zone_at(const char *name, time_t t, struct zone_time *out);

/*
 * The parser and the lookup on their own (for the fuzz target and the
 * unit tests): a TZif file's bytes into a new zone (DM_EPARSE with the
 * reason when they are not a TZif file we can use), freed by
 * zone_free(), which accepts NULL.
 */
dm_err	zone_parse(const unsigned char *data, size_t len, struct zone **out);
void	zone_lookup(const struct zone *z, time_t t, struct zone_time *out);
void	zone_free(struct zone *z);

/*
 * A POSIX TZ rule such as "MST7MDT,M3.2.0,M11.1.0" (a TZif file's
 * footer) as a zone of its own; DM_EPARSE when it is not one.
 */
dm_err	zone_parse_rule(const char *rule, struct zone **out);

#endif
