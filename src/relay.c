/*
 * relay.c - the files an outgoing mail passes on (relay.h): which they
 * are, attached or linked, and the words for them in the mail's text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/attachment.h"
#include "deskmail/clock.h"
#include "deskmail/filename.h"
#include "deskmail/lang.h"
#include "deskmail/message.h"
#include "deskmail/notice.h"
#include "deskmail/outbox.h"
#include "deskmail/relay.h"
#include "deskmail/token.h"
#include "deskmail/util.h"

/* A ticket's files that go to a team taking it over: what staff may
 * read (internal notes too), never an autoresponder's or a forger's. */
static const char *const staff_kinds[] = { MK_CUSTOMER, MK_STAFF, MK_NOTE,
	NULL };

char *
relay_params(const char *text, const char *author, const char *team,
    int64_t message, int64_t ticket)
{
	char m[24], t[24];

	snprintf(m, sizeof(m), "%lld", (long long)message);
	snprintf(t, sizeof(t), "%lld", (long long)ticket);
	return outbox_params("message", text ? text : "", "author", author,
	    "team", team, RELAY_MESSAGE, message > 0 ? m : NULL, RELAY_TICKET,
	    message <= 0 && ticket > 0 ? t : NULL, (const char *)NULL);
}

static int64_t
var_id(const struct tvars *v, const char *name)
{
	const char *s = tvars_get(v, name);
	char *end;
	long long n;

	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	n = strtoll(s, &end, 10);
	return errno == 0 && *end == '\0' && n > 0 ? (int64_t)n : 0;
}

static void
human_size(long long n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%lld byte%s", n, n == 1 ? "" : "s");
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%.1f KB", (double)n / 1024);
	else
		snprintf(buf, len, "%.1f MB", (double)n / (1024 * 1024));
}

void
relay_free(struct relay *r)
{
	size_t i;

	for (i = 0; i < r->nfiles; i++) {
		free(r->data[i]);
		free(r->names[i]);
		free(r->types[i]);
	}
	free(r->files);
	free(r->data);
	free(r->names);
	free(r->types);
	memset(r, 0, sizeof(*r));
}

char *
relay_file_name(const struct dm_file *f)
{
	static const struct {
		const char *type, *ext;
	} ext[] = {
		{ "image/png", "png" }, { "image/jpeg", "jpg" },
		{ "image/gif", "gif" }, { "image/webp", "webp" },
		{ "image/bmp", "bmp" }, { "image/tiff", "tif" },
		{ "application/pdf", "pdf" }, { "text/plain", "txt" },
		{ "text/csv", "csv" }, { "text/calendar", "ics" },
		{ "message/rfc822", "eml" }, { "application/zip", "zip" },
	};
	char *name = filename_safe(f->name, "attachment"), *with;
	size_t i;

	if (strchr(name, '.') != NULL)
		return name;
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (strcmp(f->type, ext[i].type) == 0) {
			with = xasprintf("%s.%s", name, ext[i].ext);
			free(name);
			name = filename_safe(with, "attachment");
			free(with);
			break;
		}
	return name;
}

/* Add one decoded file to r (taking data). */
static void
add(struct relay *r, const struct dm_file *f, char *data, size_t len)
{
	size_t i = r->nfiles++;

	r->files = xreallocarray(r->files, r->nfiles, sizeof(*r->files));
	r->data = xreallocarray(r->data, r->nfiles, sizeof(*r->data));
	r->names = xreallocarray(r->names, r->nfiles, sizeof(*r->names));
	r->types = xreallocarray(r->types, r->nfiles, sizeof(*r->types));
	r->data[i] = data;
	r->names[i] = relay_file_name(f);
	r->types[i] = xstrdup(f->type);
	r->files[i].name = r->names[i];
	r->files[i].type = r->types[i];
	r->files[i].data = data;
	r->files[i].len = len;
}

/* The files attached, in words: "a.png (image/png, 12.0 KB)" each,
 * and those that could not be read from their stored mail. */
static void
say_attached(struct buf *b, const struct dm_config *cfg, const char *lang,
    const struct dm_file *v, size_t n, const unsigned char *ok, size_t nok)
{
	char size[32], num[24], *name, *s;
	size_t i;
	int pass;

	for (pass = 1; pass >= 0; pass--) {
		s = NULL;
		snprintf(num, sizeof(num), "%zu", nok);
		if (pass == 1 && nok > 0)
			s = nok == 1 ? lang_say(cfg, lang, "files.attached_one",
			    "Attached (1 file):", (const char *)NULL) :
			    lang_say(cfg, lang, "files.attached", "Attached "
			    "({n} files):", "n", num, (const char *)NULL);
		else if (pass == 0 && nok < n)
			s = n - nok == 1 ? lang_say(cfg, lang,
			    "files.unreadable_one", "Not attached (it cannot be "
			    "read from the stored mail):", (const char *)NULL) :
			    lang_say(cfg, lang, "files.unreadable", "Not "
			    "attached (they cannot be read from the stored "
			    "mail):", (const char *)NULL);
		if (s != NULL)
			buf_addf(b, "\n\n%s", s);
		free(s);
		for (i = 0; i < n; i++) {
			if (ok[i] != pass)
				continue;
			name = relay_file_name(&v[i]);
			human_size(v[i].size, size, sizeof(size));
			buf_addf(b, "\n  %s (%s, %s)", name, v[i].type, size);
			free(name);
		}
	}
}

/* A signed download link to file f. */
static char *
link_to(const struct dm_config *cfg, const unsigned char key[32],
    const struct dm_file *f, time_t expires)
{
	struct token tk;

	memset(&tk, 0, sizeof(tk));
	tk.purpose = TOK_ATTACHMENT;
	tk.ticket = f->ticket;
	tk.attachment = f->id;
	tk.expires = expires;
	return notice_link(cfg, key, &tk);
}

/* The files as links, in words, with when the links stop working; why:
 * they are too large to attach (else a digest names them). */
static dm_err
say_links(struct buf *b, const struct dm_config *cfg, struct tvars *vars,
    const struct dm_file *v, size_t n, int64_t total, int too_large)
{
	unsigned char key[32];
	time_t expires = clock_now() + cfg->attach_link_days * 86400;
	const char *tz = tvars_get(vars, "ticket.timezone");
	const char *lang = tvars_get(vars, "lang");
	char size[32], when[96], num[24], *name, *url, *s1, *s2;
	size_t i;
	dm_err err;

	if ((err = notice_key(cfg, key)) != DM_OK)
		return err;
	human_size(total, size, sizeof(size));
	lang_time(cfg, lang, expires, tz ? tz : "UTC", when, sizeof(when));
	snprintf(num, sizeof(num), "%zu", n);
	if (too_large) {
		s1 = lang_say(cfg, lang, n == 1 ? "files.too_large_one" :
		    "files.too_large", n == 1 ? "1 file ({size} together) is "
		    "too large to send by mail." : "{n} files ({size} together) "
		    "are too large to send by mail.", "n", num, "size", size,
		    (const char *)NULL);
		s2 = lang_say(cfg, lang, n == 1 ? "files.download_one" :
		    "files.download", n == 1 ? "Download it until {when}:" :
		    "Download them until {when}:", "when", when,
		    (const char *)NULL);
		buf_addf(b, "\n\n%s\n%s", s1, s2);
		free(s2);
	} else {
		s1 = lang_say(cfg, lang, n == 1 ? "files.links_one" :
		    "files.links", n == 1 ? "1 file ({size} together), to "
		    "download until {when}:" : "{n} files ({size} together), "
		    "to download until {when}:", "n", num, "size", size, "when",
		    when, (const char *)NULL);
		buf_addf(b, "\n\n%s", s1);
	}
	free(s1);
	for (i = 0; i < n; i++) {
		name = relay_file_name(&v[i]);
		human_size(v[i].size, size, sizeof(size));
		url = link_to(cfg, key, &v[i], expires);
		buf_addf(b, "\n  %s (%s, %s)\n  %s", name, v[i].type, size,
		    url);
		free(url);
		free(name);
	}
	explicit_bzero(key, sizeof(key));
	return DM_OK;
}

dm_err
relay_files(struct dm_store *st, const struct dm_config *cfg,
    struct tvars *vars, int links_only, struct relay *r)
{
	int64_t message = var_id(vars, RELAY_MESSAGE);
	int64_t ticket = var_id(vars, RELAY_TICKET), total = 0;
	struct dm_file *v = NULL, f;
	size_t n = 0, i, more = 0, len;
	unsigned char *ok;
	struct buf b;
	char *data;
	dm_err err;

	memset(r, 0, sizeof(*r));
	tvars_set(vars, "attachments", "");
	if (message == 0 && ticket == 0)
		return DM_OK;
	if ((err = attachment_list(st, message ? 0 : ticket, message,
	    message ? NULL : staff_kinds, &v, &n)) != DM_OK || n == 0) {
		attachment_list_free(v, n);
		return err;
	}
	if (n > RELAY_FILES_MAX) {
		more = n - RELAY_FILES_MAX;
		n = RELAY_FILES_MAX;
	}
	for (i = 0; i < n; i++)
		total += v[i].size;
	buf_init(&b);
	if (links_only || cfg->attach_mail_max == 0 ||
	    total > cfg->attach_mail_max) {
		err = say_links(&b, cfg, vars, v, n, total, !links_only);
	} else {
		ok = xcalloc(n, 1);
		for (i = 0; i < n && err == DM_OK; i++) {
			err = attachment_get(st, cfg, v[i].id, &f, &data, &len);
			if (err == DM_OK) {
				add(r, &v[i], data, len);
				attachment_clear(&f);
				ok[i] = 1;
			} else if (err == DM_EPARSE || err == DM_ENOTFOUND)
				err = DM_OK;	/* named as not attached */
		}
		if (err == DM_OK)
			say_attached(&b, cfg, tvars_get(vars, "lang"), v, n,
			    ok, r->nfiles);
		free(ok);
	}
	if (err == DM_OK && more > 0) {
		char num[24], *s;

		snprintf(num, sizeof(num), "%zu", more);
		s = lang_say(cfg, tvars_get(vars, "lang"), "files.more", "(and "
		    "{n} more, not named here)", "n", num, (const char *)NULL);
		buf_addf(&b, "\n  %s", s);
		free(s);
	}
	if (err == DM_OK)
		tvars_set(vars, "attachments", b.data ? b.data : "");
	buf_free(&b);
	attachment_list_free(v, n + more);
	if (err != DM_OK)
		relay_free(r);
	return err;
}
