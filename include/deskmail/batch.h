/*
 * batch.h - storing messages that arrived together in one transaction.
 *
 * A commit costs one fsync however many messages it holds.  The ingest
 * socket and the LMTP listener both hand their writer every message that
 * came while the last commit was on its way to disk; each message gets a
 * savepoint of its own, so one that fails does not take the others with
 * it.
 */
#ifndef DESKMAIL_BATCH_H
#define DESKMAIL_BATCH_H

#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

/* one commit for at most this many messages, or this many bytes */
#define BATCH_MAX	16
#define BATCH_BYTES	(16 << 20)

struct batch_job {
	const char	*raw;
	size_t		 len, total;	/* kept, and the message's whole size */
	int		 status;	/* EX_OK once committed, else EX_TEMPFAIL */
	char		 line[320];	/* "ticket 42 new", or why it failed */
};

/* A writer's database connection, opened when first needed. */
struct batch_writer {
	const struct dm_config	*cfg;
	const char		*source;	/* for ingest_message() */
	const char		*log_as;	/* "ingest socket" */
	struct dm_store		*st;
	time_t			 reserve_after;	/* store_wal_reserve() */
};

/*
 * Open the connection if it is not and make room in the WAL for the
 * commits to come (store.c says why); done before the first message
 * so that it does not wait for it.
 */
dm_err	batch_prepare(struct batch_writer *w);

/* Store n jobs' messages, in one transaction when n > 1. */
void	batch_store(struct batch_writer *w, struct batch_job *jobs, size_t n);

void	batch_close(struct batch_writer *w);

#endif
