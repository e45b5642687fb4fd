/*
 * lang.c - the languages: which there are (directories under the
 * template directories), which one a customer gets, and each one's
 * words file, read once per process.
 *
 * A words file is lines "key = value" ('#' starts a comment line).  The
 * keys deskmail reads are listed in templates/README; a key a language
 * lacks comes from LANG_SHARED's file, so an English-only word never
 * leaves a hole.
 */
#include <ctype.h>
#include <dirent.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "deskmail/clock.h"
#include "deskmail/lang.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

#ifndef DATADIR
#define DATADIR "/usr/local/share/deskmail"
#endif

#define WORDS_MAX_BYTES	(64 * 1024)
#define WORDS_MAX	256	/* keys in one words file */
#define LANGS_MAX	32	/* languages whose words are kept */
#define LANGS_LISTED	64

struct words {
	char		 code[LANG_LEN];
	size_t		 n;
	char		*keys[WORDS_MAX];
	char		*values[WORDS_MAX];
	unsigned	 hashes[WORDS_MAX];	/* of each key: a page looks
						   up dozens of words */
	struct words	*retired;	/* lang_cache_clear() keeps them here */
};

static struct words *loaded[LANGS_MAX];
static size_t nloaded;
static struct words *retired;
/* read-mostly: every page and notice looks words up */
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;

void
lang_dirs(const struct dm_config *cfg, const char *dirs[3])
{
	dirs[0] = cfg->template_dir && *cfg->template_dir ?
	    cfg->template_dir : NULL;
	dirs[1] = DATADIR "/templates";
#ifdef TEMPLATE_SRCDIR
	dirs[2] = TEMPLATE_SRCDIR;
#else
	dirs[2] = NULL;
#endif
}

int
lang_code_ok(const char *code)
{
	size_t i;

	if (code == NULL || !islower((unsigned char)code[0]))
		return 0;
	for (i = 1; code[i] != '\0'; i++)
		if (i >= LANG_LEN - 1 || (!islower((unsigned char)code[i]) &&
		    !isdigit((unsigned char)code[i]) && code[i] != '-'))
			return 0;
	return 1;
}

/*
 * Whether code has a directory, asked of the file system once per
 * process and template_dir: every page and notice picks its language,
 * and a stat() in each of three directories per pick was a third of the
 * status page's time.  lang_cache_clear() forgets the answers (run's
 * SIGHUP), as it does the words.  Only EXISTS_MAX answers are kept, so
 * mail naming ever new languages cannot grow it.
 */
#define EXISTS_MAX	64

static struct {
	char	 code[LANG_LEN];
	char	*dir;		/* template_dir it was asked for, or NULL */
	int	 found;
} exists[EXISTS_MAX];
static size_t nexists;

static int
same_dir(const char *a, const char *b)
{
	return (a == NULL || *a == '\0') ? (b == NULL || *b == '\0') :
	    b != NULL && strcmp(a, b) == 0;
}

/* The file system's answer, uncached. */
static int
exists_on_disk(const struct dm_config *cfg, const char *code)
{
	const char *dirs[3];
	struct stat sb;
	char *path;
	int found = 0;
	size_t i;

	lang_dirs(cfg, dirs);
	for (i = 0; i < 3 && !found; i++) {
		if (dirs[i] == NULL)
			continue;
		path = xasprintf("%s/%s", dirs[i], code);
		found = stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
		free(path);
	}
	return found;
}

int
lang_exists(const struct dm_config *cfg, const char *code)
{
	int found = -1;
	size_t i;

	if (!lang_code_ok(code))
		return 0;
	pthread_rwlock_rdlock(&lock);
	for (i = 0; i < nexists && found < 0; i++)
		if (strcmp(exists[i].code, code) == 0 &&
		    same_dir(exists[i].dir, cfg->template_dir))
			found = exists[i].found;
	pthread_rwlock_unlock(&lock);
	if (found >= 0)
		return found;
	found = exists_on_disk(cfg, code);
	pthread_rwlock_wrlock(&lock);
	if (nexists < EXISTS_MAX) {
		snprintf(exists[nexists].code, LANG_LEN, "%s", code);
		exists[nexists].dir = cfg->template_dir && *cfg->template_dir ?
		    xstrdup(cfg->template_dir) : NULL;
		exists[nexists++].found = found;
	}
	pthread_rwlock_unlock(&lock);
	return found;
}

const char *
lang_pick(const struct dm_config *cfg, const char *want, char out[LANG_LEN])
{
	const char *pick = LANG_SHARED;

	if (want != NULL && lang_exists(cfg, want))
		pick = want;
	else if (cfg->language != NULL && lang_exists(cfg, cfg->language))
		pick = cfg->language;
	return str_copy(out, LANG_LEN, pick, strlen(pick));
}

const char *
lang_from_header(const struct dm_config *cfg, const char *value,
    char out[LANG_LEN])
{
	char tag[LANG_LEN], *dash;
	size_t n = 0;

	out[0] = '\0';
	if (value == NULL)
		return out;
	while (*value == ' ' || *value == '\t')
		value++;
	/* RFC 3282: a list of language tags; the first is the mail's */
	while (value[n] != '\0' && value[n] != ',' && value[n] != ' ' &&
	    value[n] != '\t' && value[n] != ';' && value[n] != '(')
		n++;
	if (n == 0 || n >= LANG_LEN)
		return out;
	memcpy(tag, value, n);
	tag[n] = '\0';
	str_lower(tag);
	if (lang_exists(cfg, tag)) {
		snprintf(out, LANG_LEN, "%s", tag);
		return out;
	}
	if ((dash = strchr(tag, '-')) != NULL) {
		*dash = '\0';
		if (lang_exists(cfg, tag))
			snprintf(out, LANG_LEN, "%s", tag);
	}
	return out;
}

/* The path of code's words file, or NULL when no directory has one. */
static char *
words_path(const struct dm_config *cfg, const char *code)
{
	const char *dirs[3];
	char *path;
	size_t i;

	lang_dirs(cfg, dirs);
	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL)
			continue;
		path = xasprintf("%s/%s/words", dirs[i], code);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

static void
words_free(struct words *w)
{
	size_t i;

	if (w == NULL)
		return;
	for (i = 0; i < w->n; i++) {
		free(w->keys[i]);
		free(w->values[i]);
	}
	free(w);
}

/* Parse the words file at path into a new struct words (*out). */
static dm_err
words_read(const char *path, const char *code, struct words **out)
{
	struct words *w;
	char *data, *line, *next, *eq, *k, *v;
	size_t len;
	int lineno = 0;
	dm_err err;

	*out = NULL;
	if ((err = read_file(path, WORDS_MAX_BYTES, &data, &len)) != DM_OK)
		return dm_fail(DM_ECONFIG, "words %s", dm_errdetail());
	w = xcalloc(1, sizeof(*w));
	snprintf(w->code, sizeof(w->code), "%s", code);
	for (line = data; line != NULL; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		while (isspace((unsigned char)*line))
			line++;
		if (*line == '\0' || *line == '#')
			continue;
		if ((eq = strchr(line, '=')) == NULL || eq == line ||
		    w->n == WORDS_MAX) {
			err = dm_fail(DM_ECONFIG, "%s:%d: %s", path, lineno,
			    eq == NULL || eq == line ? "expected \"key = "
			    "value\"" : "too many words");
			break;
		}
		*eq = '\0';
		k = str_squeeze(xstrdup(line));
		v = str_squeeze(xstrdup(eq + 1));
		w->keys[w->n] = k;
		w->hashes[w->n] = str_hash(k);
		w->values[w->n++] = v;
	}
	free(data);
	if (err != DM_OK) {
		words_free(w);
		return err;
	}
	*out = w;
	return DM_OK;
}

/*
 * The words this thread found last, per slot (a language, and
 * LANG_SHARED's), valid while generation is what it was: a page looks
 * up dozens of words, and the shared lock's cache line went back and
 * forth between the web threads.  lang_cache_clear() moves generation
 * on; retired words are never freed, so a stale pointer is never read.
 */
static atomic_uint generation;
static _Thread_local struct {
	char			 code[LANG_LEN];
	const struct words	*w;
	unsigned		 gen;
} last[2];

static const struct words *words_lookup(const struct dm_config *,
    const char *);

/* code's words, read on first use; NULL when it has none that read. */
static const struct words *
words_of(const struct dm_config *cfg, const char *code)
{
	unsigned gen = atomic_load_explicit(&generation,
	    memory_order_acquire);
	int k = strcmp(code, LANG_SHARED) == 0;
	const struct words *w;

	if (last[k].w != NULL && last[k].gen == gen &&
	    strcmp(last[k].code, code) == 0)
		return last[k].w;
	if ((w = words_lookup(cfg, code)) != NULL && strlen(code) < LANG_LEN) {
		snprintf(last[k].code, LANG_LEN, "%s", code);
		last[k].w = w;
		last[k].gen = gen;
	}
	return w;
}

static const struct words *
words_lookup(const struct dm_config *cfg, const char *code)
{
	struct words *w = NULL;
	char *path;
	size_t i;

	pthread_rwlock_rdlock(&lock);
	for (i = 0; i < nloaded; i++)
		if (strcmp(loaded[i]->code, code) == 0) {
			w = loaded[i];
			break;
		}
	pthread_rwlock_unlock(&lock);
	if (w != NULL || !lang_code_ok(code))
		return w;
	if ((path = words_path(cfg, code)) == NULL)
		return NULL;
	(void)words_read(path, code, &w);
	free(path);
	if (w == NULL)
		return NULL;
	pthread_rwlock_wrlock(&lock);
	for (i = 0; i < nloaded; i++)
		if (strcmp(loaded[i]->code, code) == 0)
			break;
	if (i < nloaded) {		/* another thread was first */
		words_free(w);
		w = loaded[i];
	} else if (nloaded < LANGS_MAX)
		loaded[nloaded++] = w;
	else {				/* kept, not listed: read again */
		w->retired = retired;
		retired = w;
	}
	pthread_rwlock_unlock(&lock);
	return w;
}

static const char *
word_in(const struct words *w, const char *key)
{
	unsigned h;
	size_t i;

	if (w == NULL)
		return NULL;
	h = str_hash(key);
	for (i = 0; i < w->n; i++)
		if (w->hashes[i] == h && strcmp(w->keys[i], key) == 0)
			return w->values[i];
	return NULL;
}

const char *
lang_word(const struct dm_config *cfg, const char *code, const char *key,
    const char *fallback)
{
	const char *v = NULL;

	if (code != NULL)
		v = word_in(words_of(cfg, code), key);
	if (v == NULL)
		v = word_in(words_of(cfg, LANG_SHARED), key);
	return v != NULL ? v : fallback;
}

char *
lang_say(const struct dm_config *cfg, const char *code, const char *key,
    const char *fallback, ...)
{
	const char *w = lang_word(cfg, code, key, fallback), *p, *close;
	const char *name, *value;
	struct buf b;
	va_list ap;
	size_t n;
	int done;

	buf_init(&b);
	buf_add(&b, "", 0);
	for (p = w; *p != '\0'; p++) {
		if (*p != '{' || (close = strchr(p, '}')) == NULL) {
			buf_addc(&b, *p);
			continue;
		}
		n = (size_t)(close - p - 1);
		done = 0;
		va_start(ap, fallback);
		while (!done && (name = va_arg(ap, const char *)) != NULL) {
			value = va_arg(ap, const char *);
			if (strlen(name) == n && strncmp(name, p + 1, n) == 0) {
				buf_adds(&b, value ? value : "");
				done = 1;
			}
		}
		va_end(ap);
		if (!done) {		/* not ours: as written */
			buf_addc(&b, *p);
			continue;
		}
		p = close;
	}
	return buf_release(&b);
}

/* The i-th of n words in list (space separated) into out; 0 if absent. */
static int
nth(const char *list, int i, char *out, size_t len)
{
	const char *p = list, *s;
	int k = 0;

	if (list == NULL)
		return 0;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			return 0;
		for (s = p; *p != '\0' && *p != ' '; p++)
			;
		if (k++ == i) {
			str_copy(out, len, s, (size_t)(p - s));
			return 1;
		}
	}
}

/*
 * Text written into a caller's buffer, cut at its size as snprintf()
 * would: a page writes a dozen times, and a growing buffer each was a
 * malloc() and a copy.
 */
struct out {
	char	*at;
	size_t	 left;		/* bytes that still fit, the NUL not counted */
};

static void
out_add(struct out *o, const char *s, size_t n)
{
	if (n > o->left)
		n = o->left;
	memcpy(o->at, s, n);
	o->at += n;
	o->left -= n;
}

/* n in decimal, at least width digits: printf's "%0*d" without printf,
 * which was most of the time of a time on a page. */
static void
number(struct out *o, int n, int width)
{
	char d[16];
	int i = (int)sizeof(d);

	if (n < 0) {		/* not a calendar's; as printf would */
		char tmp[24];

		out_add(o, tmp, (size_t)snprintf(tmp, sizeof(tmp), "%0*d",
		    width, n));
		return;
	}
	do {
		d[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0 && i > 0);
	while ((int)sizeof(d) - i < width && i > 0)
		d[--i] = '0';
	out_add(o, d + i, sizeof(d) - (size_t)i);
}

char *
lang_time(const struct dm_config *cfg, const char *code, time_t t,
    const char *tz, char *buf, size_t len)
{
	const struct words *w = code ? words_of(cfg, code) : NULL;
	const char *fmt = word_in(w, "time"), *days = word_in(w, "days"),
	    *months = word_in(w, "months"), *p;
	char day[32], month[32];
	struct zone_time zt;
	struct out o;
	struct tm tm;
	time_t local;

	if (fmt == NULL || days == NULL || months == NULL)
		return clock_format_human(t, tz, buf, len);
	(void)zone_at(tz, t, &zt);
	local = t + zt.gmtoff;
	if ((clock_utc(local, &tm) == NULL && gmtime_r(&local, &tm) == NULL) ||
	    !nth(days, tm.tm_wday, day, sizeof(day)) ||
	    !nth(months, tm.tm_mon, month, sizeof(month)))
		return clock_format_human(t, tz, buf, len);
	if (len == 0)
		return buf;
	o.at = buf;
	o.left = len - 1;
	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%' || p[1] == '\0') {
			out_add(&o, p, 1);
			continue;
		}
		switch (*++p) {
		case 'a': out_add(&o, day, strlen(day)); break;
		case 'b': out_add(&o, month, strlen(month)); break;
		case 'd': number(&o, tm.tm_mday, 2); break;
		case 'e': number(&o, tm.tm_mday, 1); break;
		case 'Y': number(&o, tm.tm_year + 1900, 1); break;
		case 'H': number(&o, tm.tm_hour, 2); break;
		case 'M': number(&o, tm.tm_min, 2); break;
		case 'Z': out_add(&o, zt.abbr, strlen(zt.abbr)); break;
		default: out_add(&o, p, 1); break;
		}
	}
	*o.at = '\0';
	return buf;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

dm_err
lang_list(const struct dm_config *cfg, char ***codes, size_t *n)
{
	const char *dirs[3];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	char *path, **out = NULL;
	size_t i, j, k = 0;

	lang_dirs(cfg, dirs);
	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL || (d = opendir(dirs[i])) == NULL)
			continue;
		while ((de = readdir(d)) != NULL && k < LANGS_LISTED) {
			if (!lang_code_ok(de->d_name))
				continue;
			path = xasprintf("%s/%s", dirs[i], de->d_name);
			if (stat(path, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
				free(path);
				continue;
			}
			free(path);
			for (j = 0; j < k; j++)
				if (strcmp(out[j], de->d_name) == 0)
					break;
			if (j < k)
				continue;
			out = xreallocarray(out, k + 1, sizeof(*out));
			out[k++] = xstrdup(de->d_name);
		}
		closedir(d);
	}
	if (k > 1)
		qsort(out, k, sizeof(*out), cmp_str);
	*codes = out;
	*n = k;
	return DM_OK;
}

dm_err
lang_check(const struct dm_config *cfg, const char *code)
{
	struct words *w;
	char *path;
	dm_err err;

	if ((path = words_path(cfg, code)) == NULL)
		return dm_fail(DM_ECONFIG, "language %s: file %s/words not "
		    "found", code, code);
	err = words_read(path, code, &w);
	if (err == DM_OK && (word_in(w, "days") == NULL ||
	    word_in(w, "months") == NULL || word_in(w, "time") == NULL))
		err = dm_fail(DM_ECONFIG, "%s: days, months and time are "
		    "needed", path);
	else if (err == DM_OK) {
		char one[32];

		if (!nth(word_in(w, "days"), 6, one, sizeof(one)) ||
		    !nth(word_in(w, "months"), 11, one, sizeof(one)))
			err = dm_fail(DM_ECONFIG, "%s: days needs 7 names and "
			    "months 12", path);
	}
	words_free(w);
	free(path);
	return err;
}

void
lang_cache_clear(void)
{
	size_t i;

	pthread_rwlock_wrlock(&lock);
	/* a thread may still hold a word: kept, never freed */
	for (i = 0; i < nloaded; i++) {
		loaded[i]->retired = retired;
		retired = loaded[i];
	}
	nloaded = 0;
	atomic_fetch_add_explicit(&generation, 1, memory_order_release);
	for (i = 0; i < nexists; i++)
		free(exists[i].dir);
	nexists = 0;
	pthread_rwlock_unlock(&lock);
}
