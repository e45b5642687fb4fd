/*
 * fuzz_web.c - libFuzzer target for the link pages' request handling.
 *
 * web.c keeps everything static behind libmicrohttpd's callbacks, so this
 * file includes it and drives its request handler, handle(), the way
 * libmicrohttpd does: a first call that sets up the request (and, for a
 * POST, the form processor), one call per piece of body, a last call that
 * answers; then the completion callback.  The libmicrohttpd functions
 * web.c calls are replaced by small stand-ins below (responses are kept
 * and dropped; the form processor splits "k=v&k=v" without decoding, as
 * percent-decoding is libmicrohttpd's).  The database is a scratch file
 * with ticket 1 (new) and a resolved ticket; the key is fixed.
 *
 * Input: line 1 the method, line 2 the URL, the rest the body.  In the
 * URL "@TOKENn@" (n = 1..5: status, accept, not fixed, survey, the
 * download of ticket 1's file, an HTML page with a script in it) becomes
 * a valid token (the resolved ticket for accept and not fixed, else 1), and
 * "@CSRF@" in the body its CSRF token, so the fuzzer gets past the MAC.
 * A POST that was answered moved the resolved ticket on, so a new
 * resolved ticket is made for the runs after it (survey answers on
 * ticket 1 stay: a later run may see one).  The URL line is also read as a
 * [web] listen value and the body as a survey comment (parse_listen(),
 * clean_comment()).
 */
#include "../../src/web.c"
#include "deskmail/message.h"
#include "deskmail/mime.h"

#include "fuzz.h"

#ifndef DM_SRCDIR
#define DM_SRCDIR "."
#endif

/* ---- stand-ins for libmicrohttpd ---------------------------------- */

struct MHD_Response {
	void	*body;
	MHD_ContentReaderFreeCallback	 done;	/* a download's, or NULL */
	void	*cls;
};

struct MHD_PostProcessor {
	MHD_PostDataIterator	 it;
	void			*cls;
};

static int queued;
static unsigned last_status;

static struct MHD_Response *
fake_response(size_t len, void *body, enum MHD_ResponseMemoryMode mode)
{
	struct MHD_Response *r = xcalloc(1, sizeof(*r));

	(void)len;
	(void)mode;			/* web.c always passes MUST_FREE */
	r->body = body;
	return r;
}

static struct MHD_Response *
fake_response_free(size_t len, void *body, MHD_ContentReaderFreeCallback done,
    void *cls)
{
	struct MHD_Response *r = xcalloc(1, sizeof(*r));

	(void)len;
	r->body = body;
	r->done = done;
	r->cls = cls;
	return r;
}

static enum MHD_Result
fake_header(struct MHD_Response *r, const char *name, const char *value)
{
	(void)r;
	if (strchr(name, '\n') || strchr(value, '\n'))
		abort();		/* a header must stay one line */
	return MHD_YES;
}

static enum MHD_Result
fake_queue(struct MHD_Connection *c, unsigned int status,
    struct MHD_Response *r)
{
	(void)c;
	(void)r;
	if (status < 200 || status > 599)
		abort();
	if (getenv("FUZZ_WEB_TRACE") != NULL)	/* what each request got */
		fprintf(stderr, "fuzz_web: %u %.60s\n", status,
		    (const char *)r->body);
	queued++;
	last_status = status;
	return MHD_YES;
}

static void
fake_destroy(struct MHD_Response *r)
{
	if (r->done != NULL)
		r->done(r->cls);	/* frees the body */
	else
		free(r->body);
	free(r);
}

static struct MHD_PostProcessor *
fake_pp(struct MHD_Connection *c, size_t size, MHD_PostDataIterator it,
    void *cls)
{
	struct MHD_PostProcessor *pp = xcalloc(1, sizeof(*pp));

	(void)c;
	(void)size;
	pp->it = it;
	pp->cls = cls;
	return pp;
}

static enum MHD_Result
fake_post(struct MHD_PostProcessor *pp, const char *data, size_t len)
{
	const char *end = data + len, *amp, *eq;
	char key[64];

	while (data < end) {
		if ((amp = memchr(data, '&', (size_t)(end - data))) == NULL)
			amp = end;
		if ((eq = memchr(data, '=', (size_t)(amp - data))) != NULL &&
		    (size_t)(eq - data) < sizeof(key)) {
			memcpy(key, data, (size_t)(eq - data));
			key[eq - data] = '\0';
			if (memchr(key, '\0', (size_t)(eq - data)) == NULL)
				pp->it(pp->cls, MHD_POSTDATA_KIND, key, NULL,
				    NULL, NULL, eq + 1, 0,
				    (size_t)(amp - eq - 1));
		}
		data = amp + 1;
	}
	return MHD_YES;
}

static enum MHD_Result
fake_pp_destroy(struct MHD_PostProcessor *pp)
{
	free(pp);
	return MHD_YES;
}

/* ---- the server ---------------------------------------------------- */

static const char config_text[] =
    "[deskmail]\n"
    "address = help@example.org\n"
    "database = web.db\n"
    "template_dir = " DM_SRCDIR "/templates\n";

static struct dm_config *cfg;
static int64_t resolved_id;	/* the ticket accept and not fixed links name */

/* A new ticket in status; its id. */
static int64_t
new_ticket(const char *status)
{
	struct dm_ticket t = { .requester = "ann@dot.ny.gov",
	    .subject = "Printer <b>on fire</b>", .created = 1772442900 - 86400 };
	struct dm_store *st;

	t.status = (char *)status;
	if (store_open(cfg, 1, &st) != DM_OK || ticket_create(st, &t) !=
	    DM_OK) {
		fprintf(stderr, "fuzz_web: %s\n", dm_errdetail());
		abort();
	}
	store_close(st);
	return t.id;
}

/* A customer mail with a file (attachments row 1) on ticket 1, for the
 * download links (@TOKEN5@). */
static void
file_on_ticket_1(void)
{
	static const char raw[] =
	    "From: ann@dot.ny.gov\r\nSubject: scan\r\nMIME-Version: 1.0\r\n"
	    "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
	    "Content-Type: text/plain\r\n\r\nSee the file.\r\n--b\r\n"
	    "Content-Type: text/html; name=\"x.html\"\r\n"
	    "Content-Disposition: inline; filename=\"../x.html\"\r\n"
	    "Content-Transfer-Encoding: base64\r\n\r\n"
	    "PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\r\n--b--\r\n";
	struct dm_parsed *m;
	struct dm_store *st;
	struct dm_raw r = { raw, sizeof(raw) - 1, "0", "fuzz" };
	int64_t id;

	if (mime_parse(raw, sizeof(raw) - 1, &cfg->limits, &m) != DM_OK ||
	    store_open(cfg, 0, &st) != DM_OK ||
	    message_store(st, 1, "customer", m, &r, 1772442900, &id) != DM_OK) {
		fprintf(stderr, "fuzz_web: %s\n", dm_errdetail());
		abort();
	}
	store_close(st);
	mime_free(m);
}

static struct dm_web *
server(void)
{
	struct dm_web *w;
	char conf[300];
	int i;

	fuzz_path(conf, sizeof(conf), "deskmail.conf");
	fuzz_write(conf, config_text, strlen(config_text));
	if (config_load(conf, &cfg) != DM_OK) {
		fprintf(stderr, "fuzz_web: %s\n", dm_errdetail());
		abort();
	}
	if (new_ticket(TS_NEW) != 1)
		abort();
	file_on_ticket_1();
	resolved_id = new_ticket(TS_RESOLVED);
	mhd.response_from_buffer = fake_response;
	mhd.response_with_free = fake_response_free;
	mhd.add_header = fake_header;
	mhd.queue_response = fake_queue;
	mhd.destroy_response = fake_destroy;
	mhd.create_post_processor = fake_pp;
	mhd.post_process = fake_post;
	mhd.destroy_post_processor = fake_pp_destroy;
	w = xcalloc(1, sizeof(*w));
	w->cfg = cfg;
	pthread_mutex_init(&w->lock, NULL);
	/* store_get() keeps the connection under this key: without it, key
	 * 0 is whatever else made one first, and its value is no store */
	w->keyed = pthread_key_create(&w->mine, NULL) == 0;
	if (!w->keyed)
		abort();
	for (i = 0; i < 32; i++)
		w->key[i] = (unsigned char)i;
	if (template_file(cfg, "page.css", &w->css, &w->css_len) != DM_OK)
		abort();
	return w;
}

/* s with "@TOKENn@" and "@CSRF@" replaced; the caller frees. */
static char *
placeholders(struct dm_web *w, const char *s, char *tok)
{
	const char *p;
	struct buf b;
	char csrf[TOKEN_LEN];

	buf_init(&b);
	buf_add(&b, "", 0);
	while ((p = strchr(s, '@')) != NULL) {
		buf_add(&b, s, (size_t)(p - s));
		if (strncmp(p, "@TOKEN", 6) == 0 && p[6] >= '1' &&
		    p[6] <= '5' && p[7] == '@') {
			struct token t = { .purpose = (enum token_purpose)(p[6] -
			    '0'), .ticket = p[6] == '2' || p[6] == '3' ?
			    resolved_id : 1,
			    .expires = 1772442900 + 86400,
			    .rating = p[6] == '4' ? 3 : 0,
			    .attachment = p[6] == '5' ? 1 : 0 };

			token_make(w->key, &t, tok);
			buf_adds(&b, tok);
			s = p + 8;
		} else if (strncmp(p, "@CSRF@", 6) == 0 && tok[0] != '\0') {
			token_csrf(w->key, tok, csrf);
			buf_adds(&b, csrf);
			s = p + 6;
		} else {
			buf_addc(&b, '@');
			s = p + 1;
		}
	}
	buf_adds(&b, s);
	return buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_web *w;
	static char conn;
	struct MHD_Connection *c = (struct MHD_Connection *)(void *)&conn;
	struct sockaddr_in sa;
	char *text = fuzz_str(data, size), *method, *url, *body, *comment;
	char tok[TOKEN_LEN] = "";
	void *con_cls = NULL;
	size_t left, n;

	if (w == NULL) {
		setenv("DESKMAIL_NOW", "2026-03-02T09:15:00Z", 1);
		if (clock_init() != DM_OK)
			abort();
		w = server();
	}
	method = text;
	if ((url = strchr(method, '\n')) == NULL) {
		free(text);
		return 0;
	}
	*url++ = '\0';
	if ((body = strchr(url, '\n')) != NULL)
		*body++ = '\0';
	(void)parse_listen("listen", url, &sa);
	url = placeholders(w, url, tok);
	body = placeholders(w, body ? body : "", tok);
	comment = xstrdup(body);
	clean_comment(comment);
	if (!utf8_valid(comment, strlen(comment)))
		abort();
	free(comment);

	queued = 0;
	n = 0;
	(void)handle(w, c, url, method, "HTTP/1.1", NULL, &n, &con_cls);
	for (left = strlen(body); queued == 0 && left > 0; left -= n) {
		size_t chunk = n = left < 1000 ? left : 1000;

		(void)handle(w, c, url, method, "HTTP/1.1",
		    body + strlen(body) - left, &chunk, &con_cls);
		if (chunk != 0)
			abort();
	}
	n = 0;
	if (queued == 0)
		(void)handle(w, c, url, method, "HTTP/1.1", NULL, &n,
		    &con_cls);
	request_done(w, c, &con_cls, MHD_REQUEST_TERMINATED_COMPLETED_OK);
	if (queued != 1)
		abort();
	/* an answered accept or not fixed moved the ticket on: a fresh one
	 * for the next runs */
	if (strcmp(method, "POST") == 0 && last_status == 200)
		resolved_id = new_ticket(TS_RESOLVED);
	free(url);
	free(body);
	free(text);
	return 0;
}
