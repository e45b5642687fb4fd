/*
 * backup.c - `deskmail backup FILE` and the backup `upgrade` makes first.
 *
 * One sqlite3_backup_step() over every page reads the source inside one
 * read transaction: in WAL mode writers go on meanwhile (a `run` keeps
 * serving) and the copy is the database as of that transaction's start.
 * Stepping in pieces would restart the copy at each commit of another
 * process, which under steady ingest might never finish.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deskmail/backup.h"
#include "deskmail/util.h"

static dm_err
copy_failed(sqlite3 *db, const char *dest, int rc)
{
	rc &= 0xff;
	return dm_fail(rc == SQLITE_BUSY || rc == SQLITE_LOCKED ||
	    rc == SQLITE_FULL || rc == SQLITE_IOERR ? DM_ETEMP : DM_EDB,
	    "backup %s: %s", dest, db ? sqlite3_errmsg(db) :
	    sqlite3_errstr(rc));
}

static dm_err
query_int(sqlite3 *db, const char *dest, const char *sql, int64_t *out)
{
	sqlite3_stmt *s;
	int rc;

	if ((rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL)) != SQLITE_OK)
		return copy_failed(db, dest, rc);
	rc = sqlite3_step(s);
	*out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
	sqlite3_finalize(s);
	return rc == SQLITE_ROW ? DM_OK : copy_failed(db, dest, rc);
}

/*
 * The copy as one file (it arrives in WAL mode, the source's), checked
 * page by page, and what it holds.
 */
static dm_err
settle(sqlite3 *db, const char *dest, struct dm_backup_info *info)
{
	sqlite3_stmt *s;
	const char *ok;
	dm_err err;
	int64_t v;
	int rc;

	if ((rc = sqlite3_exec(db, "PRAGMA journal_mode = DELETE", NULL, NULL,
	    NULL)) != SQLITE_OK)
		return copy_failed(db, dest, rc);
	if ((rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &s,
	    NULL)) != SQLITE_OK)
		return copy_failed(db, dest, rc);
	rc = sqlite3_step(s);
	ok = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
	err = ok != NULL && strcmp(ok, "ok") == 0 ? DM_OK :
	    dm_fail(DM_EDB, "backup %s: the copy does not check: %s", dest,
	    ok ? ok : sqlite3_errmsg(db));
	sqlite3_finalize(s);
	if (err != DM_OK ||
	    (err = query_int(db, dest, "PRAGMA user_version", &v)) != DM_OK ||
	    (err = query_int(db, dest, "SELECT count(*) FROM tickets",
	    &info->tickets)) != DM_OK)
		return err;
	info->schema = (int)v;
	return DM_OK;
}

static dm_err
sync_path(const char *path, int directory)
{
	int fd = open(path, (directory ? O_DIRECTORY : 0) | O_RDONLY |
	    O_CLOEXEC);
	dm_err err = DM_OK;

	if (fd < 0 || fsync(fd) != 0)
		err = dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return err;
}

dm_err
backup_write(struct dm_store *st, const char *dest,
    struct dm_backup_info *info)
{
	char *tmp = xasprintf("%s.partial-XXXXXX", dest), *dir;
	sqlite3_backup *b;
	sqlite3 *db = NULL;
	struct stat sb;
	dm_err err;
	int fd, rc;

	memset(info, 0, sizeof(*info));
	if (store_is_pg(st)) {
		free(tmp);
		return dm_fail(DM_ECONFIG, "backup %s: a PostgreSQL store is "
		    "backed up by pg_dump (or copied with 'deskmail store "
		    "copy')", dest);
	}
	if (lstat(dest, &sb) == 0) {
		free(tmp);
		return dm_fail(DM_EDB, "backup %s: the file exists (a backup "
		    "never replaces one)", dest);
	}
	if ((fd = mkstemp(tmp)) < 0) {
		err = dm_fail(DM_EDB, "backup %s: %s", dest, strerror(errno));
		free(tmp);
		return err;
	}
	close(fd);
	if ((rc = sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE,
	    NULL)) != SQLITE_OK) {
		err = copy_failed(db, dest, rc);
		goto out;
	}
	if ((b = sqlite3_backup_init(db, "main", store_db(st), "main")) ==
	    NULL) {
		err = copy_failed(db, dest, sqlite3_errcode(db));
		goto out;
	}
	rc = sqlite3_backup_step(b, -1);
	sqlite3_backup_finish(b);
	if (rc != SQLITE_DONE) {
		err = copy_failed(NULL, dest, rc);
		goto out;
	}
	if ((err = settle(db, dest, info)) != DM_OK)
		goto out;
	if (sqlite3_close(db) != SQLITE_OK) {
		err = dm_fail(DM_EDB, "backup %s: cannot close the copy", dest);
		db = NULL;
		goto out;
	}
	db = NULL;
	if ((err = sync_path(tmp, 0)) != DM_OK)
		goto out;
	/* link(), not rename(): one made meanwhile is not replaced either */
	if (link(tmp, dest) != 0) {
		err = dm_fail(errno == EEXIST ? DM_EDB : DM_EIO, "backup %s: %s",
		    dest, strerror(errno));
		goto out;
	}
	dir = xstrdup(dest);
	err = sync_path(dirname(dir), 1);
	free(dir);
	if (err == DM_OK && stat(dest, &sb) == 0)
		info->bytes = (int64_t)sb.st_size;
out:
	if (db != NULL)
		sqlite3_close(db);
	unlink(tmp);
	free(tmp);
	return err;
}
