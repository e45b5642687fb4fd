/*
 * version.c - `deskmail --version`.
 */
#include <stdio.h>

#include <json-c/json.h>
#include <libetpan/libetpan_version.h>
#include <nettle/version.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <sqlite3.h>

#include "config.h"
#include "deskmail/dyn.h"
#include "deskmail/version.h"

#define NEED_NET	"to send mail, serve the link pages or fetch over TLS"
#define NEED_GUESS	"to guess a mail's language from its text"

typedef const char *(*version_fn)(void);
typedef const char *(*check_fn)(const char *);

/* A library deskmail loads when first needed: its version, or why not. */
static void
loaded(FILE *fp, const char *what, const char *soname, const char *symbol,
    const char *need)
{
	void *fn = NULL;
	struct dyn_sym syms[] = { { symbol, &fn }, { NULL, NULL } };
	const char *v = NULL;

	if (dyn_load(soname, syms) == DM_OK && fn != NULL) {
		/* gnutls_check_version(NULL) is the version, like the others */
		if (symbol[0] == 'g')
			v = ((check_fn)fn)(NULL);
		else
			v = ((version_fn)fn)();
	}
	if (v != NULL)
		fprintf(fp, "  %-14s %s\n", what, v);
	else
		fprintf(fp, "  %-14s not found (%s; needed %s)\n", what, soname,
		    need);
}

void
version_print(FILE *fp)
{
	char pcre[64] = "";

	fprintf(fp, "deskmail %s\n", PACKAGE_VERSION);
	fprintf(fp, "  %-14s %s\n", "SQLite", sqlite3_libversion());
	fprintf(fp, "  %-14s %d.%d\n", "libetpan", libetpan_get_version_major(),
	    libetpan_get_version_minor());
	if (pcre2_config(PCRE2_CONFIG_VERSION, pcre) < 0)
		pcre[0] = '\0';
	fprintf(fp, "  %-14s %s\n", "PCRE2", pcre[0] ? pcre : "unknown");
	fprintf(fp, "  %-14s %s\n", "json-c", json_c_version());
	fprintf(fp, "  %-14s %d.%d\n", "Nettle", nettle_version_major(),
	    nettle_version_minor());
	loaded(fp, "libcurl", CURL_SONAME, "curl_version", NEED_NET);
	loaded(fp, "libmicrohttpd", MHD_SONAME, "MHD_get_version", NEED_NET);
	loaded(fp, "GnuTLS", GNUTLS_SONAME, "gnutls_check_version", NEED_NET);
#ifdef HAVE_TEXTCAT
	loaded(fp, "libexttextcat", TEXTCAT_SONAME, "textcat_Version",
	    NEED_GUESS);
#else
	fprintf(fp, "  %-14s not built in (%s)\n", "libexttextcat",
	    NEED_GUESS);
#endif
}
