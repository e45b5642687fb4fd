/*
 * schema_pg.h - the schema of a PostgreSQL store, in PostgreSQL's
 * dialect: one baseline that makes a new database at the SQLite
 * schema's version PG_BASELINE, then the migrations after it.
 */
#ifndef DESKMAIL_SCHEMA_PG_H
#define DESKMAIL_SCHEMA_PG_H

#endif
