/*
 * report_html.c - the HTML report: one self-contained page (inline CSS
 * and SVG, no script, nothing fetched) from templates/report.html, with a
 * section per report: its range, headline, chart and tables.  Every
 * string from the database is escaped here; the template escapes its
 * own variables.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/clock.h"
#include "deskmail/report.h"
#include "deskmail/template.h"

static void
table(struct rout *o, const struct rtab *t)
{
	struct buf *b = &o->b;
	size_t nc = rtab_ncols(t), nr = rtab_nrows(t), r, c;
	int *num = xcalloc(nc ? nc : 1, sizeof(*num));
	int detail = rtab_flags(t) & RT_DETAIL;

	for (c = 0; c < nc; c++)
		num[c] = rtab_numeric(t, c);
	if (detail) {
		buf_adds(b, "<details><summary>");
		buf_adds_html(b, rtab_title(t));
		buf_addf(b, " (%zu)</summary>\n", nr);
	}
	buf_addf(b, "<div class=\"scroll\"><table class=\"data\" "
	    "data-table=\"%s\">\n<caption>", rtab_name(t));
	buf_adds_html(b, rtab_title(t));
	buf_adds(b, nr ? "</caption>\n<thead><tr>" :
	    " &ndash; none</caption>\n<thead><tr>");
	for (c = 0; c < nc; c++) {
		buf_addf(b, "<th scope=\"col\"%s>", num[c] ? " class=\"n\"" : "");
		buf_adds_html(b, rtab_colinfo(t, c)->head);
		buf_adds(b, "</th>");
	}
	buf_adds(b, "</tr></thead>\n<tbody>\n");
	for (r = 0; r < nr; r++) {
		buf_adds(b, "<tr>");
		for (c = 0; c < nc; c++) {
			const char *s = rtab_text(t, r, c);

			buf_adds(b, num[c] ? "<td class=\"n\">" : "<td>");
			if (s != NULL)
				buf_adds_html(b, s);
			else
				buf_adds(b, "&ndash;");
			buf_adds(b, "</td>");
		}
		buf_adds(b, "</tr>\n");
		rout_flush(o);
	}
	buf_adds(b, "</tbody></table></div>\n");
	if (detail)
		buf_adds(b, "</details>\n");
	free(num);
}

/* detail: the long lists too (billing's incidents); a person reading the
 * page gets the totals, and the list on asking for it. */
static void
section(struct rout *o, const struct report *r, int detail)
{
	struct buf *b = &o->b;
	const struct rtab *m = r->meta;
	size_t i, c;

	buf_addf(b, "<section id=\"%s\" aria-labelledby=\"h-%s\">\n"
	    "<h2 id=\"h-%s\">", r->name, r->name, r->name);
	buf_adds_html(b, r->title);
	buf_adds(b, "</h2>\n<p class=\"meta\">");
	for (c = 0; m != NULL && c < rtab_ncols(m); c++) {
		const char *v = rtab_text(m, 0, c);

		buf_adds(b, c ? ", " : "");
		buf_adds_html(b, rtab_colinfo(m, c)->head);
		buf_adds(b, ": ");
		buf_adds_html(b, v ? v : "-");
	}
	buf_adds(b, "</p>\n<p class=\"summary\">");
	buf_adds_html(b, r->summary ? r->summary : "");
	buf_adds(b, "</p>\n");
	report_chart(r, b);
	for (i = 0; i < r->ntabs; i++) {
		if (!detail && (rtab_flags(r->tabs[i]) & RT_DETAIL)) {
			buf_addf(b, "<p class=\"meta\">%zu rows of ",
			    rtab_nrows(r->tabs[i]));
			buf_adds_html(b, rtab_title(r->tabs[i]));
			buf_adds(b, " left out: add --detail to list them.</p>\n");
			continue;
		}
		table(o, r->tabs[i]);
	}
	buf_adds(b, "</section>\n");
}

static char *
range(const struct dm_config *cfg, const struct report_opts *o)
{
	if (o->from_date[0] && o->to_date[0])
		return xasprintf("%s to %s (%s)", o->from_date, o->to_date,
		    cfg->sla_timezone);
	if (o->from_date[0])
		return xasprintf("from %s (%s)", o->from_date,
		    cfg->sla_timezone);
	if (o->to_date[0])
		return xasprintf("up to %s (%s)", o->to_date, cfg->sla_timezone);
	return xasprintf("all dates (%s)", cfg->sla_timezone);
}

/* Where the sections go in the rendered template: raw HTML, so no
 * escaped value can look like it. */
#define BODY_MARK	"<!--report.body-->"

dm_err
report_html(const struct dm_config *cfg, const struct report_opts *opts,
    struct report *const *rs, size_t n, struct rout *o)
{
	struct tvars v;
	char iso[32], *s, *page, *mark;
	size_t i;
	dm_err err;

	/* the shell first: a broken template fails before anything is out */
	tvars_init(&v);
	tvars_set(&v, "organisation", cfg->organisation);
	tvars_set(&v, "report.title", n == 1 ? rs[0]->title :
	    "Service desk report");
	s = range(cfg, opts);
	tvars_set(&v, "report.range", s);
	free(s);
	tvars_set(&v, "report.generated", clock_format_iso((time_t)opts->now,
	    iso, sizeof(iso)));
	tvars_set(&v, "report.body", BODY_MARK);
	err = template_render_document(cfg, "report", &v, &page);
	tvars_free(&v);
	if (err != DM_OK)
		return err;
	if ((mark = strstr(page, BODY_MARK)) == NULL) {
		free(page);
		return dm_fail(DM_ECONFIG, "template report.html has no "
		    "{{{report.body}}}");
	}
	buf_add(&o->b, page, (size_t)(mark - page));
	if (n > 1) {
		buf_adds(&o->b, "<nav aria-label=\"Reports\"><ul>\n");
		for (i = 0; i < n; i++) {
			buf_addf(&o->b, "<li><a href=\"#%s\">", rs[i]->name);
			buf_adds_html(&o->b, rs[i]->title);
			buf_adds(&o->b, "</a></li>\n");
		}
		buf_adds(&o->b, "</ul></nav>\n");
	}
	for (i = 0; i < n; i++)
		section(o, rs[i], opts->detail);
	buf_adds(&o->b, mark + strlen(BODY_MARK));
	free(page);
	return DM_OK;
}
