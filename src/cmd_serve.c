/*
 * cmd_serve.c - `deskmail serve`: only the link pages, until SIGTERM (for
 * a separate process behind the reverse proxy; `run` serves them too),
 * on [web] listen or the socket systemd passed (deskmail-web.socket).
 */
#include <signal.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "deskmail/activation.h"
#include "deskmail/cmd.h"
#include "deskmail/log.h"
#include "deskmail/web.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

int
cmd_serve(struct dm_ctx *ctx, int argc, char **argv)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	struct sigaction sa;
	struct dm_web *w;
	dm_err err;
	int rc, fd, mfd;

	(void)argv;
	if (argc != 1)
		return ctx_usage(ctx, "");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	/* started by systemd's socket activation: its sockets */
	if ((err = activation_sockets(&fd, &mfd)) != DM_OK ||
	    (err = web_start_on(ctx->cfg, fd, mfd, &w)) != DM_OK)
		return ctx_fail(ctx, err);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	log_info("serve: link pages on %s", web_where(w));
	while (!stop)
		nanosleep(&tick, NULL);
	web_stop(w);
	log_info("serve: stopped");
	return EX_OK;
}
