/*
 * cmd_outbox.c - `deskmail outbox`: what is queued, sent or failed, and
 * the admin's hand on it (as postqueue/postsuper): show one mail as it
 * goes out, retry failed ones, cancel one.  Each change is an event of
 * the mail's ticket.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/json.h"
#include "deskmail/outbox.h"
#include "deskmail/send.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

#define USAGE	"list [--json] | show ID | retry ID|--failed [--as ADDR] | " \
	"cancel ID [--as ADDR]"

static int
list(struct dm_ctx *ctx, int json)
{
	struct json_object *arr;
	int rc;
	size_t i;
	dm_err err;

	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	arr = json_object_new_array();
	if ((err = outbox_list_json(ctx->st, 0, arr)) != DM_OK) {
		json_object_put(arr);
		return ctx_fail(ctx, err);
	}
	if (json)
		rc = json_print(arr);
	else {
		printf("%-6s %-7s %-16s %-30s %-8s %s\n", "ID", "TICKET",
		    "TEMPLATE", "TO", "STATUS", "CREATED");
		for (i = 0; i < json_object_array_length(arr); i++) {
			struct json_object *o = json_object_array_get_idx(arr, i);

			printf("%-6s %-7s %-16s %-30s %-8s %s\n",
			    json_str(o, "id"), json_str(o, "ticket"),
			    json_str(o, "template"), json_str(o, "to"),
			    json_str(o, "status"), json_str(o, "created"));
		}
	}
	json_object_put(arr);
	return json ? rc : (fflush(stdout) == 0 ? EX_OK : EX_IOERR);
}

/* A mail id as given on the command line. */
static int
mail_id(const char *s, int64_t *id)
{
	char *end;
	long long v = strtoll(s, &end, 10);

	*id = v;
	return *s != '\0' && *end == '\0' && v > 0;
}

/* outbox show ID: the mail as it goes out; nothing changes. */
static int
show(struct dm_ctx *ctx, int64_t id)
{
	char *data;
	size_t len;
	int rc;
	dm_err err;

	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	/* rendering a digest seals it: read inside a transaction undone */
	if ((err = store_begin(ctx->st)) != DM_OK)
		return ctx_fail(ctx, err);
	err = send_render(ctx->st, ctx->cfg, id, clock_now(), &data, &len);
	store_rollback(ctx->st);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	rc = fwrite(data, 1, len, stdout) == len && fflush(stdout) == 0 ?
	    EX_OK : EX_IOERR;
	free(data);
	return rc;
}

/* retry or cancel one mail, and the event on its ticket */
static dm_err
act(struct dm_ctx *ctx, int64_t id, int cancel, const char *actor,
    time_t now)
{
	struct dm_outbox_row r;
	char *status, *detail, *why;
	dm_err err;

	if ((err = outbox_get(ctx->st, id, &r, &status)) != DM_OK)
		return err;
	free(status);
	why = xasprintf("cancelled by %s", actor);
	err = cancel ? outbox_cancel(ctx->st, id, now, why) :
	    outbox_requeue(ctx->st, id, now);
	free(why);
	if (err == DM_OK && r.ticket > 0) {
		detail = xasprintf("mail %lld (%s to %s) %s", (long long)id,
		    r.template, r.recipient, cancel ? "cancelled" :
		    "queued again after it failed");
		err = event_add(ctx->st, r.ticket, now, actor, cancel ?
		    "outbox_cancel" : "outbox_retry", detail);
		free(detail);
	}
	outbox_row_clear(&r);
	return err;
}

static int
change(struct dm_ctx *ctx, int argc, char **argv, int cancel)
{
	const char *as = NULL, *which = NULL;
	int64_t *ids = NULL, one = 0;
	size_t n = 0, i;
	time_t now;
	char *actor;
	int k, all = 0, rc;
	dm_err err;

	for (k = 2; k < argc; k++) {
		if (strcmp(argv[k], "--as") == 0 && k + 1 < argc)
			as = argv[++k];
		else if (!cancel && strcmp(argv[k], "--failed") == 0)
			all = 1;
		else if (which == NULL && argv[k][0] != '-')
			which = argv[k];
		else
			return ctx_usage(ctx, USAGE);
	}
	if ((which == NULL) == !all || (which != NULL && !mail_id(which,
	    &one)))
		return ctx_usage(ctx, USAGE);
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	now = clock_now();
	actor = ctx_actor(as);
	if ((err = store_begin(ctx->st)) != DM_OK) {
		free(actor);
		return ctx_fail(ctx, err);
	}
	if (all)
		err = outbox_failed_ids(ctx->st, &ids, &n);
	else {
		ids = xmalloc(sizeof(*ids));
		ids[0] = one;
		n = 1;
	}
	for (i = 0; i < n && err == DM_OK; i++)
		err = act(ctx, ids[i], cancel, actor, now);
	if (err == DM_OK)
		err = store_commit(ctx->st);
	if (err != DM_OK) {
		store_rollback(ctx->st);
		free(ids);
		free(actor);
		return ctx_fail(ctx, err);
	}
	if (all)
		printf("%zu failed mail%s queued again\n", n, n == 1 ? "" :
		    "s");
	else
		printf("mail %lld %s\n", (long long)one, cancel ? "cancelled" :
		    "queued again");
	free(ids);
	free(actor);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int
cmd_outbox(struct dm_ctx *ctx, int argc, char **argv)
{
	int64_t id;

	if (argc >= 2 && strcmp(argv[1], "list") == 0 && (argc == 2 ||
	    (argc == 3 && strcmp(argv[2], "--json") == 0)))
		return list(ctx, argc == 3);
	if (argc == 3 && strcmp(argv[1], "show") == 0 && mail_id(argv[2], &id))
		return show(ctx, id);
	if (argc >= 3 && strcmp(argv[1], "retry") == 0)
		return change(ctx, argc, argv, 0);
	if (argc >= 3 && strcmp(argv[1], "cancel") == 0)
		return change(ctx, argc, argv, 1);
	return ctx_usage(ctx, USAGE);
}
