/*
 * fuzz_template.c - libFuzzer target for the template renderer.  The
 * input is a template file (up to a line "%%"; what follows is its HTML
 * alternative): written to a scratch template_dir (tmpfs) as ack.txt,
 * ack.html and page_status.html, and rendered with every variable set to
 * a value full of HTML and braces, through template_render() and
 * template_render_page() (with the real layout.html).  The template
 * cache is cleared each run, so each input is read afresh.  Checks: a
 * rendered subject is one line, and no value reaches HTML unescaped.
 */
#include <string.h>

#include "deskmail/config.h"
#include "deskmail/template.h"
#include "deskmail/util.h"

#include "fuzz.h"

#ifndef DM_SRCDIR
#define DM_SRCDIR "."
#endif

/* Every variable templates/README documents (and the report's). */
static const char *const names[] = {
	"organisation", "help_address", "tag", "base_url",
	"ticket.id", "ticket.subject", "ticket.status", "ticket.severity",
	"ticket.team", "ticket.assignee", "ticket.created",
	"requester.name", "requester.address",
	"status_url", "accept_url", "notfixed_url",
	"survey_url_1", "survey_url_2", "survey_url_3", "survey_url_4",
	"survey_url_5", "author", "message", "history", "team",
	"sla.target", "sla.due", "sla.late", "rating",
	"csrf", "action_url", "checked_1", "checked_2", "checked_3",
	"checked_4", "checked_5", "comment", "page_title", "css_url",
	"report.title", "report.range", "report.generated", NULL
};

#define MARK	"<x-fuzz>"
static const char value[] = MARK "&\"'{{tag}}{{{report.body}}}\r\n\tend";

static void
copy_layout(const char *dir)
{
	char *data, *dst;
	size_t len;

	if (read_file(DM_SRCDIR "/templates/en/layout.html", 1 << 20, &data,
	    &len) != DM_OK) {
		fprintf(stderr, "fuzz_template: %s\n", dm_errdetail());
		abort();
	}
	dst = xasprintf("%s/layout.html", dir);
	fuzz_write(dst, data, len);
	free(dst);
	free(data);
}

static int
has_mark(const char *s, size_t len)
{
	return s != NULL && memmem(s, len, "x-fuzz", 6) != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_config cfg;
	static struct tvars vars;
	static char txt[300], html[300], page[300];
	const uint8_t *hdata;
	struct rendered r;
	struct tvars pv;
	char *out;
	size_t tlen, hlen, i;
	int marked = has_mark((const char *)data, size);

	if (cfg.template_dir == NULL) {
		cfg.template_dir = (char *)fuzz_tmpdir();
		copy_layout(cfg.template_dir);
		fuzz_path(txt, sizeof(txt), "ack.txt");
		fuzz_path(html, sizeof(html), "ack.html");
		fuzz_path(page, sizeof(page), "page_status.html");
		tvars_init(&vars);
		for (i = 0; names[i] != NULL; i++)
			tvars_set(&vars, names[i], value);
		tvars_set(&vars, "report.body", "<p>built</p>");
	}
	template_cache_clear();
	fuzz_split(data, size, &hdata, &tlen, &hlen);
	fuzz_write(txt, data, tlen);
	if (hdata != NULL)
		fuzz_write(html, hdata, hlen);
	else
		unlink(html);
	fuzz_write(page, hdata ? hdata : data, hdata ? hlen : tlen);
	if (template_render(&cfg, "ack", &vars, &r) == DM_OK) {
		if (strchr(r.subject, '\n') != NULL ||
		    (r.html && !marked && strstr(r.html, MARK) != NULL))
			abort();
		rendered_free(&r);
	}
	tvars_init(&pv);
	tvars_copy(&pv, &vars);
	if (template_render_page(&cfg, "page_status", &pv, &out) == DM_OK) {
		if (!marked && strstr(out, MARK) != NULL)
			abort();
		free(out);
	}
	tvars_free(&pv);
	return 0;
}
