/*
 * unit.c - runs the unit tests of the pure modules and prints the plan.
 */
#include <stdio.h>

#include "deskmail/charset.h"
#include "deskmail/text.h"
#include "tap.h"

int tap_n, tap_failed;

int
main(void)
{
	charset_install();
	if (text_init() != DM_OK) {
		printf("Bail out! text_init failed\n");
		return 1;
	}
	test_charset();
	test_text();
	test_mime();
	test_thread();
	test_clock();
	test_token();
	test_calendar();
	test_subject();
	test_commands();
	test_zone();
	test_participants();
	test_filename();
	test_search();
	test_lang();
	test_tvars();
	printf("1..%d\n", tap_n);
	printf("# %d passed, %d failed\n", tap_n - tap_failed, tap_failed);
	return tap_failed ? 1 : 0;
}
