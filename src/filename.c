/*
 * filename.c - file names from senders made safe to write (filename.h
 * says what safe means).  A pure function over the bytes: no locale, no
 * file system, so a mail client, a browser and `ticket attachment -o`
 * all get the same name.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/filename.h"
#include "deskmail/util.h"

/* An extension longer than this is part of the name, not kept whole. */
#define EXT_MAX		16

/* Characters that become '_': controls, separators, bidi controls. */
static int
replaced(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) ||
	    c == 0x2028 || c == 0x2029 ||		/* line, paragraph */
	    c == 0x200e || c == 0x200f || c == 0x061c ||	/* marks */
	    (c >= 0x202a && c <= 0x202e) ||		/* embeddings */
	    (c >= 0x2066 && c <= 0x2069) ||		/* isolates */
	    c == 0xfeff || c == 0xfffe || c == 0xffff ||
	    (c < 0x80 && strchr("*?\"<>|:", (int)c) != NULL);
}

static int
device_name(const char *s)
{
	static const char *const dev[] = { "con", "prn", "aux", "nul", NULL };
	size_t n = strcspn(s, ".");
	size_t i;

	for (i = 0; dev[i] != NULL; i++)
		if (n == 3 && strncasecmp(s, dev[i], 3) == 0)
			return 1;
	return n == 4 && (strncasecmp(s, "com", 3) == 0 ||
	    strncasecmp(s, "lpt", 3) == 0) && s[3] >= '1' && s[3] <= '9';
}

/* Trim spaces and dots at the end of s (length *n), in place. */
static void
trim_end(char *s, size_t *n)
{
	while (*n > 0 && (s[*n - 1] == ' ' || s[*n - 1] == '.'))
		(*n)--;
	s[*n] = '\0';
}

/* How much of s (len bytes) fits in max bytes, ending on a character. */
static size_t
utf8_prefix(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	while (n > 0 && n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Cut s (len bytes) to FILENAME_MAX_BYTES, keeping a short extension. */
static void
cap(char *s, size_t *len)
{
	const char *dot = strrchr(s, '.');
	size_t ext = dot != NULL && dot != s ? strlen(dot) : 0, stem;

	if (*len <= FILENAME_MAX_BYTES)
		return;
	if (ext > EXT_MAX || ext < 2)
		ext = 0;
	stem = utf8_prefix(s, *len - ext, FILENAME_MAX_BYTES - ext);
	memmove(s + stem, s + *len - ext, ext + 1);
	*len = stem + ext;
	if (ext > 0) {
		/* "name .pdf" would end the stem in a space */
		while (stem > 0 && (s[stem - 1] == ' ' || s[stem - 1] == '.')) {
			memmove(s + stem - 1, s + stem, ext + 1);
			stem--;
			(*len)--;
		}
	}
	trim_end(s, len);
}

char *
filename_safe(const char *name, const char *fallback)
{
	const char *p = name ? name : "", *q;
	size_t n, i = 0, k;
	struct buf b;
	uint32_t c;
	int space = 0;
	char *s;

	/* no directories: only what follows the last separator */
	for (q = p; *q; q++)
		if (*q == '/' || *q == '\\')
			p = q + 1;
	n = strlen(p);
	buf_init(&b);
	buf_add(&b, "", 0);
	while (i < n) {
		if ((k = utf8_char(p + i, n - i, &c)) == 0) {
			c = '_';	/* a byte that is not UTF-8 */
			k = 1;
		} else if (c == '\t' || c == '\r' || c == '\n' || c == ' ' ||
		    c == 0xa0) {
			space = 1;
			i += k;
			continue;
		} else if (replaced(c))
			c = '_';
		if (space && b.len > 0)
			buf_addc(&b, ' ');
		space = 0;
		if (c == '_')
			buf_addc(&b, '_');
		else
			buf_add(&b, p + i, k);
		i += k;
	}
	s = buf_release(&b);
	/* no hidden file, no name ending in a dot or a space */
	for (k = 0; s[k] == '.' || s[k] == ' '; k++)
		;
	n = strlen(s + k);
	memmove(s, s + k, n + 1);
	trim_end(s, &n);
	cap(s, &n);
	if (n == 0) {
		free(s);
		return xstrdup(fallback && *fallback ? fallback : "attachment");
	}
	if (device_name(s)) {
		char *d = xasprintf("_%s", s);

		free(s);
		s = d;
		n++;
		if (n > FILENAME_MAX_BYTES) {
			n = utf8_prefix(s, n, FILENAME_MAX_BYTES);
			trim_end(s, &n);
		}
	}
	return s;
}
