/*
 * lmtp_server.c - run's LMTP listener (see lmtp_server.h): the sockets,
 * a thread per connection, and the writer that commits for all of them.
 */
#include <errno.h>
#include <grp.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "deskmail/batch.h"
#include "deskmail/lmtp.h"
#include "deskmail/lmtp_server.h"
#include "deskmail/log.h"
#include "deskmail/util.h"

/* connections at once; Postfix opens up to 20 to one destination */
#define CONNECTIONS_MAX	64
/* how long a client may be silent (RFC 5321 4.5.3.2 says 5 minutes) */
#define IDLE_SECONDS	300
/* how often a waiting thread looks at *stop, in milliseconds */
#define STOP_POLL_MS	200
/* how long a client may leave our replies unread */
#define SEND_SECONDS	30
/* replies kept for a pipelining client before they are sent anyway */
#define OUT_FLUSH	4096

/* A message waiting for the writer. */
struct pending {
	struct batch_job	 job;
	int			 done;
	struct pending		*next;
};

struct lmtp_server {
	const struct dm_config	*cfg;
	volatile int		*stop;
	int			 fd;		/* listening */
	int			 is_unix;
	int			 has_group;
	gid_t			 group;
	char			 host[256];
	pthread_t		 acceptor, writer;
	pthread_mutex_t		 lock;
	pthread_cond_t		 work;		/* for the writer */
	pthread_cond_t		 done;		/* a commit, a connection's end */
	struct pending		*head, **tail;
	size_t			 connections;
	int			 writer_quit;
};

struct conn {
	struct lmtp_server	*srv;
	int			 fd;
	char			 in[16384];
	size_t			 inlen, inoff;
	struct buf		 out;
	struct lmtp_session	 session;
};

int
lmtp_listen_is_path(const struct dm_config *cfg)
{
	const char *v = cfg->lmtp_listen;

	return strcmp(v, "none") != 0 &&
	    (strchr(v, '/') != NULL || strchr(v, ':') == NULL);
}

/* A Unix socket's address; DM_ECONFIG when the path is too long. */
static dm_err
unix_address(const char *path, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sa->sun_path))
		return dm_fail(DM_ECONFIG, "lmtp_listen %s: longer than the "
		    "%zu bytes a socket path may have", path,
		    sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, path, strlen(path));
	return DM_OK;
}

/* HOST:PORT, HOST in brackets for IPv6, as getaddrinfo() finds it. */
static dm_err
tcp_address(const char *v, int flags, struct addrinfo **res)
{
	const char *colon = strrchr(v, ':');
	struct addrinfo hints;
	char host[64];
	size_t n;
	int rc;

	if (colon == NULL || (n = (size_t)(colon - v)) >= sizeof(host))
		return dm_fail(DM_ECONFIG, "lmtp_listen '%s' is not HOST:PORT",
		    v);
	memcpy(host, v, n);
	host[n] = '\0';
	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = flags | AI_NUMERICSERV;
	if ((rc = getaddrinfo(host, colon + 1, &hints, res)) != 0)
		return dm_fail(DM_ECONFIG, "lmtp_listen %s: %s", v,
		    gai_strerror(rc));
	return DM_OK;
}

const char *
lmtp_listen_state(const struct dm_config *cfg)
{
	struct sockaddr_un sa;
	struct addrinfo *res;
	int fd, up = 0;

	if (strcmp(cfg->lmtp_listen, "none") == 0)
		return "off";
	if (lmtp_listen_is_path(cfg)) {
		if (unix_address(cfg->lmtp_listen, &sa) == DM_OK &&
		    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
			up = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
			close(fd);
		}
		return up ? "listening" : "not running";
	}
	if (tcp_address(cfg->lmtp_listen, 0, &res) != DM_OK)
		return "not running";
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) >= 0) {
		up = connect(fd, res->ai_addr, res->ai_addrlen) == 0;
		close(fd);
	}
	freeaddrinfo(res);
	return up ? "listening" : "not running";
}

/* Send what the session said; -1 when the client is gone. */
static int
flush(struct conn *c)
{
	const char *p = c->out.data;
	size_t n = c->out.len;
	ssize_t w;

	while (n > 0) {
		if ((w = send(c->fd, p, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	c->out.len = 0;
	return 0;
}

enum { FILL_OK, FILL_END, FILL_STOP };

/*
 * Answer what was asked so far, then read more.  Replies wait until the
 * client has nothing more queued: a pipelining client gets them together.
 */
static int
fill(struct conn *c)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	time_t deadline = time(NULL) + IDLE_SECONDS;
	ssize_t r;
	int rc;

	if (flush(c) != 0)
		return FILL_END;
	if (c->inoff > 0) {
		memmove(c->in, c->in + c->inoff, c->inlen - c->inoff);
		c->inlen -= c->inoff;
		c->inoff = 0;
	}
	for (;;) {
		if (*c->srv->stop)
			return FILL_STOP;
		if (time(NULL) >= deadline)
			return FILL_END;
		if ((rc = poll(&pfd, 1, STOP_POLL_MS)) < 0 && errno != EINTR)
			return FILL_END;
		if (rc <= 0)
			continue;
		r = recv(c->fd, c->in + c->inlen, sizeof(c->in) - c->inlen, 0);
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0)
			return FILL_END;
		c->inlen += (size_t)r;
		return FILL_OK;
	}
}

/* Hand the writer a message and wait until it committed (or failed). */
static void
commit(struct lmtp_server *s, struct batch_job *job)
{
	struct pending p;

	memset(&p, 0, sizeof(p));
	p.job = *job;
	pthread_mutex_lock(&s->lock);
	*s->tail = &p;
	s->tail = &p.next;
	pthread_cond_signal(&s->work);
	while (!p.done)
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
	*job = p.job;
}

/* After DATA: the message, then a reply per recipient; -1 to hang up. */
static int
receive_message(struct conn *c)
{
	struct lmtp_server *s = c->srv;
	struct batch_job job;
	struct lmtp_data d;

	lmtp_data_begin(&d, &c->session,
	    (size_t)s->cfg->limits.max_message_bytes);
	for (;;) {
		c->inoff += lmtp_data_feed(&d, c->in + c->inoff,
		    c->inlen - c->inoff);
		if (d.done)
			break;
		/* a client gone mid-message, or our stop: no reply, so the
		 * MTA keeps the message and tries again */
		if (fill(c) != FILL_OK) {
			lmtp_data_free(&d);
			return -1;
		}
	}
	memset(&job, 0, sizeof(job));
	job.status = EX_TEMPFAIL;
	if (!lmtp_data_over(&d)) {
		job.raw = d.msg.data;
		job.len = job.total = d.msg.len;
		commit(s, &job);
	}
	lmtp_replies(&c->session, &d, job.status, job.line, &c->out);
	lmtp_data_free(&d);
	return 0;
}

/* The next command line, or why there is none. */
static enum lmtp_next
next_command(struct conn *c)
{
	int too_long = 0, rc;
	char *line, *lf;
	size_t len;

	/* a client that sends and never reads must not make us hoard */
	if (c->out.len >= OUT_FLUSH && flush(c) != 0)
		return LMTP_NEXT_CLOSE;
	for (;;) {
		line = c->in + c->inoff;
		lf = memchr(line, '\n', c->inlen - c->inoff);
		if (lf != NULL)
			break;
		/* no end in sight: drop what came, answer at the LF */
		if (c->inlen - c->inoff >= LMTP_LINE_MAX) {
			too_long = 1;
			c->inoff = c->inlen;
		}
		if ((rc = fill(c)) == FILL_STOP) {
			buf_adds(&c->out, "421 4.3.2 deskmail is stopping\r\n");
			return LMTP_NEXT_CLOSE;
		}
		if (rc == FILL_END)
			return LMTP_NEXT_CLOSE;
	}
	len = (size_t)(lf - line);
	c->inoff += len + 1;
	if (too_long || len + 1 > LMTP_LINE_MAX)
		return lmtp_bad_line(&c->session, "line too long", &c->out);
	if (len == 0 || line[len - 1] != '\r')
		return lmtp_bad_line(&c->session, "bare LF: end lines with "
		    "CRLF", &c->out);
	return lmtp_command(&c->session, line, len - 1, &c->out);
}

static void *
serve_connection(void *arg)
{
	struct conn *c = arg;
	struct lmtp_server *s = c->srv;
	enum lmtp_next next;
	struct timeval tv = { SEND_SECONDS, 0 };

	setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	buf_init(&c->out);
	lmtp_session_init(&c->session, s->cfg, s->host);
	lmtp_greeting(&c->session, &c->out);
	while ((next = next_command(c)) != LMTP_NEXT_CLOSE)
		if (next == LMTP_NEXT_DATA && receive_message(c) != 0)
			break;
	(void)flush(c);
	close(c->fd);
	lmtp_session_free(&c->session);
	buf_free(&c->out);
	free(c);
	pthread_mutex_lock(&s->lock);
	s->connections--;
	pthread_cond_broadcast(&s->done);
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

/* The writer: everyone waiting, in one transaction, until told to end. */
static void *
write_messages(void *arg)
{
	struct lmtp_server *s = arg;
	struct batch_writer w = { s->cfg, "lmtp", "lmtp", NULL, 0 };
	struct pending *taken[BATCH_MAX];
	struct batch_job jobs[BATCH_MAX];
	size_t n, i, bytes;

	(void)batch_prepare(&w);
	pthread_mutex_lock(&s->lock);
	for (;;) {
		while (s->head == NULL && !s->writer_quit)
			pthread_cond_wait(&s->work, &s->lock);
		if (s->head == NULL)
			break;
		for (n = 0, bytes = 0; s->head != NULL && n < BATCH_MAX &&
		    bytes < BATCH_BYTES; n++) {
			taken[n] = s->head;
			bytes += s->head->job.len;
			if ((s->head = s->head->next) == NULL)
				s->tail = &s->head;
		}
		pthread_mutex_unlock(&s->lock);
		for (i = 0; i < n; i++)
			jobs[i] = taken[i]->job;
		batch_store(&w, jobs, n);
		pthread_mutex_lock(&s->lock);
		for (i = 0; i < n; i++) {
			taken[i]->job = jobs[i];
			taken[i]->done = 1;
		}
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	batch_close(&w);
	return NULL;
}

/* Is lmtp_group among the peer's groups, supplementary ones included? */
static int
peer_in_group(const struct lmtp_server *s, int fd, gid_t primary)
{
	gid_t some[64], *g = some;
	socklen_t n = sizeof(some);
	size_t i;
	int in = primary == s->group;

	if (in)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &n) != 0) {
		if (errno != ERANGE)
			return 0;
		g = xmalloc(n);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &n) != 0)
			n = 0;
	}
	for (i = 0; i < n / sizeof(*g) && !in; i++)
		in = g[i] == s->group;
	if (g != some)
		free(g);
	return in;
}

/*
 * On the Unix socket: our user, root, or a process of lmtp_group.  The
 * socket's mode says as much; this holds too when someone loosens it.
 */
static int
peer_allowed(const struct lmtp_server *s, int fd)
{
	struct ucred cred;
	socklen_t n = sizeof(cred);

	if (!s->is_unix)
		return 1;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &n) != 0)
		return 0;
	return cred.uid == geteuid() || cred.uid == 0 ||
	    (s->has_group && peer_in_group(s, fd, cred.gid));
}

static void
turn_away(int fd, const char *reply)
{
	(void)send(fd, reply, strlen(reply), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

static void *
accept_connections(void *arg)
{
	struct lmtp_server *s = arg;
	struct pollfd pfd = { s->fd, POLLIN, 0 };
	pthread_attr_t attr;
	pthread_t t;
	struct conn *c;
	int fd;

	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 256 << 10);
	while (!*s->stop) {
		if (poll(&pfd, 1, STOP_POLL_MS) <= 0 ||
		    (fd = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC)) < 0)
			continue;
		if (!peer_allowed(s, fd)) {
			log_error("lmtp: refused a connection from a user "
			    "neither ours nor of lmtp_group");
			close(fd);
			continue;
		}
		pthread_mutex_lock(&s->lock);
		if (s->connections >= CONNECTIONS_MAX) {
			pthread_mutex_unlock(&s->lock);
			turn_away(fd, "421 4.3.2 too many connections, try "
			    "again later\r\n");
			continue;
		}
		s->connections++;
		pthread_mutex_unlock(&s->lock);
		c = xcalloc(1, sizeof(*c));
		c->srv = s;
		c->fd = fd;
		if (pthread_create(&t, &attr, serve_connection, c) != 0) {
			free(c);
			turn_away(fd, "421 4.3.2 cannot serve now, try again "
			    "later\r\n");
			pthread_mutex_lock(&s->lock);
			s->connections--;
			pthread_mutex_unlock(&s->lock);
		}
	}
	pthread_attr_destroy(&attr);
	return NULL;
}

static dm_err
listen_unix(struct lmtp_server *s)
{
	const char *path = s->cfg->lmtp_listen;
	struct sockaddr_un sa;
	struct group *gr;
	struct stat sb;
	dm_err err;

	if ((err = unix_address(path, &sa)) != DM_OK)
		return err;
	if (s->cfg->lmtp_group[0] != '\0') {
		if ((gr = getgrnam(s->cfg->lmtp_group)) == NULL)
			return dm_fail(DM_ECONFIG, "lmtp_group %s: no such "
			    "group", s->cfg->lmtp_group);
		s->has_group = 1;
		s->group = gr->gr_gid;
	}
	/* one left by a run that was killed; run's lock says it is ours */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return dm_fail(DM_ECONFIG, "lmtp_listen %s: exists and "
			    "is not a socket", path);
		(void)unlink(path);
	}
	s->is_unix = 1;		/* from here on, ours to remove */
	if ((s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    (s->has_group && chown(path, (uid_t)-1, s->group) != 0) ||
	    chmod(path, s->has_group ? 0660 : 0600) != 0 ||
	    listen(s->fd, 128) != 0)
		return dm_fail(DM_EIO, "lmtp_listen %s: %s", path,
		    strerror(errno));
	return DM_OK;
}

/* config.c let only loopback addresses in */
static dm_err
listen_tcp(struct lmtp_server *s)
{
	const char *v = s->cfg->lmtp_listen;
	struct addrinfo *res;
	dm_err err;
	int one = 1;

	if ((err = tcp_address(v, AI_PASSIVE, &res)) != DM_OK)
		return err;
	if ((s->fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0 ||
	    setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one,
	    sizeof(one)) != 0 ||
	    bind(s->fd, res->ai_addr, res->ai_addrlen) != 0 ||
	    listen(s->fd, 128) != 0) {
		freeaddrinfo(res);
		return dm_fail(DM_ENET, "lmtp_listen %s: %s", v,
		    strerror(errno));
	}
	freeaddrinfo(res);
	return DM_OK;
}

static void
destroy(struct lmtp_server *s)
{
	if (s->fd >= 0) {
		close(s->fd);
		if (s->is_unix)
			(void)unlink(s->cfg->lmtp_listen);
	}
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->work);
	pthread_cond_destroy(&s->done);
	free(s);
}

dm_err
lmtp_server_start(const struct dm_config *cfg, volatile int *stop,
    struct lmtp_server **out)
{
	struct lmtp_server *s;
	dm_err err;
	int rc;

	*out = NULL;
	if (strcmp(cfg->lmtp_listen, "none") == 0)
		return DM_OK;
	s = xcalloc(1, sizeof(*s));
	s->cfg = cfg;
	s->stop = stop;
	s->fd = -1;
	s->tail = &s->head;
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->work, NULL);
	pthread_cond_init(&s->done, NULL);
	if (gethostname(s->host, sizeof(s->host) - 1) != 0 ||
	    s->host[0] == '\0')
		snprintf(s->host, sizeof(s->host), "localhost");
	err = lmtp_listen_is_path(cfg) ? listen_unix(s) : listen_tcp(s);
	if (err != DM_OK) {
		destroy(s);
		return err;
	}
	if ((rc = pthread_create(&s->writer, NULL, write_messages, s)) != 0) {
		destroy(s);
		return dm_fail(DM_ESOFTWARE, "lmtp: cannot start a thread: %s",
		    strerror(rc));
	}
	if ((rc = pthread_create(&s->acceptor, NULL, accept_connections,
	    s)) != 0) {
		pthread_mutex_lock(&s->lock);
		s->writer_quit = 1;
		pthread_cond_signal(&s->work);
		pthread_mutex_unlock(&s->lock);
		pthread_join(s->writer, NULL);
		destroy(s);
		return dm_fail(DM_ESOFTWARE, "lmtp: cannot start a thread: %s",
		    strerror(rc));
	}
	*out = s;
	return DM_OK;
}

void
lmtp_server_stop(struct lmtp_server *s)
{
	if (s == NULL)
		return;
	pthread_join(s->acceptor, NULL);
	/* the connections see *stop; those with a message wait for it */
	pthread_mutex_lock(&s->lock);
	while (s->connections > 0)
		pthread_cond_wait(&s->done, &s->lock);
	s->writer_quit = 1;
	pthread_cond_signal(&s->work);
	pthread_mutex_unlock(&s->lock);
	pthread_join(s->writer, NULL);
	destroy(s);
}
