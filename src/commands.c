/*
 * commands.c - parsing #commands out of a staff reply.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/commands.h"
#include "deskmail/participants.h"
#include "deskmail/util.h"

enum { A_NONE, A_WORD, A_TEXT };

static const struct {
	const char		*name;
	enum command_kind	 kind;
	int			 arg;	/* A_NONE, A_WORD required, A_TEXT may */
	const char		*usage;	/* with its argument, for the sender */
} table[] = {
	{ "resolve", CMD_RESOLVE, A_TEXT, "#resolve [text]" },
	{ "pending", CMD_PENDING, A_TEXT, "#pending [question]" },
	{ "note", CMD_NOTE, A_TEXT, "#note [text]" },
	{ "update", CMD_UPDATE, A_TEXT, "#update [text]" },
	{ "assign", CMD_ASSIGN, A_WORD, "#assign <team|person>" },
	{ "transfer", CMD_TRANSFER, A_WORD, "#transfer <team>" },
	{ "severity", CMD_SEVERITY, A_WORD, "#severity <1-3>" },
	{ "ack", CMD_ACK, A_NONE, "#ack" },
	{ "category", CMD_CATEGORY, A_WORD, "#category <name>" },
	{ "agency", CMD_AGENCY, A_WORD, "#agency <name>" },
	{ "owner", CMD_OWNER, A_WORD, "#owner <name>" },
	{ "cc", CMD_CC, A_WORD, "#cc add|remove <address>" },
	{ "merge", CMD_MERGE, A_WORD, "#merge <ticket>" },
	{ "parent", CMD_PARENT, A_WORD, "#parent <major incident>|-" },
};

#define NCOMMANDS	(sizeof(table) / sizeof(table[0]))
#define MAX_WORD	32	/* longer words get no "did you mean" */

const char *
command_name(enum command_kind kind)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (table[i].kind == kind)
			return table[i].name;
	return "?";
}

int
command_takes_text(enum command_kind kind)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (table[i].kind == kind)
			return table[i].arg == A_TEXT;
	return 0;
}

/* Edit distance of w (wl bytes, at most MAX_WORD) and name, ignoring case. */
static size_t
distance(const char *w, size_t wl, const char *name)
{
	size_t nl = strlen(name), prev[MAX_WORD + 1], cur[MAX_WORD + 1];
	size_t i, j, best;

	for (j = 0; j <= wl; j++)
		prev[j] = j;
	for (i = 1; i <= nl; i++) {
		cur[0] = i;
		for (j = 1; j <= wl; j++) {
			best = prev[j - 1] + (tolower((unsigned char)w[j - 1]) !=
			    name[i - 1]);
			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			cur[j] = best;
		}
		memcpy(prev, cur, (wl + 1) * sizeof(prev[0]));
	}
	return prev[wl];
}

static void
add_bad(struct commands *c, const char *line, char *why)
{
	c->bad = xreallocarray(c->bad, c->nbad + 1, sizeof(*c->bad));
	c->bad[c->nbad].line = xstrdup(line);
	c->bad[c->nbad].why = why;
	c->nbad++;
}

/* Why an unknown word is not understood, with the command it looks like. */
static char *
unknown_why(const char *w, size_t wl)
{
	size_t i, d, best = 3, at = NCOMMANDS;

	for (i = 0; wl >= 3 && wl <= MAX_WORD && i < NCOMMANDS; i++)
		if ((d = distance(w, wl, table[i].name)) < best) {
			best = d;
			at = i;
		}
	if (at < NCOMMANDS)
		return xasprintf("not a command deskmail knows; did you mean "
		    "%s?", table[at].usage);
	return xstrdup("not a command deskmail knows");
}

/*
 * Parse one line.  0: plain text.  1: a command (added to c, or to its
 * bad lines); *text and *tlen are then the text after it that belongs to
 * the mail's text (tlen 0: none).
 */
static int
parse_line(const char *line, size_t len, struct commands *c,
    const char **text, size_t *tlen)
{
	const char *p = line, *end = line + len, *w, *a;
	char *arg, *trimmed;
	size_t wl, i;

	*tlen = 0;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
	    end[-1] == '\r'))
		end--;
	if (p == end || *p != '#')
		return 0;
	trimmed = xstrndup(p, (size_t)(end - p));
	w = ++p;
	while (p < end && isalpha((unsigned char)*p))
		p++;
	wl = (size_t)(p - w);
	if (wl > 0 && p < end && *p == ':')	/* "#note: x" is "#note x" */
		p++;
	else if (wl == 0 || (p < end && *p != ' ' && *p != '\t')) {
		free(trimmed);
		return 0;	/* "#42" or "#hashtag-thing": text */
	}
	for (i = 0; i < NCOMMANDS; i++)
		if (strlen(table[i].name) == wl &&
		    strncasecmp(table[i].name, w, wl) == 0)
			break;
	if (i == NCOMMANDS) {
		/* kept in the text as written: it was not a command */
		add_bad(c, trimmed, unknown_why(w, wl));
		free(trimmed);
		return 0;
	}
	for (a = p; a < end && (*a == ' ' || *a == '\t'); a++)
		;
	if (table[i].arg == A_TEXT) {
		*text = a;
		*tlen = (size_t)(end - a);
		arg = NULL;
	} else {
		arg = str_squeeze(xstrndup(a, (size_t)(end - a)));
		if (table[i].arg == A_NONE && arg[0] != '\0') {
			add_bad(c, trimmed, xasprintf("#%s takes nothing after "
			    "it; put text on a line of its own", table[i].name));
			goto bad;
		}
		if (table[i].arg == A_WORD && arg[0] == '\0') {
			add_bad(c, trimmed, xasprintf("needs an argument: %s",
			    table[i].usage));
			goto bad;
		}
		if (table[i].kind == CMD_SEVERITY && (strlen(arg) != 1 ||
		    arg[0] < '1' || arg[0] > '3')) {
			add_bad(c, trimmed, xasprintf("the severity is 1, 2 or "
			    "3, not '%s'", arg));
			goto bad;
		}
		if (table[i].kind == CMD_CC) {
			int add;
			char *addr;

			if (participant_op_parse(arg, &add, &addr) != DM_OK) {
				add_bad(c, trimmed, xstrdup(dm_errdetail()));
				goto bad;
			}
			free(arg);
			arg = xasprintf("%s %s", add ? "add" : "remove", addr);
			free(addr);
		}
		if (arg[0] == '\0') {
			free(arg);
			arg = NULL;
		}
	}
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].kind = table[i].kind;
	c->v[c->n].arg = arg;
	c->v[c->n].line = trimmed;
	c->n++;
	return 1;
bad:
	free(arg);
	free(trimmed);
	return 1;
}

/*
 * The text of a mail has one place to go: two different commands that
 * would each take it leave it unclear which was meant.
 */
static void
check_text_takers(struct commands *c)
{
	const struct command *first = NULL;
	size_t i;

	for (i = 0; i < c->n; i++) {
		if (!command_takes_text(c->v[i].kind))
			continue;
		if (first == NULL)
			first = &c->v[i];
		else if (c->v[i].kind != first->kind)
			add_bad(c, c->v[i].line, xasprintf("#%s and #%s in one "
			    "mail would each take its text; send them in "
			    "mails of their own", command_name(first->kind),
			    command_name(c->v[i].kind)));
	}
}

static void
add_text(struct buf *b, size_t *last, const char *p, size_t len)
{
	if (b->len > 0 || len > 0)
		buf_add(b, p, len);
	if (len > 0)
		*last = b->len;
	if (b->len > 0)
		buf_addc(b, '\n');
}

void
commands_parse(const char *text, struct commands *c)
{
	const char *p = text, *nl, *t = NULL;
	struct buf b;
	size_t len, tlen, last = 0;

	memset(c, 0, sizeof(*c));
	buf_init(&b);
	buf_add(&b, "", 0);
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (!parse_line(p, len, c, &t, &tlen))
			add_text(&b, &last, p, len);
		else if (tlen > 0)
			add_text(&b, &last, t, tlen);
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	b.len = last;
	b.data[b.len] = '\0';
	c->text = buf_release(&b);
	check_text_takers(c);
}

void
commands_free(struct commands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++) {
		free(c->v[i].arg);
		free(c->v[i].line);
	}
	for (i = 0; i < c->nbad; i++) {
		free(c->bad[i].line);
		free(c->bad[i].why);
	}
	free(c->v);
	free(c->bad);
	free(c->text);
	memset(c, 0, sizeof(*c));
}
