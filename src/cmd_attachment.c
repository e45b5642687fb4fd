/*
 * cmd_attachment.c - `deskmail ticket attachment N [PART] [-o FILE]`:
 * the files that came with a ticket's mail, for staff.  Without PART a
 * list (part numbers, names, types, sizes, whose mail); with it the
 * file's bytes, decoded from the stored mail, to stdout or FILE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "deskmail/attachment.h"
#include "deskmail/cmd.h"
#include "deskmail/relay.h"
#include "deskmail/json.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

#define USAGE	"attachment N [PART] [-o FILE] [--json]"

static int
number(const char *s, int64_t *n)
{
	char *end;
	long long v;

	if (*s == '#')
		s++;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v <= 0 || errno != 0)
		return 0;
	*n = v;
	return 1;
}

static int
list(struct dm_ctx *ctx, int64_t ticket, const struct dm_file *v, size_t n,
    int json)
{
	struct json_object *arr, *o;
	size_t i;
	int rc;

	if (json) {
		arr = json_object_new_array();
		for (i = 0; i < n; i++) {
			o = json_object_new_object();
			json_object_object_add(o, "part",
			    json_object_new_int64((int64_t)i + 1));
			json_object_object_add(o, "name",
			    json_object_new_string(v[i].name));
			json_object_object_add(o, "type",
			    json_object_new_string(v[i].type));
			json_object_object_add(o, "size",
			    json_object_new_int64(v[i].size));
			json_object_object_add(o, "inline",
			    json_object_new_boolean(v[i].is_inline));
			json_object_object_add(o, "message",
			    json_object_new_int64(v[i].message));
			json_object_object_add(o, "kind",
			    json_object_new_string(v[i].kind));
			json_object_array_add(arr, o);
		}
		rc = json_print(arr);
		json_object_put(arr);
		return rc;
	}
	if (n == 0)
		printf("ticket %lld has no attachments\n", (long long)ticket);
	else
		printf("%-5s %12s  %-28s %-9s %s\n", "PART", "BYTES", "TYPE",
		    "FROM", "NAME");
	for (i = 0; i < n; i++) {
		char *name = relay_file_name(&v[i]);

		/* names as they are saved: nothing that moves a terminal */
		printf("%-5zu %12lld  %-28s %-9s %s\n", i + 1,
		    (long long)v[i].size, v[i].type, v[i].kind, name);
		free(name);
	}
	(void)ctx;
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* Write len bytes to fd; 0 or errno. */
static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			return errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

static int
save(struct dm_ctx *ctx, const struct dm_file *f, const char *data,
    size_t len, const char *out)
{
	struct stat sb;
	char *path = NULL, *name;
	int fd, e, rc;

	if (out == NULL) {
		if (isatty(STDOUT_FILENO))
			return ctx_fail(ctx, dm_fail(DM_EUSAGE, "part %s is a "
			    "file of %zu bytes: give -o FILE or redirect the "
			    "output, it is not written to a terminal", f->name,
			    len));
		if ((e = write_all(STDOUT_FILENO, data, len)) != 0)
			return ctx_fail(ctx, dm_fail(DM_EIO, "standard output: "
			    "%s", strerror(e)));
		return EX_OK;
	}
	/* a directory: the file in it, under its own (safe) name */
	if (stat(out, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		name = relay_file_name(f);
		path = xasprintf("%s/%s", out, name);
		free(name);
		out = path;
	}
	e = 0;
	if ((fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0666)) < 0)
		e = errno;
	else if ((e = write_all(fd, data, len)) != 0)
		(void)close(fd);
	else if (close(fd) != 0)
		e = errno;
	if (e != 0) {
		rc = ctx_fail(ctx, dm_fail(DM_EIO, "%s: %s", out, strerror(e)));
		free(path);
		return rc;
	}
	printf("%s: %zu bytes\n", out, len);
	free(path);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int
cmd_ticket_attachment(struct dm_ctx *ctx, int argc, char **argv)
{
	const char *out = NULL;
	struct dm_ticket t;
	struct dm_file *v = NULL, f;
	int64_t ticket = 0, part = 0;
	char *data = NULL;
	size_t n = 0, len;
	int i, pos = 0, json = 0, rc;
	dm_err err;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (pos == 0 && number(argv[i], &ticket))
			pos++;
		else if (pos == 1 && number(argv[i], &part))
			pos++;
		else
			return ctx_usage(ctx, USAGE);
	}
	if (pos == 0 || (out != NULL && part == 0) || (json && part != 0))
		return ctx_usage(ctx, USAGE);
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = ticket_get(ctx->st, ticket, &t)) != DM_OK)
		return ctx_fail(ctx, err);
	ticket_clear(&t);
	if ((err = attachment_list(ctx->st, ticket, 0, NULL, &v, &n)) != DM_OK)
		return ctx_fail(ctx, err);
	if (part == 0) {
		rc = list(ctx, ticket, v, n, json);
		attachment_list_free(v, n);
		return rc;
	}
	if ((size_t)part > n) {
		attachment_list_free(v, n);
		return ctx_fail(ctx, dm_fail(DM_ENOTFOUND, "ticket %lld has "
		    "%zu attachment%s, no part %lld", (long long)ticket, n,
		    n == 1 ? "" : "s", (long long)part));
	}
	err = attachment_get(ctx->st, ctx->cfg, v[part - 1].id, &f, &data,
	    &len);
	attachment_list_free(v, n);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	rc = save(ctx, &f, data, len, out);
	attachment_clear(&f);
	free(data);
	return rc;
}
