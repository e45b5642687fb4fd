/*
 * report.c - running the reports: the names, the range in the configured
 * time zone, one read transaction around every query (so the numbers of
 * `report all` agree with each other), and the choice of rendering.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/calendar.h"
#include "deskmail/clock.h"
#include "deskmail/report.h"

const char *const report_names[] = {
	"csat", "fcr", "sla", "ttr", "themes", "billing", NULL
};

#define NREPORTS	6

static dm_err (*const builders[NREPORTS])(const struct report_env *,
    struct report *) = {
	report_csat, report_fcr, report_sla, report_ttr, report_themes,
	report_billing
};

/* The period when --by is not given; billing is always monthly. */
static const enum report_by default_by[NREPORTS] = {
	BY_MONTH, BY_QUARTER, BY_MONTH, BY_MONTH, BY_MONTH, BY_MONTH
};

int
report_lookup(const char *name)
{
	size_t i;

	if (strcmp(name, "all") == 0)
		return REPORT_ALL;
	for (i = 0; report_names[i] != NULL; i++)
		if (strcmp(report_names[i], name) == 0)
			return (int)i;
	return -1;
}

dm_err
report_parse_format(const char *s, enum report_format *f)
{
	static const char *const names[] = { "text", "csv", "json", "html" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum report_format)i;
			return DM_OK;
		}
	return dm_fail(DM_EUSAGE, "--format: unknown format '%s' (text, csv, "
	    "json, html)", s);
}

static dm_err
begin(struct dm_store *st)
{
	/* reports read much of the file once; this connection only lives
	 * as long as the command */
	store_read_much(st);
	/* a read snapshot, no write lock */
	if (store_begin_read(st) != DM_OK)
		return store_error(st, "report");
	return DM_OK;
}

static void
end(struct dm_store *st)
{
	store_rollback(st);
}

static dm_err
render(const struct dm_config *cfg, const struct report_opts *opts,
    struct report *const *rs, size_t n, int all, struct rout *o)
{
	size_t i;

	switch (opts->format) {
	case RF_JSON:
		report_json(rs, n, all, o);
		return DM_OK;
	case RF_CSV:
		if (n != 1)
			return dm_fail(DM_EUSAGE, "csv needs one report");
		report_csv(rs[0], o);
		return DM_OK;
	case RF_HTML:
		return report_html(cfg, opts, rs, n, o);
	case RF_TEXT:
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_addc(&o->b, '\n');
			report_text(rs[i], opts->detail, o);
		}
		return DM_OK;
	}
	return dm_fail(DM_ESOFTWARE, "report: no such format");
}

dm_err
report_run(struct dm_store *st, const struct dm_config *cfg, int which,
    struct report_opts *opts, FILE *fp)
{
	struct report reps[NREPORTS], *rs[NREPORTS];
	struct report_opts ro[NREPORTS];
	struct report_env env;
	struct rout o;
	size_t i, n = 0;
	dm_err err;

	if (which != REPORT_ALL && (which < 0 || which >= NREPORTS))
		return dm_fail(DM_EUSAGE, "no such report");
	if ((err = calendar_set_timezone(cfg->sla_timezone)) != DM_OK)
		return dm_fail(DM_ECONFIG, "%s: [sla] %s", cfg->path,
		    dm_errdetail());
	opts->from = opts->from_date[0] ? report_day_start(opts->from_date) :
	    INT64_MIN;
	opts->to = opts->to_date[0] ? report_day_end(opts->to_date) :
	    INT64_MAX;
	opts->split = opts->split_date[0] ? report_day_start(opts->split_date) :
	    INT64_MAX;
	opts->now = clock_now();
	memset(reps, 0, sizeof(reps));
	if ((err = begin(st)) != DM_OK)
		return err;
	for (i = 0; i < NREPORTS && err == DM_OK; i++) {
		if (which != REPORT_ALL && (size_t)which != i)
			continue;
		ro[i] = *opts;
		if (ro[i].by == BY_DEFAULT || i == 5)
			ro[i].by = default_by[i];
		env.st = st;
		env.cfg = cfg;
		env.opts = &ro[i];
		err = builders[i](&env, &reps[i]);
		rs[n++] = &reps[i];
	}
	end(st);
	rout_init(&o, fp);
	if (err == DM_OK)
		err = render(cfg, opts, rs, n, which == REPORT_ALL, &o);
	for (i = 0; i < n; i++)
		report_clear(rs[i]);
	if (err != DM_OK) {
		buf_free(&o.b);
		return err;
	}
	return rout_end(&o);
}
