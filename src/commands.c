/*
 * commands.c - parsing #commands out of a staff reply.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/commands.h"
#include "deskmail/util.h"

static const struct {
	const char		*name;
	enum command_kind	 kind;
	int			 arg;	/* 0 none, 1 required */
} table[] = {
	{ "resolve", CMD_RESOLVE, 0 }, { "pending", CMD_PENDING, 0 },
	{ "note", CMD_NOTE, 0 }, { "assign", CMD_ASSIGN, 1 },
	{ "transfer", CMD_TRANSFER, 1 }, { "severity", CMD_SEVERITY, 1 },
	{ "ack", CMD_ACK, 0 }, { "category", CMD_CATEGORY, 1 },
	{ "agency", CMD_AGENCY, 1 }, { "owner", CMD_OWNER, 1 },
};

#define NCOMMANDS	(sizeof(table) / sizeof(table[0]))

const char *
command_name(enum command_kind kind)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (table[i].kind == kind)
			return table[i].name;
	return "?";
}

/* Parse one line; 1 if it is a command (added to c), 0 if plain text. */
static int
parse_line(const char *line, size_t len, struct commands *c)
{
	const char *p = line, *end = line + len, *w, *a;
	size_t wl, i;
	char *arg;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (p == end || *p != '#')
		return 0;
	w = ++p;
	while (p < end && isalpha((unsigned char)*p))
		p++;
	wl = (size_t)(p - w);
	if (wl == 0 || (p < end && *p != ' ' && *p != '\t' && *p != '\r'))
		return 0;	/* "#42" or "#hashtag-thing": text */
	for (i = 0; i < NCOMMANDS; i++)
		if (strlen(table[i].name) == wl &&
		    strncasecmp(table[i].name, w, wl) == 0)
			break;
	a = p;
	arg = xstrndup(a, (size_t)(end - a));
	str_squeeze(arg);
	if (i == NCOMMANDS || (table[i].arg && arg[0] == '\0') ||
	    (!table[i].arg && arg[0] != '\0') ||
	    (table[i].kind == CMD_SEVERITY && (strlen(arg) != 1 ||
	    arg[0] < '1' || arg[0] > '3'))) {
		if (c->error == NULL)
			c->error = xstrndup(line, len);
		free(arg);
		return i == NCOMMANDS ? 0 : 1;
	}
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].kind = table[i].kind;
	c->v[c->n].arg = arg[0] ? arg : NULL;
	if (arg[0] == '\0')
		free(arg);
	c->n++;
	return 1;
}

void
commands_parse(const char *text, struct commands *c)
{
	const char *p = text, *nl;
	struct buf b;
	size_t len, last = 0;

	memset(c, 0, sizeof(*c));
	buf_init(&b);
	buf_add(&b, "", 0);
	while (*p) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (!parse_line(p, len, c)) {
			if (b.len > 0 || len > 0)
				buf_add(&b, p, len);
			if (len > 0)
				last = b.len;
			if (b.len > 0)
				buf_addc(&b, '\n');
		}
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	b.len = last;
	b.data[b.len] = '\0';
	c->text = buf_release(&b);
}

void
commands_free(struct commands *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].arg);
	free(c->v);
	free(c->text);
	free(c->error);
	memset(c, 0, sizeof(*c));
}
