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
#include "deskmail/lang.h"
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

/*
 * A Content-Type of top-level type (one header_media_type() allows) and
 * subtype (taken: libetpan's to free), made directly: libetpan's own
 * parser reads "imagexample/pdf" as an image.
 */
static struct mailmime_content *
content_of(const char *type, char *subtype)
{
	static const struct {
		const char	*name;
		int		 type;
	} discrete[] = {
		{ "text", MAILMIME_DISCRETE_TYPE_TEXT },
		{ "image", MAILMIME_DISCRETE_TYPE_IMAGE },
		{ "audio", MAILMIME_DISCRETE_TYPE_AUDIO },
		{ "video", MAILMIME_DISCRETE_TYPE_VIDEO },
		{ "application", MAILMIME_DISCRETE_TYPE_APPLICATION },
	};
	struct mailmime_discrete_type *dt;
	struct mailmime_type *mt = NULL;
	struct mailmime_content *ct = NULL;
	clist *params;
	char *ext = NULL;
	int t = MAILMIME_DISCRETE_TYPE_EXTENSION;
	size_t i;

	for (i = 0; i < sizeof(discrete) / sizeof(discrete[0]); i++)
		if (strcmp(type, discrete[i].name) == 0)
			t = discrete[i].type;
	if (t == MAILMIME_DISCRETE_TYPE_EXTENSION)
		ext = xstrdup(type);
	if ((dt = mailmime_discrete_type_new(t, ext)) == NULL) {
		free(ext);
		free(subtype);
		return NULL;
	}
	if ((mt = mailmime_type_new(MAILMIME_TYPE_DISCRETE_TYPE, dt, NULL)) ==
	    NULL) {
		mailmime_discrete_type_free(dt);
		free(subtype);
		return NULL;
	}
	if ((params = clist_new()) == NULL ||
	    (ct = mailmime_content_new(mt, subtype, params)) == NULL) {
		if (params)
			clist_free(params);
		mailmime_type_free(mt);
		free(subtype);
		return NULL;
	}
	return ct;
}

/*
 * One file as an attachment: Content-Type type/subtype with the name,
 * Content-Disposition: attachment with the filename (never inline,
 * whatever the sender said: nothing a customer sent is shown by itself),
 * base64.  libetpan writes every MIME parameter as a quoted-string, and
 * an RFC 2231 value must not be one, so the parameters are written by
 * header.c and handed to libetpan as the text after the subtype and as
 * the disposition's own word, both of which it writes as they are.
 */
static struct mailmime *
file_part(const struct dm_mail_file *f)
{
	struct mailmime_content *ct;
	struct mailmime_fields *fields;
	struct mailmime_disposition_type *dt;
	struct mailmime_disposition *dsp;
	struct mailmime_field *field;
	struct mailmime *part;
	char type[128];
	struct buf b;

	header_media_type(f->type, type, sizeof(type));
	buf_init(&b);
	buf_adds(&b, strchr(type, '/') + 1);
	header_add_param(&b, "name", f->name, HP_RFC2047);
	*strchr(type, '/') = '\0';
	if ((ct = content_of(type, buf_release(&b))) == NULL)
		return NULL;
	buf_init(&b);
	buf_adds(&b, "attachment");
	header_add_param(&b, "filename", f->name, HP_RFC2231);
	fields = mailmime_fields_new_encoding(MAILMIME_MECHANISM_BASE64);
	dt = fields ? mailmime_disposition_type_new(
	    MAILMIME_DISPOSITION_TYPE_EXTENSION, buf_release(&b)) : NULL;
	dsp = dt ? mailmime_disposition_new(dt, clist_new()) : NULL;
	field = dsp ? mailmime_field_new(MAILMIME_FIELD_DISPOSITION, NULL,
	    NULL, NULL, NULL, 0, dsp, NULL, NULL) : NULL;
	if (field == NULL || mailmime_fields_add(fields, field) !=
	    MAILIMF_NO_ERROR) {
		if (field)
			mailmime_field_free(field);
		else if (dsp)
			mailmime_disposition_free(dsp);
		else if (dt)
			mailmime_disposition_type_free(dt);
		buf_free(&b);
		if (fields)
			mailmime_fields_free(fields);
		mailmime_content_free(ct);
		return NULL;
	}
	if ((part = mailmime_new_empty(ct, fields)) == NULL) {
		mailmime_fields_free(fields);
		mailmime_content_free(ct);
		return NULL;
	}
	/* an empty file: a part with an empty body */
	mailmime_set_body_text(part, f->len ? (char *)f->data : (char *)"",
	    f->len);
	return part;
}

/* The text (and HTML) in multipart/mixed with the files after it; on
 * failure NULL, and text is freed. */
static struct mailmime *
with_files(const struct dm_mail *m, struct mailmime *text)
{
	struct mailmime *mixed, *part;
	size_t i;

	if ((mixed = mailmime_multiple_new("multipart/mixed")) == NULL) {
		mailmime_free(text);
		return NULL;
	}
	if (mailmime_smart_add_part(mixed, text) != MAILIMF_NO_ERROR) {
		mailmime_free(text);
		mailmime_free(mixed);
		return NULL;
	}
	for (i = 0; i < m->nfiles; i++) {
		if ((part = file_part(&m->files[i])) == NULL ||
		    mailmime_smart_add_part(mixed, part) != MAILIMF_NO_ERROR) {
			if (part)
				mailmime_free(part);
			mailmime_free(mixed);	/* and the text with it */
			return NULL;
		}
	}
	return mixed;
}

/* The bytes of the files together (for the size of the buffer). */
static size_t
total_len(const struct dm_mail *m)
{
	size_t i, n = 0;

	for (i = 0; i < m->nfiles; i++)
		n += m->files[i].len;
	return n;
}

/* The MIME entity (its own headers and body) as bytes. */
static dm_err
mime_body(const struct dm_mail *m, struct buf *out)
{
	struct mailmime *root, *plain, *html, *msg = NULL, *mixed;
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
	if (m->nfiles > 0) {
		if ((mixed = with_files(m, root)) == NULL)
			return dm_fail(DM_ENOMEM, "attachments");
		root = mixed;
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
	s = mmap_string_sized_new(m->nfiles ? 4096 + total_len(m) / 3 * 4 +
	    total_len(m) / 38 : 4096);
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
	/* RFC 3282; a code is letters, digits and '-' (lang_code_ok()) */
	if (m->content_language != NULL && lang_code_ok(m->content_language))
		buf_addf(&b, "Content-Language: %s\r\n", m->content_language);
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
