/*
 * store_pg.h - a PostgreSQL store (issue 20): what store.c asks of the
 * libpq side.  The table modules never see it: they go through store.h,
 * whose functions hand over here when the store is PostgreSQL's.
 */
#ifndef DESKMAIL_STORE_PG_H
#define DESKMAIL_STORE_PG_H

#include <stdint.h>

#include "deskmail/err.h"

struct dm_sql;
struct pg_store;
struct pg_stmt;

/*
 * Connect to the database the libpq URI names (libpq loaded on first
 * use, dyn.h), the password read from password_file when it is not
 * empty.  Locks wait at most wait_ms; synchronous_off turns off
 * synchronous_commit ([deskmail] synchronous = normal).
 */
dm_err	pg_open(const char *uri, const char *password_file, long wait_ms,
	    int synchronous_off, struct pg_store **out);
void	pg_close(struct pg_store *pg);

/* Run text (statements without parameters); nothing it returns is kept. */
dm_err	pg_exec(struct pg_store *pg, const char *text);

/*
 * The transactions store.h promises: a writer holds the database's
 * writer lock (as SQLite's BEGIN IMMEDIATE), a reader one snapshot.
 * pg_commit() fails when PostgreSQL rolled the transaction back.
 */
dm_err	pg_begin(struct pg_store *pg);
dm_err	pg_begin_read(struct pg_store *pg);
dm_err	pg_commit(struct pg_store *pg);
void	pg_rollback(struct pg_store *pg);
int	pg_in_transaction(struct pg_store *pg);

/* The last failure's dm_err (DM_ETEMP when worth retrying), detail set. */
dm_err	pg_error(struct pg_store *pg, const char *what);

/* Rows the last INSERT, UPDATE or DELETE changed; the id the last
 * INSERT ... RETURNING id gave. */
int64_t	pg_changes(struct pg_store *pg);
int64_t	pg_last_id(struct pg_store *pg);

/*
 * A statement for sql: its PostgreSQL text, or its SQLite one with ?N
 * as $N.  PostgreSQL prepares it at its first step on each connection.
 * pgstmt_clear() resets it and forgets its bindings.
 */
struct pg_stmt *pg_prepare(struct pg_store *pg, const struct dm_sql *sql);
void	pgstmt_clear(struct pg_stmt *s);
void	pgstmt_free(struct pg_stmt *s);
/* pgstmt_free(), and the server forgets it too (store_prepare()'s). */
void	pgstmt_drop(struct pg_stmt *s);

/* store_lease() and store_lease_holder() (store.h). */
dm_err	pg_lease(struct pg_store *pg, const char *key, int *held);
dm_err	pg_lease_holder(struct pg_store *pg, const char *key, char **holder);

/* The schema version in the schema_version table (0: none yet). */
dm_err	pg_schema_version(struct pg_store *pg, int *v);

#endif
