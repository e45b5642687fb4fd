/*
 * digest.h - the mail of a digest outbox row: the staff notices about one
 * ticket to one recipient that the per-ticket limit held back.
 */
#ifndef DESKMAIL_DIGEST_H
#define DESKMAIL_DIGEST_H

#include "deskmail/config.h"
#include "deskmail/err.h"
#include "deskmail/outbox.h"
#include "deskmail/store.h"
#include "deskmail/template.h"

/*
 * Render digest row r (vars: its notice variables, from notice_vars()):
 * every notice it holds, as each would have read, oldest first, as
 * {{message}} of the digest template, their number as {{digest.count}}.
 * Seals the digest (outbox_digest_rows()).  out is freed with
 * rendered_free().
 */
dm_err	digest_render(struct dm_store *st, const struct dm_config *cfg,
	    const struct dm_outbox_row *r, struct tvars *vars,
	    struct rendered *out);

#endif
