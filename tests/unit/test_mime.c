/* Unit tests: mime.c on small hand-written messages */
#include <stdlib.h>
#include <string.h>

#include "deskmail/mime.h"
#include "deskmail/util.h"
#include "tap.h"

static const struct dm_limits limits = { 1 << 20, 100, 4096, 5, 50, 0 };

static struct dm_parsed *
parse(const char *raw)
{
	struct dm_parsed *m = NULL;

	if (mime_parse(raw, strlen(raw), &limits, &m) != DM_OK)
		return NULL;
	return m;
}

/* A header, then level times one, then "x": a message nested that deep. */
static dm_err
nested(const char *one, int level, const struct dm_limits *lim)
{
	struct dm_parsed *m = NULL;
	struct buf b;
	dm_err err;
	int i;

	buf_init(&b);
	buf_adds(&b, "From: a@b.c\nSubject: deep\n");
	for (i = 0; i < level; i++)
		buf_adds(&b, one);
	buf_adds(&b, "\nx\n");
	err = mime_parse(b.data, b.len, lim, &m);
	mime_free(m);
	buf_free(&b);
	return err;
}

/*
 * Attached messages count toward max_mime_depth, and no nesting reaches
 * libetpan's recursion deep enough to run out of stack (it crashed on
 * these), however the Content-Type lines are disguised.
 */
static void
nesting(void)
{
	struct dm_limits lim = limits;
	dm_err err;

	lim.max_parts = 100000;
	err = nested("Content-Type: message/rfc822\n\n", 900, &lim);
	ok(err == DM_ELIMIT, "mime: 900 nested attached messages: over limit");
	is_str(dm_errdetail(), "MIME nesting deeper than 5",
	    "  ... for their depth");
	err = nested("Content-Type : message/rfc822\n\n", 100000, &lim);
	ok(err == DM_ELIMIT, "mime: 100,000 nested attached messages, white "
	    "space before the colon: over limit");
	is_str(dm_errdetail(), "more than 1000 multipart and message parts",
	    "  ... before libetpan parses them");
	err = nested("Content-Type: multipart/mixed; boundary=b\n\n--b",
	    100000, &lim);
	ok(err == DM_ELIMIT, "mime: 100,000 nested multiparts, each "
	    "Content-Type right after a boundary: over limit");
	is_str(dm_errdetail(), "more than 1000 multipart and message parts",
	    "  ... before libetpan parses them");
}

/*
 * A quoted-printable part that ends the message in "=" and one more
 * character: libetpan's decoder reads two bytes from the "=".  The message is in a buffer of its
 * exact size, so the ASan build of this test sees any read beyond it.
 */
static void
qp_at_the_end(void)
{
	static const char msg[] = "From: a@b.example\r\nSubject: qp\r\n"
	    "Content-Type: text/plain\r\n"
	    "Content-Transfer-Encoding: quoted-printable\r\n\r\nabc=4";
	size_t len = sizeof(msg) - 1;
	char *raw = malloc(len);
	struct dm_parsed *m = NULL;

	memcpy(raw, msg, len);
	ok(mime_parse(raw, len, &limits, &m) == DM_OK && m != NULL,
	    "mime: a quoted-printable part ending the message in '=4' parses");
	ok(m != NULL && strncmp(m->body, "abc", 3) == 0,
	    "  ... to its text, without reading past the message");
	mime_free(m);
	free(raw);
}

void
test_mime(void)
{
	struct dm_parsed *m;
	struct dm_limits tight = limits;

	qp_at_the_end();
	m = parse("From: =?UTF-8?Q?Ren=C3=A9e?= <Renee@Example.ORG>\r\n"
	    "To: help@x.org, b@y.org\r\n"
	    "Subject: =?ISO-8859-1?Q?caf=E9?= ok\r\n"
	    "Message-ID: <abc@host>\r\n"
	    "In-Reply-To: <parent@x>\r\n"
	    "References: <root@x> <parent@x>\r\n\r\nHello\r\n");
	ok(m != NULL, "mime: simple message parses");
	if (m != NULL) {
		is_str(m->from, "renee@example.org", "mime: from lower-cased");
		is_str(m->from_name, "Ren\xc3\xa9" "e", "mime: encoded name");
		is_str(m->subject, "caf\xc3\xa9 ok", "mime: encoded subject");
		is_str(m->message_id, "abc@host", "mime: message-id");
		ok(m->nrefs == 2 && strcmp(m->refs[0], "parent@x") == 0 &&
		    strcmp(m->refs[1], "root@x") == 0,
		    "mime: in-reply-to first, then references newest first");
		is_str(m->to, "help@x.org, b@y.org", "mime: to list");
		is_str(m->body, "Hello\n", "mime: body, CRLF made LF");
		mime_free(m);
	}
	m = parse("From: a@b.c\nSubject: q\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/alternative; boundary=XX\n\n"
	    "--XX\nContent-Type: text/plain; charset=utf-8\n"
	    "Content-Transfer-Encoding: quoted-printable\n\nplain =C3=A9\n"
	    "--XX\nContent-Type: text/html\n\n<p>html</p>\n--XX--\n");
	ok(m && strncmp(m->body, "plain \xc3\xa9", 8) == 0 && !m->body_from_html,
	    "mime: alternative prefers plain, QP decoded");
	mime_free(m);
	m = parse("From: a@b.c\nSubject: q\nMIME-Version: 1.0\n"
	    "Content-Type: text/html; charset=iso-8859-1\n\n<p>caf\xe9</p>\n");
	ok(m && strcmp(m->body, "caf\xc3\xa9") == 0 && m->body_from_html,
	    "mime: html-only converted to text");
	mime_free(m);
	m = parse("From: a@b.c\nSubject: q\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=B\n\n"
	    "--B\nContent-Type: text/plain\n\nsee file\n"
	    "--B\nContent-Type: application/pdf; name=\"r.pdf\"\n"
	    "Content-Disposition: attachment; filename=\"../../etc/r.pdf\"\n"
	    "Content-Transfer-Encoding: base64\n\nJVBERi0=\n--B--\n");
	ok(m && m->natt == 1 && strcmp(m->att[0].name, "r.pdf") == 0 &&
	    m->att[0].size == 5 && m->att[0].data == NULL,
	    "mime: attachment measured (5 bytes decoded), path stripped from "
	    "name, bytes left in the raw message");
	mime_free(m);
	m = parse("From: a@b.c\nSubject: q\nMIME-Version: 1.0\n"
	    "Content-Type: multipart/mixed; boundary=B\n\n--B\n"
	    "Content-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.txt\n"
	    "\nx\n--B--\n");
	ok(m && m->natt == 1 && strcmp(m->att[0].name,
	    "r\xc3\xa9sum\xc3\xa9.txt") == 0, "mime: RFC 2231 file name");
	mime_free(m);

	ok(mime_parse("no header here\n\nbody", 20, &limits, &m) == DM_EPARSE,
	    "mime: no header fields is a parse error");
	tight.max_headers = 2;
	ok(mime_parse("A: 1\nB: 2\nC: 3\n\nx", 17, &tight, &m) == DM_ELIMIT,
	    "mime: header count limit");
	tight = limits;
	tight.max_mime_depth = 1;
	{
		const char *deep = "From: a@b.c\nContent-Type: multipart/mixed; "
		    "boundary=A\n\n--A\nContent-Type: multipart/mixed; "
		    "boundary=B\n\n--B\nContent-Type: multipart/mixed; "
		    "boundary=C\n\n--C\n\nx\n--C--\n--B--\n--A--\n";

		ok(mime_parse(deep, strlen(deep), &tight, &m) == DM_ELIMIT,
		    "mime: nesting limit");
	}
	nesting();
	m = parse("From: MAILER-DAEMON@x.org\nSubject: Undelivered\n"
	    "Content-Type: multipart/report; report-type=delivery-status; "
	    "boundary=R\n\n--R\n\nfailed\n--R\n"
	    "Content-Type: message/delivery-status\n\nStatus: 5.1.1\n--R\n"
	    "Content-Type: text/rfc822-headers\n\nFrom: help@x.org\n"
	    "Message-ID: <dm.1.2.3@x.org>\n--R--\n");
	ok(m && m->is_report && m->report_type &&
	    strcmp(m->report_type, "delivery-status") == 0 && m->report_refs &&
	    strcmp(m->report_refs, "dm.1.2.3@x.org") == 0,
	    "mime: DSN recognised with the bounced Message-ID");
	mime_free(m);
}
