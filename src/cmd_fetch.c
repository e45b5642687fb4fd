/*
 * cmd_fetch.c - `deskmail fetch [-v|-q] [MAILBOX...]`: one pass over the
 * configured IMAP mailboxes, for cron.  A summary line per mailbox that
 * had mail (per message with -v); a progress bar on a terminal.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/fetch.h"
#include "deskmail/imap.h"
#include "deskmail/lock.h"
#include "deskmail/log.h"
#include "deskmail/mailbox.h"
#include "deskmail/people.h"

struct report {
	const char	*mailbox;
	int		 verbose;
	int		 tty;
};

static void
report(void *arg, const struct fetch_stats *s, const char *line)
{
	struct report *r = arg;

	if (r->tty && s->pending > 1)
		printf("\r\033[K");
	if (line != NULL && r->verbose)
		printf("%s: %s\n", r->mailbox, line);
	if (r->tty && s->pending > 1)
		printf("%s: [%-30.*s] %zu/%zu", r->mailbox,
		    (int)(s->done * 30 / s->pending),
		    "##############################", s->done, s->pending);
	fflush(stdout);
}

static int
mailbox_selected(const char *name, int argc, char **argv, int first)
{
	int i;

	if (first >= argc)
		return 1;
	for (i = first; i < argc; i++)
		if (strcmp(argv[i], name) == 0)
			return 1;
	return 0;
}

int
cmd_fetch(struct dm_ctx *ctx, int argc, char **argv)
{
	struct fetch_stats stats;
	struct dm_imap *im;
	struct report r;
	int i, first = 1, quiet = 0, rc, status = EX_OK, lock = -1;
	size_t m, matched = 0;
	dm_err err;
	int held;

	memset(&r, 0, sizeof(r));
	for (; first < argc && argv[first][0] == '-'; first++) {
		if (strcmp(argv[first], "-v") == 0)
			r.verbose = 1;
		else if (strcmp(argv[first], "-q") == 0)
			quiet = 1;
		else
			return ctx_usage(ctx, "[-v|-q] [MAILBOX...]");
	}
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if (ctx->cfg->nmailboxes == 0)
		return ctx_fail(ctx, dm_fail(DM_ECONFIG, "%s has no [mailbox "
		    "NAME] section", ctx->cfg->path));
	for (i = first; i < argc; i++) {
		for (m = 0; m < ctx->cfg->nmailboxes; m++)
			if (strcmp(ctx->cfg->mailboxes[m].name, argv[i]) == 0)
				break;
		if (m == ctx->cfg->nmailboxes)
			return ctx_fail(ctx, dm_fail(DM_EUSAGE, "no [mailbox %s] "
			    "in %s", argv[i], ctx->cfg->path));
	}
	if ((err = lock_take(ctx->cfg, "fetch", &lock)) != DM_OK) {
		/* cron starts us every minute: a long pass is no error */
		if (err == DM_EBUSY) {
			if (isatty(STDERR_FILENO))
				log_info("fetch: %s; not starting a second "
				    "one", dm_errdetail());
			return EX_OK;
		}
		return ctx_fail(ctx, err);
	}
	if ((err = people_sync(ctx->st, ctx->cfg)) != DM_OK) {
		lock_release(lock);
		return ctx_fail(ctx, err);
	}
	r.tty = isatty(STDOUT_FILENO);
	for (m = 0; m < ctx->cfg->nmailboxes; m++) {
		const struct dm_mailbox *mb = &ctx->cfg->mailboxes[m];

		if (!mailbox_selected(mb->name, argc, argv, first))
			continue;
		matched++;
		r.mailbox = mb->name;
		/* several hosts on one PostgreSQL store: one fetches it */
		if ((err = mailbox_lease(ctx->st, mb->name, &held)) == DM_OK &&
		    !held) {
			if (!quiet)
				printf("%s: another deskmail watches it; "
				    "skipped\n", mb->name);
			continue;
		}
		if (err == DM_OK)
			err = imap_open(mb, &im);
		if (err == DM_OK) {
			err = fetch_mailbox(ctx->st, ctx->cfg, mb, im, &stats,
			    report, &r, NULL);
			imap_close(im);
		}
		if (r.tty && stats.pending > 1)
			printf("\r\033[K");
		if (err != DM_OK) {
			/* one line per mailbox; carry on with the others */
			rc = ctx_fail(ctx, err);
			if (status == EX_OK)
				status = rc;
			continue;
		}
		if (!quiet && stats.done > 0)
			printf("%s: %zu new, %zu replies, %zu duplicates, %zu "
			    "quarantined%s\n", mb->name, stats.count[INGEST_NEW],
			    stats.count[INGEST_REPLY],
			    stats.count[INGEST_DUPLICATE] + stats.finished_only,
			    stats.count[INGEST_QUARANTINED],
			    stats.uidvalidity_changed ?
			    " (UIDVALIDITY changed: folder fetched again)" : "");
	}
	lock_release(lock);
	if (fflush(stdout) != 0 && status == EX_OK)
		status = EX_IOERR;
	return status;
}
