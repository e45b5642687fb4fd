/*
 * fuzz_header.c - libFuzzer target for the header fields deskmail writes
 * (header.c, through compose_message()).  The input is a From display
 * name, a line "%%", a Subject, and optionally another "%%" line and the
 * message ids used as In-Reply-To and References.  The mail composed from
 * them (fixed addresses and Message-ID) is read back by libetpan, and the
 * target aborts unless:
 *
 *   - the header block has no bare CR or LF, every CRLF in it ends a
 *     field or folds (a space or tab follows), no line is over 998 bytes
 *     and none of the header over 76 unless it holds only an address
 *   - mailimf_fields_parse() reads the whole header block as exactly the
 *     fields compose_message() writes, in order (nothing added by input)
 *   - From is one mailbox, help@example.org, whose display name decodes
 *     to header_clean(name); To is one mailbox, customer@example.net;
 *     Message-ID is ours; In-Reply-To and References hold as many ids as
 *     there are plain addresses among the ids given
 *   - the Subject, decoded by mailmime_encoded_phrase_parse() to UTF-8,
 *     is header_clean(subject)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <libetpan/libetpan.h>

#include "deskmail/compose.h"
#include "deskmail/header.h"
#include "deskmail/util.h"

#include "fuzz.h"

#define FROM_ADDR	"help@example.org"
#define TO_ADDR		"customer@example.net"
#define MSG_ID		"dm.1.fixed@example.org"

/* What compose_message() writes for an auto-reply, in order. */
static const char *const fields_with_ids[] = {
	"Date", "From", "To", "Subject", "Message-ID", "In-Reply-To",
	"References", "Auto-Submitted", "X-Auto-Response-Suppress", "X-Loop",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding", NULL
};
static const char *const fields_without_ids[] = {
	"Date", "From", "To", "Subject", "Message-ID", "Auto-Submitted",
	"X-Auto-Response-Suppress", "X-Loop", "MIME-Version", "Content-Type",
	"Content-Transfer-Encoding", NULL
};

static void
fail(const char *what, const char *got, const char *want)
{
	fprintf(stderr, "fuzz_header: %s\n  got:  '%s'\n  want: '%s'\n", what,
	    got ? got : "(null)", want ? want : "(null)");
	abort();
}

static const char *
field_name(const struct mailimf_field *f)
{
	switch (f->fld_type) {
	case MAILIMF_FIELD_RETURN_PATH:		return "Return-Path";
	case MAILIMF_FIELD_RESENT_DATE:		return "Resent-Date";
	case MAILIMF_FIELD_RESENT_FROM:		return "Resent-From";
	case MAILIMF_FIELD_RESENT_SENDER:	return "Resent-Sender";
	case MAILIMF_FIELD_RESENT_TO:		return "Resent-To";
	case MAILIMF_FIELD_RESENT_CC:		return "Resent-Cc";
	case MAILIMF_FIELD_RESENT_BCC:		return "Resent-Bcc";
	case MAILIMF_FIELD_RESENT_MSG_ID:	return "Resent-Message-ID";
	case MAILIMF_FIELD_ORIG_DATE:		return "Date";
	case MAILIMF_FIELD_FROM:		return "From";
	case MAILIMF_FIELD_SENDER:		return "Sender";
	case MAILIMF_FIELD_REPLY_TO:		return "Reply-To";
	case MAILIMF_FIELD_TO:			return "To";
	case MAILIMF_FIELD_CC:			return "Cc";
	case MAILIMF_FIELD_BCC:			return "Bcc";
	case MAILIMF_FIELD_MESSAGE_ID:		return "Message-ID";
	case MAILIMF_FIELD_IN_REPLY_TO:		return "In-Reply-To";
	case MAILIMF_FIELD_REFERENCES:		return "References";
	case MAILIMF_FIELD_SUBJECT:		return "Subject";
	case MAILIMF_FIELD_COMMENTS:		return "Comments";
	case MAILIMF_FIELD_KEYWORDS:		return "Keywords";
	case MAILIMF_FIELD_OPTIONAL_FIELD:
		return f->fld_data.fld_optional_field->fld_name;
	}
	return "(unparsed)";
}

/* The ids compose_message() keeps: tokens that are plain addresses. */
static int
count_ids(const char *ids)
{
	char *copy = xstrdup(ids), *tok, *save = NULL;
	int n = 0;

	for (tok = strtok_r(copy, " \t\r\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\r\n", &save))
		n += header_address_safe(tok) != 0;
	free(copy);
	return n;
}

/* A header line of nothing but an address: "Name: <a>" or " <a>". */
static int
address_line(const char *l, size_t n)
{
	size_t i = 0;

	while (i < n && l[i] != ':' && l[i] != ' ' && l[i] != '<')
		i++;
	if (i < n && l[i] == ':')
		i++;
	else
		i = 0;
	while (i < n && (l[i] == ' ' || l[i] == '\t'))
		i++;
	if (i >= n || l[i] != '<' || l[n - 1] != '>')
		return 0;
	for (i++; i < n - 1; i++)
		if (l[i] == '<' || l[i] == '>' || l[i] == ' ')
			return 0;
	return 1;
}

/* Lines and line ends of the whole mail; hlen is its header's length. */
static void
check_lines(const char *m, size_t len, size_t hlen)
{
	size_t start = 0, i;

	for (i = 0; i < len; i++) {
		if (m[i] == '\r' && (i + 1 >= len || m[i + 1] != '\n')) {
			if (i < hlen)
				fail("bare CR in the header", m + start, "");
			continue;	/* the body is libetpan's business */
		}
		if (m[i] != '\n')
			continue;
		if (i < hlen && (i == 0 || m[i - 1] != '\r'))
			fail("bare LF in the header", m + start, "");
		if (i - start > 999)
			fail("a line over 998 bytes", m + start, "");
		if (i < hlen && i - 1 - start > 76 &&
		    !address_line(m + start, i - 1 - start))
			fail("a header line over 76 characters", m + start, "");
		/* the next line folds or starts a field "Name:" */
		if (i + 1 < hlen && m[i + 1] != ' ' && m[i + 1] != '\t') {
			size_t k = i + 1;

			while (k < hlen && m[k] > ' ' && m[k] < 0x7f &&
			    m[k] != ':')
				k++;
			if (k == i + 1 || k >= hlen || m[k] != ':')
				fail("a header line neither folds nor starts a "
				    "field", m + i + 1, "");
		}
		start = i + 1;
	}
}

/* s decoded as a reader decodes an unstructured value or a phrase. */
static char *
decode(const char *s)
{
	size_t idx = 0;
	char *out = NULL;

	if (*s == '\0')
		return xstrdup("");
	if (mailmime_encoded_phrase_parse("utf-8", s, strlen(s), &idx,
	    "utf-8", &out) != MAILIMF_NO_ERROR || out == NULL)
		fail("mailmime_encoded_phrase_parse failed", s, "");
	return out;
}

static void
check_mailbox(const char *what, const struct mailimf_mailbox *mb,
    const char *addr, const char *display, int quoted)
{
	char *got, *want;

	if (strcmp(mb->mb_addr_spec, addr) != 0)
		fail(what, mb->mb_addr_spec, addr);
	want = header_clean(display);
	if (mb->mb_display_name == NULL)
		got = xstrdup("");
	else if (quoted)
		got = xstrdup(mb->mb_display_name);	/* never encoded */
	else
		got = decode(mb->mb_display_name);
	if (strcmp(got, want) != 0)
		fail(what, got, want);
	free(got);
	free(want);
}

static void
check_fields(const char *m, size_t hlen, const char *name,
    const char *subject, const char *ids)
{
	const char *const *want = count_ids(ids) ? fields_with_ids :
	    fields_without_ids;
	struct mailimf_fields *fields = NULL;
	struct mailimf_field *f;
	struct mailimf_address *a;
	clistiter *it;
	clist *l;
	size_t idx = 0, n = 0;
	char *got, *clean;
	int quoted = strncmp(m + strcspn(m, "\n") + 1, "From: \"", 7) == 0;

	if (mailimf_fields_parse(m, hlen, &idx, &fields) != MAILIMF_NO_ERROR)
		fail("mailimf_fields_parse failed", m, "");
	if (idx != hlen)
		fail("libetpan did not read the whole header", m + idx, "");
	/* the names first: an added field is the finding that matters */
	for (it = clist_begin(fields->fld_list); it != NULL;
	    it = clist_next(it), n++) {
		f = clist_content(it);
		if (want[n] == NULL || strcasecmp(field_name(f), want[n]) != 0)
			fail("an unexpected field", field_name(f), want[n]);
	}
	if (want[n] != NULL)
		fail("a field is missing", "", want[n]);
	for (it = clist_begin(fields->fld_list); it != NULL;
	    it = clist_next(it)) {
		f = clist_content(it);
		switch (f->fld_type) {
		case MAILIMF_FIELD_FROM:
			l = f->fld_data.fld_from->frm_mb_list->mb_list;
			if (clist_count(l) != 1)
				fail("From: not one mailbox", "", FROM_ADDR);
			check_mailbox("From", clist_content(clist_begin(l)),
			    FROM_ADDR, name, quoted);
			break;
		case MAILIMF_FIELD_TO:
			l = f->fld_data.fld_to->to_addr_list->ad_list;
			a = clist_count(l) == 1 ? clist_content(clist_begin(l)) :
			    NULL;
			if (a == NULL || a->ad_type != MAILIMF_ADDRESS_MAILBOX)
				fail("To: not one mailbox", "", TO_ADDR);
			check_mailbox("To", a->ad_data.ad_mailbox, TO_ADDR, "",
			    0);
			break;
		case MAILIMF_FIELD_SUBJECT:
			got = decode(f->fld_data.fld_subject->sbj_value);
			clean = header_clean(subject);
			if (strcmp(got, clean) != 0)
				fail("Subject decodes wrong", got, clean);
			free(got);
			free(clean);
			break;
		case MAILIMF_FIELD_MESSAGE_ID:
			if (strcmp(f->fld_data.fld_message_id->mid_value,
			    MSG_ID) != 0)
				fail("Message-ID", f->fld_data.fld_message_id->
				    mid_value, MSG_ID);
			break;
		case MAILIMF_FIELD_IN_REPLY_TO:
			if ((int)clist_count(f->fld_data.fld_in_reply_to->
			    mid_list) != count_ids(ids))
				fail("In-Reply-To: a wrong number of ids", ids, "");
			break;
		case MAILIMF_FIELD_REFERENCES:
			if ((int)clist_count(f->fld_data.fld_references->
			    mid_list) != count_ids(ids))
				fail("References: a wrong number of ids", ids, "");
			break;
		}
	}
	mailimf_fields_free(fields);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *rest, *idata;
	size_t nlen, rlen, slen, ilen, hlen, len;
	char *name, *subject, *ids, *out;
	const char *end;
	struct dm_mail m;

	fuzz_split(data, size, &rest, &nlen, &rlen);
	name = fuzz_str(data, nlen);
	if (rest != NULL) {
		fuzz_split(rest, rlen, &idata, &slen, &ilen);
		subject = fuzz_str(rest, slen);
		ids = idata ? fuzz_str(idata, ilen) : xstrdup("");
	} else {
		subject = xstrdup("");
		ids = xstrdup("");
	}
	memset(&m, 0, sizeof(m));
	m.from_name = name;
	m.from_addr = FROM_ADDR;
	m.to = TO_ADDR;
	m.subject = subject;
	m.message_id = MSG_ID;
	m.in_reply_to = ids;
	m.refs = ids;
	m.x_loop = FROM_ADDR;
	m.auto_submitted = AS_AUTO_REPLIED;
	m.date = 1772442000;
	m.text = "The body.\n";
	if (compose_message(&m, &out, &len) != DM_OK)
		fail("compose_message failed", dm_errdetail(), "");
	if ((end = memmem(out, len, "\r\n\r\n", 4)) == NULL)
		fail("no end of the header", out, "");
	hlen = (size_t)(end - out) + 2;	/* the last field's CRLF */
	check_fields(out, hlen, name, subject, ids);
	check_lines(out, len, hlen);
	free(out);
	free(name);
	free(subject);
	free(ids);
	return 0;
}
