/*
 * html.c - HTML-only mail turned into readable text.
 *
 * A small tag scanner, not a browser: it only has to make the words of an
 * HTML mail readable and keep its paragraphs and links.  It reads its
 * input once, left to right, with no recursion, so hostile nesting costs
 * nothing.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/text.h"
#include "deskmail/util.h"

struct out {
	struct buf	b;
	int		space;		/* a space is pending */
	int		pre;		/* inside <pre> */
	char		*href;		/* URL of the open <a>, if any */
	size_t		 link_start;	/* where its text began in b */
};

static const struct { const char *name; uint32_t cp; } entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", ' ' }, { "copy", 0xa9 }, { "reg", 0xae },
	{ "trade", 0x2122 }, { "mdash", 0x2014 }, { "ndash", 0x2013 },
	{ "hellip", 0x2026 }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201c }, { "rdquo", 0x201d }, { "euro", 0x20ac },
	{ "pound", 0xa3 }, { "bull", 0x2022 }, { "middot", 0xb7 },
	{ "laquo", 0xab }, { "raquo", 0xbb }, { "eacute", 0xe9 },
	{ "egrave", 0xe8 }, { "agrave", 0xe0 }, { "auml", 0xe4 },
	{ "ouml", 0xf6 }, { "uuml", 0xfc }, { "szlig", 0xdf },
	{ "ccedil", 0xe7 }, { "zwnj", 0 }, { "shy", 0 }, { NULL, 0 },
};

static void
emit_cp(struct buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp == 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return;
	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	buf_add(b, u, n);
}

static int
at_line_start(struct out *o)
{
	return o->b.len == 0 || o->b.data[o->b.len - 1] == '\n';
}

static void
put_text(struct out *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!o->pre && (c == ' ' || c == '\t' || c == '\n' ||
		    c == '\r' || c == '\f')) {
			o->space = 1;
			continue;
		}
		if (o->space && !at_line_start(o))
			buf_addc(&o->b, ' ');
		o->space = 0;
		if (c != '\r')
			buf_addc(&o->b, (char)c);
	}
}

static void
newline(struct out *o, int blank)
{
	o->space = 0;
	while (o->b.len > 0 && o->b.data[o->b.len - 1] == ' ')
		o->b.data[--o->b.len] = '\0';
	if (o->b.len == 0)
		return;
	if (!at_line_start(o))
		buf_addc(&o->b, '\n');
	if (blank && !(o->b.len >= 2 && o->b.data[o->b.len - 2] == '\n'))
		buf_addc(&o->b, '\n');
}

/* Put one decoded character; a space from &nbsp; is ordinary space. */
static void
put_cp(struct out *o, uint32_t cp)
{
	struct buf t;

	if (cp == ' ') {
		o->space = 1;
		return;
	}
	buf_init(&t);
	emit_cp(&t, cp);
	if (t.len > 0)
		put_text(o, t.data, t.len);
	buf_free(&t);
}

/* Decode the entity at s (after '&'); returns bytes consumed or 0. */
static size_t
entity(struct out *o, const char *s, const char *end)
{
	char name[12];
	size_t n = 0, i;
	uint32_t cp = 0;

	if (s < end && *s == '#') {
		const char *p = s + 1;
		int hex = 0, digits = 0;

		if (p < end && (*p == 'x' || *p == 'X')) {
			hex = 1;
			p++;
		}
		for (; p < end && digits < 8; p++, digits++) {
			if (hex && isxdigit((unsigned char)*p))
				cp = cp * 16 + (uint32_t)(isdigit((unsigned char)*p) ?
				    *p - '0' : (tolower((unsigned char)*p) - 'a' + 10));
			else if (!hex && isdigit((unsigned char)*p))
				cp = cp * 10 + (uint32_t)(*p - '0');
			else
				break;
		}
		if (digits == 0)
			return 0;
		if (p < end && *p == ';')
			p++;
		n = (size_t)(p - s);
		if (cp == 0xa0)
			cp = ' ';
		if (cp >= 0x80 && cp < 0xa0)	/* windows-1252 numeric refs */
			cp = '?';
		put_cp(o, cp);
		return n;
	}
	while (s + n < end && n < sizeof(name) - 1 &&
	    isalnum((unsigned char)s[n])) {
		name[n] = s[n];
		n++;
	}
	name[n] = '\0';
	if (n == 0)
		return 0;
	for (i = 0; entities[i].name != NULL; i++) {
		if (strcmp(entities[i].name, name) == 0) {
			put_cp(o, entities[i].cp);
			if (s + n < end && s[n] == ';')
				n++;
			return n;
		}
	}
	return 0;
}

/* Copy the value of attribute attr from the tag text into a new string. */
static char *
tag_attr(const char *tag, size_t len, const char *attr)
{
	size_t alen = strlen(attr), i;

	for (i = 0; i + alen + 1 < len; i++) {
		if ((i == 0 || isspace((unsigned char)tag[i - 1])) &&
		    strncasecmp(tag + i, attr, alen) == 0) {
			size_t j = i + alen, start;
			char q;

			while (j < len && isspace((unsigned char)tag[j]))
				j++;
			if (j >= len || tag[j] != '=')
				continue;
			j++;
			while (j < len && isspace((unsigned char)tag[j]))
				j++;
			q = (j < len && (tag[j] == '"' || tag[j] == '\'')) ?
			    tag[j++] : 0;
			start = j;
			while (j < len && (q ? tag[j] != q :
			    !isspace((unsigned char)tag[j]) && tag[j] != '>'))
				j++;
			return xstrndup(tag + start, j - start);
		}
	}
	return NULL;
}

static int
name_is(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(name, *list) == 0)
			return 1;
	return 0;
}

static void
handle_tag(struct out *o, const char *tag, size_t len)
{
	static const char *const para[] = { "p", "div", "table", "ul", "ol",
	    "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "hr",
	    "section", "article", "header", "footer", "dl", NULL };
	static const char *const line[] = { "br", "tr", "li", "dt", "dd",
	    "address", "center", "form", "caption", NULL };
	char name[16];
	size_t n = 0, i = 0;
	int closing = 0;

	if (i < len && tag[i] == '/') {
		closing = 1;
		i++;
	}
	while (i < len && n < sizeof(name) - 1 &&
	    (isalnum((unsigned char)tag[i]))) {
		name[n++] = tag[i++];
	}
	name[n] = '\0';
	if (n == 0)
		return;
	if (strcasecmp(name, "pre") == 0)
		o->pre = !closing;
	if (name_is(name, para)) {
		newline(o, 1);
	} else if (name_is(name, line)) {
		newline(o, 0);
		if (!closing && strcasecmp(name, "li") == 0)
			buf_adds(&o->b, "- ");
	} else if (strcasecmp(name, "td") == 0 || strcasecmp(name, "th") == 0) {
		o->space = 1;
	} else if (strcasecmp(name, "a") == 0) {
		if (!closing) {
			free(o->href);
			o->href = tag_attr(tag + i, len - i, "href");
			o->link_start = o->b.len;
		} else if (o->href != NULL) {
			size_t tlen = o->b.len - o->link_start;
			const char *h = o->href;

			if ((strncasecmp(h, "http", 4) == 0 ||
			    strncasecmp(h, "mailto:", 7) == 0) &&
			    !(tlen == strlen(h) &&
			    memcmp(o->b.data + o->link_start, h, tlen) == 0)) {
				if (strncasecmp(h, "mailto:", 7) == 0)
					h += 7;
				if (!(tlen == strlen(h) && memcmp(o->b.data +
				    o->link_start, h, tlen) == 0)) {
					if (tlen > 0)
						buf_addc(&o->b, ' ');
					buf_addf(&o->b, "<%s>", h);
				}
			}
			free(o->href);
			o->href = NULL;
		}
	} else if (strcasecmp(name, "img") == 0 && !closing) {
		char *alt = tag_attr(tag + i, len - i, "alt");

		if (alt != NULL && *alt)
			put_text(o, alt, strlen(alt));
		free(alt);
	}
}

/* Where the element whose content we skip (script, style...) ends. */
static const char *
skip_element(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name);

	for (; p + n + 2 <= end; p++)
		if (p[0] == '<' && p[1] == '/' &&
		    strncasecmp(p + 2, name, n) == 0)
			break;
	while (p < end && *p != '>')
		p++;
	return p < end ? p + 1 : end;
}

char *
html_to_text(const char *html, size_t len)
{
	static const char *const skipped[] = { "script", "style", "head",
	    "title", NULL };
	const char *p = html, *end = html + len, *q;
	struct out o;
	size_t i;

	memset(&o, 0, sizeof(o));
	buf_init(&o.b);
	buf_add(&o.b, "", 0);
	while (p < end) {
		if (*p == '<') {
			if (end - p >= 4 && memcmp(p, "<!--", 4) == 0) {
				q = p + 4;
				while (q + 3 <= end && memcmp(q, "-->", 3) != 0)
					q++;
				p = q + 3 <= end ? q + 3 : end;
				continue;
			}
			q = p + 1;
			while (q < end && *q != '>')
				q++;
			if (q >= end) {		/* a lone '<' is text */
				put_text(&o, p, 1);
				p++;
				continue;
			}
			handle_tag(&o, p + 1, (size_t)(q - p - 1));
			for (i = 0; skipped[i] != NULL; i++) {
				size_t n = strlen(skipped[i]);

				if ((size_t)(q - p - 1) >= n &&
				    strncasecmp(p + 1, skipped[i], n) == 0 &&
				    (p[1 + n] == '>' || p[1 + n] == '/' ||
				    isspace((unsigned char)p[1 + n])))
					break;
			}
			p = q + 1;
			if (skipped[i] != NULL && q[-1] != '/')
				p = skip_element(p, end, skipped[i]);
			continue;
		}
		if (*p == '&') {
			size_t n = entity(&o, p + 1, end);

			if (n > 0) {
				p += n + 1;
				continue;
			}
		}
		q = p;
		while (q < end && *q != '<' && *q != '&')
			q++;
		if (q == p)
			q++;
		put_text(&o, p, (size_t)(q - p));
		p = q;
	}
	newline(&o, 0);
	free(o.href);
	while (o.b.len > 0 && (o.b.data[o.b.len - 1] == '\n'))
		o.b.data[--o.b.len] = '\0';
	return buf_release(&o.b);
}
