/*
 * commands.h - the #commands staff put on lines of their own in a reply:
 * #resolve, #pending, #note, #assign <team|person>, #transfer <team>,
 * #severity <1-3>, #ack, #category <name>, #agency <name>, #owner <name>.
 */
#ifndef DESKMAIL_COMMANDS_H
#define DESKMAIL_COMMANDS_H

#include <stddef.h>

#include "deskmail/err.h"

enum command_kind {
	CMD_RESOLVE, CMD_PENDING, CMD_NOTE, CMD_ASSIGN, CMD_TRANSFER,
	CMD_SEVERITY, CMD_ACK, CMD_CATEGORY, CMD_AGENCY, CMD_OWNER
};

struct command {
	enum command_kind	 kind;
	char			*arg;		/* trimmed, or NULL */
};

struct commands {
	struct command	*v;
	size_t		 n;
	char		*text;		/* the text without command lines */
	char		*error;		/* first bad command line, or NULL */
};

/*
 * Split text into commands and the rest.  A line whose first non-blank
 * character is '#' followed by a known word is a command; "#" and a word
 * deskmail does not know, or a bad argument, is recorded in error (and
 * that line kept in the text).  Free with commands_free().
 */
void	commands_parse(const char *text, struct commands *out);
void	commands_free(struct commands *c);

/* The command's name without '#'. */
const char *command_name(enum command_kind kind);

#endif
