/*
 * cmd_tick.c - `deskmail tick [-q]`: the time-driven work, once (cron,
 * or `run` every minute): resolved tickets nobody answered within
 * [survey] auto_close_days business days are closed, and the SLA timers
 * that fell due fire.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "deskmail/cmd.h"
#include "deskmail/tick.h"

int
cmd_tick(struct dm_ctx *ctx, int argc, char **argv)
{
	struct tick_stats stats;
	dm_err err;
	int rc;

	int quiet = argc == 2 && strcmp(argv[1], "-q") == 0;

	if (argc != 1 && !quiet)
		return ctx_usage(ctx, "[-q]");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = tick_run(ctx->st, ctx->cfg, &stats)) != DM_OK)
		return ctx_fail(ctx, err);
	if (quiet)
		return EX_OK;
	if (stats.auto_closed > 0)
		printf("auto-closed %zu\n", stats.auto_closed);
	if (stats.sla_fired > 0)
		printf("sla timers fired %zu\n", stats.sla_fired);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
