/*
 * tick_work.c - the tick's own work, without starting a process: what
 * `deskmail tick` does after main() (bench/sla compiles it against the
 * build's libdeskmail.a, as bench/attach does attach_store.c).
 *
 *   tick_work CONF ROUNDS
 *
 * Each round loads the configuration (with its routing rules, as tick
 * does), opens the store (schema check included), runs tick_run() and
 * closes the store, each step timed on the monotonic clock.  The first
 * round pays what a process pays once (SQLite's initialisation, the
 * zone files, the page faults of first use); the median of the others
 * is the work itself.  Prints one line per step: "step first_ms
 * median_ms", and "fired N" (timers fired over all rounds).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "deskmail/charset.h"
#include "deskmail/clock.h"
#include "deskmail/config.h"
#include "deskmail/store.h"
#include "deskmail/tick.h"

#define STEPS	5

static const char *const names[STEPS] = { "config", "open", "tick",
	"close", "total" };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct dm_config *cfg;
	struct dm_store *st;
	struct tick_stats stats;
	double (*ms)[STEPS], t[STEPS + 1], col[1000];
	size_t fired = 0;
	int rounds, r, i;

	if (argc != 3 || (rounds = atoi(argv[2])) < 2 || rounds > 1000) {
		fprintf(stderr, "usage: tick_work CONF ROUNDS (2-1000)\n");
		return 64;
	}
	if (clock_init() != DM_OK)
		return 78;
	charset_install();
	ms = calloc((size_t)rounds, sizeof(*ms));
	for (r = 0; r < rounds; r++) {
		t[0] = now_ms();
		if (config_load(argv[1], &cfg) != DM_OK) {
			fprintf(stderr, "tick_work: %s\n", dm_errdetail());
			return 78;
		}
		t[1] = now_ms();
		if (store_open(cfg, STORE_CURRENT, &st) != DM_OK) {
			fprintf(stderr, "tick_work: %s\n", dm_errdetail());
			return 75;
		}
		t[2] = now_ms();
		if (tick_run(st, cfg, &stats) != DM_OK) {
			fprintf(stderr, "tick_work: %s\n", dm_errdetail());
			return 75;
		}
		fired += stats.sla_fired;
		t[3] = now_ms();
		store_close(st);
		config_free(cfg);
		t[4] = now_ms();
		for (i = 0; i < 4; i++)
			ms[r][i] = t[i + 1] - t[i];
		ms[r][4] = t[4] - t[0];
	}
	for (i = 0; i < STEPS; i++) {
		for (r = 1; r < rounds; r++)
			col[r - 1] = ms[r][i];
		qsort(col, (size_t)rounds - 1, sizeof(col[0]), cmp);
		printf("%s %.3f %.3f\n", names[i], ms[0][i],
		    col[(rounds - 1) / 2]);
	}
	printf("fired %zu\n", fired);
	free(ms);
	return 0;
}
