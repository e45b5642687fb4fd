/*
 * cmd_send.c - `deskmail send`: drain the outbox once (cron, or by hand).
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/lock.h"
#include "deskmail/log.h"
#include "deskmail/send.h"
#include "deskmail/smtp.h"

int
cmd_send(struct dm_ctx *ctx, int argc, char **argv)
{
	struct send_stats stats;
	struct dm_smtp *smtp;
	int rc, lock, quiet = 0;
	dm_err err;

	if (argc == 2 && strcmp(argv[1], "-q") == 0)
		quiet = 1;
	else if (argc != 1)
		return ctx_usage(ctx, "[-q]");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = lock_take(ctx->cfg, "send", &lock)) != DM_OK) {
		if (err == DM_EBUSY) {
			if (isatty(STDERR_FILENO))
				log_info("send: %s; not starting a second one",
				    dm_errdetail());
			return EX_OK;
		}
		return ctx_fail(ctx, err);
	}
	if ((err = smtp_open(ctx->cfg, &smtp)) != DM_OK) {
		lock_release(lock);
		return ctx_fail(ctx, err);
	}
	err = send_due(ctx->st, ctx->cfg, smtp, &stats, NULL);
	smtp_close(smtp);
	lock_release(lock);
	if (!quiet && (stats.sent || stats.deferred || stats.failed))
		printf("sent %zu, deferred %zu, failed %zu\n", stats.sent,
		    stats.deferred, stats.failed);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
