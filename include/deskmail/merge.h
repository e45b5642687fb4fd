/*
 * merge.h - tickets that belong together: one merged into another, and
 * the tickets of everyone a major incident affects (its children).
 */
#ifndef DESKMAIL_MERGE_H
#define DESKMAIL_MERGE_H

#include "deskmail/actions.h"
#include "deskmail/err.h"
#include "deskmail/ticket.h"

/*
 * Merge from into into: from's messages, events and children move, its
 * number threads into into from now on, its SLA timers stop, its
 * requester is told once; from is "merged".
 */
dm_err	action_merge(const struct action *a, struct dm_ticket *from,
	    struct dm_ticket *into);

/*
 * Make child part of major incident major (NULL: take it out again, and
 * its own service levels start again from now).  One level: a major
 * incident is not part of another.
 */
dm_err	action_parent(const struct action *a, struct dm_ticket *child,
	    struct dm_ticket *major);

/* The same, with the other ticket given by number ("42", "#42"; "-" for
 * the parent: none): the #merge and #parent commands and the CLI. */
dm_err	action_merge_into(const struct action *a, struct dm_ticket *t,
	    const char *into);
dm_err	action_parent_of(const struct action *a, struct dm_ticket *t,
	    const char *major);

/* t, a major incident, was resolved: resolve each open child with text. */
dm_err	incident_resolve_children(const struct action *a,
	    const struct dm_ticket *t, const char *text);

#endif
