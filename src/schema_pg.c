/* TEMPORARY (replaced by pg-h2's) */
#include "deskmail/schema_pg.h"
const char pg_baseline[] = "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (15);";
const char *const pg_migrations[] = { "" };
const int pg_nmigrations = 0;
