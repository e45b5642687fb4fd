/*
 * charset.c - conversion of any labelled (or mislabelled) text to UTF-8,
 * with iconv doing the real work.
 */
#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libetpan/charconv.h>

#include "deskmail/charset.h"
#include "deskmail/util.h"

/* windows-1252 0x80..0x9f; the five holes map to the C1 controls (WHATWG). */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d, 0x008f,
	0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d, 0x017e, 0x0178,
};

static void
put_utf8(struct buf *b, uint32_t cp)
{
	char u[4];

	if (cp < 0x80) {
		if (cp != 0)
			buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 2);
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 3);
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		buf_add(b, u, 4);
	}
}

static void
from_cp1252(struct buf *b, const char *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c >= 0x80 && c < 0xa0)
			put_utf8(b, cp1252_high[c - 0x80]);
		else
			put_utf8(b, c);
	}
}

static void
copy_without_nul(struct buf *b, const char *in, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i < len; i++) {
		if (in[i] == '\0') {
			buf_add(b, in + start, i - start);
			start = i + 1;
		}
	}
	buf_add(b, in + start, len - start);
}

/* Labels that mean "whatever the bytes are": trust UTF-8 if it is valid. */
static int
is_loose_label(const char *cs)
{
	static const char *const loose[] = { "", "us-ascii", "ascii",
	    "utf-8", "utf8", "unknown-8bit", "x-unknown", "unknown",
	    "default", "us_ascii", "ansi_x3.4-1968", "x-user-defined", NULL };
	size_t i;

	for (i = 0; loose[i] != NULL; i++)
		if (strcasecmp(cs, loose[i]) == 0)
			return 1;
	return 0;
}

static int
is_latin1_label(const char *cs)
{
	static const char *const latin1[] = { "iso-8859-1", "iso8859-1",
	    "iso_8859-1", "latin1", "latin-1", "l1", "windows-1252",
	    "cp1252", "x-cp1252", "iso-8859-15", "iso8859-15", NULL };
	size_t i;

	for (i = 0; latin1[i] != NULL; i++)
		if (strcasecmp(cs, latin1[i]) == 0)
			return 1;
	return 0;
}

/* Names mail clients use that iconv spells differently or that have a superset. */
static const char *
iconv_name(const char *cs)
{
	static const struct { const char *label, *name; } alias[] = {
		{ "ks_c_5601-1987", "CP949" }, { "ks_c_5601", "CP949" },
		{ "euc-kr", "CP949" }, { "gb2312", "GB18030" },
		{ "gbk", "GB18030" }, { "x-gbk", "GB18030" },
		{ "shift_jis", "CP932" }, { "x-sjis", "CP932" },
		{ "sjis", "CP932" }, { "windows-31j", "CP932" },
		{ "iso-8859-8-i", "ISO-8859-8" }, { "x-mac-roman", "MACINTOSH" },
		{ "tis-620", "CP874" }, { "iso-8859-11", "CP874" },
		{ NULL, NULL },
	};
	size_t i;

	for (i = 0; alias[i].label != NULL; i++)
		if (strcasecmp(cs, alias[i].label) == 0)
			return alias[i].name;
	return cs;
}

/* iconv into b; returns 0 if the charset is unknown to iconv. */
static int
via_iconv(struct buf *b, const char *cs, const char *in, size_t len)
{
	char out[4096], *ip = (char *)in, *op;
	size_t il = len, ol, r;
	iconv_t cd;

	if ((cd = iconv_open("UTF-8", iconv_name(cs))) == (iconv_t)-1)
		return 0;
	while (il > 0) {
		op = out;
		ol = sizeof(out);
		r = iconv(cd, &ip, &il, &op, &ol);
		copy_without_nul(b, out, (size_t)(op - out));
		if (r != (size_t)-1)
			continue;
		if (errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL (truncated sequence at the end) */
		put_utf8(b, 0xfffd);
		ip++;
		il--;
		iconv(cd, NULL, NULL, NULL, NULL);
	}
	/* flush any shift state (ISO-2022-JP and the like) */
	op = out;
	ol = sizeof(out);
	iconv(cd, NULL, NULL, &op, &ol);
	copy_without_nul(b, out, (size_t)(op - out));
	iconv_close(cd);
	return 1;
}

char *
charset_to_utf8(const char *charset, const char *in, size_t len,
    size_t *outlen)
{
	char label[64];
	struct buf b;
	size_t i, n = 0;

	/* trim quotes and white space around the label */
	if (charset == NULL)
		charset = "";
	while (*charset == ' ' || *charset == '"' || *charset == '\'')
		charset++;
	for (i = 0; charset[i] && n < sizeof(label) - 1; i++)
		if (charset[i] != '"' && charset[i] != '\'' &&
		    charset[i] != ' ' && charset[i] != '\t')
			label[n++] = charset[i];
	label[n] = '\0';

	buf_init(&b);
	buf_add(&b, "", 0);
	if (is_loose_label(label) || is_latin1_label(label)) {
		/*
		 * Bytes that form valid UTF-8 are UTF-8, whatever the label:
		 * mislabelled UTF-8 is far more common than Latin-1 text that
		 * happens to form valid UTF-8 sequences.
		 */
		if (utf8_valid(in, len))
			copy_without_nul(&b, in, len);
		else
			from_cp1252(&b, in, len);
	} else if (!via_iconv(&b, label, in, len)) {
		if (utf8_valid(in, len))
			copy_without_nul(&b, in, len);
		else
			from_cp1252(&b, in, len);
	}
	if (outlen != NULL)
		*outlen = b.len;
	return buf_release(&b);
}

static int
etpan_conv(const char *tocode, const char *fromcode, const char *str,
    size_t length, char *result, size_t *result_len)
{
	size_t n;
	char *u;

	if (strcasecmp(tocode, "utf-8") != 0 && strcasecmp(tocode, "utf8") != 0)
		return MAIL_CHARCONV_ERROR_UNKNOWN_CHARSET;
	u = charset_to_utf8(fromcode, str, length, &n);
	if (n > *result_len)
		n = *result_len;
	/* do not cut a UTF-8 sequence in half */
	while (n > 0 && n < strlen(u) && ((unsigned char)u[n] & 0xc0) == 0x80)
		n--;
	memcpy(result, u, n);
	*result_len = n;
	free(u);
	return MAIL_CHARCONV_NO_ERROR;
}

void
charset_install(void)
{
	extended_charconv = etpan_conv;
}
