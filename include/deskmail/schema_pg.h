/*
 * schema_pg.h - the schema of a PostgreSQL store, in PostgreSQL's
 * dialect: one baseline that makes a new database at the SQLite
 * schema's version PG_BASELINE, then the migrations after it.
 *
 * A PostgreSQL database is always new (made by `init` or `store copy`),
 * so no PostgreSQL database ever sits at a version below PG_BASELINE.
 * Migration N > PG_BASELINE has two texts with the same number: the
 * SQLite one in store.c's migrations[] and the PostgreSQL one here, in
 * pg_migrations[N - PG_BASELINE - 1]; PG_BASELINE + pg_nmigrations is
 * always store_schema_version() (tests/pg/schema.test checks it).
 */
#ifndef DESKMAIL_SCHEMA_PG_H
#define DESKMAIL_SCHEMA_PG_H

/* The SQLite migrations the baseline stands for (1 to 15). */
#define PG_BASELINE	15

/*
 * Several statements, without parameters, for one PQexec inside the
 * transaction that creates the store: an empty database (its owner
 * connected) becomes schema version PG_BASELINE, recorded in the table
 * schema_version (one row, one column, version).
 */
extern const char pg_baseline[];

/* The migrations after the baseline: pg_migrations[i] brings the
 * schema from PG_BASELINE + i to PG_BASELINE + i + 1. */
extern const char *const pg_migrations[];
extern const int pg_nmigrations;

#endif
