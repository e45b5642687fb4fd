/*
 * notice.c - variables for the notice templates.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/announce.h"
#include "deskmail/clock.h"
#include "deskmail/commands.h"
#include "deskmail/directory.h"
#include "deskmail/lang.h"
#include "deskmail/notice.h"
#include "deskmail/queue.h"
#include "deskmail/requests.h"
#include "deskmail/sla_policy.h"
#include "deskmail/ticket.h"
#include "deskmail/token.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

enum auto_submitted
notice_auto_submitted(const char *template)
{
	static const char *const human[] = { "staff_reply", "pending",
	    "resolution", "resolution_cc", NULL };
	static const char *const replies[] = { "ack", "transferred",
	    "reopened_customer", "ack_linked", "command_failed", NULL };
	size_t i;

	for (i = 0; human[i] != NULL; i++)
		if (strcmp(template, human[i]) == 0)
			return AS_NONE;
	for (i = 0; replies[i] != NULL; i++)
		if (strcmp(template, replies[i]) == 0)
			return AS_AUTO_REPLIED;
	return AS_AUTO_GENERATED;
}

int
notice_to_staff(const char *template)
{
	static const char *const staff[] = { "new_ticket", "customer_reply",
	    "reopened", "assigned", "transfer", "sla_escalation",
	    "survey_answer", NULL };
	size_t i;

	for (i = 0; staff[i] != NULL; i++)
		if (strcmp(template, staff[i]) == 0)
			return 1;
	return 0;
}

static const struct dm_sql sql_history = SQL(
    "SELECT received, from_addr, from_name, kind, new_text, body"
    " FROM messages WHERE ticket_id = ?1 AND kind IN ('customer', 'staff')"
    " ORDER BY id");

dm_err
notice_history(struct dm_store *st, const struct dm_config *cfg,
    int64_t ticket, const char *tz, const char *lang, char **out)
{
	struct dm_stmt *s = store_stmt(st, &sql_history);
	struct buf b;
	char when[96];
	dm_err err = DM_OK;
	int rc;

	*out = NULL;
	if (s == NULL)
		return store_error(st, "messages");
	buf_init(&b);
	buf_add(&b, "", 0);
	stmt_bind_int64(s, 1, ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		const char *text = stmt_text(s, 4);
		const char *kind = stmt_text(s, 3);
		struct commands c;

		if (text == NULL || *text == '\0')
			text = stmt_text(s, 5);
		/* a staff reply as the customer got it: no command lines */
		commands_parse(text ? text : "", &c);
		buf_addf(&b, "%s--- %s, %s (%s):\n%s\n", b.len ? "\n" : "",
		    lang_time(cfg, lang, (time_t)stmt_int64(s, 0),
		    tz, when, sizeof(when)), stmt_text(s, 1) ?
		    stmt_text(s, 1) : "?",
		    strcmp(kind, "staff") == 0 ? lang_word(cfg, lang,
		    "history.staff", "staff") : lang_word(cfg, lang,
		    "history.customer", "customer"),
		    strcmp(kind, "staff") == 0 ? c.text : (text ? text : ""));
		commands_free(&c);
	}
	if (rc != STMT_DONE)
		err = store_error(st, "messages");
	stmt_reset(s);
	if (err != DM_OK) {
		buf_free(&b);
		return err;
	}
	*out = buf_release(&b);
	return DM_OK;
}

/* The key, read once per process (a key rotation restarts services). */
static dm_err
link_key(const struct dm_config *cfg, unsigned char key[32])
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	static unsigned char cached[32];
	static int loaded;
	dm_err err = DM_OK;

	pthread_mutex_lock(&lock);
	if (!loaded && (err = token_key_load(cfg, cached)) == DM_OK)
		loaded = 1;
	if (loaded)
		memcpy(key, cached, 32);
	pthread_mutex_unlock(&lock);
	return err;
}

dm_err
notice_key(const struct dm_config *cfg, unsigned char key[32])
{
	return link_key(cfg, key);
}

char *
notice_url(const struct dm_config *cfg, const char *path)
{
	const char *base = cfg->base_url;
	size_t n = strlen(base);

	return xasprintf("%s%s%s", base, n && base[n - 1] == '/' ? "" : "/",
	    path);
}

char *
notice_link(const struct dm_config *cfg, const unsigned char key[32],
    const struct token *t)
{
	char tok[TOKEN_LEN], path[TOKEN_LEN + 2];

	token_make(key, t, tok);
	snprintf(path, sizeof(path), "l/%s", tok);
	return notice_url(cfg, path);
}

static void
set_link(struct tvars *v, const struct dm_config *cfg,
    const unsigned char key[32], const char *name, enum token_purpose p,
    const struct dm_ticket *t, int rating, time_t now)
{
	struct token tk;
	char *url;

	memset(&tk, 0, sizeof(tk));
	tk.purpose = p;
	tk.ticket = t->id;
	/* a status page shows whatever the state is; the rest expire with it */
	tk.version = p == TOK_STATUS ? 0 : t->version;
	tk.expires = now + (p == TOK_STATUS ? 365 : cfg->link_days) * 86400;
	tk.rating = rating;
	url = notice_link(cfg, key, &tk);
	tvars_set(v, name, url);
	free(url);
}

static void
set_requests_url(struct tvars *v, const struct dm_config *cfg,
    const unsigned char key[32], const char *address, time_t now)
{
	char *url = requests_url(cfg, key, address, now);

	/* an address no link can carry gets none (never another's) */
	tvars_set(v, "requests_url", url ? url : "");
	free(url);
}

dm_err
notice_recipient_vars(struct tvars *v, const struct dm_config *cfg,
    const char *address)
{
	unsigned char key[32];
	const char *req = tvars_get(v, "requester.address");
	const char *lang = tvars_get(v, "lang");
	char *hello;
	dm_err err;

	if ((err = link_key(cfg, key)) != DM_OK)
		return err;
	set_requests_url(v, cfg, key, address, clock_now());
	explicit_bzero(key, sizeof(key));
	/* a participant is not greeted with the requester's name */
	hello = req != NULL && strcasecmp(req, address) == 0 ?
	    lang_say(cfg, lang, "hello_name", "Hello {name},", "name",
	    tvars_get(v, "requester.name"), (const char *)NULL) :
	    xstrdup(lang_word(cfg, lang, "hello", "Hello,"));
	tvars_set(v, "hello", hello);
	free(hello);
	return DM_OK;
}

/*
 * The policy a ticket's timers follow, by sla.c's rule: the ticket's
 * own, else its team's, else [sla] policy; one that is not configured
 * (any more) is [sla] policy.
 */
static const struct sla_policy *
ticket_policy(const struct dm_config *cfg, const struct dm_ticket *t)
{
	const struct dm_team *team;
	const struct sla_policy *p;
	const char *name = cfg->sla_policy;

	if (t != NULL && t->sla_policy != NULL)
		name = t->sla_policy;
	else if (t != NULL && t->team != NULL &&
	    (team = config_team(cfg, t->team)) != NULL &&
	    team->sla_policy != NULL)
		name = team->sla_policy;
	p = config_sla_policy(cfg, name);
	return p ? p : config_sla_policy(cfg, cfg->sla_policy);
}

const char *
notice_timezone(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, char *buf, size_t len)
{
	const struct sla_policy *p;
	struct dm_agency a;
	int found = 0;

	/* a directory that cannot be read now: the next step still holds */
	if (st != NULL && t != NULL && t->agency != NULL &&
	    directory_agency(st, t->agency, &a) == DM_OK) {
		if (a.timezone != NULL && *a.timezone != '\0' &&
		    zone_check(a.timezone) == DM_OK) {
			snprintf(buf, len, "%s", a.timezone);
			found = 1;
		}
		directory_agency_clear(&a);
		if (found)
			return buf;
	}
	if ((p = ticket_policy(cfg, t)) != NULL && p->timezone != NULL)
		snprintf(buf, len, "%s", p->timezone);
	else
		snprintf(buf, len, "%s", cfg->timezone[0] != '\0' ?
		    cfg->timezone : cfg->sla_timezone);
	return buf;
}

const char *
notice_lang(const struct dm_config *cfg, const struct dm_ticket *t,
    char buf[LANG_LEN])
{
	return lang_pick(cfg, t != NULL ? t->lang : NULL, buf);
}

void
notice_zone_vars(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, struct tvars *v)
{
	const char *lang = tvars_get(v, "lang");
	char tz[ZONE_NAME_LEN], when[96];

	notice_timezone(st, cfg, t, tz, sizeof(tz));
	tvars_set(v, "ticket.timezone", tz);
	tvars_set(v, "now", lang_time(cfg, lang, clock_now(), tz, when,
	    sizeof(when)));
	if (t != NULL)
		tvars_set(v, "ticket.created", lang_time(cfg, lang, t->created,
		    tz, when, sizeof(when)));
}

const char *
notice_status_text(const struct dm_config *cfg, const char *lang,
    const char *status)
{
	char key[48];

	snprintf(key, sizeof(key), "status.%s", status);
	return lang_word(cfg, lang, key, ticket_status_text(status));
}

void
notice_ticket_vars(const struct dm_config *cfg, const struct dm_ticket *t,
    struct tvars *v)
{
	const struct dm_queue *q = t != NULL ? config_queue(cfg, t->queue) :
	    NULL;
	char num[32], pick[LANG_LEN];
	const char *lang;

	tvars_set(v, "organisation", cfg->organisation);
	/* a queue's ticket is answered at its address, under its tag */
	tvars_set(v, "help_address", queue_address(cfg, q));
	tvars_set(v, "tag", queue_tag(cfg, q));
	tvars_set(v, "base_url", cfg->base_url);
	/* a caller that set no language writes in the ticket's */
	if ((lang = tvars_get(v, "lang")) == NULL) {
		tvars_set(v, "lang", notice_lang(cfg, t, pick));
		lang = tvars_get(v, "lang");
	}
	/* times in the policy's zone; notice_zone_vars() knows the agency
	 * (and a page's own vars, set first, stay) */
	if (t != NULL || tvars_get(v, "ticket.timezone") == NULL)
		notice_zone_vars(NULL, cfg, t, v);
	if (t == NULL)
		return;
	snprintf(num, sizeof(num), "%lld", (long long)t->id);
	tvars_set(v, "ticket.id", num);
	tvars_set(v, "ticket.subject", t->subject);
	tvars_set(v, "ticket.status", t->status);
	tvars_set(v, "ticket.status_text", notice_status_text(cfg, lang,
	    t->status));
	snprintf(num, sizeof(num), "%d", t->severity);
	tvars_set(v, "ticket.severity", t->severity ? num : lang_word(cfg,
	    lang, "severity.none", "not set"));
	tvars_set(v, "ticket.team", t->team ? t->team : lang_word(cfg, lang,
	    "team.none", "none"));
	tvars_set(v, "ticket.assignee", t->assignee ? t->assignee :
	    lang_word(cfg, lang, "assignee.none", "nobody yet"));
	tvars_set(v, "requester.name", t->requester_name &&
	    *t->requester_name ? t->requester_name : t->requester);
	tvars_set(v, "requester.address", t->requester);
	tvars_set(v, "team", t->team ? t->team : "");
}

void
notice_link_var(struct tvars *v, const struct dm_config *cfg,
    const unsigned char key[32], const char *name, int purpose,
    const struct dm_ticket *t, int rating)
{
	set_link(v, cfg, key, name, (enum token_purpose)purpose, t, rating,
	    clock_now());
}

/* The closed ticket a ticket continues (a late reply started it). */
static dm_err
linked_vars(struct dm_store *st, int64_t id, struct tvars *v)
{
	struct dm_ticket old;
	char num[32];
	dm_err err;

	if ((err = ticket_get(st, id, &old)) != DM_OK)
		return err;
	snprintf(num, sizeof(num), "%lld", (long long)id);
	tvars_set(v, "linked.id", num);
	tvars_set(v, "linked.subject", old.subject);
	ticket_clear(&old);
	return DM_OK;
}

dm_err
notice_vars(struct dm_store *st, const struct dm_config *cfg, int64_t ticket,
    const char *template, const char *params, struct tvars *v)
{
	struct dm_ticket t;
	char *history, tz[ZONE_NAME_LEN], lang[LANG_LEN];
	unsigned char lkey[32];
	time_t now;
	dm_err err;
	int i;

	/* staff read the shared templates, in LANG_SHARED; customers their
	 * ticket's language (none: [deskmail] language) */
	memset(&t, 0, sizeof(t));
	if (ticket > 0 && (err = ticket_get(st, ticket, &t)) != DM_OK)
		return err;
	if (template != NULL && template_shared(template))
		snprintf(lang, sizeof(lang), "%s", LANG_SHARED);
	else
		notice_lang(cfg, ticket > 0 ? &t : NULL, lang);
	tvars_set(v, "lang", lang);
	notice_ticket_vars(cfg, NULL, v);
	/* values a notice's params may replace */
	tvars_set(v, "author", cfg->organisation);
	tvars_set(v, "message", "");
	tvars_set(v, "team", "");
	tvars_set(v, "sla.target", "");
	tvars_set(v, "sla.due", "");
	tvars_set(v, "sla.late", "");
	tvars_set(v, "sla.known", "");
	tvars_set(v, "sla.next", "");
	tvars_set(v, "sla.action", "");
	tvars_set(v, "ticket.open_for", "");
	tvars_set(v, "rating", "");
	tvars_set(v, "digest.count", "");
	tvars_set(v, "digest.limit", "");
	tvars_set(v, "linked.id", "");
	tvars_set(v, "linked.subject", "");
	tvars_set(v, "reopen.how", "");
	tvars_set(v, "announce.subject", "");
	tvars_set(v, "attachments", "");	/* relay_files() sets it */
	tvars_set(v, "requests_url", "");
	/* notice_recipient_vars() sets the recipient's */
	tvars_set(v, "hello", lang_word(cfg, lang, "hello", "Hello,"));
	tvars_set(v, "merged.id", "");
	tvars_set(v, "merged.subject", "");
	tvars_set(v, "incident.id", "");
	tvars_set(v, "incident.subject", "");
	tvars_set(v, "sla.incident", "");
	if (ticket > 0) {
		notice_ticket_vars(cfg, &t, v);
		if (t.linked_ticket > 0 &&
		    (err = linked_vars(st, t.linked_ticket, v)) != DM_OK) {
			ticket_clear(&t);
			return err;
		}
		notice_zone_vars(st, cfg, &t, v);
		snprintf(tz, sizeof(tz), "%s", tvars_get(v, "ticket.timezone"));
		if ((err = link_key(cfg, lkey)) != DM_OK) {
			ticket_clear(&t);
			return err;
		}
		now = clock_now();
		set_link(v, cfg, lkey, "status_url", TOK_STATUS, &t, 0, now);
		set_link(v, cfg, lkey, "accept_url", TOK_ACCEPT, &t, 0, now);
		set_link(v, cfg, lkey, "notfixed_url", TOK_NOTFIXED, &t, 0, now);
		for (i = 1; i <= 5; i++) {
			char name[16];

			snprintf(name, sizeof(name), "survey_url_%d", i);
			set_link(v, cfg, lkey, name, TOK_SURVEY, &t, i, now);
		}
		/* the requester's; the sender puts the recipient's in */
		set_requests_url(v, cfg, lkey, t.requester, now);
		ticket_clear(&t);
		if ((err = notice_history(st, cfg, ticket, tz, lang,
		    &history)) != DM_OK)
			return err;
		tvars_set(v, "history", history);
		free(history);
	}
	if ((err = notice_params(params, v)) != DM_OK)
		return err;
	/* an announcement's subject and text are kept once, in its row */
	return announce_vars(st, v);
}

dm_err
notice_params(const char *params, struct tvars *v)
{
	struct json_object *p;

	if (params == NULL || *params == '\0')
		return DM_OK;
	if ((p = json_tokener_parse(params)) == NULL ||
	    !json_object_is_type(p, json_type_object)) {
		json_object_put(p);
		return dm_fail(DM_EPARSE, "outbox params are not a JSON object");
	}
	json_object_object_foreach(p, key, val)
		tvars_set(v, key, json_object_get_string(val));
	json_object_put(p);
	return DM_OK;
}
