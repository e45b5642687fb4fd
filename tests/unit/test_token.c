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
}
