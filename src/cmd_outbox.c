/*
 * cmd_outbox.c - `deskmail outbox list`: what is queued, sent or failed.
 */
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "deskmail/cmd.h"
#include "deskmail/json.h"
#include "deskmail/outbox.h"

int
cmd_outbox(struct dm_ctx *ctx, int argc, char **argv)
{
	struct json_object *arr;
	int json = 0, rc;
	size_t i;
	dm_err err;

	if (argc < 2 || strcmp(argv[1], "list") != 0 || argc > 3 ||
	    (argc == 3 && strcmp(argv[2], "--json") != 0))
		return ctx_usage(ctx, "list [--json]");
	json = argc == 3;
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
