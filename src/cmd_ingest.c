/*
 * cmd_ingest.c - `deskmail ingest`: one message on stdin (an MTA's pipe),
 * or many from files or a Maildir.  One line per message on stdout; exit 0
 * when every message was stored or quarantined, 75 when one could not be
 * stored now and should be tried again.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/ingest.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/log.h"
#include "deskmail/people.h"
#include "deskmail/util.h"

struct progress {
	int	 tty;		/* stdout is a terminal: draw a bar */
	size_t	 done, total;
	size_t	 count[4];	/* by ingest_outcome */
	size_t	 failed;
};

static void
progress_draw(struct progress *p)
{
	int width = 30, fill;

	if (!p->tty || p->total < 2)
		return;
	fill = (int)(p->total ? p->done * (size_t)width / p->total : 0);
	printf("\r[%.*s%*s] %zu/%zu", fill,
	    "##############################", width - fill, "", p->done,
	    p->total);
	fflush(stdout);
}

static void
progress_line(struct progress *p, const char *line)
{
	if (p->tty && p->total >= 2)
		printf("\r\033[K");
	printf("%s\n", line);
	progress_draw(p);
}

/*
 * Lines of messages applied in the open batch transaction: printed only
 * once it has committed, because printing is acknowledging.
 */
#define BATCH_MAX	64

struct batch {
	char	lines[BATCH_MAX][320];
	int	outcome[BATCH_MAX];
	size_t	n;
};

/* Store one message read already, into res; its warning is logged. */
static dm_err
ingest_raw(struct dm_ctx *ctx, const char *raw, size_t len, size_t total,
    const char *source, struct ingest_result *res)
{
	dm_err err;

	err = ingest_message(ctx->st, ctx->cfg, raw, len, total, source, 0,
	    res);
	if (err == DM_OK && res->warning[0] != '\0')
		log_warning("ingest: %s: %s", source, res->warning);
	return err;
}

/* Ingest one message from fd into res; DM_ETEMP: retry it later. */
static dm_err
ingest_fd(struct dm_ctx *ctx, int fd, const char *source,
    struct ingest_result *res)
{
	char *raw;
	size_t len, total;
	dm_err err;

	err = read_fd_capped(fd, (size_t)ctx->cfg->limits.max_message_bytes,
	    &raw, &len, &total);
	if (err != DM_OK)
		return err;
	err = ingest_raw(ctx, raw, len, total, source, res);
	free(raw);
	return err;
}

static void
report_failure(struct progress *p, const char *source, const char *why)
{
	p->failed++;
	if (p->tty && p->total >= 2)
		printf("\r\033[K");
	fflush(stdout);
	log_error("ingest: %s: %s", source, why);
	progress_draw(p);
}

/* Commit the batch and print its lines; on failure they all failed. */
static dm_err
batch_commit(struct dm_ctx *ctx, struct batch *b, struct progress *p)
{
	dm_err err = DM_OK;
	size_t i;

	if (store_in_transaction(ctx->st))
		err = store_commit(ctx->st);
	if (err != DM_OK) {
		store_rollback(ctx->st);
		for (i = 0; i < b->n; i++)
			report_failure(p, b->lines[i], dm_errdetail());
	} else {
		for (i = 0; i < b->n; i++) {
			p->count[b->outcome[i]]++;
			progress_line(p, b->lines[i]);
		}
	}
	b->n = 0;
	return err;
}

static dm_err
ingest_path(struct dm_ctx *ctx, const char *path, struct batch *b,
    struct progress *p)
{
	struct ingest_result res;
	dm_err err;
	int fd;

	p->done++;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		err = errno == ENOENT ? DM_ENOTFOUND : DM_EIO;
		report_failure(p, path, strerror(errno));
		return err;
	}
	if (!store_in_transaction(ctx->st) &&
	    (err = store_begin(ctx->st)) != DM_OK) {
		close(fd);
		report_failure(p, path, dm_errdetail());
		return err;
	}
	err = ingest_fd(ctx, fd, path, &res);
	close(fd);
	if (err != DM_OK) {
		report_failure(p, path, dm_errdetail());
		/* an error SQLite rolled the whole batch back for */
		if (!store_in_transaction(ctx->st))
			for (; b->n > 0; b->n--)
				report_failure(p, b->lines[b->n - 1],
				    "batch rolled back");
		return err;
	}
	ingest_format(&res, b->lines[b->n], sizeof(b->lines[b->n]));
	b->outcome[b->n++] = res.outcome;
	return DM_OK;
}

static int
by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The message files of a Maildir (new/ and cur/), or of a plain folder. */
static dm_err
maildir_files(const char *dir, char ***out, size_t *n)
{
	static const char *const subs[] = { "new", "cur", "" };
	char **v = NULL, *sub;
	size_t count = 0, i;
	struct dirent *de;
	int found = 0;
	DIR *d;

	for (i = 0; i < 3; i++) {
		if (i == 2 && found)
			break;
		sub = subs[i][0] ? xasprintf("%s/%s", dir, subs[i]) :
		    xstrdup(dir);
		if ((d = opendir(sub)) == NULL) {
			free(sub);
			continue;
		}
		found = 1;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.' ||
			    (de->d_type != DT_REG && de->d_type != DT_UNKNOWN))
				continue;
			v = xreallocarray(v, count + 1, sizeof(*v));
			v[count++] = xasprintf("%s/%s", sub, de->d_name);
		}
		closedir(d);
		free(sub);
	}
	if (!found)
		return dm_fail(DM_ENOTFOUND, "%s: no such Maildir", dir);
	qsort(v, count, sizeof(*v), by_name);
	*out = v;
	*n = count;
	return DM_OK;
}

static int
open_store(struct dm_ctx *ctx)
{
	dm_err err;
	int rc;

	/* a database waiting for `deskmail upgrade` keeps the mail queued
	 * at the MTA: Postfix bounces on EX_CONFIG */
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc == EX_CANTCREAT || ctx->err == DM_ESCHEMA ?
		    EX_TEMPFAIL : rc;
	if ((err = people_sync(ctx->st, ctx->cfg)) != DM_OK)
		return ctx_fail(ctx, err);
	return EX_OK;
}

/*
 * One message from an MTA's pipe: handed to a running `run` when there is
 * one, else stored here.  Anything that kept it from being stored is a
 * temporary failure: the MTA keeps it and tries again.
 */
static int
ingest_stdin(struct dm_ctx *ctx)
{
	struct ingest_result res;
	char *raw, line[320];
	size_t len, total;
	int rc, status, fd;
	dm_err err;

	err = read_fd_capped(STDIN_FILENO,
	    (size_t)ctx->cfg->limits.max_message_bytes, &raw, &len, &total);
	if (err != DM_OK)
		return ctx_fail(ctx, dm_fail(DM_ETEMP, "%s", dm_errdetail()));
	if ((fd = ingest_socket_connect(ctx->cfg)) < 0 ||
	    ingest_socket_exchange(ctx->cfg, fd, raw, len, total,
	    &status, line, sizeof(line)) != DM_OK) {
		if ((rc = open_store(ctx)) != EX_OK) {
			free(raw);
			return rc;
		}
		if ((err = ingest_raw(ctx, raw, len, total, "stdin", &res)) !=
		    DM_OK) {
			free(raw);
			return ctx_fail(ctx, dm_fail(DM_ETEMP, "%s",
			    dm_errdetail()));
		}
		ingest_format(&res, line, sizeof(line));
		status = EX_OK;
	}
	free(raw);
	if (status != EX_OK) {
		log_error("%s: %s", ctx->command, line);
		return status;
	}
	printf("%s\n", line);
	return fflush(stdout) == 0 ? EX_OK : EX_TEMPFAIL;
}

/* temp: a failure worth retrying; status: exit code of another failure */
static int
finish(struct dm_ctx *ctx, struct progress *p, int temp, int status)
{
	if (p->tty && p->total >= 2)
		printf("\r\033[K%zu messages: %zu new, %zu replies, %zu "
		    "duplicates, %zu quarantined, %zu failed\n", p->done,
		    p->count[INGEST_NEW], p->count[INGEST_REPLY],
		    p->count[INGEST_DUPLICATE], p->count[INGEST_QUARANTINED],
		    p->failed);
	if (fflush(stdout) != 0)
		return EX_IOERR;
	if (p->failed == 0)
		return EX_OK;
	if (temp)
		return EX_TEMPFAIL;
	return status != EX_OK ? status : EX_IOERR;
}

int
cmd_ingest(struct dm_ctx *ctx, int argc, char **argv)
{
	struct progress p;
	struct batch *batch;
	char **files = NULL;
	const char *maildir = NULL;
	size_t nfiles = 0, i;
	int rc, temp = 0, owned = 0, status = EX_OK;
	dm_err err;

	if (argc >= 2 && strcmp(argv[1], "--maildir") == 0) {
		if (argc != 3)
			return ctx_usage(ctx, "[--maildir DIR | FILE...]");
		maildir = argv[2];
	} else if (argc >= 2 && argv[1][0] == '-' && argv[1][1] != '\0')
		return ctx_usage(ctx, "[--maildir DIR | FILE...]");
	/* the rules are compiled only when this process stores the mail */
	if ((rc = ctx_open(ctx, CTX_UNROUTED)) != EX_OK)
		return rc;
	if (maildir == NULL && argc < 2)
		return ingest_stdin(ctx);
	if ((rc = open_store(ctx)) != EX_OK)
		return rc;
	memset(&p, 0, sizeof(p));
	p.tty = isatty(STDOUT_FILENO);

	if (maildir != NULL) {
		if ((err = maildir_files(maildir, &files, &nfiles)) != DM_OK)
			return ctx_fail(ctx, err);
		owned = 1;
	} else if (argc >= 2) {
		files = argv + 1;
		nfiles = (size_t)argc - 1;
	}
	p.total = nfiles;
	progress_draw(&p);
	batch = xcalloc(1, sizeof(*batch));
	for (i = 0; i < nfiles; i++) {
		err = ingest_path(ctx, files[i], batch, &p);
		if (err == DM_ETEMP)
			temp = 1;
		else if (err != DM_OK && status == EX_OK)
			status = dm_exit_code(err);
		if (batch->n == BATCH_MAX || i + 1 == nfiles)
			if (batch_commit(ctx, batch, &p) != DM_OK)
				temp = 1;
	}
	if (store_in_transaction(ctx->st) && batch_commit(ctx, batch, &p) !=
	    DM_OK)
		temp = 1;
	free(batch);
	rc = finish(ctx, &p, temp, status);
	if (owned) {
		for (i = 0; i < nfiles; i++)
			free(files[i]);
		free(files);
	}
	return rc;
}
