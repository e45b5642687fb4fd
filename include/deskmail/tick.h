/*
 * tick.h - work that time makes due: auto-closing resolved tickets (and,
 * with the SLA engine, its timers).
 */
#ifndef DESKMAIL_TICK_H
#define DESKMAIL_TICK_H

#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

struct tick_stats {
	size_t	auto_closed;
};

dm_err	tick_run(struct dm_store *st, const struct dm_config *cfg,
	    struct tick_stats *stats);

/* t plus n business days (Monday to Friday, UTC), to the same time. */
time_t	tick_add_business_days(time_t t, long n);

#endif
