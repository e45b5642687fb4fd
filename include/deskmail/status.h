/*
 * status.h - what an admin checks first: queues, the oldest unsent mail,
 * the last fetch of each mailbox, SLA timers overdue - and what needs
 * attention.
 */
#ifndef DESKMAIL_STATUS_H
#define DESKMAIL_STATUS_H

#include <time.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_config;
struct json_object;

/* The health of the installation at now, as a JSON object into out:
 * tickets, outbox, quarantine, sla, mailboxes and attention (a list of
 * one-line problems, empty when all is well). */
dm_err	status_json(struct dm_store *st, const struct dm_config *cfg,
	    time_t now, struct json_object *out);

#endif
