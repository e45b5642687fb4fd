/*
 * json.c - helpers shared by the JSON views of the table modules.
 */
#include <stdio.h>
#include <sysexits.h>

#include "deskmail/clock.h"
#include "deskmail/json.h"

void
json_put_time(struct json_object *o, const char *key, time_t t)
{
	char iso[32];

	json_object_object_add(o, key, t ? json_object_new_string(
	    clock_format_iso(t, iso, sizeof(iso))) : NULL);
}

void
json_put_text(struct json_object *o, const char *key, struct dm_stmt *s,
    int col)
{
	const char *t = stmt_text(s, col);

	json_object_object_add(o, key, t ? json_object_new_string(t) : NULL);
}

const char *
json_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) || v == NULL)
		return "-";
	return json_object_get_string(v);
}

int
json_print(struct json_object *o)
{
	printf("%s\n", json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}
