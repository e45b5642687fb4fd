/*
 * header.c - header fields that no input can break.
 *
 * A header field ends at a CRLF that is not followed by a space or tab.
 * Values from customers, staff and templates reach the fields we write
 * (a ticket's subject in every notice's Subject, names in From), so
 * every field with such a value is written here: controls never pass,
 * lines are folded only before a space, and a word that cannot be folded
 * (too long, not ASCII, or one a reader would decode as an encoded-word)
 * is written as RFC 2047 encoded-words.  Cutting such a word with a bare
 * CRLF once let a 70-character subject word start a Reply-To field.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <nettle/base64.h>

#include "deskmail/header.h"

/* RFC 2047: a line with encoded-words is at most 76 characters long. */
#define LINE_MAX_COLS	76
/* A plain word longer than this is encoded (it could not be folded). */
#define PLAIN_WORD_MAX	60
/* "=?UTF-8?B?" and "?=" around the base64 of one encoded-word. */
#define EW_OVERHEAD	12
/* 45 bytes are 60 base64 characters: an encoded-word of 72 (<= 75). */
#define EW_RAW_MAX	45

static int
is_break(uint32_t c)
{
	/* C0, DEL, C1 (NEL among them), LINE and PARAGRAPH SEPARATOR */
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 ||
	    c == 0x2029;
}

char *
header_clean(const char *value)
{
	const char *p = value ? value : "";
	size_t n = strlen(p), i = 0, k;
	struct buf b;
	uint32_t c;
	int space = 0;

	buf_init(&b);
	buf_add(&b, "", 0);
	while (i < n) {
		if ((k = utf8_char(p + i, n - i, &c)) == 0) {
			c = 0xfffd;	/* one byte that is not UTF-8 */
			k = 1;
		}
		i += k;
		if (c == ' ' || is_break(c)) {
			space = b.len > 0;
			continue;
		}
		if (space)
			buf_addc(&b, ' ');
		space = 0;
		if (c == 0xfffd && k == 1)
			buf_adds(&b, "\xef\xbf\xbd");
		else
			buf_add(&b, p + i - k, k);
	}
	return buf_release(&b);
}

/* A word a reader takes as it is: printable ASCII, short, no "=?". */
static int
plain_word(const char *w, size_t n)
{
	size_t i;

	if (n > PLAIN_WORD_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		if ((unsigned char)w[i] < '!' || (unsigned char)w[i] > '~')
			return 0;
		if (w[i] == '=' && i + 1 < n && w[i + 1] == '?')
			return 0;
	}
	return 1;
}

/* Where a field's value is being written: the line's column so far. */
struct field {
	struct buf	*b;
	size_t		 col;
	size_t		 max;		/* longest line: LINE_MAX_COLS, less
					   what must still follow it */
	int		 empty;		/* nothing after "Name:" yet */
};

/* Room for len more characters on this line after a space; else fold. */
static void
field_space(struct field *f, size_t len)
{
	if (f->empty) {
		buf_addc(f->b, ' ');
		f->col++;
	} else if (f->col + 1 + len > f->max) {
		buf_adds(f->b, "\r\n ");
		f->col = 1;
	} else {
		buf_addc(f->b, ' ');
		f->col++;
	}
	f->empty = 0;
}

/*
 * s (n bytes of UTF-8) as encoded-words, each as long as the line allows
 * and ending on a character boundary.  White space between two of them
 * is dropped by a reader, so the spaces of s are inside the words.
 */
static void
field_encoded(struct field *f, const char *s, size_t n)
{
	char b64[BASE64_ENCODE_RAW_LENGTH(EW_RAW_MAX) + 1];
	size_t room, take;

	while (n > 0) {
		/* bytes that fit after a space on this line, whole groups */
		room = f->col + 1 + EW_OVERHEAD < f->max ? (f->max -
		    f->col - 1 - EW_OVERHEAD) / 4 * 3 : 0;
		if (room > EW_RAW_MAX)
			room = EW_RAW_MAX;
		take = n < room ? n : room;
		while (take > 0 && take < n && (s[take] & 0xc0) == 0x80)
			take--;
		if (take == 0) {
			/* not one character fits: the next line has room */
			if (f->empty) {
				buf_addc(f->b, ' ');
				f->empty = 0;
			}
			buf_adds(f->b, "\r\n");
			f->col = 0;
			continue;
		}
		base64_encode_raw(b64, take, (const uint8_t *)s);
		b64[BASE64_ENCODE_RAW_LENGTH(take)] = '\0';
		field_space(f, EW_OVERHEAD + strlen(b64));
		buf_addf(f->b, "=?UTF-8?B?%s?=", b64);
		f->col += EW_OVERHEAD + strlen(b64);
		s += take;
		n -= take;
	}
}

static void
field_start(struct field *f, struct buf *b, const char *name)
{
	f->b = b;
	buf_addf(b, "%s:", name);
	f->col = strlen(name) + 1;
	f->max = LINE_MAX_COLS;
	f->empty = 1;
}

void
header_add_text(struct buf *b, const char *name, const char *value)
{
	char *v = header_clean(value), *w = v, *run = NULL, *end;
	struct field f;
	size_t n;

	field_start(&f, b, name);
	/* words are separated by one space in a cleaned value */
	for (;;) {
		end = strchr(w, ' ');
		n = end ? (size_t)(end - w) : strlen(w);
		if (n > 0 && plain_word(w, n)) {
			if (run != NULL)
				field_encoded(&f, run, (size_t)(w - 1 - run));
			run = NULL;
			field_space(&f, n);
			buf_add(b, w, n);
			f.col += n;
		} else if (n > 0 && run == NULL)
			run = w;	/* encoded with the words after it */
		if (end == NULL)
			break;
		w = end + 1;
	}
	if (run != NULL)
		field_encoded(&f, run, strlen(run));
	buf_adds(b, "\r\n");
	free(v);
}

/* A display name as a quoted-string: short printable ASCII only. */
static int
quotable(const char *v)
{
	size_t n = 0;

	if (strstr(v, "=?") != NULL)
		return 0;
	for (; *v; v++) {
		if ((unsigned char)*v < ' ' || (unsigned char)*v > '~')
			return 0;
		n += *v == '"' || *v == '\\' ? 2 : 1;
	}
	return n <= PLAIN_WORD_MAX;
}

void
header_add_mailbox(struct buf *b, const char *name, const char *display,
    const char *addr)
{
	char *v = header_clean(display);
	struct field f;
	const char *p;
	size_t n = strlen(addr) + 2;

	field_start(&f, b, name);
	if (*v != '\0' && quotable(v)) {
		field_space(&f, 0);
		buf_addc(b, '"');
		for (p = v; *p; p++) {
			if (*p == '"' || *p == '\\') {
				buf_addc(b, '\\');
				f.col++;
			}
			buf_addc(b, *p);
			f.col++;
		}
		buf_addc(b, '"');
		f.col += 2;
	} else if (*v != '\0')
		field_encoded(&f, v, strlen(v));
	field_space(&f, n);
	buf_addf(b, "<%s>\r\n", addr);
	free(v);
}

int
header_address_safe(const char *a)
{
	const char *at = a ? strchr(a, '@') : NULL;

	if (at == NULL || at == a || at[1] == '\0' || strlen(a) > 254)
		return 0;
	for (; *a; a++)
		if ((unsigned char)*a <= ' ' || (unsigned char)*a >= 0x7f ||
		    strchr("<>,;:\"()[]\\", *a) != NULL)
			return 0;
	return 1;
}

/* ---- MIME parameters ------------------------------------------------- */

/* RFC 2231 attribute-char: what an extended value keeps as it is. */
static int
attribute_char(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || strchr("!#$&+-.^_`{|}~", c) != NULL;
}

/* A value that is written as a quoted-string as it is. */
static int
quotable_param(const char *v)
{
	if (strstr(v, "=?") != NULL)
		return 0;	/* a reader might decode it as an encoded-word */
	for (; *v; v++)
		if ((unsigned char)*v < ' ' || (unsigned char)*v > '~' ||
		    *v == '"' || *v == '\\')
			return 0;
	return 1;
}

/* The percent-encoding of one character (k bytes at s) into out. */
static size_t
pct_char(const char *s, size_t k, char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = 0;

	for (i = 0; i < k; i++) {
		unsigned char c = (unsigned char)s[i];

		if (attribute_char(c)) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return n;
}

/* The length of the character at s (n bytes left): 1 for a stray byte. */
static size_t
char_len(const char *s, size_t n)
{
	uint32_t c;
	size_t k = utf8_char(s, n, &c);

	return k ? k : 1;
}

/*
 * RFC 2231: name*=UTF-8''%XX... on one line when it fits, else
 * continuations name*0*=UTF-8''..., name*1*=... of whole characters,
 * each on a folded line of at most LINE_MAX_COLS with its ';'.
 */
static void
param_2231(struct buf *b, const char *name, const char *v)
{
	size_t n = strlen(v), i, k, len, seg, line, pre;
	char enc[13], num[16];
	struct buf all;
	int part = 0;

	buf_init(&all);
	buf_add(&all, "", 0);
	for (i = 0; i < n; i += k) {
		k = char_len(v + i, n - i);
		pct_char(v + i, k, enc);
		buf_adds(&all, enc);
	}
	/* " name*=UTF-8''" + value + ";" */
	if (1 + strlen(name) + 2 + 7 + all.len + 1 <= LINE_MAX_COLS) {
		buf_addf(b, ";\r\n %s*=UTF-8''%s", name, all.data);
		buf_free(&all);
		return;
	}
	buf_free(&all);
	for (i = 0; i < n || part == 0; part++) {
		snprintf(num, sizeof(num), "%d", part);
		pre = part == 0 ? 7 : 0;		/* UTF-8'' */
		line = 1 + strlen(name) + 1 + strlen(num) + 2 + pre + 1;
		buf_addf(b, ";\r\n %s*%s*=%s", name, num, part == 0 ?
		    "UTF-8''" : "");
		/* at least one character a line, whatever its length */
		for (seg = 0; i < n; i += k, seg++) {
			k = char_len(v + i, n - i);
			len = pct_char(v + i, k, enc);
			if (seg > 0 && line + len > LINE_MAX_COLS)
				break;
			buf_adds(b, enc);
			line += len;
		}
	}
}

/*
 * RFC 2047 encoded-words inside a quoted-string, as most mail clients
 * write a Content-Type name: "=?UTF-8?B?...?=", one word a folded line.
 */
static void
param_2047(struct buf *b, const char *name, const char *v)
{
	char b64[BASE64_ENCODE_RAW_LENGTH(EW_RAW_MAX) + 1];
	size_t n = strlen(v), col, room, take;
	int first = 1;

	buf_addf(b, ";\r\n %s=\"", name);
	col = 1 + strlen(name) + 2;
	while (n > 0 || first) {
		if (!first) {
			buf_adds(b, "\r\n ");
			col = 1;
		}
		/* room for the word and, after the last, "\";" */
		room = (LINE_MAX_COLS - col - EW_OVERHEAD - 2) / 4 * 3;
		if (room > EW_RAW_MAX)
			room = EW_RAW_MAX;
		take = n < room ? n : room;
		while (take > 0 && take < n && (v[take] & 0xc0) == 0x80)
			take--;
		if (take == 0 && n > 0)
			take = char_len(v, n);	/* never: room is >= 45 */
		base64_encode_raw(b64, take, (const uint8_t *)v);
		b64[BASE64_ENCODE_RAW_LENGTH(take)] = '\0';
		buf_addf(b, "=?UTF-8?B?%s?=", b64);
		v += take;
		n -= take;
		first = 0;
	}
	buf_addc(b, '"');
}

void
header_add_param(struct buf *b, const char *name, const char *value,
    enum header_param_style style)
{
	char *v = header_clean(value);

	if (quotable_param(v) && 1 + strlen(name) + 3 + strlen(v) + 1 <=
	    LINE_MAX_COLS)
		buf_addf(b, ";\r\n %s=\"%s\"", name, v);
	else if (style == HP_RFC2047)
		param_2047(b, name, v);
	else
		param_2231(b, name, v);
	free(v);
}

char *
header_http_disposition(const char *name)
{
	char *v = header_clean(name), enc[13];
	size_t n = strlen(v), i, k;
	struct buf b;

	buf_init(&b);
	buf_adds(&b, "attachment; filename=\"");
	/* the ASCII name for old browsers; the rest read filename* */
	for (i = 0; i < n; i += k) {
		k = char_len(v + i, n - i);
		buf_addc(&b, k == 1 && (unsigned char)v[i] >= ' ' &&
		    (unsigned char)v[i] <= '~' && v[i] != '"' &&
		    v[i] != '\\' && v[i] != '%' ? v[i] : '_');
	}
	buf_adds(&b, "\"; filename*=UTF-8''");
	for (i = 0; i < n; i += k) {
		k = char_len(v + i, n - i);
		pct_char(v + i, k, enc);
		buf_adds(&b, enc);
	}
	free(v);
	return buf_release(&b);
}

/* ---- media types ----------------------------------------------------- */

/* The registered top-level types a file may have (RFC 6838; message and
 * multipart are not files, example is for documentation). */
static int
top_level(const char *p, size_t n)
{
	static const char *const types[] = { "application", "audio", "font",
	    "image", "model", "text", "video", NULL };
	size_t i;

	for (i = 0; types[i] != NULL; i++)
		if (n == strlen(types[i]) && strncasecmp(p, types[i], n) == 0)
			return 1;
	return 0;
}

void
header_media_type(const char *type, char *out, size_t len)
{
	const char *p = type ? type : "";
	size_t n, i;
	int slashes = 0;

	snprintf(out, len, "application/octet-stream");
	while (*p == ' ' || *p == '\t')
		p++;
	for (n = strcspn(p, ";"); n > 0 && (p[n - 1] == ' ' ||
	    p[n - 1] == '\t'); n--)
		;
	if (n == 0 || n >= len || n > 127 ||
	    strncasecmp(p, "message/", 8) == 0 ||
	    strncasecmp(p, "multipart/", 10) == 0)
		return;
	for (i = 0; i < n; i++) {
		if (p[i] == '/') {
			if (i == 0 || i == n - 1 || ++slashes > 1)
				return;
		} else if (!isalnum((unsigned char)p[i]) &&
		    strchr("!#$&^_.+-", p[i]) == NULL)
			return;
	}
	if (slashes != 1 || !top_level(p, (size_t)(strchr(p, '/') - p)))
		return;
	memcpy(out, p, n);
	out[n] = '\0';
	str_lower(out);
}
