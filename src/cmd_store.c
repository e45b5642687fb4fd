/*
 * cmd_store.c - `deskmail store copy [--from SOURCE] [--to DEST]`: moving
 * an installation from its SQLite file into PostgreSQL, or back
 * (store_copy.h does the copy and its check).
 *
 * SOURCE and DEST are each a SQLite file (relative to the working
 * directory) or a postgresql:// URI; the one left out is the
 * configuration's database.  Both are opened with the rest of the
 * configuration: a PostgreSQL side's password is the configuration's
 * database_password_file, else libpq's own (PGPASSFILE, ~/.pgpass), and
 * never a command-line word, which every user of the host can read.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/store.h"
#include "deskmail/store_copy.h"
#include "deskmail/util.h"

static const char usage[] = "copy [--from SOURCE] [--to DEST]";

static dm_err
check_name(const char *option, const char *database)
{
	if (database[0] == '\0')
		return dm_fail(DM_EUSAGE, "%s is empty", option);
	if (config_database_is_pg(database) &&
	    config_uri_has_password(database))
		return dm_fail(DM_EUSAGE, "%s has a password in it, which "
		    "every user of this host can read: put it in "
		    "database_password_file (or ~/.pgpass)", option);
	return DM_OK;
}

/* A SQLite file this command made and did not fill: gone again. */
static void
remove_made(const char *path)
{
	const char *suffix[] = { "", "-wal", "-shm", ".use.lock" };
	char *p;
	size_t i;

	for (i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
		p = xasprintf("%s%s", path, suffix[i]);
		(void)unlink(p);
		free(p);
	}
}

static const char *
rows(int64_t n)
{
	return n == 1 ? "row" : "rows";
}

static void
print_report(const struct store_copy_report *r)
{
	const struct store_copy_table *t;
	size_t i;

	for (i = 0; i < r->ntables; i++) {
		t = &r->tables[i];
		if (t->same)
			printf("%s %lld %s, same\n", t->name,
			    (long long)t->rows, rows(t->rows));
		else
			printf("%s %lld %s, %lld in the copy, DIFFERENT\n",
			    t->name, (long long)t->rows, rows(t->rows),
			    (long long)t->copied);
	}
}

static int
copy(struct dm_ctx *ctx, const char *source, const char *dest)
{
	struct dm_config from = *ctx->cfg, to = *ctx->cfg;
	struct dm_store *src = NULL, *dst = NULL;
	struct store_copy_report report;
	dm_err err;
	int rc, made;

	memset(&report, 0, sizeof(report));
	from.database = (char *)source;
	to.database = (char *)dest;
	/*
	 * The source as `upgrade` takes it: nobody else has a SQLite file
	 * open meanwhile, so nothing is stored in it that the copy would
	 * leave behind.  (PostgreSQL has no such lock: stop deskmail on
	 * every host first.)  Its schema is checked before DEST is made.
	 */
	if ((err = store_open(&from, STORE_UPGRADE, &src)) != DM_OK ||
	    (err = store_copy_source(src)) != DM_OK) {
		rc = ctx_fail(ctx, err);
		store_close(src);
		return rc;
	}
	made = !config_database_is_pg(dest) && access(dest, F_OK) != 0;
	if ((err = store_open(&to, STORE_CREATE, &dst)) != DM_OK)
		goto fail;
	if ((err = store_copy(src, dst, &report)) != DM_OK) {
		print_report(&report);
		fflush(stdout);
		goto fail;
	}
	print_report(&report);
	printf("copied %s to %s: %lld rows in %zu tables, each compared with "
	    "the source: the same\n", source, dest, (long long)report.rows,
	    report.ntables);
	store_copy_report_free(&report);
	store_close(dst);
	store_close(src);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
fail:
	rc = ctx_fail(ctx, err);
	store_copy_report_free(&report);
	store_close(dst);
	store_close(src);
	if (made)
		remove_made(dest);
	return rc;
}

int
cmd_store(struct dm_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "from",	required_argument,	NULL,	'f' },
		{ "to",		required_argument,	NULL,	't' },
		{ NULL,		0,			NULL,	0 }
	};
	const char *source = NULL, *dest = NULL;
	dm_err err;
	int c, rc;

	if (argc < 2 || strcmp(argv[1], "copy") != 0)
		return ctx_usage(ctx, usage);
	argc--;
	argv++;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c == 'f')
			source = optarg;
		else if (c == 't')
			dest = optarg;
		else
			return ctx_usage(ctx, usage);
	}
	if (optind != argc || (source == NULL && dest == NULL))
		return ctx_usage(ctx, usage);
	if ((source != NULL && (err = check_name("--from", source)) != DM_OK) ||
	    (dest != NULL && (err = check_name("--to", dest)) != DM_OK))
		return ctx_fail(ctx, err);
	if ((rc = ctx_open(ctx, CTX_UNROUTED)) != EX_OK)
		return rc;
	if (source == NULL)
		source = ctx->cfg->database;
	if (dest == NULL)
		dest = ctx->cfg->database;
	if (strcmp(source, dest) == 0)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "the source and the "
		    "destination are both %s", source));
	return copy(ctx, source, dest);
}
