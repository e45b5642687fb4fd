/*
 * search.h - finding tickets by the words of their mail (SQLite FTS5;
 * PostgreSQL's full-text search on a PostgreSQL store).
 *
 * One full-text index, made by migration 11 and kept in the transaction
 * that stores what it indexes: messages_fts over each message's subject
 * and text (messages.subject, messages.body); a ticket's subject is its
 * first message's.  It holds only the index (external content): the
 * text stays where it is and is read back for snippets.
 *
 * A message is indexed under (message id << 31) | ticket, so a search
 * knows the tickets it matched without reading a row.  The rule for
 * other code: a message's subject, body and ticket never change while
 * indexed.  Code that moves messages to
 * another ticket (a merge) calls search_unindex_messages() for the
 * ticket they leave before the move and search_index_messages() for the
 * ticket they join after it, in the same transaction.
 *
 * On a PostgreSQL store the index is messages.search, a column
 * PostgreSQL computes with the row (schema_pg.c): the three functions
 * that write the index do nothing there, and a moved message is found
 * on its new ticket at once.
 */
#ifndef DESKMAIL_SEARCH_H
#define DESKMAIL_SEARCH_H

#include <stddef.h>
#include <stdint.h>

#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/ticket.h"

/* Bounds of a query: bytes, and words (a quoted phrase is one word). */
#define SEARCH_QUERY_MAX	1000
#define SEARCH_WORDS_MAX	16
/* Results at most, whatever --limit says. */
#define SEARCH_LIMIT_MAX	1000
#define SEARCH_LIMIT_DEFAULT	50

/*
 * Index message id of ticket (its subject and body as stored; either
 * may be NULL).  DM_ELIMIT for a message id of 2^32 or more or a ticket
 * of 2^31 or more, which the index cannot tell apart.
 */
dm_err	search_index_message(struct dm_store *st, int64_t id, int64_t ticket,
	    const char *subject, const char *body);

/* Take every message of ticket out of the index (before they move). */
dm_err	search_unindex_messages(struct dm_store *st, int64_t ticket);
/* Index every message of ticket (after messages moved to it). */
dm_err	search_index_messages(struct dm_store *st, int64_t ticket);

/*
 * The user's words as an FTS5 query in *out (caller frees), or, if pg,
 * as a PostgreSQL to_tsquery() text: every word must match, each one
 * quoted, so that no character of the input is query syntax ("NEAR(",
 * a stray quote, "subject:", AND, OR, NOT, '-', '&', '!' are words like
 * any other, or split words as in the text).  "two words" in double
 * quotes is a phrase; a word ending in '*' matches as a prefix.  Words
 * without a letter or digit are left out.  DM_EUSAGE, with a sentence,
 * for a query that is empty, has no word, is longer than
 * SEARCH_QUERY_MAX bytes or has more than SEARCH_WORDS_MAX words, or is
 * not UTF-8: the same queries whatever pg.
 */
dm_err	search_query_fts(const char *query, int pg, char **out);

/*
 * Tickets the subject and text of one of whose messages hold every
 * word of query (search_query_fts()), among those f
 * lets through (f->limit: at most that many; < 0 none, else capped at
 * SEARCH_LIMIT_MAX), the most recently updated first.  Each is a new
 * object in array: what `ticket list --json` gives (ticket_row_json())
 * and snippet (a few words of
 * the newest message that matched, or of the subject, the matching
 * words in [brackets], on one line).
 */
struct json_object;
dm_err	search_tickets_json(struct dm_store *st, const char *query,
	    const struct ticket_filter *f, struct json_object *array);

/*
 * The same tickets' numbers only, in the same order, in *ids (caller
 * frees), *n of them: for code that acts on what a search finds.
 */
dm_err	search_ticket_ids(struct dm_store *st, const char *query,
	    const struct ticket_filter *f, int64_t **ids, size_t *n);

#endif
