/*
 * backup.h - a copy of the database that is one consistent moment, made
 * with SQLite's backup API while others read and write it.
 */
#ifndef DESKMAIL_BACKUP_H
#define DESKMAIL_BACKUP_H

#include <stdint.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_backup_info {
	int	schema;		/* the copy's schema version */
	int64_t	tickets;	/* rows in its tickets table */
	int64_t	bytes;		/* its size */
};

/*
 * Copy st into a new file dest (never over an existing one): written
 * under a temporary name in dest's directory, checked, synced, then
 * renamed.  DM_ETEMP when SQLite is busy or the disk full.
 */
dm_err	backup_write(struct dm_store *st, const char *dest,
	    struct dm_backup_info *info);

#endif
