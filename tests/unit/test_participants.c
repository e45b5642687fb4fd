/* Unit tests: who can be a participant (participants.c) and the audience
 * of an announcement (announce.c) */
#include <stdlib.h>
#include <string.h>

#include "deskmail/announce.h"
#include "deskmail/participants.h"
#include "tap.h"

/* p's candidates, or its left-out addresses with why, in a static buffer */
static const char *
joined(const struct participants_pick *p, int left)
{
	static char b[1024];
	size_t i, n = 0, count = left ? p->nleft : p->ncand;

	b[0] = '\0';
	for (i = 0; i < count && n < sizeof(b) - 200; i++)
		n += (size_t)snprintf(b + n, sizeof(b) - n, "%s%s%s%s%s",
		    i ? ", " : "", left ? p->left[i] : p->cand[i],
		    left ? " (" : "", left ? p->why[i] : "", left ? ")" : "");
	return b;
}

void
test_participants(void)
{
	char *members[] = { "tech1@example.org" };
	struct dm_team team = { .name = "servicedesk",
	    .address = "servicedesk@example.org", .members = members,
	    .nmembers = 1 };
	struct dm_config cfg = { .address = "help@example.org",
	    .teams = &team, .nteams = 1 };
	struct participants_pick p;
	struct announce_audience a;
	char *addr;
	int add;

	participants_pick(&cfg, "anna@agency.example.gov",
	    "help@example.org, boss@agency.example.gov",
	    "anna@agency.example.gov, servicedesk@example.org, "
	    "tech1@example.org, it-l@agency.example.gov, "
	    "noreply@agency.example.gov, owner-staff@agency.example.gov, "
	    "mailer-daemon@agency.example.gov, , boss@agency.example.gov, "
	    "carl@agency.example.gov", &p);
	is_str(joined(&p, 0), "boss@agency.example.gov, "
	    "boss@agency.example.gov, carl@agency.example.gov",
	    "pick: colleagues in To and Cc, in order (the caller drops "
	    "the second boss)");
	is_str(joined(&p, 1), "tech1@example.org (staff), "
	    "it-l@agency.example.gov (a mailing list), "
	    "noreply@agency.example.gov (a no-reply address), "
	    "owner-staff@agency.example.gov (a mailing list), "
	    "mailer-daemon@agency.example.gov (a mail system's address)",
	    "pick: staff, lists, no-reply and mail systems left out with why; "
	    "the sender and our own addresses without a word");
	participants_pick_free(&p);

	participants_pick(&cfg, NULL, NULL, NULL, &p);
	ok(p.ncand == 0 && p.nleft == 0, "pick: no To, no Cc: nobody");
	participants_pick_free(&p);

	is_str(participant_refused(&cfg, "a\"b@x.example"),
	    "not an address mail can be sent to", "refused: a quote");
	ok(participant_refused(&cfg, "ann.lee+it@agency.example.gov") == NULL,
	    "a person's address with + is fine");

	ok(participant_op_parse("add  <Dora@X.Example> ", &add, &addr) == DM_OK &&
	    add == 1 && strcmp(addr, "dora@x.example") == 0,
	    "op: 'add <Dora@X.Example>'");
	free(addr);
	ok(participant_op_parse("Remove dora@x.example", &add, &addr) ==
	    DM_OK && add == 0, "op: 'Remove ...'");
	free(addr);
	ok(participant_op_parse("add x@y@z", &add, &addr) == DM_EUSAGE &&
	    addr == NULL, "op: two @: refused");

	ok(announce_audience_parse("all", &a) == DM_OK && a.kind == AN_ALL &&
	    a.arg == NULL, "audience: all");
	announce_audience_clear(&a);
	ok(announce_audience_parse("agency:DOT", &a) == DM_OK &&
	    a.kind == AN_AGENCY && strcmp(a.arg, "DOT") == 0,
	    "audience: agency:DOT");
	announce_audience_clear(&a);
	ok(announce_audience_parse("ticket-requesters:VPN token", &a) ==
	    DM_OK && a.kind == AN_REQUESTERS && strcmp(a.arg, "VPN token") == 0,
	    "audience: ticket-requesters: with a space");
	announce_audience_clear(&a);
	ok(announce_audience_parse("team:", &a) == DM_EUSAGE,
	    "audience: team: without a name");
	ok(announce_audience_parse("All", &a) == DM_EUSAGE,
	    "audience: All (case matters)");
	ok(announce_audience_parse("ticket-requesters:\xff", &a) == DM_EUSAGE,
	    "audience: text that is not UTF-8");
}
