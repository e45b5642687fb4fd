/*
 * timeline.c - the status page's content: where a ticket stands, in
 * words, and its public timeline.
 *
 * Public is what the customer side may read: customer mail, staff
 * replies as relayed (command lines taken out; a mail that was only
 * commands is not there), and progress notes (events of type
 * "progress").  Internal notes, unverified and automatic mail are other
 * message kinds and never read here.  Staff are named by their name and
 * team, never by address: the page is behind a link that mail clients,
 * scanners and forwards carry around.
 *
 * Each entry, attachment and the next-update line is a fragment template
 * (templates/page_status_*.html) rendered with every value HTML-escaped;
 * the page takes them through {{{status.timeline}}} and {{{status.next}}}.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "deskmail/clock.h"
#include "deskmail/commands.h"
#include "deskmail/notice.h"
#include "deskmail/sla.h"
#include "deskmail/timeline.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

#define TEXT_MAX	16384	/* bytes of one entry's text shown */
#define NAME_MAX_BYTES	120	/* of a person's name */
#define FILES_MAX	50	/* attachments listed per message */

/* s cut to at most max bytes, at a character's start, "..." after. */
static void
clip(char **s, size_t max)
{
	size_t n = strlen(*s);
	char *cut;

	if (n <= max)
		return;
	n = max;
	while (n > 0 && ((unsigned char)(*s)[n] & 0xc0) == 0x80)
		n--;
	cut = xasprintf("%.*s \xe2\x80\xa6", (int)n, *s);
	free(*s);
	*s = cut;
}

/* A display name that is a name: not empty, not an address, not the
 * CLI's "cli:login". */
static int
usable_name(const char *name)
{
	return name != NULL && *name != '\0' && strchr(name, '@') == NULL &&
	    strncmp(name, "cli:", 4) != 0;
}

static const struct dm_sql sql_name = SQL(
    "SELECT from_name FROM messages WHERE ticket_id = ?1 AND from_addr = ?2"
    " AND from_name IS NOT NULL AND from_name <> '' ORDER BY id DESC"
    " LIMIT 20");

/* The name addr signed a mail on this ticket with, or NULL; caller frees. */
static dm_err
name_on_ticket(struct dm_store *st, int64_t ticket, const char *addr,
    char **name)
{
	struct dm_stmt *s;
	int rc;

	*name = NULL;
	if (addr == NULL)
		return DM_OK;
	if ((s = store_stmt(st, &sql_name)) == NULL)
		return store_error(st, "messages");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_text(s, 2, addr);
	while ((rc = stmt_step(s)) == STMT_ROW && *name == NULL)
		if (usable_name(stmt_text(s, 0)))
			*name = stmt_dup(s, 0);
	stmt_reset(s);
	return rc == STMT_ROW || rc == STMT_DONE ? DM_OK :
	    store_error(st, "messages");
}

/*
 * The names looked up for one page: the same few staff write most of a
 * ticket's entries, and each lookup was a statement.
 */
#define KNOWN_MAX	8

struct known {
	char	*addr[KNOWN_MAX];
	char	*name[KNOWN_MAX];	/* NULL: none on the ticket */
	size_t	 n;
};

static void
known_free(struct known *k)
{
	size_t i;

	for (i = 0; i < k->n; i++) {
		free(k->addr[i]);
		free(k->name[i]);
	}
	k->n = 0;
}

/* name_on_ticket() through k: the name (k's, or NULL) in *name. */
static dm_err
known_name(struct dm_store *st, struct known *k, int64_t ticket,
    const char *addr, const char **name)
{
	char *found;
	size_t i;
	dm_err err;

	*name = NULL;
	if (addr == NULL)
		return DM_OK;
	for (i = 0; i < k->n; i++)
		if (strcmp(k->addr[i], addr) == 0) {
			*name = k->name[i];
			return DM_OK;
		}
	if ((err = name_on_ticket(st, ticket, addr, &found)) != DM_OK)
		return err;
	if (k->n == KNOWN_MAX) {	/* the oldest makes room */
		free(k->addr[0]);
		free(k->name[0]);
		memmove(k->addr, k->addr + 1, (KNOWN_MAX - 1) *
		    sizeof(*k->addr));
		memmove(k->name, k->name + 1, (KNOWN_MAX - 1) *
		    sizeof(*k->name));
		k->n--;
	}
	k->addr[k->n] = xstrdup(addr);
	k->name[k->n++] = found;
	*name = found;
	return DM_OK;
}

/* "Tess Tech (desktop team)", "The desktop team", or the organisation,
 * in lang. */
static dm_err
staff_author(struct dm_store *st, struct known *k,
    const struct dm_config *cfg, const char *lang, const struct dm_ticket *t,
    const char *addr, const char *name, char **out)
{
	const struct dm_team *team = addr ? config_team_of(cfg, addr) : NULL;
	const char *known;
	dm_err err;

	if (!usable_name(name)) {
		if ((err = known_name(st, k, t->id, addr, &known)) != DM_OK)
			return err;
		name = known;
	}
	if (name != NULL) {
		*out = team ? lang_say(cfg, lang, "entry.author_team", "{name} "
		    "({team} team)", "name", name, "team", team->name,
		    (const char *)NULL) : xstrdup(name);
		clip(out, NAME_MAX_BYTES + 40);
	} else
		*out = team ? lang_say(cfg, lang, "entry.team", "The {team} "
		    "team", "team", team->name, (const char *)NULL) :
		    xstrdup(cfg->organisation);
	return DM_OK;
}

static char *
customer_author(const struct dm_config *cfg, const char *lang,
    const struct dm_ticket *t, const char *addr, const char *name)
{
	char *out;

	if (usable_name(name))
		out = xstrdup(name);
	else if (addr != NULL && strcasecmp(addr, t->requester) == 0 &&
	    usable_name(t->requester_name))
		out = xstrdup(t->requester_name);
	else
		out = xstrdup(lang_word(cfg, lang, "entry.customer",
		    "Customer"));
	clip(&out, NAME_MAX_BYTES);
	return out;
}

/*
 * The text as the customer side may read it, without blank lines around
 * it; from staff also without command lines, understood or not (a
 * "#word" line is never the reply).
 */
static char *
public_text(const char *text, int staff)
{
	struct commands c;
	const char *p, *nl, *q;
	struct buf b;
	size_t len, keep = 0;
	char *out;

	memset(&c, 0, sizeof(c));
	if (staff)
		commands_parse(text ? text : "", &c);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (p = staff ? c.text : text ? text : ""; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		if (len > 0 && p[len - 1] == '\r')
			len--;
		for (q = p; q < p + len && (*q == ' ' || *q == '\t'); q++)
			;
		if (staff && q + 1 < p + len && *q == '#' &&
		    ((q[1] >= 'a' && q[1] <= 'z') || (q[1] >= 'A' && q[1] <= 'Z')))
			;	/* a command line, understood or not */
		else {
			if (q < p + len) {
				buf_add(&b, p, len);
				keep = b.len;
			}
			/* blank lines count only between lines of text */
			if (b.len > 0)
				buf_addc(&b, '\n');
		}
		if (nl == NULL)
			break;
	}
	b.len = keep;
	b.data[b.len] = '\0';
	if (staff)
		commands_free(&c);
	out = buf_release(&b);
	clip(&out, TEXT_MAX);
	return out;
}

static void
human_size(long long n, char *buf, size_t len)
{
	if (n < 1024)
		snprintf(buf, len, "%lld byte%s", n, n == 1 ? "" : "s");
	else if (n < 10 * 1024)
		snprintf(buf, len, "%.1f KB", (double)n / 1024);
	else if (n < 1024 * 1024)
		snprintf(buf, len, "%lld KB", (n + 512) / 1024);
	else
		snprintf(buf, len, "%.1f MB", (double)n / (1024 * 1024));
}

/*
 * The timeline's attachments, read with one statement for the page (one
 * per message was most of a long ticket's statements): from the
 * messages from id on, by message, in the order they came.
 */
/* in the indexes' order: no sorting */
static const struct dm_sql sql_files = SQL(
    "SELECT a.message_id, a.name, a.size FROM messages m"
    " JOIN attachments a ON a.message_id = m.id"
    " WHERE m.ticket_id = ?1 AND m.id >= ?2"
    "  AND m.kind IN ('customer', 'staff')"
    " ORDER BY m.id, a.id");

struct file {
	int64_t	 msg;
	char	*name;
	long long size;
};

struct files {
	struct file *f;
	size_t	 n, cap;
};

static void
files_free(struct files *fs)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		free(fs->f[i].name);
	free(fs->f);
	memset(fs, 0, sizeof(*fs));
}

static dm_err
files_read(struct dm_store *st, int64_t ticket, int64_t from,
    struct files *fs)
{
	struct dm_stmt *s;
	int rc;

	memset(fs, 0, sizeof(*fs));
	if ((s = store_stmt(st, &sql_files)) == NULL)
		return store_error(st, "attachments");
	stmt_bind_int64(s, 1, ticket);
	stmt_bind_int64(s, 2, from);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (fs->n == fs->cap) {
			fs->cap = fs->cap ? fs->cap * 2 : 8;
			fs->f = xreallocarray(fs->f, fs->cap, sizeof(*fs->f));
		}
		fs->f[fs->n].msg = stmt_int64(s, 0);
		fs->f[fs->n].name = stmt_dup(s, 1);
		fs->f[fs->n++].size = stmt_int64(s, 2);
	}
	stmt_reset(s);
	if (rc != STMT_DONE) {
		files_free(fs);
		return store_error(st, "attachments");
	}
	return DM_OK;
}

/* The rendered list items of message msg's attachments into *out. */
static dm_err
files_html(const struct dm_config *cfg, const struct files *fs, int64_t msg,
    const char *lang, char **out)
{
	struct tvars f;
	struct buf b;
	char size[32], *html, *name;
	size_t lo = 0, hi = fs->n, mid, shown;
	dm_err err = DM_OK;

	*out = NULL;
	while (lo < hi) {		/* msg's first, the rows being sorted */
		mid = lo + (hi - lo) / 2;
		if (fs->f[mid].msg < msg)
			lo = mid + 1;
		else
			hi = mid;
	}
	buf_init(&b);
	buf_add(&b, "", 0);
	for (shown = 0; err == DM_OK && lo < fs->n && fs->f[lo].msg == msg &&
	    shown < FILES_MAX; lo++, shown++) {
		name = xstrdup(fs->f[lo].name);
		clip(&name, 200);
		human_size(fs->f[lo].size, size, sizeof(size));
		tvars_init(&f);
		tvars_set(&f, "lang", lang);
		tvars_set(&f, "file.name", *name ? name : "(no name)");
		tvars_set(&f, "file.size", size);
		if ((err = template_render_document(cfg, "page_status_file", &f,
		    &html)) == DM_OK) {
			buf_adds(&b, html);
			free(html);
		}
		tvars_free(&f);
		free(name);
	}
	if (err != DM_OK) {
		buf_free(&b);
		return err;
	}
	*out = buf_release(&b);
	return DM_OK;
}

/*
 * Messages the customer side may read and progress notes, the newest
 * TIMELINE_MAX of them, newest first (entries() shows them oldest
 * first: one sort here, where sorting the newest again in SQL took a
 * temporary table per part).  A message's text is its new text (the
 * quoted mail below it taken off), else its body.
 */
static const struct dm_sql sql_entries = SQL2(
    "SELECT src, id, at, kind, who, name, text FROM ("
    " SELECT 0 AS src, id, received AS at, kind, from_addr AS who,"
    "  from_name AS name,"
    "  CASE WHEN new_text <> '' THEN new_text ELSE body END AS text"
    "  FROM messages WHERE ticket_id = ?1 AND kind IN ('customer', 'staff')"
    " UNION ALL"	/* "+type": through the ticket's events, not every
			   progress note of every ticket (events_type) */
    " SELECT 1, id, at, type, actor, NULL, detail FROM events"
    "  WHERE ticket_id = ?1 AND +type = 'progress'"
    " UNION ALL"	/* a child shows its major incident's progress notes */
    " SELECT 2, id, at, type, actor, NULL, detail FROM events"
    "  WHERE ticket_id = ?3 AND +type = 'progress')"
    " ORDER BY at DESC, src DESC, id DESC LIMIT ?2",
    /* PostgreSQL: the subquery needs a name, and a unary + on text is
     * an error (its planner goes by statistics) */
    "SELECT src, id, at, kind, who, name, text FROM ("
    " SELECT 0 AS src, id, received AS at, kind, from_addr AS who,"
    "  from_name AS name,"
    "  CASE WHEN new_text <> '' THEN new_text ELSE body END AS text"
    "  FROM messages WHERE ticket_id = $1 AND kind IN ('customer', 'staff')"
    " UNION ALL"
    " SELECT 1, id, at, type, actor, NULL, detail FROM events"
    "  WHERE ticket_id = $1 AND type = 'progress'"
    " UNION ALL"
    " SELECT 2, id, at, type, actor, NULL, detail FROM events"
    "  WHERE ticket_id = $3 AND type = 'progress') AS e"
    " ORDER BY at DESC, src DESC, id DESC LIMIT $2");

/* One row of &sql_entries, copied out of the statement. */
struct row {
	int	 src;		/* 0 a message, 1 a progress note, 2 the
				   major incident's */
	int64_t	 id;
	time_t	 at;
	char	*kind, *who, *name, *text;
};

static void
rows_free(struct row *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(r[i].kind);
		free(r[i].who);
		free(r[i].name);
		free(r[i].text);
	}
	free(r);
}

/* One entry of the timeline, rendered, onto out. */
static dm_err
entry(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *tz, const char *lang,
    const struct row *r, const struct files *fs, struct known *k,
    struct buf *out)
{
	int msg = r->src == 0;
	int incident = r->src == 2;
	int staff = !msg || strcmp(r->kind, "staff") == 0;
	char *text, *files = NULL, *author = NULL, *html, when[96], iso[32];
	struct tvars e;
	dm_err err;

	text = public_text(r->text, staff);
	if (msg && (err = files_html(cfg, fs, r->id, lang, &files)) !=
	    DM_OK) {
		free(text);
		return err;
	}
	/* a mail that was only commands, or says nothing: not there */
	if (*text == '\0' && (files == NULL || *files == '\0')) {
		free(text);
		free(files);
		return DM_OK;
	}
	if (staff)
		err = staff_author(st, k, cfg, lang, t, r->who, r->name,
		    &author);
	else {
		author = customer_author(cfg, lang, t, r->who, r->name);
		err = DM_OK;
	}
	if (err == DM_OK) {
		tvars_init(&e);
		tvars_set(&e, "lang", lang);
		tvars_set(&e, "entry.kind", !msg ? "progress" : staff ?
		    "staff" : "customer");
		tvars_set(&e, "entry.what", incident ? lang_word(cfg, lang,
		    "entry.incident", "Major incident update") : !msg ?
		    lang_word(cfg, lang, "entry.progress", "Progress update") :
		    staff ? lang_word(cfg, lang, "entry.reply", "Reply") :
		    lang_word(cfg, lang, "entry.message", "Message"));
		tvars_set(&e, "entry.author", author);
		tvars_set(&e, "entry.when", lang_time(cfg, lang, r->at, tz,
		    when, sizeof(when)));
		tvars_set(&e, "entry.iso", clock_format_iso(r->at, iso,
		    sizeof(iso)));
		tvars_set(&e, "entry.text", text);
		tvars_set(&e, "entry.files", files ? files : "");
		if ((err = template_render_document(cfg, "page_status_entry",
		    &e, &html)) == DM_OK) {
			buf_adds(out, html);
			free(html);
		}
		tvars_free(&e);
	}
	free(author);
	free(text);
	free(files);
	return err;
}

static dm_err
entries(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *tz, char **out)
{
	struct dm_stmt *s;
	struct row *rows = NULL;
	struct files fs = { NULL, 0, 0 };
	struct known k = { .n = 0 };
	struct buf b;
	char lang[LANG_LEN];
	size_t n = 0, cap = 0, i;
	int64_t first = INT64_MAX;	/* the oldest message shown */
	dm_err err = DM_OK;
	int rc;

	*out = NULL;
	if ((s = store_stmt(st, &sql_entries)) == NULL)
		return store_error(st, "messages");
	stmt_bind_int64(s, 1, t->id);
	stmt_bind_int(s, 2, TIMELINE_MAX);
	stmt_bind_int64(s, 3, t->parent);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			rows = xreallocarray(rows, cap, sizeof(*rows));
		}
		rows[n].src = stmt_int(s, 0);
		rows[n].id = stmt_int64(s, 1);
		rows[n].at = (time_t)stmt_int64(s, 2);
		rows[n].kind = stmt_dup(s, 3);
		rows[n].who = stmt_dup(s, 4);
		rows[n].name = stmt_dup(s, 5);
		rows[n].text = stmt_dup(s, 6);
		if (rows[n].src == 0 && rows[n].id < first)
			first = rows[n].id;
		n++;
	}
	if (rc != STMT_DONE)
		err = store_error(st, "messages");
	stmt_reset(s);
	if (err == DM_OK && first != INT64_MAX)
		err = files_read(st, t->id, first, &fs);
	notice_lang(cfg, t, lang);
	buf_init(&b);
	buf_add(&b, "", 0);
	for (i = n; err == DM_OK && i > 0; i--)
		err = entry(st, cfg, t, tz, lang, &rows[i - 1], &fs, &k, &b);
	rows_free(rows, n);
	files_free(&fs);
	known_free(&k);
	if (err != DM_OK) {
		buf_free(&b);
		return err;
	}
	*out = buf_release(&b);
	return DM_OK;
}

/* The next update's line for severity 1 and 2 while the work goes on. */
static dm_err
next_update(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, const char *tz, struct tvars *v)
{
	struct tvars n;
	char when[96], iso[32], lang[LANG_LEN], *html;
	time_t due;
	dm_err err;

	tvars_set(v, "status.next", "");
	if ((t->severity != 1 && t->severity != 2 && t->parent == 0) ||
	    strcmp(t->status, TS_RESOLVED) == 0 ||
	    strcmp(t->status, TS_CLOSED) == 0)
		return DM_OK;
	/* a child's updates are its major incident's */
	if ((err = sla_next_update(st, t->parent ? t->parent : t->id, &due)) !=
	    DM_OK || due == 0)
		return err;
	tvars_init(&n);
	tvars_set(&n, "lang", notice_lang(cfg, t, lang));
	tvars_set(&n, "next.when", lang_time(cfg, lang, due, tz, when,
	    sizeof(when)));
	tvars_set(&n, "next.iso", clock_format_iso(due, iso, sizeof(iso)));
	if ((err = template_render_document(cfg, "page_status_next", &n,
	    &html)) == DM_OK) {
		tvars_set(v, "status.next", html);
		free(html);
	}
	tvars_free(&n);
	return err;
}

dm_err
timeline_vars(struct dm_store *st, const struct dm_config *cfg,
    const struct dm_ticket *t, struct tvars *v)
{
	char tz[ZONE_NAME_LEN], iso[32], lang[LANG_LEN], *html;
	const char *set = tvars_get(v, "ticket.timezone");
	dm_err err;

	/* what notice_ticket_vars() set for t did not ask the directory:
	 * the agency's zone, when it is another, sets the times again */
	notice_timezone(st, cfg, t, tz, sizeof(tz));
	if (set == NULL || strcmp(set, tz) != 0)
		notice_zone_vars(st, cfg, t, v);
	notice_lang(cfg, t, lang);
	tvars_set(v, "status.text", notice_status_text(cfg, lang, t->status));
	tvars_set(v, "status.team", t->team ? t->team : lang_word(cfg, lang,
	    "team.not_yet", "not assigned yet"));
	tvars_set(v, "status.opened_iso", clock_format_iso(t->created, iso,
	    sizeof(iso)));
	if ((err = next_update(st, cfg, t, tz, v)) != DM_OK ||
	    (err = entries(st, cfg, t, tz, &html)) != DM_OK)
		return err;
	tvars_set(v, "status.timeline", html);
	free(html);
	return DM_OK;
}
