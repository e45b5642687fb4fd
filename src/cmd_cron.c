/*
 * cmd_cron.c - `deskmail cron`: one whole pass of the work for a cron
 * line or a systemd timer, in the order the work flows: fetch the
 * mailboxes, fire what fell due, send what the outbox holds.  One pass
 * at a time: a pass that finds the previous one still at work exits 0
 * (cron starts one every minute).  Each part runs even when one before
 * it failed (an IMAP server down must not stop the acknowledgements of
 * mail that came by pipe); the status is the first failure's.
 */
#include <string.h>
#include <sysexits.h>

#include "deskmail/cmd.h"
#include "deskmail/lock.h"
#include "deskmail/log.h"

int
cmd_cron(struct dm_ctx *ctx, int argc, char **argv)
{
	static char fetch[] = "fetch", tick[] = "tick", send[] = "send",
	    quiet[] = "-q";
	char *fetch_argv[] = { fetch, quiet, NULL };
	char *tick_argv[] = { tick, quiet, NULL };
	char *send_argv[] = { send, quiet, NULL };
	const char *self = ctx->command;
	int lock = -1, rc, status = EX_OK;
	dm_err err;

	(void)argv;
	if (argc != 1)
		return ctx_usage(ctx, "");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = lock_take(ctx->cfg, "cron", &lock)) != DM_OK)
		return err == DM_EBUSY ? EX_OK : ctx_fail(ctx, err);
	/* each part's errors name it, as when it runs alone */
	if (ctx->cfg->nmailboxes > 0) {
		ctx->command = fetch;
		status = cmd_fetch(ctx, 2, fetch_argv);
	}
	ctx->command = tick;
	if ((rc = cmd_tick(ctx, 2, tick_argv)) != EX_OK && status == EX_OK)
		status = rc;
	ctx->command = send;
	if ((rc = cmd_send(ctx, 2, send_argv)) != EX_OK && status == EX_OK)
		status = rc;
	ctx->command = self;
	lock_release(lock);
	return status;
}
