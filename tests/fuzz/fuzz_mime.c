/*
 * fuzz_mime.c - libFuzzer target: one input is one raw message, run
 * through what ingest does before the database: limits, MIME parsing,
 * charset conversion, HTML to text, quote stripping, classification and
 * the subject tag.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "deskmail/charset.h"
#include "deskmail/classify.h"
#include "deskmail/mime.h"
#include "deskmail/thread.h"
#include "deskmail/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct dm_limits lim = { 1 << 20, 1000, 65536, 20, 500, 0 };
	static struct dm_config cfg;
	struct dm_parsed *m = NULL;
	char hex[65];

	if (cfg.address == NULL) {
		charset_install();
		cfg.address = "help@example.org";
		cfg.domain = "example.org";
		cfg.tag = "HELP";
	}
	sha256_hex(data, size, hex);
	if (mime_parse((const char *)data, size, &lim, &m) == DM_OK) {
		(void)classify_automatic(&cfg, m);
		(void)thread_subject_tag(m->subject, cfg.tag);
		mime_free(m);
	}
	return 0;
}
