/*
 * message.h - the messages and attachments tables: every inbound message
 * kept byte-exact with what was parsed out of it.
 */
#ifndef DESKMAIL_MESSAGE_H
#define DESKMAIL_MESSAGE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"
#include "deskmail/mime.h"
#include "deskmail/store.h"

/* Kinds of inbound message. */
#define MK_CUSTOMER	"customer"
#define MK_STAFF	"staff"
#define MK_AUTO		"auto"
#define MK_NOTE		"note"		/* staff mail whose text was not
					   relayed (#note, #update, commands
					   only, held): internal */
#define MK_UNVERIFIED	"unverified"	/* claims a staff address, unproven */

struct dm_raw {
	const char	*data;
	size_t		 len;
	const char	*sha256;	/* content hash (see ingest.c) */
	const char	*source;	/* "stdin", a file name, "imap:inbox:42" */
};

/* Store m (and its attachments) on ticket; *id gets the message row id. */
dm_err	message_store(struct dm_store *st, int64_t ticket, const char *kind,
	    const struct dm_parsed *m, const struct dm_raw *raw, time_t now,
	    int64_t *id);

/*
 * Store text staff wrote outside mail (the CLI) on ticket as a message of
 * kind, so the ticket's history - and what a warm transfer hands on -
 * holds it like a mail.  from is an address or a name such as cli:ann.
 */
dm_err	message_store_text(struct dm_store *st, int64_t ticket,
	    const char *kind, const char *from, const char *subject,
	    const char *text, time_t now, int64_t *id);

/* The ticket of a stored message with this content hash (0 if none). */
dm_err	message_ticket_by_sha(struct dm_store *st, const char *sha256,
	    int64_t *ticket);

/* The ticket of a stored inbound message with this Message-ID (0 if none). */
dm_err	message_ticket_by_msgid(struct dm_store *st, const char *msgid,
	    int64_t *ticket);

/*
 * Threading for mail to the requester: *in_reply_to is the Message-ID of
 * the customer's latest mail, *refs the first and the latest few (space
 * separated), so mail clients file our mail under their conversation.
 * Both NULL when there is none; the caller frees them.
 */
dm_err	message_thread_ids(struct dm_store *st, int64_t ticket,
	    char **in_reply_to, char **refs);

struct json_object;
/* The ticket's messages, oldest first, with their attachments. */
dm_err	message_list_json(struct dm_store *st, int64_t ticket,
	    struct json_object *array);

/* Every message of ticket from (and so its attachments) goes to into. */
dm_err	message_move(struct dm_store *st, int64_t from, int64_t into);

#endif
