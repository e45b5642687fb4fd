/*
 * ingest_client.c - the `deskmail ingest` end of run's ingest socket, and
 * what both ends share (see ingest_socket.h for the exchange).
 *
 * Kept apart from the server so that the small front program (front.c)
 * links it without SQLite and the rest of the store.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "deskmail/ingest_socket.h"
#include "deskmail/util.h"

int
ingest_socket_enabled(const struct dm_config *cfg)
{
	return cfg->ingest_socket[0] != '\0' &&
	    strcmp(cfg->ingest_socket, "none") != 0;
}

dm_err
ingest_socket_address(const struct dm_config *cfg, struct sockaddr_un *sa)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (strlen(cfg->ingest_socket) >= sizeof(sa->sun_path))
		return dm_fail(DM_ECONFIG, "ingest_socket %s: longer than the "
		    "%zu bytes a socket path may have", cfg->ingest_socket,
		    sizeof(sa->sun_path) - 1);
	memcpy(sa->sun_path, cfg->ingest_socket, strlen(cfg->ingest_socket));
	return DM_OK;
}

int
ingest_socket_peer_trusted(int fd)
{
	struct ucred cred;
	socklen_t n = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &n) != 0)
		return 0;
	return cred.uid == geteuid() || cred.uid == 0;
}

void
ingest_socket_timeouts(int fd, long seconds)
{
	struct timeval tv = { seconds, 0 };

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

int
ingest_socket_send(int fd, const void *p, size_t n)
{
	const char *s = p;
	ssize_t w;

	while (n > 0) {
		if ((w = send(fd, s, n, MSG_NOSIGNAL)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

int
ingest_socket_connect(const struct dm_config *cfg)
{
	struct sockaddr_un sa;
	int fd;

	if (!ingest_socket_enabled(cfg) ||
	    ingest_socket_address(cfg, &sa) != DM_OK)
		return -1;
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) < 0) {
		dm_fail(DM_EIO, "socket: %s", strerror(errno));
		return -1;
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		dm_fail(DM_ENOTFOUND, "%s: %s", cfg->ingest_socket,
		    strerror(errno));
		close(fd);
		return -1;
	}
	if (!ingest_socket_peer_trusted(fd)) {
		dm_fail(DM_ENOTFOUND, "%s: served by another user",
		    cfg->ingest_socket);
		close(fd);
		return -1;
	}
	return fd;
}

const char *
ingest_socket_state(const struct dm_config *cfg)
{
	int fd;

	if (!ingest_socket_enabled(cfg))
		return "off";
	if ((fd = ingest_socket_connect(cfg)) < 0)
		return "not running";
	close(fd);	/* run reads no request and goes on */
	return "listening";
}

dm_err
ingest_socket_exchange(const struct dm_config *cfg, int fd, const char *raw,
    size_t len, size_t total, int *status, char *line, size_t linesz)
{
	char head[INGEST_HEAD_LEN + 1], *answer, *sp, *nl;
	size_t have;
	long code;
	dm_err err;

	/* long enough for run to wait out a busy database */
	ingest_socket_timeouts(fd, INGEST_IO_SECONDS +
	    cfg->busy_timeout_ms / 1000);
	snprintf(head, sizeof(head), INGEST_MAGIC "%020zu %020zu\n", len,
	    total);
	if (ingest_socket_send(fd, head, INGEST_HEAD_LEN) != 0 ||
	    ingest_socket_send(fd, raw, len) != 0) {
		err = dm_fail(DM_ENET, "%s: %s", cfg->ingest_socket,
		    strerror(errno));
		close(fd);
		return err;
	}
	(void)shutdown(fd, SHUT_WR);
	/* one line, then run closes the connection */
	err = read_fd(fd, 512, &answer, &have);
	close(fd);
	if (err != DM_OK)
		return dm_fail(DM_ENET, "%s: %s", cfg->ingest_socket,
		    dm_errdetail());
	code = strtol(answer, &sp, 10);
	if ((nl = strchr(answer, '\n')) == NULL || sp == answer || *sp != ' ' ||
	    code < 0 || code > 255) {
		free(answer);
		return dm_fail(DM_ENET, "%s: no answer", cfg->ingest_socket);
	}
	*nl = '\0';
	snprintf(line, linesz, "%s", sp + 1);
	*status = (int)code;
	free(answer);
	return DM_OK;
}
