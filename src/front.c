/*
 * front.c - the program installed as `deskmail`: hands an MTA's message
 * to a running `deskmail run`, and executes the whole program for
 * everything else.
 *
 * An MTA starts one `deskmail ingest` per message, and on a small VM
 * starting the whole program (3.7 MB, libc, libm and libsasl2 to map and
 * relocate) costs more than storing the mail.  When `run` listens on the
 * ingest socket, all this process has to do is read the configuration,
 * pass the message on and print run's answer: this small, statically
 * linked program does that.  Any other command, options it does not
 * know, a configuration it cannot read, and ingest with nobody listening
 * go to the whole program (PKGLIBEXECDIR/deskmail) with the arguments
 * unchanged, so every message and exit status is the whole program's.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/clock.h"
#include "deskmail/config.h"
#include "deskmail/ingest_socket.h"
#include "deskmail/log.h"
#include "deskmail/util.h"

/*
 * The whole program: in a build tree it sits in libexec/ next to this
 * one (so tests run what was just built), once installed in
 * PKGLIBEXECDIR.
 */
static void
exec_whole(char **argv)
{
	char self[PATH_MAX], *slash, *path;
	ssize_t n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			path = xasprintf("%s/libexec/deskmail", self);
			if (access(path, X_OK) == 0)
				execv(path, argv);
			free(path);
		}
	}
	execv(PKGLIBEXECDIR "/deskmail", argv);
	log_error("cannot run %s: %s", PKGLIBEXECDIR "/deskmail",
	    strerror(errno));
	exit(EX_SOFTWARE);
}

/*
 * run went away before it answered, and the message is read: give it to
 * the whole program on a stdin of its own, which stores it itself (a
 * message run did store reads as a duplicate).  0 when stdin is ready.
 */
static int
restore_stdin(const char *raw, size_t len)
{
	ssize_t w;
	int fd;

	if ((fd = memfd_create("deskmail-message", 0)) < 0)
		return -1;
	while (len > 0) {
		if ((w = write(fd, raw, len)) < 0 && errno != EINTR)
			break;
		if (w > 0) {
			raw += w;
			len -= (size_t)w;
		}
	}
	if (len != 0 || lseek(fd, 0, SEEK_SET) != 0 ||
	    dup2(fd, STDIN_FILENO) < 0) {
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

/* `ingest` with the message on stdin; returns when the whole program is
 * to take over. */
static void
ingest_stdin(const char *config_path)
{
	struct dm_config *cfg;
	char *raw, line[320];
	size_t len, total;
	int fd, status;

	if (clock_init() != DM_OK ||
	    config_load_unrouted(config_path, &cfg) != DM_OK)
		return;		/* the whole program says what is wrong */
	log_use_syslog(strcmp(cfg->log, "syslog") == 0);
	/* nobody listening: stdin is still untouched */
	if ((fd = ingest_socket_connect(cfg)) < 0)
		return;
	if (read_fd_capped(STDIN_FILENO, (size_t)cfg->limits.max_message_bytes,
	    &raw, &len, &total) != DM_OK) {
		log_error("ingest: %s", dm_errdetail());
		exit(EX_TEMPFAIL);
	}
	if (ingest_socket_exchange(cfg, fd, raw, len, total, &status, line,
	    sizeof(line)) != DM_OK) {
		/* a message over the size limit is not all here to pass on */
		if (len != total || restore_stdin(raw, len) != 0) {
			log_error("ingest: %s; try again", dm_errdetail());
			exit(EX_TEMPFAIL);
		}
		return;
	}
	if (status != EX_OK) {
		log_error("ingest: %s", line);
		exit(status);
	}
	printf("%s\n", line);
	exit(fflush(stdout) == 0 ? EX_OK : EX_TEMPFAIL);
}

int
main(int argc, char **argv)
{
	const char *config_path;
	int c;

	config_path = getenv("DESKMAIL_CONFIG");
	if (config_path == NULL || *config_path == '\0')
		config_path = "/etc/deskmail/deskmail.conf";
	/* the same options as main.c's; the whole program answers anything
	 * else */
	opterr = 0;
	while ((c = getopt(argc, argv, "+c:hV")) != -1) {
		if (c != 'c')
			exec_whole(argv);
		config_path = optarg;
	}
	if (argc - optind == 1 && strcmp(argv[optind], "ingest") == 0)
		ingest_stdin(config_path);
	exec_whole(argv);
	return EX_SOFTWARE;
}
