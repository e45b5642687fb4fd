/*
 * Unit tests: filename.c (file names made safe), header.c's parameter
 * writers, and a mail with files composed and read back (compose.c,
 * mime.c's mime_attachment()).
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/compose.h"
#include "deskmail/config.h"
#include "deskmail/filename.h"
#include "deskmail/header.h"
#include "deskmail/mime.h"
#include "deskmail/util.h"
#include "tap.h"

static void
name_is(const char *in, const char *want, const char *what)
{
	char *got = filename_safe(in, "attachment");

	is_str(got, want, "filename: %s", what);
	free(got);
}

static void
names(void)
{
	char long_name[400], *got;
	size_t i;

	name_is("report.pdf", "report.pdf", "a plain name stays");
	name_is("../../etc/passwd", "passwd", "no directories (..)");
	name_is("C:\\Users\\x\\evil.exe", "evil.exe", "no Windows path");
	name_is("/", "attachment", "only a separator: the fallback");
	name_is("..", "attachment", "'..' alone: the fallback");
	name_is(".bashrc", "bashrc", "no hidden file");
	name_is("evil\r\nContent-Type: text-html.txt",
	    "evil Content-Type_ text-html.txt", "CR/LF and ':' do not pass");
	name_is("a\"b<c>d|e?f*g.txt", "a_b_c_d_e_f_g.txt",
	    "Windows' forbidden characters");
	name_is("invoice\xe2\x80\xae" "fdp.exe", "invoice_fdp.exe",
	    "a right-to-left override does not pass");
	name_is("bad\xff\xfe.bin", "bad__.bin", "bytes that are not UTF-8");
	name_is("  spaced \t out  .txt. ", "spaced out .txt",
	    "white space squeezed, no dot or space at the end");
	name_is("CON.txt", "_CON.txt", "a Windows device name");
	name_is("con", "_con", "a device name without extension");
	name_is("Schöne Grüße.pdf", "Schöne Grüße.pdf", "UTF-8 stays");
	name_is(NULL, "attachment", "NULL: the fallback");
	name_is("", "attachment", "empty: the fallback");

	/* 300 bytes of UTF-8 (150 two-byte characters) and an extension */
	for (i = 0; i < 150; i++)
		memcpy(long_name + 2 * i, "\xc3\xa9", 2);
	strcpy(long_name + 300, ".pdf");
	got = filename_safe(long_name, "x");
	ok(strlen(got) <= FILENAME_MAX_BYTES && utf8_valid(got, strlen(got)) &&
	    strlen(got) >= FILENAME_MAX_BYTES - 1 &&
	    strcmp(got + strlen(got) - 4, ".pdf") == 0,
	    "filename: 304 bytes cut to %d at a character, extension kept "
	    "(%zu bytes)", FILENAME_MAX_BYTES, strlen(got));
	free(got);
}

static void
params(void)
{
	struct buf b;
	char *d;

	buf_init(&b);
	header_add_param(&b, "filename", "report.pdf", HP_RFC2231);
	is_str(b.data, ";\r\n filename=\"report.pdf\"",
	    "param: short ASCII is a quoted-string");
	buf_free(&b);
	buf_init(&b);
	header_add_param(&b, "filename", "Grüße.pdf", HP_RFC2231);
	is_str(b.data, ";\r\n filename*=UTF-8''Gr%C3%BC%C3%9Fe.pdf",
	    "param: UTF-8 per RFC 2231");
	buf_free(&b);
	buf_init(&b);
	header_add_param(&b, "name", "Grüße.pdf", HP_RFC2047);
	is_str(b.data, ";\r\n name=\"=?UTF-8?B?R3LDvMOfZS5wZGY=?=\"",
	    "param: UTF-8 as an encoded-word in quotes (Content-Type name)");
	buf_free(&b);
	buf_init(&b);
	header_add_param(&b, "filename", "a\"b\\c\r\nd", HP_RFC2231);
	is_str(b.data, ";\r\n filename*=UTF-8''a%22b%5Cc%20d",
	    "param: quote, backslash and CR/LF cannot break out");
	buf_free(&b);
	d = header_http_disposition("Grüße \"x\".pdf");
	is_str(d, "attachment; filename=\"Gr__e _x_.pdf\"; "
	    "filename*=UTF-8''Gr%C3%BC%C3%9Fe%20%22x%22.pdf",
	    "param: HTTP Content-Disposition (RFC 6266)");
	free(d);
}

/* Every line of the header block of each part at most 76 characters. */
static int
short_header_lines(const char *m, size_t len)
{
	const char *p = m, *end = m + len, *nl;
	int in_header = 1;

	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		size_t n = (size_t)(nl - p);

		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			in_header = 0;
		else if (strncmp(p, "--", 2) == 0)
			in_header = 1;	/* a boundary: a part's header next */
		else if (in_header && n > 76 && strncmp(p, "Content-Type:", 13))
			return 0;
		p = nl + 1;
	}
	return 1;
}

static void
roundtrip(void)
{
	struct dm_limits lim = { 1 << 24, 1000, 65536, 20, 500, 0 };
	struct dm_mail_file f[3];
	struct dm_parsed *m = NULL, *p2 = NULL;
	struct dm_mail mail;
	char long_name[400], *out, *data, *want_long;
	unsigned char bin[3000];
	size_t len, dlen, i;

	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i * 7 + (i >> 8));
	for (i = 0; i < 150; i++)
		memcpy(long_name + 2 * i, "\xc3\xa9", 2);
	strcpy(long_name + 300, ".pdf");
	want_long = filename_safe(long_name, "x");
	f[0].name = "screen shot.png";
	f[0].type = "image/png";
	f[0].data = (const char *)bin;
	f[0].len = sizeof(bin);
	f[1].name = want_long;
	f[1].type = "application/pdf; x-evil=\"\r\nBcc: a@b\"";
	f[1].data = "%PDF-1.4\n";
	f[1].len = 9;
	f[2].name = "empty.txt";
	f[2].type = "message/rfc822";
	f[2].data = "";
	f[2].len = 0;
	memset(&mail, 0, sizeof(mail));
	mail.from_addr = "help@example.org";
	mail.to = "anna@example.net";
	mail.subject = "files";
	mail.message_id = "dm.1@example.org";
	mail.date = 1772442000;
	mail.text = "Here they are.\n";
	mail.files = f;
	mail.nfiles = 3;
	if (compose_message(&mail, &out, &len) != DM_OK) {
		ok(0, "compose: a mail with three files (%s)", dm_errdetail());
		free(want_long);
		return;
	}
	ok(strstr(out, "Content-Type: multipart/mixed") != NULL &&
	    strstr(out, "Content-Disposition: attachment;") != NULL &&
	    strstr(out, "inline") == NULL && strstr(out, "x-evil") == NULL &&
	    strstr(out, "\r\nBcc:") == NULL,
	    "compose: multipart/mixed, attachments, no sender parameters");
	ok(short_header_lines(out, len),
	    "compose: no part header line over 76 characters");
	ok(mime_parse(out, len, &lim, &m) == DM_OK && m->natt == 3 &&
	    strcmp(m->body, "Here they are.\n") == 0,
	    "compose: read back, the text and three files");
	if (m != NULL && m->natt == 3) {
		is_str(m->att[0].name, "screen shot.png", "compose: name 1");
		is_str(m->att[0].type, "image/png", "compose: type 1");
		is_str(m->att[1].name, want_long, "compose: the long UTF-8 name "
		    "in RFC 2231 continuations reads back");
		is_str(m->att[1].type, "application/pdf", "compose: type 2 "
		    "without its parameters");
		is_str(m->att[2].type, "application/octet-stream",
		    "compose: a message/rfc822 goes as octet-stream");
		ok(m->att[0].is_inline == 0 && m->att[1].is_inline == 0,
		    "compose: not inline");
	}
	mime_free(m);
	ok(mime_attachment(out, len, &lim, 0, &p2, &data, &dlen) == DM_OK &&
	    dlen == sizeof(bin) && memcmp(data, bin, dlen) == 0,
	    "mime_attachment: the binary file decodes byte for byte");
	mime_free(p2);
	free(data);
	ok(mime_attachment(out, len, &lim, 2, &p2, &data, &dlen) == DM_OK &&
	    dlen == 0, "mime_attachment: the empty file is empty");
	mime_free(p2);
	free(data);
	ok(mime_attachment(out, len, &lim, 3, &p2, &data, &dlen) ==
	    DM_ENOTFOUND, "mime_attachment: no fourth file");
	free(out);
	free(want_long);
}

void
test_filename(void)
{
	names();
	params();
	roundtrip();
}
