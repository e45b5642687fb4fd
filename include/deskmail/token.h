/*
 * token.h - the signed tokens in the links of deskmail's mail.
 *
 * A token carries a purpose, a ticket, the ticket's state version when the
 * link was made (for a download link, the file instead), an expiry and
 * (for a survey link) a rating, and an
 * HMAC-SHA256 over all of them with the key from key_file.  It is printed
 * as URL-safe base64.  A token is worth nothing once it expires or once
 * the ticket's version has moved on (except status links, which carry
 * version 0 and show whatever the ticket's state is).
 */
#ifndef DESKMAIL_TOKEN_H
#define DESKMAIL_TOKEN_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

enum token_purpose {
	TOK_STATUS = 1,		/* the ticket's status page (read only) */
	TOK_ACCEPT = 2,		/* accept the resolution */
	TOK_NOTFIXED = 3,	/* the resolution did not fix it */
	TOK_SURVEY = 4,		/* the two-question survey */
	TOK_ATTACHMENT = 5,	/* download one file of the ticket's mail */
	TOK_REQUESTS = 6	/* an address's own requests (its own kind of
				   token: token_make_address()) */
};

struct token {
	enum token_purpose	purpose;
	int64_t			ticket;
	int64_t			version;	/* 0: any */
	time_t			expires;
	int			rating;		/* survey links: 1-5, else 0 */
	/*
	 * TOK_ATTACHMENT: the attachments row, carried where the version
	 * is (a download works until it expires, whatever the ticket's
	 * state; its version is 0).
	 */
	int64_t			attachment;
};

/* Length of a printed token, with its NUL. */
#define TOKEN_LEN	64

/* The key (32 bytes) from cfg->key_file; DM_ECONFIG if missing or bad. */
dm_err	token_key_load(const struct dm_config *cfg, unsigned char key[32]);

/* Sign t into out (TOKEN_LEN bytes). */
void	token_make(const unsigned char key[32], const struct token *t,
	    char out[TOKEN_LEN]);

/*
 * Check a printed token: well formed, MAC right (compared in constant
 * time), not expired at now.  DM_EPARSE for a malformed or forged token,
 * DM_ESTATE for an expired one.  Whether the ticket's version still
 * matches is the caller's to check.
 */
dm_err	token_check(const unsigned char key[32], const char *s, time_t now,
	    struct token *t);

/*
 * A token for one mail address (the "my requests" page): purpose
 * TOK_REQUESTS, an expiry and the address itself, HMAC'd like the
 * others, printed as URL-safe base64 of 25 + the address's length
 * bytes.  The address is in the link (whoever holds it reads it), never
 * a ticket's number or any other person's.
 */
#define TOKEN_ADDR_MAX	254			/* bytes of an address */
#define TOKEN_ADDR_LEN	(((25 + TOKEN_ADDR_MAX) * 4 + 2) / 3 + 1)

/* Sign addr (lower case, 1-TOKEN_ADDR_MAX bytes, no control or space)
 * into out; DM_ELIMIT for an address it cannot carry. */
dm_err	token_make_address(const unsigned char key[32], const char *addr,
	    time_t expires, char out[TOKEN_ADDR_LEN]);

/*
 * Check a printed address token as token_check() does a link token;
 * addr gets the address, *expires the expiry.  DM_EPARSE for a malformed
 * or forged one (a ticket's token included), DM_ESTATE for an expired
 * one.
 */
dm_err	token_check_address(const unsigned char key[32], const char *s,
	    time_t now, char addr[TOKEN_ADDR_MAX + 1], time_t *expires);

/* A CSRF token bound to a link token (for the form its page shows). */
void	token_csrf(const unsigned char key[32], const char *link,
	    char out[TOKEN_LEN]);
/* Nonzero if csrf is right for link (constant time). */
int	token_csrf_ok(const unsigned char key[32], const char *link,
	    const char *csrf);

#endif
