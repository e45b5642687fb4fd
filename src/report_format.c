/*
 * report_format.c - the machine and terminal renderings of a report:
 * aligned text, CSV (RFC 4180) and JSON (json-c).  The HTML page is
 * report_html.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "deskmail/report.h"

void
rout_init(struct rout *o, FILE *fp)
{
	buf_init(&o->b);
	o->fp = fp;
}

void
rout_flush(struct rout *o)
{
	if (o->b.len < ROUT_CHUNK)
		return;
	fwrite(o->b.data, 1, o->b.len, o->fp);
	o->b.len = 0;
	o->b.data[0] = '\0';
}

dm_err
rout_end(struct rout *o)
{
	int bad;

	if (o->b.len > 0)
		fwrite(o->b.data, 1, o->b.len, o->fp);
	buf_free(&o->b);
	bad = fflush(o->fp) != 0 || ferror(o->fp);
	return bad ? dm_fail(DM_EIO, "cannot write the report: %s",
	    strerror(errno)) : DM_OK;
}

/* Characters (code points) of UTF-8 text, for column widths. */
static size_t
width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void
pad(struct buf *b, size_t n)
{
	while (n-- > 0)
		buf_addc(b, ' ');
}

static const char *
shown(const struct rtab *t, size_t r, size_t c)
{
	const char *s = rtab_text(t, r, c);

	return s ? s : "-";
}

static void
text_table(const struct rtab *t, struct rout *o)
{
	struct buf *b = &o->b;
	size_t nc = rtab_ncols(t), nr = rtab_nrows(t), r, c;
	size_t *w = xcalloc(nc, sizeof(*w));
	int *right = xcalloc(nc, sizeof(*right));

	buf_addf(b, "\n%s\n", rtab_title(t));
	if (nr == 0) {
		buf_adds(b, "(none)\n");
		free(w);
		free(right);
		return;
	}
	for (c = 0; c < nc; c++) {
		w[c] = width(rtab_colinfo(t, c)->head);
		right[c] = rtab_numeric(t, c);
		for (r = 0; r < nr; r++)
			if (width(shown(t, r, c)) > w[c])
				w[c] = width(shown(t, r, c));
	}
	for (r = 0; r <= nr; r++) {
		for (c = 0; c < nc; c++) {
			const char *s = r == 0 ? rtab_colinfo(t, c)->head :
			    shown(t, r - 1, c);
			size_t gap = w[c] - width(s);

			if (c > 0)
				buf_adds(b, "  ");
			if (right[c])
				pad(b, gap);
			/* the last column is not padded: no trailing blanks */
			if (right[c] || c + 1 == nc)
				buf_adds(b, s);
			else {
				buf_adds(b, s);
				pad(b, gap);
			}
		}
		buf_addc(b, '\n');
		rout_flush(o);
	}
	free(w);
	free(right);
}

void
report_text(const struct report *r, int detail, struct rout *o)
{
	struct buf *b = &o->b;
	const struct rtab *m = r->meta;
	size_t i, c;

	buf_addf(b, "%s (%s)\n", r->title, r->name);
	for (c = 0; m != NULL && c < rtab_ncols(m); c++)
		buf_addf(b, "%s%s: %s", c ? ", " : "", rtab_colinfo(m, c)->head,
		    shown(m, 0, c));
	buf_addf(b, "\n%s\n", r->summary ? r->summary : "");
	for (i = 0; i < r->ntabs; i++) {
		if ((rtab_flags(r->tabs[i]) & RT_DETAIL) && !detail)
			continue;
		text_table(r->tabs[i], o);
	}
}

/*
 * One CSV field: quoted when it holds a comma, quote, line end or edge
 * blank, quotes doubled (RFC 4180).  Text that a spreadsheet would take
 * for a formula (=, +, -, @, a tab or CR first: an agency name, a
 * theme, an owner's address come from mail and the directory) gets a '
 * in front, so that opening the export runs nothing.
 */
static void
csv_field(struct buf *b, const char *s, int text)
{
	int formula = text && s[0] != '\0' && strchr("=+-@\t\r", s[0]);
	size_t n = strlen(s);

	if (!formula && strpbrk(s, ",\"\r\n") == NULL && (n == 0 ||
	    (s[0] != ' ' && s[n - 1] != ' '))) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	if (formula)
		buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

void
report_csv(const struct report *r, struct rout *o)
{
	struct buf *b = &o->b;
	const char *keys[64];
	size_t nk = 0, i, c, k, row;

	/* the union of the tables' columns, in order of appearance */
	for (i = 0; i < r->ntabs; i++)
		for (c = 0; c < rtab_ncols(r->tabs[i]); c++) {
			const char *key = rtab_colinfo(r->tabs[i], c)->key;

			for (k = 0; k < nk && strcmp(keys[k], key) != 0; k++)
				;
			if (k == nk && nk < sizeof(keys) / sizeof(keys[0]))
				keys[nk++] = key;
		}
	buf_adds(b, "record");
	for (k = 0; k < nk; k++) {
		buf_addc(b, ',');
		csv_field(b, keys[k], 1);
	}
	buf_adds(b, "\r\n");
	for (i = 0; i < r->ntabs; i++) {
		const struct rtab *t = r->tabs[i];
		int map[64];

		for (k = 0; k < nk; k++)
			map[k] = rtab_col(t, keys[k]);
		for (row = 0; row < rtab_nrows(t); row++) {
			csv_field(b, rtab_name(t), 1);
			for (k = 0; k < nk; k++) {
				const char *s = map[k] < 0 ? NULL :
				    rtab_text(t, row, (size_t)map[k]);

				buf_addc(b, ',');
				csv_field(b, s ? s : "", map[k] >= 0 &&
				    rtab_kind(t, row, (size_t)map[k]) == RK_STR);
			}
			buf_adds(b, "\r\n");
			rout_flush(o);
		}
	}
}

static struct json_object *
json_cell(const struct rtab *t, size_t r, size_t c)
{
	const char *s = rtab_text(t, r, c);

	switch (rtab_kind(t, r, c)) {
	case RK_STR:
		return json_object_new_string(s);
	case RK_BOOL:
		return json_object_new_boolean(strcmp(s, "true") == 0);
	case RK_NUM:
		if (strchr(s, '.') != NULL)
			return json_object_new_double_s(strtod(s, NULL), s);
		return json_object_new_int64(strtoll(s, NULL, 10));
	case RK_NULL:
		break;
	}
	return NULL;
}

#define JSON_FLAGS	(JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)

/* o as JSON text into b; o is freed. */
static void
json_put(struct buf *b, struct json_object *o)
{
	size_t n;
	const char *s = json_object_to_json_string_length(o, JSON_FLAGS, &n);

	buf_add(b, s, n);
	json_object_put(o);
}

/*
 * A table as an array of row objects, one row a line.  One json-c object
 * is reused for every row (adding a key again replaces its value), so a
 * row costs its values, not a new hash table.
 */
static void
json_rows(struct rout *out, const struct rtab *t, const char *indent)
{
	struct json_object *o = json_object_new_object();
	struct buf *b = &out->b;
	size_t r, c, n;
	const char *s;

	buf_addc(b, '[');
	for (r = 0; r < rtab_nrows(t); r++) {
		for (c = 0; c < rtab_ncols(t); c++)
			json_object_object_add_ex(o, rtab_colinfo(t, c)->key,
			    json_cell(t, r, c), JSON_C_OBJECT_KEY_IS_CONSTANT);
		buf_addf(b, "%s\n%s    ", r ? "," : "", indent);
		s = json_object_to_json_string_length(o, JSON_FLAGS, &n);
		buf_add(b, s, n);
		rout_flush(out);
	}
	json_object_put(o);
	buf_addf(b, r ? "\n%s  ]" : "]", indent);
}

/* A value of the report object: "key": value. */
static void
json_key(struct buf *b, const char *indent, const char *key, int first)
{
	buf_addf(b, "%s\n%s  \"%s\": ", first ? "" : ",", indent, key);
}

/*
 * One report as a JSON object: a value per line, a table row per line
 * (json-c writes each value; the layout is ours, so 100,000 rows are
 * written one at a time rather than built as one tree first).
 */
static void
json_report(struct rout *o, const struct report *r, const char *indent)
{
	struct buf *b = &o->b;
	size_t i, c;

	buf_addc(b, '{');
	json_key(b, indent, "report", 1);
	json_put(b, json_object_new_string(r->name));
	json_key(b, indent, "title", 0);
	json_put(b, json_object_new_string(r->title));
	for (c = 0; r->meta != NULL && c < rtab_ncols(r->meta); c++) {
		struct json_object *v = json_cell(r->meta, 0, c);

		json_key(b, indent, rtab_colinfo(r->meta, c)->key, 0);
		if (v != NULL)
			json_put(b, v);
		else
			buf_adds(b, "null");
	}
	json_key(b, indent, "summary", 0);
	json_put(b, json_object_new_string(r->summary ? r->summary : ""));
	for (i = 0; i < r->ntabs; i++) {
		json_key(b, indent, rtab_name(r->tabs[i]), 0);
		json_rows(o, r->tabs[i], indent);
	}
	buf_addf(b, "\n%s}", indent);
}

void
report_json(struct report *const *rs, size_t n, int all, struct rout *o)
{
	struct buf *b = &o->b;
	size_t i;

	if (!all && n == 1)
		json_report(o, rs[0], "");
	else {
		buf_addc(b, '{');
		for (i = 0; i < n; i++) {
			buf_addf(b, "%s\n  \"%s\": ", i ? "," : "", rs[i]->name);
			json_report(o, rs[i], "  ");
		}
		buf_adds(b, "\n}");
	}
	buf_addc(b, '\n');
}
