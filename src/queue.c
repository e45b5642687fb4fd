/*
 * queue.c - the [queue NAME] sections: several help addresses, each with
 * its team, policy, tag and From (queue.h says what a queue does).
 *
 * A queue changes no ticket after it is made: the new ticket records its
 * queue's name (tickets.queue), and the sender looks the queue up again
 * for every mail, so a file that renames or drops a queue sends that
 * ticket's mail from the main help address rather than from an address
 * nobody configured any more.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/queue.h"
#include "deskmail/util.h"

/* A display name longer than this is a mistake, not a name. */
#define FROM_NAME_MAX	200

static struct dm_queue *
queue_get(struct dm_config *cfg, const char *name)
{
	struct dm_queue *q;
	size_t i;

	for (i = 0; i < cfg->nqueues; i++)
		if (strcmp(cfg->queues[i].name, name) == 0)
			return &cfg->queues[i];
	if (cfg->nqueues >= QUEUES_MAX)
		return NULL;
	cfg->queues = xreallocarray(cfg->queues, cfg->nqueues + 1,
	    sizeof(*cfg->queues));
	q = &cfg->queues[cfg->nqueues++];
	memset(q, 0, sizeof(*q));
	q->name = xstrdup(name);
	return q;
}

static void
replace(char **field, const char *value, int lower)
{
	free(*field);
	*field = value[0] == '\0' ? NULL : xstrdup(value);
	if (*field != NULL && lower)
		str_lower(*field);
}

int
queue_set_key(struct dm_config *cfg, const char *name, const char *key,
    const char *value, char *msg, size_t len)
{
	struct dm_queue *q;

	if ((q = queue_get(cfg, name)) == NULL) {
		snprintf(msg, len, "more than %d [queue NAME] sections",
		    QUEUES_MAX);
		return 0;
	}
	if (strcmp(key, "address") == 0)
		replace(&q->address, value, 1);
	else if (strcmp(key, "team") == 0)
		replace(&q->team, value, 0);
	else if (strcmp(key, "policy") == 0)
		replace(&q->policy, value, 0);
	else if (strcmp(key, "tag") == 0)
		replace(&q->tag, value, 0);
	else if (strcmp(key, "from") == 0)
		replace(&q->from, value, 1);
	else if (strcmp(key, "name") == 0)
		replace(&q->from_name, value, 0);
	else {
		snprintf(msg, len, "unknown key '%s' in [queue %s] (known: "
		    "address, team, policy, tag, from, name)", key, name);
		return 0;
	}
	return 1;
}

static int
tag_valid(const char *tag)
{
	const char *p;

	for (p = tag; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return 0;
	return p != tag;
}

/*
 * Who else has address: NULL when nobody (q itself excepted).  A From
 * (from) may be the [deskmail] address or another queue's From: those
 * are only where mail comes from; what takes mail in may not be shared.
 * Of two queues with one address the later is named, as the mistake.
 */
static char *
taken_by(const struct dm_config *cfg, const struct dm_queue *q,
    const char *address, int from)
{
	const struct dm_team *team;
	size_t i, j;

	if (!from && strcasecmp(cfg->address, address) == 0)
		return xstrdup("the [deskmail] address");
	for (i = 0; i < cfg->nqueues; i++) {
		const struct dm_queue *o = &cfg->queues[i];

		if (o == q)
			continue;
		if (o->address != NULL && strcasecmp(o->address, address) == 0 &&
		    (from || o < q))
			return xasprintf("the address of [queue %s]", o->name);
		if (!from && o->from != NULL &&
		    strcasecmp(o->from, address) == 0)
			return xasprintf("the from of [queue %s]", o->name);
	}
	for (i = 0; i < cfg->nteams; i++) {
		team = &cfg->teams[i];
		if (team->address != NULL &&
		    strcasecmp(team->address, address) == 0)
			return xasprintf("the address of [team %s]", team->name);
		for (j = 0; j < team->nmembers; j++)
			if (strcasecmp(team->members[j], address) == 0)
				return xasprintf("a member of [team %s] (staff)",
				    team->name);
	}
	return NULL;
}

static dm_err
check_one(const struct dm_config *cfg, const struct dm_queue *q)
{
	const struct dm_team *team;
	char *who;
	dm_err err;
	size_t i;

	if (q->address == NULL)
		return dm_fail(DM_ECONFIG, "%s: [queue %s] has no address",
		    cfg->path, q->name);
	if (!address_valid(q->address))
		return dm_fail(DM_ECONFIG, "%s: [queue %s] address '%s' is not "
		    "an e-mail address", cfg->path, q->name, q->address);
	if ((who = taken_by(cfg, q, q->address, 0)) != NULL) {
		err = dm_fail(DM_ECONFIG, "%s: [queue %s] address %s is also "
		    "%s; each queue needs an address of its own", cfg->path,
		    q->name, q->address, who);
		free(who);
		return err;
	}
	if (q->team == NULL)
		return dm_fail(DM_ECONFIG, "%s: [queue %s] has no team",
		    cfg->path, q->name);
	if ((team = config_team(cfg, q->team)) == NULL)
		return dm_fail(DM_ECONFIG, "%s: [queue %s] team '%s' has no "
		    "[team %s] section", cfg->path, q->name, q->team, q->team);
	if (q->policy != NULL && config_sla_policy(cfg, q->policy) == NULL)
		return dm_fail(DM_ECONFIG, "%s: [queue %s] policy must be "
		    "ny-ccc, colorado or a [policy NAME] of this file, not '%s'",
		    cfg->path, q->name, q->policy);
	if (q->from != NULL && !address_valid(q->from))
		return dm_fail(DM_ECONFIG, "%s: [queue %s] from '%s' is not an "
		    "e-mail address", cfg->path, q->name, q->from);
	if (q->from != NULL && (who = taken_by(cfg, q, q->from, 1)) != NULL) {
		err = dm_fail(DM_ECONFIG, "%s: [queue %s] from %s is also %s",
		    cfg->path, q->name, q->from, who);
		free(who);
		return err;
	}
	if (q->from_name != NULL && strlen(q->from_name) > FROM_NAME_MAX)
		return dm_fail(DM_ECONFIG, "%s: [queue %s] name is longer than "
		    "%d bytes", cfg->path, q->name, FROM_NAME_MAX);
	if (q->tag == NULL)
		return DM_OK;
	if (!tag_valid(q->tag))
		return dm_fail(DM_ECONFIG, "%s: [queue %s] tag '%s' may hold "
		    "only letters, digits, '-' and '_'", cfg->path, q->name,
		    q->tag);
	/*
	 * Tags thread case-insensitively: two spellings of one tag, or two
	 * queues with one tag, would not tell a customer (or the staff) which
	 * desk a subject is from.  Leaving tag out shares the [deskmail] one.
	 */
	if (strcasecmp(q->tag, cfg->tag) == 0 && strcmp(q->tag, cfg->tag) != 0)
		return dm_fail(DM_ECONFIG, "%s: [queue %s] tag '%s' clashes "
		    "with the [deskmail] tag '%s': write it the same or leave "
		    "it out", cfg->path, q->name, q->tag, cfg->tag);
	for (i = 0; i < cfg->nqueues; i++) {
		const struct dm_queue *o = &cfg->queues[i];

		/* the later of the two is named */
		if (o < q && o->tag != NULL && strcasecmp(o->tag, q->tag) == 0 &&
		    strcmp(q->tag, cfg->tag) != 0)
			return dm_fail(DM_ECONFIG, "%s: [queue %s] tag '%s' "
			    "clashes with the tag of [queue %s]; give each queue "
			    "a tag of its own, or leave it out (the [deskmail] "
			    "tag)", cfg->path, q->name, q->tag, o->name);
	}
	return DM_OK;
}

dm_err
queue_check_all(const struct dm_config *cfg)
{
	size_t i;
	dm_err err;

	for (i = 0; i < cfg->nqueues; i++)
		if ((err = check_one(cfg, &cfg->queues[i])) != DM_OK)
			return err;
	for (i = 0; i < cfg->nmailboxes; i++) {
		const struct dm_mailbox *m = &cfg->mailboxes[i];

		if (m->queue != NULL && m->queue[0] != '\0' &&
		    config_queue(cfg, m->queue) == NULL)
			return dm_fail(DM_ECONFIG, "%s: [mailbox %s] queue '%s' "
			    "has no [queue %s] section", cfg->path, m->name,
			    m->queue, m->queue);
	}
	return DM_OK;
}

void
queue_free_all(struct dm_config *cfg)
{
	size_t i;

	for (i = 0; i < cfg->nqueues; i++) {
		free(cfg->queues[i].name);
		free(cfg->queues[i].address);
		free(cfg->queues[i].team);
		free(cfg->queues[i].policy);
		free(cfg->queues[i].tag);
		free(cfg->queues[i].from);
		free(cfg->queues[i].from_name);
	}
	free(cfg->queues);
	cfg->queues = NULL;
	cfg->nqueues = 0;
}

const struct dm_queue *
config_queue(const struct dm_config *cfg, const char *name)
{
	size_t i;

	if (name == NULL)
		return NULL;
	for (i = 0; i < cfg->nqueues; i++)
		if (strcmp(cfg->queues[i].name, name) == 0)
			return &cfg->queues[i];
	return NULL;
}

/*
 * The first of our help addresses in list ("a@x, <b@y>"): *q the queue
 * whose it is, NULL for the [deskmail] address.  0: none in it.
 */
static int
first_ours(const struct dm_config *cfg, const char *list,
    const struct dm_queue **q)
{
	const char *p = list, *e;
	size_t n, i;

	while (p != NULL && *p != '\0') {
		p += strspn(p, ", \t<>");
		e = p + strcspn(p, ", \t<>");
		if ((n = (size_t)(e - p)) > 0) {
			if (strlen(cfg->address) == n &&
			    strncasecmp(cfg->address, p, n) == 0) {
				*q = NULL;
				return 1;
			}
			for (i = 0; i < cfg->nqueues; i++)
				if (strlen(cfg->queues[i].address) == n &&
				    strncasecmp(cfg->queues[i].address, p, n) ==
				    0) {
					*q = &cfg->queues[i];
					return 1;
				}
		}
		p = e;
	}
	return 0;
}

const struct dm_queue *
queue_of_mail(const struct dm_config *cfg, const struct dm_parsed *m,
    const char *source, const char **how)
{
	static const char *const names[] = { "Delivered-To", "To", "Cc" };
	const struct dm_queue *q = NULL;
	const char *lists[3];
	size_t i, n;

	if (how != NULL)
		*how = NULL;
	if (cfg->nqueues == 0)
		return NULL;
	/* the mailbox an admin gave a queue knows best */
	if (source != NULL && strncmp(source, "imap:", 5) == 0) {
		for (i = 0; i < cfg->nmailboxes; i++) {
			const struct dm_mailbox *mb = &cfg->mailboxes[i];

			n = strlen(mb->name);
			if (mb->queue == NULL || mb->queue[0] == '\0' ||
			    strncmp(source + 5, mb->name, n) != 0 ||
			    source[5 + n] != ':')
				continue;
			if (how != NULL)
				*how = "mailbox";
			return config_queue(cfg, mb->queue);
		}
	}
	lists[0] = m->envelope_to;
	lists[1] = m->to;
	lists[2] = m->cc;
	for (i = 0; i < 3; i++) {
		if (lists[i] == NULL || !first_ours(cfg, lists[i], &q))
			continue;
		if (how != NULL)
			*how = names[i];
		return q;
	}
	return NULL;
}

const char *
queue_address(const struct dm_config *cfg, const struct dm_queue *q)
{
	return q != NULL ? q->address : cfg->address;
}

const char *
queue_from(const struct dm_config *cfg, const struct dm_queue *q)
{
	if (q == NULL)
		return cfg->address;
	return q->from != NULL ? q->from : q->address;
}

const char *
queue_from_name(const struct dm_config *cfg, const struct dm_queue *q)
{
	return q != NULL && q->from_name != NULL ? q->from_name :
	    cfg->organisation;
}

const char *
queue_tag(const struct dm_config *cfg, const struct dm_queue *q)
{
	return q != NULL && q->tag != NULL ? q->tag : cfg->tag;
}

int
queue_is_own_address(const struct dm_config *cfg, const char *address)
{
	size_t i;

	for (i = 0; i < cfg->nqueues; i++)
		if ((cfg->queues[i].address != NULL &&
		    strcasecmp(cfg->queues[i].address, address) == 0) ||
		    (cfg->queues[i].from != NULL &&
		    strcasecmp(cfg->queues[i].from, address) == 0))
			return 1;
	return 0;
}
