/*
 * lang.h - the languages deskmail writes to customers in.
 *
 * A language is data: a directory templates/LANG/ ("en", "es") beside the
 * shared templates, holding that language's customer templates and its
 * file "words": the day and month names, the format of a time for people
 * and the few words deskmail itself puts into templates ("Hello NAME,",
 * a status in words).  Adding a directory adds a language; no locale of
 * the system is used (a fresh Debian has only C.UTF-8).
 */
#ifndef DESKMAIL_LANG_H
#define DESKMAIL_LANG_H

#include <stddef.h>
#include <time.h>

#include "deskmail/config.h"
#include "deskmail/err.h"

/* Room for a language code and its NUL ("es", "pt-br"). */
#define LANG_LEN	16

/* The language of the shared templates (those staff read), and the one
 * deskmail falls back to when no other is there. */
#define LANG_SHARED	"en"

/* Nonzero when code can name a language directory: a letter, then up to
 * 14 lower-case letters, digits and '-'. */
int	lang_code_ok(const char *code);

/* Nonzero when language code exists: some template directory has a
 * directory of that name (asked once per process; lang_cache_clear()). */
int	lang_exists(const struct dm_config *cfg, const char *code);

/*
 * The language to write in when want is wanted (NULL or "": none): want
 * if it exists, else [deskmail] language if it exists, else LANG_SHARED.
 * Into out (LANG_LEN bytes), which it returns.  Never fails.
 */
const char *lang_pick(const struct dm_config *cfg, const char *want,
	    char out[LANG_LEN]);

/*
 * The first language of a Content-Language value ("es-MX, en") that
 * exists here, as its directory is named ("es-mx" if there is one, else
 * "es"), into out (LANG_LEN bytes); "" when the value names none.
 */
const char *lang_from_header(const struct dm_config *cfg, const char *value,
	    char out[LANG_LEN]);

/*
 * The language text is written in, as libexttextcat guesses it (loaded
 * on first use), into out (LANG_LEN bytes), which it returns: the
 * library's likeliest, when it exists here, else "".  Built without
 * libexttextcat, or with it not installed: always "".  Thread-safe.
 */
const char *lang_guess(const struct dm_config *cfg, const char *text,
	    char out[LANG_LEN]);

/*
 * The word key in language code: its value in code's words file, else
 * in LANG_SHARED's, else fallback.  The string lives as long as the
 * process (words files are read once; lang_cache_clear() reads them
 * again for later calls without freeing what earlier ones returned).
 */
const char *lang_word(const struct dm_config *cfg, const char *code,
	    const char *key, const char *fallback);

/*
 * The word key with each "{NAME}" in it replaced by its value: the
 * arguments after fallback are NAME, VALUE pairs, then NULL ("Hello
 * {name},": "name", "Ana", NULL).  A {NAME} not given stays as written.
 * Caller frees.
 */
char	*lang_say(const struct dm_config *cfg, const char *code,
	    const char *key, const char *fallback, ...);

/*
 * Time t for people in zone tz and language code: its words file's
 * "time" format with its day and month names ("Fri 06 Mar 2026, 09:00
 * MST", "viernes 6 de marzo de 2026, 09:00 MST"); a language without
 * them writes English (clock_format_human()).  Returns buf (at least
 * 96 bytes).
 */
char	*lang_time(const struct dm_config *cfg, const char *code, time_t t,
	    const char *tz, char *buf, size_t len);

/*
 * Every language there is, sorted, into *codes (*n of them; free each
 * and the array).
 */
dm_err	lang_list(const struct dm_config *cfg, char ***codes, size_t *n);

/* Check that code's words file is there and reads (DM_ECONFIG naming
 * the file and line when not). */
dm_err	lang_check(const struct dm_config *cfg, const char *code);

/* The template directories, in the order a file is looked for in them
 * (template_dir, the installed one, the source tree's); NULL entries are
 * not there.  n is 3. */
void	lang_dirs(const struct dm_config *cfg, const char *dirs[3]);

/* Forget the words read so far, and which languages exist. */
void	lang_cache_clear(void);

#endif
