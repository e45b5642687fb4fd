/*
 * notice.c - variables for the notice templates.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/clock.h"
#include "deskmail/notice.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

enum auto_submitted
notice_auto_submitted(const char *template)
{
	static const char *const human[] = { "staff_reply", "pending",
	    "resolution", NULL };
	static const char *const replies[] = { "ack", "transferred", NULL };
	size_t i;

	for (i = 0; human[i] != NULL; i++)
		if (strcmp(template, human[i]) == 0)
			return AS_NONE;
	for (i = 0; replies[i] != NULL; i++)
		if (strcmp(template, replies[i]) == 0)
			return AS_AUTO_REPLIED;
	return AS_AUTO_GENERATED;
}

static const char sql_history[] =
    "SELECT received, from_addr, from_name, kind, new_text, body"
    " FROM messages WHERE ticket_id = ?1 AND kind IN ('customer', 'staff')"
    " ORDER BY id";

dm_err
notice_history(struct dm_store *st, int64_t ticket, char **out)
{
	sqlite3_stmt *s = store_stmt(st, sql_history);
	struct buf b;
	char iso[32];
	dm_err err = DM_OK;
	int rc;

	*out = NULL;
	if (s == NULL)
		return store_error(st, "messages");
	buf_init(&b);
	buf_add(&b, "", 0);
	sqlite3_bind_int64(s, 1, ticket);
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *text = (const char *)sqlite3_column_text(s, 4);

		if (text == NULL || *text == '\0')
			text = (const char *)sqlite3_column_text(s, 5);
		buf_addf(&b, "%s--- %s, %s (%s):\n%s\n", b.len ? "\n" : "",
		    clock_format_iso((time_t)sqlite3_column_int64(s, 0), iso,
		    sizeof(iso)), sqlite3_column_text(s, 1) ?
		    (const char *)sqlite3_column_text(s, 1) : "?",
		    (const char *)sqlite3_column_text(s, 3), text ? text : "");
	}
	if (rc != SQLITE_DONE)
		err = store_error(st, "messages");
	sqlite3_reset(s);
	if (err != DM_OK) {
		buf_free(&b);
		return err;
	}
	*out = buf_release(&b);
	return DM_OK;
}

static void
set_url(struct tvars *v, const struct dm_config *cfg, const char *name,
    const char *path, int64_t ticket)
{
	const char *base = cfg->base_url;
	size_t n = strlen(base);
	char *url = xasprintf("%s%s%s/%lld", base, n && base[n - 1] == '/' ?
	    "" : "/", path, (long long)ticket);

	tvars_set(v, name, url);
	free(url);
}

dm_err
notice_vars(struct dm_store *st, const struct dm_config *cfg, int64_t ticket,
    const char *params, struct tvars *v)
{
	struct json_object *p;
	struct dm_ticket t;
	char num[32], iso[32], *history;
	dm_err err;
	int i;

	tvars_set(v, "organisation", cfg->organisation);
	tvars_set(v, "help_address", cfg->address);
	tvars_set(v, "tag", cfg->tag);
	tvars_set(v, "base_url", cfg->base_url);
	/* values a notice's params may replace */
	tvars_set(v, "author", cfg->organisation);
	tvars_set(v, "message", "");
	tvars_set(v, "team", "");
	tvars_set(v, "sla.target", "");
	tvars_set(v, "sla.due", "");
	tvars_set(v, "sla.late", "");
	if (ticket > 0) {
		if ((err = ticket_get(st, ticket, &t)) != DM_OK)
			return err;
		snprintf(num, sizeof(num), "%lld", (long long)t.id);
		tvars_set(v, "ticket.id", num);
		tvars_set(v, "ticket.subject", t.subject);
		tvars_set(v, "ticket.status", t.status);
		snprintf(num, sizeof(num), "%d", t.severity);
		tvars_set(v, "ticket.severity", t.severity ? num : "not set");
		tvars_set(v, "ticket.team", t.team ? t.team : "none");
		tvars_set(v, "ticket.assignee", t.assignee ? t.assignee :
		    "nobody yet");
		tvars_set(v, "ticket.created", clock_format_iso(t.created, iso,
		    sizeof(iso)));
		tvars_set(v, "requester.name", t.requester_name &&
		    *t.requester_name ? t.requester_name : t.requester);
		tvars_set(v, "requester.address", t.requester);
		tvars_set(v, "team", t.team ? t.team : "");
		ticket_clear(&t);
		/* the link pages come with signed tokens (web.c) */
		set_url(v, cfg, "status_url", "t", ticket);
		set_url(v, cfg, "accept_url", "accept", ticket);
		set_url(v, cfg, "notfixed_url", "notfixed", ticket);
		for (i = 1; i <= 5; i++) {
			char name[16], path[16];

			snprintf(name, sizeof(name), "survey_url_%d", i);
			snprintf(path, sizeof(path), "survey/%d", i);
			set_url(v, cfg, name, path, ticket);
		}
		if ((err = notice_history(st, ticket, &history)) != DM_OK)
			return err;
		tvars_set(v, "history", history);
		free(history);
	}
	if (params != NULL && *params != '\0') {
		if ((p = json_tokener_parse(params)) == NULL ||
		    !json_object_is_type(p, json_type_object)) {
			json_object_put(p);
			return dm_fail(DM_EPARSE, "outbox params are not a JSON "
			    "object");
		}
		json_object_object_foreach(p, key, val)
			tvars_set(v, key, json_object_get_string(val));
		json_object_put(p);
	}
	return DM_OK;
}
