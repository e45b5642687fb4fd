/*
 * quarantine.h - messages deskmail would not apply, kept whole with the
 * reason, until an admin looks (quarantine list|show) or retries them.
 */
#ifndef DESKMAIL_QUARANTINE_H
#define DESKMAIL_QUARANTINE_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"
#include "deskmail/message.h"
#include "deskmail/store.h"

struct dm_quarantined {
	int64_t	 id;
	time_t	 received;
	char	*reason;
	char	*source;
	char	*from;
	char	*subject;
	size_t	 size;		/* of the original message */
	int	 truncated;	/* only the first max_message_bytes were kept */
	time_t	 released_at;	/* 0: still held */
	char	*released_to;	/* "ticket 42 new" after a successful retry */
};

dm_err	quarantine_add(struct dm_store *st, const struct dm_raw *raw,
	    size_t original_size, const char *reason, const char *from,
	    const char *subject, time_t now, int64_t *id);

/* A held entry with this content hash: *id (0 if none) and its reason. */
dm_err	quarantine_find(struct dm_store *st, const char *sha256, int64_t *id,
	    char **reason);

/*
 * All entries (held ones only unless all), oldest first.  *out is an
 * array of *n entries the caller frees with quarantine_list_free().
 */
dm_err	quarantine_list(struct dm_store *st, int all,
	    struct dm_quarantined **out, size_t *n);
void	quarantine_list_free(struct dm_quarantined *v, size_t n);

/* One entry and (if raw is not NULL) its raw bytes, which the caller frees. */
dm_err	quarantine_get(struct dm_store *st, int64_t id,
	    struct dm_quarantined *q, char **raw, size_t *len);

/* Free the strings of one entry. */
void	quarantine_clear(struct dm_quarantined *q);

/* Mark an entry released after a retry stored it. */
dm_err	quarantine_release(struct dm_store *st, int64_t id, const char *to,
	    time_t now);

/*
 * The admin drops quarantined message id: its bytes are deleted and it
 * is released to "dropped by ACTOR" (the row stays, saying so; the same
 * mail delivered again is quarantined anew).  DM_ENOTFOUND, or
 * DM_ESTATE for one released already.
 */
dm_err	quarantine_drop(struct dm_store *st, int64_t id, const char *actor,
	    time_t now);

#endif
