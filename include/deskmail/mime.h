/*
 * mime.h - one raw RFC 5322 message parsed (with libetpan) into what
 * deskmail stores and decides on: addresses, decoded subject, threading ids,
 * the body as UTF-8 text, attachments, and the headers that mark automatic
 * mail.
 */
#ifndef DESKMAIL_MIME_H
#define DESKMAIL_MIME_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct dm_attachment {
	char	*name;		/* decoded file name, UTF-8, never NULL */
	char	*type;		/* "image/png", lower case */
	int	 is_inline;	/* Content-Disposition: inline (or a cid image) */
	char	*content_id;	/* without <>, or NULL */
	char	*data;		/* decoded bytes, or NULL: files are left in the
				 * raw message and only measured */
	size_t	 size;
};

struct dm_parsed {
	char	*from;		/* first From address, lower case, or NULL */
	char	*from_name;	/* decoded display name, or NULL */
	char	*reply_to;	/* first Reply-To address, or NULL */
	char	*to;		/* "a@x, b@y" (lower case), or NULL */
	char	*cc;
	char	*envelope_to;	/* Delivered-To and X-Original-To values, top
				 * first, joined with ", ", or NULL */
	char	*subject;	/* decoded, UTF-8, never NULL */
	char	*date;		/* the Date header as written, or NULL */
	char	*message_id;	/* without <>, or NULL */
	char   **refs;		/* In-Reply-To first, then References, newest first */
	size_t	 nrefs;

	char	*body;		/* the text body, UTF-8, never NULL */
	int	 body_from_html;/* body was converted from text/html */
	char	*new_text;	/* body without quoted history and signature */

	char	*content_language;	/* the Content-Language value, or NULL */

	struct dm_attachment *att;
	size_t	 natt;
	size_t	 nparts;	/* MIME parts seen */

	/* what classify.c looks at */
	char	*auto_submitted;
	char	*precedence;
	char	*list_id;
	char	*x_loop;	/* all X-Loop values, joined with ", " */
	char	*return_path;	/* "" for the null sender <>, NULL if absent */
	int	 x_autoreply;	/* X-Autoreply / X-Autorespond / X-Auto-Response-Suppress: all */
	int	 is_report;	/* multipart/report (a DSN or MDN) */
	char	*report_type;	/* its report-type parameter */
	char	*report_refs;	/* Message-ID of the message a DSN is about */
	char   **auth_results;	/* Authentication-Results values, top first */
	size_t	 nauth_results;
};

/*
 * Parse len bytes of raw message.  Limits come from lim: over one the
 * result is DM_ELIMIT and dm_errdetail() says which; a message with no
 * header fields at all is DM_EPARSE.  On success *out is a new dm_parsed
 * the caller frees with mime_free().
 */
dm_err	mime_parse(const char *raw, size_t len, const struct dm_limits *lim,
	    struct dm_parsed **out);

/*
 * The decoded bytes of the attachment at index (0: the first) in the
 * order mime_parse() lists them, from the raw message as stored: the
 * store keeps a file's name, type and size, not its bytes a second time.
 * *parsed is the whole message parsed (the caller checks that
 * (*parsed)->att[index] is the file it expects, frees it with
 * mime_free()); *data (NUL after *size bytes) is freed by the caller.
 * DM_ENOTFOUND when the message has fewer attachments.
 */
dm_err	mime_attachment(const char *raw, size_t len,
	    const struct dm_limits *lim, size_t index,
	    struct dm_parsed **parsed, char **data, size_t *size);

void	mime_free(struct dm_parsed *m);

/* The address in a header value ("Ann <a@x>" -> "a@x"), lower case, or
 * NULL; caller frees. */
char	*mime_address_in(const char *value);

/* Nonzero if the message starts with an mbox "From " separator line. */
int	mime_is_mbox_line(const char *raw, size_t len);

/* Decode RFC 2047 words in a header value into UTF-8; caller frees. */
char	*mime_decode_header(const char *value);

#endif
