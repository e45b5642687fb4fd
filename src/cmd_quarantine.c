/*
 * cmd_quarantine.c - `deskmail quarantine list|show|retry`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/ingest.h"
#include "deskmail/json.h"
#include "deskmail/people.h"
#include "deskmail/quarantine.h"

static struct json_object *
entry_json(const struct dm_quarantined *q)
{
	struct json_object *o = json_object_new_object();
	char iso[32];

#define S(k, v) json_object_object_add(o, k, (v) ? \
	json_object_new_string(v) : NULL)
	json_object_object_add(o, "id", json_object_new_int64(q->id));
	S("received", clock_format_iso(q->received, iso, sizeof(iso)));
	S("reason", q->reason);
	S("source", q->source);
	S("from", q->from);
	S("subject", q->subject);
	json_object_object_add(o, "size", json_object_new_int64(
	    (int64_t)q->size));
	json_object_object_add(o, "truncated",
	    json_object_new_boolean(q->truncated));
	S("released", q->released_at ? clock_format_iso(q->released_at, iso,
	    sizeof(iso)) : NULL);
	S("released_to", q->released_to);
#undef S
	return o;
}

static int
list(struct dm_ctx *ctx, int argc, char **argv)
{
	struct dm_quarantined *v;
	struct json_object *arr;
	int json = 0, all = 0, i, rc;
	size_t n, k;
	char iso[32];
	dm_err err;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (strcmp(argv[i], "--all") == 0)
			all = 1;
		else
			return ctx_usage(ctx, "list [--all] [--json]");
	}
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = quarantine_list(ctx->st, all, &v, &n)) != DM_OK)
		return ctx_fail(ctx, err);
	if (json) {
		arr = json_object_new_array();
		for (k = 0; k < n; k++)
			json_object_array_add(arr, entry_json(&v[k]));
		rc = json_print(arr);
		json_object_put(arr);
		quarantine_list_free(v, n);
		return rc;
	} else {
		printf("%-5s %-20s %-28s %s\n", "ID", "RECEIVED", "FROM",
		    "REASON");
		for (k = 0; k < n; k++)
			printf("%-5lld %-20s %-28s %s%s\n", (long long)v[k].id,
			    clock_format_iso(v[k].received, iso, sizeof(iso)),
			    v[k].from ? v[k].from : "-", v[k].reason,
			    v[k].released_at ? " (released)" : "");
	}
	quarantine_list_free(v, n);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

static int
parse_entry(struct dm_ctx *ctx, int argc, char **argv, int64_t *id)
{
	char *end;

	if (argc != 3)
		return ctx_usage(ctx, "show|retry N");
	*id = strtoll(argv[2], &end, 10);
	if (*argv[2] == '\0' || *end != '\0' || *id <= 0)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "'%s' is not a "
		    "quarantine entry number", argv[2]));
	return ctx_open(ctx, 0);
}

static int
show(struct dm_ctx *ctx, int argc, char **argv)
{
	struct dm_quarantined q;
	char *raw, iso[32];
	size_t len;
	int64_t id;
	dm_err err;
	int rc;

	if ((rc = parse_entry(ctx, argc, argv, &id)) != EX_OK)
		return rc;
	if ((err = quarantine_get(ctx->st, id, &q, &raw, &len)) != DM_OK)
		return ctx_fail(ctx, err);
	printf("Quarantined: %lld\nReceived: %s\nReason: %s\nSource: %s\n"
	    "From: %s\nSubject: %s\nSize: %zu%s\n", (long long)q.id,
	    clock_format_iso(q.received, iso, sizeof(iso)), q.reason,
	    q.source ? q.source : "-", q.from ? q.from : "-",
	    q.subject ? q.subject : "-", q.size,
	    q.truncated ? " (only the first part was kept)" : "");
	if (q.released_at)
		printf("Released: %s (%s)\n", clock_format_iso(q.released_at,
		    iso, sizeof(iso)), q.released_to ? q.released_to : "");
	printf("\n");
	fwrite(raw, 1, len, stdout);
	free(raw);
	quarantine_clear(&q);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

static int
retry(struct dm_ctx *ctx, int argc, char **argv)
{
	struct ingest_result res;
	struct dm_quarantined q;
	char *raw, line[400];
	size_t len;
	int64_t id;
	dm_err err;
	int rc;

	if ((rc = parse_entry(ctx, argc, argv, &id)) != EX_OK)
		return rc;
	if ((err = people_sync(ctx->st, ctx->cfg)) != DM_OK)
		return ctx_fail(ctx, err);
	if ((err = quarantine_get(ctx->st, id, &q, &raw, &len)) != DM_OK)
		return ctx_fail(ctx, err);
	if (q.truncated) {
		printf("quarantined %lld cannot be retried: only the first %zu "
		    "of its %zu bytes were kept; ask the sender to send it "
		    "again\n", (long long)id, len, q.size);
		free(raw);
		quarantine_clear(&q);
		return EX_DATAERR;
	}
	if (q.released_at) {
		printf("quarantined %lld was already released: %s\n",
		    (long long)id, q.released_to ? q.released_to : "");
		free(raw);
		quarantine_clear(&q);
		return EX_OK;
	}
	err = ingest_message(ctx->st, ctx->cfg, raw, len, q.size,
	    q.source ? q.source : "quarantine", id, &res);
	free(raw);
	quarantine_clear(&q);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	ingest_format(&res, line, sizeof(line));
	printf("%s\n", line);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* quarantine drop N [--as ADDR]: its bytes deleted, the row says so */
static int
drop(struct dm_ctx *ctx, int argc, char **argv)
{
	const char *as = NULL;
	char *actor;
	int64_t id;
	dm_err err;
	int rc;

	if (argc == 5 && strcmp(argv[3], "--as") == 0)
		as = argv[4];
	else if (argc != 3)
		return ctx_usage(ctx, "drop N [--as ADDR]");
	if ((rc = parse_entry(ctx, 3, argv, &id)) != EX_OK)
		return rc;
	actor = ctx_actor(as);
	err = quarantine_drop(ctx->st, id, actor, clock_now());
	free(actor);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	printf("quarantined %lld dropped\n", (long long)id);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int
cmd_quarantine(struct dm_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return show(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "retry") == 0)
		return retry(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "drop") == 0)
		return drop(ctx, argc, argv);
	return ctx_usage(ctx, "list [--all] [--json] | show N | retry N | "
	    "drop N [--as ADDR]");
}
