/*
 * config.c - deskmail.conf, parsed with inih.
 *
 * The keys of the fixed sections are one table (keys[] below): the parser,
 * check-config and the commented file `deskmail init DIR` writes all read
 * it, so they cannot disagree.  Named sections ([team NAME], [mailbox NAME])
 * have small tables of their own.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <ini.h>

#include "deskmail/config.h"
#include "deskmail/lang.h"
#include "deskmail/queue.h"
#include "deskmail/route.h"
#include "deskmail/sla.h"
#include "deskmail/sla_policy.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

enum key_type { K_STRING, K_PATH, K_LONG };

struct key {
	const char	*section;
	const char	*name;
	enum key_type	 type;
	size_t		 offset;
	const char	*def;		/* NULL: no default (must be set or unused) */
	long		 min, max;	/* K_LONG bounds */
	const char	*doc;
};

#define S(f)	offsetof(struct dm_config, f)
#define L(f)	offsetof(struct dm_config, limits.f)

static const struct key keys[] = {
	{ "deskmail", "database", K_PATH, S(database), "deskmail.db", 0, 0,
	  "the SQLite database file (WAL mode; keep it on a local disk), or "
	  "a PostgreSQL database shared by several deskmail hosts: a libpq "
	  "URI, postgresql://USER@HOST:PORT/DBNAME (no password in it)" },
	{ "deskmail", "database_password_file", K_PATH,
	  S(database_password_file), "", 0, 0,
	  "file holding the PostgreSQL password (mode 0600; empty: libpq's "
	  "own, PGPASSFILE or ~/.pgpass)" },
	{ "deskmail", "key_file", K_PATH, S(key_file), "deskmail.key", 0, 0,
	  "secret key for signed links, made by init with mode 0600" },
	{ "deskmail", "address", K_STRING, S(address), "help@example.org", 0, 0,
	  "the help address; deskmail's mail comes from it" },
	{ "deskmail", "tag", K_STRING, S(tag), "HELP", 0, 0,
	  "subject tag: [HELP #42]" },
	{ "deskmail", "base_url", K_STRING, S(base_url),
	  "https://help.example.org/", 0, 0,
	  "public base URL of the link pages" },
	{ "deskmail", "organisation", K_STRING, S(organisation),
	  "Example Service Desk", 0, 0,
	  "the organisation's name, shown in mail and pages" },
	{ "deskmail", "default_team", K_STRING, S(default_team), "", 0, 0,
	  "team a new ticket goes to when no rule names one (empty: none)" },
	{ "deskmail", "template_dir", K_PATH, S(template_dir), "", 0, 0,
	  "directory whose templates override the installed ones (LANG/NAME: "
	  "for one language; a new LANG/ is a new language; empty: none)" },
	{ "deskmail", "ingest_socket", K_STRING, S(ingest_socket), "", 0, 0,
	  "socket on which run takes mail piped to ingest (empty: the "
	  "database's path + .sock; none: ingest always stores by itself)" },
	{ "deskmail", "lmtp_listen", K_STRING, S(lmtp_listen), "", 0, 0,
	  "where run takes mail from the MTA over LMTP: a socket path, "
	  "127.0.0.1:PORT, or none (empty: the database's path + .lmtp)" },
	{ "deskmail", "lmtp_group", K_STRING, S(lmtp_group), "", 0, 0,
	  "group whose processes may use the LMTP socket, e.g. postfix "
	  "(mode 0660); empty: only our own user and root (0600)" },
	{ "deskmail", "lmtp_accept", K_STRING, S(lmtp_accept), "own", 0, 0,
	  "recipients LMTP takes mail for: own (the help and queue "
	  "addresses, +extensions too) or all" },
	{ "deskmail", "synchronous", K_STRING, S(synchronous), "full", 0, 0,
	  "full: every stored message survives power loss; normal: faster, "
	  "survives crashes only" },
	{ "deskmail", "log", K_STRING, S(log), "stderr", 0, 0,
	  "where log lines go: stderr or syslog" },
	{ "deskmail", "timezone", K_STRING, S(timezone), "", 0, 0,
	  "time zone of the times written for people (mail, link pages) when "
	  "neither the ticket's agency nor its policy names one, e.g. "
	  "America/New_York; empty: the [sla] timezone" },
	{ "deskmail", "language", K_STRING, S(language), "en", 0, 0,
	  "language of customers' mail and link pages when neither the "
	  "requester's agency nor their mail names one: a directory of the "
	  "templates, e.g. en or es" },
	{ "deskmail", "reopen_days", K_LONG, S(reopen_days), "14", 0, 3650,
	  "a reply this many days after closing reopens the ticket; later "
	  "ones start a new, linked ticket" },
	{ "deskmail", "auto_reply_limit", K_LONG, S(auto_reply_limit), "5", 0,
	  100000, "automatic mails (acknowledgements) to one address per hour" },
	{ "deskmail", "participants_get", K_STRING, S(participants_get_text),
	  "staff_reply, pending, resolution, transferred, reopened_customer, "
	  "sla, merged, incident_joined, survey", 0, 0, "the mail about a ticket its "
	  "participants (the customer's colleagues in To/Cc) get besides the "
	  "requester (the kinds are template names), or none" },
	{ "deskmail", "max_participants", K_LONG, S(max_participants), "50", 0,
	  500, "participants one ticket may have; addresses past it in To/Cc "
	  "are left out (an event says how many) (0: none)" },
	{ "deskmail", "staff_notice_limit", K_LONG, S(staff_notice_limit),
	  "10", 0, 100000, "notices about one ticket to one staff address in "
	  "an hour; the next ones wait and go as one digest (0: no limit)" },
	{ "deskmail", "busy_timeout_ms", K_LONG, S(busy_timeout_ms), "5000", 0,
	  600000, "how long to wait for a database lock held by another "
	  "deskmail" },
	{ "deskmail", "staff_auth", K_STRING, S(staff_auth),
	  "authentication-results", 0, 0,
	  "how mail from a staff address is trusted: authentication-results "
	  "(our MTA's header shows DKIM, DMARC or SPF pass for the sender's "
	  "domain) or none (anyone can forge staff mail: tests only)" },
	{ "deskmail", "auth_serv_id", K_STRING, S(auth_serv_id), "", 0, 0,
	  "the authserv-id our MTA writes in Authentication-Results (others' "
	  "headers are ignored); required for staff_auth = "
	  "authentication-results" },
	{ "limits", "max_message_bytes", K_LONG, L(max_message_bytes),
	  "52428800", 1024, 1073741824, "largest message stored; larger ones "
	  "are quarantined" },
	{ "limits", "max_headers", K_LONG, L(max_headers), "1000", 10, 100000,
	  "most header fields in a message" },
	{ "limits", "max_header_bytes", K_LONG, L(max_header_bytes), "65536",
	  256, 16777216, "longest single header field (unfolded)" },
	{ "limits", "max_mime_depth", K_LONG, L(max_mime_depth), "20", 1, 100,
	  "deepest nesting of MIME multiparts and attached messages" },
	{ "limits", "max_parts", K_LONG, L(max_parts), "500", 1, 100000,
	  "most MIME parts in one message" },
	{ "limits", "new_tickets_per_hour", K_LONG, L(new_tickets_per_hour),
	  "30", 0, 1000000, "new tickets one sender may open in an hour; "
	  "more mail opening tickets is quarantined (a flood, a loop), "
	  "released with quarantine retry (0: no limit)" },
	{ "smtp", "url", K_STRING, S(smtp_url), "smtp://127.0.0.1:25", 0, 0,
	  "SMTP server for outgoing mail (smtps:// for implicit TLS)" },
	{ "smtp", "tls", K_STRING, S(smtp_tls), "", 0, 0,
	  "starttls (required), implicit, or none (only for a server on this "
	  "machine: 127.x, localhost, [::1]); "
	  "empty: implicit for smtps://, none for a local server, else "
	  "starttls" },
	{ "smtp", "ca_file", K_PATH, S(smtp_ca_file), "", 0, 0,
	  "PEM file of the CAs for the server's certificate (empty: system)" },
	{ "smtp", "user", K_STRING, S(smtp_user), "", 0, 0,
	  "AUTH user name (empty: no AUTH)" },
	{ "smtp", "password_file", K_PATH, S(smtp_password_file), "", 0, 0,
	  "file holding the AUTH password" },
	{ "smtp", "password_env", K_STRING, S(smtp_password_env), "", 0, 0,
	  "or: the environment variable holding it" },
	{ "smtp", "envelope_from", K_STRING, S(smtp_envelope_from), "", 0, 0,
	  "envelope sender (MAIL FROM); {id} becomes the outbox id, for "
	  "VERP-style bounce addresses; empty: the mail's From (the help "
	  "address, or its ticket's queue's)" },
	{ "smtp", "timeout", K_LONG, S(smtp_timeout), "30", 1, 600,
	  "seconds to wait for the server" },
	{ "smtp", "retry_seconds", K_LONG, S(smtp_retry_seconds), "60", 1,
	  86400, "first wait after a temporary failure; it doubles, up to "
	  "an hour" },
	{ "smtp", "max_age", K_LONG, S(smtp_max_age), "172800", 60, 2592000,
	  "seconds a mail is retried before it is marked failed" },
	{ "web", "listen", K_STRING, S(web_listen), "127.0.0.1:8025", 0, 0,
	  "address and port of the link pages (behind a reverse proxy)" },
	{ "web", "metrics_listen", K_STRING, S(metrics_listen), "", 0, 0,
	  "address and port of /metrics for Prometheus, a listener of its "
	  "own beside the link pages; a port alone is on 127.0.0.1 (empty: "
	  "no /metrics)" },
	{ "web", "link_days", K_LONG, S(link_days), "30", 1, 3650,
	  "days the accept, not-fixed and survey links in a mail work" },
	{ "web", "threads", K_LONG, S(web_threads), "2", 1, 64,
	  "threads answering requests" },
	{ "attachments", "mail_max_bytes", K_LONG, S(attach_mail_max),
	  "10485760", 0, 1073741824, "files a mail passes on are attached "
	  "while together at most this many bytes; above, the mail carries a "
	  "download link for each (0: always links)" },
	{ "attachments", "link_days", K_LONG, S(attach_link_days), "30", 1,
	  3650, "days a download link in a mail works" },
	{ "survey", "delay", K_LONG, S(survey_delay), "0", 0, 2592000,
	  "seconds between closing a ticket and sending its survey" },
	{ "survey", "window", K_LONG, S(survey_window), "900", 0, 86400,
	  "seconds after answering in which the answer may still be changed" },
	{ "survey", "auto_close_days", K_LONG, S(auto_close_days), "5", 1, 365,
	  "business days a resolved ticket waits for accept / not fixed "
	  "before it is closed" },
	{ "survey", "on", K_STRING, S(survey_on_text),
	  "accept, autoclose, staff_close", 0, 0, "which ways of closing a "
	  "ticket send its survey (one per ticket): accept, autoclose, "
	  "staff_close, or none" },
	{ "survey", "on_auto_close", K_STRING, S(survey_on_auto_close), "",
	  0, 0, "older form, kept for existing files: yes adds autoclose to "
	  "on, no takes it out; empty: as on says" },
	{ "survey", "low_rating", K_LONG, S(low_rating), "2", 1, 5,
	  "answers at or below this rating also go to the supervisor" },
	{ "survey", "supervisor", K_STRING, S(supervisor), "", 0, 0,
	  "address of the supervisor who hears of low ratings (empty: nobody)" },
	{ "announce", "per_hour", K_LONG, S(announce_per_hour), "600", 1,
	  1000000, "announcement mails the outbox sends per hour at most; "
	  "later recipients' mail waits its turn" },
	{ "announce", "days", K_LONG, S(announce_days), "90", 1, 3650,
	  "announce --to all, agency: and ticket-requesters: reach the "
	  "requesters of tickets open or changed in this many days" },
	{ "announce", "max_recipients", K_LONG, S(announce_max), "5000", 1,
	  1000000, "most recipients of one announcement; more is refused "
	  "(choose a narrower --to)" },
	{ "sla", "policy", K_STRING, S(sla_policy), "ny-ccc", 0, 0,
	  "service level policy: ny-ccc, colorado, or one of your own" },
	{ "sla", "contacts", K_STRING, S(sla_contacts), "", 0, 0,
	  "who gets severity 1/2 notices when no agency entry names anyone" },
	{ "sla", "timezone", K_STRING, S(sla_timezone), "UTC", 0, 0,
	  "time zone of business hours and holidays (e.g. America/Denver)" },
	{ "sla", "open", K_STRING, S(sla_open), "07:00", 0, 0,
	  "business hours start (Monday to Friday)" },
	{ "sla", "close", K_STRING, S(sla_close), "17:00", 0, 0,
	  "business hours end" },
	{ "sla", "holidays", K_PATH, S(sla_holidays), "", 0, 0,
	  "file of holidays, one YYYY-MM-DD a line (empty: none)" },
	{ "sla", "supervisor", K_STRING, S(sla_supervisor), "", 0, 0,
	  "who hears of missed targets and severity 3 tickets unresolved 2 "
	  "days after referral (empty: the ticket's team)" },
	{ "sla", "management", K_STRING, S(sla_management), "", 0, 0,
	  "who hears next, a day after the supervisor (empty: the "
	  "supervisor)" },
	{ "routing", "rules", K_PATH, S(routing_rules), "", 0, 0,
	  "file of routing rules, one a line (see deskmail.conf(5)); "
	  "empty: none" },
	{ "routing", "mode", K_STRING, S(routing_mode), "first", 0, 0,
	  "first: the first matching rule decides; all: every matching rule "
	  "applies in file order, a later one overriding what an earlier set" },
	{ "routing", "match_limit", K_LONG, S(routing_match_limit), "100000",
	  100, 100000000, "PCRE2 match limit per rule and field: a pattern "
	  "that backtracks past it counts as no match and is logged" },
	{ "billing", "currency", K_STRING, S(billing_currency), "USD", 0, 0,
	  "currency code printed on the billing report" },
	{ "billing", "rate_security", K_STRING, S(billing_rate[0]), "0.00",
	  0, 0, "flat rate per security incident (password resets)" },
	{ "billing", "rate_desktop", K_STRING, S(billing_rate[1]), "0.00", 0,
	  0, "flat rate per desktop software incident" },
	{ "billing", "rate_application", K_STRING, S(billing_rate[2]), "0.00",
	  0, 0, "flat rate per application incident" },
	{ "billing", "rate_hardware", K_STRING, S(billing_rate[3]), "0.00", 0,
	  0, "flat rate per hardware / dispatch call" },
	{ "billing", "bill_to_security", K_STRING, S(billing_bill_to[0]),
	  "owner", 0, 0, "who pays for security incidents: owner (the agency "
	  "owning the account or application) or agency (the user's)" },
	{ "billing", "bill_to_desktop", K_STRING, S(billing_bill_to[1]),
	  "agency", 0, 0, "who pays for desktop software incidents" },
	{ "billing", "bill_to_application", K_STRING, S(billing_bill_to[2]),
	  "owner", 0, 0, "who pays for application incidents" },
	{ "billing", "bill_to_hardware", K_STRING, S(billing_bill_to[3]),
	  "owner", 0, 0, "who pays for hardware / dispatch calls" },
	{ "reports", "fcr_target", K_LONG, S(fcr_target), "69", 0, 100,
	  "first contact resolution target, percent" },
	{ "reports", "fcr_industry", K_LONG, S(fcr_industry), "59", 0, 100,
	  "industry first contact resolution figure to compare with, percent" },
	{ "reports", "csat_target", K_STRING, S(csat_target), "4.1", 0, 0,
	  "target mean satisfaction rating, 1 to 5" },
};

const char *const dm_categories[DM_NCATEGORIES] = {
	"security", "desktop", "application", "hardware"
};

#define M(f)	offsetof(struct dm_mailbox, f)

/* The keys of a [mailbox NAME] section. */
static const struct key mailbox_keys[] = {
	{ "mailbox", "url", K_STRING, M(url), NULL, 0, 0,
	  "imaps://host[:port][/folder] (implicit TLS) or imap://... "
	  "(STARTTLS); the folder defaults to INBOX" },
	{ "mailbox", "user", K_STRING, M(user), NULL, 0, 0,
	  "login name" },
	{ "mailbox", "password_file", K_PATH, M(password_file), NULL, 0, 0,
	  "file holding the password (first line); never put it on a "
	  "command line" },
	{ "mailbox", "password_env", K_STRING, M(password_env), NULL, 0, 0,
	  "or: the environment variable holding the password" },
	{ "mailbox", "tls", K_STRING, M(tls), "", 0, 0,
	  "implicit, starttls, or none (only for 127.0.0.1/localhost); "
	  "empty: from the URL scheme" },
	{ "mailbox", "ca_file", K_PATH, M(ca_file), "", 0, 0,
	  "PEM file of the CAs that may sign the server's certificate "
	  "(empty: the system store)" },
	{ "mailbox", "after", K_STRING, M(after), "seen", 0, 0,
	  "what to do with a message once stored: seen (set \\Seen), move "
	  "(to move_to), delete" },
	{ "mailbox", "move_to", K_STRING, M(move_to), "Processed", 0, 0,
	  "folder for after = move" },
	{ "mailbox", "batch", K_LONG, M(batch), "50", 1, 1000,
	  "messages fetched per UID FETCH" },
	{ "mailbox", "timeout", K_LONG, M(timeout), "60", 1, 3600,
	  "network timeout in seconds" },
	{ "mailbox", "poll_seconds", K_LONG, M(poll_seconds), "60", 5, 86400,
	  "for 'run' on servers without IDLE: how often to look" },
	{ "mailbox", "queue", K_STRING, M(queue), "", 0, 0,
	  "the [queue NAME] whose address this mailbox receives; empty: "
	  "each mail's addresses say" },
};

#define NMAILBOX_KEYS	(sizeof(mailbox_keys) / sizeof(mailbox_keys[0]))

struct parse_state {
	struct dm_config *cfg;
	char		  msg[256];	/* why the handler refused a line */
	unsigned char	  seen[sizeof(keys) / sizeof(keys[0])];
	/* the key of the line before, and its value so far */
	char		 *prev_section, *prev_name, *prev_value;
};

static int
hexdigit(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return (c >= 'a' && c <= 'f') ? c - 'a' + 10 : -1;
}

static char **
str_field(void *base, const struct key *k)
{
	return (char **)((char *)base + k->offset);
}

static long *
long_field(void *base, const struct key *k)
{
	return (long *)((char *)base + k->offset);
}

/* %XX escapes in a URL path decoded (a folder name with spaces). */
static char *
url_decode(const char *s)
{
	char *out = xmalloc(strlen(s) + 1), *w = out;
	int hi, lo;

	for (; *s; s++) {
		if (*s == '%' && (hi = hexdigit(s[1])) >= 0 &&
		    (lo = hexdigit(s[2])) >= 0) {
			*w++ = (char)(hi * 16 + lo);
			s += 2;
		} else
			*w++ = *s;
	}
	*w = '\0';
	return out;
}

/* Resolve a relative path against the directory of the config file. */
static char *
resolve_path(const char *cfgpath, const char *value)
{
	const char *slash;

	if (value[0] == '\0' || value[0] == '/' || cfgpath == NULL ||
	    (slash = strrchr(cfgpath, '/')) == NULL)
		return xstrdup(value);
	return xasprintf("%.*s/%s", (int)(slash - cfgpath), cfgpath, value);
}

int
config_database_is_pg(const char *database)
{
	return strncmp(database, "postgresql://", 13) == 0 ||
	    strncmp(database, "postgres://", 11) == 0;
}

/* postgresql://USER:PASSWORD@HOST/...: a colon before the '@' of the
 * authority, or password= among the query's parameters. */
int
config_uri_has_password(const char *uri)
{
	const char *auth = strstr(uri, "://") + 3;
	size_t n = strcspn(auth, "/?");
	const char *at = memchr(auth, '@', n), *q = strchr(uri, '?');

	if (at != NULL && memchr(auth, ':', (size_t)(at - auth)) != NULL)
		return 1;
	for (; q != NULL; q = strchr(q + 1, '&'))
		if (strncmp(q + 1, "password=", 9) == 0)
			return 1;
	return 0;
}

/*
 * Where this host's own files go (run's sockets, the locks of fetch and
 * run): beside the SQLite file, or, for a PostgreSQL store, beside the
 * key file (deskmail.key: deskmail.sock, deskmail.lmtp, ...).
 */
static void
local_base(struct dm_config *cfg)
{
	size_t n = strlen(cfg->key_file);

	if (!config_database_is_pg(cfg->database))
		cfg->local_base = xstrdup(cfg->database);
	else if (n > 4 && strcmp(cfg->key_file + n - 4, ".key") == 0)
		cfg->local_base = xasprintf("%.*s", (int)(n - 4), cfg->key_file);
	else
		cfg->local_base = xstrdup(cfg->key_file);
}

/* ingest_socket: a path like the others, "none", or next to the database. */
static void
ingest_socket_path(struct dm_config *cfg)
{
	char *p;

	if (strcmp(cfg->ingest_socket, "none") == 0)
		return;
	p = cfg->ingest_socket[0] == '\0' ?
	    xasprintf("%s.sock", cfg->local_base) :
	    resolve_path(cfg->path, cfg->ingest_socket);
	free(cfg->ingest_socket);
	cfg->ingest_socket = p;
}

/*
 * lmtp_listen: HOST:PORT as written, "none", a path like the others, or
 * next to the database.  A path has a slash, or at least no colon.
 */
static void
lmtp_listen_path(struct dm_config *cfg)
{
	const char *v = cfg->lmtp_listen;
	char *p;

	if (strcmp(v, "none") == 0 ||
	    (strchr(v, '/') == NULL && strchr(v, ':') != NULL))
		return;
	p = v[0] == '\0' ? xasprintf("%s.lmtp", cfg->local_base) :
	    resolve_path(cfg->path, v);
	free(cfg->lmtp_listen);
	cfg->lmtp_listen = p;
}

static int
set_key(struct parse_state *st, const struct key *k, void *base,
    const char *value)
{
	struct dm_config *cfg = st->cfg;
	char *end;
	long n;

	switch (k->type) {
	case K_STRING:
		free(*str_field(base, k));
		*str_field(base, k) = xstrdup(value);
		break;
	case K_PATH:
		free(*str_field(base, k));
		/* a PostgreSQL URI is no file */
		*str_field(base, k) = config_database_is_pg(value) ?
		    xstrdup(value) : resolve_path(cfg->path, value);
		break;
	case K_LONG:
		errno = 0;
		n = strtol(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || n < k->min ||
		    n > k->max) {
			snprintf(st->msg, sizeof(st->msg),
			    "%s must be a whole number from %ld to %ld, not '%s'",
			    k->name, k->min, k->max, value);
			return 0;
		}
		*long_field(base, k) = n;
		break;
	}
	return 1;
}

static char **
split_list(const char *value, size_t *count)
{
	char **list = NULL, *copy, *tok, *save = NULL;
	size_t n = 0;

	copy = xstrdup(value);
	for (tok = strtok_r(copy, ", \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, ", \t\n", &save)) {
		list = xreallocarray(list, n + 1, sizeof(*list));
		list[n++] = str_lower(xstrdup(tok));
	}
	free(copy);
	*count = n;
	return list;
}

static struct dm_team *
team_get(struct dm_config *cfg, const char *name)
{
	struct dm_team *t;
	size_t i;

	for (i = 0; i < cfg->nteams; i++)
		if (strcmp(cfg->teams[i].name, name) == 0)
			return &cfg->teams[i];
	cfg->teams = xreallocarray(cfg->teams, cfg->nteams + 1,
	    sizeof(*cfg->teams));
	t = &cfg->teams[cfg->nteams++];
	memset(t, 0, sizeof(*t));
	t->name = xstrdup(name);
	return t;
}

static struct dm_mailbox *
mailbox_get(struct parse_state *st, const char *name)
{
	struct dm_config *cfg = st->cfg;
	struct dm_mailbox *m;
	size_t i;

	for (i = 0; i < cfg->nmailboxes; i++)
		if (strcmp(cfg->mailboxes[i].name, name) == 0)
			return &cfg->mailboxes[i];
	cfg->mailboxes = xreallocarray(cfg->mailboxes, cfg->nmailboxes + 1,
	    sizeof(*cfg->mailboxes));
	m = &cfg->mailboxes[cfg->nmailboxes++];
	memset(m, 0, sizeof(*m));
	m->name = xstrdup(name);
	for (i = 0; i < NMAILBOX_KEYS; i++)
		if (mailbox_keys[i].def != NULL)
			set_key(st, &mailbox_keys[i], m, mailbox_keys[i].def);
	return m;
}

static int
set_team_key(struct parse_state *st, const char *team, const char *name,
    const char *value)
{
	struct dm_team *t = team_get(st->cfg, team);
	size_t i;

	if (strcmp(name, "address") == 0) {
		free(t->address);
		t->address = str_lower(xstrdup(value));
	} else if (strcmp(name, "members") == 0) {
		for (i = 0; i < t->nmembers; i++)
			free(t->members[i]);
		free(t->members);
		t->members = split_list(value, &t->nmembers);
	} else if (strcmp(name, "sla_policy") == 0) {
		free(t->sla_policy);
		t->sla_policy = xstrdup(value);
	} else if (strcmp(name, "escalation") == 0) {
		for (i = 0; i < t->nescalation; i++)
			free(t->escalation[i]);
		free(t->escalation);
		t->escalation = split_list(value, &t->nescalation);
	} else {
		snprintf(st->msg, sizeof(st->msg), "unknown key '%s' in "
		    "[team %s] (known: address, members, escalation, "
		    "sla_policy)", name, team);
		return 0;
	}
	return 1;
}

static struct sla_policy *
policy_get(struct dm_config *cfg, const char *name)
{
	struct sla_policy *p;
	size_t i;

	for (i = 0; i < cfg->npolicies; i++)
		if (strcmp(cfg->policies[i].name, name) == 0)
			return &cfg->policies[i];
	cfg->policies = xreallocarray(cfg->policies, cfg->npolicies + 1,
	    sizeof(*cfg->policies));
	p = &cfg->policies[cfg->npolicies++];
	sla_policy_init(p, name);
	return p;
}

/* [policy NAME]: a policy of one's own (a preset's name tunes it). */
static int
set_policy_key(struct parse_state *st, const char *name, const char *key,
    const char *value)
{
	if (sla_policy_set(policy_get(st->cfg, name), key, value) != DM_OK) {
		snprintf(st->msg, sizeof(st->msg), "[policy %s] %s: %s", name,
		    key, dm_errdetail());
		return 0;
	}
	return 1;
}

static int
set_mailbox_key(struct parse_state *st, const char *box, const char *name,
    const char *value)
{
	struct dm_mailbox *m = mailbox_get(st, box);
	size_t i;

	for (i = 0; i < NMAILBOX_KEYS; i++)
		if (strcmp(mailbox_keys[i].name, name) == 0)
			return set_key(st, &mailbox_keys[i], m, value);
	snprintf(st->msg, sizeof(st->msg), "unknown key '%s' in [mailbox %s]",
	    name, box);
	return 0;
}

static int dispatch(struct parse_state *, const char *, const char *,
    const char *);

/* The keys that hold lists of addresses. */
static int
is_list(const char *section, const char *name)
{
	if (strncmp(section, "team ", 5) == 0)
		return strcmp(name, "members") == 0 ||
		    strcmp(name, "escalation") == 0;
	return strcmp(section, "sla") == 0 && (strcmp(name, "contacts") == 0 ||
	    strcmp(name, "supervisor") == 0 ||
	    strcmp(name, "management") == 0);
}

/*
 * inih hands an indented line that follows a key to us as that key once
 * more.  For a list of addresses it continues the list (so does the same
 * key on the next line): a team written over several lines must not keep
 * only its last member.  Any other key keeps the last value.
 */
static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse_state *st = user;
	char *joined = NULL;
	int rc;

	if (st->prev_name != NULL && is_list(section, name) &&
	    strcmp(st->prev_section, section) == 0 &&
	    strcmp(st->prev_name, name) == 0 && st->prev_value[0] != '\0')
		value = joined = xasprintf("%s, %s", st->prev_value, value);
	free(st->prev_section);
	free(st->prev_name);
	free(st->prev_value);
	st->prev_section = xstrdup(section);
	st->prev_name = xstrdup(name);
	st->prev_value = xstrdup(value);
	rc = dispatch(st, section, name, value);
	free(joined);
	return rc;
}

static int
dispatch(struct parse_state *st, const char *section, const char *name,
    const char *value)
{
	size_t i;

	if (strncmp(section, "team ", 5) == 0 && section[5] != '\0')
		return set_team_key(st, section + 5, name, value);
	if (strncmp(section, "mailbox ", 8) == 0 && section[8] != '\0')
		return set_mailbox_key(st, section + 8, name, value);
	if (strncmp(section, "policy ", 7) == 0 && section[7] != '\0')
		return set_policy_key(st, section + 7, name, value);
	if (strncmp(section, "queue ", 6) == 0 && section[6] != '\0')
		return queue_set_key(st->cfg, section + 6, name, value, st->msg,
		    sizeof(st->msg));
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(keys[i].section, section) == 0 &&
		    strcmp(keys[i].name, name) == 0) {
			st->seen[i] = 1;
			return set_key(st, &keys[i], st->cfg, value);
		}
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].section, section) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0]))
		snprintf(st->msg, sizeof(st->msg), "unknown section [%s]",
		    section);
	else
		snprintf(st->msg, sizeof(st->msg), "unknown key '%s' in [%s]",
		    name, section);
	return 0;
}

static int
is_loopback(const char *host)
{
	return strcmp(host, "127.0.0.1") == 0 || strcmp(host, "localhost") == 0 ||
	    strcmp(host, "::1") == 0 || strncmp(host, "127.", 4) == 0;
}

/* Split the URL and check the keys that depend on each other. */
static dm_err
check_mailbox(struct dm_config *cfg, struct dm_mailbox *m)
{
	const char *u = m->url, *hp, *slash, *colon;
	int implicit;

	if (u == NULL)
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] has no url",
		    cfg->path, m->name);
	if (strncasecmp(u, "imaps://", 8) == 0) {
		implicit = 1;
		hp = u + 8;
	} else if (strncasecmp(u, "imap://", 7) == 0) {
		implicit = 0;
		hp = u + 7;
	} else
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] url '%s' must "
		    "start with imaps:// or imap://", cfg->path, m->name, u);
	slash = strchr(hp, '/');
	if (hp[0] == '[') {		/* [::1]:993 */
		const char *rb = strchr(hp, ']');

		if (rb == NULL || (slash && rb > slash))
			return dm_fail(DM_ECONFIG, "%s: [mailbox %s] url '%s': "
			    "bad host", cfg->path, m->name, u);
		m->host = xstrndup(hp + 1, (size_t)(rb - hp - 1));
		colon = rb[1] == ':' ? rb + 1 : NULL;
	} else {
		colon = memchr(hp, ':', slash ? (size_t)(slash - hp) :
		    strlen(hp));
		m->host = xstrndup(hp, colon ? (size_t)(colon - hp) :
		    slash ? (size_t)(slash - hp) : strlen(hp));
	}
	if (m->host[0] == '\0')
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] url '%s' has no "
		    "host", cfg->path, m->name, u);
	if (colon != NULL) {
		m->port = xstrndup(colon + 1, slash ? (size_t)(slash - colon - 1) :
		    strlen(colon + 1));
		if (m->port[0] == '\0' || strspn(m->port, "0123456789") !=
		    strlen(m->port) || atoi(m->port) < 1 || atoi(m->port) > 65535)
			return dm_fail(DM_ECONFIG, "%s: [mailbox %s] url '%s' "
			    "has a bad port", cfg->path, m->name, u);
	} else
		m->port = xstrdup(implicit ? "993" : "143");
	m->folder = url_decode(slash && slash[1] ? slash + 1 : "INBOX");

	if (m->tls[0] == '\0')
		m->tls_mode = implicit ? TLS_IMPLICIT : TLS_STARTTLS;
	else if (strcmp(m->tls, "implicit") == 0)
		m->tls_mode = TLS_IMPLICIT;
	else if (strcmp(m->tls, "starttls") == 0)
		m->tls_mode = TLS_STARTTLS;
	else if (strcmp(m->tls, "none") == 0)
		m->tls_mode = TLS_NONE;
	else
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] tls must be "
		    "implicit, starttls or none, not '%s'", cfg->path, m->name,
		    m->tls);
	if (m->tls_mode == TLS_NONE && !is_loopback(m->host))
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] tls = none is "
		    "only allowed for a server on this machine, not %s",
		    cfg->path, m->name, m->host);
	if (strcmp(m->after, "seen") == 0)
		m->after_mode = AFTER_SEEN;
	else if (strcmp(m->after, "move") == 0)
		m->after_mode = AFTER_MOVE;
	else if (strcmp(m->after, "delete") == 0)
		m->after_mode = AFTER_DELETE;
	else
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] after must be "
		    "seen, move or delete, not '%s'", cfg->path, m->name,
		    m->after);
	if (m->user == NULL)
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] has no user",
		    cfg->path, m->name);
	if (m->password_file == NULL && m->password_env == NULL)
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] needs password_file "
		    "or password_env", cfg->path, m->name);
	if (m->password_file != NULL && m->password_env != NULL)
		return dm_fail(DM_ECONFIG, "%s: [mailbox %s] has both "
		    "password_file and password_env: keep one", cfg->path,
		    m->name);
	return DM_OK;
}

/* [smtp]: the URL and the TLS mode that goes with it. */
static dm_err
check_smtp(struct dm_config *cfg)
{
	const char *u = cfg->smtp_url, *host;
	int implicit, local;

	if (strncasecmp(u, "smtps://", 8) == 0) {
		implicit = 1;
		host = u + 8;
	} else if (strncasecmp(u, "smtp://", 7) == 0) {
		implicit = 0;
		host = u + 7;
	} else
		return dm_fail(DM_ECONFIG, "%s: [smtp] url '%s' must start with "
		    "smtp:// or smtps://", cfg->path, u);
	local = strncmp(host, "127.", 4) == 0 ||
	    strncmp(host, "localhost", 9) == 0 || strncmp(host, "[::1]", 5) == 0;
	if (cfg->smtp_tls[0] == '\0') {
		free(cfg->smtp_tls);
		cfg->smtp_tls = xstrdup(implicit ? "implicit" : local ? "none" :
		    "starttls");
	}
	if (strcmp(cfg->smtp_tls, "implicit") == 0 && !implicit)
		return dm_fail(DM_ECONFIG, "%s: [smtp] tls = implicit needs an "
		    "smtps:// url", cfg->path);
	if (strcmp(cfg->smtp_tls, "none") == 0 && !local)
		return dm_fail(DM_ECONFIG, "%s: [smtp] tls = none is only "
		    "allowed for a server on this machine", cfg->path);
	if (strcmp(cfg->smtp_tls, "starttls") != 0 &&
	    strcmp(cfg->smtp_tls, "implicit") != 0 &&
	    strcmp(cfg->smtp_tls, "none") != 0)
		return dm_fail(DM_ECONFIG, "%s: [smtp] tls must be starttls, "
		    "implicit or none, not '%s'", cfg->path, cfg->smtp_tls);
	if (cfg->smtp_user[0] != '\0' && cfg->smtp_password_file[0] == '\0' &&
	    cfg->smtp_password_env[0] == '\0')
		return dm_fail(DM_ECONFIG, "%s: [smtp] user needs password_file "
		    "or password_env", cfg->path);
	if (cfg->smtp_password_file[0] != '\0' &&
	    cfg->smtp_password_env[0] != '\0')
		return dm_fail(DM_ECONFIG, "%s: [smtp] has both password_file "
		    "and password_env: keep one", cfg->path);
	return DM_OK;
}

/* A money amount: digits with at most two decimals, into cents. */
static int
parse_cents(const char *s, long *cents)
{
	long whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	for (; *s >= '0' && *s <= '9' && digits < 9; s++, digits++)
		whole = whole * 10 + (*s - '0');
	if (digits == 0)
		return 0;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && fdigits < 2; s++, fdigits++)
			frac = frac * 10 + (*s - '0');
	if (*s != '\0')
		return 0;
	if (fdigits == 1)
		frac *= 10;
	*cents = whole * 100 + frac;
	return 1;
}

static dm_err
check_routing_billing(struct dm_config *cfg)
{
	char *end;
	double d;
	size_t i;

	if (strcmp(cfg->routing_mode, "first") != 0 &&
	    strcmp(cfg->routing_mode, "all") != 0)
		return dm_fail(DM_ECONFIG, "%s: [routing] mode must be first or "
		    "all, not '%s'", cfg->path, cfg->routing_mode);
	for (i = 0; i < DM_NCATEGORIES; i++) {
		if (!parse_cents(cfg->billing_rate[i], &cfg->billing_cents[i]))
			return dm_fail(DM_ECONFIG, "%s: [billing] rate_%s must "
			    "be an amount like 12.50, not '%s'", cfg->path,
			    dm_categories[i], cfg->billing_rate[i]);
		if (strcmp(cfg->billing_bill_to[i], "owner") != 0 &&
		    strcmp(cfg->billing_bill_to[i], "agency") != 0)
			return dm_fail(DM_ECONFIG, "%s: [billing] bill_to_%s "
			    "must be owner or agency, not '%s'", cfg->path,
			    dm_categories[i], cfg->billing_bill_to[i]);
	}
	d = strtod(cfg->csat_target, &end);
	if (end == cfg->csat_target || *end != '\0' || d < 1 || d > 5)
		return dm_fail(DM_ECONFIG, "%s: [reports] csat_target must be "
		    "a number from 1 to 5, not '%s'", cfg->path,
		    cfg->csat_target);
	return DM_OK;
}

/* A comma-separated list of addresses (may be empty). */
static dm_err
check_addresses(const struct dm_config *cfg, const char *what,
    const char *list)
{
	char *copy = xstrdup(list), *tok, *save = NULL;
	dm_err err = DM_OK;

	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && err == DM_OK;
	    tok = strtok_r(NULL, ", \t", &save))
		if (!address_valid(tok))
			err = dm_fail(DM_ECONFIG, "%s: %s: '%s' is not an e-mail "
			    "address", cfg->path, what, tok);
	free(copy);
	return err;
}

/*
 * [survey] on, into cfg->survey_on.  on_auto_close is the older key: a
 * file that says on_auto_close = no (or yes) keeps meaning what it did.
 */
static dm_err
check_survey(struct dm_config *cfg)
{
	static const struct {
		const char	*name;
		int		 bit;
	} ways[] = { { "accept", SURVEY_ON_ACCEPT },
	    { "autoclose", SURVEY_ON_AUTOCLOSE },
	    { "staff_close", SURVEY_ON_STAFF_CLOSE } };
	const char *old = cfg->survey_on_auto_close;
	char *copy = xstrdup(cfg->survey_on_text), *tok, *save = NULL;
	size_t i, n = 0, none = 0;
	dm_err err = DM_OK;

	cfg->survey_on = 0;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && err == DM_OK;
	    tok = strtok_r(NULL, ", \t", &save), n++) {
		for (i = 0; i < sizeof(ways) / sizeof(ways[0]); i++)
			if (strcasecmp(tok, ways[i].name) == 0)
				break;
		if (i < sizeof(ways) / sizeof(ways[0]))
			cfg->survey_on |= ways[i].bit;
		else if (strcasecmp(tok, "none") == 0)
			none++;
		else
			err = dm_fail(DM_ECONFIG, "%s: [survey] on: '%s' is not "
			    "a way of closing; write a list of accept, "
			    "autoclose and staff_close, or none", cfg->path,
			    tok);
	}
	free(copy);
	if (err != DM_OK)
		return err;
	if (n == 0 || (none > 0 && n > none))
		return dm_fail(DM_ECONFIG, "%s: [survey] on must list accept, "
		    "autoclose and staff_close, or be none (no survey at "
		    "all), not '%s'", cfg->path, cfg->survey_on_text);
	if (strcmp(old, "yes") == 0)
		cfg->survey_on |= SURVEY_ON_AUTOCLOSE;
	else if (strcmp(old, "no") == 0)
		cfg->survey_on &= ~SURVEY_ON_AUTOCLOSE;
	else if (old[0] != '\0')
		return dm_fail(DM_ECONFIG, "%s: [survey] on_auto_close must be "
		    "yes, no or empty, not '%s'; it is the older form of "
		    "[survey] on, which lists autoclose or not", cfg->path,
		    old);
	return DM_OK;
}

/* [deskmail] participants_get, into cfg->participants_get (PG_* bits). */
static dm_err
check_participants_get(struct dm_config *cfg)
{
	static const struct {
		const char	*name;
		int		 bit;
	} kinds[] = { { "staff_reply", PG_STAFF_REPLY },
	    { "pending", PG_PENDING }, { "resolution", PG_RESOLUTION },
	    { "transferred", PG_TRANSFERRED },
	    { "reopened_customer", PG_REOPENED }, { "sla", PG_SLA },
	    { "merged", PG_MERGED }, { "incident_joined", PG_INCIDENT },
	    { "survey", PG_SURVEY } };
	char *copy = xstrdup(cfg->participants_get_text), *tok, *save = NULL;
	size_t i, n = 0, none = 0;
	dm_err err = DM_OK;

	cfg->participants_get = 0;
	for (tok = strtok_r(copy, ", \t", &save); tok != NULL && err == DM_OK;
	    tok = strtok_r(NULL, ", \t", &save), n++) {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
			if (strcasecmp(tok, kinds[i].name) == 0)
				break;
		if (i < sizeof(kinds) / sizeof(kinds[0]))
			cfg->participants_get |= kinds[i].bit;
		else if (strcasecmp(tok, "none") == 0)
			none++;
		else
			err = dm_fail(DM_ECONFIG, "%s: participants_get: '%s' is "
			    "not a kind of mail participants can get; write a "
			    "list of staff_reply, pending, resolution, "
			    "transferred, reopened_customer, sla, merged, "
			    "incident_joined and survey, or none",
			    cfg->path, tok);
	}
	free(copy);
	if (err == DM_OK && (n == 0 || (none > 0 && n > none)))
		err = dm_fail(DM_ECONFIG, "%s: participants_get must list kinds "
		    "of mail or be none, not '%s'", cfg->path,
		    cfg->participants_get_text);
	return err;
}

/* Whole-file checks that no single line can make. */
static dm_err
check(struct dm_config *cfg)
{
	size_t i, j;
	dm_err err;

	if (!address_valid(cfg->address))
		return dm_fail(DM_ECONFIG, "%s: address '%s' is not an e-mail "
		    "address", cfg->path, cfg->address);
	for (i = 0; cfg->tag[i]; i++)
		if (!isalnum((unsigned char)cfg->tag[i]) && cfg->tag[i] != '-' &&
		    cfg->tag[i] != '_')
			return dm_fail(DM_ECONFIG, "%s: tag '%s' may hold only "
			    "letters, digits, '-' and '_'", cfg->path, cfg->tag);
	if (cfg->tag[0] == '\0')
		return dm_fail(DM_ECONFIG, "%s: tag must not be empty",
		    cfg->path);
	if (strcmp(cfg->synchronous, "full") != 0 &&
	    strcmp(cfg->synchronous, "normal") != 0)
		return dm_fail(DM_ECONFIG, "%s: synchronous must be full or "
		    "normal, not '%s'", cfg->path, cfg->synchronous);
	if (strcmp(cfg->staff_auth, "authentication-results") != 0 &&
	    strcmp(cfg->staff_auth, "none") != 0)
		return dm_fail(DM_ECONFIG, "%s: staff_auth must be "
		    "authentication-results or none, not '%s'", cfg->path,
		    cfg->staff_auth);
	if ((err = check_smtp(cfg)) != DM_OK)
		return err;
	if (zone_check(cfg->timezone) != DM_OK)
		return dm_fail(DM_ECONFIG, "%s: timezone: %s", cfg->path,
		    dm_errdetail());
	if (!lang_code_ok(cfg->language))
		return dm_fail(DM_ECONFIG, "%s: language must be the name of "
		    "a templates directory such as en or es, not '%s'",
		    cfg->path, cfg->language);
	if (config_sla_policy(cfg, cfg->sla_policy) == NULL)
		return dm_fail(DM_ECONFIG, "%s: [sla] policy must be ny-ccc, "
		    "colorado or a [policy NAME] of this file, not '%s'",
		    cfg->path, cfg->sla_policy);
	if ((err = check_survey(cfg)) != DM_OK ||
	    (err = check_participants_get(cfg)) != DM_OK)
		return err;
	if ((err = check_addresses(cfg, "[sla] contacts", cfg->sla_contacts)) !=
	    DM_OK || (err = check_addresses(cfg, "[sla] supervisor",
	    cfg->sla_supervisor)) != DM_OK || (err = check_addresses(cfg,
	    "[sla] management", cfg->sla_management)) != DM_OK)
		return err;
	if (cfg->supervisor[0] != '\0' && !address_valid(cfg->supervisor))
		return dm_fail(DM_ECONFIG, "%s: [survey] supervisor '%s' is not "
		    "an e-mail address", cfg->path, cfg->supervisor);
	if (strrchr(cfg->web_listen, ':') == NULL)
		return dm_fail(DM_ECONFIG, "%s: [web] listen must be "
		    "ADDRESS:PORT, not '%s'", cfg->path, cfg->web_listen);
	/* /metrics must not reach the world through the pages' proxy */
	if (cfg->metrics_listen[0] != '\0' && (strcmp(cfg->metrics_listen,
	    cfg->web_listen) == 0 || strspn(cfg->metrics_listen,
	    "0123456789.:") != strlen(cfg->metrics_listen)))
		return dm_fail(DM_ECONFIG, "%s: [web] metrics_listen must be "
		    "PORT or ADDRESS:PORT, not that of the link pages, not "
		    "'%s'", cfg->path, cfg->metrics_listen);
	/* LMTP has no authentication: only processes of this machine */
	if (strchr(cfg->lmtp_listen, '/') == NULL &&
	    strchr(cfg->lmtp_listen, ':') != NULL &&
	    strncmp(cfg->lmtp_listen, "127.", 4) != 0 &&
	    strncmp(cfg->lmtp_listen, "localhost:", 10) != 0 &&
	    strncmp(cfg->lmtp_listen, "[::1]:", 6) != 0)
		return dm_fail(DM_ECONFIG, "%s: lmtp_listen must be a socket "
		    "path, 127.0.0.1:PORT, [::1]:PORT or none, not '%s'",
		    cfg->path, cfg->lmtp_listen);
	if (strcmp(cfg->lmtp_accept, "own") != 0 &&
	    strcmp(cfg->lmtp_accept, "all") != 0)
		return dm_fail(DM_ECONFIG, "%s: lmtp_accept must be own or all, "
		    "not '%s'", cfg->path, cfg->lmtp_accept);
	if (strcmp(cfg->log, "stderr") != 0 && strcmp(cfg->log, "syslog") != 0)
		return dm_fail(DM_ECONFIG, "%s: log must be stderr or syslog, "
		    "not '%s'", cfg->path, cfg->log);
	if (cfg->database[0] == '\0')
		return dm_fail(DM_ECONFIG, "%s: database must be set",
		    cfg->path);
	if (config_database_is_pg(cfg->database) &&
	    config_uri_has_password(cfg->database))
		return dm_fail(DM_ECONFIG, "%s: database has a password in "
		    "it: put it in database_password_file (or ~/.pgpass), "
		    "where a process list and logs do not show it", cfg->path);
	for (i = 0; i < cfg->nteams; i++) {
		struct dm_team *t = &cfg->teams[i];

		if (t->address != NULL && !address_valid(t->address))
			return dm_fail(DM_ECONFIG, "%s: [team %s] address '%s' "
			    "is not an e-mail address", cfg->path, t->name,
			    t->address);
		if (t->sla_policy != NULL &&
		    config_sla_policy(cfg, t->sla_policy) == NULL)
			return dm_fail(DM_ECONFIG, "%s: [team %s] sla_policy must "
			    "be ny-ccc, colorado or a [policy NAME], not '%s'",
			    cfg->path, t->name, t->sla_policy);
		for (j = 0; j < t->nmembers; j++)
			if (!address_valid(t->members[j]))
				return dm_fail(DM_ECONFIG, "%s: [team %s] member "
				    "'%s' is not an e-mail address", cfg->path,
				    t->name, t->members[j]);
		for (j = 0; j < t->nescalation; j++)
			if (!address_valid(t->escalation[j]))
				return dm_fail(DM_ECONFIG, "%s: [team %s] "
				    "escalation contact '%s' is not an e-mail "
				    "address", cfg->path, t->name,
				    t->escalation[j]);
	}
	if ((err = check_routing_billing(cfg)) != DM_OK)
		return err;
	if (cfg->default_team[0] != '\0' &&
	    config_team(cfg, cfg->default_team) == NULL)
		return dm_fail(DM_ECONFIG, "%s: default_team '%s' has no "
		    "[team %s] section", cfg->path, cfg->default_team,
		    cfg->default_team);
	for (i = 0; i < cfg->nmailboxes; i++)
		if ((err = check_mailbox(cfg, &cfg->mailboxes[i])) != DM_OK)
			return err;
	return queue_check_all(cfg);
}

dm_err
config_load(const char *path, struct dm_config **out)
{
	dm_err err;

	if ((err = config_load_unrouted(path, out)) != DM_OK)
		return err;
	if ((err = config_load_rules(*out)) != DM_OK) {
		config_free(*out);
		*out = NULL;
	}
	return err;
}

dm_err
config_load_rules(struct dm_config *cfg)
{
	if (cfg->rules_loaded)
		return DM_OK;
	cfg->rules_loaded = 1;
	return route_load(cfg->routing_rules, cfg, &cfg->rules);
}

dm_err
config_load_unrouted(const char *path, struct dm_config **out)
{
	struct parse_state st;
	struct dm_config *cfg;
	size_t i;
	dm_err err;
	FILE *fp;
	int line;

	*out = NULL;
	if ((fp = fopen(path, "r")) == NULL)
		return dm_fail(DM_ECONFIG, "%s: %s", path, strerror(errno));
	cfg = xcalloc(1, sizeof(*cfg));
	cfg->path = xstrdup(path);
	memset(&st, 0, sizeof(st));
	st.cfg = cfg;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].def != NULL)
			set_key(&st, &keys[i], cfg, keys[i].def);
	for (i = 0; sla_preset_names[i] != NULL; i++) {
		cfg->policies = xreallocarray(cfg->policies, cfg->npolicies + 1,
		    sizeof(*cfg->policies));
		if ((err = sla_policy_preset(sla_preset_names[i],
		    &cfg->policies[cfg->npolicies])) != DM_OK) {
			fclose(fp);
			config_free(cfg);
			return err;
		}
		cfg->npolicies++;
	}
	line = ini_parse_file(fp, handler, &st);
	fclose(fp);
	free(st.prev_section);
	free(st.prev_name);
	free(st.prev_value);
	if (line != 0) {
		err = dm_fail(DM_ECONFIG, "%s:%d: %s", path, line,
		    st.msg[0] ? st.msg : "syntax error");
		config_free(cfg);
		return err;
	}
	str_lower(cfg->address);
	if ((err = check(cfg)) != DM_OK) {
		config_free(cfg);
		return err;
	}
	cfg->domain = xstrdup(strchr(cfg->address, '@') + 1);
	local_base(cfg);
	ingest_socket_path(cfg);
	lmtp_listen_path(cfg);
	*out = cfg;
	return DM_OK;
}

void
config_free(struct dm_config *cfg)
{
	size_t i, j;

	if (cfg == NULL)
		return;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i].type != K_LONG)
			free(*str_field(cfg, &keys[i]));
	for (i = 0; i < cfg->nteams; i++) {
		free(cfg->teams[i].name);
		free(cfg->teams[i].address);
		for (j = 0; j < cfg->teams[i].nmembers; j++)
			free(cfg->teams[i].members[j]);
		free(cfg->teams[i].members);
		free(cfg->teams[i].sla_policy);
		for (j = 0; j < cfg->teams[i].nescalation; j++)
			free(cfg->teams[i].escalation[j]);
		free(cfg->teams[i].escalation);
	}
	free(cfg->teams);
	for (i = 0; i < cfg->nmailboxes; i++) {
		struct dm_mailbox *m = &cfg->mailboxes[i];

		for (j = 0; j < NMAILBOX_KEYS; j++)
			if (mailbox_keys[j].type != K_LONG)
				free(*str_field(m, &mailbox_keys[j]));
		free(m->name);
		free(m->host);
		free(m->port);
		free(m->folder);
	}
	free(cfg->mailboxes);
	for (i = 0; i < cfg->npolicies; i++)
		sla_policy_clear(&cfg->policies[i]);
	free(cfg->policies);
	queue_free_all(cfg);
	route_free(cfg->rules);
	free(cfg->domain);
	free(cfg->local_base);
	free(cfg->path);
	free(cfg);
}

void
config_write_default(FILE *fp, const char *dir)
{
	const char *section = "";
	size_t i;

	fprintf(fp, "; deskmail.conf - written by 'deskmail init'.\n"
	    "; Every key is shown with its default; see deskmail.conf(5).\n"
	    "; Relative paths are relative to this file's directory.\n");
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		const struct key *k = &keys[i];

		if (strcmp(section, k->section) != 0) {
			section = k->section;
			fprintf(fp, "\n[%s]\n", section);
		}
		fprintf(fp, "; %s\n", k->doc);
		if (k->type == K_PATH && k->def[0] != '\0' && dir != NULL)
			fprintf(fp, "%s = %s/%s\n", k->name, dir, k->def);
		else if (strcmp(k->name, "default_team") == 0)
			fprintf(fp, "%s = servicedesk\n", k->name);
		else
			fprintf(fp, "%s = %s\n", k->name, k->def);
	}
	fprintf(fp, "\n; One section per team: where its notices go and who "
	    "its staff are.\n"
	    "[team servicedesk]\n"
	    "address = servicedesk@example.org\n"
	    "members = tech1@example.org, tech2@example.org\n"
	    "; escalation = lead@example.org, manager@example.org   (in order)\n"
	    "; sla_policy = colorado   (this team's tickets; default: [sla] policy)\n"
	    "\n; A service level policy of your own (or [policy ny-ccc] to tune "
	    "a preset):\n"
	    "; [policy gold]\n"
	    "; triage = 15m\n"
	    "; severity1 = hours=24x7 ack=15m initial=15m updates=every:1h "
	    "resolve=4h restored significant\n"
	    "; severity2 = hours=24x7 ack=15m initial=15m updates=1h,4h,8h "
	    "restored significant\n"
	    "; severity3 = hours=business referral=2d\n"
	    "; unset = hours=business assign=4h\n"
	    "; timezone = America/Chicago   (the times its people read)\n"
	    "\n; A help address of its own: its mail opens tickets on its "
	    "team, answered from it:\n"
	    "; [queue desktop]\n"
	    "; address = desktop-help@example.org\n"
	    "; team = servicedesk\n"
	    "; policy = colorado   (default: the team's)\n"
	    "; tag = DESK   (default: the [deskmail] tag)\n"
	    "; from = desktop-help@example.org   (default: address)\n"
	    "; name = Desktop Help   (From's display name; default: "
	    "organisation)\n"
	    "\n; One section per IMAP mailbox fetched, for example:\n"
	    "; [mailbox inbox]\n");
	for (i = 0; i < NMAILBOX_KEYS; i++) {
		const struct key *k = &mailbox_keys[i];

		fprintf(fp, ";   %s\n; %s = %s\n", k->doc, k->name,
		    k->def ? k->def : strcmp(k->name, "url") == 0 ?
		    "imaps://imap.example.org:993/INBOX" :
		    strcmp(k->name, "user") == 0 ? "help" :
		    strcmp(k->name, "password_file") == 0 ?
		    "/etc/deskmail/imap.pass" : "");
	}
}

const struct dm_team *
config_team(const struct dm_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->nteams; i++)
		if (strcmp(cfg->teams[i].name, name) == 0)
			return &cfg->teams[i];
	return NULL;
}

const struct dm_team *
config_team_of(const struct dm_config *cfg, const char *address)
{
	size_t i, j;

	for (i = 0; i < cfg->nteams; i++)
		for (j = 0; j < cfg->teams[i].nmembers; j++)
			if (strcasecmp(cfg->teams[i].members[j], address) == 0)
				return &cfg->teams[i];
	return NULL;
}

const struct sla_policy *
config_sla_policy(const struct dm_config *cfg, const char *name)
{
	size_t i;

	for (i = 0; i < cfg->npolicies; i++)
		if (strcmp(cfg->policies[i].name, name) == 0)
			return &cfg->policies[i];
	return NULL;
}

int
config_category(const char *name)
{
	int i;

	for (i = 0; i < DM_NCATEGORIES; i++)
		if (strcmp(dm_categories[i], name) == 0)
			return i;
	return -1;
}

int
config_is_own_address(const struct dm_config *cfg, const char *address)
{
	size_t i;

	if (strcasecmp(cfg->address, address) == 0)
		return 1;
	for (i = 0; i < cfg->nteams; i++)
		if (cfg->teams[i].address != NULL &&
		    strcasecmp(cfg->teams[i].address, address) == 0)
			return 1;
	return queue_is_own_address(cfg, address);
}
