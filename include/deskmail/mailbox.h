/*
 * mailbox.h - the mailbox_state table: per configured IMAP mailbox, the
 * UIDVALIDITY seen and the highest UID whose message has been committed.
 */
#ifndef DESKMAIL_MAILBOX_H
#define DESKMAIL_MAILBOX_H

#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

/*
 * *uidvalidity and *last_uid are 0 when the mailbox was never fetched;
 * *updated (if not NULL) is when its last pass ended well, else 0.
 */
dm_err	mailbox_state_get(struct dm_store *st, const char *mailbox,
	    uint32_t *uidvalidity, uint32_t *last_uid, time_t *updated);
dm_err	mailbox_state_set(struct dm_store *st, const char *mailbox,
	    uint32_t uidvalidity, uint32_t last_uid, time_t now);

/*
 * The mailbox's lease (store_lease()): with several deskmails on one
 * PostgreSQL store, the one that holds it fetches the mailbox (run's
 * watch, or fetch from cron); always held on SQLite.  *watcher is who
 * holds it, for status (NULL: nobody; "" on SQLite).
 */
dm_err	mailbox_lease(struct dm_store *st, const char *mailbox, int *held);
dm_err	mailbox_watcher(struct dm_store *st, const char *mailbox,
	    char **watcher);

#endif
