/*
 * imap.h - one IMAP session on one configured mailbox (libetpan): log in,
 * select, search, fetch with BODY.PEEK, and mark what has been stored.
 */
#ifndef DESKMAIL_IMAP_H
#define DESKMAIL_IMAP_H

#include <stddef.h>
#include <stdint.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct dm_imap;

/*
 * Connect (TLS per the mailbox's tls mode, certificate verified), log in
 * with the password from password_file or password_env, and SELECT the
 * folder.  Failures: DM_ENET (cannot reach or lost), DM_ETLS, DM_EAUTH,
 * DM_ECONFIG (no password, no such folder).  Free with imap_close().
 */
dm_err	imap_open(const struct dm_mailbox *mb, struct dm_imap **out);
void	imap_close(struct dm_imap *im);

uint32_t imap_uidvalidity(const struct dm_imap *im);
int	imap_has_idle(const struct dm_imap *im);

/*
 * UIDs of the messages still to deal with: unseen ones when the mailbox's
 * after = seen, all (not deleted) otherwise.  *uids is sorted; caller frees.
 */
dm_err	imap_pending(struct dm_imap *im, uint32_t **uids, size_t *n);

/* RFC822.SIZE of each uid, into sizes (same order). */
dm_err	imap_sizes(struct dm_imap *im, const uint32_t *uids, size_t n,
	    size_t *sizes);

/*
 * Fetch BODY.PEEK[] of the n uids in one command (at most max bytes of
 * each: a longer message arrives cut, its size known from imap_sizes).
 * cb is called once per message, in the server's order.
 */
typedef dm_err (*imap_message_cb)(void *arg, uint32_t uid, const char *data,
    size_t len);
dm_err	imap_fetch(struct dm_imap *im, const uint32_t *uids, size_t n,
	    size_t max, imap_message_cb cb, void *arg);

/* Do what after = seen|move|delete says with the n uids. */
dm_err	imap_finish(struct dm_imap *im, const uint32_t *uids, size_t n);

/*
 * IDLE for at most seconds (re-issued by the caller before 29 minutes).
 * Returns early when the server reports new mail or *stop becomes
 * nonzero (checked every second).
 */
dm_err	imap_idle(struct dm_imap *im, int seconds, volatile int *stop);

/* Keep the session alive (NOOP); DM_ENET if the server went away. */
dm_err	imap_noop(struct dm_imap *im);

#endif
