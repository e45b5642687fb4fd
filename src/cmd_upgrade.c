/*
 * cmd_upgrade.c - `deskmail backup FILE` and `deskmail upgrade`, the one
 * command that changes the schema: it takes the database from everyone
 * else (the use lock, lock.h), writes a backup, then migrates in one
 * transaction.  Going back is the backup and the previous binary
 * (deskmail(1), UPGRADING).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "deskmail/backup.h"
#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

static int
write_backup(struct dm_ctx *ctx, struct dm_store *st, const char *dest)
{
	struct dm_backup_info info;
	dm_err err;

	if ((err = backup_write(st, dest, &info)) != DM_OK)
		return ctx_fail(ctx, err);
	printf("backed up %s (schema %d, %lld tickets, %lld bytes) to %s\n",
	    ctx->cfg->database, info.schema, (long long)info.tickets,
	    (long long)info.bytes, dest);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int
cmd_backup(struct dm_ctx *ctx, int argc, char **argv)
{
	struct dm_store *st;
	dm_err err;
	int rc;

	if (argc != 2 || argv[1][0] == '-')
		return ctx_usage(ctx, "FILE");
	if ((rc = ctx_open(ctx, CTX_UNROUTED)) != EX_OK)
		return rc;
	if ((err = store_open(ctx->cfg, STORE_ANY, &st)) != DM_OK)
		return ctx_fail(ctx, err);
	rc = write_backup(ctx, st, argv[1]);
	store_close(st);
	return rc;
}

/* DATABASE.schema-V.YYYYMMDDTHHMMSSZ.backup, beside the database */
static char *
backup_name(const char *database, int version)
{
	time_t now = clock_now();
	struct tm tm;
	char when[32];

	gmtime_r(&now, &tm);
	strftime(when, sizeof(when), "%Y%m%dT%H%M%SZ", &tm);
	return xasprintf("%s.schema-%d.%s.backup", database, version, when);
}

int
cmd_upgrade(struct dm_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "backup",	required_argument,	NULL,	'b' },
		{ NULL,		0,			NULL,	0 }
	};
	const char *usage = "[--backup FILE]";
	char *dest = NULL;
	struct dm_store *st = NULL;
	dm_err err;
	int c, rc, from, to = store_schema_version();

	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:", opts, NULL)) != -1) {
		if (c != 'b')
			return ctx_usage(ctx, usage);
		free(dest);
		dest = xstrdup(optarg);
	}
	if (optind != argc) {
		free(dest);
		return ctx_usage(ctx, usage);
	}
	if ((rc = ctx_open(ctx, CTX_UNROUTED)) != EX_OK)
		goto out;
	if ((err = store_open(ctx->cfg, STORE_UPGRADE, &st)) != DM_OK ||
	    (err = store_version(st, &from)) != DM_OK) {
		rc = ctx_fail(ctx, err);
		goto out;
	}
	if (from == to) {
		printf("%s is at schema %d, this deskmail's: nothing to "
		    "upgrade\n", ctx->cfg->database, to);
		rc = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		goto out;
	}
	/* a PostgreSQL store is its DBA's to back up (pg_dump), and its
	 * migration one transaction on the server */
	if (store_is_pg(st) && dest == NULL)
		printf("no backup of a PostgreSQL store: pg_dump it "
		    "first\n");
	else {
		if (dest == NULL)
			dest = backup_name(ctx->cfg->database, from);
		if ((rc = write_backup(ctx, st, dest)) != EX_OK)
			goto out;
	}
	if ((err = store_migrate(st, &from)) != DM_OK) {
		rc = ctx_fail(ctx, err);
		goto out;
	}
	printf("upgraded %s from schema %d to %d\n", ctx->cfg->database,
	    from, to);
	rc = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
out:
	store_close(st);
	free(dest);
	return rc;
}
