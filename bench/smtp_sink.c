/*
 * smtp_sink.c - the SMTP sink for bench/smtp.
 *
 *   smtp_sink PORT MAILDIR [--tls CERT KEY] [--auth USER:PASS]
 *
 * Listens on 127.0.0.1:PORT, prints "ready" once listening and stores
 * every accepted message in MAILDIR/new exactly as tests/lib/smtp_sink.py
 * does (X-Envelope-From / X-Envelope-To on top of the bytes received),
 * until SIGTERM or SIGINT.  That aiosmtpd sink tops out near 510 msg/s on
 * one connection, below what bench/smtp wants to measure; this one has a
 * thread per connection, reads through its own buffer in large chunks and
 * answers each command with one send.  STARTTLS (GnuTLS) and AUTH PLAIN /
 * LOGIN as the Python sink has them; no fault injection, no PIPELINING.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>

#define BUFSZ		65536
#define LINE_MAX_	1000		/* octets on a line, CRLF not counted */
#define MSG_MAX		(50L << 20)	/* advertised as SIZE; more -> 552 */
#define RCPT_MAX	1000
#define IDLE_SECS	300		/* RFC 5321 4.5.3.2.7 */

static const char *maildir, *auth_user, *auth_pass;
static char host[256];
static gnutls_certificate_credentials_t cred;
static atomic_ulong seq;
static pid_t pid;
static atomic_int live;
static volatile sig_atomic_t stop;

struct conn {
	int fd;
	gnutls_session_t tls;		/* NULL until STARTTLS */
	int helo, authed, lastcr;
	char *from, **rcpt;		/* from set: in a transaction */
	size_t nrcpt;
	char *msg;
	size_t mlen, mcap;
	size_t r, w;			/* unread input: in[r..w) */
	char in[BUFSZ];
};

static ssize_t
c_read(struct conn *c, char *p, size_t n)
{
	int again = 0;
	for (;;) {
		ssize_t k = c->tls ? gnutls_record_recv(c->tls, p, n)
		    : recv(c->fd, p, n, 0);
		if (k >= 0)
			return k;
		if (c->tls ? k == GNUTLS_E_INTERRUPTED ||
		    (k == GNUTLS_E_AGAIN && ++again < 100) : errno == EINTR)
			continue;	/* TLS 1.3 post-handshake messages: AGAIN */
		return -1;
	}
}

static int
c_write(struct conn *c, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t k = c->tls ? gnutls_record_send(c->tls, p, n)
		    : send(c->fd, p, n, MSG_NOSIGNAL);
		if (k < 0) {
			if (c->tls ? k == GNUTLS_E_INTERRUPTED : errno == EINTR)
				continue;
			return -1;
		}
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

/* one reply, CRLF added, in one send */
static int __attribute__((format(printf, 2, 3)))
reply(struct conn *c, const char *fmt, ...)
{
	char b[2048];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b, sizeof b - 2, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n > sizeof b - 3)
		return -1;
	memcpy(b + n, "\r\n", 2);
	return c_write(c, b, (size_t)n + 2);
}

/*
 * The next line, up to and including its LF, at *line (valid until the
 * next call), *len bytes; *crlf tells whether the LF had a CR before it.
 * A line longer than LINE_MAX_ is skipped to its LF and given as NULL.
 * 0 when the peer is gone.
 */
static int
next_line(struct conn *c, char **line, size_t *len, int *crlf)
{
	int skipping = 0;

	for (;;) {
		char *p = c->in + c->r, *nl = memchr(p, '\n', c->w - c->r);
		if (nl != NULL) {
			size_t n = (size_t)(nl - p) + 1;
			*crlf = n >= 2 ? nl[-1] == '\r' : skipping && c->lastcr;
			*line = skipping || n - 1 - (n >= 2 && *crlf) > LINE_MAX_
			    ? NULL : p;
			*len = n;
			c->r += n;
			return 1;
		}
		if (c->w - c->r > LINE_MAX_ + 2) {	/* no LF in sight */
			skipping = 1;
			c->lastcr = c->in[c->w - 1] == '\r';
			c->r = c->w;
		}
		memmove(c->in, c->in + c->r, c->w - c->r);
		c->w -= c->r;
		c->r = 0;
		ssize_t k = c_read(c, c->in + c->w, BUFSZ - c->w);
		if (k <= 0)
			return 0;
		c->w += (size_t)k;
	}
}

static void
reset(struct conn *c)
{
	free(c->from);
	c->from = NULL;
	for (size_t i = 0; i < c->nrcpt; i++)
		free(c->rcpt[i]);
	c->nrcpt = 0;
}

/* writev() to the end */
static int
write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t k = writev(fd, iov, n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return -1;
		for (; n > 0 && (size_t)k >= iov->iov_len; iov++, n--)
			k -= (ssize_t)iov->iov_len;
		if (n > 0) {
			iov->iov_base = (char *)iov->iov_base + k;
			iov->iov_len -= (size_t)k;
		}
	}
	return 0;
}

/* the message into MAILDIR/tmp, then renamed into new/; its name in id */
static int
store(struct conn *c, char *id, size_t idsz)
{
	char tmp[4096], dst[4096], *head, *h;
	size_t hlen = sizeof "X-Envelope-From: <>\r\nX-Envelope-To: \r\n" +
	    strlen(c->from);
	struct timespec ts;
	int fd, ok;

	for (size_t i = 0; i < c->nrcpt; i++)
		hlen += strlen(c->rcpt[i]) + 4;
	if ((head = h = malloc(hlen)) == NULL)
		return -1;
	h += sprintf(h, "X-Envelope-From: <%s>\r\nX-Envelope-To: ", c->from);
	for (size_t i = 0; i < c->nrcpt; i++)
		h += sprintf(h, "%s<%s>", i ? ", " : "", c->rcpt[i]);
	h += sprintf(h, "\r\n");

	clock_gettime(CLOCK_REALTIME, &ts);	/* names as Python's mailbox */
	snprintf(id, idsz, "%lld.M%ldP%dQ%lu.%s", (long long)ts.tv_sec,
	    ts.tv_nsec / 1000, (int)pid, atomic_fetch_add(&seq, 1) + 1, host);
	snprintf(tmp, sizeof tmp, "%s/tmp/%s", maildir, id);
	snprintf(dst, sizeof dst, "%s/new/%s", maildir, id);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) < 0) {
		free(head);
		return -1;
	}
	struct iovec iov[2] = {
		{ head, (size_t)(h - head) }, { c->msg, c->mlen }
	};
	ok = write_all(fd, iov, 2) == 0;
	free(head);
	if (close(fd) != 0 || !ok || rename(tmp, dst) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* DATA after the 354: -1 when the peer is gone */
static int
data(struct conn *c)
{
	enum { OK, TOO_LONG, TOO_MUCH } state = OK;
	int bol = 1, crlf;
	size_t linelen = 0, total = 0, len;
	char *line, id[512];

	c->mlen = 0;
	for (;;) {
		if (!next_line(c, &line, &len, &crlf))
			return -1;
		if (line == NULL) {
			if (state == OK)
				state = TOO_LONG;
		} else if (bol && len == 3 && memcmp(line, ".\r\n", 3) == 0) {
			break;
		} else {
			if (bol && line[0] == '.') {	/* RFC 5321 4.5.2 */
				line++;
				len--;
			}
			linelen += len;
			total += len;
			if (state == OK && linelen > LINE_MAX_ + 2)
				state = TOO_LONG;
			if (state == OK && total > (size_t)MSG_MAX)
				state = TOO_MUCH;
			if (state == OK && c->mlen + len > c->mcap) {
				size_t cap = c->mcap ? c->mcap : 65536;
				while (cap < c->mlen + len)
					cap *= 2;
				char *m = realloc(c->msg, cap);
				if (m == NULL)
					state = TOO_MUCH;
				else {
					c->msg = m;
					c->mcap = cap;
				}
			}
			if (state == OK) {
				memcpy(c->msg + c->mlen, line, len);
				c->mlen += len;
			}
		}
		bol = crlf;
		if (crlf)
			linelen = 0;
	}
	int r = state == TOO_LONG ? reply(c, "500 5.5.6 Line too long")
	    : state == TOO_MUCH ? reply(c, "552 5.3.4 Too much mail data")
	    : store(c, id, sizeof id) != 0 ? reply(c, "451 4.3.0 Could not store")
	    : reply(c, "250 2.0.0 Ok: queued as %s", id);
	reset(c);
	if (c->mcap > (4 << 20)) {		/* keep no giant buffer idle */
		free(c->msg);
		c->msg = NULL;
		c->mcap = 0;
	}
	return r;
}

static int
b64dec(const char *s, char *out, size_t *outlen)
{
	static const char tbl[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	unsigned v = 0;
	int bits = 0;
	size_t n = 0;
	const char *p;

	for (; *s != '\0' && *s != '='; s++) {
		if ((p = strchr(tbl, *s)) == NULL)
			return -1;
		v = (v << 6 | (unsigned)(p - tbl)) & 0xffffff;
		if ((bits += 6) >= 8) {
			bits -= 8;
			out[n++] = (char)(v >> bits & 0xff);
		}
	}
	while (*s == '=')
		s++;
	*outlen = n;
	return *s == '\0' ? 0 : -1;
}

/* a client's line in answer to a 334, decoded; 1 cancelled, -1 gone */
static int
challenge(struct conn *c, const char *prompt, char *out, size_t *outlen)
{
	char *line, buf[LINE_MAX_ + 1];
	size_t len;
	int crlf;

	if (reply(c, "334 %s", prompt) != 0 || !next_line(c, &line, &len, &crlf))
		return -1;
	if (line == NULL)
		return 1;
	len -= crlf ? 2 : 1;
	memcpy(buf, line, len);
	buf[len] = '\0';
	return strcmp(buf, "*") == 0 || b64dec(buf, out, outlen) != 0;
}

static int
same(const char *s, size_t n, const char *want)
{
	return n == strlen(want) && memcmp(s, want, n) == 0;
}

static int
auth(struct conn *c, char *arg)
{
	char *ir = strchr(arg, ' '), a[LINE_MAX_], b[LINE_MAX_], *u, *p;
	size_t an = 0, bn = 0;
	int r, good;

	if (ir != NULL)
		*ir++ = '\0';
	if (strcasecmp(arg, "PLAIN") == 0) {
		/* [authzid] NUL authcid NUL passwd */
		if ((r = ir != NULL ? b64dec(ir, a, &an) != 0
		    : challenge(c, "", a, &an)) < 0)
			return -1;
		u = r == 0 ? memchr(a, '\0', an) : NULL;
		p = u != NULL ? memchr(u + 1, '\0', an - (size_t)(u + 1 - a)) : NULL;
		r = p == NULL;
		good = !r && same(u + 1, (size_t)(p - u - 1), auth_user) &&
		    same(p + 1, an - (size_t)(p + 1 - a), auth_pass);
	} else if (strcasecmp(arg, "LOGIN") == 0) {
		if ((r = ir != NULL ? b64dec(ir, a, &an) != 0
		    : challenge(c, "VXNlcm5hbWU6", a, &an)) < 0)
			return -1;
		if (r == 0 && (r = challenge(c, "UGFzc3dvcmQ6", b, &bn)) < 0)
			return -1;
		good = !r && same(a, an, auth_user) && same(b, bn, auth_pass);
	} else
		return reply(c, "504 5.5.4 Unrecognized authentication type");
	if (r != 0)
		return reply(c, "501 5.5.2 Cancelled or not base64");
	if (!good)
		return reply(c, "535 5.7.8 Authentication credentials invalid");
	c->authed = 1;
	return reply(c, "235 2.7.0 Authentication successful");
}

static int
starttls(struct conn *c)
{
	int r;

	if (reply(c, "220 2.0.0 Ready to start TLS") != 0)
		return -1;
	c->r = c->w = 0;	/* nothing sent before the handshake counts */
	if (gnutls_init(&c->tls, GNUTLS_SERVER | GNUTLS_NO_SIGNAL) < 0) {
		c->tls = NULL;
		return -1;
	}
	if (gnutls_set_default_priority(c->tls) < 0 ||
	    gnutls_credentials_set(c->tls, GNUTLS_CRD_CERTIFICATE, cred) < 0)
		return -1;
	gnutls_certificate_server_set_request(c->tls, GNUTLS_CERT_IGNORE);
	gnutls_transport_set_int(c->tls, c->fd);
	gnutls_handshake_set_timeout(c->tls, IDLE_SECS * 1000);
	gnutls_record_set_timeout(c->tls, IDLE_SECS * 1000);
	do
		r = gnutls_handshake(c->tls);
	while (r < 0 && r != GNUTLS_E_AGAIN && !gnutls_error_is_fatal(r));
	/*
	 * The client's Finished goes unanswered until its EHLO, which its
	 * Nagle holds back until our (delayed) ACK: 40 ms per connection.
	 * OpenSSL servers answer the Finished at once with session tickets.
	 */
	setsockopt(c->fd, IPPROTO_TCP, TCP_QUICKACK, &(int){ 1 }, sizeof(int));
	c->helo = c->authed = 0;	/* RFC 3207 4.2: start afresh */
	reset(c);
	return r < 0 ? -1 : 0;
}

/* MAIL FROM:<a> / RCPT TO:<a>: the address, NULL on bad syntax */
static char *
address(char *arg, const char *pfx, char **params)
{
	char *a, *e;

	if (strncasecmp(arg, pfx, strlen(pfx)) != 0)
		return NULL;
	for (a = arg + strlen(pfx); *a == ' '; a++)
		;
	if (*a == '<') {
		if ((e = strchr(++a, '>')) == NULL)
			return NULL;
	} else if ((e = a + strcspn(a, " ")) == a)
		return NULL;
	*params = *e ? e + 1 : e;
	*e = '\0';
	return a;
}

/* one command: 0 go on, 1 QUIT, -1 gone */
static int
command(struct conn *c)
{
	char *line, cmd[LINE_MAX_ + 1], *arg, *par, *a;
	size_t len;
	int crlf, tls_first = cred != NULL && c->tls == NULL;

	if (!next_line(c, &line, &len, &crlf))
		return -1;
	if (line == NULL)
		return reply(c, "500 5.5.2 Line too long");
	len -= crlf ? 2 : 1;
	memcpy(cmd, line, len);
	cmd[len] = '\0';
	arg = cmd + strcspn(cmd, " ");
	if (*arg != '\0')
		*arg++ = '\0';
#define IS(v) (strcasecmp(cmd, v) == 0)
	if (IS("EHLO") || IS("HELO")) {
		if (*arg == '\0')
			return reply(c, "501 5.5.4 Syntax: %s hostname", cmd);
		reset(c);
		c->helo = 1;
		if (IS("HELO"))
			return reply(c, "250 %s", host);
		return reply(c, "250-%s\r\n250-SIZE %ld\r\n%s%s250 8BITMIME",
		    host, MSG_MAX, tls_first ? "250-STARTTLS\r\n" : "",
		    auth_user && !tls_first && !c->authed ?
		    "250-AUTH PLAIN LOGIN\r\n" : "");
	}
	if (IS("NOOP"))
		return reply(c, "250 2.0.0 Ok");
	if (IS("RSET")) {
		reset(c);
		return reply(c, "250 2.0.0 Ok");
	}
	if (IS("QUIT"))
		return reply(c, "221 2.0.0 Bye") == 0 ? 1 : -1;
	if (IS("STARTTLS")) {
		if (cred == NULL)
			return reply(c, "502 5.5.1 Not implemented");
		if (c->tls != NULL)
			return reply(c, "503 5.5.1 Already in TLS");
		if (*arg != '\0')
			return reply(c, "501 5.5.4 Syntax: STARTTLS");
		return starttls(c);
	}
	if (!IS("AUTH") && !IS("MAIL") && !IS("RCPT") && !IS("DATA"))
		return IS("VRFY") || IS("EXPN") || IS("HELP") || IS("TURN")
		    ? reply(c, "502 5.5.1 Not implemented")
		    : reply(c, "500 5.5.2 Command unrecognized");
	if (!c->helo)
		return reply(c, "503 5.5.1 Send EHLO first");
	if (tls_first)
		return reply(c, "530 5.7.0 Must issue a STARTTLS command first");
	if (IS("AUTH")) {
		if (auth_user == NULL)
			return reply(c, "502 5.5.1 Not implemented");
		if (c->authed || c->from != NULL)
			return reply(c, "503 5.5.1 Not now");
		return auth(c, arg);
	}
	if (IS("MAIL")) {
		if (auth_user != NULL && !c->authed)
			return reply(c, "530 5.7.0 Authentication required");
		if (c->from != NULL)
			return reply(c, "503 5.5.1 Nested MAIL command");
		if ((a = address(arg, "FROM:", &par)) == NULL)
			return reply(c, "501 5.5.4 Syntax: MAIL FROM:<address>");
		char *sz = strcasestr(par, "SIZE=");
		if (sz != NULL && strtoul(sz + 5, NULL, 10) > (unsigned long)MSG_MAX)
			return reply(c, "552 5.3.4 Message too big");
		/* aiosmtpd's null reverse-path is "<>", stored as "<<>>" */
		if ((c->from = strdup(*a ? a : "<>")) == NULL)
			return reply(c, "451 4.3.0 Out of memory");
		return reply(c, "250 2.1.0 Ok");
	}
	if (IS("RCPT")) {
		if (c->from == NULL)
			return reply(c, "503 5.5.1 Need MAIL first");
		if ((a = address(arg, "TO:", &par)) == NULL || *a == '\0')
			return reply(c, "501 5.5.4 Syntax: RCPT TO:<address>");
		if (c->nrcpt == RCPT_MAX)
			return reply(c, "452 4.5.3 Too many recipients");
		if (c->rcpt == NULL &&
		    (c->rcpt = malloc(RCPT_MAX * sizeof *c->rcpt)) == NULL)
			return reply(c, "451 4.3.0 Out of memory");
		if ((c->rcpt[c->nrcpt] = strdup(a)) == NULL)
			return reply(c, "451 4.3.0 Out of memory");
		c->nrcpt++;
		return reply(c, "250 2.1.5 Ok");
	}
	/* DATA */
	if (c->nrcpt == 0)
		return reply(c, "503 5.5.1 Need RCPT first");
	if (*arg != '\0')
		return reply(c, "501 5.5.4 Syntax: DATA");
	if (reply(c, "354 End data with <CR><LF>.<CR><LF>") != 0)
		return -1;
	return data(c);
#undef IS
}

static void *
serve(void *arg)
{
	struct conn *c = arg;
	struct timeval tv = { IDLE_SECS, 0 };
	int one = 1, r;

	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	r = reply(c, "220 %s ESMTP deskmail bench sink", host);
	while (r == 0)
		r = command(c);
	if (c->tls != NULL) {
		if (r == 1)
			gnutls_bye(c->tls, GNUTLS_SHUT_WR);
		gnutls_deinit(c->tls);
	}
	close(c->fd);
	reset(c);
	free(c->rcpt);
	free(c->msg);
	free(c);
	atomic_fetch_sub(&live, 1);
	return NULL;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
usage(void)
{
	fprintf(stderr, "usage: smtp_sink PORT MAILDIR [--tls CERT KEY] "
	    "[--auth USER:PASS]\n");
	return 64;
}

int
main(int argc, char **argv)
{
	const char *cert = NULL, *key = NULL, *sub[] = { "", "/tmp", "/new", "/cur" };
	char path[4096], *end;
	long port;
	int lfd, one = 1, r;

	if (argc < 3)
		return usage();
	port = strtol(argv[1], &end, 10);
	if (*end != '\0' || port < 1 || port > 65535)
		return usage();
	maildir = argv[2];
	for (int i = 3; i < argc; i++) {
		if (strcmp(argv[i], "--tls") == 0 && i + 2 < argc) {
			cert = argv[++i];
			key = argv[++i];
		} else if (strcmp(argv[i], "--auth") == 0 && i + 1 < argc &&
		    (end = strchr(argv[++i], ':')) != NULL) {
			*end = '\0';
			auth_user = argv[i];
			auth_pass = end + 1;
		} else
			return usage();
	}
	for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
		snprintf(path, sizeof path, "%s%s", maildir, sub[i]);
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			perror(path);
			return 1;
		}
	}
	if (cert != NULL && ((r = gnutls_certificate_allocate_credentials(&cred)) < 0 ||
	    (r = gnutls_certificate_set_x509_key_file(cred, cert, key,
	    GNUTLS_X509_FMT_PEM)) < 0)) {
		fprintf(stderr, "smtp_sink: %s: %s\n", cert, gnutls_strerror(r));
		return 1;
	}
	pid = getpid();
	gethostname(host, sizeof host - 1);
	for (char *h = host; *h; h++)		/* as mailbox.py: no / or : */
		if (*h == '/' || *h == ':' || *h == ' ')
			*h = '_';

	/* the signals reach only the accept loop, and only inside ppoll */
	sigset_t block, old;
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port),
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	if ((lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    listen(lfd, SOMAXCONN) != 0) {
		perror("smtp_sink: listen");
		return 1;
	}
	printf("ready\n");
	fflush(stdout);

	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	while (!stop) {
		struct pollfd pfd = { lfd, POLLIN, 0 };
		if (ppoll(&pfd, 1, NULL, &old) <= 0)
			continue;
		int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)	/* no spin */
				nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
			continue;
		}
		struct conn *c = calloc(1, sizeof *c);
		pthread_t t;
		if (c != NULL) {
			c->fd = fd;
			atomic_fetch_add(&live, 1);
			if (pthread_create(&t, &attr, serve, c) == 0)
				continue;
			atomic_fetch_sub(&live, 1);
			free(c);
		}
		send(fd, "421 4.3.2 Too busy\r\n", 20, MSG_NOSIGNAL);
		close(fd);
	}
	close(lfd);
	if (atomic_load(&live) > 0)	/* threads still talking: no teardown */
		_exit(0);
	pthread_attr_destroy(&attr);
	if (cred != NULL)
		gnutls_certificate_free_credentials(cred);
	return 0;
}
