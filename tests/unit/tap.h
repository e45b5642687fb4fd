/*
 * tap.h - a minimal TAP producer for the unit tests (automake's TAP driver
 * reads it).  ok() records one test; is_str() compares strings and shows
 * both on failure.
 */
#ifndef DESKMAIL_TAP_H
#define DESKMAIL_TAP_H

#include <stdio.h>
#include <string.h>

extern int tap_n, tap_failed;

#define ok(cond, ...) do {						\
	int ok_c_ = !!(cond);						\
	tap_n++;							\
	if (!ok_c_)							\
		tap_failed++;						\
	printf("%sok %d - ", ok_c_ ? "" : "not ", tap_n);		\
	printf(__VA_ARGS__);						\
	printf("\n");							\
	if (!ok_c_)							\
		printf("#   at %s:%d\n", __FILE__, __LINE__);		\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *g_ = (got), *w_ = (want);				\
	int eq_ = (g_ == NULL && w_ == NULL) ||				\
	    (g_ != NULL && w_ != NULL && strcmp(g_, w_) == 0);		\
	ok(eq_, __VA_ARGS__);						\
	if (!eq_)							\
		printf("#   got:  '%s'\n#   want: '%s'\n",		\
		    g_ ? g_ : "(null)", w_ ? w_ : "(null)");		\
} while (0)

void test_charset(void);
void test_text(void);
void test_mime(void);
void test_thread(void);
void test_commands(void);
void test_lang(void);
void test_tvars(void);
void test_clock(void);
void test_token(void);
void test_calendar(void);
void test_subject(void);
void test_zone(void);
void test_participants(void);
void test_filename(void);
void test_search(void);

#endif
