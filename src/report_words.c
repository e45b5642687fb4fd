/*
 * report_words.c - the words of a survey comment, for the themes report.
 *
 * A word is a run of Unicode letters and digits (UTF-8), lower-cased; an
 * apostrophe (' or U+2019) between two letters stays part of it ("don't"),
 * written as '.  Stop-words (a built-in English list) and words of one
 * character are dropped.  Two kept words are adjacent, and so a phrase,
 * when only white space stands between them: a dropped word, punctuation
 * or the end of the comment breaks a pair.  Letters are classified and
 * lower-cased with the C library's C.UTF-8 locale, used through a
 * locale object so the process's own locale stays as it is.
 */
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <wctype.h>

#include "deskmail/report.h"

/* Sorted (strcmp), for bsearch. */
static const char *const stop_words[] = {
	"about", "above", "after", "again", "against", "all", "also", "am",
	"an", "and", "any", "are", "aren't", "as", "at", "be", "because",
	"been", "before", "being", "below", "between", "both", "but", "by",
	"can", "can't", "could", "did", "didn't", "do", "does", "doesn't",
	"doing", "don't", "down", "during", "each", "few", "for", "from",
	"further", "had", "has", "have", "having", "he", "her", "here",
	"hers", "him", "his", "how", "i'm", "i've", "if", "in", "into", "is",
	"isn't", "it", "it's", "its", "just", "me", "more", "most", "my",
	"no", "nor", "not", "now", "of", "off", "on", "once", "only", "or",
	"other", "our", "ours", "out", "over", "own", "same", "she", "should",
	"so", "some", "such", "than", "that", "that's", "the", "their",
	"theirs", "them", "then", "there", "there's", "these", "they", "this",
	"those", "through", "to", "too", "under", "until", "up", "us", "very",
	"was", "wasn't", "we", "we're", "were", "what", "when", "where",
	"which", "while", "who", "whom", "why", "will", "with", "won't",
	"would", "you", "you're", "your", "yours",
};

#define MAXWORD	128	/* bytes; longer runs are not words people write */

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int
is_stop(const char *w)
{
	return bsearch(&w, stop_words, sizeof(stop_words) /
	    sizeof(stop_words[0]), sizeof(stop_words[0]), cmp_str) != NULL;
}

static locale_t
utf8_locale(void)
{
	static _Thread_local locale_t loc;
	static _Thread_local int tried;

	if (!tried) {
		tried = 1;
		loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	}
	return loc;
}

/* Decode one code point at s (n bytes left); 0 bytes used means invalid. */
static size_t
decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t len, i;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, *cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, *cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, *cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && *cp < 0x800) || (len == 4 && (*cp < 0x10000 ||
	    *cp > 0x10ffff)) || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return len;
}

static size_t
encode(uint32_t cp, char *out)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static int
is_alnum(uint32_t cp, locale_t loc)
{
	if (cp < 0x80)
		return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
		    (cp >= '0' && cp <= '9');
	return loc != (locale_t)0 ? iswalnum_l((wint_t)cp, loc) != 0 : 1;
}

static uint32_t
lower(uint32_t cp, locale_t loc)
{
	if (cp < 0x80)
		return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
	return loc != (locale_t)0 ? (uint32_t)towlower_l((wint_t)cp, loc) : cp;
}

static int
is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' ||
	    cp == '\f' || cp == '\v' || cp == 0xa0;
}

void
words_each(const char *text, void (*fn)(const char *, int, void *),
    void *arg)
{
	const unsigned char *p = (const unsigned char *)text;
	size_t n = strlen(text), used, len = 0, chars = 0;
	locale_t loc = utf8_locale();
	char word[MAXWORD + 8];
	int adjacent = 0, toolong = 0;
	uint32_t cp;

	for (;;) {
		used = n ? decode(p, n, &cp) : 0;
		if (used > 0 && is_alnum(cp, loc)) {
			if (len + 4 <= MAXWORD)
				len += encode(lower(cp, loc), word + len);
			else
				toolong = 1;
			chars++;
			p += used, n -= used;
			continue;
		}
		/* an apostrophe between two letters belongs to the word */
		if (used > 0 && len > 0 && (cp == '\'' || cp == 0x2019)) {
			uint32_t next;

			if (n > used && decode(p + used, n - used, &next) > 0 &&
			    is_alnum(next, loc) && len + 1 <= MAXWORD) {
				word[len++] = '\'';
				p += used, n -= used;
				continue;
			}
		}
		if (len > 0) {
			word[len] = '\0';
			if (chars < 2 || toolong || is_stop(word))
				adjacent = 0;
			else {
				fn(word, adjacent, arg);
				adjacent = 1;
			}
			len = chars = 0;
			toolong = 0;
		}
		if (n == 0)
			break;
		if (used == 0) {	/* not UTF-8: skip the byte */
			adjacent = 0;
			p++, n--;
			continue;
		}
		if (!is_space(cp))
			adjacent = 0;
		p += used, n -= used;
	}
}
