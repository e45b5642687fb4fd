/*
 * metrics.h - the numbers Prometheus scrapes, in its text exposition
 * format: `deskmail status --format prometheus` (for node_exporter's
 * textfile collector) and /metrics on the web's metrics listener.
 */
#ifndef DESKMAIL_METRICS_H
#define DESKMAIL_METRICS_H

#include <stdint.h>
#include <time.h>

#include "deskmail/err.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

struct dm_config;

/* Requests the link pages answered with one HTTP status (code 0: any
 * status not in the web's list), since the process started. */
struct metrics_http {
	unsigned	code;
	uint64_t	count;
};

/*
 * Append every metric at now to out, from one read of the database:
 * the counters (messages ingested, quarantined, send attempts), the
 * outbox, quarantine and SLA timer gauges and each configured mailbox's
 * last fetch.  http (nhttp entries) adds deskmail_web_requests_total;
 * NULL leaves it out (a process that serves no pages has none).
 */
dm_err	metrics_text(struct dm_store *st, const struct dm_config *cfg,
	    time_t now, const struct metrics_http *http, size_t nhttp,
	    struct buf *out);

#endif
