/*
 * compose.h - an outgoing mail as RFC 5322 bytes: headers written here
 * (sanitised, RFC 2047 encoded), the MIME body (quoted-printable UTF-8
 * text, optionally multipart/alternative with HTML; with files,
 * multipart/mixed: the text, then each file as an attachment in base64)
 * written by libetpan.
 */
#ifndef DESKMAIL_COMPOSE_H
#define DESKMAIL_COMPOSE_H

#include <stddef.h>
#include <time.h>

#include "deskmail/err.h"

enum auto_submitted { AS_NONE, AS_AUTO_REPLIED, AS_AUTO_GENERATED };

/* A file the mail carries, after its text. */
struct dm_mail_file {
	const char	*name;		/* as the reader saves it (filename.h) */
	const char	*type;		/* "image/png": only type/subtype kept */
	const char	*data;
	size_t		 len;
};

struct dm_mail {
	const char		*from_name;	/* display name, UTF-8 */
	const char		*from_addr;
	const char		*to;
	const char		*reply_to;	/* or NULL: none */
	const char		*subject;	/* UTF-8, any characters */
	const char		*message_id;	/* without <> */
	const char		*in_reply_to;	/* without <>, or NULL */
	const char		*refs;		/* ids without <>, space separated */
	const char		*x_loop;	/* our address */
	enum auto_submitted	 auto_submitted;
	const char		*content_language;	/* "es", or NULL */
	time_t			 date;
	const char		*text;
	const char		*html;		/* or NULL */
	const struct dm_mail_file *files;	/* nfiles of them, or NULL */
	size_t			 nfiles;
};

/*
 * The message with CRLF line ends and no line longer than 998 bytes.
 * Every value is written by header.c: no input can end a field early
 * or add one.  *out is freed by the caller.
 */
dm_err	compose_message(const struct dm_mail *m, char **out, size_t *len);

#endif
