/*
 * lock.c - the per-database lock of fetch and run.  flock(2) is released
 * by the kernel when the process dies, so a SIGKILL never leaves it stale.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "deskmail/lock.h"
#include "deskmail/util.h"

dm_err
lock_take(const struct dm_config *cfg, const char *what, int *fd)
{
	char *path = strcmp(what, "fetch") == 0 ?
	    xasprintf("%s.lock", cfg->database) :
	    xasprintf("%s.%s.lock", cfg->database, what);
	dm_err err = DM_OK;

	*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (*fd < 0)
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
