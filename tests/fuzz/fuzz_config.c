/*
 * fuzz_config.c - libFuzzer target for deskmail.conf.  The input up to a
 * line "%%" is written to deskmail.conf in a scratch directory (tmpfs),
 * what follows it to "rules" beside it, so a config with "rules = rules"
 * also compiles a routing rules file (route.c).  config_load() reads
 * both; a config it accepts is then asked what the rest of deskmail asks
 * of it.
 */
#include <string.h>

#include "deskmail/config.h"
#include "deskmail/queue.h"
#include "deskmail/route.h"
#include "deskmail/sla_policy.h"

#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char conf[300], rules[300];
	struct dm_config *cfg;
	const uint8_t *rdata;
	size_t clen, rlen, i, j;

	if (conf[0] == '\0') {
		fuzz_path(conf, sizeof(conf), "deskmail.conf");
		fuzz_path(rules, sizeof(rules), "rules");
	}
	fuzz_split(data, size, &rdata, &clen, &rlen);
	fuzz_write(conf, data, clen);
	if (rdata != NULL)
		fuzz_write(rules, rdata, rlen);
	else
		unlink(rules);
	if (config_load(conf, &cfg) != DM_OK)
		return 0;
	(void)route_count(cfg->rules);
	(void)config_is_own_address(cfg, cfg->address);
	(void)config_team(cfg, cfg->default_team);
	for (i = 0; i < cfg->nteams; i++) {
		if (config_team(cfg, cfg->teams[i].name) == NULL)
			abort();
		for (j = 0; j < cfg->teams[i].nmembers; j++)
			if (config_team_of(cfg, cfg->teams[i].members[j]) ==
			    NULL)
				abort();
	}
	/* a queue it accepts is found by name, and its addresses are ours */
	for (i = 0; i < cfg->nqueues; i++) {
		const struct dm_queue *q = &cfg->queues[i];

		if (config_queue(cfg, q->name) != q ||
		    !config_is_own_address(cfg, q->address) ||
		    !config_is_own_address(cfg, queue_from(cfg, q)) ||
		    config_team(cfg, q->team) == NULL ||
		    queue_tag(cfg, q)[0] == '\0')
			abort();
	}
	for (i = 0; i < cfg->npolicies; i++) {
		const struct sla_policy *p = config_sla_policy(cfg,
		    cfg->policies[i].name);

		if (p == NULL)
			abort();
		for (j = 0; j <= 3; j++)
			(void)sla_row_same(sla_policy_row(p, (int)j),
			    sla_policy_row(p, 0));
	}
	config_free(cfg);
	return 0;
}
