/*
 * Unit tests: search.c's query (the user's words as FTS5 syntax, and as
 * PostgreSQL's to_tsquery syntax), and the index kept when messages move
 * to another ticket (what a merge does: search_unindex_messages()
 * before, search_index_messages() after).
 */
#include <sqlite3.h>
#include <stdlib.h>
#include <unistd.h>

#include <json-c/json.h>

#include "deskmail/config.h"
#include "deskmail/message.h"
#include "deskmail/search.h"
#include "deskmail/ticket.h"
#include "tap.h"

/* The FTS5 query (pg: the to_tsquery text) for q, or "ERR <code>". */
static char *
query_as(const char *q, int pg)
{
	char *out = NULL, buf[32];
	dm_err err = search_query_fts(q, pg, &out);

	if (err == DM_OK)
		return out;
	snprintf(buf, sizeof(buf), "ERR %d", (int)err);
	return strdup(buf);
}

static char *
fts(const char *q)
{
	return query_as(q, 0);
}

static void
is_fts(const char *q, const char *want, const char *what)
{
	char *got = fts(q);

	is_str(got, want, "search query: %s", what);
	free(got);
}

static void
is_tsquery(const char *q, const char *want, const char *what)
{
	char *got = query_as(q, 1);

	is_str(got, want, "search query, PostgreSQL: %s", what);
	free(got);
}

/*
 * The same words as a to_tsquery() text: split where the search column
 * splits the text (schema_pg.c), so that nothing of the input is
 * to_tsquery syntax; refused where FTS5's is.
 */
static void
test_tsquery(void)
{
	char big[SEARCH_QUERY_MAX + 2], many[400];
	size_t i;

	is_tsquery("printer", "'printer'", "one word, quoted");
	is_tsquery("  printer   jams ", "'printer' & 'jams'",
	    "two words, every one must match");
	is_tsquery("\"permit portal\" kronos", "'permit' <-> 'portal' & "
	    "'kronos'", "a phrase in double quotes stays a phrase");
	is_tsquery("flicker*", "'flicker':*", "a trailing * is a prefix");
	is_tsquery("\"error 50\"*", "'error' <-> '50':*",
	    "a phrase as a prefix: its last word");
	is_tsquery("bob@example.com", "'bob' <-> 'example' <-> 'com'",
	    "an address is the phrase of its words, as in the text");
	is_tsquery("it's a\\b", "'it' <-> 's' & 'a' <-> 'b'",
	    "quotes and backslashes split words, never reach the text");
	is_tsquery("!x & |y <-> z:*", "'x' & 'y' & 'z':*",
	    "operators are no syntax: they split or are left out");
	is_tsquery("NEAR(a", "'NEAR' <-> 'a'", "NEAR( is a word");
	is_tsquery("N\xc3\xba\xc3\xb1""ez caf\xc3\xa9-bar",
	    "'N\xc3\xba\xc3\xb1""ez' & 'caf\xc3\xa9' <-> 'bar'",
	    "non-ASCII words kept whole");
	is_tsquery("- !! ** vpn", "'vpn'", "words without a letter or digit "
	    "are left out");
	is_tsquery("", "ERR 2", "empty: a usage error");
	is_tsquery("!!! ***", "ERR 2", "no word at all: a usage error");
	is_tsquery("\xff\xfe", "ERR 2", "not UTF-8: a usage error");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_tsquery(big, "ERR 2", "longer than SEARCH_QUERY_MAX: a usage "
	    "error");
	many[0] = '\0';
	for (i = 0; i <= SEARCH_WORDS_MAX; i++)
		strcat(many, "w.x ");
	is_tsquery(many, "ERR 2", "more than SEARCH_WORDS_MAX words: a usage "
	    "error");
}

/* Nonzero if FTS5 takes s as a query (no syntax error). */
static int
fts5_takes(sqlite3 *db, const char *s)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM t WHERE t MATCH ?1",
	    -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_text(st, 1, s, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW;
}

static void test_search_moves(void);

void
test_search(void)
{
	static const char *const nasty[] = {
		"NEAR(", "\"", "\"\"", "a\"b", "\"open phrase", "x:y",
		"subject:printer", "a AND", "OR b", "NOT", "-x", "^start",
		"*", "a*", "\"a b\"*", "(a", "a)", "{a b}:c", "a + b",
		"\xc3\xa9t\xc3\xa9", "\xe2\x80\x94", "a\tb\nc", "a'b",
		"NEAR(a b, 3)", "''", "col:\"x\"", "\x01\x02", NULL
	};
	char big[SEARCH_QUERY_MAX + 2], many[400], *q;
	sqlite3 *db;
	size_t i;
	int all = 1;

	is_fts("printer", "\"printer\"", "one word, quoted");
	is_fts("  printer   jams ", "\"printer\" \"jams\"",
	    "two words, every one must match");
	is_fts("\"permit portal\" kronos", "\"permit portal\" \"kronos\"",
	    "a phrase in double quotes stays a phrase");
	is_fts("flicker*", "\"flicker\"*", "a trailing * is a prefix");
	is_fts("\"error 50\"*", "\"error 50\"*", "a phrase as a prefix");
	is_fts("NEAR(a", "\"NEAR(a\"", "NEAR( is a word, not syntax");
	is_fts("a\"b", "\"a\"\"b\"", "a quote inside a word is doubled");
	is_fts("\"unclosed phrase", "\"unclosed phrase\"",
	    "an unclosed quote runs to the end");
	is_fts("subject:x OR y", "\"subject:x\" \"OR\" \"y\"",
	    "column filters and OR are words");
	is_fts("- !! ** vpn", "\"vpn\"", "words without a letter or digit are "
	    "left out");
	is_fts("N\xc3\xba\xc3\xb1""ez", "\"N\xc3\xba\xc3\xb1""ez\"",
	    "non-ASCII words kept");
	is_fts("", "ERR 2", "empty: a usage error");
	is_fts(" \t ", "ERR 2", "only spaces: a usage error");
	is_fts("!!! ***", "ERR 2", "no word at all: a usage error");
	is_fts("\xff\xfe", "ERR 2", "not UTF-8: a usage error");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	is_fts(big, "ERR 2", "longer than SEARCH_QUERY_MAX: a usage error");
	big[SEARCH_QUERY_MAX] = '\0';
	q = fts(big);
	ok(q[0] == '"', "search query: exactly SEARCH_QUERY_MAX bytes is fine");
	free(q);
	many[0] = '\0';
	for (i = 0; i <= SEARCH_WORDS_MAX; i++)
		strcat(many, "w ");
	is_fts(many, "ERR 2", "more than SEARCH_WORDS_MAX words: a usage "
	    "error");

	/* whatever the input, FTS5 reads what comes out */
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(a, tokenize="
	    "'porter unicode61 remove_diacritics 2'); INSERT INTO t VALUES "
	    "('x')", NULL, NULL, NULL) != SQLITE_OK) {
		ok(0, "search query: an FTS5 table in memory");
		return;
	}
	for (i = 0; nasty[i] != NULL; i++) {
		char *out = NULL;

		if (search_query_fts(nasty[i], 0, &out) == DM_OK &&
		    !fts5_takes(db, out)) {
			printf("# FTS5 refused '%s' made of '%s'\n", out,
			    nasty[i]);
			all = 0;
		}
		free(out);
	}
	ok(all, "search query: FTS5 takes the query made of each of %zu "
	    "hostile inputs", i);
	ok(!fts5_takes(db, "NEAR("), "search query: (and would refuse "
	    "'NEAR(' itself)");
	sqlite3_close(db);
	test_tsquery();
	test_search_moves();
}

/* The tickets toner finds, as "[1, 2]". */
static void
found(struct dm_store *st, const char *q, char *out, size_t len)
{
	struct ticket_filter f;
	int64_t *ids;
	size_t n, i, k = 0;

	ticket_filter_init(&f);
	out[0] = '\0';
	if (search_ticket_ids(st, q, &f, &ids, &n) != DM_OK) {
		snprintf(out, len, "ERR %s", dm_errdetail());
		return;
	}
	k += (size_t)snprintf(out + k, len - k, "[");
	for (i = 0; i < n && k < len; i++)
		k += (size_t)snprintf(out + k, len - k, "%s%lld", i ? ", " : "",
		    (long long)ids[i]);
	if (k < len)
		snprintf(out + k, len - k, "]");
	free(ids);
}

static int
integrity(struct dm_store *st)
{
	return sqlite3_exec(store_db(st), "INSERT INTO messages_fts"
	    " (messages_fts, rank) VALUES ('integrity-check', 1)", NULL, NULL,
	    NULL) == SQLITE_OK;
}

static void
test_search_moves(void)
{
	char conf[] = "/tmp/dm-unit-search.XXXXXX", got[128];
	struct dm_config *cfg = NULL;
	struct dm_store *st = NULL;
	struct dm_ticket a, b;
	struct json_object *arr;
	struct ticket_filter f;
	int64_t mid;
	int fd;
	static const char text[] = "[deskmail]\naddress = help@example.org\n";

	if ((fd = mkstemp(conf)) < 0 || write(fd, text, sizeof(text) - 1) !=
	    (ssize_t)sizeof(text) - 1) {
		ok(0, "search moves: a configuration file");
		return;
	}
	close(fd);
	if (config_load(conf, &cfg) != DM_OK) {
		ok(0, "search moves: config_load: %s", dm_errdetail());
		unlink(conf);
		return;
	}
	unlink(conf);
	free(cfg->database);
	cfg->database = strdup(":memory:");
	if (store_open(cfg, 1, &st) != DM_OK) {
		ok(0, "search moves: store_open: %s", dm_errdetail());
		config_free(cfg);
		return;
	}
	memset(&a, 0, sizeof(a));
	a.status = TS_NEW;
	a.requester = "ann@example.org";
	a.subject = "Printer jams";
	a.created = 1772442900;
	b = a;
	b.subject = "VPN drops";
	ok(ticket_create(st, &a) == DM_OK && ticket_create(st, &b) == DM_OK &&
	    message_store_text(st, a.id, "staff", "tech1@example.org",
	    a.subject, "Replace the toner cartridge.", a.created, &mid) ==
	    DM_OK && message_store_text(st, b.id, "customer",
	    "ann@example.org", b.subject, "It drops.", b.created, &mid) ==
	    DM_OK, "search moves: two tickets, a message on each");
	found(st, "toner", got, sizeof(got));
	is_str(got, "[1]", "search moves: found on its ticket");
	found(st, "vpn", got, sizeof(got));
	is_str(got, "[2]", "search moves: a ticket by its (first message's) "
	    "subject");
	/* as a merge does: both tickets' messages out, then in again */
	ok(search_unindex_messages(st, a.id) == DM_OK &&
	    search_unindex_messages(st, b.id) == DM_OK &&
	    sqlite3_exec(store_db(st), "UPDATE messages SET ticket_id = 2",
	    NULL, NULL, NULL) == SQLITE_OK &&
	    search_index_messages(st, b.id) == DM_OK,
	    "search moves: the message moved to ticket 2, out of the index "
	    "and in again");
	found(st, "toner", got, sizeof(got));
	is_str(got, "[2]", "search moves: found on the ticket it moved to");
	ok(integrity(st), "search moves: the index agrees with the rows");
	/* moved without telling the index: still no error, no snippet */
	sqlite3_exec(store_db(st), "UPDATE messages SET ticket_id = 1", NULL,
	    NULL, NULL);
	ticket_filter_init(&f);
	arr = json_object_new_array();
	ok(search_tickets_json(st, "toner", &f, arr) == DM_OK &&
	    json_object_array_length(arr) == 1,
	    "search moves: moved without the index: the search still runs");
	json_object_put(arr);
	ok(search_index_message(st, (int64_t)1 << 32, 1, "x", "y") ==
	    DM_ELIMIT && search_index_message(st, 1, (int64_t)1 << 31, "x",
	    "y") == DM_ELIMIT, "search moves: numbers the index cannot hold "
	    "are refused");
	store_close(st);
	config_free(cfg);
}
