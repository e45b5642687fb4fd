/*
 * smtp.c - libcurl as the SMTP client.
 *
 * One easy handle lives as long as the sender, so libcurl keeps the
 * connection (and its TLS session and AUTH) open from one mail to the
 * next.  The outcome is classified by the SMTP reply code, not the
 * CURLcode (libcurl reports a 451 and a 550 after RCPT alike).
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "deskmail/dyn.h"
#include "deskmail/smtp.h"
#include "deskmail/util.h"

/* libcurl, loaded by the first sender (dyn.h says why). */
static struct {
	__typeof__(&curl_easy_init) easy_init;
	__typeof__(&curl_easy_cleanup) easy_cleanup;
	__typeof__(&curl_easy_setopt) easy_setopt;
	__typeof__(&curl_easy_perform) easy_perform;
	__typeof__(&curl_easy_getinfo) easy_getinfo;
	__typeof__(&curl_easy_strerror) easy_strerror;
	__typeof__(&curl_slist_append) slist_append;
	__typeof__(&curl_slist_free_all) slist_free_all;
	__typeof__(&curl_global_init) global_init;
} cu;

static const struct dyn_sym curl_syms[] = {
	{ "curl_easy_init", (void **)&cu.easy_init },
	{ "curl_easy_cleanup", (void **)&cu.easy_cleanup },
	{ "curl_easy_setopt", (void **)&cu.easy_setopt },
	{ "curl_easy_perform", (void **)&cu.easy_perform },
	{ "curl_easy_getinfo", (void **)&cu.easy_getinfo },
	{ "curl_easy_strerror", (void **)&cu.easy_strerror },
	{ "curl_slist_append", (void **)&cu.slist_append },
	{ "curl_slist_free_all", (void **)&cu.slist_free_all },
	{ "curl_global_init", (void **)&cu.global_init },
	{ NULL, NULL }
};

struct dm_smtp {
	const struct dm_config	*cfg;
	CURL			*curl;
	char			*password;
	char			 errbuf[CURL_ERROR_SIZE];
	char			 said[512];	/* the server's refusal, if any */
};

static int global_done;

struct upload {
	const char	*data;
	size_t		 len, off;
	smtp_gate	 gate;
	void		*gate_arg;
	int		 asked;		/* the gate was asked */
	int		 held;		/* and it said no */
};

static size_t
read_cb(char *buf, size_t size, size_t nmemb, void *arg)
{
	struct upload *u = arg;
	size_t n = size * nmemb;

	if (n > u->len - u->off)
		n = u->len - u->off;
	/* the last bytes: once they and the "." are out, the server may
	 * accept the mail, so they wait for the gate */
	if (u->off + n == u->len && u->gate != NULL && !u->asked) {
		u->asked = 1;
		if (u->gate(u->gate_arg) != 0) {
			u->held = 1;
			return CURL_READFUNC_ABORT;
		}
	}
	memcpy(buf, u->data + u->off, n);
	u->off += n;
	return n;
}

dm_err
smtp_open(const struct dm_config *cfg, struct dm_smtp **out)
{
	struct dm_smtp *s;
	char *data, *nl;
	size_t len;
	dm_err err;

	*out = NULL;
	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	if (cfg->smtp_password_file[0] != '\0') {
		if ((err = read_file(cfg->smtp_password_file, 4096, &data,
		    &len)) != DM_OK) {
			free(s);
			return dm_fail(DM_ECONFIG, "[smtp] password_file %s",
			    dm_errdetail());
		}
		if ((nl = strpbrk(data, "\r\n")) != NULL)
			*nl = '\0';
		s->password = data;
	} else if (cfg->smtp_password_env[0] != '\0') {
		const char *v = getenv(cfg->smtp_password_env);

		if (v == NULL) {
			free(s);
			return dm_fail(DM_ECONFIG, "[smtp] environment variable "
			    "%s (password_env) is not set",
			    cfg->smtp_password_env);
		}
		s->password = xstrdup(v);
	}
	if (dyn_load(CURL_SONAME, curl_syms) != DM_OK) {
		smtp_close(s);
		return dm_fail(DM_ESOFTWARE, "%s", dm_errdetail());
	}
	if (!global_done) {
		cu.global_init(CURL_GLOBAL_DEFAULT);
		global_done = 1;
	}
	if ((s->curl = cu.easy_init()) == NULL) {
		smtp_close(s);
		return dm_fail(DM_ENOMEM, "libcurl");
	}
	*out = s;
	return DM_OK;
}

void
smtp_close(struct dm_smtp *s)
{
	if (s == NULL)
		return;
	if (s->curl != NULL)
		cu.easy_cleanup(s->curl);
	if (s->password != NULL) {
		explicit_bzero(s->password, strlen(s->password));
		free(s->password);
	}
	free(s);
}

/*
 * libcurl reports an SMTP failure as its own sentence ("RCPT failed:
 * 550"); the server's words are in the protocol trace, so keep its last
 * reply line from there.
 */
static int
trace_cb(CURL *c, curl_infotype type, char *data, size_t size, void *arg)
{
	struct dm_smtp *s = arg;
	size_t n = size;

	(void)c;
	/* the refusal (4xx/5xx), not the "221 Bye" that may follow it */
	if (type != CURLINFO_HEADER_IN || size < 3 || data[0] < '4' ||
	    data[0] > '5')
		return 0;
	while (n > 0 && (data[n - 1] == '\r' || data[n - 1] == '\n'))
		n--;
	if (n >= sizeof(s->said))
		n = sizeof(s->said) - 1;
	memcpy(s->said, data, n);
	s->said[n] = '\0';
	return 0;
}

static void
setup(struct dm_smtp *s)
{
	const struct dm_config *cfg = s->cfg;
	CURL *c = s->curl;

	cu.easy_setopt(c, CURLOPT_URL, cfg->smtp_url);
	cu.easy_setopt(c, CURLOPT_ERRORBUFFER, s->errbuf);
	cu.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	cu.easy_setopt(c, CURLOPT_CONNECTTIMEOUT, cfg->smtp_timeout);
	cu.easy_setopt(c, CURLOPT_TIMEOUT, cfg->smtp_timeout * 4);
	cu.easy_setopt(c, CURLOPT_UPLOAD, 1L);
	cu.easy_setopt(c, CURLOPT_VERBOSE, 1L);	/* for trace_cb only */
	cu.easy_setopt(c, CURLOPT_DEBUGFUNCTION, trace_cb);
	cu.easy_setopt(c, CURLOPT_DEBUGDATA, s);
	cu.easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
	if (strcmp(cfg->smtp_tls, "starttls") == 0)
		cu.easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	else if (strcmp(cfg->smtp_tls, "none") == 0)
		cu.easy_setopt(c, CURLOPT_USE_SSL, (long)CURLUSESSL_NONE);
	if (cfg->smtp_ca_file[0] != '\0')
		cu.easy_setopt(c, CURLOPT_CAINFO, cfg->smtp_ca_file);
	if (cfg->smtp_user[0] != '\0') {
		cu.easy_setopt(c, CURLOPT_USERNAME, cfg->smtp_user);
		cu.easy_setopt(c, CURLOPT_PASSWORD, s->password ?
		    s->password : "");
	}
}

enum smtp_result
smtp_send(struct dm_smtp *s, const char *from, const char *rcpt,
    const char *data, size_t len, smtp_gate gate, void *gate_arg,
    char *reply, size_t replylen)
{
	struct curl_slist *to = NULL;
	struct upload u = { data, len, 0, gate, gate_arg, 0, 0 };
	long code = 0;
	CURLcode rc;

	setup(s);
	s->errbuf[0] = '\0';
	s->said[0] = '\0';
	to = cu.slist_append(to, rcpt);
	cu.easy_setopt(s->curl, CURLOPT_MAIL_FROM, from);
	cu.easy_setopt(s->curl, CURLOPT_MAIL_RCPT, to);
	cu.easy_setopt(s->curl, CURLOPT_READDATA, &u);
	cu.easy_setopt(s->curl, CURLOPT_INFILESIZE_LARGE, (curl_off_t)len);
	rc = cu.easy_perform(s->curl);
	cu.easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE, &code);
	cu.slist_free_all(to);
	cu.easy_setopt(s->curl, CURLOPT_MAIL_RCPT, NULL);
	if (code >= 400 && s->said[0] != '\0')
		snprintf(reply, replylen, "%s", s->said);
	else
		snprintf(reply, replylen, "%ld %s", code, s->errbuf[0] ?
		    s->errbuf : cu.easy_strerror(rc));
	if (rc == CURLE_OK)
		return SMTP_SENT;
	if (u.held) {
		/* cut off before its end: the server discards it, and the
		 * session is in no state for another mail */
		snprintf(reply, replylen, "held back before its end");
		return SMTP_HELD;
	}
	if (code >= 400 && code < 500)
		return SMTP_RETRY;
	if (code >= 500)
		return SMTP_FAILED;
	switch (rc) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
		return SMTP_RETRY;
	default:
		/* bad password, untrusted certificate, no STARTTLS: permanent
		 * for this mail until an admin acts; retrying would not help */
		return SMTP_FAILED;
	}
}
