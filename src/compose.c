/*
 * compose.c - building outgoing messages.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>
#include <nettle/base64.h>

#include "deskmail/compose.h"
#include "deskmail/util.h"

/* A header value on one line: controls and line breaks become spaces. */
static char *
one_line(const char *v)
{
	char *s = xstrdup(v ? v : ""), *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	return str_squeeze(s);
}

/* An address fit for a header: no spaces, brackets, commas or controls. */
static int
safe_address(const char *a)
{
	const char *at = a ? strchr(a, '@') : NULL;

	if (at == NULL || at == a || at[1] == '\0')
		return 0;
	for (; *a; a++)
		if ((unsigned char)*a <= ' ' || (unsigned char)*a >= 0x7f ||
		    strchr("<>,;:\"()[]\\", *a) != NULL)
			return 0;
	return 1;
}

static int
needs_encoding(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x80)
			return 1;
	return 0;
}

char *
compose_encode_header(const char *value)
{
	char *v = one_line(value), chunk64[BASE64_ENCODE_RAW_LENGTH(45) + 1];
	const unsigned char *p, *end;
	struct buf b;
	size_t n;

	if (!needs_encoding(v) && strstr(v, "=?") == NULL) {
		/* fold long ASCII values at spaces, lines stay short */
		buf_init(&b);
		buf_add(&b, "", 0);
		for (p = (unsigned char *)v; *p; ) {
			const unsigned char *sp = p;
			size_t col = 0;

			while (*sp && col < 70) {
				sp++;
				col++;
			}
			if (*sp) {
				const unsigned char *back = sp;

				while (back > p && *back != ' ')
					back--;
				if (back > p)
					sp = back;
			}
			buf_add(&b, p, (size_t)(sp - p));
			p = sp;
			if (*p)
				buf_adds(&b, "\r\n");	/* next line starts with the space */
		}
		free(v);
		return buf_release(&b);
	}
	/* RFC 2047 B words of whole UTF-8 characters, <= 75 chars each */
	buf_init(&b);
	p = (unsigned char *)v;
	end = p + strlen(v);
	while (p < end) {
		n = (size_t)(end - p) < 45 ? (size_t)(end - p) : 45;
		while (n < (size_t)(end - p) && n > 0 && (p[n] & 0xc0) == 0x80)
			n--;
		base64_encode_raw(chunk64, n, p);
		chunk64[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
		buf_addf(&b, "%s=?UTF-8?B?%s?=", b.len ? "\r\n " : "", chunk64);
		p += n;
	}
	free(v);
	return buf_release(&b);
}

static void
rfc5322_date(time_t t, char *buf, size_t len)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%a, %d %b %Y %H:%M:%S +0000", &tm);
}

/* Message ids as written: only characters allowed in an id, in <>. */
static void
add_ids(struct buf *b, const char *field, const char *ids)
{
	char *copy, *tok, *save = NULL;
	int any = 0;

	if (ids == NULL || *ids == '\0')
		return;
	copy = xstrdup(ids);
	for (tok = strtok_r(copy, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save)) {
		if (!safe_address(tok) || strlen(tok) > 250)
			continue;	/* an id we cannot write safely is dropped */
		buf_addf(b, "%s<%s>", any ? "\r\n " : field, tok);
		any = 1;
	}
	if (any)
		buf_adds(b, "\r\n");
	free(copy);
}

static struct mailmime *
text_part(const char *type, const char *text)
{
	struct mailmime_fields *f;
	struct mailmime *part = NULL;

	f = mailmime_fields_new_encoding(MAILMIME_MECHANISM_QUOTED_PRINTABLE);
	if (mailmime_new_with_content(type, f, &part) != MAILIMF_NO_ERROR) {
		mailmime_fields_free(f);
		return NULL;
	}
	mailmime_set_body_text(part, (char *)text, strlen(text));
	return part;
}

/* The MIME entity (its own headers and body) as bytes. */
static dm_err
mime_body(const struct dm_mail *m, struct buf *out)
{
	struct mailmime *root, *plain, *html, *msg = NULL;
	MMAPString *s;
	int col = 0, rc;

	plain = text_part("text/plain; charset=utf-8", m->text);
	if (plain == NULL)
		return dm_fail(DM_ENOMEM, "text part");
	if (m->html == NULL) {
		root = plain;
	} else {
		if ((html = text_part("text/html; charset=utf-8", m->html)) ==
		    NULL || (root = mailmime_multiple_new(
		    "multipart/alternative")) == NULL) {
			mailmime_free(plain);
			if (html)
				mailmime_free(html);
			return dm_fail(DM_ENOMEM, "alternative part");
		}
		mailmime_smart_add_part(root, plain);
		mailmime_smart_add_part(root, html);
	}
	/*
	 * Written as the body of a message, libetpan emits the entity's own
	 * Content-Type (with the boundary) and MIME-Version; our header
	 * fields go above it.
	 */
	if ((msg = mailmime_new_message_data(NULL)) == NULL ||
	    mailmime_smart_add_part(msg, root) != MAILIMF_NO_ERROR) {
		if (msg)
			mailmime_free(msg);
		mailmime_free(root);
		return dm_fail(DM_ENOMEM, "MIME message");
	}
	s = mmap_string_new("");
	rc = mailmime_write_mem(s, &col, msg);
	if (rc == MAILIMF_NO_ERROR)
		buf_add(out, s->str, s->len);
	mmap_string_free(s);
	/* set_body_text() did not copy the texts, and freeing leaves them */
	mailmime_free(msg);
	if (rc != MAILIMF_NO_ERROR)
		return dm_fail(DM_ENOMEM, "writing the MIME body");
	return DM_OK;
}

dm_err
compose_message(const struct dm_mail *m, char **out, size_t *len)
{
	char date[64], *v;
	struct buf b;
	dm_err err;

	*out = NULL;
	if (!safe_address(m->from_addr) || !safe_address(m->to))
		return dm_fail(DM_EPARSE, "cannot write a mail from '%s' to "
		    "'%s': not a plain address", m->from_addr ? m->from_addr :
		    "", m->to ? m->to : "");
	buf_init(&b);
	rfc5322_date(m->date, date, sizeof(date));
	buf_addf(&b, "Date: %s\r\n", date);
	v = one_line(m->from_name);
	if (*v) {
		char *q = needs_encoding(v) ? compose_encode_header(v) : NULL;
		char *p;

		if (q == NULL) {
			/* a quoted-string: escape its quote and backslash */
			buf_adds(&b, "From: \"");
			for (p = v; *p; p++) {
				if (*p == '"' || *p == '\\')
					buf_addc(&b, '\\');
				buf_addc(&b, *p);
			}
			buf_addf(&b, "\" <%s>\r\n", m->from_addr);
		} else
			buf_addf(&b, "From: %s <%s>\r\n", q, m->from_addr);
		free(q);
	} else
		buf_addf(&b, "From: <%s>\r\n", m->from_addr);
	free(v);
	buf_addf(&b, "To: <%s>\r\n", m->to);
	v = compose_encode_header(m->subject);
	buf_addf(&b, "Subject: %s\r\n", v);
	free(v);
	add_ids(&b, "Message-ID: ", m->message_id);
	add_ids(&b, "In-Reply-To: ", m->in_reply_to);
	add_ids(&b, "References: ", m->refs);
	if (m->auto_submitted == AS_AUTO_REPLIED)
		buf_adds(&b, "Auto-Submitted: auto-replied\r\n");
	else if (m->auto_submitted == AS_AUTO_GENERATED)
		buf_adds(&b, "Auto-Submitted: auto-generated\r\n");
	if (m->auto_submitted != AS_NONE)
		buf_adds(&b, "X-Auto-Response-Suppress: All\r\n");
	if (m->x_loop != NULL && safe_address(m->x_loop))
		buf_addf(&b, "X-Loop: %s\r\n", m->x_loop);
	if ((err = mime_body(m, &b)) != DM_OK) {
		buf_free(&b);
		return err;
	}
	*len = b.len;
	*out = buf_release(&b);
	return DM_OK;
}
