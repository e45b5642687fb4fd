/*
 * fuzz_directory.c - libFuzzer target for the agency directory import.
 * The input is the CSV file (written to tmpfs: directory_import() reads a
 * path), imported into one in-memory database opened with store_open()
 * (":memory:", migrated as any database).  A file it accepts is looked
 * up in, exported and listed as JSON, and the export must import again
 * with the same numbers of agencies and senders.
 */
#include <string.h>

#include <json-c/json.h>

#include "deskmail/config.h"
#include "deskmail/directory.h"
#include "deskmail/store.h"
#include "deskmail/util.h"

#include "fuzz.h"

static const char config_text[] =
    "[deskmail]\n"
    "address = help@example.org\n"
    "[team servicedesk]\n"
    "members = sd1@example.org\n";

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dm_config *cfg;
	static struct dm_store *st;
	static char csv[300], exp[300];
	struct json_object *o;
	size_t na, ns, na2, ns2;
	char *agency;
	FILE *fp;

	if (cfg == NULL) {
		char conf[300];

		fuzz_path(conf, sizeof(conf), "deskmail.conf");
		fuzz_write(conf, config_text, strlen(config_text));
		if (config_load(conf, &cfg) != DM_OK)
			abort();
		free(cfg->database);
		cfg->database = xstrdup(":memory:");
		if (store_open(cfg, 1, &st) != DM_OK) {
			fprintf(stderr, "fuzz_directory: %s\n", dm_errdetail());
			abort();
		}
		fuzz_path(csv, sizeof(csv), "agencies.csv");
		fuzz_path(exp, sizeof(exp), "export.csv");
	}
	fuzz_write(csv, data, size);
	if (directory_import(st, csv, &na, &ns) != DM_OK)
		return 0;
	if (directory_lookup(st, "ann@dot.ny.gov", &agency) != DM_OK)
		abort();
	free(agency);
	o = json_object_new_object();
	if (directory_json(st, cfg, o) != DM_OK)
		abort();
	json_object_put(o);
	if ((fp = fopen(exp, "w")) == NULL)
		abort();
	if (directory_export(st, fp) != DM_OK)
		abort();
	fclose(fp);
	if (directory_import(st, exp, &na2, &ns2) != DM_OK) {
		fprintf(stderr, "fuzz_directory: export does not import: %s\n",
		    dm_errdetail());
		abort();
	}
	if (na2 != na || ns2 != ns)
		abort();
	return 0;
}
