/*
 * fuzz_commands.c - libFuzzer target: one input is the text of a staff
 * reply, split by commands_parse() into #commands and the rest.  Checks
 * what commands.h promises: an argument is trimmed and present exactly
 * for the commands that take one (never for those whose text is the
 * mail's), a severity is 1-3, #cc's is "add ADDR" or "remove ADDR"
 * with an address we can write (lower case), every command and every
 * line not understood keeps its line (and why), and the text left is no
 * longer than the input.
 */
#include <string.h>

#include "deskmail/commands.h"
#include "deskmail/header.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct commands c;
	char *text = fuzz_str(data, size);
	size_t i;

	commands_parse(text, &c);
	if (c.text == NULL || strlen(c.text) > strlen(text))
		abort();
	for (i = 0; i < c.n; i++) {
		const char *arg = c.v[i].arg;

		(void)command_name(c.v[i].kind);
		if (arg != NULL && (arg[0] == '\0' || arg[0] == ' ' ||
		    arg[strlen(arg) - 1] == ' '))
			abort();
		if (c.v[i].kind == CMD_SEVERITY && (arg == NULL ||
		    strlen(arg) != 1 || arg[0] < '1' || arg[0] > '3'))
			abort();
		/* #cc: "add ADDR" or "remove ADDR", lower case, writable */
		if (c.v[i].kind == CMD_CC && (arg == NULL ||
		    (strncmp(arg, "add ", 4) != 0 &&
		    strncmp(arg, "remove ", 7) != 0) ||
		    !header_address_safe(strchr(arg, ' ') + 1) ||
		    strpbrk(arg, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL))
			abort();
		/* text after #note and the like is text, not an argument */
		if (command_takes_text(c.v[i].kind) && arg != NULL)
			abort();
		if (c.v[i].line == NULL || c.v[i].line[0] != '#')
			abort();
	}
	for (i = 0; i < c.nbad; i++)
		if (c.bad[i].line == NULL || c.bad[i].line[0] != '#' ||
		    c.bad[i].why == NULL || c.bad[i].why[0] == '\0')
			abort();
	commands_free(&c);
	free(text);
	return 0;
}
