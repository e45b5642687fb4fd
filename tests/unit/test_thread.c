/* Unit tests: thread.c (subject tags) */
#include "deskmail/thread.h"
#include "tap.h"

void
test_thread(void)
{
	ok(thread_subject_tag("Re: [HELP #42] printer", "HELP") == 42,
	    "tag: plain");
	ok(thread_subject_tag("AW: [help #7]", "HELP") == 7,
	    "tag: case-insensitive");
	ok(thread_subject_tag("[HELP#9] x", "HELP") == 9, "tag: no space");
	ok(thread_subject_tag("[OTHER #42] x", "HELP") == 0,
	    "tag: other systems' tags ignored");
	ok(thread_subject_tag("[HELP #] x", "HELP") == 0, "tag: no number");
	ok(thread_subject_tag("[HELP #12x] x", "HELP") == 0, "tag: junk");
	ok(thread_subject_tag("[HELP #99999999999999999999]", "HELP") == 0,
	    "tag: absurd number refused");
	ok(thread_subject_tag("fw: [HELPDESK #5] [HELP #6]", "HELP") == 6,
	    "tag: prefix of a longer tag does not match");
}
