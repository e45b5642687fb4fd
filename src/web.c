/*
 * web.c - the link pages, served by libmicrohttpd (loaded on first use,
 * see dyn.h).
 *
 * Mail security scanners open every link in a mail before the person
 * does, so a GET never changes anything: it shows a page whose button
 * POSTs, and the POST must carry the CSRF token derived from the link's
 * own token.  Every response is a page from templates/, with a strict
 * Content-Security-Policy, no referrer (tokens must not leak), no framing
 * and no caching; a download link's is the file, as an attachment.
 *
 * With [web] metrics_listen, a second listener answers /metrics only
 * (metrics.h), with the requests the pages answered counted here, in
 * memory, by status code.  Either listener may be a socket systemd
 * passed instead (web_start_on()).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <microhttpd.h>

#include "deskmail/actions.h"
#include "deskmail/attachment.h"
#include "deskmail/clock.h"
#include "deskmail/dyn.h"
#include "deskmail/header.h"
#include "deskmail/lang.h"
#include "deskmail/log.h"
#include "deskmail/metrics.h"
#include "deskmail/notice.h"
#include "deskmail/relay.h"
#include "deskmail/requests.h"
#include "deskmail/store.h"
#include "deskmail/survey.h"
#include "deskmail/template.h"
#include "deskmail/ticket.h"
#include "deskmail/timeline.h"
#include "deskmail/token.h"
#include "deskmail/util.h"
#include "deskmail/web.h"

#define POST_MAX	16384	/* bytes of form data we accept */
#define WEB_CACHE_KB	512	/* SQLite page cache per connection */
/*
 * libmicrohttpd's memory per connection (request line, headers, a piece
 * of a form, the response's headers), touched as it is used: 64
 * keep-alive connections at 64 KiB each were 4 MB of run's peak
 * (bench/rss).  Our links are under 200 bytes; a request that does not
 * fit gets 414 or 431.
 */
#define CONN_MEMORY	16384

/* The status codes the pages answer, counted one by one; the last slot
 * counts any other. */
static const unsigned codes[] = { 200, 400, 403, 404, 405, 409, 410, 413,
    415, 500, 503 };
#define NCODES		(sizeof(codes) / sizeof(codes[0]))

static struct {
	__typeof__(&MHD_start_daemon) start_daemon;
	__typeof__(&MHD_stop_daemon) stop_daemon;
	__typeof__(&MHD_create_response_from_buffer) response_from_buffer;
	__typeof__(&MHD_add_response_header) add_header;
	__typeof__(&MHD_queue_response) queue_response;
	__typeof__(&MHD_destroy_response) destroy_response;
	__typeof__(&MHD_create_post_processor) create_post_processor;
	__typeof__(&MHD_post_process) post_process;
	__typeof__(&MHD_destroy_post_processor) destroy_post_processor;
	__typeof__(&MHD_http_unescape) http_unescape;
	__typeof__(&MHD_create_response_from_buffer_with_free_callback_cls)
	    response_with_free;
} mhd;

static const struct dyn_sym mhd_syms[] = {
	{ "MHD_start_daemon", (void **)&mhd.start_daemon },
	{ "MHD_stop_daemon", (void **)&mhd.stop_daemon },
	{ "MHD_create_response_from_buffer",
	    (void **)&mhd.response_from_buffer },
	{ "MHD_add_response_header", (void **)&mhd.add_header },
	{ "MHD_queue_response", (void **)&mhd.queue_response },
	{ "MHD_destroy_response", (void **)&mhd.destroy_response },
	{ "MHD_create_post_processor", (void **)&mhd.create_post_processor },
	{ "MHD_post_process", (void **)&mhd.post_process },
	{ "MHD_destroy_post_processor",
	    (void **)&mhd.destroy_post_processor },
	{ "MHD_http_unescape", (void **)&mhd.http_unescape },
	{ "MHD_create_response_from_buffer_with_free_callback_cls",
	    (void **)&mhd.response_with_free },
	{ NULL, NULL }
};

struct dm_web {
	const struct dm_config	*cfg;
	struct MHD_Daemon	*daemon;
	struct MHD_Daemon	*metrics;	/* NULL: no metrics_listen */
	int			 activated;	/* the pages' socket is systemd's */
	_Atomic uint64_t	 answered[NCODES + 1];	/* by codes[] */
	unsigned char		 key[32];
	char			*css;
	size_t			 css_len;
	pthread_key_t		 mine;		/* a thread's store (store_get) */
	int			 keyed;		/* mine was created */
	pthread_mutex_t		 lock;		/* guards stores[] */
	struct dm_store		**stores;	/* every thread's, to close */
	size_t			 nstores;
	size_t			 sending;	/* bytes of downloads being sent
						   (guarded by lock) */
};

/* One request's state across libmicrohttpd's calls. */
struct request {
	struct MHD_PostProcessor *pp;
	size_t			 received;
	int			 too_big;
	int			 nul;		/* a field held a NUL byte */
	char			*csrf;
	char			*comment;
	char			*rating;
};

/*
 * This thread's database connection: each of libmicrohttpd's threads
 * answers its requests one after the other, so each keeps one, with its
 * prepared statements, and takes no lock to find it.  NULL (with the
 * reason in dm_errdetail()) when it cannot be opened now.
 */
static struct dm_store *
store_get(struct dm_web *w)
{
	struct dm_store *st = pthread_getspecific(w->mine);

	if (st != NULL)
		return st;
	if (store_open(w->cfg, STORE_CURRENT, &st) != DM_OK)
		return NULL;
	/* a page reads a few dozen pages, rarely the same ones twice: the
	 * kernel's cache serves them, not one of ours per thread */
	store_cache(st, WEB_CACHE_KB);
	pthread_mutex_lock(&w->lock);
	w->stores = xreallocarray(w->stores, w->nstores + 1,
	    sizeof(*w->stores));
	w->stores[w->nstores++] = st;
	pthread_mutex_unlock(&w->lock);
	pthread_setspecific(w->mine, st);
	return st;
}

/* Queue r with status, counted for the metrics. */
static enum MHD_Result
queue(struct dm_web *w, struct MHD_Connection *c, unsigned status,
    struct MHD_Response *r)
{
	size_t i;

	for (i = 0; i < NCODES && codes[i] != status; i++)
		;
	atomic_fetch_add_explicit(&w->answered[i], 1, memory_order_relaxed);
	return mhd.queue_response(c, status, r);
}

/* body (malloc'd, taken) as a response of type; NULL, body freed, if
 * libmicrohttpd has no memory for it */
static struct MHD_Response *
buffer_response(char *body, size_t len, const char *type)
{
	struct MHD_Response *r;

	r = mhd.response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (r == NULL) {
		free(body);
		return NULL;
	}
	mhd.add_header(r, "Content-Type", type);
	return r;
}

static enum MHD_Result
respond(struct dm_web *w, struct MHD_Connection *c, unsigned status,
    const char *type, char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if ((r = buffer_response(body, len, type)) == NULL)
		return MHD_NO;
	mhd.add_header(r, "Content-Security-Policy", "default-src 'none'; "
	    "style-src 'self'; form-action 'self'; frame-ancestors 'none'; "
	    "base-uri 'none'");
	mhd.add_header(r, "Referrer-Policy", "no-referrer");
	mhd.add_header(r, "X-Frame-Options", "DENY");
	mhd.add_header(r, "X-Content-Type-Options", "nosniff");
	mhd.add_header(r, "Cache-Control", "no-store");
	ret = queue(w, c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static void
base_vars(struct dm_web *w, struct tvars *v)
{
	char *css = notice_url(w->cfg, "style.css");

	/* what a ticket's page set (its queue's address and tag) stays */
	if (tvars_get(v, "help_address") == NULL)
		notice_ticket_vars(w->cfg, NULL, v);
	tvars_set(v, "css_url", css);
	free(css);
}

static enum MHD_Result
page(struct dm_web *w, struct MHD_Connection *c, unsigned status,
    const char *name, struct tvars *v)
{
	char *html;

	base_vars(w, v);
	if (template_render_page(w->cfg, name, v, &html) != DM_OK) {
		log_error("web: %s", dm_errdetail());
		html = xstrdup("<!doctype html><title>Error</title>"
		    "<p>This page cannot be shown right now.</p>");
		status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	return respond(w, c, status, "text/html; charset=utf-8", html,
	    strlen(html));
}

/*
 * The sentences of the link pages, by their key in the words files
 * ("page." KEY), with the English a language without one shows.
 */
static const struct { const char *key, *english; } sentences[] = {
	{ "closed", "This request is already closed. Thank you!" },
	{ "earlier",
	    "This link belongs to an earlier stage of your request and no "
	    "longer applies." },
	{ "not_waiting", "This request is no longer waiting for your answer." },
	{ "unavailable_retry",
	    "This page cannot be shown right now; please try again in a "
	    "moment." },
	{ "unavailable", "This page cannot be shown right now." },
	{ "answered", "You have already answered this survey. Thank you!" },
	{ "nothing_to_send", "There is nothing to send here." },
	{ "busy", "We are busy; please try again in a moment." },
	{ "file_gone", "This file is no longer here." },
	{ "file_unavailable", "This file cannot be sent right now." },
	{ "wrong_form", "The form was not sent from the page of this link." },
	{ "rating", "Please choose a rating from 1 to 5." },
	{ "not_recorded",
	    "Your answer could not be recorded; please try again." },
	{ "done_accept",
	    "Your request is closed. You will receive two short questions "
	    "about how we did." },
	{ "done_notfixed",
	    "Your request is open again and the people who worked on it "
	    "have been told." },
	{ "done_changed", "Your answer has been updated. Thank you!" },
	{ "done_same", "We have your answer already. Thank you!" },
	{ "done_survey",
	    "Thank you for your answers; they go to the people who worked "
	    "on your request." },
	{ "requests_expired",
	    "This link has expired. Every mail we send you about a request "
	    "has a fresh one." },
	{ "invalid",
	    "This link is not valid. It may have been cut short or changed "
	    "when it was copied." },
	{ "form_unreadable", "The form could not be read." },
	{ "method", "Only links and the page's own form work here." },
	{ "too_long", "What you sent is too long." },
	{ "no_page", "There is no page at this address." },
	{ "expired", "This link has expired." },
	{ "no_request", "This request no longer exists." },
};

/* Sentence key (from sentences[]) in language lang; a text that is not a
 * key is shown as it is. */
static const char *
say(struct dm_web *w, const char *lang, const char *key)
{
	char word[64];
	size_t i;

	for (i = 0; i < sizeof(sentences) / sizeof(sentences[0]); i++)
		if (strcmp(sentences[i].key, key) == 0) {
			snprintf(word, sizeof(word), "page.%s", key);
			return lang_word(w->cfg, lang, word,
			    sentences[i].english);
		}
	return key;
}

/* The error page, in the language of ticket t (NULL: [deskmail]
 * language's), saying sentence key. */
static enum MHD_Result
error_page(struct dm_web *w, struct MHD_Connection *c,
    const struct dm_ticket *t, unsigned status, const char *key)
{
	char lang[LANG_LEN];
	struct tvars v;
	enum MHD_Result r;

	tvars_init(&v);
	tvars_set(&v, "lang", notice_lang(w->cfg, t, lang));
	tvars_set(&v, "message", say(w, lang, key));
	/* a queue's ticket is answered at the queue's address */
	if (t != NULL)
		notice_ticket_vars(w->cfg, t, &v);
	r = page(w, c, status, "page_error", &v);
	tvars_free(&v);
	return r;
}

/* What a checked token may still do given the ticket as it is now: NULL,
 * or why not (a key of sentences[]). */
static const char *
stale(const struct token *tk, const struct dm_ticket *t)
{
	if (tk->version != 0 && tk->version != t->version) {
		if (strcmp(t->status, TS_CLOSED) == 0)
			return "closed";
		return "earlier";
	}
	if ((tk->purpose == TOK_ACCEPT || tk->purpose == TOK_NOTFIXED) &&
	    strcmp(t->status, TS_RESOLVED) != 0)
		return "not_waiting";
	return NULL;
}

/* The page a GET shows (nothing changes). */
static enum MHD_Result
show(struct dm_web *w, struct MHD_Connection *c, struct dm_store *st,
    const char *tok, const struct token *tk, struct dm_ticket *t)
{
	struct tvars v;
	struct dm_survey sv;
	char csrf[TOKEN_LEN], *url, *action, name[16];
	const char *why;
	enum MHD_Result r;
	int i;

	if ((why = stale(tk, t)) != NULL && tk->purpose != TOK_SURVEY)
		return error_page(w, c, t, MHD_HTTP_GONE, why);
	tvars_init(&v);
	notice_ticket_vars(w->cfg, t, &v);
	token_csrf(w->key, tok, csrf);
	tvars_set(&v, "csrf", csrf);
	url = xasprintf("l/%s", tok);
	action = notice_url(w->cfg, url);
	free(url);
	url = action;
	tvars_set(&v, "action_url", url);
	free(url);
	switch (tk->purpose) {
	case TOK_STATUS:
		if (timeline_vars(st, w->cfg, t, &v) != DM_OK) {
			log_error("web: ticket %lld: %s", (long long)t->id,
			    dm_errdetail());
			r = error_page(w, c, t, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "unavailable_retry");
			break;
		}
		/* a page_status.html of a template_dir from before the
		 * timeline still renders: its dump of the history showed
		 * staff addresses, so it stays empty */
		tvars_set(&v, "history", "");
		r = page(w, c, MHD_HTTP_OK, "page_status", &v);
		break;
	case TOK_ACCEPT:
		notice_link_var(&v, w->cfg, w->key, "notfixed_url",
		    TOK_NOTFIXED, t, 0);
		r = page(w, c, MHD_HTTP_OK, "page_accept", &v);
		break;
	case TOK_NOTFIXED:
		r = page(w, c, MHD_HTTP_OK, "page_notfixed", &v);
		break;
	default:
		if (survey_get(st, t->id, &sv) != DM_OK) {
			r = error_page(w, c, t, MHD_HTTP_INTERNAL_SERVER_ERROR,
			    "unavailable");
			break;
		}
		if ((why = stale(tk, t)) != NULL || (sv.rating && clock_now() -
		    sv.answered > w->cfg->survey_window)) {
			r = error_page(w, c, t, sv.rating ? MHD_HTTP_OK :
			    MHD_HTTP_GONE, sv.rating ? "answered" : why);
			survey_clear(&sv);
			break;
		}
		for (i = 1; i <= 5; i++) {
			snprintf(name, sizeof(name), "checked_%d", i);
			tvars_set(&v, name, (sv.rating ? sv.rating : tk->rating) ==
			    i ? "checked" : "");
		}
		tvars_set(&v, "comment", sv.comment ? sv.comment : "");
		survey_clear(&sv);
		r = page(w, c, MHD_HTTP_OK, "page_survey", &v);
		break;
	}
	tvars_free(&v);
	return r;
}

/*
 * Bytes of downloads held in memory while they are sent (each file is
 * decoded whole): a link's holder opening many connections gets "busy"
 * past this, not the server's memory.  One download of any size fits.
 */
#define SENDING_MAX	((size_t)256 << 20)

/* A download's buffer, and the web whose count it is in. */
struct sent_file {
	struct dm_web	*w;
	char		*data;
	size_t		 len;
};

static void
sent(void *cls)
{
	struct sent_file *sf = cls;

	pthread_mutex_lock(&sf->w->lock);
	sf->w->sending -= sf->len;
	pthread_mutex_unlock(&sf->w->lock);
	free(sf->data);
	free(sf);
}

/*
 * A download link (GET or HEAD; nothing changes): the file, decoded from
 * the stored mail, as an attachment (never shown in the page's origin:
 * Content-Disposition attachment, nosniff, a sandboxing CSP) with the
 * type it came with.
 */
static enum MHD_Result
download(struct dm_web *w, struct MHD_Connection *c, const struct token *tk,
    int post)
{
	struct MHD_Response *r;
	struct sent_file *sf;
	struct dm_store *st;
	struct dm_file f;
	enum MHD_Result ret;
	char type[128], *name, *disp, *data;
	int64_t now_at;
	size_t len;
	int busy;
	dm_err err;

	if (post)
		return error_page(w, c, NULL, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "nothing_to_send");
	if ((st = store_get(w)) == NULL)
		return error_page(w, c, NULL, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy");
	err = attachment_get(st, w->cfg, tk->attachment, &f, &data, &len);
	/* a merged ticket's files went with its messages to the survivor */
	if (err == DM_OK && f.ticket != tk->ticket &&
	    ticket_follow_merged(st, tk->ticket, &now_at) == DM_OK &&
	    now_at == f.ticket)
		f.ticket = tk->ticket;
	if (err == DM_OK && f.ticket != tk->ticket) {
		/* signed by us for another ticket: cannot be, unless the rows
		 * were renumbered; the file is not this link's */
		attachment_clear(&f);
		free(data);
		err = DM_ENOTFOUND;
	}
	if (err == DM_ENOTFOUND)
		return error_page(w, c, NULL, MHD_HTTP_NOT_FOUND, "file_gone");
	if (err != DM_OK) {
		log_error("web: attachment %lld: %s", (long long)tk->attachment,
		    dm_errdetail());
		return error_page(w, c, NULL, err == DM_ETEMP ?
		    MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "file_unavailable");
	}
	pthread_mutex_lock(&w->lock);
	busy = w->sending > 0 && w->sending + len > SENDING_MAX;
	if (!busy)
		w->sending += len;
	pthread_mutex_unlock(&w->lock);
	if (busy) {
		attachment_clear(&f);
		free(data);
		return error_page(w, c, NULL, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy");
	}
	sf = xmalloc(sizeof(*sf));
	sf->w = w;
	sf->data = data;
	sf->len = len;
	header_media_type(f.type, type, sizeof(type));
	name = relay_file_name(&f);
	disp = header_http_disposition(name);
	free(name);
	attachment_clear(&f);
	if ((r = mhd.response_with_free(len, data, sent, sf)) == NULL) {
		sent(sf);
		free(disp);
		return MHD_NO;
	}
	mhd.add_header(r, "Content-Type", type);
	mhd.add_header(r, "Content-Disposition", disp);
	mhd.add_header(r, "X-Content-Type-Options", "nosniff");
	mhd.add_header(r, "Content-Security-Policy", "default-src 'none'; "
	    "sandbox");
	mhd.add_header(r, "Referrer-Policy", "no-referrer");
	mhd.add_header(r, "X-Frame-Options", "DENY");
	mhd.add_header(r, "Cache-Control", "private, no-store");
	free(disp);
	ret = queue(w, c, MHD_HTTP_OK, r);
	mhd.destroy_response(r);
	return ret;
}

/* A POST: the one place state changes, in one transaction. */
static enum MHD_Result
act(struct dm_web *w, struct MHD_Connection *c, struct dm_store *st,
    const char *tok, const struct token *tk, struct dm_ticket *t,
    struct request *rq)
{
	struct action a;
	struct tvars v;
	const char *why, *done;
	enum MHD_Result r;
	int updated = 0, rating = 0;
	dm_err err;

	if (!token_csrf_ok(w->key, tok, rq->csrf))
		return error_page(w, c, t, MHD_HTTP_FORBIDDEN, "wrong_form");
	if (tk->purpose == TOK_STATUS)
		return error_page(w, c, t, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "nothing_to_send");
	if ((why = stale(tk, t)) != NULL)
		return error_page(w, c, t, MHD_HTTP_GONE, why);
	if (tk->purpose == TOK_SURVEY) {
		if (rq->rating == NULL || strlen(rq->rating) != 1 ||
		    rq->rating[0] < '1' || rq->rating[0] > '5')
			return error_page(w, c, t, MHD_HTTP_BAD_REQUEST,
			    "rating");
		rating = rq->rating[0] - '0';
	}
	a.st = st;
	a.cfg = w->cfg;
	a.now = clock_now();
	if ((err = store_begin(st)) != DM_OK)
		return error_page(w, c, t, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy");
	/* re-read inside the transaction: another request may have won */
	ticket_clear(t);
	if ((err = ticket_get(st, tk->ticket, t)) == DM_OK &&
	    (why = stale(tk, t)) != NULL)
		err = dm_fail(DM_ESTATE, "%s", why);
	/* the requester acts (a link in their mail); from the fresh copy */
	a.actor = err == DM_OK ? t->requester : "requester";
	a.text_stored = 1;	/* a comment is an event, not a message */
	a.message = 0;
	if (err == DM_OK) {
		switch (tk->purpose) {
		case TOK_ACCEPT:
			err = action_accept(&a, t);
			break;
		case TOK_NOTFIXED:
			err = action_not_fixed(&a, t, rq->comment);
			break;
		default:
			err = action_survey(&a, t, rating, rq->comment, &updated);
			break;
		}
	}
	if (err == DM_OK)
		err = store_commit(st);
	else
		store_rollback(st);
	if (err == DM_ESTATE)
		return error_page(w, c, t, MHD_HTTP_CONFLICT, dm_errdetail());
	if (err != DM_OK) {
		log_error("web: ticket %lld: %s", (long long)tk->ticket,
		    dm_errdetail());
		return error_page(w, c, t, err == DM_ETEMP ?
		    MHD_HTTP_SERVICE_UNAVAILABLE : MHD_HTTP_INTERNAL_SERVER_ERROR,
		    "not_recorded");
	}
	done = tk->purpose == TOK_ACCEPT ? "done_accept" :
	    tk->purpose == TOK_NOTFIXED ? "done_notfixed" :
	    updated == SURVEY_CHANGED ? "done_changed" :
	    updated == SURVEY_SAME ? "done_same" : "done_survey";
	tvars_init(&v);
	notice_ticket_vars(w->cfg, t, &v);
	notice_link_var(&v, w->cfg, w->key, "status_url", TOK_STATUS, t, 0);
	tvars_set(&v, "message", say(w, tvars_get(&v, "lang"), done));
	r = page(w, c, MHD_HTTP_OK, "page_done", &v);
	tvars_free(&v);
	return r;
}

/*
 * "My requests" (/r/<address token>): a GET shows the page; nothing here
 * changes anything, so a POST is refused.
 */
static enum MHD_Result
requests_page(struct dm_web *w, struct MHD_Connection *c, const char *tok,
    int post)
{
	char addr[TOKEN_ADDR_MAX + 1];
	struct dm_store *st;
	struct tvars v;
	enum MHD_Result r;
	time_t expires;
	dm_err err;

	if ((err = token_check_address(w->key, tok, clock_now(), addr,
	    &expires)) != DM_OK)
		return error_page(w, c, NULL, err == DM_ESTATE ? MHD_HTTP_GONE :
		    MHD_HTTP_NOT_FOUND,
		    err == DM_ESTATE ? "requests_expired" : "invalid");
	if (post)
		return error_page(w, c, NULL, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "nothing_to_send");
	if ((st = store_get(w)) == NULL)
		return error_page(w, c, NULL, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy");
	tvars_init(&v);
	/* one snapshot, one read lock, as for the other pages (handle()) */
	if ((err = store_begin_read(st)) == DM_OK) {
		err = requests_vars(st, w->cfg, w->key, addr, clock_now(), &v);
		store_rollback(st);
	}
	if (err != DM_OK) {
		log_error("web: requests: %s", dm_errdetail());
		r = error_page(w, c, NULL, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "unavailable_retry");
	} else
		r = page(w, c, MHD_HTTP_OK, "page_requests", &v);
	tvars_free(&v);
	return r;
}

static enum MHD_Result
post_field(void *cls, enum MHD_ValueKind kind, const char *key,
    const char *filename, const char *content_type,
    const char *transfer_encoding, const char *data, uint64_t off,
    size_t size)
{
	struct request *rq = cls;
	char **field = NULL, *grown;
	size_t have;

	(void)kind; (void)filename; (void)content_type;
	(void)transfer_encoding; (void)off;
	if (strcmp(key, "csrf") == 0)
		field = &rq->csrf;
	else if (strcmp(key, "comment") == 0)
		field = &rq->comment;
	else if (strcmp(key, "rating") == 0)
		field = &rq->rating;
	if (field == NULL)
		return MHD_YES;		/* unknown fields are ignored */
	/*
	 * Fields are C strings from here on: "csrf=<right one>%00x" would
	 * pass as the right one.  None of ours can hold a NUL.
	 */
	if (memchr(data, '\0', size) != NULL) {
		rq->nul = 1;
		return MHD_YES;
	}
	have = *field ? strlen(*field) : 0;
	grown = xmalloc(have + size + 1);
	if (have)
		memcpy(grown, *field, have);
	memcpy(grown + have, data, size);
	grown[have + size] = '\0';
	free(*field);
	*field = grown;
	return MHD_YES;
}

static void
request_done(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct request *rq = *con_cls;

	(void)cls; (void)c; (void)toe;
	if (rq == NULL)
		return;
	if (rq->pp != NULL)
		mhd.destroy_post_processor(rq->pp);
	free(rq->csrf);
	free(rq->comment);
	free(rq->rating);
	free(rq);
	*con_cls = NULL;
}

/* A comment as stored: UTF-8, line ends as "\n", no other controls. */
static void
clean_comment(char *s)
{
	char *r, *w;

	if (s == NULL)
		return;
	for (r = w = s; *r; r++)
		if (*r == '\n' || *r == '\t' || (unsigned char)*r >= ' ')
			if (*r != 0x7f)
				*w++ = *r;
	*w = '\0';
	if (!utf8_valid(s, strlen(s)))
		s[0] = '\0';
}

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct dm_web *w = cls;
	struct request *rq = *con_cls;
	struct dm_ticket t;
	struct dm_store *st;
	struct token tk;
	enum MHD_Result r;
	int post = strcmp(method, "POST") == 0;
	const char *tok;
	dm_err err;

	(void)version;
	if (rq == NULL) {
		rq = xcalloc(1, sizeof(*rq));
		*con_cls = rq;
		if (post) {
			rq->pp = mhd.create_post_processor(c, 4096, post_field,
			    rq);
			if (rq->pp == NULL)
				return error_page(w, c, NULL, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE,
				    "form_unreadable");
		}
		return MHD_YES;
	}
	if (*upload_size > 0) {
		/* a body is read whatever the method, or the connection drops */
		rq->received += *upload_size;
		if (rq->received > POST_MAX)
			rq->too_big = 1;
		else if (post) {
			/* urlencoded values end at a NUL, post_field untold */
			if (memchr(upload, '\0', *upload_size) != NULL)
				rq->nul = 1;
			mhd.post_process(rq->pp, upload, *upload_size);
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (!post && strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return error_page(w, c, NULL, MHD_HTTP_METHOD_NOT_ALLOWED,
		    "method");
	if (rq->too_big)
		return error_page(w, c, NULL, 413, "too_long");
	if (rq->nul)
		return error_page(w, c, NULL, MHD_HTTP_BAD_REQUEST,
		    "form_unreadable");
	if (strcmp(url, "/style.css") == 0 || (strlen(url) > 10 &&
	    strcmp(url + strlen(url) - 10, "/style.css") == 0))
		return respond(w, c, MHD_HTTP_OK, "text/css; charset=utf-8",
		    xstrndup(w->css, w->css_len), w->css_len);
	if ((tok = strstr(url, "/r/")) != NULL && strchr(tok + 3, '/') == NULL)
		return requests_page(w, c, tok + 3, post);
	tok = strstr(url, "/l/");
	if (tok == NULL || strchr(tok + 3, '/') != NULL)
		return error_page(w, c, NULL, MHD_HTTP_NOT_FOUND, "no_page");
	tok += 3;
	if ((err = token_check(w->key, tok, clock_now(), &tk)) != DM_OK)
		return error_page(w, c, NULL, err == DM_ESTATE ? MHD_HTTP_GONE :
		    MHD_HTTP_NOT_FOUND,
		    err == DM_ESTATE ? "expired" : "invalid");
	if (tk.purpose == TOK_ATTACHMENT)
		return download(w, c, &tk, post);
	if ((st = store_get(w)) == NULL)
		return error_page(w, c, NULL, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy");
	/*
	 * A page is read in one snapshot: its parts agree with each other,
	 * and its dozen or more statements share one read lock instead of
	 * taking and dropping one each.  (A POST opens its own transaction.)
	 */
	if (!post && store_begin_read(st) != DM_OK) {
		return error_page(w, c, NULL, MHD_HTTP_SERVICE_UNAVAILABLE,
		    "busy");
	}
	if ((err = ticket_get(st, tk.ticket, &t)) != DM_OK) {
		store_rollback(st);
		return error_page(w, c, NULL, MHD_HTTP_NOT_FOUND, "no_request");
	}
	clean_comment(rq->comment);
	r = post ? act(w, c, st, tok, &tk, &t, rq) :
	    show(w, c, st, tok, &tk, &t);
	if (!post)
		store_rollback(st);
	ticket_clear(&t);
	return r;
}

/*
 * libmicrohttpd decodes the path in place and hands it to handle() as a C
 * string, so "%00" would end it there: "/l/<token>%00junk" would pass as
 * the token.  A path (or query argument) with "%00" is left undecoded
 * instead; no path of ours holds a '%', so it is a page that is not there.
 */
static size_t
unescape(void *cls, struct MHD_Connection *c, char *s)
{
	(void)cls; (void)c;
	if (strstr(s, "%00") != NULL)
		return strlen(s);
	return mhd.http_unescape(s);
}

/*
 * A plain-text answer of the metrics listener (not counted: the pages'
 * counts are what it shows).
 */
static enum MHD_Result
plain(struct MHD_Connection *c, unsigned status, const char *type,
    char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if ((r = buffer_response(body, len, type)) == NULL)
		return MHD_NO;
	mhd.add_header(r, "Cache-Control", "no-store");
	ret = mhd.queue_response(c, status, r);
	mhd.destroy_response(r);
	return ret;
}

static enum MHD_Result
note(struct MHD_Connection *c, unsigned status, const char *line)
{
	char *body = xasprintf("%s\n", line);

	return plain(c, status, "text/plain; charset=utf-8", body,
	    strlen(body));
}

/* The metrics listener: GET /metrics, and nothing else. */
static enum MHD_Result
handle_metrics(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct dm_web *w = cls;
	struct metrics_http http[NCODES + 1];
	struct dm_store *st;
	struct buf b;
	size_t i;
	dm_err err;

	(void)version; (void)upload;
	if (*con_cls == NULL) {		/* the headers: wait for the body */
		*con_cls = w;
		return MHD_YES;
	}
	if (*upload_size > 0) {		/* no body means anything here */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/metrics") != 0)
		return note(c, MHD_HTTP_NOT_FOUND, "Only /metrics is here.");
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return note(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics.");
	if ((st = store_get(w)) == NULL)
		return note(c, MHD_HTTP_SERVICE_UNAVAILABLE, "Busy.");
	for (i = 0; i <= NCODES; i++) {
		http[i].code = i < NCODES ? codes[i] : 0;
		http[i].count = atomic_load_explicit(&w->answered[i],
		    memory_order_relaxed);
	}
	buf_init(&b);
	err = metrics_text(st, w->cfg, clock_now(), http, NCODES + 1, &b);
	if (err != DM_OK) {
		log_error("web: metrics: %s", dm_errdetail());
		buf_free(&b);
		return note(c, MHD_HTTP_SERVICE_UNAVAILABLE, "The database "
		    "cannot be read right now.");
	}
	i = b.len;
	return plain(c, MHD_HTTP_OK, "text/plain; version=0.0.4; "
	    "charset=utf-8", buf_release(&b), i);
}

/* Sockets systemd passed that no daemon took (a daemon closes its own). */
static void
close_passed(int fd, int mfd)
{
	if (fd >= 0)
		close(fd);
	if (mfd >= 0)
		close(mfd);
}

/* ADDRESS:PORT (IPv4), or PORT alone on 127.0.0.1. */
static dm_err
parse_listen(const char *key, const char *listen, struct sockaddr_in *sa)
{
	const char *colon = strrchr(listen, ':');
	char host[64] = "127.0.0.1", *end;
	long port;

	memset(sa, 0, sizeof(*sa));
	if (colon != NULL) {
		if ((size_t)(colon - listen) >= sizeof(host))
			return dm_fail(DM_ECONFIG, "[web] %s '%s' is not "
			    "ADDRESS:PORT", key, listen);
		memcpy(host, listen, (size_t)(colon - listen));
		host[colon - listen] = '\0';
	}
	port = strtol(colon != NULL ? colon + 1 : listen, &end, 10);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((uint16_t)port);
	if (*end != '\0' || port < 1 || port > 65535 ||
	    inet_pton(AF_INET, host, &sa->sin_addr) != 1)
		return dm_fail(DM_ECONFIG, "[web] %s '%s': an IPv4 address "
		    "and a port, e.g. 127.0.0.1:8025", key, listen);
	return DM_OK;
}

/*
 * Where a daemon listens, as libmicrohttpd options: the socket systemd
 * passed (fd >= 0), else key's address in sa.
 */
static dm_err
where(const char *key, const char *listen, int fd, struct sockaddr_in *sa,
    struct MHD_OptionItem opt[2])
{
	dm_err err;

	memset(opt, 0, 2 * sizeof(*opt));
	opt[0].option = opt[1].option = MHD_OPTION_END;
	if (fd >= 0) {
		opt[0].option = MHD_OPTION_LISTEN_SOCKET;
		opt[0].value = fd;
		return DM_OK;
	}
	if ((err = parse_listen(key, listen, sa)) != DM_OK)
		return err;
	opt[0].option = MHD_OPTION_SOCK_ADDR;
	opt[0].ptr_value = sa;
	return DM_OK;
}

/* The metrics listener, if configured or passed: one thread, a few
 * connections. */
static dm_err
metrics_start(struct dm_web *w, int fd)
{
	struct MHD_OptionItem opt[2];
	struct sockaddr_in sa;
	dm_err err;

	if (w->cfg->metrics_listen[0] == '\0' && fd < 0)
		return DM_OK;
	if ((err = where("metrics_listen", w->cfg->metrics_listen, fd, &sa,
	    opt)) != DM_OK)
		return err;
	w->metrics = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL, 0, NULL, NULL, handle_metrics, w,
	    MHD_OPTION_ARRAY, opt,
	    MHD_OPTION_CONNECTION_LIMIT, 16u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_END);
	if (w->metrics == NULL && fd >= 0)
		return dm_fail(DM_ENET, "cannot serve /metrics on the socket "
		    "systemd passed");
	if (w->metrics == NULL)
		return dm_fail(DM_ENET, "cannot listen on %s for /metrics (in "
		    "use, or not an address of this machine?)",
		    w->cfg->metrics_listen);
	return DM_OK;
}

dm_err
web_start(const struct dm_config *cfg, struct dm_web **out)
{
	return web_start_on(cfg, -1, -1, out);
}

dm_err
web_start_on(const struct dm_config *cfg, int fd, int mfd,
    struct dm_web **out)
{
	struct MHD_OptionItem opt[2];
	struct sockaddr_in sa;
	struct dm_web *w;
	dm_err err;

	*out = NULL;
	if ((err = where("listen", cfg->web_listen, fd, &sa, opt)) != DM_OK ||
	    (err = dyn_load(MHD_SONAME, mhd_syms)) != DM_OK) {
		close_passed(fd, mfd);
		return err;
	}
	w = xcalloc(1, sizeof(*w));
	w->cfg = cfg;
	w->activated = fd >= 0;
	pthread_mutex_init(&w->lock, NULL);
	w->keyed = pthread_key_create(&w->mine, NULL) == 0;
	if (!w->keyed) {
		close_passed(fd, mfd);
		web_stop(w);
		return dm_fail(DM_ESOFTWARE, "no thread-specific key");
	}
	if ((err = token_key_load(cfg, w->key)) != DM_OK ||
	    (err = template_file(cfg, "page.css", &w->css, &w->css_len)) !=
	    DM_OK) {
		close_passed(fd, mfd);
		web_stop(w);
		return err;
	}
	w->daemon = mhd.start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
	    MHD_USE_EPOLL, 0, NULL, NULL, handle, w,
	    MHD_OPTION_ARRAY, opt,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg->web_threads,
	    MHD_OPTION_CONNECTION_LIMIT, 512u,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT, 0u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 30u,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)CONN_MEMORY,
	    MHD_OPTION_NOTIFY_COMPLETED, request_done, w,
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, NULL,
	    MHD_OPTION_END);
	if (w->daemon == NULL) {
		close_passed(fd, mfd);
		web_stop(w);
		if (fd >= 0)
			return dm_fail(DM_ENET, "cannot serve the link pages on "
			    "the socket systemd passed");
		return dm_fail(DM_ENET, "cannot listen on %s (in use, or not "
		    "an address of this machine?)", cfg->web_listen);
	}
	if ((err = metrics_start(w, mfd)) != DM_OK) {
		close_passed(-1, mfd);
		web_stop(w);
		return err;
	}
	*out = w;
	return DM_OK;
}

const char *
web_where(const struct dm_web *w)
{
	return w->activated ? "the socket systemd passed" : w->cfg->web_listen;
}

void
web_stop(struct dm_web *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->metrics != NULL)
		mhd.stop_daemon(w->metrics);
	if (w->daemon != NULL)
		mhd.stop_daemon(w->daemon);
	for (i = 0; i < w->nstores; i++)
		store_close(w->stores[i]);
	free(w->stores);
	if (w->keyed)
		pthread_key_delete(w->mine);
	explicit_bzero(w->key, sizeof(w->key));
	free(w->css);
	pthread_mutex_destroy(&w->lock);
	free(w);
}
