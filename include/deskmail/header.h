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

/*
 * Nonzero if a can be written as it is inside <> (From, To, Message-ID,
 * X-Loop): local@domain of printable ASCII without specials, at most 254.
 */
int	header_address_safe(const char *a);

#endif
