/*
 * autosender.h - the addresses that send us automatic mail (auto-replies,
 * list mail, bounces: what classify_automatic() names).  Mail that no
 * person reads is never made a ticket's participant nor sent an
 * announcement: a loop or a list would take every mail to it.
 */
#ifndef DESKMAIL_AUTOSENDER_H
#define DESKMAIL_AUTOSENDER_H

#include <time.h>

#include "deskmail/err.h"
#include "deskmail/store.h"

/*
 * An address counts as an automatic sender for this long after its last
 * automatic mail: a list or a robot keeps writing and stays one; a person
 * whose out-of-office answered us once is a person again a month later.
 */
#define AUTO_SENDER_DAYS	30

/* address (lower case) sent us automatic mail (reason: classify's word)
 * at now. */
dm_err	auto_sender_note(struct dm_store *st, const char *address,
	    const char *reason, time_t now);

/*
 * *reason is why address counts as an automatic sender at now (its last
 * automatic mail less than AUTO_SENDER_DAYS ago), or NULL; the caller
 * frees it.
 */
dm_err	auto_sender_check(struct dm_store *st, const char *address, time_t now,
	    char **reason);

#endif
