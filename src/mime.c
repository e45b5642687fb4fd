/*
 * mime.c - raw message to struct dm_parsed, with libetpan doing the MIME
 * and RFC 5322 parsing and charset.c turning every text into UTF-8.
 *
 * Before libetpan sees a message, a cheap scan of the header and of the
 * Content-Type lines enforces the configured limits, so a hostile message
 * cannot make the parser recurse or allocate without bound.
 */
#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/libetpan.h>

#include "deskmail/charset.h"
#include "deskmail/mime.h"
#include "deskmail/text.h"
#include "deskmail/util.h"

static char *raw_field(const char *raw, size_t len, const char *name);

struct walk {
	struct dm_parsed	*m;
	const struct dm_limits	*lim;
	struct buf		 plain;		/* inline text/plain parts */
	char			*html;		/* first inline text/html part */
	int			 repairs;	/* multiparts re-parsed */
	dm_err			 err;
	/* mime_attachment(): the attachment wanted (its index in m->att),
	 * or -1; its decoded bytes once walked past */
	long			 want;
	char			*got;
	size_t			 got_len;
};

static const char *
line_end(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return nl ? nl + 1 : end;
}

static int
looks_like_field(const char *p, const char *end)
{
	const char *q;

	for (q = p; q < end && *q != ':'; q++)
		if ((unsigned char)*q <= ' ' || (unsigned char)*q >= 127)
			return 0;
	return q < end && q > p;
}

int
mime_is_mbox_line(const char *p, size_t len)
{
	const char *q;

	/* "From sender@host date", not the field "From : x" (obsolete) */
	if (len < 6 || memcmp(p, "From ", 5) != 0 || p[5] == ' ' ||
	    p[5] == ':' || p[5] == '\t')
		return 0;
	for (q = p + 5; q < p + len && *q != ' ' && *q != '\n'; q++)
		if (*q == ':')
			return 0;
	return 1;
}

/* "Name  :" - obsolete syntax, white space before the colon. */
static int
obs_field(const char *p, const char *end)
{
	const char *q = p;

	while (q < end && (unsigned char)*q > ' ' && *q != ':' &&
	    (unsigned char)*q < 127)
		q++;
	if (q == p)
		return 0;
	while (q < end && (*q == ' ' || *q == '\t'))
		q++;
	return q < end && *q == ':';
}

/*
 * libetpan parses a multipart or message/rfc822 part by calling itself,
 * with no limit of its own, so walk()'s depth check comes too late: a
 * message nesting 40,000 attached messages ran it out of stack.  A level
 * needs a Content-Type naming a multipart or a message (a digest's parts
 * are messages without one), so the depth is at most twice their number.
 * libetpan also reads one right after a boundary ("--bContent-Type:")
 * and with white space or a comment before the colon, so every
 * "content-type" anywhere that could be one is counted: counting too many
 * is safe, missing one is not.  No real message has a thousand.
 */
#define MAX_CONTAINERS	1000

/* Delivered-To / X-Original-To values kept once they join to this many
 * bytes (each join copies the whole string: a bound keeps it linear). */
#define ENVELOPE_TO_MAX	1024

static int
container_type(const char *p, const char *end)
{
	if (end - p < 12 || strncasecmp(p, "content-type", 12) != 0)
		return 0;
	for (p += 12; p < end && (*p == ' ' || *p == '\t' || *p == '\r' ||
	    *p == '\n' || *p == ':'); p++)
		;
	if (p < end && *p == '(')	/* a comment: do not try to read it */
		return 1;
	return (end - p >= 9 && strncasecmp(p, "multipart", 9) == 0) ||
	    (end - p >= 7 && strncasecmp(p, "message", 7) == 0);
}

static dm_err
count_containers(const char *raw, size_t len)
{
	const char *p = raw, *end = raw + len, *dash;
	long n = 0;

	/* find the '-' of each "content-type": memchr is fast, '-' rare */
	while ((dash = memchr(p, '-', (size_t)(end - p))) != NULL) {
		if (dash - raw >= 7 && container_type(dash - 7, end) &&
		    ++n > MAX_CONTAINERS)
			return dm_fail(DM_ELIMIT, "more than %d multipart and "
			    "message parts", MAX_CONTAINERS);
		p = dash + 1;
	}
	return DM_OK;
}

/* Enforce the header and part limits before libetpan parses anything. */
static dm_err
prescan(const char *raw, size_t len, const struct dm_limits *lim)
{
	const char *p = raw, *end = raw + len, *next;
	long fields = 0, parts = 0;
	size_t field_len = 0;

	if (len == 0)
		return dm_fail(DM_EPARSE, "empty message");
	if (mime_is_mbox_line(p, len))	/* mbox separator */
		p = line_end(p, end);
	while (p < end) {
		next = line_end(p, end);
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			break;
		if (*p == ' ' || *p == '\t') {
			if (fields == 0)
				return dm_fail(DM_EPARSE, "no header fields");
			field_len += (size_t)(next - p);
		} else if (looks_like_field(p, next)) {
			if (++fields > lim->max_headers)
				return dm_fail(DM_ELIMIT, "more than %ld header "
				    "fields", lim->max_headers);
			field_len = (size_t)(next - p);
		} else if (fields == 0 && !obs_field(p, next)) {
			return dm_fail(DM_EPARSE, "no header fields");
		} else {
			fields += obs_field(p, next);	/* normalise_header() mends it */
			field_len = (size_t)(next - p);
		}
		if (field_len > (size_t)lim->max_header_bytes)
			return dm_fail(DM_ELIMIT, "a header field longer than "
			    "%ld bytes", lim->max_header_bytes);
		p = next;
	}
	if (fields == 0)
		return dm_fail(DM_EPARSE, "no header fields");
	/* every MIME part has a Content-Type line; count them all */
	for (p = raw; p < end; p = next) {
		next = line_end(p, end);
		if (next - p > 13 && strncasecmp(p, "content-type:", 13) == 0 &&
		    ++parts > lim->max_parts)
			return dm_fail(DM_ELIMIT, "more than %ld MIME parts",
			    lim->max_parts);
	}
	return count_containers(raw, len);
}

/*
 * A copy of the message whose header libetpan can read, or NULL when it
 * already can.  Old or broken mailers write header lines that RFC 5322's
 * obsolete syntax allows or that are plain junk: white-space-only
 * continuation lines, white space before the colon ("From  :"), and
 * lines that are not fields at all.  libetpan would end the header at
 * them and lose every field below, so they are dropped or mended here.
 */
static char *
normalise_header(const char *raw, size_t len, size_t *outlen)
{
	const char *p = raw, *end = raw + len, *next, *q;
	struct buf b;
	int changed = 0;

	buf_init(&b);
	while (p < end) {
		next = line_end(p, end);
		if (*p == '\n' || (*p == '\r' && p + 1 < end && p[1] == '\n'))
			break;
		if (*p == ' ' || *p == '\t') {
			for (q = p; q < next && (*q == ' ' || *q == '\t' ||
			    *q == '\r' || *q == '\n'); q++)
				;
			if (q == next) {	/* white space only */
				changed = 1;
				p = next;
				continue;
			}
		} else if (!looks_like_field(p, next)) {
			for (q = p; q < next && *q != ':' && *q != ' ' &&
			    *q != '\t'; q++)
				;
			while (q < next && (*q == ' ' || *q == '\t'))
				q++;
			changed = 1;
			if (q < next && *q == ':' && q > p) {
				/* "Name  :" -> "Name:" */
				const char *nend = p;

				while (nend < q && *nend != ' ' && *nend != '\t')
					nend++;
				buf_add(&b, p, (size_t)(nend - p));
				buf_add(&b, q, (size_t)(next - q));
			}
			p = next;
			continue;
		}
		buf_add(&b, p, (size_t)(next - p));
		p = next;
	}
	if (!changed) {
		buf_free(&b);
		return NULL;
	}
	buf_add(&b, p, (size_t)(end - p));
	*outlen = b.len;
	return buf_release(&b);
}

char *
mime_decode_header(const char *value)
{
	size_t idx = 0;
	char *out = NULL, *res;

	if (value == NULL)
		return xstrdup("");
	if (mailmime_encoded_phrase_parse("utf-8", value, strlen(value), &idx,
	    "utf-8", &out) != MAILIMF_NO_ERROR || out == NULL)
		return charset_to_utf8("utf-8", value, strlen(value), NULL);
	/* libetpan may leave bytes it could not convert; make sure of UTF-8 */
	res = charset_to_utf8("utf-8", out, strlen(out), NULL);
	free(out);
	return res;
}

/* Header text made safe to keep: UTF-8, no control characters, one line. */
static char *
clean_header(const char *value)
{
	char *s = mime_decode_header(value), *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	return str_squeeze(s);
}

static char *
addr_lower(const char *addr)
{
	char *a = clean_header(addr);
	size_t n = strlen(a);

	/* strip stray angle brackets some broken mailers leave */
	if (n >= 2 && a[0] == '<' && a[n - 1] == '>') {
		memmove(a, a + 1, n - 2);
		a[n - 2] = '\0';
	}
	return str_lower(a);
}

static void
add_ref(struct dm_parsed *m, const char *id)
{
	size_t i;

	if (id == NULL || *id == '\0' || m->nrefs >= 100)
		return;
	for (i = 0; i < m->nrefs; i++)
		if (strcmp(m->refs[i], id) == 0)
			return;
	m->refs = xreallocarray(m->refs, m->nrefs + 1, sizeof(*m->refs));
	m->refs[m->nrefs++] = xstrdup(id);
}

static void
add_mailbox(struct buf *b, struct mailimf_mailbox *mb)
{
	char *a;

	if (mb == NULL || mb->mb_addr_spec == NULL)
		return;
	a = addr_lower(mb->mb_addr_spec);
	if (*a) {
		if (b->len)
			buf_adds(b, ", ");
		buf_adds(b, a);
	}
	free(a);
}

static char *
address_list(struct mailimf_address_list *al)
{
	struct buf b;
	clistiter *it, *jt;

	buf_init(&b);
	if (al == NULL || al->ad_list == NULL)
		return NULL;
	for (it = clist_begin(al->ad_list); it; it = clist_next(it)) {
		struct mailimf_address *ad = clist_content(it);

		if (ad->ad_type == MAILIMF_ADDRESS_MAILBOX)
			add_mailbox(&b, ad->ad_data.ad_mailbox);
		else if (ad->ad_data.ad_group->grp_mb_list != NULL)
			for (jt = clist_begin(ad->ad_data.ad_group->grp_mb_list->
			    mb_list); jt; jt = clist_next(jt))
				add_mailbox(&b, clist_content(jt));
	}
	return b.len ? buf_release(&b) : (buf_free(&b), NULL);
}

static void
set_once(char **field, const char *value)
{
	if (*field == NULL && value != NULL)
		*field = clean_header(value);
}

static void
append_value(char **field, const char *value)
{
	char *v = clean_header(value), *joined;

	if (*field == NULL) {
		*field = v;
		return;
	}
	joined = xasprintf("%s, %s", *field, v);
	free(*field);
	free(v);
	*field = joined;
}

/* Find the first "<...>" message id in a header value or in raw text. */
static char *
first_msgid(const char *s, size_t n)
{
	const char *lt, *gt, *end = s + n;

	if ((lt = memchr(s, '<', n)) == NULL)
		return NULL;
	if ((gt = memchr(lt, '>', (size_t)(end - lt))) == NULL || gt - lt < 3)
		return NULL;
	return xstrndup(lt + 1, (size_t)(gt - lt - 1));
}

/* The address in a From header libetpan could not parse. */
static char *
salvage_address(const char *value)
{
	const char *p, *start, *end;
	char *id;

	if ((id = first_msgid(value, strlen(value))) != NULL && strchr(id, '@'))
		return id;
	free(id);
	if ((p = strchr(value, '@')) == NULL)
		return NULL;
	for (start = p; start > value && !isspace((unsigned char)start[-1]) &&
	    start[-1] != '<' && start[-1] != '"' && start[-1] != ','; start--)
		;
	for (end = p; *end && !isspace((unsigned char)*end) && *end != '>' &&
	    *end != '"' && *end != ','; end++)
		;
	if (start == p || end == p + 1)
		return NULL;
	return xstrndup(start, (size_t)(end - start));
}

/* Remove RFC 5322 comments "(...)" and white space from an address. */
static void
strip_comments(char *a)
{
	char *r, *w;
	int depth = 0;

	for (r = w = a; *r; r++) {
		if (*r == '\\' && depth > 0 && r[1] != '\0')
			r++;
		else if (*r == '(')
			depth++;
		else if (*r == ')' && depth > 0)
			depth--;
		else if (depth == 0 && *r != ' ' && *r != '\t')
			*w++ = *r;
	}
	*w = '\0';
}

static int
plausible_address(const char *a)
{
	const char *at = strchr(a, '@');

	return at != NULL && at != a && at[1] != '\0' &&
	    strchr(at + 1, '@') == NULL && strpbrk(a, " <>,;\"") == NULL;
}

char *
mime_address_in(const char *value)
{
	char *a = salvage_address(value);

	if (a != NULL) {
		strip_comments(a);
		str_lower(a);
	}
	return a;
}

/*
 * libetpan glues the words of a From it cannot parse into one address
 * ("Big Bug bb@x" -> "bigbugbb@x").  Keep its address only if its local
 * part and domain stand in the header as written; else salvage the word
 * with the '@' from the raw value.
 */
static void
check_from(struct dm_parsed *m, const char *raw, size_t len)
{
	char *value, *at, *salvaged;
	int good = 0;

	if (m->from == NULL)
		return;
	strip_comments(m->from);
	if ((value = raw_field(raw, len, "from")) == NULL)
		return;
	if (plausible_address(m->from)) {
		at = strchr(m->from, '@');
		*at = '\0';
		good = strcasestr(value, m->from) != NULL &&
		    strcasestr(value, at + 1) != NULL;
		*at = '@';
	}
	if (!good && (salvaged = salvage_address(value)) != NULL) {
		strip_comments(salvaged);
		free(m->from);
		m->from = str_lower(salvaged);
	}
	free(value);
}

static void
optional_field(struct dm_parsed *m, const char *name, const char *value)
{
	if (strcasecmp(name, "Authentication-Results") == 0) {
		if (m->nauth_results < 20) {
			m->auth_results = xreallocarray(m->auth_results,
			    m->nauth_results + 1, sizeof(*m->auth_results));
			m->auth_results[m->nauth_results++] = clean_header(value);
		}
	} else if (strcasecmp(name, "Auto-Submitted") == 0)
		set_once(&m->auto_submitted, value);
	else if (strcasecmp(name, "Precedence") == 0)
		set_once(&m->precedence, value);
	else if (strcasecmp(name, "List-Id") == 0 ||
	    (strcasecmp(name, "List-Unsubscribe") == 0 && m->list_id == NULL))
		set_once(&m->list_id, value);
	else if (strcasecmp(name, "X-Loop") == 0)
		append_value(&m->x_loop, value);
	/* what the MTA delivered to is on top: the first few are enough */
	else if (strcasecmp(name, "Delivered-To") == 0 ||
	    strcasecmp(name, "X-Original-To") == 0) {
		if (m->envelope_to == NULL ||
		    strlen(m->envelope_to) < ENVELOPE_TO_MAX)
			append_value(&m->envelope_to, value);
	}
	else if (strcasecmp(name, "X-Autoreply") == 0 ||
	    strcasecmp(name, "X-Autorespond") == 0 ||
	    strcasecmp(name, "X-Autogenerated") == 0 ||
	    (strcasecmp(name, "X-Auto-Response-Suppress") == 0 &&
	    strcasestr(value, "all") != NULL))
		m->x_autoreply = 1;
	/* fields libetpan could not parse structurally land here */
	else if (strcasecmp(name, "From") == 0 && m->from == NULL) {
		char *a = salvage_address(value);

		if (a != NULL) {
			m->from = str_lower(a);
		}
	} else if (strcasecmp(name, "Subject") == 0 && m->subject == NULL)
		m->subject = clean_header(value);
	else if (strcasecmp(name, "Message-ID") == 0 && m->message_id == NULL)
		m->message_id = first_msgid(value, strlen(value));
	else if (strcasecmp(name, "In-Reply-To") == 0 ||
	    strcasecmp(name, "References") == 0) {
		const char *p = value;
		char *id;

		while ((id = first_msgid(p, strlen(p))) != NULL) {
			add_ref(m, id);
			p = strchr(p, '>') + 1;
			free(id);
		}
	} else if (strcasecmp(name, "Return-Path") == 0 &&
	    m->return_path == NULL) {
		char *a = first_msgid(value, strlen(value));

		m->return_path = a ? str_lower(a) :
		    xstrdup(strstr(value, "<>") ? "" : value);
	}
}

static void
header_fields(struct dm_parsed *m, struct mailimf_fields *fields)
{
	clistiter *it, *jt;
	clist *inreply = NULL, *refs = NULL;

	if (fields == NULL)
		return;
	for (it = clist_begin(fields->fld_list); it; it = clist_next(it)) {
		struct mailimf_field *f = clist_content(it);

		switch (f->fld_type) {
		case MAILIMF_FIELD_FROM:
			if (m->from == NULL && f->fld_data.fld_from->frm_mb_list) {
				jt = clist_begin(f->fld_data.fld_from->
				    frm_mb_list->mb_list);
				if (jt != NULL) {
					struct mailimf_mailbox *mb =
					    clist_content(jt);

					m->from = addr_lower(mb->mb_addr_spec);
					if (mb->mb_display_name != NULL)
						m->from_name = clean_header(
						    mb->mb_display_name);
				}
			}
			break;
		case MAILIMF_FIELD_REPLY_TO:
			if (m->reply_to == NULL) {
				char *l = address_list(f->fld_data.fld_reply_to->
				    rt_addr_list);
				char *comma = l ? strchr(l, ',') : NULL;

				if (comma != NULL)
					*comma = '\0';
				m->reply_to = l;
			}
			break;
		case MAILIMF_FIELD_TO:
			if (m->to == NULL)
				m->to = address_list(f->fld_data.fld_to->
				    to_addr_list);
			break;
		case MAILIMF_FIELD_CC:
			if (m->cc == NULL)
				m->cc = address_list(f->fld_data.fld_cc->
				    cc_addr_list);
			break;
		case MAILIMF_FIELD_SUBJECT:
			if (m->subject == NULL)
				m->subject = clean_header(f->fld_data.fld_subject->
				    sbj_value);
			break;
		case MAILIMF_FIELD_MESSAGE_ID:
			if (m->message_id == NULL &&
			    f->fld_data.fld_message_id->mid_value != NULL)
				m->message_id = clean_header(f->fld_data.
				    fld_message_id->mid_value);
			break;
		case MAILIMF_FIELD_IN_REPLY_TO:
			inreply = f->fld_data.fld_in_reply_to->mid_list;
			break;
		case MAILIMF_FIELD_REFERENCES:
			refs = f->fld_data.fld_references->mid_list;
			break;
		case MAILIMF_FIELD_RETURN_PATH:
			if (m->return_path == NULL) {
				struct mailimf_path *p =
				    f->fld_data.fld_return_path->ret_path;

				m->return_path = (p && p->pt_addr_spec) ?
				    addr_lower(p->pt_addr_spec) : xstrdup("");
			}
			break;
		case MAILIMF_FIELD_OPTIONAL_FIELD:
			optional_field(m, f->fld_data.fld_optional_field->fld_name,
			    f->fld_data.fld_optional_field->fld_value);
			break;
		default:
			break;
		}
	}
	/* In-Reply-To names the parent; References, oldest first, the rest */
	if (inreply != NULL)
		for (it = clist_begin(inreply); it; it = clist_next(it))
			add_ref(m, clist_content(it));
	if (refs != NULL)
		for (it = clist_end(refs); it; it = clist_previous(it))
			add_ref(m, clist_content(it));
}

/* A top-level header field's value as written (unfolded), or NULL. */
static char *
raw_field(const char *raw, size_t len, const char *name)
{
	const char *p = raw, *end = raw + len, *next, *q;
	size_t n = strlen(name);
	struct buf b;

	while (p < end && *p != '\n' && *p != '\r') {
		next = line_end(p, end);
		if ((size_t)(next - p) > n && strncasecmp(p, name, n) == 0 &&
		    p[n] == ':') {
			buf_init(&b);
			q = p + n + 1;
			do {
				buf_add(&b, q, (size_t)(next - q));
				q = next;
				next = line_end(q, end);
			} while (q < end && (*q == ' ' || *q == '\t'));
			{
				char *v = clean_header(b.data);

				buf_free(&b);
				return v;
			}
		}
		p = next;
	}
	return NULL;
}

static char *
content_type(struct mailmime_content *ct)
{
	const char *type = "application", *sub;
	char *s;

	if (ct == NULL || ct->ct_type == NULL)
		return xstrdup("text/plain");
	if (ct->ct_type->tp_type == MAILMIME_TYPE_DISCRETE_TYPE) {
		switch (ct->ct_type->tp_data.tp_discrete_type->dt_type) {
		case MAILMIME_DISCRETE_TYPE_TEXT:	type = "text"; break;
		case MAILMIME_DISCRETE_TYPE_IMAGE:	type = "image"; break;
		case MAILMIME_DISCRETE_TYPE_AUDIO:	type = "audio"; break;
		case MAILMIME_DISCRETE_TYPE_VIDEO:	type = "video"; break;
		case MAILMIME_DISCRETE_TYPE_APPLICATION: type = "application";
			break;
		default:
			type = ct->ct_type->tp_data.tp_discrete_type->
			    dt_extension;
			break;
		}
	} else {
		switch (ct->ct_type->tp_data.tp_composite_type->ct_type) {
		case MAILMIME_COMPOSITE_TYPE_MESSAGE:	type = "message"; break;
		case MAILMIME_COMPOSITE_TYPE_MULTIPART:	type = "multipart";
			break;
		default:
			type = ct->ct_type->tp_data.tp_composite_type->ct_token;
			break;
		}
	}
	sub = ct->ct_subtype ? ct->ct_subtype : "octet-stream";
	s = xasprintf("%s/%s", type ? type : "application", sub);
	return str_lower(s);
}

static const char *
content_param(struct mailmime_content *ct, const char *name)
{
	clistiter *it;

	if (ct == NULL || ct->ct_parameters == NULL)
		return NULL;
	for (it = clist_begin(ct->ct_parameters); it; it = clist_next(it)) {
		struct mailmime_parameter *p = clist_content(it);

		if (strcasecmp(p->pa_name, name) == 0)
			return p->pa_value;
	}
	return NULL;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

/*
 * RFC 2231 parameters (name*=charset'lang'%xx, name*0*=..., name*1=...),
 * which libetpan hands over undecoded as generic parameters.
 */
static char *
rfc2231_param(clist *params, int disposition, const char *base)
{
	struct buf raw;
	char charset[64] = "";
	size_t blen = strlen(base);
	int part, found = 0;
	clistiter *it;

	buf_init(&raw);
	for (part = -1; part < 64; part++) {
		int got = 0;

		for (it = params ? clist_begin(params) : NULL; it;
		    it = clist_next(it)) {
			const char *n, *v;
			int extended, num = -1;
			char *endp;

			if (disposition) {
				struct mailmime_disposition_parm *dp =
				    clist_content(it);

				if (dp->pa_type != MAILMIME_DISPOSITION_PARM_PARAMETER)
					continue;
				n = dp->pa_data.pa_parameter->pa_name;
				v = dp->pa_data.pa_parameter->pa_value;
			} else {
				struct mailmime_parameter *p = clist_content(it);

				n = p->pa_name;
				v = p->pa_value;
			}
			if (strncasecmp(n, base, blen) != 0 || n[blen] != '*')
				continue;
			n += blen + 1;
			if (*n == '\0') {
				num = -1;
				extended = 1;
			} else {
				num = (int)strtol(n, &endp, 10);
				if (endp == n)
					continue;
				extended = *endp == '*';
			}
			if (num != part)
				continue;
			got = found = 1;
			if (extended && (part <= 0) && charset[0] == '\0') {
				const char *q1 = strchr(v, '\''), *q2;

				if (q1 != NULL && (q2 = strchr(q1 + 1, '\'')) != NULL) {
					snprintf(charset, sizeof(charset), "%.*s",
					    (int)(q1 - v), v);
					v = q2 + 1;
				}
			}
			for (; *v; v++) {
				if (extended && *v == '%' && hexval(v[1]) >= 0 &&
				    hexval(v[2]) >= 0) {
					buf_addc(&raw, (char)(hexval(v[1]) * 16 +
					    hexval(v[2])));
					v += 2;
				} else
					buf_addc(&raw, *v);
			}
		}
		if (!got && part > 0)
			break;
	}
	if (!found) {
		buf_free(&raw);
		return NULL;
	}
	{
		char *s = charset_to_utf8(charset, raw.data ? raw.data : "",
		    raw.len, NULL);

		buf_free(&raw);
		return s;
	}
}

/* A file name safe to show and to offer for download: no paths, no controls. */
static char *
safe_name(char *name)
{
	char *p, *base = name;

	for (p = name; *p; p++) {
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = '_';
		if (*p == '/' || *p == '\\')
			base = p + 1;
	}
	if (base != name)
		memmove(name, base, strlen(base) + 1);
	str_squeeze(name);
	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
		name[0] = '\0';
	return name;
}

static char *
part_name(struct mailmime *mime, struct mailmime_single_fields *sf)
{
	char *n = NULL;

	if (mime->mm_mime_fields != NULL && sf->fld_disposition != NULL)
		n = rfc2231_param(sf->fld_disposition->dsp_parms, 1, "filename");
	if (n == NULL && mime->mm_content_type != NULL)
		n = rfc2231_param(mime->mm_content_type->ct_parameters, 0,
		    "name");
	if (n == NULL && sf->fld_disposition_filename != NULL)
		n = clean_header(sf->fld_disposition_filename);
	if (n == NULL && sf->fld_content_name != NULL)
		n = clean_header(sf->fld_content_name);
	return n ? safe_name(n) : NULL;
}

static void
add_attachment(struct dm_parsed *m, char *name, char *type, int is_inline,
    const char *cid, const char *data, size_t size)
{
	struct dm_attachment *a;

	m->att = xreallocarray(m->att, m->natt + 1, sizeof(*m->att));
	a = &m->att[m->natt++];
	memset(a, 0, sizeof(*a));
	if (name == NULL || *name == '\0') {
		free(name);
		name = xasprintf("part-%zu", m->natt);
	}
	a->name = name;
	a->type = type;
	a->is_inline = is_inline;
	a->content_id = cid ? xstrdup(cid) : NULL;
	if (data != NULL) {
		a->data = xmalloc(size + 1);
		memcpy(a->data, data, size);
		a->data[size] = '\0';
	}
	a->size = size;
}

/* Decoded bytes of a single part; *out is malloc'd, NUL-terminated. */
#define DECODE_PAD	4	/* NULs after a part handed to libetpan */

static void
decode_single(struct mailmime *mime, char **out, size_t *outlen)
{
	struct mailmime_data *d = mime->mm_data.mm_single;
	int enc = MAILMIME_MECHANISM_8BIT;
	char *res = NULL, *copy;
	size_t reslen = 0, idx = 0, len;

	*out = NULL;
	*outlen = 0;
	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT) {
		*out = xstrdup("");
		return;
	}
	if (mime->mm_mime_fields != NULL)
		enc = mailmime_transfer_encoding_get(mime->mm_mime_fields);
	if (enc != MAILMIME_MECHANISM_BASE64 &&
	    enc != MAILMIME_MECHANISM_QUOTED_PRINTABLE)
		enc = MAILMIME_MECHANISM_8BIT;
	/*
	 * libetpan's quoted-printable decoder reads two bytes from an "="
	 * even when only one is left: decode a copy with NULs after it,
	 * not the message itself (whose part may end its buffer).
	 */
	len = d->dt_data.dt_text.dt_length;
	copy = xmalloc(len + DECODE_PAD);
	memcpy(copy, d->dt_data.dt_text.dt_data, len);
	memset(copy + len, 0, DECODE_PAD);
	if (mailmime_part_parse(copy, len, &idx, enc, &res, &reslen) !=
	    MAILIMF_NO_ERROR || res == NULL) {
		copy[len] = '\0';
		*out = copy;
		*outlen = len;
		return;
	}
	free(copy);
	*out = xmalloc(reslen + 1);
	memcpy(*out, res, reslen);
	(*out)[reslen] = '\0';
	*outlen = reslen;
	mailmime_decoded_part_free(res);
}

/*
 * The size a part has once decoded, without decoding it: base64 is three
 * bytes per four characters of its alphabet; quoted-printable is decoded
 * (rare for files, and its size cannot be counted otherwise).
 */
static size_t
decoded_size(struct mailmime *mime)
{
	struct mailmime_data *d = mime->mm_data.mm_single;
	const char *p, *end;
	size_t n = 0, len;
	char *data;
	int enc;

	if (d == NULL || d->dt_type != MAILMIME_DATA_TEXT)
		return 0;
	enc = mime->mm_mime_fields ?
	    mailmime_transfer_encoding_get(mime->mm_mime_fields) :
	    MAILMIME_MECHANISM_8BIT;
	if (enc == MAILMIME_MECHANISM_BASE64) {
		p = d->dt_data.dt_text.dt_data;
		end = p + d->dt_data.dt_text.dt_length;
		for (; p < end; p++)
			if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') ||
			    (*p >= '0' && *p <= '9') || *p == '+' || *p == '/')
				n++;
		return n * 3 / 4;
	}
	if (enc == MAILMIME_MECHANISM_QUOTED_PRINTABLE) {
		decode_single(mime, &data, &len);
		free(data);
		return len;
	}
	return d->dt_data.dt_text.dt_length;
}


/* The bytes of the attachment mime_attachment() wants, copied. */
static void
keep(struct walk *w, const char *data, size_t len)
{
	free(w->got);
	w->got = xmalloc(len + 1);
	memcpy(w->got, data, len);
	w->got[len] = '\0';
	w->got_len = len;
}

static void walk(struct walk *w, struct mailmime *mime, long depth,
    int in_alternative);
static size_t decoded_size(struct mailmime *mime);
static void repair_multipart(struct walk *w, struct mailmime *mime,
    long depth);

/* Line ends in stored text are "\n"; a lone "\r" is dropped too. */
static char *
crlf_to_lf(char *s)
{
	char *r, *w;

	for (r = w = s; *r; r++)
		if (*r != '\r')
			*w++ = *r;
	*w = '\0';
	return s;
}

/* Text types that are the message body when inline; others are files. */
static int
is_body_text(const char *type)
{
	return strncmp(type, "text/", 5) == 0 &&
	    strcmp(type, "text/rfc822-headers") != 0 &&
	    strcmp(type, "text/calendar") != 0 &&
	    strcmp(type, "text/x-vcard") != 0 &&
	    strcmp(type, "text/vcard") != 0 &&
	    strcmp(type, "text/csv") != 0;
}

static void
walk_single(struct walk *w, struct mailmime *mime)
{
	struct mailmime_single_fields sf;
	struct dm_parsed *m = w->m;
	char *type, *name, *data, *text;
	size_t len;
	int attach, is_inline;

	mailmime_single_fields_init(&sf, mime->mm_mime_fields,
	    mime->mm_content_type);
	type = content_type(mime->mm_content_type);
	name = part_name(mime, &sf);
	attach = sf.fld_disposition != NULL &&
	    sf.fld_disposition->dsp_type->dsp_type ==
	    MAILMIME_DISPOSITION_TYPE_ATTACHMENT;
	is_inline = !attach;
	if ((attach || name != NULL || !is_body_text(type)) &&
	    strcmp(type, "text/rfc822-headers") != 0 &&
	    strcmp(type, "message/rfc822-headers") != 0) {
		/*
		 * A file: its name, type and size are what is stored; its
		 * bytes stay in the raw message, so decoding them here would
		 * only cost time (base64 decoding was a quarter of ingest).
		 */
		if (w->want == (long)m->natt) {
			decode_single(mime, &data, &len);
			keep(w, data, len);
			free(data);
		}
		add_attachment(m, name, type, is_inline, sf.fld_id, NULL,
		    decoded_size(mime));
		return;
	}
	decode_single(mime, &data, &len);

	if (m->is_report && (strcmp(type, "text/rfc822-headers") == 0 ||
	    strcmp(type, "message/rfc822-headers") == 0) &&
	    m->report_refs == NULL) {
		char *p = strcasestr(data, "\nmessage-id:");

		if (p == NULL && strncasecmp(data, "message-id:", 11) == 0)
			p = data;
		if (p != NULL)
			m->report_refs = first_msgid(p, strcspn(p + 1, "\n") + 1);
	}
	if (!attach && name == NULL && is_body_text(type)) {
		text = crlf_to_lf(charset_to_utf8(sf.fld_content_charset, data,
		    len, NULL));
		if (strcmp(type, "text/html") == 0) {
			if (w->html == NULL) {
				w->html = text;
				text = NULL;
			}
		} else {
			if (w->plain.len > 0)
				buf_adds(&w->plain, "\n");
			buf_adds(&w->plain, text);
		}
		free(text);
		free(data);
		free(type);
		return;
	}
	if (w->want == (long)m->natt)
		keep(w, data, len);
	add_attachment(m, name, type, is_inline, sf.fld_id, data, len);
	free(data);
}

static int
too_deep(struct walk *w, long depth)
{
	if (depth <= w->lim->max_mime_depth)
		return 0;
	w->err = dm_fail(DM_ELIMIT, "MIME nesting deeper than %ld",
	    w->lim->max_mime_depth);
	return 1;
}

/*
 * An attached message is kept whole, not walked, but the levels inside it
 * count against max_mime_depth all the same (it is one level itself), or
 * messages attached to messages would nest without bound.
 */
static void
check_depth(struct walk *w, struct mailmime *mime, long depth)
{
	clistiter *it;

	if (w->err != DM_OK || mime == NULL || too_deep(w, depth))
		return;
	if (mime->mm_type == MAILMIME_MULTIPLE)
		for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list);
		    it != NULL; it = clist_next(it))
			check_depth(w, clist_content(it), depth + 1);
	else if (mime->mm_type == MAILMIME_MESSAGE)
		check_depth(w, mime->mm_data.mm_message.mm_msg_mime, depth + 1);
}

static void
walk(struct walk *w, struct mailmime *mime, long depth, int in_alternative)
{
	clistiter *it;

	if (w->err != DM_OK || mime == NULL)
		return;
	if (++w->m->nparts > (size_t)w->lim->max_parts) {
		w->err = dm_fail(DM_ELIMIT, "more than %ld MIME parts",
		    w->lim->max_parts);
		return;
	}
	if (too_deep(w, depth))
		return;
	switch (mime->mm_type) {
	case MAILMIME_SINGLE:
		walk_single(w, mime);
		break;
	case MAILMIME_MULTIPLE: {
		const char *sub = mime->mm_content_type ?
		    mime->mm_content_type->ct_subtype : NULL;
		int alt = sub != NULL && strcasecmp(sub, "alternative") == 0;
		size_t before_plain = w->plain.len;

		if (clist_isempty(mime->mm_data.mm_multipart.mm_mp_list)) {
			repair_multipart(w, mime, depth);
			break;
		}
		for (it = clist_begin(mime->mm_data.mm_multipart.mm_mp_list);
		    it; it = clist_next(it)) {
			walk(w, clist_content(it), depth + 1, alt);
			/* an alternative's first plain version is enough */
			if (alt && w->plain.len > before_plain)
				break;
		}
		break;
	}
	case MAILMIME_MESSAGE:
		if (mime->mm_parent == NULL) {
			walk(w, mime->mm_data.mm_message.mm_msg_mime, depth,
			    in_alternative);
		} else {
			/* an attached message: kept whole, named by its subject */
			struct dm_parsed *m = w->m;
			char *subject = NULL, *name;
			struct mailimf_fields *f =
			    mime->mm_data.mm_message.mm_fields;
			clistiter *jt;

			check_depth(w, mime->mm_data.mm_message.mm_msg_mime,
			    depth + 1);
			if (w->err != DM_OK)
				break;
			if (f != NULL)
				for (jt = clist_begin(f->fld_list); jt;
				    jt = clist_next(jt)) {
					struct mailimf_field *fl = clist_content(jt);

					if (fl->fld_type == MAILIMF_FIELD_SUBJECT &&
					    subject == NULL)
						subject = clean_header(fl->fld_data.
						    fld_subject->sbj_value);
					if (fl->fld_type == MAILIMF_FIELD_MESSAGE_ID &&
					    m->is_report && m->report_refs == NULL &&
					    fl->fld_data.fld_message_id->mid_value)
						m->report_refs = xstrdup(fl->fld_data.
						    fld_message_id->mid_value);
				}
			name = subject && *subject ? xasprintf("%s.eml",
			    subject) : xstrdup("message.eml");
			free(subject);
			if (w->want == (long)m->natt)
				keep(w, mime->mm_body ? mime->mm_body->dt_data.
				    dt_text.dt_data : mime->mm_mime_start,
				    mime->mm_body ? mime->mm_body->dt_data.
				    dt_text.dt_length : mime->mm_length);
			add_attachment(m, safe_name(name), xstrdup("message/rfc822"),
			    0, NULL, mime->mm_body ? mime->mm_body->dt_data.
			    dt_text.dt_data : mime->mm_mime_start,
			    mime->mm_body ? mime->mm_body->dt_data.dt_text.
			    dt_length : mime->mm_length);
		}
		break;
	}
}

/*
 * A multipart in which libetpan found no parts, usually because its
 * closing delimiter is missing or mangled ("--b-"): parse its body again
 * with a proper close-delimiter appended.  Bounded: a few per message.
 */
static void
repair_multipart(struct walk *w, struct mailmime *mime, long depth)
{
	const char *boundary = content_param(mime->mm_content_type, "boundary");
	struct mailmime *again = NULL;
	struct buf b;
	size_t idx = 0;

	char delim[128];

	if (boundary == NULL || mime->mm_body == NULL ||
	    mime->mm_body->dt_type != MAILMIME_DATA_TEXT || w->repairs >= 3 ||
	    strpbrk(boundary, "\"\r\n") != NULL || strlen(boundary) > 100)
		return;
	/* only a body that has at least one delimiter line has parts */
	snprintf(delim, sizeof(delim), "--%s", boundary);
	if (memmem(mime->mm_body->dt_data.dt_text.dt_data,
	    mime->mm_body->dt_data.dt_text.dt_length, delim,
	    strlen(delim)) == NULL)
		return;
	w->repairs++;
	buf_init(&b);
	buf_addf(&b, "Content-Type: multipart/%s; boundary=\"%s\"\r\n\r\n",
	    mime->mm_content_type->ct_subtype, boundary);
	buf_add(&b, mime->mm_body->dt_data.dt_text.dt_data,
	    mime->mm_body->dt_data.dt_text.dt_length);
	buf_addf(&b, "\r\n--%s--\r\n", boundary);
	if (mailmime_parse(b.data, b.len, &idx, &again) == MAILIMF_NO_ERROR &&
	    again != NULL) {
		struct mailmime *top = again->mm_type == MAILMIME_MESSAGE ?
		    again->mm_data.mm_message.mm_msg_mime : again;

		if (top != NULL && top->mm_type == MAILMIME_MULTIPLE &&
		    !clist_isempty(top->mm_data.mm_multipart.mm_mp_list))
			walk(w, top, depth, 0);
		mailmime_free(again);
	}
	buf_free(&b);
}

/* mime_parse(), and with want >= 0 that attachment's bytes (*got). */
static dm_err
parse(const char *raw, size_t len, const struct dm_limits *lim, long want,
    struct dm_parsed **out, char **got, size_t *got_len)
{
	struct mailmime *mime = NULL;
	struct dm_parsed *m;
	struct walk w;
	size_t idx = 0;
	const char *start = raw;
	char *fixed = NULL;
	size_t fixed_len = 0;
	dm_err err;

	*out = NULL;
	if ((err = prescan(raw, len, lim)) != DM_OK)
		return err;
	if (mime_is_mbox_line(raw, len)) {
		start = line_end(raw, raw + len);
		len -= (size_t)(start - raw);
	}
	if ((fixed = normalise_header(start, len, &fixed_len)) != NULL) {
		start = fixed;
		len = fixed_len;
	}
	if (mailmime_parse(start, len, &idx, &mime) != MAILIMF_NO_ERROR ||
	    mime == NULL) {
		free(fixed);
		return dm_fail(DM_EPARSE, "MIME structure cannot be parsed");
	}

	m = xcalloc(1, sizeof(*m));
	if (mime->mm_type == MAILMIME_MESSAGE)
		header_fields(m, mime->mm_data.mm_message.mm_fields);
	m->date = raw_field(start, len, "date");
	/* a MIME field: libetpan keeps it from the header's fields */
	m->content_language = raw_field(start, len, "content-language");
	check_from(m, start, len);
	{
		struct mailmime *top = mime->mm_type == MAILMIME_MESSAGE ?
		    mime->mm_data.mm_message.mm_msg_mime : mime;

		if (top != NULL && top->mm_type == MAILMIME_MULTIPLE &&
		    top->mm_content_type != NULL &&
		    top->mm_content_type->ct_subtype != NULL &&
		    strcasecmp(top->mm_content_type->ct_subtype, "report") == 0) {
			const char *rt = content_param(top->mm_content_type,
			    "report-type");

			m->is_report = 1;
			m->report_type = rt ? str_lower(xstrdup(rt)) : NULL;
		}
	}
	memset(&w, 0, sizeof(w));
	w.m = m;
	w.lim = lim;
	w.want = want;
	buf_init(&w.plain);
	walk(&w, mime, 0, 0);
	mailmime_free(mime);
	free(fixed);
	if (w.err != DM_OK) {
		buf_free(&w.plain);
		free(w.html);
		free(w.got);
		mime_free(m);
		return w.err;
	}
	if (got != NULL) {
		*got = w.got;
		*got_len = w.got_len;
	} else
		free(w.got);
	if (w.plain.len > 0 || w.html == NULL) {
		m->body = buf_release(&w.plain);
		free(w.html);
	} else {
		m->body = html_to_text(w.html, strlen(w.html));
		m->body_from_html = 1;
		free(w.html);
		buf_free(&w.plain);
	}
	if (m->subject == NULL)
		m->subject = xstrdup("");
	m->new_text = text_strip_quoted(m->body);
	*out = m;
	return DM_OK;
}

dm_err
mime_parse(const char *raw, size_t len, const struct dm_limits *lim,
    struct dm_parsed **out)
{
	return parse(raw, len, lim, -1, out, NULL, NULL);
}

dm_err
mime_attachment(const char *raw, size_t len, const struct dm_limits *lim,
    size_t index, struct dm_parsed **parsed, char **data, size_t *size)
{
	struct dm_parsed *m = NULL;
	char *got = NULL;
	size_t got_len = 0;
	dm_err err;

	*parsed = NULL;
	*data = NULL;
	*size = 0;
	if (index > LONG_MAX)
		return dm_fail(DM_ENOTFOUND, "no attachment %zu", index + 1);
	if ((err = parse(raw, len, lim, (long)index, &m, &got, &got_len)) !=
	    DM_OK)
		return err;
	if (index >= m->natt || got == NULL) {
		free(got);
		err = dm_fail(DM_ENOTFOUND, "the message has %zu attachment%s, "
		    "not %zu", m->natt, m->natt == 1 ? "" : "s", index + 1);
		mime_free(m);
		return err;
	}
	*parsed = m;
	*data = got;
	*size = got_len;
	return DM_OK;
}

void
mime_free(struct dm_parsed *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->from);
	free(m->from_name);
	free(m->reply_to);
	free(m->to);
	free(m->cc);
	free(m->envelope_to);
	free(m->subject);
	free(m->date);
	free(m->message_id);
	for (i = 0; i < m->nrefs; i++)
		free(m->refs[i]);
	free(m->refs);
	free(m->body);
	free(m->new_text);
	for (i = 0; i < m->natt; i++) {
		free(m->att[i].name);
		free(m->att[i].type);
		free(m->att[i].content_id);
		free(m->att[i].data);
	}
	free(m->att);
	free(m->auto_submitted);
	free(m->content_language);
	free(m->precedence);
	free(m->list_id);
	free(m->x_loop);
	free(m->return_path);
	free(m->report_type);
	free(m->report_refs);
	for (i = 0; i < m->nauth_results; i++)
		free(m->auth_results[i]);
	free(m->auth_results);
	free(m);
}
