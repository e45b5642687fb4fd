/*
 * sla.h - the SLA engine: the service levels of seeds 002 (colorado) and
 * 003 (ny-ccc) as timers stored with the ticket.  Changes to a ticket
 * (created, severity, ack, assignment, status) schedule, meet or cancel
 * timers in the same transaction; `tick` fires the due ones: a breach is
 * an event and, for some, an escalation; a notice timer queues its mail.
 */
#ifndef DESKMAIL_SLA_H
#define DESKMAIL_SLA_H

#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/ticket.h"

/* The hooks, called inside the transaction that changed the ticket. */
dm_err	sla_on_created(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, time_t now);
dm_err	sla_on_severity(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, int old, time_t now);
/* After a transfer: a team with another policy restarts the timers. */
dm_err	sla_on_transfer(struct dm_store *st, const struct dm_config *cfg,
	    struct dm_ticket *t, time_t now);
dm_err	sla_on_ack(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, time_t now);
dm_err	sla_on_assigned(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, time_t now);
/* After t's status changed from old (t->status is the new one). */
dm_err	sla_on_status(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, const char *old, time_t now);

/*
 * When ticket's next update notice is due (its earliest pending update
 * timer), or *when = 0 when none is: none scheduled, or paused while the
 * ticket waits for the customer.
 */
dm_err	sla_next_update(struct dm_store *st, int64_t ticket, time_t *when);

/* Fire every timer due at now, each in its own transaction. */
dm_err	sla_tick(struct dm_store *st, const struct dm_config *cfg,
	    size_t *fired);

/* Stop every timer of ticket (merged, or part of a major incident). */
dm_err	sla_stop(struct dm_store *st, int64_t ticket, time_t now);
/* Start t's timers again from now (out of a major incident again). */
dm_err	sla_restart(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, time_t now);

#endif
