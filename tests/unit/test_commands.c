/* Unit tests: commands.c (#commands in a staff reply) */
#include <stdlib.h>

#include "deskmail/commands.h"
#include "tap.h"

/* The kinds of c's commands by name, space separated, in a static buffer. */
static const char *
names(const struct commands *c)
{
	static char b[256];
	size_t i, n = 0;

	b[0] = '\0';
	for (i = 0; i < c->n && n < sizeof(b) - 16; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s%s", i ? " " :
		    "", command_name(c->v[i].kind));
	return b;
}

void
test_commands(void)
{
	struct commands c;

	commands_parse("#note Handed over: printer is on VLAN 12\n", &c);
	is_str(names(&c), "note", "one-line #note: the command");
	is_str(c.text, "Handed over: printer is on VLAN 12",
	    "one-line #note: its text is the mail's text");
	ok(c.nbad == 0 && c.v[0].arg == NULL, "one-line #note: no argument");
	commands_free(&c);

	commands_parse("#note\nHanded over.\nSecond line.\n", &c);
	is_str(c.text, "Handed over.\nSecond line.",
	    "#note with the text below it, as before");
	commands_free(&c);

	commands_parse("Intro.\n  #NOTE: port 3/14\r\nMore.\n", &c);
	is_str(c.text, "Intro.\nport 3/14\nMore.",
	    "'#NOTE: text' (any case, a colon) is text in its place");
	is_str(c.v[0].line, "#NOTE: port 3/14", "the line as written, trimmed");
	commands_free(&c);

	commands_parse("#transfer network\n#note Handover: VLAN 12\n", &c);
	is_str(names(&c), "transfer note", "#transfer and a one-line #note");
	is_str(c.v[0].arg, "network", "#transfer: the team");
	is_str(c.text, "Handover: VLAN 12", "#transfer: the note is the text");
	ok(c.nbad == 0, "#transfer and #note go together");
	commands_free(&c);

	commands_parse("#update Engineer on site at 11:00.", &c);
	is_str(names(&c), "update", "#update");
	is_str(c.text, "Engineer on site at 11:00.", "#update: its text");
	commands_free(&c);

	commands_parse("Hi Bob,\n#reslove Replaced the fuser\n", &c);
	ok(c.n == 0 && c.nbad == 1, "#reslove: not understood");
	is_str(c.bad[0].line, "#reslove Replaced the fuser", "#reslove: line");
	is_str(c.bad[0].why, "not a command deskmail knows; did you mean "
	    "#resolve [text]?", "#reslove: why, and what it looks like");
	is_str(c.text, "Hi Bob,\n#reslove Replaced the fuser",
	    "#reslove: the line stays in the text");
	commands_free(&c);

	commands_parse("#frobnicate\n", &c);
	is_str(c.nbad ? c.bad[0].why : NULL, "not a command deskmail knows",
	    "an unknown word like no command: no suggestion");
	commands_free(&c);

	commands_parse("#severity 5\n#ack now\n#assign\n", &c);
	ok(c.n == 0 && c.nbad == 3, "bad arguments: three lines not understood");
	is_str(c.bad[0].why, "the severity is 1, 2 or 3, not '5'", "#severity 5");
	is_str(c.bad[1].why, "#ack takes nothing after it; put text on a line "
	    "of its own", "#ack now");
	is_str(c.bad[2].why, "needs an argument: #assign <team|person>",
	    "#assign alone");
	commands_free(&c);

	commands_parse("#note internal\n#resolve Fixed.\n", &c);
	ok(c.nbad == 1, "#note and #resolve: not understood together");
	is_str(c.nbad ? c.bad[0].line : NULL, "#resolve Fixed.",
	    "#note and #resolve: the second line is named");
	commands_free(&c);

	commands_parse("#note one\n#note two\n", &c);
	ok(c.nbad == 0, "two #note lines: one place for the text");
	is_str(c.text, "one\ntwo", "two #note lines: both texts");
	commands_free(&c);

	commands_parse("#cc add <Boss@Agency.Example.GOV>\n"
	    "#cc: REMOVE old@agency.example.gov\nThanks.\n", &c);
	is_str(names(&c), "cc cc", "#cc add and #cc: remove");
	is_str(c.n == 2 ? c.v[0].arg : NULL, "add boss@agency.example.gov",
	    "#cc add: the address lower case, without <>");
	is_str(c.n == 2 ? c.v[1].arg : NULL, "remove old@agency.example.gov",
	    "#cc: REMOVE: any case, written 'remove'");
	is_str(c.text, "Thanks.", "#cc takes no text");
	commands_free(&c);

	commands_parse("#cc\n#cc invite x@y.example\n#cc add\n"
	    "#cc add two words\n", &c);
	ok(c.n == 0 && c.nbad == 4, "#cc: four lines not understood");
	is_str(c.nbad == 4 ? c.bad[0].why : NULL, "needs an argument: "
	    "#cc add|remove <address>", "#cc alone");
	is_str(c.nbad == 4 ? c.bad[1].why : NULL, "#cc takes add or remove "
	    "and an address: #cc add <address>, #cc remove <address>",
	    "#cc invite");
	is_str(c.nbad == 4 ? c.bad[2].why : NULL, "#cc add needs an address",
	    "#cc add without an address");
	is_str(c.nbad == 4 ? c.bad[3].why : NULL, "#cc add: 'two words' is not "
	    "an e-mail address", "#cc add two words");
	commands_free(&c);

	commands_parse("#42 is the port\n#hash-tag\n# heading\n#\n", &c);
	ok(c.n == 0 && c.nbad == 0, "#42, #hash-tag, '# heading', '#': text");
	is_str(c.text, "#42 is the port\n#hash-tag\n# heading\n#",
	    "... kept as they are");
	commands_free(&c);
}
