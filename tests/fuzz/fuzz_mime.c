/*
 * fuzz_mime.c - libFuzzer target: one input is one raw message, run
 * through what ingest does before the database: limits, MIME parsing,
 * charset conversion, HTML to text, quote stripping, classification,
 * the subject tag and the queue its addresses pick; and every attachment
 * decoded again as attachment.c does, to be the one listed.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "deskmail/charset.h"
#include "deskmail/classify.h"
#include "deskmail/mime.h"
#include "deskmail/queue.h"
#include "deskmail/thread.h"
#include "deskmail/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The store keeps a file's name, type and size and decodes its bytes
 * again from the raw message when asked (attachment.c): the k-th file
 * mime_attachment() finds must be the k-th mime_parse() listed, of the
 * size it measured (base64 is counted, not decoded, at ingest: a
 * decoder that skips what it cannot read may give a few bytes less).
 */
static void
check_attachments(const char *raw, size_t len, const struct dm_limits *lim,
    const struct dm_parsed *m)
{
	struct dm_parsed *p;
	char *data;
	size_t i, n;

	for (i = 0; i < m->natt && i < 3; i++) {
		if (mime_attachment(raw, len, lim, i, &p, &data, &n) != DM_OK)
			abort();
		if (p->natt != m->natt || strcmp(p->att[i].name,
		    m->att[i].name) != 0 || strcmp(p->att[i].type,
		    m->att[i].type) != 0 || n > m->att[i].size + 3)
			abort();
		mime_free(p);
		free(data);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dm_limits lim = { 1 << 20, 1000, 65536, 20, 500, 0 };
	static struct dm_config cfg;
	static struct dm_queue queues[2];
	static struct dm_mailbox box;
	const struct dm_queue *q;
	struct dm_parsed *m = NULL;
	char hex[65];

	if (cfg.address == NULL) {
		charset_install();
		cfg.address = "help@example.org";
		cfg.domain = "example.org";
		cfg.tag = "HELP";
		queues[0].name = "desktop";
		queues[0].address = "desktop-help@example.org";
		queues[0].tag = "DESK";
		queues[1].name = "hw";
		queues[1].address = "hw@example.org";
		queues[1].from = "hardware@example.org";
		cfg.queues = queues;
		cfg.nqueues = 2;
		box.name = "in";
		box.queue = "";
		cfg.mailboxes = &box;
		cfg.nmailboxes = 1;
	}
	sha256_hex(data, size, hex);
	if (mime_parse((const char *)data, size, &lim, &m) == DM_OK) {
		(void)classify_automatic(&cfg, m);
		(void)thread_subject_tag(m->subject, cfg.tag);
		q = queue_of_mail(&cfg, m, "imap:in:1:1", NULL);
		if (q != NULL && q != &queues[0] && q != &queues[1])
			abort();
		check_attachments((const char *)data, size, &lim, m);
		mime_free(m);
	}
	return 0;
}
