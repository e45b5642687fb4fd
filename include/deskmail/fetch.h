/*
 * fetch.h - one pass over one IMAP mailbox: fetch what is new, ingest it
 * (one transaction per batch, with the checkpoint), and only after the
 * commit mark it on the server.
 */
#ifndef DESKMAIL_FETCH_H
#define DESKMAIL_FETCH_H

#include <stddef.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/imap.h"
#include "deskmail/ingest.h"
#include "deskmail/store.h"

struct fetch_stats {
	size_t	pending;		/* messages the pass had to deal with */
	size_t	done;			/* of them, dealt with so far */
	size_t	count[4];		/* by ingest_outcome */
	size_t	finished_only;		/* stored earlier, only marked now */
	int	uidvalidity_changed;
};

/*
 * Called after each committed batch with the stats so far and, for each
 * message of the batch, its ingest line (NULL lines: progress only).
 */
typedef void (*fetch_report_cb)(void *arg, const struct fetch_stats *stats,
    const char *line);

/*
 * One pass over mb on the open session im.  With stop (may be NULL)
 * nonzero the pass ends after the batch in hand has been committed and
 * marked.
 */
dm_err	fetch_mailbox(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_mailbox *mb, struct dm_imap *im,
	    struct fetch_stats *stats, fetch_report_cb report, void *arg,
	    volatile int *stop);

#endif
