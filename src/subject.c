/*
 * subject.c - the title of a ticket that a late reply starts.  Left as it
 * came, it would read "Re: [HELP #2] Two questions about your request":
 * our tag, the mail client's prefixes and our own words, none of which
 * says what the customer's problem is.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/notice.h"
#include "deskmail/outbox.h"
#include "deskmail/subject.h"
#include "deskmail/template.h"
#include "deskmail/util.h"

/* Bounds what a hostile subject can make us do: prefixes stripped. */
#define MAX_PREFIXES	64

/* Length of our tag "[TAG #N]" at p (spaces allowed inside), 0 if none. */
static size_t
tag_len(const char *p, const char *tag)
{
	const char *q = p;
	size_t tlen = strlen(tag);
	int digits = 0;

	if (*q++ != '[')
		return 0;
	while (*q == ' ')
		q++;
	if (strncasecmp(q, tag, tlen) != 0)
		return 0;
	q += tlen;
	while (*q == ' ')
		q++;
	if (*q++ != '#')
		return 0;
	while (isdigit((unsigned char)*q) && digits < 15) {
		q++;
		digits++;
	}
	while (*q == ' ')
		q++;
	return digits > 0 && *q == ']' ? (size_t)(q + 1 - p) : 0;
}

/*
 * Length of one reply or forward prefix at p: a word mail clients put
 * there (English, German, Scandinavian, Dutch, French), perhaps numbered
 * ("Re[2]:", "Re(2):", "Re^2:"), then a colon.  0 if none.
 */
static size_t
prefix_len(const char *p)
{
	static const char *const words[] = { "re", "fwd", "fw", "aw", "sv",
	    "antw", "wg", "tr", NULL };
	const char *q;
	size_t i, l;
	char close;

	for (i = 0; words[i] != NULL; i++) {
		l = strlen(words[i]);
		if (strncasecmp(p, words[i], l) != 0)
			continue;
		q = p + l;
		close = *q == '[' ? ']' : *q == '(' ? ')' : 0;
		if (close || *q == '^') {
			q++;
			if (!isdigit((unsigned char)*q))
				continue;
			while (isdigit((unsigned char)*q))
				q++;
			if (close && *q++ != close)
				continue;
		}
		while (*q == ' ')
			q++;
		if (*q == ':')
			return (size_t)(q + 1 - p);
	}
	return 0;
}

char *
subject_clean(const char *subject, const char *tag)
{
	char *s = xstrdup(subject), *r, *w;
	size_t n;
	int i;

	/* our tags anywhere: a space each, squeezed below */
	for (r = w = s; *r; ) {
		if (*r == '[' && (n = tag_len(r, tag)) > 0) {
			*w++ = ' ';
			r += n;
		} else
			*w++ = *r++;
	}
	*w = '\0';
	str_squeeze(s);
	for (r = s, i = 0; i < MAX_PREFIXES && (n = prefix_len(r)) > 0; i++) {
		r += n;
		while (*r == ' ')
			r++;
	}
	memmove(s, r, strlen(r) + 1);
	return s;
}

/* subject_clean() for every tag of ours: the [deskmail] one and each
 * queue's.  The caller frees it. */
static char *
clean_ours(const struct dm_config *cfg, const char *subject)
{
	char *s = subject_clean(subject, cfg->tag), *t;
	size_t i;

	for (i = 0; i < cfg->nqueues; i++) {
		if (cfg->queues[i].tag == NULL)
			continue;
		t = subject_clean(s, cfg->queues[i].tag);
		free(s);
		s = t;
	}
	return s;
}

/*
 * *same is nonzero if clean is the cleaned subject of the mail of ours
 * that m answers (its In-Reply-To or References name a mail queued about
 * old).  The subject is rendered again, as it was sent; a mail that
 * cannot be rendered now (a template since removed) counts as not ours.
 */
static dm_err
answers_our_subject(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_parsed *m, const struct dm_ticket *old, const char *clean,
    int *same)
{
	struct rendered r;
	struct tvars v;
	char *template, *params, *ours;
	int64_t ticket;
	size_t i;
	dm_err err;

	*same = 0;
	for (i = 0; i < m->nrefs; i++) {
		if ((err = outbox_mail_by_msgid(st, m->refs[i], &ticket,
		    &template, &params)) != DM_OK)
			return err;
		if (ticket != old->id || template == NULL) {
			free(template);
			free(params);
			continue;
		}
		tvars_init(&v);
		memset(&r, 0, sizeof(r));
		if (notice_vars(st, cfg, old->id, template, params, &v) == DM_OK &&
		    template_render(cfg, template, &v, &r) == DM_OK &&
		    r.subject != NULL) {
			ours = clean_ours(cfg, r.subject);
			*same = strcasecmp(ours, clean) == 0;
			free(ours);
		}
		rendered_free(&r);
		tvars_free(&v);
		free(template);
		free(params);
		break;		/* the newest mail of ours it names decides */
	}
	return DM_OK;
}

dm_err
subject_followup(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_parsed *m, const struct dm_ticket *old, char **out)
{
	char *clean = clean_ours(cfg, m->subject);
	int same = 0;
	dm_err err;

	*out = NULL;
	if (*clean != '\0' && (err = answers_our_subject(st, cfg, m, old,
	    clean, &same)) != DM_OK) {
		free(clean);
		return err;
	}
	if (*clean == '\0' || same) {
		free(clean);
		clean = xstrdup(old->subject);
	}
	*out = clean;
	return DM_OK;
}
