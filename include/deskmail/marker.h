/*
 * marker.h - marking sent mail from a thread of its own, so that the
 * commit (an fsync with synchronous = full) of one mail's "sent" overlaps
 * the SMTP exchange of the next.
 *
 * The rule of send.c still holds: the next mail's final "." goes out
 * only after marker_wait() said the previous mark is durable.  At any
 * moment at most one mail is accepted by the server and not yet marked,
 * so a crash still sends at most one mail twice.
 */
#ifndef DESKMAIL_MARKER_H
#define DESKMAIL_MARKER_H

#include <stdint.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct marker;

/* A thread with its own connection to cfg's database. */
dm_err	marker_start(const struct dm_config *cfg, struct marker **out);

/* Mark outbox row id sent at t.  The previous mark must be waited for. */
void	marker_post(struct marker *m, int64_t id, time_t t);

/*
 * Wait until the posted mark, if any, is committed.  Its result: on an
 * error *id is the row that the server accepted and that is not marked.
 */
dm_err	marker_wait(struct marker *m, int64_t *id);

/* Wait, end the thread, close its connection.  NULL is fine. */
void	marker_stop(struct marker *m);

#endif
