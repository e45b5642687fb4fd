/*
 * relay.h - the files a mail passes on: a customer's to the team (the
 * new-ticket notice, every relayed customer message), a technician's to
 * the customer (reply, question, resolution), a whole ticket's to a team
 * it is handed to (assignment, transfer).  Whose files they are is in
 * the outbox row's params, so every recipient of one notice gets the
 * same, however many there are.
 *
 * Attached while together they fit [attachments] mail_max_bytes; above
 * it, each is a signed download link (TOK_ATTACHMENT) that works for
 * [attachments] link_days.  The template variable attachments says
 * which, in words, for the mail's text.
 */
#ifndef DESKMAIL_RELAY_H
#define DESKMAIL_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include "deskmail/compose.h"
#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/template.h"

/* The outbox params that name the files (values: a row id, decimal). */
#define RELAY_MESSAGE	"attach.message"	/* one message's files */
#define RELAY_TICKET	"attach.ticket"		/* every file of the ticket
						   staff may read */

/* Most files one mail names (the rest: `deskmail ticket attachment`). */
#define RELAY_FILES_MAX	100

/* What one outgoing mail carries. */
struct relay {
	struct dm_mail_file	*files;		/* for compose_message() */
	size_t			 nfiles;
	char			**data;		/* owned: files[i].data */
	char			**names;	/* owned: files[i].name */
	char			**types;	/* owned: files[i].type */
};

/*
 * For the mail whose variables are vars (notice_vars(): the row's params
 * among them): set the variable "attachments" ("" when the row names no
 * files) and fill r with the files to attach, decoded from their
 * messages.  links_only: never attach (a digest names its notices'
 * files by link).  A file that cannot be read now is named as such in
 * the text and left out; only the database failing fails.  r is freed
 * with relay_free() either way.
 */
dm_err	relay_files(struct dm_store *st, const struct dm_config *cfg,
	    struct tvars *vars, int links_only, struct relay *r);
void	relay_free(struct relay *r);

struct dm_file;
/*
 * The name file f goes by wherever deskmail passes it on (mail, link,
 * `ticket attachment -o DIR`): filename_safe() of the sender's, and for
 * a file that came without one ("part-2") an extension from its type,
 * so that the reader's system knows what it is.  The caller frees it.
 */
char	*relay_file_name(const struct dm_file *f);

/*
 * The outbox params (outbox_params()) of a notice with text by author,
 * carrying the files of message (or, message 0 and ticket not, of the
 * whole ticket; both 0: none).  team may be NULL.  The caller frees.
 */
char	*relay_params(const char *text, const char *author, const char *team,
	    int64_t message, int64_t ticket);

#endif
