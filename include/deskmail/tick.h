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
	size_t	sla_fired;		/* SLA timers fired */
};

dm_err	tick_run(struct dm_store *st, const struct dm_config *cfg,
	    struct tick_stats *stats);


#endif
