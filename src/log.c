/*
 * log.c - one format, two destinations.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "deskmail/log.h"

static int use_syslog;

void
log_use_syslog(int on)
{
	if (on && !use_syslog)
		openlog("deskmail", LOG_PID, LOG_MAIL);
	use_syslog = on;
}

static void
vlog(int prio, const char *fmt, va_list ap)
{
	char line[1024];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (use_syslog)
		syslog(prio, "%s", line);
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
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}
