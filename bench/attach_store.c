/*
 * attach_store.c - bench/attach's helper: the two ways of keeping the
 * bytes of attachments, measured on a database `deskmail ingest` filled.
 * Linked with the build's libdeskmail.a (bench/attach compiles it).
 *
 *   attach_store CONF hash       store each file once by its content
 *                                hash, the way deskmail would if it did
 *                                (decode every file of every message,
 *                                SHA-256, INSERT OR IGNORE into a table
 *                                blobs(sha256 PRIMARY KEY, data), one
 *                                transaction per message as ingest
 *                                commits): the work that way adds to
 *                                ingest
 *   attach_store CONF read-raw   every file decoded from its stored raw
 *                                message (attachment_get(): what deskmail
 *                                does)
 *   attach_store CONF read-hash  every file read back from blobs
 *
 * Prints "files N bytes B seconds S cpu C" (wall and cpu time of the
 * work alone, the database opened before the clocks start).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sqlite3.h>

#include "deskmail/attachment.h"
#include "deskmail/charset.h"
#include "deskmail/config.h"
#include "deskmail/mime.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

static double
clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static double
cpu(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static void
die(const char *what)
{
	fprintf(stderr, "attach_store: %s: %s\n", what, dm_errdetail());
	exit(1);
}

static void
sql(sqlite3 *db, const char *q)
{
	if (sqlite3_exec(db, q, NULL, NULL, NULL) != SQLITE_OK) {
		fprintf(stderr, "attach_store: %s: %s\n", q, sqlite3_errmsg(db));
		exit(1);
	}
}

/* Every message with files, and how many each has. */
static int64_t *
messages(sqlite3 *db, size_t *n)
{
	sqlite3_stmt *s;
	int64_t *v = NULL;

	*n = 0;
	sqlite3_prepare_v2(db, "SELECT DISTINCT message_id FROM attachments"
	    " ORDER BY message_id", -1, &s, NULL);
	while (sqlite3_step(s) == SQLITE_ROW) {
		v = xreallocarray(v, *n + 1, sizeof(*v));
		v[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	return v;
}

int
main(int argc, char **argv)
{
	struct dm_config *cfg;
	struct dm_store *st;
	struct dm_file *files, f;
	sqlite3 *db;
	sqlite3_stmt *ins, *get;
	int64_t *msg;
	size_t nmsg, nf, i, j, len, count = 0, bytes = 0;
	char *data, hex[65];
	double t0, c0;

	if (argc != 3 || (strcmp(argv[2], "hash") != 0 &&
	    strcmp(argv[2], "read-raw") != 0 &&
	    strcmp(argv[2], "read-hash") != 0)) {
		fprintf(stderr, "usage: attach_store CONF hash|read-raw|"
		    "read-hash\n");
		return 64;
	}
	charset_install();
	if (config_load(argv[1], &cfg) != DM_OK)
		die(argv[1]);
	if (store_open(cfg, 0, &st) != DM_OK)
		die("database");
	db = store_db(st);
	msg = messages(db, &nmsg);
	if (strcmp(argv[2], "hash") == 0) {
		sql(db, "CREATE TABLE IF NOT EXISTS blobs (sha256 TEXT PRIMARY"
		    " KEY, data BLOB NOT NULL)");
		sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO blobs VALUES"
		    " (?1, ?2)", -1, &ins, NULL);
		t0 = now();
		c0 = cpu();
		for (i = 0; i < nmsg; i++) {
			if (attachment_list(st, 0, msg[i], NULL, &files, &nf) !=
			    DM_OK)
				die("attachments");
			sql(db, "BEGIN IMMEDIATE");
			for (j = 0; j < nf; j++) {
				if (attachment_get(st, cfg, files[j].id, &f, &data,
				    &len) != DM_OK)
					die("decode");
				sha256_hex(data, len, hex);
				sqlite3_bind_text(ins, 1, hex, -1, SQLITE_STATIC);
				sqlite3_bind_blob64(ins, 2, data, len,
				    SQLITE_STATIC);
				if (sqlite3_step(ins) != SQLITE_DONE)
					die("insert");
				sqlite3_reset(ins);
				attachment_clear(&f);
				free(data);
				count++;
				bytes += len;
			}
			sql(db, "COMMIT");
			attachment_list_free(files, nf);
		}
		sqlite3_finalize(ins);
	} else if (strcmp(argv[2], "read-raw") == 0) {
		t0 = now();
		c0 = cpu();
		for (i = 0; i < nmsg; i++) {
			if (attachment_list(st, 0, msg[i], NULL, &files, &nf) !=
			    DM_OK)
				die("attachments");
			for (j = 0; j < nf; j++) {
				if (attachment_get(st, cfg, files[j].id, &f, &data,
				    &len) != DM_OK)
					die("decode");
				attachment_clear(&f);
				free(data);
				count++;
				bytes += len;
			}
			attachment_list_free(files, nf);
		}
	} else {
		char **keys = NULL;
		size_t nkeys = 0;

		sqlite3_prepare_v2(db, "SELECT sha256 FROM blobs", -1, &get,
		    NULL);
		while (sqlite3_step(get) == SQLITE_ROW) {
			keys = xreallocarray(keys, nkeys + 1, sizeof(*keys));
			keys[nkeys++] = xstrdup((const char *)
			    sqlite3_column_text(get, 0));
		}
		sqlite3_finalize(get);
		sqlite3_prepare_v2(db, "SELECT data FROM blobs WHERE sha256 = ?1",
		    -1, &get, NULL);
		t0 = now();
		c0 = cpu();
		for (i = 0; i < nkeys; i++) {
			sqlite3_bind_text(get, 1, keys[i], -1, SQLITE_STATIC);
			if (sqlite3_step(get) != SQLITE_ROW)
				die("blob");
			/* a copy, as a caller that keeps the bytes makes */
			len = (size_t)sqlite3_column_bytes(get, 0);
			data = xmalloc(len + 1);
			memcpy(data, sqlite3_column_blob(get, 0), len);
			free(data);
			sqlite3_reset(get);
			count++;
			bytes += len;
		}
		sqlite3_finalize(get);
		for (i = 0; i < nkeys; i++)
			free(keys[i]);
		free(keys);
	}
	printf("files %zu bytes %zu seconds %.4f cpu %.4f\n", count, bytes,
	    now() - t0, cpu() - c0);
	free(msg);
	store_close(st);
	return 0;
}
