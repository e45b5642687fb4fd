/* Unit tests: token.c */
#include <stdlib.h>
#include <string.h>

#include "deskmail/token.h"
#include "tap.h"

void
test_token(void)
{
	unsigned char key[32], other[32];
	struct token t = { TOK_SURVEY, 42, 7, 2000000000, 4, 0 }, got;
	char s[TOKEN_LEN], bad[TOKEN_LEN], csrf[TOKEN_LEN];
	size_t i;

	for (i = 0; i < 32; i++) {
		key[i] = (unsigned char)i;
		other[i] = (unsigned char)(i + 1);
	}
	token_make(key, &t, s);
	ok(strlen(s) == 56, "token: 56 characters (%zu)", strlen(s));
	ok(token_check(key, s, 1900000000, &got) == DM_OK &&
	    got.purpose == TOK_SURVEY && got.ticket == 42 && got.version == 7 &&
	    got.rating == 4 && got.expires == 2000000000,
	    "token: round trip");
	ok(token_check(other, s, 1900000000, &got) == DM_EPARSE,
	    "token: another key's token is refused");
	ok(token_check(key, s, 2000000001, &got) == DM_ESTATE,
	    "token: expired");
	memcpy(bad, s, TOKEN_LEN);
	bad[5] = bad[5] == 'A' ? 'B' : 'A';
	ok(token_check(key, bad, 1900000000, &got) == DM_EPARSE,
	    "token: one character changed is refused");
	memcpy(bad, s, TOKEN_LEN);
	bad[40] = '\0';
	ok(token_check(key, bad, 1900000000, &got) == DM_EPARSE,
	    "token: truncated is refused");
	ok(token_check(key, "../../etc/passwd", 1900000000, &got) == DM_EPARSE,
	    "token: garbage is refused");
	token_csrf(key, s, csrf);
	ok(token_csrf_ok(key, s, csrf), "token: csrf for the link accepted");
	ok(!token_csrf_ok(key, bad, csrf), "token: csrf for another link refused");
	ok(!token_csrf_ok(key, s, ""), "token: empty csrf refused");
	ok(!token_csrf_ok(key, s, NULL), "token: missing csrf refused");

	/* a download link: its file where the version is, no version */
	memset(&t, 0, sizeof(t));
	t.purpose = TOK_ATTACHMENT;
	t.ticket = 42;
	t.attachment = 9001;
	t.expires = 2000000000;
	token_make(key, &t, s);
	ok(token_check(key, s, 1900000000, &got) == DM_OK &&
	    got.purpose == TOK_ATTACHMENT && got.ticket == 42 &&
	    got.attachment == 9001 && got.version == 0,
	    "token: a download link round trip names its file");
	t.attachment = 0;
	token_make(key, &t, s);
	ok(token_check(key, s, 1900000000, &got) == DM_EPARSE,
	    "token: a download link without a file is refused");
	t.attachment = 9001;
	t.rating = 3;
	token_make(key, &t, s);
	ok(token_check(key, s, 1900000000, &got) == DM_EPARSE,
	    "token: a download link with a rating is refused");
	/* address tokens ("my requests") */
	{
		char a[TOKEN_ADDR_LEN], b[TOKEN_ADDR_LEN], addr[TOKEN_ADDR_MAX + 1];
		char longest[TOKEN_ADDR_MAX + 2];
		time_t exp;

		ok(token_make_address(key, "anna@agency.example.gov",
		    2000000000, a) == DM_OK, "address token: made");
		ok(token_check_address(key, a, 1900000000, addr, &exp) ==
		    DM_OK && strcmp(addr, "anna@agency.example.gov") == 0 &&
		    exp == 2000000000, "address token: round trip");
		ok(token_check_address(other, a, 1900000000, addr, &exp) ==
		    DM_EPARSE && addr[0] == '\0',
		    "address token: another key's is refused, no address");
		ok(token_check_address(key, a, 2000000001, addr, &exp) ==
		    DM_ESTATE, "address token: expired");
		memcpy(b, a, sizeof(b));
		b[12] = b[12] == 'A' ? 'B' : 'A';
		ok(token_check_address(key, b, 1900000000, addr, &exp) ==
		    DM_EPARSE, "address token: one character changed "
		    "(the address) is refused");
		memcpy(b, a, sizeof(b));
		b[strlen(b) - 3] = '\0';
		ok(token_check_address(key, b, 1900000000, addr, &exp) ==
		    DM_EPARSE, "address token: truncated is refused");
		ok(token_check_address(key, s, 1900000000, addr, &exp) ==
		    DM_EPARSE, "address token: a ticket's token is refused");
		ok(token_check(key, a, 1900000000, &got) == DM_EPARSE,
		    "address token: refused as a ticket's token");
		/* 17 bytes: exactly a ticket token's length */
		ok(token_make_address(key, "bob@example.gov.x", 2000000000,
		    b) == DM_OK && strlen(b) == 56 &&
		    token_check(key, b, 1900000000, &got) == DM_EPARSE,
		    "address token of a ticket token's length: refused as one");
		memset(longest, 'x', TOKEN_ADDR_MAX);
		longest[0] = '@';
		longest[TOKEN_ADDR_MAX] = '\0';
		ok(token_make_address(key, longest, 2000000000, b) == DM_OK &&
		    strlen(b) == TOKEN_ADDR_LEN - 1 &&
		    token_check_address(key, b, 1900000000, addr, &exp) ==
		    DM_OK && strcmp(addr, longest) == 0,
		    "address token: the longest address (%d bytes) fits",
		    TOKEN_ADDR_MAX);
		longest[TOKEN_ADDR_MAX] = 'x';
		longest[TOKEN_ADDR_MAX + 1] = '\0';
		ok(token_make_address(key, longest, 2000000000, b) ==
		    DM_ELIMIT, "address token: one byte longer is refused");
		ok(token_make_address(key, "a b@example.org", 2000000000, b) ==
		    DM_ELIMIT && token_make_address(key, "no-at-sign",
		    2000000000, b) == DM_ELIMIT && token_make_address(key, "",
		    2000000000, b) == DM_ELIMIT,
		    "address token: a space, no '@', empty: refused");
		/* 49 bytes: the last character has 4 bits to spare */
		ok(token_make_address(key, "anna@agency.example.gov2",
		    2000000000, b) == DM_OK, "address token: 24-byte address");
		b[strlen(b) - 1] = (char)(b[strlen(b) - 1] == 'A' ? 'B' :
		    b[strlen(b) - 1] ^ 1);
		ok(token_check_address(key, b, 1900000000, addr, &exp) ==
		    DM_EPARSE, "address token: a second spelling of the same "
		    "bytes (unused bits set) is refused");
		ok(token_check_address(key, "", 1900000000, addr, &exp) ==
		    DM_EPARSE && token_check_address(key, "../../etc/passwd",
		    1900000000, addr, &exp) == DM_EPARSE,
		    "address token: garbage is refused");
	}
}
