/*
 * cmd_ticket.c - `deskmail ticket list|show`: the tickets as people and
 * scripts read them (text, or --json with the contract's fields).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <json-c/json.h>

#include "deskmail/actions.h"
#include "deskmail/calendar.h"
#include "deskmail/clock.h"
#include "deskmail/cmd.h"
#include "deskmail/json.h"
#include "deskmail/merge.h"
#include "deskmail/message.h"
#include "deskmail/notice.h"
#include "deskmail/token.h"
#include "deskmail/outbox.h"
#include "deskmail/participants.h"
#include "deskmail/report.h"
#include "deskmail/requests.h"
#include "deskmail/search.h"
#include "deskmail/ticket.h"
#include "deskmail/util.h"

static int
parse_id(const char *s, int64_t *id)
{
	char *end;
	long long n;

	if (*s == '#')
		s++;
	n = strtoll(s, &end, 10);
	if (*s == '\0' || *end != '\0' || n <= 0)
		return 0;
	*id = n;
	return 1;
}

/* What ticket list and ticket search are asked for. */
struct find {
	struct ticket_filter	 f;
	char			 from[11], to[11];
	char			*requester;
	struct buf		 query;		/* search: the words */
	int			 json;
	int			 usage;		/* an unknown option */
};

#define FIND_OPTIONS "[--requester ADDR] [--agency A] [--status S] " \
	"[--from YYYY-MM-DD] [--to YYYY-MM-DD] [--limit N] [--json]"

/* An option's value, or NULL when it is the last word. */
static const char *
opt_value(int argc, char **argv, int *i)
{
	return *i + 1 < argc ? argv[++*i] : NULL;
}

/*
 * The options of list and search (search: the other words are the
 * query); DM_EUSAGE with a sentence for a bad one.
 */
static dm_err
find_parse(int argc, char **argv, int words, struct find *fd)
{
	const char *a, *v;
	char *end;
	long n;
	int i, rest = 0;
	dm_err err = DM_OK;

	memset(fd, 0, sizeof(*fd));
	ticket_filter_init(&fd->f);
	buf_init(&fd->query);
	buf_add(&fd->query, "", 0);
	for (i = 2; i < argc && err == DM_OK; i++) {
		a = argv[i];
		if (!rest && strcmp(a, "--json") == 0) {
			fd->json = 1;
			continue;
		}
		if (words && strcmp(a, "--") == 0) {
			rest = 1;	/* words from here on, "--x" too */
			continue;
		}
		if (rest || a[0] != '-' || a[1] != '-') {
			if (!words) {
				fd->usage = 1;
				return dm_fail(DM_EUSAGE, "unexpected '%s'", a);
			}
			if (fd->query.len > 0)
				buf_addc(&fd->query, ' ');
			buf_adds(&fd->query, a);
			continue;
		}
		if (strcmp(a, "--requester") != 0 && strcmp(a, "--agency") !=
		    0 && strcmp(a, "--status") != 0 && strcmp(a, "--from") !=
		    0 && strcmp(a, "--to") != 0 && strcmp(a, "--limit") != 0) {
			fd->usage = 1;
			return dm_fail(DM_EUSAGE, "unknown option '%s'", a);
		}
		if ((v = opt_value(argc, argv, &i)) == NULL || *v == '\0')
			return dm_fail(DM_EUSAGE, "%s needs a value", a);
		if (strcmp(a, "--requester") == 0) {
			if (strlen(v) > 254 || strchr(v, '@') == NULL)
				return dm_fail(DM_EUSAGE, "--requester: '%.80s' "
				    "is not a mail address", v);
			free(fd->requester);
			fd->requester = str_lower(xstrdup(v));
			fd->f.requester = fd->requester;
		} else if (strcmp(a, "--agency") == 0)
			fd->f.agency = v;
		else if (strcmp(a, "--status") == 0) {
			if (!ticket_status_valid(v))
				return dm_fail(DM_EUSAGE, "unknown status "
				    "'%.40s' (new, assigned, in_progress, "
				    "pending_customer, resolved, reopened, "
				    "closed, merged)", v);
			fd->f.status = v;
		} else if (strcmp(a, "--from") == 0)
			err = report_parse_date("--from", v, fd->from);
		else if (strcmp(a, "--to") == 0)
			err = report_parse_date("--to", v, fd->to);
		else {
			n = strtol(v, &end, 10);
			if (*end != '\0' || n < 1 || n > SEARCH_LIMIT_MAX)
				return dm_fail(DM_EUSAGE, "--limit: '%.40s' is "
				    "not a number from 1 to %d", v,
				    SEARCH_LIMIT_MAX);
			fd->f.limit = n;
		}
	}
	if (err == DM_OK && fd->from[0] && fd->to[0] &&
	    strcmp(fd->to, fd->from) < 0)
		err = dm_fail(DM_EUSAGE, "--to %s is before --from %s", fd->to,
		    fd->from);
	return err;
}

static void
find_free(struct find *fd)
{
	free(fd->requester);
	buf_free(&fd->query);
}

/* The dates as times: whole days in [sla] timezone, as in reports. */
static dm_err
find_dates(struct dm_ctx *ctx, struct find *fd)
{
	dm_err err;

	if (!fd->from[0] && !fd->to[0])
		return DM_OK;
	if ((err = calendar_set_timezone(ctx->cfg->sla_timezone)) != DM_OK)
		return dm_fail(DM_ECONFIG, "[sla] %s", dm_errdetail());
	if (fd->from[0])
		fd->f.from = report_day_start(fd->from);
	if (fd->to[0])
		fd->f.to = report_day_end(fd->to);
	return DM_OK;
}

/*
 * Open the store and fill *arr with what fd finds: the tickets holding
 * fd's words (search), else the listing.  EX_OK with *arr, or with *arr
 * NULL when it went out as JSON already; else the exit code.  fd is
 * freed either way.
 */
static int
find_run(struct dm_ctx *ctx, struct find *fd, int by_words,
    struct json_object **arr)
{
	dm_err err;
	int rc;

	*arr = NULL;
	if ((rc = ctx_open(ctx, 0)) != EX_OK) {
		find_free(fd);
		return rc;
	}
	*arr = json_object_new_array();
	if ((err = find_dates(ctx, fd)) == DM_OK)
		err = by_words ? search_tickets_json(ctx->st, fd->query.data,
		    &fd->f, *arr) : ticket_list_json(ctx->st, &fd->f, *arr);
	if (err != DM_OK || fd->json) {
		rc = err != DM_OK ? ctx_fail(ctx, err) : json_print(*arr);
		json_object_put(*arr);
		*arr = NULL;
	}
	find_free(fd);
	return rc;
}

static int
list(struct dm_ctx *ctx, int argc, char **argv)
{
	struct json_object *arr;
	struct find fd;
	int rc;
	size_t k, n;
	dm_err err;

	if ((err = find_parse(argc, argv, 0, &fd)) != DM_OK) {
		find_free(&fd);
		return fd.usage ? ctx_usage(ctx, "list " FIND_OPTIONS) :
		    ctx_fail(ctx, err);
	}
	if ((rc = find_run(ctx, &fd, 0, &arr)) != EX_OK || arr == NULL)
		return rc;
	n = json_object_array_length(arr);
	printf("%-6s %-16s %-3s %-12s %-28s %s\n", "ID", "STATUS", "SEV",
	    "TEAM", "REQUESTER", "SUBJECT");
	for (k = 0; k < n; k++) {
		struct json_object *t = json_object_array_get_idx(arr, k);

		printf("%-6s %-16s %-3s %-12s %-28s %s\n", json_str(t, "id"),
		    json_str(t, "status"), json_str(t, "severity"), json_str(t, "team"),
		    json_str(t, "requester"), json_str(t, "subject"));
	}
	json_object_put(arr);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/*
 * ticket search WORDS... [filters]: the tickets whose mail holds every
 * word, the most recently updated first, each with a snippet.
 */
static int
search(struct dm_ctx *ctx, int argc, char **argv)
{
	struct json_object *arr, *t;
	struct find fd;
	char *fts;
	int rc;
	size_t k, n;
	dm_err err;

	/* refused before the store is open: either syntax refuses the
	 * same queries */
	if ((err = find_parse(argc, argv, 1, &fd)) == DM_OK &&
	    (err = search_query_fts(fd.query.data, 0, &fts)) == DM_OK)
		free(fts);
	if (err != DM_OK) {
		find_free(&fd);
		return fd.usage ? ctx_usage(ctx, "search WORDS... "
		    FIND_OPTIONS) : ctx_fail(ctx, err);
	}
	if (fd.f.limit < 0)
		fd.f.limit = SEARCH_LIMIT_DEFAULT;
	if ((rc = find_run(ctx, &fd, 1, &arr)) != EX_OK || arr == NULL)
		return rc;
	n = json_object_array_length(arr);
	if (n > 0)
		printf("%-6s %-16s %-20s %-28s %s\n", "ID", "STATUS", "UPDATED",
		    "REQUESTER", "SUBJECT");
	for (k = 0; k < n; k++) {
		t = json_object_array_get_idx(arr, k);
		printf("%-6s %-16s %-20s %-28s %s\n       %s\n",
		    json_str(t, "id"), json_str(t, "status"),
		    json_str(t, "updated"), json_str(t, "requester"),
		    json_str(t, "subject"), json_str(t, "snippet"));
	}
	json_object_put(arr);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

static void
print_text(struct json_object *t)
{
	struct json_object *msgs, *events, *out, *atts, *parts;
	size_t i, j;

	printf("Ticket #%s  %s\n", json_str(t, "id"), json_str(t, "subject"));
	printf("Status: %s   Severity: %s   Team: %s   Assignee: %s\n",
	    json_str(t, "status"), json_str(t, "severity"), json_str(t, "team"),
	    json_str(t, "assignee"));
	printf("Requester: %s <%s>\nCreated: %s   Updated: %s\n",
	    json_str(t, "requester_name"), json_str(t, "requester"), json_str(t, "created"),
	    json_str(t, "updated"));
	if (json_object_object_get_ex(t, "participants", &parts)) {
		const char *sep = "Participants: ";

		for (i = 0; i < json_object_array_length(parts); i++) {
			struct json_object *p = json_object_array_get_idx(parts,
			    i);

			if (strcmp(json_str(p, "removed"), "-") != 0)
				continue;
			printf("%s%s", sep, json_str(p, "address"));
			sep = ", ";
		}
		if (strcmp(sep, ", ") == 0)
			printf("\n");
	}
	if (json_object_object_get_ex(t, "messages", &msgs))
		for (i = 0; i < json_object_array_length(msgs); i++) {
			struct json_object *m = json_object_array_get_idx(msgs, i);

			printf("\n--- message %s (%s) from %s, %s\n", json_str(m, "id"),
			    json_str(m, "kind"), json_str(m, "from"), json_str(m, "received"));
			printf("Subject: %s\n\n%s\n", json_str(m, "subject"),
			    json_str(m, "new_text")[0] && strcmp(json_str(m, "new_text"),
			    "-") ? json_str(m, "new_text") : json_str(m, "body"));
			if (json_object_object_get_ex(m, "attachments", &atts))
				for (j = 0; j < json_object_array_length(atts);
				    j++) {
					struct json_object *a =
					    json_object_array_get_idx(atts, j);

					printf("[attachment: %s, %s, %s bytes]\n",
					    json_str(a, "name"), json_str(a, "type"),
					    json_str(a, "size"));
				}
		}
	if (json_object_object_get_ex(t, "events", &events)) {
		printf("\n--- history\n");
		for (i = 0; i < json_object_array_length(events); i++) {
			struct json_object *e =
			    json_object_array_get_idx(events, i);

			printf("%s  %-22s %-16s %s\n", json_str(e, "at"),
			    json_str(e, "actor"), json_str(e, "type"), json_str(e, "detail"));
		}
	}
	if (json_object_object_get_ex(t, "outbox", &out) &&
	    json_object_array_length(out) > 0) {
		printf("\n--- outgoing mail\n");
		for (i = 0; i < json_object_array_length(out); i++) {
			struct json_object *o = json_object_array_get_idx(out, i);

			printf("%-16s to %-28s %s\n", json_str(o, "template"),
			    json_str(o, "to"), json_str(o, "status"));
		}
	}
}

static int
show(struct dm_ctx *ctx, int argc, char **argv)
{
	struct json_object *t, *arr;
	int64_t id;
	int json = 0, rc;
	dm_err err;

	if (argc == 4 && strcmp(argv[3], "--json") == 0)
		json = 1;
	else if (argc != 3)
		return ctx_usage(ctx, "show N [--json]");
	if (!parse_id(argv[2], &id))
		return ctx_fail(ctx, dm_fail(DM_EUSAGE, "'%s' is not a ticket "
		    "number", argv[2]));
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = ticket_json(ctx->st, id, &t)) != DM_OK)
		return ctx_fail(ctx, err);
	arr = json_object_new_array();
	json_object_object_add(t, "messages", arr);
	if ((err = message_list_json(ctx->st, id, arr)) == DM_OK) {
		arr = json_object_new_array();
		json_object_object_add(t, "events", arr);
		err = event_list_json(ctx->st, id, arr);
	}
	if (err == DM_OK) {
		arr = json_object_new_array();
		json_object_object_add(t, "outbox", arr);
		err = outbox_list_json(ctx->st, id, arr);
	}
	if (err == DM_OK) {
		arr = json_object_new_array();
		json_object_object_add(t, "participants", arr);
		err = participants_json(ctx->st, id, arr);
	}
	if (err != DM_OK) {
		json_object_put(t);
		return ctx_fail(ctx, err);
	}
	if (json)
		rc = json_print(t);
	else {
		print_text(t);
		rc = fflush(stdout) == 0 ? EX_OK : EX_IOERR;
	}
	json_object_put(t);
	return rc;
}

/* The text of an action: -m TEXT, else standard input when it is not a
 * terminal, else none. */
static dm_err
action_text(const char *m, char **out)
{
	size_t len;
	dm_err err;

	*out = NULL;
	if (m != NULL) {
		*out = xstrdup(m);
		return DM_OK;
	}
	if (isatty(STDIN_FILENO))
		return DM_OK;
	if ((err = read_fd(STDIN_FILENO, 1 << 20, out, &len)) != DM_OK)
		return err;
	while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == '\r'))
		(*out)[--len] = '\0';
	return DM_OK;
}

static const struct {
	const char	*name;
	int		 arg;		/* words it needs: team, person, 1-3 */
	int		 text;		/* takes text (-m or stdin) */
	const char	*usage;
} verbs[] = {
	{ "reply", 0, 1, "reply N [--as ADDR] [-m TEXT]  (else stdin)" },
	{ "resolve", 0, 1, "resolve N [--as ADDR] [-m TEXT]" },
	{ "pending", 0, 1, "pending N [--as ADDR] [-m QUESTION]" },
	{ "note", 0, 1, "note N [--as ADDR] [-m TEXT]" },
	{ "update", 0, 1, "update N [--as ADDR] [-m TEXT]" },
	{ "reopen", 0, 1, "reopen N [--as ADDR] [-m REASON]" },
	{ "assign", 1, 0, "assign N TEAM|PERSON [--as ADDR]" },
	{ "transfer", 1, 1, "transfer N TEAM [--as ADDR] [-m NOTE]" },
	{ "severity", 1, 0, "severity N 1|2|3 [--as ADDR]" },
	{ "close", 0, 0, "close N [--as ADDR]" },
	{ "ack", 0, 0, "ack N [--as ADDR]" },
	{ "category", 1, 0, "category N security|desktop|application|hardware|-"
	    " [--as ADDR]" },
	{ "agency", 1, 0, "agency N AGENCY|- [--as ADDR]" },
	{ "owner", 1, 0, "owner N AGENCY|- [--as ADDR]" },
	{ "cc", 2, 0, "cc N add|remove ADDRESS [--as ADDR]" },
	{ "merge", 1, 0, "merge FROM INTO [--as ADDR]" },
	{ "parent", 1, 0, "parent N MAJOR|- [--as ADDR]" },
};

static dm_err
do_verb(struct action *a, struct dm_ticket *t, const char *verb,
    const char *arg, const char *text)
{
	if (strcmp(verb, "reply") == 0)
		return action_reply(a, t, text);
	if (strcmp(verb, "resolve") == 0)
		return action_resolve(a, t, text);
	if (strcmp(verb, "pending") == 0)
		return action_pending(a, t, text);
	if (strcmp(verb, "note") == 0)
		return action_note(a, t, text);
	if (strcmp(verb, "update") == 0)
		return action_update(a, t, text);
	if (strcmp(verb, "reopen") == 0)
		return action_reopen(a, t, REOPEN_STAFF, text);
	if (strcmp(verb, "assign") == 0)
		return action_assign(a, t, arg);
	if (strcmp(verb, "transfer") == 0)
		return action_transfer(a, t, arg, text);
	if (strcmp(verb, "severity") == 0) {
		if (strlen(arg) != 1 || arg[0] < '1' || arg[0] > '3')
			return dm_fail(DM_EUSAGE, "severity is 1, 2 or 3, not "
			    "'%s'", arg);
		return action_severity(a, t, arg[0] - '0');
	}
	if (strcmp(verb, "ack") == 0)
		return action_ack(a, t);
	if (strcmp(verb, "category") == 0)
		return action_classify(a, t, TC_CATEGORY, arg);
	if (strcmp(verb, "agency") == 0)
		return action_classify(a, t, TC_AGENCY, arg);
	if (strcmp(verb, "owner") == 0)
		return action_classify(a, t, TC_OWNER, arg);
	if (strcmp(verb, "cc") == 0)
		return action_cc(a, t, arg);
	if (strcmp(verb, "merge") == 0)
		return action_merge_into(a, t, arg);
	if (strcmp(verb, "parent") == 0)
		return action_parent_of(a, t, arg);
	return action_close(a, t);
}

/* ticket VERB N [ARG] [--as ADDR] [-m TEXT]: one action, one transaction. */
static int
act(struct dm_ctx *ctx, size_t v, int argc, char **argv)
{
	const char *as = NULL, *m = NULL, *words[2] = { NULL, NULL };
	struct dm_ticket t;
	struct action a;
	char *text = NULL, *actor, *arg = NULL;
	int64_t id = 0;
	int i, rc, pos = 0;
	dm_err err;

	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--as") == 0 && i + 1 < argc)
			as = argv[++i];
		else if (strcmp(argv[i], "-m") == 0 && i + 1 < argc &&
		    verbs[v].text)
			m = argv[++i];
		else if (pos == 0 && parse_id(argv[i], &id))
			pos++;
		else if (pos >= 1 && pos <= verbs[v].arg) {
			words[pos - 1] = argv[i];
			pos++;
		} else
			return ctx_usage(ctx, verbs[v].usage);
	}
	if (pos != 1 + verbs[v].arg)
		return ctx_usage(ctx, verbs[v].usage);
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if (verbs[v].text && (err = action_text(m, &text)) != DM_OK)
		return ctx_fail(ctx, err);
	if (words[0] != NULL)	/* cc: "add ADDRESS", as #cc has it */
		arg = words[1] ? xasprintf("%s %s", words[0], words[1]) :
		    xstrdup(words[0]);
	actor = ctx_actor(as);
	a.st = ctx->st;
	a.cfg = ctx->cfg;
	a.actor = actor;
	a.now = clock_now();
	a.text_stored = 0;
	a.message = 0;
	if ((err = store_begin(ctx->st)) == DM_OK) {
		if ((err = ticket_get(ctx->st, id, &t)) == DM_OK) {
			err = do_verb(&a, &t, verbs[v].name, arg, text ? text :
			    "");
			ticket_clear(&t);
		}
		if (err == DM_OK)
			err = store_commit(ctx->st);
		else
			store_rollback(ctx->st);
	}
	free(text);
	free(actor);
	free(arg);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	printf("ticket %lld %s\n", (long long)id, verbs[v].name);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/* ticket link N requests: the requester's "my requests" link. */
static int
print_requests_link(struct dm_ctx *ctx, int64_t id)
{
	unsigned char key[32];
	struct dm_ticket t;
	char *url;
	int rc;
	dm_err err;

	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = token_key_load(ctx->cfg, key)) != DM_OK ||
	    (err = ticket_get(ctx->st, id, &t)) != DM_OK)
		return ctx_fail(ctx, err);
	url = requests_url(ctx->cfg, key, t.requester, clock_now());
	explicit_bzero(key, sizeof(key));
	if (url == NULL)
		err = dm_fail(DM_ELIMIT, "ticket %lld: its requester's address "
		    "cannot be carried by a link", (long long)id);
	ticket_clear(&t);
	if (err != DM_OK)
		return ctx_fail(ctx, err);
	printf("%s\n", url);
	free(url);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

/*
 * ticket link N status|accept|notfixed|survey [RATING]: print a signed
 * link, e.g. to send a requester their status page again.
 */
static int
print_link(struct dm_ctx *ctx, int argc, char **argv)
{
	static const char *const names[] = { NULL, "status", "accept",
	    "notfixed", "survey" };
	unsigned char key[32];
	struct dm_ticket t;
	struct token tk;
	char *url;
	int64_t id;
	int p, rc;
	dm_err err;

	if (argc < 4 || argc > 5 || !parse_id(argv[2], &id))
		return ctx_usage(ctx, "link N status|accept|notfixed|survey "
		    "[RATING] | link N requests");
	if (argc == 4 && strcmp(argv[3], "requests") == 0)
		return print_requests_link(ctx, id);
	memset(&tk, 0, sizeof(tk));
	for (p = TOK_STATUS; p <= TOK_SURVEY; p++)
		if (strcmp(argv[3], names[p]) == 0)
			tk.purpose = (enum token_purpose)p;
	if (tk.purpose == 0 || (argc == 5 && (tk.purpose != TOK_SURVEY ||
	    strlen(argv[4]) != 1 || argv[4][0] < '1' || argv[4][0] > '5')))
		return ctx_usage(ctx, "link N status|accept|notfixed|survey "
		    "[RATING 1-5]");
	if ((rc = ctx_open(ctx, 0)) != EX_OK)
		return rc;
	if ((err = token_key_load(ctx->cfg, key)) != DM_OK ||
	    (err = ticket_get(ctx->st, id, &t)) != DM_OK)
		return ctx_fail(ctx, err);
	tk.ticket = id;
	tk.version = tk.purpose == TOK_STATUS ? 0 : t.version;
	tk.expires = clock_now() + (tk.purpose == TOK_STATUS ? 365 :
	    ctx->cfg->link_days) * 86400;
	tk.rating = argc == 5 ? argv[4][0] - '0' : 0;
	ticket_clear(&t);
	url = notice_link(ctx->cfg, key, &tk);
	explicit_bzero(key, sizeof(key));
	printf("%s\n", url);
	free(url);
	return fflush(stdout) == 0 ? EX_OK : EX_IOERR;
}

int
cmd_ticket(struct dm_ctx *ctx, int argc, char **argv)
{
	size_t v;

	if (argc >= 2 && strcmp(argv[1], "link") == 0)
		return print_link(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return list(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "search") == 0)
		return search(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "show") == 0)
		return show(ctx, argc, argv);
	if (argc >= 2 && strcmp(argv[1], "attachment") == 0)
		return cmd_ticket_attachment(ctx, argc, argv);
	for (v = 0; argc >= 2 && v < sizeof(verbs) / sizeof(verbs[0]); v++)
		if (strcmp(argv[1], verbs[v].name) == 0)
			return act(ctx, v, argc, argv);
	return ctx_usage(ctx, "list [FILTERS] [--json] | search WORDS... "
	    "[FILTERS] [--json] | show N [--json] | "
	    "attachment N [PART] [-o FILE] | "
	    "reply|resolve|pending|note|update|reopen|assign|transfer|severity|"
	    "close|ack|"
	    "category|agency|owner|cc N ...");
}
