/*
 * ingest.h - one raw message in, one committed outcome out: a new ticket,
 * a reply on a ticket, a recognised duplicate, or a quarantine entry.
 * Everything the message changes happens in one transaction.
 */
#ifndef DESKMAIL_INGEST_H
#define DESKMAIL_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

enum ingest_outcome {
	INGEST_NEW,
	INGEST_REPLY,
	INGEST_DUPLICATE,
	INGEST_QUARANTINED
};

struct ingest_result {
	enum ingest_outcome	outcome;
	int64_t			id;		/* ticket, or quarantine entry */
	char			reason[256];	/* why it was quarantined */
	char			warning[256];	/* worth a log line, or "" */
};

/*
 * Ingest len bytes.  original_size is the size of the whole message when
 * only its first len bytes could be kept (over max_message_bytes), else
 * len.  source names where it came from.  retry_of is the quarantine
 * entry being retried (0 for new mail): it is released in the same
 * transaction when the message now applies, and kept (no new entry) when
 * it is quarantined again.  DM_ETEMP means nothing was stored and the
 * caller should try again later (the MTA's 75).
 */
dm_err	ingest_message(struct dm_store *st, const struct dm_config *cfg,
	    const char *raw, size_t len, size_t original_size,
	    const char *source, int64_t retry_of, struct ingest_result *res);

/* The contract's output line: "ticket 42 new", "quarantined 7 <reason>". */
void	ingest_format(const struct ingest_result *res, char *buf, size_t len);

/*
 * Hash of a message without the trace fields each hop prepends; truncated:
 * raw is only the first len bytes of a larger message.
 */
void	ingest_content_hash(const char *raw, size_t len, int truncated,
	    char hex[65]);

#endif
