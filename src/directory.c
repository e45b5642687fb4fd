/*
 * directory.c - owns the agencies and agency_senders tables: the agency
 * directory, imported whole from a CSV file.
 *
 * An import is all or nothing: the file is parsed and checked completely
 * before the one transaction that replaces the tables, so a bad row in a
 * thousand leaves yesterday's directory in place.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/config.h"
#include "deskmail/directory.h"
#include "deskmail/json.h"
#include "deskmail/lang.h"
#include "deskmail/util.h"
#include "deskmail/zone.h"

#define CSV_MAX		(16 * 1024 * 1024)
#define NFIELDS		9
#define NFIELDS_MIN	6	/* the columns of the first files */

/*
 * The last columns, timezone, fte and lang, may be left out (files from
 * before them): a file's header is the first 6, 7, 8 or 9 of these.
 */
static const char header[] =
    "agency,title,senders,notify,escalate,bill_to,timezone,fte,lang";

struct row {
	int	 line;
	char	*f[NFIELDS];	/* agency title senders notify escalate bill_to
				   timezone fte lang */
	int64_t	 fte;		/* hundredths of an FTE; -1: not given */
	char   **senders;
	size_t	 nsenders;
};

/*
 * One RFC 4180 record from *p: fields into f (up to NFIELDS + 1 counted
 * in *n), *line advanced past the record's line ends.  Returns 0 at the
 * end of the input, -1 on an unterminated quote.
 */
static int
csv_record(const char **p, int *line, struct buf f[NFIELDS + 1], size_t *n)
{
	const char *s = *p;
	size_t i;

	if (*s == '\0')
		return 0;
	for (i = 0; i <= NFIELDS; i++) {
		f[i].len = 0;
		f[i].data[0] = '\0';
	}
	*n = 0;
	for (;;) {
		struct buf *cur = &f[*n < NFIELDS ? *n : NFIELDS];

		if (*s == '"') {
			for (s++;; s++) {
				if (*s == '\0')
					return -1;
				if (*s == '"' && s[1] == '"')
					buf_addc(cur, *s++);
				else if (*s == '"')
					break;
				else {
					if (*s == '\n')
						(*line)++;
					buf_addc(cur, *s);
				}
			}
			s++;
		}
		while (*s != '\0' && *s != ',' && *s != '\n' && *s != '\r')
			buf_addc(cur, *s++);
		(*n)++;
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s == '\r')
			s++;
		if (*s == '\n') {
			s++;
			(*line)++;
		}
		break;
	}
	*p = s;
	return 1;
}

static void
row_clear(struct row *r)
{
	size_t i;

	for (i = 0; i < NFIELDS; i++)
		free(r->f[i]);
	for (i = 0; i < r->nsenders; i++)
		free(r->senders[i]);
	free(r->senders);
}

/* "a@x; b@y c@z" -> "a@x, b@y, c@z" (lower case), checking each. */
static dm_err
address_list(const char *path, int line, const char *what, char **field)
{
	char *copy = xstrdup(*field), *tok, *save = NULL;
	struct buf out;
	dm_err err = DM_OK;

	buf_init(&out);
	for (tok = strtok_r(copy, ";, \t", &save); tok != NULL;
	    tok = strtok_r(NULL, ";, \t", &save)) {
		str_lower(tok);
		if (!address_valid(tok)) {
			err = dm_fail(DM_EPARSE, "%s:%d: %s address '%s' is not "
			    "an e-mail address", path, line, what, tok);
			break;
		}
		if (out.len)
			buf_adds(&out, ", ");
		buf_adds(&out, tok);
	}
	free(copy);
	free(*field);
	*field = buf_release(&out);
	return err;
}

static int
valid_domain(const char *d)
{
	if (*d == '\0' || *d == '.' || strstr(d, "..") || d[strlen(d) - 1] ==
	    '.' || strchr(d, '.') == NULL)
		return 0;
	for (; *d; d++)
		if (!isalnum((unsigned char)*d) && *d != '.' && *d != '-')
			return 0;
	return 1;
}

static dm_err
check_row(const char *path, struct row *r, struct row *rows, size_t nrows)
{
	char *copy, *tok, *save = NULL;
	const char *p;
	size_t i, j;
	dm_err err;

	str_lower(r->f[0]);
	if (r->f[0][0] == '\0')
		return dm_fail(DM_EPARSE, "%s:%d: the agency name is empty",
		    path, r->line);
	for (p = r->f[0]; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '-' && *p != '_')
			return dm_fail(DM_EPARSE, "%s:%d: agency name '%s' may "
			    "hold only a-z, 0-9, '-' and '_'", path, r->line,
			    r->f[0]);
	for (i = 0; i < nrows; i++)
		if (strcmp(rows[i].f[0], r->f[0]) == 0)
			return dm_fail(DM_EPARSE, "%s:%d: agency '%s' is already "
			    "on line %d", path, r->line, r->f[0], rows[i].line);
	if ((err = address_list(path, r->line, "notify", &r->f[3])) != DM_OK ||
	    (err = address_list(path, r->line, "escalate", &r->f[4])) != DM_OK)
		return err;
	if (r->f[5][0] == '\0') {
		free(r->f[5]);
		r->f[5] = xstrdup("category");
	}
	if (strcmp(r->f[5], "category") != 0 && strcmp(r->f[5], "agency") != 0 &&
	    strcmp(r->f[5], "owner") != 0)
		return dm_fail(DM_EPARSE, "%s:%d: bill_to must be category, "
		    "agency or owner, not '%s'", path, r->line, r->f[5]);
	if (zone_check(r->f[6]) != DM_OK)
		return dm_fail(DM_EPARSE, "%s:%d: timezone: %s", path, r->line,
		    dm_errdetail());
	if (r->f[7][0] == '\0')
		r->fte = -1;
	else if (!directory_parse_fte(r->f[7], &r->fte))
		return dm_fail(DM_EPARSE, "%s:%d: fte must be a number of "
		    "full-time equivalents from 0 to %d with at most two "
		    "decimals, like 12.5, not '%s'", path, r->line,
		    DIRECTORY_FTE_MAX, r->f[7]);
	str_lower(r->f[8]);
	if (r->f[8][0] != '\0' && !lang_code_ok(r->f[8]))
		return dm_fail(DM_EPARSE, "%s:%d: lang must name a language "
		    "of the templates, such as en or es, not '%s'", path,
		    r->line, r->f[8]);
	copy = xstrdup(r->f[2]);
	for (tok = strtok_r(copy, "; \t", &save); tok != NULL;
	    tok = strtok_r(NULL, "; \t", &save)) {
		str_lower(tok);
		if (strchr(tok, '@') ? !address_valid(tok) : !valid_domain(tok)) {
			err = dm_fail(DM_EPARSE, "%s:%d: sender '%s' is neither a "
			    "domain nor an e-mail address", path, r->line, tok);
			break;
		}
		for (i = 0; i <= nrows && err == DM_OK; i++) {
			struct row *o = i < nrows ? &rows[i] : r;

			for (j = 0; j < o->nsenders; j++)
				if (strcmp(o->senders[j], tok) == 0)
					err = dm_fail(DM_EPARSE, "%s:%d: sender "
					    "'%s' is already agency %s's", path,
					    r->line, tok, o->f[0]);
		}
		if (err != DM_OK)
			break;
		r->senders = xreallocarray(r->senders, r->nsenders + 1,
		    sizeof(*r->senders));
		r->senders[r->nsenders++] = xstrdup(tok);
	}
	free(copy);
	return err;
}

/* Length of the header's first n columns. */
static size_t
header_len(size_t n)
{
	const char *p = header;

	while (n-- > 0 && (p = strchr(p, ',')) != NULL)
		p++;
	return p == NULL ? strlen(header) : (size_t)(p - header - 1);
}

int
directory_parse_fte(const char *s, int64_t *hundredths)
{
	int64_t whole = 0, frac = 0;
	int digits = 0, fdigits = 0;

	for (; *s >= '0' && *s <= '9' && digits < 7; s++, digits++)
		whole = whole * 10 + (*s - '0');
	if (digits == 0)
		return 0;
	if (*s == '.')
		for (s++; *s >= '0' && *s <= '9' && fdigits < 3; s++, fdigits++)
			frac = frac * 10 + (*s - '0');
	if (*s != '\0' || fdigits > 2)
		return 0;
	if (fdigits == 1)
		frac *= 10;
	*hundredths = whole * 100 + frac;
	return *hundredths <= (int64_t)DIRECTORY_FTE_MAX * 100;
}

void
directory_format_fte(int64_t hundredths, char out[24])
{
	if (hundredths % 100 == 0)
		snprintf(out, 24, "%lld", (long long)(hundredths / 100));
	else if (hundredths % 10 == 0)
		snprintf(out, 24, "%lld.%lld", (long long)(hundredths / 100),
		    (long long)(hundredths % 100 / 10));
	else
		snprintf(out, 24, "%lld.%02lld", (long long)(hundredths / 100),
		    (long long)(hundredths % 100));
}

/* Parse and check the whole file into rows. */
static dm_err
parse_file(const char *path, struct row **out, size_t *nout)
{
	struct buf f[NFIELDS + 1];
	struct row *rows = NULL;
	const char *p;
	char *data;
	size_t len, nrows = 0, n, i, ncols, hlen;
	dm_err err;
	int line = 1, start, rc;

	if ((err = read_file(path, CSV_MAX, &data, &len)) != DM_OK)
		return err;
	if (strlen(data) != len) {
		free(data);
		return dm_fail(DM_EPARSE, "%s: holds NUL bytes: not a CSV file",
		    path);
	}
	for (i = 0; i <= NFIELDS; i++) {
		buf_init(&f[i]);
		buf_addc(&f[i], 'x');
	}
	p = data;
	if (strncmp(p, "\xef\xbb\xbf", 3) == 0)	/* a spreadsheet's BOM */
		p += 3;
	start = line;
	rc = csv_record(&p, &line, f, &n);
	for (i = 1; rc == 1 && i < n && i < NFIELDS; i++) {
		buf_addc(&f[0], ',');
		buf_adds(&f[0], f[i].data);
	}
	/* the header, or the header without its last columns */
	ncols = n;
	hlen = header_len(n);
	if (rc != 1 || n < NFIELDS_MIN || n > NFIELDS ||
	    f[0].len != hlen ||
	    strncmp(str_lower(f[0].data), header, hlen) != 0) {
		err = dm_fail(DM_EPARSE, "%s:1: the first line must be the "
		    "header %s", path, header);
		goto out;
	}
	for (;;) {
		start = line;
		if ((rc = csv_record(&p, &line, f, &n)) == 0)
			break;
		if (rc < 0) {
			err = dm_fail(DM_EPARSE, "%s:%d: a quoted field is not "
			    "closed", path, start);
			goto out;
		}
		if (n == 1 && f[0].len == 0)
			continue;	/* a blank line */
		if (n != ncols) {
			err = dm_fail(DM_EPARSE, "%s:%d: %zu fields, not %zu "
			    "(%.*s)", path, start, n, ncols, (int)hlen, header);
			goto out;
		}
		rows = xreallocarray(rows, nrows + 1, sizeof(*rows));
		memset(&rows[nrows], 0, sizeof(*rows));
		rows[nrows].line = start;
		for (i = 0; i < NFIELDS; i++)
			rows[nrows].f[i] = str_squeeze(xstrdup(i < ncols ?
			    f[i].data : ""));
		if ((err = check_row(path, &rows[nrows], rows, nrows)) != DM_OK) {
			row_clear(&rows[nrows]);
			goto out;
		}
		nrows++;
	}
	err = DM_OK;
out:
	for (i = 0; i <= NFIELDS; i++)
		buf_free(&f[i]);
	free(data);
	if (err != DM_OK) {
		for (i = 0; i < nrows; i++)
			row_clear(&rows[i]);
		free(rows);
		return err;
	}
	*out = rows;
	*nout = nrows;
	return DM_OK;
}

static const struct dm_sql sql_clear = SQL(
    "DELETE FROM agency_senders; DELETE FROM agencies;");
static const struct dm_sql sql_agency = SQL(
    "INSERT INTO agencies (name, title, notify, escalate, bill_to, timezone,"
    " fte, lang) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7 / 100.0, ?8)");
static const struct dm_sql sql_sender = SQL(
    "INSERT INTO agency_senders (sender, agency) VALUES (?1, ?2)");

static dm_err
write_rows(struct dm_store *st, struct row *rows, size_t nrows)
{
	struct dm_stmt *s;
	size_t i, j;
	dm_err err;

	if (store_exec(st, &sql_clear) != DM_OK)
		return store_error(st, "agencies");
	for (i = 0; i < nrows; i++) {
		if ((s = store_stmt(st, &sql_agency)) == NULL)
			return store_error(st, "agencies");
		stmt_bind_text(s, 1, rows[i].f[0]);	/* name */
		stmt_bind_text(s, 2, rows[i].f[1]);	/* title */
		stmt_bind_text(s, 3, rows[i].f[3]);	/* notify */
		stmt_bind_text(s, 4, rows[i].f[4]);	/* escalate */
		stmt_bind_text(s, 5, rows[i].f[5]);	/* bill_to */
		stmt_bind_text(s, 6, rows[i].f[6]);	/* timezone */
		if (rows[i].fte >= 0)			/* fte, or NULL */
			stmt_bind_int64(s, 7, rows[i].fte);
		stmt_bind_text(s, 8, rows[i].f[8]);	/* lang */
		if ((err = store_exec_stmt(st, s)) != DM_OK)
			return err;
		for (j = 0; j < rows[i].nsenders; j++) {
			if ((s = store_stmt(st, &sql_sender)) == NULL)
				return store_error(st, "agency_senders");
			stmt_bind_text(s, 1, rows[i].senders[j]);
			stmt_bind_text(s, 2, rows[i].f[0]);
			if ((err = store_exec_stmt(st, s)) != DM_OK)
				return err;
		}
	}
	return DM_OK;
}

dm_err
directory_import(struct dm_store *st, const char *path, size_t *nagencies,
    size_t *nsenders)
{
	struct row *rows = NULL;
	size_t nrows = 0, i;
	dm_err err;

	*nagencies = *nsenders = 0;
	if ((err = parse_file(path, &rows, &nrows)) != DM_OK)
		return err;
	if ((err = store_begin(st)) == DM_OK) {
		if ((err = write_rows(st, rows, nrows)) == DM_OK)
			err = store_commit(st);
		else
			store_rollback(st);
	}
	for (i = 0; i < nrows; i++) {
		*nsenders += rows[i].nsenders;
		row_clear(&rows[i]);
	}
	free(rows);
	*nagencies = err == DM_OK ? nrows : 0;
	if (err != DM_OK)
		*nsenders = 0;
	return err;
}

/*
 * The most specific of up to LOOKUP_KEYS keys in one statement (a round
 * trip each on PostgreSQL); binds left unset are NULL and match nothing.
 */
#define LOOKUP_KEYS	8
static const struct dm_sql sql_lookup = SQL2(
    "SELECT agency FROM agency_senders WHERE sender IN"
    " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) ORDER BY length(sender) DESC LIMIT 1",
    "SELECT agency FROM agency_senders WHERE sender IN"
    " ($1, $2, $3, $4, $5, $6, $7, $8) ORDER BY length(sender) DESC LIMIT 1");

/* The next keys (at most max, from *at on) an address is looked up by,
 * most specific first: the address itself, then its domain, then each
 * parent domain short of the top.  *at moves past them (NULL: no more). */
static size_t
lookup_keys(char **at, const char **keys, size_t max)
{
	size_t n = 0;
	char *p = *at;

	while (p != NULL && *p != '\0' && n < max) {
		keys[n++] = p;
		if (strchr(p, '@') != NULL)
			p = strchr(p, '@') + 1;
		else if ((p = strchr(p, '.')) != NULL) {
			p++;
			if (strchr(p, '.') == NULL)
				p = NULL;	/* not a bare top-level domain */
		}
	}
	*at = p;
	return n;
}

dm_err
directory_lookup(struct dm_store *st, const char *address, char **agency)
{
	char *key = str_lower(xstrdup(address)), *at = key;
	const char *keys[LOOKUP_KEYS];
	struct dm_stmt *s;
	size_t n, k;
	dm_err err = DM_OK;
	int rc;

	*agency = NULL;
	while (*agency == NULL && err == DM_OK &&
	    (n = lookup_keys(&at, keys, LOOKUP_KEYS)) > 0) {
		if ((s = store_stmt(st, &sql_lookup)) == NULL) {
			err = store_error(st, "agency_senders");
			break;
		}
		for (k = 0; k < LOOKUP_KEYS; k++)
			stmt_bind_text(s, (int)k + 1, k < n ? keys[k] : NULL);
		if ((rc = stmt_step(s)) == STMT_ROW)
			*agency = stmt_dup(s, 0);
		else if (rc != STMT_DONE)
			err = store_error(st, "agency_senders");
		stmt_reset(s);
	}
	free(key);
	return err;
}

static const struct dm_sql sql_get = SQL(
    "SELECT name, title, notify, escalate, bill_to, timezone, lang"
    " FROM agencies WHERE name = ?1");

dm_err
directory_agency(struct dm_store *st, const char *name, struct dm_agency *a)
{
	struct dm_stmt *s = store_stmt(st, &sql_get);
	int rc;

	memset(a, 0, sizeof(*a));
	if (s == NULL)
		return store_error(st, "agencies");
	stmt_bind_text(s, 1, name);
	if ((rc = stmt_step(s)) == STMT_ROW) {
		a->name = stmt_dup(s, 0);
		a->title = stmt_dup(s, 1);
		a->notify = stmt_dup(s, 2);
		a->escalate = stmt_dup(s, 3);
		a->bill_to = stmt_dup(s, 4);
		a->timezone = stmt_dup(s, 5);
		a->lang = stmt_dup(s, 6);
	}
	stmt_reset(s);
	if (rc == STMT_DONE)
		return dm_fail(DM_ENOTFOUND, "no agency '%s' in the directory",
		    name);
	return rc == STMT_ROW ? DM_OK : store_error(st, "agencies");
}

void
directory_agency_clear(struct dm_agency *a)
{
	free(a->name);
	free(a->title);
	free(a->notify);
	free(a->escalate);
	free(a->bill_to);
	free(a->timezone);
	free(a->lang);
	memset(a, 0, sizeof(*a));
}

/* PostgreSQL: string_agg() orders what it joins by itself */
static const struct dm_sql sql_all = SQL2(
    "SELECT a.name, a.title, a.notify, a.escalate, a.bill_to,"
    " (SELECT group_concat(sender, ' ') FROM"
    "   (SELECT sender FROM agency_senders WHERE agency = a.name"
    "    ORDER BY sender)), a.timezone,"
    " CAST(round(a.fte * 100) AS INTEGER), a.lang"
    " FROM agencies a ORDER BY a.name",
    "SELECT a.name, a.title, a.notify, a.escalate, a.bill_to,"
    " (SELECT string_agg(sender, ' ' ORDER BY sender) FROM agency_senders"
    "   WHERE agency = a.name), a.timezone,"
    " CAST(round(a.fte * 100) AS INTEGER), a.lang"
    " FROM agencies a ORDER BY a.name");

static struct json_object *
list_json(const char *list, const char *seps)
{
	struct json_object *arr = json_object_new_array();
	char *copy = xstrdup(list ? list : ""), *tok, *save = NULL;

	for (tok = strtok_r(copy, seps, &save); tok != NULL;
	    tok = strtok_r(NULL, seps, &save))
		json_object_array_add(arr, json_object_new_string(tok));
	free(copy);
	return arr;
}

static struct json_object *
strings_json(char **v, size_t n)
{
	struct json_object *arr = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_object_array_add(arr, json_object_new_string(v[i]));
	return arr;
}

/* An agency's FTE (hundredths in column col) as a number, or null. */
static struct json_object *
fte_json(struct dm_stmt *s, int col)
{
	char text[24];

	if (stmt_is_null(s, col))
		return NULL;
	directory_format_fte(stmt_int64(s, col), text);
	return json_object_new_double_s((double)stmt_int64(s, col) /
	    100, text);
}

dm_err
directory_json(struct dm_store *st, const struct dm_config *cfg,
    struct json_object *out)
{
	struct json_object *agencies = json_object_new_array(), *teams, *o;
	struct dm_stmt *s = store_stmt(st, &sql_all);
	size_t i;
	int rc;

	json_object_object_add(out, "agencies", agencies);
	if (s == NULL)
		return store_error(st, "agencies");
	while ((rc = stmt_step(s)) == STMT_ROW) {
		o = json_object_new_object();
		json_put_text(o, "name", s, 0);
		json_put_text(o, "title", s, 1);
		json_object_object_add(o, "senders", list_json(stmt_text(s, 5), " "));
		json_object_object_add(o, "notify", list_json(stmt_text(s, 2), ", "));
		json_object_object_add(o, "escalate", list_json(stmt_text(s, 3), ", "));
		json_put_text(o, "bill_to", s, 4);
		json_put_text(o, "timezone", s, 6);
		json_object_object_add(o, "fte", fte_json(s, 7));
		json_put_text(o, "lang", s, 8);
		json_object_array_add(agencies, o);
	}
	stmt_reset(s);
	if (rc != STMT_DONE)
		return store_error(st, "agencies");
	teams = json_object_new_array();
	json_object_object_add(out, "teams", teams);
	for (i = 0; i < cfg->nteams; i++) {
		const struct dm_team *t = &cfg->teams[i];

		o = json_object_new_object();
		json_object_object_add(o, "name",
		    json_object_new_string(t->name));
		json_object_object_add(o, "address", t->address ?
		    json_object_new_string(t->address) : NULL);
		json_object_object_add(o, "members",
		    strings_json(t->members, t->nmembers));
		json_object_object_add(o, "escalation",
		    strings_json(t->escalation, t->nescalation));
		json_object_object_add(o, "sla_policy",
		    json_object_new_string(t->sla_policy ? t->sla_policy :
		    cfg->sla_policy));
		json_object_array_add(teams, o);
	}
	return DM_OK;
}

/* One CSV field, quoted when it must be. */
static void
csv_field(FILE *fp, const char *v, int last)
{
	const char *p;

	if (v == NULL)
		v = "";
	if (strpbrk(v, ",\"\r\n") != NULL) {
		fputc('"', fp);
		for (p = v; *p; p++) {
			if (*p == '"')
				fputc('"', fp);
			fputc(*p, fp);
		}
		fputc('"', fp);
	} else
		fputs(v, fp);
	fputc(last ? '\n' : ',', fp);
}

dm_err
directory_export(struct dm_store *st, FILE *fp)
{
	struct dm_stmt *s = store_stmt(st, &sql_all);
	char fte[24];
	int rc;

	if (s == NULL)
		return store_error(st, "agencies");
	fprintf(fp, "%s\n", header);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		csv_field(fp, stmt_text(s, 0), 0);
		csv_field(fp, stmt_text(s, 1), 0);
		csv_field(fp, stmt_text(s, 5), 0);
		csv_field(fp, stmt_text(s, 2), 0);
		csv_field(fp, stmt_text(s, 3), 0);
		csv_field(fp, stmt_text(s, 4), 0);
		csv_field(fp, stmt_text(s, 6), 0);
		if (stmt_is_null(s, 7))
			fte[0] = '\0';
		else
			directory_format_fte(stmt_int64(s, 7), fte);
		csv_field(fp, fte, 0);
		csv_field(fp, stmt_text(s, 8), 1);
	}
	stmt_reset(s);
	return rc == STMT_DONE ? DM_OK : store_error(st, "agencies");
}
