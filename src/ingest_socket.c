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

#include "deskmail/ingest.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/log.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

/* one commit for at most this many messages, or this many bytes */
#define BATCH_MAX	16
#define BATCH_BYTES	(16 << 20)

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
	int	 fd;
	char	*raw;
	size_t	 len, total;
	int	 status;		/* the exit status ingest is to give */
	char	 line[320];		/* what it prints, or why it failed */
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
	if (parse_head(head, &len, &r->total) != 0) {
		reply(r->fd, EX_PROTOCOL, "not a deskmail ingest request");
		return -1;
	}
	/* the client kept at most its own limit, ours may be smaller; it
	 * ends its side after the message */
	if (read_fd_capped(r->fd, len < cap ? len : cap, &r->raw, &r->len,
	    &got) != DM_OK || got != len) {
		free(r->raw);	/* the client went away: it stores it itself */
		r->raw = NULL;
		return -1;
	}
	return 0;
}

static void
fail_all(struct request *r, size_t n, const char *why)
{
	size_t i;

	for (i = 0; i < n; i++) {
		r[i].status = EX_TEMPFAIL;
		snprintf(r[i].line, sizeof(r[i].line), "%s", why);
	}
}

/*
 * The thread's connection, opened when first needed, and room in the WAL
 * for the commits to come (store.c says why): best effort, and after a
 * failure (a full disk) not again for a minute.
 */
static dm_err
connection(struct ingest_socket *s, struct dm_store **st)
{
	dm_err err;

	if (*st == NULL &&
	    (err = store_open(s->cfg, STORE_CURRENT, st)) != DM_OK)
		return err;
	if (time(NULL) >= s->reserve_after && store_wal_reserve(*st) != DM_OK)
		s->reserve_after = time(NULL) + 60;
	return DM_OK;
}

/*
 * Store the messages of n requests.  Several (ingest processes that came
 * while the last commit was on its way to disk) share one transaction,
 * each in a savepoint of its own, and so one fsync.
 */
static void
store_batch(struct ingest_socket *s, struct dm_store **st,
    struct request *r, size_t n)
{
	struct ingest_result res;
	size_t i;

	if (connection(s, st) != DM_OK) {
		fail_all(r, n, dm_errdetail());
		return;
	}
	if (n > 1 && store_begin(*st) != DM_OK) {
		fail_all(r, n, dm_errdetail());
		return;
	}
	for (i = 0; i < n; i++) {
		if (ingest_message(*st, s->cfg, r[i].raw, r[i].len, r[i].total,
		    "stdin via run", 0, &res) != DM_OK) {
			log_error("ingest socket: %s", dm_errdetail());
			fail_all(&r[i], 1, dm_errdetail());
			/* an error SQLite rolled the whole batch back for */
			if (n > 1 && !store_in_transaction(*st)) {
				fail_all(r, n, "batch rolled back");
				return;
			}
			continue;
		}
		if (res.warning[0] != '\0')
			log_error("ingest socket: %s", res.warning);
		r[i].status = EX_OK;
		ingest_format(&res, r[i].line, sizeof(r[i].line));
	}
	if (n > 1 && store_commit(*st) != DM_OK) {
		fail_all(r, n, dm_errdetail());
		store_rollback(*st);
	}
}

static void *
serve(void *arg)
{
	struct ingest_socket *s = arg;
	struct request r[BATCH_MAX];
	struct dm_store *st = NULL;
	struct pollfd pfd;
	size_t n, bytes, i;
	int c;

	pfd.fd = s->fd;
	pfd.events = POLLIN;
	/* the WAL's room before the first message rather than with it; a
	 * failure here is tried again with the first message */
	(void)connection(s, &st);
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
			bytes += r[n++].len;
		}
		if (n > 0)
			store_batch(s, &st, r, n);
		for (i = 0; i < n; i++) {
			reply(r[i].fd, r[i].status, r[i].line);
			close(r[i].fd);
			free(r[i].raw);
		}
	}
	store_close(st);
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
	s->reserve_after = 0;
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
