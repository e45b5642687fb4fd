/*
 * directory.h - the agency directory: who an address belongs to, whom an
 * agency wants told of its incidents and escalations, and who pays.
 */
#ifndef DESKMAIL_DIRECTORY_H
#define DESKMAIL_DIRECTORY_H

#include <stdint.h>
#include <stdio.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

struct dm_config;
struct json_object;

struct dm_agency {
	char	*name;
	char	*title;
	char	*notify;	/* "a@x, b@y" or "" */
	char	*escalate;
	char	*bill_to;	/* category | agency | owner */
	char	*timezone;	/* its people's zone ("America/Denver"), or
				   "": the policy's */
	char	*lang;		/* the language its people are written to in
				   (lang.h), or "": their mail's */
};

/*
 * Replace the directory with the CSV file at path (header
 * agency,title,senders,notify,escalate,bill_to[,timezone[,fte[,lang]]]), in one
 * transaction: a bad row changes nothing and the error names path:line.
 */
dm_err	directory_import(struct dm_store *st, const char *path,
	    size_t *nagencies, size_t *nsenders);

/* The most full-time equivalents one agency may have. */
#define DIRECTORY_FTE_MAX	100000

/*
 * An FTE as written in the directory ("12.5": digits, at most two
 * decimals, at most DIRECTORY_FTE_MAX) into hundredths; 0 when it is
 * not one.  Formatted back without trailing zeros ("12.5", "40").
 */
int	directory_parse_fte(const char *s, int64_t *hundredths);
void	directory_format_fte(int64_t hundredths, char out[24]);

/* The agency of address (exact address, then its domain and parents);
 * *agency is NULL when none.  The caller frees it. */
dm_err	directory_lookup(struct dm_store *st, const char *address,
	    char **agency);

/* Agency name into a (DM_ENOTFOUND if there is none). */
dm_err	directory_agency(struct dm_store *st, const char *name,
	    struct dm_agency *a);
void	directory_agency_clear(struct dm_agency *a);

/* {"agencies": [...], "teams": [...]} into out. */
dm_err	directory_json(struct dm_store *st, const struct dm_config *cfg,
	    struct json_object *out);

/* The directory as CSV in the import format. */
dm_err	directory_export(struct dm_store *st, FILE *fp);

#endif
