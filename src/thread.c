/*
 * thread.c - threading an inbound message onto its ticket.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/message.h"
#include "deskmail/outbox.h"
#include "deskmail/thread.h"
#include "deskmail/ticket.h"

int64_t
thread_subject_tag(const char *subject, const char *tag)
{
	size_t tlen = strlen(tag);
	const char *p;
	int64_t n;
	int digits;

	for (p = subject; (p = strchr(p, '[')) != NULL; p++) {
		const char *q = p + 1;

		while (*q == ' ')
			q++;
		if (strncasecmp(q, tag, tlen) != 0)
			continue;
		q += tlen;
		while (*q == ' ')
			q++;
		if (*q++ != '#')
			continue;
		for (n = 0, digits = 0; isdigit((unsigned char)*q) && digits < 15;
		    q++, digits++)
			n = n * 10 + (*q - '0');
		while (*q == ' ')
			q++;
		if (digits > 0 && *q == ']' && n > 0)
			return n;
	}
	return 0;
}

/* The number in any of our tags: the [deskmail] one, then each queue's. */
static int64_t
subject_ticket(const struct dm_config *cfg, const char *subject)
{
	int64_t n;
	size_t i;

	if ((n = thread_subject_tag(subject, cfg->tag)) > 0)
		return n;
	for (i = 0; i < cfg->nqueues; i++)
		if (cfg->queues[i].tag != NULL &&
		    (n = thread_subject_tag(subject, cfg->queues[i].tag)) > 0)
			return n;
	return 0;
}

static const struct dm_sql sql_exists = SQL(
    "SELECT id FROM tickets WHERE id = ?1");

static dm_err
ticket_exists(struct dm_store *st, int64_t id, int *yes)
{
	struct dm_stmt *s = store_stmt(st, &sql_exists);
	int rc;

	*yes = 0;
	if (s == NULL)
		return store_error(st, "tickets");
	stmt_bind_int64(s, 1, id);
	rc = stmt_step(s);
	stmt_reset(s);
	if (rc == STMT_ROW)
		*yes = 1;
	else if (rc != STMT_DONE)
		return store_error(st, "tickets");
	return DM_OK;
}

/* A Message-ID we sent or stored, to its ticket. */
static dm_err
ticket_of_msgid(struct dm_store *st, const char *id, int64_t *ticket)
{
	dm_err err;

	if ((err = outbox_ticket_by_msgid(st, id, ticket)) != DM_OK ||
	    *ticket != 0)
		return err;
	return message_ticket_by_msgid(st, id, ticket);
}

dm_err
thread_find(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_parsed *m, int64_t *ticket, const char **how)
{
	int64_t n;
	size_t i;
	dm_err err;
	int yes;

	*ticket = 0;
	*how = NULL;
	if ((n = subject_ticket(cfg, m->subject)) > 0) {
		if ((err = ticket_exists(st, n, &yes)) != DM_OK)
			return err;
		if (yes) {
			*how = "subject tag";
			/* a merged ticket's number keeps threading */
			return ticket_follow_merged(st, n, ticket);
		}
	}
	for (i = 0; i < m->nrefs; i++) {
		if ((err = ticket_of_msgid(st, m->refs[i], ticket)) != DM_OK)
			return err;
		if (*ticket != 0) {
			*how = i == 0 ? "in-reply-to" : "references";
			return ticket_follow_merged(st, *ticket, ticket);
		}
	}
	if (m->report_refs != NULL) {
		if ((err = ticket_of_msgid(st, m->report_refs, ticket)) != DM_OK)
			return err;
		if (*ticket != 0) {
			*how = "bounced mail";
			return ticket_follow_merged(st, *ticket, ticket);
		}
	}
	return DM_OK;
}
