/*
 * token.c - HMAC-SHA256 link tokens (nettle).
 *
 * Layout before base64: purpose (1), rating (1), ticket (8), version (8;
 * a download link's file), expiry (8), all big-endian, then the first 16 bytes of the HMAC over
 * them: 42 bytes, 56 characters of URL-safe base64.
 *
 * An address token: purpose (1, TOK_REQUESTS), expiry (8), the address
 * (1-254 bytes), the first 16 bytes of the HMAC over them.  The purpose
 * byte comes first in both and each check wants its own, so neither
 * kind passes for the other.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/hmac.h>
#include <nettle/memops.h>

#include "deskmail/token.h"
#include "deskmail/util.h"

#define BODY	26
#define MACLEN	16
#define RAW	(BODY + MACLEN)

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

dm_err
token_key_load(const struct dm_config *cfg, unsigned char key[32])
{
	char *data;
	size_t len, i;
	dm_err err;
	int hi, lo;

	if ((err = read_file(cfg->key_file, 4096, &data, &len)) != DM_OK)
		return dm_fail(DM_ECONFIG, "key file %s; run 'deskmail init'",
		    dm_errdetail());
	for (i = 0; i < 32; i++) {
		if (len < 64 || (hi = hexval(data[2 * i])) < 0 ||
		    (lo = hexval(data[2 * i + 1])) < 0) {
			explicit_bzero(data, len);
			free(data);
			return dm_fail(DM_ECONFIG, "key file %s is not 64 hex "
			    "digits", cfg->key_file);
		}
		key[i] = (unsigned char)(hi * 16 + lo);
	}
	explicit_bzero(data, len);
	free(data);
	return DM_OK;
}

static void
put64(unsigned char *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (unsigned char)(v & 0xff);
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = (v << 8) | p[i];
	return v;
}

static void
mac(const unsigned char key[32], const void *data, size_t len,
    unsigned char out[SHA256_DIGEST_SIZE])
{
	struct hmac_sha256_ctx ctx;

	hmac_sha256_set_key(&ctx, 32, key);
	hmac_sha256_update(&ctx, len, data);
	hmac_sha256_digest(&ctx, SHA256_DIGEST_SIZE, out);
}

/* URL-safe base64 without padding. */
static void
b64url(const unsigned char *raw, size_t n, char *out)
{
	char *p;

	base64_encode_raw(out, n, raw);
	out[BASE64_ENCODE_RAW_LENGTH(n)] = '\0';
	for (p = out; *p; p++) {
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
		else if (*p == '=')
			*p = '\0';
	}
}

void
token_make(const unsigned char key[32], const struct token *t,
    char out[TOKEN_LEN])
{
	unsigned char raw[RAW], m[SHA256_DIGEST_SIZE];

	raw[0] = (unsigned char)t->purpose;
	raw[1] = (unsigned char)t->rating;
	put64(raw + 2, (uint64_t)t->ticket);
	put64(raw + 10, (uint64_t)(t->purpose == TOK_ATTACHMENT ?
	    t->attachment : t->version));
	put64(raw + 18, (uint64_t)t->expires);
	mac(key, raw, BODY, m);
	memcpy(raw + BODY, m, MACLEN);
	b64url(raw, RAW, out);
}

/* The URL-safe base64 of a link (s, n bytes) in the standard alphabet
 * nettle reads, into std; a character of neither is refused. */
static dm_err
url_to_std(const char *s, size_t n, char *std)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9')))
			return dm_fail(DM_EPARSE, "token has a bad character");
		std[i] = c;
	}
	return DM_OK;
}

dm_err
token_check(const unsigned char key[32], const char *s, time_t now,
    struct token *t)
{
	char std[TOKEN_LEN + 4];
	unsigned char raw[RAW + 3], m[SHA256_DIGEST_SIZE];
	struct base64_decode_ctx ctx;
	size_t n = strlen(s), dlen = sizeof(raw);
	dm_err err;

	memset(t, 0, sizeof(*t));
	if (n != 56)
		return dm_fail(DM_EPARSE, "token has the wrong length");
	if ((err = url_to_std(s, n, std)) != DM_OK)
		return err;
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &dlen, raw, n, std) ||
	    !base64_decode_final(&ctx) || dlen != RAW)
		return dm_fail(DM_EPARSE, "token is not base64");
	mac(key, raw, BODY, m);
	if (!memeql_sec(m, raw + BODY, MACLEN))
		return dm_fail(DM_EPARSE, "token signature is wrong");
	t->purpose = (enum token_purpose)raw[0];
	t->rating = raw[1];
	t->ticket = (int64_t)get64(raw + 2);
	t->version = (int64_t)get64(raw + 10);
	t->expires = (time_t)get64(raw + 18);
	if (t->purpose == TOK_ATTACHMENT) {
		t->attachment = t->version;
		t->version = 0;
	}
	if (t->purpose < TOK_STATUS || t->purpose > TOK_ATTACHMENT ||
	    t->rating > 5 || t->ticket <= 0 ||
	    (t->purpose == TOK_ATTACHMENT && (t->attachment <= 0 ||
	    t->rating != 0)))
		return dm_fail(DM_EPARSE, "token content is invalid");
	if (now > t->expires)
		return dm_fail(DM_ESTATE, "link expired");
	return DM_OK;
}

#define ADDR_HEAD	9	/* purpose, expiry */

/* An address a token may carry: no control, space or DEL; an '@'. */
static int
address_ok(const unsigned char *a, size_t n)
{
	size_t i;

	if (n == 0 || n > TOKEN_ADDR_MAX || memchr(a, '@', n) == NULL)
		return 0;
	for (i = 0; i < n; i++)
		if (a[i] <= ' ' || a[i] == 0x7f)
			return 0;
	return 1;
}

dm_err
token_make_address(const unsigned char key[32], const char *addr,
    time_t expires, char out[TOKEN_ADDR_LEN])
{
	unsigned char raw[ADDR_HEAD + TOKEN_ADDR_MAX + MACLEN];
	unsigned char m[SHA256_DIGEST_SIZE];
	size_t n = strlen(addr);

	out[0] = '\0';
	if (!address_ok((const unsigned char *)addr, n))
		return dm_fail(DM_ELIMIT, "an address a link cannot carry");
	raw[0] = TOK_REQUESTS;
	put64(raw + 1, (uint64_t)expires);
	memcpy(raw + ADDR_HEAD, addr, n);
	mac(key, raw, ADDR_HEAD + n, m);
	memcpy(raw + ADDR_HEAD + n, m, MACLEN);
	b64url(raw, ADDR_HEAD + n + MACLEN, out);
	return DM_OK;
}

dm_err
token_check_address(const unsigned char key[32], const char *s, time_t now,
    char addr[TOKEN_ADDR_MAX + 1], time_t *expires)
{
	char std[TOKEN_ADDR_LEN + 4];
	unsigned char raw[ADDR_HEAD + TOKEN_ADDR_MAX + MACLEN + 3];
	unsigned char m[SHA256_DIGEST_SIZE];
	struct base64_decode_ctx ctx;
	size_t n = strlen(s), dlen = sizeof(raw), alen;
	dm_err err;

	addr[0] = '\0';
	*expires = 0;
	/* the shortest: a one-byte address; the longest: TOKEN_ADDR_MAX */
	if (n < ((ADDR_HEAD + 1 + MACLEN) * 4 + 2) / 3 ||
	    n > TOKEN_ADDR_LEN - 1)
		return dm_fail(DM_EPARSE, "token has the wrong length");
	if ((err = url_to_std(s, n, std)) != DM_OK)
		return err;
	/* padding back, so that nettle takes every length (it refuses
	 * bits the last character does not use: one spelling per token) */
	while (n % 4 != 0)
		std[n++] = '=';
	base64_decode_init(&ctx);
	if (!base64_decode_update(&ctx, &dlen, raw, n, std) ||
	    !base64_decode_final(&ctx) || dlen < ADDR_HEAD + 1 + MACLEN ||
	    dlen > ADDR_HEAD + TOKEN_ADDR_MAX + MACLEN)
		return dm_fail(DM_EPARSE, "token is not base64");
	alen = dlen - ADDR_HEAD - MACLEN;
	mac(key, raw, ADDR_HEAD + alen, m);
	if (!memeql_sec(m, raw + ADDR_HEAD + alen, MACLEN))
		return dm_fail(DM_EPARSE, "token signature is wrong");
	if (raw[0] != TOK_REQUESTS || !address_ok(raw + ADDR_HEAD, alen))
		return dm_fail(DM_EPARSE, "token content is invalid");
	memcpy(addr, raw + ADDR_HEAD, alen);
	addr[alen] = '\0';
	*expires = (time_t)get64(raw + 1);
	if (now > *expires)
		return dm_fail(DM_ESTATE, "link expired");
	return DM_OK;
}

void
token_csrf(const unsigned char key[32], const char *link,
    char out[TOKEN_LEN])
{
	unsigned char m[SHA256_DIGEST_SIZE];
	struct buf b;

	buf_init(&b);
	buf_addf(&b, "csrf:%s", link);
	mac(key, b.data, b.len, m);
	buf_free(&b);
	b64url(m, 30, out);	/* 40 characters */
}

int
token_csrf_ok(const unsigned char key[32], const char *link,
    const char *csrf)
{
	char want[TOKEN_LEN];

	token_csrf(key, link, want);
	if (csrf == NULL || strlen(csrf) != strlen(want))
		return 0;
	return memeql_sec(want, csrf, strlen(want));
}
