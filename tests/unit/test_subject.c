/* Unit tests: subject.c (the title of a ticket a late reply starts) */
#include <stdlib.h>
#include <string.h>

#include "deskmail/subject.h"
#include "tap.h"

static void
clean(const char *in, const char *want)
{
	char *got = subject_clean(in, "HELP");

	is_str(got, want, "subject_clean(\"%s\")", in);
	free(got);
}

void
test_subject(void)
{
	clean("Re: [HELP #2] Two questions about your request",
	    "Two questions about your request");
	clean("RE: Printer jams", "Printer jams");
	clean("Fwd: FW: Aw: AW: Sv: Antw: printer", "printer");
	clean("Re: Re[2]: Re(3): Re^4: RE : printer", "printer");
	clean("Aw: [help #7] Re:   the\tscanner   again  ", "the scanner again");
	clean("Printer [HELP #12] on floor 3", "Printer on floor 3");
	clean("WG: TR: fw:fwd:x", "x");
	clean("Re: [HELP #2]", "");
	clean("  Re:  ", "");
	clean("", "");
	clean("[OTHER #5] Re: VPN", "[OTHER #5] Re: VPN");
	clean("Report: monthly figures", "Report: monthly figures");
	clean("Regarding: the invoice", "Regarding: the invoice");
	clean("Re[x]: not a number", "Re[x]: not a number");
	clean("Re: [HELP #] broken tag", "[HELP #] broken tag");
	clean("Re: [HELPDESK #5] other desk", "[HELPDESK #5] other desk");
	clean("Sveriges: a word, not a prefix", "Sveriges: a word, not a prefix");
}
