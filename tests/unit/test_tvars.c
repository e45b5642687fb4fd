/* Unit tests: template.c's variable sets (struct tvars) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/template.h"
#include "tap.h"

void
test_tvars(void)
{
	struct tvars v, w;
	char name[32], want[32], *big;
	const char *kept;
	int i, wrong = 0;

	tvars_init(&v);
	ok(tvars_get(&v, "x") == NULL, "tvars: empty set has nothing");
	/* past the first table (32) and its growth, so lookups go through
	 * a rebuilt index */
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "var.%d", i);
		snprintf(want, sizeof(want), "value %d", i);
		tvars_set(&v, name, want);
	}
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "var.%d", i);
		snprintf(want, sizeof(want), "value %d", i);
		if (tvars_get(&v, name) == NULL ||
		    strcmp(tvars_get(&v, name), want) != 0)
			wrong++;
	}
	ok(wrong == 0 && v.n == 300, "tvars: 300 names each find their "
	    "value (%d wrong, %zu set)", wrong, v.n);
	ok(tvars_get(&v, "var.300") == NULL && tvars_get(&v, "var") == NULL,
	    "tvars: a name never set is not found");

	tvars_set(&v, "var.7", "short");
	is_str(tvars_get(&v, "var.7"), "short", "tvars: set again, shorter");
	kept = tvars_get(&v, "var.8");
	tvars_set(&v, "var.8", "a value much longer than the one before");
	is_str(tvars_get(&v, "var.8"), "a value much longer than the one "
	    "before", "tvars: set again, longer");
	is_str(kept, "value 8", "tvars: the value read before stays readable");
	ok(v.n == 300, "tvars: setting again adds no name (%zu)", v.n);

	/* a value longer than a block gets its own */
	big = malloc(100001);
	memset(big, 'x', 100000);
	big[100000] = '\0';
	tvars_set(&v, "big", big);
	ok(tvars_get(&v, "big") != NULL && strcmp(tvars_get(&v, "big"),
	    big) == 0, "tvars: a 100,000-byte value");
	tvars_set(&v, "after", "small");
	is_str(tvars_get(&v, "after"), "small",
	    "tvars: a small one after it");
	tvars_set(&v, "NULL", NULL);
	is_str(tvars_get(&v, "NULL"), "", "tvars: NULL is set as empty");
	/* a value taken from the set itself */
	tvars_set(&v, "var.9", tvars_get(&v, "var.9"));
	is_str(tvars_get(&v, "var.9"), "value 9", "tvars: set to itself");

	tvars_init(&w);
	tvars_copy(&w, &v);
	ok(w.n == v.n && strcmp(tvars_get(&w, "big"), big) == 0 &&
	    strcmp(tvars_get(&w, "var.299"), "value 299") == 0,
	    "tvars: a copy has every name and value");
	tvars_free(&w);
	tvars_free(&v);
	ok(v.n == 0 && tvars_get(&v, "var.1") == NULL,
	    "tvars: freed is empty");
	free(big);
}
