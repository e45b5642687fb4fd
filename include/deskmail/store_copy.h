/*
 * store_copy.h - a whole deskmail database copied from one store into an
 * empty other (`deskmail store copy`): a SQLite file into PostgreSQL and
 * back, checked table by table before it is committed.
 */
#ifndef DESKMAIL_STORE_COPY_H
#define DESKMAIL_STORE_COPY_H

#include <stdint.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

/* One table's check: its rows in the source and in the copy. */
struct store_copy_table {
	const char	*name;		/* a constant */
	int64_t		 rows;		/* in the source */
	int64_t		 copied;	/* in the copy, read back */
	int		 same;		/* counts and every row's values agree */
};

struct store_copy_report {
	struct store_copy_table	*tables;	/* in the order copied */
	size_t			 ntables;	/* those checked so far */
	int64_t			 rows;		/* all of the source's */
};

/*
 * Copy every table of from into to, in one transaction on to, and
 * compare each table of the copy with the source's (row counts and an
 * order-independent digest of every value) before committing.  Both must
 * be at this build's schema (DM_ESCHEMA: upgrade the source first); to
 * must hold no rows yet (DM_ESTATE: never merged into).  A copy that
 * does not compare is rolled back (DM_ESOFTWARE), as is any failure: to
 * is then as empty as before.  from is read in one snapshot.  *report
 * says what was compared (also on a mismatch); free it with
 * store_copy_report_free().
 */
dm_err	store_copy(struct dm_store *from, struct dm_store *to,
	    struct store_copy_report *report);

/* DM_ESCHEMA unless from is at this build's schema (store_copy() asks
 * too; this is for asking before a destination is made). */
dm_err	store_copy_source(struct dm_store *from);
void	store_copy_report_free(struct store_copy_report *report);

#endif
