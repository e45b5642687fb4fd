/*
 * cmd_check.c - `deskmail check-config`: everything a run would trip on,
 * found now, one line each.
 */
#include <grp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "deskmail/calendar.h"
#include "deskmail/cmd.h"
#include "deskmail/directory.h"
#include "deskmail/log.h"
#include "deskmail/route.h"
#include "deskmail/sla_notice.h"
#include "deskmail/template.h"

static int
in_directory(void *arg, const char *name)
{
	struct dm_agency a;

	if (directory_agency(arg, name, &a) != DM_OK)
		return 0;
	directory_agency_clear(&a);
	return 1;
}

int
cmd_check_config(struct dm_ctx *ctx, int argc, char **argv)
{
	struct calendar cal;
	struct stat sb;
	char **lines;
	size_t i;
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
	if (ctx->cfg->database_password_file[0] != '\0' &&
	    stat(ctx->cfg->database_password_file, &sb) == 0 &&
	    (sb.st_mode & 077) != 0)
		return ctx_fail(ctx, dm_fail(DM_ECONFIG, "database_password_"
		    "file %s is readable by others (mode %03o); chmod 600 it",
		    ctx->cfg->database_password_file,
		    (unsigned)(sb.st_mode & 0777)));
	/* a warning: the directory may be imported after the rules */
	if (route_check_agencies(ctx->cfg->rules, in_directory, ctx->st) !=
	    DM_OK)
		log_warning("check-config: %s", dm_errdetail());
	if ((err = template_check_all(ctx->cfg)) != DM_OK)
		return ctx_fail(ctx, err);
	/* here, not in config.c: the static front reads configurations too */
	if (ctx->cfg->lmtp_group[0] != '\0' &&
	    getgrnam(ctx->cfg->lmtp_group) == NULL)
		return ctx_fail(ctx, dm_fail(DM_ECONFIG, "lmtp_group '%s' is "
		    "not a group of this system", ctx->cfg->lmtp_group));
	if ((err = calendar_from_config(ctx->cfg, &cal)) != DM_OK)
		return ctx_fail(ctx, err);
	calendar_free(&cal);
	/* not an error: a desk may take no staff mail at all */
	if (strcmp(ctx->cfg->staff_auth, "authentication-results") == 0 &&
	    ctx->cfg->auth_serv_id[0] == '\0')
		log_warning("check-config: auth_serv_id is empty, so no "
		    "staff mail is trusted (#commands and replies by mail are "
		    "refused); set it to your MTA's authserv-id");
	sla_audience_warnings(ctx->cfg, &lines);
	for (i = 0; lines != NULL && lines[i] != NULL; i++)
		log_warning("check-config: %s", lines[i]);
	sla_warnings_free(lines);
	printf("%s: ok (%zu team%s, ", ctx->cfg->path, ctx->cfg->nteams,
	    ctx->cfg->nteams == 1 ? "" : "s");
	if (ctx->cfg->nqueues > 0)	/* a file without queues reads as before */
		printf("%zu queue%s, ", ctx->cfg->nqueues,
		    ctx->cfg->nqueues == 1 ? "" : "s");
	printf("%zu mailbox%s, %zu rule%s)\n", ctx->cfg->nmailboxes,
	    ctx->cfg->nmailboxes == 1 ? "" : "es", route_count(ctx->cfg->rules),
	    route_count(ctx->cfg->rules) == 1 ? "" : "s");
	return EX_OK;
}
