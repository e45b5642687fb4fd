/*
 * lock.c - the per-database lock of fetch and run.  flock(2) is released
 * by the kernel when the process dies, so a SIGKILL never leaves it stale.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "deskmail/lock.h"
#include "deskmail/util.h"

/*
 * A lock file, readable by all: whoever runs a command (root, the
 * service's user) can take the lock, whoever made the file.  flock()
 * needs no more than a descriptor open for reading.
 */
static int
open_lock_file(const char *path)
{
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		(void)fchmod(fd, 0644);
	else if (errno == EACCES)
		fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd;
}

dm_err
lock_take(const struct dm_config *cfg, const char *what, int *fd)
{
	char *path = strcmp(what, "fetch") == 0 ?
	    xasprintf("%s.lock", cfg->local_base) :
	    xasprintf("%s.%s.lock", cfg->local_base, what);
	dm_err err = DM_OK;

	*fd = open_lock_file(path);
	if (*fd < 0 && errno == EACCES)
		err = dm_fail(DM_EIO, "%s: made by another user, and this one "
		    "may not read it; chmod 644 it", path);
	else if (*fd < 0)
		err = dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
	else if (flock(*fd, LOCK_EX | LOCK_NB) != 0) {
		err = errno == EWOULDBLOCK ? dm_fail(DM_EBUSY, "another "
		    "deskmail (%s) is working on %s", what, cfg->database) :
		    dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
		close(*fd);
		*fd = -1;
	}
	free(path);
	return err;
}

void
lock_release(int fd)
{
	if (fd >= 0)
		close(fd);
}

dm_err
lock_use(const struct dm_config *cfg, int exclusive, long wait_ms, int *fd)
{
	struct timespec pause = { 0, 20 * 1000 * 1000 };
	char *path = xasprintf("%s.use.lock", cfg->database);
	dm_err err = DM_OK;
	long waited = 0;

	*fd = open_lock_file(path);
	if (*fd < 0) {
		err = dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
		free(path);
		return err;
	}
	while (flock(*fd, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			err = dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
			break;
		}
		if (waited >= wait_ms) {
			err = exclusive ? dm_fail(DM_EBUSY, "%s is in use by "
			    "another deskmail (run, serve or a command): stop "
			    "it and try again", cfg->database) :
			    dm_fail(DM_EBUSY, "%s is being upgraded; try "
			    "again when 'deskmail upgrade' is done",
			    cfg->database);
			break;
		}
		nanosleep(&pause, NULL);
		waited += 20;
	}
	if (err != DM_OK) {
		close(*fd);
		*fd = -1;
	}
	free(path);
	return err;
}
