/*
 * err.c - result codes, their sentences and exit statuses.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "deskmail/err.h"

static _Thread_local char detail[512];

const char *
dm_strerror(dm_err err)
{
	switch (err) {
	case DM_OK:		return "success";
	case DM_ENOMEM:		return "out of memory";
	case DM_EUSAGE:		return "usage error";
	case DM_ECONFIG:	return "configuration error";
	case DM_EIO:		return "input/output error";
	case DM_EDB:		return "database error";
	case DM_ETEMP:		return "temporary failure";
	case DM_EPARSE:		return "cannot parse";
	case DM_ELIMIT:		return "over a configured limit";
	case DM_ENOTFOUND:	return "not found";
	case DM_EBUSY:		return "already running";
	case DM_ESTATE:		return "not possible in this state";
	case DM_ENET:		return "network error";
	case DM_EAUTH:		return "authentication failed";
	case DM_ETLS:		return "TLS failed";
	case DM_ESOFTWARE:	return "internal error";
	case DM_ESCHEMA:	return "database not upgraded";
	}
	return "unknown error";
}

int
dm_exit_code(dm_err err)
{
	switch (err) {
	case DM_OK:		return EX_OK;
	case DM_EUSAGE:		return EX_USAGE;
	case DM_ECONFIG:	return EX_CONFIG;
	case DM_EIO:		return EX_IOERR;
	case DM_EDB:		return EX_CANTCREAT;
	case DM_ETEMP:		return EX_TEMPFAIL;
	case DM_EBUSY:		return EX_TEMPFAIL;
	case DM_EPARSE:		return EX_DATAERR;
	case DM_ELIMIT:		return EX_DATAERR;
	case DM_ENOTFOUND:	return EX_NOINPUT;
	case DM_ESTATE:		return EX_DATAERR;
	case DM_ENET:		return EX_UNAVAILABLE;
	case DM_EAUTH:		return EX_NOPERM;
	case DM_ETLS:		return EX_PROTOCOL;
	case DM_ENOMEM:		return EX_OSERR;
	case DM_ESOFTWARE:	return EX_SOFTWARE;
	case DM_ESCHEMA:	return EX_CONFIG;
	}
	return EX_SOFTWARE;
}

dm_err
dm_fail(dm_err err, const char *fmt, ...)
{
	char line[sizeof(detail)];
	va_list ap;

	/* via a copy: callers often pass dm_errdetail() to add context */
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	memcpy(detail, line, sizeof(detail));
	return err;
}

const char *
dm_errdetail(void)
{
	return detail;
}
