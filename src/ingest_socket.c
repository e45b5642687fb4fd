/*
 * ingest_socket.c - run's end of the local socket between `deskmail
 * ingest` and a running `deskmail run` (see ingest_socket.h for why and
 * for the exchange; ingest_client.c is the other end).
 *
 * The server takes everyone waiting at once and stores their messages in
 * one transaction: processes that came while the last commit was on its
 * way to disk share the next fsync.  Only the same user (or
 * root) may talk to either side; the socket file is 0600 as well.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "deskmail/batch.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/log.h"
#include "deskmail/util.h"

/* Read exactly n bytes; -1 on an error, a timeout or an early end. */
static int
recv_all(int fd, void *p, size_t n)
{
	char *d = p;
	ssize_t r;

	while (n > 0) {
		if ((r = recv(fd, d, n, 0)) <= 0) {
			if (r < 0 && errno == EINTR)
				continue;
			return -1;
		}
		d += r;
		n -= (size_t)r;
	}
	return 0;
}

static int
parse_head(const char *head, size_t *len, size_t *total)
{
	unsigned long long l, t;
	char nl;

	if (memcmp(head, INGEST_MAGIC, sizeof(INGEST_MAGIC) - 1) != 0 ||
	    sscanf(head + sizeof(INGEST_MAGIC) - 1, "%20llu %20llu%c", &l, &t,
	    &nl) != 3 || nl != '\n' || t < l)
		return -1;
	*len = (size_t)l;
	*total = (size_t)t;
	return 0;
}

static void
reply(int fd, int status, const char *text)
{
	char buf[400];
	int n;

	n = snprintf(buf, sizeof(buf), "%d %s\n", status, text);
	if (n > 0)
		(void)ingest_socket_send(fd, buf, (size_t)n < sizeof(buf) ?
		    (size_t)n : sizeof(buf) - 1);
}

/* One connection's message, and what to answer. */
struct request {
	int		 fd;
	char		*raw;
	struct batch_job job;
};

/* Read a request from r->fd; 0 when it holds a message to store. */
static int
receive(struct ingest_socket *s, struct request *r)
{
	size_t cap = (size_t)s->cfg->limits.max_message_bytes, len, got;
	char head[INGEST_HEAD_LEN + 1];

	if (!ingest_socket_peer_trusted(r->fd)) {
		log_error("ingest socket: refused a connection from another "
		    "user");
		return -1;
	}
	ingest_socket_timeouts(r->fd, INGEST_IO_SECONDS);
	head[INGEST_HEAD_LEN] = '\0';
	if (recv_all(r->fd, head, INGEST_HEAD_LEN) != 0)
		return -1;
	if (parse_head(head, &len, &r->job.total) != 0) {
		reply(r->fd, EX_PROTOCOL, "not a deskmail ingest request");
		return -1;
	}
	/* the client kept at most its own limit, ours may be smaller; it
	 * ends its side after the message */
	if (read_fd_capped(r->fd, len < cap ? len : cap, &r->raw, &r->job.len,
	    &got) != DM_OK || got != len) {
		free(r->raw);	/* the client went away: it stores it itself */
		r->raw = NULL;
		return -1;
	}
	r->job.raw = r->raw;
	return 0;
}

static void *
serve(void *arg)
{
	struct ingest_socket *s = arg;
	struct request r[BATCH_MAX];
	struct batch_job jobs[BATCH_MAX];
	struct batch_writer w = { s->cfg, "stdin via run", "ingest socket",
	    NULL, 0 };
	struct pollfd pfd;
	size_t n, bytes, i;
	int c;

	pfd.fd = s->fd;
	pfd.events = POLLIN;
	/* the WAL's room before the first message rather than with it; a
	 * failure here is tried again with the first message */
	(void)batch_prepare(&w);
	while (!*s->stop) {
		/* wake now and then to notice *stop */
		if (poll(&pfd, 1, 200) <= 0)
			continue;
		/* everyone waiting now (accept does not block) */
		for (n = 0, bytes = 0; n < BATCH_MAX && bytes < BATCH_BYTES &&
		    (c = accept4(s->fd, NULL, NULL, SOCK_CLOEXEC)) >= 0;) {
			memset(&r[n], 0, sizeof(r[n]));
			r[n].fd = c;
			if (receive(s, &r[n]) != 0) {
				close(c);
				continue;
			}
			bytes += r[n++].job.len;
		}
		for (i = 0; i < n; i++)
			jobs[i] = r[i].job;
		if (n > 0)
			batch_store(&w, jobs, n);
		for (i = 0; i < n; i++) {
			reply(r[i].fd, jobs[i].status, jobs[i].line);
			close(r[i].fd);
			free(r[i].raw);
		}
	}
	batch_close(&w);
	return NULL;
}

dm_err
ingest_socket_start(struct ingest_socket *s)
{
	const char *path = s->cfg->ingest_socket;
	struct sockaddr_un sa;
	struct stat sb;
	dm_err err;
	int rc;

	s->fd = -1;
	s->started = 0;
	if (!ingest_socket_enabled(s->cfg))
		return DM_OK;
	if ((err = ingest_socket_address(s->cfg, &sa)) != DM_OK)
		return err;
	/* one left by a run that was killed; run's lock says it is ours */
	if (lstat(path, &sb) == 0) {
		if (!S_ISSOCK(sb.st_mode))
			return dm_fail(DM_ECONFIG, "ingest_socket %s: exists "
			    "and is not a socket", path);
		(void)unlink(path);
	}
	if ((s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) < 0 ||
	    bind(s->fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 ||
	    chmod(path, 0600) != 0 || listen(s->fd, 128) != 0) {
		err = dm_fail(DM_EIO, "ingest_socket %s: %s", path,
		    strerror(errno));
		if (s->fd >= 0)
			close(s->fd);
		s->fd = -1;
		return err;
	}
	if ((rc = pthread_create(&s->thread, NULL, serve, s)) != 0) {
		close(s->fd);
		s->fd = -1;
		(void)unlink(path);
		return dm_fail(DM_ESOFTWARE, "ingest socket: cannot start a "
		    "thread: %s", strerror(rc));
	}
	s->started = 1;
	return DM_OK;
}

void
ingest_socket_stop(struct ingest_socket *s)
{
	if (s->started)
		pthread_join(s->thread, NULL);
	s->started = 0;
	if (s->fd >= 0) {
		close(s->fd);
		(void)unlink(s->cfg->ingest_socket);
	}
	s->fd = -1;
}
