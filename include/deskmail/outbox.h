/*
 * outbox.h - the outbox table: the only way mail leaves deskmail.  Rows are
 * queued in the same transaction as the change that causes them; sending
 * (smtp.c) marks them sent only after the server accepted them.
 */
#ifndef DESKMAIL_OUTBOX_H
#define DESKMAIL_OUTBOX_H

#include <stdint.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_outbox_item {
	int64_t		 ticket;
	const char	*template;	/* name of the file in templates/ */
	const char	*recipient;
	const char	*in_reply_to;	/* Message-ID (no <>) we answer, or NULL */
	const char	*refs;		/* References, space separated, or NULL */
	int		 automatic;	/* RFC 3834 auto-replied; rate limited */
	const char	*params;	/* JSON of extra template variables, or NULL */
	long		 delay;		/* seconds before it may be sent */
};

/*
 * Template params as a JSON object from key, value pairs ending with a
 * NULL key (NULL values are left out).  The caller frees the string.
 */
char	*outbox_params(const char *key, ...);

/*
 * Queue one mail.  Its Message-ID (in our domain) is made now, so replies
 * to it thread before it is even sent; *msgid (may be NULL) gets a copy
 * the caller frees.
 *
 * A staff notice (notice_to_staff()) about a ticket whose recipient had
 * [deskmail] staff_notice_limit rows about it in the last hour is held
 * instead (status held): it waits for the recipient's open digest row
 * for the ticket (template "digest", made when needed, due when the
 * oldest of those rows is an hour old), which carries every notice held
 * for it in one mail.
 */
dm_err	outbox_queue(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_outbox_item *item, time_t now, char **msgid);

/*
 * Queue item to be sent item->delay seconds from now, unless a row of the
 * same template about the same ticket to the same recipient is still
 * waiting (never tried and not due): that row takes item's params and
 * send time instead.  What someone can repeat (a survey answer) mails
 * once however often it is repeated before the row is due.
 */
dm_err	outbox_queue_once(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_outbox_item *item, time_t now);

/*
 * The waiting row of that kind (see outbox_queue_once) is not sent after
 * all: status cancelled, why kept.  Nothing waiting: nothing changes.
 */
dm_err	outbox_withdraw(struct dm_store *st, int64_t ticket,
	    const char *template, const char *recipient, time_t now,
	    const char *why);

/* Automatic mails queued to recipient since the given time. */
dm_err	outbox_count_automatic(struct dm_store *st, const char *recipient,
	    time_t since, long *count);

/* How many mails of template about ticket were ever queued and not
 * withdrawn (outbox_withdraw): sent, waiting, failed. */
dm_err	outbox_count_template(struct dm_store *st, int64_t ticket,
	    const char *template, long *count);

/*
 * The mail we queued with this Message-ID: its ticket (0 if none), its
 * template and params (NULL if none); the caller frees both strings.
 */
dm_err	outbox_mail_by_msgid(struct dm_store *st, const char *msgid,
	    int64_t *ticket, char **template, char **params);

/* The ticket of a mail we sent with this Message-ID (0 if none). */
dm_err	outbox_ticket_by_msgid(struct dm_store *st, const char *msgid,
	    int64_t *ticket);

/* A row due for sending (outbox_due). */
struct dm_outbox_row {
	int64_t	 id;
	int64_t	 ticket;		/* 0: none */
	char	*template;
	char	*recipient;
	char	*message_id;
	char	*in_reply_to;
	char	*refs;
	char	*params;
	int	 automatic;
	int	 attempts;
	time_t	 created;
};

/*
 * Up to max queued rows whose next attempt is due at now, oldest first.
 * *rows is freed with outbox_rows_free().
 */
dm_err	outbox_due(struct dm_store *st, time_t now, size_t max,
	    struct dm_outbox_row **rows, size_t *n);
void	outbox_rows_free(struct dm_outbox_row *rows, size_t n);

/*
 * Let go of rows outbox_due() gave, once each is marked: on a PostgreSQL
 * store another deskmail's sender may claim them from then on (outbox.c
 * says how).  Rows sent and not yet marked stay claimed.
 */
dm_err	outbox_release(struct dm_store *st, const int64_t *ids, size_t n);

/*
 * The notices digest row holds, oldest first, for building its mail.
 * The digest is sealed first (in its own commit): a notice held after
 * that waits for the next digest, so none is left out of both.  *rows
 * is freed with outbox_rows_free().
 */
dm_err	outbox_digest_rows(struct dm_store *st, int64_t digest,
	    struct dm_outbox_row **rows, size_t *n);

/* The server accepted row id. */
dm_err	outbox_mark_sent(struct dm_store *st, int64_t id, time_t now);
/* A temporary failure: try again at next, keep why. */
dm_err	outbox_mark_retry(struct dm_store *st, int64_t id, time_t next,
	    const char *why);
/* A permanent failure (or too old to retry): never again. */
dm_err	outbox_mark_failed(struct dm_store *st, int64_t id, time_t now,
	    const char *why);

/*
 * Row id, whatever its state, and that state (queued, held, sent,
 * failed, cancelled) in *status; both freed by the caller (r with
 * outbox_row_clear()).  DM_ENOTFOUND for no such row.
 */
dm_err	outbox_get(struct dm_store *st, int64_t id, struct dm_outbox_row *r,
	    char **status);
void	outbox_row_clear(struct dm_outbox_row *r);
/* The admin's queue commands: a failed mail is tried again at now; a
 * queued or failed one is never sent (why is kept).  DM_ESTATE, saying
 * what it is, for one in another state. */
dm_err	outbox_requeue(struct dm_store *st, int64_t id, time_t now);
dm_err	outbox_cancel(struct dm_store *st, int64_t id, time_t now,
	    const char *why);
/* The failed rows, oldest first (*ids freed by the caller). */
dm_err	outbox_failed_ids(struct dm_store *st, int64_t **ids, size_t *n);

struct json_object;
/* Outbox rows, oldest first: one ticket's, or all when ticket is 0. */
dm_err	outbox_list_json(struct dm_store *st, int64_t ticket,
	    struct json_object *array);

#endif
