/*
 * charset.h - every stored text is UTF-8.
 */
#ifndef DESKMAIL_CHARSET_H
#define DESKMAIL_CHARSET_H

#include <stddef.h>

/*
 * Convert len bytes labelled with charset (may be NULL) to UTF-8.  It never
 * fails: ISO-8859-1 and US-ASCII labels are read as windows-1252 (what
 * senders mean), text that is valid UTF-8 is kept whatever its label says
 * when the label is unknown, undecodable bytes become U+FFFD, NUL bytes are
 * dropped.  Returns a NUL-terminated string the caller frees; *outlen (may
 * be NULL) gets its length.
 */
char	*charset_to_utf8(const char *charset, const char *in, size_t len,
	    size_t *outlen);

/* Route libetpan's own conversions (RFC 2047 words) through the above. */
void	 charset_install(void);

#endif
