/*
 * digest.c - the one mail that carries the staff notices held back by
 * the per-ticket limit (outbox.c holds them): each notice rendered as it
 * would have been sent on its own, oldest first, under the digest
 * template.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/clock.h"
#include "deskmail/digest.h"
#include "deskmail/notice.h"
#include "deskmail/outbox.h"
#include "deskmail/relay.h"
#include "deskmail/util.h"

/*
 * One held notice as its own mail would have read: the ticket's
 * variables (made once for all of them, as of now) with its own params.
 */
static dm_err
add_notice(struct dm_store *st, const struct dm_config *cfg,
    const struct tvars *ticket_vars, const struct dm_outbox_row *h, size_t i,
    size_t n, struct buf *b)
{
	struct rendered out;
	struct relay files;
	struct tvars vars;
	char when[64];
	dm_err err;

	tvars_init(&vars);
	memset(&files, 0, sizeof(files));
	tvars_copy(&vars, ticket_vars);
	/* its files by link: one mail would otherwise gather them all */
	if ((err = notice_params(h->params, &vars)) == DM_OK &&
	    (err = relay_files(st, cfg, &vars, 1, &files)) == DM_OK &&
	    (err = template_render(cfg, h->template, &vars, &out)) == DM_OK) {
		buf_addf(b, "%s===== %zu of %zu, %s: %s\n\n%s", b->len ? "\n" :
		    "", i + 1, n, clock_format_human(h->created,
		    tvars_get(ticket_vars, "ticket.timezone"), when,
		    sizeof(when)), out.subject, out.text);
		if (b->len && b->data[b->len - 1] != '\n')
			buf_addc(b, '\n');
		rendered_free(&out);
	}
	relay_free(&files);
	tvars_free(&vars);
	return err;
}

dm_err
digest_render(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_outbox_row *r, struct tvars *vars, struct rendered *out)
{
	struct dm_outbox_row *held;
	struct buf b;
	char count[24];
	size_t i, n;
	dm_err err;

	if ((err = outbox_digest_rows(st, r->id, &held, &n)) != DM_OK)
		return err;
	buf_init(&b);
	buf_add(&b, "", 0);
	/* vars are the digest's own: the ticket's, and its params */
	for (i = 0, err = DM_OK; i < n && err == DM_OK; i++)
		err = add_notice(st, cfg, vars, &held[i], i, n, &b);
	outbox_rows_free(held, n);
	if (err != DM_OK) {
		buf_free(&b);
		return err;
	}
	snprintf(count, sizeof(count), "%zu", n);
	tvars_set(vars, "digest.count", count);
	tvars_set(vars, "message", b.data);
	buf_free(&b);
	return template_render(cfg, "digest", vars, out);
}
