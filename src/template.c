/*
 * template.c - finding, checking and rendering the notice templates.
 *
 * Where a template comes from, first match wins: the configured
 * template_dir, the installed data directory, and (for a build tree that
 * was not installed) the source tree's templates/.  In each, a customer
 * template is looked for in the language's directory (es/ack.txt), then
 * beside it (an override written before languages serves them all); the
 * templates staff read are shared, one for every language.  A language
 * that lacks a file borrows it from [deskmail] language, then from
 * LANG_SHARED: check-config names the hole, a customer still gets mail.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "deskmail/lang.h"
#include "deskmail/template.h"
#include "deskmail/util.h"

#ifndef DATADIR
#define DATADIR "/usr/local/share/deskmail"
#endif

const char *const template_names[] = {
	"ack", "new_ticket", "customer_reply", "reopened", "staff_reply",
	"pending", "resolution", "survey", "transfer", "transferred",
	"assigned", "sla_initial", "sla_update", "sla_significant",
	"sla_restored", "sla_escalation", "sla_escalated", "sla_major",
	"survey_answer", "digest", "reopened_customer", "ack_linked",
	"command_failed", "resolution_cc", "announce", "merged",
	"incident_joined", NULL
};

/* The templates staff read: one file for every language. */
static const char *const shared_names[] = {
	"new_ticket", "customer_reply", "reopened", "assigned", "transfer",
	"sla_escalation", "sla_major", "survey_answer", "digest",
	"command_failed", "report", NULL
};

int
template_shared(const char *name)
{
	size_t i;

	for (i = 0; shared_names[i] != NULL; i++)
		if (strcmp(shared_names[i], name) == 0)
			return 1;
	return 0;
}

/* Every variable a template may use (templates/README documents them). */
static const char *const known_vars[] = {
	"organisation", "help_address", "tag", "base_url",
	"ticket.id", "ticket.subject", "ticket.status", "ticket.severity",
	"ticket.team", "ticket.assignee", "ticket.created",
	"ticket.status_text", "ticket.open_for",
	"requester.name", "requester.address",
	"status_url", "accept_url", "notfixed_url",
	"survey_url_1", "survey_url_2", "survey_url_3", "survey_url_4",
	"survey_url_5", "author", "message", "history", "team",
	"sla.target", "sla.due", "sla.late", "sla.known", "sla.next",
	"sla.action", "rating", "digest.count", "digest.limit", "linked.id",
	"linked.subject", "reopen.how", "ticket.timezone", "now", "lang",
	"announce.subject", "announce.id", "attachments", "hello",
	"merged.id", "merged.subject", "incident.id", "incident.subject",
	"sla.incident",
	/* the status page and its fragments */
	"status.text", "status.team", "status.opened_iso", "status.next",
	"status.timeline", "entry.kind", "entry.author", "entry.what",
	"entry.when", "entry.iso", "entry.text", "entry.files", "file.name",
	"file.size", "next.when", "next.iso",
	/* "my requests": its link in mail, its page and a request on it */
	"requests_url", "requests.address", "requests.days",
	"requests.open", "requests.closed", "requests.open_text",
	"requests.closed_text", "item.id", "item.subject", "item.status",
	"item.url", "item.opened", "item.opened_iso", "item.updated",
	"item.updated_iso",
	/* the link pages */
	"csrf", "action_url", "checked_1", "checked_2", "checked_3",
	"checked_4", "checked_5", "comment", "page_title", "css_url",
	/* the HTML report */
	"report.title", "report.range", "report.generated", "report.body", NULL
};

/* Variables holding HTML deskmail built, inserted unescaped: {{{name}}}. */
static const char *const raw_vars[] = { "report.body", "status.timeline",
	"status.next", "entry.files", "requests.open", "requests.closed",
	NULL };

/* The link pages, rendered from NAME.html inside layout.html. */
const char *const page_names[] = {
	"page_status", "page_accept", "page_notfixed", "page_survey",
	"page_done", "page_error", "page_requests", NULL
};

/* Parts of a page, each rendered alone (template_render_document()) and
 * put into the page through a {{{raw}}} variable: one a list item. */
const char *const fragment_names[] = {
	"page_status_entry", "page_status_file", "page_status_next",
	"page_requests_item", NULL
};

void
tvars_init(struct tvars *v)
{
	memset(v, 0, sizeof(*v));
}

/*
 * Names and values live in blocks (a long value in its own): a page sets
 * dozens of variables, and one allocation each was a tenth of its
 * malloc() calls.  The first block is small, as most sets are (a
 * timeline entry's: within malloc's per-thread cache); later ones are
 * larger.
 */
#define TVARS_FIRST	464
#define TVARS_BLOCK	2048
#define TVARS_ALONE	256	/* a name and value this long: a block alone
				   (at most TVARS_FIRST) */

struct tvars_block {
	struct tvars_block *next;
	char		 data[];
};

static char *
tvars_room(struct tvars *v, size_t len)
{
	struct tvars_block *b;
	size_t size;

	if (len <= v->free_len) {
		v->free_at += len;
		v->free_len -= len;
		return v->free_at - len;
	}
	size = len >= TVARS_ALONE ? len : v->blocks ? TVARS_BLOCK :
	    TVARS_FIRST;
	b = xmalloc(sizeof(*b) + size);
	b->next = v->blocks;
	v->blocks = b;
	if (len < TVARS_ALONE) {	/* else the current block stays */
		v->free_at = b->data + len;
		v->free_len = size - len;
	}
	return b->data;
}

static ssize_t
tvars_find(const struct tvars *v, const char *name, unsigned h)
{
	size_t mask = 2 * v->cap - 1, k;
	unsigned i;

	if (v->slots == NULL)
		return -1;
	for (k = h & mask; (i = v->slots[k]) != 0; k = (k + 1) & mask)
		if (v->vars[i - 1].hash == h &&
		    strcmp(v->vars[i - 1].name, name) == 0)
			return (ssize_t)i - 1;
	return -1;
}

static void
tvars_slot(struct tvars *v, size_t i)
{
	size_t mask = 2 * v->cap - 1, k;

	for (k = v->vars[i].hash & mask; v->slots[k] != 0; k = (k + 1) & mask)
		;
	v->slots[k] = (unsigned)i + 1;
}

void
tvars_set(struct tvars *v, const char *name, const char *value)
{
	unsigned h = str_hash(name);
	ssize_t i = tvars_find(v, name, h);
	struct tvar *t;
	size_t nl, vl;
	char *p;

	if (value == NULL)
		value = "";
	vl = strlen(value) + 1;
	if (i >= 0) {
		t = &v->vars[i];
		if (vl > t->room) {
			/* the old value stays where it is: a caller may
			 * still read it */
			t->value = tvars_room(v, vl);
			t->room = vl;
		}
		memmove((char *)t->value, value, vl);
		return;
	}
	if (v->n == v->cap) {
		size_t k;

		v->cap = v->cap ? v->cap * 2 : 32;
		v->vars = xreallocarray(v->vars, v->cap, sizeof(*v->vars));
		free(v->slots);
		v->slots = xcalloc(2 * v->cap, sizeof(*v->slots));
		for (k = 0; k < v->n; k++)
			tvars_slot(v, k);
	}
	nl = strlen(name) + 1;
	p = tvars_room(v, nl + vl);
	memcpy(p, name, nl);
	memcpy(p + nl, value, vl);
	t = &v->vars[v->n];
	t->name = p;
	t->value = p + nl;
	t->hash = h;
	t->room = vl;
	tvars_slot(v, v->n++);
}

void
tvars_copy(struct tvars *dst, const struct tvars *src)
{
	size_t i;

	for (i = 0; i < src->n; i++)
		tvars_set(dst, src->vars[i].name, src->vars[i].value);
}

const char *
tvars_get(const struct tvars *v, const char *name)
{
	ssize_t i = tvars_find(v, name, str_hash(name));

	return i >= 0 ? v->vars[i].value : NULL;
}

void
tvars_free(struct tvars *v)
{
	struct tvars_block *b, *next;

	for (b = v->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(v->vars);
	free(v->slots);
	tvars_init(v);
}

void
rendered_free(struct rendered *r)
{
	free(r->subject);
	free(r->text);
	free(r->html);
	memset(r, 0, sizeof(*r));
}

/*
 * Where name.ext was found (or that it was not), so that each mail sent
 * and each page served does not ask the file system again.
 * template_cache_clear() forgets it along with the files.
 */
#define FOUND_MAX	256	/* names x extensions x languages */

/* What a template is looked up by: template_dir (or ""), language (or
 * ""), name and extension, and a hash of the four. */
struct tkey {
	unsigned hash;
	char	*dir, *lang, *name, *ext;
};

static struct {
	struct tkey key;
	char	*path;		/* NULL: in no directory */
} found[FOUND_MAX];
static size_t nfound;
/* read-mostly: every render looks up, a template's first use adds */
static pthread_rwlock_t found_lock = PTHREAD_RWLOCK_INITIALIZER;

static char *search(const struct dm_config *, const char *, const char *,
    const char *);

/* The key's hash: a page looks up a dozen templates, most of them sharing
 * the directory and language, so strcmp() alone was slow. */
static unsigned
tkey_hash(const char *dir, const char *lang, const char *name,
    const char *ext)
{
	return ((str_hash(name) * 31u + str_hash(lang)) * 31u +
	    str_hash(ext)) * 31u + str_hash(dir);
}

static int
tkey_is(const struct tkey *k, unsigned h, const char *dir, const char *lang,
    const char *name, const char *ext)
{
	return k->hash == h && strcmp(k->name, name) == 0 &&
	    strcmp(k->lang, lang) == 0 && strcmp(k->ext, ext) == 0 &&
	    strcmp(k->dir, dir) == 0;
}

static void
tkey_set(struct tkey *k, unsigned h, const char *dir, const char *lang,
    const char *name, const char *ext)
{
	k->hash = h;
	k->dir = xstrdup(dir);
	k->lang = xstrdup(lang);
	k->name = xstrdup(name);
	k->ext = xstrdup(ext);
}

static void
tkey_free(struct tkey *k)
{
	free(k->dir);
	free(k->lang);
	free(k->name);
	free(k->ext);
}

/* The path of name.ext in language lang (NULL: the shared file only), or
 * NULL when no directory has it. */
static char *
find_in(const struct dm_config *cfg, const char *lang, const char *name,
    const char *ext)
{
	const char *dir = cfg->template_dir ? cfg->template_dir : "";
	char *path;
	unsigned h;
	size_t i;

	if (lang == NULL)
		lang = "";
	h = tkey_hash(dir, lang, name, ext);
	pthread_rwlock_rdlock(&found_lock);
	for (i = 0; i < nfound; i++)
		if (tkey_is(&found[i].key, h, dir, lang, name, ext)) {
			path = found[i].path ? xstrdup(found[i].path) : NULL;
			pthread_rwlock_unlock(&found_lock);
			return path;
		}
	pthread_rwlock_unlock(&found_lock);
	path = search(cfg, *lang ? lang : NULL, name, ext);
	pthread_rwlock_wrlock(&found_lock);
	if (nfound < FOUND_MAX) {
		tkey_set(&found[nfound].key, h, dir, lang, name, ext);
		found[nfound].path = path ? xstrdup(path) : NULL;
		nfound++;
	}
	pthread_rwlock_unlock(&found_lock);
	return path;
}

static char *
search(const struct dm_config *cfg, const char *lang, const char *name,
    const char *ext)
{
	const char *dirs[3];
	char *path;
	size_t i;

	lang_dirs(cfg, dirs);
	for (i = 0; i < 3; i++) {
		if (dirs[i] == NULL || dirs[i][0] == '\0')
			continue;
		if (lang != NULL) {
			path = xasprintf("%s/%s/%s.%s", dirs[i], lang, name,
			    ext);
			if (access(path, R_OK) == 0)
				return path;
			free(path);
		}
		path = xasprintf("%s/%s.%s", dirs[i], name, ext);
		if (access(path, R_OK) == 0)
			return path;
		free(path);
	}
	return NULL;
}

/*
 * The path of name.ext for a reader of language lang (NULL: [deskmail]
 * language): shared, or lang's, else the default language's, else
 * LANG_SHARED's; NULL when none has it.
 */
static char *
find(const struct dm_config *cfg, const char *lang, const char *name,
    const char *ext)
{
	char *path;
	char pick[LANG_LEN];

	if (template_shared(name) || strcmp(ext, "css") == 0)
		return find_in(cfg, NULL, name, ext);
	lang_pick(cfg, lang, pick);
	if ((path = find_in(cfg, pick, name, ext)) != NULL)
		return path;
	lang_pick(cfg, NULL, pick);
	if ((path = find_in(cfg, pick, name, ext)) != NULL)
		return path;
	return find_in(cfg, LANG_SHARED, name, ext);
}

static int
known(const char *name)
{
	size_t i;

	for (i = 0; known_vars[i] != NULL; i++)
		if (strcmp(known_vars[i], name) == 0)
			return 1;
	return 0;
}

static int
is_raw(const char *name)
{
	size_t i;

	for (i = 0; raw_vars[i] != NULL; i++)
		if (strcmp(raw_vars[i], name) == 0)
			return 1;
	return 0;
}

/*
 * A template's text parsed once, when its file is first read: the
 * literal runs and the variables between them, each name checked then.
 * Rendering only copies runs and looks values up (the link pages render
 * several templates per request).
 */
struct part {
	const char	*text;	/* a run: into the file's text; a variable:
				   its name (owned) */
	size_t		 len;	/* bytes of a run */
	int		 var;	/* 0 a run, 1 {{name}}, 2 {{{name}}} */
	int		 line;	/* of a variable, for "no value" */
	unsigned	 hash;	/* of a variable's name (tvars) */
};

struct parsed {
	struct part	*parts;
	size_t		 n;
};

static void
parsed_free(struct parsed *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (t->parts[i].var)
			free((char *)t->parts[i].text);
	free(t->parts);
	memset(t, 0, sizeof(*t));
}

static void
add_part(struct parsed *t, const char *text, size_t len, int var, int line)
{
	if (!var && len == 0)
		return;
	t->parts = xreallocarray(t->parts, t->n + 1, sizeof(*t->parts));
	t->parts[t->n].text = text;
	t->parts[t->n].len = len;
	t->parts[t->n].var = var;
	t->parts[t->n].hash = var ? str_hash(text) : 0;
	t->parts[t->n++].line = line;
}

/*
 * Parse text (of file path, for errors): {{name}} for the known
 * variables, {{{name}}} for the few raw_vars.  The runs point into text.
 */
static dm_err
parse(const char *path, const char *text, struct parsed *out)
{
	const char *p = text, *open, *close;
	char name[64];
	int line = 1, raw;
	size_t n;
	dm_err err = DM_OK;

	memset(out, 0, sizeof(*out));
	while ((open = strstr(p, "{{")) != NULL) {
		add_part(out, p, (size_t)(open - p), 0, 0);
		for (; p < open; p++)
			if (*p == '\n')
				line++;
		if ((raw = open[2] == '{'))
			open++;
		if ((close = strstr(open, "}}")) == NULL ||
		    memchr(open, '\n', (size_t)(close - open)) != NULL) {
			err = dm_fail(DM_ECONFIG, "%s:%d: '{{' without '}}'",
			    path, line);
			break;
		}
		n = (size_t)(close - open - 2);
		while (n > 0 && isspace((unsigned char)open[2]))
			open++, n--;
		while (n > 0 && isspace((unsigned char)open[1 + n]))
			n--;
		if (n == 0 || n >= sizeof(name)) {
			err = dm_fail(DM_ECONFIG, "%s:%d: empty or overlong "
			    "variable name", path, line);
			break;
		}
		memcpy(name, open + 2, n);
		name[n] = '\0';
		if (!known(name)) {
			err = dm_fail(DM_ECONFIG, "%s:%d: unknown variable "
			    "{{%s}}", path, line, name);
			break;
		}
		if (raw && close[2] != '}') {
			err = dm_fail(DM_ECONFIG, "%s:%d: '{{{' without '}}}'",
			    path, line);
			break;
		}
		if (raw != is_raw(name)) {
			err = dm_fail(DM_ECONFIG, raw ? "%s:%d: {{{%s}}}: three "
			    "braces are only for HTML deskmail builds" :
			    "%s:%d: {{%s}} holds HTML: write it with three "
			    "braces", path, line, name);
			break;
		}
		add_part(out, xstrdup(name), 0, raw ? 2 : 1, line);
		p = close + 2 + raw;
	}
	if (err != DM_OK) {
		parsed_free(out);
		return err;
	}
	add_part(out, p, strlen(p), 0, 0);
	return DM_OK;
}

/* The parsed template t with vars onto out; HTML-escaped when html. */
static dm_err
expand(const char *path, const struct parsed *t, const struct tvars *vars,
    int html, struct buf *out)
{
	const struct part *pt;
	const char *v;
	ssize_t k;
	size_t i;

	for (i = 0; i < t->n; i++) {
		pt = &t->parts[i];
		if (!pt->var) {
			buf_add(out, pt->text, pt->len);
			continue;
		}
		if ((k = tvars_find(vars, pt->text, pt->hash)) < 0)
			return dm_fail(DM_ECONFIG, "%s:%d: no value for "
			    "{{%s}}", path, pt->line, pt->text);
		v = vars->vars[k].value;
		if (html && pt->var == 1)
			buf_adds_html(out, v);
		else
			buf_adds(out, v);
	}
	return DM_OK;
}

/*
 * Template files read and parsed once per process: the link pages
 * render several per request.  template_cache_clear() forgets them
 * (run's SIGHUP); one a thread is rendering is freed when it is done.
 */
#define CACHE_MAX	256

struct tpl {
	char		*path;
	unsigned	 hash;		/* of path */
	char		*subject, *body;	/* the file's two parts */
	struct parsed	 psubject, pbody;
	atomic_int	 refs;		/* renders using it, and the cache */
	int		 retired;	/* cleared from the cache */
};

static struct tpl *cache[CACHE_MAX];
static size_t ncache;
/* read-locked to use the cache (refs are atomic), write-locked to change
 * it: renders on several threads do not queue on each other */
static pthread_rwlock_t cache_lock = PTHREAD_RWLOCK_INITIALIZER;
/* moved on by each template_cache_clear() (tpl_for()) */
static atomic_uint generation;

static void
tpl_free(struct tpl *t)
{
	free(t->path);
	free(t->subject);
	free(t->body);
	parsed_free(&t->psubject);
	parsed_free(&t->pbody);
	free(t);
}

/* Done with t (from load()). */
static void
tpl_put(struct tpl *t)
{
	int gone;

	pthread_rwlock_rdlock(&cache_lock);
	gone = atomic_fetch_sub(&t->refs, 1) == 1 && t->retired;
	pthread_rwlock_unlock(&cache_lock);
	if (gone)
		tpl_free(t);
}

void
template_cache_clear(void)
{
	size_t i;

	pthread_rwlock_wrlock(&cache_lock);
	for (i = 0; i < ncache; i++) {
		/* the cache's own reference; a render still using it frees
		 * it when done (tpl_put()) */
		cache[i]->retired = 1;
		if (atomic_fetch_sub(&cache[i]->refs, 1) == 1)
			tpl_free(cache[i]);
	}
	ncache = 0;
	pthread_rwlock_unlock(&cache_lock);
	pthread_rwlock_wrlock(&found_lock);
	for (i = 0; i < nfound; i++) {
		tkey_free(&found[i].key);
		free(found[i].path);
	}
	nfound = 0;
	pthread_rwlock_unlock(&found_lock);
	lang_cache_clear();
	/* each thread's own (tpl_for()) let theirs go at their next use */
	atomic_fetch_add(&generation, 1);
}

static dm_err load_file(const char *path, char **subject, char **body);

/* The template file at path, read and parsed (cached); tpl_put() it. */
static dm_err
load(const char *path, struct tpl **out)
{
	struct tpl *t;
	unsigned h = str_hash(path);
	size_t i;
	dm_err err;

	*out = NULL;
	pthread_rwlock_rdlock(&cache_lock);
	for (i = 0; i < ncache; i++)
		if (cache[i]->hash == h && strcmp(cache[i]->path, path) == 0) {
			atomic_fetch_add(&cache[i]->refs, 1);
			*out = cache[i];
			pthread_rwlock_unlock(&cache_lock);
			return DM_OK;
		}
	pthread_rwlock_unlock(&cache_lock);
	t = xcalloc(1, sizeof(*t));
	t->path = xstrdup(path);
	t->hash = h;
	atomic_init(&t->refs, 1);
	if ((err = load_file(path, &t->subject, &t->body)) != DM_OK ||
	    (err = parse(path, t->subject, &t->psubject)) != DM_OK ||
	    (err = parse(path, t->body, &t->pbody)) != DM_OK) {
		tpl_free(t);
		return err;
	}
	pthread_rwlock_wrlock(&cache_lock);
	if (ncache < CACHE_MAX) {
		atomic_fetch_add(&t->refs, 1);
		cache[ncache++] = t;
	} else
		t->retired = 1;		/* freed after this render */
	pthread_rwlock_unlock(&cache_lock);
	*out = t;
	return DM_OK;
}

static dm_err
load_file(const char *path, char **subject, char **body)
{
	char *data, *nl, *s, *sep;
	size_t len;
	dm_err err;

	*subject = *body = NULL;
	if ((err = read_file(path, 1 << 20, &data, &len)) != DM_OK)
		return dm_fail(DM_ECONFIG, "template %s", dm_errdetail());
	if (strncmp(data, "Subject:", 8) != 0 ||
	    (sep = strstr(data, "\n\n")) == NULL) {
		free(data);
		return dm_fail(DM_ECONFIG, "%s:1: a template starts with a "
		    "\"Subject:\" line and a blank line", path);
	}
	nl = strchr(data, '\n');
	s = xstrndup(data + 8, (size_t)(nl - data - 8));
	*subject = str_squeeze(s);
	*body = xstrdup(sep + 2);
	free(data);
	return DM_OK;
}

/* t with vars: its subject (one line) and body. */
static dm_err
render_tpl(const struct tpl *t, const struct tvars *vars, int html,
    char **subject, char **body)
{
	struct buf sb, bb;
	dm_err err;

	buf_init(&sb);
	buf_init(&bb);
	err = expand(t->path, &t->psubject, vars, 0, &sb);
	if (err == DM_OK)
		err = expand(t->path, &t->pbody, vars, html, &bb);
	if (err != DM_OK) {
		buf_free(&sb);
		buf_free(&bb);
		return err;
	}
	/* a subject is one line, whatever a variable held */
	*subject = str_squeeze(buf_release(&sb));
	*body = buf_release(&bb);
	return DM_OK;
}

static dm_err
render_file(const char *path, const struct tvars *vars, int html,
    char **subject, char **body)
{
	struct tpl *t;
	dm_err err;

	*subject = *body = NULL;
	if ((err = load(path, &t)) != DM_OK)
		return err;
	if (vars != NULL)		/* NULL: a check that it parses */
		err = render_tpl(t, vars, html, subject, body);
	tpl_put(t);
	return err;
}

/*
 * Each thread's templates by what a render asked for (language as asked,
 * name, extension, template_dir): a link page renders a dozen, and
 * finding each through the shared caches took their locks five times
 * and compared its path.  An entry holds a reference to its template;
 * template_cache_clear() moves the generation on, and a thread lets its
 * entries go at its next render (or when it ends).
 */
#define MINE_MAX	32

struct mine {
	unsigned	 gen;
	size_t		 n;
	struct {
		struct tkey	 key;
		struct tpl	*t;
	} e[MINE_MAX];
};

static pthread_key_t mine_key;
static pthread_once_t mine_once = PTHREAD_ONCE_INIT;
static int mine_keyed;

static void
mine_drop(struct mine *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		tkey_free(&m->e[i].key);
		tpl_put(m->e[i].t);
	}
	m->n = 0;
}

static void
mine_end(void *p)
{
	mine_drop(p);
	free(p);
}

static void
mine_init(void)
{
	mine_keyed = pthread_key_create(&mine_key, mine_end) == 0;
}

/*
 * The template name.ext for a reader of lang (as find() picks it), kept
 * for this thread: *t is not put by the caller.  DM_ENOTFOUND when no
 * directory has it.
 */
static dm_err
tpl_for(const struct dm_config *cfg, const char *lang, const char *name,
    const char *ext, const struct tpl **out)
{
	const char *dir = cfg->template_dir ? cfg->template_dir : "";
	unsigned gen = atomic_load(&generation), h;
	struct mine *m = NULL;
	struct tpl *t;
	char *path;
	size_t i;
	dm_err err;

	if (lang == NULL)
		lang = "";
	h = tkey_hash(dir, lang, name, ext);
	pthread_once(&mine_once, mine_init);
	if (mine_keyed && (m = pthread_getspecific(mine_key)) == NULL) {
		m = xcalloc(1, sizeof(*m));
		if (pthread_setspecific(mine_key, m) != 0) {
			free(m);
			m = NULL;
		}
	}
	if (m != NULL && m->gen != gen) {
		mine_drop(m);
		m->gen = gen;
	}
	for (i = 0; m != NULL && i < m->n; i++)
		if (tkey_is(&m->e[i].key, h, dir, lang, name, ext)) {
			*out = m->e[i].t;
			return DM_OK;
		}
	if ((path = find(cfg, *lang ? lang : NULL, name, ext)) == NULL)
		return dm_fail(DM_ENOTFOUND, "template %s.%s not found", name,
		    ext);
	err = load(path, &t);
	free(path);
	if (err != DM_OK)
		return err;
	if (m == NULL) {	/* no thread key could be made: the
				   reference stays taken */
		*out = t;
		return DM_OK;
	}
	if (m->n == MINE_MAX) {		/* full: start again */
		mine_drop(m);
		m->gen = gen;
	}
	tkey_set(&m->e[m->n].key, h, dir, lang, name, ext);
	m->e[m->n++].t = t;
	*out = t;
	return DM_OK;
}

dm_err
template_render(const struct dm_config *cfg, const char *name,
    const struct tvars *vars, struct rendered *out)
{
	const char *lang = vars ? tvars_get(vars, "lang") : NULL;
	char *txt = find(cfg, lang, name, "txt");
	char *html = find(cfg, lang, name, "html"), *ignored = NULL;
	dm_err err;

	memset(out, 0, sizeof(*out));
	if (txt == NULL) {
		free(html);
		return dm_fail(DM_ECONFIG, "template %s.txt not found (looked "
		    "in template_dir and %s/templates)", name, DATADIR);
	}
	err = render_file(txt, vars, 0, &out->subject, &out->text);
	if (err == DM_OK && html != NULL)
		err = render_file(html, vars, 1, &ignored, &out->html);
	free(ignored);
	free(txt);
	free(html);
	if (err != DM_OK)
		rendered_free(out);
	return err;
}

dm_err
template_render_page(const struct dm_config *cfg, const char *name,
    struct tvars *vars, char **html)
{
	char lang[LANG_LEN], *title = NULL, *body = NULL;
	char *ignored = NULL, *head = NULL;
	const struct tpl *page, *layout;
	dm_err err;

	/* the page says which language it is in: <html lang="{{lang}}"> */
	tvars_set(vars, "lang", lang_pick(cfg, tvars_get(vars, "lang"), lang));
	*html = NULL;
	if ((err = tpl_for(cfg, lang, name, "html", &page)) != DM_OK ||
	    (err = tpl_for(cfg, lang, "layout", "html", &layout)) != DM_OK)
		return err != DM_ENOTFOUND ? err : dm_fail(DM_ECONFIG, "page "
		    "template %s.html or layout.html not found", name);
	err = render_tpl(page, vars, 1, &title, &body);
	if (err == DM_OK) {
		tvars_set(vars, "page_title", title);
		err = render_tpl(layout, vars, 1, &ignored, &head);
	}
	if (err == DM_OK) {
		/* copied, not printf()ed: printing the page twice (measure,
		 * then write) was a tenth of a status page's time */
		static const char end[] = "\n</main>\n</body>\n</html>\n";
		size_t hl = strlen(head), bl = strlen(body);

		*html = xmalloc(hl + bl + sizeof(end));
		memcpy(*html, head, hl);
		memcpy(*html + hl, body, bl);
		memcpy(*html + hl + bl, end, sizeof(end));
	}
	free(title);
	free(body);
	free(ignored);
	free(head);
	return err;
}

dm_err
template_render_document(const struct dm_config *cfg, const char *name,
    const struct tvars *vars, char **html)
{
	const struct tpl *t;
	char *title = NULL;
	dm_err err;

	*html = NULL;
	if ((err = tpl_for(cfg, tvars_get(vars, "lang"), name, "html", &t)) !=
	    DM_OK)
		return err != DM_ENOTFOUND ? err : dm_fail(DM_ECONFIG,
		    "template %s.html not found", name);
	err = render_tpl(t, vars, 1, &title, html);
	free(title);
	return err;
}

dm_err
template_file(const struct dm_config *cfg, const char *file, char **data,
    size_t *len)
{
	const char *dot = strrchr(file, '.');
	char *name, *path;
	dm_err err;

	if (dot == NULL)
		return dm_fail(DM_ENOTFOUND, "%s", file);
	name = xstrndup(file, (size_t)(dot - file));
	path = find_in(cfg, NULL, name, dot + 1);
	free(name);
	if (path == NULL)
		return dm_fail(DM_ENOTFOUND, "%s not found", file);
	err = read_file(path, 1 << 20, data, len);
	free(path);
	return err;
}

/*
 * Check name.ext of language lang (NULL: shared): missing (when needed)
 * is added to missing, "LANG/NAME.EXT"; a file that is there must read.
 */
static dm_err
check_one(const struct dm_config *cfg, const char *lang, const char *name,
    const char *ext, int needed, int html, struct buf *missing)
{
	char *path, *s, *b;
	dm_err err;

	if ((path = find_in(cfg, lang, name, ext)) == NULL) {
		if (needed)
			buf_addf(missing, "%s%s%s%s.%s", missing->len ? ", " :
			    "", lang ? lang : "", lang ? "/" : "", name, ext);
		return DM_OK;
	}
	err = render_file(path, NULL, html, &s, &b);
	free(path);
	return err;
}

/* Every template one language (NULL: the shared ones) needs. */
static dm_err
check_lang(const struct dm_config *cfg, const char *lang,
    struct buf *missing)
{
	const char *const *lists[] = { template_names, page_names,
	    fragment_names };
	const char *const more[] = { "layout", "report", NULL };
	char *other;
	size_t l, i;
	int html, needed;
	dm_err err;

	for (l = 0; l < 4; l++) {
		const char *const *names = l < 3 ? lists[l] : more;

		for (i = 0; names[i] != NULL; i++) {
			if ((lang == NULL) != template_shared(names[i]))
				continue;
			/* a mail's HTML part is optional: needed in a language
			 * when LANG_SHARED's mail has one */
			html = l > 0;
			needed = html;
			if (!html && lang != NULL) {
				other = find_in(cfg, LANG_SHARED, names[i],
				    "html");
				needed = other != NULL;
				free(other);
			}
			if (!html && (err = check_one(cfg, lang, names[i],
			    "txt", 1, 0, missing)) != DM_OK)
				return err;
			if ((err = check_one(cfg, lang, names[i], "html",
			    needed, 1, missing)) != DM_OK)
				return err;
		}
	}
	return DM_OK;
}

dm_err
template_check_all(const struct dm_config *cfg)
{
	struct buf missing;
	char **langs;
	size_t n, i;
	dm_err err;

	buf_init(&missing);
	buf_add(&missing, "", 0);
	if ((err = lang_list(cfg, &langs, &n)) != DM_OK)
		return err;
	err = check_lang(cfg, NULL, &missing);
	for (i = 0; i < n; i++) {
		if (err == DM_OK && (err = lang_check(cfg, langs[i])) == DM_OK)
			err = check_lang(cfg, langs[i], &missing);
		free(langs[i]);
	}
	free(langs);
	if (err == DM_OK && missing.len > 0)
		err = dm_fail(DM_ECONFIG, "templates not found (LANGUAGE/FILE): "
		    "%s", missing.data);
	if (err == DM_OK && !lang_exists(cfg, cfg->language))
		err = dm_fail(DM_ECONFIG, "%s: language %s: no templates "
		    "directory of that name", cfg->path, cfg->language);
	buf_free(&missing);
	return err;
}
