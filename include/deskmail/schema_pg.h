/* TEMPORARY (replaced by pg-h2's) */
#ifndef DESKMAIL_SCHEMA_PG_H
#define DESKMAIL_SCHEMA_PG_H
#define PG_BASELINE 15
extern const char pg_baseline[];
extern const char *const pg_migrations[];
extern const int pg_nmigrations;
#endif
