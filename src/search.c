/*
 * search.c - owns the full-text index (messages_fts) and
 * finds tickets by the words of their mail.
 *
 * What the user types is never FTS5 syntax: search_query_fts() quotes
 * every word.
 *
 * On PostgreSQL the index is the messages.search column (schema_pg.c),
 * which PostgreSQL keeps with the row, the query a to_tsquery() text,
 * and the statements below have a PostgreSQL text; the C is the same.
 * Results come close to FTS5's, not identical: Snowball stems a little
 * differently from FTS5's Porter, only a message's first 250,000
 * characters are searchable, and ts_headline() marks words inside an
 * address (bob@example.com) in no snippet, though they match.
 *
 * Speed.  A command is a process of its own, whose SQLite cache starts
 * empty, and on the machines measured every page read costs 20-50 us
 * (bench/README), so a search is as fast as the pages it touches.  A
 * common word matches thousands of messages; the tickets they are on
 * come straight from the index (the low 31 bits of the rowid), and only
 * then does the order decide how to reach the newest of them:
 *   - few tickets matched (SEARCH_DIRECT): read each one;
 *   - a requester: their tickets, through tickets_requester;
 *   - else walk tickets_search, the tickets by their last update with
 *     every column the filters test, newest first, until the limit is
 *     reached; no ticket's row is read but those shown.
 * Snippets are made for the results only, from the newest matching
 * message of each.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/json.h"
#include "deskmail/search.h"
#include "deskmail/util.h"

#define SNIPPET_TOKENS	12	/* words around the match in a snippet */
#define DM_STR2(x)	#x
#define DM_STR(x)	DM_STR2(x)
#define SNIPPET_LOOK	500	/* newest messages of a ticket looked at */
#define SEARCH_DIRECT	300	/* tickets matched: read each one */

/*
 * messages_fts's rowid of a message (the view messages_fts_content's):
 * the message id above, the ticket below.  Rowids grow with the message
 * id, as FTS5 wants them: one lower than the last pending one (a reply
 * to an older ticket, were the ticket above) flushes its pending terms,
 * a segment each time (bench/README: that was most of what the index
 * cost ingest).
 */
#define RID(ticket, id)	(((id) << 31) | (ticket))
#define TICKET_OF(rid)	((rid) & (TICKET_MAX - 1))
#define MESSAGE_MAX	((int64_t)1 << 32)
#define TICKET_MAX	((int64_t)1 << 31)

/* SQLite's only: PostgreSQL computes messages.search with the row
 * (schema_pg.c), and the ticket is no part of it */
static const struct dm_sql sql_index_message = SQL_LITE_ONLY(
    "INSERT INTO messages_fts (rowid, subject, body) VALUES (?1, ?2, ?3)");
static const struct dm_sql sql_unindex = SQL_LITE_ONLY(
    "INSERT INTO messages_fts (messages_fts, rowid, subject, body)"
    " SELECT 'delete', (id << 31) | ticket_id, subject, body FROM messages"
    " WHERE ticket_id = ?1");
static const struct dm_sql sql_reindex = SQL_LITE_ONLY(
    "INSERT INTO messages_fts (rowid, subject, body)"
    " SELECT (id << 31) | ticket_id, subject, body FROM messages"
    " WHERE ticket_id = ?1");

dm_err
search_index_message(struct dm_store *st, int64_t id, int64_t ticket,
    const char *subject, const char *body)
{
	if (id <= 0 || id >= MESSAGE_MAX || ticket <= 0 || ticket >= TICKET_MAX)
		return dm_fail(DM_ELIMIT, "message %lld of ticket %lld: beyond "
		    "what the search index can number", (long long)id,
		    (long long)ticket);
	/* the very values of the row: the index must agree with it; just
	 * before COMMIT, in its transaction (store_defer() says why) */
	return store_defer(st, &sql_index_message, RID(ticket, id), subject,
	    body);
}

dm_err
search_unindex_messages(struct dm_store *st, int64_t ticket)
{
	dm_err err;

	/* what waits for COMMIT first: a 'delete' of what is not in the
	 * index yet would corrupt it */
	if ((err = store_run_deferred(st)) != DM_OK)
		return err;
	return store_exec_ints(st, &sql_unindex, "messages_fts", ticket, 0);
}

dm_err
search_index_messages(struct dm_store *st, int64_t ticket)
{
	dm_err err;

	if ((err = store_run_deferred(st)) != DM_OK)
		return err;
	return store_exec_ints(st, &sql_reindex, "messages_fts", ticket, 0);
}

/* ---- the query --------------------------------------------------------- */

static int
space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	    c == '\f';
}

/*
 * Nonzero if c is part of a word as the tokenizer sees it: an ASCII
 * letter or digit, or any byte of a non-ASCII character (unicode61 keeps
 * letters and digits of every script; a non-ASCII mark alone makes an
 * empty phrase, which matches nothing and is no error).
 */
static int
word_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 0x80 || (u >= '0' && u <= '9') || (u >= 'a' && u <= 'z') ||
	    (u >= 'A' && u <= 'Z');
}

/* Nonzero if s[0..n) has something the tokenizer keeps. */
static int
has_word(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (word_byte(s[i]))
			return 1;
	return 0;
}

/* One word or phrase as an FTS5 string: "..." with '"' doubled. */
static void
add_unit(struct buf *b, const char *s, size_t n, int prefix)
{
	size_t i;

	if (b->len > 0)
		buf_addc(b, ' ');
	buf_addc(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			buf_addc(b, '"');
		buf_addc(b, s[i]);
	}
	buf_addc(b, '"');
	if (prefix)
		buf_addc(b, '*');
}

/*
 * The same as a to_tsquery() text (PostgreSQL): units joined by " & ",
 * the words of one by " <-> " (a phrase), ":*" on the last word of a
 * prefix.  Words are split where the search column splits the text
 * (schema_pg.c: every ASCII character that is not a letter or digit),
 * so a word holds no quote, backslash or operator and is quoted as it
 * is.  s[0..n) has a word (has_word()).
 */
static void
add_unit_pg(struct buf *b, const char *s, size_t n, int prefix)
{
	size_t i = 0, start;
	int first = 1;

	if (b->len > 0)
		buf_adds(b, " & ");
	for (;;) {
		while (i < n && !word_byte(s[i]))
			i++;
		if (i == n)
			break;
		for (start = i; i < n && word_byte(s[i]); i++)
			;
		if (!first)
			buf_adds(b, " <-> ");
		first = 0;
		buf_addc(b, '\'');
		buf_add(b, s + start, i - start);
		buf_addc(b, '\'');
	}
	if (prefix)
		buf_adds(b, ":*");
}

dm_err
search_query_fts(const char *query, int pg, char **out)
{
	const char *p = query, *start;
	struct buf b;
	size_t n, words = 0, len = strlen(query);
	int prefix;

	*out = NULL;
	if (len > SEARCH_QUERY_MAX)
		return dm_fail(DM_EUSAGE, "the query is longer than %d bytes",
		    SEARCH_QUERY_MAX);
	if (!utf8_valid(query, len))
		return dm_fail(DM_EUSAGE, "the query is not UTF-8");
	buf_init(&b);
	buf_add(&b, "", 0);
	for (;;) {
		while (space(*p))
			p++;
		if (*p == '\0')
			break;
		if (*p == '"') {
			/* a phrase, to the next quote (or the end) */
			start = ++p;
			while (*p != '\0' && *p != '"')
				p++;
			n = (size_t)(p - start);
			if (*p == '"')
				p++;
			prefix = *p == '*';
			while (*p == '*')
				p++;
		} else {
			start = p;
			while (*p != '\0' && !space(*p))
				p++;
			n = (size_t)(p - start);
			for (prefix = 0; n > 0 && start[n - 1] == '*'; n--)
				prefix = 1;
		}
		if (!has_word(start, n))
			continue;
		if (++words > SEARCH_WORDS_MAX) {
			buf_free(&b);
			return dm_fail(DM_EUSAGE, "the query has more than %d "
			    "words", SEARCH_WORDS_MAX);
		}
		if (pg)
			add_unit_pg(&b, start, n, prefix);
		else
			add_unit(&b, start, n, prefix);
	}
	if (words == 0) {
		buf_free(&b);
		return dm_fail(DM_EUSAGE, *query == '\0' || len ==
		    strspn(query, " \t\r\n\v\f") ? "the query is empty" :
		    "the query has no word to search for (a letter or a digit)");
	}
	*out = buf_release(&b);
	return DM_OK;
}

/* ---- finding tickets ---------------------------------------------------- */

/* The tickets ?8 matches (IN keeps each once). */
#define MATCHED "SELECT rowid & 2147483647 FROM messages_fts WHERE" \
	" messages_fts MATCH ?8"
#define COLUMNS TICKET_COLUMNS
#define ORDER " ORDER BY updated DESC, id DESC LIMIT ?7"

/*
 * PostgreSQL: the same from the search column ($8 a to_tsquery() text),
 * and ticket.h's filter without SQLite's index hints (the planner goes
 * by statistics), its NULL tests typed (an untyped $1 IS NULL does not
 * prepare).  The limit is capped (run()), never the -1 of no limit, but
 * that would read as none too.
 */
#define MATCHED_PG "SELECT ticket_id FROM messages WHERE" \
	" search @@ to_tsquery('deskmail', $8)"
#ifndef TICKET_FILTER_PG
#define TICKET_FILTER_PG "($1::text IS NULL OR status = $1) AND" \
	" ($3::text IS NULL OR agency = $3) AND created >= $4 AND" \
	" created < $5 AND (status <> 'closed' OR closed_at >= $6)"
#endif
#define ORDER_PG " ORDER BY updated DESC, id DESC" \
	" LIMIT NULLIF($7::bigint, -1)"

/* How many matched, near enough to choose the way (a ticket of many
 * matching messages counts many times) */
static const struct dm_sql sql_count = SQL2("SELECT count(*) FROM messages_fts"
    " WHERE messages_fts MATCH ?8",
    "SELECT count(*) FROM messages WHERE"
    " search @@ to_tsquery('deskmail', $8)");
/* ?1-?7 the filter (ticket.h), ?8 the FTS5 query; the file's comment
 * says which is used when (on PostgreSQL, the planner chooses) */
static const struct dm_sql sql_direct = SQL2("SELECT " COLUMNS " FROM tickets"
    " WHERE id IN (" MATCHED ") AND (?2 IS NULL OR requester = ?2) AND"
    TICKET_FILTER_SQL ORDER,
    "SELECT " COLUMNS " FROM tickets WHERE id IN (" MATCHED_PG ") AND"
    " ($2::text IS NULL OR requester = $2) AND " TICKET_FILTER_PG ORDER_PG);
static const struct dm_sql sql_requester = SQL2("SELECT " COLUMNS
    " FROM tickets INDEXED BY tickets_requester WHERE requester = ?2 AND"
    " id IN (" MATCHED ") AND" TICKET_FILTER_SQL ORDER,
    "SELECT " COLUMNS " FROM tickets WHERE requester = $2 AND id IN ("
    MATCHED_PG ") AND " TICKET_FILTER_PG ORDER_PG);
/* updated >= created: the walk stops at the first ticket before --from */
static const struct dm_sql sql_walk = SQL2("SELECT " COLUMNS " FROM tickets"
    " INDEXED BY tickets_search WHERE id IN (" MATCHED ") AND"
    TICKET_FILTER_SQL " AND updated >= ?4" ORDER,
    "SELECT " COLUMNS " FROM tickets WHERE id IN (" MATCHED_PG ") AND "
    TICKET_FILTER_PG " AND updated >= $4" ORDER_PG);

/*
 * Snippets, for the results only, in two passes that each read the
 * index once (a prefix word costs milliseconds a read): the newest
 * matching message of each ticket (?2 a JSON array of ticket numbers;
 * ?3-?4 every rowid: a ticket's do not make a range), and a snippet of
 * each of those messages (?2 their rowids, ?3-?4 the range they span).
 * The '+' keeps a rowid list from being read one by one.
 *
 * PostgreSQL has no rowids: the same numbers are computed from the row,
 * so the C is one for both; ts_headline() marks the words as snippet()
 * does, without its "..." at either end.
 */
static const struct dm_sql sql_newest = SQL2(
    "SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?1"
    " AND rowid BETWEEN ?3 AND ?4"
    " AND (rowid & 2147483647) IN (SELECT value FROM json_each(?2))"
    " ORDER BY rowid DESC",
    "SELECT (id << 31) | ticket_id FROM messages"
    " WHERE search @@ to_tsquery('deskmail', $1)"
    " AND ((id << 31) | ticket_id) BETWEEN $3 AND $4"
    " AND ticket_id IN (SELECT value::bigint"
    " FROM jsonb_array_elements_text($2::jsonb))"
    " ORDER BY id DESC");
static const struct dm_sql sql_snippet_message = SQL2(
    "SELECT rowid, snippet(messages_fts, -1, '[', ']', '...', "
    DM_STR(SNIPPET_TOKENS) ") FROM messages_fts WHERE messages_fts MATCH ?1"
    " AND rowid BETWEEN ?3 AND ?4"
    " AND +rowid IN (SELECT value FROM json_each(?2))",
    "SELECT (id << 31) | ticket_id, ts_headline('deskmail',"
    " coalesce(subject, '') || ' ' || body, to_tsquery('deskmail', $1),"
    " 'StartSel=[, StopSel=], MaxWords=" DM_STR(SNIPPET_TOKENS) ","
    " MinWords=4, ShortWord=0, MaxFragments=1, FragmentDelimiter=...')"
    " FROM messages WHERE id IN (SELECT value::bigint >> 31"
    " FROM jsonb_array_elements_text($2::jsonb))"
    " AND ((id << 31) | ticket_id) BETWEEN $3 AND $4");

/* A snippet on one line: every run of spaces and controls one space. */
static char *
one_line(const char *s)
{
	struct buf b;
	int gap = 0;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (; *s; s++) {
		if ((unsigned char)*s <= ' ' || *s == 0x7f) {
			gap = b.len > 0;
			continue;
		}
		if (gap)
			buf_addc(&b, ' ');
		gap = 0;
		buf_addc(&b, *s);
	}
	return buf_release(&b);
}

/* The results: each ticket, and what became of it. */
struct hit {
	int64_t	 ticket;
	int64_t	 rid;		/* its newest matching message, 0: none */
	char	*snippet;
};

/* ?1 the query, ?2 the JSON array of ids, ?3-?4 their range. */
static struct dm_stmt *
ranged(struct dm_store *st, const struct dm_sql *sql, const char *fts,
    const struct buf *ids, int64_t lo, int64_t hi)
{
	struct dm_stmt *s = store_stmt(st, sql);

	if (s == NULL)
		return NULL;
	stmt_bind_text(s, 1, fts);
	stmt_bind_text(s, 2, ids->data);
	stmt_bind_int64(s, 3, lo);
	stmt_bind_int64(s, 4, hi);
	return s;
}

static struct hit *
hit_of(struct hit *h, size_t n, int64_t ticket)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (h[i].ticket == ticket)
			return &h[i];
	return NULL;
}

/*
 * A few words around the match in each h[i].snippet: the newest
 * matching message's, else the subject's.  A message whose row is gone
 * from under the index (moved without search_unindex_messages()) has no
 * snippet, but its ticket is still found.
 */
static dm_err
snippets(struct dm_store *st, const char *fts, struct hit *h, size_t n)
{
	struct buf ids;
	struct dm_stmt *s;
	struct hit *x;
	int64_t lo = INT64_MAX, hi = 0;
	size_t i;
	int rc = STMT_DONE;

	if (n == 0)
		return DM_OK;
	buf_init(&ids);
	buf_addc(&ids, '[');
	for (i = 0; i < n; i++) {
		buf_addf(&ids, "%s%lld", i ? "," : "", (long long)h[i].ticket);
	}
	buf_addc(&ids, ']');
	/* any message's: the rowids of a ticket do not make a range */
	if ((s = ranged(st, &sql_newest, fts, &ids, 0, INT64_MAX)) != NULL) {
		while ((rc = stmt_step(s)) == STMT_ROW) {
			int64_t rid = stmt_int64(s, 0);

			if ((x = hit_of(h, n, TICKET_OF(rid))) != NULL &&
			    x->rid == 0)
				x->rid = rid;
		}
		stmt_reset(s);
	}
	/* the messages' snippets */
	ids.len = 0;
	buf_addc(&ids, '[');
	for (i = 0; i < n; i++)
		if (h[i].rid != 0) {
			buf_addf(&ids, "%s%lld", ids.len > 1 ? "," : "",
			    (long long)h[i].rid);
			lo = h[i].rid < lo ? h[i].rid : lo;
			hi = h[i].rid > hi ? h[i].rid : hi;
		}
	buf_addc(&ids, ']');
	if (rc == STMT_DONE && hi > 0 && (s = ranged(st, &sql_snippet_message,
	    fts, &ids, lo, hi)) != NULL) {
		while ((rc = stmt_step(s)) == STMT_ROW)
			if ((x = hit_of(h, n, TICKET_OF(stmt_int64(s,
			    0)))) != NULL && x->snippet == NULL &&
			    !stmt_is_null(s, 1))
				x->snippet = one_line(stmt_text(s, 1));
		stmt_reset(s);
	}
	buf_free(&ids);
	/* a snippet is a courtesy: a failure above leaves it empty */
	for (i = 0; i < n; i++)
		if (h[i].snippet == NULL)
			h[i].snippet = xstrdup("");
	return DM_OK;
}

/* Run the search; each result's row is handed to row() with arg. */
static dm_err
run(struct dm_store *st, const char *query, const struct ticket_filter *f,
    char **fts, dm_err (*row)(struct dm_stmt *, void *), void *arg)
{
	struct ticket_filter capped = *f;
	struct dm_stmt *s;
	const struct dm_sql *sql;
	int64_t n = 0;
	dm_err err;
	int rc;

	if ((err = search_query_fts(query, store_is_pg(st), fts)) != DM_OK ||
	    (err = store_run_deferred(st)) != DM_OK)
		return err;
	if (capped.limit < 0 || capped.limit > SEARCH_LIMIT_MAX)
		capped.limit = SEARCH_LIMIT_MAX;
	if (capped.requester != NULL)
		sql = &sql_requester;
	else {
		if ((s = store_stmt(st, &sql_count)) == NULL)
			return store_error(st, "search");
		stmt_bind_text(s, 8, *fts);
		if ((rc = stmt_step(s)) == STMT_ROW)
			n = stmt_int64(s, 0);
		stmt_reset(s);
		if (rc != STMT_ROW)
			return store_error(st, "search");
		sql = n <= SEARCH_DIRECT ? &sql_direct : &sql_walk;
	}
	if ((s = store_stmt(st, sql)) == NULL)
		return store_error(st, "search");
	ticket_filter_bind(s, &capped);
	stmt_bind_text(s, 8, *fts);
	while ((rc = stmt_step(s)) == STMT_ROW)
		if ((err = row(s, arg)) != DM_OK)
			break;
	if (err == DM_OK && rc != STMT_DONE)
		err = store_error(st, "search");
	stmt_reset(s);
	return err;
}

static dm_err
json_row(struct dm_stmt *s, void *arg)
{
	json_object_array_add(arg, ticket_row_json(s));
	return DM_OK;
}

dm_err
search_tickets_json(struct dm_store *st, const char *query,
    const struct ticket_filter *f, struct json_object *array)
{
	struct json_object *o, *id;
	size_t i, first = json_object_array_length(array), n;
	struct hit *h;
	char *fts = NULL;
	dm_err err;

	err = run(st, query, f, &fts, json_row, array);
	/* snippets after the walk: the cached statements are not reentrant */
	n = json_object_array_length(array) - first;
	h = xcalloc(n ? n : 1, sizeof(*h));
	for (i = 0; i < n; i++) {
		o = json_object_array_get_idx(array, first + i);
		json_object_object_get_ex(o, "id", &id);
		h[i].ticket = json_object_get_int64(id);
	}
	if (err == DM_OK)
		err = snippets(st, fts, h, n);
	for (i = 0; i < n; i++) {
		if (err == DM_OK)
			json_object_object_add(json_object_array_get_idx(array,
			    first + i), "snippet",
			    json_object_new_string(h[i].snippet));
		free(h[i].snippet);
	}
	free(h);
	free(fts);
	return err;
}

struct ids {
	int64_t	*v;
	size_t	 n;
};

static dm_err
id_row(struct dm_stmt *s, void *arg)
{
	struct ids *ids = arg;

	ids->v = xreallocarray(ids->v, ids->n + 1, sizeof(*ids->v));
	ids->v[ids->n++] = stmt_int64(s, 0);
	return DM_OK;
}

dm_err
search_ticket_ids(struct dm_store *st, const char *query,
    const struct ticket_filter *f, int64_t **out, size_t *n)
{
	struct ids ids = { NULL, 0 };
	char *fts = NULL;
	dm_err err;

	err = run(st, query, f, &fts, id_row, &ids);
	free(fts);
	if (err != DM_OK) {
		free(ids.v);
		ids.v = NULL;
		ids.n = 0;
	}
	*out = ids.v;
	*n = ids.n;
	return err;
}
