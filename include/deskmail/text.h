/*
 * text.h - turning mail bodies into the text people read: HTML to plain
 * text, and the "new text" of a reply with quoted history and signature cut.
 */
#ifndef DESKMAIL_TEXT_H
#define DESKMAIL_TEXT_H

#include <stddef.h>

#include "deskmail/err.h"

/*
 * Readable plain text from UTF-8 HTML: scripts, styles and comments dropped,
 * block elements become line breaks, list items "- ", links "text <url>",
 * entities decoded.  The caller frees the result.
 */
char	*html_to_text(const char *html, size_t len);

/*
 * The new part of a reply: drops quoted lines ("> ..."), everything from an
 * attribution line ("On ... wrote:", "-----Original Message-----", an
 * Outlook header block) on, and the signature ("-- " and below).  Returns a
 * new string (the caller frees it), possibly empty.
 */
char	*text_strip_quoted(const char *text);

/* Compile the patterns text_strip_quoted() uses; call once at start-up. */
dm_err	 text_init(void);

#endif
