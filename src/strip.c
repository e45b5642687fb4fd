/*
 * strip.c - the "new text" of a reply: what the writer added, without the
 * history their mail client quoted below it or their signature.
 *
 * Heuristics, by design conservative: when unsure, keep the line.  The
 * original body is always stored next to the result.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/text.h"
#include "deskmail/util.h"

/* A line from which everything below is quoted history. */
static const char *const cut_patterns[] = {
	/* "On Mon, 2 Mar 2026 at 09:15, Ann <ann@example.org> wrote:" */
	"^\\s*On\\b.{0,300}\\bwrote:\\s*$",
	"^\\s*-{2,}\\s*Original Message\\s*-{2,}",
	"^\\s*-{2,}\\s*Reply above this line",
	"^\\s*Le\\b.{0,300}\\ba écrit\\s*:\\s*$",
	"^\\s*Am\\b.{0,300}\\bschrieb\\b.{0,200}:\\s*$",
	"^\\s*El\\b.{0,300}\\bescribió\\s*:\\s*$",
	"^\\s*Op\\b.{0,300}\\bschreef\\b.{0,200}:\\s*$",
	NULL
};

/* Outlook's header block: "From: ..." followed closely by "Sent:"/"Date:". */
static const char outlook_from[] = "^\\s*\\**(From|Von|De)\\s*:\\**\\s+\\S";
static const char outlook_next[] =
    "^\\s*\\**(Sent|Date|Gesendet|Envoyé|To|Subject)\\s*:";
/* Trailer lines mobile clients add. */
static const char mobile_trailer[] =
    "^\\s*(Sent from my \\w+|Get Outlook for \\w+|Sent from Mail for Windows)";

static pcre2_code *cut_re[sizeof(cut_patterns) / sizeof(cut_patterns[0])];
static pcre2_code *from_re, *next_re, *trailer_re;
static dm_err compiled = DM_ESOFTWARE;
static pthread_once_t compile_once = PTHREAD_ONCE_INIT;
/* the patterns are shared; match data is per call (threads strip too) */
static _Thread_local pcre2_match_data *md;

static dm_err
compile(const char *pat, pcre2_code **out)
{
	PCRE2_UCHAR msg[160];
	PCRE2_SIZE off;
	int code;

	*out = pcre2_compile((PCRE2_SPTR)pat, PCRE2_ZERO_TERMINATED,
	    PCRE2_CASELESS | PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off,
	    NULL);
	if (*out == NULL) {
		pcre2_get_error_message(code, msg, sizeof(msg));
		return dm_fail(DM_ESOFTWARE, "pattern '%s': %s", pat,
		    (char *)msg);
	}
	return DM_OK;
}

static void
compile_all(void)
{
	size_t i;

	for (i = 0; cut_patterns[i] != NULL; i++)
		if (compile(cut_patterns[i], &cut_re[i]) != DM_OK)
			return;
	if (compile(outlook_from, &from_re) != DM_OK ||
	    compile(outlook_next, &next_re) != DM_OK ||
	    compile(mobile_trailer, &trailer_re) != DM_OK)
		return;
	compiled = DM_OK;
}

dm_err
text_init(void)
{
	pthread_once(&compile_once, compile_all);
	if (compiled != DM_OK)
		return dm_fail(DM_ESOFTWARE, "quote-stripping patterns do not "
		    "compile");
	return DM_OK;
}

static int
matches(pcre2_code *re, const char *s, size_t n)
{
	return pcre2_match(re, (PCRE2_SPTR)s, n, 0, 0, md, NULL) >= 0;
}

struct line {
	const char	*s;
	size_t		 n;
};

static struct line *
split_lines(const char *text, size_t *count)
{
	struct line *v = NULL;
	size_t n = 0;
	const char *p = text, *nl;

	while (*p) {
		nl = strchr(p, '\n');
		v = xreallocarray(v, n + 1, sizeof(*v));
		v[n].s = p;
		v[n].n = nl ? (size_t)(nl - p) : strlen(p);
		if (v[n].n > 0 && v[n].s[v[n].n - 1] == '\r')
			v[n].n--;
		n++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	*count = n;
	return v;
}

static int
is_blank(const struct line *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->s[i] != ' ' && l->s[i] != '\t')
			return 0;
	return 1;
}

/* Index of the first line of quoted history or signature, or n. */
static size_t
find_cut(const struct line *v, size_t n)
{
	size_t i, j;
	char *joined;
	int hit;

	for (i = 0; i < n; i++) {
		if ((v[i].n == 3 && memcmp(v[i].s, "-- ", 3) == 0) ||
		    (v[i].n == 2 && memcmp(v[i].s, "--", 2) == 0))
			return i;
		for (j = 0; cut_re[j] != NULL; j++)
			if (matches(cut_re[j], v[i].s, v[i].n))
				return i;
		/* an attribution wrapped over two lines */
		if (i + 1 < n && v[i].n < 300 && v[i + 1].n < 300) {
			joined = xasprintf("%.*s %.*s", (int)v[i].n, v[i].s,
			    (int)v[i + 1].n, v[i + 1].s);
			hit = matches(cut_re[0], joined, strlen(joined));
			free(joined);
			if (hit && v[i].n >= 2 && strncmp(v[i].s, "On", 2) == 0)
				return i;
		}
		if (matches(from_re, v[i].s, v[i].n)) {
			for (j = i + 1; j < n && j <= i + 4; j++)
				if (matches(next_re, v[j].s, v[j].n))
					return (i > 0 && v[i - 1].n > 0 &&
					    v[i - 1].s[0] == '_') ? i - 1 : i;
		}
	}
	return n;
}

char *
text_strip_quoted(const char *text)
{
	struct line *v;
	struct buf b;
	size_t n, cut, i, last;

	/* compiled on first use: most commands never strip anything */
	if (text_init() != DM_OK ||
	    (md = pcre2_match_data_create(4, NULL)) == NULL)
		return xstrdup(text);
	v = split_lines(text, &n);
	cut = find_cut(v, n);
	/* drop quoted lines, trailers and trailing blank lines */
	last = 0;
	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = 0; i < cut; i++) {
		if (v[i].n > 0 && v[i].s[0] == '>')
			continue;
		if (matches(trailer_re, v[i].s, v[i].n))
			continue;
		if (is_blank(&v[i]) && b.len == 0)
			continue;
		buf_add(&b, v[i].s, v[i].n);
		if (!is_blank(&v[i]))
			last = b.len;
		buf_addc(&b, '\n');
	}
	b.len = last;
	if (b.data)
		b.data[b.len] = '\0';
	free(v);
	pcre2_match_data_free(md);
	md = NULL;
	return buf_release(&b);
}
