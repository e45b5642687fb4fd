/*
 * cmd_directory.c - `deskmail directory import|export|list|lookup`.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <json-c/json.h>

#include "deskmail/cmd.h"
#include "deskmail/directory.h"
#include "deskmail/json.h"

static const char usage[] = "import FILE.csv | export | list [--json] | "
    "lookup ADDRESS";

/* A JSON array of strings as "a, b" (or "-"). */
static void
print_list(const char *label, struct json_object *arr)
{
	size_t i, n = json_object_array_length(arr);

	printf("  %-11s", label);
	for (i = 0; i < n; i++)
		printf("%s%s", i ? ", " : "",
		    json_object_get_string(json_object_array_get_idx(arr, i)));
	printf("%s\n", n ? "" : "-");
}

static int
list(struct dm_ctx *ctx, int json)
{
	struct json_object *out = json_object_new_object(), *arr, *o, *v;
	size_t i;
	dm_err err;
	int rc;

	if ((err = directory_json(ctx->st, ctx->cfg, out)) != DM_OK) {
		json_object_put(out);
		return ctx_fail(ctx, err);
	}
	if (json) {
		rc = json_print(out);
		json_object_put(out);
		return rc;
	}
	json_object_object_get_ex(out, "agencies", &arr);
	for (i = 0; i < json_object_array_length(arr); i++) {
		o = json_object_array_get_idx(arr, i);
		printf("agency %s  %s\n", json_str(o, "name"),
		    json_str(o, "title"));
		json_object_object_get_ex(o, "senders", &v);
		print_list("senders", v);
		json_object_object_get_ex(o, "notify", &v);
		print_list("notify", v);
		json_object_object_get_ex(o, "escalate", &v);
		print_list("escalate", v);
		printf("  %-11s%s\n", "bill to", json_str(o, "bill_to"));
		printf("  %-11s%s\n", "fte", json_str(o, "fte"));
		/* a language of its own only (the rest: their mail's) */
		if (*json_str(o, "lang") != '\0')
			printf("  %-11s%s\n", "lang", json_str(o, "lang"));
	}
	json_object_object_get_ex(out, "teams", &arr);
	for (i = 0; i < json_object_array_length(arr); i++) {
		o = json_object_array_get_idx(arr, i);
		printf("team %s  %s\n", json_str(o, "name"),
		    json_str(o, "address"));
		json_object_object_get_ex(o, "members", &v);
		print_list("on call", v);
		json_object_object_get_ex(o, "escalation", &v);
		print_list("escalation", v);
		printf("  %-11s%s\n", "sla policy", json_str(o, "sla_policy"));
	}
	json_object_put(out);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int
cmd_directory(struct dm_ctx *ctx, int argc, char **argv)
{
	size_t nagencies, nsenders;
	char *agency;
	dm_err err;
	int rc;

	if (argc < 2)
		return ctx_usage(ctx, usage);
	if (!(strcmp(argv[1], "import") == 0 && argc == 3) &&
	    !(strcmp(argv[1], "export") == 0 && argc == 2) &&
	    !(strcmp(argv[1], "list") == 0 && (argc == 2 || (argc == 3 &&
	    strcmp(argv[2], "--json") == 0))) &&
	    !(strcmp(argv[1], "lookup") == 0 && argc == 3))
		return ctx_usage(ctx, usage);
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if (strcmp(argv[1], "import") == 0) {
		if ((err = directory_import(ctx->st, argv[2], &nagencies,
		    &nsenders)) != DM_OK)
			return ctx_fail(ctx, err);
		printf("imported %zu agenc%s, %zu sender%s\n", nagencies,
		    nagencies == 1 ? "y" : "ies", nsenders,
		    nsenders == 1 ? "" : "s");
	} else if (strcmp(argv[1], "export") == 0) {
		if ((err = directory_export(ctx->st, stdout)) != DM_OK)
			return ctx_fail(ctx, err);
	} else if (strcmp(argv[1], "list") == 0)
		return list(ctx, argc == 3);
	else {
		if ((err = directory_lookup(ctx->st, argv[2], &agency)) != DM_OK)
			return ctx_fail(ctx, err);
		if (agency == NULL)
			return ctx_fail(ctx, dm_fail(DM_ENOTFOUND, "no agency for "
			    "%s", argv[2]));
		printf("%s\n", agency);
		free(agency);
	}
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
