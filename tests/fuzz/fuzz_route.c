/*
 * fuzz_route.c - libFuzzer target for the routing rules file.  The input
 * up to a line "%%" is the rules file (written to tmpfs; route_load()
 * reads a path), what follows is a mail the rules are applied to (a small
 * fixed mail when there is none or it does not parse).  Teams and
 * policies come from a fixed config with [routing] match_limit = 10000;
 * an input of odd length is loaded in mode = all, else mode = first.
 */
#include <string.h>

#include "deskmail/charset.h"
#include "deskmail/config.h"
#include "deskmail/mime.h"
#include "deskmail/route.h"

#include "fuzz.h"

static const char config_text[] =
    "[deskmail]\n"
    "address = help@example.org\n"
    "[routing]\n"
    "match_limit = 10000\n"
    "mode = %s\n"
    "[team servicedesk]\n"
    "members = sd1@example.org\n"
    "[team desktop]\n"
    "[team apps]\n"
    "[team dispatch]\n"
    "[team security]\n"
    "[policy gold]\n"
    "triage = 15m\n"
    "severity1 = hours=24x7 ack=15m initial=15m updates=every:1h\n";

static const char mail_text[] =
    "From: Ann Example <ann@dot.ny.gov>\n"
    "To: help@example.org, Desk <desk-cc@example.org>\n"
    "Cc: someone@example.org\n"
    "Subject: Password locked out, printer toner low\n"
    "Message-ID: <fuzz-1@dot.ny.gov>\n"
    "\n"
    "Since this morning the payroll app crashed twice.\n"
    "alpha\nomega\n";

static const struct dm_limits lim = { 1 << 20, 1000, 65536, 20, 500, 0 };

static struct dm_config *
load_config(const char *mode)
{
	struct dm_config *cfg;
	char path[300], *text;
	int n;

	fuzz_path(path, sizeof(path), mode);
	n = asprintf(&text, config_text, mode);
	if (n < 0)
		abort();
	fuzz_write(path, text, (size_t)n);
	free(text);
	if (config_load(path, &cfg) != DM_OK) {
		fprintf(stderr, "fuzz_route: config: %s\n", dm_errdetail());
		abort();
	}
	return cfg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_config *first, *all;
	static struct dm_parsed *fixed;
	static char path[300];
	struct dm_parsed *m = NULL;
	struct dm_rules *rules;
	struct dm_route r;
	const uint8_t *mdata;
	size_t rlen, mlen;

	if (first == NULL) {
		charset_install();
		first = load_config("first");
		all = load_config("all");
		if (mime_parse(mail_text, strlen(mail_text), &lim, &fixed) !=
		    DM_OK)
			abort();
		fuzz_path(path, sizeof(path), "rules");
	}
	fuzz_split(data, size, &mdata, &rlen, &mlen);
	fuzz_write(path, data, rlen);
	if (route_load(path, size % 2 ? all : first, &rules) != DM_OK)
		return 0;
	if (mdata != NULL && mime_parse((const char *)mdata, mlen, &lim, &m) !=
	    DM_OK)
		m = NULL;
	route_apply(rules, m ? m : fixed, &r);
	route_clear(&r);
	mime_free(m);
	route_free(rules);
	return 0;
}
