/*
 * attachment.c - reading the attachments table (message.c writes it)
 * and the bytes of a file, decoded from the raw message it came in.
 *
 * Why not a copy of each file: the raw message is stored anyway (it is
 * what deskmail keeps of every mail), so a decoded copy would be a
 * second one, written at ingest for every file whether anyone ever asks
 * for it or not.  Decoding again when a mail or a link needs a file
 * costs one parse of that message (bench/attach; bench/README).
 */
#include <stdlib.h>
#include <string.h>

#include "deskmail/attachment.h"
#include "deskmail/mime.h"
#include "deskmail/util.h"

#define FILE_COLUMNS "a.id, a.message_id, m.ticket_id, m.kind, a.name," \
	" a.content_type, a.size, a.is_inline"

static const struct dm_sql sql_of_message = SQL("SELECT " FILE_COLUMNS
    " FROM attachments a JOIN messages m ON m.id = a.message_id"
    " WHERE a.message_id = ?1 ORDER BY a.id");
static const struct dm_sql sql_of_ticket = SQL("SELECT " FILE_COLUMNS
    " FROM messages m JOIN attachments a ON a.message_id = m.id"
    " WHERE m.ticket_id = ?1 ORDER BY m.id, a.id");

static void
read_file_row(struct dm_stmt *s, struct dm_file *f)
{
	memset(f, 0, sizeof(*f));
	f->id = stmt_int64(s, 0);
	f->message = stmt_int64(s, 1);
	f->ticket = stmt_int64(s, 2);
	f->kind = stmt_dup(s, 3);
	f->name = stmt_dup(s, 4);
	f->type = stmt_dup(s, 5);
	f->size = stmt_int64(s, 6);
	f->is_inline = stmt_int(s, 7);
	if (f->kind == NULL)
		f->kind = xstrdup("");
	if (f->name == NULL)
		f->name = xstrdup("");
	if (f->type == NULL)
		f->type = xstrdup("application/octet-stream");
}

static int
kind_in(const char *kind, const char *const *kinds)
{
	size_t i;

	if (kinds == NULL)
		return 1;
	for (i = 0; kinds[i] != NULL; i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

dm_err
attachment_list(struct dm_store *st, int64_t ticket, int64_t message,
    const char *const *kinds, struct dm_file **v, size_t *n)
{
	struct dm_stmt *s = store_stmt(st, message ? &sql_of_message :
	    &sql_of_ticket);
	struct dm_file *out = NULL, f;
	size_t count = 0, index = 0;
	int64_t last = 0;
	dm_err err = DM_OK;
	int rc;

	*v = NULL;
	*n = 0;
	if (s == NULL)
		return store_error(st, "attachments");
	stmt_bind_int64(s, 1, message ? message : ticket);
	while ((rc = stmt_step(s)) == STMT_ROW) {
		read_file_row(s, &f);
		/* the place among its message's files, which mime.c counts */
		index = f.message == last ? index + 1 : 0;
		last = f.message;
		f.index = index;
		if (!kind_in(f.kind, kinds)) {
			attachment_clear(&f);
			continue;
		}
		out = xreallocarray(out, count + 1, sizeof(*out));
		out[count++] = f;
	}
	if (rc != STMT_DONE)
		err = store_error(st, "attachments");
	stmt_reset(s);
	if (err != DM_OK) {
		attachment_list_free(out, count);
		return err;
	}
	*v = out;
	*n = count;
	return DM_OK;
}

void
attachment_clear(struct dm_file *f)
{
	if (f == NULL)
		return;
	free(f->kind);
	free(f->name);
	free(f->type);
	memset(f, 0, sizeof(*f));
}

void
attachment_list_free(struct dm_file *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		attachment_clear(&v[i]);
	free(v);
}

static const struct dm_sql sql_get = SQL(
    "SELECT " FILE_COLUMNS ", (SELECT count(*)"
    " FROM attachments b WHERE b.message_id = a.message_id AND"
    " b.id < a.id), m.raw FROM attachments a JOIN messages m"
    " ON m.id = a.message_id WHERE a.id = ?1");

dm_err
attachment_get(struct dm_store *st, const struct dm_config *cfg, int64_t id,
    struct dm_file *f, char **data, size_t *len)
{
	struct dm_stmt *s = store_stmt(st, &sql_get);
	struct dm_parsed *m = NULL;
	const struct dm_attachment *a;
	dm_err err;
	int rc;

	memset(f, 0, sizeof(*f));
	*data = NULL;
	*len = 0;
	if (s == NULL)
		return store_error(st, "attachments");
	stmt_bind_int64(s, 1, id);
	if ((rc = stmt_step(s)) != STMT_ROW) {
		err = rc == STMT_DONE ? dm_fail(DM_ENOTFOUND, "no attachment "
		    "%lld", (long long)id) : store_error(st, "attachments");
		stmt_reset(s);
		return err;
	}
	read_file_row(s, f);
	f->index = (size_t)stmt_int64(s, 8);
	/* parsed where SQLite holds the blob: no copy of a large message */
	err = mime_attachment(stmt_blob(s, 9),
	    (size_t)stmt_bytes(s, 9), &cfg->limits, f->index, &m,
	    data, len);
	stmt_reset(s);
	if (err == DM_OK) {
		a = &m->att[f->index];
		if (strcmp(a->name, f->name) != 0 ||
		    strcmp(a->type, f->type) != 0) {
			err = dm_fail(DM_EPARSE, "message %lld no longer "
			    "yields attachment %lld (%s)",
			    (long long)f->message, (long long)id, f->name);
			free(*data);
			*data = NULL;
			*len = 0;
		}
	} else if (err == DM_ENOTFOUND || err == DM_ELIMIT)
		err = dm_fail(DM_EPARSE, "message %lld no longer yields "
		    "attachment %lld (%s): %s", (long long)f->message,
		    (long long)id, f->name, dm_errdetail());
	mime_free(m);
	if (err != DM_OK)
		attachment_clear(f);
	return err;
}
