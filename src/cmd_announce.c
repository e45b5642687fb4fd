/*
 * cmd_announce.c - `deskmail announce`: a change or maintenance notice
 * to an audience of customers (announce.h), or the list of those sent.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "deskmail/announce.h"
#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/header.h"
#include "deskmail/json.h"
#include "deskmail/util.h"

#define USAGE	"--to all|agency:NAME|team:NAME|ticket-requesters:TEXT " \
	"--subject S [--dry-run] [--as ADDR]  (the text on stdin) | " \
	"list [--json]"

static int
list(struct dm_ctx *ctx, int argc, char **argv)
{
	struct json_object *arr;
	size_t i;
	int json = 0, rc;
	dm_err err;

	if (argc == 3 && strcmp(argv[2], "--json") == 0)
		json = 1;
	else if (argc != 2)
		return ctx_usage(ctx, "list [--json]");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	arr = json_object_new_array();
	if ((err = announce_list_json(ctx->st, arr)) != DM_OK) {
		json_object_put(arr);
		return ctx_fail(ctx, err);
	}
	if (json) {
		rc = json_print(arr);
		json_object_put(arr);
		return rc;
	}
	printf("%-4s %-20s %-6s %-6s %-7s %-6s %-24s %s\n", "ID", "CREATED",
	    "TO", "SENT", "WAITING", "FAILED", "AUDIENCE", "SUBJECT");
	for (i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *a = json_object_array_get_idx(arr, i);

		printf("%-4s %-20s %-6s %-6s %-7s %-6s %-24s %s\n",
		    json_str(a, "id"), json_str(a, "created"),
		    json_str(a, "recipients"), json_str(a, "sent"),
		    json_str(a, "waiting"), json_str(a, "failed"),
		    json_str(a, "to"), json_str(a, "subject"));
	}
	json_object_put(arr);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* The announcement's text from standard input: UTF-8, bounded, not empty. */
static dm_err
read_body(char **out)
{
	size_t len;
	dm_err err;

	*out = NULL;
	if (isatty(STDIN_FILENO))
		return dm_fail(DM_EUSAGE, "the text of the announcement comes "
		    "on standard input");
	if ((err = read_fd(STDIN_FILENO, ANNOUNCE_BODY_MAX, out, &len)) !=
	    DM_OK)
		return err == DM_ELIMIT ? dm_fail(err, "the text is longer "
		    "than %d bytes", ANNOUNCE_BODY_MAX) : err;
	if (strlen(*out) != len || !utf8_valid(*out, len))
		err = dm_fail(DM_EPARSE, "the text is not UTF-8 text (a NUL "
		    "byte, or bytes that are not UTF-8)");
	while (err == DM_OK && len > 0 && strchr(" \t\r\n", (*out)[len - 1]))
		(*out)[--len] = '\0';
	if (err == DM_OK && len == 0)
		err = dm_fail(DM_EUSAGE, "the text of the announcement is empty");
	if (err != DM_OK) {
		free(*out);
		*out = NULL;
	}
	return err;
}

static void
print_left(const struct announce_list *l)
{
	size_t i;

	for (i = 0; i < l->nleft; i++)
		printf("# left out: %s (%s)\n", l->left[i], l->why[i]);
}

int
cmd_announce(struct dm_ctx *ctx, int argc, char **argv)
{
	struct announce_audience aud;
	struct announce_list l;
	const char *to = NULL, *subject_arg = NULL, *as = NULL;
	char *subject = NULL, *body = NULL, *actor = NULL, when[32];
	int dry = 0, i, rc;
	int64_t id;
	time_t now, last;
	dm_err err;

	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(ctx, argc, argv);
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--to") == 0 && i + 1 < argc)
			to = argv[++i];
		else if (strcmp(argv[i], "--subject") == 0 && i + 1 < argc)
			subject_arg = argv[++i];
		else if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(argv[i], "--dry-run") == 0)
			dry = 1;
		else
			return ctx_usage(ctx, USAGE);
	}
	if (to == NULL || subject_arg == NULL)
		return ctx_usage(ctx, USAGE);
	if ((err = announce_audience_parse(to, &aud)) != DM_OK)
		return ctx_fail(ctx, err);
	/* what the Subject field will carry (header.c writes it) */
	subject = header_clean(subject_arg);
	if (*subject == '\0')
		err = dm_fail(DM_EUSAGE, "--subject is empty");
	else if (strlen(subject) > ANNOUNCE_SUBJECT_MAX)
		err = dm_fail(DM_EUSAGE, "--subject is longer than %d bytes",
		    ANNOUNCE_SUBJECT_MAX);
	if (err == DM_OK)
		err = read_body(&body);
	if (err != DM_OK) {
		rc = ctx_fail(ctx, err);
		goto out;
	}
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		goto out;
	now = clock_now();
	if ((err = dry ? store_begin_read(ctx->st) : store_begin(ctx->st)) !=
	    DM_OK) {
		rc = ctx_fail(ctx, err);
		goto out;
	}
	if ((err = announce_select(ctx->st, ctx->cfg, &aud, now, &l)) !=
	    DM_OK) {
		store_rollback(ctx->st);
		rc = ctx_fail(ctx, err);
		goto out;
	}
	if (dry) {
		store_rollback(ctx->st);
		for (i = 0; (size_t)i < l.n; i++)
			printf("%s\n", l.addr[i]);
		print_left(&l);
		printf("# %zu recipient%s; dry run: nothing queued\n", l.n,
		    l.n == 1 ? "" : "s");
		announce_list_free(&l);
		rc = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		goto out;
	}
	if (l.n == 0)
		err = dm_fail(DM_ESTATE, "--to %s reaches nobody; nothing "
		    "queued", to);
	actor = ctx_actor(as);
	if (err == DM_OK)
		err = announce_queue(ctx->st, ctx->cfg, actor, to, subject,
		    body, &l, now, &id, &last);
	if (err == DM_OK)
		err = store_commit(ctx->st);
	else
		store_rollback(ctx->st);
	if (err != DM_OK) {
		announce_list_free(&l);
		rc = ctx_fail(ctx, err);
		goto out;
	}
	print_left(&l);
	printf("announcement %lld: %zu mail%s queued, at most %ld an hour; "
	    "the last is due at %s\n", (long long)id, l.n, l.n == 1 ? "" : "s",
	    ctx->cfg->announce_per_hour, clock_format_iso(last, when,
	    sizeof(when)));
	announce_list_free(&l);
	rc = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
out:
	announce_audience_clear(&aud);
	free(subject);
	free(body);
	free(actor);
	return rc;
}
