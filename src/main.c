/*
 * main.c - parses the global options and dispatches to a subcommand.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "config.h"
#include "deskmail/charset.h"
#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/log.h"
#include "deskmail/version.h"

static const struct {
	const char	*name;
	int		(*run)(struct dm_ctx *, int, char **);
	const char	*help;
} commands[] = {
	{ "init",	  cmd_init,	    "[DIR]  create database and key "
	    "(DIR: also write DIR/deskmail.conf)" },
	{ "key",	  cmd_key,	    "rotate  a new key for links (old links "
	    "stop working)" },
	{ "upgrade",	  cmd_upgrade,	    "[--backup FILE]  back the database "
	    "up, then migrate it to this version's schema" },
	{ "backup",	  cmd_backup,	    "FILE  a consistent copy of the "
	    "database, also while it is in use" },
	{ "store",	  cmd_store,	    "copy [--from SOURCE] [--to DEST]  "
	    "copy the whole database into an empty other (a SQLite file or "
	    "postgresql://...; the one left out: the configuration's), "
	    "then compare every table" },
	{ "check-config", cmd_check_config, "  check the configuration" },
	{ "ingest",	  cmd_ingest,	    "[--maildir DIR | FILE...]  store "
	    "mail (stdin: one message)" },
	{ "fetch",	  cmd_fetch,	    "[-v|-q] [MAILBOX...]  one pass over "
	    "the IMAP mailboxes" },
	{ "send",	  cmd_send,	    "[-q]  send what the outbox holds" },
	{ "tick",	  cmd_tick,	    "[-q]  fire the SLA timers due, close "
	    "unanswered resolutions" },
	{ "cron",	  cmd_cron,	    "  one pass for cron or a timer: fetch, "
	    "tick and send, in that order" },
	{ "serve",	  cmd_serve,	    "  the link pages only, until SIGTERM" },
	{ "run",	  cmd_run,	    "  the service: IMAP IDLE, sending, link "
	    "pages and tick, until SIGTERM" },
	{ "ticket",	  cmd_ticket,	    "list [FILTERS] [--json] | search "
	    "WORDS... [FILTERS] [--json] | show N [--json] | attachment N "
	    "[PART] [-o FILE] [--json] | link N PURPOSE | reply|resolve|"
	    "pending|note|update|reopen|assign|transfer|severity|close|ack|"
	    "category|agency|owner|cc|merge|parent N ...  (FILTERS: --status "
	    "S --requester A --agency A --from D --to D --limit N)" },
	{ "quarantine",	  cmd_quarantine,   "list [--all] [--json] | show N | "
	    "retry N | drop N [--as ADDR]" },
	{ "outbox",	  cmd_outbox,	    "list [--json] | show ID | retry "
	    "ID|--failed [--as ADDR] | cancel ID [--as ADDR]" },
	{ "announce",	  cmd_announce,	    "--to all|agency:A|team:T|"
	    "ticket-requesters:WORDS --subject S [--dry-run]  (body on stdin) "
	    "| list [--json]" },
	{ "status",	  cmd_status,	    "[--json | --format "
	    "text|json|prometheus]  queues, last fetch, timers overdue: what "
	    "needs attention" },
	{ "report",	  cmd_report,	    "csat|fcr|sla|ttr|themes|billing|all "
	    "[--from D] [--to D] [--format text|csv|json|html] [--by P] "
	    "[--split D] [--detail] [--out FILE]" },
	{ "directory",	  cmd_directory,    "import FILE.csv | export | list "
	    "[--json] | lookup ADDRESS" },
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *fp)
{
	size_t i;

	fprintf(fp, "usage: deskmail [-c FILE] COMMAND [ARGS]\n"
	    "       deskmail help [COMMAND] | --help | --version\n\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(fp, "  %s %s\n", commands[i].name, commands[i].help);
	fprintf(fp, "\nThe configuration is FILE, else $DESKMAIL_CONFIG, else "
	    "/etc/deskmail/deskmail.conf.  More in deskmail(1).\n");
}

/* `deskmail help NAME`, `deskmail NAME --help`: that command's usage. */
static int
usage_of(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0) {
			printf("usage: deskmail [-c FILE] %s %s\n\nMore in "
			    "deskmail(1).\n", commands[i].name,
			    commands[i].help);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		}
	log_error("help: %s: unknown command (deskmail help lists them)",
	    name);
	return EX_USAGE;
}

static const struct option options[] = {
	{ "config",	required_argument,	NULL,	'c' },
	{ "help",	no_argument,		NULL,	'h' },
	{ "version",	no_argument,		NULL,	'V' },
	{ NULL,		0,			NULL,	0 }
};

int
main(int argc, char **argv)
{
	struct dm_ctx ctx;
	dm_err err;
	size_t i;
	int c, rc;

	/* the database, its WAL and the key hold mail: nobody else reads them
	 * (an MTA's pipe or cron may run us with a lax umask) */
	umask(umask(0) | 077);
	memset(&ctx, 0, sizeof(ctx));
	ctx.config_path = getenv("DESKMAIL_CONFIG");
	if (ctx.config_path == NULL || *ctx.config_path == '\0')
		ctx.config_path = "/etc/deskmail/deskmail.conf";
	opterr = 0;	/* our own one line, below */
	while ((c = getopt_long(argc, argv, "+:c:hV", options, NULL)) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'h':
			usage(stdout);
			return EX_OK;
		case 'V':
			version_print(stdout);
			return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
		case ':':
			log_error("%s needs a value (deskmail --help)",
			    argv[optind - 1]);
			return EX_USAGE;
		default:
			log_error("%s: unknown option (deskmail --help lists "
			    "them)", argv[optind - 1]);
			return EX_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		log_error("no command given (deskmail help lists them)");
		return EX_USAGE;
	}
	if (strcmp(argv[0], "help") == 0) {
		if (argc > 1)
			return usage_of(argv[1]);
		usage(stdout);
		return EX_OK;
	}
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0))
		return usage_of(argv[0]);
	if ((err = clock_init()) != DM_OK) {
		log_error("%s", dm_errdetail());
		return dm_exit_code(err);
	}
	charset_install();
	for (i = 0; i < NCOMMANDS; i++) {
		if (strcmp(argv[0], commands[i].name) == 0) {
			ctx.command = commands[i].name;
			optind = 1;
			rc = commands[i].run(&ctx, argc, argv);
			ctx_close(&ctx);
			return rc;
		}
	}
	log_error("%s: unknown command (try 'deskmail help')", argv[0]);
	return EX_USAGE;
}
