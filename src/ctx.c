/*
 * ctx.c - what every command needs first: the configuration, the
 * database, and one way to report failure.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "deskmail/cmd.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/log.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

int
ctx_fail(struct dm_ctx *ctx, dm_err err)
{
	const char *d = dm_errdetail();

	ctx->err = err;
	log_error("%s: %s", ctx->command ? ctx->command : "deskmail",
	    d[0] ? d : dm_strerror(err));
	return dm_exit_code(err);
}

int
ctx_usage(struct dm_ctx *ctx, const char *usage)
{
	log_error("%s: usage: deskmail %s %s", ctx->command, ctx->command,
	    usage);
	return EX_USAGE;
}

int
ctx_open(struct dm_ctx *ctx, int config_only)
{
	dm_err err;

	if (ctx->cfg == NULL) {
		if ((err = config_load_unrouted(ctx->config_path, &ctx->cfg)) !=
		    DM_OK)
			return ctx_fail(ctx, err);
		log_use_syslog(strcmp(ctx->cfg->log, "syslog") == 0);
	}
	if (config_only != CTX_UNROUTED &&
	    (err = config_load_rules(ctx->cfg)) != DM_OK)
		return ctx_fail(ctx, err);
	if (config_only || ctx->st != NULL)
		return EX_OK;
	if ((err = store_open(ctx->cfg, STORE_CURRENT, &ctx->st)) != DM_OK)
		return ctx_fail(ctx, err);
	return EX_OK;
}

void
ctx_close(struct dm_ctx *ctx)
{
	/* run serves: its WAL stays as it is (store_keep_wal) */
	if (ctx->st != NULL && ctx->cfg != NULL &&
	    strcmp(ingest_socket_state(ctx->cfg), "listening") == 0)
		store_keep_wal(ctx->st);
	store_close(ctx->st);
	ctx->st = NULL;
	config_free(ctx->cfg);
	ctx->cfg = NULL;
}

char *
ctx_actor(const char *as)
{
	const char *e = getenv("DESKMAIL_ACTOR"), *user;

	if (as != NULL)
		return xstrdup(as);
	if (e != NULL && *e)
		return xstrdup(e);
	user = getenv("USER");
	if (user == NULL || *user == '\0')
		user = getenv("LOGNAME");
	return xasprintf("cli:%s", user && *user ? user : "unknown");
}
