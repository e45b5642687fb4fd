/*
 * activation.c - the listening sockets systemd passes a socket-activated
 * service (contrib/systemd/deskmail-web.socket).  The protocol is three
 * environment variables; reading them here spares a dependency on
 * libsystemd for sd_listen_fds().
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "deskmail/activation.h"
#include "deskmail/util.h"

#define FIRST_FD	3	/* SD_LISTEN_FDS_START */
#define MAX_FDS		2	/* the pages' and the metrics' */

/* The n-th name of a colon-separated list into buf ("" past its end). */
static void
nth_name(const char *names, int n, char *buf, size_t len)
{
	const char *end;

	buf[0] = '\0';
	for (; names != NULL && n > 0; n--)
		if ((names = strchr(names, ':')) != NULL)
			names++;
	if (names == NULL)
		return;
	end = strchr(names, ':');
	if (end == NULL)
		end = names + strlen(names);
	if ((size_t)(end - names) < len) {
		memcpy(buf, names, (size_t)(end - names));
		buf[end - names] = '\0';
	}
}

static int
listening_stream(int fd)
{
	int type = 0, on = 0;
	socklen_t l = sizeof(type);

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &l) != 0 ||
	    type != SOCK_STREAM)
		return 0;
	l = sizeof(on);
	return getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &on, &l) == 0 && on;
}

dm_err
activation_sockets(int *web, int *metrics)
{
	const char *pid = getenv("LISTEN_PID"), *fds = getenv("LISTEN_FDS");
	char *names, *end, name[64];
	long n;
	int i, fd;
	dm_err err = DM_OK;

	*web = *metrics = -1;
	if (pid == NULL || fds == NULL || strtol(pid, &end, 10) != getpid() ||
	    *end != '\0')
		return DM_OK;		/* not for us (or not activated) */
	n = strtol(fds, &end, 10);
	names = getenv("LISTEN_FDNAMES") ? xstrdup(getenv("LISTEN_FDNAMES")) :
	    NULL;
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
	if (*end != '\0' || n < 1 || n > MAX_FDS) {
		free(names);
		return dm_fail(DM_ECONFIG, "systemd passed %s sockets; deskmail "
		    "takes one for the link pages and one named metrics", fds);
	}
	for (i = 0; i < n && err == DM_OK; i++) {
		fd = FIRST_FD + i;
		nth_name(names, i, name, sizeof(name));
		if (!listening_stream(fd))
			err = dm_fail(DM_ECONFIG, "systemd passed fd %d, which is "
			    "not a listening stream socket", fd);
		else if (strcmp(name, "metrics") == 0 && *metrics < 0)
			*metrics = fd;
		else if (strcmp(name, "metrics") != 0 && *web < 0)
			*web = fd;
		else
			err = dm_fail(DM_ECONFIG, "systemd passed two sockets "
			    "for %s", strcmp(name, "metrics") == 0 ? "/metrics" :
			    "the link pages");
		if (err == DM_OK)	/* not for what we might run */
			(void)fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	free(names);
	if (err != DM_OK) {
		*web = *metrics = -1;
		return err;
	}
	return DM_OK;
}
