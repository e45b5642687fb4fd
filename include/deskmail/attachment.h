/*
 * attachment.h - the files that came with stored messages, as the
 * attachments table lists them (name, type, size: message.c writes the
 * rows) and as bytes, decoded when asked for from the raw message the
 * messages table keeps (bench/attach measured this against storing each
 * file once more by its hash; bench/README has the figures).
 */
#ifndef DESKMAIL_ATTACHMENT_H
#define DESKMAIL_ATTACHMENT_H

#include <stddef.h>
#include <stdint.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_file {
	int64_t	 id;		/* attachments row */
	int64_t	 message;	/* messages row */
	int64_t	 ticket;
	size_t	 index;		/* its place among the message's files */
	char	*kind;		/* the message's kind (message.h) */
	char	*name;		/* as stored: decoded, no directories */
	char	*type;		/* "image/png" */
	int64_t	 size;		/* decoded bytes, as measured at ingest */
	int	 is_inline;	/* the sender marked it inline (a cid image) */
};

/*
 * The files of one message (ticket 0), or of every message of a ticket
 * (message 0) whose kind is in kinds (a NULL-ended list; NULL: any),
 * oldest first.  *v is freed with attachment_list_free().
 */
dm_err	attachment_list(struct dm_store *st, int64_t ticket, int64_t message,
	    const char *const *kinds, struct dm_file **v, size_t *n);
void	attachment_list_free(struct dm_file *v, size_t n);

/*
 * Attachment row id and its bytes, decoded from its message as stored:
 * *f describes it (cleared with attachment_clear()), *data (NUL after
 * *len bytes) is the caller's to free.  DM_ENOTFOUND when there is no
 * such row, DM_EPARSE when the stored message no longer yields the file
 * the row names (a deskmail whose MIME walk changed).
 */
dm_err	attachment_get(struct dm_store *st, const struct dm_config *cfg,
	    int64_t id, struct dm_file *f, char **data, size_t *len);
void	attachment_clear(struct dm_file *f);

#endif
