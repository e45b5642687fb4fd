/*
 * queue.h - several help addresses ([queue NAME] sections): mail to a
 * queue's address opens a ticket on the queue's team under its policy
 * (routing rules may still change both), the ticket records its queue,
 * and every mail about it comes from the queue's address with the
 * queue's tag.  Without [queue] sections nothing changes: the
 * [deskmail] address and tag are the desk's only ones.
 */
#ifndef DESKMAIL_QUEUE_H
#define DESKMAIL_QUEUE_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/mime.h"

/* Most [queue NAME] sections a file may have. */
#define QUEUES_MAX	200

/*
 * One key of [queue name] (config.c's parser hands them over).  0 with a
 * sentence in msg when the key is unknown or its value is bad.
 */
int	queue_set_key(struct dm_config *cfg, const char *name,
	    const char *key, const char *value, char *msg, size_t len);

/*
 * The whole-file checks of the queues, once every section is read: each
 * has an address that is nobody else's, a team and policy that exist,
 * a tag of its own; a [mailbox NAME] queue names one.  DM_ECONFIG with
 * a sentence naming the section.
 */
dm_err	queue_check_all(const struct dm_config *cfg);

/* Free cfg's queues (config_free). */
void	queue_free_all(struct dm_config *cfg);

/* The queue called name, or NULL (also for name NULL). */
const struct dm_queue *config_queue(const struct dm_config *cfg,
	    const char *name);

/*
 * The queue a new ticket's first mail came in by, or NULL for the main
 * help address:
 *   1. the [mailbox NAME] it was fetched from has a queue (source is
 *      fetch.c's "imap:NAME:..."): that one;
 *   2. else the first of our help addresses (the [deskmail] address or a
 *      queue's) named by Delivered-To / X-Original-To (top first, what
 *      the MTA delivered to), else by To, else by Cc: a queue's is that
 *      queue, the [deskmail] address is none.
 * *how (may be NULL) says which ("mailbox desk", "To", ...).
 */
const struct dm_queue *queue_of_mail(const struct dm_config *cfg,
	    const struct dm_parsed *m, const char *source, const char **how);

/* What the mail of a ticket of queue q (NULL: none) carries. */
const char *queue_address(const struct dm_config *cfg,
	    const struct dm_queue *q);	/* where replies go */
const char *queue_from(const struct dm_config *cfg,
	    const struct dm_queue *q);	/* From */
const char *queue_from_name(const struct dm_config *cfg,
	    const struct dm_queue *q);	/* From's display name */
const char *queue_tag(const struct dm_config *cfg,
	    const struct dm_queue *q);	/* subject tag */

/* Nonzero if address is a queue's address or From (any case). */
int	queue_is_own_address(const struct dm_config *cfg, const char *address);

#endif
