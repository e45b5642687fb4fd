/*
 * compose.c - building outgoing messages: the header fields (each value
 * through header.c) above the MIME body libetpan writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libetpan/libetpan.h>

#include "deskmail/compose.h"
#include "deskmail/header.h"
#include "deskmail/util.h"

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
		if (!header_address_safe(tok))
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
	char date[64];
	struct buf b;
	dm_err err;

	*out = NULL;
	if (!header_address_safe(m->from_addr) || !header_address_safe(m->to))
		return dm_fail(DM_EPARSE, "cannot write a mail from '%s' to "
		    "'%s': not a plain address", m->from_addr ? m->from_addr :
		    "", m->to ? m->to : "");
	buf_init(&b);
	rfc5322_date(m->date, date, sizeof(date));
	buf_addf(&b, "Date: %s\r\n", date);
	/* every value from input goes through header.c, so none breaks out */
	header_add_mailbox(&b, "From", m->from_name, m->from_addr);
	header_add_mailbox(&b, "To", NULL, m->to);
	if (m->reply_to != NULL && header_address_safe(m->reply_to))
		header_add_mailbox(&b, "Reply-To", NULL, m->reply_to);
	header_add_text(&b, "Subject", m->subject);
	add_ids(&b, "Message-ID: ", m->message_id);
	add_ids(&b, "In-Reply-To: ", m->in_reply_to);
	add_ids(&b, "References: ", m->refs);
	if (m->auto_submitted == AS_AUTO_REPLIED)
		buf_adds(&b, "Auto-Submitted: auto-replied\r\n");
	else if (m->auto_submitted == AS_AUTO_GENERATED)
		buf_adds(&b, "Auto-Submitted: auto-generated\r\n");
	if (m->auto_submitted != AS_NONE)
		buf_adds(&b, "X-Auto-Response-Suppress: All\r\n");
	if (m->x_loop != NULL && header_address_safe(m->x_loop))
		buf_addf(&b, "X-Loop: %s\r\n", m->x_loop);
	if ((err = mime_body(m, &b)) != DM_OK) {
		buf_free(&b);
		return err;
	}
	*len = b.len;
	*out = buf_release(&b);
	return DM_OK;
}
