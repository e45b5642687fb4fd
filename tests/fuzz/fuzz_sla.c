/*
 * fuzz_sla.c - libFuzzer target for the SLA policy words.  Each input
 * line is "KEY VALUE" (as in a [policy NAME] section: triage, severity1-3,
 * unset), set on one policy with sla_policy_set() in order.  Checks what
 * the engine relies on: a row it accepts has hours set, at most
 * SLA_MAX_UPDATES growing update times, and spans with a unit.
 */
#include <string.h>

#include "deskmail/sla_policy.h"

#include "fuzz.h"

static void
check_span(const struct sla_span *s)
{
	if (s->n < 0 || (s->n > 0 && s->unit != 'm' && s->unit != 'h' &&
	    s->unit != 'd') || sla_span_seconds(s) < 0)
		abort();
}

static void
check_row(const struct sla_row *r)
{
	size_t i;

	if (r->nupdates > SLA_MAX_UPDATES)
		abort();
	check_span(&r->assign);
	check_span(&r->ack);
	check_span(&r->resolve);
	check_span(&r->referral);
	check_span(&r->update_every);
	check_span(&r->initial);
	for (i = 0; i < r->nupdates; i++) {
		check_span(&r->updates[i]);
		if (i > 0 && sla_span_seconds(&r->updates[i]) <=
		    sla_span_seconds(&r->updates[i - 1]))
			abort();
	}
	if (!sla_row_same(r, r))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sla_policy p;
	char *text = fuzz_str(data, size), *line, *next, *value;
	int i;

	sla_policy_init(&p, "fuzz");
	for (line = text; line != NULL; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		value = line + strcspn(line, " ");
		if (*value != '\0')
			*value++ = '\0';
		if (sla_policy_set(&p, line, value) != DM_OK)
			continue;
		check_span(&p.triage);
		if (strcmp(line, "triage") == 0)
			continue;
		/* an audience: only the words there are */
		for (i = 0; i < SN_COUNT; i++)
			if (p.to[i] & ~(unsigned)(SLA_TO_REQUESTER |
			    SLA_TO_CONTACTS | SLA_TO_ESCALATION | SLA_TO_STAFF))
				abort();
		/* the keys that are not rows (timezone, the audiences) */
		if (strcmp(line, "unset") != 0 && strncmp(line, "severity", 8) !=
		    0)
			continue;
		/* the row just set (a failed set may leave its row half done:
		 * config_load() then gives up on the whole file) */
		i = strcmp(line, "unset") == 0 ? 0 : line[8] - '0';
		check_row(&p.row[i]);
		if (p.row[i].business < 0)
			abort();
	}
	sla_policy_clear(&p);
	free(text);
	return 0;
}
