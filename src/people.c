/*
 * people.c - owns the people, teams, team_members and settings tables.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/people.h"
#include "deskmail/util.h"

int
people_is_staff(const struct dm_config *cfg, const char *address)
{
	return address != NULL && config_team_of(cfg, address) != NULL;
}

static char *
fingerprint(const struct dm_config *cfg)
{
	struct buf b;
	char hex[65];
	size_t i, j;

	buf_init(&b);
	for (i = 0; i < cfg->nteams; i++) {
		const struct dm_team *t = &cfg->teams[i];

		buf_addf(&b, "%s\n%s\n", t->name, t->address ? t->address : "");
		for (j = 0; j < t->nmembers; j++)
			buf_addf(&b, "%s\n", t->members[j]);
		buf_addc(&b, '\n');
	}
	sha256_hex(b.data ? b.data : "", b.len, hex);
	buf_free(&b);
	return xstrdup(hex);
}

static const struct dm_sql sql_get_fp = SQL(
    "SELECT value FROM settings WHERE key = 'people_fingerprint'");
static const struct dm_sql sql_set_fp = SQL2(
    "INSERT OR REPLACE INTO settings (key, value)"
    " VALUES ('people_fingerprint', ?1)",
    "INSERT INTO settings (key, value) VALUES ('people_fingerprint', $1)"
    " ON CONFLICT (key) DO UPDATE SET value = excluded.value");
static const struct dm_sql sql_clear = SQL(
    "DELETE FROM team_members; DELETE FROM teams;"
    " DELETE FROM people WHERE role = 'staff';");
static const struct dm_sql sql_team = SQL(
    "INSERT INTO teams (name, address) VALUES (?1, ?2)");
static const struct dm_sql sql_person = SQL2(
    "INSERT OR IGNORE INTO people (address, role) VALUES (?1, 'staff')",
    "INSERT INTO people (address, role) VALUES ($1, 'staff')"
    " ON CONFLICT DO NOTHING");
static const struct dm_sql sql_member = SQL2(
    "INSERT OR IGNORE INTO team_members (team, address, position)"
    " VALUES (?1, ?2, ?3)",
    "INSERT INTO team_members (team, address, position)"
    " VALUES ($1, $2, $3) ON CONFLICT DO NOTHING");

static dm_err
current(struct dm_store *st, char **fp)
{
	struct dm_stmt *s = store_stmt(st, &sql_get_fp);
	int rc;

	*fp = NULL;
	if (s == NULL)
		return store_error(st, "settings");
	rc = stmt_step(s);
	if (rc == STMT_ROW)
		*fp = stmt_dup(s, 0);
	stmt_reset(s);
	if (rc != STMT_ROW && rc != STMT_DONE)
		return store_error(st, "settings");
	return DM_OK;
}

static dm_err
rewrite(struct dm_store *st, const struct dm_config *cfg, const char *fp)
{
	struct dm_stmt *s;
	size_t i, j;
	dm_err err;

	if (store_exec(st, &sql_clear) != DM_OK)
		return store_error(st, "teams");
	for (i = 0; i < cfg->nteams; i++) {
		const struct dm_team *t = &cfg->teams[i];

		if ((s = store_stmt(st, &sql_team)) == NULL)
			return store_error(st, "teams");
		stmt_bind_text(s, 1, t->name);
		stmt_bind_text(s, 2, t->address);
		if ((err = store_exec_stmt(st, s)) != DM_OK)
			return err;
		for (j = 0; j < t->nmembers; j++) {
			if ((s = store_stmt(st, &sql_person)) == NULL)
				return store_error(st, "people");
			stmt_bind_text(s, 1, t->members[j]);
			if ((err = store_exec_stmt(st, s)) != DM_OK)
				return err;
			if ((s = store_stmt(st, &sql_member)) == NULL)
				return store_error(st, "team_members");
			stmt_bind_text(s, 1, t->name);
			stmt_bind_text(s, 2, t->members[j]);
			stmt_bind_int64(s, 3, (int64_t)j);
			if ((err = store_exec_stmt(st, s)) != DM_OK)
				return err;
		}
	}
	if ((s = store_stmt(st, &sql_set_fp)) == NULL)
		return store_error(st, "settings");
	stmt_bind_text(s, 1, fp);
	return store_exec_stmt(st, s);
}

dm_err
people_sync(struct dm_store *st, const struct dm_config *cfg)
{
	char *want = fingerprint(cfg), *have = NULL;
	dm_err err;

	if ((err = current(st, &have)) != DM_OK)
		goto out;
	if (have != NULL && strcmp(have, want) == 0)
		goto out;
	if ((err = store_begin(st)) != DM_OK)
		goto out;
	if ((err = rewrite(st, cfg, want)) != DM_OK) {
		store_rollback(st);
		goto out;
	}
	err = store_commit(st);
out:
	free(want);
	free(have);
	return err;
}
