/*
 * lang_guess.c - the language of a customer's text, guessed by
 * libexttextcat (Debian's libexttextcat-2.0-0, with the fingerprints of
 * libexttextcat-data) for a mail that names none.
 *
 * The library is loaded on first use (dyn.h): most mail names its
 * language or comes from an agency that has one, and an MTA starts one
 * `deskmail ingest` per message.  Built without it, or without it
 * installed, nothing is guessed and the [deskmail] language answers.
 * The guess is the library's likeliest language, taken only when there
 * is such a language here: a Catalan mail ("[ca][es]") is not Spanish.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "deskmail/dyn.h"
#include "deskmail/lang.h"
#include "deskmail/util.h"

#ifdef HAVE_TEXTCAT
#include <textcat.h>

/* a few hundred bytes suffice, says textcat.h; more only cost time */
#define GUESS_BYTES	512

static struct {
	__typeof__(&special_textcat_Init) init;
	__typeof__(&textcat_Classify) classify;
} tc;

static const struct dyn_sym tc_syms[] = {
	{ "special_textcat_Init", (void **)&tc.init },
	{ "textcat_Classify", (void **)&tc.classify },
	{ NULL, NULL }
};

static void *handle;		/* loaded once; never freed */
static int tried;
/* a handle classifies into its own buffers: one text at a time */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

/* "[es--utf8][ca--utf8]" (the likeliest first) -> "es"; "" for no
 * answer ("SHORT", "UNKNOWN"). */
static void
tag_of(const char *answer, char out[LANG_LEN])
{
	const char *close;
	size_t n;

	out[0] = '\0';
	if (answer == NULL || answer[0] != '[' ||
	    (close = strchr(answer, ']')) == NULL)
		return;
	for (n = 1; answer + n < close && answer[n] != '-'; n++)
		;
	if (n - 1 == 0 || n - 1 >= LANG_LEN)
		return;
	memcpy(out, answer + 1, n - 1);
	out[n - 1] = '\0';
	str_lower(out);
}
#endif

const char *
lang_guess(const struct dm_config *cfg, const char *text, char out[LANG_LEN])
{
	out[0] = '\0';
#ifdef HAVE_TEXTCAT
	char tag[LANG_LEN];
	size_t len;

	if (text == NULL || *text == '\0')
		return out;
	len = strlen(text);
	if (len > GUESS_BYTES) {
		len = GUESS_BYTES;
		/* not in the middle of a UTF-8 character */
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;
	}
	pthread_mutex_lock(&lock);
	if (!tried) {
		tried = 1;
		if (dyn_load(TEXTCAT_SONAME, tc_syms) == DM_OK)
			handle = tc.init(TEXTCAT_DATADIR "/fpdb.conf",
			    TEXTCAT_DATADIR "/");
	}
	tag[0] = '\0';
	if (handle != NULL)
		tag_of(tc.classify(handle, text, len), tag);
	pthread_mutex_unlock(&lock);
	if (tag[0] != '\0' && lang_exists(cfg, tag))
		snprintf(out, LANG_LEN, "%s", tag);
#else
	(void)cfg;
	(void)text;
#endif
	return out;
}
