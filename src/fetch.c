/*
 * fetch.c - the exactly-once IMAP pass.
 *
 * A message is marked on the server (\Seen, moved or deleted) only after
 * the transaction that stored or quarantined it, and advanced the
 * mailbox's checkpoint, has committed.  A crash between the commit and the
 * marking leaves messages at or below the checkpoint unmarked: the next
 * pass marks them without fetching them again.  When UIDVALIDITY changes
 * every pending message is fetched again; content hashes recognise those
 * already stored, so nothing is applied twice.
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/clock.h"
#include "deskmail/fetch.h"
#include "deskmail/log.h"
#include "deskmail/mailbox.h"
#include "deskmail/util.h"

/* Largest total of message bytes held in memory for one batch. */
#define BATCH_BYTES	(64u << 20)

struct fetched {
	uint32_t	 uid;
	char		*data;
	size_t		 len;
	size_t		 size;		/* RFC822.SIZE: more than len if cut */
};

struct batch {
	struct fetched	*msgs;
	size_t		 n;
	const uint32_t	*uids;		/* the UIDs asked for, sorted */
	const size_t	*sizes;		/* and their RFC822.SIZE */
	size_t		 nuids;
	unsigned char	*got;		/* got[k]: uids[k] arrived */
};

static int
cmp_uid(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static dm_err
keep_message(void *arg, uint32_t uid, const char *data, size_t len)
{
	struct batch *b = arg;
	const uint32_t *pos;
	struct fetched *f;
	size_t k;

	pos = bsearch(&uid, b->uids, b->nuids, sizeof(*b->uids), cmp_uid);
	if (pos == NULL || b->got[pos - b->uids] || b->n == b->nuids)
		return DM_OK;		/* not asked for, or twice */
	k = (size_t)(pos - b->uids);
	b->got[k] = 1;
	f = &b->msgs[b->n++];
	f->uid = uid;
	f->data = xmalloc(len + 1);
	memcpy(f->data, data, len);
	f->data[len] = '\0';
	f->len = len;
	f->size = b->sizes[k] > len ? b->sizes[k] : len;
	return DM_OK;
}

static void
batch_clear(struct batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->msgs[i].data);
	b->n = 0;
}

/* Store the fetched batch and the checkpoint in one transaction. */
static dm_err
store_batch(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_mailbox *mb, uint32_t uidvalidity, uint32_t last,
    struct batch *b, struct ingest_result *res)
{
	char source[200];
	size_t i;
	dm_err err;

	if ((err = store_begin(st)) != DM_OK)
		return err;
	for (i = 0; i < b->n; i++) {
		snprintf(source, sizeof(source), "imap:%s:%u:%u", mb->name,
		    uidvalidity, b->msgs[i].uid);
		err = ingest_message(st, cfg, b->msgs[i].data, b->msgs[i].len,
		    b->msgs[i].size, source, 0, &res[i]);
		if (err != DM_OK)
			goto fail;
		if (res[i].warning[0] != '\0')
			log_warning("fetch: %s: %s", source, res[i].warning);
	}
	if ((err = mailbox_state_set(st, mb->name, uidvalidity, last,
	    clock_now())) != DM_OK)
		goto fail;
	return store_commit(st);
fail:
	store_rollback(st);
	return err;
}

dm_err
fetch_mailbox(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_mailbox *mb, struct dm_imap *im,
    struct fetch_stats *stats, fetch_report_cb report, void *arg,
    volatile int *stop)
{
	uint32_t validity = imap_uidvalidity(im), old_validity, last_uid;
	uint32_t *uids = NULL, *done_uids = NULL, checkpoint;
	unsigned char *got = NULL;
	size_t *sizes = NULL, n, first, i, j, k, bytes, max;
	int gap = 0;
	struct ingest_result *res = NULL;
	struct batch b;
	char line[400];
	dm_err err;

	memset(stats, 0, sizeof(*stats));
	memset(&b, 0, sizeof(b));
	if ((err = mailbox_state_get(st, mb->name, &old_validity,
	    &last_uid, NULL)) != DM_OK)
		return err;
	if (old_validity != 0 && old_validity != validity) {
		log_info("%s: UIDVALIDITY changed from %u to %u: fetching the "
		    "folder again; messages already stored are recognised as "
		    "duplicates", mb->name, old_validity, validity);
		stats->uidvalidity_changed = 1;
		last_uid = 0;
	}
	checkpoint = last_uid;
	if ((err = imap_pending(im, &uids, &n)) != DM_OK)
		return err;
	stats->pending = n;
	/* stored by an earlier pass that died before marking them */
	for (first = 0; first < n && uids[first] <= last_uid; first++)
		;
	if (first > 0) {
		if ((err = imap_finish(im, uids, first)) != DM_OK)
			goto out;
		stats->finished_only = stats->done = first;
		if (report)
			report(arg, stats, NULL);
	}
	sizes = xcalloc(n + 1, sizeof(*sizes));
	if ((err = imap_sizes(im, uids + first, n - first, sizes + first)) !=
	    DM_OK)
		goto out;
	max = (size_t)cfg->limits.max_message_bytes;
	b.msgs = xcalloc((size_t)mb->batch, sizeof(*b.msgs));
	res = xcalloc((size_t)mb->batch, sizeof(*res));
	got = xcalloc((size_t)mb->batch, 1);
	done_uids = xcalloc((size_t)mb->batch, sizeof(*done_uids));
	for (i = first; i < n && !(stop && *stop); i = j) {
		/* a batch: at most mb->batch messages and BATCH_BYTES */
		bytes = 0;
		for (j = i; j < n && j - i < (size_t)mb->batch; j++) {
			size_t sz = sizes[j] < max ? sizes[j] : max;

			if (j > i && bytes + sz > BATCH_BYTES)
				break;
			bytes += sz;
		}
		b.uids = uids + i;
		b.sizes = sizes + i;
		b.nuids = j - i;
		memset(got, 0, (size_t)mb->batch);
		b.got = got;
		err = imap_fetch(im, uids + i, j - i, max, keep_message, &b);
		if (err != DM_OK)
			goto out;
		/*
		 * The checkpoint moves only past UIDs that arrived: one the
		 * server did not send (expunged meanwhile, or a hiccup) stays
		 * above it and is asked for again next time.
		 */
		for (k = 0; !gap && k < j - i; k++) {
			if (!got[k])
				gap = 1;
			else
				checkpoint = uids[i + k];
		}
		err = store_batch(st, cfg, mb, validity, checkpoint, &b, res);
		if (err != DM_OK)
			goto out;
		/* committed: now, and only now, tell the server */
		for (k = 0; k < b.n; k++)
			done_uids[k] = b.msgs[k].uid;
		qsort(done_uids, b.n, sizeof(*done_uids), cmp_uid);
		if ((err = imap_finish(im, done_uids, b.n)) != DM_OK)
			goto out;
		for (k = 0; k < b.n; k++) {
			stats->count[res[k].outcome]++;
			stats->done++;
			if (report) {
				ingest_format(&res[k], line, sizeof(line));
				report(arg, stats, line);
			}
		}
		batch_clear(&b);
	}
	/* a pass that ended well: `deskmail status` shows when, mail or not */
	if (!(stop && *stop) && (err = store_begin(st)) == DM_OK) {
		if ((err = mailbox_state_set(st, mb->name, validity, checkpoint,
		    clock_now())) == DM_OK)
			err = store_commit(st);
		else
			store_rollback(st);
	}
out:
	batch_clear(&b);
	free(b.msgs);
	free(res);
	free(got);
	free(done_uids);
	free(sizes);
	free(uids);
	return err;
}
