/*
 * fuzz_search.c - libFuzzer target for search_query_fts(), which turns
 * what a person types after `deskmail ticket search` into FTS5 syntax.
 * Whatever the input: no crash, and either a usage error or a query that
 * SQLite's FTS5 (with the tokenizer the index uses) parses and runs
 * without a syntax error; every word of the output is quoted, so no
 * character of the input acts as FTS5 syntax.  A second part (after
 * "\n%%\n") is stored as a document, so that matching runs too.
 */
#include <sqlite3.h>

#include "deskmail/search.h"

#include "fuzz.h"

static sqlite3 *db;
static sqlite3_stmt *match, *put, *wipe;

static void
setup(void)
{
	if (sqlite3_open(":memory:", &db) != SQLITE_OK ||
	    sqlite3_exec(db, "CREATE VIRTUAL TABLE t USING fts5(subject, body,"
	    " tokenize='porter unicode61 remove_diacritics 2')", NULL, NULL,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT rowid, snippet(t, -1, '[', ']',"
	    " '...', 12) FROM t WHERE t MATCH ?1", -1, &match, NULL) !=
	    SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO t (rowid, subject, body) VALUES"
	    " (1, 'printer jams', ?1)", -1, &put, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "DELETE FROM t", -1, &wipe, NULL) !=
	    SQLITE_OK)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *doc;
	size_t qlen, dlen, i;
	char *q, *out = NULL, *pg = NULL;
	dm_err err;
	int rc, quoted;

	if (db == NULL)
		setup();
	fuzz_split(data, size, &doc, &qlen, &dlen);
	q = fuzz_str(data, qlen);
	err = search_query_fts(q, 0, &out);
	/* the PostgreSQL form (to_tsquery's): the same queries refused */
	if ((search_query_fts(q, 1, &pg) == DM_OK) != (err == DM_OK))
		abort();
	free(pg);
	if (err != DM_OK) {
		if (err != DM_EUSAGE || out != NULL)
			abort();
		free(q);
		return 0;
	}
	/* outside the quotes only spaces and a '*' after a closing quote */
	for (quoted = 0, i = 0; out[i] != '\0'; i++) {
		if (out[i] == '"') {
			if (quoted && out[i + 1] == '"')
				i++;		/* a doubled quote inside */
			else
				quoted = !quoted;
		} else if (!quoted && out[i] != ' ' && !(out[i] == '*' &&
		    i > 0 && out[i - 1] == '"'))
			abort();
	}
	if (quoted)
		abort();
	sqlite3_reset(wipe);
	sqlite3_step(wipe);
	if (doc != NULL) {
		sqlite3_reset(put);
		sqlite3_bind_text(put, 1, (const char *)doc, (int)dlen,
		    SQLITE_TRANSIENT);
		sqlite3_step(put);
	}
	sqlite3_reset(match);
	sqlite3_bind_text(match, 1, out, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(match)) == SQLITE_ROW)
		;
	if (rc != SQLITE_DONE) {
		fprintf(stderr, "FTS5 refused '%s' (from '%s'): %s\n", out, q,
		    sqlite3_errmsg(db));
		abort();
	}
	free(out);
	free(q);
	return 0;
}
