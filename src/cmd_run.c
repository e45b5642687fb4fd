/*
 * cmd_run.c - `deskmail run`: everything as one service until SIGTERM.
 *
 * The main thread only handles signals and configuration; each mailbox is
 * watched by its own thread (watch.c), and mail an MTA pipes to `ingest`
 * comes in through a socket served by another (ingest_socket.c), mail
 * the MTA delivers over LMTP through others (lmtp_server.c).
 * SIGTERM/SIGINT: the threads finish the batch in hand (committed and
 * marked), then the process exits 0.
 * SIGHUP: the threads stop the same way, the configuration is read again
 * (a broken one is reported and the old one kept) and they start anew.
 */
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "deskmail/cmd.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/lmtp_server.h"
#include "deskmail/lock.h"
#include "deskmail/log.h"
#include "deskmail/people.h"
#include "deskmail/clock.h"
#include "deskmail/sender.h"
#include "deskmail/store.h"
#include "deskmail/template.h"
#include "deskmail/tick.h"
#include "deskmail/web.h"
#include "deskmail/util.h"
#include "deskmail/watch.h"

#define RUN_CACHE_KB	1024	/* page cache per connection (store.h) */

static volatile sig_atomic_t got_stop, got_reload;

static void
on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else
		got_stop = 1;
}

static void
signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Start the workers of cfg; returns the array (caller frees). */
static struct watch *
start_all(const struct dm_config *cfg, volatile int *stop)
{
	struct watch *w = xcalloc(cfg->nmailboxes + 1, sizeof(*w));
	size_t i;

	for (i = 0; i < cfg->nmailboxes; i++) {
		w[i].cfg = cfg;
		w[i].mb = &cfg->mailboxes[i];
		w[i].stop = stop;
		if (watch_start(&w[i]) != DM_OK)
			log_error("run: %s", dm_errdetail());
	}
	return w;
}

static void
stop_all(struct watch *w, size_t n, volatile int *stop)
{
	size_t i;

	*stop = 1;
	for (i = 0; i < n; i++)
		watch_join(&w[i]);
	free(w);
}

int
cmd_run(struct dm_ctx *ctx, int argc, char **argv)
{
	struct timespec tick = { 0, 100 * 1000 * 1000 };
	struct dm_config *fresh;
	volatile int stop = 0;
	struct sender sender;
	struct tick_stats ts;
	struct dm_web *web = NULL;
	struct ingest_socket sock;
	struct lmtp_server *lmtp;
	time_t next_tick = 0;
	struct watch *w;
	int rc, lock, send_lock;
	dm_err err;

	if (argc != 1)
		return ctx_usage(ctx, "");
	/*
	 * A service: keep freed memory for the next message instead of
	 * handing it back and taking page faults for it again (each costs
	 * tens of microseconds on a VM).
	 */
	mallopt(M_TRIM_THRESHOLD, 8 << 20);
	mallopt(M_MMAP_THRESHOLD, 8 << 20);
	/*
	 * ... in two arenas, not one per thread (up to 8 per core): each
	 * arena keeps its own freed memory, and run has a thread per
	 * mailbox, web worker, the socket, the sender and its marker.
	 */
	mallopt(M_ARENA_MAX, 2);
	/*
	 * Every thread has its own connection, and each connection's page
	 * cache keeps what it read up to its size: at the batch default
	 * (16 MiB) the ingest thread and each web thread would each grow to
	 * it on a large database (bench/rss).  The kernel keeps the file's
	 * pages for all of them.
	 */
	store_cache_default(RUN_CACHE_KB);
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = lock_take(ctx->cfg, "fetch", &lock)) != DM_OK)
		return ctx_fail(ctx, err);
	if ((err = lock_take(ctx->cfg, "send", &send_lock)) != DM_OK) {
		lock_release(lock);
		return ctx_fail(ctx, err);
	}
	if ((err = people_sync(ctx->st, ctx->cfg)) != DM_OK) {
		lock_release(lock);
		return ctx_fail(ctx, err);
	}
	signals();
	log_info("run: started, watching %zu mailbox%s", ctx->cfg->nmailboxes,
	    ctx->cfg->nmailboxes == 1 ? "" : "es");
	for (;;) {
		stop = 0;
		w = start_all(ctx->cfg, &stop);
		memset(&sender, 0, sizeof(sender));
		sender.cfg = ctx->cfg;
		sender.stop = &stop;
		if (sender_start(&sender) != DM_OK)
			log_error("run: %s", dm_errdetail());
		if ((err = web_start(ctx->cfg, &web)) != DM_OK)
			log_error("run: link pages: %s", dm_errdetail());
		memset(&sock, 0, sizeof(sock));
		sock.cfg = ctx->cfg;
		sock.stop = &stop;
		/* without it ingest still works, storing by itself */
		if ((err = ingest_socket_start(&sock)) != DM_OK)
			log_error("run: %s", dm_errdetail());
		/* without it the MTA keeps the mail and tries again */
		if ((err = lmtp_server_start(ctx->cfg, &stop, &lmtp)) != DM_OK)
			log_error("run: %s", dm_errdetail());
		/* the time-driven work once a minute, on this thread */
		while (!got_stop && !got_reload) {
			nanosleep(&tick, NULL);
			if (clock_now() >= next_tick) {
				if (tick_run(ctx->st, ctx->cfg, &ts) != DM_OK)
					log_error("run: tick: %s", dm_errdetail());
				else if (ts.auto_closed > 0 || ts.sla_fired > 0)
					log_info("run: tick: auto-closed %zu, "
					    "SLA timers fired %zu", ts.auto_closed,
					    ts.sla_fired);
				next_tick = clock_now() + 60;
			}
		}
		web_stop(web);
		web = NULL;
		stop_all(w, ctx->cfg->nmailboxes, &stop);
		ingest_socket_stop(&sock);
		lmtp_server_stop(lmtp);
		sender_join(&sender);
		if (got_stop)
			break;
		got_reload = 0;
		if ((err = config_load(ctx->config_path, &fresh)) != DM_OK) {
			log_error("run: reload: %s; keeping the old configuration",
			    dm_errdetail());
			continue;
		}
		config_free(ctx->cfg);
		ctx->cfg = fresh;
		template_cache_clear();
		if ((err = people_sync(ctx->st, ctx->cfg)) != DM_OK)
			log_error("run: reload: %s", dm_errdetail());
		log_info("run: configuration reloaded, watching %zu mailbox%s",
		    ctx->cfg->nmailboxes, ctx->cfg->nmailboxes == 1 ? "" : "es");
	}
	log_info("run: stopped");
	lock_release(send_lock);
	lock_release(lock);
	return EX_OK;
}
