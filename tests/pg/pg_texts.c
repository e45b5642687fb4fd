/*
 * pg_texts.c - texts deskmail gives PostgreSQL, for tests/pg/schema.test,
 * which runs them through psql: the test reads them from the program,
 * never from a copy.
 *
 *   pg_texts                pg_baseline, then each of pg_migrations, on
 *                           stdout, each ending with a newline
 *   pg_texts versions       "BASELINE MIGRATIONS SCHEMA": PG_BASELINE,
 *                           pg_nmigrations and store_schema_version()
 *   pg_texts tsquery WORDS  what search_query_fts() makes of WORDS for
 *                           PostgreSQL, a line
 *
 * Exit status: 0; 1 if stdout could not be written, on a wrong argument
 * or for WORDS that search refuses (the error on stderr).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/schema_pg.h"
#include "deskmail/search.h"
#include "deskmail/store.h"

int
main(int argc, char **argv)
{
	char *q;
	int i;

	if (argc == 2 && strcmp(argv[1], "versions") == 0)
		printf("%d %d %d\n", PG_BASELINE, pg_nmigrations,
		    store_schema_version());
	else if (argc == 3 && strcmp(argv[1], "tsquery") == 0) {
		if (search_query_fts(argv[2], 1, &q) != DM_OK) {
			fprintf(stderr, "pg_texts: %s\n", dm_errdetail());
			return 1;
		}
		printf("%s\n", q);
		free(q);
	} else if (argc == 1) {
		printf("%s\n", pg_baseline);
		for (i = 0; i < pg_nmigrations; i++)
			printf("%s\n", pg_migrations[i]);
	} else {
		fprintf(stderr, "usage: pg_texts [versions | tsquery WORDS]\n");
		return 1;
	}
	return fflush(stdout) == 0 ? 0 : 1;
}
