/*
 * pg_stream.c - a statement read straight through (stmt_stream()) on a
 * store, for tests/pg/stream.test: rows that come one at a time, and
 * what happens when another command needs the connection before the
 * last one, when the statement is reset early, and when the server
 * fails it half way.
 *
 *   pg_stream CONFIG ROWS
 *
 * Prints one line per case (the test compares them with what the rows
 * must give); the peak resident set's growth is printed for the streamed
 * and the whole read, so the test can compare the two.  Exit status: 0,
 * or 1 with the failure on stderr.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

/* g, and a text of 200 characters that ends in g */
#define ROWS_SQL "SELECT g, repeat('x', 200 - length(g::text)) || g" \
	" FROM generate_series(1, ?1) AS g"

static long
peak_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static int
fail(struct dm_store *st, const char *what)
{
	(void)store_error(st, what);
	fprintf(stderr, "pg_stream: %s: %s\n", what, dm_errdetail());
	return 1;
}

/* The text row g must have. */
static int
text_ok(const char *t, long long g)
{
	char want[32];
	size_t n;

	snprintf(want, sizeof(want), "%lld", g);
	n = strlen(want);
	return t != NULL && strlen(t) == 200 && t[0] == 'x' &&
	    strcmp(t + 200 - n, want) == 0;
}

/*
 * Read ROWS_SQL through; at row `at` (0: never) run another statement,
 * checking the text read before it is still there after it.  Prints
 * NAME COUNT SUM BAD.
 */
static int
read_rows(struct dm_store *st, const char *name, long long rows, int stream,
    long long at, long *growth)
{
	struct dm_stmt *s = store_prepare(st, ROWS_SQL), *other;
	long long count = 0, sum = 0, bad = 0, g;
	long before = peak_kb();
	const char *t;
	int rc;

	if (s == NULL)
		return fail(st, name);
	if (stream)
		stmt_stream(s);
	stmt_bind_int64(s, 1, rows);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		g = stmt_int64(s, 0);
		t = stmt_text(s, 1);
		if (++count == at) {
			if ((other = store_prepare(st, "SELECT 42")) == NULL ||
			    stmt_step(other) != STMT_ROW ||
			    stmt_int64(other, 0) != 42)
				return fail(st, "the statement in between");
			stmt_free(other);
		}
		bad += !text_ok(t, g);
		sum += g;
	}
	if (rc != STMT_DONE)
		return fail(st, name);
	stmt_free(s);
	if (growth != NULL)
		*growth = peak_kb() - before;
	printf("%s %lld %lld %lld\n", name, count, sum, bad);
	return 0;
}

/* Read a few rows, reset, and use the connection again. */
static int
reset_early(struct dm_store *st)
{
	struct dm_stmt *s = store_prepare(st, ROWS_SQL);
	int64_t v = 0;
	int i;

	if (s == NULL)
		return fail(st, "reset");
	stmt_stream(s);
	stmt_bind_int64(s, 1, 100000);
	for (i = 0; i < 5; i++)
		if (stmt_step(s) != STMT_ROW)
			return fail(st, "reset");
	stmt_reset(s);
	stmt_free(s);
	if ((s = store_prepare(st, "SELECT 7")) == NULL ||
	    stmt_step(s) != STMT_ROW)
		return fail(st, "after the reset");
	v = stmt_int64(s, 0);
	stmt_free(s);
	printf("reset %lld\n", (long long)v);
	return 0;
}

/*
 * The server fails the statement at row `bad` (a division by zero):
 * the rows before it, then an error; the connection goes on.  at: run
 * another statement at that row first (the error then comes with the
 * rest, fetched whole).
 */
static int
fail_half_way(struct dm_store *st, const char *name, long long bad,
    long long at)
{
	struct dm_stmt *s = store_prepare(st, "SELECT 1 / (?1 - g), g FROM"
	    " generate_series(1, ?1 + 10) AS g"), *other;
	long long count = 0;
	int rc;

	if (s == NULL)
		return fail(st, name);
	stmt_stream(s);
	stmt_bind_int64(s, 1, bad);
	while ((rc = stmt_step(s)) == STMT_ROW)
		if (++count == at) {
			if ((other = store_prepare(st, "SELECT 1")) == NULL ||
			    stmt_step(other) != STMT_ROW)
				return fail(st, "the statement in between");
			stmt_free(other);
		}
	(void)store_error(st, name);
	printf("%s %lld %s %s\n", name, count, rc == STMT_DONE ? "done" :
	    "error", strstr(dm_errdetail(), "division by zero") ? "(division "
	    "by zero)" : dm_errdetail());
	stmt_free(s);
	if ((s = store_prepare(st, "SELECT 8")) == NULL ||
	    stmt_step(s) != STMT_ROW || stmt_int64(s, 0) != 8)
		return fail(st, "after the failure");
	stmt_free(s);
	return 0;
}

int
main(int argc, char **argv)
{
	struct dm_config *cfg;
	struct dm_store *st;
	long long rows;
	long streamed = 0, whole = 0;
	int bad = 0;

	if (argc != 3 || (rows = atoll(argv[2])) < 20) {
		fprintf(stderr, "usage: pg_stream CONFIG ROWS (20 or more)\n");
		return 1;
	}
	if (config_load(argv[1], &cfg) != DM_OK ||
	    store_open(cfg, STORE_CURRENT, &st) != DM_OK) {
		fprintf(stderr, "pg_stream: %s\n", dm_errdetail());
		return 1;
	}
	bad |= read_rows(st, "streamed", rows, 1, 0, &streamed);
	bad |= read_rows(st, "whole", rows, 0, 0, &whole);
	bad |= read_rows(st, "interleaved", rows, 1, 10, NULL);
	if (store_begin_read(st) != DM_OK)
		bad |= fail(st, "begin");
	bad |= read_rows(st, "in-a-transaction", rows, 1, rows / 2, NULL);
	if (store_commit(st) != DM_OK)
		bad |= fail(st, "commit");
	bad |= reset_early(st);
	bad |= fail_half_way(st, "fails", 15, 0);
	bad |= fail_half_way(st, "fails-interleaved", 15, 3);
	printf("peak-growth-kb streamed %ld whole %ld\n", streamed, whole);
	store_close(st);
	config_free(cfg);
	return bad;
}
