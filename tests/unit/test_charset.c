/* Unit tests: charset.c */
#include <stdlib.h>

#include "deskmail/charset.h"
#include "tap.h"

static void
conv(const char *cs, const char *in, const char *want, const char *name)
{
	char *got = charset_to_utf8(cs, in, strlen(in), NULL);

	is_str(got, want, "charset: %s", name);
	free(got);
}

void
test_charset(void)
{
	conv("utf-8", "caf\xc3\xa9", "caf\xc3\xa9", "utf-8 kept");
	conv("iso-8859-1", "caf\xe9", "caf\xc3\xa9", "latin-1 e-acute");
	/* windows-1252 quotes and euro mislabelled as iso-8859-1 */
	conv("iso-8859-1", "\x93hi\x94 \x80", "\xe2\x80\x9chi\xe2\x80\x9d "
	    "\xe2\x82\xac", "cp1252 bytes in latin-1 label");
	conv("utf-8", "caf\xe9", "caf\xc3\xa9", "invalid utf-8 read as cp1252");
	conv("us-ascii", "Envoy\xc3\xa9", "Envoy\xc3\xa9",
	    "utf-8 labelled us-ascii kept");
	conv("x-unknown-charset", "na\xc3\xafve", "na\xc3\xafve",
	    "unknown label, valid utf-8 kept");
	conv("koi8-r", "\xf0\xd2\xc9\xd7\xc5\xd4",
	    "\xd0\x9f\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82", "koi8-r");
	conv("shift_jis", "\x93\xfa\x96\x7b", "\xe6\x97\xa5\xe6\x9c\xac",
	    "shift_jis via cp932");
	conv("\"ISO-8859-2\"", "\xb1", "\xc4\x85", "quoted label");
	{
		char *got = charset_to_utf8("utf-8", "a\0b", 3, NULL);

		is_str(got, "ab", "charset: NUL bytes dropped");
		free(got);
	}
	conv("euc-jp", "\xff\xff", "\xef\xbf\xbd\xef\xbf\xbd",
	    "undecodable bytes become U+FFFD");
}
