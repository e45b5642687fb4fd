/*
 * classify.h - which inbound mail is automatic (auto-replies, bounces, list
 * mail, our own mail coming back) and so must never be answered
 * automatically: that is how mail loops die.
 */
#ifndef DESKMAIL_CLASSIFY_H
#define DESKMAIL_CLASSIFY_H

#include "deskmail/config.h"
#include "deskmail/mime.h"

/* A short reason if m is automatic mail ("bounce", ...), else NULL. */
const char *classify_automatic(const struct dm_config *cfg,
    const struct dm_parsed *m);

/* Nonzero if msgid is one deskmail made (outbox.c's format, our domain). */
int classify_own_msgid(const struct dm_config *cfg, const char *msgid);

/*
 * Nonzero if mail claiming to be from a staff address may be trusted, per
 * staff_auth: with authentication-results, the topmost
 * Authentication-Results header written by our MTA (auth_serv_id) must
 * show dkim=pass or dmarc=pass for the From domain, or spf=pass with a
 * MAIL FROM in that domain.  *why says what was missing.
 */
int classify_staff_verified(const struct dm_config *cfg,
    const struct dm_parsed *m, const char **why);

#endif
