/*
 * cmd_init.c - `deskmail init [DIR]`: the configuration (with DIR), the
 * database and the link key.  Safe to run again: nothing is overwritten.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/people.h"
#include "deskmail/util.h"

static dm_err
write_config(const char *dir, char **path)
{
	FILE *fp;
	int fd;

	*path = xasprintf("%s/deskmail.conf", dir);
	fd = open(*path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0 && errno == EEXIST)
		return DM_OK;
	if (fd < 0 || (fp = fdopen(fd, "w")) == NULL)
		return dm_fail(DM_EIO, "%s: %s", *path, strerror(errno));
	config_write_default(fp, dir);
	if (fclose(fp) != 0)
		return dm_fail(DM_EIO, "%s: %s", *path, strerror(errno));
	printf("wrote %s\n", *path);
	return DM_OK;
}

/* The link key: 32 random bytes as hex, readable by its owner only. */
static dm_err
make_key(const char *path)
{
	unsigned char key[32];
	char hex[65];
	struct stat sb;
	size_t i;
	dm_err err;
	int fd;

	if (stat(path, &sb) == 0) {
		if ((sb.st_mode & 077) != 0)
			return dm_fail(DM_ECONFIG, "key file %s is readable by "
			    "others (mode %03o); chmod 600 it", path,
			    (unsigned)(sb.st_mode & 0777));
		return DM_OK;
	}
	if ((err = random_bytes(key, sizeof(key))) != DM_OK)
		return err;
	for (i = 0; i < sizeof(key); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return dm_fail(DM_ECONFIG, "cannot create key file %s: %s",
		    path, strerror(errno));
	if (write(fd, hex, 64) != 64 || write(fd, "\n", 1) != 1 ||
	    fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return dm_fail(DM_EIO, "%s: %s", path, strerror(errno));
	}
	close(fd);
	printf("made key %s\n", path);
	return DM_OK;
}

int
cmd_init(struct dm_ctx *ctx, int argc, char **argv)
{
	char real[PATH_MAX], *path = NULL;
	dm_err err;
	int rc;

	if (argc > 2)
		return ctx_usage(ctx, "[DIR]");
	if (argc == 2) {
		if (mkdir(argv[1], 0750) != 0 && errno != EEXIST)
			return ctx_fail(ctx, dm_fail(DM_EIO, "%s: %s", argv[1],
			    strerror(errno)));
		if (realpath(argv[1], real) == NULL)
			return ctx_fail(ctx, dm_fail(DM_EIO, "%s: %s", argv[1],
			    strerror(errno)));
		if ((err = write_config(real, &path)) != DM_OK) {
			free(path);
			return ctx_fail(ctx, err);
		}
		ctx->config_path = path;
	}
	rc = ctx_open(ctx, 1);
	if (rc == EX_OK && (err = store_open(ctx->cfg, STORE_CREATE,
	    &ctx->st)) != DM_OK)
		rc = ctx_fail(ctx, err);
	if (rc == EX_OK && (err = people_sync(ctx->st, ctx->cfg)) != DM_OK)
		rc = ctx_fail(ctx, err);
	if (rc == EX_OK && (err = make_key(ctx->cfg->key_file)) != DM_OK)
		rc = ctx_fail(ctx, err);
	if (rc == EX_OK)
		printf("database %s ready (schema %d)\n", ctx->cfg->database,
		    store_schema_version());
	ctx_close(ctx);
	ctx->config_path = NULL;
	free(path);
	return rc;
}
