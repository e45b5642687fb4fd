/*
 * lmtp.c - the LMTP protocol without the sockets (see lmtp.h).
 *
 * Strict where strictness keeps a message whole: commands end in CRLF,
 * the message ends only at CRLF "." CRLF (a bare LF is text, so a
 * "\n.\n" cannot end one message early and start another), and paths
 * carry no control characters into the trace fields we write.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include "deskmail/lmtp.h"
#include "deskmail/queue.h"

static void
reset(struct lmtp_session *s)
{
	size_t i;

	for (i = 0; i < s->nrcpt; i++)
		free(s->rcpt[i]);
	free(s->rcpt);
	s->rcpt = NULL;
	s->nrcpt = 0;
	s->from[0] = '\0';
	if (s->state != LMTP_START)
		s->state = LMTP_READY;
}

void
lmtp_session_init(struct lmtp_session *s, const struct dm_config *cfg,
    const char *host)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->host = host;
	s->state = LMTP_START;
}

void
lmtp_session_free(struct lmtp_session *s)
{
	reset(s);
}

void
lmtp_greeting(struct lmtp_session *s, struct buf *out)
{
	buf_addf(out, "220 %s LMTP deskmail ready\r\n", s->host);
}

/* A reply that counts as the client's error; too many end the session. */
static enum lmtp_next
refuse(struct lmtp_session *s, struct buf *out, const char *reply)
{
	buf_addf(out, "%s\r\n", reply);
	if (++s->errors < LMTP_ERRORS_MAX)
		return LMTP_NEXT_COMMAND;
	buf_adds(out, "421 4.7.0 too many errors, closing\r\n");
	return LMTP_NEXT_CLOSE;
}

enum lmtp_next
lmtp_bad_line(struct lmtp_session *s, const char *why, struct buf *out)
{
	char reply[128];

	snprintf(reply, sizeof(reply), "500 5.5.2 %s", why);
	return refuse(s, out, reply);
}

/* Does line start with word (any case), followed by the end or a space? */
static int
verb_is(const char *line, size_t len, const char *word)
{
	size_t n = strlen(word);

	return len >= n && strncasecmp(line, word, n) == 0 &&
	    (len == n || line[n] == ' ');
}

/*
 * "<path>" at *p (after "FROM:" or "TO:", spaces allowed before it, as
 * MTAs send them): into path without the brackets or a source route
 * ("<@a,@b:user@d>" is user@d).  Moves *p past it; -1 when malformed.
 */
static int
parse_path(const char **p, const char *end, char path[LMTP_PATH_MAX + 1])
{
	const char *q = *p, *close, *colon;
	size_t n;

	while (q < end && *q == ' ')
		q++;
	if (q == end || *q != '<' ||
	    (close = memchr(q, '>', (size_t)(end - q))) == NULL)
		return -1;
	q++;
	if (q < close && *q == '@' &&
	    (colon = memchr(q, ':', (size_t)(close - q))) != NULL)
		q = colon + 1;
	if ((n = (size_t)(close - q)) > LMTP_PATH_MAX)
		return -1;
	for (colon = q; colon < close; colon++)
		if ((unsigned char)*colon <= ' ' || *colon == 0x7f ||
		    (unsigned char)*colon >= 0x80 || *colon == '<')
			return -1;
	memcpy(path, q, n);
	path[n] = '\0';
	*p = close + 1;
	return 0;
}

/*
 * The parameters after MAIL's path: SIZE=n and BODY=7BIT|8BITMIME, the
 * extensions we announce.  The reply for the first that is wrong, or
 * NULL.
 */
static const char *
mail_params(struct lmtp_session *s, const char *p, const char *end)
{
	const char *e;
	char word[64], *stop;
	unsigned long long size;
	size_t n;

	for (; p < end; p = e) {
		while (p < end && *p == ' ')
			p++;
		if (p == end)
			break;
		e = memchr(p, ' ', (size_t)(end - p));
		if (e == NULL)
			e = end;
		if ((n = (size_t)(e - p)) >= sizeof(word))
			return "555 5.5.4 parameter not recognised";
		memcpy(word, p, n);
		word[n] = '\0';
		if (strncasecmp(word, "SIZE=", 5) == 0) {
			size = strtoull(word + 5, &stop, 10);
			if (!isdigit((unsigned char)word[5]) || *stop != '\0')
				return "501 5.5.4 SIZE wants a number";
			if (size > (unsigned long long)
			    s->cfg->limits.max_message_bytes)
				return "552 5.3.4 message larger than this "
				    "service desk takes";
		} else if (strcasecmp(word, "BODY=7BIT") != 0 &&
		    strcasecmp(word, "BODY=8BITMIME") != 0)
			return "555 5.5.4 parameter not recognised";
	}
	return NULL;
}

/* "help+42@example.org" is help@example.org's. */
static int
recipient_ours(const struct dm_config *cfg, const char *rcpt)
{
	const char *plus = strchr(rcpt, '+'), *at = strrchr(rcpt, '@');
	char bare[LMTP_PATH_MAX + 1];

	if (strcmp(cfg->lmtp_accept, "all") == 0)
		return 1;
	if (plus != NULL && at != NULL && plus < at) {
		snprintf(bare, sizeof(bare), "%.*s%s", (int)(plus - rcpt), rcpt,
		    at);
		rcpt = bare;
	}
	return strcasecmp(rcpt, cfg->address) == 0 ||
	    queue_is_own_address(cfg, rcpt);
}

static enum lmtp_next
mail(struct lmtp_session *s, const char *line, size_t len, struct buf *out)
{
	const char *p = line + 10, *end = line + len, *why;

	if (s->state == LMTP_START)
		return refuse(s, out, "503 5.5.1 LHLO first");
	if (s->state != LMTP_READY)
		return refuse(s, out, "503 5.5.1 a MAIL is under way");
	if (parse_path(&p, end, s->from) != 0) {
		s->from[0] = '\0';
		return refuse(s, out, "501 5.1.7 bad sender address");
	}
	if (p < end && *p != ' ') {
		s->from[0] = '\0';
		return refuse(s, out, "501 5.5.4 bad MAIL parameters");
	}
	if ((why = mail_params(s, p, end)) != NULL) {
		s->from[0] = '\0';
		return refuse(s, out, why);
	}
	s->state = LMTP_MAIL;
	buf_adds(out, "250 2.1.0 sender ok\r\n");
	return LMTP_NEXT_COMMAND;
}

static enum lmtp_next
rcpt(struct lmtp_session *s, const char *line, size_t len, struct buf *out)
{
	const char *p = line + 8, *end = line + len;
	char path[LMTP_PATH_MAX + 1];

	if (s->state != LMTP_MAIL && s->state != LMTP_RCPT)
		return refuse(s, out, "503 5.5.1 MAIL first");
	if (parse_path(&p, end, path) != 0 || strchr(path, '@') == NULL)
		return refuse(s, out, "501 5.1.3 bad recipient address");
	while (p < end && *p == ' ')
		p++;
	if (p != end)
		return refuse(s, out, "555 5.5.4 parameter not recognised");
	if (s->nrcpt >= LMTP_RCPT_MAX) {
		buf_adds(out, "452 4.5.3 too many recipients\r\n");
		return LMTP_NEXT_COMMAND;
	}
	if (!recipient_ours(s->cfg, path)) {
		buf_addf(out, "550 5.1.1 <%s>: not an address of this service "
		    "desk\r\n", path);
		return LMTP_NEXT_COMMAND;
	}
	s->rcpt = xreallocarray(s->rcpt, s->nrcpt + 1, sizeof(*s->rcpt));
	s->rcpt[s->nrcpt++] = xstrdup(path);
	s->state = LMTP_RCPT;
	buf_adds(out, "250 2.1.5 recipient ok\r\n");
	return LMTP_NEXT_COMMAND;
}

enum lmtp_next
lmtp_command(struct lmtp_session *s, const char *line, size_t len,
    struct buf *out)
{
	if (memchr(line, '\0', len) != NULL)
		return lmtp_bad_line(s, "NUL in a command", out);
	if (verb_is(line, len, "LHLO")) {
		if (len < 6)
			return refuse(s, out, "501 5.5.4 LHLO wants a name");
		s->state = LMTP_READY;
		reset(s);
		buf_addf(out, "250-%s\r\n250-PIPELINING\r\n"
		    "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
		    "250 SIZE %ld\r\n", s->host,
		    s->cfg->limits.max_message_bytes);
		return LMTP_NEXT_COMMAND;
	}
	if (verb_is(line, len, "HELO") || verb_is(line, len, "EHLO"))
		return refuse(s, out, "500 5.5.1 this is LMTP: say LHLO");
	if (len >= 10 && strncasecmp(line, "MAIL FROM:", 10) == 0)
		return mail(s, line, len, out);
	if (len >= 8 && strncasecmp(line, "RCPT TO:", 8) == 0)
		return rcpt(s, line, len, out);
	if (verb_is(line, len, "MAIL") || verb_is(line, len, "RCPT"))
		return refuse(s, out, "501 5.5.4 syntax: MAIL FROM:<address>, "
		    "RCPT TO:<address>");
	if (verb_is(line, len, "DATA")) {
		if (len != 4)
			return refuse(s, out, "501 5.5.4 DATA takes nothing");
		if (s->state == LMTP_MAIL)
			return refuse(s, out, "554 5.5.1 no valid recipients");
		if (s->state != LMTP_RCPT)
			return refuse(s, out, "503 5.5.1 MAIL and RCPT first");
		buf_adds(out, "354 go ahead, end with <CRLF>.<CRLF>\r\n");
		return LMTP_NEXT_DATA;
	}
	if (verb_is(line, len, "RSET")) {
		reset(s);
		buf_adds(out, "250 2.0.0 ok\r\n");
		return LMTP_NEXT_COMMAND;
	}
	if (verb_is(line, len, "NOOP")) {
		buf_adds(out, "250 2.0.0 ok\r\n");
		return LMTP_NEXT_COMMAND;
	}
	if (verb_is(line, len, "QUIT")) {
		buf_addf(out, "221 2.0.0 %s closing\r\n", s->host);
		return LMTP_NEXT_CLOSE;
	}
	if (verb_is(line, len, "VRFY")) {
		buf_adds(out, "252 2.5.0 send the mail and see\r\n");
		return LMTP_NEXT_COMMAND;
	}
	return refuse(s, out, "500 5.5.2 command not recognised");
}

/* The states of lmtp_data_feed(): where in a line we are. */
enum { D_LINE_START, D_DOT, D_DOT_CR, D_TEXT, D_CR };

void
lmtp_data_begin(struct lmtp_data *d, const struct lmtp_session *s,
    size_t max)
{
	size_t i, j;

	memset(d, 0, sizeof(*d));
	buf_init(&d->msg);
	d->max = max;
	d->state = D_LINE_START;
	/* the final delivery's trace fields (RFC 5321 4.4) */
	buf_addf(&d->msg, "Return-Path: <%s>\r\n", s->from);
	for (i = 0; i < s->nrcpt; i++) {
		for (j = 0; j < i; j++)
			if (strcasecmp(s->rcpt[i], s->rcpt[j]) == 0)
				break;
		if (j == i)
			buf_addf(&d->msg, "Delivered-To: %s\r\n", s->rcpt[i]);
	}
	d->prefix = d->msg.len;
}

/* Keep what fits of n bytes of the message; count them all. */
static void
keep(struct lmtp_data *d, const char *p, size_t n)
{
	if (d->size < d->max)
		buf_add(&d->msg, p, n < d->max - d->size ? n : d->max - d->size);
	d->size += n;
}

size_t
lmtp_data_feed(struct lmtp_data *d, const char *p, size_t n)
{
	const char *start = p, *end = p + n, *cr;

	while (p < end && !d->done) {
		switch (d->state) {
		case D_LINE_START:
			if (*p == '.') {
				d->state = D_DOT;
				p++;
				continue;
			}
			d->state = D_TEXT;
			continue;
		case D_DOT:
			/* a dot starting a line was doubled, or ends it all */
			if (*p == '\r') {
				d->state = D_DOT_CR;
				p++;
				continue;
			}
			d->state = D_TEXT;
			continue;
		case D_DOT_CR:
			if (*p == '\n') {
				d->done = 1;
				p++;
				continue;
			}
			keep(d, "\r", 1);
			d->state = D_CR;
			continue;
		case D_TEXT:
			/* whole runs up to the next CR at once */
			cr = memchr(p, '\r', (size_t)(end - p));
			keep(d, p, (size_t)((cr != NULL ? cr + 1 : end) - p));
			if (cr != NULL)
				d->state = D_CR;
			p = cr != NULL ? cr + 1 : end;
			continue;
		case D_CR:
			keep(d, p, 1);
			d->state = *p == '\n' ? D_LINE_START :
			    *p == '\r' ? D_CR : D_TEXT;
			p++;
			continue;
		}
	}
	return (size_t)(p - start);
}

int
lmtp_data_over(const struct lmtp_data *d)
{
	return d->size > d->max;
}

void
lmtp_data_free(struct lmtp_data *d)
{
	buf_free(&d->msg);
}

/* text for a reply line: no control characters, not too long */
static void
reply_text(char *dst, size_t size, const char *src)
{
	size_t i;

	snprintf(dst, size, "%s", src);
	for (i = 0; dst[i] != '\0'; i++)
		if ((unsigned char)dst[i] < ' ' || dst[i] == 0x7f)
			dst[i] = ' ';
}

void
lmtp_replies(struct lmtp_session *s, const struct lmtp_data *d, int status,
    const char *line, struct buf *out)
{
	char text[200];
	size_t i;

	reply_text(text, sizeof(text), line);
	for (i = 0; i < s->nrcpt; i++) {
		if (lmtp_data_over(d))
			buf_addf(out, "552 5.3.4 <%s> message larger than the "
			    "%zu bytes this service desk takes\r\n",
			    s->rcpt[i], d->max);
		else if (status == EX_OK)
			buf_addf(out, "250 2.0.0 <%s> stored: %s\r\n",
			    s->rcpt[i], text);
		else
			buf_addf(out, "451 4.3.0 <%s> not stored, try again "
			    "later: %s\r\n", s->rcpt[i], text);
	}
	reset(s);
}
