/*
 * fuzz_filename.c - libFuzzer target for the names and types of the files
 * deskmail passes on: filename.c's filename_safe(), header.c's parameter
 * writers and media type, and compose.c's attachment parts, read back by
 * mime.c.  The input is a file name, and optionally a line "%%" and a
 * media type.  The target aborts unless:
 *
 *   - filename_safe(name) is valid UTF-8 of 1 to FILENAME_MAX_BYTES
 *     bytes with no '/', '\', ':', control, line separator or
 *     bidirectional control, no space or dot at the start or a space or
 *     dot at the end, and is its own filename_safe() (a name made safe
 *     stays as it is)
 *   - a mail composed with the file under the raw name (what header.c
 *     must survive) and under the safe name (what relay.c writes) has no
 *     bare CR or LF in its header blocks and no line over 76 characters
 *     there (but a Content-Type line of a long media type, one token of
 *     at most 127); mime_parse() reads one file from each, not inline, of the
 *     type header_media_type() made of the input type; under the safe
 *     name, the name read back is that name, and mime_attachment()
 *     decodes the file's bytes as given
 *   - header_http_disposition() is one line of printable ASCII
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/charset.h"
#include "deskmail/compose.h"
#include "deskmail/filename.h"
#include "deskmail/header.h"
#include "deskmail/mime.h"
#include "deskmail/util.h"

#include "fuzz.h"

static const char bytes[] = "%PDF-1.4\n\0\x01\xff binary\r\nbytes";

static void
fail(const char *what, const char *got)
{
	fprintf(stderr, "fuzz_filename: %s\n  got: '%s'\n", what,
	    got ? got : "(null)");
	abort();
}

static void
check_safe(const char *s)
{
	size_t n = strlen(s), i = 0, k;
	uint32_t c;
	char *again;

	if (n == 0 || n > FILENAME_MAX_BYTES || !utf8_valid(s, n))
		fail("not 1 to 120 bytes of UTF-8", s);
	if (s[0] == '.' || s[0] == ' ' || s[n - 1] == '.' || s[n - 1] == ' ')
		fail("a dot or space at an end", s);
	while (i < n) {
		k = utf8_char(s + i, n - i, &c);
		if (k == 0)
			fail("not UTF-8", s);
		if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == '/' ||
		    c == '\\' || c == ':' || c == 0x2028 || c == 0x2029 ||
		    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 &&
		    c <= 0x2069) || c == 0x200e || c == 0x200f)
			fail("a character that must not pass", s);
		i += k;
	}
	again = filename_safe(s, "attachment");
	if (strcmp(again, s) != 0)
		fail("not its own filename_safe()", again);
	free(again);
}

/*
 * "Content-Type: type/subtype;" with a type that cannot fold: a media
 * type is one token (some real ones are 73 characters), at most 127.
 */
static int
long_type(const char *p, size_t n)
{
	return n <= 14 + 127 + 1 && strncmp(p, "Content-Type: ", 14) == 0 &&
	    memchr(p + 14, ' ', n - 14) == NULL;
}

/* The header blocks: from the start, and after each boundary line. */
static void
check_lines(const char *m, size_t len)
{
	const char *p = m, *end = m + len, *nl;
	int in_header = 1;

	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (in_header && (nl == NULL || n == 0 || p[n - 1] != '\r'))
			fail("a bare LF or no CRLF in a header", p);
		if (in_header && memchr(p, '\r', n ? n - 1 : 0) != NULL)
			fail("a bare CR in a header", p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			in_header = 0;
		else if (p[0] == '-' && n > 2 && p[1] == '-')
			in_header = 1;
		else if (in_header && n > 76 && !long_type(p, n))
			fail("a header line over 76 characters", p);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
}

static void
roundtrip(const char *name, const char *type, int safe)
{
	static const struct dm_limits lim = { 1 << 20, 1000, 65536, 20, 500,
		0 };
	struct dm_parsed *m = NULL, *p2 = NULL;
	struct dm_mail_file f;
	struct dm_mail mail;
	char *out, *data, want_type[128];
	size_t len, dlen;

	f.name = name;
	f.type = type;
	f.data = bytes;
	f.len = sizeof(bytes) - 1;
	memset(&mail, 0, sizeof(mail));
	mail.from_addr = "help@example.org";
	mail.to = "anna@example.net";
	mail.subject = "a file";
	mail.message_id = "dm.1@example.org";
	mail.date = 1772442000;
	mail.text = "See the file.\n";
	mail.files = &f;
	mail.nfiles = 1;
	if (compose_message(&mail, &out, &len) != DM_OK)
		fail("compose_message failed", dm_errdetail());
	check_lines(out, len);
	if (mime_parse(out, len, &lim, &m) != DM_OK)
		fail("mime_parse failed", dm_errdetail());
	header_media_type(type, want_type, sizeof(want_type));
	if (m->natt != 1 || m->att[0].is_inline ||
	    strcmp(m->att[0].type, want_type) != 0)
		fail("not one attachment of the type", m->natt ? m->att[0].type :
		    "none");
	if (strcmp(m->body, "See the file.\n") != 0)
		fail("the text changed", m->body);
	if (safe && strcmp(m->att[0].name, name) != 0)
		fail("the safe name does not read back", m->att[0].name);
	if (safe) {
		if (mime_attachment(out, len, &lim, 0, &p2, &data, &dlen) !=
		    DM_OK || dlen != f.len || memcmp(data, bytes, dlen) != 0)
			fail("the bytes do not decode as given", name);
		mime_free(p2);
		free(data);
	}
	mime_free(m);
	free(out);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	const uint8_t *rest;
	size_t nlen, tlen;
	char *name, *type, *safe, *disp;
	const char *p;

	if (!ready) {
		charset_install();
		ready = 1;
	}
	fuzz_split(data, size, &rest, &nlen, &tlen);
	name = fuzz_str(data, rest ? nlen - 1 : nlen);	/* not its line end */
	type = rest ? fuzz_str(rest, tlen) : xstrdup("application/pdf");
	safe = filename_safe(name, "attachment");
	check_safe(safe);
	roundtrip(name, type, 0);
	roundtrip(safe, type, 1);
	disp = header_http_disposition(name);
	for (p = disp; *p; p++)
		if ((unsigned char)*p < ' ' || (unsigned char)*p > '~')
			fail("HTTP Content-Disposition is not printable ASCII",
			    disp);
	free(disp);
	free(safe);
	free(name);
	free(type);
	return 0;
}
