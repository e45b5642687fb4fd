/*
 * store.h - the SQLite file: opening it (WAL, busy timeout), numbered
 * migrations (PRAGMA user_version), transactions and the cache of
 * prepared statements the table modules share.
 */
#ifndef DESKMAIL_STORE_H
#define DESKMAIL_STORE_H

#include <sqlite3.h>
#include <stdint.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

struct dm_store;

/* What store_open() does with the schema it finds. */
enum {
	STORE_CURRENT,	/* this build's schema, else DM_ECONFIG */
	STORE_CREATE,	/* make a missing or empty file, else as CURRENT */
	STORE_ANY,	/* any schema not newer than this build's (backup) */
	STORE_UPGRADE	/* as ANY, and nobody else has the file open */
};

/*
 * Open the database named in cfg, holding its use lock (lock.h) shared,
 * or exclusive for STORE_UPGRADE.  A missing file is a configuration
 * error that says to run init, except for STORE_CREATE.  Only
 * STORE_CREATE on an empty file migrates; an older schema otherwise
 * says to run `deskmail upgrade`.  *out is freed with store_close().
 */
dm_err	store_open(const struct dm_config *cfg, int mode,
	    struct dm_store **out);
void	store_close(struct dm_store *st);

/* The schema version this build writes, and the one st has. */
int	store_schema_version(void);
dm_err	store_version(struct dm_store *st, int *v);

/*
 * Migrate st to this build's schema in one transaction (`deskmail
 * upgrade`); *from is the version it had.
 */
dm_err	store_migrate(struct dm_store *st, int *from);

/* A read snapshot (BEGIN DEFERRED): end it with store_rollback(). */
dm_err	store_begin_read(struct dm_store *st);
/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. */
dm_err	store_begin(struct dm_store *st);
dm_err	store_commit(struct dm_store *st);
void	store_rollback(struct dm_store *st);

/*
 * Let the WAL file have the room it needs between checkpoints now (for
 * `run`, whose commits then do not grow it; store.c says why).  Takes the
 * write lock for a moment when the file is short; DM_ETEMP when the disk
 * is full.
 */
dm_err	store_wal_reserve(struct dm_store *st);

/*
 * Leave the WAL as it is when st closes, even as the process's last
 * connection: for commands that ran while `run` serves, whose open
 * connection keeps the WAL index valid and which gave the WAL its room.
 */
void	store_keep_wal(struct dm_store *st);

/*
 * SQLite's page cache, in KiB, of the connections store_open() opens from
 * now on (STORE_CACHE_KB until this is called), and of one connection.
 * A connection's cache fills up to its size with whatever pages it reads,
 * and keeps them: a batch wants it large, a service with a connection
 * per thread wants each small (the kernel caches the file anyway).
 */
#define STORE_CACHE_KB	16384
void	store_cache_default(int kib);
void	store_cache(struct dm_store *st, int kib);

/* Nonzero while a transaction is open on this connection. */
int	store_in_transaction(struct dm_store *st);

/* SAVEPOINT / RELEASE / ROLLBACK TO one nested unit inside a transaction. */
dm_err	store_savepoint(struct dm_store *st);
dm_err	store_release(struct dm_store *st);
void	store_rollback_savepoint(struct dm_store *st);

/*
 * A prepared statement for sql, which must be a string constant: it is
 * prepared once, cached by address and handed out reset with bindings
 * cleared.  Returns NULL on error (see store_error()).
 */
sqlite3_stmt *store_stmt(struct dm_store *st, const char *sql);

/* Step a statement that returns no rows (expects SQLITE_DONE). */
dm_err	store_exec_stmt(struct dm_store *st, sqlite3_stmt *stmt);

/*
 * The dm_err for the last SQLite failure, with its message in the detail:
 * DM_ETEMP for busy, locked, full and I/O errors (retry later), else DM_EDB.
 */
dm_err	store_error(struct dm_store *st, const char *what);

/*
 * Run sql (a constant, one text parameter ?1) and put the first column of
 * its first row in *out, or 0 when there is no row.
 */
dm_err	store_query_id(struct dm_store *st, const char *sql, const char *key,
	    int64_t *out);
/* The same with one integer parameter ?1 (a ticket's id, say). */
dm_err	store_query_int(struct dm_store *st, const char *sql, int64_t arg,
	    int64_t *out);

/*
 * Run sql (a constant that returns no rows) with integers ?1 = a and
 * ?2 = b (b is not bound when sql has only ?1); what names the table
 * for an error.
 */
dm_err	store_exec_ints(struct dm_store *st, const char *sql, const char *what,
	    int64_t a, int64_t b);

/*
 * A write (sql, a constant, with ?1 = id, ?2 = a, ?3 = b) that waits
 * until just before the transaction's COMMIT, and is forgotten with the
 * savepoint or transaction it was deferred in; outside a transaction it
 * runs now.  For the full-text index: FTS5 writes out its pending terms
 * at every SAVEPOINT, which ingest takes for each message.
 * store_run_deferred() runs what waits now (before reading what it
 * writes within the transaction); store_commit() does.
 */
dm_err	store_defer(struct dm_store *st, const char *sql, int64_t id,
	    const char *a, const char *b);
dm_err	store_run_deferred(struct dm_store *st);

int64_t	store_last_id(struct dm_store *st);
sqlite3	*store_db(struct dm_store *st);

/* Bind helpers that bind NULL for a NULL string. */
void	store_bind_text(sqlite3_stmt *s, int i, const char *v);

/* Column text as a new string (NULL for SQL NULL); caller frees. */
char	*store_column_dup(sqlite3_stmt *s, int i);

#endif
