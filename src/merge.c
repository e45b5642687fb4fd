/*
 * merge.c - tickets that belong together.
 *
 * Merge: two callers reported the same thing, or one person wrote twice.
 * The merged ticket's messages and events move to the survivor, its
 * requester and participants become the survivor's participants, its
 * number keeps threading there (thread.c follows merged_into), its SLA
 * timers stop, its requester is told once, and it counts nowhere: its
 * status is "merged", neither resolved nor closed.
 *
 * Major incident: one outage, many tickets.  Each affected ticket
 * becomes a child of the major incident; the SLA engine runs on the
 * major incident alone (the children's timers stop), its customer
 * notices go to every child's requester too (sla_notice.c), and when it
 * is resolved every open child is resolved with it, so each requester
 * gets their own resolution mail with their own accept / not-fixed links
 * and survey, and billing and CSAT count each child.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/actions.h"
#include "deskmail/merge.h"
#include "deskmail/message.h"
#include "deskmail/outbox.h"
#include "deskmail/participants.h"
#include "deskmail/search.h"
#include "deskmail/sla.h"
#include "deskmail/util.h"

static int
ended(const struct dm_ticket *t)
{
	return strcmp(t->status, TS_CLOSED) == 0 ||
	    strcmp(t->status, TS_MERGED) == 0;
}

/*
 * A mail to the customers of t (the requester, and participants as
 * participants_get says for kind) about it, threaded under the
 * requester's mail; automatic, so capped per address like every
 * acknowledgement.
 */
static dm_err
tell_customers(const struct action *a, const struct dm_ticket *t, int kind,
    const char *template, const char *params, const char *irt,
    const char *refs)
{
	struct dm_outbox_item item;
	struct dm_customers c;
	size_t i;
	int capped;
	dm_err err;

	if ((err = ticket_customers(a->st, a->cfg, t, kind, &c)) != DM_OK)
		return err;
	memset(&item, 0, sizeof(item));
	item.ticket = t->id;
	item.template = template;
	item.in_reply_to = irt;
	item.refs = refs;
	item.automatic = 1;
	item.params = params;
	for (i = 0; i < c.n && err == DM_OK; i++) {
		if ((err = customer_auto_capped(a->st, a->cfg, t->id,
		    c.v[i].address, a->now, &capped)) != DM_OK || capped)
			continue;
		item.recipient = c.v[i].address;
		err = outbox_queue(a->st, a->cfg, &item, a->now, NULL);
	}
	customers_free(&c);
	return err;
}

dm_err
action_merge(const struct action *a, struct dm_ticket *from,
    struct dm_ticket *into)
{
	char *irt = NULL, *refs = NULL, *params, *detail, num[24];
	dm_err err;

	if (from->id == into->id)
		return dm_fail(DM_EUSAGE, "a ticket cannot be merged into "
		    "itself");
	if (strcmp(from->status, TS_MERGED) == 0)
		return dm_fail(DM_ESTATE, "ticket %lld was merged into %lld "
		    "already", (long long)from->id, (long long)from->merged_into);
	if (ended(into))
		return dm_fail(DM_ESTATE, "ticket %lld is %s: merge into a "
		    "ticket that is still open", (long long)into->id,
		    strcmp(into->status, TS_MERGED) == 0 ? "merged" :
		    "closed");
	if (into->parent == from->id)
		return dm_fail(DM_ESTATE, "ticket %lld is part of major incident "
		    "%lld: take it out first", (long long)into->id,
		    (long long)from->id);
	/* the thread of the requester's mails, before they move */
	if ((err = message_thread_ids(a->st, from->id, &irt, &refs)) != DM_OK)
		return err;
	/* the index is by ticket: both out before the move, in after it */
	if ((err = search_unindex_messages(a->st, from->id)) != DM_OK ||
	    (err = search_unindex_messages(a->st, into->id)) != DM_OK ||
	    (err = message_move(a->st, from->id, into->id)) != DM_OK ||
	    (err = search_index_messages(a->st, into->id)) != DM_OK ||
	    (err = event_move(a->st, from->id, into->id)) != DM_OK ||
	    (err = participants_merge(a->st, a->cfg, from, into, a->actor,
	    a->now)) != DM_OK ||
	    (err = ticket_adopt_children(a->st, from->id, into->id)) !=
	    DM_OK ||
	    (err = sla_stop(a->st, from->id, a->now)) != DM_OK ||
	    (err = ticket_set_merged(a->st, from, into->id, a->actor,
	    a->now)) != DM_OK)
		goto out;
	detail = xasprintf("merged into ticket %lld (%s)", (long long)into->id,
	    into->subject);
	err = event_add(a->st, from->id, a->now, a->actor, "merged", detail);
	free(detail);
	if (err != DM_OK)
		goto out;
	detail = xasprintf("ticket %lld (%s, from %s) merged into this one",
	    (long long)from->id, from->subject, from->requester);
	err = event_add(a->st, into->id, a->now, a->actor, "merged", detail);
	free(detail);
	if (err == DM_OK)
		err = ticket_touch(a->st, into, a->now);
	if (err != DM_OK)
		goto out;
	/* told once, under their own thread and number */
	snprintf(num, sizeof(num), "%lld", (long long)into->id);
	params = outbox_params("merged.id", num, "merged.subject",
	    into->subject, (const char *)NULL);
	err = tell_customers(a, from, PG_MERGED, "merged", params, irt, refs);
	free(params);
out:
	free(irt);
	free(refs);
	return err;
}

dm_err
action_parent(const struct action *a, struct dm_ticket *child,
    struct dm_ticket *major)
{
	char *detail, *irt = NULL, *refs = NULL, *params, num[24];
	int64_t *kids;
	size_t n;
	dm_err err;

	if (major == NULL) {
		if (child->parent == 0)
			return dm_fail(DM_ESTATE, "ticket %lld is part of no "
			    "major incident", (long long)child->id);
		detail = xasprintf("no longer part of major incident %lld",
		    (long long)child->parent);
		if ((err = ticket_set_parent(a->st, child, 0, a->now)) ==
		    DM_OK && (err = event_add(a->st, child->id, a->now,
		    a->actor, "parent", detail)) == DM_OK)
			err = sla_restart(a->st, a->cfg, child, a->now);
		free(detail);
		return err;
	}
	if (child->id == major->id)
		return dm_fail(DM_EUSAGE, "a ticket cannot be part of itself");
	if (ended(child) || ended(major))
		return dm_fail(DM_ESTATE, "ticket %lld is %s", (long long)(ended(
		    child) ? child->id : major->id), ended(child) ?
		    child->status : major->status);
	if (major->parent != 0)
		return dm_fail(DM_ESTATE, "ticket %lld is itself part of major "
		    "incident %lld: use that one", (long long)major->id,
		    (long long)major->parent);
	if (child->parent == major->id)
		return DM_OK;
	if ((err = ticket_children(a->st, child->id, 0, &kids, &n)) != DM_OK)
		return err;
	free(kids);
	if (n > 0)
		return dm_fail(DM_ESTATE, "ticket %lld is a major incident itself "
		    "(%zu tickets): a major incident is not part of another",
		    (long long)child->id, n);
	if ((err = ticket_set_parent(a->st, child, major->id, a->now)) != DM_OK ||
	    (err = sla_stop(a->st, child->id, a->now)) != DM_OK)
		return err;
	detail = xasprintf("part of major incident %lld (%s); its service "
	    "levels and notices are the major incident's", (long long)major->id,
	    major->subject);
	err = event_add(a->st, child->id, a->now, a->actor, "parent", detail);
	free(detail);
	if (err != DM_OK)
		return err;
	detail = xasprintf("ticket %lld (%s, from %s) is part of this incident",
	    (long long)child->id, child->subject, child->requester);
	err = event_add(a->st, major->id, a->now, a->actor, "child", detail);
	free(detail);
	if (err != DM_OK || (err = message_thread_ids(a->st, child->id, &irt,
	    &refs)) != DM_OK)
		return err;
	/* the requester learns that it is known and who tells them more */
	snprintf(num, sizeof(num), "%lld", (long long)major->id);
	params = outbox_params("incident.id", num, "incident.subject",
	    major->subject, (const char *)NULL);
	err = tell_customers(a, child, PG_INCIDENT, "incident_joined", params,
	    irt, refs);
	free(params);
	free(irt);
	free(refs);
	return err;
}

dm_err
incident_resolve_children(const struct action *a, const struct dm_ticket *t,
    const char *text)
{
	struct dm_ticket child;
	struct action ca = *a;
	int64_t *kids;
	size_t n, i;
	dm_err err;

	if (t->parent != 0)
		return DM_OK;
	if ((err = ticket_children(a->st, t->id, 1, &kids, &n)) != DM_OK)
		return err;
	/* the text is the major incident's, stored there; each child's
	 * requester gets it in their own resolution mail */
	ca.text_stored = 1;
	for (i = 0; i < n && err == DM_OK; i++) {
		if ((err = ticket_get(a->st, kids[i], &child)) != DM_OK)
			break;
		err = action_resolve(&ca, &child, text && *text ? text :
		    "The major incident this request is part of is resolved.");
		if (err == DM_OK) {
			char *detail = xasprintf("resolved with major incident "
			    "%lld (%s)", (long long)t->id, t->subject);

			err = event_add(a->st, child.id, a->now, a->actor,
			    "resolved_with", detail);
			free(detail);
		}
		ticket_clear(&child);
	}
	free(kids);
	return err;
}

/* "42" or "#42" as a ticket that exists, into *t. */
static dm_err
ticket_arg(const struct action *a, const char *arg, struct dm_ticket *t)
{
	char *end;
	long long n;

	if (*arg == '#')
		arg++;
	n = strtoll(arg, &end, 10);
	if (*arg == '\0' || *end != '\0' || n <= 0)
		return dm_fail(DM_EUSAGE, "'%s' is not a ticket number", arg);
	return ticket_get(a->st, n, t);
}

dm_err
action_merge_into(const struct action *a, struct dm_ticket *t,
    const char *into)
{
	struct dm_ticket survivor;
	dm_err err;

	if ((err = ticket_arg(a, into, &survivor)) != DM_OK)
		return err == DM_ENOTFOUND ? dm_fail(DM_EUSAGE, "no ticket %s to "
		    "merge into", into) : err;
	err = action_merge(a, t, &survivor);
	ticket_clear(&survivor);
	return err;
}

dm_err
action_parent_of(const struct action *a, struct dm_ticket *t,
    const char *major)
{
	struct dm_ticket m;
	dm_err err;

	if (strcmp(major, "-") == 0)
		return action_parent(a, t, NULL);
	if ((err = ticket_arg(a, major, &m)) != DM_OK)
		return err == DM_ENOTFOUND ? dm_fail(DM_EUSAGE, "no ticket %s",
		    major) : err;
	err = action_parent(a, t, &m);
	ticket_clear(&m);
	return err;
}
