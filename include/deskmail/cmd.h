/*
 * cmd.h - the subcommands main.c dispatches to.  Each returns the process
 * exit status (sysexits.h) and logs its own failure once.
 */
#ifndef DESKMAIL_CMD_H
#define DESKMAIL_CMD_H

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_ctx {
	const char		*config_path;
	const char		*command;	/* for error lines */
	struct dm_config	*cfg;		/* loaded by ctx_open() */
	struct dm_store		*st;
	dm_err			 err;		/* the last ctx_fail()'s */
};

/*
 * Load the configuration (and open the database unless config_only).
 * config_only CTX_UNROUTED: the configuration without its routing rules;
 * a later ctx_open() compiles them.
 */
#define CTX_UNROUTED	2
int	ctx_open(struct dm_ctx *ctx, int config_only);
void	ctx_close(struct dm_ctx *ctx);

/* Log "deskmail: <command>: <detail>" and return the exit code for err. */
int	ctx_fail(struct dm_ctx *ctx, dm_err err);
/* Log a usage error for the command and return EX_USAGE. */
int	ctx_usage(struct dm_ctx *ctx, const char *usage);
/* Who the CLI acts as, for events: --as (as, may be NULL), else
 * $DESKMAIL_ACTOR, else cli:<login>.  The caller frees it. */
char	*ctx_actor(const char *as);

int	cmd_init(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_check_config(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_ingest(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_ticket(struct dm_ctx *ctx, int argc, char **argv);
/* ticket attachment N [PART] (cmd_attachment.c) */
int	cmd_ticket_attachment(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_quarantine(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_outbox(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_fetch(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_run(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_send(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_serve(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_tick(struct dm_ctx *ctx, int argc, char **argv);
/* fetch, tick and send, once, for cron (cmd_cron.c) */
int	cmd_cron(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_key(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_backup(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_upgrade(struct dm_ctx *ctx, int argc, char **argv);
/* store copy: one store's database into an empty other (cmd_store.c) */
int	cmd_store(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_report(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_directory(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_status(struct dm_ctx *ctx, int argc, char **argv);
int	cmd_announce(struct dm_ctx *ctx, int argc, char **argv);

#endif
