/*
 * header.h - header fields as deskmail writes them.  Whatever the value
 * (a customer's subject, a display name, a file name, template output),
 * the field written is one field: every line break in it is a fold
 * (CRLF then a space), no line is longer than 76 characters unless an
 * address alone is, and a reader decodes exactly header_clean(value).
 */
#ifndef DESKMAIL_HEADER_H
#define DESKMAIL_HEADER_H

#include "deskmail/util.h"

/*
 * The text a field carries for value: every control character (C0, DEL,
 * C1) and line or paragraph separator as a space, runs of white space as
 * one space, no space at either end, bytes that are not UTF-8 as U+FFFD.
 * The caller frees it.
 */
char	*header_clean(const char *value);

/*
 * "Name: value" and CRLF for unstructured text (Subject, Comments):
 * plain words where they are printable ASCII, short enough to fold and
 * not like an RFC 2047 encoded-word; the rest as UTF-8 encoded-words of
 * at most 75 characters, each of whole characters.  name is ours (a
 * field name, never input).
 */
void	header_add_text(struct buf *b, const char *name, const char *value);

/*
 * "Name: display <addr>" and CRLF (From, To, Reply-To): display as a
 * quoted-string, or as encoded-words when it is not short ASCII, or left
 * out when empty.  addr must already pass address_valid().
 */
void	header_add_mailbox(struct buf *b, const char *name,
	    const char *display, const char *addr);

/* How a parameter value that is not short printable ASCII is written. */
enum header_param_style {
	HP_RFC2231,	/* name*=UTF-8''%XX (Content-Disposition filename) */
	HP_RFC2047	/* name="=?UTF-8?B?...?=" (Content-Type name, as
			   mail clients that predate RFC 2231 read it) */
};

/*
 * ";", a folded line and the parameter name=value (a MIME field's, e.g.
 * Content-Disposition's filename) for value, which any bytes may be: a
 * reader decodes exactly header_clean(value).  Short printable ASCII
 * without '"', '\' or "=?" is a quoted-string; anything else is
 * written in style, as RFC 2231 continuations (name*0*=, name*1*=...)
 * or RFC 2047 encoded-words, each a folded line of whole characters.
 * Every line is at most 76 characters with the ';' that may follow it.
 * name is ours (a parameter name, never input).
 */
void	header_add_param(struct buf *b, const char *name, const char *value,
	    enum header_param_style style);

/*
 * The value of an HTTP Content-Disposition (RFC 6266) offering a file
 * named name (any bytes; header_clean()ed) for download: attachment;
 * filename="ASCII fallback"; filename*=UTF-8''%XX...  One line of
 * printable ASCII.  The caller frees it.
 */
char	*header_http_disposition(const char *name);

/*
 * The media type of a file passed on (a mail's attachment, a download's
 * Content-Type) into out (len >= 128): "type/subtype" of token
 * characters, lower case, taken from type (a sender's; parameters such
 * as charset or name are dropped: they are the sender's to set, not
 * ours to pass on), of a registered top-level type (application,
 * audio, font, image, model, text, video).  Anything else, and a message
 * or multipart type (RFC 2046 allows them no base64; their bytes go as
 * they came), is application/octet-stream.
 */
void	header_media_type(const char *type, char *out, size_t len);

/*
 * Nonzero if a can be written as it is inside <> (From, To, Message-ID,
 * X-Loop): local@domain of printable ASCII without specials, at most 254.
 */
int	header_address_safe(const char *a);

#endif
