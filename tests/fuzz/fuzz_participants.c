/*
 * fuzz_participants.c - libFuzzer target: the To and Cc of a mail (cut
 * at "\n%%\n") picked into participants by participants_pick(), and the
 * whole input read as #cc's argument (participant_op_parse()) and as an
 * announcement's audience (announce_audience_parse()).  Checks what the
 * headers promise: a candidate is lower case, writable in a header, not
 * the sender, not ours and not refused; everything left out says why;
 * an accepted #cc address is writable and lower case; an accepted
 * audience has its name or text (UTF-8, bounded), "all" none.
 */
#include <string.h>

#include "deskmail/announce.h"
#include "deskmail/header.h"
#include "deskmail/participants.h"
#include "deskmail/util.h"

#include "fuzz.h"

static int
has_upper(const char *s)
{
	return strpbrk(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ") != NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char *members[] = { "tech1@example.org" };
	static struct dm_team team = { .name = "servicedesk",
	    .address = "servicedesk@example.org", .members = members,
	    .nmembers = 1 };
	static struct dm_config cfg = { .address = "help@example.org",
	    .teams = &team, .nteams = 1 };
	const char *sender = "anna@agency.example.gov";
	struct announce_audience a;
	struct participants_pick p;
	const uint8_t *b;
	size_t alen, blen, i;
	char *all = fuzz_str(data, size), *to, *cc, *addr;
	int add;

	fuzz_split(data, size, &b, &alen, &blen);
	to = fuzz_str(data, alen);
	cc = b ? fuzz_str(b, blen) : NULL;
	participants_pick(&cfg, sender, to, cc, &p);
	for (i = 0; i < p.ncand; i++)
		if (has_upper(p.cand[i]) || !header_address_safe(p.cand[i]) ||
		    strcmp(p.cand[i], sender) == 0 ||
		    config_is_own_address(&cfg, p.cand[i]) ||
		    participant_refused(&cfg, p.cand[i]) != NULL)
			abort();
	for (i = 0; i < p.nleft; i++)
		if (p.left[i] == NULL || p.why[i] == NULL || *p.why[i] == '\0' ||
		    config_is_own_address(&cfg, p.left[i]))
			abort();
	participants_pick_free(&p);

	if (participant_op_parse(all, &add, &addr) == DM_OK) {
		if (addr == NULL || (add != 0 && add != 1) || has_upper(addr) ||
		    !header_address_safe(addr))
			abort();
		free(addr);
	}
	if (announce_audience_parse(all, &a) == DM_OK) {
		if ((a.kind == AN_ALL) != (a.arg == NULL))
			abort();
		if (a.arg != NULL && (*a.arg == '\0' ||
		    strlen(a.arg) > ANNOUNCE_QUERY_MAX ||
		    !utf8_valid(a.arg, strlen(a.arg))))
			abort();
		announce_audience_clear(&a);
	}
	free(all);
	free(to);
	free(cc);
	return 0;
}
