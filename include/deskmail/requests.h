/*
 * requests.h - "my requests" (seed 002's personal ticket tracker): the
 * page that lists one mail address's open and recently closed requests,
 * each with its status in words and a link to its status page, and the
 * signed link to it that every mail to a customer carries.
 */
#ifndef DESKMAIL_REQUESTS_H
#define DESKMAIL_REQUESTS_H

#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/template.h"

/* How long a link works, counted from the mail that carried it. */
#define REQUESTS_LINK_DAYS	90
/* Closed requests are listed for this many days after they closed. */
#define REQUESTS_CLOSED_DAYS	90
/* Requests listed at most, the newest first. */
#define REQUESTS_MAX		200

/*
 * The page's link for address (any case; the link carries it in lower
 * case), valid REQUESTS_LINK_DAYS from now: base_url + "r/" + token.
 * NULL when the address is one no link can carry (see token.h); the
 * caller frees it.
 */
char	*requests_url(const struct dm_config *cfg, const unsigned char key[32],
	    const char *address, time_t now);

/*
 * The page's variables for the requests of address (as the token
 * carried it) into v: requests.address, requests.days, requests.open and
 * requests.closed (templates/page_requests_item.html, rendered, each
 * with a fresh status link), requests.open_text and
 * requests.closed_text, and the zone variables of the newest request.
 * Only tickets whose requester is address, nobody else's.
 */
dm_err	requests_vars(struct dm_store *st, const struct dm_config *cfg,
	    const unsigned char key[32], const char *address, time_t now,
	    struct tvars *v);

#endif
