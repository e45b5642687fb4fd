/*
 * store_copy.c - `deskmail store copy`: every table of one store into an
 * empty other, SQLite into PostgreSQL or back, through the store API
 * alone, then each table of the copy compared with the source's before
 * the one transaction on the destination commits.
 *
 * The tables are named here, parents before children (the foreign keys
 * are checked as each row goes in); a table either store has and this
 * list lacks stops the copy rather than being left behind.  The columns
 * come from each store's catalogue, and must be the same set on both:
 * the two schemas may order them differently, so every statement names
 * them.  What only one dialect has:
 *   - SQLite's full-text index (messages_fts*) is not copied but rebuilt;
 *     PostgreSQL's search column is generated, never written;
 *   - ticket_participants.seq is PostgreSQL's stand-in for SQLite's
 *     rowid (the order participants were first added): copied into each
 *     other;
 *   - PostgreSQL's identity sequences are moved past the copied ids, or
 *     the next ticket would collide with one copied;
 *   - schema_version is PostgreSQL's PRAGMA user_version, made by
 *     STORE_CREATE, not copied.
 * The destination holds no data, but may hold what `deskmail init` wrote
 * there: the configuration's staff and teams, and counters at zero.  The
 * copy replaces those with the source's, and the counters again after
 * the triggers counted the messages and quarantine rows as they went in.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <nettle/sha2.h>

#include "deskmail/store_copy.h"
#include "deskmail/util.h"

#define MAX_KEY		2	/* columns of a primary key */
#define PAGE_ROWS	500	/* rows read at once (PostgreSQL holds a
				   statement's rows in memory) */
#define PAGE_BLOBS	16	/* of the tables whose rows hold whole mails */

struct table {
	const char	*name;
	const char	*key[MAX_KEY];	/* the primary key: read in its order,
					   a page at a time */
	const char	*self;		/* columns naming a row of the same
					   table, set once all rows are in */
	int		 page;
	unsigned	 flags;
};

#define T_ROWID		0x1	/* its seq is SQLite's rowid (rowid_seq) */
#define T_REPLACE	0x2	/* what the destination has is replaced */
#define T_COUNTED	0x4	/* and triggers fill it as the others go in */

static const struct table tables[] = {
	{ "tickets", { "id" }, " linked_ticket merged_into parent ",
	  PAGE_ROWS, 0 },
	{ "messages", { "id" }, NULL, PAGE_BLOBS, 0 },
	{ "attachments", { "id" }, NULL, PAGE_BLOBS, 0 },
	{ "events", { "id" }, NULL, PAGE_ROWS, 0 },
	{ "outbox", { "id" }, " digest ", PAGE_ROWS, 0 },
	{ "quarantine", { "id" }, NULL, PAGE_BLOBS, 0 },
	{ "mailbox_state", { "mailbox" }, NULL, PAGE_ROWS, 0 },
	/* the configuration's staff and teams (people.c), which `init`
	 * writes into a new store: the source's replace them */
	{ "people", { "address" }, NULL, PAGE_ROWS, T_REPLACE },
	{ "teams", { "name" }, NULL, PAGE_ROWS, T_REPLACE },
	{ "team_members", { "team", "address" }, NULL, PAGE_ROWS, T_REPLACE },
	{ "settings", { "key" }, NULL, PAGE_ROWS, T_REPLACE },
	{ "surveys", { "ticket_id" }, NULL, PAGE_ROWS, 0 },
	{ "sla_timers", { "id" }, NULL, PAGE_ROWS, 0 },
	{ "agencies", { "name" }, NULL, PAGE_ROWS, 0 },
	{ "agency_senders", { "sender" }, NULL, PAGE_ROWS, 0 },
	{ "sla_results", { "id" }, NULL, PAGE_ROWS, 0 },
	{ "ticket_participants", { "seq" }, NULL, PAGE_ROWS, T_ROWID },
	{ "auto_senders", { "address" }, NULL, PAGE_ROWS, 0 },
	{ "announcements", { "id" }, NULL, PAGE_ROWS, 0 },
	{ "announcement_recipients", { "announcement_id", "address" }, NULL,
	  PAGE_ROWS, 0 },
	/* last: after every row its triggers count */
	{ "counters", { "name", "label" }, NULL, PAGE_ROWS,
	  T_REPLACE | T_COUNTED },
};

#define NTABLES	(sizeof(tables) / sizeof(tables[0]))

/* The tables of a store, without the full-text index's and the schema
 * version's, which are not the data. */
static const struct dm_sql sql_tables = SQL2(
	"SELECT name FROM sqlite_master WHERE type = 'table'"
	" AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'"
	" AND name NOT LIKE 'messages\\_fts%' ESCAPE '\\'",
	"SELECT table_name::text FROM information_schema.tables"
	" WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	" AND table_name <> 'schema_version'");

/* A table's columns in order, and whether each keeps bytes (a blob);
 * PostgreSQL's generated search column is left out. */
static const struct dm_sql sql_columns = SQL2(
	"SELECT name, upper(type) = 'BLOB' FROM pragma_table_info(?1)"
	" ORDER BY cid",
	"SELECT column_name::text, (data_type = 'bytea')::int"
	" FROM information_schema.columns WHERE table_schema ="
	" current_schema() AND table_name = $1 AND is_generated = 'NEVER'"
	" ORDER BY ordinal_position");

/* ticket_participants' order of first adding: a column on PostgreSQL */
static const struct dm_sql rowid_seq = SQL2("rowid", "seq");

/* The columns whose numbers a sequence gives, to move past the copy's:
 * none on SQLite, whose next rowid follows the largest there is. */
static const struct dm_sql sql_identities = SQL2(
	"SELECT NULL, NULL WHERE 0",
	"SELECT table_name::text, column_name::text"
	" FROM information_schema.columns WHERE table_schema ="
	" current_schema() AND is_identity = 'YES'");

/* SQLite's full-text index, made anew from the messages copied (search.c
 * writes it as each message is stored) */
static const struct dm_sql fts_rebuild = SQL_LITE_ONLY(
	"INSERT INTO messages_fts (messages_fts) VALUES ('rebuild')");

/*
 * PostgreSQL's counting triggers, off while the rows go in: the copy
 * replaces the counters anyway, and each message's update of the one
 * counters row adds a row version the next update walks past, which
 * made a copy quadratic (bench/pg).  Transactional, and the copy's own
 * transaction: a failed copy leaves them on.  SQLite's update in place.
 */
#define COUNTING_TRIGGERS(what) \
	"ALTER TABLE messages " what " TRIGGER counters_ingested;" \
	"ALTER TABLE quarantine " what " TRIGGER counters_quarantined;" \
	"ALTER TABLE outbox " what " TRIGGER counters_sent"
static const struct dm_sql triggers_off = SQL2("",
	COUNTING_TRIGGERS("DISABLE"));
static const struct dm_sql triggers_on = SQL2("",
	COUNTING_TRIGGERS("ENABLE"));

struct column {
	char	*name;		/* seq, not rowid: as PostgreSQL names it */
	int	 blob;		/* the destination keeps bytes there */
	int	 self;		/* names a row of the same table */
};

struct columns {
	struct column	*v;
	size_t		 n;
	int		 key[MAX_KEY];	/* their indices */
	int		 nkey;
	int		 id;		/* the id column's index, or -1 */
};

static const char *
dialect(struct dm_store *st, const struct dm_sql *sql)
{
	return store_is_pg(st) && sql->pg != NULL ? sql->pg : sql->lite;
}

/* A name from a catalogue as it may stand in a statement unquoted. */
static int
plain_name(const char *s)
{
	return s != NULL && *s != '\0' &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == strlen(s);
}

static const char *
role(struct dm_store *st, struct dm_store *to)
{
	return st == to ? "the destination" : "the source";
}

/* column as the statements of st name it */
static const char *
column_sql(struct dm_store *st, const struct table *t, const char *name)
{
	if ((t->flags & T_ROWID) && strcmp(name, rowid_seq.pg) == 0)
		return dialect(st, &rowid_seq);
	return name;
}

static void
columns_free(struct columns *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		free(c->v[i].name);
	free(c->v);
	memset(c, 0, sizeof(*c));
}

static void
columns_add(struct columns *c, const char *name, int blob)
{
	c->v = xreallocarray(c->v, c->n + 1, sizeof(*c->v));
	c->v[c->n].name = xstrdup(name);
	c->v[c->n].blob = blob;
	c->v[c->n].self = 0;
	c->n++;
}

static int
columns_find(const struct columns *c, const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* t's columns in st's catalogue. */
static dm_err
columns_load(struct dm_store *st, struct dm_store *to, const struct table *t,
    struct columns *out)
{
	struct dm_stmt *s = store_stmt(st, &sql_columns);
	dm_err err = DM_OK;
	int rc;

	memset(out, 0, sizeof(*out));
	if (s == NULL)
		return store_error(st, "store copy: columns");
	stmt_bind_text(s, 1, t->name);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (!plain_name(stmt_text(s, 0))) {
			err = dm_fail(DM_ESOFTWARE, "%s: table %s has a "
			    "column '%s' store copy cannot name",
			    role(st, to), t->name, stmt_text(s, 0));
			break;
		}
		columns_add(out, stmt_text(s, 0), stmt_int(s, 1));
	}
	if (err == DM_OK && rc != STMT_DONE)
		err = store_error(st, "store copy: columns");
	stmt_reset(s);
	/* SQLite's rowid is no column of its catalogue */
	if (err == DM_OK && (t->flags & T_ROWID) && !store_is_pg(st))
		columns_add(out, rowid_seq.pg, 0);
	return err;
}

/*
 * The columns to copy (the source's) with what the destination's say:
 * the same set on both, or the schemas differ in a way no copy bridges.
 */
static dm_err
columns_match(const struct table *t, struct columns *from,
    const struct columns *to)
{
	char word[64];
	size_t i;
	int j, k;

	if (from->n == 0)
		return dm_fail(DM_ESOFTWARE, "the source has no table %s",
		    t->name);
	for (i = 0; i < to->n; i++)
		if (columns_find(from, to->v[i].name) < 0)
			return dm_fail(DM_ESOFTWARE, "table %s: the "
			    "destination has a column %s the source has not",
			    t->name, to->v[i].name);
	from->id = columns_find(from, "id");
	for (i = 0; i < from->n; i++) {
		if ((j = columns_find(to, from->v[i].name)) < 0)
			return dm_fail(DM_ESOFTWARE, "table %s: the source "
			    "has a column %s the destination has not",
			    t->name, from->v[i].name);
		from->v[i].blob = to->v[j].blob;
		snprintf(word, sizeof(word), " %s ", from->v[i].name);
		from->v[i].self = t->self != NULL &&
		    strstr(t->self, word) != NULL && from->id >= 0;
	}
	for (k = 0; k < MAX_KEY && t->key[k] != NULL; k++)
		if ((from->key[k] = columns_find(from, t->key[k])) < 0)
			return dm_fail(DM_ESOFTWARE, "table %s has no column "
			    "%s", t->name, t->key[k]);
	from->nkey = k;
	return DM_OK;
}

/*
 * SELECT of t's columns in key order, one page; after is the text of the
 * pages after the first, which start past the previous page's last key.
 */
static char *
select_text(struct dm_store *st, const struct table *t,
    const struct columns *c, int after)
{
	struct buf b;
	size_t i;
	int k;

	buf_init(&b);
	buf_adds(&b, "SELECT ");
	for (i = 0; i < c->n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "",
		    column_sql(st, t, c->v[i].name));
	buf_addf(&b, " FROM %s", t->name);
	if (after) {
		buf_adds(&b, " WHERE (");
		for (k = 0; k < c->nkey; k++)
			buf_addf(&b, "%s%s", k ? ", " : "",
			    column_sql(st, t, c->v[c->key[k]].name));
		buf_adds(&b, ") > (");
		for (k = 0; k < c->nkey; k++)
			buf_addf(&b, "%s?%d", k ? ", " : "", k + 1);
		buf_adds(&b, ")");
	}
	buf_adds(&b, " ORDER BY ");
	for (k = 0; k < c->nkey; k++)
		buf_addf(&b, "%s%s", k ? ", " : "",
		    column_sql(st, t, c->v[c->key[k]].name));
	buf_addf(&b, " LIMIT %d", t->page);
	return buf_release(&b);
}

static char *
insert_text(struct dm_store *st, const struct table *t,
    const struct columns *c)
{
	struct buf b;
	size_t i;

	buf_init(&b);
	buf_addf(&b, "INSERT INTO %s (", t->name);
	for (i = 0; i < c->n; i++)
		buf_addf(&b, "%s%s", i ? ", " : "",
		    column_sql(st, t, c->v[i].name));
	buf_adds(&b, ") VALUES (");
	for (i = 0; i < c->n; i++)
		buf_addf(&b, "%s?%zu", i ? ", " : "", i + 1);
	buf_adds(&b, ")");
	return buf_release(&b);
}

/* A statement made at run time, or the store's failure as an error. */
static dm_err
prepare(struct dm_store *st, const char *text, struct dm_stmt **out)
{
	if ((*out = store_prepare(st, text)) == NULL)
		return store_error(st, "store copy");
	return DM_OK;
}

/* The first column of text's one row (a count). */
static dm_err
query_count(struct dm_store *st, const char *text, int64_t *n)
{
	struct dm_stmt *s;
	dm_err err;
	int rc;

	*n = 0;
	if ((err = prepare(st, text, &s)) != DM_OK)
		return err;
	if ((rc = stmt_step(s)) == STMT_ROW)
		*n = stmt_int64(s, 0);
	else
		err = store_error(st, "store copy");
	stmt_free(s);
	return err;
}

static dm_err
count_rows(struct dm_store *st, const struct table *t, int64_t *n)
{
	char *text = xasprintf("SELECT count(*) FROM %s", t->name);
	dm_err err = query_count(st, text, n);

	free(text);
	return err;
}

typedef dm_err (*row_fn)(struct dm_stmt *row, void *arg);

/* The last key read, for the next page's start. */
struct key_value {
	int		 type;
	int64_t		 i;
	char		*s;
};

static void
key_keep(struct key_value *kv, struct dm_stmt *s, int col)
{
	free(kv->s);
	kv->s = NULL;
	kv->type = stmt_type(s, col);
	if (kv->type == STMT_INTEGER)
		kv->i = stmt_int64(s, col);
	else
		kv->s = stmt_dup(s, col);
}

static void
key_bind(const struct key_value *kv, struct dm_stmt *s, int param)
{
	if (kv->type == STMT_INTEGER)
		stmt_bind_int64(s, param, kv->i);
	else
		stmt_bind_text(s, param, kv->s);
}

/* fn on every row of t in st, in key order, a page at a time. */
static dm_err
walk(struct dm_store *st, const struct table *t, const struct columns *c,
    row_fn fn, void *arg)
{
	struct dm_stmt *first = NULL, *next = NULL, *s;
	struct key_value last[MAX_KEY];
	char *text;
	dm_err err;
	int k, n, rc = STMT_DONE;

	memset(last, 0, sizeof(last));
	text = select_text(st, t, c, 0);
	err = prepare(st, text, &first);
	free(text);
	text = select_text(st, t, c, 1);
	if (err == DM_OK)
		err = prepare(st, text, &next);
	free(text);
	for (s = first; err == DM_OK; s = next) {
		n = 0;
		while (err == DM_OK && (rc = stmt_step(s)) == STMT_ROW) {
			n++;
			err = fn(s, arg);
			for (k = 0; k < c->nkey; k++)
				key_keep(&last[k], s, c->key[k]);
		}
		if (err == DM_OK && rc != STMT_DONE)
			err = store_error(st, "store copy");
		stmt_reset(s);
		if (n < t->page)
			break;
		for (k = 0; k < c->nkey; k++)
			key_bind(&last[k], next, k + 1);
	}
	for (k = 0; k < MAX_KEY; k++)
		free(last[k].s);
	stmt_free(first);
	stmt_free(next);
	return err;
}

/* ---- copying ------------------------------------------------------- */

/* A reference to a row of the same table, set once every row is in. */
struct self_ref {
	int64_t		 id;
	int64_t		 value;
	int		 col;
};

struct copying {
	struct dm_store		*to;
	const struct table	*t;
	const struct columns	*c;
	struct dm_stmt		*insert;
	struct self_ref		*refs;
	size_t			 nrefs;
	int64_t			 rows;
};

/*
 * One row into the destination, each value as its type in the source:
 * integers as integers, text as text (bytes where the destination keeps
 * bytes), blobs as bytes, NULL as NULL.  A REAL (agencies.fte) goes as
 * SQLite's text of it, 15 significant digits: fte comes from the
 * directory's CSV, a decimal of fewer, which that text gives exactly.
 */
static dm_err
copy_row(struct dm_stmt *row, void *arg)
{
	struct copying *cp = arg;
	struct dm_stmt *ins = cp->insert;
	const void *p;
	size_t i, n;
	dm_err err;
	int type;

	for (i = 0; i < cp->c->n; i++) {
		int param = (int)i + 1;

		type = stmt_type(row, (int)i);
		if (type != STMT_NULL && cp->c->v[i].self) {
			cp->refs = xreallocarray(cp->refs, cp->nrefs + 1,
			    sizeof(*cp->refs));
			cp->refs[cp->nrefs].id = stmt_int64(row, cp->c->id);
			cp->refs[cp->nrefs].value = stmt_int64(row, (int)i);
			cp->refs[cp->nrefs].col = (int)i;
			cp->nrefs++;
			type = STMT_NULL;
		}
		switch (type) {
		case STMT_NULL:
			stmt_bind_null(ins, param);
			break;
		case STMT_INTEGER:
			stmt_bind_int64(ins, param, stmt_int64(row, (int)i));
			break;
		case STMT_TEXT:
			if (!cp->c->v[i].blob) {
				stmt_bind_text(ins, param,
				    stmt_text(row, (int)i));
				break;
			}
			/* FALLTHROUGH */
		case STMT_BLOB:
			p = stmt_blob(row, (int)i);
			n = stmt_bytes(row, (int)i);
			/* no pointer would be NULL to SQLite */
			stmt_bind_blob(ins, param, n > 0 ? p : "", n);
			break;
		default:	/* STMT_FLOAT */
			stmt_bind_text(ins, param, stmt_text(row, (int)i));
			break;
		}
	}
	if ((err = store_exec_stmt(cp->to, ins)) != DM_OK)
		return dm_fail(err, "copying %s: %s", cp->t->name,
		    dm_errdetail());
	cp->rows++;
	return DM_OK;
}

/* The references to rows of the same table, now that all are in. */
static dm_err
copy_self_refs(struct copying *cp)
{
	struct dm_stmt *s = NULL;
	char *text;
	size_t i;
	dm_err err = DM_OK;
	int col = -1;

	for (i = 0; i < cp->nrefs && err == DM_OK; i++) {
		if (cp->refs[i].col != col) {
			stmt_free(s);
			col = cp->refs[i].col;
			text = xasprintf("UPDATE %s SET %s = ?1 WHERE id = ?2",
			    cp->t->name, cp->c->v[col].name);
			err = prepare(cp->to, text, &s);
			free(text);
			if (err != DM_OK)
				break;
		}
		stmt_bind_int64(s, 1, cp->refs[i].value);
		stmt_bind_int64(s, 2, cp->refs[i].id);
		if ((err = store_exec_stmt(cp->to, s)) != DM_OK)
			err = dm_fail(err, "copying %s.%s: %s", cp->t->name,
			    cp->c->v[col].name, dm_errdetail());
	}
	stmt_free(s);
	return err;
}

static int
ref_order(const void *a, const void *b)
{
	const struct self_ref *x = a, *y = b;

	return x->col - y->col;
}

static dm_err
empty_table(struct dm_store *to, const struct table *t)
{
	struct dm_stmt *s;
	char *text = xasprintf("DELETE FROM %s", t->name);
	dm_err err = prepare(to, text, &s);

	free(text);
	if (err != DM_OK)
		return err;
	err = store_exec_stmt(to, s);
	stmt_free(s);
	return err;
}

static dm_err
copy_table(struct dm_store *from, struct dm_store *to, const struct table *t,
    const struct columns *c)
{
	struct copying cp = { to, t, c, NULL, NULL, 0, 0 };
	char *text;
	dm_err err;

	if ((t->flags & T_COUNTED) && (err = empty_table(to, t)) != DM_OK)
		return err;
	text = insert_text(to, t, c);
	err = prepare(to, text, &cp.insert);
	free(text);
	if (err == DM_OK)
		err = walk(from, t, c, copy_row, &cp);
	if (err == DM_OK && cp.nrefs > 0) {
		qsort(cp.refs, cp.nrefs, sizeof(*cp.refs), ref_order);
		err = copy_self_refs(&cp);
	}
	stmt_free(cp.insert);
	free(cp.refs);
	return err;
}

/* Each identity sequence past the largest number the copy put there. */
static dm_err
move_sequences(struct dm_store *to)
{
	struct dm_stmt *s = store_stmt(to, &sql_identities), *set;
	char *text;
	dm_err err = DM_OK;
	int rc;

	if (s == NULL)
		return store_error(to, "store copy: sequences");
	while (err == DM_OK && (rc = stmt_step(s)) == STMT_ROW) {
		if (!plain_name(stmt_text(s, 0)) ||
		    !plain_name(stmt_text(s, 1))) {
			err = dm_fail(DM_ESOFTWARE, "the destination has a "
			    "sequence of %s.%s store copy cannot name",
			    stmt_text(s, 0), stmt_text(s, 1));
			break;
		}
		/* an empty table: max() is NULL and the sequence stays */
		text = xasprintf("SELECT setval(pg_get_serial_sequence('%s', "
		    "'%s'), max(%s)) FROM %s", stmt_text(s, 0),
		    stmt_text(s, 1), stmt_text(s, 1), stmt_text(s, 0));
		if ((err = prepare(to, text, &set)) == DM_OK) {
			err = store_exec_stmt(to, set);
			stmt_free(set);
		}
		free(text);
	}
	if (err == DM_OK && rc != STMT_DONE)
		err = store_error(to, "store copy: sequences");
	stmt_reset(s);
	return err;
}

/* ---- comparing ----------------------------------------------------- */

/*
 * A table's rows, counted and summed as SHA-256 digests of each row's
 * values in one text form (integers in decimal, floats to 15 digits,
 * text and blobs as their bytes, NULL as a mark), four 64-bit lanes
 * added: the order rows come in does not matter, which value is in
 * which row does.
 */
struct digest {
	uint64_t	lane[4];
	int64_t		rows;
};

static dm_err
digest_row(struct dm_stmt *row, void *arg)
{
	struct digest *d = arg;
	struct sha256_ctx h;
	uint8_t out[SHA256_DIGEST_SIZE];
	char num[64];
	const void *p;
	size_t n;
	int i, k, cols = stmt_columns(row);
	uint64_t v;

	sha256_init(&h);
	for (i = 0; i < cols; i++) {
		switch (stmt_type(row, i)) {
		case STMT_NULL:
			snprintf(num, sizeof(num), "n;");
			break;
		case STMT_INTEGER:
			snprintf(num, sizeof(num), "i%" PRId64 ";",
			    stmt_int64(row, i));
			break;
		case STMT_FLOAT:
			snprintf(num, sizeof(num), "f%.15g;",
			    strtod(stmt_text(row, i), NULL));
			break;
		default:
			p = stmt_blob(row, i);
			n = stmt_bytes(row, i);
			snprintf(num, sizeof(num), "s%zu:", n);
			sha256_update(&h, strlen(num), (const uint8_t *)num);
			if (n > 0)
				sha256_update(&h, n, p);
			continue;
		}
		sha256_update(&h, strlen(num), (const uint8_t *)num);
	}
	sha256_digest(&h, sizeof(out), out);
	for (k = 0; k < 4; k++) {
		memcpy(&v, out + 8 * k, sizeof(v));
		d->lane[k] += v;
	}
	d->rows++;
	return DM_OK;
}

/* t in the source and in the copy: the counts, and the digests. */
static dm_err
compare_table(struct dm_store *from, struct dm_store *to,
    const struct table *t, const struct columns *c,
    struct store_copy_table *out)
{
	struct digest a, b;
	int64_t na, nb;
	dm_err err;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	if ((err = count_rows(from, t, &na)) != DM_OK ||
	    (err = count_rows(to, t, &nb)) != DM_OK ||
	    (err = walk(from, t, c, digest_row, &a)) != DM_OK ||
	    (err = walk(to, t, c, digest_row, &b)) != DM_OK)
		return err;
	out->name = t->name;
	out->rows = na;
	out->copied = nb;
	/* a count from the walk that is not count(*)'s: the walk missed
	 * rows, and so would the copy have */
	out->same = na == nb && a.rows == na && b.rows == nb &&
	    memcmp(a.lane, b.lane, sizeof(a.lane)) == 0;
	return DM_OK;
}

/* ---- the whole ----------------------------------------------------- */

static const struct table *
table_known(const char *name)
{
	size_t i;

	for (i = 0; i < NTABLES; i++)
		if (strcmp(tables[i].name, name) == 0)
			return &tables[i];
	return NULL;
}

/* Every table st has is one of ours, and every one of ours is there. */
static dm_err
check_tables(struct dm_store *st, struct dm_store *to)
{
	struct dm_stmt *s = store_stmt(st, &sql_tables);
	dm_err err = DM_OK;
	size_t seen = 0;
	int rc;

	if (s == NULL)
		return store_error(st, "store copy: tables");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		if (table_known(stmt_text(s, 0)) == NULL) {
			err = dm_fail(DM_ESOFTWARE, "%s has a table %s this "
			    "deskmail does not know how to copy",
			    role(st, to), stmt_text(s, 0));
			break;
		}
		seen++;
	}
	if (err == DM_OK && rc != STMT_DONE)
		err = store_error(st, "store copy: tables");
	stmt_reset(s);
	if (err == DM_OK && seen != NTABLES)
		err = dm_fail(DM_ESOFTWARE, "%s has %zu of the %zu tables of "
		    "this deskmail's schema", role(st, to), seen, NTABLES);
	return err;
}

static dm_err
check_version(struct dm_store *st, struct dm_store *to)
{
	dm_err err;
	int v;

	if ((err = store_version(st, &v)) != DM_OK)
		return err;
	if (v != store_schema_version())
		return dm_fail(DM_ESCHEMA, "%s is at schema %d, this "
		    "deskmail's is %d: run 'deskmail upgrade' on it first",
		    role(st, to), v, store_schema_version());
	return DM_OK;
}

/* The destination holds no data yet: a copy never merges. */
static dm_err
check_empty(struct dm_store *to)
{
	int64_t n;
	size_t i;
	dm_err err;

	for (i = 0; i < NTABLES; i++) {
		if (tables[i].flags & T_REPLACE)
			continue;	/* replaced */
		if ((err = count_rows(to, &tables[i], &n)) != DM_OK)
			return err;
		if (n > 0)
			return dm_fail(DM_ESTATE, "the destination is not "
			    "empty (its %s has %" PRId64 " rows): store copy "
			    "never merges; give it a new database",
			    tables[i].name, n);
	}
	return DM_OK;
}

static dm_err
copy_all(struct dm_store *from, struct dm_store *to,
    struct store_copy_report *r)
{
	struct columns c[NTABLES], dc;
	dm_err err = DM_OK, bad = DM_OK;
	size_t i;

	memset(c, 0, sizeof(c));
	memset(&dc, 0, sizeof(dc));
	err = store_exec(to, &triggers_off);
	/* children before parents, for the foreign keys */
	for (i = NTABLES; i > 0 && err == DM_OK; i--)
		if (tables[i - 1].flags & T_REPLACE)
			err = empty_table(to, &tables[i - 1]);
	for (i = 0; i < NTABLES && err == DM_OK; i++) {
		if ((err = columns_load(from, to, &tables[i], &c[i])) ==
		    DM_OK &&
		    (err = columns_load(to, to, &tables[i], &dc)) == DM_OK)
			err = columns_match(&tables[i], &c[i], &dc);
		columns_free(&dc);
		if (err == DM_OK)
			err = copy_table(from, to, &tables[i], &c[i]);
	}
	if (err == DM_OK)
		err = store_exec(to, &triggers_on);
	if (err == DM_OK)
		err = move_sequences(to);
	if (err == DM_OK)
		err = store_exec(to, &fts_rebuild);
	for (i = 0; i < NTABLES && err == DM_OK; i++) {
		err = compare_table(from, to, &tables[i], &c[i],
		    &r->tables[i]);
		if (err != DM_OK)
			break;
		r->ntables++;
		r->rows += r->tables[i].rows;
		if (!r->tables[i].same && bad == DM_OK)
			bad = dm_fail(DM_ESOFTWARE, "the copy of %s does not "
			    "compare with the source's (%" PRId64 " rows, "
			    "%" PRId64 " copied): nothing was committed",
			    tables[i].name, r->tables[i].rows,
			    r->tables[i].copied);
	}
	for (i = 0; i < NTABLES; i++)
		columns_free(&c[i]);
	return err != DM_OK ? err : bad;
}

dm_err
store_copy_source(struct dm_store *from)
{
	return check_version(from, NULL);
}

dm_err
store_copy(struct dm_store *from, struct dm_store *to,
    struct store_copy_report *report)
{
	dm_err err;

	memset(report, 0, sizeof(*report));
	report->tables = xcalloc(NTABLES, sizeof(*report->tables));
	if ((err = check_version(from, to)) != DM_OK ||
	    (err = check_version(to, to)) != DM_OK ||
	    (err = check_tables(from, to)) != DM_OK ||
	    (err = check_tables(to, to)) != DM_OK)
		return err;
	/* the source in one snapshot, the copy in one transaction */
	if ((err = store_begin_read(from)) != DM_OK)
		return err;
	if ((err = store_begin(to)) != DM_OK) {
		store_rollback(from);
		return err;
	}
	if ((err = check_empty(to)) == DM_OK &&
	    (err = copy_all(from, to, report)) == DM_OK)
		err = store_commit(to);
	if (err != DM_OK)
		store_rollback(to);
	store_rollback(from);
	return err;
}

void
store_copy_report_free(struct store_copy_report *report)
{
	if (report == NULL)
		return;
	free(report->tables);
	memset(report, 0, sizeof(*report));
}
