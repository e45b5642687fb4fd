/*
 * json.h - small helpers for the --json views (json-c).
 */
#ifndef DESKMAIL_JSON_H
#define DESKMAIL_JSON_H

#include <time.h>

#include <json-c/json.h>

#include "deskmail/store.h"

/* key: the time as "2026-03-02T09:15:00Z", or null for 0. */
void	json_put_time(struct json_object *o, const char *key, time_t t);

/* key: text column col of the current row, or null. */
void	json_put_text(struct json_object *o, const char *key, struct dm_stmt *s,
	    int col);

/* The string value of key, or "-" when absent or null (for text output). */
const char *json_str(struct json_object *o, const char *key);

/* Print o, pretty, on stdout; returns an exit status (EX_IOERR on failure). */
int	json_print(struct json_object *o);

#endif
