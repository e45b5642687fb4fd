/*
 * log.c - one format, three destinations: stderr, syslog, and stderr
 * read by systemd's journal (each line with its priority as "<N>", the
 * journal's own timestamps).
 */
#include <errno.h>
#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "deskmail/log.h"

static int use_syslog;
static int journal = -1;	/* stderr is the journal: unknown yet */

/*
 * Nonzero if syslog(3) can deliver: glibc drops lines without a word
 * when nothing listens on _PATH_LOG (a container, a chroot), so look.
 */
static int
syslog_reachable(char *why, size_t len)
{
	struct sockaddr_un sa;
	int fd, ok = 0, type;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", _PATH_LOG);
	for (type = SOCK_DGRAM; !ok && type != 0;
	    type = type == SOCK_DGRAM ? SOCK_STREAM : 0) {
		if ((fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0)) == -1)
			break;
		ok = connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
		if (!ok)
			snprintf(why, len, "%s: %s", _PATH_LOG, strerror(errno));
		close(fd);
	}
	return ok;
}

void
log_use_syslog(int on)
{
	char why[256] = "";

	if (on && !use_syslog && !syslog_reachable(why, sizeof(why))) {
		/* one warning, then standard error: errors must not vanish */
		log_warning("log = syslog, but syslog is not reachable (%s): "
		    "logging to standard error", why);
		on = 0;
	}
	if (on && !use_syslog)
		openlog("deskmail", LOG_PID, LOG_MAIL);
	use_syslog = on;
}

/* Nonzero if stderr is the journal's stream ($JOURNAL_STREAM "dev:ino"). */
static int
stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat sb;

	return e != NULL && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(STDERR_FILENO, &sb) == 0 && (unsigned long long)sb.st_dev ==
	    dev && (unsigned long long)sb.st_ino == ino;
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	const char *level = prio == LOG_WARNING ? "warning: " :
	    prio == LOG_INFO ? "info: " : "";
	char line[1024];
	int n;

	n = snprintf(line, sizeof(line), "%s", level);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (use_syslog) {
		syslog(prio, "%s", line);
		return;
	}
	if (journal == -1)
		journal = stderr_is_journal();
	if (journal)
		fprintf(stderr, "<%d>deskmail: %s\n", prio, line);
	else
		fprintf(stderr, "deskmail: %s\n", line);
}

void
log_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warning(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}
