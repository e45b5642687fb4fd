/*
 * cmd_report.c - `deskmail report csat|fcr|sla|ttr|themes|billing|all`:
 * reads the options, runs the report (report.c) and writes it to standard
 * output or, with --out, to a file replaced atomically (a temporary file
 * beside it, then rename), so a web server or mail job never reads half
 * a report, and a failed run leaves the old one in place.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "deskmail/cmd.h"
#include "deskmail/report.h"

static const char usage[] = "csat|fcr|sla|ttr|themes|billing|all "
    "[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format text|csv|json|html] "
    "[--by week|month|quarter|year] [--split YYYY-MM-DD] [--detail] "
    "[--method incident|fte] [--amount TOTAL] [--out FILE]";

/*
 * The report into path: written to a temporary file beside it, synced,
 * then renamed over it; on failure the temporary file goes and path is
 * as it was.
 */
static dm_err
report_to_file(struct dm_ctx *ctx, int which, struct report_opts *o,
    const char *path)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	mode_t mask = umask(0);
	FILE *fp = NULL;
	dm_err err;
	int fd;

	umask(mask);
	if ((fd = mkstemp(tmp)) < 0 || fchmod(fd, 0666 & ~mask) != 0 ||
	    (fp = fdopen(fd, "w")) == NULL) {
		err = dm_fail(DM_EIO, "cannot write %s: %s", path,
		    strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(tmp);
		}
		free(tmp);
		return err;
	}
	err = report_run(ctx->st, ctx->cfg, which, o, fp);
	if (err == DM_OK && fsync(fileno(fp)) != 0)
		err = dm_fail(DM_EIO, "cannot write %s: %s", path,
		    strerror(errno));
	if (fclose(fp) != 0 && err == DM_OK)
		err = dm_fail(DM_EIO, "cannot write %s: %s", path,
		    strerror(errno));
	if (err == DM_OK && rename(tmp, path) != 0)
		err = dm_fail(DM_EIO, "cannot write %s: %s", path,
		    strerror(errno));
	if (err != DM_OK)
		unlink(tmp);
	free(tmp);
	return err;
}

/* --name VALUE or --name=VALUE at argv[*i]; NULL when it is another. */
static const char *
value(int argc, char **argv, int *i, const char *name, int *missing)
{
	size_t n = strlen(name);

	if (strncmp(argv[*i], name, n) != 0)
		return NULL;
	if (argv[*i][n] == '=')
		return argv[*i] + n + 1;
	if (argv[*i][n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static dm_err
parse(int argc, char **argv, struct report_opts *o, const char **name,
    const char **out, int *method, int *amount)
{
	const char *v;
	int i, missing = 0;
	dm_err err = DM_OK;

	for (i = 1; i < argc && err == DM_OK; i++) {
		const char *a = argv[i];

		if (a[0] != '-') {
			if (*name != NULL)
				return dm_fail(DM_EUSAGE, "one report at a time "
				    "('%s' and '%s'); 'all' gives every report",
				    *name, a);
			*name = a;
		} else if (strcmp(a, "--detail") == 0)
			o->detail = 1;
		else if ((v = value(argc, argv, &i, "--from", &missing)))
			err = report_parse_date("--from", v, o->from_date);
		else if ((v = value(argc, argv, &i, "--to", &missing)))
			err = report_parse_date("--to", v, o->to_date);
		else if ((v = value(argc, argv, &i, "--split", &missing)))
			err = report_parse_date("--split", v, o->split_date);
		else if ((v = value(argc, argv, &i, "--by", &missing)))
			err = report_parse_by(v, &o->by);
		else if ((v = value(argc, argv, &i, "--format", &missing)))
			err = report_parse_format(v, &o->format);
		else if ((v = value(argc, argv, &i, "--method", &missing))) {
			err = report_parse_method(v, &o->method);
			*method = 1;
		} else if ((v = value(argc, argv, &i, "--amount", &missing))) {
			err = report_parse_amount(v, &o->amount);
			*amount = 1;
		}
		else if ((v = value(argc, argv, &i, "--out", &missing))) {
			if (*v == '\0')
				return dm_fail(DM_EUSAGE, "--out needs a file "
				    "name");
			*out = v;
		} else if (missing)
			return dm_fail(DM_EUSAGE, "%s needs a value", a);
		else
			return dm_fail(DM_EUSAGE, "unknown option '%s'", a);
	}
	return err;
}

int
cmd_report(struct dm_ctx *ctx, int argc, char **argv)
{
	struct report_opts o;
	const char *name = NULL, *out = NULL;
	int which, rc, method = 0, amount = 0;
	dm_err err;

	memset(&o, 0, sizeof(o));
	o.format = RF_TEXT;
	o.by = BY_DEFAULT;
	if (argc < 2)
		return ctx_usage(ctx, usage);
	if ((err = parse(argc, argv, &o, &name, &out, &method, &amount)) !=
	    DM_OK)
		return ctx_fail(ctx, err);
	if (name == NULL)
		return ctx_usage(ctx, usage);
	if ((which = report_lookup(name)) < 0)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "unknown report '%s' "
		    "(csat, fcr, sla, ttr, themes, billing, all)", name));
	if (o.from_date[0] && o.to_date[0] &&
	    strcmp(o.to_date, o.from_date) < 0)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "--to %s is before "
		    "--from %s", o.to_date, o.from_date));
	if ((method || amount) && which != REPORT_ALL &&
	    strcmp(name, "billing") != 0)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "--%s is an option of "
		    "the billing report", method ? "method" : "amount"));
	if (o.method == RM_FTE && !amount)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "--method fte needs "
		    "--amount TOTAL, the period's cost to share"));
	if (o.method != RM_FTE && amount)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "--amount goes with "
		    "--method fte"));
	if (which == REPORT_ALL && o.format == RF_CSV)
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "csv needs one report"));
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if (out != NULL)
		err = report_to_file(ctx, which, &o, out);
	else
		err = report_run(ctx->st, ctx->cfg, which, &o, stdout);
	return err == DM_OK ? EX_OK : ctx_fail(ctx, err);
}
