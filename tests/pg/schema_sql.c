/*
 * schema_sql.c - the PostgreSQL schema as deskmail holds it, for
 * tests/pg/schema.test, which runs it through psql: the test reads the
 * texts from the program, never from a copy.
 *
 *   schema_sql              pg_baseline, then each of pg_migrations, on
 *                           stdout, each ending with a newline
 *   schema_sql versions     "BASELINE MIGRATIONS SCHEMA": PG_BASELINE,
 *                           pg_nmigrations and store_schema_version()
 *
 * Exit status: 0, or 1 if stdout could not be written or on a wrong
 * argument.
 */
#include <stdio.h>
#include <string.h>

#include "deskmail/schema_pg.h"
#include "deskmail/store.h"

int
main(int argc, char **argv)
{
	int i;

	if (argc == 2 && strcmp(argv[1], "versions") == 0)
		printf("%d %d %d\n", PG_BASELINE, pg_nmigrations,
		    store_schema_version());
	else if (argc == 1) {
		printf("%s\n", pg_baseline);
		for (i = 0; i < pg_nmigrations; i++)
			printf("%s\n", pg_migrations[i]);
	} else {
		fprintf(stderr, "usage: schema_sql [versions]\n");
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
