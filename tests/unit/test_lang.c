/* Unit tests: lang.c, over the source tree's templates/ (en, es). */
#include <stdlib.h>
#include <string.h>

#include "deskmail/config.h"
#include "deskmail/lang.h"
#include "tap.h"

void
test_lang(void)
{
	struct dm_config cfg;
	char out[LANG_LEN], when[96], *s;
	time_t t = 1772812800;		/* 2026-03-06T16:00:00Z, a Friday */

	memset(&cfg, 0, sizeof(cfg));
	cfg.language = "en";
	ok(lang_code_ok("es") && lang_code_ok("pt-br") && !lang_code_ok("ES")
	    && !lang_code_ok("../es") && !lang_code_ok("") &&
	    !lang_code_ok("e/s"), "lang: a code names a directory, no path");
	ok(lang_exists(&cfg, "en") && lang_exists(&cfg, "es") &&
	    !lang_exists(&cfg, "xx"), "lang: a language is a directory");
	is_str(lang_from_header(&cfg, "es-MX, en", out), "es",
	    "lang: Content-Language es-MX, en: es (no es-mx here)");
	is_str(lang_from_header(&cfg, " EN", out), "en",
	    "lang: Content-Language EN: en");
	is_str(lang_from_header(&cfg, "fr", out), "",
	    "lang: Content-Language fr: none here");
	is_str(lang_from_header(&cfg, NULL, out), "", "lang: no header: none");
	is_str(lang_pick(&cfg, "fr", out), "en",
	    "lang: an unknown language: [deskmail] language");
	cfg.language = "es";
	is_str(lang_pick(&cfg, NULL, out), "es", "lang: none wanted: the default");
	cfg.language = "fr";
	is_str(lang_pick(&cfg, NULL, out), LANG_SHARED,
	    "lang: a default that is not here: LANG_SHARED");
	cfg.language = "en";
	is_str(lang_time(&cfg, "es", t, "America/Denver", when, sizeof(when)),
	    "viernes 6 de marzo de 2026, 09:00 MST",
	    "lang: a time in Spanish, from es/words");
	is_str(lang_time(&cfg, "en", t, "America/Denver", when, sizeof(when)),
	    "Fri 06 Mar 2026, 09:00 MST", "lang: a time in English, as before");
	is_str(lang_time(&cfg, "xx", t, "UTC", when, sizeof(when)),
	    "Fri 06 Mar 2026, 16:00 UTC",
	    "lang: a language without words: English");
	s = lang_say(&cfg, "es", "requests.open_many", "", "n", "3",
	    (const char *)NULL);
	is_str(s, "3 solicitudes abiertas, de la más reciente a la más "
	    "antigua.", "lang: a word with {n} filled in");
	free(s);
	s = lang_say(&cfg, "es", "no.such.key", "a {x} and {y}", "x", "1",
	    (const char *)NULL);
	is_str(s, "a 1 and {y}", "lang: a missing key: the fallback; an "
	    "unknown {name} stays");
	free(s);
	is_str(lang_word(&cfg, "xx", "hello", "?"), "Hello,",
	    "lang: a word of no language: LANG_SHARED's");
	ok(lang_check(&cfg, "en") == DM_OK && lang_check(&cfg, "es") == DM_OK,
	    "lang: en and es have complete words files");
}
