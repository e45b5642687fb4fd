/*
 * commands.h - the #commands staff put on lines of their own in a reply:
 * #resolve, #pending, #note, #update, #assign <team|person>,
 * #transfer <team>, #severity <1-3>, #ack, #category <name>,
 * #agency <name>, #owner <name>, #cc add|remove <address>.
 */
#ifndef DESKMAIL_COMMANDS_H
#define DESKMAIL_COMMANDS_H

#include <stddef.h>

#include "deskmail/err.h"

enum command_kind {
	CMD_RESOLVE, CMD_PENDING, CMD_NOTE, CMD_ASSIGN, CMD_TRANSFER,
	CMD_SEVERITY, CMD_ACK, CMD_CATEGORY, CMD_AGENCY, CMD_OWNER,
	CMD_UPDATE, CMD_CC, CMD_MERGE, CMD_PARENT
};

struct command {
	enum command_kind	 kind;
	char			*arg;		/* trimmed, or NULL */
	char			*line;		/* the line as written, trimmed */
};

/* A line that looks like a command and cannot be carried out as one. */
struct command_bad {
	char			*line;		/* as written, trimmed */
	char			*why;		/* a sentence for the sender */
};

struct commands {
	struct command		*v;
	size_t			 n;
	char			*text;		/* the text without command lines */
	struct command_bad	*bad;		/* not understood, in order */
	size_t			 nbad;
};

/*
 * Split text into commands and the rest.  A line whose first non-blank
 * character is '#' followed by a word (and a space, a colon or the end of
 * the line) is a command.  #note, #update, #resolve and #pending may have
 * text after the word: it is part of the text, in the place of the
 * command line, as if it stood on the next line.  A word deskmail does
 * not know, a bad or missing argument, or two commands that would each
 * take the text (#note, #update, #resolve, #pending) are recorded in bad,
 * with why.  The argument of #cc is written "add ADDR" or "remove ADDR"
 * (ADDR lower case, without <>).  Free with commands_free().
 */
void	commands_parse(const char *text, struct commands *out);
void	commands_free(struct commands *c);

/* The command's name without '#'. */
const char *command_name(enum command_kind kind);

/* Nonzero if the command takes the mail's text (#note, #update, #resolve,
 * #pending). */
int	command_takes_text(enum command_kind kind);

#endif
