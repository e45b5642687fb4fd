/*
 * timeline.h - what the status page shows of a ticket: where it stands,
 * in words, and its public timeline (customer mail, public staff
 * replies, progress notes), with staff by name and team, never by
 * address, and times in the zone its people read.
 */
#ifndef DESKMAIL_TIMELINE_H
#define DESKMAIL_TIMELINE_H

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/template.h"
#include "deskmail/ticket.h"

/* Most entries a page shows: the newest ones, oldest first. */
#define TIMELINE_MAX	300

/*
 * The status page's variables for ticket t into v: status.text,
 * status.team, status.opened_iso, status.next (the next update for
 * severity 1 and 2) and status.timeline (templates/page_status_*.html,
 * rendered), besides what notice_zone_vars() sets (again only when the
 * agency's zone is not the one v has: v holds notice_ticket_vars() of t).
 */
dm_err	timeline_vars(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_ticket *t, struct tvars *v);

#endif
