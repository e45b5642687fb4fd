/*
 * store.h - the database: a SQLite file (WAL, busy timeout), or a
 * PostgreSQL database several hosts share (store_pg.c); numbered
 * migrations, transactions and the cache of prepared statements the
 * table modules share.
 */
#ifndef DESKMAIL_STORE_H
#define DESKMAIL_STORE_H

#include <sqlite3.h>
#include <stddef.h>
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

/*
 * st will read much of the file once (a report): SQLite maps it (up to
 * 1 GiB) instead of copying every page through read() into its cache.
 */
void	store_read_much(struct dm_store *st);

/* Nonzero while a transaction is open on this connection. */
int	store_in_transaction(struct dm_store *st);

/* SAVEPOINT / RELEASE / ROLLBACK TO one nested unit inside a transaction. */
dm_err	store_savepoint(struct dm_store *st);
dm_err	store_release(struct dm_store *st);
void	store_rollback_savepoint(struct dm_store *st);

/*
 * A prepared statement.  The table modules bind, step and read it with
 * the stmt_*() functions below, never with SQLite's own: one statement
 * API for the backends the store may have (issue 20).  Parameters are
 * numbered from 1, columns from 0, as in SQLite.
 */
struct pg_stmt;

struct dm_stmt {
	sqlite3_stmt	*lite;		/* a SQLite store's, else NULL */
	struct pg_stmt	*pg;		/* a PostgreSQL store's (store_pg.c) */
};

/* stmt_step()'s answers; anything else is an error (store_error()). */
#define STMT_ROW	SQLITE_ROW
#define STMT_DONE	SQLITE_DONE

/* The PostgreSQL side of each (store_pg.c), same meanings. */
int		 pgstmt_step(struct pg_stmt *);
void		 pgstmt_reset(struct pg_stmt *);
void		 pgstmt_bind_int64(struct pg_stmt *, int, int64_t);
void		 pgstmt_bind_null(struct pg_stmt *, int);
void		 pgstmt_bind_text(struct pg_stmt *, int, const char *);
void		 pgstmt_bind_blob(struct pg_stmt *, int, const void *, size_t);
int64_t		 pgstmt_int64(struct pg_stmt *, int);
const char	*pgstmt_text(struct pg_stmt *, int);
int		 pgstmt_is_null(struct pg_stmt *, int);
const void	*pgstmt_blob(struct pg_stmt *, int);
size_t		 pgstmt_bytes(struct pg_stmt *, int);
int		 pgstmt_param_count(struct pg_stmt *);
void		 pgstmt_stream(struct pg_stmt *);

/* SQLite is the default and the one that must not pay for the other. */
#define STMT_LITE(s)	__builtin_expect((s)->lite != NULL, 1)

static inline void
stmt_bind_int64(struct dm_stmt *s, int i, int64_t v)
{
	if (STMT_LITE(s))
		sqlite3_bind_int64(s->lite, i, v);
	else
		pgstmt_bind_int64(s->pg, i, v);
}

static inline void
stmt_bind_int(struct dm_stmt *s, int i, int v)
{
	if (STMT_LITE(s))
		sqlite3_bind_int(s->lite, i, v);
	else
		pgstmt_bind_int64(s->pg, i, v);
}

static inline void
stmt_bind_null(struct dm_stmt *s, int i)
{
	if (STMT_LITE(s))
		sqlite3_bind_null(s->lite, i);
	else
		pgstmt_bind_null(s->pg, i);
}

/* v, or NULL for a NULL string (copied, as SQLite is told). */
void	stmt_bind_text(struct dm_stmt *s, int i, const char *v);

/* n bytes at p, which stay there until the statement is stepped. */
static inline void
stmt_bind_blob(struct dm_stmt *s, int i, const void *p, size_t n)
{
	if (STMT_LITE(s))
		sqlite3_bind_blob64(s->lite, i, p, n, SQLITE_STATIC);
	else
		pgstmt_bind_blob(s->pg, i, p, n);
}

static inline int
stmt_step(struct dm_stmt *s)
{
	if (STMT_LITE(s))
		return sqlite3_step(s->lite);
	return pgstmt_step(s->pg);
}

/*
 * s will be read straight through: on PostgreSQL its rows come one at a
 * time rather than all before the first (a report's million).  SQLite
 * reads a row at a time anyway.  Running another statement before its
 * last row stays correct, only without the saving.
 */
static inline void
stmt_stream(struct dm_stmt *s)
{
	if (!STMT_LITE(s))
		pgstmt_stream(s->pg);
}

static inline void
stmt_reset(struct dm_stmt *s)
{
	if (STMT_LITE(s))
		sqlite3_reset(s->lite);
	else
		pgstmt_reset(s->pg);
}

static inline int64_t
stmt_int64(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return sqlite3_column_int64(s->lite, col);
	return pgstmt_int64(s->pg, col);
}

static inline int
stmt_int(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return sqlite3_column_int(s->lite, col);
	return (int)pgstmt_int64(s->pg, col);
}

/* The column as text (NULL for SQL NULL), valid until the next step. */
static inline const char *
stmt_text(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return (const char *)sqlite3_column_text(s->lite, col);
	return pgstmt_text(s->pg, col);
}

static inline int
stmt_is_null(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return sqlite3_column_type(s->lite, col) == SQLITE_NULL;
	return pgstmt_is_null(s->pg, col);
}

static inline const void *
stmt_blob(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return sqlite3_column_blob(s->lite, col);
	return pgstmt_blob(s->pg, col);
}

static inline size_t
stmt_bytes(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return (size_t)sqlite3_column_bytes(s->lite, col);
	return pgstmt_bytes(s->pg, col);
}

static inline int
stmt_param_count(struct dm_stmt *s)
{
	if (STMT_LITE(s))
		return sqlite3_bind_parameter_count(s->lite);
	return pgstmt_param_count(s->pg);
}

/* The column count of s's rows, and a column's type in the current row
 * (SQLite's fundamental types; store copy moves every value by it). */
enum { STMT_INTEGER = 1, STMT_FLOAT, STMT_TEXT, STMT_BLOB, STMT_NULL };
int	pgstmt_columns(struct pg_stmt *);
int	pgstmt_type(struct pg_stmt *, int);

static inline int
stmt_columns(struct dm_stmt *s)
{
	if (STMT_LITE(s))
		return sqlite3_column_count(s->lite);
	return pgstmt_columns(s->pg);
}

const char *pgstmt_name(struct pg_stmt *, int);

/* A column's name in s's rows. */
static inline const char *
stmt_name(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return sqlite3_column_name(s->lite, col);
	return pgstmt_name(s->pg, col);
}

static inline int
stmt_type(struct dm_stmt *s, int col)
{
	if (STMT_LITE(s))
		return sqlite3_column_type(s->lite, col);
	return pgstmt_type(s->pg, col);
}

/* Column text as a new string (NULL for SQL NULL); caller frees. */
char	*stmt_dup(struct dm_stmt *s, int col);

/*
 * A statement's text for each backend, beside the code that owns its
 * table: SQL("...") when one text serves both (PostgreSQL gets it with
 * ?N written $N), SQL2("sqlite", "postgresql") where they differ.
 * Always a static constant: the statement caches key on its address.
 */
struct dm_sql {
	const char	*lite;
	const char	*pg;		/* NULL: lite's */
};
#define SQL(text)		{ (text), NULL }
#define SQL2(lite, pg)		{ (lite), (pg) }
/* A write PostgreSQL does by itself (the search column): there
 * store_defer(), store_exec_ints() and store_exec_stmt() do nothing. */
#define SQL_LITE_ONLY(text)	{ (text), "" }

/* Nonzero when st is a PostgreSQL store (search.c builds its query
 * text for the backend). */
int	store_is_pg(struct dm_store *st);

/*
 * A prepared statement for sql: it is prepared once per connection,
 * cached by sql's address and handed out reset with bindings cleared.
 * Returns NULL on error (see store_error()).
 */
struct dm_stmt *store_stmt(struct dm_store *st, const struct dm_sql *sql);

/*
 * A statement made at run time (store copy builds one per table): not
 * cached, freed with stmt_free().  text is in the store's own dialect,
 * its parameters ?N on both.  NULL on error (see store_error()).
 */
struct dm_stmt *store_prepare(struct dm_store *st, const char *text);
void	stmt_free(struct dm_stmt *s);

/* Step a statement that returns no rows (expects STMT_DONE). */
dm_err	store_exec_stmt(struct dm_store *st, struct dm_stmt *stmt);

/* Run sql, one or more statements without parameters or rows. */
dm_err	store_exec(struct dm_store *st, const struct dm_sql *sql);

/* Rows the last INSERT, UPDATE or DELETE changed. */
int64_t	store_changes(struct dm_store *st);

/*
 * The dm_err for the last SQLite failure, with its message in the detail:
 * DM_ETEMP for busy, locked, full and I/O errors (retry later), else DM_EDB.
 */
dm_err	store_error(struct dm_store *st, const char *what);

/*
 * Run sql (a constant, one text parameter ?1) and put the first column of
 * its first row in *out, or 0 when there is no row.
 */
dm_err	store_query_id(struct dm_store *st, const struct dm_sql *sql,
	    const char *key, int64_t *out);
/* The same with one integer parameter ?1 (a ticket's id, say). */
dm_err	store_query_int(struct dm_store *st, const struct dm_sql *sql,
	    int64_t arg, int64_t *out);

/*
 * Run sql (a constant that returns no rows) with integers ?1 = a and
 * ?2 = b (b is not bound when sql has only ?1); what names the table
 * for an error.
 */
dm_err	store_exec_ints(struct dm_store *st, const struct dm_sql *sql,
	    const char *what, int64_t a, int64_t b);

/*
 * A write (sql, a constant, with ?1 = id, ?2 = a, ?3 = b) that waits
 * until just before the transaction's COMMIT, and is forgotten with the
 * savepoint or transaction it was deferred in; outside a transaction it
 * runs now.  For the full-text index: FTS5 writes out its pending terms
 * at every SAVEPOINT, which ingest takes for each message.
 * store_run_deferred() runs what waits now (before reading what it
 * writes within the transaction); store_commit() does.
 */
dm_err	store_defer(struct dm_store *st, const struct dm_sql *sql,
	    int64_t id, const char *a, const char *b);
dm_err	store_run_deferred(struct dm_store *st);

/*
 * A lease: one connection among all the deskmails sharing a PostgreSQL
 * store holds the one named key at a time (an IMAP mailbox's watch).  It
 * goes with that connection: its process died, or the database
 * restarted.  *held says whether st holds it now (taken, or still held).
 * On SQLite always held: one `run` per file (lock.h).
 */
dm_err	store_lease(struct dm_store *st, const char *key, int *held);
/* Who holds key, as `status` shows it (NULL: nobody; "" on SQLite). */
dm_err	store_lease_holder(struct dm_store *st, const char *key,
	    char **holder);

int64_t	store_last_id(struct dm_store *st);
/* SQLite's own connection, for what only SQLite has (backup.c). */
sqlite3	*store_db(struct dm_store *st);

#endif
