/*
 * cmd_check.c - `deskmail check-config`: everything a run would trip on,
 * found now, one line each.
 */
#include <stdio.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "deskmail/calendar.h"
#include "deskmail/cmd.h"
#include "deskmail/route.h"
#include "deskmail/template.h"

int
cmd_check_config(struct dm_ctx *ctx, int argc, char **argv)
{
	struct calendar cal;
	struct stat sb;
	dm_err err;
	int rc;

	if (argc != 1)
		return ctx_usage(ctx, "");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if (stat(ctx->cfg->key_file, &sb) != 0)
		return ctx_fail(ctx, dm_fail(DM_ECONFIG, "key file %s is "
		    "missing; run 'deskmail init'", ctx->cfg->key_file));
	if ((sb.st_mode & 077) != 0)
		return ctx_fail(ctx, dm_fail(DM_ECONFIG, "key file %s is "
		    "readable by others (mode %03o); chmod 600 it",
		    ctx->cfg->key_file, (unsigned)(sb.st_mode & 0777)));
	if (stat(ctx->cfg->database, &sb) == 0 && (sb.st_mode & 077) != 0)
		return ctx_fail(ctx, dm_fail(DM_ECONFIG, "database %s is "
		    "readable by others (mode %03o): it holds every mail; chmod "
		    "600 it", ctx->cfg->database, (unsigned)(sb.st_mode & 0777)));
	if ((err = template_check_all(ctx->cfg)) != DM_OK)
		return ctx_fail(ctx, err);
	if ((err = calendar_from_config(ctx->cfg, &cal)) != DM_OK)
		return ctx_fail(ctx, err);
	calendar_free(&cal);
	printf("%s: ok (%zu team%s, %zu mailbox%s, %zu rule%s)\n",
	    ctx->cfg->path, ctx->cfg->nteams, ctx->cfg->nteams == 1 ? "" : "s",
	    ctx->cfg->nmailboxes, ctx->cfg->nmailboxes == 1 ? "" : "es",
	    route_count(ctx->cfg->rules), route_count(ctx->cfg->rules) == 1 ?
	    "" : "s");
	return EX_OK;
}
