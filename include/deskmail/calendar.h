/*
 * calendar.h - business time: opening hours on working days in one time
 * zone, minus holidays, for the SLA engine's business-hours targets.
 * Local times go through the C library (TZ), so DST changes are right.
 */
#ifndef DESKMAIL_CALENDAR_H
#define DESKMAIL_CALENDAR_H

#include <stddef.h>
#include <time.h>

#include "deskmail/err.h"

struct calendar {
	int	 always;	/* 24x7: business time is all time */
	int	 open_min;	/* minutes after local midnight: 07:00 = 420 */
	int	 close_min;	/* 17:00 = 1020 */
	unsigned weekdays;	/* bit n: tm_wday n is a working day */
	int	*holidays;	/* local dates as YYYYMMDD, sorted */
	size_t	 nholidays;
};

/*
 * Use time zone tz (an Olson name such as "America/New_York") for all
 * local times of this process.  DM_ECONFIG if the zone is unknown.
 */
dm_err	calendar_set_timezone(const char *tz);

/* Mon-Fri open to close ("07:00", "17:00"); no holidays. */
dm_err	calendar_init(struct calendar *c, const char *open, const char *close);

/* Read holidays from a file: one "YYYY-MM-DD [name]" a line, # comments. */
dm_err	calendar_load_holidays(struct calendar *c, const char *path);

void	calendar_free(struct calendar *c);

/* The instant `seconds` of business time after start. */
time_t	calendar_add(const struct calendar *c, time_t start, long seconds);

/* The same local time n working days (not holidays) after t. */
time_t	calendar_add_days(const struct calendar *c, time_t t, long n);

/*
 * The calendar cfg's [sla] section describes (time zone, hours, holiday
 * file); sets the process's time zone.  Free with calendar_free().
 */
struct dm_config;
dm_err	calendar_from_config(const struct dm_config *cfg, struct calendar *c);

/* Business seconds between from and to (0 if to <= from). */
long	calendar_elapsed(const struct calendar *c, time_t from, time_t to);

#endif
