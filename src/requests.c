/*
 * requests.c - "my requests": one mail address's open and recently
 * closed requests, for the page behind the link in every customer mail.
 *
 * The link carries the address (token.h); the page lists the tickets
 * whose requester it is, and only those.  Each is a fragment template
 * (templates/page_requests_item.html) with every value HTML-escaped and
 * a fresh status link of its own; times are in the zone of each
 * ticket's people (notice_timezone()).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/clock.h"
#include "deskmail/notice.h"
#include "deskmail/requests.h"
#include "deskmail/ticket.h"
#include "deskmail/token.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

char *
requests_url(const struct dm_config *cfg, const unsigned char key[32],
    const char *address, time_t now)
{
	char tok[TOKEN_ADDR_LEN], *lower, *path, *url;
	dm_err err;

	lower = str_lower(xstrdup(address));
	err = token_make_address(key, lower, now + REQUESTS_LINK_DAYS * 86400,
	    tok);
	free(lower);
	if (err != DM_OK)
		return NULL;
	path = xasprintf("r/%s", tok);
	url = notice_url(cfg, path);
	free(path);
	return url;
}

/* One request, rendered, onto out. */
static dm_err
item(struct dm_store *st, const struct dm_config *cfg,
    const unsigned char key[32], const struct dm_ticket *t, const char *lang,
    struct buf *out)
{
	char tz[ZONE_NAME_LEN], when[96], iso[32], num[32], *url, *html;
	struct token tk;
	struct tvars v;
	dm_err err;

	notice_timezone(st, cfg, t, tz, sizeof(tz));
	memset(&tk, 0, sizeof(tk));
	tk.purpose = TOK_STATUS;
	tk.ticket = t->id;
	tk.expires = clock_now() + 365 * 86400;	/* as in the mail */
	url = notice_link(cfg, key, &tk);
	tvars_init(&v);
	tvars_set(&v, "lang", lang);
	snprintf(num, sizeof(num), "%lld", (long long)t->id);
	tvars_set(&v, "item.id", num);
	tvars_set(&v, "item.subject", t->subject);
	tvars_set(&v, "item.status", notice_status_text(cfg, lang, t->status));
	tvars_set(&v, "item.url", url);
	tvars_set(&v, "item.opened", lang_time(cfg, lang, t->created, tz, when,
	    sizeof(when)));
	tvars_set(&v, "item.opened_iso", clock_format_iso(t->created, iso,
	    sizeof(iso)));
	tvars_set(&v, "item.updated", lang_time(cfg, lang, t->updated, tz, when,
	    sizeof(when)));
	tvars_set(&v, "item.updated_iso", clock_format_iso(t->updated, iso,
	    sizeof(iso)));
	if ((err = template_render_document(cfg, "page_requests_item", &v,
	    &html)) == DM_OK) {
		buf_adds(out, html);
		free(html);
	}
	tvars_free(&v);
	free(url);
	return err;
}

/*
 * "You have no open requests.", "1 open request.", "3 open requests, the
 * newest first." in lang: open nonzero for the open ones, else the
 * closed ones.
 */
static char *
count_text(const struct dm_config *cfg, const char *lang, size_t n,
    int open)
{
	char num[24];

	snprintf(num, sizeof(num), "%zu", n);
	if (n == 0)
		return open ? lang_say(cfg, lang, "requests.open_none", "You "
		    "have no open requests.", (const char *)NULL) :
		    lang_say(cfg, lang, "requests.closed_none", "None.",
		    (const char *)NULL);
	if (n == 1)
		return open ? lang_say(cfg, lang, "requests.open_one", "1 open "
		    "request.", (const char *)NULL) : lang_say(cfg, lang,
		    "requests.closed_one", "1 closed request.",
		    (const char *)NULL);
	return open ? lang_say(cfg, lang, "requests.open_many", "{n} open "
	    "requests, the newest first.", "n", num, (const char *)NULL) :
	    lang_say(cfg, lang, "requests.closed_many", "{n} closed requests, "
	    "the newest first.", "n", num, (const char *)NULL);
}

dm_err
requests_vars(struct dm_store *st, const struct dm_config *cfg,
    const unsigned char key[32], const char *address, time_t now,
    struct tvars *v)
{
	struct ticket_filter f;
	int64_t *ids;
	struct dm_ticket t;
	struct buf open, closed;
	size_t i, n, nopen = 0, nclosed = 0;
	char num[32], lang[LANG_LEN], *text;
	int zoned = 0;
	dm_err err = DM_OK;

	ticket_filter_init(&f);
	f.requester = address;
	f.closed_since = now - (int64_t)REQUESTS_CLOSED_DAYS * 86400;
	f.limit = REQUESTS_MAX;
	if ((err = ticket_list_ids(st, &f, &ids, &n)) != DM_OK)
		return err;
	buf_init(&open);
	buf_add(&open, "", 0);
	buf_init(&closed);
	buf_add(&closed, "", 0);
	for (i = 0; err == DM_OK && i < n; i++) {
		if ((err = ticket_get(st, ids[i], &t)) != DM_OK)
			break;
		/* the listing's own test, again on the row itself */
		if (strcmp(t.requester, address) == 0) {
			/* the page is in the language of the newest */
			if (!zoned++) {
				if (tvars_get(v, "lang") == NULL)
					tvars_set(v, "lang", notice_lang(cfg,
					    &t, lang));
				notice_zone_vars(st, cfg, &t, v);
			}
			if (strcmp(t.status, TS_CLOSED) == 0) {
				err = item(st, cfg, key, &t,
				    tvars_get(v, "lang"), &closed);
				nclosed++;
			} else {
				err = item(st, cfg, key, &t,
				    tvars_get(v, "lang"), &open);
				nopen++;
			}
		}
		ticket_clear(&t);
	}
	free(ids);
	if (err == DM_OK) {
		if (!zoned) {
			if (tvars_get(v, "lang") == NULL)
				tvars_set(v, "lang", notice_lang(cfg, NULL,
				    lang));
			notice_zone_vars(st, cfg, NULL, v);
		}
		tvars_set(v, "requests.address", address);
		snprintf(num, sizeof(num), "%d", REQUESTS_CLOSED_DAYS);
		tvars_set(v, "requests.days", num);
		tvars_set(v, "requests.open", open.data);
		tvars_set(v, "requests.closed", closed.data);
		text = count_text(cfg, tvars_get(v, "lang"), nopen, 1);
		tvars_set(v, "requests.open_text", text);
		free(text);
		text = count_text(cfg, tvars_get(v, "lang"), nclosed, 0);
		tvars_set(v, "requests.closed_text", text);
		free(text);
	}
	buf_free(&open);
	buf_free(&closed);
	return err;
}
