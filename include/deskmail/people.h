/*
 * people.h - staff and teams, as the configuration names them, mirrored
 * into the people/teams/team_members tables so reports and later the
 * directory can join on them.
 */
#ifndef DESKMAIL_PEOPLE_H
#define DESKMAIL_PEOPLE_H

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/store.h"

/* Bring the tables in line with cfg; does nothing when they already are. */
dm_err	people_sync(struct dm_store *st, const struct dm_config *cfg);

/* Nonzero if address is a staff member of any team. */
int	people_is_staff(const struct dm_config *cfg, const char *address);

#endif
