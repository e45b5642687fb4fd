/*
 * cmd_status.c - `deskmail status [--json | --format FORMAT]`: what an
 * admin checks first, for people, scripts (json) or Prometheus.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/json.h"
#include "deskmail/metrics.h"
#include "deskmail/status.h"

static void
print_text(struct json_object *o)
{
	struct json_object *v, *m, *w;
	struct json_object_iterator it, end;
	size_t i;

	printf("deskmail status at %s\n", json_str(o, "now"));
	printf("%-12s", "tickets");
	json_object_object_get_ex(o, "tickets", &v);
	it = json_object_iter_begin(v);
	end = json_object_iter_end(v);
	for (i = 0; !json_object_iter_equal(&it, &end); i++,
	    json_object_iter_next(&it))
		printf("%s%s %s", i ? ", " : "", json_object_iter_peek_name(&it),
		    json_object_get_string(json_object_iter_peek_value(&it)));
	printf("%s\n", i ? "" : "none");
	json_object_object_get_ex(o, "outbox", &v);
	printf("%-12squeued %s (oldest %s), failed %s\n", "outbox",
	    json_str(v, "queued"), json_str(v, "oldest_queued"),
	    json_str(v, "failed"));
	json_object_object_get_ex(o, "quarantine", &v);
	printf("%-12sheld %s (oldest %s)\n", "quarantine", json_str(v, "held"),
	    json_str(v, "oldest"));
	json_object_object_get_ex(o, "sla", &v);
	printf("%-12stimers due %s (oldest %s)\n", "sla",
	    json_str(v, "timers_due"), json_str(v, "oldest_due"));
	json_object_object_get_ex(o, "mailboxes", &v);
	for (i = 0; i < json_object_array_length(v); i++) {
		m = json_object_array_get_idx(v, i);
		printf("%-12s%s: last fetch %s, last uid %s", i ? "" :
		    "mailboxes", json_str(m, "name"), json_str(m, "last_fetch"),
		    json_str(m, "last_uid"));
		/* several deskmails on one PostgreSQL store: who watches it */
		if (json_object_object_get_ex(m, "watched_by", &w))
			printf(", watched by %s", w != NULL ?
			    json_object_get_string(w) : "nobody");
		printf("\n");
	}
	json_object_object_get_ex(o, "run", &v);
	printf("%-12s%s (%s)%s\n", "run", json_str(v, "state"),
	    json_str(v, "ingest_socket"), strcmp(json_str(v, "state"),
	    "listening") == 0 ? "" : ": ingest stores by itself");
	json_object_object_get_ex(o, "lmtp", &v);
	if (strcmp(json_str(v, "state"), "off") != 0)
		printf("%-12s%s (%s)%s\n", "lmtp", json_str(v, "state"),
		    json_str(v, "listen"), strcmp(json_str(v, "state"),
		    "listening") == 0 ? "" : ": the MTA keeps its mail until "
		    "run is up");
	json_object_object_get_ex(o, "attention", &v);
	for (i = 0; i < json_object_array_length(v); i++)
		printf("%s%s\n", i ? "            " : "attention   ",
		    json_object_get_string(json_object_array_get_idx(v, i)));
	if (json_object_array_length(v) == 0)
		printf("%-12snothing\n", "attention");
}

/* --format prometheus: the metrics, for node_exporter's textfile collector
 * (the web's request counts are the web process's: not here) */
static int
print_metrics(struct dm_ctx *ctx)
{
	struct buf b;
	dm_err err;
	int rc;

	buf_init(&b);
	if ((err = metrics_text(ctx->st, ctx->cfg, clock_now(), NULL, 0, &b)) !=
	    DM_OK) {
		buf_free(&b);
		return ctx_fail(ctx, err);
	}
	rc = fwrite(b.data, 1, b.len, stdout) == b.len && fflush(stdout) == 0 ?
	    EX_OK : EX_IOERR;
	buf_free(&b);
	return rc;
}

int
cmd_status(struct dm_ctx *ctx, int argc, char **argv)
{
	struct json_object *o;
	const char *format = "text";
	int rc;
	dm_err err;

	if (argc == 2 && strcmp(argv[1], "--json") == 0)
		format = "json";
	else if (argc == 3 && strcmp(argv[1], "--format") == 0)
		format = argv[2];
	else if (argc != 1)
		return ctx_usage(ctx, "[--json | --format text|json|prometheus]");
	if (strcmp(format, "text") != 0 && strcmp(format, "json") != 0 &&
	    strcmp(format, "prometheus") != 0)
		return ctx_usage(ctx, "[--json | --format text|json|prometheus]");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if (strcmp(format, "prometheus") == 0)
		return print_metrics(ctx);
	o = json_object_new_object();
	if ((err = status_json(ctx->st, ctx->cfg, clock_now(), o)) != DM_OK) {
		json_object_put(o);
		return ctx_fail(ctx, err);
	}
	if (strcmp(format, "json") == 0)
		rc = json_print(o);
	else {
		print_text(o);
		rc = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	json_object_put(o);
	return rc;
}
