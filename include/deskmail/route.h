/*
 * route.h - routing rules: PCRE2 patterns on a new ticket's first mail
 * that set its category, team, severity, agency and owner.
 */
#ifndef DESKMAIL_ROUTE_H
#define DESKMAIL_ROUTE_H

#include <stddef.h>

#include "deskmail/err.h"

struct dm_config;
struct dm_parsed;
struct dm_rules;

/* What the rules decided; a NULL field (severity 0) was not set.  The
 * strings belong to the rules. */
struct dm_route {
	char		*team;
	char		*category;
	char		*agency;
	char		*owner;
	char		*policy;	/* SLA policy */
	int		 severity;
	char	       **matched;	/* "rule 3 (rules:7): category=..." */
	size_t		 nmatched;
	char	       **warnings;	/* rules that hit the match limit */
	size_t		 nwarnings;
};

/*
 * Read and compile the rules file at path (teams are checked against
 * cfg).  Errors name the file and line.  *out is NULL for an empty path.
 */
dm_err	route_load(const char *path, const struct dm_config *cfg,
	    struct dm_rules **out);
void	route_free(struct dm_rules *rules);
size_t	route_count(const struct dm_rules *rules);

/* Each agency a rule names (agency= or owner=) must be known(arg, name);
 * the first that is not is an error naming the file and line. */
dm_err	route_check_agencies(const struct dm_rules *rules,
	    int (*known)(void *, const char *), void *arg);

/* Match the message against the rules (none: r stays empty). */
void	route_apply(const struct dm_rules *rules, const struct dm_parsed *m,
	    struct dm_route *r);
void	route_clear(struct dm_route *r);

#endif
