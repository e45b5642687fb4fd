/*
 * err.h - the one result type of deskmail.
 *
 * Every function that can fail returns a dm_err.  The code says what kind of
 * failure it was (and so which sysexits code the command ends with); the
 * detail, a short sentence naming the thing that failed, is kept per thread
 * and read with dm_errdetail().  Nothing below main.c prints.
 */
#ifndef DESKMAIL_ERR_H
#define DESKMAIL_ERR_H

typedef enum {
	DM_OK = 0,
	DM_ENOMEM,	/* out of memory */
	DM_EUSAGE,	/* bad command line */
	DM_ECONFIG,	/* bad or missing configuration */
	DM_EIO,		/* a file could not be read or written */
	DM_EDB,		/* the database failed in a way retrying will not fix */
	DM_ETEMP,	/* temporary: database busy, disk full; try again later */
	DM_EPARSE,	/* input that cannot be understood */
	DM_ELIMIT,	/* input over a configured limit */
	DM_ENOTFOUND,	/* no such ticket, message, entry */
	DM_EBUSY,	/* another instance holds the lock */
	DM_ESTATE,	/* the action does not fit the object's state */
	DM_ENET,	/* a network peer failed or cannot be reached */
	DM_EAUTH,	/* the peer refused our credentials */
	DM_ETLS,	/* TLS failed: the certificate did not verify, ... */
	DM_ESOFTWARE,	/* an internal error: a bug */
	DM_ESCHEMA	/* the database needs `deskmail upgrade` first */
} dm_err;

/* A constant sentence for the code. */
const char *dm_strerror(dm_err err);

/* The sysexits.h exit status a command ends with for this code. */
int dm_exit_code(dm_err err);

/*
 * Record the detail of the failure being returned and return err, so that
 * callers write: return dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
 */
dm_err dm_fail(dm_err err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The detail recorded by the last dm_fail() on this thread ("" if none). */
const char *dm_errdetail(void);

#endif
