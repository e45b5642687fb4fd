/*
 * fuzz_token.c - libFuzzer target for the signed link tokens, with a
 * fixed key.  The input's first line is checked as a link token at a
 * fixed "now", the second as the CSRF token for it.  Then the first 26
 * bytes are read as a token's fields (for a download link, the version's
 * bytes as its file), signed with token_make() and
 * checked back: a token deskmail made with valid fields must check with
 * the same fields, and one with a byte changed must not.  The first line
 * is also checked as an address token ("my requests"), and the bytes
 * after the first 9 (up to a NUL or 254) as an address to sign and check
 * back: the same address and expiry, never a ticket token, and never
 * with a character changed.
 */
#include <string.h>
#include <time.h>

#include "deskmail/token.h"

#include "fuzz.h"

static const unsigned char key[32] = {
	0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07,
	0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,
	0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
	0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f
};

#define NOW	((time_t)1772442900)	/* 2026-03-02T09:15:00Z */

static int64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return (int64_t)v;
}

static void
roundtrip(const uint8_t *data)
{
	struct token in, out;
	char s[TOKEN_LEN], csrf[TOKEN_LEN];
	dm_err err;
	int valid;

	memset(&in, 0, sizeof(in));
	in.purpose = (enum token_purpose)(data[0] % 6);
	in.rating = data[1] % 8;
	in.ticket = get64(data + 2);
	in.version = get64(data + 10);
	in.expires = (time_t)get64(data + 18);
	if (in.purpose == TOK_ATTACHMENT) {
		/* a download link carries its file where the version is */
		in.attachment = in.version;
		in.version = 0;
	}
	token_make(key, &in, s);
	if (strlen(s) != 56)
		abort();
	valid = in.purpose >= TOK_STATUS && in.purpose <= TOK_ATTACHMENT &&
	    in.rating <= 5 && in.ticket > 0 &&
	    (in.purpose != TOK_ATTACHMENT || (in.attachment > 0 &&
	    in.rating == 0));
	err = token_check(key, s, NOW, &out);
	if (!valid && err == DM_OK)
		abort();
	if (valid && err != (NOW > in.expires ? DM_ESTATE : DM_OK))
		abort();
	if (err == DM_OK && (out.purpose != in.purpose ||
	    out.rating != in.rating || out.ticket != in.ticket ||
	    out.version != in.version || out.expires != in.expires ||
	    out.attachment != in.attachment))
		abort();
	token_csrf(key, s, csrf);
	if (!token_csrf_ok(key, s, csrf) || token_csrf_ok(key, s, NULL))
		abort();
	/* one character changed: the MAC must catch it */
	s[data[2] % 56] = s[data[2] % 56] == 'A' ? 'B' : 'A';
	if (token_check(key, s, NOW, &out) == DM_OK)
		abort();
}

static void
address_roundtrip(const uint8_t *data, size_t size)
{
	char addr[TOKEN_ADDR_MAX + 2], got[TOKEN_ADDR_MAX + 1];
	char s[TOKEN_ADDR_LEN];
	struct token t;
	time_t expires = (time_t)get64(data + 1), back;
	size_t n = size - 9 > TOKEN_ADDR_MAX + 1 ? TOKEN_ADDR_MAX + 1 :
	    size - 9;
	dm_err err;

	memcpy(addr, data + 9, n);
	addr[n] = '\0';
	if (token_make_address(key, addr, expires, s) != DM_OK)
		return;
	if (strlen(addr) > TOKEN_ADDR_MAX || strlen(s) >= TOKEN_ADDR_LEN)
		abort();
	err = token_check_address(key, s, NOW, got, &back);
	if (err != (NOW > expires ? DM_ESTATE : DM_OK) ||
	    strcmp(got, addr) != 0 || back != expires)
		abort();
	if (token_check(key, s, NOW, &t) == DM_OK)
		abort();
	s[data[0] % strlen(s)] = s[data[0] % strlen(s)] == 'A' ? 'B' : 'A';
	if (token_check_address(key, s, NOW, got, &back) == DM_OK &&
	    strcmp(got, addr) == 0 && back == expires)
		abort();	/* a changed character that still says the same */
	if (token_check_address(key, s, NOW, got, &back) == DM_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_str(data, size), *csrf, addr[TOKEN_ADDR_MAX + 1];
	struct token t;
	time_t exp;

	if ((csrf = strchr(text, '\n')) != NULL)
		*csrf++ = '\0';
	(void)token_check(key, text, NOW, &t);
	if (token_check_address(key, text, NOW, addr, &exp) == DM_OK &&
	    strlen(addr) > TOKEN_ADDR_MAX)
		abort();
	(void)token_csrf_ok(key, text, csrf);
	if (csrf != NULL)
		(void)token_csrf_ok(key, csrf, text);
	free(text);
	if (size >= 26)
		roundtrip(data);
	if (size >= 10)
		address_roundtrip(data, size);
	return 0;
}
