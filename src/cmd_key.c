/*
 * cmd_key.c - `deskmail key rotate`: a new link key.  Every link already
 * sent (accept, not fixed, survey, status) stops working at once and
 * shows the "cannot be used" page; use it when the key may have leaked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/util.h"

int
cmd_key(struct dm_ctx *ctx, int argc, char **argv)
{
	unsigned char key[32];
	char hex[66], *tmp;
	size_t i;
	dm_err err;
	int rc, fd;

	if (argc != 2 || strcmp(argv[1], "rotate") != 0)
		return ctx_usage(ctx, "rotate");
	if ((rc = ctx_open(ctx, 1)) != EX_OK)
		return rc;
	if ((err = random_bytes(key, sizeof(key))) != DM_OK)
		return ctx_fail(ctx, err);
	for (i = 0; i < sizeof(key); i++)
		snprintf(hex + 2 * i, 3, "%02x", key[i]);
	hex[64] = '\n';
	explicit_bzero(key, sizeof(key));
	/* write beside it and rename: a crash leaves the old key or the new */
	tmp = xasprintf("%s.new", ctx->cfg->key_file);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0 || write(fd, hex, 65) != 65 ||
	    fsync(fd) != 0) {
		err = dm_fail(DM_EIO, "%s: %s", tmp, strerror(errno));
		if (fd >= 0)
			close(fd);
		unlink(tmp);
		free(tmp);
		return ctx_fail(ctx, err);
	}
	close(fd);
	explicit_bzero(hex, sizeof(hex));
	if (rename(tmp, ctx->cfg->key_file) != 0) {
		err = dm_fail(DM_EIO, "%s: %s", ctx->cfg->key_file,
		    strerror(errno));
		unlink(tmp);
		free(tmp);
		return ctx_fail(ctx, err);
	}
	free(tmp);
	printf("new key in %s; links sent before now no longer work; restart "
	    "'deskmail run' or 'serve' to use it\n", ctx->cfg->key_file);
	return EX_OK;
}
